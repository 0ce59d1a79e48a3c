//! Running commands with progress, and hashing inputs for build stamps.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The repository root (this crate lives at crates/xtask).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

/// Print a step header: long work shows progress.
pub fn step(what: &str) {
    eprintln!("\n==> {what}");
}

/// Run a command from the repo root, inheriting stdio; an error names the command and `what`.
pub fn run(what: &str, cmd: &mut Command) -> Result<(), String> {
    let started = Instant::now();
    cmd.current_dir(root());
    let status = cmd
        .status()
        .map_err(|e| format!("{what}: cannot start {:?}: {e}", cmd.get_program()))?;
    if !status.success() {
        return Err(format!(
            "{what} failed ({status}) after {:.0} s.\n  command: {}",
            started.elapsed().as_secs_f64(),
            describe(cmd)
        ));
    }
    eprintln!("    done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Run a command and capture its stdout (for probes); None if it cannot run or fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.current_dir(root()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

pub fn describe(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.join(" ")
}

/// FNV-1a over the contents and relative paths of every file under `paths` (sorted), so a
/// build step reruns exactly when one of its inputs changed. Build outputs are skipped.
pub fn hash_inputs(paths: &[String], extra: &str) -> Result<u64, String> {
    let mut files = Vec::new();
    for p in paths {
        collect_files(&root().join(p), &mut files)?;
    }
    files.sort();
    let mut hash = Fnv::new();
    hash.write(extra.as_bytes());
    for file in files {
        let bytes =
            std::fs::read(&file).map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
        hash.write(
            file.strip_prefix(root())
                .unwrap_or(&file)
                .to_string_lossy()
                .as_bytes(),
        );
        hash.write(&bytes);
    }
    Ok(hash.0)
}

fn collect_files(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    const SKIP: &[&str] = &["build", "target", "__pycache__", "generated"];
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if name.starts_with('.') || SKIP.contains(&name.as_ref()) {
        return Ok(());
    }
    if path.is_dir() {
        let entries =
            std::fs::read_dir(path).map_err(|e| format!("{}: cannot list: {e}", path.display()))?;
        for entry in entries {
            collect_files(&entry.map_err(|e| e.to_string())?.path(), out)?;
        }
    } else if path.is_file() {
        out.push(path.to_path_buf());
    } else {
        return Err(format!(
            "{}: listed as a build input in benches/bridges.toml but missing",
            path.display()
        ));
    }
    Ok(())
}

struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x100_0000_01b3);
        }
        // Separate fields so ("ab", "c") and ("a", "bc") differ.
        self.0 ^= 0xff;
        self.0 = self.0.wrapping_mul(0x100_0000_01b3);
    }
}
