//! Peers nobody here wrote, against the emulator and our published
//! documents (`generated/openapi/*.yaml`):
//!
//! - openapi-python-client generates a Python client from each document and
//!   a short scenario (`tests/peers/scenario.py`) runs through it;
//! - schemathesis sends bounded generated requests to every operation of
//!   every document and fails on any 5xx or any answer the document does not
//!   allow (status, content type, headers, body schema).
//!
//! Both tools come from `.ci/requirements.txt`; a missing one fails the
//! test, it never skips.

// Tests fail by panicking, helpers included.
#![allow(clippy::panic)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mms_emulator::{Config, Running};

const TOKEN: &str = "peer-token";
/// Every surface the crate has: its documents are in generated/openapi/.
fn surfaces() -> impl Iterator<Item = &'static str> {
    azureml_mms::SURFACES.iter().map(|s| s.feature)
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The tool on PATH, or installed for the tests (`xtask::python_tools`);
/// a failure, never a skip, when neither can be.
fn tool(name: &str) -> Command {
    xtask::python_tools::python_tools()
        .and_then(|tools| tools.command(name))
        .unwrap_or_else(|e| panic!("the peer checks need `{name}`: {e}"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mms-peers-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

async fn emulator() -> Running {
    mms_emulator::start(Config {
        tokens: vec![TOKEN.into()],
        ..Default::default()
    })
    .await
    .unwrap_or_else(|e| panic!("start: {e}"))
}

/// Runs a command off the async threads (the emulator serves on them).
async fn run(what: String, mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || {
        command
            .output()
            .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_generated_from_our_documents_runs_a_scenario() {
    let root = repo_root();
    let out = scratch("python");
    // Every document must generate, not only the ones the scenario uses.
    for surface in surfaces() {
        let package = format!("{}_client", surface.replace('-', "_"));
        let mut command = tool("openapi-python-client");
        command
            .arg("generate")
            .arg("--path")
            .arg(root.join(format!("generated/openapi/{surface}.yaml")))
            .arg("--output-path")
            .arg(out.join(&package))
            .args(["--meta", "none", "--overwrite", "--config"])
            .arg(root.join("emulator/tests/peers/openapi-python-client.yaml"))
            .current_dir(&out);
        let output = run(format!("generate {surface}"), command).await;
        let log = text(&output);
        assert!(
            output.status.success(),
            "openapi-python-client on {surface}.yaml failed:\n{log}"
        );
        // It reports what it could not model as warnings and still exits 0.
        assert!(
            !log.contains("Warning") && !log.contains("Error"),
            "openapi-python-client on {surface}.yaml warned:\n{log}"
        );
    }

    let emulator = emulator().await;
    let mut command = tool("python3");
    command
        .arg(root.join("emulator/tests/peers/scenario.py"))
        .arg(emulator.base_url())
        .arg(TOKEN)
        .env("PYTHONPATH", &out)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .current_dir(&out);
    let output = run("scenario".into(), command).await;
    let log = text(&output);
    println!("{log}");
    assert!(output.status.success(), "python scenario failed:\n{log}");
    assert!(log.contains("python peer: scenario passed"), "{log}");
    emulator.shutdown().await;
    let _ = std::fs::remove_dir_all(&out);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_and_no_answer_outside_the_documents() {
    let root = repo_root();
    let out = scratch("schemathesis");
    let emulator = emulator().await;
    let mut failures = Vec::new();
    for surface in surfaces() {
        let mut command = tool("schemathesis");
        command
            .arg("run")
            .arg(root.join(format!("generated/openapi/{surface}.yaml")))
            .args(["--url", emulator.base_url()])
            .args(["--header", &format!("Authorization: Bearer {TOKEN}")])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,\
                 response_headers_conformance,response_schema_conformance",
            ])
            // Bounded and reproducible: ten cases per operation and phase,
            // a fixed seed, no example database carried between runs.
            .args(["--max-examples", "10", "--seed", "20261122"])
            .args(["--generation-database", "none"])
            .args(["--phases", "examples,coverage,fuzzing"])
            // One worker: Python 3.11's parser is not thread-safe, and
            // hypothesis parses lambdas while generating.
            .args(["--workers", "1", "--request-timeout", "10", "--no-color"])
            .current_dir(&out);
        let output = run(format!("schemathesis {surface}"), command).await;
        let log = text(&output);
        let summary = log
            .lines()
            .rev()
            .find(|l| l.starts_with("===") && l.contains(" in "))
            .unwrap_or("(no summary)")
            .to_string();
        // Straight to stderr, past the harness's capture: CI logs show it.
        let _ = writeln!(std::io::stderr(), "schemathesis {surface}: {summary}");
        if !output.status.success() {
            failures.push(format!("── {surface}.yaml ──\n{log}"));
        }
    }
    emulator.shutdown().await;
    let _ = std::fs::remove_dir_all(&out);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
