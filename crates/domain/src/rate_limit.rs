//! The doors an attacker knocks on, and how attempts at them are counted per email address. The
//! counting itself is kept in the database (so that it holds across instances); per client IP it
//! stays in memory at the web edge, because a key derived from an IP address is easily reversed
//! (there are only 2³² IPv4 addresses) and P4 promises raw addresses are never stored.

use crate::{Duration, MaskedIp, TokenHash};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Door {
    SignUp,
    LogIn,
    LogInLink,
    PasswordReset,
    /// The data-protection request form, open to anyone (each request emails the administrators).
    DataRequest,
}

impl Door {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignUp => "sign-up",
            Self::LogIn => "log-in",
            Self::LogInLink => "log-in-link",
            Self::PasswordReset => "password-reset",
            Self::DataRequest => "data-request",
        }
    }

    /// Doors whose success is an email to the address's owner: past the cap over all networks they
    /// still let one attempt through every `TRICKLE`, so that nobody can stop an owner's log-in link.
    pub fn sends_email(self) -> bool {
        matches!(self, Self::LogInLink | Self::PasswordReset)
    }
}

/// An emailed link for an address whose every-network cap is spent still goes out this often.
pub const TRICKLE: Duration = Duration::minutes(10);

/// How many attempts one address gets per window: `per_network` from one client network (the
/// masked /24 or /48), ten times that over all networks (a botnet's budget).
#[derive(Debug, Clone, Copy)]
pub struct AddressLimits {
    pub per_network: u32,
    pub window: Duration,
}

impl AddressLimits {
    pub fn all_networks(self) -> u32 {
        self.per_network.saturating_mul(10)
    }
}

/// Which counter of an address is meant.
#[derive(Debug, Clone, Copy)]
pub enum Counter {
    Network(MaskedIp),
    AllNetworks,
    Trickle,
}

/// The stored key of one counter: a SHA-256 of door, counter and the address in lower case, so
/// the table holds no address (it lives for at most two hours either way).
pub fn counter_key(door: Door, counter: Counter, email: &str) -> TokenHash {
    let which = match counter {
        Counter::Network(net) => format!("network {net}"),
        Counter::AllNetworks => "all networks".to_owned(),
        Counter::Trickle => "trickle".to_owned(),
    };
    TokenHash::of(&format!(
        "weft-rate:{}:{which}:{}",
        door.as_str(),
        email.trim().to_lowercase()
    ))
}

/// What the counts of one attempt (this one included) decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// This network's budget for the address is spent: wait for its window to end.
    NetworkSpent,
    /// The budget over all networks is spent: wait for that window to end.
    AllNetworksSpent,
    /// Over the cap for all networks, at a door that emails the owner: allowed if the trickle
    /// slot is free (one per `TRICKLE`), refused like `AllNetworksSpent` otherwise.
    TrickleIfFree,
}

pub fn decide(door: Door, limits: AddressLimits, this_network: u32, all_networks: u32) -> Verdict {
    if this_network > limits.per_network {
        Verdict::NetworkSpent
    } else if all_networks > limits.all_networks() {
        if door.sends_email() {
            Verdict::TrickleIfFree
        } else {
            Verdict::AllNetworksSpent
        }
    } else {
        Verdict::Allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: AddressLimits = AddressLimits {
        per_network: 10,
        window: Duration::hours(1),
    };

    #[test]
    fn each_network_has_its_budget_and_all_networks_ten_times_it() {
        for door in [Door::LogIn, Door::SignUp, Door::LogInLink] {
            assert_eq!(decide(door, LIMITS, 10, 10), Verdict::Allowed);
            assert_eq!(decide(door, LIMITS, 11, 11), Verdict::NetworkSpent);
            assert_eq!(decide(door, LIMITS, 1, 100), Verdict::Allowed);
        }
        assert_eq!(
            decide(Door::LogIn, LIMITS, 1, 101),
            Verdict::AllNetworksSpent,
            "a botnet's guess"
        );
        assert_eq!(decide(Door::LogInLink, LIMITS, 1, 101), Verdict::TrickleIfFree);
        assert_eq!(decide(Door::PasswordReset, LIMITS, 1, 101), Verdict::TrickleIfFree);
        assert_eq!(
            decide(Door::LogInLink, LIMITS, 11, 101),
            Verdict::NetworkSpent,
            "the trickle is for the owner's network, not the attacker's"
        );
    }

    #[test]
    fn keys_hold_no_address_and_ignore_case() {
        let net = MaskedIp::mask("198.51.100.7".parse().unwrap());
        let a = counter_key(Door::LogIn, Counter::Network(net), "Vic@Example.org");
        assert_eq!(a, counter_key(Door::LogIn, Counter::Network(net), " vic@example.org "));
        assert!(!a.as_str().contains("vic"));
        assert_ne!(a, counter_key(Door::SignUp, Counter::Network(net), "vic@example.org"));
        assert_ne!(a, counter_key(Door::LogIn, Counter::AllNetworks, "vic@example.org"));
        let other = MaskedIp::mask("203.0.113.9".parse().unwrap());
        assert_ne!(a, counter_key(Door::LogIn, Counter::Network(other), "vic@example.org"));
    }
}
