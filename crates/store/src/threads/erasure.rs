//! A member's content in one group (P12): found, blanked and removed when they leave or are removed.

use weft_domain::Timestamp;

use super::{CommentId, ThreadId};
use crate::groups::GroupId;
use crate::users::UserId;
use crate::{Conn, Result, flag, query};

/// What one person wrote in one group: their comments (thread, comment) and the threads they
/// started, with whether someone else commented there.
pub async fn content_by_in_group(
    conn: &mut Conn,
    group_id: GroupId,
    user_id: UserId,
) -> Result<(Vec<(ThreadId, CommentId)>, Vec<(ThreadId, bool)>)> {
    let comments = query(
        "SELECT c.thread_id, c.id FROM comments c JOIN threads t ON t.id = c.thread_id \
         WHERE t.group_id = $1 AND c.author_id = $2 AND c.deleted_at IS NULL ORDER BY c.id DESC",
    )
    .bind(group_id)
    .bind(user_id)
    .fetch_all(&mut *conn, |r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .await?;
    let threads = query(
        "SELECT t.id, CASE WHEN EXISTS (SELECT 1 FROM comments c WHERE c.thread_id = t.id AND \
         (c.author_id IS NULL OR c.author_id <> $2)) THEN 1 ELSE 0 END AS others FROM threads t WHERE t.group_id = $1 AND t.author_id = $2",
    )
    .bind(group_id)
    .bind(user_id)
    .fetch_all(&mut *conn, |r| Ok((r.try_get(0)?, flag(r.try_get(1)?))))
    .await?;
    Ok((comments, threads))
}

/// Blanks a thread whose discussion must stay for others: no title, no context, no earlier
/// versions of them.
pub async fn blank(conn: &mut Conn, id: ThreadId, title: &str, now: Timestamp) -> Result<()> {
    query("DELETE FROM revisions WHERE thread_id = $1 AND comment_id IS NULL")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    query("UPDATE threads SET title = $1, context = '', edited_at = $2 WHERE id = $3")
        .bind(title)
        .bind(now.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Removes one person's reactions in one group.
pub async fn delete_reactions_in_group(conn: &mut Conn, group_id: GroupId, user_id: UserId) -> Result<u64> {
    let done = query(
        "DELETE FROM reactions WHERE user_id = $1 AND comment_id IN (SELECT c.id FROM comments c \
         JOIN threads t ON t.id = c.thread_id WHERE t.group_id = $2)",
    )
    .bind(user_id)
    .bind(group_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// The groups where a person wrote in public threads (threads or comments), by name.
pub async fn groups_with_public_writing(conn: &mut Conn, user_id: UserId) -> Result<Vec<String>> {
    let rows = query(
        "SELECT g.name FROM groups g WHERE EXISTS (SELECT 1 FROM threads t WHERE t.group_id = g.id AND t.private = 0 \
         AND (t.author_id = $1 OR EXISTS (SELECT 1 FROM comments c WHERE c.thread_id = t.id AND c.author_id = $1))) \
         ORDER BY g.name LIMIT 100",
    )
    .bind(user_id)
    .fetch_all(&mut *conn, |r| r.try_get::<String, _>(0))
    .await?;
    Ok(rows)
}

/// How many comments one person wrote (for the benchmark's export figure).
pub async fn count_by_author(conn: &mut Conn, user_id: UserId) -> Result<i64> {
    let row = query("SELECT COUNT(*) FROM comments WHERE author_id = $1")
        .bind(user_id)
        .fetch_one(&mut *conn, |r| r.try_get(0))
        .await?;
    Ok(row)
}
