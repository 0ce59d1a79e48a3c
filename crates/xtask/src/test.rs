//! `cargo xtask test`: every test there is, after building what changed.
//!
//! Order: tidy checks, Rust tests, C++ kernel tests, pytest over every bridge, and last the
//! regression gate on instruction and allocation counts (docs/GATE.md), so CI gates every
//! submission.
//! Stops at the first failing stage and says which.

use crate::util::{self, step};
use crate::{build_steps, gate, setup};
use std::process::Command;

pub fn run() -> Result<(), String> {
    let env = setup::run()?;
    build_steps::run(&env)?;

    step("tidy: cargo fmt --check, cargo clippy -D warnings");
    util::run(
        "cargo fmt --check (fix: cargo fmt)",
        Command::new("cargo").args(["fmt", "--all", "--check"]),
    )?;
    util::run(
        "cargo clippy",
        Command::new("cargo").args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
    )?;

    step("Rust tests: cargo test --workspace");
    util::run(
        "cargo test",
        env.command("cargo")
            .args(["test", "--workspace", "--locked"]),
    )?;

    step("C++ kernel tests: cmake + ctest (cpp/tests)");
    util::run(
        "cmake configure (cpp/)",
        env.command("cmake").args([
            "-S",
            "cpp",
            "-B",
            "build/cpp-tests",
            "-G",
            "Ninja",
            "-DBRIDGEBENCH_TESTS=ON",
            "-DCMAKE_BUILD_TYPE=Release",
        ]),
    )?;
    util::run(
        "cmake build (cpp/)",
        env.command("cmake").args(["--build", "build/cpp-tests"]),
    )?;
    util::run(
        "ctest",
        env.command("ctest")
            .args(["--test-dir", "build/cpp-tests", "--output-on-failure"]),
    )?;

    step("Python tests: pytest over every bridge of benches/bridges.toml");
    // One pytest worker per core (pytest-xdist); alone, pytest runs one test at a time.
    // No test's outcome depends on time or on a quiet machine.
    util::run(
        "pytest",
        env.command(&env.python.to_string_lossy()).args([
            "-m",
            "pytest",
            "python/tests",
            "-q",
            "--numprocesses=auto",
            "--dist=worksteal",
        ]),
    )?;

    // Last: the slowest stage (every Python-side bridge under callgrind), and only
    // meaningful once the bridges are known to be correct.
    gate::gate(&env, &["--foreign-baseline=warn".to_owned()])
}
