// bb_pybind11: the bridgebench protocol (docs/protocol.md) in pybind11 over the C++ kernel.
#include <pybind11/functional.h>  // std::function <-> Python callable, for map_callback
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>  // std::vector <-> list casters, for scale_list

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "bridgebench/kernels.hpp"

namespace py = pybind11;

namespace {

// py::buffer takes any buffer exporter (numpy, array.array, memoryview, ctypes) without
// converting, unlike py::array_t, which would turn a list or an int64 array into a new
// float64 array. The price: checking the layout ourselves.
py::buffer_info float64_vector(const py::buffer& values, bool writable) {
  // request(true) asks for PyBUF_WRITABLE, so a read-only exporter refuses here (numpy raises
  // ValueError, others BufferError).
  py::buffer_info info = values.request(writable);
  // numpy, array.array and memoryview say "d"; ctypes says "<d" (native on little-endian).
  const std::string& f = info.format;
  if (info.itemsize != sizeof(double) || !(f == "d" || f == "<d" || f == "=d" || f == "@d")) {
    throw py::type_error("expected float64 data (format 'd'), got format '" + f + "'");
  }
  if (info.ndim != 1) {
    throw py::value_error("expected a 1-D buffer, got " + std::to_string(info.ndim) + " dims");
  }
  // PyBUF_STRIDES also admits strided views such as a[::2]; the kernel needs contiguous data.
  if (info.shape[0] > 1 && info.strides[0] != static_cast<py::ssize_t>(sizeof(double))) {
    throw py::value_error("expected a C-contiguous buffer");
  }
  // Reading a double through a misaligned double* is undefined behaviour.
  // (An empty buffer may point anywhere: array.array shares a static empty string.)
  if (info.size > 0 && reinterpret_cast<std::uintptr_t>(info.ptr) % alignof(double) != 0) {
    throw py::value_error("expected an 8-byte aligned float64 buffer");
  }
  return info;
}

py::array_t<double> scale_buffer(const py::buffer& values, double factor) {
  py::buffer_info in = float64_vector(values, false);
  py::array_t<double> out(in.shape[0]);
  bridgebench::scale_into(static_cast<const double*>(in.ptr), static_cast<std::size_t>(in.size),
                          factor, out.mutable_data());
  return out;
}

void scale_inplace(const py::buffer& values, double factor) {
  py::buffer_info io = float64_vector(values, true);
  bridgebench::scale_inplace(static_cast<double*>(io.ptr), static_cast<std::size_t>(io.size),
                             factor);
}

}  // namespace

PYBIND11_MODULE(bb_pybind11, m) {
  m.doc() = "bridgebench kernels through pybind11";
  // std::overflow_error from the kernel becomes OverflowError (pybind11's built-in translation).
  m.def("add", &bridgebench::add, py::arg("a"), py::arg("b"));
  // pybind11's built-in translation would make division_by_zero, a std::domain_error, a
  // ValueError. Module-local translators run before the built-in ones (and do not leak into
  // other pybind11 modules); anything not caught here falls through to the next translator.
  py::register_local_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const bridgebench::division_by_zero& e) {
      py::set_error(PyExc_ZeroDivisionError, e.what());
    } catch (const py::cast_error& e) {
      // Only map_callback casts inside a call: functional.h's cast of fn's result to double.
      // Built-in translation would make it RuntimeError; the contract says TypeError.
      py::set_error(PyExc_TypeError, e.what());
    }
  });
  m.def("checked_div", &bridgebench::checked_div, py::arg("a"), py::arg("b"));
  // functional.h wraps the callable in a std::function that calls it (taking the GIL, which we
  // already hold) and casts its result to double. A Python exception inside becomes
  // py::error_already_set, which carries the original exception object through the kernel's loop
  // and is restored, unchanged, at the boundary. none(false): the caster would otherwise turn None
  // into an empty std::function, and calling that throws std::bad_function_call.
  m.def("map_callback", &bridgebench::map_callback, py::arg("values"), py::arg("fn").none(false));
  // The seed article's example: list -> std::vector<double> -> list, all by stl.h's casters.
  m.def("scale_list", &bridgebench::scale, py::arg("values"), py::arg("factor"));
  m.def("scale_buffer", &scale_buffer, py::arg("values"), py::arg("factor"));
  m.def("scale_inplace", &scale_inplace, py::arg("values"), py::arg("factor"));
}
