//! One deployment workflow, written once against the facade traits, run on
//! every data plane: register a model, build an image (where the plane has
//! manifests and images), create a service and wait, list the services.
//! What differs per plane is only the request bodies, in a [`DeployPlan`].

use std::future::Future;

use azure_core::error::ErrorKind;
use azure_core::http::ClientMethodOptions;
use azure_core::http::request::options::ClientRequestId;
use azureml_mms::facade::{
    HasImages, HasManifests, HasModels, HasServices, ImageFields, ImagesApi, ManifestFields,
    ManifestsApi, ModelFields, ModelsApi, ServiceFields, ServicesApi,
};
use futures::TryStreamExt as _;

/// What the workflow produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployed {
    pub model_id: String,
    pub image_id: Option<String>,
    pub service_id: String,
    pub service_name: Option<String>,
    /// Names of every service in the scope afterwards.
    pub services: Vec<String>,
}

/// The parts of a deployment that are the plane's own.
pub trait DeployPlan<S: HasModels + HasServices> {
    /// The model to register.
    fn model(&self) -> &<S::Models as ModelsApi>::RegisterBody;
    /// Makes the image the service runs, if the plane builds images in
    /// their own step; `None` when the service request builds it.
    fn image(
        &self,
        scope: &S,
        model_id: &str,
    ) -> impl Future<Output = azure_core::Result<Option<String>>> + Send;
    /// The service to create from the model and image.
    fn service(
        &self,
        model_id: &str,
        image_id: Option<&str>,
    ) -> <S::Services as ServicesApi>::CreateBody;
}

fn missing(what: &str) -> azure_core::Error {
    azure_core::Error::with_message(
        ErrorKind::DataConversion,
        format!("the service answered no {what}"),
    )
}

/// The client request id the workflow's model registration carries.
pub const REGISTER_REQUEST_ID: &str = "workflow-register";

/// The workflow itself: the same code for every data plane.
pub async fn deploy<S, P>(scope: &S, plan: &P) -> azure_core::Result<Deployed>
where
    S: HasModels + HasServices + Sync,
    P: DeployPlan<S> + Sync,
    <S::Services as ServicesApi>::CreateBody: Sized,
{
    // The facade passes a call's options through: here a client request
    // id, which the service's logs would show.
    let mut traced = ClientMethodOptions::default();
    traced
        .context
        .insert(ClientRequestId::new(REGISTER_REQUEST_ID.to_string()));
    let model = scope
        .models()
        .register(plan.model(), Some(traced))
        .await?
        .into_model()?;
    let model_id = model.id().ok_or_else(|| missing("model id"))?.to_string();
    let image_id = plan.image(scope, &model_id).await?;
    let request = plan.service(&model_id, image_id.as_deref());
    let service = scope
        .services()
        .create(&request, None)?
        .await?
        .into_model()?;
    let service_id = service
        .id()
        .ok_or_else(|| missing("service id"))?
        .to_string();
    let service_name = service.name().map(str::to_string);
    let services: Vec<_> = scope.services().list(None).try_collect().await?;
    Ok(Deployed {
        model_id,
        image_id,
        service_id,
        service_name,
        services: services
            .iter()
            .filter_map(|s| s.name().map(str::to_string))
            .collect(),
    })
}

/// The image step of the planes that have manifests and images: create a
/// manifest for the model, then an image from it, and wait for the image.
pub async fn build_image<S>(
    scope: &S,
    manifest: &<S::Manifests as ManifestsApi>::CreateBody,
    image: impl FnOnce(&str) -> <S::Images as ImagesApi>::CreateBody,
) -> azure_core::Result<String>
where
    S: HasManifests + HasImages,
    <S::Images as ImagesApi>::CreateBody: Sized,
{
    let manifest = scope
        .manifests()
        .create(manifest, None)
        .await?
        .into_model()?;
    let manifest_id = manifest.id().ok_or_else(|| missing("manifest id"))?;
    let request = image(manifest_id);
    let image = scope.images().create(&request, None)?.await?.into_model()?;
    Ok(image.id().ok_or_else(|| missing("image id"))?.to_string())
}
