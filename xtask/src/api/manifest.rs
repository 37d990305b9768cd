//! The public API of a generated crate, as data: what its users call and
//! read, and what goes on the wire for it. Written beside the crate as
//! `api.json`, so the next regeneration can say what changed without git
//! history.

use serde::{Deserialize, Serialize};

use crate::ir::{Api, OperationKind, ParamIn, Primitive, Surface, TypeDef, TypeKind, TypeRef};

/// The file name beside the generated crate's `Cargo.toml`.
pub const MANIFEST_FILE: &str = "api.json";

/// Bumped when the manifest's shape changes; an older one is not compared.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiManifest {
    pub format: u32,
    pub crate_name: String,
    pub version: String,
    pub surfaces: Vec<SurfaceApi>,
    /// Types several surfaces share (`models`).
    pub common_types: Vec<TypeApi>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurfaceApi {
    pub feature: String,
    pub module: String,
    pub client: String,
    pub api_version: Option<String>,
    pub operations: Vec<OperationApi>,
    pub types: Vec<TypeApi>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationApi {
    pub operation_id: String,
    pub method: String,
    pub path: String,
    /// The Rust method, with the type it is on (`ModelsClient::list`).
    pub rust: String,
    /// `plain`, `pageable` or `long-running`.
    pub kind: String,
    pub params: Vec<ParamApi>,
    pub body: Option<BodyApi>,
    /// Success statuses and the type each answers with.
    pub responses: Vec<ResponseApi>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamApi {
    pub wire: String,
    /// `path`, `query` or `header`.
    pub location: String,
    pub rust: String,
    pub ty: String,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodyApi {
    pub ty: String,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseApi {
    pub status: u16,
    pub ty: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeApi {
    pub name: String,
    /// `struct`, `enum`, `union` or `alias`.
    pub kind: String,
    /// A struct's fields; empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldApi>,
    /// An enum's wire values, or a union's tag values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// The Rust variant of each of `values`, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<String>,
    /// A union's tag property, or an alias's target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldApi {
    pub wire: String,
    pub rust: String,
    pub ty: String,
    pub required: bool,
}

/// The version every generated crate starts at (`templates/Cargo.toml`).
pub const CRATE_VERSION: &str = "0.1.0";

pub fn manifest(api: &Api) -> ApiManifest {
    ApiManifest {
        format: FORMAT,
        crate_name: api.crate_name.clone(),
        version: CRATE_VERSION.to_string(),
        surfaces: api.surfaces.iter().map(surface).collect(),
        common_types: api.common_types.iter().map(type_api).collect(),
    }
}

fn surface(s: &Surface) -> SurfaceApi {
    SurfaceApi {
        feature: s.feature.clone(),
        module: s.module.clone(),
        client: s.client.clone(),
        api_version: s.api_version.as_ref().map(|v| v.value.clone()),
        operations: s
            .operations
            .iter()
            .map(|op| {
                let owner = if op.group_type.is_empty() {
                    match op.scope.and_then(|i| s.scopes.get(i)) {
                        Some(scope) => scope.name.clone(),
                        None => s.client.clone(),
                    }
                } else {
                    op.group_type.clone()
                };
                OperationApi {
                    operation_id: op.operation_id.clone(),
                    method: op.method.as_str().to_string(),
                    path: op.path_template(),
                    rust: format!("{owner}::{}", op.name.trim_start_matches("r#")),
                    kind: match op.kind {
                        OperationKind::Plain => "plain",
                        OperationKind::Pageable(_) => "pageable",
                        OperationKind::LongRunning(_) => "long-running",
                    }
                    .to_string(),
                    params: op
                        .params
                        .iter()
                        .map(|p| ParamApi {
                            wire: p.wire_name.clone(),
                            location: match p.location {
                                ParamIn::Path => "path",
                                ParamIn::Query => "query",
                                ParamIn::Header => "header",
                            }
                            .to_string(),
                            rust: p.rust_name.clone(),
                            ty: type_string(&p.ty),
                            required: p.required,
                        })
                        .collect(),
                    body: op.body.as_ref().map(|b| BodyApi {
                        ty: type_string(&b.ty),
                        required: b.required,
                    }),
                    responses: op
                        .responses
                        .iter()
                        .map(|r| ResponseApi {
                            status: r.status,
                            ty: r.ty.as_ref().map(type_string),
                        })
                        .collect(),
                }
            })
            .collect(),
        types: s.types.iter().map(type_api).collect(),
    }
}

fn type_api(def: &TypeDef) -> TypeApi {
    let variants = match &def.kind {
        TypeKind::Enum(e) => e.values.iter().map(|v| v.rust_name.clone()).collect(),
        TypeKind::Union(u) => u.variants.iter().map(|v| v.rust_name.clone()).collect(),
        _ => Vec::new(),
    };
    let (kind, fields, values, of) = match &def.kind {
        TypeKind::Struct(s) => (
            "struct",
            s.fields
                .iter()
                .map(|f| FieldApi {
                    wire: f.wire_name.clone(),
                    rust: f.rust_name.clone(),
                    ty: type_string(&f.ty),
                    required: f.required,
                })
                .collect(),
            Vec::new(),
            None,
        ),
        TypeKind::Enum(e) => (
            "enum",
            Vec::new(),
            e.values.iter().map(|v| v.wire.clone()).collect(),
            None,
        ),
        TypeKind::Union(u) => (
            "union",
            Vec::new(),
            u.variants.iter().map(|v| v.wire.clone()).collect(),
            Some(u.tag.clone()),
        ),
        TypeKind::Alias(t) => ("alias", Vec::new(), Vec::new(), Some(type_string(t))),
    };
    TypeApi {
        name: def.name.clone(),
        kind: kind.to_string(),
        fields,
        values,
        variants,
        of,
    }
}

/// A type as a user writes it (`Vec<account::models::Model>`).
pub fn type_string(t: &TypeRef) -> String {
    match t {
        TypeRef::Primitive(p) => match p {
            Primitive::String => "String",
            Primitive::Bool => "bool",
            Primitive::I32 => "i32",
            Primitive::I64 => "i64",
            Primitive::F32 => "f32",
            Primitive::F64 => "f64",
            Primitive::DateTime => "OffsetDateTime",
            Primitive::DateTimeRfc1123 => "OffsetDateTime (RFC 1123)",
            Primitive::Secret => "SecretString",
            Primitive::Bytes => "Vec<u8>",
            Primitive::Base64Url => "Base64Url",
        }
        .to_string(),
        TypeRef::Named { module, name } => format!("{module}::{name}"),
        TypeRef::Vec(t) => format!("Vec<{}>", type_string(t)),
        TypeRef::Map(t) => format!("BTreeMap<String, {}>", type_string(t)),
        TypeRef::Any => "serde_json::Value".to_string(),
        TypeRef::Page(t) => format!("Page<{}>", type_string(t)),
    }
}
