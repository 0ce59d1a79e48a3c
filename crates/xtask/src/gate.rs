//! `cargo xtask gate [--python X.Y|all] [options]`: the regression gate on instruction and
//! allocation counts.
//!
//! Builds what changed (the gate counts the built bridges), then runs
//! `python -m bridgebench gate` with the other options (`--baseline FILE`, `--bridge NAME`,
//! `--save FILE`, `--module-dir DIR`; docs/GATE.md). `cargo xtask test` runs it as its last
//! stage with no options: every bridge of both sides against ci/gate-baseline.json.
//! With `--python`, each interpreter is gated in turn from its own venv and build folders;
//! an interpreter other than the project venv's gates the Python side alone (`--side
//! python`): the Rust side is built and counted with the project venv's interpreter.

use crate::setup::Env;
use crate::util::{self, step};
use crate::{build_steps, pythons, setup};

pub fn run(args: &[String]) -> Result<(), String> {
    let (wanted, rest) = pythons::take_python_options(args)?;
    let default = setup::run()?;
    if wanted.is_empty() {
        build_steps::run(&default)?;
        return gate(&default, &rest);
    }
    let interpreters = pythons::select(&wanted)?;
    let mut failed = Vec::new();
    for (k, interpreter) in interpreters.iter().enumerate() {
        let name = interpreter.name();
        step(&format!(
            "[{}/{}] CPython {name}: build every bridge, then gate it",
            k + 1,
            interpreters.len()
        ));
        let outcome = setup::for_interpreter_or(&default, interpreter).and_then(|env| {
            build_steps::run(&env)?;
            gate(&env, &rest)
        });
        if let Err(e) = outcome {
            eprintln!("CPython {name}: {e}");
            failed.push(name);
        }
    }
    pythons::verdict("gate", &failed)
}

/// The gate itself, on an environment that is set up and built. Another interpreter's venv
/// (`env.target` set) counts the Python side only.
pub fn gate(env: &Env, args: &[String]) -> Result<(), String> {
    step("gate: instruction and allocation counts per cell against the baseline (docs/GATE.md)");
    let mut python = env.command(&env.python.to_string_lossy());
    python.args(["-m", "bridgebench", "gate"]).args(args);
    if env.target.is_some() {
        python.args(["--side", "python"]);
    }
    util::run(
        &format!(
            "the regression gate on CPython {} (exit 1: a count regressed, see the table above; \
             exit 2: it could not measure or compare, see the message above)",
            env.version
        ),
        &mut python,
    )
}
