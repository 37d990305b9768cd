//! `cargo xtask lint-specs`: load every definition in a spec folder, resolve
//! every `$ref`, and report per surface what was found.

use std::fmt::Write as _;
use std::path::Path;

use crate::diagnostic::Diagnostics;
use crate::load::{self, Spec};

/// What lint-specs found in one surface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurfaceSummary {
    pub name: String,
    pub file: String,
    pub format: String,
    pub operations: usize,
    pub schemas: usize,
}

impl SurfaceSummary {
    fn of(spec: &Spec) -> Self {
        Self {
            name: spec.name.clone(),
            file: spec.file.clone(),
            format: spec.format.to_string(),
            operations: spec.operation_count(),
            schemas: spec.schema_count(),
        }
    }
}

pub fn lint(dir: &Path) -> Result<Vec<SurfaceSummary>, Diagnostics> {
    Ok(load::load_dir(dir)?
        .iter()
        .map(SurfaceSummary::of)
        .collect())
}

/// The report printed by the command: a table, then the totals.
pub fn report(summaries: &[SurfaceSummary]) -> String {
    let width = |f: fn(&SurfaceSummary) -> usize, title: &str| {
        summaries
            .iter()
            .map(f)
            .chain([title.len()])
            .max()
            .unwrap_or(0)
    };
    let name_w = width(|s| s.name.len(), "surface");
    let file_w = width(|s| s.file.len(), "file");
    let format_w = width(|s| s.format.len(), "format");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:name_w$}  {:file_w$}  {:format_w$}  {:>10}  {:>7}",
        "surface", "file", "format", "operations", "schemas"
    );
    for s in summaries {
        let _ = writeln!(
            out,
            "{:name_w$}  {:file_w$}  {:format_w$}  {:>10}  {:>7}",
            s.name, s.file, s.format, s.operations, s.schemas
        );
    }
    let ops: usize = summaries.iter().map(|s| s.operations).sum();
    let schemas: usize = summaries.iter().map(|s| s.schemas).sum();
    let _ = writeln!(
        out,
        "{} surfaces, {ops} operations, {schemas} schemas",
        summaries.len()
    );
    out
}
