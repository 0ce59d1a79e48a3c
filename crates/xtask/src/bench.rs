//! `cargo xtask bench [--quick]`: the main job.
//!
//! Builds what changed, runs the Rust-side criterion benches, then the Python harness,
//! which measures every Python-side cell, folds in criterion's estimates, and writes
//! results.json + results.md into a new folder under results/ (it prints where).

use crate::util::{self, step};
use crate::{build_steps, setup};
use std::process::Command;

pub fn run(args: &[String]) -> Result<(), String> {
    let mut quick = false;
    for arg in args {
        match arg.as_str() {
            "--quick" => quick = true,
            other => return Err(format!("bench: unknown option {other}\n{}", crate::USAGE)),
        }
    }
    let env = setup::run()?;
    build_steps::run(&env)?;

    step("Rust side: criterion benches (crates/rust-side, benches/rust/)");
    let mut cargo = Command::new("cargo");
    cargo.args(["bench", "--locked", "--package", "rust-side", "--"]);
    if quick {
        // benches/rust/common.rs: the kernels' quick_sizes and shorter criterion windows.
        cargo.env("BRIDGEBENCH_QUICK", "1");
    }
    util::run("cargo bench (Rust-side bridges)", &mut cargo)?;

    step("Python side: the harness, one worker process per bridge");
    let mut harness = env.command(&env.python.to_string_lossy());
    harness.args([
        "-m",
        "bridgebench",
        "bench",
        "--out",
        "results",
        "--criterion",
        "target/criterion",
    ]);
    if quick {
        harness.arg("--quick");
    }
    util::run("Python harness", &mut harness)
}
