//! Background work, in one durable queue (`weft_store::jobs`) run by one runner (`runner.rs`).
//! A feature that needs work done later adds a kind here, a payload type with the ids it needs,
//! and a handler in its own file; `runner.rs` dispatches on the kind.
//!
//! The outbox stays its own queue (`mailer.rs`): an outbox row is the email itself (address,
//! wording, unsubscribe link) with its own retention and erasure rules, and it is the only work
//! that waits on an outside service. A generic payload column would spread addresses into a table
//! that holds only ids today.

mod export;
mod fanout;
mod retention;
pub mod runner;

pub use weft_store::jobs::{Counts, DeadJob, JobId};

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::Notify;
use weft_domain::{Timestamp, UnknownStored};
use weft_store::Conn;
use weft_store::threads::{CommentId, ThreadId};

use crate::{App, AppError};

/// What a job does. Stored by name; a name this version does not know is left to the version
/// that wrote it (rolling upgrades), never run as something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// The follower emails of a new comment.
    CommentFanout,
    /// A personal-data archive built in the background (P8).
    PersonalExport,
    /// The scheduled purge of what need not be kept (P20); recurring.
    Retention,
    /// Closing one poll at its closing time.
    PollClose,
    /// The "closes in 24 hours" emails of one poll.
    PollClosingSoon,
    /// Remind an outcome's author on the review date they chose.
    OutcomeReview,
    /// Tell a poll's voters it is open (at its opening time).
    PollOpened,
    /// Tell a group's members of a new thread.
    ThreadFanout,
    /// Send every catch-up digest that is due; recurring.
    Digests,
    /// Erase a deleted comment once it can no longer be brought back.
    CommentErasure,
}

impl JobKind {
    /// In the order a runner takes a claimed batch: a new thread is told before its first
    /// comments.
    pub const ALL: [Self; 10] = [
        Self::ThreadFanout,
        Self::CommentFanout,
        Self::PersonalExport,
        Self::Retention,
        Self::PollClose,
        Self::PollClosingSoon,
        Self::OutcomeReview,
        Self::PollOpened,
        Self::Digests,
        Self::CommentErasure,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CommentFanout => "comment_fanout",
            Self::PersonalExport => "personal_export",
            Self::Retention => "retention",
            Self::PollClose => "poll_close",
            Self::PollClosingSoon => "poll_closing_soon",
            Self::OutcomeReview => "outcome_review",
            Self::PollOpened => "poll_opened",
            Self::ThreadFanout => "thread_fanout",
            Self::Digests => "digests",
            Self::CommentErasure => "comment_erasure",
        }
    }

    pub fn from_stored(value: &str) -> Result<Self, UnknownStored> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == value)
            .ok_or_else(|| UnknownStored::new("job kind", value))
    }

    /// Which runner lane takes it: long work must not hold up quick work behind it.
    pub fn lane(self) -> Lane {
        match self {
            Self::CommentFanout
            | Self::ThreadFanout
            | Self::PollClose
            | Self::PollClosingSoon
            | Self::OutcomeReview
            | Self::PollOpened
            | Self::CommentErasure => Lane::Quick,
            Self::PersonalExport | Self::Retention | Self::Digests => Lane::Long,
        }
    }
}

/// A runner lane: its own loop, its own wake-up, the kinds it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    /// Milliseconds per job, many per transaction.
    Quick,
    /// Seconds per job (an archive, a purge).
    Long,
}

impl Lane {
    pub const ALL: [Self; 2] = [Self::Quick, Self::Long];

    pub fn kinds(self) -> Vec<&'static str> {
        JobKind::ALL
            .into_iter()
            .filter(|k| k.lane() == self)
            .map(JobKind::as_str)
            .collect()
    }
}

/// Wake-ups of this instance's runner lanes; other instances find new jobs by polling.
#[derive(Debug, Default)]
pub struct Wakeups {
    quick: Notify,
    long: Notify,
}

impl Wakeups {
    fn of(&self, lane: Lane) -> &Notify {
        match lane {
            Lane::Quick => &self.quick,
            Lane::Long => &self.long,
        }
    }
}

/// A job's payload: the ids it needs, as JSON.
pub trait Payload: Serialize + DeserializeOwned {
    const KIND: JobKind;
}

/// Follower emails for one new comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommentFanout {
    pub thread_id: ThreadId,
    pub comment_id: CommentId,
}

impl Payload for CommentFanout {
    const KIND: JobKind = JobKind::CommentFanout;
}

/// Notifications and emails of one new thread.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ThreadFanout {
    pub thread_id: ThreadId,
    /// Whom its author notified.
    #[serde(flatten)]
    pub announcement: crate::threads::Announcement,
}

impl Payload for ThreadFanout {
    const KIND: JobKind = JobKind::ThreadFanout;
}

/// Build one requested personal-data export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PersonalExport {
    pub export_id: i64,
}

impl Payload for PersonalExport {
    const KIND: JobKind = JobKind::PersonalExport;
}

/// The retention purge; one scheduled at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Retention {}

impl Payload for Retention {
    const KIND: JobKind = JobKind::Retention;
}

/// Every digest that is due; one scheduled at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Digests {}

impl Payload for Digests {
    const KIND: JobKind = JobKind::Digests;
}

/// Erase one deleted comment when its undo time is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommentErasure {
    pub comment_id: CommentId,
}

impl Payload for CommentErasure {
    const KIND: JobKind = JobKind::CommentErasure;
}

/// Close one poll when its time has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PollClose {
    pub poll_id: weft_store::polls::PollId,
}

impl Payload for PollClose {
    const KIND: JobKind = JobKind::PollClose;
}

/// Email a poll's audience 24 hours before it closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PollClosingSoon {
    pub poll_id: weft_store::polls::PollId,
}

impl Payload for PollClosingSoon {
    const KIND: JobKind = JobKind::PollClosingSoon;
}

/// Remind the author of a poll's outcome to review it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OutcomeReview {
    pub poll_id: weft_store::polls::PollId,
}

impl Payload for OutcomeReview {
    const KIND: JobKind = JobKind::OutcomeReview;
}

/// Tell a poll's voters that it is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PollOpened {
    pub poll_id: weft_store::polls::PollId,
}

impl Payload for PollOpened {
    const KIND: JobKind = JobKind::PollOpened;
}

fn encode<P: Payload>(payload: &P) -> Result<String, AppError> {
    serde_json::to_string(payload).map_err(|e| AppError::internal(format!("encoding a job payload: {e}")))
}

impl App {
    /// Adds a job, in the caller's transaction, due at `run_at`. Call `wake_jobs` after commit.
    pub async fn enqueue_job<P: Payload>(
        &self,
        conn: &mut Conn,
        payload: &P,
        run_at: Timestamp,
    ) -> Result<(), AppError> {
        weft_store::jobs::enqueue(conn, P::KIND.as_str(), &encode(payload)?, run_at, self.clock.now()).await?;
        Ok(())
    }

    /// Makes sure the one job under `key` is due at `run_at` at the latest (closing a poll, the
    /// next purge): several instances or calls schedule it once.
    pub async fn schedule_job<P: Payload>(
        &self,
        conn: &mut Conn,
        key: &str,
        payload: &P,
        run_at: Timestamp,
    ) -> Result<(), AppError> {
        weft_store::jobs::schedule(conn, P::KIND.as_str(), key, &encode(payload)?, run_at, self.clock.now()).await?;
        Ok(())
    }

    /// Tells this instance's runner that jobs of `kind` were committed.
    pub fn wake_jobs(&self, kind: JobKind) {
        self.jobs.of(kind.lane()).notify_one();
    }

    /// Wakes every lane (after the clock moved in tests, or an administrator's retry).
    pub fn wake_all_jobs(&self) {
        for lane in Lane::ALL {
            self.jobs.of(lane).notify_one();
        }
    }
}
