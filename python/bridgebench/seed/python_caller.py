# ANCHOR: python_caller
# python_caller.py
import ctypes
import sys  # added, with the next import and ADD_SO: see below
from pathlib import Path

# Changed from the seed's `ctypes.CDLL('./add.so')`, a path in the working directory,
# where the article's reader compiled add.cpp: here cpp/seed/CMakeLists.txt builds add.so
# and installs it into the venv's site-packages, next to the binding modules, which is on
# sys.path; the library is loaded from there, wherever the caller runs.
ADD_SO = next(Path(p) / "add.so" for p in sys.path if (Path(p) / "add.so").is_file())

lib = ctypes.CDLL(str(ADD_SO)) # Load the shared library
lib.add.argtypes = [ctypes.c_int, ctypes.c_int] # Define argument types
lib.add.restype = ctypes.c_int # Define return type
result = lib.add(5, 3)
print(f"Result: {result}")
# ANCHOR_END: python_caller
