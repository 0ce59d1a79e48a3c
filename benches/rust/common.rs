//! The timing runner: criterion, for the Rust-side bench modules (benches/rust/<kernel>.rs).
//!
//! A bench module sees only what this module and the count binary's runner
//! (benches/rust/count_runner.rs) both provide: `Runner`, `Group`, `Throughput`, the
//! sizes and arguments of its kernel's `[bench]` table (benches/rust/bench_table.rs), and
//! the `benches!` macro that registers its functions. So one module per kernel is both
//! timed and counted. `BRIDGEBENCH_QUICK=1` (set by `cargo xtask bench --quick`) selects
//! `quick_sizes` and shorter windows.
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
//! run in passes (`cargo xtask bench` runs the bench binary several times, one pass
//! after the other, and the harness pools their samples: several processes and moments
//! of the run), each at 15 ms warm-up + 30 ms measurement for 10 samples of the row (and
//! as long again for the floor's beside them); a quick run is one pass of the quick sizes
//! at 25 ms + 50 ms. Criterion's command line (e.g. `--measurement-time`, `--sample-size`)
//! still overrides the windows.

use criterion::measurement::WallTime;
use criterion::{Bencher, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode};
use std::hint::black_box;
use std::time::{Duration, Instant};

pub use crate::bench_table::{int, int_pair, string};
pub use criterion::Throughput;

/// What a bench module's functions take: here, criterion.
pub type Runner = Criterion;

/// Registers a bench module's functions as its criterion group `benches`.
macro_rules! benches {
    ($($target:path),+ $(,)?) => {
        criterion::criterion_group! {
            name = benches;
            config = $crate::common::config();
            targets = $($target),+
        }
    };
}
pub(crate) use benches;

/// The input sizes of a sequence kernel for this run: `quick_sizes` or `sizes`.
pub fn sizes(kernel: &str) -> Vec<usize> {
    crate::bench_table::sweep(kernel)
}

pub fn config() -> Criterion {
    // Per pass; 10 samples is criterion's minimum. A full run's passes pool 10 per pass:
    // many short passes spread a bench's samples over the run, as the Python side's
    // round-robin does (docs/METHODOLOGY.md).
    // The windows count the row's time only: pairing doubles the wall time.
    let (sample_size, warm_up, measurement) = if crate::bench_table::quick() {
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
            .unwrap_or_else(|| crate::bench_table::root().join("target/criterion"));
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
