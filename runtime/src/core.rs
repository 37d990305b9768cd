//! The part of every generated client that is the same for all of them:
//! the pipeline, the endpoint, building requests from canonical values, and
//! turning responses into typed results or typed errors.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use azure_core::http::headers::{Header as _, Headers};
use azure_core::http::policies::Policy;
use azure_core::http::policies::auth::BearerTokenAuthorizationPolicy;
use azure_core::http::{
    Context, Method, Pipeline, PipelineStreamOptions, RawResponse, Request, StatusCode, Url,
};
use futures::StreamExt as _;
use serde::de::DeserializeOwned;

use super::credential::{LoopbackBearerPolicy, is_loopback_host};
use super::error::{ErrorBody, ServiceError, config_error, decode_error};

/// What a generated surface client tells the core about itself.
#[derive(Debug)]
pub struct SurfaceInfo {
    /// The generated crate (`env!("CARGO_PKG_NAME")` where it is written),
    /// for traces: the runtime may be its own crate or a module of it.
    pub crate_name: &'static str,
    /// The surface (`hosting-account`), for messages.
    pub name: &'static str,
    /// The `api-version` query parameter and the value sent by default.
    pub api_version: Option<(&'static str, &'static str)>,
    /// The OAuth scope tokens are requested for.
    pub auth_scope: Option<&'static str>,
}

/// What the core needs to know about one operation.
#[derive(Debug)]
pub struct OperationInfo {
    /// The spec's operationId, for messages.
    pub id: &'static str,
    /// The path template, for traces (never the values).
    pub path: &'static str,
    /// The statuses that mean success.
    pub success: &'static [u16],
}

/// Options for every client of this crate: azure_core's own (transport,
/// policies, logging) plus what these services need.
#[derive(Clone, Debug)]
pub struct ServiceClientOptions {
    /// azure_core's options: transport, per-call and per-try policies,
    /// logging. Its `retry` is not used: see [`ServiceClientOptions::retry`].
    /// Every request carries `x-ms-client-request-id` (the context's
    /// `ClientRequestId`, else a new UUID per call, kept across retries),
    /// whatever policies are added here.
    pub client_options: azure_core::http::ClientOptions,
    /// Retries of idempotent requests (GET, HEAD, PUT, DELETE) on
    /// connection errors, 408, 429, 500, 502, 503 and 504.
    pub retry: super::RetryPolicyOptions,
    /// What waits between retries and between the polls of a long-running
    /// operation (tokio's clock unless a test injects one).
    pub sleeper: Arc<dyn super::Sleeper>,
    /// How long one attempt may wait for a response. Default: 60 seconds.
    pub request_timeout: std::time::Duration,
    /// How long awaiting a long-running operation may take in all.
    /// Default: 30 minutes.
    pub lro_deadline: std::time::Duration,
    /// The largest response body accepted. Default: 64 MiB.
    pub max_response_bytes: usize,
    /// Hosts besides the endpoint's that service links (`nextLink`,
    /// `Operation-Location`, `resourceLocation`) may lead to, as
    /// `https://host[:port]`. The token is sent there too.
    pub allowed_origins: Vec<String>,
    /// The `api-version` to send instead of the surface's default.
    pub api_version: Option<String>,
    /// The OAuth scopes to request tokens for, instead of the surface's.
    pub auth_scopes: Option<Vec<String>>,
    /// How often to poll a long-running operation when the service does
    /// not say (`Retry-After`); at least one second. Default: 5 seconds.
    pub poll_frequency: Option<std::time::Duration>,
}

impl Default for ServiceClientOptions {
    fn default() -> Self {
        Self {
            client_options: Default::default(),
            retry: Default::default(),
            sleeper: Arc::new(super::TokioSleeper),
            request_timeout: std::time::Duration::from_secs(60),
            lro_deadline: std::time::Duration::from_secs(30 * 60),
            max_response_bytes: 64 * 1024 * 1024,
            allowed_origins: Vec::new(),
            api_version: None,
            auth_scopes: None,
            poll_frequency: None,
        }
    }
}

/// One path piece of a request: a literal, or a parameter's value (encoded).
#[derive(Debug, Clone, Copy)]
pub enum PathPart<'a> {
    Literal(&'static str),
    Param(&'static str, &'a str),
    /// A value whose `/` separates segments (`x-ms-skip-url-encoding`).
    Raw(&'static str, &'a str),
}

/// The shared state of a surface client. Cheap to clone.
#[derive(Clone)]
pub struct ClientCore {
    pipeline: Pipeline,
    endpoint: Url,
    api_version: Option<(&'static str, String)>,
    pub(crate) poll_frequency: azure_core::time::Duration,
    pub(crate) lro_deadline: std::time::Duration,
    /// What waits between polls (and retries).
    pub(crate) sleeper: Arc<dyn super::Sleeper>,
    request_timeout: std::time::Duration,
    max_response_bytes: usize,
    allowed_origins: Vec<String>,
    pub(crate) surface: &'static str,
    pub(crate) crate_name: &'static str,
}

impl fmt::Debug for ClientCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCore")
            .field("surface", &self.surface)
            .field("endpoint", &self.endpoint.as_str())
            .field("api_version", &self.api_version)
            .finish_non_exhaustive()
    }
}

impl ClientCore {
    /// Checks the endpoint and builds the pipeline. A bearer token travels
    /// only over HTTPS, or over plain HTTP to a loopback address (the
    /// emulator); any other endpoint is refused here, before any request.
    pub fn new(
        surface: &'static SurfaceInfo,
        endpoint: &str,
        credential: Arc<dyn TokenCredential>,
        options: Option<ServiceClientOptions>,
    ) -> azure_core::Result<Self> {
        let mut options = options.unwrap_or_default();
        let url = Url::parse(endpoint).map_err(|e| {
            config_error(format!(
                "{}: endpoint `{endpoint}` is not a URL: {e}",
                surface.name
            ))
        })?;
        if url.query().is_some() || url.fragment().is_some() || url.cannot_be_a_base() {
            return Err(config_error(format!(
                "{}: endpoint `{endpoint}` must be a base URL without query or fragment",
                surface.name
            )));
        }
        let scopes = match (&options.auth_scopes, surface.auth_scope) {
            (Some(scopes), _) => scopes.clone(),
            (None, Some(scope)) => vec![scope.to_string()],
            (None, None) => {
                return Err(config_error(format!(
                    "{}: no OAuth scope is known for this surface; set ServiceClientOptions::auth_scopes",
                    surface.name
                )));
            }
        };
        let auth: Arc<dyn Policy> = match url.scheme() {
            "https" => Arc::new(BearerTokenAuthorizationPolicy::new(credential, scopes)),
            "http" if is_loopback_host(&url) => {
                Arc::new(LoopbackBearerPolicy::new(credential, scopes))
            }
            _ => {
                return Err(config_error(format!(
                    "{}: refusing endpoint `{endpoint}`: bearer tokens travel only over HTTPS, or plain HTTP to a loopback address",
                    surface.name
                )));
            }
        };
        let poll = options
            .poll_frequency
            .unwrap_or(std::time::Duration::from_secs(5));
        // azure_core's poller refuses (panics on) anything under a second.
        let poll_frequency =
            azure_core::time::Duration::try_from(poll.max(std::time::Duration::from_secs(1)))
                .unwrap_or(azure_core::time::Duration::seconds(5));
        // Our retry replaces azure_core's (which would retry POST too).
        options.client_options.retry = azure_core::http::RetryOptions::none();
        let retry: Arc<dyn Policy> = Arc::new(super::retry::RetryPolicy::new(
            options.retry.clone(),
            options.sleeper.clone(),
        ));
        let per_try: Vec<Arc<dyn Policy>> = vec![
            Arc::new(super::retry::AttemptPolicy {
                timeout: options.request_timeout,
            }),
            auth,
        ];
        let pipeline = Pipeline::new(
            Some(env!("CARGO_PKG_NAME")),
            Some(env!("CARGO_PKG_VERSION")),
            options.client_options,
            vec![retry],
            per_try,
            None,
        );
        let api_version = surface.api_version.map(|(param, default)| {
            (
                param,
                options
                    .api_version
                    .clone()
                    .unwrap_or_else(|| default.to_string()),
            )
        });
        Ok(Self {
            pipeline,
            endpoint: url,
            api_version,
            poll_frequency,
            lro_deadline: options.lro_deadline,
            sleeper: options.sleeper.clone(),
            request_timeout: options.request_timeout,
            max_response_bytes: options.max_response_bytes,
            allowed_origins: options
                .allowed_origins
                .iter()
                .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
                .collect(),
            surface: surface.name,
            crate_name: surface.crate_name,
        })
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// A request for `path` below the endpoint, with `api-version` set.
    /// Parameter values are percent-encoded; an empty value, `.` or `..`
    /// is refused, since it would address a different resource.
    pub fn request(&self, method: Method, path: &[PathPart<'_>]) -> azure_core::Result<Request> {
        let mut request = self.request_unversioned(method, path)?;
        self.set_api_version(request.url_mut());
        Ok(request)
    }

    /// As [`ClientCore::request`], for an operation its spec documents
    /// without `api-version`.
    pub fn request_unversioned(
        &self,
        method: Method,
        path: &[PathPart<'_>],
    ) -> azure_core::Result<Request> {
        let mut url = self.endpoint.clone();
        let mut full = url.path().trim_end_matches('/').to_string();
        // No segment may be empty, `.` or `..`: it would address another
        // resource.
        let bad_segment = |s: &str| s.is_empty() || s == "." || s == "..";
        for part in path {
            let (name, given, keep_slash) = match part {
                PathPart::Literal(text) => {
                    full.push_str(text);
                    continue;
                }
                PathPart::Param(name, value) => (name, *value, false),
                // `/` stays (an ARM scope spans segments).
                PathPart::Raw(name, value) => (name, *value, true),
            };
            let value = if keep_slash {
                given.trim_matches('/')
            } else {
                given
            };
            // A scope of `/` is the root: it adds no segment.
            if keep_slash && value.is_empty() && !given.is_empty() {
                continue;
            }
            let bad = if keep_slash {
                value.split('/').any(bad_segment)
            } else {
                bad_segment(value)
            };
            if bad {
                return Err(config_error(format!(
                    "{}: path parameter `{name}` is `{given}`, which does not name a resource",
                    self.surface
                )));
            }
            encode_segment(value, keep_slash, &mut full);
        }
        // A root scope leaves `//` where it stood.
        while full.contains("//") {
            full = full.replace("//", "/");
        }
        url.set_path(&full);
        let mut request = Request::new(url, method);
        request.insert_header("accept", "application/json");
        Ok(request)
    }

    /// Sets `api-version` on a URL, replacing any value already there.
    pub(crate) fn set_api_version(&self, url: &mut Url) {
        let Some((param, value)) = &self.api_version else {
            return;
        };
        if url.query().is_none() {
            url.query_pairs_mut().append_pair(param, value);
            return;
        }
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != param)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut pairs = url.query_pairs_mut();
        pairs.clear();
        for (k, v) in &kept {
            pairs.append_pair(k, v);
        }
        pairs.append_pair(param, value);
    }

    /// A link the service handed out, resolved against the endpoint but
    /// not yet checked for where it leads (see [`ClientCore::follow`]).
    pub fn resolve(&self, operation: &str, link: &str) -> azure_core::Result<Url> {
        self.endpoint.join(link).map_err(|e| {
            config_error(format!(
                "{operation}: the service's link `{link}` is not a URL: {e}"
            ))
        })
    }

    /// A link the service handed out (`nextLink`, `Operation-Location`,
    /// `resourceLocation`), resolved against the endpoint. Links to another
    /// scheme, host or port are refused: the token must not go there.
    pub fn follow(&self, operation: &str, link: &str) -> azure_core::Result<Url> {
        let url = self.resolve(operation, link)?;
        let same_origin = url.scheme() == self.endpoint.scheme()
            && url.host_str() == self.endpoint.host_str()
            && url.port_or_known_default() == self.endpoint.port_or_known_default();
        let origin = url.origin().ascii_serialization().to_ascii_lowercase();
        let allowed = url.scheme() == "https" && self.allowed_origins.contains(&origin);
        if !same_origin && !allowed {
            return Err(config_error(format!(
                "{operation}: refusing to follow a link to {}://{}: it leaves the endpoint {}://{}",
                url.scheme(),
                url.host_str().unwrap_or_default(),
                self.endpoint.scheme(),
                self.endpoint.host_str().unwrap_or_default()
            )));
        }
        Ok(url)
    }

    /// Sends a request and checks its status against the operation's
    /// success codes; anything else becomes a [`ServiceError`].
    pub async fn send(
        &self,
        op: &OperationInfo,
        ctx: &Context<'_>,
        request: &mut Request,
    ) -> azure_core::Result<RawResponse> {
        let attempts = super::retry::Attempts::default();
        let ctx = ctx
            .clone()
            .with_value(attempts.clone())
            .with_value(super::retry::OperationTag {
                crate_name: self.crate_name,
                id: op.id,
                path: op.path,
            });
        // azure_core's ClientRequestIdPolicy looks the header up with
        // `get_optional_str`, which builds an error (and, under
        // RUST_BACKTRACE, captures a backtrace) whenever it is absent: set
        // it here, as that policy would, so it finds it.
        let client_request_id = azure_core::http::headers::CLIENT_REQUEST_ID;
        if header_str(request.headers(), &client_request_id).is_none() {
            match ctx.value::<azure_core::http::request::options::ClientRequestId>() {
                Some(id) => request.insert_header(client_request_id, id.value()),
                None => {
                    request.insert_header(client_request_id, azure_core::Uuid::new_v4().to_string())
                }
            }
        }
        let options = PipelineStreamOptions {
            skip_checks: true,
            ..Default::default()
        };
        let tried = |e: azure_core::Error| {
            let n = attempts.0.load(std::sync::atomic::Ordering::Relaxed);
            e.with_context(format!(
                "{}: failed after {n} attempt{}",
                op.id,
                if n == 1 { "" } else { "s" }
            ))
        };
        let response = self
            .pipeline
            .stream(&ctx, request, Some(options))
            .await
            .map_err(tried)?;
        let (status, headers, mut body) = response.deconstruct();
        // The body under a size limit, and within the request timeout.
        let limit = self.max_response_bytes;
        let read = async {
            // A body that arrives in one chunk (most do) is kept as it
            // came; only several are copied into one buffer.
            let mut single: Option<azure_core::Bytes> = None;
            let mut joined: Vec<u8> = Vec::new();
            let mut length = 0usize;
            while let Some(chunk) = body.next().await {
                let chunk = chunk?;
                length = length.saturating_add(chunk.len());
                if length > limit {
                    return Err(azure_core::Error::with_message(
                        azure_core::error::ErrorKind::DataConversion,
                        format!(
                            "{}: the {} response is larger than the {limit}-byte limit (x-ms-request-id {})",
                            op.id,
                            u16::from(status),
                            request_id(&headers).unwrap_or("none")
                        ),
                    ));
                }
                match single.take() {
                    None if joined.is_empty() => single = Some(chunk),
                    Some(first) => {
                        joined.extend_from_slice(&first);
                        joined.extend_from_slice(&chunk);
                    }
                    None => joined.extend_from_slice(&chunk),
                }
            }
            Ok(single.unwrap_or_else(|| azure_core::Bytes::from(joined)))
        };
        let bytes = match tokio::time::timeout(self.request_timeout, read).await {
            Ok(result) => result.map_err(tried)?,
            Err(_) => {
                return Err(tried(azure_core::Error::with_message(
                    azure_core::error::ErrorKind::Io,
                    format!(
                        "the response body did not arrive within {} ms",
                        self.request_timeout.as_millis()
                    ),
                )));
            }
        };
        let response = RawResponse::from_bytes(status, headers, bytes);
        if op.success.contains(&u16::from(status)) {
            Ok(response)
        } else {
            Err(ServiceError {
                operation: op.id,
                status: response.status(),
                request_id: request_id(response.headers()).map(str::to_string),
                body: ErrorBody::parse(response.body()),
                attempts: attempts.0.load(std::sync::atomic::Ordering::Relaxed),
            }
            .into_error())
        }
    }

    /// Sends and decodes the body as `T`.
    pub async fn call<T: DeserializeOwned>(
        &self,
        op: &OperationInfo,
        ctx: &Context<'_>,
        mut request: Request,
    ) -> azure_core::Result<Response<T>> {
        let raw = self.send(op, ctx, &mut request).await?;
        let value = decode(op.id, &raw)?;
        let (status, headers, _) = raw.deconstruct();
        Ok(Response {
            status,
            headers,
            value,
        })
    }

    /// An existence check (a HEAD documented with 404): `true` for a
    /// success, `false` for 404.
    pub async fn call_exists(
        &self,
        op: &OperationInfo,
        ctx: &Context<'_>,
        mut request: Request,
    ) -> azure_core::Result<Response<bool>> {
        let raw = self.send(op, ctx, &mut request).await?;
        let exists = raw.status() != StatusCode::NotFound;
        let (status, headers, _) = raw.deconstruct();
        Ok(Response {
            status,
            headers,
            value: exists,
        })
    }

    /// Sends and keeps the body as text (`text/plain` answers).
    pub async fn call_text(
        &self,
        op: &OperationInfo,
        ctx: &Context<'_>,
        mut request: Request,
    ) -> azure_core::Result<Response<String>> {
        let raw = self.send(op, ctx, &mut request).await?;
        let (status, headers, body) = raw.deconstruct();
        let value = String::from_utf8(body.as_ref().to_vec()).map_err(|e| {
            azure_core::Error::with_message(
                azure_core::error::ErrorKind::DataConversion,
                format!(
                    "{}: the {} response is not UTF-8 text: {e}",
                    op.id,
                    u16::from(status)
                ),
            )
        })?;
        Ok(Response {
            status,
            headers,
            value,
        })
    }

    /// Sends and keeps the body as bytes (binary answers: files, archives).
    pub async fn call_bytes(
        &self,
        op: &OperationInfo,
        ctx: &Context<'_>,
        mut request: Request,
    ) -> azure_core::Result<Response<azure_core::Bytes>> {
        let raw = self.send(op, ctx, &mut request).await?;
        let (status, headers, body) = raw.deconstruct();
        Ok(Response {
            status,
            headers,
            value: azure_core::Bytes::copy_from_slice(body.as_ref()),
        })
    }

    /// Sends and ignores the body (operations documented without one).
    pub async fn call_empty(
        &self,
        op: &OperationInfo,
        ctx: &Context<'_>,
        mut request: Request,
    ) -> azure_core::Result<Response<()>> {
        let raw = self.send(op, ctx, &mut request).await?;
        let (status, headers, _) = raw.deconstruct();
        Ok(Response {
            status,
            headers,
            value: (),
        })
    }
}

/// The endpoint of a parameterized host (`x-ms-parameterized-host`): the
/// template with each `{name}` filled in, and `https://` before it when it
/// names no scheme (the spec's `useSchemePrefix`, or a host given bare
/// where the spec expects a URL: tokens go over HTTPS anyway).
pub fn fill_host(template: &str, values: &[(&str, &str)]) -> String {
    let mut endpoint = template.to_string();
    for (name, value) in values {
        endpoint = endpoint.replace(&format!("{{{name}}}"), value.trim_end_matches('/'));
    }
    let endpoint = endpoint.trim_end_matches('/');
    if endpoint.contains("://") || endpoint.is_empty() {
        endpoint.to_string()
    } else {
        format!("https://{endpoint}")
    }
}

/// Decodes a response body, naming the operation, the request id and the
/// JSON path where decoding failed.
pub fn decode<T: DeserializeOwned>(operation: &str, raw: &RawResponse) -> azure_core::Result<T> {
    let body: &[u8] = raw.body();
    // An empty body decodes like `null`, so `Option` and `()` accept it.
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"null".as_slice()
    } else {
        body
    };
    // On failure the path is worked out from the error's position
    // (json_path.rs), so each model's decoding is compiled once.
    serde_json::from_slice(body).map_err(|e| {
        let path = super::json_path::path_of(body, &e);
        decode_error(
            operation,
            raw.status(),
            request_id(raw.headers()),
            &path,
            &e,
        )
    })
}

pub(crate) fn request_id(headers: &Headers) -> Option<&str> {
    header_str(
        headers,
        &azure_core::http::headers::HeaderName::from_static("x-ms-request-id"),
    )
}

/// A header's value, if present. (`Headers::get_optional_str` builds and
/// drops an error, message and all, whenever the header is absent: on
/// every response, for `x-ms-request-id` from a server that sends none.)
pub(crate) fn header_str<'a>(
    headers: &'a Headers,
    name: &azure_core::http::headers::HeaderName,
) -> Option<&'a str> {
    headers
        .get_optional_with(name, |v| Ok::<_, std::convert::Infallible>(v.as_str()))
        .ok()
        .flatten()
}

/// Percent-encodes a path value: everything but RFC 3986 unreserved
/// characters (and `/` when `keep_slash`), so a value can never add a
/// query or, unless allowed, a segment.
fn encode_segment(value: &str, keep_slash: bool, out: &mut String) {
    percent_encode_into(value, if keep_slash { b"/" } else { b"" }, out);
}

/// Percent-encodes `value` onto `out`: every byte but RFC 3986 unreserved
/// characters and those in `keep`. The one encoder of the project (the
/// emulator writes its links with it too).
pub fn percent_encode_into(value: &str, keep: &[u8], out: &mut String) {
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            b if keep.contains(&b) => out.push(char::from(b)),
            other => {
                out.push('%');
                out.push(char::from(b"0123456789ABCDEF"[usize::from(other >> 4)]));
                out.push(char::from(b"0123456789ABCDEF"[usize::from(other & 0xf)]));
            }
        }
    }
}

/// A decoded answer with its status and headers.
#[derive(Debug, Clone)]
pub struct Response<T> {
    status: StatusCode,
    headers: Headers,
    value: T,
}

impl<T> Response<T> {
    pub(crate) fn new(status: StatusCode, headers: Headers, value: T) -> Self {
        Self {
            status,
            headers,
            value,
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The service's `x-ms-request-id`, to quote when asking for support.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }

    /// The decoded body. As azure_core's `Response::into_model`, a
    /// `Result`, so `.into_model()?` reads as with any Azure SDK client;
    /// the body was decoded when the call returned (a decoding error was
    /// that call's), so this is always `Ok`.
    pub fn into_model(self) -> azure_core::Result<T> {
        Ok(self.value)
    }

    pub fn into_parts(self) -> (StatusCode, Headers, T) {
        (self.status, self.headers, self.value)
    }
}

impl<T> Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_fill_in_and_get_a_scheme() {
        assert_eq!(
            fill_host(
                "{vaultBaseUrl}",
                &[("vaultBaseUrl", "https://v.vault.azure.net/")]
            ),
            "https://v.vault.azure.net"
        );
        assert_eq!(
            fill_host(
                "{account}.{suffix}/indexes('{index}')",
                &[
                    ("account", "a"),
                    ("suffix", "search.windows.net"),
                    ("index", "i")
                ]
            ),
            "https://a.search.windows.net/indexes('i')"
        );
        assert_eq!(
            fill_host("{batchUrl}", &[("batchUrl", "acct.region.batch.azure.com")]),
            "https://acct.region.batch.azure.com"
        );
        assert_eq!(
            fill_host("{u}", &[("u", "http://127.0.0.1:8080")]),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn path_values_are_encoded_whole() {
        let mut out = String::new();
        encode_segment("a b/../c?d=é", false, &mut out);
        assert_eq!(out, "a%20b%2F..%2Fc%3Fd%3D%C3%A9");
        let mut scope = String::new();
        encode_segment("subscriptions/x y/resourceGroups/g", true, &mut scope);
        assert_eq!(scope, "subscriptions/x%20y/resourceGroups/g");
    }
}
