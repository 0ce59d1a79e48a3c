//! The table and the registry must agree both ways: a registered Rust-side
//! bridge without a row (or without a cell it registers) fails, and so does a
//! row or cell that benches/bridges.toml does not declare.

use std::collections::{BTreeMap, BTreeSet};

#[test]
fn table_matches_registry() -> Result<(), String> {
    let registered: BTreeMap<String, BTreeSet<String>> = spec::bridges()?
        .into_iter()
        .filter(|b| b.side == "rust")
        .map(|b| (b.module, b.cells.into_iter().collect()))
        .collect();
    assert!(
        !registered.is_empty(),
        "the registry has no Rust-side bridge"
    );

    let mut table = BTreeMap::new();
    for row in rust_side::BRIDGES {
        let cells: BTreeSet<String> = row.cells().into_iter().map(String::from).collect();
        assert!(
            table.insert(row.module.to_string(), cells).is_none(),
            "two rows for {:?}",
            row.module
        );
    }

    assert_eq!(
        table.keys().collect::<Vec<_>>(),
        registered.keys().collect::<Vec<_>>(),
        "table rows vs registry modules (side = \"rust\")"
    );
    for (module, cells) in &registered {
        assert_eq!(
            table.get(module),
            Some(cells),
            "cells of {module:?}: table vs registry"
        );
    }
    Ok(())
}

#[test]
fn table_cells_are_kernel_cells() -> Result<(), String> {
    // The table's cell names must be real cells of benches/kernels/*.toml, so a
    // renamed cell cannot leave the table matching a stale registry.
    let known: BTreeSet<String> = spec::all_cells()?.into_iter().collect();
    for row in rust_side::BRIDGES {
        for cell in row.cells() {
            assert!(
                known.contains(cell),
                "{}: unknown cell {cell:?}",
                row.module
            );
        }
    }
    Ok(())
}

#[test]
fn lookup_by_module() {
    for row in rust_side::BRIDGES {
        assert_eq!(
            rust_side::bridge(row.module).map(|b| b.module),
            Some(row.module)
        );
    }
    assert!(rust_side::bridge("no-such-bridge").is_none());
}

#[test]
fn the_floor_row_is_the_registrys_floor() -> Result<(), String> {
    let floors: Vec<String> = spec::bridges()?
        .into_iter()
        .filter(|b| b.side == "rust" && b.floor)
        .map(|b| b.module)
        .collect();
    assert_eq!(
        floors,
        [rust_side::floor().module],
        "benches/bridges.toml floor = true"
    );
    Ok(())
}
