//! A pipeline policy that writes down every request a client sends, as
//! `METHOD path?query`, and the client request id it carries, so a test
//! can check the wire beside the answers.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{Context, Request};

#[derive(Debug, Default)]
pub struct Recorder {
    lines: Mutex<Vec<(String, Option<String>)>>,
}

impl Recorder {
    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.lines
            .lock()
            .map(|l| l.iter().map(|(line, _)| line.clone()).collect())
            .unwrap_or_default()
    }

    /// The `x-ms-client-request-id` of every request so far, in order.
    pub fn client_request_ids(&self) -> Vec<Option<String>> {
        self.lines
            .lock()
            .map(|l| l.iter().map(|(_, id)| id.clone()).collect())
            .unwrap_or_default()
    }
}

#[async_trait]
impl Policy for Recorder {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: &[Arc<dyn Policy>],
    ) -> PolicyResult {
        let url = request.url();
        let line = match url.query() {
            Some(q) => format!("{} {}?{q}", request.method(), url.path()),
            None => format!("{} {}", request.method(), url.path()),
        };
        let id = request
            .headers()
            .get_optional_string(&azure_core::http::headers::CLIENT_REQUEST_ID);
        if let Ok(mut lines) = self.lines.lock() {
            lines.push((line, id));
        }
        match next.split_first() {
            Some((first, rest)) => first.send(ctx, request, rest).await,
            None => Err(azure_core::Error::with_message(
                azure_core::error::ErrorKind::Other,
                "the pipeline has no transport",
            )),
        }
    }
}
