//! Weft's web face: HTML pages, the JSON API, cookies, CSRF, rate limits and security headers.
//! Handlers translate HTTP to `app` calls and back; the rules live in `app` and `domain`.

pub mod accounts;
pub mod api;
pub mod auth;
pub mod client_ip;
pub mod cookies;
pub mod error;
pub mod groups;
pub mod invitations;
pub mod jobs;
pub mod live;
mod markdown_cache;
pub mod notifications;
pub mod openapi;
pub mod outbox;
pub mod pages;
pub mod policies;
pub mod polls;
pub mod privacy;
pub mod rate_limit;
pub mod security;
mod server;
pub mod shell;
mod static_files;
pub mod threads;
mod usage;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::middleware;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use weft_app::App;

pub use client_ip::TrustedProxies;
pub use rate_limit::{RateLimiter, RateLimits};

/// How the web layer behaves, beyond what the use cases need.
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub trusted_proxies: TrustedProxies,
    pub rate_limits: RateLimits,
    /// A request that has not been answered after this long is answered 408.
    pub request_timeout: Duration,
    pub connections: ConnectionLimits,
    /// Live-update streams open at once per client address (behind a trusted proxy, per client
    /// the proxy names).
    pub live_streams_per_client: usize,
}

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub web: Arc<WebConfig>,
    pub limiter: Arc<RateLimiter>,
    pub cookies: Arc<cookies::CookieNames>,
    /// Live-update streams open per client (issue 19.3: each holds a connection for as long as
    /// its page stays open, so one client may not hold them all).
    pub(crate) live_streams: Arc<server::PerClient>,
}

impl AppState {
    pub fn new(app: App, web: WebConfig) -> Self {
        let cookies = Arc::new(cookies::CookieNames::for_base_url(&app.config.base_url));
        let limiter = Arc::new(RateLimiter::new(web.rate_limits.clone()));
        Self {
            app,
            web: Arc::new(web),
            limiter,
            cookies,
            live_streams: Arc::default(),
        }
    }
}

/// The whole HTTP surface with its middleware.
pub fn router(state: AppState) -> Router {
    let request_id = axum::http::HeaderName::from_static("x-request-id");
    Router::new()
        .merge(pages::routes())
        .merge(accounts::page_routes())
        .merge(groups::page_routes())
        .merge(invitations::page_routes())
        .merge(privacy::page_routes())
        .merge(policies::page_routes())
        .merge(threads::page_routes())
        .merge(polls::page_routes())
        .merge(notifications::page_routes())
        .merge(jobs::page_routes())
        .merge(outbox::page_routes())
        .nest(
            "/api/v1",
            api::routes()
                .merge(accounts::api_routes())
                .merge(groups::api_routes())
                .merge(invitations::api_routes())
                .merge(privacy::api_routes())
                .merge(threads::api_routes())
                .merge(polls::api_routes())
                .merge(notifications::api_routes())
                .merge(jobs::api_routes())
                .merge(outbox::api_routes()),
        )
        .merge(static_files::routes())
        .fallback(shell::errors::not_found)
        .layer(middleware::from_fn(shell::inline::answer_inline))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            shell::errors::offer_log_in,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), usage::count))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error::record_storage_full,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), security::csrf))
        .layer(middleware::from_fn(security::reject_nul))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                tracing::error!("a request handler panicked");
                shell::errors::page(
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "It is our fault, not yours. Try again in a moment.",
                )
            },
        ))
        .layer(DefaultBodyLimit::max(256 * 1024))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            state.web.request_timeout,
        ))
        // Outside the timeout and the panic catcher, so their answers carry the headers too.
        .layer(middleware::from_fn_with_state(state.clone(), security::headers))
        .layer(
            // Spans name the route pattern, never the URI: URIs can carry tokens.
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let route = req
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map_or("(unmatched)", axum::extract::MatchedPath::as_str);
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                tracing::info_span!("request", method = %req.method(), route, id)
            }),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// Serves HTTP on `listener` until `shutdown` completes, then drains requests in flight.
pub use server::{ConnectionLimits, raise_open_file_limit, serve};
