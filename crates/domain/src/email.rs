//! Email addresses: parsed once at the edge, normalised to lower case, redacted in logs.

use crate::validation::{FieldError, is_forbidden_char};

/// A syntactically plausible email address, lower-cased. Only [`EmailAddress::parse`] builds one.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_LEN: usize = 254;

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new("Enter your email address."));
        }
        if trimmed.len() > Self::MAX_LEN {
            return Err(FieldError::new("That email address is too long."));
        }
        let invalid = || FieldError::new("Enter an email address like name@example.org.");
        if trimmed
            .chars()
            .any(|c| c.is_whitespace() || is_forbidden_char(c) || "<>()[],;:\\\"".contains(c))
        {
            return Err(invalid());
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(trimmed.to_lowercase()))
    }

    /// Rebuilds an address read back from our own storage, which only ever holds parsed ones.
    pub fn from_trusted(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }

    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(l, _)| l)
    }

    /// A one-way fingerprint, for remembering "send no more invitations here" without keeping
    /// the address itself (docs/PRIVACY.md says what it does and does not protect).
    pub fn fingerprint(&self) -> crate::TokenHash {
        crate::TokenHash::of(&format!("weft-address:{}", self.0))
    }
}

/// Never print the address itself in logs (PRIVACY.md P4, P6).
impl std::fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EmailAddress(…@{})", self.domain())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_lowercases() {
        let e = EmailAddress::parse("  Ada.Lovelace+weft@Example.ORG ").unwrap();
        assert_eq!(e.as_str(), "ada.lovelace+weft@example.org");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "plain",
            "@example.org",
            "a@",
            "a@b",
            "a@.org",
            "a b@example.org",
            "a@exa mple.org",
            "a@example..org",
            "<a@example.org>",
            "a@-example.org",
            "a\r\nbcc: x@example.org",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(EmailAddress::parse(&format!("{}@example.org", "a".repeat(65))).is_err());
    }

    #[test]
    fn debug_redacts_local_part() {
        let e = EmailAddress::parse("secret.person@example.org").unwrap();
        assert!(!format!("{e:?}").contains("secret"));
    }
}
