// The C++ kernel against the shared vectors in benches/kernels/*.toml.
// Plain C++ with a tiny checker: the summary line is "N passed, N failed".
#include <toml++/toml.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iostream>
#include <optional>
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

// Is `e` the C++ exception type the spec's [errors] table names?
bool is_cpp_type(const std::exception& e, const std::string& name) {
  if (name == "std::overflow_error") return dynamic_cast<const std::overflow_error*>(&e);
  if (name == "bridgebench::division_by_zero") {
    return dynamic_cast<const bridgebench::division_by_zero*>(&e);
  }
  throw std::runtime_error("test_kernels.cpp does not know the C++ type " + name);
}

// Every vector of a two-int64 kernel: the value, or the exception (type and message) the
// spec's [errors] table names for the vector's error.
template <typename Kernel>
void test_int_pair(const std::string& kernel, Kernel fn) {
  const auto spec = load(kernel);
  const auto* vectors = spec["vectors"].as_array();
  check(vectors != nullptr && !vectors->empty(), kernel + ".toml has vectors");
  if (vectors == nullptr) return;
  for (const auto& node : *vectors) {
    const auto& v = *node.as_table();
    const auto a = v["a"].value<std::int64_t>().value();
    const auto b = v["b"].value<std::int64_t>().value();
    const std::string label = kernel + "(" + std::to_string(a) + ", " + std::to_string(b) + ")";
    if (auto expect = v["expect"].value<std::int64_t>()) {
      check(fn(a, b) == *expect, label);
      continue;
    }
    const std::string error = v["error"].value<std::string>().value();
    const auto cpp_type = spec["errors"][error]["cpp"].value<std::string>().value();
    const auto message = spec["errors"][error]["message"].value<std::string>().value();
    try {
      (void)fn(a, b);
      check(false, label + " throws " + cpp_type);
    } catch (const std::exception& e) {
      check(is_cpp_type(e, cpp_type) && e.what() == message, label + " throws " + cpp_type);
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

// The named callbacks of map_callback.toml; "fail_above_two" throws for x > 2.
std::function<double(double)> callback(const std::string& name) {
  if (name == "double") return [](double x) { return x * 2.0; };
  if (name == "negate") return [](double x) { return -x; };
  if (name == "square_plus_one") return [](double x) { return x * x + 1.0; };
  if (name == "fail_above_two") {
    return [](double x) {
      if (x > 2.0) throw std::runtime_error("callback refused");
      return x;
    };
  }
  throw std::runtime_error("map_callback.toml names an unknown callback " + name);
}

void test_map_callback() {
  const auto spec = load("map_callback");
  const auto* vectors = spec["vectors"].as_array();
  check(vectors != nullptr && !vectors->empty(), "map_callback.toml has vectors");
  if (vectors == nullptr) return;
  int index = 0;
  for (const auto& node : *vectors) {
    const auto& v = *node.as_table();
    const auto values = floats(v["values"].as_array());
    const auto inner = callback(v["callback"].value<std::string>().value());
    const auto want_calls = v["calls"].value<std::int64_t>().value();
    const std::string label = "map_callback vector #" + std::to_string(index++);
    std::int64_t calls = 0;
    const auto counted = [&](double x) {
      ++calls;
      return inner(x);
    };
    if (const auto* expect = v["expect"].as_array()) {
      check(same_nan_aware(bridgebench::map_callback(values, counted), floats(expect)), label);
    } else {
      bool threw = false;
      try {
        (void)bridgebench::map_callback(values, counted);
      } catch (const std::runtime_error&) {
        threw = true;
      }
      check(threw, label + " propagates the callback's exception");
    }
    check(calls == want_calls, label + " calls the callback once per element, stopping at a throw");
  }
}

// Holder(text * repeat), then append(...) in order: text and utf8_len as the vector says,
// and the live counter back where it started once every holder is gone.
void test_holder() {
  const auto spec = load("holder");
  const auto* vectors = spec["vectors"].as_array();
  check(vectors != nullptr && !vectors->empty(), "holder.toml has vectors");
  if (vectors == nullptr) return;
  const auto start = bridgebench::live_holders();
  int index = 0;
  for (const auto& node : *vectors) {
    const auto& v = *node.as_table();
    const std::string label = "holder vector #" + std::to_string(index++);
    std::string want;
    const auto unit = v["text"].value<std::string>().value();
    for (auto i = v["repeat"].value_or<std::int64_t>(1); i > 0; --i) want += unit;
    bridgebench::Holder h(want);
    check(bridgebench::live_holders() == start + 1, label + " counts one live holder");
    if (const auto* appends = v["append"].as_array()) {
      for (const auto& more : *appends) {
        const auto piece = more.value<std::string>().value();
        h.append(piece);
        want += piece;
      }
    }
    const bridgebench::Holder copy = h;
    check(bridgebench::live_holders() == start + 2, label + " counts a copy");
    check(h.text() == want && copy.text() == want, label + " text");
    check(static_cast<std::int64_t>(h.utf8_len()) == v["utf8_len"].value<std::int64_t>().value(),
          label + " utf8_len");
  }
  check(bridgebench::live_holders() == start, "every holder destroyed once");
  bool threw = false;
  try {
    bridgebench::Holder bad(std::string_view("a\xff", 2));
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  check(threw && bridgebench::live_holders() == start, "invalid UTF-8 throws, nothing left alive");
}

// Counter(start) (Counter() when start is absent), then each step in order: ["bump", by]
// (["bump"]: bump()) answers the new value, ["set", v] assigns it. Only the last step may
// throw, the exception the spec's [errors] table names for the vector's error, and then the
// value is unchanged: `value` is the value at the end.
void test_counter() {
  const auto spec = load("counter");
  const auto* vectors = spec["vectors"].as_array();
  check(vectors != nullptr && !vectors->empty(), "counter.toml has vectors");
  if (vectors == nullptr) return;
  int index = 0;
  for (const auto& node : *vectors) {
    const auto& v = *node.as_table();
    const std::string label = "counter vector #" + std::to_string(index++);
    const auto start = v["start"].value<std::int64_t>();
    bridgebench::Counter c = start ? bridgebench::Counter(*start) : bridgebench::Counter();
    const auto error = v["error"].value<std::string>();
    const auto cpp_type = spec["errors"][error.value_or("")]["cpp"].value_or<std::string>("");
    const auto message = spec["errors"][error.value_or("")]["message"].value_or<std::string>("");
    const auto& steps = *v["steps"].as_array();
    bool threw = false;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const auto& step = *steps[i].as_array();
      const auto op = step[0].value<std::string>().value();
      const auto arg = step.size() > 1 ? step[1].value<std::int64_t>() : std::nullopt;
      if (op == "set") {
        c.set_value(arg.value());
        continue;
      }
      check(op == "bump", label + " has only bump and set steps");
      const auto before = c.value();
      try {
        const auto got = arg ? c.bump(*arg) : c.bump();
        check(got == c.value(), label + " bump answers the new value");
      } catch (const std::exception& e) {
        threw = true;
        check(error && i + 1 == steps.size() && is_cpp_type(e, cpp_type) && e.what() == message,
              label + (error ? " throws " + cpp_type + " at the last step" : " does not throw"));
        check(c.value() == before, label + " keeps the value when bump throws");
      }
    }
    check(threw == error.has_value(), label + (error ? " throws" : " does not throw"));
    check(c.value() == v["value"].value<std::int64_t>().value(), label + " value");
  }
}

void check_summary(const bridgebench::Summary& got, const toml::table& want,
                   const std::string& label) {
  check(got.count == want["count"].value<std::int64_t>().value(), label + " count");
  check(same_nan_aware({got.score_sum}, {want["score_sum"].value<double>().value()}),
        label + " score_sum");
  check(got.max_id == want["max_id"].value<std::int64_t>().value(), label + " max_id");
  check(got.longest_name == want["longest_name"].value<std::string>().value(),
        label + " longest_name");
}

// Records as columns in Arrow's layout, as the columns strategy passes them.
struct Columns {
  std::vector<std::int64_t> ids;
  std::vector<double> scores;
  std::vector<std::int64_t> offsets{0};
  std::string bytes;
};

bridgebench::Summary summarize(const Columns& c) {
  return bridgebench::summarize_columns(c.ids.data(), c.ids.size(), c.scores.data(),
                                        c.scores.size(), c.offsets.data(), c.offsets.size(),
                                        c.bytes.data(), c.bytes.size());
}

void test_summarize() {
  const auto spec = load("summarize");
  const auto* vectors = spec["vectors"].as_array();
  check(vectors != nullptr && !vectors->empty(), "summarize.toml has vectors");
  if (vectors == nullptr) return;
  int index = 0;
  for (const auto& node : *vectors) {
    const auto& v = *node.as_table();
    const std::string label = "summarize vector #" + std::to_string(index++);
    std::vector<bridgebench::Record> records;
    Columns columns;
    for (const auto& r : *v["records"].as_array()) {
      const auto& t = *r.as_table();
      records.push_back({t["id"].value<std::int64_t>().value(),
                         t["name"].value<std::string>().value(),
                         t["score"].value<double>().value()});
      columns.ids.push_back(records.back().id);
      columns.scores.push_back(records.back().score);
      columns.bytes += records.back().name;
      columns.offsets.push_back(static_cast<std::int64_t>(columns.bytes.size()));
    }
    check_summary(bridgebench::summarize(records), *v["expect"].as_table(), label + " objects");
    check_summary(summarize(columns), *v["expect"].as_table(), label + " columns");
  }
  index = 0;
  for (const auto& node : *spec["column_vectors"].as_array()) {
    const auto& v = *node.as_table();
    const std::string label = "summarize column vector #" + std::to_string(index++);
    Columns c;
    c.offsets.clear();
    for (const auto& x : *v["ids"].as_array()) c.ids.push_back(x.value<std::int64_t>().value());
    c.scores = floats(v["scores"].as_array());
    for (const auto& x : *v["name_offsets"].as_array()) {
      c.offsets.push_back(x.value<std::int64_t>().value());
    }
    for (const auto& x : *v["name_bytes"].as_array()) {
      c.bytes.push_back(static_cast<char>(x.value<std::int64_t>().value()));
    }
    if (const auto* expect = v["expect"].as_table()) {
      check_summary(summarize(c), *expect, label);
      continue;
    }
    const auto error = v["error"].value<std::string>().value();
    const auto message = spec["errors"][error]["message"].value<std::string>().value();
    try {
      (void)summarize(c);
      check(false, label + " throws " + error);
    } catch (const std::invalid_argument& e) {
      check(std::string(e.what()).find(message) != std::string::npos, label + " says " + message);
    }
  }
}

}  // namespace

int main() {
  try {
    test_int_pair("add", bridgebench::add);
    test_int_pair("checked_div", bridgebench::checked_div);
    test_scale();
    test_map_callback();
    test_holder();
    test_summarize();
    test_counter();
    // The checker itself must be able to say no.
    check(!same_nan_aware({0.0}, {-0.0}), "checker tells 0.0 from -0.0");
  } catch (const std::exception& e) {
    std::cerr << "error reading the shared vectors: " << e.what() << "\n";
    ++failed;
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
