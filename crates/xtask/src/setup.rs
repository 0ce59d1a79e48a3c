//! `cargo xtask setup`: system packages, the project venv, pinned Python packages.
//!
//! Everything is checked first and installed only when missing, so a second run is quick.

use crate::pythons::Interpreter;
use crate::util::{self, root, step};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A venv the other commands build into and run from: the project venv (.venv, the default
/// interpreter, cargo's target/), or one interpreter's of `--python X.Y`
/// (build/python-X.Y/venv, with its own CARGO_TARGET_DIR build/python-X.Y/target: nothing
/// of one version's build is reused by another's).
#[derive(Clone, Debug)]
pub struct Env {
    /// The venv folder.
    pub venv: PathBuf,
    /// <venv>/bin/python
    pub python: PathBuf,
    /// <venv>/bin, put first on PATH for cmake, ninja, swig and maturin.
    pub bin: PathBuf,
    /// CARGO_TARGET_DIR for every command, when not cargo's target/.
    pub target: Option<PathBuf>,
    /// The interpreter's version, "3.11".
    pub version: String,
}

impl Env {
    fn at(venv: PathBuf, target: Option<PathBuf>) -> Result<Self, String> {
        let python = venv.join("bin/python");
        let version = util::output(
            Command::new(&python).args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"]),
        )
        .ok_or_else(|| {
            format!(
                "cannot run {}: remove {} and run again",
                python.display(),
                venv.display()
            )
        })?;
        Ok(Env {
            bin: venv.join("bin"),
            python,
            venv,
            target,
            version,
        })
    }

    /// A command with the venv active (PATH and VIRTUAL_ENV), as maturin and cmake expect.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        let path = std::env::var("PATH").unwrap_or_default();
        cmd.env("PATH", format!("{}:{path}", self.bin.display()))
            .env("VIRTUAL_ENV", &self.venv)
            .env_remove("PYTHONHOME");
        match &self.target {
            Some(target) => cmd.env("CARGO_TARGET_DIR", target),
            None => cmd.env_remove("CARGO_TARGET_DIR"),
        };
        // `cargo run` (so `cargo xtask`) puts target/debug folders on LD_LIBRARY_PATH, which the
        // loader searches before a library's RUNPATH: the cffi extension would then load the
        // debug build of libc_abi.so and be timed with an unoptimized kernel. Drop those entries.
        match library_path_without_target() {
            Some(kept) if !kept.is_empty() => cmd.env("LD_LIBRARY_PATH", kept),
            Some(_) => cmd.env_remove("LD_LIBRARY_PATH"),
            None => &mut cmd,
        };
        cmd
    }
}

/// LD_LIBRARY_PATH without the entries inside this repository's target/ folder.
fn library_path_without_target() -> Option<String> {
    let current = std::env::var("LD_LIBRARY_PATH").ok()?;
    let target = root().join("target");
    let kept: Vec<&str> = current
        .split(':')
        .filter(|entry| !entry.is_empty() && !std::path::Path::new(entry).starts_with(&target))
        .collect();
    Some(kept.join(":"))
}

pub fn run() -> Result<Env, String> {
    step("setup: system packages (ci/system-packages.txt)");
    let base_python = std::env::var("BRIDGEBENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    system_packages(&base_python)?;
    step("setup: project venv (.venv) and pinned Python packages (python/requirements.txt)");
    let env = venv(&base_python, &root().join(".venv"), None)?;
    python_packages(&env, "python/requirements.txt")?;
    path_file(&env)?;
    Ok(env)
}

/// The venv of one interpreter of `--python` other than the default's: build/python-X.Y/
/// (venv and target), made on first use with the packages the bridges and the harness need
/// (python/requirements-run.txt).
pub fn for_interpreter(interpreter: &Interpreter) -> Result<Env, String> {
    own_venv(
        &interpreter.path.to_string_lossy(),
        &root().join(format!("build/python-{}", interpreter.name())),
        &format!("CPython {}", interpreter.name()),
    )
}

/// A venv of its own, `home`/venv made from `base_python`, with its own CARGO_TARGET_DIR
/// `home`/target and the packages the bridges and the harness need
/// (python/requirements-run.txt): what one interpreter of `--python` builds into, and
/// check-memory's sanitized builds.
pub fn own_venv(base_python: &str, home: &Path, what: &str) -> Result<Env, String> {
    step(&format!(
        "setup: {what} ({base_python}): venv {}/venv, pinned packages (python/requirements-run.txt)",
        home.display()
    ));
    let env = venv(base_python, &home.join("venv"), Some(home.join("target")))?;
    python_packages(&env, "python/requirements-run.txt")?;
    path_file(&env)?;
    Ok(env)
}

/// `default` (the project venv) when it runs `interpreter`'s version, else that
/// interpreter's own venv (`for_interpreter`).
pub fn for_interpreter_or(default: &Env, interpreter: &Interpreter) -> Result<Env, String> {
    if default.version == interpreter.name() {
        Ok(default.clone())
    } else {
        for_interpreter(interpreter)
    }
}

fn system_packages(base_python: &str) -> Result<(), String> {
    for tool in ["c++", "cargo"] {
        if util::output(Command::new(tool).arg("--version")).is_none() {
            return Err(format!(
                "`{tool}` is not on PATH: bridgebench needs Rust and a C++ compiler"
            ));
        }
    }
    let list = root().join("ci/system-packages.txt");
    let text = std::fs::read_to_string(&list)
        .map_err(|e| format!("{}: cannot read: {e}", list.display()))?;
    let mut wanted: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    wanted.extend(python_system_packages(base_python)?);

    if util::output(Command::new("dpkg-query").arg("--version")).is_none() {
        eprintln!(
            "    no dpkg-query: not Debian/Ubuntu; make sure these are installed: {wanted:?}"
        );
        return Ok(());
    }
    let missing: Vec<String> = wanted
        .into_iter()
        .filter(|p| {
            util::output(Command::new("dpkg-query").args(["-W", "-f=${Status}", p]))
                .is_none_or(|s| !s.ends_with("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        eprintln!("    all present");
        return Ok(());
    }
    let list = missing.join(" ");
    if util::output(Command::new("id").arg("-u")).as_deref() != Some("0") {
        return Err(format!(
            "missing system packages: {list}\n  install them with:\n    sudo apt-get update && sudo apt-get install -y --no-install-recommends {list}\n  then run this command again"
        ));
    }
    eprintln!("    installing with apt-get: {list}");
    util::run(
        "apt-get update",
        Command::new("apt-get").args(["update", "-qq"]),
    )?;
    util::run(
        "apt-get install",
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// Python 3.11+ with headers and venv support; Debian's own python3 needs packages for both.
fn python_system_packages(base_python: &str) -> Result<Vec<String>, String> {
    const PROBE: &str = "import sys, sysconfig, os, importlib.util as u\n\
        print(sys.version_info >= (3, 11))\n\
        print(os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))\n\
        print(u.find_spec('ensurepip') is not None)";
    let out = util::output(Command::new(base_python).args(["-c", PROBE])).ok_or_else(|| {
        format!("cannot run `{base_python}`: bridgebench needs Python 3.11+ (set BRIDGEBENCH_PYTHON to choose one)")
    })?;
    let flags: Vec<&str> = out.lines().collect();
    if flags.first() != Some(&"True") {
        return Err(format!(
            "`{base_python}` is older than Python 3.11; set BRIDGEBENCH_PYTHON to a 3.11+ interpreter"
        ));
    }
    let mut packages = Vec::new();
    if flags.get(1) != Some(&"True") {
        packages.push("python3-dev".to_string());
    }
    if flags.get(2) != Some(&"True") {
        packages.push("python3-venv".to_string());
    }
    Ok(packages)
}

fn venv(base_python: &str, dir: &Path, target: Option<PathBuf>) -> Result<Env, String> {
    if !dir.join("bin/python").exists() {
        util::run(
            &format!("creating the venv {}", dir.display()),
            Command::new(base_python).args(["-m", "venv"]).arg(dir),
        )?;
    }
    Env::at(dir.to_path_buf(), target)
}

fn python_packages(env: &Env, requirements: &str) -> Result<(), String> {
    let version = util::output(Command::new(&env.python).arg("--version")).unwrap_or_default();
    // Both files: requirements.txt includes requirements-run.txt.
    let files = [
        "python/requirements.txt".to_string(),
        "python/requirements-run.txt".to_string(),
    ];
    let hash = util::hash_inputs(&files, &format!("{version}{requirements}"))?;
    let stamp = stamp_dir(env)?.join("requirements");
    if std::fs::read_to_string(&stamp).ok() == Some(hash.to_string()) {
        eprintln!("    Python packages up to date");
        return Ok(());
    }
    util::run(
        "pip install -r python/requirements.txt",
        env.command(&env.python.to_string_lossy())
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(requirements),
    )
    .map_err(|e| {
        format!(
            "{e}\n  {requirements} pins versions that build and pass here for CPython {}; \
             see its comments",
            env.version
        )
    })?;
    std::fs::write(&stamp, hash.to_string()).map_err(|e| format!("{}: {e}", stamp.display()))
}

/// Put python/ on the venv's path (the `bridgebench` package is used in place, not installed).
fn path_file(env: &Env) -> Result<(), String> {
    let site = util::output(Command::new(&env.python).args([
        "-c",
        "import sysconfig; print(sysconfig.get_paths()['purelib'])",
    ]))
    .ok_or("cannot ask the venv's python for its site-packages folder")?;
    let pth = PathBuf::from(site).join("bridgebench.pth");
    let line = format!("{}\n", root().join("python").display());
    if std::fs::read_to_string(&pth).ok().as_deref() != Some(line.as_str()) {
        std::fs::write(&pth, line).map_err(|e| format!("{}: {e}", pth.display()))?;
    }
    Ok(())
}

/// Where build stamps live: inside the venv, so a new venv rebuilds everything.
pub fn stamp_dir(env: &Env) -> Result<PathBuf, String> {
    let dir = env.venv.join(".bridgebench-stamps");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}
