//! The Rust-side `prost` bridge: the copying path with prost on both ends.
//!
//! Each call does in-process what a remote call would do, minus the transport:
//! the caller builds and encodes a request, the far side ([`serve`]) decodes it,
//! runs the kernel and encodes a response, and the caller decodes that. The
//! messages are the same ones the Python `protobuf` bridge sends
//! (crates/proto), so benchmarks here measure the serialization cost itself.

use std::fmt;

use prost::{DecodeError, Message};
use proto::add_response::Result as AddResult;
use proto::div_response::Result as DivResult;
use proto::kernel_error::Kind;
use proto::summarize_response::Result as SummarizeResult;
use proto::{
    AddRequest, AddResponse, DivRequest, DivResponse, Records, ScaleRequest, ScaleResponse,
    SummarizeResponse,
};

pub use kernels::KernelError;

/// Why a call over the copying path produced no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The kernel refused (e.g. overflow); it travelled back inside the response.
    Kernel(KernelError),
    /// Some bytes on the wire were not a valid message of the expected type.
    Decode(DecodeError),
    /// A valid message that answers nothing: no result, or an error kind this
    /// side does not know (a newer peer, or a bug).
    Malformed(&'static str),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Kernel(e) => e.fmt(f),
            Error::Decode(e) => write!(f, "malformed message: {e}"),
            Error::Malformed(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for Error {}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e)
    }
}

// ANCHOR: kernel_error
/// Rebuilds the kernel's error from its wire form; the kind decides, the message is for humans.
fn kernel_error(e: &proto::KernelError) -> Error {
    match Kind::try_from(e.kind) {
        Ok(Kind::Overflow) => Error::Kernel(KernelError::Overflow),
        Ok(Kind::DivisionByZero) => Error::Kernel(KernelError::DivisionByZero),
        Ok(Kind::BadColumns) => Error::Kernel(KernelError::BadColumns),
        Ok(Kind::InvalidUtf8) => Error::Kernel(KernelError::InvalidUtf8),
        Ok(Kind::Unspecified) | Err(_) => Error::Malformed("unknown kernel error kind"),
    }
}
// ANCHOR_END: kernel_error

// ANCHOR: add
/// `add(a, b)` over the wire: the sum, or `Error::Kernel(Overflow)`.
pub fn add(a: i64, b: i64) -> Result<i64, Error> {
    let request = AddRequest { a, b }.encode_to_vec();
    let response = AddResponse::decode(serve::add(&request)?.as_slice())?;
    match response.result {
        Some(AddResult::Value(sum)) => Ok(sum),
        Some(AddResult::Error(e)) => Err(kernel_error(&e)),
        None => Err(Error::Malformed(
            "AddResponse carries neither a value nor an error",
        )),
    }
}
// ANCHOR_END: add

/// `checked_div(a, b)` over the wire: the quotient truncated toward zero, or
/// `Error::Kernel(DivisionByZero)` / `Error::Kernel(Overflow)`.
pub fn checked_div(a: i64, b: i64) -> Result<i64, Error> {
    let request = DivRequest { a, b }.encode_to_vec();
    let response = DivResponse::decode(serve::checked_div(&request)?.as_slice())?;
    match response.result {
        Some(DivResult::Value(quotient)) => Ok(quotient),
        Some(DivResult::Error(e)) => Err(kernel_error(&e)),
        None => Err(Error::Malformed(
            "DivResponse carries neither a value nor an error",
        )),
    }
}

/// `scale(values, factor)` over the wire: a new vector.
pub fn scale(values: &[f64], factor: f64) -> Result<Vec<f64>, Error> {
    // A prost message owns its fields, so building the request copies the
    // input, just as filling a Python protobuf message does.
    // ANCHOR: scale
    let request = ScaleRequest {
        values: values.to_vec(),
        factor: Some(factor),
    }
    .encode_to_vec();
    Ok(ScaleResponse::decode(serve::scale(&request)?.as_slice())?.values)
    // ANCHOR_END: scale
}

/// `summarize(records)` over the wire: the whole copying round trip, records in.
pub fn summarize(records: &[kernels::Record]) -> Result<kernels::Summary, Error> {
    // As in scale: the message owns a copy of every record, names included.
    let message = Records {
        records: records.iter().map(proto::Record::from).collect(),
    }
    .encode_to_vec();
    summarize_message(&message)
}

/// `summarize` of a serialized `Records` the caller already holds: only the far
/// side's decode, the kernel and the response's round trip. Bytes that are not a
/// `Records`, a name that is not UTF-8 among them, are `Error::Decode`.
pub fn summarize_message(message: &[u8]) -> Result<kernels::Summary, Error> {
    let response = SummarizeResponse::decode(serve::summarize(message)?.as_slice())?;
    match response.result {
        Some(SummarizeResult::Summary(summary)) => Ok(summary.into()),
        Some(SummarizeResult::Error(e)) => Err(kernel_error(&e)),
        None => Err(Error::Malformed(
            "SummarizeResponse carries neither a summary nor an error",
        )),
    }
}

// ANCHOR: serve
/// The far side of the wire: serialized request in, serialized response out.
///
/// `bb_protobuf` (crates/py-protobuf) serves the same messages with Python
/// `bytes` at its ends; both use [`proto::serve`] between decode and encode.
pub mod serve {
    use super::*;

    pub fn add(request: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(proto::serve::add(AddRequest::decode(request)?).encode_to_vec())
    }

    pub fn checked_div(request: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(proto::serve::checked_div(DivRequest::decode(request)?).encode_to_vec())
    }

    pub fn scale(request: &[u8]) -> Result<Vec<u8>, Error> {
        let response =
            proto::serve::scale(ScaleRequest::decode(request)?).map_err(Error::Malformed)?;
        Ok(response.encode_to_vec())
    }

    pub fn summarize(message: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(proto::serve::summarize(&Records::decode(message)?).encode_to_vec())
    }
}
// ANCHOR_END: serve
