//! Signing up (with the take-over protections of issue 18), verifying the address, and the
//! operator's `weft admin create`.

use weft_domain::{
    DisplayName, EmailAddress, LocalPath, LoginCode, Password, PasswordHash, SecretToken, Timestamp, Username,
    ValidationErrors, random_key,
};
use weft_store::sessions;
use weft_store::tokens::{self, Purpose};
use weft_store::users::{self, User};
use weft_store::{Conn, StoreError};

use crate::emails::Kind;
use crate::{App, AppError};

use super::*;

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
                .try_sign_up(
                    &name,
                    &email,
                    &hash,
                    (input.next, input.browser, input.time_zone),
                    attempt,
                )
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
        (next, browser, time_zone): (Option<&LocalPath>, Option<&str>, Option<&str>),
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
                if let Some(zone) = time_zone.and_then(|z| weft_domain::polls::meeting::Zone::parse(z).ok()) {
                    users::set_time_zone(&mut tx, user.id, Some(zone.name()), now).await?;
                }
                self.send_verification(&mut tx, &user, next, browser).await?;
            }
        }
        tx.commit().await?;
        self.wake_mailer();
        Ok(SignUpAttempt::Done)
    }

    pub(super) async fn send_verification(
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

    pub(super) async fn issue_token(
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

/// `base`, or `base` with a number, whichever is free.
pub(super) async fn free_username(conn: &mut Conn, base: &str, attempt: u32) -> Result<String, AppError> {
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
