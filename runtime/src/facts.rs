//! What a generated crate knows of its surfaces, as data, so the tools
//! around it (an emulator, benchmarks, CI) read it instead of repeating it.

/// One surface (entry document) of a generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurfaceFacts {
    /// Its Cargo feature (`hosting-account`).
    pub feature: &'static str,
    /// Its module (`hosting_account`).
    pub module: &'static str,
    /// Its document's title.
    pub title: &'static str,
    /// The path template every operation's path starts with, whole
    /// segments only (`/api/subscriptions/{subscriptionId}/…`); empty
    /// when the operations share none.
    pub base_path: &'static str,
    /// The `api-version` query parameter and the value sent, if any.
    pub api_version: Option<(&'static str, &'static str)>,
    /// How its long-running operations are followed, each way once:
    /// `header Operation-Location`, `operation id from x-ms-request-id`,
    /// `azure`; empty when it has none.
    pub long_running: &'static [&'static str],
    /// The next-link members its pages carry (`nextLink`), or `one page`
    /// for lists that never page; empty when nothing is listed.
    pub paging: &'static [&'static str],
    /// How many operations it has.
    pub operations: usize,
}
