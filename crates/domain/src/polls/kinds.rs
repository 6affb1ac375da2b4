//! What a poll is: its kind, the settings a group chooses when raising it, and the templates it
//! can be raised from. Every value is stored as the word `as_str` gives and read back with
//! `from_stored`, which refuses an unknown word.

use crate::validation::FieldError;

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
    /// The built-in ways to raise a poll (Loomio's decision templates), with kind, options,
    /// wording and a default duration ready.
    PollTemplate, "poll template", "Choose a template." {
        Proposal = "proposal",
        SenseCheck = "sense_check",
        Advice = "advice",
        Consent = "consent",
        Consensus = "consensus",
        GradientsOfAgreement = "gradients_of_agreement",
        Question = "question",
        Choice = "poll",
        Score = "score",
        DotVote = "dot_vote",
        RankedChoice = "ranked_choice",
        Meeting = "meeting",
        Count = "count",
    }
);

impl PollTemplate {
    pub fn label(self) -> &'static str {
        match self {
            Self::Proposal => "Proposal",
            Self::SenseCheck => "Sense check",
            Self::Advice => "Advice process",
            Self::Consent => "Consent process",
            Self::Consensus => "Consensus",
            Self::GradientsOfAgreement => "Gradients of agreement",
            Self::Question => "Question round",
            Self::Choice => "Poll: choose among options",
            Self::Score => "Score",
            Self::DotVote => "Dot vote",
            Self::RankedChoice => "Ranked choice",
            Self::Meeting => "Meeting time",
            Self::Count => "Count: who is in",
        }
    }

    /// What it is for, in one line.
    pub fn summary(self) -> &'static str {
        match self {
            Self::Proposal => "Agree, abstain or disagree with a proposal.",
            Self::SenseCheck => "A quick read of how people feel before deciding.",
            Self::Advice => "Ask for advice; the person deciding weighs it.",
            Self::Consent => "Go ahead unless someone has an objection.",
            Self::Consensus => "Seek agreement; anyone can block.",
            Self::GradientsOfAgreement => "Eight levels from whole-hearted endorsement to veto.",
            Self::Question => "Gather answers in words.",
            Self::Choice => "Pick one or more options.",
            Self::Score => "Score every option.",
            Self::DotVote => "Spread a number of dots across the options.",
            Self::RankedChoice => "Put the options in order of preference.",
            Self::Meeting => "Find a time when people can meet.",
            Self::Count => "See whether enough people are in.",
        }
    }

    pub fn kind(self) -> PollKind {
        match self {
            Self::Proposal | Self::Advice | Self::Consent | Self::Consensus | Self::GradientsOfAgreement => {
                PollKind::Proposal
            }
            Self::SenseCheck => PollKind::Check,
            Self::Question => PollKind::Question,
            Self::Choice => PollKind::Poll,
            Self::Score => PollKind::Score,
            Self::DotVote => PollKind::DotVote,
            Self::RankedChoice => PollKind::RankedChoice,
            Self::Meeting => PollKind::Meeting,
            Self::Count => PollKind::Count,
        }
    }

    /// Its options; empty when the author writes them (or the kind brings its own).
    pub fn options(self) -> &'static [&'static str] {
        match self {
            Self::Proposal => &["Agree", "Abstain", "Disagree"],
            Self::Advice => &["Agree", "Abstain"],
            Self::Consent => &["Consent", "Objection"],
            Self::Consensus => &["Agree", "Abstain", "Disagree", "Block"],
            Self::SenseCheck => &["Looks good", "Not sure", "Concerned"],
            Self::GradientsOfAgreement => &[
                "Whole-hearted endorsement",
                "Agreement with a minor point of contention",
                "Support with reservations",
                "Abstain",
                "More discussion needed",
                "Don't like but will support",
                "Serious disagreement",
                "Veto",
            ],
            Self::Count => &["I'm in", "Not this time"],
            Self::Question | Self::Choice | Self::Score | Self::DotVote | Self::RankedChoice | Self::Meeting => &[],
        }
    }

    /// What the reason field asks.
    pub fn reason_prompt(self) -> &'static str {
        match self {
            Self::Advice => "What is your advice?",
            Self::Consent => "What would you change, or why do you object?",
            Self::Consensus => "Why? A block says you cannot live with this.",
            Self::GradientsOfAgreement => "What would bring you closer to endorsing it?",
            Self::Question => "Your answer",
            Self::Proposal | Self::SenseCheck => "Why do you say so?",
            Self::Choice | Self::Score | Self::DotVote | Self::RankedChoice | Self::Meeting | Self::Count => "",
        }
    }

    /// How long it stays open unless the author says otherwise (Loomio's defaults).
    pub fn default_days(self) -> i64 {
        match self {
            Self::Proposal | Self::Advice | Self::Consent | Self::Consensus | Self::RankedChoice => 7,
            Self::GradientsOfAgreement | Self::Question => 5,
            Self::SenseCheck | Self::Choice | Self::Score | Self::DotVote | Self::Meeting | Self::Count => 3,
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
