//! The JSON API for accounts: the same use cases as the pages, structured errors.

use reqwest::Method;
use serde_json::json;

use crate::helpers::TestApp;
use crate::on_both;

const PASSWORD: &str = "correct horse battery staple";

on_both!(api_sign_up_log_in_and_profile);

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
