//! `/profile/data…` (P8): what Weft holds about me and who can see it, the archive built in
//! the background, and the immediate download.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::AppState;
use crate::auth::RequireUser;
use crate::error::WebError;
use crate::shell::Notice;
use crate::shell::{PageCtx, render};

#[derive(Template)]
#[template(path = "privacy/personal_data.html")]
struct PersonalDataPage {
    ctx: PageCtx,
    kinds: Vec<weft_app::privacy::DataKind>,
    audiences: Vec<weft_app::privacy::Audience>,
    offer: weft_app::exports::ExportOffer,
    requests: Vec<weft_app::deletion_requests::DeletionRequest>,
}

impl PersonalDataPage {
    /// Percent done of a background export, for the progress bar.
    fn percent(&self) -> i64 {
        match &self.offer {
            weft_app::exports::ExportOffer::Background(Some(e)) if e.total_steps > 0 => {
                e.done_steps * 100 / e.total_steps
            }
            _ => 0,
        }
    }

    /// Still being built: the page refreshes itself (no JavaScript needed).
    fn in_progress(&self) -> bool {
        matches!(&self.offer, weft_app::exports::ExportOffer::Background(Some(e)) if e.state.under_way())
    }
}

pub async fn personal_data(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    let kinds = state.app.personal_data_summary(&who).await?;
    let items = kinds.iter().map(|k| k.count).sum();
    let offer = state.app.export_offer(&who, items).await?;
    let audiences = state.app.who_can_see(&who).await?;
    let requests = state.app.my_deletion_requests(&who).await?;
    Ok(render(
        StatusCode::OK,
        &PersonalDataPage {
            ctx,
            kinds,
            audiences,
            offer,
            requests,
        },
    ))
}

/// Asks for the archive to be built in the background (large accounts).
pub async fn request_export(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
) -> Result<Response, WebError> {
    state.app.request_export(&who).await?;
    Ok(Redirect::to(&Notice::ExportRequested.on("/profile/data")).into_response())
}

/// The archive behind an emailed link: only for its owner, until it expires.
pub async fn download_export(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let bytes = state.app.download_export(&who, &token).await?;
    Ok(zip_response(bytes, &state.app.clock.now()))
}

/// The ZIP of everything, for the signed-in person only, never cached.
pub async fn export(State(state): State<AppState>, RequireUser(who): RequireUser) -> Result<Response, WebError> {
    let bytes = state.app.export_personal_data(&who).await?;
    Ok(zip_response(bytes, &state.app.clock.now()))
}

pub(crate) fn zip_response(bytes: Vec<u8>, now: &weft_domain::Timestamp) -> Response {
    use axum::http::{HeaderValue, header};
    let date: String = now.rfc3339().chars().take(10).collect();
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"weft-data-{date}.zip\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}
