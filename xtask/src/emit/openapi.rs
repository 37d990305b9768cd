//! Writes `openapi/<surface>.yaml`: the normalized OpenAPI 3.0 document of
//! a surface, built from the IR, so other tools see the same decisions as
//! the Rust client (shared types, folded enum spellings, repaired types,
//! canonical parameter names in templates, no `Authorization` parameter).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::TypeIndex;
use crate::ir::{
    Api, FinalState, LroHandle, OperationKind, ParamIn, PathSegment, Primitive, Surface, TypeDef,
    TypeKind, TypeRef,
};

pub fn document(surface: &Surface, api: &Api, index: &TypeIndex<'_>) -> Result<String, String> {
    let mut schemas = Schemas::new(index);
    let mut paths: Map<String, Value> = Map::new();
    for op in &surface.operations {
        // Template variables take the canonical names; the wire is the same.
        let mut template = String::new();
        let mut path_params = Vec::new();
        for seg in &op.path {
            match seg {
                PathSegment::Literal(l) => template.push_str(l),
                PathSegment::Param(wire) => {
                    let (name, doc) = canonical_path_param(surface, op, wire);
                    template.push_str(&format!("{{{name}}}"));
                    path_params.push(json!({
                        "name": name,
                        "in": "path",
                        "required": true,
                        "description": doc,
                        "schema": {"type": "string"},
                    }));
                }
            }
        }
        let mut parameters = path_params;
        for p in op.params.iter().filter(|p| p.location != ParamIn::Path) {
            let mut param = json!({
                "name": p.wire_name,
                "in": if p.location == ParamIn::Query { "query" } else { "header" },
                "required": p.required,
                "schema": schemas.schema_of(&p.ty),
            });
            if let Some(d) = &p.doc {
                param["description"] = json!(d);
            }
            if matches!(p.ty, TypeRef::Vec(_)) {
                param["style"] = json!(if p.location == ParamIn::Query {
                    "form"
                } else {
                    "simple"
                });
                param["explode"] = json!(p.explode);
            }
            parameters.push(param);
        }
        if let Some(v) = &surface.api_version {
            parameters.push(json!({
                "name": v.param,
                "in": "query",
                "required": true,
                "description": "The API version.",
                "schema": {"type": "string", "default": v.value},
            }));
        }
        let mut operation = json!({
            "operationId": op.operation_id,
            "tags": [if op.group.is_empty() { "default".to_string() } else { op.group.clone() }],
            "parameters": parameters,
            "responses": {},
        });
        if let Some(d) = &op.doc {
            let mut lines = d.lines();
            operation["summary"] = json!(lines.next().unwrap_or_default());
            operation["description"] = json!(d);
        }
        if let Some(body) = &op.body {
            let mut rb = json!({
                "required": body.required,
                "content": {body.media_type.clone(): {"schema": schemas.schema_of(&body.ty)}},
            });
            if let Some(d) = &body.doc {
                rb["description"] = json!(d);
            }
            operation["requestBody"] = rb;
        }
        let mut responses = Map::new();
        for r in &op.responses {
            let mut response = json!({"description": r.doc.clone().filter(|d| !d.is_empty()).unwrap_or_else(|| "Success.".into())});
            if let Some(t) = &r.ty {
                response["content"] = json!({"application/json": {"schema": schemas.schema_of(t)}});
            }
            if !r.headers.is_empty() {
                let headers: Map<String, Value> = r
                    .headers
                    .iter()
                    .map(|h| {
                        let mut header = json!({"schema": {"type": "string"}});
                        if let Some(d) = &h.doc {
                            header["description"] = json!(d);
                        }
                        (h.wire_name.clone(), header)
                    })
                    .collect();
                response["headers"] = Value::Object(headers);
            }
            responses.insert(r.status.to_string(), response);
        }
        let mut default = json!({"description": "The service's error."});
        if let Some(t) = &op.error {
            default["content"] = json!({"application/json": {"schema": schemas.schema_of(t)}});
        }
        responses.insert("default".into(), default);
        operation["responses"] = Value::Object(responses);
        match &op.kind {
            OperationKind::Plain => {}
            OperationKind::Pageable(p) => {
                let mut pageable = json!({"nextLinkName": p.next_link_field});
                if p.item_field != "value" {
                    pageable["itemName"] = json!(p.item_field);
                }
                operation["x-ms-pageable"] = pageable;
            }
            OperationKind::LongRunning(lro) => {
                operation["x-ms-long-running-operation"] = json!(true);
                let via = match &lro.handle {
                    LroHandle::Header(h) => Some(match h.to_ascii_lowercase().as_str() {
                        "azure-asyncoperation" => "azure-async-operation",
                        "location" => "location",
                        _ => "operation-location",
                    }),
                    LroHandle::Azure(final_state) => final_state.map(FinalState::as_str),
                    LroHandle::OperationId { .. } => None,
                };
                if let Some(via) = via {
                    operation["x-ms-long-running-operation-options"] =
                        json!({"final-state-via": via});
                }
            }
        }
        let method = op.method.as_str().to_ascii_lowercase();
        let item = paths.entry(template).or_insert_with(|| json!({}));
        if let Value::Object(item) = item {
            item.insert(method, operation);
        }
    }
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": surface.title,
            "version": surface.api_version.as_ref().map_or("1.0".to_string(), |v| v.value.clone()),
            "description": format!(
                "{}\n\nNormalized by azureml-mms `cargo xtask codegen` from {}.",
                surface.doc.clone().unwrap_or_default(),
                surface.source.file
            ).trim().to_string(),
        },
        "paths": paths,
        "components": {"schemas": schemas.finish()},
    });
    if let Some(e) = &surface.default_endpoint {
        doc["servers"] = json!([{"url": e}]);
    }
    if let Some(scope) = &surface.auth_scope {
        doc["components"]["securitySchemes"] = json!({"azure_auth": {
            "type": "oauth2",
            "flows": {"implicit": {
                "authorizationUrl": "https://login.microsoftonline.com/common/oauth2/authorize",
                "scopes": {scope.clone(): "Access the service as the signed-in identity."},
            }},
        }});
        doc["security"] = json!([{"azure_auth": [scope]}]);
    }
    let _ = api;
    let yaml = serde_norway::to_string(&doc)
        .map_err(|e| format!("openapi/{}.yaml: {e}", surface.feature))?;
    Ok(format!("{}{yaml}", super::banner("#", "from the specs")))
}

fn canonical_path_param(
    surface: &Surface,
    op: &crate::ir::Operation,
    wire: &str,
) -> (String, String) {
    if let Some(scope) = op.scope.map(|i| &surface.scopes[i])
        && let Some(p) = scope
            .params
            .iter()
            .find(|p| p.wire_names.iter().any(|w| w == wire))
    {
        return (wire.to_string(), p.doc.clone());
    }
    match op
        .params
        .iter()
        .find(|p| p.location == ParamIn::Path && p.wire_name == wire)
    {
        Some(p) => (
            p.rust_name.trim_start_matches("r#").to_string(),
            p.doc.clone().unwrap_or_else(|| format!("`{wire}`")),
        ),
        None => (wire.to_string(), format!("`{wire}`")),
    }
}

/// The component schemas a document needs, gathered as they are referenced.
struct Schemas<'a> {
    index: &'a TypeIndex<'a>,
    out: BTreeMap<String, Value>,
    queue: Vec<TypeRef>,
    seen: BTreeSet<TypeRef>,
    /// Variant structs and the tag they must carry.
    tags: BTreeMap<TypeRef, (String, Vec<String>)>,
}

impl<'a> Schemas<'a> {
    fn new(index: &'a TypeIndex<'a>) -> Self {
        Self {
            index,
            out: BTreeMap::new(),
            queue: Vec::new(),
            seen: BTreeSet::new(),
            tags: BTreeMap::new(),
        }
    }

    fn schema_of(&mut self, t: &TypeRef) -> Value {
        match t {
            TypeRef::Primitive(p) => match p {
                Primitive::String => json!({"type": "string"}),
                Primitive::Secret => json!({"type": "string", "x-ms-secret": true}),
                Primitive::Bool => json!({"type": "boolean"}),
                Primitive::I32 => json!({"type": "integer", "format": "int32"}),
                Primitive::I64 => json!({"type": "integer", "format": "int64"}),
                Primitive::F32 => json!({"type": "number", "format": "float"}),
                Primitive::F64 => json!({"type": "number", "format": "double"}),
                Primitive::DateTime => json!({"type": "string", "format": "date-time"}),
                Primitive::DateTimeRfc1123 => {
                    json!({"type": "string", "format": "date-time-rfc1123"})
                }
                Primitive::Bytes => json!({"type": "string", "format": "byte"}),
                Primitive::Base64Url => json!({"type": "string", "format": "base64url"}),
            },
            TypeRef::Vec(inner) => json!({"type": "array", "items": self.schema_of(inner)}),
            TypeRef::Map(inner) => match inner.as_ref() {
                TypeRef::Any => json!({"type": "object", "additionalProperties": true}),
                other => json!({"type": "object", "additionalProperties": self.schema_of(other)}),
            },
            TypeRef::Any => json!({}),
            TypeRef::Page(inner) => json!({
                "type": "object",
                "properties": {
                    "value": {"type": "array", "items": self.schema_of(inner)},
                    "nextLink": {"type": "string", "nullable": true},
                },
            }),
            TypeRef::Named { name, .. } => {
                if self.seen.insert(t.clone()) {
                    self.queue.push(t.clone());
                }
                json!({"$ref": format!("#/components/schemas/{name}")})
            }
        }
    }

    fn finish(mut self) -> Value {
        while let Some(t) = self.queue.pop() {
            let Some(def) = self.index.def(&t) else {
                continue;
            };
            let schema = self.definition(def);
            self.out.insert(def.name.clone(), schema);
        }
        // A union's variants carry its tag.
        for (t, (tag, values)) in std::mem::take(&mut self.tags) {
            let Some(def) = self.index.def(&t) else {
                continue;
            };
            if let Some(Value::Object(schema)) = self.out.get_mut(&def.name) {
                let props = schema.entry("properties").or_insert_with(|| json!({}));
                if let Value::Object(props) = props {
                    props.insert(tag.clone(), json!({"type": "string", "enum": values}));
                }
                let required = schema.entry("required").or_insert_with(|| json!([]));
                if let Value::Array(required) = required
                    && !required.contains(&json!(tag))
                {
                    required.push(json!(tag));
                }
            }
        }
        Value::Object(self.out.into_iter().collect())
    }

    fn definition(&mut self, def: &TypeDef) -> Value {
        let mut schema = match &def.kind {
            TypeKind::Struct(s) => {
                let mut props = Map::new();
                let mut required = Vec::new();
                for f in &s.fields {
                    let mut p = self.schema_of(&f.ty);
                    if let Some(d) = &f.doc {
                        p = with_description(p, d);
                    }
                    if f.read_only {
                        p = match p {
                            Value::Object(mut m) if !m.contains_key("$ref") => {
                                m.insert("readOnly".into(), json!(true));
                                Value::Object(m)
                            }
                            other => other,
                        };
                    }
                    if f.required {
                        required.push(json!(f.wire_name));
                    }
                    props.insert(f.wire_name.clone(), p);
                }
                let mut schema = json!({"type": "object", "properties": props});
                if !required.is_empty() {
                    schema["required"] = Value::Array(required);
                }
                if let Some(a) = &s.additional {
                    schema["additionalProperties"] = match a {
                        TypeRef::Any => json!(true),
                        other => self.schema_of(other),
                    };
                }
                schema
            }
            TypeKind::Enum(e) => {
                let values: Vec<&String> = e
                    .values
                    .iter()
                    .flat_map(|v| std::iter::once(&v.wire).chain(&v.aliases))
                    .collect();
                json!({
                    "type": "string",
                    "enum": values,
                    "x-ms-enum": {"name": def.name, "modelAsString": true},
                })
            }
            TypeKind::Union(u) => {
                let mut one_of = Vec::new();
                let mut mapping = Map::new();
                for v in &u.variants {
                    let r = self.schema_of(&v.ty);
                    if let TypeRef::Named { name, .. } = &v.ty {
                        for wire in std::iter::once(&v.wire).chain(&v.aliases) {
                            mapping.insert(
                                wire.clone(),
                                json!(format!("#/components/schemas/{name}")),
                            );
                        }
                    }
                    let tags = std::iter::once(v.wire.clone())
                        .chain(v.aliases.iter().cloned())
                        .collect();
                    self.tags.insert(v.ty.clone(), (u.tag.clone(), tags));
                    one_of.push(r);
                }
                json!({"oneOf": one_of, "discriminator": {"propertyName": u.tag, "mapping": mapping}})
            }
            TypeKind::Alias(t) => self.schema_of(t),
        };
        if let Some(d) = &def.doc {
            schema = with_description(schema, d);
        }
        schema
    }
}

/// Adds a description; beside a `$ref` that needs an `allOf` wrapper.
fn with_description(schema: Value, description: &str) -> Value {
    match schema {
        Value::Object(mut m) if !m.contains_key("$ref") => {
            m.insert("description".into(), json!(description));
            Value::Object(m)
        }
        other => json!({"allOf": [other], "description": description}),
    }
}
