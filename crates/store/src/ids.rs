//! Typed ids: a `ThreadId` cannot be passed where a `CommentId` is expected. Each is an `i64` in
//! the database (bound and read as one on both backends) and a plain number in JSON. A new
//! aggregate adds its ids to the `ids!` list below.
//!
//! ```compile_fail
//! fn open(_: weft_store::ids::ThreadId) {}
//! open(weft_store::ids::CommentId(1)); // a comment's id is not a thread's
//! ```

use crate::db::{Arg, Bind, Decode, Kind, PgInt};

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl<'q> Bind<'q> for $name {
            const KIND: Kind = Kind::Int;
            fn into_arg(self) -> Arg<'q> {
                Arg::Int(self.0)
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                i64::column_result(value).map(Self)
            }
        }

        impl Decode for $name {
            type Pg = PgInt;
            fn from_pg(value: PgInt) -> Self {
                Self(value.0)
            }
        }

        impl Decode for Option<$name> {
            type Pg = Option<PgInt>;
            fn from_pg(value: Option<PgInt>) -> Self {
                value.map(|v| $name(v.0))
            }
        }
    )*};
}

ids!(
    /// An account.
    UserId,
    /// A group (or subgroup).
    GroupId,
    /// A thread.
    ThreadId,
    /// A comment in a thread.
    CommentId,
    /// An invitation to a group.
    InvitationId,
    /// A background job.
    JobId,
    /// A poll (proposal, sense check, choice, count, score, dot vote, question).
    PollId,
    /// One option of a poll.
    OptionId,
    /// One version of a person's vote.
    VoteId,
    /// One version of a poll's outcome.
    OutcomeId,
    /// An item of a timeline other than a comment.
    EventId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_numbers_in_json() {
        assert_eq!(serde_json::to_string(&ThreadId(42)).unwrap(), "42");
        assert_eq!(serde_json::from_str::<CommentId>("7").unwrap(), CommentId(7));
        assert_eq!(ThreadId(3).to_string(), "3");
    }
}
