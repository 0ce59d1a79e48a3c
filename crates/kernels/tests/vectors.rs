//! The Rust kernel against the shared vectors in benches/kernels/*.toml.

use kernels::KernelError;

/// Every vector of a two-int64 kernel: the value, or the error the spec names
/// (same variant, same message).
fn check_int_pair(
    spec: &spec::KernelSpec<spec::IntPairVector>,
    kernel: fn(i64, i64) -> Result<i64, KernelError>,
) -> Result<(), String> {
    assert!(!spec.vectors.is_empty());
    for v in &spec.vectors {
        let got = kernel(v.a, v.b);
        let label = format!("{}({}, {})", spec.name, v.a, v.b);
        match (&v.expect, v.error.as_deref()) {
            (Some(want), None) => assert_eq!(got, Ok(*want), "{label}"),
            (None, Some(name)) => {
                let want = spec.error(name)?;
                let err = got
                    .err()
                    .ok_or(format!("{label}: expected {name}, got a value"))?;
                assert_eq!(format!("{err:?}"), want.rust, "{label}");
                assert_eq!(err.to_string(), want.message, "{label}");
            }
            other => return Err(format!("malformed vector {v:?}: {other:?}")),
        }
    }
    Ok(())
}

#[test]
fn add_matches_shared_vectors() -> Result<(), String> {
    check_int_pair(&spec::add_spec()?, kernels::add)
}

#[test]
fn checked_div_matches_shared_vectors() -> Result<(), String> {
    check_int_pair(&spec::checked_div_spec()?, kernels::checked_div)
}

#[test]
fn scale_matches_shared_vectors_in_every_form() -> Result<(), String> {
    let spec = spec::scale_spec()?;
    assert!(!spec.vectors.is_empty());
    for v in &spec.vectors {
        let fresh = kernels::scale(&v.values, v.factor);
        assert!(
            spec::same_floats_nan_aware(&fresh, &v.expect),
            "scale {v:?} -> {fresh:?}"
        );

        let mut out = vec![0.0; v.values.len()];
        kernels::scale_into(&v.values, v.factor, &mut out);
        assert!(
            spec::same_floats_nan_aware(&out, &v.expect),
            "scale_into {v:?} -> {out:?}"
        );

        let mut inplace = v.values.clone();
        kernels::scale_inplace(&mut inplace, v.factor);
        assert!(
            spec::same_floats_nan_aware(&inplace, &v.expect),
            "scale_inplace {v:?}"
        );
    }
    Ok(())
}

#[test]
fn nan_aware_comparison_can_fail() {
    // The checker itself must be able to say no.
    assert!(!spec::same_floats_nan_aware(&[0.0], &[-0.0]));
    assert!(!spec::same_floats_nan_aware(&[1.0], &[1.0, 2.0]));
    assert!(spec::same_floats_nan_aware(&[f64::NAN], &[-f64::NAN]));
}
