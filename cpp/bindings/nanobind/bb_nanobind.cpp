// bb_nanobind: the bridgebench protocol (docs/protocol.md) in nanobind over the C++ kernel.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/vector.h>  // std::vector <-> list casters, for scale_list

#include <cstddef>
#include <cstdint>
#include <exception>
#include <vector>

#include "bridgebench/kernels.hpp"

namespace nb = nanobind;

namespace {

// A 1-D C-contiguous float64 array in CPU memory, from any DLPack or buffer-protocol exporter
// (numpy, array.array, memoryview). `const double` admits read-only input; plain `double`
// makes nanobind refuse read-only arrays, so scale_inplace can never write through one.
using In = nb::ndarray<const double, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using InOut = nb::ndarray<double, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
// Returned to Python as a numpy array that borrows our memory through a capsule.
using Out = nb::ndarray<nb::numpy, double, nb::ndim<1>>;

// nanobind checks dtype, shape and contiguity, but not alignment: reading a double through a
// misaligned double* is undefined behaviour, so refuse it here. (An empty buffer may point
// anywhere: array.array shares a static empty string.)
void require_aligned(const void* data, std::size_t n) {
  if (n > 0 && reinterpret_cast<std::uintptr_t>(data) % alignof(double) != 0) {
    throw nb::value_error("expected an 8-byte aligned float64 buffer");
  }
}

Out scale_buffer(const In& values, double factor) {
  require_aligned(values.data(), values.shape(0));
  const std::size_t n = values.shape(0);
  double* data = new double[n];
  // The capsule owns `data`; numpy's array keeps the capsule alive, so no copy on return.
  nb::capsule owner(data, [](void* p) noexcept { delete[] static_cast<double*>(p); });
  bridgebench::scale_into(values.data(), n, factor, data);
  return Out(data, {n}, owner);
}

// nb::callable, not stl/function.h: that caster converts fn's result with nb::cast<double>, whose
// failure (a str, say) is nb::cast_error, a std::bad_cast that surfaces as RuntimeError; and a
// translator to fix that would be global, shared by every nanobind module in the process.
// Calling the callable ourselves, we hold the GIL already and check the result as the contract
// says. A Python exception in fn becomes nb::python_error, which carries the original exception
// object through the kernel's loop and is restored, unchanged, at the boundary.
std::vector<double> map_callback(const std::vector<double>& values, const nb::callable& fn) {
  return bridgebench::map_callback(values, [&fn](double x) {
    const nb::object result = fn(x);  // throws nb::python_error if fn raised
    if (!PyFloat_Check(result.ptr()) && !PyLong_Check(result.ptr())) {
      throw nb::type_error("map_callback(): fn must return float or int");
    }
    const double value = PyFloat_AsDouble(result.ptr());  // float(x); OverflowError if too big
    if (value == -1.0 && PyErr_Occurred()) throw nb::python_error();
    return value;
  });
}

void scale_inplace(const InOut& values, double factor) {
  require_aligned(values.data(), values.shape(0));
  bridgebench::scale_inplace(values.data(), values.shape(0), factor);
}

}  // namespace

NB_MODULE(bb_nanobind, m) {
  m.doc() = "bridgebench kernels through nanobind";
  // std::overflow_error from the kernel becomes OverflowError (nanobind's built-in translation).
  m.def("add", &bridgebench::add, nb::arg("a"), nb::arg("b"));
  // nanobind's default translator would make division_by_zero, a std::domain_error, a
  // ValueError. The most recently registered translator runs first; an exception it does not
  // catch propagates to the next one.
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const bridgebench::division_by_zero& e) {
      PyErr_SetString(PyExc_ZeroDivisionError, e.what());
    }
  });
  m.def("checked_div", &bridgebench::checked_div, nb::arg("a"), nb::arg("b"));
  // nb::callable admits only callables; nanobind refuses None for any argument not marked
  // nb::arg().none(). The values list crosses by stl/vector.h, as for scale_list.
  m.def("map_callback", &map_callback, nb::arg("values"), nb::arg("fn"));
  // The seed article's example: list -> std::vector<double> -> list, all by stl/vector.h.
  m.def("scale_list", &bridgebench::scale, nb::arg("values"), nb::arg("factor"));
  // noconvert(): without it nanobind would quietly copy an int64 or float32 array (or a
  // strided view) into a fresh float64 one; the contract wants an error instead.
  m.def("scale_buffer", &scale_buffer, nb::arg("values").noconvert(), nb::arg("factor"));
  m.def("scale_inplace", &scale_inplace, nb::arg("values").noconvert(), nb::arg("factor"));
}
