//! The Rust-side criterion benches: one binary, one module and criterion group per kernel
//! (`benches/rust/<kernel>.rs`), every one through `common::Group`. The count binary
//! (count.rs) runs the same modules to count their calls.
//!
//! One binary rather than one per kernel: each bench binary is linked with thin LTO and
//! one codegen unit (the release profile the bridges are built with), and seven of them
//! took most of a three-minute build.

mod bench_table;
mod common;

include!("kernel_list.rs");

macro_rules! timed {
    ($($kernel:ident),+) => {
        $(mod $kernel;)+
        criterion::criterion_main!($($kernel::benches),+);
    };
}

with_kernels!(timed);
