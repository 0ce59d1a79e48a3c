//! `cargo xtask test`: every test there is, after building what changed.
//!
//! Order: formatting, the Rust tests (built with clippy's lints), C++ kernel tests, the
//! book, pytest over every bridge, and last the regression gate on instruction and allocation counts
//! (docs/GATE.md), so CI gates every submission.
//! Stops at the first failing stage and says which.

use crate::util::{self, step};
use crate::{build_steps, gate, pythons, setup};
use std::process::Command;

/// The tests that prove every bridge right on an interpreter: each cell against the
/// reference (differential and property-based), the bad-input outcomes, and the registry
/// (each module has exactly its cells; [bridge.python] agrees with the build).
const PER_INTERPRETER: [&str; 3] = [
    "python/tests/test_differential.py",
    "python/tests/test_bad_input.py",
    "python/tests/test_registry.py",
];

/// `test` with no option: everything, on the default interpreter (the README's command).
/// `test --python X.Y|all`: for each interpreter, in its own venv and build folders, build
/// every bridge, run the per-interpreter tests, then gate its counts (the Python side alone
/// for an interpreter other than the project venv's: `gate::gate`).
pub fn run(args: &[String]) -> Result<(), String> {
    let (wanted, rest) = pythons::take_python_options(args)?;
    if !rest.is_empty() {
        return Err(format!(
            "test: options are --python X.Y|all\n{}",
            crate::USAGE
        ));
    }
    if wanted.is_empty() {
        return everything();
    }
    let interpreters = pythons::select(&wanted)?;
    let default = setup::run()?;
    let mut failed = Vec::new();
    for (k, interpreter) in interpreters.iter().enumerate() {
        let name = interpreter.name();
        step(&format!(
            "[{}/{}] CPython {name}: build every bridge, then its tests ({}) and the gate",
            k + 1,
            interpreters.len(),
            PER_INTERPRETER.join(", ")
        ));
        let outcome = setup::for_interpreter_or(&default, interpreter).and_then(|env| {
            build_steps::run(&env)?;
            util::run(
                &format!("pytest on CPython {name}"),
                env.command(&env.python.to_string_lossy())
                    .args([
                        "-m",
                        "pytest",
                        "-q",
                        "--numprocesses=auto",
                        "--dist=worksteal",
                    ])
                    .args(PER_INTERPRETER),
            )?;
            // As in `everything`: a machine unlike the baseline's is measured, not gated.
            gate::gate(&env, &["--foreign-baseline=warn".to_owned()])
        });
        if let Err(e) = outcome {
            eprintln!("CPython {name}: {e}");
            failed.push(name);
        }
    }
    pythons::verdict("test", &failed)
}

fn everything() -> Result<(), String> {
    let env = setup::run()?;
    build_steps::run(&env)?;

    step("tidy: cargo fmt --check");
    util::run(
        "cargo fmt --check (fix: cargo fmt)",
        Command::new("cargo").args(["fmt", "--all", "--check"]),
    )?;

    step("Rust tests: every target built with clippy's lints (-D warnings), then cargo test");
    let clippy = clippy_driver()?;
    let linted = |cmd: &mut Command| {
        // As `cargo clippy` runs it: clippy-driver compiles the workspace's own crates
        // (a rustc that also lints), and reads its lint options from CLIPPY_ARGS. The test
        // build and the lints are one compilation instead of two (`cargo clippy` checks
        // every crate again): 123 s here instead of 98 s + 100 s.
        cmd.env("RUSTC_WORKSPACE_WRAPPER", &clippy).env(
            "CLIPPY_ARGS",
            "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__",
        );
    };
    // Not py-pyo3-abi3: cargo unifies a dependency's features over one build, so with it
    // every crate would compile against PyO3's abi3 build (py-pyo3 without its buffer
    // module, the embedding crates on the limited API). Its source is py-pyo3's, linted
    // here; its own build is the maturin step's (benches/bridges.toml [build.pyo3-abi3]).
    let mut build = env.command("cargo");
    build.args([
        "test",
        "--workspace",
        "--exclude",
        "py-pyo3-abi3",
        "--all-targets",
        "--locked",
        "--no-run",
    ]);
    linted(&mut build);
    util::run(
        "clippy's lints and the test build (fix what it names)",
        &mut build,
    )?;
    let mut test = env.command("cargo");
    test.args([
        "test",
        "--workspace",
        "--exclude",
        "py-pyo3-abi3",
        "--locked",
    ]);
    linted(&mut test); // the same wrapper, or cargo would build everything again
    util::run("cargo test", &mut test)?;

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

    book(&env)?;

    step("Python tests: pytest over every bridge of benches/bridges.toml");
    // One pytest worker per core (pytest-xdist); alone, pytest runs one test at a time.
    // No test compares timings; the few that time a sleep allow it five times as long.
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

    // Last: the slowest stage (every bridge of both sides under callgrind), and only
    // meaningful once the bridges are known to be correct.
    gate::gate(&env, &["--foreign-baseline=warn".to_owned()])
}

/// The teaching book (docs/book) into target/book. mdBook reports a missing include or
/// a broken page and still exits 0, so any ERROR or WARN line it prints fails the stage.
fn book(env: &setup::Env) -> Result<(), String> {
    step("book: mdbook build docs/book (target/book)");
    let mut mdbook = env.command("mdbook");
    mdbook.args(["build", "docs/book"]);
    let out = mdbook.output().map_err(|e| {
        format!("cannot run mdbook ({e}): it comes with the venv (python/requirements.txt)")
    })?;
    let log = String::from_utf8_lossy(&out.stderr);
    eprint!("{log}");
    let bad: Vec<&str> = log
        .lines()
        .filter(|line| line.contains(" ERROR ") || line.contains(" WARN "))
        .collect();
    if !out.status.success() || !bad.is_empty() {
        return Err(format!(
            "mdbook build docs/book: {} (fix the page or include it names)",
            if bad.is_empty() {
                "failed"
            } else {
                "reported problems"
            }
        ));
    }
    Ok(())
}

/// clippy-driver of the toolchain that builds (`rustc --print sysroot`), or how to get it.
fn clippy_driver() -> Result<std::path::PathBuf, String> {
    let sysroot = util::output(Command::new("rustc").args(["--print", "sysroot"]))
        .ok_or("cannot run `rustc --print sysroot`: is Rust installed (rustup.rs)?")?;
    let driver = std::path::Path::new(&sysroot).join("bin/clippy-driver");
    if driver.is_file() {
        Ok(driver)
    } else {
        Err(format!(
            "{} is missing: install clippy with `rustup component add clippy`",
            driver.display()
        ))
    }
}
