//! Shared types: the definitions several surfaces give one common type,
//! merged into one.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::Diagnostic;
use crate::ir::{Enum, Field, Struct, TypeDef, TypeKind, TypeRef, Union};

/// Merges the definitions several surfaces contribute to one common type:
/// fields by Rust name (other spellings become decoding aliases, and a
/// field is required only where every surface requires it), enum values
/// by wire value.
pub(super) fn merge_common(
    parts: Vec<(String, TypeDef)>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<TypeDef> {
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
