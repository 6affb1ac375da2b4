//! `/unsubscribe/{token}`: the link at the bottom of every email (P15), and the email settings it
//! may change without logging in: its own person's, nobody else's. The POST to the link itself is
//! RFC 8058's one-click target: it works without cookies or CSRF, the token being the only
//! authority (as for every path under it).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use weft_app::accounts::EmailSettings;

use crate::AppState;
use crate::error::WebError;
use crate::shell::{PageCtx, render};

#[derive(Template)]
#[template(path = "pages/unsubscribe.html")]
struct Unsubscribe {
    ctx: PageCtx,
    action: String,
    done: bool,
    /// For an account: its groups' volumes and whether it is unsubscribed.
    settings: Option<EmailSettings>,
    volumes: &'static [weft_domain::notifications::Volume],
    saved: bool,
}

async fn page_of(state: &AppState, ctx: PageCtx, token: &str, done: bool, saved: bool) -> Result<Response, WebError> {
    let settings = state.app.email_settings_by_link(token).await?;
    Ok(render(
        StatusCode::OK,
        &Unsubscribe {
            ctx,
            action: format!("/unsubscribe/{token}"),
            done,
            settings,
            volumes: weft_domain::notifications::Volume::ALL,
            saved,
        },
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
    axum::extract::Query(q): axum::extract::Query<SavedQuery>,
) -> Result<Response, WebError> {
    page_of(&state, ctx, &token, false, q.saved.is_some()).await
}

pub async fn unsubscribe(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    state.app.unsubscribe(&token).await?;
    page_of(&state, ctx, &token, true, false).await
}

pub async fn resubscribe(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, WebError> {
    state.app.resubscribe(&token).await?;
    Ok(Redirect::to(&format!("/unsubscribe/{token}?saved=1")).into_response())
}

/// No more catch-up digests, through the email's link.
pub async fn stop_digest(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, WebError> {
    state.app.stop_digest_by_link(&token).await?;
    Ok(Redirect::to(&format!("/unsubscribe/{token}?saved=1")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VolumeForm {
    volume: String,
}

pub async fn group_volume(
    State(state): State<AppState>,
    Path((token, key)): Path<(String, String)>,
    Form(form): Form<VolumeForm>,
) -> Result<Response, WebError> {
    state.app.set_group_volume_by_link(&token, &key, &form.volume).await?;
    Ok(Redirect::to(&format!("/unsubscribe/{token}?saved=1")).into_response())
}
