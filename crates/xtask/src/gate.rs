//! `cargo xtask gate [options]`: the regression gate on instruction and allocation counts.
//!
//! Builds what changed (the gate counts the built bridges), then runs
//! `python -m bridgebench gate` with the given options (`--baseline FILE`, `--bridge NAME`,
//! `--save FILE`, `--module-dir DIR`; docs/GATE.md). `cargo xtask test` runs it as its last
//! stage with no options: every bridge of both sides against ci/gate-baseline.json.

use crate::setup::Env;
use crate::util::{self, step};
use crate::{build_steps, setup};

pub fn run(args: &[String]) -> Result<(), String> {
    let env = setup::run()?;
    build_steps::run(&env)?;
    gate(&env, args)
}

/// The gate itself, on an environment that is set up and built.
pub fn gate(env: &Env, args: &[String]) -> Result<(), String> {
    step("gate: instruction and allocation counts per cell against the baseline (docs/GATE.md)");
    let mut python = env.command(&env.python.to_string_lossy());
    python.args(["-m", "bridgebench", "gate"]).args(args);
    util::run(
        "the regression gate (exit 1: a count regressed, see the table above; exit 2: it could \
         not measure or compare, see the message above)",
        &mut python,
    )
}
