//! normalize: loaded documents + normalization rules → the IR.
//!
//! Everything the legacy variants disagree on is decided here, by the rules
//! in `specs/<surface>/normalize.yaml` (see `rules`), and by the built-in
//! repairs documented in `docs/normalization.md`.

// The runtime's list of status members, compiled here too: one source.
mod clients;
mod common;
mod cycles;
mod examples;
mod facade;
mod names;
mod operations;
pub mod rules;
mod schema_view;
mod status;
#[path = "../../../runtime/src/status_fields.rs"]
#[allow(dead_code)]
mod status_fields;
mod surface;
mod types;

use std::collections::BTreeSet;

pub use operations::parse_template;
use rules::SurfaceRules;
pub use types::COMMON_MODULE;
use types::TypeBuilder;

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::ir::{Api, Surface, TypeDef};
use crate::load::Spec;
use crate::naming::module_name;

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
        let scopes = surface::build_scopes(rules);
        if rules.surface.facade && !scopes.is_empty() {
            participants.push((surfaces.len(), 0));
        }
        let default_endpoint = surface::default_endpoint(spec);
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
        let auth_scope = surface::auth_scope(spec, rules, default_endpoint.as_deref());
        let client =
            rules.surface.client.clone().unwrap_or_else(|| {
                surface::client_name(&spec.document.info.title, &feature, inputs)
            });
        shareable
            .push(rules.surface.client.is_none() && scopes.is_empty() && !rules.surface.facade);
        surfaces.push(Surface {
            client,
            // Named by `names` once clients are shared.
            client_inner: String::new(),
            info_static: String::new(),
            examples_module: String::new(),
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
            base_path: surface::base_path(&operations_out.operations),
            scopes,
            operations: operations_out.operations,
            types: defs,
            shared_client: None,
            untyped,
        });
    }
    let common_types = common::merge_common(common_parts, &mut errors);
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
    cycles::mark_boxed(&mut api);
    status::mark_status_types(&mut api);
    names::name_additional_fields(&mut api);
    names::name_setters(&mut api);
    names::name_module_items(&mut api);
    names::name_example_modules(&mut api);
    api.facade = facade::build(&api, &participants);
    if errors.is_empty() {
        Ok(api)
    } else {
        errors.sort_by(|a, b| a.location.cmp(&b.location).then(a.message.cmp(&b.message)));
        errors.dedup();
        Err(Diagnostics(errors))
    }
}

/// The path of a surface module's types: decided here, once.
pub(crate) fn models_module(module: &str) -> String {
    format!("{module}::models")
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
