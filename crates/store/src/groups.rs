//! The `groups`, `memberships` and `membership_requests` tables.

use weft_domain::groups::{GroupFlags, GroupPrivacy, JoinPolicy, ThreadPrivacy};
use weft_domain::permissions::Role;
use weft_domain::{EmailAddress, Timestamp, Username};

use crate::users::UserId;
use crate::{Conn, Result, Row, flag, query};

pub use crate::ids::GroupId;

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
    members_can_delete_comments, members_can_raise_polls, admins_can_edit_user_content, archived_at, created_at";

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
         members_can_raise_polls, admins_can_edit_user_content, key, parent_id, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22) RETURNING id",
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
         members_can_raise_polls = $17, admins_can_edit_user_content = $18, updated_at = $19 WHERE id = $20",
    );
    bind_settings(q, s)
        .bind(now.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
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
pub async fn open_by_key(conn: &mut Conn, key: &str, viewer: Option<UserId>) -> Result<Option<Opened>> {
    let sql = format!(
        "SELECT {group}, g.member_count, {parent}, m.role AS viewer_role, pm.role AS viewer_parent_role \
         FROM groups g LEFT JOIN groups p ON p.id = g.parent_id \
         LEFT JOIN memberships m ON m.group_id = g.id AND m.user_id = $2 \
         LEFT JOIN memberships pm ON pm.group_id = g.parent_id AND pm.user_id = $2 \
         WHERE g.key = $1",
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

// ---- memberships ----

/// Locks the group's row until the transaction ends, so rules that count members (the last
/// coordinator) hold under concurrent changes on PostgreSQL.
pub async fn lock(conn: &mut Conn, backend: crate::Backend, id: GroupId) -> Result<()> {
    let sql = format!("SELECT id FROM groups WHERE id = $1 {}", backend.for_update());
    query(sql).bind(id).fetch_optional(&mut *conn, |_| Ok(())).await?;
    Ok(())
}

pub async fn role_of(conn: &mut Conn, group_id: GroupId, user_id: UserId) -> Result<Option<Role>> {
    let row = query("SELECT role FROM memberships WHERE group_id = $1 AND user_id = $2")
        .bind(group_id)
        .bind(user_id)
        .fetch_optional(&mut *conn, |r| Ok(Role::from_stored(&r.try_get::<String, _>("role")?)?))
        .await?;
    Ok(row)
}

/// `StoreError::Conflict` when already a member.
pub async fn add_member(
    conn: &mut Conn,
    group_id: GroupId,
    user_id: UserId,
    role: Role,
    inviter: Option<UserId>,
    now: Timestamp,
) -> Result<()> {
    query("INSERT INTO memberships (group_id, user_id, role, inviter_id, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(group_id)
        .bind(user_id)
        .bind(role.as_str())
        .bind(inviter)
        .bind(now.micros())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Adds a membership unless there is one already (then nothing changes); `true` if added. Unlike
/// a failed insert, this leaves a PostgreSQL transaction usable.
pub async fn ensure_member(
    conn: &mut Conn,
    group_id: GroupId,
    user_id: UserId,
    role: Role,
    inviter: Option<UserId>,
    now: Timestamp,
) -> Result<bool> {
    let done = query(
        "INSERT INTO memberships (group_id, user_id, role, inviter_id, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (group_id, user_id) DO NOTHING",
    )
    .bind(group_id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(inviter)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a membership, and the memberships of the same user in the group's subgroups.
pub async fn remove_member(conn: &mut Conn, group_id: GroupId, user_id: UserId) -> Result<bool> {
    query("DELETE FROM memberships WHERE user_id = $1 AND group_id IN (SELECT id FROM groups WHERE parent_id = $2)")
        .bind(user_id)
        .bind(group_id)
        .execute(&mut *conn)
        .await?;
    let done = query("DELETE FROM memberships WHERE group_id = $1 AND user_id = $2")
        .bind(group_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_role(conn: &mut Conn, group_id: GroupId, user_id: UserId, role: Role) -> Result<bool> {
    let done = query("UPDATE memberships SET role = $1 WHERE group_id = $2 AND user_id = $3")
        .bind(role.as_str())
        .bind(group_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn count_admins(conn: &mut Conn, group_id: GroupId) -> Result<i64> {
    let row = query("SELECT COUNT(*) AS n FROM memberships WHERE group_id = $1 AND role = 'admin'")
        .bind(group_id)
        .fetch_one(&mut *conn, |r| r.try_get("n"))
        .await?;
    Ok(row)
}

#[derive(Debug, Clone)]
/// A member as stored. Name, username and address only while the account is active (P9: a
/// deactivated member is not named).
pub struct Member {
    pub user_key: String,
    pub user_id: UserId,
    pub name: Option<String>,
    pub username: Option<Username>,
    pub email: Option<EmailAddress>,
    pub role: Role,
    pub joined_at: Timestamp,
}

/// One page of members: admins first, then by name. One query, whatever the group's size.
pub async fn members(conn: &mut Conn, group_id: GroupId, limit: i64, offset: i64) -> Result<Vec<Member>> {
    let rows = query(
        "SELECT u.key, u.id, CASE WHEN u.state = 'active' THEN u.name END AS name, \
         CASE WHEN u.state = 'active' THEN u.username END AS username, \
         CASE WHEN u.state = 'active' THEN u.email END AS email, m.role, m.created_at FROM memberships m \
         JOIN users u ON u.id = m.user_id WHERE m.group_id = $1 \
         ORDER BY CASE WHEN m.role = 'admin' THEN 0 ELSE 1 END, CASE WHEN u.state = 'active' THEN 0 ELSE 1 END, \
         CASE WHEN u.state = 'active' THEN u.name ELSE '' END, u.id LIMIT $2 OFFSET $3",
    )
    .bind(group_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn, |r| {
        Ok(Member {
            user_key: r.try_get("key")?,
            user_id: r.try_get("id")?,
            name: r.try_get("name")?,
            username: r.try_get::<Option<String>, _>("username")?.map(Username::from_trusted),
            email: r.try_get::<Option<String>, _>("email")?.map(EmailAddress::from_trusted),
            role: Role::from_stored(&r.try_get::<String, _>("role")?)?,
            joined_at: Timestamp(r.try_get("created_at")?),
        })
    })
    .await?;
    Ok(rows)
}

// ---- membership requests ----

#[derive(Debug, Clone)]
pub struct MembershipRequest {
    pub id: i64,
    pub user_id: UserId,
    pub name: String,
    pub username: Username,
    pub introduction: String,
    pub created_at: Timestamp,
}

pub async fn pending_request_exists(conn: &mut Conn, group_id: GroupId, user_id: UserId) -> Result<bool> {
    let row = query(
        "SELECT COUNT(*) AS n FROM membership_requests WHERE group_id = $1 AND user_id = $2 AND status = 'pending'",
    )
    .bind(group_id)
    .bind(user_id)
    .fetch_one(&mut *conn, |r| r.try_get::<i64, _>("n"))
    .await?;
    Ok(row > 0)
}

pub async fn add_request(
    conn: &mut Conn,
    group_id: GroupId,
    user_id: UserId,
    introduction: &str,
    now: Timestamp,
) -> Result<()> {
    query("INSERT INTO membership_requests (group_id, user_id, introduction, status, created_at) VALUES ($1, $2, $3, 'pending', $4)")
        .bind(group_id)
        .bind(user_id)
        .bind(introduction)
        .bind(now.micros())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The pending requests of people whose accounts are active: a deactivated person's request waits,
/// unnamed and unlisted, until they come back (P9).
pub async fn pending_requests(conn: &mut Conn, group_id: GroupId) -> Result<Vec<MembershipRequest>> {
    let rows = query(
        "SELECT r.id, r.user_id, u.name, u.username, r.introduction, r.created_at FROM membership_requests r \
         JOIN users u ON u.id = r.user_id WHERE r.group_id = $1 AND r.status = 'pending' AND u.state = 'active' \
         ORDER BY r.id LIMIT 200",
    )
    .bind(group_id)
    .fetch_all(&mut *conn, |r| {
        Ok(MembershipRequest {
            id: r.try_get("id")?,
            user_id: r.try_get("user_id")?,
            name: r.try_get("name")?,
            username: Username::from_trusted(r.try_get("username")?),
            introduction: r.try_get("introduction")?,
            created_at: Timestamp(r.try_get("created_at")?),
        })
    })
    .await?;
    Ok(rows)
}

/// Answers a pending request of this group; the requester's id, or `None` if there was none.
pub async fn respond_to_request(
    conn: &mut Conn,
    group_id: GroupId,
    request_id: i64,
    status: &str,
    responder: UserId,
    now: Timestamp,
) -> Result<Option<UserId>> {
    let row = query(
        "UPDATE membership_requests SET status = $1, responder_id = $2, responded_at = $3 \
         WHERE id = $4 AND group_id = $5 AND status = 'pending' \
         AND user_id IN (SELECT id FROM users WHERE state = 'active') RETURNING user_id",
    )
    .bind(status)
    .bind(responder)
    .bind(now.micros())
    .bind(request_id)
    .bind(group_id)
    .fetch_optional(&mut *conn, |r| r.try_get("user_id"))
    .await?;
    Ok(row)
}

// ---- the shareable invitation link ----

/// The group's current shareable link secret, if it has one switched on.
pub async fn invite_link(conn: &mut Conn, id: GroupId) -> Result<Option<String>> {
    let row = query("SELECT invite_link_token FROM groups WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn, |r| r.try_get::<Option<String>, _>("invite_link_token"))
        .await?;
    Ok(row.flatten())
}

/// Sets a new link secret (the old link stops working) or switches the link off with `None`.
pub async fn set_invite_link(conn: &mut Conn, id: GroupId, token: Option<&str>) -> Result<()> {
    query("UPDATE groups SET invite_link_token = $1 WHERE id = $2")
        .bind(token)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn find_by_invite_link(conn: &mut Conn, token: &str) -> Result<Option<Group>> {
    let sql = format!(
        "SELECT {} FROM groups g WHERE g.invite_link_token = $1",
        columns_of("g")
    );
    let row = query(sql).bind(token).fetch_optional(&mut *conn, from_row).await?;
    Ok(row)
}

// ---- the Explore directory ----

/// One page of open, unarchived groups whose admins chose to list them (never a subgroup of a
/// secret group, which the permission rule hides from the public), with member counts, by size then name; `search` matches names, case-insensitively. One statement.
pub async fn explore(conn: &mut Conn, search: &str, limit: i64, offset: i64) -> Result<Vec<(Group, i64)>> {
    let cols = columns_of("g");
    let sql = format!(
        "SELECT {cols}, g.member_count FROM groups g \
         WHERE g.privacy = 'open' AND g.listed_in_explore = 1 AND g.archived_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM groups p WHERE p.id = g.parent_id AND p.privacy = 'secret') \
         AND LOWER(g.name) LIKE $1 ESCAPE '\\' ORDER BY g.member_count DESC, g.name, g.id LIMIT $2 OFFSET $3"
    );
    let pattern = format!(
        "%{}%",
        search
            .trim()
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let rows = query(sql)
        .bind(pattern)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *conn, |r| Ok((from_row(r)?, r.try_get("member_count")?)))
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

/// The coordinators of a group, to tell them about something only they handle.
pub async fn admin_ids(conn: &mut Conn, group_id: GroupId) -> Result<Vec<UserId>> {
    let rows = query("SELECT user_id FROM memberships WHERE group_id = $1 AND role = 'admin' ORDER BY user_id")
        .bind(group_id)
        .fetch_all(&mut *conn, |r| r.try_get::<UserId, _>(0))
        .await?;
    Ok(rows)
}
