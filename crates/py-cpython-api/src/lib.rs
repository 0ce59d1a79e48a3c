//! Bridge `cpython-api`: the floor. The Rust kernels as the module `bb_cpython_api`, written
//! by hand against the CPython C-API (through the `pyo3-ffi` declarations, no PyO3 framework):
//! METH_FASTCALL functions, a static `PyModuleDef`, `PyInit_bb_cpython_api`, and three types
//! made at import: `Holder` and `Counter` (heap types owning a Rust value) and `Summary` (a
//! struct sequence).
//! Protocol: docs/protocol.md; the contract in code: python/bridgebench/bridges/python_ref.py.
//!
//! Conventions of the C-API, kept with two small RAII types:
//! - a function that fails sets a Python exception and returns NULL. Here every helper returns
//!   `Result<_, Raised>`, where `Raised` means "the exception is already set";
//! - every new reference is released exactly once (`Owned`), every `Py_buffer` is released
//!   exactly once (`with_buffer`), on the error paths too;
//! - no Rust panic unwinds into CPython's C frames (`boundary`).

use std::ffi::{CStr, c_int, c_uint, c_void};
use std::mem::{self, MaybeUninit};
use std::panic::{self, AssertUnwindSafe};
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicPtr, Ordering};
use std::{slice, str};

use pyo3_ffi::*;

// ANCHOR: raii
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

/// A new `str` from a Rust `&str`: pointer and length, so embedded NULs are kept (a C string
/// would end at the first one).
fn new_str(text: &str) -> PyResult<Owned> {
    // SAFETY: GIL held; `text` is valid UTF-8 of the given length.
    Owned::new(unsafe {
        PyUnicode_FromStringAndSize(text.as_ptr().cast(), text.len() as Py_ssize_t)
    })
}

/// Sets `exc` with a Rust message (not NUL-terminated, so it goes through a Python str).
fn raise(exc: *mut PyObject, message: &str) -> Raised {
    if let Ok(text) = new_str(message) {
        // SAFETY: GIL held; `exc` is an exception type.
        unsafe { PyErr_SetObject(exc, text.as_ptr()) };
    }
    Raised
}

/// Runs a function body at the C boundary: a Rust panic becomes a SystemError, because
/// unwinding into CPython's C frames is undefined behaviour (Rust would abort the process).
fn boundary(body: impl FnOnce() -> PyResult<Owned>) -> *mut PyObject {
    match catch_panic(body) {
        Ok(result) => result.into_ptr(),
        Err(Raised) => ptr::null_mut(),
    }
}

/// `boundary` for a C function that answers a status (a setter): 0, or -1 with an exception.
fn status_boundary(body: impl FnOnce() -> PyResult<()>) -> c_int {
    match catch_panic(body) {
        Ok(()) => 0,
        Err(Raised) => -1,
    }
}

/// The body's result, with a Rust panic turned into a SystemError.
fn catch_panic<T>(body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    // AssertUnwindSafe: after a panic nothing the body touched is used again; its references
    // and buffers were released by their guards while unwinding.
    panic::catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| {
        // SAFETY: GIL held.
        unsafe { PyErr_SetString(PyExc_SystemError, c"Rust panic in bb_cpython_api".as_ptr()) };
        Err(Raised)
    })
}
// ANCHOR_END: raii

/// METH_FASTCALL hands over a C array of borrowed arguments; these functions take exactly `N`.
/// (Keyword arguments are refused by CPython itself: no METH_KEYWORDS.)
///
/// # Safety
/// `args` points to `nargs` valid objects.
unsafe fn exact_args<const N: usize>(
    name: &CStr,
    args: *mut *mut PyObject,
    nargs: Py_ssize_t,
) -> PyResult<[*mut PyObject; N]> {
    if nargs != N as Py_ssize_t {
        let fmt = c"%s() takes exactly %zd arguments (%zd given)";
        // SAFETY: the format's conversions match the argument types.
        let n = N as Py_ssize_t;
        unsafe { PyErr_Format(PyExc_TypeError, fmt.as_ptr(), name.as_ptr(), n, nargs) };
        return Err(Raised);
    }
    // SAFETY: `args` holds N pointers; N > 0 in every use, so `args` is not NULL.
    Ok(unsafe { *args.cast::<[*mut PyObject; N]>() })
}

/// TypeError for a call of `Counter()` or `bump()`, which take one optional argument, with more.
///
/// # Safety
/// GIL held.
unsafe fn too_many_args(name: &CStr, given: Py_ssize_t) -> Raised {
    let fmt = c"%s() takes at most 1 argument (%zd given)";
    // SAFETY: the format's conversions match the argument types.
    unsafe { PyErr_Format(PyExc_TypeError, fmt.as_ptr(), name.as_ptr(), given) };
    Raised
}

/// The keywords `Counter()` and `bump()` accept, as str objects interned at import.
static START: AtomicPtr<PyObject> = AtomicPtr::new(ptr::null_mut());
static BY: AtomicPtr<PyObject> = AtomicPtr::new(ptr::null_mut());

/// Checks that a keyword given to `function` is `expected`; TypeError naming it otherwise.
///
/// The compiler interns a call's keyword names (`c.bump(by=2)`), so the name is usually the
/// interned `expected` itself: one pointer comparison, CPython's own fast path. A name made at
/// run time (`**{"b" + "y": 2}`) is compared by value. A call's keywords are always str
/// (CPython refuses others before the call); the str check only guards a direct C caller.
///
/// # Safety
/// `name` is a valid object; `expected` was set by `PyInit`.
unsafe fn keyword(
    function: &CStr,
    name: *mut PyObject,
    expected: &AtomicPtr<PyObject>,
) -> PyResult<()> {
    // SAFETY: GIL held, `name` valid; comparing two str raises nothing.
    unsafe {
        let expected = expected.load(Ordering::Relaxed);
        if name == expected
            || (PyUnicode_Check(name) != 0 && PyUnicode_Compare(name, expected) == 0)
        {
            return Ok(());
        }
        let fmt = c"%s() got an unexpected keyword argument '%S'";
        PyErr_Format(PyExc_TypeError, fmt.as_ptr(), function.as_ptr(), name);
    }
    Err(Raised)
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

/// An int argument as int64, as CPython's own `PyLong_AsLongLong` reads it: an int (or int
/// subclass) by its stored value, any other object through its `__index__` (a bool, a numpy
/// integer); TypeError for anything else (a float is never truncated), OverflowError outside
/// int64. Runs Python code (an `__index__`) unless `obj` is an int: see `reads_in_place`.
///
/// # Safety
/// `obj` is a valid object.
unsafe fn as_i64(obj: *mut PyObject, what: &CStr) -> PyResult<i64> {
    // SAFETY: GIL held, `obj` valid.
    unsafe {
        // Checked first only to name the argument in the error.
        if PyLong_Check(obj) == 0 && PyIndex_Check(obj) == 0 {
            return Err(wrong_type(what, c"int", obj));
        }
        let value = PyLong_AsLongLong(obj);
        if value == -1 && !PyErr_Occurred().is_null() {
            return Err(Raised);
        }
        Ok(value)
    }
}

/// A `str` argument's UTF-8 form, borrowed from the str object, which caches it.
/// TypeError for anything but a str; UnicodeEncodeError for a str with a lone surrogate (it has
/// no UTF-8 form). Pointer and length, never a C string: embedded NULs are kept.
///
/// # Safety
/// `obj` is a valid object that outlives the returned `&str`.
unsafe fn as_str<'a>(obj: *mut PyObject, what: &CStr) -> PyResult<&'a str> {
    // SAFETY: GIL held, `obj` valid.
    unsafe {
        if PyUnicode_Check(obj) == 0 {
            return Err(wrong_type(what, c"str", obj));
        }
        let mut len: Py_ssize_t = 0;
        let data = PyUnicode_AsUTF8AndSize(obj, &mut len);
        if data.is_null() {
            return Err(Raised);
        }
        // CPython's strict UTF-8 encoder made these bytes, so they are valid UTF-8; checking
        // again would be a second pass over every string.
        let bytes = slice::from_raw_parts(data.cast::<u8>(), len as usize);
        Ok(str::from_utf8_unchecked(bytes))
    }
}

// ANCHOR: as_f64
/// A float argument as CPython's own `PyFloat_AsDouble` reads it: a float (or float subclass)
/// by its stored value, any other object through its `__float__`, else its `__index__` (an int
/// beyond float range: OverflowError); TypeError for anything else (a str is not parsed).
/// Runs Python code (a `__float__`) unless `obj` is a float or an exact int: see
/// `reads_in_place`.
///
/// # Safety
/// `obj` is a valid object.
unsafe fn as_f64(obj: *mut PyObject, what: &CStr) -> PyResult<f64> {
    // SAFETY: GIL held, `obj` valid; `tp_as_number` may be NULL.
    unsafe {
        if PyFloat_CheckExact(obj) != 0 {
            return Ok(PyFloat_AS_DOUBLE(obj));
        }
        let number = (*Py_TYPE(obj)).tp_as_number;
        let has_float = !number.is_null() && (*number).nb_float.is_some();
        if !has_float && PyIndex_Check(obj) == 0 {
            return Err(wrong_type(what, c"float", obj));
        }
        let value = PyFloat_AsDouble(obj);
        if value == -1.0 && !PyErr_Occurred().is_null() {
            return Err(Raised);
        }
        Ok(value)
    }
}

/// Whether `as_f64` (or, with `int`, `as_i64`) reads `obj` without running Python code: a
/// float, an exact int, or for an int argument any int. Anything else may call a method of
/// the caller's, which could change a list we are reading in place.
///
/// # Safety
/// `obj` is a valid object.
unsafe fn reads_in_place(obj: *mut PyObject, int: bool) -> bool {
    // SAFETY: GIL held, `obj` valid.
    unsafe {
        if int {
            PyLong_Check(obj) != 0
        } else {
            PyFloat_Check(obj) != 0 || PyLong_CheckExact(obj) != 0
        }
    }
}

/// The float64 values of a list or tuple (`list_or_tuple`), each by `as_f64`.
///
/// While every item reads in place they are read where they are; from the first item that may
/// run Python code on, they are read from a copy of the items that no Python code can reach,
/// so a `__float__` that empties the list cannot pull the items out from under us.
///
/// # Safety
/// `seq` came from `list_or_tuple`.
unsafe fn floats(seq: &Owned, what: &CStr) -> PyResult<Vec<f64>> {
    // SAFETY: GIL held; no Python code runs while `in_place` is borrowed.
    unsafe {
        let in_place = items(seq);
        let mut out = Vec::with_capacity(in_place.len());
        for &item in in_place {
            if !reads_in_place(item, false) {
                break;
            }
            out.push(as_f64(item, what)?);
        }
        if out.len() < in_place.len() {
            let copy = copy_items(seq)?;
            for &item in &items(&copy)[out.len()..] {
                out.push(as_f64(item, what)?);
            }
        }
        Ok(out)
    }
}
// ANCHOR_END: as_f64

// ANCHOR: with_buffer
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
// ANCHOR_END: with_buffer

// ANCHOR: allow_threads
/// Runs `work` with the GIL released, as `Py_BEGIN_ALLOW_THREADS` / `Py_END_ALLOW_THREADS`
/// do in C, and takes it back on every exit (a panic too). `work` must touch no Python object,
/// only memory an export held across the call keeps in place (`with_buffer`).
fn allow_threads<T>(work: impl FnOnce() -> T) -> T {
    struct Restore(*mut PyThreadState);
    impl Drop for Restore {
        fn drop(&mut self) {
            // SAFETY: the state PyEval_SaveThread returned on this thread.
            unsafe { PyEval_RestoreThread(self.0) }
        }
    }
    // SAFETY: GIL held (every entry point is called with it).
    let _restore = Restore(unsafe { PyEval_SaveThread() });
    work()
}
// ANCHOR_END: allow_threads

/// Buffer request for the kernels: a format string, and C-contiguous memory (the exporter
/// raises for a strided view rather than us copying it).
const KERNEL_REQUEST: c_int = PyBUF_FORMAT | PyBUF_C_CONTIGUOUS;

/// An element type the kernels read from a Python buffer, and the struct-module type codes
/// (format characters) an exporter may use for it.
trait BufferElement {
    /// What a TypeError says was expected.
    const NAME: &str;
    /// Type codes meaning this type, checked together with the item size: numpy's int64 says
    /// 'l' (C `long`, 8 bytes on 64-bit Linux and macOS), `array('q')` says 'q'.
    const CODES: &[u8];
}

impl BufferElement for f64 {
    const NAME: &str = "float64 data (format 'd')";
    const CODES: &[u8] = b"d";
}

impl BufferElement for i64 {
    const NAME: &str = "int64 data (format 'q' or 'l')";
    const CODES: &[u8] = b"ql";
}

/// Bytes: `bytes`, `bytearray` and numpy uint8 say 'B'; int8 and ctypes char arrays 'b', 'c'.
impl BufferElement for u8 {
    const NAME: &str = "bytes-like data (itemsize 1)";
    const CODES: &[u8] = b"Bbc";
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

/// Checks the export is 1-D, aligned, of native `T`, and returns its elements.
fn elements<T: BufferElement>(view: &Py_buffer) -> PyResult<NonNull<[T]>> {
    let format: &[u8] = if view.format.is_null() {
        b"B" // a NULL format means unsigned bytes
    } else {
        // SAFETY: a non-NULL format is a C string owned by the export.
        unsafe { CStr::from_ptr(view.format) }.to_bytes()
    };
    let is_t = native_code(format).is_some_and(|code| T::CODES.contains(&code));
    if !is_t || view.itemsize != mem::size_of::<T>() as Py_ssize_t {
        let format = String::from_utf8_lossy(format);
        let message = format!("expected {}, got format {format:?}", T::NAME);
        return Err(raise(unsafe { PyExc_TypeError }, &message));
    }
    if view.ndim != 1 {
        let message = format!("expected a 1-D buffer, got {} dimensions", view.ndim);
        return Err(raise(unsafe { PyExc_ValueError }, &message));
    }
    // SAFETY: PyBUF_ND (part of PyBUF_C_CONTIGUOUS) makes the exporter fill `shape`; ndim == 1.
    let len = unsafe { *view.shape } as usize;
    let data = view.buf.cast::<T>();
    // A misaligned export is possible (a memoryview cast at an odd offset); no Rust slice may
    // be made from it. An empty export may carry a NULL pointer, which a slice must not either.
    if len == 0 {
        return Ok(NonNull::slice_from_raw_parts(NonNull::dangling(), 0));
    }
    match NonNull::new(data) {
        Some(data) if data.is_aligned() => Ok(NonNull::slice_from_raw_parts(data, len)),
        _ => {
            let message = format!("buffer is not {}-byte aligned", mem::align_of::<T>());
            Err(raise(unsafe { PyExc_BufferError }, &message))
        }
    }
}

/// Raises a kernel's refusal as the exception the contract names, with the kernel's message.
fn raise_kernel_error(error: kernels::KernelError) -> Raised {
    // SAFETY: reading the exception type statics; GIL held.
    let exc = unsafe {
        match error {
            kernels::KernelError::Overflow => PyExc_OverflowError,
            kernels::KernelError::DivisionByZero => PyExc_ZeroDivisionError,
            kernels::KernelError::BadColumns | kernels::KernelError::InvalidUtf8 => {
                PyExc_ValueError
            }
        }
    };
    raise(exc, &error.to_string())
}

// ANCHOR: add
/// `add(a, b)`: the exact int64 sum; overflow is an OverflowError, never a wrap-around.
unsafe extern "C" fn add(
    _module: *mut PyObject,
    args: *mut *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    boundary(|| unsafe {
        let [a, b] = exact_args(c"add", args, nargs)?;
        let (a, b) = (as_i64(a, c"a")?, as_i64(b, c"b")?);
        match kernels::add(a, b) {
            Ok(sum) => Owned::new(PyLong_FromLongLong(sum)),
            Err(error) => Err(raise_kernel_error(error)),
        }
    })
}
// ANCHOR_END: add

/// `checked_div(a, b)`: `a / b` truncated toward zero; ZeroDivisionError for `b == 0`,
/// OverflowError for `INT64_MIN / -1`.
unsafe extern "C" fn checked_div(
    _module: *mut PyObject,
    args: *mut *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    boundary(|| unsafe {
        let [a, b] = exact_args(c"checked_div", args, nargs)?;
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
        let [values, factor] = exact_args(c"scale_list", args, nargs)?;
        let factor = as_f64(factor, c"factor")?;
        let values = list_or_tuple(values, c"values", c"a list or tuple")?;
        let mut scaled = floats(&values, c"values[i]")?;
        kernels::scale_inplace(&mut scaled, factor);

        let list = Owned::new(PyList_New(scaled.len() as Py_ssize_t))?;
        for (i, &value) in (0..).zip(&scaled) {
            let item = Owned::new(PyFloat_FromDouble(value))?;
            PyList_SET_ITEM(list.as_ptr(), i, item.into_ptr()); // steals the reference
        }
        Ok(list)
    })
}

// ANCHOR: map_callback
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
        let [values, callback] = exact_args(c"map_callback", args, nargs)?;
        if PyCallable_Check(callback) == 0 {
            return Err(wrong_type(c"map_callback(): fn", c"callable", callback));
        }
        let values = list_or_tuple(values, c"values", c"a list or tuple")?;
        let inputs = floats(&values, c"values[i]")?;
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
// ANCHOR_END: map_callback

/// `array('d', [0.0])`, made once at import: `scale_buffer` repeats it to get its result.
static ONE_ZERO: AtomicPtr<PyObject> = AtomicPtr::new(ptr::null_mut());

// ANCHOR: scale_buffer
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
        let [values, factor] = exact_args(c"scale_buffer", args, nargs)?;
        let factor = as_f64(factor, c"factor")?;
        with_buffer(values, KERNEL_REQUEST, |input| {
            let input = elements::<f64>(input)?.as_ref();
            let one_zero = ONE_ZERO.load(Ordering::Relaxed);
            let result = Owned::new(PySequence_Repeat(one_zero, input.len() as Py_ssize_t))?;
            with_buffer(result.as_ptr(), KERNEL_REQUEST | PyBUF_WRITABLE, |out| {
                let out = elements::<f64>(out)?.as_mut();
                // O(n) over memory the exports pin, no Python object: let other threads run.
                allow_threads(|| kernels::scale_into(input, factor, out));
                Ok(())
            })?;
            Ok(result)
        })
    })
}
// ANCHOR_END: scale_buffer

/// `scale_inplace(values, factor)`: scales a writable float64 buffer in place; returns None.
/// It keeps the GIL: each call is then atomic with respect to other Python threads, so threads
/// scaling one shared buffer stay exact.
unsafe extern "C" fn scale_inplace(
    _module: *mut PyObject,
    args: *mut *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    boundary(|| unsafe {
        let [values, factor] = exact_args(c"scale_inplace", args, nargs)?;
        let factor = as_f64(factor, c"factor")?;
        // PyBUF_WRITABLE: a read-only exporter raises (BufferError or, numpy, ValueError).
        with_buffer(values, KERNEL_REQUEST | PyBUF_WRITABLE, |view| {
            kernels::scale_inplace(elements::<f64>(view)?.as_mut(), factor);
            Ok(())
        })?;
        Owned::new(Py_NewRef(Py_None()))
    })
}

/// A `Holder` instance as CPython lays it out: the object header, then the Rust value.
/// `tp_basicsize` is this struct's size, so CPython allocates room for both.
#[repr(C)]
struct HolderObject {
    ob_base: PyObject,
    holder: kernels::Holder,
}

/// The `Holder` type, made once at import by `holder_type`.
static HOLDER_TYPE: AtomicPtr<PyTypeObject> = AtomicPtr::new(ptr::null_mut());

/// The Rust value inside a `Holder` instance.
///
/// # Safety
/// `obj` is a live `Holder` instance (CPython checks `self`'s type before calling a method),
/// and no other reference to its value is in use (the GIL serializes calls; none re-enters).
unsafe fn holder<'a>(obj: *mut PyObject) -> &'a mut kernels::Holder {
    unsafe { &mut (*obj.cast::<HolderObject>()).holder }
}

// ANCHOR: holder_new
/// `Holder(text)`: the type's `tp_new`, which both allocates and initializes (no `tp_init`,
/// so an instance is never seen half-made). The text is converted first: a bad argument
/// raises before anything is allocated, so no holder is left alive.
unsafe extern "C" fn holder_new(
    subtype: *mut PyTypeObject,
    args: *mut PyObject,
    kwargs: *mut PyObject,
) -> *mut PyObject {
    boundary(|| unsafe {
        // A type call passes a tuple and a dict (or NULL), not METH_FASTCALL's array.
        if !kwargs.is_null() && PyDict_Size(kwargs) != 0 {
            return Err(raise(
                PyExc_TypeError,
                "Holder() takes no keyword arguments",
            ));
        }
        let nargs = PyTuple_GET_SIZE(args);
        if nargs != 1 {
            let fmt = c"Holder() takes exactly 1 argument (%zd given)";
            PyErr_Format(PyExc_TypeError, fmt.as_ptr(), nargs);
            return Err(Raised);
        }
        // `args` holds a reference to `text` until we return, so the borrowed &str is valid.
        let text = as_str(PyTuple_GET_ITEM(args, 0), c"text")?;
        let alloc = (*subtype).tp_alloc.unwrap_or(PyType_GenericAlloc);
        let obj = Owned::new(alloc(subtype, 0))?;
        // The memory after the header is zeroed, not a Holder: write without dropping it. No
        // `?` comes between the allocation and this write, so `holder_dealloc` (run if `obj`
        // is dropped) always finds an initialized Holder.
        let slot = &raw mut (*obj.as_ptr().cast::<HolderObject>()).holder;
        slot.write(kernels::Holder::new(text));
        Ok(obj)
    })
}

/// `tp_dealloc`: CPython calls it once, when the refcount reaches zero (also when the cycle
/// collector clears a container that held the last reference). The Rust `Drop` runs here.
unsafe extern "C" fn holder_dealloc(obj: *mut PyObject) {
    // SAFETY: `obj` is a Holder instance being destroyed; nothing uses it after this.
    unsafe {
        let tp = Py_TYPE(obj);
        ptr::drop_in_place(&raw mut (*obj.cast::<HolderObject>()).holder);
        if let Some(free) = (*tp).tp_free {
            free(obj.cast());
        }
        // Each instance of a heap type holds a reference to its type.
        Py_DECREF(tp.cast());
    }
}
// ANCHOR_END: holder_new

/// `Holder.text()`: a new str each call (METH_NOARGS: CPython checks there are none).
unsafe extern "C" fn holder_text(obj: *mut PyObject, _unused: *mut PyObject) -> *mut PyObject {
    boundary(|| unsafe { new_str(holder(obj).text()) })
}

/// `Holder.utf8_len()`: the text's length in UTF-8 bytes.
unsafe extern "C" fn holder_utf8_len(obj: *mut PyObject, _unused: *mut PyObject) -> *mut PyObject {
    boundary(|| unsafe { Owned::new(PyLong_FromSize_t(holder(obj).utf8_len())) })
}

/// `Holder.append(more)` (METH_O: CPython passes the one argument itself). `more` is converted
/// before the holder is touched, so a bad one leaves the text unchanged.
unsafe extern "C" fn holder_append(obj: *mut PyObject, more: *mut PyObject) -> *mut PyObject {
    boundary(|| unsafe {
        holder(obj).append(as_str(more, c"more")?);
        Owned::new(Py_NewRef(Py_None()))
    })
}

static mut HOLDER_METHODS: [PyMethodDef; 4] = [
    method(
        c"text",
        holder_text,
        METH_NOARGS,
        c"text($self, /)\n--\n\nThe text, as a new str.",
    ),
    method(
        c"utf8_len",
        holder_utf8_len,
        METH_NOARGS,
        c"utf8_len($self, /)\n--\n\nThe text's length in UTF-8 bytes.",
    ),
    method(
        c"append",
        holder_append,
        METH_O,
        c"append($self, more, /)\n--\n\nAppends more (a str) to the text.",
    ),
    PyMethodDef::zeroed(), // end of table
];

/// Makes the `Holder` heap type from a spec (the modern way: no static PyTypeObject to fill).
///
/// # Safety
/// GIL held; called once, from `PyInit`.
unsafe fn holder_type() -> PyResult<*mut PyTypeObject> {
    // CPython copies the slots; it keeps pointers to the name, the doc's copy and the method
    // table, which are static.
    let mut slots = [
        PyType_Slot {
            slot: Py_tp_new,
            pfunc: holder_new as newfunc as *mut c_void,
        },
        PyType_Slot {
            slot: Py_tp_dealloc,
            pfunc: holder_dealloc as destructor as *mut c_void,
        },
        PyType_Slot {
            slot: Py_tp_methods,
            pfunc: (&raw mut HOLDER_METHODS).cast(),
        },
        PyType_Slot {
            slot: Py_tp_doc,
            pfunc: c"Holder(text)\n--\n\nA native object owning a UTF-8 copy of text (a str)."
                .as_ptr()
                .cast_mut()
                .cast(),
        },
        PyType_Slot {
            slot: 0, // end of slots
            pfunc: ptr::null_mut(),
        },
    ];
    let mut spec = PyType_Spec {
        name: c"bb_cpython_api.Holder".as_ptr(),
        basicsize: mem::size_of::<HolderObject>() as c_int,
        itemsize: 0,
        // No HAVE_GC: a Holder refers to no Python object, so it is never part of a cycle
        // itself; the collector frees the containers around it, which drop the last reference.
        // No BASETYPE: a Python subclass would add a __dict__, and cycles through it. And
        // IMMUTABLETYPE: like a static type, its attributes cannot be reassigned.
        flags: (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE) as c_uint,
        slots: slots.as_mut_ptr(),
    };
    // SAFETY: the spec and its slots are valid for this call.
    let tp = Owned::new(unsafe { PyType_FromSpec(&mut spec) })?;
    Ok(tp.into_ptr().cast())
}

/// A `Counter` instance: the object header, then the Rust value (as `HolderObject`).
#[repr(C)]
struct CounterObject {
    ob_base: PyObject,
    counter: kernels::Counter,
}

// No `tp_dealloc` for `Counter`: there is nothing to drop, so the heap type's default one
// (which frees the object and releases the instance's reference to its type) is all it needs.
const _: () = assert!(!mem::needs_drop::<kernels::Counter>());

/// The `Counter` type, made once at import by `counter_type`.
static COUNTER_TYPE: AtomicPtr<PyTypeObject> = AtomicPtr::new(ptr::null_mut());

/// The Rust value inside a `Counter` instance.
///
/// # Safety
/// `obj` is a live `Counter` instance (CPython checks `self`'s type before calling a method or
/// a getset descriptor), and no other reference to its value is in use (as for `holder`).
unsafe fn counter<'a>(obj: *mut PyObject) -> &'a mut kernels::Counter {
    unsafe { &mut (*obj.cast::<CounterObject>()).counter }
}

/// `Counter(start=0)`: `tp_new` alone, as `Holder`'s. `start` comes by position or by keyword,
/// parsed by hand: at most one argument, and the only keyword allowed is `start`.
unsafe extern "C" fn counter_new(
    subtype: *mut PyTypeObject,
    args: *mut PyObject,
    kwargs: *mut PyObject,
) -> *mut PyObject {
    boundary(|| unsafe {
        // A type call passes a tuple and a dict (or NULL), not METH_FASTCALL's array.
        let nargs = PyTuple_GET_SIZE(args);
        let nkw = if kwargs.is_null() {
            0
        } else {
            PyDict_Size(kwargs)
        };
        let start = match (nargs, nkw) {
            (0, 0) => 0,
            (1, 0) => as_i64(PyTuple_GET_ITEM(args, 0), c"start")?,
            (0, 1) => {
                let (mut pos, mut name, mut value) = (0, ptr::null_mut(), ptr::null_mut());
                PyDict_Next(kwargs, &mut pos, &mut name, &mut value); // the one item, borrowed
                keyword(c"Counter", name, &START)?;
                as_i64(value, c"start")?
            }
            _ => return Err(too_many_args(c"Counter", nargs + nkw)),
        };
        let alloc = (*subtype).tp_alloc.unwrap_or(PyType_GenericAlloc);
        let obj = Owned::new(alloc(subtype, 0))?;
        // The memory after the header is zeroed, not a Counter: write it in place.
        let slot = &raw mut (*obj.as_ptr().cast::<CounterObject>()).counter;
        slot.write(kernels::Counter::new(start));
        Ok(obj)
    })
}

// ANCHOR: counter_bump
/// `Counter.bump(by=1)`, METH_FASTCALL | METH_KEYWORDS: one C array holds the positional
/// arguments, then the values of the keywords named by the tuple `kwnames` (NULL if none).
/// With a single parameter, either way its value is `args[0]`: only its name needs checking.
/// `by` is converted before the counter is touched; an overflowing sum leaves it unchanged.
unsafe extern "C" fn counter_bump(
    obj: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    boundary(|| unsafe {
        let nkw = if kwnames.is_null() {
            0
        } else {
            PyTuple_GET_SIZE(kwnames)
        };
        let by = match nargs + nkw {
            0 => 1,
            1 => {
                if nkw == 1 {
                    keyword(c"bump", PyTuple_GET_ITEM(kwnames, 0), &BY)?;
                }
                as_i64(*args, c"by")?
            }
            given => return Err(too_many_args(c"bump", given)),
        };
        match counter(obj).bump(by) {
            Ok(value) => Owned::new(PyLong_FromLongLong(value)),
            Err(error) => Err(raise_kernel_error(error)),
        }
    })
}
// ANCHOR_END: counter_bump

/// `Counter.value`, read: the getter of a getset descriptor, which CPython finds on the type.
unsafe extern "C" fn counter_get_value(obj: *mut PyObject, _closure: *mut c_void) -> *mut PyObject {
    boundary(|| unsafe { Owned::new(PyLong_FromLongLong(counter(obj).value())) })
}

/// `Counter.value = v`; `del c.value` calls the setter with NULL, refused with AttributeError as
/// for a Python property without a deleter.
unsafe extern "C" fn counter_set_value(
    obj: *mut PyObject,
    value: *mut PyObject,
    _closure: *mut c_void,
) -> c_int {
    status_boundary(|| unsafe {
        if value.is_null() {
            PyErr_SetString(
                PyExc_AttributeError,
                c"Counter.value cannot be deleted".as_ptr(),
            );
            return Err(Raised);
        }
        counter(obj).set_value(as_i64(value, c"value")?);
        Ok(())
    })
}

static mut COUNTER_METHODS: [PyMethodDef; 2] = [
    PyMethodDef {
        ml_name: c"bump".as_ptr(),
        ml_meth: PyMethodDefPointer {
            PyCFunctionFastWithKeywords: counter_bump,
        },
        ml_flags: METH_FASTCALL | METH_KEYWORDS,
        ml_doc: c"bump($self, /, by=1)\n--\n\nAdds by (an int) and returns the new value; OverflowError leaves it unchanged."
            .as_ptr(),
    },
    PyMethodDef::zeroed(), // end of table
];

static mut COUNTER_GETSET: [PyGetSetDef; 2] = [
    PyGetSetDef {
        name: c"value".as_ptr(),
        get: Some(counter_get_value),
        set: Some(counter_set_value),
        doc: c"The current value, an int64.".as_ptr(),
        closure: ptr::null_mut(),
    },
    PyGetSetDef {
        name: ptr::null(), // end of table
        get: None,
        set: None,
        doc: ptr::null(),
        closure: ptr::null_mut(),
    },
];

/// Makes the `Counter` heap type, as `holder_type` makes `Holder` (same flags, same reasons).
///
/// # Safety
/// GIL held; called once, from `PyInit`.
unsafe fn counter_type() -> PyResult<*mut PyTypeObject> {
    let mut slots = [
        PyType_Slot {
            slot: Py_tp_new,
            pfunc: counter_new as newfunc as *mut c_void,
        },
        PyType_Slot {
            slot: Py_tp_methods,
            pfunc: (&raw mut COUNTER_METHODS).cast(),
        },
        PyType_Slot {
            slot: Py_tp_getset,
            pfunc: (&raw mut COUNTER_GETSET).cast(),
        },
        PyType_Slot {
            slot: Py_tp_doc,
            pfunc: c"Counter(start=0)\n--\n\nA native object holding one int64, value."
                .as_ptr()
                .cast_mut()
                .cast(),
        },
        PyType_Slot {
            slot: 0, // end of slots
            pfunc: ptr::null_mut(),
        },
    ];
    let mut spec = PyType_Spec {
        name: c"bb_cpython_api.Counter".as_ptr(),
        basicsize: mem::size_of::<CounterObject>() as c_int,
        itemsize: 0,
        flags: (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE) as c_uint,
        slots: slots.as_mut_ptr(),
    };
    // SAFETY: the spec and its slots are valid for this call.
    let tp = Owned::new(unsafe { PyType_FromSpec(&mut spec) })?;
    Ok(tp.into_ptr().cast())
}

/// `live_holders()`: how many `Holder`s of this module are alive (the kernel's own count).
unsafe extern "C" fn live_holders(_module: *mut PyObject, _unused: *mut PyObject) -> *mut PyObject {
    boundary(|| unsafe { Owned::new(PyLong_FromLongLong(kernels::live_holders())) })
}

/// The `Summary` type: a struct sequence, the C-API's record type (as `os.stat_result`): a
/// tuple subclass whose items are also named attributes, and whose repr names them too.
static SUMMARY_TYPE: AtomicPtr<PyTypeObject> = AtomicPtr::new(ptr::null_mut());

/// Makes the `Summary` struct sequence type.
///
/// # Safety
/// GIL held; called once, from `PyInit`.
unsafe fn summary_type() -> PyResult<*mut PyTypeObject> {
    let field = |name: &'static CStr, doc: &'static CStr| PyStructSequence_Field {
        name: name.as_ptr(),
        doc: doc.as_ptr(),
    };
    // CPython copies this table; it keeps pointers to the names, which are static.
    let mut fields = [
        field(c"count", c"the number of records"),
        field(c"score_sum", c"the scores added left to right from 0.0"),
        field(
            c"max_id",
            c"the largest id; -2**63 when there are no records",
        ),
        field(
            c"longest_name",
            c"the name with the most UTF-8 bytes, the first on ties",
        ),
        PyStructSequence_Field {
            name: ptr::null(), // end of fields
            doc: ptr::null(),
        },
    ];
    let mut desc = PyStructSequence_Desc {
        name: c"bb_cpython_api.Summary".as_ptr(),
        doc: c"summarize's result: count, score_sum, max_id, longest_name.".as_ptr(),
        fields: fields.as_mut_ptr(),
        n_in_sequence: 4,
    };
    // SAFETY: the description is valid for this call. A new type, or NULL with an exception.
    let tp = unsafe { PyStructSequence_NewType(&mut desc) };
    Ok(Owned::new(tp.cast())?.into_ptr().cast())
}

/// A `Summary` from the fold's state. The longest name is still borrowed from the input (a
/// record's str or the columns' bytes): it is copied once, here, into the new str.
///
/// # Safety
/// GIL held; `SUMMARY_TYPE` was made by `PyInit`.
unsafe fn summary_object(summarizer: &kernels::Summarizer<'_>) -> PyResult<Owned> {
    unsafe {
        let summary = Owned::new(PyStructSequence_New(SUMMARY_TYPE.load(Ordering::Relaxed)))?;
        // Each field is set as soon as it is made (SET_ITEM steals the reference). If one fails,
        // dropping `summary` releases those already set: a new struct sequence's items are NULL.
        let set = |i, field: PyResult<Owned>| -> PyResult<()> {
            PyStructSequence_SET_ITEM(summary.as_ptr(), i, field?.into_ptr());
            Ok(())
        };
        set(0, Owned::new(PyLong_FromLongLong(summarizer.count())))?;
        set(1, Owned::new(PyFloat_FromDouble(summarizer.score_sum())))?;
        set(2, Owned::new(PyLong_FromLongLong(summarizer.max_id())))?;
        set(3, new_str(summarizer.longest_name()))?;
        Ok(summary)
    }
}

/// A list or tuple through `PySequence_Fast`, which gives both one C array of items (for these
/// two types it returns the object itself, with a new reference: no copy). TypeError for any
/// other type: `PySequence_Fast` alone would turn any iterable, a str included, into a list.
///
/// # Safety
/// `obj` is a valid object.
unsafe fn list_or_tuple(obj: *mut PyObject, what: &CStr, expected: &CStr) -> PyResult<Owned> {
    unsafe {
        if PyList_Check(obj) == 0 && PyTuple_Check(obj) == 0 {
            return Err(wrong_type(what, expected, obj));
        }
        Owned::new(PySequence_Fast(obj, what.as_ptr()))
    }
}

/// The items of a `list_or_tuple` result where no Python code can reach them: a list's items
/// (as stored, as `items` reads them) in a new list, a tuple itself (it cannot change).
///
/// # Safety
/// `seq` came from `list_or_tuple`.
unsafe fn copy_items(seq: &Owned) -> PyResult<Owned> {
    unsafe {
        if PyList_Check(seq.as_ptr()) != 0 {
            Owned::new(PyList_GetSlice(
                seq.as_ptr(),
                0,
                PyList_GET_SIZE(seq.as_ptr()),
            ))
        } else {
            Py_INCREF(seq.as_ptr());
            Owned::new(seq.as_ptr())
        }
    }
}

/// The items of a `list_or_tuple` result, borrowed.
///
/// # Safety
/// `seq` came from `list_or_tuple`, and no Python code runs while the slice is used (a list
/// could change under it).
unsafe fn items(seq: &Owned) -> &[*mut PyObject] {
    unsafe {
        match PySequence_Fast_GET_SIZE(seq.as_ptr()) {
            0 => &[], // an empty list's item array may be NULL, which a slice must not be
            n => slice::from_raw_parts(PySequence_Fast_ITEMS(seq.as_ptr()), n as usize),
        }
    }
}

// ANCHOR: summarize_objects
/// `summarize_objects(records)` (METH_O: one argument): the Summary of a list or tuple of
/// `(id, name, score)` records, each a list or tuple of exactly three fields.
///
/// Names are borrowed, not copied: `as_str` gives the UTF-8 form CPython keeps inside each str,
/// and the fold keeps a `&str` to the longest so far. Sound because nothing can change or free
/// the records meanwhile: while every id and score reads in place no Python code runs (and the
/// records are our caller's argument); at the first that may run some (an `__index__` or a
/// `__float__`, which could empty a list), the fold starts again over copies that no Python code
/// can reach.
unsafe extern "C" fn summarize_objects(
    _module: *mut PyObject,
    records: *mut PyObject,
) -> *mut PyObject {
    boundary(|| unsafe {
        let records = list_or_tuple(records, c"records", c"a list or tuple")?;
        match fold(&records, false)? {
            Some(summary) => Ok(summary),
            None => fold(&copy_items(&records)?, true)?.ok_or(Raised),
        }
    })
}

/// The Summary of `records`; `None` if a field may run Python code and the records are not
/// `copied`. Copied records are copied once more, each, and kept until the Summary is made, so
/// the names borrowed from them stay alive.
///
/// # Safety
/// `records` came from `list_or_tuple`, or from `copy_items` if `copied`.
unsafe fn fold(records: &Owned, copied: bool) -> PyResult<Option<Owned>> {
    unsafe {
        let mut kept = Vec::new(); // only when copied: no allocation otherwise
        let mut summarizer = kernels::Summarizer::default();
        for &record in items(records) {
            let mut record = list_or_tuple(record, c"a record", c"a tuple")?;
            if copied {
                record = copy_items(&record)?;
            }
            let &[id, name, score] = items(&record) else {
                let fmt = c"a record has 3 fields (id, name, score), not %zd";
                let n = items(&record).len() as Py_ssize_t;
                PyErr_Format(PyExc_TypeError, fmt.as_ptr(), n);
                return Err(Raised);
            };
            if !copied && (!reads_in_place(id, true) || !reads_in_place(score, false)) {
                return Ok(None);
            }
            let (id, name, score) = (
                as_i64(id, c"id")?,
                as_str(name, c"name")?,
                as_f64(score, c"score")?,
            );
            summarizer.add(id, name, score);
            if copied {
                kept.push(record);
            }
        }
        summary_object(&summarizer).map(Some)
    }
}
// ANCHOR_END: summarize_objects

/// `summarize_columns(ids, scores, name_offsets, name_bytes)`: the Summary of columns in
/// Apache Arrow's layout, read in place through the buffer protocol.
///
/// Each export is released when its closure returns, in reverse order, on every path. The
/// kernel checks that the columns agree and that each name is UTF-8 (ValueError), and the fold
/// borrows the longest name from `name_bytes` until `summary_object` copies it.
unsafe extern "C" fn summarize_columns(
    _module: *mut PyObject,
    args: *mut *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    boundary(|| unsafe {
        let [ids, scores, name_offsets, name_bytes] =
            exact_args(c"summarize_columns", args, nargs)?;
        with_buffer(ids, KERNEL_REQUEST, |ids| {
            with_buffer(scores, KERNEL_REQUEST, |scores| {
                with_buffer(name_offsets, KERNEL_REQUEST, |name_offsets| {
                    with_buffer(name_bytes, KERNEL_REQUEST, |name_bytes| {
                        let columns = kernels::Columns {
                            ids: elements::<i64>(ids)?.as_ref(),
                            scores: elements::<f64>(scores)?.as_ref(),
                            name_offsets: elements::<i64>(name_offsets)?.as_ref(),
                            name_bytes: elements::<u8>(name_bytes)?.as_ref(),
                        };
                        // Reads only the exports: other threads run meanwhile.
                        let summarizer =
                            allow_threads(|| columns.summarizer()).map_err(raise_kernel_error)?;
                        summary_object(&summarizer)
                    })
                })
            })
        })
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

/// One `PyMethodDef` for a METH_NOARGS or METH_O function: `self` (or the module) and one
/// argument (NULL for METH_NOARGS).
const fn method(
    name: &'static CStr,
    function: PyCFunction,
    flags: c_int,
    doc: &'static CStr,
) -> PyMethodDef {
    PyMethodDef {
        ml_name: name.as_ptr(),
        ml_meth: PyMethodDefPointer {
            PyCFunction: function,
        },
        ml_flags: flags,
        ml_doc: doc.as_ptr(),
    }
}

// `static mut` because CPython takes these tables through `*mut` pointers; nothing in Rust
// reads or writes them after `PyInit`.
static mut METHODS: [PyMethodDef; 10] = [
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
    method(
        c"live_holders",
        live_holders,
        METH_NOARGS,
        c"live_holders($module, /)\n--\n\nHow many Holder objects of this module are alive.",
    ),
    method(
        c"summarize_objects",
        summarize_objects,
        METH_O,
        c"summarize_objects($module, records, /)\n--\n\nThe Summary of a list of (id, name, score) records.",
    ),
    fastcall(
        c"summarize_columns",
        summarize_columns,
        c"summarize_columns(ids, scores, name_offsets, name_bytes)\n--\n\nThe Summary of records in Arrow's column layout.",
    ),
    PyMethodDef::zeroed(), // end of table
];

static mut MODULE_DEF: PyModuleDef = PyModuleDef {
    m_base: PyModuleDef_HEAD_INIT,
    m_name: c"bb_cpython_api".as_ptr(),
    m_doc: c"bridgebench bridge `cpython-api`: the Rust kernels through the C-API by hand."
        .as_ptr(),
    // -1: single-phase init with process-wide state (ONE_ZERO, the keywords, the types), so no
    // sub-interpreters.
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
        for (keyword, text) in [(&START, c"start"), (&BY, c"by")] {
            if keyword.load(Ordering::Relaxed).is_null() {
                let name = Owned::new(PyUnicode_InternFromString(text.as_ptr()))?;
                keyword.store(name.into_ptr(), Ordering::Relaxed);
            }
        }
        // The types live for the life of the process too; the module holds one more reference.
        if HOLDER_TYPE.load(Ordering::Relaxed).is_null() {
            HOLDER_TYPE.store(holder_type()?, Ordering::Relaxed);
        }
        if SUMMARY_TYPE.load(Ordering::Relaxed).is_null() {
            SUMMARY_TYPE.store(summary_type()?, Ordering::Relaxed);
        }
        if COUNTER_TYPE.load(Ordering::Relaxed).is_null() {
            COUNTER_TYPE.store(counter_type()?, Ordering::Relaxed);
        }
        let module = Owned::new(PyModule_Create(&raw mut MODULE_DEF))?;
        for tp in [&HOLDER_TYPE, &SUMMARY_TYPE, &COUNTER_TYPE] {
            // Adds the type under its short name, with a new reference.
            if PyModule_AddType(module.as_ptr(), tp.load(Ordering::Relaxed)) < 0 {
                return Err(Raised);
            }
        }
        Ok(module)
    })
}
