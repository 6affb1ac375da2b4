//! The `revisions` table: the edit history of threads and comments.

use weft_domain::Timestamp;

use super::{CommentId, ThreadId};
use crate::users::UserId;
use crate::{Conn, Result, query};

#[derive(Debug, Clone)]
pub struct Revision {
    pub comment_id: Option<CommentId>,
    pub editor_name: Option<String>,
    pub title: Option<String>,
    pub body: String,
    pub created_at: Timestamp,
}

/// Keeps the version being replaced.
pub async fn insert_revision(
    conn: &mut Conn,
    thread_id: ThreadId,
    comment_id: Option<CommentId>,
    editor_id: UserId,
    title: Option<&str>,
    body: &str,
    now: Timestamp,
) -> Result<()> {
    query(
        "INSERT INTO revisions (thread_id, comment_id, editor_id, title, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(thread_id)
    .bind(comment_id)
    .bind(editor_id)
    .bind(title)
    .bind(body)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Earlier versions of the thread (`comment_id` `None`) or of one comment, newest first.
pub async fn revisions(conn: &mut Conn, thread_id: ThreadId, comment_id: Option<CommentId>) -> Result<Vec<Revision>> {
    let rows = query(
        "SELECT r.comment_id, CASE WHEN u.state = 'active' THEN u.name END AS editor_name, r.title, r.body, r.created_at FROM revisions r \
         LEFT JOIN users u ON u.id = r.editor_id WHERE r.thread_id = $1 \
         AND ((r.comment_id IS NULL AND $2 = -1) OR r.comment_id = $2) ORDER BY r.id DESC LIMIT 200",
    )
    .bind(thread_id)
    .bind(comment_id.map_or(-1, |v| v.0))
    .fetch_all(&mut *conn, |r| {
            Ok(Revision {
                comment_id: r.try_get("comment_id")?,
                editor_name: r.try_get("editor_name")?,
                title: r.try_get("title")?,
                body: r.try_get("body")?,
                created_at: Timestamp(r.try_get("created_at")?),
            })
        })
        .await?;
    Ok(rows)
}
