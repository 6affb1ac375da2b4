//! Mail that comes in (`weft mail receive`, for an MTA's pipe, or the built-in SMTP listener): a
//! reply to a notification becomes the person's comment, and mail to a group's address a thread
//! started by them, through the same use cases and permission rules as the web. What is
//! refused is refused silently — no answer is ever sent, so an auto-responder, a bounce or a
//! forged sender cannot start a mail loop — and every message leaves one row of what became of
//! it (`inbound_emails`: no content, subject or address; kept 60 days) and one log line without
//! content.

use weft_domain::inbound::address::{self, PREFIX};
use weft_domain::inbound::group_address::{self, GroupAddress};
use weft_domain::inbound::{Refusal, authentication, quotes};
use weft_domain::{Duration, UserState};
use weft_store::inbound::{self as store, Outcome};
use weft_store::threads::ThreadId;
use weft_store::users::{self, UserId};

use crate::{App, AppError, SessionUser};

/// How long the record of an inbound message is kept.
pub const INBOUND_KEPT: Duration = Duration::days(60);

/// What became of one inbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// It became a comment: the thread's key and the comment's place in it.
    Comment {
        thread_key: String,
        seq: i64,
    },
    /// It started a thread: its key.
    Thread {
        thread_key: String,
    },
    Refused(Refusal),
}

/// What an accepted message became, before it is recorded.
enum Became {
    Comment {
        thread_key: String,
        seq: i64,
        comment: weft_store::threads::CommentId,
    },
    Thread {
        thread_key: String,
    },
}

/// Who and where a refusal concerns, once known.
#[derive(Default)]
struct Known {
    user: Option<UserId>,
    thread: Option<ThreadId>,
}

impl App {
    /// Takes one inbound message (RFC 5322, as received). `envelope` are the recipients the
    /// MTA says it was delivered to (an MTA's `${recipient}`), searched before the headers.
    /// Errors are only what may pass if tried again (the database is unreachable): the MTA
    /// should keep the message and retry.
    pub async fn receive_email(&self, raw: &[u8], envelope: &[String]) -> Result<Received, AppError> {
        let mut known = Known::default();
        let outcome = self.read_message(raw, envelope, &mut known).await?;
        let size = i64::try_from(raw.len()).unwrap_or(i64::MAX);
        let (word, comment_id) = match &outcome {
            Ok(Became::Comment { comment, .. }) => ("comment", Some(*comment)),
            Ok(Became::Thread { .. }) => ("thread", None),
            Err(r) => (r.as_str(), None),
        };
        store::record(
            &mut *self.store.writer().await?,
            &Outcome {
                outcome: word,
                user_id: known.user,
                thread_id: known.thread,
                comment_id,
                size_bytes: size,
            },
            self.clock.now(),
        )
        .await?;
        tracing::info!(outcome = word, size_bytes = size, "inbound email");
        Ok(match outcome {
            Ok(Became::Comment { thread_key, seq, .. }) => Received::Comment { thread_key, seq },
            Ok(Became::Thread { thread_key }) => Received::Thread { thread_key },
            Err(r) => Received::Refused(r),
        })
    }

    async fn read_message(
        &self,
        raw: &[u8],
        envelope: &[String],
        known: &mut Known,
    ) -> Result<Result<Became, Refusal>, AppError> {
        if raw.len() > self.config.inbound_max_bytes {
            return Ok(Err(Refusal::TooLarge));
        }
        // A message without a sender is not one a person wrote.
        let Some(message) = weft_mail::inbound::parse(raw).filter(|m| m.from.is_some()) else {
            return Ok(Err(Refusal::Unreadable));
        };
        if message.automatic {
            return Ok(Err(Refusal::Automatic));
        }
        let Some(domain) = &self.config.reply_domain else {
            return Ok(Err(Refusal::NotForUs));
        };
        let suffix = format!("@{domain}");
        // The first of our addresses it was sent to: a reply address, or a group's.
        let local = envelope
            .iter()
            .map(|r| r.trim().trim_matches(['<', '>']).to_ascii_lowercase())
            .chain(message.recipients.iter().cloned())
            .find_map(|r| {
                r.strip_suffix(&suffix)
                    .filter(|l| l.starts_with(PREFIX) || group_address::parse(l).is_some())
                    .map(str::to_owned)
            });
        let Some(local) = local else {
            return Ok(Err(Refusal::NotForUs));
        };
        if !local.starts_with(PREFIX) {
            return self.start_thread_by_email(&message, &local, known).await;
        }
        let mut conn = self.store.reader().await?;
        let Some(key) = (match address::key_id(&local) {
            Some(id) => self.signing_key_by_id(&mut conn, id).await?,
            None => None,
        }) else {
            return Ok(Err(Refusal::BadAddress));
        };
        let reply = match address::verify(&local, &key, self.clock.now()) {
            Ok(r) => r,
            Err(refusal) => return Ok(Err(refusal)),
        };
        known.user = Some(UserId(reply.user_id));
        let Some(user) = users::find(&mut conn, UserId(reply.user_id)).await? else {
            known.user = None;
            return Ok(Err(Refusal::Inactive));
        };
        if user.state != UserState::Active {
            return Ok(Err(Refusal::Inactive));
        }
        // The address proves which thread and person; the sender must be that person too.
        if message.from.as_deref() != Some(user.email.as_str()) {
            return Ok(Err(Refusal::WrongSender));
        }
        let Some(thread) = weft_store::threads::find_by_id(&mut conn, ThreadId(reply.thread_id)).await? else {
            return Ok(Err(Refusal::NotAllowed));
        };
        known.thread = Some(thread.id);
        drop(conn);
        let words = quotes::own_words(&message.text);
        if words.trim().is_empty() {
            return Ok(Err(Refusal::Empty));
        }
        let who = SessionUser::by_reply_address(user);
        let parent = (reply.comment_id > 0).then_some(weft_store::threads::CommentId(reply.comment_id));
        // Under the comment the email was about; in the thread itself if that one is gone.
        let mut posted = self.add_comment_about(&who, &thread.key, &words, parent, None).await;
        if parent.is_some() && matches!(posted, Err(AppError::Invalid(_))) {
            posted = self.add_comment_about(&who, &thread.key, &words, None, None).await;
        }
        match posted {
            Ok(seq) => {
                let comment = weft_store::threads::comments_page(&mut *self.store.reader().await?, thread.id, seq, 1)
                    .await?
                    .into_iter()
                    .next()
                    .map(|c| c.id)
                    .ok_or_else(|| AppError::internal("the comment just written is not there"))?;
                Ok(Ok(Became::Comment {
                    thread_key: thread.key,
                    seq,
                    comment,
                }))
            }
            Err(AppError::NotFound | AppError::Forbidden | AppError::Unauthenticated) => Ok(Err(Refusal::NotAllowed)),
            // The words themselves are refused (too long for a comment): nothing to post.
            Err(AppError::Invalid(_)) => Ok(Err(Refusal::Empty)),
            Err(e) => Err(e),
        }
    }

    /// Mail to a group's address (`local`, a `GroupAddress`): a thread by the sender, when the
    /// address or the receiving server proves who they are, they are an active member who may
    /// start threads there, and the group allows it by email. Titled by the subject, its context
    /// the sender's own words (a signature cut), announced to the group as the web's form
    /// offers by default (the whole group where the sender may, else nobody).
    async fn start_thread_by_email(
        &self,
        message: &weft_mail::inbound::Inbound,
        local: &str,
        known: &mut Known,
    ) -> Result<Result<Became, Refusal>, AppError> {
        let Some(address) = group_address::parse(local) else {
            return Ok(Err(Refusal::NotForUs));
        };
        let from = message.from.clone().unwrap_or_default();
        let mut conn = self.store.reader().await?;
        let (group, user) = match address {
            GroupAddress::Personal {
                group_id,
                user_id,
                secret,
            } => {
                let group_id = weft_store::groups::GroupId(group_id);
                let user_id = UserId(user_id);
                let stored = weft_store::groups::email_secret(&mut conn, group_id, user_id).await?;
                let proven = stored
                    .flatten()
                    .is_some_and(|s| weft_domain::secret::constant_time_eq(s.as_bytes(), secret.as_bytes()));
                if !proven {
                    return Ok(Err(Refusal::BadAddress));
                }
                known.user = Some(user_id);
                let (Some(group), Some(user)) = (
                    weft_store::groups::find(&mut conn, group_id).await?,
                    users::find(&mut conn, user_id).await?,
                ) else {
                    return Ok(Err(Refusal::BadAddress));
                };
                if user.email.as_str() != from {
                    return Ok(Err(Refusal::WrongSender));
                }
                (group, user)
            }
            GroupAddress::Public { handle } => {
                let Some(group) = weft_store::groups::find_by_handle(&mut conn, &handle).await? else {
                    return Ok(Err(Refusal::NotAllowed));
                };
                let domain = from.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
                let vouched = self
                    .config
                    .inbound_authserv_id
                    .as_deref()
                    .is_some_and(|id| authentication::dmarc_passed(&message.authentication_results, id, domain));
                if !vouched {
                    return Ok(Err(Refusal::Unverified));
                }
                let Ok(email) = weft_domain::EmailAddress::parse(&from) else {
                    return Ok(Err(Refusal::NotAllowed));
                };
                let Some(user) = users::find_by_email(&mut conn, &email).await? else {
                    return Ok(Err(Refusal::NotAllowed));
                };
                known.user = Some(user.id);
                (group, user)
            }
        };
        drop(conn);
        if user.state != UserState::Active {
            return Ok(Err(Refusal::Inactive));
        }
        let who = SessionUser::by_reply_address(user);
        let view = match self
            .group_for(Some(&who), &group.key, weft_domain::permissions::Action::SeeGroup)
            .await
        {
            Ok(view) => view,
            Err(AppError::NotFound | AppError::Forbidden | AppError::Unauthenticated) => {
                return Ok(Err(Refusal::NotAllowed));
            }
            Err(e) => return Err(e),
        };
        if !weft_domain::permissions::can_start_thread_by_email(&view.actor, &view.facts).allowed() {
            return Ok(Err(Refusal::NotAllowed));
        }
        let input = crate::threads::ThreadInput {
            title: message.subject.clone().unwrap_or_default(),
            context: quotes::own_words(&message.text),
            privacy: String::new(),
            tags: None,
            notify: if view.may(weft_domain::permissions::Action::Announce) {
                "group"
            } else {
                "nobody"
            }
            .into(),
            notify_people: Vec::new(),
            notify_subgroups: Vec::new(),
        };
        match self.start_thread(&who, &group.key, &input).await {
            Ok(thread_key) => {
                if let Some(t) = weft_store::threads::find_by_key(&mut *self.store.reader().await?, &thread_key).await?
                {
                    known.thread = Some(t.id);
                }
                Ok(Ok(Became::Thread { thread_key }))
            }
            Err(AppError::NotFound | AppError::Forbidden | AppError::Unauthenticated) => Ok(Err(Refusal::NotAllowed)),
            Err(AppError::Invalid(_)) => Ok(Err(Refusal::Invalid)),
            Err(e) => Err(e),
        }
    }

    /// A member's own address for starting threads by email in a group: `None` unless replies
    /// by email are set up, the group allows it and they may start threads there. Made on first
    /// use; `renew` replaces it (the old one stops working at once).
    pub async fn group_email_address(
        &self,
        who: &SessionUser,
        view: &crate::groups::GroupView,
        renew: bool,
    ) -> Result<Option<String>, AppError> {
        let (Some(domain), true) = (
            &self.config.reply_domain,
            weft_domain::permissions::can_start_thread_by_email(&view.actor, &view.facts).allowed(),
        ) else {
            if renew {
                return Err(AppError::Forbidden);
            }
            return Ok(None);
        };
        // Read on the reader (the group page asks on every visit); written once, or on renewal.
        let stored =
            weft_store::groups::email_secret(&mut *self.store.reader().await?, view.group.id, who.user.id).await?;
        let secret = match stored {
            Some(Some(secret)) if !renew => secret,
            Some(_) => {
                let mut conn = self.store.writer().await?;
                let fresh = group_address::new_secret();
                weft_store::groups::set_email_secret(&mut conn, view.group.id, who.user.id, &fresh, !renew).await?;
                // Two pages opened at once: whichever secret was stored first is the one.
                weft_store::groups::email_secret(&mut conn, view.group.id, who.user.id)
                    .await?
                    .flatten()
                    .unwrap_or(fresh)
            }
            None => return Ok(None),
        };
        Ok(Some(format!(
            "{}@{domain}",
            group_address::personal(view.group.id.0, who.user.id.0, &secret)
        )))
    }

    /// The group's public address, when replies by email are set up and a trusted receiving
    /// server vouches for senders (`WEFT_INBOUND_AUTHSERV_ID`).
    pub fn group_public_address(&self, handle: &str) -> Option<String> {
        let domain = self.config.reply_domain.as_ref()?;
        self.config.inbound_authserv_id.as_ref()?;
        Some(format!("{handle}@{domain}"))
    }

    /// The retention purge's part: records of inbound messages older than 60 days.
    pub(crate) async fn purge_inbound(&self, conn: &mut weft_store::Conn) -> Result<u64, AppError> {
        Ok(store::purge_older_than(conn, self.clock.now().minus(INBOUND_KEPT)).await?)
    }
}
