// bb_swig: the bridgebench protocol (docs/protocol.md) in SWIG over the C++ kernel.
// SWIG reads the kernel's own header; this file only says how its types cross the boundary.
// SWIG generates the proxy module bb_swig.py and the extension _bb_swig behind it.
%module bb_swig

%{
#include <cstdint>
#include <cstring>
#include <new>

#include "bridgebench/kernels.hpp"

// Thrown by map_callback's std::function when the Python callable failed. It carries nothing:
// the Python error is already set, and %exception below turns it into a plain SWIG_fail.
struct bb_python_error {};
%}

%include <stdint.i>
%include <exception.i>
%include <std_vector.i>

// stdint.i declares int64_t and size_t only in the global namespace; the header spells them std::.
namespace std {
typedef ::int64_t int64_t;
typedef ::size_t size_t;
}

// No C++ exception may unwind into Python: translate them all around every wrapped call.
// SWIG_CATCH_STDEXCEPT maps std::overflow_error (add's and checked_div's overflow) to
// OverflowError, and would map division_by_zero, a std::domain_error, to ValueError: the
// derived class is caught first, as SWIG_DivisionByZero (ZeroDivisionError).
%exception {
  try {
    $action
  } catch (const bb_python_error&) {
    SWIG_fail;  // the Python error is set: the very exception the callable raised propagates
  } catch (const bridgebench::division_by_zero& e) {
    SWIG_exception(SWIG_DivisionByZero, e.what());
  } catch (const std::bad_alloc&) {
    SWIG_exception(SWIG_MemoryError, "out of memory");
  }
  SWIG_CATCH_STDEXCEPT
  catch (...) {
    SWIG_exception(SWIG_UnknownError, "unknown C++ exception");
  }
}

// ---- scale.list: std_vector.i converts any sequence of numbers into std::vector<double>.
// %template() with no name instantiates the typemaps without wrapping a proxy class.
%template() std::vector<double>;

// std_vector.i would return a tuple; the contract wants a new list.
%typemap(out) std::vector<double> {
  $result = PyList_New(static_cast<Py_ssize_t>($1.size()));
  if (!$result) SWIG_fail;
  for (std::size_t i = 0; i < $1.size(); ++i) {
    PyObject* item = PyFloat_FromDouble($1[i]);
    if (!item) {
      Py_CLEAR($result);
      SWIG_fail;
    }
    PyList_SET_ITEM($result, static_cast<Py_ssize_t>(i), item);
  }
}

// ---- map_callback: a PyObject* callable wrapped in the std::function the kernel calls.
// The callable is borrowed from the argument tuple, which outlives the call. The GIL is held
// throughout (no %thread), so the wrapper may call into Python directly.
%typemap(in) const std::function<double(double)>& (std::function<double(double)> temp) {
  if (!PyCallable_Check($input)) {
    PyErr_Format(PyExc_TypeError, "$symname(): argument $argnum must be callable, not %.200s",
                 Py_TYPE($input)->tp_name);
    SWIG_fail;
  }
  temp = [callable = $input](double x) -> double {
    PyObject* arg = PyFloat_FromDouble(x);
    if (!arg) throw bb_python_error();
    PyObject* result = PyObject_CallOneArg(callable, arg);
    Py_DECREF(arg);
    if (!result) throw bb_python_error();  // fn raised: its exception stays pending
    // float or int (converted as float(x)); anything else is a TypeError, as in the contract.
    double value = -1.0;
    if (PyFloat_Check(result) || PyLong_Check(result)) {
      value = PyFloat_AsDouble(result);  // OverflowError for an int beyond float range
    } else {
      PyErr_Format(PyExc_TypeError, "map_callback(): fn must return float or int, not %.200s",
                   Py_TYPE(result)->tp_name);
    }
    Py_DECREF(result);
    if (value == -1.0 && PyErr_Occurred()) throw bb_python_error();
    return value;
  };
  $1 = &temp;
}

// ---- scale.buffer / scale.inplace: SWIG has no buffer-protocol typemap (numpy.i does not ship
// with the numpy wheel), so a (pointer, length) pair is filled from a Py_buffer by hand.
%fragment("bb_float64_view", "header") %{
// Borrow a 1-D C-contiguous float64 view of `obj`; on failure set a Python error, return false.
// PyBUF_C_CONTIGUOUS makes the exporter refuse strided data; nothing is ever converted.
static bool bb_float64_view(PyObject* obj, Py_buffer* view, int flags) {
  if (PyObject_GetBuffer(obj, view, flags | PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) != 0) return false;
  // numpy, array.array and memoryview say "d"; ctypes says "<d" (native on little-endian).
  const char* f = view->format;
  if (std::strcmp(f, "d") != 0 && std::strcmp(f, "<d") != 0 && std::strcmp(f, "=d") != 0 &&
      std::strcmp(f, "@d") != 0) {
    PyErr_Format(PyExc_TypeError, "expected float64 data (format 'd'), got format '%s'", f);
  } else if (view->ndim != 1) {
    PyErr_Format(PyExc_ValueError, "expected a 1-D buffer, got %d dimensions", view->ndim);
  } else if (view->len > 0 && reinterpret_cast<std::uintptr_t>(view->buf) % alignof(double) != 0) {
    // Reading a double through a misaligned double* is undefined behaviour.
    PyErr_SetString(PyExc_ValueError, "expected an 8-byte aligned float64 buffer");
  } else {
    return true;
  }
  PyBuffer_Release(view);
  return false;
}
%}

%typemap(in, fragment="bb_float64_view")
    (const double* values, std::size_t n) (Py_buffer view = {}) {
  if (!bb_float64_view($input, &view, PyBUF_SIMPLE)) SWIG_fail;
  $1 = static_cast<$1_ltype>(view.buf);
  $2 = static_cast<std::size_t>(view.shape[0]);
}
// PyBUF_WRITABLE: a read-only exporter refuses the request itself (BufferError or ValueError).
%typemap(in, fragment="bb_float64_view")
    (double* values, std::size_t n) (Py_buffer view = {}) {
  if (!bb_float64_view($input, &view, PyBUF_WRITABLE)) SWIG_fail;
  $1 = static_cast<$1_ltype>(view.buf);
  $2 = static_cast<std::size_t>(view.shape[0]);
}
// Runs on success and on failure alike, so the view is always released.
%typemap(freearg) (const double* values, std::size_t n), (double* values, std::size_t n) {
  PyBuffer_Release(&view$argnum);
}

// scale_buffer returns a new buffer. Without numpy's C API the cheapest honest float64 exporter
// is a bytearray seen through memoryview.cast('d'): 1-D, C-contiguous, format 'd', writable, and
// it owns its memory. The kernel writes straight into the bytearray's uninitialised storage;
// array.array('d') can only be made pre-filled, which measured ~2x slower at 10^5 elements.
%inline %{
PyObject* scale_buffer(const double* values, std::size_t n, double factor) {
  // Made once: calling "cast" by C string would build both strings and a tuple on every call.
  static PyObject* const cast = PyUnicode_InternFromString("cast");
  static PyObject* const d = PyUnicode_InternFromString("d");
  if (!cast || !d) return PyErr_NoMemory();
  const auto nbytes = static_cast<Py_ssize_t>(n * sizeof(double));
  PyObject* bytes = PyByteArray_FromStringAndSize(nullptr, nbytes);
  if (!bytes) return nullptr;
  double* out_data = reinterpret_cast<double*>(PyByteArray_AS_STRING(bytes));
  bridgebench::scale_into(values, n, factor, out_data);
  PyObject* raw = PyMemoryView_FromObject(bytes);  // the view keeps `bytes` alive
  Py_DECREF(bytes);
  if (!raw) return nullptr;
  PyObject* out = PyObject_CallMethodOneArg(raw, cast, d);
  Py_DECREF(raw);
  return out;  // nullptr with the error set if cast failed
}
%}

// ---- The kernel itself, read from its header; Python names follow the protocol.
%rename(scale_list) bridgebench::scale;
%ignore bridgebench::scale_into;  // wrapped above as scale_buffer
// An exception type, translated by %exception above; Python never needs to construct one.
// SWIG cannot see its base std::domain_error, so it warns about the inherited constructors.
%ignore bridgebench::division_by_zero;
%warnfilter(SWIGWARN_PARSE_USING_CONSTRUCTOR) bridgebench::division_by_zero;
%include "bridgebench/kernels.hpp"
