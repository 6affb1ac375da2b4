//! The `reactions` table: emoji reactions on comments.

use weft_domain::Timestamp;

use super::{CommentId, ThreadId};
use crate::users::UserId;
use crate::{Conn, Result, query};

/// One person's reaction on one comment.
#[derive(Debug, Clone)]
pub struct ReactionRow {
    pub comment_id: CommentId,
    pub user_id: UserId,
    pub name: String,
    pub emoji: String,
}

/// Adds the reaction, or takes it away if it is there. `true` if it is there now.
pub async fn toggle_reaction(
    conn: &mut Conn,
    comment_id: CommentId,
    user_id: UserId,
    emoji: &str,
    now: Timestamp,
) -> Result<bool> {
    let removed = query("DELETE FROM reactions WHERE comment_id = $1 AND user_id = $2 AND emoji = $3")
        .bind(comment_id)
        .bind(user_id)
        .bind(emoji)
        .execute(&mut *conn)
        .await?;
    if removed.rows_affected() > 0 {
        return Ok(false);
    }
    query(
        "INSERT INTO reactions (comment_id, user_id, emoji, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (comment_id, user_id, emoji) DO NOTHING",
    )
    .bind(comment_id)
    .bind(user_id)
    .bind(emoji)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// The reactions on the timeline items `from..from + limit` of a thread (one page), oldest first.
pub async fn reactions_for_page(
    conn: &mut Conn,
    thread_id: ThreadId,
    from: i64,
    limit: i64,
) -> Result<Vec<ReactionRow>> {
    let rows = query(
        "SELECT r.comment_id, r.user_id, u.name, r.emoji FROM reactions r JOIN comments c ON c.id = r.comment_id \
         JOIN users u ON u.id = r.user_id AND u.state = 'active' \
         WHERE c.thread_id = $1 AND c.seq >= $2 AND c.seq < $3 ORDER BY r.id",
    )
    .bind(thread_id)
    .bind(from)
    .bind(from + limit)
    .fetch_all(&mut *conn, |r| {
        Ok(ReactionRow {
            comment_id: r.try_get("comment_id")?,
            user_id: r.try_get("user_id")?,
            name: r.try_get("name")?,
            emoji: r.try_get("emoji")?,
        })
    })
    .await?;
    Ok(rows)
}
