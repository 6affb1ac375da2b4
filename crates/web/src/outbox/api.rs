//! `/api/v1/admin/emails`: the dead emails as JSON, and sending them again.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use weft_app::mailer::DeadEmail;

use crate::AppState;
use crate::auth::RequireUser;
use crate::error::ApiError;

/// One email that failed at every attempt. The recipient shows as its domain only.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeadEmailDto {
    pub id: i64,
    pub kind: String,
    pub to_domain: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: String,
    pub failed_at: String,
    /// False once the retention purge took its body: it can no longer be sent.
    pub retryable: bool,
}

impl From<&DeadEmail> for DeadEmailDto {
    fn from(e: &DeadEmail) -> Self {
        Self {
            id: e.id,
            kind: e.kind.clone(),
            to_domain: e.to_domain.clone(),
            attempts: e.attempts,
            last_error: e.last_error.clone(),
            created_at: e.created_at.rfc3339(),
            failed_at: e.failed_at.rfc3339(),
            retryable: e.retryable,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeadEmailsDto {
    pub emails: Vec<DeadEmailDto>,
}

/// How many emails went back into the queue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RetriedDto {
    pub retried: u64,
}

pub async fn dead(State(state): State<AppState>, RequireUser(who): RequireUser) -> Result<Response, ApiError> {
    let emails = state.app.dead_emails(&who).await?;
    Ok(Json(DeadEmailsDto {
        emails: emails.iter().map(DeadEmailDto::from).collect(),
    })
    .into_response())
}

pub async fn retry(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let retried = state.app.retry_emails(&who, Some(id)).await?;
    Ok(Json(RetriedDto { retried }).into_response())
}

pub async fn retry_all(State(state): State<AppState>, RequireUser(who): RequireUser) -> Result<Response, ApiError> {
    let retried = state.app.retry_emails(&who, None).await?;
    Ok(Json(RetriedDto { retried }).into_response())
}
