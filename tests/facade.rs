//! The unified facade's test: one deployment workflow, written once
//! (`mms_tests::workflow`), run against each data plane of the emulator
//! with only the scope and the plane's own request bodies differing. Time
//! is the emulator's manual clock, moved by the client's waits, so each
//! long-running operation is polled through its states in no real time.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use azureml_mms::{SecretString, ServiceClientOptions, StaticTokenCredential};
use mms_emulator::{Clock, Config, Running};
use mms_tests::recorder::Recorder;
use mms_tests::workflow::{DeployPlan, Deployed, REGISTER_REQUEST_ID, build_image, deploy};

/// How long the emulator's operations take, on its clock.
const OP_DELAY_MS: i64 = 20_000;

/// An emulator whose lists page in twos (so three services take two
/// pages) on a manual clock, and a client's options: waits that move that
/// clock, and a recorder of every request.
async fn emulator() -> (Running, ServiceClientOptions, Arc<Recorder>, Arc<AtomicI64>) {
    let (clock, now) = Clock::manual();
    let running = mms_emulator::start(Config {
        tokens: vec!["t".to_string()],
        op_delay_ms: OP_DELAY_MS,
        clock: clock.clone(),
        page_size: 2,
        ..Default::default()
    })
    .await
    .unwrap_or_else(|e| panic!("emulator: {e}"));
    let recorder = Arc::new(Recorder::default());
    let mut options = ServiceClientOptions::default();
    options
        .client_options
        .per_call_policies
        .push(recorder.clone());
    if let Some(sleeper) = clock.sleeper() {
        options.sleeper = Arc::new(sleeper);
    }
    (running, options, recorder, now)
}

/// Runs the workflow three times (three services), as a user would.
async fn three_deployments<S, P>(scope: &S, plans: [P; 3]) -> Vec<Deployed>
where
    S: azureml_mms::facade::HasModels + azureml_mms::facade::HasServices + Sync,
    P: DeployPlan<S> + Sync,
    <S::Services as azureml_mms::facade::ServicesApi>::CreateBody: Sized,
{
    let mut out = Vec::new();
    for plan in &plans {
        out.push(deploy(scope, plan).await.unwrap_or_else(|e| panic!("{e}")));
    }
    out
}

mod hosting {
    use azureml_mms::hosting_account::HostingAccountScope;
    use azureml_mms::hosting_account::models::{
        ImageRequest, ImageType, ManifestRequest, ModelRequest, ModelType, RegistryInfo,
        RuntimeType, ServiceCreateRequest, TargetRuntime,
    };

    use super::*;

    pub struct Plan {
        pub model: ModelRequest,
        pub service: &'static str,
    }

    impl DeployPlan<HostingAccountScope> for Plan {
        fn model(&self) -> &ModelRequest {
            &self.model
        }

        async fn image(
            &self,
            scope: &HostingAccountScope,
            model_id: &str,
        ) -> azure_core::Result<Option<String>> {
            let manifest = ManifestRequest::new(
                ModelType::Registered,
                vec![model_id.to_string()],
                Vec::new(),
                TargetRuntime::new(RuntimeType::SparkPython),
            );
            let registry = RegistryInfo::new("user", "registry.example", SecretString::new("pw"));
            build_image(scope, &manifest, |manifest_id| {
                ImageRequest::new(manifest_id, ImageType::Docker, registry)
            })
            .await
            .map(Some)
        }

        fn service(&self, _model_id: &str, image_id: Option<&str>) -> ServiceCreateRequest {
            ServiceCreateRequest::new(
                image_id.unwrap_or_default(),
                self.service,
                SecretString::new("kube"),
                "pull",
            )
        }
    }
}

#[tokio::test]
async fn workflow_runs_on_the_hosting_account_plane() {
    use azureml_mms::hosting_account::HostingAccountClient;
    use azureml_mms::hosting_account::models::ModelRequest;
    let (emulator, options, recorder, now) = emulator().await;
    let client = HostingAccountClient::new(
        emulator.base_url(),
        StaticTokenCredential::new("t"),
        Some(options),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let scope = client.hosting_account("sub", "rg", "ha");
    let plan = |s| hosting::Plan {
        model: ModelRequest::new("m", SecretString::new("https://store/m.zip")),
        service: s,
    };
    let runs = three_deployments(&scope, [plan("svc-a"), plan("svc-b"), plan("svc-c")]).await;
    assert_eq!(runs[2].services, ["svc-a", "svc-b", "svc-c"]);
    let image = runs[0]
        .image_id
        .clone()
        .unwrap_or_else(|| panic!("no image"));
    let log = recorder.requests();
    let base = "/api/subscriptions/sub/resourceGroups/rg/hostingAccounts/ha";
    let version = "api-version=2017-06-01-privatepreview";
    assert_eq!(log[0], format!("POST {base}/models?{version}"));
    // The facade passed the call's options through.
    assert_eq!(
        recorder.client_request_ids()[0].as_deref(),
        Some(REGISTER_REQUEST_ID)
    );
    // The handle is x-ms-request-id, polled at operations/{id} in the
    // scope; the image is then read where the operation says.
    assert!(
        log.iter()
            .any(|l| l.starts_with(&format!("GET {base}/operations/")) && l.ends_with(version)),
        "{log:#?}"
    );
    assert!(
        log.contains(&format!("GET {base}/images/{image}?{version}")),
        "{log:#?}"
    );
    // Three images and three services, each waited for on the
    // emulator's clock.
    assert!(now.load(Ordering::SeqCst) >= 6 * OP_DELAY_MS);
    emulator.shutdown().await;
}

mod account {
    use azureml_mms::account::AccountScope;
    use azureml_mms::account::models::{
        ComputeResource, ImageRequest, ImageType, Manifest, Model, RuntimeType,
        ServiceCreateRequest, TargetRuntime, TargetRuntimeProperties,
    };

    use super::*;

    pub struct Plan {
        pub model: Model,
        pub service: &'static str,
    }

    impl DeployPlan<AccountScope> for Plan {
        fn model(&self) -> &Model {
            &self.model
        }

        async fn image(
            &self,
            scope: &AccountScope,
            model_id: &str,
        ) -> azure_core::Result<Option<String>> {
            let mut manifest = Manifest::new(
                Vec::new(),
                "score.py",
                "manifest",
                TargetRuntime::new(TargetRuntimeProperties::default(), RuntimeType::Python),
            );
            manifest.model_ids = Some(vec![model_id.to_string()]);
            build_image(scope, &manifest, |manifest_id| {
                ImageRequest::new("/compute/1", ImageType::Docker, manifest_id, "image")
            })
            .await
            .map(Some)
        }

        fn service(&self, _model_id: &str, image_id: Option<&str>) -> ServiceCreateRequest {
            ServiceCreateRequest::new(
                ComputeResource::default(),
                image_id.unwrap_or_default(),
                self.service,
            )
        }
    }
}

#[tokio::test]
async fn workflow_runs_on_the_account_plane() {
    use azureml_mms::account::AccountClient;
    use azureml_mms::account::models::Model;
    let (emulator, options, recorder, now) = emulator().await;
    let client = AccountClient::new(
        emulator.base_url(),
        StaticTokenCredential::new("t"),
        Some(options),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let scope = client.account("sub", "rg", "acct");
    let plan = |s| account::Plan {
        model: Model::new(
            "application/zip",
            "m",
            SecretString::new("https://store/m.zip?sig=secret"),
        ),
        service: s,
    };
    let runs = three_deployments(&scope, [plan("svc-a"), plan("svc-b"), plan("svc-c")]).await;
    assert_eq!(runs[2].services, ["svc-a", "svc-b", "svc-c"]);
    assert!(runs.iter().all(|r| r.image_id.is_some()), "{runs:#?}");
    let log = recorder.requests();
    let base = "/api/subscriptions/sub/resourceGroups/rg/accounts/acct";
    let version = "api-version=2017-09-01-preview";
    // Three services come in two pages; the next link keeps its token and
    // carries the api-version.
    let second_page = |l: &String| {
        l.starts_with(&format!("GET {base}/services?"))
            && l.contains("skipToken=")
            && l.contains(version)
    };
    assert!(log.iter().any(second_page), "{log:#?}");
    // Six operations (three images, three services), each polled after
    // the wait the emulator asked for (its `retry-after-ms`), waited on
    // its clock, not in real time.
    let polls = log
        .iter()
        .filter(|l| l.starts_with(&format!("GET {base}/operations/")))
        .count();
    assert_eq!(polls, 6, "{log:#?}");
    assert!(now.load(Ordering::SeqCst) >= 6 * OP_DELAY_MS);
    emulator.shutdown().await;
}

mod workspace {
    use azureml_mms::workspace::WorkspaceScope;
    use azureml_mms::workspace::models::{AciServiceCreateRequest, CreateServiceRequest, Model};

    use super::*;

    pub struct Plan {
        pub model: Model,
        pub service: &'static str,
    }

    impl DeployPlan<WorkspaceScope> for Plan {
        fn model(&self) -> &Model {
            &self.model
        }

        /// The workspace builds the image from the service request.
        async fn image(
            &self,
            _scope: &WorkspaceScope,
            _model_id: &str,
        ) -> azure_core::Result<Option<String>> {
            Ok(None)
        }

        fn service(&self, _model_id: &str, _image_id: Option<&str>) -> CreateServiceRequest {
            AciServiceCreateRequest::new(self.service).into()
        }
    }
}

#[tokio::test]
async fn workflow_runs_on_the_workspace_plane() {
    use azureml_mms::workspace::WorkspaceClient;
    use azureml_mms::workspace::models::Model;
    let (emulator, options, recorder, now) = emulator().await;
    let client = WorkspaceClient::new(
        emulator.base_url(),
        StaticTokenCredential::new("t"),
        Some(options),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let scope = client.workspace("sub", "rg", "ws");
    let plan = |s| workspace::Plan {
        model: Model::new(
            "m",
            SecretString::new("https://store/m.zip"),
            "application/zip",
        ),
        service: s,
    };
    let runs = three_deployments(&scope, [plan("svc-a"), plan("svc-b"), plan("svc-c")]).await;
    assert_eq!(runs[2].services, ["svc-a", "svc-b", "svc-c"]);
    assert_eq!(runs[0].image_id, None);
    let log = recorder.requests();
    let base = "/modelmanagement/v1.0/subscriptions/sub/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws";
    assert_eq!(
        log[0],
        format!("POST {base}/models"),
        "no api-version on this surface"
    );
    assert!(
        log.iter()
            .any(|l| l.starts_with(&format!("GET {base}/services?")) && l.contains("skipToken=")),
        "{log:#?}"
    );
    // Three services, each waited for on the emulator's clock.
    assert!(now.load(Ordering::SeqCst) >= 3 * OP_DELAY_MS);
    emulator.shutdown().await;
}
