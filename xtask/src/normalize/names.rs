//! The names emit prints that no spec gives: each module's handle types,
//! answer enums and statics, each claimed in one namespace per module so
//! none can clash with another; the field of unnamed members; the modules
//! of the example tests.

use super::COMMON_MODULE;
use crate::ir::{Api, OperationKind, Response, TypeKind};
use crate::naming::{Namespace, value_name};

/// The group clients of a surface with a client of its own, clear of the
/// client's and the scopes' names: Attestation's group `Attestation`
/// would be `AttestationClient`, the client itself, so it is
/// `AttestationOperationsClient`. (A shared client's groups are named in
/// `clients`.)
fn name_group_clients(surface: &mut crate::ir::Surface, types: &mut Namespace) {
    let mut named: Vec<(String, String)> = Vec::new();
    for op in &mut surface.operations {
        if op.group_type.is_empty() {
            continue;
        }
        if let Some((_, to)) = named.iter().find(|(from, _)| *from == op.group_type) {
            op.group_type = to.clone();
            continue;
        }
        let wanted = if types.contains(&op.group_type) {
            let stem = op.group_type.trim_end_matches("Client");
            format!("{stem}OperationsClient")
        } else {
            op.group_type.clone()
        };
        let to = types.claim(wanted);
        named.push((std::mem::replace(&mut op.group_type, to.clone()), to));
    }
}

/// The static describing a surface with a client of its own to the
/// runtime.
const SURFACE_STATIC: &str = "SURFACE";

/// Names the items of each surface's module beside its models: the
/// client, scope and group handles and the shared state behind them, the
/// options structs and answer enums (types); the surface's and each
/// operation's static (values). After clients are shared and group types
/// named, so every name is final.
pub(super) fn name_module_items(api: &mut Api) {
    for surface in &mut api.surfaces {
        let mut types = Namespace::new();
        let mut values = Namespace::new();
        let own_client = surface.shared_client.is_none();
        // Names given before this pass: the handles' own types (a shared
        // client and its groups are in `clients`).
        if own_client {
            types.reserve(&surface.client);
        }
        for scope in &surface.scopes {
            types.reserve(&scope.name);
        }
        if own_client {
            name_group_clients(surface, &mut types);
        }
        // Names derived from them, each clear of all the above.
        if own_client {
            surface.client_inner = types.claim(format!("{}Inner", surface.client));
            surface.info_static = values.claim(SURFACE_STATIC.to_string());
        }
        for scope in &mut surface.scopes {
            scope.inner = types.claim(format!("{}Inner", scope.name));
        }
        for op in &mut surface.operations {
            op.options_type = types.claim(std::mem::take(&mut op.options_type));
        }
        for op in &mut surface.operations {
            name_info_static(op, &mut values);
            name_answers(op, &mut types);
        }
    }
}

/// The statics describing each operation to the runtime, `OP_` and the
/// operationId in capitals, distinct in the surface's module (`Models_Get`
/// and `models_get` would otherwise be one name).
fn name_info_static(op: &mut crate::ir::Operation, statics: &mut Namespace) {
    let id = value_name(&op.operation_id);
    let wanted = format!("OP_{}", id.trim_start_matches("r#").to_uppercase());
    op.info_static = statics.claim(wanted);
}

/// A plain operation whose success responses carry bodies of different
/// types answers with an enum (`ServicesCreateResponse`), a variant per
/// status (`Ok`, `Created`, `Status299`).
fn name_answers(op: &mut crate::ir::Operation, types: &mut Namespace) {
    if !matches!(op.kind, OperationKind::Plain) {
        return;
    }
    let mut bodies: Vec<_> = op.responses.iter().filter_map(|r| r.ty.as_ref()).collect();
    bodies.sort();
    bodies.dedup();
    if bodies.len() < 2 {
        return;
    }
    let stem = op.options_type.trim_end_matches("Options");
    op.answer_enum = Some(types.claim(format!("{stem}Response")));
    let mut variants = Namespace::new();
    for r in &mut op.responses {
        r.variant = Some(variants.claim(status_variant(r)));
    }
}

fn status_variant(r: &Response) -> String {
    match r.status {
        200 => "Ok".to_string(),
        201 => "Created".to_string(),
        202 => "Accepted".to_string(),
        203 => "NonAuthoritativeInformation".to_string(),
        204 => "NoContent".to_string(),
        206 => "PartialContent".to_string(),
        other => format!("Status{other}"),
    }
}

/// Names the field each struct keeps unnamed members in, distinct from its
/// other fields; after shared types are merged, when the fields are final.
pub(super) fn name_additional_fields(api: &mut Api) {
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

/// Methods every struct may have besides its setters.
const STRUCT_METHODS: [&str; 5] = [
    "new",
    "default",
    "poller_status",
    "resource_location",
    "failure",
];

/// The `with_<field>` method of each optional field of each struct, and
/// of each optional parameter in each options struct, distinct from the
/// other methods of the type.
pub(super) fn name_setters(api: &mut Api) {
    let structs = api
        .common_types
        .iter_mut()
        .chain(api.surfaces.iter_mut().flat_map(|s| s.types.iter_mut()))
        .filter_map(|def| match &mut def.kind {
            TypeKind::Struct(s) => Some(s),
            _ => None,
        });
    for s in structs {
        let mut methods = Namespace::new();
        for reserved in STRUCT_METHODS {
            methods.reserve(reserved);
        }
        for f in s.fields.iter_mut().filter(|f| !f.required) {
            f.setter = Some(methods.claim(setter_name(&f.rust_name)));
        }
    }
    for op in api
        .surfaces
        .iter_mut()
        .flat_map(|s| s.operations.iter_mut())
    {
        let mut methods = Namespace::new();
        for reserved in ["default", "with_method_options"] {
            methods.reserve(reserved);
        }
        for p in op.params.iter_mut().filter(|p| !p.required) {
            p.setter = Some(methods.claim(setter_name(&p.rust_name)));
        }
    }
}

/// `with_type` for `r#type`, `with_2fa` for `_2fa`: snake case whatever
/// the field's name had to become.
fn setter_name(field: &str) -> String {
    value_name(&format!("with {}", field.trim_start_matches("r#")))
}

/// The module of each surface's example tests in `tests/examples.rs`
/// (`keys_examples`), clear of the crate's module names the file imports
/// and of the names it uses itself.
pub(super) fn name_example_modules(api: &mut Api) {
    let mut names = Namespace::new();
    for reserved in ["krate", "replay", "runtime", COMMON_MODULE, "facade"] {
        names.reserve(reserved);
    }
    for s in &api.surfaces {
        names.reserve(&s.module);
    }
    for s in &mut api.surfaces {
        s.examples_module = names.claim(format!("{}_examples", s.module));
    }
}
