//! `/admin/jobs`: background jobs kept as dead after their last attempt, with a retry button.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use weft_app::jobs::DeadJob;
use weft_app::jobs::JobId;

use crate::AppState;
use crate::auth::RequireUser;
use crate::error::WebError;
use crate::shell::Notice;
use crate::shell::{PageCtx, render};

#[derive(Template)]
#[template(path = "jobs/dead.html")]
struct DeadPage {
    ctx: PageCtx,
    jobs: Vec<DeadJob>,
}

pub async fn dead(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    let jobs = state.app.dead_jobs(&who).await?;
    Ok(render(StatusCode::OK, &DeadPage { ctx, jobs }))
}

pub async fn retry(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(id): Path<JobId>,
) -> Result<Response, WebError> {
    state.app.retry_job(&who, id).await?;
    Ok(Redirect::to(&Notice::JobRetried.on("/admin/jobs")).into_response())
}
