//! Runtime support for the generated clients. It adds to azure_core only
//! what these services need: endpoint and credential checks, typed service
//! errors, secrets, timestamps, pages and long-running operations.
//!
//! Written, compiled and tested here, as the crate `azureml-mms-runtime`,
//! which our own `generated/` crate depends on and re-exports as
//! `runtime`. A crate generated with `--specs` embeds these same files as
//! its module `runtime` (`xtask/src/emit/runtime.rs` lists them), so it
//! builds from crates.io alone. Either way generated code names these items
//! `crate::runtime::…`.

mod base64;
mod core;
mod credential;
mod datetime;
mod error;
mod facts;
mod json_path;
mod lro;
mod macros;
mod paging;
mod query;
mod retry;
mod secret;
mod status_fields;

pub use self::base64::{Base64, Base64Url};
pub use self::core::{
    ClientCore, OperationInfo, PathPart, Response, ServiceClientOptions, SurfaceInfo, decode,
    fill_host, percent_encode_into,
};
pub use credential::StaticTokenCredential;
pub use datetime::{DateTime, DateTimeRfc1123};
pub use error::{ErrorBody, ServiceError};
pub use facts::SurfaceFacts;
pub use lro::{FinalState, LroHandle, LroResult, OperationStatus, Poller, poller_status_of};
pub use paging::{NextLink, Page, Pager};
pub use query::{QueryValue, append_query, append_query_each, set_header};
pub use retry::{RetryPolicyOptions, Sleeper, TokioSleeper};
pub use secret::SecretString;

pub use macros::{decode_variant, serialize_tagged};

/// The items again under the path the macros (and generated code) use,
/// `…::runtime::…`: so one source serves as a crate, where `$crate` is this
/// crate, and as an embedded module, where it is the generated crate.
#[doc(hidden)]
// Embedded, this is `runtime::runtime`: the same module again, on purpose.
#[allow(clippy::module_inception)]
pub mod runtime {
    pub use super::*;
}
