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

/// One step of a `counter` vector: `["bump", by]`, `["bump"]` (by 1) or `["set", value]`.
#[derive(Debug, serde::Deserialize)]
#[serde(try_from = "Vec<toml::Value>")]
enum Step {
    Bump(i64),
    Set(i64),
}

impl TryFrom<Vec<toml::Value>> for Step {
    type Error = String;
    fn try_from(step: Vec<toml::Value>) -> Result<Self, String> {
        let op = step.first().and_then(toml::Value::as_str);
        let arg = step.get(1).and_then(toml::Value::as_integer);
        match (op, arg, step.len()) {
            (Some("bump"), None, 1) => Ok(Step::Bump(1)),
            (Some("bump"), Some(by), 2) => Ok(Step::Bump(by)),
            (Some("set"), Some(value), 2) => Ok(Step::Set(value)),
            _ => Err(format!("not a counter step: {step:?}")),
        }
    }
}

/// One `[[vectors]]` entry of benches/kernels/counter.toml: `Counter(start)`, the steps,
/// then `value`; `error` names the `[errors]` entry of a failing last step.
#[derive(Debug, serde::Deserialize)]
struct CounterVector {
    #[serde(default)]
    start: i64,
    steps: Vec<Step>,
    value: i64,
    error: Option<String>,
}

/// counter.toml, read with serde as it stands.
fn counter_spec() -> Result<spec::KernelSpec<CounterVector>, String> {
    let path = spec::repo_root().join("benches/kernels/counter.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[test]
fn counter_matches_shared_vectors() -> Result<(), String> {
    let spec = counter_spec()?;
    assert!(!spec.vectors.is_empty());
    for v in &spec.vectors {
        let mut c = kernels::Counter::new(v.start);
        // A bump answers the new value; only the last step may fail.
        let mut failed = None;
        for (i, step) in v.steps.iter().enumerate() {
            match *step {
                Step::Bump(by) => match c.bump(by) {
                    Ok(new) if new == c.value() => {}
                    Ok(new) => return Err(format!("{v:?}: step {i} answered {new}")),
                    Err(e) if i + 1 == v.steps.len() => failed = Some(e),
                    Err(e) => return Err(format!("{v:?}: step {i} failed: {e}")),
                },
                Step::Set(value) => c.set_value(value),
            }
        }
        let want = v
            .error
            .as_deref()
            .map(|name| spec.error(name))
            .transpose()?;
        match (failed, want) {
            (None, None) => {}
            (Some(e), Some(want))
                if format!("{e:?}") == want.rust && e.to_string() == want.message => {}
            (failed, _) => return Err(format!("{v:?}: failed with {failed:?}")),
        }
        if c.value() != v.value {
            return Err(format!("{v:?}: value {}", c.value()));
        }
    }
    Ok(())
}
