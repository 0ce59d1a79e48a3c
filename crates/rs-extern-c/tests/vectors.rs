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
    for v in &spec::scale_spec()?.vectors {
        let fresh = rs_extern_c::scale(&v.values, v.factor);
        assert!(
            spec::same_floats_nan_aware(&fresh, &v.expect),
            "scale {v:?} -> {fresh:?}"
        );

        let mut inplace = v.values.clone();
        rs_extern_c::scale_inplace(&mut inplace, v.factor);
        assert!(
            spec::same_floats_nan_aware(&inplace, &v.expect),
            "scale_inplace {v:?}"
        );
    }
    Ok(())
}
