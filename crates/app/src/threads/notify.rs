//! Emails about a thread: mentions (in the comment's transaction) and followers (queued by the
//! fan-out worker), only ever to people who may read it.

use weft_domain::permissions::{ThreadAction, ThreadFacts, can_thread};
use weft_domain::threads::Volume;
use weft_store::Conn;
use weft_store::groups::Group;
use weft_store::threads::{self};

use super::*;
use crate::emails::Cause;
use crate::groups::{facts, person_actor};
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
            .filter(|r| r.volume != Volume::Mute)
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
    pub(super) async fn notify_mentions(&self, tx: &mut Conn, m: &Mentioned<'_>) -> Result<(), AppError> {
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
}
