//! `cargo xtask <command>`: every bridgebench workflow, in one place.
//!
//! - `setup`: system packages (apt), the project venv (.venv) and its pinned Python packages.
//! - `build`: setup, then every build step of benches/bridges.toml whose inputs changed.
//! - `test`:  build, then tidy checks, Rust tests, C++ kernel tests, and pytest over every bridge.
//! - `bench [--quick]`: build, then the criterion benches and the Python harness; writes
//!   results.json and results.md into one folder under results/ and prints where.

mod bench;
mod build_steps;
mod setup;
mod test;
mod util;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <setup | build | test | bench [--quick]>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run().map(|_| ()),
        Some("build") => setup::run().and_then(|env| build_steps::run(&env)),
        Some("test") => test::run(),
        Some("bench") => bench::run(&args[1..]),
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
