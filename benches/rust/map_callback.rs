//! Criterion bench of the `map_callback` cell, for every row of the Rust-side table.
//!
//! Names are stable, because a later step reads criterion's estimates from them:
//!   group "map_callback", id = "<bridge>/<n>", the bridge's key in
//!   `rust_side::BRIDGES` and the number of elements
//!   -> target/criterion/pass-<k>/map_callback/<bridge>/<n>/new/estimates.json
//! Sizes: `[bench] sizes` (or `quick_sizes`) of benches/kernels/map_callback.toml.
//! Throughput is in elements (= callback calls), so criterion also reports calls per second.

use std::hint::black_box;

use crate::common::{self, Runner, Throughput};

/// Normal, finite floats, as in scale.rs.
fn input(n: usize) -> Vec<f64> {
    (0..n).map(|i| 1.0 + i as f64 * 0.25).collect()
}

fn map_callback(c: &mut Runner) {
    let mut group = common::Group::new(c, "map_callback");
    for n in common::sizes("map_callback") {
        let values = &input(n);
        group.throughput(Throughput::Elements(n as u64));
        // The timed call includes allocating, and dropping, the new Vec; the callback is
        // a `&mut dyn FnMut` for every row, native included.
        let timed = |map_callback: rust_side::MapCallbackFn| {
            let map_callback = black_box(map_callback); // same indirect call for every bridge
            move || map_callback(black_box(values), &mut |x| Ok(black_box(x) * 2.0))
        };
        let floor = rust_side::floor()
            .map_callback
            .expect("the floor covers map_callback");
        for bridge in rust_side::BRIDGES {
            let Some(map_callback) = bridge.map_callback else {
                continue;
            };
            // `[bench] callback = "double"`: x * 2.0, checked once before timing.
            let want: Vec<f64> = values.iter().map(|x| x * 2.0).collect();
            let got = map_callback(values, &mut |x| Ok(x * 2.0));
            assert_eq!(got.ok(), Some(want), "{}", bridge.module);
            group.bench(bridge.module, Some(n), timed(floor), timed(map_callback));
        }
    }
    group.finish();
}

common::benches!(map_callback);
