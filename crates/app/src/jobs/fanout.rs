//! Telling people of a new comment or a new thread, once it is committed. The comment's (or
//! thread's) transaction adds one job; the runner turns a batch of them into notifications and
//! outbox emails in one transaction, which also completes the jobs — exactly once, whatever
//! stops in between. So posting costs the same however many people hear of it, many comments'
//! notifications share one commit, and whether each person may still read the thread is decided
//! when they are told. A comment deleted or an author gone before then tells nobody.

use std::collections::BTreeMap;

use weft_store::jobs::{self, Job};
use weft_store::threads::{CommentId, ThreadId};
use weft_store::{Conn, groups, threads, users};

use super::runner::decode;
use super::{CommentFanout, ThreadFanout};
use crate::threads::Mentioned;
use crate::{App, AppError};

impl App {
    /// Runs a batch of claimed fan-out jobs; a job whose payload cannot be read fails alone.
    pub(super) async fn run_fanouts(&self, batch: &[Job]) {
        let mut readable = Vec::with_capacity(batch.len());
        for job in batch {
            match decode::<CommentFanout>(job) {
                Ok(payload) => readable.push((job.clone(), payload)),
                Err(e) => self.job_failed(job, &e).await,
            }
        }
        if readable.is_empty() {
            return;
        }
        if let Err(e) = self.fan_out_batch(&readable).await {
            for (job, _) in &readable {
                self.job_failed(job, &e).await;
            }
        }
    }

    /// Queues the follower emails of these comments and completes their jobs, in one transaction.
    async fn fan_out_batch(&self, batch: &[(Job, CommentFanout)]) -> Result<(), AppError> {
        let mut tx = self.store.begin().await?;
        // A busy thread has many comments in one batch: its thread, group and followers are read
        // once for all of them.
        let mut by_thread: BTreeMap<ThreadId, Vec<CommentId>> = BTreeMap::new();
        for (_, f) in batch {
            by_thread.entry(f.thread_id).or_default().push(f.comment_id);
        }
        let mut bells = Vec::new();
        for (thread_id, comment_ids) in &by_thread {
            bells.extend(self.fan_out(&mut tx, *thread_id, comment_ids).await?);
        }
        let jobs: Vec<Job> = batch.iter().map(|(j, _)| j.clone()).collect();
        if jobs::complete(&mut tx, &jobs).await? != jobs.len() {
            // Another runner took some over after our lease ran out: it sends them, we do not.
            return Err(AppError::internal("the claim on these jobs was lost"));
        }
        tx.commit().await?;
        self.wake_mailer();
        bells.sort_unstable();
        bells.dedup();
        self.ring_bells(&bells).await;
        Ok(())
    }

    /// The notifications and emails of these comments on one thread; answers whose bell to ring.
    async fn fan_out(
        &self,
        tx: &mut Conn,
        thread_id: ThreadId,
        comment_ids: &[CommentId],
    ) -> Result<Vec<users::UserId>, AppError> {
        let mut bells = Vec::new();
        let Some(thread) = threads::find_by_id(tx, thread_id).await? else {
            return Ok(bells);
        };
        let Some(group) = groups::find(tx, thread.group_id).await? else {
            return Ok(bells);
        };
        let readers = self
            .readers_among(tx, &thread, &group, threads::Audience::Comment)
            .await?;
        if readers.is_empty() {
            return Ok(bells);
        }
        for id in comment_ids {
            let Some(comment) = threads::find_comment(tx, thread.id, *id).await? else {
                continue;
            };
            if comment.deleted_at.is_some() {
                continue;
            }
            // P9: a deactivated author's name is not shown, so no email names them.
            let Some(author_id) = comment.author_id else {
                continue;
            };
            let Some(author) = users::find(tx, author_id).await? else {
                continue;
            };
            if author.state != weft_domain::UserState::Active {
                continue;
            }
            let replied_to = match comment.parent_id {
                Some(parent) => threads::find_comment(tx, thread.id, parent)
                    .await?
                    .and_then(|p| p.author_id),
                None => None,
            };
            let comment_about = Mentioned {
                thread: &thread,
                group: &group,
                author: &author,
                text: &comment.body,
                before: None,
                seq: comment.seq,
                answers: Some(comment.parent_id.unwrap_or(comment.id)),
            };
            bells.extend(self.notify_comment(tx, &comment_about, &readers, replied_to).await?);
        }
        Ok(bells)
    }

    /// Runs one claimed new-thread job: its notifications and emails, and the job completed, in
    /// one transaction.
    pub(super) async fn run_thread_fanout(&self, job: &Job) -> Result<(), AppError> {
        let ThreadFanout {
            thread_id,
            announcement,
        } = decode(job)?;
        let mut tx = self.store.begin().await?;
        if jobs::complete(&mut tx, std::slice::from_ref(job)).await? != 1 {
            return Ok(());
        }
        let mut bells = Vec::new();
        if let Some(thread) = threads::find_by_id(&mut tx, thread_id).await?
            && let Some(group) = groups::find(&mut tx, thread.group_id).await?
            && let Some(author_id) = thread.author_id
            && let Some(author) = users::find(&mut tx, author_id).await?
            && author.state == weft_domain::UserState::Active
        {
            bells = self
                .notify_new_thread(&mut tx, &thread, &group, &author, &announcement)
                .await?;
        }
        tx.commit().await?;
        self.wake_mailer();
        self.ring_bells(&bells).await;
        Ok(())
    }
}
