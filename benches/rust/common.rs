//! Settings and inputs shared by the Rust-side criterion benches.
//!
//! Sizes and arguments come from the `[bench]` table of each kernel's spec
//! (benches/kernels/<kernel>.toml), the same table the Python harness reads, so the two
//! sides always time the same sweep. `BRIDGEBENCH_QUICK=1` (set by
//! `cargo xtask bench --quick`) selects `quick_sizes` and shorter windows.
//!
//! Time budget, on 2 shared cores: a full run is 196 benches (every bridge x cell x size)
//! at 0.5 s warm-up + 1.5 s measurement + analysis, 2.4 s each measured (holder: 48
//! benches in 116 s), so about 8 minutes; a quick run is 83 benches at 0.2 s + 0.5 s
//! (holder: 18 in 16 s), about 75 s. Criterion's command line (e.g.
//! `--measurement-time`, `--sample-size`, `--quick`) still overrides these.

// Every bench includes this module and uses a different part of it.
#![allow(dead_code)]

use criterion::Criterion;
use std::time::Duration;

/// Whether this is a quick (smoke) run: `BRIDGEBENCH_QUICK` set to anything but "" or "0".
pub fn quick() -> bool {
    std::env::var("BRIDGEBENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0")
}

pub fn config() -> Criterion {
    // 20 samples: the Python side pools >= 20 samples per cell too.
    let (sample_size, warm_up, measurement) = if quick() {
        (10, Duration::from_millis(200), Duration::from_millis(500))
    } else {
        (20, Duration::from_millis(500), Duration::from_millis(1500))
    };
    Criterion::default()
        .sample_size(sample_size)
        .warm_up_time(warm_up)
        .measurement_time(measurement)
}

/// The raw value text of `key` in the `[bench]` table of benches/kernels/<kernel>.toml.
///
/// A small reader rather than a TOML parser: the `spec` crate does not expose `[bench]`
/// and this crate has no TOML dependency. It handles what those tables hold: one
/// `key = value` per line, a value on one line, `#` comments after it.
fn bench_value(kernel: &str, key: &str) -> Result<String, String> {
    let path = spec::repo_root().join(format!("benches/kernels/{kernel}.toml"));
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
pub fn sizes(kernel: &str) -> Vec<usize> {
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

/// A basic string of the `[bench]` table, e.g. `pattern = "bridgebench "`.
pub fn string(kernel: &str, key: &str) -> String {
    let value = bench_value(kernel, key).unwrap_or_else(|e| panic!("{e}"));
    value
        .strip_prefix('"')
        .and_then(|rest| rest.split_once('"'))
        .map(|(inside, _)| inside.to_owned())
        .unwrap_or_else(|| panic!("{kernel}.toml: [bench] {key} is not a basic string: {value}"))
}
