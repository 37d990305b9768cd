//! Helpers shared by the test targets in this folder.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn repo_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| here.to_path_buf())
}

/// The IR of the project's own `specs/`, as `cargo xtask codegen` builds it.
pub fn specs_api() -> xtask::ir::Api {
    xtask::codegen::build_api(&repo_root().join("specs"), "azureml-mms")
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Every file under `dir` whose extension is one of `exts`, sorted.
pub fn files_with_extension(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| exts.contains(&e))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Runs the external validator (PyPI `openapi-spec-validator`) on `files`;
/// panics with its output unless every file is OK. A validator that is
/// neither on PATH nor installable (`xtask::python_tools`) is a failure,
/// never a skip.
pub fn validate_openapi(files: &[PathBuf]) {
    let (validator, mut command) = match std::env::var("OPENAPI_SPEC_VALIDATOR") {
        Ok(v) => (v.clone(), Command::new(v)),
        Err(_) => (
            "openapi-spec-validator".to_string(),
            xtask::python_tools::python_tools()
                .and_then(|t| t.command("openapi-spec-validator"))
                .unwrap_or_else(|e| panic!("the OpenAPI validator is not available: {e}")),
        ),
    };
    let output = command
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{validator}`: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{validator} rejected a spec:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for file in files {
        let line = format!("{}: OK", file.display());
        assert!(stdout.contains(&line), "no `{line}` in:\n{stdout}");
    }
}
/// Runs cargo in `dir` with its own target folder (the outer `cargo test`
/// holds the lock on ours), failing the test with cargo's output.
pub fn cargo(args: &[&str], dir: &Path, target: &Path) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(&cargo)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cargo}: {e}"));
    assert!(
        output.status.success(),
        "`cargo {}` failed in {}:\n{}",
        args.join(" "),
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

pub mod fault_server;
pub mod recorder;
pub mod workflow;
