//! The group aggregate's use cases: opening a group for a viewer (`GroupView`) here; create,
//! configure, archive, delete in `write.rs`; Explore, my groups, subgroups in `lists.rs`; join, ask,
//! approve, leave, remove, promote, demote in `members.rs`. Every call asks
//! `weft_domain::permissions::can` first.

use weft_domain::groups::{
    GroupFlags, GroupHandle, GroupName, GroupPrivacy, JoinPolicy, ThreadPrivacy, parse_description,
};
use weft_domain::permissions::{Action, Actor, Decision, GroupFacts, Role, can, parent_visible};
use weft_domain::{Timestamp, ValidationErrors, random_key};
use weft_store::groups::{self, GroupSettings};
pub use weft_store::groups::{DeletionSummary, MembershipRequest};
pub use weft_store::groups::{Group, GroupId};
use weft_store::{Conn, StoreError, users};

use crate::{App, AppError, SessionUser};

mod lists;
mod members;
mod write;

/// What a form or API call submits for a group's settings, as typed.
#[derive(Debug, Clone, Default)]
pub struct GroupInput {
    pub name: String,
    pub handle: String,
    pub description: String,
    pub privacy: String,
    /// Empty: the privacy's default.
    pub join_policy: String,
    pub thread_privacy: String,
    pub visible_to_parent_members: bool,
    pub listed_in_explore: bool,
    /// `None`: Loomio's defaults (on creation) or unchanged (on update).
    pub flags: Option<GroupFlags>,
}

/// Group settings that passed validation.
struct ParsedGroup {
    name: GroupName,
    handle: GroupHandle,
    description: String,
    privacy: GroupPrivacy,
    join_policy: JoinPolicy,
    thread_privacy: ThreadPrivacy,
    flags: GroupFlags,
}

impl ParsedGroup {
    /// The settings to store. Parent visibility only means something for a subgroup, and only an
    /// open group may be listed in the directory.
    fn settings<'a>(&'a self, is_subgroup: bool, input: &GroupInput) -> GroupSettings<'a> {
        GroupSettings {
            name: self.name.as_str(),
            handle: self.handle.as_str(),
            description: &self.description,
            privacy: self.privacy,
            join_policy: self.join_policy,
            thread_privacy: self.thread_privacy,
            visible_to_parent_members: is_subgroup && input.visible_to_parent_members,
            listed_in_explore: self.privacy == GroupPrivacy::Open && input.listed_in_explore,
            flags: self.flags,
        }
    }
}

/// A group as one viewer may see it, with what they may do there.
#[derive(Debug, Clone)]
pub struct GroupView {
    pub group: Group,
    pub parent: Option<Group>,
    pub actor: Actor,
    pub facts: GroupFacts,
    pub member_count: i64,
}

impl GroupView {
    pub fn may(&self, action: Action) -> bool {
        self.decide(action).allowed()
    }

    pub fn decide(&self, action: Action) -> Decision {
        can(&self.actor, action, &self.facts)
    }

    /// A visitor who is not logged in could join (or ask to) after logging in.
    pub fn log_in_to_join(&self) -> bool {
        weft_domain::permissions::log_in_to_join(&self.actor, &self.facts)
    }
}

/// A member as the viewer may see them: the email only for the group's admins (P6).
#[derive(Debug, Clone)]
pub struct MemberView {
    pub user_key: String,
    /// `None` for a deactivated member (P9), and then no username or email either.
    pub name: Option<String>,
    pub username: Option<String>,
    pub role: Role,
    pub email: Option<String>,
    pub joined_at: Timestamp,
}

impl MemberView {
    /// Their initials and colour (none for a deactivated member).
    pub fn avatar(&self) -> Option<weft_domain::avatars::Avatar> {
        match (&self.name, &self.username) {
            (Some(name), Some(username)) => Some(weft_domain::avatars::Avatar::of(name, username)),
            _ => None,
        }
    }
}

pub fn facts(group: &Group) -> GroupFacts {
    GroupFacts {
        privacy: group.privacy,
        join_policy: group.join_policy,
        flags: group.flags,
        is_subgroup: group.parent_id.is_some(),
        visible_to_parent_members: group.visible_to_parent_members,
        parent_secret: group.parent_privacy == Some(GroupPrivacy::Secret),
        archived: group.archived_at.is_some(),
    }
}

pub(crate) fn decide(decision: Decision) -> Result<(), AppError> {
    match decision {
        Decision::Allow => Ok(()),
        Decision::Hidden => Err(AppError::NotFound),
        Decision::Forbidden => Err(AppError::Forbidden),
        Decision::LogIn => Err(AppError::Unauthenticated),
    }
}

const LAST_ADMIN: &str = "A group needs a coordinator: make someone else a coordinator first.";
pub const MEMBERS_PER_PAGE: i64 = 50;
pub const EXPLORE_PER_PAGE: i64 = 30;

/// How the permission rule sees a signed-in person with these roles. `support_access`: whether
/// the group's support access is open, which counts only for an instance admin who is not a member.
pub(crate) fn person_actor(
    user: &users::User,
    role: Option<Role>,
    parent_role: Option<Role>,
    support_access: bool,
) -> Actor {
    Actor {
        signed_in: true,
        instance_admin: user.is_admin,
        role,
        parent_role,
        guest: false,
        support_access: support_access && user.is_admin && role.is_none(),
    }
}

impl App {
    /// How the permission rule sees `user` in `group` with these roles (read with the thread or
    /// group): adds whether support access is open for an instance admin who is not a member.
    pub(crate) async fn actor_with_roles(
        &self,
        conn: &mut Conn,
        user: &users::User,
        group: &Group,
        role: Option<Role>,
        parent_role: Option<Role>,
    ) -> Result<Actor, AppError> {
        // P13: an instance admin who is not a member reads private content only while support
        // access is open (one indexed lookup, only for instance admins).
        let support_access = user.is_admin
            && role.is_none()
            && weft_store::support::active(conn, group.id, self.clock.now())
                .await?
                .is_some();
        Ok(person_actor(user, role, parent_role, support_access))
    }

    /// Loads a group for `action`, or answers as the permission rule says (hidden groups: NotFound).
    pub async fn group_for(&self, who: Option<&SessionUser>, key: &str, action: Action) -> Result<GroupView, AppError> {
        let view = self.load_group(&mut *self.store.reader().await?, who, key).await?;
        decide(can(&view.actor, action, &view.facts))?;
        Ok(view)
    }

    /// Loads a group with how the rule sees the viewer in it, deciding nothing: the caller
    /// decides (`group_for` by the group rule, a poll on its own by the poll rule).
    pub(crate) async fn load_group(
        &self,
        conn: &mut Conn,
        who: Option<&SessionUser>,
        key: &str,
    ) -> Result<GroupView, AppError> {
        let groups::Opened {
            group,
            parent,
            member_count,
            role,
            parent_role,
        } = groups::open_by_key(conn, key, who.map(|w| w.user.id))
            .await?
            .ok_or(AppError::NotFound)?;
        let actor = match who {
            None => Actor::ANONYMOUS,
            Some(w) => self.actor_with_roles(conn, &w.user, &group, role, parent_role).await?,
        };
        let facts = facts(&group);
        // The parent is named (breadcrumb, API) only to those the rule lets know it.
        let parent = parent.filter(|parent| parent_visible(&actor, &self::facts(parent)));
        Ok(GroupView {
            group,
            parent,
            actor,
            facts,
            member_count,
        })
    }

    /// Whether the viewer may read this part of the group (`SeeContent`: its threads;
    /// `SeeMembers`: its member list). The one place a group-level read is decided and, when it
    /// reaches private content through support access, written to the access log (P13).
    pub(crate) async fn may_read(
        &self,
        who: Option<&SessionUser>,
        view: &GroupView,
        action: Action,
        what: &str,
    ) -> Result<bool, AppError> {
        if !view.may(action) {
            return Ok(false);
        }
        let private = match action {
            Action::SeeMembers => view.group.privacy != GroupPrivacy::Open,
            _ => view.group.thread_privacy != ThreadPrivacy::PublicOnly,
        };
        if private && view.actor.reads_as_support() {
            self.log_support_read(who, &view.actor, view.group.id, what).await?;
        }
        Ok(true)
    }

    fn parse_group_input(input: &GroupInput, current: Option<&Group>) -> Result<ParsedGroup, AppError> {
        let mut errors = ValidationErrors::new();
        let name = errors.check("name", GroupName::parse(&input.name));
        let handle_input = if input.handle.trim().is_empty() {
            GroupHandle::suggest(&input.name)
        } else {
            input.handle.clone()
        };
        let handle = errors.check(
            "handle",
            GroupHandle::parse_kept(&handle_input, current.map(|g| g.handle.as_str())),
        );
        let description = errors.check("description", parse_description(&input.description));
        let privacy = errors.check("privacy", GroupPrivacy::parse(&input.privacy));
        let join_policy = match (input.join_policy.as_str(), privacy) {
            ("", Some(GroupPrivacy::Open)) => Some(JoinPolicy::Approval),
            ("", Some(GroupPrivacy::Closed)) => Some(JoinPolicy::Approval),
            ("", _) => Some(JoinPolicy::Invitation),
            (s, _) => errors.check("join_policy", JoinPolicy::parse(s)),
        };
        let thread_privacy = match (input.thread_privacy.as_str(), privacy) {
            ("", Some(GroupPrivacy::Open)) => Some(ThreadPrivacy::PublicOnly),
            ("", _) => Some(ThreadPrivacy::PrivateOnly),
            (s, _) => errors.check("thread_privacy", ThreadPrivacy::parse(s)),
        };
        if let (Some(p), Some(j)) = (privacy, join_policy)
            && !j.allowed_for(p)
        {
            errors.add(
                "join_policy",
                match p {
                    GroupPrivacy::Secret => "A secret group can only be joined by invitation.",
                    _ => "A closed group cannot let people join without approval.",
                },
            );
        }
        if let (Some(p), Some(t)) = (privacy, thread_privacy)
            && !t.allowed_for(p)
        {
            errors.add("thread_privacy", "Only an open group can hold public threads.");
        }
        errors.into_result()?;
        let flags = input.flags.or(current.map(|g| g.flags)).unwrap_or_default();
        match (name, handle, description, privacy, join_policy, thread_privacy) {
            (Some(name), Some(handle), Some(description), Some(privacy), Some(join_policy), Some(thread_privacy)) => {
                Ok(ParsedGroup {
                    name,
                    handle,
                    description,
                    privacy,
                    join_policy,
                    thread_privacy,
                    flags,
                })
            }
            _ => Err(AppError::internal("validated fields missing")),
        }
    }
}
