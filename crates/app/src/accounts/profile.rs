//! Profile changes (name, username, password, email with confirmation) and unsubscribing (P15).

use weft_domain::password::Verification;
use weft_domain::{
    DisplayName, EmailAddress, Password, PasswordHash, SecretToken, UserState, Username, ValidationErrors,
};
use weft_store::StoreError;
use weft_store::sessions;
use weft_store::tokens::Purpose;
use weft_store::unsubscribe;
use weft_store::users;

use crate::emails::Kind;
use crate::{App, AppError};

use super::*;

impl App {
    // ---- profile ----

    /// Someone's public face, as `@username` mentions link to it: name, username and bio only
    /// (never the address, P6), for signed-in people, and only for active accounts.
    pub async fn person(&self, _who: &SessionUser, username: &str) -> Result<super::Person, AppError> {
        let user = users::find_by_username(&mut *self.store.reader().await?, &username.to_ascii_lowercase())
            .await?
            .filter(|u| u.state == UserState::Active)
            .ok_or(AppError::NotFound)?;
        Ok(super::Person {
            name: user.name,
            username: user.username.as_str().to_owned(),
            bio: user.bio,
        })
    }

    pub async fn update_profile(&self, who: &SessionUser, change: &ProfileChange<'_>) -> Result<(), AppError> {
        let mut errors = ValidationErrors::new();
        let name = errors.check("name", DisplayName::parse(change.name));
        let username = errors.check("username", Username::parse(change.username));
        let zone = match change.time_zone.map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(z) => errors
                .check("time_zone", weft_domain::polls::meeting::Zone::parse(z))
                .map(|z| Some(z.name().to_owned())),
        };
        let bio = match change.bio {
            None => None,
            Some(b) => errors.check("bio", weft_domain::user::parse_bio(b)),
        };
        errors.into_result()?;
        let (Some(name), Some(username)) = (name, username) else {
            return Err(AppError::internal("validated fields missing"));
        };
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        users::set_name(&mut tx, who.user.id, &name, now).await?;
        if let Some(zone) = &zone {
            users::set_time_zone(&mut tx, who.user.id, zone.as_deref(), now).await?;
        }
        if let Some(bio) = &bio {
            users::set_bio(&mut tx, who.user.id, bio, now).await?;
        }
        match users::set_username(&mut tx, who.user.id, &username, now).await {
            Err(StoreError::Conflict) => {
                return Err(AppError::field("username", "This username is taken. Choose another."));
            }
            other => other?,
        }
        tx.commit().await?;
        Ok(())
    }

    /// A sensitive change is allowed with the current password, or within minutes of a log-in.
    pub(crate) async fn reauthenticate(&self, who: &SessionUser, current_password: &str) -> Result<(), AppError> {
        let fresh = self.clock.now().minus(self.config.fresh_login_window) < who.session.authenticated_at;
        if current_password.is_empty() {
            return if fresh {
                Ok(())
            } else {
                Err(AppError::ReauthenticationRequired)
            };
        }
        let Some(hash) = who.user.password_hash.clone() else {
            return Err(AppError::field(
                "current_password",
                "Your account has no password yet: log in again by email link, then try again.",
            ));
        };
        let candidate = Password::candidate(current_password);
        match self.hashing(move || hash.verify(&candidate)).await? {
            Verification::Wrong => Err(AppError::field(
                "current_password",
                "That is not your current password.",
            )),
            _ => Ok(()),
        }
    }

    /// Sets a new password; other sessions end, this one stays.
    pub async fn change_password(
        &self,
        who: &SessionUser,
        current_password: &str,
        new_password: &str,
    ) -> Result<(), AppError> {
        let password = Password::parse_new(new_password).map_err(|e| AppError::field("new_password", e.message))?;
        self.reauthenticate(who, current_password).await?;
        let hash = self.hashing(move || PasswordHash::create(&password)).await?;
        let mut tx = self.store.begin().await?;
        users::set_password_hash(&mut tx, who.user.id, &hash, self.clock.now()).await?;
        sessions::delete_all_for_user(&mut tx, who.user.id, Some(who.session.id)).await?;
        self.queue_email(
            &mut tx,
            &who.user,
            None,
            Kind::PasswordChanged,
            &self.password_changed_email(&who.user),
        )
        .await?;
        tx.commit().await?;
        self.wake_mailer();
        Ok(())
    }

    /// Emails a confirmation link to the new address; the change happens when it is opened. If
    /// the new address belongs to another account, that address is told instead (no enumeration).
    pub async fn request_email_change(
        &self,
        who: &SessionUser,
        current_password: &str,
        new_email: &str,
    ) -> Result<(), AppError> {
        let new_email = EmailAddress::parse(new_email).map_err(|e| AppError::field("email", e.message))?;
        if new_email == who.user.email {
            return Err(AppError::field("email", "That is already your address."));
        }
        self.reauthenticate(who, current_password).await?;
        let mut tx = self.store.begin().await?;
        if let Some(owner) = users::find_by_email(&mut tx, &new_email).await? {
            self.queue_email(
                &mut tx,
                &owner,
                None,
                Kind::EmailTaken,
                &self.email_taken_email(&owner.name),
            )
            .await?;
        } else {
            let token = self
                .issue_token(&mut tx, &who.user, Purpose::ChangeEmail, None, Some(&new_email), None)
                .await?;
            let mail = self.confirm_new_email(
                &who.user,
                self.config.url(&format!("/profile/email/confirm/{}", token.expose())),
            );
            self.queue_email(&mut tx, &who.user, Some(&new_email), Kind::ConfirmNewEmail, &mail)
                .await?;
        }
        tx.commit().await?;
        self.wake_mailer();
        Ok(())
    }

    /// Switches to the confirmed new address and tells the old one.
    pub async fn confirm_email_change(&self, token: &str) -> Result<(), AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (row, user) = self.use_token(&mut tx, Purpose::ChangeEmail, token, now).await?;
        let Some(new_email) = row.new_email.clone() else {
            return Err(AppError::InvalidToken);
        };
        match users::set_email(&mut tx, user.id, &new_email, now).await {
            // Taken since the link was sent: nothing changes.
            Err(StoreError::Conflict) => return Err(AppError::InvalidToken),
            other => other?,
        }
        self.accept_waiting_invitations(&mut tx, &new_email, user.id, now)
            .await?;
        self.queue_email(
            &mut tx,
            &user,
            Some(&user.email),
            Kind::EmailChanged,
            &self.email_changed_email(&user, &new_email),
        )
        .await?;
        tx.commit().await?;
        self.wake_mailer();
        Ok(())
    }

    // ---- unsubscribe (P15) ----

    /// One-click unsubscribe from everything but the emails a person asks for themselves.
    /// Works without a session; the token can only touch its own user's setting. For an address
    /// with no account (an invitation), it stops further invitations to that address.
    pub async fn unsubscribe(&self, token: &str) -> Result<(), AppError> {
        let target = self.unsubscribe_target(token).await?;
        let now = self.clock.now();
        let mut conn = self.store.writer().await?;
        match target {
            UnsubscribeTarget::Account(user_id) => users::set_unsubscribed(&mut conn, user_id, Some(now)).await?,
            UnsubscribeTarget::Address(address) => unsubscribe::suppress(&mut conn, &address, now).await?,
        }
        Ok(())
    }

    /// Whether the token is a genuine unsubscribe link, for the page that shows its button.
    pub async fn check_unsubscribe_token(&self, token: &str) -> Result<(), AppError> {
        self.unsubscribe_target(token).await.map(|_| ())
    }

    /// The email settings a link from an email may change, without logging in: only its own
    /// person's (`None` for a link to an address without an account, which only stops invitations).
    pub async fn email_settings_by_link(&self, token: &str) -> Result<Option<EmailSettings>, AppError> {
        let UnsubscribeTarget::Account(user_id) = self.unsubscribe_target(token).await? else {
            return Ok(None);
        };
        let mut conn = self.store.reader().await?;
        let user = users::find(&mut conn, user_id).await?.ok_or(AppError::InvalidToken)?;
        let groups = weft_store::notifications::group_volumes(&mut conn, user_id).await?;
        let digest = weft_store::notifications::digest::schedule_of(&mut conn, user_id).await?;
        Ok(Some(EmailSettings {
            name: user.name,
            unsubscribed: user.emails_unsubscribed_at.is_some(),
            groups,
            digest: digest.cadence,
        }))
    }

    /// Through an email's link: no more catch-up digests for its person.
    pub async fn stop_digest_by_link(&self, token: &str) -> Result<(), AppError> {
        let UnsubscribeTarget::Account(user_id) = self.unsubscribe_target(token).await? else {
            return Err(AppError::NotFound);
        };
        let mut conn = self.store.writer().await?;
        let stored = weft_store::notifications::digest::schedule_of(&mut conn, user_id).await?;
        weft_store::notifications::digest::set_schedule(
            &mut conn,
            user_id,
            weft_domain::notifications::digest::Cadence::Off,
            stored.day,
            None,
            self.clock.now(),
        )
        .await?;
        Ok(())
    }

    /// Through an email's link: the volume of one of its person's groups (a group they are not in
    /// is not found).
    pub async fn set_group_volume_by_link(&self, token: &str, group_key: &str, volume: &str) -> Result<(), AppError> {
        let UnsubscribeTarget::Account(user_id) = self.unsubscribe_target(token).await? else {
            return Err(AppError::NotFound);
        };
        let volume =
            weft_domain::notifications::Volume::choose(volume).map_err(|e| AppError::field("volume", e.message))?;
        let mut conn = self.store.writer().await?;
        let group = weft_store::groups::find_by_key(&mut conn, group_key)
            .await?
            .ok_or(AppError::NotFound)?;
        if !weft_store::notifications::set_group_volume(&mut conn, group.id, user_id, volume).await? {
            return Err(AppError::NotFound);
        }
        Ok(())
    }

    /// Undoes an unsubscribe, through the same link.
    pub async fn resubscribe(&self, token: &str) -> Result<(), AppError> {
        let UnsubscribeTarget::Account(user_id) = self.unsubscribe_target(token).await? else {
            return Err(AppError::NotFound);
        };
        users::set_unsubscribed(&mut *self.store.writer().await?, user_id, None).await?;
        Ok(())
    }

    /// What an unsubscribe token stops, looked up on a reader, so that a flood of made-up links
    /// never waits for the writer.
    pub(super) async fn unsubscribe_target(&self, token: &str) -> Result<UnsubscribeTarget, AppError> {
        let mut conn = self.store.reader().await?;
        if let Some(claim) = self.verify_unsubscribe(&mut conn, token).await? {
            // A signed link (every email to an account since issue 20).
            let user = users::find_by_key(&mut conn, &claim.user_key)
                .await?
                .ok_or(AppError::InvalidToken)?;
            return Ok(UnsubscribeTarget::Account(user.id));
        }
        // A stored token: links to addresses without an account, and emails sent before links
        // were signed (they expire within the unsubscribe-link retention).
        let hash = SecretToken::parse(token).ok_or(AppError::InvalidToken)?.hash();
        let now = self.clock.now();
        if let Some(user_id) = unsubscribe::user_for(&mut conn, &hash, now).await? {
            return Ok(UnsubscribeTarget::Account(user_id));
        }
        match unsubscribe::address_for(&mut conn, &hash, now).await? {
            Some(address) => Ok(UnsubscribeTarget::Address(address)),
            None => Err(AppError::InvalidToken),
        }
    }
}
