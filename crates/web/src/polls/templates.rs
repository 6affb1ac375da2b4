//! `/g/{key}/templates`: a group's poll templates, for its coordinators to order, hide, show and
//! delete; `/p/{key}/template`: save a poll as one. The API's `/api/v1/groups/{key}/poll-templates`
//! lists the shown ones and `/api/v1/polls/{key}/template` saves one.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use weft_app::AppError;
use weft_app::polls::{Arrange, TemplateEntry};
use weft_domain::ValidationErrors;
use weft_domain::permissions::Action;

use crate::AppState;
use crate::auth::{MaybeUser, RequireUser};
use crate::error::{ApiError, WebError};
use crate::shell::{Notice, PageCtx, render};

#[derive(Template)]
#[template(path = "polls/templates.html")]
struct TemplatesPage {
    ctx: PageCtx,
    group_key: String,
    group_name: String,
    entries: Vec<TemplateEntry>,
    errors: ValidationErrors,
}

pub async fn page(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let (group, entries) = state.app.manage_templates(&who, &key).await?;
    Ok(render(
        StatusCode::OK,
        &TemplatesPage {
            ctx,
            group_key: group.group.key.clone(),
            group_name: group.group.name.clone(),
            entries,
            errors: ValidationErrors::new(),
        },
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ArrangeForm {
    entry: String,
    /// `up`, `down`, `hide`, `show` or `delete`.
    change: String,
}

pub async fn arrange(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(form): Form<ArrangeForm>,
) -> Result<Response, WebError> {
    let Some(change) = Arrange::parse(&form.change) else {
        return Err(AppError::field("entry", "Choose up, down, hide, show or delete.").into());
    };
    match state.app.arrange_template(&who, &key, &form.entry, change).await {
        Ok(()) => Ok(Redirect::to(&format!("/g/{key}/templates#templates")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let (group, entries) = state.app.manage_templates(&who, &key).await?;
            let page = TemplatesPage {
                ctx,
                group_key: group.group.key.clone(),
                group_name: group.group.name.clone(),
                entries,
                errors,
            };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SaveTemplateBody {
    /// What the group's members choose it by.
    name: String,
}

/// From the poll page: saves the poll's settings as a template of its group.
pub async fn save(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(form): Form<SaveTemplateBody>,
) -> Result<Response, WebError> {
    match state.app.save_poll_as_template(&who, &key, &form.name).await {
        Ok(_) => Ok(Redirect::to(&Notice::TemplateSaved.on(&format!("/p/{key}"))).into_response()),
        Err(AppError::Invalid(errors)) => {
            // Shown next to the template's name on the poll page, as any form's errors.
            let message = errors.first("name").unwrap_or("Name the template.").to_owned();
            let errors = ValidationErrors::single("template_name", message);
            super::pages::with_errors(&state, &who, ctx, &key, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// One template as the API lists it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TemplateDto {
    /// What `template` takes when raising a poll: a built-in word or `saved:<key>`.
    pub value: String,
    pub label: String,
    pub summary: String,
    /// A group's own (not built in).
    pub saved: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TemplateListDto {
    pub templates: Vec<TemplateDto>,
}

pub async fn api_list(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let group = state.app.group_for(who.as_ref(), &key, Action::SeeContent).await?;
    let templates = state
        .app
        .poll_templates_in(group.group.id)
        .await?
        .into_iter()
        .map(|e| TemplateDto {
            value: e.value,
            label: e.label,
            summary: e.summary,
            saved: e.saved,
        })
        .collect();
    Ok(Json(TemplateListDto { templates }).into_response())
}

pub async fn api_save(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<SaveTemplateBody>,
) -> Result<Response, ApiError> {
    let value = state.app.save_poll_as_template(&who, &key, &body.name).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "value": value }))).into_response())
}
