//! Rate limits on the doors an attacker knocks on: sign-up, log-in, log-in links, password reset.
//! Counted per client IP and per email address in memory only; keys are hashed, never stored.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Door {
    SignUp,
    LogIn,
    LogInLink,
    PasswordReset,
    /// The data-protection request form, open to anyone (each request emails the administrators).
    DataRequest,
}

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

    fn key(&self, door: Door, kind: &str, value: &str) -> u64 {
        self.hasher.hash_one((door, kind, value))
    }

    /// Counts one attempt at `door`; `Err(seconds)` says how long until the caller may try again.
    pub fn attempt(&self, door: Door, ip: std::net::IpAddr, email: Option<&str>) -> Result<(), u64> {
        let now = Instant::now();
        let mut keys = vec![(self.key(door, "ip", &ip.to_string()), self.limits.per_ip)];
        if let Some(email) = email.map(str::trim).filter(|e| !e.is_empty()) {
            keys.push((self.key(door, "email", &email.to_lowercase()), self.limits.per_email));
        }
        let mut windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() > 100_000 {
            let window = self.limits.window;
            windows.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let mut retry_after = 0;
        for (key, limit) in keys {
            let entry = windows.entry(key).or_insert((now, 0));
            if now.duration_since(entry.0) >= self.limits.window {
                *entry = (now, 0);
            }
            entry.1 += 1;
            if entry.1 > limit {
                let left = self.limits.window.saturating_sub(now.duration_since(entry.0));
                retry_after = retry_after.max(left.as_secs().max(1));
            }
        }
        if retry_after > 0 { Err(retry_after) } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eleventh_attempt_per_email_is_refused() {
        let limiter = RateLimiter::new(RateLimits {
            per_ip: 1000,
            per_email: 10,
            window: Duration::from_secs(3600),
        });
        let ip = "192.0.2.1".parse().unwrap();
        for _ in 0..10 {
            assert!(limiter.attempt(Door::LogIn, ip, Some("a@example.org")).is_ok());
        }
        let retry = limiter.attempt(Door::LogIn, ip, Some("A@example.org")).unwrap_err();
        assert!(retry > 3500 && retry <= 3600);
        assert!(
            limiter.attempt(Door::LogIn, ip, Some("b@example.org")).is_ok(),
            "other addresses unaffected"
        );
        assert!(
            limiter.attempt(Door::SignUp, ip, Some("a@example.org")).is_ok(),
            "other doors unaffected"
        );
    }
}
