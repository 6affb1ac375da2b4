//! The privacy centre on the web: personal data and exports (P8, `personal_data.rs`), deletion
//! requests (P12, `deletion_requests.rs`), support access (P13, `support.rs`) and their API
//! (`api.rs`); templates in `templates/privacy/`.

pub mod api;
pub mod deletion_requests;
pub mod personal_data;
pub mod support;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// The privacy pages, at the site's root.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/profile/data", get(personal_data::personal_data))
        .route("/profile/data/export.zip", get(personal_data::export))
        .route("/profile/data/export", post(personal_data::request_export))
        .route("/profile/data/exports/{token}", get(personal_data::download_export))
        .route(
            "/g/{key}/delete-my-content",
            get(deletion_requests::group_form).post(deletion_requests::group_submit),
        )
        .route("/g/{key}/deletion-requests", get(deletion_requests::group_queue))
        .route(
            "/g/{key}/deletion-requests/{request}",
            post(deletion_requests::group_resolve),
        )
        .route(
            "/privacy/request",
            get(deletion_requests::dpo_form).post(deletion_requests::dpo_submit),
        )
        .route("/admin/deletion-requests", get(deletion_requests::admin_queue))
        .route(
            "/admin/deletion-requests/{request}",
            post(deletion_requests::admin_resolve),
        )
        .route("/g/{key}/support", get(support::show).post(support::grant))
        .route("/g/{key}/support/end", post(support::end))
        .route("/g/{key}/maintenance", post(support::maintenance))
}

/// The privacy API, nested under `/api/v1`.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/me/export", get(personal_data::export))
        .route("/me/exports", post(api::request_export))
        .route("/me/visibility", get(api::visibility))
        .route(
            "/groups/{key}/deletion-requests",
            get(api::group_queue).post(api::ask_group),
        )
        .route("/groups/{key}/deletion-requests/{request}", post(api::group_resolve))
        .route("/privacy/requests", post(api::ask_dpo))
        .route("/admin/deletion-requests", get(api::admin_queue))
        .route("/admin/deletion-requests/{request}", post(api::admin_resolve))
        .route(
            "/groups/{key}/support",
            get(api::support).post(api::grant_support).delete(api::end_support),
        )
        .route("/groups/{key}/maintenance", post(api::maintenance))
}
