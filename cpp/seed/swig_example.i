// The seed article ("How can Python and C++ communicate with each other?", 2025-01-30),
// Example 3, its interface file verbatim between the anchors (the article names no file;
// CMakeLists.txt builds it as the module swig_example).
// ANCHOR: swig_example_i
%module swig_example
%{
#include "swig_example.hpp"
%}

%include "std_string.i"
%include "std_vector.i"
class MyClass {
public:
  MyClass(std::string data);
  ~MyClass();
  std::string getData();
};
// ANCHOR_END: swig_example_i
