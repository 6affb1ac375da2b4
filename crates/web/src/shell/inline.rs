//! Forms posted by the page's script (`static/inline.js`) instead of the browser: the same
//! routes, handlers and CSRF check as without JavaScript, but the redirect that answers a
//! successful post comes back as `200 {"location": "…"}`, so the script updates the page in place
//! rather than loading the next one. A refusal (422 with the form and its errors, 403, 404)
//! answers as it would the browser. Asked for by the request header `X-Weft-Inline: 1`, which a
//! cross-site form cannot send.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Json, Response};

pub async fn answer_inline(req: Request, next: Next) -> Response {
    let inline = req.headers().get("x-weft-inline").is_some_and(|v| v == "1");
    let res = next.run(req).await;
    if !inline || !res.status().is_redirection() {
        return res;
    }
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut out = Json(serde_json::json!({ "location": location })).into_response();
    let h = out.headers_mut();
    for cookie in res.headers().get_all(header::SET_COOKIE) {
        h.append(header::SET_COOKIE, cookie.clone());
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    out
}
