//! The extern "C" bridge against the shared vectors in benches/kernels/*.toml.

/// Each C++ exception type has its own status code and variant, named as the kernel's.
fn judged(result: Result<i64, rs_extern_c::Error>) -> spec::IntPairOutcome {
    result.map_err(|e| (Some(format!("{e:?}")), e.to_string()))
}

#[test]
fn add_matches_shared_vectors() -> Result<(), String> {
    spec::check_int_pair_vectors(&spec::add_spec()?, |a, b| judged(rs_extern_c::add(a, b)))
}

#[test]
fn checked_div_matches_shared_vectors() -> Result<(), String> {
    spec::check_int_pair_vectors(&spec::checked_div_spec()?, |a, b| {
        judged(rs_extern_c::checked_div(a, b))
    })
}

#[test]
fn scale_matches_shared_vectors() -> Result<(), String> {
    spec::check_scale_vectors(
        |values, factor| Ok(rs_extern_c::scale(values, factor)),
        Some(rs_extern_c::scale_inplace),
    )
}

/// `map_callback` as the shared checks call it: the callback's own error, or None.
fn run(values: &[f64], f: &mut spec::TestCallback<'_>) -> Result<Vec<f64>, Option<spec::Refused>> {
    rs_extern_c::map_callback(values, f).map_err(|e| match e {
        rs_extern_c::MapError::Callback(refused) => Some(refused),
        _ => None,
    })
}

#[test]
fn map_callback_matches_shared_vectors() -> Result<(), String> {
    // The closure's own error stays in Rust while C++ unwinds on a status; a panic is
    // caught in the trampoline (it must not unwind through C++) and resumed after C++ returns.
    spec::check_map_callback_vectors(&spec::map_callback_spec()?, run)
}

#[test]
fn map_callback_panic_unwinds_on_the_rust_side() -> Result<(), String> {
    spec::check_map_callback_panic(|f| run(&[1.0, 2.0, 3.0], f))
}
