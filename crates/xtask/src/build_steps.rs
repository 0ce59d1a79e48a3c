//! `cargo xtask build`: run each [build.*] step of benches/bridges.toml whose inputs changed.

use crate::setup::{Env, stamp_dir};
use crate::util::{self, root, step};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Registry {
    bridge: Vec<BridgeEntry>,
    build: BTreeMap<String, BuildStep>,
}

#[derive(Deserialize)]
struct BridgeEntry {
    name: String,
    build: Option<String>,
}

#[derive(Deserialize)]
struct BuildStep {
    steps: Vec<Vec<String>>,
    inputs: Vec<String>,
    #[serde(default)]
    after: Vec<String>,
}

pub fn run(env: &Env) -> Result<(), String> {
    steps(env, &BTreeMap::new())?;
    build_count_tools(env)
}

/// Every step whose inputs, commands or `extra_env` (step -> variables added to its
/// commands: check-memory's sanitizer flags) changed.
pub fn steps(env: &Env, extra_env: &BTreeMap<String, Vec<(String, String)>>) -> Result<(), String> {
    let path = root().join("benches/bridges.toml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let registry: Registry =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let order = topological(&registry.build)?;
    let mut hashes: BTreeMap<&str, u64> = BTreeMap::new();
    for (i, name) in order.iter().enumerate() {
        let build = &registry.build[name.as_str()];
        let bridges: Vec<&str> = registry
            .bridge
            .iter()
            .filter(|b| b.build.as_deref() == Some(name))
            .map(|b| b.name.as_str())
            .collect();
        // A step reruns when its inputs, its commands, or a step it comes after changed.
        let upstream: Vec<String> = build
            .after
            .iter()
            .map(|a| hashes.get(a.as_str()).copied().unwrap_or(0).to_string())
            .collect();
        let added = extra_env
            .get(name.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut extra = format!("{:?}{:?}{}", build.steps, upstream, env.python.display());
        if !added.is_empty() {
            extra.push_str(&format!("{added:?}"));
        }
        let hash = util::hash_inputs(&build.inputs, &extra)?;
        hashes.insert(name, hash);
        let stamp = stamp_dir(env)?.join(format!("build-{name}"));
        let label = format!(
            "[{}/{}] build `{name}` (bridges: {})",
            i + 1,
            order.len(),
            display(&bridges)
        );
        if std::fs::read_to_string(&stamp).ok() == Some(hash.to_string()) {
            eprintln!("==> {label}: up to date");
            continue;
        }
        step(&label);
        let _ = std::fs::remove_file(&stamp);
        for argv in &build.steps {
            let argv: Vec<String> = argv
                .iter()
                .map(|a| {
                    a.replace("{python}", &env.python.to_string_lossy())
                        .replace("{root}", &root().to_string_lossy())
                })
                .collect();
            let Some((program, args)) = argv.split_first() else {
                return Err(format!(
                    "{}: build `{name}` has an empty command",
                    path.display()
                ));
            };
            let mut command = env.command(program);
            command.args(args).envs(added.iter().map(|(k, v)| (k, v)));
            util::run(&format!("build step `{name}`"), &mut command).map_err(|e| {
                format!(
                    "{e}\n  bridges affected: {}\n  the step is declared in benches/bridges.toml [build.{name}]; \
                     fix the error above, then run `cargo xtask build` again",
                    display(&bridges)
                )
            })?;
        }
        std::fs::write(&stamp, hash.to_string())
            .map_err(|e| format!("{}: {e}", stamp.display()))?;
    }
    Ok(())
}

/// What the count runs need beside the bridges (python/bridgebench/harness/counts.py,
/// docs/COUNTS.md): libmeasure_hooks.so (allocation counter + callgrind requests) and the
/// Rust-side count binary `rust-counts` (benches/rust/count.rs). Not bridges, so not in
/// the registry; cargo itself makes this a no-op when nothing changed. PyO3 is built for
/// the venv's interpreter, as every other build here: the embedded Python is the
/// harness's, and no build undoes another's.
/// Another interpreter's venv (`--python X.Y`, its own target folder) gets only
/// libmeasure_hooks.so: the Rust side is measured with the default interpreter alone.
fn build_count_tools(env: &Env) -> Result<(), String> {
    let packages: &[&str] = if env.target.is_none() {
        &["measure-hooks", "rust-counts"]
    } else {
        &["measure-hooks"]
    };
    step(&format!("build the count tools ({})", packages.join(", ")));
    let mut cargo = env.command("cargo");
    cargo
        .args(["build", "--locked", "--release"])
        .env("PYO3_PYTHON", &env.python);
    for package in packages {
        cargo.args(["--package", package]);
    }
    util::run(
        &format!("cargo build of the count tools ({})", packages.join(", ")),
        &mut cargo,
    )
}

fn display(bridges: &[&str]) -> String {
    if bridges.is_empty() {
        "used by other steps".into()
    } else {
        bridges.join(", ")
    }
}

/// Steps in an order where each comes after the ones it names in `after`.
fn topological(steps: &BTreeMap<String, BuildStep>) -> Result<Vec<String>, String> {
    let mut order: Vec<String> = Vec::new();
    while order.len() < steps.len() {
        let ready = steps.iter().find(|(name, step)| {
            !order.contains(name) && step.after.iter().all(|a| order.contains(a))
        });
        match ready {
            Some((name, _)) => order.push(name.clone()),
            None => {
                return Err("benches/bridges.toml: the build steps' `after` lists form a cycle or name an unknown step".into());
            }
        }
    }
    Ok(order)
}

/// The Rust-side criterion bench binary (benches/rust/main.rs), with the venv's
/// interpreter for PyO3 as the count tools (`build_count_tools`): both binaries embed the
/// same Python, and neither build undoes the other's.
pub fn bench_binary(env: &Env) -> Result<(), String> {
    step("build: the Rust-side bench binary (cargo bench --no-run)");
    let mut cargo = env.command("cargo");
    cargo
        .args(["bench", "--locked", "--package", "rust-side", "--no-run"])
        .env("PYO3_PYTHON", &env.python);
    util::run(
        "cargo bench --no-run (the Rust-side bench binary)",
        &mut cargo,
    )
}
