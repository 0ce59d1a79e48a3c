// A C ABI over the C++ kernel, called from Rust by crates/rs-extern-c/src/lib.rs.
//
// Rules of a C boundary, and how this file keeps them:
// - Only C types cross: int64_t, double, size_t, pointers. No std::vector, no
//   references, no C++ name mangling (extern "C").
// - No exception may unwind into Rust: that is undefined behaviour. Every
//   function is noexcept; one that calls throwing code catches everything and
//   returns a status code, with the result in an out-parameter.
// - Nothing checks that lib.rs declares these functions the same way: keep the
//   two in step by hand (cxx does that check for crates/rs-cxx).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "bridgebench/kernels.hpp"

namespace {

// Thrown by the std::function that bbcpp_map_callback hands the kernel when the C
// callback reports failure; caught again in bbcpp_map_callback, so it never leaves
// this file.
struct callback_failed {};

}  // namespace

extern "C" {

// Status codes of the functions below; lib.rs repeats them.
enum : int {
  BB_OK = 0,
  BB_OVERFLOW = 1,
  BB_ERROR = 2,
  BB_DIVISION_BY_ZERO = 3,
  BB_CALLBACK_FAILED = 4,
};

// What bbcpp_map_callback calls per element: *out = f(x) and 0, or non-zero when f
// fails (*out ignored). ctx is passed through untouched. Must not throw or unwind.
typedef int (*bbcpp_callback)(void* ctx, double x, double* out);

// *out = a + b and BB_OK, or BB_OVERFLOW (and *out untouched) when the sum does
// not fit in int64.
int bbcpp_add(std::int64_t a, std::int64_t b, std::int64_t* out) noexcept {
  try {
    *out = bridgebench::add(a, b);
    return BB_OK;
  } catch (const std::overflow_error&) {
    return BB_OVERFLOW;
  } catch (...) {  // anything else the kernel might throw one day
    return BB_ERROR;
  }
}

// *out = a / b (truncated) and BB_OK; BB_DIVISION_BY_ZERO when b == 0, BB_OVERFLOW
// for INT64_MIN / -1 (*out untouched). Each exception type gets its own status, so
// Rust learns which error it was without parsing a message.
int bbcpp_checked_div(std::int64_t a, std::int64_t b, std::int64_t* out) noexcept {
  try {
    *out = bridgebench::checked_div(a, b);
    return BB_OK;
  } catch (const bridgebench::division_by_zero&) {
    return BB_DIVISION_BY_ZERO;
  } catch (const std::overflow_error&) {
    return BB_OVERFLOW;
  } catch (...) {
    return BB_ERROR;
  }
}

// out[i] = fn(ctx, values[i]) for i in [0, n), through bridgebench::map_callback, and
// BB_OK. When fn returns non-zero the kernel stops at once (no further calls) and this
// returns BB_CALLBACK_FAILED; any other exception (std::bad_alloc) gives BB_ERROR. On
// failure out[] is untouched: the kernel builds its result in a std::vector, copied
// into out only once it is complete.
int bbcpp_map_callback(const double* values, std::size_t n, bbcpp_callback fn, void* ctx,
                       double* out) noexcept {
  try {
    const std::vector<double> in(values, values + n);
    const std::vector<double> result = bridgebench::map_callback(in, [fn, ctx](double x) {
      double y = 0.0;
      if (fn(ctx, x, &y) != 0) {
        throw callback_failed{};
      }
      return y;
    });
    if (result.size() != n) {  // never, by the kernel's contract; out holds only n
      return BB_ERROR;
    }
    std::copy(result.begin(), result.end(), out);
    return BB_OK;
  } catch (const callback_failed&) {
    return BB_CALLBACK_FAILED;
  } catch (...) {
    return BB_ERROR;
  }
}

// The scale kernels are noexcept themselves: nothing to catch, no status.

// out[i] = values[i] * factor for i in [0, n).
void bbcpp_scale_into(const double* values, std::size_t n, double factor, double* out) noexcept {
  bridgebench::scale_into(values, n, factor, out);
}

// values[i] *= factor for i in [0, n).
void bbcpp_scale_inplace(double* values, std::size_t n, double factor) noexcept {
  bridgebench::scale_inplace(values, n, factor);
}

}  // extern "C"
