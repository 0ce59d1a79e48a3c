//! `cargo xtask bench [--quick] [--side python|rust|both] [--bridge NAME]... [--out DIR]`:
//! the main job.
//!
//! Builds what changed (the bridges and the bench binaries), runs the Rust-side criterion
//! benches (eight times in a full run, into target/criterion/pass-<k>), then the Python harness,
//! which measures every Python-side cell, folds in criterion's samples, and writes
//! results.json + results.md into a new folder under results/ (it prints where).
//!
//! The options exist for CI's fan-out (ci/bridge-groups.toml, docs/CI.md): one matrix job
//! measures one group of bridges, so it skips the other side and the other bridges.

use crate::util::{self, root, step};
use crate::{build_steps, load, pythons, setup};
use serde::Deserialize;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Which side(s) of benches/bridges.toml a run measures.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Python,
    Rust,
    Both,
}

#[derive(Clone)]
struct Options {
    quick: bool,
    side: Side,
    bridges: Vec<String>,
    out: String,
    /// --python X.Y|all (repeatable): the interpreters to measure, each in its own venv.
    pythons: Vec<pythons::Wanted>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let usage = || format!("\n{}", crate::USAGE);
    let mut opts = Options {
        quick: false,
        side: Side::Both,
        bridges: Vec::new(),
        out: "results".into(),
        pythons: Vec::new(),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("bench: {name} needs a value{}", usage()))
        };
        match arg.as_str() {
            "--quick" => opts.quick = true,
            "--bridge" => opts.bridges.push(value("--bridge")?),
            "--out" => opts.out = value("--out")?,
            "--python" => opts
                .pythons
                .push(pythons::parse_wanted(&value("--python")?)?),
            "--side" => {
                opts.side = match value("--side")?.as_str() {
                    "python" => Side::Python,
                    "rust" => Side::Rust,
                    "both" => Side::Both,
                    other => {
                        return Err(format!(
                            "bench: --side is python, rust or both, not {other}{}",
                            usage()
                        ));
                    }
                }
            }
            other => return Err(format!("bench: unknown option {other}{}", usage())),
        }
    }
    Ok(opts)
}

#[derive(Deserialize)]
struct Registry {
    bridge: Vec<RegistryBridge>,
}

#[derive(Deserialize)]
struct RegistryBridge {
    name: String,
    side: String,
    build: Option<String>,
}

/// Every bridge of benches/bridges.toml, as the bench needs it: name, side, build step.
fn registry_bridges() -> Result<Vec<RegistryBridge>, String> {
    let path = root().join("benches/bridges.toml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let registry: Registry =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(registry.bridge)
}

/// Whether a bridge has a build step (`build-figures` measures only those).
fn has_build(name: &str) -> Result<bool, String> {
    Ok(registry_bridges()?
        .iter()
        .any(|b| b.name == name && b.side == "python" && b.build.is_some()))
}

/// (name, side) of every bridge in benches/bridges.toml.
fn registered() -> Result<Vec<(String, String)>, String> {
    Ok(registry_bridges()?
        .into_iter()
        .map(|b| (b.name, b.side))
        .collect())
}

/// The --bridge names the harness gets. Every name must be a bridge of the chosen side:
/// a typo would otherwise measure nothing and still "pass".
fn harness_bridges(opts: &Options) -> Result<Vec<String>, String> {
    let registry = registered()?;
    for name in &opts.bridges {
        let Some((_, side)) = registry.iter().find(|(n, _)| n == name) else {
            let known: Vec<&str> = registry.iter().map(|(n, _)| n.as_str()).collect();
            return Err(format!(
                "bench: --bridge {name} is not in benches/bridges.toml (bridges: {})",
                known.join(", ")
            ));
        };
        let wrong = match opts.side {
            Side::Python => side != "python",
            Side::Rust => side != "rust",
            Side::Both => false,
        };
        if wrong {
            return Err(format!(
                "bench: --bridge {name} is a {side}-side bridge (benches/bridges.toml), \
                 but --side leaves that side out"
            ));
        }
    }
    if opts.side == Side::Rust {
        // The harness then measures no Python-side bridge and only folds in criterion.
        return Ok(registry
            .into_iter()
            .filter(|(_, side)| side == "rust")
            .map(|(name, _)| name)
            .collect());
    }
    Ok(opts.bridges.clone())
}

/// How many times a full run runs every criterion bench binary (benches/rust/common.rs:
/// 10 samples per pass, each beside the floor's; the harness pools them). A pass is a
/// process: on 2026-12-06 two runs of 8 passes on one CPU agreed within 5 % on 91.5 % of
/// the Rust side's ratios (88 % before the pin); 12 passes of shorter windows (10 + 20 ms)
/// did no better. A quick run has one.
const FULL_RUST_PASSES: usize = 8;

/// The one CPU the criterion passes run on, as the Python side's timing does
/// (python/bridgebench/harness/cpu.py: on this project's VM a process that starts on a CPU
/// that was idle runs up to 1.7x slower for a while): the highest-numbered CPU this
/// process may use. None, with a note, where there is no `taskset` or no affinity list.
fn timing_cpu() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok();
    let allowed = status.as_deref().and_then(|text| {
        let list = text
            .lines()
            .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))?;
        highest_cpu(list)
    });
    let taskset = util::output(Command::new("taskset").arg("--version")).is_some();
    match allowed {
        Some(cpu) if taskset => Some(cpu),
        _ => {
            eprintln!(
                "note: the criterion passes run on any CPU (no `taskset` or no \
                 Cpus_allowed_list in /proc/self/status; Debian/Ubuntu: apt install util-linux)"
            );
            None
        }
    }
}

/// The highest CPU of a list such as "0-3,6,8-9".
fn highest_cpu(list: &str) -> Option<usize> {
    list.trim()
        .split(',')
        .filter_map(|part| part.rsplit('-').next()?.trim().parse().ok())
        .max()
}

pub fn run(args: &[String]) -> Result<(), String> {
    let opts = parse(args)?;
    if !opts.pythons.is_empty() {
        return across_pythons(&opts);
    }
    harness_bridges(&opts)?; // a bad --bridge fails before any build
    let env = setup::run()?;
    measure(&env, &opts)
}

/// `--python`: every chosen interpreter measured in turn, each from its own venv and build
/// folders, into <out>/pythons-<unix time>/py<X.Y>/; then one merged results file (each
/// interpreter a label) and its report, which compares the versions side by side. The Rust
/// side is measured once, beside the default interpreter (pyo3-embed embeds that one).
fn across_pythons(opts: &Options) -> Result<(), String> {
    let started = Instant::now();
    let interpreters = pythons::select(&opts.pythons)?;
    step(&format!(
        "CPython versions to measure: {}",
        interpreters
            .iter()
            .map(|i| format!("{} ({})", i.name(), i.path.display()))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let default = setup::run()?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let folder = root().join(&opts.out).join(format!("pythons-{stamp}"));
    let mut files: Vec<(String, std::path::PathBuf)> = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    for (k, interpreter) in interpreters.iter().enumerate() {
        let name = interpreter.name();
        step(&format!(
            "[{}/{}] CPython {name}: build and measure",
            k + 1,
            interpreters.len()
        ));
        let began = Instant::now();
        let mut this = opts.clone();
        this.out = folder
            .join(format!("py{name}"))
            .to_string_lossy()
            .into_owned();
        let outcome = if default.version == name {
            measure(&default, &this)
        } else if opts.side == Side::Rust {
            continue;
        } else {
            this.side = Side::Python;
            setup::for_interpreter(interpreter).and_then(|env| measure(&env, &this))
        };
        let wall = began.elapsed();
        let written = results_file(Path::new(&this.out));
        match (&outcome, &written) {
            (Ok(()), Some(_)) => lines.push(format!("CPython {name}: {} (ok)", minutes(wall))),
            (_, _) => {
                let why = outcome
                    .as_ref()
                    .err()
                    .cloned()
                    .unwrap_or_else(|| "no results.json".into());
                lines.push(format!("CPython {name}: {} (FAILED: {why})", minutes(wall)));
                failed.push(name.clone());
            }
        }
        if let Some(file) = written {
            files.push((name, file));
        }
    }
    if files.is_empty() {
        return Err("bench --python: no interpreter produced a results file".into());
    }
    step("merge: one results file, one label per interpreter, and its report");
    let merged = folder.join("merged");
    let mut merge = default.command(&default.python.to_string_lossy());
    merge.args(["-m", "bridgebench", "merge"]);
    for (_, file) in &files {
        merge.arg(file);
    }
    for (name, _) in &files {
        merge.args(["--label", &format!("py{name}")]);
    }
    merge.arg("-o").arg(merged.join("results.json"));
    util::run("bridgebench merge", &mut merge)?;
    let mut report = default.command(&default.python.to_string_lossy());
    report
        .args(["-m", "bridgebench", "report"])
        .arg(merged.join("results.json"))
        .arg("-o")
        .arg(&merged);
    util::run("bridgebench report", &mut report)?;
    eprintln!("\nbench --python: {} in all", minutes(started.elapsed()));
    for line in &lines {
        eprintln!("  {line}");
    }
    eprintln!("  merged: {}", merged.join("results.json").display());
    eprintln!("  report: {}", merged.join("report.html").display());
    pythons::verdict("bench", &failed)
}

/// The results.json the harness wrote under `folder` (in a folder named after its start).
fn results_file(folder: &Path) -> Option<std::path::PathBuf> {
    let mut found: Vec<std::path::PathBuf> = std::fs::read_dir(folder)
        .ok()?
        .flatten()
        .map(|e| e.path().join("results.json"))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.pop()
}

fn minutes(d: Duration) -> String {
    format!("{}:{:02}", d.as_secs() / 60, d.as_secs() % 60)
}

/// One interpreter's run: build what changed, the criterion passes (the Rust side), the
/// build figures (full runs), then the Python harness into `opts.out`.
fn measure(env: &setup::Env, opts: &Options) -> Result<(), String> {
    let opts = opts.clone();
    let bridges = harness_bridges(&opts)?;
    let started = Instant::now();
    build_steps::run(env)?;

    let criterion = opts.side != Side::Python;
    let passes = if !criterion {
        0
    } else if opts.quick {
        1
    } else {
        FULL_RUST_PASSES
    };
    if criterion {
        // Part of the build, so the measurement below times only measurements.
        build_steps::bench_binary(env)?;
    }
    let built = started.elapsed();

    // Each pass into a criterion home of its own; stale passes of an earlier run go first.
    let pass_dir = |k: usize| format!("target/criterion/pass-{k}");
    if criterion {
        let parent = root().join("target/criterion");
        for entry in std::fs::read_dir(&parent).into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().starts_with("pass-") {
                std::fs::remove_dir_all(entry.path()).map_err(|e| {
                    format!(
                        "bench: cannot remove the stale {}: {e}",
                        entry.path().display()
                    )
                })?;
            }
        }
    }
    let pin = if criterion { timing_cpu() } else { None };
    for k in 1..=passes {
        step(&format!(
            "Rust side: criterion benches, pass {k} of {passes} (crates/rust-side, benches/rust/ -> {}){}",
            pass_dir(k),
            pin.map_or(String::new(), |cpu| format!(", on CPU {cpu}"))
        ));
        let mut cargo = match pin {
            Some(cpu) => {
                let mut taskset = Command::new("taskset");
                taskset.args(["--cpu-list", &cpu.to_string(), "cargo"]);
                taskset
            }
            None => Command::new("cargo"),
        };
        cargo.args(["bench", "--locked", "--package", "rust-side", "--"]);
        cargo.env("CRITERION_HOME", root().join(pass_dir(k)));
        cargo.env("PYO3_PYTHON", &env.python); // as build_steps::bench_binary built it
        if opts.quick {
            // benches/rust/common.rs: the kernels' quick_sizes and shorter criterion windows.
            cargo.env("BRIDGEBENCH_QUICK", "1");
        }
        let load = load::Load::start();
        util::run(
            &format!("cargo bench (Rust-side bridges), pass {k}"),
            &mut cargo,
        )?;
        load.stop_into(&root().join(pass_dir(k)))?;
    }
    let benched = started.elapsed();

    // What each Python-side bridge costs to build and ship (`build-figures`: clean and
    // incremental builds in scratch folders, a few minutes): full runs only, and never
    // beside a timing. It runs between the criterion passes and the Python harness, which
    // folds its file into results.json as `builds`.
    let builds = env
        .target
        .clone()
        .unwrap_or_else(|| root().join("target"))
        .join("build-figures.json");
    // No --bridge: every bridge with a build step; else those of the chosen that have one.
    let mut with_build = Vec::new();
    for name in &bridges {
        if has_build(name)? {
            with_build.push(name.clone());
        }
    }
    let build_figures =
        opts.side != Side::Rust && !opts.quick && (bridges.is_empty() || !with_build.is_empty());
    if opts.side != Side::Rust && opts.quick {
        eprintln!("note: --quick skips the build figures (results.json gets no `builds`)");
    }
    if build_figures {
        step(
            "Python side: what each bridge costs to build and ship (build-figures, scratch folders)",
        );
        let _ = std::fs::remove_file(&builds);
        let mut figures = env.command(&env.python.to_string_lossy());
        figures.args(["-m", "bridgebench", "build-figures", "--out"]);
        figures.arg(&builds);
        for name in &with_build {
            figures.args(["--bridge", name]);
        }
        // A failed build is a record with its reason (status "failed"), not a failed bench.
        if let Err(e) = util::run("build-figures", &mut figures) {
            eprintln!("note: {e}; the records that failed say why");
        }
    }
    let build_figures = build_figures && builds.is_file();
    let built_figures = started.elapsed();

    step(match opts.side {
        Side::Rust => {
            "Python harness: fold criterion's samples into results (no Python-side bridge)"
        }
        _ => "Python side: the harness, one worker process per bridge and cell, in rounds",
    });
    let mut harness = env.command(&env.python.to_string_lossy());
    harness.args(["-m", "bridgebench", "bench", "--out", &opts.out]);
    for k in 1..=passes {
        harness.args(["--criterion".to_string(), pass_dir(k)]);
    }
    if opts.quick {
        harness.arg("--quick");
    }
    for name in &bridges {
        harness.args(["--bridge", name]);
    }
    if build_figures {
        harness.arg("--builds").arg(&builds);
    }
    let outcome = util::run("Python harness", &mut harness);
    eprintln!(
        "\nbench: {} in all: build {}, measurement {} (criterion {}, build figures {}, Python harness {})",
        minutes(started.elapsed()),
        minutes(built),
        minutes(started.elapsed() - built),
        minutes(benched - built),
        minutes(built_figures - benched),
        minutes(started.elapsed() - built_figures),
    );
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_forward_bridges_and_side() {
        let opts = parse(&args(&[
            "--quick", "--side", "python", "--bridge", "ctypes", "--bridge", "cffi",
        ]))
        .expect("valid options");
        assert!(opts.quick && opts.side == Side::Python && opts.out == "results");
        assert_eq!(harness_bridges(&opts), Ok(args(&["ctypes", "cffi"])));
    }

    #[test]
    fn build_figures_measure_only_python_bridges_with_a_build_step() {
        assert_eq!(has_build("pyo3"), Ok(true));
        assert_eq!(has_build("python"), Ok(false));
        assert_eq!(has_build("cxx"), Ok(false));
    }

    #[test]
    fn the_highest_cpu_of_an_affinity_list() {
        assert_eq!(highest_cpu("0-1\n"), Some(1));
        assert_eq!(highest_cpu("0-3,6,8-9"), Some(9));
        assert_eq!(highest_cpu("5"), Some(5));
        assert_eq!(highest_cpu(""), None);
    }

    #[test]
    fn bad_options_are_refused_by_name() {
        let err = |list: &[&str]| match parse(&args(list)) {
            Ok(opts) => harness_bridges(&opts).expect_err("should be refused"),
            Err(e) => e,
        };
        assert!(err(&["--side", "left"]).contains("not left"));
        assert!(err(&["--bridge"]).contains("--bridge needs a value"));
        assert!(err(&["--bridge", "nope"]).contains("nope is not in benches/bridges.toml"));
        assert!(err(&["--side", "python", "--bridge", "cxx"]).contains("rust-side bridge"));
        assert!(err(&["--side", "rust", "--bridge", "pyo3"]).contains("python-side bridge"));
    }

    #[test]
    fn the_rust_side_alone_selects_no_python_bridge() {
        let opts = parse(&args(&["--side", "rust"])).expect("valid options");
        let names = harness_bridges(&opts).expect("registry readable");
        let registry = registered().expect("registry readable");
        assert!(!names.is_empty());
        for name in &names {
            assert!(
                registry.contains(&(name.clone(), "rust".to_string())),
                "{name}"
            );
        }
    }
}
