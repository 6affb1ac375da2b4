//! HTML pages, one module per area; each template in `templates/pages/` is named after its page.

pub mod accounts;
pub mod admin;
pub mod deletion_requests;
pub mod errors;
pub mod groups;
pub mod home;
pub mod invitations;
pub mod policies;
pub mod profile;
pub mod support;
pub mod unsubscribe;

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::auth::{Csrf, MaybeUser};
use crate::error::WebError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/healthz", get(healthz))
        .route("/signup", get(accounts::signup_form).post(accounts::signup))
        .route("/login", get(accounts::login_form).post(accounts::login_password))
        .route("/login/link", post(accounts::login_link))
        .route("/login/code", post(accounts::login_code))
        .route(
            "/login/token/{token}",
            get(accounts::token_page).post(accounts::token_log_in),
        )
        .route("/verify/{token}", get(accounts::verify_page).post(accounts::verify))
        .route("/password/forgot", get(accounts::forgot_form).post(accounts::forgot))
        .route(
            "/password/reset/{token}",
            get(accounts::reset_form).post(accounts::reset),
        )
        .route("/logout", post(accounts::logout))
        .route("/profile", get(profile::show).post(profile::update))
        .route("/profile/email", post(profile::change_email))
        .route(
            "/profile/email/confirm/{token}",
            get(profile::confirm_email_page).post(profile::confirm_email),
        )
        .route("/profile/password", post(profile::change_password))
        .route("/profile/sessions", get(profile::sessions))
        .route("/u/{username}", get(profile::person))
        .route(
            "/profile/deactivate",
            get(profile::deactivate_page).post(profile::deactivate),
        )
        .route("/profile/delete", get(profile::delete_page).post(profile::delete))
        .route("/profile/data", get(profile::personal_data))
        .route("/profile/data/export.zip", get(profile::export))
        .route("/profile/data/export", post(profile::request_export))
        .route("/profile/data/exports/{token}", get(profile::download_export))
        .route(
            "/g/{key}/delete-my-content",
            get(deletion_requests::group_form).post(deletion_requests::group_submit),
        )
        .route("/g/{key}/deletion-requests", get(deletion_requests::group_queue))
        .route(
            "/g/{key}/deletion-requests/{request}",
            post(deletion_requests::group_resolve),
        )
        .route(
            "/privacy/request",
            get(deletion_requests::dpo_form).post(deletion_requests::dpo_submit),
        )
        .route("/admin", get(admin::index))
        .route("/admin/deletion-requests", get(deletion_requests::admin_queue))
        .route(
            "/admin/deletion-requests/{request}",
            post(deletion_requests::admin_resolve),
        )
        .route("/admin/security-log", get(admin::security_log))
        .route("/usage", get(policies::public_usage))
        .route("/g/{key}/support", get(support::show).post(support::grant))
        .route("/g/{key}/support/end", post(support::end))
        .route("/g/{key}/maintenance", post(support::maintenance))
        .route("/profile/sessions/end-all", post(profile::end_all_sessions))
        .route("/profile/sessions/{id}/end", post(profile::end_session))
        .route("/groups/new", get(groups::new_form))
        .route("/groups", post(groups::create))
        .route("/g/{key}", get(groups::show))
        .route(
            "/g/{key}/subgroups/new",
            get(groups::new_subgroup_form).post(groups::create_subgroup),
        )
        .route(
            "/g/{key}/settings",
            get(groups::settings_form).post(groups::update_settings),
        )
        .route("/g/{key}/archive", post(groups::archive))
        .route("/g/{key}/restore", post(groups::restore))
        .route("/g/{key}/delete", get(groups::delete_page).post(groups::delete))
        .route("/g/{key}/members", get(groups::members))
        .route("/g/{key}/join", post(groups::join))
        .route("/g/{key}/request", post(groups::request))
        .route("/g/{key}/leave", post(groups::leave))
        .route("/g/{key}/requests", get(groups::requests))
        .route("/g/{key}/requests/{id}/{answer}", post(groups::answer_request))
        .route("/g/{key}/members/{user}/{change}", post(groups::change_member))
        .route(
            "/g/{key}/invite",
            get(invitations::invite_form).post(invitations::invite),
        )
        .route(
            "/g/{key}/invitations/{id}/{change}",
            post(invitations::change_invitation),
        )
        .route("/g/{key}/invite-link/{change}", post(invitations::change_link))
        .route(
            "/invitations/{token}",
            get(invitations::invitation).post(invitations::accept),
        )
        .route("/invitations/{token}/signup", post(invitations::sign_up))
        .route(
            "/join/{token}",
            get(invitations::join_link).post(invitations::join_by_link),
        )
        .route("/me/invitations/{id}/{answer}", post(invitations::answer))
        .route("/explore", get(groups::explore))
        .route("/privacy", get(policies::privacy))
        .route("/terms", get(policies::terms))
        .route("/third-parties", get(policies::third_parties))
        .route("/policies/seen", post(policies::seen))
        .route("/admin/usage", get(policies::usage))
        .route(
            "/admin/policies/{kind}",
            get(policies::edit_form).post(policies::publish),
        )
        .route(
            "/guest/{token}",
            get(invitations::guest_invitation).post(invitations::accept_guest),
        )
        .route("/guest/{token}/signup", post(invitations::sign_up_as_guest))
        .route("/t/{key}/live", get(crate::live::thread))
        .route(
            "/unsubscribe/{token}",
            get(unsubscribe::page).post(unsubscribe::unsubscribe),
        )
}

/// 200 when the process is up, the database answers and, after a write found the storage full,
/// a probe write commits again.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.app.health().await {
        weft_app::Health::Ok => (StatusCode::OK, "ok").into_response(),
        weft_app::Health::Unreachable => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response(),
        weft_app::Health::StorageFull => (
            StatusCode::SERVICE_UNAVAILABLE,
            "database storage full: writes are refused",
        )
            .into_response(),
    }
}

/// The signed-in user as the layout shows them.
#[derive(Debug, Clone)]
pub struct NavUser {
    pub name: String,
    pub username: String,
    /// An instance administrator: the header links to `/admin`.
    pub is_admin: bool,
}

/// What every page's layout needs.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub csrf: String,
    pub user: Option<NavUser>,
    pub instance_name: String,
    pub notice: Option<&'static str>,
    pub asset_version: &'static str,
    /// A policy version the signed-in person has not seen (P19).
    pub policy_notice: Option<weft_app::policies::PolicyNotice>,
    /// This page's path, to come back to after dismissing a notice.
    pub path: String,
}

/// Short confirmations shown after a redirect, chosen by code so no one can put words in our mouth.
fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "profile_saved" => "Your profile was saved.",
        "password_changed" => "Your password was changed. Your other sessions were logged out.",
        "email_sent" => "Check your new address: we sent it a confirmation link.",
        "email_changed" => "Your email address was changed.",
        "session_ended" => "That session was logged out.",
        "welcome" => "Welcome! Your address is confirmed.",
        "welcome_no_password" => {
            "Your address is confirmed. A password chosen before you confirmed it was not kept: \
             someone else may have typed your address. Set your own password in your profile if you want one."
        }
        "logged_in" => "You are logged in.",
        "logged_out" => "You are logged out.",
        "group_created" => "Your group is ready. You are its coordinator.",
        "group_saved" => "The group's settings were saved.",
        "group_deleted" => "The group and all its data were deleted.",
        "group_archived" => "The group is archived: it is read-only until you restore it.",
        "group_restored" => "The group is restored.",
        "joined" => "Welcome to the group!",
        "requested" => "Your request was sent to the group's coordinators.",
        "left" => "You left the group.",
        "member_removed" => "The member was removed.",
        "role_changed" => "The member's role was changed.",
        "request_approved" => "The request was approved: they are now a member.",
        "request_ignored" => "The request was ignored.",
        "invited" => "Invitations sent. Addresses already in the group, or invited within the hour, were left alone.",
        "nobody_invited" => {
            "Nobody new to invite: those addresses are already in the group or were invited within the hour."
        }
        "invitation_resent" => "The invitation was sent again with a new link. The old link no longer works.",
        "invitation_revoked" => "The invitation was revoked. Its link no longer works.",
        "invitation_declined" => "You declined the invitation.",
        "link_created" => "The group now has a shareable link.",
        "link_reset" => "The shareable link was replaced. The old one no longer works.",
        "link_disabled" => "The shareable link is switched off.",
        "thread_started" => "Your thread is started.",
        "thread_saved" => "The thread was saved. The earlier version is in its history.",
        "thread_pinned" => "The thread is pinned to the top of the group.",
        "thread_unpinned" => "The thread is no longer pinned.",
        "thread_closed" => "The thread is closed: it takes no new comments.",
        "thread_reopened" => "The thread is open for comments again.",
        "thread_read" => "Marked as read.",
        "thread_deleted" => "The thread and its comments were deleted.",
        "guests_invited" => {
            "Invitations sent to those who are not in the group or the thread yet. They will see this thread only."
        }
        "guest_removed" => "The guest no longer has access to this thread.",
        "guest_welcome" => "Welcome! You can read and comment on this thread.",
        "volume_saved" => "Your email setting for this thread was saved.",
        "thread_moved" => "The thread was moved.",
        "comment_deleted" => "The comment was deleted.",
        "deactivated" => "Your account is deactivated. Log in by email link whenever you want to come back.",
        "policy_published" => "The new version is published. People see a notice on their next visit.",
        "deletion_requested" => "Your request was sent. You will get an email with the answer, within one month.",
        "dpo_requested" => {
            "Your request was sent to the data protection officer. You will get an answer by email within one month."
        }
        "request_resolved" => "The outcome is recorded, and the person who asked was told.",
        "support_granted" => "Support access is open. Every read by an administrator is in the access log below.",
        "support_ended" => "Support access is closed.",
        "maintenance_opened" => "Maintenance access is open for one hour. The coordinators were told why.",
        "export_requested" => "Your archive is being prepared. We will email you a link when it is ready.",
        "job_retried" => "The job is queued again and runs in a moment.",
        "last_admin" => "A group needs a coordinator: make someone else a coordinator first.",
        _ => return None,
    })
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = MaybeUser::from_request_parts(parts, state).await?.0;
        let Csrf(csrf) = Csrf::from_request_parts(parts, state).await?;
        let notice = parts
            .uri
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("notice=")))
            .and_then(notice_text);
        let policy_notice = match &user {
            Some(u) => state.app.policy_notice(u).await?,
            None => None,
        };
        Ok(Self {
            csrf,
            policy_notice,
            path: parts.uri.path().to_owned(),
            user: user.map(|u| NavUser {
                name: u.user.name.clone(),
                username: u.user.username.as_str().to_owned(),
                is_admin: u.user.is_admin,
            }),
            instance_name: state.app.config.instance_name.clone(),
            notice,
            asset_version: crate::static_files::VERSION,
        })
    }
}

/// Renders a template as an HTML response with `status`.
pub fn render(status: StatusCode, template: &impl askama::Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong.").into_response()
        }
    }
}
