//! `/api/v1/groups…` and `/api/v1/explore`: groups and members over JSON, through the same use cases as the pages.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use weft_app::AppError;
use weft_app::groups::{GroupInput, GroupView};
use weft_domain::groups::GroupFlags;
use weft_domain::permissions::{Action, Role};

use super::dto::{ExploreDto, GroupDto, MembersDto, MyGroupsDto, RequestsDto};
use crate::AppState;
use crate::auth::{MaybeUser, RequireUser};
use crate::error::ApiError;

async fn group_dto(v: &GroupView) -> GroupDto {
    crate::markdown_cache::prepare([v.group.description.as_str()]).await;
    GroupDto::from_view(v)
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
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

#[derive(Deserialize, serde::Serialize, Default, Clone, Copy, utoipa::ToSchema)]
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
    /// Members may start threads by email (left out: off).
    start_threads_by_email: bool,
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
                start_threads_by_email: f.start_threads_by_email,
            }),
        }
    }
}

pub async fn list_mine(State(state): State<AppState>, RequireUser(who): RequireUser) -> Result<Response, ApiError> {
    let groups = state.app.my_groups(&who).await?;
    Ok(Json(MyGroupsDto::new(&groups)).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Json(body): Json<GroupBody>,
) -> Result<Response, ApiError> {
    let key = state
        .app
        .create_group(&who, &body.input(), body.parent_key.as_deref())
        .await?;
    let view = state.app.group_for(Some(&who), &key, Action::SeeGroup).await?;
    Ok((StatusCode::CREATED, Json(group_dto(&view).await)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let view = state.app.group_for(who.as_ref(), &key, Action::SeeGroup).await?;
    Ok(Json(group_dto(&view).await).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<GroupBody>,
) -> Result<Response, ApiError> {
    state.app.update_group(&who, &key, &body.input()).await?;
    let view = state.app.group_for(Some(&who), &key, Action::SeeGroup).await?;
    Ok(Json(group_dto(&view).await).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    state.app.delete_group(&who, &key).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: weft_domain::Page,
}

/// Members; `email` is present only when the caller coordinates the group (P6).
pub async fn members(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let (view, members) = state.app.group_members(who.as_ref(), &key, q.page.get()).await?;
    Ok(Json(MembersDto::new(&members, view.member_count, q.page.get())).into_response())
}

pub async fn join(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    state.app.join_group(&who, &key).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn leave(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    state.app.leave_group(&who, &key).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A member's own address for starting threads by email in the group, and the group's public
/// one when a trusted mail server vouches for senders.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EmailAddressDto {
    pub address: String,
    pub public_address: Option<String>,
}

async fn email_address_json(
    state: &AppState,
    who: &weft_app::SessionUser,
    key: &str,
    renew: bool,
) -> Result<Response, ApiError> {
    // 404 where it is not offered (replies by email off, the group does not allow it, or they
    // may not start threads there).
    let v = state.app.group_for(Some(who), key, Action::SeeGroup).await?;
    let address = state
        .app
        .group_email_address(who, &v, renew)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(EmailAddressDto {
        address,
        public_address: state.app.group_public_address(&v.group.handle),
    })
    .into_response())
}

pub async fn email_address(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    email_address_json(&state, &who, &key, false).await
}

/// A new address; the old one stops working at once.
pub async fn renew_email_address(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    email_address_json(&state, &who, &key, true).await
}

pub async fn archive(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    state.app.set_group_archived(&who, &key, true).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn restore(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    state.app.set_group_archived(&who, &key, false).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---- membership requests ----

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct RequestBody {
    introduction: String,
}

pub async fn request(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    body: Option<Json<RequestBody>>,
) -> Result<Response, ApiError> {
    let introduction = body.map(|b| b.0.introduction).unwrap_or_default();
    state.app.request_membership(&who, &key, &introduction).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

pub async fn requests(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let (_, list) = state.app.membership_requests(&who, &key).await?;
    Ok(Json(RequestsDto::new(&list)).into_response())
}

pub async fn answer_request(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path((key, id, answer)): Path<(String, i64, String)>,
) -> Result<Response, ApiError> {
    let approve = match answer.as_str() {
        "approve" => true,
        "ignore" => false,
        _ => return Err(ApiError::from(AppError::NotFound)),
    };
    state.app.respond_to_request(&who, &key, id, approve).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---- one member ----

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RoleBody {
    role: String,
}

/// Promotes or demotes: `{"role": "admin" | "member"}`.
pub async fn set_role(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path((key, user)): Path<(String, String)>,
    Json(body): Json<RoleBody>,
) -> Result<Response, ApiError> {
    let role = match body.role.as_str() {
        "admin" => Role::Admin,
        "member" => Role::Member,
        _ => return Err(ApiError::from(AppError::field("role", "Choose admin or member."))),
    };
    state.app.set_member_role(&who, &key, &user, role).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn remove_member(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path((key, user)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    state.app.remove_member(&who, &key, &user).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---- the directory ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExploreQuery {
    q: String,
    page: weft_domain::Page,
}

pub async fn explore(State(state): State<AppState>, Query(q): Query<ExploreQuery>) -> Result<Response, ApiError> {
    let (mut groups, total) = state.app.explore(&q.q, q.page.get()).await?;
    let per_page = usize::try_from(weft_app::groups::EXPLORE_PER_PAGE).unwrap_or(usize::MAX);
    let has_more = groups.len() > per_page;
    groups.truncate(per_page);
    Ok(Json(ExploreDto::new(&groups, q.page.get(), has_more, total)).into_response())
}
