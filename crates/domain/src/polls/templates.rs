//! Templates: a group's own poll templates (a poll's settings saved under a name, stored as
//! JSON), the names a template is chosen by, and the built-in thread templates that start a
//! thread with a context to fill in and, optionally, a poll.

use serde::{Deserialize, Serialize};

use super::input::{PassTestInput, PollInput};
use super::kinds::PollTemplate;
use crate::validation::FieldError;

/// A template as a form or the API names it: a built-in word, or `saved:<key>` for a group's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateRef {
    Builtin(PollTemplate),
    Saved(String),
}

impl TemplateRef {
    /// `None` for an empty value (no template).
    pub fn parse(value: &str) -> Result<Option<Self>, FieldError> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(None);
        }
        match value.strip_prefix("saved:") {
            Some(key) if !key.is_empty() && key.len() <= 64 && key.chars().all(|c| c.is_ascii_alphanumeric()) => {
                Ok(Some(Self::Saved(key.to_owned())))
            }
            Some(_) => Err(FieldError::new("Choose a template.")),
            None => PollTemplate::parse(value).map(|t| Some(Self::Builtin(t))),
        }
    }

    pub fn as_value(&self) -> String {
        match self {
            Self::Builtin(t) => t.as_str().to_owned(),
            Self::Saved(key) => format!("saved:{key}"),
        }
    }
}

/// The longest a template's name may be.
pub const NAME_MAX_CHARS: usize = 80;
/// Templates one group may save.
pub const SAVED_MAX: i64 = 100;

pub fn parse_name(input: &str) -> Result<String, FieldError> {
    let name = input.trim();
    if name.is_empty() {
        return Err(FieldError::new("Name the template."));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(FieldError::new(format!("Use at most {NAME_MAX_CHARS} characters.")));
    }
    if name.chars().any(crate::validation::is_forbidden_char) || name.contains('\n') {
        return Err(FieldError::new(
            "Remove the line breaks, invisible or control characters.",
        ));
    }
    Ok(name.to_owned())
}

/// What a group's template keeps of a poll: everything but its title, times and voters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[allow(clippy::struct_excessive_bools)]
pub struct SavedSettings {
    pub kind: String,
    pub details: String,
    pub options: Vec<String>,
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
    pub closing_soon: String,
    pub notify_on_open: bool,
    pub counting: String,
    pub seats: Option<i64>,
    pub quorum_percent: Option<i64>,
    /// (option, operator, percent, of)
    pub pass_tests: Vec<(String, String, i64, String)>,
    pub time_zone: String,
    pub slot_minutes: Option<i64>,
    /// How long a poll from it stays open.
    pub days: i64,
}

impl SavedSettings {
    /// Fills what `input` leaves empty from the template: its kind always, the rest only where
    /// nothing was given (typed options, details or numbers win); a closing time `days` ahead
    /// when none was chosen.
    pub fn fill(&self, input: &mut PollInput, now: crate::Timestamp) {
        input.template.clear();
        input.kind.clone_from(&self.kind);
        let text = |mine: &mut String, theirs: &String| {
            if mine.trim().is_empty() {
                mine.clone_from(theirs);
            }
        };
        text(&mut input.details, &self.details);
        text(&mut input.hide_results, &self.hide_results);
        text(&mut input.reason, &self.reason);
        text(&mut input.reason_prompt, &self.reason_prompt);
        text(&mut input.closing_soon, &self.closing_soon);
        text(&mut input.counting, &self.counting);
        text(&mut input.time_zone, &self.time_zone);
        if input.options.iter().all(|o| o.trim().is_empty()) {
            input.options.clone_from(&self.options);
        }
        let number = |mine: &mut Option<i64>, theirs: Option<i64>| {
            if mine.is_none() {
                *mine = theirs;
            }
        };
        number(&mut input.min_choices, self.min_choices);
        number(&mut input.max_choices, self.max_choices);
        number(&mut input.dots_per_person, self.dots_per_person);
        number(&mut input.score_min, self.score_min);
        number(&mut input.score_max, self.score_max);
        number(&mut input.target, self.target);
        number(&mut input.seats, self.seats);
        number(&mut input.quorum_percent, self.quorum_percent);
        number(&mut input.slot_minutes, self.slot_minutes);
        input.anonymous |= self.anonymous;
        input.none_of_the_above |= self.none_of_the_above;
        input.shuffle_options |= self.shuffle_options;
        input.voters_can_add_options |= self.voters_can_add_options;
        if !input.notify_chosen {
            input.notify_on_open |= self.notify_on_open;
        }
        if input.pass_tests.iter().all(|t| t.option.trim().is_empty()) {
            input.pass_tests = self
                .pass_tests
                .iter()
                .map(|(option, operator, percent, of)| PassTestInput {
                    option: option.clone(),
                    operator: operator.clone(),
                    percent: Some(*percent),
                    of: of.clone(),
                })
                .collect();
        }
        if input.closing_at.is_none() {
            input.closing_at = Some(now.plus(crate::Duration::days(self.days.clamp(1, 365))));
        }
    }
}

words!(
    /// Built-in thread templates (Loomio's): a title to complete, a context skeleton and,
    /// for some, the poll that usually follows.
    ThreadTemplate, "thread template", "Choose a template." {
        DiscussTopic = "discuss_a_topic",
        AdviceProcess = "advice_process",
        ConsentProcess = "consent_process",
        Consensus = "decision_by_consensus",
        ApproveDocument = "approve_a_document",
        PrepareMeeting = "prepare_for_a_meeting",
        FundingDecision = "funding_decision",
        ElectPosition = "elect_a_governance_position",
        BuildPolicy = "build_a_policy",
    }
);

impl ThreadTemplate {
    pub fn label(self) -> &'static str {
        match self {
            Self::DiscussTopic => "Discuss a topic",
            Self::AdviceProcess => "Advice process",
            Self::ConsentProcess => "Consent process",
            Self::Consensus => "Decision by consensus",
            Self::ApproveDocument => "Approve a document",
            Self::PrepareMeeting => "Prepare for a meeting",
            Self::FundingDecision => "Funding decision",
            Self::ElectPosition => "Elect a governance position",
            Self::BuildPolicy => "Build a policy",
        }
    }

    /// The title it suggests (the author completes it).
    pub fn title(self) -> &'static str {
        match self {
            Self::DiscussTopic => "Let's talk about …",
            Self::AdviceProcess => "Advice wanted: …",
            Self::ConsentProcess => "Proposal for consent: …",
            Self::Consensus => "Seeking consensus: …",
            Self::ApproveDocument => "Please approve: …",
            Self::PrepareMeeting => "Agenda for our meeting on …",
            Self::FundingDecision => "Funding request: …",
            Self::ElectPosition => "Election: …",
            Self::BuildPolicy => "Policy draft: …",
        }
    }

    /// The context to fill in, as markdown.
    pub fn context(self) -> &'static str {
        match self {
            Self::DiscussTopic => {
                "## What this is about\n\n\n## What I would like from you\n\n- Your experience\n- Questions\n"
            }
            Self::AdviceProcess => {
                "## The decision I am making\n\n\n## Why it matters\n\n\n## Whose advice I am seeking\n\n\n## When I will decide\n\n"
            }
            Self::ConsentProcess => {
                "## The proposal\n\n\n## Why now\n\n\n## Objections\n\nAn objection says how this would harm us or our aims. Ask questions and share concerns here; the consent poll follows.\n"
            }
            Self::Consensus => {
                "## The proposal\n\n\n## Background\n\n\n## How we decide\n\nWe aim for everyone to be able to live with it. A block says you cannot, and why.\n"
            }
            Self::ApproveDocument => {
                "## The document\n\nLink or paste it here.\n\n## What changed since the last version\n\n\n## What approval means\n\n"
            }
            Self::PrepareMeeting => {
                "## When and where\n\n\n## Agenda\n\n1. \n2. \n3. \n\n## Before the meeting\n\nAdd items or papers below.\n"
            }
            Self::FundingDecision => {
                "## The request\n\nAmount, purpose, who receives it.\n\n## Budget\n\n\n## Alternatives considered\n\n"
            }
            Self::ElectPosition => {
                "## The position\n\nWhat it involves and for how long.\n\n## Candidates\n\nNominate yourself or someone else below.\n\n## How we vote\n\nA ranked-choice poll follows once nominations close.\n"
            }
            Self::BuildPolicy => "## The problem this policy solves\n\n\n## Draft\n\n\n## Open questions\n\n",
        }
    }

    /// The poll that usually follows, raised from the thread with one click.
    pub fn poll(self) -> Option<PollTemplate> {
        match self {
            Self::DiscussTopic | Self::PrepareMeeting | Self::BuildPolicy => None,
            Self::AdviceProcess => Some(PollTemplate::Advice),
            Self::ConsentProcess => Some(PollTemplate::Consent),
            Self::Consensus => Some(PollTemplate::Consensus),
            Self::ApproveDocument | Self::FundingDecision => Some(PollTemplate::Proposal),
            Self::ElectPosition => Some(PollTemplate::RankedChoice),
        }
    }
}
