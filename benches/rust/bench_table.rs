//! The `[bench]` table of each kernel's spec (benches/kernels/<kernel>.toml): the sizes
//! and arguments both Rust-side runners (criterion's, benches/rust/common.rs, and the
//! count binary's, benches/rust/count_runner.rs) and the Python harness use, so every
//! side times and counts the same sweep.
//!
//! A small reader rather than a TOML parser: neither binary needs one otherwise. It
//! handles what those tables hold: one `key = value` per line, a value on one line, `#`
//! comments after it.

use std::path::PathBuf;

/// The repository root: both crates that build these modules sit in crates/<name>/.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether this is a quick (smoke) run: `BRIDGEBENCH_QUICK` set to anything but "" or "0".
pub fn quick() -> bool {
    std::env::var("BRIDGEBENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The raw value text of `key` in the `[bench]` table of benches/kernels/<kernel>.toml.
fn bench_value(kernel: &str, key: &str) -> Result<String, String> {
    let path = root().join(format!("benches/kernels/{kernel}.toml"));
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let mut in_bench = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bench = line == "[bench]";
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if in_bench && k.trim() == key {
            return Ok(v.trim().to_owned());
        }
    }
    Err(format!(
        "{}: no `{key}` in its [bench] table",
        path.display()
    ))
}

/// An integer array of the `[bench]` table, e.g. `sizes = [0, 1, 10]  # comment`.
fn int_list(kernel: &str, key: &str) -> Result<Vec<i64>, String> {
    let value = bench_value(kernel, key)?;
    let list = value
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .map(|(inside, _)| inside)
        .ok_or_else(|| format!("{kernel}.toml: [bench] {key} is not a one-line array"))?;
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.replace('_', "")
                .parse::<i64>()
                .map_err(|e| format!("{kernel}.toml: [bench] {key}: {item:?}: {e}"))
        })
        .collect()
}

/// The input sizes of a sequence kernel for this run: `quick_sizes` or `sizes`.
pub fn sweep(kernel: &str) -> Vec<usize> {
    let key = if quick() { "quick_sizes" } else { "sizes" };
    int_list(kernel, key)
        .and_then(|sizes| {
            sizes
                .into_iter()
                .map(|n| usize::try_from(n).map_err(|e| format!("{kernel}.toml: {key}: {e}")))
                .collect()
        })
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The two timed arguments of a scalar kernel: `[bench] args = [a, b]`.
pub fn int_pair(kernel: &str) -> (i64, i64) {
    match int_list(kernel, "args").as_deref() {
        Ok([a, b]) => (*a, *b),
        Ok(other) => panic!("{kernel}.toml: [bench] args must be two ints, got {other:?}"),
        Err(e) => panic!("{e}"),
    }
}

/// An integer of the `[bench]` table, e.g. `start = 0  # comment`.
pub fn int(kernel: &str, key: &str) -> i64 {
    let value = bench_value(kernel, key).unwrap_or_else(|e| panic!("{e}"));
    let number = value.split('#').next().unwrap_or_default().trim();
    number
        .replace('_', "")
        .parse()
        .unwrap_or_else(|e| panic!("{kernel}.toml: [bench] {key} = {value}: {e}"))
}

/// A basic string of the `[bench]` table, e.g. `pattern = "bridgebench "`.
pub fn string(kernel: &str, key: &str) -> String {
    let value = bench_value(kernel, key).unwrap_or_else(|e| panic!("{e}"));
    value
        .strip_prefix('"')
        .and_then(|rest| rest.split_once('"'))
        .map(|(inside, _)| inside.to_owned())
        .unwrap_or_else(|| panic!("{kernel}.toml: [bench] {key} is not a basic string: {value}"))
}
