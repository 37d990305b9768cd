//! The Rust names of an operation's companions: its group's type and its
//! options struct.

use std::collections::BTreeMap;

use super::super::rules::SurfaceRules;
use crate::ir::{Operation, Scope};
use crate::naming::type_name;

/// Rust types of the group clients and options structs. A group client is
/// named for its group and ends in `Client` (`ModelsClient`), as every
/// client type of the Azure SDK for Rust does, so it cannot be taken for
/// the `models` module or a model. A group that hangs off several parents
/// (ARM's `accounts` under a subscription and under a resource group) is
/// one type per parent, prefixed by the parent's name. Options structs
/// are named for the group and the method (`ModelsListOptions`).
pub(super) fn name_group_types(
    operations: &mut [Operation],
    scopes: &[Scope],
    rules: &SurfaceRules,
) {
    let mut parents: BTreeMap<String, Vec<Option<usize>>> = BTreeMap::new();
    for op in operations.iter() {
        let p = parents.entry(op.group.clone()).or_default();
        if !p.contains(&op.scope) {
            p.push(op.scope);
        }
    }
    let client = rules
        .surface
        .client
        .clone()
        .unwrap_or_else(|| "Client".to_string());
    let parent_stem = |scope: Option<usize>| match scope {
        Some(i) => scopes[i].name.trim_end_matches("Scope").to_string(),
        None => client.trim_end_matches("Client").to_string(),
    };
    for op in operations.iter_mut() {
        let base = type_name(&op.group);
        // The group as the options structs' prefix (`Models`,
        // `ResourceGroupAccounts`), the parent's for no group.
        let stem = if op.group.is_empty() {
            parent_stem(op.scope)
        } else if parents.get(&op.group).is_some_and(|p| p.len() > 1) {
            format!("{}{base}", parent_stem(op.scope))
        } else {
            base
        };
        op.group_type = if op.group.is_empty() {
            String::new()
        } else {
            format!("{stem}Client")
        };
        op.options_type = format!("{stem}{}Options", type_name(&op.name));
    }
}
