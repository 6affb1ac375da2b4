//! Raising a poll in a thread or on its own in a group, closing it early, reopening, extending, concluding and deleting.

use weft_domain::permissions::{Action, PollAction, PollPlace, ThreadAction, can, can_raise_poll};
use weft_domain::polls::{PollInput, parse_outcome};
use weft_domain::{Duration, Timestamp, random_key};
use weft_store::polls::{self, EventKind, EventRefs, OptionId};

use super::PollHome;
use super::closing::close_key;
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
    /// Raises a poll in a thread. Returns its key.
    pub async fn raise_poll(&self, who: &SessionUser, thread_key: &str, input: &PollInput) -> Result<String, AppError> {
        let mut conn = self.store.reader().await?;
        let thread = self
            .open_thread(&mut conn, Some(who), thread_key, ThreadAction::See)
            .await?;
        drop(conn);
        self.raise(who, PollHome::Thread(thread), input).await
    }

    /// Raises a poll on its own in a group: it gets its own page and timeline. Returns its key.
    pub async fn raise_group_poll(
        &self,
        who: &SessionUser,
        group_key: &str,
        input: &PollInput,
    ) -> Result<String, AppError> {
        let group = self
            .load_group(&mut *self.store.reader().await?, Some(who), group_key)
            .await?;
        self.raise(who, PollHome::Group(group), input).await
    }

    /// The closing job is scheduled in the raising transaction, so a poll cannot exist without
    /// the job that closes it; "it is open" goes out now, or by a job at its opening time.
    async fn raise(&self, who: &SessionUser, home: PollHome, input: &PollInput) -> Result<String, AppError> {
        let (place, group, thread) = match &home {
            PollHome::Thread(t) => (PollPlace::Thread(t.facts), &t.group, Some(&t.thread)),
            PollHome::Group(g) => (PollPlace::Group(g.facts), &g.group, None),
        };
        let actor = match &home {
            PollHome::Thread(t) => t.actor,
            PollHome::Group(g) => g.actor,
        };
        decide(can_raise_poll(&actor, &place))?;
        let now = self.clock.now();
        let mut input = input.clone();
        self.apply_template(&mut *self.store.reader().await?, group.id, &mut input, now)
            .await?;
        // A meeting poll's times are typed in the author's own zone unless they name another.
        if input.time_zone.trim().is_empty()
            && let Some(zone) = &who.user.time_zone
        {
            input.time_zone.clone_from(zone);
        }
        let spec = input.parse(now)?;
        let key = random_key();
        let thread_id = thread.map(|t| t.id);
        let mut tx = self.store.begin().await?;
        let sees_addresses = can(&actor, Action::SeeMemberEmails, &crate::groups::facts(group)).allowed();
        let voters = self
            .resolve_voters(&mut tx, (group, thread), &spec.voters, sees_addresses)
            .await?;
        let id = polls::insert(&mut tx, &key, group.id, thread_id, who.user.id, &spec, now).await?;
        self.name_voters(&mut tx, who, (id, spec.title.as_str()), group, &voters, now)
            .await?;
        self.announce_poll(&mut tx, id, (thread, group), (who, &actor), &input)
            .await?;
        let (_, seq) = polls::record_event(
            &mut tx,
            thread_id,
            Some(id),
            EventKind::PollRaised,
            Some(who.user.id),
            EventRefs::default(),
            now,
        )
        .await?;
        self.schedule_job(&mut tx, &close_key(id), &PollClose { poll_id: id }, spec.closing_at)
            .await?;
        self.schedule_closing_soon(&mut tx, id, &spec).await?;
        self.schedule_opened(&mut tx, id, &spec, now).await?;
        tx.commit().await?;
        self.wake_jobs(JobKind::PollClose);
        self.wake_mailer();
        if let Some(thread_id) = thread_id {
            self.publish(crate::live::LiveEvent {
                thread_id,
                kind: crate::live::LiveKind::Thread,
                seq: seq.unwrap_or(0),
            })
            .await;
        }
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
            // Who votes stays too (`polls::update` leaves it): named voters may have been
            // invited by email already.
            electorate: String::new(),
            voters: String::new(),
            // Once open, its voters were told: whom to tell is not asked again.
            notify_on_open: if view.state == weft_domain::polls::PollState::Scheduled {
                input.notify_on_open
            } else {
                view.poll.notify_on_open
            },
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
        if view.state == weft_domain::polls::PollState::Scheduled {
            // Not open yet: "it is open" waits for the (new) opening time. Once open, it was sent.
            let thread = view.thread.as_ref().map(|t| &t.thread);
            self.announce_poll(&mut tx, poll.id, (thread, &view.group), (who, &view.actor), &input)
                .await?;
            self.schedule_opened(&mut tx, poll.id, &spec, now).await?;
        }
        tx.commit().await?;
        self.wake_jobs(JobKind::PollClose);
        self.wake_mailer();
        self.publish_poll(&view, None).await;
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
        let seq = if polls::close(&mut tx, &view.poll, now).await? {
            polls::record_event(
                &mut tx,
                view.poll.thread_id,
                Some(view.poll.id),
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
        self.publish_poll(&view, seq).await;
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
            Some(view.poll.id),
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
        self.publish_poll(&view, seq).await;
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
        self.publish_poll(&view, None).await;
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
            Some(view.poll.id),
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
        let chosen = input.option.and_then(|o| view.options.iter().find(|x| x.id.0 == o));
        let bells = self
            .notify_outcome(
                &mut tx,
                &view.poll,
                view.thread.as_ref().map(|t| &t.thread),
                &view.group,
                &who.user,
                (&statement, chosen),
            )
            .await?;
        tx.commit().await?;
        self.wake_mailer();
        self.ring_bells(&bells).await;
        self.publish_poll(&view, seq).await;
        Ok(())
    }

    /// Emails everyone who may vote and has not yet (the author's or a coordinator's reminder).
    /// Returns how many were emailed.
    pub async fn remind_undecided(&self, who: &SessionUser, key: &str) -> Result<usize, AppError> {
        let view = self
            .open_poll(&mut *self.store.reader().await?, Some(who), key, PollAction::Remind)
            .await?;
        let mut tx = self.store.begin().await?;
        let (sent, bells) = self
            .notify_undecided(
                &mut tx,
                &view.poll,
                view.thread.as_ref().map(|t| &t.thread),
                &view.group,
                &who.user,
            )
            .await?;
        tx.commit().await?;
        self.wake_mailer();
        self.ring_bells(&bells).await;
        Ok(sent)
    }

    /// Deletes the poll with its votes, outcome and events. Returns where it lived.
    pub async fn delete_poll(&self, who: &SessionUser, key: &str) -> Result<PollPlaceKey, AppError> {
        let view = self
            .open_poll(&mut *self.store.reader().await?, Some(who), key, PollAction::Delete)
            .await?;
        let mut tx = self.store.begin().await?;
        // The poll's jobs first, then the poll: a runner holding one of them (its job row locked)
        // writes rows that point at the poll, and takes the locks in that order too. The other
        // order deadlocked on PostgreSQL when the poll was deleted while its job ran.
        weft_store::jobs::unschedule(&mut tx, &close_key(view.poll.id)).await?;
        weft_store::jobs::unschedule(&mut tx, &super::notify::closing_soon_key(view.poll.id)).await?;
        weft_store::jobs::unschedule(&mut tx, &super::notify::review_key(view.poll.id)).await?;
        weft_store::jobs::unschedule(&mut tx, &super::notify::opened_key(view.poll.id)).await?;
        polls::delete(&mut tx, view.poll.id).await?;
        tx.commit().await?;
        self.publish_poll(&view, None).await;
        Ok(match &view.thread {
            Some(t) => PollPlaceKey::Thread(t.thread.key.clone()),
            None => PollPlaceKey::Group(view.group.key.clone()),
        })
    }
}

/// Where a poll lived, by key: its thread, or its group for a poll on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollPlaceKey {
    Thread(String),
    Group(String),
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
