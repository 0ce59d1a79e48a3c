//! Settings and inputs shared by the Rust-side criterion benches.
//!
//! Sizes and arguments come from the `[bench]` table of each kernel's spec
//! (benches/kernels/<kernel>.toml), the same table the Python harness reads, so the two
//! sides always time the same sweep. `BRIDGEBENCH_QUICK=1` (set by
//! `cargo xtask bench --quick`) selects `quick_sizes` and shorter windows.
//!
//! Time budget, on 2 shared cores: a full run is 196 benches (every bridge x cell x size)
//! at 0.3 s warm-up + 0.8 s measurement, stretched by the samples retaken while the
//! machine is slow (`steady_iter`: about 2x when it is slow half the time), so about
//! 7 minutes; a quick run is 83 benches at 0.1 s + 0.3 s. Criterion's command line (e.g.
//! `--measurement-time`, `--sample-size`, `--quick`) still overrides these.

// Every bench includes this module and uses a different part of it.
#![allow(dead_code)]

use criterion::{Bencher, Criterion, SamplingMode};
use std::hint::black_box;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Whether this is a quick (smoke) run: `BRIDGEBENCH_QUICK` set to anything but "" or "0".
pub fn quick() -> bool {
    std::env::var("BRIDGEBENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0")
}

pub fn config() -> Criterion {
    // 20 samples: the Python side pools >= 20 samples per cell too.
    let (sample_size, warm_up, measurement) = if quick() {
        (10, Duration::from_millis(100), Duration::from_millis(300))
    } else {
        (20, Duration::from_millis(300), Duration::from_millis(800))
    };
    // 10 000 bootstrap resamples instead of 100 000: the analysis took about 0.4 s per
    // bench, a sixth of the run, for a CI that moves in the third digit.
    Criterion::default()
        .sample_size(sample_size)
        .warm_up_time(warm_up)
        .measurement_time(measurement)
        .nresamples(10_000)
}

/// The sampling mode every bench group uses: flat, so every sample is about as long
/// (measurement time / sample size) and rarely straddles a change of the machine's state.
pub const SAMPLING: SamplingMode = SamplingMode::Flat;

// ---------------------------------------------------------------- steady samples
//
// The same guard as the Python harness (python/bridgebench/harness/canary.py): the host
// slows this VM down by about 1.8x for stretches of 50 ms to seconds. A fixed canary
// workload runs just before and after every sample; a sample whose canary ran more than
// CANARY_TOLERANCE times slower than the fastest canary seen is taken again (at most
// MAX_ATTEMPTS times, then the last one is kept).

const CANARY_TOLERANCE: f64 = 1.3;
const MAX_ATTEMPTS: usize = 8;
const CANARY_CALIBRATION: Duration = Duration::from_millis(300);
static CANARY_BEST_NS: AtomicU64 = AtomicU64::new(u64::MAX);
static CALIBRATED: OnceLock<()> = OnceLock::new();

/// One run of the canary (about 30 us): a dependent integer chain the optimizer keeps.
fn canary_ns() -> u64 {
    let start = Instant::now();
    let mut acc = 0u64;
    for i in 0..20_000u64 {
        acc = black_box(acc.wrapping_mul(31).wrapping_add(i));
    }
    black_box(acc);
    let ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    CANARY_BEST_NS.fetch_min(ns, Ordering::Relaxed);
    ns
}

/// A warm canary (the second of two runs), judged against the fastest seen so far.
fn steady_now() -> bool {
    canary_ns();
    let ns = canary_ns();
    (ns as f64) <= CANARY_TOLERANCE * CANARY_BEST_NS.load(Ordering::Relaxed) as f64
}

/// Criterion's `b.iter(routine)`, with every sample taken in the machine's fast state.
pub fn steady_iter<O>(b: &mut Bencher<'_>, mut routine: impl FnMut() -> O) {
    CALIBRATED.get_or_init(|| {
        let start = Instant::now();
        while start.elapsed() < CANARY_CALIBRATION {
            canary_ns();
        }
    });
    b.iter_custom(|iters| {
        let mut elapsed = Duration::ZERO;
        for _ in 0..MAX_ATTEMPTS {
            let before = steady_now();
            let start = Instant::now();
            for _ in 0..iters {
                black_box(routine());
            }
            elapsed = start.elapsed();
            if before && steady_now() {
                break;
            }
        }
        elapsed
    });
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
