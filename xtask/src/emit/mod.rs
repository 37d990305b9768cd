//! emit: IR → the files of the generated crate. One module per artifact:
//! `models` writes models.rs files, `client` a surface's mod.rs, `crate_files`
//! lib.rs, Cargo.toml and README.md, `openapi` the normalized documents.
//! Emitters read the IR and nothing else.

mod client;
mod crate_files;
mod facade;
mod models;
mod openapi;
mod rust;

use std::collections::BTreeMap;

use crate::ir::{Api, Primitive, TypeDef, TypeKind, TypeRef};
use crate::normalize::COMMON_MODULE;

/// The runtime support the generated code calls, copied verbatim.
const RUNTIME: [(&str, &str); 11] = [
    ("mod.rs", include_str!("../../../templates/runtime/mod.rs")),
    (
        "base64.rs",
        include_str!("../../../templates/runtime/base64.rs"),
    ),
    (
        "core.rs",
        include_str!("../../../templates/runtime/core.rs"),
    ),
    (
        "credential.rs",
        include_str!("../../../templates/runtime/credential.rs"),
    ),
    (
        "datetime.rs",
        include_str!("../../../templates/runtime/datetime.rs"),
    ),
    (
        "error.rs",
        include_str!("../../../templates/runtime/error.rs"),
    ),
    ("lro.rs", include_str!("../../../templates/runtime/lro.rs")),
    (
        "macros.rs",
        include_str!("../../../templates/runtime/macros.rs"),
    ),
    (
        "paging.rs",
        include_str!("../../../templates/runtime/paging.rs"),
    ),
    (
        "query.rs",
        include_str!("../../../templates/runtime/query.rs"),
    ),
    (
        "secret.rs",
        include_str!("../../../templates/runtime/secret.rs"),
    ),
];

/// Every file of the crate: path relative to the crate root → contents.
pub type Files = BTreeMap<String, String>;

pub fn emit(api: &Api) -> Result<Files, String> {
    let index = TypeIndex::new(api);
    let mut files = Files::new();
    for (name, text) in RUNTIME {
        files.insert(format!("src/runtime/{name}"), text.to_string());
    }
    files.insert("Cargo.toml".into(), crate_files::cargo_toml(api));
    files.insert("README.md".into(), crate_files::readme(api));
    files.insert(
        "src/lib.rs".into(),
        rust::format_file(crate_files::lib_rs(api), "lib.rs")?,
    );
    files.insert(
        "src/models.rs".into(),
        rust::format_file(
            models::models_file(
                COMMON_MODULE,
                "Types shared by several surfaces, generated once.",
                &api.common_types,
                &index,
            ),
            "models.rs",
        )?,
    );
    if let Some(f) = &api.facade {
        files.insert(
            "src/facade.rs".into(),
            rust::format_file(facade::facade_file(f, &api.crate_name, &index), "facade.rs")?,
        );
    }
    for surface in &api.surfaces {
        let module = &surface.module;
        files.insert(
            format!("src/{module}/mod.rs"),
            rust::format_file(
                client::surface_file(surface, &index),
                &format!("{module}/mod.rs"),
            )?,
        );
        files.insert(
            format!("src/{module}/models.rs"),
            rust::format_file(
                models::models_file(
                    &format!("{module}::models"),
                    &format!("Types of the {}.", surface.title),
                    &surface.types,
                    &index,
                ),
                &format!("{module}/models.rs"),
            )?,
        );
        files.insert(
            format!("openapi/{}.yaml", surface.feature),
            openapi::document(surface, api, &index)?,
        );
    }
    Ok(files)
}

/// Finds the definition behind a named type, across modules.
pub struct TypeIndex<'a> {
    defs: BTreeMap<(String, String), &'a TypeDef>,
}

impl<'a> TypeIndex<'a> {
    pub fn new(api: &'a Api) -> Self {
        let mut defs = BTreeMap::new();
        for d in &api.common_types {
            defs.insert((COMMON_MODULE.to_string(), d.name.clone()), d);
        }
        for s in &api.surfaces {
            for d in &s.types {
                defs.insert((format!("{}::models", s.module), d.name.clone()), d);
            }
        }
        Self { defs }
    }

    pub fn def(&self, t: &TypeRef) -> Option<&'a TypeDef> {
        match t {
            TypeRef::Named { module, name } => {
                self.defs.get(&(module.clone(), name.clone())).copied()
            }
            _ => None,
        }
    }

    pub fn is_enum(&self, t: &TypeRef) -> bool {
        matches!(self.def(t).map(|d| &d.kind), Some(TypeKind::Enum(_)))
    }

    /// Whether the type implements `Default` (so a struct of such fields
    /// can derive it).
    pub fn defaultable(&self, t: &TypeRef) -> bool {
        self.defaultable_depth(t, 0)
    }

    fn defaultable_depth(&self, t: &TypeRef, depth: usize) -> bool {
        if depth > 64 {
            return false;
        }
        match t {
            TypeRef::Primitive(Primitive::DateTime) => false,
            TypeRef::Primitive(_)
            | TypeRef::Vec(_)
            | TypeRef::Map(_)
            | TypeRef::Any
            | TypeRef::Page(_) => true,
            TypeRef::Named { .. } => match self.def(t).map(|d| &d.kind) {
                Some(TypeKind::Struct(s)) => s
                    .fields
                    .iter()
                    .all(|f| !f.required || (!f.boxed && self.defaultable_depth(&f.ty, depth + 1))),
                Some(TypeKind::Alias(inner)) => self.defaultable_depth(inner, depth + 1),
                _ => false,
            },
        }
    }
}
