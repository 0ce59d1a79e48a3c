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
    spec::check_scale_vectors(
        |values, factor| Ok(rs_extern_c::scale(values, factor)),
        Some(rs_extern_c::scale_inplace),
    )
}

/// `map_callback` as the shared checks call it: the callback's own error, or None.
fn run(values: &[f64], f: &mut spec::TestCallback<'_>) -> Result<Vec<f64>, Option<spec::Refused>> {
    rs_extern_c::map_callback(values, f).map_err(|e| match e {
        rs_extern_c::MapError::Callback(refused) => Some(refused),
        _ => None,
    })
}

#[test]
fn map_callback_matches_shared_vectors() -> Result<(), String> {
    // The closure's own error stays in Rust while C++ unwinds on a status; a panic is
    // caught in the trampoline (it must not unwind through C++) and resumed after C++ returns.
    spec::check_map_callback_vectors(&spec::map_callback_spec()?, run)
}

#[test]
fn map_callback_panic_unwinds_on_the_rust_side() -> Result<(), String> {
    spec::check_map_callback_panic(|f| run(&[1.0, 2.0, 3.0], f))
}

struct ExternCHolder(rs_extern_c::Holder);

impl spec::TestHolder for ExternCHolder {
    fn create(text: &str) -> Result<Self, String> {
        rs_extern_c::Holder::new(text)
            .map(ExternCHolder)
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
        rs_extern_c::live_holders()
    }
}

#[test]
fn holder_matches_shared_vectors_and_is_freed_once() -> Result<(), String> {
    // The only test of this binary that makes holders, so the live count is ours alone.
    spec::check_holder_vectors::<ExternCHolder>()
}

fn summary_out(s: rs_extern_c::Summary<'_>) -> spec::SummaryOut {
    spec::SummaryOut {
        count: s.count,
        score_sum: s.score_sum,
        max_id: s.max_id,
        longest_name: s.longest_name.to_owned(),
    }
}

#[test]
fn summarize_matches_shared_vectors() -> Result<(), String> {
    spec::check_summarize_records(|records| {
        let records: Vec<rs_extern_c::Record<'_>> = records
            .iter()
            .map(|r| rs_extern_c::Record::new(r.id, &r.name, r.score))
            .collect();
        rs_extern_c::summarize(&records)
            .map(summary_out)
            .map_err(|e| e.to_string())
    })?;
    // Both column errors are std::invalid_argument: only the copied message tells them apart.
    spec::check_summarize_columns(|c| {
        rs_extern_c::summarize_columns(&c.ids, &c.scores, &c.name_offsets, &c.name_bytes)
            .map(summary_out)
            .map_err(|e| (None, e.to_string()))
    })
}

#[test]
fn summarize_borrows_the_longest_name_from_the_input() -> Result<(), rs_extern_c::Error> {
    // The shim returns an index, so the name is the caller's own memory, not a copy.
    let names = [String::from("ab"), String::from("abc"), String::from("xyz")];
    let records: Vec<_> = names
        .iter()
        .map(|name| rs_extern_c::Record::new(1, name, 0.5))
        .collect();
    let summary = rs_extern_c::summarize(&records)?;
    assert!(std::ptr::eq(summary.longest_name, names[1].as_str()));
    let bytes = b"abcxyzab";
    let summary = rs_extern_c::summarize_columns(&[1, 2, 3], &[0.0; 3], &[0, 3, 6, 8], bytes)?;
    assert_eq!(summary.longest_name.as_ptr(), bytes.as_ptr());
    Ok(())
}
