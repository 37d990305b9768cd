//! `x-ms-examples`: the request and response samples Azure specs carry per
//! operation, usually as `$ref`s to files beside the spec
//! (`./examples/Get.json`). They are read here, under the same rules as
//! every other `$ref` (inside the spec folder, never fetched), and kept
//! apart from the document: the bundler drops them from the schema world.
//!
//! Azure's own specs contain broken examples; a missing or unreadable file
//! is a warning for that one example, never an error for the spec.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Diagnostic, Location, display_path, parse, pointer_push};

/// One example of one operation, as written.
#[derive(Debug, Clone)]
pub struct RawExample {
    /// Its key in `x-ms-examples` (a title such as `Create a vault`).
    pub name: String,
    /// The example file (pointer empty), or the place of an inline example.
    pub source: Location,
    /// The example object: `parameters` and `responses`.
    pub value: Value,
}

/// Examples per operation, keyed by (path template, lower-case method), as
/// the operations appear under `paths`.
pub type Examples = BTreeMap<(String, String), Vec<RawExample>>;

/// Files already parsed while looking for entry documents, so an example
/// file is read once.
pub type Parsed = BTreeMap<PathBuf, Value>;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Reads every operation's `x-ms-examples` in the entry document `doc`.
pub fn collect(
    root: &Path,
    entry: &Path,
    shown: &str,
    doc: &Value,
    parsed: &Parsed,
    warnings: &mut Vec<Diagnostic>,
) -> Examples {
    let mut out = Examples::new();
    let Some(Value::Object(paths)) = doc.get("paths") else {
        return out;
    };
    for (path, item) in paths {
        let Value::Object(item) = item else {
            continue;
        };
        for (method, op) in item {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let Some(Value::Object(examples)) = op.get("x-ms-examples") else {
                continue;
            };
            let at = pointer_push(
                &pointer_push(&pointer_push("/paths", path), method),
                "x-ms-examples",
            );
            let mut list = Vec::new();
            for (name, example) in examples {
                let here = Location::new(shown, pointer_push(&at, name));
                match read_one(root, entry, example, &here, parsed) {
                    Ok((source, value)) => list.push(RawExample {
                        name: name.clone(),
                        source,
                        value,
                    }),
                    Err(message) => warnings.push(Diagnostic::new(
                        here,
                        format!("example `{name}` is skipped: {message}"),
                    )),
                }
            }
            if !list.is_empty() {
                out.insert((path.clone(), method.clone()), list);
            }
        }
    }
    out
}

/// An example's place and contents: the file a `$ref` names (inside the
/// spec folder), or the inline object itself.
fn read_one(
    root: &Path,
    entry: &Path,
    example: &Value,
    here: &Location,
    parsed: &Parsed,
) -> Result<(Location, Value), String> {
    let Value::Object(map) = example else {
        return Err("it is not an object".to_string());
    };
    let Some(reference) = map.get("$ref") else {
        return Ok((here.clone(), example.clone()));
    };
    let Some(reference) = reference.as_str() else {
        return Err("its `$ref` is not a string".to_string());
    };
    let (file_part, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    if file_part.contains("://") || file_part.starts_with("//") {
        return Err(format!(
            "`$ref` to `{reference}` is remote; only files inside the spec folder are read"
        ));
    }
    if file_part.is_empty() {
        return Err(format!(
            "`$ref` to `{reference}` does not name an example file"
        ));
    }
    let joined = entry
        .parent()
        .unwrap_or(root)
        .join(super::bundle::percent_decode(file_part));
    let file = match joined.canonicalize() {
        Ok(p) if p.starts_with(root) => p,
        Ok(_) => {
            return Err(format!(
                "`$ref` to `{reference}` leaves the spec folder; references must stay inside it"
            ));
        }
        Err(_) => return Err(format!("file `{file_part}` does not exist")),
    };
    let shown = display_path(root, &file);
    let whole = match parsed.get(&file) {
        Some(v) => v.clone(),
        None => {
            let yaml = matches!(
                file.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml")
            );
            let bytes = std::fs::read(&file).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
            parse::parse_bytes(&bytes, yaml).map_err(|e| format!("`{shown}`: {e}"))?
        }
    };
    let value = if fragment.is_empty() {
        whole
    } else {
        super::pointer_get(&whole, fragment)
            .cloned()
            .ok_or_else(|| format!("`$ref` to `{reference}` points at nothing"))?
    };
    if !value.is_object() {
        return Err(format!("`{shown}` does not hold an example object"));
    }
    Ok((Location::new(shown, fragment), value))
}
