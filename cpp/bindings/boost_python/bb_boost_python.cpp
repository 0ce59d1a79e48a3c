// bb_boost_python: the bridgebench protocol (docs/protocol.md) in Boost.Python over the C++ kernel.
#include <boost/python.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "bridgebench/kernels.hpp"

namespace bp = boost::python;

namespace {

// ANCHOR: buffer_view
// Boost.Python 1.74 knows nothing of the buffer protocol, so borrow the exporter's memory with
// the CPython API on object.ptr(). RAII: the view is released on every path, including a throw.
// T is the item type; the format must be one struct code of `codes` with itemsize sizeof(T)
// (the check matters: 'l' is 8 bytes here, but '<l' is 4 in the struct module's standard sizes).
template <class T>
class BufferView {
 public:
  // PyBUF_C_CONTIGUOUS makes the exporter refuse strided data, PyBUF_WRITABLE (for inplace)
  // read-only data; nothing is ever converted.
  BufferView(const bp::object& obj, const char* codes, const char* what, int flags = PyBUF_SIMPLE) {
    if (PyObject_GetBuffer(obj.ptr(), &view_, flags | PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) != 0) {
      bp::throw_error_already_set();  // the exporter's own TypeError/ValueError/BufferError
    }
    // '@', '=' and '<' all mean native on the little-endian machines this builds for: numpy
    // says "d", ctypes "<d".
    const char* f = view_.format;
    if (*f == '@' || *f == '=' || *f == '<') ++f;
    if (f[0] == '\0' || f[1] != '\0' || !std::strchr(codes, f[0]) ||
        view_.itemsize != static_cast<Py_ssize_t>(sizeof(T))) {
      fail(PyExc_TypeError, "expected %s data, got format '%s'", what, view_.format);
    }
    if (view_.ndim != 1) {
      fail(PyExc_ValueError, "expected a 1-D buffer, got %d dimensions", view_.ndim);
    }
    // Reading a double or an int64 through a misaligned pointer is undefined behaviour.
    if (view_.len > 0 && reinterpret_cast<std::uintptr_t>(view_.buf) % alignof(T) != 0) {
      fail(PyExc_ValueError, "expected an aligned %s buffer", what);
    }
  }
  ~BufferView() { PyBuffer_Release(&view_); }
  BufferView(const BufferView&) = delete;
  BufferView& operator=(const BufferView&) = delete;

  T* data() const { return static_cast<T*>(view_.buf); }
  std::size_t size() const { return static_cast<std::size_t>(view_.shape[0]); }

 private:
  // The destructor does not run for a throwing constructor: release here. PyErr_Format reads
  // view_.format, so the error is set before the view goes.
  template <class... Args>
  [[noreturn]] void fail(PyObject* type, const char* format, Args... args) {
    PyErr_Format(type, format, args...);
    PyBuffer_Release(&view_);
    throw bp::error_already_set();
  }

  Py_buffer view_;
};
// ANCHOR_END: buffer_view

// ANCHOR: released_gil
// Boost.Python has no GIL guard: release it with the C-API, as Py_BEGIN_ALLOW_THREADS does, and
// take it back on every exit, a throw included. Inside, touch no Python object.
class ReleasedGil {
 public:
  ReleasedGil() : state_(PyEval_SaveThread()) {}
  ~ReleasedGil() { PyEval_RestoreThread(state_); }
  ReleasedGil(const ReleasedGil&) = delete;
  ReleasedGil& operator=(const ReleasedGil&) = delete;

 private:
  PyThreadState* state_;
};
// ANCHOR_END: released_gil

// ANCHOR: lists
// The values: a list or a tuple, checked by hand (a bp::list parameter would refuse tuples);
// TypeError for anything else.
void require_list_or_tuple(const bp::object& values) {
  if (!PyList_Check(values.ptr()) && !PyTuple_Check(values.ptr())) {
    PyErr_Format(PyExc_TypeError, "values must be a list or tuple, not %.200s",
                 Py_TYPE(values.ptr())->tp_name);
    bp::throw_error_already_set();
  }
}

// A new list out; extract<double> takes float or int (float(x)) and raises TypeError for the
// rest.
bp::list scale_list(const bp::object& values, double factor) {
  require_list_or_tuple(values);
  const auto n = static_cast<std::size_t>(bp::len(values));
  std::vector<double> in;
  in.reserve(n);
  for (std::size_t i = 0; i < n; ++i) in.push_back(bp::extract<double>(values[i]));
  bp::list out;
  for (double v : bridgebench::scale(in, factor)) out.append(v);
  return out;
}

// A bp::object called from a std::function. When fn raises, the call throws
// bp::error_already_set: a bare marker that leaves the exception pending in the interpreter (we
// hold the GIL throughout), so the very object fn raised reaches the caller once Boost's call
// wrapper catches the marker. extract<double> takes float or int (float(x)), TypeError otherwise.
bp::list map_callback(const bp::object& values, const bp::object& fn) {
  if (!PyCallable_Check(fn.ptr())) {
    PyErr_Format(PyExc_TypeError, "map_callback(): fn must be callable, not %.200s",
                 Py_TYPE(fn.ptr())->tp_name);
    bp::throw_error_already_set();
  }
  require_list_or_tuple(values);
  const auto n = static_cast<std::size_t>(bp::len(values));
  std::vector<double> in;
  in.reserve(n);
  for (std::size_t i = 0; i < n; ++i) in.push_back(bp::extract<double>(values[i]));
  bp::list out;
  const auto call = [&fn](double x) -> double {
    const bp::object result = fn(x);  // throws error_already_set if fn raised
    return bp::extract<double>(result);
  };
  for (double v : bridgebench::map_callback(in, call)) out.append(v);
  return out;
}
// ANCHOR_END: lists

// ANCHOR: scale_buffer
// The result: without numpy's C API the cheapest honest float64 exporter is a bytearray seen
// through memoryview.cast('d'): 1-D, C-contiguous, format 'd', writable, and it owns its memory.
// The kernel writes straight into the bytearray's uninitialised storage; array.array('d') can
// only be made pre-filled, which measured ~2x slower at 10^5 elements.
bp::object scale_buffer(const bp::object& values, double factor) {
  // Made once, as plain PyObject*: .attr("cast")("d") would build both strings and a tuple on
  // every call, and a static bp::object would be destroyed after the interpreter is gone.
  static PyObject* const cast = PyUnicode_InternFromString("cast");
  static PyObject* const d = PyUnicode_InternFromString("d");
  if (!cast || !d) {
    PyErr_NoMemory();
    bp::throw_error_already_set();
  }

  const BufferView<double> in(values, "d", "float64");
  // handle<> owns the new reference, and throws error_already_set if the C API returned NULL.
  const auto nbytes = static_cast<Py_ssize_t>(in.size() * sizeof(double));
  const bp::handle<> bytes(PyByteArray_FromStringAndSize(nullptr, nbytes));
  double* data = reinterpret_cast<double*>(PyByteArray_AS_STRING(bytes.get()));
  {
    const ReleasedGil released;  // only reads memory `in` pins: let other threads run
    bridgebench::scale_into(in.data(), in.size(), factor, data);
  }
  const bp::handle<> raw(PyMemoryView_FromObject(bytes.get()));
  return bp::object(bp::handle<>(PyObject_CallMethodOneArg(raw.get(), cast, d)));
}

// Keeps the GIL: each call is atomic for other Python threads, so a shared array stays exact.
void scale_inplace(const bp::object& values, double factor) {
  const BufferView<double> io(values, "d", "float64", PyBUF_WRITABLE);
  bridgebench::scale_inplace(io.data(), io.size(), factor);
}
// ANCHOR_END: scale_buffer

// Holder::append takes a std::string_view, which Boost.Python has no converter for; a
// std::string parameter uses the same converter as the constructor's init<std::string>.
void holder_append(bridgebench::Holder& self, const std::string& more) { self.append(more); }

// One (id, name, score) record, field by field with extract<>, each raising the contract's
// error: TypeError for a wrong type, OverflowError for an id outside int64 or an int score
// beyond float range.
bridgebench::Record to_record(const bp::object& record) {
  if (!PyTuple_Check(record.ptr()) && !PyList_Check(record.ptr())) {
    PyErr_Format(PyExc_TypeError, "a record must be a tuple or list (id, name, score), not %.200s",
                 Py_TYPE(record.ptr())->tp_name);
    bp::throw_error_already_set();
  }
  if (bp::len(record) != 3) {
    PyErr_Format(PyExc_ValueError, "a record has 3 fields (id, name, score), not %zd",
                 bp::len(record));
    bp::throw_error_already_set();
  }
  // Boost's std::string converter also takes bytes (as raw bytes): check for str first.
  const bp::object name = record[1];
  if (!PyUnicode_Check(name.ptr())) {
    PyErr_Format(PyExc_TypeError, "a record's name must be str, not %.200s",
                 Py_TYPE(name.ptr())->tp_name);
    bp::throw_error_already_set();
  }
  return bridgebench::Record{bp::extract<std::int64_t>(record[0]), bp::extract<std::string>(name),
                             bp::extract<double>(record[2])};
}

// records: a list or tuple (bp::object, checked by hand: a bp::list parameter would refuse
// tuples). Every record is converted before the kernel runs.
bridgebench::Summary summarize_objects(const bp::object& records) {
  if (!PyList_Check(records.ptr()) && !PyTuple_Check(records.ptr())) {
    PyErr_Format(PyExc_TypeError,
                 "summarize_objects(): records must be a list or tuple, not %.200s",
                 Py_TYPE(records.ptr())->tp_name);
    bp::throw_error_already_set();
  }
  const auto n = bp::len(records);
  std::vector<bridgebench::Record> converted;
  converted.reserve(static_cast<std::size_t>(n));
  for (Py_ssize_t i = 0; i < n; ++i) converted.push_back(to_record(records[i]));
  return bridgebench::summarize(converted);
}

// Columns are borrowed, never copied; the kernel checks that their lengths agree.
bridgebench::Summary summarize_columns(const bp::object& ids, const bp::object& scores,
                                       const bp::object& name_offsets,
                                       const bp::object& name_bytes) {
  const BufferView<std::int64_t> id_view(ids, "ql", "int64");
  const BufferView<double> score_view(scores, "d", "float64");
  const BufferView<std::int64_t> offset_view(name_offsets, "ql", "int64");
  const BufferView<char> byte_view(name_bytes, "Bbc", "bytes-like");
  // Reads the four pinned views only; the GIL is back before anything is converted or thrown.
  const ReleasedGil released;
  return bridgebench::summarize_columns(id_view.data(), id_view.size(), score_view.data(),
                                        score_view.size(), offset_view.data(), offset_view.size(),
                                        byte_view.data(), byte_view.size());
}

}  // namespace

// ANCHOR: module
BOOST_PYTHON_MODULE(bb_boost_python) {
  // ANCHOR: exceptions
  // Boost.Python turns an unknown std::exception into RuntimeError; the contract wants
  // OverflowError for an overflow (add, checked_div) and ZeroDivisionError for a zero divisor.
  bp::register_exception_translator<std::overflow_error>(
      [](const std::overflow_error& e) { PyErr_SetString(PyExc_OverflowError, e.what()); });
  bp::register_exception_translator<bridgebench::division_by_zero>(
      [](const bridgebench::division_by_zero& e) {
        PyErr_SetString(PyExc_ZeroDivisionError, e.what());
      });
  // ANCHOR_END: exceptions

  bp::def("add", &bridgebench::add, (bp::arg("a"), bp::arg("b")));
  bp::def("checked_div", &bridgebench::checked_div, (bp::arg("a"), bp::arg("b")));
  bp::def("map_callback", &map_callback, (bp::arg("values"), bp::arg("fn")));
  bp::def("scale_list", &scale_list, (bp::arg("values"), bp::arg("factor")));
  bp::def("scale_buffer", &scale_buffer, (bp::arg("values"), bp::arg("factor")));
  bp::def("scale_inplace", &scale_inplace, (bp::arg("values"), bp::arg("factor")));

  // The instance holds the Holder by value: Python's refcount (or the cycle collector, for a
  // holder inside a cycle of lists, say) decides when the C++ destructor runs. But Boost's
  // instances do not show their __dict__ to the collector: `h.me = h` is never freed.
  // init<std::string> uses Boost's std::string converter: str as UTF-8 (a lone surrogate raises
  // UnicodeEncodeError), and bytes as they are. The kernel's std::invalid_argument (bytes that
  // are not UTF-8) becomes ValueError through Boost's default translation.
  bp::class_<bridgebench::Holder>("Holder", bp::init<std::string>(bp::arg("text")))
      .def("text", &bridgebench::Holder::text, bp::return_value_policy<bp::copy_const_reference>())
      .def("utf8_len", &bridgebench::Holder::utf8_len)
      .def("append", &holder_append, bp::arg("more"));
  bp::def("live_holders", &bridgebench::live_holders);

  // The kernel's Counter, held by value like Holder. Boost's int64_t converter takes only an
  // int and raises OverflowError outside int64; bump's std::overflow_error goes through the
  // translator above. add_property makes `value` a Python property (read and write; deleting it
  // is refused).
  bp::class_<bridgebench::Counter>("Counter", bp::init<std::int64_t>((bp::arg("start") = 0)))
      .def("bump", &bridgebench::Counter::bump, (bp::arg("by") = 1))
      .add_property("value", &bridgebench::Counter::value, &bridgebench::Counter::set_value);

  // A result type: no constructor from Python, read-only attributes.
  bp::class_<bridgebench::Summary>("Summary", bp::no_init)
      .def_readonly("count", &bridgebench::Summary::count)
      .def_readonly("score_sum", &bridgebench::Summary::score_sum)
      .def_readonly("max_id", &bridgebench::Summary::max_id)
      .def_readonly("longest_name", &bridgebench::Summary::longest_name);
  bp::def("summarize_objects", &summarize_objects, bp::arg("records"));
  bp::def("summarize_columns", &summarize_columns,
          (bp::arg("ids"), bp::arg("scores"), bp::arg("name_offsets"), bp::arg("name_bytes")));
}
// ANCHOR_END: module
