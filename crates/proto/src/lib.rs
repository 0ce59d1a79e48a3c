//! The bridgebench wire messages (proto/bridgebench.proto) as Rust types.
//!
//! Generated at build time by prost-build; both copying bridges (the PyO3
//! extension `bb_protobuf` and the Rust-side `rs-prost`) use exactly these
//! types, and the Python side generates its `_pb2` module from the same file.

include!(concat!(env!("OUT_DIR"), "/bridgebench.rs"));
