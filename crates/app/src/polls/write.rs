//! Raising a poll in a thread, closing it early, reopening, extending, concluding and deleting.

use weft_domain::permissions::{PollAction, PollPlace, ThreadAction, can_raise_poll};
use weft_domain::polls::{PollInput, parse_outcome};
use weft_domain::{Duration, Timestamp, random_key};
use weft_store::polls::{self, EventKind, EventRefs, OptionId};

use super::closing::close_key;
use super::poll_changed;
use crate::groups::decide;
use crate::jobs::{JobKind, PollClose};
use crate::{App, AppError, SessionUser};

/// What the outcome form or API submits.
#[derive(Debug, Clone, Default)]
pub struct OutcomeInput {
    pub statement: String,
    /// The chosen option's id, if the outcome names one.
    pub option: Option<i64>,
    /// When the author wants to be reminded to review the decision.
    pub review_at: Option<Timestamp>,
}

impl App {
    /// Raises a poll in a thread. Returns its key. The closing job is scheduled in the same
    /// transaction, so a poll cannot exist without the job that closes it.
    pub async fn raise_poll(&self, who: &SessionUser, thread_key: &str, input: &PollInput) -> Result<String, AppError> {
        let mut conn = self.store.reader().await?;
        let thread = self
            .open_thread(&mut conn, Some(who), thread_key, ThreadAction::See)
            .await?;
        drop(conn);
        decide(can_raise_poll(&thread.actor, &PollPlace::Thread(thread.facts)))?;
        let now = self.clock.now();
        let spec = input.parse(now)?;
        let key = random_key();
        let mut tx = self.store.begin().await?;
        let id = polls::insert(
            &mut tx,
            &key,
            thread.group.id,
            Some(thread.thread.id),
            who.user.id,
            &spec,
            now,
        )
        .await?;
        let (_, seq) = polls::record_event(
            &mut tx,
            Some(thread.thread.id),
            id,
            EventKind::PollRaised,
            Some(who.user.id),
            EventRefs::default(),
            now,
        )
        .await?;
        self.schedule_job(&mut tx, &close_key(id), &PollClose { poll_id: id }, spec.closing_at)
            .await?;
        self.schedule_closing_soon(&mut tx, id, &spec).await?;
        if spec.notify_on_open {
            let poll = polls::find_by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
            self.notify_poll_opened(&mut tx, &poll, &thread.thread, &thread.group, &who.user)
                .await?;
        }
        tx.commit().await?;
        self.wake_jobs(JobKind::PollClose);
        self.wake_mailer();
        self.publish(crate::live::LiveEvent {
            thread_id: thread.thread.id,
            kind: crate::live::LiveKind::Thread,
            seq: seq.unwrap_or(0),
        })
        .await;
        Ok(key)
    }

    /// Changes a poll before anyone has voted: title, details, options and settings (its kind
    /// and anonymity stay). Refused once a vote is in, also when it came in a moment ago.
    pub async fn edit_poll(&self, who: &SessionUser, key: &str, input: &PollInput) -> Result<(), AppError> {
        let view = self
            .open_poll(&mut *self.store.reader().await?, Some(who), key, PollAction::Edit)
            .await?;
        let now = self.clock.now();
        let input = PollInput {
            template: String::new(),
            kind: view.poll.kind.as_str().to_owned(),
            anonymous: view.poll.anonymous,
            ..input.clone()
        };
        let spec = input.parse(now)?;
        let mut tx = self.store.begin().await?;
        let poll = polls::lock(&mut tx, self.store.backend(), view.poll.id)
            .await?
            .ok_or(AppError::NotFound)?;
        if poll.voter_count > 0 {
            return Err(AppError::field(
                "title",
                "Someone has voted: the poll can no longer be changed (its closing time still can).",
            ));
        }
        polls::update(&mut tx, poll.id, &spec, now).await?;
        self.schedule_job(
            &mut tx,
            &close_key(poll.id),
            &PollClose { poll_id: poll.id },
            spec.closing_at,
        )
        .await?;
        self.schedule_closing_soon(&mut tx, poll.id, &spec).await?;
        tx.commit().await?;
        self.wake_jobs(JobKind::PollClose);
        self.publish(poll_changed(&view, None)).await;
        Ok(())
    }

    /// Closes the poll now (its author or a coordinator).
    pub async fn close_poll(&self, who: &SessionUser, key: &str) -> Result<(), AppError> {
        let view = self
            .open_poll(&mut *self.store.reader().await?, Some(who), key, PollAction::Close)
            .await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        polls::lock(&mut tx, self.store.backend(), view.poll.id).await?;
        let seq = if polls::close(&mut tx, view.poll.id, now).await? {
            polls::record_event(
                &mut tx,
                view.poll.thread_id,
                view.poll.id,
                EventKind::PollClosed,
                Some(who.user.id),
                EventRefs::default(),
                now,
            )
            .await?
            .1
        } else {
            None
        };
        tx.commit().await?;
        self.publish(poll_changed(&view, seq)).await;
        Ok(())
    }

    /// Opens a closed poll again until `closing_at` (never an anonymous one).
    pub async fn reopen_poll(
        &self,
        who: &SessionUser,
        key: &str,
        closing_at: Option<Timestamp>,
    ) -> Result<(), AppError> {
        let view = self
            .open_poll(&mut *self.store.reader().await?, Some(who), key, PollAction::Reopen)
            .await?;
        let now = self.clock.now();
        let closing_at = check_closing(closing_at, now)?;
        let mut tx = self.store.begin().await?;
        polls::lock(&mut tx, self.store.backend(), view.poll.id).await?;
        polls::reopen(&mut tx, view.poll.id, closing_at).await?;
        let (_, seq) = polls::record_event(
            &mut tx,
            view.poll.thread_id,
            view.poll.id,
            EventKind::PollReopened,
            Some(who.user.id),
            EventRefs::default(),
            now,
        )
        .await?;
        self.schedule_job(
            &mut tx,
            &close_key(view.poll.id),
            &PollClose { poll_id: view.poll.id },
            closing_at,
        )
        .await?;
        self.schedule_closing_soon_at(&mut tx, view.poll.id, view.poll.closing_soon, closing_at)
            .await?;
        tx.commit().await?;
        self.wake_jobs(JobKind::PollClose);
        self.publish(poll_changed(&view, seq)).await;
        Ok(())
    }

    /// Moves the closing time of a poll that is still open (or not yet open).
    pub async fn extend_poll(
        &self,
        who: &SessionUser,
        key: &str,
        closing_at: Option<Timestamp>,
    ) -> Result<(), AppError> {
        let view = self
            .open_poll(&mut *self.store.reader().await?, Some(who), key, PollAction::Extend)
            .await?;
        let closing_at = check_closing(closing_at, self.clock.now())?;
        if view.poll.opening_at.is_some_and(|o| o >= closing_at) {
            return Err(AppError::field("closing_at", "Close the poll after it opens."));
        }
        let mut tx = self.store.begin().await?;
        polls::lock(&mut tx, self.store.backend(), view.poll.id).await?;
        polls::set_closing_at(&mut tx, view.poll.id, closing_at).await?;
        // An earlier closing time brings the job forward; a later one is found by the job itself,
        // which then waits for the new time.
        self.schedule_job(
            &mut tx,
            &close_key(view.poll.id),
            &PollClose { poll_id: view.poll.id },
            closing_at,
        )
        .await?;
        self.schedule_closing_soon_at(&mut tx, view.poll.id, view.poll.closing_soon, closing_at)
            .await?;
        tx.commit().await?;
        self.wake_jobs(JobKind::PollClose);
        self.publish(poll_changed(&view, None)).await;
        Ok(())
    }

    /// Writes (or rewrites) the outcome of a closed poll.
    pub async fn write_outcome(&self, who: &SessionUser, key: &str, input: &OutcomeInput) -> Result<(), AppError> {
        let view = self
            .open_poll(
                &mut *self.store.reader().await?,
                Some(who),
                key,
                PollAction::WriteOutcome,
            )
            .await?;
        let mut errors = weft_domain::ValidationErrors::new();
        let statement = errors.check("statement", parse_outcome(&input.statement));
        if let Some(o) = input.option
            && view.option_name(o).is_none()
        {
            errors.add("option", "Choose one of this poll's options.");
        }
        let now = self.clock.now();
        if input.review_at.is_some_and(|r| r <= now) {
            errors.add("review_at", "Choose a review date in the future.");
        }
        errors.into_result()?;
        let statement = statement.unwrap_or_default();
        let mut tx = self.store.begin().await?;
        let outcome_id = polls::write_outcome(
            &mut tx,
            view.poll.id,
            who.user.id,
            &statement,
            input.option.map(OptionId),
            input.review_at,
            now,
        )
        .await?;
        let (_, seq) = polls::record_event(
            &mut tx,
            view.poll.thread_id,
            view.poll.id,
            EventKind::OutcomeWritten,
            Some(who.user.id),
            EventRefs {
                outcome_id: Some(outcome_id),
                ..EventRefs::default()
            },
            now,
        )
        .await?;
        if let Some(review_at) = input.review_at {
            self.schedule_job(
                &mut tx,
                &super::notify::review_key(view.poll.id),
                &crate::jobs::OutcomeReview { poll_id: view.poll.id },
                review_at,
            )
            .await?;
        }
        let chosen = input.option.and_then(|o| view.option_name(o)).map(str::to_owned);
        self.notify_outcome(
            &mut tx,
            &view.poll,
            &view.thread.thread,
            &view.thread.group,
            &who.user,
            (&statement, chosen.as_deref()),
        )
        .await?;
        tx.commit().await?;
        self.wake_mailer();
        self.publish(poll_changed(&view, seq)).await;
        Ok(())
    }

    /// Emails everyone who may vote and has not yet (the author's or a coordinator's reminder).
    /// Returns how many were emailed.
    pub async fn remind_undecided(&self, who: &SessionUser, key: &str) -> Result<usize, AppError> {
        let view = self
            .open_poll(&mut *self.store.reader().await?, Some(who), key, PollAction::Remind)
            .await?;
        let mut tx = self.store.begin().await?;
        let sent = self
            .notify_undecided(&mut tx, &view.poll, &view.thread.thread, &view.thread.group, &who.user)
            .await?;
        tx.commit().await?;
        self.wake_mailer();
        Ok(sent)
    }

    /// Deletes the poll with its votes, outcome and events. Returns its thread's key.
    pub async fn delete_poll(&self, who: &SessionUser, key: &str) -> Result<String, AppError> {
        let view = self
            .open_poll(&mut *self.store.reader().await?, Some(who), key, PollAction::Delete)
            .await?;
        let mut tx = self.store.begin().await?;
        polls::delete(&mut tx, view.poll.id).await?;
        weft_store::jobs::unschedule(&mut tx, &close_key(view.poll.id)).await?;
        weft_store::jobs::unschedule(&mut tx, &super::notify::closing_soon_key(view.poll.id)).await?;
        weft_store::jobs::unschedule(&mut tx, &super::notify::review_key(view.poll.id)).await?;
        tx.commit().await?;
        self.publish(poll_changed(&view, None)).await;
        Ok(view.thread.thread.key.clone())
    }
}

fn check_closing(closing_at: Option<Timestamp>, now: Timestamp) -> Result<Timestamp, AppError> {
    match closing_at {
        None => Err(AppError::field("closing_at", "Choose when the poll closes.")),
        Some(c) if c <= now.plus(Duration::minutes(5)) => Err(AppError::field(
            "closing_at",
            "Choose a closing time at least five minutes from now.",
        )),
        Some(c) if c > now.plus(Duration::days(weft_domain::polls::input::MAX_OPEN_DAYS)) => Err(AppError::field(
            "closing_at",
            "A poll can stay open for at most a year.",
        )),
        Some(c) => Ok(c),
    }
}
