//! Embeds the interpreter: binaries that link this crate link libpython, so they need an
//! rpath to its directory to run without LD_LIBRARY_PATH. Link arguments printed here apply
//! to this crate's own tests only, so the directory is also handed to dependents' build
//! scripts as DEP_BB_PYO3_EMBED_LIB_DIR (crates/rust-side reads it).

fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
    if let Some(lib_dir) = pyo3_build_config::get().lib_dir() {
        println!("cargo::metadata=lib_dir={lib_dir}");
    }
}
