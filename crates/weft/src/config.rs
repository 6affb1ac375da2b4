//! Configuration: one clap definition is the source of truth for flags, `WEFT_*` variables and
//! `weft serve --help`; a test checks that the README documents every variable.

use std::path::PathBuf;

use clap::Args;
use weft_domain::Duration;
use weft_mail::SmtpTls;
use weft_web::TrustedProxies;

/// Where the data lives. Shared by every subcommand that touches the database.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Folder for the SQLite database and the outbox of emails not sent by SMTP.
    #[arg(long, env = "WEFT_DATA_DIR", default_value = "./weft-data")]
    pub data_dir: PathBuf,

    /// Database URL. Default: an SQLite file in the data folder. For PostgreSQL:
    /// postgres://user:password@host/database
    #[arg(long, env = "WEFT_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Maximum database connections (PostgreSQL) or SQLite reader connections.
    #[arg(long, env = "WEFT_DATABASE_MAX_CONNECTIONS", default_value_t = 8)]
    pub database_max_connections: u32,
}

impl DataArgs {
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("weft.sqlite3").display()))
    }
}

/// Everything `weft serve` can be told.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,

    /// Address and port to listen on.
    #[arg(long, env = "WEFT_BIND", default_value = "127.0.0.1:3000")]
    pub bind: String,

    /// Public address of this instance, used in links and emails, e.g. https://weft.example.org.
    /// Default: http://<bind address>.
    #[arg(long, env = "WEFT_BASE_URL")]
    pub base_url: Option<String>,

    /// Name shown in pages and emails.
    #[arg(long, env = "WEFT_INSTANCE_NAME", default_value = "Weft")]
    pub instance_name: String,

    /// Sender of every email, e.g. "Weft <weft@example.org>".
    #[arg(long, env = "WEFT_MAIL_FROM", default_value = "Weft <weft@localhost>")]
    pub mail_from: String,

    /// SMTP server. Without it, emails are written as .eml files into <data dir>/outbox.
    #[arg(long, env = "WEFT_SMTP_HOST")]
    pub smtp_host: Option<String>,

    /// SMTP port.
    #[arg(long, env = "WEFT_SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,

    /// SMTP encryption: starttls (port 587), tls (port 465) or none (local relay only).
    #[arg(long, env = "WEFT_SMTP_TLS", default_value = "starttls")]
    pub smtp_tls: SmtpTls,

    /// SMTP user name.
    #[arg(long, env = "WEFT_SMTP_USERNAME")]
    pub smtp_username: Option<String>,

    /// SMTP password.
    #[arg(long, env = "WEFT_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,

    /// A CA certificate (PEM file) to trust for the SMTP server besides the system's roots.
    #[arg(long, env = "WEFT_SMTP_CA_FILE")]
    pub smtp_ca_file: Option<PathBuf>,

    /// Domain of the personal reply addresses in notification emails (reply+…@<domain>): a reply
    /// becomes a comment. Route its mail to `weft mail receive` (see the README). Unset: no
    /// reply by email.
    #[arg(long, env = "WEFT_REPLY_DOMAIN")]
    pub reply_domain: Option<String>,

    /// Address and port of the built-in SMTP listener for replies by email (e.g. 0.0.0.0:25),
    /// the MX of the reply domain: it accepts reply addresses only, never relays. Unset: none
    /// (use `weft mail receive` from your own mail server instead).
    #[arg(long, env = "WEFT_SMTP_INBOUND_BIND")]
    pub smtp_inbound_bind: Option<String>,

    /// The authserv-id of your receiving mail server (its name in the Authentication-Results
    /// headers it adds, e.g. mx.example.org): mail to a group's public address
    /// (<handle>@<reply domain>) from a member starts a thread when that server says DMARC
    /// passed for the sender's domain. Unset: only members' own group addresses start threads.
    #[arg(long, env = "WEFT_INBOUND_AUTHSERV_ID")]
    pub inbound_authserv_id: Option<String>,

    /// Processors this instance uses, listed on the third parties page (P16): "Name: what it
    /// receives", separated by semicolons. The SMTP server is added by itself.
    #[arg(long, env = "WEFT_THIRD_PARTIES", default_value = "")]
    pub third_parties: String,

    /// How to reach your data protection officer (an address or a sentence), shown on the
    /// privacy pages (P12). An address also receives each data-protection request.
    #[arg(long, env = "WEFT_DPO_CONTACT")]
    pub dpo_contact: Option<String>,

    /// Keep a security log of log-ins with full IP addresses, for seven days (P20). Off by default.
    #[arg(long, env = "WEFT_SECURITY_LOG", default_value_t = false)]
    pub security_log: bool,

    /// Show the aggregate usage report (P2) to everyone at /usage.
    #[arg(long, env = "WEFT_PUBLIC_USAGE", default_value_t = false)]
    pub public_usage: bool,

    /// Accounts holding more items than this get their personal-data archive built in the
    /// background and are emailed a link when it is ready.
    #[arg(long, env = "WEFT_EXPORT_INLINE_LIMIT", default_value_t = 5000)]
    pub export_inline_limit: usize,

    /// Reverse proxies whose X-Forwarded-For is trusted: addresses or CIDR ranges, comma-separated.
    #[arg(long, env = "WEFT_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: TrustedProxies,

    /// A session ends after this long without use (90s, 15m, 12h, 14d).
    #[arg(long, env = "WEFT_SESSION_IDLE_TIMEOUT", default_value = "14d")]
    pub session_idle_timeout: Duration,

    /// A session ends this long after log-in, used or not.
    #[arg(long, env = "WEFT_SESSION_ABSOLUTE_TIMEOUT", default_value = "90d")]
    pub session_absolute_timeout: Duration,

    /// Attempts per hour from one IP address at sign-up, log-in, log-in links and password reset.
    #[arg(long, env = "WEFT_RATE_LIMIT_PER_IP", default_value_t = 30)]
    pub rate_limit_per_ip: u32,

    /// Attempts per hour for one email address at the same doors.
    #[arg(long, env = "WEFT_RATE_LIMIT_PER_EMAIL", default_value_t = 10)]
    pub rate_limit_per_email: u32,

    /// Open connections per client IP address (connections from trusted proxies are not capped:
    /// configure the proxy's own per-client limit).
    #[arg(long, env = "WEFT_CONNECTIONS_PER_CLIENT", default_value_t = 256)]
    pub connections_per_client: usize,

    /// Live-update streams open at once per client (proxy-aware).
    #[arg(long, env = "WEFT_LIVE_STREAMS_PER_CLIENT", default_value_t = 64)]
    pub live_streams_per_client: usize,

    /// How long the bodies of sent emails are kept before they are erased.
    #[arg(long, env = "WEFT_RETAIN_EMAIL_BODIES", default_value = "7d")]
    pub retain_email_bodies: Duration,

    /// How long an account whose address was never confirmed is kept.
    #[arg(long, env = "WEFT_RETAIN_UNVERIFIED_ACCOUNTS", default_value = "7d")]
    pub retain_unverified_accounts: Duration,

    /// Log format: human or json.
    #[arg(long, env = "WEFT_LOG_FORMAT", default_value = "human")]
    pub log_format: String,

    /// Log levels, e.g. "info" or "info,weft_app=debug".
    #[arg(long, env = "WEFT_LOG", default_value = "info")]
    pub log: String,
}

/// The resolved settings `Application::build` starts from (tests build one directly).
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub database_max_connections: u32,
    pub bind: String,
    pub base_url: Option<String>,
    pub instance_name: String,
    pub mail_from: String,
    pub smtp: Option<weft_mail::SmtpSettings>,
    /// The domain of reply addresses, when replies by email are on.
    pub reply_domain: Option<String>,
    /// Where the built-in SMTP listener for replies listens, if anywhere.
    pub smtp_inbound_bind: Option<String>,
    /// The receiving mail server whose DMARC verdicts are believed.
    pub inbound_authserv_id: Option<String>,
    /// P16: (name, what it receives) for each processor the operator declared.
    pub third_parties: Vec<(String, String)>,
    pub dpo_contact: Option<String>,
    pub security_log: bool,
    pub public_usage: bool,
    pub export_inline_limit: usize,
    pub trusted_proxies: TrustedProxies,
    pub session_idle_timeout: Duration,
    pub session_absolute_timeout: Duration,
    pub rate_limits: weft_web::RateLimits,
    pub retention: weft_app::config::Retention,
    /// A request unanswered after this long gets 408 (30 s; tests shorten it).
    pub request_timeout: std::time::Duration,
    /// Header-read deadline and connections per client.
    pub connections: weft_web::ConnectionLimits,
    pub live_streams_per_client: usize,
}

impl ServeConfig {
    /// Defaults for a data folder, as `weft serve` would use with no flags.
    pub fn for_data_dir(data_dir: PathBuf) -> Self {
        let data = DataArgs {
            data_dir,
            database_url: None,
            database_max_connections: 8,
        };
        let args = ServeArgs {
            data,
            bind: "127.0.0.1:3000".into(),
            base_url: None,
            instance_name: "Weft".into(),
            mail_from: "Weft <weft@localhost>".into(),
            smtp_host: None,
            smtp_port: 587,
            smtp_tls: SmtpTls::StartTls,
            smtp_username: None,
            smtp_password: None,
            smtp_ca_file: None,
            reply_domain: None,
            smtp_inbound_bind: None,
            inbound_authserv_id: None,
            third_parties: String::new(),
            dpo_contact: None,
            security_log: false,
            public_usage: false,
            export_inline_limit: 5000,
            trusted_proxies: TrustedProxies::default(),
            session_idle_timeout: Duration::days(14),
            session_absolute_timeout: Duration::days(90),
            rate_limit_per_ip: 30,
            rate_limit_per_email: 10,
            connections_per_client: 256,
            live_streams_per_client: 64,
            retain_email_bodies: Duration::days(7),
            retain_unverified_accounts: Duration::days(7),
            log_format: "human".into(),
            log: "info".into(),
        };
        Self::from(&args)
    }
}

impl From<&ServeArgs> for ServeConfig {
    fn from(a: &ServeArgs) -> Self {
        Self {
            data_dir: a.data.data_dir.clone(),
            database_url: a.data.database_url(),
            database_max_connections: a.data.database_max_connections,
            bind: a.bind.clone(),
            base_url: a.base_url.clone(),
            instance_name: a.instance_name.clone(),
            mail_from: a.mail_from.clone(),
            smtp: a.smtp_host.as_ref().map(|host| weft_mail::SmtpSettings {
                host: host.clone(),
                port: a.smtp_port,
                tls: a.smtp_tls,
                username: a.smtp_username.clone(),
                password: a.smtp_password.clone(),
                ca_file: a.smtp_ca_file.clone(),
            }),
            reply_domain: a
                .reply_domain
                .as_deref()
                .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
                .filter(|d| !d.is_empty()),
            smtp_inbound_bind: a.smtp_inbound_bind.clone().filter(|b| !b.trim().is_empty()),
            inbound_authserv_id: a
                .inbound_authserv_id
                .as_deref()
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_owned),
            third_parties: parse_third_parties(&a.third_parties),
            dpo_contact: a.dpo_contact.clone().filter(|c| !c.trim().is_empty()),
            security_log: a.security_log,
            public_usage: a.public_usage,
            export_inline_limit: a.export_inline_limit,
            trusted_proxies: a.trusted_proxies.clone(),
            session_idle_timeout: a.session_idle_timeout,
            session_absolute_timeout: a.session_absolute_timeout,
            rate_limits: weft_web::RateLimits {
                per_ip: a.rate_limit_per_ip,
                per_email: a.rate_limit_per_email,
                window: std::time::Duration::from_secs(3600),
            },
            retention: weft_app::config::Retention {
                email_bodies: a.retain_email_bodies,
                unverified_accounts: a.retain_unverified_accounts,
                ..weft_app::config::Retention::default()
            },
            request_timeout: std::time::Duration::from_secs(30),
            connections: weft_web::ConnectionLimits {
                per_client: a.connections_per_client,
                ..weft_web::ConnectionLimits::default()
            },
            live_streams_per_client: a.live_streams_per_client,
        }
    }
}

/// "Mailgun: email delivery; Hetzner: hosting" → [("Mailgun", "email delivery"), ("Hetzner", "hosting")].
fn parse_third_parties(input: &str) -> Vec<(String, String)> {
    input
        .split(';')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| match entry.split_once(':') {
            Some((name, what)) => (name.trim().to_owned(), what.trim().to_owned()),
            None => (entry.to_owned(), String::new()),
        })
        .collect()
}
