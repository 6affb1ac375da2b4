//! Security by default, proven over HTTP: CSRF, rate limits, no enumeration, cookies, headers,
//! open redirects, session ending.

use crate::helpers::TestApp;
use crate::on_both;

const PASSWORD: &str = "correct horse battery staple";

on_both!(
    post_without_csrf_token_is_refused,
    cross_site_and_foreign_origin_posts_are_refused,
    eleventh_attempt_in_an_hour_is_rate_limited,
    unknown_addresses_get_the_same_answers_as_known_ones,
    session_cookie_is_host_only_httponly_secure_lax_and_rotated,
    logout_ends_the_session_on_the_server,
    every_response_carries_the_security_headers,
    redirect_after_log_in_stays_on_this_site,
    idle_and_absolute_session_timeouts_end_sessions,
    a_link_opened_logged_out_offers_log_in_and_comes_back,
    a_group_answers_at_its_handle_as_at_its_key,
);

async fn post_without_csrf_token_is_refused(app: &TestApp) {
    let c = app.client();
    c.get("/signup").await;
    let req = c
        .post_form_raw(
            "/signup",
            &[("name", "Eve"), ("email", "eve@example.org"), ("password", PASSWORD)],
        )
        .await;
    let res = c.send(req).await;
    assert_eq!(res.status, 403);
    assert!(res.body.contains("This form has expired"));
    let req = c
        .post_form_raw(
            "/signup",
            &[
                ("name", "Eve"),
                ("email", "eve@example.org"),
                ("password", PASSWORD),
                ("csrf_token", "0"),
            ],
        )
        .await;
    assert_eq!(c.send(req).await.status, 403, "a wrong token is refused too");
    // The JSON API wants the header.
    let res = c
        .send(
            c.http()
                .post(format!("{}/api/v1/signup", app.base))
                .json(&serde_json::json!({})),
        )
        .await;
    assert_eq!(res.status, 403);
    assert_eq!(res.json()["error"], "csrf");
    // A browser without the CSRF cookie (a cross-site form) gets nowhere.
    let fresh = app.client();
    let req = fresh.post_form_raw("/logout", &[("csrf_token", &c.csrf())]).await;
    assert_eq!(fresh.send(req).await.status, 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

async fn cross_site_and_foreign_origin_posts_are_refused(app: &TestApp) {
    let c = app.client();
    c.get("/signup").await;
    let form = [
        ("name", "Eve"),
        ("email", "eve@example.org"),
        ("password", PASSWORD),
        ("csrf_token", &c.csrf()),
    ];
    let res = c
        .send(
            c.http()
                .post(format!("{}/signup", app.base))
                .header("sec-fetch-site", "cross-site")
                .form(&form),
        )
        .await;
    assert_eq!(res.status, 403);
    let res = c
        .send(
            c.http()
                .post(format!("{}/signup", app.base))
                .header("origin", "https://evil.example")
                .form(&form),
        )
        .await;
    assert_eq!(res.status, 403);
    let res = c
        .send(
            c.http()
                .post(format!("{}/signup", app.base))
                .header("origin", app.base.as_str())
                .header("sec-fetch-site", "same-origin")
                .form(&form),
        )
        .await;
    assert_eq!(res.status, 200, "the same request from our own site is accepted");
}

async fn eleventh_attempt_in_an_hour_is_rate_limited(app: &TestApp) {
    let c = app.client();
    for i in 0..10 {
        let res = c
            .post_form(
                "/login",
                &[("email", "target@example.org"), ("password", "guess number one")],
            )
            .await;
        assert_eq!(res.status, 401, "attempt {}", i + 1);
    }
    let res = c
        .post_form(
            "/login",
            &[("email", "target@example.org"), ("password", "guess number one")],
        )
        .await;
    assert_eq!(res.status, 429);
    let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 3000 && retry <= 3600, "{retry}");
    // The other doors count the same way, per address.
    for door in ["/login/link", "/password/forgot"] {
        let field = if door == "/login/link" { "link-email" } else { "email" };
        for _ in 0..10 {
            assert_ne!(c.post_form(door, &[(field, "other@example.org")]).await.status, 429);
        }
        assert_eq!(
            c.post_form(door, &[(field, "other@example.org")]).await.status,
            429,
            "{door}"
        );
    }
    for _ in 0..10 {
        c.post_form(
            "/signup",
            &[("name", "X"), ("email", "spam@example.org"), ("password", PASSWORD)],
        )
        .await;
    }
    let res = c
        .post_form(
            "/signup",
            &[("name", "X"), ("email", "spam@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, 429);
    let api = c
        .post_json(
            "/api/v1/session",
            &serde_json::json!({"email": "target@example.org", "password": "x"}),
        )
        .await;
    assert_eq!(api.status, 429);
    assert!(api.header("retry-after").is_some());
}

/// Removes what legitimately differs between two page loads: the per-browser CSRF value.
fn normalise(body: &str, csrf: &str) -> String {
    body.replace(csrf, "CSRF")
}

async fn unknown_addresses_get_the_same_answers_as_known_ones(app: &TestApp) {
    app.signed_in_user("Known", "known@example.org", PASSWORD).await;
    let known = app.client();
    let unknown = app.client();
    type Form<'a> = &'a [(&'a str, &'a str)];
    let pairs: [(&str, Form, Form); 4] = [
        (
            "/signup",
            &[("name", "X"), ("email", "known@example.org"), ("password", PASSWORD)],
            &[("name", "X"), ("email", "fresh@example.org"), ("password", PASSWORD)],
        ),
        (
            "/login",
            &[("email", "known@example.org"), ("password", "wrong password")],
            &[("email", "nobody@example.org"), ("password", "wrong password")],
        ),
        (
            "/login/link",
            &[("link-email", "known@example.org")],
            &[("link-email", "nobody@example.org")],
        ),
        (
            "/password/forgot",
            &[("email", "known@example.org")],
            &[("email", "nobody@example.org")],
        ),
    ];
    for (path, k, u) in pairs {
        let a = known.post_form(path, k).await;
        let b = unknown.post_form(path, u).await;
        assert_eq!(a.status, b.status, "{path}");
        let a = normalise(&a.body, &known.csrf()).replace("known@example.org", "ADDRESS");
        let b = normalise(&b.body, &unknown.csrf())
            .replace("nobody@example.org", "ADDRESS")
            .replace("fresh@example.org", "ADDRESS");
        assert_eq!(a, b, "{path} answers differently for a known address");
    }
    let a = known
        .post_form("/login/code", &[("email", "known@example.org"), ("code", "123456")])
        .await;
    let b = unknown
        .post_form("/login/code", &[("email", "nobody@example.org"), ("code", "123456")])
        .await;
    assert_eq!(a.status, b.status);
    // The API's sign-up answers the same too.
    let a = known
        .post_json(
            "/api/v1/signup",
            &serde_json::json!({"name": "X", "email": "known@example.org", "password": PASSWORD}),
        )
        .await;
    let b = unknown
        .post_json(
            "/api/v1/signup",
            &serde_json::json!({"name": "X", "email": "new@example.org", "password": PASSWORD}),
        )
        .await;
    assert_eq!((a.status, a.body), (b.status, b.body));
    // The owner of the known address hears about the attempt; nobody writes to unknown ones.
    let to_known = app.settled_emails_to("known@example.org").await;
    assert!(to_known.iter().any(|e| e.subject.contains("already have an account")));
    assert!(app.settled_emails_to("nobody@example.org").await.is_empty());
}

async fn session_cookie_is_host_only_httponly_secure_lax_and_rotated(app: &TestApp) {
    app.signed_in_user("Cookie", "cookie@example.org", PASSWORD).await;
    let c = app.client();
    let res = c
        .post_form("/login", &[("email", "cookie@example.org"), ("password", PASSWORD)])
        .await;
    let cookie = res
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-weft_session="))
        .expect("session cookie");
    for attr in ["Path=/", "HttpOnly", "SameSite=Lax", "Secure"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    assert!(!cookie.contains("Domain="), "__Host- cookies carry no Domain");
    let first = c.cookie("__Host-weft_session").unwrap();
    let old_browser = c.clone_cookies();
    c.post_form("/login", &[("email", "cookie@example.org"), ("password", PASSWORD)])
        .await;
    let second = c.cookie("__Host-weft_session").unwrap();
    assert_ne!(first, second, "a new session id at every log-in");
    assert!(!old_browser.is_signed_in().await, "the replaced session is gone");
    assert!(c.is_signed_in().await);
    let csrf = app
        .client()
        .get("/")
        .await
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-weft_csrf="))
        .unwrap();
    assert!(csrf.contains("HttpOnly") && csrf.contains("SameSite=Strict") && csrf.contains("Secure"));
    // Only hashes of session tokens are stored.
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 2);
    let mut conn = app.db_conn().await;
    let values = weft_store::schema::all_text_values(&mut conn, app.app.store.backend())
        .await
        .unwrap();
    assert!(
        !values.iter().any(|(_, _, v)| v.contains(&second)),
        "raw session token stored"
    );
}

async fn logout_ends_the_session_on_the_server(app: &TestApp) {
    let c = app.signed_in_user("Lo", "lo@example.org", PASSWORD).await;
    let stolen = c.clone_cookies();
    assert!(stolen.is_signed_in().await);
    c.post_form("/logout", &[]).await;
    assert!(
        !stolen.is_signed_in().await,
        "a copied cookie is worthless after log-out"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

async fn every_response_carries_the_security_headers(app: &TestApp) {
    let c = app.signed_in_user("Hd", "hd@example.org", PASSWORD).await;
    let anon = app.client();
    let mut responses = Vec::new();
    for path in [
        "/",
        "/signup",
        "/login",
        "/password/forgot",
        "/healthz",
        "/static/weft.css",
        "/no/such/page",
        "/api/v1/me",
        "/login/token/bad",
    ] {
        responses.push((path, anon.get(path).await));
    }
    for path in ["/", "/profile", "/profile/sessions", "/api/v1/me"] {
        responses.push((path, c.get(path).await));
    }
    responses.push(("POST /signup (bad)", anon.post_form("/signup", &[]).await));
    for (path, res) in &responses {
        let csp = res
            .header("content-security-policy")
            .unwrap_or_else(|| panic!("{path}: no CSP"));
        for directive in [
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: CSP lacks {directive}");
        }
        assert_eq!(
            res.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert!(res.header("referrer-policy").is_some(), "{path}");
        assert!(
            res.header("strict-transport-security").is_none(),
            "{path}: no HSTS over plain http"
        );
    }
    let not_found = &responses.iter().find(|(p, _)| *p == "/no/such/page").unwrap().1;
    assert_eq!(not_found.status, 404);
    assert!(not_found.body.contains("Page not found"));
    let https = TestApp::spawn_with(app.db, |cfg| cfg.base_url = Some("https://weft.example".into()))
        .await
        .unwrap();
    let res = https.client().get("/").await;
    assert!(res.header("strict-transport-security").unwrap().contains("max-age="));
    https.finish().await;
}

async fn redirect_after_log_in_stays_on_this_site(app: &TestApp) {
    app.signed_in_user("Rd", "rd@example.org", PASSWORD).await;
    for evil in [
        "//evil.example/x",
        "https://evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
    ] {
        let c = app.client();
        let res = c
            .post_form(
                "/login",
                &[("email", "rd@example.org"), ("password", PASSWORD), ("next", evil)],
            )
            .await;
        assert_eq!(res.status, 303);
        let to = res.location();
        assert!(
            to.starts_with('/') && !to.starts_with("//") && !to.contains("evil"),
            "{evil} → {to}"
        );
    }
    let c = app.client();
    let res = c.get("/profile").await;
    assert_eq!(res.location(), "/login?next=/profile");
    let res = c
        .post_form(
            "/login",
            &[
                ("email", "rd@example.org"),
                ("password", PASSWORD),
                ("next", "/profile"),
            ],
        )
        .await;
    assert_eq!(res.location(), "/profile");
}

async fn idle_and_absolute_session_timeouts_end_sessions(app: &TestApp) {
    let c = app.signed_in_user("To", "to@example.org", PASSWORD).await;
    app.app.clock.advance(weft_domain::Duration::days(13));
    assert!(c.is_signed_in().await, "used within the idle timeout");
    app.app.clock.advance(weft_domain::Duration::days(13));
    assert!(c.is_signed_in().await, "each use extends the idle window");
    app.app.clock.advance(weft_domain::Duration::days(15));
    assert!(!c.is_signed_in().await, "idle for more than 14 days");

    let d = app.client();
    d.post_form("/login", &[("email", "to@example.org"), ("password", PASSWORD)])
        .await;
    for _ in 0..8 {
        app.app.clock.advance(weft_domain::Duration::days(10));
        assert!(d.is_signed_in().await);
    }
    app.app.clock.advance(weft_domain::Duration::days(10));
    assert!(
        !d.is_signed_in().await,
        "90 days after log-in the session ends, used or not"
    );
}

/// A private thread's link opened without a session: "Page not found" with a log-in that comes
/// back to it — the same answer as for a thread that does not exist; after log-in the thread's
/// rule decides again.
async fn a_link_opened_logged_out_offers_log_in_and_comes_back(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    app.signed_in_user("Eve", "eve@example.org", PASSWORD).await;
    let group = crate::groups::create(&ann, "Quiet garden", "secret", "invitation").await;
    let thread = crate::threads::start(&ann, &group, "Private plans", "Only us.", "private").await;
    let path = format!("/t/{thread}?from=1");
    let visitor = app.client();
    let private = visitor.get(&path).await;
    assert_eq!(private.status, 404);
    let offer = format!("/login?next=/t/{thread}%3Ffrom%3D1");
    assert!(private.body.contains(&offer), "{}", private.body);
    let missing = visitor.get("/t/doesnotexist?from=1").await;
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("/login?next=/t/doesnotexist%3Ffrom%3D1"),
        "an unknown thread answers the same"
    );
    assert_eq!(
        private.body.replace(&thread, "K"),
        missing.body.replace("doesnotexist", "K"),
        "nothing tells a private thread from a missing one"
    );
    // Ann logs in from the offer and lands on the thread; Eve, who is no member, lands on 404.
    for (email, status) in [("ann@example.org", 200), ("eve@example.org", 404)] {
        let c = app.client();
        let form = c.get(&offer).await;
        assert_eq!(form.status, 200);
        let res = c
            .post_form(
                "/login",
                &[
                    ("email", email),
                    ("password", PASSWORD),
                    ("next", &format!("/t/{thread}?from=1")),
                ],
            )
            .await;
        assert_eq!(res.status, 303);
        assert_eq!(res.location(), path);
        let page = c.get(&path).await;
        assert_eq!(page.status, status, "{email}");
        assert!(
            !page.body.contains("Log in to see it"),
            "a signed-in reader is not offered to log in"
        );
    }
    // Pages of tokens and the API are not rewritten.
    let api = visitor.get(&format!("/api/v1/threads/{thread}")).await;
    assert_eq!(api.status, 404);
    assert!(!api.body.contains("login"));
}

/// `/g/<handle>` is the group, through the same rule as `/g/<key>`: an open group for everyone, a
/// secret one for its members only, and for anyone else the very answer of a handle nobody has.
async fn a_group_answers_at_its_handle_as_at_its_key(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let eve = app.signed_in_user("Eve", "eve@example.org", PASSWORD).await;
    let open = crate::groups::create(&ann, "Riverside Garden", "open", "anyone").await;
    let secret = crate::groups::create(&ann, "Night Owls", "secret", "invitation").await;
    let handle_of = |key: String| {
        let ann = &ann;
        async move {
            ann.get(&format!("/api/v1/groups/{key}")).await.json()["handle"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let (open_handle, secret_handle) = (handle_of(open.clone()).await, handle_of(secret.clone()).await);
    for path in [format!("/g/{open_handle}"), format!("/g/{open}")] {
        let page = app.client().get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(page.body.contains("Riverside Garden"));
    }
    assert_eq!(
        ann.get(&format!("/api/v1/groups/{open_handle}")).await.json()["key"],
        open.as_str()
    );
    assert_eq!(ann.get(&format!("/g/{secret_handle}")).await.status, 200, "its member");
    let hidden = eve.get(&format!("/g/{secret_handle}")).await;
    let nobody = eve.get("/g/no-such-handle").await;
    assert_eq!((hidden.status, nobody.status), (404, 404));
    assert_eq!(
        hidden.body.replace(&secret_handle, "H"),
        nobody.body.replace("no-such-handle", "H"),
        "no existence leak"
    );
    assert_eq!(eve.get(&format!("/api/v1/groups/{secret_handle}")).await.status, 404);
}
