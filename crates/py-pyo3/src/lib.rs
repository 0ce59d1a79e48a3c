//! Bridge `pyo3`: the Rust kernels as the Python module `bb_pyo3` (protocol: docs/protocol.md).
//!
//! PyO3 does the argument conversion and error mapping, with CPython's own conversions: an
//! `i64` argument is read by `PyLong_AsLongLong` (anything with `__index__`; TypeError for a
//! float, OverflowError outside int64), an `f64` argument by `PyFloat_AsDouble` (a float's
//! stored value, else `__float__` or `__index__`); `Vec<f64>` takes any sequence but `str`. Buffers (buffer.rs): numpy arrays go through
//! rust-numpy (typed, zero-copy views), every other buffer exporter (array.array, memoryview,
//! ctypes arrays) through PyO3's buffer protocol wrapper. Native objects: `Holder`, `Summary`
//! and `Counter` are `#[pyclass]`es, Python objects that own a Rust value and drop it when
//! Python frees them.
//!
//! The GIL is kept while the kernel runs (no `py.detach`): the kernel is one short memory-bound
//! pass, detaching has a fixed cost per call, and it would let Python threads write into the
//! very buffer Rust is holding as a slice.

use kernels::KernelError;
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError, PyZeroDivisionError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

// The buffer cells, only where PyO3 has the buffer protocol (why: the top of buffer.rs).
#[cfg(any(not(Py_LIMITED_API), Py_3_11))]
mod buffer;

/// A kernel's refusal as the Python exception the contract names, with the kernel's message.
/// (A function, not `From<KernelError> for PyErr`: both types are foreign to this crate.)
fn kernel_error(e: KernelError) -> PyErr {
    match e {
        KernelError::Overflow => PyOverflowError::new_err(e.to_string()),
        KernelError::DivisionByZero => PyZeroDivisionError::new_err(e.to_string()),
        KernelError::BadColumns | KernelError::InvalidUtf8 => PyValueError::new_err(e.to_string()),
    }
}

/// `add(a, b)`: the exact int64 sum; overflow is an OverflowError, never a wrap-around.
#[pyfunction]
fn add(a: i64, b: i64) -> PyResult<i64> {
    kernels::add(a, b).map_err(kernel_error)
}

/// `checked_div(a, b)`: `a / b` truncated toward zero; ZeroDivisionError for `b == 0`,
/// OverflowError for `INT64_MIN / -1`.
#[pyfunction]
fn checked_div(a: i64, b: i64) -> PyResult<i64> {
    kernels::checked_div(a, b).map_err(kernel_error)
}

/// `scale_list(values, factor)`: a new list of floats.
#[pyfunction]
fn scale_list(mut values: Vec<f64>, factor: f64) -> Vec<f64> {
    // The Vec is already a fresh copy of the list, so scaling it in place saves an allocation.
    kernels::scale_inplace(&mut values, factor);
    values
}

// ANCHOR: map_callback
/// `map_callback(values, fn)`: `[fn(x) for x in values]` as floats, calling back into Python.
///
/// `fn`'s exception travels through the kernel as the closure's `Err(PyErr)`: the kernel stops at
/// the first one and returns it unchanged, and PyO3 restores that very exception object when
/// this function returns it. `fn`'s result converts as an `f64` argument does.
#[pyfunction]
fn map_callback(values: Vec<f64>, r#fn: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    // Checked before any call, so an empty list with a non-callable is refused too.
    if !r#fn.is_callable() {
        return Err(PyTypeError::new_err(format!(
            "map_callback(): fn must be callable, not {}",
            r#fn.get_type().name()?
        )));
    }
    kernels::map_callback(&values, |x| r#fn.call1((x,))?.extract::<f64>())
}
// ANCHOR_END: map_callback

// ANCHOR: holder
/// `Holder(text)`: a Python object that owns a `kernels::Holder`.
///
/// The Rust value lives inside the Python object; PyO3's deallocator runs its `Drop` when
/// CPython frees the object (refcount zero, or the cycle collector clearing a container that
/// held it), so the kernel's live count falls exactly once per holder, from any thread.
#[pyclass(name = "Holder", module = "bb_pyo3")]
struct Holder(kernels::Holder);

#[pymethods]
impl Holder {
    /// `&str` takes only a `str` (TypeError for bytes, None, int) and borrows its UTF-8 form
    /// with its length, so embedded NULs survive; a lone surrogate raises UnicodeEncodeError
    /// during argument conversion, before any `kernels::Holder` exists.
    #[new]
    fn new(text: &str) -> Self {
        Holder(kernels::Holder::new(text))
    }

    /// A new `str` each call (PyUnicode_FromStringAndSize of the Rust `&str`).
    fn text(&self) -> &str {
        self.0.text()
    }

    fn utf8_len(&self) -> usize {
        self.0.utf8_len()
    }

    /// Same conversion as `new`: a bad `more` raises before the text is touched.
    fn append(&mut self, more: &str) {
        self.0.append(more);
    }
}
// ANCHOR_END: holder

// ANCHOR: counter
/// `Counter(start=0)`: a Python object that owns a `kernels::Counter`.
///
/// The `i64` arguments and the assigned value follow add's rules (TypeError for non-ints,
/// OverflowError outside int64), checked before the counter is touched. `&mut self` borrows
/// the value through PyO3's runtime borrow flag, the price of a mutable pyclass.
#[pyclass(name = "Counter", module = "bb_pyo3")]
struct Counter(kernels::Counter);

#[pymethods]
impl Counter {
    #[new]
    #[pyo3(signature = (start=0))]
    fn new(start: i64) -> Self {
        Counter(kernels::Counter::new(start))
    }

    /// `by` by position or by keyword; an overflowing sum leaves the value unchanged.
    #[pyo3(signature = (by=1))]
    fn bump(&mut self, by: i64) -> PyResult<i64> {
        self.0.bump(by).map_err(kernel_error)
    }

    #[getter]
    fn value(&self) -> i64 {
        self.0.value()
    }

    /// `del c.value` never reaches this: with no `#[deleter]`, PyO3 raises AttributeError.
    #[setter]
    fn set_value(&mut self, value: i64) {
        self.0.set_value(value);
    }
}
// ANCHOR_END: counter

/// `live_holders()`: how many `Holder`s of this module are alive (the kernel's own count).
#[pyfunction]
fn live_holders() -> i64 {
    kernels::live_holders()
}

/// The result of `summarize_*`: a frozen pyclass whose fields are read-only attributes
/// (`get_all`); each read of `longest_name` makes a new `str` from the Rust `String`.
#[pyclass(name = "Summary", module = "bb_pyo3", frozen, get_all)]
struct Summary {
    count: i64,
    score_sum: f64,
    max_id: i64,
    longest_name: String,
}

impl From<kernels::Summary> for Summary {
    fn from(s: kernels::Summary) -> Self {
        Summary {
            count: s.count,
            score_sum: s.score_sum,
            max_id: s.max_id,
            longest_name: s.longest_name,
        }
    }
}

// ANCHOR: summarize_objects
/// `summarize_objects(records)`: the Summary of a list (or tuple) of `(id, name, score)`.
///
/// PyO3 converts the whole argument before the body runs: `Vec` refuses `str` (TypeError);
/// a record must be a tuple of exactly three (TypeError for another type, ValueError for
/// another length); `i64` and `f64` follow add's and scale's rules; `PyBackedStr` takes only
/// a `str` and keeps a reference to it, borrowing its UTF-8 form instead of copying it into a
/// `String` (UnicodeEncodeError for a lone surrogate).
#[pyfunction]
fn summarize_objects(records: Vec<(i64, PyBackedStr, f64)>) -> Summary {
    let mut summarizer = kernels::Summarizer::default();
    for (id, name, score) in &records {
        summarizer.add(*id, name, *score);
    }
    summarizer.finish().into()
}
// ANCHOR_END: summarize_objects

// ANCHOR: module
/// The module: one function or class per cell (benches/kernels/*.toml), declared as a Rust
/// module whose exports are the Python module's names (as crates/py-protobuf does).
#[pymodule]
// Built against the stable ABI (abi3), this source is the bridge `pyo3-abi3`: its own module.
#[cfg_attr(Py_LIMITED_API, pyo3(name = "bb_pyo3_abi3"))]
mod bb_pyo3 {
    #[cfg(any(not(Py_LIMITED_API), Py_3_11))]
    #[pymodule_export]
    use super::buffer::{scale_buffer, scale_inplace, summarize_columns};
    #[pymodule_export]
    use super::{
        Counter, Holder, Summary, add, checked_div, live_holders, map_callback, scale_list,
        summarize_objects,
    };
}
// ANCHOR_END: module
