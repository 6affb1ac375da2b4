//! Attempts at the account doors, counted per email address in the database (issue 19.13), so
//! that several instances share one budget. The rule is `weft_domain::rate_limit`; per client IP
//! the web layer counts in memory.

use weft_domain::rate_limit::{AddressLimits, Counter, Door, TRICKLE, Verdict, counter_key, decide};
use weft_domain::{MaskedIp, Timestamp};
use weft_store::rate_counters;

use crate::{App, AppError};

impl App {
    /// Counts one attempt at `door` for `email` from `network` (the client's masked address) in
    /// one transaction: `None` when it may go ahead, `Some(seconds)` to wait.
    pub async fn count_attempt(
        &self,
        door: Door,
        network: MaskedIp,
        email: &str,
        limits: AddressLimits,
    ) -> Result<Option<u64>, AppError> {
        if email.trim().is_empty() {
            return Ok(None);
        }
        let now = self.clock.now();
        let clamp = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        let wait = |start: Timestamp| Some(now.seconds_until(start.plus(limits.window)).max(1));
        let mut tx = self.store.begin().await?;
        let (net, net_start) = rate_counters::hit(
            &mut tx,
            &counter_key(door, Counter::Network(network), email),
            now,
            limits.window,
        )
        .await?;
        let (all, all_start) = rate_counters::hit(
            &mut tx,
            &counter_key(door, Counter::AllNetworks, email),
            now,
            limits.window,
        )
        .await?;
        let verdict = match decide(door, limits, clamp(net), clamp(all)) {
            Verdict::Allowed => None,
            Verdict::NetworkSpent => wait(net_start),
            Verdict::AllNetworksSpent => wait(all_start),
            Verdict::TrickleIfFree => {
                let key = counter_key(door, Counter::Trickle, email);
                if rate_counters::take_slot(&mut tx, &key, now, TRICKLE).await? {
                    None
                } else {
                    wait(all_start)
                }
            }
        };
        tx.commit().await?;
        Ok(verdict)
    }
}
