//! Bridge `pyo3`: the Rust kernels as the Python module `bb_pyo3` (protocol: docs/protocol.md).
//!
//! PyO3 does the argument conversion and error mapping: `i64` arguments raise TypeError for
//! non-ints and OverflowError outside int64; `f64` arguments take floats and ints (TypeError
//! otherwise); `Vec<f64>` refuses `str`. Buffers: numpy arrays go through rust-numpy (typed,
//! zero-copy views), every other buffer exporter (array.array, memoryview, ctypes arrays)
//! through PyO3's buffer protocol wrapper.
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
use pyo3::types::{PyFloat, PyInt, PyMemoryView};

/// A kernel's refusal as the Python exception the contract names, with the kernel's message.
/// (A function, not `From<KernelError> for PyErr`: both types are foreign to this crate.)
fn kernel_error(e: KernelError) -> PyErr {
    match e {
        KernelError::Overflow => PyOverflowError::new_err(e.to_string()),
        KernelError::DivisionByZero => PyZeroDivisionError::new_err(e.to_string()),
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

/// `scale_buffer(values, factor)`: a new float64 numpy array.
#[pyfunction]
fn scale_buffer<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyAny>,
    factor: f64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let out = if let Ok(array) = values.cast::<PyArray1<f64>>() {
        // `as_slice` refuses a strided view (TypeError) instead of copying it.
        kernels::scale(array.try_readonly()?.as_slice()?, factor)
    } else {
        let buffer = float64_buffer(values, false)?;
        // SAFETY: `buffer` is a validated export (1-D, C-contiguous, aligned f64) that stays
        // alive for this call, and no Python code runs while the kernel reads it.
        kernels::scale(unsafe { as_slice(&buffer) }, factor)
    };
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
        let buffer = float64_buffer(values, true)?;
        // SAFETY: as in `scale_buffer`, and `float64_buffer` checked that it is writable.
        kernels::scale_inplace(unsafe { as_mut_slice(&buffer) }, factor);
    }
    Ok(())
}

/// Gets `values`' buffer and checks it is 1-D, C-contiguous, aligned, native float64.
///
/// PyO3's typed `PyBuffer<f64>` would do the format check, but in 0.30.1 it reads '>d'
/// (big-endian) as native on little-endian machines and refuses '<d' (ctypes' c_double arrays),
/// so the format is checked here against the struct-module codes that mean native float64.
fn float64_buffer(values: &Bound<'_, PyAny>, writable: bool) -> PyResult<PyUntypedBuffer> {
    // Through a memoryview: PyO3 insists on a `strides` array, which some exporters (ctypes
    // arrays) leave NULL as the protocol allows for C-contiguous data; a memoryview fills it in.
    let buffer = PyUntypedBuffer::get(PyMemoryView::from(values)?.as_any())?;
    let native_f64 = match buffer.format().to_bytes() {
        b"d" | b"@d" | b"=d" => true,
        b"<d" => cfg!(target_endian = "little"),
        b">d" | b"!d" => cfg!(target_endian = "big"),
        _ => false,
    };
    if !native_f64 || buffer.item_size() != size_of::<f64>() {
        return Err(PyTypeError::new_err(format!(
            "expected float64 data (format 'd'), got format {:?}",
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
    if buffer.item_count() > 0 && !buffer.buf_ptr().cast::<f64>().is_aligned() {
        return Err(PyBufferError::new_err(
            "float64 buffer is not 8-byte aligned",
        ));
    }
    if writable && buffer.readonly() {
        return Err(PyBufferError::new_err(
            "scale_inplace needs a writable buffer",
        ));
    }
    Ok(buffer)
}

/// # Safety
/// `buffer` passed `float64_buffer`, and nothing writes to it while the slice lives.
unsafe fn as_slice(buffer: &PyUntypedBuffer) -> &[f64] {
    match buffer.item_count() {
        0 => &[], // an empty export may carry a null pointer, which a slice must not
        n => unsafe { slice::from_raw_parts(buffer.buf_ptr().cast::<f64>(), n) },
    }
}

/// # Safety
/// `buffer` passed `float64_buffer(.., true)`, and nothing else touches it while the slice lives.
#[allow(clippy::mut_from_ref)] // the memory belongs to the exporter, not to `buffer`
unsafe fn as_mut_slice(buffer: &PyUntypedBuffer) -> &mut [f64] {
    match buffer.item_count() {
        0 => &mut [],
        n => unsafe { slice::from_raw_parts_mut(buffer.buf_ptr().cast::<f64>(), n) },
    }
}

/// The module: one function per cell (benches/kernels/*.toml).
#[pymodule]
fn bb_pyo3(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(add, m)?)?;
    m.add_function(wrap_pyfunction!(checked_div, m)?)?;
    m.add_function(wrap_pyfunction!(map_callback, m)?)?;
    m.add_function(wrap_pyfunction!(scale_list, m)?)?;
    m.add_function(wrap_pyfunction!(scale_buffer, m)?)?;
    m.add_function(wrap_pyfunction!(scale_inplace, m)?)?;
    Ok(())
}
