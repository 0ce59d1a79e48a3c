//! Generates the Rust types for proto/bridgebench.proto with prost-build.
//!
//! protoc comes from the protoc-bin-vendored crate, so building needs no system
//! protobuf compiler and every machine uses the same protoc.

use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    let mut config = prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    // compile_protos also prints cargo:rerun-if-changed for the .proto file.
    config.compile_protos(&["proto/bridgebench.proto"], &["proto"])?;
    Ok(())
}
