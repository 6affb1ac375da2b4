//! Logging in by password, emailed link or 6-digit code, and resetting a password.

use weft_domain::password::Verification;
use weft_domain::{EmailAddress, LoginCode, Password, PasswordHash, SecretToken, Timestamp, UserState};
use weft_store::Conn;
use weft_store::sessions;
use weft_store::tokens::{self, Purpose};
use weft_store::users::{self, User};

use crate::emails::Kind;
use crate::{App, AppError};

use super::*;

impl App {
    // ---- logging in ----

    /// `browser` (its CSRF value) binds a verification link sent to an unconfirmed account.
    pub async fn log_in_with_password(
        &self,
        email: &str,
        password: &str,
        browser: Option<&str>,
        client: ClientInfo,
    ) -> Result<LogInOutcome, AppError> {
        let candidate = Password::candidate(password);
        let Ok(email) = EmailAddress::parse(email) else {
            self.hashing(move || PasswordHash::verify_dummy(&candidate)).await?;
            return Err(AppError::InvalidCredentials);
        };
        let user = users::find_by_email(&mut *self.store.reader().await?, &email).await?;
        let Some((user, hash)) = user.and_then(|u| u.password_hash.clone().map(|h| (u, h))) else {
            self.hashing(move || PasswordHash::verify_dummy(&candidate)).await?;
            return Err(AppError::InvalidCredentials);
        };
        let (verification, candidate) = self
            .hashing(move || {
                let v = hash.verify(&candidate);
                (v, candidate)
            })
            .await?;
        if verification == Verification::Wrong || user.state != UserState::Active {
            self.security_event("log_in_failed", Some(user.id), &client).await?;
            return Err(AppError::InvalidCredentials);
        }
        let new_hash = if verification == Verification::CorrectNeedsRehash {
            Some(self.hashing(move || PasswordHash::create(&candidate)).await?)
        } else {
            None
        };
        let mut tx = self.store.begin().await?;
        if let Some(new_hash) = &new_hash {
            users::set_password_hash(&mut tx, user.id, new_hash, self.clock.now()).await?;
        }
        if !user.is_verified() {
            self.send_verification(&mut tx, &user, None, browser).await?;
            tx.commit().await?;
            self.wake_mailer();
            return Ok(LogInOutcome::NeedsVerification);
        }
        let session = self.create_session(&mut tx, user.id, client).await?;
        tx.commit().await?;
        Ok(LogInOutcome::LoggedIn(session))
    }

    /// Emails a one-time log-in link with a 6-digit code, if the address has an active account or
    /// a deactivated one (logging in by link is how a deactivated account comes back, P9).
    pub async fn request_log_in_link(&self, email: &str) -> Result<(), AppError> {
        let email = EmailAddress::parse(email).map_err(|e| AppError::field("email", e.message))?;
        let mut tx = self.store.begin().await?;
        if let Some(user) = users::find_by_email(&mut tx, &email).await?
            && can_log_in_by_link(user.state)
        {
            let code = LoginCode::generate();
            let token = self
                .issue_token(&mut tx, &user, Purpose::LogIn, Some(&code), None, None)
                .await?;
            let mail = self.log_in_email(
                &user,
                self.config.url(&format!("/login/token/{}", token.expose())),
                code.expose(),
            );
            self.queue_email(&mut tx, &user, None, Kind::LogInLink, &mail).await?;
        }
        tx.commit().await?;
        self.wake_mailer();
        Ok(())
    }

    pub async fn log_in_with_link(&self, token: &str, client: ClientInfo) -> Result<NewSession, AppError> {
        self.consume_token_and_log_in(Purpose::LogIn, token, None, client).await
    }

    /// Logs in with the code from the emailed link. Wrong codes count; after five the code is void.
    pub async fn log_in_with_code(&self, email: &str, code: &str, client: ClientInfo) -> Result<NewSession, AppError> {
        let (Ok(email), Some(code)) = (EmailAddress::parse(email), LoginCode::parse(code)) else {
            return Err(AppError::InvalidToken);
        };
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let user = users::find_by_email(&mut tx, &email)
            .await?
            .filter(|u| can_log_in_by_link(u.state));
        let Some(user) = user else {
            return Err(AppError::InvalidToken);
        };
        let Some(token) = tokens::latest_usable(&mut tx, user.id, Purpose::LogIn, now).await? else {
            return Err(AppError::InvalidToken);
        };
        let Some(expected) = &token.code_hash else {
            return Err(AppError::InvalidToken);
        };
        let matches = weft_domain::secret::constant_time_eq(
            code.hash_for(&token.token_hash).as_str().as_bytes(),
            expected.as_str().as_bytes(),
        );
        if !matches {
            tokens::record_wrong_code(&mut tx, token.id, MAX_CODE_ATTEMPTS, now).await?;
            tx.commit().await?;
            return Err(AppError::InvalidToken);
        }
        if !tokens::consume(&mut tx, token.id, now).await? {
            return Err(AppError::InvalidToken);
        }
        let password_dropped = self.prove_address(&mut tx, &user, Some(token.id), false, now).await?;
        self.reactivate_if_needed(&mut tx, &user, now).await?;
        self.accept_waiting_invitations(&mut tx, &user.email, user.id, now)
            .await?;
        let mut session = self.create_session(&mut tx, user.id, client).await?;
        session.password_dropped = password_dropped;
        tx.commit().await?;
        Ok(session)
    }

    /// A deactivated account that logs in by emailed link is active again, with everything as it
    /// was (P9).
    pub(super) async fn reactivate_if_needed(
        &self,
        tx: &mut Conn,
        user: &User,
        now: Timestamp,
    ) -> Result<(), AppError> {
        if user.state == UserState::Deactivated {
            users::set_state(tx, user.id, UserState::Active, now).await?;
        }
        Ok(())
    }

    /// Whether a link is still usable, without using it (to show its page or an error).
    pub async fn check_token(&self, purpose: Purpose, token: &str) -> Result<(), AppError> {
        let hash = SecretToken::parse(token).ok_or(AppError::InvalidToken)?.hash();
        let found = tokens::find_usable(&mut *self.store.reader().await?, purpose, &hash, self.clock.now()).await?;
        found.map(|_| ()).ok_or(AppError::InvalidToken)
    }

    /// Uses an emailed link once: the token must exist for this purpose, be unexpired and unused,
    /// and belong to an active account. Of several concurrent uses exactly one gets through, as
    /// `consume` checks and sets `used_at` in one statement.
    pub(super) async fn use_token(
        &self,
        tx: &mut Conn,
        purpose: Purpose,
        token: &str,
        now: Timestamp,
    ) -> Result<(tokens::LoginToken, User), AppError> {
        let hash = SecretToken::parse(token).ok_or(AppError::InvalidToken)?.hash();
        let row = tokens::find_usable(tx, purpose, &hash, now)
            .await?
            .ok_or(AppError::InvalidToken)?;
        if !tokens::consume(tx, row.id, now).await? {
            return Err(AppError::InvalidToken);
        }
        let user = users::find(tx, row.user_id)
            .await?
            .filter(|u| u.state == UserState::Active || (purpose == Purpose::LogIn && can_log_in_by_link(u.state)))
            .ok_or(AppError::InvalidToken)?;
        Ok((row, user))
    }

    pub(super) async fn consume_token_and_log_in(
        &self,
        purpose: Purpose,
        token: &str,
        browser: Option<&str>,
        client: ClientInfo,
    ) -> Result<NewSession, AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (row, user) = self.use_token(&mut tx, purpose, token, now).await?;
        // Opening a link sent to the address proves the address, and with it any invitations
        // waiting for that address. A sign-up's password is kept only in the browser that chose it.
        let same_browser = match (&row.browser_hash, browser_hash(browser)) {
            (Some(bound), Some(this)) => {
                weft_domain::secret::constant_time_eq(bound.as_str().as_bytes(), this.as_str().as_bytes())
            }
            _ => false,
        };
        let keep_password = purpose == Purpose::VerifyEmail && same_browser;
        let password_dropped = self
            .prove_address(&mut tx, &user, Some(row.id), keep_password, now)
            .await?;
        self.reactivate_if_needed(&mut tx, &user, now).await?;
        self.accept_waiting_invitations(&mut tx, &user.email, user.id, now)
            .await?;
        let mut session = self.create_session(&mut tx, user.id, client).await?;
        session.password_dropped = password_dropped;
        tx.commit().await?;
        Ok(session)
    }

    // ---- password reset ----

    pub async fn request_password_reset(&self, email: &str) -> Result<(), AppError> {
        let email = EmailAddress::parse(email).map_err(|e| AppError::field("email", e.message))?;
        let mut tx = self.store.begin().await?;
        if let Some(user) = users::find_by_email(&mut tx, &email).await?
            && user.state == UserState::Active
        {
            let token = self
                .issue_token(&mut tx, &user, Purpose::ResetPassword, None, None, None)
                .await?;
            let mail =
                self.password_reset_email(&user, self.config.url(&format!("/password/reset/{}", token.expose())));
            self.queue_email(&mut tx, &user, None, Kind::PasswordReset, &mail)
                .await?;
        }
        tx.commit().await?;
        self.wake_mailer();
        Ok(())
    }

    /// Sets a new password from a reset link, ends every other session and logs in.
    pub async fn reset_password(
        &self,
        token: &str,
        new_password: &str,
        client: ClientInfo,
    ) -> Result<NewSession, AppError> {
        let password = Password::parse_new(new_password).map_err(|e| AppError::field("password", e.message))?;
        self.check_token(Purpose::ResetPassword, token).await?;
        let password_hash = self.hashing(move || PasswordHash::create(&password)).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (row, user) = self.use_token(&mut tx, Purpose::ResetPassword, token, now).await?;
        // The reset link proves the address; the new password is the prover's own.
        self.prove_address(&mut tx, &user, Some(row.id), true, now).await?;
        users::set_password_hash(&mut tx, user.id, &password_hash, now).await?;
        sessions::delete_all_for_user(&mut tx, user.id, None).await?;
        let session = self.create_session(&mut tx, user.id, client).await?;
        self.queue_email(
            &mut tx,
            &user,
            None,
            Kind::PasswordChanged,
            &self.password_changed_email(&user),
        )
        .await?;
        tx.commit().await?;
        self.wake_mailer();
        Ok(session)
    }
}

pub(super) fn can_log_in_by_link(state: UserState) -> bool {
    matches!(state, UserState::Active | UserState::Deactivated)
}
