// The seed article ("How can Python and C++ communicate with each other?", 2025-01-30),
// Example 3, its header verbatim between the anchors; swig_example.i wraps it.
// ANCHOR: swig_example_hpp
// swig_example.hpp
#include <string>

class MyClass {
public:
    MyClass(const std::string& data) : data_(data) {}
    ~MyClass() { /*Deallocation logic if needed*/ }
    std::string getData() const { return data_; }

private:
    std::string data_;
};
// ANCHOR_END: swig_example_hpp
