//! Counting: the results of a poll from its current ballots. Pure arithmetic over what the store
//! hands over, so the same figures reach the page, the API, the export and the email.

use super::input::Choice;

/// One option's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionResult {
    pub option: i64,
    /// Ballots that give this option something (a choice, a score, at least one dot).
    pub voters: u64,
    /// The sum of what they gave: choices, scores or dots.
    pub total: i64,
}

impl OptionResult {
    /// The average score (or dots) among those who gave this option something.
    pub fn average(&self) -> Option<f64> {
        (self.voters > 0).then(|| to_f64(self.total) / to_f64_u(self.voters))
    }
}

/// The whole count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// In the poll's option order.
    pub options: Vec<OptionResult>,
    /// Everyone with a current vote.
    pub voters: u64,
    /// Ballots with no option (a poll's "none of the above", a question's answer).
    pub without_choice: u64,
    /// The sum of every option's total: the whole that `share_of_total` divides.
    pub total: i64,
}

fn to_f64(v: i64) -> f64 {
    // Totals stay far below 2^52 (a poll's votes × 1000 dots), where this is exact.
    #[allow(clippy::cast_precision_loss)]
    let f = v as f64;
    f
}

fn to_f64_u(v: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let f = v as f64;
    f
}

impl Tally {
    /// Counts `ballots` (each the choices of one current vote) over `options` (the poll's ids in
    /// its order). A choice of an option not in the list is not counted (the store cannot hold
    /// one: choices reference the poll's options).
    pub fn count<'a>(options: &[i64], ballots: impl IntoIterator<Item = &'a [Choice]>) -> Self {
        let mut results: Vec<OptionResult> = options
            .iter()
            .map(|&option| OptionResult {
                option,
                voters: 0,
                total: 0,
            })
            .collect();
        let mut voters = 0_u64;
        let mut without_choice = 0_u64;
        for ballot in ballots {
            voters += 1;
            if ballot.is_empty() {
                without_choice += 1;
            }
            for choice in ballot {
                if let Some(r) = results.iter_mut().find(|r| r.option == choice.option) {
                    r.voters += 1;
                    r.total = r.total.saturating_add(choice.value);
                }
            }
        }
        let total = results.iter().fold(0_i64, |sum, r| sum.saturating_add(r.total));
        Self {
            options: results,
            voters,
            without_choice,
            total,
        }
    }

    pub fn of(&self, option: i64) -> Option<&OptionResult> {
        self.options.iter().find(|r| r.option == option)
    }

    /// The option's share of everyone who voted, in percent.
    pub fn share_of_voters(&self, option: &OptionResult) -> f64 {
        if self.voters == 0 {
            0.0
        } else {
            100.0 * to_f64_u(option.voters) / to_f64_u(self.voters)
        }
    }

    /// The option's share of all choices (or scores, or dots) given, in percent.
    pub fn share_of_total(&self, option: &OptionResult) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            100.0 * to_f64(option.total) / to_f64(self.total)
        }
    }

    /// The options ranked: highest total first, ties in the poll's order.
    pub fn ranked(&self) -> Vec<&OptionResult> {
        let mut ranked: Vec<&OptionResult> = self.options.iter().collect();
        ranked.sort_by_key(|r| std::cmp::Reverse(r.total));
        ranked
    }
}

/// Percent with one decimal, as pages and emails print it.
pub fn percent(value: f64) -> String {
    format!("{value:.1}%")
}

impl Tally {
    /// The tally from per-option totals the database summed: (option, voters, total), with
    /// everyone who voted and how many chose nothing.
    pub fn from_totals(totals: impl IntoIterator<Item = (i64, u64, i64)>, voters: u64, without_choice: u64) -> Self {
        let options: Vec<OptionResult> = totals
            .into_iter()
            .map(|(option, voters, total)| OptionResult { option, voters, total })
            .collect();
        let total = options.iter().fold(0_i64, |sum, r| sum.saturating_add(r.total));
        Self {
            options,
            voters,
            without_choice,
            total,
        }
    }
}

/// A test an option passes or fails: at least (or at most) a share of the votes or of the voters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassTest {
    pub operator: super::PassOperator,
    /// 0 to 100.
    pub percent: i64,
    pub of: super::ShareOf,
}

impl PassTest {
    /// Whether `option` passes, in whole-number arithmetic (no rounding at the boundary: 2 of 3
    /// voters is below 67% and at least 66%). A share of nothing is 0%.
    pub fn passes(&self, tally: &Tally, option: &OptionResult) -> bool {
        let (part, whole) = match self.of {
            super::ShareOf::Votes => (i128::from(option.total), i128::from(tally.total)),
            super::ShareOf::Voters => (i128::from(option.voters), i128::from(tally.voters)),
        };
        let percent = i128::from(self.percent);
        match self.operator {
            super::PassOperator::AtLeast => percent == 0 || (whole > 0 && part * 100 >= percent * whole),
            super::PassOperator::AtMost => whole == 0 || part * 100 <= percent * whole,
        }
    }

    /// "at least 50% of the voters".
    pub fn describe(&self) -> String {
        format!(
            "{} {}% of the {}",
            match self.operator {
                super::PassOperator::AtLeast => "at least",
                super::PassOperator::AtMost => "at most",
            },
            self.percent,
            match self.of {
                super::ShareOf::Votes => "votes",
                super::ShareOf::Voters => "voters",
            }
        )
    }
}

/// A quorum: a share of the people who may vote must have voted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quorum {
    /// 1 to 100.
    pub percent: i64,
    /// Who may vote (counted when the poll closed, or now while it is open).
    pub eligible: u64,
    pub voted: u64,
}

impl Quorum {
    /// The fewest votes that reach it: the share rounded up.
    pub fn needed(&self) -> u64 {
        let p = u64::try_from(self.percent.clamp(0, 100)).unwrap_or(0);
        (p * self.eligible).div_ceil(100)
    }

    pub fn reached(&self) -> bool {
        self.voted >= self.needed()
    }
}
