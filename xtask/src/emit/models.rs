//! Writes `models.rs` files: structs, enums with a fallback, unions by
//! discriminator, aliases.

use proc_macro2::TokenStream;
use quote::quote;

use super::TypeIndex;
use super::rust::{doc, ident, inner_doc, type_tokens_in};
use crate::ir::{Enum, Field, Primitive, StatePath, Struct, TypeDef, TypeKind, TypeRef, Union};

/// The models file of a module, made piece by piece (see
/// `super::RustFile`): the module docs, then one piece per type.
pub struct ModelsFile<'a> {
    pub module: String,
    pub module_doc: String,
    pub defs: &'a [TypeDef],
    pub index: &'a TypeIndex<'a>,
}

impl super::RustFile for ModelsFile<'_> {
    fn pieces(&self) -> usize {
        1 + self.defs.len()
    }

    fn piece(&self, i: usize) -> TokenStream {
        match i.checked_sub(1) {
            None => inner_doc(&self.module_doc),
            Some(i) => self
                .defs
                .get(i)
                .map(|d| type_def(d, &self.module, self.index))
                .unwrap_or_default(),
        }
    }
}

fn type_def(def: &TypeDef, module: &str, index: &TypeIndex<'_>) -> TokenStream {
    let name = ident(&def.name);
    let docs = doc(def.doc.as_deref());
    match &def.kind {
        TypeKind::Struct(s) => struct_def(def, s, module, index),
        TypeKind::Enum(e) => enum_def(def, e),
        TypeKind::Union(u) => union_def(def, u, module),
        TypeKind::Alias(t) => {
            let t = type_tokens_in(t, Some(module));
            quote! {
                #docs
                pub type #name = #t;
            }
        }
    }
}

fn field_type(f: &Field, module: &str) -> TokenStream {
    let t = type_tokens_in(&f.ty, Some(module));
    let t = if f.boxed { quote!(Box<#t>) } else { t };
    if f.required { t } else { quote!(Option<#t>) }
}

fn struct_def(def: &TypeDef, s: &Struct, module: &str, index: &TypeIndex<'_>) -> TokenStream {
    let name = ident(&def.name);
    let docs = doc(def.doc.as_deref());
    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.rust_name);
        let wire = &f.wire_name;
        let aliases = &f.aliases;
        let ty = field_type(f, module);
        let mut field_doc = f.doc.clone();
        if f.read_only {
            let note = "Set by the service.";
            field_doc = Some(match field_doc {
                Some(d) => format!("{d}\n\n{note}"),
                None => note.to_string(),
            });
        }
        let docs = doc(field_doc.as_deref());
        let optional =
            (!f.required).then(|| quote!(, default, skip_serializing_if = "Option::is_none"));
        quote! {
            #docs
            #[serde(rename = #wire #(, alias = #aliases)* #optional)]
            pub #fname: #ty,
        }
    });
    let additional_name = s.additional.as_ref().map(|_| {
        ident(
            s.additional_field
                .as_deref()
                .unwrap_or("additional_properties"),
        )
    });
    let additional = s
        .additional
        .as_ref()
        .zip(additional_name.as_ref())
        .map(|(t, n)| {
            let t = type_tokens_in(t, Some(module));
            // Alone, the map is the whole object: `transparent` says so
            // without `flatten`, whose buffering decoder is several times
            // the code and the time.
            let (doc, attr) = if s.fields.is_empty() {
                (
                    quote!(#[doc = " The object's properties, as sent."]),
                    quote!(),
                )
            } else {
                (
                    quote!(#[doc = " Properties not named above, as sent."]),
                    quote!(#[serde(flatten)]),
                )
            };
            quote! {
                #doc
                #attr
                pub #n: ::std::collections::BTreeMap<String, #t>,
            }
        });
    let transparent =
        (s.fields.is_empty() && s.additional.is_some()).then(|| quote!(#[serde(transparent)]));
    let defaultable = s
        .fields
        .iter()
        .all(|f| !f.required || super::defaultable(index, &f.ty));
    let derive_default = defaultable.then(|| quote!(Default,));
    let constructor = s
        .fields
        .iter()
        .any(|f| f.required)
        .then(|| constructor(&name, s, module, additional_name.as_ref()));
    let setters = setters(&name, s, module);
    let status = s.status.as_ref().map(|st| {
        let state = state_of(&st.state);
        let location = match &st.resource_location {
            Some(field) => {
                let f = ident(field);
                if s.fields.iter().any(|x| &x.rust_name == field && x.required) {
                    quote!(Some(self.#f.as_str()))
                } else {
                    quote!(self.#f.as_deref())
                }
            }
            None => quote!(None),
        };
        let failure = match &st.error {
            Some(field) => {
                let f = ident(field);
                quote! {
                    let error = ::serde_json::to_vec(&self.#f).ok()?;
                    crate::runtime::ErrorBody::parse(&error)
                }
            }
            None => quote!(None),
        };
        quote! {
            impl crate::runtime::OperationStatus for #name {
                fn poller_status(&self) -> ::azure_core::http::poller::PollerStatus {
                    crate::runtime::poller_status_of(#state)
                }
                fn resource_location(&self) -> Option<&str> {
                    #location
                }
                fn failure(&self) -> Option<crate::runtime::ErrorBody> {
                    #failure
                }
            }
        }
    });
    quote! {
        #docs
        #[derive(Clone, Debug, #derive_default PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #transparent
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #additional
        }
        #constructor
        #setters
        #status
    }
}

/// The status document's state as an `Option<&str>`: each candidate path
/// followed through its optional fields, the first present one taken.
fn state_of(candidates: &[StatePath]) -> TokenStream {
    let mut exprs = candidates.iter().filter_map(state_path);
    let Some(first) = exprs.next() else {
        return quote!(None);
    };
    exprs.fold(first, |acc, next| quote!(#acc.or_else(|| #next)))
}

/// `self.a.b.as_ref().and_then(|x| x.c.as_deref())`: required fields are
/// followed as places, optional ones through `Option`; the last read as
/// `&str` (`as_deref` for a `String`, `as_str` for an enum).
fn state_path(path: &StatePath) -> Option<TokenStream> {
    let (last, before) = path.steps.split_last()?;
    let mut place = quote!(self);
    let mut option: Option<TokenStream> = None;
    for step in before {
        let f = ident(&step.field);
        option = match (option.take(), step.required) {
            (None, true) => {
                place = quote!(#place.#f);
                None
            }
            (None, false) => Some(quote!(#place.#f.as_ref())),
            (Some(o), true) => Some(quote!(#o.map(|x| &x.#f))),
            (Some(o), false) => Some(quote!(#o.and_then(|x| x.#f.as_ref()))),
        };
    }
    let f = ident(&last.field);
    Some(match (option, last.required, path.string) {
        (None, true, _) => quote!(Some(#place.#f.as_str())),
        (None, false, true) => quote!(#place.#f.as_deref()),
        (None, false, false) => quote!(#place.#f.as_ref().map(|s| s.as_str())),
        (Some(o), true, _) => quote!(#o.map(|x| x.#f.as_str())),
        (Some(o), false, true) => quote!(#o.and_then(|x| x.#f.as_deref())),
        (Some(o), false, false) => quote!(#o.and_then(|x| x.#f.as_ref()).map(|s| s.as_str())),
    })
}

/// `with_<field>(value)` for each optional field: with the struct
/// `#[non_exhaustive]`, the builder-style way to set one (the runtime's
/// `setters!` writes the methods).
fn setters(name: &proc_macro2::Ident, s: &Struct, module: &str) -> Option<TokenStream> {
    let entry = |f: &Field| {
        let setter = ident(f.setter.as_deref()?);
        let fname = ident(&f.rust_name);
        let t = type_tokens_in(&f.ty, Some(module));
        let sdoc = doc(Some(&format!("Sets `{}`.", f.wire_name)));
        Some(quote!(#sdoc #setter => #fname: #t))
    };
    let plain: Vec<TokenStream> = s
        .fields
        .iter()
        .filter(|f| !f.boxed)
        .filter_map(entry)
        .collect();
    let boxed: Vec<TokenStream> = s
        .fields
        .iter()
        .filter(|f| f.boxed)
        .filter_map(entry)
        .collect();
    if plain.is_empty() && boxed.is_empty() {
        return None;
    }
    let boxed = (!boxed.is_empty()).then(|| quote!(, boxed [#(#boxed),*]));
    Some(quote! {
        crate::setters!(#name, [#(#plain),*] #boxed);
    })
}

/// `new(required fields…)` with the optional ones unset.
fn constructor(
    name: &proc_macro2::Ident,
    s: &Struct,
    module: &str,
    additional: Option<&proc_macro2::Ident>,
) -> TokenStream {
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for f in &s.fields {
        let fname = ident(&f.rust_name);
        if f.required {
            let is_string = f.ty == TypeRef::Primitive(Primitive::String);
            let ty = type_tokens_in(&f.ty, Some(module));
            if is_string {
                args.push(quote!(#fname: impl Into<String>));
                inits.push(quote!(#fname: #fname.into()));
            } else if f.boxed {
                args.push(quote!(#fname: #ty));
                inits.push(quote!(#fname: Box::new(#fname)));
            } else {
                args.push(quote!(#fname: #ty));
                inits.push(quote!(#fname));
            }
        } else {
            inits.push(quote!(#fname: None));
        }
    }
    if let Some(a) = additional {
        inits.push(quote!(#a: ::std::collections::BTreeMap::new()));
    }
    quote! {
        impl #name {
            /// A value with the required fields set and the optional ones unset.
            #[allow(clippy::too_many_arguments)]
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
        }
    }
}

fn enum_def(def: &TypeDef, e: &Enum) -> TokenStream {
    let name = ident(&def.name);
    let docs = doc(def.doc.as_deref());
    let fallback = ident(&e.fallback);
    let values = e.values.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let wire = &v.wire;
        let aliases = &v.aliases;
        let vdoc = doc(v.doc.as_deref().or(Some(&format!("`{wire}`"))));
        quote!(#vdoc #variant = #wire #(| #aliases)*)
    });
    quote! {
        crate::string_enum! {
            #docs
            #name, #fallback, [#(#values),*]
        }
    }
}

fn union_def(def: &TypeDef, u: &Union, module: &str) -> TokenStream {
    let name = ident(&def.name);
    let docs = doc(def.doc.as_deref());
    let tag = &u.tag;
    let variants = u.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let ty = type_tokens_in(&v.ty, Some(module));
        let wire = &v.wire;
        let aliases = &v.aliases;
        let vdoc = doc(Some(&format!("`{tag}: {wire}`")));
        quote!(#vdoc #variant(#ty) = #wire #(| #aliases)*)
    });
    quote! {
        crate::tagged_union! {
            #docs
            #name, tag = #tag, [#(#variants),*]
        }
    }
}
