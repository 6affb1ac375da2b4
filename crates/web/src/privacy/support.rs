//! P13 pages: `/g/{key}/support`. Coordinators open or close time-limited support access and read
//! the access log; instance administrators see whether access is open and may open one hour of
//! maintenance access with a reason.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use weft_app::AppError;
use weft_app::groups::GroupView;
use weft_app::support::{SUPPORT_DURATIONS, SupportState};
use weft_domain::ValidationErrors;
use weft_domain::permissions::Action;

use crate::AppState;
use crate::auth::MaybeUser;
use crate::auth::signed_in_for;
use crate::error::WebError;
use crate::shell::Notice;
use crate::shell::{PageCtx, render};

#[derive(Template)]
#[template(path = "privacy/support.html")]
struct SupportPage {
    ctx: PageCtx,
    v: GroupView,
    state: SupportState,
    coordinator: bool,
    staff: bool,
    durations: &'static [(i64, &'static str)],
    reason: String,
    errors: ValidationErrors,
}

async fn page(
    state: &AppState,
    who: &weft_app::SessionUser,
    ctx: PageCtx,
    key: &str,
    reason: String,
    errors: ValidationErrors,
) -> Result<Response, WebError> {
    let (v, support) = state.app.support_state(who, key).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        status,
        &SupportPage {
            ctx,
            coordinator: v.may(Action::ChangeSettings),
            staff: who.user.is_admin,
            v,
            state: support,
            durations: &SUPPORT_DURATIONS,
            reason,
            errors,
        },
    ))
}

pub async fn show(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::ChangeSettings).await?;
    page(&state, &who, ctx, &key, String::new(), ValidationErrors::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GrantForm {
    hours: i64,
}

pub async fn grant(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
    Form(form): Form<GrantForm>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::ChangeSettings).await?;
    state.app.grant_support_access(&who, &key, form.hours).await?;
    Ok(Redirect::to(&Notice::SupportGranted.on(&format!("/g/{key}/support"))).into_response())
}

pub async fn end(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::ChangeSettings).await?;
    state.app.end_support_access(&who, &key).await?;
    Ok(Redirect::to(&Notice::SupportEnded.on(&format!("/g/{key}/support"))).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MaintenanceForm {
    reason: String,
}

pub async fn maintenance(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(form): Form<MaintenanceForm>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::SeeGroup).await?;
    match state.app.open_maintenance_access(&who, &key, &form.reason).await {
        Ok(()) => Ok(Redirect::to(&Notice::MaintenanceOpened.on(&format!("/g/{key}"))).into_response()),
        Err(AppError::Invalid(errors)) => page(&state, &who, ctx, &key, form.reason, errors).await,
        Err(e) => Err(e.into()),
    }
}
