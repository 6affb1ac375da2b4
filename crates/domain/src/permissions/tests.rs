//! The permission rules as tables: role × privacy × action → decision, including what must be denied.

use super::*;
use crate::groups::{GroupFlags, GroupPrivacy, JoinPolicy};
use Action as A;
use Decision::{Allow, Forbidden, Hidden, LogIn};

#[test]
fn roles_round_trip_and_an_unknown_one_is_an_error_not_a_member() {
    for role in [Role::Admin, Role::Member] {
        assert_eq!(Role::from_stored(role.as_str()), Ok(role));
    }
    for unknown in ["", "Admin", "owner", "coordinator"] {
        assert!(Role::from_stored(unknown).is_err(), "{unknown:?}");
    }
}

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
/// ask to delete one's content, private threads, grant support, see support, announce.
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
    let table: Vec<(&str, Actor, GroupFacts, [Decision; 18])> = vec![
        ("anonymous/open",   anonymous, open,   [Allow, Allow, Allow, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn]),
        ("anonymous/closed", anonymous, closed, [Allow, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn]),
        ("anonymous/secret", anonymous, secret, [Hidden; 18]),
        ("outsider/open",    outsider, open,   [Allow, Allow, Allow, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
        ("outsider/open-approval", outsider, open_approval, [Allow, Allow, Allow, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
        ("outsider/closed",  outsider, closed, [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
        ("outsider/secret",  outsider, secret, [Hidden; 18]),
        ("guest/closed",     guest, closed,    [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
        ("guest/secret",     guest, secret,    [Hidden; 18]),
        ("member/open",      member, open,     [Allow, Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Allow, Allow, Forbidden, Forbidden, Allow]),
        ("member/closed",    member, closed,   [Allow, Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Allow, Allow, Forbidden, Forbidden, Allow]),
        ("member/secret",    member, secret,   [Allow, Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Allow, Allow, Forbidden, Forbidden, Allow]),
        ("admin/open",       admin, open,      [Allow, Allow, Allow, Allow, Forbidden, Forbidden, Allow, Allow, Allow, Allow, Allow, Allow, Allow, Allow, Allow, Allow, Allow, Allow]),
        ("admin/closed",     admin, closed,    [Allow, Allow, Allow, Allow, Forbidden, Forbidden, Allow, Allow, Allow, Allow, Allow, Allow, Allow, Allow, Allow, Allow, Allow, Allow]),
        ("admin/secret",     admin, secret,    [Allow, Allow, Allow, Allow, Forbidden, Forbidden, Allow, Allow, Allow, Allow, Allow, Allow, Allow, Allow, Allow, Allow, Allow, Allow]),
        ("staff/open",       staff, open,      [Allow, Allow, Allow, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Allow, Forbidden]),
        ("staff/closed",     staff, closed,    [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Allow, Forbidden]),
        ("staff/secret",     staff, secret,    [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Allow, Forbidden]),
        // P13: support access reads, never writes.
        ("support/closed",   support, closed,  [Allow, Allow, Allow, Forbidden, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Allow, Forbidden, Allow, Forbidden]),
        ("support/secret",   support, secret,  [Allow, Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden, Allow, Forbidden, Allow, Forbidden]),
    ];
    let mut cases = 0;
    for (name, actor, group, expected) in &table {
        for (action, want) in Action::ALL.iter().zip(expected) {
            assert_eq!(can(actor, *action, group), *want, "{name} × {action:?}");
            cases += 1;
        }
    }
    assert_eq!(cases, 20 * 18);
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
/// see, comment, edit, pin, close, delete, move, add guests, remove guests. Default flags (members may edit
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
    const H: [Decision; 9] = [Hidden; 9];
    #[rustfmt::skip]
    let table: Vec<(&str, Actor, ThreadFacts, [Decision; 9])> = vec![
        ("anonymous/public",         anonymous, public_open,    [Allow, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn]),
        ("anonymous/private-open",   anonymous, private_open,   H),
        ("anonymous/private-closed", anonymous, private_closed, H),
        ("anonymous/private-secret", anonymous, private_secret, H),
        ("outsider/public",          outsider, public_open,     [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
        ("outsider/private-open",    outsider, private_open,    H),
        ("outsider/private-closed",  outsider, private_closed,  H),
        ("outsider/private-secret",  outsider, private_secret,  H),
        ("guest/public",             guest, public_open,        [Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
        ("guest/private-closed",     guest, private_closed,     [Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
        ("guest/private-secret",     guest, private_secret,     [Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
        ("member/public",            member, public_open,       [Allow, Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden]),
        ("member/private-closed",    member, private_closed,    [Allow, Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden]),
        ("member/private-secret",    member, private_secret,    [Allow, Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden, Allow, Forbidden]),
        ("admin/public",             admin, public_open,        [Allow; 9]),
        ("admin/private-closed",     admin, private_closed,     [Allow; 9]),
        ("admin/private-secret",     admin, private_secret,     [Allow; 9]),
        ("staff/public",             staff, public_open,        [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
        ("staff/private-closed",     staff, private_closed,     H),
        ("staff/private-secret",     staff, private_secret,     H),
        // P13: with support access an instance admin reads private threads, and only reads.
        ("support/private-closed",   support, private_closed,   [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
        ("support/private-secret",   support, private_secret,   [Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
    ];
    let mut cases = 0;
    for (name, actor, thread, expected) in &table {
        for (action, want) in ThreadAction::ALL.iter().zip(expected) {
            assert_eq!(can_thread(actor, *action, thread), *want, "{name} × {action:?}");
            cases += 1;
        }
    }
    assert_eq!(cases, 22 * 9);
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
        undoable: false,
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
    assert_eq!(can_comment(&member, CommentAction::React, &others), Allow);
    assert_eq!(
        can_comment(&member, CommentAction::React, &own),
        Forbidden,
        "not on a deleted comment"
    );
    assert_eq!(
        can_comment(&member, CommentAction::Restore, &own),
        Forbidden,
        "someone else deleted it, or it is erased"
    );
    own.undoable = true;
    assert_eq!(can_comment(&member, CommentAction::Restore, &own), Allow, "undo");
    assert_eq!(
        can_comment(&member, CommentAction::Restore, &others),
        Forbidden,
        "only a deleted comment comes back"
    );
    let mut archived = own;
    archived.thread.group.archived = true;
    assert_eq!(
        can_comment(&member, CommentAction::Restore, &archived),
        Forbidden,
        "archived groups are read-only"
    );
    assert_eq!(can_comment(&actor(None), CommentAction::Restore, &own), Hidden);
    let mut closed = others;
    closed.thread.closed = true;
    assert_eq!(
        can_comment(&admin, CommentAction::React, &closed),
        Forbidden,
        "closed threads take none"
    );
    let outsider = actor(None);
    assert_eq!(can_comment(&outsider, CommentAction::Delete, &others), Hidden);
    assert_eq!(can_comment(&outsider, CommentAction::React, &others), Hidden);
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
                                                            || (actor.signed_in
                                                                && actor.instance_admin
                                                                && action == A::SeeSupport)
                                                            || (actor.reads_as_support()
                                                                && matches!(
                                                                    action,
                                                                    A::SeeContent
                                                                        | A::SeeMembers
                                                                        | A::SeePrivateThreads
                                                                )),
                                                        "{actor:?} {action:?} {g:?}"
                                                    );
                                                }
                                                // P13: support access only ever adds reading.
                                                if d != can(&without_support, action, &g) {
                                                    assert!(actor.reads_as_support(), "{actor:?} {action:?}");
                                                    assert!(matches!(
                                                        action,
                                                        A::SeeContent | A::SeeMembers | A::SeePrivateThreads
                                                    ));
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

#[test]
fn instance_administration_table() {
    use InstanceAction as I;
    // action → decision for (signed-in admin, signed-in non-admin, signed out).
    let table = [
        (I::PublishPolicies, [Allow, Forbidden, LogIn]),
        (I::SeeUsage, [Allow, Forbidden, Hidden]),
        (I::ResolveDeletionRequests, [Allow, Hidden, Hidden]),
        (I::ManageJobs, [Allow, Hidden, Hidden]),
        (I::ManageEmails, [Allow, Hidden, Hidden]),
        (I::OpenMaintenanceAccess, [Allow, Hidden, Hidden]),
        (I::ReadSecurityLog, [Allow, Hidden, Hidden]),
    ];
    assert_eq!(table.len(), InstanceAction::ALL.len());
    for (action, [admin, member, signed_out]) in table {
        assert_eq!(can_administer(true, true, action), admin, "{action:?} admin");
        assert_eq!(can_administer(true, false, action), member, "{action:?} non-admin");
        assert_eq!(
            can_administer(false, false, action),
            signed_out,
            "{action:?} signed out"
        );
        // The admin flag of someone not signed in counts for nothing.
        assert_eq!(
            can_administer(false, true, action),
            signed_out,
            "{action:?} flag without a session"
        );
    }
}

#[test]
fn log_in_offers_only_where_logging_in_can_help() {
    let anonymous = Actor::ANONYMOUS;
    let member = actor(Some(Role::Member));
    let open = group(GroupPrivacy::Open, JoinPolicy::Anyone);
    let closed = group(GroupPrivacy::Closed, JoinPolicy::Approval);
    let by_invitation = group(GroupPrivacy::Closed, JoinPolicy::Invitation);
    let archived = GroupFacts { archived: true, ..open };
    assert!(log_in_to_join(&anonymous, &open));
    assert!(log_in_to_join(&anonymous, &closed), "to ask to join");
    assert!(!log_in_to_join(&anonymous, &by_invitation));
    assert!(!log_in_to_join(&anonymous, &archived));
    assert!(!log_in_to_join(&member, &open), "already signed in");
    let public = thread(open, false);
    assert!(log_in_to_comment(&anonymous, &public));
    assert!(!log_in_to_comment(&anonymous, &ThreadFacts { closed: true, ..public }));
    assert!(
        !log_in_to_comment(&anonymous, &thread(closed, true)),
        "cannot even read it"
    );
    assert!(!log_in_to_comment(&member, &public));
    assert!(may_move_into(Role::Admin, false));
    assert!(!may_move_into(Role::Admin, true));
    assert!(!may_move_into(Role::Member, false));
}

/// The group flags over every combination the other tests fix at their defaults.
mod flags {
    use proptest::prelude::*;

    use super::*;

    fn flags() -> impl Strategy<Value = GroupFlags> {
        proptest::array::uniform11(any::<bool>()).prop_map(|b| GroupFlags {
            members_can_add_members: b[0],
            members_can_add_guests: b[1],
            members_can_announce: b[2],
            members_can_create_subgroups: b[3],
            members_can_start_threads: b[4],
            members_can_edit_threads: b[5],
            members_can_edit_comments: b[6],
            members_can_delete_comments: b[7],
            members_can_raise_polls: b[8],
            admins_can_edit_user_content: b[9],
            start_threads_by_email: b[10],
        })
    }

    fn privacy() -> impl Strategy<Value = (GroupPrivacy, JoinPolicy)> {
        prop_oneof![
            Just((GroupPrivacy::Open, JoinPolicy::Anyone)),
            Just((GroupPrivacy::Open, JoinPolicy::Approval)),
            Just((GroupPrivacy::Closed, JoinPolicy::Approval)),
            Just((GroupPrivacy::Closed, JoinPolicy::Invitation)),
            Just((GroupPrivacy::Secret, JoinPolicy::Invitation)),
        ]
    }

    fn actors() -> impl Strategy<Value = Actor> {
        (
            any::<bool>(),
            any::<bool>(),
            prop_oneof![Just(None), Just(Some(Role::Member)), Just(Some(Role::Admin))],
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(signed_in, instance_admin, role, guest, support_access)| Actor {
                signed_in: signed_in || role.is_some() || guest,
                instance_admin,
                role,
                parent_role: None,
                guest: guest && role.is_none(),
                support_access,
            })
    }

    /// Turning a flag on grants only what its name says, and only to members.
    fn granted_by_flags(action: Action) -> bool {
        matches!(
            action,
            Action::Invite | Action::StartThread | Action::CreateSubgroup | Action::Announce
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn flags_never_reveal_a_group_and_only_ever_widen_what_members_may(
            actor in actors(),
            (privacy, join_policy) in privacy(),
            on in flags(),
            archived in any::<bool>(),
            private in any::<bool>(),
            closed in any::<bool>(),
            by_actor in any::<bool>(),
        ) {
            let off = GroupFlags {
                members_can_add_members: false,
                members_can_add_guests: false,
                members_can_announce: false,
                members_can_create_subgroups: false,
                members_can_start_threads: false,
                members_can_edit_threads: false,
                members_can_edit_comments: false,
                members_can_delete_comments: false,
                members_can_raise_polls: false,
                admins_can_edit_user_content: false,
                start_threads_by_email: false,
            };
            let with = |flags| GroupFacts { archived, flags, ..group(privacy, join_policy) };
            let (g_on, g_off) = (with(on), with(off));
            prop_assert_eq!(visible(&actor, &g_on), visible(&actor, &g_off), "flags change who sees the group");
            for action in Action::ALL {
                let (a, b) = (can(&actor, action, &g_on), can(&actor, action, &g_off));
                if a != b {
                    prop_assert!(actor.role == Some(Role::Member), "{:?} {:?}: flags matter only for members", actor, action);
                    prop_assert!(granted_by_flags(action), "{:?}: no flag governs it", action);
                    prop_assert!(a.allowed() && !archived, "{:?}: a flag only grants, never in an archived group", action);
                }
            }
            let thread_on = ThreadFacts { group: g_on, private, closed, by_actor, others_commented: false };
            let thread_off = ThreadFacts { group: g_off, ..thread_on };
            for action in ThreadAction::ALL {
                let (a, b) = (can_thread(&actor, action, &thread_on), can_thread(&actor, action, &thread_off));
                if a != b {
                    prop_assert!(actor.role == Some(Role::Member), "{:?} {:?}", actor, action);
                    prop_assert!(matches!(action, ThreadAction::Edit | ThreadAction::AddGuests), "{:?}", action);
                    prop_assert!(a.allowed(), "{:?}: a flag only grants", action);
                }
                // Whoever reads the thread, reads it whatever the flags.
                prop_assert_eq!(a == Decision::Hidden, b == Decision::Hidden);
            }
            for (deleted, undoable) in [(false, false), (true, false), (true, true)] {
                let comment_on = CommentFacts { thread: thread_on, by_actor, deleted, undoable };
                let comment_off = CommentFacts { thread: thread_off, ..comment_on };
                for action in CommentAction::ALL {
                    let (a, b) = (can_comment(&actor, action, &comment_on), can_comment(&actor, action, &comment_off));
                    if a != b {
                        // The comment flags govern everyone who takes part: members and guests.
                        prop_assert!(actor.is_member() || actor.guest, "{:?} {:?}", actor, action);
                        prop_assert!(a.allowed() && !deleted && !archived, "{:?}: a flag only grants", action);
                        prop_assert!(matches!(action, CommentAction::Edit | CommentAction::Delete), "{:?}", action);
                        // Coordinators edit others' words only through their own flag.
                        if actor.is_admin() {
                            prop_assert!(on.admins_can_edit_user_content && !by_actor, "{:?}", action);
                        }
                    }
                }
            }
        }
    }
}

fn poll(place: PollPlace, state: crate::polls::PollState) -> PollFacts {
    PollFacts {
        place,
        state,
        electorate: crate::polls::Electorate::Members,
        anonymous: false,
        hide_results: crate::polls::HideResults::Off,
        voters_can_add_options: false,
        has_votes: false,
        by_actor: false,
        actor_voted: false,
        actor_named: false,
    }
}

/// The poll table: (actor, poll) → decisions in `PollAction::ALL` order: see, vote, add option,
/// edit, extend, close, reopen, remind, outcome, delete, results, voters, undecided, react.
#[test]
fn poll_permission_table() {
    use crate::polls::{Electorate, HideResults, PollState};
    const F: Decision = Forbidden;
    let anonymous = Actor::ANONYMOUS;
    let outsider = actor(None);
    let member = actor(Some(Role::Member));
    let admin = actor(Some(Role::Admin));
    let guest = Actor {
        guest: true,
        ..outsider
    };
    let support = Actor {
        instance_admin: true,
        support_access: true,
        ..outsider
    };
    let open = group(GroupPrivacy::Open, JoinPolicy::Anyone);
    let closed = group(GroupPrivacy::Closed, JoinPolicy::Approval);
    let public = PollPlace::Thread(thread(open, false));
    let private = PollPlace::Thread(thread(closed, true));
    let standalone = PollPlace::Group(closed);
    let live = poll(public, PollState::Open);
    let ended = poll(public, PollState::Closed);
    let mine = PollFacts { by_actor: true, ..live };
    let voted = PollFacts {
        has_votes: true,
        ..mine
    };
    let anon_closed = PollFacts {
        anonymous: true,
        by_actor: true,
        ..ended
    };
    let named_only = PollFacts {
        electorate: Electorate::Specified,
        ..live
    };
    let named = PollFacts {
        actor_named: true,
        ..named_only
    };
    let hidden_until_closed = PollFacts {
        hide_results: HideResults::UntilClosed,
        by_actor: true,
        ..live
    };
    let hidden_until_voted = PollFacts {
        hide_results: HideResults::UntilVoted,
        ..live
    };
    let after_voting = PollFacts {
        actor_voted: true,
        ..hidden_until_voted
    };
    let scheduled = PollFacts {
        by_actor: true,
        ..poll(public, PollState::Scheduled)
    };
    let archived = poll(
        PollPlace::Thread(thread(GroupFacts { archived: true, ..open }, false)),
        PollState::Open,
    );
    let adds = PollFacts {
        voters_can_add_options: true,
        ..live
    };
    const H: [Decision; 14] = [Hidden; 14];
    #[rustfmt::skip]
    let table: Vec<(&str, Actor, PollFacts, [Decision; 14])> = vec![
        ("anonymous/public",        anonymous, live,   [Allow, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, LogIn, Allow, Allow, LogIn, LogIn]),
        ("anonymous/private",       anonymous, poll(private, PollState::Open), H),
        ("outsider/private",        outsider, poll(private, PollState::Open), H),
        ("outsider/standalone",     outsider, poll(standalone, PollState::Open), H),
        ("outsider/public",         outsider, live,    [Allow, F, F, F, F, F, F, F, F, F, Allow, Allow, F, F]),
        ("member/open",             member, live,      [Allow, Allow, F, F, F, F, F, F, F, F, Allow, Allow, F, Allow]),
        ("member/adds options",     member, adds,      [Allow, Allow, Allow, F, F, F, F, F, F, F, Allow, Allow, F, Allow]),
        ("member/standalone",       member, poll(standalone, PollState::Open), [Allow, Allow, F, F, F, F, F, F, F, F, Allow, Allow, F, Allow]),
        ("guest/open",              guest, live,       [Allow, Allow, F, F, F, F, F, F, F, F, Allow, Allow, F, Allow]),
        ("author/open",             member, mine,      [Allow, Allow, F, Allow, Allow, Allow, F, Allow, F, Allow, Allow, Allow, Allow, Allow]),
        ("author/after a vote",     member, voted,     [Allow, Allow, F, F, Allow, Allow, F, Allow, F, Allow, Allow, Allow, Allow, Allow]),
        ("author/scheduled",        member, scheduled, [Allow, F, F, Allow, Allow, F, F, F, F, Allow, Allow, Allow, Allow, Allow]),
        ("admin/open",              admin, live,       [Allow, Allow, F, Allow, Allow, Allow, F, Allow, F, Allow, Allow, Allow, Allow, Allow]),
        ("admin/closed",            admin, ended,      [Allow, F, F, F, F, F, Allow, F, Allow, Allow, Allow, Allow, Allow, Allow]),
        ("member/closed",           member, ended,     [Allow, F, F, F, F, F, F, F, F, F, Allow, Allow, F, Allow]),
        // Anonymous polls never reopen, and nobody sees who chose what.
        ("author/anonymous closed", member, anon_closed, [Allow, F, F, F, F, F, F, F, Allow, Allow, Allow, F, Allow, Allow]),
        ("member/not named",        member, named_only, [Allow, F, F, F, F, F, F, F, F, F, Allow, Allow, F, Allow]),
        ("member/named",            member, named,     [Allow, Allow, F, F, F, F, F, F, F, F, Allow, Allow, F, Allow]),
        // Hidden results: hidden from the author too until closing; until voting for a voter.
        ("author/hidden until closed", member, hidden_until_closed, [Allow, Allow, F, Allow, Allow, Allow, F, Allow, F, Allow, F, F, Allow, Allow]),
        ("member/hidden until voted",  member, hidden_until_voted,  [Allow, Allow, F, F, F, F, F, F, F, F, F, F, F, Allow]),
        ("member/after voting",        member, after_voting,        [Allow, Allow, F, F, F, F, F, F, F, F, Allow, Allow, F, Allow]),
        ("member/archived group",   member, archived,  [Allow, F, F, F, F, F, F, F, F, F, Allow, Allow, F, F]),
        // P13: support access reads, never votes or steers.
        ("support/private",         support, poll(private, PollState::Open), [Allow, F, F, F, F, F, F, F, F, F, Allow, Allow, F, F]),
    ];
    for (name, actor, poll, expected) in &table {
        for (action, want) in PollAction::ALL.iter().zip(expected) {
            assert_eq!(can_poll(actor, *action, poll), *want, "{name} × {action:?}");
        }
    }
}

/// Raising a poll: (actor, place, flag) → decision.
#[test]
fn raising_polls_follows_members_can_raise_polls() {
    let open = group(GroupPrivacy::Open, JoinPolicy::Anyone);
    let no_polls = GroupFacts {
        flags: GroupFlags {
            members_can_raise_polls: false,
            ..GroupFlags::default()
        },
        ..open
    };
    let closed_thread = ThreadFacts {
        closed: true,
        ..thread(open, false)
    };
    let member = actor(Some(Role::Member));
    let admin = actor(Some(Role::Admin));
    #[rustfmt::skip]
    let table: Vec<(&str, Actor, PollPlace, Decision)> = vec![
        ("member, flag on",           member, PollPlace::Thread(thread(open, false)), Allow),
        ("member, flag off",          member, PollPlace::Thread(thread(no_polls, false)), Forbidden),
        ("admin, flag off",           admin, PollPlace::Thread(thread(no_polls, false)), Allow),
        ("member, standalone",        member, PollPlace::Group(open), Allow),
        ("member, standalone, off",   member, PollPlace::Group(no_polls), Forbidden),
        ("closed thread",             admin, PollPlace::Thread(closed_thread), Forbidden),
        ("guest",                     Actor { guest: true, ..actor(None) }, PollPlace::Thread(thread(open, false)), Forbidden),
        ("outsider",                  actor(None), PollPlace::Group(open), Forbidden),
        ("anonymous",                 Actor::ANONYMOUS, PollPlace::Group(open), LogIn),
        ("outsider, private thread",  actor(None), PollPlace::Thread(thread(open, true)), Hidden),
        ("archived",                  admin, PollPlace::Group(GroupFacts { archived: true, ..open }), Forbidden),
    ];
    for (name, actor, place, want) in table {
        assert_eq!(can_raise_poll(&actor, &place), want, "{name}");
    }
}

/// Starting a thread by email: (role, flag, archived) → decision; the web's `StartThread` rule,
/// narrowed by the group's `start_threads_by_email`.
#[test]
fn starting_threads_by_email_takes_the_groups_leave() {
    let open = group(GroupPrivacy::Closed, JoinPolicy::Approval);
    let with = |by_email: bool, members_start: bool, archived: bool| GroupFacts {
        flags: GroupFlags {
            start_threads_by_email: by_email,
            members_can_start_threads: members_start,
            ..GroupFlags::default()
        },
        archived,
        ..open
    };
    let (member, admin, outsider) = (actor(Some(Role::Member)), actor(Some(Role::Admin)), actor(None));
    #[rustfmt::skip]
    let table: Vec<(&str, Actor, GroupFacts, Decision)> = vec![
        ("member, allowed",                   member, with(true, true, false), Allow),
        ("member, email off",                 member, with(false, true, false), Forbidden),
        ("member, may not start threads",     member, with(true, false, false), Forbidden),
        ("coordinator, email off",            admin, with(false, true, false), Forbidden),
        ("coordinator, members may not start", admin, with(true, false, false), Allow),
        ("member, archived group",            member, with(true, true, true), Forbidden),
        ("not a member",                      outsider, with(true, true, false), Forbidden),
    ];
    for (case, who, facts, want) in table {
        assert_eq!(can_start_thread_by_email(&who, &facts), want, "{case}");
    }
}
