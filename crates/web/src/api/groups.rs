//! `/api/v1/groups…`: groups and members over JSON, through the same use cases as the pages.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use weft_app::groups::{GroupInput, GroupView};
use weft_domain::groups::GroupFlags;
use weft_domain::permissions::Action;

use crate::AppState;
use crate::auth::{MaybeUser, RequireUser};
use crate::error::WebError;

#[derive(Serialize)]
pub struct GroupJson {
    key: String,
    name: String,
    handle: String,
    description: String,
    privacy: &'static str,
    join_policy: &'static str,
    thread_privacy: &'static str,
    parent_key: Option<String>,
    archived: bool,
    member_count: i64,
    /// What the caller may do here.
    permissions: Vec<&'static str>,
}

fn group_json(v: &GroupView) -> GroupJson {
    let names = [
        (Action::SeeContent, "see_content"),
        (Action::SeeMembers, "see_members"),
        (Action::SeeMemberEmails, "see_member_emails"),
        (Action::Join, "join"),
        (Action::RequestToJoin, "request_to_join"),
        (Action::Invite, "invite"),
        (Action::StartThread, "start_thread"),
        (Action::CreateSubgroup, "create_subgroup"),
        (Action::ChangeSettings, "change_settings"),
        (Action::ManageMembers, "manage_members"),
        (Action::Leave, "leave"),
        (Action::Delete, "delete"),
    ];
    GroupJson {
        key: v.group.key.clone(),
        name: v.group.name.clone(),
        handle: v.group.handle.clone(),
        description: v.group.description.clone(),
        privacy: v.group.privacy.as_str(),
        join_policy: v.group.join_policy.as_str(),
        thread_privacy: v.group.thread_privacy.as_str(),
        parent_key: v.parent.as_ref().map(|p| p.key.clone()),
        archived: v.group.archived_at.is_some(),
        member_count: v.member_count,
        permissions: names.iter().filter(|(a, _)| v.may(*a)).map(|(_, n)| *n).collect(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GroupBody {
    name: String,
    handle: String,
    description: String,
    privacy: String,
    join_policy: String,
    thread_privacy: String,
    parent_key: Option<String>,
    visible_to_parent_members: bool,
    listed_in_explore: bool,
    flags: Option<GroupFlagsBody>,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(default)]
#[allow(clippy::struct_excessive_bools)]
pub struct GroupFlagsBody {
    members_can_add_members: bool,
    members_can_add_guests: bool,
    members_can_announce: bool,
    members_can_create_subgroups: bool,
    members_can_start_threads: bool,
    members_can_edit_threads: bool,
    members_can_edit_comments: bool,
    members_can_delete_comments: bool,
    members_can_raise_polls: bool,
    admins_can_edit_user_content: bool,
}

impl GroupBody {
    fn input(&self) -> GroupInput {
        GroupInput {
            name: self.name.clone(),
            handle: self.handle.clone(),
            description: self.description.clone(),
            privacy: self.privacy.clone(),
            join_policy: self.join_policy.clone(),
            thread_privacy: self.thread_privacy.clone(),
            visible_to_parent_members: self.visible_to_parent_members,
            listed_in_explore: self.listed_in_explore,
            flags: self.flags.map(|f| GroupFlags {
                members_can_add_members: f.members_can_add_members,
                members_can_add_guests: f.members_can_add_guests,
                members_can_announce: f.members_can_announce,
                members_can_create_subgroups: f.members_can_create_subgroups,
                members_can_start_threads: f.members_can_start_threads,
                members_can_edit_threads: f.members_can_edit_threads,
                members_can_edit_comments: f.members_can_edit_comments,
                members_can_delete_comments: f.members_can_delete_comments,
                members_can_raise_polls: f.members_can_raise_polls,
                admins_can_edit_user_content: f.admins_can_edit_user_content,
            }),
        }
    }
}

pub async fn list_mine(State(state): State<AppState>, RequireUser(who): RequireUser) -> Result<Response, WebError> {
    let groups = state.app.my_groups(&who).await.map_err(WebError::api)?;
    let list: Vec<_> = groups
        .iter()
        .map(|(g, role)| serde_json::json!({"key": g.key, "name": g.name, "handle": g.handle, "privacy": g.privacy.as_str(), "role": role.as_str()}))
        .collect();
    Ok(Json(serde_json::json!({"groups": list})).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Json(body): Json<GroupBody>,
) -> Result<Response, WebError> {
    let key = state
        .app
        .create_group(&who, &body.input(), body.parent_key.as_deref())
        .await
        .map_err(WebError::api)?;
    let view = state
        .app
        .group_for(Some(&who), &key, Action::SeeGroup)
        .await
        .map_err(WebError::api)?;
    Ok((StatusCode::CREATED, Json(group_json(&view))).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let view = state
        .app
        .group_for(who.as_ref(), &key, Action::SeeGroup)
        .await
        .map_err(WebError::api)?;
    Ok(Json(group_json(&view)).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<GroupBody>,
) -> Result<Response, WebError> {
    state
        .app
        .update_group(&who, &key, &body.input())
        .await
        .map_err(WebError::api)?;
    let view = state
        .app
        .group_for(Some(&who), &key, Action::SeeGroup)
        .await
        .map_err(WebError::api)?;
    Ok(Json(group_json(&view)).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    state.app.delete_group(&who, &key).await.map_err(WebError::api)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: i64,
}

/// Members; `email` is present only when the caller coordinates the group (P6).
pub async fn members(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let (view, members) = state
        .app
        .group_members(who.as_ref(), &key, q.page)
        .await
        .map_err(WebError::api)?;
    let list: Vec<_> = members
        .iter()
        .map(|m| {
            let mut o = serde_json::json!({"key": m.user_key, "name": m.name, "username": m.username, "role": m.role.as_str(), "joined_at": m.joined_at.rfc3339()});
            if let Some(email) = &m.email {
                o["email"] = serde_json::Value::String(email.clone());
            }
            o
        })
        .collect();
    Ok(Json(serde_json::json!({"members": list, "total": view.member_count, "page": q.page.max(0)})).into_response())
}

pub async fn join(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    state.app.join_group(&who, &key).await.map_err(WebError::api)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn leave(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    state.app.leave_group(&who, &key).await.map_err(WebError::api)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
