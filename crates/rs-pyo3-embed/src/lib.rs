//! Rust calls a Python callable through PyO3, with the interpreter embedded in the
//! Rust process (`auto-initialize`).
//!
//! The Rust kernel (`kernels::map_callback`) runs with the interpreter attached and
//! calls a Python callable for every element: `callable(x)` then `float` extraction.
//! The callable is the caller's Rust closure wrapped as a Python object
//! ([`RustCallback`], a `#[pyclass]` with `__call__`), so each element crosses
//! Rust -> Python -> Rust: the whole cost of Rust calling a Python callable.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use std::cell::Cell;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};

/// The error of [`map_callback`].
#[derive(Debug)]
pub enum MapError<E> {
    /// The callback's own `Err`, unchanged; it was the last call.
    Callback(E),
    /// A Python exception that did not come from the callback.
    Python(PyErr),
}

impl<E: fmt::Display> fmt::Display for MapError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MapError::Callback(e) => e.fmt(f),
            MapError::Python(e) => e.fmt(f),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for MapError<E> {}

/// What a [`RustCallback`] points at while [`map_callback`] runs.
struct Context<'a> {
    /// The caller's closure, with its error reduced to "failed" (it keeps the error itself).
    f: &'a mut dyn FnMut(f64) -> Result<f64, ()>,
    /// A panic caught in `__call__`, resumed once Python has returned.
    panic: Option<Box<dyn std::any::Any + Send>>,
}

pyo3::create_exception!(
    rs_pyo3_embed,
    CallbackFailed,
    pyo3::exceptions::PyException,
    "Raised by `RustCallback` when the Rust closure failed or panicked; the failure itself stays on the Rust side."
);

// ANCHOR: callback
/// The Rust closure as a Python callable. `ctx` is live only during [`map_callback`]
/// (null before and after: a call then raises); `unsendable`: usable from the creating
/// thread only, which PyO3 checks.
#[pyclass(unsendable)]
struct RustCallback {
    ctx: Cell<*mut Context<'static>>,
}

#[pymethods]
impl RustCallback {
    fn __call__(&self, x: f64) -> PyResult<f64> {
        let ctx = self.ctx.get();
        if ctx.is_null() {
            return Err(PyRuntimeError::new_err(
                "callback used outside map_callback",
            ));
        }
        // SAFETY: non-null only while map_callback's `Context` is live on its stack, and
        // the object cannot leave this thread; Python calls it one call at a time (the
        // kernel is single-threaded and the closure is not reentrant from Python).
        let ctx = unsafe { &mut *ctx };
        match panic::catch_unwind(AssertUnwindSafe(|| (ctx.f)(x))) {
            Ok(Ok(y)) => Ok(y),
            Ok(Err(())) => Err(CallbackFailed::new_err("the Rust callback failed")),
            Err(payload) => {
                // Must not unwind through CPython's frames: keep it, raise, resume later.
                ctx.panic = Some(payload);
                Err(CallbackFailed::new_err("the Rust callback panicked"))
            }
        }
    }
}
// ANCHOR_END: callback

// ANCHOR: map_callback
/// `f(values[i])` for each element, in order, each call going through a Python callable.
///
/// The first `Err` stops the kernel at once (no further calls) and comes back unchanged
/// as `MapError::Callback`. A panic in `f` stops it the same way, then resumes unwinding
/// here, after Python has returned.
pub fn map_callback<E>(
    values: &[f64],
    mut f: impl FnMut(f64) -> Result<f64, E>,
) -> Result<Vec<f64>, MapError<E>> {
    let mut failure = None;
    let mut stop_on_err = |x| {
        f(x).map_err(|e| {
            failure = Some(e);
        })
    };
    let mut ctx = Context {
        f: &mut stop_on_err,
        panic: None,
    };
    let result = Python::attach(|py| -> PyResult<Vec<f64>> {
        let callback = Bound::new(
            py,
            RustCallback {
                ctx: Cell::new((&raw mut ctx).cast::<Context<'static>>()),
            },
        )?;
        let callable = callback.as_any();
        let out = kernels::map_callback(values, |x| callable.call1((x,))?.extract::<f64>());
        // Python may keep a reference to the object; it must not reach `ctx` any more.
        callback.borrow().ctx.set(std::ptr::null_mut());
        out
    });
    if let Some(payload) = ctx.panic.take() {
        panic::resume_unwind(payload);
    }
    match (result, failure) {
        (Ok(out), _) => Ok(out),
        // The first failure stops the kernel, so this PyErr is our CallbackFailed.
        (Err(_), Some(e)) => Err(MapError::Callback(e)),
        (Err(e), None) => Err(MapError::Python(e)),
    }
}
// ANCHOR_END: map_callback
