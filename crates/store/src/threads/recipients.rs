//! Whom a notification about a thread (or a poll on its own in a group) is for: those who hear of
//! a comment, a group's members, mentioned people, a poll's voters; each with their effective
//! volume.

use weft_domain::permissions::Role;
use weft_domain::threads::Volume;

use super::ThreadId;
use crate::groups::GroupId;
use crate::{Conn, Result, flag, query};

/// Whom a notification about a thread is for.
#[derive(Debug, Clone, Copy)]
pub enum Audience<'a> {
    /// Whoever may hear of a new comment: those whose volume for the thread is loud (chosen for
    /// the thread, or for the group without a thread choice), and those who took part (wrote
    /// the thread, commented, voted in one of its polls); at most 10 000.
    Comment,
    /// Every member of the group (a new thread), at most 100 000.
    Members,
    /// The people with these usernames (the ones a text mentions).
    Usernames(&'a [String]),
    /// Active members of the group and guests of the thread whose username or name starts with
    /// this (lowercase, already trimmed), at most 50, by username: whom `@ad…` may mean.
    Prefix(&'a str),
    /// Some of the people concerned by a poll of the thread.
    Poll {
        poll_id: crate::polls::PollId,
        /// The poll names its voters (`poll_voters`) rather than asking every member.
        named_voters: bool,
        who: PollAudience,
    },
}

/// Whom of a poll's people an email is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollAudience {
    /// Everyone who may vote: the group's members and the thread's guests, or the named voters.
    Electorate,
    /// Everyone with a receipt.
    Voted,
    /// The electorate without a receipt.
    Undecided,
    /// The poll's author, and those whose choice for the poll, its thread or its group is loud
    /// (the effective volume is the caller's to check).
    Loud,
    /// Who raised it.
    Author,
    /// One person (an outcome's author), if they may still read the thread.
    Person(crate::users::UserId),
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
    /// Their effective volume: the poll's choice, else the thread's, else the group's, else
    /// normal (`Volume::effective`, computed in the statement).
    pub volume: Volume,
    /// They wrote the thread, commented in it or voted in one of its polls (read for
    /// `Audience::Comment` only; `false` otherwise).
    pub took_part: bool,
}

/// Someone's part in a thread, as SQL over `u` and the thread `$1`.
const TOOK_PART: &str = "(EXISTS (SELECT 1 FROM comments c WHERE c.thread_id = $1 AND c.author_id = u.id) \
    OR EXISTS (SELECT 1 FROM threads t WHERE t.id = $1 AND t.author_id = u.id) \
    OR EXISTS (SELECT 1 FROM vote_receipts vr JOIN polls p ON p.id = vr.poll_id WHERE p.thread_id = $1 AND vr.user_id = u.id))";

/// The people of `audience` with their roles, guest flag and volume, in one statement however
/// many there are (a comment's fan-out must not cost a round trip per follower).
pub async fn recipients(
    conn: &mut Conn,
    thread_id: Option<ThreadId>,
    group_id: GroupId,
    parent_group_id: Option<GroupId>,
    audience: Audience<'_>,
) -> Result<Vec<Recipient>> {
    let (from, filter) = match audience {
        Audience::Comment => (
            "users u LEFT JOIN thread_reads r ON r.thread_id = $1 AND r.user_id = u.id",
            "u.id IN (SELECT user_id FROM thread_reads WHERE thread_id = $1 AND chosen_volume = 'loud' \
                 UNION SELECT user_id FROM memberships WHERE group_id = $2 AND volume = 'loud' \
                 UNION SELECT author_id FROM comments WHERE thread_id = $1 AND author_id IS NOT NULL \
                 UNION SELECT author_id FROM threads WHERE id = $1 AND author_id IS NOT NULL \
                 UNION SELECT vr.user_id FROM vote_receipts vr JOIN polls p ON p.id = vr.poll_id WHERE p.thread_id = $1) \
                 ORDER BY u.id LIMIT 10000"
                .to_owned(),
        ),
        Audience::Members => (
            "users u LEFT JOIN thread_reads r ON r.thread_id = $1 AND r.user_id = u.id",
            "u.id IN (SELECT user_id FROM memberships WHERE group_id = $2) ORDER BY u.id LIMIT 100000".to_owned(),
        ),
        Audience::Prefix(_) => (
            "users u LEFT JOIN thread_reads r ON r.thread_id = $1 AND r.user_id = u.id",
            "u.id IN (SELECT user_id FROM memberships WHERE group_id = $2 \
                 UNION SELECT user_id FROM thread_guests WHERE thread_id = $1) \
             AND u.state = 'active' AND (u.username LIKE $4 ESCAPE '\\' OR LOWER(u.name) LIKE $4 ESCAPE '\\') \
             ORDER BY u.username LIMIT 50"
                .to_owned(),
        ),
        Audience::Usernames([]) => return Ok(Vec::new()),
        Audience::Usernames(names) => (
            "users u LEFT JOIN thread_reads r ON r.thread_id = $1 AND r.user_id = u.id",
            format!("u.username IN ({}) ORDER BY u.id", crate::parameters(4, names.len())),
        ),
        Audience::Poll { named_voters, who, .. } => {
            let electorate = if named_voters {
                "SELECT user_id FROM poll_voters WHERE poll_id = $4"
            } else {
                // `$4 > 0` only gives the poll's parameter a type where it is not otherwise used.
                "SELECT user_id FROM memberships WHERE group_id = $2 AND $4 > 0 \
                 UNION SELECT user_id FROM thread_guests WHERE thread_id = $1"
            };
            let voted = "SELECT user_id FROM vote_receipts WHERE poll_id = $4";
            let filter = match who {
                PollAudience::Electorate => format!("u.id IN ({electorate})"),
                PollAudience::Voted => format!("u.id IN ({voted})"),
                PollAudience::Undecided => format!("u.id IN ({electorate}) AND u.id NOT IN ({voted})"),
                PollAudience::Author => "u.id = (SELECT author_id FROM polls WHERE id = $4)".to_owned(),
                PollAudience::Loud => format!(
                    "u.id IN ({electorate}) AND u.id IN (SELECT author_id FROM polls WHERE id = $4 \
                     UNION SELECT user_id FROM poll_volumes WHERE poll_id = $4 AND volume = 'loud' \
                     UNION SELECT user_id FROM thread_reads WHERE thread_id = $1 AND chosen_volume = 'loud' \
                     UNION SELECT user_id FROM memberships WHERE group_id = $2 AND volume = 'loud')"
                ),
                PollAudience::Person(_) => "u.id = $5 AND $4 > 0".to_owned(),
            };
            (
                "users u LEFT JOIN thread_reads r ON r.thread_id = $1 AND r.user_id = u.id",
                format!("{filter} ORDER BY u.id LIMIT 10000"),
            )
        }
    };
    // A poll's own volume comes first; the poll is always `$4` in its audiences.
    let (poll_join, volume) = match audience {
        Audience::Poll { .. } => (
            "LEFT JOIN poll_volumes pv ON pv.poll_id = $4 AND pv.user_id = u.id",
            "COALESCE(pv.volume, r.chosen_volume, m.volume, 'normal')",
        ),
        _ => ("", "COALESCE(r.chosen_volume, m.volume, 'normal')"),
    };
    let took_part = match audience {
        Audience::Comment => format!("CASE WHEN {TOOK_PART} THEN 1 ELSE 0 END"),
        _ => "0".to_owned(),
    };
    let sql = format!(
        "SELECT {users}, m.role AS member_role, pm.role AS parent_role, {volume} AS volume, {took_part} AS took_part, \
         CASE WHEN EXISTS (SELECT 1 FROM thread_guests g WHERE g.thread_id = $1 AND g.user_id = u.id) THEN 1 ELSE 0 END AS guest \
         FROM {from} \
         LEFT JOIN memberships m ON m.group_id = $2 AND m.user_id = u.id \
         LEFT JOIN memberships pm ON pm.group_id = $3 AND pm.user_id = u.id \
         {poll_join} \
         WHERE {filter}",
        users = crate::users::U_COLUMNS,
    );
    let mut q = query(sql)
        // A poll on its own in a group: no thread, so no thread row, guest or volume is found.
        .bind(thread_id.map_or(0, |t| t.0))
        .bind(group_id)
        // No parent: an id no group has, so the join finds nothing (a typed NULL would need a cast).
        .bind(parent_group_id.map_or(0, |v| v.0));
    match audience {
        Audience::Usernames(names) => {
            for name in names {
                q = q.bind(name.as_str());
            }
        }
        Audience::Prefix(prefix) => {
            let escaped: String = prefix
                .chars()
                .flat_map(|c| match c {
                    '%' | '_' | '\\' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            q = q.bind(format!("{escaped}%"));
        }
        Audience::Poll { poll_id, who, .. } => {
            q = q.bind(poll_id);
            if let PollAudience::Person(id) = who {
                q = q.bind(id);
            }
        }
        Audience::Comment | Audience::Members => {}
    }
    let rows = q
        .fetch_all(&mut *conn, |r| {
            let role = |column: &str| {
                Ok::<_, crate::StoreError>(
                    r.try_get::<Option<String>, _>(column)?
                        .map(|s| Role::from_stored(&s))
                        .transpose()?,
                )
            };
            Ok(Recipient {
                user: crate::users::from_row(r)?,
                role: role("member_role")?,
                parent_role: role("parent_role")?,
                guest: flag(r.try_get("guest")?),
                volume: Volume::from_stored(&r.try_get::<String, _>("volume")?)?,
                took_part: flag(r.try_get("took_part")?),
            })
        })
        .await?;
    Ok(rows)
}
