//! The privacy centre over JSON: deletion requests (P12), support access and its log (P13),
//! background exports (P8) and who can see what.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use weft_app::AppError;
use weft_app::deletion_requests::{DeletionRequest, DpoRequestInput, Resolution};

use crate::AppState;
use crate::auth::{Client, MaybeUser, RequireUser};
use crate::error::ApiError;
use crate::rate_limit::Door;

fn request_json(r: &DeletionRequest, with_reply_address: bool) -> serde_json::Value {
    json!({
        "key": r.key,
        "group": r.group_key,
        "requester": if r.requester_name.is_empty() { None } else { Some(&r.requester_name) },
        "reply_email": if with_reply_address { r.reply_email.as_deref() } else { None },
        "body": r.body,
        "status": r.status.as_str(),
        "outcome": r.outcome,
        "created_at": r.created_at.rfc3339(),
        "due_at": r.due_at.rfc3339(),
        "resolved_at": r.resolved_at.map(weft_domain::Timestamp::rfc3339),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RequestBody {
    name: String,
    email: String,
    body: String,
}

pub async fn ask_group(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<RequestBody>,
) -> Result<Response, ApiError> {
    let request = state.app.ask_group_to_delete(&who, &key, &body.body).await?;
    Ok((StatusCode::CREATED, Json(json!({ "key": request }))).into_response())
}

pub async fn group_queue(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let (_, list) = state.app.group_deletion_requests(&who, &key).await?;
    let list: Vec<_> = list.iter().map(|r| request_json(r, false)).collect();
    Ok(Json(json!({ "requests": list })).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResolveBody {
    resolution: String,
    outcome: String,
}

fn resolution(body: &ResolveBody) -> Result<Resolution, ApiError> {
    Resolution::parse(&body.resolution).ok_or_else(|| {
        ApiError::from(AppError::field(
            "resolution",
            "Use \"delete\" or \"done\" to carry it out, \"refuse\" to refuse.",
        ))
    })
}

pub async fn group_resolve(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path((key, request)): Path<(String, String)>,
    Json(body): Json<ResolveBody>,
) -> Result<Response, ApiError> {
    let r = resolution(&body)?;
    state
        .app
        .resolve_group_deletion_request(&who, &key, &request, r, &body.outcome)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn ask_dpo(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    client: Client,
    Json(body): Json<RequestBody>,
) -> Result<Response, ApiError> {
    crate::accounts::api::limited(&state, Door::DataRequest, &client, &body.email).await?;
    let input = DpoRequestInput {
        name: body.name,
        email: body.email,
        body: body.body,
    };
    let request = state.app.ask_dpo(who.as_ref(), &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "key": request }))).into_response())
}

pub async fn admin_queue(State(state): State<AppState>, RequireUser(who): RequireUser) -> Result<Response, ApiError> {
    let list = state.app.instance_deletion_requests(&who).await?;
    let list: Vec<_> = list.iter().map(|r| request_json(r, true)).collect();
    Ok(Json(json!({ "requests": list })).into_response())
}

pub async fn admin_resolve(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(request): Path<String>,
    Json(body): Json<ResolveBody>,
) -> Result<Response, ApiError> {
    let r = resolution(&body)?;
    state
        .app
        .resolve_instance_deletion_request(&who, &request, r, &body.outcome)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn support(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let (_, s) = state.app.support_state(&who, &key).await?;
    let grant = s.grant.map(|g| {
        json!({
            "maintenance": g.maintenance,
            "reason": g.reason,
            "opened_by": g.granted_by_name,
            "created_at": g.created_at.rfc3339(),
            "expires_at": g.expires_at.rfc3339(),
        })
    });
    let log: Vec<_> = s
        .log
        .iter()
        .map(|a| json!({"administrator": a.staff_name, "what": a.what, "reason": a.reason, "at": a.at.rfc3339()}))
        .collect();
    Ok(Json(json!({ "grant": grant, "access_log": log })).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GrantBody {
    hours: i64,
    reason: String,
}

pub async fn grant_support(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<GrantBody>,
) -> Result<Response, ApiError> {
    state.app.grant_support_access(&who, &key, body.hours).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn end_support(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    state.app.end_support_access(&who, &key).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn maintenance(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<GrantBody>,
) -> Result<Response, ApiError> {
    state.app.open_maintenance_access(&who, &key, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn request_export(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
) -> Result<Response, ApiError> {
    state.app.request_export(&who).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

pub async fn visibility(State(state): State<AppState>, RequireUser(who): RequireUser) -> Result<Response, ApiError> {
    let list = state.app.who_can_see(&who).await?;
    let list: Vec<_> = list.iter().map(|a| json!({"what": a.what, "who": a.who})).collect();
    Ok(Json(json!({ "audiences": list })).into_response())
}
