//! `/api/v1/threads/{key}/polls`, `/api/v1/groups/{key}/polls` and `/api/v1/polls/{key}…`: the
//! same use cases as the pages.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use weft_app::AppError;
use weft_app::polls::write::OutcomeInput;
use weft_app::polls::{PollInput, ReactionTarget, VoteInput};
use weft_domain::Timestamp;
use weft_domain::permissions::{Action, ThreadAction};
use weft_domain::polls::Choice;

use super::dto::{ListedPollDto, PollDto, PollListDto, VoteDto, VotesDto};
use crate::AppState;
use crate::auth::{MaybeUser, RequireUser};
use crate::error::ApiError;

/// Raising a poll. Times are RFC 3339 (`2026-12-09T18:00:00Z`).
#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
#[allow(clippy::struct_excessive_bools)]
pub struct PollBody {
    /// `proposal`, `consent`, `consensus` or `sense_check`: fills kind, options and prompt.
    template: String,
    /// `proposal`, `check`, `poll`, `count`, `score`, `dot_vote`, `question` or `ranked_choice`.
    kind: String,
    title: String,
    details: String,
    options: Vec<String>,
    closing_at: String,
    opening_at: Option<String>,
    anonymous: bool,
    hide_results: String,
    reason: String,
    reason_prompt: String,
    min_choices: Option<i64>,
    max_choices: Option<i64>,
    none_of_the_above: bool,
    shuffle_options: bool,
    voters_can_add_options: bool,
    dots_per_person: Option<i64>,
    score_min: Option<i64>,
    score_max: Option<i64>,
    target: Option<i64>,
    /// Who is emailed 24 hours before closing: `nobody`, `author`, `undecided` (the default) or `voters`.
    closing_soon: String,
    /// Email everyone who may vote when the poll opens (now, or at `opening_at`), as the group's
    /// `members_can_announce` allows.
    notify_on_open: bool,
    /// Without `notify_on_open`: email these people (usernames, each one who may vote) when it
    /// opens…
    notify_people: Vec<String>,
    /// …and the voters among the members of these subgroups (their keys; as
    /// `members_can_announce` allows).
    notify_subgroups: Vec<String>,
    /// `members` (the default: everyone in the group, and the thread's guests) or `specified`.
    electorate: String,
    /// With `specified`: usernames (`ada` or `@ada`) of people taking part, and email addresses;
    /// an address of someone from outside gets an invitation to vote as a guest.
    voters: Vec<String>,
    /// Ranked choice: `borda` (the default), `instant_runoff` or `stv`; `min_choices` is the
    /// fewest ranks a ballot gives.
    counting: String,
    /// STV: how many options win (2 unless told).
    seats: Option<i64>,
    /// A share (1–100) of the people who may vote who must vote for the result to stand.
    quorum_percent: Option<i64>,
    /// What share an option needs to pass.
    pass_tests: Vec<PassTestBody>,
    /// Meeting polls (`kind: meeting`): `options` are start times as typed in this zone
    /// ("2026-12-10 14:00"), an IANA name (UTC when empty); each slot lasts `slot_minutes` (60).
    time_zone: String,
    slot_minutes: Option<i64>,
}

/// An option's pass test: `option` by name, `operator` `at_least` (the default) or `at_most`,
/// `percent` 0–100, of the `votes` (the default) or the `voters`.
#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct PassTestBody {
    option: String,
    operator: String,
    percent: Option<i64>,
    of: String,
}

/// A time the body gave, or a field error naming it.
fn time(field: &str, value: &str) -> Result<Option<Timestamp>, ApiError> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    Timestamp::parse_rfc3339(value).map(Some).ok_or_else(|| {
        ApiError::from(AppError::field(
            field,
            "Give a time as RFC 3339, e.g. 2026-12-09T18:00:00Z.",
        ))
    })
}

impl PollBody {
    fn input(&self) -> Result<PollInput, ApiError> {
        Ok(PollInput {
            template: self.template.clone(),
            kind: self.kind.clone(),
            title: self.title.clone(),
            details: self.details.clone(),
            options: self.options.clone(),
            closing_at: time("closing_at", &self.closing_at)?,
            opening_at: time("opening_at", self.opening_at.as_deref().unwrap_or(""))?,
            anonymous: self.anonymous,
            hide_results: self.hide_results.clone(),
            reason: self.reason.clone(),
            reason_prompt: self.reason_prompt.clone(),
            min_choices: self.min_choices,
            max_choices: self.max_choices,
            none_of_the_above: self.none_of_the_above,
            shuffle_options: self.shuffle_options,
            voters_can_add_options: self.voters_can_add_options,
            dots_per_person: self.dots_per_person,
            score_min: self.score_min,
            score_max: self.score_max,
            target: self.target,
            electorate: self.electorate.clone(),
            voters: self.voters.join("\n"),
            closing_soon: self.closing_soon.clone(),
            notify_on_open: self.notify_on_open,
            notify_people: self.notify_people.clone(),
            notify_subgroups: self.notify_subgroups.clone(),
            notify_chosen: self.notify_on_open || !self.notify_people.is_empty() || !self.notify_subgroups.is_empty(),
            time_zone: self.time_zone.clone(),
            slot_minutes: self.slot_minutes,
            counting: self.counting.clone(),
            seats: self.seats,
            quorum_percent: self.quorum_percent,
            pass_tests: self
                .pass_tests
                .iter()
                .map(|t| weft_domain::polls::input::PassTestInput {
                    option: t.option.clone(),
                    operator: t.operator.clone(),
                    percent: t.percent,
                    of: t.of.clone(),
                })
                .collect(),
        })
    }
}

async fn poll_json(
    state: &AppState,
    who: Option<&weft_app::SessionUser>,
    key: &str,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let page = state.app.poll_page(who, key, 0).await?;
    crate::markdown_cache::prepare([page.view.poll.details.as_str()]).await;
    Ok((status, Json(PollDto::new(&page))).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let thread = state.app.thread_for(who.as_ref(), &key, ThreadAction::See).await?;
    let polls = state.app.thread_polls(who.as_ref(), &thread).await?;
    Ok(Json(PollListDto {
        polls: polls.iter().map(|v| ListedPollDto::new(&v.poll, v.state)).collect(),
    })
    .into_response())
}

pub async fn create(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<PollBody>,
) -> Result<Response, ApiError> {
    let poll = state.app.raise_poll(&who, &key, &body.input()?).await?;
    poll_json(&state, Some(&who), &poll, StatusCode::CREATED).await
}

/// A group's polls that stand on their own (open first).
pub async fn group_list(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let group = state.app.group_for(who.as_ref(), &key, Action::SeeContent).await?;
    let polls = state.app.group_polls(who.as_ref(), &group).await?;
    Ok(Json(PollListDto {
        polls: polls.iter().map(|l| ListedPollDto::new(&l.poll, l.state)).collect(),
    })
    .into_response())
}

/// Raises a poll on its own in a group.
pub async fn group_create(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<PollBody>,
) -> Result<Response, ApiError> {
    let poll = state.app.raise_group_poll(&who, &key, &body.input()?).await?;
    poll_json(&state, Some(&who), &poll, StatusCode::CREATED).await
}

/// Changes the poll before its first vote (kind and anonymity stay).
pub async fn update(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<PollBody>,
) -> Result<Response, ApiError> {
    state.app.edit_poll(&who, &key, &body.input()?).await?;
    poll_json(&state, Some(&who), &key, StatusCode::OK).await
}

pub async fn show(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    poll_json(&state, who.as_ref(), &key, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: i64,
}

/// Current votes with reasons; 403 while the viewer may not see who voted what.
pub async fn votes(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let page = state.app.poll_page(who.as_ref(), &key, q.page).await?;
    if !page.view.may.see_voters {
        return Err(AppError::Forbidden.into());
    }
    Ok(Json(VotesDto {
        votes: page.votes.iter().map(VoteDto::new).collect(),
        page: page.votes_page,
    })
    .into_response())
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct ChoiceBody {
    option: i64,
    /// 1 for a choice; the score; the dots given.
    value: Option<i64>,
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct VoteBody {
    choices: Vec<ChoiceBody>,
    reason: String,
}

pub async fn vote(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<VoteBody>,
) -> Result<Response, ApiError> {
    let input = VoteInput {
        choices: body
            .choices
            .iter()
            .map(|c| Choice {
                option: c.option,
                value: c.value.unwrap_or(1),
            })
            .collect(),
        reason: body.reason.clone(),
    };
    state.app.cast_vote(&who, &key, &input).await?;
    poll_json(&state, Some(&who), &key, StatusCode::OK).await
}

pub async fn withdraw(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    state.app.withdraw_vote(&who, &key).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct OptionBody {
    name: String,
}

pub async fn add_option(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<OptionBody>,
) -> Result<Response, ApiError> {
    state.app.add_poll_option(&who, &key, &body.name).await?;
    poll_json(&state, Some(&who), &key, StatusCode::CREATED).await
}

/// `{"emailed": n}`: how many undecided voters were reminded.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RemindedDto {
    emailed: usize,
}

pub async fn remind(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let emailed = state.app.remind_undecided(&who, &key).await?;
    Ok(Json(RemindedDto { emailed }).into_response())
}

pub async fn close(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    state.app.close_poll(&who, &key).await?;
    poll_json(&state, Some(&who), &key, StatusCode::OK).await
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct ClosingBody {
    /// RFC 3339.
    closing_at: String,
}

pub async fn reopen(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<ClosingBody>,
) -> Result<Response, ApiError> {
    let at = time("closing_at", &body.closing_at)?;
    state.app.reopen_poll(&who, &key, at).await?;
    poll_json(&state, Some(&who), &key, StatusCode::OK).await
}

pub async fn extend(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<ClosingBody>,
) -> Result<Response, ApiError> {
    let at = time("closing_at", &body.closing_at)?;
    state.app.extend_poll(&who, &key, at).await?;
    poll_json(&state, Some(&who), &key, StatusCode::OK).await
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct OutcomeBody {
    statement: String,
    option: Option<i64>,
    /// RFC 3339.
    review_at: Option<String>,
}

pub async fn outcome(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<OutcomeBody>,
) -> Result<Response, ApiError> {
    let input = OutcomeInput {
        statement: body.statement.clone(),
        option: body.option,
        review_at: time("review_at", body.review_at.as_deref().unwrap_or(""))?,
    };
    state.app.write_outcome(&who, &key, &input).await?;
    poll_json(&state, Some(&who), &key, StatusCode::OK).await
}

pub async fn delete(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    state.app.delete_poll(&who, &key).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct PollReactionBody {
    /// `thumbs_up`, `heart`, `tada`, `smile`, `thinking`, `eyes`, `pray` or `sad`.
    reaction: String,
    /// React to this vote (an id from the poll's votes) rather than to the poll.
    vote_id: Option<i64>,
    /// React to the outcome (its id) rather than to the poll.
    outcome_id: Option<i64>,
}

/// Adds or takes back a reaction on the poll, one of its votes, or its outcome.
pub async fn react(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
    Json(body): Json<PollReactionBody>,
) -> Result<Response, ApiError> {
    let target = match (body.vote_id, body.outcome_id) {
        (Some(v), _) => ReactionTarget::Vote(v),
        (None, Some(o)) => ReactionTarget::Outcome(o),
        (None, None) => ReactionTarget::Poll,
    };
    let on = state.app.react_in_poll(&who, &key, target, &body.reaction).await?;
    Ok(Json(serde_json::json!({ "reacted": on })).into_response())
}
