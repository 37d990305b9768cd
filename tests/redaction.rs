//! Secrets never show: not in tracing output (everything the client and
//! azure_core log, at every level), not in `Debug` or `Display` of any model
//! with a secret field, not in errors.

use std::io::Write;
use std::sync::{Arc, Mutex};

use azureml_mms::account::AccountClient;
use azureml_mms::{ServiceClientOptions, StaticTokenCredential};
use mms_tests::fault_server::{FaultServer, Reply};
use serde_json::json;

const TOKEN: &str = "tok-S3CRET-1";
const MARK: &str = "S3CRET";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn tracing_output_and_errors_carry_no_secret() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let keys = json!({"primaryKey": "pk-S3CRET-2", "secondaryKey": "sk-S3CRET-3"});
    let model =
        json!({"id": "m1", "name": "m", "mimeType": "a", "url": "https://store/m?sig=S3CRET-4"});
    let server = FaultServer::start(
        vec![
            Reply::json(200, &keys),
            Reply::json(200, &model),
            Reply::json(401, &json!({"code": "Unauthorized", "message": "no"})),
        ],
        false,
    )
    .await;
    let client = AccountClient::new(
        &server.base,
        StaticTokenCredential::new(TOKEN),
        Some(ServiceClientOptions::default()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let scope = client.account("sub", "rg", "acct");
    let keys = scope
        .services()
        .list_keys("svc", None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let model = scope
        .models()
        .get("m1", None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let err = scope.models().get("m2", None).await.expect_err("401");
    let shown = format!("{keys:?} {model:?} {err} {err:?} {client:?} {scope:?}");
    assert!(!shown.contains(MARK), "a secret in Debug/Display: {shown}");
    // The secrets are there for whoever asks on purpose.
    assert_eq!(
        keys.primary_key.as_ref().map(|k| k.expose()),
        Some("pk-S3CRET-2")
    );

    let log = String::from_utf8(captured.0.lock().map(|b| b.clone()).unwrap_or_default())
        .unwrap_or_default();
    assert!(
        log.contains("Services_ListKeys"),
        "the requests were traced:\n{log}"
    );
    assert!(
        log.contains("/api/subscriptions/{subscriptionId}"),
        "paths are traced as templates:\n{log}"
    );
    assert!(!log.contains(MARK), "a secret in the logs:\n{log}");
    assert_eq!(
        server.seen()[0].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

/// Every model with an `x-ms-secret` field, filled with secrets, shows none.
#[test]
fn debug_of_every_model_with_a_secret_redacts_it() {
    use azureml_mms::{account, hosting_account, models, workspace};
    fn check<T: std::fmt::Debug + serde::de::DeserializeOwned>(
        name: &str,
        value: serde_json::Value,
    ) -> String {
        let v: T = serde_json::from_value(value).unwrap_or_else(|e| panic!("{name}: {e}"));
        let shown = format!("{v:?}");
        assert!(!shown.contains(MARK), "{name}: {shown}");
        name.to_string()
    }
    let s = "x-S3CRET-y";
    let covered = [
        check::<models::AuthKeys>("AuthKeys", json!({"primaryKey": s, "secondaryKey": s})),
        check::<account::models::Model>("Model", json!({"mimeType": "a", "name": "n", "url": s})),
        check::<hosting_account::models::ModelRequest>(
            "ModelRequest",
            json!({"name": "n", "url": s}),
        ),
        check::<hosting_account::models::Model>("Model", json!({"url": s})),
        check::<workspace::models::Model>("Model", json!({"name": "n", "url": s, "mimeType": "a"})),
        check::<hosting_account::models::RegistryInfo>(
            "RegistryInfo",
            json!({"user": "u", "location": "l", "password": s}),
        ),
        check::<hosting_account::models::ServiceCreateRequest>(
            "ServiceCreateRequest",
            json!({"imageId": "i", "name": "n", "kubeConfig": s, "acrImagePullSecret": "p"}),
        ),
        check::<workspace::models::ContainerRegistry>("ContainerRegistry", json!({"password": s})),
        check::<workspace::models::AciServiceCreateRequest>(
            "AciServiceCreateRequest",
            json!({"name": "n", "sslKey": s}),
        ),
        check::<workspace::models::AciServiceResponse>("AciServiceResponse", json!({"sslKey": s})),
        check::<workspace::models::AuthToken>("AuthToken", json!({"accessToken": s})),
        check::<workspace::models::RegistryInfo>(
            "RegistryInfo",
            json!({"user": "u", "location": "l", "password": s}),
        ),
        check::<workspace::models::RegenerateServiceKeysRequest>(
            "RegenerateServiceKeysRequest",
            json!({"keyValue": s}),
        ),
    ];
    // The list above is every secret-bearing type the specs have.
    let api = mms_tests::specs_api();
    let mut with_secrets: Vec<String> = Vec::new();
    let defs = api
        .common_types
        .iter()
        .chain(api.surfaces.iter().flat_map(|s| s.types.iter()));
    for d in defs {
        if let xtask::ir::TypeKind::Struct(st) = &d.kind {
            let secret = st
                .fields
                .iter()
                .any(|f| format!("{:?}", f.ty).contains("Secret"));
            if secret {
                with_secrets.push(d.name.clone());
            }
        }
    }
    let mut covered = covered.to_vec();
    covered.sort();
    with_secrets.sort();
    assert_eq!(covered, with_secrets);
}
