//! One client per `info.title`: entry documents that share a title (Key
//! Vault's eight files, Storage's five, Service Bus's fifteen) are one
//! client with all their operation groups, as AutoRest treats the files of
//! one tag. Each entry document stays a module (its models, its options
//! structs) and a Cargo feature; the client and its groups move to the
//! crate's `clients` module, and every name two members would both define
//! there is made distinct here, so the emitters never meet a collision.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Location};
use crate::ir::{Api, Param, SharedClient, SharedGroup, TypeRef};
use crate::naming::{Namespace, type_name};

/// Names every client defines itself: its constructors and accessors.
const CLIENT_METHODS: [&str; 3] = ["new", "with_host", "endpoint"];

/// Merges the surfaces of each shared title into one client, where they
/// agree on how a client is built; `eligible[i]` says whether surface `i`
/// may be merged (its rules name no client of its own and it has no
/// scopes). Then gives every client of the crate a distinct name.
pub(super) fn share_clients(api: &mut Api, eligible: &[bool], warnings: &mut Vec<Diagnostic>) {
    let mut by_title: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, surface) in api.surfaces.iter().enumerate() {
        let title = surface.title.trim();
        if eligible.get(i).copied().unwrap_or(false) && title_client(title).is_some() {
            by_title.entry(title.to_string()).or_default().push(i);
        }
    }
    let mut groups: Vec<(String, Vec<usize>)> = by_title
        .into_iter()
        .filter(|(_, members)| members.len() > 1)
        .collect();
    // In the order of the surfaces, not of the titles.
    groups.sort_by_key(|(_, members)| members.first().copied());
    for (title, members) in groups {
        if let Err(why) = compatible(api, &members) {
            let files: Vec<&str> = members
                .iter()
                .filter_map(|&i| api.surfaces.get(i).map(|s| s.source.file.as_str()))
                .collect();
            warnings.push(Diagnostic::new(
                Location::new(files.first().copied().unwrap_or_default(), "/info/title"),
                format!(
                    "{} entry documents share the title `{title}` but {why}: each keeps a client of its own ({})",
                    members.len(),
                    files.join(", ")
                ),
            ));
            continue;
        }
        let Some(name) = title_client(&title) else {
            continue;
        };
        let index = api.shared_clients.len();
        let params = union_params(api, &members);
        let first = &api.surfaces[members[0]];
        api.shared_clients.push(SharedClient {
            name: name.clone(),
            // Named with the other types of `clients`.
            inner: String::new(),
            module: String::new(),
            info_static: String::new(),
            title: first.title.clone(),
            doc: first.doc.clone(),
            members: members.clone(),
            groups: Vec::new(),
        });
        for &i in &members {
            let surface = &mut api.surfaces[i];
            surface.client = name.clone();
            surface.client_params = params.clone();
            surface.shared_client = Some(index);
        }
    }
    distinct_client_names(api);
    name_shared_groups(api);
}

/// The client type a title names (`KeyVaultClient`, `Azure Digital Twins
/// API` → `AzureDigitalTwinsApiClient`), if it names one.
pub(super) fn title_client(title: &str) -> Option<String> {
    let base = type_name(title.trim());
    if base.is_empty() || !base.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    Some(if base.ends_with("Client") {
        base
    } else {
        format!("{base}Client")
    })
}

/// Why the members cannot be one client, if they cannot: one constructor
/// must build a client right for every member's operations.
fn compatible(api: &Api, members: &[usize]) -> Result<(), String> {
    let surfaces: Vec<&crate::ir::Surface> = members
        .iter()
        .filter_map(|&i| api.surfaces.get(i))
        .collect();
    let Some(first) = surfaces.first() else {
        return Err("none of them is a surface".into());
    };
    for s in &surfaces[1..] {
        let version = |s: &crate::ir::Surface| {
            s.api_version
                .as_ref()
                .map(|v| format!("{}={}", v.param, v.value))
        };
        if version(s) != version(first) {
            return Err(format!(
                "`{}` and `{}` send different api-versions ({} and {})",
                first.feature,
                s.feature,
                version(first).unwrap_or_else(|| "none".into()),
                version(s).unwrap_or_else(|| "none".into())
            ));
        }
        if s.default_endpoint != first.default_endpoint {
            return Err(format!(
                "`{}` and `{}` name different endpoints",
                first.feature, s.feature
            ));
        }
        if s.auth_scope != first.auth_scope {
            return Err(format!(
                "`{}` and `{}` ask for different OAuth scopes",
                first.feature, s.feature
            ));
        }
        let host = |s: &crate::ir::Surface| {
            s.host.as_ref().map(|h| {
                (
                    h.template.clone(),
                    h.params
                        .iter()
                        .map(|p| (p.wire_name.clone(), p.rust_name.clone()))
                        .collect::<Vec<_>>(),
                )
            })
        };
        if host(s) != host(first) {
            return Err(format!(
                "`{}` and `{}` have different host templates",
                first.feature, s.feature
            ));
        }
    }
    // A client-level parameter is one constructor argument: the same wire
    // name and type wherever it is declared, and a type every member can
    // name (a primitive or a shared model, not one member's own enum).
    let mut seen: BTreeMap<&str, &Param> = BTreeMap::new();
    for s in &surfaces {
        for p in &s.client_params {
            if let TypeRef::Named { module, .. } = &p.ty
                && module != super::COMMON_MODULE
            {
                return Err(format!(
                    "the client-level parameter `{}` of `{}` has a type of that document's own",
                    p.wire_name, s.feature
                ));
            }
            match seen.get(p.rust_name.as_str()) {
                Some(other) if other.wire_name != p.wire_name || other.ty != p.ty => {
                    return Err(format!(
                        "their client-level parameters `{}` differ (`{}` of `{}`)",
                        p.rust_name, p.wire_name, s.feature
                    ));
                }
                _ => {
                    seen.insert(p.rust_name.as_str(), p);
                }
            }
        }
    }
    Ok(())
}

/// Every member's client-level parameters, each once, in the order they
/// first appear.
fn union_params(api: &Api, members: &[usize]) -> Vec<Param> {
    let mut out: Vec<Param> = Vec::new();
    for &i in members {
        for p in api.surfaces.get(i).map_or(&[][..], |s| &s.client_params) {
            if !out.iter().any(|q| q.rust_name == p.rust_name) {
                out.push(p.clone());
            }
        }
    }
    out
}

/// Client types are re-exported at the crate root: no two may share a
/// name. Shared clients keep theirs; a surface's own client whose name is
/// taken falls back to its module's name (`SecretsClient`), then a number.
fn distinct_client_names(api: &mut Api) {
    let mut names = Namespace::new();
    for shared in &api.shared_clients {
        names.reserve(&shared.name);
        names.reserve(&format!("{}Inner", shared.name));
    }
    for surface in api
        .surfaces
        .iter_mut()
        .filter(|s| s.shared_client.is_none())
    {
        if names.contains(&surface.client) {
            surface.client = format!("{}Client", type_name(&surface.module));
        }
        surface.client = names.claim(surface.client.clone());
    }
}

/// The groups of each shared client, their types distinct in `clients`,
/// and the methods each member adds distinct within their group (or on
/// the client itself, for operations of no group).
fn name_shared_groups(api: &mut Api) {
    let mut types = Namespace::new();
    for shared in &api.shared_clients {
        types.reserve(&shared.name);
    }
    // Each client's module and static, in `clients`.
    let mut modules = Namespace::new();
    let mut statics = Namespace::new();
    for shared in &mut api.shared_clients {
        shared.inner = types.claim(format!("{}Inner", shared.name));
        shared.module = modules.claim(crate::naming::module_name(&shared.name));
        let shouty = heck::ToShoutySnakeCase::to_shouty_snake_case(shared.name.as_str());
        shared.info_static = statics.claim(format!("{shouty}_INFO"));
    }
    for c in 0..api.shared_clients.len() {
        let members = api.shared_clients[c].members.clone();
        let client_stem = api.shared_clients[c]
            .name
            .trim_end_matches("Client")
            .to_string();
        // Groups in the order their first operation appears.
        let mut groups: Vec<SharedGroup> = Vec::new();
        for &i in &members {
            for op in &api.surfaces[i].operations {
                if op.group.is_empty() {
                    continue;
                }
                match groups.iter_mut().find(|g| g.name == op.group) {
                    Some(g) => {
                        if !g.members.contains(&i) {
                            g.members.push(i);
                        }
                    }
                    None => {
                        let wanted = if types.contains(&op.group_type) {
                            format!("{client_stem}{}", op.group_type)
                        } else {
                            op.group_type.clone()
                        };
                        groups.push(SharedGroup {
                            name: op.group.clone(),
                            ty: types.claim(wanted),
                            members: vec![i],
                        });
                    }
                }
            }
        }
        // The methods of each group, and of the client, one namespace each.
        let mut methods: BTreeMap<String, Namespace> = BTreeMap::new();
        let mut direct = Namespace::new();
        for reserved in CLIENT_METHODS {
            direct.reserve(reserved);
        }
        for g in &groups {
            direct.reserve(&g.name);
        }
        // A method two members both define is qualified by its module in
        // each of them (`get_info_keys`, `get_info_secrets`), so neither
        // reads as the other's; and a name the client reserves, likewise.
        let mut defined_by: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
        for &i in &members {
            for op in &api.surfaces[i].operations {
                let owners = defined_by
                    .entry((op.group.as_str(), op.name.as_str()))
                    .or_default();
                if !owners.contains(&i) {
                    owners.push(i);
                }
            }
        }
        let shared: Vec<(String, String)> = defined_by
            .into_iter()
            .filter(|(_, owners)| owners.len() > 1)
            .map(|((group, name), _)| (group.to_string(), name.to_string()))
            .collect();
        for &i in &members {
            let surface = &mut api.surfaces[i];
            let module = surface.module.clone();
            for op in &mut surface.operations {
                let clashes = shared.iter().any(|(g, n)| *g == op.group && *n == op.name);
                let space = if op.group.is_empty() {
                    &mut direct
                } else {
                    if let Some(g) = groups.iter().find(|g| g.name == op.group) {
                        op.group_type = g.ty.clone();
                    }
                    methods.entry(op.group.clone()).or_default()
                };
                if clashes || space.contains(&op.name) {
                    op.name = crate::naming::value_name(&format!("{} {module}", op.name));
                }
                op.name = space.claim(op.name.clone());
            }
        }
        api.shared_clients[c].groups = groups;
    }
}
