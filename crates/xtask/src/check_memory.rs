//! `cargo xtask check-memory`: the bindings proved free of memory errors (docs/MEMORY.md).
//!
//! 1. sanitized builds: every [build.*] step of benches/bridges.toml again, into a venv and
//!    folders of their own (build/check-memory), with ASan + UBSan (C++, the cffi
//!    extension) and, with a nightly toolchain, ASan (Rust): the registry's [sanitize].
//! 2. the bridges' tests on those builds: every kernel's tests with each process's
//!    sanitizer report written to a file (any report fails), then the bad-input tests, whose
//!    cases run in child processes judged by the test: a report ends its child, which is a
//!    failure unless the registry declares that case a crash.
//! 3. valgrind memcheck over the project's own (unsanitized) builds: every cell of every
//!    Python-side bridge on the kernels' shared vectors; an error counts when a stack of
//!    it passes through a library of ours.
//!
//! Every stage runs, then the command fails if any found something, naming where.

use crate::build_steps;
use crate::memcheck::{self, Error};
use crate::sanitize::{self, Plan, match_library};
use crate::setup::{self, Env};
use crate::util::{self, root, step};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Everything check-memory builds and writes, below the repository root.
const HOME: &str = "build/check-memory";
/// The interpreter's and numpy's start-up noise under memcheck (its comments say what).
const SUPPRESSIONS: &str = "ci/valgrind-python.supp";
/// Run on the sanitized builds: every kernel's tests (the shared vectors, the reference's
/// answers on Hypothesis inputs, the holders' lifetimes from 8 threads, the callbacks'
/// exceptions and leaks) and the differential checker.
const SANITIZED_TESTS: [&str; 2] = ["python/tests/kernels", "python/tests/test_differential.py"];
/// Run on the sanitized builds, reports left on each child's stderr for the test to judge.
const BAD_INPUT_TESTS: &str = "python/tests/test_bad_input.py";
/// Run under valgrind: every cell of every bridge on the kernels' shared vectors, and the
/// counter's call shapes (keyword, property, refused argument).
const VALGRIND_TESTS: &str = "python/tests/kernels";
const VALGRIND_SELECTION: &str = "shared_vectors or column_vectors or call_shapes";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Sanitizers,
    Valgrind,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let mut stages = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().map(String::as_str)) {
            ("--stage", Some("sanitizers")) => stages.push(Stage::Sanitizers),
            ("--stage", Some("valgrind")) => stages.push(Stage::Valgrind),
            _ => {
                return Err(format!(
                    "check-memory: options are --stage sanitizers|valgrind (repeatable; default both)\n{}",
                    crate::USAGE
                ));
            }
        }
    }
    if stages.is_empty() {
        stages = vec![Stage::Sanitizers, Stage::Valgrind];
    }
    let total = Instant::now();
    let mut times: Vec<(&str, f64)> = Vec::new();
    let mut problems: Vec<String> = Vec::new();

    let started = Instant::now();
    let env = setup::run()?;
    build_steps::run(&env)?;
    times.push((
        "the project's build (valgrind runs it)",
        started.elapsed().as_secs_f64(),
    ));

    let home = root().join(HOME);
    let nightly = util::output(Command::new("rustup").args(["toolchain", "list"]))
        .is_some_and(|list| sanitize::has_nightly(&list));
    let plan = sanitize::plan(&home, nightly)?;

    if stages.contains(&Stage::Sanitizers) {
        let started = Instant::now();
        let built = sanitized_builds(&env, &home, &plan);
        times.push(("sanitized builds", started.elapsed().as_secs_f64()));
        match built {
            Ok(sanitized) => {
                problems.extend(instrumentation(&sanitized, &plan));
                let started = Instant::now();
                problems.extend(sanitized_tests(&sanitized, &home, &plan));
                times.push((
                    "tests on the sanitized builds",
                    started.elapsed().as_secs_f64(),
                ));
            }
            Err(e) => problems.push(format!(
                "the sanitized builds failed, so nothing ran on them: {e}"
            )),
        }
    }
    if stages.contains(&Stage::Valgrind) {
        let started = Instant::now();
        problems.extend(valgrind(&env, &home, &plan)?);
        times.push(("valgrind memcheck", started.elapsed().as_secs_f64()));
    }

    step("check-memory: wall time");
    for (what, seconds) in &times {
        eprintln!("    {:<40} {}", what, minutes(*seconds));
    }
    eprintln!(
        "    {:<40} {}",
        "total",
        minutes(total.elapsed().as_secs_f64())
    );
    if problems.is_empty() {
        eprintln!("\ncheck-memory: no memory error in the project's code");
        Ok(())
    } else {
        Err(format!(
            "check-memory found {} problem(s):\n  - {}\n  how to read them: docs/MEMORY.md, \"Reading a failure\"",
            problems.len(),
            problems.join("\n  - ")
        ))
    }
}

fn minutes(seconds: f64) -> String {
    let whole = seconds.round() as u64;
    format!("{}:{:02}", whole / 60, whole % 60)
}

/// Stage 1: every build step again with the registry's sanitizer environment, into the
/// venv `home`/venv (made from the project venv's interpreter) and `home`/target.
fn sanitized_builds(env: &Env, home: &Path, plan: &Plan) -> Result<Env, String> {
    step("check-memory [1/3]: sanitized builds (benches/bridges.toml [sanitize])");
    for note in &plan.notes {
        eprintln!("    {note}");
    }
    let base = util::output(
        Command::new(&env.python).args(["-c", "import sys; print(sys._base_executable)"]),
    )
    .ok_or_else(|| {
        format!(
            "cannot ask {} for its base interpreter",
            env.python.display()
        )
    })?;
    let sanitized = setup::own_venv(&base, home, "check-memory's sanitized builds")?;
    build_steps::steps(&sanitized, &plan.step_env)?;
    Ok(sanitized)
}

/// Each bridge's libraries in the sanitized venv and target folder, and whether each
/// carries the sanitizer's instrumentation: one built without it although its step's kind
/// applied is a problem (the registry's flags did not reach the compiler).
fn instrumentation(sanitized: &Env, plan: &Plan) -> Vec<String> {
    step("check-memory: what the sanitized builds instrument");
    let triple = plan
        .run_env
        .iter()
        .find(|(k, _)| k == "CARGO_BUILD_TARGET")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    let files = built_libraries(sanitized, triple);
    let mut problems = Vec::new();
    for bridge in &plan.bridges {
        let patterns = bridge.libraries();
        if patterns.is_empty() {
            eprintln!("    {:<16} no native library of its own", bridge.name);
            continue;
        }
        let found: Vec<&PathBuf> = files
            .iter()
            .filter(|f| {
                let path = f.to_string_lossy();
                patterns.iter().any(|p| match_library(p, &path).is_some())
                    && best_owner(&path, plan).contains(&bridge.name)
            })
            .collect();
        if found.is_empty() {
            eprintln!(
                "    {:<16} not built for this interpreter (benches/bridges.toml [bridge.python])",
                bridge.name
            );
            continue;
        }
        let expected = bridge
            .build
            .as_ref()
            .is_some_and(|b| plan.instrumented.get(b).copied().unwrap_or(false));
        for file in found {
            let marked = std::fs::read(file)
                .map(|bytes| bytes.windows(11).any(|w| w == b"__asan_init"))
                .unwrap_or(false);
            let name = file.file_name().unwrap_or_default().to_string_lossy();
            let state = if marked {
                "instrumented"
            } else {
                "NOT instrumented"
            };
            eprintln!("    {:<16} {name}: {state}", bridge.name);
            if expected && !marked {
                problems.push(format!(
                    "bridge `{}`: {} carries no ASan instrumentation although its build step \
                     [build.{}] has a sanitizer kind: its commands did not pass the registry's \
                     [sanitize.kind] environment to the compiler (fix the step or the kind's env)",
                    bridge.name,
                    file.display(),
                    bridge.build.as_deref().unwrap_or_default()
                ));
            }
        }
        if let Some(why) = bridge.uninstrumented() {
            eprintln!("    {:<16} partly uninstrumented: {why}", "");
        }
    }
    problems
}

/// The shared libraries an env's builds made: in its venv, and cargo's output for
/// `triple` ("" when no target is named) in its target folder.
fn built_libraries(env: &Env, triple: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    collect(&env.venv, &mut files);
    let target = env.target.clone().unwrap_or_else(|| root().join("target"));
    let release = target.join(triple).join("release");
    files.extend(
        std::fs::read_dir(&release)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file()),
    );
    files
}

fn best_owner(path: &str, plan: &Plan) -> Vec<String> {
    memcheck::owners(path, &libraries(plan))
}

/// (bridge, library pattern) of every Python-side bridge.
fn libraries(plan: &Plan) -> Vec<(String, String)> {
    plan.bridges
        .iter()
        .flat_map(|b| b.libraries().into_iter().map(|l| (b.name.clone(), l)))
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() && !path.is_symlink() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "so") {
            out.push(path);
        }
    }
}

/// Stage 2: the tests on the sanitized builds.
fn sanitized_tests(sanitized: &Env, home: &Path, plan: &Plan) -> Vec<String> {
    let mut problems = Vec::new();
    let reports = home.join("reports");
    let _ = std::fs::remove_dir_all(&reports);
    if let Err(e) = std::fs::create_dir_all(&reports) {
        return vec![format!("{}: {e}", reports.display())];
    }
    step(&format!(
        "check-memory [2/3]: the kernels' tests on the sanitized builds ({}); each sanitizer \
         report goes to {}",
        SANITIZED_TESTS.join(", "),
        reports.display()
    ));
    let mut pytest = sanitized_python(sanitized, plan);
    for (name, prefix) in [("ASAN_OPTIONS", "asan"), ("UBSAN_OPTIONS", "ubsan")] {
        let options = plan
            .run_env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        pytest.env(
            name,
            format!("{options}:log_path={}", reports.join(prefix).display()),
        );
    }
    pytest.args(PYTEST).args(SANITIZED_TESTS);
    if let Err(e) = util::run("pytest on the sanitized builds", &mut pytest) {
        problems.push(format!(
            "{e}\n    (a test failed, or a sanitizer report ended a pytest worker: see the \
             reports below)"
        ));
    }
    problems.extend(sanitizer_reports(&reports, &libraries(plan)));

    step(&format!(
        "check-memory [2/3]: the bad-input tests on the sanitized builds ({BAD_INPUT_TESTS}): \
         a report ends the case's child, which fails unless the registry declares a crash"
    ));
    let mut pytest = sanitized_python(sanitized, plan);
    pytest.args(PYTEST).arg(BAD_INPUT_TESTS);
    if let Err(e) = util::run("the bad-input tests on the sanitized builds", &mut pytest) {
        problems.push(format!(
            "{e}\n    (a case's child ended with a sanitizer report where the registry declares \
             no crash, or the test failed: its message holds the report's last lines)"
        ));
    }
    problems
}

/// The sanitized venv's python with the tests' environment (benches/bridges.toml
/// [sanitize] `env` and `run_env`).
/// pytest as both sanitized test runs call it, on both cores.
const PYTEST: [&str; 6] = [
    "-m",
    "pytest",
    "-q",
    "-p",
    "no:cacheprovider",
    "--numprocesses=2",
];

fn sanitized_python(sanitized: &Env, plan: &Plan) -> Command {
    let mut cmd = sanitized.command(&sanitized.python.to_string_lossy());
    cmd.envs(plan.run_env.iter().map(|(k, v)| (k, v)));
    cmd
}

/// Every report file in `dir`, each a problem naming its kind and the first place in our
/// code (or the first frame with a file) of its stack.
fn sanitizer_reports(dir: &Path, libraries: &[(String, String)]) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            eprintln!("\n---- {} ----\n{text}", file.display());
            let summary = text
                .lines()
                .find(|l| l.starts_with("SUMMARY:"))
                .or_else(|| text.lines().find(|l| l.contains("runtime error:")))
                .unwrap_or("(no summary line)");
            let owners: Vec<String> = text
                .split_whitespace()
                .flat_map(|word| {
                    let path = word.trim_matches(|c| c == '(' || c == ')');
                    let path = path.split('+').next().unwrap_or(path);
                    memcheck::owners(path, libraries)
                })
                .collect();
            let mut owners = owners;
            owners.sort();
            owners.dedup();
            let ours = first_frame_in(&text, &root().to_string_lossy())
                .map(|frame| format!("; first frame in the project: {frame}"))
                .unwrap_or_default();
            format!(
                "sanitizer report {} ({}): {summary}{ours}",
                file.display(),
                if owners.is_empty() {
                    "in no library of a bridge".to_string()
                } else {
                    format!("bridge {}", owners.join(", "))
                }
            )
        })
        .collect()
}

/// The first stack frame of a sanitizer report whose source file is under `root`
/// ("scale_buffer(...) /repo/cpp/bindings/pybind11/bb_pybind11.cpp:73"), as "function at
/// file:line" with the file relative to `root`.
fn first_frame_in(report: &str, root: &str) -> Option<String> {
    report.lines().find_map(|line| {
        let frame = line.trim_start();
        if !frame.starts_with('#') {
            return None;
        }
        let (function, place) = frame.split_once(" in ")?.1.rsplit_once(' ')?;
        let relative = place.strip_prefix(root)?.trim_start_matches('/');
        Some(format!("{function} at {relative}"))
    })
}

/// Stage 3: valgrind memcheck over the project's own builds.
fn valgrind(env: &Env, home: &Path, plan: &Plan) -> Result<Vec<String>, String> {
    step(&format!(
        "check-memory [3/3]: valgrind memcheck, PYTHONMALLOC=malloc, over {VALGRIND_TESTS} \
         -k \"{VALGRIND_SELECTION}\" (every cell of every bridge on the shared vectors)"
    ));
    if util::output(Command::new("valgrind").arg("--version")).is_none() {
        return Err(
            "valgrind is not installed: it comes with ci/system-packages.txt (cargo xtask setup)"
                .into(),
        );
    }
    real_binary(&env.python)?;
    let libraries = libraries(plan);
    let supp = root().join(SUPPRESSIONS);
    let text = std::fs::read_to_string(&supp)
        .map_err(|e| format!("{}: cannot read: {e}", supp.display()))?;
    let suppressions =
        memcheck::parse_suppressions(&text).map_err(|e| format!("{}: {e}", supp.display()))?;
    let hiding: Vec<&str> = memcheck::hiding_ours(&suppressions, &libraries)
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    if !hiding.is_empty() {
        return Err(format!(
            "{}: the suppression(s) {hiding:?} could hide errors in the project's own libraries;              a suppression names the interpreter's or a tool's frames, never a bridge's",
            supp.display()
        ));
    }
    eprintln!("    {} suppressions ({SUPPRESSIONS})", suppressions.len());
    let out = home.join("valgrind");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut cmd = env.command("valgrind");
    cmd.args([
        "--tool=memcheck",
        "--xml=yes",
        "--leak-check=full",
        "--show-leak-kinds=definite",
        "--errors-for-leak-kinds=definite",
        "--num-callers=40",
        "--child-silent-after-fork=yes",
    ])
    .arg(format!("--xml-file={}/memcheck.%p.xml", out.display()))
    .arg(format!(
        "--suppressions={}",
        root().join(SUPPRESSIONS).display()
    ))
    .arg(&env.python)
    .args([
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        VALGRIND_TESTS,
        "-k",
        VALGRIND_SELECTION,
    ])
    .env("PYTHONMALLOC", "malloc");
    let mut problems = Vec::new();
    if let Err(e) = util::run("pytest under valgrind memcheck", &mut cmd) {
        problems.push(format!("{e}\n    (a test failed under valgrind)"));
    }
    let mut errors: Vec<Error> = Vec::new();
    for entry in std::fs::read_dir(&out).into_iter().flatten().flatten() {
        let text = std::fs::read_to_string(entry.path())
            .map_err(|e| format!("{}: {e}", entry.path().display()))?;
        errors.extend(memcheck::parse_errors(&text));
    }
    let mut by_bridge: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut others = 0;
    for error in &errors {
        match memcheck::ours(error, &libraries) {
            Some((owners, frame)) => {
                let place = frame.place.clone().unwrap_or_else(|| frame.obj.clone());
                let line = format!("{}: {} in {} ({place})", error.kind, error.what, frame.func);
                for owner in owners {
                    by_bridge.entry(owner).or_default().push(line.clone());
                }
            }
            None => others += 1,
        }
    }
    step("check-memory: valgrind memcheck, per bridge");
    let built = built_libraries(env, "");
    for bridge in &plan.bridges {
        let found = by_bridge
            .get(&bridge.name)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let patterns = bridge.libraries();
        let absent = !patterns.is_empty()
            && !built.iter().any(|f| {
                let path = f.to_string_lossy();
                patterns.iter().any(|p| match_library(p, &path).is_some())
            });
        if absent {
            eprintln!(
                "    {:<16} not built for this interpreter (benches/bridges.toml [bridge.python])",
                bridge.name
            );
        } else if patterns.is_empty() {
            eprintln!(
                "    {:<16} no native library of its own: ran, nothing to count",
                bridge.name
            );
        } else if found.is_empty() {
            eprintln!("    {:<16} clean", bridge.name);
        } else {
            eprintln!(
                "    {:<16} {} error(s) in its code:",
                bridge.name,
                found.len()
            );
            for line in found {
                eprintln!("        {line}");
            }
            problems.push(format!(
                "valgrind: bridge `{}`: {} error(s) in its code, first: {} (XML in {})",
                bridge.name,
                found.len(),
                found[0],
                out.display()
            ));
        }
    }
    eprintln!(
        "    {others} error(s) outside the project's libraries (the interpreter, numpy, the \
         tools' prebuilt libraries; {SUPPRESSIONS} names the known ones): not counted"
    );
    Ok(problems)
}

/// valgrind must run the interpreter itself: a pyenv shim is a shell script, and memcheck
/// would watch the shell.
fn real_binary(python: &Path) -> Result<(), String> {
    let real = std::fs::canonicalize(python).map_err(|e| format!("{}: {e}", python.display()))?;
    let head = std::fs::read(&real).is_ok_and(|b| b.get(..4) == Some(b"\x7fELF"));
    if !head {
        return Err(format!(
            "{} (-> {}) is not an ELF binary (a pyenv shim?): valgrind must run the interpreter \
             itself; make the venv from the real interpreter (BRIDGEBENCH_PYTHON=$(python3 -c \
             'import sys; print(sys.executable)'))",
            python.display(),
            real.display()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reports_first_frame_in_the_project_is_named() {
        let report = "==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x1\n\
            WRITE of size 8 at 0x1 thread T0\n\
            \x20   #0 0x7f in scale_buffer(pybind11::buffer const&, double) /repo/cpp/bindings/pybind11/bb_pybind11.cpp:74\n\
            \x20   #1 0x7f in _PyEval_EvalFrameDefault Python/ceval.c:1\n";
        assert_eq!(
            first_frame_in(report, "/repo").as_deref(),
            Some(
                "scale_buffer(pybind11::buffer const&, double) at cpp/bindings/pybind11/bb_pybind11.cpp:74"
            )
        );
        assert_eq!(first_frame_in(report, "/elsewhere"), None);
    }
}
