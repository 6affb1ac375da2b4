//! `events`: timeline items other than comments — a poll raised, a vote, a poll closed or
//! reopened, an outcome; the thread edited, closed, reopened or moved. In a thread an event takes
//! the thread's next sequence number (through the thread row, as comments do), so comments and
//! events make one numbered timeline, read by range. A poll on its own has its events without a
//! thread or a number (its own timeline, by id).

use weft_domain::Timestamp;

use super::ThreadId;
use crate::ids::{EventId, OutcomeId, PollId, VoteId};
use crate::users::UserId;
use crate::{Conn, Result, query};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    PollRaised,
    /// A vote (or a changed vote) with its reason; never for an anonymous poll.
    Voted,
    PollClosed,
    PollReopened,
    OutcomeWritten,
    /// The thread's title or context changed (its history keeps the earlier version).
    ThreadEdited,
    ThreadClosed,
    ThreadReopened,
    /// Moved into this group from another.
    ThreadMoved,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PollRaised => "poll_raised",
            Self::Voted => "voted",
            Self::PollClosed => "poll_closed",
            Self::PollReopened => "poll_reopened",
            Self::OutcomeWritten => "outcome_written",
            Self::ThreadEdited => "thread_edited",
            Self::ThreadClosed => "thread_closed",
            Self::ThreadReopened => "thread_reopened",
            Self::ThreadMoved => "thread_moved",
        }
    }

    pub fn from_stored(s: &str) -> std::result::Result<Self, weft_domain::UnknownStored> {
        Ok(match s {
            "poll_raised" => Self::PollRaised,
            "voted" => Self::Voted,
            "poll_closed" => Self::PollClosed,
            "poll_reopened" => Self::PollReopened,
            "outcome_written" => Self::OutcomeWritten,
            "thread_edited" => Self::ThreadEdited,
            "thread_closed" => Self::ThreadClosed,
            "thread_reopened" => Self::ThreadReopened,
            "thread_moved" => Self::ThreadMoved,
            _ => return Err(weft_domain::UnknownStored::new("event kind", s)),
        })
    }
}

impl EventKind {
    /// A comment can answer it: a poll, a vote, an outcome.
    pub fn answerable(self) -> bool {
        matches!(self, Self::PollRaised | Self::Voted | Self::OutcomeWritten)
    }
}

/// What an event points at.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventRefs {
    pub vote_id: Option<VoteId>,
    pub outcome_id: Option<OutcomeId>,
}

/// Records an event (of a poll, or of the thread alone); in a thread it gets the next sequence
/// number, which is returned.
pub async fn record_event(
    conn: &mut Conn,
    thread_id: Option<ThreadId>,
    poll_id: Option<PollId>,
    kind: EventKind,
    actor_id: Option<UserId>,
    refs: EventRefs,
    now: Timestamp,
) -> Result<(EventId, Option<i64>)> {
    let seq: Option<i64> = match thread_id {
        Some(t) => Some(
            query("UPDATE threads SET last_seq = last_seq + 1, last_activity_at = $1 WHERE id = $2 RETURNING last_seq")
                .bind(now.micros())
                .bind(t)
                .fetch_one(&mut *conn, |r| r.try_get("last_seq"))
                .await?,
        ),
        None => None,
    };
    let id = query(
        "INSERT INTO events (thread_id, poll_id, seq, kind, actor_id, vote_id, outcome_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(thread_id)
    .bind(poll_id)
    .bind(seq)
    .bind(kind.as_str())
    .bind(actor_id)
    .bind(refs.vote_id)
    .bind(refs.outcome_id)
    .bind(now.micros())
    .fetch_one(&mut *conn, |r| r.try_get("id"))
    .await?;
    Ok((id, seq))
}

/// One event of a thread's timeline.
#[derive(Debug, Clone)]
pub struct TimelineEvent {
    pub id: EventId,
    /// Its place in the thread's timeline (0 for a poll on its own in a group).
    pub seq: i64,
    pub kind: EventKind,
    /// The poll's key and title; empty for an event of the thread alone.
    pub poll_key: String,
    pub poll_title: String,
    pub actor_name: Option<String>,
    pub vote_id: Option<VoteId>,
    pub outcome_id: Option<OutcomeId>,
    pub created_at: Timestamp,
}

/// The events of a thread with sequence numbers in `from .. from + count`.
pub async fn events_page(conn: &mut Conn, thread_id: ThreadId, from: i64, count: i64) -> Result<Vec<TimelineEvent>> {
    query(
        "SELECT e.id, e.seq, e.kind, COALESCE(p.key, '') AS poll_key, COALESCE(p.title, '') AS poll_title, \
         CASE WHEN a.state = 'active' THEN a.name END AS actor_name, e.vote_id, e.outcome_id, e.created_at \
         FROM events e LEFT JOIN polls p ON p.id = e.poll_id LEFT JOIN users a ON a.id = e.actor_id \
         WHERE e.thread_id = $1 AND e.seq >= $2 AND e.seq < $3 ORDER BY e.seq",
    )
    .bind(thread_id)
    .bind(from)
    .bind(from + count)
    .fetch_all(&mut *conn, event_from_row)
    .await
}

fn event_from_row(r: &crate::Row<'_>) -> Result<TimelineEvent> {
    Ok(TimelineEvent {
        id: r.try_get("id")?,
        seq: r.try_get::<Option<i64>, _>("seq")?.unwrap_or(0),
        kind: EventKind::from_stored(&r.try_get::<String, _>("kind")?)?,
        poll_key: r.try_get("poll_key")?,
        poll_title: r.try_get("poll_title")?,
        actor_name: r.try_get("actor_name")?,
        vote_id: r.try_get("vote_id")?,
        outcome_id: r.try_get("outcome_id")?,
        created_at: Timestamp(r.try_get("created_at")?),
    })
}

/// One page of a poll's own timeline (what happened to it, oldest first), for a poll on its own
/// in a group; the events after `after` (an event id), at most `count`.
pub async fn poll_events(conn: &mut Conn, poll_id: PollId, after: i64, count: i64) -> Result<Vec<TimelineEvent>> {
    query(
        "SELECT e.id, e.seq, e.kind, COALESCE(p.key, '') AS poll_key, COALESCE(p.title, '') AS poll_title, \
         CASE WHEN a.state = 'active' THEN a.name END AS actor_name, e.vote_id, e.outcome_id, e.created_at \
         FROM events e JOIN polls p ON p.id = e.poll_id LEFT JOIN users a ON a.id = e.actor_id \
         WHERE e.poll_id = $1 AND e.id > $2 ORDER BY e.id LIMIT $3",
    )
    .bind(poll_id)
    .bind(after)
    .bind(count)
    .fetch_all(&mut *conn, event_from_row)
    .await
}

/// The event at `seq` in a thread's timeline, if that item is an event: its id and kind.
pub async fn event_at(conn: &mut Conn, thread_id: ThreadId, seq: i64) -> Result<Option<(EventId, EventKind)>> {
    query("SELECT id, kind FROM events WHERE thread_id = $1 AND seq = $2")
        .bind(thread_id)
        .bind(seq)
        .fetch_optional(&mut *conn, |r| {
            Ok((
                r.try_get("id")?,
                EventKind::from_stored(&r.try_get::<String, _>("kind")?)?,
            ))
        })
        .await
}
