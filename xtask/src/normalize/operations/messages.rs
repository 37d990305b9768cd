//! What an operation sends and gets back: its request body, its success
//! responses (status, type, media type, headers) and the one type its
//! declared errors share.

use openapiv3::{ReferenceOr, StatusCode};
use serde_json::Value;

use super::super::schema_view::{SchemaRef, View};
use super::super::types::{TypeBuilder, UNTYPED_BODY};
use crate::diagnostic::Diagnostic;
use crate::ir::{Body, Method, Primitive, Response, ResponseHeader, TypeRef};
use crate::load::{Spec, pointer_push};
use crate::naming::{Namespace, type_name, value_name};

/// Where an operation is, for its messages' diagnostics and type names.
pub(super) struct MessagesContext<'a> {
    pub spec: &'a Spec,
    pub op: &'a openapiv3::Operation,
    pub op_pointer: &'a str,
    pub operation_id: &'a str,
    pub method: Method,
}

/// An operation's success responses (never empty) and its error type.
pub(super) struct Responses {
    pub success: Vec<Response>,
    pub error: Option<TypeRef>,
}

impl MessagesContext<'_> {
    fn request_body_item(&self) -> Option<Option<&openapiv3::RequestBody>> {
        let rb = self.op.request_body.as_ref()?;
        Some(match rb {
            ReferenceOr::Item(rb) => Some(rb),
            ReferenceOr::Reference { reference } => reference
                .strip_prefix("#/components/requestBodies/")
                .and_then(|n| {
                    self.spec
                        .document
                        .components
                        .as_ref()?
                        .request_bodies
                        .get(n)
                })
                .and_then(ReferenceOr::as_item),
        })
    }

    pub fn request_body(
        &self,
        types: &mut TypeBuilder<'_>,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<Body> {
        let rb_pointer = pointer_push(self.op_pointer, "requestBody");
        let Some(rb) = self.request_body_item()? else {
            errors.push(Diagnostic::new(
                self.spec.locate(&rb_pointer),
                "request body `$ref` does not resolve",
            ));
            return None;
        };
        let (media_type, media) = pick_media(&rb.content);
        let ty = match media.and_then(|m| m.schema.as_ref()) {
            Some(s) if is_json(&media_type) => {
                let pointer = pointer_push(
                    &pointer_push(&pointer_push(&rb_pointer, "content"), &media_type),
                    "schema",
                );
                types.type_for(
                    SchemaRef::from(s),
                    &format!("{}Body", type_name(self.operation_id)),
                    &pointer,
                )
            }
            _ if is_json(&media_type) => types.untyped(UNTYPED_BODY, &rb_pointer),
            _ => TypeRef::Primitive(Primitive::Bytes),
        };
        Some(Body {
            media_type,
            ty,
            required: rb.required,
            doc: rb.description.clone(),
        })
    }

    /// The name examples give the request body under: Swagger's body
    /// parameter name, kept by the loader as `x-ms-requestBody-name`, else
    /// `body`.
    pub fn body_name(&self) -> String {
        self.request_body_item()
            .flatten()
            .and_then(|rb| rb.extensions.get("x-ms-requestBody-name"))
            .and_then(Value::as_str)
            .unwrap_or("body")
            .to_string()
    }

    pub fn responses(
        &self,
        types: &mut TypeBuilder<'_>,
        errors: &mut Vec<Diagnostic>,
    ) -> Responses {
        let op = self.op;
        let mut success = Vec::new();
        let mut error = None;
        let responses_pointer = pointer_push(self.op_pointer, "responses");
        let mut entries: Vec<(String, &ReferenceOr<openapiv3::Response>)> = op
            .responses
            .responses
            .iter()
            .map(|(c, r)| (c.to_string(), r))
            .collect();
        if let Some(d) = &op.responses.default {
            entries.push(("default".to_string(), d));
        }
        for (code, r) in entries {
            let r_pointer = pointer_push(&responses_pointer, &code);
            let r = match r {
                ReferenceOr::Item(r) => r,
                ReferenceOr::Reference { reference } => match reference
                    .strip_prefix("#/components/responses/")
                    .and_then(|n| self.spec.document.components.as_ref()?.responses.get(n))
                    .and_then(ReferenceOr::as_item)
                {
                    Some(r) => r,
                    None => {
                        errors.push(Diagnostic::new(
                            self.spec.locate(&r_pointer),
                            "response `$ref` does not resolve",
                        ));
                        continue;
                    }
                },
            };
            let (media_type, media) = pick_media(&r.content);
            let ty = media.and_then(|m| m.schema.as_ref()).map(|s| {
                let pointer = pointer_push(
                    &pointer_push(&pointer_push(&r_pointer, "content"), &media_type),
                    "schema",
                );
                if is_json(&media_type) {
                    types.type_for(
                        SchemaRef::from(s),
                        &format!("{}Response", type_name(self.operation_id)),
                        &pointer,
                    )
                } else {
                    TypeRef::Primitive(Primitive::Bytes)
                }
            });
            let status = match code.as_str() {
                "default" => None,
                _ => match op
                    .responses
                    .responses
                    .keys()
                    .find(|k| k.to_string() == code)
                {
                    Some(StatusCode::Code(c)) => Some(*c),
                    Some(StatusCode::Range(r)) => Some(r * 100),
                    None => None,
                },
            };
            // A HEAD's documented 404 is an answer, not an error: the
            // existence check's `false`.
            let absent = self.method == Method::Head && status == Some(404);
            match status {
                Some(s) if (100..400).contains(&s) || absent => {
                    let mut header_names = Namespace::new();
                    let headers = r
                        .headers
                        .iter()
                        .map(|(name, h)| ResponseHeader {
                            wire_name: name.clone(),
                            rust_name: header_names.claim(value_name(name)),
                            doc: h.as_item().and_then(|h| h.description.clone()),
                        })
                        .collect();
                    success.push(Response {
                        status: s,
                        variant: None,
                        doc: Some(r.description.clone()),
                        media_type: ty.as_ref().map(|_| media_type.clone()),
                        ty,
                        headers,
                    });
                }
                // Declared errors (default, 4xx, 5xx) share one error type.
                _ => {
                    if error.is_none() {
                        error = ty;
                    }
                }
            }
        }
        if success.is_empty() {
            // An operation with only `default` documented: any 2xx succeeds.
            success.push(Response {
                status: 200,
                variant: None,
                doc: None,
                ty: None,
                media_type: None,
                headers: Vec::new(),
            });
        }
        Responses { success, error }
    }
}

fn is_json(media_type: &str) -> bool {
    crate::ir::is_json_media(media_type)
}

/// The media type to use: JSON first, else the first declared. A binary
/// schema (`format: binary`, Swagger's `type: file`) is not JSON whatever
/// media types are listed: then the first that is not JSON, else
/// `application/octet-stream`.
fn pick_media(
    content: &indexmap::IndexMap<String, openapiv3::MediaType>,
) -> (String, Option<&openapiv3::MediaType>) {
    let picked = content
        .iter()
        .find(|(m, _)| is_json(m))
        .or_else(|| content.iter().next())
        .map(|(m, v)| (m.clone(), Some(v)))
        .unwrap_or_else(|| ("application/json".to_string(), None));
    let binary = picked
        .1
        .and_then(|m| m.schema.as_ref())
        .and_then(ReferenceOr::as_item)
        .is_some_and(|s| {
            let view = View::of(s);
            view.typ == Some("string") && view.format.as_deref() == Some("binary")
        });
    if binary && is_json(&picked.0) {
        let other = content.iter().find(|(m, _)| !is_json(m));
        return match other {
            Some((m, v)) => (m.clone(), Some(v)),
            None => ("application/octet-stream".to_string(), picked.1),
        };
    }
    picked
}
