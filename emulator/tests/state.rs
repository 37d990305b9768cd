//! The emulator's state: it survives a restart, parallel writes neither get
//! lost nor duplicated, and long-running operations move on its clock.

// Tests fail by panicking, helpers included.
#![allow(clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::Ordering;

use azureml_mms::account::AccountClient;
use azureml_mms::account::models::Model;
use azureml_mms::{SecretString, ServiceClientOptions, StaticTokenCredential};
use futures::TryStreamExt as _;
use mms_emulator::{Clock, Config};

const TOKEN: &str = "state-token";

fn client(base: &str) -> AccountClient {
    AccountClient::new(
        base,
        StaticTokenCredential::new(TOKEN),
        Some(ServiceClientOptions::default()),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("mms-emulator-state-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let db = dir.join("state.db");
    let config = || Config {
        db: Some(db.clone()),
        tokens: vec![TOKEN.into()],
        ..Default::default()
    };
    let first = mms_emulator::start(config())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let scope = client(first.base_url()).account("s", "r", "a");
    let model = scope
        .models()
        .register(
            &Model::new("application/zip", "kept", SecretString::new("u")),
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    first.shutdown().await;

    let second = mms_emulator::start(config())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let scope = client(second.base_url()).account("s", "r", "a");
    let id = model.id.clone().unwrap_or_default();
    let again = scope
        .models()
        .get(&id, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.name, "kept");
    second.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A list being paged while models are registered and deleted: every
/// model there from start to end is seen exactly once, nothing twice. (An
/// offset for `$skipToken` would skip one after the delete.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_stay_stable_while_writes_happen() {
    use azureml_mms::workspace::{ModelsListOptions, WorkspaceClient, models::Model};
    let running = mms_emulator::start(Config {
        tokens: vec![TOKEN.into()],
        ..Default::default()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let client = WorkspaceClient::new(
        running.base_url(),
        StaticTokenCredential::new(TOKEN),
        Some(ServiceClientOptions::default()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let scope = client.workspace("s", "r", "w");
    let register = |name: String| {
        let scope = &scope;
        async move {
            scope
                .models()
                .register(
                    &Model::new(name, SecretString::new("u"), "application/zip"),
                    None,
                )
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .id
                .clone()
                .unwrap_or_default()
        }
    };
    let mut before = Vec::new();
    for i in 0..6 {
        before.push(register(format!("before-{i}")).await);
    }
    let mut pages = scope
        .models()
        .list(Some(ModelsListOptions::default().with_count(2)))
        .unwrap_or_else(|e| panic!("{e}"))
        .into_pages();
    let first = pages
        .try_next()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no first page"));
    let mut seen: Vec<String> = first.value.iter().filter_map(|m| m.id.clone()).collect();
    assert_eq!(seen, before[..2]);
    // Between pages: one already listed goes, three new ones come.
    scope
        .models()
        .delete(&before[0], None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for i in 0..3 {
        register(format!("during-{i}")).await;
    }
    while let Some(page) = pages.try_next().await.unwrap_or_else(|e| panic!("{e}")) {
        seen.extend(page.value.iter().filter_map(|m| m.id.clone()));
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        seen.len(),
        "a model was listed twice: {seen:?}"
    );
    for id in &before {
        assert_eq!(
            seen.iter().filter(|i| *i == id).count(),
            1,
            "{id} in {seen:?}"
        );
    }
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_registrations_of_one_name_get_versions_one_to_a_hundred() {
    let running = mms_emulator::start(Config {
        tokens: vec![TOKEN.into()],
        ..Default::default()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let scope = Arc::new(client(running.base_url()).account("s", "r", "a"));
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let scope = scope.clone();
        tasks.push(tokio::spawn(async move {
            let body = Model::new("application/zip", "same", SecretString::new("u"));
            scope
                .models()
                .register(&body, None)
                .await
                .and_then(|m| m.into_model())
                .map(|m| m.version)
        }));
    }
    let mut versions = Vec::new();
    for t in tasks {
        let version = t
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("{e}"));
        versions.push(version.unwrap_or_default());
    }
    versions.sort();
    assert_eq!(versions, (1..=100).collect::<Vec<i32>>());
    let all: Vec<_> = scope
        .models()
        .list(None)
        .unwrap_or_else(|e| panic!("{e}"))
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.len(), 100);
    running.shutdown().await;
}

/// NotStarted for the first half of the delay, Running for the second,
/// then Succeeded, on a clock the test moves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_move_through_their_states_on_the_clock() {
    let (clock, now) = Clock::manual();
    let running = mms_emulator::start(Config {
        tokens: vec![TOKEN.into()],
        op_delay_ms: 10_000,
        clock,
        ..Default::default()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let base = running.base_url();
    let scope = client(base).account("s", "r", "a");
    // Over plain HTTP to see the raw states: register a manifest, start an image.
    let http = reqwest_like(base);
    let model = scope
        .models()
        .register(
            &Model::new("application/zip", "m", SecretString::new("u")),
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let manifest = serde_json::json!({"assets": [], "driverProgram": "score.py", "name": "man",
        "targetRuntime": {"runtimeType": "Python", "properties": {}}, "modelIds": [model.id]});
    let manifest = http
        .post(
            "/api/subscriptions/s/resourceGroups/r/accounts/a/manifests",
            &manifest,
        )
        .await;
    let image = serde_json::json!({"computeResourceId": "/c/1", "imageType": "Docker", "manifestId": manifest.1["id"], "name": "img"});
    let (headers, _) = http
        .post(
            "/api/subscriptions/s/resourceGroups/r/accounts/a/images",
            &image,
        )
        .await;
    let location = headers
        .lines()
        .find_map(|l| {
            l.split_once(": ")
                .filter(|(k, _)| k.eq_ignore_ascii_case("operation-location"))
                .map(|(_, v)| v)
        })
        .unwrap_or_else(|| panic!("no operation-location in {headers}"))
        .trim()
        .to_string();
    let path = location.trim_start_matches(base).to_string();
    let state = |doc: &serde_json::Value| doc["state"].as_str().unwrap_or_default().to_string();
    let first = http.exchange("GET", &path, None).await;
    assert_eq!(state(&first.1), "NotStarted", "{path}: {first:?}");
    now.fetch_add(6_000, Ordering::SeqCst);
    assert_eq!(state(&http.get(&path).await), "Running");
    now.fetch_add(4_000, Ordering::SeqCst);
    let done = http.get(&path).await;
    assert_eq!(state(&done), "Succeeded");
    // The operation was created when it was accepted, not when last asked.
    assert_eq!(done["createdTime"], first.1["createdTime"], "{done}");
    assert_ne!(done["createdTime"], done["endTime"], "{done}");
    assert!(
        done["resourceLocation"]
            .as_str()
            .is_some_and(|l| l.starts_with(base)),
        "{done}"
    );
    running.shutdown().await;
}

/// A minimal HTTP/1.1 client over a TCP stream, to read raw answers.
struct Raw {
    addr: String,
}

fn reqwest_like(base: &str) -> Raw {
    Raw {
        addr: base.trim_start_matches("http://").to_string(),
    }
}

impl Raw {
    async fn exchange(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> (String, serde_json::Value) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(&self.addr)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let sep = if path.contains('?') { '&' } else { '?' };
        let version = if path.contains("api-version") {
            String::new()
        } else {
            format!("{sep}api-version=2017-09-01-preview")
        };
        let request = format!(
            "{method} {path}{version} HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {TOKEN}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        stream
            .write_all(request.as_bytes())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mut answer = Vec::new();
        stream
            .read_to_end(&mut answer)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8_lossy(&answer).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        (
            head.to_string(),
            serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
        )
    }

    async fn get(&self, path: &str) -> serde_json::Value {
        self.exchange("GET", path, None).await.1
    }

    async fn post(&self, path: &str, body: &serde_json::Value) -> (String, serde_json::Value) {
        self.exchange("POST", path, Some(body)).await
    }
}
