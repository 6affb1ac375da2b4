//! The `users` table: accounts and their profile.

use weft_domain::{DisplayName, EmailAddress, PasswordHash, Timestamp, UserState, Username};

use crate::{Conn, Result, Row, flag, query};

pub use crate::ids::UserId;

#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub key: String,
    pub name: String,
    pub username: Username,
    pub email: EmailAddress,
    pub password_hash: Option<PasswordHash>,
    pub email_verified_at: Option<Timestamp>,
    pub is_admin: bool,
    pub state: UserState,
    pub emails_unsubscribed_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// The IANA zone the person reads times in; `None` until they (or their browser) say.
    pub time_zone: Option<String>,
    /// A few words on their profile page ("" when none).
    pub bio: String,
}

impl User {
    pub fn is_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }
}

const COLUMNS: &str = "id, key, name, username, email, password_hash, email_verified_at, is_admin, state, \
                       emails_unsubscribed_at, created_at, time_zone, bio";
/// `COLUMNS` of the `users` table aliased `u`, for joins that read a whole user (`from_row`).
pub(crate) const U_COLUMNS: &str = "u.id, u.key, u.name, u.username, u.email, u.password_hash, u.email_verified_at, \
                       u.is_admin, u.state, u.emails_unsubscribed_at, u.created_at, u.time_zone, u.bio";

pub(crate) fn from_row(r: &Row<'_>) -> Result<User> {
    Ok(User {
        id: r.try_get("id")?,
        key: r.try_get("key")?,
        name: r.try_get("name")?,
        username: Username::from_trusted(r.try_get("username")?),
        email: EmailAddress::from_trusted(r.try_get("email")?),
        password_hash: r
            .try_get::<Option<String>, _>("password_hash")?
            .map(PasswordHash::from_trusted),
        email_verified_at: r.try_get::<Option<i64>, _>("email_verified_at")?.map(Timestamp),
        is_admin: flag(r.try_get("is_admin")?),
        state: UserState::from_stored(&r.try_get::<String, _>("state")?)?,
        emails_unsubscribed_at: r.try_get::<Option<i64>, _>("emails_unsubscribed_at")?.map(Timestamp),
        created_at: Timestamp(r.try_get("created_at")?),
        time_zone: r.try_get("time_zone")?,
        bio: r.try_get("bio")?,
    })
}

/// Sets the profile's few words ("" for none).
pub async fn set_bio(conn: &mut Conn, id: UserId, bio: &str, now: Timestamp) -> Result<()> {
    query("UPDATE users SET bio = $1, updated_at = $2 WHERE id = $3")
        .bind(bio)
        .bind(now.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Sets (or, with `None`, forgets) the zone the person reads times in.
pub async fn set_time_zone(conn: &mut Conn, id: UserId, zone: Option<&str>, now: Timestamp) -> Result<()> {
    query("UPDATE users SET time_zone = $1, updated_at = $2 WHERE id = $3")
        .bind(zone)
        .bind(now.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub struct NewUser<'a> {
    pub key: &'a str,
    pub name: &'a DisplayName,
    pub username: &'a str,
    pub email: &'a EmailAddress,
    pub password_hash: Option<&'a PasswordHash>,
    pub email_verified_at: Option<Timestamp>,
    pub is_admin: bool,
    pub now: Timestamp,
}

/// Inserts a user; `StoreError::Conflict` when the email, username or key is taken.
pub async fn insert(conn: &mut Conn, u: &NewUser<'_>) -> Result<UserId> {
    let row = query(
        "INSERT INTO users (key, name, username, email, password_hash, email_verified_at, is_admin, state, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $8) RETURNING id",
    )
    .bind(u.key)
    .bind(u.name.as_str())
    .bind(u.username)
    .bind(u.email.as_str())
    .bind(u.password_hash.map(PasswordHash::as_str))
    .bind(u.email_verified_at.map(Timestamp::micros))
    .bind(i64::from(u.is_admin))
    .bind(u.now.micros())
    .fetch_one(&mut *conn, |r| r.try_get("id"))
        .await?;
    Ok(row)
}

pub async fn find(conn: &mut Conn, id: UserId) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    let row = query(sql).bind(id).fetch_optional(&mut *conn, from_row).await?;
    Ok(row)
}

pub async fn find_by_email(conn: &mut Conn, email: &EmailAddress) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
    let row = query(sql)
        .bind(email.as_str())
        .fetch_optional(&mut *conn, from_row)
        .await?;
    Ok(row)
}

pub async fn find_by_username(conn: &mut Conn, username: &str) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE username = $1");
    let row = query(sql).bind(username).fetch_optional(&mut *conn, from_row).await?;
    Ok(row)
}

pub async fn username_taken(conn: &mut Conn, username: &str) -> Result<bool> {
    let row = query("SELECT COUNT(*) AS n FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&mut *conn, |r| r.try_get::<i64, _>("n"))
        .await?;
    Ok(row > 0)
}

pub async fn count(conn: &mut Conn) -> Result<i64> {
    let row = query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(&mut *conn, |r| r.try_get("n"))
        .await?;
    Ok(row)
}

pub async fn mark_verified(conn: &mut Conn, id: UserId, now: Timestamp) -> Result<()> {
    query("UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1), updated_at = $1 WHERE id = $2")
        .bind(now.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The account has no password any more (log in by emailed link until one is set).
pub async fn clear_password(conn: &mut Conn, id: UserId, now: Timestamp) -> Result<()> {
    query("UPDATE users SET password_hash = NULL, updated_at = $1 WHERE id = $2")
        .bind(now.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A sign-up on an address nobody has proven starts over: the new name, username and password
/// replace what the earlier sign-up set.
pub async fn restart_unverified(
    conn: &mut Conn,
    id: UserId,
    name: &DisplayName,
    username: &str,
    hash: &PasswordHash,
    now: Timestamp,
) -> Result<bool> {
    let done = query(
        "UPDATE users SET name = $1, username = $2, password_hash = $3, updated_at = $4 \
         WHERE id = $5 AND email_verified_at IS NULL",
    )
    .bind(name.as_str())
    .bind(username)
    .bind(hash.as_str())
    .bind(now.micros())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_password_hash(conn: &mut Conn, id: UserId, hash: &PasswordHash, now: Timestamp) -> Result<()> {
    query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash.as_str())
        .bind(now.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_name(conn: &mut Conn, id: UserId, name: &DisplayName, now: Timestamp) -> Result<()> {
    query("UPDATE users SET name = $1, updated_at = $2 WHERE id = $3")
        .bind(name.as_str())
        .bind(now.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// `StoreError::Conflict` when another account has the username.
pub async fn set_username(conn: &mut Conn, id: UserId, username: &Username, now: Timestamp) -> Result<()> {
    query("UPDATE users SET username = $1, updated_at = $2 WHERE id = $3")
        .bind(username.as_str())
        .bind(now.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// `StoreError::Conflict` when another account has the address.
pub async fn set_email(conn: &mut Conn, id: UserId, email: &EmailAddress, now: Timestamp) -> Result<()> {
    query("UPDATE users SET email = $1, email_verified_at = $2, updated_at = $2 WHERE id = $3")
        .bind(email.as_str())
        .bind(now.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_admin(conn: &mut Conn, id: UserId, is_admin: bool, now: Timestamp) -> Result<()> {
    query("UPDATE users SET is_admin = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(is_admin))
        .bind(now.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_unsubscribed(conn: &mut Conn, id: UserId, at: Option<Timestamp>) -> Result<()> {
    query("UPDATE users SET emails_unsubscribed_at = $1 WHERE id = $2")
        .bind(at.map(Timestamp::micros))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// P20: accounts whose address was never confirmed are removed after the retention period.
pub async fn purge_unverified(conn: &mut Conn, created_before: Timestamp) -> Result<u64> {
    let done = query("DELETE FROM users WHERE email_verified_at IS NULL AND created_at < $1")
        .bind(created_before.micros())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

pub async fn find_by_key(conn: &mut Conn, key: &str) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE key = $1");
    let row = query(sql).bind(key).fetch_optional(&mut *conn, from_row).await?;
    Ok(row)
}

pub async fn set_state(conn: &mut Conn, id: UserId, state: UserState, now: Timestamp) -> Result<()> {
    query("UPDATE users SET state = $1, updated_at = $2 WHERE id = $3")
        .bind(state.as_str())
        .bind(now.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deletes the account row. Personal rows go with it (foreign keys cascade); content they wrote
/// stays with its author set to NULL ("a deleted member").
pub async fn delete(conn: &mut Conn, id: UserId) -> Result<()> {
    query("DELETE FROM users WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Every active account, for announcements (a policy change).
pub async fn all_active(conn: &mut Conn) -> Result<Vec<User>> {
    let sql =
        format!("SELECT {COLUMNS} FROM users WHERE state = 'active' AND email_verified_at IS NOT NULL ORDER BY id");
    query(sql).fetch_all(&mut *conn, from_row).await
}

/// The instance administrators whose accounts are active.
pub async fn instance_admins(conn: &mut Conn) -> Result<Vec<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE is_admin = 1 AND state = 'active' ORDER BY id LIMIT 100");
    query(sql).fetch_all(&mut *conn, from_row).await
}
