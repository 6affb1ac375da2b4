//! `/profile…`: name, username, email and password changes, and the sessions list.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use weft_app::{AppError, SessionInfo, SessionUser};
use weft_domain::ValidationErrors;

use super::pages::Confirm;
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::WebError;
use crate::shell::Notice;
use crate::shell::{PageCtx, render};

#[derive(Template)]
#[template(path = "accounts/profile.html")]
struct Profile {
    ctx: PageCtx,
    name: String,
    username: String,
    /// The zone times are shown in; empty until chosen (the page's script proposes the browser's).
    time_zone: String,
    bio: String,
    /// Every zone the chooser offers.
    zones: Vec<String>,
    email: String,
    new_email: String,
    reauth_hint: &'static str,
    profile_errors: ValidationErrors,
    email_errors: ValidationErrors,
    password_errors: ValidationErrors,
    /// Who can see each piece of data about them ("beyond" P8).
    audiences: Vec<weft_app::privacy::Audience>,
}

impl Profile {
    async fn new(state: &AppState, ctx: PageCtx, who: &SessionUser) -> Result<Self, WebError> {
        let audiences = state.app.who_can_see(who).await?;
        Ok(Self {
            ctx,
            name: who.user.name.clone(),
            username: who.user.username.as_str().to_owned(),
            time_zone: who.user.time_zone.clone().unwrap_or_default(),
            bio: who.user.bio.clone(),
            zones: weft_domain::polls::meeting::Zone::all(),
            email: who.user.email.as_str().to_owned(),
            new_email: String::new(),
            reauth_hint: if who.user.password_hash.is_some() {
                "Needed unless you logged in during the last 10 minutes."
            } else {
                "You have no password yet: leave this empty if you logged in during the last 10 minutes."
            },
            profile_errors: ValidationErrors::new(),
            email_errors: ValidationErrors::new(),
            password_errors: ValidationErrors::new(),
            audiences,
        })
    }
}

fn reauth_errors(e: AppError, field: &str) -> Result<ValidationErrors, WebError> {
    match e {
        AppError::Invalid(errors) => Ok(errors),
        AppError::ReauthenticationRequired => Ok(ValidationErrors::single(
            field,
            "Enter your current password, or log in again by email link and retry within 10 minutes.",
        )),
        other => Err(other.into()),
    }
}

pub async fn show(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    Ok(render(StatusCode::OK, &Profile::new(&state, ctx, &who).await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProfileForm {
    time_zone: String,
    /// Absent (a client that does not know it): left as it is.
    bio: Option<String>,
    name: String,
    username: String,
}

pub async fn update(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Form(form): Form<ProfileForm>,
) -> Result<Response, WebError> {
    let change = weft_app::accounts::ProfileChange {
        name: &form.name,
        username: &form.username,
        time_zone: Some(&form.time_zone),
        bio: form.bio.as_deref(),
    };
    match state.app.update_profile(&who, &change).await {
        Ok(()) => Ok(Redirect::to(&Notice::ProfileSaved.on("/profile")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut page = Profile::new(&state, ctx, &who).await?;
            page.name = form.name;
            page.username = form.username;
            page.time_zone = form.time_zone;
            page.bio = form.bio.unwrap_or_default();
            page.profile_errors = errors;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    email: String,
    #[serde(rename = "email-current-password")]
    current_password: String,
}

pub async fn change_email(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Form(form): Form<EmailForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .request_email_change(&who, &form.current_password, &form.email)
        .await
    {
        Ok(()) => Ok(Redirect::to(&Notice::EmailSent.on("/profile")).into_response()),
        Err(e) => {
            let mut errors = reauth_errors(e, "current_password")?;
            // The form's password field is named apart from the password form's.
            if let Some(messages) = errors.get("current_password").map(<[String]>::to_vec) {
                let mut renamed = ValidationErrors::new();
                for (field, list) in errors.fields() {
                    if field != "current_password" {
                        list.iter().for_each(|m| renamed.add(field, m.clone()));
                    }
                }
                messages.into_iter().for_each(|m| renamed.add("current_password", m));
                errors = renamed;
            }
            let mut page = Profile::new(&state, ctx, &who).await?;
            page.new_email = form.email;
            page.email_errors = errors;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

pub async fn confirm_email_page(ctx: PageCtx, Path(token): Path<String>) -> Response {
    render(
        StatusCode::OK,
        &Confirm {
            ctx,
            heading: "Confirm your new address",
            text: "Your account will use this address from now on.",
            button: "Confirm new address",
            action: format!("/profile/email/confirm/{token}"),
        },
    )
}

pub async fn confirm_email(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, WebError> {
    state.app.confirm_email_change(&token).await?;
    Ok(Redirect::to(&Notice::EmailChanged.on("/profile")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .change_password(&who, &form.current_password, &form.new_password)
        .await
    {
        Ok(()) => Ok(Redirect::to(&Notice::PasswordChanged.on("/profile")).into_response()),
        Err(e) => {
            let mut page = Profile::new(&state, ctx, &who).await?;
            page.password_errors = reauth_errors(e, "current_password")?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

#[derive(Template)]
#[template(path = "accounts/sessions.html")]
struct Sessions {
    ctx: PageCtx,
    sessions: Vec<SessionInfo>,
}

pub async fn sessions(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    let sessions = state.app.list_sessions(&who).await?;
    Ok(render(StatusCode::OK, &Sessions { ctx, sessions }))
}

pub async fn end_session(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state.app.end_session(&who, id).await?;
    if id == who.session.id {
        let mut res = Redirect::to(&Notice::LoggedOut.on("/")).into_response();
        res.headers_mut()
            .append(axum::http::header::SET_COOKIE, state.cookies.clear_session());
        return Ok(res);
    }
    Ok(Redirect::to(&Notice::SessionEnded.on("/profile/sessions")).into_response())
}

pub async fn end_all_sessions(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
) -> Result<Response, WebError> {
    state.app.log_out_everywhere(&who).await?;
    let mut res = Redirect::to(&Notice::LoggedOut.on("/login")).into_response();
    res.headers_mut()
        .append(axum::http::header::SET_COOKIE, state.cookies.clear_session());
    Ok(res)
}

#[derive(Template)]
#[template(path = "accounts/person.html")]
struct PersonPage {
    ctx: PageCtx,
    person: weft_app::accounts::Person,
    avatar: weft_domain::avatars::Avatar,
}

/// `/u/{username}`: where a mention leads.
pub async fn person(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(username): Path<String>,
) -> Result<Response, WebError> {
    let person = state.app.person(&who, &username).await?;
    let avatar = weft_domain::avatars::Avatar::of(&person.name, &person.username);
    Ok(render(StatusCode::OK, &PersonPage { ctx, person, avatar }))
}

// ---- deactivate and delete (P9, P10) ----

#[derive(Template)]
#[template(path = "accounts/leave.html")]
struct LeavePage {
    ctx: PageCtx,
    delete: bool,
    receipt: weft_app::privacy::DeletionReceipt,
    errors: ValidationErrors,
}

fn leave_page(state: &AppState, ctx: PageCtx, delete: bool, errors: ValidationErrors) -> LeavePage {
    LeavePage {
        ctx,
        delete,
        receipt: weft_app::privacy::DeletionReceipt::preview(state.app.clock.now()),
        errors,
    }
}

pub async fn deactivate_page(State(state): State<AppState>, RequireUser(_): RequireUser, ctx: PageCtx) -> Response {
    render(StatusCode::OK, &leave_page(&state, ctx, false, ValidationErrors::new()))
}

pub async fn delete_page(State(state): State<AppState>, RequireUser(_): RequireUser, ctx: PageCtx) -> Response {
    render(StatusCode::OK, &leave_page(&state, ctx, true, ValidationErrors::new()))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LeaveForm {
    current_password: String,
}

/// The reason a confirmation failed, next to the password field.
fn leave_errors(e: AppError) -> Result<ValidationErrors, WebError> {
    match e {
        AppError::Invalid(errors) => Ok(errors),
        AppError::ReauthenticationRequired => Ok(ValidationErrors::single(
            "current_password",
            "Enter your password to confirm.",
        )),
        other => Err(other.into()),
    }
}

pub async fn deactivate(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Form(form): Form<LeaveForm>,
) -> Result<Response, WebError> {
    match state.app.deactivate_account(&who, &form.current_password).await {
        Ok(()) => {
            let mut res = Redirect::to(&Notice::Deactivated.on("/")).into_response();
            res.headers_mut()
                .append(axum::http::header::SET_COOKIE, state.cookies.clear_session());
            Ok(res)
        }
        Err(e) => {
            let errors = leave_errors(e)?;
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &leave_page(&state, ctx, false, errors),
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "accounts/deleted.html")]
struct DeletedPage {
    ctx: PageCtx,
    receipt: weft_app::privacy::DeletionReceipt,
}

pub async fn delete(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    mut ctx: PageCtx,
    Form(form): Form<LeaveForm>,
) -> Result<Response, WebError> {
    match state.app.delete_account(&who, &form.current_password).await {
        Ok(receipt) => {
            ctx.user = None;
            let mut res = render(StatusCode::OK, &DeletedPage { ctx, receipt });
            res.headers_mut()
                .append(axum::http::header::SET_COOKIE, state.cookies.clear_session());
            Ok(res)
        }
        Err(e) => {
            let errors = leave_errors(e)?;
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &leave_page(&state, ctx, true, errors),
            ))
        }
    }
}
