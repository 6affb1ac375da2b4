//! The outbox on the web, for instance administrators: the emails that could not be delivered
//! after every attempt (dead letters), and sending them again (`pages.rs`, `api.rs`; template in
//! `templates/outbox/`).

pub mod api;
pub mod pages;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// The pages, at the site's root.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/admin/emails", get(pages::dead))
        .route("/admin/emails/retry", post(pages::retry_all))
        .route("/admin/emails/{id}/retry", post(pages::retry))
}

/// The API, nested under `/api/v1`.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/admin/emails", get(api::dead))
        .route("/admin/emails/retry", post(api::retry_all))
        .route("/admin/emails/{id}/retry", post(api::retry))
}
