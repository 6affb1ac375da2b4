//! What people type when they raise a poll or vote, checked once at the edge: a `PollSpec` is a
//! poll that may be stored, a `Ballot` a vote that may be counted. Every refusal names its field.

use super::kinds::{
    ClosingSoon, Counting, Electorate, HideResults, PassOperator, PollKind, PollTemplate, ReasonRule, ShareOf,
};
use super::tally::PassTest;
use crate::validation::{FieldError, ValidationErrors, is_forbidden_char};
use crate::{Duration, Timestamp};

pub const TITLE_MAX_CHARS: usize = 150;
pub const DETAILS_MAX_CHARS: usize = 50_000;
pub const OPTION_MAX_CHARS: usize = 100;
pub const MAX_OPTIONS: usize = 30;
pub const REASON_MAX_CHARS: usize = 5_000;
pub const PROMPT_MAX_CHARS: usize = 200;
/// The longest a poll may stay open.
pub const MAX_OPEN_DAYS: i64 = 366;

/// A poll's form or API body, as typed. Empty strings mean "the default".
#[derive(Debug, Clone, Default)]
#[allow(clippy::struct_excessive_bools)]
pub struct PollInput {
    /// A template fills kind, options and prompt when given.
    pub template: String,
    pub kind: String,
    pub title: String,
    pub details: String,
    pub options: Vec<String>,
    pub closing_at: Option<Timestamp>,
    pub opening_at: Option<Timestamp>,
    pub anonymous: bool,
    pub hide_results: String,
    pub reason: String,
    pub reason_prompt: String,
    pub min_choices: Option<i64>,
    pub max_choices: Option<i64>,
    pub none_of_the_above: bool,
    pub shuffle_options: bool,
    pub voters_can_add_options: bool,
    pub dots_per_person: Option<i64>,
    pub score_min: Option<i64>,
    pub score_max: Option<i64>,
    pub target: Option<i64>,
    pub electorate: String,
    /// With `electorate: specified`: who votes, by username (`@ada` or `ada`) or email address,
    /// separated by commas, spaces or lines.
    pub voters: String,
    pub closing_soon: String,
    /// Email everyone who may vote when it opens (as `members_can_announce` allows).
    pub notify_on_open: bool,
    /// Otherwise, email these people (their usernames as typed, checked against who may vote)
    /// and the voters among these subgroups' members (by key) when it opens.
    pub notify_people: Vec<String>,
    pub notify_subgroups: Vec<String>,
    /// The author answered whom to notify (the form always does, "nobody" included): a saved
    /// template's `notify_on_open` then does not override their answer.
    pub notify_chosen: bool,
    /// Ranked choice: how the rankings are counted, and how many win (STV).
    pub counting: String,
    pub seats: Option<i64>,
    /// The share of the people who may vote (1–100) who must have voted for the result to stand.
    pub quorum_percent: Option<i64>,
    /// What share an option needs to pass, by the option's name.
    pub pass_tests: Vec<PassTestInput>,
    /// Meeting polls: the zone the slots are typed in (IANA name; the author's own when empty)
    /// and how long each slot is, in minutes.
    pub time_zone: String,
    pub slot_minutes: Option<i64>,
}

/// One pass test as typed: the option's name, `at_least` / `at_most`, a percent, `votes` / `voters`.
#[derive(Debug, Clone, Default)]
pub struct PassTestInput {
    pub option: String,
    pub operator: String,
    pub percent: Option<i64>,
    pub of: String,
}

/// The people a poll names as its voters, as typed (the app resolves them: members by username
/// or address, anyone else invited by email).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamedVoters {
    pub usernames: Vec<crate::Username>,
    pub emails: Vec<crate::EmailAddress>,
}

impl NamedVoters {
    pub fn is_empty(&self) -> bool {
        self.usernames.is_empty() && self.emails.is_empty()
    }
}

/// The most voters one poll may name at once.
pub const MAX_NAMED_VOTERS: usize = 1_000;

/// Reads a list of voters: usernames and email addresses, each at most once.
pub fn parse_voters(input: &str) -> Result<NamedVoters, FieldError> {
    let mut voters = NamedVoters::default();
    let mut bad: Vec<String> = Vec::new();
    for entry in input
        .split([',', ';', '\n', '\r', ' ', '\t'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        if entry.trim_start_matches('@').contains('@') {
            match crate::EmailAddress::parse(entry) {
                Ok(e) if !voters.emails.contains(&e) => voters.emails.push(e),
                Ok(_) => {}
                Err(_) => bad.push(entry.chars().take(80).collect()),
            }
        } else {
            match crate::Username::parse(entry) {
                Ok(u) if !voters.usernames.contains(&u) => voters.usernames.push(u),
                Ok(_) => {}
                Err(_) => bad.push(entry.chars().take(80).collect()),
            }
        }
    }
    if !bad.is_empty() {
        let shown: Vec<String> = bad.iter().take(5).map(|b| format!("“{b}”")).collect();
        return Err(FieldError::new(format!(
            "Give usernames or email addresses; these are neither: {}.",
            shown.join(", ")
        )));
    }
    if voters.usernames.len() + voters.emails.len() > MAX_NAMED_VOTERS {
        return Err(FieldError::new(format!(
            "Name at most {MAX_NAMED_VOTERS} voters at once."
        )));
    }
    Ok(voters)
}

/// The numbers that say what a valid vote is; stored with the poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)]
pub struct VoteRules {
    pub kind: PollKind,
    pub min_choices: i64,
    pub max_choices: i64,
    pub none_of_the_above: bool,
    pub dots_per_person: i64,
    pub score_min: i64,
    pub score_max: i64,
    pub reason: ReasonRule,
}

/// A poll that may be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)]
pub struct PollSpec {
    pub kind: PollKind,
    pub title: String,
    pub details: String,
    pub options: Vec<String>,
    pub closing_at: Timestamp,
    pub opening_at: Option<Timestamp>,
    pub anonymous: bool,
    pub hide_results: HideResults,
    pub reason_prompt: String,
    pub rules: VoteRules,
    pub shuffle_options: bool,
    pub voters_can_add_options: bool,
    /// For `count`: how many "I'm in" make it happen.
    pub target: Option<i64>,
    pub electorate: Electorate,
    /// Empty unless the electorate is `specified`, then never empty.
    pub voters: NamedVoters,
    pub closing_soon: ClosingSoon,
    pub notify_on_open: bool,
    /// Ranked choice only (Borda otherwise, unused).
    pub counting: Counting,
    /// How many options win: the seats of an STV count, 1 otherwise.
    pub seats: i64,
    pub quorum_percent: Option<i64>,
    /// One per option, in the options' order.
    pub pass_tests: Vec<Option<PassTest>>,
    /// Meeting polls: the zone the slots were typed in, each slot's length, and each option's
    /// start (in the options' order, earliest first); the option's name is its start as typed.
    pub time_zone: String,
    pub slot_minutes: i64,
    pub slot_starts: Vec<Timestamp>,
}

fn single_line(input: &str, max: usize, empty: &str) -> Result<String, FieldError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(FieldError::new(empty));
    }
    if text.chars().count() > max {
        return Err(FieldError::new(format!("Use at most {max} characters.")));
    }
    if text.chars().any(is_forbidden_char) || text.contains('\n') {
        return Err(FieldError::new(
            "Remove the line breaks, invisible or control characters.",
        ));
    }
    Ok(text.to_owned())
}

/// Markdown: line breaks in one form, no control characters, at most `max` characters.
fn markdown(input: &str, max: usize) -> Result<String, FieldError> {
    let count = input.chars().count();
    if count > max {
        return Err(FieldError::new(format!(
            "Use at most {max} characters (this has {count})."
        )));
    }
    let text = input.replace("\r\n", "\n");
    if text.chars().any(|c| !matches!(c, '\n' | '\t') && c.is_control()) {
        return Err(FieldError::new("Remove the control characters."));
    }
    Ok(text.trim().to_owned())
}

/// One option's name, as an author or a voter adding one types it.
pub fn parse_option(input: &str) -> Result<String, FieldError> {
    single_line(input, OPTION_MAX_CHARS, "Name the option.")
}

fn choose<T: Copy>(value: &str, default: T, parse: fn(&str) -> Result<T, FieldError>) -> Result<T, FieldError> {
    if value.trim().is_empty() {
        Ok(default)
    } else {
        parse(value)
    }
}

fn within(
    value: Option<i64>,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
    what: &str,
) -> Result<i64, FieldError> {
    let v = value.unwrap_or(default);
    if range.contains(&v) {
        Ok(v)
    } else {
        Err(FieldError::new(format!(
            "{what} must be between {} and {}.",
            range.start(),
            range.end()
        )))
    }
}

impl PollInput {
    /// Checks everything at once and reports every field that is wrong.
    #[allow(clippy::too_many_lines)] // one check per field, in form order
    pub fn parse(&self, now: Timestamp) -> Result<PollSpec, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        // Neither a template nor a kind: a proposal, the most common decision.
        let default_template = self.kind.trim().is_empty().then_some(PollTemplate::Proposal);
        let template = errors
            .check(
                "template",
                choose(&self.template, default_template, |s| PollTemplate::parse(s).map(Some)),
            )
            .flatten();
        let kind = match template {
            Some(t) => t.kind(),
            None => errors
                .check("kind", PollKind::parse(&self.kind))
                .unwrap_or(PollKind::Proposal),
        };
        let title = errors.check(
            "title",
            single_line(&self.title, TITLE_MAX_CHARS, "Give the poll a title."),
        );
        let details = errors.check("details", markdown(&self.details, DETAILS_MAX_CHARS));

        // Options: a template's or the kind's when none are typed; count keeps its two.
        let typed: Vec<&str> = self
            .options
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
            .collect();
        let mut slot_starts = Vec::new();
        let (mut time_zone, mut slot_minutes) = (String::new(), 0);
        let options: Vec<String> = if kind == PollKind::Question {
            Vec::new()
        } else if kind == PollKind::Meeting {
            let zone = match super::meeting::Zone::parse(if self.time_zone.trim().is_empty() {
                "UTC"
            } else {
                &self.time_zone
            }) {
                Ok(z) => z,
                Err(e) => {
                    errors.add("time_zone", e.message);
                    super::meeting::Zone::utc()
                }
            };
            time_zone = zone.name().to_owned();
            slot_minutes = errors
                .check(
                    "slot_minutes",
                    within(
                        self.slot_minutes,
                        super::meeting::DEFAULT_SLOT_MINUTES,
                        5..=super::meeting::MAX_SLOT_MINUTES,
                        "A slot's length in minutes",
                    ),
                )
                .unwrap_or(super::meeting::DEFAULT_SLOT_MINUTES);
            for line in &typed {
                match super::meeting::parse_slot(line, &zone) {
                    Ok(t) if slot_starts.contains(&t) => {
                        errors.add("options", format!("{} is there twice.", zone.input(t)));
                    }
                    Ok(t) => slot_starts.push(t),
                    Err(e) => errors.add("options", e.message),
                }
            }
            slot_starts.sort_unstable();
            slot_starts.iter().map(|&t| zone.input(t)).collect()
        } else if kind == PollKind::Count || typed.is_empty() {
            template
                .map_or(kind.default_options(), PollTemplate::options)
                .iter()
                .map(|s| (*s).to_owned())
                .collect()
        } else {
            let mut names = Vec::new();
            for o in &typed {
                match parse_option(o) {
                    Ok(name) => {
                        if names.iter().any(|n: &String| n.to_lowercase() == name.to_lowercase()) {
                            errors.add("options", format!("“{name}” is there twice."));
                        } else {
                            names.push(name);
                        }
                    }
                    Err(e) => errors.add("options", e.message),
                }
            }
            names
        };
        if kind == PollKind::Meeting && options.is_empty() && errors.get("options").is_none() {
            errors.add("options", "Propose at least one time, such as 2026-12-10 14:00.");
        } else if kind.has_options()
            && kind != PollKind::Meeting
            && options.len() < 2
            && errors.get("options").is_none()
        {
            errors.add("options", "Give at least two options.");
        }
        if options.len() > MAX_OPTIONS {
            errors.add("options", format!("Use at most {MAX_OPTIONS} options."));
        }

        // A template chosen and left to its default duration closes after it (a poll with neither
        // a template nor a closing time is asked for one).
        let chosen = (!self.template.trim().is_empty()).then_some(template).flatten();
        let closing_at = self
            .closing_at
            .or_else(|| chosen.map(|t| now.plus(Duration::days(t.default_days()))));
        let closing_at = match closing_at {
            None => {
                errors.add("closing_at", "Choose when the poll closes.");
                None
            }
            Some(c) if c <= now.plus(Duration::minutes(5)) => {
                errors.add("closing_at", "Choose a closing time at least five minutes from now.");
                None
            }
            Some(c) if c > now.plus(Duration::days(MAX_OPEN_DAYS)) => {
                errors.add("closing_at", "A poll can stay open for at most a year.");
                None
            }
            Some(c) => Some(c),
        };
        let opening_at = match (self.opening_at, closing_at) {
            (Some(o), _) if o <= now => None,
            (Some(o), Some(c)) if o >= c => {
                errors.add("opening_at", "Open the poll before it closes.");
                None
            }
            (o, _) => o,
        };

        let hide_results = errors.check(
            "hide_results",
            choose(&self.hide_results, HideResults::Off, HideResults::parse),
        );
        let reason = if kind == PollKind::Question {
            Some(ReasonRule::Required)
        } else {
            errors.check("reason", choose(&self.reason, ReasonRule::Optional, ReasonRule::parse))
        };
        let prompt = if self.reason_prompt.trim().is_empty() {
            Ok(template.map_or("", PollTemplate::reason_prompt).to_owned())
        } else {
            single_line(&self.reason_prompt, PROMPT_MAX_CHARS, "")
        };
        let reason_prompt = errors.check("reason_prompt", prompt);
        let electorate = errors.check(
            "electorate",
            choose(&self.electorate, Electorate::Members, Electorate::parse),
        );
        let voters = match electorate {
            Some(Electorate::Specified) => match parse_voters(&self.voters) {
                Ok(v) if v.is_empty() => {
                    errors.add("voters", "Name at least one voter, or let every member vote.");
                    None
                }
                Ok(v) => Some(v),
                Err(e) => {
                    errors.add("voters", e.message);
                    None
                }
            },
            _ => Some(NamedVoters::default()),
        };
        let closing_soon = errors.check(
            "closing_soon",
            choose(&self.closing_soon, ClosingSoon::Undecided, ClosingSoon::parse),
        );

        let n = i64::try_from(options.len()).unwrap_or(i64::MAX).max(1);
        let (mut min_choices, mut max_choices) = (1, 1);
        let (mut counting, mut seats) = (Counting::Borda, 1);
        if kind == PollKind::RankedChoice {
            max_choices = n;
            min_choices = errors
                .check(
                    "min_choices",
                    within(self.min_choices, n.min(3), 1..=n, "The fewest ranks"),
                )
                .unwrap_or(1);
            counting = errors
                .check("counting", choose(&self.counting, Counting::Borda, Counting::parse))
                .unwrap_or(Counting::Borda);
            if counting == Counting::Stv {
                seats = errors
                    .check(
                        "seats",
                        within(self.seats, 2.min(n - 1).max(1), 1..=(n - 1).max(1), "The seats"),
                    )
                    .unwrap_or(1);
            }
        }
        let quorum_percent = match self.quorum_percent {
            None => None,
            Some(q) => errors.check("quorum_percent", within(Some(q), q, 1..=100, "The quorum")),
        };
        let pass_tests = parse_pass_tests(kind, &options, &self.pass_tests, &mut errors);
        if kind == PollKind::Poll {
            let max = errors.check("max_choices", within(self.max_choices, 1, 1..=n, "The most choices"));
            let min = errors.check("min_choices", within(self.min_choices, 1, 1..=n, "The fewest choices"));
            if let (Some(lo), Some(hi)) = (min, max) {
                if lo > hi {
                    errors.add("min_choices", "The fewest choices cannot be more than the most.");
                }
                (min_choices, max_choices) = (lo, hi);
            }
        }
        let dots_per_person = if kind == PollKind::DotVote {
            errors
                .check(
                    "dots_per_person",
                    within(self.dots_per_person, 8, 1..=1_000, "Dots per person"),
                )
                .unwrap_or(8)
        } else {
            0
        };
        let (mut score_min, mut score_max) = (0, 0);
        if kind == PollKind::Score {
            let lo = errors.check("score_min", within(self.score_min, 0, -100..=100, "The lowest score"));
            let hi = errors.check("score_max", within(self.score_max, 5, -100..=100, "The highest score"));
            if let (Some(lo), Some(hi)) = (lo, hi) {
                if lo >= hi {
                    errors.add("score_max", "The highest score must be above the lowest.");
                }
                (score_min, score_max) = (lo, hi);
            }
        }
        let target = if kind == PollKind::Count {
            errors
                .check("target", within(self.target, 5, 1..=100_000, "The target"))
                .map(Some)
                .unwrap_or(None)
        } else {
            None
        };

        errors.into_result()?;
        let (
            Some(title),
            Some(details),
            Some(closing_at),
            Some(hide_results),
            Some(reason),
            Some(reason_prompt),
            Some(electorate),
            Some(voters),
            Some(closing_soon),
        ) = (
            title,
            details,
            closing_at,
            hide_results,
            reason,
            reason_prompt,
            electorate,
            voters,
            closing_soon,
        )
        else {
            return Err(ValidationErrors::single("title", "Check the form."));
        };
        Ok(PollSpec {
            kind,
            title,
            details,
            options,
            closing_at,
            opening_at,
            anonymous: self.anonymous,
            hide_results,
            reason_prompt,
            rules: VoteRules {
                kind,
                min_choices,
                max_choices,
                none_of_the_above: kind == PollKind::Poll && self.none_of_the_above,
                dots_per_person,
                score_min,
                score_max,
                reason,
            },
            shuffle_options: kind.has_options() && kind != PollKind::Meeting && self.shuffle_options,
            voters_can_add_options: matches!(kind, PollKind::Poll | PollKind::Score | PollKind::DotVote)
                && self.voters_can_add_options,
            target,
            electorate,
            voters,
            closing_soon,
            notify_on_open: self.notify_on_open,
            counting,
            seats,
            quorum_percent,
            pass_tests,
            time_zone,
            slot_minutes,
            slot_starts,
        })
    }
}

/// Pass tests by option name, one per option at most; none for questions and ranked choice
/// (points by rank are not a share). Rows without an option are blank rows of the form.
fn parse_pass_tests(
    kind: PollKind,
    options: &[String],
    input: &[PassTestInput],
    errors: &mut ValidationErrors,
) -> Vec<Option<PassTest>> {
    let mut tests: Vec<Option<PassTest>> = vec![None; options.len()];
    for row in input.iter().filter(|r| !r.option.trim().is_empty()) {
        if matches!(kind, PollKind::Question | PollKind::RankedChoice) {
            errors.add(
                "pass_tests",
                format!("A {} has no pass tests.", kind.label().to_lowercase()),
            );
            break;
        }
        let name = row.option.trim().to_lowercase();
        let Some(at) = options.iter().position(|o| o.to_lowercase() == name) else {
            errors.add(
                "pass_tests",
                format!(
                    "“{}” is not one of the options.",
                    row.option.trim().chars().take(80).collect::<String>()
                ),
            );
            continue;
        };
        if tests[at].is_some() {
            errors.add("pass_tests", format!("“{}” has two pass tests.", options[at]));
            continue;
        }
        let operator = choose(&row.operator, PassOperator::AtLeast, PassOperator::parse);
        let of = choose(&row.of, ShareOf::Votes, ShareOf::parse);
        let percent = match row.percent {
            None => Err(FieldError::new(format!(
                "Give the share “{}” needs, in percent.",
                options[at]
            ))),
            Some(p) => within(Some(p), p, 0..=100, "A pass test's percent"),
        };
        match (operator, percent, of) {
            (Ok(operator), Ok(percent), Ok(of)) => tests[at] = Some(PassTest { operator, percent, of }),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => errors.add("pass_tests", e.message),
        }
    }
    tests
}

/// One option chosen, with its weight: 1 for a choice, the score, or the dots given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Choice {
    pub option: i64,
    pub value: i64,
}

/// A vote as cast: choices among the poll's options (by their ids) and a reason.
#[derive(Debug, Clone, Default)]
pub struct VoteInput {
    pub choices: Vec<Choice>,
    pub reason: String,
}

/// A vote that may be counted: choices sorted by option, no option twice, nothing with no weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballot {
    pub choices: Vec<Choice>,
    pub reason: String,
}

impl VoteRules {
    /// Checks a vote against the poll's kind and numbers. `options` are the poll's option ids.
    pub fn check(&self, options: &[i64], input: &VoteInput) -> Result<Ballot, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut choices = input.choices.clone();
        choices.sort_unstable();
        if choices.iter().any(|c| !options.contains(&c.option)) {
            errors.add("choices", "Choose among this poll's options.");
        }
        if choices.windows(2).any(|w| w[0].option == w[1].option) {
            errors.add("choices", "Each option can be chosen once.");
        }
        let picked = i64::try_from(choices.len()).unwrap_or(i64::MAX);
        match self.kind {
            PollKind::Proposal | PollKind::Check | PollKind::Count => {
                if picked != 1 {
                    errors.add("choices", "Choose one option.");
                }
                choices.iter_mut().for_each(|c| c.value = 1);
            }
            PollKind::Poll => {
                let allowed_none = self.none_of_the_above && picked == 0;
                if !allowed_none && (picked < self.min_choices || picked > self.max_choices) {
                    errors.add(
                        "choices",
                        if self.min_choices == self.max_choices {
                            format!(
                                "Choose {} option{}.",
                                self.min_choices,
                                if self.min_choices == 1 { "" } else { "s" }
                            )
                        } else {
                            format!("Choose between {} and {} options.", self.min_choices, self.max_choices)
                        },
                    );
                }
                choices.iter_mut().for_each(|c| c.value = 1);
            }
            PollKind::Score => {
                if picked == 0 {
                    errors.add("choices", "Score at least one option.");
                }
                if choices
                    .iter()
                    .any(|c| c.value < self.score_min || c.value > self.score_max)
                {
                    errors.add(
                        "choices",
                        format!("Scores go from {} to {}.", self.score_min, self.score_max),
                    );
                }
            }
            PollKind::DotVote => {
                if choices.iter().any(|c| c.value < 0) {
                    errors.add("choices", "Dots cannot be negative.");
                }
                choices.retain(|c| c.value != 0);
                let total = choices.iter().fold(0_i64, |sum, c| sum.saturating_add(c.value.max(0)));
                if total == 0 {
                    errors.add("choices", "Place at least one dot.");
                } else if total > self.dots_per_person {
                    errors.add(
                        "choices",
                        format!("You have {} dots; this places {total}.", self.dots_per_person),
                    );
                }
            }
            PollKind::RankedChoice => {
                choices.retain(|c| c.value != 0);
                let mut ranks: Vec<i64> = choices.iter().map(|c| c.value).collect();
                ranks.sort_unstable();
                let picked = i64::try_from(ranks.len()).unwrap_or(i64::MAX);
                if !ranks.iter().zip(1_i64..).all(|(&r, expected)| r == expected) {
                    errors.add("choices", "Give each rank once, from 1 and without gaps: 1, 2, 3…");
                } else if picked < self.min_choices {
                    errors.add(
                        "choices",
                        format!(
                            "Rank at least {} option{}.",
                            self.min_choices,
                            if self.min_choices == 1 { "" } else { "s" }
                        ),
                    );
                }
            }
            PollKind::Meeting => {
                let answered = choices.iter().filter(|c| options.contains(&c.option)).count();
                if answered != options.len() {
                    errors.add("choices", "Answer every time: yes, if need be, or no.");
                } else if choices
                    .iter()
                    .any(|c| !(super::meeting::NO..=super::meeting::YES).contains(&c.value))
                {
                    errors.add("choices", "Answer each time with yes, if need be, or no.");
                }
                choices.retain(|c| c.value != super::meeting::NO);
            }
            PollKind::Question => {
                if picked != 0 {
                    errors.add("choices", "A question has no options: write your answer.");
                }
            }
        }
        let reason = match markdown(&input.reason, REASON_MAX_CHARS) {
            Ok(r) => r,
            Err(e) => {
                errors.add("reason", e.message);
                String::new()
            }
        };
        let reason = match self.reason {
            ReasonRule::Disabled => String::new(),
            ReasonRule::Required if reason.is_empty() => {
                errors.add(
                    "reason",
                    if self.kind == PollKind::Question {
                        "Write your answer."
                    } else {
                        "Give a reason."
                    },
                );
                reason
            }
            ReasonRule::Optional | ReasonRule::Required => reason,
        };
        errors.into_result()?;
        Ok(Ballot { choices, reason })
    }
}
