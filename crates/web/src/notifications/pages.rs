//! `/notifications`: the list (newest first, 30 a page), opening one (marks it read and goes to
//! where it happened: a plain link, no JavaScript needed), marking all read; and the volume forms
//! of a group and a poll.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use weft_app::notifications::Notification;
use weft_domain::notifications::digest::{Cadence, Day};

use crate::AppState;
use crate::auth::RequireUser;
use crate::error::WebError;
use crate::shell::{Notice, PageCtx, render};

#[derive(Template)]
#[template(path = "notifications/list.html")]
struct ListPage {
    ctx: PageCtx,
    items: Vec<Notification>,
    older: Option<i64>,
    unread: usize,
    first_page: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    before: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let page = state.app.notifications(&who, q.before).await?;
    Ok(render(
        StatusCode::OK,
        &ListPage {
            ctx,
            items: page.items,
            older: page.older,
            unread: page.unread,
            first_page: q.before.is_none(),
        },
    ))
}

/// Marks one read and goes where it happened (404 for someone else's, or for what the reader
/// may no longer see).
pub async fn open(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let link = state.app.open_notification(&who, id).await?;
    Ok(Redirect::to(&link).into_response())
}

pub async fn read_all(State(state): State<AppState>, RequireUser(who): RequireUser) -> Result<Response, WebError> {
    state.app.read_all_notifications(&who).await?;
    Ok(Redirect::to(&Notice::NotificationsRead.on("/notifications")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VolumeForm {
    volume: String,
    /// "Apply to all my groups".
    everywhere: Option<String>,
}

pub async fn group_volume(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Form(form): Form<VolumeForm>,
) -> Result<Response, WebError> {
    state
        .app
        .set_group_volume(&who, &key, &form.volume, form.everywhere.is_some())
        .await?;
    Ok(Redirect::to(&Notice::GroupVolumeSaved.on(&format!("/g/{key}#volume"))).into_response())
}

pub async fn poll_volume(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Form(form): Form<VolumeForm>,
) -> Result<Response, WebError> {
    state.app.set_poll_volume(&who, &key, &form.volume).await?;
    Ok(Redirect::to(&Notice::PollVolumeSaved.on(&format!("/p/{key}#volume"))).into_response())
}

#[derive(Template)]
#[template(path = "notifications/settings.html")]
struct SettingsPage {
    ctx: PageCtx,
    groups: Vec<weft_app::notifications::GroupVolume>,
    volumes: &'static [weft_domain::notifications::Volume],
    digest: weft_app::notifications::DigestSettings,
    cadences: &'static [Cadence],
    days: &'static [Day],
}

/// `/profile/notifications`: the reader's volume in each of their groups, each changed on its
/// own, or one for all of them.
pub async fn settings(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    let groups = state.app.my_group_volumes(&who).await?;
    let digest = state.app.digest_settings(&who).await?;
    Ok(render(
        StatusCode::OK,
        &SettingsPage {
            ctx,
            groups,
            volumes: weft_domain::notifications::Volume::ALL,
            digest,
            cadences: Cadence::ALL,
            days: Day::ALL,
        },
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DigestForm {
    digest: String,
    digest_day: String,
}

/// Choosing the catch-up digest (a form that works without JavaScript).
pub async fn digest(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Form(form): Form<DigestForm>,
) -> Result<Response, WebError> {
    state.app.set_digest(&who, &form.digest, &form.digest_day).await?;
    Ok(Redirect::to(&Notice::DigestSaved.on("/profile/notifications#digest")).into_response())
}
