//! The unified facade: which operations the data-plane variants share, with
//! the same shape, and which fields of their results they share.
//!
//! A group becomes a trait when two or more facade surfaces have it; a
//! method joins the trait when every such surface has it with the same
//! arguments and the same shape (a bare-array list and a paged list are
//! both "a list"); a field joins the fields trait when every result type
//! of the group has it with the same kind. Everything else stays
//! variant-only: a method of one surface alone is a compile error on the
//! others, not a runtime one.

use std::collections::BTreeSet;

use crate::ir::{
    Api, Facade, FacadeField, FacadeGroup, FacadeMember, FacadeMethod, FacadeShape, FieldKind,
    MemberMethod, Method, Operation, OperationKind, Primitive, TypeIndex, TypeKind, TypeRef,
};
use crate::naming::type_name;

/// Which surfaces take part, in order: (surface index, scope index).
pub fn build(api: &Api, participants: &[(usize, usize)]) -> Option<Facade> {
    if participants.len() < 2 {
        return None;
    }
    let index = &TypeIndex::new(api);
    let ops_of = |(s, scope): (usize, usize)| -> Vec<&Operation> {
        api.surfaces[s]
            .operations
            .iter()
            .filter(|op| op.scope == Some(scope) && !op.group.is_empty())
            .collect()
    };
    let mut group_names: Vec<String> = Vec::new();
    for p in participants {
        for op in ops_of(*p) {
            if !group_names.contains(&op.group) {
                group_names.push(op.group.clone());
            }
        }
    }
    let mut groups = Vec::new();
    for group in group_names {
        let members: Vec<(usize, usize)> = participants
            .iter()
            .copied()
            .filter(|p| ops_of(*p).iter().any(|op| op.group == group))
            .collect();
        if members.len() < 2 {
            continue;
        }
        // Candidate methods: the first member's, kept when every member has
        // a compatible one.
        let first_ops: Vec<&Operation> = ops_of(members[0])
            .into_iter()
            .filter(|op| op.group == group)
            .collect();
        let mut methods = Vec::new();
        let mut member_methods: Vec<Vec<MemberMethod>> = vec![Vec::new(); members.len()];
        for candidate in first_ops {
            let Some(shape) = shape_of(index, candidate) else {
                continue;
            };
            let args = required_args(candidate);
            let mut found = Vec::new();
            for m in &members {
                let op = ops_of(*m)
                    .into_iter()
                    .find(|op| op.group == group && op.name == candidate.name)
                    .filter(|op| shape_of(index, op) == Some(shape) && required_args(op) == args)
                    .filter(|op| {
                        op.body.as_ref().map(|b| b.required)
                            == candidate.body.as_ref().map(|b| b.required)
                    });
                match op {
                    Some(op) => found.push(member_method(index, op, shape)),
                    None => break,
                }
            }
            if found.len() == members.len() {
                let assoc = |what: &str| format!("{}{what}", type_name(&candidate.name));
                methods.push(FacadeMethod {
                    output_assoc: assoc("Output"),
                    body_assoc: assoc("Body"),
                    status_assoc: assoc("Status"),
                    name: candidate.name.clone(),
                    shape,
                    args,
                    body: candidate.body.as_ref().is_some_and(|b| b.required),
                });
                for (i, mm) in found.into_iter().enumerate() {
                    member_methods[i].push(mm);
                }
            }
        }
        if methods.is_empty() {
            continue;
        }
        let facade_members: Vec<FacadeMember> = members
            .iter()
            .zip(member_methods)
            .map(|((s, scope), methods)| {
                let surface = &api.surfaces[*s];
                let mut outputs: Vec<TypeRef> = Vec::new();
                for m in &methods {
                    if let Some(t @ TypeRef::Named { .. }) = &m.output
                        && !outputs.contains(t)
                    {
                        outputs.push(t.clone());
                    }
                }
                let group_type = surface
                    .operations
                    .iter()
                    .find(|op| op.group == group && op.scope == Some(*scope))
                    .map(|op| op.group_type.clone())
                    .unwrap_or_default();
                FacadeMember {
                    feature: surface.feature.clone(),
                    module: surface.module.clone(),
                    scope_type: surface.scopes[*scope].name.clone(),
                    group_type,
                    methods,
                    output_types: outputs,
                }
            })
            .collect();
        let fields = common_fields(index, &facade_members);
        let base = type_name(&group);
        // Associated types of the group trait: one namespace.
        let mut assoc_names = crate::naming::Namespace::new();
        for m in &mut methods {
            for name in [&mut m.output_assoc, &mut m.body_assoc, &mut m.status_assoc] {
                *name = assoc_names.claim(std::mem::take(name));
            }
        }
        groups.push(FacadeGroup {
            group_assoc: base.clone(),
            api_trait: format!("{base}Api"),
            scope_trait: format!("Has{base}"),
            fields_trait: format!("{}Fields", base.trim_end_matches('s')),
            group,
            methods,
            members: facade_members,
            fields,
        });
    }
    Some(Facade { groups })
}

fn required_args(op: &Operation) -> Vec<(String, TypeRef)> {
    op.params
        .iter()
        .filter(|p| p.required)
        .map(|p| (p.rust_name.clone(), p.ty.clone()))
        .collect()
}

/// The shape of an operation as the facade sees it; `None` for shapes it
/// does not unify (several different bodies by status).
fn shape_of(index: &TypeIndex<'_>, op: &Operation) -> Option<FacadeShape> {
    match &op.kind {
        OperationKind::Pageable(_) => Some(FacadeShape::List),
        OperationKind::LongRunning(_) => Some(FacadeShape::LongRunning),
        OperationKind::Plain => {
            let types: BTreeSet<&TypeRef> =
                op.responses.iter().filter_map(|r| r.ty.as_ref()).collect();
            let all = op.responses.iter().all(|r| r.ty.is_some());
            match (types.len(), all) {
                (0, _) => Some(FacadeShape::Unit),
                (1, true) => {
                    let t = types.into_iter().next()?;
                    if op.method == Method::Get && op.name == "list" && is_array(index, t) {
                        Some(FacadeShape::List)
                    } else {
                        Some(FacadeShape::Value)
                    }
                }
                _ => None,
            }
        }
    }
}

/// The item type of an array (through aliases).
fn array_item(index: &TypeIndex<'_>, t: &TypeRef) -> Option<TypeRef> {
    match t {
        TypeRef::Vec(item) => Some((**item).clone()),
        TypeRef::Named { .. } => match &index.def(t)?.kind {
            TypeKind::Alias(inner) => array_item(index, inner),
            _ => None,
        },
        _ => None,
    }
}

fn is_array(index: &TypeIndex<'_>, t: &TypeRef) -> bool {
    array_item(index, t).is_some()
}

fn member_method(index: &TypeIndex<'_>, op: &Operation, shape: FacadeShape) -> MemberMethod {
    let body = op
        .body
        .as_ref()
        .filter(|b| b.required)
        .map(|b| b.ty.clone());
    let single = || op.responses.iter().find_map(|r| r.ty.clone());
    match (&op.kind, shape) {
        (OperationKind::Pageable(p), _) => MemberMethod {
            body,
            output: Some(p.item.clone()),
            status: None,
            pageable: true,
            options_type: op.options_type.clone(),
        },
        (OperationKind::LongRunning(lro), _) => MemberMethod {
            body,
            output: Some(lro.result.clone().unwrap_or_else(|| lro.status.clone())),
            status: Some(lro.status.clone()),
            pageable: false,
            options_type: op.options_type.clone(),
        },
        (_, FacadeShape::List) => MemberMethod {
            body,
            output: single().and_then(|t| array_item(index, &t)),
            status: None,
            pageable: false,
            options_type: op.options_type.clone(),
        },
        (_, FacadeShape::Unit) => MemberMethod {
            body,
            output: None,
            status: None,
            pageable: false,
            options_type: op.options_type.clone(),
        },
        _ => MemberMethod {
            body,
            output: single(),
            status: None,
            pageable: false,
            options_type: op.options_type.clone(),
        },
    }
}

/// Fields every output type of every member has (under its wire name or
/// an alias), with the same kind.
fn common_fields(index: &TypeIndex<'_>, members: &[FacadeMember]) -> Vec<FacadeField> {
    let types: Vec<&TypeRef> = members.iter().flat_map(|m| &m.output_types).collect();
    let Some(first) = types.first() else {
        return Vec::new();
    };
    fields_of(index, first)
        .into_iter()
        .filter(|x| {
            types
                .iter()
                .all(|t| fields_of(index, t).iter().any(|y| same_field(x, y)))
        })
        .map(|x| {
            let mut names = x.names.clone();
            for t in &types {
                for y in fields_of(index, t)
                    .into_iter()
                    .filter(|y| same_field(&x, y))
                {
                    for n in y.names {
                        if !names.contains(&n) {
                            names.push(n);
                        }
                    }
                }
            }
            FacadeField {
                rust_name: x.rust,
                wire_names: names,
                kind: x.kind,
            }
        })
        .collect()
}

struct Readable {
    /// The wire name first, then the aliases.
    names: Vec<String>,
    kind: FieldKind,
    rust: String,
}

fn same_field(a: &Readable, b: &Readable) -> bool {
    a.kind == b.kind && a.names.iter().any(|n| b.names.contains(n))
}

/// The readable fields of a type; for a union, those all its variants have.
fn fields_of(index: &TypeIndex<'_>, t: &TypeRef) -> Vec<Readable> {
    let Some(def) = index.def(t) else {
        return Vec::new();
    };
    match &def.kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .filter_map(|f| {
                kind_of(index, &f.ty).map(|kind| Readable {
                    names: std::iter::once(f.wire_name.clone())
                        .chain(f.aliases.iter().cloned())
                        .collect(),
                    kind,
                    rust: f.rust_name.trim_start_matches("r#").to_string(),
                })
            })
            .collect(),
        TypeKind::Union(u) => {
            let mut common: Option<Vec<Readable>> = None;
            for v in &u.variants {
                let fields = fields_of(index, &v.ty);
                common = Some(match common {
                    None => fields,
                    Some(c) => c
                        .into_iter()
                        .filter(|x| fields.iter().any(|y| same_field(x, y)))
                        .collect(),
                });
            }
            common.unwrap_or_default()
        }
        TypeKind::Alias(inner) => fields_of(index, inner),
        TypeKind::Enum(_) => Vec::new(),
    }
}

fn kind_of(index: &TypeIndex<'_>, t: &TypeRef) -> Option<FieldKind> {
    match t {
        TypeRef::Primitive(Primitive::String) => Some(FieldKind::Text),
        TypeRef::Primitive(Primitive::I32 | Primitive::I64) => Some(FieldKind::Integer),
        TypeRef::Primitive(Primitive::Bool) => Some(FieldKind::Bool),
        TypeRef::Primitive(Primitive::DateTime) => Some(FieldKind::DateTime),
        TypeRef::Named { .. } => match &index.def(t)?.kind {
            TypeKind::Enum(_) => Some(FieldKind::Text),
            _ => None,
        },
        _ => None,
    }
}
