//! The JSON API under `/api/v1`: the same `app` calls as the pages, answered as JSON.
//! Errors: 422 `{"errors": {"field": ["message"]}}`, others `{"error": code, "message": text}`.

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(crate::openapi::serve))
        .fallback(|| async {
            crate::error::api_error(
                axum::http::StatusCode::NOT_FOUND,
                "not_found",
                "No such API route.",
                None,
            )
        })
}
