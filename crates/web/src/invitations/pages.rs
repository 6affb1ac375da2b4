//! Joining by invitation: `/g/{key}/invite` (invite by email, the shareable link, pending
//! invitations), `/invitations/{token}` (an emailed invitation), `/join/{token}` (the shareable
//! link) and the answers to invitations on the dashboard.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use weft_app::groups::GroupView;
use weft_app::invitations::InvitationId;
use weft_app::invitations::{Invitation, InvitationLink, InvitationPage, InviteInput};
use weft_app::{AppError, SessionUser};
use weft_domain::permissions::Action;
use weft_domain::{LocalPath, ValidationErrors};

use crate::AppState;
use crate::accounts::pages::logged_in;
use crate::auth::signed_in_for;
use crate::auth::{Client, MaybeUser, RequireUser};
use crate::error::WebError;
use crate::rate_limit::Door;
use crate::shell::Notice;
use crate::shell::{PageCtx, render};

// ---- inviting ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct InviteForm {
    emails: String,
    message: String,
}

#[derive(Template)]
#[template(path = "invitations/invite.html")]
struct InvitePage {
    ctx: PageCtx,
    v: GroupView,
    form: InviteForm,
    errors: ValidationErrors,
    link: Option<String>,
    can_manage: bool,
    pending: Vec<Invitation>,
    now: weft_domain::Timestamp,
}

async fn invite_page(
    state: &AppState,
    who: &SessionUser,
    ctx: PageCtx,
    key: &str,
    form: InviteForm,
    errors: ValidationErrors,
) -> Result<Response, WebError> {
    let v = state.app.group_for(Some(who), key, Action::Invite).await?;
    let link = state.app.invite_link(&v).await?;
    let can_manage = v.may(Action::ManageMembers);
    let pending = if can_manage {
        state.app.group_invitations(who, key).await?.1
    } else {
        Vec::new()
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = InvitePage {
        ctx,
        v,
        form,
        errors,
        link,
        can_manage,
        pending,
        now: state.app.clock.now(),
    };
    Ok(render(status, &page))
}

pub async fn invite_form(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::Invite).await?;
    invite_page(&state, &who, ctx, &key, InviteForm::default(), ValidationErrors::new()).await
}

pub async fn invite(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(form): Form<InviteForm>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::Invite).await?;
    let input = InviteInput {
        emails: form.emails.clone(),
        message: form.message.clone(),
    };
    match state.app.invite(&who, &key, &input).await {
        Ok(outcome) => {
            let notice = if outcome.sent > 0 {
                Notice::Invited
            } else {
                Notice::NobodyInvited
            };
            Ok(Redirect::to(&notice.on(&format!("/g/{key}/invite"))).into_response())
        }
        Err(AppError::Invalid(errors)) => invite_page(&state, &who, ctx, &key, form, errors).await,
        Err(e) => Err(e.into()),
    }
}

/// Re-sends or revokes one pending invitation (coordinators).
pub async fn change_invitation(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path((key, id, change)): Path<(String, InvitationId, String)>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::ManageMembers).await?;
    let (result, notice) = match change.as_str() {
        "resend" => (
            state.app.resend_invitation(&who, &key, id).await,
            Notice::InvitationResent,
        ),
        "revoke" => (
            state.app.revoke_invitation(&who, &key, id).await,
            Notice::InvitationRevoked,
        ),
        _ => return Err(AppError::NotFound.into()),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&notice.on(&format!("/g/{key}/invite"))).into_response()),
        Err(AppError::Invalid(errors)) => invite_page(&state, &who, ctx, &key, InviteForm::default(), errors).await,
        Err(e) => Err(e.into()),
    }
}

/// Switches the shareable link on, makes a new one, or switches it off.
pub async fn change_link(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path((key, change)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let action = if change == "create" {
        Action::Invite
    } else {
        Action::ManageMembers
    };
    let who = signed_in_for(&state, who, &key, action).await?;
    let notice = match change.as_str() {
        "create" => {
            state.app.new_invite_link(&who, &key, false).await?;
            Notice::LinkCreated
        }
        "reset" => {
            state.app.new_invite_link(&who, &key, true).await?;
            Notice::LinkReset
        }
        "disable" => {
            state.app.disable_invite_link(&who, &key).await?;
            Notice::LinkDisabled
        }
        _ => return Err(AppError::NotFound.into()),
    };
    Ok(Redirect::to(&notice.on(&format!("/g/{key}/invite"))).into_response())
}

// ---- an emailed invitation ----

#[derive(Template)]
#[template(path = "invitations/invitation.html")]
struct InvitationTemplate {
    ctx: PageCtx,
    token: String,
    inv: InvitationPage,
    name: String,
    errors: ValidationErrors,
}

pub async fn invitation(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let inv = state.app.invitation(&token).await?;
    let page = InvitationTemplate {
        ctx,
        token,
        inv,
        name: String::new(),
        errors: ValidationErrors::new(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// Accepts as the signed-in person.
pub async fn accept(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let key = state.app.accept_invitation(&who, &token).await?;
    Ok(Redirect::to(&Notice::Joined.on(&format!("/g/{key}"))).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InvitedSignUpForm {
    name: String,
    password: String,
}

/// Creates the invited person's account and accepts in one step: into the group, or (for a guest
/// link) into the thread. `Ok(None)` when the input was refused: the caller shows its page again.
async fn invited_sign_up(
    state: &AppState,
    client: &Client,
    headers: &HeaderMap,
    link: InvitationLink<'_>,
    form: &InvitedSignUpForm,
) -> Result<Result<Response, ValidationErrors>, WebError> {
    crate::accounts::pages::limited(state, Door::SignUp, client, None).await?;
    match state
        .app
        .sign_up_from_invitation(link, &form.name, &form.password, client.info)
        .await
    {
        Ok((key, session)) => {
            let next = match link {
                InvitationLink::Group(_) => Notice::Joined.on(&format!("/g/{key}")),
                InvitationLink::Guest(_) => Notice::GuestWelcome.on(&format!("/t/{key}")),
                InvitationLink::Poll(_) => Notice::VoterWelcome.on(&format!("/p/{key}")),
            };
            Ok(Ok(
                logged_in(state, headers, session, &LocalPath::or_root(Some(&next))).await?
            ))
        }
        Err(AppError::Invalid(errors)) => Ok(Err(errors)),
        Err(e) => Err(e.into()),
    }
}

pub async fn sign_up(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: Client,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<InvitedSignUpForm>,
) -> Result<Response, WebError> {
    match invited_sign_up(&state, &client, &headers, InvitationLink::Group(&token), &form).await? {
        Ok(done) => Ok(done),
        Err(errors) => {
            let inv = state.app.invitation(&token).await?;
            let page = InvitationTemplate {
                ctx,
                token,
                inv,
                name: form.name,
                errors,
            };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

// ---- the shareable link ----

#[derive(Template)]
#[template(path = "invitations/join_link.html")]
struct JoinLinkPage {
    ctx: PageCtx,
    token: String,
    group: weft_app::groups::Group,
}

pub async fn join_link(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let group = state.app.group_by_invite_link(&token).await?;
    Ok(render(StatusCode::OK, &JoinLinkPage { ctx, token, group }))
}

pub async fn join_by_link(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let key = state.app.join_by_link(&who, &token).await?;
    Ok(Redirect::to(&Notice::Joined.on(&format!("/g/{key}"))).into_response())
}

// ---- on the dashboard ----

pub async fn answer(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path((id, answer)): Path<(InvitationId, String)>,
) -> Result<Response, WebError> {
    let accept = match answer.as_str() {
        "accept" => true,
        "decline" => false,
        _ => return Err(AppError::NotFound.into()),
    };
    let key = state.app.answer_my_invitation(&who, id, accept).await?;
    if accept {
        Ok(Redirect::to(&Notice::Joined.on(&format!("/g/{key}"))).into_response())
    } else {
        Ok(Redirect::to(&Notice::InvitationDeclined.on("/")).into_response())
    }
}

// ---- guests: invitations into one thread ----

#[derive(Template)]
#[template(path = "invitations/guest_invitation.html")]
struct GuestInvitationTemplate {
    ctx: PageCtx,
    token: String,
    inv: weft_app::guests::GuestInvitationPage,
    name: String,
    errors: ValidationErrors,
}

pub async fn guest_invitation(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let inv = state.app.guest_invitation(&token).await?;
    let page = GuestInvitationTemplate {
        ctx,
        token,
        inv,
        name: String::new(),
        errors: ValidationErrors::new(),
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn accept_guest(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let key = state.app.accept_guest_invitation(&who, &token).await?;
    Ok(Redirect::to(&Notice::GuestWelcome.on(&format!("/t/{key}"))).into_response())
}

pub async fn sign_up_as_guest(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: Client,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<InvitedSignUpForm>,
) -> Result<Response, WebError> {
    match invited_sign_up(&state, &client, &headers, InvitationLink::Guest(&token), &form).await? {
        Ok(done) => Ok(done),
        Err(errors) => {
            let inv = state.app.guest_invitation(&token).await?;
            let page = GuestInvitationTemplate {
                ctx,
                token,
                inv,
                name: form.name,
                errors,
            };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

// ---- invitations to vote in one poll ----

#[derive(Template)]
#[template(path = "invitations/poll_invitation.html")]
struct PollInvitationTemplate {
    ctx: PageCtx,
    token: String,
    inv: weft_app::polls::PollInvitationPage,
    name: String,
    errors: ValidationErrors,
}

pub async fn poll_invitation(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let inv = state.app.poll_invitation(&token).await?;
    let page = PollInvitationTemplate {
        ctx,
        token,
        inv,
        name: String::new(),
        errors: ValidationErrors::new(),
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn accept_poll_invitation(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let key = state.app.accept_poll_invitation(&who, &token).await?;
    Ok(Redirect::to(&Notice::VoterWelcome.on(&format!("/p/{key}"))).into_response())
}

pub async fn sign_up_as_voter(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: Client,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<InvitedSignUpForm>,
) -> Result<Response, WebError> {
    match invited_sign_up(&state, &client, &headers, InvitationLink::Poll(&token), &form).await? {
        Ok(done) => Ok(done),
        Err(errors) => {
            let inv = state.app.poll_invitation(&token).await?;
            let page = PollInvitationTemplate {
                ctx,
                token,
                inv,
                name: form.name,
                errors,
            };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}
