//! The poll aggregate's tables: `polls` here, and one file per part (options, votes with their
//! choices and receipts, outcomes, timeline events). Counting is one aggregate statement per
//! poll, whatever its number of votes; the voter list pages.

mod announced;
mod options;
mod outcomes;
mod reactions;
mod templates;
mod voters;
mod votes;

pub use crate::threads::events::*;
pub use announced::*;
pub use options::*;
pub use outcomes::*;
pub use reactions::*;
pub use templates::*;
pub use voters::*;
pub use votes::*;

use weft_domain::Timestamp;
use weft_domain::polls::{ClosingSoon, Counting, Electorate, HideResults, PollKind, PollSpec, ReasonRule, VoteRules};

use crate::groups::GroupId;
use crate::threads::{ThreadId, ts};
use crate::users::UserId;
use crate::{Conn, Result, Row, flag, query};

pub use crate::ids::{EventId, OptionId, OutcomeId, PollId, VoteId};

#[derive(Debug, Clone)]
#[allow(clippy::struct_excessive_bools)]
pub struct Poll {
    pub id: PollId,
    pub key: String,
    pub group_id: GroupId,
    pub thread_id: Option<ThreadId>,
    pub thread_key: Option<String>,
    /// The group's key (a poll on its own in a group is opened through it).
    pub group_key: String,
    pub author_id: Option<UserId>,
    /// `None` when the author is not active (P9) or deleted their account.
    pub author_name: Option<String>,
    pub kind: PollKind,
    pub title: String,
    pub details: String,
    pub opening_at: Option<Timestamp>,
    pub closing_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub anonymous: bool,
    pub hide_results: HideResults,
    pub reason_prompt: String,
    pub rules: VoteRules,
    pub shuffle_options: bool,
    pub voters_can_add_options: bool,
    pub target: Option<i64>,
    pub electorate: Electorate,
    pub closing_soon: ClosingSoon,
    pub notify_on_open: bool,
    pub voter_count: i64,
    /// Current ballots without a choice (none of the above).
    pub without_choice: i64,
    /// Ranked choice: how it is counted and how many win.
    pub counting: Counting,
    pub seats: i64,
    pub quorum_percent: Option<i64>,
    /// Who might vote when it closed (`None` while open).
    pub eligible_at_close: Option<i64>,
    /// Meeting polls: the zone the slots were typed in, and each slot's length in minutes.
    pub time_zone: String,
    pub slot_minutes: i64,
    pub edited_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

const POLL_COLUMNS: &str = "p.id, p.key, p.group_id, p.thread_id, t.key AS thread_key, g.key AS group_key, p.author_id, \
    CASE WHEN a.state = 'active' THEN a.name END AS author_name, p.kind, p.title, p.details, p.opening_at, \
    p.closing_at, p.closed_at, p.anonymous, p.hide_results, p.reason_rule, p.reason_prompt, p.min_choices, \
    p.max_choices, p.none_of_the_above, p.shuffle_options, p.voters_can_add_options, p.dots_per_person, \
    p.score_min, p.score_max, p.target, p.electorate, p.closing_soon, p.notify_on_open, p.voter_count, \
    p.without_choice, p.counting, p.seats, p.quorum_percent, p.eligible_at_close, p.time_zone, p.slot_minutes, p.edited_at, \
    p.created_at";
const POLL_FROM: &str = "FROM polls p JOIN groups g ON g.id = p.group_id LEFT JOIN users a ON a.id = p.author_id \
     LEFT JOIN threads t ON t.id = p.thread_id";

fn poll_from_row(r: &Row<'_>) -> Result<Poll> {
    let kind = PollKind::from_stored(&r.try_get::<String, _>("kind")?)?;
    Ok(Poll {
        id: r.try_get("id")?,
        key: r.try_get("key")?,
        group_id: r.try_get("group_id")?,
        thread_id: r.try_get("thread_id")?,
        thread_key: r.try_get("thread_key")?,
        group_key: r.try_get("group_key")?,
        author_id: r.try_get("author_id")?,
        author_name: r.try_get("author_name")?,
        kind,
        title: r.try_get("title")?,
        details: r.try_get("details")?,
        opening_at: ts(r, "opening_at")?,
        closing_at: Timestamp(r.try_get("closing_at")?),
        closed_at: ts(r, "closed_at")?,
        anonymous: flag(r.try_get("anonymous")?),
        hide_results: HideResults::from_stored(&r.try_get::<String, _>("hide_results")?)?,
        reason_prompt: r.try_get("reason_prompt")?,
        rules: VoteRules {
            kind,
            min_choices: r.try_get("min_choices")?,
            max_choices: r.try_get("max_choices")?,
            none_of_the_above: flag(r.try_get("none_of_the_above")?),
            dots_per_person: r.try_get("dots_per_person")?,
            score_min: r.try_get("score_min")?,
            score_max: r.try_get("score_max")?,
            reason: ReasonRule::from_stored(&r.try_get::<String, _>("reason_rule")?)?,
        },
        shuffle_options: flag(r.try_get("shuffle_options")?),
        voters_can_add_options: flag(r.try_get("voters_can_add_options")?),
        target: r.try_get("target")?,
        electorate: Electorate::from_stored(&r.try_get::<String, _>("electorate")?)?,
        closing_soon: ClosingSoon::from_stored(&r.try_get::<String, _>("closing_soon")?)?,
        notify_on_open: flag(r.try_get("notify_on_open")?),
        voter_count: r.try_get("voter_count")?,
        without_choice: r.try_get("without_choice")?,
        counting: Counting::from_stored(&r.try_get::<String, _>("counting")?)?,
        seats: r.try_get("seats")?,
        quorum_percent: r.try_get("quorum_percent")?,
        eligible_at_close: r.try_get("eligible_at_close")?,
        time_zone: r.try_get("time_zone")?,
        slot_minutes: r.try_get("slot_minutes")?,
        edited_at: ts(r, "edited_at")?,
        created_at: Timestamp(r.try_get("created_at")?),
    })
}

/// Inserts the poll and its options; returns its id.
pub async fn insert(
    conn: &mut Conn,
    key: &str,
    group_id: GroupId,
    thread_id: Option<ThreadId>,
    author_id: UserId,
    spec: &PollSpec,
    now: Timestamp,
) -> Result<PollId> {
    let r = &spec.rules;
    let id: PollId = query(
        "INSERT INTO polls (key, group_id, thread_id, author_id, kind, title, details, opening_at, closing_at, \
         anonymous, hide_results, reason_rule, reason_prompt, min_choices, max_choices, none_of_the_above, \
         shuffle_options, voters_can_add_options, dots_per_person, score_min, score_max, target, electorate, \
         closing_soon, notify_on_open, created_at, counting, seats, quorum_percent, time_zone, slot_minutes) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, \
         $24, $25, $26, $27, $28, $29, $30, $31) RETURNING id",
    )
    .bind(key)
    .bind(group_id)
    .bind(thread_id)
    .bind(author_id)
    .bind(spec.kind.as_str())
    .bind(spec.title.as_str())
    .bind(spec.details.as_str())
    .bind(spec.opening_at.map(Timestamp::micros))
    .bind(spec.closing_at.micros())
    .bind(spec.anonymous)
    .bind(spec.hide_results.as_str())
    .bind(r.reason.as_str())
    .bind(spec.reason_prompt.as_str())
    .bind(r.min_choices)
    .bind(r.max_choices)
    .bind(r.none_of_the_above)
    .bind(spec.shuffle_options)
    .bind(spec.voters_can_add_options)
    .bind(r.dots_per_person)
    .bind(r.score_min)
    .bind(r.score_max)
    .bind(spec.target)
    .bind(spec.electorate.as_str())
    .bind(spec.closing_soon.as_str())
    .bind(spec.notify_on_open)
    .bind(now.micros())
    .bind(spec.counting.as_str())
    .bind(spec.seats)
    .bind(spec.quorum_percent)
    .bind(spec.time_zone.as_str())
    .bind(spec.slot_minutes)
    .fetch_one(&mut *conn, |r| r.try_get("id"))
    .await?;
    insert_options(conn, id, spec, now).await?;
    Ok(id)
}

async fn insert_options(conn: &mut Conn, id: PollId, spec: &PollSpec, now: Timestamp) -> Result<()> {
    for (position, name) in spec.options.iter().enumerate() {
        let option = add_option(conn, id, i64::try_from(position).unwrap_or(i64::MAX), name, None, now).await?;
        if let Some(Some(test)) = spec.pass_tests.get(position) {
            set_pass_test(conn, option, test).await?;
        }
        if let Some(start) = spec.slot_starts.get(position) {
            set_starts_at(conn, option, *start).await?;
        }
    }
    Ok(())
}

/// Changes what may change before the first vote: title, details, options and settings. The
/// options are replaced (nobody has chosen any yet).
pub async fn update(conn: &mut Conn, id: PollId, spec: &PollSpec, now: Timestamp) -> Result<()> {
    let r = &spec.rules;
    query(
        "UPDATE polls SET title = $1, details = $2, opening_at = $3, closing_at = $4, hide_results = $5, \
         reason_rule = $6, reason_prompt = $7, min_choices = $8, max_choices = $9, none_of_the_above = $10, \
         shuffle_options = $11, voters_can_add_options = $12, dots_per_person = $13, score_min = $14, \
         score_max = $15, target = $16, closing_soon = $17, notify_on_open = $18, edited_at = $19, counting = $20, \
         seats = $21, quorum_percent = $22, time_zone = $23, slot_minutes = $24 WHERE id = $25",
    )
    .bind(spec.title.as_str())
    .bind(spec.details.as_str())
    .bind(spec.opening_at.map(Timestamp::micros))
    .bind(spec.closing_at.micros())
    .bind(spec.hide_results.as_str())
    .bind(r.reason.as_str())
    .bind(spec.reason_prompt.as_str())
    .bind(r.min_choices)
    .bind(r.max_choices)
    .bind(r.none_of_the_above)
    .bind(spec.shuffle_options)
    .bind(spec.voters_can_add_options)
    .bind(r.dots_per_person)
    .bind(r.score_min)
    .bind(r.score_max)
    .bind(spec.target)
    .bind(spec.closing_soon.as_str())
    .bind(spec.notify_on_open)
    .bind(now.micros())
    .bind(spec.counting.as_str())
    .bind(spec.seats)
    .bind(spec.quorum_percent)
    .bind(spec.time_zone.as_str())
    .bind(spec.slot_minutes)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    query("DELETE FROM poll_options WHERE poll_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    insert_options(conn, id, spec, now).await
}

pub async fn find_by_key(conn: &mut Conn, key: &str) -> Result<Option<Poll>> {
    let sql = format!("SELECT {POLL_COLUMNS} {POLL_FROM} WHERE p.key = $1");
    query(sql).bind(key).fetch_optional(&mut *conn, poll_from_row).await
}

pub async fn find_by_id(conn: &mut Conn, id: PollId) -> Result<Option<Poll>> {
    let sql = format!("SELECT {POLL_COLUMNS} {POLL_FROM} WHERE p.id = $1");
    query(sql).bind(id).fetch_optional(&mut *conn, poll_from_row).await
}

/// A thread's polls, newest first (a thread holds a handful).
pub async fn of_thread(conn: &mut Conn, thread_id: ThreadId) -> Result<Vec<Poll>> {
    let sql = format!(
        "SELECT {POLL_COLUMNS} {POLL_FROM} WHERE p.thread_id = $1 ORDER BY p.created_at DESC, p.id DESC LIMIT 100"
    );
    query(sql).bind(thread_id).fetch_all(&mut *conn, poll_from_row).await
}

/// A group's polls that stand on their own (not in a thread): open ones first, by closing time,
/// then the closed ones, newest first; one page.
pub async fn of_group(conn: &mut Conn, group_id: GroupId, offset: i64, limit: i64) -> Result<Vec<Poll>> {
    let sql = format!(
        "SELECT {POLL_COLUMNS} {POLL_FROM} WHERE p.group_id = $1 AND p.thread_id IS NULL \
         ORDER BY CASE WHEN p.closed_at IS NULL THEN 0 ELSE 1 END, \
         CASE WHEN p.closed_at IS NULL THEN p.closing_at ELSE -p.closed_at END, p.id DESC LIMIT $2 OFFSET $3"
    );
    query(sql)
        .bind(group_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *conn, poll_from_row)
        .await
}

/// Closes the poll now unless it is closed already, noting how many might have voted (its
/// quorum's whole from then on); `false` when it was closed.
pub async fn close(conn: &mut Conn, poll: &Poll, now: Timestamp) -> Result<bool> {
    let eligible = eligible(conn, poll).await?;
    let done = query("UPDATE polls SET closed_at = $1, eligible_at_close = $2 WHERE id = $3 AND closed_at IS NULL")
        .bind(now.micros())
        .bind(eligible)
        .bind(poll.id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Opens a closed poll again until `closing_at`.
pub async fn reopen(conn: &mut Conn, id: PollId, closing_at: Timestamp) -> Result<()> {
    query("UPDATE polls SET closed_at = NULL, eligible_at_close = NULL, closing_at = $1 WHERE id = $2")
        .bind(closing_at.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Moves the closing time of a poll that is not closed.
pub async fn set_closing_at(conn: &mut Conn, id: PollId, closing_at: Timestamp) -> Result<()> {
    query("UPDATE polls SET closing_at = $1 WHERE id = $2 AND closed_at IS NULL")
        .bind(closing_at.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, id: PollId) -> Result<()> {
    query("DELETE FROM polls WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Open polls whose closing time has passed (the closing jobs' safety net at start).
pub async fn overdue(conn: &mut Conn, now: Timestamp, limit: i64) -> Result<Vec<PollId>> {
    query("SELECT id FROM polls WHERE closed_at IS NULL AND closing_at <= $1 ORDER BY closing_at LIMIT $2")
        .bind(now.micros())
        .bind(limit)
        .fetch_all(&mut *conn, |r| r.try_get("id"))
        .await
}

/// Reads the poll and holds it until the transaction ends (PostgreSQL: `FOR UPDATE`; SQLite's one
/// writer holds everything already), so a vote and a close cannot interleave: a vote decided on
/// an open poll is stored before the close, or sees the poll closed.
pub async fn lock(conn: &mut Conn, backend: crate::Backend, id: PollId) -> Result<Option<Poll>> {
    let lock = match backend {
        crate::Backend::Postgres => " FOR UPDATE OF p",
        crate::Backend::Sqlite => "",
    };
    let sql = format!("SELECT {POLL_COLUMNS} {POLL_FROM} WHERE p.id = $1{lock}");
    query(sql).bind(id).fetch_optional(&mut *conn, poll_from_row).await
}

/// Whether the poll names this person among its voters.
pub async fn is_named(conn: &mut Conn, id: PollId, user_id: UserId) -> Result<bool> {
    let n: i64 = query("SELECT COUNT(*) AS n FROM poll_voters WHERE poll_id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .fetch_one(&mut *conn, |r| r.try_get("n"))
        .await?;
    Ok(n > 0)
}
