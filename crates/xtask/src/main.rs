//! `cargo xtask <command>`: every bridgebench workflow, in one place.
//!
//! - `setup`: system packages (apt), the project venv (.venv) and its pinned Python packages.
//! - `build`: setup, then every build step of benches/bridges.toml whose inputs changed.
//! - `test [--python X.Y|all]`: build, then tidy checks, Rust tests, C++ kernel tests, pytest over
//!   every bridge and the gate; with --python, each interpreter's build, bridge tests and gate.
//! - `bench [--quick] [--side S] [--bridge NAME]... [--out DIR]`: build, then the criterion
//!   benches and the Python harness; writes results.json and results.md into one folder
//!   under results/ and prints where. CI's matrix jobs use the options (docs/CI.md).
//! - `gate [--python X.Y|all] [--baseline FILE] [--bridge NAME]... [--save FILE]`: build,
//!   then the regression gate on instruction and allocation counts (docs/GATE.md); `test`
//!   runs it last.
//! - `check-memory [--stage sanitizers|valgrind]`: build, then the bindings under ASan + UBSan
//!   (builds of their own) and valgrind memcheck; fails on any report in the project's code
//!   (docs/MEMORY.md).

mod bench;
mod build_steps;
mod check_memory;
mod gate;
mod load;
mod memcheck;
mod pythons;
mod sanitize;
mod setup;
mod test;
mod util;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <setup | build | test | bench | gate | check-memory> [OPTIONS]\n  bench options: --quick (quick sizes, fewer samples), --side python|rust|both (default both),\n                 --bridge NAME (only this bridge; repeatable), --out DIR (default results)\n                 --python X.Y|all (each interpreter in its own venv, then merged; repeatable)\n  test options: --python X.Y|all (each interpreter: build every bridge, run its bridge tests\n                and its gate)\n  gate options: --python X.Y|all (each interpreter's own entry; the Python side alone for\n                an interpreter other than the project venv's),\n                --baseline FILE (default ci/gate-baseline.json), --bridge NAME (repeatable),\n                --save FILE (write the measured counts; docs/GATE.md)\n  check-memory options: --stage sanitizers|valgrind (only that stage; repeatable; docs/MEMORY.md)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run().map(|_| ()),
        Some("build") => setup::run().and_then(|env| build_steps::run(&env)),
        Some("test") => test::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("gate") => gate::run(&args[1..]),
        Some("check-memory") => check_memory::run(&args[1..]),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}
