//! The harness every integration test uses: a real `weft serve` on a random port, on a fresh
//! SQLite file or a fresh PostgreSQL database, with a cookie-keeping client and the outbox.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderMap, SET_COOKIE};
use weft::{Application, ServeConfig};
use weft_app::App;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Runs a scenario `async fn name(app: TestApp)` once per backend: `name::sqlite` always,
/// `name::postgres` when `WEFT_TEST_POSTGRES_URL` is set (it says so and passes otherwise).
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::TestApp::spawn($crate::helpers::Db::Sqlite).await.expect("sqlite");
                super::$name(&app).await;
                app.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(app) = $crate::helpers::TestApp::spawn($crate::helpers::Db::Postgres).await else {
                    eprintln!("skipped: WEFT_TEST_POSTGRES_URL is not set");
                    return;
                };
                super::$name(&app).await;
                app.finish().await;
            }
        }
    )*};
}

/// `on_both!` with a configuration tweak: `on_both_with!(tweak; name, …)`, where `tweak` is a
/// `fn(&mut ServeConfig)`.
#[macro_export]
macro_rules! on_both_with {
    ($tweak:path; $($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::TestApp::spawn_with($crate::helpers::Db::Sqlite, $tweak).await.expect("sqlite");
                super::$name(&app).await;
                app.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(app) = $crate::helpers::TestApp::spawn_with($crate::helpers::Db::Postgres, $tweak).await else {
                    eprintln!("skipped: WEFT_TEST_POSTGRES_URL is not set");
                    return;
                };
                super::$name(&app).await;
                app.finish().await;
            }
        }
    )*};
}

pub fn postgres_url() -> Option<String> {
    std::env::var("WEFT_TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty())
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        weft_domain::random_key().to_lowercase()
    )
}

/// A fresh PostgreSQL database, dropped again by `drop_database`.
pub async fn create_postgres_database() -> Option<(String, String)> {
    let admin = postgres_url()?;
    let name = unique("weft_test");
    admin_sql(&admin, &format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create a test database through WEFT_TEST_POSTGRES_URL");
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_owned();
    Some((format!("{base}/{name}"), name))
}

pub fn drop_database(name: &str) {
    let Some(admin) = postgres_url() else { return };
    let name = name.to_owned();
    // Runs on its own thread and runtime so it also works from `Drop` during a panic.
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let _ = admin_sql(&admin, &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
        });
    })
    .join();
}

/// Runs one statement on the PostgreSQL server behind `admin_url` (outside any transaction).
pub async fn admin_sql(admin_url: &str, sql: &str) -> Result<(), weft_store::StoreError> {
    let store = weft_store::Store::connect(admin_url, &weft_store::StoreOptions { max_connections: 2 }).await?;
    let outcome = store.writer().await?.batch(sql).await;
    store.close().await;
    outcome
}

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(unique("weft-test"));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct TestApp {
    pub db: Db,
    /// The database this instance uses (another instance can share it).
    pub database_url: String,
    pub base: String,
    pub app: App,
    pub data: TempDir,
    /// The built-in SMTP listener for replies, when the configuration starts one.
    pub smtp_inbound: Option<std::net::SocketAddr>,
    outbox: PathBuf,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    pg_database: Option<String>,
}

impl TestApp {
    pub async fn spawn(db: Db) -> Option<Self> {
        Self::spawn_with(db, |_| {}).await
    }

    pub async fn spawn_with(db: Db, tweak: impl FnOnce(&mut ServeConfig)) -> Option<Self> {
        let data = TempDir::new();
        let mut config = ServeConfig::for_data_dir(data.0.clone());
        config.bind = "127.0.0.1:0".into();
        let mut pg_database = None;
        if db == Db::Postgres {
            let (url, name) = create_postgres_database().await?;
            config.database_url = url;
            pg_database = Some(name);
        }
        tweak(&mut config);
        let database_url = config.database_url.clone();
        let application = Application::build(config).await.expect("the application builds");
        let base = format!("http://{}", application.local_addr());
        let app = application.app().clone();
        let smtp_inbound = application.smtp_inbound_addr();
        let outbox = application
            .outbox_dir()
            .map_or_else(|| data.0.join("outbox"), Path::to_path_buf);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(application.run_until(async move {
            let _ = rx.await;
        }));
        Some(Self {
            db,
            database_url,
            base,
            app,
            data,
            smtp_inbound,
            outbox,
            shutdown: Some(tx),
            server: Some(server),
            pg_database,
        })
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// A second instance on the same PostgreSQL database, as a deployment of several would run.
    /// Its own data folder; the database stays owned (and dropped) by `self`.
    pub async fn second_instance(&self) -> TestApp {
        self.second_instance_with(|_| {}).await
    }

    /// `second_instance` with its configuration changed as `tweak` says.
    pub async fn second_instance_with(&self, tweak: impl FnOnce(&mut ServeConfig)) -> TestApp {
        assert_eq!(
            self.db,
            Db::Postgres,
            "several instances share PostgreSQL, never SQLite"
        );
        let url = self.database_url.clone();
        Self::spawn_with(Db::Sqlite, move |c| {
            tweak(c);
            c.database_url = url;
        })
        .await
        .map(|mut second| {
            second.db = Db::Postgres;
            second
        })
        .expect("a second instance")
    }

    /// Waits until no background job is due (the runner is woken, as the clock may have moved)
    /// and fails the test if one is left dead: every test ends with the queue settled.
    pub async fn settle_jobs(&self) {
        let mut counts = self.app.job_counts().await.expect("counting jobs");
        for _ in 0..200 {
            if counts.due == 0 {
                break;
            }
            self.app.wake_all_jobs();
            tokio::time::sleep(Duration::from_millis(50)).await;
            counts = self.app.job_counts().await.expect("counting jobs");
        }
        if counts.due > 0 {
            let mut conn = self.db_conn().await;
            let kinds: Vec<String> = weft_store::query("SELECT kind FROM jobs WHERE state = 'pending'")
                .fetch_all(&mut conn, |r| r.try_get("kind"))
                .await
                .unwrap_or_default();
            panic!("after 10 s, {} background jobs are still due: {kinds:?}", counts.due);
        }
        if counts.dead > 0 {
            let mut conn = self.db_conn().await;
            let dead = weft_store::jobs::dead(&mut conn, 10).await.expect("dead jobs");
            panic!("{} background jobs are dead: {dead:?}", counts.dead);
        }
    }

    /// Stops the server cleanly (workers finish) after checking that no job is left due or dead,
    /// and removes the database.
    pub async fn finish(mut self) {
        if !std::thread::panicking() {
            self.settle_jobs().await;
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
        }
        if let Some(name) = self.pg_database.take() {
            drop_database(&name);
        }
    }

    /// Stops the server but keeps its data folder and database, for a restart on them
    /// (`adopt` hands them to the next instance, which then cleans up).
    pub async fn stop_keeping_data(mut self) -> (TempDir, Option<String>) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
        }
        let data = std::mem::replace(&mut self.data, TempDir::new());
        (data, self.pg_database.take())
    }

    /// Starts again on what `stop_keeping_data` kept (same data folder, same database).
    pub async fn restart_on(kept: (TempDir, Option<String>), db: Db, database_url: &str) -> TestApp {
        Self::restart_on_with(kept, db, database_url, |_| {}).await
    }

    /// `restart_on` with the configuration changed as `tweak` says.
    pub async fn restart_on_with(
        kept: (TempDir, Option<String>),
        db: Db,
        database_url: &str,
        tweak: impl FnOnce(&mut ServeConfig),
    ) -> TestApp {
        let dir = kept.0.0.clone();
        let url = database_url.to_owned();
        let mut again = Self::spawn_with(Db::Sqlite, move |c| {
            tweak(c);
            c.data_dir = dir;
            c.database_url = url;
        })
        .await
        .expect("the restarted instance");
        again.db = db;
        again.adopt(kept);
        again
    }

    /// Takes over what `stop_keeping_data` kept, to remove it when this instance finishes.
    pub fn adopt(&mut self, kept: (TempDir, Option<String>)) {
        self.data = kept.0;
        self.pg_database = kept.1;
    }

    /// A raw connection to the test database, for assertions on what is stored.
    pub async fn db_conn(&self) -> weft_store::Lease {
        self.app.store.writer().await.expect("database connection")
    }

    /// Whether the account at `email` has unsubscribed from notification emails.
    pub async fn is_unsubscribed(&self, email: &str) -> bool {
        let mut conn = self.db_conn().await;
        weft_store::query("SELECT emails_unsubscribed_at FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(&mut conn, |r| r.try_get::<Option<i64>, _>("emails_unsubscribed_at"))
            .await
            .expect("the account")
            .is_some()
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        let mut conn = self.db_conn().await;
        weft_store::query(sql).fetch_scalar(&mut conn).await.expect(sql)
    }

    /// `count` with one bound id (`$1`).
    pub async fn count_where(&self, sql: &'static str, id: i64) -> i64 {
        let mut conn = self.db_conn().await;
        weft_store::query(sql)
            .bind(id)
            .fetch_scalar(&mut conn)
            .await
            .expect(sql)
    }

    /// Every email written so far, oldest first.
    pub fn emails(&self) -> Vec<Email> {
        let Ok(dir) = std::fs::read_dir(&self.outbox) else {
            return vec![];
        };
        let mut files: Vec<_> = dir
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| Email::parse(&std::fs::read_to_string(p).unwrap()))
            .collect()
    }

    /// Waits (up to 10 s) for the `n`-th email (1-based) to `to` and returns it.
    pub async fn nth_email_to(&self, to: &str, n: usize) -> Email {
        for _ in 0..200 {
            let mine: Vec<Email> = self.emails().into_iter().filter(|e| e.to.contains(to)).collect();
            if mine.len() >= n {
                return mine[n - 1].clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no email #{n} to {to} arrived; outbox has {:?}",
            self.emails().iter().map(|e| (&e.to, &e.subject)).collect::<Vec<_>>()
        );
    }

    /// Waits (up to 10 s) for the first email to `to` whose text contains `needle`.
    pub async fn email_to_containing(&self, to: &str, needle: &str) -> Email {
        for _ in 0..200 {
            if let Some(found) = self
                .emails()
                .into_iter()
                .find(|e| e.to.contains(to) && e.text.contains(needle))
            {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no email to {to} containing {needle:?}");
    }

    /// The newest email to `to` once the outbox has nothing pending.
    pub async fn last_email_to(&self, to: &str) -> Email {
        self.settled_emails_to(to)
            .await
            .pop()
            .unwrap_or_else(|| panic!("no email to {to}"))
    }

    /// Waits until the outbox has no pending email, then returns all emails to `to`.
    pub async fn settled_emails_to(&self, to: &str) -> Vec<Email> {
        self.settle_mail().await;
        self.emails().into_iter().filter(|e| e.to.contains(to)).collect()
    }

    /// Waits until every new comment's follower emails (and every due poll's "it is open") are
    /// queued and the outbox has nothing due
    /// (an email a test made fail waits for its retry, later: it is not due). Only then does
    /// counting emails prove that none was (or will be) sent. Fails the test after 10 s.
    pub async fn settle_mail(&self) {
        let mut left = 0;
        for _ in 0..200 {
            let now = self.app.clock.now().micros();
            let mut conn = self.db_conn().await;
            left = weft_store::query(
                "SELECT (SELECT COUNT(*) FROM jobs WHERE state = 'pending' AND (kind IN ('comment_fanout', 'thread_fanout') \
                 OR (kind = 'poll_opened' AND run_at <= $1))) + \
                 (SELECT COUNT(*) FROM outbox_emails WHERE status = 'pending' AND next_attempt_at <= $1)",
            )
            .bind(now)
            .fetch_scalar::<i64>(&mut conn)
            .await
            .expect("counting what the mail workers still have to do");
            drop(conn);
            if left == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("after 10 s, {left} follower fan-outs or due emails are still waiting");
    }

    /// `n` members of a group, each with a signed-in browser, made straight in the database:
    /// for tests about many people at once (signing up hundreds through the pages is slow and
    /// rate-limited, and not what they examine).
    pub async fn members_signed_in(&self, group_key: &str, n: usize) -> Vec<Client> {
        let mut conn = self.db_conn().await;
        let now = self.app.clock.now();
        let group = weft_store::groups::find_by_key(&mut conn, group_key)
            .await
            .unwrap()
            .unwrap();
        let mut clients = Vec::with_capacity(n);
        for i in 0..n {
            let key = weft_domain::random_key();
            let name = weft_domain::DisplayName::parse(&format!("Voter {i}")).unwrap();
            let email = weft_domain::EmailAddress::parse(&format!("voter{i}-{key}@example.org")).unwrap();
            let id = weft_store::users::insert(
                &mut conn,
                &weft_store::users::NewUser {
                    key: &key,
                    name: &name,
                    username: &format!("voter{}", key.to_lowercase()),
                    email: &email,
                    password_hash: None,
                    email_verified_at: Some(now),
                    is_admin: false,
                    now,
                },
            )
            .await
            .unwrap();
            weft_store::groups::add_member(
                &mut conn,
                group.id,
                id,
                weft_domain::permissions::Role::Member,
                None,
                now,
            )
            .await
            .unwrap();
            let token = weft_domain::SecretToken::generate();
            weft_store::sessions::insert(
                &mut conn,
                &weft_store::sessions::NewSession {
                    token_hash: &token.hash(),
                    user_id: id,
                    now,
                    expires_at: now.plus(weft_domain::Duration::days(1)),
                    browser: weft_domain::browser::browser_family(&self.client().user_agent),
                    ip: weft_domain::MaskedIp::mask("127.0.0.1".parse().unwrap()),
                },
            )
            .await
            .unwrap();
            let client = self.client();
            client
                .jar
                .lock()
                .unwrap()
                .insert("__Host-weft_session".into(), token.expose().to_owned());
            clients.push(client);
        }
        clients
    }

    /// Signs up, verifies through the emailed link and returns the signed-in browser.
    pub async fn signed_in_user(&self, name: &str, email: &str, password: &str) -> Client {
        let client = self.client();
        client.get("/signup").await;
        let res = client
            .post_form("/signup", &[("name", name), ("email", email), ("password", password)])
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let link = self.email_to_containing(email, "/verify/").await.link("/verify/");
        let res = client.post_form(&link, &[]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        client
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(name) = self.pg_database.take() {
            drop_database(&name);
        }
    }
}

/// One email from the outbox folder, decoded.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub headers: String,
    pub text: String,
    pub html: String,
}

impl Email {
    pub fn parse(raw: &str) -> Self {
        let raw = raw.replace("\r\n", "\n");
        let (headers, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
        let headers = unfold(headers);
        let header = |name: &str| {
            headers
                .lines()
                .find_map(|l| {
                    l.split_once(": ")
                        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                        .map(|(_, v)| v.to_owned())
                })
                .unwrap_or_default()
        };
        let boundary = header("Content-Type")
            .split("boundary=")
            .nth(1)
            .unwrap_or("")
            .trim_matches('"')
            .to_owned();
        let mut text = String::new();
        let mut html = String::new();
        for part in body.split(&format!("--{boundary}")) {
            let Some((ph, pb)) = part.trim_start_matches('\n').split_once("\n\n") else {
                continue;
            };
            let ph = unfold(ph).to_lowercase();
            let decoded = if ph.contains("quoted-printable") {
                decode_qp(pb)
            } else if ph.contains("base64") {
                decode_base64(pb)
            } else {
                pb.to_owned()
            };
            if ph.contains("text/plain") {
                text = decoded;
            } else if ph.contains("text/html") {
                html = decoded;
            }
        }
        Self {
            to: header("To"),
            subject: decode_subject(&header("Subject")),
            headers,
            text,
            html,
        }
    }

    /// The first absolute link in the text part whose path starts with `path_prefix`, as a path.
    pub fn link(&self, path_prefix: &str) -> String {
        let start = self
            .text
            .find(path_prefix)
            .unwrap_or_else(|| panic!("no {path_prefix} link in:\n{}", self.text));
        self.text[start..].split_whitespace().next().unwrap().to_owned()
    }

    pub fn code(&self) -> String {
        let marker = "enter this code where you asked for it: ";
        let i = self.text.find(marker).expect("a code in the email") + marker.len();
        self.text[i..i + 6].to_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            l.split_once(": ")
                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.to_owned())
        })
    }
}

fn unfold(headers: &str) -> String {
    headers.replace("\n ", " ").replace("\n\t", " ")
}

fn decode_qp(s: &str) -> String {
    let s = s.replace("=\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 3 <= bytes.len()
            && let Ok(b) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or(""), 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn decode_base64(s: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let Some(v) = ALPHABET.iter().position(|a| *a == c) else {
            continue;
        };
        bits = (bits << 6) | u32::try_from(v).unwrap();
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push(u8::try_from((bits >> n) & 0xff).unwrap());
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn decode_subject(s: &str) -> String {
    // Encoded words (=?utf-8?b?…?=) appear only for non-ASCII subjects. RFC 2047: the white
    // space between two encoded words is dropped, between an encoded word and plain text kept.
    let mut out = String::new();
    let mut last_encoded = false;
    for w in s.split_whitespace() {
        let decoded = if let Some(inner) = w.strip_prefix("=?utf-8?b?").and_then(|w| w.strip_suffix("?=")) {
            Some(decode_base64(inner))
        } else {
            w.strip_prefix("=?utf-8?q?")
                .and_then(|w| w.strip_suffix("?="))
                .map(|inner| decode_qp(&inner.replace('_', " ")))
        };
        if !(out.is_empty() || (last_encoded && decoded.is_some())) {
            out.push(' ');
        }
        last_encoded = decoded.is_some();
        out.push_str(&decoded.unwrap_or_else(|| w.to_owned()));
    }
    out
}

/// A browser: keeps cookies, never follows redirects (tests look at them).
#[derive(Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    pub jar: Arc<Mutex<BTreeMap<String, String>>>,
    pub user_agent: String,
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Response {
    pub fn location(&self) -> String {
        self.headers
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|v| v.to_str().unwrap().to_owned())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl Client {
    /// The signed-in person's username.
    pub async fn username(&self) -> String {
        self.get("/api/v1/me").await.json()["username"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            jar: Arc::default(),
            user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0".into(),
        }
    }

    /// Another browser with the same cookies (a copied session).
    pub fn clone_cookies(&self) -> Self {
        let other = Self::new(&self.base);
        *other.jar.lock().unwrap() = self.jar.lock().unwrap().clone();
        other
    }

    /// The same browser (cookies) talking to another server: an instance restarted on the same data.
    pub fn rebase(&self, base: &str) -> Self {
        let other = Self::new(base);
        *other.jar.lock().unwrap() = self.jar.lock().unwrap().clone();
        other
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar.lock().unwrap().get(name).cloned()
    }

    pub fn csrf(&self) -> String {
        self.cookie("__Host-weft_csrf").unwrap_or_default()
    }

    fn cookie_header(&self) -> String {
        self.jar
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Response {
        let req = req
            .header("cookie", self.cookie_header())
            .header("user-agent", &self.user_agent);
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        for c in headers.get_all(SET_COOKIE) {
            let c = c.to_str().unwrap();
            let (pair, attrs) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.jar.lock().unwrap().remove(k);
            } else {
                self.jar.lock().unwrap().insert(k.to_owned(), v.to_owned());
            }
        }
        let body = res.text().await.unwrap();
        Response { status, headers, body }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send(self.http.get(self.url(path))).await
    }

    /// Opens a Server-Sent Events stream; the status tells whether it was accepted.
    pub async fn events(&self, path: &str) -> EventStream {
        let res = self
            .http
            .get(self.url(path))
            .header("cookie", self.cookie_header())
            .header("user-agent", &self.user_agent)
            .header("accept", "text/event-stream")
            .send()
            .await
            .expect("request");
        EventStream {
            status: res.status().as_u16(),
            content_type: res
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap_or("").to_owned())
                .unwrap_or_default(),
            res,
            buffer: String::new(),
        }
    }

    /// Submits a form the way our pages do: with this browser's CSRF value.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        if self.cookie("__Host-weft_csrf").is_none() {
            self.get("/healthz").await;
        }
        let mut all: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        all.push(("csrf_token", self.csrf()));
        self.send(self.http.post(self.url(path)).form(&all)).await
    }

    /// `post_form` as the page's script sends it (`X-Weft-Inline: 1`).
    pub async fn post_form_inline(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        if self.cookie("__Host-weft_csrf").is_none() {
            self.get("/healthz").await;
        }
        let mut all: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        all.push(("csrf_token", self.csrf()));
        let req = self.http.post(self.url(path)).header("x-weft-inline", "1").form(&all);
        self.send(req).await
    }

    /// A form post without any CSRF value.
    pub async fn post_form_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::RequestBuilder {
        self.http.post(self.url(path)).form(fields)
    }

    /// `post_json` that reports a failed connection (a server killed mid-request) as `None`
    /// instead of failing the test; the CSRF token must be in the jar already.
    pub async fn try_post_json(&self, path: &str, body: &serde_json::Value) -> Option<u16> {
        let req = self
            .http
            .post(self.url(path))
            .header("x-csrf-token", self.csrf())
            .header("cookie", self.cookie_header())
            .header("user-agent", &self.user_agent)
            .json(body);
        let res = req.send().await.ok()?;
        let status = res.status().as_u16();
        res.text().await.ok()?;
        Some(status)
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Response {
        if self.cookie("__Host-weft_csrf").is_none() {
            self.get("/healthz").await;
        }
        self.send(
            self.http
                .post(self.url(path))
                .header("x-csrf-token", self.csrf())
                .json(body),
        )
        .await
    }

    pub async fn request_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Response {
        if self.cookie("__Host-weft_csrf").is_none() {
            self.get("/healthz").await;
        }
        let mut req = self
            .http
            .request(method, self.url(path))
            .header("x-csrf-token", self.csrf());
        if let Some(b) = body {
            req = req.json(b);
        }
        self.send(req).await
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Whether this browser is signed in, as the API sees it.
    pub async fn is_signed_in(&self) -> bool {
        self.get("/api/v1/me").await.status == 200
    }
}

/// An open Server-Sent Events stream.
pub struct EventStream {
    pub status: u16,
    pub content_type: String,
    res: reqwest::Response,
    buffer: String,
}

impl EventStream {
    /// The next event as (name, data), skipping keep-alive comments; `None` after `wait` without
    /// one, or when the stream ends.
    pub async fn next(&mut self, wait: Duration) -> Option<(String, String)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut name, mut data) = (String::from("message"), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data = v.trim().to_owned();
                    }
                }
                if block.lines().all(|l| l.starts_with(':') || l.is_empty()) {
                    continue;
                }
                return Some((name, data));
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk()).await.ok()?.ok()??;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

/// A JSON response as a snapshot reads it: pretty, with what changes from run to run replaced
/// (timestamps, keys, usernames, tokens), so a snapshot shows the shape and the words.
pub fn redacted_json(value: &serde_json::Value) -> String {
    fn looks_like_time(s: &str) -> bool {
        s.len() >= 20 && s.as_bytes().get(4) == Some(&b'-') && s.as_bytes().get(10) == Some(&b'T')
    }
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    match (k.as_str(), &*v) {
                        ("key" | "username" | "token" | "user" | "url", serde_json::Value::String(_)) => {
                            *v = serde_json::Value::String(format!("[{k}]"));
                        }
                        (_, serde_json::Value::String(s)) if looks_like_time(s) => {
                            *v = serde_json::Value::String("[time]".into());
                        }
                        _ => walk(v),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut v = value.clone();
    walk(&mut v);
    serde_json::to_string_pretty(&v).expect("JSON")
}

/// A `weft serve` process on `data` and `database_url`, listening on a free port, with `env`
/// added to its environment: for tests that kill it (`kill -9`), which an in-process server
/// cannot undergo.
pub struct Server {
    child: std::process::Child,
    pub base: String,
}

impl Server {
    pub async fn start(data: &Path, database_url: &str, env: &[(&str, String)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_weft"));
        command
            .arg("serve")
            .arg("--data-dir")
            .arg(data)
            .env("WEFT_DATABASE_URL", database_url)
            .env("WEFT_BIND", format!("127.0.0.1:{port}"))
            .env("WEFT_CONNECTIONS_PER_CLIENT", "1024")
            .env_remove("RUST_LOG")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..300 {
            if http
                .get(format!("{base}/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Self { child, base };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("weft serve did not answer /healthz within 15 s");
    }

    /// `kill -9`: no shutdown, no flush, nothing finishes.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// What the stand-in SMTP server does with the next message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpMode {
    /// Every recipient refused: `550 5.1.1`.
    Refuse = 0,
    /// The whole message read, then no answer to its final dot (not accepted, in SMTP's terms).
    Stall = 1,
    /// Accepted (`250`) and kept in `received`.
    Accept = 2,
}

/// A stand-in SMTP server on loopback, in plain text (no TLS, no AUTH: `email.rs` has the real
/// server for those), behaving as its mode says at the moment each message arrives. For
/// failures a real relay cannot be made to produce on demand.
pub struct SmtpStandIn {
    pub port: u16,
    mode: Arc<std::sync::atomic::AtomicU8>,
    /// Every message accepted, raw.
    pub received: Arc<Mutex<Vec<String>>>,
    /// How many messages were read whole and left unanswered.
    pub stalled: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpStandIn {
    pub async fn start(mode: SmtpMode) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode_now = Arc::new(std::sync::atomic::AtomicU8::new(mode as u8));
        let received = Arc::new(Mutex::new(Vec::new()));
        let stalled = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (m, r, st) = (mode_now.clone(), received.clone(), stalled.clone());
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(Self::session(socket, m.clone(), r.clone(), st.clone()));
            }
        });
        Self {
            port,
            mode: mode_now,
            received,
            stalled,
            task,
        }
    }

    pub fn set_mode(&self, mode: SmtpMode) {
        self.mode.store(mode as u8, std::sync::atomic::Ordering::SeqCst);
    }

    /// Settings for an in-process server sending here.
    pub fn settings(&self) -> weft_mail::SmtpSettings {
        weft_mail::SmtpSettings {
            host: "127.0.0.1".into(),
            port: self.port,
            tls: weft_mail::SmtpTls::None,
            username: None,
            password: None,
            ca_file: None,
        }
    }

    /// The same, as the environment of a `weft serve` process.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("WEFT_SMTP_HOST", "127.0.0.1".into()),
            ("WEFT_SMTP_PORT", self.port.to_string()),
            ("WEFT_SMTP_TLS", "none".into()),
        ]
    }

    pub fn received(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }

    async fn session(
        socket: tokio::net::TcpStream,
        mode: Arc<std::sync::atomic::AtomicU8>,
        received: Arc<Mutex<Vec<String>>>,
        stalled: Arc<std::sync::atomic::AtomicUsize>,
    ) {
        use std::sync::atomic::Ordering::SeqCst;
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
        let (read, mut write) = socket.into_split();
        let mut lines = tokio::io::BufReader::new(read);
        async fn say(w: &mut tokio::net::tcp::OwnedWriteHalf, text: &str) -> bool {
            w.write_all(text.as_bytes()).await.is_ok()
        }
        if !say(&mut write, "220 stand-in ESMTP\r\n").await {
            return;
        }
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
            let answer = match verb.as_str() {
                "EHLO" => "250-stand-in\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
                "RCPT" if mode.load(SeqCst) == SmtpMode::Refuse as u8 => "550 5.1.1 no such mailbox here\r\n",
                "DATA" => {
                    if !say(&mut write, "354 go ahead\r\n").await {
                        return;
                    }
                    let mut message = String::new();
                    loop {
                        line.clear();
                        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        if line == ".\r\n" {
                            break;
                        }
                        message.push_str(&line);
                    }
                    if mode.load(SeqCst) == SmtpMode::Stall as u8 {
                        stalled.fetch_add(1, SeqCst);
                        // Never answered: read until the sender goes away.
                        while lines.read_line(&mut line).await.unwrap_or(0) > 0 {}
                        return;
                    }
                    received.lock().unwrap().push(message);
                    "250 2.0.0 queued\r\n"
                }
                "QUIT" => {
                    let _ = say(&mut write, "221 bye\r\n").await;
                    return;
                }
                _ => "250 ok\r\n",
            };
            if !say(&mut write, answer).await {
                return;
            }
        }
    }
}

impl Drop for SmtpStandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}
