//! The job queue on the web, for instance administrators: the jobs that failed for good, and a
//! retry for each (`pages.rs`, `api.rs`; template in `templates/jobs/`).

pub mod api;
pub mod pages;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// The pages, at the site's root.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/admin/jobs", get(pages::dead))
        .route("/admin/jobs/{id}/retry", post(pages::retry))
}

/// The API, nested under `/api/v1`.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/admin/jobs", get(api::dead))
        .route("/admin/jobs/{id}/retry", post(api::retry))
}
