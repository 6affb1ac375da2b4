//! `/`: the landing page for visitors, the dashboard (the user's groups and the invitations
//! waiting for them) for members.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use weft_app::groups::Group;
use weft_app::invitations::MyInvitation;
use weft_domain::permissions::Role;

use crate::AppState;
use crate::auth::MaybeUser;
use crate::error::WebError;
use crate::shell::{PageCtx, render};

#[derive(Template)]
#[template(path = "pages/home.html")]
struct Home {
    ctx: PageCtx,
    groups: Vec<(Group, Role)>,
    invitations: Vec<MyInvitation>,
    threads: Vec<weft_app::threads::ListedThread>,
    /// This page of recent activity (0-based), whether older activity follows, and "21–40".
    page: i64,
    more: bool,
    position: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct HomeQuery {
    /// The page of recent activity, 0-based.
    page: weft_domain::Page,
}

pub async fn show(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    axum::extract::Query(q): axum::extract::Query<HomeQuery>,
) -> Result<Response, WebError> {
    let page_number = q.page.get().min(weft_app::threads::DASHBOARD_PAGES - 1);
    let (groups, invitations, (threads, more)) = match &who {
        Some(w) => (
            state.app.my_groups(w).await?,
            state.app.my_invitations(w).await?,
            state.app.recent_threads(w, page_number).await?,
        ),
        None => (Vec::new(), Vec::new(), (Vec::new(), false)),
    };
    let page = Home {
        position: {
            let first = page_number * weft_app::threads::DASHBOARD_PER_PAGE + 1;
            let shown = i64::try_from(threads.len()).unwrap_or(0);
            if shown == 0 || (page_number == 0 && !more) {
                String::new()
            } else {
                format!("{first}–{}", first + shown - 1)
            }
        },
        page: page_number,
        more,
        ctx,
        groups,
        invitations,
        threads,
    };
    Ok(render(StatusCode::OK, &page))
}
