//! Polls: proposals, sense checks, choices, counts, scores, dot votes and questions. What a poll
//! is (`kinds.rs`), what may be raised and cast (`input.rs`), and how votes are counted
//! (`tally.rs`). Who may raise, vote, close and conclude is in `permissions/poll.rs`.

pub mod input;
pub mod kinds;
pub mod meeting;
pub mod ranked;
#[cfg(test)]
mod ranked_tests;
pub mod tally;
pub mod templates;
#[cfg(test)]
mod tests;

pub use input::{Ballot, Choice, NamedVoters, PollInput, PollSpec, VoteInput, VoteRules, parse_option, parse_voters};
pub use kinds::{
    ClosingSoon, Counting, Electorate, HideResults, PassOperator, PollKind, PollState, PollTemplate, ReasonRule,
    ShareOf,
};
pub use tally::{OptionResult, PassTest, Quorum, Tally, percent};

/// An outcome's statement: markdown, not empty.
pub fn parse_outcome(input: &str) -> Result<String, crate::FieldError> {
    let text = input.replace("\r\n", "\n");
    let text = text.trim();
    if text.is_empty() {
        return Err(crate::FieldError::new("Write the outcome."));
    }
    if text.chars().count() > input::DETAILS_MAX_CHARS {
        return Err(crate::FieldError::new(format!(
            "Use at most {} characters.",
            input::DETAILS_MAX_CHARS
        )));
    }
    if text.chars().any(|c| !matches!(c, '\n' | '\t') && c.is_control()) {
        return Err(crate::FieldError::new("Remove the control characters."));
    }
    Ok(text.to_owned())
}
