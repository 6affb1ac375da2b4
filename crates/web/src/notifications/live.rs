//! `/notifications/live`: the bell's count as Server-Sent Events (`event: unread`, `data: <n>`),
//! sent when the stream opens and whenever the person's notifications change on any instance.
//! Counted against the same per-client cap as a thread's live stream.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use tokio::sync::broadcast::error::RecvError;
use weft_app::SessionUser;

use crate::AppState;
use crate::auth::{Client, RequireUser};
use crate::error::WebError;
use crate::server::Held;

struct Bell {
    _held: Held,
    state: AppState,
    who: SessionUser,
    rings: tokio::sync::broadcast::Receiver<()>,
    closing: tokio::sync::watch::Receiver<bool>,
    first: bool,
}

impl Bell {
    async fn next(mut self) -> Option<(Result<Event, Infallible>, Self)> {
        if !self.first {
            let rung = tokio::select! {
                r = self.rings.recv() => r,
                _ = self.closing.wait_for(|c| *c) => return None,
            };
            match rung {
                Ok(()) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return None,
            }
        }
        self.first = false;
        // The count is read fresh, through the same rule as the page: a session ended meanwhile
        // ends the stream.
        let count = self.state.app.unread_notifications(&self.who).await.ok()?;
        let shown = if count > weft_app::notifications::UNREAD_SHOWN {
            format!("{}+", weft_app::notifications::UNREAD_SHOWN)
        } else {
            count.to_string()
        };
        Some((Ok(Event::default().event("unread").data(shown)), self))
    }
}

pub async fn bell(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    client: Client,
) -> Result<Response, WebError> {
    let held = crate::live::hold_stream(&state, &client)?;
    let bell = Bell {
        _held: held,
        rings: state.app.live.subscribe_bell(who.user.id),
        closing: state.app.live.closing(),
        state,
        who,
        first: true,
    };
    Ok(Sse::new(stream::unfold(bell, Bell::next))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(25)))
        .into_response())
}
