//! Deleting a comment, and taking it back: the comment reads as deleted at once (its body reads
//! empty everywhere), its text and earlier versions stay for `UNDO_DELETE` so that whoever
//! deleted it can bring it back, then one job per comment (`comment-erase:{id}`) erases them.
//! The retention purge erases any whose job gave up.

use weft_domain::permissions::CommentAction;
use weft_domain::threads::UNDO_DELETE;
use weft_store::jobs::{self, Job};
use weft_store::threads::{self, CommentId, Erasure};

use super::comment_changed;
use crate::jobs::runner::decode;
use crate::jobs::{CommentErasure, JobKind};
use crate::{App, AppError, SessionUser};

pub(crate) fn erase_key(id: CommentId) -> String {
    format!("comment-erase:{id}")
}

impl App {
    /// Deletes a comment; whoever deleted it may `restore_comment` it until the returned time.
    /// Returns its sequence number and that time.
    pub async fn delete_comment(
        &self,
        who: &SessionUser,
        key: &str,
        id: CommentId,
    ) -> Result<(i64, weft_domain::Timestamp), AppError> {
        let (view, comment) = self.comment_for(who, key, id, CommentAction::Delete).await?;
        let now = self.clock.now();
        let erase_at = now.plus(UNDO_DELETE);
        let mut tx = self.store.begin().await?;
        if threads::delete_comment(&mut tx, view.thread.id, comment.id, who.user.id, now, erase_at).await? {
            let job = CommentErasure { comment_id: comment.id };
            self.schedule_job(&mut tx, &erase_key(comment.id), &job, erase_at)
                .await?;
        }
        tx.commit().await?;
        self.wake_jobs(JobKind::CommentErasure);
        self.publish(comment_changed(view.thread.id, comment.seq)).await;
        Ok((comment.seq, erase_at))
    }

    /// Brings back a comment `who` deleted, before it is erased. Its sequence number.
    pub async fn restore_comment(&self, who: &SessionUser, key: &str, id: CommentId) -> Result<i64, AppError> {
        let (view, comment) = self.comment_for(who, key, id, CommentAction::Restore).await?;
        let mut tx = self.store.begin().await?;
        if !threads::restore_comment(&mut tx, view.thread.id, comment.id, who.user.id, self.clock.now()).await? {
            // Erased between the check and now.
            return Err(AppError::NotFound);
        }
        // Its erasure job finds it restored and does nothing; a later delete schedules anew.
        tx.commit().await?;
        self.publish(comment_changed(view.thread.id, comment.seq)).await;
        Ok(comment.seq)
    }

    /// Runs a batch of erasure jobs, each in its own transaction.
    pub(crate) async fn run_comment_erasures(&self, batch: &[Job]) {
        for job in batch {
            if let Err(e) = self.run_comment_erasure(job).await {
                self.job_failed(job, &e).await;
            }
        }
    }

    async fn run_comment_erasure(&self, job: &Job) -> Result<(), AppError> {
        let CommentErasure { comment_id } = decode(job)?;
        let mut tx = self.store.begin().await?;
        if jobs::complete(&mut tx, std::slice::from_ref(job)).await? != 1 {
            // Another runner took this job over after our lease ran out: it does the work.
            return Ok(());
        }
        if let Erasure::NotYet(at) = threads::erase_comment(&mut tx, comment_id, self.clock.now()).await? {
            self.schedule_job(&mut tx, &erase_key(comment_id), &CommentErasure { comment_id }, at)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Erases the deleted comments whose time came and went without their job (it gave up, or
    /// the clock jumped): the retention purge's share. How many it erased.
    pub(crate) async fn erase_overdue_comments(&self) -> Result<u64, AppError> {
        let now = self.clock.now();
        let mut erased = 0;
        loop {
            let mut tx = self.store.begin().await?;
            let due = threads::overdue_erasures(&mut tx, now, 100).await?;
            for id in &due {
                erased += u64::from(threads::erase_comment(&mut tx, *id, now).await? == Erasure::Erased);
            }
            tx.commit().await?;
            if due.len() < 100 {
                return Ok(erased);
            }
        }
    }
}
