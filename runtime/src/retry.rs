//! Retries, per-attempt timeouts and request tracing: the policies this
//! crate adds to azure_core's pipeline.
//!
//! azure_core 1.1's own retry policy retries every method alike; these
//! services need POST (and PATCH) left alone, since repeating them can
//! register a model twice. So the client turns azure_core's retry off and
//! installs [`RetryPolicy`] in its place: exponential backoff with jitter
//! for idempotent requests, honoring `Retry-After` (seconds or HTTP date).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use azure_core::error::ErrorKind;
use azure_core::http::headers::{HeaderName, RETRY_AFTER, RETRY_AFTER_MS, X_MS_RETRY_AFTER_MS};
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{Context, Method, Request, StatusCode};
use tracing::Instrument as _;

/// How requests are retried.
#[derive(Clone, Debug)]
pub struct RetryPolicyOptions {
    /// Retries after the first attempt (so `max_retries + 1` attempts).
    pub max_retries: u32,
    /// The first backoff; each retry doubles it, with jitter.
    pub initial_delay: Duration,
    /// No backoff waits longer than this (a `Retry-After` can).
    pub max_delay: Duration,
    /// No retry starts once this much waiting has been done.
    pub max_elapsed: Duration,
    /// Also retry POST and PATCH (off: repeating them can act twice).
    pub retry_non_idempotent: bool,
}

impl Default for RetryPolicyOptions {
    fn default() -> Self {
        Self {
            max_retries: 4,
            initial_delay: Duration::from_millis(800),
            max_delay: Duration::from_secs(30),
            max_elapsed: Duration::from_secs(60),
            retry_non_idempotent: false,
        }
    }
}

/// Waits between retries. The default sleeps on tokio's clock; tests
/// inject one that records the waits and returns at once.
pub trait Sleeper: fmt::Debug + Send + Sync {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// Sleeps on tokio's clock.
#[derive(Debug, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// The statuses worth another try.
const RETRYABLE: [u16; 6] = [408, 429, 500, 502, 503, 504];

/// Counts the attempts of one call, for the error if it fails.
#[derive(Debug, Clone, Default)]
pub(crate) struct Attempts(pub(crate) Arc<AtomicU32>);

/// Which operation a request belongs to, for tracing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OperationTag {
    pub(crate) crate_name: &'static str,
    pub(crate) id: &'static str,
    pub(crate) path: &'static str,
}

#[derive(Debug)]
pub(crate) struct RetryPolicy {
    options: RetryPolicyOptions,
    sleeper: Arc<dyn Sleeper>,
    jitter: AtomicU64,
}

impl RetryPolicy {
    pub(crate) fn new(options: RetryPolicyOptions, sleeper: Arc<dyn Sleeper>) -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x9e37_79b9_7f4a_7c15, |d| d.as_nanos() as u64)
            | 1;
        Self {
            options,
            sleeper,
            jitter: AtomicU64::new(seed),
        }
    }

    /// A factor in [0.5, 1.0), so clients that failed together spread out.
    fn jitter(&self) -> f64 {
        let mut x = self.jitter.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.jitter.store(x, Ordering::Relaxed);
        0.5 + (x >> 11) as f64 / (1u64 << 53) as f64 / 2.0
    }

    fn backoff(&self, retry: u32) -> Duration {
        let exponential = self.options.initial_delay.saturating_mul(
            1u32.checked_shl(retry.saturating_sub(1))
                .unwrap_or(u32::MAX),
        );
        exponential
            .min(self.options.max_delay)
            .mul_f64(self.jitter())
    }
}

fn is_idempotent(method: Method) -> bool {
    matches!(
        method,
        Method::Get | Method::Head | Method::Put | Method::Delete
    )
}

/// `Retry-After` (seconds or an HTTP date) and its millisecond variants.
fn retry_after(headers: &azure_core::http::headers::Headers) -> Option<Duration> {
    let names: [HeaderName; 3] = [RETRY_AFTER_MS, X_MS_RETRY_AFTER_MS, RETRY_AFTER];
    azure_core::http::policies::get_retry_after(
        headers,
        azure_core::time::OffsetDateTime::now_utc,
        &names,
    )
    .and_then(|d| Duration::try_from(d).ok())
}

#[async_trait]
impl Policy for RetryPolicy {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: &[Arc<dyn Policy>],
    ) -> PolicyResult {
        let Some((first, rest)) = next.split_first() else {
            return Err(azure_core::Error::with_message(
                ErrorKind::Other,
                "the pipeline has no transport",
            ));
        };
        let counter = ctx.value::<Attempts>().cloned().unwrap_or_default();
        if !is_idempotent(request.method()) && !self.options.retry_non_idempotent {
            counter.0.fetch_add(1, Ordering::Relaxed);
            return first.send(ctx, request, rest).await;
        }
        let mut waited = Duration::ZERO;
        let mut retry = 0u32;
        loop {
            if retry > 0 {
                request.body_mut().reset().await?;
            }
            counter.0.fetch_add(1, Ordering::Relaxed);
            let result = first.send(ctx, request, rest).await;
            let hint = match &result {
                Ok(response) if RETRYABLE.contains(&u16::from(response.status())) => {
                    retry_after(response.headers())
                }
                Ok(_) => return result,
                Err(e) if matches!(e.kind(), ErrorKind::Io | ErrorKind::Connection) => None,
                Err(_) => return result,
            };
            retry += 1;
            // The service's own word on when to come back wins.
            let delay = hint.unwrap_or_else(|| self.backoff(retry));
            let give_up = retry > self.options.max_retries
                || waited.saturating_add(delay) > self.options.max_elapsed;
            if give_up {
                return result;
            }
            tracing::debug!(retry, delay_ms = delay.as_millis() as u64, "retrying");
            self.sleeper.sleep(delay).await;
            waited += delay;
        }
    }
}

/// One attempt: a span for it (operation, method, path template, attempt,
/// and once answered, status and `x-ms-request-id`), and a deadline for
/// its response head. One policy rather than two: each policy is a boxed
/// future per attempt, a visible share of a fast local request.
///
/// The span never carries a header value, a query string or a body:
/// nothing secret can reach the logs from here. A timeout is a
/// transport-kind error, so idempotent requests are retried.
#[derive(Debug)]
pub(crate) struct AttemptPolicy {
    pub(crate) timeout: Duration,
}

#[async_trait]
impl Policy for AttemptPolicy {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: &[Arc<dyn Policy>],
    ) -> PolicyResult {
        let Some((first, rest)) = next.split_first() else {
            return Err(azure_core::Error::with_message(
                ErrorKind::Other,
                "the pipeline has no transport",
            ));
        };
        let tag = ctx.value::<OperationTag>().copied();
        let attempt = ctx
            .value::<Attempts>()
            .map_or(1, |a| a.0.load(Ordering::Relaxed));
        let span = tracing::info_span!(
            "request",
            client_crate = tag.map_or("", |t| t.crate_name),
            operation = tag.map_or("", |t| t.id),
            method = %request.method(),
            path = tag.map_or("", |t| t.path),
            attempt,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        let sent = first.send(ctx, request, rest).instrument(span.clone());
        let result = match tokio::time::timeout(self.timeout, sent).await {
            Ok(result) => result,
            Err(_) => Err(azure_core::Error::with_message(
                ErrorKind::Io,
                format!("no response within {} ms", self.timeout.as_millis()),
            )),
        };
        match &result {
            Ok(response) => {
                let status: StatusCode = response.status();
                span.record("status", u16::from(status));
                if let Some(id) = super::core::request_id(response.headers()) {
                    span.record("request_id", id);
                }
                span.in_scope(|| tracing::info!(status = u16::from(status), "answered"));
            }
            Err(e) => {
                // The kind only: transport messages can quote the URL.
                span.in_scope(|| tracing::info!(error_kind = ?e.kind(), "failed"));
            }
        }
        result
    }
}
