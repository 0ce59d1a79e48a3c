//! The pyo3-embed bridge against the shared vectors in benches/kernels/map_callback.toml.

/// `map_callback` as the shared checks call it: the callback's own error, or None.
fn run(values: &[f64], f: &mut spec::TestCallback<'_>) -> Result<Vec<f64>, Option<spec::Refused>> {
    rs_pyo3_embed::map_callback(values, f).map_err(|e| match e {
        rs_pyo3_embed::MapError::Callback(refused) => Some(refused),
        rs_pyo3_embed::MapError::Python(_) => None,
    })
}

#[test]
fn map_callback_matches_shared_vectors() -> Result<(), String> {
    // The closure's own error stays in Rust while a Python exception unwinds the kernel.
    spec::check_map_callback_vectors(&spec::map_callback_spec()?, run)
}

#[test]
fn map_callback_panic_unwinds_on_the_rust_side() -> Result<(), String> {
    // Caught inside __call__ (it must not unwind through CPython) and resumed after.
    spec::check_map_callback_panic(|f| run(&[1.0, 2.0, 3.0], f))
}
