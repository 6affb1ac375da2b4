//! `/`: the landing page for visitors, the dashboard for members.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use super::{PageCtx, render};

#[derive(Template)]
#[template(path = "pages/home.html")]
struct Home {
    ctx: PageCtx,
}

pub async fn show(ctx: PageCtx) -> Response {
    render(StatusCode::OK, &Home { ctx })
}
