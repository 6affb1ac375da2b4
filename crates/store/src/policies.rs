//! The `policies` and `policy_acks` tables: published versions of the privacy policy and terms,
//! and which version each person has seen (P19).

use weft_domain::Timestamp;

use crate::users::UserId;
use crate::{Conn, Result, Row, query};

#[derive(Debug, Clone)]
pub struct Policy {
    pub kind: String,
    pub version: i64,
    pub body: String,
    pub summary: String,
    pub published_at: Timestamp,
}

fn from_row(r: &Row<'_>) -> Result<Policy> {
    Ok(Policy {
        kind: r.try_get("kind")?,
        version: r.try_get("version")?,
        body: r.try_get("body")?,
        summary: r.try_get("summary")?,
        published_at: Timestamp(r.try_get("published_at")?),
    })
}

/// Every published version of one kind, newest first.
pub async fn versions(conn: &mut Conn, kind: &str) -> Result<Vec<Policy>> {
    let rows = query(
        "SELECT kind, version, body, summary, published_at FROM policies WHERE kind = $1 ORDER BY version DESC LIMIT 500",
    )
    .bind(kind)
    .fetch_all(&mut *conn, from_row)
        .await?;
    Ok(rows)
}

/// Publishes the next version (`version` is what the caller read as the latest plus one;
/// `StoreError::Conflict` if someone published meanwhile).
pub async fn publish(
    conn: &mut Conn,
    kind: &str,
    version: i64,
    body: &str,
    summary: &str,
    by: UserId,
    now: Timestamp,
) -> Result<()> {
    query(
        "INSERT INTO policies (kind, version, body, summary, published_by, published_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(kind)
    .bind(version)
    .bind(body)
    .bind(summary)
    .bind(by)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The newest published version the person has not seen yet (of any kind), if any. One
/// statement; the version shipped with Weft (1) counts as seen.
pub async fn unseen(conn: &mut Conn, user_id: UserId) -> Result<Option<Policy>> {
    let row = query(
        "SELECT p.kind, p.version, p.body, p.summary, p.published_at FROM policies p \
         WHERE p.version = (SELECT MAX(q.version) FROM policies q WHERE q.kind = p.kind) \
         AND p.version > COALESCE((SELECT a.version FROM policy_acks a WHERE a.user_id = $1 AND a.kind = p.kind), 1) \
         ORDER BY p.published_at DESC LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn, from_row)
    .await?;
    Ok(row)
}

/// Records that the person has seen the latest version of every published kind.
pub async fn ack_latest(conn: &mut Conn, user_id: UserId, now: Timestamp) -> Result<()> {
    query(
        "INSERT INTO policy_acks (user_id, kind, version, seen_at) \
         SELECT $1, kind, MAX(version), $2 FROM policies WHERE kind <> '' GROUP BY kind \
         ON CONFLICT (user_id, kind) DO UPDATE SET version = excluded.version, seen_at = excluded.seen_at",
    )
    .bind(user_id)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
