//! The one permission function: may this actor do this action on this group? Every route asks
//! here; nothing else decides. A denial says whether the object must stay hidden (404) or may be
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
}

impl Actor {
    pub const ANONYMOUS: Self = Self {
        signed_in: false,
        instance_admin: false,
        role: None,
        parent_role: None,
        guest: false,
    };

    pub fn is_member(&self) -> bool {
        self.role.is_some()
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
}

impl Action {
    pub const ALL: [Self; 13] = [
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
    match group.privacy {
        GroupPrivacy::Open | GroupPrivacy::Closed => true,
        GroupPrivacy::Secret => {
            actor.is_member()
                || actor.instance_admin
                || (group.is_subgroup && group.visible_to_parent_members && actor.parent_role.is_some())
        }
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
        // P13: instance admins see that a group exists, not its private content.
        A::SeeContent | A::SeeMembers => needs_account(open || member),
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
        }
    }

    /// The table: (actor, privacy) → the decision for each action, in `Action::ALL` order:
    /// see, content, members, emails, join, request, invite, thread, subgroup, settings, manage, leave, delete.
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
        let open = group(GroupPrivacy::Open, JoinPolicy::Anyone);
        let open_approval = group(GroupPrivacy::Open, JoinPolicy::Approval);
        let closed = group(GroupPrivacy::Closed, JoinPolicy::Approval);
        let secret = group(GroupPrivacy::Secret, JoinPolicy::Invitation);
        #[rustfmt::skip]
        let table: Vec<(&str, Actor, GroupFacts, [Decision; 13])> = vec![
            ("anonymous/open",   anonymous, open,   [Allow, Allow, Allow, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn]),
            ("anonymous/closed", anonymous, closed, [Allow, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn]),
            ("anonymous/secret", anonymous, secret, [Hidden; 13]),
            ("outsider/open",    outsider, open,   [Allow, Allow, Allow, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
            ("outsider/open-approval", outsider, open_approval, [Allow, Allow, Allow, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
            ("outsider/closed",  outsider, closed, [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
            ("outsider/secret",  outsider, secret, [Hidden; 13]),
            ("guest/closed",     guest, closed,    [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
            ("guest/secret",     guest, secret,    [Hidden; 13]),
            ("member/open",      member, open,     [Allow, Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Allow, Forbidden]),
            ("member/closed",    member, closed,   [Allow, Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Allow, Forbidden]),
            ("member/secret",    member, secret,   [Allow, Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Allow, Forbidden]),
            ("admin/open",       admin, open,      [Allow, Allow, Allow, Allow, Forbidden, Forbidden, Allow, Allow, Allow, Allow, Allow, Allow, Allow]),
            ("admin/closed",     admin, closed,    [Allow, Allow, Allow, Allow, Forbidden, Forbidden, Allow, Allow, Allow, Allow, Allow, Allow, Allow]),
            ("admin/secret",     admin, secret,    [Allow, Allow, Allow, Allow, Forbidden, Forbidden, Allow, Allow, Allow, Allow, Allow, Allow, Allow]),
            ("staff/open",       staff, open,      [Allow, Allow, Allow, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Allow]),
            ("staff/closed",     staff, closed,    [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Allow]),
            ("staff/secret",     staff, secret,    [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Allow]),
        ];
        let mut cases = 0;
        for (name, actor, group, expected) in &table {
            for (action, want) in Action::ALL.iter().zip(expected) {
                assert_eq!(can(actor, *action, group), *want, "{name} × {action:?}");
                cases += 1;
            }
        }
        assert_eq!(cases, 18 * 13);
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
                        for guest in [false, true] {
                            for privacy in GroupPrivacy::ALL {
                                for join_policy in policies {
                                    for is_subgroup in [false, true] {
                                        for visible_to_parent_members in [false, true] {
                                            for archived in [false, true] {
                                                let actor = Actor {
                                                    signed_in: signed_in || role.is_some(),
                                                    instance_admin,
                                                    role,
                                                    parent_role,
                                                    guest,
                                                };
                                                let g = GroupFacts {
                                                    privacy,
                                                    join_policy,
                                                    flags: GroupFlags::default(),
                                                    is_subgroup,
                                                    visible_to_parent_members,
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
                                                    if d.allowed()
                                                        && action != A::SeeGroup
                                                        && action != A::Delete
                                                        && privacy != GroupPrivacy::Open
                                                    {
                                                        assert!(
                                                            role.is_some() || matches!(action, A::RequestToJoin),
                                                            "{actor:?} {action:?} {g:?}"
                                                        );
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
        assert!(checked > 30_000);
    }
}
