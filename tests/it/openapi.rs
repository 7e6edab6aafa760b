//! The OpenAPI document is what generators (schemathesis in CI, client generators)
//! read: every operation documents the error answers its shape implies, each with the
//! shared error body, and declares no path parameter its path does not contain.
//! The document does not depend on the database, so it is read from the router.

use serde_json::Value;

fn document() -> Value {
    let (_, doc) = congdoan_web::api::api();
    serde_json::to_value(&doc).expect("the document serialises")
}

/// The statuses an operation must document, from its shape.
fn required(path: &str, method: &str, op: &Value) -> Vec<&'static str> {
    let params = op["parameters"].as_array().cloned().unwrap_or_default();
    let has_path = params.iter().any(|p| p["in"] == "path");
    let has_query = params.iter().any(|p| p["in"] == "query");
    let body = &op["requestBody"];
    let has_body = !body.is_null();
    // A public operation (no `security`, e.g. certificate verification) asks no token.
    let mut need = if op["security"].is_null() {
        vec![]
    } else {
        vec!["401"]
    };
    if has_path || has_query || has_body {
        need.push("400");
    }
    if has_path || has_query || (has_body && method != "get") {
        // An id read (in the path, a query filter or the body) that may be outside
        // the scope answers 404.
        if path != "/api/v1/tokens" {
            need.push("404");
        }
    }
    if has_query || has_body {
        need.push("422");
    }
    if has_body && path != "/api/v1/tokens" {
        // The caller is authorised before the body is read.
        need.push("403");
    }
    if body["content"].get("multipart/form-data").is_some() {
        need.push("413");
    }
    let body_schema = body["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .unwrap_or_default();
    if body_schema.ends_with("/VersionBody")
        || body_schema.ends_with("/PlanEdit")
        || (method == "put")
    {
        // The version read is sent: a stale one is a conflict.
        need.push("409");
    }
    need
}

#[test]
fn every_operation_documents_its_error_answers() {
    let doc = document();
    let error_ref = "#/components/schemas/ErrorBody";
    let components = &doc["components"]["responses"];
    let mut missing = vec![];
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let responses = op["responses"].as_object().unwrap();
            for status in required(path, method, op) {
                let Some(r) = responses.get(status) else {
                    missing.push(format!("{method} {path}: no {status}"));
                    continue;
                };
                // Either inline or a reference to a shared response: its body is the
                // shared error schema.
                let resolved = match r["$ref"].as_str() {
                    Some(name) => &components[name.trim_start_matches("#/components/responses/")],
                    None => r,
                };
                let schema = &resolved["content"]["application/json"]["schema"]["$ref"];
                if schema != error_ref {
                    missing.push(format!(
                        "{method} {path}: {status} does not answer ErrorBody ({resolved})"
                    ));
                }
            }
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                if p["in"] == "path" && !path.contains(&format!("{{{name}}}")) {
                    missing.push(format!(
                        "{method} {path}: path parameter {name} is not in the path"
                    ));
                }
            }
            for name in path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            {
                let declared = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["in"] == "path" && p["name"] == name);
                if !declared {
                    missing.push(format!("{method} {path}: {{{name}}} is not declared"));
                }
            }
        }
    }
    assert!(operations > 40, "{operations} operations");
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    // The shared body names its parts, fields included.
    let body = &doc["components"]["schemas"]["ErrorBody"];
    for p in ["code", "message", "message_en", "fields"] {
        assert!(body["properties"].get(p).is_some(), "{body}");
    }
}

#[test]
fn the_check_fails_on_an_operation_without_its_errors() {
    // The rules above are not vacuous: a write with a body and an id, documenting
    // only success, misses every error status.
    let op = serde_json::json!({
        "parameters": [{"name": "id", "in": "path"}],
        "security": [{"bearer": []}],
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/VersionBody"}}}},
        "responses": {"200": {}}
    });
    let need = required("/api/v1/plans/{id}/apply", "post", &op);
    assert_eq!(need, ["401", "400", "404", "422", "403", "409"]);
}
