//! Paths and operations → IR operations. `build` walks the document's
//! operations; each is put together from its identity (method, operationId,
//! group and method name), its parameters (`parameters`), its messages
//! (`messages`), its kind (`kind`) and its examples; `names` then names
//! its group's type and its options struct.

mod kind;
mod messages;
mod names;
mod parameters;

use std::collections::BTreeMap;

use openapiv3::ReferenceOr;

use super::examples::{Host, OperationFacts};
use super::rules::SurfaceRules;
use super::types::TypeBuilder;
use crate::diagnostic::{Diagnostic, Location};
use crate::ir::{ApiVersion, Method, Operation, Param, PathSegment, Scope};
use crate::load::{Spec, pointer_push};
use crate::naming::{Namespace, module_name, value_name};

pub(super) use parameters::location_of;

/// What the operations of one surface need to know about it.
pub struct OperationsOut {
    pub operations: Vec<Operation>,
    pub api_version: Option<ApiVersion>,
    /// Parameters given to the client's constructor, in the order first
    /// met.
    pub client_params: Vec<Param>,
}

/// Where examples are matched: the surface's host, the namespace of its
/// test names, and the warnings they may raise.
pub struct ExampleSink<'a> {
    pub host: &'a Host,
    /// The host template's parameters' Rust names (the constructor's).
    pub host_params: Vec<String>,
    pub tests: Namespace,
    pub warnings: &'a mut Vec<Diagnostic>,
}

/// The surface-wide state operations are built in.
struct Builder<'a, 'b, 'c> {
    spec: &'a Spec,
    rules: &'a SurfaceRules,
    scopes: &'a [Scope],
    types: &'b mut TypeBuilder<'c>,
    examples: &'b mut ExampleSink<'c>,
    errors: &'b mut Vec<Diagnostic>,
    surface: parameters::SurfaceParams,
    /// Method names taken, per (scope, group).
    method_names: BTreeMap<(Option<usize>, String), Namespace>,
    /// Where each operationId was first seen.
    seen_ids: BTreeMap<String, Location>,
}

/// One operation of the document, where it is.
struct Source<'a> {
    path: &'a str,
    path_pointer: &'a str,
    item: &'a openapiv3::PathItem,
    method_name: &'a str,
    op: &'a openapiv3::Operation,
}

/// What names an operation: its HTTP method, its operationId, its group
/// (a module-style name, if any) and its method name.
struct Identity {
    method: Method,
    operation_id: String,
    group: Option<String>,
    name: String,
}

pub fn build<'c>(
    spec: &Spec,
    rules: &SurfaceRules,
    scopes: &[Scope],
    types: &mut TypeBuilder<'c>,
    examples: &mut ExampleSink<'c>,
    errors: &mut Vec<Diagnostic>,
) -> OperationsOut {
    let surface = parameters::SurfaceParams::new(&examples.host_params);
    let mut builder = Builder {
        spec,
        rules,
        scopes,
        types,
        examples,
        errors,
        surface,
        method_names: BTreeMap::new(),
        seen_ids: BTreeMap::new(),
    };
    let mut operations = Vec::new();
    for (path, item) in spec.document.paths.paths.iter() {
        let path_pointer = pointer_push("/paths", path);
        let ReferenceOr::Item(item) = item else {
            builder.errors.push(Diagnostic::new(
                spec.locate(&path_pointer),
                "a `$ref` path item is not supported; write the operations inline",
            ));
            continue;
        };
        for (method_name, op) in item.iter() {
            let source = Source {
                path,
                path_pointer: &path_pointer,
                item,
                method_name,
                op,
            };
            operations.extend(builder.operation(&source));
        }
    }
    let parameters::SurfaceParams {
        api_version,
        client_params,
        ..
    } = builder.surface;
    if api_version.is_none() {
        // No operation of the surface has one: nothing goes without.
        for op in &mut operations {
            op.unversioned = false;
        }
    }
    names::name_group_types(&mut operations, scopes, rules);
    OperationsOut {
        operations,
        api_version,
        client_params,
    }
}

impl Builder<'_, '_, '_> {
    fn operation(&mut self, source: &Source<'_>) -> Option<Operation> {
        let spec = self.spec;
        let op_pointer = pointer_push(source.path_pointer, source.method_name);
        let location = spec.locate(&op_pointer);
        let Identity {
            method,
            operation_id,
            group,
            name,
        } = self.identify(source, &location)?;
        let template = match parse_template(source.path) {
            Ok(t) => t,
            Err(e) => {
                self.errors
                    .push(Diagnostic::new(spec.locate(source.path_pointer), e));
                return None;
            }
        };

        let declared = parameters::Declared::gather(
            spec,
            source.item,
            source.op,
            source.path_pointer,
            &op_pointer,
            self.errors,
        );
        let scope = parameters::choose_scope(self.scopes, &template);
        declared.check_path(spec, source.path, &template, &op_pointer, self.errors);
        let params = parameters::ParamsContext {
            spec,
            rules: self.rules,
            path: source.path,
            template: &template,
            operation_id: &operation_id,
            scope_wire: parameters::scope_wire(self.scopes, scope),
        }
        .method_params(&declared, &mut self.surface, self.types, self.errors);

        let messages = messages::MessagesContext {
            spec,
            op: source.op,
            op_pointer: &op_pointer,
            operation_id: &operation_id,
            method,
        };
        let body = messages.request_body(self.types, self.errors);
        let responses = messages.responses(self.types, self.errors);

        let kind = kind::operation_kind(
            spec,
            self.rules,
            source.op,
            &op_pointer,
            &operation_id,
            &responses.success,
            &template,
            method,
            self.types,
            self.errors,
        );

        let declares_version = declared.declares_version();
        let examples = match spec
            .examples
            .get(&(source.path.to_string(), source.method_name.to_string()))
        {
            None => Vec::new(),
            Some(raw) => {
                let facts = OperationFacts {
                    operation_id: &operation_id,
                    method,
                    template: &template,
                    params: &declared.all,
                    body_name: body.as_ref().map(|_| messages.body_name()),
                    body_media: body.as_ref().map(|b| b.media_type.clone()),
                    api_version: self
                        .surface
                        .api_version
                        .as_ref()
                        .filter(|_| declares_version),
                    success: responses.success.iter().map(|r| r.status).collect(),
                    host: self.examples.host,
                };
                super::examples::build(
                    &facts,
                    raw,
                    &mut self.examples.tests,
                    self.examples.warnings,
                )
            }
        };

        let names = self
            .method_names
            .entry((scope, group.clone().unwrap_or_default()))
            .or_default();
        if names.contains(&name) {
            self.errors.push(Diagnostic::new(
                location,
                format!(
                    "operation `{operation_id}` becomes method `{name}` of group `{}`, which another operation already is; name it in the surface's normalize.yaml",
                    group.unwrap_or_default()
                ),
            ));
            return None;
        }
        names.reserve(&name);
        Some(Operation {
            operation_id,
            group: group.unwrap_or_default(),
            // Named by `names` once every operation is known.
            group_type: String::new(),
            name,
            options_type: String::new(),
            info_static: String::new(),
            answer_enum: None,
            doc: doc_text(source.op),
            source: location,
            method,
            path: template,
            scope,
            params: params.params,
            body,
            responses: responses.success,
            error: responses.error,
            kind,
            client_params: params.uses_client,
            unversioned: !declares_version,
            examples,
        })
    }

    /// The operation's method, its operationId (present and unique), its
    /// group and its method name: the surface's rule for the operationId,
    /// else `Group_Name`, else no group.
    fn identify(&mut self, source: &Source<'_>, location: &Location) -> Option<Identity> {
        let method = match source.method_name {
            "get" => Method::Get,
            "put" => Method::Put,
            "post" => Method::Post,
            "patch" => Method::Patch,
            "delete" => Method::Delete,
            "head" => Method::Head,
            other => {
                self.errors.push(Diagnostic::new(
                    location.clone(),
                    format!("`{other}` operations are not supported (azure_core sends GET, PUT, POST, PATCH, DELETE and HEAD)"),
                ));
                return None;
            }
        };
        if let Some(id) = &source.op.operation_id
            && let Some(first) = self.seen_ids.insert(id.clone(), location.clone())
        {
            self.errors.push(Diagnostic::new(
                location.clone(),
                format!("operationId `{id}` is used twice (first at {first}); operationIds name methods and must be unique"),
            ));
            return None;
        }
        let Some(operation_id) = source.op.operation_id.clone() else {
            self.errors.push(Diagnostic::new(
                location.clone(),
                "operation has no `operationId`; it names the generated method",
            ));
            return None;
        };
        let (group, name) = match self.rules.operations.get(&operation_id) {
            Some(rule) => (Some(rule.group.clone()), rule.name.clone()),
            None => match operation_id.split_once('_') {
                Some((g, v)) if !g.is_empty() && !v.is_empty() => {
                    (Some(g.to_string()), v.to_string())
                }
                _ => (None, operation_id.clone()),
            },
        };
        Some(Identity {
            method,
            group: group.map(|g| module_name(&g)),
            name: value_name(&name),
            operation_id,
        })
    }
}

/// The method's docs: summary and description, once each.
fn doc_text(op: &openapiv3::Operation) -> Option<String> {
    match (&op.summary, &op.description) {
        (Some(s), Some(d)) if s.trim() != d.trim() => Some(format!("{}\n\n{}", s.trim(), d.trim())),
        (Some(s), _) => Some(s.trim().to_string()),
        (None, Some(d)) => Some(d.trim().to_string()),
        (None, None) => None,
    }
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
