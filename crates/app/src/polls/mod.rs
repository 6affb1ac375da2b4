//! Polls in a thread: raise, vote (change, withdraw), close early or on time, reopen, extend,
//! conclude with an outcome. Every call opens the poll through `open_poll`, which reaches it
//! through its thread's access check and decides the action by `can_poll`.

mod closing;
mod notify;
mod views;
mod votes;
pub mod write;

pub use views::{PollPage, PollPermissions, PollResults, PollView, ResultRow};
pub use weft_domain::polls::{PollInput, VoteInput};
pub use weft_store::polls::{
    EventKind, OptionId, Outcome, Poll, PollId, PollOption, TimelineEvent, Undecided, Vote, VoteId,
};

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

impl App {
    /// The one access check for a poll: loads it with its thread (through the thread's own
    /// access check, which also logs a support read, P13), decides `action`, and returns the view.
    pub(crate) async fn open_poll(
        &self,
        conn: &mut Conn,
        who: Option<&SessionUser>,
        key: &str,
        action: PollAction,
    ) -> Result<PollView, AppError> {
        let poll = polls::find_by_key(conn, key).await?.ok_or(AppError::NotFound)?;
        // Polls on their own in a group come with their own page in a later step; until then every
        // poll lives in a thread.
        let thread_key = poll.thread_key.clone().ok_or(AppError::NotFound)?;
        let thread = self.open_thread(conn, who, &thread_key, ThreadAction::See).await?;
        self.poll_view(conn, who, thread, poll, action).await
    }

    /// The view of `poll` in `thread`, which the caller opened through its access check.
    pub(crate) async fn poll_view(
        &self,
        conn: &mut Conn,
        who: Option<&SessionUser>,
        thread: crate::threads::ThreadView,
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
        let state = PollState::at(self.clock.now(), poll.opening_at, poll.closing_at, poll.closed_at);
        let facts = PollFacts {
            place: PollPlace::Thread(thread.facts),
            state,
            electorate: poll.electorate,
            anonymous: poll.anonymous,
            hide_results: poll.hide_results,
            voters_can_add_options: poll.voters_can_add_options,
            has_votes: poll.voter_count > 0,
            by_actor: viewer.is_some() && poll.author_id == viewer,
            actor_voted: voted,
            actor_named: named,
        };
        decide(can_poll(&thread.actor, action, &facts))?;
        let mut options = polls::options_of(conn, poll.id).await?;
        if poll.shuffle_options {
            shuffle_for(&mut options, poll.id, viewer);
        }
        let may = PollPermissions::decide(&thread.actor, &facts);
        Ok(PollView {
            poll,
            options,
            thread,
            facts,
            state,
            may,
        })
    }
}

/// The thread's watchers reload what changed: the poll's card and the timeline.
fn poll_changed(view: &PollView, seq: Option<i64>) -> LiveEvent {
    LiveEvent {
        thread_id: view.thread.thread.id,
        kind: LiveKind::Thread,
        seq: seq.unwrap_or(0),
    }
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
