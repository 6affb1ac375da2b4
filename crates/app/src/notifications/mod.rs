//! A person's notifications: written by the events that cause them (`deliver.rs`, through the one
//! rule `weft_domain::notifications::delivery`), listed with the permission rule applied again
//! at reading time (someone who may no longer see a thread no longer sees its notifications),
//! marked read, and the volumes of groups, threads and polls (`volumes.rs`). The words are
//! written when the list is read (`wording.rs`), so renames show and a deactivated person is
//! never named.

mod deliver;
mod digest;
mod volumes;
mod wording;

pub(crate) use deliver::About;
pub use digest::DigestSettings;
pub use weft_store::notifications::GroupVolume;

use weft_domain::Timestamp;
use weft_domain::notifications::{Kind, Volume};
use weft_domain::permissions::{Action, PollPlace, ThreadFacts, can, can_thread, poll_visible};
use weft_store::notifications::{self, Listed, Which};
use weft_store::users::UserId;

use crate::groups::{facts, person_actor};
use crate::{App, AppError, SessionUser};

/// Notifications per page.
pub const PER_PAGE: i64 = 30;
/// The bell counts unread notifications up to this many ("99+" beyond).
pub const UNREAD_SHOWN: usize = 99;

/// One notification as its reader sees it.
#[derive(Debug, Clone)]
pub struct Notification {
    pub id: i64,
    pub kind: Kind,
    /// "Ada mentioned you in “Budget 2027”".
    pub text: String,
    /// Where it happened: the timeline item, the poll or the group page (a local path).
    pub link: String,
    pub group_name: String,
    pub at: Timestamp,
    pub unread: bool,
}

#[derive(Debug, Clone)]
pub struct NotificationsPage {
    pub items: Vec<Notification>,
    /// The cursor of the next (older) page, when there is one.
    pub older: Option<i64>,
    /// Unread notifications the reader may see, up to `UNREAD_SHOWN + 1`.
    pub unread: usize,
}

/// A volume chosen in a form or the API: one of the four, or `""` / `"group"` for no choice of
/// one's own (the thread or poll then follows the group).
pub(crate) fn choice(input: &str) -> Result<Option<Volume>, AppError> {
    match input.trim() {
        "" | "group" | "default" => Ok(None),
        other => Volume::choose(other)
            .map(Some)
            .map_err(|e| AppError::field("volume", e.message)),
    }
}

/// Whether `reader` may still see what `n` is about: the thread's rule for a thread, the poll's
/// for a poll on its own, the group's for a group's news (requests: coordinators only).
fn still_visible(reader: &weft_store::users::User, n: &Listed) -> bool {
    let mut actor = person_actor(reader, n.role, n.parent_role, false);
    actor.guest = n.role.is_none() && (n.guest || n.named);
    let group = facts(&n.group);
    if let Some(t) = &n.thread {
        let thread = ThreadFacts {
            group,
            private: t.private,
            closed: t.closed,
            by_actor: false,
            others_commented: false,
        };
        return can_thread(&actor, weft_domain::permissions::ThreadAction::See, &thread).allowed();
    }
    if let Some(p) = &n.poll {
        return p.on_its_own && poll_visible(&actor, &PollPlace::Group(group), n.named);
    }
    match n.kind {
        Kind::Request => can(&actor, Action::ManageMembers, &group).allowed(),
        _ => can(&actor, Action::SeeMembers, &group).allowed(),
    }
}

impl App {
    /// A page of the reader's notifications, newest first (`before`: the cursor of the page
    /// before), with how many are unread.
    pub async fn notifications(&self, who: &SessionUser, before: Option<i64>) -> Result<NotificationsPage, AppError> {
        let mut conn = self.store.reader().await?;
        let listed = notifications::list(&mut conn, who.user.id, Which::Page { before }, PER_PAGE + 1).await?;
        let unread = self.count_unread(&mut conn, &who.user).await?;
        drop(conn);
        let older = (listed.len() > usize::try_from(PER_PAGE).unwrap_or(usize::MAX))
            .then(|| listed.get(listed.len() - 2).map(|n| n.id))
            .flatten();
        let items = listed
            .iter()
            .take(usize::try_from(PER_PAGE).unwrap_or(usize::MAX))
            .filter(|n| still_visible(&who.user, n))
            .map(wording::shown)
            .collect();
        Ok(NotificationsPage { items, older, unread })
    }

    /// How many unread notifications the bell shows (up to `UNREAD_SHOWN + 1`).
    pub async fn unread_notifications(&self, who: &SessionUser) -> Result<usize, AppError> {
        let mut conn = self.store.reader().await?;
        self.count_unread(&mut conn, &who.user).await
    }

    async fn count_unread(
        &self,
        conn: &mut weft_store::Conn,
        reader: &weft_store::users::User,
    ) -> Result<usize, AppError> {
        // Read a little past what the bell shows: some may be about what the reader can no
        // longer see, and are not counted.
        let limit = i64::try_from(UNREAD_SHOWN * 2).unwrap_or(i64::MAX);
        let unread = notifications::list(conn, reader.id, Which::Unread, limit).await?;
        Ok(unread
            .iter()
            .filter(|n| still_visible(reader, n))
            .take(UNREAD_SHOWN + 1)
            .count())
    }

    /// Marks these of the reader's notifications read (ids of someone else's change nothing).
    pub async fn read_notifications(&self, who: &SessionUser, ids: &[i64]) -> Result<(), AppError> {
        let ids: Vec<i64> = ids.iter().copied().take(200).collect();
        notifications::mark_read(&mut *self.store.writer().await?, who.user.id, &ids, self.clock.now()).await?;
        self.ring_bells(&[who.user.id]).await;
        Ok(())
    }

    /// Marks all of the reader's notifications read.
    pub async fn read_all_notifications(&self, who: &SessionUser) -> Result<(), AppError> {
        notifications::mark_all_read(&mut *self.store.writer().await?, who.user.id, self.clock.now()).await?;
        self.ring_bells(&[who.user.id]).await;
        Ok(())
    }

    /// Opening a notification: marks it read and answers where it leads (a local path).
    pub async fn open_notification(&self, who: &SessionUser, id: i64) -> Result<String, AppError> {
        let page = self.notifications(who, Some(id + 1)).await?;
        let found = page.items.into_iter().find(|n| n.id == id).ok_or(AppError::NotFound)?;
        self.read_notifications(who, &[id]).await?;
        Ok(found.link)
    }

    /// Rings one person's bell (their count changed).
    pub(crate) async fn publish_unread(&self, user: UserId) {
        self.ring_bells(&[user]).await;
    }
}
