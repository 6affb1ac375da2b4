//! Comments: add, reply one level deep (to a comment, or answering a poll, a vote or an
//! outcome), edit with history, delete, react.

use weft_domain::permissions::{CommentAction, ThreadAction, can_comment};
use weft_domain::threads::{Reaction, parse_comment};
use weft_store::threads::{self};

use super::*;
use crate::groups::decide;
use crate::jobs::{CommentFanout, JobKind};
use crate::{App, AppError, SessionUser};

impl App {
    /// Comments (or replies to a top-level comment). Returns the comment's sequence number.
    pub async fn add_comment(
        &self,
        who: &SessionUser,
        key: &str,
        body: &str,
        parent: Option<CommentId>,
    ) -> Result<i64, AppError> {
        self.add_comment_about(who, key, body, parent, None).await
    }

    /// Comments, replying to a top-level comment (`parent`) or answering a poll, a vote or an
    /// outcome of the thread (`about`: that item's place in the timeline). Returns the comment's
    /// sequence number.
    pub async fn add_comment_about(
        &self,
        who: &SessionUser,
        key: &str,
        body: &str,
        parent: Option<CommentId>,
        about: Option<i64>,
    ) -> Result<i64, AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::Comment).await?;
        let body = parse_comment(body).map_err(|e| AppError::field("body", e.message))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if let Some(parent_id) = parent {
            let parent = threads::find_comment(&mut tx, view.thread.id, parent_id)
                .await?
                .filter(|c| c.deleted_at.is_none())
                .ok_or_else(|| AppError::field("parent", "That comment is not in this thread any more."))?;
            if parent.parent_id.is_some() {
                return Err(AppError::field(
                    "parent",
                    "Replies go one level deep: reply to the original comment instead.",
                ));
            }
        }
        let about_event = match about {
            None => None,
            Some(_) if parent.is_some() => {
                return Err(AppError::field(
                    "about",
                    "Reply to a comment, or answer a poll, a vote or an outcome: not both.",
                ));
            }
            Some(seq) => match threads::events::event_at(&mut tx, view.thread.id, seq).await? {
                Some((id, kind)) if kind.answerable() => Some(id),
                _ => {
                    return Err(AppError::field(
                        "about",
                        "Answer a poll, a vote or an outcome of this thread.",
                    ));
                }
            },
        };
        let (comment_id, seq) =
            threads::insert_comment(&mut tx, view.thread.id, parent, about_event, who.user.id, &body, now).await?;
        threads::mark_read(&mut tx, view.thread.id, who.user.id, seq, now).await?;
        let mentioned = Mentioned {
            thread: &view.thread,
            group: &view.group,
            author: &who.user,
            text: &body,
            before: None,
            seq,
            answers: Some(parent.unwrap_or(comment_id)),
        };
        let bells = self.notify_mentions(&mut tx, &mentioned).await?;
        // Everyone else concerned hears of it once it is committed (`jobs/fanout.rs`): posting
        // costs the same however many people hear of it.
        let fanout = CommentFanout {
            thread_id: view.thread.id,
            comment_id,
        };
        self.enqueue_job(&mut tx, &fanout, now).await?;
        tx.commit().await?;
        self.wake_mailer();
        self.wake_jobs(JobKind::CommentFanout);
        self.ring_bells(&bells).await;
        self.publish(comment_changed(view.thread.id, seq)).await;
        Ok(seq)
    }

    pub(super) async fn comment_for(
        &self,
        who: &SessionUser,
        key: &str,
        id: CommentId,
        action: CommentAction,
    ) -> Result<(ThreadView, Comment), AppError> {
        let mut conn = self.store.reader().await?;
        let view = self.open_thread(&mut conn, Some(who), key, ThreadAction::See).await?;
        let comment = threads::find_comment(&mut conn, view.thread.id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        decide(can_comment(&view.actor, action, &view.comment_facts(&comment)))?;
        Ok((view, comment))
    }

    /// The comment, for its edit form.
    pub async fn comment_to_edit(
        &self,
        who: &SessionUser,
        key: &str,
        id: CommentId,
    ) -> Result<(ThreadView, Comment), AppError> {
        self.comment_for(who, key, id, CommentAction::Edit).await
    }

    /// A comment its reader may delete, for the confirmation page, and whether replies stay.
    pub async fn comment_to_delete(
        &self,
        who: &SessionUser,
        key: &str,
        id: CommentId,
    ) -> Result<(ThreadView, Comment, bool), AppError> {
        let (view, comment) = self.comment_for(who, key, id, CommentAction::Delete).await?;
        if comment.deleted_at.is_some() {
            return Err(AppError::NotFound);
        }
        let replies = threads::reply_count(&mut *self.store.reader().await?, comment.id).await?;
        Ok((view, comment, replies > 0))
    }

    pub async fn edit_comment(&self, who: &SessionUser, key: &str, id: CommentId, body: &str) -> Result<i64, AppError> {
        let (view, comment) = self.comment_for(who, key, id, CommentAction::Edit).await?;
        let body = parse_comment(body).map_err(|e| AppError::field("body", e.message))?;
        if body != comment.body {
            let now = self.clock.now();
            let mut tx = self.store.begin().await?;
            threads::insert_revision(
                &mut tx,
                view.thread.id,
                Some(comment.id),
                who.user.id,
                None,
                &comment.body,
                now,
            )
            .await?;
            threads::update_comment(&mut tx, comment.id, &body, now).await?;
            let mentioned = Mentioned {
                thread: &view.thread,
                group: &view.group,
                author: &who.user,
                text: &body,
                before: Some(&comment.body),
                seq: comment.seq,
                answers: Some(comment.parent_id.unwrap_or(comment.id)),
            };
            let bells = self.notify_mentions(&mut tx, &mentioned).await?;
            tx.commit().await?;
            self.wake_mailer();
            self.ring_bells(&bells).await;
            self.publish(comment_changed(view.thread.id, comment.seq)).await;
        }
        Ok(comment.seq)
    }

    /// Earlier versions of one comment, newest first.
    pub async fn comment_history(
        &self,
        who: Option<&SessionUser>,
        key: &str,
        id: CommentId,
    ) -> Result<(ThreadView, Comment, Vec<Revision>), AppError> {
        let mut conn = self.store.reader().await?;
        let view = self.open_thread(&mut conn, who, key, ThreadAction::See).await?;
        // A deleted comment's history goes with it (at once for readers, at erasure for good).
        let comment = threads::find_comment(&mut conn, view.thread.id, id)
            .await?
            .filter(|c| c.deleted_at.is_none())
            .ok_or(AppError::NotFound)?;
        let list = threads::revisions(&mut conn, view.thread.id, Some(id)).await?;
        Ok((view, comment, list))
    }

    /// One timeline item by its sequence number, with its reactions, for a live update.
    /// `NotFound` once it is gone.
    pub async fn thread_item(
        &self,
        who: Option<&SessionUser>,
        key: &str,
        seq: i64,
    ) -> Result<(ThreadView, CommentEntry, Vec<ReactionRow>), AppError> {
        let mut conn = self.store.reader().await?;
        let view = self.open_thread(&mut conn, who, key, ThreadAction::See).await?;
        let comment = threads::comments_page(&mut conn, view.thread.id, seq, 1)
            .await?
            .pop()
            .ok_or(AppError::NotFound)?;
        let reactions = threads::reactions_for_page(&mut conn, view.thread.id, seq, 1).await?;
        let entry = Some(view.entry(comment))
            .filter(CommentEntry::shown)
            .ok_or(AppError::NotFound)?;
        Ok((view, entry, reactions))
    }

    /// Adds or takes back a reaction on a comment (whoever may comment may react). Returns the
    /// comment's sequence number and whether the reaction is there now.
    pub async fn toggle_reaction(
        &self,
        who: &SessionUser,
        key: &str,
        comment_id: CommentId,
        reaction: &str,
    ) -> Result<(i64, bool), AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::Comment).await?;
        let reaction = Reaction::parse(reaction).map_err(|e| AppError::field("reaction", e.message))?;
        let mut tx = self.store.begin().await?;
        let comment = threads::find_comment(&mut tx, view.thread.id, comment_id)
            .await?
            .filter(|c| c.deleted_at.is_none())
            .ok_or(AppError::NotFound)?;
        decide(can_comment(
            &view.actor,
            CommentAction::React,
            &view.comment_facts(&comment),
        ))?;
        let on =
            threads::toggle_reaction(&mut tx, comment.id, who.user.id, reaction.as_str(), self.clock.now()).await?;
        let mut told = None;
        if on
            && let Some(author_id) = comment.author_id.filter(|a| *a != who.user.id)
            && let Some(author) = weft_store::users::find(&mut tx, author_id).await?
        {
            let names = [author.username.as_str().to_owned()];
            let readers = self
                .readers_among(&mut tx, &view.thread, &view.group, threads::Audience::Usernames(&names))
                .await?;
            if let Some(r) = readers.into_iter().find(|r| r.user.id == author_id) {
                let about = crate::notifications::About {
                    group: view.group.id,
                    thread: Some(view.thread.id),
                    poll: None,
                    seq: comment.seq,
                    actor: Some(who.user.id),
                };
                if self.deliver_reaction(&mut tx, &about, &r.user, r.volume).await? {
                    told = Some(author_id);
                }
            }
        }
        tx.commit().await?;
        if let Some(author) = told {
            self.ring_bells(&[author]).await;
        }
        self.publish(comment_changed(view.thread.id, comment.seq)).await;
        Ok((comment.seq, on))
    }

    // ---- lists ----
}
