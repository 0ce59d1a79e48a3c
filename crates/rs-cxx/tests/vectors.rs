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
    for v in &spec::scale_spec()?.vectors {
        let fresh = rs_cxx::scale(&v.values, v.factor);
        assert!(
            spec::same_floats_nan_aware(&fresh, &v.expect),
            "scale {v:?} -> {fresh:?}"
        );

        let mut inplace = v.values.clone();
        rs_cxx::scale_inplace(&mut inplace, v.factor);
        assert!(
            spec::same_floats_nan_aware(&inplace, &v.expect),
            "scale_inplace {v:?}"
        );
    }
    Ok(())
}
