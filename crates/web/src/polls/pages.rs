//! `/t/{key}/polls/new`, `/g/{key}/polls/new` and `/p/{key}…`: raising a poll in a thread or on
//! its own in a group, the poll page (vote form,
//! results with charts, voters with reasons, the steward's controls, the outcome) and its forms.
//! Every form works without JavaScript.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use weft_app::AppError;
use weft_app::polls::write::OutcomeInput;
use weft_app::polls::{PollInput, PollPage, PollPlaceKey, ReactionTarget, VoteInput, summarize_poll};
use weft_app::threads::ReactionSummary;
use weft_domain::permissions::Action;
use weft_domain::polls::{Choice, PollKind};
use weft_domain::threads::Reaction;
use weft_domain::{Timestamp, ValidationErrors};

use super::chart;
use crate::AppState;
use crate::auth::{MaybeUser, RequireUser};
use crate::error::WebError;
use crate::markdown_cache::{prepare, to_html};
use crate::shell::Notice;
use crate::shell::{PageCtx, render};

// ---- raising ----

/// The poll form's fields as typed (checkboxes are present or absent).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PollForm {
    template: String,
    kind: String,
    title: String,
    details: String,
    /// One option per line.
    options: String,
    closing_at: String,
    /// Empty: open at once.
    opening_at: String,
    /// Minutes east of UTC, set by the page's script from the browser; UTC without it.
    utc_offset: Option<i32>,
    anonymous: Option<String>,
    hide_results: String,
    reason: String,
    reason_prompt: String,
    min_choices: String,
    max_choices: String,
    none_of_the_above: Option<String>,
    shuffle_options: Option<String>,
    voters_can_add_options: Option<String>,
    dots_per_person: String,
    score_min: String,
    score_max: String,
    target: String,
    closing_soon: String,
    /// Whom to email when it opens: `voters` (everyone who may vote), `chosen` (`notify_people`
    /// and `notify_subgroups`) or `nobody`.
    notify: String,
    notify_people: String,
    /// Ticked subgroups, by key (the field repeats: read by `from_fields`).
    #[serde(skip)]
    notify_subgroups: Vec<String>,
    /// `members` (everyone who takes part) or `specified` (only `voters`).
    electorate: String,
    /// Usernames and email addresses, with `electorate: specified`.
    voters: String,
    /// Ranked choice: `borda`, `instant_runoff` or `stv`, and the seats of an STV count.
    counting: String,
    seats: String,
    quorum_percent: String,
    /// Up to three pass tests: the option's name, `at_least`/`at_most`, a percent, `votes`/`voters`.
    pass_option_1: String,
    pass_operator_1: String,
    pass_percent_1: String,
    pass_of_1: String,
    pass_option_2: String,
    pass_operator_2: String,
    pass_percent_2: String,
    pass_of_2: String,
    pass_option_3: String,
    pass_operator_3: String,
    pass_percent_3: String,
    pass_of_3: String,
    /// Meeting polls: the zone the times are typed in, and each slot's length in minutes.
    time_zone: String,
    slot_minutes: String,
}

/// One pass-test row of the form, as typed.
pub struct PassRow<'a> {
    pub n: usize,
    pub option: &'a str,
    pub operator: &'a str,
    pub percent: &'a str,
    pub of: &'a str,
}

fn number(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

fn unreadable() -> AppError {
    AppError::field("title", "The form could not be read: reload the page and try again.")
}

impl PollForm {
    /// The form from its fields, the repeated `notify_subgroups` kept.
    fn from_fields(fields: Vec<(String, String)>) -> Result<Self, WebError> {
        let (ticked, rest): (Vec<_>, Vec<_>) = fields.into_iter().partition(|(k, _)| k == "notify_subgroups");
        let encoded = serde_urlencoded::to_string(&rest).map_err(|_| unreadable())?;
        let mut form: Self = serde_urlencoded::from_str(&encoded).map_err(|_| unreadable())?;
        form.notify_subgroups = ticked.into_iter().map(|(_, v)| v).collect();
        Ok(form)
    }

    /// Whether the subgroup `key` is ticked.
    pub fn ticked(&self, key: &str) -> bool {
        self.notify_subgroups.iter().any(|k| k == key)
    }

    fn input(&self) -> PollInput {
        PollInput {
            template: self.template.clone(),
            kind: self.kind.clone(),
            title: self.title.clone(),
            details: self.details.clone(),
            options: self.options.lines().map(str::to_owned).collect(),
            closing_at: Timestamp::parse_local(&self.closing_at, self.utc_offset.unwrap_or(0)),
            opening_at: Timestamp::parse_local(&self.opening_at, self.utc_offset.unwrap_or(0)),
            anonymous: self.anonymous.is_some(),
            hide_results: self.hide_results.clone(),
            reason: self.reason.clone(),
            reason_prompt: self.reason_prompt.clone(),
            min_choices: number(&self.min_choices),
            max_choices: number(&self.max_choices),
            none_of_the_above: self.none_of_the_above.is_some(),
            shuffle_options: self.shuffle_options.is_some(),
            voters_can_add_options: self.voters_can_add_options.is_some(),
            dots_per_person: number(&self.dots_per_person),
            score_min: number(&self.score_min),
            score_max: number(&self.score_max),
            target: number(&self.target),
            electorate: self.electorate.clone(),
            voters: self.voters.clone(),
            closing_soon: self.closing_soon.clone(),
            notify_on_open: self.notify == "voters",
            notify_people: if self.notify == "chosen" {
                vec![self.notify_people.clone()]
            } else {
                Vec::new()
            },
            notify_subgroups: if self.notify == "chosen" {
                self.notify_subgroups.clone()
            } else {
                Vec::new()
            },
            notify_chosen: !self.notify.is_empty(),
            time_zone: self.time_zone.clone(),
            slot_minutes: number(&self.slot_minutes),
            counting: self.counting.clone(),
            seats: number(&self.seats),
            quorum_percent: number(&self.quorum_percent),
            pass_tests: self
                .pass_rows()
                .iter()
                .map(|r| weft_domain::polls::input::PassTestInput {
                    option: r.option.to_owned(),
                    operator: r.operator.to_owned(),
                    // A percent that is not a number is refused as missing.
                    percent: number(r.percent),
                    of: r.of.to_owned(),
                })
                .collect(),
        }
    }

    pub fn pass_rows(&self) -> [PassRow<'_>; 3] {
        [
            PassRow {
                n: 1,
                option: &self.pass_option_1,
                operator: &self.pass_operator_1,
                percent: &self.pass_percent_1,
                of: &self.pass_of_1,
            },
            PassRow {
                n: 2,
                option: &self.pass_option_2,
                operator: &self.pass_operator_2,
                percent: &self.pass_percent_2,
                of: &self.pass_of_2,
            },
            PassRow {
                n: 3,
                option: &self.pass_option_3,
                operator: &self.pass_operator_3,
                percent: &self.pass_percent_3,
                of: &self.pass_of_3,
            },
        ]
    }
}

/// Whom the form offers to notify when the poll opens.
#[derive(Default)]
struct NotifyChoices {
    /// Asked at all: raising, or changing a poll that has not opened yet.
    ask: bool,
    /// Everyone who may vote, and subgroups, are offered (`members_can_announce`).
    may_announce: bool,
    subgroups: Vec<weft_app::threads::SubgroupChoice>,
}

/// Where the choices are read: a group the handler loaded already, or one to load by key.
enum ChoicesIn<'a> {
    Loaded(&'a weft_app::groups::GroupView),
    Key(&'a str),
}

/// The choices `who` has in the group; the form's answer defaults to everyone who may vote
/// where they may announce, nobody otherwise.
async fn notify_choices(
    state: &AppState,
    who: &weft_app::SessionUser,
    group: ChoicesIn<'_>,
    form: &mut PollForm,
) -> Result<NotifyChoices, WebError> {
    let (may_announce, subgroups) = match group {
        ChoicesIn::Loaded(view) => state.app.announce_choices_in(who, view).await?,
        ChoicesIn::Key(key) => state.app.announce_choices(who, key).await?,
    };
    if form.notify.is_empty() {
        form.notify = if may_announce { "voters" } else { "nobody" }.into();
    }
    Ok(NotifyChoices {
        ask: true,
        may_announce,
        subgroups,
    })
}

#[derive(Template)]
#[template(path = "polls/new.html")]
struct NewPollPage {
    ctx: PageCtx,
    notify: NotifyChoices,
    /// Where the poll lives (its thread, or its group): the breadcrumb.
    back_href: String,
    back_title: String,
    heading: &'static str,
    action: String,
    button: &'static str,
    /// Changing an existing poll: its kind and anonymity stay.
    editing: Option<PollKind>,
    form: PollForm,
    errors: ValidationErrors,
    /// The group's templates, shown ones in its order.
    templates: Vec<weft_app::polls::TemplateEntry>,
    kinds: &'static [PollKind],
    /// Every time zone, for a meeting poll's chooser.
    zones: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    template: String,
}

/// Where a poll is raised: in a thread, or on its own in a group.
#[derive(Clone, Copy)]
enum Place<'a> {
    Thread(&'a str),
    Group(&'a str),
}

impl Place<'_> {
    fn href(self) -> String {
        match self {
            Self::Thread(k) => format!("/t/{k}"),
            Self::Group(k) => format!("/g/{k}"),
        }
    }
}

fn new_page(
    ctx: PageCtx,
    place: Place<'_>,
    title: &str,
    (form, templates): (PollForm, Vec<weft_app::polls::TemplateEntry>),
    errors: ValidationErrors,
    notify: NotifyChoices,
) -> NewPollPage {
    NewPollPage {
        ctx,
        back_href: place.href(),
        back_title: title.to_owned(),
        heading: "Raise a proposal or poll",
        action: format!("{}/polls/new", place.href()),
        button: "Raise",
        editing: None,
        form,
        errors,
        templates,
        kinds: PollKind::ALL,
        zones: weft_domain::polls::meeting::Zone::all(),
        notify,
    }
}

/// The form's starting values: the chosen template (a group's own filling every field it
/// keeps), closing after the template's default duration.
async fn blank_form(
    state: &AppState,
    group_id: weft_app::groups::GroupId,
    template: String,
) -> Result<(PollForm, Vec<weft_app::polls::TemplateEntry>), WebError> {
    use weft_domain::polls::templates::TemplateRef;
    let templates = state.app.poll_templates_in(group_id).await?;
    let chosen = TemplateRef::parse(&template).ok().flatten().or_else(|| {
        templates
            .first()
            .and_then(|t| TemplateRef::parse(&t.value).ok().flatten())
    });
    let now = state.app.clock.now();
    let mut form = PollForm {
        template: chosen.as_ref().map(TemplateRef::as_value).unwrap_or_default(),
        closing_at: now.plus(weft_domain::Duration::days(7)).local_input_utc(),
        reason: "optional".into(),
        hide_results: "off".into(),
        closing_soon: "undecided".into(),
        electorate: "members".into(),
        ..PollForm::default()
    };
    match chosen {
        Some(TemplateRef::Builtin(t)) => {
            form.closing_at = now
                .plus(weft_domain::Duration::days(t.default_days()))
                .local_input_utc();
        }
        Some(TemplateRef::Saved(key)) => {
            let s = state.app.saved_template_in(group_id, &key).await?;
            form.kind.clone_from(&s.kind);
            form.details.clone_from(&s.details);
            form.options = s.options.join("\n");
            form.closing_at = now
                .plus(weft_domain::Duration::days(s.days.clamp(1, 365)))
                .local_input_utc();
            form.anonymous = s.anonymous.then(|| "1".into());
            form.hide_results.clone_from(&s.hide_results);
            form.reason.clone_from(&s.reason);
            form.reason_prompt.clone_from(&s.reason_prompt);
            let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
            form.min_choices = n(s.min_choices);
            form.max_choices = n(s.max_choices);
            form.none_of_the_above = s.none_of_the_above.then(|| "1".into());
            form.shuffle_options = s.shuffle_options.then(|| "1".into());
            form.voters_can_add_options = s.voters_can_add_options.then(|| "1".into());
            form.dots_per_person = n(s.dots_per_person);
            form.score_min = n(s.score_min);
            form.score_max = n(s.score_max);
            form.target = n(s.target);
            form.closing_soon.clone_from(&s.closing_soon);
            form.notify = if s.notify_on_open { "voters" } else { "nobody" }.into();
            form.counting.clone_from(&s.counting);
            form.seats = n(s.seats);
            form.quorum_percent = n(s.quorum_percent);
            form.time_zone.clone_from(&s.time_zone);
            form.slot_minutes = n(s.slot_minutes);
            let rows = [
                (
                    &mut form.pass_option_1,
                    &mut form.pass_operator_1,
                    &mut form.pass_percent_1,
                    &mut form.pass_of_1,
                ),
                (
                    &mut form.pass_option_2,
                    &mut form.pass_operator_2,
                    &mut form.pass_percent_2,
                    &mut form.pass_of_2,
                ),
                (
                    &mut form.pass_option_3,
                    &mut form.pass_operator_3,
                    &mut form.pass_percent_3,
                    &mut form.pass_of_3,
                ),
            ];
            for ((option, operator, percent, of), t) in rows.into_iter().zip(&s.pass_tests) {
                option.clone_from(&t.0);
                operator.clone_from(&t.1);
                *percent = t.2.to_string();
                of.clone_from(&t.3);
            }
        }
        None => {}
    }
    Ok((form, templates))
}

pub async fn new_form(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    let page = state.app.thread_page(Some(&who), &key, Some(1)).await?;
    if !page.may.raise_poll {
        return Err(AppError::Forbidden.into());
    }
    let (mut form, templates) = blank_form(&state, page.view.group.id, q.template).await?;
    let notify = notify_choices(&state, &who, ChoicesIn::Key(&page.view.group.key), &mut form).await?;
    let page = new_page(
        ctx,
        Place::Thread(&key),
        &page.view.thread.title,
        (form, templates),
        ValidationErrors::new(),
        notify,
    );
    Ok(render(StatusCode::OK, &page))
}

pub async fn create(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let mut form = PollForm::from_fields(fields)?;
    match state.app.raise_poll(&who, &key, &form.input()).await {
        Ok(poll) => Ok(Redirect::to(&Notice::PollRaised.on(&format!("/p/{poll}"))).into_response()),
        Err(AppError::Invalid(errors)) => {
            let view = state
                .app
                .thread_for(Some(&who), &key, weft_domain::permissions::ThreadAction::See)
                .await?;
            let templates = state.app.poll_templates_in(view.group.id).await?;
            let notify = notify_choices(&state, &who, ChoicesIn::Key(&view.group.key), &mut form).await?;
            let page = new_page(
                ctx,
                Place::Thread(&key),
                &view.thread.title,
                (form, templates),
                errors,
                notify,
            );
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// `/g/{key}/polls/new`: a poll on its own in the group.
pub async fn group_new_form(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    let group = state.app.group_for(Some(&who), &key, Action::SeeContent).await?;
    if !weft_app::polls::may_raise_in_group(&group) {
        return Err(AppError::Forbidden.into());
    }
    let (mut form, templates) = blank_form(&state, group.group.id, q.template).await?;
    let notify = notify_choices(&state, &who, ChoicesIn::Loaded(&group), &mut form).await?;
    let page = new_page(
        ctx,
        Place::Group(&key),
        &group.group.name,
        (form, templates),
        ValidationErrors::new(),
        notify,
    );
    Ok(render(StatusCode::OK, &page))
}

pub async fn group_create(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let mut form = PollForm::from_fields(fields)?;
    match state.app.raise_group_poll(&who, &key, &form.input()).await {
        Ok(poll) => Ok(Redirect::to(&Notice::PollRaised.on(&format!("/p/{poll}"))).into_response()),
        Err(AppError::Invalid(errors)) => {
            let group = state.app.group_for(Some(&who), &key, Action::SeeContent).await?;
            let templates = state.app.poll_templates_in(group.group.id).await?;
            let notify = notify_choices(&state, &who, ChoicesIn::Loaded(&group), &mut form).await?;
            let page = new_page(
                ctx,
                Place::Group(&key),
                &group.group.name,
                (form, templates),
                errors,
                notify,
            );
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- changing before the first vote ----

fn edit_page(
    ctx: PageCtx,
    p: &PollPage,
    (form, notify): (PollForm, NotifyChoices),
    errors: ValidationErrors,
) -> NewPollPage {
    let (place, title) = match &p.view.thread {
        Some(t) => (Place::Thread(&t.thread.key), &t.thread.title),
        None => (Place::Group(&p.view.group.key), &p.view.group.name),
    };
    NewPollPage {
        heading: "Change the poll",
        action: format!("/p/{}/edit", p.view.poll.key),
        button: "Save changes",
        editing: Some(p.view.poll.kind),
        ..new_page(ctx, place, title, (form, Vec::new()), errors, notify)
    }
}

/// Whom to notify is asked while the poll has not opened (once open, its voters were told);
/// `as_stands` fills the answer from the poll (everyone, or the people and subgroups chosen).
async fn edit_notify(
    state: &AppState,
    who: &weft_app::SessionUser,
    p: &PollPage,
    form: &mut PollForm,
    as_stands: bool,
) -> Result<NotifyChoices, WebError> {
    if p.view.state != weft_domain::polls::PollState::Scheduled {
        return Ok(NotifyChoices::default());
    }
    if as_stands {
        let (people, subgroups) = state.app.poll_announced(&p.view).await?;
        form.notify = if p.view.poll.notify_on_open {
            "voters"
        } else if people.is_empty() && subgroups.is_empty() {
            "nobody"
        } else {
            "chosen"
        }
        .into();
        form.notify_people = people.iter().map(|n| format!("@{n}")).collect::<Vec<_>>().join(" ");
        form.notify_subgroups = subgroups;
    }
    notify_choices(state, who, ChoicesIn::Key(&p.view.group.key), form).await
}

/// The form as the poll stands.
fn form_of(p: &PollPage) -> PollForm {
    let poll = &p.view.poll;
    let mut options: Vec<_> = p.view.options.clone();
    options.sort_by_key(|o| o.position);
    PollForm {
        kind: poll.kind.as_str().into(),
        title: poll.title.clone(),
        details: poll.details.clone(),
        // A meeting poll's times as typed, in its own zone (the view names them in the reader's).
        options: options
            .iter()
            .map(|o| match o.starts_at {
                Some(start) => weft_domain::polls::meeting::Zone::or_utc(&poll.time_zone).input(start),
                None => o.name.clone(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        time_zone: poll.time_zone.clone(),
        slot_minutes: poll.slot_minutes.to_string(),
        closing_at: poll.closing_at.local_input_utc(),
        opening_at: poll.opening_at.map(Timestamp::local_input_utc).unwrap_or_default(),
        hide_results: poll.hide_results.as_str().into(),
        reason: poll.rules.reason.as_str().into(),
        reason_prompt: poll.reason_prompt.clone(),
        min_choices: poll.rules.min_choices.to_string(),
        max_choices: poll.rules.max_choices.to_string(),
        none_of_the_above: poll.rules.none_of_the_above.then(|| "1".into()),
        shuffle_options: poll.shuffle_options.then(|| "1".into()),
        voters_can_add_options: poll.voters_can_add_options.then(|| "1".into()),
        dots_per_person: poll.rules.dots_per_person.to_string(),
        score_min: poll.rules.score_min.to_string(),
        score_max: poll.rules.score_max.to_string(),
        target: poll.target.map(|t| t.to_string()).unwrap_or_default(),
        closing_soon: poll.closing_soon.as_str().into(),
        counting: poll.counting.as_str().into(),
        seats: poll.seats.to_string(),
        quorum_percent: poll.quorum_percent.map(|q| q.to_string()).unwrap_or_default(),
        ..with_pass_tests(PollForm::default(), &options)
    }
}

/// The form's pass-test rows from the options that have one (at most three are shown).
fn with_pass_tests(mut form: PollForm, options: &[weft_app::polls::PollOption]) -> PollForm {
    let mut tests = options.iter().filter_map(|o| o.pass_test.map(|t| (o.name.clone(), t)));
    let mut fill = |option: &mut String, operator: &mut String, percent: &mut String, of: &mut String| {
        if let Some((name, t)) = tests.next() {
            *option = name;
            *operator = t.operator.as_str().into();
            *percent = t.percent.to_string();
            *of = t.of.as_str().into();
        }
    };
    fill(
        &mut form.pass_option_1,
        &mut form.pass_operator_1,
        &mut form.pass_percent_1,
        &mut form.pass_of_1,
    );
    fill(
        &mut form.pass_option_2,
        &mut form.pass_operator_2,
        &mut form.pass_percent_2,
        &mut form.pass_of_2,
    );
    fill(
        &mut form.pass_option_3,
        &mut form.pass_operator_3,
        &mut form.pass_percent_3,
        &mut form.pass_of_3,
    );
    form
}

pub async fn edit_form(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let p = state.app.poll_page(Some(&who), &key, 0).await?;
    if !p.view.may.edit {
        return Err(AppError::Forbidden.into());
    }
    let mut form = form_of(&p);
    let notify = edit_notify(&state, &who, &p, &mut form, true).await?;
    Ok(render(
        StatusCode::OK,
        &edit_page(ctx, &p, (form, notify), ValidationErrors::new()),
    ))
}

pub async fn edit(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let mut form = PollForm::from_fields(fields)?;
    match state.app.edit_poll(&who, &key, &form.input()).await {
        Ok(()) => Ok(Redirect::to(&Notice::PollSaved.on(&format!("/p/{key}"))).into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = state.app.poll_page(Some(&who), &key, 0).await?;
            let notify = edit_notify(&state, &who, &p, &mut form, false).await?;
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &edit_page(ctx, &p, (form, notify), errors),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- the poll page ----

/// A vote as the page lists it.
pub struct VoteLine {
    pub id: i64,
    /// Option id → value, for a meeting poll's grid.
    pub values: Vec<(i64, i64)>,
    pub reactions: Vec<ReactionSummary>,
    pub name: String,
    pub choices: String,
    pub reason_html: std::sync::Arc<str>,
    pub at: String,
}

#[derive(Template)]
#[template(path = "polls/page.html")]
struct PollTemplate {
    ctx: PageCtx,
    p: PollPage,
    volumes: &'static [weft_domain::notifications::Volume],
    details_html: std::sync::Arc<str>,
    outcome_html: Option<std::sync::Arc<str>>,
    chart_svg: String,
    chart_text: String,
    votes: Vec<VoteLine>,
    /// The vote form's current values: option id → value, and the reason.
    chosen: Vec<(i64, i64)>,
    reason: String,
    errors: ValidationErrors,
    single_choice: bool,
    next_page: Option<i64>,
    closing_input: String,
    /// Undecided people beyond the listed ones.
    undecided_more: i64,
    poll_reactions: Vec<ReactionSummary>,
    outcome_reactions: Vec<ReactionSummary>,
    /// The reactions the viewer may add (all of them, or none).
    offer: &'static [Reaction],
    /// A ranked-choice count in rounds, as a table and a chart.
    rounds: Option<RoundsTable>,
    /// For the ranked vote form: 1..=options.
    ranks: Vec<i64>,
    has_pass_tests: bool,
}

/// Every stage of a count as the page's table reads it.
pub struct RoundsTable {
    pub method: &'static str,
    pub seats: usize,
    pub valid: u64,
    pub quota: String,
    /// One per stage: what it did, in words.
    pub stages: Vec<String>,
    /// One per option: its name, and per stage its votes, what it received, and a word.
    pub rows: Vec<(String, Vec<StageCell>)>,
    pub exhausted: Vec<String>,
    pub lost: Vec<String>,
    pub elected: Vec<String>,
    pub chart_svg: String,
}

/// An option at one stage: its votes, what it received ("+4"), and "elected" / "out" / "".
pub type StageCell = (String, String, &'static str);

pub(super) fn rounds_table(p: &PollPage) -> Option<RoundsTable> {
    use weft_domain::polls::ranked::{Elected, Method, StageAction, Standing, TieBreak};
    let results = p.results.as_ref()?;
    let count = results.ranked.as_ref()?.count.as_ref()?;
    let name = |id: i64| p.view.option_name(id).unwrap_or("an option").to_owned();
    let tie = |t: TieBreak| match t {
        TieBreak::None => String::new(),
        TieBreak::EarlierStage(n) => format!(" (a tie, settled by the tallies at stage {n})"),
        TieBreak::Lot => " (a tie at every stage, settled by the poll's lot)".to_owned(),
    };
    let stages: Vec<String> = count
        .stages
        .iter()
        .map(|s| {
            let did = match s.action {
                StageAction::FirstPreferences => "First preferences".to_owned(),
                StageAction::Surplus { from, surplus, tie: t } => {
                    format!("{}'s surplus of {surplus} passed on{}", name(from), tie(t))
                }
                StageAction::Exclusion { option, tie: t } => {
                    format!("{} excluded, with the fewest votes{}", name(option), tie(t))
                }
            };
            let elected: Vec<String> = s
                .elected
                .iter()
                .map(|(o, why)| match why {
                    Elected::Quota => format!("{} elected with the quota", name(*o)),
                    Elected::LastRemaining => format!("{} elected as seats are left for all who remain", name(*o)),
                })
                .collect();
            if elected.is_empty() {
                did
            } else {
                format!("{did}; {}", elected.join("; "))
            }
        })
        .collect();
    let ids: Vec<i64> = count
        .stages
        .first()
        .map(|s| s.tallies.iter().map(|t| t.option).collect())?;
    let rows = ids
        .iter()
        .enumerate()
        .map(|(i, &id)| {
            let cells = count
                .stages
                .iter()
                .map(|s| {
                    let t = &s.tallies[i];
                    let word = match t.standing {
                        Standing::Continuing => "",
                        Standing::Elected => "elected",
                        Standing::Excluded => "out",
                    };
                    let received = if s.number > 1 && t.received.0 > 0 {
                        format!("+{}", t.received)
                    } else {
                        String::new()
                    };
                    (t.votes.to_string(), received, word)
                })
                .collect();
            (name(id), cells)
        })
        .collect();
    let names: Vec<String> = ids.iter().map(|&id| name(id)).collect();
    let elected: Vec<String> = count.elected.iter().map(|&id| name(id)).collect();
    let label = format!(
        "Votes of each option at each of the {} stages; elected: {}",
        count.stages.len(),
        if elected.is_empty() {
            "nobody".to_owned()
        } else {
            elected.join(", ")
        }
    );
    Some(RoundsTable {
        method: match count.method {
            Method::InstantRunoff => "Instant runoff",
            Method::Stv { .. } => "Single transferable vote",
        },
        seats: count.seats(),
        valid: count.valid,
        quota: count.stages.first().map(|s| s.quota.to_string()).unwrap_or_default(),
        stages,
        rows,
        exhausted: count.stages.iter().map(|s| s.exhausted.to_string()).collect(),
        lost: count.stages.iter().map(|s| s.lost.to_string()).collect(),
        chart_svg: chart::rounds(count, &names, &label),
        elected,
    })
}

impl PollTemplate {
    fn value_of<T: std::borrow::Borrow<i64>>(&self, option: T) -> i64 {
        let option = *option.borrow();
        self.chosen.iter().find(|(o, _)| *o == option).map_or(0, |(_, v)| *v)
    }

    fn is_chosen<T: std::borrow::Borrow<i64>>(&self, option: T) -> bool {
        self.value_of(option) > 0
    }

    fn name_of<T: std::borrow::Borrow<i64>>(&self, option: T) -> &str {
        self.p.view.option_name(*option.borrow()).unwrap_or("an option")
    }

    fn pct<T: std::borrow::Borrow<f64>>(&self, value: T) -> String {
        weft_domain::polls::percent(*value.borrow())
    }

    /// A meeting poll's grid cell: what this voter answered for this slot.
    fn answer<T: std::borrow::Borrow<i64>>(&self, line: &VoteLine, option: T) -> &'static str {
        let option = *option.borrow();
        weft_domain::polls::meeting::answer_label(line.values.iter().find(|(o, _)| *o == option).map(|(_, v)| *v))
    }
}

/// How a vote's choices read: "Agree", "Pizza, Soup", "Pizza: 4, Soup: 2", "1. Soup, 2. Pizza".
pub(super) fn describe_choices(p: &PollPage, choices: &[Choice]) -> String {
    if p.view.poll.kind == PollKind::Meeting {
        // Every slot, with this voter's answer ("no" is no choice).
        return p
            .view
            .options
            .iter()
            .map(|o| {
                let answer = choices.iter().find(|c| c.option == o.id.0).map(|c| c.value);
                format!("{}: {}", o.name, weft_domain::polls::meeting::answer_label(answer))
            })
            .collect::<Vec<_>>()
            .join("; ");
    }
    if p.view.poll.kind == PollKind::RankedChoice {
        let order = weft_domain::polls::ranked::ranking_of(choices);
        return order
            .iter()
            .enumerate()
            .map(|(i, &o)| format!("{}. {}", i + 1, p.view.option_name(o).unwrap_or("an option")))
            .collect::<Vec<_>>()
            .join(", ");
    }
    let weighted = matches!(p.view.poll.kind, PollKind::Score | PollKind::DotVote);
    if choices.is_empty() {
        return if p.view.poll.kind == PollKind::Question {
            String::new()
        } else {
            "None of the above".into()
        };
    }
    choices
        .iter()
        .map(|c| {
            let name = p.view.option_name(c.option).unwrap_or("an option");
            if weighted {
                format!("{name}: {}", c.value)
            } else {
                name.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A voter's name as lists show it: "A deactivated member" (P9) or "A deleted member" when gone.
pub(super) fn voter_name(v: &weft_app::polls::Vote) -> String {
    v.voter_name.clone().unwrap_or_else(|| {
        if v.voter_deactivated {
            "A deactivated member"
        } else {
            "A deleted member"
        }
        .into()
    })
}

async fn poll_template(
    ctx: PageCtx,
    p: PollPage,
    form: Option<(Vec<(i64, i64)>, String)>,
    errors: ValidationErrors,
) -> PollTemplate {
    let texts = std::iter::once(p.view.poll.details.as_str())
        .chain(p.votes.iter().map(|v| v.reason.as_str()))
        .chain(p.outcome.iter().map(|o| o.statement.as_str()));
    prepare(texts).await;
    let viewer = p.view.viewer;
    let votes = p
        .votes
        .iter()
        .map(|v| VoteLine {
            id: v.id.0,
            reactions: summarize_poll(&p.reactions, ReactionTarget::Vote(v.id.0), viewer),
            name: voter_name(v),
            values: v.choices.iter().map(|c| (c.option, c.value)).collect(),
            choices: describe_choices(&p, &v.choices),
            reason_html: to_html(&v.reason),
            at: v.created_at.display_utc(),
        })
        .collect();
    let (chart_svg, chart_text) = match &p.results {
        Some(r) if r.tally.voters > 0 && p.view.poll.kind != PollKind::Question => {
            let text = chart::describe(r);
            let svg = if p.view.poll.kind.pie_chart() {
                chart::pie(r, &text)
            } else {
                chart::bars(r, &text)
            };
            (svg, text)
        }
        _ => (String::new(), String::new()),
    };
    let (chosen, reason) = form.unwrap_or_else(|| match &p.my_vote {
        Some(v) => (
            v.choices.iter().map(|c| (c.option, c.value)).collect(),
            v.reason.clone(),
        ),
        None => (Vec::new(), String::new()),
    });
    let rules = p.view.poll.rules;
    let single_choice = matches!(rules.kind, PollKind::Proposal | PollKind::Check | PollKind::Count)
        || (rules.kind == PollKind::Poll && rules.max_choices == 1);
    let next_page =
        (i64::try_from(p.votes.len()).unwrap_or(0) == weft_app::polls::VOTES_PER_PAGE).then_some(p.votes_page + 1);
    let closing_input = reopen_hint(&p).local_input_utc();
    let undecided_more = p
        .undecided
        .as_ref()
        .map_or(0, |(list, count)| count - i64::try_from(list.len()).unwrap_or(0));
    let poll_reactions = summarize_poll(&p.reactions, ReactionTarget::Poll, viewer);
    let outcome_reactions = p.outcome.as_ref().map_or_else(Vec::new, |o| {
        summarize_poll(&p.reactions, ReactionTarget::Outcome(o.id.0), viewer)
    });
    let offer: &'static [Reaction] = if p.view.may.react { &Reaction::ALL } else { &[] };
    let rounds = rounds_table(&p);
    let ranks = (1..=i64::try_from(p.view.options.len()).unwrap_or(0)).collect();
    let has_pass_tests = p.view.options.iter().any(|o| o.pass_test.is_some());
    PollTemplate {
        volumes: weft_domain::notifications::Volume::ALL,
        has_pass_tests,
        rounds,
        ranks,
        poll_reactions,
        outcome_reactions,
        offer,
        details_html: to_html(&p.view.poll.details),
        outcome_html: p.outcome.as_ref().map(|o| to_html(&o.statement)),
        chart_svg,
        chart_text,
        votes,
        chosen,
        reason,
        errors,
        single_choice,
        next_page,
        closing_input,
        undecided_more,
        ctx,
        p,
    }
}

/// The closing time the form offers: the current one while open, a week after closing once closed.
fn reopen_hint(p: &PollPage) -> Timestamp {
    match p.view.poll.closed_at {
        Some(closed) => closed.plus(weft_domain::Duration::days(7)),
        None => p.view.poll.closing_at,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: i64,
}

pub async fn show(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let p = state.app.poll_page(who.as_ref(), &key, q.page).await?;
    let page = poll_template(ctx, p, None, ValidationErrors::new()).await;
    Ok(render(StatusCode::OK, &page))
}

/// Reads the vote form: `choice` (radio or checkboxes), `value_{option}` (scores, dots), `reason`.
fn vote_input(fields: &[(String, String)]) -> VoteInput {
    let mut choices = Vec::new();
    let mut reason = String::new();
    for (name, value) in fields {
        if name == "choice" {
            if let Ok(option) = value.trim().parse() {
                choices.push(Choice { option, value: 1 });
            }
        } else if let Some(option) = name.strip_prefix("value_").and_then(|o| o.parse().ok()) {
            let v = value.trim();
            if !v.is_empty() {
                // Not a number: a value no poll accepts, so the rule explains it.
                choices.push(Choice {
                    option,
                    value: v.parse().unwrap_or(i64::MIN),
                });
            }
        } else if name == "reason" {
            reason.clone_from(value);
        }
    }
    VoteInput { choices, reason }
}

pub async fn vote(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let input = vote_input(&fields);
    match state.app.cast_vote(&who, &key, &input).await {
        Ok(()) => Ok(Redirect::to(&Notice::VoteSaved.on(&format!("/p/{key}"))).into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = state.app.poll_page(Some(&who), &key, 0).await?;
            let chosen = input.choices.iter().map(|c| (c.option, c.value)).collect();
            let page = poll_template(ctx, p, Some((chosen, input.reason)), errors).await;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// Re-renders the poll page with the errors of one of its forms.
pub(super) async fn with_errors(
    state: &AppState,
    who: &weft_app::SessionUser,
    ctx: PageCtx,
    key: &str,
    errors: ValidationErrors,
) -> Result<Response, WebError> {
    let p = state.app.poll_page(Some(who), key, 0).await?;
    let page = poll_template(ctx, p, None, errors).await;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

pub async fn withdraw(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    match state.app.withdraw_vote(&who, &key).await {
        Ok(()) => Ok(Redirect::to(&Notice::VoteWithdrawn.on(&format!("/p/{key}"))).into_response()),
        Err(AppError::Invalid(errors)) => with_errors(&state, &who, ctx, &key, errors).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OptionForm {
    name: String,
}

pub async fn add_option(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(form): Form<OptionForm>,
) -> Result<Response, WebError> {
    match state.app.add_poll_option(&who, &key, &form.name).await {
        Ok(()) => Ok(Redirect::to(&Notice::OptionAdded.on(&format!("/p/{key}"))).into_response()),
        Err(AppError::Invalid(errors)) => with_errors(&state, &who, ctx, &key, errors).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn remind(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    state.app.remind_undecided(&who, &key).await?;
    Ok(Redirect::to(&Notice::RemindersSent.on(&format!("/p/{key}"))).into_response())
}

pub async fn close(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    state.app.close_poll(&who, &key).await?;
    Ok(Redirect::to(&Notice::PollClosed.on(&format!("/p/{key}"))).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ClosingForm {
    closing_at: String,
    utc_offset: Option<i32>,
}

/// Extends an open poll, or reopens a closed one, until the given time.
pub async fn change_closing(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(form): Form<ClosingForm>,
) -> Result<Response, WebError> {
    let at = Timestamp::parse_local(&form.closing_at, form.utc_offset.unwrap_or(0));
    let p = state.app.poll_page(Some(&who), &key, 0).await?;
    let (result, notice) = if p.view.may.reopen {
        (state.app.reopen_poll(&who, &key, at).await, Notice::PollReopened)
    } else {
        (state.app.extend_poll(&who, &key, at).await, Notice::PollExtended)
    };
    match result {
        Ok(()) => Ok(Redirect::to(&notice.on(&format!("/p/{key}"))).into_response()),
        Err(AppError::Invalid(errors)) => with_errors(&state, &who, ctx, &key, errors).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OutcomeForm {
    statement: String,
    option: String,
    review_at: String,
    utc_offset: Option<i32>,
}

pub async fn outcome(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(form): Form<OutcomeForm>,
) -> Result<Response, WebError> {
    let review_at = if form.review_at.trim().is_empty() {
        None
    } else {
        match Timestamp::parse_local(&form.review_at, form.utc_offset.unwrap_or(0)) {
            Some(t) => Some(t),
            None => {
                return with_errors(
                    &state,
                    &who,
                    ctx,
                    &key,
                    ValidationErrors::single("review_at", "Give a date and time."),
                )
                .await;
            }
        }
    };
    let input = OutcomeInput {
        statement: form.statement.clone(),
        option: number(&form.option),
        review_at,
    };
    match state.app.write_outcome(&who, &key, &input).await {
        Ok(()) => Ok(Redirect::to(&Notice::OutcomeSaved.on(&format!("/p/{key}"))).into_response()),
        Err(AppError::Invalid(errors)) => with_errors(&state, &who, ctx, &key, errors).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let back = match state.app.delete_poll(&who, &key).await? {
        PollPlaceKey::Thread(k) => format!("/t/{k}"),
        PollPlaceKey::Group(k) => format!("/g/{k}"),
    };
    Ok(Redirect::to(&Notice::PollDeleted.on(&back)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReactForm {
    reaction: String,
    /// Reacting to a vote (its id) or to the outcome (its id); neither: to the poll.
    vote: String,
    outcome: String,
}

impl ReactForm {
    fn target(&self) -> ReactionTarget {
        match (number(&self.vote), number(&self.outcome)) {
            (Some(v), _) => ReactionTarget::Vote(v),
            (None, Some(o)) => ReactionTarget::Outcome(o),
            (None, None) => ReactionTarget::Poll,
        }
    }
}

pub async fn react(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(form): Form<ReactForm>,
) -> Result<Response, WebError> {
    match state.app.react_in_poll(&who, &key, form.target(), &form.reaction).await {
        Ok(_) => Ok(Redirect::to(&format!("/p/{key}")).into_response()),
        Err(AppError::Invalid(errors)) => with_errors(&state, &who, ctx, &key, errors).await,
        Err(e) => Err(e.into()),
    }
}
