//! Criterion bench of the `add` cell, for every row of the Rust-side table.
//!
//! Names are stable, because a later step reads criterion's estimates from them:
//!   group "add", id = the bridge's key in `rust_side::BRIDGES` ("rust", "cxx", ...)
//!   -> target/criterion/pass-<k>/add/<bridge>/new/estimates.json

use std::hint::black_box;

use crate::common::{self, Runner};

fn add(c: &mut Runner) {
    // `[bench] args` of benches/kernels/add.toml, as the Python harness times them.
    let (x, y) = common::int_pair("add");
    let mut group = common::Group::new(c, "add");
    // Every bridge is called through an opaque fn pointer, so each pays the same
    // indirect call and none is inlined into the loop.
    let timed = |add: rust_side::AddFn| {
        let add = black_box(add);
        move || add(black_box(x), black_box(y))
    };
    let floor = rust_side::floor().add.expect("the floor covers add");
    for bridge in rust_side::BRIDGES {
        let Some(add) = bridge.add else { continue };
        assert_eq!(add(x, y).ok(), x.checked_add(y), "{}", bridge.module);
        group.bench(bridge.module, None, timed(floor), timed(add));
    }
    group.finish();
}

common::benches!(add);
