//! The Rust names of an operation's companions: its group's type and its
//! options struct.

use std::collections::BTreeMap;

use super::super::rules::SurfaceRules;
use crate::ir::{Operation, Scope};
use crate::naming::type_name;

/// Rust types of the group clients and options structs. A group that hangs
/// off several parents (ARM's `accounts` under a subscription and under a
/// resource group) is one type per parent, prefixed by the parent's name.
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
    for op in operations.iter_mut() {
        let base = type_name(&op.group);
        op.group_type = if op.group.is_empty() {
            String::new()
        } else if parents.get(&op.group).is_some_and(|p| p.len() > 1) {
            let prefix = match op.scope {
                Some(i) => scopes[i].name.trim_end_matches("Scope").to_string(),
                None => client.trim_end_matches("Client").to_string(),
            };
            format!("{prefix}{base}")
        } else {
            base
        };
        let owner = if op.group.is_empty() {
            match op.scope {
                Some(i) => scopes[i].name.trim_end_matches("Scope").to_string(),
                None => client.trim_end_matches("Client").to_string(),
            }
        } else {
            op.group_type.clone()
        };
        op.options_type = format!("{owner}{}Options", type_name(&op.name));
    }
}
