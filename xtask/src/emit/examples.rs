//! Writes `tests/examples.rs`: one test per `x-ms-examples` entry, replaying
//! it against the generated client on the transport of `tests/replay/`
//! (copied from `templates/replay/`). Each test calls the operation's
//! method with the example's values as typed Rust values; what it must send
//! and what it gets back are in the test's script, worked out by normalize
//! from the spec and the example alone.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{Value, json};

use super::rust::{ident, inner_doc_raw, type_tokens};
use crate::ir::{
    Api, Example, LongRunning, LroHandle, Operation, OperationKind, Param, Primitive, Surface,
    TypeRef,
};

/// The replay harness the tests call, copied verbatim.
pub const HARNESS: &str = include_str!("../../../templates/replay/mod.rs");

/// Whether the crate has any example to replay.
pub fn any(api: &Api) -> bool {
    api.surfaces
        .iter()
        .any(|s| s.operations.iter().any(|op| !op.examples.is_empty()))
}

/// `tests/examples.rs`, made piece by piece: the head, then one module of
/// tests per surface (`Surface::examples_module`).
pub struct ExamplesFile<'a> {
    api: &'a Api,
}

impl<'a> ExamplesFile<'a> {
    pub fn new(api: &'a Api) -> Self {
        Self { api }
    }

    fn head(&self) -> TokenStream {
        let krate = ident(&self.api.crate_name.replace('-', "_"));
        let docs = inner_doc_raw(
            "Replays of the specs' own `x-ms-examples`: each test calls one operation with an\n\
             example's values, checks the request the client sends against the example's, and\n\
             checks that the example's answers decode into the generated types and encode back\n\
             to what the example shows. No test opens a socket. A test of an example that\n\
             contradicts its own spec (an independent JSON Schema check says where) is ignored;\n\
             `cargo test -- --include-ignored` runs it too.",
        );
        let with_examples = self
            .api
            .surfaces
            .iter()
            .filter(|s| s.operations.iter().any(|op| !op.examples.is_empty()));
        let imports = with_examples.map(|s| {
            let feature = &s.feature;
            let module = ident(&s.module);
            // Used where an example names a model or an options struct.
            quote! {
                #[cfg(feature = #feature)]
                #[allow(unused_imports)]
                use #krate::#module;
            }
        });
        quote! {
            #docs
            // Generated paths are `crate::…`: these imports make them resolve here.
            use #krate as krate;
            #[allow(unused_imports)]
            use #krate::{models, runtime};
            #(#imports)*

            mod replay;
        }
    }

    fn surface(&self, i: usize) -> TokenStream {
        let Some(surface) = self.api.surfaces.get(i) else {
            return TokenStream::new();
        };
        let tests: Vec<TokenStream> = surface
            .operations
            .iter()
            .flat_map(|op| op.examples.iter().map(move |e| test_fn(surface, op, e)))
            .collect();
        if tests.is_empty() {
            return TokenStream::new();
        }
        let feature = &surface.feature;
        let module = ident(&surface.examples_module);
        let mdoc = format!(" The examples of the {} (`{feature}`).", surface.title);
        quote! {
            #[doc = #mdoc]
            #[cfg(feature = #feature)]
            mod #module {
                use crate::replay::{Example, Failure};

                #(#tests)*
            }
        }
    }
}

/// Each example's test, by its path in the file.
pub fn tests(api: &Api) -> Vec<(String, &Operation, &Example)> {
    api.surfaces
        .iter()
        .flat_map(|surface| {
            let module = &surface.examples_module;
            surface.operations.iter().flat_map(move |op| {
                op.examples
                    .iter()
                    .map(move |e| (format!("{module}::{}", e.test), op, e))
            })
        })
        .collect()
}

impl super::RustFile for ExamplesFile<'_> {
    fn pieces(&self) -> usize {
        1 + self.api.surfaces.len()
    }

    fn piece(&self, i: usize) -> TokenStream {
        match i {
            0 => self.head(),
            i => self.surface(i - 1),
        }
    }
}

/// Why an operation's examples cannot be replayed yet, if they cannot.
fn unsupported(op: &Operation) -> Option<String> {
    let binary_answer = op.responses.iter().any(|r| {
        r.media_type
            .as_deref()
            .is_some_and(|m| !crate::ir::is_json_media(m))
    });
    if binary_answer && !matches!(op.kind, OperationKind::Plain) {
        return Some("a long-running or pageable operation whose answer is not JSON".to_string());
    }
    if let OperationKind::LongRunning(LongRunning {
        handle: LroHandle::Header(_) | LroHandle::OperationId { .. },
        ..
    }) = &op.kind
    {
        return Some(
            "a long-running handle defined by normalization rules, whose service the replay does not model"
                .to_string(),
        );
    }
    None
}

/// How the operation's success answers travel: `json`, `text`, `binary`.
fn answer_media(op: &Operation) -> &'static str {
    match op
        .responses
        .iter()
        .filter_map(|r| r.media_type.as_deref())
        .find(|m| !crate::ir::is_json_media(m))
        .map(super::client::body_kind)
    {
        Some(super::client::BodyKind::Text) => "text",
        Some(_) => "binary",
        None => "json",
    }
}

/// The script the harness reads: the example as normalize matched it.
fn script(op: &Operation, example: &Example, unsupported: Option<&str>) -> String {
    let has_result = match &op.kind {
        OperationKind::LongRunning(lro) => lro.result.is_some(),
        _ => false,
    };
    let next_link_field = match &op.kind {
        OperationKind::Pageable(p) => p.next_link_field.clone(),
        _ => None,
    };
    let (kind, final_state, item_field) = match &op.kind {
        OperationKind::Plain => ("plain", None, None),
        OperationKind::Pageable(p) => ("pageable", None, Some(p.item_field.clone())),
        OperationKind::LongRunning(LongRunning { handle, .. }) => (
            "long-running",
            match handle {
                LroHandle::Azure(f) => f.map(|f| f.as_str()),
                // Rules-defined handles are unsupported here (above).
                LroHandle::Header(_) | LroHandle::OperationId { .. } => None,
            },
            None,
        ),
    };
    let parameters: serde_json::Map<String, Value> = example.parameters.iter().cloned().collect();
    let request = &example.request;
    let value = json!({
        "operation": op.operation_id,
        "example": example.name,
        "file": example.source.file,
        "endpoint": example.endpoint,
        "kind": kind,
        "final_state": final_state,
        "item_field": item_field,
        "next_link_field": next_link_field,
        "has_result": has_result,
        "answer_media": answer_media(op),
        "success": op.responses.iter().map(|r| r.status).collect::<Vec<_>>(),
        "unsupported": unsupported,
        "parameters": parameters,
        "body_parameter": example.body_parameter,
        "request": {
            "method": request.method.as_str(),
            "path": request.path,
            "query": request.query,
            "headers": request.headers,
            "body": request.body,
        },
        "responses": example.responses.iter().map(|r| json!({
            "key": r.key,
            "status": r.status,
            "headers": r.headers,
            "body": r.body,
        })).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// A raw string literal holding `text`, with enough `#`s.
fn raw_literal(text: &str) -> TokenStream {
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let marks = "#".repeat(hashes);
    format!("r{marks}\"{text}\"{marks}")
        .parse()
        .unwrap_or_else(|_| {
            let lit = proc_macro2::Literal::string(text);
            quote!(#lit)
        })
}

fn test_fn(surface: &Surface, op: &Operation, example: &Example) -> TokenStream {
    let why = unsupported(op);
    let script = raw_literal(&script(op, example, why.as_deref()));
    let name = ident(&example.test);
    let doc = format!(
        " `{}`: example `{}` ({}).",
        op.operation_id, example.name, example.source.file
    );
    let ignore = example.findings.iter().find(|f| f.affects_replay).map(|f| {
        let reason = format!(
            "the example contradicts its spec ({}, {}: {})",
            f.part, f.pointer, f.message
        );
        let reason: String = reason.chars().take(300).collect();
        quote!(#[ignore = #reason])
    });
    let body = match why {
        Some(_) => quote! {
            example.supported()?;
        },
        None => call(surface, op, example),
    };
    // The calls first, the example's data last.
    quote! {
        #[doc = #doc]
        #[tokio::test(start_paused = true)]
        #ignore
        async fn #name() -> Result<(), Failure> {
            let example = Example::parse(EXAMPLE)?;
            #body
            const EXAMPLE: &str = #script;
            Ok(())
        }
    }
}

/// The values, the call and the check of one replayed example.
fn call(surface: &Surface, op: &Operation, example: &Example) -> TokenStream {
    let module = ident(&surface.module);
    let client = ident(&surface.client);
    let given = |wire: &str| {
        example
            .parameters
            .iter()
            .find(|(w, _)| w == wire)
            .map(|(_, v)| v)
    };

    let mut lets = Vec::new();
    let mut args = Vec::new();
    for (i, p) in op.params.iter().filter(|p| p.required).enumerate() {
        args.push(required_arg(p, given(&p.wire_name), i, &mut lets));
    }
    if let Some(body) = &op.body {
        // A text or binary body is the example's text.
        let (t, lent, optional) = match super::client::body_kind(&body.media_type) {
            super::client::BodyKind::Json => {
                let optional = match &body.ty {
                    TypeRef::Vec(_) => quote!(body.as_deref()),
                    _ => quote!(body.as_ref()),
                };
                (type_tokens(&body.ty), quote!(&body), optional)
            }
            super::client::BodyKind::Text => {
                (quote!(String), quote!(&body), quote!(body.as_deref()))
            }
            super::client::BodyKind::Binary => (
                quote!(String),
                quote!(body.as_bytes()),
                quote!(body.as_deref().map(str::as_bytes)),
            ),
        };
        if body.required {
            lets.push(quote!(let body: #t = example.body()?;));
            args.push(lent);
        } else {
            lets.push(quote!(let body: Option<#t> = example.opt_body()?;));
            args.push(optional);
        }
    }
    let optional: Vec<TokenStream> = op
        .params
        .iter()
        .filter(|p| !p.required && given(&p.wire_name).is_some())
        .map(|p| {
            let field = ident(&p.rust_name);
            let wire = &p.wire_name;
            let t = type_tokens(&p.ty);
            quote!(options.#field = example.opt::<#t>(#wire)?;)
        })
        .collect();
    let options_ty = ident(&op.options_type);
    // Options structs are `#[non_exhaustive]`: set field by field.
    let options = if optional.is_empty() {
        quote!(None)
    } else {
        quote!({
            let mut options = crate::#module::#options_ty::default();
            #(#optional)*
            Some(options)
        })
    };

    let mut target = quote!(client);
    if let Some(scope) = op.scope.and_then(|i| surface.scopes.get(i)) {
        let method = ident(&scope.method);
        let scope_args = scope.params.iter().map(|p| {
            let wire = p
                .wire_names
                .iter()
                .find(|w| given(w).is_some())
                .or(p.wire_names.first())
                .cloned()
                .unwrap_or_default();
            quote!(example.arg::<String>(#wire)?)
        });
        target = quote!(#target.#method(#(#scope_args),*));
    }
    if !op.group.is_empty() {
        let group = ident(&op.group);
        target = quote!(#target.#group());
    }
    let method = ident(&op.name);
    let invoke = quote!(#target.#method(#(#args,)* #options));
    let exists =
        op.method == crate::ir::Method::Head && op.responses.iter().any(|r| r.status == 404);
    let check = match &op.kind {
        OperationKind::Plain if exists => quote!(replay.check_exists(#invoke.await)?;),
        OperationKind::Plain if answer_media(op) == "binary" => {
            quote!(replay.check_bytes(#invoke.await)?;)
        }
        OperationKind::Plain => quote!(replay.check_plain(#invoke.await)?;),
        OperationKind::Pageable(_) => quote!(replay.check_pages(#invoke, #invoke).await?;),
        OperationKind::LongRunning(_) => quote!(replay.check_poller(#invoke).await?;),
    };
    // The client's own parameters, from the example too; one the
    // operation never sends (a tenant-wide list has no `subscriptionId`)
    // is left empty.
    let client_args = surface.client_params.iter().map(|p| {
        let wire = &p.wire_name;
        let t = type_tokens(&p.ty);
        let used = op.client_params.contains(&p.rust_name);
        match &p.ty {
            TypeRef::Primitive(Primitive::String) if !used => quote!(String::new()),
            _ => quote!(example.arg::<#t>(#wire)?),
        }
    });
    quote! {
        #(#lets)*
        for replay in example.replays() {
            let client = crate::krate::#client::new(replay.endpoint(), #(#client_args,)* replay.credential(), Some(replay.options()))?;
            #check
        }
    }
}

/// A required argument: a literal where the example's value is one of the
/// method's simple types, else decoded from the example into its type.
fn required_arg(
    p: &Param,
    value: Option<&Value>,
    i: usize,
    lets: &mut Vec<TokenStream>,
) -> TokenStream {
    let wire = &p.wire_name;
    match (&p.ty, value) {
        (TypeRef::Primitive(Primitive::String), Some(Value::String(s))) => quote!(#s),
        (TypeRef::Primitive(Primitive::Bool), Some(Value::Bool(b))) => quote!(#b),
        (TypeRef::Primitive(Primitive::I32), Some(Value::Number(n)))
            if n.as_i64().and_then(|v| i32::try_from(v).ok()).is_some() =>
        {
            let v = proc_macro2::Literal::i32_unsuffixed(
                n.as_i64()
                    .and_then(|v| i32::try_from(v).ok())
                    .unwrap_or_default(),
            );
            quote!(#v)
        }
        (TypeRef::Primitive(Primitive::I64), Some(Value::Number(n))) if n.as_i64().is_some() => {
            let v = proc_macro2::Literal::i64_unsuffixed(n.as_i64().unwrap_or_default());
            quote!(#v)
        }
        (
            TypeRef::Primitive(
                Primitive::I32 | Primitive::I64 | Primitive::F32 | Primitive::F64 | Primitive::Bool,
            ),
            _,
        ) => {
            let t = type_tokens(&p.ty);
            quote!(example.arg::<#t>(#wire)?)
        }
        (ty, _) => {
            // Decoded once, before the replays, and lent to each call.
            let name = quote::format_ident!("arg{}", i);
            let t = type_tokens(ty);
            lets.push(quote!(let #name: #t = example.arg(#wire)?;));
            quote!(&#name)
        }
    }
}
