//! Invitations on the web: by email, the shareable link and guest invitations into threads
//! (`pages.rs`, templates in `templates/invitations/`) and their API (`api.rs`).

pub mod api;
pub mod pages;

use axum::Router;
use axum::routing::{delete, get, post};

use crate::AppState;

/// The invitations pages, at the site's root.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/g/{key}/invite", get(pages::invite_form).post(pages::invite))
        .route("/g/{key}/invitations/{id}/{change}", post(pages::change_invitation))
        .route("/g/{key}/invite-link/{change}", post(pages::change_link))
        .route("/invitations/{token}", get(pages::invitation).post(pages::accept))
        .route("/invitations/{token}/signup", post(pages::sign_up))
        .route("/join/{token}", get(pages::join_link).post(pages::join_by_link))
        .route("/me/invitations/{id}/{answer}", post(pages::answer))
        .route("/guest/{token}", get(pages::guest_invitation).post(pages::accept_guest))
        .route("/guest/{token}/signup", post(pages::sign_up_as_guest))
        .route(
            "/vote/{token}",
            get(pages::poll_invitation).post(pages::accept_poll_invitation),
        )
        .route("/vote/{token}/signup", post(pages::sign_up_as_voter))
}

/// The invitations API, nested under `/api/v1`.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/groups/{key}/invitations", get(api::list).post(api::invite))
        .route("/groups/{key}/invitations/{id}", delete(api::revoke))
        .route("/groups/{key}/invitations/{id}/resend", post(api::resend))
        .route(
            "/groups/{key}/invite-link",
            get(api::link).post(api::new_link).delete(api::disable_link),
        )
        .route("/join/{token}", post(api::join_by_link))
        .route("/invitations/{token}", get(api::show))
        .route("/invitations/{token}/accept", post(api::accept))
        .route("/me/invitations", get(api::mine))
        .route("/me/invitations/{id}", delete(api::decline_mine))
        .route("/me/invitations/{id}/accept", post(api::accept_mine))
}
