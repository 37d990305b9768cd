//! normalize: loaded documents + normalization rules → the IR.
//!
//! Everything the legacy variants disagree on is decided here, by the rules
//! in `specs/<surface>/normalize.yaml` (see `rules`), and by the built-in
//! repairs documented in `docs/normalization.md`.

// The runtime's list of status members, compiled here too: one source.
mod clients;
mod examples;
mod facade;
mod operations;
pub mod rules;
mod schema_view;
#[path = "../../../runtime/src/status_fields.rs"]
#[allow(dead_code)]
mod status_fields;
mod types;

use std::collections::{BTreeMap, BTreeSet};

pub use operations::parse_template;
use rules::SurfaceRules;
pub use types::COMMON_MODULE;
use types::TypeBuilder;

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::ir::{
    Api, Enum, Field, Scope, ScopeParam, Struct, Surface, TypeDef, TypeKind, TypeRef, Union,
};
use crate::load::Spec;
use crate::naming::{module_name, type_name};

/// Which rules were applied, so unused ones can be reported.
#[derive(Debug, Default)]
pub struct RuleUse {
    used: BTreeSet<(String, usize)>,
}

impl RuleUse {
    pub fn mark(&mut self, kind: &str, index: usize) {
        self.used.insert((kind.to_string(), index));
    }

    fn is_used(&self, kind: &str, index: usize) -> bool {
        self.used.contains(&(kind.to_string(), index))
    }
}

/// A spec and the rules found beside it.
pub struct Input<'a> {
    pub spec: &'a Spec,
    pub rules: Option<SurfaceRules>,
}

pub fn normalize(inputs: &[Input<'_>], crate_name: &str) -> Result<Api, Diagnostics> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut surfaces = Vec::new();
    let mut common_parts: Vec<(String, TypeDef)> = Vec::new();
    let mut participants = Vec::new();
    // Which surfaces may share a client with others of their title.
    let mut shareable = Vec::new();
    let mut modules = crate::naming::Namespace::new();
    let mut features = crate::naming::Namespace::new();
    for reserved in ["models", "runtime", "facade", "prelude"] {
        modules.reserve(reserved);
    }
    for input in inputs {
        let default_rules = SurfaceRules::default();
        let rules = input.rules.as_ref().unwrap_or(&default_rules);
        let spec = input.spec;
        let feature = features.claim(crate::naming::feature_name(&spec.name));
        let module = modules.claim(module_name(&feature));
        let mut uses = RuleUse::default();
        let scopes = build_scopes(rules);
        if rules.surface.facade && !scopes.is_empty() {
            participants.push((surfaces.len(), 0));
        }
        let servers: Vec<&openapiv3::Server> = spec.document.servers.iter().collect();
        let default_endpoint = match servers.as_slice() {
            [only]
                if only.variables.as_ref().is_none_or(|v| v.is_empty())
                    && only.url.starts_with("http") =>
            {
                Some(only.url.trim_end_matches('/').to_string())
            }
            _ => None,
        };
        let host = examples::Host::of(spec, default_endpoint.clone());
        // The constructor's names: the host template's parameters, then the
        // client-level ones (operations claims those).
        let mut constructor_names = crate::naming::Namespace::new();
        for reserved in ["self", "endpoint", "credential", "options"] {
            constructor_names.reserve(reserved);
        }
        let host_template = host.template_ir(&mut constructor_names);
        warnings.extend(spec.warnings.iter().cloned());
        let (operations_out, defs, common, untyped) = {
            let mut types = TypeBuilder::new(spec, &module, rules, &mut uses);
            types.build_all();
            let mut sink = operations::ExampleSink {
                host: &host,
                host_params: host_template
                    .iter()
                    .flat_map(|h| h.params.iter().map(|p| p.rust_name.clone()))
                    .collect(),
                tests: crate::naming::Namespace::new(),
                warnings: &mut warnings,
            };
            let out = operations::build(spec, rules, &scopes, &mut types, &mut sink, &mut errors);
            errors.append(&mut types.errors);
            (
                out,
                std::mem::take(&mut types.defs),
                std::mem::take(&mut types.common),
                types.untyped_counts(),
            )
        };
        for def in common {
            common_parts.push((spec.name.clone(), def));
        }
        check_rules_used(rules, &uses, &spec.name, &mut errors);
        let auth_scope = rules
            .surface
            .auth_scope
            .clone()
            .or_else(|| declared_scope(spec))
            .or_else(|| {
                // An OAuth scheme without a resource scope: the endpoint's.
                let endpoint = default_endpoint.as_deref()?;
                let has_oauth = spec.document.components.as_ref().is_some_and(|c| {
                    c.security_schemes.values().any(|s| {
                        matches!(s.as_item(), Some(openapiv3::SecurityScheme::OAuth2 { .. }))
                    })
                });
                has_oauth.then(|| format!("{}/.default", origin(endpoint)))
            });
        let client = rules
            .surface
            .client
            .clone()
            .unwrap_or_else(|| client_name(&spec.document.info.title, &feature, inputs));
        shareable
            .push(rules.surface.client.is_none() && scopes.is_empty() && !rules.surface.facade);
        surfaces.push(Surface {
            client,
            feature,
            models_module: models_module(&module),
            module,
            title: spec.document.info.title.clone(),
            doc: spec.document.info.description.clone(),
            source: Location::new(spec.file.clone(), ""),
            api_version: operations_out.api_version,
            default_endpoint,
            auth_scope,
            host: host_template,
            client_params: operations_out.client_params,
            base_path: base_path(&operations_out.operations),
            scopes,
            operations: operations_out.operations,
            types: defs,
            shared_client: None,
            untyped,
        });
    }
    let common_types = merge_common(common_parts, &mut errors);
    let mut api = Api {
        crate_name: crate_name.to_string(),
        facade: None,
        surfaces,
        shared_clients: Vec::new(),
        common_types,
        warnings: Vec::new(),
    };
    clients::share_clients(&mut api, &shareable, &mut warnings);
    api.warnings = warnings;
    mark_boxed(&mut api);
    mark_status_types(&mut api);
    name_additional_fields(&mut api);
    api.facade = facade::build(&api, &participants);
    if errors.is_empty() {
        Ok(api)
    } else {
        errors.sort_by(|a, b| a.location.cmp(&b.location).then(a.message.cmp(&b.message)));
        errors.dedup();
        Err(Diagnostics(errors))
    }
}

/// A client's type, from the spec's title (`KeyVaultClient`,
/// `Azure Digital Twins API` → `AzureDigitalTwinsApiClient`) when no other
/// spec of the folder has the same title; else from the surface's own
/// name (`SecretsClient`) until `clients` merges the specs of one title
/// into one client.
/// The path template all `operations` start with, cut at a segment
/// boundary: what the crate's `SURFACES` calls the surface's base path.
fn base_path(operations: &[crate::ir::Operation]) -> String {
    let templates: Vec<String> = operations
        .iter()
        .map(|op| {
            op.path
                .iter()
                .map(|s| match s {
                    crate::ir::PathSegment::Literal(l) => l.clone(),
                    crate::ir::PathSegment::Param(p) => format!("{{{p}}}"),
                })
                .collect()
        })
        .collect();
    let Some(first) = templates.first() else {
        return String::new();
    };
    let len = templates.iter().fold(first.len(), |len, t| {
        first
            .char_indices()
            .zip(t.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(len)
    });
    let whole = templates
        .iter()
        .all(|t| t.len() == len || t[len..].starts_with('/'));
    let prefix = &first[..len];
    if whole {
        prefix.to_string()
    } else {
        prefix[..prefix.rfind('/').unwrap_or(0)].to_string()
    }
}

/// Names the field each struct keeps unnamed members in, distinct from its
/// other fields; after shared types are merged, when the fields are final.
fn name_additional_fields(api: &mut Api) {
    let defs = api
        .common_types
        .iter_mut()
        .chain(api.surfaces.iter_mut().flat_map(|s| s.types.iter_mut()));
    for def in defs {
        if let TypeKind::Struct(s) = &mut def.kind
            && s.additional.is_some()
        {
            let mut names = crate::naming::Namespace::new();
            for f in &s.fields {
                names.reserve(&f.rust_name);
            }
            s.additional_field = Some(names.claim("additional_properties".to_string()));
        }
    }
}

/// The path of a surface module's types: decided here, once.
pub(crate) fn models_module(module: &str) -> String {
    format!("{module}::models")
}

fn client_name(title: &str, feature: &str, inputs: &[Input<'_>]) -> String {
    let shared = inputs
        .iter()
        .filter(|i| i.spec.document.info.title.trim() == title.trim())
        .count()
        > 1;
    match clients::title_client(title) {
        Some(name) if !shared => name,
        _ => {
            let base = type_name(feature);
            if base.ends_with("Client") {
                base
            } else {
                format!("{base}Client")
            }
        }
    }
}

/// A scope an OAuth scheme declares as a resource URL
/// (`https://ml.azure.com/.default`), as OpenAPI 3 specs from TypeSpec do.
fn declared_scope(spec: &Spec) -> Option<String> {
    let components = spec.document.components.as_ref()?;
    components
        .security_schemes
        .values()
        .find_map(|s| match s.as_item()? {
            openapiv3::SecurityScheme::OAuth2 { flows, .. } => {
                let scopes = [
                    flows.implicit.as_ref().map(|f| &f.scopes),
                    flows.password.as_ref().map(|f| &f.scopes),
                    flows.client_credentials.as_ref().map(|f| &f.scopes),
                    flows.authorization_code.as_ref().map(|f| &f.scopes),
                ];
                scopes
                    .into_iter()
                    .flatten()
                    .flat_map(|m| m.keys())
                    .find(|k| k.starts_with("https://"))
                    .cloned()
            }
            _ => None,
        })
}

fn origin(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => url[..after_scheme + i].to_string(),
        None => url.to_string(),
    }
}

fn build_scopes(rules: &SurfaceRules) -> Vec<Scope> {
    rules
        .scopes
        .iter()
        .map(|s| Scope {
            name: s.name.clone(),
            method: s.method.clone(),
            doc: s.doc.clone(),
            params: s
                .params
                .iter()
                .map(|p| ScopeParam {
                    name: p.name.clone(),
                    wire_names: p.wire.clone(),
                    doc: p.doc.clone(),
                })
                .collect(),
        })
        .collect()
}

fn check_rules_used(
    rules: &SurfaceRules,
    uses: &RuleUse,
    surface: &str,
    errors: &mut Vec<Diagnostic>,
) {
    let unused =
        |kind: &'static str, count: usize| (0..count).filter(move |i| !uses.is_used(kind, *i));
    let mut report = |pointer: String, what: String| {
        errors.push(Diagnostic::new(
            Location::new(rules.file.clone(), pointer),
            format!("rule matches nothing in surface `{surface}`: {what}"),
        ));
    };
    for i in unused("shared_types", rules.shared_types.len()) {
        report(
            format!("/shared_types/{i}"),
            format!("no schema `{}`", rules.shared_types[i].schema),
        );
    }
    for i in unused("field_aliases", rules.field_aliases.len()) {
        let r = &rules.field_aliases[i];
        report(
            format!("/field_aliases/{i}"),
            format!("no field `{}` in schema `{}`", r.field, r.schema),
        );
    }
    for i in unused("enum_values", rules.enum_values.len()) {
        let r = &rules.enum_values[i];
        report(
            format!("/enum_values/{i}"),
            format!("no value `{}` in enum `{}`", r.value, r.enum_name),
        );
    }
    for i in unused("field_types", rules.field_types.len()) {
        let r = &rules.field_types[i];
        report(
            format!("/field_types/{i}"),
            format!("no field `{}` in schema `{}`", r.field, r.schema),
        );
    }
    for i in unused("discriminator_values", rules.discriminator_values.len()) {
        report(
            format!("/discriminator_values/{i}"),
            format!("no subtype `{}`", rules.discriminator_values[i].schema),
        );
    }
    for i in unused("parameters", rules.parameters.len()) {
        report(
            format!("/parameters/{i}"),
            format!("no parameter `{}`", rules.parameters[i].wire),
        );
    }
    for (i, id) in rules.long_running.keys().enumerate() {
        if !uses.is_used("long_running", i) {
            report(
                format!("/long_running/{id}"),
                format!("no long-running operation `{id}`"),
            );
        }
    }
}

/// Merges the definitions several surfaces contribute to one common type:
/// fields by Rust name (other spellings become decoding aliases, and a
/// field is required only where every surface requires it), enum values
/// by wire value.
fn merge_common(parts: Vec<(String, TypeDef)>, errors: &mut Vec<Diagnostic>) -> Vec<TypeDef> {
    let mut merged: BTreeMap<String, TypeDef> = BTreeMap::new();
    let mut order = Vec::new();
    for (_surface, def) in parts {
        let Some(existing) = merged.get_mut(&def.name) else {
            order.push(def.name.clone());
            merged.insert(def.name.clone(), def);
            continue;
        };
        match (&mut existing.kind, def.kind) {
            (TypeKind::Struct(a), TypeKind::Struct(b)) => merge_struct(a, b),
            (TypeKind::Enum(a), TypeKind::Enum(b)) => merge_enum(a, b),
            (TypeKind::Union(a), TypeKind::Union(b)) => merge_union(a, b),
            (TypeKind::Alias(a), TypeKind::Alias(b)) if *a == b => {}
            (_, _) => errors.push(Diagnostic::new(
                def.source.clone(),
                format!(
                    "shared type `{}` has a different shape here than at {}; only structs, enums and unions merge",
                    def.name, existing.source
                ),
            )),
        }
        if existing.doc.is_none() {
            existing.doc = def.doc;
        }
    }
    order
        .into_iter()
        .filter_map(|n| merged.remove(&n))
        .collect()
}

fn merge_struct(a: &mut Struct, b: Struct) {
    let b_names: BTreeSet<String> = b.fields.iter().map(|f| f.rust_name.clone()).collect();
    for f in a.fields.iter_mut() {
        if !b_names.contains(&f.rust_name) {
            f.required = false;
        }
    }
    for f in b.fields {
        match a.fields.iter_mut().find(|x| x.rust_name == f.rust_name) {
            Some(x) => merge_field(x, f),
            None => a.fields.push(Field {
                required: false,
                ..f
            }),
        }
    }
    if a.additional.is_none() {
        a.additional = b.additional;
    }
}

fn merge_field(a: &mut Field, b: Field) {
    a.required &= b.required;
    a.read_only &= b.read_only;
    for alias in std::iter::once(b.wire_name).chain(b.aliases) {
        if alias != a.wire_name && !a.aliases.contains(&alias) {
            a.aliases.push(alias);
        }
    }
    if a.ty != b.ty {
        let string = TypeRef::Primitive(crate::ir::Primitive::String);
        a.ty = if a.ty == string && matches!(b.ty, TypeRef::Named { .. }) {
            // A plain string on one surface, an enum on another: the enum
            // keeps unknown values, so it decodes everything the string did.
            b.ty
        } else if b.ty == string && matches!(a.ty, TypeRef::Named { .. }) {
            a.ty.clone()
        } else {
            // Different shapes of the same value (an integer version here,
            // a string there): keep the JSON as it comes.
            TypeRef::Any
        };
    }
    if a.doc.is_none() {
        a.doc = b.doc;
    }
}

fn merge_enum(a: &mut Enum, b: Enum) {
    for v in b.values {
        let folded = a.values.iter_mut().find(|x| {
            x.wire == v.wire || x.aliases.contains(&v.wire) || v.aliases.contains(&x.wire)
        });
        match folded {
            Some(x) => {
                for alias in v.aliases {
                    if alias != x.wire && !x.aliases.contains(&alias) {
                        x.aliases.push(alias);
                    }
                }
            }
            None => {
                let mut names = crate::naming::Namespace::new();
                for x in &a.values {
                    names.reserve(&x.rust_name);
                }
                names.reserve(&a.fallback);
                let rust_name = names.claim(v.rust_name.clone());
                a.values.push(crate::ir::EnumValue { rust_name, ..v });
            }
        }
    }
}

fn merge_union(a: &mut Union, b: Union) {
    for v in b.variants {
        if !a.variants.iter().any(|x| x.wire == v.wire) {
            a.variants.push(v);
        }
    }
}

/// Marks the structs long-running operations poll, with the fields that
/// carry the state, the result's location and the error.
fn mark_status_types(api: &mut Api) {
    let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
    for s in &api.surfaces {
        for op in &s.operations {
            if let crate::ir::OperationKind::LongRunning(lro) = &op.kind
                && let TypeRef::Named { module, name } = &lro.status
            {
                wanted.insert((module.clone(), name.clone()));
            }
        }
    }
    let mark = |module: &str, defs: &mut Vec<TypeDef>| {
        for def in defs.iter_mut() {
            if !wanted.contains(&(module.to_string(), def.name.clone())) {
                continue;
            }
            if let TypeKind::Struct(s) = &mut def.kind {
                let find = |wires: &[&str]| {
                    s.fields
                        .iter()
                        .find(|f| wires.contains(&f.wire_name.as_str()))
                        .map(|f| f.rust_name.clone())
                };
                s.status = Some(crate::ir::StatusFields {
                    state: find(&status_fields::STATE_FIELDS),
                    resource_location: find(&[status_fields::RESOURCE_LOCATION_FIELD]),
                    error: find(&["error"]),
                });
            }
        }
    };
    mark(COMMON_MODULE, &mut api.common_types);
    for s in &mut api.surfaces {
        let module = s.models_module.clone();
        mark(&module, &mut s.types);
    }
}

/// Boxes every field whose type leads back to its own struct by value
/// (through fields, union variants or aliases; `Vec` and maps are already
/// on the heap).
fn mark_boxed(api: &mut Api) {
    // Graph over named types: module::name → by-value successors.
    let key = |module: &str, name: &str| format!("{module}::{name}");
    let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut all_defs: Vec<(String, &TypeDef)> = Vec::new();
    for def in &api.common_types {
        all_defs.push((COMMON_MODULE.to_string(), def));
    }
    for s in &api.surfaces {
        for def in &s.types {
            all_defs.push((s.models_module.clone(), def));
        }
    }
    for (module, def) in &all_defs {
        let succ = edges.entry(key(module, &def.name)).or_default();
        let mut push = |t: &TypeRef| {
            if let TypeRef::Named { module, name } = t {
                succ.push(key(module, name));
            }
        };
        match &def.kind {
            TypeKind::Struct(s) => s.fields.iter().for_each(|f| push(&f.ty)),
            TypeKind::Union(u) => u.variants.iter().for_each(|v| push(&v.ty)),
            TypeKind::Alias(t) => push(t),
            TypeKind::Enum(_) => {}
        }
    }
    let component = strongly_connected(&edges);
    let same = |a: &str, b: &str| {
        a == b || (component.contains_key(a) && component.get(a) == component.get(b))
    };
    let fix = |module: &str, defs: &mut Vec<TypeDef>| {
        for def in defs.iter_mut() {
            let me = key(module, &def.name);
            if let TypeKind::Struct(s) = &mut def.kind {
                for f in &mut s.fields {
                    if let TypeRef::Named { module, name } = &f.ty {
                        let target = key(module, name);
                        // A self-loop or a cycle through other types.
                        let cyclic = (target == me
                            && edges.get(&me).is_some_and(|e| e.contains(&me)))
                            || (target != me && same(&target, &me));
                        f.boxed = cyclic;
                    }
                }
            }
        }
    };
    fix(COMMON_MODULE, &mut api.common_types);
    for s in &mut api.surfaces {
        let module = s.models_module.clone();
        fix(&module, &mut s.types);
    }
}

/// Tarjan's algorithm, iterative (specs may nest deeply): node → component.
fn strongly_connected(edges: &BTreeMap<String, Vec<String>>) -> BTreeMap<String, usize> {
    let nodes: Vec<&String> = edges.keys().collect();
    let index_of: BTreeMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let succ: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            edges[*n]
                .iter()
                .filter_map(|m| index_of.get(m.as_str()).copied())
                .collect()
        })
        .collect();
    let n = nodes.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut comp = vec![usize::MAX; n];
    let mut next_index = 0;
    let mut next_comp = 0;
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(start, 0)];
        while let Some((v, i)) = work.pop() {
            if i == 0 {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = succ[v].get(i) {
                work.push((v, i + 1));
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp[w] = next_comp;
                        if w == v {
                            break;
                        }
                    }
                    next_comp += 1;
                }
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
            }
        }
    }
    nodes
        .into_iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), comp[i]))
        .collect()
}
