// bb_boost_python: the bridgebench protocol (docs/protocol.md) in Boost.Python over the C++ kernel.
#include <boost/python.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "bridgebench/kernels.hpp"

namespace bp = boost::python;

namespace {

// Boost.Python 1.74 knows nothing of the buffer protocol, so borrow the exporter's memory with
// the CPython API on object.ptr(). RAII: the view is released on every path, including a throw.
class Float64View {
 public:
  // PyBUF_C_CONTIGUOUS makes the exporter refuse strided data, PyBUF_WRITABLE (for inplace)
  // read-only data; nothing is ever converted.
  Float64View(const bp::object& obj, int flags) {
    if (PyObject_GetBuffer(obj.ptr(), &view_, flags | PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) != 0) {
      bp::throw_error_already_set();  // the exporter's own TypeError/ValueError/BufferError
    }
    // numpy, array.array and memoryview say "d"; ctypes says "<d" (native on little-endian).
    const char* f = view_.format;
    if (std::strcmp(f, "d") != 0 && std::strcmp(f, "<d") != 0 && std::strcmp(f, "=d") != 0 &&
        std::strcmp(f, "@d") != 0) {
      fail(PyExc_TypeError, "expected float64 data (format 'd')");
    }
    if (view_.ndim != 1) fail(PyExc_ValueError, "expected a 1-D buffer");
    // Reading a double through a misaligned double* is undefined behaviour.
    if (view_.len > 0 && reinterpret_cast<std::uintptr_t>(view_.buf) % alignof(double) != 0) {
      fail(PyExc_ValueError, "expected an 8-byte aligned float64 buffer");
    }
  }
  ~Float64View() { PyBuffer_Release(&view_); }
  Float64View(const Float64View&) = delete;
  Float64View& operator=(const Float64View&) = delete;

  double* data() const { return static_cast<double*>(view_.buf); }
  std::size_t size() const { return static_cast<std::size_t>(view_.shape[0]); }

 private:
  // The destructor does not run for a throwing constructor: release here.
  [[noreturn]] void fail(PyObject* type, const char* message) {
    PyBuffer_Release(&view_);
    PyErr_SetString(type, message);
    throw bp::error_already_set();
  }

  Py_buffer view_;
};

// list in, list out: bp::list admits only a list (anything else is Boost's ArgumentError, a
// TypeError); extract<double> takes float or int (float(x)) and raises TypeError for the rest.
bp::list scale_list(const bp::list& values, double factor) {
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
bp::list map_callback(const bp::list& values, const bp::object& fn) {
  if (!PyCallable_Check(fn.ptr())) {
    PyErr_Format(PyExc_TypeError, "map_callback(): fn must be callable, not %.200s",
                 Py_TYPE(fn.ptr())->tp_name);
    bp::throw_error_already_set();
  }
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

  const Float64View in(values, PyBUF_SIMPLE);
  // handle<> owns the new reference, and throws error_already_set if the C API returned NULL.
  const auto nbytes = static_cast<Py_ssize_t>(in.size() * sizeof(double));
  const bp::handle<> bytes(PyByteArray_FromStringAndSize(nullptr, nbytes));
  bridgebench::scale_into(in.data(), in.size(), factor,
                          reinterpret_cast<double*>(PyByteArray_AS_STRING(bytes.get())));
  const bp::handle<> raw(PyMemoryView_FromObject(bytes.get()));
  return bp::object(bp::handle<>(PyObject_CallMethodOneArg(raw.get(), cast, d)));
}

void scale_inplace(const bp::object& values, double factor) {
  const Float64View io(values, PyBUF_WRITABLE);
  bridgebench::scale_inplace(io.data(), io.size(), factor);
}

}  // namespace

BOOST_PYTHON_MODULE(bb_boost_python) {
  // Boost.Python turns an unknown std::exception into RuntimeError; the contract wants
  // OverflowError for an overflow (add, checked_div) and ZeroDivisionError for a zero divisor.
  bp::register_exception_translator<std::overflow_error>(
      [](const std::overflow_error& e) { PyErr_SetString(PyExc_OverflowError, e.what()); });
  bp::register_exception_translator<bridgebench::division_by_zero>(
      [](const bridgebench::division_by_zero& e) {
        PyErr_SetString(PyExc_ZeroDivisionError, e.what());
      });

  bp::def("add", &bridgebench::add, (bp::arg("a"), bp::arg("b")));
  bp::def("checked_div", &bridgebench::checked_div, (bp::arg("a"), bp::arg("b")));
  bp::def("map_callback", &map_callback, (bp::arg("values"), bp::arg("fn")));
  bp::def("scale_list", &scale_list, (bp::arg("values"), bp::arg("factor")));
  bp::def("scale_buffer", &scale_buffer, (bp::arg("values"), bp::arg("factor")));
  bp::def("scale_inplace", &scale_inplace, (bp::arg("values"), bp::arg("factor")));
}
