//! Polls that name their voters: members named by username or address, anyone else invited by
//! email to vote as a guest of the poll (and of its thread, for a poll in a thread). The
//! invitation works like a guest invitation: single use, expiring, waiting for the address.
//!
//! Whoever names voters must not learn which address belongs to an account or a member (P6). A
//! coordinator (who sees members' addresses anyway) names a member's address at once; anyone
//! else's addresses are all invited by email, members' too, so that the list of who has not voted
//! never ties an address to a name: a member appears there only after accepting.

use weft_domain::polls::NamedVoters;
use weft_domain::{EmailAddress, SecretToken, Timestamp};
use weft_store::groups::Group;
use weft_store::polls::{self, Poll, PollId};
use weft_store::threads::Thread;
use weft_store::users::{self, UserId};
use weft_store::{Conn, guests};

use crate::emails::{Cause, InvitationEmail, Kind};
use crate::{App, AppError, SessionUser};

/// Named voters as found: accounts to name now, addresses to invite.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    pub named: Vec<UserId>,
    pub invited: Vec<EmailAddress>,
}

/// A poll invitation as the person holding its link sees it.
#[derive(Debug, Clone)]
pub struct PollInvitationPage {
    pub poll_title: String,
    pub group_name: String,
    pub inviter_name: Option<String>,
    pub email: EmailAddress,
    pub expires_at: Timestamp,
    pub account_exists: bool,
}

/// Whether the user takes part where the poll lives: a member of its group or a guest of its thread.
async fn takes_part(conn: &mut Conn, group: &Group, thread: Option<&Thread>, user: UserId) -> Result<bool, AppError> {
    if weft_store::groups::role_of(conn, group.id, user).await?.is_some() {
        return Ok(true);
    }
    Ok(match thread {
        Some(t) => guests::is_guest(conn, t.id, user).await?,
        None => false,
    })
}

impl App {
    /// Finds the named voters: usernames must be of people taking part (a member, or a guest of
    /// the thread); addresses of such people are named when the raiser may see members'
    /// addresses (`sees_addresses`), every other address is invited.
    pub(crate) async fn resolve_voters(
        &self,
        conn: &mut Conn,
        (group, thread): (&Group, Option<&Thread>),
        voters: &NamedVoters,
        sees_addresses: bool,
    ) -> Result<Resolved, AppError> {
        let mut found = Resolved::default();
        let mut strangers = Vec::new();
        for username in &voters.usernames {
            match users::find_by_username(conn, username.as_str()).await? {
                Some(u)
                    if u.state == weft_domain::UserState::Active && takes_part(conn, group, thread, u.id).await? =>
                {
                    found.named.push(u.id);
                }
                // Unknown and not a member read the same: a username reveals nothing more here.
                _ => strangers.push(format!("@{}", username.as_str())),
            }
        }
        if !strangers.is_empty() {
            return Err(AppError::field(
                "voters",
                format!(
                    "Not among the people here: {}. Invite people from outside by their email address.",
                    strangers.join(", ")
                ),
            ));
        }
        for email in &voters.emails {
            match users::find_by_email(conn, email).await? {
                Some(u) if sees_addresses && takes_part(conn, group, thread, u.id).await? => found.named.push(u.id),
                _ => found.invited.push(email.clone()),
            }
        }
        found.named.sort_unstable();
        found.named.dedup();
        Ok(found)
    }

    /// Names the resolved voters and emails the invitations, in the raising transaction.
    pub(crate) async fn name_voters(
        &self,
        tx: &mut Conn,
        who: &SessionUser,
        poll: (PollId, &str),
        group: &Group,
        resolved: &Resolved,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let (poll_id, poll_title) = poll;
        for user in &resolved.named {
            polls::name_voter(tx, poll_id, *user).await?;
        }
        if resolved.invited.is_empty() {
            return Ok(());
        }
        self.take_quota(tx, who, resolved.invited.len(), now)
            .await
            .map_err(|_| {
                AppError::field(
                    "voters",
                    format!(
                        "You can send at most {} invitations a day. Name fewer people by email, or try again tomorrow.",
                        self.config.invitations_per_day
                    ),
                )
            })?;
        let expires_at = now.plus(self.config.invitation_ttl);
        for email in &resolved.invited {
            let token = SecretToken::generate();
            polls::invite_voter(tx, poll_id, email, &token.hash(), who.user.id, now, expires_at).await?;
            let link = self.config.url(&format!("/vote/{}", token.expose()));
            let account = users::find_by_email(tx, email).await?;
            let content = self.invitation_email(&InvitationEmail {
                greeting_name: account.as_ref().map_or("there", |u| u.name.as_str()),
                inviter_name: Some(&who.user.name),
                group_name: &group.name,
                thread_title: None,
                poll_title: Some(poll_title),
                message: "",
                link: &link,
                expires_at,
            });
            let cause = Cause::by(who.user.id).about(group.id);
            match &account {
                Some(user) => {
                    self.queue_email_from(tx, cause, user, None, Kind::Invitation, &content)
                        .await?
                }
                None => {
                    self.queue_email_to_address(tx, cause, email, Kind::Invitation, &content)
                        .await?
                }
            };
        }
        Ok(())
    }

    pub(crate) async fn find_poll_invitation(
        &self,
        conn: &mut Conn,
        token: &str,
    ) -> Result<(polls::PollInvitation, Poll, Group), AppError> {
        let hash = SecretToken::parse(token).ok_or(AppError::InvalidToken)?.hash();
        let inv = polls::find_invitation(conn, &hash, self.clock.now())
            .await?
            .ok_or(AppError::InvalidToken)?;
        let poll = polls::find_by_id(conn, inv.poll_id)
            .await?
            .ok_or(AppError::InvalidToken)?;
        let group = weft_store::groups::find(conn, poll.group_id)
            .await?
            .filter(|g| g.archived_at.is_none())
            .ok_or(AppError::InvalidToken)?;
        Ok((inv, poll, group))
    }

    /// The poll invitation behind a link, if it is still good.
    pub async fn poll_invitation(&self, token: &str) -> Result<PollInvitationPage, AppError> {
        let mut conn = self.store.reader().await?;
        let (inv, poll, group) = self.find_poll_invitation(&mut conn, token).await?;
        let account_exists = users::find_by_email(&mut conn, &inv.email).await?.is_some();
        Ok(PollInvitationPage {
            poll_title: poll.title,
            group_name: group.name,
            inviter_name: inv.inviter_name,
            email: inv.email,
            expires_at: inv.expires_at,
            account_exists,
        })
    }

    /// Accepts as the signed-in person (the link works once): they become a named voter, and a
    /// guest of the poll's thread. Returns the poll's key.
    pub async fn accept_poll_invitation(&self, who: &SessionUser, token: &str) -> Result<String, AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (inv, poll, _) = self.find_poll_invitation(&mut tx, token).await?;
        if !polls::delete_invitation(&mut tx, inv.id).await? {
            return Err(AppError::InvalidToken);
        }
        polls::name_voter(&mut tx, poll.id, who.user.id).await?;
        if let Some(thread_id) = poll.thread_id {
            guests::add(&mut tx, thread_id, who.user.id, inv.inviter_id, now).await?;
        }
        tx.commit().await?;
        Ok(poll.key)
    }
}
