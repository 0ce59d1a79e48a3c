//! The extern "C" bridge against the shared vectors in benches/kernels/*.toml.

use rs_extern_c::Error;

#[test]
fn add_matches_shared_vectors() -> Result<(), String> {
    for v in &spec::add_spec()?.vectors {
        match (rs_extern_c::add(v.a, v.b), v.expect, v.error.as_deref()) {
            (Ok(got), Some(want), None) => assert_eq!(got, want, "add({}, {})", v.a, v.b),
            // The shim caught std::overflow_error and returned BB_OVERFLOW.
            (Err(Error::Overflow), None, Some("overflow")) => {}
            (got, _, _) => return Err(format!("add({}, {}) = {got:?}, want {v:?}", v.a, v.b)),
        }
    }
    Ok(())
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
