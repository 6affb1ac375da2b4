//! The layout every page shares: what its header and footer need (`PageCtx`, read from the
//! request once), and rendering a template into a response.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};

use super::Notice;
use crate::AppState;
use crate::auth::{Csrf, MaybeUser};
use crate::error::WebError;
use weft_domain::Timestamp;
use weft_domain::polls::meeting::Zone;

/// The signed-in user as the layout shows them.
#[derive(Debug, Clone)]
pub struct NavUser {
    pub name: String,
    pub username: String,
    /// An instance administrator: the header links to `/admin`.
    pub is_admin: bool,
}

/// What every page's layout needs.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub csrf: String,
    pub user: Option<NavUser>,
    pub instance_name: String,
    pub notice: Option<&'static str>,
    pub asset_version: &'static str,
    /// A policy version the signed-in person has not seen (P19).
    pub policy_notice: Option<weft_app::policies::PolicyNotice>,
    /// This page's path, to come back to after dismissing a notice.
    pub path: String,
    /// The bell's count for a signed-in person ("99+" beyond 99).
    pub unread: Option<String>,
    /// Whose clock times are read in: the signed-in person's zone, UTC for a visitor or someone
    /// who has not chosen one; and the moment the page was made, for "5 minutes ago".
    pub zone: Zone,
    pub now: Timestamp,
}

impl PageCtx {
    /// A time as this reader reads it: relative when within a week ("5 minutes ago"), the
    /// exact time in their zone otherwise, always in a `<time>` whose title is the exact time.
    /// HTML (mark it `|safe`): every part is escaped here.
    pub fn when(&self, at: &Timestamp) -> String {
        let exact = self.exact(at);
        let shown = at.relative(self.now).unwrap_or_else(|| exact.clone());
        format!(
            "<time datetime=\"{}\" title=\"{}\">{}</time>",
            escape_html(&at.rfc3339()),
            escape_html(&exact),
            escape_html(&shown)
        )
    }

    /// The exact time in this reader's zone: "Thu 3 Dec 2026, 14:05 CET".
    pub fn exact(&self, at: &Timestamp) -> String {
        self.zone.label(*at)
    }
}

/// Text made safe inside HTML or SVG, in an element or a quoted attribute.
pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = MaybeUser::from_request_parts(parts, state).await?.0;
        let Csrf(csrf) = Csrf::from_request_parts(parts, state).await?;
        let notice = parts
            .uri
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("notice=")))
            .and_then(Notice::from_code)
            .map(Notice::text);
        let policy_notice = match &user {
            Some(u) => state.app.policy_notice(u).await?,
            None => None,
        };
        let unread = match &user {
            Some(u) => {
                let n = state.app.unread_notifications(u).await?;
                Some(if n > weft_app::notifications::UNREAD_SHOWN {
                    format!("{}+", weft_app::notifications::UNREAD_SHOWN)
                } else {
                    n.to_string()
                })
            }
            None => None,
        };
        let zone = user
            .as_ref()
            .and_then(|u| u.user.time_zone.as_deref())
            .map_or_else(Zone::utc, Zone::or_utc);
        Ok(Self {
            csrf,
            policy_notice,
            unread,
            zone,
            now: state.app.clock.now(),
            path: parts.uri.path().to_owned(),
            user: user.map(|u| NavUser {
                name: u.user.name.clone(),
                username: u.user.username.as_str().to_owned(),
                is_admin: u.user.is_admin,
            }),
            instance_name: state.app.config.instance_name.clone(),
            notice,
            asset_version: crate::static_files::VERSION.as_str(),
        })
    }
}

/// Renders a template as an HTML response with `status`.
pub fn render(status: StatusCode, template: &impl askama::Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong.").into_response()
        }
    }
}
