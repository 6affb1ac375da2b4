//! Sending: SMTP through lettre (TLS when configured), or `.eml` files in a folder when no SMTP
//! server is configured, so a laptop install needs nothing else.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the message could not be built: {0}")]
    Build(String),
    #[error("SMTP delivery failed: {0}")]
    Smtp(String),
    #[error("writing the message file failed: {0}")]
    File(#[from] std::io::Error),
    #[error("SMTP is misconfigured: {0}")]
    Config(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// TLS from the first byte (port 465).
    Implicit,
    /// Plain connection upgraded with STARTTLS, required (port 587).
    StartTls,
    /// No encryption: only for a relay on the same host.
    None,
}

impl std::str::FromStr for SmtpTls {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "tls" | "implicit" => Ok(Self::Implicit),
            "starttls" => Ok(Self::StartTls),
            "none" | "plain" => Ok(Self::None),
            _ => Err(format!("{s:?}: use tls, starttls or none")),
        }
    }
}

#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
    /// A certificate (PEM) to trust besides the system's roots: a relay with a private CA.
    pub ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

/// One message ready to leave.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// Unique per message; becomes the Message-ID and the file name.
    pub id: i64,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    pub unsubscribe_url: &'a str,
    /// The sender's name shown (the address stays the instance's own).
    pub from_name: Option<&'a str>,
    /// The thread it is about: `In-Reply-To` and `References` name the thread, so mail clients
    /// keep a thread's emails together.
    pub thread_id: Option<i64>,
    /// The person's own reply address: a reply becomes their comment.
    pub reply_to: Option<&'a str>,
}

#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp(_) => f.write_str("Transport::Smtp"),
            Self::Files(dir) => write!(f, "Transport::Files({})", dir.display()),
        }
    }
}

impl Transport {
    pub fn smtp(settings: &SmtpSettings) -> Result<Self, MailError> {
        use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
        let config = |e: lettre::transport::smtp::Error| MailError::Config(e.to_string());
        let parameters = || -> Result<TlsParameters, MailError> {
            let mut tls = TlsParameters::builder(settings.host.clone());
            if let Some(path) = &settings.ca_file {
                let pem =
                    std::fs::read(path).map_err(|e| MailError::Config(format!("reading {}: {e}", path.display())))?;
                tls = tls.add_root_certificate(Certificate::from_pem(&pem).map_err(config)?);
            }
            tls.build_rustls().map_err(config)
        };
        let builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host);
        let builder = match settings.tls {
            SmtpTls::Implicit => builder.tls(Tls::Wrapper(parameters()?)),
            SmtpTls::StartTls => builder.tls(Tls::Required(parameters()?)),
            SmtpTls::None => builder,
        };
        let mut builder = builder.port(settings.port).timeout(Some(Duration::from_secs(30)));
        if let (Some(user), Some(pass)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
        }
        Ok(Self::Smtp(builder.build()))
    }

    pub fn files(dir: PathBuf) -> Self {
        Self::Files(dir)
    }

    pub async fn send(&self, from: &Mailbox, message_domain: &str, email: &Outgoing<'_>) -> Result<(), MailError> {
        let message = build(from, message_domain, email)?;
        match self {
            Self::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| MailError::Smtp(e.to_string())),
            Self::Files(dir) => {
                tokio::fs::create_dir_all(dir).await?;
                let name = format!("{:010}.eml", email.id);
                let tmp = dir.join(format!(".{name}.tmp"));
                tokio::fs::write(&tmp, message.formatted()).await?;
                // Rename is atomic: a reader never sees half a message.
                tokio::fs::rename(&tmp, dir.join(name)).await?;
                Ok(())
            }
        }
    }
}

fn build(from: &Mailbox, message_domain: &str, email: &Outgoing<'_>) -> Result<Message, MailError> {
    let to: Mailbox = email
        .to
        .parse()
        .map_err(|e: lettre::address::AddressError| MailError::Build(e.to_string()))?;
    let from = match email.from_name {
        Some(name) => Mailbox::new(Some(name.to_owned()), from.email.clone()),
        None => from.clone(),
    };
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(email.subject)
        .message_id(Some(format!("<weft.{}@{}>", email.id, message_domain)));
    if let Some(reply_to) = email.reply_to
        && let Ok(address) = reply_to.parse::<lettre::Address>()
    {
        builder = builder.reply_to(Mailbox::new(None, address));
    }
    if let Some(thread) = email.thread_id {
        let root = format!("<weft.thread.{thread}@{message_domain}>");
        builder = builder.in_reply_to(root.clone()).references(root);
    }
    builder
        .header(ListUnsubscribe(format!("<{}>", email.unsubscribe_url)))
        .header(ListUnsubscribePost)
        .header(AutoSubmitted)
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(email.text.to_owned()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(email.html.to_owned()),
                ),
        )
        .map_err(|e| MailError::Build(e.to_string()))
}

/// RFC 2369 / RFC 8058: the address mail clients use for their own "unsubscribe" button.
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// RFC 8058: a POST to the List-Unsubscribe URL unsubscribes in one click, without a page.
#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// RFC 3834: tells auto-responders not to answer.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}
