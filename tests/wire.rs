//! The generated models on the wire: what decodes, what is kept, and what a
//! decoding error says.

use azureml_mms::workspace::models::{DockerImageResponse, ImageResponseBase, ModelPythonSection};
use serde_json::json;

#[test]
fn a_free_form_object_keeps_what_the_service_sent() {
    let sent = json!({
        "interpreterPath": "/usr/bin/python3",
        "condaDependencies": {"channels": ["conda-forge"], "dependencies": ["python=3.11", {"pip": ["numpy"]}]}
    });
    let python: ModelPythonSection =
        serde_json::from_value(sent.clone()).unwrap_or_else(|e| panic!("{e}"));
    let conda = python.conda_dependencies.clone().unwrap_or_default();
    assert_eq!(
        conda.additional_properties["channels"],
        json!(["conda-forge"])
    );
    assert_eq!(serde_json::to_value(&python).ok(), Some(sent));
}

#[test]
fn a_union_decodes_its_variant_and_writes_its_tag() {
    let sent = json!({"imageFlavor": "WebApiContainer", "id": "img1", "version": 3});
    let image: ImageResponseBase = serde_json::from_value(sent).unwrap_or_else(|e| panic!("{e}"));
    let ImageResponseBase::DockerImageResponse(docker) = &image else {
        panic!("{image:?}");
    };
    assert_eq!(docker.id.as_deref(), Some("img1"));
    assert_eq!(docker.version, Some(3));
    let written = serde_json::to_value(ImageResponseBase::from(
        DockerImageResponse::default().with_id("img2"),
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(written["imageFlavor"], "WEBAPICONTAINER");
    assert_eq!(written["id"], "img2");
}

#[test]
fn a_bad_field_inside_a_union_is_named_with_the_union() {
    let body = br#"{"value": [{"imageFlavor": "WEBAPICONTAINER", "id": "img1", "version": "three"}, {"imageFlavor": "WEBAPICONTAINER", "id": "img2"}]}"#;
    let raw = azureml_mms::azure_core::http::RawResponse::from_bytes(
        azureml_mms::azure_core::http::StatusCode::Ok,
        azureml_mms::azure_core::http::headers::Headers::new(),
        body.to_vec(),
    );
    let error =
        azureml_mms::runtime::decode::<azureml_mms::Page<ImageResponseBase>>("Images_List", &raw)
            .expect_err("must fail");
    let text = error.to_string();
    assert!(
        text.starts_with(
            "Images_List: the 200 response does not match its documented type at `value[0]`: variant `WEBAPICONTAINER` at `version`: invalid type: string \"three\", expected i64"
        ),
        "{text}"
    );
}
