//! The `threads`, `comments`, `revisions` and `thread_reads` tables. Every list is one bounded
//! statement: thread lists page by activity, a thread's timeline pages by sequence number.

use weft_domain::Timestamp;

use weft_domain::permissions::Role;

use crate::groups::GroupId;
use crate::users::UserId;
use crate::{Conn, Result, Row, flag, query};

pub type ThreadId = i64;
pub type CommentId = i64;

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
const THREAD_COLUMNS: &str = "t.id, t.key, t.group_id, t.author_id, CASE WHEN a.state = 'active' THEN a.name END AS author_name, \
    CASE WHEN a.state = 'deactivated' THEN 1 ELSE 0 END AS author_deactivated, t.title, t.context, t.private, \
    t.pinned_at, t.closed_at, t.last_seq, t.comment_count, t.last_activity_at, t.edited_at, t.created_at";
const THREAD_FROM: &str = "FROM threads t LEFT JOIN users a ON a.id = t.author_id";

fn ts(r: &Row<'_>, name: &str) -> Result<Option<Timestamp>> {
    Ok(r.try_get::<Option<i64>, _>(name)?.map(Timestamp))
}

fn thread_from_row(r: &Row<'_>) -> Result<Thread> {
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
    /// How far the viewer has read and how loudly they follow it .
    pub read: Option<(i64, String)>,
}

/// Everything opening a thread needs, in one statement: the thread, its group and the viewer's
/// place in both (`viewer`: `None` for someone not logged in).
pub async fn open_by_key(conn: &mut Conn, key: &str, viewer: Option<UserId>) -> Result<Option<Opened>> {
    let sql = format!(
        "SELECT {THREAD_COLUMNS}, {group}, m.role AS viewer_role, pm.role AS viewer_parent_role, \
         CASE WHEN EXISTS (SELECT 1 FROM thread_guests tg WHERE tg.thread_id = t.id AND tg.user_id = $2) THEN 1 ELSE 0 END AS viewer_guest, \
         rd.read_seq AS viewer_read_seq, rd.volume AS viewer_volume \
         {THREAD_FROM} JOIN groups g ON g.id = t.group_id \
         LEFT JOIN memberships m ON m.group_id = g.id AND m.user_id = $2 \
         LEFT JOIN memberships pm ON pm.group_id = g.parent_id AND pm.user_id = $2 \
         LEFT JOIN thread_reads rd ON rd.thread_id = t.id AND rd.user_id = $2 \
         WHERE t.key = $1",
        group = crate::groups::prefixed_columns("g", "g_"),
    );
    let role = |r: &Row<'_>, column: &str| -> Result<Option<Role>> {
        Ok(r.try_get::<Option<String>, _>(column)?.map(|s| Role::from_stored(&s)))
    };
    query(sql)
        .bind(key)
        // No viewer: an id no one has.
        .bind(viewer.unwrap_or(0))
        .fetch_optional(&mut *conn, |r| {
            let read = match r.try_get::<Option<i64>, _>("viewer_read_seq")? {
                Some(seq) => Some((seq, r.try_get("viewer_volume")?)),
                None => None,
            };
            Ok(Opened {
                thread: thread_from_row(r)?,
                group: crate::groups::from_row(&r.prefixed("g_"))?,
                role: role(r, "viewer_role")?,
                parent_role: role(r, "viewer_parent_role")?,
                guest: flag(r.try_get("viewer_guest")?),
                read,
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
            .bind(author.unwrap_or(-1))
            .fetch_one(&mut *conn, |r| r.try_get::<i64, _>("n"))
            .await?;
    Ok(row > 0)
}

/// A thread in a list, with what the viewer has not read yet.
#[derive(Debug, Clone)]
pub struct ListedThread {
    pub thread: Thread,
    pub group_key: String,
    pub group_name: String,
    /// `None` for a viewer who has never opened it (or nobody signed in).
    pub read_seq: Option<i64>,
    /// Filled by `tags_of` where lists show tags.
    pub tags: Vec<String>,
}

impl ListedThread {
    /// Comments the viewer has not seen; a never-opened thread counts all of them.
    pub fn unread(&self) -> i64 {
        self.thread.last_seq - self.read_seq.unwrap_or(0)
    }
}

fn listed_from_row(r: &Row<'_>) -> Result<ListedThread> {
    Ok(ListedThread {
        thread: thread_from_row(r)?,
        group_key: r.try_get("group_key")?,
        group_name: r.try_get("group_name")?,
        read_seq: r.try_get("read_seq")?,
        tags: Vec::new(),
    })
}

/// Which of a group's threads to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadFilter {
    /// Only threads with this tag (empty: any).
    pub tag: String,
    /// `Some(true)`: closed only; `Some(false)`: open only.
    pub closed: Option<bool>,
    /// Only threads with something the viewer has not read.
    pub unread: bool,
}

/// One page of a group's threads, pinned first, then by latest activity. Private threads only if
/// `include_private` (the viewer is a member). One statement.
pub async fn for_group(
    conn: &mut Conn,
    group_id: GroupId,
    viewer: Option<UserId>,
    include_private: bool,
    filter: &ThreadFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<ListedThread>> {
    let privacy = if include_private { "" } else { "AND t.private = 0" };
    let status = match filter.closed {
        Some(true) => "AND t.closed_at IS NOT NULL",
        Some(false) => "AND t.closed_at IS NULL",
        None => "",
    };
    let unread = if filter.unread && viewer.is_some() {
        "AND t.last_seq > COALESCE(r.read_seq, -1)"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {THREAD_COLUMNS}, g.key AS group_key, g.name AS group_name, r.read_seq {THREAD_FROM} \
         JOIN groups g ON g.id = t.group_id \
         LEFT JOIN thread_reads r ON r.thread_id = t.id AND r.user_id = $2 \
         WHERE t.group_id = $1 {privacy} {status} {unread} \
         AND ($5 = '' OR EXISTS (SELECT 1 FROM thread_tags tt JOIN tags tg ON tg.id = tt.tag_id \
              WHERE tt.thread_id = t.id AND tg.name = $5)) \
         ORDER BY CASE WHEN t.pinned_at IS NULL THEN 1 ELSE 0 END, t.last_activity_at DESC, t.id DESC LIMIT $3 OFFSET $4"
    );
    let rows = query(sql)
        .bind(group_id)
        .bind(viewer.unwrap_or(-1))
        .bind(limit)
        .bind(offset)
        .bind(filter.tag.as_str())
        .fetch_all(&mut *conn, listed_from_row)
        .await?;
    Ok(rows)
}

/// The latest threads across the groups a user belongs to and the threads they are a guest of,
/// for the dashboard, muted threads and archived groups left out. One statement, whose cost
/// follows the number of groups, not of threads: any thread among the latest `limit` overall is
/// among the latest `limit` unmuted ones of its own group, so each membership contributes only the
/// threads at least as recent as its group's `limit`-th (any, `$4`, in a group with fewer), found
/// by one probe of `threads_group_recent`. The candidates are cut to `limit` before the rows are
/// decorated, so both planners join the rest by primary key.
pub async fn recent_for_user(conn: &mut Conn, user_id: UserId, limit: i64) -> Result<Vec<ListedThread>> {
    let sql = format!(
        "SELECT {THREAD_COLUMNS}, g.key AS group_key, g.name AS group_name, r.read_seq {THREAD_FROM} \
         JOIN (SELECT c.id FROM ( \
             SELECT t2.id, t2.group_id, t2.last_activity_at FROM memberships m \
             JOIN threads t2 ON t2.group_id = m.group_id AND t2.last_activity_at >= COALESCE(( \
                 SELECT t3.last_activity_at FROM threads t3 WHERE t3.group_id = m.group_id \
                 AND NOT EXISTS (SELECT 1 FROM thread_reads r3 \
                     WHERE r3.thread_id = t3.id AND r3.user_id = $1 AND r3.volume = 'mute') \
                 ORDER BY t3.last_activity_at DESC LIMIT 1 OFFSET $3), $4) \
             WHERE m.user_id = $1 \
             UNION SELECT t4.id, t4.group_id, t4.last_activity_at FROM thread_guests tg \
             JOIN threads t4 ON t4.id = tg.thread_id WHERE tg.user_id = $1) c \
           JOIN groups g2 ON g2.id = c.group_id \
           WHERE g2.archived_at IS NULL AND NOT EXISTS (SELECT 1 FROM thread_reads r2 \
               WHERE r2.thread_id = c.id AND r2.user_id = $1 AND r2.volume = 'mute') \
           ORDER BY c.last_activity_at DESC, c.id DESC LIMIT $2) latest ON latest.id = t.id \
         JOIN groups g ON g.id = t.group_id \
         LEFT JOIN thread_reads r ON r.thread_id = t.id AND r.user_id = $1 \
         ORDER BY t.last_activity_at DESC, t.id DESC"
    );
    let rows = query(sql)
        .bind(user_id)
        .bind(limit)
        .bind(limit - 1)
        .bind(i64::MIN)
        .fetch_all(&mut *conn, listed_from_row)
        .await?;
    Ok(rows)
}

// ---- comments ----

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: CommentId,
    pub thread_id: ThreadId,
    pub seq: i64,
    pub parent_id: Option<CommentId>,
    pub parent_seq: Option<i64>,
    pub parent_author_name: Option<String>,
    pub author_id: Option<UserId>,
    pub author_name: Option<String>,
    pub author_username: Option<String>,
    pub author_deactivated: bool,
    pub body: String,
    pub edited_at: Option<Timestamp>,
    pub deleted_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

const COMMENT_COLUMNS: &str = "c.id, c.thread_id, c.seq, c.parent_id, p.seq AS parent_seq, \
    CASE WHEN pu.state = 'active' THEN pu.name END AS parent_author_name, c.author_id, \
    CASE WHEN a.state = 'active' THEN a.name END AS author_name, \
    CASE WHEN a.state = 'active' THEN a.username END AS author_username, \
    CASE WHEN a.state = 'deactivated' THEN 1 ELSE 0 END AS author_deactivated, \
    c.body, c.edited_at, c.deleted_at, c.created_at";
const COMMENT_FROM: &str = "FROM comments c LEFT JOIN users a ON a.id = c.author_id \
    LEFT JOIN comments p ON p.id = c.parent_id LEFT JOIN users pu ON pu.id = p.author_id";

fn comment_from_row(r: &Row<'_>) -> Result<Comment> {
    Ok(Comment {
        id: r.try_get("id")?,
        thread_id: r.try_get("thread_id")?,
        seq: r.try_get("seq")?,
        parent_id: r.try_get("parent_id")?,
        parent_seq: r.try_get("parent_seq")?,
        parent_author_name: r.try_get("parent_author_name")?,
        author_id: r.try_get("author_id")?,
        author_name: r.try_get("author_name")?,
        author_username: r.try_get("author_username")?,
        author_deactivated: flag(r.try_get("author_deactivated")?),
        body: r.try_get("body")?,
        edited_at: ts(r, "edited_at")?,
        deleted_at: ts(r, "deleted_at")?,
        created_at: Timestamp(r.try_get("created_at")?),
    })
}

/// Adds a comment as the thread's next item. Numbering goes through the thread row, so concurrent
/// comments are serialised and every sequence number is used once.
pub async fn insert_comment(
    conn: &mut Conn,
    thread_id: ThreadId,
    parent_id: Option<CommentId>,
    author_id: UserId,
    body: &str,
    now: Timestamp,
) -> Result<(CommentId, i64)> {
    let row = query(
        "UPDATE threads SET last_seq = last_seq + 1, comment_count = comment_count + 1, last_activity_at = $1 \
         WHERE id = $2 RETURNING last_seq",
    )
    .bind(now.micros())
    .bind(thread_id)
    .fetch_one(&mut *conn, |r| r.try_get("last_seq"))
    .await?;
    let seq: i64 = row;
    let row = query(
        "INSERT INTO comments (thread_id, seq, parent_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(thread_id)
    .bind(seq)
    .bind(parent_id)
    .bind(author_id)
    .bind(body)
    .bind(now.micros())
    .fetch_scalar::<i64>(&mut *conn)
    .await?;
    Ok((row, seq))
}

/// The timeline items numbered `from..from + limit`, in order. One indexed range read, however
/// long the thread.
pub async fn comments_page(conn: &mut Conn, thread_id: ThreadId, from: i64, limit: i64) -> Result<Vec<Comment>> {
    let sql = format!(
        "SELECT {COMMENT_COLUMNS} {COMMENT_FROM} WHERE c.thread_id = $1 AND c.seq >= $2 AND c.seq < $3 ORDER BY c.seq"
    );
    let rows = query(sql)
        .bind(thread_id)
        .bind(from)
        .bind(from + limit)
        .fetch_all(&mut *conn, comment_from_row)
        .await?;
    Ok(rows)
}

pub async fn find_comment(conn: &mut Conn, thread_id: ThreadId, id: CommentId) -> Result<Option<Comment>> {
    let sql = format!("SELECT {COMMENT_COLUMNS} {COMMENT_FROM} WHERE c.thread_id = $1 AND c.id = $2");
    let row = query(sql)
        .bind(thread_id)
        .bind(id)
        .fetch_optional(&mut *conn, comment_from_row)
        .await?;
    Ok(row)
}

pub async fn update_comment(conn: &mut Conn, id: CommentId, body: &str, now: Timestamp) -> Result<()> {
    query("UPDATE comments SET body = $1, edited_at = $2 WHERE id = $3")
        .bind(body)
        .bind(now.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deletes a comment. One with replies stays as an empty "comment deleted" placeholder so the
/// replies keep their context; its text and edit history go either way.
pub async fn delete_comment(conn: &mut Conn, thread_id: ThreadId, id: CommentId, now: Timestamp) -> Result<()> {
    let replies: i64 = query("SELECT COUNT(*) AS n FROM comments WHERE parent_id = $1")
        .bind(id)
        .fetch_one(&mut *conn, |r| r.try_get("n"))
        .await?;
    query("DELETE FROM revisions WHERE comment_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if replies > 0 {
        query("UPDATE comments SET body = '', deleted_at = $1 WHERE id = $2")
            .bind(now.micros())
            .bind(id)
            .execute(&mut *conn)
            .await?;
    } else {
        query("DELETE FROM comments WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    query("UPDATE threads SET comment_count = comment_count - 1 WHERE id = $1")
        .bind(thread_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

// ---- edit history ----

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
    .bind(comment_id.unwrap_or(-1))
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

// ---- read state ----

/// Records that `user_id` has read up to `seq`. Never moves backwards: reading an older page on
/// another device keeps the furthest point.
pub async fn mark_read(conn: &mut Conn, thread_id: ThreadId, user_id: UserId, seq: i64, now: Timestamp) -> Result<()> {
    query(
        "INSERT INTO thread_reads (thread_id, user_id, read_seq, read_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (thread_id, user_id) DO UPDATE SET read_at = excluded.read_at, \
         read_seq = CASE WHEN excluded.read_seq > thread_reads.read_seq THEN excluded.read_seq ELSE thread_reads.read_seq END",
    )
    .bind(thread_id)
    .bind(user_id)
    .bind(seq)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// ---- reactions ----

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

// ---- tags ----

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
    let ids = thread_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
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

// ---- volume ----

/// Sets how loudly `user_id` follows the thread, keeping how far they have read.
pub async fn set_volume(
    conn: &mut Conn,
    thread_id: ThreadId,
    user_id: UserId,
    volume: &str,
    now: Timestamp,
) -> Result<()> {
    query(
        "INSERT INTO thread_reads (thread_id, user_id, read_seq, read_at, volume) VALUES ($1, $2, 0, $3, $4) \
         ON CONFLICT (thread_id, user_id) DO UPDATE SET volume = excluded.volume",
    )
    .bind(thread_id)
    .bind(user_id)
    .bind(now.micros())
    .bind(volume)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Whom a notification about a thread is for.
#[derive(Debug, Clone, Copy)]
pub enum Audience<'a> {
    /// Everyone following the thread loudly (an email for every comment), at most 10 000.
    Followers,
    /// The people with these usernames (the ones a text mentions).
    Usernames(&'a [String]),
}

/// A possible recipient of a notification about a thread, with what the permission rule needs to
/// decide whether they may read it.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub user: crate::users::User,
    /// Their role in the thread's group and in its parent group.
    pub role: Option<Role>,
    pub parent_role: Option<Role>,
    /// Invited into this thread alone.
    pub guest: bool,
    /// How loudly they follow the thread ("normal" when they never chose).
    pub volume: String,
}

/// The people of `audience` with their roles, guest flag and volume, in one statement however
/// many there are (a comment's fan-out must not cost a round trip per follower).
pub async fn recipients(
    conn: &mut Conn,
    thread_id: ThreadId,
    group_id: GroupId,
    parent_group_id: Option<GroupId>,
    audience: Audience<'_>,
) -> Result<Vec<Recipient>> {
    let (from, filter) = match audience {
        Audience::Followers => (
            "thread_reads r JOIN users u ON u.id = r.user_id",
            "r.thread_id = $1 AND r.volume = 'follow' ORDER BY r.user_id LIMIT 10000".to_owned(),
        ),
        Audience::Usernames([]) => return Ok(Vec::new()),
        Audience::Usernames(names) => (
            "users u LEFT JOIN thread_reads r ON r.thread_id = $1 AND r.user_id = u.id",
            format!("u.username IN ({}) ORDER BY u.id", crate::parameters(4, names.len())),
        ),
    };
    let sql = format!(
        "SELECT {users}, m.role AS member_role, pm.role AS parent_role, COALESCE(r.volume, 'normal') AS volume, \
         CASE WHEN EXISTS (SELECT 1 FROM thread_guests g WHERE g.thread_id = $1 AND g.user_id = u.id) THEN 1 ELSE 0 END AS guest \
         FROM {from} \
         LEFT JOIN memberships m ON m.group_id = $2 AND m.user_id = u.id \
         LEFT JOIN memberships pm ON pm.group_id = $3 AND pm.user_id = u.id \
         WHERE {filter}",
        users = crate::users::U_COLUMNS,
    );
    let mut q = query(sql)
        .bind(thread_id)
        .bind(group_id)
        // No parent: an id no group has, so the join finds nothing (a typed NULL would need a cast).
        .bind(parent_group_id.unwrap_or(0));
    if let Audience::Usernames(names) = audience {
        for name in names {
            q = q.bind(name.as_str());
        }
    }
    let rows = q
        .fetch_all(&mut *conn, |r| {
            let role = |column: &str| {
                r.try_get::<Option<String>, _>(column)
                    .map(|s| s.map(|s| Role::from_stored(&s)))
            };
            Ok(Recipient {
                user: crate::users::from_row(r)?,
                role: role("member_role")?,
                parent_role: role("parent_role")?,
                guest: flag(r.try_get("guest")?),
                volume: r.try_get("volume")?,
            })
        })
        .await?;
    Ok(rows)
}

// ---- a member's content in one group (P12) ----

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
