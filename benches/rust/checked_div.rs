//! Criterion bench of the `checked_div` cell, for every row of the Rust-side table.
//!
//! Names are stable, because a later step reads criterion's estimates from them:
//!   group "checked_div", id = the bridge's key in `rust_side::BRIDGES` ("rust", "cxx", ...)
//!   -> target/criterion/pass-<k>/checked_div/<bridge>/new/estimates.json

use std::hint::black_box;

use crate::common::{self, Runner};

fn checked_div(c: &mut Runner) {
    // `[bench] args` of benches/kernels/checked_div.toml: the success path, as the
    // Python harness times it.
    let (x, y) = common::int_pair("checked_div");
    let mut group = common::Group::new(c, "checked_div");
    // Every bridge is called through an opaque fn pointer, so each pays the same
    // indirect call and none is inlined into the loop.
    let timed = |checked_div: rust_side::CheckedDivFn| {
        let checked_div = black_box(checked_div);
        move || checked_div(black_box(x), black_box(y))
    };
    let floor = rust_side::floor()
        .checked_div
        .expect("the floor covers checked_div");
    for bridge in rust_side::BRIDGES {
        let Some(checked_div) = bridge.checked_div else {
            continue;
        };
        // Time the answer, not an error path: check it once before timing.
        assert_eq!(
            checked_div(x, y).ok(),
            x.checked_div(y),
            "{}",
            bridge.module
        );
        group.bench(bridge.module, None, timed(floor), timed(checked_div));
    }
    group.finish();
}

common::benches!(checked_div);
