//! The bridgebench wire messages (proto/bridgebench.proto) as Rust types.
//!
//! Generated at build time by prost-build; both copying bridges (the PyO3
//! extension `bb_protobuf` and the Rust-side `rs-prost`) use exactly these
//! types, and the Python side generates its `_pb2` module from the same file.

include!(concat!(env!("OUT_DIR"), "/bridgebench.rs"));

/// The far side of the copying path: a decoded request in, the response out.
///
/// Both copying bridges serve with this (`bb_protobuf` with Python `bytes` at its
/// ends, `rs-prost` in-process); each decodes and encodes with its own buffers.
pub mod serve {
    use super::add_response::Result as AddResult;
    use super::div_response::Result as DivResult;
    use super::kernel_error::Kind;
    use super::summarize_response::Result as SummarizeResult;
    use super::{
        AddRequest, AddResponse, DivRequest, DivResponse, KernelError, Records, ScaleRequest,
        ScaleResponse, SummarizeResponse,
    };

    /// Over a copying path an error is data: encode it, the caller rebuilds it.
    fn wire_error(e: kernels::KernelError) -> KernelError {
        let kind = match e {
            kernels::KernelError::Overflow => Kind::Overflow,
            kernels::KernelError::DivisionByZero => Kind::DivisionByZero,
            kernels::KernelError::BadColumns => Kind::BadColumns,
            kernels::KernelError::InvalidUtf8 => Kind::InvalidUtf8,
        };
        KernelError {
            kind: kind.into(),
            message: e.to_string(),
        }
    }

    pub fn add(AddRequest { a, b }: AddRequest) -> AddResponse {
        let result = match kernels::add(a, b) {
            Ok(sum) => AddResult::Value(sum),
            Err(e) => AddResult::Error(wire_error(e)),
        };
        AddResponse {
            result: Some(result),
        }
    }

    pub fn checked_div(DivRequest { a, b }: DivRequest) -> DivResponse {
        let result = match kernels::checked_div(a, b) {
            Ok(quotient) => DivResult::Value(quotient),
            Err(e) => DivResult::Error(wire_error(e)),
        };
        DivResponse {
            result: Some(result),
        }
    }

    /// Errs when the request has no factor (a malformed request).
    pub fn scale(request: ScaleRequest) -> Result<ScaleResponse, &'static str> {
        let ScaleRequest { mut values, factor } = request;
        let factor = factor.ok_or("ScaleRequest has no factor")?;
        // Decoding made an owned copy already; scale it in place, no third buffer.
        kernels::scale_inplace(&mut values, factor);
        Ok(ScaleResponse { values })
    }

    /// Cannot fail: decoding already checked every name is UTF-8, which is all
    /// the kernel could refuse.
    pub fn summarize(request: &Records) -> SummarizeResponse {
        // The fold borrows the decoded names, so only the longest one is copied
        // (into the response); no `kernels::Record`s are built.
        let mut summarizer = kernels::Summarizer::default();
        for record in &request.records {
            // An absent score is proto3's default (see bridgebench.proto).
            summarizer.add(record.id, &record.name, record.score.unwrap_or(0.0));
        }
        SummarizeResponse {
            result: Some(SummarizeResult::Summary(summarizer.finish().into())),
        }
    }
}

// Conversions between the kernel's types and their wire forms, for both ends of
// the summarize round trip. A message owns its fields, so a Record is copied
// into one; a Summary is moved.

impl From<&kernels::Record> for Record {
    fn from(r: &kernels::Record) -> Self {
        Record {
            id: r.id,
            name: r.name.clone(),
            score: Some(r.score),
        }
    }
}

impl From<kernels::Summary> for Summary {
    fn from(s: kernels::Summary) -> Self {
        Summary {
            count: s.count,
            score_sum: s.score_sum,
            max_id: s.max_id,
            longest_name: s.longest_name,
        }
    }
}

impl From<Summary> for kernels::Summary {
    fn from(s: Summary) -> Self {
        kernels::Summary {
            count: s.count,
            score_sum: s.score_sum,
            max_id: s.max_id,
            longest_name: s.longest_name,
        }
    }
}
