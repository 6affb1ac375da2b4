//! What a poll is: its kind, the settings a group chooses when raising it, and the templates it
//! can be raised from. Every value is stored as the word `as_str` gives and read back with
//! `from_stored`, which refuses an unknown word.

use crate::validation::FieldError;

/// An enum stored as a word: `as_str`, `parse` (for form input, with the field's message) and
/// `from_stored` (an unknown word is an error, never a default).
macro_rules! words {
    ($(#[$meta:meta])* $name:ident, $what:literal, $message:literal { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $word),+
                }
            }

            pub fn parse(s: &str) -> Result<Self, FieldError> {
                match s.trim() {
                    $($word => Ok(Self::$variant),)+
                    _ => Err(FieldError::new($message)),
                }
            }

            pub fn from_stored(s: &str) -> Result<Self, crate::UnknownStored> {
                match s {
                    $($word => Ok(Self::$variant),)+
                    _ => Err(crate::UnknownStored::new($what, s)),
                }
            }
        }
    };
}

words!(
    /// Loomio's poll types, the ones Weft offers.
    PollKind, "poll kind", "Choose a kind of poll." {
        /// Agree / abstain / disagree (and block, for consensus): one choice.
        Proposal = "proposal",
        /// Sense check: looks good / not sure / concerned.
        Check = "check",
        /// Single or multiple choice between options.
        Poll = "poll",
        /// Join or decline, toward a target number of people.
        Count = "count",
        /// A score within a range for every option.
        Score = "score",
        /// A number of dots spread across the options.
        DotVote = "dot_vote",
        /// An answer in words, no options.
        Question = "question",
        /// Options ranked in order of preference, counted by Borda points, instant runoff or STV.
        RankedChoice = "ranked_choice",
        /// Time slots answered yes / if need be / no, to find when people can meet.
        Meeting = "meeting",
    }
);

impl PollKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Proposal => "Proposal",
            Self::Check => "Sense check",
            Self::Poll => "Poll",
            Self::Count => "Count",
            Self::Score => "Score",
            Self::DotVote => "Dot vote",
            Self::Question => "Question",
            Self::RankedChoice => "Ranked choice",
            Self::Meeting => "Meeting time",
        }
    }

    /// The options a poll of this kind starts with (the author may change them, except for
    /// `count`, whose two options give it its meaning).
    pub fn default_options(self) -> &'static [&'static str] {
        match self {
            Self::Proposal => &["Agree", "Abstain", "Disagree"],
            Self::Check => &["Looks good", "Not sure", "Concerned"],
            Self::Count => &["I'm in", "Not this time"],
            Self::Poll | Self::Score | Self::DotVote | Self::Question | Self::RankedChoice | Self::Meeting => &[],
        }
    }

    /// Whether the author writes the options (otherwise they come from the kind or template).
    pub fn has_options(self) -> bool {
        self != Self::Question
    }

    /// A pie for proposals and checks (parts of one whole), bars for the rest.
    pub fn pie_chart(self) -> bool {
        matches!(self, Self::Proposal | Self::Check)
    }
}

words!(
    /// How a ranked-choice poll is counted (docs/COUNTING.md).
    Counting, "counting rule", "Choose how the rankings are counted." {
        /// Points by rank: with n options, a first preference is worth n, the last 1.
        Borda = "borda",
        /// One winner by instant runoff: the fewest first preferences leave, round by round.
        InstantRunoff = "instant_runoff",
        /// Several winners by the single transferable vote (Droop quota, weighted inclusive Gregory).
        Stv = "stv",
    }
);

impl Counting {
    pub fn label(self) -> &'static str {
        match self {
            Self::Borda => "Points by rank (Borda)",
            Self::InstantRunoff => "Instant runoff: one winner",
            Self::Stv => "Single transferable vote: several winners",
        }
    }
}

words!(
    /// Which way a pass test compares.
    PassOperator, "pass operator", "Choose “at least” or “at most”." {
        AtLeast = "at_least",
        AtMost = "at_most",
    }
);

words!(
    /// What a pass test's share is of.
    ShareOf, "share", "Choose a share of the votes or of the voters." {
        /// Of all the votes (choices, points or dots) given.
        Votes = "votes",
        /// Of the people who voted.
        Voters = "voters",
    }
);

words!(
    /// Whether a vote carries a reason.
    ReasonRule, "reason rule", "Choose whether a reason is asked for." {
        Disabled = "disabled",
        Optional = "optional",
        Required = "required",
    }
);

words!(
    /// When the results may be seen.
    HideResults, "result visibility", "Choose when results are shown." {
        /// At once, to everyone who can see the poll.
        Off = "off",
        /// To each viewer once they have voted, and to everyone after closing.
        UntilVoted = "until_voted",
        /// To nobody, the author included, until the poll closes.
        UntilClosed = "until_closed",
    }
);

words!(
    /// Who is reminded 24 hours before the poll closes.
    ClosingSoon, "closing-soon audience", "Choose who is reminded before closing." {
        Nobody = "nobody",
        Author = "author",
        Undecided = "undecided",
        Voters = "voters",
    }
);

words!(
    /// Who may vote.
    Electorate, "electorate", "Choose who may vote." {
        /// Every member of the group, and the guests of the thread.
        Members = "members",
        /// Only the people the author named (members, or people invited by email as guests).
        Specified = "specified",
    }
);

words!(
    /// A common way to raise a poll, with its kind and options ready.
    PollTemplate, "poll template", "Choose a template." {
        Proposal = "proposal",
        Consent = "consent",
        Consensus = "consensus",
        SenseCheck = "sense_check",
    }
);

impl PollTemplate {
    pub fn label(self) -> &'static str {
        match self {
            Self::Proposal => "Proposal",
            Self::Consent => "Consent process",
            Self::Consensus => "Consensus",
            Self::SenseCheck => "Sense check",
        }
    }

    pub fn kind(self) -> PollKind {
        match self {
            Self::SenseCheck => PollKind::Check,
            Self::Proposal | Self::Consent | Self::Consensus => PollKind::Proposal,
        }
    }

    pub fn options(self) -> &'static [&'static str] {
        match self {
            Self::Proposal => &["Agree", "Abstain", "Disagree"],
            Self::Consent => &["Consent", "Objection"],
            Self::Consensus => &["Agree", "Abstain", "Disagree", "Block"],
            Self::SenseCheck => &["Looks good", "Not sure", "Concerned"],
        }
    }

    /// What the reason field asks.
    pub fn reason_prompt(self) -> &'static str {
        match self {
            Self::Consent => "What would you change, or why do you object?",
            Self::Consensus => "Why? A block says you cannot live with this.",
            Self::Proposal | Self::SenseCheck => "Why do you say so?",
        }
    }
}

/// Where a poll is in its life, from its times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PollState {
    /// Raised with an opening time still ahead: visible, not yet open for votes.
    Scheduled,
    Open,
    Closed,
}

impl PollState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    /// `closed_at` is set by the closing job (or an early close); a closing time that passed
    /// counts as closed even before the job ran, so no vote slips in between.
    pub fn at(
        now: crate::Timestamp,
        opening_at: Option<crate::Timestamp>,
        closing_at: crate::Timestamp,
        closed_at: Option<crate::Timestamp>,
    ) -> Self {
        if closed_at.is_some() || now >= closing_at {
            Self::Closed
        } else if opening_at.is_some_and(|o| now < o) {
            Self::Scheduled
        } else {
            Self::Open
        }
    }
}
