//! Holes found by attacking Weft from outside (issue 19), each proven closed over HTTP: rendering
//! cost, slow connections, headers on every answer, bounds on what is parsed.

use serde_json::json;

use crate::groups::create;
use crate::helpers::TestApp;
use crate::on_both;

const PASSWORD: &str = "correct horse battery staple";

on_both!(a_deeply_nested_text_costs_what_its_length_allows_on_every_page,);

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// 50 000 `>` (the longest context allowed) once took 35–59 s per view of its history page and
/// 1.4 MB of HTML; the thread page, its history, the API and the group JSON now all answer with
/// the nesting cut at 16 levels.
async fn a_deeply_nested_text_costs_what_its_length_allows_on_every_page(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let group = create(&ann, "Quotes", "open", "anyone").await;
    let deep = ">".repeat(50_000);
    let res = ann
        .post_json(
            &format!("/api/v1/groups/{group}/threads"),
            &json!({"title": "Deep", "context": deep, "privacy": "public"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let thread = res.json()["key"].as_str().unwrap().to_owned();
    // An edit puts the deep text into the history page too.
    let res = ann
        .request_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/threads/{thread}"),
            Some(&json!({"context": format!("{} edited", &deep[..49_990])})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = ann
        .post_json(
            &format!("/api/v1/threads/{thread}/comments"),
            &json!({"body": "> - ".repeat(5_000)}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);

    let visitor = app.client();
    for path in [
        format!("/t/{thread}"),
        format!("/t/{thread}/history"),
        format!("/api/v1/threads/{thread}"),
    ] {
        let res = visitor.get(&path).await;
        assert_eq!(res.status, 200, "{path}: {}", res.body);
        assert!(
            count(&res.body, "<blockquote>") <= 2 * 16,
            "{path}: {} quotes",
            count(&res.body, "<blockquote>")
        );
        assert!(res.body.len() < 200_000, "{path}: {} bytes", res.body.len());
    }
    let res = ann
        .post_json(
            "/api/v1/groups",
            &json!({"name": "Deeper", "privacy": "open", "join_policy": "anyone", "description": ">".repeat(5_000)}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let group = res.json()["key"].as_str().unwrap().to_owned();
    let res = visitor.get(&format!("/api/v1/groups/{group}")).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(count(&res.body, "<blockquote>") <= 16, "{}", res.body.len());
}
