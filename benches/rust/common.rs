//! Settings and inputs shared by the Rust-side criterion benches.
//!
//! Sizes and arguments come from the `[bench]` table of each kernel's spec
//! (benches/kernels/<kernel>.toml), the same table the Python harness reads, so the two
//! sides always time the same sweep. `BRIDGEBENCH_QUICK=1` (set by
//! `cargo xtask bench --quick`) selects `quick_sizes` and shorter windows.
//!
//! Every bench goes through [`Group`], which names it the way the harness reads it back.
//!
//! Every row's samples are paired with the floor's (`rust_side::floor()`, the Rust kernel
//! called directly): each criterion sample of a row is taken right beside a sample of the
//! floor's call for the same cell and input, of as many iterations, the two in turn. This
//! VM switches between a fast and a 2x slower state for milliseconds to seconds at a
//! time; a pair met one state, and the ratio of its two samples cancels it. The floor's
//! samples go to `<criterion home>/floor-pairs/<cell>/<bridge>[/<n>].json`, where the
//! harness (python/bridgebench/criterion.py) reads them beside criterion's own.
//!
//! Time budget, on 2 shared cores: a full run is every bridge x cell x size of the table,
//! run in passes (`cargo xtask bench` runs every bench binary several times, one pass
//! after the other, and the harness pools their samples: several processes and moments
//! of the run), each at 15 ms warm-up + 30 ms measurement for 10 samples of the row (and
//! as long again for the floor's beside them); a quick run is one pass of the quick sizes
//! at 25 ms + 50 ms. Criterion's command line (e.g. `--measurement-time`, `--sample-size`)
//! still overrides the windows.

// Every bench includes this module and uses a different part of it.
#![allow(dead_code)]

use criterion::measurement::WallTime;
use criterion::{Bencher, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Whether this is a quick (smoke) run: `BRIDGEBENCH_QUICK` set to anything but "" or "0".
pub fn quick() -> bool {
    std::env::var("BRIDGEBENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0")
}

pub fn config() -> Criterion {
    // Per pass; 10 samples is criterion's minimum. A full run's passes pool 10 per pass:
    // many short passes spread a bench's samples over the run, as the Python side's
    // round-robin does (docs/METHODOLOGY.md).
    // The windows count the row's time only: pairing doubles the wall time.
    let (sample_size, warm_up, measurement) = if quick() {
        (10, Duration::from_millis(25), Duration::from_millis(50))
    } else {
        (10, Duration::from_millis(15), Duration::from_millis(30))
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
    cell: String,
}

impl<'a> Group<'a> {
    pub fn new(c: &'a mut Criterion, name: &str) -> Self {
        let mut inner = c.benchmark_group(name);
        // Flat sampling: every sample is about as long (measurement time / sample size),
        // so each weighs the same in the median the harness takes of them.
        inner.sampling_mode(SamplingMode::Flat);
        Group {
            inner,
            cell: name.to_owned(),
        }
    }

    pub fn throughput(&mut self, throughput: Throughput) {
        self.inner.throughput(throughput);
    }

    /// Time `routine` for `bridge` (at input size `size`, if the cell has sizes), each
    /// sample beside a sample of `floor`, the floor row's call for the same cell and input.
    /// The floor's own row is timed alone (its `floor` is not called).
    pub fn bench<P, O>(
        &mut self,
        bridge: &str,
        size: Option<usize>,
        mut floor: impl FnMut() -> P,
        mut routine: impl FnMut() -> O,
    ) {
        let paired = bridge != rust_side::floor().module;
        let mut pairs = Pairs::default();
        let timed = |b: &mut Bencher<'_>| {
            b.iter_custom(|iters| {
                if !paired {
                    return time(&mut routine, iters);
                }
                // Floor first in every other sample, so neither always meets the caches
                // the other left.
                let floor_first = pairs.iters.len() % 2 == 0;
                let before = if floor_first {
                    time(&mut floor, iters)
                } else {
                    time(&mut routine, iters)
                };
                let after = if floor_first {
                    time(&mut routine, iters)
                } else {
                    time(&mut floor, iters)
                };
                let (floor_ns, row) = if floor_first {
                    (before, after)
                } else {
                    (after, before)
                };
                pairs.push(iters, row, floor_ns);
                row
            })
        };
        match size {
            Some(n) => self
                .inner
                .bench_function(BenchmarkId::new(bridge, n), timed),
            None => self.inner.bench_function(bridge, timed),
        };
        if paired {
            pairs.write(&self.cell, bridge, size);
        }
    }

    pub fn finish(self) {
        self.inner.finish();
    }
}

/// `iters` calls of `routine` back to back, as criterion's own `Bencher::iter` times them.
fn time<O>(routine: &mut impl FnMut() -> O, iters: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        black_box(routine());
    }
    start.elapsed()
}

/// Every call criterion made of one paired bench (its warm-up, then one per sample): the
/// iterations, the row's time and the floor's time beside it.
#[derive(Default)]
struct Pairs {
    iters: Vec<u64>,
    row_ns: Vec<u128>,
    floor_ns: Vec<u128>,
}

impl Pairs {
    fn push(&mut self, iters: u64, row: Duration, floor: Duration) {
        self.iters.push(iters);
        self.row_ns.push(row.as_nanos());
        self.floor_ns.push(floor.as_nanos());
    }

    /// Writes `<criterion home>/floor-pairs/<cell>/<bridge>[/<n>].json`; the harness
    /// keeps the calls that match criterion's samples.
    fn write(&self, cell: &str, bridge: &str, size: Option<usize>) {
        let home = std::env::var_os("CRITERION_HOME")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| spec::repo_root().join("target/criterion"));
        let mut path = home.join("floor-pairs").join(cell).join(bridge);
        if let Some(n) = size {
            path = path.join(n.to_string());
        }
        path.set_extension("json");
        let list = |v: &[u128]| {
            let items: Vec<String> = v.iter().map(u128::to_string).collect();
            format!("[{}]", items.join(", "))
        };
        let iters: Vec<u128> = self.iters.iter().map(|&i| u128::from(i)).collect();
        let json = format!(
            "{{\"iters\": {}, \"row_ns\": {}, \"floor_ns\": {}}}\n",
            list(&iters),
            list(&self.row_ns),
            list(&self.floor_ns)
        );
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, json));
        if let Err(e) = written {
            panic!(
                "cannot write the floor's samples to {}: {e}",
                path.display()
            );
        }
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
