//! The JSON API under `/api/v1`: the same `app` calls as the pages, answered as JSON.
//! Errors: 422 `{"errors": {"field": ["message"]}}`, others `{"error": code, "message": text}`.

pub mod accounts;
pub mod invitations;
pub mod privacy;

use axum::Router;
use axum::routing::{delete, get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(crate::openapi::serve))
        .route("/signup", post(accounts::signup))
        .route("/session", post(accounts::log_in).delete(accounts::log_out))
        .route(
            "/me",
            get(accounts::me).patch(accounts::update_me).delete(accounts::delete_me),
        )
        .route("/me/deactivate", post(accounts::deactivate))
        .route("/me/export", get(crate::pages::profile::export))
        .route("/me/sessions", get(accounts::sessions))
        .route("/me/exports", post(privacy::request_export))
        .route("/me/visibility", get(privacy::visibility))
        .route(
            "/groups/{key}/deletion-requests",
            get(privacy::group_queue).post(privacy::ask_group),
        )
        .route(
            "/groups/{key}/deletion-requests/{request}",
            post(privacy::group_resolve),
        )
        .route("/privacy/requests", post(privacy::ask_dpo))
        .route("/admin/deletion-requests", get(privacy::admin_queue))
        .route("/admin/deletion-requests/{request}", post(privacy::admin_resolve))
        .route(
            "/groups/{key}/support",
            get(privacy::support)
                .post(privacy::grant_support)
                .delete(privacy::end_support),
        )
        .route("/groups/{key}/maintenance", post(privacy::maintenance))
        .route(
            "/groups/{key}/invitations",
            get(invitations::list).post(invitations::invite),
        )
        .route("/groups/{key}/invitations/{id}", delete(invitations::revoke))
        .route("/groups/{key}/invitations/{id}/resend", post(invitations::resend))
        .route(
            "/groups/{key}/invite-link",
            get(invitations::link)
                .post(invitations::new_link)
                .delete(invitations::disable_link),
        )
        .route("/join/{token}", post(invitations::join_by_link))
        .route("/invitations/{token}", get(invitations::show))
        .route("/invitations/{token}/accept", post(invitations::accept))
        .route("/me/invitations", get(invitations::mine))
        .route("/me/invitations/{id}", delete(invitations::decline_mine))
        .route("/me/invitations/{id}/accept", post(invitations::accept_mine))
        .fallback(|| async {
            crate::error::api_error(
                axum::http::StatusCode::NOT_FOUND,
                "not_found",
                "No such API route.",
                None,
            )
        })
}
