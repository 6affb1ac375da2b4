//! `/help/counting`: how ranked-choice polls are counted — docs/COUNTING.md itself, rendered by
//! the same markdown renderer as everything else, so the page and the specification cannot drift.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use crate::markdown_cache::{prepare, to_html};
use crate::shell::{PageCtx, render};

const COUNTING: &str = include_str!("../../../../docs/COUNTING.md");

#[derive(Template)]
#[template(path = "pages/help.html")]
struct Help {
    ctx: PageCtx,
    title: &'static str,
    html: std::sync::Arc<str>,
}

pub async fn counting(ctx: PageCtx) -> Response {
    prepare([COUNTING]).await;
    render(
        StatusCode::OK,
        &Help {
            ctx,
            title: "How ranked-choice polls are counted",
            html: to_html(COUNTING),
        },
    )
}
