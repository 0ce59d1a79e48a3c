//! Criterion benches of the `counter` cells, for every row of the Rust-side table.
//!
//! Names are stable, because a later step reads criterion's estimates from them:
//!   group = the cell ("counter.method", "counter.get", "counter.set"),
//!   id    = the bridge's key in `rust_side::BRIDGES` (no size: one int64 per call)
//!   -> target/criterion/pass-<k>/counter.method/<bridge>/new/estimates.json
//! Arguments: `[bench] start`, `by` and `set_to` of benches/kernels/counter.toml, as the
//! Python harness times them: `c.bump(by)`, `c.value` and `c.value = set_to`, each on one
//! counter made beforehand with `Counter(start)`.

use rust_side::{CounterObject, NewCounterFn};
use std::hint::black_box;

use crate::common::{self, Runner};

/// A counter holding `[bench] start`, made by `new` and checked through all three calls.
fn counter(bridge: &str, new: NewCounterFn) -> Box<dyn CounterObject> {
    let (start, by) = (
        common::int("counter", "start"),
        common::int("counter", "by"),
    );
    let mut counter = new(start).unwrap_or_else(|e| panic!("{bridge}: {e}"));
    let bumped = counter.bump(by).ok();
    counter.set_value(start);
    assert_eq!(
        (bumped, counter.value()),
        (start.checked_add(by), start),
        "{bridge}: wrong counter"
    );
    counter
}

/// `call` on `counter` through `&mut dyn CounterObject`: the same virtual call for every
/// bridge.
fn timed<O>(
    counter: &mut dyn CounterObject,
    call: impl Fn(&mut dyn CounterObject) -> O,
) -> impl FnMut() -> O {
    let counter = black_box(counter);
    move || call(&mut *counter)
}

/// Times `call` on a counter of each row, each beside the same call on a counter of the
/// floor's. A counter lives for the whole bench, as the Python harness's does.
fn bench_cell<O>(c: &mut Runner, cell: &str, call: impl Fn(&mut dyn CounterObject) -> O + Copy) {
    let mut group = common::Group::new(c, cell);
    let floor = rust_side::floor();
    let mut floor_counter = counter(
        floor.module,
        floor.counter.expect("the floor covers counter"),
    );
    for bridge in rust_side::BRIDGES {
        let Some(new) = bridge.counter else { continue };
        let mut counter = counter(bridge.module, new);
        group.bench(
            bridge.module,
            None,
            timed(&mut *floor_counter, call),
            timed(&mut *counter, call),
        );
    }
    group.finish();
}

/// `bump(by)`: a method call that may fail (overflow, never met here: the value grows by
/// `by` per call, from `start`).
fn counter_method(c: &mut Runner) {
    let by = common::int("counter", "by");
    bench_cell(c, "counter.method", move |counter| {
        counter.bump(black_box(by))
    });
}

/// `value()`: a read.
fn counter_get(c: &mut Runner) {
    bench_cell(c, "counter.get", |counter| counter.value());
}

/// `set_value(set_to)`: a write.
fn counter_set(c: &mut Runner) {
    let set_to = common::int("counter", "set_to");
    bench_cell(c, "counter.set", move |counter| {
        counter.set_value(black_box(set_to));
    });
}

common::benches!(counter_method, counter_get, counter_set);
