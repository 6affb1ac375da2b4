//! Follower emails about a new comment, queued once the comment is committed. The comment's
//! transaction records one `comment_fanouts` row; this worker turns a batch of rows into outbox
//! emails in one transaction. So posting costs the same however many people follow the thread,
//! many comments' emails share one commit, and whether each follower may still read the thread is
//! decided when their email is queued. A comment deleted or an author gone before then sends
//! nothing.

use std::collections::BTreeMap;
use std::time::Duration as StdDuration;

use tokio::sync::watch;
use weft_store::fanouts;
use weft_store::threads::{CommentId, ThreadId};
use weft_store::{Conn, groups, threads, users};

use crate::threads::Mentioned;
use crate::{App, AppError};

/// Comments per transaction.
const BATCH: i64 = 100;
/// How long a wake-up waits for more comments before taking the batch.
const GATHER: StdDuration = StdDuration::from_millis(10);
/// Polling interval as a fallback for wake-ups from other instances.
const POLL: StdDuration = StdDuration::from_secs(5);

impl App {
    /// Queues the follower emails of up to `BATCH` waiting comments. Returns how many comments.
    pub async fn fan_out_due(&self) -> Result<usize, AppError> {
        let mut tx = self.store.begin().await?;
        let claimed = fanouts::claim(&mut tx, self.store.backend(), BATCH).await?;
        if claimed.is_empty() {
            return Ok(0);
        }
        // A busy thread has many comments in one batch: its thread, group and followers are read
        // once for all of them.
        let mut by_thread: BTreeMap<ThreadId, Vec<CommentId>> = BTreeMap::new();
        for f in &claimed {
            by_thread.entry(f.thread_id).or_default().push(f.comment_id);
        }
        for (thread_id, comment_ids) in &by_thread {
            self.fan_out(&mut tx, *thread_id, comment_ids).await?;
        }
        fanouts::delete(&mut tx, &claimed).await?;
        tx.commit().await?;
        self.wake_mailer();
        Ok(claimed.len())
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

    /// Queues follower emails as comments arrive, until `shutdown`.
    pub async fn run_fanout(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            match self.fan_out_due().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "queuing follower emails failed"),
            }
            tokio::select! {
                // Comments committed meanwhile join the batch: one transaction (one WAL flush on
                // PostgreSQL) for many, at the price of a few milliseconds on an email.
                () = self.fanout_wakeup.notified() => tokio::time::sleep(GATHER).await,
                () = tokio::time::sleep(POLL) => {}
                _ = shutdown.changed() => return,
            }
        }
    }
}
