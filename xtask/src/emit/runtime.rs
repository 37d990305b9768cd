//! The runtime's manifest: its source files (the crate `runtime/`, where
//! they are written, compiled and tested), listed once, and what a
//! generated crate re-exports from it. A standalone crate embeds the files
//! as its module `runtime` (so it builds from crates.io alone); our own
//! `generated/` depends on the runtime crate and re-exports it as `runtime`.
//! Generated code names the items `crate::runtime::…` either way.

/// Where a generated crate's runtime comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum RuntimeSource {
    /// The files, copied into `src/runtime/`.
    #[default]
    Embedded,
    /// The runtime crate, as a path dependency.
    Crate {
        /// Its package name (`azureml-mms-runtime`).
        name: String,
        /// Its folder, relative to the generated crate's (`../runtime`).
        path: String,
        version: String,
    },
}

impl RuntimeSource {
    /// The runtime crate of this repository, seen from `generated/`.
    pub fn workspace_crate() -> Self {
        RuntimeSource::Crate {
            name: NAME.to_string(),
            path: "../runtime".to_string(),
            version: VERSION.to_string(),
        }
    }
}

/// The runtime crate's package name and version.
pub const NAME: &str = "azureml-mms-runtime";
pub const VERSION: &str = "0.1.0";

/// `lib.rs`, embedded as the module's `mod.rs`.
pub const ROOT: &str = include_str!("../../../runtime/src/lib.rs");

/// The other source files, by name.
pub const FILES: [(&str, &str); 14] = [
    ("base64.rs", include_str!("../../../runtime/src/base64.rs")),
    ("core.rs", include_str!("../../../runtime/src/core.rs")),
    (
        "credential.rs",
        include_str!("../../../runtime/src/credential.rs"),
    ),
    (
        "datetime.rs",
        include_str!("../../../runtime/src/datetime.rs"),
    ),
    ("error.rs", include_str!("../../../runtime/src/error.rs")),
    ("facts.rs", include_str!("../../../runtime/src/facts.rs")),
    (
        "json_path.rs",
        include_str!("../../../runtime/src/json_path.rs"),
    ),
    ("lro.rs", include_str!("../../../runtime/src/lro.rs")),
    ("macros.rs", include_str!("../../../runtime/src/macros.rs")),
    ("paging.rs", include_str!("../../../runtime/src/paging.rs")),
    ("query.rs", include_str!("../../../runtime/src/query.rs")),
    ("retry.rs", include_str!("../../../runtime/src/retry.rs")),
    ("secret.rs", include_str!("../../../runtime/src/secret.rs")),
    (
        "status_fields.rs",
        include_str!("../../../runtime/src/status_fields.rs"),
    ),
];

/// The items a generated crate re-exports at its root, for its users.
pub const REEXPORTS: [&str; 19] = [
    "Base64",
    "Base64Url",
    "ServiceClientOptions",
    "DateTime",
    "DateTimeRfc1123",
    "ErrorBody",
    "NextLink",
    "OperationStatus",
    "Page",
    "Pager",
    "Poller",
    "Response",
    "RetryPolicyOptions",
    "SecretString",
    "ServiceError",
    "Sleeper",
    "StaticTokenCredential",
    "SurfaceFacts",
    "TokioSleeper",
];

/// The runtime's `#[macro_export]` macros the models call as
/// `crate::name!`: at the crate root when embedded, re-exported there when
/// the runtime is a crate.
pub const MACROS: [&str; 3] = ["setters", "string_enum", "tagged_union"];
