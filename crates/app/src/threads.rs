//! Threads and comments: start, read (paged timeline with read state), edit with history, pin,
//! close, delete; comment, reply one level deep, edit, delete. Every call asks
//! `weft_domain::permissions::{can_thread, can_comment}` first.

use weft_domain::permissions::{
    Action, Actor, CommentAction, CommentFacts, ThreadAction, ThreadFacts, can_comment, can_thread,
};
use weft_domain::threads::{Reaction, ThreadTitle, Volume, choose_privacy, parse_comment, parse_context, parse_tags};
use weft_domain::{ValidationErrors, random_key};
use weft_store::Conn;
use weft_store::groups::Group;
use weft_store::threads::{self, NewThread};
pub use weft_store::threads::{Comment, ListedThread, ReactionRow, Revision, Thread, ThreadFilter};

use crate::emails::Cause;
use crate::groups::{GroupView, decide, facts, person_actor};
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
}

/// A thread as one viewer may see it, with what they may do there.
#[derive(Debug, Clone)]
pub struct ThreadView {
    pub thread: Thread,
    pub group: Group,
    pub actor: Actor,
    pub facts: ThreadFacts,
    pub viewer: Option<weft_store::users::UserId>,
    /// How far the viewer has read and how loudly they follow the thread (read with the thread).
    pub read: Option<(i64, String)>,
}

impl ThreadView {
    pub fn may(&self, action: ThreadAction) -> bool {
        can_thread(&self.actor, action, &self.facts).allowed()
    }

    /// Whether the viewer may know the thread's group (a guest of a secret group may not).
    pub fn sees_group(&self) -> bool {
        weft_domain::permissions::visible(&self.actor, &self.facts.group)
    }

    fn comment_facts(&self, comment: &Comment) -> CommentFacts {
        CommentFacts {
            thread: self.facts,
            by_actor: self.viewer.is_some() && comment.author_id == self.viewer,
            deleted: comment.deleted_at.is_some(),
        }
    }

    pub fn may_comment(&self, comment: &Comment, action: CommentAction) -> bool {
        can_comment(&self.actor, action, &self.comment_facts(comment)).allowed()
    }
}

/// One page of a thread's timeline.
#[derive(Debug, Clone)]
pub struct ThreadPage {
    pub view: ThreadView,
    pub comments: Vec<Comment>,
    /// The first sequence number on this page.
    pub from: i64,
    /// How far the viewer had read before this visit: comments after it are new to them.
    pub read_before: Option<i64>,
    /// The reactions on this page's comments.
    pub reactions: Vec<ReactionRow>,
    pub tags: Vec<String>,
    /// How loudly the signed-in viewer follows the thread.
    pub volume: Volume,
    /// The people invited into this thread alone.
    pub guests: Vec<crate::guests::Guest>,
}

/// One reaction on one comment, summed up for display.
#[derive(Debug, Clone)]
pub struct ReactionSummary {
    pub reaction: Reaction,
    pub names: Vec<String>,
    /// The viewer is among those who reacted.
    pub mine: bool,
}

impl ReactionSummary {
    pub fn count(&self) -> usize {
        self.names.len()
    }

    /// Who reacted, for a tooltip and for screen readers.
    pub fn who(&self) -> String {
        self.names.join(", ")
    }
}

/// The reactions on `comment_id`, in the order the buttons are offered.
pub fn summarize(
    rows: &[ReactionRow],
    comment_id: i64,
    viewer: Option<weft_store::users::UserId>,
) -> Vec<ReactionSummary> {
    Reaction::ALL
        .into_iter()
        .filter_map(|reaction| {
            let mine_rows: Vec<&ReactionRow> = rows
                .iter()
                .filter(|r| r.comment_id == comment_id && r.emoji == reaction.as_str())
                .collect();
            (!mine_rows.is_empty()).then(|| ReactionSummary {
                reaction,
                mine: viewer.is_some_and(|v| mine_rows.iter().any(|r| r.user_id == v)),
                names: mine_rows.iter().map(|r| r.name.clone()).collect(),
            })
        })
        .collect()
}

/// The first item of the page that holds sequence number `seq`.
fn page_start(seq: i64) -> i64 {
    ((seq.max(1) - 1) / COMMENTS_PER_PAGE) * COMMENTS_PER_PAGE + 1
}

fn thread_changed(thread_id: i64) -> LiveEvent {
    LiveEvent {
        thread_id,
        kind: LiveKind::Thread,
        seq: 0,
    }
}

fn comment_changed(thread_id: i64, seq: i64) -> LiveEvent {
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

/// What a new mention is about, for its email.
pub(crate) struct Mentioned<'a> {
    pub(crate) thread: &'a Thread,
    pub(crate) group: &'a Group,
    pub(crate) author: &'a weft_store::users::User,
    /// The text that mentions them now, and the text before an edit (already-mentioned people are
    /// not told twice).
    pub(crate) text: &'a str,
    pub(crate) before: Option<&'a str>,
    /// The timeline item (0: the thread's context).
    pub(crate) seq: i64,
}

/// The start of a comment as plain text, for an email.
fn excerpt(markdown: &str) -> String {
    weft_domain::markdown::to_plain_text(markdown)
        .chars()
        .take(300)
        .collect()
}

impl App {
    /// Those of `audience` who may read `thread` (an email about it must never reveal it), other
    /// than anyone who muted it. One statement for all of them.
    pub(crate) async fn readers_among(
        &self,
        tx: &mut Conn,
        thread: &Thread,
        group: &Group,
        audience: threads::Audience<'_>,
    ) -> Result<Vec<weft_store::users::User>, AppError> {
        let found = threads::recipients(tx, thread.id, group.id, group.parent_id, audience).await?;
        // Support access belongs to the group, not the person: looked up once, and only when an
        // instance admin who is not a member is among them (P13).
        let support_access = found.iter().any(|r| r.user.is_admin && r.role.is_none())
            && weft_store::support::active(tx, group.id, self.clock.now())
                .await?
                .is_some();
        let facts = ThreadFacts {
            group: facts(group),
            private: thread.private,
            closed: thread.closed_at.is_some(),
            by_actor: false,
            others_commented: false,
        };
        Ok(found
            .into_iter()
            .filter(|r| r.volume != Volume::Mute.as_str())
            .filter(|r| {
                let mut actor = person_actor(&r.user, r.role, r.parent_role, support_access);
                actor.guest = r.role.is_none() && r.guest;
                can_thread(&actor, ThreadAction::See, &facts).allowed()
            })
            .map(|r| r.user)
            .collect())
    }

    /// Emails everyone newly mentioned in `m.text` who may read the thread — never someone who
    /// may not (a mention must not reveal a thread), never the author. In the caller's transaction.
    async fn notify_mentions(&self, tx: &mut Conn, m: &Mentioned<'_>) -> Result<(), AppError> {
        let already = m.before.map(weft_domain::markdown::mentions).unwrap_or_default();
        let new: Vec<String> = weft_domain::markdown::mentions(m.text)
            .into_iter()
            .filter(|name| !already.contains(name))
            .collect();
        let readers: Vec<_> = self
            .readers_among(tx, m.thread, m.group, threads::Audience::Usernames(&new))
            .await?
            .into_iter()
            .filter(|user| user.id != m.author.id)
            .collect();
        if readers.is_empty() {
            return Ok(());
        }
        let excerpt = excerpt(m.text);
        let link = if m.seq > 0 {
            self.config
                .url(&format!("/t/{}?from={}#c{}", m.thread.key, m.seq, m.seq))
        } else {
            self.config.url(&format!("/t/{}", m.thread.key))
        };
        let contents: Vec<_> = readers
            .iter()
            .map(|user| self.mention_email(user, &m.author.name, &m.thread.title, &excerpt, link.clone()))
            .collect();
        self.queue_letters(tx, m, crate::emails::Kind::Mention, &readers, &contents)
            .await
    }

    /// Emails the thread's `followers` who may read it (`readers_among(…, Followers)`) about a new
    /// comment, unless they wrote it or were just mentioned in it (one email is enough).
    pub(crate) async fn notify_followers(
        &self,
        tx: &mut Conn,
        m: &Mentioned<'_>,
        followers: &[weft_store::users::User],
    ) -> Result<(), AppError> {
        let mentioned = weft_domain::markdown::mentions(m.text);
        let readers: Vec<_> = followers
            .iter()
            .filter(|user| user.id != m.author.id && !mentioned.iter().any(|name| name == user.username.as_str()))
            .cloned()
            .collect();
        if readers.is_empty() {
            return Ok(());
        }
        let excerpt = excerpt(m.text);
        let link = self
            .config
            .url(&format!("/t/{}?from={}#c{}", m.thread.key, m.seq, m.seq));
        let contents: Vec<_> = readers
            .iter()
            .map(|user| self.new_comment_email(user, &m.author.name, &m.thread.title, &excerpt, link.clone()))
            .collect();
        self.queue_letters(tx, m, crate::emails::Kind::NewComment, &readers, &contents)
            .await
    }

    /// Queues `contents[i]` to `readers[i]`, sent by `m`'s author.
    async fn queue_letters(
        &self,
        tx: &mut Conn,
        m: &Mentioned<'_>,
        kind: crate::emails::Kind,
        readers: &[weft_store::users::User],
        contents: &[weft_mail::EmailContent],
    ) -> Result<(), AppError> {
        let letters: Vec<_> = readers
            .iter()
            .zip(contents)
            .map(|(user, content)| crate::emails::Letter {
                user,
                to: None,
                content,
            })
            .collect();
        self.queue_emails_from(tx, Cause::by(m.author.id).about(m.group.id), kind, &letters)
            .await?;
        Ok(())
    }

    /// Follow, normal or mute, for the signed-in person.
    pub async fn set_thread_volume(&self, who: &SessionUser, key: &str, volume: &str) -> Result<(), AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::See).await?;
        let volume = Volume::parse(volume).map_err(|e| AppError::field("volume", e.message))?;
        threads::set_volume(
            &mut *self.store.writer().await?,
            view.thread.id,
            who.user.id,
            volume.as_str(),
            self.clock.now(),
        )
        .await?;
        Ok(())
    }

    async fn load_thread(&self, conn: &mut Conn, who: Option<&SessionUser>, key: &str) -> Result<ThreadView, AppError> {
        let viewer = who.map(|w| w.user.id);
        let threads::Opened {
            thread,
            group,
            role,
            parent_role,
            guest,
            read,
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
    async fn open_thread(
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

    /// Starts a thread in a group. Returns its key.
    pub async fn start_thread(
        &self,
        who: &SessionUser,
        group_key: &str,
        input: &ThreadInput,
    ) -> Result<String, AppError> {
        let view = self.group_for(Some(who), group_key, Action::StartThread).await?;
        let ParsedThread {
            title,
            context,
            private,
            tags,
        } = Self::parse_thread_input(input, &view.group)?;
        let now = self.clock.now();
        let key = random_key();
        let mut tx = self.store.begin().await?;
        let id = threads::insert(
            &mut tx,
            &NewThread {
                key: &key,
                group_id: view.group.id,
                author_id: who.user.id,
                title: title.as_str(),
                context: &context,
                private,
                now,
            },
        )
        .await?;
        threads::mark_read(&mut tx, id, who.user.id, 0, now).await?;
        if let Some(tags) = &tags {
            threads::set_tags(&mut tx, view.group.id, id, tags, now).await?;
        }
        if !weft_domain::markdown::mentions(&context).is_empty() {
            let thread = threads::find_by_key(&mut tx, &key).await?.ok_or(AppError::NotFound)?;
            let mentioned = Mentioned {
                thread: &thread,
                group: &view.group,
                author: &who.user,
                text: &context,
                before: None,
                seq: 0,
            };
            self.notify_mentions(&mut tx, &mentioned).await?;
        }
        tx.commit().await?;
        self.wake_mailer();
        Ok(key)
    }

    /// Changes title, context and (as the group allows) privacy; the old version goes to the history.
    pub async fn update_thread(&self, who: &SessionUser, key: &str, input: &ThreadInput) -> Result<(), AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::Edit).await?;
        let ParsedThread {
            title, context, tags, ..
        } = Self::parse_thread_input(input, &view.group)?;
        let t = &view.thread;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if let Some(tags) = &tags {
            threads::set_tags(&mut tx, view.group.id, t.id, tags, now).await?;
        }
        if title.as_str() == t.title && context == t.context {
            tx.commit().await?;
            return Ok(());
        }
        threads::insert_revision(&mut tx, t.id, None, who.user.id, Some(&t.title), &t.context, now).await?;
        threads::update_content(&mut tx, t.id, title.as_str(), &context, now).await?;
        let mentioned = Mentioned {
            thread: t,
            group: &view.group,
            author: &who.user,
            text: &context,
            before: Some(&t.context),
            seq: 0,
        };
        self.notify_mentions(&mut tx, &mentioned).await?;
        tx.commit().await?;
        self.wake_mailer();
        self.publish(thread_changed(t.id)).await;
        Ok(())
    }

    pub async fn set_thread_pinned(&self, who: &SessionUser, key: &str, pinned: bool) -> Result<(), AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::Pin).await?;
        let at = pinned.then(|| self.clock.now());
        threads::set_pinned(&mut *self.store.writer().await?, view.thread.id, at).await?;
        self.publish(thread_changed(view.thread.id)).await;
        Ok(())
    }

    pub async fn set_thread_closed(&self, who: &SessionUser, key: &str, closed: bool) -> Result<(), AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::Close).await?;
        let at = closed.then(|| self.clock.now());
        threads::set_closed(&mut *self.store.writer().await?, view.thread.id, at).await?;
        self.publish(thread_changed(view.thread.id)).await;
        Ok(())
    }

    /// Groups this thread could move to: those the actor coordinates, other than its own.
    pub async fn move_targets(&self, who: &SessionUser, view: &ThreadView) -> Result<Vec<Group>, AppError> {
        Ok(self
            .my_groups(who)
            .await?
            .into_iter()
            .filter(|(g, role)| {
                *role == weft_domain::permissions::Role::Admin && g.id != view.group.id && g.archived_at.is_none()
            })
            .map(|(g, _)| g)
            .collect())
    }

    /// Moves a thread to another group the actor coordinates. A private thread never becomes
    /// public by moving: a group that holds only public threads refuses it.
    pub async fn move_thread(&self, who: &SessionUser, key: &str, target_key: &str) -> Result<(), AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::Move).await?;
        let target = self
            .group_for(Some(who), target_key, Action::ChangeSettings)
            .await
            .map_err(|_| AppError::field("group", "Choose a group you coordinate."))?;
        if target.group.archived_at.is_some() {
            return Err(AppError::field("group", "That group is archived."));
        }
        use weft_domain::groups::ThreadPrivacy as P;
        let private = match (target.group.thread_privacy, view.thread.private) {
            (P::PublicOnly, true) => {
                return Err(AppError::field(
                    "group",
                    "That group holds only public threads, and this thread is private.",
                ));
            }
            (P::PublicOnly, false) => false,
            (P::PrivateOnly, _) => true,
            (P::Either, private) => private,
        };
        let mut tx = self.store.begin().await?;
        threads::move_to(&mut tx, view.thread.id, target.group.id, private).await?;
        tx.commit().await?;
        self.publish(thread_changed(view.thread.id)).await;
        Ok(())
    }

    /// Deletes the thread and everything in it. Returns the group's key.
    pub async fn delete_thread(&self, who: &SessionUser, key: &str) -> Result<String, AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::Delete).await?;
        threads::delete(&mut *self.store.writer().await?, view.thread.id).await?;
        self.publish(thread_changed(view.thread.id)).await;
        Ok(view.group.key)
    }

    /// One page of the timeline. Without `from`, opens at the first comment the viewer has not
    /// read. Reading moves their read mark to the end of the page.
    pub async fn thread_page(
        &self,
        who: Option<&SessionUser>,
        key: &str,
        from: Option<i64>,
    ) -> Result<ThreadPage, AppError> {
        let mut conn = self.store.reader().await?;
        let view = self.open_thread(&mut conn, who, key, ThreadAction::See).await?;
        let state = view.read.clone();
        let read_before = state.as_ref().map(|(seq, _)| *seq);
        let volume = state.map_or(Volume::Normal, |(_, volume)| Volume::from_stored(&volume));
        let last = view.thread.last_seq;
        let from = match (from, read_before) {
            (Some(f), _) => page_start(f.clamp(1, last.max(1))),
            (None, Some(r)) if r < last => page_start(r + 1),
            _ => 1,
        };
        let comments = threads::comments_page(&mut conn, view.thread.id, from, COMMENTS_PER_PAGE).await?;
        let reactions = threads::reactions_for_page(&mut conn, view.thread.id, from, COMMENTS_PER_PAGE).await?;
        let tags = threads::tags_of(&mut conn, &[view.thread.id])
            .await?
            .into_iter()
            .map(|(_, name)| name)
            .collect();
        let guests = weft_store::guests::list(&mut conn, view.thread.id).await?;
        drop(conn);
        if let Some(w) = who {
            let seen = (from + COMMENTS_PER_PAGE - 1).min(last);
            if read_before.is_none_or(|r| r < seen) {
                threads::mark_read(
                    &mut *self.store.writer().await?,
                    view.thread.id,
                    w.user.id,
                    seen,
                    self.clock.now(),
                )
                .await?;
            }
        }
        Ok(ThreadPage {
            view,
            comments,
            from,
            read_before,
            reactions,
            tags,
            volume,
            guests,
        })
    }

    /// Marks the whole thread as read.
    pub async fn mark_thread_read(&self, who: &SessionUser, key: &str) -> Result<(), AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::See).await?;
        threads::mark_read(
            &mut *self.store.writer().await?,
            view.thread.id,
            who.user.id,
            view.thread.last_seq,
            self.clock.now(),
        )
        .await?;
        Ok(())
    }

    /// Earlier versions of the thread's title and context, newest first.
    pub async fn thread_history(
        &self,
        who: Option<&SessionUser>,
        key: &str,
    ) -> Result<(ThreadView, Vec<Revision>), AppError> {
        let view = self.thread_for(who, key, ThreadAction::See).await?;
        let list = threads::revisions(&mut *self.store.reader().await?, view.thread.id, None).await?;
        Ok((view, list))
    }

    // ---- comments ----

    /// Comments (or replies to a top-level comment). Returns the comment's sequence number.
    pub async fn add_comment(
        &self,
        who: &SessionUser,
        key: &str,
        body: &str,
        parent: Option<i64>,
    ) -> Result<i64, AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::Comment).await?;
        let body = parse_comment(body).map_err(|e| AppError::field("body", e.message))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if let Some(parent_id) = parent {
            let parent = threads::find_comment(&mut tx, view.thread.id, parent_id)
                .await?
                .ok_or_else(|| AppError::field("parent", "That comment is not in this thread any more."))?;
            if parent.parent_id.is_some() {
                return Err(AppError::field(
                    "parent",
                    "Replies go one level deep: reply to the original comment instead.",
                ));
            }
        }
        let (comment_id, seq) =
            threads::insert_comment(&mut tx, view.thread.id, parent, who.user.id, &body, now).await?;
        threads::mark_read(&mut tx, view.thread.id, who.user.id, seq, now).await?;
        let mentioned = Mentioned {
            thread: &view.thread,
            group: &view.group,
            author: &who.user,
            text: &body,
            before: None,
            seq,
        };
        self.notify_mentions(&mut tx, &mentioned).await?;
        // Followers hear of it once it is committed (`fanout`): posting costs the same however
        // many follow the thread.
        weft_store::fanouts::insert(&mut tx, view.thread.id, comment_id, now).await?;
        tx.commit().await?;
        self.wake_mailer();
        self.fanout_wakeup.notify_one();
        self.publish(comment_changed(view.thread.id, seq)).await;
        Ok(seq)
    }

    async fn comment_for(
        &self,
        who: &SessionUser,
        key: &str,
        id: i64,
        action: CommentAction,
    ) -> Result<(ThreadView, Comment), AppError> {
        let mut conn = self.store.reader().await?;
        let view = self.open_thread(&mut conn, Some(who), key, ThreadAction::See).await?;
        let comment = threads::find_comment(&mut conn, view.thread.id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        decide(can_comment(&view.actor, action, &view.comment_facts(&comment)))?;
        Ok((view, comment))
    }

    /// The comment, for its edit form.
    pub async fn comment_to_edit(
        &self,
        who: &SessionUser,
        key: &str,
        id: i64,
    ) -> Result<(ThreadView, Comment), AppError> {
        self.comment_for(who, key, id, CommentAction::Edit).await
    }

    pub async fn edit_comment(&self, who: &SessionUser, key: &str, id: i64, body: &str) -> Result<i64, AppError> {
        let (view, comment) = self.comment_for(who, key, id, CommentAction::Edit).await?;
        let body = parse_comment(body).map_err(|e| AppError::field("body", e.message))?;
        if body != comment.body {
            let now = self.clock.now();
            let mut tx = self.store.begin().await?;
            threads::insert_revision(
                &mut tx,
                view.thread.id,
                Some(comment.id),
                who.user.id,
                None,
                &comment.body,
                now,
            )
            .await?;
            threads::update_comment(&mut tx, comment.id, &body, now).await?;
            let mentioned = Mentioned {
                thread: &view.thread,
                group: &view.group,
                author: &who.user,
                text: &body,
                before: Some(&comment.body),
                seq: comment.seq,
            };
            self.notify_mentions(&mut tx, &mentioned).await?;
            tx.commit().await?;
            self.wake_mailer();
            self.publish(comment_changed(view.thread.id, comment.seq)).await;
        }
        Ok(comment.seq)
    }

    pub async fn delete_comment(&self, who: &SessionUser, key: &str, id: i64) -> Result<i64, AppError> {
        let (view, comment) = self.comment_for(who, key, id, CommentAction::Delete).await?;
        let mut tx = self.store.begin().await?;
        threads::delete_comment(&mut tx, view.thread.id, comment.id, self.clock.now()).await?;
        tx.commit().await?;
        self.publish(comment_changed(view.thread.id, comment.seq)).await;
        Ok(comment.seq)
    }

    /// Earlier versions of one comment, newest first.
    pub async fn comment_history(
        &self,
        who: Option<&SessionUser>,
        key: &str,
        id: i64,
    ) -> Result<(ThreadView, Comment, Vec<Revision>), AppError> {
        let mut conn = self.store.reader().await?;
        let view = self.open_thread(&mut conn, who, key, ThreadAction::See).await?;
        let comment = threads::find_comment(&mut conn, view.thread.id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let list = threads::revisions(&mut conn, view.thread.id, Some(id)).await?;
        Ok((view, comment, list))
    }

    /// One timeline item by its sequence number, with its reactions, for a live update.
    /// `NotFound` once it is gone.
    pub async fn thread_item(
        &self,
        who: Option<&SessionUser>,
        key: &str,
        seq: i64,
    ) -> Result<(ThreadView, Comment, Vec<ReactionRow>), AppError> {
        let mut conn = self.store.reader().await?;
        let view = self.open_thread(&mut conn, who, key, ThreadAction::See).await?;
        let comment = threads::comments_page(&mut conn, view.thread.id, seq, 1)
            .await?
            .pop()
            .ok_or(AppError::NotFound)?;
        let reactions = threads::reactions_for_page(&mut conn, view.thread.id, seq, 1).await?;
        Ok((view, comment, reactions))
    }

    /// Adds or takes back a reaction on a comment (whoever may comment may react). Returns the
    /// comment's sequence number and whether the reaction is there now.
    pub async fn toggle_reaction(
        &self,
        who: &SessionUser,
        key: &str,
        comment_id: i64,
        reaction: &str,
    ) -> Result<(i64, bool), AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::Comment).await?;
        let reaction = Reaction::parse(reaction).map_err(|e| AppError::field("reaction", e.message))?;
        let mut tx = self.store.begin().await?;
        let comment = threads::find_comment(&mut tx, view.thread.id, comment_id)
            .await?
            .filter(|c| c.deleted_at.is_none())
            .ok_or(AppError::NotFound)?;
        let on =
            threads::toggle_reaction(&mut tx, comment.id, who.user.id, reaction.as_str(), self.clock.now()).await?;
        tx.commit().await?;
        self.publish(comment_changed(view.thread.id, comment.seq)).await;
        Ok((comment.seq, on))
    }

    // ---- lists ----

    /// One page of a group's threads the viewer may read, filtered, with unread counts and tags.
    pub async fn group_threads(
        &self,
        who: Option<&SessionUser>,
        view: &GroupView,
        filter: &ThreadFilter,
        page: i64,
    ) -> Result<Vec<ListedThread>, AppError> {
        if !self
            .may_read(who, view, Action::SeeContent, "the list of threads")
            .await?
        {
            return Ok(Vec::new());
        }
        let private_too = view.actor.is_member() || view.actor.reads_as_support();
        let mut conn = self.store.reader().await?;
        let mut list = threads::for_group(
            &mut conn,
            view.group.id,
            who.map(|w| w.user.id),
            private_too,
            filter,
            THREADS_PER_PAGE + 1,
            weft_domain::Page::from(page).offset(THREADS_PER_PAGE),
        )
        .await?;
        let ids: Vec<i64> = list.iter().map(|lt| lt.thread.id).collect();
        for (thread_id, name) in threads::tags_of(&mut conn, &ids).await? {
            if let Some(lt) = list.iter_mut().find(|lt| lt.thread.id == thread_id) {
                lt.tags.push(name);
            }
        }
        Ok(list)
    }

    /// The group's tags in use on threads the viewer may list, with counts.
    pub async fn group_tags(
        &self,
        who: Option<&SessionUser>,
        view: &GroupView,
    ) -> Result<Vec<(String, i64)>, AppError> {
        if !self
            .may_read(who, view, Action::SeeContent, "the list of threads")
            .await?
        {
            return Ok(Vec::new());
        }
        Ok(threads::group_tags(
            &mut *self.store.reader().await?,
            view.group.id,
            view.actor.is_member() || view.actor.reads_as_support(),
        )
        .await?)
    }

    /// A thread's tags, for its edit form.
    pub async fn thread_tags(&self, view: &ThreadView) -> Result<Vec<String>, AppError> {
        Ok(threads::tags_of(&mut *self.store.reader().await?, &[view.thread.id])
            .await?
            .into_iter()
            .map(|(_, name)| name)
            .collect())
    }

    /// The latest threads in the signed-in person's groups, for the dashboard.
    pub async fn recent_threads(&self, who: &SessionUser) -> Result<Vec<ListedThread>, AppError> {
        Ok(threads::recent_for_user(&mut *self.store.reader().await?, who.user.id, 20).await?)
    }
}
