//! Counting ranked ballots: instant runoff for one winner and the single transferable vote for
//! several seats (Droop quota, surplus transfers by the weighted inclusive Gregory method, one
//! transfer per stage), and Borda points (`borda`), which need no rounds. Pure and deterministic: the same ballots give the same stages on every run
//! and every database. The rules, with a worked example, are in docs/COUNTING.md; a change here
//! is a change there.

use std::fmt;

/// Votes are counted in hundred-thousandths: every division truncates to five decimal places
/// (as the Scottish STV rules do), and what truncation drops is kept as "lost to rounding", so
/// every stage adds up to the valid ballots exactly.
pub const SCALE: u64 = 100_000;

/// A number of votes, in hundred-thousandths of a vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Votes(pub u64);

impl Votes {
    pub fn whole(n: u64) -> Self {
        Self(n.saturating_mul(SCALE))
    }

    /// As a float, for charts only (never for a decision).
    pub fn as_f64(self) -> f64 {
        #[allow(clippy::cast_precision_loss)] // far below 2^52 units
        let v = self.0 as f64 / 100_000.0;
        v
    }
}

/// "12", "12.5", "6.66666": whole votes without decimals, fractions without trailing zeros.
impl fmt::Display for Votes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / SCALE, self.0 % SCALE);
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            let digits = format!("{frac:05}");
            write!(f, "{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

/// Identical ballots: options in order of preference (most preferred first), and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranking {
    pub order: Vec<i64>,
    pub ballots: u64,
}

/// The counting rule of a ranked-choice poll with rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// One winner: a majority of the ballots still counting, or the last one standing.
    InstantRunoff,
    /// `seats` winners: the Droop quota, surpluses transferred.
    Stv { seats: usize },
}

/// How a tie was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TieBreak {
    /// No tie.
    None,
    /// Settled by the tallies at this earlier stage (the latest stage where they differed).
    EarlierStage(usize),
    /// Equal at every stage: settled by the poll's lot, drawn when it was raised.
    Lot,
}

/// What a stage did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageAction {
    /// Every ballot counted for its first preference.
    FirstPreferences,
    /// An elected option's votes beyond the quota passed on to the next preferences.
    Surplus { from: i64, surplus: Votes, tie: TieBreak },
    /// The option with the fewest votes left the count; its ballots passed on.
    Exclusion { option: i64, tie: TieBreak },
}

/// Why an option was elected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elected {
    /// Its votes reached the quota (for instant runoff: a majority of the ballots still counting).
    Quota,
    /// As many options were left as seats to fill.
    LastRemaining,
}

/// Where an option stands after a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Continuing,
    Elected,
    Excluded,
}

/// One option's line in a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageTally {
    pub option: i64,
    pub votes: Votes,
    /// What it received (or, for the option passing votes on, nothing) in this stage.
    pub received: Votes,
    pub standing: Standing,
}

/// One stage of the count, as the results page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// From 1.
    pub number: usize,
    pub action: StageAction,
    /// What election needs at this stage (fixed for STV; a majority of the ballots still
    /// counting for instant runoff).
    pub quota: Votes,
    /// Every option, in the poll's order, after this stage's transfer.
    pub tallies: Vec<StageTally>,
    /// Ballots with no further preference, in all and in this stage.
    pub exhausted: Votes,
    pub exhausted_now: Votes,
    /// What truncation dropped, in all.
    pub lost: Votes,
    /// Elected at the end of this stage, in order.
    pub elected: Vec<(i64, Elected)>,
}

impl Stage {
    pub fn tally(&self, option: i64) -> Option<&StageTally> {
        self.tallies.iter().find(|t| t.option == option)
    }
}

/// The whole count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedCount {
    pub method: Method,
    /// Ballots that rank at least one option.
    pub valid: u64,
    pub stages: Vec<Stage>,
    /// In the order of election.
    pub elected: Vec<i64>,
}

impl RankedCount {
    pub fn seats(&self) -> usize {
        match self.method {
            Method::InstantRunoff => 1,
            Method::Stv { seats } => seats,
        }
    }
}

/// A ballot's ranking from its choices (each an option and its rank, 1 = first).
pub fn ranking_of(choices: &[super::Choice]) -> Vec<i64> {
    let mut ranked: Vec<&super::Choice> = choices.iter().filter(|c| c.value > 0).collect();
    ranked.sort_by_key(|c| (c.value, c.option));
    ranked.iter().map(|c| c.option).collect()
}

/// How many ballots put each option first, in `options`' order.
pub fn first_preferences(options: &[i64], rankings: &[Ranking]) -> Vec<u64> {
    options
        .iter()
        .map(|&o| {
            rankings
                .iter()
                .filter(|r| r.order.first() == Some(&o))
                .map(|r| r.ballots)
                .sum()
        })
        .collect()
}

/// Borda points of each option in `options`' order, from the rankings: each ballot gives the
/// option it ranks `r`-th (from 1) `options + 1 - r` points, so with 5 options a first preference
/// is worth 5 and a fifth 1; unranked options get nothing.
pub fn borda(options: &[i64], rankings: &[Ranking]) -> Vec<i64> {
    let n = i64::try_from(options.len()).unwrap_or(i64::MAX);
    options
        .iter()
        .map(|&o| {
            rankings
                .iter()
                .filter_map(|r| {
                    let rank = i64::try_from(r.order.iter().position(|&x| x == o)? + 1).ok()?;
                    Some(
                        (n + 1 - rank)
                            .max(0)
                            .saturating_mul(i64::try_from(r.ballots).unwrap_or(i64::MAX)),
                    )
                })
                .fold(0_i64, i64::saturating_add)
        })
        .collect()
}

/// The Droop quota for `valid` ballots and `seats`: the smallest whole number of votes that
/// no more than `seats` options can all reach.
pub fn droop_quota(valid: u64, seats: usize) -> Votes {
    let seats = u64::try_from(seats).unwrap_or(u64::MAX).max(1);
    Votes::whole(valid / (seats + 1) + 1)
}

/// A parcel: identical ballots at the same place in their rankings with the same value each.
#[derive(Debug, Clone, Copy)]
struct Parcel {
    ranking: usize,
    /// Index into the ranking's order of the option holding it.
    at: usize,
    /// Value of each ballot, in units.
    value: u64,
    ballots: u64,
}

impl Parcel {
    fn worth(self) -> u64 {
        self.value.saturating_mul(self.ballots)
    }
}

struct Counter<'a> {
    options: &'a [i64],
    /// Position of each option (by index) in the lot: lower is luckier.
    lot: Vec<usize>,
    orders: Vec<Vec<usize>>,
    standing: Vec<Standing>,
    tallies: Vec<u64>,
    piles: Vec<Vec<Parcel>>,
    /// Tallies after each stage, for the backwards tie-break.
    history: Vec<Vec<u64>>,
    /// Elected options whose surplus is not yet transferred.
    pending: Vec<usize>,
    exhausted: u64,
    lost: u64,
    elected: Vec<usize>,
}

/// Counts `rankings` over `options` (the poll's option ids, in its order) by `method`. `lot` is
/// the poll's lot: the options in the order that settles a tie no earlier stage settles (the
/// first is the luckiest: elected first, excluded last); options missing from it come after,
/// in poll order. A ranking's unknown options and repeats are skipped; a ranking with none left
/// is not a valid ballot.
pub fn count(options: &[i64], lot: &[i64], rankings: &[Ranking], method: Method) -> RankedCount {
    let index_of = |id: i64| options.iter().position(|&o| o == id);
    let mut lot_pos: Vec<usize> = (0..options.len()).map(|i| lot.len() + i).collect();
    for (pos, &id) in lot.iter().enumerate() {
        if let Some(i) = index_of(id) {
            lot_pos[i] = lot_pos[i].min(pos);
        }
    }
    let orders: Vec<Vec<usize>> = rankings
        .iter()
        .map(|r| {
            let mut seen = vec![false; options.len()];
            r.order
                .iter()
                .filter_map(|&id| index_of(id))
                .filter(|&i| !std::mem::replace(&mut seen[i], true))
                .collect()
        })
        .collect();
    let valid: u64 = orders
        .iter()
        .zip(rankings)
        .filter(|(o, _)| !o.is_empty())
        .map(|(_, r)| r.ballots)
        .sum();
    let mut c = Counter {
        options,
        lot: lot_pos,
        standing: vec![Standing::Continuing; options.len()],
        tallies: vec![0; options.len()],
        piles: vec![Vec::new(); options.len()],
        history: Vec::new(),
        pending: Vec::new(),
        exhausted: 0,
        lost: 0,
        elected: Vec::new(),
        orders,
    };
    let seats = match method {
        Method::InstantRunoff => 1,
        Method::Stv { seats } => seats.max(1),
    };
    let fixed_quota = droop_quota(valid, seats).0;

    for (ranking, order) in c.orders.iter().enumerate() {
        if let Some(&first) = order.first() {
            let ballots = rankings[ranking].ballots;
            if ballots == 0 {
                continue;
            }
            let parcel = Parcel {
                ranking,
                at: 0,
                value: SCALE,
                ballots,
            };
            c.tallies[first] += parcel.worth();
            c.piles[first].push(parcel);
        }
    }
    let mut stages = Vec::new();
    let mut action = StageAction::FirstPreferences;
    let mut received = c.tallies.clone();
    let mut exhausted_now = 0;
    loop {
        c.history.push(c.tallies.clone());
        let quota = match method {
            Method::Stv { .. } => fixed_quota,
            Method::InstantRunoff => {
                let active: u64 = c.continuing().map(|i| c.tallies[i]).sum();
                (active / SCALE / 2 + 1) * SCALE
            }
        };
        let mut elected_now = Vec::new();
        if valid > 0 {
            let mut reached: Vec<usize> = c.continuing().filter(|&i| c.tallies[i] >= quota).collect();
            while !reached.is_empty() && c.elected.len() < seats {
                let (best, _) = c.settle(&reached, true);
                reached.retain(|&i| i != best);
                c.elect(best);
                elected_now.push((options[best], Elected::Quota));
            }
            let vacancies = seats - c.elected.len();
            let left: Vec<usize> = c.continuing().collect();
            if vacancies > 0 && left.len() <= vacancies {
                let mut left = left;
                while !left.is_empty() {
                    let (best, _) = c.settle(&left, true);
                    left.retain(|&i| i != best);
                    c.elect(best);
                    elected_now.push((options[best], Elected::LastRemaining));
                }
            }
        }
        stages.push(Stage {
            number: stages.len() + 1,
            action,
            quota: Votes(quota),
            tallies: (0..options.len())
                .map(|i| StageTally {
                    option: options[i],
                    votes: Votes(c.tallies[i]),
                    received: Votes(received[i]),
                    standing: c.standing[i],
                })
                .collect(),
            exhausted: Votes(c.exhausted),
            exhausted_now: Votes(exhausted_now),
            lost: Votes(c.lost),
            elected: elected_now,
        });
        if valid == 0 || c.elected.len() >= seats || c.continuing().next().is_none() {
            break;
        }
        let before_exhausted = c.exhausted;
        let before = c.tallies.clone();
        c.pending.retain(|&i| c.tallies[i] > quota);
        action = if c.pending.is_empty() {
            let lowest: Vec<usize> = {
                let min = c.continuing().map(|i| c.tallies[i]).min().unwrap_or(0);
                c.continuing().filter(|&i| c.tallies[i] == min).collect()
            };
            let (out, tie) = c.settle(&lowest, false);
            c.standing[out] = Standing::Excluded;
            let parcels = std::mem::take(&mut c.piles[out]);
            c.tallies[out] = 0;
            for p in parcels {
                c.pass_on(p, p.value);
            }
            StageAction::Exclusion {
                option: options[out],
                tie,
            }
        } else {
            let surpluses: Vec<u64> = c.pending.iter().map(|&i| c.tallies[i] - quota).collect();
            let max = surpluses.iter().copied().max().unwrap_or(0);
            let tied: Vec<usize> = c
                .pending
                .iter()
                .zip(&surpluses)
                .filter(|&(_, &s)| s == max)
                .map(|(&i, _)| i)
                .collect();
            let (from, tie) = c.settle(&tied, true);
            c.pending.retain(|&i| i != from);
            let total = c.tallies[from];
            let surplus = total - quota;
            let parcels = std::mem::take(&mut c.piles[from]);
            c.tallies[from] = quota;
            let mut passed = 0_u64;
            for p in parcels {
                let value =
                    u64::try_from(u128::from(p.value) * u128::from(surplus) / u128::from(total)).unwrap_or(u64::MAX);
                passed += value.saturating_mul(p.ballots);
                c.pass_on(p, value);
            }
            c.lost += surplus - passed;
            StageAction::Surplus {
                from: options[from],
                surplus: Votes(surplus),
                tie,
            }
        };
        received = c
            .tallies
            .iter()
            .zip(&before)
            .map(|(now, then)| now.saturating_sub(*then))
            .collect();
        exhausted_now = c.exhausted - before_exhausted;
    }
    RankedCount {
        method,
        valid,
        stages,
        elected: c.elected.iter().map(|&i| options[i]).collect(),
    }
}

impl Counter<'_> {
    fn continuing(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.options.len()).filter(|&i| self.standing[i] == Standing::Continuing)
    }

    fn elect(&mut self, i: usize) {
        self.standing[i] = Standing::Elected;
        self.elected.push(i);
        self.pending.push(i);
    }

    /// Moves a parcel, each ballot now worth `value`, to its next continuing preference, or to
    /// the exhausted pile. A parcel worth nothing goes nowhere.
    fn pass_on(&mut self, parcel: Parcel, value: u64) {
        if value == 0 {
            return;
        }
        let order = &self.orders[parcel.ranking];
        let next = (parcel.at + 1..order.len()).find(|&at| self.standing[order[at]] == Standing::Continuing);
        let moved = Parcel { value, ..parcel };
        match next {
            Some(at) => {
                let to = order[at];
                let moved = Parcel { at, ..moved };
                self.tallies[to] += moved.worth();
                self.piles[to].push(moved);
            }
            None => self.exhausted += moved.worth(),
        }
    }

    /// Settles a tie among `tied` (all equal now): by the latest earlier stage where their
    /// tallies differed (keeping the highest when `highest`, else the lowest), then by the lot.
    /// Returns the one chosen (the highest, or the lowest to exclude) and how.
    fn settle(&self, tied: &[usize], highest: bool) -> (usize, TieBreak) {
        let mut tied: Vec<usize> = tied.to_vec();
        if tied.len() > 1 {
            // When several are chosen from one stage (elected together) the current tallies
            // order them first.
            let current = self.history.last().cloned().unwrap_or_default();
            keep_extreme(&mut tied, &current, highest);
        }
        if tied.len() == 1 {
            return (tied[0], TieBreak::None);
        }
        let earlier = self.history.len().saturating_sub(1);
        for stage in (0..earlier).rev() {
            keep_extreme(&mut tied, &self.history[stage], highest);
            if tied.len() == 1 {
                return (tied[0], TieBreak::EarlierStage(stage + 1));
            }
        }
        let chosen = if highest {
            tied.iter().copied().min_by_key(|&i| self.lot[i])
        } else {
            tied.iter().copied().max_by_key(|&i| self.lot[i])
        };
        (chosen.unwrap_or(tied[0]), TieBreak::Lot)
    }
}

fn keep_extreme(tied: &mut Vec<usize>, tallies: &[u64], highest: bool) {
    let values = tied.iter().map(|&i| tallies[i]);
    let target = if highest { values.max() } else { values.min() };
    if let Some(t) = target {
        tied.retain(|&i| tallies[i] == t);
    }
}

/// The poll's lot: its options in a fixed pseudo-random order drawn from the poll's key, the same
/// on every count (so a re-count never changes a result) and independent of the order the author
/// listed them in.
pub fn lot(poll_key: &str, options: &[i64]) -> Vec<i64> {
    let seed = poll_key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut drawn = options.to_vec();
    drawn.sort_by_key(|&o| (mix(seed ^ o.cast_unsigned()), o));
    drawn
}

/// splitmix64's finaliser.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}
