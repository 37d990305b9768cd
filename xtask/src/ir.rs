//! The IR: the one contract between the halves of the pipeline.
//!
//! `normalize` builds it from loaded documents and the normalization rules;
//! `emit` reads nothing else. Names here are already Rust names (decided
//! once, in `naming`), wire names are kept beside them, and every item keeps
//! the place in the spec it came from.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Location};

/// The module types several surfaces share live in (`crate::models`).
pub const COMMON_MODULE: &str = "models";

/// Everything the emitters need to write the crate.
#[derive(Debug, Clone, Serialize)]
pub struct Api {
    pub crate_name: String,
    /// The traits the surfaces that share operations implement, when the
    /// rules name such surfaces (our own `specs/`); `None` when each spec
    /// stands alone (`--specs DIR` without rules).
    pub facade: Option<Facade>,
    pub surfaces: Vec<Surface>,
    /// Clients several surfaces share (their specs share `info.title`),
    /// emitted once in `clients`; each member surface adds its operations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shared_clients: Vec<SharedClient>,
    /// Types shared by several surfaces, emitted once in `models`.
    pub common_types: Vec<TypeDef>,
    /// Problems that cost a part of the input but not the crate (a broken
    /// example, say): reported, never fatal.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Diagnostic>,
}

impl Api {
    /// The crate's client types in the order of their first surface, each
    /// with the surfaces whose operations it has.
    pub fn clients(&self) -> Vec<(&str, Vec<&Surface>)> {
        let mut out: Vec<(&str, Vec<&Surface>)> = Vec::new();
        for s in &self.surfaces {
            match out.iter_mut().find(|(c, _)| *c == s.client) {
                Some((_, members)) => members.push(s),
                None => out.push((s.client.as_str(), vec![s])),
            }
        }
        out
    }

    pub fn operation_count(&self) -> usize {
        self.surfaces.iter().map(|s| s.operations.len()).sum()
    }

    pub fn type_count(&self) -> usize {
        self.common_types.len() + self.surfaces.iter().map(|s| s.types.len()).sum::<usize>()
    }
}

/// One API surface: one spec, one Rust module, one Cargo feature.
#[derive(Debug, Clone, Serialize)]
pub struct Surface {
    /// The spec's name (`hosting-account`), also the Cargo feature.
    pub feature: String,
    /// The Rust module (`hosting_account`).
    pub module: String,
    /// The path of its types' module (`hosting_account::models`), as
    /// `TypeRef::Named` names it.
    pub models_module: String,
    /// The client type of this surface (`HostingAccountClient`).
    pub client: String,
    /// The shared state behind its client handle
    /// (`HostingAccountClientInner`); empty for a shared client's member.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub client_inner: String,
    /// The static describing the surface to the runtime (`SURFACE`);
    /// empty for a shared client's member.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub info_static: String,
    /// The module of its example tests in a `--specs` crate's
    /// `tests/examples.rs` (`keys_examples`), distinct from the crate's
    /// module names that file imports.
    pub examples_module: String,
    pub title: String,
    pub doc: Option<String>,
    pub source: Location,
    /// The `api-version` query parameter's name and the value sent by
    /// default; `None` where the surface has none (version in the path).
    pub api_version: Option<ApiVersion>,
    /// The documented endpoint, when there is exactly one.
    pub default_endpoint: Option<String>,
    /// The OAuth scope a token is requested for.
    pub auth_scope: Option<String>,
    /// An `x-ms-parameterized-host`: the client is built from its
    /// parameters instead of an endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<HostTemplate>,
    /// Parameters given once, to the client's constructor, not to each
    /// method (`x-ms-parameter-location: client`, and Swagger's global
    /// parameters not marked `method`: ARM's `subscriptionId`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub client_params: Vec<Param>,
    /// The path template every operation's path starts with, whole
    /// segments only (`/api/subscriptions/{subscriptionId}/…`).
    pub base_path: String,
    pub scopes: Vec<Scope>,
    pub operations: Vec<Operation>,
    pub types: Vec<TypeDef>,
    /// Index into `Api::shared_clients` of the client this surface's
    /// operations hang off, when it shares one (`client` is then that
    /// client's name); `None`: the surface's own client, in its module.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_client: Option<usize>,
    /// Places in the spec the generator could give no Rust type, by kind
    /// (`oneOf/anyOf/not`, an array without `items`, …): each is kept as
    /// `serde_json::Value`. Counted so the conformance report lists them.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub untyped: BTreeMap<String, usize>,
}

/// One client for the entry documents of one `info.title` (Key Vault's
/// `secrets`, `keys`, ... files are one `KeyVaultClient`), as AutoRest
/// treats the files of one tag. Its members agree on endpoint, host,
/// `api-version` and OAuth scope; its constructor takes every member's
/// client-level parameters (each member's `client_params` is that union).
#[derive(Debug, Clone, Serialize)]
pub struct SharedClient {
    /// Rust type (`KeyVaultClient`), in `clients`, re-exported at the root.
    pub name: String,
    /// The shared state behind the client handle (`KeyVaultClientInner`).
    pub inner: String,
    /// The module of `clients` it is written in, gated by its members'
    /// features (`key_vault_client`).
    pub module: String,
    /// The static describing it to the runtime (`KEY_VAULT_CLIENT_INFO`).
    pub info_static: String,
    pub title: String,
    pub doc: Option<String>,
    /// Indices into `Api::surfaces`, in order; the first one's endpoint,
    /// host, `api-version` and scope are every member's.
    pub members: Vec<usize>,
    /// Operation groups over all members: a group several members add to
    /// (Service Bus's `namespaces`) is one type.
    pub groups: Vec<SharedGroup>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SharedGroup {
    /// The accessor (`blob_containers`).
    pub name: String,
    /// Rust type, in `clients` (`BlobContainers`).
    pub ty: String,
    /// Indices into `Api::surfaces` of the members with operations in it.
    pub members: Vec<usize>,
}

/// A host template (`https://{account}.{dnsSuffix}`): the endpoint is the
/// template filled with the constructor's arguments.
#[derive(Debug, Clone, Serialize)]
pub struct HostTemplate {
    /// Filled in by the runtime, `https://` added where it names no scheme
    /// (`useSchemePrefix`, or a host given bare).
    pub template: String,
    pub params: Vec<HostParam>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HostParam {
    pub wire_name: String,
    pub rust_name: String,
    pub doc: Option<String>,
    /// The value the spec suggests (`search.windows.net`).
    pub default: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiVersion {
    pub param: String,
    pub value: String,
}

/// A place operations act within (a hosting account, a resource group...),
/// built from canonical names so no user formats a path.
#[derive(Debug, Clone, Serialize)]
pub struct Scope {
    /// Rust type of the scoped client (`HostingAccountScope`).
    pub name: String,
    /// The shared state behind it (`HostingAccountScopeInner`).
    pub inner: String,
    /// The constructor method on the surface client (`hosting_account`).
    pub method: String,
    pub doc: String,
    pub params: Vec<ScopeParam>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScopeParam {
    /// Canonical Rust name (`resource_group`).
    pub name: String,
    /// Every path-template name it fills on this surface
    /// (`resourceGroup`, `resourceGroupName`).
    pub wire_names: Vec<String>,
    pub doc: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Method {
    Get,
    Put,
    Post,
    Patch,
    Delete,
    Head,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Operation {
    /// The spec's operationId (`Services_QueryById`).
    pub operation_id: String,
    /// Canonical group, as a Rust method on the scope (`services`).
    pub group: String,
    /// Rust type of the group client (`Services`).
    pub group_type: String,
    /// Canonical method name (`get`).
    pub name: String,
    /// Options struct for optional parameters (`ServicesListOptions`).
    pub options_type: String,
    /// The static that describes the operation to the runtime
    /// (`OP_MODELS_GET`), distinct in its module.
    pub info_static: String,
    /// The enum of its answers, when its success responses carry bodies of
    /// different types (`ServicesCreateResponse`); each response then
    /// names its variant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_enum: Option<String>,
    pub doc: Option<String>,
    pub source: Location,
    pub method: Method,
    /// The path template, as segments after the server URL.
    pub path: Vec<PathSegment>,
    /// Index into `Surface::scopes` of the scope this operation hangs off,
    /// or `None` for the surface client itself.
    pub scope: Option<usize>,
    /// Parameters the caller passes (required ones as arguments, optional
    /// ones in the options struct). Scope and api-version parameters are
    /// not here.
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub responses: Vec<Response>,
    /// The type of the `default` (error) response, if declared.
    pub error: Option<TypeRef>,
    pub kind: OperationKind,
    /// The client-level parameters (`Surface::client_params`, by Rust
    /// name) this operation sends.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub client_params: Vec<String>,
    /// The spec documents no `api-version` for this operation, though its
    /// surface has one: the request goes without.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unversioned: bool,
    /// The spec's `x-ms-examples` of this operation, each replayed by a
    /// test of the generated crate.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
}

impl Operation {
    /// The path template as the spec writes it (`/models/{id}`).
    pub fn path_template(&self) -> String {
        self.path
            .iter()
            .map(|s| match s {
                PathSegment::Literal(l) => l.clone(),
                PathSegment::Param(p) => format!("{{{p}}}"),
            })
            .collect()
    }
}

/// One `x-ms-examples` entry matched to its operation: the values a test
/// calls the method with, the request it must send, and the answers it
/// replays.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    /// The example's title (its key in `x-ms-examples`).
    pub name: String,
    /// The test function replaying it (unique in the surface's module).
    pub test: String,
    /// The example file (or, for an inline example, its place in the spec).
    pub source: Location,
    /// The endpoint the client is built for: the spec's host, or its
    /// parameterized host filled in from the example.
    pub endpoint: String,
    /// Values of the operation's parameters by wire name, as the example
    /// gives them (the body and the host's parameters are not here).
    pub parameters: Vec<(String, serde_json::Value)>,
    /// The name the example gives the request body under.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_parameter: Option<String>,
    /// What the client must send, derived from the spec and the example
    /// alone (never from the generated code).
    pub request: ExpectedRequest,
    pub responses: Vec<ExampleResponse>,
    /// Where the example disagrees with its own spec, as an independent
    /// JSON Schema check found (empty when it agrees). A test of an example
    /// found wrong is generated but ignored by default.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<ExampleFinding>,
}

/// A place where an example disagrees with its spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ExampleFinding {
    /// `request`, or `response <key>` (`response 200`).
    pub part: String,
    /// Where in the example file.
    pub pointer: String,
    pub message: String,
    /// Whether the replay reads what the finding is about (a parameter the
    /// operation does not have is never sent, so no failure comes of it).
    pub affects_replay: bool,
}

/// The request an example describes.
#[derive(Debug, Clone, Serialize)]
pub struct ExpectedRequest {
    pub method: Method,
    /// The path below the endpoint's, as decoded segments (a value that
    /// keeps its `/` spans several).
    pub path: Vec<String>,
    /// Query pairs, decoded, `api-version` included; order does not matter.
    pub query: Vec<(String, String)>,
    /// The header parameters the example sets.
    pub headers: Vec<(String, String)>,
    /// The JSON body, when the example has one.
    pub body: Option<serde_json::Value>,
}

/// One documented answer of an example.
#[derive(Debug, Clone, Serialize)]
pub struct ExampleResponse {
    /// The status as the example keys it (`200`, `default`).
    pub key: String,
    /// The status to answer with: the key's, or for `default` one the
    /// operation does not count as success.
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PathSegment {
    Literal(String),
    /// A path parameter: its wire name in the template.
    Param(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ParamIn {
    Path,
    Query,
    Header,
}

#[derive(Debug, Clone, Serialize)]
pub struct Param {
    pub wire_name: String,
    pub rust_name: String,
    pub location: ParamIn,
    pub ty: TypeRef,
    pub required: bool,
    pub doc: Option<String>,
    /// Repeat the parameter once per value (`collectionFormat: multi`,
    /// `explode: true`) instead of joining with commas.
    pub explode: bool,
    pub secret: bool,
    /// A path value that keeps its `/` (`x-ms-skip-url-encoding`, e.g. an
    /// ARM scope such as `subscriptions/x/resourceGroups/y`).
    pub skip_url_encoding: bool,
    /// For an optional one, the method of the options struct that sets it
    /// (`with_count`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setter: Option<String>,
}

/// Whether a media type carries JSON (`application/json`, `…+json`,
/// `text/json`).
pub fn is_json_media(media_type: &str) -> bool {
    let m = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    m == "application/json" || m.ends_with("+json") || m == "text/json"
}

#[derive(Debug, Clone, Serialize)]
pub struct Body {
    pub media_type: String,
    pub ty: TypeRef,
    pub required: bool,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Response {
    pub status: u16,
    /// Its variant of the operation's `answer_enum` (`Ok`, `Created`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    pub doc: Option<String>,
    pub ty: Option<TypeRef>,
    /// The body's media type, when the response documents a body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    pub headers: Vec<ResponseHeader>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResponseHeader {
    pub wire_name: String,
    pub rust_name: String,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub enum OperationKind {
    /// One request, one typed answer.
    Plain,
    /// `x-ms-pageable`: a stream of items following the next link.
    Pageable(Paging),
    /// `x-ms-long-running-operation`: a poller.
    LongRunning(LongRunning),
}

#[derive(Debug, Clone, Serialize)]
pub struct Paging {
    /// The page envelope's type.
    pub page: TypeRef,
    pub item: TypeRef,
    pub item_field: String,
    /// The envelope field with the next page's URL; `None` for lists that
    /// are always one page.
    pub next_link_field: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LongRunning {
    pub handle: LroHandle,
    /// The status document polled (e.g. `AsyncOperationStatus`).
    pub status: TypeRef,
    /// What the poller yields when done: fetched from the status's
    /// `resource_location` field when set, else the final status itself.
    pub result: Option<TypeRef>,
    /// The operation may end without a body (a documented 204, say): the
    /// result is an `Option`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub result_optional: bool,
}

#[derive(Debug, Clone, Serialize)]
pub enum LroHandle {
    /// Poll the absolute URL in this response header (`Operation-Location`,
    /// `Azure-AsyncOperation`, `Location`).
    Header(String),
    /// Poll `operations/{id}` in the same scope, the id being the value of
    /// this response header (hostingAccounts: `x-ms-request-id`).
    OperationId {
        header: String,
        path: Vec<PathSegment>,
    },
    /// Azure's own rules (`Azure-AsyncOperation`, `Operation-Location`,
    /// `Location`, or the resource's `provisioningState`), the result read
    /// from where `final-state-via` says, or where the method's default
    /// says when the spec does not (`None`).
    Azure(Option<FinalState>),
}

/// Where an Azure long-running operation's result is read when it is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FinalState {
    OriginalUri,
    Location,
    AzureAsyncOperation,
    OperationLocation,
}

impl FinalState {
    /// Its `final-state-via` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            FinalState::OriginalUri => "original-uri",
            FinalState::Location => "location",
            FinalState::AzureAsyncOperation => "azure-async-operation",
            FinalState::OperationLocation => "operation-location",
        }
    }
}

/// A reference to a type, as fields, parameters and bodies use it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum TypeRef {
    Primitive(Primitive),
    /// A generated type: the module that defines it (a surface's module or
    /// `models` for common types) and its Rust name.
    Named {
        module: String,
        name: String,
    },
    Vec(Box<TypeRef>),
    /// A JSON object with arbitrary keys.
    Map(Box<TypeRef>),
    /// Any JSON value.
    Any,
    /// The common generic page envelope `Page<T>`.
    Page(Box<TypeRef>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Primitive {
    String,
    Bool,
    I32,
    I64,
    F32,
    F64,
    DateTime,
    /// A point in time written as RFC 1123 (`date-time-rfc1123`).
    DateTimeRfc1123,
    /// A credential-bearing string: redacted in Debug and Display.
    Secret,
    /// base64 text on the wire, bytes in Rust.
    Bytes,
    /// base64url text (URL-safe, unpadded) on the wire, bytes in Rust.
    Base64Url,
}

#[derive(Debug, Clone, Serialize)]
pub struct TypeDef {
    pub name: String,
    pub doc: Option<String>,
    pub source: Location,
    pub kind: TypeKind,
}

#[derive(Debug, Clone, Serialize)]
pub enum TypeKind {
    Struct(Struct),
    Enum(Enum),
    /// Polymorphic by a discriminator property.
    Union(Union),
    /// A name for another type (the page envelopes become `Page<T>`).
    Alias(TypeRef),
}

#[derive(Debug, Clone, Serialize)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// Keys not named by `fields`, kept (`additionalProperties`).
    pub additional: Option<TypeRef>,
    /// The field that keeps them (`additional_properties`, unless a
    /// property has that name), when `additional` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_field: Option<String>,
    /// Set when long-running operations poll this type.
    pub status: Option<StatusFields>,
}

/// Which fields of a status document say where a long-running operation
/// stands (Rust field names).
#[derive(Debug, Clone, Serialize)]
pub struct StatusFields {
    /// Where the state may be, in the order the runtime reads an untyped
    /// document: `status`, `state`, `provisioningState` at the top, then
    /// `properties.provisioningState`; the first present one counts.
    pub state: Vec<StatePath>,
    pub resource_location: Option<String>,
    /// An error with `code` and `message` fields.
    pub error: Option<String>,
}

/// The way to a member that carries the state, field by field from the
/// document's top.
#[derive(Debug, Clone, Serialize)]
pub struct StatePath {
    pub steps: Vec<FieldStep>,
    /// The last field is a `String`; else an enum (with `as_str`).
    pub string: bool,
}

/// One field on the way to a nested member.
#[derive(Debug, Clone, Serialize)]
pub struct FieldStep {
    pub field: String,
    /// Always present (not an `Option`).
    pub required: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub wire_name: String,
    /// Other spellings accepted when decoding (`unPack` for `unpack`).
    pub aliases: Vec<String>,
    pub rust_name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub read_only: bool,
    /// The field's type contains its own struct: box it.
    pub boxed: bool,
    pub doc: Option<String>,
    /// The builder-style method that sets an optional field
    /// (`with_description`); structs are `#[non_exhaustive]`, so this or
    /// assignment is how a user sets one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setter: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Enum {
    pub values: Vec<EnumValue>,
    /// The name of the fallback variant holding unknown values.
    pub fallback: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnumValue {
    pub rust_name: String,
    /// Serialized as this.
    pub wire: String,
    /// Also accepted when decoding.
    pub aliases: Vec<String>,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Union {
    /// The discriminator property's wire name.
    pub tag: String,
    pub variants: Vec<UnionVariant>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnionVariant {
    pub rust_name: String,
    /// The tag value written when serializing.
    pub wire: String,
    /// Further tag values accepted when decoding.
    pub aliases: Vec<String>,
    pub ty: TypeRef,
}

/// The unified facade: one trait per operation group several surfaces
/// share, implemented by each surface's group client, so code written
/// against the traits runs on any of them.
#[derive(Debug, Clone, Serialize)]
pub struct Facade {
    pub groups: Vec<FacadeGroup>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FacadeGroup {
    /// The canonical group, also the scope's accessor method (`models`).
    pub group: String,
    /// The trait of the group's operations (`ModelsApi`).
    pub api_trait: String,
    /// The trait of scopes that have the group (`HasModels`).
    pub scope_trait: String,
    /// The scope trait's associated type for the group (`Models`).
    pub group_assoc: String,
    /// The trait reading the fields every surface's results share.
    pub fields_trait: String,
    /// Methods every member has, with the same shape.
    pub methods: Vec<FacadeMethod>,
    pub members: Vec<FacadeMember>,
    pub fields: Vec<FacadeField>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FacadeMethod {
    pub name: String,
    /// The group trait's associated types for this method: its output,
    /// body and status-document types (`ListOutput`, `CreateBody`,
    /// `CreateStatus`), distinct in the trait.
    pub output_assoc: String,
    pub body_assoc: String,
    pub status_assoc: String,
    pub shape: FacadeShape,
    /// Required arguments besides the body, the same on every member.
    pub args: Vec<(String, TypeRef)>,
    pub body: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FacadeShape {
    /// Answers nothing but its status.
    Unit,
    /// Answers a value.
    Value,
    /// A stream of items, paged or not.
    List,
    /// A poller.
    LongRunning,
}

#[derive(Debug, Clone, Serialize)]
pub struct FacadeMember {
    pub feature: String,
    pub module: String,
    /// The scope type that has the group (`HostingAccountScope`).
    pub scope_type: String,
    /// The surface's group client (`Models`).
    pub group_type: String,
    /// Aligned with `FacadeGroup::methods`.
    pub methods: Vec<MemberMethod>,
    /// The result types of this member's methods, each given the fields trait.
    pub output_types: Vec<TypeRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberMethod {
    pub body: Option<TypeRef>,
    /// The value, the list item, or the long-running result.
    pub output: Option<TypeRef>,
    /// The status a long-running operation is polled through.
    pub status: Option<TypeRef>,
    /// A list answered in pages (else one array).
    pub pageable: bool,
    /// The surface's options struct of the method, which carries the
    /// facade's `ClientMethodOptions` through.
    pub options_type: String,
}

/// A field every result type of a group has, read through the fields trait.
#[derive(Debug, Clone, Serialize)]
pub struct FacadeField {
    pub rust_name: String,
    /// The spellings it goes by on the surfaces (`ID`, `id`).
    pub wire_names: Vec<String>,
    pub kind: FieldKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FieldKind {
    /// A string or an enum: `Option<&str>`.
    Text,
    /// An integer: `Option<i64>`.
    Integer,
    Bool,
    DateTime,
}

/// Finds the definition behind a named type, across modules: the one
/// index every pass after normalize's type building uses. A `TypeRef`
/// names a type by module and name, both claimed once in normalize, so
/// the pair is its stable id, and reads as the Rust path in the IR
/// snapshot.
pub struct TypeIndex<'a> {
    defs: BTreeMap<(&'a str, &'a str), &'a TypeDef>,
}

impl<'a> TypeIndex<'a> {
    pub fn new(api: &'a Api) -> Self {
        let mut defs = BTreeMap::new();
        for d in &api.common_types {
            defs.insert((COMMON_MODULE, d.name.as_str()), d);
        }
        for s in &api.surfaces {
            for d in &s.types {
                defs.insert((s.models_module.as_str(), d.name.as_str()), d);
            }
        }
        Self { defs }
    }

    pub fn def(&self, t: &TypeRef) -> Option<&'a TypeDef> {
        match t {
            TypeRef::Named { module, name } => {
                self.defs.get(&(module.as_str(), name.as_str())).copied()
            }
            _ => None,
        }
    }

    pub fn is_enum(&self, t: &TypeRef) -> bool {
        matches!(self.def(t).map(|d| &d.kind), Some(TypeKind::Enum(_)))
    }
}
