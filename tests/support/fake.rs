//! An in-process stand-in for a data plane, plugged in as azure_core's
//! transport: no socket, no network. It keeps what is created, answers
//! long-running operations through each plane's own handle, pages lists
//! the way each plane does, and records every request it saw.
//!
//! It is a test double for the generated client's wiring (paths, handles,
//! paging, decoding); the service emulator is a separate, real HTTP server.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use azure_core::http::headers::Headers;
use azure_core::http::{AsyncRawResponse, HttpClient, Method, Request, StatusCode};
use serde_json::{Value, json};

/// How a data plane answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plane {
    /// 201 on model registration, `x-ms-request-id` as the operation
    /// handle, lists as bare arrays.
    HostingAccount,
    /// `Operation-Location`, lists in pages of two.
    Account,
    /// As `Account`, for the workspace paths.
    Workspace,
}

pub const ENDPOINT: &str = "https://fake.invalid";

#[derive(Debug, Default)]
struct State {
    /// collection path (`/api/.../models`) → items in creation order.
    items: BTreeMap<String, Vec<Value>>,
    /// operation id → (polls left before done, status document).
    operations: BTreeMap<String, (u32, Value)>,
    next_id: u64,
}

#[derive(Debug)]
pub struct FakePlane {
    plane: Plane,
    state: Mutex<State>,
    /// `METHOD path?query` of every request, in order.
    pub requests: Mutex<Vec<String>>,
}

impl FakePlane {
    pub fn new(plane: Plane) -> Arc<Self> {
        Arc::new(Self {
            plane,
            state: Mutex::new(State::default()),
            requests: Mutex::new(Vec::new()),
        })
    }

    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

fn respond(status: u16, headers: Vec<(&'static str, String)>, body: &Value) -> AsyncRawResponse {
    let mut h = Headers::new();
    h.insert("content-type", "application/json");
    h.insert("x-ms-request-id", "fake-request");
    for (k, v) in headers {
        h.insert(k, v);
    }
    let bytes = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    AsyncRawResponse::from_bytes(StatusCode::from(status), h, bytes)
}

fn not_found(path: &str) -> AsyncRawResponse {
    respond(
        404,
        vec![],
        &json!({"code": "NotFound", "message": format!("nothing at {path}")}),
    )
}

/// Splits `/…/<collection>[/<id>]` for the collections the planes have.
fn route(path: &str) -> Option<(String, &str, Option<&str>)> {
    const COLLECTIONS: [&str; 5] = ["models", "manifests", "images", "services", "operations"];
    let trimmed = path.trim_end_matches('/');
    let (head, last) = trimmed.rsplit_once('/')?;
    if COLLECTIONS.contains(&last) {
        return Some((trimmed.to_string(), last, None));
    }
    let (_, collection) = head.rsplit_once('/')?;
    COLLECTIONS
        .contains(&collection)
        .then(|| (head.to_string(), collection, Some(last)))
}

#[async_trait]
impl HttpClient for FakePlane {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let url = request.url().clone();
        let line = format!(
            "{} {}{}",
            request.method(),
            url.path(),
            url.query().map(|q| format!("?{q}")).unwrap_or_default()
        );
        if let Ok(mut log) = self.requests.lock() {
            log.push(line);
        }
        let body: Value = match request.body() {
            azure_core::http::Body::Bytes(b) if !b.is_empty() => {
                serde_json::from_slice(b).unwrap_or(Value::Null)
            }
            _ => Value::Null,
        };
        let Ok(mut state) = self.state.lock() else {
            return Ok(respond(500, vec![], &json!({"code": "Poisoned"})));
        };
        let Some((collection_path, collection, id)) = route(url.path()) else {
            return Ok(not_found(url.path()));
        };
        let base = collection_path
            .trim_end_matches(collection)
            .trim_end_matches('/')
            .to_string();
        Ok(match (request.method(), collection, id) {
            (Method::Get, "operations", Some(op)) => match state.operations.get_mut(op) {
                Some((polls, doc)) if *polls > 0 => {
                    *polls -= 1;
                    let mut running = doc.clone();
                    running["state"] = json!("Running");
                    respond(200, vec![("retry-after", "1".into())], &running)
                }
                Some((_, doc)) => respond(200, vec![], doc),
                None => not_found(url.path()),
            },
            (Method::Post, "images" | "services", None) => {
                state.next_id += 1;
                let id = format!("{collection}-{}", state.next_id);
                let mut item = body.clone();
                item["id"] = json!(id);
                if collection == "services" && item.get("state").is_none() {
                    item["state"] = json!(if self.plane == Plane::Workspace {
                        "Healthy"
                    } else {
                        "Succeeded"
                    });
                }
                if collection == "images" {
                    item["name"] = json!(format!("image-{}", state.next_id));
                }
                state
                    .items
                    .entry(collection_path.clone())
                    .or_default()
                    .push(item);
                let op = format!("op-{}", state.next_id);
                let location = format!("{ENDPOINT}{collection_path}/{id}");
                let doc = json!({
                    "id": op,
                    "operationType": if collection == "images" { "Image" } else { "Service" },
                    "state": "Succeeded",
                    "resourceLocation": location,
                });
                state.operations.insert(op.clone(), (1, doc));
                let handle = match self.plane {
                    Plane::HostingAccount => ("x-ms-request-id", op),
                    Plane::Account | Plane::Workspace => (
                        "operation-location",
                        format!("{ENDPOINT}{base}/operations/{op}?api-version=fake"),
                    ),
                };
                respond(202, vec![handle], &Value::Null)
            }
            (Method::Post, "models" | "manifests", None) => {
                state.next_id += 1;
                let mut item = body.clone();
                item["id"] = json!(format!("{collection}-{}", state.next_id));
                item["version"] = json!(1);
                state
                    .items
                    .entry(collection_path.clone())
                    .or_default()
                    .push(item.clone());
                let status = if self.plane == Plane::HostingAccount && collection == "models" {
                    201
                } else {
                    200
                };
                respond(status, vec![], &item)
            }
            (Method::Get, _, Some(id)) => match state
                .items
                .get(&collection_path)
                .and_then(|items| items.iter().find(|i| i["id"] == json!(id)))
            {
                Some(item) => respond(200, vec![], item),
                None => not_found(url.path()),
            },
            (Method::Get, _, None) => {
                let items = state
                    .items
                    .get(&collection_path)
                    .cloned()
                    .unwrap_or_default();
                match self.plane {
                    Plane::HostingAccount => respond(200, vec![], &Value::Array(items)),
                    Plane::Account | Plane::Workspace => {
                        // Pages of two, linked by an absolute `nextLink`.
                        let skip: usize = url
                            .query_pairs()
                            .find(|(k, _)| k == "$skipToken")
                            .and_then(|(_, v)| v.parse().ok())
                            .unwrap_or(0);
                        let page: Vec<Value> = items.iter().skip(skip).take(2).cloned().collect();
                        let mut doc = json!({ "value": page });
                        if skip + 2 < items.len() {
                            doc["nextLink"] = json!(format!(
                                "{ENDPOINT}{collection_path}?$skipToken={}",
                                skip + 2
                            ));
                        }
                        respond(200, vec![], &doc)
                    }
                }
            }
            _ => respond(
                405,
                vec![],
                &json!({"code": "MethodNotAllowed", "message": line_of(request)}),
            ),
        })
    }
}

fn line_of(request: &Request) -> String {
    format!("{} {}", request.method(), request.url().path())
}
