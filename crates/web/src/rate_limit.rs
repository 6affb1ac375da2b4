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
    ///
    /// Per address, attempts are counted per client network (the masked address, /24 or /48):
    /// ten wrong passwords for an address from one network no longer lock its owner out
    /// everywhere. A cap over all networks (ten times higher) still bounds a botnet's guesses,
    /// and an emailed link (log-in link, password reset) always gets through to its owner's inbox
    /// at one per ten minutes, whatever anyone else requested.
    pub fn attempt(&self, door: Door, ip: std::net::IpAddr, email: Option<&str>) -> Result<(), u64> {
        let now = Instant::now();
        let network = weft_domain::MaskedIp::mask(ip).to_string();
        let mut keys = vec![(self.key(door, "ip", &ip.to_string()), self.limits.per_ip)];
        let mut everywhere = None;
        if let Some(email) = email.map(str::trim).filter(|e| !e.is_empty()) {
            let email = email.to_lowercase();
            keys.push((self.key(door, &network, &email), self.limits.per_email));
            everywhere = Some((
                self.key(door, "email, any network", &email),
                self.limits.per_email.saturating_mul(10),
                self.key(door, "emailed link trickle", &email),
            ));
        }
        let mut windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() > 100_000 {
            let window = self.limits.window;
            windows.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let mut retry_after = 0;
        let count = |key: u64, limit: u32, windows: &mut HashMap<u64, (Instant, u32)>| {
            let entry = windows.entry(key).or_insert((now, 0));
            if now.duration_since(entry.0) >= self.limits.window {
                *entry = (now, 0);
            }
            entry.1 += 1;
            if entry.1 > limit {
                let left = self.limits.window.saturating_sub(now.duration_since(entry.0));
                return left.as_secs().max(1);
            }
            0
        };
        for (key, limit) in keys {
            retry_after = retry_after.max(count(key, limit, &mut windows));
        }
        if let Some((key, limit, trickle)) = everywhere {
            let over = count(key, limit, &mut windows);
            if over > 0 {
                let emailed = matches!(door, Door::LogInLink | Door::PasswordReset);
                let last = windows.get(&trickle).map(|(at, _)| *at);
                if emailed && retry_after == 0 && last.is_none_or(|at| now.duration_since(at) >= TRICKLE) {
                    windows.insert(trickle, (now, 1));
                } else {
                    retry_after = retry_after.max(over);
                }
            }
        }
        if retry_after > 0 { Err(retry_after) } else { Ok(()) }
    }
}

/// An emailed link for an address whose every-network cap is spent still goes out this often.
const TRICKLE: Duration = Duration::from_secs(600);

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 19: ten wrong log-ins for an address from anywhere locked its owner out for an hour.
    #[test]
    fn an_attacker_elsewhere_does_not_lock_the_owner_out() {
        let limiter = RateLimiter::new(RateLimits {
            per_ip: 1000,
            per_email: 10,
            window: Duration::from_secs(3600),
        });
        let attacker: std::net::IpAddr = "198.51.100.7".parse().unwrap();
        let owner: std::net::IpAddr = "203.0.113.9".parse().unwrap();
        for door in [Door::LogIn, Door::LogInLink] {
            for _ in 0..10 {
                assert!(limiter.attempt(door, attacker, Some("vic@example.org")).is_ok());
            }
            assert!(limiter.attempt(door, attacker, Some("vic@example.org")).is_err());
            assert!(
                limiter
                    .attempt(door, "198.51.100.200".parse().unwrap(), Some("vic@example.org"))
                    .is_err(),
                "the same /24 is the same network"
            );
            assert!(
                limiter.attempt(door, owner, Some("vic@example.org")).is_ok(),
                "{door:?}"
            );
        }
    }

    #[test]
    fn a_botnet_is_capped_but_an_emailed_link_still_trickles_through() {
        let limiter = RateLimiter::new(RateLimits {
            per_ip: 1000,
            per_email: 2,
            window: Duration::from_secs(3600),
        });
        let from = |n: u8| -> std::net::IpAddr { format!("10.0.{n}.1").parse().unwrap() };
        for door in [Door::LogIn, Door::LogInLink] {
            for n in 0..10 {
                for _ in 0..2 {
                    assert!(limiter.attempt(door, from(n), Some("vic@example.org")).is_ok());
                }
            }
            // 20 attempts from 10 networks: the cap over all networks (10 × 2) is reached.
            let next = limiter.attempt(door, from(100), Some("vic@example.org"));
            match door {
                Door::LogIn => assert!(next.is_err(), "a botnet's 21st password guess"),
                _ => assert!(next.is_ok(), "the owner's link gets through at a lower rate"),
            }
            if door == Door::LogInLink {
                assert!(
                    limiter.attempt(door, from(101), Some("vic@example.org")).is_err(),
                    "but only one per ten minutes"
                );
            }
        }
    }

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
