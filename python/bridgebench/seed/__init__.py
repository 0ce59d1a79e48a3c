"""The seed article's three examples, as written: the Python callers of cpp/seed/.

The article this project grew from ("How can Python and C++ communicate with each
other?", 2025-01-30) shows three examples; their C++ is built as written by
cpp/seed/CMakeLists.txt into the venv (add.so, pybind_example, swig_example):

- `python_caller`: Example 1, ctypes over `extern "C" int add(int, int)`;
- `python_caller_pybind`: Example 2, pybind11's `process_data(const std::vector<double>&)`;
- `python_caller_swig`: Example 3, SWIG's `MyClass` (the article shows no caller of it;
  this one is written in the form of the other two).

They are scripts in the article's form (`python -m bridgebench.seed.python_caller`):
each prints its result when run, or imported. `calls` makes the calls the harness
measures of them: benches/bridges.toml declares each as an [[example]], measured beside a
bridge's cells but outside the contract (docs/protocol.md), which they do not meet.
"""
