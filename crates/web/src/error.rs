//! The one place where failures become HTTP answers: pages for people, JSON for the API.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use weft_app::AppError;

#[derive(Debug)]
pub enum WebError {
    App(AppError),
    /// Not signed in: pages go to log-in (and come back), the API answers 401.
    LogInRequired {
        next: Option<String>,
        api: bool,
    },
    RateLimited {
        retry_after: u64,
        api: bool,
    },
    /// An `AppError` raised by an API handler: answered as JSON.
    Api(AppError),
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

impl WebError {
    pub fn api(e: impl Into<AppError>) -> Self {
        Self::Api(e.into())
    }
}

/// What an API handler returns on failure: `?` on an `AppError` (or anything that becomes one)
/// answers structured JSON, and the extractors' refusals (log in, rate limits) pass through.
#[derive(Debug)]
pub struct ApiError(WebError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(WebError::Api(e))
    }
}

impl From<weft_domain::ValidationErrors> for ApiError {
    fn from(e: weft_domain::ValidationErrors) -> Self {
        Self(WebError::Api(e.into()))
    }
}

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        match e {
            // Raised by code shared with the pages: still answered as JSON here.
            WebError::App(e) => Self(WebError::Api(e)),
            WebError::LogInRequired { next, .. } => Self(WebError::LogInRequired { next, api: true }),
            WebError::RateLimited { retry_after, .. } => Self(WebError::RateLimited { retry_after, api: true }),
            other @ WebError::Api(_) => Self(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

fn status_of(e: &AppError) -> (StatusCode, &'static str) {
    match e {
        AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        AppError::InvalidCredentials | AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        AppError::InvalidToken => (StatusCode::BAD_REQUEST, "invalid_token"),
        AppError::ReauthenticationRequired => (StatusCode::FORBIDDEN, "reauthentication_required"),
        AppError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
        AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::StorageFull => (StatusCode::SERVICE_UNAVAILABLE, "storage_full"),
        AppError::Internal(_) | AppError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

fn log_internal(e: &AppError) {
    match e {
        AppError::Internal(detail) => tracing::error!(detail = %detail, "internal error"),
        AppError::Store(source) => tracing::error!(error = %source, "database error"),
        AppError::StorageFull => tracing::error!("a write was refused: the database's storage is full"),
        _ => {}
    }
}

/// What a person reads when the disk is full: nothing they sent was kept, and it is not their fault.
const STORAGE_FULL: &str =
    "The server has run out of storage space, so what you sent was not saved. Try again in a few minutes.";

/// Marks a response whose write found the storage full, so `note_storage_full` can tell the store.
#[derive(Debug, Clone, Copy)]
pub struct StorageFullMarker;

fn unavailable(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    res.extensions_mut().insert(StorageFullMarker);
    res
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            Self::LogInRequired { api: true, .. } => {
                api_error(StatusCode::UNAUTHORIZED, "unauthenticated", "Log in first.", None)
            }
            Self::LogInRequired { next, api: false } => {
                let target = match next {
                    Some(n) if n != "/" => format!("/login?next={}", urlencode(&n)),
                    _ => "/login".to_owned(),
                };
                Redirect::to(&target).into_response()
            }
            Self::RateLimited { retry_after, api } => {
                let mut res = if api {
                    api_error(
                        StatusCode::TOO_MANY_REQUESTS,
                        "rate_limited",
                        "Too many attempts. Try again later.",
                        None,
                    )
                } else {
                    crate::shell::errors::page(
                        StatusCode::TOO_MANY_REQUESTS,
                        "Too many attempts",
                        &format!(
                            "For your safety we paused this for a while. Try again in {} minutes.",
                            retry_after.div_ceil(60)
                        ),
                    )
                };
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
                res
            }
            Self::Api(e) => {
                log_internal(&e);
                let (status, code) = status_of(&e);
                match e {
                    AppError::Invalid(errors) => (status, Json(serde_json::json!({"errors": errors}))).into_response(),
                    AppError::StorageFull => unavailable(api_error(status, code, STORAGE_FULL, None)),
                    AppError::Internal(_) | AppError::Store(_) => {
                        api_error(status, code, "Something went wrong on our side.", None)
                    }
                    other => api_error(status, code, &other.to_string(), None),
                }
            }
            Self::App(AppError::Unauthenticated) => Redirect::to("/login").into_response(),
            Self::App(AppError::StorageFull) => {
                log_internal(&AppError::StorageFull);
                unavailable(crate::shell::errors::page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Nothing was saved",
                    STORAGE_FULL,
                ))
            }
            Self::App(e) => {
                log_internal(&e);
                let (status, _) = status_of(&e);
                let (title, text) = match &e {
                    AppError::InvalidToken => (
                        "This link has expired",
                        "Links and codes work once and only for a short time. Ask for a new one.",
                    ),
                    AppError::NotFound => ("Page not found", "There is nothing here, or you may not see it."),
                    AppError::Forbidden => ("Not allowed", "You are not allowed to do that."),
                    AppError::Internal(_) | AppError::Store(_) => (
                        "Something went wrong",
                        "It is our fault, not yours. Try again in a moment.",
                    ),
                    AppError::Invalid(_) => ("Please check what you entered", "Go back and correct the form."),
                    _ => ("Not allowed", "Log in again and retry."),
                };
                crate::shell::errors::page(status, title, text)
            }
        }
    }
}

pub fn api_error(status: StatusCode, code: &str, message: &str, _: Option<()>) -> Response {
    (status, Json(serde_json::json!({"error": code, "message": message}))).into_response()
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Tells the store that a request's write found the storage full, so `/healthz` reports it until
/// a probe write commits again.
pub async fn record_storage_full(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let res = next.run(req).await;
    if res.extensions().get::<StorageFullMarker>().is_some() {
        state.app.note_storage_full();
    }
    res
}
