//! The account aggregate on the web: signing up, logging in, tokens and passwords (`pages.rs`),
//! the profile, sessions, deactivation and deletion (`profile.rs`), and the account API (`api.rs`);
//! templates in `templates/accounts/`.

pub mod api;
pub mod pages;
pub mod profile;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// The accounts pages, at the site's root.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/signup", get(pages::signup_form).post(pages::signup))
        .route("/login", get(pages::login_form).post(pages::login_password))
        .route("/login/link", post(pages::login_link))
        .route("/login/code", post(pages::login_code))
        .route("/login/token/{token}", get(pages::token_page).post(pages::token_log_in))
        .route("/verify/{token}", get(pages::verify_page).post(pages::verify))
        .route("/password/forgot", get(pages::forgot_form).post(pages::forgot))
        .route("/password/reset/{token}", get(pages::reset_form).post(pages::reset))
        .route("/logout", post(pages::logout))
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
        .route("/profile/sessions/end-all", post(profile::end_all_sessions))
        .route("/profile/sessions/{id}/end", post(profile::end_session))
}

/// The accounts API, nested under `/api/v1`.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/signup", post(api::signup))
        .route("/session", post(api::log_in).delete(api::log_out))
        .route("/me", get(api::me).patch(api::update_me).delete(api::delete_me))
        .route("/me/deactivate", post(api::deactivate))
        .route("/me/sessions", get(api::sessions))
}
