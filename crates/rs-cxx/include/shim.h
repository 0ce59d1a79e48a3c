// Adapts the C++ kernel (bridgebench/kernels.hpp) to types cxx understands.
// The kernel takes (pointer, length); a rust::Slice is a Rust slice seen from
// C++, so pointer and length cross together and cannot disagree.
#pragma once

#include "rust/cxx.h"

namespace bridgebench::rs_cxx {

// out[i] = values[i] * factor. The caller guarantees out.size() == values.size().
void scale_into(rust::Slice<const double> values, double factor, rust::Slice<double> out);

// values[i] *= factor, in the caller's memory.
void scale_inplace(rust::Slice<double> values, double factor);

}  // namespace bridgebench::rs_cxx
