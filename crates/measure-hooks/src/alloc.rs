//! The malloc family, interposed: count, then forward to glibc's `__libc_*` entry points.
//!
//! Rules that keep this safe inside every allocation of the process:
//! - no allocation and no locks here: only relaxed atomic adds (a counter read is a
//!   snapshot; the runner reads it from one thread with the measured loop finished);
//! - no dlsym (it can allocate, and it would recurse): glibc exports `__libc_malloc`,
//!   `__libc_calloc`, `__libc_realloc`, `__libc_free`, `__libc_memalign`, `__libc_valloc`
//!   and `__libc_pvalloc` for exactly this purpose;
//! - live bytes use `malloc_usable_size` on both sides (allocation and free), so they
//!   balance exactly whatever glibc rounds a request up to.
//!
//! glibc's manual ("Replacing malloc") lists what a replacement must provide: malloc,
//! free, calloc, realloc, plus aligned_alloc, memalign, posix_memalign, pvalloc and valloc
//! when used, and malloc_usable_size, which stays glibc's own here because every block
//! still comes from glibc.

use core::ffi::{c_int, c_void};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

unsafe extern "C" {
    fn __libc_malloc(size: usize) -> *mut c_void;
    fn __libc_calloc(nmemb: usize, size: usize) -> *mut c_void;
    fn __libc_realloc(ptr: *mut c_void, size: usize) -> *mut c_void;
    fn __libc_free(ptr: *mut c_void);
    fn __libc_memalign(align: usize, size: usize) -> *mut c_void;
    fn __libc_valloc(size: usize) -> *mut c_void;
    fn __libc_pvalloc(size: usize) -> *mut c_void;
    fn malloc_usable_size(ptr: *mut c_void) -> usize;
}

/// How many counters `bb_alloc_counters` writes, in this order.
pub const COUNTERS: usize = 5;
/// New blocks: malloc, calloc, the aligned variants, and realloc(NULL, n).
const ALLOCS: usize = 0;
/// realloc of an existing block to a nonzero size (it may move or resize in place).
const REALLOCS: usize = 1;
/// free of a non-NULL pointer, and realloc(p, 0) (glibc frees p).
const FREES: usize = 2;
/// Bytes asked for by allocations and reallocs (a realloc counts its new size).
const BYTES: usize = 3;
/// Usable bytes of live blocks, modulo 2^64 (read as a signed delta: blocks made before
/// the library was loaded, e.g. by the dynamic loader, may be freed through it).
const LIVE: usize = 4;

static COUNT: [AtomicU64; COUNTERS] = [const { AtomicU64::new(0) }; COUNTERS];

fn allocated(ptr: *mut c_void, requested: usize) -> *mut c_void {
    if !ptr.is_null() {
        COUNT[ALLOCS].fetch_add(1, Relaxed);
        COUNT[BYTES].fetch_add(requested as u64, Relaxed);
        // SAFETY: ptr is a live block just returned by glibc's allocator.
        let usable = unsafe { malloc_usable_size(ptr) } as u64;
        COUNT[LIVE].fetch_add(usable, Relaxed);
    }
    ptr
}

/// Count a block about to be freed (or resized), by its usable size.
///
/// # Safety
/// `ptr` is NULL or a live block of glibc's allocator.
unsafe fn released(ptr: *mut c_void) {
    // SAFETY: the caller's contract.
    let usable = unsafe { malloc_usable_size(ptr) } as u64;
    COUNT[LIVE].fetch_sub(usable, Relaxed);
}

/// Copy the counters into `out`: [allocs, reallocs, frees, bytes requested, live bytes].
///
/// # Safety
/// `out` points to `COUNTERS` writable u64s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_alloc_counters(out: *mut [u64; COUNTERS]) {
    if out.is_null() {
        return;
    }
    let snapshot: [u64; COUNTERS] = core::array::from_fn(|i| COUNT[i].load(Relaxed));
    // SAFETY: the caller's contract; checked non-NULL above.
    unsafe { out.write(snapshot) };
}

/// `COUNTERS`, so a caller can check the layout it expects.
#[unsafe(no_mangle)]
pub extern "C" fn bb_alloc_counters_len() -> usize {
    COUNTERS
}

/// # Safety
/// The C contract of `malloc`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
    // SAFETY: forwarding the caller's arguments unchanged.
    allocated(unsafe { __libc_malloc(size) }, size)
}

/// # Safety
/// The C contract of `calloc`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn calloc(nmemb: usize, size: usize) -> *mut c_void {
    // SAFETY: forwarding; glibc checks nmemb * size for overflow.
    allocated(
        unsafe { __libc_calloc(nmemb, size) },
        nmemb.saturating_mul(size),
    )
}

/// # Safety
/// The C contract of `realloc`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
    if ptr.is_null() {
        // SAFETY: realloc(NULL, n) is malloc(n).
        return allocated(unsafe { __libc_malloc(size) }, size);
    }
    // SAFETY: ptr is a live block (the caller's contract).
    let before = unsafe { malloc_usable_size(ptr) } as u64;
    // SAFETY: forwarding the caller's arguments unchanged.
    let out = unsafe { __libc_realloc(ptr, size) };
    if size == 0 {
        // glibc frees ptr and returns NULL.
        COUNT[FREES].fetch_add(1, Relaxed);
        COUNT[LIVE].fetch_sub(before, Relaxed);
    } else if !out.is_null() {
        COUNT[REALLOCS].fetch_add(1, Relaxed);
        COUNT[BYTES].fetch_add(size as u64, Relaxed);
        // SAFETY: out is the live resized block.
        let after = unsafe { malloc_usable_size(out) } as u64;
        COUNT[LIVE].fetch_add(after.wrapping_sub(before), Relaxed);
    }
    // On failure (NULL, size > 0) the old block is untouched: nothing to count.
    out
}

/// # Safety
/// The C contract of `free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn free(ptr: *mut c_void) {
    if ptr.is_null() {
        return;
    }
    COUNT[FREES].fetch_add(1, Relaxed);
    // SAFETY: ptr is a live block (the caller's contract).
    unsafe {
        released(ptr);
        __libc_free(ptr);
    }
}

/// # Safety
/// The C contract of `memalign`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memalign(align: usize, size: usize) -> *mut c_void {
    // SAFETY: forwarding; glibc validates the alignment.
    allocated(unsafe { __libc_memalign(align, size) }, size)
}

/// # Safety
/// The C contract of `aligned_alloc` (glibc 2.36 treats it as memalign).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aligned_alloc(align: usize, size: usize) -> *mut c_void {
    // SAFETY: forwarding; glibc validates the alignment.
    allocated(unsafe { __libc_memalign(align, size) }, size)
}

/// # Safety
/// The C contract of `posix_memalign`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_memalign(out: *mut *mut c_void, align: usize, size: usize) -> c_int {
    const EINVAL: c_int = 22;
    const ENOMEM: c_int = 12;
    // POSIX: a power of two and a multiple of sizeof(void *).
    if !align.is_power_of_two() || align % size_of::<*mut c_void>() != 0 {
        return EINVAL;
    }
    // SAFETY: forwarding with a valid alignment.
    let ptr = allocated(unsafe { __libc_memalign(align, size) }, size);
    if ptr.is_null() {
        return ENOMEM;
    }
    // SAFETY: out is writable (the caller's contract).
    unsafe { out.write(ptr) };
    0
}

/// # Safety
/// The C contract of `valloc`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn valloc(size: usize) -> *mut c_void {
    // SAFETY: forwarding.
    allocated(unsafe { __libc_valloc(size) }, size)
}

/// # Safety
/// The C contract of `pvalloc`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvalloc(size: usize) -> *mut c_void {
    // SAFETY: forwarding.
    allocated(unsafe { __libc_pvalloc(size) }, size)
}
