//! Erased is erased, down to the bytes (P10, P11, P20). After an erasure commits, the copies of
//! what it erased go too: the `.eml` files of the emails it touched (when emails are written to a
//! folder rather than sent by SMTP), the SQLite WAL frames that still hold the old rows, and on
//! PostgreSQL the dead row versions of the tables it touched.

use std::time::UNIX_EPOCH;

use crate::App;

/// The tables an account's erasure touches (P10), for PostgreSQL's vacuum.
pub(crate) const ACCOUNT_TABLES: &[&str] = &[
    "users",
    "sessions",
    "login_tokens",
    "unsubscribe_tokens",
    "memberships",
    "membership_requests",
    "thread_guests",
    "thread_reads",
    "reactions",
    "invitations",
    "guest_invitations",
    "poll_invitations",
    "poll_reactions",
    "outbox_emails",
    "votes",
    "vote_receipts",
    "poll_voters",
];

/// The tables a group's deletion touches (P11).
pub(crate) const GROUP_TABLES: &[&str] = &[
    "groups",
    "memberships",
    "membership_requests",
    "invitations",
    "threads",
    "comments",
    "revisions",
    "reactions",
    "thread_guests",
    "guest_invitations",
    "poll_invitations",
    "poll_reactions",
    "thread_reads",
    "outbox_emails",
    "polls",
    "poll_options",
    "poll_voters",
    "votes",
    "vote_choices",
    "vote_receipts",
    "outcomes",
    "events",
];

/// An email's file in the outbox folder, as the file transport names it.
fn file_name(id: i64) -> String {
    format!("{id:010}.eml")
}

impl App {
    /// Call after an erasure has committed: deletes the outbox files of `emails` and scrubs the
    /// database files (`Store::scrub`). Failures are logged, not returned: the erasure itself has
    /// committed, and the scheduled purge scrubs again.
    pub(crate) async fn after_erasure(&self, emails: &[i64], tables: &[&str]) {
        self.forget_outbox_files(emails).await;
        if let Err(e) = self.store.scrub(tables).await {
            tracing::warn!(error = %e, "scrubbing the database files after an erasure failed; the next purge retries");
        }
    }

    /// Deletes the outbox files of these emails, if emails are written to a folder.
    pub(crate) async fn forget_outbox_files(&self, emails: &[i64]) {
        let Some(dir) = &self.config.outbox_dir else { return };
        for id in emails {
            match tokio::fs::remove_file(dir.join(file_name(*id))).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => tracing::warn!(error = %e, "could not delete an erased email's outbox file"),
            }
        }
    }

    /// P20: outbox files older than the email-body retention go, as the bodies in the database do.
    /// Returns how many were deleted.
    pub(crate) async fn purge_outbox_files(&self) -> u64 {
        let Some(dir) = &self.config.outbox_dir else { return 0 };
        // Measured by the application's clock, so that tests can move time forward.
        let cutoff = self.clock.now().minus(self.config.retention.email_bodies).micros();
        let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
            return 0;
        };
        let mut gone = 0;
        while let Ok(Some(entry)) = entries.next_entry().await {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "eml") {
                continue;
            }
            let written = entry.metadata().await.and_then(|m| m.modified()).ok();
            let old = written
                .and_then(|at| at.duration_since(UNIX_EPOCH).ok())
                .and_then(|d| i64::try_from(d.as_micros()).ok())
                .is_some_and(|at| at < cutoff);
            if old && tokio::fs::remove_file(&path).await.is_ok() {
                gone += 1;
            }
        }
        gone
    }
}
