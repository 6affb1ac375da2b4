//! The group rule: may this actor do this action on this group?

use crate::groups::{GroupFlags, GroupPrivacy, JoinPolicy};

use super::{Actor, Decision};

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
    /// Read its private threads and list them (members; an instance admin with support access).
    SeePrivateThreads,
    /// Open or close support access for the instance's administrators (P13).
    GrantSupport,
    /// See whether support access is open (coordinators, and instance admins so they know
    /// whether they may read).
    SeeSupport,
    /// Notify the whole group of a new thread or poll (coordinators, and members when
    /// `members_can_announce`).
    Announce,
}

impl Action {
    pub const ALL: [Self; 18] = [
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
        Self::SeePrivateThreads,
        Self::GrantSupport,
        Self::SeeSupport,
        Self::Announce,
    ];
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

/// Whether a visitor who is not logged in is offered "log in to join" (or to ask to): the group
/// takes members other than by invitation and is not archived.
pub fn log_in_to_join(actor: &Actor, group: &GroupFacts) -> bool {
    !actor.signed_in
        && can(actor, Action::Join, group) == Decision::LogIn
        && group.join_policy != JoinPolicy::Invitation
        && !group.archived
}

/// Starting a thread by writing to the group's address: whoever may start one on the web, where
/// the coordinators allow it (`start_threads_by_email`, off by default).
pub fn can_start_thread_by_email(actor: &Actor, group: &GroupFacts) -> Decision {
    match can(actor, Action::StartThread, group) {
        Decision::Allow if !group.flags.start_threads_by_email => Decision::Forbidden,
        decision => decision,
    }
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
        A::Announce => needs_account(writable && (admin || (member && group.flags.members_can_announce))),
        A::CreateSubgroup => needs_account(
            writable && !group.is_subgroup && (admin || (member && group.flags.members_can_create_subgroups)),
        ),
        A::ChangeSettings | A::ManageMembers | A::GrantSupport => needs_account(admin),
        A::SeePrivateThreads => needs_account(member || actor.reads_as_support()),
        A::SeeSupport => needs_account(admin || (actor.signed_in && actor.instance_admin)),
        A::Leave => needs_account(member),
        // Instance admins may remove a group (abuse) without being able to read it.
        A::Delete => needs_account(admin || actor.instance_admin),
        A::AskToDeleteContent => needs_account(member),
    }
}
