//! The group aggregate in the store: the `groups` table here (rows, opening a group with its
//! viewer's roles, settings, archive, delete, deletion summary), memberships and coordinators in
//! `members.rs`, requests to join in `requests.rs`, the shareable link in `invite_link.rs`, the
//! Explore directory in `explore.rs`.

use weft_domain::groups::{GroupFlags, GroupPrivacy, JoinPolicy, ThreadPrivacy};
use weft_domain::permissions::Role;
use weft_domain::{EmailAddress, Timestamp, Username};

use crate::users::UserId;
use crate::{Conn, Result, Row, flag, query};

pub use crate::ids::GroupId;

mod explore;
mod invite_link;
mod members;
mod requests;

pub use explore::*;
pub use invite_link::*;
pub use members::*;
pub use requests::*;

#[derive(Debug, Clone)]
pub struct Group {
    pub id: GroupId,
    pub key: String,
    pub parent_id: Option<GroupId>,
    pub name: String,
    pub handle: String,
    pub description: String,
    pub privacy: GroupPrivacy,
    pub join_policy: JoinPolicy,
    pub thread_privacy: ThreadPrivacy,
    pub visible_to_parent_members: bool,
    pub listed_in_explore: bool,
    pub flags: GroupFlags,
    pub archived_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// The parent's privacy, read with the group (a subgroup of a secret parent is hidden from
    /// people outside the parent).
    pub parent_privacy: Option<GroupPrivacy>,
}

const COLUMNS: &str = "id, key, parent_id, name, handle, description, privacy, join_policy, thread_privacy, \
    visible_to_parent_members, listed_in_explore, members_can_add_members, members_can_add_guests, members_can_announce, \
    members_can_create_subgroups, members_can_start_threads, members_can_edit_threads, members_can_edit_comments, \
    members_can_delete_comments, members_can_raise_polls, admins_can_edit_user_content, start_threads_by_email, archived_at, created_at";

pub(crate) fn from_row(r: &Row<'_>) -> Result<Group> {
    let f = |name: &str| -> Result<bool> { Ok(flag(r.try_get(name)?)) };
    let invalid = |e: weft_domain::FieldError| crate::StoreError::Decode {
        column: "flags".into(),
        reason: e.message,
    };
    Ok(Group {
        id: r.try_get("id")?,
        key: r.try_get("key")?,
        parent_id: r.try_get("parent_id")?,
        name: r.try_get("name")?,
        handle: r.try_get("handle")?,
        description: r.try_get("description")?,
        privacy: GroupPrivacy::parse(&r.try_get::<String, _>("privacy")?).map_err(invalid)?,
        join_policy: JoinPolicy::parse(&r.try_get::<String, _>("join_policy")?).map_err(invalid)?,
        thread_privacy: ThreadPrivacy::parse(&r.try_get::<String, _>("thread_privacy")?).map_err(invalid)?,
        visible_to_parent_members: f("visible_to_parent_members")?,
        listed_in_explore: f("listed_in_explore")?,
        flags: GroupFlags {
            members_can_add_members: f("members_can_add_members")?,
            members_can_add_guests: f("members_can_add_guests")?,
            members_can_announce: f("members_can_announce")?,
            members_can_create_subgroups: f("members_can_create_subgroups")?,
            members_can_start_threads: f("members_can_start_threads")?,
            members_can_edit_threads: f("members_can_edit_threads")?,
            members_can_edit_comments: f("members_can_edit_comments")?,
            members_can_delete_comments: f("members_can_delete_comments")?,
            members_can_raise_polls: f("members_can_raise_polls")?,
            admins_can_edit_user_content: f("admins_can_edit_user_content")?,
            start_threads_by_email: f("start_threads_by_email")?,
        },
        archived_at: r.try_get::<Option<i64>, _>("archived_at")?.map(Timestamp),
        created_at: Timestamp(r.try_get("created_at")?),
        parent_privacy: r
            .try_get::<Option<String>, _>("parent_privacy")?
            .map(|p| GroupPrivacy::parse(&p))
            .transpose()
            .map_err(invalid)?,
    })
}

/// `COLUMNS` qualified with a table alias, and the parent's privacy (one primary-key lookup).
fn columns_of(alias: &str) -> String {
    prefixed_columns(alias, "")
}

/// `columns_of`, each named `{prefix}{column}`, for a statement that also reads another row type
/// with the same column names (`from_row` then reads `row.prefixed(prefix)`).
pub(crate) fn prefixed_columns(alias: &str, prefix: &str) -> String {
    let mut cols = COLUMNS
        .split(", ")
        .map(|c| {
            if prefix.is_empty() {
                format!("{alias}.{c}")
            } else {
                format!("{alias}.{c} AS {prefix}{c}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    cols.push_str(&format!(
        ", (SELECT pg.privacy FROM groups pg WHERE pg.id = {alias}.parent_id) AS {prefix}parent_privacy"
    ));
    cols
}

/// Everything an admin can set on a group.
#[derive(Debug, Clone)]
pub struct GroupSettings<'a> {
    pub name: &'a str,
    pub handle: &'a str,
    pub description: &'a str,
    pub privacy: GroupPrivacy,
    pub join_policy: JoinPolicy,
    pub thread_privacy: ThreadPrivacy,
    pub visible_to_parent_members: bool,
    pub listed_in_explore: bool,
    pub flags: GroupFlags,
}

fn bind_settings<'q>(q: crate::db::Query<'q>, s: &'q GroupSettings<'q>) -> crate::db::Query<'q> {
    let b = |v: bool| i64::from(v);
    q.bind(s.name)
        .bind(s.handle)
        .bind(s.description)
        .bind(s.privacy.as_str())
        .bind(s.join_policy.as_str())
        .bind(s.thread_privacy.as_str())
        .bind(b(s.visible_to_parent_members))
        .bind(b(s.listed_in_explore))
        .bind(b(s.flags.members_can_add_members))
        .bind(b(s.flags.members_can_add_guests))
        .bind(b(s.flags.members_can_announce))
        .bind(b(s.flags.members_can_create_subgroups))
        .bind(b(s.flags.members_can_start_threads))
        .bind(b(s.flags.members_can_edit_threads))
        .bind(b(s.flags.members_can_edit_comments))
        .bind(b(s.flags.members_can_delete_comments))
        .bind(b(s.flags.members_can_raise_polls))
        .bind(b(s.flags.admins_can_edit_user_content))
        .bind(b(s.flags.start_threads_by_email))
}

/// `StoreError::Conflict` when the handle (or key) is taken.
pub async fn insert(
    conn: &mut Conn,
    key: &str,
    parent_id: Option<GroupId>,
    s: &GroupSettings<'_>,
    created_by: UserId,
    now: Timestamp,
) -> Result<GroupId> {
    let q = query(
        "INSERT INTO groups (name, handle, description, privacy, join_policy, thread_privacy, visible_to_parent_members, \
         listed_in_explore, members_can_add_members, members_can_add_guests, members_can_announce, members_can_create_subgroups, \
         members_can_start_threads, members_can_edit_threads, members_can_edit_comments, members_can_delete_comments, \
         members_can_raise_polls, admins_can_edit_user_content, start_threads_by_email, key, parent_id, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $23) RETURNING id",
    );
    let row = bind_settings(q, s)
        .bind(key)
        .bind(parent_id)
        .bind(created_by)
        .bind(now.micros())
        .fetch_one(&mut *conn, |r| r.try_get("id"))
        .await?;
    Ok(row)
}

/// `StoreError::Conflict` when the new handle is taken.
pub async fn update(conn: &mut Conn, id: GroupId, s: &GroupSettings<'_>, now: Timestamp) -> Result<()> {
    let q = query(
        "UPDATE groups SET name = $1, handle = $2, description = $3, privacy = $4, join_policy = $5, thread_privacy = $6, \
         visible_to_parent_members = $7, listed_in_explore = $8, members_can_add_members = $9, members_can_add_guests = $10, \
         members_can_announce = $11, members_can_create_subgroups = $12, members_can_start_threads = $13, \
         members_can_edit_threads = $14, members_can_edit_comments = $15, members_can_delete_comments = $16, \
         members_can_raise_polls = $17, admins_can_edit_user_content = $18, start_threads_by_email = $19, updated_at = $20 \
         WHERE id = $21",
    );
    bind_settings(q, s)
        .bind(now.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The group with this handle (its public email address), exactly.
pub async fn find_by_handle(conn: &mut Conn, handle: &str) -> Result<Option<Group>> {
    let sql = format!("SELECT {} FROM groups g WHERE g.handle = $1", columns_of("g"));
    let row = query(sql).bind(handle).fetch_optional(&mut *conn, from_row).await?;
    Ok(row)
}

pub async fn find_by_key(conn: &mut Conn, key: &str) -> Result<Option<Group>> {
    let sql = format!("SELECT {} FROM groups g WHERE g.key = $1", columns_of("g"));
    let row = query(sql).bind(key).fetch_optional(&mut *conn, from_row).await?;
    Ok(row)
}

/// A group opened by someone: the group, its parent, its size and the viewer's roles.
#[derive(Debug, Clone)]
pub struct Opened {
    pub group: Group,
    pub parent: Option<Group>,
    pub member_count: i64,
    pub role: Option<Role>,
    pub parent_role: Option<Role>,
}

/// Everything opening a group needs, in one statement (`viewer`: `None` when not logged in).
/// `key` is the group's key or its handle (`/g/<handle>`); a key wins over a handle that happens
/// to read the same.
pub async fn open_by_key(conn: &mut Conn, key: &str, viewer: Option<UserId>) -> Result<Option<Opened>> {
    let sql = format!(
        "SELECT {group}, g.member_count, {parent}, m.role AS viewer_role, pm.role AS viewer_parent_role \
         FROM groups g LEFT JOIN groups p ON p.id = g.parent_id \
         LEFT JOIN memberships m ON m.group_id = g.id AND m.user_id = $2 \
         LEFT JOIN memberships pm ON pm.group_id = g.parent_id AND pm.user_id = $2 \
         WHERE g.key = $1 OR g.handle = $1 ORDER BY CASE WHEN g.key = $1 THEN 0 ELSE 1 END LIMIT 1",
        group = columns_of("g"),
        parent = prefixed_columns("p", "p_"),
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
            let parent = match r.try_get::<Option<i64>, _>("p_id")? {
                Some(_) => Some(from_row(&r.prefixed("p_"))?),
                None => None,
            };
            Ok(Opened {
                group: from_row(r)?,
                parent,
                member_count: r.try_get("member_count")?,
                role: role(r, "viewer_role")?,
                parent_role: role(r, "viewer_parent_role")?,
            })
        })
        .await
}

pub async fn find(conn: &mut Conn, id: GroupId) -> Result<Option<Group>> {
    let sql = format!("SELECT {} FROM groups g WHERE g.id = $1", columns_of("g"));
    let row = query(sql).bind(id).fetch_optional(&mut *conn, from_row).await?;
    Ok(row)
}

pub async fn handle_taken(conn: &mut Conn, handle: &str, except: Option<GroupId>) -> Result<bool> {
    let row = query("SELECT COUNT(*) AS n FROM groups WHERE handle = $1 AND id <> $2")
        .bind(handle)
        .bind(except.map_or(-1, |v| v.0))
        .fetch_one(&mut *conn, |r| r.try_get::<i64, _>("n"))
        .await?;
    Ok(row > 0)
}

pub async fn set_archived(conn: &mut Conn, id: GroupId, at: Option<Timestamp>) -> Result<()> {
    query("UPDATE groups SET archived_at = $1 WHERE id = $2")
        .bind(at.map(Timestamp::micros))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deletes the group; subgroups, memberships and requests go with it (ON DELETE CASCADE).
pub async fn delete(conn: &mut Conn, id: GroupId) -> Result<()> {
    query("DELETE FROM groups WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Subgroups of `parent_id` with `user_id`'s role in each, in one statement.
pub async fn subgroups_with_role(
    conn: &mut Conn,
    parent_id: GroupId,
    user_id: Option<UserId>,
) -> Result<Vec<(Group, Option<Role>)>> {
    let cols = columns_of("g");
    let sql = format!(
        "SELECT {cols}, m.role AS member_role FROM groups g \
         LEFT JOIN memberships m ON m.group_id = g.id AND m.user_id = $2 \
         WHERE g.parent_id = $1 ORDER BY g.name, g.id LIMIT 500"
    );
    let rows = query(sql)
        .bind(parent_id)
        .bind(user_id.map_or(-1, |v| v.0))
        .fetch_all(&mut *conn, |r| {
            Ok((
                from_row(r)?,
                r.try_get::<Option<String>, _>("member_role")?
                    .map(|s| Role::from_stored(&s))
                    .transpose()?,
            ))
        })
        .await?;
    Ok(rows)
}

/// The groups a user belongs to, with their role, by name.
pub async fn for_user(conn: &mut Conn, user_id: UserId) -> Result<Vec<(Group, Role)>> {
    let cols = columns_of("g");
    let sql = format!(
        "SELECT {cols}, m.role AS member_role FROM groups g JOIN memberships m ON m.group_id = g.id \
         WHERE m.user_id = $1 ORDER BY g.name, g.id LIMIT 1000"
    );
    let rows = query(sql)
        .bind(user_id)
        .fetch_all(&mut *conn, |r| {
            Ok((
                from_row(r)?,
                Role::from_stored(&r.try_get::<String, _>("member_role")?)?,
            ))
        })
        .await?;
    Ok(rows)
}

/// The names of the groups `user_id` is the only coordinator of.
pub async fn solely_coordinated(conn: &mut Conn, user_id: UserId) -> Result<Vec<String>> {
    let rows = query(
        "SELECT g.name FROM groups g JOIN memberships m ON m.group_id = g.id AND m.user_id = $1 AND m.role = 'admin' \
         WHERE (SELECT COUNT(*) FROM memberships a WHERE a.group_id = g.id AND a.role = 'admin') = 1 ORDER BY g.name",
    )
    .bind(user_id)
    .fetch_all(&mut *conn, |r| r.try_get("name"))
    .await?;
    Ok(rows)
}

/// What deleting a group would delete, counted over it and its subgroups (P11's dry run).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeletionSummary {
    pub subgroups: i64,
    pub memberships: i64,
    pub threads: i64,
    pub comments: i64,
    pub invitations: i64,
}

pub async fn deletion_summary(conn: &mut Conn, id: GroupId) -> Result<DeletionSummary> {
    query(
        "SELECT (SELECT COUNT(*) FROM groups WHERE parent_id = $1) AS subgroups, \
         (SELECT COUNT(*) FROM memberships WHERE group_id IN (SELECT id FROM groups WHERE id = $1 OR parent_id = $1)) AS memberships, \
         (SELECT COUNT(*) FROM threads WHERE group_id IN (SELECT id FROM groups WHERE id = $1 OR parent_id = $1)) AS threads, \
         (SELECT COUNT(*) FROM comments WHERE thread_id IN (SELECT id FROM threads WHERE group_id IN \
             (SELECT id FROM groups WHERE id = $1 OR parent_id = $1))) AS comments, \
         (SELECT COUNT(*) FROM invitations WHERE group_id IN (SELECT id FROM groups WHERE id = $1 OR parent_id = $1)) AS invitations",
    )
    .bind(id)
    .fetch_one(&mut *conn, |row| {
        Ok(DeletionSummary {
            subgroups: row.try_get("subgroups")?,
            memberships: row.try_get("memberships")?,
            threads: row.try_get("threads")?,
            comments: row.try_get("comments")?,
            invitations: row.try_get("invitations")?,
        })
    })
    .await
}
