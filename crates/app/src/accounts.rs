//! Accounts: sign up, verify, log in (password, emailed link, 6-digit code), reset, sessions,
//! profile changes, unsubscribe. Answers never reveal whether an address has an account.

use weft_domain::password::Verification;
use weft_domain::{
    DisplayName, EmailAddress, LocalPath, LoginCode, MaskedIp, Password, PasswordHash, SecretToken, Timestamp,
    UserState, Username, ValidationErrors, random_key,
};
use weft_store::sessions::{self, Session};
use weft_store::tokens::{self, Purpose};
use weft_store::unsubscribe;
use weft_store::users::{self, User};
use weft_store::{Conn, StoreError};

use crate::emails::Kind;
use crate::{App, AppError};

/// Wrong codes allowed per emailed code before it stops working.
const MAX_CODE_ATTEMPTS: i64 = 5;
/// A session's last-seen time is written at most this often.
const TOUCH_EVERY_MICROS: i64 = 60_000_000;

/// One entry of the optional security log (P20).
pub use weft_store::security_log::Entry as SecurityEvent;

/// Where a request comes from, reduced to what may be stored (P4).
#[derive(Debug, Clone, Copy)]
pub struct ClientInfo {
    pub ip: MaskedIp,
    pub browser: &'static str,
    /// The full address: memory only, except in the security log when the operator switches it
    /// on (P20: seven days).
    pub raw_ip: std::net::IpAddr,
}

/// A fresh session: the web layer puts `token` in the cookie; only its hash is stored.
#[derive(Debug)]
pub struct NewSession {
    pub token: SecretToken,
    pub user_id: users::UserId,
    /// This log-in was the first proof of the address and dropped a password chosen before it
    /// (by whoever typed the address): the person may set their own.
    pub password_dropped: bool,
}

#[derive(Debug)]
pub enum LogInOutcome {
    LoggedIn(NewSession),
    /// The password was right but the address is not confirmed yet: a new link was sent.
    NeedsVerification,
}

/// The signed-in person behind a request.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user: User,
    pub session: Session,
    /// A policy notice is due (read with the session; `App::policy_notice` says which).
    pub policy_unseen: bool,
}

#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id: i64,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub browser: String,
    pub ip_masked: String,
    pub current: bool,
}

pub struct SignUp<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    /// Where to go once the address is confirmed (a shareable invitation link, say).
    pub next: Option<&'a LocalPath>,
    /// The signing-up browser's CSRF value: the verification link keeps the password only when
    /// opened in this browser.
    pub browser: Option<&'a str>,
}

/// The hash that binds a verification link to a browser (its CSRF value), if it has one.
fn browser_hash(browser: Option<&str>) -> Option<weft_domain::TokenHash> {
    browser.and_then(SecretToken::parse).map(|t| t.hash())
}

pub struct ProfileChange<'a> {
    pub name: &'a str,
    pub username: &'a str,
}

/// What an unsubscribe link stops: an account's optional emails, or invitations to an address.
enum UnsubscribeTarget {
    Account(users::UserId),
    Address(weft_domain::TokenHash),
}

impl App {
    // ---- sign up and verification ----

    /// Creates an unverified account and emails a confirmation link. For an address that already
    /// has an account, emails its owner instead; the answer is the same either way.
    pub async fn sign_up(&self, input: &SignUp<'_>) -> Result<(), AppError> {
        let mut errors = ValidationErrors::new();
        let name = errors.check("name", DisplayName::parse(input.name));
        let email = errors.check("email", EmailAddress::parse(input.email));
        let password = errors.check("password", Password::parse_new(input.password));
        errors.into_result()?;
        let (Some(name), Some(email), Some(password)) = (name, email, password) else {
            return Err(AppError::internal("validated fields missing"));
        };
        // Hash before looking the address up, so both paths cost the same.
        let hash = self.hashing(move || PasswordHash::create(&password)).await?;
        // A unique username may need a second try if another sign-up takes it meanwhile.
        for attempt in 0..4 {
            if self
                .try_sign_up(&name, &email, &hash, input.next, input.browser, attempt)
                .await?
                == SignUpAttempt::Done
            {
                return Ok(());
            }
        }
        Err(AppError::internal("could not find a free username"))
    }

    async fn try_sign_up(
        &self,
        name: &DisplayName,
        email: &EmailAddress,
        hash: &PasswordHash,
        next: Option<&LocalPath>,
        browser: Option<&str>,
        attempt: u32,
    ) -> Result<SignUpAttempt, AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        match users::find_by_email(&mut tx, email).await? {
            Some(existing) if existing.is_verified() => {
                let mail = self.sign_up_existing_email(&existing);
                self.queue_email(&mut tx, &existing, None, Kind::SignUpExisting, &mail)
                    .await?;
            }
            Some(unproven) => {
                // The earlier link stops working: `send_verification` voids it.
                if !start_over(&mut tx, &unproven, name, hash, attempt, now).await? {
                    return Ok(SignUpAttempt::Retry);
                }
                self.send_verification(&mut tx, &unproven, next, browser).await?;
            }
            None => {
                let Some(user) = insert_account(&mut tx, name, email, hash, None, attempt, now).await? else {
                    // The username (or the address) was taken meanwhile: try again in a new transaction.
                    return Ok(SignUpAttempt::Retry);
                };
                self.send_verification(&mut tx, &user, next, browser).await?;
            }
        }
        tx.commit().await?;
        self.wake_mailer();
        Ok(SignUpAttempt::Done)
    }

    async fn send_verification(
        &self,
        conn: &mut Conn,
        user: &User,
        next: Option<&LocalPath>,
        browser: Option<&str>,
    ) -> Result<(), AppError> {
        let binding = browser_hash(browser);
        let token = self
            .issue_token(conn, user, Purpose::VerifyEmail, None, None, binding.as_ref())
            .await?;
        let mut path = format!("/verify/{}", token.expose());
        if let Some(next) = next.filter(|n| !n.is_root()) {
            path.push_str("?next=");
            path.push_str(&next.to_query_value());
        }
        let mail = self.verify_email(user, self.config.url(&path));
        self.queue_email(conn, user, None, Kind::VerifyEmail, &mail).await?;
        Ok(())
    }

    /// Confirms the address behind a verification link and logs its owner in. The password chosen
    /// at sign-up survives only when `browser` (its CSRF value) is the browser that signed up.
    pub async fn verify_email_and_log_in(
        &self,
        token: &str,
        browser: Option<&str>,
        client: ClientInfo,
    ) -> Result<NewSession, AppError> {
        self.consume_token_and_log_in(Purpose::VerifyEmail, token, browser, client)
            .await
    }

    /// Records that whoever controls `user`'s address is here (they opened a link sent there, or
    /// the operator vouched for it). The first proof of an address drops everything set before
    /// it — the password (unless `keep_password`: it was set by the prover), every session and every
    /// other unused link — because an account nobody had proven may have been made by anyone who
    /// typed the address (pre-hijack). Returns whether a password was dropped.
    pub(crate) async fn prove_address(
        &self,
        tx: &mut Conn,
        user: &User,
        used_token: Option<i64>,
        keep_password: bool,
        now: Timestamp,
    ) -> Result<bool, AppError> {
        if user.is_verified() {
            return Ok(false);
        }
        let drop_password = !keep_password && user.password_hash.is_some();
        if drop_password {
            users::clear_password(tx, user.id, now).await?;
        }
        sessions::delete_all_for_user(tx, user.id, None).await?;
        tokens::void_all(tx, user.id, used_token.unwrap_or(0), now).await?;
        users::mark_verified(tx, user.id, now).await?;
        Ok(drop_password)
    }

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
    async fn reactivate_if_needed(&self, tx: &mut Conn, user: &User, now: Timestamp) -> Result<(), AppError> {
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
    async fn use_token(
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

    async fn consume_token_and_log_in(
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

    // ---- sessions ----

    pub(crate) async fn create_session(
        &self,
        conn: &mut Conn,
        user_id: users::UserId,
        client: ClientInfo,
    ) -> Result<NewSession, AppError> {
        let now = self.clock.now();
        if self.config.security_log {
            weft_store::security_log::insert(conn, now, "log_in", Some(user_id), &client.raw_ip.to_string()).await?;
        }
        let token = SecretToken::generate();
        sessions::insert(
            conn,
            &sessions::NewSession {
                token_hash: &token.hash(),
                user_id,
                now,
                expires_at: now.plus(self.config.session_absolute_timeout),
                browser: client.browser,
                ip: client.ip,
            },
        )
        .await?;
        Ok(NewSession {
            token,
            user_id,
            password_dropped: false,
        })
    }

    /// P20: writes to the security log, only when the operator keeps one.
    pub(crate) async fn security_event(
        &self,
        event: &str,
        user_id: Option<users::UserId>,
        client: &ClientInfo,
    ) -> Result<(), AppError> {
        if self.config.security_log {
            weft_store::security_log::insert(
                &mut *self.store.writer().await?,
                self.clock.now(),
                event,
                user_id,
                &client.raw_ip.to_string(),
            )
            .await?;
        }
        Ok(())
    }

    /// The security log, newest first, for instance administrators.
    pub async fn security_log(&self, who: &SessionUser) -> Result<Vec<SecurityEvent>, AppError> {
        self.require_instance_admin(who, weft_domain::permissions::InstanceAction::ReadSecurityLog)?;
        Ok(weft_store::security_log::recent(&mut *self.store.reader().await?, 500).await?)
    }

    fn idle_since(&self, now: Timestamp) -> Timestamp {
        now.minus(self.config.session_idle_timeout)
    }

    /// The person behind a session cookie, if the session is live and the account active.
    pub async fn authenticate(&self, cookie_token: &str, client: ClientInfo) -> Result<Option<SessionUser>, AppError> {
        let Some(token) = SecretToken::parse(cookie_token) else {
            return Ok(None);
        };
        let now = self.clock.now();
        let found = sessions::find_live_with_user(
            &mut *self.store.reader().await?,
            &token.hash(),
            now,
            self.idle_since(now),
        )
        .await?;
        let Some(sessions::Live {
            session,
            user,
            policy_unseen,
        }) = found.filter(|live| live.user.state == UserState::Active)
        else {
            return Ok(None);
        };
        if now.micros() - session.last_seen_at.micros() > TOUCH_EVERY_MICROS {
            sessions::touch(&mut *self.store.writer().await?, session.id, now, client.ip).await?;
        }
        Ok(Some(SessionUser {
            user,
            session,
            policy_unseen,
        }))
    }

    /// Ends the session behind a cookie (log out). Unknown cookies are ignored.
    pub async fn log_out(&self, cookie_token: &str) -> Result<(), AppError> {
        if let Some(token) = SecretToken::parse(cookie_token) {
            sessions::delete_by_hash(&mut *self.store.writer().await?, &token.hash()).await?;
        }
        Ok(())
    }

    /// Ends every session of the user, this one included.
    pub async fn log_out_everywhere(&self, who: &SessionUser) -> Result<u64, AppError> {
        Ok(sessions::delete_all_for_user(&mut *self.store.writer().await?, who.user.id, None).await?)
    }

    pub async fn end_session(&self, who: &SessionUser, session_id: i64) -> Result<(), AppError> {
        let ended = sessions::delete_for_user(&mut *self.store.writer().await?, who.user.id, session_id).await?;
        if ended { Ok(()) } else { Err(AppError::NotFound) }
    }

    pub async fn list_sessions(&self, who: &SessionUser) -> Result<Vec<SessionInfo>, AppError> {
        let now = self.clock.now();
        let rows =
            sessions::list_for_user(&mut *self.store.reader().await?, who.user.id, now, self.idle_since(now)).await?;
        Ok(rows
            .into_iter()
            .map(|s| SessionInfo {
                id: s.id,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                current: s.id == who.session.id,
                browser: s.browser,
                ip_masked: s.ip_masked,
            })
            .collect())
    }

    // ---- profile ----

    /// Someone's public face, as `@username` mentions link to it: name and username only (never
    /// the address, P6), for signed-in people, and only for active accounts.
    pub async fn person(&self, _who: &SessionUser, username: &str) -> Result<(String, String), AppError> {
        let user = users::find_by_username(&mut *self.store.reader().await?, &username.to_ascii_lowercase())
            .await?
            .filter(|u| u.state == UserState::Active)
            .ok_or(AppError::NotFound)?;
        Ok((user.name, user.username.as_str().to_owned()))
    }

    pub async fn update_profile(&self, who: &SessionUser, change: &ProfileChange<'_>) -> Result<(), AppError> {
        let mut errors = ValidationErrors::new();
        let name = errors.check("name", DisplayName::parse(change.name));
        let username = errors.check("username", Username::parse(change.username));
        errors.into_result()?;
        let (Some(name), Some(username)) = (name, username) else {
            return Err(AppError::internal("validated fields missing"));
        };
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        users::set_name(&mut tx, who.user.id, &name, now).await?;
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

    /// What an unsubscribe token stops, looked up on a reader, so that a flood of made-up links
    /// never waits for the writer.
    async fn unsubscribe_target(&self, token: &str) -> Result<UnsubscribeTarget, AppError> {
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

    // ---- operator ----

    /// `weft admin create`: makes (or promotes) an instance admin and returns a one-time log-in link.
    pub async fn create_admin(&self, email: &str, name: Option<&str>) -> Result<String, AppError> {
        let email = EmailAddress::parse(email).map_err(|e| AppError::field("email", e.message))?;
        let name =
            DisplayName::parse(name.unwrap_or(email.local_part())).map_err(|e| AppError::field("name", e.message))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let user = if let Some(user) = users::find_by_email(&mut tx, &email).await? {
            // The operator vouches for the address, not for a password someone else may have set
            // on an account nobody had proven: that password and any sessions go.
            self.prove_address(&mut tx, &user, None, false, now).await?;
            users::set_admin(&mut tx, user.id, true, now).await?;
            user
        } else {
            let username = free_username(&mut tx, &Username::suggest(name.as_str()), 0).await?;
            let id = users::insert(
                &mut tx,
                &users::NewUser {
                    key: &random_key(),
                    name: &name,
                    username: &username,
                    email: &email,
                    password_hash: None,
                    email_verified_at: Some(now),
                    is_admin: true,
                    now,
                },
            )
            .await?;
            users::find(&mut tx, id).await?.ok_or(AppError::NotFound)?
        };
        let token = self
            .issue_token(&mut tx, &user, Purpose::LogIn, None, None, None)
            .await?;
        tx.commit().await?;
        Ok(self.config.url(&format!("/login/token/{}", token.expose())))
    }

    async fn issue_token(
        &self,
        conn: &mut Conn,
        user: &User,
        purpose: Purpose,
        code: Option<&LoginCode>,
        new_email: Option<&EmailAddress>,
        browser_hash: Option<&weft_domain::TokenHash>,
    ) -> Result<SecretToken, AppError> {
        let now = self.clock.now();
        let ttl = match purpose {
            Purpose::LogIn | Purpose::ResetPassword => self.config.login_token_ttl,
            Purpose::VerifyEmail | Purpose::ChangeEmail => self.config.verify_token_ttl,
        };
        let token = SecretToken::generate();
        let token_hash = token.hash();
        let code_hash = code.map(|c| c.hash_for(&token_hash));
        tokens::issue(
            conn,
            &tokens::NewToken {
                user_id: user.id,
                purpose,
                token_hash: &token_hash,
                code_hash: code_hash.as_ref(),
                new_email,
                browser_hash,
                now,
                expires_at: now.plus(ttl),
            },
        )
        .await?;
        Ok(token)
    }
}

#[derive(Debug, PartialEq, Eq)]
enum SignUpAttempt {
    Done,
    Retry,
}

/// `base`, or `base` with a number, whichever is free.
/// Inserts an account under a free username derived from the name. `None` when the username or
/// the address was taken by a concurrent sign-up: the caller retries in a new transaction.
pub(crate) async fn insert_account(
    tx: &mut Conn,
    name: &DisplayName,
    email: &EmailAddress,
    hash: &PasswordHash,
    verified_at: Option<Timestamp>,
    attempt: u32,
    now: Timestamp,
) -> Result<Option<User>, AppError> {
    let username = free_username(tx, &Username::suggest(name.as_str()), attempt).await?;
    let inserted = users::insert(
        tx,
        &users::NewUser {
            key: &random_key(),
            name,
            username: &username,
            email,
            password_hash: Some(hash),
            email_verified_at: verified_at,
            is_admin: false,
            now,
        },
    )
    .await;
    let id = match inserted {
        Err(StoreError::Conflict) => return Ok(None),
        other => other?,
    };
    // Someone new has nothing to be told about policy versions published before they came.
    weft_store::policies::ack_latest(tx, id, now).await?;
    Ok(users::find(tx, id).await?)
}

/// Nobody has proven `unproven`'s address, so an earlier sign-up may have been anyone's: a new
/// sign-up on it starts over (its name, username and password replace the earlier ones), so an
/// attacker's sign-up can neither block nor pre-empt the owner's. `false` when the username was
/// taken meanwhile or the address was proven meanwhile: the caller retries.
pub(crate) async fn start_over(
    tx: &mut Conn,
    unproven: &User,
    name: &DisplayName,
    hash: &PasswordHash,
    attempt: u32,
    now: Timestamp,
) -> Result<bool, AppError> {
    let suggested = Username::suggest(name.as_str());
    let username = if unproven.username.as_str() == suggested {
        suggested
    } else {
        free_username(tx, &suggested, attempt).await?
    };
    match users::restart_unverified(tx, unproven.id, name, &username, hash, now).await {
        Err(StoreError::Conflict) => Ok(false),
        other => Ok(other?),
    }
}

async fn free_username(conn: &mut Conn, base: &str, attempt: u32) -> Result<String, AppError> {
    if attempt == 0 && !users::username_taken(conn, base).await? {
        return Ok(base.to_owned());
    }
    for _ in 0..20 {
        let n = u32::from_le_bytes(random_key().as_bytes()[..4].try_into().unwrap_or([0; 4])) % 10_000;
        let candidate = format!("{base}{n}");
        if !users::username_taken(conn, &candidate).await? {
            return Ok(candidate);
        }
    }
    Err(AppError::internal("no free username"))
}

fn can_log_in_by_link(state: UserState) -> bool {
    matches!(state, UserState::Active | UserState::Deactivated)
}
