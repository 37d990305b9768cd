//! validate: an independent check that an `x-ms-examples` example agrees
//! with its own spec.
//!
//! Nothing here uses the generator's IR: each operation's schemas are
//! translated from the `openapiv3` document into one JSON Schema (draft
//! 2020-12) document, compiled once by the `jsonschema` crate, and every
//! value of an example is validated against it. What JSON Schema cannot say
//! well (which parameters exist, which status codes, parameter values written
//! as strings) is done in Rust around the validator, never instead of it.
//!
//! The rules are those of Azure's own example validation: undocumented
//! members and parameters are errors, `allOf` members count as documented,
//! discriminators pick the subtype, nulls for optional members are absent
//! members, `x-ms-enum` with `modelAsString` documents known values only.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use indexmap::IndexMap;
use openapiv3::{
    MediaType, OpenAPI, Parameter, ParameterSchemaOrContent, QueryStyle, ReferenceOr, RequestBody,
    Response, Schema, StatusCode,
};
use serde_json::{Map, Value, json};

use crate::load::pointer_push;

/// Which part of an example a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Part {
    Request,
    Response(String),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Finding {
    pub part: Part,
    /// JSON pointer inside the example object (e.g.
    /// `/parameters/parameters/properties/sku/name`,
    /// `/responses/200/body/value/0/id`).
    pub pointer: String,
    /// What is wrong, in the validator's words where it has them.
    pub message: String,
}

/// At most this many findings per part of an example: past that, more of
/// the same mistake tells the reader nothing new.
const MAX_FINDINGS_PER_PART: usize = 20;
/// Errors taken from the validator per value, before the per-part cap.
const MAX_RAW_ERRORS: usize = 200;
/// Values nested deeper than this are not handed to the validator: its
/// recursion follows the instance through recursive schemas, and real
/// examples (serde_json stops parsing at 128) never come close.
const MAX_INSTANCE_DEPTH: usize = 100;
/// Inline schema nesting followed by the translation; beyond it a schema
/// accepts anything (only a pathological or self-referencing spec goes
/// this deep).
const MAX_SCHEMA_DEPTH: usize = 64;
/// The custom keyword that reports a discriminator value no subtype has.
const NO_SUBTYPE: &str = "x-no-subtype";
const SCHEMAS: &str = "#/components/schemas/";

/// The schemas of one operation, compiled once.
pub struct OperationCheck {
    params: Vec<Param>,
    responses: Vec<DeclaredResponse>,
    /// Validates `{slot: value}` objects: each slot is one parameter or
    /// response body, and all of them share the translated components.
    validator: Option<jsonschema::Validator>,
    /// Why the schemas could not be compiled, if they could not.
    broken: Option<String>,
}

/// One documented request parameter, as the example names it.
struct Param {
    name: String,
    required: bool,
    /// The request body (for messages; its value is never coerced).
    body: bool,
    coerce: Coerce,
    /// The validator slot holding its schema; `None` when any value goes.
    slot: Option<String>,
}

/// How a path, query or header value written as a string is read.
#[derive(Debug, Clone, Copy)]
enum Coerce {
    None,
    Scalar(Scalar),
    Array { separator: char, item: Scalar },
}

#[derive(Debug, Clone, Copy)]
enum Scalar {
    Integer,
    Number,
    Boolean,
    Other,
}

/// A status the operation declares (`200`, `2XX`, `default`).
struct DeclaredResponse {
    status: Status,
    body: BodyRule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Status {
    Code(u16),
    Range(u16),
    Default,
}

enum BodyRule {
    /// No content at all: an example body must be empty.
    None,
    /// Content that is not JSON (or a file): not validated.
    Unchecked,
    /// Validated in this validator slot.
    Slot(String),
}

impl OperationCheck {
    /// `path` is the path template as under `paths`, `method` lower-case.
    /// Err(message) when the operation is not in the document.
    pub fn new(doc: &OpenAPI, path: &str, method: &str) -> Result<Self, String> {
        let item = match doc.paths.paths.get(path) {
            Some(ReferenceOr::Item(item)) => item,
            Some(ReferenceOr::Reference { reference }) => {
                return Err(format!(
                    "path `{path}` is a `$ref` to `{reference}`, which is not followed"
                ));
            }
            None => return Err(format!("no path `{path}` in the document")),
        };
        let operation = match method {
            "get" => item.get.as_ref(),
            "put" => item.put.as_ref(),
            "post" => item.post.as_ref(),
            "delete" => item.delete.as_ref(),
            "options" => item.options.as_ref(),
            "head" => item.head.as_ref(),
            "patch" => item.patch.as_ref(),
            "trace" => item.trace.as_ref(),
            _ => None,
        }
        .ok_or_else(|| format!("no `{method}` operation on `{path}`"))?;

        let mut tr = Translator::new(doc);
        let mut slots = Map::new();
        let mut params = Vec::new();
        let mut add_param = |tr: &mut Translator<'_>,
                             params: &mut Vec<Param>,
                             name: String,
                             required: bool,
                             body: bool,
                             coerce: Coerce,
                             schema: Option<Value>| {
            let slot = schema.map(|schema| {
                let id = format!("p{}", params.len());
                slots.insert(id.clone(), tr.translate(&schema, &Mode::Value, 0));
                id
            });
            params.push(Param {
                name,
                required,
                body,
                coerce,
                slot,
            });
        };

        // Path-item parameters, overridden by operation parameters of the
        // same name and location.
        let mut declared: Vec<(String, &'static str, &Parameter)> = Vec::new();
        for p in item.parameters.iter().chain(&operation.parameters) {
            let Some(p) = resolve_parameter(doc, p) else {
                continue;
            };
            let data = p.parameter_data_ref();
            let location = location_of(p);
            declared.retain(|(n, l, _)| !(n == &data.name && *l == location));
            declared.push((data.name.clone(), location, p));
        }
        for (name, location, p) in declared {
            let data = p.parameter_data_ref();
            let schema = match &data.format {
                ParameterSchemaOrContent::Schema(s) => to_json(s),
                ParameterSchemaOrContent::Content(content) => json_media(content)
                    .and_then(|m| m.schema.as_ref())
                    .and_then(to_json),
            };
            let separator = match p {
                Parameter::Query {
                    style: QueryStyle::SpaceDelimited,
                    ..
                } => ' ',
                Parameter::Query {
                    style: QueryStyle::PipeDelimited,
                    ..
                } => '|',
                _ => ',',
            };
            let coerce = schema
                .as_ref()
                .map_or(Coerce::None, |s| coercion(&tr, s, separator));
            add_param(
                &mut tr,
                &mut params,
                name,
                data.required || location == "path",
                false,
                coerce,
                schema,
            );
        }

        // The parameterized host's parameters: Swagger 2.0 parameter
        // objects (the converter leaves extensions as written), or `$ref`s.
        if let Some(Value::Array(host)) = doc
            .extensions
            .get("x-ms-parameterized-host")
            .and_then(|h| h.get("parameters"))
        {
            for p in host {
                let Some((name, required, schema)) = host_parameter(doc, p) else {
                    continue;
                };
                if params.iter().any(|q| q.name == name) {
                    continue;
                }
                let coerce = coercion(&tr, &schema, ',');
                add_param(
                    &mut tr,
                    &mut params,
                    name,
                    required,
                    false,
                    coerce,
                    Some(schema),
                );
            }
        }

        if let Some(body) = operation
            .request_body
            .as_ref()
            .and_then(|b| resolve_request_body(doc, b))
        {
            let name = body
                .extensions
                .get("x-ms-requestBody-name")
                .and_then(Value::as_str)
                .unwrap_or("body")
                .to_string();
            match json_media(&body.content) {
                Some(media) => {
                    let schema = media
                        .schema
                        .as_ref()
                        .and_then(to_json)
                        .filter(|s| !is_file(&tr, s));
                    add_param(
                        &mut tr,
                        &mut params,
                        name,
                        body.required,
                        true,
                        Coerce::None,
                        schema,
                    );
                }
                None => match form_fields(&body.content) {
                    // Form bodies: the example names each field, and
                    // writes its value as it would a query parameter's.
                    Some(fields) => {
                        for (field, required, schema) in fields {
                            let schema = Some(schema).filter(|s| !is_file(&tr, s));
                            let coerce = schema
                                .as_ref()
                                .map_or(Coerce::None, |s| coercion(&tr, s, ','));
                            add_param(&mut tr, &mut params, field, required, false, coerce, schema);
                        }
                    }
                    None => {
                        add_param(
                            &mut tr,
                            &mut params,
                            name,
                            body.required,
                            true,
                            Coerce::None,
                            None,
                        );
                    }
                },
            }
        }

        let mut responses = Vec::new();
        let declared_responses = operation
            .responses
            .responses
            .iter()
            .map(|(code, r)| {
                let status = match code {
                    StatusCode::Code(c) => Status::Code(*c),
                    StatusCode::Range(r) => Status::Range(*r),
                };
                (status, r)
            })
            .chain(
                operation
                    .responses
                    .default
                    .as_ref()
                    .map(|r| (Status::Default, r)),
            );
        for (status, r) in declared_responses {
            let body = match resolve_response(doc, r) {
                None => BodyRule::Unchecked,
                Some(r) if r.content.is_empty() => BodyRule::None,
                Some(r) => match json_media(&r.content)
                    .and_then(|m| m.schema.as_ref())
                    .and_then(to_json)
                    .filter(|s| !is_file(&tr, s))
                {
                    Some(schema) => {
                        let id = format!("r{}", responses.len());
                        slots.insert(id.clone(), tr.translate(&schema, &Mode::Value, 0));
                        BodyRule::Slot(id)
                    }
                    None => BodyRule::Unchecked,
                },
            };
            responses.push(DeclaredResponse { status, body });
        }

        let root = tr.finish(slots);
        let (validator, broken) = match compile(root) {
            Ok(v) => (Some(v), None),
            Err(e) => (None, Some(e)),
        };
        Ok(Self {
            params,
            responses,
            validator,
            broken,
        })
    }

    /// Every finding for one example object (`{parameters, responses}`),
    /// sorted, deduplicated. Never panics, whatever the example holds.
    pub fn check(&self, example: &Value) -> Vec<Finding> {
        let mut findings = Vec::new();
        let Value::Object(example) = example else {
            findings.push(finding(Part::Request, "", "the example is not an object"));
            return findings;
        };
        if let Some(broken) = &self.broken {
            findings.push(finding(
                Part::Request,
                "",
                format!("the operation's schemas could not be compiled, so no value is checked: {broken}"),
            ));
        }
        self.check_parameters(example.get("parameters"), &mut findings);
        self.check_responses(example.get("responses"), &mut findings);

        findings.sort();
        findings.dedup();
        let mut per_part: BTreeMap<Part, usize> = BTreeMap::new();
        findings.retain(|f| {
            let n = per_part.entry(f.part.clone()).or_default();
            *n += 1;
            *n <= MAX_FINDINGS_PER_PART
        });
        findings
    }

    fn check_parameters(&self, given: Option<&Value>, findings: &mut Vec<Finding>) {
        let empty = Map::new();
        let given = match given {
            None => &empty,
            Some(Value::Object(map)) => map,
            Some(_) => {
                findings.push(finding(
                    Part::Request,
                    "/parameters",
                    "`parameters` is not an object",
                ));
                &empty
            }
        };
        for (key, value) in given {
            let pointer = pointer_push("/parameters", key);
            // Exact names first; a name equal but for ASCII case is still
            // the parameter (headers are case-insensitive on the wire, and
            // example writers are loose about the rest).
            let param = self.params.iter().find(|p| &p.name == key).or_else(|| {
                self.params
                    .iter()
                    .find(|p| p.name.eq_ignore_ascii_case(key))
            });
            let Some(param) = param else {
                findings.push(finding(
                    Part::Request,
                    &pointer,
                    format!("undocumented parameter {}", quote(key)),
                ));
                continue;
            };
            // A null optional parameter is an absent one, as for members.
            if value.is_null() && !param.required {
                continue;
            }
            if let Some(slot) = &param.slot {
                self.validate(
                    slot,
                    value,
                    param.coerce,
                    &Part::Request,
                    &pointer,
                    findings,
                );
            }
        }
        for param in &self.params {
            // The client supplies api-version itself.
            if !param.required || param.name.eq_ignore_ascii_case("api-version") {
                continue;
            }
            let present = given
                .keys()
                .any(|k| k == &param.name || k.eq_ignore_ascii_case(&param.name));
            if !present {
                let what = if param.body {
                    "request body"
                } else {
                    "parameter"
                };
                findings.push(finding(
                    Part::Request,
                    "/parameters",
                    format!("required {what} {} is missing", quote(&param.name)),
                ));
            }
        }
    }

    fn check_responses(&self, given: Option<&Value>, findings: &mut Vec<Finding>) {
        let given = match given {
            None => return,
            Some(Value::Object(map)) => map,
            Some(_) => {
                // About no one status: the response part with no code.
                findings.push(finding(
                    Part::Response(String::new()),
                    "/responses",
                    "`responses` is not an object",
                ));
                return;
            }
        };
        for (code, response) in given {
            let part = Part::Response(code.clone());
            let pointer = pointer_push("/responses", code);
            let Some(declared) = self.declared(code) else {
                findings.push(finding(
                    part,
                    &pointer,
                    format!("the operation documents no response {}", quote(code)),
                ));
                continue;
            };
            let body = match response {
                Value::Object(r) => r.get("body"),
                _ => {
                    findings.push(finding(part, &pointer, "the response is not an object"));
                    continue;
                }
            };
            let Some(body) = body else {
                continue;
            };
            let body_pointer = pointer_push(&pointer, "body");
            match &declared.body {
                BodyRule::Unchecked => {}
                BodyRule::None => {
                    let empty = match body {
                        Value::Null => true,
                        Value::Object(m) => m.is_empty(),
                        Value::String(s) => s.is_empty(),
                        _ => false,
                    };
                    if !empty {
                        findings.push(finding(
                            part,
                            &body_pointer,
                            format!("the spec documents no body for {code}"),
                        ));
                    }
                }
                BodyRule::Slot(slot) => {
                    self.validate(slot, body, Coerce::None, &part, &body_pointer, findings);
                }
            }
        }
    }

    /// The declared response covering an example's status key: the exact
    /// code, else its `2XX`-style range, else `default`.
    fn declared(&self, code: &str) -> Option<&DeclaredResponse> {
        let find = |s: &Status| self.responses.iter().find(|r| &r.status == s);
        if code == "default" {
            return find(&Status::Default);
        }
        let exact = code.parse::<u16>().ok();
        exact
            .and_then(|c| find(&Status::Code(c)))
            .or_else(|| exact.and_then(|c| find(&Status::Range(c / 100))))
            .or_else(|| find(&Status::Default))
    }

    /// Validates one value in its slot and turns the validator's errors into
    /// findings at `prefix` inside the example.
    fn validate(
        &self,
        slot: &str,
        value: &Value,
        how: Coerce,
        part: &Part,
        prefix: &str,
        findings: &mut Vec<Finding>,
    ) {
        let Some(validator) = &self.validator else {
            return;
        };
        if deeper_than(value, MAX_INSTANCE_DEPTH) {
            findings.push(finding(
                part.clone(),
                prefix,
                format!("nested deeper than {MAX_INSTANCE_DEPTH} levels; not validated"),
            ));
            return;
        }
        // Copied only now, once the depth is known to be safe to recurse.
        let mut instance = Map::new();
        instance.insert(slot.to_string(), coerce(value, how));
        let instance = Value::Object(instance);
        for error in validator.iter_errors(&instance).take(MAX_RAW_ERRORS) {
            // The instance path starts with the slot: swap it for the
            // value's place in the example.
            let path = error.instance_path().as_str();
            let rest = path
                .strip_prefix('/')
                .and_then(|p| p.find('/').and_then(|i| p.get(i..)))
                .unwrap_or("");
            let at = format!("{prefix}{rest}");
            match error.kind() {
                jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                    for member in unexpected {
                        findings.push(finding(
                            part.clone(),
                            &pointer_push(&at, member),
                            format!("undocumented member {}", quote(member)),
                        ));
                    }
                }
                jsonschema::error::ValidationErrorKind::Required { property } => {
                    let name = property
                        .as_str()
                        .map_or_else(|| property.to_string(), quote);
                    findings.push(finding(
                        part.clone(),
                        &at,
                        format!("required member {name} is missing"),
                    ));
                }
                _ => findings.push(finding(part.clone(), &at, shorten(&error.to_string()))),
            }
        }
    }
}

fn finding(part: Part, pointer: &str, message: impl Into<String>) -> Finding {
    Finding {
        part,
        pointer: pointer.to_string(),
        message: message.into(),
    }
}

/// The validator's message with a long instance cut in the middle: it
/// quotes the whole value (a whole list, say), and the end says what is
/// wrong.
fn shorten(message: &str) -> String {
    const HEAD: usize = 100;
    const TAIL: usize = 60;
    let count = message.chars().count();
    if count <= HEAD + TAIL + 20 {
        return message.to_string();
    }
    let head: String = message.chars().take(HEAD).collect();
    let tail: String = message.chars().skip(count.saturating_sub(TAIL)).collect();
    format!("{head} … {tail}")
}

/// A name in a message, as JSON writes it.
fn quote(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// Whether `value` nests deeper than `limit`, found without recursion so a
/// hostile value cannot exhaust the stack here.
fn deeper_than(value: &Value, limit: usize) -> bool {
    let mut stack = vec![(value, 0usize)];
    while let Some((v, depth)) = stack.pop() {
        if depth > limit {
            return true;
        }
        match v {
            Value::Array(items) => stack.extend(items.iter().map(|x| (x, depth + 1))),
            Value::Object(map) => stack.extend(map.values().map(|x| (x, depth + 1))),
            _ => {}
        }
    }
    false
}

// ---------------------------------------------------------------------------
// Parameters, bodies and responses of the document.

fn location_of(p: &Parameter) -> &'static str {
    match p {
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Path { .. } => "path",
        Parameter::Cookie { .. } => "cookie",
    }
}

/// The component a local `$ref` names, `~` escapes undone.
fn ref_name<'r>(reference: &'r str, prefix: &str) -> Option<std::borrow::Cow<'r, str>> {
    let name = reference.strip_prefix(prefix)?;
    if name.contains('~') {
        Some(name.replace("~1", "/").replace("~0", "~").into())
    } else {
        Some(name.into())
    }
}

/// Follows `$ref`s through one kind of component (bounded: a loop of
/// references resolves to nothing).
fn resolve<'d, T>(
    item: &'d ReferenceOr<T>,
    prefix: &str,
    components: Option<&'d IndexMap<String, ReferenceOr<T>>>,
) -> Option<&'d T> {
    let mut current = item;
    for _ in 0..32 {
        match current {
            ReferenceOr::Item(t) => return Some(t),
            ReferenceOr::Reference { reference } => {
                let name = ref_name(reference, prefix)?;
                current = components?.get(name.as_ref())?;
            }
        }
    }
    None
}

fn resolve_parameter<'d>(doc: &'d OpenAPI, p: &'d ReferenceOr<Parameter>) -> Option<&'d Parameter> {
    resolve(
        p,
        "#/components/parameters/",
        doc.components.as_ref().map(|c| &c.parameters),
    )
}

fn resolve_request_body<'d>(
    doc: &'d OpenAPI,
    b: &'d ReferenceOr<RequestBody>,
) -> Option<&'d RequestBody> {
    resolve(
        b,
        "#/components/requestBodies/",
        doc.components.as_ref().map(|c| &c.request_bodies),
    )
}

fn resolve_response<'d>(doc: &'d OpenAPI, r: &'d ReferenceOr<Response>) -> Option<&'d Response> {
    resolve(
        r,
        "#/components/responses/",
        doc.components.as_ref().map(|c| &c.responses),
    )
}

/// Whether a media type carries JSON: `application/json`, `*+json`,
/// `text/json` (parameters such as `; charset=utf-8` ignored).
fn is_json(media: &str) -> bool {
    let essence = media
        .split(';')
        .next()
        .unwrap_or(media)
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence == "text/json" || essence.ends_with("+json")
}

/// The first JSON media type of a content map.
fn json_media(content: &IndexMap<String, MediaType>) -> Option<&MediaType> {
    content.iter().find(|(m, _)| is_json(m)).map(|(_, m)| m)
}

/// The fields of a form body (Swagger 2.0 `formData` parameters, which the
/// converter gathers into one object schema): name, required, schema.
fn form_fields(content: &IndexMap<String, MediaType>) -> Option<Vec<(String, bool, Value)>> {
    let (_, media) = content.iter().find(|(m, _)| {
        let m = m.to_ascii_lowercase();
        m.starts_with("application/x-www-form-urlencoded") || m.starts_with("multipart/form-data")
    })?;
    let schema = media.schema.as_ref().and_then(to_json)?;
    let properties = schema.get("properties")?.as_object()?;
    let required: BTreeSet<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    Some(
        properties
            .iter()
            .map(|(name, s)| (name.clone(), required.contains(name.as_str()), s.clone()))
            .collect(),
    )
}

/// A parameter of `x-ms-parameterized-host`: name, required, schema.
fn host_parameter(doc: &OpenAPI, p: &Value) -> Option<(String, bool, Value)> {
    if let Some(reference) = p.get("$ref").and_then(Value::as_str) {
        // `#/components/parameters/X` after conversion; a Swagger 2.0
        // `#/parameters/X` is accepted too.
        let name = ref_name(reference, "#/components/parameters/")
            .or_else(|| ref_name(reference, "#/parameters/"))?;
        let param = doc
            .components
            .as_ref()?
            .parameters
            .get(name.as_ref())
            .and_then(|r| resolve_parameter(doc, r))?;
        let data = param.parameter_data_ref();
        let schema = match &data.format {
            ParameterSchemaOrContent::Schema(s) => to_json(s)?,
            ParameterSchemaOrContent::Content(c) => {
                json_media(c)?.schema.as_ref().and_then(to_json)?
            }
        };
        let required = (data.required || location_of(param) == "path") && !has_default(&schema);
        return Some((data.name.clone(), required, schema));
    }
    let map = p.as_object()?;
    let name = map.get("name")?.as_str()?.to_string();
    let required = map.get("required").and_then(Value::as_bool) == Some(true)
        || map.get("in").and_then(Value::as_str) == Some("path");
    // An OpenAPI 3 parameter has a schema; a Swagger 2.0 one carries the
    // schema keywords itself.
    let schema = match map.get("schema") {
        Some(s) => s.clone(),
        None => Value::Object(crate::load::swagger2_parameter_schema(map)),
    };
    Some((name, required && !has_default(&schema), schema))
}

/// A host parameter with a default (`dnsSuffix`) is filled by the client
/// when an example leaves it out.
fn has_default(schema: &Value) -> bool {
    schema.get("default").is_some()
}

/// A schema as JSON, the form the translation reads (the `openapiv3` enum
/// splits one schema over several shapes; its JSON is uniform).
fn to_json<T: serde::Serialize>(schema: &T) -> Option<Value> {
    serde_json::to_value(schema).ok()
}

/// Whether a body schema is a file (`type: string, format: binary`, Swagger's
/// `type: file`): its example is a placeholder, not JSON to validate.
fn is_file(tr: &Translator<'_>, schema: &Value) -> bool {
    let s = tr.concrete(schema);
    // Batch writes `type: object, format: file`.
    matches!(
        s.get("format").and_then(Value::as_str),
        Some("binary" | "file")
    ) || s.get("type").and_then(Value::as_str) == Some("file")
}

/// How a parameter's string value is read, from its schema's type.
fn coercion(tr: &Translator<'_>, schema: &Value, separator: char) -> Coerce {
    let s = tr.concrete(schema);
    match s.get("type").and_then(Value::as_str) {
        Some("array") => Coerce::Array {
            separator,
            item: s
                .get("items")
                .map_or(Scalar::Other, |items| scalar(&tr.concrete(items))),
        },
        Some(_) => Coerce::Scalar(scalar(&s)),
        None => Coerce::None,
    }
}

fn scalar(s: &Value) -> Scalar {
    match s.get("type").and_then(Value::as_str) {
        Some("integer") => Scalar::Integer,
        Some("number") => Scalar::Number,
        Some("boolean") => Scalar::Boolean,
        _ => Scalar::Other,
    }
}

/// A path, query or header value as its typed JSON: examples write `"10"`
/// for an integer as often as `10`, and arrays as `"a,b"`. Text that does
/// not read as the type stays a string, for the validator to reject.
fn coerce(value: &Value, how: Coerce) -> Value {
    match (how, value) {
        (Coerce::Scalar(kind), Value::String(s)) => coerce_scalar(s, kind),
        (Coerce::Array { separator, item }, Value::String(s)) => {
            if s.is_empty() {
                return Value::Array(Vec::new());
            }
            Value::Array(s.split(separator).map(|p| coerce_scalar(p, item)).collect())
        }
        (Coerce::Array { item, .. }, Value::Array(items)) => Value::Array(
            items
                .iter()
                .map(|v| match v {
                    Value::String(s) => coerce_scalar(s, item),
                    other => other.clone(),
                })
                .collect(),
        ),
        _ => value.clone(),
    }
}

fn coerce_scalar(s: &str, kind: Scalar) -> Value {
    let number = || {
        s.parse::<i64>()
            .map(Value::from)
            .or_else(|_| s.parse::<u64>().map(Value::from))
            .ok()
            .or_else(|| {
                s.parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
            })
    };
    let typed = match kind {
        Scalar::Integer | Scalar::Number => number(),
        Scalar::Boolean if s.eq_ignore_ascii_case("true") => Some(Value::Bool(true)),
        Scalar::Boolean if s.eq_ignore_ascii_case("false") => Some(Value::Bool(false)),
        _ => None,
    };
    typed.unwrap_or_else(|| Value::String(s.to_string()))
}

// ---------------------------------------------------------------------------
// OpenAPI 3.0 schemas → JSON Schema 2020-12.
//
// Each component X reached from an operation becomes up to three `$defs`:
// - open (`o`): X's own constraints and its allOf parents' open forms, with
//   no `additionalProperties` (so it can be an allOf part of a subtype);
// - closed (`c`): open plus `additionalProperties: false` over the members of
//   the whole allOf chain (the flattened schema);
// - value (`v`): what a `$ref` to X means where a value is expected: the
//   closed form, or, for a polymorphic X, a dispatch on the discriminator to
//   the closed form of the subtype the instance names.
// `$ref`s between `$defs` make recursive schemas work.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Form {
    Value,
    Closed,
    Open,
}

/// How an inline schema is used: as a value (closed over its members), or
/// as an allOf part whose object is closed elsewhere; the part carries the
/// enclosing object's required members, which decide where null is absent.
#[derive(Clone)]
enum Mode {
    Value,
    Part(Rc<BTreeSet<String>>),
}

/// The members of a schema's whole allOf chain.
#[derive(Debug, Default)]
struct Flat {
    names: BTreeSet<String>,
    required: BTreeSet<String>,
    /// The first `additionalProperties` declared along the chain, as written.
    additional: Option<Value>,
    declares_properties: bool,
}

impl Flat {
    /// Whether the object is closed: it declares members (or says what
    /// other members may be); free-form objects accept anything.
    fn closes(&self) -> bool {
        self.declares_properties || self.additional.is_some()
    }
}

struct Translator<'d> {
    schemas: Option<&'d IndexMap<String, ReferenceOr<Schema>>>,
    /// Direct allOf parents and children of each component.
    parents: BTreeMap<String, Vec<String>>,
    children: BTreeMap<String, Vec<String>>,
    json: BTreeMap<String, Rc<Value>>,
    flat: BTreeMap<String, Rc<Flat>>,
    flattening: BTreeSet<String>,
    ids: BTreeMap<(Form, String), String>,
    pending: Vec<(Form, String)>,
    defs: Map<String, Value>,
}

impl<'d> Translator<'d> {
    fn new(doc: &'d OpenAPI) -> Self {
        let schemas = doc.components.as_ref().map(|c| &c.schemas);
        let mut parents: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut children: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, schema) in schemas.into_iter().flatten() {
            let ReferenceOr::Item(schema) = schema else {
                continue;
            };
            let all_of = match &schema.schema_kind {
                openapiv3::SchemaKind::AllOf { all_of } => all_of.as_slice(),
                openapiv3::SchemaKind::Any(any) => any.all_of.as_slice(),
                _ => &[],
            };
            for part in all_of {
                if let ReferenceOr::Reference { reference } = part
                    && let Some(parent) = ref_name(reference, SCHEMAS)
                {
                    let parent = parent.into_owned();
                    parents
                        .entry(name.clone())
                        .or_default()
                        .push(parent.clone());
                    children.entry(parent).or_default().push(name.clone());
                }
            }
        }
        Self {
            schemas,
            parents,
            children,
            json: BTreeMap::new(),
            flat: BTreeMap::new(),
            flattening: BTreeSet::new(),
            ids: BTreeMap::new(),
            pending: Vec::new(),
            defs: Map::new(),
        }
    }

    fn component(&self, name: &str) -> Option<&'d Schema> {
        match self.schemas?.get(name)? {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { .. } => None,
        }
    }

    /// A component schema as JSON, serialized once.
    fn component_json(&mut self, name: &str) -> Option<Rc<Value>> {
        if let Some(v) = self.json.get(name) {
            return Some(v.clone());
        }
        let v = Rc::new(to_json(self.schemas?.get(name)?)?);
        self.json.insert(name.to_string(), v.clone());
        Some(v)
    }

    /// A schema with `$ref`s to components followed (for reading its
    /// type), or the schema itself.
    fn concrete(&self, schema: &Value) -> Value {
        let mut current = schema.clone();
        for _ in 0..32 {
            let Some(name) = current
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| ref_name(r, SCHEMAS))
            else {
                break;
            };
            match self
                .schemas
                .and_then(|s| s.get(name.as_ref()))
                .and_then(to_json)
            {
                Some(next) => current = next,
                None => break,
            }
        }
        current
    }

    /// The whole document: the slots under `properties`, every reached
    /// component under `$defs`.
    fn finish(mut self, slots: Map<String, Value>) -> Value {
        while let Some((form, name)) = self.pending.pop() {
            let body = self.component_form(form, &name);
            if let Some(id) = self.ids.get(&(form, name)) {
                self.defs.insert(id.clone(), body);
            }
        }
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$defs": self.defs,
            "properties": slots,
        })
    }

    /// `{"$ref": ...}` to one form of a component, queued for translation.
    fn def_ref(&mut self, form: Form, name: &str) -> Value {
        if self.schemas.and_then(|s| s.get(name)).is_none() {
            // A dangling reference (the loader reports those): anything goes.
            return json!({});
        }
        let key = (form, name.to_string());
        let id = match self.ids.get(&key) {
            Some(id) => id.clone(),
            None => {
                let letter = match form {
                    Form::Value => 'v',
                    Form::Closed => 'c',
                    Form::Open => 'o',
                };
                let id = format!("{letter}{}", self.ids.len());
                self.ids.insert(key.clone(), id.clone());
                self.pending.push(key);
                id
            }
        };
        json!({ "$ref": format!("#/$defs/{id}") })
    }

    /// A `$ref` inside a schema, in the form the mode asks for. References
    /// into a component (`#/components/schemas/X/properties/y`) are
    /// translated inline.
    fn schema_ref(&mut self, reference: &str, mode: &Mode, depth: usize) -> Value {
        let Some(path) = reference.strip_prefix(SCHEMAS) else {
            return json!({});
        };
        let mut tokens = path
            .split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"));
        let Some(name) = tokens.next() else {
            return json!({});
        };
        let rest: Vec<String> = tokens.collect();
        if rest.is_empty() {
            let form = match mode {
                Mode::Value => Form::Value,
                Mode::Part(_) => Form::Open,
            };
            return self.def_ref(form, &name);
        }
        let Some(mut target) = self.component_json(&name).map(|v| (*v).clone()) else {
            return json!({});
        };
        for t in &rest {
            let next = match &target {
                Value::Object(m) => m.get(t).cloned(),
                Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get(i).cloned()),
                _ => None,
            };
            match next {
                Some(n) => target = n,
                None => return json!({}),
            }
        }
        self.translate(&target, mode, depth + 1)
    }

    fn component_form(&mut self, form: Form, name: &str) -> Value {
        let Some(src) = self.component_json(name) else {
            return json!({});
        };
        if let Some(reference) = src.get("$ref").and_then(Value::as_str) {
            // An alias of another component.
            let mode = match form {
                Form::Open => Mode::Part(Rc::new(BTreeSet::new())),
                Form::Value | Form::Closed => Mode::Value,
            };
            return self.schema_ref(reference, &mode, 0);
        }
        match form {
            Form::Open => {
                let flat = self.flat_component(name);
                let required = Rc::new(flat.required.clone());
                self.translate(&src, &Mode::Part(required), 0)
            }
            Form::Closed => self.closed(name),
            Form::Value => {
                let body = match self.dispatch(name) {
                    Some(dispatch) => dispatch,
                    None => self.closed(name),
                };
                if nullable(&src) { or_null(body) } else { body }
            }
        }
    }

    /// The component's open form with its object closed over the members
    /// of its whole allOf chain.
    fn closed(&mut self, name: &str) -> Value {
        let flat = self.flat_component(name);
        let mut out = as_map(self.def_ref(Form::Open, name));
        self.close(&mut out, &flat, &BTreeSet::new(), 1);
        Value::Object(out)
    }

    /// Adds `additionalProperties` (false, or as declared) and lists the
    /// members that other allOf parts declare, which would otherwise count
    /// as additional here.
    fn close(
        &mut self,
        out: &mut Map<String, Value>,
        flat: &Flat,
        own: &BTreeSet<String>,
        depth: usize,
    ) {
        if !flat.closes() {
            return;
        }
        // `properties` is written even when empty: beside it, the validator
        // reports every undocumented member, not just the first.
        let properties = out
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(properties) = properties {
            for name in flat.names.iter().filter(|n| !own.contains(*n)) {
                properties.insert(name.clone(), Value::Bool(true));
            }
        }
        let additional = match &flat.additional {
            None => Value::Bool(false),
            Some(Value::Bool(b)) => Value::Bool(*b),
            // One level deeper, never back to the top: a map whose values
            // are the map itself must still end.
            Some(schema) => self.translate(schema, &Mode::Value, depth + 1),
        };
        out.insert("additionalProperties".into(), additional);
    }

    /// The discriminator dispatch for a polymorphic component: one
    /// `if`/`then` per known discriminator value, each to the closed form
    /// of the schema with that value; an unknown or absent value falls back
    /// to the base itself.
    fn dispatch(&mut self, name: &str) -> Option<Value> {
        let own = self
            .component(name)
            .and_then(|s| s.schema_data.discriminator.as_ref())
            .map(|d| d.property_name.clone());
        let descendants = self.descendants(name);
        let property = match own {
            Some(p) => p,
            // A subtype with subtypes of its own dispatches on the
            // property it inherits.
            None if !descendants.is_empty() => self.inherited_discriminator(name)?,
            None => return None,
        };
        let mut values = Vec::new();
        let mut branches = Vec::new();
        for member in std::iter::once(name.to_string()).chain(descendants) {
            let value = self.discriminator_value(&member);
            if values.contains(&value) {
                continue;
            }
            values.push(value.clone());
            branches.push(json!({
                "if": {"required": [property], "properties": {property.clone(): {"const": value}}},
                "then": self.def_ref(Form::Closed, &member),
            }));
        }
        let mut fallback = as_map(self.def_ref(Form::Closed, name));
        if !self.strict_enum_member(name, &property) {
            // Without an enum on the property, nothing else would say the
            // value names no subtype.
            fallback.insert(
                "properties".into(),
                json!({ property.clone(): { NO_SUBTYPE: { "base": name, "property": property } } }),
            );
        }
        branches.push(json!({
            "if": {"required": [property], "properties": {property.clone(): {"enum": values}}},
            "else": fallback,
        }));
        Some(json!({ "allOf": branches }))
    }

    fn descendants(&self, name: &str) -> Vec<String> {
        let mut seen = BTreeSet::from([name.to_string()]);
        let mut out = Vec::new();
        let mut queue = std::collections::VecDeque::from([name.to_string()]);
        while let Some(current) = queue.pop_front() {
            for child in self.children.get(&current).into_iter().flatten() {
                if seen.insert(child.clone()) {
                    out.push(child.clone());
                    queue.push_back(child.clone());
                }
            }
        }
        out
    }

    fn inherited_discriminator(&self, name: &str) -> Option<String> {
        let mut seen = BTreeSet::from([name.to_string()]);
        let mut queue = std::collections::VecDeque::from([name.to_string()]);
        while let Some(current) = queue.pop_front() {
            if let Some(d) = self
                .component(&current)
                .and_then(|s| s.schema_data.discriminator.as_ref())
            {
                return Some(d.property_name.clone());
            }
            for parent in self.parents.get(&current).into_iter().flatten() {
                if seen.insert(parent.clone()) {
                    queue.push_back(parent.clone());
                }
            }
        }
        None
    }

    /// `x-ms-discriminator-value`, else the component's name.
    fn discriminator_value(&self, name: &str) -> String {
        self.component(name)
            .and_then(|s| s.schema_data.extensions.get("x-ms-discriminator-value"))
            .and_then(Value::as_str)
            .unwrap_or(name)
            .to_string()
    }

    /// Whether the member `property` of the component (or an ancestor) has
    /// an enum that rejects unknown values.
    fn strict_enum_member(&mut self, name: &str, property: &str) -> bool {
        let mut seen = BTreeSet::from([name.to_string()]);
        let mut queue = std::collections::VecDeque::from([name.to_string()]);
        while let Some(current) = queue.pop_front() {
            if let Some(member) = self
                .component_json(&current)
                .and_then(|s| s.get("properties")?.get(property).cloned())
            {
                let member = self.concrete(&member);
                return member.get("enum").is_some() && !models_as_string(&member);
            }
            for parent in self.parents.get(&current).into_iter().flatten() {
                if seen.insert(parent.clone()) {
                    queue.push_back(parent.clone());
                }
            }
        }
        false
    }

    fn flat_component(&mut self, name: &str) -> Rc<Flat> {
        if let Some(f) = self.flat.get(name) {
            return f.clone();
        }
        let mut flat = Flat::default();
        // A component reached again while flattening itself (an allOf
        // cycle) adds nothing the first visit does not.
        if self.flattening.insert(name.to_string()) {
            if let Some(src) = self.component_json(name) {
                self.flatten(&src, 0, &mut flat);
            }
            self.flattening.remove(name);
        }
        let flat = Rc::new(flat);
        self.flat.insert(name.to_string(), flat.clone());
        flat
    }

    /// Gathers the members, required members and `additionalProperties` of
    /// a schema and its allOf parts, recursively.
    fn flatten(&mut self, s: &Value, depth: usize, into: &mut Flat) {
        if depth > MAX_SCHEMA_DEPTH {
            return;
        }
        if let Some(reference) = s.get("$ref").and_then(Value::as_str) {
            if let Some(name) = ref_name(reference, SCHEMAS).filter(|n| !n.contains('/')) {
                let f = self.flat_component(&name);
                into.names.extend(f.names.iter().cloned());
                into.required.extend(f.required.iter().cloned());
                into.declares_properties |= f.declares_properties;
                if into.additional.is_none() {
                    into.additional.clone_from(&f.additional);
                }
            }
            return;
        }
        if let Some(Value::Object(properties)) = s.get("properties") {
            into.names.extend(properties.keys().cloned());
            into.declares_properties |= !properties.is_empty();
        }
        if let Some(Value::Array(required)) = s.get("required") {
            into.required.extend(
                required
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string),
            );
        }
        if into.additional.is_none() {
            into.additional = s.get("additionalProperties").cloned();
        }
        if let Some(Value::Array(parts)) = s.get("allOf") {
            for part in parts {
                self.flatten(part, depth + 1, into);
            }
        }
    }

    /// One inline schema, translated.
    fn translate(&mut self, s: &Value, mode: &Mode, depth: usize) -> Value {
        if depth > MAX_SCHEMA_DEPTH {
            return json!({});
        }
        let Value::Object(src) = s else {
            return match s {
                Value::Bool(b) => Value::Bool(*b),
                _ => json!({}),
            };
        };
        if let Some(reference) = src.get("$ref").and_then(Value::as_str) {
            return self.schema_ref(reference, mode, depth);
        }
        let mut out = Map::new();
        let mut all_of = Vec::new();

        let ty = src.get("type").and_then(Value::as_str);
        let declares_members = src
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty())
            || src.get("additionalProperties").is_some();
        match ty {
            Some(ty @ ("string" | "integer" | "number" | "boolean" | "array" | "object")) => {
                out.insert("type".into(), json!(ty));
            }
            // Members make an object, as every generator reads it; without
            // the type, JSON Schema would let an array or a string through.
            None if declares_members => {
                out.insert("type".into(), json!("object"));
            }
            _ => {}
        }
        if let Some(format) = src.get("format").and_then(Value::as_str) {
            match (ty, format) {
                (
                    Some("string") | None,
                    "date-time" | "date-time-rfc1123" | "date" | "uuid" | "byte",
                ) => {
                    out.insert("format".into(), json!(format));
                }
                // Ranges as bounds: formats only ever apply to strings.
                (Some("integer"), "int32") => {
                    all_of.push(json!({"minimum": i32::MIN, "maximum": i32::MAX}));
                }
                (Some("integer"), "int64") => {
                    all_of.push(json!({"minimum": i64::MIN, "maximum": i64::MAX}));
                }
                // Other formats (duration, uri, password, ...) are not checked.
                _ => {}
            }
        }
        if let Some(Value::Array(values)) = src.get("enum")
            && !values.is_empty()
            && !models_as_string(s)
        {
            out.insert("enum".into(), Value::Array(values.clone()));
        }
        for (bound, exclusive, strict) in [
            ("minimum", "exclusiveMinimum", "exclusiveMinimum"),
            ("maximum", "exclusiveMaximum", "exclusiveMaximum"),
        ] {
            if let Some(limit) = src.get(bound).filter(|v| v.is_number()) {
                // OpenAPI 3.0's boolean exclusive flags are 2020-12 numbers.
                let key = if src.get(exclusive) == Some(&Value::Bool(true)) {
                    strict
                } else {
                    bound
                };
                out.insert(key.into(), limit.clone());
            }
        }
        for key in [
            "multipleOf",
            "minLength",
            "maxLength",
            "minItems",
            "maxItems",
            "uniqueItems",
            "minProperties",
            "maxProperties",
        ] {
            if let Some(v) = src.get(key) {
                let valid = match key {
                    "uniqueItems" => v.is_boolean(),
                    "multipleOf" => v.as_f64().is_some_and(|m| m > 0.0),
                    _ => v.is_u64(),
                };
                if valid {
                    out.insert(key.into(), v.clone());
                }
            }
        }
        if let Some(pattern) = src.get("pattern").and_then(Value::as_str) {
            out.insert("pattern".into(), json!(ecma_pattern(pattern)));
        }
        if let Some(items) = src.get("items") {
            out.insert(
                "items".into(),
                self.translate(items, &Mode::Value, depth + 1),
            );
        }

        // Members: the object's required members (the enclosing object's,
        // for an allOf part) decide which members may be null.
        let own: BTreeSet<String> = src
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        let parts = src.get("allOf").and_then(Value::as_array);
        // `allOf: [{$ref: X}]` alone (AutoRest's way to describe a member
        // of type X) is X itself, discriminator and all.
        let alias = matches!(mode, Mode::Value)
            && own.is_empty()
            && src.get("additionalProperties").is_none()
            && parts.is_some_and(|p| p.len() == 1 && p.iter().all(|x| x.get("$ref").is_some()));
        let (required, flat) = match mode {
            Mode::Part(required) => (required.clone(), None),
            Mode::Value => {
                let mut flat = Flat::default();
                self.flatten(s, depth, &mut flat);
                (Rc::new(flat.required.clone()), Some(flat))
            }
        };
        if let Some(Value::Object(properties)) = src.get("properties") {
            let mut translated = Map::new();
            for (name, member) in properties {
                let t = self.translate(member, &Mode::Value, depth + 1);
                // Services write null for absent members, and clients read
                // it so: null is only wrong where the member is required.
                let t = if required.contains(name) {
                    t
                } else {
                    or_null(t)
                };
                translated.insert(name.clone(), t);
            }
            out.insert("properties".into(), Value::Object(translated));
        }
        if let Some(Value::Array(r)) = src.get("required") {
            let names: Vec<Value> = r.iter().filter(|v| v.is_string()).cloned().collect();
            if !names.is_empty() {
                out.insert("required".into(), Value::Array(names));
            }
        }
        if let Some(parts) = parts {
            let part_mode = if alias {
                Mode::Value
            } else {
                Mode::Part(required.clone())
            };
            for part in parts {
                all_of.push(self.translate(part, &part_mode, depth + 1));
            }
        }
        for (key, combine) in [("oneOf", "oneOf"), ("anyOf", "anyOf")] {
            if let Some(Value::Array(options)) = src.get(key) {
                let options: Vec<Value> = options
                    .iter()
                    .map(|o| self.translate(o, &Mode::Value, depth + 1))
                    .collect();
                if !options.is_empty() {
                    out.insert(combine.into(), Value::Array(options));
                }
            }
        }
        if let Some(not) = src.get("not") {
            out.insert("not".into(), self.translate(not, &Mode::Value, depth + 1));
        }
        if !all_of.is_empty() {
            out.insert("allOf".into(), Value::Array(all_of));
        }
        match (mode, flat) {
            (Mode::Value, Some(flat)) if !alias => self.close(&mut out, &flat, &own, depth),
            _ => {}
        }
        let out = Value::Object(out);
        if matches!(mode, Mode::Value) && nullable(s) {
            or_null(out)
        } else {
            out
        }
    }
}

/// A schema object's keywords (a `$ref`, say), to add siblings to.
fn as_map(schema: Value) -> Map<String, Value> {
    match schema {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn nullable(s: &Value) -> bool {
    s.get("nullable") == Some(&Value::Bool(true))
}

/// `x-ms-enum` with `modelAsString: true`: the enum lists known values, not
/// all values.
fn models_as_string(s: &Value) -> bool {
    s.get("x-ms-enum").and_then(|e| e.get("modelAsString")) == Some(&Value::Bool(true))
}

/// Null, or else the schema: written as `if`/`else` rather than `anyOf`, so a
/// non-null value's errors are the schema's own, not "not valid under any".
fn or_null(schema: Value) -> Value {
    json!({ "if": {"type": "null"}, "else": schema })
}

/// Specs write ECMAScript patterns; the validator's engine is stricter about
/// a `-` next to a class escape inside brackets (`[\w-.]`), which ECMAScript
/// reads as a literal hyphen. Escaping it keeps the meaning.
fn ecma_pattern(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut in_class = false;
    let mut i = 0;
    let class_escape = |c: Option<&char>| matches!(c, Some('w' | 'W' | 'd' | 'D' | 's' | 'S'));
    while let Some(&c) = chars.get(i) {
        match c {
            '\\' => {
                out.push(c);
                if let Some(&next) = chars.get(i + 1) {
                    out.push(next);
                }
                i += 2;
                continue;
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '-' if in_class => {
                let after_escape = i >= 2
                    && chars.get(i - 2) == Some(&'\\')
                    && class_escape(chars.get(i - 1))
                    && !(i >= 3 && chars.get(i - 3) == Some(&'\\'));
                let before_escape =
                    chars.get(i + 1) == Some(&'\\') && class_escape(chars.get(i + 2));
                if after_escape || before_escape {
                    out.push_str("\\-");
                    i += 1;
                    continue;
                }
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    out
}

// ---------------------------------------------------------------------------
// Compiling.

/// Compiles the document; a pattern the regex engine refuses is dropped (a
/// spec's regex dialect is not the example's fault) and compiling retried.
fn compile(mut root: Value) -> Result<jsonschema::Validator, String> {
    let options = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .with_format("date-time", is_date_time)
        .with_format("date-time-rfc1123", is_rfc1123)
        .with_format("date", is_date)
        .with_format("uuid", is_uuid)
        .with_format("byte", is_base64)
        .with_keyword(NO_SUBTYPE, |_parent, value, _location| {
            let base = value
                .get("base")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let property = value
                .get("property")
                .and_then(Value::as_str)
                .unwrap_or_default();
            Ok(Box::new(NoSubtype {
                prefix: format!("no subtype of {base} has {property} ="),
            }))
        });
    let mut last = String::new();
    for _ in 0..100 {
        match options.build(&root) {
            Ok(v) => return Ok(v),
            Err(e) => {
                let at = e.instance_path().as_str().to_string();
                last = e.to_string();
                let removed = at.ends_with("/pattern")
                    && at
                        .rsplit_once('/')
                        .and_then(|(parent, _)| root.pointer_mut(parent))
                        .and_then(Value::as_object_mut)
                        // A regex, not a member named `pattern`.
                        .filter(|m| m.get("pattern").is_some_and(Value::is_string))
                        .and_then(|m| m.remove("pattern"))
                        .is_some();
                if !removed {
                    break;
                }
            }
        }
    }
    Err(last)
}

/// The `x-no-subtype` keyword: placed only where the discriminator value
/// matched no subtype, so it always fails, naming the value.
struct NoSubtype {
    prefix: String,
}

impl<'i> jsonschema::Keyword<'i> for NoSubtype {
    fn validate(&self, instance: &'i Value) -> Result<(), jsonschema::ValidationError<'i>> {
        Err(jsonschema::ValidationError::custom(format!(
            "{} {instance}",
            self.prefix
        )))
    }

    fn is_valid(&self, _instance: &'i Value) -> bool {
        false
    }
}

// ---------------------------------------------------------------------------
// Formats, as Azure writes them.

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |n, d| {
        n.saturating_mul(10).saturating_add(u32::from(d - b'0'))
    }))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

/// `YYYY-MM-DD`.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (
        b.get(0..4).and_then(digits),
        b.get(5..7).and_then(digits),
        b.get(8..10).and_then(digits),
    ) else {
        return false;
    };
    (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)
}

/// `HH:MM:SS` (a leap second allowed).
fn is_time(b: &[u8]) -> bool {
    if b.len() != 8 || b.get(2) != Some(&b':') || b.get(5) != Some(&b':') {
        return false;
    }
    matches!(
        (b.get(0..2).and_then(digits), b.get(3..5).and_then(digits), b.get(6..8).and_then(digits)),
        (Some(h), Some(m), Some(s)) if h <= 23 && m <= 59 && s <= 60
    )
}

/// RFC 3339, plus what Azure writes: no offset (read as UTC), and any
/// number of fractional digits (.NET writes seven).
fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(date), Some(sep), Some(time)) = (s.get(0..10), b.get(10), b.get(11..19)) else {
        return false;
    };
    if !is_date(date) || !matches!(sep, b'T' | b't' | b' ') || !is_time(time) {
        return false;
    }
    let mut rest = b.get(19..).unwrap_or_default();
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = fraction.get(n..).unwrap_or_default();
    }
    match rest {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => matches!(
            (digits(&[*h1, *h2]), digits(&[*m1, *m2])),
            (Some(h), Some(m)) if h <= 23 && m <= 59
        ),
        _ => false,
    }
}

/// RFC 1123 as in HTTP dates: `Thu, 15 Jun 2017 19:20:58 GMT`.
fn is_rfc1123(s: &str) -> bool {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = s.split_ascii_whitespace().collect();
    let [weekday, day, month, year, time, zone] = parts.as_slice() else {
        return false;
    };
    let weekday_ok = weekday
        .strip_suffix(',')
        .is_some_and(|w| DAYS.iter().any(|d| d.eq_ignore_ascii_case(w)));
    let month = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(month))
        .and_then(|i| u32::try_from(i + 1).ok());
    let zone_ok = matches!(*zone, "GMT" | "UT" | "UTC" | "Z")
        || (zone.len() == 5
            && (zone.starts_with('+') || zone.starts_with('-'))
            && zone
                .get(1..)
                .is_some_and(|z| digits(z.as_bytes()).is_some()));
    let (Some(day), Some(month), Some(year)) = (
        Some(day.as_bytes())
            .filter(|d| d.len() <= 2)
            .and_then(digits),
        month,
        Some(year.as_bytes())
            .filter(|y| y.len() == 4)
            .and_then(digits),
    ) else {
        return false;
    };
    weekday_ok
        && zone_ok
        && day >= 1
        && day <= days_in_month(year, month)
        && is_time(time.as_bytes())
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex of either case.
fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Base64 (standard alphabet), padded or not.
fn is_base64(s: &str) -> bool {
    let b = s.as_bytes();
    let body = b
        .strip_suffix(b"==")
        .or_else(|| b.strip_suffix(b"="))
        .unwrap_or(b);
    let padded = body.len() != b.len();
    body.iter()
        .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
        && if padded {
            b.len().is_multiple_of(4)
        } else {
            body.len() % 4 != 1
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document with one operation `POST /things/{id}`, the given
    /// operation fields merged in, and these component schemas.
    fn doc(operation: Value, schemas: Value) -> OpenAPI {
        let mut op = json!({
            "parameters": [
                {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "api-version", "in": "query", "required": true, "schema": {"type": "string"}}
            ],
            "responses": {"200": {"description": "ok"}}
        });
        if let (Some(op), Value::Object(extra)) = (op.as_object_mut(), operation) {
            for (k, v) in extra {
                op.insert(k, v);
            }
        }
        serde_json::from_value(json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/things/{id}": {"post": op}},
            "components": {"schemas": schemas}
        }))
        .unwrap()
    }

    /// An operation whose request body (`thing`) and 200 response are `schema`.
    fn body_doc(schema: Value, schemas: Value) -> OpenAPI {
        doc(
            json!({
                "requestBody": {
                    "content": {"application/json": {"schema": schema.clone()}},
                    "required": true,
                    "x-ms-requestBody-name": "thing"
                },
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}
            }),
            schemas,
        )
    }

    fn check(doc: &OpenAPI, example: Value) -> Vec<Finding> {
        OperationCheck::new(doc, "/things/{id}", "post")
            .unwrap()
            .check(&example)
    }

    /// Findings for a response body of `body_doc`.
    fn body_findings(doc: &OpenAPI, body: Value) -> Vec<String> {
        check(
            doc,
            json!({"parameters": {"id": "1", "thing": {}}, "responses": {"200": {"body": body}}}),
        )
        .into_iter()
        .filter(|f| f.part == Part::Response("200".into()))
        .map(|f| format!("{} {}", f.pointer, f.message))
        .collect()
    }

    fn messages(findings: &[Finding]) -> Vec<String> {
        findings
            .iter()
            .map(|f| format!("{} {}", f.pointer, f.message))
            .collect()
    }

    #[test]
    fn unknown_operation_is_an_error() {
        let d = doc(json!({}), json!({}));
        assert!(OperationCheck::new(&d, "/things/{id}", "get").is_err());
        assert!(OperationCheck::new(&d, "/nothing", "post").is_err());
        assert!(OperationCheck::new(&d, "/things/{id}", "post").is_ok());
    }

    #[test]
    fn undocumented_parameter() {
        let d = doc(json!({}), json!({}));
        let f = check(&d, json!({"parameters": {"id": "1", "foo": 1}}));
        assert_eq!(
            messages(&f),
            [r#"/parameters/foo undocumented parameter "foo""#]
        );
        assert_eq!(f[0].part, Part::Request);
    }

    #[test]
    fn parameter_names_match_ignoring_ascii_case() {
        let d = doc(json!({}), json!({}));
        assert!(check(&d, json!({"parameters": {"ID": "1", "API-Version": "1"}})).is_empty());
    }

    #[test]
    fn required_parameters_except_api_version() {
        let d = doc(
            json!({"parameters": [
                {"name": "id", "in": "path", "schema": {"type": "string"}},
                {"name": "api-version", "in": "query", "required": true, "schema": {"type": "string"}},
                {"name": "x-ms-client", "in": "header", "required": true, "schema": {"type": "string"}},
                {"name": "optional", "in": "query", "schema": {"type": "string"}}
            ]}),
            json!({}),
        );
        // Path parameters are required even without `required: true`.
        assert_eq!(
            messages(&check(&d, json!({"parameters": {}}))),
            [
                r#"/parameters required parameter "id" is missing"#,
                r#"/parameters required parameter "x-ms-client" is missing"#
            ]
        );
        assert!(check(&d, json!({"parameters": {"id": "a", "x-ms-client": "b"}})).is_empty());
    }

    #[test]
    fn required_body_missing() {
        let d = body_doc(json!({"type": "object"}), json!({}));
        assert_eq!(
            messages(&check(&d, json!({"parameters": {"id": "1"}}))),
            [r#"/parameters required request body "thing" is missing"#]
        );
    }

    #[test]
    fn body_name_defaults_to_body() {
        let d = doc(
            json!({"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}}),
            json!({}),
        );
        assert!(check(&d, json!({"parameters": {"id": "1", "body": {}}})).is_empty());
        assert_eq!(
            messages(&check(&d, json!({"parameters": {"id": "1", "body": 3}}))),
            [r#"/parameters/body 3 is not of type "object""#]
        );
    }

    #[test]
    fn path_item_parameters_and_overrides() {
        let mut d = doc(
            json!({"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}]}),
            json!({}),
        );
        let item = match d.paths.paths.get_mut("/things/{id}") {
            Some(ReferenceOr::Item(item)) => item,
            _ => unreachable!(),
        };
        item.parameters = serde_json::from_value(json!([
            {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "shared", "in": "query", "required": true, "schema": {"type": "boolean"}}
        ]))
        .unwrap();
        // The operation's integer `id` wins; `shared` comes from the path item.
        assert_eq!(
            messages(&check(
                &d,
                json!({"parameters": {"id": "x", "shared": "true"}})
            )),
            [r#"/parameters/id "x" is not of type "integer""#]
        );
        assert_eq!(
            messages(&check(&d, json!({"parameters": {"id": 1}}))),
            [r#"/parameters required parameter "shared" is missing"#]
        );
    }

    #[test]
    fn parameter_refs_resolve() {
        let mut d = doc(
            json!({"parameters": [{"$ref": "#/components/parameters/Top"}]}),
            json!({}),
        );
        if let Some(c) = d.components.as_mut() {
            c.parameters = serde_json::from_value(json!({
                "Top": {"name": "$top", "in": "query", "schema": {"type": "integer", "format": "int32", "minimum": 1}}
            }))
            .unwrap();
        }
        let f = check(&d, json!({"parameters": {"$top": 0}}));
        assert_eq!(
            messages(&f),
            [r#"/parameters/$top 0 is less than the minimum of 1"#]
        );
    }

    #[test]
    fn parameterized_host_parameters() {
        let mut d = doc(json!({"parameters": []}), json!({}));
        d.extensions.insert(
            "x-ms-parameterized-host".into(),
            json!({"hostTemplate": "{vaultBaseUrl}", "parameters": [
                {"name": "vaultBaseUrl", "in": "path", "required": true, "type": "string"},
                {"$ref": "#/components/parameters/Region"},
                {"name": "dnsSuffix", "in": "path", "required": true, "type": "string",
                 "default": "example.invalid"}
            ]}),
        );
        if let Some(c) = d.components.as_mut() {
            c.parameters = serde_json::from_value(json!({
                "Region": {"name": "region", "in": "path", "required": true,
                           "schema": {"type": "string", "enum": ["east", "west"]}}
            }))
            .unwrap();
        }
        assert!(
            check(
                &d,
                json!({"parameters": {"vaultBaseUrl": "https://v", "region": "east"}})
            )
            .is_empty()
        );
        assert_eq!(
            messages(&check(&d, json!({"parameters": {"region": "north"}}))),
            [
                r#"/parameters required parameter "vaultBaseUrl" is missing"#,
                r#"/parameters/region "north" is not one of "east" or "west""#
            ]
        );
    }

    #[test]
    fn typed_parameters_accept_their_text() {
        let d = doc(
            json!({"parameters": [
                {"name": "n", "in": "query", "schema": {"type": "integer"}},
                {"name": "b", "in": "header", "schema": {"type": "boolean"}},
                {"name": "x", "in": "query", "schema": {"type": "number"}}
            ]}),
            json!({}),
        );
        assert!(
            check(
                &d,
                json!({"parameters": {"n": "10", "b": "true", "x": "1.5"}})
            )
            .is_empty()
        );
        assert!(check(&d, json!({"parameters": {"n": 10, "b": false, "x": 2}})).is_empty());
        assert_eq!(
            messages(&check(&d, json!({"parameters": {"n": "ten", "b": "yes"}}))),
            [
                r#"/parameters/b "yes" is not of type "boolean""#,
                r#"/parameters/n "ten" is not of type "integer""#
            ]
        );
    }

    #[test]
    fn array_parameters_as_arrays_or_comma_separated() {
        let d = doc(
            json!({"parameters": [
                {"name": "ids", "in": "query", "schema": {"type": "array", "items": {"type": "integer"}}},
                {"name": "tags", "in": "header", "schema": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}}}
            ]}),
            json!({}),
        );
        assert!(
            check(
                &d,
                json!({"parameters": {"ids": "1,2,3", "tags": ["a", "b"]}})
            )
            .is_empty()
        );
        assert!(check(&d, json!({"parameters": {"ids": [1, "2"], "tags": "a,b"}})).is_empty());
        assert_eq!(
            messages(&check(&d, json!({"parameters": {"tags": "a,c"}}))),
            [r#"/parameters/tags/1 "c" is not one of "a" or "b""#]
        );
    }

    #[test]
    fn body_is_validated_against_the_json_media_type_only() {
        let d = doc(
            json!({"requestBody": {"content": {
                "text/plain": {"schema": {"type": "integer"}},
                "application/merge-patch+json": {"schema": {"type": "object", "properties": {"a": {"type": "string"}}}}
            }}}),
            json!({}),
        );
        assert_eq!(
            messages(&check(
                &d,
                json!({"parameters": {"id": "1", "body": {"a": 1}}})
            )),
            [r#"/parameters/body/a 1 is not of type "string""#]
        );
        let binary = doc(
            json!({"requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}),
            json!({}),
        );
        assert!(
            check(
                &binary,
                json!({"parameters": {"id": "1", "body": {"any": "thing"}}})
            )
            .is_empty()
        );
    }

    #[test]
    fn undeclared_status_codes() {
        let d = doc(
            json!({"responses": {"200": {"description": "ok"}, "202": {"description": "accepted"}}}),
            json!({}),
        );
        let f = check(
            &d,
            json!({"parameters": {"id": "1"}, "responses": {"200": {}, "404": {}}}),
        );
        assert_eq!(
            messages(&f),
            [r#"/responses/404 the operation documents no response "404""#]
        );
        assert_eq!(f[0].part, Part::Response("404".into()));
        let with_default = doc(
            json!({"responses": {"200": {"description": "ok"}, "default": {"description": "error"}}}),
            json!({}),
        );
        assert!(
            check(
                &with_default,
                json!({"parameters": {"id": "1"}, "responses": {"404": {}}})
            )
            .is_empty()
        );
    }

    #[test]
    fn response_bodies_use_their_status_or_default_schema() {
        let d = doc(
            json!({"responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}}},
                "default": {"$ref": "#/components/responses/Error"}
            }}),
            json!({"Error": {"type": "object", "properties": {"code": {"type": "string"}}, "required": ["code"]}}),
        );
        let mut d = d;
        if let Some(c) = d.components.as_mut() {
            c.responses = serde_json::from_value(json!({
                "Error": {"description": "e", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }))
            .unwrap();
        }
        let f = check(
            &d,
            json!({"parameters": {"id": "1"}, "responses": {
                "200": {"body": {"n": "x"}},
                "500": {"body": {"message": "boom"}}
            }}),
        );
        assert_eq!(
            messages(&f),
            [
                r#"/responses/200/body/n "x" is not of type "integer""#,
                r#"/responses/500/body required member "code" is missing"#,
                r#"/responses/500/body/message undocumented member "message""#
            ]
        );
    }

    #[test]
    fn bodies_where_the_spec_documents_none() {
        let d = doc(
            json!({"responses": {"204": {"description": "gone"}}}),
            json!({}),
        );
        assert!(
            check(
                &d,
                json!({"parameters": {"id": "1"}, "responses": {"204": {}}})
            )
            .is_empty()
        );
        assert!(
            check(
                &d,
                json!({"parameters": {"id": "1"}, "responses": {"204": {"body": {}}}})
            )
            .is_empty()
        );
        assert_eq!(
            messages(&check(
                &d,
                json!({"parameters": {"id": "1"}, "responses": {"204": {"body": {"a": 1}}}})
            )),
            [r#"/responses/204/body the spec documents no body for 204"#]
        );
    }

    #[test]
    fn undocumented_members_over_the_flattened_schema() {
        let d = body_doc(
            json!({"$ref": "#/components/schemas/Child"}),
            json!({
                "Base": {"type": "object", "properties": {"id": {"type": "string"}}},
                "Child": {"allOf": [{"$ref": "#/components/schemas/Base"}],
                          "properties": {"size": {"type": "integer"}}}
            }),
        );
        assert!(body_findings(&d, json!({"id": "a", "size": 1})).is_empty());
        assert_eq!(
            body_findings(&d, json!({"id": "a", "foo": 1})),
            [r#"/responses/200/body/foo undocumented member "foo""#]
        );
    }

    #[test]
    fn declared_additional_properties_and_free_form_objects() {
        let d = body_doc(
            json!({"type": "object", "properties": {
                "tags": {"type": "object", "additionalProperties": {"type": "string"}},
                "open": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": true},
                "free": {"type": "object"},
                "any": {}
            }}),
            json!({}),
        );
        assert!(
            body_findings(
                &d,
                json!({"tags": {"x": "y"}, "open": {"b": 1}, "free": {"z": [1]}, "any": 3})
            )
            .is_empty()
        );
        assert_eq!(
            body_findings(&d, json!({"tags": {"x": 1}})),
            [r#"/responses/200/body/tags/x 1 is not of type "string""#]
        );
    }

    #[test]
    fn required_members_of_every_allof_part() {
        let d = body_doc(
            json!({"$ref": "#/components/schemas/Child"}),
            json!({
                "Base": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
                "Child": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"required": ["size"]}],
                          "properties": {"size": {"type": "integer"}}}
            }),
        );
        assert_eq!(
            body_findings(&d, json!({})),
            [
                r#"/responses/200/body required member "id" is missing"#,
                r#"/responses/200/body required member "size" is missing"#
            ]
        );
    }

    fn animals() -> OpenAPI {
        body_doc(
            json!({"type": "object", "properties": {"pets": {"type": "array", "items": {"$ref": "#/components/schemas/Animal"}}}}),
            json!({
                "Animal": {"type": "object", "discriminator": {"propertyName": "kind"},
                           "properties": {"kind": {"type": "string"}, "name": {"type": "string"}},
                           "required": ["kind"]},
                "Dog": {"allOf": [{"$ref": "#/components/schemas/Animal"}], "x-ms-discriminator-value": "dog",
                        "properties": {"barks": {"type": "boolean"}}, "required": ["barks"]},
                "Puppy": {"allOf": [{"$ref": "#/components/schemas/Dog"}],
                          "properties": {"age": {"type": "integer"}}},
                "Cat": {"allOf": [{"$ref": "#/components/schemas/Animal"}],
                        "properties": {"lives": {"type": "integer"}}}
            }),
        )
    }

    #[test]
    fn discriminator_picks_the_subtype() {
        let d = animals();
        let pets = |p: Value| json!({"pets": p});
        assert!(
            body_findings(
                &d,
                pets(json!([
                    {"kind": "dog", "barks": true, "name": "rex"},
                    {"kind": "Cat", "lives": 9},
                    {"kind": "Puppy", "barks": false, "age": 1},
                    {"kind": "Animal"}
                ]))
            )
            .is_empty()
        );
        assert_eq!(
            body_findings(
                &d,
                pets(json!([{"kind": "dog", "lives": 9}, {"kind": "Cat", "barks": true}]))
            ),
            [
                r#"/responses/200/body/pets/0 required member "barks" is missing"#,
                r#"/responses/200/body/pets/0/lives undocumented member "lives""#,
                r#"/responses/200/body/pets/1/barks undocumented member "barks""#
            ]
        );
    }

    #[test]
    fn discriminator_unknown_or_absent_value() {
        let d = animals();
        assert_eq!(
            body_findings(
                &d,
                json!({"pets": [{"kind": "Cow", "name": "x"}, {"name": "y"}]})
            ),
            [
                r#"/responses/200/body/pets/0/kind no subtype of Animal has kind = "Cow""#,
                r#"/responses/200/body/pets/1 required member "kind" is missing"#
            ]
        );
        // With an enum on the property, the enum says it.
        let with_enum = body_doc(
            json!({"$ref": "#/components/schemas/Shape"}),
            json!({
                "Shape": {"type": "object", "discriminator": {"propertyName": "kind"},
                          "properties": {"kind": {"type": "string", "enum": ["Square"]}}},
                "Square": {"allOf": [{"$ref": "#/components/schemas/Shape"}], "properties": {"side": {"type": "number"}}}
            }),
        );
        assert!(body_findings(&with_enum, json!({"kind": "Square", "side": 2})).is_empty());
        assert_eq!(
            body_findings(&with_enum, json!({"kind": "Circle"})),
            [r#"/responses/200/body/kind "Circle" is not one of "Square""#]
        );
    }

    #[test]
    fn nulls() {
        let d = body_doc(
            json!({"type": "object", "required": ["must"], "properties": {
                "must": {"type": "string"},
                "maybe": {"type": "string"},
                "list": {"type": "array", "items": {"type": "integer", "nullable": true}}
            }}),
            json!({}),
        );
        assert!(
            body_findings(&d, json!({"must": "a", "maybe": null, "list": [1, null]})).is_empty()
        );
        assert_eq!(
            body_findings(&d, json!({"must": null})),
            [r#"/responses/200/body/must null is not of type "string""#]
        );
    }

    #[test]
    fn enums_and_model_as_string() {
        let d = body_doc(
            json!({"type": "object", "properties": {
                "strict": {"type": "string", "enum": ["S1", "S2"], "x-ms-enum": {"name": "Sku", "modelAsString": false}},
                "open": {"type": "string", "enum": ["A"], "x-ms-enum": {"name": "Open", "modelAsString": true}}
            }}),
            json!({}),
        );
        assert!(body_findings(&d, json!({"strict": "S1", "open": "anything"})).is_empty());
        assert_eq!(
            body_findings(&d, json!({"strict": "s1"})),
            [r#"/responses/200/body/strict "s1" is not one of "S1" or "S2""#]
        );
    }

    #[test]
    fn read_only_members_are_allowed_in_requests() {
        let d = body_doc(
            json!({"type": "object", "properties": {"id": {"type": "string", "readOnly": true}}}),
            json!({}),
        );
        assert!(check(&d, json!({"parameters": {"id": "1", "thing": {"id": "x"}}})).is_empty());
    }

    #[test]
    fn formats() {
        let d = body_doc(
            json!({"type": "object", "properties": {
                "dt": {"type": "string", "format": "date-time"},
                "rfc": {"type": "string", "format": "date-time-rfc1123"},
                "d": {"type": "string", "format": "date"},
                "u": {"type": "string", "format": "uuid"},
                "b": {"type": "string", "format": "byte"},
                "i32": {"type": "integer", "format": "int32"},
                "i64": {"type": "integer", "format": "int64"},
                "uri": {"type": "string", "format": "uri"},
                "dur": {"type": "string", "format": "duration"}
            }}),
            json!({}),
        );
        assert!(body_findings(&d, json!({
            "dt": "2017-06-15T19:20:58.1234567", "rfc": "Thu, 15 Jun 2017 19:20:58 GMT",
            "d": "2024-02-29", "u": "0B2A5E1F-7a1c-4a0b-9c1e-000000000000", "b": "aGVsbG8",
            "i32": 2147483647, "i64": -9223372036854775808i64, "uri": "not a uri", "dur": "soon"
        })).is_empty());
        assert!(
            body_findings(
                &d,
                json!({"dt": "2017-06-15T19:20:58+02:00", "b": "aGVsbG8="})
            )
            .is_empty()
        );
        assert_eq!(
            body_findings(
                &d,
                json!({
                    "dt": "2017-06-15 7pm", "rfc": "2017-06-15", "d": "2023-02-29",
                    "u": "not-a-uuid", "b": "a$b", "i32": 2147483648u64, "i64": 1e19
                })
            ),
            [
                r#"/responses/200/body/b "a$b" is not a "byte""#,
                r#"/responses/200/body/d "2023-02-29" is not a "date""#,
                r#"/responses/200/body/dt "2017-06-15 7pm" is not a "date-time""#,
                r#"/responses/200/body/i32 2147483648 is greater than the maximum of 2147483647"#,
                r#"/responses/200/body/i64 1e+19 is greater than the maximum of 9223372036854775807"#,
                r#"/responses/200/body/rfc "2017-06-15" is not a "date-time-rfc1123""#,
                r#"/responses/200/body/u "not-a-uuid" is not a "uuid""#
            ]
        );
    }

    #[test]
    fn integers_accept_whole_floats() {
        let d = body_doc(
            json!({"type": "object", "properties": {"n": {"type": "integer"}, "x": {"type": "number"}}}),
            json!({}),
        );
        assert!(body_findings(&d, json!({"n": 10.0, "x": 1.5})).is_empty());
        assert_eq!(
            body_findings(&d, json!({"n": 10.5})),
            [r#"/responses/200/body/n 10.5 is not of type "integer""#]
        );
    }

    #[test]
    fn recursive_schemas() {
        let d = body_doc(
            json!({"$ref": "#/components/schemas/Node"}),
            json!({"Node": {"type": "object", "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
            }}}),
        );
        assert!(
            body_findings(
                &d,
                json!({"name": "a", "children": [{"name": "b", "children": []}]})
            )
            .is_empty()
        );
        assert_eq!(
            body_findings(&d, json!({"children": [{"children": [{"nam": "c"}]}]})),
            [r#"/responses/200/body/children/0/children/0/nam undocumented member "nam""#]
        );
        // As deep as the depth limit, the validator copes.
        let mut deep = json!({"name": "leaf"});
        for _ in 0..(MAX_INSTANCE_DEPTH / 2 - 2) {
            deep = json!({"children": [deep]});
        }
        assert!(body_findings(&d, deep).is_empty());
    }

    #[test]
    fn findings_are_capped_per_part_sorted_and_unique() {
        let d = body_doc(
            json!({"type": "object", "properties": {}, "additionalProperties": false}),
            json!({}),
        );
        let many: Map<String, Value> = (0..50).map(|i| (format!("m{i:02}"), json!(i))).collect();
        let f = check(
            &d,
            json!({"parameters": {"id": "1", "thing": many.clone(), "x": 1}, "responses": {"200": {"body": many}}}),
        );
        let request = f.iter().filter(|f| f.part == Part::Request).count();
        let response = f
            .iter()
            .filter(|f| f.part == Part::Response("200".into()))
            .count();
        assert_eq!(
            (request, response),
            (MAX_FINDINGS_PER_PART, MAX_FINDINGS_PER_PART)
        );
        let mut sorted = f.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(f, sorted);
    }

    #[test]
    fn never_panics_on_odd_examples() {
        let d = animals();
        let c = OperationCheck::new(&d, "/things/{id}", "post").unwrap();
        for example in [
            json!(null),
            json!([1, 2]),
            json!({"parameters": [], "responses": 3}),
            json!({"parameters": {"id": {"x": 1}, "thing": "text"}, "responses": {"200": 5, "x": {"body": 1}}}),
            json!({"parameters": {"thing": {"pets": [{"kind": 5}, {"kind": null}, 7]}}}),
        ] {
            let _ = c.check(&example);
        }
        assert_eq!(
            messages(&c.check(&json!("x"))),
            [" the example is not an object"]
        );
        // Deeper than any parser produces: reported, not validated, and
        // walked without recursion.
        // (Built by hand: `json!` would serialize `deep`, recursively.)
        let mut deep = json!(1);
        for _ in 0..5000 {
            deep = Value::Array(vec![deep]);
        }
        let mut parameters = Map::new();
        parameters.insert("id".into(), json!("1"));
        parameters.insert("thing".into(), deep);
        let mut example = Map::new();
        example.insert("parameters".into(), Value::Object(parameters));
        let example = Value::Object(example);
        let f = c.check(&example);
        assert!(
            f.iter().any(|f| f.message.contains("nested deeper")),
            "{f:?}"
        );
        // Take the value apart iteratively: dropping it whole would recurse.
        let mut rest = example;
        let mut stack = vec![];
        loop {
            match rest {
                Value::Array(mut a) => match a.pop() {
                    Some(v) => rest = v,
                    None => break,
                },
                Value::Object(m) => {
                    stack.extend(m.into_iter().map(|(_, v)| v));
                    match stack.pop() {
                        Some(v) => rest = v,
                        None => break,
                    }
                }
                _ => match stack.pop() {
                    Some(v) => rest = v,
                    None => break,
                },
            }
        }
    }

    #[test]
    fn bad_patterns_are_dropped_and_ecma_hyphens_kept() {
        let d = body_doc(
            json!({"type": "object", "properties": {
                "bad": {"type": "string", "pattern": "^[a-z"},
                "ecma": {"type": "string", "pattern": "^[\\w-\\.]+$"}
            }}),
            json!({}),
        );
        assert!(body_findings(&d, json!({"bad": "ANY", "ecma": "a-b.c"})).is_empty());
        assert_eq!(
            body_findings(&d, json!({"ecma": "a b"})),
            [r#"/responses/200/body/ecma "a b" does not match "^[\w\-\.]+$""#]
        );
    }

    #[test]
    fn form_fields_are_parameters() {
        let d = doc(
            json!({"requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {
                "type": "object", "required": ["grant"],
                "properties": {"grant": {"type": "string", "enum": ["code"]}, "count": {"type": "integer"}}
            }}}}}),
            json!({}),
        );
        assert!(
            check(
                &d,
                json!({"parameters": {"id": "1", "grant": "code", "count": "3"}})
            )
            .is_empty()
        );
        assert_eq!(
            messages(&check(
                &d,
                json!({"parameters": {"id": "1", "count": "x", "body": {}}})
            )),
            [
                r#"/parameters required parameter "grant" is missing"#,
                r#"/parameters/body undocumented parameter "body""#,
                r#"/parameters/count "x" is not of type "integer""#
            ]
        );
    }

    #[test]
    fn null_optional_parameters_are_absent() {
        let d = doc(
            json!({"parameters": [
                {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "filter", "in": "query", "schema": {"type": "string"}}
            ]}),
            json!({}),
        );
        assert!(check(&d, json!({"parameters": {"id": "1", "filter": null}})).is_empty());
        assert_eq!(
            messages(&check(&d, json!({"parameters": {"id": null}}))),
            [r#"/parameters/id null is not of type "string""#]
        );
    }

    #[test]
    fn members_make_an_object() {
        // No `type`, but members: an array or a string is no such object.
        let d = body_doc(
            json!({"$ref": "#/components/schemas/Region"}),
            json!({"Region": {"properties": {"region": {"type": "string"}}, "required": ["region"]}}),
        );
        assert!(body_findings(&d, json!({"region": "north"})).is_empty());
        assert_eq!(
            body_findings(&d, json!([{"region": "north"}])),
            [r#"/responses/200/body [{"region":"north"}] is not of type "object""#]
        );
    }

    #[test]
    fn allof_of_one_ref_is_the_ref_itself() {
        let d = animals();
        let d = body_doc(
            json!({"type": "object", "properties": {"pet": {"allOf": [{"$ref": "#/components/schemas/Animal"}], "description": "a pet"}}}),
            serde_json::to_value(d.components.map(|c| c.schemas).unwrap_or_default()).unwrap(),
        );
        // The dispatch applies: a Dog's members are documented, a Cat's are not.
        assert!(body_findings(&d, json!({"pet": {"kind": "dog", "barks": true}})).is_empty());
        assert_eq!(
            body_findings(
                &d,
                json!({"pet": {"kind": "dog", "barks": true, "lives": 9}})
            ),
            [r#"/responses/200/body/pet/lives undocumented member "lives""#]
        );
    }

    #[test]
    fn file_bodies_are_not_validated() {
        let d = doc(
            json!({"responses": {"200": {"description": "file", "content": {"application/json": {"schema": {"type": "object", "format": "file"}}}}}}),
            json!({}),
        );
        let f = check(
            &d,
            json!({"parameters": {"id": "1"}, "responses": {"200": {"body": "a byte stream"}}}),
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn long_messages_are_shortened() {
        let d = body_doc(json!({"type": "object"}), json!({}));
        let long: Vec<Value> = (0..200).map(|i| json!({"n": i})).collect();
        let f = body_findings(&d, Value::Array(long));
        assert_eq!(f.len(), 1);
        assert!(
            f[0].len() < 300 && f[0].ends_with(r#"is not of type "object""#),
            "{f:?}"
        );
    }

    #[test]
    fn odd_documents_compile() {
        // allOf cycles, dangling references, references into a component.
        let d = body_doc(
            json!({"type": "object", "properties": {
                "a": {"$ref": "#/components/schemas/A"},
                "gone": {"$ref": "#/components/schemas/Missing"},
                "deep": {"$ref": "#/components/schemas/B/properties/x"}
            }}),
            json!({
                "A": {"allOf": [{"$ref": "#/components/schemas/B"}], "properties": {"a": {"type": "string"}}},
                "B": {"allOf": [{"$ref": "#/components/schemas/A"}], "properties": {"x": {"type": "integer"}}}
            }),
        );
        assert!(
            body_findings(&d, json!({"a": {"a": "s", "x": 1}, "gone": [1], "deep": 2})).is_empty()
        );
        assert_eq!(
            body_findings(&d, json!({"a": {"y": 1}, "deep": "two"})),
            [
                r#"/responses/200/body/a/y undocumented member "y""#,
                r#"/responses/200/body/deep "two" is not of type "integer""#
            ]
        );
    }

    #[test]
    fn checks_can_be_shared_across_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<OperationCheck>();
    }

    #[test]
    fn format_checkers() {
        assert!(
            is_date_time("2021-01-01T00:00:00Z")
                && is_date_time("2021-01-01T00:00:00.123456789-08:00")
        );
        assert!(
            !is_date_time("2021-13-01T00:00:00Z")
                && !is_date_time("2021-01-01T24:00:00Z")
                && !is_date_time("2021-01-01T00:00:00.")
        );
        assert!(
            is_rfc1123("Mon, 01 Feb 2021 10:00:00 GMT")
                && !is_rfc1123("Mon, 30 Feb 2021 10:00:00 GMT")
        );
        assert!(
            is_base64("")
                && is_base64("QQ==")
                && is_base64("QQ")
                && !is_base64("Q")
                && !is_base64("QQ=")
        );
        assert!(
            is_uuid("00000000-0000-0000-0000-000000000000")
                && !is_uuid("00000000000000000000000000000000")
        );
    }
}
