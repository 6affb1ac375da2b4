//! The catch-up digest's rows: each person's schedule on `users` (`digest`, `digest_day`,
//! `digest_due_at`, `digest_since`), who is due, and what a digest holds: the threads of the
//! person's groups (and those they are a guest of) with something they have not read since the
//! last digest, and those new items, each read with what the permission rule needs.

use weft_domain::Timestamp;
use weft_domain::notifications::digest::{Cadence, Day};
use weft_domain::permissions::Role;

use crate::groups::Group;
use crate::ids::PollId;
use crate::threads::ThreadId;
use crate::users::{U_COLUMNS, User, UserId};
use crate::{Conn, Result, Row, flag, query};

/// Someone's digest choice as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub cadence: Cadence,
    pub day: Day,
    pub due_at: Option<Timestamp>,
}

pub async fn schedule_of(conn: &mut Conn, user_id: UserId) -> Result<Stored> {
    query("SELECT digest, digest_day, digest_due_at FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut *conn, |r| {
            Ok(Stored {
                cadence: Cadence::from_stored(&r.try_get::<String, _>("digest")?)?,
                day: Day::from_stored(&r.try_get::<String, _>("digest_day")?)?,
                due_at: r.try_get::<Option<i64>, _>("digest_due_at")?.map(Timestamp),
            })
        })
        .await
}

/// Sets someone's choice; the next digest covers what happens from `since`.
pub async fn set_schedule(
    conn: &mut Conn,
    user_id: UserId,
    cadence: Cadence,
    day: Day,
    due_at: Option<Timestamp>,
    since: Timestamp,
) -> Result<()> {
    query(
        "UPDATE users SET digest = $1, digest_day = $2, digest_due_at = $3, \
         digest_since = CASE WHEN digest_since IS NULL OR $3 IS NULL THEN $4 ELSE digest_since END WHERE id = $5",
    )
    .bind(cadence.as_str())
    .bind(day.as_str())
    .bind(due_at.map(Timestamp::micros))
    .bind(since.micros())
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One person whose digest is due.
#[derive(Debug, Clone)]
pub struct Due {
    pub user: User,
    pub cadence: Cadence,
    pub day: Day,
    pub due_at: Timestamp,
    /// The digest covers what happened after this.
    pub since: Timestamp,
}

/// Up to `limit` people whose digest is due at `now`, the longest waiting first.
pub async fn due(conn: &mut Conn, now: Timestamp, limit: i64) -> Result<Vec<Due>> {
    query(format!(
        "SELECT {U_COLUMNS}, u.digest, u.digest_day, u.digest_due_at, u.digest_since FROM users u \
         WHERE u.digest_due_at IS NOT NULL AND u.digest_due_at <= $1 ORDER BY u.digest_due_at, u.id LIMIT $2"
    ))
    .bind(now.micros())
    .bind(limit)
    .fetch_all(&mut *conn, |r| {
        let due_at = Timestamp(r.try_get("digest_due_at")?);
        Ok(Due {
            user: crate::users::from_row(r)?,
            cadence: Cadence::from_stored(&r.try_get::<String, _>("digest")?)?,
            day: Day::from_stored(&r.try_get::<String, _>("digest_day")?)?,
            due_at,
            since: r.try_get::<Option<i64>, _>("digest_since")?.map_or(due_at, Timestamp),
        })
    })
    .await
}

/// Moves someone's digest on from the one due at `was_due` (to `next`, or none), the next one
/// covering from `since`, only if nobody else did it first: `false` when another instance (or an
/// earlier try) already handled that period. This and the email are one transaction, so each
/// period is handled exactly once.
pub async fn advance(
    conn: &mut Conn,
    user_id: UserId,
    was_due: Timestamp,
    next: Option<Timestamp>,
    since: Timestamp,
) -> Result<bool> {
    let done = query("UPDATE users SET digest_due_at = $1, digest_since = $2 WHERE id = $3 AND digest_due_at = $4")
        .bind(next.map(Timestamp::micros))
        .bind(since.micros())
        .bind(user_id)
        .bind(was_due.micros())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The soonest digest due, for the job to sleep until then.
pub async fn next_due(conn: &mut Conn) -> Result<Option<Timestamp>> {
    query("SELECT MIN(digest_due_at) AS t FROM users WHERE digest_due_at IS NOT NULL")
        .fetch_one(&mut *conn, |r| Ok(r.try_get::<Option<i64>, _>("t")?.map(Timestamp)))
        .await
}

/// A thread with something new for the reader, and the reader's standing there.
#[derive(Debug, Clone)]
pub struct DigestThread {
    pub id: ThreadId,
    pub key: String,
    pub title: String,
    pub context: String,
    pub private: bool,
    pub closed: bool,
    /// Started since the last digest (its context is news too).
    pub new: bool,
    pub author_id: Option<UserId>,
    pub author_name: Option<String>,
    pub group: Group,
    pub role: Option<Role>,
    pub parent_role: Option<Role>,
    pub guest: bool,
}

/// The reader's threads (their groups', unarchived, and those they are a guest of) with activity
/// after `since` that they have not read all of and have not muted, most recent first; at most
/// `limit`. Driven by the reader's memberships and `threads_group_recent`, one statement.
pub async fn threads(conn: &mut Conn, user_id: UserId, since: Timestamp, limit: i64) -> Result<Vec<DigestThread>> {
    let sql = format!(
        "SELECT t.id, t.key, t.title, t.context, t.private, t.closed_at, t.created_at, \
         t.author_id, CASE WHEN a.state = 'active' THEN a.name END AS author_name, {group}, \
         m.role AS viewer_role, pm.role AS viewer_parent_role, \
         CASE WHEN tg.user_id IS NULL THEN 0 ELSE 1 END AS viewer_guest \
         FROM (SELECT t2.id FROM memberships m2 JOIN threads t2 ON t2.group_id = m2.group_id AND t2.last_activity_at > $2 \
               WHERE m2.user_id = $1 \
               UNION SELECT t3.id FROM thread_guests tg3 JOIN threads t3 ON t3.id = tg3.thread_id AND t3.last_activity_at > $2 \
               WHERE tg3.user_id = $1) c \
         JOIN threads t ON t.id = c.id JOIN groups g ON g.id = t.group_id \
         LEFT JOIN users a ON a.id = t.author_id \
         LEFT JOIN memberships m ON m.group_id = t.group_id AND m.user_id = $1 \
         LEFT JOIN memberships pm ON pm.group_id = g.parent_id AND pm.user_id = $1 \
         LEFT JOIN thread_guests tg ON tg.thread_id = t.id AND tg.user_id = $1 \
         LEFT JOIN thread_reads r ON r.thread_id = t.id AND r.user_id = $1 \
         WHERE g.archived_at IS NULL AND (r.read_seq IS NULL OR t.last_seq > r.read_seq) \
         AND COALESCE(r.chosen_volume, m.volume, 'normal') <> 'mute' \
         ORDER BY t.last_activity_at DESC, t.id DESC LIMIT $3",
        group = crate::groups::prefixed_columns("g", "g_"),
    );
    query(sql)
        .bind(user_id)
        .bind(since.micros())
        .bind(limit)
        .fetch_all(&mut *conn, |r| {
            let role = |column: &str| -> Result<Option<Role>> {
                Ok(r.try_get::<Option<String>, _>(column)?
                    .map(|s| Role::from_stored(&s))
                    .transpose()?)
            };
            Ok(DigestThread {
                id: r.try_get("id")?,
                key: r.try_get("key")?,
                title: r.try_get("title")?,
                context: r.try_get("context")?,
                private: flag(r.try_get("private")?),
                closed: r.try_get::<Option<i64>, _>("closed_at")?.is_some(),
                new: r.try_get::<i64, _>("created_at")? > since.micros(),
                author_id: r.try_get("author_id")?,
                author_name: r.try_get("author_name")?,
                group: crate::groups::from_row(&r.prefixed("g_"))?,
                role: role("viewer_role")?,
                parent_role: role("viewer_parent_role")?,
                guest: flag(r.try_get("viewer_guest")?),
            })
        })
        .await
}

/// Something new in a thread: a comment (its body) or a poll raised or decided.
#[derive(Debug, Clone)]
pub struct DigestItem {
    pub thread_id: ThreadId,
    pub seq: i64,
    pub author_id: Option<UserId>,
    pub author_name: Option<String>,
    pub what: ItemKind,
    /// How many new items the thread has in all (the digest shows the latest few).
    pub of: i64,
}

#[derive(Debug, Clone)]
pub enum ItemKind {
    Comment {
        body: String,
    },
    PollRaised {
        poll_id: PollId,
        key: String,
        title: String,
        named: bool,
    },
    Outcome {
        poll_id: PollId,
        key: String,
        title: String,
        named: bool,
    },
}

/// The latest `per_thread` items of each of `threads` that the reader has not read and that came
/// after `since` (comments not deleted; polls raised and outcomes written), newest first, with how
/// many there are in all. One statement for all the threads.
pub async fn items(
    conn: &mut Conn,
    user_id: UserId,
    threads: &[ThreadId],
    since: Timestamp,
    per_thread: i64,
) -> Result<Vec<DigestItem>> {
    if threads.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::parameters(4, threads.len());
    // The names and the reader's named-voter flags are read after the ranking: a few rows.
    let sql = format!(
        "SELECT ranked.thread_id, ranked.seq, ranked.what, ranked.body, ranked.poll_id, ranked.poll_key, \
         ranked.poll_title, ranked.total, ranked.actor_id, CASE WHEN a.state = 'active' THEN a.name END AS author_name, \
         CASE WHEN ranked.poll_id IS NOT NULL AND EXISTS (SELECT 1 FROM poll_voters pv \
              WHERE pv.poll_id = ranked.poll_id AND pv.user_id = $1) THEN 1 ELSE 0 END AS named \
         FROM (SELECT x.*, ROW_NUMBER() OVER (PARTITION BY x.thread_id ORDER BY x.seq DESC) AS rn, \
           COUNT(*) OVER (PARTITION BY x.thread_id) AS total FROM ( \
             SELECT c.thread_id, c.seq, c.author_id AS actor_id, 'comment' AS what, c.body, \
                    NULL AS poll_id, '' AS poll_key, '' AS poll_title \
             FROM comments c LEFT JOIN thread_reads r ON r.thread_id = c.thread_id AND r.user_id = $1 \
             WHERE c.thread_id IN ({list}) AND c.created_at > $2 AND c.deleted_at IS NULL \
             AND c.seq > COALESCE(r.read_seq, 0) \
             UNION ALL \
             SELECT e.thread_id, e.seq, e.actor_id, e.kind AS what, '' AS body, \
                    p.id AS poll_id, p.key AS poll_key, p.title AS poll_title \
             FROM events e JOIN polls p ON p.id = e.poll_id \
             LEFT JOIN thread_reads r ON r.thread_id = e.thread_id AND r.user_id = $1 \
             WHERE e.thread_id IN ({list}) AND e.created_at > $2 AND e.kind IN ('poll_raised', 'outcome_written') \
             AND e.seq > COALESCE(r.read_seq, 0)) x) ranked \
         LEFT JOIN users a ON a.id = ranked.actor_id \
         WHERE ranked.rn <= $3 ORDER BY ranked.thread_id, ranked.seq DESC"
    );
    let mut q = query(sql).bind(user_id).bind(since.micros()).bind(per_thread);
    for t in threads {
        q = q.bind(*t);
    }
    q.fetch_all(&mut *conn, item_from_row).await
}

fn item_from_row(r: &Row<'_>) -> Result<DigestItem> {
    let what: String = r.try_get("what")?;
    let poll = || -> Result<(PollId, String, String, bool)> {
        Ok((
            r.try_get("poll_id")?,
            r.try_get("poll_key")?,
            r.try_get("poll_title")?,
            flag(r.try_get("named")?),
        ))
    };
    let what = match what.as_str() {
        "comment" => ItemKind::Comment {
            body: r.try_get("body")?,
        },
        "poll_raised" => {
            let (poll_id, key, title, named) = poll()?;
            ItemKind::PollRaised {
                poll_id,
                key,
                title,
                named,
            }
        }
        _ => {
            let (poll_id, key, title, named) = poll()?;
            ItemKind::Outcome {
                poll_id,
                key,
                title,
                named,
            }
        }
    };
    Ok(DigestItem {
        thread_id: r.try_get("thread_id")?,
        seq: r.try_get("seq")?,
        author_id: r.try_get("actor_id")?,
        author_name: r.try_get("author_name")?,
        what,
        of: r.try_get("total")?,
    })
}
