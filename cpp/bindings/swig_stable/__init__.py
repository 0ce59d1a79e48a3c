"""bridgebench kernels through SWIG, stable ABI build (cpp/bindings/swig_stable).

Beside this file are cpp/bindings/swig/bb_swig.i run through SWIG again: its proxy bb_swig.py
and the extension behind it, compiled with Py_LIMITED_API (_bb_swig.abi3.so). The interface
names the module bb_swig, so it is this package's submodule, and the package re-exports its
names: the same proxy functions and classes, no wrapper in between, so a call costs what a
call of the submodule costs.
"""

# Every public name of the proxy: the protocol's functions and classes (docs/protocol.md),
# kept in step with the shared interface without a list to maintain here.
from .bb_swig import *
