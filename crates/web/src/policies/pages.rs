//! `/privacy`, `/terms` (with every earlier version), `/third-parties` (P16, P19), and
//! `/admin/policies/{kind}` where an instance administrator publishes a new version.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use weft_app::policies::{PolicyKind, PolicyPage};
use weft_app::{AppError, SessionUser};
use weft_domain::{LocalPath, ValidationErrors};

use crate::AppState;
use crate::auth::{MaybeUser, RequireUser};
use crate::error::WebError;
use crate::shell::Notice;
use crate::shell::{PageCtx, render};

#[derive(Template)]
#[template(path = "policies/policy.html")]
struct PolicyTemplate {
    ctx: PageCtx,
    p: PolicyPage,
    html: String,
    can_edit: bool,
    /// P12: shown under the privacy policy.
    dpo_contact: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VersionQuery {
    version: Option<i64>,
}

async fn show(
    state: &AppState,
    who: Option<SessionUser>,
    ctx: PageCtx,
    kind: PolicyKind,
    version: Option<i64>,
) -> Result<Response, WebError> {
    let p = state.app.policy(kind, version).await?;
    crate::markdown_cache::prepare([p.body.as_str()]).await;
    let can_edit = who.is_some_and(|w| w.user.is_admin);
    let page = PolicyTemplate {
        html: crate::markdown_cache::to_html(&p.body).to_string(),
        ctx,
        p,
        can_edit,
        dpo_contact: state.app.config.dpo_contact.clone(),
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn privacy(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Query(q): Query<VersionQuery>,
) -> Result<Response, WebError> {
    show(&state, who, ctx, PolicyKind::Privacy, q.version).await
}

pub async fn terms(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Query(q): Query<VersionQuery>,
) -> Result<Response, WebError> {
    show(&state, who, ctx, PolicyKind::Terms, q.version).await
}

#[derive(Template)]
#[template(path = "policies/third_parties.html")]
struct ThirdPartiesPage {
    ctx: PageCtx,
    parties: Vec<(String, String)>,
}

pub async fn third_parties(State(state): State<AppState>, ctx: PageCtx) -> Response {
    let parties = state.app.third_parties();
    render(StatusCode::OK, &ThirdPartiesPage { ctx, parties })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SeenForm {
    next: String,
}

/// "Got it": every current policy version counts as seen.
pub async fn seen(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Form(form): Form<SeenForm>,
) -> Result<Response, WebError> {
    state.app.ack_policies(&who).await?;
    Ok(Redirect::to(LocalPath::or_root(Some(&form.next)).as_str()).into_response())
}

#[derive(Template)]
#[template(path = "policies/policy_form.html")]
struct PolicyForm {
    ctx: PageCtx,
    kind: PolicyKind,
    body: String,
    summary: String,
    email: bool,
    errors: ValidationErrors,
}

fn kind_of(kind: &str) -> Result<PolicyKind, WebError> {
    PolicyKind::parse(kind).ok_or_else(|| AppError::NotFound.into())
}

pub async fn edit_form(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(kind): Path<String>,
) -> Result<Response, WebError> {
    let kind = kind_of(&kind)?;
    if !who.user.is_admin {
        return Err(AppError::Forbidden.into());
    }
    let current = state.app.policy(kind, None).await?;
    let page = PolicyForm {
        ctx,
        kind,
        body: current.body,
        summary: String::new(),
        email: false,
        errors: ValidationErrors::new(),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PublishForm {
    body: String,
    summary: String,
    email: Option<String>,
}

pub async fn publish(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(kind): Path<String>,
    Form(form): Form<PublishForm>,
) -> Result<Response, WebError> {
    let kind = kind_of(&kind)?;
    match state
        .app
        .publish_policy(&who, kind, &form.body, &form.summary, form.email.is_some())
        .await
    {
        Ok(_) => Ok(Redirect::to(&Notice::PolicyPublished.on(&format!("/{}", kind.as_str()))).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = PolicyForm {
                ctx,
                kind,
                body: form.body,
                summary: form.summary,
                email: form.email.is_some(),
                errors,
            };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- aggregate usage (P2), for instance administrators ----

/// One dimension of the report: its title and (value, count, percent of its largest count).
type UsageSection = (&'static str, Vec<(String, i64, i64)>);

#[derive(Template)]
#[template(path = "policies/admin_usage.html")]
struct UsagePage {
    ctx: PageCtx,
    report: weft_app::usage::UsageReport,
    sections: Vec<UsageSection>,
    max_day: i64,
}

pub async fn usage(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    usage_page(&state, Some(&who), ctx).await
}

/// `/usage`: the same report for everyone, when the operator publishes it (P2).
pub async fn public_usage(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    if !state.app.config.public_usage {
        return Err(AppError::NotFound.into());
    }
    usage_page(&state, who.as_ref(), ctx).await
}

async fn usage_page(state: &AppState, who: Option<&SessionUser>, ctx: PageCtx) -> Result<Response, WebError> {
    let report = state.app.usage_report(who, 30).await?;
    let sections = [
        ("page", "Pages viewed"),
        ("browser", "Browsers"),
        ("language", "Languages"),
        ("referrer", "Sites that linked here"),
    ]
    .into_iter()
    .map(|(dimension, title)| {
        let rows: Vec<(String, i64)> = report
            .totals
            .iter()
            .filter(|(d, _, _)| d == dimension)
            .map(|(_, v, n)| (v.clone(), *n))
            .collect();
        let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
        (title, rows.into_iter().map(|(v, n)| (v, n, n * 100 / max)).collect())
    })
    .collect();
    let max_day = report.per_day.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    Ok(render(
        StatusCode::OK,
        &UsagePage {
            ctx,
            report,
            sections,
            max_day,
        },
    ))
}
