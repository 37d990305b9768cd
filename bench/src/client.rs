//! Client figures against one loopback server: the generated client next
//! to a hand-written reqwest call doing the same GET and decode, decoding
//! a large page, and streaming 100,000 items.

use std::time::Instant;

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use azureml_mms::account::models::Model;
use azureml_mms::account::{AccountClient, AccountScope};
use azureml_mms::azure_core::http::{RawResponse, StatusCode, headers::Headers};
use azureml_mms::{Page, ServiceClientOptions, StaticTokenCredential};
use futures::TryStreamExt as _;
use serde_json::json;

use crate::{Figure, Phase, median, median_ms, memory, round};

const SCOPE: &str = "/api/subscriptions/s/resourceGroups/r/accounts/a";
const TOKEN: &str = "bench-token";
const ROUNDS: usize = 25;
const REQUESTS_PER_ROUND: usize = 200;
const DECODE_ROUNDS: usize = 5;
const STREAM_ITEMS: usize = 100_000;
const STREAM_PAGE: usize = 1_000;

/// The api-version the account client sends, as the generated crate says:
/// the hand-written calls send the same.
fn api_version() -> &'static str {
    azureml_mms::SURFACES
        .iter()
        .find(|s| s.feature == "account")
        .and_then(|s| s.api_version)
        .map_or("", |(_, value)| value)
}

fn model(i: usize) -> serde_json::Value {
    json!({
        "id": format!("00000000-0000-0000-0000-{i:012}"),
        "name": format!("model-{i}"),
        "description": "A model registered for the benchmark, with a description of ordinary length.",
        "mimeType": "application/zip",
        "url": format!("https://store.example/models/{i}.zip"),
        "tags": ["bench", "churn"],
        "unpack": true,
        "version": 3,
        "createdAt": "2026-11-22T09:00:00Z",
    })
}

fn page_bytes(first: usize, count: usize, next: Option<String>) -> Vec<u8> {
    let items: Vec<_> = (first..first + count).map(model).collect();
    let mut page = json!({"value": items});
    if let Some(next) = next {
        page["nextLink"] = json!(next);
    }
    serde_json::to_vec(&page).unwrap_or_default()
}

async fn serve() -> Result<String, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let base = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let one = serde_json::to_vec(&model(1)).unwrap_or_default();
    let list_base = base.clone();
    let app = Router::new()
        .route(
            &format!("{SCOPE}/models/{{id}}"),
            get(move |Path(_id): Path<String>| {
                let one = one.clone();
                async move { ([(CONTENT_TYPE, "application/json")], one) }
            }),
        )
        .route(
            &format!("{SCOPE}/models"),
            get(
                move |Query(q): Query<std::collections::BTreeMap<String, String>>| {
                    let base = list_base.clone();
                    async move {
                        let page: usize = q
                            .get("$skipToken")
                            .and_then(|t| t.parse().ok())
                            .unwrap_or(0);
                        let pages = STREAM_ITEMS / STREAM_PAGE;
                        let next = (page + 1 < pages).then(|| {
                            format!(
                                "{base}{SCOPE}/models?api-version={}&$skipToken={}",
                                api_version(),
                                page + 1
                            )
                        });
                        (
                            [(CONTENT_TYPE, "application/json")],
                            page_bytes(page * STREAM_PAGE, STREAM_PAGE, next),
                        )
                            .into_response()
                    }
                },
            ),
        );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(base)
}

/// The generated client's account scope on the loopback server at `base`.
fn account(base: &str) -> Result<AccountScope, String> {
    let client = AccountClient::new(
        base,
        StaticTokenCredential::new(TOKEN),
        Some(ServiceClientOptions::default()),
    )
    .map_err(|e| e.to_string())?;
    Ok(client.account("s", "r", "a"))
}

pub(crate) async fn figures() -> Result<Phase, String> {
    let base = serve().await?;
    let scope = account(&base)?;
    let theirs = reqwest::Client::new();
    let url = format!("{base}{SCOPE}/models/m1?api-version={}", api_version());
    // The floor under any azure_core-based client: azure_core's own
    // pipeline (its built-in policies and transport, nothing of ours)
    // sending the same GET.
    let bare = azureml_mms::azure_core::http::Pipeline::new(
        None,
        None,
        Default::default(),
        Vec::new(),
        Vec::new(),
        None,
    );
    let bare_url = azureml_mms::azure_core::http::Url::parse(&url).map_err(|e| e.to_string())?;
    let bare_ctx = azureml_mms::azure_core::http::Context::new();

    // Requests per second of each contender in turn, round after round
    // (the order alternating); each round's ratios, then their medians.
    let mut rates: [Vec<f64>; 3] = Default::default();
    let mut ratios = Vec::new();
    let mut floor_ratios = Vec::new();
    for round_index in 0..ROUNDS {
        let mut round_rates = [0.0; 3];
        let mut order = [0usize, 1, 2];
        if round_index % 2 == 1 {
            order.reverse();
        }
        for contender in order {
            let started = Instant::now();
            for _ in 0..REQUESTS_PER_ROUND {
                let m: Model = match contender {
                    0 => scope
                        .models()
                        .get("m1", None)
                        .await
                        .and_then(|r| r.into_model())
                        .map_err(|e| format!("generated client: {e}"))?,
                    1 => {
                        let mut request = azureml_mms::azure_core::http::Request::new(
                            bare_url.clone(),
                            azureml_mms::azure_core::http::Method::Get,
                        );
                        request.insert_header("authorization", format!("Bearer {TOKEN}"));
                        let response = bare
                            .send(&bare_ctx, &mut request, None)
                            .await
                            .map_err(|e| format!("azure_core pipeline: {e}"))?;
                        serde_json::from_slice(response.body()).map_err(|e| e.to_string())?
                    }
                    _ => {
                        let response = theirs
                            .get(&url)
                            .bearer_auth(TOKEN)
                            .send()
                            .await
                            .map_err(|e| format!("reqwest: {e}"))?;
                        if !response.status().is_success() {
                            return Err(format!("reqwest: {}", response.status()));
                        }
                        let bytes = response.bytes().await.map_err(|e| e.to_string())?;
                        serde_json::from_slice(&bytes).map_err(|e| e.to_string())?
                    }
                };
                std::hint::black_box(&m.name);
            }
            round_rates[contender] = REQUESTS_PER_ROUND as f64 / started.elapsed().as_secs_f64();
        }
        ratios.push(round_rates[0] / round_rates[2]);
        floor_ratios.push(round_rates[1] / round_rates[2]);
        for (all, rate) in rates.iter_mut().zip(round_rates) {
            all.push(rate);
        }
    }
    let client_vs_reqwest = median(&mut ratios);
    let [ours_rates, floor_rates, theirs_rates] = &mut rates;
    let requests_per_second = json!({
        "ours": round(median(ours_rates), 0),
        "azure_core_pipeline": round(median(floor_rates), 0),
        "reqwest": round(median(theirs_rates), 0),
    });
    let azure_core_vs_reqwest = median(&mut floor_ratios);

    // Decoding one page of 10,000 items: the client's own path (which
    // names the JSON path on failure) against plain serde_json.
    let page = azureml_mms::azure_core::Bytes::from(page_bytes(0, 10_000, None));
    let raw = RawResponse::from_bytes(StatusCode::Ok, Headers::new(), page.clone());
    let mut decode_ratios = Vec::new();
    for _ in 0..DECODE_ROUNDS {
        let ours = median_ms(4, || {
            azureml_mms::runtime::decode::<Page<Model>>("Models_List", &raw).map(|p| p.value.len())
        })?;
        let theirs = median_ms(4, || {
            serde_json::from_slice::<Page<Model>>(&page).map(|p| p.value.len())
        })?;
        decode_ratios.push(ours / theirs);
    }
    let decode_vs_serde = median(&mut decode_ratios);

    let mut extra = std::collections::BTreeMap::new();
    extra.insert("requests_per_second".to_string(), requests_per_second);
    extra.insert(
        "azure_core_pipeline_vs_reqwest".to_string(),
        json!(round(azure_core_vs_reqwest, 3)),
    );
    Ok(Phase {
        extra,
        figures: vec![
            Figure::new("client_vs_reqwest", round(client_vs_reqwest, 3), "≥ 0.95"),
            Figure::new("decode_vs_serde", round(decode_vs_serde, 3), "≤ 1.1"),
        ],
    })
}

/// Streaming 100,000 items across 100 pages, in a phase of its own so that
/// no earlier measurement's freed heap counts. The peak is the process's,
/// server included, from a reset just before.
pub(crate) async fn stream_figures() -> Result<Phase, String> {
    let scope = account(&serve().await?)?;
    memory::reset_peak()?;
    let mut items = scope
        .models()
        .list(None)
        .map_err(|e| format!("list: {e}"))?;
    let mut seen = 0usize;
    while let Some(m) = items.try_next().await.map_err(|e| format!("list: {e}"))? {
        std::hint::black_box(&m.name);
        seen += 1;
    }
    let stream_peak = memory::peak_mb()?;
    if seen != STREAM_ITEMS {
        return Err(format!("streamed {seen} items, expected {STREAM_ITEMS}"));
    }
    Ok(Phase {
        extra: Default::default(),
        figures: vec![Figure::new(
            "stream_100k_peak_mb",
            round(stream_peak, 1),
            "< 64",
        )],
    })
}
