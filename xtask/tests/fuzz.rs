//! Property-based fuzzing of load → normalize → emit on stable Rust: specs
//! built from random but structured pieces (tricky names, nested and
//! recursive schemas, dangling and cyclic `$ref`s, discriminators, odd
//! paths and parameters, pageable and long-running operations, examples of
//! any shape, both formats). Whatever comes in, the generator must not panic; it either
//! refuses with an error naming the file, or emits Rust that parses.
//!
//! CI runs a bounded number of cases (`PROPTEST_CASES`, default 48); a
//! longer local run is `PROPTEST_CASES=20000 cargo test -p xtask --test fuzz`.
//! A crash found here becomes a case in `tests/bad-specs/`.

// Tests fail by panicking, helpers included.
#![allow(clippy::panic)]

use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Names that have broken generators before, plus random ones.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "a", "type", "Self", "self", "crate", "super", "_", "2fa", "名前", "größe", "x-y", "x.y", "ID", "id",
            "Id", "", " ", "$ref", "a/b", "~", "%20", "None", "Option", "Result", "Vec", "value", "nextLink",
            "Page", "models", "runtime", "r#type", "🙂", "A B", "a_b", "AB", "__", "9", "default", "Error",
        ])
        .prop_map(str::to_string),
        2 => "[a-zA-Z][a-zA-Z0-9_-]{0,10}",
        1 => "\\PC{0,6}",
    ]
}

fn leaf_schema(defs: Vec<String>) -> impl Strategy<Value = Value> {
    let refs = if defs.is_empty() {
        vec!["Missing".to_string()]
    } else {
        defs
    };
    prop_oneof![
        Just(json!({"type": "string"})),
        Just(json!({"type": "string", "format": "date-time"})),
        Just(json!({"type": "string", "format": "byte"})),
        Just(json!({"type": "string", "x-ms-secret": true})),
        Just(json!({"type": "integer", "format": "int32", "minimum": 0, "maximum": 100})),
        Just(json!({"type": "integer", "maximum": 1e300})),
        Just(json!({"type": "number"})),
        Just(json!({"type": "boolean"})),
        Just(json!({"type": "object"})),
        Just(json!({})),
        Just(json!({"type": "integer", "enum": ["Primary", "Secondary"]})),
        prop::collection::vec(name(), 1..5)
            .prop_map(|v| json!({"type": "string", "enum": v, "x-ms-enum": {"name": "E", "modelAsString": true}})),
        prop::sample::select(refs.clone()).prop_map(|r| json!({"$ref": format!("#/definitions/{}", escape(&r))})),
        prop::sample::select(refs).prop_map(|r| json!({"allOf": [{"$ref": format!("#/definitions/{}", escape(&r))}]})),
        Just(json!({"$ref": "#/definitions/Missing"})),
        Just(json!({"oneOf": [{"type": "string"}, {"type": "integer"}]})),
        Just(json!({"type": "wat"})),
    ]
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn schema(defs: Vec<String>) -> impl Strategy<Value = Value> {
    leaf_schema(defs).prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner
                .clone()
                .prop_map(|s| json!({"type": "array", "items": s})),
            inner
                .clone()
                .prop_map(|s| json!({"type": "object", "additionalProperties": s})),
            (
                prop::collection::vec((name(), inner.clone()), 0..4),
                any::<u8>(),
                name()
            )
                .prop_map(|(props, pick, stray)| {
                    // Mostly fields that exist; now and then one that does not.
                    let mut required: Vec<String> = props
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| pick & (1 << i) != 0)
                        .map(|(_, (n, _))| n.clone())
                        .collect();
                    if pick & 0x80 != 0 && pick & 0x40 != 0 {
                        required.push(stray);
                    }
                    let properties: Map<String, Value> = props.into_iter().collect();
                    json!({"type": "object", "properties": properties, "required": required})
                }),
            (inner.clone(), inner).prop_map(
                |(a, b)| json!({"allOf": [a, {"type": "object", "properties": {"extra": b}}]})
            ),
        ]
    })
}

fn definitions() -> impl Strategy<Value = (Vec<String>, Map<String, Value>)> {
    prop::collection::vec(name(), 0..6).prop_flat_map(|names| {
        let schemas = prop::collection::vec(schema(names.clone()), names.len());
        (Just(names), schemas, any::<bool>()).prop_map(|(names, schemas, polymorphic)| {
            let mut defs = Map::new();
            for (n, s) in names.iter().zip(schemas) {
                defs.insert(n.clone(), s);
            }
            // Sometimes a discriminated hierarchy over the first names.
            if polymorphic && names.len() >= 2 {
                defs.insert(
                    names[0].clone(),
                    json!({"type": "object", "discriminator": "kind", "required": ["kind"],
                           "properties": {"kind": {"type": "string"}}}),
                );
                for child in &names[1..] {
                    defs.insert(
                        child.clone(),
                        json!({"allOf": [{"$ref": format!("#/definitions/{}", escape(&names[0]))}],
                               "x-ms-discriminator-value": child}),
                    );
                }
            }
            (names, defs)
        })
    })
}

/// Any JSON at all, a little deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        name().prop_map(Value::from),
        Just(json!("2024-03-01T08:00:00Z")),
        Just(json!("Fri, 01 Mar 2024 09:00:00 GMT")),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((name(), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// An `x-ms-examples` entry: mostly shaped like one (values of any kind
/// for parameters that exist or not, answers with any status key and
/// body), now and then anything, or a file that is not there.
fn example() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (
            prop::collection::vec((prop::sample::select(vec!["id", "name", "api-version", "filter", "body", "stray"]), any_json()), 0..5),
            prop::collection::vec((prop::sample::select(vec!["200", "201", "202", "204", "404", "default", "2XX", "x"]), any_json(), any_json()), 0..4),
        )
            .prop_map(|(params, answers)| {
                let parameters: Map<String, Value> =
                    params.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
                let responses: Map<String, Value> = answers
                    .into_iter()
                    .map(|(k, headers, body)| (k.to_string(), json!({"headers": headers, "body": body})))
                    .collect();
                json!({"parameters": parameters, "responses": responses})
            }),
        1 => any_json(),
        1 => Just(json!({"$ref": "./examples/missing.json"})),
        1 => Just(json!({"$ref": "../../outside.json"})),
    ]
}

fn operation(defs: Vec<String>) -> impl Strategy<Value = (String, String, Value)> {
    let path = prop::collection::vec(
        prop_oneof![
            name().prop_map(|n| n.replace(['{', '}', '/'], "")),
            Just("{id}".to_string()),
            Just("{name}".to_string())
        ],
        1..4,
    )
    .prop_map(|segments| format!("/{}", segments.join("/")));
    let method = prop::sample::select(vec![
        "get", "put", "post", "patch", "delete", "head", "options",
    ]);
    let response_codes = prop::collection::btree_set(
        prop::sample::select(vec!["200", "201", "202", "204", "400", "default"]),
        1..4,
    );
    let examples = prop::collection::vec((name(), example()), 0..3);
    (path, method, name(), name(), response_codes, schema(defs.clone()), schema(defs), any::<u8>(), examples).prop_map(
        |(path, method, group, verb, codes, body, answer, flags, examples)| {
            let mut params = Vec::new();
            for p in ["id", "name"] {
                // Now and then a path parameter is left undefined.
                if path.contains(&format!("{{{p}}}")) && flags & 0x81 != 0x81 {
                    params.push(json!({"name": p, "in": "path", "required": true, "type": "string"}));
                }
            }
            if flags & 2 != 0 {
                params.push(json!({"name": "api-version", "in": "query", "required": true, "type": "string"}));
            }
            if flags & 4 != 0 {
                params.push(json!({"name": "filter", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "multi"}));
            }
            if flags & 8 != 0 {
                params.push(json!({"name": "body", "in": "body", "required": flags & 16 != 0, "schema": body}));
            }
            let responses: Map<String, Value> = codes
                .into_iter()
                .map(|c| (c.to_string(), json!({"description": "r", "schema": answer.clone()})))
                .collect();
            let mut op = json!({"operationId": format!("{group}_{verb}"), "parameters": params, "responses": responses});
            if flags & 32 != 0 {
                op["x-ms-pageable"] = json!({"nextLinkName": "nextLink"});
            }
            if flags & 64 != 0 {
                op["x-ms-long-running-operation"] = json!(true);
            }
            if !examples.is_empty() {
                op["x-ms-examples"] = Value::Object(examples.into_iter().collect());
            }
            (path, method.to_string(), op)
        },
    )
}

fn spec() -> impl Strategy<Value = Value> {
    definitions().prop_flat_map(|(names, defs)| {
        (Just(defs), prop::collection::vec(operation(names), 0..5)).prop_map(|(defs, ops)| {
            let mut paths = Map::new();
            for (path, method, op) in ops {
                let item = paths.entry(path).or_insert_with(|| json!({}));
                item[method] = op;
            }
            json!({"swagger": "2.0", "info": {"title": "fuzz", "version": "1"}, "host": "example.invalid",
                   "paths": paths, "definitions": defs})
        })
    })
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

fn check(spec: &Value, as_yaml: bool) -> Result<(), TestCaseError> {
    let dir = std::env::temp_dir().join(format!(
        "mms-fuzz-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let file = if as_yaml { "spec.yaml" } else { "spec.json" };
    let text = if as_yaml {
        serde_norway::to_string(spec).map_err(|e| TestCaseError::fail(e.to_string()))?
    } else {
        serde_json::to_string_pretty(spec).map_err(|e| TestCaseError::fail(e.to_string()))?
    };
    std::fs::write(dir.join(file), text).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let started = std::time::Instant::now();
    if std::env::var_os("FUZZ_TRACE").is_some() {
        let _ = std::fs::write(
            "/tmp/fuzz-last.json",
            serde_json::to_string_pretty(spec).unwrap_or_default(),
        );
    }
    let result = xtask::codegen::build_api(&dir, "fuzz");
    if std::env::var_os("FUZZ_TRACE").is_some() {
        eprintln!("case took {:?}", started.elapsed());
    }
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Err(errors) => {
            // Refusing is fine; every message names the file.
            for e in &errors.0 {
                prop_assert!(e.location.file == file, "error without the file: {e}");
            }
        }
        Ok(api) => {
            let files = xtask::emit::emit(&api)
                .map_err(|e| TestCaseError::fail(format!("emit failed: {e}")))?;
            for (path, text) in &files {
                if path.ends_with(".rs") {
                    prop_assert!(syn::parse_file(text).is_ok(), "{path} does not parse");
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn generator_never_panics_and_emits_parsable_rust(spec in spec(), as_yaml in any::<bool>()) {
        check(&spec, as_yaml)?;
    }
}
