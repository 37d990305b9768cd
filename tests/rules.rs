//! Each normalization rule in `specs/*/normalize.yaml`, and each built-in
//! repair, has the effect its reason claims (see docs/normalization.md).

use xtask::codegen::build_api;
use xtask::ir::{Api, LroHandle, OperationKind, Surface, TypeDef, TypeKind, TypeRef};

fn api() -> Api {
    mms_tests::specs_api()
}

fn surface<'a>(api: &'a Api, feature: &str) -> &'a Surface {
    api.surfaces
        .iter()
        .find(|s| s.feature == feature)
        .unwrap_or_else(|| panic!("no surface {feature}"))
}

fn def<'a>(s: &'a Surface, name: &str) -> &'a TypeDef {
    s.types
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no type {name} in {}", s.feature))
}

fn operation<'a>(s: &'a Surface, id: &str) -> &'a xtask::ir::Operation {
    s.operations
        .iter()
        .find(|o| o.operation_id == id)
        .unwrap_or_else(|| panic!("no operation {id}"))
}

fn field_aliases(d: &TypeDef, wire: &str) -> Vec<String> {
    let TypeKind::Struct(s) = &d.kind else {
        panic!("{} is not a struct", d.name)
    };
    s.fields
        .iter()
        .find(|f| f.wire_name == wire)
        .map(|f| f.aliases.clone())
        .unwrap_or_else(|| panic!("no field {wire}"))
}

fn enum_value(d: &TypeDef, wire: &str) -> Vec<String> {
    let TypeKind::Enum(e) = &d.kind else {
        panic!("{} is not an enum", d.name)
    };
    e.values
        .iter()
        .find(|v| v.wire == wire)
        .map(|v| v.aliases.clone())
        .unwrap_or_else(|| panic!("no value {wire} in {}", d.name))
}

#[test]
fn field_aliases_accept_the_other_spellings() {
    let api = api();
    assert_eq!(
        field_aliases(def(surface(&api, "hosting-account"), "Asset"), "unPack"),
        ["unpack"]
    );
    assert_eq!(
        field_aliases(def(surface(&api, "account"), "ServiceResponse"), "ID"),
        ["id"]
    );
    assert_eq!(
        field_aliases(
            def(
                surface(&api, "arm-hosting-accounts"),
                "HostingAccountProperties"
            ),
            "createdOn"
        ),
        ["createOn"]
    );
}

#[test]
fn misspelled_enum_values_fold_into_the_canonical_one() {
    let api = api();
    let hosting = surface(&api, "hosting-account");
    assert_eq!(
        enum_value(def(hosting, "RuntimeType"), "SparkPython"),
        ["parkPython"]
    );
    assert_eq!(
        enum_value(def(hosting, "ServiceState"), "Cancelled"),
        ["Canceled"]
    );
}

#[test]
fn discriminator_values_decode_both_spellings() {
    let api = api();
    let ws = surface(&api, "workspace");
    let union = |name: &str| match &def(ws, name).kind {
        TypeKind::Union(u) => u.clone(),
        _ => panic!("{name} is not a union"),
    };
    let services = union("ServiceResponseBase");
    let unknown = services
        .variants
        .iter()
        .find(|v| v.wire == "UNKNOWON")
        .unwrap_or_else(|| panic!("no UNKNOWON"));
    assert_eq!(unknown.aliases, ["UNKNOWN"], "rule discriminator_values");
    let images = union("ImageResponseBase");
    let docker = images
        .variants
        .iter()
        .find(|v| v.wire == "WEBAPICONTAINER")
        .unwrap_or_else(|| panic!("no docker"));
    assert_eq!(
        docker.aliases,
        ["WebApiContainer"],
        "built-in: the tag enum's spelling, matched ignoring case"
    );
}

#[test]
fn an_integer_declared_enum_of_strings_is_a_string_enum() {
    let api = api();
    let ws = surface(&api, "workspace");
    let TypeKind::Struct(s) = &def(ws, "RegenerateServiceKeysRequest").kind else {
        panic!()
    };
    let key_type = s
        .fields
        .iter()
        .find(|f| f.wire_name == "keyType")
        .unwrap_or_else(|| panic!("no keyType"));
    let TypeRef::Named { name, .. } = &key_type.ty else {
        panic!("keyType is {:?}", key_type.ty)
    };
    assert_eq!(enum_value(def(ws, name), "Primary"), Vec::<String>::new());
}

#[test]
fn parameters_take_canonical_names_and_authorization_is_the_credentials_job() {
    let api = api();
    let hosting = surface(&api, "hosting-account");
    for id in ["Services_Update", "Services_Delete", "Services_Get"] {
        let op = operation(hosting, id);
        let names: Vec<_> = op.params.iter().map(|p| p.rust_name.as_str()).collect();
        assert_eq!(names, ["id"], "{id}");
    }
    let account = surface(&api, "account");
    for op in &account.operations {
        assert!(
            op.params
                .iter()
                .all(|p| !p.wire_name.eq_ignore_ascii_case("authorization")),
            "{}",
            op.operation_id
        );
        assert_eq!(
            op.scope,
            Some(0),
            "{}: every account operation hangs off the account scope",
            op.operation_id
        );
    }
    let arm = surface(&api, "arm-accounts");
    assert_eq!(
        operation(arm, "Accounts_Get").params[0].rust_name,
        "account_name"
    );
}

#[test]
fn api_versions_are_the_clients_business() {
    let api = api();
    let version = |f: &str| {
        surface(&api, f)
            .api_version
            .as_ref()
            .map(|v| v.value.clone())
    };
    assert_eq!(
        version("hosting-account").as_deref(),
        Some("2017-06-01-privatepreview")
    );
    assert_eq!(version("account").as_deref(), Some("2017-09-01-preview"));
    assert_eq!(
        version("arm-accounts").as_deref(),
        Some("2017-09-01-preview")
    );
    assert_eq!(
        version("arm-hosting-accounts").as_deref(),
        Some("2017-06-01-privatepreview")
    );
    assert_eq!(version("workspace"), None, "v1.0 is in the path");
    for s in &api.surfaces {
        for op in &s.operations {
            assert!(
                op.params.iter().all(|p| p.wire_name != "api-version"),
                "{}",
                op.operation_id
            );
        }
    }
}

#[test]
fn shared_definitions_are_generated_once() {
    let api = api();
    let common: Vec<_> = api.common_types.iter().map(|d| d.name.as_str()).collect();
    for name in [
        "ErrorResponse",
        "ErrorDetail",
        "AuthKeys",
        "AsyncOperationStatus",
        "AsyncOperationState",
    ] {
        assert!(common.contains(&name), "{name} not in {common:?}");
    }
    // The workspace's `TimedOut` joins the shared state, next to `Cancelled`.
    let state = api
        .common_types
        .iter()
        .find(|d| d.name == "AsyncOperationState")
        .unwrap_or_else(|| panic!());
    assert_eq!(enum_value(state, "TimedOut"), Vec::<String>::new());
    for feature in ["hosting-account", "account", "workspace"] {
        let op = operation(surface(&api, feature), "Operations_Get");
        let ty = op.responses[0].ty.clone();
        assert_eq!(
            ty,
            Some(TypeRef::Named {
                module: "models".into(),
                name: "AsyncOperationStatus".into()
            }),
            "{feature}"
        );
    }
}

#[test]
fn long_running_operations_poll_through_each_planes_handle() {
    let api = api();
    let handle = |f: &str, id: &str| match &operation(surface(&api, f), id).kind {
        OperationKind::LongRunning(l) => l.handle.clone(),
        other => panic!("{f} {id} is {other:?}"),
    };
    match handle("hosting-account", "Images_Create") {
        LroHandle::OperationId { header, path } => {
            assert_eq!(header, "x-ms-request-id");
            let text: String = path
                .iter()
                .map(|s| match s {
                    xtask::ir::PathSegment::Literal(l) => l.clone(),
                    xtask::ir::PathSegment::Param(p) => format!("{{{p}}}"),
                })
                .collect();
            assert_eq!(
                text,
                "/api/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/hostingAccounts/{hostingAccount}/operations/{operationId}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(handle("account", "Services_Update"), LroHandle::Header(h) if h == "Operation-Location")
    );
    assert!(
        matches!(handle("workspace", "Profiles_Create"), LroHandle::Header(h) if h == "Operation-Location")
    );
}

#[test]
fn a_rule_that_matches_nothing_is_an_error() {
    let dir = std::env::temp_dir().join(format!("mms-rules-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("svc")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("svc/svc.yaml"),
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {type: object, properties: {x: {type: string}}}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("svc/normalize.yaml"),
        "field_aliases:\n  - {schema: A, field: y, aliases: [z], reason: test}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let err = build_api(&dir, "t").expect_err("unused rule").to_string();
    assert_eq!(
        err,
        "error: svc/normalize.yaml#/field_aliases/0: rule matches nothing in surface `svc`: no field `y` in schema `A`"
    );
    std::fs::write(dir.join("svc/normalize.yaml"), "field_alias: []\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let err = build_api(&dir, "t").expect_err("typo").to_string();
    assert!(err.starts_with("error: svc/normalize.yaml#"), "{err}");
    assert!(err.contains("unknown field `field_alias`"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
