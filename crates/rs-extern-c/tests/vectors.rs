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
        let got = rs_extern_c::map_callback(&v.values, |x| {
            calls += 1;
            f(x).ok_or(Refused(x))
        });
        match (&got, &v.expect) {
            (Ok(got), Some(want)) => assert!(spec::same_floats_nan_aware(got, want), "{v:?}"),
            // The closure's own error, kept in Rust while C++ unwound on a status.
            (Err(rs_extern_c::MapError::Callback(Refused(x))), None) => {
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
    // A panic must not unwind through C++: the trampoline catches it, C++ stops
    // on a status, and the panic resumes once C++ has returned.
    let mut calls = 0;
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rs_extern_c::map_callback(&[1.0, 2.0, 3.0], |x| {
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
