//! The README's usage example, compiled so it stays true:
//! `cargo run -p mms-tests --example readme` (it needs a signed-in Azure CLI
//! and real resources; without them it stops at the first error).

use azureml_mms::SecretString;
use azureml_mms::account::AccountClient;
use azureml_mms::hosting_account::HostingAccountClient;
use azureml_mms::hosting_account::models::{ModelRequest, ServiceCreateRequest};
use futures::TryStreamExt as _;

async fn example() -> azure_core::Result<()> {
    // Any azure_identity credential works (add azure_identity to your crate).
    let credential = azure_identity::DeveloperToolsCredential::new(None)?;
    let client = HostingAccountClient::new(
        HostingAccountClient::DEFAULT_ENDPOINT,
        credential.clone(),
        None,
    )?;
    let scope = client.hosting_account("<subscription>", "<resource group>", "<hosting account>");

    // A plain call: the decoded model, with its status, headers and request id.
    let model = scope
        .models()
        .register(
            &ModelRequest::new("churn", SecretString::new("https://…/model.pkl?sig=…")),
            None,
        )
        .await?;
    println!(
        "registered {:?} (x-ms-request-id {:?})",
        model.id,
        model.request_id()
    );

    // A long-running call: await the poller for the final resource.
    let request = ServiceCreateRequest::new(
        "<image id>",
        "churn",
        SecretString::new("<kubeConfig>"),
        "<pull secret>",
    );
    let service = scope
        .services()
        .create(&request, None)?
        .await?
        .into_model()?;
    println!("{:?} is {:?}", service.name, service.state);

    // A paged list: a stream of items that follows the next links.
    let account = AccountClient::new(
        "https://<region>.modelmanagement.azureml.net",
        credential,
        None,
    )?
    .account("<subscription>", "<resource group>", "<account>");
    let mut services = account.services().list(None)?;
    while let Some(service) = services.try_next().await? {
        println!("{:?}", service.name);
    }
    Ok(())
}

#[tokio::main]
async fn main() {
    if let Err(e) = example().await {
        eprintln!("{e}");
    }
}
