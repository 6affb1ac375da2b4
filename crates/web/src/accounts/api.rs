//! `/api/v1/signup`, `/session`, `/me`: accounts over JSON.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use weft_app::{AppError, LogInOutcome, SessionUser};

use crate::AppState;
use crate::auth::{Client, RequireUser};
use crate::cookies;
use crate::error::ApiError;
use crate::rate_limit::Door;

/// The signed-in user as they see themselves (their own email included).
#[derive(Serialize)]
pub struct Me {
    key: String,
    name: String,
    username: String,
    email: String,
    email_verified: bool,
    bio: String,
    created_at: String,
}

impl Me {
    fn of(who: &SessionUser) -> Self {
        Self {
            key: who.user.key.clone(),
            name: who.user.name.clone(),
            username: who.user.username.as_str().to_owned(),
            email: who.user.email.as_str().to_owned(),
            email_verified: who.user.is_verified(),
            bio: who.user.bio.clone(),
            created_at: who.user.created_at.rfc3339(),
        }
    }
}

pub(crate) async fn limited(state: &AppState, door: Door, client: &Client, email: &str) -> Result<(), ApiError> {
    Ok(crate::rate_limit::limited(state, door, client, Some(email), true).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignUpBody {
    name: String,
    email: String,
    password: String,
    /// An IANA time zone ("Europe/Berlin") for the new account; ignored when unknown.
    #[serde(default)]
    time_zone: Option<String>,
}

/// 202 for every valid request, whether or not the address already had an account.
pub async fn signup(
    State(state): State<AppState>,
    client: Client,
    axum::Extension(csrf): axum::Extension<crate::security::CsrfToken>,
    Json(body): Json<SignUpBody>,
) -> Result<Response, ApiError> {
    limited(&state, Door::SignUp, &client, &body.email).await?;
    let input = weft_app::accounts::SignUp {
        name: &body.name,
        email: &body.email,
        password: &body.password,
        next: None,
        browser: Some(&csrf.0),
        time_zone: body.time_zone.as_deref(),
    };
    state.app.sign_up(&input).await?;
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({"status": "check_email"}))).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LogInBody {
    email: String,
    password: String,
}

pub async fn log_in(
    State(state): State<AppState>,
    client: Client,
    axum::Extension(csrf): axum::Extension<crate::security::CsrfToken>,
    headers: HeaderMap,
    Json(body): Json<LogInBody>,
) -> Result<Response, ApiError> {
    limited(&state, Door::LogIn, &client, &body.email).await?;
    match state
        .app
        .log_in_with_password(&body.email, &body.password, Some(&csrf.0), client.info)
        .await?
    {
        LogInOutcome::NeedsVerification => Err(ApiError::from(AppError::field(
            "email",
            "Confirm your address first: we sent you a new link.",
        ))),
        LogInOutcome::LoggedIn(session) => {
            if let Some(old) = cookies::get(&headers, state.cookies.session) {
                state.app.log_out(old).await?;
            }
            let mut res = (StatusCode::OK, Json(serde_json::json!({"status": "logged_in"}))).into_response();
            res.headers_mut()
                .append(header::SET_COOKIE, state.cookies.set_session(session.token.expose()));
            Ok(res)
        }
    }
}

pub async fn log_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = cookies::get(&headers, state.cookies.session) {
        state.app.log_out(token).await?;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, state.cookies.clear_session());
    Ok(res)
}

pub async fn me(RequireUser(who): RequireUser) -> Json<Me> {
    Json(Me::of(&who))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MeBody {
    name: Option<String>,
    username: Option<String>,
    /// An IANA time zone ("Europe/Berlin"); "" forgets it.
    time_zone: Option<String>,
    /// A few words for the profile page (plain text, at most 300 characters); "" removes them.
    bio: Option<String>,
}

pub async fn update_me(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Json(body): Json<MeBody>,
) -> Result<Response, ApiError> {
    let name = body.name.unwrap_or_else(|| who.user.name.clone());
    let username = body.username.unwrap_or_else(|| who.user.username.as_str().to_owned());
    let change = weft_app::accounts::ProfileChange {
        name: &name,
        username: &username,
        time_zone: body.time_zone.as_deref(),
        bio: body.bio.as_deref(),
    };
    state.app.update_profile(&who, &change).await?;
    let mut updated = who.clone();
    updated.user.name = name.trim().to_owned();
    if let Some(bio) = &body.bio {
        updated.user.bio = weft_domain::user::parse_bio(bio).unwrap_or_default();
    }
    updated.user.username =
        weft_domain::Username::parse(&username).map_err(|e| ApiError::from(AppError::field("username", e.message)))?;
    Ok(Json(Me::of(&updated)).into_response())
}

#[derive(Serialize)]
pub struct SessionJson {
    id: i64,
    browser: String,
    ip_masked: String,
    created_at: String,
    last_seen_at: String,
    current: bool,
}

pub async fn sessions(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
) -> Result<Json<Vec<SessionJson>>, ApiError> {
    let list = state.app.list_sessions(&who).await?;
    Ok(Json(
        list.into_iter()
            .map(|s| SessionJson {
                id: s.id,
                created_at: s.created_at.rfc3339(),
                last_seen_at: s.last_seen_at.rfc3339(),
                current: s.current,
                browser: s.browser,
                ip_masked: s.ip_masked,
            })
            .collect(),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfirmBody {
    current_password: String,
}

/// P9: `{"current_password": "…"}`; every session ends, this one included.
pub async fn deactivate(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Json(body): Json<ConfirmBody>,
) -> Result<Response, ApiError> {
    state.app.deactivate_account(&who, &body.current_password).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, state.cookies.clear_session());
    Ok(res)
}

/// P10: deletes the account for good and answers with the receipt.
pub async fn delete_me(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Json(body): Json<ConfirmBody>,
) -> Result<Response, ApiError> {
    let receipt = state.app.delete_account(&who, &body.current_password).await?;
    let mut res = Json(serde_json::json!({
        "deleted_at": receipt.at.rfc3339(),
        "deleted": receipt.deleted,
        "kept": receipt.kept,
    }))
    .into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, state.cookies.clear_session());
    Ok(res)
}
