//! Settings the use cases depend on. The binary fills them from flags and `WEFT_*` variables.

use weft_domain::Duration;

#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Public address of this instance, used in every link: `https://weft.example.org`.
    pub base_url: String,
    pub instance_name: String,
    /// `From:` of every email.
    pub mail_from: String,
    pub session_idle_timeout: Duration,
    pub session_absolute_timeout: Duration,
    pub login_token_ttl: Duration,
    pub verify_token_ttl: Duration,
    /// How recent a log-in must be to change email or password without the current password.
    pub fresh_login_window: Duration,
    /// How long an emailed invitation stays good.
    pub invitation_ttl: Duration,
    /// Invitation emails one person may send per day (Loomio limits these too).
    pub invitations_per_day: i64,
    /// P16: processors the operator uses, as (name, what it receives).
    pub third_parties: Vec<(String, String)>,
    /// The SMTP server, when one is used: it is a third party too.
    pub smtp_host: Option<String>,
    /// P12: how to reach the instance's data protection officer (an address or a sentence),
    /// shown on the privacy pages; an address also receives each request.
    pub dpo_contact: Option<String>,
    /// P8: accounts holding more items than this get their export built in the background.
    pub export_inline_limit: usize,
    /// P20: keep a security log with full IP addresses (seven days). Off unless switched on.
    pub security_log: bool,
    /// P2: show the aggregate usage report at `/usage` to everyone.
    pub public_usage: bool,
    pub retention: Retention,
    /// The folder emails are written to as `.eml` files when no SMTP server is configured. Its
    /// files are erased with what they are about and after the email-body retention (P10, P20).
    pub outbox_dir: Option<std::path::PathBuf>,
    /// The domain of personal reply addresses (`reply+…@<domain>`): every email about a thread
    /// carries one, and a reply to it becomes a comment. None: no reply by email.
    pub reply_domain: Option<String>,
    /// Inbound messages larger than this are refused.
    pub inbound_max_bytes: usize,
    /// The receiving mail server whose `Authentication-Results` are believed (its authserv-id):
    /// with it, mail to a group's public address from a member whose domain passed DMARC starts
    /// a thread. None: only members' own addresses do.
    pub inbound_authserv_id: Option<String>,
}

/// P20: how long each kind of expiring data is kept. Listed in docs/PRIVACY.md.
#[derive(Debug, Clone)]
pub struct Retention {
    pub email_bodies: Duration,
    pub unverified_accounts: Duration,
    pub unsubscribe_links: Duration,
    /// Answered deletion requests (the record that they were answered), with a reply address.
    pub deletion_requests: Duration,
    /// The optional security log.
    pub security_log: Duration,
    /// How long a finished personal-data archive can be downloaded.
    pub exports: Duration,
    /// How often the purge runs.
    pub interval: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            email_bodies: Duration::days(7),
            unverified_accounts: Duration::days(7),
            unsubscribe_links: Duration::days(90),
            deletion_requests: Duration::days(365),
            security_log: Duration::days(7),
            exports: Duration::days(2),
            interval: Duration::hours(1),
        }
    }
}

impl AppConfig {
    pub fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            instance_name: "Weft".to_owned(),
            mail_from: "Weft <weft@localhost>".to_owned(),
            session_idle_timeout: Duration::days(14),
            session_absolute_timeout: Duration::days(90),
            login_token_ttl: Duration::minutes(15),
            verify_token_ttl: Duration::hours(24),
            fresh_login_window: Duration::minutes(10),
            invitation_ttl: Duration::days(30),
            invitations_per_day: 200,
            third_parties: Vec::new(),
            smtp_host: None,
            dpo_contact: None,
            export_inline_limit: 5_000,
            security_log: false,
            public_usage: false,
            retention: Retention::default(),
            outbox_dir: None,
            reply_domain: None,
            inbound_max_bytes: 10 * 1024 * 1024,
            inbound_authserv_id: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// The host (and port) of `base_url`: "weft.example.org".
    pub fn host(&self) -> &str {
        let rest = self
            .base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, r)| r);
        rest.split('/').next().unwrap_or(rest)
    }

    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}
