//! Random secrets from the OS: log-in tokens, codes and public keys. Only their hashes are stored.

use sha2::{Digest, Sha256};

pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    // The OS RNG failing is unrecoverable: there is no safe fallback for secrets.
    getrandom::fill(&mut buf).expect("the operating system's random number generator failed");
    buf
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A 32-byte random bearer secret (log-in link, session cookie, unsubscribe link), hex-encoded.
/// Its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl SecretToken {
    pub fn generate() -> Self {
        Self(hex(&random_bytes::<32>()))
    }

    /// Accepts what a client sent back, if it has the shape of one of ours.
    pub fn parse(input: &str) -> Option<Self> {
        (input.len() == 64 && input.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
            .then(|| Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl std::fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretToken(…)")
    }
}

/// SHA-256 of a secret, hex-encoded: what the database keeps instead of the secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(String);

impl TokenHash {
    pub fn of(secret: &str) -> Self {
        Self(hex(&Sha256::digest(secret.as_bytes())))
    }

    pub fn from_trusted(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The 6-digit code that travels with every emailed log-in link, for typing on another device.
#[derive(Clone, PartialEq, Eq)]
pub struct LoginCode(String);

impl LoginCode {
    pub fn generate() -> Self {
        // Rejection sampling keeps every code equally likely.
        loop {
            let n = u32::from_le_bytes(random_bytes::<4>());
            if n < 4_294_000_000 {
                return Self(format!("{:06}", n % 1_000_000));
            }
        }
    }

    /// Accepts "123456" or "123 456" as people type it from an email.
    pub fn parse(input: &str) -> Option<Self> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(Self(digits))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Bound to the token it belongs to, so a code's hash never matches another token's row.
    pub fn hash_for(&self, token_hash: &TokenHash) -> TokenHash {
        TokenHash::of(&format!("{}:{}", token_hash.as_str(), self.0))
    }
}

impl std::fmt::Debug for LoginCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginCode(…)")
    }
}

/// A random, non-enumerable public key for URLs (like Loomio's 8-character keys).
pub fn random_key() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    random_bytes::<10>()
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// Compares two secrets without leaking where they differ through timing.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A random number that only needs to be unique, not secret (a job runner's claim).
pub fn random_i64() -> i64 {
    i64::from_le_bytes(random_bytes::<8>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_parse_back() {
        let a = SecretToken::generate();
        let b = SecretToken::generate();
        assert_ne!(a, b);
        assert_eq!(SecretToken::parse(a.expose()), Some(a.clone()));
        assert!(SecretToken::parse("not-a-token").is_none());
        assert!(!format!("{a:?}").contains(a.expose()));
        assert_eq!(a.hash().as_str().len(), 64);
        assert_ne!(a.hash().as_str(), a.expose());
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let c = LoginCode::generate();
            assert_eq!(c.expose().len(), 6);
            assert!(c.expose().bytes().all(|b| b.is_ascii_digit()));
        }
        assert_eq!(LoginCode::parse("123 456").unwrap().expose(), "123456");
        assert!(LoginCode::parse("12345").is_none());
        assert!(LoginCode::parse("12345a").is_none());
    }

    #[test]
    fn keys_are_ten_chars_and_distinct() {
        let a = random_key();
        assert_eq!(a.len(), 10);
        assert_ne!(a, random_key());
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
