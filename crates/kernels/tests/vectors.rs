//! The Rust kernel against the shared vectors in benches/kernels/*.toml.

use kernels::KernelError;

/// The kernel's outcome as the shared vectors judge it.
fn judged(result: Result<i64, KernelError>) -> spec::IntPairOutcome {
    result.map_err(|e| (Some(format!("{e:?}")), e.to_string()))
}

#[test]
fn add_matches_shared_vectors() -> Result<(), String> {
    spec::check_int_pair_vectors(&spec::add_spec()?, |a, b| judged(kernels::add(a, b)))
}

#[test]
fn checked_div_matches_shared_vectors() -> Result<(), String> {
    spec::check_int_pair_vectors(&spec::checked_div_spec()?, |a, b| {
        judged(kernels::checked_div(a, b))
    })
}

#[test]
fn scale_matches_shared_vectors_in_every_form() -> Result<(), String> {
    spec::check_scale_vectors(
        |values, factor| Ok(kernels::scale(values, factor)),
        Some(kernels::scale_inplace),
    )?;
    spec::check_scale_vectors(
        |values, factor| {
            let mut out = vec![0.0; values.len()];
            kernels::scale_into(values, factor, &mut out);
            Ok(out)
        },
        None,
    )
}

#[test]
fn map_callback_matches_shared_vectors() -> Result<(), String> {
    spec::check_map_callback_vectors(&spec::map_callback_spec()?, |values, f| {
        kernels::map_callback(values, f).map_err(Some)
    })
}

#[test]
fn nan_aware_comparison_can_fail() {
    // The checker itself must be able to say no.
    assert!(!spec::same_floats_nan_aware(&[0.0], &[-0.0]));
    assert!(!spec::same_floats_nan_aware(&[1.0], &[1.0, 2.0]));
    assert!(spec::same_floats_nan_aware(&[f64::NAN], &[-f64::NAN]));
}
