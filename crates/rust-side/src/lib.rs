//! The Rust-side bridges as data: one [`Bridge`] row per `side = "rust"` entry
//! of `benches/bridges.toml`, keyed by its `module`, with one function per cell.
//!
//! Benches (`benches/rust/`) and tests iterate [`BRIDGES`] and never name a
//! bridge; `tests/tidy.rs` checks the table against the registry both ways.
//! Every cell has one signature for all bridges, so each row adapts its
//! bridge's own API (error type, fallibility) to it here, and nowhere else.

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
        ]
        .into_iter()
        .filter_map(|(cell, covered)| covered.then_some(cell))
        .collect()
    }
}

/// Every Rust-side bridge.
pub static BRIDGES: &[Bridge] = &[
    // The reference: the Rust kernel called directly.
    Bridge {
        module: "rust",
        add: Some(|a, b| Ok(kernels::add(a, b)?)),
        checked_div: Some(|a, b| Ok(kernels::checked_div(a, b)?)),
        map_callback: Some(|values, f| kernels::map_callback(values, f)),
        scale_buffer: Some(|values, factor| Ok(kernels::scale(values, factor))),
        scale_inplace: Some(kernels::scale_inplace),
    },
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
    },
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
    },
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
    },
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
    },
];

/// The row whose key is `module`.
pub fn bridge(module: &str) -> Option<&'static Bridge> {
    BRIDGES.iter().find(|b| b.module == module)
}
