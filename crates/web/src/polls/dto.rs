//! The poll API's response shapes, from the app's views: results only when the view carries them
//! (hidden results never reach the JSON), voters only when the rule lets the viewer see them.

use serde::Serialize;
use weft_app::polls::{Outcome, PollPage, ReactionTarget, Vote, summarize_poll};
use weft_domain::polls::Choice;

/// An option, in the order this viewer sees them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OptionDto {
    pub id: i64,
    /// A meeting poll's slot is named in the reader's time zone.
    pub name: String,
    pub pass_test: Option<PassTestDto>,
    /// A meeting poll's slot: its start and end (RFC 3339, UTC).
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
}

/// What share an option needs to pass.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PassTestDto {
    /// `at_least` or `at_most`.
    pub operator: &'static str,
    pub percent: i64,
    /// `votes` or `voters`.
    pub of: &'static str,
}

impl PassTestDto {
    fn new(t: &weft_domain::polls::PassTest) -> Self {
        Self {
            operator: t.operator.as_str(),
            percent: t.percent,
            of: t.of.as_str(),
        }
    }
}

/// One option's figures.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResultRowDto {
    pub option_id: i64,
    pub name: String,
    pub voters: u64,
    pub total: i64,
    /// Percent of everyone who voted.
    pub share_of_voters: f64,
    /// Percent of all choices, scores or dots given.
    pub share_of_total: f64,
    pub average: Option<f64>,
    /// Whether the option passes its pass test (none without one).
    pub passed: Option<bool>,
    /// Ranked choice: Borda points and first preferences.
    pub points: Option<i64>,
    pub first_preferences: Option<u64>,
    /// Ranked choice counted in rounds: elected.
    pub elected: bool,
    /// A meeting poll's slot: how many said yes, and if need be.
    pub yes: Option<u64>,
    pub if_need_be: Option<u64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResultsDto {
    pub voters: u64,
    /// Votes with no option chosen ("none of the above").
    pub without_choice: u64,
    pub options: Vec<ResultRowDto>,
    /// Ranked choice counted in rounds (instant runoff, STV): every stage.
    pub count: Option<CountDto>,
    /// A meeting poll: the slot most can make (most yes, then if need be, then the earliest).
    pub best_slot: Option<i64>,
}

/// A count in rounds. Votes are decimal strings with up to five decimals ("6", "5.33333"):
/// exact, as counted.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CountDto {
    /// `instant_runoff` or `stv`.
    pub method: &'static str,
    pub seats: usize,
    pub valid_ballots: u64,
    /// Option ids in the order they were elected.
    pub elected: Vec<i64>,
    pub stages: Vec<StageDto>,
}

/// One stage of a count.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StageDto {
    pub number: usize,
    /// `first_preferences`, `surplus` or `exclusion`.
    pub action: &'static str,
    /// The option whose surplus passed on, or who was excluded.
    pub option: Option<i64>,
    /// How a tie was settled: `none`, `earlier_stage` or `lot`.
    pub tie: &'static str,
    pub quota: String,
    pub tallies: Vec<StageTallyDto>,
    pub exhausted: String,
    pub lost_to_rounding: String,
    pub elected: Vec<i64>,
}

/// An option's line in a stage.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StageTallyDto {
    pub option: i64,
    pub votes: String,
    pub received: String,
    /// `continuing`, `elected` or `excluded`.
    pub standing: &'static str,
}

impl CountDto {
    pub fn new(c: &weft_domain::polls::ranked::RankedCount) -> Self {
        use weft_domain::polls::ranked::{Method, StageAction, Standing, TieBreak};
        let tie_word = |t: TieBreak| match t {
            TieBreak::None => "none",
            TieBreak::EarlierStage(_) => "earlier_stage",
            TieBreak::Lot => "lot",
        };
        Self {
            method: match c.method {
                Method::InstantRunoff => "instant_runoff",
                Method::Stv { .. } => "stv",
            },
            seats: c.seats(),
            valid_ballots: c.valid,
            elected: c.elected.clone(),
            stages: c
                .stages
                .iter()
                .map(|s| {
                    let (action, option, tie) = match s.action {
                        StageAction::FirstPreferences => ("first_preferences", None, "none"),
                        StageAction::Surplus { from, tie, .. } => ("surplus", Some(from), tie_word(tie)),
                        StageAction::Exclusion { option, tie } => ("exclusion", Some(option), tie_word(tie)),
                    };
                    StageDto {
                        number: s.number,
                        action,
                        option,
                        tie,
                        quota: s.quota.to_string(),
                        tallies: s
                            .tallies
                            .iter()
                            .map(|t| StageTallyDto {
                                option: t.option,
                                votes: t.votes.to_string(),
                                received: t.received.to_string(),
                                standing: match t.standing {
                                    Standing::Continuing => "continuing",
                                    Standing::Elected => "elected",
                                    Standing::Excluded => "excluded",
                                },
                            })
                            .collect(),
                        exhausted: s.exhausted.to_string(),
                        lost_to_rounding: s.lost.to_string(),
                        elected: s.elected.iter().map(|(o, _)| *o).collect(),
                    }
                })
                .collect(),
        }
    }
}

/// Whether enough people voted.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuorumDto {
    pub percent: i64,
    /// Who might vote: when the poll closed, or now while it is open.
    pub eligible: u64,
    pub voted: u64,
    /// The fewest votes that reach it.
    pub needed: u64,
    pub reached: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChoiceDto {
    pub option: i64,
    pub value: i64,
}

fn choices(c: &[Choice]) -> Vec<ChoiceDto> {
    c.iter()
        .map(|c| ChoiceDto {
            option: c.option,
            value: c.value,
        })
        .collect()
}

/// A vote as others read it (never in an anonymous poll).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VoteDto {
    /// To react to it (`vote_id`).
    pub id: i64,
    /// `None` for a deactivated or deleted member.
    pub name: Option<String>,
    pub username: Option<String>,
    pub choices: Vec<ChoiceDto>,
    pub reason: String,
    pub created_at: String,
}

impl VoteDto {
    pub fn new(v: &Vote) -> Self {
        Self {
            id: v.id.0,
            name: v.voter_name.clone(),
            username: v.voter_username.clone(),
            choices: choices(&v.choices),
            reason: v.reason.clone(),
            created_at: v.created_at.rfc3339(),
        }
    }
}

/// `GET /polls/{key}/votes`, one page.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VotesDto {
    pub votes: Vec<VoteDto>,
    pub page: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OutcomeDto {
    /// To react to it (`outcome_id`).
    pub id: i64,
    pub statement: String,
    pub option_id: Option<i64>,
    pub review_at: Option<String>,
    pub author: Option<String>,
    pub created_at: String,
}

impl OutcomeDto {
    fn new(o: &Outcome) -> Self {
        Self {
            id: o.id.0,
            statement: o.statement.clone(),
            option_id: o.option_id.map(|id| id.0),
            review_at: o.review_at.map(weft_domain::Timestamp::rfc3339),
            author: o.author_name.clone(),
            created_at: o.created_at.rfc3339(),
        }
    }
}

/// A poll in a list: what it is and where it stands.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListedPollDto {
    pub key: String,
    pub kind: &'static str,
    pub title: String,
    /// `scheduled`, `open` or `closed`.
    pub state: &'static str,
    pub closing_at: String,
    pub voter_count: i64,
}

impl ListedPollDto {
    pub fn new(poll: &weft_app::polls::Poll, state: weft_domain::polls::PollState) -> Self {
        Self {
            key: poll.key.clone(),
            kind: poll.kind.as_str(),
            title: poll.title.clone(),
            state: state.as_str(),
            closing_at: poll.closing_at.rfc3339(),
            voter_count: poll.voter_count,
        }
    }
}

/// `GET /threads/{key}/polls`, `GET /groups/{key}/polls`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PollListDto {
    pub polls: Vec<ListedPollDto>,
}

/// `GET /polls/{key}`: the poll, the viewer's vote, the results when they may see them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[allow(clippy::struct_excessive_bools)]
pub struct PollDto {
    pub key: String,
    /// The thread it lives in; absent for a poll on its own in its group.
    pub thread_key: Option<String>,
    pub group_key: String,
    pub kind: &'static str,
    pub title: String,
    pub details: String,
    pub details_html: String,
    pub author: Option<String>,
    pub state: &'static str,
    pub opening_at: Option<String>,
    pub closing_at: String,
    pub closed_at: Option<String>,
    pub anonymous: bool,
    /// `off`, `until_voted` or `until_closed`.
    pub hide_results: &'static str,
    /// `disabled`, `optional` or `required`.
    pub reason: &'static str,
    pub reason_prompt: String,
    pub min_choices: i64,
    pub max_choices: i64,
    pub none_of_the_above: bool,
    pub dots_per_person: i64,
    pub score_min: i64,
    pub score_max: i64,
    pub target: Option<i64>,
    pub voters_can_add_options: bool,
    /// Ranked choice: `borda`, `instant_runoff` or `stv`, and the seats.
    pub counting: Option<&'static str>,
    pub seats: Option<i64>,
    pub quorum: Option<QuorumDto>,
    /// Meeting polls: the zone the slots were proposed in, and their length in minutes.
    pub time_zone: Option<String>,
    pub slot_minutes: Option<i64>,
    /// The zone this reader's times are named in.
    pub reader_time_zone: String,
    pub voter_count: i64,
    pub options: Vec<OptionDto>,
    /// Absent while the results are hidden from this viewer.
    pub results: Option<ResultsDto>,
    /// The viewer's current vote (never for an anonymous poll: nothing ties it to them).
    pub my_vote: Option<VoteDto>,
    pub voted: bool,
    pub outcome: Option<OutcomeDto>,
    /// Reactions on the poll, on the votes this viewer may see, and on the outcome.
    pub reactions: Vec<PollReactionDto>,
    /// What the viewer may do: vote, add_option, edit, extend, close, reopen, remind,
    /// write_outcome, delete, see_results, see_voters, see_undecided, react.
    pub permissions: Vec<&'static str>,
}

impl PollDto {
    /// The details' HTML must be in the markdown cache already (`markdown_cache::prepare`).
    pub fn new(p: &PollPage) -> Self {
        let v = &p.view;
        let poll = &v.poll;
        Self {
            key: poll.key.clone(),
            thread_key: v.thread.as_ref().map(|t| t.thread.key.clone()),
            group_key: v.group.key.clone(),
            kind: poll.kind.as_str(),
            title: poll.title.clone(),
            details: poll.details.clone(),
            details_html: crate::markdown_cache::to_html(&poll.details).to_string(),
            author: poll.author_name.clone(),
            state: v.state.as_str(),
            opening_at: poll.opening_at.map(weft_domain::Timestamp::rfc3339),
            closing_at: poll.closing_at.rfc3339(),
            closed_at: poll.closed_at.map(weft_domain::Timestamp::rfc3339),
            anonymous: poll.anonymous,
            hide_results: poll.hide_results.as_str(),
            reason: poll.rules.reason.as_str(),
            reason_prompt: poll.reason_prompt.clone(),
            min_choices: poll.rules.min_choices,
            max_choices: poll.rules.max_choices,
            none_of_the_above: poll.rules.none_of_the_above,
            dots_per_person: poll.rules.dots_per_person,
            score_min: poll.rules.score_min,
            score_max: poll.rules.score_max,
            target: poll.target,
            voters_can_add_options: poll.voters_can_add_options,
            counting: (poll.kind == weft_domain::polls::PollKind::RankedChoice).then(|| poll.counting.as_str()),
            seats: (poll.kind == weft_domain::polls::PollKind::RankedChoice).then_some(poll.seats),
            quorum: p.quorum.map(|q| QuorumDto {
                percent: q.percent,
                eligible: q.eligible,
                voted: q.voted,
                needed: q.needed(),
                reached: q.reached(),
            }),
            time_zone: (poll.kind == weft_domain::polls::PollKind::Meeting).then(|| poll.time_zone.clone()),
            slot_minutes: (poll.kind == weft_domain::polls::PollKind::Meeting).then_some(poll.slot_minutes),
            reader_time_zone: v.zone.name().to_owned(),
            voter_count: poll.voter_count,
            options: v
                .options
                .iter()
                .map(|o| OptionDto {
                    id: o.id.0,
                    name: o.name.clone(),
                    pass_test: o.pass_test.as_ref().map(PassTestDto::new),
                    starts_at: o.starts_at.map(weft_domain::Timestamp::rfc3339),
                    ends_at: o
                        .starts_at
                        .map(|s| s.plus(weft_domain::Duration::minutes(poll.slot_minutes)).rfc3339()),
                })
                .collect(),
            results: p.results.as_ref().map(|r| ResultsDto {
                voters: r.tally.voters,
                without_choice: r.tally.without_choice,
                options: r
                    .rows
                    .iter()
                    .map(|row| ResultRowDto {
                        option_id: row.option_id,
                        name: row.name.clone(),
                        voters: row.voters,
                        total: row.total,
                        share_of_voters: (row.share_of_voters * 10.0).round() / 10.0,
                        share_of_total: (row.share_of_total * 10.0).round() / 10.0,
                        average: row.average.map(|a| (a * 100.0).round() / 100.0),
                        passed: row.pass.map(|(_, passed)| passed),
                        points: row.points,
                        first_preferences: row.first_preferences,
                        elected: row.elected,
                        yes: row.answers.map(|(y, _)| y),
                        if_need_be: row.answers.map(|(_, m)| m),
                    })
                    .collect(),
                count: r.ranked.as_ref().and_then(|rr| rr.count.as_ref()).map(CountDto::new),
                best_slot: r.best_slot,
            }),
            my_vote: p.my_vote.as_ref().map(VoteDto::new),
            voted: v.facts.actor_voted,
            outcome: p.outcome.as_ref().map(OutcomeDto::new),
            reactions: reactions_of(p),
            permissions: v.may.names(),
        }
    }
}

/// One kind of reaction on the poll, a vote or the outcome, summed up.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PollReactionDto {
    /// `poll`, `vote` or `outcome`.
    pub on: &'static str,
    /// The vote's or outcome's id; the poll's own reactions have none.
    pub id: Option<i64>,
    pub reaction: &'static str,
    pub emoji: &'static str,
    pub count: usize,
    pub names: Vec<String>,
    pub mine: bool,
}

fn reactions_of(p: &PollPage) -> Vec<PollReactionDto> {
    let mut targets: Vec<ReactionTarget> = vec![ReactionTarget::Poll];
    targets.extend(p.outcome.iter().map(|o| ReactionTarget::Outcome(o.id.0)));
    targets.extend(p.votes.iter().map(|v| ReactionTarget::Vote(v.id.0)));
    targets
        .into_iter()
        .flat_map(|t| {
            let (on, id) = match t {
                ReactionTarget::Poll => ("poll", None),
                ReactionTarget::Vote(id) => ("vote", Some(id)),
                ReactionTarget::Outcome(id) => ("outcome", Some(id)),
            };
            summarize_poll(&p.reactions, t, p.view.viewer)
                .into_iter()
                .map(move |r| PollReactionDto {
                    on,
                    id,
                    reaction: r.reaction.as_str(),
                    emoji: r.reaction.emoji(),
                    count: r.count(),
                    mine: r.mine,
                    names: r.names,
                })
        })
        .collect()
}
