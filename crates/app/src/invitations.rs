//! Joining by invitation: emailed invitations (one or many addresses, with a note; single use,
//! expiring; re-send and revoke), the group's shareable link, and invitations that wait for an
//! address until its owner signs up or logs in by link. Every call asks the permission rule first.

use weft_domain::invitations::{parse_addresses, parse_message};
use weft_domain::permissions::{Action, Role};
use weft_domain::{DisplayName, EmailAddress, Password, PasswordHash, SecretToken, Timestamp, ValidationErrors};
use weft_store::groups::{self, Group};
pub use weft_store::invitations::Invitation;
pub use weft_store::invitations::InvitationId;
use weft_store::invitations::{self, NewInvitation};
use weft_store::{Conn, StoreError, users};

use crate::accounts::{ClientInfo, NewSession, insert_account, start_over};
use crate::emails::{Cause, InvitationEmail, Kind};
use crate::groups::GroupView;
use crate::{App, AppError, SessionUser};

/// An invitation is sent again at most this often (re-sending or inviting the same address).
const RESEND_GAP_MICROS: i64 = 3_600_000_000;
/// Invitations listed on the management page.
const LIST_LIMIT: i64 = 500;

/// What the invite form or API call submits, as typed.
#[derive(Debug, Clone, Default)]
pub struct InviteInput {
    pub emails: String,
    pub message: String,
}

/// What came of an invite: how many emails went out, and how many addresses were left alone
/// (already invited within the hour, or already members; which ones is not said, P6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InviteOutcome {
    pub sent: usize,
    pub skipped: usize,
}

/// An invitation as the person holding its link sees it.
#[derive(Debug, Clone)]
pub struct InvitationPage {
    pub group: Group,
    pub inviter_name: Option<String>,
    pub message: String,
    pub email: EmailAddress,
    pub expires_at: Timestamp,
    /// Whether the invited address already has an account (the link's holder controls that
    /// address, so telling them is no leak): log in rather than sign up.
    pub account_exists: bool,
}

/// An invitation waiting on the signed-in person's dashboard.
#[derive(Debug, Clone)]
pub struct MyInvitation {
    pub id: weft_store::invitations::InvitationId,
    pub group_key: String,
    pub group_name: String,
    pub inviter_name: Option<String>,
    pub message: String,
    pub sent_at: Timestamp,
}

/// An emailed invitation link: into a group, or into one thread as a guest.
#[derive(Debug, Clone, Copy)]
pub enum InvitationLink<'a> {
    Group(&'a str),
    Guest(&'a str),
    /// An invitation to vote in one poll.
    Poll(&'a str),
}

enum Plan {
    New(EmailAddress),
    Again(Invitation),
}

impl App {
    /// Invites addresses to a group and emails each a single-use link. Addresses of members and
    /// addresses invited within the hour are skipped; all or nothing counts against the daily quota.
    pub async fn invite(&self, who: &SessionUser, key: &str, input: &InviteInput) -> Result<InviteOutcome, AppError> {
        let view = self.group_for(Some(who), key, Action::Invite).await?;
        let mut errors = ValidationErrors::new();
        let addresses = errors.check("emails", parse_addresses(&input.emails));
        let message = errors.check("message", parse_message(&input.message));
        errors.into_result()?;
        let (Some(addresses), Some(message)) = (addresses, message) else {
            return Err(AppError::internal("validated fields missing"));
        };
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut plans = Vec::new();
        for email in addresses.iter() {
            if let Some(user) = users::find_by_email(&mut tx, email).await?
                && groups::role_of(&mut tx, view.group.id, user.id).await?.is_some()
            {
                continue;
            }
            match invitations::find_for_address(&mut tx, view.group.id, email).await? {
                Some(inv) if inv.sent_at.micros() > now.micros() - RESEND_GAP_MICROS && inv.expires_at > now => {}
                Some(inv) => plans.push(Plan::Again(inv)),
                None => plans.push(Plan::New(email.clone())),
            }
        }
        let skipped = addresses.len() - plans.len();
        if plans.is_empty() {
            return Ok(InviteOutcome { sent: 0, skipped });
        }
        self.take_quota(&mut tx, who, plans.len(), now).await?;
        let expires_at = now.plus(self.config.invitation_ttl);
        for plan in plans.iter() {
            let token = SecretToken::generate();
            let email = match plan {
                Plan::New(email) => {
                    let new = NewInvitation {
                        group_id: view.group.id,
                        email,
                        token_hash: &token.hash(),
                        message: &message,
                        inviter_id: who.user.id,
                        now,
                        expires_at,
                    };
                    match invitations::insert(&mut tx, &new).await {
                        // Invited by someone else this very moment: theirs stands.
                        Err(StoreError::Conflict) => return Err(AppError::field("emails", "Please try again.")),
                        other => other?,
                    };
                    email
                }
                Plan::Again(inv) => {
                    invitations::refresh(&mut tx, inv.id, &token.hash(), Some(&message), now, expires_at).await?;
                    &inv.email
                }
            };
            self.send_invitation(
                &mut tx,
                &view.group,
                (Some(who.user.id), &who.user.name),
                email,
                &message,
                &token,
                expires_at,
            )
            .await?;
        }
        tx.commit().await?;
        self.wake_mailer();
        Ok(InviteOutcome {
            sent: plans.len(),
            skipped,
        })
    }

    pub(crate) async fn take_quota(
        &self,
        tx: &mut Conn,
        who: &SessionUser,
        n: usize,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let limit = self.config.invitations_per_day;
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        if invitations::take_quota(tx, who.user.id, now, n, limit).await? {
            Ok(())
        } else {
            Err(AppError::field(
                "emails",
                format!("You can send at most {limit} invitations a day. Try fewer addresses, or again tomorrow."),
            ))
        }
    }

    /// Emails one invitation: to the account behind the address if there is one (so its owner's
    /// email settings apply), otherwise to the bare address (unless it unsubscribed).
    #[allow(clippy::too_many_arguments)]
    async fn send_invitation(
        &self,
        tx: &mut Conn,
        group: &Group,
        inviter: (Option<users::UserId>, &str),
        email: &EmailAddress,
        message: &str,
        token: &SecretToken,
        expires_at: Timestamp,
    ) -> Result<(), AppError> {
        let (inviter_id, inviter_name) = inviter;
        let link = self.config.url(&format!("/invitations/{}", token.expose()));
        let account = users::find_by_email(tx, email).await?;
        let content = self.invitation_email(&InvitationEmail {
            greeting_name: account.as_ref().map_or("there", |u| u.name.as_str()),
            inviter_name: Some(inviter_name),
            group_name: &group.name,
            thread_title: None,
            poll_title: None,
            message,
            link: &link,
            expires_at,
        });
        let cause = Cause::by(inviter_id).about(group.id);
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
        Ok(())
    }

    /// The group's pending invitations, with addresses: coordinators only (P6).
    pub async fn group_invitations(
        &self,
        who: &SessionUser,
        key: &str,
    ) -> Result<(GroupView, Vec<Invitation>), AppError> {
        let view = self.group_for(Some(who), key, Action::ManageMembers).await?;
        let list = invitations::for_group(&mut *self.store.reader().await?, view.group.id, LIST_LIMIT).await?;
        Ok((view, list))
    }

    /// Sends an invitation again under a new link (the old one stops working).
    pub async fn resend_invitation(
        &self,
        who: &SessionUser,
        key: &str,
        id: weft_store::invitations::InvitationId,
    ) -> Result<(), AppError> {
        let view = self.group_for(Some(who), key, Action::ManageMembers).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let inv = invitations::find(&mut tx, view.group.id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if inv.sent_at.micros() > now.micros() - RESEND_GAP_MICROS {
            return Err(AppError::field(
                "invitation",
                "This invitation was sent less than an hour ago. Give it time to arrive.",
            ));
        }
        self.take_quota(&mut tx, who, 1, now).await?;
        let token = SecretToken::generate();
        let expires_at = now.plus(self.config.invitation_ttl);
        invitations::refresh(&mut tx, inv.id, &token.hash(), None, now, expires_at).await?;
        // Sent again in the original inviter's name while they have an account.
        let inviter = match (&inv.inviter_name, inv.inviter_id) {
            (Some(name), id) => (id, name.as_str()),
            (None, _) => (Some(who.user.id), who.user.name.as_str()),
        };
        self.send_invitation(
            &mut tx,
            &view.group,
            inviter,
            &inv.email,
            &inv.message,
            &token,
            expires_at,
        )
        .await?;
        tx.commit().await?;
        self.wake_mailer();
        Ok(())
    }

    /// Withdraws an invitation: its link stops working and the address is forgotten.
    pub async fn revoke_invitation(
        &self,
        who: &SessionUser,
        key: &str,
        id: weft_store::invitations::InvitationId,
    ) -> Result<(), AppError> {
        let view = self.group_for(Some(who), key, Action::ManageMembers).await?;
        let mut conn = self.store.writer().await?;
        let inv = invitations::find(&mut conn, view.group.id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        invitations::delete(&mut conn, inv.id).await?;
        Ok(())
    }

    // ---- the invitee's side ----

    /// The invitation behind a link, if it is still good (and its group not archived).
    pub async fn invitation(&self, token: &str) -> Result<InvitationPage, AppError> {
        let mut conn = self.store.reader().await?;
        let (inv, group) = find_invitation(&mut conn, token, self.clock.now()).await?;
        let account_exists = users::find_by_email(&mut conn, &inv.email).await?.is_some();
        Ok(InvitationPage {
            group,
            inviter_name: inv.inviter_name,
            message: inv.message,
            email: inv.email,
            expires_at: inv.expires_at,
            account_exists,
        })
    }

    /// Accepts an invitation as the signed-in person. The link works once.
    pub async fn accept_invitation(&self, who: &SessionUser, token: &str) -> Result<String, AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (inv, group) = find_invitation(&mut tx, token, now).await?;
        if !invitations::delete(&mut tx, inv.id).await? {
            return Err(AppError::InvalidToken);
        }
        join(&mut tx, &group, who.user.id, inv.inviter_id, now).await?;
        let bells = match inv.inviter_id {
            Some(inviter) => {
                self.notify_group_news(
                    &mut tx,
                    group.id,
                    weft_domain::notifications::Event::InvitationAccepted,
                    who.user.id,
                    &[inviter],
                )
                .await?
            }
            None => Vec::new(),
        };
        tx.commit().await?;
        self.ring_bells(&bells).await;
        Ok(group.key)
    }

    /// Creates an account for the invited address and accepts: the link came to that address, so
    /// it needs no confirmation. Every other invitation waiting for the address (to groups or
    /// threads) is accepted too. Returns where to go (the group's or the thread's key).
    pub async fn sign_up_from_invitation(
        &self,
        link: InvitationLink<'_>,
        name: &str,
        password: &str,
        client: ClientInfo,
    ) -> Result<(String, NewSession), AppError> {
        let mut errors = ValidationErrors::new();
        let name = errors.check("name", DisplayName::parse(name));
        let password = errors.check("password", Password::parse_new(password));
        errors.into_result()?;
        let (Some(name), Some(password)) = (name, password) else {
            return Err(AppError::internal("validated fields missing"));
        };
        // Check the link before the costly hash, and again inside the transaction.
        self.invited_address(&mut *self.store.reader().await?, link).await?;
        let hash = self.hashing(move || PasswordHash::create(&password)).await?;
        for attempt in 0..4 {
            let now = self.clock.now();
            let mut tx = self.store.begin().await?;
            let (email, destination) = self.invited_address(&mut tx, link).await?;
            let user = match users::find_by_email(&mut tx, &email).await? {
                Some(existing) if existing.is_verified() => {
                    return Err(AppError::field(
                        "email",
                        "This address already has an account. Log in to accept the invitation.",
                    ));
                }
                Some(unproven) => {
                    // Someone signed up with this address without proving it: the link proves it
                    // now, so this sign-up replaces theirs and everything they set goes.
                    if !start_over(&mut tx, &unproven, &name, &hash, attempt, now).await? {
                        continue;
                    }
                    self.prove_address(&mut tx, &unproven, None, true, now).await?;
                    unproven
                }
                None => {
                    let Some(user) = insert_account(&mut tx, &name, &email, &hash, Some(now), attempt, now).await?
                    else {
                        continue;
                    };
                    user
                }
            };
            self.accept_waiting_invitations(&mut tx, &email, user.id, now).await?;
            let session = self.create_session(&mut tx, user.id, client).await?;
            tx.commit().await?;
            return Ok((destination, session));
        }
        Err(AppError::internal("could not find a free username"))
    }

    /// The address an unexpired invitation link was sent to, and the key of where it leads.
    async fn invited_address(
        &self,
        conn: &mut Conn,
        link: InvitationLink<'_>,
    ) -> Result<(EmailAddress, String), AppError> {
        match link {
            InvitationLink::Group(token) => {
                let (inv, group) = find_invitation(conn, token, self.clock.now()).await?;
                Ok((inv.email, group.key))
            }
            InvitationLink::Guest(token) => {
                let (inv, thread, _) = self.find_guest_invitation(conn, token).await?;
                Ok((inv.email, thread.key))
            }
            InvitationLink::Poll(token) => {
                let (inv, poll, _) = self.find_poll_invitation(conn, token).await?;
                Ok((inv.email, poll.key))
            }
        }
    }

    /// Invitations waiting for the signed-in person's address, for their dashboard.
    pub async fn my_invitations(&self, who: &SessionUser) -> Result<Vec<MyInvitation>, AppError> {
        let mut conn = self.store.reader().await?;
        let list = invitations::for_address(&mut conn, &who.user.email, who.user.id, self.clock.now()).await?;
        Ok(list
            .into_iter()
            .map(|(inv, group_key, group_name)| MyInvitation {
                id: inv.id,
                group_key,
                group_name,
                inviter_name: inv.inviter_name,
                message: inv.message,
                sent_at: inv.sent_at,
            })
            .collect())
    }

    /// Accepts or declines an invitation addressed to the signed-in person's own address.
    /// Returns the group's key.
    pub async fn answer_my_invitation(
        &self,
        who: &SessionUser,
        id: weft_store::invitations::InvitationId,
        accept: bool,
    ) -> Result<String, AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mine = invitations::for_address(&mut tx, &who.user.email, who.user.id, now).await?;
        let (inv, group_key, _) = mine
            .into_iter()
            .find(|(inv, _, _)| inv.id == id)
            .ok_or(AppError::NotFound)?;
        if !invitations::delete(&mut tx, inv.id).await? {
            return Err(AppError::NotFound);
        }
        if accept {
            let group = groups::find(&mut tx, inv.group_id).await?.ok_or(AppError::NotFound)?;
            join(&mut tx, &group, who.user.id, inv.inviter_id, now).await?;
        }
        tx.commit().await?;
        Ok(group_key)
    }

    // ---- the shareable link ----

    /// The group's shareable link, for whoever may invite; `None` while it is switched off.
    pub async fn invite_link(&self, view: &GroupView) -> Result<Option<String>, AppError> {
        if !view.may(Action::Invite) {
            return Err(AppError::Forbidden);
        }
        let token = groups::invite_link(&mut *self.store.reader().await?, view.group.id).await?;
        Ok(token.map(|t| self.config.url(&format!("/join/{t}"))))
    }

    /// Switches the link on (anyone who may invite), or makes a new one so the old stops
    /// working (`reset`, coordinators only).
    pub async fn new_invite_link(&self, who: &SessionUser, key: &str, reset: bool) -> Result<String, AppError> {
        let action = if reset { Action::ManageMembers } else { Action::Invite };
        let view = self.group_for(Some(who), key, action).await?;
        let mut conn = self.store.writer().await?;
        if !reset && let Some(existing) = groups::invite_link(&mut conn, view.group.id).await? {
            return Ok(self.config.url(&format!("/join/{existing}")));
        }
        let token = SecretToken::generate();
        groups::set_invite_link(&mut conn, view.group.id, Some(token.expose())).await?;
        Ok(self.config.url(&format!("/join/{}", token.expose())))
    }

    /// Switches the link off (coordinators only).
    pub async fn disable_invite_link(&self, who: &SessionUser, key: &str) -> Result<(), AppError> {
        let view = self.group_for(Some(who), key, Action::ManageMembers).await?;
        groups::set_invite_link(&mut *self.store.writer().await?, view.group.id, None).await?;
        Ok(())
    }

    /// The group a shareable link leads to, while the link is on and the group not archived.
    pub async fn group_by_invite_link(&self, token: &str) -> Result<Group, AppError> {
        let token = SecretToken::parse(token).ok_or(AppError::InvalidToken)?;
        groups::find_by_invite_link(&mut *self.store.reader().await?, token.expose())
            .await?
            .filter(|g| g.archived_at.is_none())
            .ok_or(AppError::InvalidToken)
    }

    /// Joins through the shareable link. Returns the group's key.
    pub async fn join_by_link(&self, who: &SessionUser, token: &str) -> Result<String, AppError> {
        let group = self.group_by_invite_link(token).await?;
        let mut tx = self.store.begin().await?;
        join(&mut tx, &group, who.user.id, None, self.clock.now()).await?;
        tx.commit().await?;
        Ok(group.key)
    }
}

/// An unexpired invitation by its link's secret, with its group (not archived).
async fn find_invitation(conn: &mut Conn, token: &str, now: Timestamp) -> Result<(Invitation, Group), AppError> {
    let hash = SecretToken::parse(token).ok_or(AppError::InvalidToken)?.hash();
    let inv = invitations::find_by_token(conn, &hash, now)
        .await?
        .ok_or(AppError::InvalidToken)?;
    let group = groups::find(conn, inv.group_id)
        .await?
        .filter(|g| g.archived_at.is_none())
        .ok_or(AppError::InvalidToken)?;
    Ok((inv, group))
}

/// Makes `user_id` a member; being one already is fine.
async fn join(
    tx: &mut Conn,
    group: &Group,
    user_id: users::UserId,
    inviter: Option<users::UserId>,
    now: Timestamp,
) -> Result<(), AppError> {
    groups::ensure_member(tx, group.id, user_id, Role::Member, inviter, now).await?;
    Ok(())
}
