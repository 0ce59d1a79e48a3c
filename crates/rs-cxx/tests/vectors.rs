//! The cxx bridge against the shared vectors in benches/kernels/*.toml.

#[test]
fn add_matches_shared_vectors() -> Result<(), String> {
    // The C++ std::overflow_error arrives as a cxx::Exception: a message, no kind.
    spec::check_int_pair_vectors(&spec::add_spec()?, |a, b| {
        rs_cxx::add(a, b).map_err(|e| (None, e.what().to_string()))
    })
}

#[test]
fn checked_div_matches_shared_vectors() -> Result<(), String> {
    // Each C++ exception type arrives as its own variant, named as the kernel's.
    spec::check_int_pair_vectors(&spec::checked_div_spec()?, |a, b| {
        rs_cxx::checked_div(a, b).map_err(|e| (Some(format!("{e:?}")), e.to_string()))
    })
}

#[test]
fn scale_matches_shared_vectors() -> Result<(), String> {
    spec::check_scale_vectors(
        |values, factor| Ok(rs_cxx::scale(values, factor)),
        Some(rs_cxx::scale_inplace),
    )
}

/// `map_callback` as the shared checks call it: the callback's own error, or None.
fn run(values: &[f64], f: &mut spec::TestCallback<'_>) -> Result<Vec<f64>, Option<spec::Refused>> {
    rs_cxx::map_callback(values, f).map_err(|e| match e {
        rs_cxx::MapError::Callback(refused) => Some(refused),
        _ => None,
    })
}

#[test]
fn map_callback_matches_shared_vectors() -> Result<(), String> {
    // The closure's own error travels through the C++ kernel as an exception and back;
    // a panic is caught at cxx's edge (where it would abort) and resumed after C++ returns.
    spec::check_map_callback_vectors(&spec::map_callback_spec()?, run)
}

#[test]
fn map_callback_panic_unwinds_on_the_rust_side() -> Result<(), String> {
    spec::check_map_callback_panic(|f| run(&[1.0, 2.0, 3.0], f))
}
