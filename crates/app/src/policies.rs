//! The privacy policy and terms (P19): a default text ships with Weft (version 1); the instance's
//! administrators publish new versions, each with a summary of what changed; people see a notice
//! of a version they have not seen on their next visit, and optionally an email. The third
//! parties page (P16) lists what the operator configured.

use weft_domain::{Timestamp, UserState};
use weft_store::policies::{self, Policy};
use weft_store::{StoreError, users};

use crate::emails::Kind;
use crate::{App, AppError, SessionUser};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    Privacy,
    Terms,
}

impl PolicyKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "privacy" => Some(Self::Privacy),
            "terms" => Some(Self::Terms),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Privacy => "privacy",
            Self::Terms => "terms",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Privacy => "Privacy policy",
            Self::Terms => "Terms of use",
        }
    }

    fn default_body(self) -> &'static str {
        match self {
            Self::Privacy => include_str!("../defaults/privacy.md"),
            Self::Terms => include_str!("../defaults/terms.md"),
        }
    }
}

/// One version of a policy, with the list of all versions.
#[derive(Debug, Clone)]
pub struct PolicyPage {
    pub kind: PolicyKind,
    pub version: i64,
    pub body: String,
    pub summary: String,
    /// `None` for the text shipped with Weft.
    pub published_at: Option<Timestamp>,
    /// Every version, newest first: (version, published, summary).
    pub history: Vec<(i64, Option<Timestamp>, String)>,
    pub latest: i64,
}

/// A policy version the person has not seen yet.
#[derive(Debug, Clone)]
pub struct PolicyNotice {
    pub kind: PolicyKind,
    pub title: &'static str,
    pub summary: String,
    pub published_at: Timestamp,
}

impl App {
    /// A version of a policy (the latest by default); version 1 is the text shipped with Weft.
    pub async fn policy(&self, kind: PolicyKind, version: Option<i64>) -> Result<PolicyPage, AppError> {
        let published = policies::versions(&mut *self.store.reader().await?, kind.as_str()).await?;
        let mut history: Vec<(i64, Option<Timestamp>, String)> = published
            .iter()
            .map(|p| (p.version, Some(p.published_at), p.summary.clone()))
            .collect();
        history.push((1, None, "The text that ships with Weft.".to_owned()));
        let latest = history.first().map_or(1, |h| h.0);
        let wanted = version.unwrap_or(latest);
        let page = match published.into_iter().find(|p| p.version == wanted) {
            Some(p) => PolicyPage {
                kind,
                version: p.version,
                body: p.body,
                summary: p.summary,
                published_at: Some(p.published_at),
                history,
                latest,
            },
            None if wanted == 1 => PolicyPage {
                kind,
                version: 1,
                body: kind.default_body().to_owned(),
                summary: String::new(),
                published_at: None,
                history,
                latest,
            },
            None => return Err(AppError::NotFound),
        };
        Ok(page)
    }

    /// Publishes a new version (instance administrators only). With `email`, everyone with an
    /// active account who accepts email is told, in the same transaction.
    pub async fn publish_policy(
        &self,
        who: &SessionUser,
        kind: PolicyKind,
        body: &str,
        summary: &str,
        email: bool,
    ) -> Result<i64, AppError> {
        self.require_instance_admin(who, weft_domain::permissions::InstanceAction::PublishPolicies)?;
        let mut errors = weft_domain::ValidationErrors::new();
        let body = body.replace("\r\n", "\n").trim().to_owned();
        let summary = summary.trim().to_owned();
        if body.is_empty() {
            errors.add("body", "Write the text of the policy.");
        }
        if body.chars().count() > 100_000 {
            errors.add("body", "Use at most 100000 characters.");
        }
        if summary.is_empty() {
            errors.add(
                "summary",
                "Say in a sentence or two what changed: people read this first.",
            );
        }
        if summary.chars().count() > 1_000 {
            errors.add("summary", "Use at most 1000 characters.");
        }
        errors.into_result()?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let latest = policies::versions(&mut tx, kind.as_str())
            .await?
            .first()
            .map_or(1, |p| p.version);
        let version = latest + 1;
        match policies::publish(&mut tx, kind.as_str(), version, &body, &summary, who.user.id, now).await {
            Err(StoreError::Conflict) => {
                return Err(AppError::field(
                    "body",
                    "Someone published a version meanwhile. Reload and try again.",
                ));
            }
            other => other?,
        }
        // The publisher has seen it.
        policies::ack_latest(&mut tx, who.user.id, now).await?;
        if email {
            let link = self.config.url(&format!("/{}", kind.as_str()));
            for user in users::all_active(&mut tx).await? {
                if user.id == who.user.id || user.state != UserState::Active {
                    continue;
                }
                let content = self.policy_changed_email(&user, kind.title(), &summary, link.clone());
                self.queue_email(&mut tx, &user, None, Kind::PolicyChanged, &content)
                    .await?;
            }
        }
        tx.commit().await?;
        self.wake_mailer();
        Ok(version)
    }

    /// A policy version the signed-in person has not seen, for the notice on their next page.
    pub async fn policy_notice(&self, who: &SessionUser) -> Result<Option<PolicyNotice>, AppError> {
        if !who.policy_unseen {
            return Ok(None);
        }
        let unseen: Option<Policy> = policies::unseen(&mut *self.store.reader().await?, who.user.id).await?;
        Ok(unseen.and_then(|p| {
            let kind = PolicyKind::parse(&p.kind)?;
            Some(PolicyNotice {
                kind,
                title: kind.title(),
                summary: p.summary,
                published_at: p.published_at,
            })
        }))
    }

    /// The person has read the notice: every current version counts as seen.
    pub async fn ack_policies(&self, who: &SessionUser) -> Result<(), AppError> {
        policies::ack_latest(&mut *self.store.writer().await?, who.user.id, self.clock.now()).await?;
        Ok(())
    }

    /// P16: every processor that receives data from this instance, as configured, with the SMTP
    /// server added when one is set.
    pub fn third_parties(&self) -> Vec<(String, String)> {
        let mut list = self.config.third_parties.clone();
        if let Some(host) = &self.config.smtp_host {
            list.push((
                format!("Email server {host}"),
                "Receives the address, subject and text of every email this instance sends.".to_owned(),
            ));
        }
        list
    }
}
