//! The thread and comment rules, on top of the group rule.

use super::{Action, Actor, Decision, GroupFacts, Role, can, visible};

/// What about a thread matters for permissions, besides its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // independent facts about one thread
pub struct ThreadFacts {
    pub group: GroupFacts,
    pub private: bool,
    pub closed: bool,
    /// The actor started the thread.
    pub by_actor: bool,
    /// Someone other than the author has commented: the author may no longer delete it alone.
    pub others_commented: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ThreadAction {
    /// Read the thread, its comments and its edit history.
    See,
    /// Comment or reply.
    Comment,
    /// Change the title and context.
    Edit,
    Pin,
    /// Close (no new comments) or reopen.
    Close,
    Delete,
    /// Move to another group (which the actor must also coordinate).
    Move,
    /// Invite guests into this thread (Loomio's `members_can_add_guests`).
    AddGuests,
    /// Take a guest's access to this thread away.
    RemoveGuests,
}

impl ThreadAction {
    pub const ALL: [Self; 9] = [
        Self::See,
        Self::Comment,
        Self::Edit,
        Self::Pin,
        Self::Close,
        Self::Delete,
        Self::Move,
        Self::AddGuests,
        Self::RemoveGuests,
    ];
}

/// What about a comment matters, besides its thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentFacts {
    pub thread: ThreadFacts,
    pub by_actor: bool,
    pub deleted: bool,
    /// Deleted by the actor, and not erased yet: theirs to bring back.
    pub undoable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommentAction {
    Edit,
    Delete,
    /// Add or take back a reaction: whoever may comment, on a comment that is still there.
    React,
    /// Bring back a deleted comment: only whoever deleted it, before it is erased
    /// (`threads::UNDO_DELETE`), and not in an archived group.
    Restore,
}

impl CommentAction {
    pub const ALL: [Self; 4] = [Self::Edit, Self::Delete, Self::React, Self::Restore];
}

/// Whether the actor may read the thread. Public threads are as visible as their (open) group's
/// content; private ones only to members. A guest (invited into this very thread) reads it even in
/// a secret group, without learning anything else about the group.
pub(super) fn sees_thread(actor: &Actor, thread: &ThreadFacts) -> bool {
    if actor.guest {
        return true;
    }
    if !visible(actor, &thread.group) {
        return false;
    }
    if thread.private {
        actor.is_member() || actor.reads_as_support()
    } else {
        can(actor, Action::SeeContent, &thread.group).allowed()
    }
}

/// The permission rule for threads. A thread the actor may not read is `Hidden` to every action
/// (404 everywhere: PRIVACY.md P7); refusals on a readable thread are `Forbidden`, or `LogIn` for
/// a visitor who is not logged in.
pub fn can_thread(actor: &Actor, action: ThreadAction, thread: &ThreadFacts) -> Decision {
    if !sees_thread(actor, thread) {
        return Decision::Hidden;
    }
    let admin = actor.is_admin();
    let participant = actor.is_member() || actor.guest;
    let writable = !thread.group.archived;
    let flags = thread.group.flags;
    let ok = match action {
        ThreadAction::See => return Decision::Allow,
        ThreadAction::Comment => writable && participant && !thread.closed,
        ThreadAction::Edit => {
            writable
                && (admin || (thread.by_actor && participant) || (actor.is_member() && flags.members_can_edit_threads))
        }
        ThreadAction::Pin | ThreadAction::Move | ThreadAction::RemoveGuests => writable && admin,
        ThreadAction::AddGuests => writable && (admin || (actor.is_member() && flags.members_can_add_guests)),
        ThreadAction::Close => writable && (admin || (thread.by_actor && participant)),
        ThreadAction::Delete => admin || (writable && thread.by_actor && participant && !thread.others_commented),
    };
    match (ok, actor.signed_in) {
        (true, _) => Decision::Allow,
        (false, false) => Decision::LogIn,
        (false, true) => Decision::Forbidden,
    }
}

/// The permission rule for one comment: authors edit and delete their own as the group's flags
/// allow; coordinators delete any (moderation) and edit others' only if the group says so.
pub fn can_comment(actor: &Actor, action: CommentAction, comment: &CommentFacts) -> Decision {
    let thread = &comment.thread;
    if !sees_thread(actor, thread) {
        return Decision::Hidden;
    }
    let admin = actor.is_admin();
    let participant = actor.is_member() || actor.guest;
    let flags = thread.group.flags;
    let live = !thread.group.archived && !comment.deleted;
    let own = comment.by_actor && participant;
    let ok = action == CommentAction::Restore && !thread.group.archived && comment.deleted && comment.undoable
        || live
            && match action {
                CommentAction::Edit => {
                    (own && (admin || flags.members_can_edit_comments)) || (admin && flags.admins_can_edit_user_content)
                }
                CommentAction::Delete => admin || (own && flags.members_can_delete_comments),
                CommentAction::React => participant && !thread.closed,
                CommentAction::Restore => false,
            };
    match (ok, actor.signed_in) {
        (true, _) => Decision::Allow,
        (false, false) => Decision::LogIn,
        (false, true) => Decision::Forbidden,
    }
}

/// Whether a visitor who is not logged in is offered "log in to comment": the thread still takes
/// comments from someone (it is not closed, its group not archived).
pub fn log_in_to_comment(actor: &Actor, thread: &ThreadFacts) -> bool {
    !actor.signed_in
        && can_thread(actor, ThreadAction::Comment, thread) == Decision::LogIn
        && !thread.closed
        && !thread.group.archived
}

/// The other side of `ThreadAction::Move`: a group a thread may be moved into, by someone with
/// `role` there. Only coordinators, and never into an archived (read-only) group.
pub fn may_move_into(role: Role, archived: bool) -> bool {
    role == Role::Admin && !archived
}
