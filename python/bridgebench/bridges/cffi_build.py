"""Build the cffi bridge's extension: `.venv/bin/python python/bridgebench/bridges/cffi_build.py`.

cffi's API (out-of-line) mode compiles a small C extension against the real header, so the
C compiler, not a hand copy, checks every signature and enum value (compare ctypes_abi.py).
It needs crates/c-abi built first: `cargo build --locked --release --package c-abi`.
The extension is installed into the running interpreter's site-packages, as maturin and
pip install the other bridges' modules: each interpreter's venv holds its own build.
`--libdir`, `--tmpdir` and `--out` build elsewhere (`build-figures` times a build from an
empty scratch folder): the cdylib's folder, the compile folder, and a folder to put the
extension in instead of site-packages.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import sysconfig
from pathlib import Path

from cffi import FFI

ROOT = Path(__file__).resolve().parents[3]
INCLUDE = ROOT / "crates/c-abi/include"
# cargo's output, as cargo itself reads it: CARGO_TARGET_DIR when set, and a folder per
# target when CARGO_BUILD_TARGET names one
LIBDIR = (
    Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
    / os.environ.get("CARGO_BUILD_TARGET", "")
    / "release"
)
MODULE = "_bb_cffi"
# ANCHOR: build
# map_callback's C callback, written in Python: cffi generates a C function with this
# signature (a `bb_map_fn`) that calls whatever cffi_abi.py attaches with @ffi.def_extern().
EXTERN_PYTHON = 'extern "Python" int32_t bridgebench_map_fn(void *context, double x, double *out);'


def cdef_source(header: str) -> str:
    """The header as cdef() accepts it: cdef() parses declarations only, so drop the
    preprocessor lines and the C++ `extern "C" {`/`}` guard around the functions."""
    return "\n".join(
        line
        for line in header.splitlines()
        if not line.lstrip().startswith("#") and 'extern "C"' not in line
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="build the cffi bridge's extension")
    parser.add_argument("--libdir", type=Path, default=LIBDIR, help="where libc_abi.so is")
    # One folder per interpreter: its objects are compiled against that interpreter's headers.
    tmpdir = ROOT / "build/cffi" / sys.implementation.cache_tag
    parser.add_argument("--tmpdir", type=Path, default=tmpdir, help="compile here")
    parser.add_argument("--out", type=Path, help="put the extension here, not in site-packages")
    args = parser.parse_args(argv)
    libdir = args.libdir.resolve()
    ffibuilder = FFI()
    ffibuilder.cdef(cdef_source((INCLUDE / "bb_c_abi.h").read_text()) + "\n" + EXTERN_PYTHON)
    ffibuilder.set_source(
        MODULE,
        '#include "bb_c_abi.h"',
        include_dirs=[str(INCLUDE)],
        libraries=["c_abi"],
        library_dirs=[str(libdir)],
        # An absolute RPATH, so the extension finds libc_abi.so without LD_LIBRARY_PATH.
        extra_link_args=[f"-Wl,-rpath,{libdir}"],
    )
    # Compile in build/ (the generated .c and .o stay out of the source tree), then install
    # only the extension. Copy, then rename: a running process that has the old .so mapped
    # keeps its file instead of seeing it rewritten.
    built = Path(ffibuilder.compile(tmpdir=str(args.tmpdir)))
    out = args.out.resolve() if args.out is not None else Path(sysconfig.get_paths()["platlib"])
    out.mkdir(parents=True, exist_ok=True)
    target = out / built.name
    partial = target.with_name(target.name + ".partial")
    shutil.copy2(built, partial)
    os.replace(partial, target)
    print(f"built {target}")
    # ANCHOR_END: build


if __name__ == "__main__":
    main()
