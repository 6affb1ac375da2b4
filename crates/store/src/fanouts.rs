//! The `comment_fanouts` table: new comments whose followers have not been emailed yet. The
//! comment's transaction adds a row; the fan-out worker claims a batch, queues the emails and
//! deletes the rows, all in one transaction.

use weft_domain::Timestamp;

use crate::threads::{CommentId, ThreadId};
use crate::{Backend, Conn, Result, query};

/// One comment waiting for its follower emails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fanout {
    pub comment_id: CommentId,
    pub thread_id: ThreadId,
}

pub async fn insert(conn: &mut Conn, thread_id: ThreadId, comment_id: CommentId, now: Timestamp) -> Result<()> {
    query("INSERT INTO comment_fanouts (comment_id, thread_id, created_at) VALUES ($1, $2, $3)")
        .bind(comment_id)
        .bind(thread_id)
        .bind(now.micros())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The oldest `limit` waiting comments, locked against other instances' workers until the
/// caller's transaction ends (SQLite's single writer serialises workers by itself).
pub async fn claim(conn: &mut Conn, backend: Backend, limit: i64) -> Result<Vec<Fanout>> {
    let sql = format!(
        "SELECT comment_id, thread_id FROM comment_fanouts ORDER BY comment_id LIMIT $1 {}",
        backend.skip_locked()
    );
    // Planned on every run: a queue swings from empty to thousands of rows faster than statistics
    // follow, and a plan kept from when it was empty scans and sorts it all (see `outbox::claim_due`).
    let rows = query(sql)
        .persistent(false)
        .bind(limit)
        .fetch_all(&mut *conn, |r| {
            Ok(Fanout {
                comment_id: r.try_get("comment_id")?,
                thread_id: r.try_get("thread_id")?,
            })
        })
        .await?;
    Ok(rows)
}

/// Done: the rows of `claimed` go.
pub async fn delete(conn: &mut Conn, claimed: &[Fanout]) -> Result<()> {
    for chunk in claimed.chunks(1_000) {
        let sql = format!(
            "DELETE FROM comment_fanouts WHERE comment_id IN ({})",
            crate::parameters(1, chunk.len())
        );
        let mut query = query(sql);
        for f in chunk {
            query = query.bind(f.comment_id);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// How many comments wait for their follower emails (the benchmark's and tests' "settled").
pub async fn pending(conn: &mut Conn) -> Result<i64> {
    let row = query("SELECT COUNT(*) AS n FROM comment_fanouts")
        .fetch_one(&mut *conn, |r| r.try_get("n"))
        .await?;
    Ok(row)
}
