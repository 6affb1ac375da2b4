//! Our own assets, compiled into the binary (P1: nothing is loaded from another origin).

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

const CSS: &str = include_str!("../static/weft.css");
const FAVICON: &str = include_str!("../static/favicon.svg");
const LIVE_JS: &str = include_str!("../static/live.js");
const TIME_JS: &str = include_str!("../static/time.js");
const BELL_JS: &str = include_str!("../static/bell.js");
const MENTIONS_JS: &str = include_str!("../static/mentions.js");
/// Changes whenever the assets change, to bust caches.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/static/weft.css",
            get(|| async { asset(CSS, "text/css; charset=utf-8") }),
        )
        .route("/static/favicon.svg", get(|| async { asset(FAVICON, "image/svg+xml") }))
        .route(
            "/static/live.js",
            get(|| async { asset(LIVE_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/static/bell.js",
            get(|| async { asset(BELL_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/static/mentions.js",
            get(|| async { asset(MENTIONS_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/static/time.js",
            get(|| async { asset(TIME_JS, "text/javascript; charset=utf-8") }),
        )
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    res
}
