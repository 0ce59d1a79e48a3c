//! The cells that read a Python buffer in place: `scale.buffer`, `scale.inplace` and
//! `summarize.columns`. Numpy arrays go through rust-numpy, every other exporter through PyO3's
//! wrapper of the buffer protocol (`PyObject_GetBuffer`).
//!
//! A module of its own because the buffer protocol joined CPython's stable ABI only in 3.11:
//! lib.rs compiles it out of a stable-ABI build for older Pythons (bridge `pyo3-abi3`).

use std::slice;

use numpy::{IntoPyArray, PyArray1, PyArrayMethods};
use pyo3::buffer::PyUntypedBuffer;
use pyo3::exceptions::{PyBufferError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyMemoryView;

use super::{Summary, kernel_error};

/// `scale_buffer(values, factor)`: a new float64 numpy array.
#[pyfunction]
pub(crate) fn scale_buffer<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyAny>,
    factor: f64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    // ANCHOR: scale_buffer
    // `detach` releases the GIL while the kernel only reads: other Python threads run meanwhile,
    // and the borrow or export held across it keeps the memory from being resized or freed.
    let out = if let Ok(array) = values.cast::<PyArray1<f64>>() {
        // `as_slice` refuses a strided view (TypeError) instead of copying it.
        let input = array.try_readonly()?;
        let input = input.as_slice()?;
        py.detach(|| kernels::scale(input, factor))
    } else {
        let buffer = typed_buffer::<f64>(values, false)?;
        // SAFETY: `buffer` is a validated export (1-D, C-contiguous, aligned f64) that stays
        // alive for this call; the caller promises no thread writes it meanwhile (protocol.md).
        let input = unsafe { as_slice::<f64>(&buffer) };
        py.detach(|| kernels::scale(input, factor))
    };
    // ANCHOR_END: scale_buffer
    // The Vec becomes the array's memory: no copy.
    Ok(out.into_pyarray(py))
}

/// `scale_inplace(values, factor)`: scales a writable float64 buffer in place.
///
/// It keeps the GIL: each call is then atomic with respect to other Python threads, so threads
/// scaling one shared array stay exact.
#[pyfunction]
pub(crate) fn scale_inplace(values: &Bound<'_, PyAny>, factor: f64) -> PyResult<()> {
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

/// `summarize_columns(ids, scores, name_offsets, name_bytes)`: the Summary of columns in
/// Apache Arrow's layout, read in place.
///
/// All four columns go through the buffer protocol, so numpy arrays, `array.array`, `bytes`,
/// `bytearray` and memoryviews are taken alike, each checked for its element type by
/// `typed_buffer` (one path for three element types, where `scale_buffer` adds a rust-numpy
/// fast path for its single argument).
#[pyfunction]
pub(crate) fn summarize_columns(
    py: Python<'_>,
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
    // this function returns; the caller promises no thread writes them meanwhile (protocol.md).
    let columns = unsafe {
        kernels::Columns {
            ids: as_slice(&ids),
            scores: as_slice(&scores),
            name_offsets: as_slice(&name_offsets),
            name_bytes: as_slice(&name_bytes),
        }
    };
    // The kernel checks that the columns agree and that the names are UTF-8 (ValueError). It
    // only reads the exports, so it runs detached (GIL released); the Summary is built after.
    py.detach(|| kernels::summarize_columns(&columns))
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
