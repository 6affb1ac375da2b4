//! Guests: people invited by email into one thread without joining its group (Loomio parity).
//! They read and comment on that thread only. Invitations work like group invitations: single
//! use, expiring, waiting for the address until it is confirmed.

use weft_domain::invitations::{parse_addresses, parse_message};
use weft_domain::permissions::ThreadAction;
use weft_domain::{EmailAddress, SecretToken, Timestamp, ValidationErrors};
use weft_store::threads::{self, Thread};
use weft_store::{Conn, groups, guests, users};

use crate::emails::{Cause, InvitationEmail, Kind};
use crate::invitations::InviteInput;
use crate::{App, AppError, SessionUser};

/// A guest invitation as the person holding its link sees it.
#[derive(Debug, Clone)]
pub struct GuestInvitationPage {
    pub thread: Thread,
    pub group_name: String,
    pub inviter_name: Option<String>,
    pub message: String,
    pub email: EmailAddress,
    pub expires_at: Timestamp,
    pub account_exists: bool,
}

/// A guest as the thread page lists them: key, name, username.
pub use weft_store::guests::Guest;

impl App {
    /// Invites addresses into one thread as guests and answers how many addresses were taken.
    /// Members of the group and current guests get no email, but the answer and the daily quota
    /// (shared with group invitations) are the same as for anyone else: whoever adds guests must
    /// not learn which address belongs to a member (P6; it was "skipped" vs "sent").
    pub async fn invite_guests(&self, who: &SessionUser, key: &str, input: &InviteInput) -> Result<usize, AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::AddGuests).await?;
        let mut errors = ValidationErrors::new();
        let addresses = errors.check("emails", parse_addresses(&input.emails));
        let message = errors.check("message", parse_message(&input.message));
        errors.into_result()?;
        let (Some(addresses), Some(message)) = (addresses, message) else {
            return Err(AppError::internal("validated fields missing"));
        };
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut to_invite = Vec::new();
        for email in addresses.iter() {
            if let Some(user) = users::find_by_email(&mut tx, email).await?
                && (groups::role_of(&mut tx, view.group.id, user.id).await?.is_some()
                    || guests::is_guest(&mut tx, view.thread.id, user.id).await?)
            {
                continue;
            }
            to_invite.push(email.clone());
        }
        self.take_quota(&mut tx, who, addresses.len(), now).await?;
        let expires_at = now.plus(self.config.invitation_ttl);
        for email in &to_invite {
            let token = SecretToken::generate();
            guests::invite(
                &mut tx,
                view.thread.id,
                email,
                &token.hash(),
                &message,
                who.user.id,
                now,
                expires_at,
            )
            .await?;
            let link = self.config.url(&format!("/guest/{}", token.expose()));
            let account = users::find_by_email(&mut tx, email).await?;
            let content = self.invitation_email(&InvitationEmail {
                greeting_name: account.as_ref().map_or("there", |u| u.name.as_str()),
                inviter_name: Some(&who.user.name),
                group_name: &view.group.name,
                thread_title: Some(&view.thread.title),
                poll_title: None,
                message: &message,
                link: &link,
                expires_at,
            });
            let cause = Cause::by(who.user.id).about(view.group.id);
            match &account {
                Some(user) => {
                    self.queue_email_from(&mut tx, cause, user, None, Kind::Invitation, &content)
                        .await?
                }
                None => {
                    self.queue_email_to_address(&mut tx, cause, email, Kind::Invitation, &content)
                        .await?
                }
            };
        }
        tx.commit().await?;
        self.wake_mailer();
        Ok(addresses.len())
    }

    /// The thread's guests, for whoever may read it.
    pub async fn thread_guests(&self, who: Option<&SessionUser>, key: &str) -> Result<Vec<Guest>, AppError> {
        let view = self.thread_for(who, key, ThreadAction::See).await?;
        Ok(guests::list(&mut *self.store.reader().await?, view.thread.id).await?)
    }

    /// Ends a guest's access (coordinators, like pinning).
    pub async fn remove_guest(&self, who: &SessionUser, key: &str, user_key: &str) -> Result<(), AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::Pin).await?;
        let mut conn = self.store.writer().await?;
        let user = users::find_by_key(&mut conn, user_key)
            .await?
            .ok_or(AppError::NotFound)?;
        if !guests::remove(&mut conn, view.thread.id, user.id).await? {
            return Err(AppError::NotFound);
        }
        Ok(())
    }

    pub(crate) async fn find_guest_invitation(
        &self,
        conn: &mut Conn,
        token: &str,
    ) -> Result<(guests::GuestInvitation, Thread, String), AppError> {
        let hash = SecretToken::parse(token).ok_or(AppError::InvalidToken)?.hash();
        let inv = guests::find_by_token(conn, &hash, self.clock.now())
            .await?
            .ok_or(AppError::InvalidToken)?;
        let thread = threads::find_by_id(conn, inv.thread_id)
            .await?
            .ok_or(AppError::InvalidToken)?;
        let group = groups::find(conn, thread.group_id)
            .await?
            .filter(|g| g.archived_at.is_none())
            .ok_or(AppError::InvalidToken)?;
        Ok((inv, thread, group.name))
    }

    /// The guest invitation behind a link, if it is still good.
    pub async fn guest_invitation(&self, token: &str) -> Result<GuestInvitationPage, AppError> {
        let mut conn = self.store.reader().await?;
        let (inv, thread, group_name) = self.find_guest_invitation(&mut conn, token).await?;
        let account_exists = users::find_by_email(&mut conn, &inv.email).await?.is_some();
        Ok(GuestInvitationPage {
            thread,
            group_name,
            inviter_name: inv.inviter_name,
            message: inv.message,
            email: inv.email,
            expires_at: inv.expires_at,
            account_exists,
        })
    }

    /// Accepts as the signed-in person (the link works once). Returns the thread's key.
    pub async fn accept_guest_invitation(&self, who: &SessionUser, token: &str) -> Result<String, AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (inv, thread, _) = self.find_guest_invitation(&mut tx, token).await?;
        if !guests::delete_invitation(&mut tx, inv.id).await? {
            return Err(AppError::InvalidToken);
        }
        guests::add(&mut tx, thread.id, who.user.id, inv.inviter_id, now).await?;
        tx.commit().await?;
        Ok(thread.key)
    }

    /// Everything waiting for a confirmed address: group invitations become memberships, guest
    /// invitations guest access, poll invitations a named vote. In the caller's transaction.
    pub(crate) async fn accept_waiting_invitations(
        &self,
        tx: &mut Conn,
        email: &EmailAddress,
        user_id: users::UserId,
        now: Timestamp,
    ) -> Result<(), AppError> {
        weft_store::invitations::accept_all_for_address(tx, email, user_id, now).await?;
        guests::accept_all_for_address(tx, email, user_id, now).await?;
        weft_store::polls::accept_all_for_address(tx, email, user_id, now).await?;
        Ok(())
    }
}
