#include "bridgebench/kernels.hpp"

#include <atomic>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <utility>

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

namespace {

std::atomic<std::int64_t> live_count{0};

constexpr const char* kInvalidUtf8 = "a name is not valid UTF-8";
constexpr const char* kBadColumns =
    "columns disagree: want n ids, n scores and n + 1 name offsets that start at 0, never "
    "decrease and end at len(name_bytes)";

std::string_view checked_utf8(std::string_view text) {
  if (!is_valid_utf8(text)) throw std::invalid_argument(kInvalidUtf8);
  return text;
}

}  // namespace

Holder::Holder(std::string_view text) : text_(checked_utf8(text)) { ++live_count; }
Holder::Holder(const Holder& other) : text_(other.text_) { ++live_count; }
Holder::Holder(Holder&& other) noexcept : text_(std::move(other.text_)) { ++live_count; }
Holder::~Holder() { --live_count; }

void Holder::append(std::string_view more) { text_.append(checked_utf8(more)); }

std::int64_t live_holders() noexcept { return live_count.load(); }

// Table 3-7 of the Unicode Standard (well-formed UTF-8 byte sequences).
bool is_valid_utf8(std::string_view bytes) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  while (p < end) {
    // ASCII fast path, 8 bytes at a time: without it the C++ Holder would pay about 1.5 ns
    // per byte where Rust's from_utf8 (which has one) pays a tenth of that, and every C++
    // bridge would look slower for a reason that is not the bridge.
    while (end - p >= 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, p, 8);
      if (word & 0x8080808080808080ULL) break;
      p += 8;
    }
    if (p == end) break;
    const unsigned char b = *p;
    if (b < 0x80) {
      ++p;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0) lo = 0xA0;  // no overlong forms
      if (b == 0xED) hi = 0x9F;  // no surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0) lo = 0x90;  // no overlong forms
      if (b == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
      return false;  // a continuation byte, C0/C1 (overlong), or F5..FF
    }
    if (static_cast<std::size_t>(end - p) < len) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (std::size_t i = 2; i < len; ++i) {
      if (p[i] < 0x80 || p[i] > 0xBF) return false;
    }
    p += len;
  }
  return true;
}

void Summarizer::add(std::int64_t id, std::string_view name, double score) noexcept {
  ++count_;
  score_sum_ += score;
  if (id > max_id_) max_id_ = id;
  // Strictly longer: the first of equally long names stays.
  if (name.size() > longest_name_.size()) longest_name_ = name;
}

Summary Summarizer::finish() const {
  return Summary{count_, score_sum_, max_id_, std::string(longest_name_)};
}

Summary summarize(const std::vector<Record>& records) {
  Summarizer s;
  for (const auto& r : records) s.add(r.id, r.name, r.score);
  return s.finish();
}

Summary summarize_columns(const std::int64_t* ids, std::size_t n_ids, const double* scores,
                          std::size_t n_scores, const std::int64_t* name_offsets,
                          std::size_t n_offsets, const char* name_bytes, std::size_t n_bytes) {
  const std::size_t n = n_ids;
  if (n_scores != n || n_offsets != n + 1 || name_offsets[0] != 0 || name_offsets[n] < 0 ||
      static_cast<std::uint64_t>(name_offsets[n]) != n_bytes) {
    throw std::invalid_argument(kBadColumns);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (name_offsets[i] > name_offsets[i + 1]) throw std::invalid_argument(kBadColumns);
  }
  Summarizer s;
  for (std::size_t i = 0; i < n; ++i) {
    const auto start = static_cast<std::size_t>(name_offsets[i]);
    const auto len = static_cast<std::size_t>(name_offsets[i + 1]) - start;
    s.add(ids[i], checked_utf8(std::string_view(name_bytes + start, len)), scores[i]);
  }
  return s.finish();
}

}  // namespace bridgebench
