//! Cycle breaking: a struct that contains itself by value, directly or
//! through other types, has the field that closes the loop boxed.

use std::collections::BTreeMap;

use super::COMMON_MODULE;
use crate::ir::{Api, TypeDef, TypeKind, TypeRef};

/// Boxes every field whose type leads back to its own struct by value
/// (through fields, union variants or aliases; `Vec` and maps are already
/// on the heap).
pub(super) fn mark_boxed(api: &mut Api) {
    // Graph over named types: module::name → by-value successors.
    let key = |module: &str, name: &str| format!("{module}::{name}");
    let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut all_defs: Vec<(String, &TypeDef)> = Vec::new();
    for def in &api.common_types {
        all_defs.push((COMMON_MODULE.to_string(), def));
    }
    for s in &api.surfaces {
        for def in &s.types {
            all_defs.push((s.models_module.clone(), def));
        }
    }
    for (module, def) in &all_defs {
        let succ = edges.entry(key(module, &def.name)).or_default();
        let mut push = |t: &TypeRef| {
            if let TypeRef::Named { module, name } = t {
                succ.push(key(module, name));
            }
        };
        match &def.kind {
            TypeKind::Struct(s) => s.fields.iter().for_each(|f| push(&f.ty)),
            TypeKind::Union(u) => u.variants.iter().for_each(|v| push(&v.ty)),
            TypeKind::Alias(t) => push(t),
            TypeKind::Enum(_) => {}
        }
    }
    let component = strongly_connected(&edges);
    let same = |a: &str, b: &str| {
        a == b || (component.contains_key(a) && component.get(a) == component.get(b))
    };
    let fix = |module: &str, defs: &mut Vec<TypeDef>| {
        for def in defs.iter_mut() {
            let me = key(module, &def.name);
            if let TypeKind::Struct(s) = &mut def.kind {
                for f in &mut s.fields {
                    if let TypeRef::Named { module, name } = &f.ty {
                        let target = key(module, name);
                        // A self-loop or a cycle through other types.
                        let cyclic = (target == me
                            && edges.get(&me).is_some_and(|e| e.contains(&me)))
                            || (target != me && same(&target, &me));
                        f.boxed = cyclic;
                    }
                }
            }
        }
    };
    fix(COMMON_MODULE, &mut api.common_types);
    for s in &mut api.surfaces {
        let module = s.models_module.clone();
        fix(&module, &mut s.types);
    }
}

/// Tarjan's algorithm, iterative (specs may nest deeply): node → component.
fn strongly_connected(edges: &BTreeMap<String, Vec<String>>) -> BTreeMap<String, usize> {
    let nodes: Vec<&String> = edges.keys().collect();
    let index_of: BTreeMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let succ: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            edges[*n]
                .iter()
                .filter_map(|m| index_of.get(m.as_str()).copied())
                .collect()
        })
        .collect();
    let n = nodes.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut comp = vec![usize::MAX; n];
    let mut next_index = 0;
    let mut next_comp = 0;
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(start, 0)];
        while let Some((v, i)) = work.pop() {
            if i == 0 {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = succ[v].get(i) {
                work.push((v, i + 1));
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp[w] = next_comp;
                        if w == v {
                            break;
                        }
                    }
                    next_comp += 1;
                }
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
            }
        }
    }
    nodes
        .into_iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), comp[i]))
        .collect()
}
