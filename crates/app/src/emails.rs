//! Every email Weft sends, and the one path that queues them: `App::queue_email`. That path adds
//! the unsubscribe link (P15) and refuses to write to anyone whose account is not active (P9).

use weft_domain::{EmailAddress, SecretToken};
use weft_mail::EmailContent;
use weft_mail::compose::Formatted;
use weft_mail::compose::{Composed, Footer};
use weft_mail::wording::{self as w, Line, Wording};
use weft_store::users::{User, UserId};
use weft_store::{Conn, outbox, unsubscribe};

use crate::{App, AppError};

/// Who and what an email is about, so that erasing them erases what it said: the person whose
/// action caused it (an inviter, a mention's author: P10) and the group it concerns (P11).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cause {
    pub sender: Option<UserId>,
    pub group: Option<weft_store::groups::GroupId>,
    /// The thread it is about: its emails share a References header.
    pub thread: Option<weft_store::threads::ThreadId>,
    /// The comment a reply by email answers (its top-level comment); `None`: the thread.
    pub answers: Option<weft_store::threads::CommentId>,
}

impl Cause {
    pub const NONE: Self = Self {
        sender: None,
        group: None,
        thread: None,
        answers: None,
    };

    pub fn by(sender: impl Into<Option<UserId>>) -> Self {
        Self {
            sender: sender.into(),
            group: None,
            thread: None,
            answers: None,
        }
    }

    #[must_use]
    pub fn in_thread(self, thread: impl Into<Option<weft_store::threads::ThreadId>>) -> Self {
        Self {
            thread: thread.into(),
            ..self
        }
    }

    /// A reply by email to it answers this comment (a reply goes under it, one level deep).
    #[must_use]
    pub fn answering(self, comment: Option<weft_store::threads::CommentId>) -> Self {
        Self {
            answers: comment,
            ..self
        }
    }

    #[must_use]
    pub fn about(self, group: weft_store::groups::GroupId) -> Self {
        Self {
            group: Some(group),
            ..self
        }
    }
}

/// One email to one person, for `App::queue_emails_from`.
pub(crate) struct Letter<'a> {
    pub user: &'a User,
    /// Another address than the account's (a change of address is confirmed at the new one).
    pub to: Option<&'a EmailAddress>,
    pub content: &'a EmailContent,
}

/// P9: nothing to a deactivated account but the log-in link its owner asks for to come back;
/// nothing optional to someone who unsubscribed from everything (P15).
fn may_receive(user: &User, kind: Kind) -> bool {
    let active = match user.state {
        weft_domain::UserState::Active => true,
        weft_domain::UserState::Deactivated => kind == Kind::LogInLink,
        weft_domain::UserState::Deleted => false,
    };
    active && (user.emails_unsubscribed_at.is_none() || kind.essential())
}

/// Why an email is sent: asked for by the person (log-in links) or a notice about their account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    LogInLink,
    VerifyEmail,
    SignUpExisting,
    PasswordReset,
    PasswordChanged,
    ConfirmNewEmail,
    EmailChanged,
    EmailTaken,
    Invitation,
    Mention,
    /// The last email to a deleted account's address; its outbox row goes once delivered.
    DeletionReceipt,
    PolicyChanged,
    NewComment,
    /// To coordinators (or the data protection officer): someone asks for a deletion (P12).
    DeletionRequest,
    /// To the person who asked: the outcome of their deletion request.
    DeletionRequestAnswered,
    /// The personal-data archive someone asked for is ready (P8).
    ExportReady,
    /// To a group's coordinators: an instance admin opened maintenance access (P13).
    SupportAccess,
    /// To a poll's voters when it opens (if its author asks).
    PollOpened,
    /// 24 hours before a poll closes.
    PollClosingSoon,
    /// The author's reminder to the undecided.
    PollReminder,
    /// A poll's outcome, to those who voted.
    Outcome,
    /// To an outcome's author on its review date.
    OutcomeReview,
    /// A reply to the person's comment.
    Reply,
    /// A new thread announced to the group (or to the loud).
    NewThread,
    /// A vote, to the loud.
    NewVote,
    /// The catch-up digest the person chose.
    Digest,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LogInLink => "log_in_link",
            Self::VerifyEmail => "verify_email",
            Self::SignUpExisting => "sign_up_existing",
            Self::PasswordReset => "password_reset",
            Self::PasswordChanged => "password_changed",
            Self::ConfirmNewEmail => "confirm_new_email",
            Self::EmailChanged => "email_changed",
            Self::EmailTaken => "email_taken",
            Self::Invitation => "invitation",
            Self::Mention => "mention",
            Self::DeletionReceipt => "deletion_receipt",
            Self::PolicyChanged => "policy_changed",
            Self::NewComment => "new_comment",
            Self::DeletionRequest => "deletion_request",
            Self::DeletionRequestAnswered => "deletion_request_answered",
            Self::ExportReady => "export_ready",
            Self::SupportAccess => "support_access",
            Self::PollOpened => "poll_opened",
            Self::PollClosingSoon => "poll_closing_soon",
            Self::PollReminder => "poll_reminder",
            Self::Outcome => "outcome",
            Self::OutcomeReview => "outcome_review",
            Self::Reply => "reply",
            Self::NewThread => "new_thread",
            Self::NewVote => "new_vote",
            Self::Digest => "digest",
        }
    }

    /// Security emails about the account itself are sent even to someone who unsubscribed from
    /// the rest: they were asked for, or they warn about a change nobody else can see.
    fn essential(self) -> bool {
        !matches!(
            self,
            Self::Invitation
                | Self::Mention
                | Self::PolicyChanged
                | Self::NewComment
                | Self::DeletionRequest
                | Self::PollOpened
                | Self::PollClosingSoon
                | Self::PollReminder
                | Self::Outcome
                | Self::OutcomeReview
                | Self::Reply
                | Self::NewThread
                | Self::NewVote
                | Self::Digest
        )
    }
}

/// What an invitation email says.
pub(crate) struct InvitationEmail<'a> {
    pub greeting_name: &'a str,
    pub inviter_name: Option<&'a str>,
    pub group_name: &'a str,
    /// An invitation into one thread (as a guest) rather than into the group.
    pub thread_title: Option<&'a str>,
    /// An invitation to vote in one poll.
    pub poll_title: Option<&'a str>,
    pub message: &'a str,
    pub link: &'a str,
    pub expires_at: weft_domain::Timestamp,
}

impl App {
    fn instance(&self) -> Line {
        Line::new(&self.config.instance_name)
    }

    pub(crate) fn log_in_email(&self, user: &User, link: String, code: &str) -> EmailContent {
        w::LogIn {
            instance: self.instance(),
            name: Line::new(&user.name),
            minutes: self.config.login_token_ttl.micros() / 60_000_000,
            link: Line::new(link),
            code: Line::new(code),
        }
        .content()
    }

    pub(crate) fn verify_email(&self, user: &User, link: String) -> EmailContent {
        w::VerifyEmail {
            instance: self.instance(),
            name: Line::new(&user.name),
            link: Line::new(link),
        }
        .content()
    }

    pub(crate) fn sign_up_existing_email(&self, user: &User) -> EmailContent {
        w::SignUpExisting {
            instance: self.instance(),
            name: Line::new(&user.name),
            login_url: Line::new(self.config.url("/login")),
            forgot_url: Line::new(self.config.url("/password/forgot")),
        }
        .content()
    }

    pub(crate) fn password_reset_email(&self, user: &User, link: String) -> EmailContent {
        w::PasswordReset {
            instance: self.instance(),
            name: Line::new(&user.name),
            minutes: self.config.login_token_ttl.micros() / 60_000_000,
            link: Line::new(link),
        }
        .content()
    }

    pub(crate) fn password_changed_email(&self, user: &User) -> EmailContent {
        w::PasswordChanged {
            instance: self.instance(),
            name: Line::new(&user.name),
            forgot_url: Line::new(self.config.url("/password/forgot")),
        }
        .content()
    }

    pub(crate) fn confirm_new_email(&self, user: &User, link: String) -> EmailContent {
        w::ConfirmNewEmail {
            instance: self.instance(),
            name: Line::new(&user.name),
            link: Line::new(link),
        }
        .content()
    }

    pub(crate) fn email_changed_email(&self, user: &User, new_email: &EmailAddress) -> EmailContent {
        w::EmailChanged {
            instance: self.instance(),
            name: Line::new(&user.name),
            new_domain: Line::new(new_email.domain()),
        }
        .content()
    }

    pub(crate) fn email_taken_email(&self, name: &str) -> EmailContent {
        w::EmailTaken {
            instance: self.instance(),
            name: Line::new(name),
            login_url: Line::new(self.config.url("/login")),
        }
        .content()
    }

    pub(crate) fn invitation_email(&self, invite: &InvitationEmail<'_>) -> EmailContent {
        w::Invitation {
            instance: self.instance(),
            greeting: Line::new(invite.greeting_name),
            inviter: Line::new(invite.inviter_name.unwrap_or("Someone")),
            group: Line::new(invite.group_name),
            thread: invite.thread_title.map(Line::new),
            poll: invite.poll_title.map(Line::new),
            message: invite.message.to_owned(),
            expires: Line::new(invite.expires_at.display_utc()),
            link: Line::new(invite.link),
        }
        .content()
    }

    pub(crate) fn policy_changed_email(&self, to: &User, title: &str, summary: &str, link: String) -> EmailContent {
        w::PolicyChanged {
            instance: self.instance(),
            name: Line::new(&to.name),
            title: Line::new(title),
            title_lower: Line::new(title.to_lowercase()),
            summary: summary.to_owned(),
            link: Line::new(link),
        }
        .content()
    }

    /// What someone wrote, for an email: as typed (at most 2 000 characters, cut at a line) for
    /// the text part, and through the site's own renderer and sanitiser for the HTML part, its
    /// links made absolute (a mention's `/u/ann`). Computed once for all of an email's recipients.
    pub(crate) fn written(&self, markdown: &str) -> Formatted {
        const MAX: usize = 2_000;
        let text = if markdown.chars().count() > MAX {
            let cut: String = markdown.chars().take(MAX).collect();
            let at_line = cut.rfind('\n').filter(|i| *i > MAX / 2).unwrap_or(cut.len());
            format!("{}\n\n…", cut[..at_line].trim_end())
        } else {
            markdown.trim().to_owned()
        };
        let base = self.config.url("");
        let html = weft_domain::markdown::to_html(&text).replace("href=\"/", &format!("href=\"{base}/"));
        Formatted { text, html }
    }

    pub(crate) fn new_comment_email(
        &self,
        to: &User,
        author: &str,
        thread_title: &str,
        written: &Formatted,
        link: String,
    ) -> EmailContent {
        w::NewComment {
            name: Line::new(&to.name),
            author: Line::new(author),
            thread_title: Line::new(thread_title),
            link: Line::new(link),
        }
        .content()
        .with_formatted(written.clone())
    }

    pub(crate) fn reply_email(
        &self,
        to: &User,
        author: &str,
        thread_title: &str,
        written: &Formatted,
        link: String,
    ) -> EmailContent {
        w::Reply {
            name: Line::new(&to.name),
            author: Line::new(author),
            thread_title: Line::new(thread_title),
            link: Line::new(link),
        }
        .content()
        .with_formatted(written.clone())
    }

    pub(crate) fn mention_email(
        &self,
        to: &User,
        author: &str,
        thread_title: &str,
        written: &Formatted,
        link: String,
    ) -> EmailContent {
        w::Mention {
            name: Line::new(&to.name),
            author: Line::new(author),
            thread_title: Line::new(thread_title),
            link: Line::new(link),
        }
        .content()
        .with_formatted(written.clone())
    }

    /// Queues an email to a user in the caller's transaction. Sends nothing to an account that is
    /// not active (P9), and every email carries its own unsubscribe link (P15).
    pub(crate) async fn queue_email(
        &self,
        conn: &mut Conn,
        user: &User,
        to: Option<&EmailAddress>,
        kind: Kind,
        content: &EmailContent,
    ) -> Result<bool, AppError> {
        self.queue_email_from(conn, Cause::NONE, user, to, kind, content).await
    }

    /// `queue_email` for an email someone's action caused or that concerns a group (`cause`), so
    /// that deleting their account or the group can erase what it said (P10, P11).
    pub(crate) async fn queue_email_from(
        &self,
        conn: &mut Conn,
        cause: Cause,
        user: &User,
        to: Option<&EmailAddress>,
        kind: Kind,
        content: &EmailContent,
    ) -> Result<bool, AppError> {
        let letter = Letter { user, to, content };
        Ok(self.queue_emails_from(conn, cause, kind, &[letter]).await? == 1)
    }

    /// `queue_email_from` for many people at once (a comment's followers): two statements however
    /// many letters, so a fan-out does not hold the write transaction for a round trip per person.
    /// Returns how many were queued.
    /// `queue_emails_from` for one wording to many people: `content` writes each one's email.
    /// Returns how many were addressed (before `may_receive` leaves some out).
    pub(crate) async fn queue_each(
        &self,
        conn: &mut Conn,
        cause: Cause,
        kind: Kind,
        people: &[User],
        content: impl Fn(&User) -> EmailContent,
    ) -> Result<usize, AppError> {
        if people.is_empty() {
            return Ok(0);
        }
        let contents: Vec<_> = people.iter().map(&content).collect();
        let letters: Vec<_> = people
            .iter()
            .zip(&contents)
            .map(|(user, content)| Letter {
                user,
                to: None,
                content,
            })
            .collect();
        self.queue_emails_from(conn, cause, kind, &letters).await?;
        Ok(letters.len())
    }

    pub(crate) async fn queue_emails_from(
        &self,
        conn: &mut Conn,
        cause: Cause,
        kind: Kind,
        letters: &[Letter<'_>],
    ) -> Result<usize, AppError> {
        let letters: Vec<&Letter<'_>> = letters.iter().filter(|l| may_receive(l.user, kind)).collect();
        if letters.is_empty() {
            return Ok(0);
        }
        let now = self.clock.now();
        // "Ada via Riverside Garden" for what someone did in a group (an account's own security
        // emails come from the instance).
        let from_name = match (cause.sender, cause.group) {
            (Some(sender), Some(group)) if !kind.essential() => {
                let sender = weft_store::users::find(conn, sender).await?;
                let group = weft_store::groups::find(conn, group).await?;
                match (sender, group) {
                    (Some(s), Some(g)) if s.state == weft_domain::UserState::Active => {
                        Some(weft_mail::compose::via(&s.name, &g.name))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        // Signed links (P15): no row per email.
        let mut composed: Vec<(String, Composed)> = Vec::with_capacity(letters.len());
        let mut reply_to: Vec<Option<String>> = Vec::with_capacity(letters.len());
        for l in &letters {
            let url = self.unsubscribe_url(conn, l.user).await?;
            let reply = match cause.thread {
                Some(thread) if l.to.is_none() => self.reply_address(conn, thread, cause.answers, l.user).await?,
                _ => None,
            };
            let c = self.compose_replying(l.content, &url, reply.is_some());
            composed.push((url, c));
            reply_to.push(reply);
        }
        let rows: Vec<outbox::NewEmail<'_>> = letters
            .iter()
            .zip(&composed)
            .zip(&reply_to)
            .map(|((l, (unsubscribe_url, c)), reply_to)| outbox::NewEmail {
                user_id: Some(l.user.id),
                sender_id: cause.sender,
                group_id: cause.group,
                kind: kind.as_str(),
                to_address: l.to.unwrap_or(&l.user.email).as_str(),
                subject: &c.subject,
                body_text: &c.text,
                body_html: &c.html,
                unsubscribe_url,
                now,
                from_name: from_name.as_deref(),
                thread_id: cause.thread,
                reply_to: reply_to.as_deref(),
            })
            .collect();
        outbox::enqueue_many(conn, &rows).await?;
        Ok(rows.len())
    }

    /// Queues an email to an address that has no account (an invitation), unless that address
    /// asked for no more. Its unsubscribe link remembers only a fingerprint of the address.
    pub(crate) async fn queue_email_to_address(
        &self,
        conn: &mut Conn,
        cause: Cause,
        to: &EmailAddress,
        kind: Kind,
        content: &EmailContent,
    ) -> Result<bool, AppError> {
        let fingerprint = to.fingerprint();
        if unsubscribe::is_suppressed(conn, &fingerprint).await? {
            return Ok(false);
        }
        let now = self.clock.now();
        let token = SecretToken::generate();
        unsubscribe::insert_for_address(
            conn,
            &token.hash(),
            &fingerprint,
            now,
            now.plus(self.config.retention.unsubscribe_links),
        )
        .await?;
        self.enqueue(conn, cause, None, to, kind, content, &token).await?;
        Ok(true)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn enqueue(
        &self,
        conn: &mut Conn,
        cause: Cause,
        user: Option<&User>,
        to: &EmailAddress,
        kind: Kind,
        content: &EmailContent,
        unsubscribe_token: &SecretToken,
    ) -> Result<(), AppError> {
        let unsubscribe_url = self.config.url(&format!("/unsubscribe/{}", unsubscribe_token.expose()));
        let composed = self.compose(content, &unsubscribe_url);
        outbox::enqueue(
            conn,
            &outbox::NewEmail {
                user_id: user.map(|u| u.id),
                sender_id: cause.sender,
                group_id: cause.group,
                kind: kind.as_str(),
                to_address: to.as_str(),
                subject: &composed.subject,
                body_text: &composed.text,
                body_html: &composed.html,
                unsubscribe_url: &unsubscribe_url,
                now: self.clock.now(),
                from_name: None,
                thread_id: cause.thread,
                reply_to: None,
            },
        )
        .await?;
        Ok(())
    }

    /// The email as sent, with its unsubscribe link (P15).
    pub(crate) fn compose(&self, content: &EmailContent, unsubscribe_url: &str) -> Composed {
        self.compose_replying(content, unsubscribe_url, false)
    }

    /// `compose`, saying that a reply becomes a comment when the email carries a reply address.
    fn compose_replying(&self, content: &EmailContent, unsubscribe_url: &str, replies: bool) -> Composed {
        content.compose(&Footer {
            instance_name: &self.config.instance_name,
            base_url: &self.config.base_url,
            unsubscribe_url,
            replies,
        })
    }

    /// Call after committing a transaction that queued email.
    pub(crate) fn wake_mailer(&self) {
        self.mail_wakeup.notify_one();
    }
}

/// `at` as the recipient reads it, in their own zone ("Thu 10 Dec 2026, 14:00 CET"; UTC when
/// they have not chosen one).
pub(crate) fn their_time(to: &weft_store::users::User, at: weft_domain::Timestamp) -> String {
    to.time_zone
        .as_deref()
        .map_or_else(
            weft_domain::polls::meeting::Zone::utc,
            weft_domain::polls::meeting::Zone::or_utc,
        )
        .label(at)
}
