//! `bb_protobuf`: the Rust half of the `protobuf` bridge (the copying path).
//!
//! Python never hands Rust an object here, only the serialized request as
//! `bytes`; the answer goes back as serialized `bytes` too. So each call copies
//! twice each way (Python objects -> message -> bytes, then bytes -> prost
//! struct), which is exactly the cost this bridge exists to measure. The Python
//! adapter (`bridgebench.bridges.protobuf_copy`) does the message <-> object part.

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use prost::Message;

// ANCHOR: module
/// Bytes that are not a valid message are the caller's fault: a ValueError,
/// raised here at the boundary instead of travelling on as a default message.
fn decode<M: Message + Default>(request: &[u8]) -> PyResult<M> {
    M::decode(request).map_err(|e| PyValueError::new_err(format!("malformed request: {e}")))
}

/// Encodes straight into a new Python `bytes` sized by `encoded_len`: no
/// intermediate Vec, so the only copy is the one the wire format needs.
fn encode<'py>(py: Python<'py>, message: &impl Message) -> PyResult<Bound<'py, PyBytes>> {
    PyBytes::new_with(py, message.encoded_len(), |mut out: &mut [u8]| {
        // Cannot fail (the buffer has exactly encoded_len bytes), but say so if it does.
        message
            .encode(&mut out)
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))
    })
}

#[pymodule]
mod bb_protobuf {
    use super::*;

    /// add(request: bytes) -> bytes: a serialized AddRequest in, an AddResponse out.
    ///
    /// Overflow is not raised here: over a copying path the error is data, so it
    /// travels back in the response and the Python side raises OverflowError.
    #[pyfunction]
    fn add<'py>(py: Python<'py>, request: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        encode(py, &proto::serve::add(decode(request)?))
    }

    /// checked_div(request: bytes) -> bytes: a serialized DivRequest in, a DivResponse out.
    ///
    /// As for add, division by zero and overflow travel back as data in the response.
    #[pyfunction]
    fn checked_div<'py>(py: Python<'py>, request: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        encode(py, &proto::serve::checked_div(decode(request)?))
    }

    /// scale(request: bytes) -> bytes: a serialized ScaleRequest in, a ScaleResponse out.
    #[pyfunction]
    fn scale<'py>(py: Python<'py>, request: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        let response = proto::serve::scale(decode(request)?)
            .map_err(|why| PyValueError::new_err(format!("malformed request: {why}")))?;
        encode(py, &response)
    }

    /// summarize(message: bytes) -> bytes: a serialized Records in, a SummarizeResponse out.
    ///
    /// A name that is not UTF-8 fails prost's decode, so it is a ValueError here
    /// like any other undecodable bytes; the kernel never sees it.
    #[pyfunction]
    fn summarize<'py>(py: Python<'py>, message: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        encode(py, &proto::serve::summarize(&decode(message)?))
    }
}
// ANCHOR_END: module
