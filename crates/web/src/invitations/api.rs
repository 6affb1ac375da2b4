//! `/api/v1/…invitations…` and the shareable link, through the same use cases
//! as the pages. Invited addresses appear only in the coordinators' list (P6).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use weft_app::invitations::InvitationId;
use weft_app::invitations::InviteInput;
use weft_domain::permissions::Action;

use crate::AppState;
use crate::auth::RequireUser;
use crate::error::ApiError;

/// `emails` may be a list or one string of addresses separated by commas or new lines.
#[derive(Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Emails {
    List(Vec<String>),
    Text(String),
}

impl Emails {
    /// One string of addresses, as the form sends them.
    pub fn joined(self) -> String {
        match self {
            Self::List(list) => list.join("\n"),
            Self::Text(text) => text,
        }
    }
}

impl Default for Emails {
    fn default() -> Self {
        Self::Text(String::new())
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InviteBody {
    emails: Emails,
    message: String,
}

pub async fn invite(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<InviteBody>,
) -> Result<Response, ApiError> {
    let input = InviteInput {
        emails: body.emails.joined(),
        message: body.message,
    };
    let outcome = state.app.invite(&who, &key, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"sent": outcome.sent, "skipped": outcome.skipped})),
    )
        .into_response())
}

/// Pending invitations with their addresses: coordinators only.
pub async fn list(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let (_, list) = state.app.group_invitations(&who, &key).await?;
    let list: Vec<_> = list
        .iter()
        .map(|i| {
            serde_json::json!({
                "id": i.id,
                "email": i.email.as_str(),
                "inviter": i.inviter_name,
                "message": i.message,
                "send_count": i.send_count,
                "sent_at": i.sent_at.rfc3339(),
                "expires_at": i.expires_at.rfc3339(),
            })
        })
        .collect();
    Ok(Json(serde_json::json!({"invitations": list})).into_response())
}

pub async fn resend(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path((key, id)): Path<(String, InvitationId)>,
) -> Result<Response, ApiError> {
    state.app.resend_invitation(&who, &key, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn revoke(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path((key, id)): Path<(String, InvitationId)>,
) -> Result<Response, ApiError> {
    state.app.revoke_invitation(&who, &key, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---- the shareable link ----

pub async fn link(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let view = state.app.group_for(Some(&who), &key, Action::Invite).await?;
    let url = state.app.invite_link(&view).await?;
    Ok(Json(serde_json::json!({"url": url})).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LinkBody {
    /// Make a new link even if one exists (coordinators): the old one stops working.
    reset: bool,
}

pub async fn new_link(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    body: Option<Json<LinkBody>>,
) -> Result<Response, ApiError> {
    let reset = body.is_some_and(|b| b.reset);
    let url = state.app.new_invite_link(&who, &key, reset).await?;
    Ok(Json(serde_json::json!({"url": url})).into_response())
}

pub async fn disable_link(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    state.app.disable_invite_link(&who, &key).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn join_by_link(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let key = state.app.join_by_link(&who, &token).await?;
    Ok(Json(serde_json::json!({"group_key": key})).into_response())
}

// ---- the invitee's side ----

pub async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, ApiError> {
    let inv = state.app.invitation(&token).await?;
    Ok(Json(serde_json::json!({
        "group": {"key": inv.group.key, "name": inv.group.name},
        "inviter": inv.inviter_name,
        "message": inv.message,
        "expires_at": inv.expires_at.rfc3339(),
    }))
    .into_response())
}

pub async fn accept(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let key = state.app.accept_invitation(&who, &token).await?;
    Ok(Json(serde_json::json!({"group_key": key})).into_response())
}

pub async fn mine(State(state): State<AppState>, RequireUser(who): RequireUser) -> Result<Response, ApiError> {
    let list = state.app.my_invitations(&who).await?;
    let list: Vec<_> = list
        .iter()
        .map(|i| {
            serde_json::json!({
                "id": i.id,
                "group": {"key": i.group_key, "name": i.group_name},
                "inviter": i.inviter_name,
                "message": i.message,
                "sent_at": i.sent_at.rfc3339(),
            })
        })
        .collect();
    Ok(Json(serde_json::json!({"invitations": list})).into_response())
}

pub async fn accept_mine(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(id): Path<InvitationId>,
) -> Result<Response, ApiError> {
    let key = state.app.answer_my_invitation(&who, id, true).await?;
    Ok(Json(serde_json::json!({"group_key": key})).into_response())
}

pub async fn decline_mine(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(id): Path<InvitationId>,
) -> Result<Response, ApiError> {
    state.app.answer_my_invitation(&who, id, false).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
