//! HTML pages, one module per area; each template in `templates/pages/` is named after its page.

pub mod accounts;
pub mod admin;
pub mod deletion_requests;
pub mod home;
pub mod invitations;
pub mod policies;
pub mod profile;
pub mod support;
pub mod unsubscribe;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::AppState;

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
