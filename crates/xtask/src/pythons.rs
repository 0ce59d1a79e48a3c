//! `--python X.Y|all`: which CPython interpreters this machine has, found as a user would
//! look for them.
//!
//! `BRIDGEBENCH_PYTHONS` (interpreter paths, separated by `:` or `,`) names them outright;
//! otherwise `python3.X` on PATH, then pyenv's installed versions
//! (`$PYENV_ROOT/versions/*`, or `~/.pyenv/versions`). Each candidate is asked for its
//! version; one interpreter per minor version is kept (the first found), 3.10 and later,
//! with headers (the bridges compile against them) and `venv`.

use crate::util;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The oldest CPython bridgebench runs on (python/pyproject.toml `requires-python`).
pub const OLDEST: (u32, u32) = (3, 10);

/// One interpreter: its version and the binary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpreter {
    pub version: (u32, u32),
    pub path: PathBuf,
}

impl Interpreter {
    /// "3.12"
    pub fn name(&self) -> String {
        format!("{}.{}", self.version.0, self.version.1)
    }
}

/// What `--python` asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wanted {
    All,
    Version(u32, u32),
}

/// "all" or "3.12".
pub fn parse_wanted(text: &str) -> Result<Wanted, String> {
    if text == "all" {
        return Ok(Wanted::All);
    }
    let parsed = text
        .split_once('.')
        .and_then(|(major, minor)| Some((major.parse().ok()?, minor.parse().ok()?)));
    match parsed {
        Some(version) if version >= OLDEST => Ok(Wanted::Version(version.0, version.1)),
        Some(_) => Err(format!(
            "--python {text}: bridgebench runs on CPython {}.{} and later",
            OLDEST.0, OLDEST.1
        )),
        None => Err(format!("--python takes X.Y (e.g. 3.12) or all, not {text}")),
    }
}

/// A command's arguments split into its `--python X.Y|all` options (`--python=X.Y` too)
/// and the others, in their order.
pub fn take_python_options(args: &[String]) -> Result<(Vec<Wanted>, Vec<String>), String> {
    let mut wanted = Vec::new();
    let mut rest = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if let Some(value) = arg.strip_prefix("--python=") {
            wanted.push(parse_wanted(value)?);
        } else if arg == "--python" {
            let value = args.next().ok_or("--python needs X.Y or all")?;
            wanted.push(parse_wanted(value)?);
        } else {
            rest.push(arg.clone());
        }
    }
    Ok((wanted, rest))
}

/// The interpreters `wanted` names, in version order, each found once; an error says
/// where it looked when one is missing.
pub fn select(wanted: &[Wanted]) -> Result<Vec<Interpreter>, String> {
    let found = discover();
    let mut chosen: Vec<Interpreter> = Vec::new();
    for want in wanted {
        let matching: Vec<&Interpreter> = match want {
            Wanted::All => found.iter().collect(),
            Wanted::Version(major, minor) => found
                .iter()
                .filter(|i| i.version == (*major, *minor))
                .collect(),
        };
        if matching.is_empty() {
            let what = match want {
                Wanted::All => format!("no CPython {}.{}+", OLDEST.0, OLDEST.1),
                Wanted::Version(major, minor) => format!("no CPython {major}.{minor}"),
            };
            return Err(format!(
                "--python: {what} with headers and venv found (looked at BRIDGEBENCH_PYTHONS, \
                 python3.X on PATH, {}); install one (pyenv install 3.X, or apt install \
                 python3.X-dev python3.X-venv) or name it in BRIDGEBENCH_PYTHONS",
                pyenv_versions().display()
            ));
        }
        for interpreter in matching {
            if !chosen.contains(interpreter) {
                chosen.push(interpreter.clone());
            }
        }
    }
    chosen.sort_by_key(|i| i.version);
    Ok(chosen)
}

/// A `--python` run's outcome: an error naming the interpreters whose build, tests or
/// measurement failed (each said why as it went).
pub fn verdict(command: &str, failed: &[String]) -> Result<(), String> {
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{command} --python: CPython {} failed (see above)",
            failed.join(", ")
        ))
    }
}

/// Every usable interpreter, one per minor version.
pub fn discover() -> Vec<Interpreter> {
    let candidates = match std::env::var("BRIDGEBENCH_PYTHONS") {
        Ok(list) if !list.trim().is_empty() => list
            .split([':', ','])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .collect(),
        _ => default_candidates(),
    };
    let mut found: Vec<Interpreter> = Vec::new();
    for path in candidates {
        let Some(interpreter) = probe(&path) else {
            continue;
        };
        if interpreter.version >= OLDEST && !found.iter().any(|i| i.version == interpreter.version)
        {
            found.push(interpreter);
        }
    }
    found.sort_by_key(|i| i.version);
    found
}

fn default_candidates() -> Vec<PathBuf> {
    let mut candidates: Vec<PathBuf> = (OLDEST.1..=20)
        .map(|minor| PathBuf::from(format!("python3.{minor}")))
        .collect();
    let mut installed: Vec<PathBuf> = std::fs::read_dir(pyenv_versions())
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            // Release versions only ("3.12.1"), not "3.13t" or "miniforge3".
            let mut parts = name.split('.');
            let (major, minor) = (parts.next()?, parts.next()?);
            let plain = major == "3" && name.split('.').all(|p| p.parse::<u32>().is_ok());
            plain.then(|| entry.path().join(format!("bin/python{major}.{minor}")))
        })
        .collect();
    installed.sort();
    installed.reverse(); // the newest patch release of a minor version first
    candidates.extend(installed);
    candidates
}

/// Where pyenv keeps its versions.
fn pyenv_versions() -> PathBuf {
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".pyenv")))
        .unwrap_or_else(|| PathBuf::from(".pyenv"));
    root.join("versions")
}

/// The interpreter at `path`, if it runs, is CPython, has headers and venv: the real
/// binary (`sys.executable`), so a pyenv shim or a link is not what the venv is made from.
fn probe(path: &Path) -> Option<Interpreter> {
    const PROBE: &str = "import os, sys, sysconfig, importlib.util as u\n\
        ok = sys.implementation.name == 'cpython' \
        and os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')) \
        and u.find_spec('venv') is not None and u.find_spec('ensurepip') is not None\n\
        print(sys.version_info[0], sys.version_info[1], sys.executable if ok else '')";
    let out = util::output(Command::new(path).args(["-c", PROBE]))?;
    let mut fields = out.split_whitespace();
    let major = fields.next()?.parse().ok()?;
    let minor = fields.next()?.parse().ok()?;
    let executable = fields.next()?;
    Some(Interpreter {
        version: (major, minor),
        path: PathBuf::from(executable),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_options_are_taken_out_of_a_command_line() {
        let args: Vec<String> = [
            "--bridge",
            "pyo3",
            "--python",
            "3.12",
            "--python=all",
            "--save",
            "f",
        ]
        .map(String::from)
        .to_vec();
        let (wanted, rest) = take_python_options(&args).expect("valid");
        assert_eq!(wanted, vec![Wanted::Version(3, 12), Wanted::All]);
        assert_eq!(rest, ["--bridge", "pyo3", "--save", "f"]);
        assert!(take_python_options(&["--python".to_owned()]).is_err());
        assert!(take_python_options(&["--python=3.9".to_owned()]).is_err());
    }

    #[test]
    fn wanted_versions_are_parsed_and_old_ones_refused() {
        assert_eq!(parse_wanted("all"), Ok(Wanted::All));
        assert_eq!(parse_wanted("3.12"), Ok(Wanted::Version(3, 12)));
        assert!(
            parse_wanted("3.9")
                .expect_err("too old")
                .contains("3.10 and later")
        );
        assert!(
            parse_wanted("twelve")
                .expect_err("not a version")
                .contains("X.Y")
        );
    }

    #[test]
    fn the_running_machine_has_at_least_one_interpreter_and_each_once() {
        let found = discover();
        assert!(!found.is_empty(), "no CPython 3.10+ found");
        let mut versions: Vec<_> = found.iter().map(|i| i.version).collect();
        versions.dedup();
        assert_eq!(versions.len(), found.len());
        assert!(found.iter().all(|i| i.path.is_absolute()));
    }
}
