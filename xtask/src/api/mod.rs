//! The generated crate's public API between two generations: the manifest
//! written beside the crate (`manifest`), and what changed since the last
//! one, judged for the wire and for Rust users (`diff`).

pub mod changelog;
pub mod diff;
pub mod manifest;

pub use changelog::CHANGELOG_FILE;
pub use diff::{Bump, Change, ChangeKind, Report, diff};
pub use manifest::{ApiManifest, MANIFEST_FILE, manifest};

/// The manifest as written to disk: pretty JSON ending in a newline.
pub fn to_file_text(manifest: &ApiManifest) -> Result<String, String> {
    serde_json::to_string_pretty(manifest)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| format!("{MANIFEST_FILE}: {e}"))
}

/// A manifest read back; `None` when absent, unreadable or of another
/// format (nothing to compare with, so no report).
pub fn read(text: &str) -> Option<ApiManifest> {
    serde_json::from_str::<ApiManifest>(text)
        .ok()
        .filter(|m| m.format == manifest::FORMAT)
}
