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
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "bridgebench/kernels.hpp"

namespace {

// Thrown by the std::function that bbcpp_map_callback hands the kernel when the C
// callback reports failure; caught again in bbcpp_map_callback, so it never leaves
// this file.
struct callback_failed {};

}  // namespace

// A C++ exception's message, copied out for the caller (truncated to fit): what()
// belongs to the exception object, which is gone once its catch block ends.
struct bbcpp_message {
  char text[256];
  std::size_t len;
};

// One record of bbcpp_summarize: the name is borrowed, as (pointer, length) into the
// caller's memory; it need not be NUL-terminated, and may contain NULs.
struct bbcpp_record {
  std::int64_t id;
  const char* name;
  std::size_t name_len;
  double score;
};

// What the summarize functions write. The longest name is not copied: `longest` is
// the index of the record (or column entry) holding it, or -1 when it is "". An index
// into the caller's own input can be bounds-checked by the caller; a pointer could
// not, and a copy would need an allocation and a free across the boundary.
struct bbcpp_summary {
  std::int64_t count;
  double score_sum;
  std::int64_t max_id;
  std::int64_t longest;
};

namespace {

void copy_message(const char* what, bbcpp_message* message) noexcept {
  const std::size_t len = std::min(std::strlen(what), sizeof message->text);
  std::memcpy(message->text, what, len);
  message->len = len;
}

}  // namespace

extern "C" {

// ANCHOR: status
// Status codes of the functions below; lib.rs repeats them.
enum : int {
  BB_OK = 0,
  BB_OVERFLOW = 1,
  BB_ERROR = 2,
  BB_DIVISION_BY_ZERO = 3,
  BB_CALLBACK_FAILED = 4,
  BB_INVALID_UTF8 = 5,
  BB_INVALID_ARGUMENT = 6,
};

// What bbcpp_map_callback calls per element: *out = f(x) and 0, or non-zero when f
// fails (*out ignored). ctx is passed through untouched. Must not throw or unwind.
typedef int (*bbcpp_callback)(void* ctx, double x, double* out);
// ANCHOR_END: status

// *out = a + b and BB_OK, or BB_OVERFLOW (and *out untouched) when the sum does
// not fit in int64.
// ANCHOR: add
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
// ANCHOR_END: add

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

// ANCHOR: map_callback
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
// ANCHOR_END: map_callback

// The scale kernels are noexcept themselves: nothing to catch, no status.

// out[i] = values[i] * factor for i in [0, n).
void bbcpp_scale_into(const double* values, std::size_t n, double factor, double* out) noexcept {
  bridgebench::scale_into(values, n, factor, out);
}

// values[i] *= factor for i in [0, n).
void bbcpp_scale_inplace(double* values, std::size_t n, double factor) noexcept {
  bridgebench::scale_inplace(values, n, factor);
}

// A Holder crosses as an opaque pointer that the caller owns: made by bbcpp_holder_new,
// destroyed by bbcpp_holder_free, exactly once. The Holder's own std::invalid_argument
// means only one thing (the text is not UTF-8), so a status says it all.

// *out = a new Holder owning a copy of text[0, len), and BB_OK; BB_INVALID_UTF8 when
// the text is not UTF-8, BB_ERROR on any other exception (*out untouched, no holder made).
int bbcpp_holder_new(const char* text, std::size_t len, bridgebench::Holder** out) noexcept {
  try {
    *out = new bridgebench::Holder(std::string_view(text, len));
    return BB_OK;
  } catch (const std::invalid_argument&) {
    return BB_INVALID_UTF8;
  } catch (...) {
    return BB_ERROR;
  }
}

// Destroys a holder made by bbcpp_holder_new. Never called twice on one holder.
void bbcpp_holder_free(bridgebench::Holder* holder) noexcept { delete holder; }

// *text, *len = the holder's text, borrowed: valid until the holder is next changed or freed.
void bbcpp_holder_text(const bridgebench::Holder* holder, const char** text,
                       std::size_t* len) noexcept {
  *text = holder->text().data();
  *len = holder->text().size();
}

std::size_t bbcpp_holder_utf8_len(const bridgebench::Holder* holder) noexcept {
  return holder->utf8_len();
}

// Appends more[0, len) and BB_OK; BB_INVALID_UTF8 or BB_ERROR as bbcpp_holder_new, and
// then the text is unchanged.
int bbcpp_holder_append(bridgebench::Holder* holder, const char* more, std::size_t len) noexcept {
  try {
    holder->append(std::string_view(more, len));
    return BB_OK;
  } catch (const std::invalid_argument&) {
    return BB_INVALID_UTF8;
  } catch (...) {
    return BB_ERROR;
  }
}

std::int64_t bbcpp_live_holders() noexcept { return bridgebench::live_holders(); }

// A Counter crosses as an opaque pointer too, owned by the caller in the same way.

// *out = a new Counter holding start, and BB_OK; BB_ERROR if it cannot be allocated.
int bbcpp_counter_new(std::int64_t start, bridgebench::Counter** out) noexcept {
  try {
    *out = new bridgebench::Counter(start);
    return BB_OK;
  } catch (...) {
    return BB_ERROR;
  }
}

// Destroys a counter made by bbcpp_counter_new. Never called twice on one counter.
void bbcpp_counter_free(bridgebench::Counter* counter) noexcept { delete counter; }

// *out = the bumped value and BB_OK, or BB_OVERFLOW (value and *out unchanged) when the
// sum does not fit in int64.
int bbcpp_counter_bump(bridgebench::Counter* counter, std::int64_t by, std::int64_t* out) noexcept {
  try {
    *out = counter->bump(by);
    return BB_OK;
  } catch (const std::overflow_error&) {
    return BB_OVERFLOW;
  } catch (...) {
    return BB_ERROR;
  }
}

std::int64_t bbcpp_counter_value(const bridgebench::Counter* counter) noexcept {
  return counter->value();
}

void bbcpp_counter_set_value(bridgebench::Counter* counter, std::int64_t value) noexcept {
  counter->set_value(value);
}

// ANCHOR: summarize
// The kernel's Summarizer over n records, read in place, into *out, and BB_OK; BB_ERROR on
// an exception (std::bad_alloc). The Summarizer replaces its longest name only with a
// strictly longer one, so when that length grows, record i is the new longest.
int bbcpp_summarize(const bbcpp_record* records, std::size_t n, bbcpp_summary* out) noexcept {
  try {
    bridgebench::Summarizer summarizer;
    std::int64_t longest = -1;
    for (std::size_t i = 0; i < n; ++i) {
      const bbcpp_record& r = records[i];
      const std::size_t before = summarizer.longest_name().size();
      summarizer.add(r.id, std::string_view(r.name, r.name_len), r.score);
      if (summarizer.longest_name().size() > before) longest = static_cast<std::int64_t>(i);
    }
    // The Summarizer has no getters but longest_name(): finish() gives the rest (and
    // copies the longest name into a std::string, unused here).
    const bridgebench::Summary summary = summarizer.finish();
    *out = {summary.count, summary.score_sum, summary.max_id, longest};
    return BB_OK;
  } catch (...) {
    return BB_ERROR;
  }
}
// ANCHOR_END: summarize

// bridgebench::summarize_columns into *out, and BB_OK. The kernel throws
// std::invalid_argument for both of its refusals (columns disagree, a name is not UTF-8):
// one type, told apart only by what(), so this returns BB_INVALID_ARGUMENT with the
// message copied into *message. BB_ERROR on any other exception.
int bbcpp_summarize_columns(const std::int64_t* ids, std::size_t n_ids, const double* scores,
                            std::size_t n_scores, const std::int64_t* name_offsets,
                            std::size_t n_offsets, const char* name_bytes, std::size_t n_bytes,
                            bbcpp_summary* out, bbcpp_message* message) noexcept {
  try {
    const bridgebench::Summary summary = bridgebench::summarize_columns(
        ids, n_ids, scores, n_scores, name_offsets, n_offsets, name_bytes, n_bytes);
    // The kernel hands back a copy of the longest name, not where it was. It is the
    // first name with the most bytes, so the first name of its length is the one.
    std::int64_t longest = -1;
    const auto size = static_cast<std::int64_t>(summary.longest_name.size());
    for (std::size_t i = 0; size > 0 && i < n_ids; ++i) {
      if (name_offsets[i + 1] - name_offsets[i] == size) {
        longest = static_cast<std::int64_t>(i);
        break;
      }
    }
    *out = {summary.count, summary.score_sum, summary.max_id, longest};
    return BB_OK;
  } catch (const std::invalid_argument& e) {
    copy_message(e.what(), message);
    return BB_INVALID_ARGUMENT;
  } catch (...) {
    return BB_ERROR;
  }
}

}  // extern "C"
