//! Schemas → IR types: structs, enums with a fallback, unions by
//! discriminator, aliases, and the generic page envelope.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{AdditionalProperties, ReferenceOr, Schema};
use serde_json::Value;

use super::RuleUse;
use super::rules::SurfaceRules;
use super::schema_view::{SchemaRef, View};
use crate::diagnostic::{Diagnostic, Location};
use crate::ir::{
    Enum, EnumValue, Field, Primitive, Struct, TypeDef, TypeKind, TypeRef, Union, UnionVariant,
};
use crate::load::{Spec, pointer_push};
use crate::naming::{Namespace, type_name, value_name};

pub use crate::ir::COMMON_MODULE;

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// Builds the types of one surface.
pub struct TypeBuilder<'a> {
    spec: &'a Spec,
    /// The surface's module; its types live in `<module>::models`.
    module: String,
    rules: &'a SurfaceRules,
    pub uses: &'a mut RuleUse,
    schemas: BTreeMap<&'a str, &'a ReferenceOr<Schema>>,
    named: BTreeMap<String, TypeRef>,
    /// (in a shared type?, x-ms-enum name) → (values, type): one type per
    /// named enum and module.
    enums: BTreeMap<(bool, String), (Vec<String>, TypeRef)>,
    pub defs: Vec<TypeDef>,
    /// Definitions contributed to common types (merged across surfaces).
    pub common: Vec<TypeDef>,
    /// (in `common`?, name) → index into `common` or `defs`.
    def_index: BTreeMap<(bool, String), usize>,
    names: Namespace,
    common_names: Namespace,
    /// schema → schemas whose `allOf` names it.
    children: BTreeMap<String, Vec<String>>,
    pub errors: Vec<Diagnostic>,
    /// Inside a shared type: new inline types go to the common module.
    in_common: bool,
    /// How many named schemas are being built, one inside another.
    depth: usize,
    /// Inline object schemas already given a type, by address in the
    /// document (and whether inside a shared type).
    inline: BTreeMap<(bool, usize), TypeRef>,
    /// The success schemas of `x-ms-pageable` operations, the only ones
    /// that may become `Page<T>`: by name, and inline ones by address. An
    /// object whose one member is a `value` array is no page where nothing
    /// pages through it (DNS's `TxtRecord`).
    pages: BTreeSet<String>,
    inline_pages: BTreeSet<usize>,
    /// (kind, pointer) of each place given no Rust type.
    untyped: BTreeSet<(&'static str, String)>,
}

/// Kinds of places kept as `serde_json::Value`, as the report names them.
pub const UNTYPED_ALTERNATIVES: &str = "oneOf/anyOf/not without a discriminator";
pub const UNTYPED_ITEMS: &str = "array without `items`";
pub const UNTYPED_MAP: &str = "free-form object (a map of JSON values)";
pub const UNTYPED_NO_TYPE: &str = "schema with no type, properties or items";
pub const UNTYPED_BODY: &str = "JSON body without a schema";

/// The schemas `x-ms-pageable` operations answer with on success: the
/// names `$ref`s reach (through components that only name another, and
/// Azure's `allOf: [{$ref}]` wrapper), and the addresses of inline ones.
fn pageable_schemas(spec: &Spec) -> (BTreeSet<String>, BTreeSet<usize>) {
    let mut names = BTreeSet::new();
    let mut inline = BTreeSet::new();
    let document = &spec.document;
    let components = document.components.as_ref();
    let operations = document
        .paths
        .paths
        .values()
        .filter_map(ReferenceOr::as_item)
        .flat_map(|item| item.iter().map(|(_, op)| op))
        .filter(|op| op.extensions.contains_key("x-ms-pageable"));
    for op in operations {
        for (status, response) in &op.responses.responses {
            let success = match status {
                openapiv3::StatusCode::Code(c) => (200..300).contains(c),
                openapiv3::StatusCode::Range(r) => *r == 2,
            };
            let response = match response {
                ReferenceOr::Item(r) => Some(r),
                ReferenceOr::Reference { reference } => reference
                    .strip_prefix("#/components/responses/")
                    .and_then(|n| components?.responses.get(n)?.as_item()),
            };
            let Some(response) = response.filter(|_| success) else {
                continue;
            };
            for schema in response.content.values().filter_map(|m| m.schema.as_ref()) {
                let mut next = Some(schema);
                // Bounded: a chain of names longer than the components is a cycle.
                let mut hops = components.map_or(0, |c| c.schemas.len()) + 1;
                while let Some(schema) = next.take()
                    && hops > 0
                {
                    hops -= 1;
                    match schema {
                        ReferenceOr::Reference { reference } => {
                            let Some(name) = reference.strip_prefix(SCHEMA_PREFIX) else {
                                break;
                            };
                            let name = name.replace("~1", "/").replace("~0", "~");
                            next = components.and_then(|c| c.schemas.get(&name));
                            if !names.insert(name) {
                                break;
                            }
                        }
                        ReferenceOr::Item(s) => {
                            let view = View::of(s);
                            match view.all_of {
                                [only] if view.properties.is_none() && view.typ.is_none() => {
                                    next = Some(only);
                                }
                                _ => {
                                    inline.insert(s as *const Schema as usize);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    (names, inline)
}

/// Named schemas nest through `$ref`s; past this depth the spec is refused
/// rather than risking the stack.
const MAX_REF_DEPTH: usize = 256;

/// Where a schema was met: for messages and source locations.
#[derive(Clone)]
struct At {
    pointer: String,
}

impl At {
    fn child(&self, token: &str) -> At {
        At {
            pointer: pointer_push(&self.pointer, token),
        }
    }
}

impl<'a> TypeBuilder<'a> {
    pub fn new(
        spec: &'a Spec,
        module: &str,
        rules: &'a SurfaceRules,
        uses: &'a mut RuleUse,
    ) -> Self {
        let mut schemas = BTreeMap::new();
        let mut children: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if let Some(components) = &spec.document.components {
            for (name, schema) in &components.schemas {
                schemas.insert(name.as_str(), schema);
                if let ReferenceOr::Item(s) = schema {
                    for part in View::of(s).all_of {
                        if let ReferenceOr::Reference { reference } = part
                            && let Some(parent) = reference.strip_prefix(SCHEMA_PREFIX)
                        {
                            children
                                .entry(parent.to_string())
                                .or_default()
                                .push(name.clone());
                        }
                    }
                }
            }
        }
        let (pages, inline_pages) = pageable_schemas(spec);
        Self {
            spec,
            module: module.to_string(),
            rules,
            uses,
            schemas,
            named: BTreeMap::new(),
            enums: BTreeMap::new(),
            defs: Vec::new(),
            common: Vec::new(),
            def_index: BTreeMap::new(),
            names: Namespace::new(),
            common_names: Namespace::new(),
            children,
            errors: Vec::new(),
            in_common: false,
            depth: 0,
            inline: BTreeMap::new(),
            pages,
            inline_pages,
            untyped: BTreeSet::new(),
        }
    }

    /// Records a place in the spec kept as JSON, for the conformance
    /// report; the value is what the caller returns.
    pub fn untyped(&mut self, kind: &'static str, pointer: &str) -> TypeRef {
        self.untyped.insert((kind, pointer.to_string()));
        TypeRef::Any
    }

    /// How many places of each kind were kept as JSON.
    pub fn untyped_counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for (kind, _) in &self.untyped {
            *counts.entry((*kind).to_string()).or_insert(0) += 1;
        }
        counts
    }

    fn locate(&self, at: &At) -> Location {
        self.spec.locate(&at.pointer)
    }

    fn error(&mut self, at: &At, message: impl Into<String>) {
        let location = self.locate(at);
        self.errors.push(Diagnostic::new(location, message));
    }

    fn models_module(&self) -> String {
        if self.in_common {
            COMMON_MODULE.to_string()
        } else {
            super::models_module(&self.module)
        }
    }

    /// Every component schema, so unused ones are generated too (users
    /// may want them, and their errors are reported either way).
    pub fn build_all(&mut self) {
        let names: Vec<String> = self.schemas.keys().map(|s| s.to_string()).collect();
        for name in names {
            self.named(
                &name,
                &At {
                    pointer: format!("/components/schemas/{}", escape(&name)),
                },
            );
        }
    }

    /// The type of a component schema, building it on first use.
    fn named(&mut self, name: &str, at_ref: &At) -> TypeRef {
        if let Some(t) = self.named.get(name).cloned() {
            let surface_only =
                matches!(&t, TypeRef::Named { module, .. } if module != COMMON_MODULE);
            if self.in_common && surface_only {
                self.error(
                    at_ref,
                    format!("a shared type refers to `{name}`, which is not shared: add a `shared_types` rule for it"),
                );
            }
            return t;
        }
        let Some(schema) = self.schemas.get(name).copied() else {
            self.error(at_ref, format!("no schema `{name}` in components"));
            return TypeRef::Any;
        };
        let at = At {
            pointer: format!("/components/schemas/{}", escape(name)),
        };
        let schema = match schema {
            ReferenceOr::Reference { reference } => {
                // A component that only names another: the same type.
                let target = self.type_of(SchemaRef::Ref(reference), name, &at);
                self.named.insert(name.to_string(), target.clone());
                return target;
            }
            ReferenceOr::Item(s) => s,
        };
        let shared = self
            .rules
            .shared_types
            .iter()
            .position(|r| r.schema == name);
        let outer_common = self.in_common;
        let rust_name = if let Some(i) = shared {
            self.uses.mark("shared_types", i);
            self.in_common = true;
            let common = self.rules.shared_types[i].common.clone();
            self.common_names.reserve(&common);
            common
        } else if self.in_common {
            self.error(
                &at,
                format!("a shared type refers to `{name}`, which is not shared: add a `shared_types` rule for it"),
            );
            self.in_common = false;
            let n = self.names.claim(type_name(name));
            self.in_common = true;
            n
        } else {
            self.names.claim(type_name(name))
        };
        let type_ref = TypeRef::Named {
            module: if shared.is_some() {
                COMMON_MODULE.to_string()
            } else {
                self.models_module()
            },
            name: rust_name.clone(),
        };
        self.named.insert(name.to_string(), type_ref.clone());
        if self.depth >= MAX_REF_DEPTH {
            self.error(
                &at,
                format!("schemas nest more than {MAX_REF_DEPTH} levels deep through `$ref`s here; this is not supported"),
            );
            self.in_common = outer_common;
            return type_ref;
        }
        self.depth += 1;
        let kind = self.kind_of(Some(name), schema, &rust_name, &at);
        self.depth -= 1;
        let view = View::of(schema);
        let def = TypeDef {
            name: rust_name,
            doc: view.doc(),
            source: self.locate(&at),
            kind,
        };
        self.store_def(shared.is_some(), def);
        self.in_common = outer_common;
        type_ref
    }

    /// The shape of a schema that gets a name of its own.
    fn kind_of(
        &mut self,
        schema_name: Option<&str>,
        schema: &Schema,
        rust_name: &str,
        at: &At,
    ) -> TypeKind {
        let view = View::of(schema);
        if let Some(name) = schema_name
            && self.has_subtypes(name)
            && let Some(union) = self.union(name, at)
        {
            return TypeKind::Union(union);
        }
        if let Some(values) = string_enum(&view) {
            let enum_name = view
                .enum_name()
                .unwrap_or(schema_name.unwrap_or(rust_name))
                .to_string();
            return TypeKind::Enum(self.enum_def(&enum_name, &values, &view));
        }
        if view.is_object_like() && !view.has_alternatives {
            if schema_name.is_some_and(|n| self.pages.contains(n))
                && let Some(item) = self.page_item(&view, rust_name, at)
            {
                return TypeKind::Alias(TypeRef::Page(Box::new(item)));
            }
            return TypeKind::Struct(self.struct_def(schema_name, &view, rust_name, at));
        }
        TypeKind::Alias(self.shape_of(&view, rust_name, at))
    }

    /// A reference to the type of a schema met anywhere (a property, a
    /// parameter, a body): named schemas by name, inline ones built here.
    fn type_of(&mut self, s: SchemaRef<'_>, hint: &str, at: &At) -> TypeRef {
        match s {
            SchemaRef::Ref(r) => match r.strip_prefix(SCHEMA_PREFIX) {
                Some(name) => {
                    let name = name.replace("~1", "/").replace("~0", "~");
                    self.named(&name, at)
                }
                None => {
                    self.error(at, format!("`$ref` to `{r}` where a schema was expected"));
                    TypeRef::Any
                }
            },
            SchemaRef::Inline(schema) => {
                let view = View::of(schema);
                if let [only] = view.all_of
                    && view.properties.is_none()
                    && view.typ.is_none()
                {
                    // Azure's `allOf: [{$ref}]` wrapper around a description.
                    return self.type_of(
                        SchemaRef::from(only),
                        hint,
                        &at.child("allOf").child("0"),
                    );
                }
                if let Some(values) = string_enum(&view) {
                    let enum_name = view
                        .enum_name()
                        .map(str::to_string)
                        .unwrap_or_else(|| hint.to_string());
                    return self.inline_enum(&enum_name, &values, &view, at);
                }
                if view.is_object_like()
                    && !view.has_alternatives
                    && (view.properties.is_some() || !view.all_of.is_empty())
                {
                    // The same inline schema met again (an `allOf` that
                    // names the object it sits in) is the same type: a
                    // cycle, boxed later, not an endless expansion.
                    let key = (self.in_common, schema as *const Schema as usize);
                    if let Some(t) = self.inline.get(&key) {
                        return t.clone();
                    }
                    let rust_name = self.claim(type_name(hint));
                    if self
                        .inline_pages
                        .contains(&(schema as *const Schema as usize))
                        && let Some(item) = self.page_item(&view, &rust_name, at)
                    {
                        return TypeRef::Page(Box::new(item));
                    }
                    let type_ref = TypeRef::Named {
                        module: self.models_module(),
                        name: rust_name.clone(),
                    };
                    self.inline.insert(key, type_ref.clone());
                    let kind = TypeKind::Struct(self.struct_def(None, &view, &rust_name, at));
                    self.push_def(rust_name, view.doc(), kind, at);
                    return type_ref;
                }
                self.shape_of(&view, hint, at)
            }
        }
    }

    fn claim(&mut self, name: String) -> String {
        if self.in_common {
            self.common_names.claim(name)
        } else {
            self.names.claim(name)
        }
    }

    fn push_def(&mut self, name: String, doc: Option<String>, kind: TypeKind, at: &At) -> TypeRef {
        let def = TypeDef {
            name: name.clone(),
            doc,
            source: self.locate(at),
            kind,
        };
        let module = self.models_module();
        self.store_def(self.in_common, def);
        TypeRef::Named { module, name }
    }

    fn store_def(&mut self, common: bool, def: TypeDef) {
        let pool = if common {
            &mut self.common
        } else {
            &mut self.defs
        };
        // The first definition of a name is the one found (as a scan from
        // the front would).
        self.def_index
            .entry((common, def.name.clone()))
            .or_insert(pool.len());
        pool.push(def);
    }

    /// Primitive, array and map shapes.
    fn shape_of(&mut self, view: &View<'_>, hint: &str, at: &At) -> TypeRef {
        if view.has_alternatives {
            // oneOf/anyOf/not have no faithful Rust shape here: keep the JSON.
            return self.untyped(UNTYPED_ALTERNATIVES, &at.pointer);
        }
        let secret = view.is_secret();
        match view.typ {
            Some("string") => TypeRef::Primitive(match view.format.as_deref() {
                _ if secret => Primitive::Secret,
                Some("date-time") => Primitive::DateTime,
                Some("date-time-rfc1123") => Primitive::DateTimeRfc1123,
                Some("byte") => Primitive::Bytes,
                Some("base64url") => Primitive::Base64Url,
                _ => Primitive::String,
            }),
            Some("integer") => TypeRef::Primitive(match view.format.as_deref() {
                Some("int32") => Primitive::I32,
                _ => Primitive::I64,
            }),
            Some("number") => TypeRef::Primitive(match view.format.as_deref() {
                Some("float") => Primitive::F32,
                _ => Primitive::F64,
            }),
            Some("boolean") => TypeRef::Primitive(Primitive::Bool),
            Some("array") => match view.items {
                Some(items) => {
                    let item_hint = format!("{hint}Item");
                    TypeRef::Vec(Box::new(self.type_of(
                        items,
                        &item_hint,
                        &at.child("items"),
                    )))
                }
                None => TypeRef::Vec(Box::new(self.untyped(UNTYPED_ITEMS, &at.pointer))),
            },
            Some("object") | None if view.properties.is_none() => match view.additional {
                Some(AdditionalProperties::Schema(s)) => {
                    let value_hint = format!("{hint}Value");
                    let value = self.type_of(
                        SchemaRef::from(s.as_ref()),
                        &value_hint,
                        &at.child("additionalProperties"),
                    );
                    TypeRef::Map(Box::new(value))
                }
                Some(AdditionalProperties::Any(_)) => {
                    TypeRef::Map(Box::new(self.untyped(UNTYPED_MAP, &at.pointer)))
                }
                None if view.typ == Some("object") => {
                    TypeRef::Map(Box::new(self.untyped(UNTYPED_MAP, &at.pointer)))
                }
                None => self.untyped(UNTYPED_NO_TYPE, &at.pointer),
            },
            Some(other) if !["object"].contains(&other) => {
                self.error(at, format!("unknown schema type `{other}`; expected string, integer, number, boolean, array or object"));
                TypeRef::Any
            }
            _ => TypeRef::Any,
        }
    }

    /// `{value: [T], nextLink?: string}` and nothing else: the generic page.
    fn page_item(&mut self, view: &View<'_>, rust_name: &str, at: &At) -> Option<TypeRef> {
        let props = view.properties?;
        if !view.all_of.is_empty() || view.additional.is_some() {
            return None;
        }
        let keys: BTreeSet<&str> = props.keys().map(String::as_str).collect();
        let expected: [&[&str]; 2] = [&["nextLink", "value"], &["value"]];
        if !expected.iter().any(|e| keys == e.iter().copied().collect()) {
            return None;
        }
        if let Some(next) = props.get("nextLink") {
            let is_string = match SchemaRef::from(next) {
                SchemaRef::Inline(s) => View::of(s).typ == Some("string"),
                SchemaRef::Ref(_) => false,
            };
            if !is_string {
                return None;
            }
        }
        let value = props.get("value")?;
        let SchemaRef::Inline(value) = SchemaRef::from(value) else {
            return None;
        };
        let value_view = View::of(value);
        if value_view.typ != Some("array") {
            return None;
        }
        let items = value_view.items?;
        let hint = format!("{rust_name}Item");
        Some(self.type_of(
            items,
            &hint,
            &at.child("properties").child("value").child("items"),
        ))
    }

    fn inline_enum(
        &mut self,
        enum_name: &str,
        values: &[String],
        view: &View<'_>,
        at: &At,
    ) -> TypeRef {
        if let Some((known, t)) = self.enums.get(&(self.in_common, enum_name.to_string()))
            && known == values
        {
            return t.clone();
        }
        let rust_name = self.claim(type_name(enum_name));
        let def = self.enum_def(enum_name, values, view);
        let t = self.push_def(rust_name, view.doc(), TypeKind::Enum(def), at);
        self.enums
            .entry((self.in_common, enum_name.to_string()))
            .or_insert_with(|| (values.to_vec(), t.clone()));
        t
    }

    fn enum_def(&mut self, enum_name: &str, values: &[String], view: &View<'_>) -> Enum {
        let mut names = Namespace::new();
        let mut out: Vec<EnumValue> = Vec::new();
        // Rules fold misspelled values into their canonical spelling.
        let mut folded: Vec<(String, String)> = Vec::new();
        for (i, rule) in self.rules.enum_values.iter().enumerate() {
            if rule.enum_name == enum_name && values.contains(&rule.value) {
                folded.push((rule.value.clone(), rule.canonical.clone()));
                self.uses.mark("enum_values", i);
            }
        }
        for value in values {
            let (wire, alias) = match folded.iter().find(|(v, _)| v == value) {
                Some((v, canonical)) => (canonical.clone(), Some(v.clone())),
                None => (value.clone(), None),
            };
            if let Some(existing) = out.iter_mut().find(|e| e.wire == wire) {
                existing.aliases.extend(alias);
                continue;
            }
            let base = if wire.is_empty() {
                "Empty".to_string()
            } else {
                type_name(&wire)
            };
            out.push(EnumValue {
                rust_name: names.claim(base),
                doc: view.enum_value_doc(value),
                wire,
                aliases: alias.into_iter().collect(),
            });
        }
        let fallback = if names.contains("Other") {
            names.claim("UnknownValue".into())
        } else {
            names.claim("Other".into())
        };
        Enum {
            values: out,
            fallback,
        }
    }

    /// Whether other schemas extend this one in a discriminated hierarchy.
    fn has_subtypes(&self, name: &str) -> bool {
        self.children.contains_key(name) && self.hierarchy_tag(name).is_some()
    }

    /// The discriminator property of the hierarchy `name` belongs to.
    fn hierarchy_tag(&self, name: &str) -> Option<String> {
        let mut seen = BTreeSet::new();
        let mut queue = vec![name.to_string()];
        while let Some(n) = queue.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            let Some(ReferenceOr::Item(s)) = self.schemas.get(n.as_str()) else {
                continue;
            };
            let view = View::of(s);
            if let Some(d) = &view.data.discriminator {
                return Some(d.property_name.clone());
            }
            for part in view.all_of {
                if let ReferenceOr::Reference { reference } = part
                    && let Some(parent) = reference.strip_prefix(SCHEMA_PREFIX)
                {
                    queue.push(parent.to_string());
                }
            }
        }
        None
    }

    fn union(&mut self, name: &str, at: &At) -> Option<Union> {
        let tag = self.hierarchy_tag(name)?;
        let tag_values = self.tag_enum_values(name, &tag);
        let mut leaves = Vec::new();
        let mut seen = BTreeSet::new();
        let mut stack: Vec<String> = self.children.get(name).cloned().unwrap_or_default();
        stack.reverse();
        while let Some(child) = stack.pop() {
            if !seen.insert(child.clone()) {
                continue;
            }
            match self.children.get(&child) {
                Some(grand) => stack.extend(grand.iter().rev().cloned()),
                None => leaves.push(child),
            }
        }
        let mut variants = Vec::new();
        let mut names = Namespace::new();
        for leaf in leaves {
            let wire = match self.schemas.get(leaf.as_str()) {
                Some(ReferenceOr::Item(s)) => View::of(s)
                    .extension("x-ms-discriminator-value")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| leaf.clone()),
                _ => leaf.clone(),
            };
            let mut aliases: Vec<String> = tag_values
                .iter()
                .filter(|v| **v != wire && v.eq_ignore_ascii_case(&wire))
                .cloned()
                .collect();
            for (i, rule) in self.rules.discriminator_values.iter().enumerate() {
                if rule.schema == leaf {
                    aliases.extend(rule.aliases.iter().cloned());
                    self.uses.mark("discriminator_values", i);
                }
            }
            let ty = self.named(&leaf, at);
            let rust_name = match &ty {
                TypeRef::Named { name, .. } => names.claim(name.clone()),
                _ => names.claim(type_name(&leaf)),
            };
            variants.push(UnionVariant {
                rust_name,
                wire,
                aliases,
                ty,
            });
        }
        Some(Union { tag, variants })
    }

    /// The values the hierarchy's tag property declares, if an enum.
    fn tag_enum_values(&self, name: &str, tag: &str) -> Vec<String> {
        let mut props = Vec::new();
        self.collect_props(
            name_schema(&self.schemas, name),
            None,
            &mut props,
            &mut Vec::new(),
            &mut BTreeSet::new(),
        );
        props
            .iter()
            .find(|(wire, _, _)| wire == tag)
            .and_then(|(_, s, _)| match s {
                SchemaRef::Inline(s) => string_enum(&View::of(s)),
                SchemaRef::Ref(r) => {
                    r.strip_prefix(SCHEMA_PREFIX)
                        .and_then(|n| match self.schemas.get(n) {
                            Some(ReferenceOr::Item(s)) => string_enum(&View::of(s)),
                            _ => None,
                        })
                }
            })
            .unwrap_or_default()
    }

    /// Properties of a schema and its `allOf` parents, parents first.
    /// Each property comes with the schema that declares it, when that is a
    /// named parent: inline types are named after their declaring schema.
    fn collect_props<'s>(
        &self,
        schema: Option<&'s Schema>,
        owner: Option<&str>,
        props: &mut Vec<(String, SchemaRef<'s>, Option<String>)>,
        required: &mut Vec<String>,
        seen: &mut BTreeSet<*const Schema>,
    ) where
        'a: 's,
    {
        let Some(schema) = schema else { return };
        if !seen.insert(schema as *const Schema) {
            return;
        }
        let view = View::of(schema);
        for part in view.all_of {
            let (part_schema, part_owner) = match part {
                ReferenceOr::Reference { reference } => {
                    let name = reference.strip_prefix(SCHEMA_PREFIX);
                    (
                        name.and_then(|n| name_schema(&self.schemas, n)),
                        name.map(type_name),
                    )
                }
                ReferenceOr::Item(s) => (Some(s), owner.map(str::to_string)),
            };
            self.collect_props(part_schema, part_owner.as_deref(), props, required, seen);
        }
        if let Some(own) = view.properties {
            for (wire, s) in own {
                let s = SchemaRef::from(s);
                let owner = owner.map(str::to_string);
                match props.iter_mut().find(|(w, _, _)| w == wire) {
                    Some(existing) => {
                        existing.1 = s;
                        existing.2 = owner;
                    }
                    None => props.push((wire.clone(), s, owner)),
                }
            }
        }
        required.extend(view.required.iter().cloned());
    }

    fn struct_def(
        &mut self,
        schema_name: Option<&str>,
        view: &View<'_>,
        rust_name: &str,
        at: &At,
    ) -> Struct {
        let mut props = Vec::new();
        let mut required = Vec::new();
        let mut seen = BTreeSet::new();
        // Collect through the view's own schema: allOf parts first.
        for part in view.all_of {
            let (part_schema, part_owner) = match part {
                ReferenceOr::Reference { reference } => {
                    let name = reference.strip_prefix(SCHEMA_PREFIX);
                    (
                        name.and_then(|n| name_schema(&self.schemas, n)),
                        name.map(type_name),
                    )
                }
                ReferenceOr::Item(s) => (Some(s), None),
            };
            self.collect_props(
                part_schema,
                part_owner.as_deref(),
                &mut props,
                &mut required,
                &mut seen,
            );
        }
        if let Some(own) = view.properties {
            for (wire, s) in own {
                let s = SchemaRef::from(s);
                match props.iter_mut().find(|(w, _, _)| w == wire) {
                    Some(existing) => {
                        existing.1 = s;
                        existing.2 = None;
                    }
                    None => props.push((wire.clone(), s, None)),
                }
            }
        }
        required.extend(view.required.iter().cloned());
        for (i, r) in view.required.iter().enumerate() {
            if !props.iter().any(|(wire, _, _)| wire == r) {
                let pointer = at.child("required").child(&i.to_string());
                self.error(
                    &pointer,
                    format!("required field `{r}` is not among the properties"),
                );
            }
        }
        // A subtype's tag is written by its union, not by the struct.
        let tag = schema_name.and_then(|n| self.hierarchy_tag(n));
        let mut names = Namespace::new();
        let mut fields = Vec::new();
        let props_wires: Vec<String> = props.iter().map(|(w, _, _)| w.clone()).collect();
        for (wire, s, owner) in props {
            if tag.as_deref() == Some(wire.as_str()) {
                continue;
            }
            let field_at = at.child("properties").child(&wire);
            let hint = format!(
                "{}{}",
                owner.as_deref().unwrap_or(rust_name),
                type_name(&wire)
            );
            // A field_types rule replaces the declared type before it is built.
            let retyped = schema_name.and_then(|n| {
                let i = self
                    .rules
                    .field_types
                    .iter()
                    .position(|r| r.schema == n && r.field == wire)?;
                self.uses.mark("field_types", i);
                Some(match self.rules.field_types[i].ty.as_str() {
                    "any" => Ok(TypeRef::Any),
                    "string" => Ok(TypeRef::Primitive(Primitive::String)),
                    other => Err(format!(
                        "field_types rule: unknown type `{other}` (any or string)"
                    )),
                })
            });
            let mut ty = match retyped {
                Some(Ok(t)) => t,
                Some(Err(e)) => {
                    self.error(&field_at, e);
                    TypeRef::Any
                }
                None => self.type_of(s, &hint, &field_at),
            };
            let (doc, read_only, nullable, secret, client_name) = match s {
                SchemaRef::Inline(schema) => {
                    let v = View::of(schema);
                    let client_name = v
                        .extension("x-ms-client-name")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    (
                        v.doc(),
                        v.data.read_only,
                        v.data.nullable,
                        v.is_secret(),
                        client_name,
                    )
                }
                SchemaRef::Ref(_) => (None, false, false, false, None),
            };
            if secret && ty == TypeRef::Primitive(Primitive::String) {
                ty = TypeRef::Primitive(Primitive::Secret);
            }
            let mut aliases = Vec::new();
            if let Some(schema_name) = schema_name {
                for (i, rule) in self.rules.field_aliases.iter().enumerate() {
                    if rule.schema == schema_name && rule.field == wire {
                        self.uses.mark("field_aliases", i);
                        aliases.extend(rule.aliases.iter().cloned());
                    }
                }
            }
            for alias in &aliases {
                if alias != &wire && props_wires.contains(alias) {
                    self.error(
                        &field_at,
                        format!("conflicting rules: alias `{alias}` of `{wire}` is the name of another field"),
                    );
                }
            }
            fields.push(Field {
                rust_name: names.claim(value_name(client_name.as_deref().unwrap_or(&wire))),
                required: required.contains(&wire) && !read_only && !nullable,
                wire_name: wire,
                aliases,
                ty,
                read_only,
                boxed: false,
                doc,
                // Named once the fields are final (`names`).
                setter: None,
            });
        }
        let additional = match view.additional {
            Some(AdditionalProperties::Schema(s)) => Some(self.type_of(
                SchemaRef::from(s.as_ref()),
                &format!("{rust_name}Value"),
                &at.child("additionalProperties"),
            )),
            Some(AdditionalProperties::Any(true)) => Some(TypeRef::Any),
            // An object that names no properties and does not forbid others
            // is free-form (`type: object` alone): keep what the service
            // sends instead of decoding it into an empty struct.
            None if view.properties.is_none_or(|p| p.is_empty()) && view.all_of.is_empty() => {
                Some(self.untyped(UNTYPED_MAP, &at.pointer))
            }
            _ => None,
        };
        Struct {
            fields,
            additional_field: None,
            additional,
            status: None,
        }
    }
}

fn name_schema<'s>(
    schemas: &BTreeMap<&str, &'s ReferenceOr<Schema>>,
    name: &str,
) -> Option<&'s Schema> {
    let mut name = name.to_string();
    for _ in 0..64 {
        match schemas.get(name.as_str())? {
            ReferenceOr::Item(s) => return Some(s),
            ReferenceOr::Reference { reference } => {
                name = reference.strip_prefix(SCHEMA_PREFIX)?.to_string()
            }
        }
    }
    None
}

/// String values of an enum (also when the spec declares the wrong type,
/// as the workspace spec's `keyType: integer` with `Primary`/`Secondary`).
fn string_enum(view: &View<'_>) -> Option<Vec<String>> {
    if view.enum_values.is_empty() || !matches!(view.typ, Some("string") | Some("integer") | None) {
        return None;
    }
    let values: Option<Vec<String>> = view
        .enum_values
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect();
    values.filter(|v| !v.is_empty())
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

impl TypeBuilder<'_> {
    /// Types for operation parameters, bodies and responses.
    pub fn type_for(&mut self, s: SchemaRef<'_>, hint: &str, pointer: &str) -> TypeRef {
        let at = At {
            pointer: pointer.to_string(),
        };
        self.type_of(s, hint, &at)
    }

    /// The definition behind a type reference, among those built so far.
    pub fn def_of(&self, t: &TypeRef) -> Option<&TypeDef> {
        let TypeRef::Named { name, module } = t else {
            return None;
        };
        let common = module == COMMON_MODULE;
        let pool = if common { &self.common } else { &self.defs };
        let at = *self.def_index.get(&(common, name.clone()))?;
        pool.get(at).filter(|d| &d.name == name)
    }
}
