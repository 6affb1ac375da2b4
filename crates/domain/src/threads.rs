//! Threads (Loomio's discussions) and comments: the values people type, checked once at the edge.

use crate::validation::{FieldError, is_forbidden_char};

/// A thread's title: 1–150 visible characters (Loomio's limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadTitle(String);

impl ThreadTitle {
    pub const MAX_CHARS: usize = 150;

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let title = input.trim();
        if title.is_empty() {
            return Err(FieldError::new("Give the thread a title."));
        }
        if title.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(format!("Use at most {} characters.", Self::MAX_CHARS)));
        }
        if title.chars().any(is_forbidden_char) {
            return Err(FieldError::new("Remove the invisible or control characters."));
        }
        Ok(Self(title.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Markdown text with line breaks in one form and a size limit; empty allowed.
fn markdown_text(input: &str, max: usize) -> Result<String, FieldError> {
    if input.chars().count() > max {
        return Err(FieldError::new(format!(
            "Use at most {max} characters (this has {}).",
            input.chars().count()
        )));
    }
    let text = input.replace("\r\n", "\n");
    if text.chars().any(|c| !matches!(c, '\n' | '\t') && c.is_control()) {
        return Err(FieldError::new("Remove the control characters."));
    }
    Ok(text.trim().to_owned())
}

/// The context of a thread: what it is about, in markdown. May be empty.
pub fn parse_context(input: &str) -> Result<String, FieldError> {
    markdown_text(input, 50_000)
}

/// How long a deleted comment can be brought back by whoever deleted it; then its text and its
/// earlier versions are erased.
pub const UNDO_DELETE: crate::Duration = crate::Duration::minutes(2);

/// A comment's markdown: not empty, at most 20 000 characters.
pub fn parse_comment(input: &str) -> Result<String, FieldError> {
    let body = markdown_text(input, 20_000)?;
    if body.is_empty() {
        return Err(FieldError::new("Write something first."));
    }
    Ok(body)
}

/// Whether the thread is public or private, as asked for and as the group allows: an empty choice
/// takes the group's default (private unless the group only holds public threads).
pub fn choose_privacy(asked: &str, allowed: crate::groups::ThreadPrivacy) -> Result<bool, FieldError> {
    use crate::groups::ThreadPrivacy as P;
    match (asked, allowed) {
        ("", P::PublicOnly) | ("public", P::PublicOnly | P::Either) => Ok(false),
        ("", P::PrivateOnly | P::Either) | ("private", P::PrivateOnly | P::Either) => Ok(true),
        ("public", P::PrivateOnly) => Err(FieldError::new("This group only holds private threads.")),
        ("private", P::PublicOnly) => Err(FieldError::new("This group only holds public threads.")),
        _ => Err(FieldError::new("Choose public or private.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::groups::ThreadPrivacy;

    #[test]
    fn titles_and_bodies() {
        assert!(ThreadTitle::parse("  ").is_err());
        assert!(ThreadTitle::parse(&"t".repeat(151)).is_err());
        assert_eq!(ThreadTitle::parse(" Budget 2027 ").unwrap().as_str(), "Budget 2027");
        assert!(parse_comment(" \n ").is_err());
        assert!(
            parse_comment(&"c".repeat(100_000))
                .unwrap_err()
                .message
                .contains("at most 20000")
        );
        assert_eq!(parse_comment("a\r\nb").unwrap(), "a\nb");
        assert_eq!(parse_context("").unwrap(), "");
    }

    #[test]
    fn privacy_as_the_group_allows() {
        assert_eq!(choose_privacy("", ThreadPrivacy::PublicOnly), Ok(false));
        assert_eq!(choose_privacy("", ThreadPrivacy::PrivateOnly), Ok(true));
        assert_eq!(choose_privacy("public", ThreadPrivacy::Either), Ok(false));
        assert!(choose_privacy("public", ThreadPrivacy::PrivateOnly).is_err());
        assert!(choose_privacy("private", ThreadPrivacy::PublicOnly).is_err());
        assert!(choose_privacy("loud", ThreadPrivacy::Either).is_err());
    }
}

/// The reactions on offer: a short, named set, so each button has an accessible name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reaction {
    ThumbsUp,
    Heart,
    Tada,
    Smile,
    Thinking,
    Eyes,
    Pray,
    Sad,
}

impl Reaction {
    pub const ALL: [Self; 8] = [
        Self::ThumbsUp,
        Self::Heart,
        Self::Tada,
        Self::Smile,
        Self::Thinking,
        Self::Eyes,
        Self::Pray,
        Self::Sad,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ThumbsUp => "thumbs_up",
            Self::Heart => "heart",
            Self::Tada => "tada",
            Self::Smile => "smile",
            Self::Thinking => "thinking",
            Self::Eyes => "eyes",
            Self::Pray => "pray",
            Self::Sad => "sad",
        }
    }

    pub fn emoji(self) -> &'static str {
        match self {
            Self::ThumbsUp => "👍",
            Self::Heart => "❤️",
            Self::Tada => "🎉",
            Self::Smile => "😄",
            Self::Thinking => "🤔",
            Self::Eyes => "👀",
            Self::Pray => "🙏",
            Self::Sad => "😢",
        }
    }

    /// What a screen reader says for the button.
    pub fn label(self) -> &'static str {
        match self {
            Self::ThumbsUp => "thumbs up",
            Self::Heart => "heart",
            Self::Tada => "celebrate",
            Self::Smile => "smile",
            Self::Thinking => "thinking",
            Self::Eyes => "looking",
            Self::Pray => "thanks",
            Self::Sad => "sad",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s || r.emoji() == s)
            .ok_or_else(|| FieldError::new("Choose one of the offered reactions."))
    }
}

/// A thread's tags as typed: comma-separated names of 1–30 letters, digits, spaces or `-`, stored
/// in lower case, at most 10, duplicates once.
pub fn parse_tags(input: &str) -> Result<Vec<String>, FieldError> {
    let mut tags: Vec<String> = Vec::new();
    for raw in input.split(',') {
        let tag = raw.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > 30 {
            return Err(FieldError::new(format!(
                "“{tag}” is too long: use at most 30 characters per tag."
            )));
        }
        if !tag.chars().all(|c| c.is_alphanumeric() || c == ' ' || c == '-') {
            return Err(FieldError::new(format!(
                "“{tag}”: use letters, digits, spaces and - only."
            )));
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > 10 {
        return Err(FieldError::new("Use at most 10 tags."));
    }
    Ok(tags)
}

#[cfg(test)]
mod tag_tests {
    use super::parse_tags;

    #[test]
    fn tags_as_typed() {
        assert_eq!(
            parse_tags(" Budget, budget ,  Long   Term,").unwrap(),
            ["budget", "long term"]
        );
        assert_eq!(parse_tags("").unwrap(), Vec::<String>::new());
        assert!(parse_tags("a;b").is_err());
        assert!(parse_tags(&"x".repeat(31)).is_err());
        assert!(parse_tags(&(0..11).map(|i| format!("t{i}")).collect::<Vec<_>>().join(",")).is_err());
    }
}

pub use crate::notifications::Volume;
