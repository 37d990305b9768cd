//! mms-emulator: a local, stateful stand-in for the Azure Machine Learning
//! Model Management services, all five surfaces on one port, for tests and
//! offline work (as Azurite is for Azure Storage).
//!
//! ```no_run
//! # async fn run() -> Result<(), String> {
//! let running = mms_emulator::start(mms_emulator::Config {
//!     tokens: vec!["dev".into()],
//!     ..Default::default()
//! })
//! .await?;
//! println!("listening on {}", running.base_url());
//! running.shutdown().await;
//! # Ok(()) }
//! ```

/// The api-version a surface of the generated crate sends (its
/// `SURFACES`): the emulator expects what the client and documents say.
pub(crate) fn api_version_of(feature: &str) -> Option<&'static str> {
    facts_of(feature)
        .and_then(|s| s.api_version)
        .map(|(_, value)| value)
}

/// What the generated crate knows of a surface.
pub(crate) fn facts_of(feature: &str) -> Option<&'static azureml_mms::runtime::SurfaceFacts> {
    azureml_mms::SURFACES.iter().find(|s| s.feature == feature)
}

/// A path template with its parameters renamed, in order, to `names`
/// (`/a/{subscriptionId}/b/{resourceGroup}` with `["sub", "rg"]` →
/// `/a/{sub}/b/{rg}`): the emulator's routes name a surface's scope
/// parameters alike whatever its document calls them. Parameters past
/// `names` keep theirs.
pub(crate) fn route_template(template: &str, names: &[&str]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut names = names.iter();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        out.push_str(&rest[..open]);
        match names.next() {
            Some(name) => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
            None => out.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

mod arm;
mod data_plane;
mod documents;
mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub use store::Store;

/// How the emulator runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The SQLite file, or `None` for memory only.
    pub db: Option<PathBuf>,
    /// Bearer tokens accepted; anything else is 401.
    pub tokens: Vec<String>,
    /// How long a long-running operation takes: half of it `NotStarted`,
    /// then `Running`, then done.
    pub op_delay_ms: i64,
    /// The clock operations are timed on.
    pub clock: Clock,
    /// How many items a page of a list holds when the request does not
    /// say (`count`): 100, as the services document; tests make it small
    /// to see paging with a few items.
    pub page_size: usize,
    /// Serve HTTPS instead of plain HTTP, with a self-signed certificate
    /// generated at start (see [`Tls`]).
    pub tls: Option<Tls>,
}

/// HTTPS settings. The emulator generates a fresh self-signed certificate
/// for `localhost`, `127.0.0.1` and `::1` on every start, as Azurite does;
/// clients trust it by adding [`Running::certificate_pem`] (or the file
/// written to `cert_path`) to their roots.
#[derive(Debug, Clone, Default)]
pub struct Tls {
    /// Where to write the certificate (PEM) for clients to trust; `None`
    /// keeps it in memory only.
    pub cert_path: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            db: None,
            tokens: Vec::new(),
            op_delay_ms: 0,
            clock: Clock::System,
            page_size: 100,
            tls: None,
        }
    }
}

/// Time for long-running operations: the system's, or one a test moves.
#[derive(Debug, Clone)]
pub enum Clock {
    System,
    Manual(Arc<AtomicI64>),
}

impl Clock {
    /// A manual clock at zero, and the handle that moves it.
    pub fn manual() -> (Self, Arc<AtomicI64>) {
        let now = Arc::new(AtomicI64::new(0));
        (Clock::Manual(now.clone()), now)
    }

    pub fn now_ms(&self) -> i64 {
        match self {
            Clock::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64),
            Clock::Manual(now) => now.load(Ordering::SeqCst),
        }
    }

    /// What a client waits with so its waits move this clock: for a
    /// client's `ServiceClientOptions::sleeper`, so a test's long-running
    /// operations run their course (`NotStarted`, `Running`, done) without
    /// real time passing. `None` for the system clock.
    pub fn sleeper(&self) -> Option<ClockSleeper> {
        match self {
            Clock::System => None,
            Clock::Manual(now) => Some(ClockSleeper(now.clone())),
        }
    }
}

/// A client's waits (between polls, between retries) as moves of a manual
/// [`Clock`], taking no real time.
#[derive(Debug, Clone)]
pub struct ClockSleeper(Arc<AtomicI64>);

impl azureml_mms::runtime::Sleeper for ClockSleeper {
    fn sleep(
        &self,
        duration: std::time::Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        let ms = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        self.0.fetch_add(ms, Ordering::SeqCst);
        Box::pin(std::future::ready(()))
    }
}

/// What every handler shares.
#[derive(Debug, Clone)]
pub(crate) struct App {
    pub(crate) store: Store,
    tokens: Arc<Vec<String>>,
    pub(crate) op_delay_ms: i64,
    pub(crate) clock: Clock,
    /// Items per page when a list request gives no `count`.
    pub(crate) page_size: usize,
    /// Request-body schemas, for the checks the generated types leave out.
    documents: Arc<documents::Documents>,
    /// `http(s)://127.0.0.1:port`, for absolute links.
    pub(crate) base: Arc<str>,
}

/// An error answer: flat `{code, message}` on the data planes, wrapped in
/// `{error: …}` on ARM, as each surface documents.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
    pub(crate) arm: bool,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            arm: false,
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    pub(crate) fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("{what} `{id}` was not found"),
        )
    }

    pub(crate) fn internal(message: String) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", message)
    }

    pub(crate) fn arm(mut self) -> Self {
        self.arm = true;
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = if self.arm {
            json!({"error": {"code": self.code, "message": self.message}})
        } else {
            json!({"code": self.code, "message": self.message, "statusCode": self.status.as_u16()})
        };
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<String> for ApiError {
    fn from(message: String) -> Self {
        ApiError::internal(message)
    }
}

/// Every route needs `Authorization: Bearer <accepted token>`; every answer
/// gets an `x-ms-request-id`; every request one tracing line.
async fn gate(State(app): State<App>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let request_id = uuid::Uuid::new_v4().to_string();
    let authorized = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|token| app.tokens.iter().any(|t| t == token));
    let arm = !path.starts_with("/api/") && !path.starts_with("/modelmanagement/");
    let mut response = if authorized {
        match checked_body(&app, request, arm).await {
            Ok(request) => next.run(request).await,
            Err(e) => e.into_response(),
        }
    } else {
        let e = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "a valid `Authorization: Bearer <token>` header is required",
        );
        (if arm { e.arm() } else { e }).into_response()
    };
    // A handler may have set it already (hostingAccounts hands out
    // operations by request id).
    if !response.headers().contains_key("x-ms-request-id")
        && let Ok(v) = HeaderValue::from_str(&request_id)
    {
        response.headers_mut().insert("x-ms-request-id", v);
    }
    tracing::info!(
        target: "mms_emulator",
        %method,
        path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        request_id,
        "request"
    );
    response
}

/// Bodies larger than this are refused (413) before any handler reads them.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Reads a JSON body once and checks its enum values against the
/// documents; the request goes on with the same bytes. Bodies that are not
/// JSON go on unchanged: the handler's decoding answers them.
async fn checked_body(app: &App, request: Request, arm: bool) -> Result<Request, ApiError> {
    let wrap = |e: ApiError| if arm { e.arm() } else { e };
    if !matches!(request.method().as_str(), "POST" | "PUT" | "PATCH") {
        return Ok(request);
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            wrap(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestTooLarge",
                format!("the body exceeds {MAX_BODY_BYTES} bytes or could not be read"),
            ))
        })?;
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) {
        app.documents
            .check(parts.method.as_str(), parts.uri.path(), &value)
            .map_err(|e| wrap(ApiError::bad_request(format!("invalid body: {e}"))))?;
    }
    Ok(Request::from_parts(parts, axum::body::Body::from(bytes)))
}

fn router(app: App) -> Router {
    Router::new()
        .merge(data_plane::routes())
        .merge(arm::routes())
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "NoRoute", "no such route") })
        .layer(axum::middleware::from_fn_with_state(app.clone(), gate))
        .with_state(app)
}

/// A running emulator. Dropping it leaves the server running until the
/// process ends; [`Running::shutdown`] stops it.
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    base_url: String,
    certificate_pem: Option<String>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`, or `https://<addr>` with TLS: the endpoint to give
    /// clients.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// With TLS, the self-signed certificate clients must trust (PEM).
    pub fn certificate_pem(&self) -> Option<&str> {
        self.certificate_pem.as_deref()
    }

    /// Stops accepting, lets requests in flight finish, and returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// A self-signed certificate and its private key, both PEM.
fn self_signed_certificate() -> Result<(String, String), String> {
    let names = ["localhost", "127.0.0.1", "::1"].map(String::from).to_vec();
    let certified = rcgen::generate_simple_self_signed(names)
        .map_err(|e| format!("cannot generate a TLS certificate: {e}"))?;
    Ok((certified.cert.pem(), certified.signing_key.serialize_pem()))
}

/// Writes the certificate through a temporary file renamed into place, so
/// a client watching for it never reads half a certificate.
fn write_certificate(path: &std::path::Path, pem: &str) -> Result<(), String> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, pem)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("cannot write the certificate to {}: {e}", path.display()))
}

/// Starts the emulator on its own task and returns once it listens.
pub async fn start(config: Config) -> Result<Running, String> {
    let store = Store::open(config.db.as_deref())?;
    let listener = std::net::TcpListener::bind(config.listen)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let base_url = format!("{scheme}://{addr}");
    let app = App {
        store,
        tokens: Arc::new(config.tokens),
        op_delay_ms: config.op_delay_ms.max(0),
        clock: config.clock,
        page_size: config.page_size.clamp(1, 1000),
        documents: documents::Documents::shared()?,
        base: base_url.as_str().into(),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let service = router(app);
    let (task, certificate_pem) = match config.tls {
        None => {
            let listener = tokio::net::TcpListener::from_std(listener)
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            let task = tokio::spawn(async move {
                let _ = axum::serve(listener, service)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
            (task, None)
        }
        Some(tls) => {
            let (cert, key) = self_signed_certificate()?;
            if let Some(path) = &tls.cert_path {
                write_certificate(path, &cert)?;
            }
            let rustls = axum_server::tls_rustls::RustlsConfig::from_pem(
                cert.clone().into_bytes(),
                key.into_bytes(),
            )
            .await
            .map_err(|e| format!("cannot configure TLS: {e}"))?;
            let server = axum_server::from_tcp_rustls(listener, rustls)
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            let handle = axum_server::Handle::new();
            let stopper = handle.clone();
            let task = tokio::spawn(async move {
                tokio::spawn(async move {
                    let _ = stopped.await;
                    stopper.graceful_shutdown(None);
                });
                let _ = server
                    .handle(handle)
                    .serve(service.into_make_service())
                    .await;
            });
            (task, Some(cert))
        }
    };
    Ok(Running {
        addr,
        base_url,
        certificate_pem,
        stop: Some(stop),
        task,
    })
}
