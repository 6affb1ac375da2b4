//! `/admin/emails`: emails kept as dead after their last attempt, with "try again" for each and
//! for all.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use weft_app::mailer::DeadEmail;

use crate::AppState;
use crate::auth::RequireUser;
use crate::error::WebError;
use crate::shell::Notice;
use crate::shell::{PageCtx, render};

#[derive(Template)]
#[template(path = "outbox/dead.html")]
struct DeadPage {
    ctx: PageCtx,
    emails: Vec<DeadEmail>,
}

pub async fn dead(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    let emails = state.app.dead_emails(&who).await?;
    Ok(render(StatusCode::OK, &DeadPage { ctx, emails }))
}

pub async fn retry(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state.app.retry_emails(&who, Some(id)).await?;
    Ok(Redirect::to(&Notice::EmailsRetried.on("/admin/emails")).into_response())
}

pub async fn retry_all(State(state): State<AppState>, RequireUser(who): RequireUser) -> Result<Response, WebError> {
    state.app.retry_emails(&who, None).await?;
    Ok(Redirect::to(&Notice::EmailsRetried.on("/admin/emails")).into_response())
}
