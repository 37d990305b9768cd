//! Examples as tests: the fixtures under `tests/fixtures/examples/` (one
//! behaviour each: every parameter location, enums and unions, date-times
//! and maps, long-running operations with their final bodies, pages, error
//! answers, broken examples) become the replay tests of a generated crate.
//! Snapshots of what the generator makes of them, then the crate's replays
//! run through `cargo xtask conformance`'s own machinery, each outcome
//! asserted.

use std::path::PathBuf;

use azureml_mms::account::AccountClient;
use mms_tests::repo_root;
use xtask::codegen;

// The replay harness every generated crate's tests use, compiled here
// against our own crate (its unit tests run here too).
use azureml_mms as krate;
#[path = "../templates/replay/mod.rs"]
mod replay;

fn fixtures() -> PathBuf {
    repo_root().join("tests/fixtures/examples")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
}

#[test]
fn examples_ir_and_emitted_tests_snapshots() {
    let api =
        codegen::build_api(&fixtures(), "examples-fixtures").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        api.surfaces.len(),
        11,
        "one surface per entry document: one per folder, two in vault/"
    );
    for surface in &api.surfaces {
        let examples: Vec<_> = surface
            .operations
            .iter()
            .map(|op| (&op.operation_id, &op.examples))
            .collect();
        insta::assert_yaml_snapshot!(format!("{}-examples", surface.feature), examples);
    }
    let files = xtask::emit::emit(&api).unwrap_or_else(|e| panic!("{e}"));
    let tests = files
        .get("tests/examples.rs")
        .unwrap_or_else(|| panic!("tests/examples.rs was not emitted"));
    insta::assert_snapshot!("examples.rs", tests);
    assert!(files.contains_key("tests/replay/mod.rs"));
}

#[test]
fn broken_examples_are_warnings_not_errors() {
    let api =
        codegen::build_api(&fixtures(), "examples-fixtures").unwrap_or_else(|e| panic!("{e}"));
    let warnings: Vec<String> = api.warnings.iter().map(ToString::to_string).collect();
    let missing = warnings
        .iter()
        .find(|w| w.contains("A file that is not there"))
        .unwrap_or_else(|| panic!("no warning for the missing file: {warnings:#?}"));
    assert!(
        missing.starts_with("broken/spec.json#/paths/~1notes~1{noteName}/put/x-ms-examples/"),
        "{missing}"
    );
    assert!(
        missing.contains("`./examples/Missing.json` does not exist"),
        "{missing}"
    );
    let extra = warnings
        .iter()
        .find(|w| w.contains("`monitor`"))
        .unwrap_or_else(|| panic!("no warning for the unknown parameter: {warnings:#?}"));
    assert!(
        extra.starts_with("broken/examples/Notes_Put_Extra.json#/parameters/monitor"),
        "{extra}"
    );
    // The example that contradicts its spec is kept, with the check's
    // findings, and its test is generated (ignored by default).
    let notes = api
        .surfaces
        .iter()
        .flat_map(|s| &s.operations)
        .find(|op| op.operation_id == "Notes_Put")
        .unwrap_or_else(|| panic!("no Notes_Put"));
    assert_eq!(notes.examples.len(), 2, "the missing file is skipped");
    let wrong = notes
        .examples
        .iter()
        .find(|e| e.name == "A body that contradicts the spec")
        .unwrap_or_else(|| panic!("the contradicting example is gone"));
    let parts: Vec<&str> = wrong.findings.iter().map(|f| f.part.as_str()).collect();
    assert!(
        parts.iter().all(|p| *p == "response 200"),
        "{:#?}",
        wrong.findings
    );
    let messages: Vec<&str> = wrong.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(
        messages.iter().any(|m| m.contains("author")),
        "{messages:?}"
    );
    assert!(messages.iter().any(|m| m.contains("green")), "{messages:?}");
}

/// Clients are named from `info.title`; entry documents of one title are
/// one client whose clashing method names are told apart by module; the
/// client-level and host parameters are the constructor's alone.
#[test]
fn titles_name_clients_and_client_parameters_are_given_once() {
    let api =
        codegen::build_api(&fixtures(), "examples-fixtures").unwrap_or_else(|e| panic!("{e}"));
    let surface = |module: &str| {
        api.surfaces
            .iter()
            .find(|s| s.module == module)
            .unwrap_or_else(|| panic!("no surface `{module}`"))
    };
    let [shared] = api.shared_clients.as_slice() else {
        panic!("one shared client expected: {:#?}", api.shared_clients);
    };
    assert_eq!(shared.name, "KeyStoreClient");
    let members: Vec<&str> = shared
        .members
        .iter()
        .map(|&i| api.surfaces[i].module.as_str())
        .collect();
    assert_eq!(members, ["keys", "secrets"]);
    let groups: Vec<&str> = shared.groups.iter().map(|g| g.ty.as_str()).collect();
    assert_eq!(groups, ["ItemsClient"]);
    for module in ["keys", "secrets"] {
        let s = surface(module);
        assert_eq!(s.client, "KeyStoreClient");
        let mut names: Vec<(&str, &str)> = s
            .operations
            .iter()
            .map(|op| (op.operation_id.as_str(), op.name.as_str()))
            .collect();
        names.sort_unstable();
        let plural = module;
        let get = format!("get_{plural}");
        let info = format!("get_info_{plural}");
        let list_id = if module == "keys" {
            "Items_ListKeys"
        } else {
            "Items_ListSecrets"
        };
        let list = format!("list_{plural}");
        assert_eq!(
            names,
            [
                ("GetInfo", info.as_str()),
                ("Items_Get", get.as_str()),
                (list_id, list.as_str()),
            ]
        );
    }
    // Each document keeps its own `Item`; the common definitions are one.
    assert!(surface("keys").types.iter().any(|t| t.name == "Item"));
    assert!(surface("secrets").types.iter().any(|t| t.name == "Item"));
    for module in ["keys", "secrets"] {
        assert!(
            !surface(module).types.iter().any(|t| t.name == "Attributes"),
            "`Attributes` of common.json is generated once, not in `{module}`"
        );
    }

    let hosted = surface("hosted");
    assert_eq!(hosted.client, "HostedWidgetsClient");
    let client: Vec<&str> = hosted
        .client_params
        .iter()
        .map(|p| p.rust_name.as_str())
        .collect();
    assert_eq!(client, ["subscription_id"]);
    let host = hosted
        .host
        .as_ref()
        .unwrap_or_else(|| panic!("no host template"));
    assert_eq!(host.template, "{accountName}.{dnsSuffix}");
    let host_params: Vec<(&str, Option<&str>)> = host
        .params
        .iter()
        .map(|p| (p.rust_name.as_str(), p.default.as_deref()))
        .collect();
    assert_eq!(
        host_params,
        [
            ("account_name", None),
            ("dns_suffix", Some("example.invalid"))
        ]
    );
    let [get] = hosted.operations.as_slice() else {
        panic!("one operation expected");
    };
    let params: Vec<(&str, bool)> = get
        .params
        .iter()
        .map(|p| (p.wire_name.as_str(), p.required))
        .collect();
    assert_eq!(params, [("widgetName", true), ("color", false)]);
    assert_eq!(get.client_params, ["subscription_id"]);
}

/// What the generator keeps as JSON is counted, by kind, for the
/// conformance report: here the one free-form object of `dates-and-maps`.
#[test]
fn places_kept_as_json_are_counted() {
    let api =
        codegen::build_api(&fixtures(), "examples-fixtures").unwrap_or_else(|e| panic!("{e}"));
    let counted: Vec<(&str, &str, usize)> = api
        .surfaces
        .iter()
        .flat_map(|s| {
            s.untyped
                .iter()
                .map(move |(kind, n)| (s.module.as_str(), kind.as_str(), *n))
        })
        .collect();
    assert_eq!(
        counted,
        [(
            "dates_and_maps",
            "free-form object (a map of JSON values)",
            1
        )]
    );
}

/// The fixture crate, generated, built and replayed: every example passes
/// but the one that contradicts its spec, which the independent check
/// classifies `bad-example`; the crate lints clean and its doc tests pass.
#[test]
fn fixture_examples_replay_in_a_generated_crate() {
    let options = xtask::conformance::Options {
        specs: fixtures(),
        work: target_dir().join("examples-fixtures"),
        only: Vec::new(),
        lock: Some(repo_root().join("Cargo.lock")),
        // The codegen fixture crate's target: the same dependencies, built once.
        target: Some(target_dir().join("codegen-fixtures/target")),
        whole: true,
        wrapper: None,
    };
    let report = xtask::conformance::run(&options).unwrap_or_else(|e| panic!("{e}"));
    let folder = report
        .folders
        .first()
        .unwrap_or_else(|| panic!("no folder in the report"));
    let failures: Vec<String> = folder
        .failures
        .iter()
        .map(|f| format!("{} [{}] {}: {}", f.test, f.cause, f.part, f.message))
        .collect();
    assert_eq!(folder.examples, 22, "{failures:#?}");
    assert_eq!(folder.passed, 21, "{failures:#?}");
    let [only] = folder.failures.as_slice() else {
        panic!("one failure expected: {failures:#?}");
    };
    assert_eq!(only.example, "A body that contradicts the spec");
    assert_eq!(only.cause, "bad-example");
    assert_eq!(only.part, "response 200");
    assert!(only.message.contains("author"), "{}", only.message);
    assert_eq!(folder.clippy_findings, 0, "{:#?}", folder.clippy);
    assert_eq!(folder.doc_test_failures, 0);
    let table = xtask::conformance::table(&report);
    assert!(table.contains("| 22 | 21 |"), "{table}");
    assert!(
        folder.clients.iter().any(|c| c == "KeyStoreClient"),
        "{:?}",
        folder.clients
    );
}

/// A shared client exists with any one of its documents' features, each
/// group with any of the features of the documents that have it: the crate
/// lints clean with `keys` alone, and with `hosted` alone (no shared
/// client at all).
#[test]
fn shared_clients_build_with_any_one_member_feature() {
    let out = std::env::temp_dir().join(format!("examples-features-{}", std::process::id()));
    let settings =
        xtask::codegen::Settings::standalone(fixtures(), out.clone(), "examples-fixtures");
    codegen::run(&settings).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::copy(repo_root().join("Cargo.lock"), out.join("Cargo.lock"));
    let target = target_dir().join("codegen-fixtures/target");
    for feature in ["keys", "hosted"] {
        mms_tests::cargo(
            &[
                "clippy",
                "--all-targets",
                "--quiet",
                "--no-default-features",
                "--features",
                feature,
                "--",
                "-D",
                "warnings",
            ],
            &out,
            &target,
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}

/// A script as the generator writes one, for `Models_Get` of our own
/// account surface, with `response` as the example's 200 body and `id` as
/// the example's path value.
fn models_get(id: &str, response: serde_json::Value) -> String {
    serde_json::json!({
        "operation": "Models_Get", "example": "Get a model", "file": "inline.json",
        "endpoint": "https://example.invalid", "kind": "plain",
        "parameters": {"subscriptionId": "s", "resourceGroupName": "rg", "accountName": "a", "id": id},
        "request": {"method": "GET",
            "path": ["api", "subscriptions", "s", "resourceGroups", "rg", "accounts", "a", "models", id],
            "query": [["api-version", "2017-09-01-preview"]]},
        "responses": [{"key": "200", "status": 200, "body": response}]
    })
    .to_string()
}

async fn replay_models_get(script: &str) -> Result<(), replay::Failure> {
    let example = replay::Example::parse(script)?;
    for replay in example.replays() {
        let client = AccountClient::new(
            replay.endpoint(),
            replay.credential(),
            Some(replay.options()),
        )?;
        let result = client
            .account("s", "rg", "a")
            .models()
            .get("m1", None)
            .await;
        replay.check_plain(result)?;
    }
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn the_harness_passes_a_faithful_replay_and_names_each_difference() {
    let model = serde_json::json!({"id": "m1", "name": "churn", "mimeType": "application/zip",
        "url": "https://x/model.pkl", "createdAt": "2017-08-28T12:00:00.0000000Z", "version": 2});
    if let Err(e) = replay_models_get(&models_get("m1", model.clone())).await {
        panic!("a faithful replay failed: {e:?}");
    }

    // The client calls for `m1`; the example says `m2`.
    let failure = replay_models_get(&models_get("m2", model.clone()))
        .await
        .expect_err("the path differs");
    assert_eq!(failure.cause, replay::Cause::RequestMismatch);
    assert_eq!(failure.part, "request");
    assert!(
        failure.message.contains("path: sent /api/subscriptions/s/resourceGroups/rg/accounts/a/models/m1, example /api/subscriptions/s/resourceGroups/rg/accounts/a/models/m2"),
        "{}",
        failure.message
    );

    // A member the model does not have is lost on the way through it.
    let mut extra = model.clone();
    extra["framework"] = serde_json::json!("onnx");
    let failure = replay_models_get(&models_get("m1", extra))
        .await
        .expect_err("the member is dropped");
    assert_eq!(failure.cause, replay::Cause::ResponseLoss);
    assert_eq!(failure.part, "response 200");
    assert_eq!(
        failure.message,
        "body.framework: decoded absent, example \"onnx\""
    );

    // A value the model cannot hold fails to decode, named by its path.
    let mut wrong = model;
    wrong["version"] = serde_json::json!("two");
    let failure = replay_models_get(&models_get("m1", wrong))
        .await
        .expect_err("the version is not a number");
    assert_eq!(failure.cause, replay::Cause::DecodeError);
    assert!(
        failure.message.contains("at `version`"),
        "{}",
        failure.message
    );
    let shown = format!("{failure:?}");
    assert!(
        shown.starts_with("[decode-error] response 200: "),
        "{shown}"
    );
    assert!(
        shown.ends_with("in inline.json (Models_Get, example `Get a model`)"),
        "{shown}"
    );
}
