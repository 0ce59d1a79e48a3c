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
    use super::kernel_error::Kind;
    use super::{AddRequest, AddResponse, KernelError, ScaleRequest, ScaleResponse};

    pub fn add(AddRequest { a, b }: AddRequest) -> AddResponse {
        let result = match kernels::add(a, b) {
            Ok(sum) => AddResult::Value(sum),
            // Over a copying path an error is data: encode it, the caller rebuilds it.
            Err(e @ kernels::KernelError::Overflow) => AddResult::Error(KernelError {
                kind: Kind::Overflow.into(),
                message: e.to_string(),
            }),
        };
        AddResponse {
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
}
