//! The client under faults, against a scripted loopback server: each
//! scenario asserts how many attempts reached the server and the exact
//! error returned. Waits between retries go through an injected sleeper
//! that records them and returns at once; the timeouts under test are a
//! fraction of a second of real time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use azureml_mms::account::{AccountClient, AccountScope};
use azureml_mms::models::AsyncOperationState;
use azureml_mms::{
    RetryPolicyOptions, ServiceClientOptions, ServiceError, Sleeper, StaticTokenCredential,
};
use futures::TryStreamExt as _;
use mms_tests::fault_server::{FaultServer, Reply};
use serde_json::json;

/// Records every wait asked for; waits for none.
#[derive(Debug, Default)]
struct RecordingSleeper(Mutex<Vec<Duration>>);

impl Sleeper for RecordingSleeper {
    fn sleep(
        &self,
        duration: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        if let Ok(mut waits) = self.0.lock() {
            waits.push(duration);
        }
        Box::pin(std::future::ready(()))
    }
}

impl RecordingSleeper {
    fn waits(&self) -> Vec<Duration> {
        self.0.lock().map(|w| w.clone()).unwrap_or_default()
    }
}

const TOKEN: &str = "token-SECRET-5f1b";
const BASE: &str = "/api/subscriptions/sub/resourceGroups/rg/accounts/acct";

struct Setup {
    server: FaultServer,
    scope: AccountScope,
    sleeper: Arc<RecordingSleeper>,
}

async fn setup(
    replies: Vec<Reply>,
    repeat_last: bool,
    tweak: impl FnOnce(&mut ServiceClientOptions),
) -> Setup {
    let server = FaultServer::start(replies, repeat_last).await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let mut options = ServiceClientOptions {
        retry: RetryPolicyOptions {
            max_retries: 3,
            initial_delay: Duration::from_millis(100),
            ..Default::default()
        },
        sleeper: sleeper.clone(),
        request_timeout: Duration::from_secs(10),
        ..Default::default()
    };
    tweak(&mut options);
    let client = AccountClient::new(
        &server.base,
        StaticTokenCredential::new(TOKEN),
        Some(options),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let scope = client.account("sub", "rg", "acct");
    Setup {
        server,
        scope,
        sleeper,
    }
}

impl Setup {
    /// `Models_Get` of model `m1`, the call most scenarios make.
    async fn get_model(
        &self,
    ) -> azure_core::Result<azureml_mms::Response<azureml_mms::account::models::Model>> {
        self.scope.models().get("m1", None).await
    }
}

/// What an error wraps, as text (empty when nothing).
fn cause(err: &azure_core::Error) -> String {
    std::error::Error::source(err)
        .map(ToString::to_string)
        .unwrap_or_default()
}

fn model() -> serde_json::Value {
    json!({"id": "m1", "name": "churn", "mimeType": "application/zip", "url": "https://store/m.zip?sig=SAS-SECRET"})
}

fn service_error(e: &azure_core::Error) -> &ServiceError {
    ServiceError::of(e).unwrap_or_else(|| panic!("not a service error: {e:?}"))
}

#[tokio::test]
async fn invalid_json_is_a_decode_error_naming_operation_request_id_and_path() {
    let s = setup(
        vec![Reply::json(200, &json!({"id": "m1", "name": 42}))],
        false,
        |_| {},
    )
    .await;
    let err = s.get_model().await.expect_err("must fail");
    assert_eq!(
        err.to_string(),
        "Models_Get: the 200 response (x-ms-request-id req-200) does not match its documented type at `name`: invalid type: integer `42`, expected a string at line 1 column 20"
    );
    assert_eq!(s.server.count(), 1);
    let broken = setup(
        vec![Reply::Respond {
            status: 200,
            headers: vec![],
            body: b"{\"id\": ".to_vec(),
        }],
        false,
        |_| {},
    )
    .await;
    let err = broken.get_model().await.expect_err("must fail");
    assert!(
        err.to_string()
            .starts_with("Models_Get: the 200 response does not match its documented type"),
        "{err}"
    );
}

#[tokio::test]
async fn a_truncated_body_fails_clearly() {
    let s = setup(
        vec![Reply::Truncated {
            status: 200,
            body: b"{\"id\": \"m".to_vec(),
            claimed: 200,
        }],
        false,
        |_| {},
    )
    .await;
    let err = s.get_model().await.expect_err("must fail");
    assert!(
        err.to_string()
            .starts_with("Models_Get: failed after 1 attempt"),
        "{err}"
    );
    assert_eq!(s.server.count(), 1);
}

#[tokio::test]
async fn throttling_waits_as_long_as_retry_after_says() {
    let s = setup(
        vec![
            Reply::json(429, &json!({"code": "TooManyRequests"})).with_header("retry-after", "7"),
            Reply::json(200, &model()),
        ],
        false,
        |_| {},
    )
    .await;
    let model = s.get_model().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(model.name, "churn");
    assert_eq!(s.server.count(), 2);
    assert_eq!(s.sleeper.waits(), [Duration::from_secs(7)]);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honored() {
    let when =
        azure_core::time::OffsetDateTime::now_utc() + azure_core::time::Duration::seconds(40);
    let date = azure_core::time::to_rfc7231(&when);
    let s = setup(
        vec![
            Reply::json(503, &json!({})).with_header("retry-after", &date),
            Reply::json(200, &model()),
        ],
        false,
        |_| {},
    )
    .await;
    s.get_model().await.unwrap_or_else(|e| panic!("{e}"));
    let waits = s.sleeper.waits();
    assert_eq!(waits.len(), 1);
    assert!(
        waits[0] > Duration::from_secs(30) && waits[0] <= Duration::from_secs(40),
        "{waits:?}"
    );
}

#[tokio::test]
async fn transient_failures_are_retried_with_growing_jittered_backoff() {
    let s = setup(
        vec![
            Reply::json(503, &json!({})),
            Reply::json(503, &json!({})),
            Reply::json(200, &model()),
        ],
        false,
        |_| {},
    )
    .await;
    s.get_model().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.server.count(), 3);
    let waits = s.sleeper.waits();
    assert_eq!(waits.len(), 2);
    // 100 ms then 200 ms, each scaled by a jitter in [0.5, 1).
    assert!(
        waits[0] >= Duration::from_millis(50) && waits[0] < Duration::from_millis(100),
        "{waits:?}"
    );
    assert!(
        waits[1] >= Duration::from_millis(100) && waits[1] < Duration::from_millis(200),
        "{waits:?}"
    );
}

#[tokio::test]
async fn a_service_that_stays_down_is_given_up_on_after_max_attempts() {
    let s = setup(
        vec![Reply::json(
            503,
            &json!({"code": "ServiceUnavailable", "message": "down"}),
        )],
        true,
        |_| {},
    )
    .await;
    let err = s.get_model().await.expect_err("must fail");
    let e = service_error(&err);
    assert_eq!(u16::from(e.status), 503);
    assert_eq!(e.attempts, 4);
    assert_eq!(
        e.to_string(),
        "Models_Get failed with status 503 (x-ms-request-id req-503) after 4 attempts: ServiceUnavailable: down"
    );
    assert_eq!(s.server.count(), 4);
}

#[tokio::test]
async fn a_response_slower_than_the_timeout_fails_each_attempt() {
    let slow = Reply::Delay(Duration::from_secs(5), Box::new(Reply::json(200, &model())));
    let s = setup(vec![slow], true, |o| {
        o.request_timeout = Duration::from_millis(150);
        o.retry.max_retries = 1;
    })
    .await;
    let err = s.get_model().await.expect_err("must time out");
    assert_eq!(err.kind(), &azure_core::error::ErrorKind::Io);
    assert!(
        err.to_string()
            .starts_with("Models_Get: failed after 2 attempts"),
        "{err}"
    );
    let cause = cause(&err);
    assert_eq!(cause, "no response within 150 ms");
    assert_eq!(s.server.count(), 2);
}

#[tokio::test]
async fn a_reset_connection_is_retried() {
    let s = setup(
        vec![Reply::Reset, Reply::json(200, &model())],
        false,
        |_| {},
    )
    .await;
    s.get_model().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.server.count(), 2);
    assert_eq!(s.sleeper.waits().len(), 1);
}

#[tokio::test]
async fn unauthorized_is_not_retried() {
    let s = setup(
        vec![Reply::json(
            401,
            &json!({"code": "Unauthorized", "message": "bad token"}),
        )],
        true,
        |_| {},
    )
    .await;
    let err = s.get_model().await.expect_err("must fail");
    assert_eq!(
        service_error(&err).to_string(),
        "Models_Get failed with status 401 (x-ms-request-id req-401): Unauthorized: bad token"
    );
    assert_eq!(s.server.count(), 1);
    // The token went to the server, as a bearer token, and nowhere else.
    assert_eq!(
        s.server.seen()[0].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert!(
        s.server.seen()[0]
            .header("x-ms-client-request-id")
            .is_some()
    );
}

/// The error of listing a single page holding `items`.
async fn list_error(items: Vec<serde_json::Value>) -> String {
    let page = json!({ "value": items });
    let s = setup(vec![Reply::json(200, &page)], false, |_| {}).await;
    s.scope
        .models()
        .list(None)
        .unwrap_or_else(|e| panic!("{e}"))
        .try_collect::<Vec<_>>()
        .await
        .expect_err("must fail")
        .to_string()
}

#[tokio::test]
async fn a_bad_item_in_a_page_is_named_by_its_json_path() {
    let mut bad = model();
    bad["mimeType"] = json!(["not", "a", "string"]);
    let text = list_error(vec![model(), bad]).await;
    assert!(
        text.starts_with("Models_List: the 200 response (x-ms-request-id req-200) does not match its documented type at `value[1].mimeType`: invalid type: sequence, expected a string"),
        "{text}"
    );
    let mut missing = model();
    missing.as_object_mut().map(|m| m.remove("name"));
    let text = list_error(vec![model(), model(), missing]).await;
    assert!(
        text.contains("does not match its documented type at `value[2]`: missing field `name`"),
        "{text}"
    );
}

#[tokio::test]
async fn every_attempt_carries_the_callers_client_request_id_or_a_fresh_one() {
    let s = setup(
        vec![
            Reply::json(503, &json!({"code": "Busy"})),
            Reply::json(200, &model()),
            Reply::json(200, &model()),
        ],
        false,
        |_| {},
    )
    .await;
    let mut options = azureml_mms::account::ModelsGetOptions::default();
    options.method_options.context.insert(
        azureml_mms::azure_core::http::request::options::ClientRequestId::new(
            "caller-chosen-id".to_string(),
        ),
    );
    s.scope
        .models()
        .get("m1", Some(options))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    s.get_model().await.unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<String> = s
        .server
        .seen()
        .iter()
        .map(|r| r.header("x-ms-client-request-id").unwrap_or("").to_string())
        .collect();
    // The retry resends the same id; the next call gets its own UUID.
    assert_eq!(ids[..2], ["caller-chosen-id", "caller-chosen-id"]);
    assert_eq!(ids[2].len(), 36, "{ids:?}");
    assert_ne!(ids[2], "caller-chosen-id");
}

#[tokio::test]
async fn a_next_link_to_another_host_is_refused() {
    let page = json!({"value": [model()], "nextLink": "http://evil.example:1/steal?page=2"});
    let s = setup(vec![Reply::json(200, &page)], false, |_| {}).await;
    let mut models = s
        .scope
        .models()
        .list(None)
        .unwrap_or_else(|e| panic!("{e}"));
    let err = loop {
        match models.try_next().await {
            Ok(Some(_)) => {}
            Ok(None) => panic!("the second page must not be fetched"),
            Err(e) => break e,
        }
    };
    assert_eq!(
        err.to_string(),
        "Models_List: refusing to follow a link to http://evil.example: it leaves the endpoint http://127.0.0.1"
    );
    assert_eq!(s.server.count(), 1);
}

#[tokio::test]
async fn an_operation_location_on_another_host_is_refused() {
    let accepted = Reply::json(202, &json!({}))
        .with_header("operation-location", "https://evil.example/operations/1");
    let s = setup(vec![accepted], false, |_| {}).await;
    let err = s
        .scope
        .images()
        .create(&image_request(), None)
        .unwrap_or_else(|e| panic!("{e}"))
        .await
        .expect_err("must refuse");
    assert_eq!(
        err.to_string(),
        "Images_Create: refusing to follow a link to https://evil.example: it leaves the endpoint http://127.0.0.1"
    );
    assert_eq!(s.server.count(), 1);
}

/// A 202 naming the status document on the server itself.
fn accepted() -> Reply {
    Reply::json(202, &json!({})).with_header(
        "operation-location",
        &format!("{{base}}{BASE}/operations/op1?api-version=x"),
    )
}

fn image_request() -> azureml_mms::account::models::ImageRequest {
    use azureml_mms::account::models::{ImageRequest, ImageType};
    ImageRequest::new("/c/1", ImageType::Docker, "man-1", "img")
}

#[tokio::test]
async fn an_operation_that_fails_returns_its_error() {
    let running = json!({"id": "op1", "state": "Running"});
    let failed = json!({"id": "op1", "state": "Failed", "error": {"code": "BadManifest", "message": "manifest man-1 not found"}});
    let s = setup(
        vec![
            accepted().with_header("retry-after-ms", "10"),
            Reply::json(200, &running).with_header("retry-after-ms", "10"),
            Reply::json(200, &failed),
        ],
        false,
        |_| {},
    )
    .await;
    let err = s
        .scope
        .images()
        .create(&image_request(), None)
        .unwrap_or_else(|e| panic!("{e}"))
        .await
        .expect_err("must fail");
    assert_eq!(
        service_error(&err).to_string(),
        "Images_Create failed with status 200 (x-ms-request-id req-200): BadManifest: manifest man-1 not found"
    );
    let seen = s.server.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(
        seen[1].target,
        format!("{BASE}/operations/op1?api-version=x")
    );
}

#[tokio::test]
async fn an_operation_that_never_ends_stops_at_the_deadline() {
    let running = json!({"id": "op1", "state": "Running"});
    let s = setup(
        vec![
            accepted().with_header("retry-after-ms", "20"),
            Reply::json(200, &running).with_header("retry-after-ms", "20"),
        ],
        true,
        |o| o.lro_deadline = Duration::from_millis(300),
    )
    .await;
    let err = s
        .scope
        .images()
        .create(&image_request(), None)
        .unwrap_or_else(|e| panic!("{e}"))
        .await
        .expect_err("must stop");
    assert_eq!(
        err.to_string(),
        "Images_Create: still running after 0.3 s; stopped waiting (the operation itself may still finish)"
    );
    let polls = s.server.count() - 1;
    assert!((2..=20).contains(&polls), "{polls} polls");
}

#[tokio::test]
async fn unknown_enum_values_and_extra_fields_decode() {
    let status = json!({"id": "op1", "state": "Pausing", "operationType": "Image", "someFutureField": {"x": 1}});
    let s = setup(vec![Reply::json(200, &status)], false, |_| {}).await;
    let op = s
        .scope
        .operations()
        .get("op1", None)
        .await
        .and_then(|r| r.into_model())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(op.state, Some(AsyncOperationState::Other("Pausing".into())));
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let big = json!({"id": "m1", "name": "x".repeat(10_000), "mimeType": "a", "url": "u"});
    let s = setup(vec![Reply::json(200, &big)], false, |o| {
        o.max_response_bytes = 1024
    })
    .await;
    let err = s.get_model().await.expect_err("must refuse");
    assert_eq!(err.to_string(), "Models_Get: failed after 1 attempt");
    let cause = cause(&err);
    assert_eq!(
        cause,
        "Models_Get: the 200 response is larger than the 1024-byte limit (x-ms-request-id req-200)"
    );
}

#[tokio::test]
async fn a_post_that_fails_with_503_is_not_retried() {
    let s = setup(
        vec![Reply::json(503, &json!({"code": "Busy"}))],
        true,
        |_| {},
    )
    .await;
    let body = azureml_mms::account::models::Model::new(
        "application/zip",
        "churn",
        azureml_mms::SecretString::new("https://s/m"),
    );
    let err = s
        .scope
        .models()
        .register(&body, None)
        .await
        .expect_err("must fail");
    assert_eq!(service_error(&err).attempts, 1);
    assert_eq!(s.server.count(), 1);
    assert!(s.sleeper.waits().is_empty());
}

#[test]
fn plain_http_is_for_loopback_only() {
    let err = AccountClient::new(
        "http://example.com",
        StaticTokenCredential::new(TOKEN),
        None,
    )
    .expect_err("must refuse");
    assert_eq!(
        err.to_string(),
        "account: refusing endpoint `http://example.com`: bearer tokens travel only over HTTPS, or plain HTTP to a loopback address"
    );
    for ok in [
        "http://localhost:8080",
        "http://127.0.0.1:1",
        "http://[::1]:1",
        "https://example.com",
    ] {
        assert!(
            AccountClient::new(ok, StaticTokenCredential::new(TOKEN), None).is_ok(),
            "{ok}"
        );
    }
    let err = AccountClient::new("not a url", StaticTokenCredential::new(TOKEN), None)
        .expect_err("must refuse");
    assert!(
        err.to_string()
            .starts_with("account: endpoint `not a url` is not a URL"),
        "{err}"
    );
}
