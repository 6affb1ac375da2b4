//! The `security_log` table (P20): off unless the operator switches it on; the one table that
//! holds raw IP addresses, kept seven days.

use weft_domain::Timestamp;

use crate::users::UserId;
use crate::{Conn, Result, query};

#[derive(Debug, Clone)]
pub struct Entry {
    pub at: Timestamp,
    pub event: String,
    pub user_key: Option<String>,
    pub ip: String,
}

pub async fn insert(conn: &mut Conn, at: Timestamp, event: &str, user_id: Option<UserId>, ip: &str) -> Result<()> {
    query("INSERT INTO security_log (at, event, user_id, ip) VALUES ($1, $2, $3, $4)")
        .bind(at.0)
        .bind(event)
        .bind(user_id)
        .bind(ip)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The newest entries, for the instance admins.
pub async fn recent(conn: &mut Conn, limit: i64) -> Result<Vec<Entry>> {
    let rows = query(
        "SELECT s.at, s.event, u.key AS user_key, s.ip FROM security_log s LEFT JOIN users u ON u.id = s.user_id \
         ORDER BY s.at DESC, s.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *conn, |r| {
        Ok(Entry {
            at: Timestamp(r.try_get("at")?),
            event: r.try_get("event")?,
            user_key: r.try_get("user_key")?,
            ip: r.try_get("ip")?,
        })
    })
    .await?;
    Ok(rows)
}

/// Retention: entries older than `before` go.
pub async fn purge(conn: &mut Conn, before: Timestamp) -> Result<u64> {
    let done = query("DELETE FROM security_log WHERE at < $1")
        .bind(before.0)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
