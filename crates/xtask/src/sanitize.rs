//! What `cargo xtask check-memory` reads from the registry (benches/bridges.toml): how each
//! [build.*] step is built with sanitizers ([sanitize], a step's `sanitize` kind), the
//! environment of the tests on those builds, and each Python-side bridge's native libraries
//! ([bridge.alone] `modules` and `loads`) and what of it runs uninstrumented ([bridge.memory]).

use crate::util::root;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

#[derive(Deserialize)]
struct Registry {
    bridge: Vec<Bridge>,
    build: BTreeMap<String, Step>,
    sanitize: Sanitize,
}

#[derive(Deserialize)]
struct Step {
    sanitize: Option<String>,
}

#[derive(Deserialize)]
struct Sanitize {
    env: BTreeMap<String, String>,
    run_env: BTreeMap<String, String>,
    kind: BTreeMap<String, Kind>,
}

#[derive(Deserialize)]
struct Kind {
    env: BTreeMap<String, String>,
    covers: String,
    needs: Option<String>,
}

#[derive(Deserialize)]
pub struct Bridge {
    pub name: String,
    side: String,
    pub build: Option<String>,
    alone: Option<Alone>,
    memory: Option<Memory>,
}

#[derive(Deserialize)]
struct Alone {
    #[serde(default)]
    modules: Vec<String>,
    #[serde(default)]
    loads: Vec<String>,
}

#[derive(Deserialize)]
struct Memory {
    uninstrumented: String,
}

impl Bridge {
    /// The file patterns of its native libraries, each matched against the end of a path
    /// (see `library_pattern`).
    pub fn libraries(&self) -> Vec<String> {
        self.alone
            .iter()
            .flat_map(|a| a.modules.iter().chain(&a.loads))
            .map(|glob| library_pattern(glob))
            .collect()
    }

    /// What of it runs without ASan's bounds checks, and why.
    pub fn uninstrumented(&self) -> Option<&str> {
        self.memory.as_ref().map(|m| m.uninstrumented.as_str())
    }
}

/// Everything check-memory needs from the registry, placeholders filled in.
pub struct Plan {
    /// build step -> the variables added to its commands
    pub step_env: BTreeMap<String, Vec<(String, String)>>,
    /// build step -> whether its kind's instrumentation applies (false: it needs a nightly
    /// toolchain this machine lacks)
    pub instrumented: BTreeMap<String, bool>,
    /// the tests' variables (`env` and `run_env`)
    pub run_env: Vec<(String, String)>,
    /// what each kind of step's instrumentation covers, or why it is skipped
    pub notes: Vec<String>,
    /// the Python-side bridges, in registry order
    pub bridges: Vec<Bridge>,
}

const REGISTRY: &str = "benches/bridges.toml";

/// The registry's plan for sanitized builds into `home`; `nightly`: whether a nightly Rust
/// toolchain is installed (kinds that need one are built as usual without it).
pub fn plan(home: &Path, nightly: bool) -> Result<Plan, String> {
    let path = root().join(REGISTRY);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let registry: Registry =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let vars = Placeholders::new(home);
    let expand_all = |table: &BTreeMap<String, String>| -> Result<Vec<(String, String)>, String> {
        table
            .iter()
            .map(|(k, v)| Ok((k.clone(), vars.expand(v)?)))
            .collect()
    };
    let common = expand_all(&registry.sanitize.env)?;
    let mut notes = Vec::new();
    let mut step_env = BTreeMap::new();
    let mut instrumented = BTreeMap::new();
    for (name, step) in &registry.build {
        let Some(kind_name) = &step.sanitize else {
            return Err(format!(
                "{REGISTRY}: [build.{name}] has no `sanitize`: name the [sanitize.kind.*] that \
                 instruments its output (check-memory builds every step)"
            ));
        };
        let kind = registry.sanitize.kind.get(kind_name).ok_or_else(|| {
            format!("{REGISTRY}: [build.{name}] sanitize = {kind_name:?} names no [sanitize.kind.{kind_name}]")
        })?;
        let mut env = common.clone();
        let skipped = match kind.needs.as_deref() {
            Some("nightly") if !nightly => true,
            Some("nightly") | None => false,
            Some(other) => {
                return Err(format!(
                    "{REGISTRY}: [sanitize.kind.{kind_name}] needs = {other:?}: only \"nightly\" is known"
                ));
            }
        };
        if skipped {
            notes.push(format!(
                "step `{name}`: NOT instrumented: {} needs a nightly Rust toolchain, and \
                 `rustup toolchain list` shows none (rustup toolchain install nightly); built as \
                 usual, its code runs with ASan watching only its heap blocks",
                kind.covers
            ));
        } else {
            env.extend(expand_all(&kind.env)?);
            notes.push(format!("step `{name}`: {}", kind.covers));
        }
        step_env.insert(name.clone(), env);
        instrumented.insert(name.clone(), !skipped);
    }
    let mut run_env = common;
    run_env.extend(expand_all(&registry.sanitize.run_env)?);
    let bridges = registry
        .bridge
        .into_iter()
        .filter(|b| b.side == "python")
        .collect();
    Ok(Plan {
        step_env,
        instrumented,
        run_env,
        notes,
        bridges,
    })
}

/// Whether `rustup toolchain list` names a nightly toolchain.
pub fn has_nightly(toolchains: &str) -> bool {
    toolchains
        .lines()
        .any(|line| line.trim_start().starts_with("nightly"))
}

/// The values of the registry's placeholders, each found when first used.
struct Placeholders {
    home: String,
}

impl Placeholders {
    fn new(home: &Path) -> Self {
        Placeholders {
            home: home.to_string_lossy().into_owned(),
        }
    }

    fn value(&self, name: &str) -> Result<String, String> {
        match name {
            "home" => Ok(self.home.clone()),
            "host" => {
                let out = crate::util::output(Command::new("rustc").arg("-vV"))
                    .ok_or("cannot run `rustc -vV` to find the host's target triple")?;
                host_triple(&out).ok_or_else(|| "`rustc -vV` printed no `host:` line".into())
            }
            "libasan" => gcc_library("libasan.so"),
            "libstdcxx" => gcc_library("libstdc++.so"),
            other => Err(format!(
                "{REGISTRY}: [sanitize] uses an unknown placeholder {{{other}}} (known: home, \
                 host, libasan, libstdcxx)"
            )),
        }
    }

    fn expand(&self, text: &str) -> Result<String, String> {
        expand(text, &|name| self.value(name))
    }
}

/// `text` with each `{name}` replaced by `value(name)`.
fn expand(text: &str, value: &dyn Fn(&str) -> Result<String, String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("{REGISTRY}: [sanitize]: unclosed {{ in {text:?}"))?;
        out.push_str(&rest[..open]);
        out.push_str(&value(&rest[open + 1..open + close])?);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn host_triple(rustc_vv: &str) -> Option<String> {
    rustc_vv
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(|h| h.trim().to_string())
}

/// gcc's copy of a runtime library (the sanitizers' runtime is gcc's: the C++ bindings are
/// compiled by it, and rustc's ASan build leaves its symbols to be found at load time).
fn gcc_library(name: &str) -> Result<String, String> {
    let found = crate::util::output(Command::new("gcc").arg(format!("-print-file-name={name}")))
        .unwrap_or_default();
    // gcc prints the bare name back when it has no such file.
    if found.starts_with('/') && Path::new(&found).exists() {
        Ok(found)
    } else {
        Err(format!(
            "gcc has no {name}: check-memory needs gcc's sanitizer runtime (Debian: apt-get \
             install gcc g++, which bring libasan and libubsan)"
        ))
    }
}

/// A [bridge.alone] glob as a pattern for the end of a path: the part after its last
/// `**/` ("wheel/**/bb_pybind11*.so" -> "bb_pybind11*.so"), else its file name
/// ("target/release/libc_abi.so" -> "libc_abi.so"): where the file was built differs
/// between a scratch build, the venv and the target folder, its name does not.
pub fn library_pattern(glob: &str) -> String {
    match glob.rfind("**/") {
        Some(i) => glob[i + 3..].to_string(),
        None => glob.rsplit('/').next().unwrap_or(glob).to_string(),
    }
}

/// How well `pattern` (from `library_pattern`) matches the end of `path`, or None: the
/// higher, the more specific (more path components, then more literal characters:
/// "bb_pyo3_abi3*.so" before "bb_pyo3*.so" for bb_pyo3_abi3.abi3.so).
pub fn match_library(pattern: &str, path: &str) -> Option<usize> {
    let wanted: Vec<&str> = pattern.split('/').collect();
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() < wanted.len() {
        return None;
    }
    let tail = &parts[parts.len() - wanted.len()..];
    wanted
        .iter()
        .zip(tail)
        .all(|(w, p)| glob_match(w, p))
        .then(|| wanted.len() * 1000 + pattern.chars().filter(|c| !"*?/".contains(*c)).count())
}

/// Shell-style match of `*` (any run of characters) and `?` (one character).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_refused() {
        let value = |name: &str| match name {
            "home" => Ok("/h".to_string()),
            other => Err(format!("unknown {other}")),
        };
        assert_eq!(
            expand("{home}/cmake;-DX={home}", &value),
            Ok("/h/cmake;-DX=/h".into())
        );
        assert_eq!(expand("no braces", &value), Ok("no braces".into()));
        assert!(expand("{nope}", &value).is_err());
        assert!(expand("{home", &value).is_err());
    }

    #[test]
    fn library_patterns_keep_what_names_the_file() {
        assert_eq!(
            library_pattern("wheel/**/bb_pybind11*.so"),
            "bb_pybind11*.so"
        );
        assert_eq!(
            library_pattern("wheel/**/bb_nanobind_stable/bb_nanobind*.so"),
            "bb_nanobind_stable/bb_nanobind*.so"
        );
        assert_eq!(library_pattern("target/release/libc_abi.so"), "libc_abi.so");
        assert_eq!(library_pattern("module/_bb_cffi*.so"), "_bb_cffi*.so");
    }

    #[test]
    fn the_most_specific_library_pattern_wins() {
        let stable = "/v/site-packages/bb_nanobind_stable/bb_nanobind.abi3.so";
        let plain = "/v/site-packages/bb_nanobind.cpython-311-x86_64-linux-gnu.so";
        let one = match_library("bb_nanobind*.so", stable);
        let two = match_library("bb_nanobind_stable/bb_nanobind*.so", stable);
        assert!(one.is_some() && two > one);
        assert_eq!(
            match_library("bb_nanobind_stable/bb_nanobind*.so", plain),
            None
        );
        let abi3 = "/v/bb_pyo3_abi3/bb_pyo3_abi3.abi3.so";
        assert!(match_library("bb_pyo3_abi3*.so", abi3) > match_library("bb_pyo3*.so", abi3));
        assert!(match_library("bb_pyo3*.so", abi3).is_some());
        assert!(match_library("libc_abi.so", "/t/release/libc_abi.so").is_some());
        assert_eq!(
            match_library("libc_abi.so", "/t/release/libc_abi.so.1"),
            None
        );
    }

    #[test]
    fn globs_match_like_the_shell() {
        assert!(glob_match("bb_*.so", "bb_pyo3.cpython-311.so"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(!glob_match("bb_*.so", "bb_pyo3.so.1"));
        assert!(glob_match("*libpython*", "/usr/lib/libpython3.11.so.1.0"));
    }

    #[test]
    fn nightly_is_found_in_rustups_list() {
        assert!(has_nightly(
            "stable-x86_64-unknown-linux-gnu (default)\nnightly-x86_64-unknown-linux-gnu\n"
        ));
        assert!(!has_nightly("stable-x86_64-unknown-linux-gnu (default)\n"));
    }

    #[test]
    fn the_registry_gives_every_step_a_sanitizer_kind() {
        let home = Path::new("/tmp/check-memory-test");
        for nightly in [true, false] {
            let plan = match plan(home, nightly) {
                Ok(plan) => plan,
                Err(e) => panic!("{e}"),
            };
            assert!(plan.step_env.contains_key("cpp-bindings"));
            let rust = &plan.step_env["pyo3"];
            let instrumented = rust
                .iter()
                .any(|(k, v)| k == "RUSTFLAGS" && v.contains("sanitizer"));
            assert_eq!(instrumented, nightly);
            assert!(plan.run_env.iter().any(|(k, _)| k == "LD_PRELOAD"));
        }
    }

    #[test]
    fn the_host_triple_is_read_from_rustc() {
        assert_eq!(
            host_triple("rustc 1.95.0\nhost: x86_64-unknown-linux-gnu\nrelease: 1.95.0\n"),
            Some("x86_64-unknown-linux-gnu".into())
        );
    }
}
