//! Long-running operations: azure_core's `Poller` driven by the handle each
//! surface uses (an `Operation-Location` URL, an operation id to look up
//! under `operations/{id}`, or Azure's own rules with their
//! `final-state-via`), yielding the final resource. azure_core has no
//! helper for Azure's polling rules of its own: they are here.

use super::status_fields::{
    PROPERTIES_FIELD, PROVISIONING_STATE_FIELD, RESOURCE_LOCATION_FIELD, STATE_FIELDS,
};
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};

use azure_core::http::headers::{HeaderName, RETRY_AFTER, RETRY_AFTER_MS, X_MS_RETRY_AFTER_MS};
use azure_core::http::poller::{
    PollerContinuation, PollerOptions, PollerResult, PollerState, PollerStatus, StatusMonitor,
    get_retry_after,
};
use azure_core::http::{Context, JsonFormat, Method, RawResponse, Request, StatusCode, Url};
use futures::Stream;
use serde::de::DeserializeOwned;

use super::core::{ClientCore, OperationInfo, Response, decode, request_id};
use super::error::{ErrorBody, config_error};

/// A status document a long-running operation is polled through.
pub trait OperationStatus: DeserializeOwned + Send + 'static {
    /// Where the operation stands.
    fn poller_status(&self) -> PollerStatus;
    /// The resource the operation created or changed, when done.
    fn resource_location(&self) -> Option<&str>;
    /// Why the operation failed, when it did.
    fn failure(&self) -> Option<ErrorBody>;
}

/// Maps the states these services report onto azure_core's. Unknown
/// states count as still running: a new transient state must not end the
/// wait (the caller's deadline bounds it).
pub fn poller_status_of(state: Option<&str>) -> PollerStatus {
    match state.map(str::to_ascii_lowercase).as_deref() {
        Some("succeeded" | "completed" | "done") => PollerStatus::Succeeded,
        Some("failed" | "timedout" | "error") => PollerStatus::Failed,
        Some("cancelled" | "canceled") => PollerStatus::Canceled,
        _ => PollerStatus::InProgress,
    }
}

impl OperationStatus for serde_json::Value {
    fn poller_status(&self) -> PollerStatus {
        poller_status_of(state_of(self))
    }

    fn resource_location(&self) -> Option<&str> {
        self.get(RESOURCE_LOCATION_FIELD)
            .and_then(serde_json::Value::as_str)
    }

    fn failure(&self) -> Option<ErrorBody> {
        let error = self.get("error")?;
        ErrorBody::parse(error.to_string().as_bytes())
    }
}

/// How a surface hands out the operation to poll.
#[derive(Debug, Clone)]
pub enum LroHandle {
    /// The URL in this response header.
    Header(&'static str),
    /// The id in this response header, looked up below `prefix`
    /// (`…/operations/`).
    OperationId { header: &'static str, prefix: Url },
    /// Azure's rules (ARM and Azure data planes): poll
    /// `Azure-AsyncOperation` or `Operation-Location` when the first answer
    /// has one, else `Location`, else (PUT and PATCH) the resource while
    /// its `provisioningState` is not final; then read the result where
    /// `final-state-via` says, or, when the spec does not say, where the
    /// method's default says (see [`FinalState`]).
    Azure(Option<FinalState>),
}

/// Where an Azure long-running operation's result is read once it is done
/// (`x-ms-long-running-operation-options.final-state-via`). Without it:
/// PUT and PATCH read the original URI; POST reads `Location` when it was
/// given, else the status document; DELETE reads nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinalState {
    /// GET the URI the operation was sent to.
    OriginalUri,
    /// GET the first answer's `Location`, or take the last poll's answer
    /// when it was polled there.
    Location,
    /// For a POST, the status document polled is the result.
    AzureAsyncOperation,
    /// As `AzureAsyncOperation`, polled through `Operation-Location`.
    OperationLocation,
}

/// What the poller yields when the operation succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LroResult {
    /// The resource at the status's `resourceLocation`.
    Resource,
    /// The final status document itself.
    Status,
}

/// Marker tying a status type to the result type for azure_core's poller;
/// decoding happens in this module, once.
pub struct Monitor<S, T>(PhantomData<fn() -> (S, T)>);

impl<S, T> StatusMonitor for Monitor<S, T> {
    type Output = T;
    type Format = JsonFormat;
    fn status(&self) -> PollerStatus {
        PollerStatus::InProgress
    }
}

/// A long-running operation. Await it for the final resource; or use it
/// as a `Stream` of status documents to watch progress. Between polls it
/// waits what the service asks (`Retry-After`), else the client's
/// `poll_frequency`, on the client's [`Sleeper`](super::Sleeper), just
/// before the next poll: a stream yields each status as it comes.
#[must_use = "a poller does nothing until awaited or polled"]
pub struct Poller<S, T> {
    inner: azure_core::http::Poller<Monitor<S, T>>,
    operation: &'static str,
    /// How long awaiting may take in all.
    deadline: std::time::Duration,
}

impl<S, T> std::fmt::Debug for Poller<S, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Poller")
            .field("operation", &self.operation)
            .finish_non_exhaustive()
    }
}

impl<S: OperationStatus + Unpin, T: DeserializeOwned + Send + 'static> Stream for Poller<S, T> {
    type Item = azure_core::Result<Response<S>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let operation = self.operation;
        Pin::new(&mut self.inner).poll_next(cx).map(|item| {
            item.map(|result| {
                result.and_then(|response| {
                    let (status, headers, body) = response.deconstruct();
                    let raw = RawResponse::from_bytes(status, headers, body);
                    let value = decode(operation, &raw)?;
                    let (status, headers, _) = raw.deconstruct();
                    Ok(Response::new(status, headers, value))
                })
            })
        })
    }
}

impl<S: OperationStatus, T: DeserializeOwned + Send + 'static> IntoFuture for Poller<S, T> {
    type Output = azure_core::Result<Response<T>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        let operation = self.operation;
        let deadline = self.deadline;
        Box::pin(async move {
            let response = match tokio::time::timeout(deadline, self.inner).await {
                Ok(response) => response?,
                Err(_) => {
                    return Err(azure_core::Error::with_message(
                        azure_core::error::ErrorKind::Other,
                        format!(
                            "{operation}: still running after {} s; stopped waiting (the operation itself may still finish)",
                            deadline.as_secs_f64()
                        ),
                    ));
                }
            };
            let (status, headers, body) = response.deconstruct();
            let raw = RawResponse::from_bytes(status, headers, body);
            let value = decode_result(operation, &raw)?;
            let (status, headers, _) = raw.deconstruct();
            Ok(Response::new(status, headers, value))
        })
    }
}

/// The final answer as the operation's result type. An operation
/// documented without a result (`()`) ignores whatever body comes.
fn decode_result<T: DeserializeOwned + 'static>(
    operation: &str,
    raw: &RawResponse,
) -> azure_core::Result<T> {
    if std::any::TypeId::of::<T>() == std::any::TypeId::of::<()>() {
        return serde_json::from_value(serde_json::Value::Null)
            .map_err(|e| config_error(format!("{operation}: cannot make an empty result: {e}")));
    }
    decode(operation, raw)
}

impl ClientCore {
    /// Starts `initial` and polls it to the end.
    pub fn poller<S, T>(
        &self,
        op: &'static OperationInfo,
        initial: Request,
        handle: LroHandle,
        result: LroResult,
        context: Context<'static>,
    ) -> Poller<S, T>
    where
        S: OperationStatus,
        T: DeserializeOwned + Send + 'static,
    {
        let core = self.clone();
        let options = PollerOptions {
            context,
            frequency: self.poll_frequency,
        };
        // What Azure's rules made of the first answer, for the polls after.
        let plan: Arc<Mutex<Option<AzurePlan>>> = Arc::default();
        // How long to wait before the next poll; azure_core's poller is
        // told zero, so the wait is the client's `Sleeper`'s, not tokio's.
        let waits: Arc<Mutex<std::time::Duration>> = Arc::default();
        let inner = azure_core::http::Poller::new(
            move |state: PollerState, options: PollerOptions<'static>| {
                let core = core.clone();
                let handle = handle.clone();
                let plan = plan.clone();
                let waits = waits.clone();
                let sleeper = core.sleeper.clone();
                let (mut request, initial_state) = match state {
                    PollerState::Initial => (Some(initial.clone()), true),
                    PollerState::More(PollerContinuation::Links { next_link, .. }) => {
                        let mut request = Request::new(next_link, Method::Get);
                        request.insert_header("accept", "application/json");
                        (Some(request), false)
                    }
                    PollerState::More(_) => (None, false),
                };
                Box::pin(async move {
                    // The wait the last answer asked for, on the client's
                    // sleeper (a test's clock), before this poll.
                    if !initial_state {
                        let wait = waits
                            .lock()
                            .map(|mut w| std::mem::take(&mut *w))
                            .unwrap_or_default();
                        if !wait.is_zero() {
                            sleeper.sleep(wait).await;
                        }
                    }
                    let result = async {
                        let Some(request) = request.as_mut() else {
                            return Err(config_error(format!(
                                "{}: unknown poller continuation",
                                op.id
                            )));
                        };
                        if initial_state {
                            let raw = core.send(op, &options.context, request).await?;
                            return match handle {
                                LroHandle::Azure(final_state) => {
                                    azure_start(&core, op, raw, request, final_state, &plan, &options)
                                }
                                _ => start(&core, op, raw, &handle, &options),
                            };
                        }
                        if let LroHandle::Azure(_) = handle {
                            return azure_poll(&core, op, request, &plan, &options).await;
                        }
                        let poll_op = OperationInfo {
                            id: op.id,
                            path: op.path,
                            success: &[200, 201, 202],
                        };
                        let raw = core.send(&poll_op, &options.context, request).await?;
                        let status: S = decode(op.id, &raw)?;
                        let retry_after = wait(&raw, &options);
                        let url = request.url().clone();
                        match status.poller_status() {
                            PollerStatus::Succeeded => {
                                let target = match (result, status.resource_location()) {
                                    (LroResult::Resource, Some(location)) => {
                                        Some(core.follow(op.id, location)?)
                                    }
                                    (LroResult::Resource, None) => {
                                        return Err(config_error(format!(
                                            "{}: the operation succeeded but named no resourceLocation to fetch the result from",
                                            op.id
                                        )));
                                    }
                                    (LroResult::Status, _) => None,
                                };
                                Ok(succeeded(&core, op, raw, target, true, &options))
                            }
                            PollerStatus::Failed | PollerStatus::Canceled => {
                                Err(failure(op, &raw, status.failure(), status.poller_status()))
                            }
                            _ => Ok(PollerResult::InProgress {
                                response: raw.into(),
                                retry_after,
                                continuation: PollerContinuation::Links {
                                    next_link: url,
                                    final_link: None,
                                },
                            }),
                        }
                    }
                    .await;
                    Ok(defer_wait(result?, &waits))
                })
            },
            Some(options),
        );
        Poller {
            inner,
            operation: op.id,
            deadline: self.lro_deadline,
        }
    }
}

/// Why a long-running operation did not succeed, as a [`ServiceError`]
/// (the service's error when the status document carries one).
///
/// [`ServiceError`]: super::error::ServiceError
fn failure(
    op: &OperationInfo,
    raw: &RawResponse,
    body: Option<ErrorBody>,
    state: PollerStatus,
) -> azure_core::Error {
    super::error::ServiceError {
        operation: op.id,
        status: raw.status(),
        request_id: request_id(raw.headers()).map(str::to_string),
        attempts: 1,
        body: Some(body.unwrap_or(ErrorBody {
            code: Some(format!("{state:?}")),
            message: Some("the long-running operation did not succeed".to_string()),
            ..Default::default()
        })),
    }
    .into_error()
}

/// How an Azure long-running operation is followed, decided by its first
/// answer.
#[derive(Debug, Clone)]
struct AzurePlan {
    mode: AzureMode,
    /// The URI the operation was sent to.
    original: Url,
    method: Method,
    /// The first answer's `Location`, as sent: followed only if used.
    location: Option<String>,
    final_state: Option<FinalState>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AzureMode {
    /// A status document (`Azure-AsyncOperation`, `Operation-Location`)
    /// whose `status` says where the operation stands.
    Status,
    /// `Location`: 202 while running, then the result.
    Location,
    /// The resource itself, until its `provisioningState` is final.
    Resource,
}

/// Where the result is read once the operation is done.
enum Final {
    /// A GET of this URL.
    Get(Url),
    /// The last answer polled.
    LastAnswer,
    /// Nothing: the operation has no result (a DELETE's).
    Nothing,
}

/// The state a status document gives: the first of the state members at
/// its top, else a resource's `properties.provisioningState`.
fn state_of(value: &serde_json::Value) -> Option<&str> {
    STATE_FIELDS
        .iter()
        .find_map(|f| value.get(f).and_then(serde_json::Value::as_str))
        .or_else(|| nested_provisioning_state(value))
}

fn nested_provisioning_state(value: &serde_json::Value) -> Option<&str> {
    value
        .get(PROPERTIES_FIELD)?
        .get(PROVISIONING_STATE_FIELD)?
        .as_str()
}

/// A resource's own state: `properties.provisioningState`, or
/// `provisioningState` at its top; nothing else it carries.
fn provisioning_state(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    nested_provisioning_state(&value)
        .or_else(|| value.get(PROVISIONING_STATE_FIELD)?.as_str())
        .map(str::to_string)
}

/// Keeps an in-progress answer's wait for the callback's next call, and
/// tells azure_core's poller not to wait itself.
fn defer_wait<M: StatusMonitor>(
    result: PollerResult<M>,
    waits: &Mutex<std::time::Duration>,
) -> PollerResult<M> {
    match result {
        PollerResult::InProgress {
            response,
            retry_after,
            continuation,
        } => {
            if let Ok(mut wait) = waits.lock() {
                *wait = std::time::Duration::try_from(retry_after).unwrap_or_default();
            }
            PollerResult::InProgress {
                response,
                retry_after: azure_core::time::Duration::ZERO,
                continuation,
            }
        }
        done => done,
    }
}

/// How long to wait before the next poll: the service's `Retry-After`
/// when it gives a positive one, else the client's frequency (a zero or
/// negative one would poll in a tight loop, or fail to sleep at all).
fn wait(raw: &RawResponse, options: &PollerOptions<'static>) -> azure_core::time::Duration {
    let given = get_retry_after(
        raw.headers(),
        &[RETRY_AFTER_MS, X_MS_RETRY_AFTER_MS, RETRY_AFTER],
        options,
    );
    if given.is_positive() {
        given
    } else {
        options.frequency
    }
}

/// The first answer under Azure's rules: poll the status document,
/// `Location` or the resource, or finish at once when the answer is the
/// result.
fn azure_start<S, T>(
    core: &ClientCore,
    op: &'static OperationInfo,
    raw: RawResponse,
    initial: &Request,
    final_state: Option<FinalState>,
    plan: &Mutex<Option<AzurePlan>>,
    options: &PollerOptions<'static>,
) -> azure_core::Result<PollerResult<Monitor<S, T>>> {
    let header = |name: &'static str| {
        super::core::header_str(raw.headers(), &HeaderName::from_static(name))
            .filter(|v| !v.is_empty())
    };
    let status_link = header("azure-asyncoperation").or_else(|| header("operation-location"));
    let location = header("location").map(str::to_string);
    let method = initial.method();
    let put_or_patch = matches!(method, Method::Put | Method::Patch);
    let (mode, next) = if let Some(link) = status_link {
        (AzureMode::Status, core.follow(op.id, link)?)
    } else if let Some(link) = &location {
        (AzureMode::Location, core.follow(op.id, link)?)
    } else {
        let state = provisioning_state(raw.body());
        let progress = state.as_deref().map(|s| poller_status_of(Some(s)));
        match progress {
            Some(failed @ (PollerStatus::Failed | PollerStatus::Canceled)) => {
                return Err(failure(op, &raw, ErrorBody::parse(raw.body()), failed));
            }
            // A PUT or PATCH not done yet: its resource says when it is. A
            // 201 without a state, or a 202 without a link, is not done.
            _ if put_or_patch
                && (matches!(progress, Some(PollerStatus::InProgress))
                    || raw.status() == StatusCode::Accepted
                    || (raw.status() == StatusCode::Created && state.is_none())) =>
            {
                (AzureMode::Resource, initial.url().clone())
            }
            _ if raw.status() == StatusCode::Accepted => {
                return Err(config_error(format!(
                    "{}: the service answered 202 without Azure-AsyncOperation, Operation-Location or Location to poll",
                    op.id
                )));
            }
            // No handle and nothing in progress: this answer is the result.
            _ => {
                let saved = raw.clone();
                return Ok(PollerResult::Succeeded {
                    response: synthetic_status(&raw),
                    target: Box::new(move || Box::pin(async move { Ok(saved.into()) })),
                });
            }
        }
    };
    if let Ok(mut slot) = plan.lock() {
        *slot = Some(AzurePlan {
            mode,
            original: initial.url().clone(),
            method,
            location,
            final_state,
        });
    }
    Ok(PollerResult::InProgress {
        response: synthetic_status(&raw),
        retry_after: wait(&raw, options),
        continuation: PollerContinuation::Links {
            next_link: next,
            final_link: None,
        },
    })
}

/// Where the result of a finished operation is read, as Azure's clients
/// read it: an explicit `final-state-via` first (falling back to the
/// method's default when it names a header that was not sent), then the
/// status document's `resourceLocation`, then the method's default.
fn final_of(
    core: &ClientCore,
    op: &OperationInfo,
    plan: &AzurePlan,
    resource_location: Option<&str>,
) -> azure_core::Result<Final> {
    let follow = |link: &str| core.follow(op.id, link).map(Final::Get);
    match plan.mode {
        AzureMode::Resource => return Ok(Final::LastAnswer),
        AzureMode::Location => {
            return Ok(match plan.final_state {
                Some(FinalState::OriginalUri) => Final::Get(plan.original.clone()),
                _ => Final::LastAnswer,
            });
        }
        AzureMode::Status => {}
    }
    let post = plan.method == Method::Post;
    match (plan.final_state, &plan.location) {
        (Some(FinalState::Location), Some(location)) => return follow(location),
        (Some(FinalState::AzureAsyncOperation | FinalState::OperationLocation), _) if post => {
            return Ok(Final::LastAnswer);
        }
        (Some(FinalState::OriginalUri), _) => return Ok(Final::Get(plan.original.clone())),
        _ => {}
    }
    if let Some(link) = resource_location {
        return follow(link);
    }
    Ok(match (&plan.method, &plan.location) {
        (Method::Put | Method::Patch, _) => Final::Get(plan.original.clone()),
        (Method::Post, Some(location)) => return follow(location),
        (Method::Delete, _) => Final::Nothing,
        _ => Final::LastAnswer,
    })
}

/// One poll under Azure's rules; when done, where the result comes from.
async fn azure_poll<S, T>(
    core: &ClientCore,
    op: &'static OperationInfo,
    request: &mut Request,
    plan: &Mutex<Option<AzurePlan>>,
    options: &PollerOptions<'static>,
) -> azure_core::Result<PollerResult<Monitor<S, T>>> {
    let plan = plan
        .lock()
        .ok()
        .and_then(|p| p.clone())
        .ok_or_else(|| config_error(format!("{}: polled before the first answer", op.id)))?;
    let poll_op = OperationInfo {
        id: op.id,
        path: op.path,
        success: &[200, 201, 202, 204],
    };
    let raw = core.send(&poll_op, &options.context, request).await?;
    let retry_after = wait(&raw, options);
    let mut next = request.url().clone();
    let mut resource_location = None;
    let done = match plan.mode {
        AzureMode::Status => {
            let status: serde_json::Value = decode(op.id, &raw)?;
            let Some(state) = status.get("status").and_then(serde_json::Value::as_str) else {
                return Err(config_error(format!(
                    "{}: the status document has no `status` (x-ms-request-id {})",
                    op.id,
                    request_id(raw.headers()).unwrap_or("none")
                )));
            };
            match poller_status_of(Some(state)) {
                PollerStatus::Succeeded => {
                    resource_location = status.resource_location().map(str::to_string);
                    true
                }
                failed @ (PollerStatus::Failed | PollerStatus::Canceled) => {
                    return Err(failure(op, &raw, status.failure(), failed));
                }
                _ => false,
            }
        }
        AzureMode::Location if raw.status() == StatusCode::Accepted => {
            // A service may move the operation: follow the newest link.
            if let Some(moved) =
                super::core::header_str(raw.headers(), &HeaderName::from_static("location"))
                    .filter(|l| !l.is_empty())
            {
                next = core.follow(op.id, moved)?;
            }
            false
        }
        AzureMode::Location | AzureMode::Resource => {
            match provisioning_state(raw.body()).map(|s| poller_status_of(Some(&s))) {
                None | Some(PollerStatus::Succeeded) => true,
                Some(failed @ (PollerStatus::Failed | PollerStatus::Canceled)) => {
                    return Err(failure(op, &raw, ErrorBody::parse(raw.body()), failed));
                }
                Some(_) => false,
            }
        }
    };
    if !done {
        return Ok(PollerResult::InProgress {
            response: raw.into(),
            retry_after,
            continuation: PollerContinuation::Links {
                next_link: next,
                final_link: None,
            },
        });
    }
    let fin = final_of(core, op, &plan, resource_location.as_deref())?;
    Ok(match fin {
        Final::Get(url) => succeeded(core, op, raw, Some(url), false, options),
        Final::LastAnswer => succeeded(core, op, raw, None, false, options),
        Final::Nothing => {
            let empty =
                RawResponse::from_bytes(StatusCode::NoContent, raw.headers().clone(), Vec::new());
            succeeded(core, op, empty, None, false, options)
        }
    })
}

/// The operation is done: its result is a GET of `target` (the resource,
/// the original URI, `Location`), or, without one, this last answer.
/// `set_version` puts the client's `api-version` on the target (the
/// `resourceLocation`s of the rules-defined handles lack one); Azure's
/// links are used as the service gave them.
fn succeeded<S, T>(
    core: &ClientCore,
    op: &'static OperationInfo,
    raw: RawResponse,
    target: Option<Url>,
    set_version: bool,
    options: &PollerOptions<'static>,
) -> PollerResult<Monitor<S, T>> {
    let core = core.clone();
    let ctx = options.context.clone();
    let saved = raw.clone();
    PollerResult::Succeeded {
        response: raw.into(),
        target: Box::new(move || {
            Box::pin(async move {
                match target {
                    Some(mut url) => {
                        if set_version {
                            core.set_api_version(&mut url);
                        }
                        let mut request = Request::new(url, Method::Get);
                        request.insert_header("accept", "application/json");
                        let get = OperationInfo {
                            id: op.id,
                            path: op.path,
                            success: &[200, 201, 204],
                        };
                        Ok(core.send(&get, &ctx, &mut request).await?.into())
                    }
                    None => Ok(saved.into()),
                }
            })
        }),
    }
}

/// The first answer: find what to poll, or finish at once when the service
/// answered with the result itself.
fn start<S, T>(
    core: &ClientCore,
    op: &'static OperationInfo,
    raw: RawResponse,
    handle: &LroHandle,
    options: &PollerOptions<'static>,
) -> azure_core::Result<PollerResult<Monitor<S, T>>> {
    let header_value = |name: &str| {
        super::core::header_str(raw.headers(), &HeaderName::from(name.to_ascii_lowercase()))
            .map(str::to_string)
    };
    let next = match handle {
        LroHandle::Header(name) => match header_value(name) {
            Some(link) => Some(core.follow(op.id, &link)?),
            None => None,
        },
        LroHandle::OperationId { header, prefix } => match header_value(header) {
            Some(id) if !id.is_empty() => {
                let mut url = prefix.clone();
                let mut path = url.path().to_string();
                for byte in id.bytes() {
                    match byte {
                        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                            path.push(byte as char)
                        }
                        other => path.push_str(&format!("%{other:02X}")),
                    }
                }
                url.set_path(&path);
                Some(url)
            }
            _ => None,
        },
        LroHandle::Azure(_) => None,
    };
    let retry_after = wait(&raw, options);
    match next {
        Some(next_link) => Ok(PollerResult::InProgress {
            response: synthetic_status(&raw),
            retry_after,
            continuation: PollerContinuation::Links {
                next_link,
                final_link: None,
            },
        }),
        // No handle, but a body on a 200/201: the service finished at once.
        None if matches!(raw.status(), StatusCode::Ok | StatusCode::Created)
            && !raw.body().is_empty() =>
        {
            let saved = raw.clone();
            Ok(PollerResult::Succeeded {
                response: synthetic_status(&raw),
                target: Box::new(move || Box::pin(async move { Ok(saved.into()) })),
            })
        }
        None => Err(config_error(format!(
            "{}: the service answered {} without the handle to poll ({})",
            op.id,
            u16::from(raw.status()),
            match handle {
                LroHandle::Header(name) | LroHandle::OperationId { header: name, .. } => name,
                LroHandle::Azure(_) => "Azure-AsyncOperation, Operation-Location or Location",
            }
        ))),
    }
}

/// The first answer often has no status body (202, empty): present an
/// empty status document so the stream of statuses still decodes.
fn synthetic_status<S, T>(raw: &RawResponse) -> azure_core::http::Response<Monitor<S, T>> {
    RawResponse::from_bytes(raw.status(), raw.headers().clone(), b"{}".to_vec()).into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_resource_state_is_its_provisioning_state_only() {
        // A webhook's `status` is a setting, not how its creation stands.
        let webhook = br#"{"properties":{"status":"enabled","provisioningState":"Succeeded"}}"#;
        assert_eq!(
            super::provisioning_state(webhook).as_deref(),
            Some("Succeeded")
        );
        let top = br#"{"status":"Ready","provisioningState":"Creating"}"#;
        assert_eq!(super::provisioning_state(top).as_deref(), Some("Creating"));
        assert_eq!(
            super::provisioning_state(br#"{"properties":{"status":"on"}}"#),
            None
        );
        // A status document says it in `status` first.
        let doc = serde_json::json!({"status": "Running", "properties": {"provisioningState": "Succeeded"}});
        assert_eq!(super::state_of(&doc), Some("Running"));
        let nested = serde_json::json!({"properties": {"provisioningState": "Failed"}});
        assert_eq!(super::state_of(&nested), Some("Failed"));
    }

    use std::sync::Arc;

    use async_trait::async_trait;
    use azure_core::http::headers::Headers;
    use azure_core::http::{AsyncRawResponse, HttpClient};

    use super::super::core::{ServiceClientOptions, SurfaceInfo};
    use super::super::credential::StaticTokenCredential;
    use super::*;

    /// An answer: method, path, status, headers, body.
    type Answer = (
        &'static str,
        &'static str,
        u16,
        Vec<(&'static str, String)>,
        &'static str,
    );

    /// A service that answers each request by its method and path, in the
    /// order given for that pair, and remembers what it was asked.
    #[derive(Debug, Default)]
    struct Script {
        answers: Mutex<Vec<Answer>>,
        asked: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl HttpClient for Script {
        async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
            let method = request.method().to_string();
            let path = request.url().path().to_string();
            if let Ok(mut asked) = self.asked.lock() {
                asked.push(format!("{method} {path}"));
            }
            let found = self.answers.lock().ok().and_then(|mut answers| {
                let i = answers
                    .iter()
                    .position(|(m, p, ..)| *m == method && *p == path)?;
                Some(answers.remove(i))
            });
            let (status, headers, body) = match found {
                Some((_, _, status, headers, body)) => (status, headers, body),
                None => (404, Vec::new(), r#"{"error":{"code":"NotScripted"}}"#),
            };
            let mut h = Headers::new();
            for (name, value) in headers {
                h.insert(name, value);
            }
            Ok(AsyncRawResponse::from_bytes(
                StatusCode::from(status),
                h,
                body.as_bytes().to_vec(),
            ))
        }
    }

    static SURFACE: SurfaceInfo = SurfaceInfo {
        crate_name: "lro-tests",
        name: "lro-tests",
        api_version: Some(("api-version", "2024-01-01")),
        auth_scope: Some("https://example.invalid/.default"),
    };

    static OP: OperationInfo = OperationInfo {
        id: "Things_Op",
        path: "/things/t1",
        success: &[200, 201, 202, 204],
    };

    /// Runs one operation against the scripted answers; its result and
    /// what the client asked for.
    async fn run<T: DeserializeOwned + Send + 'static>(
        method: Method,
        final_state: Option<FinalState>,
        answers: Vec<Answer>,
    ) -> (azure_core::Result<T>, Vec<String>) {
        let script = Arc::new(Script {
            answers: Mutex::new(answers),
            ..Script::default()
        });
        let mut options = ServiceClientOptions::default();
        let transport: Arc<dyn HttpClient> = script.clone();
        options.client_options.transport = Some(azure_core::http::Transport::new(transport));
        let core = match ClientCore::new(
            &SURFACE,
            "https://example.invalid",
            StaticTokenCredential::new("t"),
            Some(options),
        ) {
            Ok(core) => core,
            Err(e) => return (Err(e), Vec::new()),
        };
        let request = match core.request(method, &[super::super::PathPart::Literal("/things/t1")]) {
            Ok(r) => r,
            Err(e) => return (Err(e), Vec::new()),
        };
        let poller: Poller<serde_json::Value, T> = core.poller(
            &OP,
            request,
            LroHandle::Azure(final_state),
            LroResult::Resource,
            Context::new(),
        );
        let result = poller.await.and_then(Response::into_model);
        let asked = script.asked.lock().map(|a| a.clone()).unwrap_or_default();
        (result, asked)
    }

    fn link(path: &str) -> String {
        format!("https://example.invalid{path}")
    }

    #[tokio::test(start_paused = true)]
    async fn a_put_reads_its_resource_even_when_final_state_names_the_monitor() {
        let (result, asked) = run::<serde_json::Value>(
            Method::Put,
            Some(FinalState::AzureAsyncOperation),
            vec![
                (
                    "PUT",
                    "/things/t1",
                    201,
                    vec![("azure-asyncoperation", link("/ops/1"))],
                    "{}",
                ),
                (
                    "GET",
                    "/ops/1",
                    200,
                    vec![],
                    r#"{"status":"Succeeded","id":"/ops/1"}"#,
                ),
                ("GET", "/things/t1", 200, vec![], r#"{"id":"/things/t1"}"#),
            ],
        )
        .await;
        assert_eq!(result.ok(), Some(serde_json::json!({"id": "/things/t1"})));
        assert_eq!(asked, ["PUT /things/t1", "GET /ops/1", "GET /things/t1"]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_post_with_the_monitor_as_final_state_returns_the_status_document() {
        let (result, asked) = run::<serde_json::Value>(
            Method::Post,
            Some(FinalState::AzureAsyncOperation),
            vec![
                (
                    "POST",
                    "/things/t1",
                    202,
                    vec![
                        ("azure-asyncoperation", link("/ops/1")),
                        ("location", link("/results/1")),
                    ],
                    "",
                ),
                ("GET", "/ops/1", 200, vec![], r#"{"status":"InProgress"}"#),
                (
                    "GET",
                    "/ops/1",
                    200,
                    vec![],
                    r#"{"status":"Succeeded","value":7}"#,
                ),
            ],
        )
        .await;
        assert_eq!(
            result.ok(),
            Some(serde_json::json!({"status": "Succeeded", "value": 7}))
        );
        assert_eq!(asked.len(), 3, "{asked:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_delete_reads_nothing_back() {
        let (result, asked) = run::<Option<serde_json::Value>>(
            Method::Delete,
            None,
            vec![
                (
                    "DELETE",
                    "/things/t1",
                    202,
                    vec![
                        ("azure-asyncoperation", link("/ops/1")),
                        ("location", link("/things/t1")),
                    ],
                    "",
                ),
                ("GET", "/ops/1", 200, vec![], r#"{"status":"Succeeded"}"#),
            ],
        )
        .await;
        assert_eq!(result.ok(), Some(None));
        assert_eq!(asked, ["DELETE /things/t1", "GET /ops/1"]);
    }

    #[tokio::test(start_paused = true)]
    async fn odd_retry_afters_neither_panic_nor_spin() {
        let (result, asked) = run::<serde_json::Value>(
            Method::Post,
            None,
            vec![
                (
                    "POST",
                    "/things/t1",
                    202,
                    vec![
                        ("location", link("/results/1")),
                        ("retry-after", "-1".into()),
                    ],
                    "",
                ),
                (
                    "GET",
                    "/results/1",
                    202,
                    vec![("retry-after-ms", "-5".into())],
                    "",
                ),
                (
                    "GET",
                    "/results/1",
                    202,
                    vec![("retry-after", "0".into())],
                    "",
                ),
                ("GET", "/results/1", 200, vec![], r#"{"done":true}"#),
            ],
        )
        .await;
        assert_eq!(result.ok(), Some(serde_json::json!({"done": true})));
        assert_eq!(asked.len(), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn a_status_document_without_status_is_an_error() {
        let (result, _) = run::<serde_json::Value>(
            Method::Post,
            None,
            vec![
                (
                    "POST",
                    "/things/t1",
                    202,
                    vec![("operation-location", link("/ops/1"))],
                    "",
                ),
                ("GET", "/ops/1", 200, vec![], r#"{"percent":50}"#),
            ],
        )
        .await;
        let text = result.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains("has no `status`"), "{text}");
    }

    #[tokio::test(start_paused = true)]
    async fn location_moves_and_a_failed_state_there_fails() {
        let (result, asked) = run::<serde_json::Value>(
            Method::Post,
            None,
            vec![
                ("POST", "/things/t1", 202, vec![("location", link("/results/1"))], ""),
                ("GET", "/results/1", 202, vec![("location", link("/results/2"))], ""),
                ("GET", "/results/2", 200, vec![], r#"{"properties":{"provisioningState":"Failed"},"error":{"code":"Boom","message":"it broke"}}"#),
            ],
        )
        .await;
        assert_eq!(
            asked,
            ["POST /things/t1", "GET /results/1", "GET /results/2"]
        );
        let error = result.err();
        let service = error.as_ref().and_then(super::super::ServiceError::of);
        assert_eq!(service.and_then(|s| s.code()), Some("Boom"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_put_created_without_a_state_is_polled_until_done() {
        let (result, asked) = run::<serde_json::Value>(
            Method::Put,
            None,
            vec![
                ("PUT", "/things/t1", 201, vec![], r#"{"id":"t1"}"#),
                (
                    "GET",
                    "/things/t1",
                    200,
                    vec![],
                    r#"{"id":"t1","properties":{"provisioningState":"Creating"}}"#,
                ),
                (
                    "GET",
                    "/things/t1",
                    200,
                    vec![],
                    r#"{"id":"t1","properties":{"provisioningState":"Succeeded"}}"#,
                ),
            ],
        )
        .await;
        assert_eq!(
            result.ok(),
            Some(serde_json::json!({"id": "t1", "properties": {"provisioningState": "Succeeded"}}))
        );
        assert_eq!(asked.len(), 3);
    }
}
