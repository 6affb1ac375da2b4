//! Mail that comes in (`weft mail receive`, for an MTA's pipe): a reply to a notification becomes
//! the person's comment, through the same use case and permission rule as the web. What is
//! refused is refused silently — no answer is ever sent, so an auto-responder, a bounce or a
//! forged sender cannot start a mail loop — and every message leaves one row of what became of
//! it (`inbound_emails`: no content, subject or address; kept 60 days) and one log line without
//! content.

use weft_domain::inbound::address::{self, PREFIX};
use weft_domain::inbound::{Refusal, quotes};
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
    Refused(Refusal),
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
        let outcome = self.read_reply(raw, envelope, &mut known).await?;
        let size = i64::try_from(raw.len()).unwrap_or(i64::MAX);
        let (word, comment_id) = match &outcome {
            Ok((_, _, comment)) => ("comment", Some(*comment)),
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
            Ok((thread_key, seq, _)) => Received::Comment { thread_key, seq },
            Err(r) => Received::Refused(r),
        })
    }

    async fn read_reply(
        &self,
        raw: &[u8],
        envelope: &[String],
        known: &mut Known,
    ) -> Result<Result<(String, i64, weft_store::threads::CommentId), Refusal>, AppError> {
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
        let local = envelope
            .iter()
            .map(|r| r.trim().trim_matches(['<', '>']).to_ascii_lowercase())
            .chain(message.recipients.iter().cloned())
            .find_map(|r| {
                r.strip_suffix(&suffix)
                    .filter(|l| l.starts_with(PREFIX))
                    .map(str::to_owned)
            });
        let Some(local) = local else {
            return Ok(Err(Refusal::NotForUs));
        };
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
        match self.add_comment_about(&who, &thread.key, &words, parent, None).await {
            Ok(seq) => {
                let comment = weft_store::threads::comments_page(&mut *self.store.reader().await?, thread.id, seq, 1)
                    .await?
                    .into_iter()
                    .next()
                    .map(|c| c.id)
                    .ok_or_else(|| AppError::internal("the comment just written is not there"))?;
                Ok(Ok((thread.key, seq, comment)))
            }
            Err(AppError::NotFound | AppError::Forbidden | AppError::Unauthenticated) => Ok(Err(Refusal::NotAllowed)),
            // The words themselves are refused (too long for a comment): nothing to post.
            Err(AppError::Invalid(_)) => Ok(Err(Refusal::Empty)),
            Err(e) => Err(e),
        }
    }

    /// The retention purge's part: records of inbound messages older than 60 days.
    pub(crate) async fn purge_inbound(&self, conn: &mut weft_store::Conn) -> Result<u64, AppError> {
        Ok(store::purge_older_than(conn, self.clock.now().minus(INBOUND_KEPT)).await?)
    }
}
