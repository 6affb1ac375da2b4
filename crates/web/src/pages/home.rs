//! `/`: the landing page for visitors, the dashboard (the user's groups and the invitations
//! waiting for them) for members.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use weft_app::groups::Group;
use weft_app::invitations::MyInvitation;
use weft_domain::permissions::Role;

use super::{PageCtx, render};
use crate::AppState;
use crate::auth::MaybeUser;
use crate::error::WebError;

#[derive(Template)]
#[template(path = "pages/home.html")]
struct Home {
    ctx: PageCtx,
    groups: Vec<(Group, Role)>,
    invitations: Vec<MyInvitation>,
}

pub async fn show(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    let (groups, invitations) = match &who {
        Some(w) => (state.app.my_groups(w).await?, state.app.my_invitations(w).await?),
        None => (Vec::new(), Vec::new()),
    };
    Ok(render(
        StatusCode::OK,
        &Home {
            ctx,
            groups,
            invitations,
        },
    ))
}
