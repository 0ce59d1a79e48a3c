//! Criterion benches of the `scale` cells, for every row of the Rust-side table.
//!
//! Names are stable, because a later step reads criterion's estimates from them:
//!   group = the cell ("scale.buffer", "scale.inplace"),
//!   id    = "<bridge>/<n>", the bridge's key in `rust_side::BRIDGES` and the
//!           number of elements
//!   -> target/criterion/pass-<k>/scale.buffer/<bridge>/<n>/new/estimates.json
//! Sizes: `[bench] sizes` (or `quick_sizes`) of benches/kernels/scale.toml.
//! Throughput is in elements, so criterion also reports elements per second.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

mod common;

/// Normal, finite floats: no subnormal inputs, which are slow on some CPUs. (The Python
/// harness uses seeded normal values; for normal numbers a multiply costs the same.)
fn input(n: usize) -> Vec<f64> {
    (0..n).map(|i| 1.0 + i as f64 * 0.25).collect()
}

fn scale_buffer(c: &mut Criterion) {
    let mut group = common::Group::new(c, "scale.buffer");
    for n in common::sizes("scale") {
        let values = input(n);
        group.throughput(Throughput::Elements(n as u64));
        for bridge in rust_side::BRIDGES {
            let Some(scale) = bridge.scale_buffer else {
                continue;
            };
            let scale = black_box(scale); // same indirect call for every bridge
            // The timed call includes allocating, and dropping, the new Vec.
            group.bench(bridge.module, Some(n), || {
                scale(black_box(&values), black_box(-1.0))
            });
        }
    }
    group.finish();
}

fn scale_inplace(c: &mut Criterion) {
    let mut group = common::Group::new(c, "scale.inplace");
    for n in common::sizes("scale") {
        group.throughput(Throughput::Elements(n as u64));
        for bridge in rust_side::BRIDGES {
            let Some(scale_inplace) = bridge.scale_inplace else {
                continue;
            };
            let scale_inplace = black_box(scale_inplace); // same indirect call for every bridge
            let mut values = input(n);
            // Factor -1 is exact: however many times the same buffer is scaled,
            // its values never drift towards infinity or subnormals.
            group.bench(bridge.module, Some(n), || {
                scale_inplace(black_box(&mut values), black_box(-1.0))
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = scale_buffer, scale_inplace
}
criterion_main!(benches);
