// The bridgebench kernels in C++17. Semantics: benches/kernels/*.toml.
// Every C++-side bridge (pybind11, nanobind, SWIG, Boost.Python, cxx, extern "C")
// wraps exactly these functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

namespace bridgebench {

// Thrown by checked_div for a zero divisor. A type of its own, so that every binding can
// translate it (to ZeroDivisionError) without guessing from a message.
class division_by_zero : public std::domain_error {
 public:
  using std::domain_error::domain_error;
};

// The exact sum; throws std::overflow_error when it does not fit in int64.
std::int64_t add(std::int64_t a, std::int64_t b);

// a / b truncated toward zero; throws division_by_zero when b == 0 and std::overflow_error
// for INT64_MIN / -1 (the one quotient that does not fit).
std::int64_t checked_div(std::int64_t a, std::int64_t b);

// out[i] = fn(values[i]), in order. Whatever fn throws propagates unchanged and stops the
// loop: a binding can carry its own error (a Python exception, say) through the kernel.
std::vector<double> map_callback(const std::vector<double>& values,
                                 const std::function<double(double)>& fn);

// out[i] = values[i] * factor for i in [0, n). `out` may equal `values`.
void scale_into(const double* values, std::size_t n, double factor, double* out) noexcept;

// scale returning a new vector (the seed article's process_data, generalized).
std::vector<double> scale(const std::vector<double>& values, double factor);

// scale in place.
void scale_inplace(double* values, std::size_t n, double factor) noexcept;

}  // namespace bridgebench
