//! Compiles in every document `cargo xtask codegen` wrote to
//! `generated/openapi/`, one per surface, without a list to keep: the
//! emulator checks request bodies against them.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    // Where cargo runs this script from (read at run time, not baked in
    // when the script was compiled: a cached script may serve a checkout
    // elsewhere).
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_string());
    let dir = Path::new(&manifest_dir).join("../generated/openapi");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .filter_map(|n| n.strip_suffix(".yaml").map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    // Sorted: the same source whatever order the file system lists.
    names.sort();
    if names.is_empty() {
        println!(
            "cargo:warning=no documents in {}: run `cargo xtask codegen`",
            dir.display()
        );
        std::process::exit(1);
    }
    let mut out = String::from("&[\n");
    for name in &names {
        let path = dir.join(format!("{name}.yaml"));
        let _ = writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("]\n");
    let target = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("documents.rs");
    if let Err(e) = std::fs::write(&target, out) {
        println!("cargo:warning=cannot write {}: {e}", target.display());
        std::process::exit(1);
    }
}
