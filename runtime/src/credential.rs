//! Credentials: a static bearer token (tests, the emulator), and the policy
//! that authorizes plain-HTTP requests to a loopback address, which
//! azure_core's own bearer policy refuses by design.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{Context, Request};
use azure_core::time::{Duration, OffsetDateTime};
use tokio::sync::Mutex;

/// A credential that always answers the same bearer token, for tests and
/// the local emulator. Its `Debug` never shows the token.
#[derive(Clone)]
pub struct StaticTokenCredential {
    token: Secret,
}

impl StaticTokenCredential {
    pub fn new(token: impl Into<String>) -> Arc<Self> {
        Arc::new(Self {
            token: Secret::new(token.into()),
        })
    }
}

impl fmt::Debug for StaticTokenCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticTokenCredential { token: <redacted> }")
    }
}

#[async_trait]
impl TokenCredential for StaticTokenCredential {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        Ok(AccessToken::new(
            self.token.clone(),
            OffsetDateTime::now_utc() + Duration::hours(1),
        ))
    }
}

/// Adds `Authorization: Bearer` to requests for a plain-HTTP loopback
/// endpoint (the emulator). The client only installs it after checking that
/// the endpoint is loopback; it checks again on every request, so a link
/// to another host can never carry the token. Tokens are cached and
/// refreshed five minutes before they expire.
pub(crate) struct LoopbackBearerPolicy {
    credential: Arc<dyn TokenCredential>,
    scopes: Vec<String>,
    cached: Mutex<Option<AccessToken>>,
}

impl LoopbackBearerPolicy {
    pub(crate) fn new(credential: Arc<dyn TokenCredential>, scopes: Vec<String>) -> Self {
        Self {
            credential,
            scopes,
            cached: Mutex::new(None),
        }
    }
}

impl fmt::Debug for LoopbackBearerPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopbackBearerPolicy")
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// `localhost`, `127.0.0.0/8` or `[::1]`.
pub(crate) fn is_loopback_host(url: &azure_core::http::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[async_trait]
impl Policy for LoopbackBearerPolicy {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: &[Arc<dyn Policy>],
    ) -> PolicyResult {
        let url = request.url();
        if !(url.scheme() == "https" || (url.scheme() == "http" && is_loopback_host(url))) {
            return Err(super::error::config_error(format!(
                "refusing to send a bearer token to {}://{}: tokens travel only over HTTPS or to a loopback address",
                url.scheme(),
                url.host_str().unwrap_or_default()
            )));
        }
        let token = {
            let mut cached = self.cached.lock().await;
            let fresh = cached
                .as_ref()
                .is_some_and(|t| t.expires_on > OffsetDateTime::now_utc() + Duration::minutes(5));
            if !fresh {
                let scopes: Vec<&str> = self.scopes.iter().map(String::as_str).collect();
                *cached = Some(self.credential.get_token(&scopes, None).await?);
            }
            cached
                .as_ref()
                .map(|t| t.token.secret().to_string())
                .unwrap_or_default()
        };
        request.insert_header("authorization", format!("Bearer {token}"));
        match next.split_first() {
            Some((first, rest)) => first.send(ctx, request, rest).await,
            None => Err(super::error::config_error(
                "the pipeline has no transport".into(),
            )),
        }
    }
}
