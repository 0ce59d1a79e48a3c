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

/// The error the tests' callbacks return: which input they refused.
#[derive(Debug, PartialEq)]
struct Refused(f64);

#[test]
fn map_callback_matches_shared_vectors() -> Result<(), String> {
    let spec = spec::map_callback_spec()?;
    assert!(!spec.vectors.is_empty());
    for v in &spec.vectors {
        let f = spec::callback(&v.callback)?;
        let mut calls = 0;
        let got = rs_cxx::map_callback(&v.values, |x| {
            calls += 1;
            f(x).ok_or(Refused(x))
        });
        match (&got, &v.expect) {
            (Ok(got), Some(want)) => assert!(spec::same_floats_nan_aware(got, want), "{v:?}"),
            // The closure's own error, through the C++ kernel as an exception and back.
            (Err(rs_cxx::MapError::Callback(Refused(x))), None) => {
                assert!(v.error.is_some(), "{v:?}");
                assert_eq!(Some(x), v.values.get(calls - 1), "{v:?}: the refused input");
            }
            _ => return Err(format!("map_callback {v:?} gave {got:?}")),
        }
        assert_eq!(calls, v.calls, "map_callback {v:?}: number of calls");
    }
    Ok(())
}

#[test]
fn map_callback_panic_unwinds_on_the_rust_side() {
    // cxx would abort on a panic at its edge; the bridge catches it, stops the
    // C++ loop, and resumes the panic once C++ has returned.
    let mut calls = 0;
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rs_cxx::map_callback(&[1.0, 2.0, 3.0], |x| {
            calls += 1;
            if x > 1.0 {
                panic!("callback panicked at {x}");
            }
            Ok::<_, Refused>(x)
        })
    }));
    let payload = caught.expect_err("the panic must reach the caller");
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("callback panicked at 2")
    );
    assert_eq!(calls, 2, "no call after the panic");
}
