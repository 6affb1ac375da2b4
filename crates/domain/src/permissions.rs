//! The one permission module: may this actor do this action on this group, thread or comment?
//! Every route asks here; nothing else decides. A denial says whether the object must stay hidden (404) or may be
//! acknowledged (403), or whether logging in could help.

use crate::groups::{GroupFlags, GroupPrivacy, JoinPolicy};

/// A member's role in one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Member => "member",
        }
    }

    pub fn from_stored(s: &str) -> Self {
        if s == "admin" { Self::Admin } else { Self::Member }
    }
}

/// Who is asking, as far as one group is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub signed_in: bool,
    pub instance_admin: bool,
    /// Their role in this group, if they are a member.
    pub role: Option<Role>,
    /// Their role in the parent group, for subgroups.
    pub parent_role: Option<Role>,
    /// Invited into a thread or poll of this group without being a member.
    pub guest: bool,
    /// An instance admin for whom this group's coordinators opened time-limited support access
    /// (or who opened maintenance access with a stated reason): they read, never write, and
    /// every read is logged (P13). Means nothing for anyone else.
    pub support_access: bool,
}

impl Actor {
    pub const ANONYMOUS: Self = Self {
        signed_in: false,
        instance_admin: false,
        role: None,
        parent_role: None,
        guest: false,
        support_access: false,
    };

    pub fn is_member(&self) -> bool {
        self.role.is_some()
    }

    /// Reads private content through support access rather than membership (P13).
    pub fn reads_as_support(&self) -> bool {
        self.instance_admin && self.support_access && !self.is_member()
    }

    pub fn is_admin(&self) -> bool {
        self.role == Some(Role::Admin)
    }
}

/// What about the group matters for permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupFacts {
    pub privacy: GroupPrivacy,
    pub join_policy: JoinPolicy,
    pub flags: GroupFlags,
    pub is_subgroup: bool,
    /// A subgroup that members of its parent may see (Loomio's `is_visible_to_parent_members`).
    pub visible_to_parent_members: bool,
    /// A subgroup whose parent is secret: even when open or closed it is visible to the parent's
    /// members at most, or it would reveal the parent (Loomio: "visible to parent members for a
    /// subgroup of a secret parent").
    pub parent_secret: bool,
    pub archived: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Know that the group exists: name, description, privacy.
    SeeGroup,
    /// Read its threads and decisions.
    SeeContent,
    /// See who the members are (names, usernames, roles).
    SeeMembers,
    /// See members' email addresses (PRIVACY.md P6: coordinators only).
    SeeMemberEmails,
    /// Become a member at once.
    Join,
    /// Ask the admins to become a member.
    RequestToJoin,
    /// Invite people by email or share the invitation link.
    Invite,
    StartThread,
    CreateSubgroup,
    /// Change settings, archive.
    ChangeSettings,
    /// Approve requests, remove members, promote and demote.
    ManageMembers,
    Leave,
    Delete,
    /// Ask the coordinators to delete one's own content in the group (P12).
    AskToDeleteContent,
}

impl Action {
    pub const ALL: [Self; 14] = [
        Self::SeeGroup,
        Self::SeeContent,
        Self::SeeMembers,
        Self::SeeMemberEmails,
        Self::Join,
        Self::RequestToJoin,
        Self::Invite,
        Self::StartThread,
        Self::CreateSubgroup,
        Self::ChangeSettings,
        Self::ManageMembers,
        Self::Leave,
        Self::Delete,
        Self::AskToDeleteContent,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Not allowed, and the actor must not learn the group exists: answer 404.
    Hidden,
    /// Not allowed, though the actor may know the group: answer 403.
    Forbidden,
    /// Not allowed now; logging in may change that.
    LogIn,
}

impl Decision {
    pub fn allowed(self) -> bool {
        self == Self::Allow
    }
}

/// Whether the actor may know the group exists.
pub fn visible(actor: &Actor, group: &GroupFacts) -> bool {
    if actor.is_member() || actor.instance_admin {
        return true;
    }
    let parent_member = group.is_subgroup && actor.parent_role.is_some();
    match group.privacy {
        GroupPrivacy::Open | GroupPrivacy::Closed => !(group.is_subgroup && group.parent_secret) || parent_member,
        GroupPrivacy::Secret => parent_member && group.visible_to_parent_members,
    }
}

/// Whether the actor, looking at a subgroup, may know its parent: its name, key and link. The
/// actor here is as the subgroup sees them (`parent_role` is their role in `parent`); a member of
/// a subgroup is not thereby told about a secret parent.
pub fn parent_visible(actor: &Actor, parent: &GroupFacts) -> bool {
    let in_parent = Actor {
        role: actor.parent_role,
        parent_role: None,
        guest: false,
        ..*actor
    };
    visible(&in_parent, parent)
}

/// The permission rule. Pure: the same facts always give the same answer.
pub fn can(actor: &Actor, action: Action, group: &GroupFacts) -> Decision {
    use Action as A;
    if !visible(actor, group) {
        return Decision::Hidden;
    }
    let admin = actor.is_admin();
    let member = actor.is_member();
    let allow = |ok: bool| if ok { Decision::Allow } else { Decision::Forbidden };
    let needs_account = |ok: bool| match (ok, actor.signed_in) {
        (true, _) => Decision::Allow,
        (false, false) => Decision::LogIn,
        (false, true) => Decision::Forbidden,
    };
    let open = group.privacy == GroupPrivacy::Open;
    // Archived groups are read-only until an admin restores them.
    let writable = !group.archived;
    match action {
        A::SeeGroup => Decision::Allow,
        // P13: instance admins see that a group exists, not its private content, unless the
        // coordinators opened support access.
        A::SeeContent | A::SeeMembers => needs_account(open || member || actor.reads_as_support()),
        A::SeeMemberEmails => needs_account(admin),
        A::Join => {
            if member {
                return Decision::Forbidden;
            }
            if !actor.signed_in {
                return Decision::LogIn;
            }
            allow(writable && group.join_policy == JoinPolicy::Anyone && group.join_policy.allowed_for(group.privacy))
        }
        A::RequestToJoin => {
            if member {
                return Decision::Forbidden;
            }
            if !actor.signed_in {
                return Decision::LogIn;
            }
            allow(writable && group.join_policy == JoinPolicy::Approval && group.privacy != GroupPrivacy::Secret)
        }
        A::Invite => needs_account(writable && (admin || (member && group.flags.members_can_add_members))),
        A::StartThread => needs_account(writable && (admin || (member && group.flags.members_can_start_threads))),
        A::CreateSubgroup => needs_account(
            writable && !group.is_subgroup && (admin || (member && group.flags.members_can_create_subgroups)),
        ),
        A::ChangeSettings | A::ManageMembers => needs_account(admin),
        A::Leave => needs_account(member),
        // Instance admins may remove a group (abuse) without being able to read it.
        A::Delete => needs_account(admin || actor.instance_admin),
        A::AskToDeleteContent => needs_account(member),
    }
}

// ---- threads and comments ----

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
}

impl ThreadAction {
    pub const ALL: [Self; 8] = [
        Self::See,
        Self::Comment,
        Self::Edit,
        Self::Pin,
        Self::Close,
        Self::Delete,
        Self::Move,
        Self::AddGuests,
    ];
}

/// What about a comment matters, besides its thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentFacts {
    pub thread: ThreadFacts,
    pub by_actor: bool,
    pub deleted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommentAction {
    Edit,
    Delete,
}

/// Whether the actor may read the thread. Public threads are as visible as their (open) group's
/// content; private ones only to members. A guest (invited into this very thread) reads it even in
/// a secret group, without learning anything else about the group.
fn sees_thread(actor: &Actor, thread: &ThreadFacts) -> bool {
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
        ThreadAction::Pin | ThreadAction::Move => writable && admin,
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
    let ok = live
        && match action {
            CommentAction::Edit => {
                (own && (admin || flags.members_can_edit_comments)) || (admin && flags.admins_can_edit_user_content)
            }
            CommentAction::Delete => admin || (own && flags.members_can_delete_comments),
        };
    match (ok, actor.signed_in) {
        (true, _) => Decision::Allow,
        (false, false) => Decision::LogIn,
        (false, true) => Decision::Forbidden,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use Decision::{Allow, Forbidden, Hidden, LogIn};

    fn group(privacy: GroupPrivacy, join_policy: JoinPolicy) -> GroupFacts {
        GroupFacts {
            privacy,
            join_policy,
            flags: GroupFlags::default(),
            is_subgroup: false,
            visible_to_parent_members: false,
            parent_secret: false,
            archived: false,
        }
    }

    fn actor(role: Option<Role>) -> Actor {
        Actor {
            signed_in: true,
            instance_admin: false,
            role,
            parent_role: None,
            guest: false,
            support_access: false,
        }
    }

    /// The table: (actor, privacy) → the decision for each action, in `Action::ALL` order:
    /// see, content, members, emails, join, request, invite, thread, subgroup, settings, manage, leave, delete,
    /// ask to delete one's content.
    #[test]
    fn permission_table() {
        let anonymous = Actor::ANONYMOUS;
        let outsider = actor(None);
        let member = actor(Some(Role::Member));
        let admin = actor(Some(Role::Admin));
        let guest = Actor {
            guest: true,
            ..outsider
        };
        let staff = Actor {
            instance_admin: true,
            ..outsider
        };
        let support = Actor {
            support_access: true,
            ..staff
        };
        let open = group(GroupPrivacy::Open, JoinPolicy::Anyone);
        let open_approval = group(GroupPrivacy::Open, JoinPolicy::Approval);
        let closed = group(GroupPrivacy::Closed, JoinPolicy::Approval);
        let secret = group(GroupPrivacy::Secret, JoinPolicy::Invitation);
        #[rustfmt::skip]
        let table: Vec<(&str, Actor, GroupFacts, [Decision; 14])> = vec![
            ("anonymous/open",   anonymous, open,   [Allow, Allow, Allow, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn]),
            ("anonymous/closed", anonymous, closed, [Allow, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn]),
            ("anonymous/secret", anonymous, secret, [Hidden; 14]),
            ("outsider/open",    outsider, open,   [Allow, Allow, Allow, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
            ("outsider/open-approval", outsider, open_approval, [Allow, Allow, Allow, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
            ("outsider/closed",  outsider, closed, [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
            ("outsider/secret",  outsider, secret, [Hidden; 14]),
            ("guest/closed",     guest, closed,    [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
            ("guest/secret",     guest, secret,    [Hidden; 14]),
            ("member/open",      member, open,     [Allow, Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Allow]),
            ("member/closed",    member, closed,   [Allow, Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Allow]),
            ("member/secret",    member, secret,   [Allow, Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Allow]),
            ("admin/open",       admin, open,      [Allow, Allow, Allow, Allow, Forbidden, Forbidden, Allow, Allow, Allow, Allow, Allow, Allow, Allow, Allow]),
            ("admin/closed",     admin, closed,    [Allow, Allow, Allow, Allow, Forbidden, Forbidden, Allow, Allow, Allow, Allow, Allow, Allow, Allow, Allow]),
            ("admin/secret",     admin, secret,    [Allow, Allow, Allow, Allow, Forbidden, Forbidden, Allow, Allow, Allow, Allow, Allow, Allow, Allow, Allow]),
            ("staff/open",       staff, open,      [Allow, Allow, Allow, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden]),
            ("staff/closed",     staff, closed,    [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden]),
            ("staff/secret",     staff, secret,    [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden]),
            // P13: support access reads, never writes.
            ("support/closed",   support, closed,  [Allow, Allow, Allow, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden]),
            ("support/secret",   support, secret,  [Allow, Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden]),
        ];
        let mut cases = 0;
        for (name, actor, group, expected) in &table {
            for (action, want) in Action::ALL.iter().zip(expected) {
                assert_eq!(can(actor, *action, group), *want, "{name} × {action:?}");
                cases += 1;
            }
        }
        assert_eq!(cases, 20 * 14);
    }

    fn thread(group: GroupFacts, private: bool) -> ThreadFacts {
        ThreadFacts {
            group,
            private,
            closed: false,
            by_actor: false,
            others_commented: false,
        }
    }

    /// The thread table: (actor, group, thread privacy) → decisions in `ThreadAction::ALL` order:
    /// see, comment, edit, pin, close, delete, move, add guests. Default flags (members may edit
    /// threads and add guests).
    #[test]
    fn thread_permission_table() {
        let anonymous = Actor::ANONYMOUS;
        let outsider = actor(None);
        let member = actor(Some(Role::Member));
        let admin = actor(Some(Role::Admin));
        let guest = Actor {
            guest: true,
            ..outsider
        };
        let staff = Actor {
            instance_admin: true,
            ..outsider
        };
        let support = Actor {
            support_access: true,
            ..staff
        };
        let open = group(GroupPrivacy::Open, JoinPolicy::Anyone);
        let closed = group(GroupPrivacy::Closed, JoinPolicy::Approval);
        let secret = group(GroupPrivacy::Secret, JoinPolicy::Invitation);
        let public_open = thread(open, false);
        let private_open = thread(open, true);
        let private_closed = thread(closed, true);
        let private_secret = thread(secret, true);
        const H: [Decision; 8] = [Hidden; 8];
        #[rustfmt::skip]
        let table: Vec<(&str, Actor, ThreadFacts, [Decision; 8])> = vec![
            ("anonymous/public",         anonymous, public_open,    [Allow, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn]),
            ("anonymous/private-open",   anonymous, private_open,   H),
            ("anonymous/private-closed", anonymous, private_closed, H),
            ("anonymous/private-secret", anonymous, private_secret, H),
            ("outsider/public",          outsider, public_open,     [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
            ("outsider/private-open",    outsider, private_open,    H),
            ("outsider/private-closed",  outsider, private_closed,  H),
            ("outsider/private-secret",  outsider, private_secret,  H),
            ("guest/public",             guest, public_open,        [Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
            ("guest/private-closed",     guest, private_closed,     [Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
            ("guest/private-secret",     guest, private_secret,     [Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
            ("member/public",            member, public_open,       [Allow, Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow]),
            ("member/private-closed",    member, private_closed,    [Allow, Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow]),
            ("member/private-secret",    member, private_secret,    [Allow, Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow]),
            ("admin/public",             admin, public_open,        [Allow; 8]),
            ("admin/private-closed",     admin, private_closed,     [Allow; 8]),
            ("admin/private-secret",     admin, private_secret,     [Allow; 8]),
            ("staff/public",             staff, public_open,        [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
            ("staff/private-closed",     staff, private_closed,     H),
            ("staff/private-secret",     staff, private_secret,     H),
            // P13: with support access an instance admin reads private threads, and only reads.
            ("support/private-closed",   support, private_closed,   [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
            ("support/private-secret",   support, private_secret,   [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
        ];
        let mut cases = 0;
        for (name, actor, thread, expected) in &table {
            for (action, want) in ThreadAction::ALL.iter().zip(expected) {
                assert_eq!(can_thread(actor, *action, thread), *want, "{name} × {action:?}");
                cases += 1;
            }
        }
        assert_eq!(cases, 22 * 8);
    }

    #[test]
    fn thread_authors_closed_threads_and_flags() {
        let member = actor(Some(Role::Member));
        let admin = actor(Some(Role::Admin));
        let mut t = thread(group(GroupPrivacy::Closed, JoinPolicy::Approval), true);
        t.by_actor = true;
        assert_eq!(
            can_thread(&member, ThreadAction::Close, &t),
            Allow,
            "authors close their threads"
        );
        assert_eq!(
            can_thread(&member, ThreadAction::Delete, &t),
            Allow,
            "nobody else has spoken yet"
        );
        t.others_commented = true;
        assert_eq!(
            can_thread(&member, ThreadAction::Delete, &t),
            Forbidden,
            "others' words stay"
        );
        assert_eq!(can_thread(&admin, ThreadAction::Delete, &t), Allow);
        t.closed = true;
        assert_eq!(
            can_thread(&member, ThreadAction::Comment, &t),
            Forbidden,
            "closed threads take no comments"
        );
        t.by_actor = false;
        t.group.flags.members_can_edit_threads = false;
        assert_eq!(can_thread(&member, ThreadAction::Edit, &t), Forbidden);
        assert_eq!(can_thread(&admin, ThreadAction::Edit, &t), Allow);
        t.group.archived = true;
        assert_eq!(can_thread(&admin, ThreadAction::See, &t), Allow);
        assert_eq!(
            can_thread(&admin, ThreadAction::Close, &t),
            Forbidden,
            "archived groups are read-only"
        );
    }

    #[test]
    fn comment_rules_follow_the_flags() {
        let member = actor(Some(Role::Member));
        let admin = actor(Some(Role::Admin));
        let t = thread(group(GroupPrivacy::Closed, JoinPolicy::Approval), true);
        let mut own = CommentFacts {
            thread: t,
            by_actor: true,
            deleted: false,
        };
        let others = CommentFacts { by_actor: false, ..own };
        assert_eq!(can_comment(&member, CommentAction::Edit, &own), Allow);
        assert_eq!(can_comment(&member, CommentAction::Delete, &own), Allow);
        assert_eq!(can_comment(&member, CommentAction::Edit, &others), Forbidden);
        assert_eq!(can_comment(&member, CommentAction::Delete, &others), Forbidden);
        assert_eq!(can_comment(&admin, CommentAction::Delete, &others), Allow, "moderation");
        assert_eq!(
            can_comment(&admin, CommentAction::Edit, &others),
            Forbidden,
            "unless the group allows it"
        );
        let mut allowed = others;
        allowed.thread.group.flags.admins_can_edit_user_content = true;
        assert_eq!(can_comment(&admin, CommentAction::Edit, &allowed), Allow);
        own.thread.group.flags.members_can_edit_comments = false;
        own.thread.group.flags.members_can_delete_comments = false;
        assert_eq!(can_comment(&member, CommentAction::Edit, &own), Forbidden);
        assert_eq!(can_comment(&member, CommentAction::Delete, &own), Forbidden);
        own.deleted = true;
        assert_eq!(
            can_comment(&admin, CommentAction::Delete, &own),
            Forbidden,
            "already deleted"
        );
        let outsider = actor(None);
        assert_eq!(can_comment(&outsider, CommentAction::Delete, &others), Hidden);
    }

    #[test]
    fn subgroups_and_flags() {
        let member = actor(Some(Role::Member));
        let parent_member = Actor {
            parent_role: Some(Role::Member),
            ..actor(None)
        };
        let mut sub = group(GroupPrivacy::Secret, JoinPolicy::Invitation);
        sub.is_subgroup = true;
        assert_eq!(can(&parent_member, A::SeeGroup, &sub), Hidden);
        sub.visible_to_parent_members = true;
        assert_eq!(can(&parent_member, A::SeeGroup, &sub), Allow);
        assert_eq!(
            can(&parent_member, A::SeeContent, &sub),
            Forbidden,
            "seeing a subgroup is not reading it"
        );
        assert_eq!(
            can(&actor(Some(Role::Admin)), A::CreateSubgroup, &sub),
            Forbidden,
            "one level of subgroups"
        );

        let mut g = group(GroupPrivacy::Closed, JoinPolicy::Approval);
        assert_eq!(can(&member, A::Invite, &g), Forbidden);
        g.flags.members_can_add_members = true;
        g.flags.members_can_create_subgroups = true;
        g.flags.members_can_start_threads = false;
        assert_eq!(can(&member, A::Invite, &g), Allow);
        assert_eq!(can(&member, A::CreateSubgroup, &g), Allow);
        assert_eq!(can(&member, A::StartThread, &g), Forbidden);
        assert_eq!(
            can(&actor(Some(Role::Admin)), A::StartThread, &g),
            Allow,
            "flags bind members, not admins"
        );
    }

    #[test]
    fn a_secret_parent_is_known_to_its_members_only() {
        let parent = group(GroupPrivacy::Secret, JoinPolicy::Invitation);
        for privacy in [GroupPrivacy::Open, GroupPrivacy::Closed] {
            let mut sub = group(privacy, JoinPolicy::Approval);
            sub.is_subgroup = true;
            sub.parent_secret = true;
            let anonymous = Actor::ANONYMOUS;
            let outsider = actor(None);
            let parent_member = Actor {
                parent_role: Some(Role::Member),
                ..actor(None)
            };
            let sub_only = actor(Some(Role::Member));
            let staff = Actor {
                instance_admin: true,
                ..actor(None)
            };
            for (who, sees_sub, sees_parent) in [
                (&anonymous, false, false),
                (&outsider, false, false),
                (&sub_only, true, false),
                (&parent_member, true, true),
                (&staff, true, true),
            ] {
                assert_eq!(can(who, A::SeeGroup, &sub).allowed(), sees_sub, "{privacy:?} {who:?}");
                assert_eq!(parent_visible(who, &parent), sees_parent, "{privacy:?} {who:?}");
            }
            assert_eq!(can(&outsider, A::RequestToJoin, &sub), Hidden);
            sub.parent_secret = false;
            assert_eq!(
                can(&outsider, A::SeeGroup, &sub),
                Allow,
                "a visible parent hides nothing"
            );
            assert!(parent_visible(
                &outsider,
                &group(GroupPrivacy::Closed, JoinPolicy::Approval)
            ));
        }
    }

    #[test]
    fn archived_groups_are_read_only() {
        let admin = actor(Some(Role::Admin));
        let mut g = group(GroupPrivacy::Open, JoinPolicy::Anyone);
        g.archived = true;
        assert_eq!(can(&admin, A::SeeContent, &g), Allow);
        assert_eq!(can(&admin, A::StartThread, &g), Forbidden);
        assert_eq!(can(&admin, A::Invite, &g), Forbidden);
        assert_eq!(can(&actor(None), A::Join, &g), Forbidden);
        assert_eq!(can(&admin, A::ChangeSettings, &g), Allow, "so it can be restored");
    }

    /// Properties over every combination: emails are never shown to a non-admin of the group
    /// (P6), and nothing but existence is ever allowed on a group the actor may not see.
    #[test]
    fn properties_over_all_combinations() {
        let roles = [None, Some(Role::Member), Some(Role::Admin)];
        let policies = [JoinPolicy::Anyone, JoinPolicy::Approval, JoinPolicy::Invitation];
        let mut checked = 0;
        for signed_in in [false, true] {
            for instance_admin in [false, true] {
                for role in roles {
                    for parent_role in roles {
                        for (guest, support_access) in [(false, false), (false, true), (true, false), (true, true)] {
                            for privacy in GroupPrivacy::ALL {
                                for join_policy in policies {
                                    for is_subgroup in [false, true] {
                                        for visible_to_parent_members in [false, true] {
                                            for (archived, parent_secret) in
                                                [(false, false), (false, true), (true, false), (true, true)]
                                            {
                                                let actor = Actor {
                                                    signed_in: signed_in || role.is_some(),
                                                    instance_admin,
                                                    role,
                                                    parent_role,
                                                    guest,
                                                    support_access,
                                                };
                                                let without_support = Actor {
                                                    support_access: false,
                                                    ..actor
                                                };
                                                let g = GroupFacts {
                                                    privacy,
                                                    join_policy,
                                                    flags: GroupFlags::default(),
                                                    is_subgroup,
                                                    visible_to_parent_members,
                                                    parent_secret,
                                                    archived,
                                                };
                                                for action in Action::ALL {
                                                    let d = can(&actor, action, &g);
                                                    if action == A::SeeMemberEmails && d.allowed() {
                                                        assert_eq!(role, Some(Role::Admin));
                                                    }
                                                    if !visible(&actor, &g) {
                                                        assert_eq!(d, Hidden);
                                                    }
                                                    // A secret parent is never revealed by its
                                                    // subgroups to people outside it.
                                                    if is_subgroup
                                                        && parent_secret
                                                        && role.is_none()
                                                        && parent_role.is_none()
                                                        && !instance_admin
                                                    {
                                                        assert_eq!(d, Hidden, "{actor:?} {action:?} {g:?}");
                                                    }
                                                    if d.allowed()
                                                        && action != A::SeeGroup
                                                        && action != A::Delete
                                                        && privacy != GroupPrivacy::Open
                                                    {
                                                        assert!(
                                                            role.is_some()
                                                                || matches!(action, A::RequestToJoin)
                                                                || (actor.reads_as_support()
                                                                    && matches!(action, A::SeeContent | A::SeeMembers)),
                                                            "{actor:?} {action:?} {g:?}"
                                                        );
                                                    }
                                                    // P13: support access only ever adds reading.
                                                    if d != can(&without_support, action, &g) {
                                                        assert!(actor.reads_as_support(), "{actor:?} {action:?}");
                                                        assert!(matches!(action, A::SeeContent | A::SeeMembers));
                                                    }
                                                    checked += 1;
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 120_000);
    }
}
