//! The `invitations` and `invitation_quota` tables. An invitation row exists only while it is
//! pending: accepting or revoking deletes it, and the retention purge removes expired ones.

use weft_domain::{EmailAddress, Timestamp, TokenHash};

use crate::groups::GroupId;
use crate::users::UserId;
use crate::{Conn, Result, Row, query};

pub use crate::ids::InvitationId;

#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: InvitationId,
    pub group_id: GroupId,
    pub email: EmailAddress,
    pub message: String,
    pub inviter_id: Option<UserId>,
    /// The inviter's name, as their account says now.
    pub inviter_name: Option<String>,
    pub send_count: i64,
    pub sent_at: Timestamp,
    pub expires_at: Timestamp,
}

const COLUMNS: &str = "i.id, i.group_id, i.email, i.message, i.inviter_id, CASE WHEN u.state = 'active' THEN u.name END AS inviter_name, i.send_count, \
    i.sent_at, i.expires_at";
const FROM: &str = "FROM invitations i LEFT JOIN users u ON u.id = i.inviter_id";

fn from_row(r: &Row<'_>) -> Result<Invitation> {
    Ok(Invitation {
        id: r.try_get("id")?,
        group_id: r.try_get("group_id")?,
        email: EmailAddress::from_trusted(r.try_get("email")?),
        message: r.try_get("message")?,
        inviter_id: r.try_get("inviter_id")?,
        inviter_name: r.try_get("inviter_name")?,
        send_count: r.try_get("send_count")?,
        sent_at: Timestamp(r.try_get("sent_at")?),
        expires_at: Timestamp(r.try_get("expires_at")?),
    })
}

pub struct NewInvitation<'a> {
    pub group_id: GroupId,
    pub email: &'a EmailAddress,
    pub token_hash: &'a TokenHash,
    pub message: &'a str,
    pub inviter_id: UserId,
    pub now: Timestamp,
    pub expires_at: Timestamp,
}

/// `StoreError::Conflict` if the address already has a pending invitation to the group.
pub async fn insert(conn: &mut Conn, new: &NewInvitation<'_>) -> Result<InvitationId> {
    let row = query(
        "INSERT INTO invitations (group_id, email, token_hash, message, inviter_id, send_count, created_at, sent_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6, $7) RETURNING id",
    )
    .bind(new.group_id)
    .bind(new.email.as_str())
    .bind(new.token_hash.as_str())
    .bind(new.message)
    .bind(new.inviter_id)
    .bind(new.now.micros())
    .bind(new.expires_at.micros())
    .fetch_one(&mut *conn, |r| r.try_get("id"))
        .await?;
    Ok(row)
}

/// Sends an invitation again under a new token: the old link stops working.
pub async fn refresh(
    conn: &mut Conn,
    id: InvitationId,
    token_hash: &TokenHash,
    message: Option<&str>,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<bool> {
    let done = query(
        "UPDATE invitations SET token_hash = $1, message = COALESCE($2, message), sent_at = $3, expires_at = $4, \
         send_count = send_count + 1 WHERE id = $5",
    )
    .bind(token_hash.as_str())
    .bind(message)
    .bind(now.micros())
    .bind(expires_at.micros())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The pending invitation of `email` to a group, expired or not.
pub async fn find_for_address(conn: &mut Conn, group_id: GroupId, email: &EmailAddress) -> Result<Option<Invitation>> {
    let row = query(format!(
        "SELECT {COLUMNS} {FROM} WHERE i.group_id = $1 AND i.email = $2"
    ))
    .bind(group_id)
    .bind(email.as_str())
    .fetch_optional(&mut *conn, from_row)
    .await?;
    Ok(row)
}

/// An unexpired invitation by the secret in its link.
pub async fn find_by_token(conn: &mut Conn, token_hash: &TokenHash, now: Timestamp) -> Result<Option<Invitation>> {
    let row = query(format!(
        "SELECT {COLUMNS} {FROM} WHERE i.token_hash = $1 AND i.expires_at > $2"
    ))
    .bind(token_hash.as_str())
    .bind(now.micros())
    .fetch_optional(&mut *conn, from_row)
    .await?;
    Ok(row)
}

pub async fn find(conn: &mut Conn, group_id: GroupId, id: InvitationId) -> Result<Option<Invitation>> {
    let row = query(format!("SELECT {COLUMNS} {FROM} WHERE i.group_id = $1 AND i.id = $2"))
        .bind(group_id)
        .bind(id)
        .fetch_optional(&mut *conn, from_row)
        .await?;
    Ok(row)
}

/// A group's pending invitations, newest first (expired ones included until purged).
pub async fn for_group(conn: &mut Conn, group_id: GroupId, limit: i64) -> Result<Vec<Invitation>> {
    let rows = query(format!(
        "SELECT {COLUMNS} {FROM} WHERE i.group_id = $1 ORDER BY i.sent_at DESC, i.id DESC LIMIT $2"
    ))
    .bind(group_id)
    .bind(limit)
    .fetch_all(&mut *conn, from_row)
    .await?;
    Ok(rows)
}

/// Unexpired invitations addressed to `email`, with the group's key and name, for that person's
/// dashboard. Groups they already belong to are left out.
pub async fn for_address(
    conn: &mut Conn,
    email: &EmailAddress,
    user_id: UserId,
    now: Timestamp,
) -> Result<Vec<(Invitation, String, String)>> {
    let rows = query(format!(
        "SELECT {COLUMNS}, g.key AS group_key, g.name AS group_name {FROM} \
         JOIN groups g ON g.id = i.group_id WHERE i.email = $1 AND i.expires_at > $2 AND g.archived_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = i.group_id AND m.user_id = $3) \
         ORDER BY i.sent_at DESC LIMIT 100"
    ))
    .bind(email.as_str())
    .bind(now.micros())
    .bind(user_id)
    .fetch_all(&mut *conn, |r| {
        Ok((from_row(r)?, r.try_get("group_key")?, r.try_get("group_name")?))
    })
    .await?;
    Ok(rows)
}

/// Deletes an invitation; `false` if it was already gone. Accepting deletes in the same
/// transaction as the membership is made, so of two concurrent uses only one succeeds.
pub async fn delete(conn: &mut Conn, id: InvitationId) -> Result<bool> {
    let done = query("DELETE FROM invitations WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns every unexpired invitation addressed to `email` into a membership of `user_id` (skipping
/// groups they are in, and archived ones) and deletes them. Returns how many memberships began.
pub async fn accept_all_for_address(
    conn: &mut Conn,
    email: &EmailAddress,
    user_id: UserId,
    now: Timestamp,
) -> Result<u64> {
    let joined = query(
        "INSERT INTO memberships (group_id, user_id, role, inviter_id, created_at) \
         SELECT i.group_id, $1, 'member', i.inviter_id, $2 FROM invitations i JOIN groups g ON g.id = i.group_id \
         WHERE i.email = $3 AND i.expires_at > $2 AND g.archived_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = i.group_id AND m.user_id = $1)",
    )
    .bind(user_id)
    .bind(now.micros())
    .bind(email.as_str())
    .execute(&mut *conn)
    .await?;
    query(
        "DELETE FROM invitations WHERE email = $1 AND expires_at > $2 \
         AND group_id IN (SELECT group_id FROM memberships WHERE user_id = $3)",
    )
    .bind(email.as_str())
    .bind(now.micros())
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(joined.rows_affected())
}

/// Deletes every invitation addressed to `email` (the account behind it is being deleted).
pub async fn delete_for_address(conn: &mut Conn, email: &EmailAddress) -> Result<u64> {
    let done = query("DELETE FROM invitations WHERE email = $1")
        .bind(email.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// Retention: expired invitations, and invitation counters older than yesterday.
pub async fn purge(conn: &mut Conn, now: Timestamp) -> Result<u64> {
    let invitations = query("DELETE FROM invitations WHERE expires_at <= $1")
        .bind(now.micros())
        .execute(&mut *conn)
        .await?;
    let counters = query("DELETE FROM invitation_quota WHERE day < $1")
        .bind(day_of(now) - 1)
        .execute(&mut *conn)
        .await?;
    Ok(invitations.rows_affected() + counters.rows_affected())
}

/// The UTC day number of a moment, the unit of the daily invitation quota.
pub fn day_of(now: Timestamp) -> i64 {
    now.micros().div_euclid(86_400_000_000)
}

/// Counts `n` invitation emails against the inviter's daily `limit`; `false` (and nothing
/// counted) if they would go over it. Safe under concurrency: the check and the count are one
/// statement.
pub async fn take_quota(conn: &mut Conn, user_id: UserId, now: Timestamp, n: i64, limit: i64) -> Result<bool> {
    let day = day_of(now);
    query("INSERT INTO invitation_quota (user_id, day, sent) VALUES ($1, $2, 0) ON CONFLICT (user_id, day) DO NOTHING")
        .bind(user_id)
        .bind(day)
        .execute(&mut *conn)
        .await?;
    let done =
        query("UPDATE invitation_quota SET sent = sent + $1 WHERE user_id = $2 AND day = $3 AND sent + $1 <= $4")
            .bind(n)
            .bind(user_id)
            .bind(day)
            .bind(limit)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}
