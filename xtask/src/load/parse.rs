//! Bytes → `serde_json::Value`, for JSON and YAML alike, and what kind of
//! document a value is.

use std::path::Path;

use serde_json::Value;

use super::{Diagnostic, Location, MAX_FILE_BYTES, SUPPORTED, SourceFormat};

/// A file that could not be read as a document.
#[derive(Debug)]
pub struct Rejected {
    pub error: Diagnostic,
    /// Its text names `swagger` or `openapi`, so it was probably meant as an
    /// entry document and its failure must be reported.
    pub claims_entry: bool,
}

pub fn is_candidate(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("json" | "yaml" | "yml")
    )
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("yaml" | "yml")
    )
}

/// Reads and parses one file. YAML is read through serde_norway and turned
/// into JSON values, with scalar mapping keys (YAML's `200:`) as strings.
pub fn read_document(path: &Path, shown: &str) -> Result<Value, Rejected> {
    let at_root = || Location::new(shown, "");
    let reject = |message: String, claims_entry: bool| Rejected {
        error: Diagnostic::new(at_root(), message),
        claims_entry,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| reject(format!("cannot read file: {e}"), false))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(reject(
            format!("file is {size} bytes; the limit is {MAX_FILE_BYTES} bytes"),
            true,
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| reject(format!("cannot read file: {e}"), false))?;
    parse_bytes(&bytes, is_yaml(path)).map_err(|message| {
        let claims_entry = claims_entry(&bytes);
        reject(message, claims_entry)
    })
}

/// Parses a document already in memory (used for files reached by `$ref`
/// too, where every failure is an error).
pub fn parse_bytes(bytes: &[u8], yaml: bool) -> Result<Value, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("file is empty".to_string());
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "file is not UTF-8 text (invalid byte at offset {}); {SUPPORTED}",
            e.valid_up_to()
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if yaml {
        let yaml: serde_norway::Value =
            serde_norway::from_str(text).map_err(|e| format!("invalid YAML: {e}"))?;
        yaml_to_json(yaml, 0)
    } else {
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))
    }
}

/// serde_norway and serde_json both stop at 128 levels while parsing; the
/// same bound here keeps this conversion's recursion shallow.
const MAX_DEPTH: usize = 128;

fn yaml_to_json(value: serde_norway::Value, depth: usize) -> Result<Value, String> {
    use serde_norway::Value as Y;
    if depth > MAX_DEPTH {
        return Err(format!("document nests deeper than {MAX_DEPTH} levels"));
    }
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| format!("number {n} is not finite"))?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(|v| yaml_to_json(v, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_string(),
                    other => {
                        return Err(format!(
                            "mapping key {other:?} is not a scalar; JSON-compatible YAML is required"
                        ));
                    }
                };
                out.insert(key, yaml_to_json(v, depth + 1)?);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value, depth)?,
    })
}

fn claims_entry(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    ["\"swagger\"", "\"openapi\"", "swagger:", "openapi:"]
        .iter()
        .any(|k| text.contains(k))
}

/// `Some(format)` for an entry document, `None` for any other file.
pub fn entry_format(value: &Value, shown: &str) -> Result<Option<SourceFormat>, Diagnostic> {
    let Value::Object(root) = value else {
        return Ok(None);
    };
    let at = |key: &str| Location::new(shown, format!("/{key}"));
    if let Some(v) = root.get("swaggerVersion") {
        return Err(Diagnostic::new(
            at("swaggerVersion"),
            format!("Swagger {} is not supported; {SUPPORTED}", show(v)),
        ));
    }
    match (root.get("swagger"), root.get("openapi")) {
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(Diagnostic::new(
            Location::new(shown, ""),
            "document has both `swagger` and `openapi`; a document is one or the other",
        )),
        (Some(v), None) => match v {
            Value::String(s) if s == "2.0" => Ok(Some(SourceFormat::Swagger2)),
            Value::Number(n) if n.as_f64() == Some(2.0) => Ok(Some(SourceFormat::Swagger2)),
            other => Err(Diagnostic::new(
                at("swagger"),
                format!(
                    "Swagger version {} is not supported; {SUPPORTED}",
                    show(other)
                ),
            )),
        },
        (None, Some(v)) => match v {
            Value::String(s) if s == "3.0" || s.starts_with("3.0.") => {
                Ok(Some(SourceFormat::OpenApi3 { version: s.clone() }))
            }
            other => Err(Diagnostic::new(
                at("openapi"),
                format!(
                    "OpenAPI version {} is not supported; {SUPPORTED}",
                    show(other)
                ),
            )),
        },
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_integer_keys_become_strings() {
        let v = parse_bytes(b"responses:\n  200:\n    description: ok\n", true).expect("parses");
        assert_eq!(v["responses"]["200"]["description"], "ok");
    }

    #[test]
    fn empty_and_binary_files_are_refused() {
        assert_eq!(parse_bytes(b"  \n", true), Err("file is empty".to_string()));
        let err = parse_bytes(&[0xff, 0xfe, 0x00], false).expect_err("binary");
        assert!(err.contains("not UTF-8"), "{err}");
    }

    #[test]
    fn versions_are_checked() {
        let ok = serde_json::json!({"swagger": "2.0"});
        assert_eq!(
            entry_format(&ok, "a.json"),
            Ok(Some(SourceFormat::Swagger2))
        );
        let v31 = serde_json::json!({"openapi": "3.1.0"});
        let err = entry_format(&v31, "a.json").expect_err("3.1 refused");
        assert_eq!(err.location, Location::new("a.json", "/openapi"));
        assert!(
            err.message.contains("3.1.0 is not supported"),
            "{}",
            err.message
        );
        let v12 = serde_json::json!({"swagger": "1.2"});
        assert!(entry_format(&v12, "a.json").is_err());
        assert_eq!(entry_format(&serde_json::json!([1]), "a.json"), Ok(None));
    }
}
