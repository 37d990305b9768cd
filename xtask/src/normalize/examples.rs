//! `x-ms-examples` → IR examples: each example's parameters matched to the
//! operation's, and the request it describes worked out from the spec and
//! the example alone, never from what the generator makes of them. A test
//! of the generated crate replays each one (emit/examples.rs).
//!
//! Azure's examples are not always right: a parameter no operation has is a
//! warning for that example, never an error for the spec; whether an
//! example agrees with its spec's schemas is decided by an independent
//! JSON Schema check (`crate::validate`), recorded as findings.

use openapiv3::{Parameter, ParameterSchemaOrContent, QueryStyle, ReferenceOr};
use serde_json::Value;

use super::operations::location_of;
use crate::diagnostic::Diagnostic;
use crate::ir::{
    ApiVersion, Example, ExampleResponse, ExpectedRequest, HostParam, HostTemplate, Method,
    PathSegment,
};
use crate::load::{RawExample, Spec};
use crate::naming::{Namespace, value_name};

/// Where a surface's requests go, as far as the spec says: its one server,
/// or a host template (`x-ms-parameterized-host`) filled from each example.
#[derive(Debug, Clone, Default)]
pub struct Host {
    pub default_endpoint: Option<String>,
    /// `{vaultBaseUrl}`, `https://{searchServiceName}.{searchDnsSuffix}`.
    pub template: Option<String>,
    /// The template's parameters: wire name and default value.
    pub params: Vec<(String, Option<String>)>,
    /// Their descriptions.
    pub docs: Vec<Option<String>>,
}

impl Host {
    pub fn of(spec: &Spec, default_endpoint: Option<String>) -> Self {
        let mut host = Host {
            default_endpoint,
            ..Host::default()
        };
        let Some(ext) = spec.document.extensions.get("x-ms-parameterized-host") else {
            return host;
        };
        host.template = ext
            .get("hostTemplate")
            .and_then(Value::as_str)
            .map(str::to_string);
        for p in ext
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let resolved = match p.get("$ref").and_then(Value::as_str) {
                Some(r) => r
                    .strip_prefix("#/components/parameters/")
                    .and_then(|n| spec.document.components.as_ref()?.parameters.get(n))
                    .and_then(ReferenceOr::as_item)
                    .map(|p| {
                        let data = p.parameter_data_ref();
                        (
                            data.name.clone(),
                            schema_default(&data.format),
                            data.description.clone(),
                        )
                    }),
                None => p.get("name").and_then(Value::as_str).map(|n| {
                    let default = p
                        .get("default")
                        .or_else(|| p.get("schema").and_then(|s| s.get("default")))
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    let doc = p
                        .get("description")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    (n.to_string(), default, doc)
                }),
            };
            if let Some((name, default, doc)) = resolved {
                host.params.push((name, default));
                host.docs.push(doc);
            }
        }
        host
    }

    /// The template as the IR gives it to the client's constructor, its
    /// parameters named in `names`.
    pub fn template_ir(&self, names: &mut Namespace) -> Option<HostTemplate> {
        let template = self.template.clone()?;
        let params = self
            .params
            .iter()
            .zip(self.docs.iter().chain(std::iter::repeat(&None)))
            .map(|((wire, default), doc)| HostParam {
                wire_name: wire.clone(),
                rust_name: names.claim(value_name(wire)),
                doc: doc.clone(),
                default: default.clone(),
            })
            .collect();
        Some(HostTemplate { template, params })
    }

    fn is_param(&self, name: &str) -> bool {
        self.params.iter().any(|(n, _)| n == name)
    }

    /// The endpoint for one example: the template filled in from its
    /// values (or the parameters' defaults), else the spec's server.
    fn endpoint(&self, values: &serde_json::Map<String, Value>) -> String {
        let Some(template) = &self.template else {
            return self
                .default_endpoint
                .clone()
                .unwrap_or_else(|| "https://example.invalid".to_string());
        };
        let mut filled = template.clone();
        for (name, default) in &self.params {
            let value = lookup(values, name)
                .map(|(_, v)| text(v))
                .or_else(|| default.clone())
                .unwrap_or_else(|| name.clone());
            filled = filled.replace(&format!("{{{name}}}"), &value);
        }
        // Examples often give the host without its scheme even where the
        // template expects one (`account.region.batch.azure.com`).
        let filled = filled.trim_end_matches('/').to_string();
        if filled.contains("://") {
            filled
        } else {
            format!("https://{filled}")
        }
    }
}

fn schema_default(format: &ParameterSchemaOrContent) -> Option<String> {
    match format {
        ParameterSchemaOrContent::Schema(ReferenceOr::Item(s)) => s
            .schema_data
            .default
            .as_ref()
            .and_then(Value::as_str)
            .map(str::to_string),
        _ => None,
    }
}

/// What the examples of one operation are matched against.
pub struct OperationFacts<'a> {
    pub operation_id: &'a str,
    pub method: Method,
    pub template: &'a [PathSegment],
    /// Every parameter of the operation (path-level ones included).
    pub params: &'a [(String, &'a Parameter)],
    /// The request body's name in examples (`x-ms-requestBody-name`,
    /// Swagger's body parameter name), when the operation takes a JSON body.
    pub body_name: Option<String>,
    /// The body's media type, sent as `content-type`.
    pub body_media: Option<String>,
    pub api_version: Option<&'a ApiVersion>,
    /// The statuses the operation counts as success.
    pub success: Vec<u16>,
    pub host: &'a Host,
}

/// The IR examples of one operation. Their findings are left empty: the
/// independent check against the spec's schemas fills them in after
/// normalizing (`crate::validate`).
pub fn build(
    facts: &OperationFacts<'_>,
    raw: &[RawExample],
    tests: &mut Namespace,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<Example> {
    raw.iter()
        .map(|example| {
            let test = tests.claim(test_name(facts.operation_id, &example.name));
            one(facts, example, test, warnings)
        })
        .collect()
}

fn one(
    facts: &OperationFacts<'_>,
    example: &RawExample,
    test: String,
    warnings: &mut Vec<Diagnostic>,
) -> Example {
    let empty = serde_json::Map::new();
    let values = example
        .value
        .get("parameters")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut parameters = Vec::new();
    let mut body = None;
    let mut body_parameter = None;
    for (key, value) in values {
        if let Some(p) = facts
            .params
            .iter()
            .map(|(_, p)| *p)
            .find(|p| p.parameter_data_ref().name == *key)
            .or_else(|| {
                facts
                    .params
                    .iter()
                    .map(|(_, p)| *p)
                    .find(|p| p.parameter_data_ref().name.eq_ignore_ascii_case(key))
            })
        {
            parameters.push((p.parameter_data_ref().name.clone(), value.clone()));
        } else if facts
            .body_name
            .as_deref()
            .is_some_and(|b| b.eq_ignore_ascii_case(key))
        {
            body = Some(value.clone());
            body_parameter = Some(key.clone());
        } else if !facts.host.is_param(key) {
            warnings.push(Diagnostic::new(
                example.source.child("parameters").child(key),
                format!(
                    "example `{}` of `{}` gives parameter `{key}`, which the operation does not have; it is ignored",
                    example.name, facts.operation_id
                ),
            ));
        }
    }
    if let Some(v) = facts.api_version
        && let Some((_, given)) = parameters.iter().find(|(n, _)| n == &v.param)
        && !given.is_null()
        && text(given) != v.value
    {
        warnings.push(Diagnostic::new(
            example.source.child("parameters").child(&v.param),
            format!(
                "example `{}` of `{}` was recorded with {} {}; its test expects the spec's {}",
                example.name, facts.operation_id, v.param, given, v.value
            ),
        ));
    }
    let request = expected_request(facts, &parameters, body);
    let responses = responses(facts, example, warnings);
    Example {
        name: example.name.clone(),
        test,
        source: example.source.clone(),
        endpoint: facts.host.endpoint(values),
        parameters,
        body_parameter,
        request,
        responses,
        findings: Vec::new(),
    }
}

/// `Redis_Create` + `Create a cache` → `redis_create_create_a_cache`,
/// short enough to read in a test listing.
fn test_name(operation_id: &str, example: &str) -> String {
    let name = value_name(&format!("{operation_id} {example}"));
    let name = name.trim_start_matches("r#");
    const MAX: usize = 80;
    if name.chars().count() <= MAX {
        return value_name(name);
    }
    // At most MAX characters (names keep letters of any script), cut at
    // a word where one is near.
    let head: String = name.chars().take(MAX).collect();
    let cut = head.rfind('_').filter(|i| *i > 20).unwrap_or(head.len());
    value_name(head[..cut].trim_end_matches('_'))
}

fn lookup<'v>(
    values: &'v serde_json::Map<String, Value>,
    name: &str,
) -> Option<(&'v str, &'v Value)> {
    values
        .get_key_value(name)
        .or_else(|| values.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
        .map(|(k, v)| (k.as_str(), v))
        .filter(|(_, v)| !v.is_null())
}

/// A parameter value as text on the wire: strings as they are, numbers and
/// booleans as JSON writes them, arrays joined with commas.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn expected_request(
    facts: &OperationFacts<'_>,
    parameters: &[(String, Value)],
    body: Option<Value>,
) -> ExpectedRequest {
    let value_of = |name: &str, location: u8| {
        facts
            .params
            .iter()
            .map(|(_, p)| *p)
            .find(|p| p.parameter_data_ref().name == name && location_of(p) == location)
            .and_then(|p| {
                parameters
                    .iter()
                    .find(|(n, v)| n == &p.parameter_data_ref().name && !v.is_null())
                    .map(|(_, v)| (p, v))
            })
    };

    // The path, as decoded segments: literals split at `/`; a value is one
    // segment's worth unless it keeps its `/` (`x-ms-skip-url-encoding`).
    let mut segments: Vec<String> = vec![String::new()];
    for piece in facts.template {
        match piece {
            PathSegment::Literal(l) => {
                let mut parts = l.split('/');
                if let (Some(first), Some(last)) = (parts.next(), segments.last_mut()) {
                    last.push_str(first);
                }
                segments.extend(parts.map(str::to_string));
            }
            PathSegment::Param(name) => {
                let (raw, value) = match value_of(name, 0) {
                    Some((p, v)) => (skips_encoding(p), text(v)),
                    None => (false, String::new()),
                };
                let value = if raw {
                    value.trim_matches('/').to_string()
                } else {
                    value
                };
                let mut parts: Vec<&str> = if raw {
                    value.split('/').collect()
                } else {
                    vec![value.as_str()]
                };
                if let (Some(last), false) = (segments.last_mut(), parts.is_empty()) {
                    last.push_str(parts.remove(0));
                }
                segments.extend(parts.into_iter().map(str::to_string));
            }
        }
    }
    // The template starts with `/`, and a root scope (`/`) adds nothing:
    // no segment is empty.
    segments.retain(|s| !s.is_empty());

    // The spec's api-version, whatever the example recorded: examples are
    // often copied from an older version (see `stale_version`).
    let mut query = Vec::new();
    if let Some(v) = facts.api_version {
        query.push((v.param.clone(), v.value.clone()));
    }
    let mut headers = Vec::new();
    for (_, p) in facts.params {
        let data = p.parameter_data_ref();
        if Some(data.name.as_str()) == facts.api_version.map(|v| v.param.as_str()) {
            continue;
        }
        match p {
            Parameter::Query { style, .. } => {
                let Some((_, value)) = value_of(&data.name, 1) else {
                    continue;
                };
                let explode = data.explode.unwrap_or(matches!(style, QueryStyle::Form))
                    && matches!(style, QueryStyle::Form);
                match value {
                    Value::Array(items) if explode => {
                        query.extend(items.iter().map(|i| (data.name.clone(), text(i))));
                    }
                    // A list given as text (`a,b`) is still one value each.
                    Value::String(s) if explode && is_array(p) => {
                        query.extend(s.split(',').map(|i| (data.name.clone(), i.to_string())));
                    }
                    Value::Array(items) => {
                        let separator = match style {
                            QueryStyle::PipeDelimited => "|",
                            QueryStyle::SpaceDelimited => " ",
                            _ => ",",
                        };
                        let joined = items.iter().map(text).collect::<Vec<_>>().join(separator);
                        query.push((data.name.clone(), joined));
                    }
                    other => query.push((data.name.clone(), text(other))),
                }
            }
            Parameter::Header { .. } if !data.name.eq_ignore_ascii_case("authorization") => {
                if let Some((_, value)) = value_of(&data.name, 2) {
                    headers.push((data.name.clone(), text(value)));
                }
            }
            _ => {}
        }
    }
    if let (Some(_), Some(media)) = (&body, &facts.body_media) {
        headers.push(("content-type".to_string(), media.clone()));
    }
    ExpectedRequest {
        method: facts.method,
        path: segments,
        query,
        headers,
        body,
    }
}

fn is_array(p: &Parameter) -> bool {
    matches!(
        &p.parameter_data_ref().format,
        ParameterSchemaOrContent::Schema(ReferenceOr::Item(s))
            if matches!(s.schema_kind, openapiv3::SchemaKind::Type(openapiv3::Type::Array(_)))
    )
}

fn skips_encoding(p: &Parameter) -> bool {
    p.parameter_data_ref()
        .extensions
        .get("x-ms-skip-url-encoding")
        .and_then(Value::as_bool)
        == Some(true)
}

fn responses(
    facts: &OperationFacts<'_>,
    example: &RawExample,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<ExampleResponse> {
    let Some(Value::Object(map)) = example.value.get("responses") else {
        warnings.push(Diagnostic::new(
            example.source.child("responses"),
            format!(
                "example `{}` of `{}` has no `responses` object; its test checks only the request",
                example.name, facts.operation_id
            ),
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, response) in map {
        let status = if key == "default" {
            // Any status the operation does not count as success.
            [400, 500, 409]
                .into_iter()
                .find(|s| !facts.success.contains(s))
                .unwrap_or(599)
        } else {
            match key.parse::<u16>() {
                Ok(s) if (100..600).contains(&s) => s,
                _ => {
                    warnings.push(Diagnostic::new(
                        example.source.child("responses").child(key),
                        format!(
                            "example `{}` of `{}` answers with status `{key}`, which is not an HTTP status; that answer is skipped",
                            example.name, facts.operation_id
                        ),
                    ));
                    continue;
                }
            }
        };
        let headers = response
            .get("headers")
            .and_then(Value::as_object)
            .map(|h| {
                h.iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.clone(), text(v)))
                    .collect()
            })
            .unwrap_or_default();
        out.push(ExampleResponse {
            key: key.clone(),
            status,
            headers,
            body: response.get("body").cloned(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_names_are_snake_case_and_bounded() {
        assert_eq!(
            test_name("Redis_Create", "RedisCacheCreate"),
            "redis_create_redis_cache_create"
        );
        let long = test_name(
            "VirtualMachines_CreateOrUpdate",
            "Create a vm with a user assigned identity and an ephemeral os disk placed on the cache disk",
        );
        assert!(long.len() <= 80, "{long}");
        assert!(long.starts_with("virtual_machines_create_or_update_create_a_vm"));
        assert_eq!(test_name("Type_Get", "1st"), "type_get_1st");
        // Letters of any script: cut at a character, never inside one.
        let accents = test_name("Op", &"é".repeat(60));
        assert!(accents.chars().count() <= 80, "{accents}");
    }

    #[test]
    fn host_templates_fill_from_the_example_or_defaults() {
        let host = Host {
            default_endpoint: None,
            template: Some("{account}.{suffix}/indexes('{index}')".into()),
            params: vec![
                ("account".into(), None),
                ("suffix".into(), Some("search.windows.net".into())),
                ("index".into(), None),
            ],
            docs: Vec::new(),
        };
        let values = serde_json::json!({"account": "svc", "index": "hotels"});
        let values = values.as_object().cloned().unwrap_or_default();
        assert_eq!(
            host.endpoint(&values),
            "https://svc.search.windows.net/indexes('hotels')"
        );
        let plain = Host {
            default_endpoint: Some("https://management.azure.com".into()),
            ..Host::default()
        };
        assert_eq!(plain.endpoint(&values), "https://management.azure.com");
    }
}
