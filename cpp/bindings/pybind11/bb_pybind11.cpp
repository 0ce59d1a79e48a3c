// bb_pybind11: the bridgebench protocol (docs/protocol.md) in pybind11 over the C++ kernel.
#include <pybind11/functional.h>  // std::function <-> Python callable, for map_callback
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>  // std::vector/std::tuple casters, for scale_list and summarize_objects

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "bridgebench/kernels.hpp"

namespace py = pybind11;

namespace {

// ANCHOR: vector_buffer
// py::buffer takes any buffer exporter (numpy, array.array, memoryview, ctypes) without
// converting, unlike py::array_t, which would turn a list or an int32 array into a new
// array of the wanted type. The price: checking the layout ourselves. `codes` are the format
// characters that mean the wanted type; `what` names it in the error.
py::buffer_info vector_buffer(const py::buffer& values, bool writable, py::ssize_t itemsize,
                              std::string_view codes, const char* what) {
  // request(true) asks for PyBUF_WRITABLE, so a read-only exporter refuses here (numpy raises
  // ValueError, others BufferError).
  py::buffer_info info = values.request(writable);
  // numpy, array.array and memoryview give a bare code ("d"); ctypes prefixes the byte order
  // ("<d"), which is the native one on the little-endian machines we build for.
  std::string_view f = info.format;
  if (f.size() == 2 && (f[0] == '@' || f[0] == '=' || f[0] == '<')) f.remove_prefix(1);
  if (info.itemsize != itemsize || f.size() != 1 || codes.find(f[0]) == std::string_view::npos) {
    throw py::type_error(std::string("expected ") + what + " data, got format '" + info.format +
                         "'");
  }
  if (info.ndim != 1) {
    throw py::value_error("expected a 1-D buffer, got " + std::to_string(info.ndim) + " dims");
  }
  // PyBUF_STRIDES also admits strided views such as a[::2]; the kernel needs contiguous data.
  if (info.shape[0] > 1 && info.strides[0] != itemsize) {
    throw py::value_error("expected a C-contiguous buffer");
  }
  // Reading a double or an int64 through a misaligned pointer is undefined behaviour.
  // (An empty buffer may point anywhere: array.array shares a static empty string.)
  if (info.size > 0 && reinterpret_cast<std::uintptr_t>(info.ptr) % itemsize != 0) {
    throw py::value_error(std::string("expected an aligned ") + what + " buffer");
  }
  return info;
}
// ANCHOR_END: vector_buffer

py::buffer_info float64_vector(const py::buffer& values, bool writable) {
  return vector_buffer(values, writable, sizeof(double), "d", "float64");
}

// numpy calls int64 'l' (C long, 64 bits on Linux and macOS), array.array calls it 'q'.
py::buffer_info int64_vector(const py::buffer& values) {
  constexpr std::string_view codes = sizeof(long) == sizeof(std::int64_t) ? "ql" : "q";
  return vector_buffer(values, false, sizeof(std::int64_t), codes, "int64");
}

std::size_t length(const py::buffer_info& info) { return static_cast<std::size_t>(info.size); }

// ANCHOR: scale_buffer
py::array_t<double> scale_buffer(const py::buffer& values, double factor) {
  py::buffer_info in = float64_vector(values, false);
  py::array_t<double> out(in.shape[0]);
  double* data = out.mutable_data();
  {
    // Only reads memory the buffer_info pins, no Python object: let other threads run.
    py::gil_scoped_release release;
    bridgebench::scale_into(static_cast<const double*>(in.ptr), static_cast<std::size_t>(in.size),
                            factor, data);
  }
  return out;
}

// Keeps the GIL: each call is atomic for other Python threads, so a shared array stays exact.
void scale_inplace(const py::buffer& values, double factor) {
  py::buffer_info io = float64_vector(values, true);
  bridgebench::scale_inplace(static_cast<double*>(io.ptr), static_cast<std::size_t>(io.size),
                             factor);
}
// ANCHOR_END: scale_buffer

// ANCHOR: utf8
// A str's UTF-8 form, without a copy: CPython caches it inside the str, so the view lives as
// long as `text`. The encoding is strict: a lone surrogate raises UnicodeEncodeError. (The
// std::string / std::string_view casters would accept bytes too, and would report a lone
// surrogate as "incompatible function arguments", a TypeError.)
std::string_view utf8(const py::str& text) {
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(text.ptr(), &size);
  if (data == nullptr) throw py::error_already_set();
  return {data, static_cast<std::size_t>(size)};
}
// ANCHOR_END: utf8

// ANCHOR: summarize_objects
// stl.h converts the records (a list or tuple) and each record (a sequence of exactly three
// items) field by field, with the same int64_t and double casters as add and scale_list. Each
// name stays a py::str, read by utf8() above. Then the kernel's Summarizer folds over the
// records as they are, instead of a std::vector<Record>, which would copy every name once more.
using Row = std::tuple<std::int64_t, py::str, double>;

bridgebench::Summary summarize_objects(const std::vector<Row>& records) {
  bridgebench::Summarizer summary;
  for (const auto& [id, name, score] : records) summary.add(id, utf8(name), score);
  return summary.finish();  // copies the longest name out of its str
}
// ANCHOR_END: summarize_objects

// Four buffers, checked as scale_buffer checks its one; the kernel checks that they agree.
bridgebench::Summary summarize_columns(const py::buffer& ids, const py::buffer& scores,
                                       const py::buffer& name_offsets,
                                       const py::buffer& name_bytes) {
  const py::buffer_info i = int64_vector(ids);
  const py::buffer_info s = float64_vector(scores, false);
  const py::buffer_info o = int64_vector(name_offsets);
  // Any bytes-like object: bytes, bytearray, numpy uint8, memoryview ('B', 'b' or 'c').
  const py::buffer_info b = vector_buffer(name_bytes, false, 1, "Bbc", "bytes");
  // Reads the four pinned buffers only; the GIL is back before anything is converted or thrown.
  py::gil_scoped_release release;
  return bridgebench::summarize_columns(static_cast<const std::int64_t*>(i.ptr), length(i),
                                        static_cast<const double*>(s.ptr), length(s),
                                        static_cast<const std::int64_t*>(o.ptr), length(o),
                                        static_cast<const char*>(b.ptr), length(b));
}

}  // namespace

// ANCHOR: module
PYBIND11_MODULE(bb_pybind11, m) {
  m.doc() = "bridgebench kernels through pybind11";
  // std::overflow_error from the kernel becomes OverflowError (pybind11's built-in translation).
  // noconvert(): an int64_t then takes an int or anything with __index__ (a numpy integer), as
  // the contract says; in convert mode pybind11 would also take int(x) of any number, so a
  // Decimal('5.5') or a numpy.float32(5.5) would quietly become 5.
  m.def("add", &bridgebench::add, py::arg("a").noconvert(), py::arg("b").noconvert());
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
  m.def("checked_div", &bridgebench::checked_div, py::arg("a").noconvert(),
        py::arg("b").noconvert());
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

  // The kernel's Holder as a Python class; pybind11 owns each one through a std::unique_ptr
  // and runs the C++ destructor when the Python object dies. The factory takes a py::str, so
  // only a str is accepted; the kernel's std::invalid_argument would become ValueError.
  py::class_<bridgebench::Holder>(m, "Holder")
      .def(py::init([](const py::str& text) {
             return std::make_unique<bridgebench::Holder>(utf8(text));
           }),
           py::arg("text"))
      // const std::string& -> a new str, decoded with its length (embedded NULs survive).
      .def("text", &bridgebench::Holder::text)
      .def("utf8_len", &bridgebench::Holder::utf8_len)
      .def(
          "append", [](bridgebench::Holder& self, const py::str& more) { self.append(utf8(more)); },
          py::arg("more"));
  m.def("live_holders", &bridgebench::live_holders);

  // The kernel's Counter, held by pybind11 like Holder. Its ints cross by the same int64_t
  // caster as add's, noconvert() as there, and bump's std::overflow_error becomes OverflowError
  // as add's does. def_property makes `value` a Python property (read and write; deleting it is
  // refused); its setter is a cpp_function only to carry noconvert().
  py::class_<bridgebench::Counter>(m, "Counter")
      .def(py::init<std::int64_t>(), py::arg("start").noconvert() = 0)
      .def("bump", &bridgebench::Counter::bump, py::arg("by").noconvert() = 1)
      .def_property("value", &bridgebench::Counter::value,
                    py::cpp_function(&bridgebench::Counter::set_value, py::arg("self"),
                                     py::arg("value").noconvert()));

  // A plain struct, bound as a class with read-only attributes (no constructor from Python).
  py::class_<bridgebench::Summary>(m, "Summary")
      .def_readonly("count", &bridgebench::Summary::count)
      .def_readonly("score_sum", &bridgebench::Summary::score_sum)
      .def_readonly("max_id", &bridgebench::Summary::max_id)
      .def_readonly("longest_name", &bridgebench::Summary::longest_name);
  // noconvert() for the ids, as add's; it reaches every caster inside the records, so a score
  // is then a float or an int only (declared in benches/bridges.toml).
  m.def("summarize_objects", &summarize_objects, py::arg("records").noconvert());
  m.def("summarize_columns", &summarize_columns, py::arg("ids"), py::arg("scores"),
        py::arg("name_offsets"), py::arg("name_bytes"));
}
// ANCHOR_END: module
