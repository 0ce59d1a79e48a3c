//! Counting a Rust-side row's calls: the Rust half of the count runner
//! (python/bridgebench/harness/counts.py), so both sides are counted one way.
//!
//! The count binary (`rust-counts`, benches/rust/count.rs) runs the same bench modules
//! as criterion's binary (benches/rust/<kernel>.rs), through a `Group` that counts
//! instead of timing. The runner sets the plan in the environment (`BRIDGEBENCH_COUNT`
//! = `allocs` or `instructions`, and the rest below), and reads what this prints on
//! stdout: one JSON line per cell and size, the records of
//! python/bridgebench/harness/count_messages.py. As on the Python side, every figure is a
//! difference of two loops of N1 and N2 = 2·N1 calls, after a warm-up of N1 calls, so
//! start-up, warm-up and reading the counters cancel (docs/COUNTS.md).
//!
//! The counters are those of `libmeasure_hooks.so` (crates/measure-hooks), loaded by the
//! path in `BRIDGEBENCH_MEASURE_HOOKS`: its interposed malloc counts every heap block of
//! the process (Rust's allocator and C++'s `operator new` both end in malloc) when the
//! runner preloads it, and its callgrind client requests delimit the counted loops when
//! the runner starts the binary under callgrind.

use std::ffi::{CString, c_char, c_int, c_void};
use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What is counted, from the environment; `None` when the binary times (no
/// `BRIDGEBENCH_COUNT`).
pub struct Plan {
    kind: Kind,
    bridge: String,
    cells: Option<Vec<String>>,
    sizes: Option<Vec<usize>>,
    max_size: Option<usize>,
    loops: LoopRule,
    hooks: Hooks,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Allocs,
    Instructions,
}

/// N1 calls for an input of `n` elements: `budget / n`, clamped to `[min, max]`
/// (count_plan.loops on the Python side; the runner passes its constants and checks
/// every record's loops against its own rule).
#[derive(Clone, Copy)]
struct LoopRule {
    budget: usize,
    max: usize,
    min: usize,
}

impl LoopRule {
    fn loops(&self, size: Option<usize>) -> (u64, u64) {
        let n = size.unwrap_or(1).max(1);
        let n1 = (self.budget / n).clamp(self.min, self.max) as u64;
        (n1, 2 * n1)
    }
}

/// Reads `name` of the environment: `None` when unset.
fn var(name: &str) -> Result<Option<String>, String> {
    match std::env::var(name) {
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(e) => Err(format!("{name}: {e}")),
    }
}

fn numbers(name: &str, text: &str) -> Result<Vec<usize>, String> {
    text.split(',')
        .map(|item| {
            item.trim()
                .parse()
                .map_err(|e| format!("{name}={text:?}: {item:?}: {e}"))
        })
        .collect()
}

impl Plan {
    /// The plan the runner set, or `None` when this run times. On a plan that cannot be
    /// followed, tells the runner (a `Failed` record) and exits with status 2.
    pub fn from_env() -> Option<Plan> {
        match Self::read() {
            Ok(plan) => plan,
            Err(error) => fail(&error),
        }
    }

    fn read() -> Result<Option<Plan>, String> {
        let kind = match var("BRIDGEBENCH_COUNT")?.as_deref() {
            None | Some("") => return Ok(None),
            Some("allocs") => Kind::Allocs,
            Some("instructions") => Kind::Instructions,
            Some(other) => {
                return Err(format!(
                    "BRIDGEBENCH_COUNT={other:?}: expected allocs or instructions"
                ));
            }
        };
        let required = |name: &str| {
            var(name)?.ok_or_else(|| format!("{name} is not set (the count runner sets it)"))
        };
        let bridge = required("BRIDGEBENCH_COUNT_BRIDGE")?;
        if !rust_side::BRIDGES.iter().any(|b| b.module == bridge) {
            return Err(format!(
                "BRIDGEBENCH_COUNT_BRIDGE={bridge:?}: no such Rust-side row"
            ));
        }
        let rule = numbers(
            "BRIDGEBENCH_COUNT_LOOPS",
            &required("BRIDGEBENCH_COUNT_LOOPS")?,
        )?;
        let [budget, max, min] = rule[..] else {
            return Err("BRIDGEBENCH_COUNT_LOOPS: expected budget,max,min".to_owned());
        };
        let list = |name: &str| -> Result<Option<Vec<usize>>, String> {
            var(name)?.map(|text| numbers(name, &text)).transpose()
        };
        let path = required("BRIDGEBENCH_MEASURE_HOOKS")?;
        let hooks = Hooks::load(&path)?;
        if kind == Kind::Allocs && hooks.counters().allocs == 0 {
            return Err(format!(
                "the allocation counters are not active: run with LD_PRELOAD={path}"
            ));
        }
        if kind == Kind::Instructions && (hooks.running_on_valgrind)() == 0 {
            return Err(
                "instructions are counted under callgrind (the count runner starts it)".to_owned(),
            );
        }
        Ok(Some(Plan {
            kind,
            bridge,
            cells: var("BRIDGEBENCH_COUNT_CELLS")?
                .map(|text| text.split(',').map(str::to_owned).collect()),
            sizes: list("BRIDGEBENCH_COUNT_SIZES")?,
            max_size: list("BRIDGEBENCH_COUNT_MAX_SIZE")?.and_then(|v| v.first().copied()),
            loops: LoopRule { budget, max, min },
            hooks,
        }))
    }

    /// The input sizes to build and count of a sequence kernel whose sweep is `sweep`:
    /// the runner's sizes where it gave some, and none above its largest.
    pub fn sizes(&self, sweep: Vec<usize>) -> Vec<usize> {
        let sizes = self.sizes.clone().unwrap_or(sweep);
        sizes
            .into_iter()
            .filter(|&n| self.max_size.is_none_or(|max| n <= max))
            .collect()
    }

    /// Counts `routine`, the call of `bridge` for `cell` at `size`, if the plan wants it,
    /// and prints its record.
    pub fn count<O>(
        &self,
        cell: &str,
        bridge: &str,
        size: Option<usize>,
        routine: &mut impl FnMut() -> O,
    ) {
        let wanted = self
            .cells
            .as_ref()
            .is_none_or(|c| c.iter().any(|c| c == cell));
        if bridge != self.bridge || !wanted {
            return;
        }
        let (n1, n2) = self.loops.loops(size);
        run(routine, n1); // warm-up: first-call costs, allocator caches
        let line = match self.kind {
            Kind::Allocs => self.count_allocs(cell, size, [n1, n2], routine),
            Kind::Instructions => self.count_instructions(cell, size, [n1, n2], routine),
        };
        println!("{line}");
    }

    fn count_allocs<O>(
        &self,
        cell: &str,
        size: Option<usize>,
        loops: [u64; 2],
        routine: &mut impl FnMut() -> O,
    ) -> String {
        let live = live_objects(&self.bridge);
        let mut totals = String::new();
        let (mut grew, mut objects) = (Vec::new(), Vec::new());
        for calls in loops {
            let held = live();
            let before = self.hooks.counters();
            run(routine, calls);
            let after = self.hooks.counters();
            let delta = after.since(&before);
            let _ = write!(
                totals,
                "{}{{\"allocs\": {}, \"reallocs\": {}, \"frees\": {}, \"bytes\": {}, \"live_bytes\": {}}}",
                if totals.is_empty() { "" } else { ", " },
                delta.allocs,
                delta.reallocs,
                delta.frees,
                delta.bytes,
                delta.live_bytes,
            );
            grew.push(delta.live_bytes);
            objects.push(live() - held);
        }
        format!(
            "{{\"type\": \"AllocLoops\", \"cell\": {}, \"size\": {}, \"loops\": {}, \"totals\": [{totals}], \
             \"live_growth\": {}, \"live_objects_growth\": {}, \"peak_rss_bytes\": {}}}",
            json_string(cell),
            json_size(size),
            json_list(&loops),
            json_list(&grew),
            json_list(&objects),
            peak_rss_bytes(),
        )
    }

    fn count_instructions<O>(
        &self,
        cell: &str,
        size: Option<usize>,
        loops: [u64; 2],
        routine: &mut impl FnMut() -> O,
    ) -> String {
        static DUMPS: AtomicUsize = AtomicUsize::new(0);
        let index = DUMPS.fetch_add(1, Ordering::Relaxed);
        let mut dumps = Vec::new();
        for calls in loops {
            let name = format!("bb-{index}-{calls}");
            let h = &self.hooks;
            (h.start_instrumentation)();
            (h.zero)();
            (h.toggle_collect)();
            run(routine, calls);
            (h.toggle_collect)();
            let c_name = CString::new(name.as_str()).unwrap_or_default();
            // SAFETY: a NUL-terminated string that outlives the call.
            unsafe { (h.dump)(c_name.as_ptr()) };
            (h.stop_instrumentation)();
            dumps.push(json_string(&name));
        }
        format!(
            "{{\"type\": \"InstructionLoops\", \"cell\": {}, \"size\": {}, \"loops\": {}, \"dumps\": [{}]}}",
            json_string(cell),
            json_size(size),
            json_list(&loops),
            dumps.join(", "),
        )
    }
}

/// `calls` calls of `routine` back to back, as criterion times them.
fn run<O>(routine: &mut impl FnMut() -> O, calls: u64) {
    for _ in 0..calls {
        black_box(routine());
    }
}

/// The row's own count of its live native objects (its holders), or always 0.
fn live_objects(bridge: &str) -> impl Fn() -> i64 {
    let live = rust_side::BRIDGES
        .iter()
        .find(|b| b.module == bridge)
        .and_then(|b| b.holder)
        .map(|h| h.live);
    move || live.map_or(0, |f| f())
}

/// The process's peak resident set (`VmHWM` of /proc/self/status), in bytes; 0 unread.
fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kib| kib * 1024)
}

/// Tells the runner this child cannot go on (a `Failed` record) and exits.
fn fail(error: &str) -> ! {
    println!(
        "{{\"type\": \"Failed\", \"error\": {}, \"bridge\": \"\", \"cell\": \"\"}}",
        json_string(error)
    );
    std::process::exit(2)
}

fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_size(size: Option<usize>) -> String {
    size.map_or_else(|| "null".to_owned(), |n| n.to_string())
}

fn json_list<T: std::fmt::Display>(items: &[T]) -> String {
    let items: Vec<String> = items.iter().map(T::to_string).collect();
    format!("[{}]", items.join(", "))
}

/// The allocator's counters (cumulative), in bb_alloc_counters' order.
struct Counters {
    allocs: u64,
    reallocs: u64,
    frees: u64,
    bytes: u64,
    live_bytes: u64,
}

/// One loop's worth of the counters; live bytes signed (a loop may free more than it
/// made).
struct Delta {
    allocs: u64,
    reallocs: u64,
    frees: u64,
    bytes: u64,
    live_bytes: i64,
}

impl Counters {
    fn since(&self, before: &Counters) -> Delta {
        Delta {
            allocs: self.allocs.wrapping_sub(before.allocs),
            reallocs: self.reallocs.wrapping_sub(before.reallocs),
            frees: self.frees.wrapping_sub(before.frees),
            bytes: self.bytes.wrapping_sub(before.bytes),
            // modulo 2^64, read as signed
            live_bytes: self.live_bytes.wrapping_sub(before.live_bytes) as i64,
        }
    }
}

const COUNTERS: usize = 5;

/// The entry points of libmeasure_hooks.so this side calls.
struct Hooks {
    counters: unsafe extern "C" fn(*mut [u64; COUNTERS]),
    toggle_collect: extern "C" fn(),
    zero: extern "C" fn(),
    dump: unsafe extern "C" fn(*const c_char),
    start_instrumentation: extern "C" fn(),
    stop_instrumentation: extern "C" fn(),
    running_on_valgrind: extern "C" fn() -> c_int,
}

unsafe extern "C" {
    fn dlopen(filename: *const c_char, flags: c_int) -> *mut c_void;
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
}

const RTLD_NOW: c_int = 2;

impl Hooks {
    fn load(path: &str) -> Result<Hooks, String> {
        let stale = format!(
            "{path}: not the measure-hooks library this build expects: rebuild it with \
             `cargo build --release --locked --package measure-hooks`"
        );
        let c_path = CString::new(path).map_err(|e| format!("{path}: {e}"))?;
        // SAFETY: a NUL-terminated path; the library stays loaded for the process's life.
        let handle = unsafe { dlopen(c_path.as_ptr(), RTLD_NOW) };
        if handle.is_null() {
            return Err(format!(
                "{path}: cannot load it (build it with `cargo xtask build`)"
            ));
        }
        let symbol = |name: &str| -> Result<*mut c_void, String> {
            let c_name = CString::new(name).map_err(|e| e.to_string())?;
            // SAFETY: a live handle and a NUL-terminated name.
            let found = unsafe { dlsym(handle, c_name.as_ptr()) };
            if found.is_null() {
                Err(stale.clone())
            } else {
                Ok(found)
            }
        };
        // SAFETY: each symbol is the measure-hooks function of this exact signature
        // (crates/measure-hooks/src/{alloc,callgrind}.rs).
        unsafe {
            let len: extern "C" fn() -> usize =
                std::mem::transmute(symbol("bb_alloc_counters_len")?);
            if len() != COUNTERS {
                return Err(stale);
            }
            Ok(Hooks {
                counters: std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(*mut [u64; COUNTERS]),
                >(symbol("bb_alloc_counters")?),
                toggle_collect: std::mem::transmute::<*mut c_void, extern "C" fn()>(symbol(
                    "bb_callgrind_toggle_collect",
                )?),
                zero: std::mem::transmute::<*mut c_void, extern "C" fn()>(symbol(
                    "bb_callgrind_zero",
                )?),
                dump: std::mem::transmute::<*mut c_void, unsafe extern "C" fn(*const c_char)>(
                    symbol("bb_callgrind_dump")?,
                ),
                start_instrumentation: std::mem::transmute::<*mut c_void, extern "C" fn()>(symbol(
                    "bb_callgrind_start_instrumentation",
                )?),
                stop_instrumentation: std::mem::transmute::<*mut c_void, extern "C" fn()>(symbol(
                    "bb_callgrind_stop_instrumentation",
                )?),
                running_on_valgrind: std::mem::transmute::<*mut c_void, extern "C" fn() -> c_int>(
                    symbol("bb_running_on_valgrind")?,
                ),
            })
        }
    }

    fn counters(&self) -> Counters {
        let mut out = [0u64; COUNTERS];
        // SAFETY: `out` is COUNTERS writable u64s.
        unsafe { (self.counters)(&mut out) };
        let [allocs, reallocs, frees, bytes, live_bytes] = out;
        Counters {
            allocs,
            reallocs,
            frees,
            bytes,
            live_bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loops_follow_the_python_sides_rule() {
        // count_plan.loops with BUDGET["instructions"] = 10^4, MAX_LOOPS = 1000, MIN_LOOPS = 2.
        let rule = LoopRule {
            budget: 10_000,
            max: 1000,
            min: 2,
        };
        assert_eq!(rule.loops(None), (1000, 2000));
        assert_eq!(rule.loops(Some(1000)), (10, 20));
        assert_eq!(rule.loops(Some(0)), (1000, 2000));
        assert_eq!(rule.loops(Some(1_000_000)), (2, 4));
    }

    #[test]
    fn records_are_json_the_runner_reads() {
        assert_eq!(json_string("a\"b\\c\n"), r#""a\"b\\c\u000a""#);
        assert_eq!(json_size(None), "null");
        assert_eq!(json_list(&[10u64, 20]), "[10, 20]");
    }

    #[test]
    fn live_bytes_are_a_signed_difference() {
        let at = |live_bytes| Counters {
            allocs: 0,
            reallocs: 0,
            frees: 0,
            bytes: 0,
            live_bytes,
        };
        assert_eq!(at(5).since(&at(9)).live_bytes, -4);
        assert_eq!(at(3).since(&at(u64::MAX)).live_bytes, 4);
    }
}
