//! Groups and membership: create, configure, archive, delete; join, ask, approve, leave, remove,
//! promote, demote. Every call asks `weft_domain::permissions::can` first.

use weft_domain::groups::{
    GroupFlags, GroupHandle, GroupName, GroupPrivacy, JoinPolicy, ThreadPrivacy, parse_description,
};
use weft_domain::permissions::{Action, Actor, Decision, GroupFacts, Role, can, parent_visible};
use weft_domain::{Timestamp, ValidationErrors, random_key};
pub use weft_store::groups::Group;
use weft_store::groups::{self, GroupSettings};
pub use weft_store::groups::{DeletionSummary, MembershipRequest};
use weft_store::{Conn, StoreError, users};

use crate::{App, AppError, SessionUser};

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
        let mut conn = self.store.reader().await?;
        let groups::Opened {
            group,
            parent,
            member_count,
            role,
            parent_role,
        } = groups::open_by_key(&mut conn, key, who.map(|w| w.user.id))
            .await?
            .ok_or(AppError::NotFound)?;
        let actor = match who {
            None => Actor::ANONYMOUS,
            Some(w) => {
                self.actor_with_roles(&mut conn, &w.user, &group, role, parent_role)
                    .await?
            }
        };
        let facts = facts(&group);
        decide(can(&actor, action, &facts))?;
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
        let handle = errors.check("handle", GroupHandle::parse(&handle_input));
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

    /// Creates a group (or a subgroup of `parent_key`) with its creator as coordinator.
    pub async fn create_group(
        &self,
        who: &SessionUser,
        input: &GroupInput,
        parent_key: Option<&str>,
    ) -> Result<String, AppError> {
        let parent = match parent_key {
            Some(key) => Some(self.group_for(Some(who), key, Action::CreateSubgroup).await?.group),
            None => None,
        };
        let parsed = Self::parse_group_input(input, None)?;
        let now = self.clock.now();
        let key = random_key();
        let settings = parsed.settings(parent.is_some(), input);
        let mut tx = self.store.begin().await?;
        let id = match groups::insert(
            &mut tx,
            &key,
            parent.as_ref().map(|p| p.id),
            &settings,
            who.user.id,
            now,
        )
        .await
        {
            Err(StoreError::Conflict) => {
                return Err(AppError::field("handle", "This handle is taken. Choose another."));
            }
            other => other?,
        };
        groups::add_member(&mut tx, id, who.user.id, Role::Admin, None, now).await?;
        tx.commit().await?;
        Ok(key)
    }

    pub async fn update_group(&self, who: &SessionUser, key: &str, input: &GroupInput) -> Result<(), AppError> {
        let view = self.group_for(Some(who), key, Action::ChangeSettings).await?;
        let parsed = Self::parse_group_input(input, Some(&view.group))?;
        let settings = parsed.settings(view.group.parent_id.is_some(), input);
        let mut tx = self.store.begin().await?;
        match groups::update(&mut tx, view.group.id, &settings, self.clock.now()).await {
            Err(StoreError::Conflict) => {
                return Err(AppError::field("handle", "This handle is taken. Choose another."));
            }
            other => other?,
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_group_archived(&self, who: &SessionUser, key: &str, archived: bool) -> Result<(), AppError> {
        let view = self.group_for(Some(who), key, Action::ChangeSettings).await?;
        let at = archived.then(|| self.clock.now());
        groups::set_archived(&mut *self.store.writer().await?, view.group.id, at).await?;
        Ok(())
    }

    /// What deleting the group would delete, for the confirmation page (P11's dry run).
    pub async fn group_deletion_summary(&self, view: &GroupView) -> Result<DeletionSummary, AppError> {
        Ok(groups::deletion_summary(&mut *self.store.reader().await?, view.group.id).await?)
    }

    /// Deletes the group and everything in it (P11): subgroups, memberships, requests.
    pub async fn delete_group(&self, who: &SessionUser, key: &str) -> Result<(), AppError> {
        let view = self.group_for(Some(who), key, Action::Delete).await?;
        let mut tx = self.store.begin().await?;
        let emails = weft_store::outbox::erase_about_group(&mut tx, view.group.id).await?;
        groups::delete(&mut tx, view.group.id).await?;
        tx.commit().await?;
        self.after_erasure(&emails, crate::erasure::GROUP_TABLES).await;
        Ok(())
    }

    /// One page of the Explore directory: open groups whose coordinators chose to list them.
    /// Anyone may look, signed in or not.
    pub async fn explore(&self, search: &str, page: i64) -> Result<Vec<(Group, i64)>, AppError> {
        let search: String = search.trim().chars().take(100).collect();
        let offset = weft_domain::Page::from(page.min(1_000)).offset(EXPLORE_PER_PAGE);
        let mut listed =
            groups::explore(&mut *self.store.reader().await?, &search, EXPLORE_PER_PAGE + 1, offset).await?;
        // The query already keeps to what the public may see; the rule has the last word.
        listed.retain(|(g, _)| can(&Actor::ANONYMOUS, Action::SeeGroup, &facts(g)).allowed());
        Ok(listed)
    }

    pub async fn my_groups(&self, who: &SessionUser) -> Result<Vec<(Group, Role)>, AppError> {
        Ok(groups::for_user(&mut *self.store.reader().await?, who.user.id).await?)
    }

    /// Subgroups of a group the viewer may see.
    pub async fn visible_subgroups(&self, who: Option<&SessionUser>, view: &GroupView) -> Result<Vec<Group>, AppError> {
        let mut conn = self.store.reader().await?;
        let subs = groups::subgroups_with_role(&mut conn, view.group.id, who.map(|w| w.user.id)).await?;
        Ok(subs
            .into_iter()
            .filter(|(sub, role)| {
                let actor = Actor {
                    role: *role,
                    parent_role: view.actor.role,
                    support_access: false,
                    ..view.actor
                };
                can(&actor, Action::SeeGroup, &facts(sub)).allowed()
            })
            .map(|(sub, _)| sub)
            .collect())
    }

    /// One page of members; emails only if the viewer coordinates the group (P6).
    pub async fn group_members(
        &self,
        who: Option<&SessionUser>,
        key: &str,
        page: i64,
    ) -> Result<(GroupView, Vec<MemberView>), AppError> {
        let view = self.group_for(who, key, Action::SeeMembers).await?;
        self.may_read(who, &view, Action::SeeMembers, "the member list").await?;
        let show_emails = view.may(Action::SeeMemberEmails);
        let offset = weft_domain::Page::from(page).offset(MEMBERS_PER_PAGE);
        let members = groups::members(
            &mut *self.store.reader().await?,
            view.group.id,
            MEMBERS_PER_PAGE,
            offset,
        )
        .await?;
        let members = members
            .into_iter()
            .map(|m| MemberView {
                user_key: m.user_key,
                name: m.name,
                username: m.username.map(|u| u.as_str().to_owned()),
                role: m.role,
                email: m.email.filter(|_| show_emails).map(|e| e.as_str().to_owned()),
                joined_at: m.joined_at,
            })
            .collect();
        Ok((view, members))
    }

    pub async fn join_group(&self, who: &SessionUser, key: &str) -> Result<(), AppError> {
        let view = self.group_for(Some(who), key, Action::Join).await?;
        let mut conn = self.store.writer().await?;
        groups::ensure_member(
            &mut conn,
            view.group.id,
            who.user.id,
            Role::Member,
            None,
            self.clock.now(),
        )
        .await?;
        Ok(())
    }

    pub async fn request_membership(&self, who: &SessionUser, key: &str, introduction: &str) -> Result<(), AppError> {
        let view = self.group_for(Some(who), key, Action::RequestToJoin).await?;
        let introduction = introduction.trim();
        if introduction.chars().count() > 250 {
            return Err(AppError::field("introduction", "Use at most 250 characters."));
        }
        let mut tx = self.store.begin().await?;
        if !groups::pending_request_exists(&mut tx, view.group.id, who.user.id).await? {
            groups::add_request(&mut tx, view.group.id, who.user.id, introduction, self.clock.now()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn has_pending_request(&self, who: &SessionUser, group: &Group) -> Result<bool, AppError> {
        Ok(groups::pending_request_exists(&mut *self.store.reader().await?, group.id, who.user.id).await?)
    }

    pub async fn membership_requests(
        &self,
        who: &SessionUser,
        key: &str,
    ) -> Result<(GroupView, Vec<MembershipRequest>), AppError> {
        let view = self.group_for(Some(who), key, Action::ManageMembers).await?;
        let requests = groups::pending_requests(&mut *self.store.reader().await?, view.group.id).await?;
        Ok((view, requests))
    }

    /// Approves (the requester becomes a member) or ignores a request.
    pub async fn respond_to_request(
        &self,
        who: &SessionUser,
        key: &str,
        request_id: i64,
        approve: bool,
    ) -> Result<(), AppError> {
        let view = self.group_for(Some(who), key, Action::ManageMembers).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let status = if approve { "approved" } else { "ignored" };
        let requester = groups::respond_to_request(&mut tx, view.group.id, request_id, status, who.user.id, now)
            .await?
            .ok_or(AppError::NotFound)?;
        if approve {
            groups::ensure_member(&mut tx, view.group.id, requester, Role::Member, Some(who.user.id), now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Leaves a group (and its subgroups). The last coordinator cannot leave.
    pub async fn leave_group(&self, who: &SessionUser, key: &str) -> Result<(), AppError> {
        let view = self.group_for(Some(who), key, Action::Leave).await?;
        let mut tx = self.store.begin().await?;
        groups::lock(&mut tx, self.store.backend(), view.group.id).await?;
        if view.actor.is_admin() && groups::count_admins(&mut tx, view.group.id).await? <= 1 {
            return Err(AppError::field("membership", LAST_ADMIN));
        }
        groups::remove_member(&mut tx, view.group.id, who.user.id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a member (coordinators only); the last coordinator cannot be removed.
    pub async fn remove_member(&self, who: &SessionUser, key: &str, user_key: &str) -> Result<(), AppError> {
        let view = self.group_for(Some(who), key, Action::ManageMembers).await?;
        let mut tx = self.store.begin().await?;
        groups::lock(&mut tx, self.store.backend(), view.group.id).await?;
        let user = users::find_by_key(&mut tx, user_key).await?.ok_or(AppError::NotFound)?;
        let role = groups::role_of(&mut tx, view.group.id, user.id)
            .await?
            .ok_or(AppError::NotFound)?;
        if role == Role::Admin && groups::count_admins(&mut tx, view.group.id).await? <= 1 {
            return Err(AppError::field("membership", LAST_ADMIN));
        }
        groups::remove_member(&mut tx, view.group.id, user.id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Promotes to coordinator or demotes to member; the last coordinator cannot be demoted.
    pub async fn set_member_role(
        &self,
        who: &SessionUser,
        key: &str,
        user_key: &str,
        role: Role,
    ) -> Result<(), AppError> {
        let view = self.group_for(Some(who), key, Action::ManageMembers).await?;
        let mut tx = self.store.begin().await?;
        groups::lock(&mut tx, self.store.backend(), view.group.id).await?;
        let user = users::find_by_key(&mut tx, user_key).await?.ok_or(AppError::NotFound)?;
        let current = groups::role_of(&mut tx, view.group.id, user.id)
            .await?
            .ok_or(AppError::NotFound)?;
        if current == Role::Admin && role == Role::Member && groups::count_admins(&mut tx, view.group.id).await? <= 1 {
            return Err(AppError::field("membership", LAST_ADMIN));
        }
        groups::set_role(&mut tx, view.group.id, user.id, role).await?;
        tx.commit().await?;
        Ok(())
    }
}
