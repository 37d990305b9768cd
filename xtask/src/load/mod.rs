//! load: files on disk → `openapiv3::OpenAPI` documents.
//!
//! A spec folder is walked recursively, as a folder of the public Azure REST
//! API specs repository looks: files whose root has `swagger` or `openapi`
//! are entry documents; other JSON/YAML files are read only when a `$ref`
//! reaches them. Swagger 2.0 is converted into the same `openapiv3` types as
//! OpenAPI 3.0, and `$ref`s into other files are bundled into the entry
//! document, so everything after this module sees one self-contained
//! OpenAPI 3.0 document per surface. Every error names a file and a JSON
//! pointer in the file the user wrote, not in our converted copy.

mod bundle;
mod examples;
mod parse;
mod pointer;
mod swagger2;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use examples::{Examples, RawExample};
pub use pointer::{pointer_get, pointer_push, pointer_tokens};

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use serde_json::Value;
pub use swagger2::parameter_schema as swagger2_parameter_schema;

/// What an entry document was written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceFormat {
    Swagger2,
    OpenApi3 { version: String },
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceFormat::Swagger2 => f.write_str("Swagger 2.0"),
            SourceFormat::OpenApi3 { version } => write!(f, "OpenAPI {version}"),
        }
    }
}

/// One entry document, loaded, bundled and converted to OpenAPI 3.0.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The surface's name: the entry's folder relative to the spec root when
    /// the folder holds one entry, else the entry's path without extension.
    pub name: String,
    /// The entry file, relative to the spec root, with `/` separators.
    pub file: String,
    pub format: SourceFormat,
    pub document: openapiv3::OpenAPI,
    pub source_map: SourceMap,
    /// Each operation's `x-ms-examples`, read from their files.
    pub examples: Examples,
    /// Problems that cost an example, not the spec (a missing example
    /// file, say).
    pub warnings: Vec<Diagnostic>,
}

impl Spec {
    /// Where a pointer into the converted document came from.
    pub fn locate(&self, pointer: &str) -> Location {
        self.source_map.locate(&self.file, pointer)
    }

    pub fn operation_count(&self) -> usize {
        self.document.operations().count()
    }

    pub fn schema_count(&self) -> usize {
        self.document
            .components
            .as_ref()
            .map_or(0, |c| c.schemas.len())
    }
}

/// Maps pointers in the converted, bundled document back to the file and
/// pointer the user wrote. Built from prefix pairs; the longest matching
/// prefix wins and the rest of the pointer is carried over unchanged.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    /// converted pointer prefix → pointer prefix in the entry document as
    /// written (Swagger 2.0 conversion moves things around).
    converted: BTreeMap<String, String>,
    /// entry-document pointer prefix → place in another file (bundled
    /// `$ref` targets).
    bundled: BTreeMap<String, Location>,
}

impl SourceMap {
    pub(crate) fn map_converted(&mut self, converted: String, original: String) {
        self.converted.insert(converted, original);
    }

    pub(crate) fn map_bundled(&mut self, local: String, origin: Location) {
        self.bundled.insert(local, origin);
    }

    pub fn locate(&self, entry_file: &str, pointer: &str) -> Location {
        let original = match longest_prefix(&self.converted, pointer) {
            Some((prefix, target)) => format!("{target}{}", &pointer[prefix.len()..]),
            None => pointer.to_string(),
        };
        match longest_prefix(&self.bundled, &original) {
            Some((prefix, origin)) => Location::new(
                origin.file.clone(),
                format!("{}{}", origin.pointer, &original[prefix.len()..]),
            ),
            None => Location::new(entry_file, original),
        }
    }
}

/// The entry whose key is the longest prefix of `pointer` ending on a token
/// boundary.
fn longest_prefix<'a, T>(map: &'a BTreeMap<String, T>, pointer: &str) -> Option<(&'a str, &'a T)> {
    map.range::<str, _>((
        std::ops::Bound::Unbounded,
        std::ops::Bound::Included(pointer),
    ))
    .rev()
    .find(|(k, _)| {
        pointer.starts_with(k.as_str())
            && (pointer.len() == k.len() || pointer.as_bytes()[k.len()] == b'/')
    })
    .map(|(k, v)| (k.as_str(), v))
}

/// What the loader accepts, said in every "unsupported" error.
pub const SUPPORTED: &str = "supported: Swagger 2.0 (`swagger: \"2.0\"`) and OpenAPI 3.0.x (`openapi: 3.0.x`), as JSON or YAML";

/// Files larger than this are refused rather than read into memory.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Loads every entry document under `root`. Errors from all files are
/// gathered, so one run reports every broken file.
pub fn load_dir(root: &Path) -> Result<Vec<Spec>, Diagnostics> {
    let root = root.canonicalize().map_err(|e| {
        Diagnostics(vec![Diagnostic::new(
            Location::new(root.display().to_string(), ""),
            format!("cannot open the spec folder: {e}"),
        )])
    })?;
    let mut files = Vec::new();
    let mut errors = Vec::new();
    walk(&root, &root, &mut files, &mut errors);
    files.sort();

    let mut entries = Vec::new();
    let mut rejected = Vec::new();
    // Other documents as parsed (example files, shared definitions): an
    // example is then not read twice.
    let mut parsed = examples::Parsed::new();
    for path in &files {
        let shown = display_path(&root, path);
        match parse::read_document(path, &shown) {
            Ok(value) => match parse::entry_format(&value, &shown) {
                Ok(Some(format)) => entries.push((path.clone(), shown, format, value)),
                Ok(None) => {
                    let what = match &value {
                        serde_json::Value::Object(_) => "an object without `swagger` or `openapi`",
                        serde_json::Value::Array(_) => "an array",
                        serde_json::Value::String(_) => "a string",
                        serde_json::Value::Number(_) => "a number",
                        serde_json::Value::Bool(_) => "a boolean",
                        serde_json::Value::Null => "null",
                    };
                    rejected.push(parse::Rejected {
                        error: Diagnostic::new(
                            Location::new(shown, ""),
                            format!("not an API definition: its root is {what} ({SUPPORTED})"),
                        ),
                        claims_entry: false,
                    });
                    if value.is_object()
                        && let Ok(real) = path.canonicalize()
                    {
                        parsed.insert(real, value);
                    }
                }
                Err(e) => errors.push(e),
            },
            Err(r) => rejected.push(r),
        }
    }
    // A file that does not parse is only an error when nothing else could
    // be the entry (a broken entry document), or when it claims to be one.
    if entries.is_empty() {
        errors.extend(rejected.into_iter().map(|r| r.error));
        if errors.is_empty() {
            errors.push(Diagnostic::new(
                Location::new(root.display().to_string(), ""),
                format!("no API definition found in this folder ({SUPPORTED})"),
            ));
        }
    } else {
        errors.extend(
            rejected
                .into_iter()
                .filter(|r| r.claims_entry)
                .map(|r| r.error),
        );
    }

    let names = surface_names(
        &entries
            .iter()
            .map(|(_, s, _, _)| s.clone())
            .collect::<Vec<_>>(),
    );
    let mut specs = Vec::new();
    for ((path, shown, format, value), name) in entries.into_iter().zip(names) {
        let mut warnings = Vec::new();
        let entry = path.canonicalize().unwrap_or_else(|_| path.clone());
        let examples = examples::collect(&root, &entry, &shown, &value, &parsed, &mut warnings);
        match load_entry(&root, &path, &shown, format, value) {
            Ok((document, source_map, format)) => specs.push(Spec {
                name,
                file: shown,
                format,
                document,
                source_map,
                examples,
                warnings,
            }),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(specs)
    } else {
        errors.sort_by(|a, b| a.location.cmp(&b.location).then(a.message.cmp(&b.message)));
        errors.dedup();
        Err(Diagnostics(errors))
    }
}

type Loaded = (openapiv3::OpenAPI, SourceMap, SourceFormat);

fn load_entry(
    root: &Path,
    path: &Path,
    shown: &str,
    format: SourceFormat,
    value: Value,
) -> Result<Loaded, Vec<Diagnostic>> {
    let mut source_map = SourceMap::default();
    let bundled = bundle::bundle(root, path, shown, &format, value, &mut source_map)?;
    let converted = match format {
        SourceFormat::Swagger2 => swagger2::convert(bundled, &mut source_map),
        SourceFormat::OpenApi3 { .. } => bundled,
    };
    bundle::check_local_refs(&converted)
        .map_err(|(pointer, msg)| vec![Diagnostic::new(source_map.locate(shown, &pointer), msg)])?;
    // Plain serde first; only a failure pays for tracking the path.
    let plain = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&converted);
    let document: openapiv3::OpenAPI = match plain {
        Ok(document) => Ok(document),
        Err(_) => serde_path_to_error::deserialize(&converted),
    }
    .map_err(|e| {
        let pointer = serde_path_pointer(e.path());
        vec![Diagnostic::new(
            source_map.locate(shown, &pointer),
            format!("not a valid {format} document here: {}", e.inner()),
        )]
    })?;
    // The JSON form is dropped here: kept, it would double what a large
    // spec holds in memory through normalize and emit.
    Ok((document, source_map, format))
}

/// Turns serde_path_to_error's path into a JSON pointer.
pub(crate) fn serde_path_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer = pointer_push(&pointer, &index.to_string()),
            Segment::Map { key } => pointer = pointer_push(&pointer, key),
            Segment::Enum { variant } => pointer = pointer_push(&pointer, variant),
            Segment::Unknown => break,
        }
    }
    pointer
}

/// Collects candidate files (JSON and YAML) below `dir`, skipping hidden
/// folders and refusing links that lead out of the root.
fn walk(root: &Path, dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(Diagnostic::new(
                Location::new(display_path(root, dir), ""),
                format!("cannot read folder: {e}"),
            ));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        // Links are followed only when they stay inside the root.
        let Ok(real) = path.canonicalize() else {
            continue;
        };
        if !real.starts_with(root) {
            continue;
        }
        if real.is_dir() {
            walk(root, &path, files, errors);
        } else if parse::is_candidate(&path) {
            files.push(path);
        }
    }
}

/// A path as shown in messages: relative to the spec root, `/`-separated.
pub(crate) fn display_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Names each entry, as short as it can be and still be told apart: its
/// file stem (`secrets` for `…/7.2/secrets.json`); where stems repeat, its
/// folder when that folder holds no other entry (`allof` for
/// `allof/spec.yaml`); else the shortest end of its path that is unique.
fn surface_names(files: &[String]) -> Vec<String> {
    let without_extension = |f: &str| -> String {
        let (dir, file) = f.rsplit_once('/').map_or(("", f), |(d, n)| (d, n));
        let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
        if dir.is_empty() {
            stem.to_string()
        } else {
            format!("{dir}/{stem}")
        }
    };
    let paths: Vec<String> = files.iter().map(|f| without_extension(f)).collect();
    let folder = |p: &str| p.rsplit_once('/').map(|(d, _)| d.to_string());
    // The last `n` components of a path.
    let tail = |p: &str, n: usize| -> String {
        let parts: Vec<&str> = p.split('/').collect();
        parts[parts.len().saturating_sub(n)..].join("/")
    };
    let unique = |candidate: &str, of: &dyn Fn(&str) -> String| {
        paths.iter().filter(|q| of(q) == candidate).count() == 1
    };
    paths
        .iter()
        .map(|p| {
            let stem = tail(p, 1);
            if unique(&stem, &|q| tail(q, 1)) {
                return stem;
            }
            if let Some(dir) = folder(p) {
                let alone = paths
                    .iter()
                    .filter(|q| folder(q).as_deref() == Some(&dir))
                    .count()
                    == 1;
                let name = tail(&dir, 1);
                let folders: Vec<String> = paths
                    .iter()
                    .filter_map(|q| folder(q).map(|d| tail(&d, 1)))
                    .collect();
                if alone && folders.iter().filter(|f| **f == name).count() == 1 {
                    return name;
                }
            }
            let depth = p.split('/').count();
            (2..=depth)
                .map(|n| tail(p, n))
                .find(|t| unique(t, &|q| tail(q, t.split('/').count())))
                .unwrap_or_else(|| p.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surface_names_are_stems_told_apart_when_they_repeat() {
        let names = surface_names(&[
            "workspace/workspace.json".into(),
            "arm/a.json".into(),
            "arm/b.yaml".into(),
            "top.json".into(),
            "specification/kv/stable/7.2/secrets.json".into(),
            "allof/spec.yaml".into(),
            "enums/spec.json".into(),
            "x/one/keys.json".into(),
            "y/one/keys.json".into(),
        ]);
        assert_eq!(
            names,
            [
                "workspace",
                "a",
                "b",
                "top",
                "secrets",
                "allof",
                "enums",
                "x/one/keys",
                "y/one/keys"
            ]
        );
    }

    #[test]
    fn source_map_prefers_longest_prefix_on_token_boundaries() {
        let mut map = SourceMap::default();
        map.map_converted("/components/schemas".into(), "/definitions".into());
        map.map_bundled(
            "/definitions/Err".into(),
            Location::new("common.json", "/definitions/Error"),
        );
        assert_eq!(
            map.locate("a.json", "/components/schemas/Err/properties/code"),
            Location::new("common.json", "/definitions/Error/properties/code")
        );
        assert_eq!(
            map.locate("a.json", "/components/schemas/Errors"),
            Location::new("a.json", "/definitions/Errors")
        );
        assert_eq!(
            map.locate("a.json", "/paths"),
            Location::new("a.json", "/paths")
        );
    }
}
