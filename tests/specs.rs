//! The API definitions in `specs/`: what `lint-specs` reports, that an
//! external validator accepts them, and how the loader treats `$ref`s.

use std::path::Path;

use mms_tests::{files_with_extension, repo_root};
use xtask::diagnostic::Location;
use xtask::lint_specs::{lint, report};
use xtask::load;

/// `lint-specs` reads the specs on its own; it must count what the
/// generated crate was made from (its `SURFACES`), surface by surface.
#[test]
fn lint_specs_counts_every_documented_operation() {
    let summaries = lint(&repo_root().join("specs")).unwrap_or_else(|e| panic!("{e}"));
    let counts: Vec<(&str, usize)> = summaries
        .iter()
        .map(|s| (s.name.as_str(), s.operations))
        .collect();
    let mut generated: Vec<(&str, usize)> = azureml_mms::SURFACES
        .iter()
        .map(|s| (s.feature, s.operations))
        .collect();
    generated.sort();
    assert_eq!(counts, generated);
    // Both source formats are in use, and read alike.
    for format in ["Swagger 2.0", "OpenAPI 3.0.3"] {
        assert!(
            summaries.iter().any(|s| s.format == format),
            "no {format} surface"
        );
    }
    let total: usize = generated.iter().map(|(_, n)| n).sum();
    assert!(
        report(&summaries).contains(&format!("{} surfaces, {total} operations", generated.len()))
    );
}

/// Every operation has what the conventions ask for (specs/CONVENTIONS.md).
#[test]
fn every_operation_has_an_azure_style_id_and_docs() {
    let specs = load::load_dir(&repo_root().join("specs")).unwrap_or_else(|e| panic!("{e}"));
    let mut ids = Vec::new();
    for spec in &specs {
        for (path, method, op) in spec.document.operations() {
            let id = op.operation_id.as_deref().unwrap_or_default();
            let group_verb = id.split_once('_').is_some_and(|(g, v)| {
                !g.is_empty() && !v.is_empty() && g.starts_with(|c: char| c.is_ascii_uppercase())
            });
            assert!(
                group_verb,
                "{}: {method} {path}: operationId `{id}` is not Group_Verb",
                spec.name
            );
            assert!(
                op.summary.is_some() && op.description.is_some(),
                "{}: {id} lacks docs",
                spec.name
            );
            assert!(!op.tags.is_empty(), "{}: {id} has no tag", spec.name);
            ids.push(format!("{}/{id}", spec.name));
        }
    }
    let before = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(before, ids.len(), "duplicate operationIds within a surface");
}

/// The external validator (PyPI `openapi-spec-validator`) must accept every
/// definition in `specs/` and every normalized document the generator
/// writes to `generated/openapi/`. It is required: `.ci/run` installs it,
/// and a machine without it fails here rather than skipping.
#[test]
fn openapi_spec_validator_accepts_every_spec() {
    let root = repo_root();
    let specs = load::load_dir(&root.join("specs")).unwrap_or_else(|e| panic!("{e}"));
    let mut files: Vec<std::path::PathBuf> = specs
        .iter()
        .map(|s| root.join("specs").join(&s.file))
        .collect();
    assert_eq!(files.len(), 5, "one definition per surface: {files:?}");
    let generated = files_with_extension(&root.join("generated/openapi"), &["yaml"]);
    assert_eq!(
        generated.len(),
        5,
        "one normalized document per surface: {generated:?}"
    );
    files.extend(generated);
    mms_tests::validate_openapi(&files);
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mms-specs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

const ENTRY_WITH_COMMON_REF: &str = r##"{
  "swagger": "2.0",
  "info": {"title": "t", "version": "1"},
  "paths": {"/things": {"get": {
    "operationId": "Things_List",
    "parameters": [{"$ref": "../common/types.json#/parameters/ApiVersion"}],
    "responses": {
      "200": {"description": "ok", "schema": {"$ref": "#/definitions/Thing"}},
      "default": {"description": "error", "schema": {"$ref": "../common/types.json#/definitions/ErrorResponse"}}
    }
  }}},
  "definitions": {"Thing": {"type": "object", "properties": {"id": {"type": "string"}}}}
}"##;

const COMMON_TYPES: &str = r##"{
  "parameters": {"ApiVersion": {"name": "api-version", "in": "query", "required": true, "type": "string"}},
  "definitions": {
    "ErrorResponse": {"type": "object", "properties": {"error": {"$ref": "#/definitions/ErrorDetail"}}},
    "ErrorDetail": {"type": "object", "properties": {
      "code": {"type": "string"},
      "details": {"type": "array", "items": {"$ref": "#/definitions/ErrorDetail"}}
    }}
  }
}"##;

#[test]
fn relative_file_refs_are_bundled_as_components() {
    let dir = temp_dir("bundle");
    write(&dir, "svc/svc.json", ENTRY_WITH_COMMON_REF);
    write(&dir, "common/types.json", COMMON_TYPES);
    let specs = load::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(specs.len(), 1, "types.json is not an entry document");
    let spec = &specs[0];
    assert_eq!(spec.name, "svc");
    let schemas = &spec
        .document
        .components
        .as_ref()
        .map(|c| c.schemas.keys().cloned().collect::<Vec<_>>());
    assert_eq!(
        schemas.as_deref(),
        Some(
            &[
                "Thing".to_string(),
                "ErrorResponse".to_string(),
                "ErrorDetail".to_string()
            ][..]
        )
    );
    // Errors inside bundled components point at the file they came from.
    assert_eq!(
        spec.locate("/components/schemas/ErrorDetail/properties/code"),
        Location::new(
            "common/types.json",
            "/definitions/ErrorDetail/properties/code"
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn refs_that_leave_the_folder_or_go_remote_are_refused() {
    let dir = temp_dir("escape");
    write(
        &dir,
        "inner/svc.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '../../outside.json#/Thing'}\n        '400':\n          description: bad\n          content:\n            application/json:\n              schema: {$ref: 'https://example.invalid/x.json#/E'}\n",
    );
    write(
        dir.parent().unwrap_or(&dir),
        "outside.json",
        r#"{"Thing": {"type": "string"}}"#,
    );
    let errors = load::load_dir(&dir.join("inner"))
        .expect_err("must refuse")
        .0;
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(messages[0].starts_with(
        "svc.yaml#/paths/~1a/get/responses/200/content/application~1json/schema/$ref: "
    ));
    assert!(
        messages[0].contains("leaves the spec folder"),
        "{}",
        messages[0]
    );
    assert!(messages[1].contains("is remote"), "{}", messages[1]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dangling_refs_and_alias_cycles_name_file_and_pointer() {
    let dir = temp_dir("dangling");
    write(
        &dir,
        "a.json",
        r##"{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {},
            "definitions": {
              "A": {"$ref": "#/definitions/B"},
              "B": {"$ref": "#/definitions/A"},
              "C": {"type": "object", "properties": {"x": {"$ref": "#/definitions/Missing"}}}
            }}"##,
    );
    let errors = load::load_dir(&dir).expect_err("must refuse").0;
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "a.json#/definitions/C/properties/x/$ref: `$ref` to `#/definitions/Missing` points at nothing"
        ]
    );
    // With the dangling reference mended the cycle is what remains.
    write(
        &dir,
        "a.json",
        r##"{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {},
            "definitions": {"A": {"$ref": "#/definitions/B"}, "B": {"$ref": "#/definitions/A"}}}"##,
    );
    let errors = load::load_dir(&dir).expect_err("must refuse").0;
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].location,
        Location::new("a.json", "/definitions/A/$ref")
    );
    assert!(
        errors[0].message.starts_with("`$ref` cycle: "),
        "{}",
        errors[0].message
    );
    let _ = std::fs::remove_dir_all(&dir);
}
