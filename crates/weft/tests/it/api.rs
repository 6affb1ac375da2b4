//! The JSON API for accounts: the same use cases as the pages, structured errors.

use reqwest::Method;
use serde_json::json;

use crate::helpers::TestApp;
use crate::on_both;

const PASSWORD: &str = "correct horse battery staple";

on_both!(
    api_sign_up_log_in_and_profile,
    the_openapi_document_describes_every_routed_api_path
);

async fn api_sign_up_log_in_and_profile(app: &TestApp) {
    let c = app.client();
    let res = c
        .post_json(
            "/api/v1/signup",
            &json!({"name": "", "email": "bad", "password": "short"}),
        )
        .await;
    assert_eq!(res.status, 422);
    let errors = &res.json()["errors"];
    assert!(errors["name"][0].as_str().unwrap().contains("Enter a name"));
    assert!(errors["email"][0].is_string());
    assert!(errors["password"][0].as_str().unwrap().contains("8 characters"));
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);

    let res = c
        .post_json(
            "/api/v1/signup",
            &json!({"name": "Api", "email": "api@example.org", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 202);
    let res = c
        .post_json(
            "/api/v1/session",
            &json!({"email": "api@example.org", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 422, "not verified yet");
    let link = app.nth_email_to("api@example.org", 2).await.link("/verify/");
    c.post_form(&link, &[]).await;
    c.request_json(Method::DELETE, "/api/v1/session", None).await;
    assert_eq!(c.get("/api/v1/me").await.status, 401);
    assert_eq!(c.get("/api/v1/me").await.json()["error"], "unauthenticated");

    let res = c
        .post_json(
            "/api/v1/session",
            &json!({"email": "api@example.org", "password": "wrong password"}),
        )
        .await;
    assert_eq!(res.status, 401);
    let res = c
        .post_json(
            "/api/v1/session",
            &json!({"email": "api@example.org", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 200);
    let me = c.get("/api/v1/me").await.json();
    assert_eq!(me["email"], "api@example.org");
    assert_eq!(me["email_verified"], true);
    assert!(me.get("password_hash").is_none());

    let res = c
        .request_json(
            Method::PATCH,
            "/api/v1/me",
            Some(&json!({"username": "no spaces allowed"})),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.json()["errors"]["username"].is_array());
    let res = c
        .request_json(
            Method::PATCH,
            "/api/v1/me",
            Some(&json!({"name": "Api Renamed", "username": "api_r"})),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["username"], "api_r");
    assert_eq!(c.get("/api/v1/me").await.json()["name"], "Api Renamed");
    assert_eq!(c.get("/api/v1/nothing").await.status, 404);

    let res = c.request_json(Method::DELETE, "/api/v1/session", None).await;
    assert_eq!(res.status, 204);
    assert_eq!(c.get("/api/v1/me").await.status, 401);
}

/// The API routes as the web crate registers them: every `.route("…", get(…).post(…))` in the
/// API route tables (`api/mod.rs` and each feature's `api_routes`), read from the source.
fn routed_api_operations() -> std::collections::BTreeSet<(String, String)> {
    let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let mut tables = vec![std::fs::read_to_string(web.join("api/mod.rs")).unwrap()];
    for entry in std::fs::read_dir(&web).unwrap() {
        let module = entry.unwrap().path().join("mod.rs");
        if let Ok(text) = std::fs::read_to_string(&module)
            && let Some((_, api)) = text.split_once("pub fn api_routes")
        {
            tables.push(api.to_owned());
        }
    }
    let mut found = std::collections::BTreeSet::new();
    for table in tables {
        let mut rest = table.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + ".route(".len()..];
            let path = rest.split('"').nth(1).unwrap().to_owned();
            // The route's arguments run to the parenthesis that closes `.route(`.
            let mut depth = 1;
            let end = rest
                .char_indices()
                .find(|(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map(|(i, _)| i)
                .unwrap();
            let args = &rest[..end];
            for method in ["get", "post", "patch", "delete", "put"] {
                let mut from = 0;
                while let Some(i) = args[from..].find(&format!("{method}(")) {
                    let at = from + i;
                    let before = args[..at].chars().last().unwrap_or(' ');
                    if !before.is_alphanumeric() && before != '_' {
                        found.insert((method.to_uppercase(), path.clone()));
                    }
                    from = at + method.len();
                }
            }
            rest = &rest[end..];
        }
    }
    found
}

/// `/api/v1/openapi.json` is OpenAPI 3.1 and lists exactly the routed operations: every route in
/// the source is documented, and every documented operation answers (no 405, no "no such route").
async fn the_openapi_document_describes_every_routed_api_path(app: &TestApp) {
    let c = app.client();
    let res = c.get("/api/v1/openapi.json").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type").as_deref(), Some("application/json"));
    let doc = res.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let mut documented = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "patch", "delete", "put"].contains(&method.as_str()) {
                let path = path.strip_prefix("/api/v1").expect("under /api/v1").to_owned();
                documented.insert((method.to_uppercase(), path));
            }
        }
    }
    let routed = routed_api_operations();
    assert!(routed.len() > 60, "{routed:?}");
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty(),
        "routed but not in openapi.json: {undocumented:?}"
    );
    assert!(unrouted.is_empty(), "in openapi.json but not routed: {unrouted:?}");
    // The schemas named by operations exist.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "ThreadPageDto",
        "ThreadDto",
        "CommentDto",
        "DeadJobsDto",
        "Error",
        "ThreadBody",
    ] {
        assert!(schemas.contains_key(name), "{name} missing");
    }
    assert_eq!(
        doc["paths"]["/api/v1/threads/{key}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ThreadPageDto"
    );
    // The typed response and request shapes, as a reviewer sees them change.
    insta::assert_snapshot!(
        "api_schemas",
        serde_json::to_string_pretty(&doc["components"]["schemas"]).unwrap()
    );
    // And the server answers each one as a route (whatever the permission says).
    for (method, path) in &documented {
        let concrete: String = path
            .split('/')
            .map(|s| {
                if s.starts_with('{') {
                    if s == "{id}" { "1" } else { "nothing" }
                } else {
                    s
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let res = c
            .request_json(method.clone(), &format!("/api/v1{concrete}"), Some(&json!({})))
            .await;
        assert_ne!(res.status, 405, "{method} {path}");
        assert!(!res.body.contains("No such API route"), "{method} {path}: {}", res.body);
    }
}
