//! Our own assets, compiled into the binary (P1: nothing is loaded from another origin).

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

/// Every asset: its name under `/static/`, its content type, its bytes.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "weft.css",
        "text/css; charset=utf-8",
        include_str!("../static/weft.css"),
    ),
    ("favicon.svg", "image/svg+xml", include_str!("../static/favicon.svg")),
    (
        "live.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/live.js"),
    ),
    (
        "inline.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/inline.js"),
    ),
    (
        "compose.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/compose.js"),
    ),
    (
        "bell.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/bell.js"),
    ),
    (
        "mentions.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/mentions.js"),
    ),
    (
        "time.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/time.js"),
    ),
];

/// Changes whenever an asset changes (a hash of them all), so that `?v=` busts caches between
/// any two builds that differ, not only between releases.
pub static VERSION: LazyLock<String> = LazyLock::new(|| {
    // FNV-1a: stable across builds and platforms, unlike `DefaultHasher`.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, _, body) in ASSETS {
        for byte in name.bytes().chain(body.bytes()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
});

pub fn routes() -> Router<AppState> {
    Router::new().route("/static/{name}", get(serve))
}

async fn serve(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, body)) => asset(body, content_type),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    res
}
