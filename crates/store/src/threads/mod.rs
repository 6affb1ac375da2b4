//! The thread aggregate's tables: `threads` here, and one file per part (comments, revisions,
//! reads and volume, reactions, tags, recipients, a member's content). Every list is one bounded
//! statement: thread lists page by activity, a thread's timeline pages by sequence number.

mod comments;
mod erasure;
pub mod events;
mod lists;
mod reactions;
mod reads;
mod recipients;
mod revisions;
mod tags;

pub use comments::*;
pub use erasure::*;
pub use lists::*;
pub use reactions::*;
pub use reads::*;
pub use recipients::*;
pub use revisions::*;
pub use tags::*;

use weft_domain::Timestamp;
use weft_domain::permissions::Role;
use weft_domain::threads::Volume;

use crate::groups::GroupId;
use crate::users::UserId;
use crate::{Conn, Result, Row, flag, query};

pub use crate::ids::{CommentId, ThreadId};

#[derive(Debug, Clone)]
pub struct Thread {
    pub id: ThreadId,
    pub key: String,
    pub group_id: GroupId,
    pub author_id: Option<UserId>,
    /// `None` when the author deleted their account or deactivated it.
    pub author_name: Option<String>,
    pub author_deactivated: bool,
    pub title: String,
    pub context: String,
    pub private: bool,
    pub pinned_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub last_seq: i64,
    pub comment_count: i64,
    pub last_activity_at: Timestamp,
    pub edited_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// An author's name shows only while their account is active (P9: a deactivated member's name is
/// not shown next to their content; a deleted member has no row at all).
pub(super) const THREAD_COLUMNS: &str = "t.id, t.key, t.group_id, t.author_id, CASE WHEN a.state = 'active' THEN a.name END AS author_name, \
    CASE WHEN a.state = 'deactivated' THEN 1 ELSE 0 END AS author_deactivated, t.title, t.context, t.private, \
    t.pinned_at, t.closed_at, t.last_seq, t.comment_count, t.last_activity_at, t.edited_at, t.created_at";
pub(super) const THREAD_FROM: &str = "FROM threads t LEFT JOIN users a ON a.id = t.author_id";

/// A volume column that may be empty (no choice made).
pub(crate) fn volume(r: &Row<'_>, column: &str) -> Result<Option<Volume>> {
    Ok(r.try_get::<Option<String>, _>(column)?
        .map(|s| Volume::from_stored(&s))
        .transpose()?)
}

pub(super) fn ts(r: &Row<'_>, name: &str) -> Result<Option<Timestamp>> {
    Ok(r.try_get::<Option<i64>, _>(name)?.map(Timestamp))
}

pub(super) fn thread_from_row(r: &Row<'_>) -> Result<Thread> {
    Ok(Thread {
        id: r.try_get("id")?,
        key: r.try_get("key")?,
        group_id: r.try_get("group_id")?,
        author_id: r.try_get("author_id")?,
        author_name: r.try_get("author_name")?,
        author_deactivated: flag(r.try_get("author_deactivated")?),
        title: r.try_get("title")?,
        context: r.try_get("context")?,
        private: flag(r.try_get("private")?),
        pinned_at: ts(r, "pinned_at")?,
        closed_at: ts(r, "closed_at")?,
        last_seq: r.try_get("last_seq")?,
        comment_count: r.try_get("comment_count")?,
        last_activity_at: Timestamp(r.try_get("last_activity_at")?),
        edited_at: ts(r, "edited_at")?,
        created_at: Timestamp(r.try_get("created_at")?),
    })
}

pub struct NewThread<'a> {
    pub key: &'a str,
    pub group_id: GroupId,
    pub author_id: UserId,
    pub title: &'a str,
    pub context: &'a str,
    pub private: bool,
    pub now: Timestamp,
}

pub async fn insert(conn: &mut Conn, t: &NewThread<'_>) -> Result<ThreadId> {
    let row = query(
        "INSERT INTO threads (key, group_id, author_id, title, context, private, last_activity_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(t.key)
    .bind(t.group_id)
    .bind(t.author_id)
    .bind(t.title)
    .bind(t.context)
    .bind(i64::from(t.private))
    .bind(t.now.micros())
    .fetch_one(&mut *conn, |r| r.try_get("id"))
    .await?;
    Ok(row)
}

pub async fn find_by_key(conn: &mut Conn, key: &str) -> Result<Option<Thread>> {
    let sql = format!("SELECT {THREAD_COLUMNS} {THREAD_FROM} WHERE t.key = $1");
    let row = query(sql).bind(key).fetch_optional(&mut *conn, thread_from_row).await?;
    Ok(row)
}

/// A thread opened by someone: the thread, its group, and what the viewer is there.
#[derive(Debug, Clone)]
pub struct Opened {
    pub thread: Thread,
    pub group: crate::groups::Group,
    /// The viewer's role in the group and in its parent group.
    pub role: Option<Role>,
    pub parent_role: Option<Role>,
    /// The viewer is a guest of the thread.
    pub guest: bool,
    /// How far the viewer has read, and the volume they chose for the thread (`None`: as the
    /// group).
    pub read: Option<(i64, Option<Volume>)>,
    /// The viewer's volume for the thread's group (members only).
    pub member_volume: Option<Volume>,
}

/// Everything opening a thread needs, in one statement: the thread, its group and the viewer's
/// place in both (`viewer`: `None` for someone not logged in).
pub async fn open_by_key(conn: &mut Conn, key: &str, viewer: Option<UserId>) -> Result<Option<Opened>> {
    let sql = format!(
        "SELECT {THREAD_COLUMNS}, {group}, m.role AS viewer_role, pm.role AS viewer_parent_role, \
         CASE WHEN EXISTS (SELECT 1 FROM thread_guests tg WHERE tg.thread_id = t.id AND tg.user_id = $2) THEN 1 ELSE 0 END AS viewer_guest, \
         rd.read_seq AS viewer_read_seq, rd.chosen_volume AS viewer_volume, m.volume AS viewer_member_volume \
         {THREAD_FROM} JOIN groups g ON g.id = t.group_id \
         LEFT JOIN memberships m ON m.group_id = g.id AND m.user_id = $2 \
         LEFT JOIN memberships pm ON pm.group_id = g.parent_id AND pm.user_id = $2 \
         LEFT JOIN thread_reads rd ON rd.thread_id = t.id AND rd.user_id = $2 \
         WHERE t.key = $1",
        group = crate::groups::prefixed_columns("g", "g_"),
    );
    let role = |r: &Row<'_>, column: &str| -> Result<Option<Role>> {
        Ok(r.try_get::<Option<String>, _>(column)?
            .map(|s| Role::from_stored(&s))
            .transpose()?)
    };
    query(sql)
        .bind(key)
        // No viewer: an id no one has.
        .bind(viewer.map_or(0, |v| v.0))
        .fetch_optional(&mut *conn, |r| {
            let read = match r.try_get::<Option<i64>, _>("viewer_read_seq")? {
                Some(seq) => Some((seq, volume(r, "viewer_volume")?)),
                None => None,
            };
            Ok(Opened {
                thread: thread_from_row(r)?,
                group: crate::groups::from_row(&r.prefixed("g_"))?,
                role: role(r, "viewer_role")?,
                parent_role: role(r, "viewer_parent_role")?,
                guest: flag(r.try_get("viewer_guest")?),
                read,
                member_volume: volume(r, "viewer_member_volume")?,
            })
        })
        .await
}

pub async fn find_by_id(conn: &mut Conn, id: ThreadId) -> Result<Option<Thread>> {
    let sql = format!("SELECT {THREAD_COLUMNS} {THREAD_FROM} WHERE t.id = $1");
    let row = query(sql).bind(id).fetch_optional(&mut *conn, thread_from_row).await?;
    Ok(row)
}

pub async fn update_content(conn: &mut Conn, id: ThreadId, title: &str, context: &str, now: Timestamp) -> Result<()> {
    query("UPDATE threads SET title = $1, context = $2, edited_at = $3 WHERE id = $4")
        .bind(title)
        .bind(context)
        .bind(now.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_pinned(conn: &mut Conn, id: ThreadId, at: Option<Timestamp>) -> Result<()> {
    query("UPDATE threads SET pinned_at = $1 WHERE id = $2")
        .bind(at.map(Timestamp::micros))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_closed(conn: &mut Conn, id: ThreadId, at: Option<Timestamp>) -> Result<()> {
    query("UPDATE threads SET closed_at = $1 WHERE id = $2")
        .bind(at.map(Timestamp::micros))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Moves a thread to another group, with the privacy it has there; its tags belonged to the old
/// group and are dropped.
pub async fn move_to(conn: &mut Conn, id: ThreadId, group_id: GroupId, private: bool) -> Result<()> {
    query("DELETE FROM thread_tags WHERE thread_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    query("UPDATE threads SET group_id = $1, private = $2 WHERE id = $3")
        .bind(group_id)
        .bind(i64::from(private))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    // Its polls go with it: their electorate, emails and deletion follow the new group.
    query("UPDATE polls SET group_id = $1 WHERE thread_id = $2")
        .bind(group_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deletes the thread with its comments, revisions and read state (foreign keys cascade).
pub async fn delete(conn: &mut Conn, id: ThreadId) -> Result<()> {
    query("DELETE FROM threads WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whether anyone but `author` has commented.
pub async fn others_commented(conn: &mut Conn, id: ThreadId, author: Option<UserId>) -> Result<bool> {
    let row =
        query("SELECT COUNT(*) AS n FROM comments WHERE thread_id = $1 AND (author_id IS NULL OR author_id <> $2)")
            .bind(id)
            .bind(author.map_or(-1, |v| v.0))
            .fetch_one(&mut *conn, |r| r.try_get::<i64, _>("n"))
            .await?;
    Ok(row > 0)
}
