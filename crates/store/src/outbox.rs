//! The `outbox_emails` table: the transactional email outbox. Rows are written in the same
//! transaction as the change that causes them, then claimed and delivered by a worker.

use weft_domain::Timestamp;

use crate::users::UserId;
use crate::{Backend, Conn, Result, Row, query};

pub struct NewEmail<'a> {
    pub user_id: Option<UserId>,
    /// The person whose action caused the email (an inviter, a mention's author), if any.
    pub sender_id: Option<UserId>,
    /// The group the email is about, if any (erased with the group, P11).
    pub group_id: Option<crate::groups::GroupId>,
    pub kind: &'a str,
    pub to_address: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
    pub unsubscribe_url: &'a str,
    pub now: Timestamp,
    /// "Ada via Riverside Garden": the sender shown, for an email someone's action caused.
    pub from_name: Option<&'a str>,
    /// The thread it is about: its emails share a References header.
    pub thread_id: Option<crate::threads::ThreadId>,
    /// The person's own reply address for this thread (a reply becomes a comment).
    pub reply_to: Option<&'a str>,
}

pub async fn enqueue(conn: &mut Conn, e: &NewEmail<'_>) -> Result<()> {
    enqueue_many(conn, std::slice::from_ref(e)).await
}

/// `enqueue` for an email that quotes several groups and people (a digest): each is recorded, so
/// that erasing any of them erases the email's words (`erase_about_group`, `erase_sent_by`).
pub async fn enqueue_with_sources(
    conn: &mut Conn,
    e: &NewEmail<'_>,
    groups: &[crate::groups::GroupId],
    senders: &[UserId],
) -> Result<i64> {
    let id: i64 = query(
        "INSERT INTO outbox_emails (user_id, kind, to_address, subject, body_text, body_html, unsubscribe_url, \
         status, attempts, next_attempt_at, created_at, sender_id, group_id, from_name, thread_id, reply_to) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(e.user_id)
    .bind(e.kind)
    .bind(e.to_address)
    .bind(e.subject)
    .bind(e.body_text)
    .bind(e.body_html)
    .bind(e.unsubscribe_url)
    .bind(e.now.micros())
    .bind(e.sender_id)
    .bind(e.group_id)
    .bind(e.from_name)
    .bind(e.thread_id)
    .bind(e.reply_to)
    .fetch_one(&mut *conn, |r| r.try_get("id"))
    .await?;
    let sources: Vec<(Option<crate::groups::GroupId>, Option<UserId>)> = groups
        .iter()
        .map(|g| (Some(*g), None))
        .chain(senders.iter().map(|s| (None, Some(*s))))
        .collect();
    for chunk in sources.chunks(300) {
        let sql = format!(
            "INSERT INTO outbox_email_sources (email_id, group_id, sender_id) VALUES {}",
            crate::value_rows(chunk.len(), 3)
        );
        let mut q = query(sql);
        for (group, sender) in chunk {
            q = q.bind(id).bind(*group).bind(*sender);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(id)
}

/// `enqueue` for many emails at once (a comment's followers): one statement per 200 emails.
pub async fn enqueue_many(conn: &mut Conn, emails: &[NewEmail<'_>]) -> Result<()> {
    for chunk in emails.chunks(200) {
        let sql = format!(
            "INSERT INTO outbox_emails (user_id, kind, to_address, subject, body_text, body_html, unsubscribe_url, \
             status, attempts, next_attempt_at, created_at, sender_id, group_id, from_name, thread_id, reply_to) VALUES {}",
            crate::value_rows(chunk.len(), 16)
        );
        let mut query = query(sql);
        for e in chunk {
            query = query
                .bind(e.user_id)
                .bind(e.kind)
                .bind(e.to_address)
                .bind(e.subject)
                .bind(e.body_text)
                .bind(e.body_html)
                .bind(e.unsubscribe_url)
                .bind("pending")
                .bind(0_i64)
                .bind(e.now.micros())
                .bind(e.now.micros())
                .bind(e.sender_id)
                .bind(e.group_id)
                .bind(e.from_name)
                .bind(e.thread_id)
                .bind(e.reply_to);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct QueuedEmail {
    pub id: i64,
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub unsubscribe_url: String,
    pub attempts: i64,
    pub created_at: Timestamp,
    pub from_name: Option<String>,
    pub thread_id: Option<crate::threads::ThreadId>,
    pub reply_to: Option<String>,
}

fn from_row(r: &Row<'_>) -> Result<QueuedEmail> {
    Ok(QueuedEmail {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        to_address: r.try_get("to_address")?,
        subject: r.try_get("subject")?,
        body_text: r.try_get("body_text")?,
        body_html: r.try_get("body_html")?,
        unsubscribe_url: r.try_get("unsubscribe_url")?,
        attempts: r.try_get("attempts")?,
        created_at: Timestamp(r.try_get("created_at")?),
        from_name: r.try_get("from_name")?,
        thread_id: r.try_get("thread_id")?,
        reply_to: r.try_get("reply_to")?,
    })
}

/// P9 in the mail layer itself: of the emails just claimed, those to accounts that are no longer
/// active are cancelled, whatever queued them (a deactivated person may still receive the log-in
/// link they ask for to come back). Returns the ids cancelled. Bounded by the batch, not by the
/// size of the queue.
pub async fn cancel_for_inactive_accounts(conn: &mut Conn, claimed: &[i64]) -> Result<Vec<i64>> {
    if claimed.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "UPDATE outbox_emails SET status = 'cancelled', locked_until = NULL WHERE id IN ({}) \
         AND kind <> 'log_in_link' AND user_id IN (SELECT id FROM users WHERE state <> 'active') RETURNING id",
        crate::parameters(1, claimed.len())
    );
    let mut query = query(sql);
    for id in claimed {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut *conn, |r| r.try_get("id")).await?;
    Ok(rows)
}

/// Claims up to `limit` due emails, longest due first (the order of the `outbox_emails_due` index,
/// so a long queue costs no sort), for `lease` microseconds. A claimed email is not claimed again
/// until its lease runs out, so a worker that dies mid-send leaves it for another to retry.
pub async fn claim_due(
    conn: &mut Conn,
    backend: Backend,
    now: Timestamp,
    lease_until: Timestamp,
    limit: i64,
) -> Result<Vec<QueuedEmail>> {
    let sql = format!(
        "UPDATE outbox_emails SET locked_until = $1, attempts = attempts + 1 WHERE id IN ( \
            SELECT id FROM outbox_emails \
            WHERE status = 'pending' AND next_attempt_at <= $2 AND (locked_until IS NULL OR locked_until <= $2) \
            ORDER BY next_attempt_at, id LIMIT $3 {skip_locked}) \
         RETURNING id, kind, to_address, subject, body_text, body_html, unsubscribe_url, attempts, created_at, from_name, thread_id, reply_to",
        skip_locked = backend.skip_locked()
    );
    // Planned on every run, with the statistics of the moment: a kept plan is frozen at the first
    // run, and on a queue that was empty then (a fresh instance, a quiet hour) PostgreSQL keeps a
    // sequential scan and sort of the whole table until autovacuum next analyzes it. That made a
    // 20 000-email backlog drain at 280 emails/s instead of about 1 400.
    let rows = query(sql)
        .persistent(false)
        .bind(lease_until.micros())
        .bind(now.micros())
        .bind(limit)
        .fetch_all(&mut *conn, from_row)
        .await?;
    let mut emails = rows;
    emails.sort_by_key(|e| e.id);
    Ok(emails)
}

/// Marks emails delivered. A deletion receipt goes altogether once delivered: it is the last
/// thing that held a deleted person's address (P10).
/// What `mark_sent` found.
#[derive(Debug, Default)]
pub struct Delivered {
    /// Delivered while being erased (the row went meanwhile): their copies must go too.
    pub erased_meanwhile: Vec<i64>,
    /// Deletion receipts were delivered and their rows, which held the address, deleted.
    pub receipts_deleted: bool,
}

pub async fn mark_sent(conn: &mut Conn, ids: &[i64], now: Timestamp) -> Result<Delivered> {
    let mut found = Delivered::default();
    for chunk in ids.chunks(1_000) {
        let list = crate::parameters(2, chunk.len());
        let mut update = query(format!(
            "UPDATE outbox_emails SET status = 'sent', sent_at = $1, locked_until = NULL, last_error = NULL \
             WHERE id IN ({list}) RETURNING id"
        ))
        .bind(now.micros());
        let mut receipts = query(format!(
            "DELETE FROM outbox_emails WHERE kind = 'deletion_receipt' AND id IN ({})",
            crate::parameters(1, chunk.len())
        ));
        for id in chunk {
            update = update.bind(*id);
            receipts = receipts.bind(*id);
        }
        let still: std::collections::HashSet<i64> = update
            .fetch_all(&mut *conn, |r| r.try_get("id"))
            .await?
            .into_iter()
            .collect();
        found
            .erased_meanwhile
            .extend(chunk.iter().filter(|id| !still.contains(id)));
        found.receipts_deleted |= receipts.execute(&mut *conn).await?.rows_affected() > 0;
    }
    Ok(found)
}

/// The `id` column of every row.
fn id(r: &Row<'_>) -> Result<i64> {
    r.try_get("id")
}

/// The columns that say what an email said, blanked by every erasure (the purge keeps the subject).
const BLANKED: &str =
    "subject = '', body_text = '', body_html = '', unsubscribe_url = '', from_name = NULL, reply_to = NULL";

/// Forgets what the emails matching `which` (a condition on `$1`) said: undelivered ones are
/// dropped, delivered ones keep only recipient, kind and dates. Returns the ids of every email
/// touched, so that copies of them (outbox files) go too.
async fn erase_where(conn: &mut Conn, which: &str, id_bound: i64) -> Result<Vec<i64>> {
    let mut ids = query(format!(
        "DELETE FROM outbox_emails WHERE {which} AND status = 'pending' RETURNING id"
    ))
    .bind(id_bound)
    .fetch_all(&mut *conn, id)
    .await?;
    let erased = query(format!("UPDATE outbox_emails SET {BLANKED} WHERE {which} RETURNING id"))
        .bind(id_bound)
        .fetch_all(&mut *conn, id)
        .await?;
    ids.extend(erased);
    Ok(ids)
}

/// Forgets what the emails about a group and its subgroups said (they are being deleted, P11),
/// a digest quoting one of them included (`erase_where`).
pub async fn erase_about_group(conn: &mut Conn, group_id: crate::groups::GroupId) -> Result<Vec<i64>> {
    const GROUPS: &str = "(SELECT id FROM groups WHERE id = $1 OR parent_id = $1)";
    let about = format!(
        "(group_id IN {GROUPS} OR id IN (SELECT email_id FROM outbox_email_sources WHERE group_id IN {GROUPS}))"
    );
    erase_where(conn, &about, group_id.0).await
}

/// Forgets what emails caused by `sender_id` said about them (their account is being deleted),
/// a digest quoting them included (`erase_where`).
pub async fn erase_sent_by(conn: &mut Conn, sender_id: UserId) -> Result<Vec<i64>> {
    const BY: &str = "(sender_id = $1 OR id IN (SELECT email_id FROM outbox_email_sources WHERE sender_id = $1))";
    erase_where(conn, BY, sender_id.0).await
}

/// Every email to this account or address (an account being deleted: the rows hold the address).
/// Returns their ids, so that copies of them (outbox files) go too.
pub async fn delete_for_account(conn: &mut Conn, user_id: UserId, address: &str) -> Result<Vec<i64>> {
    let rows = query("DELETE FROM outbox_emails WHERE user_id = $1 OR to_address = $2 RETURNING id")
        .bind(user_id)
        .bind(address)
        .fetch_all(&mut *conn, id)
        .await?;
    Ok(rows)
}

/// Records a failed attempt: retried at `retry_at`, or `dead` (visible to the operator) when `None`.
pub async fn mark_failed(conn: &mut Conn, id: i64, error: &str, retry_at: Option<Timestamp>) -> Result<()> {
    let (status, next) = match retry_at {
        Some(t) => ("pending", t.micros()),
        None => ("dead", 0),
    };
    query(
        "UPDATE outbox_emails SET status = $1, next_attempt_at = CASE WHEN $1 = 'pending' THEN $2 ELSE next_attempt_at END, \
         locked_until = NULL, last_error = $3 WHERE id = $4",
    )
    .bind(status)
    .bind(next)
    .bind(error)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Counts by status, for `/healthz`-style reporting and tests.
pub async fn count_by_status(conn: &mut Conn, status: &str) -> Result<i64> {
    let row = query("SELECT COUNT(*) AS n FROM outbox_emails WHERE status = $1")
        .bind(status)
        .fetch_one(&mut *conn, |r| r.try_get("n"))
        .await?;
    Ok(row)
}

/// The soonest time a pending email becomes due, so the worker can sleep until then.
pub async fn next_due(conn: &mut Conn) -> Result<Option<Timestamp>> {
    let row = query("SELECT MIN(next_attempt_at) AS t FROM outbox_emails WHERE status = 'pending'")
        .fetch_one(&mut *conn, |r| r.try_get::<Option<i64>, _>("t"))
        .await?;
    Ok(row.map(Timestamp))
}

/// P20: the bodies of delivered emails are erased after the retention period; who, when and
/// what subject stay, for the personal-data export. Emails to addresses without an account
/// (invitations) have no export to serve: they go entirely.
pub async fn purge_bodies(conn: &mut Conn, sent_before: Timestamp) -> Result<u64> {
    let gone = query(
        "DELETE FROM outbox_emails WHERE user_id IS NULL AND status IN ('sent', 'dead', 'cancelled') AND COALESCE(sent_at, created_at) < $1",
    )
    .bind(sent_before.micros())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let done = query(
        "UPDATE outbox_emails SET body_text = '', body_html = '', unsubscribe_url = '', from_name = NULL, reply_to = NULL \
         WHERE status IN ('sent', 'dead', 'cancelled') AND COALESCE(sent_at, created_at) < $1 AND body_text <> ''",
    )
    .bind(sent_before.micros())
    .execute(&mut *conn)
    .await?;
    Ok(gone + done.rows_affected())
}

/// An email that failed at every attempt, as the instance administrator sees it: what kind, to
/// which domain (the local part stays hidden: a delivery problem is about the receiving server),
/// how often it was tried and the last error.
#[derive(Debug, Clone)]
pub struct DeadEmail {
    pub id: i64,
    pub kind: String,
    pub to_domain: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    /// When it was last tried (the attempt that gave up).
    pub failed_at: Timestamp,
    /// False once the retention purge took its body: it can no longer be sent again.
    pub retryable: bool,
}

/// The dead emails, newest first.
pub async fn dead(conn: &mut Conn, limit: i64) -> Result<Vec<DeadEmail>> {
    let rows = query(
        "SELECT id, kind, to_address, attempts, last_error, created_at, next_attempt_at, body_text <> '' AS retryable \
         FROM outbox_emails WHERE status = 'dead' ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *conn, |r| {
        let to: String = r.try_get("to_address")?;
        Ok(DeadEmail {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            to_domain: to.rsplit_once('@').map_or_else(String::new, |(_, d)| d.to_owned()),
            attempts: r.try_get("attempts")?,
            last_error: r.try_get("last_error")?,
            created_at: Timestamp(r.try_get("created_at")?),
            failed_at: Timestamp(r.try_get("next_attempt_at")?),
            retryable: r.try_get("retryable")?,
        })
    })
    .await?;
    Ok(rows)
}

/// Dead emails get a new round of attempts, due at once: one (`Some(id)`) or all of them. Only
/// those whose body is still there (the retention purge empties it). Returns how many.
pub async fn retry_dead(conn: &mut Conn, id: Option<i64>, now: Timestamp) -> Result<u64> {
    let n = query(
        "UPDATE outbox_emails SET status = 'pending', attempts = 0, next_attempt_at = $1, locked_until = NULL \
         WHERE status = 'dead' AND body_text <> '' AND ($2 = 0 OR id = $2)",
    )
    .bind(now.micros())
    .bind(id.unwrap_or(0))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(n)
}
