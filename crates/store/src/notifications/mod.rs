//! The notification aggregate's tables: `notifications` here (a person's list: written by the
//! fan-outs, read a page at a time with what the permission rule needs to decide whether each
//! item may still be shown), and the volumes of memberships and polls in `volumes.rs` (a thread's
//! is in `threads/reads.rs`, beside how far the person has read it).

pub mod digest;
mod volumes;

pub use volumes::*;

use weft_domain::Timestamp;
use weft_domain::notifications::Kind;
use weft_domain::permissions::Role;

use crate::groups::{Group, GroupId};
use crate::polls::PollId;
use crate::threads::ThreadId;
use crate::users::UserId;
use crate::{Conn, Result, Row, flag, query};

/// One notification to write.
#[derive(Debug, Clone, Copy)]
pub struct NewNotification {
    pub user_id: UserId,
    pub kind: Kind,
    pub group_id: GroupId,
    pub thread_id: Option<ThreadId>,
    pub poll_id: Option<PollId>,
    pub seq: i64,
    pub actor_id: Option<UserId>,
}

/// Writes `rows`, 200 per statement, in the caller's transaction.
pub async fn insert_many(conn: &mut Conn, rows: &[NewNotification], now: Timestamp) -> Result<()> {
    for chunk in rows.chunks(200) {
        let sql = format!(
            "INSERT INTO notifications (user_id, kind, group_id, thread_id, poll_id, seq, actor_id, created_at) VALUES {}",
            crate::value_rows(chunk.len(), 8)
        );
        let mut q = query(sql);
        for n in chunk {
            q = q
                .bind(n.user_id)
                .bind(n.kind.as_str())
                .bind(n.group_id)
                .bind(n.thread_id)
                .bind(n.poll_id)
                .bind(n.seq)
                .bind(n.actor_id)
                .bind(now.micros());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A reaction to someone's comment: counted into their unread notification about that comment
/// if there is one (the latest reactor named), otherwise a new one.
pub async fn add_reaction(conn: &mut Conn, n: &NewNotification, now: Timestamp) -> Result<()> {
    let bumped = query(
        "UPDATE notifications SET count = count + 1, actor_id = $1, created_at = $2 \
         WHERE user_id = $3 AND kind = 'reaction' AND thread_id = $4 AND seq = $5 AND read_at IS NULL",
    )
    .bind(n.actor_id)
    .bind(now.micros())
    .bind(n.user_id)
    .bind(n.thread_id)
    .bind(n.seq)
    .execute(&mut *conn)
    .await?;
    if bumped.rows_affected() == 0 {
        insert_many(conn, std::slice::from_ref(n), now).await?;
    }
    Ok(())
}

/// A notification as listed, with its place and the reader's standing there (the permission
/// rule decides, in `app`, whether it may still be shown).
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: i64,
    pub kind: Kind,
    pub seq: i64,
    pub count: i64,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
    /// `None` when the actor deleted or deactivated their account (P9), or there is none.
    pub actor_name: Option<String>,
    pub group: Group,
    pub thread: Option<ListedThread>,
    pub poll: Option<ListedPoll>,
    /// The reader's role in the group and in its parent; whether they are a guest of the thread.
    pub role: Option<Role>,
    pub parent_role: Option<Role>,
    pub guest: bool,
    /// The reader is a named voter of the poll.
    pub named: bool,
}

#[derive(Debug, Clone)]
pub struct ListedThread {
    pub key: String,
    pub title: String,
    pub private: bool,
    pub closed: bool,
}

#[derive(Debug, Clone)]
pub struct ListedPoll {
    pub id: PollId,
    pub key: String,
    pub title: String,
    /// A poll on its own in the group (no thread).
    pub on_its_own: bool,
}

/// Which of a person's notifications to read.
#[derive(Debug, Clone, Copy)]
pub enum Which {
    /// All, newest first, older than `before` (an id) when given.
    Page { before: Option<i64> },
    /// Unread only, newest first.
    Unread,
}

/// Up to `limit` of `user_id`'s notifications, newest first, each with its place and the reader's
/// roles: one statement.
pub async fn list(conn: &mut Conn, user_id: UserId, which: Which, limit: i64) -> Result<Vec<Listed>> {
    let filter = match which {
        Which::Page { before: Some(_) } => "n.user_id = $1 AND n.id < $3",
        Which::Page { before: None } => "n.user_id = $1 AND $3 = 0",
        Which::Unread => "n.user_id = $1 AND n.read_at IS NULL AND $3 = 0",
    };
    let sql = format!(
        "SELECT n.id, n.kind, n.seq, n.count, n.created_at, n.read_at, \
         CASE WHEN a.state = 'active' THEN a.name END AS actor_name, {group}, \
         t.key AS t_key, t.title AS t_title, t.private AS t_private, t.closed_at AS t_closed_at, \
         p.id AS p_id, p.key AS p_key, p.title AS p_title, p.thread_id AS p_thread_id, \
         m.role AS viewer_role, pm.role AS viewer_parent_role, \
         CASE WHEN n.thread_id IS NOT NULL AND EXISTS (SELECT 1 FROM thread_guests tg WHERE tg.thread_id = n.thread_id AND tg.user_id = $1) \
              THEN 1 ELSE 0 END AS viewer_guest, \
         CASE WHEN n.poll_id IS NOT NULL AND EXISTS (SELECT 1 FROM poll_voters pv WHERE pv.poll_id = n.poll_id AND pv.user_id = $1) \
              THEN 1 ELSE 0 END AS viewer_named \
         FROM notifications n JOIN groups g ON g.id = n.group_id \
         LEFT JOIN users a ON a.id = n.actor_id \
         LEFT JOIN threads t ON t.id = n.thread_id \
         LEFT JOIN polls p ON p.id = n.poll_id \
         LEFT JOIN memberships m ON m.group_id = g.id AND m.user_id = $1 \
         LEFT JOIN memberships pm ON pm.group_id = g.parent_id AND pm.user_id = $1 \
         WHERE {filter} ORDER BY n.id DESC LIMIT $2",
        group = crate::groups::prefixed_columns("g", "g_"),
    );
    let before = match which {
        Which::Page { before: Some(b) } => b,
        _ => 0,
    };
    query(sql)
        .bind(user_id)
        .bind(limit)
        .bind(before)
        .fetch_all(&mut *conn, listed_from_row)
        .await
}

fn listed_from_row(r: &Row<'_>) -> Result<Listed> {
    let role = |column: &str| -> Result<Option<Role>> {
        Ok(r.try_get::<Option<String>, _>(column)?
            .map(|s| Role::from_stored(&s))
            .transpose()?)
    };
    let thread = match r.try_get::<Option<String>, _>("t_key")? {
        Some(key) => Some(ListedThread {
            key,
            title: r.try_get("t_title")?,
            private: flag(r.try_get("t_private")?),
            closed: r.try_get::<Option<i64>, _>("t_closed_at")?.is_some(),
        }),
        None => None,
    };
    let poll = match r.try_get::<Option<PollId>, _>("p_id")? {
        Some(id) => Some(ListedPoll {
            id,
            key: r.try_get("p_key")?,
            title: r.try_get("p_title")?,
            on_its_own: r.try_get::<Option<ThreadId>, _>("p_thread_id")?.is_none(),
        }),
        None => None,
    };
    Ok(Listed {
        id: r.try_get("id")?,
        kind: Kind::from_stored(&r.try_get::<String, _>("kind")?)?,
        seq: r.try_get("seq")?,
        count: r.try_get("count")?,
        created_at: Timestamp(r.try_get("created_at")?),
        read_at: r.try_get::<Option<i64>, _>("read_at")?.map(Timestamp),
        actor_name: r.try_get("actor_name")?,
        group: crate::groups::from_row(&r.prefixed("g_"))?,
        thread,
        poll,
        role: role("viewer_role")?,
        parent_role: role("viewer_parent_role")?,
        guest: flag(r.try_get("viewer_guest")?),
        named: flag(r.try_get("viewer_named")?),
    })
}

/// Marks these of `user_id`'s notifications read (someone else's ids change nothing).
pub async fn mark_read(conn: &mut Conn, user_id: UserId, ids: &[i64], now: Timestamp) -> Result<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL AND id IN ({})",
        crate::parameters(3, ids.len())
    );
    let mut q = query(sql).bind(now.micros()).bind(user_id);
    for id in ids {
        q = q.bind(*id);
    }
    q.execute(&mut *conn).await.map(|d| d.rows_affected())
}

/// Marks all of `user_id`'s notifications read.
pub async fn mark_all_read(conn: &mut Conn, user_id: UserId, now: Timestamp) -> Result<u64> {
    query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
        .bind(now.micros())
        .bind(user_id)
        .execute(&mut *conn)
        .await
        .map(|d| d.rows_affected())
}

/// Reading a thread up to `seq` reads its notifications about what the reader has now seen.
pub async fn mark_read_in_thread(
    conn: &mut Conn,
    user_id: UserId,
    thread_id: ThreadId,
    upto_seq: i64,
    now: Timestamp,
) -> Result<u64> {
    query(
        "UPDATE notifications SET read_at = $1 \
         WHERE user_id = $2 AND thread_id = $3 AND seq <= $4 AND read_at IS NULL",
    )
    .bind(now.micros())
    .bind(user_id)
    .bind(thread_id)
    .bind(upto_seq)
    .execute(&mut *conn)
    .await
    .map(|d| d.rows_affected())
}

/// Notifications older than `before`, read or not, go (the retention purge).
pub async fn purge_older_than(conn: &mut Conn, before: Timestamp) -> Result<u64> {
    query("DELETE FROM notifications WHERE created_at < $1")
        .bind(before.micros())
        .execute(&mut *conn)
        .await
        .map(|d| d.rows_affected())
}
