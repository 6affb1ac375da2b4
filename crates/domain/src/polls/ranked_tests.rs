//! The count against published elections, against an independent implementation of the same
//! rules on random ballots, and as properties (order of ballots, names of options, parcels).

use proptest::prelude::*;

use super::ranked::*;

fn r(order: &[i64], ballots: u64) -> Ranking {
    Ranking {
        order: order.to_vec(),
        ballots,
    }
}

fn votes(n: u64) -> Votes {
    Votes::whole(n)
}

/// Wikipedia, "Single transferable vote", section "Example" (the food election): 20 voters,
/// 3 seats, Droop quota 6. Published result: Chocolate, Oranges and Strawberries.
#[test]
fn the_food_election_elects_chocolate_oranges_and_strawberries() {
    let (oranges, pears, chocolate, strawberries, hamburgers) = (1, 2, 3, 4, 5);
    let ballots = [
        r(&[oranges], 4),
        r(&[pears, oranges], 2),
        r(&[chocolate, strawberries], 8),
        r(&[chocolate, hamburgers], 4),
        r(&[strawberries], 1),
        r(&[hamburgers], 1),
    ];
    let options = [oranges, pears, chocolate, strawberries, hamburgers];
    let count = count(&options, &options, &ballots, Method::Stv { seats: 3 });
    assert_eq!(count.valid, 20);
    assert_eq!(count.elected, [chocolate, oranges, strawberries]);
    let s = &count.stages;
    assert_eq!(s[0].quota, votes(6));
    assert_eq!(s[0].elected, [(chocolate, Elected::Quota)]);
    // Chocolate's surplus of 6 from 12 ballots: each passes on at 0.5.
    assert_eq!(
        s[1].action,
        StageAction::Surplus {
            from: chocolate,
            surplus: votes(6),
            tie: TieBreak::None
        }
    );
    assert_eq!(s[1].tally(strawberries).unwrap().votes, votes(5));
    assert_eq!(s[1].tally(hamburgers).unwrap().votes, votes(3));
    assert_eq!(s[1].tally(chocolate).unwrap().votes, votes(6));
    // Pears out: both ballots go to Oranges, who reaches the quota.
    assert_eq!(
        s[2].action,
        StageAction::Exclusion {
            option: pears,
            tie: TieBreak::None
        }
    );
    assert_eq!(s[2].elected, [(oranges, Elected::Quota)]);
    // Hamburgers out: its ballots have no further preference; Strawberries is the last left.
    assert_eq!(
        s[3].action,
        StageAction::Exclusion {
            option: hamburgers,
            tie: TieBreak::None
        }
    );
    assert_eq!(s[3].exhausted_now, votes(3));
    assert_eq!(s[3].elected, [(strawberries, Elected::LastRemaining)]);
    assert_eq!(s.len(), 4);
}

/// Wikipedia, "Instant-runoff voting" and "Borda count", the Tennessee capital example: 100
/// voters by city. Published results: Knoxville under instant runoff, Nashville under Borda.
#[test]
fn the_tennessee_capital_is_knoxville_by_runoff_and_nashville_by_borda() {
    let (memphis, nashville, chattanooga, knoxville) = (10, 20, 30, 40);
    let ballots = [
        r(&[memphis, nashville, chattanooga, knoxville], 42),
        r(&[nashville, chattanooga, knoxville, memphis], 26),
        r(&[chattanooga, knoxville, nashville, memphis], 15),
        r(&[knoxville, chattanooga, nashville, memphis], 17),
    ];
    let options = [memphis, nashville, chattanooga, knoxville];
    let irv = count(&options, &options, &ballots, Method::InstantRunoff);
    assert_eq!(irv.elected, [knoxville]);
    let actions: Vec<StageAction> = irv.stages.iter().map(|s| s.action).collect();
    assert_eq!(
        actions[1..],
        [
            StageAction::Exclusion {
                option: chattanooga,
                tie: TieBreak::None
            },
            StageAction::Exclusion {
                option: nashville,
                tie: TieBreak::None
            },
        ]
    );
    assert_eq!(irv.stages[2].tally(knoxville).unwrap().votes, votes(58));
    assert_eq!(irv.stages[2].quota, votes(51));

    // 4 points for a first preference down to 1 for a fourth (Wikipedia's 3..0 plus 100 each).
    assert_eq!(borda(&options, &ballots), [226, 294, 273, 207]);
    assert_eq!(first_preferences(&options, &ballots), [42, 26, 15, 17]);
}

#[test]
fn votes_print_as_people_read_them() {
    assert_eq!(Votes::whole(12).to_string(), "12");
    assert_eq!(Votes(1_250_000).to_string(), "12.5");
    assert_eq!(Votes(666_666).to_string(), "6.66666");
    assert_eq!(Votes(5).to_string(), "0.00005");
    assert_eq!(droop_quota(20, 3), votes(6));
    assert_eq!(droop_quota(100, 1), votes(51));
    assert_eq!(droop_quota(0, 2), votes(1));
}

#[test]
fn ties_go_back_to_the_latest_stage_where_the_tallies_differed_then_to_the_lot() {
    // A and B tie at 3 in stage 2, after B was ahead in stage 1: A goes.
    let (a, b, c, d) = (1, 2, 3, 4);
    let ballots = [r(&[a], 2), r(&[b], 3), r(&[c], 5), r(&[d, a], 1), r(&[c], 1)];
    let count = count(&[a, b, c, d], &[a, b, c, d], &ballots, Method::InstantRunoff);
    // Stage 1: a 2, b 3, c 6, d 1 → d out; stage 2: a 3, b 3 tie → b was ahead at stage 1.
    assert_eq!(
        count.stages[2].action,
        StageAction::Exclusion {
            option: a,
            tie: TieBreak::EarlierStage(1)
        }
    );

    // Equal at every stage: the lot decides, the same way on every count.
    let ballots = [r(&[a], 3), r(&[b], 3), r(&[c], 5)];
    for lot in [[a, b, c], [b, a, c]] {
        let count = super::ranked::count(&[a, b, c], &lot, &ballots, Method::InstantRunoff);
        let out = if lot[0] == a { b } else { a };
        assert_eq!(
            count.stages[1].action,
            StageAction::Exclusion {
                option: out,
                tie: TieBreak::Lot
            },
            "the option drawn last leaves first"
        );
    }
}

#[test]
fn the_lot_is_the_polls_own_and_not_the_authors_order() {
    let options: Vec<i64> = (1..=20).collect();
    let first = lot("pollkey1", &options);
    assert_eq!(first, lot("pollkey1", &options), "the same on every count");
    let mut sorted = first.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, options, "a permutation of the options");
    assert_ne!(first, options);
    assert_ne!(first, lot("pollkey2", &options), "another poll draws another lot");
}

#[test]
fn exhausted_ballots_and_ballots_ranking_nothing_known() {
    let ballots = [r(&[1], 3), r(&[2], 2), r(&[3, 2], 1), r(&[99], 4), r(&[], 2)];
    let count = count(&[1, 2, 3], &[1, 2, 3], &ballots, Method::InstantRunoff);
    assert_eq!(
        count.valid, 6,
        "unknown options and empty rankings are not valid ballots"
    );
    // 3 out → 2 has 3, tie with 1 at 3: 1 was ahead at stage 1, so 2 goes; nothing is left
    // to pass on from its ballots but they rank nothing after 2: exhausted.
    assert_eq!(count.elected, [1]);
    let last = count.stages.last().unwrap();
    assert_eq!(last.exhausted, votes(3));
    let none = super::ranked::count(&[1, 2], &[1, 2], &[], Method::Stv { seats: 1 });
    assert!(none.elected.is_empty(), "no ballots, nobody elected");
    assert_eq!(none.stages.len(), 1);
}

/// The rules of docs/COUNTING.md written again, one ballot at a time, every tally recounted from
/// the ballots at each stage: a second reading of the same text to hold the first one to it.
mod reference {
    pub struct Outcome {
        pub tallies: Vec<Vec<u64>>,
        pub exhausted: Vec<u64>,
        pub elected: Vec<usize>,
    }

    const UNIT: u64 = 100_000;

    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Hopeful,
        Won { transferred: bool },
        Lost,
    }

    struct Paper {
        prefs: Vec<usize>,
        value: u64,
        /// Index into `prefs` of the holder, `None` once exhausted.
        at: Option<usize>,
    }

    pub fn count(n: usize, luck: &[usize], ballots: &[Vec<usize>], seats: usize, irv: bool) -> Outcome {
        let mut papers: Vec<Paper> = ballots
            .iter()
            .filter(|b| !b.is_empty())
            .map(|b| Paper {
                prefs: b.clone(),
                value: UNIT,
                at: Some(0),
            })
            .collect();
        let valid = papers.len() as u64;
        let mut state = vec![State::Hopeful; n];
        let mut kept = vec![0_u64; n];
        let mut out = Outcome {
            tallies: vec![],
            exhausted: vec![],
            elected: vec![],
        };
        if valid == 0 {
            out.tallies.push(vec![0; n]);
            out.exhausted.push(0);
            return out;
        }
        let tally = |papers: &[Paper], state: &[State], kept: &[u64], c: usize| -> u64 {
            if let State::Won { transferred: true } = state[c] {
                return kept[c];
            }
            papers
                .iter()
                .filter(|p| p.at.map(|a| p.prefs[a]) == Some(c))
                .map(|p| p.value)
                .sum()
        };
        let mut exhausted_total = 0_u64;
        loop {
            let now: Vec<u64> = (0..n).map(|c| tally(&papers, &state, &kept, c)).collect();
            out.tallies.push(now.clone());
            out.exhausted.push(exhausted_total);
            let hopefuls: Vec<usize> = (0..n).filter(|&c| state[c] == State::Hopeful).collect();
            let quota = if irv {
                let active: u64 = hopefuls.iter().map(|&c| now[c]).sum();
                (active / UNIT / 2 + 1) * UNIT
            } else {
                (valid / (seats as u64 + 1) + 1) * UNIT
            };
            let mut winners: Vec<usize> = hopefuls.iter().copied().filter(|&c| now[c] >= quota).collect();
            while !winners.is_empty() && out.elected.len() < seats {
                let w = pick(&winners, &out.tallies, luck, true);
                winners.retain(|&c| c != w);
                state[w] = State::Won { transferred: false };
                out.elected.push(w);
            }
            let mut left: Vec<usize> = (0..n).filter(|&c| state[c] == State::Hopeful).collect();
            if out.elected.len() < seats && left.len() <= seats - out.elected.len() {
                while !left.is_empty() {
                    let w = pick(&left, &out.tallies, luck, true);
                    left.retain(|&c| c != w);
                    state[w] = State::Won { transferred: false };
                    out.elected.push(w);
                }
            }
            if out.elected.len() >= seats || left.is_empty() && (0..n).all(|c| state[c] != State::Hopeful) {
                return out;
            }
            let with_surplus: Vec<usize> = out
                .elected
                .iter()
                .copied()
                .filter(|&c| state[c] == (State::Won { transferred: false }) && now[c] > quota)
                .collect();
            let moving: usize;
            let factor: Option<(u64, u64)>;
            if with_surplus.is_empty() {
                let hopefuls: Vec<usize> = (0..n).filter(|&c| state[c] == State::Hopeful).collect();
                let least = hopefuls.iter().map(|&c| now[c]).min().unwrap();
                let lowest: Vec<usize> = hopefuls.into_iter().filter(|&c| now[c] == least).collect();
                moving = pick(&lowest, &out.tallies, luck, false);
                state[moving] = State::Lost;
                factor = None;
            } else {
                let most = with_surplus.iter().map(|&c| now[c] - quota).max().unwrap();
                let biggest: Vec<usize> = with_surplus.into_iter().filter(|&c| now[c] - quota == most).collect();
                moving = pick(&biggest, &out.tallies, luck, true);
                factor = Some((now[moving] - quota, now[moving]));
                kept[moving] = quota;
                state[moving] = State::Won { transferred: true };
            }
            // Mark every earlier winner whose surplus is nil as transferred too: it has none.
            for c in 0..n {
                if state[c] == (State::Won { transferred: false }) && now[c] <= quota {
                    kept[c] = now[c];
                    state[c] = State::Won { transferred: true };
                }
            }
            for p in papers.iter_mut() {
                if p.at.map(|a| p.prefs[a]) != Some(moving) {
                    continue;
                }
                if let Some((s, t)) = factor {
                    p.value = (u128::from(p.value) * u128::from(s) / u128::from(t)) as u64;
                }
                let from = p.at.unwrap();
                p.at = (from + 1..p.prefs.len()).find(|&a| state[p.prefs[a]] == State::Hopeful);
                if p.at.is_none() {
                    exhausted_total += p.value;
                    p.value = 0;
                }
            }
        }
    }

    /// The winner (or loser) of a tie: narrowed by each earlier stage back from the latest,
    /// then the luckiest (or least lucky) by the lot.
    fn pick(tied: &[usize], history: &[Vec<u64>], luck: &[usize], highest: bool) -> usize {
        let mut set = tied.to_vec();
        for stage in history.iter().rev() {
            if set.len() == 1 {
                break;
            }
            let best = set.iter().map(|&c| stage[c]);
            let best = if highest { best.max() } else { best.min() }.unwrap();
            set.retain(|&c| stage[c] == best);
        }
        if highest {
            *set.iter().min_by_key(|&&c| luck[c]).unwrap()
        } else {
            *set.iter().max_by_key(|&&c| luck[c]).unwrap()
        }
    }
}

/// Elections of up to 8 options and 80 ballots, most of them partial rankings.
fn elections() -> impl Strategy<Value = (usize, usize, Vec<Vec<usize>>)> {
    (2_usize..=8).prop_flat_map(|n| {
        let ballot = Just((0..n).collect::<Vec<usize>>())
            .prop_shuffle()
            .prop_flat_map(move |order| (Just(order), 0..=n))
            .prop_map(|(order, k)| order[..k].to_vec());
        (Just(n), 1..n, prop::collection::vec(ballot, 0..80))
    })
}

fn as_rankings(ballots: &[Vec<usize>]) -> Vec<Ranking> {
    ballots
        .iter()
        .map(|b| Ranking {
            order: b.iter().map(|&c| c as i64 + 1).collect(),
            ballots: 1,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_count_agrees_with_the_reference_reading((n, seats, ballots) in elections(), irv in any::<bool>()) {
        let options: Vec<i64> = (1..=n as i64).collect();
        let lot: Vec<i64> = options.iter().rev().copied().collect();
        let luck: Vec<usize> = (0..n).map(|c| n - 1 - c).collect();
        let method = if irv { Method::InstantRunoff } else { Method::Stv { seats } };
        let seats = if irv { 1 } else { seats };
        let ours = count(&options, &lot, &as_rankings(&ballots), method);
        let theirs = reference::count(n, &luck, &ballots, seats, irv);
        let our_tallies: Vec<Vec<u64>> = ours.stages.iter().map(|s| s.tallies.iter().map(|t| t.votes.0).collect()).collect();
        prop_assert_eq!(our_tallies, theirs.tallies);
        let our_exhausted: Vec<u64> = ours.stages.iter().map(|s| s.exhausted.0).collect();
        prop_assert_eq!(our_exhausted, theirs.exhausted);
        let their_elected: Vec<i64> = theirs.elected.iter().map(|&c| c as i64 + 1).collect();
        prop_assert_eq!(ours.elected, their_elected);
    }

    #[test]
    fn every_stage_adds_up_and_every_seat_is_filled((n, seats, ballots) in elections()) {
        let options: Vec<i64> = (1..=n as i64).collect();
        let count = count(&options, &options, &as_rankings(&ballots), Method::Stv { seats });
        for stage in &count.stages {
            let held: u64 = stage.tallies.iter().map(|t| t.votes.0).sum();
            prop_assert_eq!(held + stage.exhausted.0 + stage.lost.0, count.valid * SCALE, "stage {}", stage.number);
        }
        let expected = if count.valid == 0 { 0 } else { seats.min(n) };
        prop_assert_eq!(count.elected.len(), expected);
        let mut unique = count.elected.clone();
        unique.sort_unstable();
        unique.dedup();
        prop_assert_eq!(unique.len(), count.elected.len());
    }

    #[test]
    fn the_order_of_ballots_and_their_grouping_do_not_matter((n, seats, ballots) in elections(), seed in any::<u64>()) {
        let options: Vec<i64> = (1..=n as i64).collect();
        let method = Method::Stv { seats };
        let one_by_one = count(&options, &options, &as_rankings(&ballots), method);
        let mut shuffled = ballots.clone();
        // A deterministic shuffle from the seed.
        shuffled.sort_by_key(|b| (b.iter().fold(seed, |h, &c| h.rotate_left(7) ^ c as u64), b.clone()));
        prop_assert_eq!(&count(&options, &options, &as_rankings(&shuffled), method), &one_by_one);
        // Identical ballots grouped into one ranking with a count.
        let mut grouped: Vec<Ranking> = Vec::new();
        for r in as_rankings(&ballots) {
            match grouped.iter_mut().find(|g| g.order == r.order) {
                Some(g) => g.ballots += 1,
                None => grouped.push(r),
            }
        }
        prop_assert_eq!(&count(&options, &options, &grouped, method), &one_by_one);
    }

    #[test]
    fn renaming_the_options_renames_the_result((n, seats, ballots) in elections()) {
        let options: Vec<i64> = (1..=n as i64).collect();
        let renamed: Vec<i64> = options.iter().map(|o| 1000 - o * 7).collect();
        let rename = |o: i64| 1000 - o * 7;
        let first = count(&options, &options, &as_rankings(&ballots), Method::Stv { seats });
        let moved: Vec<Ranking> = as_rankings(&ballots)
            .into_iter()
            .map(|r| Ranking { order: r.order.into_iter().map(rename).collect(), ..r })
            .collect();
        let second = count(&renamed, &renamed, &moved, Method::Stv { seats });
        prop_assert_eq!(second.elected, first.elected.iter().map(|&o| rename(o)).collect::<Vec<_>>());
    }

    #[test]
    fn instant_runoff_elects_a_first_preference_majority_and_never_the_condorcet_loser((n, _seats, ballots) in elections()) {
        let options: Vec<i64> = (1..=n as i64).collect();
        let count = count(&options, &options, &as_rankings(&ballots), Method::InstantRunoff);
        let valid = ballots.iter().filter(|b| !b.is_empty()).count();
        for c in 0..n {
            let firsts = ballots.iter().filter(|b| b.first() == Some(&c)).count();
            if 2 * firsts > valid {
                prop_assert_eq!(&count.elected, &vec![c as i64 + 1]);
            }
        }
        // Prefers x to y: ranks x above y, or ranks x and not y.
        let prefers = |b: &Vec<usize>, x: usize, y: usize| match (b.iter().position(|&c| c == x), b.iter().position(|&c| c == y)) {
            (Some(px), Some(py)) => px < py,
            (Some(_), None) => true,
            _ => false,
        };
        for loser in 0..n {
            let beaten_by_all = (0..n).filter(|&o| o != loser).all(|o| {
                let for_o = ballots.iter().filter(|b| prefers(b, o, loser)).count();
                let for_loser = ballots.iter().filter(|b| prefers(b, loser, o)).count();
                for_o > for_loser
            });
            if beaten_by_all && n > 1 {
                prop_assert!(!count.elected.contains(&(loser as i64 + 1)), "the Condorcet loser won: {:?}", ballots);
            }
        }
    }
}
