//! The crate's frame: `Cargo.toml` and `README.md` from `templates/`, and
//! `lib.rs` (crate docs, modules, re-exports).

use proc_macro2::TokenStream;
use quote::quote;

use super::RuntimeSource;
use super::rust::{ident, inner_doc_raw};
use crate::ir::{Api, LroHandle, OperationKind, ParamIn, Surface, TypeRef};

const CARGO_TOML: &str = include_str!("../../../templates/Cargo.toml");
const README: &str = include_str!("../../../templates/README.md");

pub fn cargo_toml(api: &Api, runtime: &RuntimeSource) -> String {
    let defaults = api
        .surfaces
        .iter()
        .map(|s| format!("\"{}\"", s.feature))
        .collect::<Vec<_>>()
        .join(", ");
    let features = api
        .surfaces
        .iter()
        .map(|s| format!("{} = []", s.feature))
        .collect::<Vec<_>>()
        .join("\n");
    let runtime_dependency = match runtime {
        RuntimeSource::Embedded => String::new(),
        RuntimeSource::Crate {
            name,
            path,
            version,
        } => format!("{name} = {{ path = \"{path}\", version = \"{version}\" }}\n"),
    };
    CARGO_TOML
        .replace("{{runtime_dependency}}\n", &runtime_dependency)
        .replace("{{crate_name}}", &api.crate_name)
        .replace("{{description}}", &toml_text(&description(api)))
        .replace("{{default_features}}", &defaults)
        .replace("{{features}}", &features)
}

/// One surface's entry in `SURFACES`.
fn surface_facts(s: &Surface) -> TokenStream {
    let (feature, module, title, base_path) = (&s.feature, &s.module, &s.title, &s.base_path);
    let api_version = match &s.api_version {
        Some(v) => {
            let (p, val) = (&v.param, &v.value);
            quote!(Some((#p, #val)))
        }
        None => quote!(None),
    };
    let mut long_running: Vec<String> = Vec::new();
    let mut paging: Vec<String> = Vec::new();
    for op in &s.operations {
        let (list, item) = match &op.kind {
            OperationKind::Plain => continue,
            OperationKind::Pageable(p) => (
                &mut paging,
                p.next_link_field
                    .clone()
                    .unwrap_or_else(|| "one page".into()),
            ),
            OperationKind::LongRunning(l) => (
                &mut long_running,
                match &l.handle {
                    LroHandle::Header(h) => format!("header {h}"),
                    LroHandle::OperationId { header, .. } => format!("operation id from {header}"),
                    LroHandle::Azure(_) => "azure".to_string(),
                },
            ),
        };
        if !list.contains(&item) {
            list.push(item);
        }
    }
    long_running.sort();
    paging.sort();
    let operations = proc_macro2::Literal::usize_unsuffixed(s.operations.len());
    quote! {
        SurfaceFacts {
            feature: #feature,
            module: #module,
            title: #title,
            base_path: #base_path,
            api_version: #api_version,
            long_running: &[#(#long_running),*],
            paging: &[#(#paging),*],
            operations: #operations,
        }
    }
}

/// Text inside a TOML basic string: one line, escaped.
fn toml_text(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '"' => "\\\"".to_string(),
            '\\' => "\\\\".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// One sentence saying what the crate is a client of.
fn description(api: &Api) -> String {
    if api.facade.is_some() {
        return "A typed async Rust client for the Azure Machine Learning Model Management REST API, all legacy variants".to_string();
    }
    let mut titles: Vec<&str> = Vec::new();
    for s in &api.surfaces {
        if !titles.contains(&s.title.as_str()) {
            titles.push(s.title.as_str());
        }
    }
    format!("A typed async Rust client for {}", titles.join(", "))
}

pub fn readme(api: &Api) -> String {
    let rows = api
        .surfaces
        .iter()
        .map(|s| {
            format!(
                "| `{}` | `{}` | `{}` | {} | {} |",
                s.feature,
                s.module,
                s.client,
                s.api_version
                    .as_ref()
                    .map_or("in the path".to_string(), |v| format!("`{}`", v.value)),
                s.operations.len()
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    README
        .replace("{{crate_name}}", &api.crate_name)
        .replace("{{description}}", &description(api))
        .replace("{{surfaces}}", &rows)
        .replace("{{example}}", &example(api, false))
}

/// The call the front page shows: a list to stream, else a plain GET,
/// whose required arguments are all text (so placeholders or an example's
/// values fill them); on the surface client or its first scope.
fn front_page_call(s: &Surface) -> (Option<usize>, Option<&crate::ir::Operation>) {
    let scope_index = (!s.scopes.is_empty()).then_some(0);
    let simple = |op: &&crate::ir::Operation| {
        op.scope == scope_index
            && op.body.is_none()
            && op.params.iter().all(|p| {
                !p.required
                    || (matches!(p.location, ParamIn::Path | ParamIn::Query)
                        && p.ty == TypeRef::Primitive(crate::ir::Primitive::String))
            })
    };
    let pick = s
        .operations
        .iter()
        .filter(simple)
        .find(|op| matches!(op.kind, OperationKind::Pageable(_)))
        .or_else(|| {
            s.operations.iter().filter(simple).find(|op| {
                matches!(op.kind, OperationKind::Plain) && op.method == crate::ir::Method::Get
            })
        });
    (scope_index, pick)
}

/// A short program using the first surface: construct the client, reach a
/// scope, stream a list or call a GET, with an example's values where the
/// operation has one.
fn example(api: &Api, doctest: bool) -> String {
    let krate = api.crate_name.replace('-', "_");
    let Some(s) = api.surfaces.first() else {
        return format!("// {krate} has no surfaces");
    };
    let hide = if doctest { "# " } else { "" };
    let (target_scope, op) = front_page_call(s);
    // Values from the operation's first example where it has one.
    let example = op.and_then(|op| op.examples.first());
    let value_of = |wire: &str, fallback: &str| -> String {
        let given = example
            .and_then(|e| e.parameters.iter().find(|(w, _)| w == wire))
            .and_then(|(_, v)| v.as_str());
        let text = given.map_or_else(|| format!("<{fallback}>"), str::to_string);
        format!("{text:?}")
    };
    let endpoint = example
        .map(|e| e.endpoint.clone())
        .or_else(|| s.default_endpoint.clone())
        .unwrap_or_else(|| "https://example.invalid".to_string());
    let mut lines = Vec::new();
    lines.push(format!(
        "{hide}async fn example() -> azure_core::Result<()> {{"
    ));
    lines.push(format!(
        "use {krate}::{{{}, StaticTokenCredential}};",
        s.client
    ));
    lines.push(String::new());
    lines.push(
        "// Any azure_identity credential works too, e.g. DeveloperToolsCredential::new(None)?."
            .to_string(),
    );
    let client_args: String = s
        .client_params
        .iter()
        .map(|p| format!("{}, ", value_of(&p.wire_name, &p.rust_name)))
        .collect();
    lines.push(format!(
        "let client = {}::new({endpoint:?}, {client_args}StaticTokenCredential::new(\"<token>\"), None)?;",
        s.client
    ));
    let target = match target_scope.and_then(|i| s.scopes.get(i)) {
        Some(scope) => {
            let args = scope
                .params
                .iter()
                .map(|p| value_of(p.wire_names.first().map_or("", String::as_str), &p.name))
                .collect::<Vec<_>>()
                .join(", ");
            lines.push(format!("let scope = client.{}({args});", scope.method));
            "scope"
        }
        None => "client",
    };
    if let Some(op) = op {
        let mut args: String = op
            .params
            .iter()
            .filter(|p| p.required)
            .map(|p| format!("{}, ", value_of(&p.wire_name, &p.rust_name)))
            .collect();
        args.push_str("None");
        let call = if op.group.is_empty() {
            format!("{target}.{}({args})", op.name)
        } else {
            format!("{target}.{}().{}({args})", op.group, op.name)
        };
        if matches!(op.kind, OperationKind::Pageable(_)) {
            lines.push("use futures::TryStreamExt as _;".to_string());
            lines.push(format!("let mut items = {call}?;"));
            lines.push("while let Some(item) = items.try_next().await? {".to_string());
            lines.push("    println!(\"{item:?}\");".to_string());
            lines.push("}".to_string());
        } else {
            lines.push(format!("let response = {call}.await?;"));
            lines.push("println!(\"{:?}\", response.into_model()?);".to_string());
        }
    }
    lines.push(format!("{hide}Ok(())"));
    lines.push(format!("{hide}}}"));
    lines.join("\n")
}

pub fn lib_rs(api: &Api, runtime: &RuntimeSource) -> TokenStream {
    let surfaces = api.surfaces.iter().map(|s: &Surface| {
        let feature = &s.feature;
        let module = ident(&s.module);
        let doc = format!(" {} (`{}` feature).", s.title, s.feature);
        quote! {
            #[doc = #doc]
            #[cfg(feature = #feature)]
            #[rustfmt::skip]
            pub mod #module;
        }
    });
    let mut docs = format!(
        "{} (`{}`),\ngenerated by `cargo xtask codegen`.\n\n\
         The clients, at the crate root, and the Cargo features (all on by default)\n\
         whose operations each one has:\n\n",
        description(api),
        api.crate_name
    );
    for (client, members) in api.clients() {
        let features: Vec<String> = members.iter().map(|s| format!("`{}`", s.feature)).collect();
        let title = members.first().map_or("", |s| s.title.as_str());
        // Not `[`X`]: …`, which Markdown reads as a link definition.
        docs.push_str(&format!(
            "- [`{client}`] ({}): {title}\n",
            features.join(", ")
        ));
    }
    docs.push_str(
        "\nEach entry document of the specs is a module (its models and its options\n\
         structs) and a Cargo feature of the same name.\n",
    );
    docs.push_str(
        "\nRequests go through `azure_core`'s pipeline (its transport and policies), with\n\
         this crate's own retry policy in place of azure_core's: POST and PATCH are not\n\
         retried unless `RetryPolicyOptions::retry_non_idempotent` says so. Authentication is\n\
         any `azure_core::credentials::TokenCredential`.\n\n",
    );
    let first_feature = api
        .surfaces
        .first()
        .map(|s| s.feature.clone())
        .unwrap_or_default();
    docs.push_str(&format!(
        "```no_run\n# #[cfg(feature = \"{first_feature}\")]\n{}\n```\n",
        example(api, true)
    ));
    let docs = inner_doc_raw(&docs);
    let facade = api.facade.as_ref().map(|_| {
        quote! {
            #[rustfmt::skip]
            pub mod facade;
        }
    });
    let clients_module = (!api.shared_clients.is_empty()).then(|| {
        quote! {
            #[rustfmt::skip]
            pub mod clients;
        }
    });
    let reexports = api.shared_clients.iter().map(|c| {
        let name = ident(&c.name);
        let gate = super::clients::features_cfg(api, &c.members);
        quote! {
            #gate
            pub use clients::#name;
        }
    });
    let own_reexports = api
        .surfaces
        .iter()
        .filter(|s| s.shared_client.is_none())
        .map(|s| {
            let feature = &s.feature;
            let module = ident(&s.module);
            let name = ident(&s.client);
            quote! {
                #[cfg(feature = #feature)]
                pub use #module::#name;
            }
        });
    let runtime_module = match runtime {
        RuntimeSource::Embedded => quote! {
            #[doc(hidden)]
            pub mod runtime;
        },
        RuntimeSource::Crate { name, .. } => {
            let krate = ident(&name.replace('-', "_"));
            let macros = super::runtime::MACROS.iter().map(|m| ident(m));
            quote! {
                #[doc(hidden)]
                pub use #krate as runtime;
                #[doc(hidden)]
                pub use #krate::{#(#macros),*};
            }
        }
    };
    let reexports_of_runtime = super::runtime::REEXPORTS.iter().map(|r| ident(r));
    let facts = api.surfaces.iter().map(surface_facts);
    quote! {
        #docs
        #![forbid(unsafe_code)]

        #runtime_module

        // Generated code is formatted by prettyplease, not rustfmt.
        #[rustfmt::skip]
        pub mod models;

        #facade

        #clients_module

        #(#surfaces)*

        #(#reexports)*
        #(#own_reexports)*

        #[rustfmt::skip]
        pub use runtime::{#(#reexports_of_runtime),*};

        /// Every surface of the crate, as data (whatever features are on):
        /// for tools that drive it, which read this instead of repeating it.
        pub const SURFACES: &[SurfaceFacts] = &[#(#facts),*];
        pub use azure_core;
    }
}
