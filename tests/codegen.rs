//! The generator's output: snapshots of the IR and of the Rust emitted for
//! every fixture under `tests/fixtures/codegen/` (one per construct), a
//! snapshot of the normalized IR of our own specs, the crate built from the
//! fixtures compiled and linted, and `generated/` checked for staleness.

use std::path::PathBuf;

use mms_tests::repo_root;
use xtask::codegen::{self, Settings};

fn fixtures() -> PathBuf {
    repo_root().join("tests/fixtures/codegen")
}

/// How many fixtures there are: one folder each.
fn fixture_folders() -> usize {
    std::fs::read_dir(fixtures())
        .unwrap_or_else(|e| panic!("{}: {e}", fixtures().display()))
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().is_dir()))
        .count()
}

#[test]
fn fixture_ir_and_rust_snapshots() {
    let api = codegen::build_api(&fixtures(), "codegen-fixtures").unwrap_or_else(|e| panic!("{e}"));
    let files = xtask::emit::emit(&api).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        api.surfaces.len(),
        fixture_folders(),
        "one surface per fixture folder"
    );
    for surface in &api.surfaces {
        let name = &surface.feature;
        insta::assert_yaml_snapshot!(format!("{name}-ir"), surface);
        for file in ["mod.rs", "models.rs"] {
            let path = format!("src/{}/{file}", surface.module);
            let text = files
                .get(&path)
                .unwrap_or_else(|| panic!("{path} was not emitted"));
            insta::assert_snapshot!(format!("{name}-{file}"), text);
        }
    }
}

#[test]
fn normalized_ir_of_our_specs() {
    insta::assert_yaml_snapshot!("specs-ir", mms_tests::specs_api());
}

#[test]
fn generated_crate_is_not_stale() {
    let summary =
        codegen::check(&Settings::for_repo(&repo_root())).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        summary.changed.is_empty(),
        "generated/ is stale; run `cargo xtask codegen`:\n{}",
        summary.changed.join("\n")
    );
    assert_eq!(summary.operations, 70);
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
}

/// Every fixture, generated as one standalone crate (a feature each), must
/// build on its own with crates.io dependencies, lint clean and pass its
/// own tests; its normalized documents must validate.
#[test]
fn fixture_crate_compiles_and_lints_clean() {
    let work = target_dir().join("codegen-fixtures");
    // Outside this repository: a crate below our workspace would be taken
    // for one of its members.
    let out = std::env::temp_dir().join(format!("codegen-fixtures-{}", std::process::id()));
    let settings = Settings::standalone(fixtures(), out.clone(), "codegen-fixtures");
    codegen::run(&settings).unwrap_or_else(|e| panic!("{e}"));
    // Behaviour the snapshots only show: typed status documents read their
    // state where the runtime reads an untyped one's.
    std::fs::create_dir_all(out.join("tests"))
        .and_then(|()| std::fs::write(out.join("tests/polled_status.rs"), POLLED_STATUS_TEST))
        .unwrap_or_else(|e| panic!("writing the status test: {e}"));
    // A separate target folder: the outer `cargo test` holds the lock on ours.
    let target = work.join("target");
    mms_tests::cargo(
        &["clippy", "--all-targets", "--quiet", "--", "-D", "warnings"],
        &out,
        &target,
    );
    mms_tests::cargo(&["test", "--quiet"], &out, &target);
    let docs = mms_tests::files_with_extension(&out.join("openapi"), &["yaml"]);
    assert_eq!(
        docs.len(),
        fixture_folders(),
        "one OpenAPI document per surface"
    );
    mms_tests::validate_openapi(&docs);
    let _ = std::fs::remove_dir_all(&out);
}

/// Run inside the fixture crate, beside its own tests.
const POLLED_STATUS_TEST: &str = r##"
use azure_core::http::poller::PollerStatus;
use codegen_fixtures::OperationStatus as _;
use codegen_fixtures::polled_status::models::{DeploymentStatus, RestartStatus};

fn status<T: serde::de::DeserializeOwned>(json: &str) -> T {
    serde_json::from_str(json).expect("a status document")
}

#[test]
fn a_nested_provisioning_state_is_the_state() {
    let s: DeploymentStatus = status(r#"{"properties":{"provisioningState":"Succeeded"}}"#);
    assert!(matches!(s.poller_status(), PollerStatus::Succeeded));
    let s: DeploymentStatus = status(r#"{"properties":{"provisioningState":"Creating"}}"#);
    assert!(matches!(s.poller_status(), PollerStatus::InProgress));
    let s: DeploymentStatus = status(r#"{"properties":{}}"#);
    assert!(matches!(s.poller_status(), PollerStatus::InProgress));
}

#[test]
fn a_top_level_status_comes_first_and_the_nested_state_stands_in() {
    let s: RestartStatus =
        status(r#"{"status":"Failed","properties":{"provisioningState":"Succeeded"}}"#);
    assert!(matches!(s.poller_status(), PollerStatus::Failed));
    let s: RestartStatus = status(r#"{"properties":{"provisioningState":"Canceled"}}"#);
    assert!(matches!(s.poller_status(), PollerStatus::Canceled));
    let s: RestartStatus = status(r#"{"resourceLocation":"https://example.invalid/d/1"}"#);
    assert!(matches!(s.poller_status(), PollerStatus::InProgress));
    assert_eq!(s.resource_location(), Some("https://example.invalid/d/1"));
}
"##;
