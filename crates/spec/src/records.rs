//! The vectors of `holder` and `summarize` (benches/kernels/{holder,summarize}.toml), and
//! one checker per kernel that every Rust implementation's tests call, so they judge alike.

use crate::{KernelSpec, read_toml, same_floats_nan_aware};
use serde::Deserialize;

/// One `holder` vector: `Holder(text * repeat)`, then `append(a)` for each `a`.
#[derive(Debug, Clone, Deserialize)]
pub struct HolderVector {
    pub text: String,
    #[serde(default = "one")]
    pub repeat: usize,
    #[serde(default)]
    pub append: Vec<String>,
    pub utf8_len: usize,
}

fn one() -> usize {
    1
}

impl HolderVector {
    /// The text the holder must hold after every append.
    pub fn expected_text(&self) -> String {
        self.text.repeat(self.repeat) + &self.append.concat()
    }
}

pub fn holder_spec() -> Result<KernelSpec<HolderVector>, String> {
    read_toml("benches/kernels/holder.toml")
}

/// A bridge's holder as the checks drive it. `live()` is the bridge's own count of live
/// holders; a test binary must run only one test that creates holders, or the counts of
/// concurrent tests mix.
pub trait TestHolder: Sized {
    fn create(text: &str) -> Result<Self, String>;
    fn text(&self) -> Result<String, String>;
    fn utf8_len(&self) -> usize;
    fn append(&mut self, more: &str) -> Result<(), String>;
    fn live() -> i64;
}

/// Checks a holder against every vector, and that each holder is dropped exactly once:
/// the live count goes up by one per holder and back to its start when all are gone.
pub fn check_holder_vectors<H: TestHolder>() -> Result<(), String> {
    let spec = holder_spec()?;
    if spec.vectors.is_empty() {
        return Err("benches/kernels/holder.toml has no vectors".into());
    }
    let start = H::live();
    let mut kept = Vec::new();
    for (i, v) in spec.vectors.iter().enumerate() {
        let label = format!("holder vector #{i}");
        let mut h = H::create(&v.text.repeat(v.repeat))?;
        for more in &v.append {
            h.append(more)?;
        }
        let (text, want) = (h.text()?, v.expected_text());
        if text != want || h.utf8_len() != v.utf8_len {
            return Err(format!(
                "{label}: text of {} bytes, utf8_len {}; want {} and {}",
                text.len(),
                h.utf8_len(),
                want.len(),
                v.utf8_len
            ));
        }
        kept.push(h);
        if H::live() != start + kept.len() as i64 {
            return Err(format!(
                "{label}: live count {}, want {}",
                H::live(),
                start + kept.len() as i64
            ));
        }
    }
    drop(kept);
    if H::live() != start {
        return Err(format!(
            "after dropping every holder: live count {}, want {start}",
            H::live()
        ));
    }
    Ok(())
}

/// One record of a `summarize` vector.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct RecordIn {
    pub id: i64,
    pub name: String,
    pub score: f64,
}

/// What `summarize` returns, as the checks compare it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct SummaryOut {
    pub count: i64,
    pub score_sum: f64,
    pub max_id: i64,
    pub longest_name: String,
}

impl SummaryOut {
    /// Field by field, the score sum NaN-aware (any NaN equals any NaN).
    pub fn same_as(&self, want: &SummaryOut) -> bool {
        self.count == want.count
            && same_floats_nan_aware(&[self.score_sum], &[want.score_sum])
            && self.max_id == want.max_id
            && self.longest_name == want.longest_name
    }
}

/// A `summarize` vector: records and the summary every strategy must give for them.
#[derive(Debug, Clone, Deserialize)]
pub struct SummarizeVector {
    pub records: Vec<RecordIn>,
    pub expect: SummaryOut,
}

/// Columns in Apache Arrow's layout (the `columns` strategy).
#[derive(Debug, Clone, Deserialize, Default)]
pub struct ColumnsIn {
    pub ids: Vec<i64>,
    pub scores: Vec<f64>,
    pub name_offsets: Vec<i64>,
    pub name_bytes: Vec<u8>,
}

impl ColumnsIn {
    /// The records as columns, the way a caller of the columns strategy lays them out.
    pub fn from_records(records: &[RecordIn]) -> Self {
        let mut c = ColumnsIn {
            name_offsets: vec![0],
            ..ColumnsIn::default()
        };
        for r in records {
            c.ids.push(r.id);
            c.scores.push(r.score);
            c.name_bytes.extend_from_slice(r.name.as_bytes());
            c.name_offsets.push(c.name_bytes.len() as i64);
        }
        c
    }
}

/// A raw column vector: columns that may disagree or hold invalid UTF-8; either `expect`
/// or `error` (a key of the spec's `[errors]`) is set.
#[derive(Debug, Clone, Deserialize)]
pub struct ColumnVector {
    #[serde(flatten)]
    pub columns: ColumnsIn,
    pub expect: Option<SummaryOut>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SummarizeSpec {
    #[serde(flatten)]
    pub kernel: KernelSpec<SummarizeVector>,
    pub column_vectors: Vec<ColumnVector>,
}

pub fn summarize_spec() -> Result<SummarizeSpec, String> {
    read_toml("benches/kernels/summarize.toml")
}

/// Checks a records strategy (`objects`, or a message built from the records) against
/// every vector.
pub fn check_summarize_records(
    run: impl Fn(&[RecordIn]) -> Result<SummaryOut, String>,
) -> Result<(), String> {
    let spec = summarize_spec()?;
    for (i, v) in spec.kernel.vectors.iter().enumerate() {
        let got = run(&v.records)?;
        if !got.same_as(&v.expect) {
            return Err(format!(
                "summarize vector #{i}: got {got:?}, want {:?}",
                v.expect
            ));
        }
    }
    Ok(())
}

/// A columns call as the vectors judge it: the summary, or the error as (its kind's
/// name if the bridge can tell it, its message), compared as in
/// [`crate::check_int_pair_vectors`] except that the message need only contain the spec's.
pub type SummaryOutcome = Result<SummaryOut, (Option<String>, String)>;

/// Checks the `columns` strategy against every vector (as columns) and every raw column
/// vector.
pub fn check_summarize_columns(run: impl Fn(&ColumnsIn) -> SummaryOutcome) -> Result<(), String> {
    let spec = summarize_spec()?;
    let from_records = spec.kernel.vectors.iter().map(|v| {
        (
            ColumnsIn::from_records(&v.records),
            Some(v.expect.clone()),
            None,
        )
    });
    let raw = spec
        .column_vectors
        .iter()
        .map(|v| (v.columns.clone(), v.expect.clone(), v.error.clone()));
    for (i, (columns, expect, error)) in from_records.chain(raw).enumerate() {
        let label = format!("summarize columns #{i} {columns:?}");
        match (run(&columns), expect, error.as_deref()) {
            (Ok(got), Some(want), None) if got.same_as(&want) => {}
            (Err((kind, message)), None, Some(name)) => {
                let want = spec.kernel.error(name)?;
                if kind.as_ref().is_some_and(|k| *k != want.rust)
                    || !message.contains(&want.message)
                {
                    return Err(format!(
                        "{label}: got error {kind:?} {message:?}, want {} {:?}",
                        want.rust, want.message
                    ));
                }
            }
            (got, want, error) => {
                return Err(format!(
                    "{label} = {got:?}, want {want:?} / error {error:?}"
                ));
            }
        }
    }
    Ok(())
}
