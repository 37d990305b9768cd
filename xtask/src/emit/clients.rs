//! Writes `clients.rs`: the clients several surfaces share (one per
//! `info.title`, see `normalize::clients`) and their operation groups. The
//! member surfaces' modules add the methods (`impl crate::clients::X`), so
//! each operation is still written, and feature-gated, with its surface.
//! A client exists when any of its members' features is on, a group when
//! any of the features of the documents that have it is.

use proc_macro2::TokenStream;
use quote::quote;

use super::client::ClientShape;
use super::rust::{doc, ident, inner_doc};
use crate::ir::{Api, SharedClient};

pub struct ClientsFile<'a> {
    pub api: &'a Api,
}

impl super::RustFile for ClientsFile<'_> {
    fn pieces(&self) -> usize {
        1 + self.api.shared_clients.len()
    }

    fn piece(&self, i: usize) -> TokenStream {
        match i.checked_sub(1) {
            None => inner_doc(
                "The clients several entry documents share (those of one `info.title`), and their operation groups. Each document's module adds its operations to them, under its own Cargo feature.",
            ),
            Some(i) => self
                .api
                .shared_clients
                .get(i)
                .map(|c| shared_client(self.api, c))
                .unwrap_or_default(),
        }
    }
}

fn shared_client(api: &Api, shared: &SharedClient) -> TokenStream {
    let Some(first) = shared.members.first().and_then(|&i| api.surfaces.get(i)) else {
        return TokenStream::new();
    };
    let features = |members: &[usize]| {
        members
            .iter()
            .filter_map(|&i| api.surfaces.get(i))
            .map(|s| format!("`{}`", s.feature))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let inner = ident(&shared.inner);
    let accessors = shared.groups.iter().map(|g| {
        let method = ident(&g.name);
        let gate = features_cfg(api, &g.members);
        let ty = ident(&g.ty);
        let gdoc = doc(Some(&format!(
            "Operations on {} (from {}).",
            g.name.replace('_', " "),
            features(&g.members)
        )));
        quote! {
            #gdoc
            #gate
            pub fn #method(&self) -> #ty {
                #ty { parent: self.inner.clone() }
            }
        }
    });
    let groups = shared.groups.iter().map(|g| {
        let ty = ident(&g.ty);
        let gate = features_cfg(api, &g.members);
        let gdoc = doc(Some(&format!(
            "Operations on {}.",
            g.name.replace('_', " ")
        )));
        quote! {
            #gdoc
            #gate
            #[derive(Clone, Debug)]
            pub struct #ty {
                pub(crate) parent: ::std::sync::Arc<#inner>,
            }
        }
    });
    let items = ClientShape {
        surface: first,
        name: &shared.name,
        inner: &shared.inner,
        info_static: &shared.info_static,
        info_name: &shared.name,
        what: format!(
            "Client of the {}: the operations of {} (a Cargo feature each).",
            shared.title,
            features(&shared.members)
        ),
        shared: true,
    }
    .items(accessors.collect());
    // One module per client, so one attribute gates all its items.
    let module = ident(&shared.module);
    let gate = features_cfg(api, &shared.members);
    quote! {
        #gate
        mod #module {
            #items
            #(#groups)*
        }
        #gate
        pub use #module::*;
    }
}

/// `#[cfg(feature = "keys")]`, or `#[cfg(any(…))]` over several surfaces.
pub fn features_cfg(api: &Api, members: &[usize]) -> TokenStream {
    let features: Vec<&str> = members
        .iter()
        .filter_map(|&i| api.surfaces.get(i))
        .map(|s| s.feature.as_str())
        .collect();
    match features.as_slice() {
        [one] => quote!(#[cfg(feature = #one)]),
        many => quote!(#[cfg(any(#(feature = #many),*))]),
    }
}
