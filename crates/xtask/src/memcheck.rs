//! Reading valgrind memcheck's XML (`--xml=yes`) and the project's suppression file
//! (ci/valgrind-python.supp), and deciding which errors are in our code: an error counts
//! when one of its stacks passes through a library of ours (the registry's
//! [bridge.alone] `modules` and `loads`, as `sanitize::library_pattern`s).

use crate::sanitize::match_library;

/// One stack frame: the object it is in, its function and, with debug info, file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub obj: String,
    pub func: String,
    pub place: Option<String>,
}

/// One error memcheck reported (leaks included, with their allocation stack).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: String,
    pub what: String,
    /// every stack of the error: where it happened, then where the block was allocated or
    /// freed
    pub stacks: Vec<Vec<Frame>>,
}

/// The errors of one XML file, in order.
pub fn parse_errors(xml: &str) -> Vec<Error> {
    blocks(xml, "error")
        .map(|body| Error {
            kind: first(body, "kind").unwrap_or_default(),
            what: first(body, "what")
                .or_else(|| blocks(body, "xwhat").find_map(|x| first(x, "text")))
                .unwrap_or_default(),
            stacks: blocks(body, "stack")
                .map(|stack| blocks(stack, "frame").map(frame).collect())
                .collect(),
        })
        .collect()
}

fn frame(body: &str) -> Frame {
    let place = match (first(body, "file"), first(body, "line")) {
        (Some(file), Some(line)) => {
            let dir = first(body, "dir")
                .map(|d| format!("{d}/"))
                .unwrap_or_default();
            Some(format!("{dir}{file}:{line}"))
        }
        _ => None,
    };
    Frame {
        obj: first(body, "obj").unwrap_or_default(),
        func: first(body, "fn").unwrap_or_else(|| "???".into()),
        place,
    }
}

/// The bodies of every `<tag>...</tag>` in `text`, outermost first (memcheck's XML does not
/// nest a tag in itself).
fn blocks<'a>(text: &'a str, tag: &str) -> impl Iterator<Item = &'a str> + 'a {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.find(&open)? + open.len();
        let end = start + rest[start..].find(&close)?;
        let body = &rest[start..end];
        rest = &rest[end + close.len()..];
        Some(body)
    })
}

fn first(text: &str, tag: &str) -> Option<String> {
    blocks(text, tag).next().map(unescape)
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The owners (bridge names) of the library of ours that `error` passes through, and the
/// first frame in one; None when no stack of the error touches our libraries.
/// `libraries`: (bridge name, library pattern); the most specific pattern that matches a
/// frame's object names its owners.
pub fn ours<'e>(
    error: &'e Error,
    libraries: &[(String, String)],
) -> Option<(Vec<String>, &'e Frame)> {
    error.stacks.iter().flatten().find_map(|frame| {
        let owners = owners(&frame.obj, libraries);
        (!owners.is_empty()).then_some((owners, frame))
    })
}

/// The bridges whose most specific library pattern matches `path`.
pub fn owners(path: &str, libraries: &[(String, String)]) -> Vec<String> {
    let scored: Vec<(usize, &String)> = libraries
        .iter()
        .filter_map(|(bridge, pattern)| Some((match_library(pattern, path)?, bridge)))
        .collect();
    let best = scored.iter().map(|(score, _)| *score).max().unwrap_or(0);
    let mut found: Vec<String> = scored
        .into_iter()
        .filter(|(score, _)| *score == best)
        .map(|(_, bridge)| bridge.clone())
        .collect();
    found.dedup();
    found
}

/// One entry of a suppression file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub name: String,
    /// "Memcheck:Leak", "Memcheck:Cond", ...
    pub kind: String,
    /// the `fun:`, `obj:` and `...` lines (and a leak's `match-leak-kinds:` line)
    pub lines: Vec<String>,
}

/// The entries of a valgrind suppression file; an error names the line that breaks the
/// format (valgrind itself would refuse the whole file at start-up).
pub fn parse_suppressions(text: &str) -> Result<Vec<Suppression>, String> {
    let mut entries = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match (&mut current, line) {
            (None, "{") => current = Some(Vec::new()),
            (None, _) => return Err(format!("line {}: expected `{{`, found {line:?}", n + 1)),
            (Some(body), "}") => {
                let mut body = std::mem::take(body).into_iter();
                let (Some(name), Some(kind)) = (body.next(), body.next()) else {
                    return Err(format!("line {}: an entry needs a name and a kind", n + 1));
                };
                let lines: Vec<String> = body.collect();
                if lines.is_empty() {
                    return Err(format!("line {}: entry {name:?} has no frames", n + 1));
                }
                if let Some(bad) = lines.iter().find(|l| {
                    !(l.starts_with("fun:")
                        || l.starts_with("obj:")
                        || l.starts_with("src:")
                        || l.starts_with("match-leak-kinds:")
                        || l.as_str() == "...")
                }) {
                    return Err(format!("entry {name:?}: cannot read {bad:?}"));
                }
                entries.push(Suppression { name, kind, lines });
                current = None;
            }
            (Some(body), _) => body.push(line.to_string()),
        }
    }
    if current.is_some() {
        return Err("the last entry has no closing `}`".into());
    }
    Ok(entries)
}

/// The suppressions that could hide an error in our code: a frame pattern (`obj:` or
/// `fun:`) that matches one of our libraries' file names, or an entry of wildcards alone.
pub fn hiding_ours<'s>(
    suppressions: &'s [Suppression],
    libraries: &[(String, String)],
) -> Vec<&'s Suppression> {
    suppressions
        .iter()
        .filter(|s| {
            let frames: Vec<&str> = s
                .lines
                .iter()
                .filter_map(|l| l.strip_prefix("obj:").or_else(|| l.strip_prefix("fun:")))
                .collect();
            let only_wildcards = frames.iter().all(|f| f.chars().all(|c| c == '*'));
            let names_ours = s
                .lines
                .iter()
                .filter_map(|l| l.strip_prefix("obj:"))
                .any(|obj| {
                    libraries.iter().any(|(_, pattern)| {
                        // the library's file name as it is installed: "bb_pybind11*.so" ->
                        // ".../bb_pybind11.cpython-311-x86_64-linux-gnu.so"
                        let example = format!(
                            "/venv/lib/site-packages/{}",
                            pattern.replace('*', ".cpython-311-x86_64-linux-gnu")
                        );
                        crate::sanitize::glob_match(obj, &example)
                    })
                });
            only_wildcards || names_ours
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<?xml version="1.0"?>
<valgrindoutput>
<error>
  <unique>0x1</unique>
  <kind>InvalidWrite</kind>
  <what>Invalid write of size 8</what>
  <stack>
    <frame><ip>0x1</ip><obj>/v/site-packages/bb_pybind11.cpython-311-x86_64-linux-gnu.so</obj><fn>scale_buffer(pybind11::buffer, double)</fn><dir>/w/cpp/bindings/pybind11</dir><file>bb_pybind11.cpp</file><line>42</line></frame>
    <frame><ip>0x2</ip><obj>/usr/lib/libpython3.11.so.1.0</obj><fn>_PyObject_Call</fn></frame>
  </stack>
  <auxwhat>Address 0x0 is 0 bytes after a block of size 8 alloc'd</auxwhat>
  <stack>
    <frame><ip>0x3</ip><obj>/usr/libexec/valgrind/vgpreload_memcheck.so</obj><fn>malloc</fn></frame>
  </stack>
</error>
<error>
  <unique>0x2</unique>
  <kind>Leak_DefinitelyLost</kind>
  <xwhat><text>8 bytes in 1 blocks are definitely lost</text><leakedbytes>8</leakedbytes></xwhat>
  <stack>
    <frame><ip>0x4</ip><obj>/usr/lib/libc.so.6</obj><fn>malloc</fn></frame>
    <frame><ip>0x5</ip><obj>/v/numpy/_core/_multiarray_umath.so</obj><fn>npy_&lt;init&gt;</fn></frame>
  </stack>
</error>
</valgrindoutput>"#;

    fn libraries() -> Vec<(String, String)> {
        [
            ("pybind11", "bb_pybind11*.so"),
            ("nanobind", "bb_nanobind*.so"),
            ("nanobind-stable", "bb_nanobind_stable/bb_nanobind*.so"),
            ("ctypes", "libc_abi.so"),
            ("cffi", "_bb_cffi*.so"),
            ("cffi", "libc_abi.so"),
        ]
        .into_iter()
        .map(|(b, p)| (b.to_string(), p.to_string()))
        .collect()
    }

    #[test]
    fn errors_are_read_with_every_stack() {
        let errors = parse_errors(XML);
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].kind, "InvalidWrite");
        assert_eq!(errors[0].what, "Invalid write of size 8");
        assert_eq!(errors[0].stacks.len(), 2);
        assert_eq!(
            errors[0].stacks[0][0].place.as_deref(),
            Some("/w/cpp/bindings/pybind11/bb_pybind11.cpp:42")
        );
        assert_eq!(errors[1].what, "8 bytes in 1 blocks are definitely lost");
        assert_eq!(errors[1].stacks[0][1].func, "npy_<init>");
    }

    #[test]
    fn only_errors_through_our_libraries_are_ours() {
        let errors = parse_errors(XML);
        let (owners, frame) = ours(&errors[0], &libraries()).expect("pybind11's write is ours");
        assert_eq!(owners, vec!["pybind11".to_string()]);
        assert!(frame.func.starts_with("scale_buffer"));
        assert_eq!(
            ours(&errors[1], &libraries()),
            None,
            "numpy's leak is not ours"
        );
    }

    #[test]
    fn a_library_is_owned_by_its_most_specific_pattern_and_shared_ones_by_all() {
        let mut libs = libraries();
        libs.push(("pyo3".into(), "bb_pyo3*.so".into()));
        libs.push(("pyo3-abi3".into(), "bb_pyo3_abi3*.so".into()));
        assert_eq!(
            owners("/v/bb_pyo3_abi3/bb_pyo3_abi3.abi3.so", &libs),
            vec!["pyo3-abi3".to_string()]
        );
        assert_eq!(
            owners("/v/bb_pyo3/bb_pyo3.cpython-311-x86_64-linux-gnu.so", &libs),
            vec!["pyo3".to_string()]
        );
        assert_eq!(
            owners("/v/bb_nanobind_stable/bb_nanobind.abi3.so", &libs),
            vec!["nanobind-stable".to_string()]
        );
        assert_eq!(
            owners("/v/bb_nanobind.cpython-311-x86_64-linux-gnu.so", &libs),
            vec!["nanobind".to_string()]
        );
        assert_eq!(
            owners("/t/x86_64-unknown-linux-gnu/release/libc_abi.so", &libs),
            vec!["ctypes".to_string(), "cffi".to_string()]
        );
        assert!(owners("/usr/lib/libpython3.11.so.1.0", &libs).is_empty());
    }

    #[test]
    fn suppression_files_are_parsed_and_broken_ones_refused() {
        let text = "# comment\n{\n   loader\n   Memcheck:Addr8\n   fun:strncmp\n   ...\n   obj:*/ld-linux-x86-64.so.2\n}\n";
        let parsed = parse_suppressions(text).expect("valid");
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].name, "loader");
        assert_eq!(parsed[0].kind, "Memcheck:Addr8");
        assert_eq!(parsed[0].lines.len(), 3);
        assert!(parse_suppressions("{\n name\n Memcheck:Leak\n}\n").is_err());
        assert!(parse_suppressions("{\n name\n Memcheck:Leak\n fun:malloc\n").is_err());
        assert!(parse_suppressions("name\n").is_err());
        assert!(parse_suppressions("{\n n\n Memcheck:Leak\n nonsense\n}\n").is_err());
    }

    #[test]
    fn a_suppression_that_could_hide_our_errors_is_found() {
        let text = "{\n ours\n Memcheck:Addr8\n obj:*/bb_pybind11*\n}\n\
                    {\n everything\n Memcheck:Cond\n obj:*\n}\n\
                    {\n numpy\n Memcheck:Leak\n fun:malloc\n obj:*/_multiarray_umath*.so\n}\n";
        let parsed = parse_suppressions(text).expect("valid");
        let names: Vec<&str> = hiding_ours(&parsed, &libraries())
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(names, vec!["ours", "everything"]);
    }

    #[test]
    fn the_projects_suppression_file_parses_and_hides_nothing_of_ours() {
        let path = crate::util::root().join("ci/valgrind-python.supp");
        let text = std::fs::read_to_string(&path).expect("ci/valgrind-python.supp is committed");
        let parsed = parse_suppressions(&text).expect("the committed file parses");
        assert!(!parsed.is_empty());
        let plan = crate::sanitize::plan(std::path::Path::new("/tmp/x"), false).expect("registry");
        let libs: Vec<(String, String)> = plan
            .bridges
            .iter()
            .flat_map(|b| b.libraries().into_iter().map(|l| (b.name.clone(), l)))
            .collect();
        assert!(
            libs.len() >= 10,
            "every native bridge has a library pattern"
        );
        let hiding: Vec<&str> = hiding_ours(&parsed, &libs)
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert!(
            hiding.is_empty(),
            "suppressions that could hide our errors: {hiding:?}"
        );
    }
}
