//! The prost copying path against the shared vectors, bad bytes and random bit patterns.

use prost::Message;
use proto::add_response::Result as AddResult;
use proto::div_response::Result as DivResult;
use proto::{AddResponse, DivResponse, KernelError as WireError};
use rs_prost::{Error, KernelError, serve};
use spec::{RecordIn, SummaryOut};

/// Every vector of a two-int64 kernel over the wire: the value, or the error the
/// spec names (same `KernelError` variant, same message), never a decode error.
/// Only a kernel error that travelled back counts: a decode failure is not an answer.
fn judged(result: Result<i64, Error>) -> spec::IntPairOutcome {
    match result {
        Ok(value) => Ok(value),
        Err(err @ Error::Kernel(kind)) => Err((Some(format!("{kind:?}")), err.to_string())),
        Err(other) => Err((
            Some(format!("not a kernel error: {other:?}")),
            other.to_string(),
        )),
    }
}

#[test]
fn add_matches_shared_vectors() -> Result<(), String> {
    spec::check_int_pair_vectors(&spec::add_spec()?, |a, b| judged(rs_prost::add(a, b)))
}

#[test]
fn checked_div_matches_shared_vectors() -> Result<(), String> {
    spec::check_int_pair_vectors(&spec::checked_div_spec()?, |a, b| {
        judged(rs_prost::checked_div(a, b))
    })
}

#[test]
fn scale_matches_shared_vectors() -> Result<(), String> {
    // A copy has no in-place form.
    spec::check_scale_vectors(
        |values, factor| rs_prost::scale(values, factor).map_err(|e| e.to_string()),
        None,
    )
}

fn kernel_records(records: &[RecordIn]) -> Vec<kernels::Record> {
    records
        .iter()
        .map(|r| kernels::Record {
            id: r.id,
            name: r.name.clone(),
            score: r.score,
        })
        .collect()
}

fn summary_out(s: kernels::Summary) -> SummaryOut {
    SummaryOut {
        count: s.count,
        score_sum: s.score_sum,
        max_id: s.max_id,
        longest_name: s.longest_name,
    }
}

#[test]
fn summarize_matches_shared_vectors() -> Result<(), String> {
    spec::check_summarize_records(|records| {
        rs_prost::summarize(&kernel_records(records))
            .map(summary_out)
            .map_err(|e| e.to_string())
    })
}

#[test]
fn summarize_message_matches_shared_vectors() -> Result<(), String> {
    // The caller encodes the Records itself, as a Python caller of
    // summarize_protobuf does.
    spec::check_summarize_records(|records| {
        let message = proto::Records {
            records: kernel_records(records)
                .iter()
                .map(proto::Record::from)
                .collect(),
        }
        .encode_to_vec();
        rs_prost::summarize_message(&message)
            .map(summary_out)
            .map_err(|e| e.to_string())
    })
}

#[test]
fn undecodable_messages_are_decode_errors() {
    for bad in [
        // The spec's bad-input message-name-invalid-utf8: a Record whose name is
        // "a\xffb". prost checks UTF-8 while decoding a `string` field.
        &b"\x0a\x05\x12\x03a\xffb"[..],
        // The spec's message-garbage: a tag whose varint never ends.
        b"\xff\xff\xff\xff",
        // A record's length running past the end.
        b"\x0a\x05\x08\x01",
    ] {
        let got = rs_prost::summarize_message(bad);
        assert!(matches!(got, Err(Error::Decode(_))), "{bad:?} gave {got:?}");
    }
}

#[test]
fn a_negative_zero_score_keeps_its_sign_on_the_wire() -> Result<(), Error> {
    let record = kernels::Record {
        id: 1,
        name: "z".into(),
        score: -0.0,
    };
    let message = proto::Records {
        records: vec![proto::Record::from(&record)],
    }
    .encode_to_vec();
    let decoded = proto::Records::decode(message.as_slice())?;
    let score = decoded.records.first().and_then(|r| r.score);
    assert_eq!(score.map(f64::to_bits), Some((-0.0f64).to_bits()));
    // The sum starts at +0.0, and 0.0 + -0.0 is 0.0.
    assert_eq!(rs_prost::summarize(&[record])?.score_sum.to_bits(), 0);
    Ok(())
}

#[test]
fn a_record_without_a_score_counts_as_zero() -> Result<(), Error> {
    // One Record holding only id = 5: no name, no score (proto3 defaults).
    let summary = rs_prost::summarize_message(b"\x0a\x02\x08\x05")?;
    assert_eq!(
        summary,
        kernels::Summary {
            count: 1,
            score_sum: 0.0,
            max_id: 5,
            longest_name: String::new(),
        }
    );
    Ok(())
}

/// splitmix64: a tiny deterministic generator, so the test needs no extra crate.
fn next_bits(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[test]
fn scale_keeps_every_bit_pattern() -> Result<(), Error> {
    // Random bits cover NaN payloads, infinities, -0.0 and subnormals; the wire
    // must not touch them, so the result equals the in-memory kernel bit for bit.
    let mut state = 42;
    for len in [0, 1, 7, 1000, 100_000] {
        let values: Vec<f64> = (0..len)
            .map(|_| f64::from_bits(next_bits(&mut state)))
            .collect();
        for factor in [
            2.0,
            -0.5,
            0.0,
            f64::INFINITY,
            f64::from_bits(next_bits(&mut state)),
        ] {
            let got = rs_prost::scale(&values, factor)?;
            let want = kernels::scale(&values, factor);
            assert_eq!(got.len(), want.len());
            assert!(
                got.iter()
                    .zip(&want)
                    .all(|(g, w)| g.to_bits() == w.to_bits()),
                "len {len}"
            );
        }
    }
    Ok(())
}

#[test]
fn malformed_requests_are_decode_errors_not_panics() {
    // Truncated varint, truncated packed run, wrong wire type for field 1,
    // a tag cut short, a packed run of 9 bytes (not whole doubles).
    for bad in [
        &b"\x08"[..],
        b"\x0a\x10\x00",
        b"\x0d\x00\x00\x00\x00",
        b"\xff\xff",
        b"\x0a\x09\0\0\0\0\0\0\0\0\0",
    ] {
        assert!(serve::add(bad).is_err(), "add accepted {bad:?}");
        assert!(
            serve::checked_div(bad).is_err(),
            "checked_div accepted {bad:?}"
        );
        assert!(serve::scale(bad).is_err(), "scale accepted {bad:?}");
    }
}

#[test]
fn overflow_travels_as_data() -> Result<(), Error> {
    let request = proto::AddRequest { a: i64::MAX, b: 1 }.encode_to_vec();
    let response = AddResponse::decode(serve::add(&request)?.as_slice())?;
    match response.result {
        Some(AddResult::Error(WireError { kind, message })) => {
            assert_eq!(kind, i32::from(proto::kernel_error::Kind::Overflow));
            assert_eq!(message, KernelError::Overflow.to_string());
        }
        other => panic!("expected an error response, got {other:?}"),
    }
    Ok(())
}

#[test]
fn division_by_zero_travels_as_data() -> Result<(), Error> {
    let request = proto::DivRequest { a: 1, b: 0 }.encode_to_vec();
    let response = DivResponse::decode(serve::checked_div(&request)?.as_slice())?;
    match response.result {
        Some(DivResult::Error(WireError { kind, message })) => {
            assert_eq!(kind, i32::from(proto::kernel_error::Kind::DivisionByZero));
            assert_eq!(message, KernelError::DivisionByZero.to_string());
        }
        other => panic!("expected an error response, got {other:?}"),
    }
    Ok(())
}

#[test]
fn a_zero_answer_is_still_an_answer() -> Result<(), Error> {
    // proto3 skips default scalars, but a oneof member is always written.
    assert_eq!(rs_prost::add(-7, 7)?, 0);
    assert_eq!(rs_prost::checked_div(3, 7)?, 0);
    Ok(())
}
