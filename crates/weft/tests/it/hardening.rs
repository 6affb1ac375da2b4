//! Holes found by attacking Weft from outside (issue 19), each proven closed over HTTP: rendering
//! cost, slow connections, headers on every answer, bounds on what is parsed.

use serde_json::json;

use crate::groups::{add_member, create};
use crate::helpers::TestApp;
use crate::{on_both, on_both_with};

const PASSWORD: &str = "correct horse battery staple";

on_both!(
    a_deeply_nested_text_costs_what_its_length_allows_on_every_page,
    page_numbers_past_the_end_answer_an_empty_page,
    text_with_a_nul_character_is_refused_everywhere_and_nothing_is_stored,
    adding_a_guest_answers_the_same_whether_the_address_is_a_members,
    a_flood_of_referring_sites_keeps_the_top_hundred_and_counts_the_rest_together,
);
on_both_with!(super::short_timeout; every_answer_carries_the_security_headers_even_a_timeout);

fn short_timeout(c: &mut weft::ServeConfig) {
    c.request_timeout = std::time::Duration::from_secs(1);
}

on_both_with!(super::tight_connections; slow_and_greedy_clients_cannot_hold_the_server);
on_both_with!(super::behind_a_proxy; address_limits_are_counted_in_the_database_and_hold_across_instances);

fn behind_a_proxy(c: &mut weft::ServeConfig) {
    c.trusted_proxies = "127.0.0.1".parse().unwrap();
    c.rate_limits.per_email = 2;
}

fn tight_connections(c: &mut weft::ServeConfig) {
    c.connections.header_read_timeout = std::time::Duration::from_secs(1);
    c.connections.per_client = 8;
    c.live_streams_per_client = 2;
}

/// Issue 19.13: attempts per address were counted in memory, so N instances gave N times the
/// budget and a restart reset it. Now they are counted in the database (hashed keys, no address),
/// per client network, with ten times the budget over all networks and an emailed link that still
/// trickles through; on PostgreSQL a second instance sees the same counts.
async fn address_limits_are_counted_in_the_database_and_hold_across_instances(app: &TestApp) {
    use crate::helpers::{Client, Db};
    let _ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let second = if app.db == Db::Postgres {
        Some(app.second_instance_with(behind_a_proxy).await)
    } else {
        None
    };
    let other = second.as_ref().unwrap_or(app);
    // A password guess for Ann's address from `ip`, through `on`'s proxy.
    async fn guess(on: &TestApp, from: &str, password: &str) -> u16 {
        let c = on.client();
        c.get("/healthz").await;
        let req = c
            .http()
            .post(format!("{}/api/v1/session", on.base))
            .header("x-csrf-token", c.csrf())
            .header("x-forwarded-for", from)
            .json(&json!({"email": "ann@example.org", "password": password}));
        c.send(req).await.status
    }
    async fn ask_link(c: &Client, from: &str) -> u16 {
        let req = c
            .post_form_raw(
                "/login/link",
                &[("link-email", "ann@example.org"), ("csrf_token", &c.csrf())],
            )
            .await
            .header("x-forwarded-for", from);
        c.send(req).await.status
    }
    // Two guesses per network (this test's budget), the third refused, on either instance.
    for on in [app, other] {
        let status = guess(on, "198.51.100.7", "wrong guess").await;
        assert_ne!(status, 429);
    }
    assert_eq!(
        guess(other, "198.51.100.200", "wrong guess").await,
        429,
        "the same /24, any instance"
    );
    assert_eq!(guess(app, "198.51.100.9", "wrong guess").await, 429);
    // The owner, elsewhere, is not locked out.
    assert_eq!(guess(app, "203.0.113.9", PASSWORD).await, 200);
    // A botnet: the cap over all networks is 10 × 2. Five attempts so far, 14 from seven more
    // networks, one from an eighth: 20. The 21st is refused from wherever it comes.
    for n in 1..=7 {
        for _ in 0..2 {
            assert_ne!(
                guess(if n % 2 == 0 { app } else { other }, &format!("10.0.{n}.1"), "x").await,
                429
            );
        }
    }
    assert_ne!(guess(app, "10.0.50.1", "x").await, 429, "the 20th");
    assert_eq!(
        guess(other, "10.0.100.1", PASSWORD).await,
        429,
        "the 21st guess, from a fresh network"
    );
    // Log-in links: the same cap, but one still goes out every ten minutes.
    let browser = app.client();
    browser.get("/login").await;
    for n in 0..10 {
        for _ in 0..2 {
            assert_ne!(ask_link(&browser, &format!("10.1.{n}.1")).await, 429);
        }
    }
    assert_ne!(
        ask_link(&browser, "10.1.200.1").await,
        429,
        "the owner's link trickles through"
    );
    assert_eq!(ask_link(&browser, "10.1.201.1").await, 429, "one per ten minutes");
    // No address is stored, and the counters go with the retention purge.
    let mut conn = app.db_conn().await;
    let values = weft_store::schema::all_text_values(&mut conn, app.app.store.backend())
        .await
        .unwrap();
    drop(conn);
    assert!(
        values.iter().any(|(t, _, _)| t == "rate_counters"),
        "counted in the database"
    );
    assert!(
        !values
            .iter()
            .any(|(t, _, v)| t == "rate_counters" && (v.contains("ann@") || v.contains("198.51"))),
        "hashed keys only"
    );
    app.app.clock.advance(weft_domain::Duration::hours(3));
    let purged = app.app.purge_expired().await.unwrap();
    assert!(purged.rate_counters > 0, "{purged:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM rate_counters").await, 0);
    if let Some(second) = second {
        second.finish().await;
    }
}

/// Issue 19.3: with no deadline for request headers, 1 100 partial requests held every file
/// descriptor and `/healthz` was unreachable for as long as they stayed open (a partial request
/// lingered 120 s). Now a request head must arrive within the header-read timeout, one client may
/// hold only so many connections and live streams, and the server is reachable again as soon as
/// the slow ones are cut.
async fn slow_and_greedy_clients_cannot_hold_the_server(app: &TestApp) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::time::{Duration, Instant, timeout};
    let addr = app.base.trim_start_matches("http://").to_owned();

    // Live streams: two per client, the third is refused until one ends.
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let group = create(&ann, "Streams", "open", "anyone").await;
    let res = ann
        .post_json(
            &format!("/api/v1/groups/{group}/threads"),
            &json!({"title": "Watched", "context": "Live"}),
        )
        .await;
    let key = res.json()["key"].as_str().unwrap().to_owned();
    let visitor = app.client();
    let first = visitor.events(&format!("/t/{key}/live")).await;
    let second = visitor.events(&format!("/t/{key}/live")).await;
    assert_eq!((first.status, second.status), (200, 200));
    let third = visitor.events(&format!("/t/{key}/live")).await;
    assert_eq!(third.status, 429, "a third live stream for one client");
    drop((first, third));
    let mut again = 0;
    for _ in 0..50 {
        again = visitor.events(&format!("/t/{key}/live")).await.status;
        if again == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(again, 200, "a slot comes back when a stream ends");
    drop(second);
    drop((visitor, ann));

    // Slow clients: partial request heads are cut after the header-read timeout.
    let started = Instant::now();
    let mut slow = Vec::new();
    for _ in 0..8 {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: weft\r\nX-Slow: ")
            .await
            .unwrap();
        slow.push(s);
    }
    // A ninth connection from the same client is closed at once, whatever it sends.
    let mut ninth = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let _ = ninth.write_all(b"GET /healthz HTTP/1.1\r\nHost: weft\r\n\r\n").await;
    let mut buf = [0u8; 64];
    let n = timeout(Duration::from_secs(5), ninth.read(&mut buf))
        .await
        .expect("the ninth connection is closed, not left waiting")
        .unwrap_or(0);
    assert_eq!(n, 0, "over the per-client cap: closed without an answer");
    for s in &mut slow {
        let n = timeout(Duration::from_secs(10), s.read(&mut buf))
            .await
            .expect("a partial request is cut by the header-read timeout, not left open")
            .unwrap_or(0);
        assert_eq!(n, 0);
    }
    let held = started.elapsed();
    assert!(held < Duration::from_secs(10), "cut after {held:?}");
    // An idle connection that never sends a byte is cut too.
    let mut idle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let n = timeout(Duration::from_secs(10), idle.read(&mut buf))
        .await
        .expect("an idle connection is cut")
        .unwrap_or(0);
    assert_eq!(n, 0);
    // And the server answers again.
    let res = app.client().get("/healthz").await;
    assert_eq!(res.status, 200);
}

/// `?page=9223372036854775807` overflowed an OFFSET into a 500 on PostgreSQL.
async fn page_numbers_past_the_end_answer_an_empty_page(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let group = create(&ann, "Pages", "open", "anyone").await;
    for page in ["9223372036854775807", "-9223372036854775808", "10001", "-1"] {
        for path in [
            format!("/api/v1/groups/{group}/members?page={page}"),
            format!("/api/v1/groups/{group}/threads?page={page}"),
            format!("/api/v1/explore?page={page}"),
            format!("/g/{group}/members?page={page}"),
            format!("/explore?page={page}"),
        ] {
            let res = ann.get(&path).await;
            assert_eq!(res.status, 200, "{path}: {}", res.body);
        }
    }
    let res = ann
        .get(&format!("/api/v1/groups/{group}/members?page=9223372036854775807"))
        .await;
    assert_eq!(
        res.json()["members"].as_array().unwrap().len(),
        0,
        "past the end is empty"
    );
    // A number that is not one is the client's mistake, never ours.
    let res = ann
        .get(&format!("/api/v1/groups/{group}/members?page=99999999999999999999"))
        .await;
    assert_eq!(res.status, 400, "{}", res.body);
}

/// PostgreSQL cannot store NUL: it reached the database from Explore, tag filters, descriptions,
/// privacy and deletion requests and answered 500.
async fn text_with_a_nul_character_is_refused_everywhere_and_nothing_is_stored(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let group = create(&ann, "Nul", "open", "anyone").await;
    for path in [
        "/explore?q=a%00b".to_owned(),
        "/api/v1/explore?q=a%00b".to_owned(),
        format!("/g/{group}?tag=a%00b"),
        format!("/api/v1/groups/{group}/threads?tag=a%00b"),
    ] {
        let res = ann.get(&path).await;
        assert_eq!(res.status, 400, "{path}: {}", res.body);
        assert!(res.body.contains("NUL"), "{path}: {}", res.body);
    }
    let groups_before = app.count("SELECT COUNT(*) FROM groups").await;
    let res = ann
        .post_json(
            "/api/v1/groups",
            &json!({"name": "Bad", "privacy": "open", "join_policy": "anyone", "description": "a\u{0}b"}),
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.body);
    assert_eq!(res.json()["error"], "invalid_text");
    let res = ann
        .post_form(
            "/groups",
            &[
                ("name", "Bad"),
                ("privacy", "open"),
                ("join_policy", "anyone"),
                ("description", "a\u{0}b"),
            ],
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM groups").await,
        groups_before,
        "nothing half-made"
    );
    let res = app
        .client()
        .post_form(
            "/privacy/request",
            &[("name", "X"), ("email", "x@example.org"), ("body", "delete\u{0}me")],
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM deletion_requests").await, 0);
}

/// The 408 of the timeout layer went out without the security headers (CSP, nosniff, frame
/// options), as did the panic catcher's 500.
async fn every_answer_carries_the_security_headers_even_a_timeout(app: &TestApp) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    // A body announced and never sent: the request is answered when the timeout fires.
    stream
        .write_all(
            format!(
                "POST /api/v1/session HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
                 Content-Length: 100\r\n\r\n{{\"email\""
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = vec![0u8; 8192];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("the timeout answers within 10 s")
        .unwrap();
    let head = String::from_utf8_lossy(&answer[..n]).to_lowercase();
    assert!(head.starts_with("http/1.1 408"), "{head}");
    for header in [
        "content-security-policy:",
        "x-content-type-options: nosniff",
        "x-frame-options: deny",
        "referrer-policy:",
    ] {
        assert!(head.contains(header), "{header} missing from the 408: {head}");
    }
    for path in ["/no/such/page", "/api/v1/no/such", "/explore?q=%00"] {
        let res = app.client().get(path).await;
        assert!(
            res.header("content-security-policy").is_some(),
            "{path} ({})",
            res.status
        );
        assert_eq!(
            res.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
    }
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// 50 000 `>` (the longest context allowed) once took 35–59 s per view of its history page and
/// 1.4 MB of HTML; the thread page, its history, the API and the group JSON now all answer with
/// the nesting cut at 16 levels.
async fn a_deeply_nested_text_costs_what_its_length_allows_on_every_page(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let group = create(&ann, "Quotes", "open", "anyone").await;
    let deep = ">".repeat(50_000);
    let res = ann
        .post_json(
            &format!("/api/v1/groups/{group}/threads"),
            &json!({"title": "Deep", "context": deep, "privacy": "public"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let thread = res.json()["key"].as_str().unwrap().to_owned();
    // An edit puts the deep text into the history page too.
    let res = ann
        .request_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/threads/{thread}"),
            Some(&json!({"context": format!("{} edited", &deep[..49_990])})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = ann
        .post_json(
            &format!("/api/v1/threads/{thread}/comments"),
            &json!({"body": "> - ".repeat(5_000)}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);

    let visitor = app.client();
    for path in [
        format!("/t/{thread}"),
        format!("/t/{thread}/history"),
        format!("/api/v1/threads/{thread}"),
    ] {
        let res = visitor.get(&path).await;
        assert_eq!(res.status, 200, "{path}: {}", res.body);
        assert!(
            count(&res.body, "<blockquote>") <= 2 * 16,
            "{path}: {} quotes",
            count(&res.body, "<blockquote>")
        );
        assert!(res.body.len() < 200_000, "{path}: {} bytes", res.body.len());
    }
    let res = ann
        .post_json(
            "/api/v1/groups",
            &json!({"name": "Deeper", "privacy": "open", "join_policy": "anyone", "description": ">".repeat(5_000)}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let group = res.json()["key"].as_str().unwrap().to_owned();
    let res = visitor.get(&format!("/api/v1/groups/{group}")).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(count(&res.body, "<blockquote>") <= 16, "{}", res.body.len());
}

/// P6: "skipped" for a member's address and "sent" otherwise told whoever adds guests which
/// addresses belong to members. Both answers are now the same, on the page and in the API.
async fn adding_a_guest_answers_the_same_whether_the_address_is_a_members(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let group = create(&ann, "Oracle", "closed", "approval").await;
    add_member(app, &group, &bob, weft_domain::permissions::Role::Member).await;
    let res = ann
        .post_json(
            &format!("/api/v1/groups/{group}/threads"),
            &json!({"title": "Plans", "context": "", "privacy": "private"}),
        )
        .await;
    let thread = res.json()["key"].as_str().unwrap().to_owned();
    let mut answers = vec![];
    for address in ["bob@example.org", "stranger@example.org"] {
        let api = ann
            .post_json(
                &format!("/api/v1/threads/{thread}/guests"),
                &json!({"emails": [address]}),
            )
            .await;
        let page = ann
            .post_form(&format!("/t/{thread}/guests"), &[("emails", address)])
            .await;
        answers.push((api.status, api.body, page.status, page.location()));
    }
    assert_eq!(
        answers[0], answers[1],
        "a member's address and a stranger's are answered alike"
    );
}

/// P2 statistics are bounded: 20 000 distinct referring domains added 20 000 rows a day.
async fn a_flood_of_referring_sites_keeps_the_top_hundred_and_counts_the_rest_together(app: &TestApp) {
    let visitor = app.client();
    let referers = (0..150)
        .map(|i| format!("https://site{i}.example/"))
        .chain((0..5).map(|_| "https://big.example/".to_owned()));
    for referer in referers {
        let res = visitor
            .send(
                visitor
                    .http()
                    .get(format!("{}/explore", app.base))
                    .header("referer", referer),
            )
            .await;
        assert_eq!(res.status, 200);
    }
    let staff = app.client();
    let link = app.app.create_admin("staff@example.org", Some("Staff")).await.unwrap();
    staff.post_form(link.trim_start_matches(&app.base), &[]).await;
    assert_eq!(
        staff.get("/admin/usage").await.status,
        200,
        "the report flushes the counters"
    );
    let rows = app
        .count("SELECT COUNT(*) FROM usage_daily WHERE dimension = 'referrer'")
        .await;
    assert_eq!(rows, 101, "the top 100 and (other)");
    let total = app
        .count("SELECT CAST(SUM(count) AS BIGINT) FROM usage_daily WHERE dimension = 'referrer'")
        .await;
    assert_eq!(total, 155, "nothing is lost from the total");
    let big = app
        .count("SELECT count FROM usage_daily WHERE dimension = 'referrer' AND value = 'big.example'")
        .await;
    assert_eq!(big, 5, "the largest is kept");
    let other = app
        .count("SELECT count FROM usage_daily WHERE dimension = 'referrer' AND value = '(other)'")
        .await;
    assert_eq!(other, 51);
}
