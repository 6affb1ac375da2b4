//! The durable job queue over a real database: a failing job backs off and is then kept as dead
//! for the instance administrator (and only for them); a job whose runner died is taken over
//! once its lease runs out; jobs due while the server was stopped run at start; and with two
//! instances on one PostgreSQL database every job runs exactly once.

use std::time::Duration as StdDuration;

use serde_json::json;
use weft_app::jobs::{JobKind, Lane};
use weft_domain::Duration;
use weft_domain::permissions::Role;

use crate::groups::{add_member, create};
use crate::helpers::{Client, Db, TestApp, postgres_url};
use crate::on_both;
use crate::privacy_centre::staff;
use crate::threads::{comment, start};

const PASSWORD: &str = "correct horse battery staple";

on_both!(
    a_failing_job_backs_off_then_waits_dead_for_the_administrator,
    a_job_whose_runner_died_is_taken_over_once_its_lease_runs_out,
);

/// A job's attempts and state, read until `done` says so; fails loudly after 10 s.
async fn wait_for_job(app: &TestApp, id: i64, what: &str, done: impl Fn(i64, &str) -> bool) -> (i64, String, i64) {
    let mut last = (0, String::new(), 0);
    for _ in 0..200 {
        let mut conn = app.db_conn().await;
        last = weft_store::query("SELECT attempts, state, run_at FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_one(&mut conn, |r| {
                Ok((r.try_get("attempts")?, r.try_get("state")?, r.try_get("run_at")?))
            })
            .await
            .expect("the job");
        drop(conn);
        if done(last.0, &last.1) {
            return last;
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    panic!("after 10 s the job is not {what}: {last:?}");
}

async fn enqueue_raw(app: &TestApp, kind: &str, payload: &str) -> i64 {
    let now = app.app.clock.now();
    let mut conn = app.db_conn().await;
    weft_store::jobs::enqueue(&mut conn, kind, payload, now, now)
        .await
        .unwrap();
    let id = weft_store::query("SELECT MAX(id) FROM jobs")
        .fetch_scalar(&mut conn)
        .await
        .unwrap();
    drop(conn);
    app.app.wake_all_jobs();
    id
}

async fn a_failing_job_backs_off_then_waits_dead_for_the_administrator(app: &TestApp) {
    let admin = staff(app).await;
    let member = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let enqueued_at = app.app.clock.now();
    let id = enqueue_raw(app, "comment_fanout", "{not json").await;

    // First attempt fails: it comes back after 30 s, not at once.
    let (attempts, state, run_at) = wait_for_job(app, id, "tried once", |a, _| a >= 1).await;
    assert_eq!((attempts, state.as_str()), (1, "pending"));
    let delay = run_at - enqueued_at.micros();
    assert!(
        (Duration::seconds(29).micros()..Duration::seconds(40).micros()).contains(&delay),
        "backoff after the first attempt: {delay} µs"
    );
    // Each further attempt waits longer; after the eighth the job is kept as dead.
    for n in 2..=weft_app::jobs::runner::MAX_ATTEMPTS {
        app.app.clock.advance(Duration::hours(1));
        app.app.wake_all_jobs();
        wait_for_job(app, id, "tried again", |a, _| a >= n).await;
    }
    let (attempts, _, _) = wait_for_job(app, id, "dead", |_, s| s == "dead").await;
    assert_eq!(attempts, weft_app::jobs::runner::MAX_ATTEMPTS);
    // A dead job is not run again by itself.
    app.app.clock.advance(Duration::hours(2));
    app.app.wake_all_jobs();
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(
        wait_for_job(app, id, "still dead", |_, s| s == "dead").await.0,
        attempts
    );

    // The administrator sees it, on the page and in the API, with the reason.
    let page = admin.get("/admin/jobs").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("comment_fanout"), "{}", page.body);
    assert!(page.body.contains("unreadable comment_fanout payload"), "{}", page.body);
    assert!(admin.get("/admin").await.body.contains("/admin/jobs"));
    let listed = admin.get("/api/v1/admin/jobs").await;
    assert_eq!(listed.status, 200);
    let jobs = listed.json()["jobs"].as_array().unwrap().clone();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["id"], id);
    assert_eq!(jobs[0]["kind"], "comment_fanout");
    assert_eq!(jobs[0]["attempts"], attempts);
    // Nobody else learns the queue exists, nor can retry; the signed out are asked to log in.
    let anonymous = app.client();
    let res = anonymous.get("/admin/jobs").await;
    assert_eq!(res.status, 303);
    assert!(res.location().starts_with("/login"), "{}", res.location());
    assert_eq!(anonymous.get("/api/v1/admin/jobs").await.status, 401);
    assert_ne!(
        anonymous
            .post_form(&format!("/admin/jobs/{id}/retry"), &[])
            .await
            .status,
        200
    );
    assert_eq!(member.get("/admin/jobs").await.status, 404);
    assert_eq!(member.get("/api/v1/admin/jobs").await.status, 404);
    assert_eq!(
        member
            .post_json(&format!("/api/v1/admin/jobs/{id}/retry"), &json!({}))
            .await
            .status,
        404
    );
    assert_eq!(wait_for_job(app, id, "dead", |_, s| s == "dead").await.0, attempts);

    // A retry gives it a new round of attempts, at once.
    assert_eq!(
        admin
            .post_json("/api/v1/admin/jobs/999999/retry", &json!({}))
            .await
            .status,
        404
    );
    let res = admin.post_form(&format!("/admin/jobs/{id}/retry"), &[]).await;
    assert_eq!(res.status, 303);
    assert!(res.location().contains("notice=job_retried"));
    let (attempts, state, _) = wait_for_job(app, id, "tried after the retry", |a, s| s == "pending" && a >= 1).await;
    assert_eq!((attempts, state.as_str()), (1, "pending"));
    // The payload stays unreadable: remove it, so the test ends with the queue settled.
    let mut conn = app.db_conn().await;
    weft_store::query("DELETE FROM jobs WHERE id = $1")
        .bind(id)
        .execute(&mut conn)
        .await
        .unwrap();
}

/// A thread with a follower (Bob) and one comment by Ann; returns Ann, the thread, and the
/// comment's (thread id, comment id).
async fn followed_thread(app: &TestApp) -> (Client, String, (i64, i64)) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;
    let t = start(&ann, &g, "Watering rota", "", "").await;
    let res = bob
        .post_json(&format!("/api/v1/threads/{t}/volume"), &json!({"volume": "follow"}))
        .await;
    assert_eq!(res.status, 204);
    comment(&ann, &t, "Who takes Mondays?", None).await;
    app.settle_mail().await;
    assert_eq!(new_comment_emails(app).await, 1);
    let mut conn = app.db_conn().await;
    let ids = weft_store::query("SELECT thread_id, id FROM comments ORDER BY id DESC LIMIT 1")
        .fetch_one(&mut conn, |r| Ok((r.try_get("thread_id")?, r.try_get("id")?)))
        .await
        .unwrap();
    (ann, t, ids)
}

async fn new_comment_emails(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM outbox_emails WHERE kind = 'new_comment'")
        .await
}

fn fanout_payload((thread_id, comment_id): (i64, i64)) -> String {
    json!({"thread_id": thread_id, "comment_id": comment_id}).to_string()
}

async fn a_job_whose_runner_died_is_taken_over_once_its_lease_runs_out(app: &TestApp) {
    let (_, _, ids) = followed_thread(app).await;
    // A runner claimed the job and died: its claim and lease are there, the work is not done.
    let now = app.app.clock.now();
    let mut tx = app.app.store.begin().await.unwrap();
    weft_store::jobs::enqueue(&mut tx, "comment_fanout", &fanout_payload(ids), now, now)
        .await
        .unwrap();
    weft_store::query(
        "UPDATE jobs SET claim = 7, attempts = 1, locked_until = $1 WHERE id = (SELECT MAX(id) FROM jobs)",
    )
    .bind(now.plus(Duration::minutes(10)).micros())
    .execute(&mut tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.app.wake_all_jobs();
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(new_comment_emails(app).await, 1, "the lease holds: nobody else runs it");

    app.app.clock.advance(Duration::minutes(11));
    app.app.wake_all_jobs();
    app.settle_mail().await;
    assert_eq!(
        new_comment_emails(app).await,
        2,
        "taken over once the lease ran out, once"
    );
}

/// Jobs due while the server was stopped run when it starts again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_due_while_the_server_was_stopped_run_at_start() {
    for db in [Db::Sqlite, Db::Postgres] {
        let Some(app) = TestApp::spawn(db).await else {
            eprintln!("skipped on PostgreSQL: WEFT_TEST_POSTGRES_URL is not set");
            continue;
        };
        let (_, _, ids) = followed_thread(&app).await;
        let url = app.database_url.clone();
        let kept = app.stop_keeping_data().await;
        {
            let store = weft_store::Store::connect(&url, &weft_store::StoreOptions { max_connections: 2 })
                .await
                .unwrap();
            let now = weft_app::Clock::system().now();
            weft_store::jobs::enqueue(
                &mut store.writer().await.unwrap(),
                "comment_fanout",
                &fanout_payload(ids),
                now,
                now,
            )
            .await
            .unwrap();
            store.close().await;
        }
        let again = TestApp::restart_on(kept, db, &url).await;
        again.settle_mail().await;
        assert_eq!(new_comment_emails(&again).await, 2, "{db:?}: the job ran at start");
        again.finish().await;
    }
}

/// Two instances on one PostgreSQL database, each with its runner, and more runners racing them
/// pass after pass: every one of 300 jobs runs exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_two_instances_every_job_runs_exactly_once() {
    if postgres_url().is_none() {
        eprintln!("skipped: WEFT_TEST_POSTGRES_URL is not set");
        return;
    }
    let a = TestApp::spawn(Db::Postgres).await.expect("postgres");
    let b = a.second_instance().await;
    let (_, _, (thread_id, _)) = followed_thread(&a).await;
    let author: i64 = a.count("SELECT id FROM users WHERE name = 'Ann'").await;
    let now = a.app.clock.now();
    let mut tx = a.app.store.begin().await.unwrap();
    for n in 0..300 {
        let (comment_id, _) = weft_store::threads::insert_comment(
            &mut tx,
            weft_store::threads::ThreadId(thread_id),
            None,
            None,
            weft_store::users::UserId(author),
            &format!("Comment {n}"),
            now,
        )
        .await
        .unwrap();
        weft_store::jobs::enqueue(
            &mut tx,
            JobKind::CommentFanout.as_str(),
            &fanout_payload((thread_id, comment_id.0)),
            now,
            now,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let mut racers = Vec::new();
    for app in [a.app.clone(), b.app.clone(), a.app.clone(), b.app.clone()] {
        app.wake_jobs(JobKind::CommentFanout);
        racers.push(tokio::spawn(async move {
            let mut ran = 0;
            for _ in 0..50 {
                ran += app.run_due_jobs(Lane::Quick).await.expect("a pass");
            }
            ran
        }));
    }
    for racer in racers {
        racer.await.unwrap();
    }
    a.settle_mail().await;
    b.settle_mail().await;
    assert_eq!(
        new_comment_emails(&a).await,
        301,
        "one email per comment to the one follower"
    );
    b.finish().await;
    a.finish().await;
}
