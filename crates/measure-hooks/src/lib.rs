//! `libmeasure_hooks.so`: the two instruments behind bridgebench's count runs
//! (`python/bridgebench/harness/counts.py`, docs/COUNTS.md).
//!
//! - [`alloc`]: when LD_PRELOADed, replaces the malloc family for the whole process
//!   (Python heap under PYTHONMALLOC=malloc, C++ `operator new`, Rust's System allocator)
//!   and counts calls, bytes requested and live bytes. Read with `bb_alloc_counters`.
//! - [`callgrind`]: callgrind client requests (toggle collection, dump, instrumentation
//!   on/off) as exported functions that ctypes can call; no-ops outside valgrind.
//!
//! Loaded with ctypes but not preloaded, the allocator symbols are never reached (the
//! process's malloc resolves to glibc first), so the counters stay at zero: that is how
//! the Python side tells whether the preload is active.

pub mod alloc;
pub mod callgrind;
