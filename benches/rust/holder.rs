//! Criterion benches of the `holder` cells, for every row of the Rust-side table.
//!
//! Names are stable, because a later step reads criterion's estimates from them:
//!   group = the cell ("holder.create", "holder.text"),
//!   id    = "<bridge>/<n>", the bridge's key in `rust_side::BRIDGES` and the
//!           text's length in bytes
//!   -> target/criterion/pass-<k>/holder.create/<bridge>/<n>/new/estimates.json
//! Sizes and text: `[bench] sizes` (or `quick_sizes`) and `pattern` of
//! benches/kernels/holder.toml.
//! Throughput is in bytes of text, so criterion also reports bytes per second.

use rust_side::HolderObject;
use std::hint::black_box;

use crate::common::{self, Runner, Throughput};

/// `n` bytes of `[bench] pattern`, repeated and cut, as the Python harness builds them.
/// The spec's pattern is ASCII, so every cut is on a character boundary.
fn text(pattern: &str, n: usize) -> String {
    assert!(
        pattern.is_ascii() && !pattern.is_empty(),
        "holder.toml: pattern must be ASCII"
    );
    pattern.repeat(n / pattern.len() + 1)[..n].to_owned()
}

/// Builds a holder and drops it: construction, the copy of the text, and destruction
/// (a Rust `Drop`, a C++ destructor through cxx, or an explicit free over the C ABI).
/// Every row also boxes its holder (the table's `Box<dyn HolderObject>`): one more
/// allocation, the same for each.
fn holder_create(c: &mut Runner) {
    let mut group = common::Group::new(c, "holder.create");
    let pattern = common::string("holder", "pattern");
    let floor = rust_side::floor().holder.expect("the floor covers holder");
    for n in common::sizes("holder") {
        let text = &text(&pattern, n);
        group.throughput(Throughput::Bytes(n as u64));
        let timed = |cells: rust_side::HolderCells| {
            let new = black_box(cells.new); // same indirect call for every bridge
            move || new(black_box(text))
        };
        for bridge in rust_side::BRIDGES {
            let Some(cells) = bridge.holder else { continue };
            let made = (cells.new)(text).and_then(|h| Ok(h.text()? == *text));
            assert!(made.unwrap_or(false), "{}: wrong holder", bridge.module);
            group.bench(bridge.module, Some(n), timed(floor), timed(cells));
        }
    }
    group.finish();
}

/// A holder of `text` made by `cells`, checked.
fn holder(bridge: &str, cells: rust_side::HolderCells, text: &str) -> Box<dyn HolderObject> {
    match (cells.new)(text) {
        Ok(holder) if holder.text().is_ok_and(|t| t == text) => holder,
        _ => panic!("{bridge}: wrong holder"),
    }
}

/// Borrows the text of `holder`, through `&dyn HolderObject`: the same virtual call for
/// every bridge.
fn text_of(holder: &dyn HolderObject) -> impl FnMut() -> Result<usize, rust_side::Error> + '_ {
    let holder = black_box(holder);
    move || holder.text().map(|t| black_box(t).len())
}

/// Borrows the text of a holder. The Rust kernel hands out its `&str`; the C++ rows
/// hand out bytes that Rust checks are UTF-8, so their cost grows with the length.
fn holder_text(c: &mut Runner) {
    let mut group = common::Group::new(c, "holder.text");
    let pattern = common::string("holder", "pattern");
    let floor = rust_side::floor();
    let floor_cells = floor.holder.expect("the floor covers holder");
    for n in common::sizes("holder") {
        let text = text(&pattern, n);
        let floor_holder = holder(floor.module, floor_cells, &text);
        group.throughput(Throughput::Bytes(n as u64));
        for bridge in rust_side::BRIDGES {
            let Some(cells) = bridge.holder else { continue };
            let holder = holder(bridge.module, cells, &text);
            group.bench(
                bridge.module,
                Some(n),
                text_of(&*floor_holder),
                text_of(&*holder),
            );
        }
    }
    group.finish();
}

common::benches!(holder_create, holder_text);
