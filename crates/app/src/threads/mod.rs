//! Threads and comments: start, read (paged timeline with read state), edit with history, pin,
//! close, delete; comment, reply one level deep, edit, delete. Every call asks
//! `weft_domain::permissions::{can_thread, can_comment}` first.

mod announce;
mod comments;
mod lists;
mod mentions;
pub use lists::{DASHBOARD_PAGES, DASHBOARD_PER_PAGE, ThreadListPage};
pub use mentions::{MENTION_SUGGESTIONS, Mentionable};
mod notify;
mod timeline;
mod undo;
pub use timeline::page_start;
mod views;
mod write;

pub use announce::{Announcement, MAX_PEOPLE, MAX_SUBGROUPS, SubgroupChoice, names_in};
pub(crate) use notify::Mentioned;
pub use views::{
    CommentEntry, CommentPermissions, ReactionSummary, ThreadPage, ThreadPermissions, ThreadView, summarize,
    summarize_by,
};

use weft_domain::ValidationErrors;
use weft_domain::permissions::{Actor, ThreadAction, ThreadFacts, can_thread};
use weft_domain::threads::{ThreadTitle, choose_privacy, parse_context, parse_tags};
use weft_store::Conn;
use weft_store::groups::Group;
use weft_store::threads::{self};
pub use weft_store::threads::{
    Comment, CommentId, ListedThread, ReactionRow, Revision, Thread, ThreadFilter, ThreadId, ThreadSort,
};

use crate::groups::{decide, facts};
use crate::live::{LiveEvent, LiveKind};
use crate::{App, AppError, SessionUser};

/// Timeline items per page.
pub const COMMENTS_PER_PAGE: i64 = 50;
/// Threads per page of a group's list.
pub const THREADS_PER_PAGE: i64 = 30;

/// What the thread form or API submits, as typed.
#[derive(Debug, Clone, Default)]
pub struct ThreadInput {
    pub title: String,
    pub context: String,
    /// "public", "private", or empty for the group's default.
    pub privacy: String,
    /// Comma-separated tags; `None` leaves them as they are.
    pub tags: Option<String>,
    /// Whom a new thread notifies beyond the mentioned: "group" (everyone, as
    /// `members_can_announce` allows), "chosen" (`notify_people` and `notify_subgroups`) or
    /// "nobody" / empty (the group hears of it in the app, the loud by email). Ignored on edit.
    pub notify: String,
    /// With "chosen": usernames, as typed ("@ada, bob").
    pub notify_people: Vec<String>,
    /// With "chosen": keys of subgroups whose members are notified.
    pub notify_subgroups: Vec<String>,
}

fn thread_changed(thread_id: ThreadId) -> LiveEvent {
    LiveEvent {
        thread_id,
        kind: LiveKind::Thread,
        seq: 0,
    }
}

fn comment_changed(thread_id: ThreadId, seq: i64) -> LiveEvent {
    LiveEvent {
        thread_id,
        kind: LiveKind::Comment,
        seq,
    }
}

struct ParsedThread {
    title: ThreadTitle,
    context: String,
    private: bool,
    tags: Option<Vec<String>>,
}

impl App {
    async fn load_thread(&self, conn: &mut Conn, who: Option<&SessionUser>, key: &str) -> Result<ThreadView, AppError> {
        let viewer = who.map(|w| w.user.id);
        let threads::Opened {
            thread,
            group,
            role,
            parent_role,
            guest,
            read,
            member_volume,
        } = threads::open_by_key(conn, key, viewer)
            .await?
            .ok_or(AppError::NotFound)?;
        let actor = match who {
            None => Actor::ANONYMOUS,
            Some(w) => {
                let mut actor = self.actor_with_roles(conn, &w.user, &group, role, parent_role).await?;
                actor.guest = actor.role.is_none() && guest;
                actor
            }
        };
        let by_actor = viewer.is_some() && thread.author_id == viewer;
        // Only the author's own delete right depends on others having spoken.
        let others_commented = by_actor && threads::others_commented(conn, thread.id, thread.author_id).await?;
        let facts = ThreadFacts {
            group: facts(&group),
            private: thread.private,
            closed: thread.closed_at.is_some(),
            by_actor,
            others_commented,
        };
        Ok(ThreadView {
            thread,
            group,
            actor,
            facts,
            viewer,
            read,
            member_volume,
            now: self.clock.now(),
        })
    }

    /// Loads a thread for `action`, or answers as the rule says (unreadable threads: NotFound).
    pub async fn thread_for(
        &self,
        who: Option<&SessionUser>,
        key: &str,
        action: ThreadAction,
    ) -> Result<ThreadView, AppError> {
        self.open_thread(&mut *self.store.reader().await?, who, key, action)
            .await
    }

    /// The one access check for a thread: loads it, decides `action` by the rule, and writes an
    /// instance admin's read of a private thread through support access to the group's access log
    /// (P13). Every use case reaches a thread through here (`load_thread` is called nowhere else),
    /// so no route can read private content through support without leaving a trace.
    pub(crate) async fn open_thread(
        &self,
        conn: &mut Conn,
        who: Option<&SessionUser>,
        key: &str,
        action: ThreadAction,
    ) -> Result<ThreadView, AppError> {
        let view = self.load_thread(conn, who, key).await?;
        decide(can_thread(&view.actor, action, &view.facts))?;
        if view.facts.private && view.actor.reads_as_support() {
            let what = format!("the thread “{}”", view.thread.title);
            self.log_support_read(who, &view.actor, view.group.id, &what).await?;
        }
        Ok(view)
    }

    fn parse_thread_input(input: &ThreadInput, group: &Group) -> Result<ParsedThread, AppError> {
        let mut errors = ValidationErrors::new();
        let title = errors.check("title", ThreadTitle::parse(&input.title));
        let context = errors.check("context", parse_context(&input.context));
        let private = errors.check("privacy", choose_privacy(&input.privacy, group.thread_privacy));
        let tags = match &input.tags {
            Some(t) => errors.check("tags", parse_tags(t)).map(Some),
            None => Some(None),
        };
        errors.into_result()?;
        match (title, context, private, tags) {
            (Some(title), Some(context), Some(private), Some(tags)) => Ok(ParsedThread {
                title,
                context,
                private,
                tags,
            }),
            _ => Err(AppError::internal("validated fields missing")),
        }
    }
}
