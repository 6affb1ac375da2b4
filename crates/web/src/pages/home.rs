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
}

pub async fn show(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    let (groups, invitations, threads) = match &who {
        Some(w) => (
            state.app.my_groups(w).await?,
            state.app.my_invitations(w).await?,
            state.app.recent_threads(w).await?,
        ),
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    let page = Home {
        ctx,
        groups,
        invitations,
        threads,
    };
    Ok(render(StatusCode::OK, &page))
}
