//! Whom a notification about a thread (or a poll on its own in a group) is for: followers,
//! mentioned people, a poll's voters.

use weft_domain::permissions::Role;
use weft_domain::threads::Volume;

use super::ThreadId;
use crate::groups::GroupId;
use crate::{Conn, Result, flag, query};

/// Whom a notification about a thread is for.
#[derive(Debug, Clone, Copy)]
pub enum Audience<'a> {
    /// Everyone following the thread loudly (an email for every comment), at most 10 000.
    Followers,
    /// The people with these usernames (the ones a text mentions).
    Usernames(&'a [String]),
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
    /// How loudly they follow the thread ("normal" when they never chose).
    pub volume: Volume,
}

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
        Audience::Followers => (
            "thread_reads r JOIN users u ON u.id = r.user_id",
            "r.thread_id = $1 AND r.volume = 'follow' ORDER BY r.user_id LIMIT 10000".to_owned(),
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
                PollAudience::Person(_) => "u.id = $5 AND $4 > 0".to_owned(),
            };
            (
                "users u LEFT JOIN thread_reads r ON r.thread_id = $1 AND r.user_id = u.id",
                format!("{filter} ORDER BY u.id LIMIT 10000"),
            )
        }
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
        Audience::Poll { poll_id, who, .. } => {
            q = q.bind(poll_id);
            if let PollAudience::Person(id) = who {
                q = q.bind(id);
            }
        }
        Audience::Followers => {}
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
            })
        })
        .await?;
    Ok(rows)
}
