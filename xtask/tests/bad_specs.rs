//! Hostile and broken specs (`tests/bad-specs/<case>/`): each case is a
//! `spec/` folder and an `expect.txt`. Its first line is `exit 1` (the
//! command must fail, every further line must appear in what it prints,
//! naming file and JSON pointer, and the previous output must stay as it
//! was) or `exit 0` (the command must succeed, every further line must
//! appear in the generated Rust, and every generated file must parse).

// Tests fail by panicking, helpers included.
#![allow(clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/bad-specs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mms-bad-specs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The previous output every failing run must leave untouched.
const SENTINEL: &str = "previous output, not to be touched\n";

fn run_case(case: &Path) -> Result<(), String> {
    let name = case
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let expect = std::fs::read_to_string(case.join("expect.txt"))
        .map_err(|e| format!("{name}: expect.txt: {e}"))?;
    let mut lines = expect.lines().filter(|l| !l.is_empty());
    let want_ok = match lines.next() {
        Some("exit 0") => true,
        Some("exit 1") => false,
        other => {
            return Err(format!(
                "{name}: expect.txt must start with `exit 0` or `exit 1`, not {other:?}"
            ));
        }
    };
    let wanted: Vec<&str> = lines.collect();
    let work = scratch(&name);
    let out = work.join("out");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    std::fs::write(out.join("README.md"), SENTINEL).map_err(|e| e.to_string())?;
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["codegen", "--specs"])
        .arg(case.join("spec"))
        .arg("--out")
        .arg(&out)
        .args(["--crate-name", "bad-spec"])
        .output()
        .map_err(|e| format!("{name}: cannot run xtask: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let code = output.status.code();
    if want_ok {
        if code != Some(0) {
            return Err(format!("{name}: expected success, got {code:?}:\n{stderr}"));
        }
        let mut files = Vec::new();
        rust_files(&out, &mut files);
        let mut all = String::new();
        for f in &files {
            let text = std::fs::read_to_string(f).map_err(|e| e.to_string())?;
            syn::parse_file(&text)
                .map_err(|e| format!("{name}: {} does not parse: {e}", f.display()))?;
            all.push_str(&text);
        }
        for w in &wanted {
            if !all.contains(w) {
                return Err(format!("{name}: the generated Rust has no `{w}`"));
            }
        }
    } else {
        if code != Some(1) {
            return Err(format!("{name}: expected exit 1, got {code:?}:\n{stderr}"));
        }
        for w in &wanted {
            if !stderr.contains(w) {
                return Err(format!("{name}: expected `{w}` in:\n{stderr}"));
            }
        }
        let left: Vec<_> = std::fs::read_dir(&out)
            .map_err(|e| e.to_string())?
            .flatten()
            .map(|e| e.file_name())
            .collect();
        let sentinel = std::fs::read_to_string(out.join("README.md")).unwrap_or_default();
        if left.len() != 1 || sentinel != SENTINEL {
            return Err(format!("{name}: the previous output was touched: {left:?}"));
        }
        let siblings: Vec<_> = std::fs::read_dir(&work)
            .map_err(|e| e.to_string())?
            .flatten()
            .map(|e| e.file_name())
            .collect();
        if siblings.len() != 1 {
            return Err(format!(
                "{name}: staging folders were left behind: {siblings:?}"
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

#[test]
fn every_bad_spec_case_behaves_as_expected() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let failures: Vec<String> = cases.iter().filter_map(|c| run_case(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// A 50 MB spec (made here, not committed): read within the size limit,
/// without a crash; its bulk is `x-ms-examples`, which the loader drops.
#[test]
fn a_fifty_megabyte_spec_loads() {
    let work = scratch("fifty-mb");
    let spec = work.join("spec");
    std::fs::create_dir_all(&spec).unwrap_or_else(|e| panic!("{e}"));
    let filler = "x".repeat(1024);
    let mut examples = String::new();
    for i in 0..52_000 {
        if i > 0 {
            examples.push(',');
        }
        examples.push_str(&format!("\"example{i}\": \"{filler}\""));
    }
    let text = format!(
        r#"{{"swagger": "2.0", "info": {{"title": "big", "version": "1"}}, "paths": {{"/a": {{"get": {{"operationId": "Big_Get", "x-ms-examples": {{{examples}}}, "responses": {{"200": {{"description": "ok", "schema": {{"type": "string"}}}}}}}}}}}}}}"#
    );
    assert!(text.len() > 50 * 1024 * 1024, "{}", text.len());
    std::fs::write(spec.join("spec.json"), text).unwrap_or_else(|e| panic!("{e}"));
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["codegen", "--specs"])
        .arg(&spec)
        .arg("--out")
        .arg(work.join("out"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_dir_all(&work);
}
