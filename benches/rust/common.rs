//! Settings shared by the Rust-side criterion benches.
//!
//! The whole suite runs on 2 shared cores: few samples, short windows. Criterion's
//! command line (e.g. `--measurement-time`, `--sample-size`, `--quick`) still overrides.

use criterion::Criterion;
use std::time::Duration;

pub fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}
