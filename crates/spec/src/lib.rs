//! The shared kernel spec and bridge registry, as Rust data.
//!
//! The TOML files under `benches/` are the single source of truth; Rust tests,
//! C++ tests and Python tests all read the same files.

mod records;

pub use records::*;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The repository root (this crate lives at `crates/spec`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read_toml<T: for<'de> Deserialize<'de>>(relative: &str) -> Result<T, String> {
    let path = repo_root().join(relative);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// One test vector of a kernel on two int64s (`add`, `checked_div`): either `expect` or
/// `error` (a key of the spec's `[errors]`) is set.
#[derive(Debug, Clone, Deserialize)]
pub struct IntPairVector {
    pub a: i64,
    pub b: i64,
    pub expect: Option<i64>,
    pub error: Option<String>,
}

/// The vectors of `add`.
pub type AddVector = IntPairVector;

/// How one kernel error is spelled on each side (`[errors.<name>]` in a kernel spec).
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorSpelling {
    pub python: String,
    /// The `kernels::KernelError` variant's name.
    pub rust: String,
    pub cpp: String,
    /// The message every implementation gives.
    pub message: String,
}

/// One test vector of `scale`.
#[derive(Debug, Clone, Deserialize)]
pub struct ScaleVector {
    pub values: Vec<f64>,
    pub factor: f64,
    pub expect: Vec<f64>,
}

/// One test vector of `map_callback`: `callback` names one of [`callback`]'s functions;
/// either `expect` or `error` is set, and `calls` is how many times it must be called.
#[derive(Debug, Clone, Deserialize)]
pub struct MapVector {
    pub values: Vec<f64>,
    pub callback: String,
    pub expect: Option<Vec<f64>>,
    pub error: Option<String>,
    pub calls: usize,
}

/// The named callbacks of benches/kernels/map_callback.toml, natively: `None` means the
/// callback fails for that input. Every Rust implementation's tests use these.
pub fn callback(name: &str) -> Result<fn(f64) -> Option<f64>, String> {
    Ok(match name {
        "double" => |x| Some(x * 2.0),
        "negate" => |x| Some(-x),
        "square_plus_one" => |x| Some(x * x + 1.0),
        "fail_above_two" => |x| (x <= 2.0).then_some(x),
        other => {
            return Err(format!(
                "map_callback.toml names an unknown callback {other:?}"
            ));
        }
    })
}

/// Checks a `scale` implementation against every vector: `new` returns a new vector (or an
/// error message), `inplace` scales the slice it is given (`None`: the bridge has no in-place
/// form).
pub fn check_scale_vectors(
    new: impl Fn(&[f64], f64) -> Result<Vec<f64>, String>,
    inplace: Option<fn(&mut [f64], f64)>,
) -> Result<(), String> {
    let spec = scale_spec()?;
    if spec.vectors.is_empty() {
        return Err("benches/kernels/scale.toml has no vectors".into());
    }
    for v in &spec.vectors {
        let fresh = new(&v.values, v.factor)?;
        if !same_floats_nan_aware(&fresh, &v.expect) {
            return Err(format!("scale {v:?} -> {fresh:?}"));
        }
        if let Some(inplace) = inplace {
            let mut values = v.values.clone();
            inplace(&mut values, v.factor);
            if !same_floats_nan_aware(&values, &v.expect) {
                return Err(format!("scale in place {v:?} -> {values:?}"));
            }
        }
    }
    Ok(())
}

/// The error the named callbacks give in Rust tests: the input they refused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Refused(pub f64);

/// A callback as the map_callback checks hand it to an implementation.
pub type TestCallback<'a> = dyn FnMut(f64) -> Result<f64, Refused> + 'a;

/// Checks a map_callback implementation against every vector. `run(values, callback)` must
/// call the callback once per element, in order, stop at its first `Err`, and hand that very
/// error back as `Err(Some(..))` (`Err(None)`: it failed some other way, which is wrong).
pub fn check_map_callback_vectors(
    spec: &KernelSpec<MapVector>,
    run: impl Fn(&[f64], &mut TestCallback<'_>) -> Result<Vec<f64>, Option<Refused>>,
) -> Result<(), String> {
    if spec.vectors.is_empty() {
        return Err("benches/kernels/map_callback.toml has no vectors".into());
    }
    for v in &spec.vectors {
        let f = callback(&v.callback)?;
        let mut seen = Vec::new();
        let got = run(&v.values, &mut |x| {
            seen.push(x);
            f(x).ok_or(Refused(x))
        });
        let in_order = same_floats_nan_aware(&seen, &v.values[..seen.len().min(v.values.len())]);
        match (&got, &v.expect) {
            (Ok(got), Some(want)) if same_floats_nan_aware(got, want) => {}
            // The callback's own error: the last input it saw is the one it refused.
            (Err(Some(Refused(x))), None) if v.error.is_some() && seen.last() == Some(x) => {}
            _ => return Err(format!("map_callback {v:?} gave {got:?}")),
        }
        if seen.len() != v.calls || !in_order {
            return Err(format!("map_callback {v:?}: called with {seen:?}"));
        }
    }
    Ok(())
}

/// Checks that a panic in the callback reaches the caller (not an abort at an FFI edge) and
/// that nothing is called after it. `run` maps [1, 2, 3] through the callback it is given.
pub fn check_map_callback_panic(
    run: impl Fn(&mut TestCallback<'_>) -> Result<Vec<f64>, Option<Refused>>,
) -> Result<(), String> {
    let mut calls = 0;
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run(&mut |x| {
            calls += 1;
            if x > 1.0 {
                panic!("callback panicked at {x}");
            }
            Ok(x)
        })
    }));
    let payload = match caught {
        Err(payload) => payload,
        Ok(result) => return Err(format!("the panic did not reach the caller: {result:?}")),
    };
    match payload.downcast_ref::<String>().map(String::as_str) {
        Some("callback panicked at 2") if calls == 2 => Ok(()),
        other => Err(format!("panic payload {other:?} after {calls} calls")),
    }
}

/// A cell: one way of calling a kernel (a marshaling strategy).
#[derive(Debug, Clone, Deserialize)]
pub struct Cell {
    pub function: String,
    pub strategy: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct KernelSpec<V> {
    pub name: String,
    pub cells: BTreeMap<String, Cell>,
    pub vectors: Vec<V>,
    #[serde(default)]
    pub errors: BTreeMap<String, ErrorSpelling>,
}

impl<V> KernelSpec<V> {
    /// The spelling of a vector's `error`, or a message naming the spec file to fix.
    pub fn error(&self, name: &str) -> Result<&ErrorSpelling, String> {
        self.errors.get(name).ok_or_else(|| {
            format!(
                "benches/kernels/{}.toml: error {name:?} has no [errors.{name}]",
                self.name
            )
        })
    }
}

pub fn add_spec() -> Result<KernelSpec<AddVector>, String> {
    read_toml("benches/kernels/add.toml")
}

pub fn checked_div_spec() -> Result<KernelSpec<IntPairVector>, String> {
    read_toml("benches/kernels/checked_div.toml")
}

pub fn map_callback_spec() -> Result<KernelSpec<MapVector>, String> {
    read_toml("benches/kernels/map_callback.toml")
}

pub fn scale_spec() -> Result<KernelSpec<ScaleVector>, String> {
    read_toml("benches/kernels/scale.toml")
}

/// Names of every kernel spec file, e.g. `["add", "scale"]`.
pub fn kernel_names() -> Result<Vec<String>, String> {
    let dir = repo_root().join("benches/kernels");
    let mut names = Vec::new();
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|e| e == "toml")
            && let Some(stem) = path.file_stem()
        {
            names.push(stem.to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// Every cell name of every kernel, e.g. `["add", "scale.buffer", ...]`.
pub fn all_cells() -> Result<Vec<String>, String> {
    #[derive(Deserialize)]
    struct CellsOnly {
        cells: BTreeMap<String, Cell>,
    }
    let mut cells = Vec::new();
    for name in kernel_names()? {
        let spec: CellsOnly = read_toml(&format!("benches/kernels/{name}.toml"))?;
        cells.extend(spec.cells.into_keys());
    }
    cells.sort();
    Ok(cells)
}

/// One entry of `benches/bridges.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct Bridge {
    pub name: String,
    pub side: String,
    pub tool: String,
    pub module: String,
    pub cells: Vec<String>,
    #[serde(default)]
    pub na: BTreeMap<String, String>,
    /// The one bridge of its side that every other bridge of the side is divided by.
    #[serde(default)]
    pub floor: bool,
}

/// An `[[na]]` entry: one reason that the listed bridges cannot express the listed cells.
#[derive(Debug, Clone, Deserialize)]
struct SharedNa {
    bridges: Vec<String>,
    cells: Vec<String>,
    reason: String,
}

#[derive(Debug, Clone, Deserialize)]
struct RegistryFile {
    bridge: Vec<Bridge>,
    #[serde(default)]
    na: Vec<SharedNa>,
}

/// All registered bridges, each with its `[bridge.na]` and the shared `[[na]]` reasons
/// that list it.
pub fn bridges() -> Result<Vec<Bridge>, String> {
    let RegistryFile { mut bridge, na } = read_toml("benches/bridges.toml")?;
    for entry in na {
        for name in &entry.bridges {
            let found = bridge.iter_mut().find(|b| &b.name == name).ok_or_else(|| {
                format!("benches/bridges.toml: an [[na]] entry names no bridge {name:?}")
            })?;
            for cell in &entry.cells {
                found.na.insert(cell.clone(), entry.reason.clone());
            }
        }
    }
    Ok(bridge)
}

/// A two-int64 kernel call as the shared vectors judge it: the value, or the error as
/// (its kind's name if the bridge can tell it, its message).
///
/// The name is compared with the spec's `rust` spelling (`Overflow`, `DivisionByZero`);
/// a bridge whose errors carry only a message (cxx's `add`: a C++ exception's what())
/// gives `None`, and then only the message is checked.
pub type IntPairOutcome = Result<i64, (Option<String>, String)>;

/// Checks `call` against every vector of a two-int64 kernel (`add`, `checked_div`).
/// Every implementation's tests call this one function, so they judge alike.
pub fn check_int_pair_vectors(
    spec: &KernelSpec<IntPairVector>,
    call: impl Fn(i64, i64) -> IntPairOutcome,
) -> Result<(), String> {
    if spec.vectors.is_empty() {
        return Err(format!("benches/kernels/{}.toml has no vectors", spec.name));
    }
    for v in &spec.vectors {
        let label = format!("{}({}, {})", spec.name, v.a, v.b);
        match (call(v.a, v.b), v.expect, v.error.as_deref()) {
            (Ok(got), Some(want), None) if got == want => {}
            (Err((kind, message)), None, Some(name)) => {
                let want = spec.error(name)?;
                if kind.as_ref().is_some_and(|k| *k != want.rust) || message != want.message {
                    return Err(format!(
                        "{label}: got error {kind:?} {message:?}, want {} {:?}",
                        want.rust, want.message
                    ));
                }
            }
            (got, _, _) => return Err(format!("{label} = {got:?}, want {v:?}")),
        }
    }
    Ok(())
}

/// Bit-for-bit equality of two float slices, except that any NaN equals any NaN.
///
/// Differential tests between bridges compare exact bits; vectors written in
/// TOML cannot spell a NaN payload, so they use this NaN-aware form.
pub fn same_floats_nan_aware(got: &[f64], want: &[f64]) -> bool {
    got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(g, w)| (g.is_nan() && w.is_nan()) || g.to_bits() == w.to_bits())
}
