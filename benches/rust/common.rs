//! Settings and inputs shared by the Rust-side criterion benches.
//!
//! Sizes and arguments come from the `[bench]` table of each kernel's spec
//! (benches/kernels/<kernel>.toml), the same table the Python harness reads, so the two
//! sides always time the same sweep. `BRIDGEBENCH_QUICK=1` (set by
//! `cargo xtask bench --quick`) selects `quick_sizes` and shorter windows.
//!
//! Every bench goes through [`Group`], which names it the way the harness reads it back.
//!
//! Time budget, on 2 shared cores: a full run is 196 benches (every bridge x cell x size),
//! run in passes (`cargo xtask bench` runs every bench binary several times, one pass
//! after the other, and the harness pools their samples: several processes and moments
//! of the run), each at 30 ms warm-up + 60 ms measurement for 10 samples; a quick run is
//! one pass of 83 benches at 50 ms + 100 ms. Criterion's command line (e.g.
//! `--measurement-time`, `--sample-size`) still overrides the windows.

// Every bench includes this module and uses a different part of it.
#![allow(dead_code)]

use criterion::measurement::WallTime;
use criterion::{Bencher, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
use std::time::Duration;

/// Whether this is a quick (smoke) run: `BRIDGEBENCH_QUICK` set to anything but "" or "0".
pub fn quick() -> bool {
    std::env::var("BRIDGEBENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0")
}

pub fn config() -> Criterion {
    // Per pass; 10 samples is criterion's minimum. A full run's passes pool 10 per pass:
    // many short passes spread a bench's samples over the run, as the Python side's
    // round-robin does (docs/METHODOLOGY.md).
    let (sample_size, warm_up, measurement) = if quick() {
        (10, Duration::from_millis(50), Duration::from_millis(100))
    } else {
        (10, Duration::from_millis(30), Duration::from_millis(60))
    };
    // 10 000 bootstrap resamples instead of 100 000: the analysis took about 0.4 s per
    // bench, a sixth of the run, for a CI that moves in the third digit.
    Criterion::default()
        .sample_size(sample_size)
        .warm_up_time(warm_up)
        .measurement_time(measurement)
        .nresamples(10_000)
}

/// A criterion benchmark group with the names the harness reads back: group = the cell,
/// function = the bridge's key in `rust_side::BRIDGES`, parameter = the input size where
/// there is one -> target/criterion/pass-<k>/<cell>/<bridge>[/<n>]/new/sample.json
pub struct Group<'a> {
    inner: BenchmarkGroup<'a, WallTime>,
}

impl<'a> Group<'a> {
    pub fn new(c: &'a mut Criterion, name: &str) -> Self {
        let mut inner = c.benchmark_group(name);
        // Flat sampling: every sample is about as long (measurement time / sample size),
        // so each weighs the same in the median the harness takes of them.
        inner.sampling_mode(SamplingMode::Flat);
        Group { inner }
    }

    pub fn throughput(&mut self, throughput: Throughput) {
        self.inner.throughput(throughput);
    }

    /// Time `routine` for `bridge` (at input size `size`, if the cell has sizes).
    pub fn bench<O>(&mut self, bridge: &str, size: Option<usize>, mut routine: impl FnMut() -> O) {
        let timed = |b: &mut Bencher<'_>| b.iter(&mut routine);
        match size {
            Some(n) => self
                .inner
                .bench_function(BenchmarkId::new(bridge, n), timed),
            None => self.inner.bench_function(bridge, timed),
        };
    }

    pub fn finish(self) {
        self.inner.finish();
    }
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
