//! Criterion benches of the `summarize` cells, for every row of the Rust-side table.
//!
//! Names are stable, because a later step reads criterion's estimates from them:
//!   group = the cell ("summarize.objects", "summarize.columns", "summarize.protobuf"),
//!   id    = "<bridge>/<n>", the bridge's key in `rust_side::BRIDGES` and the
//!           number of records
//!   -> target/criterion/pass-<k>/summarize.objects/<bridge>/<n>/new/estimates.json
//! Sizes: `[bench] sizes` (or `quick_sizes`) of benches/kernels/summarize.toml.
//! Throughput is in elements (records), so criterion also reports records per second.

use prost::Message;
use std::hint::black_box;

use crate::common::{self, Runner, Throughput};

/// n records as the spec's [bench] describes them: id = i, name = "name-<i>". The
/// Python harness draws scores from a seeded standard normal; these are normal
/// floats of the same spread, and for normal numbers an addition costs the same.
fn records(n: usize) -> Vec<kernels::Record> {
    (0..n)
        .map(|i| kernels::Record {
            id: i as i64,
            name: format!("name-{i}"),
            score: (i % 1000) as f64 / 250.0 - 2.0,
        })
        .collect()
}

/// The same records in Apache Arrow's layout, owned.
struct OwnedColumns {
    ids: Vec<i64>,
    scores: Vec<f64>,
    name_offsets: Vec<i64>,
    name_bytes: Vec<u8>,
}

impl OwnedColumns {
    fn new(records: &[kernels::Record]) -> Self {
        let mut c = OwnedColumns {
            ids: records.iter().map(|r| r.id).collect(),
            scores: records.iter().map(|r| r.score).collect(),
            name_offsets: vec![0],
            name_bytes: Vec::new(),
        };
        for r in records {
            c.name_bytes.extend_from_slice(r.name.as_bytes());
            c.name_offsets.push(c.name_bytes.len() as i64);
        }
        c
    }

    fn view(&self) -> kernels::Columns<'_> {
        kernels::Columns {
            ids: &self.ids,
            scores: &self.scores,
            name_offsets: &self.name_offsets,
            name_bytes: &self.name_bytes,
        }
    }
}

/// Checks a row's answer once before timing it.
fn check(bridge: &str, got: Result<kernels::Summary, rust_side::Error>, want: &kernels::Summary) {
    assert!(got.is_ok_and(|got| got == *want), "{bridge}: wrong summary");
}

/// The timed call of summarize.objects, through an opaque fn pointer: the same indirect
/// call for every bridge.
fn objects(
    summarize: rust_side::SummarizeObjectsFn,
    records: &[kernels::Record],
) -> impl FnMut() -> Result<kernels::Summary, rust_side::Error> + '_ {
    let summarize = black_box(summarize);
    move || summarize(black_box(records))
}

/// The floor's summarize.objects: what summarize.objects and summarize.protobuf (which
/// the floor lacks: the same records, in the form a caller would otherwise pass) are
/// paired with, as on the Python side.
fn floor_objects() -> rust_side::SummarizeObjectsFn {
    rust_side::floor()
        .summarize_objects
        .expect("the floor covers summarize.objects")
}

/// The records as each bridge's caller holds them: a slice of `kernels::Record`.
/// Converting them to the bridge's own record type is part of the timed call.
fn summarize_objects(c: &mut Runner) {
    let mut group = common::Group::new(c, "summarize.objects");
    for n in common::sizes("summarize") {
        let records = &records(n);
        let want = kernels::summarize(records);
        group.throughput(Throughput::Elements(n as u64));
        for bridge in rust_side::BRIDGES {
            let Some(summarize) = bridge.summarize_objects else {
                continue;
            };
            check(bridge.module, summarize(records), &want);
            let floor = objects(floor_objects(), records);
            group.bench(bridge.module, Some(n), floor, objects(summarize, records));
        }
    }
    group.finish();
}

/// The records already in columns, built once outside the timed call.
fn summarize_columns(c: &mut Runner) {
    let mut group = common::Group::new(c, "summarize.columns");
    let floor = rust_side::floor()
        .summarize_columns
        .expect("the floor covers summarize.columns");
    for n in common::sizes("summarize") {
        let records = records(n);
        let want = kernels::summarize(&records);
        let columns = &OwnedColumns::new(&records);
        group.throughput(Throughput::Elements(n as u64));
        let timed = |summarize: rust_side::SummarizeColumnsFn| {
            let summarize = black_box(summarize); // same indirect call for every bridge
            move || summarize(&black_box(columns).view())
        };
        for bridge in rust_side::BRIDGES {
            let Some(summarize) = bridge.summarize_columns else {
                continue;
            };
            check(bridge.module, summarize(&columns.view()), &want);
            group.bench(bridge.module, Some(n), timed(floor), timed(summarize));
        }
    }
    group.finish();
}

/// The records already serialized as a `bridgebench.Records` message, encoded once
/// outside the timed call: the cell times decoding it and summarizing.
fn summarize_protobuf(c: &mut Runner) {
    let mut group = common::Group::new(c, "summarize.protobuf");
    for n in common::sizes("summarize") {
        let records = &records(n);
        let want = kernels::summarize(records);
        let message = &proto::Records {
            records: records.iter().map(proto::Record::from).collect(),
        }
        .encode_to_vec();
        group.throughput(Throughput::Elements(n as u64));
        for bridge in rust_side::BRIDGES {
            let Some(summarize) = bridge.summarize_protobuf else {
                continue;
            };
            check(bridge.module, summarize(message), &want);
            let summarize = black_box(summarize); // same indirect call for every bridge
            let floor = objects(floor_objects(), records);
            group.bench(bridge.module, Some(n), floor, move || {
                summarize(black_box(message))
            });
        }
    }
    group.finish();
}

common::benches!(summarize_objects, summarize_columns, summarize_protobuf);
