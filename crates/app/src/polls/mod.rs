//! Polls in a thread or on their own in a group: raise, vote (change, withdraw), close early or
//! on time, reopen, extend, conclude with an outcome. Every call opens the poll through
//! `open_poll`, which reaches it through its thread's access check (or its group) and decides the
//! action by `can_poll`.

mod calendar;
mod closing;
mod notify;
mod reactions;
mod templates;
mod views;
mod voters;
mod votes;
pub mod write;

pub use reactions::summarize_poll;
pub use templates::{Arrange, TemplateEntry};
pub use views::{
    GROUP_POLLS_LISTED, ListedPoll, PollPage, PollPermissions, PollResults, PollView, RankedResults, ResultRow,
    may_raise_in_group,
};
pub use voters::PollInvitationPage;
pub use weft_domain::polls::{PollInput, VoteInput};
pub use weft_store::polls::{
    EventKind, OptionId, Outcome, Poll, PollId, PollOption, TimelineEvent, Undecided, Vote, VoteId,
};
pub use weft_store::polls::{PollReactionRow, ReactionTarget};
pub use write::PollPlaceKey;

use weft_domain::groups::GroupPrivacy;
use weft_domain::permissions::{PollAction, PollFacts, PollPlace, ThreadAction, can_poll};
use weft_domain::polls::PollState;
use weft_store::Conn;
use weft_store::polls;

use crate::groups::decide;
use crate::live::{LiveEvent, LiveKind};
use crate::{App, AppError, SessionUser};

/// Votes listed per page of a poll's voter list.
pub const VOTES_PER_PAGE: i64 = 50;
/// People listed as undecided at most (the count says how many there are).
pub const UNDECIDED_LISTED: i64 = 200;

/// Where a poll is read: in its thread (the thread's rule and access log), or on its own in its
/// group (the group's content rule, or an invitation as a named voter).
#[derive(Debug, Clone)]
pub(crate) enum PollHome {
    Thread(crate::threads::ThreadView),
    Group(crate::groups::GroupView),
}

impl App {
    /// The one access check for a poll: loads it with its thread (through the thread's own
    /// access check, which also logs a support read, P13) or, for a poll on its own, with its
    /// group; decides `action` by `can_poll`, and returns the view.
    pub(crate) async fn open_poll(
        &self,
        conn: &mut Conn,
        who: Option<&SessionUser>,
        key: &str,
        action: PollAction,
    ) -> Result<PollView, AppError> {
        let poll = polls::find_by_key(conn, key).await?.ok_or(AppError::NotFound)?;
        let home = match &poll.thread_key {
            Some(thread_key) => PollHome::Thread(self.open_thread(conn, who, thread_key, ThreadAction::See).await?),
            None => PollHome::Group(self.load_group(conn, who, &poll.group_key).await?),
        };
        let view = self.poll_view(conn, who, home, poll, action).await?;
        if view.thread.is_none() && view.group.privacy != GroupPrivacy::Open && view.actor.reads_as_support() {
            let what = format!("the poll “{}”", view.poll.title);
            self.log_support_read(who, &view.actor, view.group.id, &what).await?;
        }
        Ok(view)
    }

    /// The view of `poll` in `home`, which the caller opened (a thread through its access check).
    pub(crate) async fn poll_view(
        &self,
        conn: &mut Conn,
        who: Option<&SessionUser>,
        home: PollHome,
        poll: Poll,
        action: PollAction,
    ) -> Result<PollView, AppError> {
        let viewer = who.map(|w| w.user.id);
        let (voted, named) = match viewer {
            Some(v) => (
                polls::has_receipt(conn, poll.id, v).await?,
                poll.electorate == weft_domain::polls::Electorate::Specified
                    && polls::is_named(conn, poll.id, v).await?,
            ),
            None => (false, false),
        };
        let (thread, group, mut actor, place) = match home {
            PollHome::Thread(t) => {
                let (group, actor, place) = (t.group.clone(), t.actor, PollPlace::Thread(t.facts));
                (Some(t), group, actor, place)
            }
            PollHome::Group(g) => (None, g.group, g.actor, PollPlace::Group(g.facts)),
        };
        if thread.is_none() && named && !actor.is_member() {
            // Invited by email into this poll alone: a guest of the poll, as of a thread.
            actor.guest = true;
        }
        let facts = PollFacts {
            by_actor: viewer.is_some() && poll.author_id == viewer,
            actor_voted: voted,
            ..facts_of(&poll, place, self.clock.now(), named)
        };
        let state = facts.state;
        decide(can_poll(&actor, action, &facts))?;
        let mut options = polls::options_of(conn, poll.id).await?;
        if poll.shuffle_options {
            shuffle_for(&mut options, poll.id, viewer);
        }
        let zone = who
            .and_then(|w| w.user.time_zone.as_deref())
            .and_then(|z| weft_domain::polls::meeting::Zone::parse(z).ok())
            .unwrap_or_else(|| weft_domain::polls::meeting::Zone::or_utc(&poll.time_zone));
        if poll.kind == weft_domain::polls::PollKind::Meeting {
            // A slot reads in the viewer's zone: "Thu 10 Dec 2026, 14:00–15:00 CET".
            for o in &mut options {
                if let Some(start) = o.starts_at {
                    o.name = zone.slot_label(start, poll.slot_minutes);
                }
            }
        }
        let may = PollPermissions::decide(&actor, &facts);
        Ok(PollView {
            poll,
            options,
            thread,
            group,
            actor,
            viewer,
            facts,
            state,
            may,
            zone,
        })
    }
}

/// What the rule needs of `poll` in `place` at `now`, for someone who did not raise it and has
/// not voted (the caller sets those).
pub(crate) fn facts_of(poll: &Poll, place: PollPlace, now: weft_domain::Timestamp, named: bool) -> PollFacts {
    PollFacts {
        place,
        state: PollState::at(now, poll.opening_at, poll.closing_at, poll.closed_at),
        electorate: poll.electorate,
        anonymous: poll.anonymous,
        hide_results: poll.hide_results,
        voters_can_add_options: poll.voters_can_add_options,
        has_votes: poll.voter_count > 0,
        by_actor: false,
        actor_voted: false,
        actor_named: named,
    }
}

impl App {
    /// Tells the thread's watchers that `view`'s poll changed (nothing for a poll on its own).
    pub(crate) async fn publish_poll(&self, view: &PollView, seq: Option<i64>) {
        if let Some(event) = poll_changed(view, seq) {
            self.publish(event).await;
        }
    }
}

/// The thread's watchers reload what changed: the poll's card and the timeline. A poll on its
/// own has no thread to watch (its page is read fresh).
fn poll_changed(view: &PollView, seq: Option<i64>) -> Option<LiveEvent> {
    view.thread.as_ref().map(|t| LiveEvent {
        thread_id: t.thread.id,
        kind: LiveKind::Thread,
        seq: seq.unwrap_or(0),
    })
}

/// Each viewer sees the options in their own order, the same on every visit (the order cannot
/// favour the first option, and it does not jump about). Counting does not depend on it.
fn shuffle_for(options: &mut [PollOption], poll: PollId, viewer: Option<weft_store::users::UserId>) {
    let seed = poll.0.wrapping_mul(0x9E37_79B9_7F4A_7C15_u64.cast_signed()) ^ viewer.map_or(0, |v| v.0);
    options.sort_by_key(|o| {
        let mut x = (o.id.0 ^ seed).cast_unsigned();
        // splitmix64's finaliser: a well-spread order from a simple key.
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^ (x >> 31)
    });
}
