//! The Rust-side bridges as data: one [`Bridge`] row per `side = "rust"` entry
//! of `benches/bridges.toml`, keyed by its `module`, with one function per cell.
//!
//! Benches (`benches/rust/`) and tests iterate [`BRIDGES`] and never name a
//! bridge; `tests/tidy.rs` checks the table against the registry both ways.
//! Every cell has one signature for all bridges, so each row adapts its
//! bridge's own API (error type, fallibility) to it here, and nowhere else.

// ANCHOR: cell_types
/// Any bridge's error, boxed: each bridge has its own error type.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Cell `add`: the exact sum or an error (overflow), never wrap-around.
pub type AddFn = fn(i64, i64) -> Result<i64, Error>;

/// Cell `checked_div`: `a / b` truncated toward zero, or an error (division by
/// zero, overflow) whose message tells which.
pub type CheckedDivFn = fn(i64, i64) -> Result<i64, Error>;

/// What [`MapCallbackFn`] calls per element: a Rust closure that may fail.
pub type Callback<'a> = dyn FnMut(f64) -> Result<f64, Error> + 'a;

/// Cell `map_callback`: `f(values[i])` for each element, in order, into a new
/// `Vec`. The first `Err` of `f` stops the loop at once (no further calls) and
/// is returned unchanged, the very same boxed error.
pub type MapCallbackFn = fn(&[f64], &mut Callback<'_>) -> Result<Vec<f64>, Error>;

/// Cell `scale.buffer`: a new `Vec` from a borrowed slice.
pub type ScaleBufferFn = fn(&[f64], f64) -> Result<Vec<f64>, Error>;

/// Cell `scale.inplace`: scales the caller's slice.
pub type ScaleInplaceFn = fn(&mut [f64], f64);
// ANCHOR_END: cell_types

/// A live native holder, whichever bridge made it; dropping the box frees it
/// (a Rust `Drop`, a C++ destructor through cxx, or an explicit free over a C ABI).
pub trait HolderObject {
    /// The text, borrowed from the holder: each bridge checks it is UTF-8 on the way
    /// into Rust, unless it already knows.
    fn text(&self) -> Result<&str, Error>;
    /// The text's length in UTF-8 bytes.
    fn utf8_len(&self) -> usize;
    /// Appends a copy of `more`; on `Err` the text is unchanged.
    fn append(&mut self, more: &str) -> Result<(), Error>;
}

/// Cells `holder.create` and `holder.text` (one holder serves both): how a bridge
/// makes a holder, and how many of its holders are alive. Every row boxes its
/// holder, so each pays the same extra allocation.
#[derive(Debug, Clone, Copy)]
pub struct HolderCells {
    pub new: fn(&str) -> Result<Box<dyn HolderObject>, Error>,
    /// The bridge's own count of live holders: every library linking a kernel has
    /// its own (cxx and extern-c share the one C++ kernel, so they share a count).
    pub live: fn() -> i64,
}

/// A live native counter, whichever bridge made it; dropping the box frees it, as a
/// holder's.
pub trait CounterObject {
    /// Adds `by` and returns the new value, or an error (overflow); on `Err` the value is
    /// unchanged.
    fn bump(&mut self, by: i64) -> Result<i64, Error>;
    fn value(&self) -> i64;
    fn set_value(&mut self, value: i64);
}

/// Cells `counter.method` (`bump`), `counter.get` (`value`) and `counter.set`
/// (`set_value`), all on one counter: how a bridge makes a counter holding `start`. Every
/// row boxes its counter, as it does its holder.
pub type NewCounterFn = fn(i64) -> Result<Box<dyn CounterObject>, Error>;

/// Cell `summarize.objects`: the Summary of records, each bridge converting them
/// to its own record type first (part of what the cell measures).
pub type SummarizeObjectsFn = fn(&[kernels::Record]) -> Result<kernels::Summary, Error>;

/// Cell `summarize.columns`: the Summary of columns in Apache Arrow's layout; an
/// error (bad columns, a name not UTF-8) whose message is the kernel's.
pub type SummarizeColumnsFn = fn(&kernels::Columns<'_>) -> Result<kernels::Summary, Error>;

/// Cell `summarize.protobuf`: the Summary of a serialized `bridgebench.Records` message.
pub type SummarizeProtobufFn = fn(&[u8]) -> Result<kernels::Summary, Error>;

/// One Rust-side bridge: `None` for a cell it does not cover (the registry's
/// `[bridge.na]` says why).
#[derive(Debug, Clone, Copy)]
pub struct Bridge {
    /// The registry's `module` for this bridge.
    pub module: &'static str,
    pub add: Option<AddFn>,
    pub checked_div: Option<CheckedDivFn>,
    pub map_callback: Option<MapCallbackFn>,
    pub scale_buffer: Option<ScaleBufferFn>,
    pub scale_inplace: Option<ScaleInplaceFn>,
    /// Both `holder.create` and `holder.text`.
    pub holder: Option<HolderCells>,
    pub summarize_objects: Option<SummarizeObjectsFn>,
    pub summarize_columns: Option<SummarizeColumnsFn>,
    pub summarize_protobuf: Option<SummarizeProtobufFn>,
    /// `counter.method`, `counter.get` and `counter.set`.
    pub counter: Option<NewCounterFn>,
}

impl Bridge {
    /// Registry names of the cells this row covers, e.g. `["add", "scale.buffer"]`.
    pub fn cells(&self) -> Vec<&'static str> {
        [
            ("add", self.add.is_some()),
            ("checked_div", self.checked_div.is_some()),
            ("map_callback", self.map_callback.is_some()),
            ("scale.buffer", self.scale_buffer.is_some()),
            ("scale.inplace", self.scale_inplace.is_some()),
            ("holder.create", self.holder.is_some()),
            ("holder.text", self.holder.is_some()),
            ("summarize.objects", self.summarize_objects.is_some()),
            ("summarize.columns", self.summarize_columns.is_some()),
            ("summarize.protobuf", self.summarize_protobuf.is_some()),
            ("counter.method", self.counter.is_some()),
            ("counter.get", self.counter.is_some()),
            ("counter.set", self.counter.is_some()),
        ]
        .into_iter()
        .filter_map(|(cell, covered)| covered.then_some(cell))
        .collect()
    }
}

/// The row of the Rust side's floor (benches/bridges.toml `floor = true`): the Rust
/// kernel called directly. The benches time every other row's samples beside its own;
/// tests/tidy.rs checks the registry names the same bridge.
pub fn floor() -> &'static Bridge {
    &BRIDGES[0]
}

/// Every Rust-side bridge, the floor first.
pub static BRIDGES: &[Bridge] = &[
    // The reference: the Rust kernel called directly.
    // ANCHOR: rust_row
    Bridge {
        module: "rust",
        add: Some(|a, b| Ok(kernels::add(a, b)?)),
        checked_div: Some(|a, b| Ok(kernels::checked_div(a, b)?)),
        map_callback: Some(|values, f| kernels::map_callback(values, f)),
        scale_buffer: Some(|values, factor| Ok(kernels::scale(values, factor))),
        scale_inplace: Some(kernels::scale_inplace),
        holder: Some(HolderCells {
            new: |text| Ok(Box::new(kernels::Holder::new(text))),
            live: kernels::live_holders,
        }),
        summarize_objects: Some(|records| Ok(kernels::summarize(records))),
        summarize_columns: Some(|columns| Ok(kernels::summarize_columns(columns)?)),
        summarize_protobuf: None,
        counter: Some(|start| Ok(Box::new(kernels::Counter::new(start)))),
    },
    // ANCHOR_END: rust_row
    // ANCHOR: cxx_row
    // The C++ kernel through a cxx bridge.
    Bridge {
        module: "cxx",
        add: Some(|a, b| Ok(rs_cxx::add(a, b)?)),
        checked_div: Some(|a, b| Ok(rs_cxx::checked_div(a, b)?)),
        // C++ calls the closure back through an opaque Rust type; its Err crosses
        // the C++ kernel as an exception and is handed back here unchanged.
        map_callback: Some(|values, f| {
            rs_cxx::map_callback(values, f).map_err(|e| match e {
                rs_cxx::MapError::Callback(e) => e,
                rs_cxx::MapError::Cpp(e) => e.into(),
            })
        }),
        scale_buffer: Some(|values, factor| Ok(rs_cxx::scale(values, factor))),
        scale_inplace: Some(rs_cxx::scale_inplace),
        // A C++ object owned through cxx's UniquePtr.
        holder: Some(HolderCells {
            new: |text| Ok(Box::new(rs_cxx::Holder::new(text)?)),
            live: rs_cxx::live_holders,
        }),
        // cxx's shared Record borrows each name: a new Vec of (id, &str, score) per
        // call, no name copied; C++ copies the longest name into a Rust String.
        summarize_objects: Some(|records| {
            let records: Vec<rs_cxx::Record<'_>> = records
                .iter()
                .map(|r| rs_cxx::Record {
                    id: r.id,
                    name: &r.name,
                    score: r.score,
                })
                .collect();
            Ok(from_cxx(rs_cxx::summarize(&records)?))
        }),
        summarize_columns: Some(|c| {
            let summary = rs_cxx::summarize_columns(c.ids, c.scores, c.name_offsets, c.name_bytes)?;
            Ok(from_cxx(summary))
        }),
        summarize_protobuf: None,
        // A C++ object owned through cxx's UniquePtr, its members bound directly.
        counter: Some(|start| Ok(Box::new(rs_cxx::Counter::new(start)?))),
    },
    // ANCHOR_END: cxx_row
    // ANCHOR: extern_c_row
    // The C++ kernel through a hand-written extern "C" ABI.
    Bridge {
        module: "extern-c",
        add: Some(|a, b| Ok(rs_extern_c::add(a, b)?)),
        checked_div: Some(|a, b| Ok(rs_extern_c::checked_div(a, b)?)),
        // C++ calls the closure back through a C function pointer + void* context.
        map_callback: Some(|values, f| {
            rs_extern_c::map_callback(values, f).map_err(|e| match e {
                rs_extern_c::MapError::Callback(e) => e,
                rs_extern_c::MapError::Cpp(status) => rs_extern_c::Error::Cpp(status).into(),
            })
        }),
        scale_buffer: Some(|values, factor| Ok(rs_extern_c::scale(values, factor))),
        scale_inplace: Some(rs_extern_c::scale_inplace),
        // An opaque C++ pointer, freed by the Rust wrapper's Drop.
        holder: Some(HolderCells {
            new: |text| Ok(Box::new(rs_extern_c::Holder::new(text)?)),
            live: rs_extern_c::live_holders,
        }),
        // A #[repr(C)] record borrows each name as pointer and length: a new Vec per
        // call, no name copied. C++ returns the longest name's index; the one copy
        // is here, into the table's owned Summary.
        summarize_objects: Some(|records| {
            let records: Vec<rs_extern_c::Record<'_>> = records
                .iter()
                .map(|r| rs_extern_c::Record::new(r.id, &r.name, r.score))
                .collect();
            Ok(from_extern_c(rs_extern_c::summarize(&records)?))
        }),
        summarize_columns: Some(|c| {
            let summary =
                rs_extern_c::summarize_columns(c.ids, c.scores, c.name_offsets, c.name_bytes)?;
            Ok(from_extern_c(summary))
        }),
        summarize_protobuf: None,
        // An opaque C++ pointer, freed by the Rust wrapper's Drop.
        counter: Some(|start| Ok(Box::new(rs_extern_c::Counter::new(start)?))),
    },
    // ANCHOR_END: extern_c_row
    // ANCHOR: prost_row
    // The Rust kernel behind a protobuf round trip (encode, decode, kernel,
    // encode, decode); a copy has no in-place form, and a message cannot carry a
    // closure.
    Bridge {
        module: "prost",
        add: Some(|a, b| Ok(rs_prost::add(a, b)?)),
        checked_div: Some(|a, b| Ok(rs_prost::checked_div(a, b)?)),
        map_callback: None,
        scale_buffer: Some(|values, factor| Ok(rs_prost::scale(values, factor)?)),
        scale_inplace: None,
        holder: None,
        // The full copy: records encoded, decoded, summarized, the summary encoded, decoded.
        summarize_objects: Some(|records| Ok(rs_prost::summarize(records)?)),
        summarize_columns: None,
        // The caller already holds the message: decode, summarize, encode, decode.
        summarize_protobuf: Some(|message| Ok(rs_prost::summarize_message(message)?)),
        counter: None,
    },
    // ANCHOR_END: prost_row
    // ANCHOR: pyo3_embed_row
    // The Rust kernel calling a Python callable (the closure wrapped as one) through
    // PyO3 with an embedded interpreter; the other cells hand Rust no Python callable.
    Bridge {
        module: "pyo3-embed",
        add: None,
        checked_div: None,
        map_callback: Some(|values, f| {
            rs_pyo3_embed::map_callback(values, f).map_err(|e| match e {
                rs_pyo3_embed::MapError::Callback(e) => e,
                rs_pyo3_embed::MapError::Python(e) => e.into(),
            })
        }),
        scale_buffer: None,
        scale_inplace: None,
        holder: None,
        summarize_objects: None,
        summarize_columns: None,
        summarize_protobuf: None,
        counter: None,
    },
    // ANCHOR_END: pyo3_embed_row
];

/// The row whose key is `module`.
pub fn bridge(module: &str) -> Option<&'static Bridge> {
    BRIDGES.iter().find(|b| b.module == module)
}

// Each bridge's holder behind the one trait.

impl HolderObject for kernels::Holder {
    fn text(&self) -> Result<&str, Error> {
        Ok(kernels::Holder::text(self))
    }
    fn utf8_len(&self) -> usize {
        kernels::Holder::utf8_len(self)
    }
    fn append(&mut self, more: &str) -> Result<(), Error> {
        kernels::Holder::append(self, more);
        Ok(())
    }
}

impl HolderObject for rs_cxx::Holder {
    fn text(&self) -> Result<&str, Error> {
        Ok(rs_cxx::Holder::text(self)?)
    }
    fn utf8_len(&self) -> usize {
        rs_cxx::Holder::utf8_len(self)
    }
    fn append(&mut self, more: &str) -> Result<(), Error> {
        Ok(rs_cxx::Holder::append(self, more)?)
    }
}

impl HolderObject for rs_extern_c::Holder {
    fn text(&self) -> Result<&str, Error> {
        Ok(rs_extern_c::Holder::text(self)?)
    }
    fn utf8_len(&self) -> usize {
        rs_extern_c::Holder::utf8_len(self)
    }
    fn append(&mut self, more: &str) -> Result<(), Error> {
        Ok(rs_extern_c::Holder::append(self, more)?)
    }
}

// Each bridge's counter behind the one trait.

impl CounterObject for kernels::Counter {
    fn bump(&mut self, by: i64) -> Result<i64, Error> {
        Ok(kernels::Counter::bump(self, by)?)
    }
    fn value(&self) -> i64 {
        kernels::Counter::value(self)
    }
    fn set_value(&mut self, value: i64) {
        kernels::Counter::set_value(self, value);
    }
}

impl CounterObject for rs_cxx::Counter {
    fn bump(&mut self, by: i64) -> Result<i64, Error> {
        Ok(rs_cxx::Counter::bump(self, by)?)
    }
    fn value(&self) -> i64 {
        rs_cxx::Counter::value(self)
    }
    fn set_value(&mut self, value: i64) {
        rs_cxx::Counter::set_value(self, value);
    }
}

impl CounterObject for rs_extern_c::Counter {
    fn bump(&mut self, by: i64) -> Result<i64, Error> {
        Ok(rs_extern_c::Counter::bump(self, by)?)
    }
    fn value(&self) -> i64 {
        rs_extern_c::Counter::value(self)
    }
    fn set_value(&mut self, value: i64) {
        rs_extern_c::Counter::set_value(self, value);
    }
}

// Each bridge's summary as the kernel's: the table's one result type.

fn from_cxx(s: rs_cxx::Summary) -> kernels::Summary {
    kernels::Summary {
        count: s.count,
        score_sum: s.score_sum,
        max_id: s.max_id,
        longest_name: s.longest_name,
    }
}

fn from_extern_c(s: rs_extern_c::Summary<'_>) -> kernels::Summary {
    kernels::Summary {
        count: s.count,
        score_sum: s.score_sum,
        max_id: s.max_id,
        longest_name: s.longest_name.to_owned(),
    }
}
