//! The `tags` and `thread_tags` tables.

use weft_domain::Timestamp;

use super::ThreadId;
use crate::groups::GroupId;
use crate::{Conn, Result, query};

/// Gives the thread exactly these tags (creating the group's new ones).
pub async fn set_tags(
    conn: &mut Conn,
    group_id: GroupId,
    thread_id: ThreadId,
    names: &[String],
    now: Timestamp,
) -> Result<()> {
    query("DELETE FROM thread_tags WHERE thread_id = $1")
        .bind(thread_id)
        .execute(&mut *conn)
        .await?;
    for name in names {
        query(
            "INSERT INTO tags (group_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (group_id, name) DO NOTHING",
        )
        .bind(group_id)
        .bind(name)
        .bind(now.micros())
        .execute(&mut *conn)
        .await?;
        query(
            "INSERT INTO thread_tags (thread_id, tag_id) SELECT $1, id FROM tags WHERE group_id = $2 AND name = $3 \
             ON CONFLICT (thread_id, tag_id) DO NOTHING",
        )
        .bind(thread_id)
        .bind(group_id)
        .bind(name)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The tags of each of these threads, by name. One statement.
pub async fn tags_of(conn: &mut Conn, thread_ids: &[ThreadId]) -> Result<Vec<(ThreadId, String)>> {
    if thread_ids.is_empty() {
        return Ok(Vec::new());
    }
    // Ids are integers read from the database: safe to list inline.
    let ids = thread_ids
        .iter()
        .map(ThreadId::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT tt.thread_id, tg.name FROM thread_tags tt JOIN tags tg ON tg.id = tt.tag_id \
         WHERE tt.thread_id IN ({ids}) ORDER BY tg.name"
    );
    let rows = query(sql)
        .fetch_all(&mut *conn, |r| Ok((r.try_get("thread_id")?, r.try_get("name")?)))
        .await?;
    Ok(rows)
}

/// The group's tags in use on threads the viewer may list (`include_private`: a member), with how
/// many threads carry each. Tags only on private threads stay unknown to outsiders.
pub async fn group_tags(conn: &mut Conn, group_id: GroupId, include_private: bool) -> Result<Vec<(String, i64)>> {
    let rows = query(
        "SELECT tg.name, COUNT(tt.thread_id) AS n FROM tags tg JOIN thread_tags tt ON tt.tag_id = tg.id \
         JOIN threads th ON th.id = tt.thread_id \
         WHERE tg.group_id = $1 AND ($2 = 1 OR th.private = 0) GROUP BY tg.name ORDER BY tg.name LIMIT 200",
    )
    .bind(group_id)
    .bind(i64::from(include_private))
    .fetch_all(&mut *conn, |r| Ok((r.try_get("name")?, r.try_get("n")?)))
    .await?;
    Ok(rows)
}
