//! The JSON API under `/api/v1`: the same `app` calls as the pages, answered as JSON.
//! Errors: 422 `{"errors": {"field": ["message"]}}`, others `{"error": code, "message": text}`.

use axum::Router;
use axum::extract::Json;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::AppState;
use crate::auth::RequireUser;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(crate::openapi::serve))
        .route("/preview", post(preview))
        .fallback(|| async {
            crate::error::api_error(
                axum::http::StatusCode::NOT_FOUND,
                "not_found",
                "No such API route.",
                None,
            )
        })
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct PreviewBody {
    markdown: String,
}

/// `POST /preview {"markdown": "…"}`: the HTML it renders to, as it would read once posted (the
/// same renderer and sanitiser). For people signed in; nothing is stored.
async fn preview(RequireUser(_who): RequireUser, Json(body): Json<PreviewBody>) -> Result<Response, ApiError> {
    // The longest text anyone writes is a thread's context.
    weft_domain::threads::parse_context(&body.markdown)
        .map_err(|e| weft_app::AppError::field("markdown", e.message))?;
    let html = crate::markdown_cache::preview(&body.markdown).await;
    Ok(Json(serde_json::json!({ "html": html })).into_response())
}
