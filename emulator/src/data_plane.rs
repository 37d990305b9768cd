//! The three data planes: hostingAccounts, accounts and workspaces. They
//! share one engine; a [`Plane`] says where they differ (paths, status
//! codes, how lists page, how long-running operations are handed out).

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::store::{Key, Operation};
use crate::{ApiError, App};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plane {
    Hosting,
    Account,
    Workspace,
}

impl Plane {
    fn surface(self) -> &'static str {
        match self {
            Plane::Hosting => "hosting-account",
            Plane::Account => "account",
            Plane::Workspace => "workspace",
        }
    }

    /// The route prefix, with `{sub}`, `{rg}` and `{scope}`: the
    /// surface's base path as the generated crate's `SURFACES` gives it,
    /// its three parameters renamed.
    fn prefix(self) -> String {
        let base = crate::facts_of(self.surface()).map_or("", |f| f.base_path);
        crate::route_template(base, &["sub", "rg", "scope"])
    }

    /// The concrete prefix of one scope, for links.
    fn base_path(self, p: &Params) -> String {
        self.prefix()
            .replace("{sub}", &encode(p.get("sub")))
            .replace("{rg}", &encode(p.get("rg")))
            .replace("{scope}", &encode(p.get("scope")))
    }

    /// The api-version the surface's documents and client use.
    fn api_version(self) -> Option<&'static str> {
        crate::api_version_of(self.surface())
    }
}

/// The path parameters of a route.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct Params(BTreeMap<String, String>);

impl Params {
    fn get(&self, k: &str) -> &str {
        self.0.get(k).map(String::as_str).unwrap_or_default()
    }

    /// The resource id.
    fn id(&self) -> &str {
        self.get("id")
    }

    fn key(&self, plane: Plane, kind: &'static str) -> Key {
        Key {
            surface: plane.surface(),
            scope: format!(
                "{}/{}/{}",
                self.get("sub"),
                self.get("rg"),
                self.get("scope")
            ),
            kind,
        }
    }
}

type Answer = Result<Response, ApiError>;

fn now_rfc3339(app: &App) -> String {
    rfc3339(app.clock.now_ms())
}

/// A time on the emulator's clock (ms since the epoch) as RFC 3339.
fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    azureml_mms::azure_core::time::OffsetDateTime::from_unix_timestamp(secs)
        .map(|t| azureml_mms::azure_core::time::to_rfc3339(&t))
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Decodes a body as its documented type: a 400 naming the field otherwise.
///
/// What is kept is the typed value written back: the shape the service
/// stores and answers with (`"unpack": null` is absent, not null).
pub(crate) fn decode<T: DeserializeOwned + serde::Serialize>(
    body: &Bytes,
    what: &str,
) -> Result<Value, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let typed: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let typed = match typed {
        Ok(typed) => typed,
        Err(e) => {
            let path = e.path().to_string();
            let at = if path == "." {
                String::new()
            } else {
                format!(" at `{path}`")
            };
            return Err(ApiError::bad_request(format!(
                "invalid {what}{at}: {}",
                e.inner()
            )));
        }
    };
    serde_json::to_value(&typed).map_err(|e| ApiError::bad_request(format!("invalid {what}: {e}")))
}

/// The hostingAccounts document's rules: names of letters, digits and
/// hyphens up to 32, tags of letters and digits up to 29, descriptions up
/// to `max_description` characters.
fn check_names(body: &Value, max_description: usize) -> Result<(), ApiError> {
    if let Some(name) = body.get("name").and_then(Value::as_str) {
        let ok = !name.is_empty()
            && name.len() <= 32
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !ok {
            return Err(ApiError::bad_request(format!(
                "invalid `name` `{name}`: at most 32 letters, digits and hyphens"
            )));
        }
    }
    if let Some(Value::Array(tags)) = body.get("tags") {
        for tag in tags {
            let ok = tag.as_str().is_some_and(|t| {
                !t.is_empty() && t.len() <= 29 && t.chars().all(|c| c.is_ascii_alphanumeric())
            });
            if !ok {
                return Err(ApiError::bad_request(format!(
                    "invalid `tags` entry {tag}: at most 29 letters and digits"
                )));
            }
        }
    }
    if let Some(d) = body.get("description").and_then(Value::as_str)
        && d.chars().count() > max_description
    {
        return Err(ApiError::bad_request(format!(
            "invalid `description`: at most {max_description} characters"
        )));
    }
    Ok(())
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// A 202 carrying the plane's handle to the operation.
fn accepted(app: &App, plane: Plane, p: &Params, op_id: &str) -> Response {
    let mut response = StatusCode::ACCEPTED.into_response();
    // When to look: at once when operations are instant.
    if let Ok(v) = HeaderValue::from_str(&app.op_delay_ms.to_string()) {
        response.headers_mut().insert("retry-after-ms", v);
    }
    match plane {
        Plane::Hosting => {
            // On this plane the request id is the operation's id.
            if let Ok(v) = HeaderValue::from_str(op_id) {
                response.headers_mut().insert("x-ms-request-id", v);
            }
        }
        Plane::Account | Plane::Workspace => {
            let location = location(app, plane, p, &format!("operations/{op_id}"));
            if let Ok(v) = HeaderValue::from_str(&location) {
                response.headers_mut().insert("operation-location", v);
            }
        }
    }
    response
}

/// Starts an operation that ends in `result` after the configured delay.
async fn start_operation(
    app: &App,
    plane: Plane,
    p: &Params,
    operation_type: &str,
    result: Result<String, Value>,
) -> Answer {
    let id = new_id();
    let (outcome, error, resource_location) = match result {
        Ok(location) => ("Succeeded", None, Some(location)),
        Err(error) => ("Failed", Some(error), None),
    };
    app.store
        .put_operation(Operation {
            id: id.clone(),
            created_ms: app.clock.now_ms(),
            outcome: outcome.to_string(),
            error,
            resource_location,
            operation_type: operation_type.to_string(),
        })
        .await?;
    Ok(accepted(app, plane, p, &id))
}

fn location(app: &App, plane: Plane, p: &Params, path: &str) -> String {
    let mut url = format!("{}{}/{path}", app.base, plane.base_path(p));
    if let Some(v) = plane.api_version() {
        url.push_str(&format!("?api-version={v}"));
    }
    url
}

/// `NotStarted` for the first half of the delay, `Running` for the second,
/// then the outcome.
async fn get_operation(app: App, p: Params) -> Answer {
    let Some(op) = app.store.operation(p.id().to_string()).await? else {
        return Err(ApiError::not_found("operation", p.id()));
    };
    let elapsed = app.clock.now_ms() - op.created_ms;
    let remaining = (app.op_delay_ms - elapsed).max(0);
    let state = if elapsed * 2 < app.op_delay_ms {
        "NotStarted"
    } else if elapsed < app.op_delay_ms {
        "Running"
    } else {
        op.outcome.as_str()
    };
    let mut doc = json!({"id": op.id, "operationType": op.operation_type, "state": state, "createdTime": rfc3339(op.created_ms)});
    if state == "Succeeded" {
        doc["resourceLocation"] = json!(op.resource_location);
        doc["endTime"] = json!(now_rfc3339(&app));
    }
    if state == "Failed" {
        doc["error"] = op
            .error
            .unwrap_or_else(|| json!({"code": "Failed", "message": "the operation failed"}));
        doc["endTime"] = json!(now_rfc3339(&app));
    }
    let mut response = json_response(StatusCode::OK, doc);
    if let Ok(v) = HeaderValue::from_str(&remaining.to_string()) {
        response.headers_mut().insert("retry-after-ms", v);
    }
    Ok(response)
}

async fn get_one(app: App, plane: Plane, kind: &'static str, p: Params) -> Answer {
    match app
        .store
        .get(p.key(plane, kind), p.id().to_string())
        .await?
    {
        Some(v) => Ok(json_response(StatusCode::OK, v)),
        None => Err(ApiError::not_found(kind.trim_end_matches('s'), p.id())),
    }
}

/// Percent-encoded as the client encodes (`$` kept, for `$skipToken`).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    azureml_mms::runtime::percent_encode_into(s, b"$", &mut out);
    out
}

/// One page of `key`'s items after the `$skipToken`, `count` at most (1 to
/// 1000, default the emulator's page size, 100 unless configured), with an absolute `nextLink` to the rest. The token is
/// the last item's position, so pages stay stable while items are added.
async fn page(
    app: &App,
    key: Key,
    q: &BTreeMap<String, String>,
    link_path: String,
    api_version: Option<&str>,
    keep: impl Fn(&Value) -> bool + Send + 'static,
) -> Answer {
    let count: usize = match q.get("count") {
        Some(c) => c
            .parse()
            .ok()
            .filter(|c| (1..=1000).contains(c))
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "invalid `count` `{c}`: a whole number from 1 to 1000"
                ))
            })?,
        None => app.page_size,
    };
    let after: i64 = match q.get("$skipToken") {
        Some(t) => t
            .parse()
            .map_err(|_| ApiError::bad_request(format!("invalid `$skipToken` `{t}`")))?,
        None => 0,
    };
    let (items, more) = app.store.page(key, after, count, keep).await?;
    let last = items.last().map(|(seq, _)| *seq);
    let mut doc = json!({"value": items.into_iter().map(|(_, v)| v).collect::<Vec<_>>()});
    if let (true, Some(last)) = (more, last) {
        let mut query: Vec<String> = q
            .iter()
            .filter(|(k, _)| k.as_str() != "$skipToken" && k.as_str() != "api-version")
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        query.push(format!("$skipToken={last}"));
        if let Some(v) = api_version {
            query.push(format!("api-version={v}"));
        }
        doc["nextLink"] = json!(format!("{}{link_path}?{}", app.base, query.join("&")));
    }
    Ok(json_response(StatusCode::OK, doc))
}

/// A list: one array on hostingAccounts (and the accounts' deployments);
/// pages elsewhere.
async fn list(
    app: App,
    plane: Plane,
    kind: &'static str,
    p: Params,
    q: BTreeMap<String, String>,
) -> Answer {
    let filters: Vec<(String, String)> = [
        ("name", "name"),
        ("serviceName", "name"),
        ("imageId", "imageId"),
        ("manifestId", "manifestId"),
    ]
    .iter()
    .filter_map(|(param, field)| q.get(*param).map(|v| (field.to_string(), v.clone())))
    .collect();
    let keep = move |v: &Value| {
        filters.iter().all(|(f, want)| {
            // Account images embed their manifest rather than its id.
            let found = v.get(f).or_else(|| match f.as_str() {
                "manifestId" => v.pointer("/manifest/id"),
                _ => None,
            });
            found.and_then(Value::as_str) == Some(want.as_str())
        })
    };
    if plane == Plane::Hosting || kind == "deployments" {
        let (items, _) = app
            .store
            .page(p.key(plane, kind), 0, usize::MAX, keep)
            .await?;
        let items: Vec<Value> = items.into_iter().map(|(_, v)| v).collect();
        return Ok(json_response(StatusCode::OK, Value::Array(items)));
    }
    let link = format!("{}/{kind}", plane.base_path(&p));
    page(
        &app,
        p.key(plane, kind),
        &q,
        link,
        plane.api_version(),
        keep,
    )
    .await
}

async fn delete(app: App, plane: Plane, kind: &'static str, p: Params) -> Answer {
    let existed = app
        .store
        .delete(p.key(plane, kind), p.id().to_string())
        .await?;
    if kind == "services" {
        app.store
            .delete(p.key(plane, "keys"), p.id().to_string())
            .await?;
    }
    Ok(match (existed, plane) {
        (true, _) | (false, Plane::Hosting) => StatusCode::OK.into_response(),
        (false, _) => StatusCode::NO_CONTENT.into_response(),
    })
}

async fn register_model(app: App, plane: Plane, p: Params, body: Bytes) -> Answer {
    let mut model = match plane {
        Plane::Hosting => {
            let v = decode::<azureml_mms::hosting_account::models::ModelRequest>(&body, "model")?;
            check_names(&v, 200)?;
            v
        }
        Plane::Account => decode::<azureml_mms::account::models::Model>(&body, "model")?,
        Plane::Workspace => decode::<azureml_mms::workspace::models::Model>(&body, "model")?,
    };
    let id = new_id();
    model["id"] = json!(id);
    let stamp = if plane == Plane::Workspace {
        "createdTime"
    } else {
        "createdAt"
    };
    model[stamp] = json!(now_rfc3339(&app));
    let name = model
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_string);
    // A name registered again is a new version, with a new id.
    let stored = app
        .store
        .insert(p.key(plane, "models"), id, name, true, model)
        .await?;
    let status = if plane == Plane::Hosting {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(json_response(status, stored))
}

async fn model_exists(
    app: &App,
    plane: Plane,
    p: &Params,
    id_or_name: &str,
) -> Result<bool, ApiError> {
    if app
        .store
        .get(p.key(plane, "models"), id_or_name.to_string())
        .await?
        .is_some()
    {
        return Ok(true);
    }
    Ok(app
        .store
        .name_taken(p.key(plane, "models"), id_or_name.to_string())
        .await?)
}

async fn create_manifest(app: App, plane: Plane, p: Params, body: Bytes) -> Answer {
    let mut manifest = match plane {
        Plane::Hosting => {
            let v =
                decode::<azureml_mms::hosting_account::models::ManifestRequest>(&body, "manifest")?;
            check_names(&v, 512)?;
            v
        }
        _ => decode::<azureml_mms::account::models::Manifest>(&body, "manifest")?,
    };
    if let Some(Value::Array(ids)) = manifest.get("modelIds") {
        for id in ids.iter().filter_map(Value::as_str) {
            if !model_exists(&app, plane, &p, id).await? {
                return Err(ApiError::bad_request(format!(
                    "invalid `modelIds`: no model `{id}`"
                )));
            }
        }
    }
    let id = new_id();
    manifest["id"] = json!(id);
    manifest["createdTime"] = json!(now_rfc3339(&app));
    let name = manifest
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_string);
    let stored = app
        .store
        .insert(p.key(plane, "manifests"), id, name, true, manifest)
        .await?;
    Ok(json_response(StatusCode::OK, stored))
}

async fn create_image(app: App, plane: Plane, p: Params, body: Bytes) -> Answer {
    let mut image = match plane {
        Plane::Hosting => {
            let v = decode::<azureml_mms::hosting_account::models::ImageRequest>(&body, "image")?;
            check_names(&v, 512)?;
            v
        }
        _ => decode::<azureml_mms::account::models::ImageRequest>(&body, "image")?,
    };
    let manifest_id = image
        .get("manifestId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let manifest = app
        .store
        .get(p.key(plane, "manifests"), manifest_id.clone())
        .await?;
    let result = match manifest {
        None => Err(json!({
            "code": "ManifestNotFound",
            "message": format!("no manifest `{manifest_id}` to build an image from"),
        })),
        Some(manifest) => {
            let id = new_id();
            // The accounts document's Image embeds the manifest it was
            // built from where the request named it by id.
            if plane == Plane::Account
                && let Some(o) = image.as_object_mut()
            {
                o.remove("manifestId");
                o.insert("manifest".into(), manifest);
            }
            image["id"] = json!(id);
            image["createdTime"] = json!(now_rfc3339(&app));
            image["imageBuildLogUri"] = json!(format!("{}/logs/{id}", app.base));
            // The registry credentials are used, not kept.
            if let Some(o) = image.as_object_mut() {
                o.remove("registryInfo");
            }
            let name = image
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string);
            app.store
                .insert(p.key(plane, "images"), id.clone(), name, true, image)
                .await?;
            Ok(location(&app, plane, &p, &format!("images/{id}")))
        }
    };
    start_operation(&app, plane, &p, "Image", result).await
}

/// The service fields that are credentials: used, not stored.
const SERVICE_SECRETS: [&str; 3] = ["kubeConfig", "keys", "sslKey"];

async fn create_service(app: App, plane: Plane, p: Params, body: Bytes) -> Answer {
    let mut service = match plane {
        Plane::Hosting => {
            let v = decode::<azureml_mms::hosting_account::models::ServiceCreateRequest>(
                &body, "service",
            )?;
            check_names(&v, 512)?;
            v
        }
        Plane::Account => {
            decode::<azureml_mms::account::models::ServiceCreateRequest>(&body, "service")?
        }
        Plane::Workspace => {
            let v =
                decode::<azureml_mms::workspace::models::CreateServiceRequest>(&body, "service")?;
            if v.get("name")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                return Err(ApiError::bad_request(
                    "invalid service: missing field `name`",
                ));
            }
            v
        }
    };
    let name = service
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if app
        .store
        .name_taken(p.key(plane, "services"), name.clone())
        .await?
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "Conflict",
            format!("a service named `{name}` exists"),
        ));
    }
    let image_id = service
        .get("imageId")
        .and_then(Value::as_str)
        .map(str::to_string);
    let image_known = match (&image_id, plane) {
        (Some(id), Plane::Hosting | Plane::Account) => app
            .store
            .get(p.key(plane, "images"), id.clone())
            .await?
            .is_some(),
        _ => true,
    };
    if !image_known {
        let id = image_id.unwrap_or_default();
        let error =
            json!({"code": "ImageNotFound", "message": format!("no image `{id}` to deploy")});
        return start_operation(&app, plane, &p, "Service", Err(error)).await;
    }
    let id = new_id();
    if let Some(o) = service.as_object_mut() {
        for s in SERVICE_SECRETS {
            o.remove(s);
        }
    }
    // The accounts document spells the service's id `ID`.
    service[if plane == Plane::Account { "ID" } else { "id" }] = json!(id);
    service["state"] = json!(if plane == Plane::Workspace {
        "Healthy"
    } else {
        "Succeeded"
    });
    service["createdAt"] = json!(now_rfc3339(&app));
    service["updatedAt"] = json!(now_rfc3339(&app));
    app.store
        .insert(
            p.key(plane, "services"),
            id.clone(),
            Some(name.clone()),
            false,
            service,
        )
        .await?;
    let keys = json!({"primaryKey": new_id(), "secondaryKey": new_id()});
    app.store
        .insert(p.key(plane, "keys"), id.clone(), None, false, keys)
        .await?;
    if plane == Plane::Account {
        let dep_id = new_id();
        let deployment = json!({
            "id": dep_id, "serviceName": name, "imageId": image_id,
            "createdAt": now_rfc3339(&app), "status": "Succeeded",
        });
        app.store
            .insert(p.key(plane, "deployments"), dep_id, None, false, deployment)
            .await?;
    }
    let location = location(&app, plane, &p, &format!("services/{id}"));
    start_operation(&app, plane, &p, "Service", Ok(location)).await
}

async fn update_service(app: App, plane: Plane, p: Params, body: Bytes) -> Answer {
    let key = p.key(plane, "services");
    let Some(mut service) = app.store.get(key.clone(), p.id().to_string()).await? else {
        return Err(ApiError::not_found("service", p.id()));
    };
    match plane {
        Plane::Hosting | Plane::Account => {
            let update = match plane {
                Plane::Hosting => decode::<
                    azureml_mms::hosting_account::models::ServiceUpdateRequest,
                >(&body, "update")?,
                _ => decode::<azureml_mms::account::models::ServiceUpdateRequest>(&body, "update")?,
            };
            if let (Some(target), Some(fields)) = (service.as_object_mut(), update.as_object()) {
                for (k, v) in fields {
                    if !SERVICE_SECRETS.contains(&k.as_str()) {
                        target.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        Plane::Workspace => apply_patch(&mut service, &body)?,
    }
    service["updatedAt"] = json!(now_rfc3339(&app));
    app.store.replace(key, p.id().to_string(), service).await?;
    let location = location(&app, plane, &p, &format!("services/{}", encode(p.id())));
    start_operation(&app, plane, &p, "Service", Ok(location)).await
}

/// Applies a JSON Patch (RFC 6902: add, replace, remove, test) to the
/// top-level fields of a resource; `id` cannot change.
fn apply_patch(target: &mut Value, body: &Bytes) -> Result<(), ApiError> {
    let ops = decode::<Vec<azureml_mms::workspace::models::JsonPatchOperation>>(
        body,
        "JSON Patch document",
    )?;
    let Value::Array(ops) = ops else {
        return Err(ApiError::bad_request("a JSON Patch document is an array"));
    };
    for (i, op) in ops.iter().enumerate() {
        let kind = op.get("op").and_then(Value::as_str).unwrap_or_default();
        let path = op.get("path").and_then(Value::as_str).unwrap_or_default();
        let field = path
            .strip_prefix('/')
            .filter(|f| !f.is_empty() && !f.contains('/'));
        let Some(field) = field.map(|f| f.replace("~1", "/").replace("~0", "~")) else {
            return Err(ApiError::bad_request(format!(
                "invalid patch operation {i}: path `{path}` is not a top-level field"
            )));
        };
        if field == "id" {
            return Err(ApiError::bad_request(format!(
                "invalid patch operation {i}: `id` cannot change"
            )));
        }
        let Some(object) = target.as_object_mut() else {
            return Err(ApiError::internal(
                "stored resource is not an object".into(),
            ));
        };
        match kind {
            "add" | "replace" => {
                if kind == "replace" && !object.contains_key(&field) {
                    return Err(ApiError::bad_request(format!(
                        "invalid patch operation {i}: no field `{field}` to replace"
                    )));
                }
                object.insert(field, op.get("value").cloned().unwrap_or(Value::Null));
            }
            "remove" => {
                if object.remove(&field).is_none() {
                    return Err(ApiError::bad_request(format!(
                        "invalid patch operation {i}: no field `{field}` to remove"
                    )));
                }
            }
            "test" => {
                if object.get(&field) != op.get("value") {
                    return Err(ApiError::bad_request(format!(
                        "invalid patch operation {i}: test of `{field}` failed"
                    )));
                }
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "invalid patch operation {i}: `{other}` is not one of add, replace, remove, test"
                )));
            }
        }
    }
    Ok(())
}

async fn patch_resource(
    app: App,
    plane: Plane,
    kind: &'static str,
    p: Params,
    body: Bytes,
) -> Answer {
    let key = p.key(plane, kind);
    let Some(mut resource) = app.store.get(key.clone(), p.id().to_string()).await? else {
        return Err(ApiError::not_found(kind.trim_end_matches('s'), p.id()));
    };
    apply_patch(&mut resource, &body)?;
    app.store
        .replace(key, p.id().to_string(), resource.clone())
        .await?;
    Ok(json_response(StatusCode::OK, resource))
}

async fn service_keys(app: App, plane: Plane, p: Params) -> Answer {
    match app
        .store
        .get(p.key(plane, "keys"), p.id().to_string())
        .await?
    {
        Some(keys) => Ok(json_response(StatusCode::OK, keys)),
        None => Err(ApiError::not_found("service", p.id())),
    }
}

async fn regenerate_keys(app: App, plane: Plane, p: Params, body: Bytes) -> Answer {
    let request = match plane {
        Plane::Account => {
            decode::<azureml_mms::account::models::ServiceRegenerateKeyRequest>(&body, "request")?
        }
        _ => decode::<azureml_mms::workspace::models::RegenerateServiceKeysRequest>(
            &body, "request",
        )?,
    };
    let key = p.key(plane, "keys");
    let Some(mut keys) = app.store.get(key.clone(), p.id().to_string()).await? else {
        return Err(ApiError::not_found("service", p.id()));
    };
    let field = match request.get("keyType").and_then(Value::as_str) {
        Some("Primary") | None => "primaryKey",
        Some("Secondary") => "secondaryKey",
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "invalid `keyType` `{other}`: Primary or Secondary"
            )));
        }
    };
    keys[field] = json!(
        request
            .get("keyValue")
            .and_then(Value::as_str)
            .map_or_else(new_id, str::to_string)
    );
    app.store
        .replace(key, p.id().to_string(), keys.clone())
        .await?;
    Ok(json_response(StatusCode::OK, keys))
}

async fn service_token(app: App, plane: Plane, p: Params) -> Answer {
    if app
        .store
        .get(p.key(plane, "services"), p.id().to_string())
        .await?
        .is_none()
    {
        return Err(ApiError::not_found("service", p.id()));
    }
    let now = app.clock.now_ms() / 1000;
    let token = json!({"accessToken": new_id(), "tokenType": "Bearer", "expiryOn": now + 3600, "refreshAfter": now + 3000});
    Ok(json_response(StatusCode::CREATED, token))
}

async fn create_asset(app: App, plane: Plane, p: Params, body: Bytes) -> Answer {
    let mut asset = decode::<azureml_mms::workspace::models::Asset>(&body, "asset")?;
    let id = new_id();
    asset["id"] = json!(id);
    asset["createdTime"] = json!(now_rfc3339(&app));
    let name = asset
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_string);
    let stored = app
        .store
        .insert(p.key(plane, "assets"), id, name, false, asset)
        .await?;
    Ok(json_response(StatusCode::OK, stored))
}

async fn model_metrics(app: App, plane: Plane, p: Params) -> Answer {
    if app
        .store
        .get(p.key(plane, "models"), p.id().to_string())
        .await?
        .is_none()
    {
        return Err(ApiError::not_found("model", p.id()));
    }
    let services = app
        .store
        .page(p.key(plane, "services"), 0, usize::MAX, |_| true)
        .await?
        .0
        .len();
    let doc = json!({"deploymentSummary": {
        "totalDeploymentCount": services,
        "successfulDeploymentCount": services,
        "unsuccessfulDeploymentCount": 0,
    }});
    Ok(json_response(StatusCode::OK, doc))
}

/// Profiles hang off an image: `images/{imageId}/profiles`.
fn profile_key(p: &Params) -> Key {
    Key {
        surface: Plane::Workspace.surface(),
        scope: format!(
            "{}/{}/{}/{}",
            p.get("sub"),
            p.get("rg"),
            p.get("scope"),
            p.get("imageId")
        ),
        kind: "profiles",
    }
}

async fn create_profile(app: App, p: Params, body: Bytes) -> Answer {
    let mut profile =
        decode::<azureml_mms::workspace::models::ProfileRequestBase>(&body, "profile")?;
    let id = new_id();
    profile["id"] = json!(id);
    profile["imageId"] = json!(p.get("imageId"));
    profile["state"] = json!("Succeeded");
    profile["createdTime"] = json!(now_rfc3339(&app));
    let name = profile
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_string);
    app.store
        .insert(profile_key(&p), id.clone(), name, false, profile)
        .await?;
    let plane = Plane::Workspace;
    let location = location(
        &app,
        plane,
        &p,
        &format!("images/{}/profiles/{id}", encode(p.get("imageId"))),
    );
    start_operation(&app, plane, &p, "Profile", Ok(location)).await
}

/// By id, or by name: the documented profile has no id field, so a client
/// only knows its name.
async fn get_profile(app: App, p: Params) -> Answer {
    if let Some(v) = app.store.get(profile_key(&p), p.id().to_string()).await? {
        return Ok(json_response(StatusCode::OK, v));
    }
    let name = p.id().to_string();
    let (found, _) = app
        .store
        .page(profile_key(&p), 0, 1, move |v| {
            v.get("name").and_then(Value::as_str) == Some(name.as_str())
        })
        .await?;
    match found.into_iter().next() {
        Some((_, v)) => Ok(json_response(StatusCode::OK, v)),
        None => Err(ApiError::not_found("profile", p.id())),
    }
}

async fn list_profiles(app: App, p: Params, q: BTreeMap<String, String>) -> Answer {
    let link = format!(
        "{}/images/{}/profiles",
        Plane::Workspace.base_path(&p),
        encode(p.get("imageId"))
    );
    page(&app, profile_key(&p), &q, link, None, |_| true).await
}

/// Checks `api-version` where the plane has one.
fn check_version(plane: Plane, q: &BTreeMap<String, String>) -> Result<(), ApiError> {
    match (plane.api_version(), q.get("api-version")) {
        (None, _) => Ok(()),
        (Some(want), Some(got)) if got == want => Ok(()),
        (Some(want), got) => Err(ApiError::bad_request(format!(
            "invalid `api-version` {}: this service speaks `{want}`",
            got.map_or("(missing)".to_string(), |g| format!("`{g}`"))
        ))),
    }
}

type Q = Query<BTreeMap<String, String>>;

pub(crate) fn routes() -> Router<App> {
    let mut router = Router::new();
    for plane in [Plane::Hosting, Plane::Account, Plane::Workspace] {
        let base = plane.prefix();
        let base = base.as_str();
        let collection = |kind: &'static str| {
            get(
                move |State(app): State<App>, Path(p): Path<Params>, Query(q): Q| async move {
                    check_version(plane, &q)?;
                    list(app, plane, kind, p, q).await
                },
            )
        };
        let item = |kind: &'static str| {
            get(
                move |State(app): State<App>, Path(p): Path<Params>, Query(q): Q| async move {
                    check_version(plane, &q)?;
                    get_one(app, plane, kind, p).await
                },
            )
        };
        macro_rules! with_body {
            ($f:ident) => {
                move |State(app): State<App>, Path(p): Path<Params>, Query(q): Q, body: Bytes| async move {
                    check_version(plane, &q)?;
                    $f(app, plane, p, body).await
                }
            };
        }
        macro_rules! no_body {
            ($f:ident) => {
                move |State(app): State<App>, Path(p): Path<Params>, Query(q): Q| async move {
                    check_version(plane, &q)?;
                    $f(app, plane, p).await
                }
            };
        }
        let deleting = |kind: &'static str| {
            move |State(app): State<App>, Path(p): Path<Params>, Query(q): Q| async move {
                check_version(plane, &q)?;
                delete(app, plane, kind, p).await
            }
        };
        let operation = move |State(app): State<App>, Path(p): Path<Params>, Query(q): Q| async move {
            check_version(plane, &q)?;
            get_operation(app, p).await
        };
        // Lists answer with and without a trailing slash (hostingAccounts
        // documents `models/?api-version`).
        router = router
            .route(
                &format!("{base}/models"),
                collection("models").post(with_body!(register_model)),
            )
            .route(&format!("{base}/models/"), collection("models"))
            .route(
                &format!("{base}/services"),
                collection("services").post(with_body!(create_service)),
            )
            .route(&format!("{base}/services/"), collection("services"))
            .route(&format!("{base}/operations/{{id}}"), get(operation));
        match plane {
            Plane::Hosting | Plane::Account => {
                router = router
                    .route(&format!("{base}/models/{{id}}"), item("models"))
                    .route(
                        &format!("{base}/manifests"),
                        collection("manifests").post(with_body!(create_manifest)),
                    )
                    .route(&format!("{base}/manifests/"), collection("manifests"))
                    .route(&format!("{base}/manifests/{{id}}"), item("manifests"))
                    .route(
                        &format!("{base}/images"),
                        collection("images").post(with_body!(create_image)),
                    )
                    .route(&format!("{base}/images/{{id}}"), item("images"))
                    .route(
                        &format!("{base}/services/{{id}}"),
                        item("services")
                            .put(with_body!(update_service))
                            .delete(deleting("services")),
                    );
                if plane == Plane::Account {
                    router = router
                        .route(
                            &format!("{base}/services/{{id}}/keys"),
                            get(no_body!(service_keys)),
                        )
                        .route(
                            &format!("{base}/services/{{id}}/regenerateKeys"),
                            post(with_body!(regenerate_keys)),
                        )
                        .route(&format!("{base}/deployments"), collection("deployments"))
                        .route(&format!("{base}/deployments/{{id}}"), item("deployments"));
                }
            }
            Plane::Workspace => {
                let patch_model =
                    move |State(app): State<App>, Path(p): Path<Params>, body: Bytes| async move {
                        patch_resource(app, plane, "models", p, body).await
                    };
                let patch_asset =
                    move |State(app): State<App>, Path(p): Path<Params>, body: Bytes| async move {
                        patch_resource(app, plane, "assets", p, body).await
                    };
                let profiles = get(
                    |State(app): State<App>, Path(p): Path<Params>, Query(q): Q| async move {
                        list_profiles(app, p, q).await
                    },
                )
                .post(
                    |State(app): State<App>, Path(p): Path<Params>, body: Bytes| async move {
                        create_profile(app, p, body).await
                    },
                );
                let profile = get(|State(app): State<App>, Path(p): Path<Params>| async move {
                    get_profile(app, p).await
                });
                router = router
                    .route(
                        &format!("{base}/models/{{id}}"),
                        item("models").delete(deleting("models")).patch(patch_model),
                    )
                    .route(
                        &format!("{base}/models/{{id}}/metrics"),
                        get(no_body!(model_metrics)),
                    )
                    .route(
                        &format!("{base}/assets"),
                        collection("assets").post(with_body!(create_asset)),
                    )
                    .route(
                        &format!("{base}/assets/{{id}}"),
                        item("assets").delete(deleting("assets")).patch(patch_asset),
                    )
                    .route(
                        &format!("{base}/services/{{id}}"),
                        item("services")
                            .delete(deleting("services"))
                            .patch(with_body!(update_service)),
                    )
                    .route(
                        &format!("{base}/services/{{id}}/listkeys"),
                        post(no_body!(service_keys)),
                    )
                    .route(
                        &format!("{base}/services/{{id}}/regenerateKeys"),
                        post(with_body!(regenerate_keys)),
                    )
                    .route(
                        &format!("{base}/services/{{id}}/token"),
                        post(no_body!(service_token)),
                    )
                    .route(&format!("{base}/images/{{imageId}}/profiles"), profiles)
                    .route(
                        &format!("{base}/images/{{imageId}}/profiles/{{id}}"),
                        profile,
                    );
            }
        }
    }
    router
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_templates_rename_parameters_in_order() {
        assert_eq!(
            crate::route_template("/a/{x}/b/{y}{z}.json/{w}", &["sub", "rg", "scope"]),
            "/a/{sub}/b/{rg}{scope}.json/{w}"
        );
        assert_eq!(crate::route_template("/plain", &["sub"]), "/plain");
        assert_eq!(crate::route_template("/open/{x", &["sub"]), "/open/{x");
    }

    /// Each plane's routes come from the generated crate's base path, with
    /// the three scope parameters the handlers read.
    #[test]
    fn plane_prefixes_come_from_the_surfaces() {
        assert_eq!(
            Plane::Hosting.prefix(),
            "/api/subscriptions/{sub}/resourceGroups/{rg}/hostingAccounts/{scope}"
        );
        assert_eq!(
            Plane::Account.prefix(),
            "/api/subscriptions/{sub}/resourceGroups/{rg}/accounts/{scope}"
        );
        assert_eq!(
            Plane::Workspace.prefix(),
            "/modelmanagement/v1.0/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{scope}"
        );
    }
}
