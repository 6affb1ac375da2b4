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
    /// For a visitor without a session: log in and come back to this page.
    log_in_next: Option<String>,
}

/// An error page without a session lookup: errors can happen before we know who is asking.
pub fn page(status: StatusCode, heading: &str, text: &str) -> Response {
    let ctx = PageCtx {
        csrf: String::new(),
        user: None,
        instance_name: "Weft".to_owned(),
        notice: None,
        asset_version: crate::static_files::VERSION.as_str(),
        policy_notice: None,
        unread: None,
        path: "/".to_owned(),
        zone: weft_domain::polls::meeting::Zone::utc(),
        now: weft_domain::Timestamp::from_micros(0),
    };
    render(
        status,
        &ErrorPage {
            ctx,
            heading,
            text,
            log_in_next: None,
        },
    )
}

/// Pages of content (threads, polls, groups, people) that answer 404 to a visitor without a
/// session offer to log in and come back: an email's link opened logged out leads to the page,
/// not to a dead end. A page that does not exist answers exactly the same, so nothing is revealed;
/// after log-in the page's own rule decides again (404 to whoever may not see it).
pub async fn offer_log_in(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let content = ["/t/", "/p/", "/g/", "/u/"]
        .iter()
        .any(|prefix| req.uri().path().starts_with(prefix));
    let signed_in = req
        .headers()
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|c| c.trim().starts_with(&format!("{}=", state.cookies.session)));
    let target = (req.method() == axum::http::Method::GET && content && !signed_in)
        .then(|| {
            let path = req.uri().path_and_query().map_or(req.uri().path(), |p| p.as_str());
            weft_domain::LocalPath::parse(path)
        })
        .flatten();
    let res = next.run(req).await;
    match target {
        Some(target) if res.status() == StatusCode::NOT_FOUND => {
            let ctx = PageCtx {
                csrf: String::new(),
                user: None,
                instance_name: state.app.config.instance_name.clone(),
                notice: None,
                asset_version: crate::static_files::VERSION.as_str(),
                policy_notice: None,
                unread: None,
                path: "/".to_owned(),
                zone: weft_domain::polls::meeting::Zone::utc(),
                now: state.app.clock.now(),
            };
            render(
                StatusCode::NOT_FOUND,
                &ErrorPage {
                    ctx,
                    heading: "Page not found",
                    text: "There is nothing here, or you may need to log in to see it.",
                    log_in_next: Some(format!("/login?next={}", target.to_query_value())),
                },
            )
        }
        _ => res,
    }
}

pub async fn not_found(ctx: PageCtx) -> Response {
    render(
        StatusCode::NOT_FOUND,
        &ErrorPage {
            ctx,
            heading: "Page not found",
            text: "There is nothing here, or you may not see it.",
            log_in_next: None,
        },
    )
}
