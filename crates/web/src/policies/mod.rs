//! The privacy policy, terms and third-party list (P16, P19) and their publication by an instance
//! administrator (`pages.rs`, templates in `templates/policies/`).

pub mod pages;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// The policies pages, at the site's root.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/usage", get(pages::public_usage))
        .route("/privacy", get(pages::privacy))
        .route("/terms", get(pages::terms))
        .route("/third-parties", get(pages::third_parties))
        .route("/policies/seen", post(pages::seen))
        .route("/admin/usage", get(pages::usage))
        .route("/admin/policies/{kind}", get(pages::edit_form).post(pages::publish))
}
