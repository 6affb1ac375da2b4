//! What a thread page shows one viewer: the thread, its timeline and what they may do there.

use weft_domain::permissions::{
    Actor, CommentAction, CommentFacts, ThreadAction, ThreadFacts, can_comment, can_thread, log_in_to_comment,
};
use weft_domain::threads::{Reaction, Volume};
use weft_store::groups::Group;

use super::*;

/// A thread as one viewer may see it, with what they may do there.
#[derive(Debug, Clone)]
pub struct ThreadView {
    pub thread: Thread,
    pub group: Group,
    pub actor: Actor,
    pub facts: ThreadFacts,
    pub viewer: Option<weft_store::users::UserId>,
    /// How far the viewer has read and the volume they chose for the thread, if any (read with
    /// the thread).
    pub read: Option<(i64, Option<Volume>)>,
    /// The viewer's volume for the thread's group (members only).
    pub member_volume: Option<Volume>,
    /// When it was read: whether a deleted comment can still be brought back is decided then.
    pub now: weft_domain::Timestamp,
}

/// What the viewer may do with a thread, decided once per request by the domain's rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // one answer per action
pub struct ThreadPermissions {
    pub comment: bool,
    pub edit: bool,
    pub pin: bool,
    pub close: bool,
    pub delete: bool,
    pub move_thread: bool,
    pub add_guests: bool,
    pub remove_guests: bool,
    /// Raise a poll in this thread (the group's `members_can_raise_polls`).
    pub raise_poll: bool,
    /// A visitor who is not logged in could comment after logging in.
    pub log_in_to_comment: bool,
}

impl ThreadPermissions {
    /// The allowed actions by their API names, in a fixed order.
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.comment, "comment"),
            (self.edit, "edit"),
            (self.pin, "pin"),
            (self.close, "close"),
            (self.delete, "delete"),
            (self.move_thread, "move"),
            (self.add_guests, "add_guests"),
            (self.remove_guests, "remove_guests"),
            (self.raise_poll, "raise_poll"),
        ]
        .into_iter()
        .filter_map(|(allowed, name)| allowed.then_some(name))
        .collect()
    }
}

/// What the viewer may do with one comment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommentPermissions {
    pub edit: bool,
    pub delete: bool,
    pub react: bool,
    /// Bring it back (the viewer deleted it a moment ago).
    pub restore: bool,
}

impl CommentPermissions {
    /// The allowed actions by their API names.
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.edit, "edit"),
            (self.delete, "delete"),
            (self.react, "react"),
            (self.restore, "restore"),
        ]
        .into_iter()
        .filter_map(|(allowed, name)| allowed.then_some(name))
        .collect()
    }
}

/// A comment on a page with what the viewer may do with it.
#[derive(Debug, Clone)]
pub struct CommentEntry {
    pub comment: Comment,
    pub may: CommentPermissions,
}

impl CommentEntry {
    /// Whether the timeline shows it: a deleted comment stays as a placeholder where replies
    /// answer it, and for whoever deleted it while they can bring it back; otherwise it is gone.
    pub fn shown(&self) -> bool {
        self.comment.deleted_at.is_none() || self.comment.has_replies || self.may.restore
    }
}

impl ThreadView {
    pub fn may(&self, action: ThreadAction) -> bool {
        can_thread(&self.actor, action, &self.facts).allowed()
    }

    /// Every thread action's answer for this viewer.
    pub fn permissions(&self) -> ThreadPermissions {
        ThreadPermissions {
            comment: self.may(ThreadAction::Comment),
            edit: self.may(ThreadAction::Edit),
            pin: self.may(ThreadAction::Pin),
            close: self.may(ThreadAction::Close),
            delete: self.may(ThreadAction::Delete),
            move_thread: self.may(ThreadAction::Move),
            add_guests: self.may(ThreadAction::AddGuests),
            remove_guests: self.may(ThreadAction::RemoveGuests),
            raise_poll: weft_domain::permissions::can_raise_poll(
                &self.actor,
                &weft_domain::permissions::PollPlace::Thread(self.facts),
            )
            .allowed(),
            log_in_to_comment: log_in_to_comment(&self.actor, &self.facts),
        }
    }

    /// The comment with the viewer's permissions on it.
    pub fn entry(&self, comment: Comment) -> CommentEntry {
        let may = CommentPermissions {
            edit: self.may_comment(&comment, CommentAction::Edit),
            delete: self.may_comment(&comment, CommentAction::Delete),
            react: self.may_comment(&comment, CommentAction::React),
            restore: self.may_comment(&comment, CommentAction::Restore),
        };
        CommentEntry { comment, may }
    }

    /// Whether the viewer may know the thread's group (a guest of a secret group may not).
    pub fn sees_group(&self) -> bool {
        weft_domain::permissions::visible(&self.actor, &self.facts.group)
    }

    pub(super) fn comment_facts(&self, comment: &Comment) -> CommentFacts {
        CommentFacts {
            thread: self.facts,
            by_actor: self.viewer.is_some() && comment.author_id == self.viewer,
            deleted: comment.deleted_at.is_some(),
            undoable: self.viewer.is_some()
                && comment.deleted_by == self.viewer
                && comment.erase_at.is_some_and(|at| at > self.now),
        }
    }

    pub fn may_comment(&self, comment: &Comment, action: CommentAction) -> bool {
        can_comment(&self.actor, action, &self.comment_facts(comment)).allowed()
    }
}

/// One page of a thread's timeline.
#[derive(Debug, Clone)]
pub struct ThreadPage {
    pub view: ThreadView,
    /// What the viewer may do with the thread.
    pub may: ThreadPermissions,
    /// This page's comments, each with what the viewer may do with it.
    pub comments: Vec<CommentEntry>,
    /// The first sequence number on this page.
    pub from: i64,
    /// How far the viewer had read before this visit: comments after it are new to them.
    pub read_before: Option<i64>,
    /// The reactions on this page's comments.
    pub reactions: Vec<ReactionRow>,
    pub tags: Vec<String>,
    /// How loudly the signed-in viewer hears of the thread: their choice for it (`None`: as the
    /// group), and what applies.
    pub volume_choice: Option<Volume>,
    pub volume: Volume,
    /// The people invited into this thread alone.
    pub guests: Vec<crate::guests::Guest>,
    /// This page's timeline items other than comments (a poll raised, a vote, an outcome…).
    pub events: Vec<weft_store::polls::TimelineEvent>,
    /// The thread's polls, newest first.
    pub polls: Vec<weft_store::polls::Poll>,
}

impl ThreadPage {
    /// The viewer chose `volume` for this thread themselves.
    pub fn chose(&self, volume: &Volume) -> bool {
        self.volume_choice == Some(*volume)
    }
}

/// One reaction on one comment, summed up for display.
#[derive(Debug, Clone)]
pub struct ReactionSummary {
    pub reaction: Reaction,
    pub names: Vec<String>,
    /// The viewer is among those who reacted.
    pub mine: bool,
}

impl ReactionSummary {
    pub fn count(&self) -> usize {
        self.names.len()
    }

    /// Who reacted, for a tooltip and for screen readers.
    pub fn who(&self) -> String {
        self.names.join(", ")
    }
}

/// The reactions on `comment_id`, in the order the buttons are offered.
pub fn summarize(
    rows: &[ReactionRow],
    comment_id: CommentId,
    viewer: Option<weft_store::users::UserId>,
) -> Vec<ReactionSummary> {
    summarize_by(
        rows.iter()
            .filter(|r| r.comment_id == comment_id)
            .map(|r| (r.user_id, r.name.as_str(), r.emoji.as_str())),
        viewer,
    )
}

/// Reactions on one thing, as (person, name, reaction) rows, summed up per reaction in the order
/// the buttons are offered (comments and polls alike).
pub fn summarize_by<'a>(
    rows: impl Iterator<Item = (weft_store::users::UserId, &'a str, &'a str)>,
    viewer: Option<weft_store::users::UserId>,
) -> Vec<ReactionSummary> {
    let rows: Vec<_> = rows.collect();
    Reaction::ALL
        .into_iter()
        .filter_map(|reaction| {
            let these: Vec<_> = rows
                .iter()
                .filter(|(_, _, emoji)| *emoji == reaction.as_str())
                .collect();
            (!these.is_empty()).then(|| ReactionSummary {
                reaction,
                mine: viewer.is_some_and(|v| these.iter().any(|(user, _, _)| *user == v)),
                names: these.iter().map(|(_, name, _)| (*name).to_owned()).collect(),
            })
        })
        .collect()
}
