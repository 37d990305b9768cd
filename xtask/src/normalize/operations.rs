//! Paths and operations → IR operations: canonical names, scopes,
//! parameters, bodies, responses, paging and long-running polling.

use std::collections::BTreeMap;

use openapiv3::{Parameter, ParameterSchemaOrContent, ReferenceOr, StatusCode};
use serde_json::Value;

use super::examples::{Host, OperationFacts};
use super::rules::SurfaceRules;
use super::schema_view::{SchemaRef, View};
use super::types::TypeBuilder;
use crate::diagnostic::{Diagnostic, Location};
use crate::ir::{
    ApiVersion, Body, FinalState, LongRunning, LroHandle, Method, Operation, OperationKind, Paging,
    Param, ParamIn, PathSegment, Primitive, Response, ResponseHeader, Scope, TypeKind, TypeRef,
};
use crate::load::{Spec, pointer_push};
use crate::naming::{Namespace, module_name, type_name, value_name};

/// What the operations of one surface need to know about it.
pub struct OperationsOut {
    pub operations: Vec<Operation>,
    pub api_version: Option<ApiVersion>,
    /// Parameters given to the client's constructor, in the order first
    /// met.
    pub client_params: Vec<Param>,
}

/// Names the client's constructor uses for itself.
const RESERVED_CLIENT_ARGS: [&str; 4] = ["self", "endpoint", "credential", "options"];

/// Whether a parameter is the client's, not a method's: AutoRest's rule.
/// `x-ms-parameter-location` says so when present; without it, a Swagger
/// 2.0 global parameter (`#/parameters/X`, now a component) is the
/// client's, and anything else the method's (OpenAPI 3 components are
/// only a way to write a parameter once).
fn is_client_level(spec: &Spec, p: &ReferenceOr<Parameter>, resolved: &Parameter) -> bool {
    let said = resolved
        .parameter_data_ref()
        .extensions
        .get("x-ms-parameter-location")
        .and_then(Value::as_str);
    match said {
        Some(location) => location == "client",
        None => {
            spec.format == crate::load::SourceFormat::Swagger2
                && matches!(p, ReferenceOr::Reference { .. })
        }
    }
}

/// Names the emitted methods use for themselves.
const RESERVED_ARGS: [&str; 3] = ["self", "options", "body"];

/// Where examples are matched: the surface's host, the namespace of its
/// test names, and the warnings they may raise.
pub struct ExampleSink<'a> {
    pub host: &'a Host,
    /// The host template's parameters' Rust names (the constructor's).
    pub host_params: Vec<String>,
    pub tests: Namespace,
    pub warnings: &'a mut Vec<Diagnostic>,
}

pub fn build(
    spec: &Spec,
    rules: &SurfaceRules,
    scopes: &[Scope],
    types: &mut TypeBuilder<'_>,
    examples: &mut ExampleSink<'_>,
    errors: &mut Vec<Diagnostic>,
) -> OperationsOut {
    let doc = &spec.document;
    let mut api_version: Option<ApiVersion> = None;
    let mut operations = Vec::new();
    let mut method_names: BTreeMap<(Option<usize>, String), Namespace> = BTreeMap::new();
    let mut client_params: Vec<Param> = Vec::new();
    let mut client_names = Namespace::new();
    for r in RESERVED_CLIENT_ARGS {
        client_names.reserve(r);
    }
    for host in &examples.host_params {
        client_names.reserve(host);
    }
    let mut seen_ids: BTreeMap<String, Location> = BTreeMap::new();
    for (path, item) in doc.paths.paths.iter() {
        let path_pointer = pointer_push("/paths", path);
        let ReferenceOr::Item(item) = item else {
            errors.push(Diagnostic::new(
                spec.locate(&path_pointer),
                "a `$ref` path item is not supported; write the operations inline",
            ));
            continue;
        };
        for (method_name, op) in item.iter() {
            let op_pointer = pointer_push(&path_pointer, method_name);
            let location = spec.locate(&op_pointer);
            let method = match method_name {
                "get" => Method::Get,
                "put" => Method::Put,
                "post" => Method::Post,
                "patch" => Method::Patch,
                "delete" => Method::Delete,
                "head" => Method::Head,
                other => {
                    errors.push(Diagnostic::new(
                        location,
                        format!("`{other}` operations are not supported (azure_core sends GET, PUT, POST, PATCH, DELETE and HEAD)"),
                    ));
                    continue;
                }
            };
            if let Some(id) = &op.operation_id
                && let Some(first) = seen_ids.insert(id.clone(), location.clone())
            {
                errors.push(Diagnostic::new(
                    location,
                    format!("operationId `{id}` is used twice (first at {first}); operationIds name methods and must be unique"),
                ));
                continue;
            }
            let Some(operation_id) = op.operation_id.clone() else {
                errors.push(Diagnostic::new(
                    location,
                    "operation has no `operationId`; it names the generated method",
                ));
                continue;
            };
            let (group, name) = match rules.operations.get(&operation_id) {
                Some(rule) => (Some(rule.group.clone()), rule.name.clone()),
                None => match operation_id.split_once('_') {
                    Some((g, v)) if !g.is_empty() && !v.is_empty() => {
                        (Some(g.to_string()), v.to_string())
                    }
                    _ => (None, operation_id.clone()),
                },
            };
            let group = group.map(|g| module_name(&g));
            let name = value_name(&name);
            let template = match parse_template(path) {
                Ok(t) => t,
                Err(e) => {
                    errors.push(Diagnostic::new(spec.locate(&path_pointer), e));
                    continue;
                }
            };

            // Parameters: path-level ones, overridden by operation-level ones.
            let mut all: Vec<(String, &Parameter)> = Vec::new();
            let mut client_level: Vec<(String, u8)> = Vec::new();
            let sources = item
                .parameters
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    (
                        pointer_push(&pointer_push(&path_pointer, "parameters"), &i.to_string()),
                        p,
                    )
                })
                .chain(op.parameters.iter().enumerate().map(|(i, p)| {
                    (
                        pointer_push(&pointer_push(&op_pointer, "parameters"), &i.to_string()),
                        p,
                    )
                }));
            for (pointer, raw) in sources {
                let Some(p) = resolve_parameter(spec, raw) else {
                    errors.push(Diagnostic::new(
                        spec.locate(&pointer),
                        "parameter `$ref` does not name a parameter component",
                    ));
                    continue;
                };
                let key = (p.parameter_data_ref().name.clone(), location_of(p));
                all.retain(|(_, q)| (q.parameter_data_ref().name.clone(), location_of(q)) != key);
                client_level.retain(|k| *k != key);
                if is_client_level(spec, raw, p) {
                    client_level.push(key);
                }
                all.push((pointer, p));
            }

            // The deepest scope whose every parameter is a path parameter here.
            let path_params: Vec<&str> = template
                .iter()
                .filter_map(|s| match s {
                    PathSegment::Param(p) => Some(p.as_str()),
                    PathSegment::Literal(_) => None,
                })
                .collect();
            let scope = scopes
                .iter()
                .enumerate()
                .filter(|(_, s)| {
                    s.params.iter().all(|p| {
                        p.wire_names
                            .iter()
                            .any(|w| path_params.contains(&w.as_str()))
                    })
                })
                .max_by_key(|(_, s)| s.params.len())
                .map(|(i, _)| i);
            let scope_wire: Vec<&str> = scope
                .map(|i| {
                    scopes[i]
                        .params
                        .iter()
                        .flat_map(|p| p.wire_names.iter().map(String::as_str))
                        .collect()
                })
                .unwrap_or_default();

            for declared in &path_params {
                let defined = all.iter().any(|(_, p)| {
                    matches!(p, Parameter::Path { .. }) && p.parameter_data_ref().name == *declared
                });
                if !defined {
                    errors.push(Diagnostic::new(
                        spec.locate(&op_pointer),
                        format!("path parameter `{{{declared}}}` of `{path}` is not defined for this operation"),
                    ));
                }
            }

            let mut arg_names = Namespace::new();
            for r in RESERVED_ARGS {
                arg_names.reserve(r);
            }
            let mut params = Vec::new();
            let mut uses_client = Vec::new();
            for (pointer, p) in &all {
                let data = p.parameter_data_ref();
                let location = match p {
                    Parameter::Path { .. } => ParamIn::Path,
                    Parameter::Query { .. } => ParamIn::Query,
                    Parameter::Header { .. } => ParamIn::Header,
                    Parameter::Cookie { .. } => {
                        errors.push(Diagnostic::new(
                            spec.locate(pointer),
                            "cookie parameters are not supported",
                        ));
                        continue;
                    }
                };
                if location == ParamIn::Path && !path_params.contains(&data.name.as_str()) {
                    errors.push(Diagnostic::new(
                        spec.locate(pointer),
                        format!("path parameter `{}` does not occur in `{path}`", data.name),
                    ));
                    continue;
                }
                if location == ParamIn::Query && data.name == "api-version" {
                    if api_version.is_none() {
                        let value = rules
                            .surface
                            .api_version
                            .clone()
                            .or_else(|| parameter_constant(p))
                            .unwrap_or_else(|| doc.info.version.clone());
                        api_version = Some(ApiVersion {
                            param: data.name.clone(),
                            value,
                        });
                    }
                    continue;
                }
                // The credential supplies authorization; never a method argument.
                if location == ParamIn::Header && data.name.eq_ignore_ascii_case("authorization") {
                    continue;
                }
                if location == ParamIn::Path && scope_wire.contains(&data.name.as_str()) {
                    continue;
                }
                let schema_pointer = pointer_push(pointer, "schema");
                let hint = format!("{}{}", type_name(&operation_id), type_name(&data.name));
                let (ty, secret) = match &data.format {
                    ParameterSchemaOrContent::Schema(s) => {
                        let s = SchemaRef::from(s);
                        let secret =
                            match s {
                                SchemaRef::Inline(schema) => View::of(schema).is_secret(),
                                SchemaRef::Ref(_) => false,
                            } || data.extensions.get("x-ms-secret").and_then(Value::as_bool)
                                == Some(true);
                        (types.type_for(s, &hint, &schema_pointer), secret)
                    }
                    ParameterSchemaOrContent::Content(_) => {
                        (TypeRef::Primitive(Primitive::String), false)
                    }
                };
                let ty = if secret && ty == TypeRef::Primitive(Primitive::String) {
                    TypeRef::Primitive(Primitive::Secret)
                } else {
                    ty
                };
                let explode = match p {
                    Parameter::Query { style, .. } => {
                        data.explode
                            .unwrap_or(matches!(style, openapiv3::QueryStyle::Form))
                            && matches!(style, openapiv3::QueryStyle::Form)
                    }
                    _ => false,
                };
                let renamed = rules
                    .parameters
                    .iter()
                    .enumerate()
                    .find(|(_, r)| r.wire == data.name);
                let rust = match renamed {
                    Some((i, r)) => {
                        types.uses.mark("parameters", i);
                        value_name(&r.name)
                    }
                    None => match data
                        .extensions
                        .get("x-ms-client-name")
                        .and_then(Value::as_str)
                    {
                        Some(client_name) => value_name(client_name),
                        None => value_name(&data.name),
                    },
                };
                let param = Param {
                    wire_name: data.name.clone(),
                    rust_name: rust,
                    location,
                    ty,
                    required: data.required || location == ParamIn::Path,
                    doc: data.description.clone(),
                    explode,
                    secret,
                    skip_url_encoding: data
                        .extensions
                        .get("x-ms-skip-url-encoding")
                        .and_then(Value::as_bool)
                        == Some(true),
                };
                // A client-level parameter is the client's constructor's,
                // one field for every operation that sends it. Only a
                // required one is: an optional one stays each method's
                // choice.
                if param.required && client_level.contains(&(data.name.clone(), location_of(p))) {
                    let known = client_params
                        .iter()
                        .find(|c: &&Param| {
                            c.wire_name == param.wire_name && c.location == param.location
                        })
                        .map(|c| c.rust_name.clone());
                    let name = match known {
                        Some(name) => name,
                        None => {
                            let name = client_names.claim(param.rust_name.clone());
                            client_params.push(Param {
                                rust_name: name.clone(),
                                ..param
                            });
                            name
                        }
                    };
                    uses_client.push(name);
                    continue;
                }
                params.push(Param {
                    rust_name: arg_names.claim(param.rust_name.clone()),
                    ..param
                });
            }
            // Required parameters come first, in declaration order.
            params.sort_by_key(|p| !p.required);

            let body = match &op.request_body {
                None => None,
                Some(rb) => {
                    let rb_pointer = pointer_push(&op_pointer, "requestBody");
                    let rb = match rb {
                        ReferenceOr::Item(rb) => Some(rb),
                        ReferenceOr::Reference { reference } => reference
                            .strip_prefix("#/components/requestBodies/")
                            .and_then(|n| doc.components.as_ref()?.request_bodies.get(n))
                            .and_then(ReferenceOr::as_item),
                    };
                    match rb {
                        None => {
                            errors.push(Diagnostic::new(
                                spec.locate(&rb_pointer),
                                "request body `$ref` does not resolve",
                            ));
                            None
                        }
                        Some(rb) => {
                            let (media_type, media) = pick_media(&rb.content);
                            let ty = match media.and_then(|m| m.schema.as_ref()) {
                                Some(s) if is_json(&media_type) => {
                                    let pointer = pointer_push(
                                        &pointer_push(
                                            &pointer_push(&rb_pointer, "content"),
                                            &media_type,
                                        ),
                                        "schema",
                                    );
                                    types.type_for(
                                        SchemaRef::from(s),
                                        &format!("{}Body", type_name(&operation_id)),
                                        &pointer,
                                    )
                                }
                                _ if is_json(&media_type) => {
                                    types.untyped(super::types::UNTYPED_BODY, &rb_pointer)
                                }
                                _ => TypeRef::Primitive(Primitive::Bytes),
                            };
                            Some(Body {
                                media_type,
                                ty,
                                required: rb.required,
                                doc: rb.description.clone(),
                            })
                        }
                    }
                }
            };

            let mut responses = Vec::new();
            let mut error = None;
            let responses_pointer = pointer_push(&op_pointer, "responses");
            let mut entries: Vec<(String, &ReferenceOr<openapiv3::Response>)> = op
                .responses
                .responses
                .iter()
                .map(|(c, r)| (c.to_string(), r))
                .collect();
            if let Some(d) = &op.responses.default {
                entries.push(("default".to_string(), d));
            }
            for (code, r) in entries {
                let r_pointer = pointer_push(&responses_pointer, &code);
                let r = match r {
                    ReferenceOr::Item(r) => r,
                    ReferenceOr::Reference { reference } => match reference
                        .strip_prefix("#/components/responses/")
                        .and_then(|n| doc.components.as_ref()?.responses.get(n))
                        .and_then(ReferenceOr::as_item)
                    {
                        Some(r) => r,
                        None => {
                            errors.push(Diagnostic::new(
                                spec.locate(&r_pointer),
                                "response `$ref` does not resolve",
                            ));
                            continue;
                        }
                    },
                };
                let (media_type, media) = pick_media(&r.content);
                let ty = media.and_then(|m| m.schema.as_ref()).map(|s| {
                    let pointer = pointer_push(
                        &pointer_push(&pointer_push(&r_pointer, "content"), &media_type),
                        "schema",
                    );
                    if is_json(&media_type) {
                        types.type_for(
                            SchemaRef::from(s),
                            &format!("{}Response", type_name(&operation_id)),
                            &pointer,
                        )
                    } else {
                        TypeRef::Primitive(Primitive::Bytes)
                    }
                });
                let status = match code.as_str() {
                    "default" => None,
                    _ => match op
                        .responses
                        .responses
                        .keys()
                        .find(|k| k.to_string() == code)
                    {
                        Some(StatusCode::Code(c)) => Some(*c),
                        Some(StatusCode::Range(r)) => Some(r * 100),
                        None => None,
                    },
                };
                // A HEAD's documented 404 is an answer, not an error: the
                // existence check's `false`.
                let absent = method == Method::Head && status == Some(404);
                match status {
                    Some(s) if (100..400).contains(&s) || absent => {
                        let mut header_names = Namespace::new();
                        let headers = r
                            .headers
                            .iter()
                            .map(|(name, h)| ResponseHeader {
                                wire_name: name.clone(),
                                rust_name: header_names.claim(value_name(name)),
                                doc: h.as_item().and_then(|h| h.description.clone()),
                            })
                            .collect();
                        responses.push(Response {
                            status: s,
                            doc: Some(r.description.clone()),
                            media_type: ty.as_ref().map(|_| media_type.clone()),
                            ty,
                            headers,
                        });
                    }
                    // Declared errors (default, 4xx, 5xx) share one error type.
                    _ => {
                        if error.is_none() {
                            error = ty;
                        }
                    }
                }
            }
            if responses.is_empty() {
                // An operation with only `default` documented: any 2xx succeeds.
                responses.push(Response {
                    status: 200,
                    doc: None,
                    ty: None,
                    media_type: None,
                    headers: Vec::new(),
                });
            }

            let kind = operation_kind(
                spec,
                rules,
                op,
                &op_pointer,
                &operation_id,
                &responses,
                &template,
                method,
                types,
                errors,
            );

            let declares_version = all.iter().any(|(_, p)| {
                matches!(p, Parameter::Query { .. }) && p.parameter_data_ref().name == "api-version"
            });
            let op_examples = match spec.examples.get(&(path.clone(), method_name.to_string())) {
                None => Vec::new(),
                Some(raw) => {
                    let facts = OperationFacts {
                        operation_id: &operation_id,
                        method,
                        template: &template,
                        params: &all,
                        body_name: body.as_ref().map(|_| body_name(doc, op)),
                        body_media: body.as_ref().map(|b| b.media_type.clone()),
                        api_version: api_version.as_ref().filter(|_| declares_version),
                        success: responses.iter().map(|r| r.status).collect(),
                        host: examples.host,
                    };
                    super::examples::build(&facts, raw, &mut examples.tests, examples.warnings)
                }
            };

            let group_key = (scope, group.clone().unwrap_or_default());
            let names = method_names.entry(group_key).or_default();
            if names.contains(&name) {
                errors.push(Diagnostic::new(
                    location.clone(),
                    format!(
                        "operation `{operation_id}` becomes method `{name}` of group `{}`, which another operation already is; name it in the surface's normalize.yaml",
                        group.clone().unwrap_or_default()
                    ),
                ));
                continue;
            }
            names.reserve(&name);
            let group_type = group.as_deref().map(type_name).unwrap_or_default();
            let options_type = format!("{group_type}{}Options", type_name(&name));
            let doc_text = match (&op.summary, &op.description) {
                (Some(s), Some(d)) if s.trim() != d.trim() => {
                    Some(format!("{}\n\n{}", s.trim(), d.trim()))
                }
                (Some(s), _) => Some(s.trim().to_string()),
                (None, Some(d)) => Some(d.trim().to_string()),
                (None, None) => None,
            };
            operations.push(Operation {
                operation_id,
                group: group.unwrap_or_default(),
                group_type,
                name,
                options_type,
                info_static: String::new(),
                doc: doc_text,
                source: location,
                method,
                path: template,
                scope,
                params,
                body,
                responses,
                error,
                kind,
                client_params: uses_client,
                unversioned: !declares_version,
                examples: op_examples,
            });
        }
    }
    if api_version.is_none() {
        // No operation of the surface has one: nothing goes without.
        for op in &mut operations {
            op.unversioned = false;
        }
    }
    name_group_types(&mut operations, scopes, rules);
    name_info_statics(&mut operations);
    OperationsOut {
        operations,
        api_version,
        client_params,
    }
}

/// The statics describing each operation to the runtime, `OP_` and the
/// operationId in capitals, distinct in the surface's module (`Models_Get`
/// and `models_get` would otherwise be one name).
fn name_info_statics(operations: &mut [Operation]) {
    let mut statics = Namespace::new();
    for op in operations {
        let id = value_name(&op.operation_id);
        let wanted = format!("OP_{}", id.trim_start_matches("r#").to_uppercase());
        op.info_static = statics.claim(wanted);
    }
}

/// Rust types of the group clients and options structs. A group that hangs
/// off several parents (ARM's `accounts` under a subscription and under a
/// resource group) is one type per parent, prefixed by the parent's name.
fn name_group_types(operations: &mut [Operation], scopes: &[Scope], rules: &SurfaceRules) {
    let mut parents: BTreeMap<String, Vec<Option<usize>>> = BTreeMap::new();
    for op in operations.iter() {
        let p = parents.entry(op.group.clone()).or_default();
        if !p.contains(&op.scope) {
            p.push(op.scope);
        }
    }
    let client = rules
        .surface
        .client
        .clone()
        .unwrap_or_else(|| "Client".to_string());
    for op in operations.iter_mut() {
        let base = type_name(&op.group);
        op.group_type = if op.group.is_empty() {
            String::new()
        } else if parents.get(&op.group).is_some_and(|p| p.len() > 1) {
            let prefix = match op.scope {
                Some(i) => scopes[i].name.trim_end_matches("Scope").to_string(),
                None => client.trim_end_matches("Client").to_string(),
            };
            format!("{prefix}{base}")
        } else {
            base
        };
        let owner = if op.group.is_empty() {
            match op.scope {
                Some(i) => scopes[i].name.trim_end_matches("Scope").to_string(),
                None => client.trim_end_matches("Client").to_string(),
            }
        } else {
            op.group_type.clone()
        };
        op.options_type = format!("{owner}{}Options", type_name(&op.name));
    }
}

#[allow(clippy::too_many_arguments)]
fn operation_kind(
    spec: &Spec,
    rules: &SurfaceRules,
    op: &openapiv3::Operation,
    op_pointer: &str,
    operation_id: &str,
    responses: &[Response],
    template: &[PathSegment],
    method: Method,
    types: &mut TypeBuilder<'_>,
    errors: &mut Vec<Diagnostic>,
) -> OperationKind {
    if let Some(pageable) = op.extensions.get("x-ms-pageable") {
        let item_field = pageable
            .get("itemName")
            .and_then(Value::as_str)
            .unwrap_or("value")
            .to_string();
        let next_link_field = match pageable.get("nextLinkName") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) => None,
            _ => Some("nextLink".to_string()),
        };
        let page = responses
            .iter()
            .find(|r| r.status / 100 == 2)
            .and_then(|r| r.ty.clone());
        let item = page.as_ref().and_then(|p| page_item(types, p, &item_field));
        match (page, item) {
            (Some(page), Some(item)) => {
                return OperationKind::Pageable(Paging {
                    page,
                    item,
                    item_field,
                    next_link_field,
                });
            }
            _ => errors.push(Diagnostic::new(
                spec.locate(&pointer_push(op_pointer, "x-ms-pageable")),
                format!(
                    "pageable operation: its success response has no array field `{item_field}`"
                ),
            )),
        }
    }
    let lro = op
        .extensions
        .get("x-ms-long-running-operation")
        .and_then(Value::as_bool)
        == Some(true);
    if !lro {
        return OperationKind::Plain;
    }
    let at = spec.locate(op_pointer);
    if let Some((i, rule)) = rules
        .long_running
        .iter()
        .enumerate()
        .find(|(_, (id, _))| id.as_str() == operation_id)
        .map(|(i, (_, r))| (i, r))
    {
        types.uses.mark("long_running", i);
        let status = types.type_for(
            SchemaRef::Ref(&format!("#/components/schemas/{}", rule.status)),
            "Status",
            op_pointer,
        );
        let result = rule.result.as_ref().map(|r| {
            types.type_for(
                SchemaRef::Ref(&format!("#/components/schemas/{r}")),
                "Result",
                op_pointer,
            )
        });
        let handle = match rule.handle.as_str() {
            "header" => LroHandle::Header(rule.header.clone()),
            "operation-id" => {
                // `operations/{id}` beside the scope's other collections.
                let mut path = template[..operations_base(template)].to_vec();
                match path.last_mut() {
                    Some(PathSegment::Literal(l)) => l.push_str("/operations/"),
                    _ => path.push(PathSegment::Literal("/operations/".into())),
                }
                path.push(PathSegment::Param("operationId".into()));
                LroHandle::OperationId {
                    header: rule.header.clone(),
                    path,
                }
            }
            other => {
                errors.push(Diagnostic::new(at, format!("long_running rule `{operation_id}`: unknown handle `{other}` (header or operation-id)")));
                return OperationKind::Plain;
            }
        };
        return OperationKind::LongRunning(LongRunning {
            handle,
            status,
            result,
            result_optional: false,
        });
    }
    // Azure's rules; the result is the operation's own success model.
    let via = op
        .extensions
        .get("x-ms-long-running-operation-options")
        .and_then(|o| o.get("final-state-via"))
        .and_then(Value::as_str);
    // Unsaid, the method decides, in the runtime (`FinalState`'s docs).
    let final_state = match via.map(str::to_ascii_lowercase).as_deref() {
        Some("original-uri") => Some(FinalState::OriginalUri),
        Some("location") => Some(FinalState::Location),
        Some("azure-async-operation") => Some(FinalState::AzureAsyncOperation),
        Some("operation-location") => Some(FinalState::OperationLocation),
        _ => None,
    };
    // The result: the body of 200, else of any other success.
    let result = responses
        .iter()
        .find(|r| r.status == 200 && r.ty.is_some())
        .or_else(|| responses.iter().find(|r| r.ty.is_some()))
        .and_then(|r| r.ty.clone());
    // A documented end without a body (a DELETE's 204) makes it optional;
    // so does a DELETE polled to its end, which reads nothing back unless
    // `final-state-via` says where (it has a body only when answered at
    // once).
    let result_optional = result.is_some()
        && (responses
            .iter()
            .any(|r| r.status != 202 && (200..300).contains(&r.status) && r.ty.is_none())
            || (method == Method::Delete && final_state.is_none()));
    OperationKind::LongRunning(LongRunning {
        handle: LroHandle::Azure(final_state),
        status: TypeRef::Any,
        result,
        result_optional,
    })
}

/// Where `operations/{id}` attaches: after the last path parameter that
/// precedes the operation's own collection (`.../hostingAccounts/{name}`).
fn operations_base(template: &[PathSegment]) -> usize {
    // The template ends with `/<collection>` or `/<collection>/{id}`; the
    // scope ends at the parameter before the collection literal.
    let mut last_param_before_tail = 0;
    let params: Vec<usize> = template
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s, PathSegment::Param(_)))
        .map(|(i, _)| i)
        .collect();
    for (n, i) in params.iter().enumerate() {
        let is_trailing_id = n + 1 == params.len() && *i + 1 == template.len();
        if !is_trailing_id {
            last_param_before_tail = i + 1;
        }
    }
    last_param_before_tail
}

fn page_item(types: &TypeBuilder<'_>, page: &TypeRef, item_field: &str) -> Option<TypeRef> {
    match page {
        TypeRef::Page(item) if item_field == "value" => Some((**item).clone()),
        TypeRef::Named { .. } => match &types.def_of(page)?.kind {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .find(|f| f.wire_name == item_field)
                .and_then(|f| match &f.ty {
                    TypeRef::Vec(item) => Some((**item).clone()),
                    _ => None,
                }),
            TypeKind::Alias(inner) => page_item(types, inner, item_field),
            _ => None,
        },
        _ => None,
    }
}

/// The name examples give the request body under: Swagger's body parameter
/// name, kept by the loader as `x-ms-requestBody-name`, else `body`.
fn body_name(doc: &openapiv3::OpenAPI, op: &openapiv3::Operation) -> String {
    let rb = match &op.request_body {
        Some(ReferenceOr::Item(rb)) => Some(rb),
        Some(ReferenceOr::Reference { reference }) => reference
            .strip_prefix("#/components/requestBodies/")
            .and_then(|n| doc.components.as_ref()?.request_bodies.get(n))
            .and_then(ReferenceOr::as_item),
        None => None,
    };
    rb.and_then(|rb| rb.extensions.get("x-ms-requestBody-name"))
        .and_then(Value::as_str)
        .unwrap_or("body")
        .to_string()
}

pub(super) fn location_of(p: &Parameter) -> u8 {
    match p {
        Parameter::Path { .. } => 0,
        Parameter::Query { .. } => 1,
        Parameter::Header { .. } => 2,
        Parameter::Cookie { .. } => 3,
    }
}

fn resolve_parameter<'a>(spec: &'a Spec, p: &'a ReferenceOr<Parameter>) -> Option<&'a Parameter> {
    match p {
        ReferenceOr::Item(p) => Some(p),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/parameters/")?;
            spec.document
                .components
                .as_ref()?
                .parameters
                .get(name)?
                .as_item()
        }
    }
}

/// A parameter's single allowed value (`enum` of one, or a default).
fn parameter_constant(p: &Parameter) -> Option<String> {
    let ParameterSchemaOrContent::Schema(ReferenceOr::Item(s)) = &p.parameter_data_ref().format
    else {
        return None;
    };
    let view = View::of(s);
    match view.enum_values.as_slice() {
        [Value::String(v)] => Some(v.clone()),
        _ => view
            .data
            .default
            .as_ref()
            .and_then(Value::as_str)
            .map(str::to_string),
    }
}

fn is_json(media_type: &str) -> bool {
    crate::ir::is_json_media(media_type)
}

/// The media type to use: JSON first, else the first declared. A binary
/// schema (`format: binary`, Swagger's `type: file`) is not JSON whatever
/// media types are listed: then the first that is not JSON, else
/// `application/octet-stream`.
fn pick_media(
    content: &indexmap::IndexMap<String, openapiv3::MediaType>,
) -> (String, Option<&openapiv3::MediaType>) {
    let picked = content
        .iter()
        .find(|(m, _)| is_json(m))
        .or_else(|| content.iter().next())
        .map(|(m, v)| (m.clone(), Some(v)))
        .unwrap_or_else(|| ("application/json".to_string(), None));
    let binary = picked
        .1
        .and_then(|m| m.schema.as_ref())
        .and_then(ReferenceOr::as_item)
        .is_some_and(|s| {
            let view = View::of(s);
            view.typ == Some("string") && view.format.as_deref() == Some("binary")
        });
    if binary && is_json(&picked.0) {
        let other = content.iter().find(|(m, _)| !is_json(m));
        return match other {
            Some((m, v)) => (m.clone(), Some(v)),
            None => ("application/octet-stream".to_string(), picked.1),
        };
    }
    picked
}

/// Splits `/a/{b}/c{d}.json` into literal and parameter pieces.
pub fn parse_template(path: &str) -> Result<Vec<PathSegment>, String> {
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some('{') | None => {
                            return Err(format!("path `{path}` has an unclosed `{{`"));
                        }
                        Some(c) => name.push(c),
                    }
                }
                if name.is_empty() {
                    return Err(format!("path `{path}` has an empty `{{}}`"));
                }
                if !literal.is_empty() {
                    out.push(PathSegment::Literal(std::mem::take(&mut literal)));
                }
                out.push(PathSegment::Param(name));
            }
            '}' => return Err(format!("path `{path}` has a `}}` with no `{{`")),
            c => literal.push(c),
        }
    }
    if !literal.is_empty() {
        out.push(PathSegment::Literal(literal));
    }
    Ok(out)
}
