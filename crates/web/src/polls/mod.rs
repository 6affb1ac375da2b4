//! The poll aggregate on the web: its pages (`pages.rs`, templates in `templates/polls/`, charts
//! in `chart.rs`) and its JSON API (`api.rs`, response types in `dto.rs`), each with its own
//! routes; `lib.rs` merges them.

pub mod api;
mod chart;
pub mod dto;
mod export;
pub mod pages;
pub mod templates;

use axum::Router;
use axum::routing::{delete, get, post};

use crate::AppState;

/// The poll pages, at the site's root.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/t/{key}/polls/new", get(pages::new_form).post(pages::create))
        .route(
            "/g/{key}/polls/new",
            get(pages::group_new_form).post(pages::group_create),
        )
        .route("/p/{key}", get(pages::show))
        .route("/p/{key}/results.csv", get(export::csv))
        .route("/p/{key}/print", get(export::print))
        .route("/p/{key}/calendar.ics", get(export::calendar))
        .route("/p/{key}/template", post(templates::save))
        .route("/g/{key}/templates", get(templates::page).post(templates::arrange))
        .route("/p/{key}/edit", get(pages::edit_form).post(pages::edit))
        .route("/p/{key}/vote", post(pages::vote))
        .route("/p/{key}/withdraw", post(pages::withdraw))
        .route("/p/{key}/options", post(pages::add_option))
        .route("/p/{key}/close", post(pages::close))
        .route("/p/{key}/remind", post(pages::remind))
        .route("/p/{key}/closing", post(pages::change_closing))
        .route("/p/{key}/outcome", post(pages::outcome))
        .route("/p/{key}/delete", post(pages::delete))
        .route("/p/{key}/react", post(pages::react))
}

/// The poll API, nested under `/api/v1`.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/threads/{key}/polls", get(api::list).post(api::create))
        .route("/groups/{key}/polls", get(api::group_list).post(api::group_create))
        .route("/polls/{key}", get(api::show).patch(api::update).delete(api::delete))
        .route("/polls/{key}/votes", get(api::votes).post(api::vote))
        .route("/polls/{key}/votes/mine", delete(api::withdraw))
        .route("/polls/{key}/options", post(api::add_option))
        .route("/polls/{key}/close", post(api::close))
        .route("/polls/{key}/remind", post(api::remind))
        .route("/polls/{key}/reopen", post(api::reopen))
        .route("/polls/{key}/extend", post(api::extend))
        .route("/polls/{key}/outcome", post(api::outcome))
        .route("/polls/{key}/reactions", post(api::react))
        .route("/polls/{key}/template", post(templates::api_save))
        .route("/groups/{key}/poll-templates", get(templates::api_list))
}
