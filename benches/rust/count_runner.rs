//! The counting runner, for the count binary (count.rs): the same names a bench module
//! uses with criterion (benches/rust/common.rs), but `Group::bench` counts the row's
//! calls the plan asks for (`rust_counts::Plan`) and skips the others. The floor's call
//! beside each row is criterion's pairing; a count has no use for it.

use rust_counts::Plan;
use std::sync::OnceLock;

pub use crate::bench_table::{int, int_pair, string};

/// The plan, read once from the environment the count runner set.
static PLAN: OnceLock<Plan> = OnceLock::new();

fn plan() -> &'static Plan {
    PLAN.get_or_init(|| match Plan::from_env() {
        Some(plan) => plan,
        None => {
            eprintln!(
                "rust-counts: BRIDGEBENCH_COUNT is not set: the count runner starts this \
                 binary (python -m bridgebench.harness.counts <bridge> --kind allocs|instructions)"
            );
            std::process::exit(2)
        }
    })
}

/// What a bench module's functions take: here, a token that the plan was read.
pub struct Runner(());

impl Runner {
    pub fn from_env() -> Runner {
        plan();
        Runner(())
    }
}

/// Criterion's throughput, which a count does not use: counts are per call.
#[allow(dead_code)]
pub enum Throughput {
    Elements(u64),
    Bytes(u64),
}

/// Registers a bench module's functions as its `benches`, run in order by main.
macro_rules! benches {
    ($($target:path),+ $(,)?) => {
        pub fn benches(runner: &mut $crate::common::Runner) {
            $($target(runner);)+
        }
    };
}
pub(crate) use benches;

/// The input sizes of a sequence kernel to count: the runner's, else the kernel's sweep,
/// none above the runner's largest.
pub fn sizes(kernel: &str) -> Vec<usize> {
    plan().sizes(crate::bench_table::sweep(kernel))
}

/// One cell's calls, counted for the row the plan names.
pub struct Group {
    cell: String,
}

impl Group {
    pub fn new(_runner: &mut Runner, name: &str) -> Self {
        Group {
            cell: name.to_owned(),
        }
    }

    pub fn throughput(&mut self, _throughput: Throughput) {}

    /// Counts `routine`, `bridge`'s call at input size `size`, if the plan wants it.
    pub fn bench<P, O>(
        &mut self,
        bridge: &str,
        size: Option<usize>,
        _floor: impl FnMut() -> P,
        mut routine: impl FnMut() -> O,
    ) {
        plan().count(&self.cell, bridge, size, &mut routine);
    }

    pub fn finish(self) {}
}
