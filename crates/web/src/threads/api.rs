//! `/api/v1/…threads…`: threads and comments over JSON, through the same use cases as the pages.
//! Authors appear by name and username, never by email.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use weft_app::AppError;
use weft_app::threads::{CommentId, ThreadInput, ThreadView};
use weft_domain::permissions::{Action, ThreadAction};

use super::dto::{CommentDto, ListedThreadDto, ThreadDto, ThreadPageDto};

use crate::AppState;
use crate::auth::{MaybeUser, RequireUser};
use crate::error::ApiError;

async fn thread_json(v: &ThreadView) -> ThreadDto {
    crate::markdown_cache::prepare([v.thread.context.as_str()]).await;
    ThreadDto::from_view(v)
}

/// A group's threads, one page.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ThreadListDto {
    pub threads: Vec<ListedThreadDto>,
    pub page: i64,
    pub has_more: bool,
    /// How many threads the list holds in all, with these filters.
    pub total: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    page: weft_domain::Page,
    tag: String,
    /// "open" or "closed"; anything else: both.
    status: String,
    unread: bool,
    /// `activity` (the default: latest activity first), `newest` or `unread` (unread first).
    sort: String,
}

pub async fn list(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let view = state.app.group_for(who.as_ref(), &key, Action::SeeContent).await?;
    let filter = weft_app::threads::ThreadFilter {
        tag: q.tag.trim().to_lowercase(),
        closed: match q.status.as_str() {
            "open" => Some(false),
            "closed" => Some(true),
            _ => None,
        },
        unread: q.unread,
        sort: weft_app::threads::ThreadSort::parse(&q.sort),
    };
    let found = state
        .app
        .group_threads(who.as_ref(), &view, &filter, q.page.get())
        .await?;
    let threads = found
        .threads
        .iter()
        .map(|lt| ListedThreadDto::from_listed(lt, who.is_some()))
        .collect();
    Ok(Json(ThreadListDto {
        threads,
        page: found.page,
        has_more: found.has_more,
        total: found.total,
    })
    .into_response())
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct ThreadBody {
    title: Option<String>,
    context: Option<String>,
    privacy: String,
    /// Comma-separated, or a list; left out: unchanged.
    tags: Option<Tags>,
    /// A new thread: `"group"` notifies the whole group (as `members_can_announce` allows),
    /// `"chosen"` the people of `notify_people` and the members of `notify_subgroups`, `"nobody"`
    /// or left out tells the group in the app only (the loud by email).
    notify: String,
    /// With `"chosen"`: usernames (with or without `@`), each someone who may read the thread.
    notify_people: Vec<String>,
    /// With `"chosen"`: keys of subgroups (as `members_can_announce` allows).
    notify_subgroups: Vec<String>,
}

#[derive(Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Tags {
    List(Vec<String>),
    Text(String),
}

impl Tags {
    fn joined(self) -> String {
        match self {
            Self::List(list) => list.join(","),
            Self::Text(text) => text,
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<ThreadBody>,
) -> Result<Response, ApiError> {
    let input = ThreadInput {
        title: body.title.unwrap_or_default(),
        context: body.context.unwrap_or_default(),
        privacy: body.privacy,
        tags: body.tags.map(Tags::joined),
        notify: body.notify,
        notify_people: body.notify_people,
        notify_subgroups: body.notify_subgroups,
    };
    let thread = state.app.start_thread(&who, &key, &input).await?;
    let v = state.app.thread_for(Some(&who), &thread, ThreadAction::See).await?;
    Ok((StatusCode::CREATED, Json(thread_json(&v).await)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FromQuery {
    from: Option<i64>,
}

/// The thread with one page of its timeline; reading it moves the caller's read mark.
pub async fn show(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
    Query(q): Query<FromQuery>,
) -> Result<Response, ApiError> {
    let p = state.app.thread_page(who.as_ref(), &key, q.from).await?;
    // One blocking hop for the whole page: `thread_json` then finds its context cached.
    let texts =
        std::iter::once(p.view.thread.context.as_str()).chain(p.comments.iter().map(|c| c.comment.body.as_str()));
    crate::markdown_cache::prepare(texts).await;
    Ok(Json(ThreadPageDto::from_page(&p, who.is_some())).into_response())
}

/// Edits title and context (fields left out keep their value).
pub async fn update(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<ThreadBody>,
) -> Result<Response, ApiError> {
    let v = state.app.thread_for(Some(&who), &key, ThreadAction::Edit).await?;
    let input = ThreadInput {
        title: body.title.unwrap_or_else(|| v.thread.title.clone()),
        context: body.context.unwrap_or_else(|| v.thread.context.clone()),
        privacy: if v.thread.private { "private" } else { "public" }.into(),
        tags: body.tags.map(Tags::joined),
        notify: String::new(),
        notify_people: Vec::new(),
        notify_subgroups: Vec::new(),
    };
    state.app.update_thread(&who, &key, &input).await?;
    let v = state.app.thread_for(Some(&who), &key, ThreadAction::See).await?;
    Ok(Json(thread_json(&v).await).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    state.app.delete_thread(&who, &key).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `pin`, `unpin`, `close`, `reopen`, `read`.
pub async fn change(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path((key, change)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let result = match change.as_str() {
        "pin" => state.app.set_thread_pinned(&who, &key, true).await,
        "unpin" => state.app.set_thread_pinned(&who, &key, false).await,
        "close" => state.app.set_thread_closed(&who, &key, true).await,
        "reopen" => state.app.set_thread_closed(&who, &key, false).await,
        "read" => state.app.mark_thread_read(&who, &key).await,
        _ => Err(AppError::NotFound),
    };
    result?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn history(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let (_, list) = state.app.thread_history(who.as_ref(), &key).await?;
    let revisions: Vec<Value> = list
        .iter()
        .map(|r| json!({"title": r.title, "context": r.body, "editor": r.editor_name, "replaced_at": r.created_at.rfc3339()}))
        .collect();
    Ok(Json(json!({"revisions": revisions})).into_response())
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct CommentBody {
    body: String,
    #[schema(value_type = Option<i64>)]
    parent_id: Option<CommentId>,
    /// Answer the poll, vote or outcome at this place (`seq`) of the timeline (an event's `seq`).
    about_seq: Option<i64>,
}

pub async fn comment(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<CommentBody>,
) -> Result<Response, ApiError> {
    let seq = state
        .app
        .add_comment_about(&who, &key, &body.body, body.parent_id, body.about_seq)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"seq": seq}))).into_response())
}

pub async fn edit_comment(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path((key, id)): Path<(String, CommentId)>,
    Json(body): Json<CommentBody>,
) -> Result<Response, ApiError> {
    state.app.edit_comment(&who, &key, id, &body.body).await?;
    let (v, c) = state.app.comment_to_edit(&who, &key, id).await?;
    crate::markdown_cache::prepare([c.body.as_str()]).await;
    let entry = v.entry(c);
    Ok(Json(CommentDto::from_entry(&v, &entry, &[])).into_response())
}

pub async fn delete_comment(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path((key, id)): Path<(String, CommentId)>,
) -> Result<Response, ApiError> {
    let (seq, until) = state.app.delete_comment(&who, &key, id).await?;
    Ok(Json(json!({"seq": seq, "restorable_until": until.rfc3339()})).into_response())
}

/// Brings back a comment this caller deleted, before its undo time is over (404 after).
pub async fn restore_comment(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path((key, id)): Path<(String, CommentId)>,
) -> Result<Response, ApiError> {
    let seq = state.app.restore_comment(&who, &key, id).await?;
    Ok(Json(json!({"seq": seq})).into_response())
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct ReactionBody {
    reaction: String,
}

/// Toggles a reaction: `{"reaction": "thumbs_up"}` (or the emoji itself).
pub async fn react(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path((key, id)): Path<(String, CommentId)>,
    Json(body): Json<ReactionBody>,
) -> Result<Response, ApiError> {
    let (_, on) = state.app.toggle_reaction(&who, &key, id, &body.reaction).await?;
    Ok(Json(json!({"reacted": on})).into_response())
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct MoveBody {
    group_key: String,
}

pub async fn move_thread(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<MoveBody>,
) -> Result<Response, ApiError> {
    state.app.move_thread(&who, &key, &body.group_key).await?;
    let v = state.app.thread_for(Some(&who), &key, ThreadAction::See).await?;
    Ok(Json(thread_json(&v).await).into_response())
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct GuestsBody {
    emails: crate::invitations::api::Emails,
    message: String,
}

/// Invites guests into the thread: `{"emails": [...] | "a, b", "message": "..."}`.
pub async fn invite_guests(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<GuestsBody>,
) -> Result<Response, ApiError> {
    let input = weft_app::invitations::InviteInput {
        emails: body.emails.joined(),
        message: body.message,
    };
    let invited = state.app.invite_guests(&who, &key, &input).await?;
    // The same answer whether an address belongs to a member or not (P6).
    Ok((StatusCode::CREATED, Json(json!({"invited": invited}))).into_response())
}

pub async fn guests(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let list = state.app.thread_guests(who.as_ref(), &key).await?;
    let list: Vec<Value> = list
        .iter()
        .map(|g| json!({"key": g.user_key, "name": g.name, "username": g.username, "deactivated": g.name.is_none()}))
        .collect();
    Ok(Json(json!({"guests": list})).into_response())
}

pub async fn remove_guest(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path((key, user)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    state.app.remove_guest(&who, &key, &user).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct VolumeBody {
    volume: String,
}

/// `{"volume": "mute" | "quiet" | "normal" | "loud" | "group"}` ("group": no choice of one's own;
/// "follow", the word before, is loud).
pub async fn volume(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<VolumeBody>,
) -> Result<Response, ApiError> {
    state.app.set_thread_volume(&who, &key, &body.volume).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MentionQuery {
    /// What follows the `@` so far.
    q: String,
}

/// `GET /api/v1/threads/{key}/mentionable?q=ad`: whom `@ad…` may mean, among the people who may
/// read the thread, for someone who may comment there (`{"people": [{"username", "name"}]}`).
pub async fn mentionable(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Query(q): Query<MentionQuery>,
) -> Result<Response, ApiError> {
    let people = state.app.mentionable(&who, &key, &q.q).await?;
    Ok(Json(json!({ "people": people })).into_response())
}
