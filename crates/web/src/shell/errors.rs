//! Friendly error pages: not found, expired links, too many attempts, our own failures.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use super::{PageCtx, render};

#[derive(Template)]
#[template(path = "pages/error.html")]
struct ErrorPage<'a> {
    ctx: PageCtx,
    heading: &'a str,
    text: &'a str,
}

/// An error page without a session lookup: errors can happen before we know who is asking.
pub fn page(status: StatusCode, heading: &str, text: &str) -> Response {
    let ctx = PageCtx {
        csrf: String::new(),
        user: None,
        instance_name: "Weft".to_owned(),
        notice: None,
        asset_version: crate::static_files::VERSION,
        policy_notice: None,
        path: "/".to_owned(),
    };
    render(status, &ErrorPage { ctx, heading, text })
}

pub async fn not_found(ctx: PageCtx) -> Response {
    render(
        StatusCode::NOT_FOUND,
        &ErrorPage {
            ctx,
            heading: "Page not found",
            text: "There is nothing here, or you may not see it.",
        },
    )
}
