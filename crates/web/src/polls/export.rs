//! A poll's results to take away: `/p/{key}/results.csv` (for spreadsheets, every cell safe
//! against formula injection) and `/p/{key}/print` (a page laid out for paper). Both read the
//! poll through `poll_export`, so they hold exactly what the poll page would show this viewer:
//! no figures while results are hidden, no names or reasons of an anonymous poll.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use weft_app::polls::PollPage;
use weft_domain::csv;
use weft_domain::polls::{PollKind, percent};

use super::pages::{RoundsTable, describe_choices, rounds_table, voter_name};
use crate::AppState;
use crate::auth::MaybeUser;
use crate::error::WebError;
use crate::shell::{PageCtx, render};

fn blank() -> String {
    "\r\n".to_owned()
}

/// The CSV: the poll, its figures (and every stage of a count), then the votes the viewer may see.
fn results_csv(p: &PollPage) -> String {
    let poll = &p.view.poll;
    // A byte-order mark: spreadsheets then read the file as UTF-8.
    let mut out = String::from("\u{feff}");
    out += &csv::row(["Poll", poll.title.as_str()]);
    out += &csv::row(["Kind", poll.kind.label()]);
    out += &csv::row(["State", p.view.state.as_str()]);
    out += &csv::row(["Closes", &poll.closed_at.unwrap_or(poll.closing_at).rfc3339()]);
    out += &csv::row(["Votes", &poll.voter_count.to_string()]);
    if let Some(q) = p.quorum {
        out += &csv::row([
            "Quorum",
            if q.reached() { "reached" } else { "not reached" },
            &format!(
                "{} of {} voted; {}% needs {}",
                q.voted,
                q.eligible,
                q.percent,
                q.needed()
            ),
        ]);
    }
    out += &blank();
    let Some(r) = &p.results else {
        out += &csv::row(["Results", "hidden until they may be seen"]);
        return out;
    };
    if poll.kind == PollKind::RankedChoice {
        out += &csv::row([
            "Option",
            "First preferences",
            "Ranked by",
            "Points",
            "Share of points",
            "Elected",
        ]);
        for row in &r.rows {
            out += &csv::row([
                row.name.clone(),
                row.first_preferences.unwrap_or(0).to_string(),
                row.voters.to_string(),
                row.points.unwrap_or(0).to_string(),
                percent(row.share_of_total),
                if row.elected { "yes".into() } else { String::new() },
            ]);
        }
    } else if poll.kind == PollKind::Meeting {
        out += &csv::row(["Time", "Starts (UTC)", "Yes", "If need be", "No", "Best"]);
        for row in &r.rows {
            let (yes, maybe) = row.answers.unwrap_or((0, 0));
            let start = p
                .view
                .options
                .iter()
                .find(|o| o.id.0 == row.option_id)
                .and_then(|o| o.starts_at)
                .map(weft_domain::Timestamp::rfc3339)
                .unwrap_or_default();
            out += &csv::row([
                row.name.clone(),
                start,
                yes.to_string(),
                maybe.to_string(),
                r.tally.voters.saturating_sub(yes + maybe).to_string(),
                if row.best { "yes".into() } else { String::new() },
            ]);
        }
    } else if poll.kind.has_options() {
        out += &csv::row([
            "Option",
            "Voters",
            "Share of voters",
            "Total",
            "Share of total",
            "Average",
            "Pass test",
            "Passes",
        ]);
        for row in &r.rows {
            let (test, passes) = row.pass.map_or((String::new(), String::new()), |(t, passed)| {
                (t.describe(), if passed { "yes" } else { "no" }.to_owned())
            });
            out += &csv::row([
                row.name.clone(),
                row.voters.to_string(),
                percent(row.share_of_voters),
                row.total.to_string(),
                percent(row.share_of_total),
                row.average.map(|a| format!("{a:.2}")).unwrap_or_default(),
                test,
                passes,
            ]);
        }
        if r.tally.without_choice > 0 {
            out += &csv::row(["None of the above", &r.tally.without_choice.to_string()]);
        }
    }
    if let Some(t) = rounds_table(p) {
        out += &blank();
        let mut head = vec!["Stage".to_owned(), "What happened".to_owned()];
        head.extend(t.rows.iter().map(|(name, _)| name.clone()));
        head.extend(["No further preference".to_owned(), "Lost to rounding".to_owned()]);
        out += &csv::row(head);
        for (i, what) in t.stages.iter().enumerate() {
            let mut line = vec![(i + 1).to_string(), what.clone()];
            line.extend(t.rows.iter().map(|(_, cells)| cells[i].0.clone()));
            line.extend([t.exhausted[i].clone(), t.lost[i].clone()]);
            out += &csv::row(line);
        }
    }
    if p.view.may.see_voters && !p.votes.is_empty() {
        out += &blank();
        out += &csv::row(["Voter", "Choices", "Reason", "Voted at"]);
        for v in &p.votes {
            out += &csv::row([
                voter_name(v),
                describe_choices(p, &v.choices),
                v.reason.clone(),
                v.created_at.rfc3339(),
            ]);
        }
    }
    out
}

pub async fn csv(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let p = state.app.poll_export(who.as_ref(), &key).await?;
    let filename = format!("attachment; filename=\"poll-{}.csv\"", p.view.poll.key);
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, filename),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        results_csv(&p),
    )
        .into_response())
}

/// A vote as the printed list reads it.
pub struct PrintedVote {
    pub name: String,
    pub choices: String,
    pub reason: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "polls/print.html")]
struct PrintPage {
    ctx: PageCtx,
    p: PollPage,
    rounds: Option<RoundsTable>,
    votes: Vec<PrintedVote>,
    printed_at: String,
    has_pass_tests: bool,
}

impl PrintPage {
    fn pct<T: std::borrow::Borrow<f64>>(&self, value: T) -> String {
        percent(*value.borrow())
    }
}

pub async fn print(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let p = state.app.poll_export(who.as_ref(), &key).await?;
    let votes = if p.view.may.see_voters {
        p.votes
            .iter()
            .map(|v| PrintedVote {
                name: voter_name(v),
                choices: describe_choices(&p, &v.choices),
                reason: v.reason.clone(),
                at: v.created_at.display_utc(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = PrintPage {
        has_pass_tests: p.view.options.iter().any(|o| o.pass_test.is_some()),
        ctx,
        rounds: rounds_table(&p),
        votes,
        printed_at: state.app.clock.now().display_utc(),
        p,
    };
    Ok(render(StatusCode::OK, &page))
}

/// A meeting poll's chosen time as a calendar file (RFC 5545), once its outcome picked one.
pub async fn calendar(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let ics = state.app.meeting_calendar(who.as_ref(), &key).await?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"meeting-{key}.ics\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        ics,
    )
        .into_response())
}
