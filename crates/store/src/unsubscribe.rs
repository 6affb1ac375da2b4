//! The `unsubscribe_tokens` table: the secret behind one-click unsubscribe links sent before links
//! were signed (issue 20; read until they expire, then purged), and the address tokens of
//! invitations to people without an account (P15).

use weft_domain::{Timestamp, TokenHash};

use crate::users::UserId;
use crate::{Conn, Result, query};

/// The user an unexpired unsubscribe token belongs to.
pub async fn user_for(conn: &mut Conn, token_hash: &TokenHash, now: Timestamp) -> Result<Option<UserId>> {
    let row = query("SELECT user_id FROM unsubscribe_tokens WHERE token_hash = $1 AND expires_at > $2")
        .bind(token_hash.as_str())
        .bind(now.micros())
        .fetch_optional(&mut *conn, |r| r.try_get("user_id"))
        .await?;
    Ok(row)
}

pub async fn purge(conn: &mut Conn, now: Timestamp) -> Result<u64> {
    let done = query("DELETE FROM unsubscribe_tokens WHERE expires_at <= $1")
        .bind(now.micros())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

// ---- addresses without an account (invitation emails) ----

/// An unsubscribe link for an address that has no account, known here only by its fingerprint.
pub async fn insert_for_address(
    conn: &mut Conn,
    token_hash: &TokenHash,
    address: &TokenHash,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<()> {
    query(
        "INSERT INTO address_unsubscribe_tokens (token_hash, address_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash.as_str())
    .bind(address.as_str())
    .bind(now.micros())
    .bind(expires_at.micros())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The address fingerprint an unexpired address unsubscribe token belongs to.
pub async fn address_for(conn: &mut Conn, token_hash: &TokenHash, now: Timestamp) -> Result<Option<TokenHash>> {
    let row = query("SELECT address_hash FROM address_unsubscribe_tokens WHERE token_hash = $1 AND expires_at > $2")
        .bind(token_hash.as_str())
        .bind(now.micros())
        .fetch_optional(&mut *conn, |r| r.try_get::<String, _>("address_hash"))
        .await?;
    Ok(row.map(TokenHash::from_trusted))
}

/// Remembers that an address wants no more invitations. Saying it twice is fine.
pub async fn suppress(conn: &mut Conn, address: &TokenHash, now: Timestamp) -> Result<()> {
    query("INSERT INTO email_suppressions (address_hash, created_at) VALUES ($1, $2) ON CONFLICT (address_hash) DO NOTHING")
        .bind(address.as_str())
        .bind(now.micros())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn is_suppressed(conn: &mut Conn, address: &TokenHash) -> Result<bool> {
    let row = query("SELECT COUNT(*) AS n FROM email_suppressions WHERE address_hash = $1")
        .bind(address.as_str())
        .fetch_one(&mut *conn, |r| r.try_get::<i64, _>("n"))
        .await?;
    Ok(row > 0)
}

pub async fn purge_address_tokens(conn: &mut Conn, now: Timestamp) -> Result<u64> {
    let done = query("DELETE FROM address_unsubscribe_tokens WHERE expires_at <= $1")
        .bind(now.micros())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
