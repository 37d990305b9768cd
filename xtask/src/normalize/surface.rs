//! What a surface is, beyond its operations and types: its client's name,
//! its scopes, the OAuth scope tokens are asked for, and the path all its
//! operations share.

use super::Input;
use super::clients;
use super::rules::SurfaceRules;
use crate::ir::{Operation, Scope, ScopeParam};
use crate::load::Spec;
use crate::naming::type_name;

/// A client's type, from the spec's title (`KeyVaultClient`,
/// `Azure Digital Twins API` → `AzureDigitalTwinsApiClient`) when no other
/// spec of the folder has the same title; else from the surface's own
/// name (`SecretsClient`) until `clients` merges the specs of one title
/// into one client.
pub(super) fn client_name(title: &str, feature: &str, inputs: &[Input<'_>]) -> String {
    let shared = inputs
        .iter()
        .filter(|i| i.spec.document.info.title.trim() == title.trim())
        .count()
        > 1;
    match clients::title_client(title) {
        Some(name) if !shared => name,
        _ => {
            let base = type_name(feature);
            if base.ends_with("Client") {
                base
            } else {
                format!("{base}Client")
            }
        }
    }
}

/// The documented endpoint, when the spec has exactly one server and it is
/// a plain URL (no variables).
pub(super) fn default_endpoint(spec: &Spec) -> Option<String> {
    match spec.document.servers.as_slice() {
        [only]
            if only.variables.as_ref().is_none_or(|v| v.is_empty())
                && only.url.starts_with("http") =>
        {
            Some(only.url.trim_end_matches('/').to_string())
        }
        _ => None,
    }
}

/// The OAuth scope tokens are requested for: the rules', else one the spec
/// declares, else the endpoint's `/.default` when the spec has an OAuth
/// scheme at all.
pub(super) fn auth_scope(
    spec: &Spec,
    rules: &SurfaceRules,
    default_endpoint: Option<&str>,
) -> Option<String> {
    rules
        .surface
        .auth_scope
        .clone()
        .or_else(|| declared_scope(spec))
        .or_else(|| {
            // An OAuth scheme without a resource scope: the endpoint's.
            let endpoint = default_endpoint?;
            let has_oauth = spec.document.components.as_ref().is_some_and(|c| {
                c.security_schemes
                    .values()
                    .any(|s| matches!(s.as_item(), Some(openapiv3::SecurityScheme::OAuth2 { .. })))
            });
            has_oauth.then(|| format!("{}/.default", origin(endpoint)))
        })
}

/// A scope an OAuth scheme declares as a resource URL
/// (`https://ml.azure.com/.default`), as OpenAPI 3 specs from TypeSpec do.
fn declared_scope(spec: &Spec) -> Option<String> {
    let components = spec.document.components.as_ref()?;
    components
        .security_schemes
        .values()
        .find_map(|s| match s.as_item()? {
            openapiv3::SecurityScheme::OAuth2 { flows, .. } => {
                let scopes = [
                    flows.implicit.as_ref().map(|f| &f.scopes),
                    flows.password.as_ref().map(|f| &f.scopes),
                    flows.client_credentials.as_ref().map(|f| &f.scopes),
                    flows.authorization_code.as_ref().map(|f| &f.scopes),
                ];
                scopes
                    .into_iter()
                    .flatten()
                    .flat_map(|m| m.keys())
                    .find(|k| k.starts_with("https://"))
                    .cloned()
            }
            _ => None,
        })
}

fn origin(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => url[..after_scheme + i].to_string(),
        None => url.to_string(),
    }
}

pub(super) fn build_scopes(rules: &SurfaceRules) -> Vec<Scope> {
    rules
        .scopes
        .iter()
        .map(|s| Scope {
            name: s.name.clone(),
            inner: String::new(),
            method: s.method.clone(),
            doc: s.doc.clone(),
            params: s
                .params
                .iter()
                .map(|p| ScopeParam {
                    name: p.name.clone(),
                    wire_names: p.wire.clone(),
                    doc: p.doc.clone(),
                })
                .collect(),
        })
        .collect()
}

/// The path template all `operations` start with, cut at a segment
/// boundary: what the crate's `SURFACES` calls the surface's base path.
pub(super) fn base_path(operations: &[Operation]) -> String {
    let templates: Vec<String> = operations.iter().map(Operation::path_template).collect();
    let Some(first) = templates.first() else {
        return String::new();
    };
    let len = templates.iter().fold(first.len(), |len, t| {
        first
            .char_indices()
            .zip(t.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(len)
    });
    let whole = templates
        .iter()
        .all(|t| t.len() == len || t[len..].starts_with('/'));
    let prefix = &first[..len];
    if whole {
        prefix.to_string()
    } else {
        prefix[..prefix.rfind('/').unwrap_or(0)].to_string()
    }
}
