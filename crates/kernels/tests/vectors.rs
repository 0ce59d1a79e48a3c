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

struct RustHolder(kernels::Holder);

impl spec::TestHolder for RustHolder {
    fn create(text: &str) -> Result<Self, String> {
        Ok(RustHolder(kernels::Holder::new(text)))
    }
    fn text(&self) -> Result<String, String> {
        Ok(self.0.text().to_owned())
    }
    fn utf8_len(&self) -> usize {
        self.0.utf8_len()
    }
    fn append(&mut self, more: &str) -> Result<(), String> {
        self.0.append(more);
        Ok(())
    }
    fn live() -> i64 {
        kernels::live_holders()
    }
}

#[test]
fn holder_matches_shared_vectors_and_counts_live_objects() -> Result<(), String> {
    spec::check_holder_vectors::<RustHolder>()?;
    // Clones count too, and bytes that are not UTF-8 never make a holder.
    let start = kernels::live_holders();
    let h = kernels::Holder::new("x");
    let copy = h.clone();
    assert_eq!(kernels::live_holders(), start + 2);
    drop((h, copy));
    assert_eq!(
        kernels::Holder::from_utf8(b"a\xff").err(),
        Some(KernelError::InvalidUtf8)
    );
    assert_eq!(kernels::live_holders(), start);
    Ok(())
}

fn summary_out(s: kernels::Summary) -> spec::SummaryOut {
    spec::SummaryOut {
        count: s.count,
        score_sum: s.score_sum,
        max_id: s.max_id,
        longest_name: s.longest_name,
    }
}

#[test]
fn summarize_matches_shared_vectors() -> Result<(), String> {
    spec::check_summarize_records(|records| {
        let records: Vec<kernels::Record> = records
            .iter()
            .map(|r| kernels::Record {
                id: r.id,
                name: r.name.clone(),
                score: r.score,
            })
            .collect();
        Ok(summary_out(kernels::summarize(&records)))
    })?;
    spec::check_summarize_columns(|c| {
        let columns = kernels::Columns {
            ids: &c.ids,
            scores: &c.scores,
            name_offsets: &c.name_offsets,
            name_bytes: &c.name_bytes,
        };
        kernels::summarize_columns(&columns)
            .map(summary_out)
            .map_err(|e| (Some(format!("{e:?}")), e.to_string()))
    })
}

// `counter`'s vectors are checked in crates/rust-side/tests/differential.rs, where the
// native kernel is the floor row and every other row is compared with it step by step.
