//! The published documents (`generated/openapi/*.yaml`), for what the
//! generated types cannot check on their own: enum values. The generated
//! client keeps unknown enum values (a new server value must not break
//! it), so decoding a request into those types accepts `"imageType":
//! "AAA"`; the service, and so the emulator, refuses it with a 400 naming
//! the field.

use std::sync::{Arc, OnceLock};

use serde_json::Value;

/// Each surface's document, as `cargo xtask codegen` wrote it
/// (`generated/openapi/<surface>.yaml`, listed by `build.rs`).
const SOURCES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/documents.rs"));

/// How deep `$ref`s and nesting are followed; the documents need far less.
const MAX_DEPTH: usize = 64;

/// One operation that takes a body: where it lives and the body's schema.
#[derive(Debug)]
struct BodyOperation {
    method: String,
    /// Path segments; `None` for a `{parameter}`.
    segments: Vec<Option<String>>,
    document: usize,
    schema: Value,
}

/// Request-body schemas of every operation of every surface.
#[derive(Debug, Default)]
pub(crate) struct Documents {
    documents: Vec<Value>,
    operations: Vec<BodyOperation>,
}

impl Documents {
    /// The documents, parsed once per process: they are compiled in, so
    /// every emulator started here shares them.
    pub(crate) fn shared() -> Result<Arc<Self>, String> {
        static SHARED: OnceLock<Result<Arc<Documents>, String>> = OnceLock::new();
        SHARED.get_or_init(|| Self::load().map(Arc::new)).clone()
    }

    fn load() -> Result<Self, String> {
        let mut out = Documents::default();
        for &(surface, source) in SOURCES {
            let document: Value = serde_norway::from_str(source)
                .map_err(|e| format!("generated/openapi/{surface}.yaml: {e}"))?;
            let index = out.documents.len();
            if let Some(paths) = document.get("paths").and_then(Value::as_object) {
                for (path, item) in paths {
                    let Some(item) = item.as_object() else {
                        continue;
                    };
                    for (method, operation) in item {
                        let schema = operation
                            .pointer("/requestBody/content")
                            .and_then(Value::as_object)
                            .and_then(|content| content.values().next())
                            .and_then(|media| media.get("schema"));
                        if let Some(schema) = schema {
                            out.operations.push(BodyOperation {
                                method: method.to_ascii_uppercase(),
                                segments: segments_of(path),
                                document: index,
                                schema: schema.clone(),
                            });
                        }
                    }
                }
            }
            out.documents.push(document);
        }
        Ok(out)
    }

    /// Checks the enum values in `body` sent as `method path`: the first
    /// one a document does not list, as ``"`field`: `value` is not one of
    /// …"``.
    pub(crate) fn check(&self, method: &str, path: &str, body: &Value) -> Result<(), String> {
        let request: Vec<&str> = path.trim_matches('/').split('/').collect();
        // Of the templates that match, the one with the most literal
        // segments (`/services/{id}/keys` over `/services/{id}/{x}`).
        let found = self
            .operations
            .iter()
            .filter(|op| op.method == method && matches(&op.segments, &request))
            .max_by_key(|op| op.segments.iter().filter(|s| s.is_some()).count());
        let Some(op) = found else {
            return Ok(());
        };
        let Some(document) = self.documents.get(op.document) else {
            return Ok(());
        };
        check(document, &op.schema, body, "", 0)
    }
}

fn segments_of(template: &str) -> Vec<Option<String>> {
    template
        .trim_matches('/')
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                None
            } else {
                Some(s.to_ascii_lowercase())
            }
        })
        .collect()
}

fn matches(template: &[Option<String>], request: &[&str]) -> bool {
    template.len() == request.len()
        && template.iter().zip(request).all(|(t, r)| match t {
            None => !r.is_empty(),
            Some(literal) => literal.eq_ignore_ascii_case(r),
        })
}

fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    let mut schema = schema;
    for _ in 0..MAX_DEPTH {
        match schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|pointer| document.pointer(pointer))
        {
            Some(target) => schema = target,
            None => break,
        }
    }
    schema
}

fn check(
    document: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let schema = resolve(document, schema);
    if let (Some(allowed), Value::String(s)) = (schema.get("enum").and_then(Value::as_array), value)
        && !allowed.iter().any(|a| a.as_str() == Some(s))
    {
        let list: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
        let field = if at.is_empty() { "body" } else { at };
        return Err(format!(
            "`{field}`: `{s}` is not one of {}",
            list.join(", ")
        ));
    }
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        check(document, part, value, at, depth + 1)?;
    }
    match value {
        Value::Object(fields) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            for (name, field) in fields {
                let field_schema = properties.and_then(|p| p.get(name)).or(additional);
                if let Some(field_schema) = field_schema {
                    let path = if at.is_empty() {
                        name.clone()
                    } else {
                        format!("{at}.{name}")
                    };
                    check(document, field_schema, field, &path, depth + 1)?;
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(
                        document,
                        item_schema,
                        item,
                        &format!("{at}[{i}]"),
                        depth + 1,
                    )?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `build.rs` found a document for every surface the crate has.
    #[test]
    fn every_surface_has_its_document() {
        let mut compiled: Vec<&str> = SOURCES.iter().map(|(name, _)| *name).collect();
        let mut surfaces: Vec<&str> = azureml_mms::SURFACES.iter().map(|s| s.feature).collect();
        compiled.sort_unstable();
        surfaces.sort_unstable();
        assert_eq!(compiled, surfaces);
    }

    fn documents() -> Documents {
        Documents::load().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn every_document_loads_and_has_bodies() {
        let docs = documents();
        assert_eq!(docs.documents.len(), 5);
        assert!(docs.operations.len() >= 20, "{}", docs.operations.len());
    }

    #[test]
    fn an_unknown_enum_value_is_named_with_its_field() {
        let docs = documents();
        let path = "/api/subscriptions/s/resourceGroups/r/accounts/a/images";
        let body =
            json!({"name": "i", "computeResourceId": "c", "manifestId": "m", "imageType": "AAA"});
        let err = docs.check("POST", path, &body).expect_err("AAA");
        assert!(
            err.contains("`imageType`: `AAA` is not one of Docker"),
            "{err}"
        );
        let good = json!({"name": "i", "computeResourceId": "c", "manifestId": "m", "imageType": "Docker"});
        assert_eq!(docs.check("POST", path, &good), Ok(()));
    }

    #[test]
    fn nested_and_array_values_are_checked() {
        let docs = documents();
        let path = "/api/subscriptions/s/resourceGroups/r/accounts/a/manifests";
        let body = json!({
            "name": "m", "driverProgram": "score.py", "assets": [],
            "targetRuntime": {"runtimeType": "Cobol", "properties": {}}
        });
        let err = docs.check("POST", path, &body).expect_err("Cobol");
        assert!(
            err.starts_with("`targetRuntime.runtimeType`: `Cobol`"),
            "{err}"
        );
    }

    #[test]
    fn unknown_routes_and_bodiless_operations_pass() {
        let docs = documents();
        assert_eq!(docs.check("POST", "/nowhere", &json!({"x": 1})), Ok(()));
        let get = "/api/subscriptions/s/resourceGroups/r/accounts/a/images";
        assert_eq!(docs.check("GET", get, &json!("AAA")), Ok(()));
    }
}
