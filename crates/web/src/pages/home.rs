//! `/`: the landing page for visitors, the dashboard (the user's groups) for members.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use weft_app::groups::Group;
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
}

pub async fn show(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    let groups = match &who {
        Some(w) => state.app.my_groups(w).await?,
        None => Vec::new(),
    };
    Ok(render(StatusCode::OK, &Home { ctx, groups }))
}
