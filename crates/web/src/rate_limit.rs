//! Rate limits on the doors an attacker knocks on: sign-up, log-in, log-in links, password reset,
//! the data-protection form. Per client IP they are counted here, in memory (a key derived from an
//! IP address is easily reversed, and P4 promises raw addresses are never stored); per email
//! address they are counted in the database by `App::count_attempt`, so that they hold across
//! instances. `limited` asks both.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use weft_domain::rate_limit::AddressLimits;
pub use weft_domain::rate_limit::Door;

use crate::AppState;
use crate::auth::Client;
use crate::error::WebError;

#[derive(Debug, Clone)]
pub struct RateLimits {
    pub per_ip: u32,
    pub per_email: u32,
    pub window: Duration,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            per_ip: 30,
            per_email: 10,
            window: Duration::from_secs(3600),
        }
    }
}

/// Per-IP counters of this instance.
pub struct RateLimiter {
    limits: RateLimits,
    hasher: RandomState,
    windows: Mutex<HashMap<u64, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            hasher: RandomState::new(),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one attempt at `door` from `ip`; `Err(seconds)` says how long until it may try again.
    pub fn attempt(&self, door: Door, ip: std::net::IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        let key = self.hasher.hash_one((door, ip));
        let mut windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() > 100_000 {
            let window = self.limits.window;
            windows.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = windows.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.limits.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > self.limits.per_ip {
            let left = self.limits.window.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_secs().max(1));
        }
        Ok(())
    }

    fn address_limits(&self) -> AddressLimits {
        AddressLimits {
            per_network: self.limits.per_email,
            window: weft_domain::Duration::seconds(i64::try_from(self.limits.window.as_secs()).unwrap_or(3600)),
        }
    }
}

/// Counts one attempt at `door` by this client, for `email` if the form names one: 429 with
/// `Retry-After` when the client's IP or the address (from this client's network, or from all
/// networks: see `weft_domain::rate_limit`) has spent its budget. An IP over its budget is refused
/// before the address is counted, so a flood from one place costs the database nothing.
pub(crate) async fn limited(
    state: &AppState,
    door: Door,
    client: &Client,
    email: Option<&str>,
    api: bool,
) -> Result<(), WebError> {
    let refused = |retry_after| WebError::RateLimited { retry_after, api };
    state.limiter.attempt(door, client.raw_ip).map_err(refused)?;
    if let Some(email) = email {
        let wait = state
            .app
            .count_attempt(door, client.info.ip, email, state.limiter.address_limits())
            .await
            .map_err(|e| if api { WebError::api(e) } else { WebError::from(e) })?;
        if let Some(wait) = wait {
            return Err(refused(wait));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thirty_first_attempt_from_one_ip_is_refused() {
        let limiter = RateLimiter::new(RateLimits::default());
        let ip = "192.0.2.1".parse().unwrap();
        for _ in 0..30 {
            assert!(limiter.attempt(Door::LogIn, ip).is_ok());
        }
        let retry = limiter.attempt(Door::LogIn, ip).unwrap_err();
        assert!(retry > 3500 && retry <= 3600);
        assert!(limiter.attempt(Door::SignUp, ip).is_ok(), "other doors unaffected");
        assert!(
            limiter.attempt(Door::LogIn, "192.0.2.2".parse().unwrap()).is_ok(),
            "other addresses unaffected"
        );
    }
}
