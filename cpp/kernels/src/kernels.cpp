#include "bridgebench/kernels.hpp"

#include <limits>
#include <stdexcept>

namespace bridgebench {

std::int64_t add(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    throw std::overflow_error("integer overflow: result does not fit in int64");
  }
  return sum;
}

std::int64_t checked_div(std::int64_t a, std::int64_t b) {
  if (b == 0) {
    throw division_by_zero("division by zero");
  }
  if (a == std::numeric_limits<std::int64_t>::min() && b == -1) {
    throw std::overflow_error("integer overflow: result does not fit in int64");
  }
  return a / b;
}

std::vector<double> map_callback(const std::vector<double>& values,
                                 const std::function<double(double)>& fn) {
  std::vector<double> out;
  out.reserve(values.size());
  for (double x : values) {
    out.push_back(fn(x));
  }
  return out;
}

void scale_into(const double* values, std::size_t n, double factor, double* out) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = values[i] * factor;
  }
}

std::vector<double> scale(const std::vector<double>& values, double factor) {
  std::vector<double> out(values.size());
  scale_into(values.data(), values.size(), factor, out.data());
  return out;
}

void scale_inplace(double* values, std::size_t n, double factor) noexcept {
  scale_into(values, n, factor, values);
}

}  // namespace bridgebench
