//! The `deletion_requests` table (P12): a member asks a group's coordinators to delete their
//! content there (`group_id` set), or anyone asks the instance's data protection officer
//! (`group_id` NULL). Each request has a deadline and, once resolved, a recorded outcome.

use weft_domain::Timestamp;
use weft_domain::deletion_requests::RequestStatus;

use crate::groups::GroupId;
use crate::users::UserId;
use crate::{Conn, Result, Row, query};

#[derive(Debug, Clone)]
pub struct DeletionRequest {
    pub id: i64,
    pub key: String,
    pub group_id: Option<GroupId>,
    pub group_name: Option<String>,
    pub group_key: Option<String>,
    pub requester_id: Option<UserId>,
    /// The requester's name: their account's while it is active, else what they typed.
    pub requester_name: String,
    /// Where to answer: the account's address, or the one typed by someone without an account.
    pub reply_email: Option<String>,
    pub body: String,
    pub status: RequestStatus,
    pub outcome: String,
    pub resolved_by_name: Option<String>,
    pub created_at: Timestamp,
    pub due_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
}

const SELECT: &str = "SELECT r.id, r.key, r.group_id, g.name AS group_name, g.key AS group_key, r.requester_id, \
     CASE WHEN u.state = 'active' THEN u.name ELSE r.reply_name END AS requester_name, \
     COALESCE(u.email, r.reply_email) AS reply_email, r.body, r.status, r.outcome, \
     CASE WHEN rb.state = 'active' THEN rb.name END AS resolved_by_name, r.created_at, r.due_at, r.resolved_at \
     FROM deletion_requests r LEFT JOIN groups g ON g.id = r.group_id LEFT JOIN users u ON u.id = r.requester_id \
     LEFT JOIN users rb ON rb.id = r.resolved_by";

fn from_row(r: &Row<'_>) -> Result<DeletionRequest> {
    Ok(DeletionRequest {
        id: r.try_get("id")?,
        key: r.try_get("key")?,
        group_id: r.try_get("group_id")?,
        group_name: r.try_get("group_name")?,
        group_key: r.try_get("group_key")?,
        requester_id: r.try_get("requester_id")?,
        requester_name: r.try_get::<Option<String>, _>("requester_name")?.unwrap_or_default(),
        reply_email: r.try_get("reply_email")?,
        body: r.try_get("body")?,
        status: RequestStatus::from_stored(&r.try_get::<String, _>("status")?)?,
        outcome: r.try_get("outcome")?,
        resolved_by_name: r.try_get("resolved_by_name")?,
        created_at: Timestamp(r.try_get("created_at")?),
        due_at: Timestamp(r.try_get("due_at")?),
        resolved_at: r.try_get::<Option<i64>, _>("resolved_at")?.map(Timestamp),
    })
}

pub struct NewRequest<'a> {
    pub key: &'a str,
    pub group_id: Option<GroupId>,
    pub requester_id: Option<UserId>,
    pub reply_name: &'a str,
    pub reply_email: Option<&'a str>,
    pub body: &'a str,
    pub now: Timestamp,
    pub due_at: Timestamp,
}

pub async fn insert(conn: &mut Conn, new: &NewRequest<'_>) -> Result<i64> {
    let row = query(
        "INSERT INTO deletion_requests (key, group_id, requester_id, reply_name, reply_email, body, created_at, due_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(new.key)
    .bind(new.group_id)
    .bind(new.requester_id)
    .bind(new.reply_name)
    .bind(new.reply_email)
    .bind(new.body)
    .bind(new.now.0)
    .bind(new.due_at.0)
    .fetch_one(&mut *conn, |r| r.try_get(0))
        .await?;
    Ok(row)
}

pub async fn find_by_key(conn: &mut Conn, key: &str) -> Result<Option<DeletionRequest>> {
    let row = query(format!("{SELECT} WHERE r.key = $1"))
        .bind(key)
        .fetch_optional(&mut *conn, from_row)
        .await?;
    Ok(row)
}

/// A group's requests (`Some`) or the instance's (`None`): open ones first, soonest deadline first,
/// then the most recently resolved.
pub async fn list(conn: &mut Conn, group_id: Option<GroupId>) -> Result<Vec<DeletionRequest>> {
    let order = "ORDER BY CASE WHEN r.status = 'open' THEN 0 ELSE 1 END, \
                 CASE WHEN r.status = 'open' THEN r.due_at ELSE -r.resolved_at END, r.id LIMIT 500";
    let rows = match group_id {
        Some(id) => {
            query(format!("{SELECT} WHERE r.group_id = $1 {order}"))
                .bind(id)
                .fetch_all(&mut *conn, from_row)
                .await?
        }
        None => {
            query(format!("{SELECT} WHERE r.group_id IS NULL {order}"))
                .fetch_all(&mut *conn, from_row)
                .await?
        }
    };
    Ok(rows)
}

/// The requests one person made, newest first.
pub async fn by_requester(conn: &mut Conn, user_id: UserId) -> Result<Vec<DeletionRequest>> {
    let rows = query(format!(
        "{SELECT} WHERE r.requester_id = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT 200"
    ))
    .bind(user_id)
    .fetch_all(&mut *conn, from_row)
    .await?;
    Ok(rows)
}

/// How many requests are open in a group (for the coordinators' badge).
pub async fn count_open(conn: &mut Conn, group_id: Option<GroupId>) -> Result<i64> {
    let row = match group_id {
        Some(id) => {
            query("SELECT COUNT(*) FROM deletion_requests WHERE group_id = $1 AND status = 'open'")
                .bind(id)
                .fetch_scalar(&mut *conn)
                .await?
        }
        None => {
            query("SELECT COUNT(*) FROM deletion_requests WHERE group_id IS NULL AND status = 'open'")
                .fetch_scalar(&mut *conn)
                .await?
        }
    };
    Ok(row)
}

/// Records the outcome of an open request. False if it was already resolved.
pub async fn resolve(
    conn: &mut Conn,
    id: i64,
    status: RequestStatus,
    outcome: &str,
    by: UserId,
    now: Timestamp,
) -> Result<bool> {
    let done = query(
        "UPDATE deletion_requests SET status = $1, outcome = $2, resolved_by = $3, resolved_at = $4 \
         WHERE id = $5 AND status = 'open'",
    )
    .bind(status.as_str())
    .bind(outcome)
    .bind(by)
    .bind(now.0)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Retention: resolved requests older than `before` go, with the reply address they held.
pub async fn purge_resolved(conn: &mut Conn, before: Timestamp) -> Result<u64> {
    let done = query("DELETE FROM deletion_requests WHERE status <> 'open' AND resolved_at < $1")
        .bind(before.0)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
