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

// ANCHOR: limited_api
// cpp/bindings/swig_stable compiles this file again with Py_LIMITED_API=0x030B0000, the stable
// ABI of CPython 3.11 on, whose headers hide the objects' layouts: no PyTypeObject fields, no
// macro that reads a float, list or tuple in place. The few places below that read one go
// through these helpers: the direct read in this build, the limited API's function in that.
// (The list typemap's PyList_SET_ITEM needs none: SWIG's header maps it to PyList_SetItem.)

// TypeError("<expected>, not <type of obj>").
static void bb_type_error(const char* expected, PyObject* obj) {
#ifdef Py_LIMITED_API
  PyObject* name = PyType_GetName(Py_TYPE(obj));  // __name__: "ndarray", not "numpy.ndarray"
  if (!name) return;                               // its own error is set
  PyErr_Format(PyExc_TypeError, "%s, not %U", expected, name);
  Py_DECREF(name);
#else
  PyErr_Format(PyExc_TypeError, "%s, not %.200s", expected, Py_TYPE(obj)->tp_name);
#endif
}

// fn(arg) and obj.name(arg): vectorcall joined the limited API in 3.12, after this build's floor.
static inline PyObject* bb_call_one(PyObject* fn, PyObject* arg) {
#ifdef Py_LIMITED_API
  return PyObject_CallFunctionObjArgs(fn, arg, nullptr);
#else
  return PyObject_CallOneArg(fn, arg);
#endif
}
static inline PyObject* bb_call_method_one(PyObject* obj, PyObject* name, PyObject* arg) {
#ifdef Py_LIMITED_API
  return PyObject_CallMethodObjArgs(obj, name, arg, nullptr);
#else
  return PyObject_CallMethodOneArg(obj, name, arg);
#endif
}

// The length and the borrowed items of a list (`list`) or else a tuple, as the caller checked
// once: a type check is a call under the limited API (PyType_GetFlags), not a field read.
static inline Py_ssize_t bb_seq_size(PyObject* seq, bool list) {
#ifdef Py_LIMITED_API
  return list ? PyList_Size(seq) : PyTuple_Size(seq);
#else
  return list ? PyList_GET_SIZE(seq) : PyTuple_GET_SIZE(seq);
#endif
}
static inline PyObject* bb_seq_item(PyObject* seq, bool list, Py_ssize_t i) {
#ifdef Py_LIMITED_API
  return list ? PyList_GetItem(seq, i) : PyTuple_GetItem(seq, i);
#else
  return list ? PyList_GET_ITEM(seq, i) : PyTuple_GET_ITEM(seq, i);
#endif
}

// A bytearray's storage.
static inline char* bb_bytearray_data(PyObject* b) {
#ifdef Py_LIMITED_API
  return PyByteArray_AsString(b);
#else
  return PyByteArray_AS_STRING(b);
#endif
}
// ANCHOR_END: limited_api

// ANCHOR: released_gil
// The GIL released for a kernel call, as Py_BEGIN_ALLOW_THREADS does (in the limited API too),
// and taken back on every exit, a throw included, before %exception translates it. SWIG's
// own thread support (-threads, %thread) releases around a whole wrapped call (scale_buffer's
// builds Python objects) and adds a PyGILState_Ensure to the runtime's every error path.
class bb_released_gil {
 public:
  bb_released_gil() : state_(PyEval_SaveThread()) {}
  ~bb_released_gil() { PyEval_RestoreThread(state_); }
  bb_released_gil(const bb_released_gil&) = delete;
  bb_released_gil& operator=(const bb_released_gil&) = delete;

 private:
  PyThreadState* state_;
};
// ANCHOR_END: released_gil
%}

%include <stdint.i>
%include <exception.i>
%include <std_vector.i>
%include <std_string.i>       // std::string results: Holder::text(), Summary::longest_name
%include <std_string_view.i>  // std::string_view arguments: Holder(text), append(more)
%include <attribute.i>        // %attribute: Counter's value()/set_value() as a property

// stdint.i declares int64_t and size_t only in the global namespace; the header spells them std::.
namespace std {
typedef ::int64_t int64_t;
typedef ::size_t size_t;
}

// ANCHOR: exception
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
// ANCHOR_END: exception

// ---- scale.list: std_vector.i converts any sequence of numbers into std::vector<double>.
// %template() with no name instantiates the typemaps without wrapping a proxy class.
%template() std::vector<double>;

// ANCHOR: list_out
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
// ANCHOR_END: list_out

// ANCHOR: callback
// ---- map_callback: a PyObject* callable wrapped in the std::function the kernel calls.
// The callable is borrowed from the argument tuple, which outlives the call. The GIL is held
// throughout (no %thread), so the wrapper may call into Python directly.
%typemap(in) const std::function<double(double)>& (std::function<double(double)> temp) {
  if (!PyCallable_Check($input)) {
    bb_type_error("$symname(): argument $argnum must be callable", $input);
    SWIG_fail;
  }
  temp = [callable = $input](double x) -> double {
    PyObject* arg = PyFloat_FromDouble(x);
    if (!arg) throw bb_python_error();
    PyObject* result = bb_call_one(callable, arg);
    Py_DECREF(arg);
    if (!result) throw bb_python_error();  // fn raised: its exception stays pending
    // As a double argument: a float's value, else __float__ or __index__ (pyfragments.swg);
    // TypeError for a str, OverflowError for an int beyond float range.
    const double value = PyFloat_AsDouble(result);
    Py_DECREF(result);
    if (value == -1.0 && PyErr_Occurred()) throw bb_python_error();
    return value;
  };
  $1 = &temp;
}
// ANCHOR_END: callback

// ---- scale.buffer / scale.inplace / summarize.columns: SWIG has no buffer-protocol typemap
// (numpy.i does not ship with the numpy wheel), so each (pointer, length) pair is filled from a
// Py_buffer by hand.
%fragment("bb_view", "header") %{
// ANCHOR: bb_view
// The format's one struct code, after an optional byte-order mark: '@', '=' and '<' all mean
// native on the little-endian machines this builds for (numpy says "d", ctypes "<d").
static char bb_format_code(const char* f) {
  if (*f == '@' || *f == '=' || *f == '<') ++f;
  return (f[0] != '\0' && f[1] == '\0') ? f[0] : '\0';
}

// Borrow a 1-D C-contiguous view of `obj` whose items are `itemsize` bytes of one struct code
// in `codes`; on failure set a Python error and return false. PyBUF_C_CONTIGUOUS makes the
// exporter refuse strided data; nothing is ever converted. The itemsize check matters: 'l' is
// 8 bytes here but '<l' is 4 in the struct module's standard sizes.
static bool bb_view(PyObject* obj, Py_buffer* view, int flags, const char* codes,
                    Py_ssize_t itemsize, const char* what) {
  if (PyObject_GetBuffer(obj, view, flags | PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) != 0) return false;
  const char code = bb_format_code(view->format);
  if (code == '\0' || !std::strchr(codes, code) || view->itemsize != itemsize) {
    PyErr_Format(PyExc_TypeError, "expected %s data, got format '%s'", what, view->format);
  } else if (view->ndim != 1) {
    PyErr_Format(PyExc_ValueError, "expected a 1-D buffer, got %d dimensions", view->ndim);
  } else if (view->len > 0 && reinterpret_cast<std::uintptr_t>(view->buf) % itemsize != 0) {
    // Reading a double or an int64 through a misaligned pointer is undefined behaviour.
    PyErr_Format(PyExc_ValueError, "expected an %zd-byte aligned %s buffer", itemsize, what);
  } else {
    return true;
  }
  PyBuffer_Release(view);
  return false;
}
// ANCHOR_END: bb_view
%}

// ANCHOR: buffer_typemaps
%typemap(in, fragment="bb_view")
    (const double* values, std::size_t n) (Py_buffer view = {}) {
  if (!bb_view($input, &view, PyBUF_SIMPLE, "d", 8, "float64")) SWIG_fail;
  $1 = static_cast<$1_ltype>(view.buf);
  $2 = static_cast<std::size_t>(view.shape[0]);
}
// PyBUF_WRITABLE: a read-only exporter refuses the request itself (BufferError or ValueError).
// scale_inplace keeps the GIL: each call is atomic for other Python threads (a shared array
// stays exact).
%typemap(in, fragment="bb_view")
    (double* values, std::size_t n) (Py_buffer view = {}) {
  if (!bb_view($input, &view, PyBUF_WRITABLE, "d", 8, "float64")) SWIG_fail;
  $1 = static_cast<$1_ltype>(view.buf);
  $2 = static_cast<std::size_t>(view.shape[0]);
}
// numpy's int64 says "l", array('q') says "q": both are 8-byte ints here.
// ANCHOR: columns_typemap
%typemap(in, fragment="bb_view")
    (const std::int64_t* ids, std::size_t n_ids) (Py_buffer view = {}) {
  if (!bb_view($input, &view, PyBUF_SIMPLE, "ql", 8, "int64")) SWIG_fail;
  $1 = static_cast<$1_ltype>(view.buf);
  $2 = static_cast<std::size_t>(view.shape[0]);
}
// ANCHOR_END: columns_typemap
// Any bytes-like object: bytes, bytearray and numpy uint8 say "B".
%typemap(in, fragment="bb_view")
    (const char* name_bytes, std::size_t n_bytes) (Py_buffer view = {}) {
  if (!bb_view($input, &view, PyBUF_SIMPLE, "Bbc", 1, "bytes-like")) SWIG_fail;
  $1 = static_cast<$1_ltype>(view.buf);
  $2 = static_cast<std::size_t>(view.shape[0]);
}
// summarize_columns' other columns reuse the typemaps above, matched by parameter name.
%apply (const double* values, std::size_t n) { (const double* scores, std::size_t n_scores) };
%apply (const std::int64_t* ids, std::size_t n_ids) {
  (const std::int64_t* name_offsets, std::size_t n_offsets)
};
// Runs on success and on failure alike, so every view is always released (releasing a view
// that was never filled is a no-op).
%typemap(freearg) (const double* values, std::size_t n), (double* values, std::size_t n),
    (const double* scores, std::size_t n_scores), (const std::int64_t* ids, std::size_t n_ids),
    (const std::int64_t* name_offsets, std::size_t n_offsets),
    (const char* name_bytes, std::size_t n_bytes) {
  PyBuffer_Release(&view$argnum);
}
// ANCHOR_END: buffer_typemaps

// ANCHOR: scale_buffer
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
  double* out_data = reinterpret_cast<double*>(bb_bytearray_data(bytes));
  {
    const bb_released_gil released;  // only reads memory the view pins: let other threads run
    bridgebench::scale_into(values, n, factor, out_data);
  }
  PyObject* raw = PyMemoryView_FromObject(bytes);  // the view keeps `bytes` alive
  Py_DECREF(bytes);
  if (!raw) return nullptr;
  PyObject* out = bb_call_method_one(raw, cast, d);
  Py_DECREF(raw);
  return out;  // nullptr with the error set if cast failed
}
%}
// ANCHOR_END: scale_buffer

// ---- summarize.objects: a list or tuple of (id, name, score) records becomes the kernel's
// std::vector<Record>, field by field. std_vector.i cannot do it: a Python tuple is not a
// wrapped Record. The contract is written out here, as in the reference.
%fragment("bb_append_record", "header", fragment=SWIG_AsVal_frag(long),
          fragment=SWIG_AsVal_frag(double)) %{
// A reference owned for a scope. The id's __index__ and the score's __float__ may run Python
// code, which could empty a list of records (or a record) under us: what is being read is held.
struct bb_ref {
  PyObject* obj;
  explicit bb_ref(PyObject* owned) : obj(owned) {}
  ~bb_ref() { Py_XDECREF(obj); }
  bb_ref(const bb_ref&) = delete;
  bb_ref& operator=(const bb_ref&) = delete;
};

// Convert one record and append it to `out`; on failure set a Python error and return false.
// The fields convert as the scalar arguments do (pyfragments.swg).
static bool bb_append_record(PyObject* record, std::vector<bridgebench::Record>& out) {
  const bool list = !PyTuple_Check(record);  // records are mostly tuples: one check for those
  if (list && !PyList_Check(record)) {
    bb_type_error("a record must be a tuple or list (id, name, score)", record);
    return false;
  }
  const Py_ssize_t fields = bb_seq_size(record, list);
  if (fields != 3) {
    PyErr_Format(PyExc_ValueError, "a record has 3 fields (id, name, score), not %zd", fields);
    return false;
  }
  // A list record is read from a tuple of its items, which no Python code can change.
  const bb_ref items(list ? PyList_AsTuple(record) : Py_NewRef(record));
  if (!items.obj) return false;
  PyObject* id = bb_seq_item(items.obj, false, 0);
  PyObject* name = bb_seq_item(items.obj, false, 1);
  PyObject* score = bb_seq_item(items.obj, false, 2);

  // name: str only; a lone surrogate has no UTF-8 form (UnicodeEncodeError). The length comes
  // with the pointer, so embedded NULs survive.
  if (!PyUnicode_Check(name)) {
    bb_type_error("a record's name must be str", name);
    return false;
  }
  Py_ssize_t name_len = 0;
  const char* name_utf8 = PyUnicode_AsUTF8AndSize(name, &name_len);
  if (!name_utf8) return false;

  // TypeError, or OverflowError for an id outside int64 or an int score beyond float range.
  long id_value = 0;
  int code = SWIG_AsVal_long(id, &id_value);
  if (!SWIG_IsOK(code)) {
    PyErr_SetString(SWIG_Python_ErrorType(code), "a record's id must be an int in int64's range");
    return false;
  }
  double score_value = 0.0;
  code = SWIG_AsVal_double(score, &score_value);
  if (!SWIG_IsOK(code)) {
    PyErr_SetString(SWIG_Python_ErrorType(code), "a record's score must be a float");
    return false;
  }
  out.push_back(bridgebench::Record{id_value, std::string(name_utf8, name_len), score_value});
  return true;
}
%}

// The vector is a typemap local: it lives until the wrapper returns.
%typemap(in, fragment="bb_append_record") const std::vector<bridgebench::Record>& (
    std::vector<bridgebench::Record> records) {
  const bool list = PyList_Check($input);
  if (!list && !PyTuple_Check($input)) {
    bb_type_error("$symname(): records must be a list or tuple", $input);
    SWIG_fail;
  }
  records.reserve(static_cast<std::size_t>(bb_seq_size($input, list)));
  // The size is read again each time: a record's conversion may run Python code (above).
  for (Py_ssize_t i = 0; i < bb_seq_size($input, list); ++i) {
    const bb_ref record(Py_NewRef(bb_seq_item($input, list, i)));
    if (!bb_append_record(record.obj, records)) SWIG_fail;
  }
  $1 = &records;
}

// ANCHOR: kernel
// ---- The kernel itself, read from its header; Python names follow the protocol.
%rename(scale_list) bridgebench::scale;
%rename(summarize_objects) bridgebench::summarize;
%ignore bridgebench::scale_into;  // wrapped above as scale_buffer
%ignore bridgebench::summarize_columns;  // wrapped below, with the GIL released
// An exception type, translated by %exception above; Python never needs to construct one.
// SWIG cannot see its base std::domain_error, so it warns about the inherited constructors.
%ignore bridgebench::division_by_zero;
%warnfilter(SWIGWARN_PARSE_USING_CONSTRUCTOR) bridgebench::division_by_zero;
// Holder: made from std_string_view.i's argument (str as UTF-8, and also bytes as they are).
// Python makes a Holder only from text: without the copy and move constructors there is no
// overload dispatcher (whose errors all read "Wrong number or type of arguments"), and no
// warning 509 about the move constructor.
%ignore bridgebench::Holder::Holder(const Holder&);
%ignore bridgebench::Holder::Holder(Holder&&);
%ignore bridgebench::Holder::operator=;
// Counter: "kwargs" makes Counter(start=0) and bump(by=1) one wrapper each that takes keywords.
// Without it SWIG wraps each default argument as an overload, and the dispatcher reports an int
// outside int64 as "Wrong number or type of arguments" (TypeError) instead of OverflowError.
// %attribute turns value()/set_value() into the read-write property `value`.
%feature("kwargs") bridgebench::Counter::Counter;
%feature("kwargs") bridgebench::Counter::bump;
%attribute(bridgebench::Counter, std::int64_t, value, value, set_value);
// Summary is a result: its fields are read-only properties.
%immutable bridgebench::Summary::count;
%immutable bridgebench::Summary::score_sum;
%immutable bridgebench::Summary::max_id;
%immutable bridgebench::Summary::longest_name;
// Implementation helpers of the kernel, not cells: records arrive through the typemap above.
%ignore bridgebench::is_valid_utf8;
%ignore bridgebench::Record;
%ignore bridgebench::Summarizer;
%include "bridgebench/kernels.hpp"
// ANCHOR_END: kernel

// summarize_columns in the kernel's own signature, so the buffer typemaps apply by name, and
// Summary, now declared, comes back as its proxy. It reads the four views the typemaps hold:
// the GIL is released for the kernel call.
%inline %{
bridgebench::Summary summarize_columns(const std::int64_t* ids, std::size_t n_ids,
                                       const double* scores, std::size_t n_scores,
                                       const std::int64_t* name_offsets, std::size_t n_offsets,
                                       const char* name_bytes, std::size_t n_bytes) {
  const bb_released_gil released;
  return bridgebench::summarize_columns(ids, n_ids, scores, n_scores, name_offsets, n_offsets,
                                        name_bytes, n_bytes);
}
%}
