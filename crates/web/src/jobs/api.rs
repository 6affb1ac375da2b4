//! `/api/v1/admin/jobs`: the dead jobs as JSON, and their retry.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use weft_app::jobs::DeadJob;
use weft_app::jobs::JobId;

use crate::AppState;
use crate::auth::RequireUser;
use crate::error::ApiError;

/// One dead job.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeadJobDto {
    #[schema(value_type = i64)]
    pub id: JobId,
    pub kind: String,
    /// The ids the job works on, as stored (never personal data).
    pub payload: serde_json::Value,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: String,
    pub failed_at: String,
}

impl From<&DeadJob> for DeadJobDto {
    fn from(j: &DeadJob) -> Self {
        Self {
            id: j.id,
            kind: j.kind.clone(),
            payload: serde_json::from_str(&j.payload).unwrap_or(serde_json::Value::Null),
            attempts: j.attempts,
            last_error: j.last_error.clone(),
            created_at: j.created_at.rfc3339(),
            failed_at: j.failed_at.rfc3339(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeadJobsDto {
    pub jobs: Vec<DeadJobDto>,
}

pub async fn dead(State(state): State<AppState>, RequireUser(who): RequireUser) -> Result<Response, ApiError> {
    let jobs = state.app.dead_jobs(&who).await?;
    Ok(Json(DeadJobsDto {
        jobs: jobs.iter().map(DeadJobDto::from).collect(),
    })
    .into_response())
}

pub async fn retry(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(id): Path<JobId>,
) -> Result<Response, ApiError> {
    state.app.retry_job(&who, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
