//! The notification aggregate on the web: the list and its read marks (`pages.rs`, templates in
//! `templates/notifications/`), the bell's live count (`live.rs`, Server-Sent Events) and the
//! JSON API (`api.rs`); the volume forms of groups and polls live here too, as they set how
//! notifications reach the person.

pub mod api;
mod live;
pub mod pages;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(pages::list))
        .route("/notifications/read-all", post(pages::read_all))
        .route("/notifications/live", get(live::bell))
        .route("/notifications/{id}", get(pages::open))
        .route("/profile/notifications", get(pages::settings))
        .route("/profile/digest", post(pages::digest))
        .route("/g/{key}/volume", post(pages::group_volume))
        .route("/p/{key}/volume", post(pages::poll_volume))
}

/// Nested under `/api/v1`.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(api::list))
        .route("/notifications/unread", get(api::unread))
        .route("/notifications/read", post(api::read))
        .route("/me/digest", get(api::digest).post(api::set_digest))
        .route(
            "/groups/{key}/volume",
            get(api::group_volume).post(api::set_group_volume),
        )
        .route("/polls/{key}/volume", get(api::poll_volume).post(api::set_poll_volume))
}
