#include "rs-cxx/include/shim.h"

#include "bridgebench/kernels.hpp"

namespace bridgebench::rs_cxx {

// Both kernel functions are noexcept, so nothing can be thrown through cxx here.
// data() and size() of a rust::Slice are calls into Rust (cxx does not assume
// the layout of a Rust slice), so each is read once per call.

void scale_into(rust::Slice<const double> values, double factor, rust::Slice<double> out) {
  ::bridgebench::scale_into(values.data(), values.size(), factor, out.data());
}

void scale_inplace(rust::Slice<double> values, double factor) {
  ::bridgebench::scale_inplace(values.data(), values.size(), factor);
}

}  // namespace bridgebench::rs_cxx
