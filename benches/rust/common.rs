//! Settings and inputs shared by the Rust-side criterion benches.
//!
//! Sizes and arguments come from the `[bench]` table of each kernel's spec
//! (benches/kernels/<kernel>.toml), the same table the Python harness reads, so the two
//! sides always time the same sweep. `BRIDGEBENCH_QUICK=1` (set by
//! `cargo xtask bench --quick`) selects `quick_sizes` and shorter windows.
//!
//! Every bench goes through [`Group`], which probes a canary between the chunks of every
//! sample and logs it for the harness to scale the sample by afterwards.
//!
//! Time budget, on 2 shared cores: a full run is 196 benches (every bridge x cell x size),
//! run in passes (`cargo xtask bench` runs every bench binary several times, one pass
//! after the other, and the harness pools their samples: several processes and moments
//! of the run), each at 50 ms warm-up + 100 ms measurement for 10 samples; a quick run is
//! one pass of 83 benches at 0.1 s + 0.3 s. Criterion's command line (e.g.
//! `--measurement-time`, `--sample-size`) still overrides the windows.

// Every bench includes this module and uses a different part of it.
#![allow(dead_code)]

use criterion::measurement::WallTime;
use criterion::{Bencher, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Whether this is a quick (smoke) run: `BRIDGEBENCH_QUICK` set to anything but "" or "0".
pub fn quick() -> bool {
    std::env::var("BRIDGEBENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0")
}

pub fn config() -> Criterion {
    // Per pass; 10 samples is criterion's minimum. A full run's passes pool 10 per pass:
    // many short passes spread a bench's samples over the run, as the Python side's
    // round-robin does (docs/METHODOLOGY.md).
    let (sample_size, warm_up, measurement) = if quick() {
        (10, Duration::from_millis(100), Duration::from_millis(300))
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

// ---------------------------------------------------------------- the canary
//
// The same idea as the Python harness (python/bridgebench/harness/canary.py): the host
// changes this VM's speed by 1.3-2x, within milliseconds and for stretches of minutes.
// So a fixed canary workload is probed between the chunks of every sample, and every
// sample's canary (the mean of its probes) is logged
// (<criterion home>/bridgebench-canary/<group>.jsonl). The harness
// (python/bridgebench/criterion.py) brings each sample to a fixed machine speed along the
// bench's own elasticity. Criterion cannot rescale a sample itself.
//
// The canary must slow down when the machine does. Measured here, side by side with
// bench-like workloads over 30 s: a dependent integer chain and a branchy table lookup
// hardly moved (90th percentile 1.24x their fastest) while the workloads ran 1.3-2x
// slower; filling and sorting 2000 pseudo-random u32 moved with them (correlation
// 0.5-0.6 with the workloads, 1.3-1.8x in the slow stretches).
//
// Until 2026-12-03 the guard waited for the fast state instead and the harness kept only
// samples taken in it; on a day when the fast state is rare that keeps slow samples from
// whatever moments came closest, and three passes agreed pairwise within 5 % for 16-33 %
// of the benches judged that way, 30-40 % scaled by the canary (docs/METHODOLOGY.md).

const CANARY_CALIBRATION: Duration = Duration::from_millis(300);

/// One run of the canary (about 20 us in the fast state): fill 2000 u32 from a xorshift
/// generator and sort them. Branch mispredictions and L1 traffic, like the benches.
fn canary_ns(buf: &mut [u32; 2000]) -> u64 {
    let start = Instant::now();
    let mut x: u32 = 0x9E37_79B9;
    for v in buf.iter_mut() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *v = x;
    }
    black_box(&mut *buf).sort_unstable();
    black_box(buf[buf.len() / 2]);
    u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// The canary's buffer, cache-line aligned: the harness compares canaries across the
/// processes of one bench binary, which must not differ by where the heap put it.
#[repr(align(64))]
struct CanaryBuf([u32; 2000]);

/// The canary's state in this process: its buffer and the fastest warm run seen.
struct Canary {
    buf: Box<CanaryBuf>,
    best_ns: u64,
}

impl Canary {
    fn new() -> Self {
        let mut canary = Canary {
            buf: Box::new(CanaryBuf([0; 2000])),
            best_ns: u64::MAX,
        };
        let start = Instant::now();
        while start.elapsed() < CANARY_CALIBRATION {
            canary.probe();
        }
        canary
    }

    /// A warm canary (the second of two runs); lowers the reference when faster.
    fn probe(&mut self) -> u64 {
        canary_ns(&mut self.buf.0);
        let ns = canary_ns(&mut self.buf.0);
        self.best_ns = self.best_ns.min(ns);
        ns
    }
}

/// One call of the timing closure: a warm-up call or a sample, with its canary.
struct Taken {
    iters: u64,
    ns: u64,
    /// The mean over the sample's chunks of the probes either side of each.
    canary_ns: u64,
}

/// What the guard keeps between criterion's calls of one bench's closure.
struct Guard {
    canary: Canary,
    taken: Vec<Taken>,
}

static GUARD: Mutex<Option<Guard>> = Mutex::new(None);

fn guard() -> MutexGuard<'static, Option<Guard>> {
    // A panic in a routine poisons the lock; the log it guards is still whole.
    GUARD.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Canary probes inside one sample: its iterations run in this many chunks, with a probe
/// before each and after the last. The machine's state changes within milliseconds, and
/// a probe on each side of a sample misses what happened during it (the Python side
/// measured it: python/bridgebench/harness/timing.py, CHUNKS).
const CHUNKS: u64 = 8;

/// Criterion's `b.iter(routine)`, with canary probes between the chunks of every call,
/// logged. Criterion gets the sum of the chunks' times: the probes are not timed.
fn canary_iter<O>(b: &mut Bencher<'_>, routine: &mut impl FnMut() -> O) {
    b.iter_custom(|iters| {
        let mut slot = guard();
        let g = slot.as_mut().expect("canary_iter runs inside Group::bench");
        let chunks = iters.clamp(1, CHUNKS);
        let first = g.canary.probe();
        let (mut sum, mut last) = (first, first);
        let mut elapsed = Duration::ZERO;
        for k in 0..chunks {
            let calls = iters / chunks + u64::from(k < iters % chunks);
            let start = Instant::now();
            for _ in 0..calls {
                black_box(routine());
            }
            elapsed += start.elapsed();
            last = g.canary.probe();
            sum += last;
        }
        // Each chunk's canary is the mean of the probes either side of it.
        let canary_ns = (2 * sum - first - last) / (2 * chunks);
        g.taken.push(Taken {
            iters,
            ns: u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX),
            canary_ns,
        });
        elapsed
    });
}

/// A criterion benchmark group whose benches all log their samples' canaries.
///
/// Names are what the harness reads back: group = the cell, function = the bridge's key
/// in `rust_side::BRIDGES`, parameter = the input size where there is one
///   -> target/criterion/pass-<k>/<cell>/<bridge>[/<n>]/new/estimates.json
pub struct Group<'a> {
    name: String,
    inner: BenchmarkGroup<'a, WallTime>,
    log: Option<std::fs::File>,
}

/// Where the guard's logs go: beside criterion's own output.
fn canary_log_dir() -> PathBuf {
    let criterion = match std::env::var_os("CRITERION_HOME") {
        Some(home) => PathBuf::from(home),
        None => std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| spec::repo_root().join("target"))
            .join("criterion"),
    };
    criterion.join("bridgebench-canary")
}

impl<'a> Group<'a> {
    pub fn new(c: &'a mut Criterion, name: &str) -> Self {
        let mut inner = c.benchmark_group(name);
        // Flat sampling: every sample is about as long (measurement time / sample size)
        // and rarely straddles a change of the machine's state.
        inner.sampling_mode(SamplingMode::Flat);
        let dir = canary_log_dir();
        let path = dir.join(format!("{name}.jsonl"));
        // Without its log a bench is still timed; the harness then reports the cell
        // as an error naming the fix instead of folding in samples of unknown state.
        let log = std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::File::create(&path))
            .map_err(|e| {
                eprintln!(
                    "warning: {}: cannot write the canary log: {e}",
                    path.display()
                )
            })
            .ok();
        let mut slot = guard();
        if slot.is_none() {
            *slot = Some(Guard {
                canary: Canary::new(),
                taken: Vec::new(),
            });
        }
        Group {
            name: name.to_owned(),
            inner,
            log,
        }
    }

    pub fn throughput(&mut self, throughput: Throughput) {
        self.inner.throughput(throughput);
    }

    /// Time `routine` for `bridge` (at input size `size`, if the cell has sizes).
    pub fn bench<O>(&mut self, bridge: &str, size: Option<usize>, mut routine: impl FnMut() -> O) {
        if let Some(g) = guard().as_mut() {
            g.taken.clear();
        }
        let timed = |b: &mut Bencher<'_>| canary_iter(b, &mut routine);
        match size {
            Some(n) => self
                .inner
                .bench_function(BenchmarkId::new(bridge, n), timed),
            None => self.inner.bench_function(bridge, timed),
        };
        self.log_samples(bridge, size);
    }

    /// One JSON line per bench: every call criterion made (warm-up and samples), each
    /// with its canary, and the fastest canary this process has seen so far. `binary`
    /// (the bench target) tells the harness which processes ran the same canary code.
    fn log_samples(&mut self, bridge: &str, size: Option<usize>) {
        let taken = guard()
            .as_mut()
            .map(|g| (std::mem::take(&mut g.taken), g.canary.best_ns));
        let (Some(file), Some((taken, best_ns))) = (self.log.as_mut(), taken) else {
            return;
        };
        let taken: Vec<String> = taken
            .iter()
            .map(|t| format!("[{},{},{}]", t.iters, t.ns, t.canary_ns))
            .collect();
        let size = size.map_or("null".to_owned(), |n| n.to_string());
        let line = format!(
            "{{\"group\":{},\"function\":{},\"size\":{size},\"binary\":{},\"process\":{},\"best_canary_ns\":{},\"taken\":[{}]}}",
            json_string(&self.name),
            json_string(bridge),
            json_string(env!("CARGO_CRATE_NAME")),
            std::process::id(),
            best_ns,
            taken.join(",")
        );
        if let Err(e) = writeln!(file, "{line}") {
            eprintln!("warning: canary log of {}: {e}", self.name);
        }
    }

    pub fn finish(self) {
        self.inner.finish();
    }
}

/// A JSON string literal (the names here are plain ASCII identifiers and sizes).
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
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
