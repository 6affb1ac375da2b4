//! Thread lists: a group's threads by activity (with filters) and a person's recent threads.

use super::{THREAD_COLUMNS, THREAD_FROM, Thread, thread_from_row};
use crate::groups::GroupId;
use crate::users::UserId;
use crate::{Conn, Result, Row, query};

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
    /// The order, pinned threads first in each.
    pub sort: ThreadSort,
}

/// How a group's threads are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ThreadSort {
    /// Latest activity first.
    #[default]
    Activity,
    /// Newest thread first.
    Newest,
    /// Those with something the viewer has not read first, then by latest activity.
    UnreadFirst,
}

impl ThreadSort {
    /// From a query string's word; anything else is the default.
    pub fn parse(s: &str) -> Self {
        match s {
            "newest" => Self::Newest,
            "unread" => Self::UnreadFirst,
            _ => Self::Activity,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Activity => "activity",
            Self::Newest => "newest",
            Self::UnreadFirst => "unread",
        }
    }
}

/// The conditions of a group's thread list (`$1` the group, `$2` the viewer, `${tag}` the tag).
/// The `WHERE` of a group's list: `$1` the group; the tag's placeholder is `tag` (`None`: no tag
/// clause at all, for a statement that binds no tag).
fn group_conditions(include_private: bool, filter: &ThreadFilter, signed_in: bool, tag: Option<usize>) -> String {
    let privacy = if include_private { "" } else { "AND t.private = 0" };
    let status = match filter.closed {
        Some(true) => "AND t.closed_at IS NOT NULL",
        Some(false) => "AND t.closed_at IS NULL",
        None => "",
    };
    let unread = if filter.unread && signed_in {
        "AND t.last_seq > COALESCE(r.read_seq, -1)"
    } else {
        ""
    };
    let tagged = tag.map_or(String::new(), |tag| {
        format!(
            "AND (${tag} = '' OR EXISTS (SELECT 1 FROM thread_tags tt JOIN tags tg ON tg.id = tt.tag_id \
             WHERE tt.thread_id = t.id AND tg.name = ${tag}))"
        )
    });
    format!("t.group_id = $1 {privacy} {status} {unread} {tagged}")
}

/// How many threads `for_group` lists in all, for "31–60 of 3 466".
pub async fn count_for_group(
    conn: &mut Conn,
    group_id: GroupId,
    viewer: Option<UserId>,
    include_private: bool,
    filter: &ThreadFilter,
) -> Result<i64> {
    // Only what the filter needs: read marks for "unread", the tag for a tag. Counted over the
    // group's index alone otherwise (a join per thread made the count cost more than the page).
    let unread = filter.unread && viewer.is_some();
    let tag = (!filter.tag.is_empty()).then_some(if unread { 3 } else { 2 });
    let join = if unread {
        "LEFT JOIN thread_reads r ON r.thread_id = t.id AND r.user_id = $2"
    } else {
        ""
    };
    let sql = format!(
        "SELECT COUNT(*) FROM threads t {join} WHERE {}",
        group_conditions(include_private, filter, unread, tag)
    );
    let mut q = query(sql).bind(group_id);
    if unread {
        q = q.bind(viewer.map_or(-1, |v| v.0));
    }
    if tag.is_some() {
        q = q.bind(filter.tag.as_str());
    }
    q.fetch_scalar(&mut *conn).await
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
    let order = match filter.sort {
        ThreadSort::Activity => "t.last_activity_at DESC, t.id DESC",
        ThreadSort::Newest => "t.created_at DESC, t.id DESC",
        ThreadSort::UnreadFirst => {
            "CASE WHEN t.last_seq > COALESCE(r.read_seq, -1) THEN 0 ELSE 1 END, t.last_activity_at DESC, t.id DESC"
        }
    };
    let sql = format!(
        "SELECT {THREAD_COLUMNS}, g.key AS group_key, g.name AS group_name, r.read_seq {THREAD_FROM} \
         JOIN groups g ON g.id = t.group_id \
         LEFT JOIN thread_reads r ON r.thread_id = t.id AND r.user_id = $2 \
         WHERE {} \
         ORDER BY CASE WHEN t.pinned_at IS NULL THEN 1 ELSE 0 END, {order} LIMIT $3 OFFSET $4",
        group_conditions(include_private, filter, viewer.is_some(), Some(5))
    );
    let rows = query(sql)
        .bind(group_id)
        .bind(viewer.map_or(-1, |v| v.0))
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
                     WHERE r3.thread_id = t3.id AND r3.user_id = $1 AND r3.chosen_volume = 'mute') \
                 ORDER BY t3.last_activity_at DESC LIMIT 1 OFFSET $3), $4) \
             WHERE m.user_id = $1 \
             UNION SELECT t4.id, t4.group_id, t4.last_activity_at FROM thread_guests tg \
             JOIN threads t4 ON t4.id = tg.thread_id WHERE tg.user_id = $1) c \
           JOIN groups g2 ON g2.id = c.group_id \
           WHERE g2.archived_at IS NULL AND NOT EXISTS (SELECT 1 FROM thread_reads r2 \
               WHERE r2.thread_id = c.id AND r2.user_id = $1 AND r2.chosen_volume = 'mute') \
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
