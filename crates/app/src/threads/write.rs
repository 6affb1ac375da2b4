//! Starting, editing, pinning, closing, moving and deleting a thread.

use weft_domain::permissions::{Action, ThreadAction};
use weft_domain::random_key;
use weft_store::groups::Group;
use weft_store::threads::events::EventKind;
use weft_store::threads::{self, NewThread};

use super::*;
use crate::{App, AppError, SessionUser};

impl App {
    /// Starts a thread in a group. Returns its key.
    pub async fn start_thread(
        &self,
        who: &SessionUser,
        group_key: &str,
        input: &ThreadInput,
    ) -> Result<String, AppError> {
        let view = self.group_for(Some(who), group_key, Action::StartThread).await?;
        let ParsedThread {
            title,
            context,
            private,
            tags,
        } = Self::parse_thread_input(input, &view.group)?;
        let now = self.clock.now();
        let key = random_key();
        let mut tx = self.store.begin().await?;
        let id = threads::insert(
            &mut tx,
            &NewThread {
                key: &key,
                group_id: view.group.id,
                author_id: who.user.id,
                title: title.as_str(),
                context: &context,
                private,
                now,
            },
        )
        .await?;
        threads::mark_read(&mut tx, id, who.user.id, 0, now).await?;
        if let Some(tags) = &tags {
            threads::set_tags(&mut tx, view.group.id, id, tags, now).await?;
        }
        let thread = threads::find_by_key(&mut tx, &key).await?.ok_or(AppError::NotFound)?;
        // Checked against the thread itself (who may read it); an error rolls it all back.
        let announcement = self.announcement(&mut tx, &view, who, &thread, input).await?;
        let mut bells = Vec::new();
        if !weft_domain::markdown::mentions(&context).is_empty() {
            let mentioned = Mentioned {
                thread: &thread,
                group: &view.group,
                author: &who.user,
                text: &context,
                before: None,
                seq: 0,
                answers: None,
            };
            bells = self.notify_mentions(&mut tx, &mentioned).await?;
        }
        // The group hears of it once it is committed (`jobs/fanout.rs`).
        self.enqueue_job(
            &mut tx,
            &crate::jobs::ThreadFanout {
                thread_id: id,
                announcement,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.wake_mailer();
        self.wake_jobs(crate::jobs::JobKind::ThreadFanout);
        self.ring_bells(&bells).await;
        Ok(key)
    }

    /// Changes title, context and (as the group allows) privacy; the old version goes to the history.
    pub async fn update_thread(&self, who: &SessionUser, key: &str, input: &ThreadInput) -> Result<(), AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::Edit).await?;
        let ParsedThread {
            title, context, tags, ..
        } = Self::parse_thread_input(input, &view.group)?;
        let t = &view.thread;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if let Some(tags) = &tags {
            threads::set_tags(&mut tx, view.group.id, t.id, tags, now).await?;
        }
        if title.as_str() == t.title && context == t.context {
            tx.commit().await?;
            return Ok(());
        }
        threads::insert_revision(&mut tx, t.id, None, who.user.id, Some(&t.title), &t.context, now).await?;
        threads::update_content(&mut tx, t.id, title.as_str(), &context, now).await?;
        let mentioned = Mentioned {
            thread: t,
            group: &view.group,
            author: &who.user,
            text: &context,
            before: Some(&t.context),
            seq: 0,
            answers: None,
        };
        let bells = self.notify_mentions(&mut tx, &mentioned).await?;
        let seq = record_thread_event(&mut tx, t.id, EventKind::ThreadEdited, who, now).await?;
        tx.commit().await?;
        self.wake_mailer();
        self.ring_bells(&bells).await;
        self.publish(timeline_changed(t.id, seq)).await;
        Ok(())
    }

    pub async fn set_thread_pinned(&self, who: &SessionUser, key: &str, pinned: bool) -> Result<(), AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::Pin).await?;
        let at = pinned.then(|| self.clock.now());
        threads::set_pinned(&mut *self.store.writer().await?, view.thread.id, at).await?;
        self.publish(thread_changed(view.thread.id)).await;
        Ok(())
    }

    pub async fn set_thread_closed(&self, who: &SessionUser, key: &str, closed: bool) -> Result<(), AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::Close).await?;
        let now = self.clock.now();
        if closed == view.thread.closed_at.is_some() {
            return Ok(());
        }
        let mut tx = self.store.begin().await?;
        threads::set_closed(&mut tx, view.thread.id, closed.then_some(now)).await?;
        let kind = if closed {
            EventKind::ThreadClosed
        } else {
            EventKind::ThreadReopened
        };
        let seq = record_thread_event(&mut tx, view.thread.id, kind, who, now).await?;
        tx.commit().await?;
        self.publish(timeline_changed(view.thread.id, seq)).await;
        Ok(())
    }

    /// Groups this thread could move to: those the actor coordinates, other than its own.
    pub async fn move_targets(&self, who: &SessionUser, view: &ThreadView) -> Result<Vec<Group>, AppError> {
        Ok(self
            .my_groups(who)
            .await?
            .into_iter()
            .filter(|(g, role)| {
                g.id != view.group.id && weft_domain::permissions::may_move_into(*role, g.archived_at.is_some())
            })
            .map(|(g, _)| g)
            .collect())
    }

    /// Moves a thread to another group the actor coordinates. A private thread never becomes
    /// public by moving: a group that holds only public threads refuses it.
    pub async fn move_thread(&self, who: &SessionUser, key: &str, target_key: &str) -> Result<(), AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::Move).await?;
        let target = self
            .group_for(Some(who), target_key, Action::ChangeSettings)
            .await
            .map_err(|_| AppError::field("group", "Choose a group you coordinate."))?;
        if target.group.archived_at.is_some() {
            return Err(AppError::field("group", "That group is archived."));
        }
        use weft_domain::groups::ThreadPrivacy as P;
        let private = match (target.group.thread_privacy, view.thread.private) {
            (P::PublicOnly, true) => {
                return Err(AppError::field(
                    "group",
                    "That group holds only public threads, and this thread is private.",
                ));
            }
            (P::PublicOnly, false) => false,
            (P::PrivateOnly, _) => true,
            (P::Either, private) => private,
        };
        let mut tx = self.store.begin().await?;
        threads::move_to(&mut tx, view.thread.id, target.group.id, private).await?;
        let seq = record_thread_event(&mut tx, view.thread.id, EventKind::ThreadMoved, who, self.clock.now()).await?;
        tx.commit().await?;
        self.publish(timeline_changed(view.thread.id, seq)).await;
        Ok(())
    }

    /// Deletes the thread and everything in it. Returns the group's key.
    pub async fn delete_thread(&self, who: &SessionUser, key: &str) -> Result<String, AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::Delete).await?;
        threads::delete(&mut *self.store.writer().await?, view.thread.id).await?;
        self.publish(thread_changed(view.thread.id)).await;
        Ok(view.group.key)
    }
}

/// Puts what happened to the thread in its timeline; returns the item's sequence number.
async fn record_thread_event(
    tx: &mut weft_store::Conn,
    thread_id: weft_store::threads::ThreadId,
    kind: EventKind,
    who: &SessionUser,
    now: weft_domain::Timestamp,
) -> Result<i64, AppError> {
    let (_, seq) = threads::events::record_event(
        tx,
        Some(thread_id),
        None,
        kind,
        Some(who.user.id),
        threads::events::EventRefs::default(),
        now,
    )
    .await?;
    Ok(seq.unwrap_or(0))
}

/// Watchers reload the thread: its card and its timeline, which gained item `seq`.
fn timeline_changed(thread_id: weft_store::threads::ThreadId, seq: i64) -> crate::live::LiveEvent {
    crate::live::LiveEvent {
        thread_id,
        kind: crate::live::LiveKind::Thread,
        seq,
    }
}
