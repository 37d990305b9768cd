//! Replays a spec's `x-ms-examples` against the generated client: the
//! client sends its request to a transport that never opens a socket, the
//! request is compared with the one the example describes, and the
//! example's answers come back through the client's own decoding, to be
//! encoded again and compared with what the example says was sent.
//!
//! Each generated test parses its example's script (written by the
//! generator from the spec and the example alone), builds the client on a
//! [`Replay`] per answer, calls the operation with the example's values as
//! typed Rust values, and hands the result to one of the `check_*`
//! functions. A failure names its cause (see [`Cause`]), the part of the
//! example it concerns, the example file and the JSON path of each
//! difference.

// A crate's tests use the parts their operations need.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt;
use std::future::IntoFuture;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use azure_core::http::headers::Headers;
use azure_core::http::{AsyncRawResponse, HttpClient, Request, StatusCode, Url};
use futures::TryStreamExt as _;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::krate::{ClientOptions, Response, RetryOptions, ServiceError, StaticTokenCredential};

/// Why a replay failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The client sent something other than the example's request.
    RequestMismatch,
    /// The typed result, encoded again, is not the example's answer: a
    /// member dropped or changed, or an error not reported as documented.
    ResponseLoss,
    /// A value of the example did not decode into the generated type.
    DecodeError,
    /// A long-running operation was not followed to its end.
    LongRunning,
    /// The operation is of a kind the generator does not generate.
    Unsupported,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::RequestMismatch => "request-mismatch",
            Cause::ResponseLoss => "response-loss",
            Cause::DecodeError => "decode-error",
            Cause::LongRunning => "long-running",
            Cause::Unsupported => "unsupported",
        }
    }
}

/// A replay that failed: why, where, and the differences found.
pub struct Failure {
    pub cause: Cause,
    /// `request`, or `response <key>` (`response 200`).
    pub part: String,
    pub message: String,
    /// The example file, the operation and the example's title.
    pub origin: String,
}

impl fmt::Debug for Failure {
    // A test returning `Err` prints its error with `Debug`: one line the
    // conformance report reads (`[cause] part: …`), then the details.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] {}: {}\n  in {}",
            self.cause.as_str(),
            self.part,
            self.message,
            self.origin
        )
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl From<azure_core::Error> for Failure {
    /// An error before any request was sent: the client could not be
    /// built, or a request could not be formed from the example's values.
    fn from(e: azure_core::Error) -> Self {
        Failure {
            cause: Cause::RequestMismatch,
            part: "request".to_string(),
            message: format!("no request was sent: {e}"),
            origin: String::new(),
        }
    }
}

/// What the generator wrote down for one example.
#[derive(Debug, serde::Deserialize)]
struct Script {
    operation: String,
    example: String,
    file: String,
    endpoint: String,
    /// `plain`, `pageable` or `long-running`.
    kind: String,
    /// Long-running: where the result is read (`original-uri`, `location`,
    /// `azure-async-operation`, `operation-location`).
    #[serde(default)]
    final_state: Option<String>,
    /// Pageable: the page's member holding the items.
    #[serde(default)]
    item_field: Option<String>,
    /// Long-running: the operation documents a result (a body of its own).
    #[serde(default)]
    has_result: bool,
    /// Why the operation cannot be replayed, when it cannot.
    #[serde(default)]
    unsupported: Option<String>,
    #[serde(default)]
    parameters: serde_json::Map<String, Value>,
    /// The name the example gives the body under.
    #[serde(default)]
    body_parameter: Option<String>,
    request: ExpectedRequest,
    #[serde(default)]
    responses: Vec<Answer>,
}

#[derive(Debug, serde::Deserialize)]
struct ExpectedRequest {
    method: String,
    path: Vec<String>,
    #[serde(default)]
    query: Vec<(String, String)>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: Option<Value>,
}

#[derive(Debug, Clone, serde::Deserialize)]
struct Answer {
    key: String,
    status: u16,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: Option<Value>,
}

impl Answer {
    fn is_success(&self) -> bool {
        (200..300).contains(&self.status) && self.key != "default"
    }
}

/// One example: its values, and the replays it makes (one per answer; a
/// long-running operation's success answers make one replay together).
pub struct Example {
    script: Arc<Script>,
}

impl Example {
    pub fn parse(json: &str) -> Result<Self, Failure> {
        let script: Script = serde_json::from_str(json).map_err(|e| Failure {
            cause: Cause::Unsupported,
            part: "request".to_string(),
            message: format!("the test's script does not parse (a generator bug): {e}"),
            origin: String::new(),
        })?;
        Ok(Self {
            script: Arc::new(script),
        })
    }

    fn origin(&self) -> String {
        origin_of(&self.script)
    }

    fn failure(&self, cause: Cause, part: &str, message: String) -> Failure {
        Failure {
            cause,
            part: part.to_string(),
            message,
            origin: self.origin(),
        }
    }

    /// Fails with the reason the operation cannot be replayed, if any.
    pub fn supported(&self) -> Result<(), Failure> {
        match &self.script.unsupported {
            Some(why) => Err(self.failure(Cause::Unsupported, "request", why.clone())),
            None => Ok(()),
        }
    }

    /// A required parameter's value, as the method's Rust type.
    pub fn arg<T: DeserializeOwned>(&self, wire: &str) -> Result<T, Failure> {
        self.opt(wire)?.ok_or_else(|| {
            self.failure(
                Cause::RequestMismatch,
                "request",
                format!("the example gives no value for the required parameter `{wire}`"),
            )
        })
    }

    /// An optional parameter's value, if the example gives one.
    pub fn opt<T: DeserializeOwned>(&self, wire: &str) -> Result<Option<T>, Failure> {
        match self.script.parameters.get(wire) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => self
                .decode(value, &format!("parameter `{wire}` (/parameters/{wire})"))
                .map(Some),
        }
    }

    /// The request body, decoded into the operation's body type.
    pub fn body<T: DeserializeOwned>(&self) -> Result<T, Failure> {
        self.opt_body()?.ok_or_else(|| {
            self.failure(
                Cause::RequestMismatch,
                "request",
                "the example gives no value for the required request body".to_string(),
            )
        })
    }

    pub fn opt_body<T: DeserializeOwned>(&self) -> Result<Option<T>, Failure> {
        match &self.script.request.body {
            None | Some(Value::Null) => Ok(None),
            Some(value) => {
                let what = match &self.script.body_parameter {
                    Some(name) => format!("the request body (/parameters/{name})"),
                    None => "the request body".to_string(),
                };
                self.decode(value, &what).map(Some)
            }
        }
    }

    /// Decodes a value as the example wrote it; a number or boolean where
    /// text is expected, or comma-separated text where a list is, is read
    /// as the wire would carry it.
    fn decode<T: DeserializeOwned>(&self, value: &Value, what: &str) -> Result<T, Failure> {
        let first = match serde_json::from_value::<T>(value.clone()) {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let retries = match value {
            Value::Number(_) | Value::Bool(_) => vec![Value::String(value.to_string())],
            Value::String(s) => {
                let mut tries = Vec::new();
                // `"5000"` for a number, `"true"` for a boolean.
                if let Ok(v @ (Value::Number(_) | Value::Bool(_))) = serde_json::from_str(s) {
                    tries.push(v);
                }
                tries.push(Value::Array(
                    s.split(',')
                        .map(|p| Value::String(p.trim().to_string()))
                        .collect(),
                ));
                tries
            }
            _ => Vec::new(),
        };
        retries
            .into_iter()
            .find_map(|v| serde_json::from_value::<T>(v).ok())
            .ok_or_else(|| {
                self.failure(
                    Cause::DecodeError,
                    "request",
                    format!("{what} does not decode into its generated type: {first}"),
                )
            })
    }

    /// The replays to run: one per answer the example documents; a
    /// long-running operation's success answers are one replay (the first
    /// answer, the polls, the result).
    pub fn replays(&self) -> Vec<Replay> {
        let script = &self.script;
        let (success, errors): (Vec<&Answer>, Vec<&Answer>) =
            script.responses.iter().partition(|a| a.is_success());
        let mut plans = Vec::new();
        if script.kind == "long-running" {
            // Each documented success can be the first answer.
            plans.extend(
                success
                    .iter()
                    .map(|a| long_running_plan(script, a, &success)),
            );
        } else {
            plans.extend(success.iter().map(|a| Plan::Answer((*a).clone())));
        }
        plans.extend(errors.iter().map(|a| Plan::Answer((*a).clone())));
        if plans.is_empty() {
            // No answer documented: the request is still checked.
            plans.push(Plan::Answer(Answer {
                key: "none".to_string(),
                status: 0,
                headers: Vec::new(),
                body: None,
            }));
        }
        plans
            .into_iter()
            .map(|plan| Replay {
                transport: Arc::new(Transport {
                    script: self.script.clone(),
                    plan,
                    sent: Mutex::new(Vec::new()),
                }),
            })
            .collect()
    }
}

fn origin_of(script: &Script) -> String {
    format!(
        "{} ({}, example `{}`)",
        script.file, script.operation, script.example
    )
}

/// How the transport answers.
#[derive(Debug, Clone)]
enum Plan {
    /// The operation's request gets this answer; a later request (a next
    /// page) gets an empty last page.
    Answer(Answer),
    /// A long-running operation's flow.
    LongRunning(Box<Flow>),
}

/// A long-running operation: the first answer (with a handle to poll, made
/// up when the example shows none), a finished status at the status
/// monitor, the result at `Location` and at the original URI.
#[derive(Debug, Clone)]
struct Flow {
    initial: Answer,
    /// Path of the status monitor the first answer points at, if any.
    monitor: Option<String>,
    /// Path of the `Location` the first answer points at, if any.
    location: Option<String>,
    /// What the status monitor answers: the operation succeeded.
    status: Value,
    /// The monitor's answer is the result, with a `status` member the
    /// example's result has not (ours, to end the poll).
    status_added: bool,
    result: Answer,
}

/// A long-running flow starting with `first`. When `first` says where to
/// poll (a 202 always does; examples often leave the header out, and one
/// is made up per `final-state-via`), or reports a `provisioningState`
/// still in progress, the result is the example's 200 (else 201, else
/// 204); otherwise `first` is the result itself.
fn long_running_plan(script: &Script, first: &Answer, success: &[&Answer]) -> Plan {
    let mut initial = first.clone();
    at_endpoint(&mut initial, &script.endpoint);
    let header = |name: &str, a: &Answer| {
        a.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let mut monitor =
        header("azure-asyncoperation", &initial).or_else(|| header("operation-location", &initial));
    let mut location = header("location", &initial);
    let endpoint = script.endpoint.trim_end_matches('/');
    if initial.status == 202 && monitor.is_none() && location.is_none() {
        let method = script.request.method.to_ascii_uppercase();
        let via_monitor = match script.final_state.as_deref() {
            Some("azure-async-operation") | Some("operation-location") => true,
            Some("location") => false,
            _ => method == "PUT" || method == "PATCH",
        };
        if via_monitor {
            let name = if script.final_state.as_deref() == Some("operation-location") {
                "Operation-Location"
            } else {
                "Azure-AsyncOperation"
            };
            let url = format!("{endpoint}/replay/operations/status");
            initial.headers.push((name.to_string(), url.clone()));
            monitor = Some(url);
        } else {
            let url = format!("{endpoint}/replay/operations/result");
            initial.headers.push(("Location".to_string(), url.clone()));
            location = Some(url);
        }
    }
    // A resource reporting itself in progress is polled only by a PUT or
    // PATCH, as the client's rules say.
    let method = script.request.method.to_ascii_uppercase();
    let polls_resource = monitor.is_none()
        && location.is_none()
        && (method == "PUT" || method == "PATCH")
        && initial.body.as_ref().is_some_and(|b| !is_final(b));
    let polls = monitor.is_some() || location.is_some() || polls_resource;
    let result = if polls {
        let find = |status: u16| {
            success
                .iter()
                .find(|a| a.status == status)
                .map(|a| (*a).clone())
        };
        find(200)
            .or_else(|| find(201))
            .or_else(|| find(204))
            .unwrap_or_else(|| initial.clone())
    } else {
        initial.clone()
    };
    let path_of = |link: String| {
        Url::parse(&link)
            .map(|u| u.path().to_string())
            .unwrap_or(link)
    };
    // Where the status document is the result, the monitor shows the
    // example's result, finished; else a bare finished status.
    // As the client reads it: from the monitor, unless the final state
    // sends it to the original URI, or to a `Location` it was given.
    let status_is_result = monitor.is_some()
        && match script.final_state.as_deref() {
            Some("original-uri") => false,
            Some("location") => location.is_none(),
            _ => true,
        };
    // Polling the resource itself ends only when it says so.
    let mut result = if polls_resource {
        finished(result)
    } else {
        result
    };
    let mut status = serde_json::json!({"status": "Succeeded"});
    let mut status_added = false;
    if status_is_result {
        match &mut result.body {
            Some(Value::Object(body)) => {
                if body.contains_key("status") {
                    body.insert("status".to_string(), Value::String("Succeeded".to_string()));
                } else {
                    status_added = true;
                }
                let mut served = body.clone();
                served
                    .entry("status")
                    .or_insert_with(|| Value::String("Succeeded".to_string()));
                status = Value::Object(served);
            }
            // No result body in the example: the finished status is it,
            // when the operation documents a result at all.
            _ if script.has_result => result.body = Some(status.clone()),
            _ => {}
        }
    }
    Plan::LongRunning(Box::new(Flow {
        initial,
        monitor: monitor.map(path_of),
        location: location.map(path_of),
        status,
        status_added,
        result,
    }))
}

/// Links in an example's headers moved to the test's endpoint: examples
/// name placeholder hosts (`myvault`, `myhsm`) as they please, and the
/// client follows links only to its own endpoint.
fn at_endpoint(answer: &mut Answer, endpoint: &str) {
    let Ok(endpoint) = Url::parse(endpoint) else {
        return;
    };
    for (name, value) in &mut answer.headers {
        let link = ["location", "azure-asyncoperation", "operation-location"]
            .iter()
            .any(|h| name.eq_ignore_ascii_case(h));
        if !link {
            continue;
        }
        if let Ok(mut url) = Url::parse(value)
            && url.origin() != endpoint.origin()
            && url.set_scheme(endpoint.scheme()).is_ok()
            && url.set_host(endpoint.host_str()).is_ok()
            && url.set_port(endpoint.port()).is_ok()
        {
            *value = url.to_string();
        }
    }
}

/// The `provisioningState` of a resource body, at the top or under
/// `properties`.
fn provisioning_state(body: &Value) -> Option<&str> {
    body.get("properties")
        .and_then(|p| p.get("provisioningState"))
        .or_else(|| body.get("provisioningState"))
        .and_then(Value::as_str)
}

fn is_final(body: &Value) -> bool {
    provisioning_state(body).is_none_or(|s| {
        matches!(
            s.to_ascii_lowercase().as_str(),
            "succeeded" | "failed" | "canceled" | "cancelled"
        )
    })
}

/// The result as the finished operation shows it: an example's resource
/// caught mid-flight (`provisioningState: Creating`) is served, and
/// compared, as `Succeeded`, which is what ends the poll.
fn finished(mut answer: Answer) -> Answer {
    let Some(body) = answer.body.as_mut() else {
        return answer;
    };
    if is_final(body) {
        return answer;
    }
    let slot = match body.get_mut("properties") {
        Some(p) if p.get("provisioningState").is_some() => p.get_mut("provisioningState"),
        _ => body.get_mut("provisioningState"),
    };
    if let Some(slot) = slot {
        *slot = Value::String("Succeeded".to_string());
    }
    answer
}

/// A request as the transport received it.
#[derive(Debug, Clone)]
struct Sent {
    method: String,
    url: Url,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// What went wrong answering it, if anything (an unexpected poll).
    unexpected: Option<String>,
}

/// An `HttpClient` answering from the example: no sockets, no network.
#[derive(Debug)]
struct Transport {
    script: Arc<Script>,
    plan: Plan,
    sent: Mutex<Vec<Sent>>,
}

fn respond(status: u16, headers: &[(String, String)], body: Option<&Value>) -> AsyncRawResponse {
    let mut h = Headers::new();
    for (name, value) in headers {
        h.insert(name.to_ascii_lowercase(), value.clone());
    }
    let bytes = match body {
        None | Some(Value::Null) => Vec::new(),
        // A text body (a `text/plain` answer) goes out as the text itself.
        Some(Value::String(s)) if !s.starts_with('{') && !s.starts_with('[') => {
            s.clone().into_bytes()
        }
        Some(v) => {
            h.insert("content-type", "application/json");
            serde_json::to_vec(v).unwrap_or_default()
        }
    };
    let status = StatusCode::from(status);
    AsyncRawResponse::from_bytes(status, h, bytes)
}

#[async_trait]
impl HttpClient for Transport {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let body = match request.body() {
            azure_core::http::Body::Bytes(b) => b.to_vec(),
            #[allow(unreachable_patterns)]
            _ => Vec::new(),
        };
        let mut sent = Sent {
            method: request.method().to_string(),
            url: request.url().clone(),
            headers: request
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), v.as_str().to_string()))
                .collect(),
            body,
            unexpected: None,
        };
        let first = self.is_operation_request(&sent);
        let response = match &self.plan {
            Plan::Answer(answer) if first => {
                respond(answer.status, &answer.headers, answer.body.as_ref())
            }
            Plan::Answer(_) => {
                // A next page: the example shows one page, so this one is
                // the empty last.
                let field = self.script.item_field.as_deref().unwrap_or("value");
                respond(200, &[], Some(&serde_json::json!({ field: [] })))
            }
            Plan::LongRunning(flow) if first => respond(
                flow.initial.status,
                &flow.initial.headers,
                flow.initial.body.as_ref(),
            ),
            Plan::LongRunning(flow) => {
                let Flow {
                    monitor,
                    location,
                    status,
                    result,
                    ..
                } = flow.as_ref();
                let path = request.url().path();
                // A monitor that is also the `Location` (some services send
                // one URL as both) shows the result once it said done.
                let asked_before = self
                    .sent
                    .lock()
                    .map(|s| s.iter().any(|r| r.url.path() == path))
                    .unwrap_or(false);
                let result_there = location.as_deref() == Some(path) && asked_before;
                if monitor.as_deref() == Some(path) && !result_there {
                    respond(200, &[], Some(status))
                } else if location.as_deref() == Some(path) {
                    respond(result.status, &result.headers, result.body.as_ref())
                } else if sent.method == "GET" && same_path(&sent.url, &self.script) {
                    let status = if result.body.is_some() { 200 } else { 204 };
                    respond(status, &result.headers, result.body.as_ref())
                } else {
                    sent.unexpected = Some(format!(
                        "the poller asked for {} {}, which no answer pointed to",
                        sent.method, sent.url
                    ));
                    respond(
                        404,
                        &[],
                        Some(
                            &serde_json::json!({"error": {"code": "ReplayNotFound", "message": "not part of the example"}}),
                        ),
                    )
                }
            }
        };
        if let Ok(mut log) = self.sent.lock() {
            log.push(sent);
        }
        Ok(response)
    }
}

impl Transport {
    /// Whether a request is the operation's own (its method, to its path),
    /// rather than a poll or a next page. The first request always is:
    /// were its path wrong, the request check says so.
    fn is_operation_request(&self, sent: &Sent) -> bool {
        let nothing_yet = self.sent.lock().map(|s| s.is_empty()).unwrap_or(true);
        nothing_yet
            || (sent
                .method
                .eq_ignore_ascii_case(&self.script.request.method)
                && same_path(&sent.url, &self.script))
    }
}

/// Whether a URL is the one the operation's request goes to (compared as
/// decoded segments, so encoding choices do not matter).
fn same_path(url: &Url, script: &Script) -> bool {
    let wanted = expected_segments(script);
    let segments = path_segments(url);
    segments.len() == wanted.len() && segments.iter().zip(&wanted).all(|(a, b)| same_text(a, b))
}

/// The endpoint's own segments, then the operation's.
fn expected_segments(script: &Script) -> Vec<String> {
    let base: Vec<String> = Url::parse(&script.endpoint)
        .ok()
        .map(|u| path_segments(&u))
        .unwrap_or_default();
    base.into_iter()
        .chain(script.request.path.iter().cloned())
        .collect()
}

/// One call of the operation against one planned answer.
pub struct Replay {
    transport: Arc<Transport>,
}

impl Replay {
    pub fn endpoint(&self) -> &str {
        &self.transport.script.endpoint
    }

    pub fn credential(&self) -> Arc<StaticTokenCredential> {
        StaticTokenCredential::new("replay-token")
    }

    /// Client options routing every request to this replay, with retries
    /// off (each answer is given once).
    pub fn options(&self) -> ClientOptions {
        let mut options = ClientOptions::default();
        let transport: Arc<dyn HttpClient> = self.transport.clone();
        options.client_options.transport = Some(azure_core::http::Transport::new(transport));
        options.retry = RetryOptions {
            max_retries: 0,
            ..RetryOptions::default()
        };
        // The scope is never asked for: the credential is static.
        options.auth_scopes = Some(vec!["https://replay.invalid/.default".to_string()]);
        options
    }

    fn script(&self) -> &Script {
        &self.transport.script
    }

    fn failure(&self, cause: Cause, part: &str, message: String) -> Failure {
        Failure {
            cause,
            part: part.to_string(),
            message,
            origin: origin_of(self.script()),
        }
    }

    fn answer(&self) -> Option<&Answer> {
        match &self.transport.plan {
            Plan::Answer(a) => Some(a),
            Plan::LongRunning(flow) => Some(&flow.result),
        }
    }

    fn part(&self) -> String {
        self.answer()
            .map_or("response".to_string(), |a| format!("response {}", a.key))
    }

    /// The operation's request, compared with the example's.
    fn check_request(&self) -> Result<(), Failure> {
        let sent = self
            .transport
            .sent
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default();
        let Some(first) = sent.first() else {
            return Err(self.failure(
                Cause::RequestMismatch,
                "request",
                "the client sent no request".to_string(),
            ));
        };
        let expected = &self.script().request;
        let mut differences = Vec::new();
        if !first.method.eq_ignore_ascii_case(&expected.method) {
            differences.push(format!(
                "method: sent {}, example {}",
                first.method, expected.method
            ));
        }
        if !same_path(&first.url, self.script()) {
            let segments = path_segments(&first.url);
            let wanted = expected_segments(self.script());
            differences.push(format!(
                "path: sent /{}, example /{}",
                segments.join("/"),
                wanted.join("/")
            ));
        }
        let mut query: Vec<(String, String)> = first
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        for (name, value) in &expected.query {
            match query
                .iter()
                .position(|(k, v)| k == name && same_text(v, value))
            {
                Some(i) => {
                    query.remove(i);
                }
                None => {
                    let got: Vec<&str> = query
                        .iter()
                        .filter(|(k, _)| k == name)
                        .map(|(_, v)| v.as_str())
                        .collect();
                    differences.push(if got.is_empty() {
                        format!("query `{name}`: not sent, example {value:?}")
                    } else {
                        format!("query `{name}`: sent {got:?}, example {value:?}")
                    });
                }
            }
        }
        for (name, value) in query {
            differences.push(format!(
                "query `{name}`: sent {value:?}, the example has none"
            ));
        }
        for (name, value) in &expected.headers {
            match first
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
            {
                Some((_, v)) if same_text(v, value) => {}
                Some((_, v)) => {
                    differences.push(format!("header `{name}`: sent {v:?}, example {value:?}"))
                }
                None => differences.push(format!("header `{name}`: not sent, example {value:?}")),
            }
        }
        let body: Option<Value> = if first.body.is_empty() {
            None
        } else {
            match serde_json::from_slice(&first.body) {
                Ok(v) => Some(v),
                Err(_) => Some(Value::String(
                    String::from_utf8_lossy(&first.body).into_owned(),
                )),
            }
        };
        match (&expected.body, &body) {
            (None | Some(Value::Null), None) => {}
            (None | Some(Value::Null), Some(got)) => {
                differences.push(format!("body: sent {got}, the example has none"))
            }
            (Some(want), Some(got)) => {
                let mut out = Vec::new();
                compare("body", want, got, &mut out);
                differences.extend(out.into_iter().map(|d| d.describe("sent")));
            }
            (Some(want), None) => differences.push(format!("body: not sent, example {want}")),
        }
        if differences.is_empty() {
            Ok(())
        } else {
            Err(self.failure(Cause::RequestMismatch, "request", summarize(&differences)))
        }
    }

    /// An unexpected request while polling, if there was one.
    fn unexpected(&self) -> Option<String> {
        self.transport
            .sent
            .lock()
            .ok()?
            .iter()
            .find_map(|s| s.unexpected.clone())
    }

    /// An answer the client must have turned into an error: the status,
    /// and the code and message of the example's error body.
    fn check_error(
        &self,
        answer: &Answer,
        error: Option<&azure_core::Error>,
    ) -> Result<(), Failure> {
        let part = format!("response {}", answer.key);
        let Some(error) = error else {
            return Err(self.failure(
                Cause::ResponseLoss,
                &part,
                format!("the example answers {}, but the call succeeded", answer.key),
            ));
        };
        let Some(service) = ServiceError::of(error) else {
            return Err(self.failure(
                Cause::ResponseLoss,
                &part,
                format!(
                    "the example answers {}, but the error is not a service error: {error}",
                    answer.key
                ),
            ));
        };
        let mut differences = Vec::new();
        if u16::from(service.status) != answer.status {
            differences.push(format!(
                "status: {}, answered {}",
                u16::from(service.status),
                answer.status
            ));
        }
        let body = answer.body.as_ref();
        let inner = body
            .and_then(|b| b.get("error"))
            .filter(|e| e.is_object())
            .or(body);
        let text = |key: &str| inner.and_then(|b| b.get(key)).and_then(Value::as_str);
        if let Some(code) = text("code")
            && service.code() != Some(code)
        {
            differences.push(format!("code: {:?}, example {code:?}", service.code()));
        }
        if let Some(message) = text("message")
            && service.message() != Some(message)
        {
            differences.push(format!(
                "message: {:?}, example {message:?}",
                service.message()
            ));
        }
        if differences.is_empty() {
            Ok(())
        } else {
            Err(self.failure(Cause::ResponseLoss, &part, summarize(&differences)))
        }
    }

    /// What an error on a documented success says about its cause.
    fn cause_of(&self, error: &azure_core::Error) -> Failure {
        let message = error.to_string();
        let cause = if matches!(error.kind(), azure_core::error::ErrorKind::DataConversion)
            && message.contains("does not match its documented type")
        {
            Cause::DecodeError
        } else if self.script().kind == "long-running" {
            Cause::LongRunning
        } else {
            Cause::ResponseLoss
        };
        let message = match self.unexpected() {
            Some(u) => format!("{message} ({u})"),
            None => message,
        };
        self.failure(cause, &self.part(), format!("the call failed: {message}"))
    }

    /// The answer's body against the typed value encoded again.
    fn check_value(&self, part: &str, want: Option<&Value>, got: &Value) -> Result<(), Failure> {
        let want = want.unwrap_or(&Value::Null);
        let mut out = Vec::new();
        compare("body", want, got, &mut out);
        if out.is_empty() {
            return Ok(());
        }
        let lines: Vec<String> = out.into_iter().map(|d| d.describe("decoded")).collect();
        Err(self.failure(Cause::ResponseLoss, part, summarize(&lines)))
    }

    fn encode<T: Serialize>(&self, value: &T) -> Result<Value, Failure> {
        serde_json::to_value(value).map_err(|e| {
            self.failure(
                Cause::ResponseLoss,
                &self.part(),
                format!("the typed result does not encode: {e}"),
            )
        })
    }

    /// A plain call: its request, then its answer, typed.
    pub fn check_plain<T: Serialize>(
        &self,
        result: azure_core::Result<Response<T>>,
    ) -> Result<(), Failure> {
        self.check_request()?;
        let Some(answer) = self.answer().cloned() else {
            return Ok(());
        };
        if answer.status == 0 {
            return Ok(());
        }
        if !answer.is_success() {
            return self.check_error(&answer, result.as_ref().err());
        }
        let response = result.map_err(|e| self.cause_of(&e))?;
        let got = self.encode(&response.into_model())?;
        self.check_value(&self.part(), answer.body.as_ref(), &got)
    }

    /// A pageable call: the first page, typed and encoded again (its next
    /// link included), then its items as the stream yields them. `items`
    /// is a second call of the same operation.
    pub async fn check_pages<P>(
        &self,
        pages: azure_core::Result<azure_core::http::ItemIterator<P>>,
        items: azure_core::Result<azure_core::http::ItemIterator<P>>,
    ) -> Result<(), Failure>
    where
        P: azure_core::http::pager::Page + Serialize + Send + 'static,
        P::Item: Serialize,
    {
        let Some(answer) = self.answer().cloned() else {
            return self.check_request();
        };
        let first = match pages {
            Ok(pages) => pages.into_pages().try_next().await,
            Err(e) => Err(e),
        };
        self.check_request()?;
        if answer.status == 0 {
            return Ok(());
        }
        if !answer.is_success() {
            return self.check_error(&answer, first.as_ref().err());
        }
        let page = first.map_err(|e| self.cause_of(&e))?.ok_or_else(|| {
            self.failure(
                Cause::ResponseLoss,
                &self.part(),
                "no page came back".to_string(),
            )
        })?;
        let got = self.encode(&page)?;
        self.check_value(&self.part(), answer.body.as_ref(), &got)?;
        // The items, as the stream yields them: as many as the page holds,
        // so the stream never asks for the next page.
        let field = self.script().item_field.as_deref().unwrap_or("value");
        let want: Vec<Value> = answer
            .body
            .as_ref()
            .and_then(|b| b.get(field))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut stream = items.map_err(|e| self.cause_of(&e))?;
        for (i, wanted) in want.iter().enumerate() {
            let item = stream
                .try_next()
                .await
                .map_err(|e| self.cause_of(&e))?
                .ok_or_else(|| {
                    self.failure(
                        Cause::ResponseLoss,
                        &self.part(),
                        format!(
                            "the stream ended after {i} of the page's {} items",
                            want.len()
                        ),
                    )
                })?;
            let got = self.encode(&item)?;
            let mut out = Vec::new();
            compare(&format!("body.{field}[{i}]"), wanted, &got, &mut out);
            if !out.is_empty() {
                let lines: Vec<String> = out.into_iter().map(|d| d.describe("streamed")).collect();
                return Err(self.failure(Cause::ResponseLoss, &self.part(), summarize(&lines)));
            }
        }
        Ok(())
    }

    /// A long-running call: its request, then the poller awaited to the
    /// end; the typed result encoded again against the example's result.
    pub async fn check_poller<F, T>(&self, poller: azure_core::Result<F>) -> Result<(), Failure>
    where
        F: IntoFuture<Output = azure_core::Result<Response<T>>>,
        T: Serialize,
    {
        let result = match poller {
            Ok(poller) => poller.into_future().await,
            Err(e) => Err(e),
        };
        self.check_request()?;
        match &self.transport.plan {
            Plan::Answer(answer) if answer.status == 0 => Ok(()),
            Plan::Answer(answer) if !answer.is_success() => {
                self.check_error(answer, result.as_ref().err())
            }
            Plan::Answer(answer) => {
                // A success answer not planned as a flow (no success in
                // the example's list): treat as the result.
                let response = result.map_err(|e| self.cause_of(&e))?;
                let got = self.encode(&response.into_model())?;
                self.check_value(
                    &format!("response {}", answer.key),
                    answer.body.as_ref(),
                    &got,
                )
            }
            Plan::LongRunning(flow) => {
                let (answer, status_added) = (&flow.result, flow.status_added);
                let response = result.map_err(|e| self.cause_of(&e))?;
                if let Some(u) = self.unexpected() {
                    return Err(self.failure(Cause::LongRunning, &self.part(), u));
                }
                let mut got = self.encode(&response.into_model())?;
                if let (true, Value::Object(members)) = (status_added, &mut got) {
                    members.remove("status");
                }
                self.check_value(
                    &format!("response {}", answer.key),
                    answer.body.as_ref(),
                    &got,
                )
            }
        }
    }
}

fn summarize(lines: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut out = lines
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if lines.len() > SHOWN {
        out.push_str(&format!("; and {} more", lines.len() - SHOWN));
    }
    out
}

/// Percent-decoded path segments of a URL, without empty ones.
fn path_segments(url: &Url) -> Vec<String> {
    url.path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: Option<&u8>| b.and_then(|b| char::from(*b).to_digit(16));
        match (bytes.get(i), hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
            (Some(b'%'), Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (Some(b), _, _) => {
                out.push(*b);
                i += 1;
            }
            (None, _, _) => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A difference between the example's JSON and ours, at a JSON path.
struct Difference {
    path: String,
    example: Option<Value>,
    ours: Option<Value>,
}

impl Difference {
    fn describe(self, ours: &str) -> String {
        let show = |v: &Option<Value>| match v {
            None => "absent".to_string(),
            Some(v) => {
                let text = v.to_string();
                if text.len() > 80 {
                    format!("{}…", text.chars().take(80).collect::<String>())
                } else {
                    text
                }
            }
        };
        format!(
            "{}: {ours} {}, example {}",
            self.path,
            show(&self.ours),
            show(&self.example)
        )
    }
}

/// Compares the example's value with ours. Numbers compare as numbers,
/// date-times as instants; a member the example sets to null is the same
/// as one left out.
fn compare(path: &str, example: &Value, ours: &Value, out: &mut Vec<Difference>) {
    const LIMIT: usize = 64;
    if out.len() >= LIMIT {
        return;
    }
    match (example, ours) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeMap<&String, ()> = a.keys().chain(b.keys()).map(|k| (k, ())).collect();
            for key in keys.into_keys() {
                let child = child_path(path, key);
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => compare(&child, x, y, out),
                    (Some(Value::Null), None) | (None, Some(Value::Null)) => {}
                    (x, y) => out.push(Difference {
                        path: child,
                        example: x.cloned(),
                        ours: y.cloned(),
                    }),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                let child = format!("{path}[{i}]");
                match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) => compare(&child, x, y, out),
                    (x, y) => out.push(Difference {
                        path: child,
                        example: x.cloned(),
                        ours: y.cloned(),
                    }),
                }
            }
        }
        (Value::Number(a), Value::Number(b)) if same_number(a, b) => {}
        (Value::String(a), Value::String(b)) if same_text(a, b) => {}
        (a, b) if a == b => {}
        (a, b) => out.push(Difference {
            path: path.to_string(),
            example: Some(a.clone()),
            ours: Some(b.clone()),
        }),
    }
}

fn child_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '@');
    if plain {
        format!("{path}.{key}")
    } else {
        format!("{path}[{key:?}]")
    }
}

fn same_number(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    match (a.as_i64(), b.as_i64(), a.as_u64(), b.as_u64()) {
        (Some(x), Some(y), _, _) => x == y,
        (_, _, Some(x), Some(y)) => x == y,
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= f64::EPSILON * x.abs().max(y.abs()),
            _ => false,
        },
    }
}

/// The same text, or two spellings of one instant, of one number, or of
/// the same bytes in base64 (padding, alphabet, trailing bits).
fn same_text(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if let (Some(x), Some(y)) = (instant(a), instant(b)) {
        return x == y;
    }
    if let (Ok(x), Ok(y)) = (a.parse::<f64>(), b.parse::<f64>()) {
        return x == y;
    }
    // One side as our encoder writes it (canonical), the other any base64
    // of the same bytes: `abc` and `abd` name the same two bytes too, but
    // neither is canonical, and they are not taken for one another.
    let bytes =
        |s: &str| serde_json::from_value::<crate::krate::Base64>(Value::String(s.to_string())).ok();
    let canonical = |s: &str, b: &crate::krate::Base64| {
        serde_json::to_value(b)
            .ok()
            .as_ref()
            .and_then(Value::as_str)
            == Some(s)
    };
    match (bytes(a), bytes(b)) {
        (Some(x), Some(y)) => x == y && (canonical(a, &x) || canonical(b, &y)),
        _ => false,
    }
}

/// A date-time as RFC 3339 (an offset-less one read as UTC) or RFC 1123.
fn instant(s: &str) -> Option<azure_core::time::OffsetDateTime> {
    if s.len() < 10 || !s.as_bytes().iter().any(u8::is_ascii_digit) {
        return None;
    }
    azure_core::time::parse_rfc3339(s)
        .or_else(|_| azure_core::time::parse_rfc3339(&format!("{s}Z")))
        .or_else(|_| azure_core::time::parse_rfc7231(s))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(value: Value) -> Script {
        serde_json::from_value(value).unwrap_or_else(|e| panic!("script: {e}"))
    }

    fn lro_script(method: &str, final_state: Option<&str>) -> Script {
        script(serde_json::json!({
            "operation": "Jobs_Run", "example": "e", "file": "x.json",
            "endpoint": "https://example.invalid", "kind": "long-running",
            "final_state": final_state,
            "request": {"method": method, "path": ["jobs", "j1"]},
        }))
    }

    fn answer(status: u16, body: Option<Value>) -> Answer {
        Answer {
            key: status.to_string(),
            status,
            headers: Vec::new(),
            body,
        }
    }

    #[test]
    fn numbers_compare_as_numbers_and_date_times_as_instants() {
        let example = serde_json::json!({"price": 1.50, "n": 3, "at": "2024-03-01T09:00:00+01:00",
            "when": "Fri, 01 Mar 2024 08:00:00 GMT", "name": "a"});
        let ours = serde_json::json!({"price": 1.5, "n": 3.0, "at": "2024-03-01T08:00:00Z",
            "when": "2024-03-01T08:00:00Z", "name": "a"});
        let mut out = Vec::new();
        compare("body", &example, &ours, &mut out);
        assert!(
            out.is_empty(),
            "{:?}",
            out.into_iter().map(|d| d.describe("x")).collect::<Vec<_>>()
        );
        let mut out = Vec::new();
        compare(
            "body",
            &serde_json::json!({"at": "2024-03-01T09:00:00Z"}),
            &serde_json::json!({"at": "2024-03-01T09:00:01Z"}),
            &mut out,
        );
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn differences_are_named_by_json_path_and_nulls_are_absent() {
        let example = serde_json::json!({"properties": {"sku": {"name": "Standard"}, "gone": null},
            "list": [{"a-b": 1}], "kept": "x"});
        let ours = serde_json::json!({"properties": {"sku": {"name": "S1"}}, "list": [{"a-b": 2}], "added": true});
        let mut out = Vec::new();
        compare("body", &example, &ours, &mut out);
        let lines: Vec<String> = out.into_iter().map(|d| d.describe("sent")).collect();
        assert_eq!(
            lines,
            [
                "body.added: sent true, example absent",
                "body.kept: sent absent, example \"x\"",
                "body.list[0][\"a-b\"]: sent 2, example 1",
                "body.properties.sku.name: sent \"S1\", example \"Standard\"",
            ]
        );
    }

    #[test]
    fn base64_spellings_of_the_same_bytes_match() {
        assert!(same_text("aGVsbG8=", "aGVsbG8"));
        assert!(same_text("aGVsbG8", "aGVsbG8="));
        assert!(!same_text("abc", "abd"), "neither is canonical");
        // `9` differs from `8` only in bits past the last byte: the same.
        assert!(same_text("aGVsbG8=", "aGVsbG9="));
        assert!(!same_text("aGVsbG8=", "aGVsbG4="));
    }

    #[test]
    fn paths_compare_as_decoded_segments() {
        let url = Url::parse("https://h/base//subscriptions/sub%201/rg%2Fx/")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            path_segments(&url),
            ["base", "subscriptions", "sub 1", "rg/x"]
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn a_202_without_a_handle_gets_one_as_its_final_state_says() {
        let accepted = answer(202, None);
        let done = answer(200, Some(serde_json::json!({"exitCode": 0})));
        let plan = long_running_plan(
            &lro_script("POST", Some("location")),
            &accepted,
            &[&accepted, &done],
        );
        let Plan::LongRunning(flow) = plan else {
            panic!("not a long-running plan");
        };
        let Flow {
            initial,
            location,
            monitor,
            result,
            ..
        } = *flow;
        assert_eq!(monitor, None);
        assert_eq!(location.as_deref(), Some("/replay/operations/result"));
        assert!(
            initial
                .headers
                .iter()
                .any(|(k, v)| k == "Location" && v.ends_with("/replay/operations/result"))
        );
        assert_eq!(result.status, 200);
        let plan = long_running_plan(&lro_script("PUT", None), &accepted, &[&accepted, &done]);
        let Plan::LongRunning(flow) = plan else {
            panic!("not a long-running plan");
        };
        let Flow {
            monitor, location, ..
        } = *flow;
        assert_eq!(monitor.as_deref(), Some("/replay/operations/status"));
        assert_eq!(location, None);
    }

    #[test]
    fn a_resource_caught_mid_flight_is_served_finished() {
        let creating = answer(
            201,
            Some(serde_json::json!({"properties": {"provisioningState": "Creating"}})),
        );
        let plan = long_running_plan(&lro_script("PUT", None), &creating, &[&creating]);
        let Plan::LongRunning(flow) = plan else {
            panic!("not a long-running plan");
        };
        let result = flow.result;
        assert_eq!(
            result.body,
            Some(serde_json::json!({"properties": {"provisioningState": "Succeeded"}}))
        );
        // A finished first answer is the result itself.
        let created = answer(
            201,
            Some(serde_json::json!({"provisioningState": "Succeeded", "id": "a"})),
        );
        let other = answer(200, Some(serde_json::json!({"id": "b"})));
        let plan = long_running_plan(&lro_script("PUT", None), &created, &[&created, &other]);
        let Plan::LongRunning(flow) = plan else {
            panic!("not a long-running plan");
        };
        let result = flow.result;
        assert_eq!(result.status, 201);
    }

    #[test]
    fn links_in_headers_move_to_the_endpoint() {
        let mut a = answer(202, None);
        a.headers.push((
            "Azure-AsyncOperation".into(),
            "https://myvault.vault.azure.net/ops/1?x=1".into(),
        ));
        a.headers.push(("Retry-After".into(), "10".into()));
        at_endpoint(&mut a, "https://myhsm.managedhsm.azure.net");
        assert_eq!(
            a.headers[0].1,
            "https://myhsm.managedhsm.azure.net/ops/1?x=1"
        );
        assert_eq!(a.headers[1].1, "10");
    }

    #[test]
    fn example_values_decode_as_the_wire_carries_them() {
        let example = Example {
            script: Arc::new(script(serde_json::json!({
                "operation": "Op", "example": "e", "file": "x.json",
                "endpoint": "https://example.invalid", "kind": "plain",
                "parameters": {"top": "5000", "tags": "a, b", "flag": true, "name": 7},
                "request": {"method": "GET", "path": []},
            }))),
        };
        assert_eq!(example.arg::<f64>("top").ok(), Some(5000.0));
        assert_eq!(
            example.arg::<Vec<String>>("tags").ok(),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(example.arg::<String>("flag").ok().as_deref(), Some("true"));
        assert_eq!(example.arg::<String>("name").ok().as_deref(), Some("7"));
        let missing = example
            .arg::<String>("absent")
            .err()
            .map(|f| (f.cause, f.message));
        assert_eq!(
            missing,
            Some((
                Cause::RequestMismatch,
                "the example gives no value for the required parameter `absent`".to_string()
            ))
        );
        let wrong = example.arg::<i32>("tags").err().map(|f| f.cause);
        assert_eq!(wrong, Some(Cause::DecodeError));
    }
}
