//! The committed C header must be exactly what cbindgen generates from the crate today.

use std::path::Path;

#[test]
fn committed_header_is_fresh() -> Result<(), String> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))?;
    // with_src parses just this crate's lib.rs: no `cargo metadata` run, and all exports live there.
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir.join("src/lib.rs"))
        .generate()
        .map_err(|e| format!("cbindgen: {e}"))?;
    let mut generated = Vec::new();
    bindings.write(&mut generated);

    let path = crate_dir.join("include/bb_c_abi.h");
    if std::env::var_os("BLESS").is_some() {
        return std::fs::write(&path, &generated).map_err(|e| format!("{}: {e}", path.display()));
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    if committed != generated {
        return Err(format!(
            "{} is stale (or missing): refresh it with `BLESS=1 cargo test -p c-abi --test header` \
             and commit it",
            path.display()
        ));
    }
    Ok(())
}
