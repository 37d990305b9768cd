//! Output is a function of the specs alone: the same bytes whatever the
//! working directory, the folder the specs sit in, or the order files are
//! found in; and no hash map's iteration order can reach it.

// Tests fail by panicking, helpers included.
#![allow(clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files_below(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_below(root, &path, out);
        } else {
            out.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
        }
    }
}

/// Copies `from` into `to`, creating the files in the given order (the
/// order a directory lists its entries in follows creation on most file
/// systems).
fn copy_in_order(from: &Path, to: &Path, reverse: bool) {
    let mut files = Vec::new();
    files_below(from, from, &mut files);
    if reverse {
        files.reverse();
    }
    for rel in files {
        let target = to.join(&rel);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::copy(from.join(&rel), &target).unwrap_or_else(|e| panic!("{e}"));
    }
}

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = Vec::new();
    files_below(dir, dir, &mut files);
    files
        .into_iter()
        .map(|rel| {
            let bytes = std::fs::read(dir.join(&rel)).unwrap_or_else(|e| panic!("{e}"));
            (rel, bytes)
        })
        .collect()
}

#[test]
fn same_output_from_any_folder_working_directory_and_discovery_order() {
    let base = std::env::temp_dir().join(format!("mms-determinism-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let a = base.join("first/specs");
    let b = base.join("second place/elsewhere/specs");
    copy_in_order(&repo().join("specs"), &a, false);
    copy_in_order(&repo().join("specs"), &b, true);
    let run = |specs: &Path, out: &Path, cwd: &Path| {
        let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["codegen", "--crate-name", "azureml-mms", "--specs"])
            .arg(specs)
            .arg("--out")
            .arg(out)
            .current_dir(cwd)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let out_a = base.join("out-a");
    let out_b = base.join("out-b");
    run(&a, &out_a, &base);
    run(&b, &out_b, &std::env::temp_dir());
    let first = snapshot(&out_a);
    assert_eq!(
        first,
        snapshot(&out_b),
        "output depends on where the specs are or how they were found"
    );
    // And it is what is checked in, but for how the runtime comes in: a
    // `--specs` crate embeds it (src/runtime/) where generated/ depends on
    // the runtime crate (its Cargo.toml and lib.rs say which).
    let checked_in = snapshot(&repo().join("generated"));
    let runtime_wiring = |k: &Path| {
        k.starts_with("src/runtime") || k == Path::new("Cargo.toml") || k == Path::new("src/lib.rs")
    };
    let differing: Vec<_> = first
        .iter()
        .filter(|(k, v)| !runtime_wiring(k) && checked_in.get(*k) != Some(v))
        .map(|(k, _)| k)
        .collect();
    assert!(first.keys().any(|k| k.starts_with("src/runtime")));
    assert!(
        differing.is_empty(),
        "differs from generated/: {differing:?}"
    );
    // A second run changes nothing.
    run(&a, &out_a, &b);
    assert_eq!(first, snapshot(&out_a));
    let _ = std::fs::remove_dir_all(&base);
}

/// Hash maps iterate in an order that changes from run to run; the
/// generator uses ordered maps and sets only.
#[test]
fn the_generator_uses_no_hash_maps() {
    let src = repo().join("xtask/src");
    let mut files = Vec::new();
    files_below(&src, &src, &mut files);
    for rel in files {
        let text = std::fs::read_to_string(src.join(&rel)).unwrap_or_default();
        for word in ["HashMap", "HashSet"] {
            assert!(!text.contains(word), "{} uses {word}", rel.display());
        }
    }
}

/// Large files are formatted a few items at a time, on several threads
/// (`emit::rust::format_pieces`); the bytes must be those of formatting
/// each file whole. Checked on our specs and on a synthetic spec whose
/// files span many pieces.
#[test]
fn files_formatted_in_pieces_equal_files_formatted_whole() {
    let synthetic = std::env::temp_dir().join(format!("mms-pieces-{}", std::process::id()));
    let surface = synthetic.join("synthetic");
    std::fs::create_dir_all(&surface).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        surface.join("synthetic.json"),
        xtask::synthetic::spec(300, 7),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    for specs in [repo().join("specs"), synthetic.clone()] {
        let settings = xtask::codegen::Settings::standalone(specs, synthetic.join("out"), "pieces");
        let (_, files) = xtask::codegen::generate(&settings).unwrap_or_else(|e| panic!("{e}"));
        let mut checked = 0;
        for (path, text) in &files {
            let Some(body) = text.strip_prefix(
                "// Generated by `cargo xtask codegen` from the specs: do not edit.\n\n",
            ) else {
                continue;
            };
            let whole = syn::parse_file(body).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(
                prettyplease::unparse(&whole) == body,
                "{path} differs from formatting it whole"
            );
            checked += 1;
        }
        assert!(checked >= 4, "{checked} files checked");
    }
    let _ = std::fs::remove_dir_all(&synthetic);
}
