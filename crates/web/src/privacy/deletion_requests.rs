//! P12 pages: a member asks a group's coordinators to delete their content
//! (`/g/{key}/delete-my-content`), anyone writes to the data protection officer
//! (`/privacy/request`), and the two queues with deadlines: `/g/{key}/deletion-requests` for
//! coordinators and `/admin/deletion-requests` for instance administrators.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use weft_app::AppError;
use weft_app::deletion_requests::{DeletionRequest, DpoRequestInput, Resolution};
use weft_app::groups::GroupView;
use weft_domain::ValidationErrors;
use weft_domain::permissions::Action;

use crate::AppState;
use crate::auth::signed_in_for;
use crate::auth::{Client, MaybeUser, RequireUser};
use crate::error::WebError;
use crate::rate_limit::Door;
use crate::shell::Notice;
use crate::shell::{PageCtx, render};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RequestForm {
    name: String,
    email: String,
    body: String,
}

/// One form for both doors: to a group's coordinators (`group` set) or to the DPO.
#[derive(Template)]
#[template(path = "privacy/deletion_request_form.html")]
struct FormPage {
    ctx: PageCtx,
    group: Option<GroupView>,
    signed_in: bool,
    dpo_contact: Option<String>,
    form: RequestForm,
    errors: ValidationErrors,
}

pub async fn group_form(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::AskToDeleteContent).await?;
    let group = state
        .app
        .group_for(Some(&who), &key, Action::AskToDeleteContent)
        .await?;
    Ok(render(
        StatusCode::OK,
        &FormPage {
            ctx,
            group: Some(group),
            signed_in: true,
            dpo_contact: state.app.config.dpo_contact.clone(),
            form: RequestForm::default(),
            errors: ValidationErrors::new(),
        },
    ))
}

pub async fn group_submit(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(form): Form<RequestForm>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::AskToDeleteContent).await?;
    match state.app.ask_group_to_delete(&who, &key, &form.body).await {
        Ok(_) => Ok(Redirect::to(&Notice::DeletionRequested.on(&format!("/g/{key}"))).into_response()),
        Err(AppError::Invalid(errors)) => {
            let group = state
                .app
                .group_for(Some(&who), &key, Action::AskToDeleteContent)
                .await?;
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &FormPage {
                    ctx,
                    group: Some(group),
                    signed_in: true,
                    dpo_contact: state.app.config.dpo_contact.clone(),
                    form,
                    errors,
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn dpo_form(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    Ok(render(
        StatusCode::OK,
        &FormPage {
            ctx,
            group: None,
            signed_in: who.is_some(),
            dpo_contact: state.app.config.dpo_contact.clone(),
            form: RequestForm::default(),
            errors: ValidationErrors::new(),
        },
    ))
}

pub async fn dpo_submit(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    client: Client,
    ctx: PageCtx,
    Form(form): Form<RequestForm>,
) -> Result<Response, WebError> {
    crate::accounts::pages::limited(&state, Door::DataRequest, &client, Some(&form.email)).await?;
    let input = DpoRequestInput {
        name: form.name.clone(),
        email: form.email.clone(),
        body: form.body.clone(),
    };
    match state.app.ask_dpo(who.as_ref(), &input).await {
        Ok(_) => Ok(Redirect::to(&Notice::DpoRequested.on("/privacy")).into_response()),
        Err(AppError::Invalid(errors)) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &FormPage {
                ctx,
                group: None,
                signed_in: who.is_some(),
                dpo_contact: state.app.config.dpo_contact.clone(),
                form,
                errors,
            },
        )),
        Err(e) => Err(e.into()),
    }
}

/// A queue: a group's (with `group`) or the instance's.
#[derive(Template)]
#[template(path = "privacy/deletion_requests.html")]
struct QueuePage {
    ctx: PageCtx,
    group: Option<GroupView>,
    requests: Vec<DeletionRequest>,
    now: weft_domain::Timestamp,
    /// The request whose answer failed validation, with the errors and what was typed.
    failed: Option<(String, ValidationErrors, String)>,
}

impl QueuePage {
    fn action(&self, r: &DeletionRequest) -> String {
        match &self.group {
            Some(g) => format!("/g/{}/deletion-requests/{}", g.group.key, r.key),
            None => format!("/admin/deletion-requests/{}", r.key),
        }
    }

    fn error_for(&self, r: &DeletionRequest) -> Option<&str> {
        self.failed
            .as_ref()
            .filter(|(k, _, _)| *k == r.key)
            .and_then(|(_, e, _)| e.first("outcome"))
    }

    fn typed_for(&self, r: &DeletionRequest) -> &str {
        self.failed
            .as_ref()
            .filter(|(k, _, _)| *k == r.key)
            .map_or("", |(_, _, t)| t.as_str())
    }

    fn overdue(&self, r: &DeletionRequest) -> bool {
        r.status.is_open() && r.due_at < self.now
    }

    fn days_left(&self, r: &DeletionRequest) -> i64 {
        (r.due_at.micros() - self.now.micros()).div_euclid(86_400_000_000)
    }
}

pub async fn group_queue(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::ManageMembers).await?;
    let (group, requests) = state.app.group_deletion_requests(&who, &key).await?;
    let now = state.app.clock.now();
    Ok(render(
        StatusCode::OK,
        &QueuePage {
            ctx,
            group: Some(group),
            requests,
            now,
            failed: None,
        },
    ))
}

pub async fn admin_queue(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    let requests = state.app.instance_deletion_requests(&who).await?;
    let now = state.app.clock.now();
    Ok(render(
        StatusCode::OK,
        &QueuePage {
            ctx,
            group: None,
            requests,
            now,
            failed: None,
        },
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResolveForm {
    resolution: String,
    outcome: String,
}

pub async fn group_resolve(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path((key, request)): Path<(String, String)>,
    Form(form): Form<ResolveForm>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::ManageMembers).await?;
    let resolution = Resolution::parse(&form.resolution).ok_or(AppError::NotFound)?;
    match state
        .app
        .resolve_group_deletion_request(&who, &key, &request, resolution, &form.outcome)
        .await
    {
        Ok(()) => Ok(Redirect::to(&Notice::RequestResolved.on(&format!("/g/{key}/deletion-requests"))).into_response()),
        Err(AppError::Invalid(errors)) => {
            let (group, requests) = state.app.group_deletion_requests(&who, &key).await?;
            let now = state.app.clock.now();
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &QueuePage {
                    ctx,
                    group: Some(group),
                    requests,
                    now,
                    failed: Some((request, errors, form.outcome)),
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn admin_resolve(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(request): Path<String>,
    Form(form): Form<ResolveForm>,
) -> Result<Response, WebError> {
    let resolution = Resolution::parse(&form.resolution).ok_or(AppError::NotFound)?;
    match state
        .app
        .resolve_instance_deletion_request(&who, &request, resolution, &form.outcome)
        .await
    {
        Ok(()) => Ok(Redirect::to(&Notice::RequestResolved.on("/admin/deletion-requests")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let requests = state.app.instance_deletion_requests(&who).await?;
            let now = state.app.clock.now();
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &QueuePage {
                    ctx,
                    group: None,
                    requests,
                    now,
                    failed: Some((request, errors, form.outcome)),
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}
