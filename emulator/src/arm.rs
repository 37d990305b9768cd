//! The two ARM control planes: Model Management accounts and hosting
//! accounts, with create-or-update, get, patch, delete, lists by resource
//! group and by subscription, and the provider's operations list.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use crate::store::Key;
use crate::{ApiError, App};

#[derive(Debug, Clone, Copy)]
struct Provider {
    surface: &'static str,
    namespace: &'static str,
    collection: &'static str,
}

impl Provider {
    /// The api-version of the surface, as the generated crate gives it.
    fn api_version(&self) -> &'static str {
        crate::api_version_of(self.surface).unwrap_or_default()
    }
}

const PROVIDERS: [Provider; 2] = [
    Provider {
        surface: "arm-accounts",
        namespace: "Microsoft.MachineLearningModelManagement",
        collection: "accounts",
    },
    Provider {
        surface: "arm-hosting-accounts",
        namespace: "Microsoft.MachineLearningOperationalization",
        collection: "hostingAccounts",
    },
];

#[derive(Debug, serde::Deserialize)]
struct Params(BTreeMap<String, String>);

impl Params {
    fn get(&self, k: &str) -> &str {
        self.0.get(k).map(String::as_str).unwrap_or_default()
    }
}

type Answer = Result<Response, ApiError>;

fn check_version(p: Provider, q: &BTreeMap<String, String>) -> Result<(), ApiError> {
    match q.get("api-version") {
        Some(v) if v == p.api_version() => Ok(()),
        other => Err(ApiError::bad_request(format!(
            "invalid `api-version` {}: this provider speaks `{}`",
            other.map_or("(missing)".to_string(), |g| format!("`{g}`")),
            p.api_version()
        ))
        .arm()),
    }
}

/// All of a subscription's accounts live in one collection, keyed by
/// resource group and name, so both lists read it.
fn key(p: Provider, sub: &str) -> Key {
    Key {
        surface: p.surface,
        scope: sub.to_string(),
        kind: "accounts",
    }
}

fn resource_id(p: Provider, sub: &str, rg: &str, name: &str) -> String {
    format!(
        "/subscriptions/{sub}/resourceGroups/{rg}/providers/{}/{}/{name}",
        p.namespace, p.collection
    )
}

fn arm_err(e: String) -> ApiError {
    ApiError::internal(e).arm()
}

async fn create_or_update(app: App, p: Provider, params: Params, body: Bytes) -> Answer {
    let (sub, rg, name) = (params.get("sub"), params.get("rg"), params.get("name"));
    let mut account: Value = match p.surface {
        "arm-accounts" => {
            decode::<azureml_mms::arm_accounts::models::ModelManagementAccount>(&body)?
        }
        _ => decode::<azureml_mms::arm_hosting_accounts::models::HostingAccount>(&body)?,
    };
    let id = resource_id(p, sub, rg, name);
    account["id"] = json!(id);
    account["name"] = json!(name);
    account["type"] = json!(format!("{}/{}", p.namespace, p.collection));
    let props = account
        .get("properties")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let mut props = if props.is_object() { props } else { json!({}) };
    props["provisioningState"] = json!("Succeeded");
    account["properties"] = props;
    let k = key(p, sub);
    let existed = app
        .store
        .get(k.clone(), id.clone())
        .await
        .map_err(arm_err)?
        .is_some();
    if existed {
        app.store
            .replace(k, id, account.clone())
            .await
            .map_err(arm_err)?;
    } else {
        app.store
            .insert(k, id, Some(rg.to_string()), false, account.clone())
            .await
            .map_err(arm_err)?;
    }
    let status = if existed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, axum::Json(account)).into_response())
}

/// `data_plane::decode`, answering in ARM's error shape.
fn decode<T: serde::de::DeserializeOwned + serde::Serialize>(
    body: &Bytes,
) -> Result<Value, ApiError> {
    crate::data_plane::decode::<T>(body, "account").map_err(ApiError::arm)
}

async fn read(app: &App, p: Provider, params: &Params) -> Result<(Key, String, Value), ApiError> {
    let (sub, rg, name) = (params.get("sub"), params.get("rg"), params.get("name"));
    let id = resource_id(p, sub, rg, name);
    let k = key(p, sub);
    match app
        .store
        .get(k.clone(), id.clone())
        .await
        .map_err(arm_err)?
    {
        Some(v) => Ok((k, id, v)),
        None => Err(ApiError::not_found("account", name).arm()),
    }
}

async fn get_account(app: App, p: Provider, params: Params) -> Answer {
    let (_, _, v) = read(&app, p, &params).await?;
    Ok(axum::Json(v).into_response())
}

async fn patch_account(app: App, p: Provider, params: Params, body: Bytes) -> Answer {
    let patch: Value = match p.surface {
        "arm-accounts" => decode::<
            azureml_mms::arm_accounts::models::ModelManagementAccountUpdateParameters,
        >(&body)?,
        _ => decode::<azureml_mms::arm_hosting_accounts::models::HostingAccountUpdateParameters>(
            &body,
        )?,
    };
    let (k, id, mut account) = read(&app, p, &params).await?;
    if let Some(tags) = patch.get("tags") {
        account["tags"] = tags.clone();
    }
    if let Some(sku) = patch.get("sku") {
        account["sku"] = sku.clone();
    }
    if let Some(Value::Object(props)) = patch.get("properties") {
        for (key, value) in props {
            account["properties"][key] = value.clone();
        }
    }
    if let Some(d) = patch.get("description") {
        account["properties"]["description"] = d.clone();
    }
    app.store
        .replace(k, id, account.clone())
        .await
        .map_err(arm_err)?;
    Ok(axum::Json(account).into_response())
}

async fn delete_account(app: App, p: Provider, params: Params) -> Answer {
    let (sub, rg, name) = (params.get("sub"), params.get("rg"), params.get("name"));
    let existed = app
        .store
        .delete(key(p, sub), resource_id(p, sub, rg, name))
        .await
        .map_err(arm_err)?;
    Ok(if existed {
        StatusCode::OK
    } else {
        StatusCode::NO_CONTENT
    }
    .into_response())
}

/// Pages of `$top`-less ARM lists: the emulator's page size (100 unless
/// configured) at a time, with `nextLink`.
async fn list_accounts(
    app: App,
    p: Provider,
    params: Params,
    q: BTreeMap<String, String>,
    by_group: bool,
) -> Answer {
    let sub = params.get("sub").to_string();
    let rg = params.get("rg").to_string();
    let token = q.get("$skiptoken").or_else(|| q.get("$skipToken"));
    let after: i64 = match token {
        Some(t) => t
            .parse()
            .map_err(|_| ApiError::bad_request(format!("invalid `$skiptoken` `{t}`")).arm())?,
        None => 0,
    };
    let group = rg.clone();
    let keep = move |v: &Value| {
        !by_group
            || v.get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| id.contains(&format!("/resourceGroups/{group}/")))
    };
    let (items, more) = app
        .store
        .page(key(p, &sub), after, app.page_size, keep)
        .await
        .map_err(arm_err)?;
    let last = items.last().map(|(s, _)| *s);
    let mut doc = json!({"value": items.into_iter().map(|(_, v)| v).collect::<Vec<_>>()});
    if let (true, Some(last)) = (more, last) {
        let scope = if by_group {
            format!("/subscriptions/{sub}/resourceGroups/{rg}")
        } else {
            format!("/subscriptions/{sub}")
        };
        doc["nextLink"] = json!(format!(
            "{}{scope}/providers/{}/{}?$skiptoken={last}&api-version={}",
            app.base,
            p.namespace,
            p.collection,
            p.api_version()
        ));
    }
    Ok(axum::Json(doc).into_response())
}

fn operations(p: Provider) -> Value {
    let op = |name: &str, what: &str| {
        json!({
            "name": format!("{}/{}/{name}", p.namespace, p.collection),
            "display": {"provider": p.namespace, "resource": p.collection, "operation": what, "description": what},
            "origin": "user,system",
        })
    };
    json!({"value": [
        op("read", "Read"),
        op("write", "Create or update"),
        op("delete", "Delete"),
    ]})
}

type Q = Query<BTreeMap<String, String>>;

pub(crate) fn routes() -> Router<App> {
    let mut router = Router::new();
    for p in PROVIDERS {
        let item = format!(
            "/subscriptions/{{sub}}/resourceGroups/{{rg}}/providers/{}/{}/{{name}}",
            p.namespace, p.collection
        );
        let by_group = format!(
            "/subscriptions/{{sub}}/resourceGroups/{{rg}}/providers/{}/{}",
            p.namespace, p.collection
        );
        let by_sub = format!(
            "/subscriptions/{{sub}}/providers/{}/{}",
            p.namespace, p.collection
        );
        let ops = format!("/providers/{}/operations", p.namespace);
        router = router
            .route(
                &item,
                get(move |State(app): State<App>, Path(params): Path<Params>, Query(q): Q| async move {
                    check_version(p, &q)?;
                    get_account(app, p, params).await
                })
                .put(move |State(app): State<App>, Path(params): Path<Params>, Query(q): Q, body: Bytes| async move {
                    check_version(p, &q)?;
                    create_or_update(app, p, params, body).await
                })
                .patch(move |State(app): State<App>, Path(params): Path<Params>, Query(q): Q, body: Bytes| async move {
                    check_version(p, &q)?;
                    patch_account(app, p, params, body).await
                })
                .delete(move |State(app): State<App>, Path(params): Path<Params>, Query(q): Q| async move {
                    check_version(p, &q)?;
                    delete_account(app, p, params).await
                }),
            )
            .route(
                &by_group,
                get(move |State(app): State<App>, Path(params): Path<Params>, Query(q): Q| async move {
                    check_version(p, &q)?;
                    list_accounts(app, p, params, q, true).await
                }),
            )
            .route(
                &by_sub,
                get(move |State(app): State<App>, Path(params): Path<Params>, Query(q): Q| async move {
                    check_version(p, &q)?;
                    list_accounts(app, p, params, q, false).await
                }),
            )
            .route(
                &ops,
                get(move |Query(q): Q| async move {
                    check_version(p, &q)?;
                    Ok::<_, ApiError>(axum::Json(operations(p)).into_response())
                }),
            );
    }
    router
}
