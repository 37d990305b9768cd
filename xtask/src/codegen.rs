//! `cargo xtask codegen`: load → normalize → emit, then write or check.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::emit::{self, Files, RuntimeSource};
use crate::ir::Api;
use crate::load;
use crate::normalize::{self, Input, rules};

/// What one run of the generator reads and writes.
#[derive(Debug, Clone)]
pub struct Settings {
    pub specs: PathBuf,
    pub out: PathBuf,
    pub crate_name: String,
    /// Embedded in the crate, or our runtime crate as a dependency.
    pub runtime: RuntimeSource,
    /// Add the API report's changes to the output's `CHANGELOG.md`.
    pub changelog: bool,
}

impl Settings {
    /// A crate of its own from any spec folder: the runtime embedded, so it
    /// builds from crates.io alone.
    pub fn standalone(specs: PathBuf, out: PathBuf, crate_name: impl Into<String>) -> Self {
        Self {
            specs,
            out,
            crate_name: crate_name.into(),
            runtime: RuntimeSource::Embedded,
            changelog: false,
        }
    }

    /// Our own layout: `specs/` → `generated/`, crate `azureml-mms`.
    pub fn for_repo(root: &Path) -> Self {
        Self {
            specs: root.join("specs"),
            out: root.join("generated"),
            crate_name: "azureml-mms".to_string(),
            runtime: RuntimeSource::workspace_crate(),
            changelog: false,
        }
    }
}

/// Loads every spec under `dir` with the rules beside it and normalizes
/// them into the IR.
pub fn build_api(dir: &Path, crate_name: &str) -> Result<Api, Diagnostics> {
    let mut specs = load::load_dir(dir)?;
    // Files of shared definitions often carry a `swagger` root with no
    // paths (Azure's common.json): their types are bundled where used, and
    // they are no client of their own.
    if specs.iter().any(|s| s.operation_count() > 0) {
        specs.retain(|s| s.operation_count() > 0);
    }
    let root = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for spec in &specs {
        let shown_dir = spec.file.rsplit_once('/').map_or("", |(d, _)| d);
        match rules::read(&root.join(shown_dir), shown_dir) {
            Ok(rules) => {
                errors.extend(rules.iter().flat_map(|r| r.conflicts()));
                inputs.push(Input { spec, rules });
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(Diagnostics(errors));
    }
    if inputs.iter().all(|i| i.rules.is_none()) {
        share_common_definitions(&mut inputs);
    }
    // Normalizing walks schemas through `$ref`s (bounded, but deep); give
    // it a stack that does not depend on the caller's thread.
    // The check of the examples walks schemas too: on the same stack.
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("normalize".into())
            .stack_size(NORMALIZE_STACK)
            .spawn_scoped(scope, || {
                let mut api = normalize::normalize(&inputs, crate_name)?;
                check_examples(&specs, &mut api);
                Ok(api)
            })
            .map_err(|e| {
                Diagnostics(vec![Diagnostic::new(
                    Location::new("", ""),
                    format!("cannot start the normalizer: {e}"),
                )])
            })?
            .join()
            .unwrap_or_else(|_| {
                Err(Diagnostics(vec![Diagnostic::new(
                    Location::new("", ""),
                    "the normalizer failed unexpectedly (a generator bug)",
                )]))
            })
    })
}

/// Definitions several entry documents take from one shared file (Azure's
/// `common.json`, common-types) are generated once, in the crate's
/// `models`, as rules files would say with `shared_types`. A definition is
/// known by where it is written (file and pointer), never by its name
/// alone: two different schemas of one name stay two types, the shared one
/// named after its file where the name is taken.
fn share_common_definitions(inputs: &mut [Input<'_>]) {
    use std::collections::{BTreeMap, BTreeSet};
    // origin → (the local name in each input that has it).
    let mut users: BTreeMap<Location, Vec<(usize, String)>> = BTreeMap::new();
    for (i, input) in inputs.iter().enumerate() {
        let spec = input.spec;
        let Some(components) = &spec.document.components else {
            continue;
        };
        for name in components.schemas.keys() {
            let origin = spec.locate(&crate::load::pointer_push("/components/schemas", name));
            if origin.file != spec.file {
                users.entry(origin).or_default().push((i, name.clone()));
            }
        }
    }
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut rules: BTreeMap<usize, Vec<rules::SharedTypeRule>> = BTreeMap::new();
    for (origin, locals) in users {
        let distinct: BTreeSet<usize> = locals.iter().map(|(i, _)| *i).collect();
        if distinct.len() < 2 {
            continue;
        }
        let own = crate::load::pointer_tokens(&origin.pointer)
            .and_then(|t| t.last().cloned())
            .unwrap_or_default();
        let stem = origin
            .file
            .rsplit('/')
            .next()
            .and_then(|f| f.split('.').next())
            .unwrap_or_default()
            .to_string();
        let name = std::iter::once(crate::naming::type_name(&own))
            .chain(std::iter::once(crate::naming::type_name(&format!(
                "{stem} {own}"
            ))))
            .chain((2..).map(|n| format!("{}{n}", crate::naming::type_name(&own))))
            .find(|n| !taken.contains(n))
            .unwrap_or_default();
        taken.insert(name.clone());
        for (i, local) in locals {
            rules.entry(i).or_default().push(rules::SharedTypeRule {
                schema: local,
                common: name.clone(),
                reason: format!(
                    "generated once: the same definition, {origin}, in several entry documents"
                ),
            });
        }
    }
    for (i, shared) in rules {
        if let Some(input) = inputs.get_mut(i) {
            input.rules = Some(rules::SurfaceRules {
                file: "(definitions shared by entry documents)".to_string(),
                shared_types: shared,
                ..rules::SurfaceRules::default()
            });
        }
    }
}

/// The independent check of every example against its own spec's schemas
/// (`crate::validate`), its findings recorded on the IR's examples.
fn check_examples(specs: &[load::Spec], api: &mut Api) {
    for surface in &mut api.surfaces {
        let Some(spec) = specs.iter().find(|s| s.file == surface.source.file) else {
            continue;
        };
        for op in &mut surface.operations {
            if op.examples.is_empty() {
                continue;
            }
            let template: String = op
                .path
                .iter()
                .map(|s| match s {
                    crate::ir::PathSegment::Literal(l) => l.clone(),
                    crate::ir::PathSegment::Param(p) => format!("{{{p}}}"),
                })
                .collect();
            let method = op.method.as_str().to_ascii_lowercase();
            let Some(raw) = spec.examples.get(&(template.clone(), method.clone())) else {
                continue;
            };
            let check = crate::validate::OperationCheck::new(&spec.document, &template, &method);
            for example in &mut op.examples {
                let Some(value) = raw
                    .iter()
                    .find(|r| r.name == example.name && r.source == example.source)
                    .map(|r| &r.value)
                else {
                    continue;
                };
                example.findings = match &check {
                    Ok(check) => check
                        .check(value)
                        .into_iter()
                        .map(|f| {
                            let affects_replay = affects_replay(example, &f);
                            crate::ir::ExampleFinding {
                                part: match f.part {
                                    crate::validate::Part::Request => "request".to_string(),
                                    crate::validate::Part::Response(key) => {
                                        format!("response {key}")
                                    }
                                },
                                pointer: f.pointer,
                                message: f.message,
                                affects_replay,
                            }
                        })
                        .collect(),
                    Err(e) => vec![crate::ir::ExampleFinding {
                        part: "request".to_string(),
                        pointer: String::new(),
                        message: format!("the operation's schemas could not be checked: {e}"),
                        affects_replay: true,
                    }],
                };
            }
        }
    }
}

/// Whether a replay reads what a finding is about: every answer does, and
/// every parameter but one the operation does not have (never sent).
fn affects_replay(example: &crate::ir::Example, finding: &crate::validate::Finding) -> bool {
    if finding.part != crate::validate::Part::Request {
        return true;
    }
    let Some(name) = crate::load::pointer_tokens(&finding.pointer)
        .and_then(|tokens| (tokens.first()? == "parameters").then(|| tokens.get(1).cloned())?)
    else {
        return true;
    };
    // (A missing required parameter is found at `/parameters`: above.)
    example.parameters.iter().any(|(n, _)| *n == name)
        || example.body_parameter.as_deref() == Some(name.as_str())
}

const NORMALIZE_STACK: usize = 256 * 1024 * 1024;

/// What a run found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub surfaces: usize,
    pub operations: usize,
    pub types: usize,
    pub files: usize,
    /// Files added, changed or removed (relative paths).
    pub changed: Vec<String>,
    /// What cost a part of the input but not the crate (broken examples).
    pub warnings: Vec<String>,
    /// How the public API changed since the output's last `api.json`;
    /// `None` when there was none to compare with.
    pub api_change: Option<crate::api::Report>,
}

/// Loads, normalizes and emits, in memory.
pub fn generate(settings: &Settings) -> Result<(Api, Files), String> {
    let api = build_api(&settings.specs, &settings.crate_name).map_err(|e| e.to_string())?;
    let files = emit::emit_with(&api, &settings.runtime)?;
    Ok((api, files))
}

/// Regenerates `settings.out`, replacing it only when everything succeeded.
pub fn run(settings: &Settings) -> Result<Summary, String> {
    run_keeping_api(settings).map(|(_, summary)| summary)
}

/// As [`run`], also giving the IR the crate was made from.
pub fn run_keeping_api(settings: &Settings) -> Result<(Api, Summary), String> {
    let (api, mut files) = generate(settings)?;
    let api_change = api_change(&settings.out, &api);
    if let Some(report) = api_change
        .as_ref()
        .filter(|r| settings.changelog && !r.changes.is_empty())
    {
        let path = settings.out.join(crate::api::CHANGELOG_FILE);
        let existing = std::fs::read_to_string(&path).ok();
        files.insert(
            crate::api::CHANGELOG_FILE.to_string(),
            crate::api::changelog::update(existing.as_deref(), report, &api.crate_name),
        );
    }
    let changed = differences(&settings.out, &files);
    if !changed.is_empty() {
        write_atomically(&settings.out, &files)?;
    }
    let summary = summary(&api, &files, changed, api_change);
    Ok((api, summary))
}

/// Changes nothing; the summary lists what is stale.
pub fn check(settings: &Settings) -> Result<Summary, String> {
    let (api, files) = generate(settings)?;
    let changed = differences(&settings.out, &files);
    let api_change = api_change(&settings.out, &api);
    Ok(summary(&api, &files, changed, api_change))
}

/// The public API's change against the manifest already in `out`.
fn api_change(out: &Path, api: &Api) -> Option<crate::api::Report> {
    let text = std::fs::read_to_string(out.join(crate::api::MANIFEST_FILE)).ok()?;
    let old = crate::api::read(&text)?;
    Some(crate::api::diff(&old, &crate::api::manifest(api)))
}

fn summary(
    api: &Api,
    files: &Files,
    changed: Vec<String>,
    api_change: Option<crate::api::Report>,
) -> Summary {
    Summary {
        surfaces: api.surfaces.len(),
        operations: api.operation_count(),
        types: api.type_count(),
        files: files.len(),
        changed,
        warnings: api.warnings.iter().map(ToString::to_string).collect(),
        api_change,
    }
}

/// Entries of an output folder that are not generated and survive a
/// regeneration: a build of the crate where it stands, and the changelog
/// (the maintainer's; `--changelog` adds to it).
const KEPT: [&str; 3] = ["target", "Cargo.lock", crate::api::CHANGELOG_FILE];

/// Whether a file on disk says what was generated, line endings aside: a
/// checkout that turned LF into CRLF (Windows, `core.autocrlf`) is not
/// stale.
fn same_text(on_disk: &[u8], generated: &str) -> bool {
    on_disk == generated.as_bytes()
        || std::str::from_utf8(on_disk)
            .is_ok_and(|text| text.replace("\r\n", "\n") == generated.replace("\r\n", "\n"))
}

/// Files that differ between `out` and `files`: `+ added`, `~ changed`,
/// `- removed`.
pub fn differences(out: &Path, files: &Files) -> Vec<String> {
    let mut existing = Vec::new();
    list_files(out, out, &mut existing);
    let mut changed = Vec::new();
    for (path, text) in files {
        match std::fs::read(out.join(path)) {
            Ok(bytes) if same_text(&bytes, text) => {}
            Ok(_) => changed.push(format!("~ {path}")),
            Err(_) => changed.push(format!("+ {path}")),
        }
    }
    for path in existing {
        if !files.contains_key(&path) {
            changed.push(format!("- {path}"));
        }
    }
    changed.sort_by(|a, b| a[2..].cmp(&b[2..]));
    changed
}

fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let rel = crate::load::display_path(root, &path);
        if dir == root && KEPT.contains(&rel.as_str()) {
            continue;
        }
        if path.is_dir() {
            list_files(root, &path, out);
        } else {
            out.push(rel);
        }
    }
}

/// Writes every file into a sibling folder, then swaps it in: a failure
/// at any point leaves the previous output as it was.
fn write_atomically(out: &Path, files: &Files) -> Result<(), String> {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "generated".to_string());
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    let staging = parent.join(format!(".{name}.new-{}", std::process::id()));
    let retired = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let result = (|| -> Result<(), String> {
        for (path, text) in files {
            let target = staging.join(path);
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            std::fs::write(&target, text).map_err(|e| format!("{}: {e}", target.display()))?;
        }
        // Keep a build of the crate that lives in the output folder.
        for kept in KEPT.iter().filter(|k| !files.contains_key(**k)) {
            let from = out.join(kept);
            if from.exists() {
                std::fs::rename(&from, staging.join(*kept))
                    .map_err(|e| format!("{}: {e}", from.display()))?;
            }
        }
        if out.exists() {
            std::fs::rename(out, &retired).map_err(|e| format!("{}: {e}", out.display()))?;
        }
        std::fs::rename(&staging, out).map_err(|e| format!("{}: {e}", out.display()))?;
        Ok(())
    })();
    match result {
        Ok(()) => {
            let _ = std::fs::remove_dir_all(&retired);
            Ok(())
        }
        Err(e) => {
            // Put back whatever moved.
            if !out.exists() && retired.exists() {
                let _ = std::fs::rename(&retired, out);
            }
            for kept in KEPT {
                let moved = staging.join(kept);
                if moved.exists() && out.exists() && !out.join(kept).exists() {
                    let _ = std::fs::rename(&moved, out.join(kept));
                }
            }
            let _ = std::fs::remove_dir_all(&staging);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn line_endings_alone_do_not_make_a_file_stale() {
        use super::same_text;
        assert!(same_text(b"a\nb\n", "a\nb\n"));
        assert!(same_text(b"a\r\nb\r\n", "a\nb\n"));
        assert!(!same_text(b"a\r\nc\r\n", "a\nb\n"));
        assert!(!same_text(b"a\nb", "a\nb\n"));
    }
}
