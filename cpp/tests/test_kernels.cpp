// The C++ kernel against the shared vectors in benches/kernels/*.toml.
// Plain C++ with a tiny checker: the summary line is "N passed, N failed".
#include <toml++/toml.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bridgebench/kernels.hpp"

namespace {

int passed = 0;
int failed = 0;

void check(bool ok, const std::string& what) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    std::cerr << "FAIL: " << what << "\n";
  }
}

std::uint64_t bits(double x) {
  std::uint64_t b = 0;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

// Bit-for-bit, except that any NaN equals any NaN (TOML cannot spell payloads).
bool same_nan_aware(const std::vector<double>& got, const std::vector<double>& want) {
  if (got.size() != want.size()) return false;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const bool both_nan = std::isnan(got[i]) && std::isnan(want[i]);
    if (!both_nan && bits(got[i]) != bits(want[i])) return false;
  }
  return true;
}

std::vector<double> floats(const toml::array* arr) {
  std::vector<double> out;
  if (arr == nullptr) throw std::runtime_error("vector field is not an array");
  for (const auto& node : *arr) {
    // TOML writes 2.0 as a float, but a bare 2 would be an integer: accept both.
    if (auto f = node.value<double>()) {
      out.push_back(*f);
    } else {
      throw std::runtime_error("non-number in a float array");
    }
  }
  return out;
}

toml::table load(const std::string& kernel) {
  return toml::parse_file(std::string(BRIDGEBENCH_KERNELS_DIR) + "/" + kernel + ".toml");
}

void test_add() {
  const auto spec = load("add");
  const auto* vectors = spec["vectors"].as_array();
  check(vectors != nullptr && !vectors->empty(), "add.toml has vectors");
  if (vectors == nullptr) return;
  for (const auto& node : *vectors) {
    const auto& v = *node.as_table();
    const auto a = v["a"].value<std::int64_t>().value();
    const auto b = v["b"].value<std::int64_t>().value();
    const std::string label = "add(" + std::to_string(a) + ", " + std::to_string(b) + ")";
    if (auto expect = v["expect"].value<std::int64_t>()) {
      check(bridgebench::add(a, b) == *expect, label);
    } else {
      bool threw = false;
      try {
        (void)bridgebench::add(a, b);
      } catch (const std::overflow_error&) {
        threw = true;
      }
      check(threw && v["error"].value<std::string>() == "overflow", label + " overflows");
    }
  }
}

void test_scale() {
  const auto spec = load("scale");
  const auto* vectors = spec["vectors"].as_array();
  check(vectors != nullptr && !vectors->empty(), "scale.toml has vectors");
  if (vectors == nullptr) return;
  int index = 0;
  for (const auto& node : *vectors) {
    const auto& v = *node.as_table();
    const auto values = floats(v["values"].as_array());
    const double factor = v["factor"].value<double>().value();
    const auto expect = floats(v["expect"].as_array());
    const std::string label = "scale vector #" + std::to_string(index++);

    check(same_nan_aware(bridgebench::scale(values, factor), expect), label + " (new vector)");
    auto inplace = values;
    bridgebench::scale_inplace(inplace.data(), inplace.size(), factor);
    check(same_nan_aware(inplace, expect), label + " (in place)");
  }
}

}  // namespace

int main() {
  try {
    test_add();
    test_scale();
    // The checker itself must be able to say no.
    check(!same_nan_aware({0.0}, {-0.0}), "checker tells 0.0 from -0.0");
  } catch (const std::exception& e) {
    std::cerr << "error reading the shared vectors: " << e.what() << "\n";
    ++failed;
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
