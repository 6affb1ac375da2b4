//! A poll's notifications and emails: to its voters when it opens (at its opening time, by a
//! job; announced when its author asked), 24 hours before it closes (to whom the poll says), the
//! author's reminder to the undecided, the outcome to those who voted, and votes (to the author
//! in the app, and to the loud). Always through `poll_people` — only people who may read the
//! poll, each with their effective volume (poll ?? thread ?? group) — and `tell`, which applies
//! the one delivery rule. Wording: `mail/templates/emails/poll_*.txt`.
//! No notification or email ever carries results, choices or reasons: hidden results stay hidden.

use weft_domain::notifications::{Event, Volume};
use weft_domain::permissions::{Action, Actor, PollAction, PollPlace, can, can_poll};
use weft_mail::Line;
use weft_mail::wording::{
    Outcome as OutcomeEmail, OutcomeReview as ReviewEmail, PollClosingSoon, PollOpened, PollReminder, Wording,
};
use weft_store::Conn;
use weft_store::groups::Group;
use weft_store::polls::{self, Poll, PollId, PollOption};
use weft_store::threads::{Audience, PollAudience, Thread};
use weft_store::users::{User, UserId};

use crate::notifications::About;
use crate::threads::Announcement;

use crate::emails::{Cause, Kind};
use crate::jobs::{PollClosingSoon as ClosingSoonJob, PollOpened as OpenedJob};
use crate::{App, AppError};

/// The closing-soon job's key.
pub(crate) fn closing_soon_key(id: PollId) -> String {
    format!("poll-closing-soon:{id}")
}

/// How long before closing the reminder goes out.
pub(crate) const CLOSING_SOON: weft_domain::Duration = weft_domain::Duration::hours(24);

impl App {
    /// The people of `who` who may read the poll, with their effective volume: the thread's
    /// readers, or for a poll on its own, those who may read the group's content and the poll's
    /// named voters.
    async fn poll_people(
        &self,
        tx: &mut Conn,
        poll: &Poll,
        thread: Option<&Thread>,
        group: &Group,
        who: PollAudience,
    ) -> Result<Vec<(User, Volume)>, AppError> {
        let named_voters = poll.electorate == weft_domain::polls::Electorate::Specified;
        let audience = Audience::Poll {
            poll_id: poll.id,
            named_voters,
            who,
        };
        if let Some(thread) = thread {
            return Ok(self
                .readers_among(tx, thread, group, audience)
                .await?
                .into_iter()
                .map(|r| (r.user, r.volume))
                .collect());
        }
        let found = weft_store::threads::recipients(tx, None, group.id, group.parent_id, audience).await?;
        let facts = crate::groups::facts(group);
        let named = if named_voters {
            polls::named_voters(tx, poll.id).await?
        } else {
            Vec::new()
        };
        let mut people = Vec::with_capacity(found.len());
        for r in found {
            // Support access never makes an instance admin a recipient: they are not in the poll.
            let mut actor = crate::groups::person_actor(&r.user, r.role, r.parent_role, false);
            actor.guest = r.role.is_none() && named.binary_search(&r.user.id).is_ok();
            let see = super::facts_of(poll, PollPlace::Group(facts), self.clock.now(), actor.guest);
            if can_poll(&actor, PollAction::See, &see).allowed() {
                people.push((r.user, r.volume));
            }
        }
        Ok(people)
    }

    /// Notifies `people` of `event` about the poll as the rule says (never `actor`); answers
    /// whom to email and whose bell to ring once the transaction commits.
    async fn tell(
        &self,
        tx: &mut Conn,
        poll: &Poll,
        thread: Option<&Thread>,
        people: Vec<(User, Volume)>,
        event: Event,
        actor: Option<UserId>,
    ) -> Result<(Vec<User>, Vec<UserId>), AppError> {
        let people = people.into_iter().map(|(u, v)| (u, v, event)).collect();
        self.tell_each(tx, poll, thread, people, actor).await
    }

    /// `tell`, with an event per person.
    async fn tell_each(
        &self,
        tx: &mut Conn,
        poll: &Poll,
        thread: Option<&Thread>,
        people: Vec<(User, Volume, Event)>,
        actor: Option<UserId>,
    ) -> Result<(Vec<User>, Vec<UserId>), AppError> {
        let about = About {
            group: poll.group_id,
            thread: thread.map(|t| t.id),
            poll: Some(poll.id),
            seq: 0,
            actor,
        };
        let done = self.deliver(tx, &about, people).await?;
        Ok((done.email.into_iter().map(|(u, _)| u).collect(), done.notified))
    }

    /// A vote was cast: its author hears of it in the app (by email when loud), and everyone
    /// loud about the poll by email. An anonymous poll's voter is never named. Answers whose bell
    /// to ring.
    pub(crate) async fn notify_vote(
        &self,
        tx: &mut Conn,
        poll: &Poll,
        thread: Option<&Thread>,
        group: &Group,
        voter: &User,
    ) -> Result<Vec<UserId>, AppError> {
        let people: Vec<(User, Volume, Event)> = self
            .poll_people(tx, poll, thread, group, PollAudience::Loud)
            .await?
            .into_iter()
            .filter(|(u, _)| u.id != voter.id)
            .map(|(u, v)| {
                let event = if Some(u.id) == poll.author_id {
                    Event::VoteOnYourPoll
                } else {
                    Event::Vote
                };
                (u, v, event)
            })
            .collect();
        if people.is_empty() {
            return Ok(Vec::new());
        }
        let about = About {
            group: poll.group_id,
            thread: thread.map(|t| t.id),
            poll: Some(poll.id),
            seq: 0,
            actor: (!poll.anonymous).then_some(voter.id),
        };
        let done = self.deliver(tx, &about, people).await?;
        let emailed: Vec<User> = done.email.into_iter().map(|(u, _)| u).collect();
        let voter_name = if poll.anonymous { "Someone" } else { voter.name.as_str() };
        self.queue_each(
            tx,
            // An anonymous vote's email names nobody, in its sender line and in the outbox row
            // (no `sender_id` ties it to the voter) alike.
            Cause::by((!poll.anonymous).then_some(voter.id))
                .about(group.id)
                .in_thread(thread.map(|t| t.id)),
            Kind::NewVote,
            &emailed,
            |u| {
                weft_mail::wording::NewVote {
                    name: Line::new(&u.name),
                    voter: Line::new(voter_name),
                    poll_title: Line::new(&poll.title),
                    link: self.poll_link(poll),
                }
                .content()
            },
        )
        .await?;
        Ok(done.notified)
    }

    fn poll_link(&self, poll: &Poll) -> Line {
        Line::new(self.config.url(&format!("/p/{}", poll.key)))
    }

    /// Checks and keeps whom `input` asks to email when the poll opens: everyone who may vote
    /// (as `members_can_announce` allows), chosen people among them and subgroups (whose members
    /// among them hear of it), or nobody (the voters see it in the app). A field error for
    /// anything not allowed or named wrongly; the caller's transaction is then not committed.
    pub(crate) async fn announce_poll(
        &self,
        tx: &mut Conn,
        poll_id: PollId,
        (thread, group): (Option<&Thread>, &Group),
        (who, actor): (&crate::SessionUser, &Actor),
        input: &weft_domain::polls::PollInput,
    ) -> Result<(), AppError> {
        let may_announce = can(actor, Action::Announce, &crate::groups::facts(group)).allowed();
        let chosen = if input.notify_on_open {
            if !may_announce {
                return Err(AppError::field(
                    "notify",
                    "Only the group's coordinators may email everyone who may vote here.",
                ));
            }
            Announcement::default()
        } else {
            let chosen = self
                .chosen(
                    tx,
                    (group, may_announce),
                    who,
                    (&input.notify_people, &input.notify_subgroups),
                    "who may vote",
                    async |tx: &mut Conn, names: &[String]| {
                        // Read only when someone is named: most polls name nobody.
                        let poll = polls::find_by_id(tx, poll_id).await?.ok_or(AppError::NotFound)?;
                        let voters = self
                            .poll_people(tx, &poll, thread, group, PollAudience::Electorate)
                            .await?;
                        Ok(voters
                            .into_iter()
                            .filter(|(u, _)| names.iter().any(|n| n == u.username.as_str()))
                            .map(|(u, _)| (u.id, u.username.as_str().to_owned()))
                            .collect())
                    },
                )
                .await?;
            // "Chosen people" with nobody named or ticked is a mistake, as for a thread.
            if !input.notify_people.is_empty() && chosen.people.is_empty() && chosen.subgroups.is_empty() {
                return Err(AppError::field(
                    "notify_people",
                    "Name at least one person, or choose a subgroup.",
                ));
            }
            chosen
        };
        polls::set_announced(tx, poll_id, &chosen.people, &chosen.subgroups).await?;
        Ok(())
    }

    /// Whom a poll that has not opened will be announced to besides everyone (usernames and
    /// subgroup keys), for its author's form.
    pub async fn poll_announced(&self, view: &super::PollView) -> Result<(Vec<String>, Vec<String>), AppError> {
        Ok(polls::announced_names(&mut *self.store.reader().await?, view.poll.id).await?)
    }

    /// "Vote on this": to everyone who may vote but its author (announced when the author asked
    /// for its voters to be told). Answers whose bell to ring.
    pub(crate) async fn notify_poll_opened(
        &self,
        tx: &mut Conn,
        poll: &Poll,
        thread: Option<&Thread>,
        group: &Group,
        author: &User,
    ) -> Result<Vec<UserId>, AppError> {
        let people = self
            .poll_people(tx, poll, thread, group, PollAudience::Electorate)
            .await?;
        // Whom its author chose, read once and then forgotten: it has done its work.
        let (chosen, subgroups) = polls::announced(tx, poll.id).await?;
        polls::forget_announced(tx, poll.id).await?;
        let reached = self
            .announced_to(
                tx,
                &Announcement {
                    group: poll.notify_on_open,
                    people: chosen,
                    subgroups,
                },
            )
            .await?;
        let people = people
            .into_iter()
            .map(|(u, v)| {
                let announced = reached.as_ref().is_none_or(|set| set.contains(&u.id));
                (u, v, Event::NewPoll { announced })
            })
            .collect();
        let (people, bells) = self.tell_each(tx, poll, thread, people, Some(author.id)).await?;
        let details: String = weft_domain::markdown::to_plain_text(&poll.details)
            .chars()
            .take(300)
            .collect();
        self.queue_each(
            tx,
            Cause::by(author.id).about(group.id).in_thread(thread.map(|t| t.id)),
            Kind::PollOpened,
            &people,
            |u| {
                PollOpened {
                    name: Line::new(&u.name),
                    author: Line::new(&author.name),
                    kind: Line::new(poll.kind.label().to_lowercase()),
                    poll_title: Line::new(&poll.title),
                    place: Line::new(place_name(thread, group)),
                    details: details.clone(),
                    closes: Line::new(crate::emails::their_time(u, poll.closing_at)),
                    link: self.poll_link(poll),
                }
                .content()
            },
        )
        .await?;
        Ok(bells)
    }

    /// Schedules "it is open, vote": due now for a poll open at once, or at its opening time.
    /// Once sent it is not sent again (an edit schedules it only while the poll has not opened).
    /// Every poll has it: the voters hear of a new poll in the app; `notify_on_open` announces it
    /// (an email at normal volume).
    pub(crate) async fn schedule_opened(
        &self,
        tx: &mut Conn,
        poll_id: PollId,
        spec: &weft_domain::polls::PollSpec,
        now: weft_domain::Timestamp,
    ) -> Result<(), AppError> {
        let at = spec.opening_at.filter(|o| *o > now).unwrap_or(now);
        self.schedule_job(tx, &opened_key(poll_id), &OpenedJob { poll_id }, at)
            .await?;
        self.wake_jobs(crate::jobs::JobKind::PollOpened);
        Ok(())
    }

    /// The opened job: tells the voters, once, when the poll opens (a poll moved later meanwhile
    /// makes it wait; a closed or deleted one ends it).
    pub(crate) async fn run_poll_opened(&self, job: &weft_store::jobs::Job) -> Result<(), AppError> {
        let OpenedJob { poll_id } = crate::jobs::runner::decode(job)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if weft_store::jobs::complete(&mut tx, std::slice::from_ref(job)).await? != 1 {
            return Ok(());
        }
        let poll = polls::find_by_id(&mut tx, poll_id).await?;
        let Some(poll) = poll.filter(|p| p.closed_at.is_none() && p.closing_at > now) else {
            tx.commit().await?;
            return Ok(());
        };
        if let Some(opening_at) = poll.opening_at
            && opening_at > now.plus(weft_domain::Duration::minutes(1))
        {
            self.schedule_job(&mut tx, &opened_key(poll.id), &OpenedJob { poll_id }, opening_at)
                .await?;
            tx.commit().await?;
            return Ok(());
        }
        let Some(author_id) = poll.author_id else {
            tx.commit().await?;
            return Ok(());
        };
        let (thread, group) = place_of(&mut tx, &poll).await?;
        let author = weft_store::users::find(&mut tx, author_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let bells = self
            .notify_poll_opened(&mut tx, &poll, thread.as_ref(), &group, &author)
            .await?;
        tx.commit().await?;
        self.wake_mailer();
        self.ring_bells(&bells).await;
        Ok(())
    }

    /// The author's reminder to everyone who may vote and has not (but the one reminding).
    /// Returns how many were reminded, and whose bell to ring.
    pub(crate) async fn notify_undecided(
        &self,
        tx: &mut Conn,
        poll: &Poll,
        thread: Option<&Thread>,
        group: &Group,
        author: &User,
    ) -> Result<(usize, Vec<UserId>), AppError> {
        let people = self
            .poll_people(tx, poll, thread, group, PollAudience::Undecided)
            .await?;
        let (people, bells) = self
            .tell(tx, poll, thread, people, Event::Reminder, Some(author.id))
            .await?;
        let sent = self
            .queue_each(
                tx,
                Cause::by(author.id).about(group.id).in_thread(thread.map(|t| t.id)),
                Kind::PollReminder,
                &people,
                |u| {
                    PollReminder {
                        name: Line::new(&u.name),
                        author: Line::new(&author.name),
                        poll_title: Line::new(&poll.title),
                        place: Line::new(place_name(thread, group)),
                        closes: Line::new(crate::emails::their_time(u, poll.closing_at)),
                        link: self.poll_link(poll),
                    }
                    .content()
                },
            )
            .await?;
        // Everyone emailed is also told in the app: the reminded are those told.
        debug_assert!(sent <= bells.len());
        Ok((bells.len(), bells))
    }

    /// The outcome, to everyone who voted but its writer. Answers whose bell to ring.
    pub(crate) async fn notify_outcome(
        &self,
        tx: &mut Conn,
        poll: &Poll,
        thread: Option<&Thread>,
        group: &Group,
        writer: &User,
        (statement, chosen): (&str, Option<&PollOption>),
    ) -> Result<Vec<UserId>, AppError> {
        let people = self.poll_people(tx, poll, thread, group, PollAudience::Voted).await?;
        let (people, bells) = self
            .tell(tx, poll, thread, people, Event::Outcome, Some(writer.id))
            .await?;
        let statement: String = weft_domain::markdown::to_plain_text(statement)
            .chars()
            .take(1_000)
            .collect();
        let poll_zone = weft_domain::polls::meeting::Zone::or_utc(&poll.time_zone);
        let calendar = chosen
            .and_then(|o| o.starts_at)
            .map(|_| Line::new(self.config.url(&format!("/p/{}/calendar.ics", poll.key))));
        self.queue_each(
            tx,
            Cause::by(writer.id).about(group.id).in_thread(thread.map(|t| t.id)),
            Kind::Outcome,
            &people,
            |u| {
                // A chosen meeting time reads in the recipient's own zone.
                let chosen = chosen.map(|o| match o.starts_at {
                    Some(start) => u
                        .time_zone
                        .as_deref()
                        .and_then(|z| weft_domain::polls::meeting::Zone::parse(z).ok())
                        .unwrap_or_else(|| poll_zone.clone())
                        .slot_label(start, poll.slot_minutes),
                    None => o.name.clone(),
                });
                OutcomeEmail {
                    name: Line::new(&u.name),
                    author: Line::new(&writer.name),
                    poll_title: Line::new(&poll.title),
                    chosen: chosen.as_deref().map(Line::new),
                    statement: statement.clone(),
                    link: self.poll_link(poll),
                    calendar: calendar.clone(),
                }
                .content()
            },
        )
        .await?;
        Ok(bells)
    }

    /// Schedules the closing-soon email 24 hours before `poll` closes, if it asks for one and
    /// that time is still ahead.
    pub(crate) async fn schedule_closing_soon(
        &self,
        tx: &mut Conn,
        poll_id: PollId,
        poll: &weft_domain::polls::PollSpec,
    ) -> Result<(), AppError> {
        self.schedule_closing_soon_at(tx, poll_id, poll.closing_soon, poll.closing_at)
            .await
    }

    pub(crate) async fn schedule_closing_soon_at(
        &self,
        tx: &mut Conn,
        poll_id: PollId,
        audience: weft_domain::polls::ClosingSoon,
        closing_at: weft_domain::Timestamp,
    ) -> Result<(), AppError> {
        let at = closing_at.minus(CLOSING_SOON);
        if audience == weft_domain::polls::ClosingSoon::Nobody || at <= self.clock.now() {
            return Ok(());
        }
        self.schedule_job(tx, &closing_soon_key(poll_id), &ClosingSoonJob { poll_id }, at)
            .await
    }

    /// The closing-soon job: emails the poll's chosen audience, unless the poll closed or moved its
    /// closing time later meanwhile (then the job waits for the new time).
    pub(crate) async fn run_closing_soon(&self, job: &weft_store::jobs::Job) -> Result<(), AppError> {
        let ClosingSoonJob { poll_id } = crate::jobs::runner::decode(job)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if weft_store::jobs::complete(&mut tx, std::slice::from_ref(job)).await? != 1 {
            return Ok(());
        }
        let Some(poll) = polls::find_by_id(&mut tx, poll_id).await? else {
            tx.commit().await?;
            return Ok(());
        };
        let due = poll.closing_at.minus(CLOSING_SOON);
        if poll.closed_at.is_some() || poll.closing_at <= now {
            tx.commit().await?;
            return Ok(());
        }
        if due > now.plus(weft_domain::Duration::minutes(1)) {
            self.schedule_closing_soon_at(&mut tx, poll.id, poll.closing_soon, poll.closing_at)
                .await?;
            tx.commit().await?;
            return Ok(());
        }
        let Some(author_id) = poll.author_id else {
            tx.commit().await?;
            return Ok(());
        };
        let (thread, group) = place_of(&mut tx, &poll).await?;
        let who = match poll.closing_soon {
            weft_domain::polls::ClosingSoon::Nobody => None,
            weft_domain::polls::ClosingSoon::Author => Some(PollAudience::Author),
            weft_domain::polls::ClosingSoon::Undecided => Some(PollAudience::Undecided),
            weft_domain::polls::ClosingSoon::Voters => Some(PollAudience::Electorate),
        };
        let mut bells = Vec::new();
        if let Some(who) = who {
            let people = self.poll_people(&mut tx, &poll, thread.as_ref(), &group, who).await?;
            // The author is told too when the poll says so: no actor to leave out.
            let (people, rung) = self
                .tell(&mut tx, &poll, thread.as_ref(), people, Event::ClosingSoon, None)
                .await?;
            bells = rung;
            let mut voted = Vec::new();
            for u in &people {
                if polls::has_receipt(&mut tx, poll.id, u.id).await? {
                    voted.push(u.id);
                }
            }
            self.queue_each(
                &mut tx,
                Cause::by(author_id)
                    .about(group.id)
                    .in_thread(thread.as_ref().map(|t| t.id)),
                Kind::PollClosingSoon,
                &people,
                |u| {
                    PollClosingSoon {
                        name: Line::new(&u.name),
                        poll_title: Line::new(&poll.title),
                        place: Line::new(place_name(thread.as_ref(), &group)),
                        closes: Line::new(crate::emails::their_time(u, poll.closing_at)),
                        link: self.poll_link(&poll),
                        voted: voted.contains(&u.id),
                        author: Some(u.id) == poll.author_id,
                    }
                    .content()
                },
            )
            .await?;
        }
        tx.commit().await?;
        self.wake_mailer();
        self.ring_bells(&bells).await;
        Ok(())
    }

    /// The review job: emails the current outcome's author on its review date (a rewritten
    /// outcome with a later date makes the job wait for it; one without a date ends it).
    pub(crate) async fn run_outcome_review(&self, job: &weft_store::jobs::Job) -> Result<(), AppError> {
        let crate::jobs::OutcomeReview { poll_id } = crate::jobs::runner::decode(job)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if weft_store::jobs::complete(&mut tx, std::slice::from_ref(job)).await? != 1 {
            return Ok(());
        }
        let poll = polls::find_by_id(&mut tx, poll_id).await?;
        let outcome = match &poll {
            Some(p) => polls::current_outcome(&mut tx, p.id).await?,
            None => None,
        };
        let (Some(poll), Some(outcome)) = (poll, outcome) else {
            tx.commit().await?;
            return Ok(());
        };
        let (Some(review_at), Some(author_id)) = (outcome.review_at, outcome.author_id) else {
            tx.commit().await?;
            return Ok(());
        };
        if review_at > now.plus(weft_domain::Duration::minutes(1)) {
            self.schedule_job(
                &mut tx,
                &review_key(poll.id),
                &crate::jobs::OutcomeReview { poll_id },
                review_at,
            )
            .await?;
            tx.commit().await?;
            return Ok(());
        }
        let (thread, group) = place_of(&mut tx, &poll).await?;
        let author: Vec<User> = self
            .poll_people(&mut tx, &poll, thread.as_ref(), &group, PollAudience::Person(author_id))
            .await?
            .into_iter()
            // A reminder they asked for themselves: sent whatever their volume.
            .map(|(u, _)| u)
            .collect();
        let statement: String = weft_domain::markdown::to_plain_text(&outcome.statement)
            .chars()
            .take(1_000)
            .collect();
        self.queue_each(
            &mut tx,
            Cause::by(author_id)
                .about(group.id)
                .in_thread(thread.as_ref().map(|t| t.id)),
            Kind::OutcomeReview,
            &author,
            |u| {
                ReviewEmail {
                    name: Line::new(&u.name),
                    poll_title: Line::new(&poll.title),
                    place: Line::new(place_name(thread.as_ref(), &group)),
                    statement: statement.clone(),
                    link: self.poll_link(&poll),
                }
                .content()
            },
        )
        .await?;
        tx.commit().await?;
        self.wake_mailer();
        Ok(())
    }
}

/// The thread (none for a poll on its own) and group a poll's emails speak of (a job has only
/// the poll's ids).
async fn place_of(tx: &mut Conn, poll: &Poll) -> Result<(Option<Thread>, Group), AppError> {
    let thread = match poll.thread_id {
        Some(id) => Some(
            weft_store::threads::find_by_id(tx, id)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    let group = weft_store::groups::find(tx, poll.group_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((thread, group))
}

/// What an email names as the poll's place: its thread, or its group.
fn place_name<'a>(thread: Option<&'a Thread>, group: &'a Group) -> &'a str {
    thread.map_or(group.name.as_str(), |t| t.title.as_str())
}

/// The opened job's key.
pub(crate) fn opened_key(id: PollId) -> String {
    format!("poll-opened:{id}")
}

/// The review reminder job's key.
pub(crate) fn review_key(id: PollId) -> String {
    format!("outcome-review:{id}")
}
