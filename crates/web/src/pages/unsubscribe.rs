//! `/unsubscribe/{token}`: the link at the bottom of every email (P15). The POST is RFC 8058's
//! one-click target: it works without cookies or CSRF, the token being the only authority.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::AppState;
use crate::error::WebError;
use crate::shell::{PageCtx, render};

#[derive(Template)]
#[template(path = "pages/unsubscribe.html")]
struct Unsubscribe {
    ctx: PageCtx,
    action: String,
    done: bool,
}

pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    state.app.check_unsubscribe_token(&token).await?;
    Ok(render(
        StatusCode::OK,
        &Unsubscribe {
            ctx,
            action: format!("/unsubscribe/{token}"),
            done: false,
        },
    ))
}

pub async fn unsubscribe(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    state.app.unsubscribe(&token).await?;
    Ok(render(
        StatusCode::OK,
        &Unsubscribe {
            ctx,
            action: String::new(),
            done: true,
        },
    ))
}
