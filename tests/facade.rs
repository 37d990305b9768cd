//! The unified facade's test: one deployment workflow, written once
//! (`mms_tests::workflow`), run against each data plane with only the scope
//! and the plane's own request bodies differing. The planes are in-process
//! fakes plugged in as azure_core's transport; time is tokio's paused clock,
//! so polling waits cost nothing.

use std::sync::Arc;

use azure_core::http::Transport;
use azureml_mms::{ClientOptions, SecretString, StaticTokenCredential};
use mms_tests::fake::{ENDPOINT, FakePlane, Plane};
use mms_tests::workflow::{DeployPlan, Deployed, build_image, deploy};

fn options(fake: &Arc<FakePlane>) -> Option<ClientOptions> {
    Some(ClientOptions {
        client_options: azure_core::http::ClientOptions {
            transport: Some(Transport::new(fake.clone())),
            ..Default::default()
        },
        ..Default::default()
    })
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

#[tokio::test(start_paused = true)]
async fn workflow_runs_on_the_hosting_account_plane() {
    use azureml_mms::hosting_account::HostingAccountClient;
    use azureml_mms::hosting_account::models::ModelRequest;
    let fake = FakePlane::new(Plane::HostingAccount);
    let client =
        HostingAccountClient::new(ENDPOINT, StaticTokenCredential::new("t"), options(&fake))
            .unwrap_or_else(|e| panic!("{e}"));
    let scope = client.hosting_account("sub", "rg", "ha");
    let plan = |s| hosting::Plan {
        model: ModelRequest::new("m", SecretString::new("https://store/m.zip")),
        service: s,
    };
    let runs = three_deployments(&scope, [plan("svc-a"), plan("svc-b"), plan("svc-c")]).await;
    assert_eq!(runs[2].services, ["svc-a", "svc-b", "svc-c"]);
    assert_eq!(runs[0].image_id.as_deref(), Some("images-3"));
    let log = fake.requests();
    let base = "/api/subscriptions/sub/resourceGroups/rg/hostingAccounts/ha";
    let version = "api-version=2017-06-01-privatepreview";
    // The handle is x-ms-request-id, polled at operations/{id} in the scope.
    assert!(
        log.contains(&format!("GET {base}/operations/op-3?{version}")),
        "{log:#?}"
    );
    assert!(
        log.contains(&format!("GET {base}/images/images-3?{version}")),
        "{log:#?}"
    );
    assert_eq!(log[0], format!("POST {base}/models?{version}"));
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

#[tokio::test(start_paused = true)]
async fn workflow_runs_on_the_account_plane() {
    use azureml_mms::account::AccountClient;
    use azureml_mms::account::models::Model;
    let fake = FakePlane::new(Plane::Account);
    let client = AccountClient::new(ENDPOINT, StaticTokenCredential::new("t"), options(&fake))
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
    let log = fake.requests();
    let base = "/api/subscriptions/sub/resourceGroups/rg/accounts/acct";
    // Three services come in two pages; the next link keeps its token and
    // gets the api-version back.
    assert!(
        log.contains(&format!(
            "GET {base}/services?%24skipToken=2&api-version=2017-09-01-preview"
        )),
        "{log:#?}"
    );
    assert!(
        log.iter()
            .any(|l| l.starts_with(&format!("GET {base}/operations/op-"))),
        "{log:#?}"
    );
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

#[tokio::test(start_paused = true)]
async fn workflow_runs_on_the_workspace_plane() {
    use azureml_mms::workspace::WorkspaceClient;
    use azureml_mms::workspace::models::Model;
    let fake = FakePlane::new(Plane::Workspace);
    let client = WorkspaceClient::new(ENDPOINT, StaticTokenCredential::new("t"), options(&fake))
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
    let log = fake.requests();
    let base = "/modelmanagement/v1.0/subscriptions/sub/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws";
    assert_eq!(
        log[0],
        format!("POST {base}/models"),
        "no api-version on this surface"
    );
    assert!(
        log.contains(&format!("GET {base}/services?$skipToken=2")),
        "{log:#?}"
    );
}
