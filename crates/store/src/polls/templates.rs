//! `poll_templates` (a group's own templates: a poll's settings under a name) and
//! `group_template_order` (how a group orders and hides the templates it chooses from).

use weft_domain::Timestamp;

use crate::groups::GroupId;
use crate::users::UserId;
use crate::{Conn, Result, flag, query};

#[derive(Debug, Clone)]
pub struct SavedTemplate {
    pub key: String,
    pub name: String,
    /// JSON of `weft_domain::polls::templates::SavedSettings`.
    pub settings: String,
    pub author_id: Option<UserId>,
    pub created_at: Timestamp,
}

pub async fn save_template(
    conn: &mut Conn,
    key: &str,
    group_id: GroupId,
    author_id: UserId,
    name: &str,
    settings: &str,
    now: Timestamp,
) -> Result<()> {
    query(
        "INSERT INTO poll_templates (key, group_id, author_id, name, settings, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(key)
    .bind(group_id)
    .bind(author_id)
    .bind(name)
    .bind(settings)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A group's saved templates, oldest first.
pub async fn saved_templates(conn: &mut Conn, group_id: GroupId) -> Result<Vec<SavedTemplate>> {
    query(
        "SELECT key, name, settings, author_id, created_at FROM poll_templates WHERE group_id = $1 \
         ORDER BY created_at, id LIMIT 200",
    )
    .bind(group_id)
    .fetch_all(&mut *conn, |r| {
        Ok(SavedTemplate {
            key: r.try_get("key")?,
            name: r.try_get("name")?,
            settings: r.try_get("settings")?,
            author_id: r.try_get("author_id")?,
            created_at: Timestamp(r.try_get("created_at")?),
        })
    })
    .await
}

pub async fn count_saved_templates(conn: &mut Conn, group_id: GroupId) -> Result<i64> {
    query("SELECT COUNT(*) AS n FROM poll_templates WHERE group_id = $1")
        .bind(group_id)
        .fetch_one(&mut *conn, |r| r.try_get("n"))
        .await
}

/// Deletes one of the group's templates; `false` when it has none by that key.
pub async fn delete_template(conn: &mut Conn, group_id: GroupId, key: &str) -> Result<bool> {
    let done = query("DELETE FROM poll_templates WHERE group_id = $1 AND key = $2")
        .bind(group_id)
        .bind(key)
        .execute(&mut *conn)
        .await?;
    query("DELETE FROM group_template_order WHERE group_id = $1 AND entry = $2")
        .bind(group_id)
        .bind(format!("saved:{key}"))
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The group's arrangement: (entry, position, hidden) for the entries it placed.
pub async fn template_order(conn: &mut Conn, group_id: GroupId) -> Result<Vec<(String, i64, bool)>> {
    query("SELECT entry, position, hidden FROM group_template_order WHERE group_id = $1 ORDER BY position")
        .bind(group_id)
        .fetch_all(&mut *conn, |r| {
            Ok((r.try_get("entry")?, r.try_get("position")?, flag(r.try_get("hidden")?)))
        })
        .await
}

/// Replaces the group's arrangement with `entries` in this order.
pub async fn set_template_order(conn: &mut Conn, group_id: GroupId, entries: &[(String, bool)]) -> Result<()> {
    query("DELETE FROM group_template_order WHERE group_id = $1")
        .bind(group_id)
        .execute(&mut *conn)
        .await?;
    for (position, (entry, hidden)) in entries.iter().enumerate() {
        query("INSERT INTO group_template_order (group_id, entry, position, hidden) VALUES ($1, $2, $3, $4)")
            .bind(group_id)
            .bind(entry.as_str())
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(i64::from(*hidden))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
