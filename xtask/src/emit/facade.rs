//! Writes `facade.rs`: one trait per shared operation group, one per group
//! accessor on scopes, one per set of shared result fields, and their
//! implementations for every surface (each behind its feature).

use proc_macro2::TokenStream;
use quote::quote;

use super::TypeIndex;
use super::rust::{doc, ident, type_tokens};
use crate::ir::{
    Facade, FacadeField, FacadeGroup, FacadeShape, FieldKind, Primitive, TypeKind, TypeRef,
};

pub fn facade_file(facade: &Facade, crate_name: &str, index: &TypeIndex<'_>) -> TokenStream {
    let mut text = String::from(
        "The unified facade: the operations the data-plane variants share, as traits.\n\n\
         Each trait is implemented by every surface that has the group with the\n\
         same shape (behind that surface's feature), so code written against the\n\
         traits runs on any of them; an operation only one variant has is not in\n\
         a trait, and using it on another variant is a compile error.\n",
    );
    // A group some surface lacks: show that asking for it does not compile.
    let lacking = facade.groups.iter().find_map(|g| {
        let all: Vec<_> = facade
            .groups
            .iter()
            .flat_map(|x| &x.members)
            .map(|m| (&m.module, &m.scope_type, &m.feature))
            .collect();
        all.into_iter()
            .find(|(module, _, _)| !g.members.iter().any(|m| &&m.module == module))
            .map(|(module, scope, feature)| (g, module.clone(), scope.clone(), feature.clone()))
    });
    if let Some((g, module, scope, feature)) = lacking {
        text.push_str(&format!(
            "\n`{module}` has no {noun}, so this does not compile:\n\n\
             ```compile_fail\n\
             # #[cfg(feature = \"{feature}\")] {{\n\
             fn needs_{group}<S: {krate}::facade::{trait_}>(_: &S) {{}}\n\
             fn check(scope: &{krate}::{module}::{scope}) {{\n    needs_{group}(scope);\n}}\n\
             # }}\n\
             # #[cfg(not(feature = \"{feature}\"))] compile_error!(\"feature off\");\n\
             ```\n",
            noun = g.group.replace('_', " "),
            group = g.group,
            trait_ = g.scope_trait,
            krate = crate_name.replace('-', "_"),
        ));
    }
    let module_doc = super::rust::inner_doc_raw(&text);
    let groups = facade.groups.iter().map(|g| group(g, index));
    quote! {
        #module_doc
        #(#groups)*
    }
}

/// How a required argument is taken: as the inherent method takes it.
fn arg_type(t: &TypeRef) -> TokenStream {
    match t {
        TypeRef::Primitive(Primitive::String) => quote!(&str),
        TypeRef::Primitive(
            Primitive::I32 | Primitive::I64 | Primitive::F32 | Primitive::F64 | Primitive::Bool,
        ) => type_tokens(t),
        other => {
            let t = type_tokens(other);
            quote!(&#t)
        }
    }
}

fn group(g: &FacadeGroup, index: &TypeIndex<'_>) -> TokenStream {
    let api_trait = ident(&g.api_trait);
    let scope_trait = ident(&g.scope_trait);
    let fields_trait = ident(&g.fields_trait);
    let accessor = ident(&g.group);
    let gat = ident(&g.group_assoc);
    let noun = g.group.replace('_', " ");
    let surfaces = g
        .members
        .iter()
        .map(|m| format!("`{}`", m.feature))
        .collect::<Vec<_>>()
        .join(", ");

    // Outputs get the fields trait when every member's is a named type.
    let bounded: Vec<bool> = (0..g.methods.len())
        .map(|i| {
            g.members
                .iter()
                .all(|m| matches!(m.methods[i].output, Some(TypeRef::Named { .. })))
        })
        .collect();

    let mut assoc_decls = Vec::new();
    let mut sigs = Vec::new();
    for (i, m) in g.methods.iter().enumerate() {
        let name = ident(&m.name);
        let out = ident(&m.output_assoc);
        let mut bounds = vec![quote!(Sized)];
        if bounded[i] {
            bounds.push(quote!(#fields_trait));
        }
        // A poller's result is decoded when it is awaited.
        if m.shape == FacadeShape::LongRunning {
            bounds.push(quote!(::serde::de::DeserializeOwned));
            bounds.push(quote!(Send));
            bounds.push(quote!('static));
        }
        if m.shape != FacadeShape::Unit {
            assoc_decls.push(quote!(type #out: #(#bounds)+*;));
        }
        let body_ty = ident(&m.body_assoc);
        if m.body {
            assoc_decls.push(quote!(type #body_ty: ?Sized;));
        }
        let args = m.args.iter().map(|(n, t)| {
            let n = ident(n);
            let t = arg_type(t);
            quote!(#n: #t)
        });
        let body_arg = m.body.then(|| quote!(body: &Self::#body_ty,));
        let sig = match m.shape {
            FacadeShape::Unit => quote! {
                fn #name(&self, #(#args,)* #body_arg options: Option<::azure_core::http::ClientMethodOptions<'_>>) -> impl ::std::future::Future<Output = ::azure_core::Result<crate::Response<()>>> + Send;
            },
            FacadeShape::Value => quote! {
                fn #name(&self, #(#args,)* #body_arg options: Option<::azure_core::http::ClientMethodOptions<'_>>) -> impl ::std::future::Future<Output = ::azure_core::Result<crate::Response<Self::#out>>> + Send;
            },
            FacadeShape::List => quote! {
                fn #name(&self, #(#args,)* #body_arg options: Option<::azure_core::http::ClientMethodOptions<'_>>) -> impl ::futures::Stream<Item = ::azure_core::Result<Self::#out>> + Send;
            },
            FacadeShape::LongRunning => {
                let status = ident(&m.status_assoc);
                assoc_decls.push(quote!(type #status: crate::OperationStatus;));
                quote! {
                    fn #name(&self, #(#args,)* #body_arg options: Option<::azure_core::http::ClientMethodOptions<'_>>) -> ::azure_core::Result<crate::Poller<Self::#status, Self::#out>>;
                }
            }
        };
        let what = match m.shape {
            FacadeShape::List => "A stream of the items, paged or not.",
            FacadeShape::LongRunning => "Starts the operation; await the poller for the result.",
            _ => "",
        };
        let mdoc = doc(Some(&format!("`{}` on {noun}. {what}", m.name)));
        sigs.push(quote!(#mdoc #sig));
    }

    let field_sigs = g.fields.iter().map(|f| {
        let n = ident(&f.rust_name);
        let ret = field_return(f.kind);
        let fdoc = doc(Some(&format!(
            "The `{}` field, whichever surface the value came from.",
            f.wire_names.join("`/`")
        )));
        quote!(#fdoc fn #n(&self) -> #ret;)
    });

    let impls = g.members.iter().map(|member| {
        let feature = &member.feature;
        let module = ident(&member.module);
        let group_ty = ident(&member.group_type);
        let scope_ty = ident(&member.scope_type);
        let mut assoc_impls = Vec::new();
        let mut method_impls = Vec::new();
        for (m, mm) in g.methods.iter().zip(&member.methods) {
            let name = ident(&m.name);
            let out = ident(&m.output_assoc);
            if let (true, Some(o)) = (m.shape != FacadeShape::Unit, &mm.output) {
                let o = type_tokens(o);
                assoc_impls.push(quote!(type #out = #o;));
            } else if m.shape != FacadeShape::Unit {
                assoc_impls.push(quote!(type #out = ::serde_json::Value;));
            }
            let body_ty = ident(&m.body_assoc);
            if let (true, Some(b)) = (m.body, &mm.body) {
                let b = match b {
                    TypeRef::Vec(inner) => {
                        let inner = type_tokens(inner);
                        quote!([#inner])
                    }
                    other => type_tokens(other),
                };
                assoc_impls.push(quote!(type #body_ty = #b;));
            }
            let arg_names: Vec<_> = m.args.iter().map(|(n, _)| ident(n)).collect();
            let args = m.args.iter().map(|(n, t)| {
                let n = ident(n);
                let t = arg_type(t);
                quote!(#n: #t)
            });
            let body_arg = m.body.then(|| quote!(body: &Self::#body_ty,));
            let body_pass = m.body.then(|| quote!(body,));
            let options_ty = ident(&mm.options_type);
            let options = quote!(options.map(|o| crate::#module::#options_ty::default().with_method_options(o)));
            let inherent = quote!(crate::#module::#group_ty::#name(self, #(#arg_names,)* #body_pass #options));
            let item = match m.shape {
                FacadeShape::Unit => quote! {
                    fn #name(&self, #(#args,)* #body_arg options: Option<::azure_core::http::ClientMethodOptions<'_>>) -> impl ::std::future::Future<Output = ::azure_core::Result<crate::Response<()>>> + Send {
                        #inherent
                    }
                },
                FacadeShape::Value => quote! {
                    fn #name(&self, #(#args,)* #body_arg options: Option<::azure_core::http::ClientMethodOptions<'_>>) -> impl ::std::future::Future<Output = ::azure_core::Result<crate::Response<Self::#out>>> + Send {
                        #inherent
                    }
                },
                FacadeShape::List if mm.pageable => quote! {
                    fn #name(&self, #(#args,)* #body_arg options: Option<::azure_core::http::ClientMethodOptions<'_>>) -> impl ::futures::Stream<Item = ::azure_core::Result<Self::#out>> + Send {
                        match #inherent {
                            Ok(pager) => ::futures::future::Either::Left(pager),
                            Err(e) => ::futures::future::Either::Right(::futures::stream::once(::std::future::ready(Err(e)))),
                        }
                    }
                },
                FacadeShape::List => quote! {
                    fn #name(&self, #(#args,)* #body_arg options: Option<::azure_core::http::ClientMethodOptions<'_>>) -> impl ::futures::Stream<Item = ::azure_core::Result<Self::#out>> + Send {
                        use ::futures::TryStreamExt as _;
                        ::futures::stream::once(#inherent)
                            .and_then(|response| ::std::future::ready(response.into_model()))
                            .map_ok(|items| ::futures::stream::iter(items.into_iter().map(Ok)))
                            .try_flatten()
                    }
                },
                FacadeShape::LongRunning => {
                    let status = ident(&m.status_assoc);
                    let s = mm.status.as_ref().map(type_tokens).unwrap_or_else(|| quote!(::serde_json::Value));
                    assoc_impls.push(quote!(type #status = #s;));
                    quote! {
                        fn #name(&self, #(#args,)* #body_arg options: Option<::azure_core::http::ClientMethodOptions<'_>>) -> ::azure_core::Result<crate::Poller<Self::#status, Self::#out>> {
                            #inherent
                        }
                    }
                }
            };
            // Delegations: compiled where called, like the operations
            // they call (see `client::method`).
            method_impls.push(quote!(#[inline] #item));
        }
        quote! {
            #[cfg(feature = #feature)]
            impl #api_trait for crate::#module::#group_ty {
                #(#assoc_impls)*
                #(#method_impls)*
            }
            #[cfg(feature = #feature)]
            impl #scope_trait for crate::#module::#scope_ty {
                type #gat = crate::#module::#group_ty;
                fn #accessor(&self) -> Self::#gat {
                    crate::#module::#scope_ty::#accessor(self)
                }
            }
        }
    });
    // One fields impl per type, behind the features of the members that
    // produce it (common types are shared by several).
    let mut typed: Vec<(&TypeRef, Vec<&str>)> = Vec::new();
    for member in &g.members {
        for t in &member.output_types {
            match typed.iter_mut().find(|(x, _)| *x == t) {
                Some((_, features)) => features.push(&member.feature),
                None => typed.push((t, vec![&member.feature])),
            }
        }
    }
    let field_impls: Vec<TokenStream> = typed
        .iter()
        .map(|(t, features)| fields_impl(t, &g.fields, &fields_trait, features, index))
        .collect();

    let api_doc = doc(Some(&format!(
        "Operations on {noun} that {surfaces} share."
    )));
    let scope_doc = doc(Some(&format!("Scopes that have {noun}: {surfaces}.")));
    let fields_doc = doc(Some(&format!("Fields of {noun} that {surfaces} share.")));
    let accessor_doc = doc(Some(&format!("The {noun} of this scope.")));
    quote! {
        #fields_doc
        pub trait #fields_trait {
            #(#field_sigs)*
        }
        #api_doc
        pub trait #api_trait {
            #(#assoc_decls)*
            #(#sigs)*
        }
        #scope_doc
        pub trait #scope_trait {
            /// The group client.
            type #gat: #api_trait;
            #accessor_doc
            fn #accessor(&self) -> Self::#gat;
        }
        #(#impls)*
        #(#field_impls)*
    }
}

fn field_return(kind: FieldKind) -> TokenStream {
    match kind {
        FieldKind::Text => quote!(Option<&str>),
        FieldKind::Integer => quote!(Option<i64>),
        FieldKind::Bool => quote!(Option<bool>),
        FieldKind::DateTime => quote!(Option<crate::DateTime>),
    }
}

/// `impl Fields for T`: each field read from the struct, or from each
/// variant of a union (and from the JSON of an unknown one).
fn fields_impl(
    t: &TypeRef,
    fields: &[FacadeField],
    fields_trait: &proc_macro2::Ident,
    features: &[&str],
    index: &TypeIndex<'_>,
) -> TokenStream {
    let ty = type_tokens(t);
    let Some(def) = index.def(t) else {
        return TokenStream::new();
    };
    let methods = fields.iter().map(|f| {
        let n = ident(&f.rust_name);
        let ret = field_return(f.kind);
        let body = match &def.kind {
            TypeKind::Union(u) => {
                let arms = u.variants.iter().map(|v| {
                    let variant = ident(&v.rust_name);
                    let read = index.def(&v.ty).map(|d| read_field(d, f, quote!(x), index)).unwrap_or_else(|| quote!(None));
                    quote!(#ty::#variant(x) => #read,)
                });
                let names = &f.wire_names;
                let get = quote!([#(#names),*].iter().find_map(|k| v.get(*k)));
                let unknown = match f.kind {
                    FieldKind::Text => quote!(#get.and_then(::serde_json::Value::as_str)),
                    FieldKind::Integer => quote!(#get.and_then(::serde_json::Value::as_i64)),
                    FieldKind::Bool => quote!(#get.and_then(::serde_json::Value::as_bool)),
                    FieldKind::DateTime => quote!(#get.and_then(::serde_json::Value::as_str).and_then(crate::DateTime::parse)),
                };
                quote! {
                    match self {
                        #(#arms)*
                        #ty::Unknown(v) => #unknown,
                    }
                }
            }
            _ => read_field(def, f, quote!(self), index),
        };
        quote! {
            fn #n(&self) -> #ret {
                #body
            }
        }
    });
    let cfg = match features {
        [one] => quote!(#[cfg(feature = #one)]),
        many => quote!(#[cfg(any(#(feature = #many),*))]),
    };
    quote! {
        #cfg
        impl #fields_trait for #ty {
            #(#methods)*
        }
    }
}

/// Reads a facade field from a struct value `on`.
fn read_field(
    def: &crate::ir::TypeDef,
    f: &FacadeField,
    on: TokenStream,
    index: &TypeIndex<'_>,
) -> TokenStream {
    let TypeKind::Struct(s) = &def.kind else {
        return match &def.kind {
            TypeKind::Alias(inner) => index
                .def(inner)
                .map(|d| read_field(d, f, on, index))
                .unwrap_or_else(|| quote!(None)),
            _ => quote!(None),
        };
    };
    let Some(field) = s.fields.iter().find(|x| {
        f.wire_names.contains(&x.wire_name) || x.aliases.iter().any(|a| f.wire_names.contains(a))
    }) else {
        return quote!(None);
    };
    let n = ident(&field.rust_name);
    let is_enum = index.is_enum(&field.ty);
    let is_i64 = field.ty == TypeRef::Primitive(Primitive::I64);
    match (f.kind, field.required) {
        (FieldKind::Text, false) if is_enum => quote!(#on.#n.as_ref().map(|v| v.as_str())),
        (FieldKind::Text, true) if is_enum => quote!(Some(#on.#n.as_str())),
        (FieldKind::Text, false) => quote!(#on.#n.as_deref()),
        (FieldKind::Text, true) => quote!(Some(#on.#n.as_str())),
        (FieldKind::Integer, false) if is_i64 => quote!(#on.#n),
        (FieldKind::Integer, true) if is_i64 => quote!(Some(#on.#n)),
        (FieldKind::Integer, false) => quote!(#on.#n.map(i64::from)),
        (FieldKind::Integer, true) => quote!(Some(i64::from(#on.#n))),
        (FieldKind::Bool | FieldKind::DateTime, false) => quote!(#on.#n),
        (FieldKind::Bool | FieldKind::DateTime, true) => quote!(Some(#on.#n)),
    }
}
