//! The count binary (`rust-counts`): the Rust-side bench modules (`benches/rust/<kernel>.rs`)
//! run through a `Group` that counts a row's calls instead of timing them
//! (count_runner.rs, crates/rust-counts). The count runner
//! (python/bridgebench/harness/counts.py) starts it, once per row and kind, with the plan
//! in its environment.
//!
//! A binary of its own rather than a mode of criterion's: without criterion it builds in
//! about half the time, and `cargo xtask test` builds it for the gate.

mod bench_table;
#[path = "count_runner.rs"]
mod common;

include!("kernel_list.rs");

macro_rules! counted {
    ($($kernel:ident),+) => {
        $(mod $kernel;)+

        fn main() {
            let mut runner = common::Runner::from_env();
            $($kernel::benches(&mut runner);)+
        }
    };
}

with_kernels!(counted);
