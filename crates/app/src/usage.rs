//! P2: aggregate, non-identifying usage statistics. Each page view adds one to four counters in
//! memory — the page type, the browser family, the preferred language, the referring site — and a
//! background task adds them to the day's totals once a minute. Nothing identifies a visitor: no
//! cookie, no IP address, no per-visit row.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::watch;
use weft_store::{invitations, usage};

use crate::{App, AppError, SessionUser};

/// Distinct values kept per day for the open-ended dimensions (referring site, language); the
/// rest are counted together as `(other)` (issue 19: a flood of referrers added a row each).
pub const TOP_VALUES_PER_DAY: i64 = 100;
/// Distinct values held in memory between flushes; later new ones count as `(other)` at once.
const PENDING_MAX: usize = 5_000;

/// The counters not yet written, by (dimension, value).
#[derive(Default)]
pub struct UsageCounters {
    pending: Mutex<HashMap<(&'static str, String), i64>>,
}

/// One page view as the web layer describes it, already reduced to aggregate values.
pub struct PageView<'a> {
    /// The route pattern, e.g. `/t/{key}`: never the address itself.
    pub page: &'a str,
    pub browser: &'static str,
    /// A primary language tag such as `en`, if the browser sent one.
    pub language: Option<&'a str>,
    /// The domain of another site that linked here, if any.
    pub referrer: Option<&'a str>,
}

impl UsageCounters {
    pub fn record(&self, view: &PageView<'_>) {
        let mut pending = self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut add = |dimension: &'static str, value: &str| {
            let value = if pending.len() >= PENDING_MAX && !pending.contains_key(&(dimension, value.to_owned())) {
                usage::OTHER
            } else {
                value
            };
            *pending.entry((dimension, value.to_owned())).or_insert(0) += 1;
        };
        add("page", view.page);
        add("browser", view.browser);
        if let Some(language) = view.language {
            add("language", language);
        }
        if let Some(referrer) = view.referrer {
            add("referrer", referrer);
        }
    }

    fn take(&self) -> HashMap<(&'static str, String), i64> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

/// The usage report for instance administrators.
#[derive(Debug, Clone, Default)]
pub struct UsageReport {
    pub days: i64,
    /// (day as "YYYY-MM-DD", page views).
    pub per_day: Vec<(String, i64)>,
    /// (dimension, value, count), largest first within each dimension.
    pub totals: Vec<(String, String, i64)>,
}

impl App {
    /// Adds the counters gathered so far to today's totals.
    pub async fn flush_usage(&self) -> Result<(), AppError> {
        let pending = self.usage.take();
        if pending.is_empty() {
            return Ok(());
        }
        let day = invitations::day_of(self.clock.now());
        let mut tx = self.store.begin().await?;
        for ((dimension, value), n) in &pending {
            usage::add(&mut tx, day, dimension, value, *n).await?;
        }
        for dimension in ["referrer", "language"] {
            usage::keep_top(&mut tx, day, dimension, TOP_VALUES_PER_DAY).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Flushes once a minute, and once more at shutdown.
    pub async fn run_usage(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                () = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
                _ = shutdown.changed() => {
                    if let Err(e) = self.flush_usage().await {
                        tracing::warn!(error = %e, "usage counters not saved at shutdown");
                    }
                    return;
                }
            }
            if let Err(e) = self.flush_usage().await {
                tracing::warn!(error = %e, "usage counters not saved");
            }
        }
    }

    /// The last `days` days of counters: for instance administrators, and for everyone when the
    /// operator publishes the report (`public_usage`).
    pub async fn usage_report(&self, who: Option<&SessionUser>, days: i64) -> Result<UsageReport, AppError> {
        if !self.config.public_usage {
            crate::groups::decide(weft_domain::permissions::can_administer(
                who.is_some(),
                who.is_some_and(|w| w.user.is_admin),
                weft_domain::permissions::InstanceAction::SeeUsage,
            ))?;
        }
        self.flush_usage().await?;
        let today = invitations::day_of(self.clock.now());
        let from = today - days + 1;
        let mut conn = self.store.reader().await?;
        let per_day = usage::views_per_day(&mut conn, from)
            .await?
            .into_iter()
            .map(|(day, n)| {
                (
                    weft_domain::Timestamp(day * 86_400_000_000)
                        .rfc3339()
                        .chars()
                        .take(10)
                        .collect(),
                    n,
                )
            })
            .collect();
        let totals = usage::totals(&mut conn, from).await?;
        Ok(UsageReport { days, per_day, totals })
    }
}
