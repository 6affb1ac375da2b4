//! `weft bench`: starts `weft serve` on a seeded data folder (or PostgreSQL database), then drives
//! it over loopback HTTP with concurrent signed-in clients and reports, per scenario, the median,
//! p95 and p99 latency and the throughput. It also times the bare database work behind the thread
//! page and behind posting a comment (the same store calls through the same driver, no HTTP, no
//! permission check, no rendering) and reports page time / floor time. Cold start and idle memory
//! come from the server process itself.

use std::fmt::Write as _;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use weft_app::jobs::JobKind;
use weft_store::{Store, StoreOptions, groups, threads};

use crate::seed::SEED_PASSWORD;

#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub data_dir: std::path::PathBuf,
    pub database_url: Option<String>,
    pub duration: Duration,
    pub concurrency: usize,
    pub live_connections: usize,
    /// Only the scenarios whose name contains this (case-insensitive); `|` separates
    /// alternatives ("group page|count alone": a page and its floor in one run).
    pub only: Option<String>,
    /// Set for the server process only (the client shares the binary, not these).
    pub server_env: Vec<(String, String)>,
}

impl BenchOptions {
    fn wants(&self, scenario: &str) -> bool {
        self.only.as_deref().is_none_or(|only| {
            let scenario = scenario.to_lowercase();
            only.split('|')
                .any(|part| scenario.contains(&part.trim().to_lowercase()))
        })
    }
}

/// Latencies of one scenario, in microseconds.
struct Sample {
    name: String,
    micros: Vec<u64>,
    errors: u64,
    elapsed: Duration,
}

impl Sample {
    fn pct(&self, p: f64) -> f64 {
        if self.micros.is_empty() {
            return f64::NAN;
        }
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let i = (((self.micros.len() - 1) as f64) * p).round() as usize;
        #[allow(clippy::cast_precision_loss)]
        let v = self.micros[i] as f64;
        v / 1000.0
    }

    fn per_second(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let n = self.micros.len() as f64;
        n / self.elapsed.as_secs_f64()
    }
}

/// The scenario every other is compared with: a static file from the same server.
const STATIC_BASELINE: &str = "static file, 10 KiB (the baseline)";

/// A browser: its cookies and the CSRF value.
#[derive(Clone)]
struct Session {
    cookie: String,
    csrf: String,
}

fn cookies_from(res: &reqwest::Response, into: &mut Vec<(String, String)>) {
    for v in res.headers().get_all(reqwest::header::SET_COOKIE) {
        if let Ok(s) = v.to_str()
            && let Some((k, v)) = s.split(';').next().unwrap_or(s).split_once('=')
        {
            into.retain(|(name, _)| name != k);
            into.push((k.to_owned(), v.to_owned()));
        }
    }
}

async fn log_in(http: &reqwest::Client, base: &str, email: &str) -> anyhow::Result<Session> {
    let mut jar = Vec::new();
    let res = http.get(format!("{base}/login")).send().await?;
    cookies_from(&res, &mut jar);
    let csrf = jar
        .iter()
        .find(|(k, _)| k.ends_with("weft_csrf"))
        .map(|(_, v)| v.clone())
        .context("no CSRF cookie")?;
    let header = |jar: &[(String, String)]| {
        jar.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let res = http
        .post(format!("{base}/login"))
        .header("cookie", header(&jar))
        .form(&[("email", email), ("password", SEED_PASSWORD), ("csrf_token", &csrf)])
        .send()
        .await?;
    if res.status().as_u16() != 303 {
        bail!("log-in as {email} answered {}", res.status());
    }
    cookies_from(&res, &mut jar);
    Ok(Session {
        cookie: header(&jar),
        csrf,
    })
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn fd_limit() -> usize {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(1024)
}

/// Runs `work` from `concurrency` tasks for `duration`; each call returns whether it succeeded.
async fn drive<F, Fut>(name: &str, concurrency: usize, duration: Duration, work: F) -> Sample
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let work = Arc::new(work);
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let (work, stop, errors) = (work.clone(), stop.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let ok = work(worker).await;
                if ok {
                    mine.push(u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX));
                } else {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            mine
        }));
    }
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    let mut micros = Vec::new();
    for t in tasks {
        micros.extend(t.await.unwrap_or_default());
    }
    let elapsed = started.elapsed();
    micros.sort_unstable();
    Sample {
        name: name.to_owned(),
        micros,
        errors: errors.load(Ordering::Relaxed),
        elapsed,
    }
}

/// A `weft serve` started by the benchmark.
struct Server {
    child: tokio::process::Child,
    base: String,
    pid: u32,
    cold_start: Duration,
}

impl Server {
    /// Starts `weft serve` on the benchmark's database with the given log levels, and waits for
    /// its first answer.
    async fn start(options: &BenchOptions, http: &reqwest::Client, log: &str, stdout: Stdio) -> anyhow::Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        drop(listener);
        let base = format!("http://127.0.0.1:{port}");
        let mut command = tokio::process::Command::new(std::env::current_exe()?);
        command
            .arg("serve")
            .arg("--data-dir")
            .arg(&options.data_dir)
            .arg("--bind")
            .arg(format!("127.0.0.1:{port}"))
            .env("WEFT_LOG", log)
            .env("WEFT_RATE_LIMIT_PER_IP", "100000000")
            .env("WEFT_RATE_LIMIT_PER_EMAIL", "100000000")
            // Every benchmark client is one address: the per-client caps would measure themselves.
            .env("WEFT_CONNECTIONS_PER_CLIENT", "100000000")
            .env("WEFT_LIVE_STREAMS_PER_CLIENT", "100000000")
            .env_remove("WEFT_BASE_URL")
            .envs(options.server_env.iter().map(|(k, v)| (k, v)))
            .stdout(stdout)
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        match &options.database_url {
            Some(url) => command.env("WEFT_DATABASE_URL", url),
            None => command.env_remove("WEFT_DATABASE_URL"),
        };
        let spawned = Instant::now();
        let child = command.spawn().context("starting weft serve")?;
        let pid = child.id().context("no server pid")?;
        loop {
            if let Ok(res) = http.get(format!("{base}/healthz")).send().await
                && res.status().is_success()
            {
                break;
            }
            if spawned.elapsed() > Duration::from_secs(60) {
                bail!("weft serve did not answer within a minute");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(Self {
            child,
            base,
            pid,
            cold_start: spawned.elapsed(),
        })
    }

    async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

pub async fn run(options: BenchOptions) -> anyhow::Result<String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(options.concurrency * 2)
        .build()?;
    let server = Server::start(&options, &http, "warn", Stdio::null()).await?;
    let (base, pid, cold_start) = (server.base.clone(), server.pid, server.cold_start);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_rss = rss_kib(pid).unwrap_or(0);

    let result = scenarios(&options, &http, &base, pid).await;
    server.stop().await;
    let (samples, mut extra) = result?;
    if options.wants("statements per page") {
        extra.extend(statements_per_page(&options, &http).await?);
    }

    let backend = if options.database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let mut out = String::new();
    writeln!(
        out,
        "weft bench: {backend}, {} concurrent clients, {} s per scenario, {} cores",
        options.concurrency,
        options.duration.as_secs(),
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get)
    )?;
    let baseline = samples
        .iter()
        .find(|s| s.name == STATIC_BASELINE)
        .map(Sample::per_second);
    writeln!(
        out,
        "\n| Scenario | p50 ms | p95 ms | p99 ms | per second | % of the static file | errors |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|")?;
    for s in &samples {
        let share = baseline.map_or_else(|| "–".to_owned(), |b| format!("{:.1} %", 100.0 * s.per_second() / b));
        writeln!(
            out,
            "| {} | {:.2} | {:.2} | {:.2} | {:.0} | {share} | {} |",
            s.name,
            s.pct(0.50),
            s.pct(0.95),
            s.pct(0.99),
            s.per_second(),
            s.errors
        )?;
    }
    writeln!(out)?;
    #[allow(clippy::cast_precision_loss)]
    let idle_mib = idle_rss as f64 / 1024.0;
    writeln!(
        out,
        "cold start to first answer: {:.0} ms",
        cold_start.as_secs_f64() * 1000.0
    )?;
    writeln!(out, "idle resident memory: {idle_mib:.1} MiB")?;
    for line in extra {
        writeln!(out, "{line}")?;
    }
    Ok(out)
}

type Outcome = (Vec<Sample>, Vec<String>);

async fn scenarios(options: &BenchOptions, http: &reqwest::Client, base: &str, pid: u32) -> anyhow::Result<Outcome> {
    let c = options.concurrency;
    let d = options.duration;
    let mut sessions = Vec::with_capacity(c);
    for i in 0..c {
        sessions.push(log_in(http, base, &format!("user{}@seed.example", i + 2)).await?);
    }
    let sessions = Arc::new(sessions);
    let mut samples = Vec::new();
    let mut extra = Vec::new();

    let get = |name: &str, path: String, signed_in: bool| {
        let (http, base, sessions) = (http.clone(), base.to_owned(), sessions.clone());
        let name = name.to_owned();
        async move {
            let path = Arc::new(path);
            drive(&name, c, d, move |w| {
                let (http, base, sessions, path) = (http.clone(), base.clone(), sessions.clone(), path.clone());
                async move {
                    let mut req = http.get(format!("{base}{path}"));
                    if signed_in {
                        req = req.header("cookie", &sessions[w].cookie);
                    }
                    match req.send().await {
                        Ok(res) if res.status().is_success() => res.bytes().await.is_ok(),
                        _ => false,
                    }
                }
            })
            .await
        }
    };
    let pages = [
        // The baseline every page is compared with, from the same server in the same run.
        (STATIC_BASELINE, "/static/weft.css", false),
        ("/healthz (one trivial statement)", "/healthz", false),
        ("thread page, 10 comments (signed in)", "/t/bench10?from=1", true),
        ("thread page, 100 comments (signed in)", "/t/bench100?from=1", true),
        ("thread page, 1 000 comments (signed in)", "/t/bench1000?from=1", true),
        (
            "public thread page, 100 comments (anonymous)",
            "/t/bench100?from=1",
            false,
        ),
        ("group page, the largest group (signed in)", "/g/seedg1", true),
        (
            "group page, the largest group, page 3 by newest (signed in)",
            "/g/seedg1?sort=newest&page=2",
            true,
        ),
        ("dashboard (signed in)", "/", true),
        ("Explore, first page (anonymous)", "/explore", false),
        (
            "results page of a poll with 10 000 votes (anonymous)",
            "/p/benchresults",
            false,
        ),
    ];
    for (name, path, signed_in) in pages {
        if options.wants(name) {
            samples.push(get(name, path.to_owned(), signed_in).await);
        }
    }

    let store = open_store(options, c).await?;
    // The same comment on a thread nobody follows, then on one whose followers are each emailed.
    for (thread, who) in [("benchquiet", "no followers"), ("benchpost", "followers emailed")] {
        let name = format!("post a comment, {who} ({c} writers)");
        if options.wants(&name) {
            let (sample, check) = post_comments(&store, http, base, &sessions, thread, &name, c, d).await?;
            samples.push(sample);
            extra.push(check);
        }
    }
    let name = "cast a vote, 200 concurrent voters on one poll";
    if options.wants(name) {
        let (sample, check) = cast_votes(&store, http, base, name, d).await?;
        samples.push(sample);
        extra.push(check);
    }
    if options.wants("mark a thread read") {
        let (http, base, sessions) = (http.clone(), base.to_owned(), sessions.clone());
        samples.push(
            drive("mark a thread read", c, d, move |w| {
                let (http, base, sessions) = (http.clone(), base.clone(), sessions.clone());
                async move {
                    let res = http
                        .post(format!("{base}/api/v1/threads/bench1000/read"))
                        .header("cookie", &sessions[w].cookie)
                        .header("x-csrf-token", &sessions[w].csrf)
                        .send()
                        .await;
                    matches!(res, Ok(r) if r.status().is_success())
                }
            })
            .await,
        );
    }

    // The floors: the anonymous thread page's store calls, and a comment's transaction.
    let name = "floor: the thread page's queries alone";
    if options.wants(name) {
        let store = store.clone();
        let floor = drive(name, c, d, move |_| {
            let store = store.clone();
            async move { thread_page_queries(&store).await.is_ok() }
        })
        .await;
        extra.extend(ratio(&samples, "public thread page", "thread page", &floor));
        samples.push(floor);
    }
    let name = "floor: a comment's transaction alone";
    if options.wants(name) {
        let store = store.clone();
        let floor = drive(name, c, d, move |_| {
            let store = store.clone();
            async move { comment_transaction(&store).await.is_ok() }
        })
        .await;
        extra.extend(ratio(&samples, "post a comment", "post a comment", &floor));
        samples.push(floor);
    }

    let name = "floor: the largest group's thread count alone";
    if options.wants(name) {
        let group = weft_store::groups::find_by_key(&mut *store.reader().await?, "seedg1")
            .await?
            .context("no seedg1 group: run weft seed first")?;
        let store = store.clone();
        let floor = drive(name, c, d, move |_| {
            let store = store.clone();
            async move {
                let Ok(mut conn) = store.reader().await else {
                    return false;
                };
                let all = threads::ThreadFilter::default();
                threads::count_for_group(&mut conn, group.id, None, true, &all)
                    .await
                    .is_ok()
            }
        })
        .await;
        extra.extend(ratio(
            &samples,
            "group page, the largest group (",
            "group page / its count",
            &floor,
        ));
        samples.push(floor);
    }

    let name = "preview a comment of 2 KB (markdown to sanitised HTML)";
    if options.wants(name) {
        let (http, base, sessions) = (http.clone(), base.to_owned(), sessions.clone());
        let text: Arc<str> = "A **preview** with a [link](https://example.org), `code` and a list:\n\n- one\n- two\n\n"
            .repeat(24)
            .into();
        samples.push(
            drive(name, c, d, move |w| {
                let (http, base, sessions, text) = (http.clone(), base.clone(), sessions.clone(), text.clone());
                async move {
                    let res = http
                        .post(format!("{base}/api/v1/preview"))
                        .header("cookie", &sessions[w].cookie)
                        .header("x-csrf-token", &sessions[w].csrf)
                        .json(&serde_json::json!({ "markdown": &*text }))
                        .send()
                        .await;
                    matches!(res, Ok(r) if r.status().is_success())
                }
            })
            .await,
        );
    }

    let name = format!("delete a comment and undo it ({c} writers, their own comments)");
    if options.wants(&name) {
        samples.push(delete_and_undo(http, base, &sessions, &name, c, d).await?);
    }

    let name = "announce a new thread to the largest group (notifications written, emails queued)";
    if options.wants(name) {
        let (sample, check) = announce_threads(&store, http, base, &sessions[0], name, d).await?;
        samples.push(sample);
        extra.push(check);
    }

    let name = "digest run for every member of the largest group";
    if options.wants(name) {
        let (sample, check) = digest_run(&store, http, base, &sessions[0], name).await?;
        samples.push(sample);
        extra.push(check);
    }

    let name = "STV count of 10 000 ballots, 20 options, 3 seats (one core)";
    if options.wants(name) {
        let (sample, check) = stv_count(name, d).await;
        samples.push(sample);
        extra.push(check);
    }
    if options.wants("personal-data export") {
        extra.push(export_heavy_account(&store, http, base).await?);
    }
    if options.live_connections > 0 && options.wants("live-update connections") {
        extra.push(live_connections(options, base, pid, &sessions).await);
    }
    store.close().await;
    Ok((samples, extra))
}

/// Each writer posts a comment of their own on the quiet thread, then deletes it and brings it
/// back, again and again (one sample: the delete and the undo, each scheduling or finding its
/// erasure job). Every undo must succeed: the comment is theirs and within its two minutes.
async fn delete_and_undo(
    http: &reqwest::Client,
    base: &str,
    sessions: &Arc<Vec<Session>>,
    name: &str,
    c: usize,
    d: Duration,
) -> anyhow::Result<Sample> {
    let mut ids = Vec::with_capacity(c);
    for session in sessions.iter().take(c) {
        let res = http
            .post(format!("{base}/api/v1/threads/benchquiet/comments"))
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
            .json(&serde_json::json!({"body": "A comment to delete and bring back."}))
            .send()
            .await?;
        let seq = res.json::<serde_json::Value>().await?["seq"]
            .as_i64()
            .context("no seq")?;
        let page: serde_json::Value = http
            .get(format!("{base}/api/v1/threads/benchquiet?from={seq}"))
            .header("cookie", &session.cookie)
            .send()
            .await?
            .json()
            .await?;
        let id = page["comments"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["seq"] == seq))
            .and_then(|c| c["id"].as_i64())
            .context("the comment just posted is not on its page")?;
        ids.push(id);
    }
    let ids = Arc::new(ids);
    let (http, base, sessions) = (http.clone(), base.to_owned(), sessions.clone());
    Ok(drive(name, c, d, move |w| {
        let (http, base, sessions, ids) = (http.clone(), base.clone(), sessions.clone(), ids.clone());
        async move {
            let url = format!("{base}/api/v1/threads/benchquiet/comments/{}", ids[w]);
            let deleted = http
                .delete(&url)
                .header("cookie", &sessions[w].cookie)
                .header("x-csrf-token", &sessions[w].csrf)
                .send()
                .await;
            if !matches!(deleted, Ok(r) if r.status().is_success()) {
                return false;
            }
            let restored = http
                .post(format!("{url}/restore"))
                .header("cookie", &sessions[w].cookie)
                .header("x-csrf-token", &sessions[w].csrf)
                .send()
                .await;
            matches!(restored, Ok(r) if r.status().is_success())
        }
    })
    .await)
}

async fn open_store(options: &BenchOptions, connections: usize) -> anyhow::Result<Store> {
    let url = options
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", options.data_dir.join("weft.sqlite3").display()));
    Ok(Store::connect(
        &url,
        &StoreOptions {
            max_connections: u32::try_from(connections).unwrap_or(8),
        },
    )
    .await?)
}

/// Cast a vote: 200 voters (or as many as were seeded), each voting again and again (a changed
/// vote each time) on one open proposal. Every answered vote must be a stored version, and every
/// voter who was answered must have exactly one current vote.
async fn cast_votes(
    store: &Store,
    http: &reqwest::Client,
    base: &str,
    name: &str,
    d: Duration,
) -> anyhow::Result<(Sample, String)> {
    let key = crate::seed::BENCH_VOTE_POLL;
    let poll = weft_store::polls::find_by_key(&mut *store.reader().await?, key)
        .await?
        .with_context(|| format!("no {key} poll: run weft seed first (again, after an upgrade)"))?;
    let options = weft_store::polls::options_of(&mut *store.reader().await?, poll.id).await?;
    let users = weft_store::users::count(&mut *store.reader().await?).await?;
    let voters = usize::try_from(users.clamp(1, 201) - 1)?;
    let mut sessions = Vec::with_capacity(voters);
    for i in 0..voters {
        sessions.push(log_in(http, base, &format!("user{}@seed.example", i + 2)).await?);
    }
    let sessions = Arc::new(sessions);
    let options: Arc<Vec<i64>> = Arc::new(options.iter().map(|o| o.id.0).collect());
    let count = |sql: &'static str| {
        let store = store.clone();
        async move {
            weft_store::query(sql)
                .bind(poll.id)
                .fetch_scalar::<i64>(&mut *store.reader().await?)
                .await
                .map_err(anyhow::Error::from)
        }
    };
    let rows_before = count("SELECT COUNT(*) FROM votes WHERE poll_id = $1").await?;
    let turn = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let sample = {
        let (http, base, sessions) = (http.clone(), base.to_owned(), sessions.clone());
        drive(name, voters, d, move |w| {
            let (http, base, sessions, options, turn) = (
                http.clone(),
                base.clone(),
                sessions.clone(),
                options.clone(),
                turn.clone(),
            );
            async move {
                let n = turn.fetch_add(1, Ordering::Relaxed);
                let option = options[(w + n) % options.len()];
                let res = http
                    .post(format!("{base}/api/v1/polls/{key}/votes"))
                    .header("cookie", &sessions[w].cookie)
                    .header("x-csrf-token", &sessions[w].csrf)
                    .json(&serde_json::json!({"choices": [{"option": option}], "reason": "A benchmark vote."}))
                    .send()
                    .await;
                matches!(res, Ok(r) if r.status().as_u16() == 200)
            }
        })
        .await
    };
    let stored = count("SELECT COUNT(*) FROM votes WHERE poll_id = $1").await? - rows_before;
    let current = count("SELECT COUNT(*) FROM votes WHERE poll_id = $1 AND current = 1").await?;
    let counted = count("SELECT voter_count FROM polls WHERE id = $1").await?;
    let answered = i64::try_from(sample.micros.len())?;
    let check = format!(
        "{key}: {answered} votes answered 200 from {voters} voters, {stored} stored{}; {current} current votes, \
         turnout {counted}{}",
        if stored == answered {
            " (none lost)"
        } else {
            " — MISMATCH"
        },
        if current == counted && current <= i64::try_from(voters)? {
            " (one per voter)"
        } else {
            " — MISMATCH"
        },
    );
    Ok((sample, check))
}

/// Post a comment: every answer counted, then the thread must hold exactly that many, and the
/// outbox an email to each follower for each.
#[allow(clippy::too_many_arguments)]
async fn post_comments(
    store: &Store,
    http: &reqwest::Client,
    base: &str,
    sessions: &Arc<Vec<Session>>,
    key: &'static str,
    name: &str,
    c: usize,
    d: Duration,
) -> anyhow::Result<(Sample, String)> {
    let thread = threads::find_by_key(&mut *store.reader().await?, key)
        .await?
        .with_context(|| format!("no {key} thread: run weft seed first (again, after an upgrade)"))?;
    let before = thread.comment_count;
    let followers = threads::recipients(
        &mut *store.reader().await?,
        Some(thread.id),
        thread.group_id,
        None,
        threads::Audience::Comment,
    )
    .await?
    .iter()
    // Only the loud get an email for every comment.
    .filter(|r| r.volume == weft_domain::notifications::Volume::Loud)
    .count();
    let emails_before = new_comment_emails(store).await?;
    let post = {
        let (http, base, sessions) = (http.clone(), base.to_owned(), sessions.clone());
        drive(name, c, d, move |w| {
            let (http, base, sessions) = (http.clone(), base.clone(), sessions.clone());
            async move {
                let res = http
                    .post(format!("{base}/api/v1/threads/{key}/comments"))
                    .header("cookie", &sessions[w].cookie)
                    .header("x-csrf-token", &sessions[w].csrf)
                    .json(&serde_json::json!({"body": "A benchmark comment with **markdown**."}))
                    .send()
                    .await;
                matches!(res, Ok(r) if r.status().as_u16() == 201)
            }
        })
        .await
    };
    let after = threads::find_by_key(&mut *store.reader().await?, key)
        .await?
        .context("the thread vanished")?
        .comment_count;
    let stored = after - before;
    let answered = i64::try_from(post.micros.len())?;
    // Follower emails are queued after each comment commits: wait for the last of them.
    let posted = Instant::now();
    while weft_store::jobs::pending_of(&mut *store.reader().await?, JobKind::CommentFanout.as_str()).await? > 0
        && posted.elapsed() < Duration::from_secs(120)
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let drained = posted.elapsed();
    let emails = new_comment_emails(store).await? - emails_before;
    // Then for the mailer to deliver them, so the next scenarios do not share the machine with it.
    while pending_emails(store).await? > 0 && posted.elapsed() < Duration::from_secs(300) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let delivered = posted.elapsed();
    let expected = stored * i64::try_from(followers)?;
    let check = format!(
        "{key}: {answered} answered 201, {stored} stored{}; follower emails: {emails} queued for {stored} × \
         {followers} followers{}, the last {:.0} ms after the last answer; the outbox empty (delivered to files) {:.1} s after it",
        if stored == answered {
            " (none lost)"
        } else {
            " — MISMATCH"
        },
        if emails == expected {
            " (none lost)"
        } else {
            " — MISMATCH"
        },
        drained.as_secs_f64() * 1000.0,
        delivered.as_secs_f64()
    );
    Ok((post, check))
}

/// How many emails wait for the mailer.
async fn pending_emails(store: &Store) -> anyhow::Result<i64> {
    Ok(weft_store::outbox::count_by_status(&mut *store.reader().await?, "pending").await?)
}

/// How many follower emails the outbox holds (queued or sent).
/// A thread announced to the whole largest group, one after another: each timing runs from the
/// request until its fan-out job has written every member's notification and queued the emails
/// (what the job does in one transaction). Then checks that every member but the author was told.
async fn announce_threads(
    store: &Store,
    http: &reqwest::Client,
    base: &str,
    session: &Session,
    name: &str,
    d: Duration,
) -> anyhow::Result<(Sample, String)> {
    let count = |sql: &'static str| async move {
        anyhow::Ok(
            weft_store::query(sql)
                .fetch_scalar::<i64>(&mut *store.reader().await?)
                .await?,
        )
    };
    let members =
        count("SELECT COUNT(*) FROM memberships m JOIN groups g ON g.id = m.group_id WHERE g.key = 'seedg1'").await?;
    let emails_before = count("SELECT COUNT(*) FROM outbox_emails WHERE kind = 'new_thread'").await?;
    let notes_before = count("SELECT COUNT(*) FROM notifications WHERE kind = 'thread'").await?;
    let (http, base, session, store2) = (
        http.clone(),
        base.to_owned(),
        Arc::new(Session {
            cookie: session.cookie.clone(),
            csrf: session.csrf.clone(),
        }),
        store.clone(),
    );
    let sample = drive(name, 1, d, move |_| {
        let (http, base, session, store) = (http.clone(), base.clone(), session.clone(), store2.clone());
        async move {
            let res = http
                .post(format!("{base}/api/v1/groups/seedg1/threads"))
                .header("cookie", &session.cookie)
                .header("x-csrf-token", &session.csrf)
                .json(
                    &serde_json::json!({"title": "An announcement", "context": "For **everyone**.", "notify": "group"}),
                )
                .send()
                .await;
            if !matches!(&res, Ok(r) if r.status().as_u16() == 201) {
                return false;
            }
            let deadline = Instant::now() + Duration::from_secs(120);
            while Instant::now() < deadline {
                let pending = async {
                    anyhow::Ok(
                        weft_store::query(
                            "SELECT COUNT(*) FROM jobs WHERE kind = 'thread_fanout' AND state = 'pending'",
                        )
                        .fetch_scalar::<i64>(&mut *store.reader().await?)
                        .await?,
                    )
                }
                .await;
                match pending {
                    Ok(0) => return true,
                    Ok(_) => tokio::time::sleep(Duration::from_millis(2)).await,
                    Err(_) => return false,
                }
            }
            false
        }
    })
    .await;
    let announced = i64::try_from(sample.micros.len())?;
    let emails = count("SELECT COUNT(*) FROM outbox_emails WHERE kind = 'new_thread'").await? - emails_before;
    let notes = count("SELECT COUNT(*) FROM notifications WHERE kind = 'thread'").await? - notes_before;
    let check = format!(
        "announce: {announced} threads to {members} members: {notes} notifications written ({} per thread), \
         {emails} emails queued",
        if announced > 0 { notes / announced } else { 0 }
    );
    anyhow::ensure!(
        announced == 0 || notes == announced * (members - 1),
        "{check}: every member but the author must be told"
    );
    Ok((sample, check))
}

/// Every member of the largest group due a daily digest at once, after a comment in one of its
/// threads: timed from making them due until the server's digest job has handled every one
/// (each digest read, permission-checked, composed and queued). One run; the figure includes the
/// job's pick-up (it polls every 5 s at most when woken by another process), reported apart.
async fn digest_run(
    store: &Store,
    http: &reqwest::Client,
    base: &str,
    session: &Session,
    name: &str,
) -> anyhow::Result<(Sample, String)> {
    let scalar = |sql: String| async move {
        anyhow::Ok(
            weft_store::query(sql)
                .fetch_scalar::<i64>(&mut *store.reader().await?)
                .await?,
        )
    };
    let res = http
        .post(format!("{base}/api/v1/threads/bench100/comments"))
        .header("cookie", &session.cookie)
        .header("x-csrf-token", &session.csrf)
        .json(&serde_json::json!({"body": "> A quote\n\nNews for the **digest**."}))
        .send()
        .await?;
    anyhow::ensure!(
        res.status().as_u16() == 201,
        "posting the digest's comment: {}",
        res.status()
    );
    let before = scalar("SELECT COUNT(*) FROM outbox_emails WHERE kind = 'digest'".into()).await?;
    let now = weft_app::clock::Clock::system().now().micros();
    let started = Instant::now();
    {
        let mut tx = store.begin().await?;
        let members = weft_store::query(
            "UPDATE users SET digest = 'daily', digest_due_at = $1, digest_since = $2 \
             WHERE id IN (SELECT m.user_id FROM memberships m JOIN groups g ON g.id = m.group_id WHERE g.key = 'seedg1')",
        )
        .bind(now - 1)
        .bind(now - 3_600_000_000)
        .execute(&mut tx)
        .await?
        .rows_affected();
        weft_store::query("UPDATE jobs SET run_at = $1 WHERE unique_key = 'digests'")
            .bind(now)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        anyhow::ensure!(members > 0, "the largest group has no members");
    }
    let deadline = Instant::now() + Duration::from_secs(600);
    let due = format!("SELECT COUNT(*) FROM users WHERE digest_due_at <= {now}");
    loop {
        if scalar(due.clone()).await? == 0 {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the digests were not all sent within 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    let queued = scalar("SELECT COUNT(*) FROM outbox_emails WHERE kind = 'digest'".into()).await? - before;
    let span = scalar(format!(
        "SELECT COALESCE(MAX(created_at) - MIN(created_at), 0) FROM outbox_emails WHERE kind = 'digest' AND created_at >= {now}"
    ))
    .await?;
    let check = format!(
        "digests: {queued} queued in {:.1} s from due to done ({:.1} s from the first queued to the last)",
        elapsed.as_secs_f64(),
        f64::from(u32::try_from(span / 1000).unwrap_or(u32::MAX)) / 1000.0,
    );
    anyhow::ensure!(queued > 0, "{check}: every member had news");
    let sample = Sample {
        name: name.to_owned(),
        micros: vec![u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)],
        errors: 0,
        elapsed,
    };
    // Back to no digest, so that a second run starts from the same place.
    weft_store::query("UPDATE users SET digest = 'off', digest_due_at = NULL")
        .execute(&mut *store.writer().await?)
        .await?;
    Ok((sample, check))
}

async fn new_comment_emails(store: &Store) -> anyhow::Result<i64> {
    Ok(
        weft_store::query("SELECT COUNT(*) AS n FROM outbox_emails WHERE kind = 'new_comment'")
            .fetch_scalar(&mut *store.reader().await?)
            .await?,
    )
}

/// The personal-data export of the heavy account (user1).
async fn export_heavy_account(store: &Store, http: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let heavy = log_in(http, base, "user1@seed.example").await?;
    let t = Instant::now();
    let res = http
        .get(format!("{base}/profile/data/export.zip"))
        .header("cookie", &heavy.cookie)
        .send()
        .await?;
    let status = res.status();
    let bytes = res.bytes().await?;
    let comments = threads::count_by_author(&mut *store.reader().await?, weft_store::users::UserId(1)).await?;
    #[allow(clippy::cast_precision_loss)]
    let mib = bytes.len() as f64 / 1_048_576.0;
    Ok(format!(
        "personal-data export of user1 ({comments} comments): {} ms, {mib:.1} MiB ({status}; accounts over the inline limit get it in the background)",
        t.elapsed().as_millis()
    ))
}

/// Idle live-update connections: the server's resident memory before and after opening them.
async fn live_connections(options: &BenchOptions, base: &str, pid: u32, sessions: &[Session]) -> String {
    let possible = fd_limit().saturating_sub(200);
    let want = options.live_connections.min(possible);
    let before = rss_kib(pid).unwrap_or(0);
    let mut held = Vec::with_capacity(want);
    let addr = base.trim_start_matches("http://").to_owned();
    let mut stopped = String::new();
    for i in 0..want {
        let session = &sessions[i % sessions.len()];
        match open_stream(&addr, "/t/bench100/live", &session.cookie).await {
            Ok(s) => held.push(s),
            Err(e) => {
                stopped = format!(" (stopped at {i}: {e})");
                break;
            }
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kib(pid).unwrap_or(0);
    #[allow(clippy::cast_precision_loss)]
    let more = (after.saturating_sub(before)) as f64 / 1024.0;
    #[allow(clippy::cast_precision_loss)]
    let each = (after.saturating_sub(before)) as f64 / held.len().max(1) as f64;
    format!(
        "{} idle live-update connections: +{more:.1} MiB resident, {each:.1} KiB each{stopped}{}",
        held.len(),
        if want < options.live_connections {
            format!(" (open-file limit allowed {want}; raise it with ulimit -n)")
        } else {
            String::new()
        }
    )
}

/// Statements per page, counted by a second server that logs every statement (`weft_store::sql` at
/// debug) as the page grows: a thread of 10, 100 and 1 000 comments; the smallest and the largest
/// group of the person in the most groups; the dashboards of the people in the fewest and the
/// most groups. Each page is asked for three times and the fewest statements count (a background
/// worker's poll may fall into one request's window; the first visit also moves the read mark).
async fn statements_per_page(options: &BenchOptions, http: &reqwest::Client) -> anyhow::Result<Vec<String>> {
    let store = open_store(options, 2).await?;
    let subjects = Subjects::find(&store).await?;
    store.close().await;

    let mut server = Server::start(options, http, "warn,weft_store::sql=debug", Stdio::piped()).await?;
    let stdout = server.child.stdout.take().context("no server output")?;
    let statements = Arc::new(AtomicU64::new(0));
    let counter = statements.clone();
    tokio::spawn(async move {
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains(weft_store::db::STATEMENT_LOG) {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    let base = server.base.clone();
    let most = log_in(http, &base, &subjects.most_groups.0).await?;
    let fewest = log_in(http, &base, &subjects.fewest_groups.0).await?;
    let count = |path: String, session: Session| {
        let (http, base, statements) = (http.clone(), base.clone(), statements.clone());
        async move {
            let mut fewest = u64::MAX;
            for _ in 0..3 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let before = statements.load(Ordering::Relaxed);
                let res = http
                    .get(format!("{base}{path}"))
                    .header("cookie", &session.cookie)
                    .send()
                    .await?;
                if !res.status().is_success() {
                    bail!("{path} answered {}", res.status());
                }
                res.bytes().await?;
                tokio::time::sleep(Duration::from_millis(100)).await;
                fewest = fewest.min(statements.load(Ordering::Relaxed) - before);
            }
            anyhow::Ok(fewest)
        }
    };
    let (small_group, small_members, small_threads) = &subjects.smallest_group;
    let (large_group, large_members, large_threads) = &subjects.largest_group;
    let rows = [
        (
            "thread page (signed in)",
            (
                "10 comments".to_owned(),
                count("/t/bench10?from=1".into(), most.clone()).await?,
            ),
            (
                "1 000 comments".to_owned(),
                count("/t/bench1000?from=1".into(), most.clone()).await?,
            ),
        ),
        (
            "group page (signed in, a member)",
            (
                format!("{small_members} members, {small_threads} threads"),
                count(format!("/g/{small_group}"), most.clone()).await?,
            ),
            (
                format!("{large_members} members, {large_threads} threads"),
                count(format!("/g/{large_group}"), most.clone()).await?,
            ),
        ),
        (
            "dashboard",
            (
                format!("a member of {} group(s)", subjects.fewest_groups.1),
                count("/".into(), fewest).await?,
            ),
            (
                format!("a member of {} groups", subjects.most_groups.1),
                count("/".into(), most).await?,
            ),
        ),
    ];
    server.stop().await;
    let mut out = vec![
        String::new(),
        "Statements per page (the store's statement log; fewest of 3 requests):".to_owned(),
        String::new(),
        "| Page | smaller | statements | larger | statements |".to_owned(),
        "|---|---|---|---|---|".to_owned(),
    ];
    for (page, (small, a), (large, b)) in rows {
        out.push(format!(
            "| {page} | {small} | {a} | {large} | {b}{} |",
            if a == b { "" } else { " (GROWS)" }
        ));
    }
    Ok(out)
}

/// Who and what the statement counts look at, read from the seeded database.
struct Subjects {
    /// (email, groups)
    most_groups: (String, i64),
    fewest_groups: (String, i64),
    /// (key, members, threads) among the groups of the person in the most groups.
    smallest_group: (String, i64, i64),
    largest_group: (String, i64, i64),
}

impl Subjects {
    async fn find(store: &Store) -> anyhow::Result<Self> {
        let mut conn = store.reader().await?;
        let person = |order: &'static str| {
            weft_store::query(format!(
                "SELECT u.email, COUNT(*) AS n FROM memberships m JOIN users u ON u.id = m.user_id \
                 WHERE u.state = 'active' GROUP BY u.id, u.email ORDER BY n {order}, u.id LIMIT 1"
            ))
        };
        let email_and_count = |r: &weft_store::Row<'_>| Ok((r.try_get("email")?, r.try_get("n")?));
        let most_groups = person("DESC").fetch_one(&mut conn, email_and_count).await?;
        let fewest_groups = person("ASC").fetch_one(&mut conn, email_and_count).await?;
        let group = |order: &'static str| {
            weft_store::query(format!(
                "SELECT g.key, (SELECT COUNT(*) FROM memberships m WHERE m.group_id = g.id) AS members, \
                 (SELECT COUNT(*) FROM threads t WHERE t.group_id = g.id) AS threads FROM groups g \
                 WHERE g.id IN (SELECT m.group_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $1) \
                 ORDER BY members {order}, g.id LIMIT 1"
            ))
        };
        let sizes = |r: &weft_store::Row<'_>| Ok((r.try_get("key")?, r.try_get("members")?, r.try_get("threads")?));
        let smallest_group = group("ASC").bind(&most_groups.0).fetch_one(&mut conn, sizes).await?;
        let largest_group = group("DESC").bind(&most_groups.0).fetch_one(&mut conn, sizes).await?;
        Ok(Self {
            most_groups,
            fewest_groups,
            smallest_group,
            largest_group,
        })
    }
}

/// "label / floor: p50 a / b ms = r×; throughput …" for the scenario whose name starts with `page`.
fn ratio(samples: &[Sample], page: &str, label: &str, floor: &Sample) -> Option<String> {
    let s = samples.iter().find(|s| s.name.starts_with(page))?;
    let (p50, rate) = (s.pct(0.5), s.per_second());
    Some(format!(
        "{label} / floor: p50 {:.2} / {:.2} ms = {:.1}×; throughput {:.0} / {:.0} per s = {:.1}×",
        p50,
        floor.pct(0.5),
        p50 / floor.pct(0.5),
        floor.per_second(),
        rate,
        floor.per_second() / rate
    ))
}

/// Opens a Server-Sent Events stream and reads its response head.
async fn open_stream(addr: &str, path: &str, cookie: &str) -> anyhow::Result<tokio::net::TcpStream> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nCookie: {cookie}\r\n\r\n")
            .as_bytes(),
    )
    .await?;
    let mut buf = [0_u8; 512];
    let n = s.read(&mut buf).await?;
    if !buf[..n].starts_with(b"HTTP/1.1 200") {
        bail!("{}", String::from_utf8_lossy(&buf[..n.min(40)]));
    }
    Ok(s)
}

/// What `App::thread_page` asks the store for an anonymous reader of the first page.
async fn thread_page_queries(store: &Store) -> anyhow::Result<()> {
    let mut conn = store.reader().await?;
    let thread = threads::find_by_key(&mut conn, "bench100").await?.context("thread")?;
    groups::find(&mut conn, thread.group_id).await?.context("group")?;
    threads::comments_page(&mut conn, thread.id, 1, 50).await?;
    threads::reactions_for_page(&mut conn, thread.id, 1, 50).await?;
    threads::tags_of(&mut conn, &[thread.id]).await?;
    Ok(())
}

/// What posting a comment writes, in one transaction: the sequence number, the comment and the
/// job that asks for its follower emails (those are queued after the commit, as in the app).
async fn comment_transaction(store: &Store) -> anyhow::Result<()> {
    let mut conn = store.reader().await?;
    let thread = threads::find_by_key(&mut conn, "benchquiet").await?.context("thread")?;
    drop(conn);
    let now = weft_domain::Timestamp(1);
    let mut tx = store.begin().await?;
    let (comment_id, _) = threads::insert_comment(
        &mut tx,
        thread.id,
        None,
        None,
        weft_store::users::UserId(2),
        "A floor comment with **markdown**.",
        now,
    )
    .await?;
    let fanout = weft_app::jobs::CommentFanout {
        thread_id: thread.id,
        comment_id,
    };
    weft_store::jobs::enqueue(
        &mut tx,
        JobKind::CommentFanout.as_str(),
        &serde_json::to_string(&fanout)?,
        now,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 10 000 ballots over 20 options, each ranking between 1 and 20 of them, drawn from a fixed seed
/// with a preference for a few popular options (as real elections have), grouped into identical
/// rankings as the store keeps them.
fn stv_ballots() -> Vec<weft_domain::polls::ranked::Ranking> {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut rankings: std::collections::HashMap<Vec<i64>, u64> = std::collections::HashMap::new();
    for _ in 0..10_000 {
        let mut options: Vec<i64> = (1..=20).collect();
        // Popular options drift to the front: sort by a random key weighted by the option.
        let mut keyed: Vec<(u64, i64)> = options
            .drain(..)
            .map(|o| (next() % 1_000 * u64::try_from(o).unwrap_or(1), o))
            .collect();
        keyed.sort_unstable();
        let depth = usize::try_from(next() % 20).unwrap_or(0) + 1;
        let order: Vec<i64> = keyed.into_iter().take(depth).map(|(_, o)| o).collect();
        *rankings.entry(order).or_default() += 1;
    }
    rankings
        .into_iter()
        .map(|(order, ballots)| weft_domain::polls::ranked::Ranking { order, ballots })
        .collect()
}

/// The STV count alone (what a results page of such a poll computes), on one core, repeated for
/// the duration; checks that every count elects the same three options.
async fn stv_count(name: &str, duration: Duration) -> (Sample, String) {
    use weft_domain::polls::ranked::{Method, count, lot};
    let rankings = Arc::new(stv_ballots());
    let options: Arc<Vec<i64>> = Arc::new((1..=20).collect());
    let lot = Arc::new(lot("benchstv", &options));
    let first = count(&options, &lot, &rankings, Method::Stv { seats: 3 });
    let expected = Arc::new(first.elected.clone());
    let (r, o, l, e) = (rankings.clone(), options.clone(), lot.clone(), expected.clone());
    let sample = drive(name, 1, duration, move |_| {
        let (r, o, l, e) = (r.clone(), o.clone(), l.clone(), e.clone());
        async move {
            tokio::task::spawn_blocking(move || count(&o, &l, &r, Method::Stv { seats: 3 }).elected == *e)
                .await
                .unwrap_or(false)
        }
    })
    .await;
    let check = format!(
        "STV count: {} distinct rankings of {} ballots, {} stages, elected options {:?}, every count the same",
        rankings.len(),
        first.valid,
        first.stages.len(),
        first.elected
    );
    (sample, check)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only(text: Option<&str>) -> BenchOptions {
        BenchOptions {
            data_dir: std::path::PathBuf::new(),
            database_url: None,
            duration: Duration::from_secs(1),
            concurrency: 1,
            live_connections: 0,
            only: text.map(str::to_owned),
            server_env: Vec::new(),
        }
    }

    #[test]
    fn only_picks_scenarios_by_any_of_its_parts() {
        assert!(only(None).wants("dashboard (signed in)"));
        assert!(only(Some("Dashboard")).wants("dashboard (signed in)"));
        assert!(!only(Some("explore")).wants("dashboard (signed in)"));
        let two = only(Some("group page| count alone"));
        assert!(two.wants("group page, the largest group (signed in)"));
        assert!(two.wants("floor: the largest group's thread count alone"));
        assert!(!two.wants("digest run for every member of the largest group"));
    }
}
