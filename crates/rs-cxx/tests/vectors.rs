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
    spec::check_scale_vectors(
        |values, factor| Ok(rs_cxx::scale(values, factor)),
        Some(rs_cxx::scale_inplace),
    )
}

/// `map_callback` as the shared checks call it: the callback's own error, or None.
fn run(values: &[f64], f: &mut spec::TestCallback<'_>) -> Result<Vec<f64>, Option<spec::Refused>> {
    rs_cxx::map_callback(values, f).map_err(|e| match e {
        rs_cxx::MapError::Callback(refused) => Some(refused),
        _ => None,
    })
}

#[test]
fn map_callback_matches_shared_vectors() -> Result<(), String> {
    // The closure's own error travels through the C++ kernel as an exception and back;
    // a panic is caught at cxx's edge (where it would abort) and resumed after C++ returns.
    spec::check_map_callback_vectors(&spec::map_callback_spec()?, run)
}

#[test]
fn map_callback_panic_unwinds_on_the_rust_side() -> Result<(), String> {
    spec::check_map_callback_panic(|f| run(&[1.0, 2.0, 3.0], f))
}

struct CxxHolder(rs_cxx::Holder);

impl spec::TestHolder for CxxHolder {
    fn create(text: &str) -> Result<Self, String> {
        rs_cxx::Holder::new(text)
            .map(CxxHolder)
            .map_err(|e| e.to_string())
    }
    fn text(&self) -> Result<String, String> {
        self.0.text().map(str::to_owned).map_err(|e| e.to_string())
    }
    fn utf8_len(&self) -> usize {
        self.0.utf8_len()
    }
    fn append(&mut self, more: &str) -> Result<(), String> {
        self.0.append(more).map_err(|e| e.to_string())
    }
    fn live() -> i64 {
        rs_cxx::live_holders()
    }
}

#[test]
fn holder_matches_shared_vectors_and_is_destroyed_once() -> Result<(), String> {
    // The only test of this binary that makes holders, so the live count is ours alone.
    spec::check_holder_vectors::<CxxHolder>()
}

fn summary_out(s: rs_cxx::Summary) -> spec::SummaryOut {
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
        let records: Vec<rs_cxx::Record<'_>> = records
            .iter()
            .map(|r| rs_cxx::Record {
                id: r.id,
                name: &r.name,
                score: r.score,
            })
            .collect();
        rs_cxx::summarize(&records)
            .map(summary_out)
            .map_err(|e| e.to_string())
    })?;
    // Both column errors are std::invalid_argument: only the message tells them apart.
    spec::check_summarize_columns(|c| {
        rs_cxx::summarize_columns(&c.ids, &c.scores, &c.name_offsets, &c.name_bytes)
            .map(summary_out)
            .map_err(|e| (None, e.what().to_string()))
    })
}
