//! P20: the purge of everything that does not need to be kept, run by the `retention` job
//! (`jobs/retention.rs`) at start and then every `retention.interval`. Deletes are idempotent,
//! so a purge run by hand beside the job does no harm.

use weft_store::{
    data_exports, deletion_requests, guests, invitations, outbox, security_log, sessions, tokens, unsubscribe, users,
};

use crate::{App, AppError};

/// The tables the purge deletes from, for PostgreSQL's vacuum.
const PURGED_TABLES: &[&str] = &[
    "login_tokens",
    "sessions",
    "unsubscribe_tokens",
    "outbox_emails",
    "users",
    "invitations",
    "guest_invitations",
    "poll_invitations",
    "deletion_requests",
    "security_log",
    "data_exports",
    "rate_counters",
    "notifications",
    "inbound_emails",
    "comments",
    "revisions",
];

/// Notifications, read or not, are kept this long: the list is news, not an archive (the
/// threads and polls they point at keep their own history).
pub const NOTIFICATIONS_KEPT: weft_domain::Duration = weft_domain::Duration::days(180);

/// What one purge removed, by kind.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Purged {
    pub login_tokens: u64,
    pub sessions: u64,
    pub unsubscribe_tokens: u64,
    pub email_bodies: u64,
    pub unverified_accounts: u64,
    /// Expired invitations (with their addresses) and old invitation counters.
    pub invitations: u64,
    pub deletion_requests: u64,
    pub security_log: u64,
    pub data_exports: u64,
    /// Outbox `.eml` files older than the email-body retention.
    pub outbox_files: u64,
    /// Attempt counters of the account doors whose window is long over (two hours).
    pub rate_counters: u64,
    /// Notifications older than `NOTIFICATIONS_KEPT`.
    pub notifications: u64,
    /// Records of inbound messages older than 60 days.
    pub inbound_emails: u64,
    /// Deleted comments past their undo time whose erasure job had not run.
    pub comments: u64,
}

impl Purged {
    fn anything(&self) -> bool {
        let Self {
            login_tokens,
            sessions,
            unsubscribe_tokens,
            email_bodies,
            unverified_accounts,
            invitations,
            deletion_requests,
            security_log,
            data_exports,
            outbox_files,
            rate_counters,
            notifications,
            inbound_emails,
            comments,
        } = self;
        [
            login_tokens,
            sessions,
            unsubscribe_tokens,
            email_bodies,
            unverified_accounts,
            invitations,
            deletion_requests,
            security_log,
            data_exports,
            outbox_files,
            rate_counters,
            notifications,
            inbound_emails,
            comments,
        ]
        .iter()
        .any(|n| **n > 0)
    }
}

impl App {
    pub async fn purge_expired(&self) -> Result<Purged, AppError> {
        let now = self.clock.now();
        let r = &self.config.retention;
        let mut conn = self.store.writer().await?;
        let purged = Purged {
            login_tokens: tokens::purge(&mut conn, now).await?,
            sessions: sessions::purge_expired(&mut conn, now, now.minus(self.config.session_idle_timeout)).await?,
            unsubscribe_tokens: unsubscribe::purge(&mut conn, now).await?
                + unsubscribe::purge_address_tokens(&mut conn, now).await?,
            email_bodies: outbox::purge_bodies(&mut conn, now.minus(r.email_bodies)).await?,
            unverified_accounts: users::purge_unverified(&mut conn, now.minus(r.unverified_accounts)).await?,
            invitations: invitations::purge(&mut conn, now).await?
                + guests::purge(&mut conn, now).await?
                + weft_store::polls::purge_invitations(&mut conn, now).await?,
            deletion_requests: deletion_requests::purge_resolved(&mut conn, now.minus(r.deletion_requests)).await?,
            // Purged whether or not the log is on now: switching it off must not keep old rows.
            security_log: security_log::purge(&mut conn, now.minus(r.security_log)).await?,
            data_exports: data_exports::purge(&mut conn, now).await?,
            outbox_files: 0,
            rate_counters: weft_store::rate_counters::purge(&mut conn, now.minus(weft_domain::Duration::hours(2)))
                .await?,
            notifications: weft_store::notifications::purge_older_than(&mut conn, now.minus(NOTIFICATIONS_KEPT))
                .await?,
            inbound_emails: self.purge_inbound(&mut conn).await?,
            comments: 0,
        };
        drop(conn);
        let purged = Purged {
            outbox_files: self.purge_outbox_files().await,
            comments: self.erase_overdue_comments().await?,
            ..purged
        };
        // A new signing key every 30 days; the retired ones go.
        if let Err(e) = self.rotate_signing_keys().await {
            tracing::warn!(error = %e, "rotating the signing keys failed; the next purge retries");
        }
        // What was purged leaves no copy in the database files either. SQLite's checkpoint runs
        // every time (it also retries one a busy reader blocked after an erasure); PostgreSQL
        // vacuums only when there was something to purge.
        let tables: &[&str] = if purged.anything() { PURGED_TABLES } else { &[] };
        self.after_erasure(&[], tables).await;
        Ok(purged)
    }
}
