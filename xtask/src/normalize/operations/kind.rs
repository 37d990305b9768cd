//! An operation's kind: plain, pageable (`x-ms-pageable`) or long-running
//! (`x-ms-long-running-operation`, or a rule of the surface's).

use serde_json::Value;

use super::super::rules::SurfaceRules;
use super::super::schema_view::SchemaRef;
use super::super::types::TypeBuilder;
use crate::diagnostic::Diagnostic;
use crate::ir::{
    FinalState, LongRunning, LroHandle, Method, OperationKind, Paging, PathSegment, Response,
    TypeKind, TypeRef,
};
use crate::load::{Spec, pointer_push};

#[allow(clippy::too_many_arguments)]
pub(super) fn operation_kind(
    spec: &Spec,
    rules: &SurfaceRules,
    op: &openapiv3::Operation,
    op_pointer: &str,
    operation_id: &str,
    responses: &[Response],
    template: &[PathSegment],
    method: Method,
    types: &mut TypeBuilder<'_>,
    errors: &mut Vec<Diagnostic>,
) -> OperationKind {
    if let Some(pageable) = op.extensions.get("x-ms-pageable") {
        let item_field = pageable
            .get("itemName")
            .and_then(Value::as_str)
            .unwrap_or("value")
            .to_string();
        let next_link_field = match pageable.get("nextLinkName") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) => None,
            _ => Some("nextLink".to_string()),
        };
        let page = responses
            .iter()
            .find(|r| r.status / 100 == 2)
            .and_then(|r| r.ty.clone());
        let item = page.as_ref().and_then(|p| page_item(types, p, &item_field));
        match (page, item) {
            (Some(page), Some(item)) => {
                return OperationKind::Pageable(Paging {
                    page,
                    item,
                    item_field,
                    next_link_field,
                });
            }
            _ => errors.push(Diagnostic::new(
                spec.locate(&pointer_push(op_pointer, "x-ms-pageable")),
                format!(
                    "pageable operation: its success response has no array field `{item_field}`"
                ),
            )),
        }
    }
    let lro = op
        .extensions
        .get("x-ms-long-running-operation")
        .and_then(Value::as_bool)
        == Some(true);
    if !lro {
        return OperationKind::Plain;
    }
    let at = spec.locate(op_pointer);
    if let Some((i, rule)) = rules
        .long_running
        .iter()
        .enumerate()
        .find(|(_, (id, _))| id.as_str() == operation_id)
        .map(|(i, (_, r))| (i, r))
    {
        types.uses.mark("long_running", i);
        let status = types.type_for(
            SchemaRef::Ref(&format!("#/components/schemas/{}", rule.status)),
            "Status",
            op_pointer,
        );
        let result = rule.result.as_ref().map(|r| {
            types.type_for(
                SchemaRef::Ref(&format!("#/components/schemas/{r}")),
                "Result",
                op_pointer,
            )
        });
        let handle = match rule.handle.as_str() {
            "header" => LroHandle::Header(rule.header.clone()),
            "operation-id" => {
                // `operations/{id}` beside the scope's other collections.
                let mut path = template[..operations_base(template)].to_vec();
                match path.last_mut() {
                    Some(PathSegment::Literal(l)) => l.push_str("/operations/"),
                    _ => path.push(PathSegment::Literal("/operations/".into())),
                }
                path.push(PathSegment::Param("operationId".into()));
                LroHandle::OperationId {
                    header: rule.header.clone(),
                    path,
                }
            }
            other => {
                errors.push(Diagnostic::new(at, format!("long_running rule `{operation_id}`: unknown handle `{other}` (header or operation-id)")));
                return OperationKind::Plain;
            }
        };
        return OperationKind::LongRunning(LongRunning {
            handle,
            status,
            result,
            result_optional: false,
        });
    }
    // Azure's rules; the result is the operation's own success model.
    let via = op
        .extensions
        .get("x-ms-long-running-operation-options")
        .and_then(|o| o.get("final-state-via"))
        .and_then(Value::as_str);
    // Unsaid, the method decides, in the runtime (`FinalState`'s docs).
    let final_state = match via.map(str::to_ascii_lowercase).as_deref() {
        Some("original-uri") => Some(FinalState::OriginalUri),
        Some("location") => Some(FinalState::Location),
        Some("azure-async-operation") => Some(FinalState::AzureAsyncOperation),
        Some("operation-location") => Some(FinalState::OperationLocation),
        _ => None,
    };
    // The result: the body of 200, else of any other success.
    let result = responses
        .iter()
        .find(|r| r.status == 200 && r.ty.is_some())
        .or_else(|| responses.iter().find(|r| r.ty.is_some()))
        .and_then(|r| r.ty.clone());
    // A documented end without a body (a DELETE's 204) makes it optional;
    // so does a DELETE polled to its end, which reads nothing back unless
    // `final-state-via` says where (it has a body only when answered at
    // once).
    let result_optional = result.is_some()
        && (responses
            .iter()
            .any(|r| r.status != 202 && (200..300).contains(&r.status) && r.ty.is_none())
            || (method == Method::Delete && final_state.is_none()));
    OperationKind::LongRunning(LongRunning {
        handle: LroHandle::Azure(final_state),
        status: TypeRef::Any,
        result,
        result_optional,
    })
}

/// Where `operations/{id}` attaches: after the last path parameter that
/// precedes the operation's own collection (`.../hostingAccounts/{name}`).
fn operations_base(template: &[PathSegment]) -> usize {
    // The template ends with `/<collection>` or `/<collection>/{id}`; the
    // scope ends at the parameter before the collection literal.
    let mut last_param_before_tail = 0;
    let params: Vec<usize> = template
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s, PathSegment::Param(_)))
        .map(|(i, _)| i)
        .collect();
    for (n, i) in params.iter().enumerate() {
        let is_trailing_id = n + 1 == params.len() && *i + 1 == template.len();
        if !is_trailing_id {
            last_param_before_tail = i + 1;
        }
    }
    last_param_before_tail
}

fn page_item(types: &TypeBuilder<'_>, page: &TypeRef, item_field: &str) -> Option<TypeRef> {
    match page {
        TypeRef::Page(item) if item_field == "value" => Some((**item).clone()),
        TypeRef::Named { .. } => match &types.def_of(page)?.kind {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .find(|f| f.wire_name == item_field)
                .and_then(|f| match &f.ty {
                    TypeRef::Vec(item) => Some((**item).clone()),
                    _ => None,
                }),
            TypeKind::Alias(inner) => page_item(types, inner, item_field),
            _ => None,
        },
        _ => None,
    }
}
