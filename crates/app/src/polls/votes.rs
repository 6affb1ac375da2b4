//! Casting, changing and withdrawing a vote, and adding an option while voting.

use weft_domain::permissions::PollAction;
use weft_domain::polls::{PollState, VoteInput, parse_option};
use weft_store::StoreError;
use weft_store::polls::{self, EventKind, EventRefs};

use crate::{App, AppError, SessionUser};

impl App {
    /// Casts (or changes) the viewer's vote. The poll is locked while the vote is written, so a
    /// vote is either stored before the poll closes or refused as closed; the database keeps one
    /// current vote per voter whatever the race.
    pub async fn cast_vote(&self, who: &SessionUser, key: &str, input: &VoteInput) -> Result<(), AppError> {
        let view = self
            .open_poll(&mut *self.store.reader().await?, Some(who), key, PollAction::Vote)
            .await?;
        let option_ids: Vec<i64> = view.options.iter().map(|o| o.id.0).collect();
        let ballot = view.poll.rules.check(&option_ids, input)?;
        let now = self.clock.now();
        let mut attempt = 0;
        let thread = view.thread.as_ref().map(|t| &t.thread);
        let (seq, bells) = loop {
            attempt += 1;
            let mut tx = self.store.begin().await?;
            let poll = polls::lock(&mut tx, self.store.backend(), view.poll.id)
                .await?
                .ok_or(AppError::NotFound)?;
            if PollState::at(now, poll.opening_at, poll.closing_at, poll.closed_at) != PollState::Open {
                return Err(AppError::field(
                    "choices",
                    "This poll is closed: votes are no longer taken.",
                ));
            }
            if poll.anonymous {
                match polls::cast_anonymously(&mut tx, &poll, who.user.id, &ballot.choices).await {
                    Err(StoreError::Conflict) => {
                        return Err(AppError::field(
                            "choices",
                            "You have voted. An anonymous vote cannot be changed: nothing ties it to you.",
                        ));
                    }
                    other => other?,
                }
                let bells = self.notify_vote(&mut tx, &poll, thread, &view.group, &who.user).await?;
                tx.commit().await?;
                break (None, bells);
            }
            match polls::cast(&mut tx, &poll, who.user.id, &ballot.choices, &ballot.reason, now).await {
                // The same person voting twice at once (two tabs): the unique index refused the
                // second; try once more on top of the first.
                Err(StoreError::Conflict) if attempt < 3 => continue,
                Err(e) => return Err(e.into()),
                Ok((vote_id, _changed)) => {
                    let (_, seq) = polls::record_event(
                        &mut tx,
                        poll.thread_id,
                        Some(poll.id),
                        EventKind::Voted,
                        Some(who.user.id),
                        EventRefs {
                            vote_id: Some(vote_id),
                            ..EventRefs::default()
                        },
                        now,
                    )
                    .await?;
                    let bells = self.notify_vote(&mut tx, &poll, thread, &view.group, &who.user).await?;
                    tx.commit().await?;
                    break (seq, bells);
                }
            }
        };
        self.wake_mailer();
        self.ring_bells(&bells).await;
        self.publish_poll(&view, seq).await;
        Ok(())
    }

    /// Withdraws the viewer's vote: its versions stay in its history; none counts.
    pub async fn withdraw_vote(&self, who: &SessionUser, key: &str) -> Result<(), AppError> {
        let view = self
            .open_poll(&mut *self.store.reader().await?, Some(who), key, PollAction::Vote)
            .await?;
        if view.poll.anonymous {
            return Err(AppError::field(
                "choices",
                "An anonymous vote cannot be withdrawn: nothing ties it to you.",
            ));
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let poll = polls::lock(&mut tx, self.store.backend(), view.poll.id)
            .await?
            .ok_or(AppError::NotFound)?;
        if PollState::at(now, poll.opening_at, poll.closing_at, poll.closed_at) != PollState::Open {
            return Err(AppError::field(
                "choices",
                "This poll is closed: votes can no longer change.",
            ));
        }
        if !polls::withdraw(&mut tx, &poll, who.user.id, now).await? {
            return Err(AppError::field("choices", "You have not voted."));
        }
        tx.commit().await?;
        self.publish_poll(&view, None).await;
        Ok(())
    }

    /// Adds an option while voting, when the poll allows voters to.
    pub async fn add_poll_option(&self, who: &SessionUser, key: &str, name: &str) -> Result<(), AppError> {
        let view = self
            .open_poll(&mut *self.store.reader().await?, Some(who), key, PollAction::AddOption)
            .await?;
        let name = parse_option(name).map_err(|e| AppError::field("name", e.message))?;
        if view
            .options
            .iter()
            .any(|o| o.name.to_lowercase() == name.to_lowercase())
        {
            return Err(AppError::field("name", "That option is there already."));
        }
        if view.options.len() >= weft_domain::polls::input::MAX_OPTIONS {
            return Err(AppError::field("name", "This poll has as many options as it can hold."));
        }
        let mut tx = self.store.begin().await?;
        polls::lock(&mut tx, self.store.backend(), view.poll.id).await?;
        polls::append_option(&mut tx, view.poll.id, &name, who.user.id, self.clock.now()).await?;
        tx.commit().await?;
        self.publish_poll(&view, None).await;
        Ok(())
    }
}
