//! The group aggregate on the web: its pages (`pages.rs`, templates in `templates/groups/`) and
//! its JSON API (`api.rs`, response types in `dto.rs`), each with its own routes; `lib.rs` merges
//! them. Invitations and the shareable link have their own folder.

pub mod api;
pub mod dto;
pub mod pages;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// The group pages, at the site's root.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/groups/new", get(pages::new_form))
        .route("/groups", post(pages::create))
        .route("/g/{key}", get(pages::show))
        .route(
            "/g/{key}/subgroups/new",
            get(pages::new_subgroup_form).post(pages::create_subgroup),
        )
        .route(
            "/g/{key}/settings",
            get(pages::settings_form).post(pages::update_settings),
        )
        .route("/g/{key}/archive", post(pages::archive))
        .route("/g/{key}/restore", post(pages::restore))
        .route("/g/{key}/delete", get(pages::delete_page).post(pages::delete))
        .route("/g/{key}/members", get(pages::members))
        .route("/g/{key}/join", post(pages::join))
        .route("/g/{key}/request", post(pages::request))
        .route("/g/{key}/leave", post(pages::leave))
        .route("/g/{key}/email-address", post(pages::renew_email_address))
        .route("/g/{key}/requests", get(pages::requests))
        .route("/g/{key}/requests/{id}/{answer}", post(pages::answer_request))
        .route("/g/{key}/members/{user}/{change}", post(pages::change_member))
        .route("/explore", get(pages::explore))
}

/// The group API, nested under `/api/v1`.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/groups", get(api::list_mine).post(api::create))
        .route("/groups/{key}", get(api::show).patch(api::update).delete(api::delete))
        .route("/groups/{key}/members", get(api::members))
        .route(
            "/groups/{key}/members/{user}",
            axum::routing::patch(api::set_role).delete(api::remove_member),
        )
        .route("/groups/{key}/join", post(api::join))
        .route("/groups/{key}/leave", post(api::leave))
        .route(
            "/groups/{key}/email-address",
            get(api::email_address).post(api::renew_email_address),
        )
        .route("/groups/{key}/archive", post(api::archive))
        .route("/groups/{key}/restore", post(api::restore))
        .route("/groups/{key}/requests", get(api::requests).post(api::request))
        .route("/groups/{key}/requests/{id}/{answer}", post(api::answer_request))
        .route("/explore", get(api::explore))
}
