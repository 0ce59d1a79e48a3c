//! Compiles the callgrind client requests (src/callgrind.c): they are C macros from
//! <valgrind/callgrind.h> (Debian package `valgrind`), so a small C file wraps them.

fn main() {
    cc::Build::new()
        .file("src/callgrind.c")
        // The client-request macros are inline assembly that must not be optimised into
        // something valgrind does not recognise; -O2 is what valgrind documents as safe.
        .opt_level(2)
        .compile("bb_callgrind");
    println!("cargo::rerun-if-changed=src/callgrind.c");
}
