//! The `login_tokens` table: emailed one-time links (log in, verify address, reset password,
//! confirm a new address). Only hashes are stored; each row can be consumed once.

use weft_domain::{EmailAddress, Timestamp, TokenHash};

use crate::users::UserId;
use crate::{Conn, Result, Row, query};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    LogIn,
    VerifyEmail,
    ResetPassword,
    ChangeEmail,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LogIn => "log_in",
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
            Self::ChangeEmail => "change_email",
        }
    }
}

#[derive(Debug, Clone)]
pub struct LoginToken {
    pub id: i64,
    pub user_id: UserId,
    pub token_hash: TokenHash,
    pub code_hash: Option<TokenHash>,
    pub code_attempts: i64,
    pub new_email: Option<EmailAddress>,
    pub expires_at: Timestamp,
    /// A sign-up's verification link: the hash of the browser that signed up (its CSRF value).
    pub browser_hash: Option<TokenHash>,
}

fn from_row(r: &Row<'_>) -> Result<LoginToken> {
    Ok(LoginToken {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        token_hash: TokenHash::from_trusted(r.try_get("token_hash")?),
        code_hash: r
            .try_get::<Option<String>, _>("code_hash")?
            .map(TokenHash::from_trusted),
        code_attempts: r.try_get("code_attempts")?,
        new_email: r
            .try_get::<Option<String>, _>("new_email")?
            .map(EmailAddress::from_trusted),
        expires_at: Timestamp(r.try_get("expires_at")?),
        browser_hash: r
            .try_get::<Option<String>, _>("browser_hash")?
            .map(TokenHash::from_trusted),
    })
}

const COLUMNS: &str = "id, user_id, token_hash, code_hash, code_attempts, new_email, expires_at, browser_hash";

pub struct NewToken<'a> {
    pub user_id: UserId,
    pub purpose: Purpose,
    pub token_hash: &'a TokenHash,
    pub code_hash: Option<&'a TokenHash>,
    pub new_email: Option<&'a EmailAddress>,
    pub browser_hash: Option<&'a TokenHash>,
    pub now: Timestamp,
    pub expires_at: Timestamp,
}

/// Issues a token and invalidates the user's older unused tokens of the same purpose.
pub async fn issue(conn: &mut Conn, t: &NewToken<'_>) -> Result<i64> {
    query("UPDATE login_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL")
        .bind(t.now.micros())
        .bind(t.user_id)
        .bind(t.purpose.as_str())
        .execute(&mut *conn)
        .await?;
    let row = query(
        "INSERT INTO login_tokens (user_id, purpose, token_hash, code_hash, new_email, created_at, expires_at, browser_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(t.user_id)
    .bind(t.purpose.as_str())
    .bind(t.token_hash.as_str())
    .bind(t.code_hash.map(TokenHash::as_str))
    .bind(t.new_email.map(EmailAddress::as_str))
    .bind(t.now.micros())
    .bind(t.expires_at.micros())
    .bind(t.browser_hash.map(TokenHash::as_str))
    .fetch_one(&mut *conn, |r| r.try_get("id"))
        .await?;
    Ok(row)
}

/// A usable token with this hash and purpose (unused, unexpired), without consuming it.
pub async fn find_usable(
    conn: &mut Conn,
    purpose: Purpose,
    token_hash: &TokenHash,
    now: Timestamp,
) -> Result<Option<LoginToken>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM login_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3"
    );
    let row = query(sql)
        .bind(token_hash.as_str())
        .bind(purpose.as_str())
        .bind(now.micros())
        .fetch_optional(&mut *conn, from_row)
        .await?;
    Ok(row)
}

/// The user's newest usable log-in token, for checking a typed code.
pub async fn latest_usable(
    conn: &mut Conn,
    user_id: UserId,
    purpose: Purpose,
    now: Timestamp,
) -> Result<Option<LoginToken>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM login_tokens WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 \
         ORDER BY id DESC LIMIT 1"
    );
    let row = query(sql)
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(now.micros())
        .fetch_optional(&mut *conn, from_row)
        .await?;
    Ok(row)
}

/// Marks the token used. Exactly one of several concurrent callers gets `true`: the `used_at IS
/// NULL` condition is checked and set in one statement.
pub async fn consume(conn: &mut Conn, id: i64, now: Timestamp) -> Result<bool> {
    let done = query("UPDATE login_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND expires_at > $1")
        .bind(now.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Counts a wrong code; after `max` wrong codes the token stops working.
pub async fn record_wrong_code(conn: &mut Conn, id: i64, max: i64, now: Timestamp) -> Result<()> {
    query(
        "UPDATE login_tokens SET code_attempts = code_attempts + 1, \
         used_at = CASE WHEN code_attempts + 1 >= $1 THEN $2 ELSE used_at END WHERE id = $3",
    )
    .bind(max)
    .bind(now.micros())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// P20: used and expired tokens are deleted.
pub async fn purge(conn: &mut Conn, now: Timestamp) -> Result<u64> {
    let done = query("DELETE FROM login_tokens WHERE used_at IS NOT NULL OR expires_at <= $1")
        .bind(now.micros())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// Voids every unused link of the user (any purpose): an address proven for the first time
/// drops what was issued before the proof.
pub async fn void_all(conn: &mut Conn, user_id: UserId, except: i64, now: Timestamp) -> Result<u64> {
    let done = query("UPDATE login_tokens SET used_at = $1 WHERE user_id = $2 AND id <> $3 AND used_at IS NULL")
        .bind(now.micros())
        .bind(user_id)
        .bind(except)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
