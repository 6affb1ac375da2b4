//! `poll_voters` and `poll_invitations`: who a poll that names its voters lets vote, and the
//! invitations by email that bring someone in who is not a member.

use weft_domain::{EmailAddress, Timestamp, TokenHash};

use super::PollId;
use crate::users::UserId;
use crate::{Conn, Result, query};

/// Names `user_id` among the poll's voters; named already is fine.
pub async fn name_voter(conn: &mut Conn, poll_id: PollId, user_id: UserId) -> Result<()> {
    query("INSERT INTO poll_voters (poll_id, user_id) VALUES ($1, $2) ON CONFLICT (poll_id, user_id) DO NOTHING")
        .bind(poll_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Everyone the poll names, by id, in order (for a search).
pub async fn named_voters(conn: &mut Conn, poll_id: PollId) -> Result<Vec<UserId>> {
    query("SELECT user_id FROM poll_voters WHERE poll_id = $1 ORDER BY user_id")
        .bind(poll_id)
        .fetch_all(&mut *conn, |r| r.try_get("user_id"))
        .await
}

#[derive(Debug, Clone)]
pub struct PollInvitation {
    pub id: i64,
    pub poll_id: PollId,
    pub email: EmailAddress,
    pub inviter_id: Option<UserId>,
    pub inviter_name: Option<String>,
    pub expires_at: Timestamp,
}

/// Creates or renews (new token, new expiry) the invitation of `email` to vote in the poll.
pub async fn invite_voter(
    conn: &mut Conn,
    poll_id: PollId,
    email: &EmailAddress,
    token_hash: &TokenHash,
    inviter: UserId,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<()> {
    query(
        "INSERT INTO poll_invitations (poll_id, email, token_hash, inviter_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (poll_id, email) DO UPDATE SET \
         token_hash = excluded.token_hash, inviter_id = excluded.inviter_id, expires_at = excluded.expires_at",
    )
    .bind(poll_id)
    .bind(email.as_str())
    .bind(token_hash.as_str())
    .bind(inviter)
    .bind(now.micros())
    .bind(expires_at.micros())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The unexpired invitation behind a token.
pub async fn find_invitation(
    conn: &mut Conn,
    token_hash: &TokenHash,
    now: Timestamp,
) -> Result<Option<PollInvitation>> {
    query(
        "SELECT i.id, i.poll_id, i.email, i.inviter_id, CASE WHEN u.state = 'active' THEN u.name END AS inviter_name, \
         i.expires_at FROM poll_invitations i LEFT JOIN users u ON u.id = i.inviter_id \
         WHERE i.token_hash = $1 AND i.expires_at > $2",
    )
    .bind(token_hash.as_str())
    .bind(now.micros())
    .fetch_optional(&mut *conn, |r| {
        Ok(PollInvitation {
            id: r.try_get("id")?,
            poll_id: r.try_get("poll_id")?,
            email: EmailAddress::from_trusted(r.try_get("email")?),
            inviter_id: r.try_get("inviter_id")?,
            inviter_name: r.try_get("inviter_name")?,
            expires_at: Timestamp(r.try_get("expires_at")?),
        })
    })
    .await
}

/// Deletes an invitation; `false` if it was already gone (used: single use holds).
pub async fn delete_invitation(conn: &mut Conn, id: i64) -> Result<bool> {
    let done = query("DELETE FROM poll_invitations WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns every unexpired invitation to `email` into a named vote for `user_id` (and guest access
/// to the thread of a poll in a thread), once the address is confirmed as theirs.
pub async fn accept_all_for_address(
    conn: &mut Conn,
    email: &EmailAddress,
    user_id: UserId,
    now: Timestamp,
) -> Result<u64> {
    query(
        "INSERT INTO thread_guests (thread_id, user_id, inviter_id, created_at) \
         SELECT p.thread_id, $1, i.inviter_id, $2 FROM poll_invitations i JOIN polls p ON p.id = i.poll_id \
         WHERE i.email = $3 AND i.expires_at > $2 AND p.thread_id IS NOT NULL \
         ON CONFLICT (thread_id, user_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(now.micros())
    .bind(email.as_str())
    .execute(&mut *conn)
    .await?;
    let named = query(
        "INSERT INTO poll_voters (poll_id, user_id) SELECT i.poll_id, $1 FROM poll_invitations i \
         WHERE i.email = $3 AND i.expires_at > $2 ON CONFLICT (poll_id, user_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(now.micros())
    .bind(email.as_str())
    .execute(&mut *conn)
    .await?;
    query("DELETE FROM poll_invitations WHERE email = $1")
        .bind(email.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(named.rows_affected())
}

/// Deletes expired invitations (the retention purge).
pub async fn purge_invitations(conn: &mut Conn, now: Timestamp) -> Result<u64> {
    let done = query("DELETE FROM poll_invitations WHERE expires_at <= $1")
        .bind(now.micros())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// Every poll invitation to this address (its account is being deleted).
pub async fn delete_invitations_for_address(conn: &mut Conn, email: &EmailAddress) -> Result<u64> {
    let done = query("DELETE FROM poll_invitations WHERE email = $1")
        .bind(email.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
