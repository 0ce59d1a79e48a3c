//! Bridge `cpython-api`: the floor. The Rust kernels as the module `bb_cpython_api`, written
//! by hand against the CPython C-API (through the `pyo3-ffi` declarations, no PyO3 framework):
//! METH_FASTCALL functions, a static `PyModuleDef`, `PyInit_bb_cpython_api`.
//! Protocol: docs/protocol.md; the contract in code: python/bridgebench/bridges/python_ref.py.
//!
//! Conventions of the C-API, kept with two small RAII types:
//! - a function that fails sets a Python exception and returns NULL. Here every helper returns
//!   `Result<_, Raised>`, where `Raised` means "the exception is already set";
//! - every new reference is released exactly once (`Owned`), every `Py_buffer` is released
//!   exactly once (`with_buffer`), on the error paths too;
//! - no Rust panic unwinds into CPython's C frames (`boundary`).

use std::ffi::{CStr, c_int};
use std::mem::{self, MaybeUninit};
use std::panic::{self, AssertUnwindSafe};
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicPtr, Ordering};

use pyo3_ffi::*;

/// A Python exception has been set; the caller must return NULL (or -1) to the interpreter.
struct Raised;

type PyResult<T> = Result<T, Raised>;

/// A strong reference, released on drop unless handed back to Python with `into_ptr`.
struct Owned(NonNull<PyObject>);

impl Owned {
    /// Takes a new reference from a C-API call; NULL means that call set an exception.
    fn new(obj: *mut PyObject) -> PyResult<Self> {
        NonNull::new(obj).map(Owned).ok_or(Raised)
    }

    fn as_ptr(&self) -> *mut PyObject {
        self.0.as_ptr()
    }

    fn into_ptr(self) -> *mut PyObject {
        let obj = self.as_ptr();
        mem::forget(self);
        obj
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        // SAFETY: we own one reference and hold the GIL (every entry point is called with it).
        unsafe { Py_DECREF(self.as_ptr()) }
    }
}

/// Sets `exc` with a Rust message (not NUL-terminated, so it goes through a Python str).
fn raise(exc: *mut PyObject, message: &str) -> Raised {
    // SAFETY: GIL held; `message` is valid UTF-8 of the given length.
    unsafe {
        let text =
            PyUnicode_FromStringAndSize(message.as_ptr().cast(), message.len() as Py_ssize_t);
        if let Ok(text) = Owned::new(text) {
            PyErr_SetObject(exc, text.as_ptr());
        }
    }
    Raised
}

/// Runs a function body at the C boundary: a Rust panic becomes a SystemError, because
/// unwinding into CPython's C frames is undefined behaviour (Rust would abort the process).
fn boundary(body: impl FnOnce() -> PyResult<Owned>) -> *mut PyObject {
    // AssertUnwindSafe: after a panic nothing the body touched is used again; its references
    // and buffers were released by their guards while unwinding.
    match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(result)) => result.into_ptr(),
        Ok(Err(Raised)) => ptr::null_mut(),
        Err(_) => {
            // SAFETY: GIL held.
            unsafe { PyErr_SetString(PyExc_SystemError, c"Rust panic in bb_cpython_api".as_ptr()) };
            ptr::null_mut()
        }
    }
}

/// METH_FASTCALL hands over a C array of borrowed arguments; these functions take exactly two.
/// (Keyword arguments are refused by CPython itself: no METH_KEYWORDS.)
///
/// # Safety
/// `args` points to `nargs` valid objects.
unsafe fn two_args(
    name: &CStr,
    args: *mut *mut PyObject,
    nargs: Py_ssize_t,
) -> PyResult<[*mut PyObject; 2]> {
    if nargs != 2 {
        let fmt = c"%s() takes exactly 2 arguments (%zd given)";
        // SAFETY: the format's conversions match the argument types.
        unsafe { PyErr_Format(PyExc_TypeError, fmt.as_ptr(), name.as_ptr(), nargs) };
        return Err(Raised);
    }
    // SAFETY: nargs == 2.
    Ok(unsafe { [*args, *args.add(1)] })
}

/// Raises "`what` must be `expected`, not <type>" as a TypeError.
///
/// # Safety
/// `obj` is a valid object.
unsafe fn wrong_type(what: &CStr, expected: &CStr, obj: *mut PyObject) -> Raised {
    // SAFETY: tp_name is a C string; %.200s is CPython's own convention for type names.
    unsafe {
        let type_name = (*Py_TYPE(obj)).tp_name;
        let fmt = c"%s must be %s, not %.200s";
        PyErr_Format(
            PyExc_TypeError,
            fmt.as_ptr(),
            what.as_ptr(),
            expected.as_ptr(),
            type_name,
        );
    }
    Raised
}

/// An `int` argument as int64: TypeError for any other type (checked first, so a float is not
/// truncated through `__index__`), OverflowError outside int64 (from PyLong_AsLongLong).
///
/// # Safety
/// `obj` is a valid object.
unsafe fn as_i64(obj: *mut PyObject, what: &CStr) -> PyResult<i64> {
    // SAFETY: GIL held, `obj` valid.
    unsafe {
        if PyLong_Check(obj) == 0 {
            return Err(wrong_type(what, c"int", obj));
        }
        let value = PyLong_AsLongLong(obj);
        if value == -1 && !PyErr_Occurred().is_null() {
            return Err(Raised);
        }
        Ok(value)
    }
}

/// A float, or an int converted as float(x) (OverflowError beyond float range); TypeError else.
///
/// Reads a float's value directly and converts an int with PyLong_AsDouble: neither can run
/// Python code (PyFloat_AsDouble would call an int subclass's `__float__`), so `scale_list`
/// may hold borrowed list items while it converts them.
///
/// # Safety
/// `obj` is a valid object.
unsafe fn as_f64(obj: *mut PyObject, what: &CStr) -> PyResult<f64> {
    // SAFETY: GIL held, `obj` valid.
    unsafe {
        if PyFloat_Check(obj) != 0 {
            Ok(PyFloat_AS_DOUBLE(obj))
        } else if PyLong_Check(obj) != 0 {
            let value = PyLong_AsDouble(obj);
            if value == -1.0 && !PyErr_Occurred().is_null() {
                return Err(Raised);
            }
            Ok(value)
        } else {
            Err(wrong_type(what, c"float", obj))
        }
    }
}

/// Gets `obj`'s buffer with `flags`, runs `body` on it, and releases it on every exit.
///
/// # Safety
/// `obj` is a valid object.
unsafe fn with_buffer<R>(
    obj: *mut PyObject,
    flags: c_int,
    body: impl FnOnce(&Py_buffer) -> PyResult<R>,
) -> PyResult<R> {
    /// Releases the buffer on drop, including while unwinding from a panic.
    struct Release(*mut Py_buffer);
    impl Drop for Release {
        fn drop(&mut self) {
            // SAFETY: the buffer was filled by a successful PyObject_GetBuffer; GIL held.
            unsafe { PyBuffer_Release(self.0) }
        }
    }

    let mut view = MaybeUninit::<Py_buffer>::uninit();
    // SAFETY: GIL held, `obj` valid. The view stays where it is: an exporter may point its
    // `shape` into the view itself (PyBuffer_FillInfo does), so it must not be moved.
    unsafe {
        if PyObject_GetBuffer(obj, view.as_mut_ptr(), flags) != 0 {
            return Err(Raised);
        }
        let _release = Release(view.as_mut_ptr());
        body(view.assume_init_ref())
    }
}

/// Buffer request for the kernels: a format string, and C-contiguous memory (the exporter
/// raises for a strided view rather than us copying it).
const FLOAT64_REQUEST: c_int = PyBUF_FORMAT | PyBUF_C_CONTIGUOUS;

/// Checks the export is 1-D, aligned, native float64 and returns its elements.
/// Struct-module codes: 'd', '@d' and '=d' mean native order; '<d' is native on little-endian
/// (ctypes' c_double arrays use it), '>d' on big-endian.
fn float64_elements(view: &Py_buffer) -> PyResult<NonNull<[f64]>> {
    let format: &[u8] = if view.format.is_null() {
        b"B" // a NULL format means unsigned bytes
    } else {
        // SAFETY: a non-NULL format is a C string owned by the export.
        unsafe { CStr::from_ptr(view.format) }.to_bytes()
    };
    let native_f64 = match format {
        b"d" | b"@d" | b"=d" => true,
        b"<d" => cfg!(target_endian = "little"),
        b">d" | b"!d" => cfg!(target_endian = "big"),
        _ => false,
    };
    if !native_f64 || view.itemsize != mem::size_of::<f64>() as Py_ssize_t {
        let format = String::from_utf8_lossy(format);
        let message = format!("expected float64 data (format 'd'), got format {format:?}");
        return Err(raise(unsafe { PyExc_TypeError }, &message));
    }
    if view.ndim != 1 {
        let message = format!("expected a 1-D buffer, got {} dimensions", view.ndim);
        return Err(raise(unsafe { PyExc_ValueError }, &message));
    }
    // SAFETY: PyBUF_ND (part of PyBUF_C_CONTIGUOUS) makes the exporter fill `shape`; ndim == 1.
    let len = unsafe { *view.shape } as usize;
    let data = view.buf.cast::<f64>();
    // A misaligned export is possible (a memoryview cast at an odd offset); no Rust slice may
    // be made from it. An empty export may carry a NULL pointer, which a slice must not either.
    if len == 0 {
        return Ok(NonNull::slice_from_raw_parts(NonNull::dangling(), 0));
    }
    match NonNull::new(data) {
        Some(data) if data.is_aligned() => Ok(NonNull::slice_from_raw_parts(data, len)),
        _ => Err(raise(
            unsafe { PyExc_BufferError },
            "float64 buffer is not 8-byte aligned",
        )),
    }
}

/// Raises a kernel's refusal as the exception the contract names, with the kernel's message.
fn raise_kernel_error(error: kernels::KernelError) -> Raised {
    // SAFETY: reading the exception type statics; GIL held.
    let exc = unsafe {
        match error {
            kernels::KernelError::Overflow => PyExc_OverflowError,
            kernels::KernelError::DivisionByZero => PyExc_ZeroDivisionError,
        }
    };
    raise(exc, &error.to_string())
}

/// `add(a, b)`: the exact int64 sum; overflow is an OverflowError, never a wrap-around.
unsafe extern "C" fn add(
    _module: *mut PyObject,
    args: *mut *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    boundary(|| unsafe {
        let [a, b] = two_args(c"add", args, nargs)?;
        let (a, b) = (as_i64(a, c"a")?, as_i64(b, c"b")?);
        match kernels::add(a, b) {
            Ok(sum) => Owned::new(PyLong_FromLongLong(sum)),
            Err(error) => Err(raise_kernel_error(error)),
        }
    })
}

/// `checked_div(a, b)`: `a / b` truncated toward zero; ZeroDivisionError for `b == 0`,
/// OverflowError for `INT64_MIN / -1`.
unsafe extern "C" fn checked_div(
    _module: *mut PyObject,
    args: *mut *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    boundary(|| unsafe {
        let [a, b] = two_args(c"checked_div", args, nargs)?;
        let (a, b) = (as_i64(a, c"a")?, as_i64(b, c"b")?);
        match kernels::checked_div(a, b) {
            Ok(quotient) => Owned::new(PyLong_FromLongLong(quotient)),
            Err(error) => Err(raise_kernel_error(error)),
        }
    })
}

/// `scale_list(values, factor)`: a new list of floats.
unsafe extern "C" fn scale_list(
    _module: *mut PyObject,
    args: *mut *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    boundary(|| unsafe {
        let [values, factor] = two_args(c"scale_list", args, nargs)?;
        let factor = as_f64(factor, c"factor")?;
        if PyList_Check(values) == 0 {
            return Err(wrong_type(c"values", c"a list", values));
        }
        // No Python code runs in this loop (see `as_f64`), so the list cannot change under us.
        let len = PyList_GET_SIZE(values);
        let mut scaled = Vec::with_capacity(len as usize);
        for i in 0..len {
            scaled.push(as_f64(PyList_GET_ITEM(values, i), c"values[i]")?);
        }
        kernels::scale_inplace(&mut scaled, factor);

        let list = Owned::new(PyList_New(len))?;
        for (i, &value) in (0..).zip(&scaled) {
            let item = Owned::new(PyFloat_FromDouble(value))?;
            PyList_SET_ITEM(list.as_ptr(), i, item.into_ptr()); // steals the reference
        }
        Ok(list)
    })
}

/// `map_callback(values, fn)`: `[fn(x) for x in values]` as floats, calling back into Python.
///
/// `fn` is checked with PyCallable_Check before anything else (TypeError, no call made). The list
/// is copied into a `Vec<f64>` first, as in `scale_list`, so `fn` may mutate it without harm.
/// Each call is `PyObject_CallOneArg(fn, float(x))`; a NULL return means `fn` raised and that
/// exception is still set, so the closure's `Err(Raised)` stops the kernel and the NULL return
/// hands the very same exception object to the caller.
unsafe extern "C" fn map_callback(
    _module: *mut PyObject,
    args: *mut *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    boundary(|| unsafe {
        let [values, callback] = two_args(c"map_callback", args, nargs)?;
        if PyCallable_Check(callback) == 0 {
            return Err(wrong_type(c"map_callback(): fn", c"callable", callback));
        }
        if PyList_Check(values) == 0 {
            return Err(wrong_type(c"values", c"a list", values));
        }
        // No Python code runs in this loop (see `as_f64`): the list cannot change under us.
        let len = PyList_GET_SIZE(values);
        let mut inputs = Vec::with_capacity(len as usize);
        for i in 0..len {
            inputs.push(as_f64(PyList_GET_ITEM(values, i), c"values[i]")?);
        }
        // `values` and `callback` are borrowed from the caller's argument array, which keeps
        // them alive for the whole call, whatever `fn` does.
        let outputs = kernels::map_callback(&inputs, |x| {
            let arg = Owned::new(PyFloat_FromDouble(x))?;
            let result = Owned::new(PyObject_CallOneArg(callback, arg.as_ptr()))?;
            as_f64(result.as_ptr(), c"fn's result")
        })?;

        let list = Owned::new(PyList_New(outputs.len() as Py_ssize_t))?;
        for (i, &value) in (0..).zip(&outputs) {
            let item = Owned::new(PyFloat_FromDouble(value))?;
            PyList_SET_ITEM(list.as_ptr(), i, item.into_ptr()); // steals the reference
        }
        Ok(list)
    })
}

/// `array('d', [0.0])`, made once at import: `scale_buffer` repeats it to get its result.
static ONE_ZERO: AtomicPtr<PyObject> = AtomicPtr::new(ptr::null_mut());

/// `scale_buffer(values, factor)`: a new `array.array('d')`.
///
/// Why array.array: `ONE_ZERO * n` (sq_repeat, no Python-level call) is one object and one
/// allocation that the kernel then writes into; a bytearray would need a memoryview and a
/// Python-level `.cast('d')` on top (three objects), and a home-made buffer type would be more
/// code than the rest of this module. It is also what the reference returns. The price: sq_repeat
/// fills the array before the kernel overwrites it, one extra pass over memory that shows at
/// large n (the swig and boost-python bridges return memoryview(bytearray).cast('d') instead,
/// which skips the fill); see results.md for the trade-off.
unsafe extern "C" fn scale_buffer(
    _module: *mut PyObject,
    args: *mut *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    boundary(|| unsafe {
        let [values, factor] = two_args(c"scale_buffer", args, nargs)?;
        let factor = as_f64(factor, c"factor")?;
        with_buffer(values, FLOAT64_REQUEST, |input| {
            let input = float64_elements(input)?.as_ref();
            let one_zero = ONE_ZERO.load(Ordering::Relaxed);
            let result = Owned::new(PySequence_Repeat(one_zero, input.len() as Py_ssize_t))?;
            with_buffer(result.as_ptr(), FLOAT64_REQUEST | PyBUF_WRITABLE, |out| {
                kernels::scale_into(input, factor, float64_elements(out)?.as_mut());
                Ok(())
            })?;
            Ok(result)
        })
    })
}

/// `scale_inplace(values, factor)`: scales a writable float64 buffer in place; returns None.
unsafe extern "C" fn scale_inplace(
    _module: *mut PyObject,
    args: *mut *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    boundary(|| unsafe {
        let [values, factor] = two_args(c"scale_inplace", args, nargs)?;
        let factor = as_f64(factor, c"factor")?;
        // PyBUF_WRITABLE: a read-only exporter raises (BufferError or, numpy, ValueError).
        with_buffer(values, FLOAT64_REQUEST | PyBUF_WRITABLE, |view| {
            kernels::scale_inplace(float64_elements(view)?.as_mut(), factor);
            Ok(())
        })?;
        Owned::new(Py_NewRef(Py_None()))
    })
}

/// One `PyMethodDef` for a METH_FASTCALL function. The docstring's first line, ended by
/// "--", becomes the function's `__text_signature__`.
const fn fastcall(
    name: &'static CStr,
    function: PyCFunctionFast,
    doc: &'static CStr,
) -> PyMethodDef {
    PyMethodDef {
        ml_name: name.as_ptr(),
        ml_meth: PyMethodDefPointer {
            PyCFunctionFast: function,
        },
        ml_flags: METH_FASTCALL,
        ml_doc: doc.as_ptr(),
    }
}

// `static mut` because CPython takes these tables through `*mut` pointers; nothing in Rust
// reads or writes them after `PyInit`.
static mut METHODS: [PyMethodDef; 7] = [
    fastcall(
        c"add",
        add,
        c"add(a, b)\n--\n\nThe exact int64 sum; OverflowError on overflow.",
    ),
    fastcall(
        c"checked_div",
        checked_div,
        c"checked_div(a, b)\n--\n\na / b truncated toward zero; ZeroDivisionError, OverflowError.",
    ),
    fastcall(
        c"map_callback",
        map_callback,
        c"map_callback(values, fn)\n--\n\nA new list: fn(x) for each x, in order; fn's exception propagates.",
    ),
    fastcall(
        c"scale_list",
        scale_list,
        c"scale_list(values, factor)\n--\n\nA new list.",
    ),
    fastcall(
        c"scale_buffer",
        scale_buffer,
        c"scale_buffer(values, factor)\n--\n\nA new array.array('d') from a float64 buffer.",
    ),
    fastcall(
        c"scale_inplace",
        scale_inplace,
        c"scale_inplace(values, factor)\n--\n\nScales a writable float64 buffer in place.",
    ),
    PyMethodDef::zeroed(), // end of table
];

static mut MODULE_DEF: PyModuleDef = PyModuleDef {
    m_base: PyModuleDef_HEAD_INIT,
    m_name: c"bb_cpython_api".as_ptr(),
    m_doc: c"bridgebench bridge `cpython-api`: the Rust kernels through the C-API by hand."
        .as_ptr(),
    // -1: single-phase init with process-wide state (ONE_ZERO), so no sub-interpreters.
    m_size: -1,
    m_methods: (&raw mut METHODS).cast(),
    m_slots: ptr::null_mut(),
    m_traverse: None,
    m_clear: None,
    m_free: None,
};

/// The module's entry point, found by name when Python imports `bb_cpython_api`.
///
/// # Safety
/// Called by the import system only, with the GIL held.
#[allow(non_snake_case)] // the name is fixed by CPython
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyInit_bb_cpython_api() -> *mut PyObject {
    boundary(|| unsafe {
        if ONE_ZERO.load(Ordering::Relaxed).is_null() {
            let array = Owned::new(PyImport_ImportModule(c"array".as_ptr()))?;
            let one_zero = PyObject_CallMethod(
                array.as_ptr(),
                c"array".as_ptr(),
                c"s[d]".as_ptr(), // array.array('d', [0.0])
                c"d".as_ptr(),
                0.0_f64,
            );
            // Kept for the life of the process, like a C module's static.
            ONE_ZERO.store(Owned::new(one_zero)?.into_ptr(), Ordering::Relaxed);
        }
        Owned::new(PyModule_Create(&raw mut MODULE_DEF))
    })
}
