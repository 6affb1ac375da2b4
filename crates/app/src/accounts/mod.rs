//! The account aggregate's use cases: signing up and verifying (`sign_up.rs`), logging in and
//! resetting a password (`log_in.rs`), sessions (`session.rs`), profile changes and unsubscribing
//! (`profile.rs`). Answers never reveal whether an address has an account.

mod log_in;
mod profile;
mod session;
mod sign_up;

pub(crate) use sign_up::{insert_account, start_over};

use weft_domain::{LocalPath, MaskedIp, SecretToken, Timestamp};
use weft_store::sessions::Session;
use weft_store::users::{self, User};

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

impl SessionUser {
    /// Someone acting by their own reply address (a reply by email): no session, nothing
    /// stored about one; the permission rules see the person as signed in.
    pub(crate) fn by_reply_address(user: User) -> Self {
        let now = weft_domain::Timestamp(0);
        Self {
            session: Session {
                id: 0,
                user_id: user.id,
                created_at: now,
                authenticated_at: now,
                last_seen_at: now,
                expires_at: now,
                browser: "email".into(),
                ip_masked: String::new(),
            },
            user,
            policy_unseen: false,
        }
    }
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
    /// The browser's time zone, as its script reports it: kept for a new account when it is a
    /// zone we know (never changes an existing account, whoever types its address).
    pub time_zone: Option<&'a str>,
}

/// Someone's public face: what their profile page shows.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub username: String,
    pub bio: String,
}

/// The hash that binds a verification link to a browser (its CSRF value), if it has one.
fn browser_hash(browser: Option<&str>) -> Option<weft_domain::TokenHash> {
    browser.and_then(SecretToken::parse).map(|t| t.hash())
}

pub struct ProfileChange<'a> {
    pub name: &'a str,
    pub username: &'a str,
    /// The zone times are shown in (IANA name); `None` leaves it, `Some("")` forgets it.
    pub time_zone: Option<&'a str>,
    /// A few words for the profile page; `None` leaves them.
    pub bio: Option<&'a str>,
}

/// What an unsubscribe link stops: an account's optional emails, or invitations to an address.
/// What an email's link lets its reader change without logging in.
#[derive(Debug, Clone)]
pub struct EmailSettings {
    pub name: String,
    /// They unsubscribed from every email they did not ask for.
    pub unsubscribed: bool,
    pub groups: Vec<weft_store::notifications::GroupVolume>,
    /// How often their catch-up digest comes (off: none).
    pub digest: weft_domain::notifications::digest::Cadence,
}

enum UnsubscribeTarget {
    Account(users::UserId),
    Address(weft_domain::TokenHash),
}
