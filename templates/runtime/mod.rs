//! Runtime support for the generated clients: hand-written, copied verbatim
//! by `cargo xtask codegen` from `templates/runtime/`. It adds to azure_core
//! only what these services need: endpoint and credential checks, typed
//! service errors, secrets, timestamps, pages and long-running operations.

mod base64;
mod core;
mod credential;
mod datetime;
mod error;
mod json_path;
mod lro;
mod macros;
mod paging;
mod query;
mod retry;
mod secret;

pub use self::base64::{Base64, Base64Url};
pub use self::core::{
    ClientCore, ClientOptions, OperationInfo, PathPart, Response, SurfaceInfo, decode, fill_host,
};
pub use credential::StaticTokenCredential;
pub use datetime::{DateTime, DateTimeRfc1123};
pub use error::{ErrorBody, ServiceError};
pub use lro::{FinalState, LroHandle, LroResult, OperationStatus, Poller, poller_status_of};
pub use paging::{NextLink, Page, Pager};
pub use query::{QueryValue, append_query, append_query_each, set_header};
pub use retry::{RetryOptions, Sleeper, TokioSleeper};
pub use secret::SecretString;

pub use macros::{decode_variant, serialize_tagged};
