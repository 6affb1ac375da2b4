//! A meeting poll's chosen time as a calendar file: offered on the poll once its outcome picks a
//! slot, and linked from the outcome's email.

use weft_domain::polls::PollKind;
use weft_domain::polls::meeting;

use crate::{App, AppError, SessionUser};

impl App {
    /// The `.ics` (RFC 5545) of the slot the outcome chose, for whoever may see the poll;
    /// `NotFound` for any other poll.
    pub async fn meeting_calendar(&self, who: Option<&SessionUser>, key: &str) -> Result<String, AppError> {
        let page = self.poll_page(who, key, 0).await?;
        let poll = &page.view.poll;
        if poll.kind != PollKind::Meeting {
            return Err(AppError::NotFound);
        }
        let outcome = page.outcome.as_ref().ok_or(AppError::NotFound)?;
        let chosen = outcome.option_id.ok_or(AppError::NotFound)?;
        let start = page
            .view
            .options
            .iter()
            .find(|o| o.id == chosen)
            .and_then(|o| o.starts_at)
            .ok_or(AppError::NotFound)?;
        let url = self.config.url(&format!("/p/{}", poll.key));
        let host = self.config.host();
        let place = match &page.view.thread {
            Some(t) => format!("{} · {}", t.thread.title, page.view.group.name),
            None => page.view.group.name.clone(),
        };
        Ok(meeting::ics(
            &format!("poll-{}-outcome-{}@{host}", poll.key, outcome.id.0),
            &poll.title,
            &format!("Decided in {place}: {url}"),
            &url,
            start,
            poll.slot_minutes,
            outcome.created_at,
        ))
    }
}
