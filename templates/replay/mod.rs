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
//! example it concerns, the example file, and the JSON path (and pointer
//! into the example) of each difference.

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

use crate::krate::{
    Response, RetryPolicyOptions, ServiceClientOptions, ServiceError, StaticTokenCredential,
};

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
    /// A long-running operation was not followed as its answers say.
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
    /// Where in the example each difference is, as JSON pointers
    /// (`/parameters/item/count`, `/responses/200/body/value/0/id`); empty
    /// when the failure is not about one value.
    pub pointers: Vec<String>,
    /// The example file, the operation and the example's title.
    pub origin: String,
}

impl fmt::Debug for Failure {
    // A test returning `Err` prints its error with `Debug`: one line the
    // conformance report reads (`[cause] part: …`), then the details.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] {}: {}",
            self.cause.as_str(),
            self.part,
            self.message
        )?;
        if !self.pointers.is_empty() {
            write!(f, "\n  at {}", self.pointers.join(" "))?;
        }
        write!(f, "\n  in {}", self.origin)
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
            pointers: Vec::new(),
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
    /// Long-running: where the spec says the result is read
    /// (`original-uri`, `location`, `azure-async-operation`,
    /// `operation-location`), or nothing when it does not say.
    #[serde(default)]
    final_state: Option<String>,
    /// Pageable: the page's member holding the items.
    #[serde(default)]
    item_field: Option<String>,
    /// Pageable: the page's member holding the next link, if any.
    #[serde(default)]
    next_link_field: Option<String>,
    /// Long-running: the operation documents a result of its own.
    #[serde(default)]
    has_result: bool,
    /// How success answers travel: `json`, `text` or `binary` (the
    /// example's body, a string, is then the body itself).
    #[serde(default)]
    answer_media: Option<String>,
    /// The statuses the operation counts as success.
    #[serde(default)]
    success: Vec<u16>,
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

impl Script {
    fn is_success(&self, answer: &Answer) -> bool {
        if answer.key == "default" {
            return false;
        }
        if self.success.is_empty() {
            (200..300).contains(&answer.status)
        } else {
            self.success.contains(&answer.status)
        }
    }

    fn method(&self) -> String {
        self.request.method.to_ascii_uppercase()
    }

    /// The `final-state-via` the spec gives, if any.
    fn final_state(&self) -> Option<&str> {
        self.final_state.as_deref()
    }
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
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }

    /// No answer documented: only the request is checked.
    fn none() -> Self {
        Answer {
            key: "none".to_string(),
            status: 0,
            headers: Vec::new(),
            body: None,
        }
    }
}

/// One example: its values, and the replays it makes (one per answer).
pub struct Example {
    script: Arc<Script>,
}

impl Example {
    pub fn parse(json: &str) -> Result<Self, Failure> {
        let script: Script = serde_json::from_str(json).map_err(|e| Failure {
            cause: Cause::Unsupported,
            part: "request".to_string(),
            message: format!("the test's script does not parse (a generator bug): {e}"),
            pointers: Vec::new(),
            origin: String::new(),
        })?;
        Ok(Self {
            script: Arc::new(script),
        })
    }

    fn failure(&self, cause: Cause, pointer: Option<String>, message: String) -> Failure {
        Failure {
            cause,
            part: "request".to_string(),
            message,
            pointers: pointer.into_iter().collect(),
            origin: origin_of(&self.script),
        }
    }

    /// Fails with the reason the operation cannot be replayed, if any.
    pub fn supported(&self) -> Result<(), Failure> {
        match &self.script.unsupported {
            Some(why) => Err(self.failure(Cause::Unsupported, None, why.clone())),
            None => Ok(()),
        }
    }

    /// A required parameter's value, as the method's Rust type.
    pub fn arg<T: DeserializeOwned>(&self, wire: &str) -> Result<T, Failure> {
        self.opt(wire)?.ok_or_else(|| {
            self.failure(
                Cause::RequestMismatch,
                Some("/parameters".to_string()),
                format!("the example gives no value for the required parameter `{wire}`"),
            )
        })
    }

    /// An optional parameter's value, if the example gives one.
    pub fn opt<T: DeserializeOwned>(&self, wire: &str) -> Result<Option<T>, Failure> {
        match self.script.parameters.get(wire) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => {
                let pointer = pointer_push("/parameters", wire);
                self.decode(value, &format!("parameter `{wire}`"), pointer)
                    .map(Some)
            }
        }
    }

    /// The request body, decoded into the operation's body type.
    pub fn body<T: DeserializeOwned>(&self) -> Result<T, Failure> {
        self.opt_body()?.ok_or_else(|| {
            self.failure(
                Cause::RequestMismatch,
                Some("/parameters".to_string()),
                "the example gives no value for the required request body".to_string(),
            )
        })
    }

    pub fn opt_body<T: DeserializeOwned>(&self) -> Result<Option<T>, Failure> {
        match &self.script.request.body {
            None | Some(Value::Null) => Ok(None),
            Some(value) => {
                let pointer = body_pointer(&self.script);
                self.decode(value, "the request body", pointer).map(Some)
            }
        }
    }

    /// Decodes a value as the example wrote it; a number or boolean where
    /// text is expected, or comma-separated text where a list is, is read
    /// as the wire would carry it.
    fn decode<T: DeserializeOwned>(
        &self,
        value: &Value,
        what: &str,
        pointer: String,
    ) -> Result<T, Failure> {
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
                    s.split(',').map(|p| Value::String(p.to_string())).collect(),
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
                    Some(pointer),
                    format!("{what} does not decode into its generated type: {first}"),
                )
            })
    }

    /// The replays to run: one per answer the example documents. For a
    /// long-running operation each documented success is a first answer,
    /// followed to the end.
    pub fn replays(&self) -> Vec<Replay> {
        let script = &self.script;
        let (success, errors): (Vec<&Answer>, Vec<&Answer>) =
            script.responses.iter().partition(|a| script.is_success(a));
        let mut plans = Vec::new();
        if script.kind == "long-running" {
            plans.extend(
                success
                    .iter()
                    .map(|a| long_running_plan(script, a, &success)),
            );
        } else {
            plans.extend(success.iter().map(|a| answer_plan(script, a)));
        }
        plans.extend(errors.iter().map(|a| Plan::Answer {
            answer: (*a).clone(),
            next_page: None,
        }));
        if plans.is_empty() {
            plans.push(Plan::Answer {
                answer: Answer::none(),
                next_page: None,
            });
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

/// Where the example gives the body: `/parameters/<name>`.
fn body_pointer(script: &Script) -> String {
    match &script.body_parameter {
        Some(name) => pointer_push("/parameters", name),
        None => "/parameters".to_string(),
    }
}

/// Appends one reference token to a JSON pointer.
fn pointer_push(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}

/// How the transport answers.
#[derive(Debug, Clone)]
enum Plan {
    /// The operation's request gets this answer. For a page with a next
    /// link, the link (moved to the endpoint) gets an empty last page.
    Answer {
        answer: Answer,
        next_page: Option<Box<Url>>,
    },
    /// A long-running operation's flow.
    LongRunning(Box<Flow>),
}

/// A plain or pageable operation's answer; a page's next link moved to the
/// test's endpoint, so the client can follow it there.
fn answer_plan(script: &Script, answer: &Answer) -> Plan {
    let mut answer = answer.clone();
    let mut next_page = None;
    if script.kind == "pageable"
        && let (Some(field), Some(Value::Object(body))) =
            (&script.next_link_field, answer.body.as_mut())
        && let Some(Value::String(link)) = body.get_mut(field.as_str())
        && let Some(moved) = moved_to_endpoint(link, &script.endpoint)
        && !is_operation_url(&moved, script)
    {
        *link = moved.to_string();
        next_page = Some(Box::new(moved));
    }
    Plan::Answer { answer, next_page }
}

/// A link (absolute, or relative to the endpoint) at the test's endpoint:
/// examples name placeholder hosts (`myvault`, `myhsm`) as they please, and
/// the client follows links only to its own endpoint. `None` when the link
/// is not a URL at all.
fn moved_to_endpoint(link: &str, endpoint: &str) -> Option<Url> {
    let endpoint = Url::parse(endpoint).ok()?;
    let mut url = endpoint.join(link).ok()?;
    if url.origin() != endpoint.origin() {
        url.set_scheme(endpoint.scheme()).ok()?;
        url.set_host(endpoint.host_str()).ok()?;
        url.set_port(endpoint.port()).ok()?;
    }
    Some(url)
}

/// Where the client must read a long-running operation's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    /// The first answer was the result.
    Initial,
    /// The status monitor's last document.
    Monitor,
    /// The last answer of `Location`.
    Location,
    /// A GET of the URI the operation was sent to.
    Original,
    /// Nowhere: a DELETE's result is nothing.
    Nothing,
}

/// A long-running operation as the transport plays it: the first answer
/// (with a link to poll, made up when the example shows none), a status
/// monitor that says `InProgress` once and then the end, a `Location` that
/// answers 202 once and then its last answer, the original URI answering
/// with the resource; the result served only where the client must read
/// it.
#[derive(Debug, Clone)]
struct Flow {
    initial: Answer,
    /// Path of the status monitor the first answer points at, if any.
    monitor: Option<String>,
    /// Path of the `Location` the first answer points at, if any.
    location: Option<String>,
    /// The monitor's last document.
    monitor_final: Value,
    /// `Location`'s last answer.
    location_final: Answer,
    /// What a GET of the original URI answers, where the client may ask.
    original: Option<Answer>,
    /// Where the client must read the result.
    result_at: Where,
    /// What the result must encode to; `None` when the example documents
    /// no result, and only the flow is judged.
    expected: Option<Answer>,
    /// The monitor's document is the result, with a `status` member the
    /// example's result has not (ours, to end the poll).
    status_added: bool,
}

/// A long-running flow starting with `first`, following the rules the
/// client follows: poll `Azure-AsyncOperation` or `Operation-Location`,
/// else `Location`, else (PUT and PATCH) the resource while it is not
/// done; read the result where `final-state-via` says, else where the
/// method's default says. A 202 always says where to poll; examples often
/// leave the header out, and one is made up (the monitor for PUT and PATCH
/// and where `final-state-via` names it, `Location` otherwise).
fn long_running_plan(script: &Script, first: &Answer, success: &[&Answer]) -> Plan {
    let mut initial = first.clone();
    let endpoint = script.endpoint.trim_end_matches('/').to_string();
    let method = script.method();
    let put_or_patch = method == "PUT" || method == "PATCH";
    let final_state = script.final_state();
    for (name, value) in &mut initial.headers {
        let link = ["location", "azure-asyncoperation", "operation-location"]
            .iter()
            .any(|h| name.eq_ignore_ascii_case(h));
        if let (true, Some(moved)) = (link, moved_to_endpoint(value, &endpoint)) {
            *value = moved.to_string();
        }
    }
    let mut monitor = initial
        .header("azure-asyncoperation")
        .or_else(|| initial.header("operation-location"));
    let mut location = initial.header("location");
    if initial.status == 202 && monitor.is_none() && location.is_none() {
        let via_monitor = match final_state {
            Some("azure-async-operation" | "operation-location") => true,
            Some("location") => false,
            _ => put_or_patch,
        };
        if via_monitor {
            let name = if final_state == Some("operation-location") {
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
    let state = initial.body.as_ref().and_then(provisioning_state);
    let polls_resource = monitor.is_none()
        && location.is_none()
        && put_or_patch
        && (initial.status == 202
            || (initial.status == 201 && state.is_none())
            || state.as_deref().is_some_and(|s| !is_final_state(s)));
    let result_at = if monitor.is_some() {
        match final_state {
            Some("location") if location.is_some() => Where::Location,
            Some("azure-async-operation" | "operation-location") if method == "POST" => {
                Where::Monitor
            }
            Some("original-uri") => Where::Original,
            _ if put_or_patch => Where::Original,
            _ if method == "POST" && location.is_some() => Where::Location,
            _ if method == "DELETE" => Where::Nothing,
            _ => Where::Monitor,
        }
    } else if location.is_some() {
        match final_state {
            Some("original-uri") => Where::Original,
            _ => Where::Location,
        }
    } else if polls_resource {
        Where::Original
    } else {
        Where::Initial
    };
    // The example's result: its 200, else 201, else 204.
    let find = |status: u16| {
        success
            .iter()
            .find(|a| a.status == status)
            .map(|a| (*a).clone())
    };
    let documented = find(200).or_else(|| find(201)).or_else(|| find(204));
    let empty = |status: u16| Answer {
        key: status.to_string(),
        status,
        headers: Vec::new(),
        body: None,
    };
    let bare_status = serde_json::json!({"status": "Succeeded"});
    let mut flow = Flow {
        initial: initial.clone(),
        monitor: monitor.map(|m| link_path(&m, &endpoint)),
        location: location.map(|l| link_path(&l, &endpoint)),
        monitor_final: bare_status.clone(),
        location_final: empty(204),
        original: None,
        result_at,
        expected: None,
        status_added: false,
    };
    match result_at {
        Where::Initial => flow.expected = Some(initial),
        Where::Nothing => flow.expected = Some(empty(204)),
        Where::Location => match documented {
            Some(result) => {
                // The client reads a resource's state here too.
                let result = finished(result);
                flow.location_final = result.clone();
                flow.expected = Some(result);
            }
            // No result documented: an operation without one ends empty;
            // one with a result shows the first answer's body, and only
            // the flow is judged.
            None if !script.has_result => flow.expected = Some(empty(204)),
            None => {
                flow.location_final = Answer {
                    status: 200,
                    ..initial.clone()
                };
            }
        },
        Where::Original => {
            // The resource as the finished operation shows it; where the
            // example documents none, what the first answer showed, judged
            // only for completion.
            let (served, judged) = match documented {
                Some(result) if result.body.is_some() => (result, true),
                _ => (initial.clone(), false),
            };
            let mut served = finished(served);
            served.status = 200;
            flow.original = Some(served.clone());
            flow.expected = judged.then_some(served);
        }
        Where::Monitor => match documented {
            Some(result) if matches!(result.body, Some(Value::Object(_))) => {
                let mut body = match result.body.clone() {
                    Some(Value::Object(body)) => body,
                    _ => serde_json::Map::new(),
                };
                if body.contains_key("status") {
                    body.insert("status".to_string(), Value::from("Succeeded"));
                } else {
                    flow.status_added = true;
                }
                let mut served = body.clone();
                served
                    .entry("status")
                    .or_insert_with(|| Value::from("Succeeded"));
                flow.monitor_final = Value::Object(served);
                flow.expected = Some(Answer {
                    body: Some(Value::Object(body)),
                    ..result
                });
            }
            // The example documents no final document: the monitor shows
            // the first answer's body, finished, and only the flow is
            // judged.
            _ => {
                if let Some(Value::Object(body)) = &initial.body {
                    let mut served = body.clone();
                    served.insert("status".to_string(), Value::from("Succeeded"));
                    flow.monitor_final = Value::Object(served);
                }
            }
        },
    }
    Plan::LongRunning(Box::new(flow))
}

/// The path a link names, at the test's endpoint.
fn link_path(link: &str, endpoint: &str) -> String {
    moved_to_endpoint(link, endpoint)
        .map(|u| u.path().to_string())
        .unwrap_or_else(|| link.to_string())
}

/// The `provisioningState` of a resource body, at the top or under
/// `properties`.
fn provisioning_state(body: &Value) -> Option<String> {
    body.get("properties")
        .and_then(|p| p.get("provisioningState"))
        .or_else(|| body.get("provisioningState"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The states the client takes as the end (its `poller_status_of`).
fn is_final_state(state: &str) -> bool {
    matches!(
        state.to_ascii_lowercase().as_str(),
        "succeeded"
            | "completed"
            | "done"
            | "failed"
            | "timedout"
            | "error"
            | "canceled"
            | "cancelled"
    )
}

/// The result as the finished operation shows it: an example's resource
/// caught mid-flight (`provisioningState: Creating`) is served, and
/// compared, as `Succeeded`, which is what ends the poll.
fn finished(mut answer: Answer) -> Answer {
    let Some(body) = answer.body.as_mut() else {
        return answer;
    };
    if provisioning_state(body).is_none_or(|s| is_final_state(&s)) {
        return answer;
    }
    let slot = match body.get_mut("properties") {
        Some(p) if p.get("provisioningState").is_some() => p.get_mut("provisioningState"),
        _ => body.get_mut("provisioningState"),
    };
    if let Some(slot) = slot {
        *slot = Value::from("Succeeded");
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
    /// What the transport made of it (`operation`, `monitor`, `location`,
    /// `original`, `next page`), or why it was unexpected.
    role: Result<&'static str, String>,
}

/// An `HttpClient` answering from the example: no sockets, no network.
#[derive(Debug)]
struct Transport {
    script: Arc<Script>,
    plan: Plan,
    sent: Mutex<Vec<Sent>>,
}

/// An answer as the transport sends it. Header names that HTTP cannot
/// carry are left out.
fn respond(status: u16, headers: &[(String, String)], body: Option<&Value>) -> AsyncRawResponse {
    respond_as(status, headers, body, false)
}

/// As [`respond`]; `raw` sends a string body as the text itself (a text or
/// binary answer), not as JSON.
fn respond_as(
    status: u16,
    headers: &[(String, String)],
    body: Option<&Value>,
    raw: bool,
) -> AsyncRawResponse {
    let mut h = Headers::new();
    for (name, value) in headers {
        let token = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if token {
            h.insert(name.to_ascii_lowercase(), value.clone());
        }
    }
    let bytes = match body {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(text)) if raw => text.clone().into_bytes(),
        Some(v) => {
            h.insert("content-type", "application/json");
            serde_json::to_vec(v).unwrap_or_default()
        }
    };
    AsyncRawResponse::from_bytes(StatusCode::from(status), h, bytes)
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
            role: Ok("operation"),
        };
        let (response, role) = self.answer(&sent);
        sent.role = role;
        if let Ok(mut log) = self.sent.lock() {
            log.push(sent);
        }
        Ok(response)
    }
}

impl Transport {
    /// How many requests already went to `path` in `role`.
    fn asked(&self, role: &str) -> usize {
        self.sent
            .lock()
            .map(|s| s.iter().filter(|r| r.role.as_deref() == Ok(role)).count())
            .unwrap_or(0)
    }

    fn answer(&self, sent: &Sent) -> (AsyncRawResponse, Result<&'static str, String>) {
        let nothing_yet = self.sent.lock().map(|s| s.is_empty()).unwrap_or(true);
        let is_operation = nothing_yet
            || (sent
                .method
                .eq_ignore_ascii_case(&self.script.request.method)
                && same_path(&sent.url, &self.script));
        let path = sent.url.path().to_string();
        let unexpected = |why: String| {
            (
                respond(
                    404,
                    &[],
                    Some(
                        &serde_json::json!({"error": {"code": "ReplayNotFound", "message": "not part of the example"}}),
                    ),
                ),
                Err(why),
            )
        };
        match &self.plan {
            Plan::Answer { answer, next_page } => {
                if let Some(next) = next_page
                    && same_link(&sent.url, next)
                {
                    let field = self.script.item_field.as_deref().unwrap_or("value");
                    let empty = serde_json::json!({ field: [] });
                    return (respond(200, &[], Some(&empty)), Ok("next page"));
                }
                if is_operation {
                    let raw = self
                        .script
                        .answer_media
                        .as_deref()
                        .is_some_and(|m| m != "json")
                        && self.script.is_success(answer);
                    return (
                        respond_as(answer.status, &answer.headers, answer.body.as_ref(), raw),
                        Ok("operation"),
                    );
                }
                unexpected(format!(
                    "the client asked for {} {}, which the example never pointed to",
                    sent.method, sent.url
                ))
            }
            Plan::LongRunning(flow) => {
                if is_operation && self.asked("operation") == 0 {
                    let a = &flow.initial;
                    return (
                        respond(a.status, &a.headers, a.body.as_ref()),
                        Ok("operation"),
                    );
                }
                let at_monitor = flow.monitor.as_deref() == Some(path.as_str());
                let at_location = flow.location.as_deref() == Some(path.as_str());
                // The monitor says `InProgress` once, then the end; a
                // `Location` that is also the monitor (some services send
                // one URL as both) then shows the result.
                if at_monitor {
                    let n = self.asked("monitor");
                    if n == 0 {
                        let running = serde_json::json!({"status": "InProgress"});
                        return (respond(200, &[], Some(&running)), Ok("monitor"));
                    }
                    if n == 1 || !at_location {
                        return (respond(200, &[], Some(&flow.monitor_final)), Ok("monitor"));
                    }
                }
                if at_location {
                    let a = &flow.location_final;
                    if self.asked("location") == 0 && !at_monitor {
                        return (respond(202, &[], None), Ok("location"));
                    }
                    return (
                        respond(a.status, &a.headers, a.body.as_ref()),
                        Ok("location"),
                    );
                }
                if sent.method == "GET"
                    && same_path(&sent.url, &self.script)
                    && let Some(a) = &flow.original
                {
                    return (
                        respond(a.status, &a.headers, a.body.as_ref()),
                        Ok("original"),
                    );
                }
                unexpected(format!(
                    "the poller asked for {} {}, which is not where this flow's answers are",
                    sent.method, sent.url
                ))
            }
        }
    }
}

/// Whether a URL is the one the operation's request goes to (compared as
/// decoded segments, so encoding choices do not matter).
fn same_path(url: &Url, script: &Script) -> bool {
    let wanted = expected_segments(script);
    let segments = path_segments(url);
    segments.len() == wanted.len() && segments.iter().zip(&wanted).all(|(a, b)| a == b)
}

/// Whether a URL is the operation's own (its path and its query but for
/// `api-version`): a next link that is cannot be told from it.
fn is_operation_url(url: &Url, script: &Script) -> bool {
    let mut own: Vec<(String, String)> = script
        .request
        .query
        .iter()
        .filter(|(k, _)| k != "api-version")
        .cloned()
        .collect();
    own.sort();
    same_path(url, script) && link_query(url) == own
}

/// A link's query, but for the `api-version` the client sets again.
fn link_query(url: &Url) -> Vec<(String, String)> {
    let mut q: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "api-version")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    q.sort();
    q
}

/// Whether a request went to a link: its path, and its query but for the
/// `api-version` the client sets again.
fn same_link(url: &Url, link: &Url) -> bool {
    path_segments(url) == path_segments(link) && link_query(url) == link_query(link)
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
    pub fn options(&self) -> ServiceClientOptions {
        let mut options = ServiceClientOptions::default();
        let transport: Arc<dyn HttpClient> = self.transport.clone();
        options.client_options.transport = Some(azure_core::http::Transport::new(transport));
        options.retry = RetryPolicyOptions {
            max_retries: 0,
            ..RetryPolicyOptions::default()
        };
        // The scope is never asked for: the credential is static.
        options.auth_scopes = Some(vec!["https://replay.invalid/.default".to_string()]);
        options
    }

    fn script(&self) -> &Script {
        &self.transport.script
    }

    fn failure(&self, cause: Cause, part: &str, message: String, pointers: Vec<String>) -> Failure {
        Failure {
            cause,
            part: part.to_string(),
            message,
            pointers,
            origin: origin_of(self.script()),
        }
    }

    /// The answer whose part a failure concerns: the planned answer, or a
    /// flow's first answer.
    fn first_answer(&self) -> &Answer {
        match &self.transport.plan {
            Plan::Answer { answer, .. } => answer,
            Plan::LongRunning(flow) => &flow.initial,
        }
    }

    fn sent(&self) -> Vec<Sent> {
        self.transport
            .sent
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    /// The operation's request, compared with the example's.
    fn check_request(&self) -> Result<(), Failure> {
        let sent = self.sent();
        let Some(first) = sent.first() else {
            return Err(self.failure(
                Cause::RequestMismatch,
                "request",
                "the client sent no request".to_string(),
                Vec::new(),
            ));
        };
        let script = self.script();
        let expected = &script.request;
        let mut differences = Vec::new();
        let mut pointers = Vec::new();
        if !first.method.eq_ignore_ascii_case(&expected.method) {
            differences.push(format!(
                "method: sent {}, example {}",
                first.method, expected.method
            ));
        }
        if let Ok(endpoint) = Url::parse(&script.endpoint)
            && first.url.origin() != endpoint.origin()
        {
            differences.push(format!(
                "host: sent {}, example {}",
                first.url.origin().ascii_serialization(),
                endpoint.origin().ascii_serialization()
            ));
        }
        // Empty segments count here: `//` or a lost value is a difference.
        let trimmed = first.url.path().trim_matches('/');
        let raw: Vec<String> = if trimmed.is_empty() {
            Vec::new()
        } else {
            trimmed.split('/').map(percent_decode).collect()
        };
        let wanted = expected_segments(script);
        if raw != wanted {
            differences.push(format!(
                "path: sent /{}, example /{}",
                raw.join("/"),
                wanted.join("/")
            ));
            pointers.push("/parameters".to_string());
        }
        let mut query: Vec<(String, String)> = first
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        for (name, value) in &expected.query {
            match query
                .iter()
                .position(|(k, v)| k == name && same_param_text(v, value))
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
                    pointers.push(pointer_push("/parameters", name));
                }
            }
        }
        for (name, value) in query {
            differences.push(format!(
                "query `{name}`: sent {value:?}, the example has none"
            ));
            pointers.push(pointer_push("/parameters", &name));
        }
        for (name, value) in &expected.headers {
            match first
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
            {
                Some((_, v)) if same_param_text(v, value) => {}
                Some((_, v)) => {
                    differences.push(format!("header `{name}`: sent {v:?}, example {value:?}"));
                    pointers.push(pointer_push("/parameters", name));
                }
                None => {
                    differences.push(format!("header `{name}`: not sent, example {value:?}"));
                    pointers.push(pointer_push("/parameters", name));
                }
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
        let at = body_pointer(script);
        match (&expected.body, &body) {
            (None | Some(Value::Null), None) => {}
            (None | Some(Value::Null), Some(got)) => {
                differences.push(format!("body: sent {got}, the example has none"));
                pointers.push(at);
            }
            (Some(want), Some(got)) => {
                // In a PATCH a null is a value (merge patch clears a
                // member with it), not the same as a member left out.
                let nulls = if expected.method.eq_ignore_ascii_case("PATCH") {
                    Nulls::Strict
                } else {
                    Nulls::Absent
                };
                let mut out = Vec::new();
                compare(&Spot::new("body", &at), want, got, nulls, &mut out);
                for d in out {
                    pointers.push(d.pointer.clone());
                    differences.push(d.describe("sent"));
                }
            }
            (Some(want), None) => {
                differences.push(format!("body: not sent, example {want}"));
                pointers.push(at);
            }
        }
        if differences.is_empty() {
            Ok(())
        } else {
            Err(self.failure(
                Cause::RequestMismatch,
                "request",
                summarize(&differences),
                pointers,
            ))
        }
    }

    /// A request nothing in the example pointed to, if there was one.
    fn unexpected(&self) -> Option<String> {
        self.sent().into_iter().find_map(|s| s.role.err())
    }

    /// An answer the client must have turned into an error: the status,
    /// and the code and message of the example's error body.
    fn check_error(
        &self,
        answer: &Answer,
        error: Option<&azure_core::Error>,
    ) -> Result<(), Failure> {
        let part = format!("response {}", answer.key);
        let at = pointer_push(&pointer_push("/responses", &answer.key), "body");
        let Some(error) = error else {
            return Err(self.failure(
                Cause::ResponseLoss,
                &part,
                format!("the example answers {}, but the call succeeded", answer.key),
                Vec::new(),
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
                Vec::new(),
            ));
        };
        let mut differences = Vec::new();
        let mut pointers = Vec::new();
        if u16::from(service.status) != answer.status {
            differences.push(format!(
                "status: {}, answered {}",
                u16::from(service.status),
                answer.status
            ));
        }
        let body = answer.body.as_ref();
        let (inner, inner_at) = match body.and_then(|b| b.get("error")).filter(|e| e.is_object()) {
            Some(e) => (Some(e), pointer_push(&at, "error")),
            None => (body, at),
        };
        let text = |key: &str| inner.and_then(|b| b.get(key)).and_then(Value::as_str);
        if let Some(code) = text("code")
            && service.code() != Some(code)
        {
            differences.push(format!("code: {:?}, example {code:?}", service.code()));
            pointers.push(pointer_push(&inner_at, "code"));
        }
        if let Some(message) = text("message")
            && service.message() != Some(message)
        {
            differences.push(format!(
                "message: {:?}, example {message:?}",
                service.message()
            ));
            pointers.push(pointer_push(&inner_at, "message"));
        }
        if differences.is_empty() {
            Ok(())
        } else {
            Err(self.failure(
                Cause::ResponseLoss,
                &part,
                summarize(&differences),
                pointers,
            ))
        }
    }

    /// What an error on a documented success says about its cause; `key`
    /// is the answer it concerns.
    fn cause_of(&self, error: &azure_core::Error, key: &str) -> Failure {
        let message = error.to_string();
        let decode = matches!(error.kind(), azure_core::error::ErrorKind::DataConversion)
            && message.contains("does not match its documented type");
        let cause = if decode {
            Cause::DecodeError
        } else if self.script().kind == "long-running" {
            Cause::LongRunning
        } else {
            Cause::ResponseLoss
        };
        let mut pointers = Vec::new();
        if decode {
            // The runtime names the JSON path of what did not decode.
            let at = pointer_push(&pointer_push("/responses", key), "body");
            let path = message
                .split_once(" at `")
                .and_then(|(_, rest)| rest.split_once('`'))
                .map(|(path, _)| path);
            pointers.push(match path {
                Some(path) => format!("{at}{}", json_path_pointer(path)),
                None => at,
            });
        }
        let message = match self.unexpected() {
            Some(u) => format!("{message} ({u})"),
            None => message,
        };
        self.failure(
            cause,
            &format!("response {key}"),
            format!("the call failed: {message}"),
            pointers,
        )
    }

    /// An answer's body against the typed value encoded again.
    fn check_value(&self, answer: &Answer, got: &Value) -> Result<(), Failure> {
        let want = answer.body.as_ref().unwrap_or(&Value::Null);
        let at = pointer_push(&pointer_push("/responses", &answer.key), "body");
        let mut out = Vec::new();
        compare(&Spot::new("body", &at), want, got, Nulls::Absent, &mut out);
        if out.is_empty() {
            return Ok(());
        }
        let pointers = out.iter().map(|d| d.pointer.clone()).collect();
        let lines: Vec<String> = out.into_iter().map(|d| d.describe("decoded")).collect();
        Err(self.failure(
            Cause::ResponseLoss,
            &format!("response {}", answer.key),
            summarize(&lines),
            pointers,
        ))
    }

    fn encode<T: Serialize>(&self, value: &T, key: &str) -> Result<Value, Failure> {
        serde_json::to_value(value).map_err(|e| {
            self.failure(
                Cause::ResponseLoss,
                &format!("response {key}"),
                format!("the typed result does not encode: {e}"),
                Vec::new(),
            )
        })
    }

    /// A plain call: its request, then its answer, typed.
    pub fn check_plain<T: Serialize>(
        &self,
        result: azure_core::Result<Response<T>>,
    ) -> Result<(), Failure> {
        self.check_request()?;
        let answer = self.first_answer().clone();
        if answer.status == 0 {
            return Ok(());
        }
        if !self.script().is_success(&answer) {
            return self.check_error(&answer, result.as_ref().err());
        }
        let model = result
            .and_then(Response::into_model)
            .map_err(|e| self.cause_of(&e, &answer.key))?;
        let got = self.encode(&model, &answer.key)?;
        self.check_value(&answer, &got)
    }

    /// An existence check (a HEAD documented with 404): `true` for a
    /// success, `false` for 404.
    pub fn check_exists(&self, result: azure_core::Result<Response<bool>>) -> Result<(), Failure> {
        self.check_request()?;
        let answer = self.first_answer().clone();
        if answer.status == 0 {
            return Ok(());
        }
        if !self.script().is_success(&answer) {
            return self.check_error(&answer, result.as_ref().err());
        }
        let got = result
            .and_then(Response::into_model)
            .map_err(|e| self.cause_of(&e, &answer.key))?;
        let want = answer.status != 404;
        if got == want {
            return Ok(());
        }
        Err(self.failure(
            Cause::ResponseLoss,
            &format!("response {}", answer.key),
            format!(
                "exists: decoded {got}, the example answers {}",
                answer.status
            ),
            Vec::new(),
        ))
    }

    /// A binary answer: its bytes, against the example's text.
    pub fn check_bytes(
        &self,
        result: azure_core::Result<Response<azure_core::Bytes>>,
    ) -> Result<(), Failure> {
        self.check_request()?;
        let answer = self.first_answer().clone();
        if answer.status == 0 {
            return Ok(());
        }
        if !self.script().is_success(&answer) {
            return self.check_error(&answer, result.as_ref().err());
        }
        let bytes = result
            .and_then(Response::into_model)
            .map_err(|e| self.cause_of(&e, &answer.key))?;
        let got = Value::String(String::from_utf8_lossy(&bytes).into_owned());
        let want = match &answer.body {
            None | Some(Value::Null) => Value::String(String::new()),
            Some(Value::String(s)) => Value::String(s.clone()),
            Some(other) => Value::String(other.to_string()),
        };
        self.check_value(
            &Answer {
                body: Some(want),
                ..answer
            },
            &got,
        )
    }

    /// A pageable call: the first page, typed and encoded again (its next
    /// link included), then the items as the stream yields them, to its
    /// end: the next page is asked for where the link says, and is the
    /// last. `items` is a second call of the same operation.
    pub async fn check_pages<P>(
        &self,
        pages: azure_core::Result<azure_core::http::ItemIterator<P>>,
        items: azure_core::Result<azure_core::http::ItemIterator<P>>,
    ) -> Result<(), Failure>
    where
        P: azure_core::http::pager::Page + Serialize + Send + 'static,
        P::Item: Serialize,
    {
        let answer = self.first_answer().clone();
        let first = match pages {
            Ok(pages) => pages.into_pages().try_next().await,
            Err(e) => Err(e),
        };
        self.check_request()?;
        if answer.status == 0 {
            return Ok(());
        }
        if !self.script().is_success(&answer) {
            return self.check_error(&answer, first.as_ref().err());
        }
        let key = answer.key.clone();
        let page = first.map_err(|e| self.cause_of(&e, &key))?.ok_or_else(|| {
            self.failure(
                Cause::ResponseLoss,
                &format!("response {key}"),
                "no page came back".to_string(),
                Vec::new(),
            )
        })?;
        let got = self.encode(&page, &key)?;
        self.check_value(&answer, &got)?;
        // The items, as the stream yields them.
        let field = self.script().item_field.as_deref().unwrap_or("value");
        let want: Vec<Value> = answer
            .body
            .as_ref()
            .and_then(|b| b.get(field))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let next_page = match &self.transport.plan {
            Plan::Answer { next_page, .. } => next_page.as_deref().cloned(),
            Plan::LongRunning(_) => None,
        };
        let has_link = self
            .script()
            .next_link_field
            .as_ref()
            .and_then(|f| answer.body.as_ref()?.get(f.as_str()))
            .is_some_and(|l| l.as_str().is_some_and(|l| !l.is_empty()));
        let mut stream = items.map_err(|e| self.cause_of(&e, &key))?;
        let at = pointer_push(&pointer_push("/responses", &key), "body");
        for (i, wanted) in want.iter().enumerate() {
            let item = stream
                .try_next()
                .await
                .map_err(|e| self.cause_of(&e, &key))?
                .ok_or_else(|| {
                    self.failure(
                        Cause::ResponseLoss,
                        &format!("response {key}"),
                        format!(
                            "the stream ended after {i} of the page's {} items",
                            want.len()
                        ),
                        Vec::new(),
                    )
                })?;
            let got = self.encode(&item, &key)?;
            let mut out = Vec::new();
            let spot = Spot::new(
                &format!("body.{field}[{i}]"),
                &pointer_push(&pointer_push(&at, field), &i.to_string()),
            );
            compare(&spot, wanted, &got, Nulls::Absent, &mut out);
            if !out.is_empty() {
                let pointers = out.iter().map(|d| d.pointer.clone()).collect();
                let lines: Vec<String> = out.into_iter().map(|d| d.describe("streamed")).collect();
                return Err(self.failure(
                    Cause::ResponseLoss,
                    &format!("response {key}"),
                    summarize(&lines),
                    pointers,
                ));
            }
        }
        // A link the client cannot follow here (a placeholder that is not a
        // URL) is kept but not followed: the stream stops at the page.
        if has_link && next_page.is_none() {
            return Ok(());
        }
        let more = stream
            .try_next()
            .await
            .map_err(|e| self.cause_of(&e, &key))?;
        if more.is_some() {
            return Err(self.failure(
                Cause::ResponseLoss,
                &format!("response {key}"),
                format!(
                    "the stream yields more than the page's {} items and its last page's none",
                    want.len()
                ),
                Vec::new(),
            ));
        }
        if let Some(next) = next_page
            && !self
                .sent()
                .iter()
                .any(|s| s.role.as_deref() == Ok("next page"))
        {
            return Err(self.failure(
                Cause::ResponseLoss,
                &format!("response {key}"),
                format!("the stream ended without asking for the next page at {next}"),
                Vec::new(),
            ));
        }
        if let Some(u) = self.unexpected() {
            return Err(self.failure(
                Cause::ResponseLoss,
                &format!("response {key}"),
                u,
                Vec::new(),
            ));
        }
        Ok(())
    }

    /// A long-running call: its request, then the poller awaited to the
    /// end. The flow must have been followed where its answers point (the
    /// monitor past `InProgress`, `Location` past 202, the result read
    /// where the rules say), and the typed result, encoded again, must be
    /// the example's.
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
        let flow = match &self.transport.plan {
            Plan::Answer { answer, .. } if answer.status == 0 => return Ok(()),
            Plan::Answer { answer, .. } => {
                // An error answer (the flow's success answers are flows).
                return self.check_error(answer, result.as_ref().err());
            }
            Plan::LongRunning(flow) => flow.as_ref().clone(),
        };
        let first_key = flow.initial.key.clone();
        let model = result
            .and_then(Response::into_model)
            .map_err(|e| self.cause_of(&e, &first_key))?;
        let flow_part = format!("response {first_key}");
        if let Some(u) = self.unexpected() {
            return Err(self.failure(Cause::LongRunning, &flow_part, u, Vec::new()));
        }
        let asked = |role: &str| {
            self.sent()
                .iter()
                .filter(|s| s.role.as_deref() == Ok(role))
                .count()
        };
        let mut missing = Vec::new();
        if flow.monitor.is_some() && asked("monitor") < 2 {
            missing.push("polled the status monitor past `InProgress`");
        }
        if flow.monitor.is_none() && flow.location.is_some() && asked("location") < 2 {
            missing.push("polled `Location` past 202");
        }
        if flow.result_at == Where::Location && asked("location") == 0 {
            missing.push("read the result at `Location`");
        }
        if flow.result_at == Where::Original && asked("original") == 0 {
            missing.push("read the result at the original URI");
        }
        if !missing.is_empty() {
            return Err(self.failure(
                Cause::LongRunning,
                &flow_part,
                format!("the poller ended without having {}", missing.join(", nor ")),
                Vec::new(),
            ));
        }
        let Some(expected) = &flow.expected else {
            return Ok(());
        };
        let mut got = self.encode(&model, &expected.key)?;
        if let (true, Value::Object(members)) = (flow.status_added, &mut got) {
            members.remove("status");
        }
        self.check_value(expected, &got)
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

/// The runtime's JSON path of a decode failure (`value[1].a["b-c"]`) as a
/// JSON pointer (`/value/1/a/b-c`).
fn json_path_pointer(path: &str) -> String {
    let mut pointer = String::new();
    let mut rest = path.trim_start_matches('.');
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("[\"") {
            let end = after.find("\"]").unwrap_or(after.len());
            pointer = pointer_push(&pointer, &after[..end]);
            rest = after.get(end + 2..).unwrap_or("");
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']').unwrap_or(after.len());
            pointer = pointer_push(&pointer, &after[..end]);
            rest = after.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            pointer = pointer_push(&pointer, &rest[..end]);
            rest = &rest[end..];
        }
        rest = rest.trim_start_matches('.');
    }
    pointer
}

/// Where a compared value is: its JSON path for people, its pointer into
/// the example for the report.
struct Spot {
    path: String,
    pointer: String,
}

impl Spot {
    fn new(path: &str, pointer: &str) -> Self {
        Self {
            path: path.to_string(),
            pointer: pointer.to_string(),
        }
    }

    fn member(&self, key: &str) -> Self {
        let plain = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '@');
        let path = if plain {
            format!("{}.{key}", self.path)
        } else {
            format!("{}[{key:?}]", self.path)
        };
        Self {
            path,
            pointer: pointer_push(&self.pointer, key),
        }
    }

    fn item(&self, i: usize) -> Self {
        Self {
            path: format!("{}[{i}]", self.path),
            pointer: pointer_push(&self.pointer, &i.to_string()),
        }
    }
}

/// A difference between the example's JSON and ours.
struct Difference {
    path: String,
    pointer: String,
    example: Option<Value>,
    ours: Option<Value>,
}

impl Difference {
    fn describe(self, ours: &str) -> String {
        let show = |v: &Option<Value>| match v {
            None => "absent".to_string(),
            Some(v) => {
                let text = v.to_string();
                if text.chars().count() > 80 {
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

/// How a `null` member compares with an absent one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Nulls {
    /// The same: answers (services write nulls for members they leave out).
    Absent,
    /// Different: PATCH requests (merge patch clears members with null).
    Strict,
}

/// Compares the example's value with ours. Numbers compare as numbers;
/// strings as written, or as one instant in one format, or as the same
/// bytes in base64 when ours is canonical.
fn compare(at: &Spot, example: &Value, ours: &Value, nulls: Nulls, out: &mut Vec<Difference>) {
    const LIMIT: usize = 64;
    if out.len() >= LIMIT {
        return;
    }
    let differ = |out: &mut Vec<Difference>, at: Spot, x: Option<&Value>, y: Option<&Value>| {
        out.push(Difference {
            path: at.path,
            pointer: at.pointer,
            example: x.cloned(),
            ours: y.cloned(),
        })
    };
    match (example, ours) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeMap<&String, ()> = a.keys().chain(b.keys()).map(|k| (k, ())).collect();
            for key in keys.into_keys() {
                let child = at.member(key);
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => compare(&child, x, y, nulls, out),
                    (Some(Value::Null), None) | (None, Some(Value::Null))
                        if nulls == Nulls::Absent => {}
                    (x, y) => differ(out, child, x, y),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) => compare(&at.item(i), x, y, nulls, out),
                    (x, y) => differ(out, at.item(i), x, y),
                }
            }
        }
        (Value::Number(a), Value::Number(b)) if same_number(a, b) => {}
        (Value::String(a), Value::String(b)) if same_body_text(a, b) => {}
        (a, b) if a == b => {}
        (a, b) => differ(out, Spot::new(&at.path, &at.pointer), Some(a), Some(b)),
    }
}

/// Two JSON numbers of one value: integers exactly, else as floats.
fn same_number(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    let integer = |n: &serde_json::Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .or_else(|| {
                // `10.0` is the integer 10, where a float holds it exactly.
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0)
                    .map(|f| f as i128)
            })
    };
    match (integer(a), integer(b)) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a.as_f64() == b.as_f64(),
        _ => false,
    }
}

/// A parameter's text (path, query, header): as written, or the same
/// instant in the same format, or the same number.
fn same_param_text(a: &str, b: &str) -> bool {
    if a == b || same_instant(a, b) {
        return true;
    }
    let number = |s: &str| serde_json::from_str::<serde_json::Number>(s).ok();
    matches!((number(a), number(b)), (Some(x), Some(y)) if same_number(&x, &y))
}

/// A string member of a body: as written, or the same instant in the same
/// format, or the same bytes in base64 where one side is canonical.
fn same_body_text(a: &str, b: &str) -> bool {
    a == b || same_instant(a, b) || same_bytes(a, b)
}

/// Two spellings of one instant in one format (RFC 3339, with or without
/// an offset and any number of fractional digits; or RFC 1123).
fn same_instant(a: &str, b: &str) -> bool {
    match (instant(a), instant(b)) {
        (Some((x, fx)), Some((y, fy))) => x == y && fx == fy,
        _ => false,
    }
}

/// A date-time and whether it is RFC 1123.
fn instant(s: &str) -> Option<(azure_core::time::OffsetDateTime, bool)> {
    if s.len() < 10 || !s.as_bytes().iter().any(u8::is_ascii_digit) {
        return None;
    }
    azure_core::time::parse_rfc3339(s)
        .or_else(|_| azure_core::time::parse_rfc3339(&format!("{s}Z")))
        .map(|t| (t, false))
        .or_else(|_| azure_core::time::parse_rfc7231(s).map(|t| (t, true)))
        .ok()
}

/// The same bytes in base64, where one side is what our encoder writes
/// and the other differs only in padding or trailing bits (one alphabet,
/// no spaces): `abc` and `abd` name the same two bytes too, but neither is
/// canonical, and they are not taken for one another.
fn same_bytes(a: &str, b: &str) -> bool {
    let strict = |s: &str| {
        let body = s.trim_end_matches('=');
        s.len() - body.len() <= 2
            && body.len() % 4 != 1
            && !body.is_empty()
            && body
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
    };
    if !strict(a) || !strict(b) {
        return false;
    }
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

    fn flow_of(plan: Plan) -> Flow {
        match plan {
            Plan::LongRunning(flow) => *flow,
            Plan::Answer { .. } => panic!("not a long-running plan"),
        }
    }

    fn differences(example: Value, ours: Value, nulls: Nulls) -> Vec<String> {
        let mut out = Vec::new();
        compare(&Spot::new("body", "/b"), &example, &ours, nulls, &mut out);
        out.into_iter()
            .map(|d| {
                let pointer = d.pointer.clone();
                format!("{pointer} {}", d.describe("sent"))
            })
            .collect()
    }

    #[test]
    fn numbers_compare_as_numbers_and_date_times_as_instants_in_one_format() {
        let example = serde_json::json!({"price": 1.50, "n": 3, "at": "2024-03-01T09:00:00+01:00",
            "when": "Fri, 01 Mar 2024 08:00:00 GMT", "name": "a"});
        let ours = serde_json::json!({"price": 1.5, "n": 3.0, "at": "2024-03-01T08:00:00Z",
            "when": "Fri, 01 Mar 2024 08:00:00 GMT", "name": "a"});
        assert_eq!(
            differences(example, ours, Nulls::Absent),
            Vec::<String>::new()
        );
        let one_second = differences(
            serde_json::json!({"at": "2024-03-01T09:00:00Z"}),
            serde_json::json!({"at": "2024-03-01T09:00:01Z"}),
            Nulls::Absent,
        );
        assert_eq!(one_second.len(), 1);
        // The same instant written in another format is a difference: an
        // RFC 1123 member sent as RFC 3339 is wrong on the wire.
        let formats = differences(
            serde_json::json!({"when": "Fri, 01 Mar 2024 08:00:00 GMT"}),
            serde_json::json!({"when": "2024-03-01T08:00:00Z"}),
            Nulls::Absent,
        );
        assert_eq!(formats.len(), 1);
        // An integer held as a float loses it.
        let big = differences(
            serde_json::json!({"n": 9007199254740993u64}),
            serde_json::json!({"n": 9007199254740992.0}),
            Nulls::Absent,
        );
        assert_eq!(big.len(), 1);
        assert!(same_param_text("10", "10.0"));
        assert!(!same_param_text("007", "7"), "not JSON numbers");
        assert!(!same_param_text(
            "12345678901234567891",
            "12345678901234567890"
        ));
    }

    #[test]
    fn differences_are_named_by_json_path_and_pointer() {
        let example = serde_json::json!({"properties": {"sku": {"name": "Standard"}, "gone": null},
            "list": [{"a-b": 1}], "kept": "x"});
        let ours = serde_json::json!({"properties": {"sku": {"name": "S1"}}, "list": [{"a-b": 2}], "added": true});
        assert_eq!(
            differences(example.clone(), ours.clone(), Nulls::Absent),
            [
                "/b/added body.added: sent true, example absent",
                "/b/kept body.kept: sent absent, example \"x\"",
                "/b/list/0/a-b body.list[0][\"a-b\"]: sent 2, example 1",
                "/b/properties/sku/name body.properties.sku.name: sent \"S1\", example \"Standard\"",
            ]
        );
        // In a request a null is a value: leaving it out is a difference.
        let strict = differences(example, ours, Nulls::Strict);
        assert!(
            strict.iter().any(|d| d.starts_with("/b/properties/gone ")),
            "{strict:?}"
        );
    }

    #[test]
    fn base64_spellings_of_the_same_bytes_match_only_against_the_canonical() {
        assert!(same_body_text("aGVsbG8=", "aGVsbG8"));
        assert!(same_body_text("aGVsbG8", "aGVsbG8="));
        // `9` differs from `8` only in bits past the last byte: the same.
        assert!(same_body_text("aGVsbG8=", "aGVsbG9="));
        assert!(!same_body_text("aGVsbG8=", "aGVsbG4="));
        assert!(!same_body_text("abc", "abd"), "neither is canonical");
        assert!(
            !same_body_text("test data", "testdata"),
            "a space is not base64"
        );
        assert!(!same_body_text("my-vault", "my+vault"), "one alphabet");
    }

    #[test]
    fn paths_compare_as_decoded_segments_and_runtime_paths_become_pointers() {
        let url = Url::parse("https://h/base//subscriptions/sub%201/rg%2Fx/")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            path_segments(&url),
            ["base", "subscriptions", "sub 1", "rg/x"]
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(
            json_path_pointer("value[1].fieldMappings[0].a~b"),
            "/value/1/fieldMappings/0/a~0b"
        );
        assert_eq!(json_path_pointer("."), "");
    }

    #[test]
    fn a_202_without_a_handle_gets_one_as_its_final_state_says() {
        let accepted = answer(202, None);
        let done = answer(200, Some(serde_json::json!({"exitCode": 0})));
        let flow = flow_of(long_running_plan(
            &lro_script("POST", Some("location")),
            &accepted,
            &[&accepted, &done],
        ));
        assert_eq!(flow.monitor, None);
        assert_eq!(flow.location.as_deref(), Some("/replay/operations/result"));
        assert!(
            flow.initial
                .headers
                .iter()
                .any(|(k, v)| k == "Location" && v.ends_with("/replay/operations/result"))
        );
        assert_eq!(flow.result_at, Where::Location);
        assert_eq!(flow.location_final.status, 200);
        let flow = flow_of(long_running_plan(
            &lro_script("PUT", None),
            &accepted,
            &[&accepted, &done],
        ));
        assert_eq!(flow.monitor.as_deref(), Some("/replay/operations/status"));
        assert_eq!(flow.location, None);
        // A PUT's result is the resource, read at the original URI.
        assert_eq!(flow.result_at, Where::Original);
        assert!(flow.original.is_some());
        // A DELETE's is nothing.
        let flow = flow_of(long_running_plan(
            &lro_script("DELETE", Some("azure-async-operation")),
            &accepted,
            &[&accepted],
        ));
        assert_eq!(flow.result_at, Where::Nothing);
    }

    #[test]
    fn a_resource_caught_mid_flight_is_served_finished() {
        let creating = answer(
            201,
            Some(serde_json::json!({"properties": {"provisioningState": "Creating"}})),
        );
        let flow = flow_of(long_running_plan(
            &lro_script("PUT", None),
            &creating,
            &[&creating],
        ));
        assert_eq!(flow.result_at, Where::Original);
        assert_eq!(
            flow.expected.and_then(|a| a.body),
            Some(serde_json::json!({"properties": {"provisioningState": "Succeeded"}}))
        );
        // A finished first answer is the result itself.
        let created = answer(
            201,
            Some(serde_json::json!({"provisioningState": "Succeeded", "id": "a"})),
        );
        let other = answer(200, Some(serde_json::json!({"id": "b"})));
        let flow = flow_of(long_running_plan(
            &lro_script("PUT", None),
            &created,
            &[&created, &other],
        ));
        assert_eq!(flow.result_at, Where::Initial);
        assert_eq!(flow.expected.map(|a| a.status), Some(201));
        // A POST's resource reporting progress is not polled.
        let running = answer(
            200,
            Some(serde_json::json!({"provisioningState": "Updating"})),
        );
        let flow = flow_of(long_running_plan(
            &lro_script("POST", None),
            &running,
            &[&running],
        ));
        assert_eq!(flow.result_at, Where::Initial);
    }

    #[test]
    fn links_move_to_the_endpoint() {
        let moved = moved_to_endpoint(
            "https://myvault.vault.azure.net/ops/1?x=1",
            "https://myhsm.managedhsm.azure.net",
        );
        assert_eq!(
            moved.map(|u| u.to_string()).as_deref(),
            Some("https://myhsm.managedhsm.azure.net/ops/1?x=1")
        );
        let relative = moved_to_endpoint("/ops/2", "https://h.example");
        assert_eq!(
            relative.map(|u| u.to_string()).as_deref(),
            Some("https://h.example/ops/2")
        );
    }

    #[test]
    fn example_values_decode_as_the_wire_carries_them() {
        let example = Example {
            script: Arc::new(script(serde_json::json!({
                "operation": "Op", "example": "e", "file": "x.json",
                "endpoint": "https://example.invalid", "kind": "plain",
                "parameters": {"top": "5000", "tags": "a,b", "flag": true, "name": 7},
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
        let wrong = example
            .arg::<i32>("tags")
            .err()
            .map(|f| (f.cause, f.pointers));
        assert_eq!(
            wrong,
            Some((Cause::DecodeError, vec!["/parameters/tags".to_string()]))
        );
    }

    #[test]
    fn header_names_http_cannot_carry_are_left_out() {
        let response = respond(
            200,
            &[
                ("名前".to_string(), "x".to_string()),
                ("X-Ok".to_string(), "y".to_string()),
            ],
            None,
        );
        let (_, headers, _) = response.deconstruct();
        assert_eq!(headers.iter().count(), 1);
    }
}
