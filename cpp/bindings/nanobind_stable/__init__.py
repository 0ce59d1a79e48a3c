"""bridgebench kernels through nanobind, stable ABI build (cpp/bindings/nanobind_stable).

The extension beside this file is cpp/bindings/nanobind/bb_nanobind.cpp compiled again with
nanobind's STABLE_ABI option (bb_nanobind.abi3.so). Its source names it bb_nanobind, so it is
this package's submodule, and the package re-exports its names: the same function and class
objects, no wrapper in between, so a call costs what a call of the submodule costs.
"""

# Every public name of the module: the protocol's functions and classes (docs/protocol.md),
# kept in step with the shared source without a list to maintain here.
from .bb_nanobind import *
