//! The `comments` table: a thread's timeline, paged by sequence number.

use weft_domain::Timestamp;

use super::{CommentId, ThreadId, ts};
use crate::users::UserId;
use crate::{Conn, Result, Row, flag, query};

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
    /// A deleted comment's text and history are erased at this time; until then the one who
    /// deleted it may bring it back. `None`: not deleted, or erased already.
    pub erase_at: Option<Timestamp>,
    /// Who deleted it, until it is erased.
    pub deleted_by: Option<UserId>,
    /// A deleted comment with replies stays as their placeholder (read only when deleted).
    pub has_replies: bool,
    pub created_at: Timestamp,
    /// The poll, vote or outcome of the thread it answers, if any.
    pub about: Option<About>,
}

/// What a comment answers: a timeline event, by its place and what it says.
#[derive(Debug, Clone)]
pub struct About {
    pub seq: i64,
    pub kind: super::events::EventKind,
    pub poll_title: String,
    /// Who raised, voted or wrote it (`None`: a former member).
    pub actor_name: Option<String>,
}

const COMMENT_COLUMNS: &str = "c.id, c.thread_id, c.seq, c.parent_id, p.seq AS parent_seq, \
    CASE WHEN pu.state = 'active' THEN pu.name END AS parent_author_name, c.author_id, \
    CASE WHEN a.state = 'active' THEN a.name END AS author_name, \
    CASE WHEN a.state = 'active' THEN a.username END AS author_username, \
    CASE WHEN a.state = 'deactivated' THEN 1 ELSE 0 END AS author_deactivated, \
    CASE WHEN c.deleted_at IS NULL THEN c.body ELSE '' END AS body, c.edited_at, c.deleted_at, c.erase_at, \
    c.deleted_by, CASE WHEN c.deleted_at IS NOT NULL AND EXISTS (SELECT 1 FROM comments rc WHERE rc.parent_id = c.id) \
    THEN 1 ELSE 0 END AS has_replies, c.created_at, ae.seq AS about_seq, ae.kind AS about_kind, \
    COALESCE(ap.title, '') AS about_poll_title, CASE WHEN aa.state = 'active' THEN aa.name END AS about_actor_name";
const COMMENT_FROM: &str = "FROM comments c LEFT JOIN users a ON a.id = c.author_id \
    LEFT JOIN comments p ON p.id = c.parent_id LEFT JOIN users pu ON pu.id = p.author_id \
    LEFT JOIN events ae ON ae.id = c.about_event_id LEFT JOIN polls ap ON ap.id = ae.poll_id \
    LEFT JOIN users aa ON aa.id = ae.actor_id";

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
        erase_at: ts(r, "erase_at")?,
        deleted_by: r.try_get("deleted_by")?,
        has_replies: flag(r.try_get("has_replies")?),
        created_at: Timestamp(r.try_get("created_at")?),
        about: match r.try_get::<Option<i64>, _>("about_seq")? {
            Some(seq) => Some(About {
                seq,
                kind: super::events::EventKind::from_stored(&r.try_get::<String, _>("about_kind")?)?,
                poll_title: r.try_get("about_poll_title")?,
                actor_name: r.try_get("about_actor_name")?,
            }),
            None => None,
        },
    })
}

/// Adds a comment as the thread's next item. Numbering goes through the thread row, so concurrent
/// comments are serialised and every sequence number is used once.
pub async fn insert_comment(
    conn: &mut Conn,
    thread_id: ThreadId,
    parent_id: Option<CommentId>,
    about_event_id: Option<crate::ids::EventId>,
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
        "INSERT INTO comments (thread_id, seq, parent_id, about_event_id, author_id, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(thread_id)
    .bind(seq)
    .bind(parent_id)
    .bind(about_event_id)
    .bind(author_id)
    .bind(body)
    .bind(now.micros())
    .fetch_scalar::<CommentId>(&mut *conn)
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

/// How many replies a comment has.
pub async fn reply_count(conn: &mut Conn, id: CommentId) -> Result<i64> {
    query("SELECT COUNT(*) AS n FROM comments WHERE parent_id = $1")
        .bind(id)
        .fetch_one(&mut *conn, |r| r.try_get("n"))
        .await
}

/// Deletes a comment: from now on every read shows it as "comment deleted" (its body reads
/// empty), and `erase_comment` erases its text and history at `erase_at`. Until then the one who
/// deleted it may `restore_comment` it. `false`: it was deleted already.
pub async fn delete_comment(
    conn: &mut Conn,
    thread_id: ThreadId,
    id: CommentId,
    by: UserId,
    now: Timestamp,
    erase_at: Timestamp,
) -> Result<bool> {
    let done = query(
        "UPDATE comments SET deleted_at = $1, erase_at = $2, deleted_by = $3 WHERE id = $4 AND deleted_at IS NULL",
    )
    .bind(now.micros())
    .bind(erase_at.micros())
    .bind(by)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    query("UPDATE threads SET comment_count = comment_count - 1 WHERE id = $1")
        .bind(thread_id)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// Brings a deleted comment back, if `by` deleted it and it is not erased yet (`erase_at` after
/// `now`). `false`: too late, or not theirs to bring back.
pub async fn restore_comment(
    conn: &mut Conn,
    thread_id: ThreadId,
    id: CommentId,
    by: UserId,
    now: Timestamp,
) -> Result<bool> {
    let done = query(
        "UPDATE comments SET deleted_at = NULL, erase_at = NULL, deleted_by = NULL \
         WHERE id = $1 AND deleted_at IS NOT NULL AND deleted_by = $2 AND erase_at > $3",
    )
    .bind(id)
    .bind(by)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    query("UPDATE threads SET comment_count = comment_count + 1 WHERE id = $1")
        .bind(thread_id)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// What `erase_comment` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erasure {
    Erased,
    /// Deleted again after being brought back: erased at this later time.
    NotYet(Timestamp),
    /// Not deleted (brought back), or erased already.
    Nothing,
}

/// Erases a deleted comment whose time has come: its earlier versions go, and the comment
/// itself — or, when it has replies, its text, leaving the "comment deleted" placeholder they
/// answer.
pub async fn erase_comment(conn: &mut Conn, id: CommentId, now: Timestamp) -> Result<Erasure> {
    let due = query("SELECT erase_at FROM comments WHERE id = $1 AND deleted_at IS NOT NULL AND erase_at IS NOT NULL")
        .bind(id)
        .fetch_optional(&mut *conn, |r| r.try_get::<i64, _>("erase_at"))
        .await?;
    match due {
        None => return Ok(Erasure::Nothing),
        Some(at) if at > now.micros() => return Ok(Erasure::NotYet(Timestamp(at))),
        Some(_) => {}
    }
    query("DELETE FROM revisions WHERE comment_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if reply_count(conn, id).await? > 0 {
        query("UPDATE comments SET body = '', erase_at = NULL, deleted_by = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    } else {
        query("DELETE FROM comments WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Erasure::Erased)
}

/// Deletes and erases a comment at once, with no undo (a deletion request's erasure of what one
/// person wrote). A comment deleted already and waiting for its erasure is erased now.
pub async fn erase_comment_now(
    conn: &mut Conn,
    thread_id: ThreadId,
    id: CommentId,
    by: UserId,
    now: Timestamp,
) -> Result<()> {
    delete_comment(conn, thread_id, id, by, now, now).await?;
    query("UPDATE comments SET erase_at = $1 WHERE id = $2 AND erase_at IS NOT NULL")
        .bind(now.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    erase_comment(conn, id, now).await?;
    Ok(())
}

/// The deleted comments whose erasure is overdue (a job that gave up, a clock that jumped), at
/// most `limit`: the retention purge erases them.
pub async fn overdue_erasures(conn: &mut Conn, now: Timestamp, limit: i64) -> Result<Vec<CommentId>> {
    query("SELECT id FROM comments WHERE erase_at <= $1 ORDER BY erase_at LIMIT $2")
        .bind(now.micros())
        .bind(limit)
        .fetch_all(&mut *conn, |r| r.try_get("id"))
        .await
}
