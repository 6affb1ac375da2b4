//! The `sessions` table: one row per signed-in browser, found by the hash of its cookie.

use weft_domain::{MaskedIp, Timestamp, TokenHash};

use crate::users::{self, User, UserId};
use crate::{Conn, Result, Row, flag, query};

#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub authenticated_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
    pub browser: String,
    pub ip_masked: String,
}

fn from_row(r: &Row<'_>) -> Result<Session> {
    Ok(Session {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        created_at: Timestamp(r.try_get("created_at")?),
        authenticated_at: Timestamp(r.try_get("authenticated_at")?),
        last_seen_at: Timestamp(r.try_get("last_seen_at")?),
        expires_at: Timestamp(r.try_get("expires_at")?),
        browser: r.try_get("browser")?,
        ip_masked: r.try_get("ip_masked")?,
    })
}

const COLUMNS: &str = "id, user_id, created_at, authenticated_at, last_seen_at, expires_at, browser, ip_masked";

pub struct NewSession<'a> {
    pub token_hash: &'a TokenHash,
    pub user_id: UserId,
    pub now: Timestamp,
    pub expires_at: Timestamp,
    pub browser: &'a str,
    pub ip: MaskedIp,
}

pub async fn insert(conn: &mut Conn, s: &NewSession<'_>) -> Result<i64> {
    let row = query(
        "INSERT INTO sessions (token_hash, user_id, created_at, authenticated_at, last_seen_at, expires_at, browser, ip_masked) \
         VALUES ($1, $2, $3, $3, $3, $4, $5, $6) RETURNING id",
    )
    .bind(s.token_hash.as_str())
    .bind(s.user_id)
    .bind(s.now.micros())
    .bind(s.expires_at.micros())
    .bind(s.browser)
    .bind(s.ip.to_string())
    .fetch_one(&mut *conn, |r| r.try_get("id"))
        .await?;
    Ok(row)
}

/// A live session with its person.
#[derive(Debug, Clone)]
pub struct Live {
    pub session: Session,
    pub user: User,
    /// A policy version was published that the person has not seen (`policies::unseen` says
    /// which): the page then shows a notice.
    pub policy_unseen: bool,
}

/// The live session for a cookie (not past its absolute expiry, not idle since `idle_since`)
/// together with its person and whether a policy notice is due, in one statement: every
/// signed-in request starts here.
pub async fn find_live_with_user(
    conn: &mut Conn,
    token_hash: &TokenHash,
    now: Timestamp,
    idle_since: Timestamp,
) -> Result<Option<Live>> {
    let sql = format!(
        "SELECT {}, s.id AS session_id, s.created_at AS session_created_at, s.authenticated_at, s.last_seen_at, \
         s.expires_at, s.browser, s.ip_masked, \
         CASE WHEN EXISTS (SELECT 1 FROM policies p WHERE p.version > \
         COALESCE((SELECT a.version FROM policy_acks a WHERE a.user_id = u.id AND a.kind = p.kind), 1)) \
         THEN 1 ELSE 0 END AS policy_unseen \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3",
        users::U_COLUMNS
    );
    let row = query(sql)
        .bind(token_hash.as_str())
        .bind(now.micros())
        .bind(idle_since.micros())
        .fetch_optional(&mut *conn, |r| {
            let user = users::from_row(r)?;
            let session = Session {
                id: r.try_get("session_id")?,
                user_id: user.id,
                created_at: Timestamp(r.try_get("session_created_at")?),
                authenticated_at: Timestamp(r.try_get("authenticated_at")?),
                last_seen_at: Timestamp(r.try_get("last_seen_at")?),
                expires_at: Timestamp(r.try_get("expires_at")?),
                browser: r.try_get("browser")?,
                ip_masked: r.try_get("ip_masked")?,
            };
            Ok(Live {
                session,
                user,
                policy_unseen: flag(r.try_get("policy_unseen")?),
            })
        })
        .await?;
    Ok(row)
}

pub async fn touch(conn: &mut Conn, id: i64, now: Timestamp, ip: MaskedIp) -> Result<()> {
    query("UPDATE sessions SET last_seen_at = $1, ip_masked = $2 WHERE id = $3")
        .bind(now.micros())
        .bind(ip.to_string())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn list_for_user(
    conn: &mut Conn,
    user_id: UserId,
    now: Timestamp,
    idle_since: Timestamp,
) -> Result<Vec<Session>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sessions WHERE user_id = $1 AND expires_at > $2 AND last_seen_at > $3 \
         ORDER BY last_seen_at DESC, id DESC"
    );
    let rows = query(sql)
        .bind(user_id)
        .bind(now.micros())
        .bind(idle_since.micros())
        .fetch_all(&mut *conn, from_row)
        .await?;
    Ok(rows)
}

pub async fn delete_by_hash(conn: &mut Conn, token_hash: &TokenHash) -> Result<()> {
    query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends one of a user's sessions; `false` if it was not theirs or no longer exists.
pub async fn delete_for_user(conn: &mut Conn, user_id: UserId, session_id: i64) -> Result<bool> {
    let done = query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
        .bind(session_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends every session of a user, except `keep` if given.
pub async fn delete_all_for_user(conn: &mut Conn, user_id: UserId, keep: Option<i64>) -> Result<u64> {
    let done = query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or(-1))
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// P20: sessions past their absolute or idle expiry are deleted.
pub async fn purge_expired(conn: &mut Conn, now: Timestamp, idle_since: Timestamp) -> Result<u64> {
    let done = query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now.micros())
        .bind(idle_since.micros())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
