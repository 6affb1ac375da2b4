//! The JSON API under `/api/v1`: the same `app` calls as the pages, answered as JSON.
//! Errors: 422 `{"errors": {"field": ["message"]}}`, others `{"error": code, "message": text}`.

pub mod accounts;
pub mod groups;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/signup", post(accounts::signup))
        .route("/session", post(accounts::log_in).delete(accounts::log_out))
        .route("/me", get(accounts::me).patch(accounts::update_me))
        .route("/me/sessions", get(accounts::sessions))
        .route("/groups", get(groups::list_mine).post(groups::create))
        .route(
            "/groups/{key}",
            get(groups::show).patch(groups::update).delete(groups::delete),
        )
        .route("/groups/{key}/members", get(groups::members))
        .route("/groups/{key}/join", post(groups::join))
        .route("/groups/{key}/leave", post(groups::leave))
        .fallback(|| async {
            crate::error::api_error(
                axum::http::StatusCode::NOT_FOUND,
                "not_found",
                "No such API route.",
                None,
            )
        })
}
