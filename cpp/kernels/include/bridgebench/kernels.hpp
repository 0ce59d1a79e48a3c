// The bridgebench kernels in C++17. Semantics: benches/kernels/*.toml.
// Every C++-side bridge (pybind11, nanobind, SWIG, Boost.Python, cxx, extern "C")
// wraps exactly these functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
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

// Counter: one int64 behind a method (bump) and a property (value), the call shapes of
// kernel `counter`.
class Counter {
 public:
  explicit Counter(std::int64_t start = 0) noexcept : value_(start) {}

  // Adds `by` with add's rule and returns the new value; throws std::overflow_error (and
  // keeps the value) when the sum does not fit in int64.
  std::int64_t bump(std::int64_t by = 1) { return value_ = add(value_, by); }

  std::int64_t value() const noexcept { return value_; }
  void set_value(std::int64_t value) noexcept { value_ = value; }

 private:
  std::int64_t value_;
};

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

// Holder: an object owning a UTF-8 string (the seed article's MyClass). Every constructor
// (copies and moves included) counts one more live holder and the destructor one less, so
// a binding's tests can prove each object is destroyed exactly once.
class Holder {
 public:
  // Throws std::invalid_argument("... not valid UTF-8") when text is not UTF-8.
  explicit Holder(std::string_view text);
  Holder(const Holder& other);
  Holder(Holder&& other) noexcept;
  Holder& operator=(const Holder& other) = default;
  Holder& operator=(Holder&& other) noexcept = default;
  ~Holder();

  const std::string& text() const noexcept { return text_; }
  // The length in UTF-8 bytes.
  std::size_t utf8_len() const noexcept { return text_.size(); }
  // Throws std::invalid_argument when more is not UTF-8; the text is then unchanged.
  void append(std::string_view more);

 private:
  std::string text_;
};

// Holders constructed and not yet destroyed, in this copy of the kernel library (each
// binding module links its own copy, so each has its own count).
std::int64_t live_holders() noexcept;

// Is `bytes` well-formed UTF-8 (no overlong forms, surrogates, or code points above
// U+10FFFF; no truncated sequence)? The standard library has no such check.
bool is_valid_utf8(std::string_view bytes) noexcept;

// One record of summarize's objects strategy.
struct Record {
  std::int64_t id = 0;
  std::string name;
  double score = 0.0;
};

struct Summary {
  std::int64_t count = 0;
  double score_sum = 0.0;  // added left to right from +0.0
  // the identity of max when there are no records
  std::int64_t max_id = std::numeric_limits<std::int64_t>::min();
  std::string longest_name;  // most UTF-8 bytes, first on ties; "" when empty
};

// summarize as a fold: add records in order, then finish(). Every strategy and every
// binding that reaches the C++ kernel goes through this, whatever its record type.
class Summarizer {
 public:
  void add(std::int64_t id, std::string_view name, double score) noexcept;
  // The longest name so far, a view into the caller's data.
  std::string_view longest_name() const noexcept { return longest_name_; }
  Summary finish() const;

 private:
  std::int64_t count_ = 0;
  double score_sum_ = 0.0;
  std::int64_t max_id_ = std::numeric_limits<std::int64_t>::min();
  std::string_view longest_name_;
};

// summarize over records (the objects strategy).
Summary summarize(const std::vector<Record>& records);

// summarize over columns in Apache Arrow's layout: name i is
// name_bytes[name_offsets[i], name_offsets[i + 1]). name_offsets has n + 1 entries.
// Throws std::invalid_argument("columns disagree: ...") when the offsets do not start at
// 0, decrease, or do not end at n_bytes, and ("... not valid UTF-8") for a bad name.
// Each column comes with its own length, so the kernel, not each binding, checks that they
// agree.
Summary summarize_columns(const std::int64_t* ids, std::size_t n_ids, const double* scores,
                          std::size_t n_scores, const std::int64_t* name_offsets,
                          std::size_t n_offsets, const char* name_bytes, std::size_t n_bytes);

}  // namespace bridgebench
