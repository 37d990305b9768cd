//! Writes a surface's `mod.rs`: its client, its scopes, one client per
//! operation group, an options struct per operation, and the methods.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::TypeIndex;
use super::rust::{doc, ident, inner_doc, type_tokens_in};
use crate::ir::{
    LroHandle, Operation, OperationKind, Param, ParamIn, PathSegment, Primitive, Scope, Surface,
    TypeKind, TypeRef,
};

/// Who a group hangs off: the surface client or one of its scopes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Parent {
    Client,
    Scope(usize),
}

/// A surface's `mod.rs`, made piece by piece (see `super::RustFile`): the
/// head (module docs, surface info, the client), then each scope, each
/// group, each options struct, the answer enums, each operation's static
/// and the page impls, in that order.
pub struct SurfaceFile<'a> {
    surface: &'a Surface,
    index: &'a TypeIndex<'a>,
    /// Groups per parent, in the order operations appear.
    groups: Vec<Group>,
}

/// An operation group under one parent: its Rust type and its operations
/// (indices into `surface.operations`).
struct Group {
    parent: Parent,
    name: String,
    ty: String,
    ops: Vec<usize>,
}

/// A run of pieces of one kind: how many, and the piece at an index.
type Run = (usize, fn(usize) -> SurfacePiece);

enum SurfacePiece {
    Head,
    Scope(usize),
    Group(usize),
    Options(usize),
    StatusEnums,
    Static(usize),
    PageImpls,
}

impl<'a> SurfaceFile<'a> {
    pub fn new(surface: &'a Surface, index: &'a TypeIndex<'a>) -> Self {
        let mut groups: Vec<Group> = Vec::new();
        let mut seen: BTreeMap<(Parent, &str), usize> = BTreeMap::new();
        for (i, op) in surface.operations.iter().enumerate() {
            if op.group.is_empty() {
                continue;
            }
            let at = *seen
                .entry((parent_of(op), op.group.as_str()))
                .or_insert_with(|| {
                    groups.push(Group {
                        parent: parent_of(op),
                        name: op.group.clone(),
                        ty: op.group_type.clone(),
                        ops: Vec::new(),
                    });
                    groups.len() - 1
                });
            if let Some(group) = groups.get_mut(at) {
                group.ops.push(i);
            }
        }
        Self {
            surface,
            index,
            groups,
        }
    }

    /// The file's layout: how many pieces of each kind, in file order.
    fn layout(&self) -> [Run; 7] {
        let s = self.surface;
        [
            (1, |_| SurfacePiece::Head),
            (s.scopes.len(), SurfacePiece::Scope),
            (self.groups.len(), SurfacePiece::Group),
            (s.operations.len(), SurfacePiece::Options),
            (1, |_| SurfacePiece::StatusEnums),
            (s.operations.len(), SurfacePiece::Static),
            (1, |_| SurfacePiece::PageImpls),
        ]
    }

    fn which(&self, mut i: usize) -> Option<SurfacePiece> {
        for (count, piece) in self.layout() {
            if i < count {
                return Some(piece(i));
            }
            i -= count;
        }
        None
    }

    fn accessors(&self, parent: Parent) -> Vec<TokenStream> {
        self.groups
            .iter()
            .filter(|g| g.parent == parent)
            .map(|group| {
                let method = ident(&group.name);
                let ty = ident(&group.ty);
                let gdoc = doc(Some(&format!(
                    "Operations on {}.",
                    group.name.replace('_', " ")
                )));
                quote! {
                    #gdoc
                    pub fn #method(&self) -> #ty {
                        #ty { parent: self.inner.clone() }
                    }
                }
            })
            .collect()
    }

    fn direct_methods(&self, parent: Parent) -> Vec<TokenStream> {
        self.surface
            .operations
            .iter()
            .filter(|op| parent_of(op) == parent && op.group.is_empty())
            .map(|op| method(op, self.surface, quote!(self.inner)))
            .collect()
    }

    fn head(&self) -> TokenStream {
        let surface = self.surface;
        let module_doc = inner_doc(&match &surface.doc {
            Some(d) => format!("{}\n\n{d}", surface.title),
            None => surface.title.clone(),
        });
        if surface.shared_client.is_some() {
            // The client is in `clients`; this module adds its methods.
            let client = ident(&surface.client);
            let direct = self.direct_methods(Parent::Client);
            let methods = (!direct.is_empty()).then(|| {
                quote! {
                    impl crate::clients::#client {
                        #(#direct)*
                    }
                }
            });
            return quote! {
                #module_doc

                pub mod models;

                #methods
            };
        }
        let scope_ctors: Vec<TokenStream> = surface
            .scopes
            .iter()
            .map(|s| {
                let method = ident(&s.method);
                let ty = ident(&s.name);
                let inner = ident(&s.inner);
                let sdoc = doc(Some(&s.doc));
                let args = s.params.iter().map(|p| {
                    let n = ident(&p.name);
                    quote!(#n: impl Into<String>)
                });
                let inits = s.params.iter().map(|p| {
                    let n = ident(&p.name);
                    quote!(#n: #n.into())
                });
                let copies = surface.client_params.iter().map(|p| {
                    let n = ident(&p.rust_name);
                    quote!(#n: self.inner.#n.clone(),)
                });
                quote! {
                    #sdoc
                    pub fn #method(&self, #(#args),*) -> #ty {
                        #ty {
                            inner: ::std::sync::Arc::new(#inner {
                                core: self.inner.core.clone(),
                                #(#copies)*
                                #(#inits),*
                            }),
                        }
                    }
                }
            })
            .collect();
        let mut members = scope_ctors;
        members.extend(self.accessors(Parent::Client));
        members.extend(self.direct_methods(Parent::Client));
        let client = ClientShape {
            surface,
            name: &surface.client,
            inner: &surface.client_inner,
            info_static: &surface.info_static,
            info_name: &surface.feature,
            what: format!(
                "Client of the {} (`{}` feature).",
                surface.title, surface.feature
            ),
            shared: false,
        };
        let items = client.items(members);
        quote! {
            #module_doc

            pub mod models;

            #items
        }
    }

    fn group(&self, i: usize) -> TokenStream {
        let Some(group) = self.groups.get(i) else {
            return TokenStream::new();
        };
        let surface = self.surface;
        let ty = ident(&group.ty);
        let parent_inner = match group.parent {
            Parent::Client => ident(&surface.client_inner),
            Parent::Scope(i) => ident(&surface.scopes[i].inner),
        };
        let methods = group
            .ops
            .iter()
            .filter_map(|&op| surface.operations.get(op))
            .map(|op| method(op, surface, quote!(self.parent)));
        if surface.shared_client.is_some() {
            // The group's type is in `clients`, with the shared client.
            return quote! {
                impl crate::clients::#ty {
                    #(#methods)*
                }
            };
        }
        let gdoc = doc(Some(&format!(
            "Operations on {}.",
            group.name.replace('_', " ")
        )));
        quote! {
            #gdoc
            #[derive(Clone, Debug)]
            pub struct #ty {
                parent: ::std::sync::Arc<#parent_inner>,
            }
            impl #ty {
                #(#methods)*
            }
        }
    }
}

impl super::RustFile for SurfaceFile<'_> {
    fn pieces(&self) -> usize {
        self.layout().iter().map(|(count, _)| count).sum()
    }

    fn piece(&self, i: usize) -> TokenStream {
        let surface = self.surface;
        match self.which(i) {
            Some(SurfacePiece::Head) => self.head(),
            Some(SurfacePiece::Scope(i)) => match surface.scopes.get(i) {
                Some(s) => scope_struct(
                    surface,
                    s,
                    self.accessors(Parent::Scope(i)),
                    self.direct_methods(Parent::Scope(i)),
                ),
                None => TokenStream::new(),
            },
            Some(SurfacePiece::Group(i)) => self.group(i),
            Some(SurfacePiece::Options(i)) => surface
                .operations
                .get(i)
                .map(|op| options_struct(op, &surface.module))
                .unwrap_or_default(),
            Some(SurfacePiece::StatusEnums) => {
                let enums = status_enums(surface);
                quote!(#(#enums)*)
            }
            Some(SurfacePiece::Static(i)) => {
                let Some(op) = surface.operations.get(i) else {
                    return TokenStream::new();
                };
                let name = op_static(op);
                let id = &op.operation_id;
                let path = op.path_template();
                let codes = op
                    .responses
                    .iter()
                    .map(|r| proc_macro2::Literal::u16_unsuffixed(r.status));
                quote!(static #name: crate::runtime::OperationInfo = crate::runtime::OperationInfo { id: #id, path: #path, success: &[#(#codes),*] };)
            }
            Some(SurfacePiece::PageImpls) => {
                let impls = page_impls(surface, self.index);
                quote!(#(#impls)*)
            }
            None => TokenStream::new(),
        }
    }
}

fn parent_of(op: &Operation) -> Parent {
    match op.scope {
        Some(i) => Parent::Scope(i),
        None => Parent::Client,
    }
}

fn op_static(op: &Operation) -> proc_macro2::Ident {
    format_ident!("{}", op.info_static)
}

/// A host template that is one parameter and nothing else (`{vaultBaseUrl}`):
/// the parameter is the endpoint.
fn is_whole_url(template: &str) -> bool {
    template.starts_with('{') && template.ends_with('}') && template.matches('{').count() == 1
}

fn scope_struct(
    surface: &Surface,
    s: &Scope,
    accessors: Vec<TokenStream>,
    direct: Vec<TokenStream>,
) -> TokenStream {
    let ty = ident(&s.name);
    let inner = ident(&s.inner);
    let sdoc = doc(Some(&s.doc));
    let module = surface.module.as_str();
    let client_fields = surface.client_params.iter().map(|p| {
        let n = ident(&p.rust_name);
        let t = type_tokens_in(&p.ty, Some(module));
        quote!(#n: #t,)
    });
    let fields = s.params.iter().map(|p| {
        let n = ident(&p.name);
        quote!(#n: String,)
    });
    let getters = s.params.iter().map(|p| {
        let n = ident(&p.name);
        let d = doc(Some(&p.doc));
        quote! {
            #d
            pub fn #n(&self) -> &str {
                &self.inner.#n
            }
        }
    });
    quote! {
        #sdoc
        #[derive(Clone, Debug)]
        pub struct #ty {
            inner: ::std::sync::Arc<#inner>,
        }

        #[derive(Debug)]
        struct #inner {
            core: crate::runtime::ClientCore,
            #(#client_fields)*
            #(#fields)*
        }
        impl #ty {
            #(#getters)*
            #(#accessors)*
            #(#direct)*
        }
    }
}

/// How a required argument is taken.
fn arg_type(t: &TypeRef, module: &str) -> TokenStream {
    match t {
        TypeRef::Primitive(Primitive::String) => quote!(&str),
        TypeRef::Primitive(
            Primitive::I32 | Primitive::I64 | Primitive::F32 | Primitive::F64 | Primitive::Bool,
        ) => type_tokens_in(t, Some(module)),
        TypeRef::Vec(inner) => {
            let inner = type_tokens_in(inner, Some(module));
            quote!(&[#inner])
        }
        other => {
            let t = type_tokens_in(other, Some(module));
            quote!(&#t)
        }
    }
}

fn options_struct(op: &Operation, module: &str) -> TokenStream {
    let ty = ident(&op.options_type);
    let odoc = doc(Some(&format!(
        "Optional parameters of `{}`.",
        op.operation_id
    )));
    let fields = op.params.iter().filter(|p| !p.required).map(|p| {
        let n = ident(&p.rust_name);
        let t = type_tokens_in(&p.ty, Some(module));
        let d = doc(p.doc.as_deref());
        quote! {
            #d
            pub #n: Option<#t>,
        }
    });
    let setters: Vec<TokenStream> = op
        .params
        .iter()
        .filter_map(|p| {
            let setter = ident(p.setter.as_deref()?);
            let n = ident(&p.rust_name);
            let t = type_tokens_in(&p.ty, Some(module));
            let sdoc = doc(Some(&format!("Sets `{}`.", p.wire_name)));
            Some(quote!(#sdoc #setter => #n: #t))
        })
        .collect();
    let setters = (!setters.is_empty()).then(|| quote!(crate::setters!(#ty<'a>, [#(#setters),*]);));
    quote! {
        #odoc
        #[derive(Clone, Debug, Default)]
        #[non_exhaustive]
        pub struct #ty<'a> {
            #(#fields)*
            /// The request's context (client request id, tracing).
            pub method_options: ::azure_core::http::ClientMethodOptions<'a>,
        }
        #setters
        impl<'a> #ty<'a> {
            /// Sets the request's context (client request id, tracing).
            pub fn with_method_options(
                mut self,
                method_options: ::azure_core::http::ClientMethodOptions<'a>,
            ) -> Self {
                self.method_options = method_options;
                self
            }
        }
    }
}

/// The value of a path parameter: from the scope, or an argument.
fn path_value(wire: &str, op: &Operation, surface: &Surface, parent: &TokenStream) -> TokenStream {
    if let Some(scope) = op.scope.map(|i| &surface.scopes[i])
        && let Some(p) = scope
            .params
            .iter()
            .find(|p| p.wire_names.iter().any(|w| w == wire))
    {
        let n = ident(&p.name);
        return quote!(&#parent.#n);
    }
    if let Some(p) = op
        .params
        .iter()
        .find(|p| p.location == ParamIn::Path && p.wire_name == wire)
    {
        let n = ident(&p.rust_name);
        return quote!(&crate::runtime::QueryValue::to_query(&#n));
    }
    match client_param(op, surface, ParamIn::Path, wire) {
        Some(p) => {
            let n = ident(&p.rust_name);
            quote!(&crate::runtime::QueryValue::to_query(&#parent.#n))
        }
        None => quote!(""),
    }
}

/// A client-level parameter the operation sends at `location` as `wire`.
fn client_param<'a>(
    op: &Operation,
    surface: &'a Surface,
    location: ParamIn,
    wire: &str,
) -> Option<&'a Param> {
    surface.client_params.iter().find(|p| {
        p.location == location && p.wire_name == wire && op.client_params.contains(&p.rust_name)
    })
}

fn path_parts(
    segments: &[PathSegment],
    op: &Operation,
    surface: &Surface,
    parent: &TokenStream,
) -> Vec<TokenStream> {
    segments
        .iter()
        .map(|s| match s {
            PathSegment::Literal(l) => quote!(crate::runtime::PathPart::Literal(#l)),
            PathSegment::Param(wire) => {
                let value = path_value(wire, op, surface, parent);
                let raw = op.params.iter().any(|p| {
                    p.location == ParamIn::Path && &p.wire_name == wire && p.skip_url_encoding
                });
                if raw {
                    quote!(crate::runtime::PathPart::Raw(#wire, #value))
                } else {
                    quote!(crate::runtime::PathPart::Param(#wire, #value))
                }
            }
        })
        .collect()
}

fn param_setter(p: &Param, value: TokenStream) -> TokenStream {
    let wire = &p.wire_name;
    match (p.location, &p.ty) {
        (ParamIn::Query, TypeRef::Vec(_)) if p.explode => {
            quote!(crate::runtime::append_query_each(&mut request, #wire, #value);)
        }
        (ParamIn::Query, _) => quote!(crate::runtime::append_query(&mut request, #wire, #value);),
        (ParamIn::Header, _) => quote!(crate::runtime::set_header(&mut request, #wire, #value);),
        (ParamIn::Path, _) => quote!(),
    }
}

fn method(op: &Operation, surface: &Surface, parent: TokenStream) -> TokenStream {
    let module = surface.module.as_str();
    let name = ident(&op.name);
    let options_ty = ident(&op.options_type);
    let op_static = op_static(op);
    let http = match op.method {
        crate::ir::Method::Get => quote!(Get),
        crate::ir::Method::Put => quote!(Put),
        crate::ir::Method::Post => quote!(Post),
        crate::ir::Method::Patch => quote!(Patch),
        crate::ir::Method::Delete => quote!(Delete),
        crate::ir::Method::Head => quote!(Head),
    };

    let mut args = Vec::new();
    let mut setters = Vec::new();
    for p in &op.params {
        let n = ident(&p.rust_name);
        if p.required {
            let t = arg_type(&p.ty, module);
            args.push(quote!(#n: #t));
            let setter = param_setter(p, quote!(&#n));
            if !setter.is_empty() {
                setters.push(setter);
            }
        } else {
            let setter = param_setter(p, quote!(value));
            if !setter.is_empty() {
                setters.push(quote!(if let Some(value) = &options.#n { #setter }));
            }
        }
    }
    for p in surface
        .client_params
        .iter()
        .filter(|p| p.location != ParamIn::Path && op.client_params.contains(&p.rust_name))
    {
        let n = ident(&p.rust_name);
        setters.push(param_setter(p, quote!(&#parent.#n)));
    }
    let body = op.body.as_ref().map(|b| {
        // JSON goes through the body's model; text as it is; anything else
        // as bytes.
        let (t, set) = match body_kind(&b.media_type) {
            BodyKind::Json => {
                let t = match &b.ty {
                    TypeRef::Vec(inner) => {
                        let inner = type_tokens_in(inner, Some(module));
                        quote!([#inner])
                    }
                    other => type_tokens_in(other, Some(module)),
                };
                (t, quote!(request.set_json(body)?;))
            }
            BodyKind::Text => (quote!(str), quote!(request.set_body(body.to_string());)),
            BodyKind::Binary => (quote!([u8]), quote!(request.set_body(body.to_vec());)),
        };
        let media = &b.media_type;
        if b.required {
            args.push(quote!(body: &#t));
            quote! {
                request.insert_header("content-type", #media);
                #set
            }
        } else {
            args.push(quote!(body: Option<&#t>));
            quote! {
                if let Some(body) = body {
                    request.insert_header("content-type", #media);
                    #set
                }
            }
        }
    });
    let parts = path_parts(&op.path, op, surface, &parent);
    let mutable = (!setters.is_empty() || body.is_some()).then(|| quote!(mut));

    let mut docs = op.doc.clone().unwrap_or_default();
    let route = op.path_template();
    docs.push_str(&format!(
        "\n\n`{}`: `{} {route}`",
        op.operation_id,
        op.method.as_str()
    ));
    let (ret, call, is_async) = match &op.kind {
        OperationKind::Plain => {
            let (t, call) = plain_result(op, module);
            (quote!(crate::runtime::Response<#t>), call, true)
        }
        OperationKind::Pageable(paging) => {
            docs.push_str(
                "\n\nA stream of the items of every page; `into_pages()` gives whole pages.",
            );
            let page = type_tokens_in(&paging.page, Some(module));
            (
                quote!(crate::runtime::Pager<#page>),
                quote!(Ok(core.pager(&#op_static, request, options.method_options.context.into_owned()))),
                false,
            )
        }
        OperationKind::LongRunning(lro) => {
            let status = type_tokens_in(&lro.status, Some(module));
            let (result, kind) = match (&lro.result, &lro.handle) {
                (Some(r), _) if lro.result_optional => {
                    let r = type_tokens_in(r, Some(module));
                    (quote!(Option<#r>), quote!(Resource))
                }
                (Some(r), _) => (type_tokens_in(r, Some(module)), quote!(Resource)),
                // Azure's rules with no documented result: nothing to read.
                (None, LroHandle::Azure(_)) => (quote!(()), quote!(Status)),
                (None, _) => (status.clone(), quote!(Status)),
            };
            docs.push_str("\n\nLong-running: await the returned poller for the result, or stream it to watch the status.");
            let handle = match &lro.handle {
                LroHandle::Header(h) => quote!(crate::runtime::LroHandle::Header(#h)),
                LroHandle::Azure(Some(final_state)) => {
                    let variant = format_ident!("{}", format!("{final_state:?}"));
                    quote!(crate::runtime::LroHandle::Azure(Some(crate::runtime::FinalState::#variant)))
                }
                LroHandle::Azure(None) => quote!(crate::runtime::LroHandle::Azure(None)),
                LroHandle::OperationId { header, path } => {
                    let prefix: Vec<PathSegment> = path
                        .iter()
                        .filter(|s| !matches!(s, PathSegment::Param(p) if p == "operationId"))
                        .cloned()
                        .collect();
                    let parts = path_parts(&prefix, op, surface, &parent);
                    quote!(crate::runtime::LroHandle::OperationId {
                        header: #header,
                        prefix: core.request(::azure_core::http::Method::Get, &[#(#parts),*])?.url().clone(),
                    })
                }
            };
            (
                quote!(crate::runtime::Poller<#status, #result>),
                quote! {
                    let handle = #handle;
                    Ok(core.poller(&#op_static, request, handle, crate::runtime::LroResult::#kind, options.method_options.context.into_owned()))
                },
                false,
            )
        }
    };
    let mdoc = doc(Some(&docs));
    let request = if op.unversioned {
        quote!(request_unversioned)
    } else {
        quote!(request)
    };
    let asyncness = is_async.then(|| quote!(async));
    let call = if is_async { quote!(#call.await) } else { call };
    // Machine code for an operation is made where it is called, as for the
    // `async` ones (whose bodies compile where they are awaited): a
    // program compiles the pagers of the operations it calls, not all.
    let inline = (!is_async).then(|| quote!(#[inline]));
    // The spec's operation takes this many values; a method cannot take
    // fewer without hiding them. (Client-level ones are the client's.)
    let many = (args.len() + 2 > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        #mdoc
        #inline
        #many
        pub #asyncness fn #name(&self, #(#args,)* options: Option<#options_ty<'_>>) -> ::azure_core::Result<#ret> {
            let options = options.unwrap_or_default();
            let core = &#parent.core;
            let #mutable request = core.#request(::azure_core::http::Method::#http, &[#(#parts),*])?;
            #(#setters)*
            #body
            #call
        }
    }
}

/// How a body travels.
pub(super) enum BodyKind {
    Json,
    /// `text/*`: a `str`.
    Text,
    /// Anything else (`application/octet-stream`, `application/zip`):
    /// bytes.
    Binary,
}

pub(super) fn body_kind(media_type: &str) -> BodyKind {
    if crate::ir::is_json_media(media_type) {
        BodyKind::Json
    } else if media_type.trim().to_ascii_lowercase().starts_with("text/") {
        BodyKind::Text
    } else {
        BodyKind::Binary
    }
}

/// The result type of a plain operation and the call that decodes it.
fn plain_result(op: &Operation, module: &str) -> (TokenStream, TokenStream) {
    let op_static = op_static(op);
    let types: BTreeSet<&TypeRef> = op.responses.iter().filter_map(|r| r.ty.as_ref()).collect();
    let all_have_body = op.responses.iter().all(|r| r.ty.is_some());
    let ctx = quote!(&options.method_options.context);
    // An existence check: HEAD, 404 an answer.
    if op.method == crate::ir::Method::Head && op.responses.iter().any(|r| r.status == 404) {
        return (
            quote!(bool),
            quote!(core.call_exists(&#op_static, #ctx, request)),
        );
    }
    // A body that is not JSON: text or bytes, as it came.
    if let Some(media) = op
        .responses
        .iter()
        .filter_map(|r| r.media_type.as_deref())
        .find(|m| !crate::ir::is_json_media(m))
    {
        return match body_kind(media) {
            BodyKind::Text => (
                quote!(String),
                quote!(core.call_text(&#op_static, #ctx, request)),
            ),
            _ => (
                quote!(::azure_core::Bytes),
                quote!(core.call_bytes(&#op_static, #ctx, request)),
            ),
        };
    }
    match (&op.answer_enum, types.len()) {
        (None, 0) => (
            quote!(()),
            quote!(core.call_empty(&#op_static, #ctx, request)),
        ),
        // One body type (normalize names an enum for more).
        (None, _) => {
            let t = types
                .iter()
                .next()
                .map(|t| type_tokens_in(t, Some(module)))
                .unwrap_or_default();
            let t = if all_have_body { t } else { quote!(Option<#t>) };
            (
                t.clone(),
                quote!(core.call::<#t>(&#op_static, #ctx, request)),
            )
        }
        // Different bodies per status: an enum of the answers.
        (Some(answers), _) => {
            let ty = ident(answers);
            let arms = op.responses.iter().enumerate().map(|(i, r)| {
                let variant = ident(r.variant.as_deref().unwrap_or_default());
                let code = r.status;
                let pattern = if i + 1 == op.responses.len() { quote!(_) } else { quote!(#code) };
                match &r.ty {
                    Some(_) => quote!(#pattern => #ty::#variant(crate::runtime::decode(#op_static.id, &raw)?),),
                    None => quote!(#pattern => #ty::#variant,),
                }
            });
            (
                quote!(#ty),
                quote! {
                    async {
                        let mut request = request;
                        let raw = core.send(&#op_static, #ctx, &mut request).await?;
                        let value = match u16::from(raw.status()) {
                            #(#arms)*
                        };
                        let (status, headers, _) = raw.deconstruct();
                        Ok(crate::runtime::Response::new(status, headers, value))
                    }
                },
            )
        }
    }
}

/// Enums for the operations whose answers differ by status.
fn status_enums(surface: &Surface) -> Vec<TokenStream> {
    let module = surface.module.as_str();
    surface
        .operations
        .iter()
        .filter_map(|op| Some((op, op.answer_enum.as_ref()?)))
        .map(|(op, answers)| {
            let ty = ident(answers);
            let edoc = doc(Some(&format!(
                "The answers of `{}`, by status.",
                op.operation_id
            )));
            let variants = op.responses.iter().map(|r| {
                let variant = ident(r.variant.as_deref().unwrap_or_default());
                let vdoc = doc(Some(&format!(
                    "{}: {}",
                    r.status,
                    r.doc.clone().unwrap_or_default()
                )));
                match &r.ty {
                    Some(t) => {
                        let t = type_tokens_in(t, Some(module));
                        quote!(#vdoc #variant(#t),)
                    }
                    None => quote!(#vdoc #variant,),
                }
            });
            quote! {
                #edoc
                #[derive(Clone, Debug, PartialEq)]
                pub enum #ty {
                    #(#variants)*
                }
            }
        })
        .collect()
}

/// `Page` and `NextLink` for page envelopes that are not `Page<T>`.
fn page_impls(surface: &Surface, index: &TypeIndex<'_>) -> Vec<TokenStream> {
    let module = surface.module.as_str();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for op in &surface.operations {
        let OperationKind::Pageable(paging) = &op.kind else {
            continue;
        };
        if !done.insert(paging.page.clone()) {
            continue;
        }
        let Some(def) = index.def(&paging.page) else {
            continue;
        };
        let TypeKind::Struct(s) = &def.kind else {
            continue;
        };
        let page = type_tokens_in(&paging.page, Some(module));
        let item = type_tokens_in(&paging.item, Some(module));
        let Some(items) = s.fields.iter().find(|f| f.wire_name == paging.item_field) else {
            continue;
        };
        let items_name = ident(&items.rust_name);
        let items_expr = if items.required {
            quote!(self.#items_name)
        } else {
            quote!(self.#items_name.unwrap_or_default())
        };
        let next = paging
            .next_link_field
            .as_ref()
            .and_then(|n| s.fields.iter().find(|f| &f.wire_name == n));
        let next_expr = match next {
            Some(f) if f.required => {
                let n = ident(&f.rust_name);
                quote!(Some(self.#n.as_str()))
            }
            Some(f) => {
                let n = ident(&f.rust_name);
                quote!(self.#n.as_deref())
            }
            None => quote!(None),
        };
        out.push(quote! {
            #[::async_trait::async_trait]
            impl ::azure_core::http::pager::Page for #page {
                type Item = #item;
                type IntoIter = ::std::vec::IntoIter<#item>;
                async fn into_items(self) -> ::azure_core::Result<Self::IntoIter> {
                    Ok(#items_expr.into_iter())
                }
            }
            impl crate::runtime::NextLink for #page {
                fn next_link(&self) -> Option<&str> {
                    #next_expr
                }
            }
        });
    }
    out
}

/// A client type as the emitters write it: a surface's own, or one shared
/// by the surfaces of one title (`surface` is then its first member, whose
/// endpoint, host, `api-version`, scope and client parameters are all's).
pub struct ClientShape<'a> {
    pub surface: &'a Surface,
    /// The Rust type.
    pub name: &'a str,
    /// The shared state behind it.
    pub inner: &'a str,
    /// The static describing it to the runtime.
    pub info_static: &'a str,
    /// What errors about the client call it.
    pub info_name: &'a str,
    /// The first line of its docs.
    pub what: String,
    /// Other modules add methods and groups to it: its inner state is
    /// visible in the crate.
    pub shared: bool,
}

impl ClientShape<'_> {
    /// The client's static description, type, inner state, constructors
    /// and `endpoint`, then `members` (accessors and methods).
    pub fn items(&self, members: Vec<TokenStream>) -> TokenStream {
        let surface = self.surface;
        let info_name = self.info_name;
        let api_version = match &surface.api_version {
            Some(v) => {
                let (p, val) = (&v.param, &v.value);
                quote!(Some((#p, #val)))
            }
            None => quote!(None),
        };
        let auth_scope = match &surface.auth_scope {
            Some(s) => quote!(Some(#s)),
            None => quote!(None),
        };
        let client = ident(self.name);
        let client_inner = ident(self.inner);
        // One module holds every shared client: each its own static.
        let info = ident(self.info_static);
        let vis = if self.shared {
            quote!(pub(crate))
        } else {
            TokenStream::new()
        };
        let default_endpoint = surface.default_endpoint.as_ref().map(|e| {
            quote! {
                /// The endpoint the documents name for this surface.
                pub const DEFAULT_ENDPOINT: &'static str = #e;
            }
        });
        let version_doc = match &surface.api_version {
            Some(v) => format!(
                "Sends `{}={}` unless [`ServiceClientOptions::api_version`](crate::ServiceClientOptions::api_version) says otherwise.",
                v.param, v.value
            ),
            None => "The API version is part of the path.".to_string(),
        };
        let module = surface.module.as_str();
        let client_fields = surface.client_params.iter().map(|p| {
            let n = ident(&p.rust_name);
            let t = type_tokens_in(&p.ty, Some(module));
            quote!(#vis #n: #t,)
        });
        let client_args: Vec<TokenStream> = surface
            .client_params
            .iter()
            .map(|p| {
                let n = ident(&p.rust_name);
                match &p.ty {
                    TypeRef::Primitive(Primitive::String) => quote!(#n: impl Into<String>),
                    other => {
                        let t = type_tokens_in(other, Some(module));
                        quote!(#n: #t)
                    }
                }
            })
            .collect();
        let client_inits = surface.client_params.iter().map(|p| {
            let n = ident(&p.rust_name);
            match &p.ty {
                TypeRef::Primitive(Primitive::String) => quote!(#n: #n.into(),),
                _ => quote!(#n,),
            }
        });
        let given = if surface.client_params.is_empty() {
            String::new()
        } else {
            format!(
                ", sending {} with every request that takes it",
                surface
                    .client_params
                    .iter()
                    .map(|p| format!("`{}` as `{}`", p.rust_name, p.wire_name))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let usually = match &surface.host {
            Some(host) => format!(" (the spec's host is `{}`)", host.template),
            None => String::new(),
        };
        let new_doc = super::rust::doc_raw(&format!(
            "A client for `endpoint`{usually}{given}, authenticating with `credential`\n(any `azure_identity` credential, or\n[`StaticTokenCredential`](crate::StaticTokenCredential)).\n\nFails when the endpoint is not a URL, or would carry the\ntoken over plain HTTP to anything but a loopback address."
        ));
        let client_names: Vec<TokenStream> = surface
            .client_params
            .iter()
            .map(|p| {
                let n = ident(&p.rust_name);
                quote!(#n)
            })
            .collect();
        let with_host = surface.host.as_ref().filter(|h| !is_whole_url(&h.template)).map(|host| {
            let args = host.params.iter().map(|p| {
                let n = ident(&p.rust_name);
                quote!(#n: &str)
            });
            let template = &host.template;
            let pairs = host.params.iter().map(|p| {
                let wire = &p.wire_name;
                let n = ident(&p.rust_name);
                quote!((#wire, #n))
            });
            let names = host
                .params
                .iter()
                .map(|p| match &p.default {
                    Some(d) => format!("`{}` (usually `{d}`)", p.rust_name),
                    None => format!("`{}`", p.rust_name),
                })
                .collect::<Vec<_>>()
                .join(", ");
            let hdoc = super::rust::doc_raw(&format!(
                "A client for the spec's host `{template}`, filled with {names}\n(`https://` added); otherwise as [`{}::new`].",
                self.name
            ));
            let client_args = client_args.clone();
            quote! {
                #hdoc
                pub fn with_host(
                    #(#args,)*
                    #(#client_args,)*
                    credential: ::std::sync::Arc<dyn ::azure_core::credentials::TokenCredential>,
                    options: Option<crate::ServiceClientOptions>,
                ) -> ::azure_core::Result<Self> {
                    let endpoint = crate::runtime::fill_host(#template, &[#(#pairs),*]);
                    Self::new(&endpoint, #(#client_names,)* credential, options)
                }
            }
        });
        let title_doc = doc(Some(&self.what));
        let version_doc = super::rust::doc_raw(&format!("\n{version_doc}"));
        quote! {
            static #info: crate::runtime::SurfaceInfo = crate::runtime::SurfaceInfo {
                crate_name: env!("CARGO_PKG_NAME"),
                name: #info_name,
                api_version: #api_version,
                auth_scope: #auth_scope,
            };

            #title_doc
            #version_doc
            #[derive(Clone, Debug)]
            pub struct #client {
                #vis inner: ::std::sync::Arc<#client_inner>,
            }

            #[derive(Debug)]
            #vis struct #client_inner {
                #vis core: crate::runtime::ClientCore,
                #(#client_fields)*
            }

            impl #client {
                #default_endpoint

                #new_doc
                pub fn new(
                    endpoint: &str,
                    #(#client_args,)*
                    credential: ::std::sync::Arc<dyn ::azure_core::credentials::TokenCredential>,
                    options: Option<crate::ServiceClientOptions>,
                ) -> ::azure_core::Result<Self> {
                    let core = crate::runtime::ClientCore::new(&#info, endpoint, credential, options)?;
                    Ok(Self { inner: ::std::sync::Arc::new(#client_inner { core, #(#client_inits)* }) })
                }

                #with_host

                /// The endpoint requests go to.
                pub fn endpoint(&self) -> &::azure_core::http::Url {
                    self.inner.core.endpoint()
                }

                #(#members)*
            }
        }
    }
}
