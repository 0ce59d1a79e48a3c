// The seed article ("How can Python and C++ communicate with each other?", 2025-01-30),
// Example 1, verbatim between the anchors: built by CMakeLists.txt as add.so.
// ANCHOR: add
// add.cpp
extern "C" { // crucial for compatibility with ctypes
  int add(int a, int b) {
    return a + b;
  }
}
// ANCHOR_END: add
