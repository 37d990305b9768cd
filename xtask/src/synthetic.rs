//! Synthetic specs for scaling benchmarks: an OpenAPI 3.0 document of any
//! number of operations, with schemas in proportion (one per two
//! operations), shaped like the Model Management surfaces: resources
//! under a scope, lists that page, creations that take a body, enums,
//! nested objects, arrays, and references between schemas.
//!
//! Deterministic: the same `operations` and `seed` always give the same
//! bytes, so runs compare.

use serde_json::{Map, Value, json};

/// A small linear congruential generator: enough to vary shapes, with no
/// dependency and the same sequence everywhere.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The document, as JSON text.
pub fn spec(operations: usize, seed: u64) -> String {
    let mut rng = Lcg(seed ^ 0x9E37_79B9_7F4A_7C15);
    let schema_count = (operations / 2).max(1);
    let mut schemas = Map::new();
    for i in 0..schema_count {
        let mut properties = Map::new();
        properties.insert("id".into(), json!({"type": "string", "readOnly": true}));
        properties.insert("name".into(), json!({"type": "string", "maxLength": 64}));
        let fields = 3 + rng.below(6);
        for f in 0..fields {
            let property = match rng.below(7) {
                0 => json!({"type": "integer", "format": "int32"}),
                1 => json!({"type": "boolean"}),
                2 => json!({"type": "string", "format": "date-time"}),
                3 => json!({"type": "string", "enum": ["Alpha", "Beta", "Gamma"]}),
                4 => json!({"type": "array", "items": {"type": "string"}}),
                5 if i > 0 => {
                    let target = rng.below(i as u64);
                    json!({"$ref": format!("#/components/schemas/Resource{target}")})
                }
                _ => json!({"type": "object", "additionalProperties": {"type": "string"}}),
            };
            properties.insert(format!("field{f}"), property);
        }
        schemas.insert(
            format!("Resource{i}"),
            json!({
                "type": "object",
                "description": format!("Synthetic resource {i}."),
                "required": ["name"],
                "properties": properties,
            }),
        );
        schemas.insert(
            format!("Resource{i}List"),
            json!({
                "type": "object",
                "properties": {
                    "value": {"type": "array", "items": {"$ref": format!("#/components/schemas/Resource{i}")}},
                    "nextLink": {"type": "string"},
                },
            }),
        );
    }
    schemas.insert(
        "ErrorResponse".into(),
        json!({
            "type": "object",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }),
    );

    let mut paths = Map::new();
    let error = json!({
        "description": "Error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
    });
    let scope = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}";
    let scope_params = json!([
        {"name": "subscriptionId", "in": "path", "required": true, "schema": {"type": "string"}},
        {"name": "resourceGroupName", "in": "path", "required": true, "schema": {"type": "string"}},
    ]);
    let mut op = 0;
    let mut i = 0;
    while op < operations {
        let resource = i % schema_count;
        let body_ref = json!({"$ref": format!("#/components/schemas/Resource{resource}")});
        let one = json!({"application/json": {"schema": body_ref}});
        let collection = format!("{scope}/things{i}");
        let item = format!("{collection}/{{id}}");
        let mut collection_ops = Map::new();
        let mut item_ops = Map::new();
        // Four kinds in turn: list, create, get, delete.
        for kind in 0..4 {
            if op == operations {
                break;
            }
            let id = format!("Things{i}_{}", ["List", "Create", "Get", "Delete"][kind]);
            match kind {
                0 => {
                    collection_ops.insert(
                        "get".into(),
                        json!({
                            "operationId": id,
                            "parameters": [
                                {"name": "$skipToken", "in": "query", "schema": {"type": "string"}},
                                {"name": "count", "in": "query", "schema": {"type": "integer"}},
                            ],
                            "responses": {
                                "200": {"description": "A page", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/Resource{resource}List")}}}},
                                "default": error,
                            },
                            "x-ms-pageable": {"nextLinkName": "nextLink"},
                        }),
                    );
                }
                1 => {
                    collection_ops.insert(
                        "post".into(),
                        json!({
                            "operationId": id,
                            "requestBody": {"required": true, "content": one},
                            "responses": {
                                "200": {"description": "Created", "content": one},
                                "default": error,
                            },
                        }),
                    );
                }
                2 => {
                    item_ops.insert(
                        "get".into(),
                        json!({
                            "operationId": id,
                            "responses": {
                                "200": {"description": "The resource", "content": one},
                                "404": {"description": "Not found"},
                                "default": error,
                            },
                        }),
                    );
                }
                _ => {
                    item_ops.insert(
                        "delete".into(),
                        json!({
                            "operationId": id,
                            "responses": {
                                "200": {"description": "Deleted"},
                                "204": {"description": "Nothing to delete"},
                                "default": error,
                            },
                        }),
                    );
                }
            }
            op += 1;
        }
        collection_ops.insert("parameters".into(), scope_params.clone());
        paths.insert(collection, Value::Object(collection_ops));
        if !item_ops.is_empty() {
            let mut params = scope_params.as_array().cloned().unwrap_or_default();
            params.push(
                json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}),
            );
            item_ops.insert("parameters".into(), Value::Array(params));
            paths.insert(item, Value::Object(item_ops));
        }
        i += 1;
    }
    let document = json!({
        "openapi": "3.0.3",
        "info": {"title": "Synthetic", "version": "2026-01-01", "description": format!("{operations} operations")},
        "servers": [{"url": "https://example.invalid"}],
        "paths": paths,
        "components": {"schemas": schemas},
    });
    serde_json::to_string_pretty(&document).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_and_the_operations_asked_for() {
        let a = spec(101, 7);
        assert_eq!(a, spec(101, 7));
        assert_ne!(a, spec(101, 8));
        let doc: Value = serde_json::from_str(&a).unwrap_or_else(|e| panic!("{e}"));
        let ops: usize = doc["paths"]
            .as_object()
            .map(|p| {
                p.values()
                    .flat_map(|item| item.as_object().into_iter().flat_map(|o| o.keys()))
                    .filter(|k| *k != "parameters")
                    .count()
            })
            .unwrap_or_default();
        assert_eq!(ops, 101);
    }
}
