//! The bridgebench kernels, implemented in plain Rust.
//!
//! Semantics are fixed by `benches/kernels/*.toml`; this crate has no FFI so
//! every Rust-built bridge (PyO3, the C ABI, the CPython C-API module, prost)
//! wraps exactly the same code.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};

/// Why a kernel refused to produce a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KernelError {
    /// The exact result does not fit the result type.
    Overflow,
    /// A division whose divisor is zero.
    DivisionByZero,
    /// `summarize_columns`: the columns' lengths or the name offsets disagree.
    BadColumns,
    /// `summarize_columns`, or text arriving as bytes: a name is not valid UTF-8.
    InvalidUtf8,
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::Overflow => f.write_str("integer overflow: result does not fit in int64"),
            KernelError::DivisionByZero => f.write_str("division by zero"),
            KernelError::BadColumns => f.write_str(
                "columns disagree: want n ids, n scores and n + 1 name offsets that start at 0, \
                 never decrease and end at len(name_bytes)",
            ),
            KernelError::InvalidUtf8 => f.write_str("a name is not valid UTF-8"),
        }
    }
}

impl std::error::Error for KernelError {}

// ANCHOR: add_checked_div
/// `add(a, b)`: the exact sum, or `Overflow` — never wrap-around.
pub fn add(a: i64, b: i64) -> Result<i64, KernelError> {
    a.checked_add(b).ok_or(KernelError::Overflow)
}

/// `checked_div(a, b)`: `a / b` truncated toward zero, or the reason there is no answer.
pub fn checked_div(a: i64, b: i64) -> Result<i64, KernelError> {
    if b == 0 {
        return Err(KernelError::DivisionByZero);
    }
    // The only other failure: i64::MIN / -1 = 2**63.
    a.checked_div(b).ok_or(KernelError::Overflow)
}
// ANCHOR_END: add_checked_div

/// `Counter`: one int64 behind a method (`bump`) and a property (`value`), the call
/// shapes of kernel `counter`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counter {
    value: i64,
}

impl Counter {
    pub fn new(start: i64) -> Self {
        Counter { value: start }
    }

    /// Adds `by` with [`add`]'s rule and answers the new value; on overflow the value
    /// stays as it was.
    pub fn bump(&mut self, by: i64) -> Result<i64, KernelError> {
        self.value = add(self.value, by)?;
        Ok(self.value)
    }

    pub fn value(&self) -> i64 {
        self.value
    }

    pub fn set_value(&mut self, value: i64) {
        self.value = value;
    }
}

// ANCHOR: map_callback
/// `map_callback(values, f)`: `f(values[i])` for each element, in order, into a new vector.
///
/// Stops at the first `Err` (no further calls) and returns it unchanged: the error type is
/// the callback's own, so a bridge can carry anything (a Python exception, say) through.
pub fn map_callback<E>(
    values: &[f64],
    mut f: impl FnMut(f64) -> Result<f64, E>,
) -> Result<Vec<f64>, E> {
    values.iter().map(|&x| f(x)).collect()
}
// ANCHOR_END: map_callback

/// `scale` into a caller-provided output: `out[i] = values[i] * factor`.
///
/// # Panics
/// If `out.len() != values.len()`; callers size `out` from `values`.
pub fn scale_into(values: &[f64], factor: f64, out: &mut [f64]) {
    assert_eq!(
        values.len(),
        out.len(),
        "scale_into: output length mismatch"
    );
    for (o, v) in out.iter_mut().zip(values) {
        *o = v * factor;
    }
}

/// `scale` returning a new vector.
pub fn scale(values: &[f64], factor: f64) -> Vec<f64> {
    values.iter().map(|v| v * factor).collect()
}

/// `scale` in place.
pub fn scale_inplace(values: &mut [f64], factor: f64) {
    for v in values.iter_mut() {
        *v *= factor;
    }
}

/// How many [`Holder`]s are alive in this copy of the kernel (each bridge module links
/// its own copy, so each has its own count).
static LIVE_HOLDERS: AtomicI64 = AtomicI64::new(0);

/// `live_holders()`: [`Holder`]s constructed and not yet dropped.
pub fn live_holders() -> i64 {
    LIVE_HOLDERS.load(Ordering::SeqCst)
}

/// `Holder`: an object owning a UTF-8 string (the seed's MyClass). Its count of live
/// instances lets every bridge's tests prove the object is freed exactly once.
#[derive(Debug)]
pub struct Holder {
    text: String,
}

impl Holder {
    /// A holder owning a copy of `text`.
    pub fn new(text: &str) -> Self {
        LIVE_HOLDERS.fetch_add(1, Ordering::SeqCst);
        Holder {
            text: text.to_owned(),
        }
    }

    /// A holder from bytes that must be UTF-8 (the C ABI's form).
    pub fn from_utf8(bytes: &[u8]) -> Result<Self, KernelError> {
        let text = std::str::from_utf8(bytes).map_err(|_| KernelError::InvalidUtf8)?;
        Ok(Holder::new(text))
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The length of the text in UTF-8 bytes.
    pub fn utf8_len(&self) -> usize {
        self.text.len()
    }

    pub fn append(&mut self, more: &str) {
        self.text.push_str(more);
    }
}

impl Clone for Holder {
    fn clone(&self) -> Self {
        Holder::new(&self.text)
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        LIVE_HOLDERS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One record of `summarize`'s `objects` strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: i64,
    pub name: String,
    pub score: f64,
}

/// What `summarize` returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub count: i64,
    /// The scores added left to right from +0.0.
    pub score_sum: f64,
    /// The largest id; `i64::MIN` (the identity of max) when there are no records.
    pub max_id: i64,
    /// The name with the most UTF-8 bytes, the first on ties; "" when there are none.
    pub longest_name: String,
}

/// `summarize` as a fold: feed records in order, then [`Summarizer::finish`]. Every
/// strategy and every bridge that reaches the Rust kernel goes through this.
#[derive(Debug, Clone, Copy)]
pub struct Summarizer<'a> {
    count: i64,
    score_sum: f64,
    max_id: i64,
    longest_name: &'a str,
}

impl Default for Summarizer<'_> {
    fn default() -> Self {
        Summarizer {
            count: 0,
            score_sum: 0.0,
            max_id: i64::MIN,
            longest_name: "",
        }
    }
}

impl<'a> Summarizer<'a> {
    pub fn add(&mut self, id: i64, name: &'a str, score: f64) {
        self.count += 1;
        self.score_sum += score;
        self.max_id = self.max_id.max(id);
        // Strictly longer: the first of equally long names stays.
        if name.len() > self.longest_name.len() {
            self.longest_name = name;
        }
    }

    /// The longest name so far, borrowed from the input (a C ABI hands this back as a
    /// pointer into the caller's memory, with no allocation).
    pub fn longest_name(&self) -> &'a str {
        self.longest_name
    }

    pub fn count(&self) -> i64 {
        self.count
    }

    pub fn score_sum(&self) -> f64 {
        self.score_sum
    }

    pub fn max_id(&self) -> i64 {
        self.max_id
    }

    pub fn finish(&self) -> Summary {
        Summary {
            count: self.count,
            score_sum: self.score_sum,
            max_id: self.max_id,
            longest_name: self.longest_name.to_owned(),
        }
    }
}

/// `summarize` over records (the `objects` strategy).
pub fn summarize(records: &[Record]) -> Summary {
    let mut s = Summarizer::default();
    for r in records {
        s.add(r.id, &r.name, r.score);
    }
    s.finish()
}

/// The `columns` strategy's input: a struct of arrays in Apache Arrow's layout. Name
/// `i` is `name_bytes[name_offsets[i]..name_offsets[i + 1]]`.
#[derive(Debug, Clone, Copy)]
pub struct Columns<'a> {
    pub ids: &'a [i64],
    pub scores: &'a [f64],
    pub name_offsets: &'a [i64],
    pub name_bytes: &'a [u8],
}

impl<'a> Columns<'a> {
    /// Feeds every record to a [`Summarizer`], after checking that the columns agree
    /// (`BadColumns`) and that every name is UTF-8 on its own (`InvalidUtf8`).
    pub fn summarizer(&self) -> Result<Summarizer<'a>, KernelError> {
        let n = self.ids.len();
        if self.scores.len() != n
            || self.name_offsets.len() != n + 1
            || self.name_offsets[0] != 0
            || usize::try_from(self.name_offsets[n]).ok() != Some(self.name_bytes.len())
            || self.name_offsets.windows(2).any(|w| w[0] > w[1])
        {
            return Err(KernelError::BadColumns);
        }
        let mut s = Summarizer::default();
        for (i, (&id, &score)) in self.ids.iter().zip(self.scores).enumerate() {
            // In range: the offsets start at 0, never decrease and end at the length.
            let (start, end) = (
                self.name_offsets[i] as usize,
                self.name_offsets[i + 1] as usize,
            );
            let name = std::str::from_utf8(&self.name_bytes[start..end])
                .map_err(|_| KernelError::InvalidUtf8)?;
            s.add(id, name, score);
        }
        Ok(s)
    }
}

/// `summarize` over columns.
pub fn summarize_columns(columns: &Columns<'_>) -> Result<Summary, KernelError> {
    Ok(columns.summarizer()?.finish())
}
