//! Choosing how loudly to hear of a group (the default for everything in it), a thread or a
//! poll. A thread's choice is set in `threads/timeline.rs` beside how far one has read.

use weft_domain::notifications::Volume;
use weft_domain::permissions::{Action, PollAction};
use weft_store::notifications::{self, GroupVolume};

use crate::{App, AppError, SessionUser};

impl App {
    /// The reader's volume for a group they belong to (`None` for anyone else).
    pub async fn group_volume(&self, who: &SessionUser, key: &str) -> Result<Option<Volume>, AppError> {
        let view = self.group_for(Some(who), key, Action::SeeGroup).await?;
        Ok(notifications::group_volume(&mut *self.store.reader().await?, view.group.id, who.user.id).await?)
    }

    /// Sets the reader's volume for a group they belong to; with `everywhere`, for all their
    /// groups ("apply to all my groups").
    pub async fn set_group_volume(
        &self,
        who: &SessionUser,
        key: &str,
        volume: &str,
        everywhere: bool,
    ) -> Result<(), AppError> {
        let view = self.group_for(Some(who), key, Action::SeeGroup).await?;
        let volume = Volume::choose(volume).map_err(|e| AppError::field("volume", e.message))?;
        let mut tx = self.store.begin().await?;
        if !notifications::set_group_volume(&mut tx, view.group.id, who.user.id, volume).await? {
            return Err(AppError::field(
                "volume",
                "Only the group's members choose how they hear of it.",
            ));
        }
        if everywhere {
            notifications::set_every_group_volume(&mut tx, who.user.id, volume).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The reader's groups with their volume in each.
    pub async fn my_group_volumes(&self, who: &SessionUser) -> Result<Vec<GroupVolume>, AppError> {
        Ok(notifications::group_volumes(&mut *self.store.reader().await?, who.user.id).await?)
    }

    /// The reader's own choice for a poll (`None`: as its thread or group).
    pub async fn poll_volume(&self, who: &SessionUser, key: &str) -> Result<Option<Volume>, AppError> {
        let mut conn = self.store.reader().await?;
        let view = self.open_poll(&mut conn, Some(who), key, PollAction::See).await?;
        Ok(notifications::poll_volume(&mut conn, view.poll.id, who.user.id).await?)
    }

    /// Sets (or with `""` clears) the reader's volume for a poll they may see.
    pub async fn set_poll_volume(&self, who: &SessionUser, key: &str, volume: &str) -> Result<(), AppError> {
        let volume = super::choice(volume)?;
        let poll_id = {
            let mut conn = self.store.reader().await?;
            self.open_poll(&mut conn, Some(who), key, PollAction::See)
                .await?
                .poll
                .id
        };
        notifications::set_poll_volume(&mut *self.store.writer().await?, poll_id, who.user.id, volume).await?;
        Ok(())
    }
}
