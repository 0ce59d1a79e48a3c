// Adapts the C++ kernel (bridgebench/kernels.hpp) to types cxx understands.
// The kernel takes (pointer, length); a rust::Slice is a Rust slice seen from
// C++, so pointer and length cross together and cannot disagree.
#pragma once

#include <cstdint>
#include <memory>

#include "bridgebench/kernels.hpp"
#include "rust/cxx.h"

namespace bridgebench::rs_cxx {

// Defined by cxx from the bridge in src/lib.rs (generated rs-cxx/src/lib.rs.h,
// which includes this file, so only a declaration fits here).
struct DivResult;
// The Rust closure that map_callback calls back (an opaque Rust type, also defined there).
struct Callback;
// summarize's record (borrowing its name as a rust::Str) and result (shared structs).
struct Record;
struct Summary;

// out[i] = values[i] * factor. The caller guarantees out.size() == values.size().
void scale_into(rust::Slice<const double> values, double factor, rust::Slice<double> out);

// values[i] *= factor, in the caller's memory.
void scale_inplace(rust::Slice<double> values, double factor);

// bridgebench::checked_div, with its two exception types turned into a status.
DivResult checked_div(std::int64_t a, std::int64_t b);

// bridgebench::map_callback with callback.call as fn, its result copied into out. The
// rust::Error that callback.call throws when the Rust closure fails propagates.
void map_callback(rust::Slice<const double> values, Callback& callback, rust::Slice<double> out);

// A new bridgebench::Holder owning a copy of text; Rust owns the unique_ptr.
std::unique_ptr<Holder> new_holder(rust::Str text);

// holder.append(more), with more seen as a std::string_view.
void append(Holder& holder, rust::Str more);

// A new bridgebench::Counter holding start; Rust owns the unique_ptr.
std::unique_ptr<Counter> new_counter(std::int64_t start);

// bridgebench::Summarizer over the records, read in place.
Summary summarize(rust::Slice<const Record> records);

// bridgebench::summarize_columns over the four slices; its std::invalid_argument propagates.
Summary summarize_columns(rust::Slice<const std::int64_t> ids, rust::Slice<const double> scores,
                          rust::Slice<const std::int64_t> name_offsets,
                          rust::Slice<const std::uint8_t> name_bytes);

}  // namespace bridgebench::rs_cxx
