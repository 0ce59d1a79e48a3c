# ANCHOR: python_caller_swig
# python_caller_swig.py (the article has no caller for Example 3: this one is written
# in the form of its other two)
import swig_example

obj = swig_example.MyClass("Hello from C++")
print(f"Data: {obj.getData()}")
del obj  # the proxy owns the C++ object (thisown): ~MyClass runs here
# ANCHOR_END: python_caller_swig
