// bb_nanobind: the bridgebench protocol (docs/protocol.md) in nanobind over the C++ kernel.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>  // std::string -> str, for Holder.text and Summary
#include <nanobind/stl/tuple.h>   // std::tuple casters, for summarize_objects
#include <nanobind/stl/vector.h>  // std::vector <-> list casters, for scale_list

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string_view>
#include <tuple>
#include <vector>

#include "bridgebench/kernels.hpp"

namespace nb = nanobind;

namespace {

// ANCHOR: ndarray_types
// A 1-D C-contiguous float64 array in CPU memory, from any DLPack or buffer-protocol exporter
// (numpy, array.array, memoryview). `const double` admits read-only input; plain `double`
// makes nanobind refuse read-only arrays, so scale_inplace can never write through one.
using In = nb::ndarray<const double, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using InOut = nb::ndarray<double, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
// Returned to Python as a numpy array that borrows our memory through a capsule.
using Out = nb::ndarray<nb::numpy, double, nb::ndim<1>>;
// The integer columns of summarize_columns (numpy int64 and array('q') both qualify), and its
// names: any exporter of bytes (bytes, bytearray, numpy uint8; format 'B').
using Int64In = nb::ndarray<const std::int64_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using BytesIn = nb::ndarray<const std::uint8_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

// nanobind checks dtype, shape and contiguity, but not alignment: reading a double or an int64
// through a misaligned pointer is undefined behaviour, so refuse it here. (An empty buffer may
// point anywhere: array.array shares a static empty string.)
void require_aligned(const void* data, std::size_t n) {
  static_assert(alignof(double) == 8 && alignof(std::int64_t) == 8);
  if (n > 0 && reinterpret_cast<std::uintptr_t>(data) % 8 != 0) {
    throw nb::value_error("expected an 8-byte aligned buffer");
  }
}
// ANCHOR_END: ndarray_types

// ANCHOR: scale_buffer
Out scale_buffer(const In& values, double factor) {
  require_aligned(values.data(), values.shape(0));
  const std::size_t n = values.shape(0);
  double* data = new double[n];
  // The capsule owns `data`; numpy's array keeps the capsule alive, so no copy on return.
  nb::capsule owner(data, [](void* p) noexcept { delete[] static_cast<double*>(p); });
  {
    // Only reads memory the ndarray pins, no Python object: let other threads run.
    nb::gil_scoped_release release;
    bridgebench::scale_into(values.data(), n, factor, data);
  }
  return Out(data, {n}, owner);
}
// ANCHOR_END: scale_buffer

// ANCHOR: map_callback
// nb::callable, not stl/function.h: that caster converts fn's result with nb::cast<double>, whose
// failure (a str, say) is nb::cast_error, a std::bad_cast that surfaces as RuntimeError; and a
// translator to fix that would be global, shared by every nanobind module in the process.
// Calling the callable ourselves, we hold the GIL already and convert the result as a double
// argument is converted. A Python exception in fn becomes nb::python_error, which carries the
// original exception object through the kernel's loop and is restored, unchanged, at the boundary.
std::vector<double> map_callback(const std::vector<double>& values, const nb::callable& fn) {
  return bridgebench::map_callback(values, [&fn](double x) {
    const nb::object result = fn(x);  // throws nb::python_error if fn raised
    // A float's value, else __float__ or __index__; TypeError for a str, OverflowError for an
    // int beyond float range.
    const double value = PyFloat_AsDouble(result.ptr());
    if (value == -1.0 && PyErr_Occurred()) throw nb::python_error();
    return value;
  });
}
// ANCHOR_END: map_callback

// Keeps the GIL: each call is atomic for other Python threads, so a shared array stays exact.
void scale_inplace(const InOut& values, double factor) {
  require_aligned(values.data(), values.shape(0));
  bridgebench::scale_inplace(values.data(), values.shape(0), factor);
}

// A str's UTF-8 form, without a copy: CPython caches it inside the str, so the view lives as
// long as `text`. The encoding is strict: a lone surrogate raises UnicodeEncodeError. (The
// std::string / std::string_view casters would report it as "incompatible function
// arguments", a TypeError.)
std::string_view utf8(const nb::str& text) {
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(text.ptr(), &size);
  if (data == nullptr) throw nb::python_error();
  return {data, static_cast<std::size_t>(size)};
}

// stl/vector.h and stl/tuple.h convert the records (a list or tuple) and each record (a
// sequence of exactly three items) field by field, with the same int64_t and double casters as
// add and scale_list. Each name stays an nb::str, read by utf8() above. Then the kernel's
// Summarizer folds over the records as they are, instead of a std::vector<Record>, which would
// copy every name once more.
using Row = std::tuple<std::int64_t, nb::str, double>;

bridgebench::Summary summarize_objects(const std::vector<Row>& records) {
  bridgebench::Summarizer summary;
  for (const auto& [id, name, score] : records) summary.add(id, utf8(name), score);
  return summary.finish();  // copies the longest name out of its str
}

// nanobind has checked dtype, rank and contiguity of all four; the kernel checks that they agree.
bridgebench::Summary summarize_columns(const Int64In& ids, const In& scores,
                                       const Int64In& name_offsets, const BytesIn& name_bytes) {
  require_aligned(ids.data(), ids.shape(0));
  require_aligned(scores.data(), scores.shape(0));
  require_aligned(name_offsets.data(), name_offsets.shape(0));
  // Reads the four pinned arrays only; the GIL is back before anything is converted or thrown.
  nb::gil_scoped_release release;
  return bridgebench::summarize_columns(
      ids.data(), ids.shape(0), scores.data(), scores.shape(0), name_offsets.data(),
      name_offsets.shape(0), reinterpret_cast<const char*>(name_bytes.data()), name_bytes.shape(0));
}

}  // namespace

// ANCHOR: module
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
  // ANCHOR: buffers
  // noconvert(): without it nanobind would quietly copy an int64 or float32 array (or a
  // strided view) into a fresh float64 one; the contract wants an error instead.
  m.def("scale_buffer", &scale_buffer, nb::arg("values").noconvert(), nb::arg("factor"));
  m.def("scale_inplace", &scale_inplace, nb::arg("values").noconvert(), nb::arg("factor"));
  // ANCHOR_END: buffers

  // The kernel's Holder as a Python class: nanobind stores the C++ object inside the Python
  // object and runs its destructor when the Python object dies. A custom __init__ constructs it
  // in place from an nb::str, so only a str is accepted; the kernel's std::invalid_argument would
  // become ValueError (nanobind's built-in translation).
  nb::class_<bridgebench::Holder>(m, "Holder")
      .def(
          "__init__",
          [](bridgebench::Holder* self, const nb::str& text) {
            new (self) bridgebench::Holder(utf8(text));
          },
          nb::arg("text"))
      // const std::string& -> a new str, decoded with its length (embedded NULs survive).
      .def("text", &bridgebench::Holder::text)
      .def("utf8_len", &bridgebench::Holder::utf8_len)
      .def(
          "append", [](bridgebench::Holder& self, const nb::str& more) { self.append(utf8(more)); },
          nb::arg("more"));
  m.def("live_holders", &bridgebench::live_holders);

  // The kernel's Counter, stored inside the Python object like Holder. Its ints cross by the
  // same int64_t caster as add's, and bump's std::overflow_error becomes OverflowError as add's
  // does. def_prop_rw makes `value` a Python property (read and write; deleting it is refused).
  nb::class_<bridgebench::Counter>(m, "Counter")
      .def(nb::init<std::int64_t>(), nb::arg("start") = 0)
      .def("bump", &bridgebench::Counter::bump, nb::arg("by") = 1)
      .def_prop_rw("value", &bridgebench::Counter::value, &bridgebench::Counter::set_value);

  // A plain struct, bound as a class with read-only attributes (no constructor from Python).
  nb::class_<bridgebench::Summary>(m, "Summary")
      .def_ro("count", &bridgebench::Summary::count)
      .def_ro("score_sum", &bridgebench::Summary::score_sum)
      .def_ro("max_id", &bridgebench::Summary::max_id)
      .def_ro("longest_name", &bridgebench::Summary::longest_name);
  m.def("summarize_objects", &summarize_objects, nb::arg("records"));
  // noconvert(), as for scale_buffer: no quiet copy of an int32 or float32 array, or a list.
  m.def("summarize_columns", &summarize_columns, nb::arg("ids").noconvert(),
        nb::arg("scores").noconvert(), nb::arg("name_offsets").noconvert(),
        nb::arg("name_bytes").noconvert());
}
// ANCHOR_END: module
