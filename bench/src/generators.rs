//! Generator figures: ours on `specs/`, progenitor on our published
//! documents, and ours on synthetic specs of growing size.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::{Figure, Phase, median_ms, memory, round};

const RUNS: usize = 20;

pub(crate) fn ours_and_progenitor(root: &Path) -> Result<Phase, String> {
    let settings = xtask::codegen::Settings::for_repo(root);
    // Load → normalize → emit → format, in memory (writing is left out:
    // it is the same for everyone and mostly the disk's).
    let ours = median_ms(RUNS, || {
        xtask::codegen::generate(&settings).map(|(_, f)| f.len())
    })?;

    // Where the time goes: the two halves of the pipeline on their own.
    let api = xtask::codegen::build_api(&settings.specs, &settings.crate_name)
        .map_err(|e| e.to_string())?;
    let front = median_ms(RUNS, || {
        xtask::codegen::build_api(&settings.specs, &settings.crate_name).map(|a| a.surfaces.len())
    })?;
    let back = median_ms(RUNS, || xtask::emit::emit(&api).map(|f| f.len()))?;

    let mut sources = Vec::new();
    for surface in azureml_mms::SURFACES.iter().map(|s| s.feature) {
        let path = root.join(format!("generated/openapi/{surface}.yaml"));
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        sources.push((surface, text));
    }
    let mut transformations = BTreeMap::new();
    for (surface, text) in &sources {
        progenitor(surface, text, &mut transformations)?;
    }
    let theirs = median_ms(RUNS, || {
        let mut ignored = BTreeMap::new();
        sources
            .iter()
            .map(|(surface, text)| progenitor(surface, text, &mut ignored).map(|s| s.len()))
            .collect::<Result<Vec<_>, _>>()
    })?;
    // What the harness changed so progenitor would take the documents: a
    // description per kind of change, with how many times it applied.
    let mut extra = BTreeMap::new();
    extra.insert(
        "progenitor_transformations".to_string(),
        serde_json::json!(transformations),
    );
    extra.insert(
        "codegen_breakdown_ms".to_string(),
        serde_json::json!({"load_normalize": round(front, 1), "emit_format": round(back, 1)}),
    );
    Ok(Phase {
        extra,
        figures: vec![
            Figure::new("codegen_ms", round(ours, 1), "≤ 50"),
            Figure::new("progenitor_ms", round(theirs, 1), "(peer)"),
            Figure::new("codegen_vs_progenitor", round(ours / theirs, 3), "≤ 1.0"),
        ],
    })
}

/// progenitor on one document: parse, adapt, generate tokens, format.
fn progenitor(
    surface: &str,
    text: &str,
    transformations: &mut BTreeMap<String, usize>,
) -> Result<String, String> {
    let mut document: Value =
        serde_norway::from_str(text).map_err(|e| format!("{surface}.yaml: {e}"))?;
    adapt_for_progenitor(&mut document, transformations);
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(document).map_err(|e| format!("{surface}.yaml: {e}"))?;
    let mut generator =
        progenitor_impl::Generator::new(&progenitor_impl::GenerationSettings::default());
    let tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor on {surface}.yaml: {e}"))?;
    let file = syn::parse2::<syn::File>(tokens)
        .map_err(|e| format!("progenitor's output for {surface}.yaml: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

fn note(transformations: &mut BTreeMap<String, usize>, what: &str) {
    *transformations.entry(what.to_string()).or_default() += 1;
}

/// The fewest changes progenitor needs, applied to a copy (ours reads the
/// documents as they are):
/// - `default` responses become `4XX` and `5XX` (progenitor counts
///   `default` as a success);
/// - one success response is kept per operation, the lowest 2xx
///   (progenitor asserts a single success type);
/// - `application/json-patch+json` bodies are declared `application/json`
///   (progenitor rejects the media type).
fn adapt_for_progenitor(document: &mut Value, transformations: &mut BTreeMap<String, usize>) {
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            if method == "parameters" {
                continue;
            }
            if let Some(content) = operation
                .pointer_mut("/requestBody/content")
                .and_then(Value::as_object_mut)
                && let Some(patch) = content.remove("application/json-patch+json")
            {
                content.insert("application/json".into(), patch);
                note(
                    transformations,
                    "request body application/json-patch+json declared application/json",
                );
            }
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            if let Some(default) = responses.remove("default") {
                responses.insert("4XX".into(), default.clone());
                responses.insert("5XX".into(), default);
                note(
                    transformations,
                    "`default` response replaced by `4XX` and `5XX`",
                );
            }
            let mut successes: Vec<String> = responses
                .keys()
                .filter(|code| code.starts_with('2'))
                .cloned()
                .collect();
            successes.sort();
            for extra in successes.iter().skip(1) {
                responses.remove(extra);
                note(
                    transformations,
                    "success responses after the lowest 2xx removed (one per operation)",
                );
            }
        }
    }
}

pub(crate) fn scaling() -> Result<Phase, String> {
    let dir = std::env::temp_dir().join(format!("mms-bench-scale-{}", std::process::id()));
    let mut times = BTreeMap::new();
    let mut peak = 0.0;
    let mut breakdown = serde_json::Value::Null;
    for (operations, runs) in [(100usize, 15usize), (1_000, 9), (10_000, 5)] {
        let specs = dir.join(format!("ops-{operations}"));
        let surface = specs.join("synthetic");
        std::fs::create_dir_all(&surface).map_err(|e| format!("{}: {e}", surface.display()))?;
        std::fs::write(
            surface.join("synthetic.json"),
            xtask::synthetic::spec(operations, 2026),
        )
        .map_err(|e| e.to_string())?;
        let settings =
            xtask::codegen::Settings::standalone(specs.clone(), dir.join("out"), "synthetic");
        if operations == 10_000 {
            memory::reset_peak()?;
        }
        let ms = median_ms(runs, || {
            xtask::codegen::generate(&settings).map(|(_, f)| f.len())
        })
        .map_err(|e| format!("synthetic spec of {operations} operations: {e}"))?;
        if operations == 10_000 {
            peak = memory::peak_mb()?;
            let started = std::time::Instant::now();
            let api = xtask::codegen::build_api(&settings.specs, &settings.crate_name)
                .map_err(|e| e.to_string())?;
            let front = started.elapsed().as_secs_f64() * 1000.0;
            let started = std::time::Instant::now();
            xtask::emit::emit(&api)?;
            let back = started.elapsed().as_secs_f64() * 1000.0;
            breakdown = serde_json::json!({"load_normalize": round(front, 1), "emit_format": round(back, 1)});
        }
        times.insert(operations, ms);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let t = |n: usize| times.get(&n).copied().unwrap_or_default();
    let mut extra = BTreeMap::new();
    extra.insert("scale_10000_breakdown_ms".to_string(), breakdown);
    Ok(Phase {
        extra,
        figures: vec![
            Figure::new("scale_ms_100", round(t(100), 1), ""),
            Figure::new("scale_ms_1000", round(t(1_000), 1), ""),
            Figure::new("scale_ms_10000", round(t(10_000), 1), "< 5000"),
            Figure::new("scale_peak_mb_10000", round(peak, 1), ""),
            Figure::new(
                "scale_ratio_10000_1000",
                round(t(10_000) / t(1_000), 2),
                "≤ 12",
            ),
        ],
    })
}

/// A crate of progenitor's client for the workspace document (adapted as
/// above), with the dependencies its output uses, for the build figure.
pub(crate) fn write_progenitor_crate(root: &Path, dir: &Path) -> Result<(), String> {
    let path = root.join("generated/openapi/workspace.yaml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let code = progenitor("workspace", &text, &mut BTreeMap::new())?;
    let src = dir.join("src");
    std::fs::create_dir_all(&src).map_err(|e| format!("{}: {e}", src.display()))?;
    let manifest = r#"[package]
name = "mms-progenitor-workspace"
version = "0.1.0"
edition = "2024"
publish = false

# Its own workspace: not a member of ours.
[workspace]

[dependencies]
bytes = "1"
chrono = { version = "0.4", default-features = false, features = ["serde", "std"] }
futures = "0.3"
progenitor-client = "0.15"
regress = "0.10"
reqwest = { version = "0.13", default-features = false, features = ["json", "query", "stream"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
serde_urlencoded = "0.7"
uuid = { version = "1", features = ["serde"] }
"#;
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(
        src.join("lib.rs"),
        format!("#![allow(warnings, clippy::all)]\n{code}"),
    )
    .map_err(|e| e.to_string())?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn progenitor_adaptation_changes_only_what_it_lists() {
        let mut document = json!({"paths": {"/things/{id}": {
            "parameters": [],
            "patch": {
                "requestBody": {"content": {"application/json-patch+json": {"schema": {}}}},
                "responses": {"200": {"description": "ok"}, "202": {"description": "later"},
                              "default": {"description": "error"}},
            },
            "get": {"responses": {"200": {"description": "ok"}}},
        }}});
        let mut seen = BTreeMap::new();
        adapt_for_progenitor(&mut document, &mut seen);
        let patch = &document["paths"]["/things/{id}"]["patch"];
        assert!(
            patch
                .pointer("/requestBody/content/application~1json")
                .is_some()
        );
        assert!(
            patch
                .pointer("/requestBody/content/application~1json-patch+json")
                .is_none()
        );
        let mut codes: Vec<&String> = patch["responses"]
            .as_object()
            .map(|r| r.keys().collect())
            .unwrap_or_default();
        codes.sort();
        assert_eq!(codes, ["200", "4XX", "5XX"]);
        assert_eq!(
            document["paths"]["/things/{id}"]["get"],
            json!({"responses": {"200": {"description": "ok"}}})
        );
        assert_eq!(seen.values().sum::<usize>(), 3, "{seen:?}");
    }
}
