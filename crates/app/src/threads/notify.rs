//! Telling people about a thread: mentions (in the comment's transaction), a new comment (queued
//! by the fan-out worker: replies, activity where one took part, the loud) and a new thread (its
//! own fan-out job). Only ever people who may read it; what reaches whom, in the app and by email,
//! is the one rule `weft_domain::notifications::delivery` applied to their effective volume.

use weft_domain::notifications::Event;
use weft_domain::permissions::{ThreadAction, ThreadFacts, can_thread};
use weft_store::Conn;
use weft_store::groups::Group;
use weft_store::threads::{self, Recipient};
use weft_store::users::{User, UserId};

use super::*;
use crate::emails::Cause;
use crate::groups::{facts, person_actor};
use crate::notifications::About;
use crate::{App, AppError};

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
    /// The comment a reply by email goes under: the comment itself, or the one it replies to
    /// (replies go one level deep); `None` for the thread's context.
    pub(crate) answers: Option<CommentId>,
}

impl Mentioned<'_> {
    /// Its emails are the author's doing, in the group, about the thread.
    fn cause(&self) -> Cause {
        Cause::by(self.author.id)
            .about(self.group.id)
            .in_thread(self.thread.id)
            .answering(self.answers)
    }

    fn about(&self) -> About {
        About {
            group: self.group.id,
            thread: Some(self.thread.id),
            poll: None,
            seq: self.seq,
            actor: Some(self.author.id),
        }
    }
}

impl App {
    /// Those of `audience` who may read `thread` (a notification about it must never reveal it),
    /// each with their effective volume. One statement for all of them.
    pub(crate) async fn readers_among(
        &self,
        tx: &mut Conn,
        thread: &Thread,
        group: &Group,
        audience: threads::Audience<'_>,
    ) -> Result<Vec<Recipient>, AppError> {
        let found = threads::recipients(tx, Some(thread.id), group.id, group.parent_id, audience).await?;
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
            .filter(|r| {
                let mut actor = person_actor(&r.user, r.role, r.parent_role, support_access);
                actor.guest = r.role.is_none() && r.guest;
                can_thread(&actor, ThreadAction::See, &facts).allowed()
            })
            .collect())
    }

    /// Tells everyone newly mentioned in `m.text` who may read the thread — never someone who
    /// may not (a mention must not reveal a thread), never the author. In the caller's
    /// transaction; answers whose bell to ring once it commits.
    pub(super) async fn notify_mentions(&self, tx: &mut Conn, m: &Mentioned<'_>) -> Result<Vec<UserId>, AppError> {
        let already = m.before.map(weft_domain::markdown::mentions).unwrap_or_default();
        let new: Vec<String> = weft_domain::markdown::mentions(m.text)
            .into_iter()
            .filter(|name| !already.contains(name))
            .collect();
        if new.is_empty() {
            return Ok(Vec::new());
        }
        let people = self
            .readers_among(tx, m.thread, m.group, threads::Audience::Usernames(&new))
            .await?
            .into_iter()
            .map(|r| (r.user, r.volume, Event::Mentioned))
            .collect();
        let done = self.deliver(tx, &m.about(), people).await?;
        if done.email.is_empty() {
            return Ok(done.notified);
        }
        let written = self.written(m.text);
        let link = self.timeline_link(m.thread, m.seq);
        let emailed: Vec<User> = done.email.into_iter().map(|(u, _)| u).collect();
        self.queue_each(tx, m.cause(), crate::emails::Kind::Mention, &emailed, |user| {
            self.mention_email(user, &m.author.name, &m.thread.title, &written, link.clone())
        })
        .await?;
        Ok(done.notified)
    }

    /// A link to a place in the thread's timeline (0: the thread itself).
    pub(crate) fn timeline_link(&self, thread: &Thread, seq: i64) -> String {
        if seq > 0 {
            self.config.url(&format!("/t/{}?from={seq}#c{seq}", thread.key))
        } else {
            self.config.url(&format!("/t/{}", thread.key))
        }
    }

    /// Tells `readers` (`Audience::Comment`, who may read the thread) of a new comment, unless
    /// they wrote it or were just mentioned in it (one notification is enough): a reply to
    /// someone's comment is `RepliedToYou` for them, activity where one took part is
    /// `CommentWhereYouTookPart`, the rest `Comment` (the loud only). Answers whose bell to ring.
    pub(crate) async fn notify_comment(
        &self,
        tx: &mut Conn,
        m: &Mentioned<'_>,
        readers: &[Recipient],
        replied_to: Option<UserId>,
    ) -> Result<Vec<UserId>, AppError> {
        let mentioned = weft_domain::markdown::mentions(m.text);
        let people: Vec<_> = readers
            .iter()
            .filter(|r| !mentioned.iter().any(|name| name == r.user.username.as_str()))
            .map(|r| {
                let event = if Some(r.user.id) == replied_to {
                    Event::RepliedToYou
                } else if r.took_part {
                    Event::CommentWhereYouTookPart
                } else {
                    Event::Comment
                };
                (r.user.clone(), r.volume, event)
            })
            .collect();
        let done = self.deliver(tx, &m.about(), people).await?;
        if done.email.is_empty() {
            return Ok(done.notified);
        }
        let written = self.written(m.text);
        let link = self.timeline_link(m.thread, m.seq);
        let (replies, others): (Vec<_>, Vec<_>) = done
            .email
            .into_iter()
            .partition(|(_, event)| *event == Event::RepliedToYou);
        let replies: Vec<User> = replies.into_iter().map(|(u, _)| u).collect();
        let others: Vec<User> = others.into_iter().map(|(u, _)| u).collect();
        self.queue_each(tx, m.cause(), crate::emails::Kind::Reply, &replies, |user| {
            self.reply_email(user, &m.author.name, &m.thread.title, &written, link.clone())
        })
        .await?;
        self.queue_each(tx, m.cause(), crate::emails::Kind::NewComment, &others, |user| {
            self.new_comment_email(user, &m.author.name, &m.thread.title, &written, link.clone())
        })
        .await?;
        Ok(done.notified)
    }

    /// Tells the group's members who may read it of a new thread, as announced to those its
    /// author chose (`announcement`). Answers whose bell to ring.
    pub(crate) async fn notify_new_thread(
        &self,
        tx: &mut Conn,
        thread: &Thread,
        group: &Group,
        author: &User,
        announcement: &super::Announcement,
    ) -> Result<Vec<UserId>, AppError> {
        let reached = self.announced_to(tx, announcement).await?;
        let people = self
            .readers_among(tx, thread, group, threads::Audience::Members)
            .await?
            .into_iter()
            .map(|r| {
                let announced = reached.as_ref().is_none_or(|set| set.contains(&r.user.id));
                (r.user, r.volume, Event::NewThread { announced })
            })
            .collect();
        let about = About {
            group: group.id,
            thread: Some(thread.id),
            poll: None,
            seq: 0,
            actor: Some(author.id),
        };
        let done = self.deliver(tx, &about, people).await?;
        if done.email.is_empty() {
            return Ok(done.notified);
        }
        let emailed: Vec<User> = done.email.into_iter().map(|(u, _)| u).collect();
        let written = self.written(&thread.context);
        let link = self.timeline_link(thread, 0);
        let cause = Cause::by(author.id).about(group.id).in_thread(thread.id);
        self.queue_each(tx, cause, crate::emails::Kind::NewThread, &emailed, |u| {
            use weft_mail::wording::{Line, NewThread, Wording};
            NewThread {
                name: Line::new(&u.name),
                author: Line::new(&author.name),
                thread_title: Line::new(&thread.title),
                group: Line::new(&group.name),
                link: Line::new(link.clone()),
            }
            .content()
            .with_formatted(written.clone())
        })
        .await?;
        Ok(done.notified)
    }
}
