//! `inbound_emails`: what became of each message that came in (a comment, or why it was refused),
//! with the person and thread once known; never the message itself. Kept 60 days.

use weft_domain::Timestamp;

use crate::ids::{CommentId, ThreadId};
use crate::users::UserId;
use crate::{Conn, Result, query};

/// One message's outcome.
#[derive(Debug, Clone, Copy)]
pub struct Outcome<'a> {
    /// "comment" or a refusal's word.
    pub outcome: &'a str,
    pub user_id: Option<UserId>,
    pub thread_id: Option<ThreadId>,
    pub comment_id: Option<CommentId>,
    pub size_bytes: i64,
}

pub async fn record(conn: &mut Conn, o: &Outcome<'_>, now: Timestamp) -> Result<()> {
    query(
        "INSERT INTO inbound_emails (received_at, outcome, user_id, thread_id, comment_id, size_bytes) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now.micros())
    .bind(o.outcome)
    .bind(o.user_id)
    .bind(o.thread_id)
    .bind(o.comment_id)
    .bind(o.size_bytes)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rows older than `before` go (the retention purge: 60 days).
pub async fn purge_older_than(conn: &mut Conn, before: Timestamp) -> Result<u64> {
    query("DELETE FROM inbound_emails WHERE received_at < $1")
        .bind(before.micros())
        .execute(&mut *conn)
        .await
        .map(|d| d.rows_affected())
}
