//! Groups as Loomio users know them: privacy presets, how membership is granted, thread privacy,
//! the permission flags with Loomio's defaults, and the values a group is created with.

use crate::validation::{FieldError, is_forbidden_char};

/// Who can see a group and its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupPrivacy {
    /// Visible to everyone; content public.
    Open,
    /// Name and description visible; content for members only.
    Closed,
    /// Invisible to non-members (unless shown to parent members); invitation only.
    Secret,
}

impl GroupPrivacy {
    pub const ALL: [Self; 3] = [Self::Open, Self::Closed, Self::Secret];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Secret => "secret",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        match s {
            "open" => Ok(Self::Open),
            "closed" => Ok(Self::Closed),
            "secret" => Ok(Self::Secret),
            _ => Err(FieldError::new("Choose open, closed or secret.")),
        }
    }
}

/// How a person becomes a member (Loomio's `membership_granted_upon`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JoinPolicy {
    /// Anyone who can see the group joins at once (open groups only).
    Anyone,
    /// People ask; an admin approves.
    Approval,
    /// Only by invitation.
    Invitation,
}

impl JoinPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Anyone => "anyone",
            Self::Approval => "approval",
            Self::Invitation => "invitation",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        match s {
            "anyone" => Ok(Self::Anyone),
            "approval" => Ok(Self::Approval),
            "invitation" => Ok(Self::Invitation),
            _ => Err(FieldError::new("Choose who may join.")),
        }
    }

    /// The policies a privacy allows: a secret group is invitation-only, a closed one never lets
    /// people in unasked.
    pub fn allowed_for(self, privacy: GroupPrivacy) -> bool {
        match privacy {
            GroupPrivacy::Open => true,
            GroupPrivacy::Closed => self != Self::Anyone,
            GroupPrivacy::Secret => self == Self::Invitation,
        }
    }
}

/// Which privacy the group's threads may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ThreadPrivacy {
    PublicOnly,
    PrivateOnly,
    Either,
}

impl ThreadPrivacy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PublicOnly => "public_only",
            Self::PrivateOnly => "private_only",
            Self::Either => "public_or_private",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        match s {
            "public_only" => Ok(Self::PublicOnly),
            "private_only" => Ok(Self::PrivateOnly),
            "public_or_private" => Ok(Self::Either),
            _ => Err(FieldError::new("Choose which threads are allowed.")),
        }
    }

    /// A group that hides its content cannot hold public threads.
    pub fn allowed_for(self, privacy: GroupPrivacy) -> bool {
        privacy == GroupPrivacy::Open || self == Self::PrivateOnly
    }
}

/// What admins let members do. Defaults are Loomio's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::struct_excessive_bools)] // each flag is an independent setting admins toggle
pub struct GroupFlags {
    pub members_can_add_members: bool,
    pub members_can_add_guests: bool,
    pub members_can_announce: bool,
    pub members_can_create_subgroups: bool,
    pub members_can_start_threads: bool,
    pub members_can_edit_threads: bool,
    pub members_can_edit_comments: bool,
    pub members_can_delete_comments: bool,
    pub members_can_raise_polls: bool,
    pub admins_can_edit_user_content: bool,
    /// Members may start threads by writing to the group's address (off by default).
    pub start_threads_by_email: bool,
}

impl Default for GroupFlags {
    fn default() -> Self {
        Self {
            members_can_add_members: false,
            members_can_add_guests: true,
            members_can_announce: true,
            members_can_create_subgroups: false,
            members_can_start_threads: true,
            members_can_edit_threads: true,
            members_can_edit_comments: true,
            members_can_delete_comments: true,
            members_can_raise_polls: true,
            admins_can_edit_user_content: false,
            start_threads_by_email: false,
        }
    }
}

/// A group's name: 1–250 visible characters (Loomio's limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupName(String);

impl GroupName {
    pub const MAX_CHARS: usize = 250;

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let name = input.trim();
        if name.is_empty() {
            return Err(FieldError::new("Give the group a name."));
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

/// Handles that are the start of Weft's own email addresses (`reply+…`, `group+…`), never a
/// group's.
pub const RESERVED_HANDLES: [&str; 2] = ["reply", "group"];

/// The group's unique address part, `/g/<handle>`: 2–60 of a–z, 0–9 and `-`, lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupHandle(String);

impl GroupHandle {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let h = input.trim().to_lowercase();
        if h.len() < 2 || h.len() > 60 {
            return Err(FieldError::new("Use 2 to 60 characters."));
        }
        if !h
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            || h.starts_with('-')
            || h.ends_with('-')
        {
            return Err(FieldError::new(
                "Use only letters a–z, digits and - (not at the start or end).",
            ));
        }
        if RESERVED_HANDLES.contains(&h.as_str()) {
            return Err(FieldError::new("This handle is reserved: choose another."));
        }
        Ok(Self(h))
    }

    /// `parse`, except that a group keeps the handle it has (one taken before a word was
    /// reserved).
    pub fn parse_kept(input: &str, current: Option<&str>) -> Result<Self, FieldError> {
        match current {
            Some(c) if input.trim().to_lowercase() == c => Ok(Self(c.to_owned())),
            _ => Self::parse(input),
        }
    }

    /// A handle derived from a name, for the form's suggestion (never a reserved word).
    pub fn suggest(name: &str) -> String {
        let slug: String = name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let slug = slug
            .chars()
            .take(50)
            .collect::<String>()
            .trim_end_matches('-')
            .to_owned();
        if RESERVED_HANDLES.contains(&slug.as_str()) {
            format!("{slug}-group")
        } else {
            slug
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Group descriptions are markdown, bounded in size.
pub fn parse_description(input: &str) -> Result<String, FieldError> {
    const MAX: usize = 20_000;
    if input.chars().count() > MAX {
        return Err(FieldError::new(format!("Use at most {MAX} characters.")));
    }
    // Browsers send a textarea's line breaks as CRLF; store one form.
    Ok(input.replace("\r\n", "\n").trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_handles() {
        assert!(GroupHandle::parse("reply").is_err() && GroupHandle::parse("Group").is_err());
        assert_eq!(GroupHandle::suggest("Group"), "group-group");
        assert!(GroupHandle::parse(&GroupHandle::suggest("Reply")).is_ok());
        assert_eq!(
            GroupHandle::parse_kept("reply", Some("reply")).unwrap().as_str(),
            "reply"
        );
        assert!(GroupHandle::parse_kept("reply", Some("garden")).is_err());
        assert!(GroupName::parse(" ").is_err());
        assert!(GroupName::parse(&"x".repeat(251)).is_err());
        assert!(GroupName::parse(&"x".repeat(10_000)).is_err());
        assert_eq!(GroupName::parse(" Climate Café ").unwrap().as_str(), "Climate Café");
        assert_eq!(GroupHandle::parse("Climate-Cafe").unwrap().as_str(), "climate-cafe");
        for bad in ["a", "-ab", "ab-", "a b", "été", &"a".repeat(61)] {
            assert!(GroupHandle::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(GroupHandle::suggest("Climate Café (Berlin)!"), "climate-caf-berlin");
        assert_eq!(parse_description(" a\r\n\r\nb ").unwrap(), "a\n\nb");
    }

    #[test]
    fn privacy_constrains_join_policy_and_thread_privacy() {
        assert!(JoinPolicy::Anyone.allowed_for(GroupPrivacy::Open));
        assert!(!JoinPolicy::Anyone.allowed_for(GroupPrivacy::Closed));
        assert!(!JoinPolicy::Approval.allowed_for(GroupPrivacy::Secret));
        assert!(JoinPolicy::Invitation.allowed_for(GroupPrivacy::Secret));
        assert!(!ThreadPrivacy::PublicOnly.allowed_for(GroupPrivacy::Closed));
        assert!(ThreadPrivacy::PrivateOnly.allowed_for(GroupPrivacy::Secret));
        assert!(ThreadPrivacy::Either.allowed_for(GroupPrivacy::Open));
    }
}
