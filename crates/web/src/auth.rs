//! Who is asking: extractors that resolve the session cookie through `app`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use weft_app::{AppError, ClientInfo, SessionUser};
use weft_domain::MaskedIp;
use weft_domain::browser::browser_family;
use weft_domain::permissions::{Action, ThreadAction};

use crate::AppState;
use crate::cookies;
use crate::error::WebError;
use crate::security::CsrfToken;

/// The raw client IP (memory only, for rate limits) and what may be stored of it.
#[derive(Debug, Clone, Copy)]
pub struct Client {
    pub raw_ip: std::net::IpAddr,
    pub info: ClientInfo,
}

impl FromRequestParts<AppState> for Client {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)), |c| c.0);
        let raw_ip = state.web.trusted_proxies.client_ip(peer, &parts.headers);
        let ua = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Ok(Self {
            raw_ip,
            info: ClientInfo {
                ip: MaskedIp::mask(raw_ip),
                browser: browser_family(ua),
                raw_ip,
            },
        })
    }
}

/// The signed-in user, if any.
pub struct MaybeUser(pub Option<SessionUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(cached) = parts.extensions.get::<Option<SessionUser>>() {
            return Ok(Self(cached.clone()));
        }
        let client = Client::from_request_parts(parts, state).await?;
        let user = match cookies::get(&parts.headers, state.cookies.session) {
            Some(token) => state.app.authenticate(token, client.info).await?,
            None => None,
        };
        parts.extensions.insert(user.clone());
        Ok(Self(user))
    }
}

/// The signed-in user; otherwise pages redirect to log-in and the API answers 401.
pub struct RequireUser(pub SessionUser);

impl FromRequestParts<AppState> for RequireUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match MaybeUser::from_request_parts(parts, state).await?.0 {
            Some(user) => Ok(Self(user)),
            None => {
                let uri = parts
                    .extensions
                    .get::<axum::extract::OriginalUri>()
                    .map_or(&parts.uri, |o| &o.0);
                Err(WebError::LogInRequired {
                    next: uri.path_and_query().map(|p| p.as_str().to_owned()),
                    api: uri.path().starts_with("/api/"),
                })
            }
        }
    }
}

/// The CSRF value to embed in forms.
pub struct Csrf(pub String);

impl FromRequestParts<AppState> for Csrf {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<CsrfToken>()
                .map(|t| t.0.clone())
                .unwrap_or_default(),
        ))
    }
}

/// The signed-in user, or the answer the permission rule gives an anonymous visitor: a hidden
/// group stays 404 (no redirect that would differ from a group that does not exist), a visible
/// one sends them to log in.
pub(crate) async fn signed_in_for(
    state: &AppState,
    who: Option<SessionUser>,
    key: &str,
    action: Action,
) -> Result<SessionUser, WebError> {
    match who {
        Some(who) => Ok(who),
        None => {
            state.app.group_for(None, key, action).await?;
            Err(AppError::Unauthenticated.into())
        }
    }
}

/// The signed-in user, or what the thread rule answers a visitor: unreadable threads stay 404.
pub(crate) async fn signed_in_on(
    state: &AppState,
    who: Option<SessionUser>,
    key: &str,
    action: ThreadAction,
) -> Result<SessionUser, WebError> {
    match who {
        Some(who) => Ok(who),
        None => {
            state.app.thread_for(None, key, action).await?;
            Err(AppError::Unauthenticated.into())
        }
    }
}
