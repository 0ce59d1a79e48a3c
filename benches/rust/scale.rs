//! Criterion benches of the `scale` cells, for every row of the Rust-side table.
//!
//! Names are stable, because a later step reads criterion's estimates from them:
//!   group = the cell ("scale.buffer", "scale.inplace"),
//!   id    = "<bridge>/<n>", the bridge's key in `rust_side::BRIDGES` and the
//!           number of elements
//!   -> target/criterion/pass-<k>/scale.buffer/<bridge>/<n>/new/estimates.json
//! Sizes: `[bench] sizes` (or `quick_sizes`) of benches/kernels/scale.toml.
//! Throughput is in elements, so criterion also reports elements per second.

use std::hint::black_box;

use crate::common::{self, Runner, Throughput};

/// Normal, finite floats: no subnormal inputs, which are slow on some CPUs. (The Python
/// harness uses seeded normal values; for normal numbers a multiply costs the same.)
fn input(n: usize) -> Vec<f64> {
    (0..n).map(|i| 1.0 + i as f64 * 0.25).collect()
}

fn scale_buffer(c: &mut Runner) {
    let mut group = common::Group::new(c, "scale.buffer");
    let floor = rust_side::floor()
        .scale_buffer
        .expect("the floor covers scale.buffer");
    for n in common::sizes("scale") {
        let values = &input(n);
        group.throughput(Throughput::Elements(n as u64));
        // The timed call includes allocating, and dropping, the new Vec.
        let timed = |scale: rust_side::ScaleBufferFn| {
            let scale = black_box(scale); // same indirect call for every bridge
            move || scale(black_box(values), black_box(-1.0))
        };
        for bridge in rust_side::BRIDGES {
            let Some(scale) = bridge.scale_buffer else {
                continue;
            };
            group.bench(bridge.module, Some(n), timed(floor), timed(scale));
        }
    }
    group.finish();
}

/// Scales `values` in place, through an opaque fn pointer (the same indirect call for
/// every bridge). Factor -1 is exact: however many times the same buffer is scaled, its
/// values never drift towards infinity or subnormals.
fn timed_inplace(scale_inplace: rust_side::ScaleInplaceFn, values: &mut [f64]) -> impl FnMut() {
    let scale_inplace = black_box(scale_inplace);
    move || scale_inplace(black_box(&mut *values), black_box(-1.0))
}

fn scale_inplace(c: &mut Runner) {
    let mut group = common::Group::new(c, "scale.inplace");
    let floor = rust_side::floor()
        .scale_inplace
        .expect("the floor covers scale.inplace");
    for n in common::sizes("scale") {
        group.throughput(Throughput::Elements(n as u64));
        for bridge in rust_side::BRIDGES {
            let Some(scale_inplace) = bridge.scale_inplace else {
                continue;
            };
            // The row and the floor each scale a buffer of their own.
            let (mut values, mut floor_values) = (input(n), input(n));
            group.bench(
                bridge.module,
                Some(n),
                timed_inplace(floor, &mut floor_values),
                timed_inplace(scale_inplace, &mut values),
            );
        }
    }
    group.finish();
}

common::benches!(scale_buffer, scale_inplace);
