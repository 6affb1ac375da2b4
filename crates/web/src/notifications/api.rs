//! The notification API: the list, the unread count, marking read; a group's and a poll's volume.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::RequireUser;
use crate::error::ApiError;

#[derive(Serialize, utoipa::ToSchema)]
pub struct NotificationDto {
    pub id: i64,
    /// mention, reply, comment, thread, poll, vote, closing_soon, reminder, outcome, reaction,
    /// joined, request.
    pub kind: &'static str,
    pub text: String,
    /// Where it happened, as a path on this site.
    pub link: String,
    pub group: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub unread: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct NotificationsDto {
    pub notifications: Vec<NotificationDto>,
    /// Pass as `before` for the next (older) page.
    pub older: Option<i64>,
    /// Unread, up to 100 ("99+" in the bell).
    pub unread: usize,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    before: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let page = state.app.notifications(&who, q.before).await?;
    Ok(Json(NotificationsDto {
        notifications: page
            .items
            .into_iter()
            .map(|n| NotificationDto {
                id: n.id,
                kind: n.kind.as_str(),
                text: n.text,
                link: n.link,
                group: n.group_name,
                at: n.at.rfc3339(),
                unread: n.unread,
            })
            .collect(),
        older: page.older,
        unread: page.unread,
    })
    .into_response())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UnreadDto {
    pub unread: usize,
}

pub async fn unread(State(state): State<AppState>, RequireUser(who): RequireUser) -> Result<Response, ApiError> {
    let unread = state.app.unread_notifications(&who).await?;
    Ok(Json(UnreadDto { unread }).into_response())
}

/// `{"ids": [1, 2]}` or `{"all": true}`.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct ReadBody {
    ids: Vec<i64>,
    all: bool,
}

pub async fn read(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Json(body): Json<ReadBody>,
) -> Result<Response, ApiError> {
    if body.all {
        state.app.read_all_notifications(&who).await?;
    } else {
        state.app.read_notifications(&who, &body.ids).await?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct VolumeDto {
    /// mute, quiet, normal or loud; `null` for a poll without a choice of one's own (it follows
    /// its thread or group), or a group one does not belong to.
    pub volume: Option<&'static str>,
}

/// `{"volume": "mute" | "quiet" | "normal" | "loud"}`; for a group, `"everywhere": true` applies it
/// to all one's groups; for a poll, `"group"` clears one's own choice.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct VolumeChoiceBody {
    volume: String,
    everywhere: bool,
}

pub async fn group_volume(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let volume = state.app.group_volume(&who, &key).await?;
    Ok(Json(VolumeDto {
        volume: volume.map(weft_domain::notifications::Volume::as_str),
    })
    .into_response())
}

pub async fn set_group_volume(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<VolumeChoiceBody>,
) -> Result<Response, ApiError> {
    state
        .app
        .set_group_volume(&who, &key, &body.volume, body.everywhere)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn poll_volume(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let volume = state.app.poll_volume(&who, &key).await?;
    Ok(Json(VolumeDto {
        volume: volume.map(weft_domain::notifications::Volume::as_str),
    })
    .into_response())
}

pub async fn set_poll_volume(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<VolumeChoiceBody>,
) -> Result<Response, ApiError> {
    state.app.set_poll_volume(&who, &key, &body.volume).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DigestDto {
    /// off, daily, every_other_day or weekly.
    pub digest: &'static str,
    /// monday … sunday: the day of a weekly digest.
    pub day: &'static str,
    /// When the next one comes (RFC 3339, UTC), at 06:00 in `time_zone`; `null` when off.
    pub next_at: Option<String>,
    pub time_zone: String,
}

/// `{"digest": "weekly", "day": "friday"}`.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct DigestBody {
    digest: String,
    day: String,
}

fn digest_dto(d: weft_app::notifications::DigestSettings) -> DigestDto {
    DigestDto {
        digest: d.cadence.as_str(),
        day: d.day.as_str(),
        next_at: d.next_at.map(weft_domain::Timestamp::rfc3339),
        time_zone: d.zone,
    }
}

pub async fn digest(State(state): State<AppState>, RequireUser(who): RequireUser) -> Result<Response, ApiError> {
    Ok(Json(digest_dto(state.app.digest_settings(&who).await?)).into_response())
}

pub async fn set_digest(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Json(body): Json<DigestBody>,
) -> Result<Response, ApiError> {
    let settings = state.app.set_digest(&who, &body.digest, &body.day).await?;
    Ok(Json(digest_dto(settings)).into_response())
}
