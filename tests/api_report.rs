//! The API report `cargo xtask codegen` prints: regenerating with
//! unchanged specs changes nothing; a spec change is judged for the wire
//! and for Rust users against the `api.json` the last generation left.

use std::path::{Path, PathBuf};

use mms_tests::repo_root;
use serde_json::{Value, json};
use xtask::api::Bump;
use xtask::codegen::{self, Settings};

/// A scratch copy of the widgets spec, and the crate's output folder.
fn scratch(name: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("api-report-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let specs = dir.join("specs/widgets");
    std::fs::create_dir_all(&specs).unwrap_or_else(|e| panic!("{e}"));
    let from = repo_root().join("tests/fixtures/api-report/widgets/spec.json");
    std::fs::copy(from, specs.join("spec.json")).unwrap_or_else(|e| panic!("{e}"));
    (dir.join("specs"), dir.join("out"))
}

fn edit_spec(specs: &Path, change: impl FnOnce(&mut Value)) {
    let path = specs.join("widgets/spec.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut spec: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    change(&mut spec);
    std::fs::write(&path, spec.to_string()).unwrap_or_else(|e| panic!("{e}"));
}

fn generate(specs: &Path, out: &Path) -> Option<xtask::api::Report> {
    let settings = Settings::standalone(specs.to_path_buf(), out.to_path_buf(), "widgets");
    codegen::run(&settings)
        .unwrap_or_else(|e| panic!("{e}"))
        .api_change
}

#[test]
fn unchanged_specs_report_no_api_change() {
    let (specs, out) = scratch("same");
    assert!(
        generate(&specs, &out).is_none(),
        "nothing to compare with yet"
    );
    let report = generate(&specs, &out).unwrap_or_else(|| panic!("api.json was written"));
    assert!(report.changes.is_empty(), "{report}");
    assert_eq!(report.to_string(), "no API change\n");
}

#[test]
fn an_optional_response_field_is_one_compatible_addition_and_a_minor_bump() {
    let (specs, out) = scratch("field");
    generate(&specs, &out);
    edit_spec(&specs, |spec| {
        spec["definitions"]["Widget"]["properties"]["color"] =
            json!({"type": "string", "description": "Its color."});
    });
    let report = generate(&specs, &out).unwrap_or_else(|| panic!("a report"));
    let [change] = report.changes.as_slice() else {
        panic!("one change expected:\n{report}");
    };
    assert!(!change.rust_breaking && !change.wire.breaking, "{report}");
    assert_eq!(change.wire.rule, Some("1041 AddedPropertyInResponse"));
    assert_eq!(report.bump, Bump::Minor);
    assert_eq!(
        (report.from.as_str(), report.to.as_str()),
        ("0.1.0", "0.1.1")
    );
}

#[test]
fn a_required_request_field_is_breaking_and_a_major_bump() {
    let (specs, out) = scratch("required");
    generate(&specs, &out);
    edit_spec(&specs, |spec| {
        let request = &mut spec["definitions"]["WidgetRequest"];
        request["properties"]["color"] = json!({"type": "string", "description": "Its color."});
        request["required"] = json!(["size", "color"]);
    });
    let report = generate(&specs, &out).unwrap_or_else(|| panic!("a report"));
    let [change] = report.changes.as_slice() else {
        panic!("one change expected:\n{report}");
    };
    assert!(change.rust_breaking && change.wire.breaking, "{report}");
    assert_eq!(change.wire.rule, Some("1034 AddedRequiredProperty"));
    assert_eq!((report.bump, report.to.as_str()), (Bump::Major, "0.2.0"));
}

#[test]
fn with_changelog_the_changes_go_under_unreleased_and_stay() {
    let (specs, out) = scratch("changelog");
    generate(&specs, &out);
    edit_spec(&specs, |spec| {
        spec["definitions"]["Widget"]["properties"]["color"] =
            json!({"type": "string", "description": "Its color."});
    });
    let mut settings = Settings::standalone(specs.clone(), out.clone(), "widgets");
    settings.changelog = true;
    codegen::run(&settings).unwrap_or_else(|e| panic!("{e}"));
    let changelog = std::fs::read_to_string(out.join("CHANGELOG.md"))
        .unwrap_or_else(|e| panic!("CHANGELOG.md: {e}"));
    assert!(
        changelog.contains(
            "## [Unreleased]\n\nNext version: 0.1.1 (from 0.1.0: additions only).\n\n### Added\n\n- `spec::models::Widget.color`: optional field added (String)\n"
        ),
        "{changelog}"
    );
    // The maintainer's file: kept by a regeneration without the flag, and
    // not stale.
    edit_spec(&specs, |spec| {
        spec["definitions"]["Widget"]["properties"]["shape"] =
            json!({"type": "string", "description": "Its shape."});
    });
    settings.changelog = false;
    let summary = codegen::run(&settings).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !summary.changed.iter().any(|c| c.contains("CHANGELOG")),
        "{:?}",
        summary.changed
    );
    let kept = std::fs::read_to_string(out.join("CHANGELOG.md")).unwrap_or_default();
    assert_eq!(kept, changelog);
    assert!(
        codegen::check(&settings)
            .unwrap_or_else(|e| panic!("{e}"))
            .changed
            .is_empty()
    );
}

/// Every edit of `tests/fixtures/api-edits/`: the report finds the change
/// and judges it as `expect.json` says.
#[test]
fn every_edit_of_the_suite_is_judged_as_expected() {
    let suite = repo_root().join("tests/fixtures/api-edits");
    let manifest = |dir: &Path| {
        let api = codegen::build_api(dir, "gadgets").unwrap_or_else(|e| panic!("{e}"));
        xtask::api::manifest(&api)
    };
    let base = manifest(&suite.join("base"));
    let mut edits: Vec<PathBuf> = std::fs::read_dir(&suite)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("expect.json").is_file())
        .collect();
    edits.sort();
    assert!(edits.len() >= 20, "{} edits", edits.len());
    let mut failures = Vec::new();
    for edit in &edits {
        let name = edit.file_name().unwrap_or_default().to_string_lossy();
        let expect: Value = serde_json::from_str(
            &std::fs::read_to_string(edit.join("expect.json")).unwrap_or_else(|e| panic!("{e}")),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let report = xtask::api::diff(&base, &manifest(&edit.join("new")));
        let rule = expect["rule"].as_str();
        let mentions = expect["mentions"].as_str().unwrap_or_default();
        let found = report
            .changes
            .iter()
            .find(|c| c.what.contains(mentions) && (rule.is_none() || c.wire.rule == rule));
        let Some(change) = found else {
            failures.push(format!(
                "{name}: no change mentioning {mentions} ({rule:?}):\n{report}"
            ));
            continue;
        };
        let want = (
            rule,
            expect["wire_breaking"].as_bool(),
            expect["rust_breaking"].as_bool(),
        );
        let got = (
            change.wire.rule,
            Some(change.wire.breaking),
            Some(change.rust_breaking),
        );
        if want != got {
            failures.push(format!(
                "{name}: expected {want:?}, got {got:?}: {}",
                change.what
            ));
        }
        let bump = if report.changes.iter().any(|c| c.rust_breaking) {
            Bump::Major
        } else {
            Bump::Minor
        };
        if report.bump != bump {
            failures.push(format!("{name}: bump {:?}", report.bump));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
