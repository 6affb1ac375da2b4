//! Passwords: the length and common-password rules, and argon2id hashing with Weft's parameters.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

use crate::validation::FieldError;

/// The 3 309 most common passwords of 8+ characters (SecLists top 10 000, MIT; see data/).
const COMMON: &str = include_str!("../data/common-passwords.txt");

/// A password someone chose, checked against our rules. Never printed, never stored as is.
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 256;

    /// The rules for a new password: 8–256 characters, not a well-known one, no composition rules.
    pub fn parse_new(input: &str) -> Result<Self, FieldError> {
        let chars = input.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(FieldError::new(format!("Use at least {} characters.", Self::MIN_CHARS)));
        }
        if chars > Self::MAX_CHARS {
            return Err(FieldError::new(format!("Use at most {} characters.", Self::MAX_CHARS)));
        }
        if is_common(input) {
            return Err(FieldError::new(
                "This password is one of the most common ones and easy to guess. Choose another.",
            ));
        }
        Ok(Self(input.to_owned()))
    }

    /// A password typed at log-in: only bounded in length so hashing cost stays bounded.
    pub fn candidate(input: &str) -> Self {
        Self(input.chars().take(Self::MAX_CHARS + 1).collect())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

fn is_common(input: &str) -> bool {
    let lower = input.to_lowercase();
    COMMON.lines().any(|line| line == lower)
}

/// An argon2id PHC string, as stored in `users.password_hash`.
#[derive(Clone)]
pub struct PasswordHash(String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(…)")
    }
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    Wrong,
    Correct,
    /// Correct, but hashed with other parameters than today's: hash it again and store that.
    CorrectNeedsRehash,
}

/// argon2id, m=19456 KiB, t=2, p=1 (OWASP's recommendation).
fn hasher() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

impl PasswordHash {
    pub fn from_trusted(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Hashes with a fresh random salt. CPU- and memory-heavy: call it off the async executor.
    pub fn create(password: &Password) -> Self {
        let hash = hasher()
            .hash_password_with_salt(password.expose().as_bytes(), &crate::secret::random_bytes::<16>())
            .expect("argon2 hashing with valid parameters cannot fail");
        Self(hash.to_string())
    }

    pub fn verify(&self, candidate: &Password) -> Verification {
        let Ok(parsed) = argon2::PasswordHash::new(&self.0) else {
            return Verification::Wrong;
        };
        let argon = hasher();
        if argon.verify_password(candidate.expose().as_bytes(), &parsed).is_err() {
            return Verification::Wrong;
        }
        let current = parsed.algorithm == argon2::ARGON2ID_IDENT
            && Params::try_from(&parsed).is_ok_and(|p| {
                p.m_cost() == argon.params().m_cost()
                    && p.t_cost() == argon.params().t_cost()
                    && p.p_cost() == argon.params().p_cost()
            });
        if current {
            Verification::Correct
        } else {
            Verification::CorrectNeedsRehash
        }
    }

    /// Spends the same work as a real verification, for accounts that do not exist, so that
    /// response times do not tell whether an address has an account.
    pub fn verify_dummy(candidate: &Password) {
        static DUMMY: std::sync::OnceLock<PasswordHash> = std::sync::OnceLock::new();
        let dummy = DUMMY.get_or_init(|| PasswordHash::create(&Password("weft-dummy-password".into())));
        let _ = dummy.verify(candidate);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules() {
        assert!(Password::parse_new("short").is_err());
        assert!(Password::parse_new(&"x".repeat(257)).is_err());
        assert!(Password::parse_new("correct horse battery").is_ok());
        // Characters, not bytes: eight accented letters are eight characters.
        assert!(Password::parse_new("éééééééé").is_ok());
    }

    #[test]
    fn common_passwords_are_refused_case_insensitively() {
        assert!(Password::parse_new("password").is_err());
        assert!(Password::parse_new("PassWord1").is_err());
        assert!(Password::parse_new("12345678").is_err());
        assert!(Password::parse_new("qwertyuiop").is_err());
    }

    #[test]
    fn hash_and_verify() {
        let p = Password::parse_new("a long enough passphrase").unwrap();
        let hash = PasswordHash::create(&p);
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(hash.verify(&p), Verification::Correct);
        assert_eq!(
            hash.verify(&Password::candidate("wrong passphrase")),
            Verification::Wrong
        );
    }

    #[test]
    fn old_parameters_ask_for_rehash() {
        let p = Password::candidate("a long enough passphrase");
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8_192, 1, 1, None).unwrap(),
        )
        .hash_password_with_salt(p.expose().as_bytes(), b"saltsaltsaltsalt")
        .unwrap()
        .to_string();
        assert_eq!(
            PasswordHash::from_trusted(weak).verify(&p),
            Verification::CorrectNeedsRehash
        );
    }
}
