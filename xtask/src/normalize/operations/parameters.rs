//! An operation's parameters: which are declared (path-level ones
//! overridden by the operation's), which scope handle supplies some of
//! them, which the client's constructor takes, and what each of the rest
//! becomes as a method argument.

use openapiv3::{Parameter, ParameterSchemaOrContent, ReferenceOr};
use serde_json::Value;

use super::super::rules::SurfaceRules;
use super::super::schema_view::{SchemaRef, View};
use super::super::types::TypeBuilder;
use crate::diagnostic::Diagnostic;
use crate::ir::{ApiVersion, Param, ParamIn, PathSegment, Primitive, Scope, TypeRef};
use crate::load::{SourceFormat, Spec, pointer_push};
use crate::naming::{Namespace, type_name, value_name};

/// Names the client's constructor uses for itself.
const RESERVED_CLIENT_ARGS: [&str; 4] = ["self", "endpoint", "credential", "options"];

/// Names the emitted methods use for themselves.
const RESERVED_ARGS: [&str; 3] = ["self", "options", "body"];

/// The parameters an operation declares, each with its JSON pointer, in
/// declaration order: path-level ones first, replaced by an operation-level
/// one of the same name and location.
pub(super) struct Declared<'a> {
    pub all: Vec<(String, &'a Parameter)>,
    /// Keys (`name`, `location_of`) of those that are the client's.
    client_level: Vec<(String, u8)>,
}

impl<'a> Declared<'a> {
    pub fn gather(
        spec: &'a Spec,
        item: &'a openapiv3::PathItem,
        op: &'a openapiv3::Operation,
        path_pointer: &str,
        op_pointer: &str,
        errors: &mut Vec<Diagnostic>,
    ) -> Self {
        let mut all: Vec<(String, &Parameter)> = Vec::new();
        let mut client_level: Vec<(String, u8)> = Vec::new();
        let listed = |owner: &str, i: usize| {
            pointer_push(&pointer_push(owner, "parameters"), &i.to_string())
        };
        let sources = item
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (listed(path_pointer, i), p))
            .chain(
                op.parameters
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (listed(op_pointer, i), p)),
            );
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
        Self { all, client_level }
    }

    fn is_client_level(&self, p: &Parameter) -> bool {
        self.client_level
            .contains(&(p.parameter_data_ref().name.clone(), location_of(p)))
    }

    /// Whether the operation itself sends `api-version` as a query
    /// parameter.
    pub fn declares_version(&self) -> bool {
        self.all.iter().any(|(_, p)| {
            matches!(p, Parameter::Query { .. }) && p.parameter_data_ref().name == "api-version"
        })
    }

    /// Errors for the template's parameters nothing declares.
    pub fn check_path(
        &self,
        spec: &Spec,
        path: &str,
        template: &[PathSegment],
        op_pointer: &str,
        errors: &mut Vec<Diagnostic>,
    ) {
        for declared in path_params(template) {
            let defined = self.all.iter().any(|(_, p)| {
                matches!(p, Parameter::Path { .. }) && p.parameter_data_ref().name == declared
            });
            if !defined {
                errors.push(Diagnostic::new(
                    spec.locate(op_pointer),
                    format!("path parameter `{{{declared}}}` of `{path}` is not defined for this operation"),
                ));
            }
        }
    }
}

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
        None => spec.format == SourceFormat::Swagger2 && matches!(p, ReferenceOr::Reference { .. }),
    }
}

/// The names of a path template's parameters, in order.
fn path_params(template: &[PathSegment]) -> Vec<&str> {
    template
        .iter()
        .filter_map(|s| match s {
            PathSegment::Param(p) => Some(p.as_str()),
            PathSegment::Literal(_) => None,
        })
        .collect()
}

/// The deepest scope whose every parameter is a path parameter of the
/// template: the handle the operation's method hangs off.
pub(super) fn choose_scope(scopes: &[Scope], template: &[PathSegment]) -> Option<usize> {
    let in_path = path_params(template);
    scopes
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.params
                .iter()
                .all(|p| p.wire_names.iter().any(|w| in_path.contains(&w.as_str())))
        })
        .max_by_key(|(_, s)| s.params.len())
        .map(|(i, _)| i)
}

/// What the surface's operations share about parameters: the api-version
/// the first operation that sends one decides, and the client's
/// constructor parameters, each named once.
pub(super) struct SurfaceParams {
    pub api_version: Option<ApiVersion>,
    /// Parameters given to the client's constructor, in the order first
    /// met.
    pub client_params: Vec<Param>,
    client_names: Namespace,
}

impl SurfaceParams {
    /// `host_params`: the host template's parameters, which the
    /// constructor takes first.
    pub fn new(host_params: &[String]) -> Self {
        let mut client_names = Namespace::new();
        for r in RESERVED_CLIENT_ARGS
            .iter()
            .copied()
            .chain(host_params.iter().map(String::as_str))
        {
            client_names.reserve(r);
        }
        Self {
            api_version: None,
            client_params: Vec::new(),
            client_names,
        }
    }

    /// The Rust name of a client-level parameter, added to the
    /// constructor's the first time it is met.
    fn client_param(&mut self, param: Param) -> String {
        let known = self
            .client_params
            .iter()
            .find(|c| c.wire_name == param.wire_name && c.location == param.location);
        if let Some(known) = known {
            return known.rust_name.clone();
        }
        let name = self.client_names.claim(param.rust_name.clone());
        self.client_params.push(Param {
            rust_name: name.clone(),
            ..param
        });
        name
    }
}

/// An operation's method arguments, and the client-level parameters it
/// sends from the client's fields.
pub(super) struct MethodParams {
    /// Required ones first, in declaration order.
    pub params: Vec<Param>,
    pub uses_client: Vec<String>,
}

/// Where an operation's parameters are and what is already decided about
/// them.
pub(super) struct ParamsContext<'a> {
    pub spec: &'a Spec,
    pub rules: &'a SurfaceRules,
    pub path: &'a str,
    pub template: &'a [PathSegment],
    pub operation_id: &'a str,
    /// The wire names the chosen scope handle fills.
    pub scope_wire: Vec<&'a str>,
}

impl ParamsContext<'_> {
    pub fn method_params(
        &self,
        declared: &Declared<'_>,
        surface: &mut SurfaceParams,
        types: &mut TypeBuilder<'_>,
        errors: &mut Vec<Diagnostic>,
    ) -> MethodParams {
        let spec = self.spec;
        let in_path = path_params(self.template);
        let mut arg_names = Namespace::new();
        for r in RESERVED_ARGS {
            arg_names.reserve(r);
        }
        let mut params = Vec::new();
        let mut uses_client = Vec::new();
        for (pointer, p) in &declared.all {
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
            if location == ParamIn::Path && !in_path.contains(&data.name.as_str()) {
                errors.push(Diagnostic::new(
                    spec.locate(pointer),
                    format!(
                        "path parameter `{}` does not occur in `{}`",
                        data.name, self.path
                    ),
                ));
                continue;
            }
            if location == ParamIn::Query && data.name == "api-version" {
                if surface.api_version.is_none() {
                    let value = self
                        .rules
                        .surface
                        .api_version
                        .clone()
                        .or_else(|| parameter_constant(p))
                        .unwrap_or_else(|| spec.document.info.version.clone());
                    surface.api_version = Some(ApiVersion {
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
            if location == ParamIn::Path && self.scope_wire.contains(&data.name.as_str()) {
                continue;
            }
            let param = self.param(pointer, p, location, types);
            // A client-level parameter is the client's constructor's, one
            // field for every operation that sends it. Only a required one
            // is: an optional one stays each method's choice.
            if param.required && declared.is_client_level(p) {
                uses_client.push(surface.client_param(param));
                continue;
            }
            params.push(Param {
                rust_name: arg_names.claim(param.rust_name.clone()),
                ..param
            });
        }
        params.sort_by_key(|p| !p.required);
        MethodParams {
            params,
            uses_client,
        }
    }

    /// One parameter as the IR has it: its type (secret where the spec
    /// says so), its Rust name (a rule's, else `x-ms-client-name`, else the
    /// wire name) and how it goes on the wire.
    fn param(
        &self,
        pointer: &str,
        p: &Parameter,
        location: ParamIn,
        types: &mut TypeBuilder<'_>,
    ) -> Param {
        let data = p.parameter_data_ref();
        let schema_pointer = pointer_push(pointer, "schema");
        let hint = format!("{}{}", type_name(self.operation_id), type_name(&data.name));
        let (ty, secret) = match &data.format {
            ParameterSchemaOrContent::Schema(s) => {
                let s = SchemaRef::from(s);
                let secret = match s {
                    SchemaRef::Inline(schema) => View::of(schema).is_secret(),
                    SchemaRef::Ref(_) => false,
                } || data.extensions.get("x-ms-secret").and_then(Value::as_bool)
                    == Some(true);
                (types.type_for(s, &hint, &schema_pointer), secret)
            }
            ParameterSchemaOrContent::Content(_) => (TypeRef::Primitive(Primitive::String), false),
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
        let renamed = self
            .rules
            .parameters
            .iter()
            .enumerate()
            .find(|(_, r)| r.wire == data.name);
        let rust_name = match renamed {
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
        Param {
            wire_name: data.name.clone(),
            rust_name,
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
            // Named with the options struct's other methods (`names`).
            setter: None,
        }
    }
}

/// The wire names a scope handle fills.
pub(super) fn scope_wire(scopes: &[Scope], scope: Option<usize>) -> Vec<&str> {
    scope
        .map(|i| {
            scopes[i]
                .params
                .iter()
                .flat_map(|p| p.wire_names.iter().map(String::as_str))
                .collect()
        })
        .unwrap_or_default()
}

pub(in crate::normalize) fn location_of(p: &Parameter) -> u8 {
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
