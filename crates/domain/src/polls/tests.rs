//! Raising and voting as tables, counting as properties.

use proptest::prelude::*;

use super::*;
use crate::{Duration, Timestamp};

const NOW: Timestamp = Timestamp(1_800_000_000_000_000);

fn week() -> Option<Timestamp> {
    Some(NOW.plus(Duration::days(7)))
}

fn input(kind: &str) -> PollInput {
    PollInput {
        kind: kind.into(),
        title: "Lunch on Friday?".into(),
        closing_at: week(),
        ..PollInput::default()
    }
}

#[test]
fn stored_words_round_trip_and_unknown_ones_are_errors() {
    for k in PollKind::ALL {
        assert_eq!(PollKind::from_stored(k.as_str()), Ok(*k));
    }
    for h in HideResults::ALL {
        assert_eq!(HideResults::from_stored(h.as_str()), Ok(*h));
    }
    for r in ReasonRule::ALL {
        assert_eq!(ReasonRule::from_stored(r.as_str()), Ok(*r));
    }
    assert!(PollKind::from_stored("approval").is_err());
    assert!(HideResults::from_stored("").is_err());
    assert!(Electorate::from_stored("everyone").is_err());
}

#[test]
fn templates_and_kinds_bring_their_options() {
    let consent = PollInput {
        template: "consent".into(),
        ..input("")
    }
    .parse(NOW)
    .unwrap();
    assert_eq!(consent.kind, PollKind::Proposal);
    assert_eq!(consent.options, ["Consent", "Objection"]);
    assert!(!consent.reason_prompt.is_empty());
    let consensus = PollInput {
        template: "consensus".into(),
        ..input("")
    }
    .parse(NOW)
    .unwrap();
    assert_eq!(consensus.options, ["Agree", "Abstain", "Disagree", "Block"]);
    let check = input("check").parse(NOW).unwrap();
    assert_eq!(check.options, ["Looks good", "Not sure", "Concerned"]);
    let count = PollInput {
        options: vec!["a".into(), "b".into(), "c".into()],
        ..input("count")
    }
    .parse(NOW)
    .unwrap();
    assert_eq!(
        count.options,
        ["I'm in", "Not this time"],
        "a count keeps its two options"
    );
    assert_eq!(count.target, Some(5));
    let question = input("question").parse(NOW).unwrap();
    assert!(question.options.is_empty());
    assert_eq!(
        question.rules.reason,
        ReasonRule::Required,
        "a question's answer is its reason"
    );
}

/// (what is wrong, the input, the field that says so)
#[test]
fn named_voters_are_usernames_and_addresses_each_once() {
    let v = parse_voters("@Ada, bob\nada  zed@example.org;ZED@example.org").unwrap();
    let names: Vec<&str> = v.usernames.iter().map(crate::Username::as_str).collect();
    assert_eq!(names, ["ada", "bob"]);
    assert_eq!(v.emails.len(), 1, "{v:?}");
    assert!(parse_voters("a@").is_err(), "not an address");
    assert!(parse_voters("x").is_err(), "too short for a username");
    let many: Vec<String> = (0..=input::MAX_NAMED_VOTERS).map(|i| format!("voter{i}")).collect();
    assert!(parse_voters(&many.join(",")).is_err(), "too many at once");

    let specified = |voters: &str| PollInput {
        electorate: "specified".into(),
        voters: voters.into(),
        ..input("proposal")
    };
    let err = specified("").parse(NOW).unwrap_err();
    assert!(err.first("voters").is_some(), "{err:?}");
    let spec = specified("ada").parse(NOW).unwrap();
    assert_eq!(spec.voters.usernames.len(), 1);
    let members = PollInput {
        voters: "ada".into(),
        ..input("proposal")
    };
    assert!(
        members.parse(NOW).unwrap().voters.is_empty(),
        "names count only when the poll names its voters"
    );
}

#[test]
fn bad_polls_are_refused_field_by_field() {
    let with = |f: fn(&mut PollInput)| {
        let mut i = input("poll");
        i.options = vec!["Pizza".into(), "Soup".into()];
        f(&mut i);
        i
    };
    #[rustfmt::skip]
    let table: Vec<(&str, PollInput, &str)> = vec![
        ("no title", with(|i| i.title = "  ".into()), "title"),
        ("long title", with(|i| i.title = "x".repeat(151)), "title"),
        ("no closing time", with(|i| i.closing_at = None), "closing_at"),
        ("closing in the past", with(|i| i.closing_at = Some(NOW.plus(Duration::minutes(-1)))), "closing_at"),
        ("open for two years", with(|i| i.closing_at = Some(NOW.plus(Duration::days(800)))), "closing_at"),
        ("opening after closing", with(|i| i.opening_at = Some(NOW.plus(Duration::days(8)))), "opening_at"),
        ("one option", with(|i| i.options = vec!["Pizza".into()]), "options"),
        ("an option twice", with(|i| i.options = vec!["Pizza".into(), "pizza".into()]), "options"),
        ("a long option", with(|i| i.options = vec!["x".repeat(101), "y".into()]), "options"),
        ("31 options", with(|i| i.options = (0..31).map(|n| n.to_string()).collect()), "options"),
        ("more picks than options", with(|i| i.max_choices = Some(3)), "max_choices"),
        ("min above max", with(|i| { i.min_choices = Some(2); i.max_choices = Some(1); }), "min_choices"),
        ("unknown kind", with(|i| i.kind = "approval".into()), "kind"),
        ("unknown template", with(|i| i.template = "gradients".into()), "template"),
        ("unknown visibility", with(|i| i.hide_results = "sometimes".into()), "hide_results"),
        ("unknown reason rule", with(|i| i.reason = "maybe".into()), "reason"),
        ("unknown electorate", with(|i| i.electorate = "all".into()), "electorate"),
    ];
    for (what, input, field) in table {
        let errors = input.parse(NOW).expect_err(what);
        assert!(
            errors.get(field).is_some(),
            "{what}: expected an error on {field}, got {errors}"
        );
    }
    let scores = |lo, hi| PollInput {
        score_min: Some(lo),
        score_max: Some(hi),
        options: vec!["a".into(), "b".into()],
        ..input("score")
    };
    assert!(scores(5, 5).parse(NOW).unwrap_err().get("score_max").is_some());
    assert!(scores(0, 101).parse(NOW).unwrap_err().get("score_max").is_some());
    let dots = PollInput {
        dots_per_person: Some(0),
        options: vec!["a".into(), "b".into()],
        ..input("dot_vote")
    };
    assert!(dots.parse(NOW).unwrap_err().get("dots_per_person").is_some());
}

fn rules(kind: PollKind) -> VoteRules {
    VoteRules {
        kind,
        min_choices: 1,
        max_choices: 2,
        none_of_the_above: false,
        dots_per_person: 8,
        score_min: 0,
        score_max: 5,
        reason: ReasonRule::Optional,
    }
}

fn vote(choices: &[(i64, i64)], reason: &str) -> VoteInput {
    VoteInput {
        choices: choices
            .iter()
            .map(|&(option, value)| Choice { option, value })
            .collect(),
        reason: reason.into(),
    }
}

const OPTIONS: [i64; 3] = [10, 11, 12];

/// (kind, the vote, accepted?)
#[test]
fn votes_are_checked_against_their_poll() {
    use PollKind::*;
    #[rustfmt::skip]
    let table: Vec<(PollKind, VoteInput, Option<&str>)> = vec![
        (Proposal, vote(&[(10, 1)], ""), None),
        (Proposal, vote(&[], ""), Some("choices")),
        (Proposal, vote(&[(10, 1), (11, 1)], ""), Some("choices")),
        (Proposal, vote(&[(99, 1)], ""), Some("choices")),
        (Check, vote(&[(12, 7)], ""), None),
        (Poll, vote(&[(10, 1), (11, 1)], ""), None),
        (Poll, vote(&[(10, 1), (10, 1)], ""), Some("choices")),
        (Poll, vote(&[(10, 1), (11, 1), (12, 1)], ""), Some("choices")),
        (Poll, vote(&[], ""), Some("choices")),
        (Score, vote(&[(10, 5), (11, 0)], ""), None),
        (Score, vote(&[(10, 6)], ""), Some("choices")),
        (Score, vote(&[(10, -1)], ""), Some("choices")),
        (DotVote, vote(&[(10, 5), (11, 3)], ""), None),
        (DotVote, vote(&[(10, 5), (11, 4)], ""), Some("choices")),
        (DotVote, vote(&[(10, 0)], ""), Some("choices")),
        (DotVote, vote(&[(10, -2), (11, 9)], ""), Some("choices")),
        (DotVote, vote(&[(10, i64::MAX), (11, i64::MAX)], ""), Some("choices")),
        (Question, vote(&[], "Tuesdays suit me"), None),
        (Question, vote(&[(10, 1)], "x"), Some("choices")),
    ];
    for (kind, input, refused) in table {
        let result = rules(kind).check(&OPTIONS, &input);
        match refused {
            None => assert!(result.is_ok(), "{kind:?} {input:?}: {:?}", result.err()),
            Some(field) => assert!(
                result.as_ref().err().and_then(|e| e.get(field)).is_some(),
                "{kind:?} {input:?} should be refused on {field}: {result:?}"
            ),
        }
    }
    let none = VoteRules {
        none_of_the_above: true,
        ..rules(PollKind::Poll)
    };
    assert!(none.check(&OPTIONS, &vote(&[], "")).is_ok(), "none of the above");
    let required = VoteRules {
        reason: ReasonRule::Required,
        ..rules(PollKind::Proposal)
    };
    assert!(
        required
            .check(&OPTIONS, &vote(&[(10, 1)], "  "))
            .unwrap_err()
            .get("reason")
            .is_some()
    );
    let disabled = VoteRules {
        reason: ReasonRule::Disabled,
        ..rules(PollKind::Proposal)
    };
    assert_eq!(disabled.check(&OPTIONS, &vote(&[(10, 1)], "why")).unwrap().reason, "");
    let question = VoteRules {
        reason: ReasonRule::Required,
        ..rules(PollKind::Question)
    };
    assert!(
        question
            .check(&OPTIONS, &vote(&[], ""))
            .unwrap_err()
            .get("reason")
            .is_some()
    );
}

#[test]
fn a_poll_is_closed_from_its_closing_time_even_before_the_job_runs() {
    let close = NOW.plus(Duration::hours(1));
    assert_eq!(PollState::at(NOW, None, close, None), PollState::Open);
    assert_eq!(PollState::at(close, None, close, None), PollState::Closed);
    assert_eq!(
        PollState::at(NOW, Some(NOW.plus(Duration::minutes(1))), close, None),
        PollState::Scheduled
    );
    assert_eq!(PollState::at(NOW, None, close, Some(NOW)), PollState::Closed);
}

fn kinds() -> impl Strategy<Value = PollKind> {
    prop::sample::select(PollKind::ALL.to_vec())
}

fn raw_votes() -> impl Strategy<Value = Vec<Vec<(i64, i64)>>> {
    prop::collection::vec(prop::collection::vec((8_i64..14, -3_i64..12), 0..5), 0..40)
}

proptest! {
    /// Whatever is cast, an accepted dot vote never exceeds the allowance, an accepted score stays
    /// in range, a single-choice vote holds one option, and every choice is one of the poll's.
    #[test]
    fn accepted_votes_keep_the_poll_rules(kind in kinds(), raw in prop::collection::vec((8_i64..14, -3_i64..12), 0..6), dots in 1_i64..10) {
        let r = VoteRules { dots_per_person: dots, ..rules(kind) };
        if let Ok(ballot) = r.check(&OPTIONS, &vote(&raw, "because")) {
            prop_assert!(ballot.choices.iter().all(|c| OPTIONS.contains(&c.option)));
            prop_assert!(ballot.choices.windows(2).all(|w| w[0].option < w[1].option));
            match kind {
                PollKind::DotVote => {
                    let total: i64 = ballot.choices.iter().map(|c| c.value).sum();
                    prop_assert!(total >= 1 && total <= dots, "{} dots of {}", total, dots);
                    prop_assert!(ballot.choices.iter().all(|c| c.value > 0));
                }
                PollKind::Score => prop_assert!(ballot.choices.iter().all(|c| (0..=5).contains(&c.value))),
                PollKind::Proposal | PollKind::Check | PollKind::Count => {
                    prop_assert_eq!(ballot.choices.len(), 1);
                    prop_assert_eq!(ballot.choices[0].value, 1);
                }
                PollKind::Poll => prop_assert!((1..=2).contains(&ballot.choices.len())),
                PollKind::Question => prop_assert!(ballot.choices.is_empty()),
                PollKind::Meeting => prop_assert!(ballot.choices.iter().all(|c| (1..=2).contains(&c.value))),
                PollKind::RankedChoice => {
                    let mut ranks: Vec<i64> = ballot.choices.iter().map(|c| c.value).collect();
                    ranks.sort_unstable();
                    prop_assert_eq!(ranks, (1..=ballot.choices.len() as i64).collect::<Vec<_>>());
                    prop_assert!(ballot.choices.len() as i64 >= r.min_choices);
                }
            }
        }
    }

    /// No vote is lost or counted twice: each option's voters and total are exactly what the
    /// ballots give it, everyone is counted once, and neither the order of the ballots nor the
    /// (shuffled) order of the options changes any option's figures.
    #[test]
    fn the_tally_counts_every_ballot_once_in_any_order(kind in kinds(), raw in raw_votes(), seed in any::<u64>()) {
        let r = rules(kind);
        let ballots: Vec<Ballot> = raw.iter().filter_map(|v| r.check(&OPTIONS, &vote(v, "r")).ok()).collect();
        let slices: Vec<&[Choice]> = ballots.iter().map(|b| b.choices.as_slice()).collect();
        let tally = Tally::count(&OPTIONS, slices.iter().copied());
        prop_assert_eq!(tally.voters, ballots.len() as u64);
        for o in OPTIONS {
            let given: Vec<i64> = ballots.iter().flat_map(|b| b.choices.iter().filter(|c| c.option == o).map(|c| c.value)).collect();
            let result = tally.of(o).unwrap();
            prop_assert_eq!(result.voters, given.len() as u64);
            prop_assert_eq!(result.total, given.iter().sum::<i64>());
        }
        prop_assert_eq!(tally.total, ballots.iter().flat_map(|b| &b.choices).map(|c| c.value).sum::<i64>());
        prop_assert_eq!(tally.without_choice, ballots.iter().filter(|b| b.choices.is_empty()).count() as u64);

        // Reverse the ballots and rotate the options by the seed: the same figures per option.
        let mut options = OPTIONS.to_vec();
        options.rotate_left(usize::try_from(seed % 3).unwrap());
        let reversed = Tally::count(&options, slices.iter().rev().copied());
        for o in OPTIONS {
            prop_assert_eq!(tally.of(o), reversed.of(o));
        }
        prop_assert_eq!(tally.voters, reversed.voters);
        let shares: f64 = tally.options.iter().map(|o| tally.share_of_total(o)).sum();
        prop_assert!(tally.total == 0 || (shares - 100.0).abs() < 1e-6);
    }
}

#[test]
fn closing_times_are_read_from_forms_and_the_api() {
    let utc = Timestamp::parse_local("2026-12-09T18:00", 0).unwrap();
    assert_eq!(utc.rfc3339(), "2026-12-09T18:00:00Z");
    assert_eq!(
        Timestamp::parse_local("2026-12-09T18:00", 60).unwrap().rfc3339(),
        "2026-12-09T17:00:00Z"
    );
    assert_eq!(Timestamp::parse_rfc3339("2026-12-09T19:00:00+01:00"), Some(utc));
    assert_eq!(utc.local_input_utc(), "2026-12-09T18:00");
    for bad in ["", "tomorrow", "2026-13-01T10:00", "18:00"] {
        assert_eq!(Timestamp::parse_local(bad, 0), None, "{bad:?}");
    }
}

#[test]
fn without_a_template_or_kind_a_poll_is_a_proposal() {
    let spec = PollInput {
        kind: String::new(),
        ..input("")
    }
    .parse(NOW)
    .unwrap();
    assert_eq!(spec.kind, PollKind::Proposal);
    assert_eq!(spec.options, ["Agree", "Abstain", "Disagree"]);
}

fn ranked(counting: &str, options: usize) -> PollInput {
    PollInput {
        counting: counting.into(),
        options: (1..=options).map(|n| format!("Candidate {n}")).collect(),
        ..input("ranked_choice")
    }
}

#[test]
fn ranked_choice_polls_choose_their_count_and_seats() {
    let borda = ranked("", 5).parse(NOW).unwrap();
    assert_eq!(borda.counting, Counting::Borda);
    assert_eq!(
        (borda.rules.min_choices, borda.rules.max_choices),
        (3, 5),
        "rank at least 3 of 5"
    );
    let stv = PollInput {
        seats: Some(3),
        min_choices: Some(1),
        ..ranked("stv", 5)
    }
    .parse(NOW)
    .unwrap();
    assert_eq!((stv.counting, stv.seats, stv.rules.min_choices), (Counting::Stv, 3, 1));
    assert_eq!(ranked("stv", 5).parse(NOW).unwrap().seats, 2, "two seats unless told");
    assert_eq!(ranked("instant_runoff", 2).parse(NOW).unwrap().rules.min_choices, 2);
    #[rustfmt::skip]
    let refused: Vec<(&str, PollInput, &str)> = vec![
        ("as many seats as options", PollInput { seats: Some(5), ..ranked("stv", 5) }, "seats"),
        ("no seats", PollInput { seats: Some(0), ..ranked("stv", 5) }, "seats"),
        ("more ranks than options", PollInput { min_choices: Some(6), ..ranked("", 5) }, "min_choices"),
        ("an unknown count", ranked("approval", 5), "counting"),
        ("a pass test", PollInput { pass_tests: vec![input::PassTestInput { option: "Candidate 1".into(), percent: Some(50), ..Default::default() }], ..ranked("", 3) }, "pass_tests"),
    ];
    for (what, input, field) in refused {
        let errors = input.parse(NOW).expect_err(what);
        assert!(errors.first(field).is_some(), "{what}: {errors:?}");
    }
}

#[test]
fn a_ranking_gives_each_rank_once_from_one() {
    let spec = PollInput {
        min_choices: Some(2),
        ..ranked("stv", 4)
    }
    .parse(NOW)
    .unwrap();
    let options = [10, 20, 30, 40];
    let vote = |ranks: &[(i64, i64)]| VoteInput {
        choices: ranks.iter().map(|&(option, value)| Choice { option, value }).collect(),
        reason: String::new(),
    };
    let ok = spec.rules.check(&options, &vote(&[(30, 1), (10, 2), (20, 0)])).unwrap();
    assert_eq!(ok.choices.len(), 2, "an unranked option is not a choice");
    assert_eq!(ranked::ranking_of(&ok.choices), [30, 10]);
    for (what, ranks) in [
        ("a gap", vec![(10, 1), (20, 3)]),
        ("a rank twice", vec![(10, 1), (20, 1)]),
        ("not from one", vec![(10, 2), (20, 3)]),
        ("too few", vec![(10, 1)]),
        ("a negative rank", vec![(10, 1), (20, -2)]),
        ("an option twice", vec![(10, 1), (10, 2)]),
    ] {
        assert!(spec.rules.check(&options, &vote(&ranks)).is_err(), "{what}");
    }
}

#[test]
fn pass_tests_and_quorum_at_their_boundaries() {
    let tally = Tally::count(
        &[1, 2],
        [
            &[Choice { option: 1, value: 1 }][..],
            &[Choice { option: 1, value: 1 }],
            &[Choice { option: 2, value: 1 }],
        ],
    );
    let agree = tally.of(1).unwrap();
    let test = |operator, percent, of| PassTest { operator, percent, of }.passes(&tally, agree);
    assert!(
        test(PassOperator::AtLeast, 66, ShareOf::Voters),
        "2 of 3 is at least 66%"
    );
    assert!(!test(PassOperator::AtLeast, 67, ShareOf::Voters), "2 of 3 is below 67%");
    assert!(test(PassOperator::AtMost, 67, ShareOf::Votes));
    assert!(!test(PassOperator::AtMost, 66, ShareOf::Votes));
    let nothing = Tally::count(&[1, 2], std::iter::empty());
    let none = nothing.of(1).unwrap();
    assert!(
        !PassTest {
            operator: PassOperator::AtLeast,
            percent: 1,
            of: ShareOf::Votes
        }
        .passes(&nothing, none),
        "no votes pass nothing"
    );
    assert!(
        PassTest {
            operator: PassOperator::AtMost,
            percent: 10,
            of: ShareOf::Voters
        }
        .passes(&nothing, none)
    );

    // 40% of 25 people is 10 votes: 9 is short, 10 reaches it; 1% of 1 person is 1.
    let q = |voted, eligible, percent| Quorum {
        percent,
        eligible,
        voted,
    };
    assert_eq!(q(0, 25, 40).needed(), 10);
    assert!(!q(9, 25, 40).reached());
    assert!(q(10, 25, 40).reached());
    assert!(!q(0, 1, 1).reached());
    assert!(q(7, 7, 100).reached());
    assert_eq!(q(0, 3, 50).needed(), 2, "half of 3 rounds up");

    let with_tests = PollInput {
        options: vec!["Agree".into(), "Disagree".into()],
        quorum_percent: Some(50),
        pass_tests: vec![
            input::PassTestInput {
                option: "agree".into(),
                operator: "at_least".into(),
                percent: Some(60),
                of: "voters".into(),
            },
            input::PassTestInput::default(),
        ],
        ..input("poll")
    }
    .parse(NOW)
    .unwrap();
    assert_eq!(with_tests.quorum_percent, Some(50));
    assert_eq!(
        with_tests.pass_tests[0].map(|t| t.percent),
        Some(60),
        "matched by name, any case"
    );
    assert_eq!(with_tests.pass_tests[1], None);
    #[rustfmt::skip]
    let refused: Vec<(&str, Vec<input::PassTestInput>, Option<i64>)> = vec![
        ("an unknown option", vec![input::PassTestInput { option: "Maybe".into(), percent: Some(5), ..Default::default() }], None),
        ("no percent", vec![input::PassTestInput { option: "Agree".into(), ..Default::default() }], None),
        ("over 100%", vec![input::PassTestInput { option: "Agree".into(), percent: Some(101), ..Default::default() }], None),
        ("an unknown operator", vec![input::PassTestInput { option: "Agree".into(), operator: "about".into(), percent: Some(5), ..Default::default() }], None),
        ("twice", vec![input::PassTestInput { option: "Agree".into(), percent: Some(5), ..Default::default() }, input::PassTestInput { option: "AGREE".into(), percent: Some(6), ..Default::default() }], None),
        ("a quorum of 0", vec![], Some(0)),
        ("a quorum over 100", vec![], Some(101)),
    ];
    for (what, pass_tests, quorum_percent) in refused {
        let i = PollInput {
            options: vec!["Agree".into(), "Disagree".into()],
            pass_tests,
            quorum_percent,
            ..input("poll")
        };
        let errors = i.parse(NOW).expect_err(what);
        assert!(
            errors.first("pass_tests").is_some() || errors.first("quorum_percent").is_some(),
            "{what}: {errors:?}"
        );
    }
}

#[test]
fn meeting_slots_are_instants_across_zones_and_clock_changes() {
    use meeting::{Zone, parse_slot};
    let berlin = Zone::parse("Europe/Berlin").unwrap();
    let auckland = Zone::parse("Pacific/Auckland").unwrap();
    assert!(Zone::parse("Mars/Olympus").is_err());
    assert!(Zone::parse("").is_err());

    // Saturday evening in Berlin (CET, +01:00) is Sunday morning in Auckland (NZDT, +13:00).
    let slot = parse_slot("2026-03-28 20:00", &berlin).unwrap();
    assert_eq!(slot.rfc3339(), "2026-03-28T19:00:00Z");
    assert_eq!(berlin.slot_label(slot, 60), "Sat 28 Mar 2026, 20:00–21:00 CET");
    assert_eq!(auckland.slot_label(slot, 60), "Sun 29 Mar 2026, 08:00–09:00 NZDT");
    assert_eq!(
        parse_slot("2026-03-29T08:00", &auckland).unwrap(),
        slot,
        "the same instant typed in Auckland"
    );

    // Berlin's clocks go forward on 29 March 2026: the same 10:00 is an hour earlier in UTC after.
    let before = parse_slot("2026-03-28 10:00", &berlin).unwrap();
    let after = parse_slot("2026-03-30 10:00", &berlin).unwrap();
    assert_eq!(before.rfc3339(), "2026-03-28T09:00:00Z");
    assert_eq!(after.rfc3339(), "2026-03-30T08:00:00Z");
    assert_eq!(berlin.slot_label(after, 90), "Mon 30 Mar 2026, 10:00–11:30 CEST");
    // In Auckland the clocks go back on 5 April: a slot across it reads in each side's offset.
    let evening = parse_slot("2026-04-04 20:00", &berlin).unwrap();
    assert_eq!(auckland.slot_label(evening, 60), "Sun 5 Apr 2026, 06:00–07:00 NZST");
    let err = parse_slot("2026-03-29 02:30", &berlin).unwrap_err();
    assert!(err.message.contains("does not exist"), "{}", err.message);
    let err = parse_slot("2026-10-25 02:30", &berlin).unwrap_err();
    assert!(err.message.contains("happens twice"), "{}", err.message);
    assert!(parse_slot("next tuesday", &berlin).is_err());
    assert_eq!(
        berlin.slot_label(parse_slot("2026-12-31 23:00", &berlin).unwrap(), 120),
        "Thu 31 Dec 2026, 23:00–Fri 1 Jan, 01:00 CET"
    );

    let spec = PollInput {
        options: vec!["2026-12-11 09:00".into(), "2026-12-10 14:00".into()],
        time_zone: "Europe/Berlin".into(),
        ..input("meeting")
    }
    .parse(NOW)
    .unwrap();
    assert_eq!(spec.options, ["2026-12-10 14:00", "2026-12-11 09:00"], "earliest first");
    assert_eq!(spec.slot_starts[0].rfc3339(), "2026-12-10T13:00:00Z");
    assert_eq!((spec.slot_minutes, spec.time_zone.as_str()), (60, "Europe/Berlin"));
    for (what, options, zone) in [
        ("no times", vec![], "UTC"),
        (
            "a time twice",
            vec!["2026-12-10 14:00".into(), "2026-12-10T14:00".into()],
            "UTC",
        ),
        ("an unknown zone", vec!["2026-12-10 14:00".into()], "Atlantis/Capital"),
        ("a skipped time", vec!["2026-03-29 02:30".into()], "Europe/Berlin"),
    ] {
        let i = PollInput {
            options,
            time_zone: zone.into(),
            ..input("meeting")
        };
        assert!(i.parse(NOW).is_err(), "{what}");
    }

    // Every slot answered; "no" is no choice; the best slot is most yes, then if need be.
    let rules = VoteRules {
        kind: PollKind::Meeting,
        ..rules(PollKind::Meeting)
    };
    let answer = |v: &[(i64, i64)]| rules.check(&[1, 2, 3], &vote(v, ""));
    assert_eq!(answer(&[(1, 2), (2, 0), (3, 1)]).unwrap().choices.len(), 2);
    assert!(answer(&[(1, 2), (2, 0)]).is_err(), "every time answered");
    assert!(answer(&[(1, 3), (2, 0), (3, 0)]).is_err(), "yes, if need be or no");
    let t = |h: i64| NOW.plus(crate::Duration::minutes(h * 60));
    assert_eq!(
        meeting::best_slot(&[(1, t(1), 2, 0), (2, t(2), 2, 1), (3, t(3), 1, 5)]),
        Some(2)
    );
    assert_eq!(
        meeting::best_slot(&[(1, t(2), 1, 1), (2, t(1), 1, 1)]),
        Some(2),
        "then the earliest"
    );
    assert_eq!(meeting::best_slot(&[(1, t(1), 0, 0)]), None, "nobody can");
    assert_eq!(meeting::answers_of(3, 5), (2, 1), "two yes and one if need be");
}
