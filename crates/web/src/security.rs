//! Security middleware: response headers on every answer, and CSRF checks on every state change.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use weft_domain::SecretToken;
use weft_domain::secret::constant_time_eq;

use crate::AppState;
use crate::cookies;

/// The CSRF value of this request's browser, for forms (`csrf_token`) and scripts (`X-CSRF-Token`).
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

const CSP: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
                   form-action 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'";

/// Adds the security headers to every response and gives each browser a CSRF value.
pub async fn headers(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let existing = cookies::get(req.headers(), state.cookies.csrf)
        .and_then(SecretToken::parse)
        .map(|t| t.expose().to_owned());
    let (csrf, is_new) = match existing {
        Some(v) => (v, false),
        None => (SecretToken::generate().expose().to_owned(), true),
    };
    req.extensions_mut().insert(CsrfToken(csrf.clone()));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    if state.app.config.is_https() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        // Pages may hold personal data: no shared or disk caches.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if is_new {
        h.append(header::SET_COOKIE, state.cookies.set_csrf(&csrf));
    }
    res
}

/// Paths whose POST is authorised by a secret in the URL and must work from a mail client
/// without cookies (RFC 8058 one-click unsubscribe).
fn exempt(path: &str) -> bool {
    path.starts_with("/unsubscribe/")
}

const MAX_FORM: usize = 256 * 1024;

/// Refuses text with a NUL character anywhere a request carries text (path, query, form or JSON
/// body): PostgreSQL cannot store it, and no person types it. One check at the edge, so no
/// parser behind it can forget (a NUL in Explore's query, a tag filter or a description was a 500).
pub async fn reject_nul(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let raw = req.uri().path_and_query().map_or("", |pq| pq.as_str());
    if has_encoded_nul(raw.as_bytes()) {
        return nul_refused(is_api);
    }
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "The request is too large.").into_response();
    };
    if bytes.contains(&0) || has_encoded_nul(&bytes) || has_json_nul(&bytes) {
        return nul_refused(is_api);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// `%00` (URL encoding of NUL).
fn has_encoded_nul(bytes: &[u8]) -> bool {
    bytes.windows(3).any(|w| w == b"%00")
}

/// `\u0000` in JSON that is an escape (preceded by an even number of backslashes), not text.
fn has_json_nul(bytes: &[u8]) -> bool {
    bytes.windows(6).enumerate().any(|(i, w)| {
        w.eq_ignore_ascii_case(b"\\u0000") && bytes[..i].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 0
    })
}

fn nul_refused(is_api: bool) -> Response {
    const WHY: &str = "Text cannot contain the NUL character (\\0). Remove it and try again.";
    if is_api {
        let body = serde_json::json!({"error": "invalid_text", "message": WHY});
        (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
    } else {
        crate::shell::errors::page(StatusCode::BAD_REQUEST, "Please check what you entered", WHY)
    }
}

/// Refuses a state-changing request unless it carries this browser's CSRF value (form field
/// `csrf_token` or header `X-CSRF-Token`) and, when the browser says where it comes from, comes
/// from this site.
pub async fn csrf(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) || exempt(req.uri().path()) {
        return next.run(req).await;
    }
    let is_api = req.uri().path().starts_with("/api/");
    let fetch_site = req.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if fetch_site.is_some_and(|s| s != "same-origin" && s != "none") {
        return refuse(is_api, "cross-site request");
    }
    if let Some(origin) = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok())
        && origin != origin_of(&state.app.config.base_url)
    {
        return refuse(is_api, "foreign origin");
    }
    let Some(cookie) = cookies::get(req.headers(), state.cookies.csrf).map(str::to_owned) else {
        return refuse(is_api, "no CSRF cookie");
    };
    if let Some(header) = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return if constant_time_eq(header.as_bytes(), cookie.as_bytes()) {
            next.run(req).await
        } else {
            refuse(is_api, "bad CSRF header")
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return refuse(is_api, "no CSRF token");
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response();
    };
    let token = form_urlencoded_value(&bytes, "csrf_token");
    if !token.is_some_and(|t| constant_time_eq(t.as_bytes(), cookie.as_bytes())) {
        return refuse(is_api, "bad CSRF token");
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn form_urlencoded_value(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// `https://host:port` of a base URL.
pub fn origin_of(base_url: &str) -> &str {
    match base_url.find("://") {
        Some(i) => base_url[i + 3..].find('/').map_or(base_url, |j| &base_url[..i + 3 + j]),
        None => base_url,
    }
}

fn refuse(is_api: bool, why: &'static str) -> Response {
    tracing::info!(reason = why, "CSRF check refused a request");
    if is_api {
        let body =
            serde_json::json!({"error": "csrf", "message": "Missing or invalid CSRF token (send X-CSRF-Token)."});
        (StatusCode::FORBIDDEN, axum::Json(body)).into_response()
    } else {
        crate::shell::errors::page(
            StatusCode::FORBIDDEN,
            "This form has expired",
            "For your safety we could not accept it. Go back, reload the page and try again.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_however_it_is_encoded() {
        assert!(has_encoded_nul(b"q=a%00b"));
        assert!(!has_encoded_nul(b"q=a%20b"));
        assert!(has_json_nul(br#"{"q":"a\u0000"}"#));
        assert!(
            has_json_nul(br#"{"q":"a\\\u0000"}"#),
            "an escaped backslash, then the escape"
        );
        assert!(
            !has_json_nul(br#"{"q":"a\\u0000"}"#),
            "a backslash typed before u0000 is text"
        );
    }

    #[test]
    fn origins() {
        assert_eq!(origin_of("https://weft.example/"), "https://weft.example");
        assert_eq!(origin_of("http://127.0.0.1:3000"), "http://127.0.0.1:3000");
        assert_eq!(origin_of("https://x.example/sub/path"), "https://x.example");
    }
}
