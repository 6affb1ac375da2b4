//! What a poll page shows, decided for its viewer: the permissions, and results only when the
//! rule lets them be seen (hidden results never leave the app layer, whatever asks: page, API,
//! export or email).

use weft_domain::permissions::{Actor, PollAction, PollFacts, can_poll};
use weft_domain::polls::ranked::{self, Method, RankedCount};
use weft_domain::polls::{Counting, PassTest, PollKind, PollState, Quorum, Tally};
use weft_store::polls::{self, Outcome, Poll, PollOption, Undecided, Vote};

use super::{UNDECIDED_LISTED, VOTES_PER_PAGE};
use crate::threads::ThreadView;
use crate::{App, AppError, SessionUser};

/// A poll opened by someone, with what they may do.
#[derive(Debug, Clone)]
pub struct PollView {
    pub poll: Poll,
    /// In the order this viewer sees them (shuffled per viewer when the poll asks for it).
    pub options: Vec<PollOption>,
    /// The thread it lives in; `None` for a poll on its own in its group.
    pub thread: Option<ThreadView>,
    pub group: weft_store::groups::Group,
    /// How the rule sees the viewer (a named voter invited by email is a guest of the poll).
    pub actor: Actor,
    /// Who is looking (none for a visitor).
    pub viewer: Option<weft_store::users::UserId>,
    pub facts: PollFacts,
    pub state: PollState,
    pub may: PollPermissions,
    /// The zone this viewer reads times in: theirs, or the poll's for a visitor or someone who
    /// has not chosen one. A meeting poll's options are named in it.
    pub zone: weft_domain::polls::meeting::Zone,
}

impl PollView {
    pub fn option_name(&self, id: i64) -> Option<&str> {
        self.options.iter().find(|o| o.id.0 == id).map(|o| o.name.as_str())
    }
}

/// One answer per poll action, decided once per request by the domain's rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // one answer per action
pub struct PollPermissions {
    pub vote: bool,
    pub add_option: bool,
    pub edit: bool,
    pub extend: bool,
    pub close: bool,
    pub reopen: bool,
    pub remind: bool,
    pub write_outcome: bool,
    pub delete: bool,
    pub see_results: bool,
    pub see_voters: bool,
    pub see_undecided: bool,
    pub react: bool,
}

impl PollPermissions {
    pub fn decide(actor: &Actor, facts: &PollFacts) -> Self {
        let may = |a| can_poll(actor, a, facts).allowed();
        Self {
            vote: may(PollAction::Vote),
            add_option: may(PollAction::AddOption),
            edit: may(PollAction::Edit),
            extend: may(PollAction::Extend),
            close: may(PollAction::Close),
            reopen: may(PollAction::Reopen),
            remind: may(PollAction::Remind),
            write_outcome: may(PollAction::WriteOutcome),
            delete: may(PollAction::Delete),
            see_results: may(PollAction::SeeResults),
            see_voters: may(PollAction::SeeVoters),
            see_undecided: may(PollAction::SeeUndecided),
            react: may(PollAction::React),
        }
    }

    /// The allowed actions by their API names.
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.vote, PollAction::Vote),
            (self.add_option, PollAction::AddOption),
            (self.edit, PollAction::Edit),
            (self.extend, PollAction::Extend),
            (self.close, PollAction::Close),
            (self.reopen, PollAction::Reopen),
            (self.remind, PollAction::Remind),
            (self.write_outcome, PollAction::WriteOutcome),
            (self.delete, PollAction::Delete),
            (self.see_results, PollAction::SeeResults),
            (self.see_voters, PollAction::SeeVoters),
            (self.see_undecided, PollAction::SeeUndecided),
            (self.react, PollAction::React),
        ]
        .into_iter()
        .filter(|(allowed, _)| *allowed)
        .map(|(_, a)| a.as_str())
        .collect()
    }
}

/// One option's line of the results.
#[derive(Debug, Clone)]
pub struct ResultRow {
    pub option_id: i64,
    pub name: String,
    pub voters: u64,
    pub total: i64,
    pub share_of_voters: f64,
    pub share_of_total: f64,
    pub average: Option<f64>,
    /// The option's pass test and whether it passes now.
    pub pass: Option<(PassTest, bool)>,
    /// Ranked choice: Borda points and first preferences.
    pub points: Option<i64>,
    pub first_preferences: Option<u64>,
    /// Ranked choice counted in rounds: elected (in `RankedResults::count`'s order).
    pub elected: bool,
    /// A meeting poll's slot: (yes, if need be), and whether it is the best one.
    pub answers: Option<(u64, u64)>,
    pub best: bool,
}

/// A ranked-choice poll's count beyond the per-option rows.
#[derive(Debug, Clone)]
pub struct RankedResults {
    pub counting: Counting,
    /// The rounds, for instant runoff and STV.
    pub count: Option<RankedCount>,
    /// Ballots ranking at least one option.
    pub ballots: u64,
}

/// The figures, for a viewer who may see them.
#[derive(Debug, Clone)]
pub struct PollResults {
    /// In the poll's option order (not the viewer's shuffle: results read the same for everyone).
    pub rows: Vec<ResultRow>,
    pub tally: Tally,
    pub ranked: Option<RankedResults>,
    /// A meeting poll: the slot most can make (most yes, then if need be, then the earliest).
    pub best_slot: Option<i64>,
}

/// Everything the poll page shows.
#[derive(Debug, Clone)]
pub struct PollPage {
    pub view: PollView,
    pub results: Option<PollResults>,
    /// The viewer's current vote (never for an anonymous poll: there is none to find).
    pub my_vote: Option<Vote>,
    /// Current votes with reasons, newest first, one page; empty unless `may.see_voters`.
    pub votes: Vec<Vote>,
    pub votes_page: i64,
    /// Who has not voted, for the poll's stewards: a list and how many in all.
    pub undecided: Option<(Vec<Undecided>, i64)>,
    pub outcome: Option<Outcome>,
    /// A poll on its own: its own timeline (raised, votes, closed, outcome), oldest first. Empty
    /// for a poll in a thread, whose timeline is the thread's.
    pub events: Vec<weft_store::polls::TimelineEvent>,
    /// Reactions on the poll, its votes and its outcome (only those of current votes and the
    /// current outcome are shown).
    pub reactions: Vec<weft_store::polls::PollReactionRow>,
    /// The poll's quorum: who might vote (when it closed, or now) and who did. Turnout is shown
    /// to everyone who sees the poll, so this is too, results hidden or not.
    pub quorum: Option<Quorum>,
    /// Whether the viewer may save it as a template of its group (its coordinators).
    pub may_save_template: bool,
    /// A signed-in viewer's own volume for the poll: `Some(None)` when they chose none (it
    /// follows its thread or group), `None` for a visitor.
    pub volume_choice: Option<Option<weft_domain::notifications::Volume>>,
}

impl PollPage {
    /// The viewer chose `volume` for this poll themselves.
    pub fn chose(&self, volume: &weft_domain::notifications::Volume) -> bool {
        self.volume_choice == Some(Some(*volume))
    }
}

impl App {
    /// The figures of a poll, or `None` when this viewer may not see them yet.
    pub(crate) async fn results_for(
        &self,
        conn: &mut weft_store::Conn,
        view: &PollView,
    ) -> Result<Option<PollResults>, AppError> {
        if !view.may.see_results {
            return Ok(None);
        }
        let poll = &view.poll;
        let totals = polls::totals(conn, poll.id).await?;
        let without_choice = poll.without_choice;
        let ids: Vec<i64> = totals.iter().map(|(id, _, _)| id.0).collect();
        let tally = Tally::from_totals(
            totals
                .iter()
                .map(|&(id, voters, total)| (id.0, u64::try_from(voters).unwrap_or(0), total)),
            u64::try_from(poll.voter_count).unwrap_or(0),
            u64::try_from(without_choice).unwrap_or(0),
        );
        let ranked = if poll.kind == PollKind::RankedChoice {
            let rankings = polls::rankings(conn, poll.id).await?;
            let method = match poll.counting {
                Counting::Borda => None,
                Counting::InstantRunoff => Some(Method::InstantRunoff),
                Counting::Stv => Some(Method::Stv {
                    seats: usize::try_from(poll.seats).unwrap_or(1),
                }),
            };
            Some((
                ranked::first_preferences(&ids, &rankings),
                ranked::borda(&ids, &rankings),
                RankedResults {
                    counting: poll.counting,
                    count: method.map(|m| ranked::count(&ids, &ranked::lot(&poll.key, &ids), &rankings, m)),
                    ballots: rankings.iter().filter(|r| !r.order.is_empty()).map(|r| r.ballots).sum(),
                },
            ))
        } else {
            None
        };
        let rows = ids
            .iter()
            .enumerate()
            .filter_map(|(at, id)| tally.of(*id).map(|r| (at, r)))
            .map(|(at, r)| ResultRow {
                option_id: r.option,
                name: view.option_name(r.option).unwrap_or("").to_owned(),
                voters: r.voters,
                total: r.total,
                share_of_voters: tally.share_of_voters(r),
                share_of_total: tally.share_of_total(r),
                average: r.average(),
                pass: view
                    .options
                    .iter()
                    .find(|o| o.id.0 == r.option)
                    .and_then(|o| o.pass_test)
                    .map(|t| (t, t.passes(&tally, r))),
                points: ranked.as_ref().map(|(_, points, _)| points[at]),
                first_preferences: ranked.as_ref().map(|(firsts, _, _)| firsts[at]),
                elected: ranked
                    .as_ref()
                    .and_then(|(_, _, rr)| rr.count.as_ref())
                    .is_some_and(|c| c.elected.contains(&r.option)),
                answers: (poll.kind == PollKind::Meeting)
                    .then(|| weft_domain::polls::meeting::answers_of(r.voters, r.total)),
                best: false,
            })
            .collect::<Vec<ResultRow>>();
        let mut rows = rows;
        if ranked.is_some() {
            // A share of ranks means nothing: a ranked option's share is of all the points given.
            let all: i64 = rows.iter().filter_map(|r| r.points).sum();
            for r in &mut rows {
                r.share_of_total = if all > 0 {
                    #[allow(clippy::cast_precision_loss)] // points stay far below 2^52
                    let share = 100.0 * r.points.unwrap_or(0) as f64 / all as f64;
                    share
                } else {
                    0.0
                };
            }
        }
        let best_slot = if poll.kind == PollKind::Meeting {
            let slots: Vec<(i64, weft_domain::Timestamp, u64, u64)> = rows
                .iter()
                .filter_map(|r| {
                    let start = view.options.iter().find(|o| o.id.0 == r.option_id)?.starts_at?;
                    let (yes, maybe) = r.answers?;
                    Some((r.option_id, start, yes, maybe))
                })
                .collect();
            weft_domain::polls::meeting::best_slot(&slots)
        } else {
            None
        };
        for r in &mut rows {
            r.best = best_slot == Some(r.option_id);
        }
        Ok(Some(PollResults {
            best_slot,
            rows,
            tally,
            ranked: ranked.map(|(_, _, rr)| rr),
        }))
    }

    /// The quorum of `poll`, when it asks for one.
    pub(crate) async fn quorum_of(&self, conn: &mut weft_store::Conn, poll: &Poll) -> Result<Option<Quorum>, AppError> {
        let Some(percent) = poll.quorum_percent else {
            return Ok(None);
        };
        let eligible = match poll.eligible_at_close {
            Some(n) => n,
            None => polls::eligible(conn, poll).await?,
        };
        Ok(Some(Quorum {
            percent,
            eligible: u64::try_from(eligible).unwrap_or(0),
            voted: u64::try_from(poll.voter_count).unwrap_or(0),
        }))
    }

    /// The poll page: the poll, the viewer's vote, results and voters as the rules allow.
    pub async fn poll_page(&self, who: Option<&SessionUser>, key: &str, page: i64) -> Result<PollPage, AppError> {
        let mut conn = self.store.reader().await?;
        let view = self.open_poll(&mut conn, who, key, PollAction::See).await?;
        let results = self.results_for(&mut conn, &view).await?;
        let my_vote = match (who, view.poll.anonymous) {
            (Some(w), false) => polls::history_of(&mut conn, view.poll.id, w.user.id)
                .await?
                .into_iter()
                .find(|v| v.current),
            _ => None,
        };
        let page = page.clamp(0, 10_000);
        let votes = if view.may.see_voters {
            polls::current_votes(&mut conn, view.poll.id, page * VOTES_PER_PAGE, VOTES_PER_PAGE).await?
        } else {
            Vec::new()
        };
        let undecided = if view.may.see_undecided {
            Some(polls::undecided(&mut conn, &view.poll, UNDECIDED_LISTED).await?)
        } else {
            None
        };
        let outcome = polls::current_outcome(&mut conn, view.poll.id).await?;
        let quorum = self.quorum_of(&mut conn, &view.poll).await?;
        let events = if view.thread.is_none() {
            polls::poll_events(&mut conn, view.poll.id, 0, POLL_EVENTS_LISTED).await?
        } else {
            Vec::new()
        };
        let mut reactions = polls::poll_reactions(&mut conn, view.poll.id).await?;
        if !view.may.see_voters {
            // Reactions on votes show whose vote it is: only for who may see the votes.
            reactions.retain(|r| !matches!(r.target, polls::ReactionTarget::Vote(_)));
        }
        let may_save_template = weft_domain::permissions::can(
            &view.actor,
            weft_domain::permissions::Action::ChangeSettings,
            &crate::groups::facts(&view.group),
        )
        .allowed();
        let volume_choice = match who {
            Some(w) => Some(weft_store::notifications::poll_volume(&mut conn, view.poll.id, w.user.id).await?),
            None => None,
        };
        Ok(PollPage {
            volume_choice,
            may_save_template,
            quorum,
            events,
            reactions,
            view,
            results,
            my_vote,
            votes,
            votes_page: page,
            undecided,
            outcome,
        })
    }

    /// A poll's page with every current vote (not one page of them) for its CSV and printable
    /// exports: the same rules decide, so nothing hidden results or anonymity hide is in it.
    pub async fn poll_export(&self, who: Option<&SessionUser>, key: &str) -> Result<PollPage, AppError> {
        let mut page = self.poll_page(who, key, 0).await?;
        if page.view.may.see_voters {
            // In pages, so no statement names more than a page of votes' ids.
            let mut conn = self.store.reader().await?;
            let mut votes = Vec::new();
            while i64::try_from(votes.len()).unwrap_or(i64::MAX) < EXPORT_VOTES_MAX {
                let offset = i64::try_from(votes.len()).unwrap_or(i64::MAX);
                let batch = polls::current_votes(&mut conn, page.view.poll.id, offset, EXPORT_PAGE).await?;
                let done = i64::try_from(batch.len()).unwrap_or(0) < EXPORT_PAGE;
                votes.extend(batch);
                if done {
                    break;
                }
            }
            page.votes = votes;
        }
        Ok(page)
    }

    /// The polls of a thread the viewer is reading (opened through its access check), newest
    /// first, each with its view: the thread is not opened again per poll.
    pub async fn thread_polls(
        &self,
        who: Option<&SessionUser>,
        thread: &ThreadView,
    ) -> Result<Vec<PollView>, AppError> {
        let mut conn = self.store.reader().await?;
        let mut list = Vec::new();
        for poll in polls::of_thread(&mut conn, thread.thread.id).await? {
            list.push(
                self.poll_view(
                    &mut conn,
                    who,
                    super::PollHome::Thread(thread.clone()),
                    poll,
                    PollAction::See,
                )
                .await?,
            );
        }
        Ok(list)
    }

    /// A group's polls that stand on their own, for a viewer reading the group (opened by the
    /// caller): empty when they may not read its content; a read through support access is
    /// logged (P13). Open ones first.
    pub async fn group_polls(
        &self,
        who: Option<&SessionUser>,
        group: &crate::groups::GroupView,
    ) -> Result<Vec<ListedPoll>, AppError> {
        if !self
            .may_read(
                who,
                group,
                weft_domain::permissions::Action::SeeContent,
                "the group's polls",
            )
            .await?
        {
            return Ok(Vec::new());
        }
        self.list_group_polls(group).await
    }

    /// The same for the group's page, beside its thread list, whose read (`group_threads`) is
    /// the one logged: one page read, one entry in the access log.
    pub async fn group_polls_beside_threads(
        &self,
        group: &crate::groups::GroupView,
    ) -> Result<Vec<ListedPoll>, AppError> {
        if !group.may(weft_domain::permissions::Action::SeeContent) {
            return Ok(Vec::new());
        }
        self.list_group_polls(group).await
    }

    /// The list itself: whoever may read the group's content may see each of its polls on
    /// their own (the poll rule for `PollPlace::Group`), so no poll is opened one by one.
    async fn list_group_polls(&self, group: &crate::groups::GroupView) -> Result<Vec<ListedPoll>, AppError> {
        let mut conn = self.store.reader().await?;
        let now = self.clock.now();
        Ok(polls::of_group(&mut conn, group.group.id, 0, GROUP_POLLS_LISTED)
            .await?
            .into_iter()
            .map(|poll| ListedPoll {
                state: PollState::at(now, poll.opening_at, poll.closing_at, poll.closed_at),
                poll,
            })
            .collect())
    }
}

/// Whether the viewer may raise a poll on its own in this group (the group's
/// `members_can_raise_polls`), decided by the domain's rule.
pub fn may_raise_in_group(group: &crate::groups::GroupView) -> bool {
    weft_domain::permissions::can_raise_poll(&group.actor, &weft_domain::permissions::PollPlace::Group(group.facts))
        .allowed()
}

/// A poll in a list: the poll and where it stands.
#[derive(Debug, Clone)]
pub struct ListedPoll {
    pub poll: Poll,
    pub state: PollState,
}

/// Polls on their own listed on a group's page at most.
pub const GROUP_POLLS_LISTED: i64 = 50;

/// Votes in one export at most (a poll has at most as many voters as its group has members).
pub const EXPORT_VOTES_MAX: i64 = 200_000;
/// Votes read per statement for an export.
const EXPORT_PAGE: i64 = 1_000;

/// Items of a poll's own timeline shown at most (votes beyond are in the voter list).
pub const POLL_EVENTS_LISTED: i64 = 200;
