//! Polls over HTTP on both databases: raising, voting with reasons, changing and withdrawing,
//! closing early and on time (also across a restart and two instances), outcomes; the permission
//! table; hidden results and anonymous votes that leak nothing; bad input that stores nothing;
//! 200 voters at once.

use reqwest::Method;
use serde_json::{Value, json};
use weft_domain::permissions::Role;

use crate::groups::{add_member, create};
use crate::helpers::{Client, TestApp};
use crate::threads::start;
use crate::{on_both, on_both_with};

const PASSWORD: &str = "correct horse battery staple";

on_both!(
    a_proposal_is_raised_voted_on_changed_closed_and_concluded,
    every_kind_counts_its_votes,
    the_poll_permission_table_holds_over_http,
    bad_polls_and_votes_are_explained_and_nothing_is_stored,
    hidden_results_stay_hidden_everywhere_until_they_may_be_seen,
    an_anonymous_vote_is_linked_to_nobody_in_any_table,
    polls_close_on_time_through_the_job_queue,
    votes_follow_the_privacy_promises,
    a_polls_emails_reach_the_right_people,
    a_poll_changes_until_its_first_vote_and_opens_when_scheduled,
);

on_both_with!(
    super::many_connections;
    two_hundred_voters_at_once_are_each_counted_once,
);

/// 200 voters with two tabs each open 400 connections from one address at once.
fn many_connections(c: &mut weft::config::ServeConfig) {
    c.connections.per_client = 1_024;
}

pub(crate) fn chrono_now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// An RFC 3339 time `seconds` from now.
pub(crate) fn from_now(seconds: i64) -> String {
    weft_domain::Timestamp::from_micros((chrono_now() + seconds) * 1_000_000).rfc3339()
}

pub(crate) async fn raise(c: &Client, thread: &str, body: Value) -> Value {
    let mut body = body;
    if body.get("closing_at").is_none() {
        body["closing_at"] = json!(from_now(7 * 24 * 3600));
    }
    let res = c.post_json(&format!("/api/v1/threads/{thread}/polls"), &body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.json()
}

pub(crate) async fn vote(c: &Client, poll: &str, choices: Value, reason: &str) -> crate::helpers::Response {
    c.post_json(
        &format!("/api/v1/polls/{poll}/votes"),
        &json!({"choices": choices, "reason": reason}),
    )
    .await
}

pub(crate) fn option(poll: &Value, name: &str) -> i64 {
    poll["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == name)
        .unwrap_or_else(|| panic!("no option {name} in {poll}"))["id"]
        .as_i64()
        .unwrap()
}

fn row<'a>(poll: &'a Value, name: &str) -> &'a Value {
    poll["results"]["options"]
        .as_array()
        .unwrap_or_else(|| panic!("no results in {poll}"))
        .iter()
        .find(|o| o["name"] == name)
        .unwrap()
}

/// The running totals the results read equal a count of the current votes' rows.
async fn totals_match_the_votes(app: &TestApp, key: &str) {
    let mut conn = app.db_conn().await;
    let poll = weft_store::polls::find_by_key(&mut conn, key).await.unwrap().unwrap();
    let kept = weft_store::polls::totals(&mut conn, poll.id).await.unwrap();
    let counted = weft_store::polls::recount(&mut conn, poll.id).await.unwrap();
    assert_eq!(kept, counted, "running totals against a recount of {key}");
    let current: i64 = weft_store::query(format!(
        "SELECT COUNT(*) FROM votes WHERE poll_id = {} AND current = 1",
        poll.id.0
    ))
    .fetch_scalar(&mut conn)
    .await
    .unwrap();
    assert_eq!(poll.voter_count, current, "turnout against current votes of {key}");
}

struct Group {
    ann: Client,
    bob: Client,
    cat: Client,
    group: String,
    thread: String,
}

/// Ann coordinates a group with Bob and Cat as members and a thread to decide in.
async fn group(app: &TestApp) -> Group {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let cat = app.signed_in_user("Cat", "cat@example.org", PASSWORD).await;
    let group = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &group, &bob, Role::Member).await;
    add_member(app, &group, &cat, Role::Member).await;
    let thread = start(&ann, &group, "Compost", "Where does the heap go?", "private").await;
    Group {
        ann,
        bob,
        cat,
        group,
        thread,
    }
}

async fn a_proposal_is_raised_voted_on_changed_closed_and_concluded(app: &TestApp) {
    let g = group(app).await;
    // Raised through the page form, as a browser without JavaScript does.
    let form = g.ann.get(&format!("/t/{}/polls/new", g.thread)).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let res = g
        .ann
        .post_form(
            &format!("/t/{}/polls/new", g.thread),
            &[
                ("template", "proposal"),
                ("title", "Put the heap by the shed"),
                ("details", "It gets **sun** there."),
                (
                    "closing_at",
                    &weft_domain::Timestamp::from_micros((chrono_now() + 86_400) * 1_000_000).local_input_utc(),
                ),
                ("reason", "optional"),
                ("hide_results", "off"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let key = res
        .location()
        .trim_start_matches("/p/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let page = g.bob.get(&format!("/p/{key}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Put the heap by the shed") && page.body.contains("<strong>sun</strong>"));
    assert!(page.body.contains("name=\"choice\""), "Bob is offered the vote form");

    // Bob votes through the page with a reason, then changes his mind through the API.
    let poll = g.bob.get(&format!("/api/v1/polls/{key}")).await.json();
    let agree = option(&poll, "Agree").to_string();
    let disagree = option(&poll, "Disagree");
    let res = g
        .bob
        .post_form(
            &format!("/p/{key}/vote"),
            &[("choice", &agree), ("reason", "Sun makes it rot faster.")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = vote(&g.bob, &key, json!([{"option": disagree}]), "Too close to the window.").await;
    assert_eq!(res.status, 200, "{}", res.body);
    let poll = res.json();
    assert_eq!(poll["voter_count"], 1, "a changed vote is still one vote");
    assert_eq!(row(&poll, "Agree")["voters"], 0, "only the latest version counts");
    assert_eq!(row(&poll, "Disagree")["voters"], 1);
    assert_eq!(poll["my_vote"]["reason"], "Too close to the window.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM votes").await,
        2,
        "the earlier version stays in the history"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM votes WHERE current = 1").await, 1);
    totals_match_the_votes(app, &key).await;

    // Cat votes; the voters and their reasons are listed; the timeline tells the story.
    let res = vote(&g.cat, &key, json!([{"option": option(&poll, "Agree")}]), "").await;
    assert_eq!(res.status, 200, "{}", res.body);
    let votes = g.ann.get(&format!("/api/v1/polls/{key}/votes")).await.json();
    assert_eq!(votes["votes"].as_array().unwrap().len(), 2, "{votes}");
    let page = g.ann.get(&format!("/p/{key}")).await.body;
    assert!(
        page.contains("Too close to the window.") && page.contains("Not voted yet: 1"),
        "{page}"
    );
    assert!(
        page.contains("<svg class=\"chart chart-pie\""),
        "a proposal's results are a pie"
    );
    assert!(page.contains("Disagree</th>"), "and the same figures as a table");
    let thread = g.cat.get(&format!("/t/{}", g.thread)).await.body;
    assert!(
        thread.contains("Ann raised") && thread.contains("Bob voted on"),
        "{thread}"
    );

    // Bob withdraws and votes again; Ann closes early; a vote after closing is refused.
    let res = g
        .bob
        .request_json(Method::DELETE, &format!("/api/v1/polls/{key}/votes/mine"), None)
        .await;
    assert_eq!(res.status, 204, "{}", res.body);
    let poll = g.bob.get(&format!("/api/v1/polls/{key}")).await.json();
    assert_eq!(poll["voter_count"], 1);
    assert_eq!(poll["my_vote"], Value::Null);
    assert_eq!(vote(&g.bob, &key, json!([{"option": disagree}]), "").await.status, 200);
    assert_eq!(
        g.bob
            .post_json(&format!("/api/v1/polls/{key}/close"), &json!({}))
            .await
            .status,
        403,
        "only its author or a coordinator closes it"
    );
    let res = g.ann.post_form(&format!("/p/{key}/close"), &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let late = vote(&g.cat, &key, json!([{"option": disagree}]), "").await;
    assert_eq!(late.status, 403, "a closed poll takes no votes: {}", late.body);
    let closed = g.ann.get(&format!("/api/v1/polls/{key}")).await.json();
    assert_eq!(closed["state"], "closed");
    assert_eq!(row(&closed, "Agree")["voters"], 1);
    assert_eq!(row(&closed, "Disagree")["voters"], 1);

    // The outcome, then reopening (not anonymous, so it may).
    let res = g
        .ann
        .post_form(
            &format!("/p/{key}/outcome"),
            &[("statement", "We **wait** a season."), ("option", "")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let poll = g.cat.get(&format!("/api/v1/polls/{key}")).await.json();
    assert_eq!(poll["outcome"]["statement"], "We **wait** a season.");
    assert!(
        g.cat
            .get(&format!("/t/{}", g.thread))
            .await
            .body
            .contains("wrote the outcome of")
    );
    let res = g
        .ann
        .post_json(
            &format!("/api/v1/polls/{key}/reopen"),
            &json!({"closing_at": from_now(3 * 86_400)}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["state"], "open");
}

/// Each kind tallied as Loomio counts it: scores averaged, dots summed, choices per voter.
async fn every_kind_counts_its_votes(app: &TestApp) {
    let g = group(app).await;
    let check = raise(&g.ann, &g.thread, json!({"kind": "check", "title": "Sense check"})).await;
    assert_eq!(check["options"].as_array().unwrap().len(), 3);
    let poll = raise(&g.ann, &g.thread, json!({"kind": "poll", "title": "Which day?", "options": ["Mon", "Tue", "Wed"], "max_choices": 2, "none_of_the_above": true})).await;
    let score = raise(
        &g.ann,
        &g.thread,
        json!({"kind": "score", "title": "Rate them", "options": ["A", "B"]}),
    )
    .await;
    let dots = raise(
        &g.ann,
        &g.thread,
        json!({"kind": "dot_vote", "title": "Spend dots", "options": ["X", "Y"], "dots_per_person": 10}),
    )
    .await;
    let count = raise(
        &g.ann,
        &g.thread,
        json!({"kind": "count", "title": "Who comes?", "target": 2}),
    )
    .await;
    let question = raise(&g.ann, &g.thread, json!({"kind": "question", "title": "Ideas?"})).await;
    let k = |p: &Value| p["key"].as_str().unwrap().to_owned();

    assert_eq!(
        vote(
            &g.bob,
            &k(&poll),
            json!([{"option": option(&poll, "Mon")}, {"option": option(&poll, "Tue")}]),
            ""
        )
        .await
        .status,
        200
    );
    assert_eq!(
        vote(&g.cat, &k(&poll), json!([]), "").await.status,
        200,
        "none of the above"
    );
    assert_eq!(
        vote(
            &g.bob,
            &k(&score),
            json!([{"option": option(&score, "A"), "value": 5}, {"option": option(&score, "B"), "value": 1}]),
            ""
        )
        .await
        .status,
        200
    );
    assert_eq!(
        vote(
            &g.cat,
            &k(&score),
            json!([{"option": option(&score, "A"), "value": 2}]),
            ""
        )
        .await
        .status,
        200
    );
    assert_eq!(
        vote(
            &g.bob,
            &k(&dots),
            json!([{"option": option(&dots, "X"), "value": 7}, {"option": option(&dots, "Y"), "value": 3}]),
            ""
        )
        .await
        .status,
        200
    );
    assert_eq!(
        vote(&g.bob, &k(&count), json!([{"option": option(&count, "I'm in")}]), "")
            .await
            .status,
        200
    );
    assert_eq!(vote(&g.bob, &k(&question), json!([]), "Plant beans").await.status, 200);

    for p in [&poll, &score, &dots, &count, &question] {
        totals_match_the_votes(app, &k(p)).await;
    }
    let poll = g.ann.get(&format!("/api/v1/polls/{}", k(&poll))).await.json();
    assert_eq!(poll["results"]["voters"], 2);
    assert_eq!(poll["results"]["without_choice"], 1);
    assert_eq!(row(&poll, "Mon")["voters"], 1);
    assert_eq!(row(&poll, "Mon")["share_of_voters"], 50.0);
    let score = g.ann.get(&format!("/api/v1/polls/{}", k(&score))).await.json();
    assert_eq!(row(&score, "A")["total"], 7);
    assert_eq!(row(&score, "A")["average"], 3.5);
    assert_eq!(row(&score, "B")["average"], 1.0);
    let dots = g.ann.get(&format!("/api/v1/polls/{}", k(&dots))).await.json();
    assert_eq!(row(&dots, "X")["share_of_total"], 70.0);
    let page = g.ann.get(&format!("/p/{}", k(&dots))).await.body;
    assert!(page.contains("<svg class=\"chart\""), "bars for a dot vote");
    let question = g.ann.get(&format!("/p/{}", k(&question))).await.body;
    assert!(question.contains("Plant beans"), "answers are listed");
}

/// Who may do what with a poll, over HTTP: (who, action) → status.
async fn the_poll_permission_table_holds_over_http(app: &TestApp) {
    let g = group(app).await;
    let eve = app.signed_in_user("Eve", "eve@example.org", PASSWORD).await;
    let visitor = app.client();
    let poll = raise(
        &g.ann,
        &g.thread,
        json!({"template": "proposal", "title": "Paint the shed"}),
    )
    .await;
    let key = poll["key"].as_str().unwrap().to_owned();
    let agree = option(&poll, "Agree");
    // The private thread's poll is hidden from outsiders and visitors.
    for (who, c) in [("outsider", &eve), ("visitor", &visitor)] {
        assert_eq!(
            c.get(&format!("/api/v1/polls/{key}")).await.status,
            404,
            "{who} sees nothing"
        );
        assert_eq!(c.get(&format!("/p/{key}")).await.status, 404, "{who}: page");
        let res = vote(c, &key, json!([{"option": agree}]), "").await;
        // A visitor is asked to log in (as for any route); the outsider finds nothing.
        let expected = if who == "visitor" { 401 } else { 404 };
        assert_eq!(res.status, expected, "{who} cannot vote: {}", res.body);
    }
    #[rustfmt::skip]
    let table: [(&str, &Client, u16, u16, u16); 2] = [
        // who, vote, close, raise another
        ("member", &g.bob, 200, 403, 201),
        ("coordinator", &g.ann, 200, 200, 201),
    ];
    for (who, c, vote_status, close_status, raise_status) in table {
        assert_eq!(
            vote(c, &key, json!([{"option": agree}]), "").await.status,
            vote_status,
            "{who} votes"
        );
        let res = c
            .post_json(
                &format!("/api/v1/threads/{}/polls", g.thread),
                &json!({"title": "Another", "closing_at": from_now(86_400)}),
            )
            .await;
        assert_eq!(res.status, raise_status, "{who} raises: {}", res.body);
        let res = c.post_json(&format!("/api/v1/polls/{key}/close"), &json!({})).await;
        assert_eq!(res.status, close_status, "{who} closes: {}", res.body);
    }
    // The group flag decides who raises.
    let res = g
        .ann
        .request_json(Method::PATCH, &format!("/api/v1/groups/{}", g.group), Some(&json!({"name": "Garden", "privacy": "closed", "join_policy": "approval", "flags": {"members_can_raise_polls": false, "members_can_start_threads": true, "members_can_edit_threads": true, "members_can_edit_comments": true, "members_can_delete_comments": true, "members_can_add_guests": true, "members_can_announce": true, "members_can_add_members": false, "members_can_create_subgroups": false}})))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let denied = g
        .bob
        .post_json(
            &format!("/api/v1/threads/{}/polls", g.thread),
            &json!({"title": "Mine", "closing_at": from_now(86_400)}),
        )
        .await;
    assert_eq!(denied.status, 403, "members may not raise polls here: {}", denied.body);
    assert!(
        !g.bob
            .get(&format!("/t/{}", g.thread))
            .await
            .body
            .contains("Raise a proposal"),
        "nor are they offered to"
    );
    let threads = g.bob.get(&format!("/api/v1/threads/{}", g.thread)).await.json();
    assert!(
        !threads["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("raise_poll"))
    );
    assert_eq!(
        g.ann
            .post_json(
                &format!("/api/v1/threads/{}/polls", g.thread),
                &json!({"title": "Coordinators may", "closing_at": from_now(86_400)})
            )
            .await
            .status,
        201
    );
}

async fn bad_polls_and_votes_are_explained_and_nothing_is_stored(app: &TestApp) {
    let g = group(app).await;
    let polls_before = app.count("SELECT COUNT(*) FROM polls").await;
    #[rustfmt::skip]
    let bad_polls: [(Value, &str); 6] = [
        (json!({"title": "", "closing_at": from_now(86_400)}), "title"),
        (json!({"title": "No end"}), "closing_at"),
        (json!({"title": "Past", "closing_at": from_now(-60)}), "closing_at"),
        (json!({"title": "Odd", "closing_at": "next tuesday"}), "closing_at"),
        (json!({"kind": "poll", "title": "One", "options": ["Only"], "closing_at": from_now(86_400)}), "options"),
        (json!({"kind": "approval", "title": "Later", "closing_at": from_now(86_400)}), "kind"),
    ];
    for (body, field) in bad_polls {
        let res = g
            .ann
            .post_json(&format!("/api/v1/threads/{}/polls", g.thread), &body)
            .await;
        assert_eq!(res.status, 422, "{body}: {}", res.body);
        assert!(
            res.json()["errors"][field].is_array(),
            "{body}: expected an error on {field}: {}",
            res.body
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM polls").await,
        polls_before,
        "nothing half-written"
    );
    // The form shows the error next to the field.
    let res = g
        .ann
        .post_form(
            &format!("/t/{}/polls/new", g.thread),
            &[("template", "proposal"), ("title", ""), ("closing_at", "")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body.contains("id=\"title-error\"") && res.body.contains("Give the poll a title."),
        "{}",
        res.body
    );

    let dots = raise(
        &g.ann,
        &g.thread,
        json!({"kind": "dot_vote", "title": "Dots", "options": ["X", "Y"], "dots_per_person": 5}),
    )
    .await;
    let score = raise(
        &g.ann,
        &g.thread,
        json!({"kind": "score", "title": "Scores", "options": ["A", "B"]}),
    )
    .await;
    let reasoned = raise(
        &g.ann,
        &g.thread,
        json!({"template": "proposal", "title": "Why", "reason": "required"}),
    )
    .await;
    let k = |p: &Value| p["key"].as_str().unwrap().to_owned();
    #[rustfmt::skip]
    let bad_votes: Vec<(String, Value, &str, &str)> = vec![
        (k(&dots), json!([{"option": option(&dots, "X"), "value": 4}, {"option": option(&dots, "Y"), "value": 2}]), "", "choices"),
        (k(&score), json!([{"option": option(&score, "A"), "value": 9}]), "", "choices"),
        (k(&reasoned), json!([{"option": option(&reasoned, "Agree")}]), "  ", "reason"),
        (k(&reasoned), json!([{"option": option(&dots, "X")}]), "because", "choices"),
    ];
    for (poll, choices, reason, field) in bad_votes {
        let res = vote(&g.bob, &poll, choices.clone(), reason).await;
        assert_eq!(res.status, 422, "{choices}: {}", res.body);
        assert!(
            res.json()["errors"][field].is_array(),
            "{choices}: expected {field}: {}",
            res.body
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM votes").await, 0, "no vote stored");
    assert_eq!(app.count("SELECT COUNT(*) FROM vote_receipts").await, 0);
    // The page form keeps what was typed and says what is wrong.
    let res = g
        .bob
        .post_form(
            &format!("/p/{}/vote", k(&dots)),
            &[("value_".to_owned() + &option(&dots, "X").to_string()).as_str()]
                .iter()
                .map(|n| (*n, "9"))
                .collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("You have 5 dots; this places 9."), "{}", res.body);
    assert!(res.body.contains("value=\"9\""), "what was typed stays");
}

async fn hidden_results_stay_hidden_everywhere_until_they_may_be_seen(app: &TestApp) {
    let g = group(app).await;
    let until_closed = raise(
        &g.ann,
        &g.thread,
        json!({"template": "proposal", "title": "Secret ballot", "hide_results": "until_closed"}),
    )
    .await;
    let until_voted = raise(
        &g.ann,
        &g.thread,
        json!({"template": "proposal", "title": "Vote first", "hide_results": "until_voted"}),
    )
    .await;
    let k = |p: &Value| p["key"].as_str().unwrap().to_owned();
    assert_eq!(
        vote(
            &g.bob,
            &k(&until_closed),
            json!([{"option": option(&until_closed, "Disagree")}]),
            "My secret reason"
        )
        .await
        .status,
        200
    );
    assert_eq!(
        vote(
            &g.bob,
            &k(&until_voted),
            json!([{"option": option(&until_voted, "Disagree")}]),
            "Another secret"
        )
        .await
        .status,
        200
    );
    let mut stream = g.cat.events(&format!("/t/{}/live", g.thread)).await;

    // Until closed: nobody sees figures or reasons, the author and the voter included.
    for (who, c) in [("author", &g.ann), ("voter", &g.bob), ("member", &g.cat)] {
        let api = c.get(&format!("/api/v1/polls/{}", k(&until_closed))).await;
        assert_eq!(api.json()["results"], Value::Null, "{who}: API results");
        // The voter reads back their own vote (and reason); nobody reads anyone else's.
        assert!(
            !api.body.contains("My secret reason") || who == "voter",
            "{who}: API reason"
        );
        let page = c.get(&format!("/p/{}", k(&until_closed))).await.body;
        assert!(!page.contains("<svg") && !page.contains("vote-list"), "{who}: page");
        assert!(
            !page.contains("My secret reason") || who == "voter",
            "{who}: page reason"
        );
        assert!(page.contains("Results are hidden until the poll closes"), "{who}");
        assert_eq!(
            c.get(&format!("/api/v1/polls/{}/votes", k(&until_closed))).await.status,
            403,
            "{who}: votes list"
        );
    }
    // Until voted: Cat sees nothing until she votes, then everything.
    assert_eq!(
        g.cat.get(&format!("/api/v1/polls/{}", k(&until_voted))).await.json()["results"],
        Value::Null
    );
    assert!(
        !g.cat
            .get(&format!("/p/{}", k(&until_voted)))
            .await
            .body
            .contains("Another secret")
    );
    assert_eq!(
        vote(
            &g.cat,
            &k(&until_voted),
            json!([{"option": option(&until_voted, "Agree")}]),
            ""
        )
        .await
        .status,
        200
    );
    let seen = g.cat.get(&format!("/api/v1/polls/{}", k(&until_voted))).await.json();
    assert_eq!(row(&seen, "Disagree")["voters"], 1, "{seen}");
    assert!(
        g.cat
            .get(&format!("/p/{}", k(&until_voted)))
            .await
            .body
            .contains("Another secret")
    );

    // The live stream carries no figures or reasons at all: only that something changed.
    // Cat's vote above changed the thread after the stream opened: an event must have come.
    let (_, data) = stream
        .next(std::time::Duration::from_secs(5))
        .await
        .expect("a live event for Cat's vote within 5 s");
    assert!(!data.contains("secret") && !data.contains("Disagree"), "{data}");
    // Closing shows it to everyone.
    assert_eq!(
        g.ann
            .post_json(&format!("/api/v1/polls/{}/close", k(&until_closed)), &json!({}))
            .await
            .status,
        200
    );
    let closed = g.cat.get(&format!("/api/v1/polls/{}", k(&until_closed))).await.json();
    assert_eq!(row(&closed, "Disagree")["voters"], 1);
    assert!(
        g.cat
            .get(&format!("/p/{}", k(&until_closed)))
            .await
            .body
            .contains("My secret reason")
    );
}

async fn an_anonymous_vote_is_linked_to_nobody_in_any_table(app: &TestApp) {
    let g = group(app).await;
    let poll = raise(
        &g.ann,
        &g.thread,
        json!({"kind": "poll", "title": "Who leads?", "options": ["Ann", "Bob"], "anonymous": true}),
    )
    .await;
    let key = poll["key"].as_str().unwrap().to_owned();
    let bob_option = option(&poll, "Bob");
    assert_eq!(
        vote(&g.bob, &key, json!([{"option": bob_option}]), "").await.status,
        200
    );
    assert_eq!(
        vote(&g.cat, &key, json!([{"option": option(&poll, "Ann")}]), "")
            .await
            .status,
        200
    );
    let again = vote(&g.bob, &key, json!([{"option": option(&poll, "Ann")}]), "").await;
    assert_eq!(again.status, 422, "an anonymous vote is final: {}", again.body);
    let seen = g.ann.get(&format!("/api/v1/polls/{key}")).await.json();
    assert_eq!(row(&seen, "Bob")["voters"], 1);
    assert_eq!(row(&seen, "Ann")["voters"], 1);
    assert_eq!(seen["results"]["voters"], 2);
    assert_eq!(
        g.bob.get(&format!("/api/v1/polls/{key}")).await.json()["voted"],
        true,
        "Bob knows he voted"
    );
    assert_eq!(
        g.ann.get(&format!("/api/v1/polls/{key}/votes")).await.status,
        403,
        "nobody lists who chose what"
    );

    // No table holds a row that ties Bob to a choice: every table with a person column and a
    // column naming an option or a vote has no row for Bob; no vote or choice rows exist at all.
    let mut conn = app.db_conn().await;
    let bob_id: i64 = weft_store::query("SELECT id FROM users WHERE email = 'bob@example.org'")
        .fetch_scalar(&mut conn)
        .await
        .unwrap();
    let columns = weft_store::schema::columns(&mut conn, app.app.store.backend())
        .await
        .unwrap();
    let mut tables: Vec<&str> = columns.iter().map(|c| c.table.as_str()).collect();
    tables.sort_unstable();
    tables.dedup();
    let people = [
        "user_id",
        "voter_id",
        "author_id",
        "actor_id",
        "added_by",
        "created_by",
        "editor_id",
    ];
    let choices = ["option_id", "vote_id"];
    let mut checked = 0;
    for table in tables {
        let cols: Vec<&str> = columns
            .iter()
            .filter(|c| c.table == table)
            .map(|c| c.name.as_str())
            .collect();
        let person: Vec<&&str> = cols.iter().filter(|c| people.contains(c)).collect();
        if person.is_empty() || !cols.iter().any(|c| choices.contains(c)) {
            continue;
        }
        for p in person {
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE {p} = {bob_id}");
            let n: i64 = weft_store::query(sql).fetch_scalar(&mut conn).await.unwrap();
            assert_eq!(n, 0, "{table}.{p} ties Bob to a choice");
            checked += 1;
        }
    }
    assert!(checked >= 2, "the scan found the tables that could link ({checked})");
    let votes: i64 = weft_store::query("SELECT COUNT(*) FROM votes")
        .fetch_scalar(&mut conn)
        .await
        .unwrap();
    let choice_rows: i64 = weft_store::query("SELECT COUNT(*) FROM vote_choices")
        .fetch_scalar(&mut conn)
        .await
        .unwrap();
    assert_eq!((votes, choice_rows), (0, 0), "anonymous choices are totals, not rows");
    drop(conn);
    // Bob's export says he voted, never what.
    let export = g.bob.get("/api/v1/me/export").await;
    assert_eq!(export.status, 200);
    // Closing keeps it closed: an anonymous poll does not reopen.
    assert_eq!(
        g.ann
            .post_json(&format!("/api/v1/polls/{key}/close"), &json!({}))
            .await
            .status,
        200
    );
    let res = g
        .ann
        .post_json(
            &format!("/api/v1/polls/{key}/reopen"),
            &json!({"closing_at": from_now(86_400)}),
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.body);
}

async fn polls_close_on_time_through_the_job_queue(app: &TestApp) {
    let g = group(app).await;
    let poll = raise(
        &g.ann,
        &g.thread,
        json!({"template": "proposal", "title": "Soon", "closing_at": from_now(600)}),
    )
    .await;
    let key = poll["key"].as_str().unwrap().to_owned();
    assert_eq!(
        vote(&g.bob, &key, json!([{"option": option(&poll, "Agree")}]), "")
            .await
            .status,
        200
    );
    // Extended: the job waits for the new time.
    let res = g
        .ann
        .post_json(
            &format!("/api/v1/polls/{key}/extend"),
            &json!({"closing_at": from_now(1_200)}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    app.app.clock.advance(weft_domain::Duration::minutes(11));
    app.settle_jobs().await;
    assert_eq!(
        g.ann.get(&format!("/api/v1/polls/{key}")).await.json()["state"],
        "open",
        "extended: still open"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM jobs WHERE kind = 'poll_close'").await,
        1,
        "the job waits for the new time"
    );
    app.app.clock.advance(weft_domain::Duration::minutes(10));
    app.settle_jobs().await;
    let closed = g.ann.get(&format!("/api/v1/polls/{key}")).await.json();
    assert_eq!(closed["state"], "closed");
    assert!(closed["closed_at"].is_string(), "closed by the job: {closed}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM events WHERE kind = 'poll_closed'")
            .await,
        1,
        "closed once"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM jobs WHERE kind = 'poll_close'").await,
        0
    );
    assert!(
        g.cat
            .get(&format!("/t/{}", g.thread))
            .await
            .body
            .contains("Soon</a> closed")
    );
}

async fn two_hundred_voters_at_once_are_each_counted_once(app: &TestApp) {
    let g = group(app).await;
    let poll = raise(
        &g.ann,
        &g.thread,
        json!({"kind": "poll", "title": "Name the garden", "options": ["Eden", "Plot", "Patch"]}),
    )
    .await;
    let key = poll["key"].as_str().unwrap().to_owned();
    let ids = [option(&poll, "Eden"), option(&poll, "Plot"), option(&poll, "Patch")];
    let voters = app.members_signed_in(&g.group, 200).await;
    let mut tasks = Vec::new();
    for (i, c) in voters.into_iter().enumerate() {
        let key = key.clone();
        let choice = ids[i % 3];
        tasks.push(tokio::spawn(async move {
            // Every voter votes twice at once (two tabs): still one current vote each.
            let first = vote(&c, &key, json!([{"option": choice}]), "");
            let second = vote(&c, &key, json!([{"option": choice}]), "");
            let (a, b) = tokio::join!(first, second);
            (a.status, b.status)
        }));
    }
    for t in tasks {
        let (a, b) = t.await.unwrap();
        assert_eq!((a, b), (200, 200));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM votes WHERE current = 1").await, 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM vote_receipts").await, 200);
    let poll = g.ann.get(&format!("/api/v1/polls/{key}")).await.json();
    assert_eq!(poll["voter_count"], 200);
    totals_match_the_votes(app, &key).await;
    assert_eq!(row(&poll, "Eden")["voters"], 67);
    assert_eq!(row(&poll, "Plot")["voters"], 67);
    assert_eq!(row(&poll, "Patch")["voters"], 66);
}

// ---- a crash in the middle of a storm of votes ----

/// Every vote answered with success survives `kill -9` of the server in the middle of a storm of
/// votes: after a restart each of those voters has their vote counted.
async fn every_acknowledged_vote_survives_a_crash(db: crate::helpers::Db) {
    let Some(app) = TestApp::spawn(db).await else {
        eprintln!("skipped: WEFT_TEST_POSTGRES_URL is not set");
        return;
    };
    let g = group(&app).await;
    let poll = raise(
        &g.ann,
        &g.thread,
        json!({"kind": "poll", "title": "Storm", "options": ["A", "B"]}),
    )
    .await;
    let key = poll["key"].as_str().unwrap().to_owned();
    let a = option(&poll, "A");
    let voters = app.members_signed_in(&g.group, 120).await;
    for c in &voters {
        c.get("/healthz").await; // the CSRF cookie
    }
    let url = app.database_url.clone();
    let kept = app.stop_keeping_data().await;
    let server = crate::helpers::Server::start(&kept.0.0, &url, &[]).await;

    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for (i, c) in voters.iter().enumerate() {
        let c = c.rebase(&server.base);
        let (key, acknowledged) = (key.clone(), acknowledged.clone());
        tasks.push(tokio::spawn(async move {
            // Staggered over 2.4 s, so the crash lands in the middle of the storm even on a
            // loaded machine (at 5 ms apart, a busy test run saw the storm end first).
            tokio::time::sleep(std::time::Duration::from_millis(20 * i as u64)).await;
            let body = json!({"choices": [{"option": a}], "reason": format!("voter {i}")});
            if c.try_post_json(&format!("/api/v1/polls/{key}/votes"), &body).await == Some(200) {
                acknowledged.lock().unwrap().push(i);
            }
        }));
    }
    // Kill once some votes are acknowledged and others are still coming.
    for _ in 0..400 {
        if acknowledged.lock().unwrap().len() >= 30 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    server.kill();
    for t in tasks {
        t.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 30,
        "the storm was under way: {}",
        acknowledged.len()
    );

    let again = TestApp::restart_on(kept, db, &url).await;
    let mut conn = again.db_conn().await;
    for i in &acknowledged {
        let n: i64 = weft_store::query(format!(
            "SELECT COUNT(*) FROM votes v JOIN polls p ON p.id = v.poll_id WHERE p.key = '{key}' AND v.current = 1 AND v.reason = 'voter {i}'"
        ))
        .fetch_scalar(&mut conn)
        .await
        .unwrap();
        assert_eq!(n, 1, "voter {i} was told their vote counted");
    }
    let receipts: i64 = weft_store::query("SELECT COUNT(*) FROM vote_receipts")
        .fetch_scalar(&mut conn)
        .await
        .unwrap();
    let current: i64 = weft_store::query("SELECT COUNT(*) FROM votes WHERE current = 1")
        .fetch_scalar(&mut conn)
        .await
        .unwrap();
    let counted: i64 = weft_store::query(format!("SELECT voter_count FROM polls WHERE key = '{key}'"))
        .fetch_scalar(&mut conn)
        .await
        .unwrap();
    eprintln!(
        "{} of 120 votes acknowledged before the crash; {current} stored",
        acknowledged.len()
    );
    assert!(
        current < 120,
        "the crash came before the storm ended ({current} stored)"
    );
    assert_eq!(
        (receipts, counted),
        (current, current),
        "receipts, count and votes agree after the crash"
    );
    drop(conn);
    again.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_vote_survives_a_crash_sqlite() {
    every_acknowledged_vote_survives_a_crash(crate::helpers::Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_vote_survives_a_crash_postgres() {
    every_acknowledged_vote_survives_a_crash(crate::helpers::Db::Postgres).await;
}

// ---- closing while the server was down, and with several instances ----

/// Moves the closing time (and the closing job) of every open poll into the past, as if the
/// time had come while nobody was looking.
async fn time_passes(conn: &mut weft_store::Conn) {
    let past = weft_domain::Timestamp::from_micros((chrono_now() - 60) * 1_000_000).micros();
    weft_store::query(format!("UPDATE polls SET closing_at = {past} WHERE closed_at IS NULL"))
        .execute(conn)
        .await
        .unwrap();
    weft_store::query(format!("UPDATE jobs SET run_at = {past} WHERE kind = 'poll_close'"))
        .execute(conn)
        .await
        .unwrap();
}

async fn a_poll_due_while_the_server_was_down_closes_at_start(db: crate::helpers::Db) {
    let Some(app) = TestApp::spawn(db).await else {
        eprintln!("skipped: WEFT_TEST_POSTGRES_URL is not set");
        return;
    };
    let g = group(&app).await;
    let poll = raise(
        &g.ann,
        &g.thread,
        json!({"template": "proposal", "title": "While away"}),
    )
    .await;
    let key = poll["key"].as_str().unwrap().to_owned();
    let url = app.database_url.clone();
    let kept = app.stop_keeping_data().await;
    {
        let store = weft_store::Store::connect(&url, &weft_store::StoreOptions { max_connections: 1 })
            .await
            .unwrap();
        time_passes(&mut store.writer().await.unwrap()).await;
    }
    let again = TestApp::restart_on(kept, db, &url).await;
    again.settle_jobs().await;
    let ann = g.ann.rebase(&again.base);
    let closed = ann.get(&format!("/api/v1/polls/{key}")).await.json();
    assert_eq!(closed["state"], "closed", "{closed}");
    assert_eq!(
        again
            .count("SELECT COUNT(*) FROM events WHERE kind = 'poll_closed'")
            .await,
        1
    );
    again.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poll_due_while_the_server_was_down_closes_at_start_sqlite() {
    a_poll_due_while_the_server_was_down_closes_at_start(crate::helpers::Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poll_due_while_the_server_was_down_closes_at_start_postgres() {
    a_poll_due_while_the_server_was_down_closes_at_start(crate::helpers::Db::Postgres).await;
}

/// Two instances on one PostgreSQL database race for the closing jobs: every poll closes once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_close_each_poll_once() {
    let Some(a) = TestApp::spawn(crate::helpers::Db::Postgres).await else {
        eprintln!("skipped: WEFT_TEST_POSTGRES_URL is not set");
        return;
    };
    let b = a.second_instance().await;
    let g = group(&a).await;
    for i in 0..30 {
        raise(
            &g.ann,
            &g.thread,
            json!({"template": "proposal", "title": format!("Poll {i}")}),
        )
        .await;
    }
    time_passes(&mut *a.db_conn().await).await;
    a.app.wake_all_jobs();
    b.app.wake_all_jobs();
    a.settle_jobs().await;
    b.settle_jobs().await;
    assert_eq!(a.count("SELECT COUNT(*) FROM polls WHERE closed_at IS NULL").await, 0);
    assert_eq!(
        a.count("SELECT COUNT(*) FROM events WHERE kind = 'poll_closed'").await,
        30,
        "each closed once"
    );
    b.finish().await;
    a.finish().await;
}

// ---- privacy ----

pub(crate) async fn export_of(app: &TestApp, c: &Client) -> Vec<(String, String)> {
    let raw = c
        .http()
        .get(format!("{}/api/v1/me/export", app.base))
        .header(
            "cookie",
            format!("__Host-weft_session={}", c.cookie("__Host-weft_session").unwrap()),
        )
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    crate::privacy::unzip(&raw)
        .into_iter()
        .map(|(name, bytes)| (name, String::from_utf8(bytes).unwrap()))
        .collect()
}

/// P8–P11 for decisions: votes, reasons and receipts are exported (an anonymous vote only as
/// "voted"); a deactivated voter's name is hidden; a deleted voter's vote stays counted under
/// "a deleted member"; deleting the group deletes its polls and votes.
async fn votes_follow_the_privacy_promises(app: &TestApp) {
    let g = group(app).await;
    let named = raise(
        &g.ann,
        &g.thread,
        json!({"template": "proposal", "title": "Named vote"}),
    )
    .await;
    let secret = raise(
        &g.ann,
        &g.thread,
        json!({"kind": "poll", "title": "Secret vote", "options": ["Left", "Right"], "anonymous": true}),
    )
    .await;
    let k = |p: &Value| p["key"].as_str().unwrap().to_owned();
    assert_eq!(
        vote(
            &g.bob,
            &k(&named),
            json!([{"option": option(&named, "Agree")}]),
            "Because compost"
        )
        .await
        .status,
        200
    );
    assert_eq!(
        vote(&g.bob, &k(&secret), json!([{"option": option(&secret, "Right")}]), "")
            .await
            .status,
        200
    );
    assert_eq!(
        vote(
            &g.cat,
            &k(&named),
            json!([{"option": option(&named, "Disagree")}]),
            "Cat's reason"
        )
        .await
        .status,
        200
    );

    let files = export_of(app, &g.bob).await;
    let file = |name: &str| {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| panic!("{name} in the export"))
    };
    let votes = file("votes.json");
    assert!(
        votes.contains("Because compost") && votes.contains("Named vote") && votes.contains("Agree"),
        "{votes}"
    );
    assert!(
        !votes.contains("Secret vote") && !votes.contains("Right"),
        "an anonymous vote is nobody's: {votes}"
    );
    assert!(!votes.contains("Cat's reason"), "only Bob's votes");
    let receipts = file("polls_voted_in.json");
    assert!(
        receipts.contains("Secret vote") && receipts.contains("Named vote"),
        "{receipts}"
    );
    assert!(!file("polls_raised.json").contains("Named vote"), "Bob raised none");
    assert!(
        export_of(app, &g.ann)
            .await
            .iter()
            .any(|(n, t)| n == "polls_raised.json" && t.contains("Secret vote"))
    );

    // P9: deactivated, Bob's vote is listed without his name.
    let res = g
        .bob
        .post_form("/profile/deactivate", &[("current_password", PASSWORD)])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let listed = g.ann.get(&format!("/api/v1/polls/{}/votes", k(&named))).await.json();
    assert!(!listed.to_string().contains("Bob"), "{listed}");
    assert!(
        g.ann
            .get(&format!("/p/{}", k(&named)))
            .await
            .body
            .contains("A deactivated member")
    );

    // P10: deleted, Cat's vote still counts, as a deleted member's.
    let res = g
        .cat
        .request_json(
            Method::DELETE,
            "/api/v1/me",
            Some(&json!({"current_password": PASSWORD})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let poll = g.ann.get(&format!("/api/v1/polls/{}", k(&named))).await.json();
    assert_eq!(poll["voter_count"], 2);
    assert_eq!(
        row(&poll, "Disagree")["voters"],
        1,
        "the deleted member's vote is counted"
    );
    let page = g.ann.get(&format!("/p/{}", k(&named))).await.body;
    assert!(
        page.contains("<strong>A deleted member</strong>") && !page.contains("<strong>Cat</strong>"),
        "{page}"
    );

    // P11: the group goes, and its decisions with it.
    let res = g
        .ann
        .request_json(
            Method::DELETE,
            &format!("/api/v1/groups/{}", g.group),
            Some(&json!({"confirm": "Garden"})),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.body);
    for table in [
        "polls",
        "poll_options",
        "votes",
        "vote_choices",
        "vote_receipts",
        "outcomes",
        "events",
    ] {
        let sql: &'static str = Box::leak(format!("SELECT COUNT(*) FROM {table}").into_boxed_str());
        assert_eq!(app.count(sql).await, 0, "{table} emptied with the group");
    }
}

// ---- emails ----

/// A poll's emails reach the right people, never one who muted the thread, each with its
/// one-click unsubscribe, and none carries a vote, a reason or a result.
async fn a_polls_emails_reach_the_right_people(app: &TestApp) {
    let g = group(app).await;
    let dan = app.signed_in_user("Dan", "dan@example.org", PASSWORD).await;
    add_member(app, &g.group, &dan, Role::Member).await;
    let muted = dan
        .post_json(
            &format!("/api/v1/threads/{}/volume", g.thread),
            &json!({"volume": "mute"}),
        )
        .await;
    assert!(matches!(muted.status, 200 | 204), "{}", muted.body);
    let poll = raise(
        &g.ann,
        &g.thread,
        json!({"template": "proposal", "title": "Buy a shredder", "notify_on_open": true, "closing_soon": "undecided", "closing_at": from_now(3 * 86_400)}),
    )
    .await;
    let key = poll["key"].as_str().unwrap().to_owned();
    for to in ["bob@example.org", "cat@example.org"] {
        let e = app.email_to_containing(to, "raised a proposal in").await;
        assert!(
            e.text.contains("Buy a shredder") && e.text.contains(&format!("/p/{key}")),
            "{}",
            e.text
        );
        assert!(e.header("List-Unsubscribe").is_some(), "one-click unsubscribe");
    }
    assert_eq!(
        vote(&g.bob, &key, json!([{"option": option(&poll, "Disagree")}]), "Too loud")
            .await
            .status,
        200
    );

    // The author reminds the undecided: Cat, not Bob (voted), not Dan (muted).
    assert_eq!(
        g.bob
            .post_json(&format!("/api/v1/polls/{key}/remind"), &json!({}))
            .await
            .status,
        403
    );
    let res = g
        .ann
        .post_json(&format!("/api/v1/polls/{key}/remind"), &json!({}))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["emailed"], 1);
    app.email_to_containing("cat@example.org", "would like to hear from you")
        .await;

    // 24 hours before closing: the undecided again (the job at its time).
    app.app.clock.advance(weft_domain::Duration::hours(49));
    app.settle_jobs().await;
    let soon = app
        .email_to_containing("cat@example.org", "You have not voted yet.")
        .await;
    assert!(soon.text.contains("You have not voted yet."), "{}", soon.text);

    // The outcome goes to those who voted.
    assert_eq!(
        g.ann
            .post_json(&format!("/api/v1/polls/{key}/close"), &json!({}))
            .await
            .status,
        200
    );
    let res = g
        .ann
        .post_json(
            &format!("/api/v1/polls/{key}/outcome"),
            &json!({"statement": "We borrow one instead."}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let outcome = app.email_to_containing("bob@example.org", "wrote the outcome of").await;
    // The review date the author chose reminds them (and nobody else) when it comes.
    let res = g
        .ann
        .post_json(
            &format!("/api/v1/polls/{key}/outcome"),
            &json!({"statement": "We borrow one instead.", "review_at": from_now(49 * 3_600 + 5 * 86_400)}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    app.app.clock.advance(weft_domain::Duration::days(6));
    app.settle_jobs().await;
    let review = app
        .email_to_containing("ann@example.org", "You asked to review the decision")
        .await;
    assert!(review.text.contains("We borrow one instead."), "{}", review.text);
    assert!(outcome.text.contains("We borrow one instead."), "{}", outcome.text);

    app.settle_mail().await;
    let bob = app.settled_emails_to("bob@example.org").await;
    let cat = app.settled_emails_to("cat@example.org").await;
    let dan = app.settled_emails_to("dan@example.org").await;
    let ann = app.settled_emails_to("ann@example.org").await;
    let subjects = |list: &[crate::helpers::Email]| list.iter().map(|e| e.subject.clone()).collect::<Vec<_>>();
    assert!(
        !subjects(&bob)
            .iter()
            .any(|s| s.contains("reminds you") || s.contains("24 hours")),
        "Bob voted: {:?}",
        subjects(&bob)
    );
    assert!(
        !subjects(&cat).iter().any(|s| s.contains("Outcome")),
        "Cat did not vote: {:?}",
        subjects(&cat)
    );
    assert!(
        !dan.iter().any(|e| e.subject.contains("shredder")),
        "Dan muted the thread: {:?}",
        subjects(&dan)
    );
    assert!(
        !ann.iter()
            .any(|e| e.subject.contains("asks you to decide") || e.subject.contains("Outcome")),
        "not to the author: {:?}",
        subjects(&ann)
    );
    for e in bob.iter().chain(&cat) {
        assert!(
            !e.text.contains("Too loud") && !e.text.contains("Disagree"),
            "no vote in an email: {}",
            e.text
        );
    }
}

/// Until the first vote the author may change everything but the kind and anonymity; a
/// scheduled poll takes votes from its opening time.
async fn a_poll_changes_until_its_first_vote_and_opens_when_scheduled(app: &TestApp) {
    let g = group(app).await;
    let poll = raise(
        &g.ann,
        &g.thread,
        json!({"kind": "poll", "title": "Which seeds?", "options": ["Kale", "Leek"]}),
    )
    .await;
    let key = poll["key"].as_str().unwrap().to_owned();
    let form = g.ann.get(&format!("/p/{key}/edit")).await;
    assert_eq!(form.status, 200);
    assert!(
        form.body.contains("Kale\nLeek") && form.body.contains("Save changes"),
        "{}",
        form.body
    );
    assert_eq!(
        g.bob.get(&format!("/p/{key}/edit")).await.status,
        403,
        "only its author or a coordinator"
    );
    let res = g
        .ann
        .post_form(
            &format!("/p/{key}/edit"),
            &[
                ("title", "Which seeds this spring?"),
                ("options", "Kale\nLeek\nChard"),
                (
                    "closing_at",
                    &weft_domain::Timestamp::from_micros((chrono_now() + 86_400) * 1_000_000).local_input_utc(),
                ),
                ("max_choices", "2"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let changed = g.bob.get(&format!("/api/v1/polls/{key}")).await.json();
    assert_eq!(changed["title"], "Which seeds this spring?");
    assert_eq!(changed["options"].as_array().unwrap().len(), 3);
    assert_eq!(changed["max_choices"], 2);
    assert_eq!(changed["kind"], "poll", "the kind stays");
    let bad = g
        .ann
        .request_json(
            Method::PATCH,
            &format!("/api/v1/polls/{key}"),
            Some(&json!({"title": "", "closing_at": from_now(86_400)})),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(
        vote(&g.bob, &key, json!([{"option": option(&changed, "Chard")}]), "")
            .await
            .status,
        200
    );
    let late = g
        .ann
        .request_json(
            Method::PATCH,
            &format!("/api/v1/polls/{key}"),
            Some(&json!({"title": "Too late", "options": ["A", "B"], "closing_at": from_now(86_400)})),
        )
        .await;
    assert_eq!(late.status, 403, "after the first vote: {}", late.body);
    assert_eq!(
        g.bob.get(&format!("/api/v1/polls/{key}")).await.json()["title"],
        "Which seeds this spring?"
    );
    totals_match_the_votes(app, &key).await;

    // Scheduled: visible, not open; open from its time.
    let later = raise(&g.ann, &g.thread, json!({"template": "proposal", "title": "Later", "opening_at": from_now(3_600), "closing_at": from_now(86_400)})).await;
    assert_eq!(later["state"], "scheduled");
    let early = vote(
        &g.bob,
        later["key"].as_str().unwrap(),
        json!([{"option": option(&later, "Agree")}]),
        "",
    )
    .await;
    assert_eq!(early.status, 403, "not open yet: {}", early.body);
    app.app.clock.advance(weft_domain::Duration::hours(2));
    assert_eq!(
        vote(
            &g.bob,
            later["key"].as_str().unwrap(),
            json!([{"option": option(&later, "Agree")}]),
            ""
        )
        .await
        .status,
        200
    );
}
