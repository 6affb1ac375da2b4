//! Follower emails about a new comment, queued once the comment is committed. The comment's
//! transaction adds one `comment_fanout` job; the runner turns a batch of them into outbox emails
//! in one transaction, which also completes the jobs. So posting costs the same however many
//! people follow the thread, many comments' emails share one commit, and whether each follower may
//! still read the thread is decided when their email is queued. A comment deleted or an author
//! gone before then sends nothing.

use std::collections::BTreeMap;

use weft_store::jobs::{self, Job};
use weft_store::threads::{CommentId, ThreadId};
use weft_store::{Conn, groups, threads, users};

use super::CommentFanout;
use super::runner::decode;
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
        for (thread_id, comment_ids) in &by_thread {
            self.fan_out(&mut tx, *thread_id, comment_ids).await?;
        }
        let jobs: Vec<Job> = batch.iter().map(|(j, _)| j.clone()).collect();
        if jobs::complete(&mut tx, &jobs).await? != jobs.len() {
            // Another runner took some over after our lease ran out: it sends them, we do not.
            return Err(AppError::internal("the claim on these jobs was lost"));
        }
        tx.commit().await?;
        self.wake_mailer();
        Ok(())
    }

    /// The follower emails of these comments on one thread.
    async fn fan_out(&self, tx: &mut Conn, thread_id: ThreadId, comment_ids: &[CommentId]) -> Result<(), AppError> {
        let Some(thread) = threads::find_by_id(tx, thread_id).await? else {
            return Ok(());
        };
        let Some(group) = groups::find(tx, thread.group_id).await? else {
            return Ok(());
        };
        let followers = self
            .readers_among(tx, &thread, &group, threads::Audience::Followers)
            .await?;
        if followers.is_empty() {
            return Ok(());
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
            let comment_about = Mentioned {
                thread: &thread,
                group: &group,
                author: &author,
                text: &comment.body,
                before: None,
                seq: comment.seq,
            };
            self.notify_followers(tx, &comment_about, &followers).await?;
        }
        Ok(())
    }
}
