//! The `data_exports` table (P8): personal-data archives built in the background for large
//! accounts. The archive is kept in the database, so any instance can serve it, until it expires.

use weft_domain::exports::ExportState;
use weft_domain::{Timestamp, TokenHash};

use crate::users::UserId;
use crate::{Conn, Result, Row, query};

#[derive(Debug, Clone)]
pub struct DataExport {
    pub id: i64,
    pub user_id: UserId,
    pub state: ExportState,
    pub done_steps: i64,
    pub total_steps: i64,
    pub size_bytes: Option<i64>,
    pub created_at: Timestamp,
    pub ready_at: Option<Timestamp>,
    pub expires_at: Timestamp,
}

const COLUMNS: &str = "id, user_id, state, done_steps, total_steps, size_bytes, created_at, ready_at, expires_at";

fn from_row(r: &Row<'_>) -> Result<DataExport> {
    Ok(DataExport {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        state: ExportState::from_stored(&r.try_get::<String, _>("state")?)?,
        done_steps: r.try_get("done_steps")?,
        total_steps: r.try_get("total_steps")?,
        size_bytes: r.try_get("size_bytes")?,
        created_at: Timestamp(r.try_get("created_at")?),
        ready_at: r.try_get::<Option<i64>, _>("ready_at")?.map(Timestamp),
        expires_at: Timestamp(r.try_get("expires_at")?),
    })
}

/// Queues an export, unless one is already pending or building for this person (then that one).
pub async fn request(
    conn: &mut Conn,
    user_id: UserId,
    total_steps: i64,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<i64> {
    if let Some(row) = query(
        "SELECT id FROM data_exports WHERE user_id = $1 AND state IN ('pending', 'building') ORDER BY id DESC LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn, |r| r.try_get::<i64, _>(0))
    .await?
    {
        return Ok(row);
    }
    let row = query(
        "INSERT INTO data_exports (user_id, total_steps, created_at, expires_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(total_steps)
    .bind(now.0)
    .bind(expires_at.0)
    .fetch_one(&mut *conn, |r| r.try_get(0))
    .await?;
    Ok(row)
}

/// The person's most recent export that has not expired.
pub async fn latest(conn: &mut Conn, user_id: UserId, now: Timestamp) -> Result<Option<DataExport>> {
    let row = query(format!(
        "SELECT {COLUMNS} FROM data_exports WHERE user_id = $1 AND expires_at > $2 ORDER BY id DESC LIMIT 1"
    ))
    .bind(user_id)
    .bind(now.0)
    .fetch_optional(&mut *conn, from_row)
    .await?;
    Ok(row)
}

/// The export behind a job starts building; `None` when it is gone (expired, its account deleted)
/// or already finished.
pub async fn start(conn: &mut Conn, id: i64) -> Result<Option<DataExport>> {
    let row = query(format!(
        "UPDATE data_exports SET state = 'building' WHERE id = $1 AND state IN ('pending', 'building') \
         RETURNING {COLUMNS}"
    ))
    .bind(id)
    .fetch_optional(&mut *conn, from_row)
    .await?;
    Ok(row)
}

pub async fn progress(conn: &mut Conn, id: i64, done_steps: i64) -> Result<()> {
    query("UPDATE data_exports SET done_steps = $1 WHERE id = $2")
        .bind(done_steps)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Stores the finished archive and the hash of its download token.
pub async fn finish(
    conn: &mut Conn,
    id: i64,
    archive: &[u8],
    token: &TokenHash,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<()> {
    query(
        "UPDATE data_exports SET state = 'ready', archive = $1, size_bytes = $2, token_hash = $3, ready_at = $4, \
         expires_at = $5, done_steps = total_steps WHERE id = $6",
    )
    .bind(archive.to_vec())
    .bind(i64::try_from(archive.len()).unwrap_or(i64::MAX))
    .bind(token.as_str())
    .bind(now.0)
    .bind(expires_at.0)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn fail(conn: &mut Conn, id: i64) -> Result<()> {
    query("UPDATE data_exports SET state = 'failed' WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The archive behind a download token, if it belongs to `user_id` and has not expired.
pub async fn archive(conn: &mut Conn, token: &TokenHash, user_id: UserId, now: Timestamp) -> Result<Option<Vec<u8>>> {
    let row = query(
        "SELECT archive FROM data_exports WHERE token_hash = $1 AND user_id = $2 AND state = 'ready' AND expires_at > $3",
    )
    .bind(token.as_str())
    .bind(user_id)
    .bind(now.0)
    .fetch_optional(&mut *conn, |r| r.try_get::<Vec<u8>, _>(0))
        .await?;
    Ok(row)
}

/// Retention: expired archives go.
pub async fn purge(conn: &mut Conn, now: Timestamp) -> Result<u64> {
    let done = query("DELETE FROM data_exports WHERE expires_at <= $1")
        .bind(now.0)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
