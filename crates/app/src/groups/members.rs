//! Membership: the member list, joining, asking to join and answering, leaving, removing,
//! promoting and demoting.

use super::*;

impl App {
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
        let mut bells = Vec::new();
        if !groups::pending_request_exists(&mut tx, view.group.id, who.user.id).await? {
            groups::add_request(&mut tx, view.group.id, who.user.id, introduction, self.clock.now()).await?;
            let coordinators = groups::admin_ids(&mut tx, view.group.id).await?;
            bells = self
                .notify_group_news(
                    &mut tx,
                    view.group.id,
                    weft_domain::notifications::Event::MembershipRequested,
                    who.user.id,
                    &coordinators,
                )
                .await?;
        }
        tx.commit().await?;
        self.ring_bells(&bells).await;
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
