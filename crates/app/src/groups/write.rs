//! Creating, configuring, archiving and deleting groups.

use super::*;

impl App {
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
}
