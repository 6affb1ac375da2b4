//! The thread aggregate on the web: its HTML pages (`pages.rs`, templates in
//! `templates/threads/`) and its JSON API (`api.rs`, its response types in `dto.rs`), each with its own routes. `lib.rs` merges
//! them; the live-update stream of a thread stays with the other streams in `live.rs`.

pub mod api;
pub mod dto;
pub mod pages;

use axum::Router;
use axum::routing::{delete, get, post};

use crate::AppState;

/// The thread pages, at the site's root.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/g/{key}/threads/new", get(pages::new_form))
        .route("/g/{key}/threads", post(pages::create))
        .route("/t/{key}", get(pages::show))
        .route("/t/{key}/edit", get(pages::edit_form).post(pages::edit))
        .route("/t/{key}/history", get(pages::history))
        .route("/t/{key}/move", get(pages::move_form).post(pages::move_thread))
        .route("/t/{key}/guests", post(pages::invite_guests))
        .route("/t/{key}/volume", post(pages::volume))
        .route("/t/{key}/guests/{user}/remove", post(pages::remove_guest))
        .route("/t/{key}/delete", get(pages::delete_page).post(pages::delete))
        .route("/t/{key}/comments", post(pages::comment))
        .route(
            "/t/{key}/comments/{id}/edit",
            get(pages::edit_comment_form).post(pages::edit_comment),
        )
        .route(
            "/t/{key}/comments/{id}/delete",
            get(pages::delete_comment_form).post(pages::delete_comment),
        )
        .route("/t/{key}/comments/{id}/restore", post(pages::restore_comment))
        .route("/t/{key}/comments/{id}/history", get(pages::comment_history))
        .route("/t/{key}/comments/{id}/react", post(pages::react))
        .route("/t/{key}/items/{seq}", get(pages::item_fragment))
        .route("/t/{key}/{change}", post(pages::change))
}

/// The thread API, nested under `/api/v1`.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/groups/{key}/threads", get(api::list).post(api::create))
        .route("/threads/{key}", get(api::show).patch(api::update).delete(api::delete))
        .route("/threads/{key}/history", get(api::history))
        .route("/threads/{key}/move", post(api::move_thread))
        .route("/threads/{key}/volume", post(api::volume))
        .route("/threads/{key}/guests", get(api::guests).post(api::invite_guests))
        .route("/threads/{key}/guests/{user}", delete(api::remove_guest))
        .route("/threads/{key}/mentionable", get(api::mentionable))
        .route("/threads/{key}/comments", post(api::comment))
        .route(
            "/threads/{key}/comments/{id}",
            axum::routing::patch(api::edit_comment).delete(api::delete_comment),
        )
        .route("/threads/{key}/comments/{id}/restore", post(api::restore_comment))
        .route("/threads/{key}/comments/{id}/reactions", post(api::react))
        .route("/threads/{key}/{change}", post(api::change))
}
