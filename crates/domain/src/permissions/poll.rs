//! The poll rules, on top of the thread and group rules: who may raise a poll, vote, change it,
//! close, reopen and conclude it, and who sees its results and its voters.

use super::thread::sees_thread;
use super::{Action, Actor, Decision, GroupFacts, ThreadFacts, can};
use crate::polls::{Electorate, HideResults, PollState};

/// Where a poll lives: in a thread (it shares the thread's visibility), or on its own in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollPlace {
    Thread(ThreadFacts),
    Group(GroupFacts),
}

impl PollPlace {
    fn group(&self) -> &GroupFacts {
        match self {
            Self::Thread(t) => &t.group,
            Self::Group(g) => g,
        }
    }
}

/// What about a poll matters for permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // independent facts about one poll and one viewer
pub struct PollFacts {
    pub place: PollPlace,
    pub state: PollState,
    pub electorate: Electorate,
    pub anonymous: bool,
    pub hide_results: HideResults,
    pub voters_can_add_options: bool,
    /// Someone has voted: options and settings are fixed from then on.
    pub has_votes: bool,
    /// The actor raised the poll.
    pub by_actor: bool,
    /// The actor has a current vote.
    pub actor_voted: bool,
    /// The actor was named as a voter (a specified electorate, or invited into this poll by email).
    pub actor_named: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PollAction {
    /// See the poll, its options, its settings and the outcome.
    See,
    /// Cast, change or withdraw one's vote.
    Vote,
    /// Add an option while voting (when the poll allows it).
    AddOption,
    /// Change title, details, options and settings: until the first vote.
    Edit,
    /// Move the closing time while the poll is not closed.
    Extend,
    /// Close before the closing time.
    Close,
    /// Open a closed poll again (never an anonymous one: its link to voters is gone).
    Reopen,
    /// Remind the undecided by email.
    Remind,
    /// Write the outcome once the poll is closed.
    WriteOutcome,
    Delete,
    /// See the figures: per option, turnout, charts.
    SeeResults,
    /// See who chose what, with their reasons (never in an anonymous poll).
    SeeVoters,
    /// See who has not voted yet.
    SeeUndecided,
    /// React to the poll, a vote or the outcome.
    React,
}

impl PollAction {
    pub const ALL: [Self; 14] = [
        Self::See,
        Self::Vote,
        Self::AddOption,
        Self::Edit,
        Self::Extend,
        Self::Close,
        Self::Reopen,
        Self::Remind,
        Self::WriteOutcome,
        Self::Delete,
        Self::SeeResults,
        Self::SeeVoters,
        Self::SeeUndecided,
        Self::React,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::See => "see",
            Self::Vote => "vote",
            Self::AddOption => "add_option",
            Self::Edit => "edit",
            Self::Extend => "extend",
            Self::Close => "close",
            Self::Reopen => "reopen",
            Self::Remind => "remind",
            Self::WriteOutcome => "write_outcome",
            Self::Delete => "delete",
            Self::SeeResults => "see_results",
            Self::SeeVoters => "see_voters",
            Self::SeeUndecided => "see_undecided",
            Self::React => "react",
        }
    }
}

/// Whether the actor may read a poll in `place` (`named`: they are one of its named voters),
/// whatever its state: `sees_poll` for a caller without the whole poll (notifications).
pub fn poll_visible(actor: &Actor, place: &PollPlace, named: bool) -> bool {
    match place {
        PollPlace::Thread(t) => sees_thread(actor, t),
        PollPlace::Group(g) => (actor.guest && named) || can(actor, Action::SeeContent, g).allowed(),
    }
}

/// Whether the actor may read the poll at all.
fn sees_poll(actor: &Actor, poll: &PollFacts) -> bool {
    poll_visible(actor, &poll.place, poll.actor_named)
}

fn answer(ok: bool, actor: &Actor) -> Decision {
    match (ok, actor.signed_in) {
        (true, _) => Decision::Allow,
        (false, false) => Decision::LogIn,
        (false, true) => Decision::Forbidden,
    }
}

/// Whether the results may be shown to this viewer: hidden results stay hidden on every surface
/// (page, API, export, live update, email) until the viewer voted or the poll closed.
pub fn results_visible(hide: HideResults, voted: bool, state: PollState) -> bool {
    match hide {
        HideResults::Off => true,
        HideResults::UntilVoted => voted || state == PollState::Closed,
        HideResults::UntilClosed => state == PollState::Closed,
    }
}

/// The permission rule for polls. A poll the actor may not read is `Hidden` to every action.
pub fn can_poll(actor: &Actor, action: PollAction, poll: &PollFacts) -> Decision {
    if !sees_poll(actor, poll) {
        return Decision::Hidden;
    }
    let group = poll.place.group();
    let writable = !group.archived;
    let steward = actor.is_admin() || (poll.by_actor && (actor.is_member() || actor.guest));
    let participant = actor.is_member() || actor.guest;
    let open = poll.state == PollState::Open;
    let eligible = match poll.electorate {
        Electorate::Members => participant,
        Electorate::Specified => poll.actor_named && participant,
    };
    let ok = match action {
        PollAction::See => return Decision::Allow,
        PollAction::Vote => writable && open && eligible,
        PollAction::AddOption => writable && open && eligible && poll.voters_can_add_options,
        PollAction::Edit => writable && steward && poll.state != PollState::Closed && !poll.has_votes,
        PollAction::Extend => writable && steward && poll.state != PollState::Closed,
        PollAction::Close | PollAction::Remind => writable && steward && open,
        PollAction::Reopen => writable && steward && poll.state == PollState::Closed && !poll.anonymous,
        PollAction::WriteOutcome => writable && steward && poll.state == PollState::Closed,
        PollAction::Delete => steward,
        PollAction::SeeResults => results_visible(poll.hide_results, poll.actor_voted, poll.state),
        PollAction::SeeVoters => !poll.anonymous && results_visible(poll.hide_results, poll.actor_voted, poll.state),
        PollAction::SeeUndecided => steward,
        PollAction::React => writable && participant,
    };
    answer(ok, actor)
}

/// Who may raise a poll here: coordinators, and members when the group's
/// `members_can_raise_polls` says so; in a thread, only while it takes comments.
pub fn can_raise_poll(actor: &Actor, place: &PollPlace) -> Decision {
    let (group, open) = match place {
        PollPlace::Thread(t) => {
            if !sees_thread(actor, t) {
                return Decision::Hidden;
            }
            (&t.group, !t.closed)
        }
        PollPlace::Group(g) => {
            let d = can(actor, Action::SeeContent, g);
            if !d.allowed() {
                return if d == Decision::LogIn { d } else { Decision::Hidden };
            }
            (g, true)
        }
    };
    let ok =
        !group.archived && open && (actor.is_admin() || (actor.is_member() && group.flags.members_can_raise_polls));
    answer(ok, actor)
}
