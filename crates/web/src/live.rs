//! `/t/{key}/live`: a thread's live updates as Server-Sent Events. The stream says only which item
//! changed (`event: comment`, `data: <seq>`) or that the thread changed (`event: thread`; every
//! event carries data, as browsers drop events without any); the page
//! fetches the item through `/t/{key}/items/{seq}`, which checks permissions like any page. Access
//! is checked when the stream opens and again at least every `RECHECK` while events flow, so a
//! person removed from the group stops hearing about it.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use tokio::sync::broadcast::error::RecvError;
use weft_app::SessionUser;
use weft_app::live::{LiveEvent, LiveKind};
use weft_domain::permissions::ThreadAction;

use crate::AppState;
use crate::auth::{Client, MaybeUser};
use crate::error::WebError;
use crate::server::Held;

const RECHECK: Duration = Duration::from_secs(10);

struct Watch {
    /// Counted against the client's live-stream cap while the stream is open.
    _held: Held,
    state: AppState,
    who: Option<SessionUser>,
    key: String,
    events: tokio::sync::broadcast::Receiver<LiveEvent>,
    closing: tokio::sync::watch::Receiver<bool>,
    checked: Instant,
    done: bool,
}

impl Watch {
    async fn next(mut self) -> Option<(Result<Event, Infallible>, Self)> {
        if self.done {
            return None;
        }
        let received = tokio::select! {
            r = self.events.recv() => r,
            _ = self.closing.wait_for(|c| *c) => return None,
        };
        let event = match received {
            Ok(e) => e,
            // Fell behind: the page reloads rather than miss something.
            Err(RecvError::Lagged(_)) => return Some((Ok(Event::default().event("reload").data("now")), self)),
            Err(RecvError::Closed) => return None,
        };
        if self.checked.elapsed() >= RECHECK {
            // Boxed: the check's future is large and rarely needed, and this future is held
            // for as long as the stream stays open (10 000 streams, issue 12).
            let check = Box::pin(
                self.state
                    .app
                    .thread_for(self.who.as_ref(), &self.key, ThreadAction::See),
            );
            if check.await.is_err() {
                self.done = true;
                return Some((Ok(Event::default().event("reload").data("now")), self));
            }
            self.checked = Instant::now();
        }
        let sse = match event.kind {
            LiveKind::Comment => Event::default().event("comment").data(event.seq.to_string()),
            LiveKind::Thread => Event::default().event("thread").data("changed"),
        };
        Some((Ok(sse), self))
    }
}

/// One of the client's live streams (a thread's, the bell), within its cap: 429 beyond it. The
/// page works without live updates (EventSource gives up on a refusal; a reload tries again).
pub(crate) fn hold_stream(state: &AppState, client: &Client) -> Result<Held, WebError> {
    state
        .live_streams
        .take(client.raw_ip, Some(state.web.live_streams_per_client))
        .ok_or(WebError::RateLimited {
            retry_after: 30,
            api: true,
        })
}

pub async fn thread(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    client: Client,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    // Unreadable threads are 404 here too (P7).
    let view = state.app.thread_for(who.as_ref(), &key, ThreadAction::See).await?;
    let held = hold_stream(&state, &client)?;
    let watch = Watch {
        _held: held,
        events: state.app.live.subscribe(view.thread.id),
        closing: state.app.live.closing(),
        state,
        who,
        key,
        checked: Instant::now(),
        done: false,
    };
    let events = stream::unfold(watch, Watch::next);
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(25)))
        .into_response())
}
