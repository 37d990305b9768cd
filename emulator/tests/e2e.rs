//! Every operation of every surface, through the generated client, against
//! the emulator over real HTTP on loopback. Each call that answers as
//! documented marks its operation; the run prints
//! `coverage: N/70 operations exercised` and fails unless all are.

// Tests fail by panicking, helpers included.
#![allow(clippy::panic)]

use std::collections::BTreeSet;
use std::io::Write as _;
use std::sync::{Arc, Mutex};

use azureml_mms::{SecretString, ServiceClientOptions, ServiceError, StaticTokenCredential};
use futures::TryStreamExt as _;
use mms_emulator::{Clock, Config, Running};

const TOKEN: &str = "e2e-token";

struct Coverage(Mutex<BTreeSet<String>>);

impl Coverage {
    fn hit(&self, surface: &str, op: &str) {
        if let Ok(mut set) = self.0.lock() {
            set.insert(format!("{surface}/{op}"));
        }
    }
}

fn ok<T>(what: &str, r: azure_core::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Where a scenario runs: the emulator's endpoint and the client options
/// that reach it.
struct Target {
    base: String,
    options: ServiceClientOptions,
}

impl Target {
    fn options(&self) -> Option<ServiceClientOptions> {
        Some(self.options.clone())
    }
}

/// How long the emulator's operations take, on its clock: long enough that
/// every long-running operation is polled through `NotStarted` and
/// `Running` before it ends.
const OP_DELAY_MS: i64 = 20_000;

/// An emulator on a clock of its own, and client options whose waits move
/// that clock.
async fn emulator(tls: Option<mms_emulator::Tls>) -> (Running, ServiceClientOptions) {
    let (clock, _) = Clock::manual();
    let running = ok(
        "start",
        mms_emulator::start(Config {
            tokens: vec![TOKEN.into()],
            tls,
            op_delay_ms: OP_DELAY_MS,
            clock: clock.clone(),
            ..Default::default()
        })
        .await
        .map_err(|e| azure_core::Error::with_message(azure_core::error::ErrorKind::Other, e)),
    );
    let mut options = ServiceClientOptions::default();
    if let Some(sleeper) = clock.sleeper() {
        options.sleeper = Arc::new(sleeper);
    }
    (running, options)
}

/// Client options whose transport trusts `pem` (and nothing else), as a
/// user of `mms-emulator --tls` would set them up.
fn trusting(mut options: ServiceClientOptions, pem: &str) -> ServiceClientOptions {
    let cert = reqwest::Certificate::from_pem(pem.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let http = reqwest::Client::builder()
        .tls_certs_only([cert])
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    options.client_options.transport =
        Some(azure_core::http::Transport::new(std::sync::Arc::new(http)));
    options
}

fn status(e: &azure_core::Error) -> u16 {
    ServiceError::of(e)
        .map(|s| u16::from(s.status))
        .unwrap_or_else(|| panic!("not a service error: {e}"))
}

async fn hosting_account(target: &Target, cov: &Coverage) {
    let base = target.base.as_str();
    use azureml_mms::hosting_account::HostingAccountClient;
    use azureml_mms::hosting_account::models::*;
    let s = "hosting-account";
    let client = ok(
        "client",
        HostingAccountClient::new(base, StaticTokenCredential::new(TOKEN), target.options()),
    );
    let scope = client.hosting_account("sub", "rg", "ha");
    let model = ok(
        "register",
        scope
            .models()
            .register(
                &ModelRequest::new("churn", SecretString::new("https://s/m?sig=x")),
                None,
            )
            .await,
    );
    cov.hit(s, "Models_Register");
    let model_id = model.id.clone().unwrap_or_default();
    let again = ok(
        "register again",
        scope
            .models()
            .register(
                &ModelRequest::new("churn", SecretString::new("https://s/m2")),
                None,
            )
            .await,
    );
    assert_eq!(
        again.version,
        Some(2),
        "a name registered again is a new version"
    );
    assert_ne!(again.id, model.id);
    ok("get", scope.models().get(&model_id, None).await);
    cov.hit(s, "Models_Get");
    assert_eq!(ok("list", scope.models().list(None).await).len(), 2);
    cov.hit(s, "Models_List");
    let manifest = ManifestRequest::new(
        ModelType::Registered,
        vec![model_id.clone()],
        Vec::new(),
        TargetRuntime::new(RuntimeType::SparkPython),
    );
    let manifest = ok("manifest", scope.manifests().create(&manifest, None).await);
    cov.hit(s, "Manifests_Create");
    let manifest_id = manifest.id.clone().unwrap_or_default();
    ok(
        "manifest get",
        scope.manifests().get(&manifest_id, None).await,
    );
    cov.hit(s, "Manifests_Get");
    ok("manifest list", scope.manifests().list(None).await);
    cov.hit(s, "Manifests_List");
    let registry = RegistryInfo::new("u", "registry.example", SecretString::new("pw"));
    let image = ok(
        "image",
        ok(
            "image start",
            scope.images().create(
                &ImageRequest::new(&manifest_id, ImageType::Docker, registry),
                None,
            ),
        )
        .await,
    );
    cov.hit(s, "Images_Create");
    cov.hit(s, "Operations_Get");
    let image_id = image.id.clone().unwrap_or_default();
    ok("image get", scope.images().get(&image_id, None).await);
    cov.hit(s, "Images_Get");
    let request =
        ServiceCreateRequest::new(&image_id, "churn-svc", SecretString::new("kube"), "pull");
    let service = ok(
        "service",
        ok("service start", scope.services().create(&request, None)).await,
    );
    cov.hit(s, "Services_Create");
    let service_id = service.id.clone().unwrap_or_default();
    ok("service get", scope.services().get(&service_id, None).await);
    cov.hit(s, "Services_Get");
    assert_eq!(
        ok("service list", scope.services().list(None).await).len(),
        1
    );
    cov.hit(s, "Services_List");
    let update = ServiceUpdateRequest::new(&manifest_id, "pull-2");
    let updated = ok(
        "update",
        ok(
            "update start",
            scope.services().update(&service_id, &update, None),
        )
        .await,
    );
    assert_eq!(updated.id, service.id);
    cov.hit(s, "Services_Update");
    ok("delete", scope.services().delete(&service_id, None).await);
    cov.hit(s, "Services_Delete");
    // Validation, as the document states it.
    let bad = scope
        .models()
        .register(
            &ModelRequest::new("has space", SecretString::new("u")),
            None,
        )
        .await;
    let err = bad.expect_err("400");
    assert_eq!(status(&err), 400);
    assert!(err.to_string().contains("invalid `name`"), "{err}");
    assert_eq!(
        status(&scope.models().get("nope", None).await.expect_err("404")),
        404
    );
}

async fn account(target: &Target, cov: &Coverage) {
    let base = target.base.as_str();
    use azureml_mms::account::AccountClient;
    use azureml_mms::account::models::*;
    let s = "account";
    let client = ok(
        "client",
        AccountClient::new(base, StaticTokenCredential::new(TOKEN), target.options()),
    );
    let scope = client.account("sub", "rg", "acct");
    let mut ids = Vec::new();
    for i in 0..5 {
        let m = ok(
            "register",
            scope
                .models()
                .register(
                    &Model::new("application/zip", format!("m{i}"), SecretString::new("u")),
                    None,
                )
                .await,
        );
        ids.push(m.id.clone().unwrap_or_default());
    }
    cov.hit(s, "Models_Register");
    // Five models in pages of two: three pages.
    let pages: Vec<_> = ok(
        "pages",
        ok(
            "list",
            scope.models().list(Some(
                azureml_mms::account::ModelsListOptions::default().with_count("2"),
            )),
        )
        .into_pages()
        .try_collect()
        .await,
    );
    assert_eq!(pages.len(), 3);
    let all: Vec<_> = ok(
        "items",
        ok("list", scope.models().list(None)).try_collect().await,
    );
    assert_eq!(all.len(), 5);
    cov.hit(s, "Models_List");
    ok("get", scope.models().get(&ids[0], None).await);
    cov.hit(s, "Models_Get");
    let mut manifest = Manifest::new(
        Vec::new(),
        "score.py",
        "man",
        TargetRuntime::new(TargetRuntimeProperties::default(), RuntimeType::Python),
    );
    manifest.model_ids = Some(vec![ids[0].clone()]);
    let manifest = ok("manifest", scope.manifests().create(&manifest, None).await);
    cov.hit(s, "Manifests_Register");
    let manifest_id = manifest.id.clone().unwrap_or_default();
    ok(
        "manifest get",
        scope.manifests().get(&manifest_id, None).await,
    );
    cov.hit(s, "Manifests_Get");
    let _: Vec<_> = ok(
        "manifests",
        ok("list", scope.manifests().list(None)).try_collect().await,
    );
    cov.hit(s, "Manifests_List");
    let image = ok(
        "image",
        ok(
            "start",
            scope.images().create(
                &ImageRequest::new("/c/1", ImageType::Docker, &manifest_id, "img"),
                None,
            ),
        )
        .await,
    );
    cov.hit(s, "Images_Create");
    cov.hit(s, "Operations_Get");
    let image_id = image.id.clone().unwrap_or_default();
    ok("image get", scope.images().get(&image_id, None).await);
    cov.hit(s, "Images_Get");
    let _: Vec<_> = ok(
        "images",
        ok("list", scope.images().list(None)).try_collect().await,
    );
    cov.hit(s, "Images_List");
    // An image from an unknown manifest: the operation fails.
    let failed = ok(
        "start",
        scope.images().create(
            &ImageRequest::new("/c/1", ImageType::Docker, "no-such-manifest", "img"),
            None,
        ),
    )
    .await;
    let err = failed.expect_err("must fail");
    assert_eq!(
        ServiceError::of(&err).and_then(|e| e.code()),
        Some("ManifestNotFound"),
        "{err}"
    );
    let request = ServiceCreateRequest::new(ComputeResource::default(), &image_id, "svc");
    let service = ok(
        "service",
        ok("start", scope.services().create(&request, None)).await,
    );
    cov.hit(s, "Services_Create");
    let service_id = service.id.clone().unwrap_or_default();
    let dup = ok("start", scope.services().create(&request, None))
        .await
        .expect_err("409");
    assert_eq!(status(&dup), 409);
    ok("service get", scope.services().get(&service_id, None).await);
    cov.hit(s, "Services_Get");
    let _: Vec<_> = ok(
        "services",
        ok("list", scope.services().list(None)).try_collect().await,
    );
    cov.hit(s, "Services_List");
    let update = ServiceUpdateRequest::default().with_num_replicas(2);
    ok(
        "update",
        ok("start", scope.services().update(&service_id, &update, None)).await,
    );
    cov.hit(s, "Services_Update");
    let keys = ok("keys", scope.services().list_keys(&service_id, None).await);
    cov.hit(s, "Services_ListKeys");
    let regenerated = ok(
        "regenerate",
        scope
            .services()
            .regenerate_keys(
                &service_id,
                &ServiceRegenerateKeyRequest::default().with_key_type(KeyType::Secondary),
                None,
            )
            .await,
    );
    assert_eq!(regenerated.primary_key, keys.primary_key);
    assert_ne!(regenerated.secondary_key, keys.secondary_key);
    cov.hit(s, "Services_RegenerateKeys");
    let deployments = ok(
        "deployments",
        scope
            .deployments()
            .list(None)
            .await
            .and_then(|r| r.into_model()),
    );
    cov.hit(s, "Deployments_List");
    let dep = deployments
        .first()
        .and_then(|d| d.id.clone())
        .unwrap_or_default();
    ok("deployment", scope.deployments().get(&dep, None).await);
    cov.hit(s, "Deployments_Get");
    let unknown = scope.operations().get("nope", None).await.expect_err("404");
    assert_eq!(status(&unknown), 404);
    ok("delete", scope.services().delete(&service_id, None).await);
    let gone = ok(
        "delete again",
        scope.services().delete(&service_id, None).await,
    );
    assert_eq!(u16::from(gone.status()), 204);
    cov.hit(s, "Services_Delete");
}

async fn workspace(target: &Target, cov: &Coverage) {
    let base = target.base.as_str();
    use azureml_mms::workspace::WorkspaceClient;
    use azureml_mms::workspace::models::*;
    let s = "workspace";
    let client = ok(
        "client",
        WorkspaceClient::new(base, StaticTokenCredential::new(TOKEN), target.options()),
    );
    let scope = client.workspace("sub", "rg", "ws");
    let asset = ok(
        "asset",
        scope.assets().create(Some(&Asset::new("a1")), None).await,
    );
    cov.hit(s, "Assets_Create");
    let asset_id = asset.id.clone().unwrap_or_default();
    ok("asset get", scope.assets().get(&asset_id, None).await);
    cov.hit(s, "Assets_QueryById");
    let _: Vec<_> = ok(
        "assets",
        ok("list", scope.assets().list(None)).try_collect().await,
    );
    cov.hit(s, "Assets_ListQuery");
    let patch = |path: &str, value: &str| {
        JsonPatchOperation::default()
            .with_op("add")
            .with_path(path)
            .with_value(serde_json::json!(value))
    };
    let patched = ok(
        "asset patch",
        scope
            .assets()
            .update(&asset_id, &[patch("/description", "patched")], None)
            .await,
    );
    assert_eq!(patched.description.as_deref(), Some("patched"));
    cov.hit(s, "Assets_Patch");
    ok("asset delete", scope.assets().delete(&asset_id, None).await);
    cov.hit(s, "Assets_Delete");
    let model = ok(
        "register",
        scope
            .models()
            .register(
                &Model::new("m", SecretString::new("https://s/m"), "application/zip"),
                None,
            )
            .await,
    );
    cov.hit(s, "MLModels_Register");
    let model_id = model.id.clone().unwrap_or_default();
    ok("model get", scope.models().get(&model_id, None).await);
    cov.hit(s, "MLModels_QueryById");
    let _: Vec<_> = ok(
        "models",
        ok("list", scope.models().list(None)).try_collect().await,
    );
    cov.hit(s, "MLModels_ListQuery");
    ok(
        "patch",
        scope
            .models()
            .update(&model_id, &[patch("/description", "d")], None)
            .await,
    );
    cov.hit(s, "MLModels_Patch");
    ok("metrics", scope.models().get_metrics(&model_id, None).await);
    cov.hit(s, "MLModels_GetMetrics");
    let profile = ok(
        "profile",
        ok(
            "start",
            scope
                .profiles()
                .create("img-1", &ProfileRequestBase::new("p1"), None),
        )
        .await,
    );
    cov.hit(s, "Profiles_Create");
    cov.hit(s, "Operations_Get");
    let profile_name = profile.name.clone().unwrap_or_default();
    assert_eq!(profile_name, "p1");
    let profiles: Vec<_> = ok(
        "profiles",
        ok("list", scope.profiles().list("img-1", None))
            .try_collect()
            .await,
    );
    cov.hit(s, "Profiles_ListQuery");
    assert_eq!(profiles.len(), 1);
    // Profiles have no id field; the name finds them.
    ok(
        "profile get",
        scope.profiles().get("img-1", &profile_name, None).await,
    );
    cov.hit(s, "Profiles_QueryById");
    let request: CreateServiceRequest = AciServiceCreateRequest::new("svc").into();
    let service = ok(
        "service",
        ok("start", scope.services().create(&request, None)).await,
    );
    cov.hit(s, "Services_Create");
    let service_id = azureml_mms::facade::ServiceFields::id(&*service)
        .unwrap_or_default()
        .to_string();
    ok("service get", scope.services().get(&service_id, None).await);
    cov.hit(s, "Services_QueryById");
    let _: Vec<_> = ok(
        "services",
        ok("list", scope.services().list(None)).try_collect().await,
    );
    cov.hit(s, "Services_ListQuery");
    ok(
        "update",
        ok(
            "start",
            scope
                .services()
                .update(&service_id, &[patch("/description", "d")], None),
        )
        .await,
    );
    cov.hit(s, "Services_Patch");
    ok("keys", scope.services().list_keys(&service_id, None).await);
    cov.hit(s, "Services_ListServiceKeys");
    let request = RegenerateServiceKeysRequest::default().with_key_type(KeyType::Primary);
    ok(
        "regenerate",
        ok(
            "start",
            scope
                .services()
                .regenerate_keys(&service_id, &request, None),
        )
        .await,
    );
    cov.hit(s, "Services_RegenerateServiceKeys");
    let token = ok("token", scope.services().get_token(&service_id, None).await);
    assert!(token.access_token.is_some());
    cov.hit(s, "Services_GetServiceToken");
    ok("delete", scope.services().delete(&service_id, None).await);
    cov.hit(s, "Services_Delete");
    ok("model delete", scope.models().delete(&model_id, None).await);
    cov.hit(s, "MLModels_Delete");
}

async fn arm_accounts(target: &Target, cov: &Coverage) {
    let base = target.base.as_str();
    use azureml_mms::arm_accounts::ArmAccountsClient;
    use azureml_mms::arm_accounts::models::*;
    let s = "arm-accounts";
    let client = ok(
        "client",
        ArmAccountsClient::new(base, StaticTokenCredential::new(TOKEN), target.options()),
    );
    let rg = client.resource_group("sub", "rg");
    let account = ModelManagementAccount::new("eastus2", Sku::new(SkuName::S1));
    let created = ok(
        "create",
        rg.accounts()
            .create_or_update("acct1", &account, None)
            .await,
    );
    assert_eq!(u16::from(created.status()), 201);
    cov.hit(s, "Accounts_CreateOrUpdate");
    ok("get", rg.accounts().get("acct1", None).await);
    cov.hit(s, "Accounts_Get");
    let props = ModelManagementAccountProperties::default().with_description("d");
    ok(
        "update",
        rg.accounts()
            .update(
                "acct1",
                &ModelManagementAccountUpdateParameters::new(Sku::new(SkuName::S2), props),
                None,
            )
            .await,
    );
    cov.hit(s, "Accounts_Update");
    let _: Vec<_> = ok(
        "list",
        ok("list", rg.accounts().list(None)).try_collect().await,
    );
    cov.hit(s, "Accounts_ListByResourceGroup");
    let _: Vec<_> = ok(
        "list",
        ok("list", client.subscription("sub").accounts().list(None))
            .try_collect()
            .await,
    );
    cov.hit(s, "Accounts_ListBySubscription");
    let _: Vec<_> = ok(
        "ops",
        ok("ops", client.operations().list(None))
            .try_collect()
            .await,
    );
    cov.hit(s, "Operations_List");
    ok("delete", rg.accounts().delete("acct1", None).await);
    cov.hit(s, "Accounts_Delete");
}

async fn arm_hosting_accounts(target: &Target, cov: &Coverage) {
    let base = target.base.as_str();
    use azureml_mms::arm_hosting_accounts::ArmHostingAccountsClient;
    use azureml_mms::arm_hosting_accounts::models::*;
    let s = "arm-hosting-accounts";
    let client = ok(
        "client",
        ArmHostingAccountsClient::new(base, StaticTokenCredential::new(TOKEN), target.options()),
    );
    let rg = client.resource_group("sub", "rg");
    let account = HostingAccount::new("eastus2", Sku::default());
    ok(
        "create",
        rg.hosting_accounts()
            .create_or_update("ha1", &account, None)
            .await,
    );
    cov.hit(s, "HostingAccounts_CreateOrUpdate");
    ok("get", rg.hosting_accounts().get("ha1", None).await);
    cov.hit(s, "HostingAccounts_Get");
    let patch = HostingAccountUpdateParameters::default();
    ok(
        "update",
        rg.hosting_accounts().update("ha1", &patch, None).await,
    );
    cov.hit(s, "HostingAccounts_Update");
    let _: Vec<_> = ok(
        "list",
        ok("list", rg.hosting_accounts().list(None))
            .try_collect()
            .await,
    );
    cov.hit(s, "HostingAccounts_ListByResourceGroup");
    let _: Vec<_> = ok(
        "list",
        ok(
            "list",
            client.subscription("sub").hosting_accounts().list(None),
        )
        .try_collect()
        .await,
    );
    cov.hit(s, "HostingAccounts_ListBySubscription");
    let _: Vec<_> = ok(
        "ops",
        ok("ops", client.operations().list(None))
            .try_collect()
            .await,
    );
    cov.hit(s, "Operations_List");
    ok("delete", rg.hosting_accounts().delete("ha1", None).await);
    cov.hit(s, "HostingAccounts_Delete");
    assert_eq!(
        status(
            &rg.hosting_accounts()
                .get("ha1", None)
                .await
                .expect_err("404")
        ),
        404
    );
}

/// Runs every scenario against `target`; returns the operations that
/// answered as documented.
async fn every_surface(target: &Target) -> BTreeSet<String> {
    let cov = Coverage(Mutex::new(BTreeSet::new()));
    hosting_account(target, &cov).await;
    account(target, &cov).await;
    workspace(target, &cov).await;
    arm_accounts(target, &cov).await;
    arm_hosting_accounts(target, &cov).await;
    // A wrong token is 401 on every surface.
    let client = ok(
        "client",
        azureml_mms::account::AccountClient::new(
            &target.base,
            StaticTokenCredential::new("wrong"),
            target.options(),
        ),
    );
    let err = client
        .account("s", "r", "a")
        .models()
        .get("m", None)
        .await
        .expect_err("401");
    assert_eq!(status(&err), 401);
    cov.0.lock().map(|c| c.clone()).unwrap_or_default()
}

fn all_operations() -> BTreeSet<String> {
    let api = xtask::codegen::build_api(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs"),
        "azureml-mms",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    api.surfaces
        .iter()
        .flat_map(|s| {
            s.operations
                .iter()
                .map(move |o| format!("{}/{}", s.feature, o.operation_id))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_of_every_surface() {
    let (emulator, options) = emulator(None).await;
    let target = Target {
        base: emulator.base_url().to_string(),
        options,
    };
    let hit = every_surface(&target).await;
    let all = all_operations();
    let covered = all.intersection(&hit).count();
    // Straight to stderr, past the test harness's capture: CI logs show it.
    let _ = writeln!(
        std::io::stderr(),
        "coverage: {covered}/{} operations exercised",
        all.len()
    );
    let missing: Vec<_> = all.difference(&hit).collect();
    assert!(missing.is_empty(), "not exercised: {missing:?}");
    emulator.shutdown().await;
}

/// The same scenarios over HTTPS: azure_core's own bearer-token policy (which
/// refuses anything but TLS), absolute `https` next links and operation
/// handles, and a transport that trusts only the emulator's certificate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_over_https() {
    let dir = std::env::temp_dir().join(format!("mms-e2e-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let cert_path = dir.join("cert.pem");
    let (emulator, options) = emulator(Some(mms_emulator::Tls {
        cert_path: Some(cert_path.clone()),
    }))
    .await;
    assert!(emulator.base_url().starts_with("https://127.0.0.1:"));
    let pem = std::fs::read_to_string(&cert_path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(Some(pem.as_str()), emulator.certificate_pem());
    let target = Target {
        base: emulator.base_url().to_string(),
        options: trusting(options.clone(), &pem),
    };
    let hit = every_surface(&target).await;
    let all = all_operations();
    let missing: Vec<_> = all.difference(&hit).collect();
    assert!(missing.is_empty(), "not exercised over https: {missing:?}");

    // A client that does not trust the certificate never gets an answer:
    // the failure is the TLS handshake, not a status code.
    let mut untrusting = Target {
        base: target.base.clone(),
        options: trusting(options, &other_certificate().await),
    };
    // A failed handshake is a transport error, which the client retries;
    // once is enough to see it fail, without waiting out the backoff.
    untrusting.options.retry.max_retries = 0;
    let client = ok(
        "client",
        azureml_mms::account::AccountClient::new(
            &untrusting.base,
            StaticTokenCredential::new(TOKEN),
            untrusting.options(),
        ),
    );
    let err = client
        .account("s", "r", "a")
        .models()
        .get("m", None)
        .await
        .expect_err("untrusted certificate");
    assert!(ServiceError::of(&err).is_none(), "{err}");
    emulator.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A certificate from a second emulator: valid, but not the one serving.
async fn other_certificate() -> String {
    let (other, _) = emulator(Some(mms_emulator::Tls::default())).await;
    let pem = other.certificate_pem().unwrap_or_default().to_string();
    other.shutdown().await;
    pem
}
