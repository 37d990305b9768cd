//! The status documents long-running operations poll: which of their
//! fields carry the state, the result's location and the error, read as
//! the runtime reads an untyped one (`status_fields`, shared with it).

use std::collections::BTreeSet;

use super::status_fields::{
    PROPERTIES_FIELD, PROVISIONING_STATE_FIELD, RESOURCE_LOCATION_FIELD, STATE_FIELDS,
};
use crate::ir::{
    Api, Field, FieldStep, OperationKind, Primitive, StatePath, StatusFields, Struct, TypeIndex,
    TypeKind, TypeRef,
};

/// Marks the structs long-running operations poll with their status
/// fields.
pub(super) fn mark_status_types(api: &mut Api) {
    let mut wanted: BTreeSet<&TypeRef> = BTreeSet::new();
    for s in &api.surfaces {
        for op in &s.operations {
            if let OperationKind::LongRunning(lro) = &op.kind
                && matches!(lro.status, TypeRef::Named { .. })
            {
                wanted.insert(&lro.status);
            }
        }
    }
    let index = TypeIndex::new(api);
    let found: Vec<(TypeRef, StatusFields)> = wanted
        .into_iter()
        .filter_map(|t| match &index.def(t)?.kind {
            TypeKind::Struct(s) => Some((t.clone(), status_fields(s, &index))),
            _ => None,
        })
        .collect();
    for (t, fields) in found {
        let TypeRef::Named { module, name } = &t else {
            continue;
        };
        let defs = if module == super::COMMON_MODULE {
            &mut api.common_types
        } else {
            match api.surfaces.iter_mut().find(|s| &s.models_module == module) {
                Some(s) => &mut s.types,
                None => continue,
            }
        };
        if let Some(TypeKind::Struct(s)) = defs
            .iter_mut()
            .find(|d| &d.name == name)
            .map(|d| &mut d.kind)
        {
            s.status = Some(fields);
        }
    }
}

fn status_fields(s: &Struct, index: &TypeIndex<'_>) -> StatusFields {
    let field = |s: &'_ Struct, wire: &str| -> Option<Field> {
        s.fields.iter().find(|f| f.wire_name == wire).cloned()
    };
    let string = |f: &Field| f.ty == TypeRef::Primitive(Primitive::String);
    let readable = |f: &Field| string(f) || index.is_enum(&f.ty);
    let step = |f: &Field| FieldStep {
        field: f.rust_name.clone(),
        required: f.required,
    };
    let mut state: Vec<StatePath> = Vec::new();
    for wire in STATE_FIELDS {
        if let Some(f) = field(s, wire).filter(|f| readable(f)) {
            state.push(StatePath {
                steps: vec![step(&f)],
                string: string(&f),
            });
        }
    }
    let nested = field(s, PROPERTIES_FIELD).and_then(|p| match &index.def(&p.ty)?.kind {
        TypeKind::Struct(inner) => {
            let f = field(inner, PROVISIONING_STATE_FIELD).filter(|f| readable(f))?;
            Some(StatePath {
                steps: vec![step(&p), step(&f)],
                string: string(&f),
            })
        }
        _ => None,
    });
    state.extend(nested);
    // A required candidate is always there: later ones are never read.
    if let Some(first_required) = state
        .iter()
        .position(|path| path.steps.iter().all(|step| step.required))
    {
        state.truncate(first_required + 1);
    }
    StatusFields {
        state,
        resource_location: field(s, RESOURCE_LOCATION_FIELD).map(|f| f.rust_name),
        error: field(s, "error").map(|f| f.rust_name),
    }
}
