//! The `thread_guests` and `guest_invitations` tables: people taking part in one thread without
//! being members of its group, and the invitations that bring them in.

use weft_domain::{EmailAddress, Timestamp, TokenHash};

use crate::threads::ThreadId;
use crate::users::UserId;
use crate::{Conn, Result, query};

pub async fn is_guest(conn: &mut Conn, thread_id: ThreadId, user_id: UserId) -> Result<bool> {
    let row = query("SELECT COUNT(*) AS n FROM thread_guests WHERE thread_id = $1 AND user_id = $2")
        .bind(thread_id)
        .bind(user_id)
        .fetch_one(&mut *conn, |r| r.try_get::<i64, _>("n"))
        .await?;
    Ok(row > 0)
}

/// Makes `user_id` a guest of the thread; being one already is fine.
pub async fn add(
    conn: &mut Conn,
    thread_id: ThreadId,
    user_id: UserId,
    inviter: Option<UserId>,
    now: Timestamp,
) -> Result<()> {
    query(
        "INSERT INTO thread_guests (thread_id, user_id, inviter_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (thread_id, user_id) DO NOTHING",
    )
    .bind(thread_id)
    .bind(user_id)
    .bind(inviter)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn remove(conn: &mut Conn, thread_id: ThreadId, user_id: UserId) -> Result<bool> {
    let done = query("DELETE FROM thread_guests WHERE thread_id = $1 AND user_id = $2")
        .bind(thread_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A thread's guests, active accounts named first.
/// A thread's guest. Name and username only while the account is active (P9).
#[derive(Debug, Clone)]
pub struct Guest {
    pub user_key: String,
    pub name: Option<String>,
    pub username: Option<String>,
}

pub async fn list(conn: &mut Conn, thread_id: ThreadId) -> Result<Vec<Guest>> {
    let rows = query(
        "SELECT u.key, CASE WHEN u.state = 'active' THEN u.name END AS name, \
         CASE WHEN u.state = 'active' THEN u.username END AS username FROM thread_guests g JOIN users u ON u.id = g.user_id \
         WHERE g.thread_id = $1 ORDER BY CASE WHEN u.state = 'active' THEN 0 ELSE 1 END, \
         CASE WHEN u.state = 'active' THEN u.name ELSE '' END, u.id LIMIT 500",
    )
    .bind(thread_id)
    .fetch_all(&mut *conn, |r| {
            Ok(Guest {
                user_key: r.try_get("key")?,
                name: r.try_get("name")?,
                username: r.try_get("username")?,
            })
        })
        .await?;
    Ok(rows)
}

// ---- invitations into a thread ----

#[derive(Debug, Clone)]
pub struct GuestInvitation {
    pub id: i64,
    pub thread_id: ThreadId,
    pub email: EmailAddress,
    pub message: String,
    pub inviter_id: Option<UserId>,
    pub inviter_name: Option<String>,
    pub expires_at: Timestamp,
}

/// Creates or renews (new token, new expiry) the invitation of `email` into the thread.
#[allow(clippy::too_many_arguments)]
pub async fn invite(
    conn: &mut Conn,
    thread_id: ThreadId,
    email: &EmailAddress,
    token_hash: &TokenHash,
    message: &str,
    inviter: UserId,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<()> {
    query(
        "INSERT INTO guest_invitations (thread_id, email, token_hash, message, inviter_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (thread_id, email) DO UPDATE SET \
         token_hash = excluded.token_hash, message = excluded.message, inviter_id = excluded.inviter_id, \
         expires_at = excluded.expires_at",
    )
    .bind(thread_id)
    .bind(email.as_str())
    .bind(token_hash.as_str())
    .bind(message)
    .bind(inviter)
    .bind(now.micros())
    .bind(expires_at.micros())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn find_by_token(conn: &mut Conn, token_hash: &TokenHash, now: Timestamp) -> Result<Option<GuestInvitation>> {
    query(
        "SELECT i.id, i.thread_id, i.email, i.message, i.inviter_id, CASE WHEN u.state = 'active' THEN u.name END AS inviter_name, i.expires_at \
         FROM guest_invitations i LEFT JOIN users u ON u.id = i.inviter_id WHERE i.token_hash = $1 AND i.expires_at > $2",
    )
    .bind(token_hash.as_str())
    .bind(now.micros())
    .fetch_optional(&mut *conn, |r| {
        Ok(GuestInvitation {
            id: r.try_get("id")?,
            thread_id: r.try_get("thread_id")?,
            email: EmailAddress::from_trusted(r.try_get("email")?),
            message: r.try_get("message")?,
            inviter_id: r.try_get("inviter_id")?,
            inviter_name: r.try_get("inviter_name")?,
            expires_at: Timestamp(r.try_get("expires_at")?),
        })
    })
    .await
}

/// Deletes an invitation; `false` if it was already gone (used, so single use holds).
pub async fn delete_invitation(conn: &mut Conn, id: i64) -> Result<bool> {
    let done = query("DELETE FROM guest_invitations WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns every unexpired guest invitation to `email` into guest access for `user_id`.
pub async fn accept_all_for_address(
    conn: &mut Conn,
    email: &EmailAddress,
    user_id: UserId,
    now: Timestamp,
) -> Result<u64> {
    let added = query(
        "INSERT INTO thread_guests (thread_id, user_id, inviter_id, created_at) \
         SELECT i.thread_id, $1, i.inviter_id, $2 FROM guest_invitations i WHERE i.email = $3 AND i.expires_at > $2 \
         ON CONFLICT (thread_id, user_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(now.micros())
    .bind(email.as_str())
    .execute(&mut *conn)
    .await?;
    query("DELETE FROM guest_invitations WHERE email = $1")
        .bind(email.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(added.rows_affected())
}

pub async fn purge(conn: &mut Conn, now: Timestamp) -> Result<u64> {
    let done = query("DELETE FROM guest_invitations WHERE expires_at <= $1")
        .bind(now.micros())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// Every guest invitation to this address (its account is being deleted).
pub async fn delete_invitations_for_address(conn: &mut Conn, email: &EmailAddress) -> Result<u64> {
    let done = query("DELETE FROM guest_invitations WHERE email = $1")
        .bind(email.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
