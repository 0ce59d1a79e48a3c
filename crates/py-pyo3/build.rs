//! Gives the crate PyO3's cfgs (`Py_LIMITED_API`, `Py_3_11`, ...) for the interpreter and
//! features it is built for: lib.rs is also compiled against the stable ABI (the bridge
//! `pyo3-abi3`, crates/py-pyo3-abi3), which leaves out what that ABI lacks.

fn main() {
    pyo3_build_config::use_pyo3_cfgs();
}
