//! Starts an emulator in this process and walks a deployment through the
//! generated client: register a model, make a manifest and an image (and
//! wait), create a service (and wait), read its keys, list services.
//!
//! `cargo run -p mms-emulator --example quickstart`

use azureml_mms::account::AccountClient;
use azureml_mms::account::models::{
    ComputeResource, ImageRequest, ImageType, Manifest, Model, RuntimeType, ServiceCreateRequest,
    TargetRuntime, TargetRuntimeProperties,
};
use azureml_mms::{SecretString, ServiceClientOptions, StaticTokenCredential};
use futures::TryStreamExt as _;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = mms_emulator::start(mms_emulator::Config {
        tokens: vec!["dev".into()],
        op_delay_ms: 0,
        ..Default::default()
    })
    .await?;
    println!("emulator at {}", emulator.base_url());

    let client = AccountClient::new(
        emulator.base_url(),
        StaticTokenCredential::new("dev"),
        Some(ServiceClientOptions::default()),
    )?;
    let scope = client.account("my-subscription", "my-group", "my-account");

    let model = scope
        .models()
        .register(
            &Model::new(
                "application/zip",
                "churn",
                SecretString::new("https://store/churn.zip"),
            ),
            None,
        )
        .await?;
    let model_id = model.id.clone().unwrap_or_default();
    println!(
        "1. registered model {} version {:?} ({model_id})",
        model.name, model.version
    );

    let mut manifest = Manifest::new(
        Vec::new(),
        "score.py",
        "churn-manifest",
        TargetRuntime::new(TargetRuntimeProperties::default(), RuntimeType::Python),
    );
    manifest.model_ids = Some(vec![model_id]);
    let manifest = scope.manifests().create(&manifest, None).await?;
    let manifest_id = manifest.id.clone().unwrap_or_default();
    println!("2. created manifest {manifest_id}");

    let image = scope
        .images()
        .create(
            &ImageRequest::new("/compute/1", ImageType::Docker, &manifest_id, "churn-image"),
            None,
        )?
        .await?;
    let image_id = image.id.clone().unwrap_or_default();
    println!("3. built image {image_id}");

    let service = scope
        .services()
        .create(
            &ServiceCreateRequest::new(ComputeResource::default(), &image_id, "churn-service"),
            None,
        )?
        .await?;
    let service_id = service.id.clone().unwrap_or_default();
    println!(
        "4. deployed service {} ({service_id}), state {:?}",
        service.name.clone().unwrap_or_default(),
        service.state
    );

    let keys = scope.services().list_keys(&service_id, None).await?;
    println!(
        "5. its keys: primary {:?}, secondary {:?}",
        keys.primary_key, keys.secondary_key
    );

    let services: Vec<_> = scope.services().list(None)?.try_collect().await?;
    println!("6. services in the account: {}", services.len());

    emulator.shutdown().await;
    Ok(())
}
