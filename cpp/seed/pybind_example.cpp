// The seed article ("How can Python and C++ communicate with each other?", 2025-01-30),
// Example 2, verbatim between the anchors: built by CMakeLists.txt as the module pybind_example.
// ANCHOR: pybind_example
// pybind_example.cpp
#include <pybind11/pybind11.h>
#include <pybind11/stl.h> // for std::vector support

namespace py = pybind11;

// ANCHOR: process_data
std::vector<double> process_data(const std::vector<double>& input) {
  // Perform some processing on the input data
  std::vector<double> output;
  for (double val : input) {
    output.push_back(val * 2.0);
  }
  return output;
}
// ANCHOR_END: process_data

PYBIND11_MODULE(pybind_example, m) {
  m.def("process_data", &process_data, "Process a vector of doubles");
}
// ANCHOR_END: pybind_example
