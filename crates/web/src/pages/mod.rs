//! HTML pages, one module per area; each template in `templates/pages/` is named after its page.

pub mod admin;
pub mod help;
pub mod home;
pub mod unsubscribe;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/healthz", get(healthz))
        .route("/help/counting", get(help::counting))
        .route("/admin", get(admin::index))
        .route("/admin/security-log", get(admin::security_log))
        .route("/t/{key}/live", get(crate::live::thread))
        .route(
            "/unsubscribe/{token}",
            get(unsubscribe::page).post(unsubscribe::unsubscribe),
        )
        .route("/unsubscribe/{token}/resubscribe", post(unsubscribe::resubscribe))
        .route("/unsubscribe/{token}/digest", post(unsubscribe::stop_digest))
        .route("/unsubscribe/{token}/groups/{key}", post(unsubscribe::group_volume))
}

/// 200 when the process is up, the database answers and, after a write found the storage full,
/// a probe write commits again.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.app.health().await {
        weft_app::Health::Ok => (StatusCode::OK, "ok").into_response(),
        weft_app::Health::Unreachable => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response(),
        weft_app::Health::StorageFull => (
            StatusCode::SERVICE_UNAVAILABLE,
            "database storage full: writes are refused",
        )
            .into_response(),
    }
}
