//! The user's public profile values: display name and username, and the account's life states.

use crate::validation::{FieldError, is_forbidden_char};

/// What others see as your name. Pseudonyms are fine: nothing requires a real name (P5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let name = input.trim();
        if name.is_empty() {
            return Err(FieldError::new("Enter a name. A nickname is fine."));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(format!("Use at most {} characters.", Self::MAX_CHARS)));
        }
        if name.chars().any(is_forbidden_char) {
            return Err(FieldError::new("Remove the invisible or control characters."));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A few words about yourself on your profile page: plain text (line breaks kept), optional.
pub fn parse_bio(input: &str) -> Result<String, FieldError> {
    const MAX_CHARS: usize = 300;
    let bio = input.trim().replace("\r\n", "\n");
    if bio.chars().count() > MAX_CHARS {
        return Err(FieldError::new(format!("Use at most {MAX_CHARS} characters.")));
    }
    if bio.chars().any(|c| c != '\n' && is_forbidden_char(c)) {
        return Err(FieldError::new("Remove the invisible or control characters."));
    }
    Ok(bio)
}

/// The handle used in @mentions and profile URLs: 3–30 of a–z, 0–9, `_` and `-`, lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub const MIN: usize = 3;
    pub const MAX: usize = 30;

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let u = input.trim().trim_start_matches('@').to_lowercase();
        if u.len() < Self::MIN || u.len() > Self::MAX {
            return Err(FieldError::new(format!(
                "Use {} to {} characters.",
                Self::MIN,
                Self::MAX
            )));
        }
        if !u
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        {
            return Err(FieldError::new("Use only letters a–z, digits, _ and -."));
        }
        Ok(Self(u))
    }

    /// A username derived from a display name or email, before a uniqueness suffix is added.
    pub fn suggest(from: &str) -> String {
        let mut base: String = from
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect::<String>()
            .split('_')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        base.truncate(20);
        if base.len() < Self::MIN {
            format!("member{base}")
        } else {
            base
        }
    }

    pub fn from_trusted(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An account is active, deactivated (P9, reversible) or deleted (P10, a placeholder remains).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserState {
    Active,
    Deactivated,
    Deleted,
}

impl UserState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Deactivated => "deactivated",
            Self::Deleted => "deleted",
        }
    }

    pub fn from_stored(s: &str) -> Result<Self, crate::UnknownStored> {
        match s {
            "active" => Ok(Self::Active),
            "deactivated" => Ok(Self::Deactivated),
            "deleted" => Ok(Self::Deleted),
            _ => Err(crate::UnknownStored::new("account state", s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(DisplayName::parse("  Ada  ").unwrap().as_str(), "Ada");
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"a".repeat(101)).is_err());
        assert!(DisplayName::parse("evil\u{202E}name").is_err());
        assert!(DisplayName::parse("Zoë 🌱").is_ok());
    }

    #[test]
    fn states_round_trip_and_an_unknown_one_is_an_error() {
        for state in [UserState::Active, UserState::Deactivated, UserState::Deleted] {
            assert_eq!(UserState::from_stored(state.as_str()), Ok(state));
        }
        for unknown in ["", "Active", "suspended", "active "] {
            assert!(UserState::from_stored(unknown).is_err(), "{unknown:?}");
        }
    }

    #[test]
    fn usernames() {
        assert_eq!(Username::parse("@Ada_L").unwrap().as_str(), "ada_l");
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("has space").is_err());
        assert!(Username::parse("ünï").is_err());
        assert_eq!(Username::suggest("Ada Lovelace!"), "ada_lovelace");
        assert_eq!(Username::suggest("李"), "member");
    }
}
