//! Swagger 2.0 → OpenAPI 3.0.3, on JSON values, before `openapiv3` reads
//! them: body and formData parameters become request bodies, definitions
//! become `components.schemas`, produces/consumes become content types, and
//! every `x-` extension is kept where it stood. Each move is recorded in the
//! source map so errors still point into the file as written.

use serde_json::{Map, Value, json};

#[cfg(test)]
use super::pointer_get;
use super::{SourceMap, pointer_push};

const JSON: &str = "application/json";
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Schema keywords that Swagger 2.0 puts directly on a non-body parameter,
/// items object or header, and OpenAPI 3.0 puts in its `schema`.
const SCHEMA_KEYS: [&str; 17] = [
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "x-ms-enum",
];

pub fn convert(mut doc: Value, map: &mut SourceMap) -> Value {
    let Some(src) = doc.as_object_mut() else {
        return doc;
    };
    let src = std::mem::take(src);
    let global_consumes = media_types(src.get("consumes"));
    let global_produces = media_types(src.get("produces"));
    let global_params = src
        .get("parameters")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();

    let mut out = Map::new();
    out.insert("openapi".into(), json!("3.0.3"));
    out.insert(
        "info".into(),
        src.get("info").cloned().unwrap_or_else(|| json!({})),
    );
    if let Some(servers) = servers(&src) {
        out.insert("servers".into(), servers);
    }
    for key in ["security", "tags", "externalDocs"] {
        if let Some(v) = src.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    for (k, v) in &src {
        if k.starts_with("x-") {
            // Extensions such as `x-ms-parameterized-host` hold `$ref`s too.
            let mut v = v.clone();
            rewrite_refs(&mut v);
            out.insert(k.clone(), v);
        }
    }

    let mut components = Map::new();
    if let Some(Value::Object(defs)) = src.get("definitions") {
        let schemas: Map<String, Value> =
            defs.iter().map(|(k, v)| (k.clone(), schema(v))).collect();
        components.insert("schemas".into(), Value::Object(schemas));
        map.map_converted("/components/schemas".into(), "/definitions".into());
    }
    let mut params = Map::new();
    for (name, p) in &global_params {
        // Body and formData parameters have no OpenAPI 3 component of their
        // own: operations inline them into their request bodies.
        if !matches!(
            p.get("in").and_then(Value::as_str),
            Some("body" | "formData")
        ) {
            params.insert(name.clone(), parameter(p));
            map.map_converted(
                pointer_push("/components/parameters", name),
                pointer_push("/parameters", name),
            );
        }
    }
    if !params.is_empty() {
        components.insert("parameters".into(), Value::Object(params));
    }
    if let Some(Value::Object(responses)) = src.get("responses") {
        let converted = responses
            .iter()
            .map(|(k, v)| (k.clone(), response(v, &global_produces)))
            .collect();
        components.insert("responses".into(), Value::Object(converted));
        map.map_converted("/components/responses".into(), "/responses".into());
    }
    if let Some(Value::Object(schemes)) = src.get("securityDefinitions") {
        let converted = schemes
            .iter()
            .map(|(k, v)| (k.clone(), security_scheme(v)))
            .collect();
        components.insert("securitySchemes".into(), Value::Object(converted));
        map.map_converted(
            "/components/securitySchemes".into(),
            "/securityDefinitions".into(),
        );
    }
    if !components.is_empty() {
        out.insert("components".into(), Value::Object(components));
    }

    let mut paths = Map::new();
    if let Some(Value::Object(src_paths)) = src.get("paths") {
        for (path, item) in src_paths {
            let Value::Object(item) = item else {
                paths.insert(path.clone(), item.clone());
                continue;
            };
            let ctx = OpContext {
                global_params: &global_params,
                consumes: &global_consumes,
                produces: &global_produces,
                path_pointer: pointer_push("/paths", path),
            };
            paths.insert(path.clone(), Value::Object(path_item(item, &ctx, map)));
        }
    }
    out.insert("paths".into(), Value::Object(paths));
    Value::Object(out)
}

struct OpContext<'a> {
    global_params: &'a Map<String, Value>,
    consumes: &'a [String],
    produces: &'a [String],
    path_pointer: String,
}

fn path_item(
    item: &Map<String, Value>,
    ctx: &OpContext<'_>,
    map: &mut SourceMap,
) -> Map<String, Value> {
    let mut out = Map::new();
    let shared: Vec<Value> = item
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    // Non-body path-level parameters stay at path level; a path-level body
    // parameter is pushed down into each operation's request body.
    type Indexed = Vec<(usize, Value)>;
    let (shared_body, shared_plain): (Indexed, Indexed) = shared
        .into_iter()
        .enumerate()
        .partition(|(_, p)| is_body_like(p, ctx.global_params));
    if !shared_plain.is_empty() {
        let converted = shared_plain
            .iter()
            .enumerate()
            .map(|(new_i, (old_i, p))| {
                map.map_converted(
                    pointer_push(
                        &pointer_push(&ctx.path_pointer, "parameters"),
                        &new_i.to_string(),
                    ),
                    pointer_push(
                        &pointer_push(&ctx.path_pointer, "parameters"),
                        &old_i.to_string(),
                    ),
                );
                parameter(p)
            })
            .collect();
        out.insert("parameters".into(), Value::Array(converted));
    }
    for (key, value) in item {
        if key.starts_with("x-") || key == "summary" || key == "description" {
            out.insert(key.clone(), value.clone());
        } else if METHODS.contains(&key.as_str()) {
            let Value::Object(op) = value else {
                out.insert(key.clone(), value.clone());
                continue;
            };
            let op_pointer = pointer_push(&ctx.path_pointer, key);
            out.insert(
                key.clone(),
                Value::Object(operation(op, &shared_body, ctx, &op_pointer, map)),
            );
        }
    }
    out
}

fn operation(
    op: &Map<String, Value>,
    shared_body: &[(usize, Value)],
    ctx: &OpContext<'_>,
    op_pointer: &str,
    map: &mut SourceMap,
) -> Map<String, Value> {
    let consumes = op
        .get("consumes")
        .map_or_else(|| ctx.consumes.to_vec(), |v| media_types(Some(v)));
    let consumes = if consumes.is_empty() {
        vec![JSON.to_string()]
    } else {
        consumes
    };
    let produces = op
        .get("produces")
        .map_or_else(|| ctx.produces.to_vec(), |v| media_types(Some(v)));

    let mut out = Map::new();
    let mut params = Vec::new();
    let mut body: Option<(String, Value)> = None;
    let mut form: Vec<(String, Value)> = Vec::new();
    let own: Vec<Value> = op
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, p) in own.iter().enumerate() {
        let original = pointer_push(&pointer_push(op_pointer, "parameters"), &i.to_string());
        let resolved = resolve_param(p, ctx.global_params);
        match resolved.get("in").and_then(Value::as_str) {
            Some("body") => body = Some((original, resolved)),
            Some("formData") => form.push((original, resolved)),
            _ => {
                map.map_converted(
                    pointer_push(
                        &pointer_push(op_pointer, "parameters"),
                        &params.len().to_string(),
                    ),
                    original,
                );
                params.push(parameter(p));
            }
        }
    }
    if let (None, Some((i, p))) = (&body, shared_body.first()) {
        let original = pointer_push(
            &pointer_push(&ctx.path_pointer, "parameters"),
            &i.to_string(),
        );
        body = Some((original, resolve_param(p, ctx.global_params)));
    }
    for (key, value) in op {
        match key.as_str() {
            "parameters" | "consumes" | "produces" | "schemes" | "responses" => {}
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    if !params.is_empty() {
        out.insert("parameters".into(), Value::Array(params));
    }
    let request_body_pointer = pointer_push(op_pointer, "requestBody");
    if let Some((original, p)) = body {
        let schema_value = p.get("schema").map(schema).unwrap_or_else(|| json!({}));
        let content: Map<String, Value> = consumes
            .iter()
            .map(|m| (m.clone(), json!({ "schema": schema_value })))
            .collect();
        for m in &consumes {
            map.map_converted(
                pointer_push(
                    &pointer_push(&pointer_push(&request_body_pointer, "content"), m),
                    "schema",
                ),
                pointer_push(&original, "schema"),
            );
        }
        map.map_converted(request_body_pointer.clone(), original);
        let mut rb = Map::new();
        if let Some(d) = p.get("description") {
            rb.insert("description".into(), d.clone());
        }
        rb.insert("content".into(), Value::Object(content));
        if p.get("required").and_then(Value::as_bool) == Some(true) {
            rb.insert("required".into(), json!(true));
        }
        copy_extensions(&p, &mut rb);
        // OpenAPI 3 bodies have no name; examples give the body under the
        // Swagger parameter's name. AutoRest's extension keeps it.
        if let Some(name) = p.get("name").filter(|n| n.is_string()) {
            rb.entry("x-ms-requestBody-name")
                .or_insert_with(|| name.clone());
        }
        out.insert("requestBody".into(), Value::Object(rb));
    } else if !form.is_empty() {
        let mut properties = Map::new();
        let mut required = Vec::new();
        let has_file = form
            .iter()
            .any(|(_, p)| p.get("type").and_then(Value::as_str) == Some("file"));
        for (original, p) in &form {
            let name = p
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let mut s = p.as_object().map(parameter_schema).unwrap_or_default();
            if let Some(d) = p.get("description") {
                s.insert("description".into(), d.clone());
            }
            if p.get("required").and_then(Value::as_bool) == Some(true) {
                required.push(json!(name));
            }
            map.map_converted(pointer_push(&request_body_pointer, &name), original.clone());
            properties.insert(name, Value::Object(s));
        }
        let media = if has_file || consumes.iter().any(|m| m == "multipart/form-data") {
            "multipart/form-data"
        } else {
            "application/x-www-form-urlencoded"
        };
        let mut s = json!({ "type": "object", "properties": properties });
        if !required.is_empty() {
            s["required"] = Value::Array(required.clone());
        }
        let mut rb = json!({ "content": { media: { "schema": s } } });
        if !required.is_empty() {
            rb["required"] = json!(true);
        }
        out.insert("requestBody".into(), rb);
    }
    if let Some(Value::Object(responses)) = op.get("responses") {
        let converted = responses
            .iter()
            .map(|(code, r)| {
                let converted_schema = pointer_push(&pointer_push(op_pointer, "responses"), code);
                for m in &produces_or_json(&produces) {
                    map.map_converted(
                        pointer_push(
                            &pointer_push(&pointer_push(&converted_schema, "content"), m),
                            "schema",
                        ),
                        pointer_push(&converted_schema, "schema"),
                    );
                }
                (code.clone(), response(r, &produces))
            })
            .collect();
        out.insert("responses".into(), Value::Object(converted));
    }
    out
}

fn produces_or_json(produces: &[String]) -> Vec<String> {
    if produces.is_empty() {
        vec![JSON.to_string()]
    } else {
        produces.to_vec()
    }
}

fn is_body_like(p: &Value, globals: &Map<String, Value>) -> bool {
    matches!(
        resolve_param(p, globals).get("in").and_then(Value::as_str),
        Some("body" | "formData")
    )
}

/// A parameter with a `#/parameters/X` reference replaced by its target.
fn resolve_param(p: &Value, globals: &Map<String, Value>) -> Value {
    let target = p
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/parameters/"))
        .map(|name| name.replace("~1", "/").replace("~0", "~"));
    match target.and_then(|name| globals.get(&name)) {
        Some(v) => v.clone(),
        None => p.clone(),
    }
}

fn parameter(p: &Value) -> Value {
    let Value::Object(p) = p else {
        return p.clone();
    };
    if let Some(Value::String(r)) = p.get("$ref") {
        return json!({ "$ref": rewrite_ref(r) });
    }
    let mut out = Map::new();
    for key in [
        "name",
        "in",
        "description",
        "required",
        "deprecated",
        "allowEmptyValue",
    ] {
        if let Some(v) = p.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    let location = p.get("in").and_then(Value::as_str).unwrap_or_default();
    if let Some(Value::String(format)) = p.get("collectionFormat") {
        let (style, explode) = match (format.as_str(), location) {
            ("multi", _) => ("form", true),
            ("ssv", _) => ("spaceDelimited", false),
            ("pipes", _) => ("pipeDelimited", false),
            (_, "query" | "cookie") => ("form", false),
            _ => ("simple", false),
        };
        out.insert("style".into(), json!(style));
        out.insert("explode".into(), json!(explode));
    }
    out.insert("schema".into(), Value::Object(parameter_schema(p)));
    for (k, v) in p {
        if k.starts_with("x-") && k != "x-ms-enum" {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// The schema of a non-body parameter, header or items object.
/// The schema of a Swagger 2.0 non-body parameter (or items, or header),
/// whose keywords stand on the parameter itself, as OpenAPI 3.0 writes it.
pub fn parameter_schema(p: &Map<String, Value>) -> Map<String, Value> {
    let mut s = Map::new();
    for key in SCHEMA_KEYS {
        if let Some(v) = p.get(key) {
            let v = match key {
                "items" => match v {
                    Value::Object(items) => Value::Object(parameter_schema(items)),
                    other => other.clone(),
                },
                _ => v.clone(),
            };
            s.insert(key.into(), v);
        }
    }
    if s.get("type").and_then(Value::as_str) == Some("file") {
        s.insert("type".into(), json!("string"));
        s.insert("format".into(), json!("binary"));
    }
    if let Some(v) = p.get("x-nullable") {
        s.insert("nullable".into(), v.clone());
    }
    s
}

fn response(r: &Value, produces: &[String]) -> Value {
    let Value::Object(r) = r else {
        return r.clone();
    };
    if let Some(Value::String(target)) = r.get("$ref") {
        return json!({ "$ref": rewrite_ref(target) });
    }
    let mut out = Map::new();
    out.insert(
        "description".into(),
        r.get("description").cloned().unwrap_or_else(|| json!("")),
    );
    if let Some(Value::Object(headers)) = r.get("headers") {
        let converted: Map<String, Value> = headers
            .iter()
            .map(|(name, h)| {
                let mut header = Map::new();
                if let Some(Value::Object(h)) = Some(h) {
                    if let Some(d) = h.get("description") {
                        header.insert("description".into(), d.clone());
                    }
                    header.insert("schema".into(), Value::Object(parameter_schema(h)));
                    copy_extensions(&Value::Object(h.clone()), &mut header);
                }
                (name.clone(), Value::Object(header))
            })
            .collect();
        out.insert("headers".into(), Value::Object(converted));
    }
    if let Some(s) = r.get("schema") {
        let s = schema(s);
        let content: Map<String, Value> = produces_or_json(produces)
            .into_iter()
            .map(|m| (m, json!({ "schema": s })))
            .collect();
        out.insert("content".into(), Value::Object(content));
    }
    copy_extensions(&Value::Object(r.clone()), &mut out);
    Value::Object(out)
}

/// A Swagger 2.0 schema object as OpenAPI 3.0: `discriminator` becomes an
/// object, `type: file` a binary string, `x-nullable` `nullable`.
pub fn schema(s: &Value) -> Value {
    match s {
        Value::Object(obj) => {
            let mut out = Map::new();
            for (k, v) in obj {
                let v = match k.as_str() {
                    "$ref" => match v {
                        Value::String(r) => Value::String(rewrite_ref(r)),
                        other => other.clone(),
                    },
                    "discriminator" => match v {
                        Value::String(name) => json!({ "propertyName": name }),
                        other => other.clone(),
                    },
                    "x-nullable" => {
                        out.insert("nullable".into(), v.clone());
                        continue;
                    }
                    "properties" => match v {
                        Value::Object(props) => Value::Object(
                            props.iter().map(|(n, p)| (n.clone(), schema(p))).collect(),
                        ),
                        other => other.clone(),
                    },
                    "items" | "additionalProperties" | "not" => schema(v),
                    "allOf" | "oneOf" | "anyOf" => match v {
                        Value::Array(items) => Value::Array(items.iter().map(schema).collect()),
                        other => other.clone(),
                    },
                    _ => v.clone(),
                };
                out.insert(k.clone(), v);
            }
            // Swagger's `type: file`, and the `format: file` Azure specs
            // also write on objects, are binary.
            if out.get("type").and_then(Value::as_str) == Some("file")
                || out.get("format").and_then(Value::as_str) == Some("file")
            {
                out.insert("type".into(), json!("string"));
                out.insert("format".into(), json!("binary"));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

fn rewrite_ref(r: &str) -> String {
    for (from, to) in [
        ("#/definitions/", "#/components/schemas/"),
        ("#/parameters/", "#/components/parameters/"),
        ("#/responses/", "#/components/responses/"),
    ] {
        if let Some(rest) = r.strip_prefix(from) {
            return format!("{to}{rest}");
        }
    }
    r.to_string()
}

/// Rewrites every Swagger 2.0 `$ref` below `v` to its OpenAPI 3.0 place.
fn rewrite_refs(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                match (k.as_str(), child) {
                    ("$ref", Value::String(r)) => *r = rewrite_ref(r),
                    (_, child) => rewrite_refs(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

fn security_scheme(s: &Value) -> Value {
    let Value::Object(obj) = s else {
        return s.clone();
    };
    let mut out = match obj.get("type").and_then(Value::as_str) {
        Some("basic") => json!({ "type": "http", "scheme": "basic" }),
        Some("apiKey") => json!({
            "type": "apiKey",
            "name": obj.get("name").cloned().unwrap_or(json!("")),
            "in": obj.get("in").cloned().unwrap_or(json!("header")),
        }),
        Some("oauth2") => {
            let scopes = obj.get("scopes").cloned().unwrap_or_else(|| json!({}));
            let auth = obj.get("authorizationUrl").cloned().unwrap_or(json!(""));
            let token = obj.get("tokenUrl").cloned().unwrap_or(json!(""));
            let flows = match obj.get("flow").and_then(Value::as_str) {
                Some("password") => json!({ "password": { "tokenUrl": token, "scopes": scopes } }),
                Some("application") => {
                    json!({ "clientCredentials": { "tokenUrl": token, "scopes": scopes } })
                }
                Some("accessCode") => json!({
                    "authorizationCode": { "authorizationUrl": auth, "tokenUrl": token, "scopes": scopes }
                }),
                _ => json!({ "implicit": { "authorizationUrl": auth, "scopes": scopes } }),
            };
            json!({ "type": "oauth2", "flows": flows })
        }
        _ => s.clone(),
    };
    if let (Some(d), Value::Object(o)) = (obj.get("description"), &mut out) {
        o.insert("description".into(), d.clone());
    }
    if let Value::Object(o) = &mut out {
        copy_extensions(s, o);
    }
    out
}

fn servers(src: &Map<String, Value>) -> Option<Value> {
    let host = src.get("host").and_then(Value::as_str)?;
    let base = src.get("basePath").and_then(Value::as_str).unwrap_or("");
    let base = base.trim_end_matches('/');
    let schemes = media_types(src.get("schemes"));
    let schemes = if schemes.is_empty() {
        vec!["https".to_string()]
    } else {
        schemes
    };
    Some(Value::Array(
        schemes
            .iter()
            .map(|s| json!({ "url": format!("{s}://{host}{base}") }))
            .collect(),
    ))
}

fn media_types(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn copy_extensions(from: &Value, to: &mut Map<String, Value>) {
    if let Value::Object(from) = from {
        for (k, v) in from {
            if k.starts_with("x-") {
                to.insert(k.clone(), v.clone());
            }
        }
    }
}

/// The JSON at a pointer of the converted document, for tests.
#[cfg(test)]
fn at<'a>(doc: &'a Value, pointer: &str) -> &'a Value {
    pointer_get(doc, pointer).unwrap_or(&Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_body_params_definitions_and_discriminators() {
        let doc = json!({
            "swagger": "2.0",
            "info": {"title": "t", "version": "1"},
            "host": "example.net",
            "basePath": "/",
            "parameters": {
                "ApiVersion": {"name": "api-version", "in": "query", "required": true, "type": "string"}
            },
            "paths": {"/things": {"post": {
                "operationId": "Things_Create",
                "consumes": ["application/json-patch+json"],
                "parameters": [
                    {"$ref": "#/parameters/ApiVersion"},
                    {"name": "body", "in": "body", "required": true, "schema": {"$ref": "#/definitions/Thing"}}
                ],
                "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Thing"},
                    "headers": {"x-ms-request-id": {"type": "string"}}}}
            }}},
            "definitions": {"Thing": {"type": "object", "discriminator": "kind",
                "properties": {"kind": {"type": "string"}, "f": {"type": "file", "x-nullable": true}}}}
        });
        let mut map = SourceMap::default();
        let out = convert(doc, &mut map);
        assert_eq!(at(&out, "/servers/0/url"), "https://example.net");
        assert_eq!(
            at(&out, "/paths/~1things/post/parameters/0/$ref"),
            "#/components/parameters/ApiVersion"
        );
        assert_eq!(
            at(
                &out,
                "/paths/~1things/post/requestBody/content/application~1json-patch+json/schema/$ref"
            ),
            "#/components/schemas/Thing"
        );
        assert_eq!(at(&out, "/paths/~1things/post/requestBody/required"), true);
        assert_eq!(
            at(
                &out,
                "/paths/~1things/post/responses/200/headers/x-ms-request-id/schema/type"
            ),
            "string"
        );
        assert_eq!(
            at(&out, "/components/schemas/Thing/discriminator/propertyName"),
            "kind"
        );
        assert_eq!(
            at(&out, "/components/schemas/Thing/properties/f/format"),
            "binary"
        );
        assert_eq!(
            at(&out, "/components/schemas/Thing/properties/f/nullable"),
            true
        );
        assert_eq!(
            map.locate(
                "a.json",
                "/paths/~1things/post/requestBody/content/application~1json-patch+json/schema"
            ),
            super::super::Location::new("a.json", "/paths/~1things/post/parameters/1/schema")
        );
        let parsed: Result<openapiv3::OpenAPI, _> = serde_json::from_value(out);
        assert!(parsed.is_ok(), "{parsed:?}");
    }
}
