//! Reading a thread: its paged timeline, read marks, volume and edit history.

use weft_domain::permissions::ThreadAction;
use weft_domain::threads::Volume;
use weft_store::threads::{self};

use super::*;
use crate::{App, AppError, SessionUser};

/// The first item of the page that holds sequence number `seq`.
/// The first timeline place of the page holding `seq` (pages are fixed, so links stay put).
pub fn page_start(seq: i64) -> i64 {
    ((seq.max(1) - 1) / COMMENTS_PER_PAGE) * COMMENTS_PER_PAGE + 1
}

impl App {
    /// One page of the timeline. Without `from`, opens at the first comment the viewer has not
    /// read. Reading moves their read mark to the end of the page.
    pub async fn thread_page(
        &self,
        who: Option<&SessionUser>,
        key: &str,
        from: Option<i64>,
    ) -> Result<ThreadPage, AppError> {
        let mut conn = self.store.reader().await?;
        let view = self.open_thread(&mut conn, who, key, ThreadAction::See).await?;
        let state = view.read;
        let read_before = state.as_ref().map(|(seq, _)| *seq);
        let volume_choice = state.and_then(|(_, volume)| volume);
        let volume = Volume::effective(None, volume_choice, view.member_volume);
        let last = view.thread.last_seq;
        let from = match (from, read_before) {
            (Some(f), _) => page_start(f.clamp(1, last.max(1))),
            (None, Some(r)) if r < last => page_start(r + 1),
            _ => 1,
        };
        let comments = threads::comments_page(&mut conn, view.thread.id, from, COMMENTS_PER_PAGE).await?;
        let reactions = threads::reactions_for_page(&mut conn, view.thread.id, from, COMMENTS_PER_PAGE).await?;
        let tags = threads::tags_of(&mut conn, &[view.thread.id])
            .await?
            .into_iter()
            .map(|(_, name)| name)
            .collect();
        let guests = weft_store::guests::list(&mut conn, view.thread.id).await?;
        let events = weft_store::polls::events_page(&mut conn, view.thread.id, from, COMMENTS_PER_PAGE).await?;
        let polls = weft_store::polls::of_thread(&mut conn, view.thread.id).await?;
        drop(conn);
        if let Some(w) = who {
            let seen = (from + COMMENTS_PER_PAGE - 1).min(last);
            if read_before.is_none_or(|r| r < seen) {
                let mut tx = self.store.begin().await?;
                threads::mark_read(&mut tx, view.thread.id, w.user.id, seen, self.clock.now()).await?;
                // What they have now seen is no longer news in their notifications.
                weft_store::notifications::mark_read_in_thread(
                    &mut tx,
                    w.user.id,
                    view.thread.id,
                    seen,
                    self.clock.now(),
                )
                .await?;
                tx.commit().await?;
                self.publish_unread(w.user.id).await;
            }
        }
        let comments = comments
            .into_iter()
            .map(|c| view.entry(c))
            .filter(CommentEntry::shown)
            .collect();
        Ok(ThreadPage {
            may: view.permissions(),
            view,
            comments,
            from,
            read_before,
            reactions,
            tags,
            volume_choice,
            volume,
            guests,
            events,
            polls,
        })
    }

    /// Marks the whole thread as read.
    pub async fn mark_thread_read(&self, who: &SessionUser, key: &str) -> Result<(), AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::See).await?;
        let mut tx = self.store.begin().await?;
        let now = self.clock.now();
        threads::mark_read(&mut tx, view.thread.id, who.user.id, view.thread.last_seq, now).await?;
        weft_store::notifications::mark_read_in_thread(&mut tx, who.user.id, view.thread.id, view.thread.last_seq, now)
            .await?;
        tx.commit().await?;
        self.publish_unread(who.user.id).await;
        Ok(())
    }

    /// Mute, quiet, normal or loud for this thread, or `""` / `"group"`: as the group.
    pub async fn set_thread_volume(&self, who: &SessionUser, key: &str, volume: &str) -> Result<(), AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::See).await?;
        let volume = crate::notifications::choice(volume)?;
        threads::set_volume(
            &mut *self.store.writer().await?,
            view.thread.id,
            who.user.id,
            volume,
            self.clock.now(),
        )
        .await?;
        Ok(())
    }

    /// Earlier versions of the thread's title and context, newest first.
    pub async fn thread_history(
        &self,
        who: Option<&SessionUser>,
        key: &str,
    ) -> Result<(ThreadView, Vec<Revision>), AppError> {
        let view = self.thread_for(who, key, ThreadAction::See).await?;
        let list = threads::revisions(&mut *self.store.reader().await?, view.thread.id, None).await?;
        Ok((view, list))
    }

    // ---- comments ----
}
