//! Bridge `pyo3`: the Rust kernels as the Python module `bb_pyo3` (protocol: docs/protocol.md).
//!
//! PyO3 does the argument conversion and error mapping: `i64` arguments raise TypeError for
//! non-ints and OverflowError outside int64; `f64` arguments take floats and ints (TypeError
//! otherwise); `Vec<f64>` refuses `str`. Buffers: numpy arrays go through rust-numpy (typed,
//! zero-copy views), every other buffer exporter (array.array, memoryview, ctypes arrays)
//! through PyO3's buffer protocol wrapper. Native objects: `Holder`, `Summary` and `Counter`
//! are `#[pyclass]`es, Python objects that own a Rust value and drop it when Python frees them.
//!
//! The GIL is kept while the kernel runs (no `py.detach`): the kernel is one short memory-bound
//! pass, detaching has a fixed cost per call, and it would let Python threads write into the
//! very buffer Rust is holding as a slice.

use std::slice;

use kernels::KernelError;
use numpy::{IntoPyArray, PyArray1, PyArrayMethods};
use pyo3::buffer::PyUntypedBuffer;
use pyo3::exceptions::{
    PyBufferError, PyOverflowError, PyTypeError, PyValueError, PyZeroDivisionError,
};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyFloat, PyInt, PyMemoryView};

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
/// this function returns it. `fn`'s result must be a float or an int (see `callback_result`).
#[pyfunction]
fn map_callback(values: Vec<f64>, r#fn: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    // Checked before any call, so an empty list with a non-callable is refused too.
    if !r#fn.is_callable() {
        return Err(PyTypeError::new_err(format!(
            "map_callback(): fn must be callable, not {}",
            r#fn.get_type().name()?
        )));
    }
    kernels::map_callback(&values, |x| callback_result(r#fn.call1((x,))?))
}

/// `fn`'s result as float(x) if it is a float or an int, TypeError otherwise.
///
/// The type check comes first because `f64` extraction alone (PyFloat_AsDouble) takes anything
/// with `__float__`, so a Decimal or a Fraction would pass where the contract says TypeError.
fn callback_result(result: Bound<'_, PyAny>) -> PyResult<f64> {
    if result.is_instance_of::<PyFloat>() || result.is_instance_of::<PyInt>() {
        result.extract::<f64>()
    } else {
        Err(PyTypeError::new_err(format!(
            "fn's result must be float, not {}",
            result.get_type().name()?
        )))
    }
}
// ANCHOR_END: map_callback

/// `scale_buffer(values, factor)`: a new float64 numpy array.
#[pyfunction]
fn scale_buffer<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyAny>,
    factor: f64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    // ANCHOR: scale_buffer
    let out = if let Ok(array) = values.cast::<PyArray1<f64>>() {
        // `as_slice` refuses a strided view (TypeError) instead of copying it.
        kernels::scale(array.try_readonly()?.as_slice()?, factor)
    } else {
        let buffer = typed_buffer::<f64>(values, false)?;
        // SAFETY: `buffer` is a validated export (1-D, C-contiguous, aligned f64) that stays
        // alive for this call, and no Python code runs while the kernel reads it.
        kernels::scale(unsafe { as_slice::<f64>(&buffer) }, factor)
    };
    // ANCHOR_END: scale_buffer
    // The Vec becomes the array's memory: no copy.
    Ok(out.into_pyarray(py))
}

/// `scale_inplace(values, factor)`: scales a writable float64 buffer in place.
#[pyfunction]
fn scale_inplace(values: &Bound<'_, PyAny>, factor: f64) -> PyResult<()> {
    if let Ok(array) = values.cast::<PyArray1<f64>>() {
        // `try_readwrite` refuses a read-only array (TypeError).
        kernels::scale_inplace(array.try_readwrite()?.as_slice_mut()?, factor);
    } else {
        let buffer = typed_buffer::<f64>(values, true)?;
        // SAFETY: as in `scale_buffer`, and `typed_buffer` checked that it is writable.
        kernels::scale_inplace(unsafe { as_mut_slice::<f64>(&buffer) }, factor);
    }
    Ok(())
}

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

/// `summarize_columns(ids, scores, name_offsets, name_bytes)`: the Summary of columns in
/// Apache Arrow's layout, read in place.
///
/// All four columns go through the buffer protocol, so numpy arrays, `array.array`, `bytes`,
/// `bytearray` and memoryviews are taken alike, each checked for its element type by
/// `typed_buffer` (one path for three element types, where `scale_buffer` adds a rust-numpy
/// fast path for its single argument).
#[pyfunction]
fn summarize_columns(
    ids: &Bound<'_, PyAny>,
    scores: &Bound<'_, PyAny>,
    name_offsets: &Bound<'_, PyAny>,
    name_bytes: &Bound<'_, PyAny>,
) -> PyResult<Summary> {
    let ids = typed_buffer::<i64>(ids, false)?;
    let scores = typed_buffer::<f64>(scores, false)?;
    let name_offsets = typed_buffer::<i64>(name_offsets, false)?;
    let name_bytes = typed_buffer::<u8>(name_bytes, false)?;
    // SAFETY: each buffer passed `typed_buffer` for its element type and stays exported until
    // this function returns; no Python code runs while the kernel reads them.
    let columns = unsafe {
        kernels::Columns {
            ids: as_slice(&ids),
            scores: as_slice(&scores),
            name_offsets: as_slice(&name_offsets),
            name_bytes: as_slice(&name_bytes),
        }
    };
    // The kernel checks that the columns agree and that the names are UTF-8 (ValueError).
    kernels::summarize_columns(&columns)
        .map(Summary::from)
        .map_err(kernel_error)
}

/// An element type the kernels read from a Python buffer, and the struct-module type codes
/// (format characters) an exporter may use for it.
trait BufferElement {
    /// What a TypeError says was expected.
    const NAME: &'static str;
    /// Type codes meaning this type, checked together with the item size: numpy's int64 says
    /// 'l' (C `long`, 8 bytes on 64-bit Linux and macOS), `array('q')` says 'q'.
    const CODES: &'static [u8];
}

impl BufferElement for f64 {
    const NAME: &'static str = "float64 data (format 'd')";
    const CODES: &'static [u8] = b"d";
}

impl BufferElement for i64 {
    const NAME: &'static str = "int64 data (format 'q' or 'l')";
    const CODES: &'static [u8] = b"ql";
}

/// Bytes: `bytes`, `bytearray` and numpy uint8 say 'B'; int8 and ctypes char arrays 'b', 'c'.
impl BufferElement for u8 {
    const NAME: &'static str = "bytes-like data (itemsize 1)";
    const CODES: &'static [u8] = b"Bbc";
}

/// The type code of a struct-module format that describes one item in native byte order:
/// 'd', '@d' and '=d' are native; '<d' is native on little-endian (ctypes uses it), '>d' and
/// '!d' on big-endian. `None` for anything else (another byte order, several items, structs).
fn native_code(format: &[u8]) -> Option<u8> {
    match *format {
        [code] | [b'@' | b'=', code] => Some(code),
        [b'<', code] if cfg!(target_endian = "little") => Some(code),
        [b'>' | b'!', code] if cfg!(target_endian = "big") => Some(code),
        _ => None,
    }
}

// ANCHOR: typed_buffer
/// Gets `values`' buffer and checks it is 1-D, C-contiguous, aligned, of native `T`.
///
/// PyO3's typed `PyBuffer<T>` would do the format check, but in 0.30.1 it reads '>d'
/// (big-endian) as native on little-endian machines and refuses '<d' (ctypes' c_double arrays),
/// so the format is checked here against the struct-module codes that mean native `T`.
fn typed_buffer<T: BufferElement>(
    values: &Bound<'_, PyAny>,
    writable: bool,
) -> PyResult<PyUntypedBuffer> {
    // Through a memoryview: PyO3 insists on a `strides` array, which some exporters (ctypes
    // arrays) leave NULL as the protocol allows for C-contiguous data; a memoryview fills it in.
    let buffer = PyUntypedBuffer::get(PyMemoryView::from(values)?.as_any())?;
    let is_t = native_code(buffer.format().to_bytes()).is_some_and(|c| T::CODES.contains(&c));
    if !is_t || buffer.item_size() != size_of::<T>() {
        return Err(PyTypeError::new_err(format!(
            "expected {}, got format {:?}",
            T::NAME,
            buffer.format()
        )));
    }
    if buffer.dimensions() != 1 {
        return Err(PyValueError::new_err(format!(
            "expected a 1-D buffer, got {} dimensions",
            buffer.dimensions()
        )));
    }
    if !buffer.is_c_contiguous() {
        return Err(PyValueError::new_err("expected a C-contiguous buffer"));
    }
    // A misaligned export is possible (e.g. a memoryview cast at an odd offset); a Rust slice
    // must not be made from it. An empty export may point anywhere (an empty array.array does).
    if buffer.item_count() > 0 && !buffer.buf_ptr().cast::<T>().is_aligned() {
        return Err(PyBufferError::new_err(format!(
            "buffer is not {}-byte aligned",
            align_of::<T>()
        )));
    }
    if writable && buffer.readonly() {
        return Err(PyBufferError::new_err(
            "scale_inplace needs a writable buffer",
        ));
    }
    Ok(buffer)
}
// ANCHOR_END: typed_buffer

/// # Safety
/// `buffer` passed `typed_buffer::<T>`, and nothing writes to it while the slice lives.
unsafe fn as_slice<T: BufferElement>(buffer: &PyUntypedBuffer) -> &[T] {
    match buffer.item_count() {
        0 => &[], // an empty export may carry a null pointer, which a slice must not
        n => unsafe { slice::from_raw_parts(buffer.buf_ptr().cast::<T>(), n) },
    }
}

/// # Safety
/// `buffer` passed `typed_buffer::<T>(.., true)`, and nothing else touches it while the slice
/// lives.
#[allow(clippy::mut_from_ref)] // the memory belongs to the exporter, not to `buffer`
unsafe fn as_mut_slice<T: BufferElement>(buffer: &PyUntypedBuffer) -> &mut [T] {
    match buffer.item_count() {
        0 => &mut [],
        n => unsafe { slice::from_raw_parts_mut(buffer.buf_ptr().cast::<T>(), n) },
    }
}

// ANCHOR: module
/// The module: one function or class per cell (benches/kernels/*.toml), declared as a Rust
/// module whose exports are the Python module's names (as crates/py-protobuf does).
#[pymodule]
mod bb_pyo3 {
    #[pymodule_export]
    use super::{
        Counter, Holder, Summary, add, checked_div, live_holders, map_callback, scale_buffer,
        scale_inplace, scale_list, summarize_columns, summarize_objects,
    };
}
// ANCHOR_END: module
