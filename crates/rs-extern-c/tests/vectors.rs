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
fn checked_div_matches_shared_vectors() -> Result<(), String> {
    let spec = spec::checked_div_spec()?;
    for v in &spec.vectors {
        let label = format!("checked_div({}, {})", v.a, v.b);
        let got = rs_extern_c::checked_div(v.a, v.b);
        match (got, v.expect, v.error.as_deref()) {
            (Ok(got), Some(want), None) => assert_eq!(got, want, "{label}"),
            // Each C++ exception type has its own status code and variant, named
            // as the kernel's (the spec's `rust` spelling), with the spec's message.
            (Err(e), None, Some(name)) => {
                let want = spec.error(name)?;
                assert_eq!(format!("{e:?}"), want.rust, "{label}");
                assert_eq!(e.to_string(), want.message, "{label}");
            }
            (got, _, _) => return Err(format!("{label} = {got:?}, want {v:?}")),
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
