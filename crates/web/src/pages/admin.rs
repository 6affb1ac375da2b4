//! `/admin`: the instance administrators' entry point (policies, usage, the data-protection
//! queue, the security log when it is kept).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use weft_app::AppError;

use crate::AppState;
use crate::auth::RequireUser;
use crate::error::WebError;
use crate::shell::{PageCtx, render};

#[derive(Template)]
#[template(path = "pages/admin.html")]
struct AdminPage {
    ctx: PageCtx,
    open_requests: i64,
    dead_jobs: usize,
    dead_emails: usize,
    security_log: bool,
    public_usage: bool,
}

pub async fn index(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    let open_requests = state.app.open_instance_deletion_requests(&who).await?;
    let dead_jobs = state.app.dead_jobs(&who).await?.len();
    let dead_emails = state.app.dead_emails(&who).await?.len();
    Ok(render(
        StatusCode::OK,
        &AdminPage {
            ctx,
            open_requests,
            dead_jobs,
            dead_emails,
            security_log: state.app.config.security_log,
            public_usage: state.app.config.public_usage,
        },
    ))
}

#[derive(Template)]
#[template(path = "pages/security_log.html")]
struct SecurityLogPage {
    ctx: PageCtx,
    entries: Vec<weft_app::accounts::SecurityEvent>,
}

pub async fn security_log(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    if !state.app.config.security_log {
        return Err(AppError::NotFound.into());
    }
    let entries = state.app.security_log(&who).await?;
    Ok(render(StatusCode::OK, &SecurityLogPage { ctx, entries }))
}
