//! The anonymous first page of `bench100` is four statements: the thread with its author, its
//! group, fifty comments with their authors and parents, their reactions. This runs those four
//! (and, as the floor, `SELECT 1`) from 32 concurrent tasks on a two-worker runtime for a few
//! seconds through each candidate, and prints pages per second. Rows are mapped into owned structs
//! as the store does.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const THREAD: &str = "SELECT t.id, t.key, t.group_id, t.title, t.context, CASE WHEN a.state = 'active' THEN a.name END AS author_name, \
    t.last_seq, t.created_at FROM threads t LEFT JOIN users a ON a.id = t.author_id WHERE t.key = $1";
const GROUP: &str =
    "SELECT id, key, name, handle, description, privacy, parent_id, created_at FROM groups WHERE id = $1";
const COMMENTS: &str = "SELECT c.id, c.seq, c.parent_id, p.seq AS parent_seq, \
    CASE WHEN pu.state = 'active' THEN pu.name END AS parent_author_name, c.author_id, \
    CASE WHEN a.state = 'active' THEN a.name END AS author_name, \
    CASE WHEN a.state = 'active' THEN a.username END AS author_username, \
    c.body, c.edited_at, c.deleted_at, c.created_at \
    FROM comments c LEFT JOIN users a ON a.id = c.author_id \
    LEFT JOIN comments p ON p.id = c.parent_id LEFT JOIN users pu ON pu.id = p.author_id \
    WHERE c.thread_id = $1 AND c.seq >= $2 AND c.seq < $3 ORDER BY c.seq";
const REACTIONS: &str = "SELECT r.comment_id, r.user_id, u.name, r.emoji FROM reactions r JOIN comments c ON c.id = r.comment_id \
    JOIN users u ON u.id = r.user_id AND u.state = 'active' \
    WHERE c.thread_id = $1 AND c.seq >= $2 AND c.seq < $3 ORDER BY r.id";

#[allow(dead_code)]
#[derive(Debug)]
struct Thread {
    id: i64,
    key: String,
    group_id: i64,
    title: String,
    context: String,
    author: Option<String>,
    last_seq: i64,
    created_at: i64,
}
#[allow(dead_code)]
#[derive(Debug)]
struct Group {
    id: i64,
    key: String,
    name: String,
    handle: String,
    description: String,
    privacy: String,
    parent_id: Option<i64>,
    created_at: i64,
}
#[allow(dead_code)]
#[derive(Debug)]
struct Comment {
    id: i64,
    seq: i64,
    parent_id: Option<i64>,
    parent_seq: Option<i64>,
    parent_author: Option<String>,
    author_id: Option<i64>,
    author: Option<String>,
    username: Option<String>,
    body: String,
    edited_at: Option<i64>,
    deleted_at: Option<i64>,
    created_at: i64,
}
#[allow(dead_code)]
#[derive(Debug)]
struct Reaction {
    comment_id: i64,
    user_id: i64,
    name: String,
    emoji: String,
}

struct Page {
    comments: usize,
    reactions: usize,
}

const TASKS: usize = 32;
const SECS: u64 = 5;

async fn drive<F, Fut>(name: &str, work: F) -> f64
where
    F: Fn() -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = Page> + Send,
{
    // Warm up (and check the page is what we think).
    let p = work().await;
    assert!(p.comments >= 50, "{name}: {} comments", p.comments);
    let _ = p.reactions;
    let done = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs(SECS);
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (work, done) = (work.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < until {
                work().await;
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    #[allow(clippy::cast_precision_loss)]
    let rate = done.load(Ordering::Relaxed) as f64 / SECS as f64;
    println!("{name:<48} {rate:>9.0}/s");
    rate
}

// ---- sqlx, through Any (today) and native ----

macro_rules! sqlx_page {
    ($pool:expr, $row:ty) => {{
        use sqlx::Row;
        let mut c = $pool.acquire().await.unwrap();
        let r = sqlx::query(THREAD).bind("bench100").fetch_one(&mut *c).await.unwrap();
        let t = Thread {
            id: r.get("id"),
            key: r.get("key"),
            group_id: r.get("group_id"),
            title: r.get("title"),
            context: r.get("context"),
            author: r.get("author_name"),
            last_seq: r.get("last_seq"),
            created_at: r.get("created_at"),
        };
        let r = sqlx::query(GROUP).bind(t.group_id).fetch_one(&mut *c).await.unwrap();
        let _g = Group {
            id: r.get("id"),
            key: r.get("key"),
            name: r.get("name"),
            handle: r.get("handle"),
            description: r.get("description"),
            privacy: r.get("privacy"),
            parent_id: r.get("parent_id"),
            created_at: r.get("created_at"),
        };
        let comments: Vec<Comment> = sqlx::query(COMMENTS)
            .bind(t.id)
            .bind(1_i64)
            .bind(51_i64)
            .fetch_all(&mut *c)
            .await
            .unwrap()
            .iter()
            .map(|r: &$row| Comment {
                id: r.get("id"),
                seq: r.get("seq"),
                parent_id: r.get("parent_id"),
                parent_seq: r.get("parent_seq"),
                parent_author: r.get("parent_author_name"),
                author_id: r.get("author_id"),
                author: r.get("author_name"),
                username: r.get("author_username"),
                body: r.get("body"),
                edited_at: r.get("edited_at"),
                deleted_at: r.get("deleted_at"),
                created_at: r.get("created_at"),
            })
            .collect();
        let reactions: Vec<Reaction> = sqlx::query(REACTIONS)
            .bind(t.id)
            .bind(1_i64)
            .bind(51_i64)
            .fetch_all(&mut *c)
            .await
            .unwrap()
            .iter()
            .map(|r: &$row| Reaction {
                comment_id: r.get("comment_id"),
                user_id: r.get("user_id"),
                name: r.get("name"),
                emoji: r.get("emoji"),
            })
            .collect();
        Page {
            comments: comments.len(),
            reactions: reactions.len(),
        }
    }};
}

async fn sqlx_select1<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) -> Page
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let mut c = pool.acquire().await.unwrap();
    sqlx::Executor::execute(&mut *c, "SELECT 1").await.unwrap();
    Page {
        comments: 50,
        reactions: 0,
    }
}

// ---- rusqlite: the whole page in one blocking hop ----

struct Rusqlite(Mutex<Vec<rusqlite::Connection>>);

impl Rusqlite {
    fn open(path: &str, n: usize) -> Arc<Self> {
        let conns = (0..n)
            .map(|_| {
                let c =
                    rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
                c.busy_timeout(Duration::from_secs(5)).unwrap();
                c.set_prepared_statement_cache_capacity(64);
                c
            })
            .collect();
        Arc::new(Self(Mutex::new(conns)))
    }

    /// Runs `f` right here, on the runtime worker that polls the page: no hop at all.
    fn inline<T>(&self, f: impl FnOnce(&rusqlite::Connection) -> T) -> T {
        let c = self.0.lock().unwrap().pop().expect("one connection per task");
        let out = f(&c);
        self.0.lock().unwrap().push(c);
        out
    }

    async fn with<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&rusqlite::Connection) -> T + Send + 'static,
    ) -> T {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let c = me.0.lock().unwrap().pop().expect("one connection per task");
            let out = f(&c);
            me.0.lock().unwrap().push(c);
            out
        })
        .await
        .unwrap()
    }
}

fn rusqlite_page(c: &rusqlite::Connection) -> Page {
    let q = |s: &str| s.replace("$1", "?1").replace("$2", "?2").replace("$3", "?3");
    let t = c
        .prepare_cached(&q(THREAD))
        .unwrap()
        .query_row(["bench100"], |r| {
            Ok(Thread {
                id: r.get("id")?,
                key: r.get("key")?,
                group_id: r.get("group_id")?,
                title: r.get("title")?,
                context: r.get("context")?,
                author: r.get("author_name")?,
                last_seq: r.get("last_seq")?,
                created_at: r.get("created_at")?,
            })
        })
        .unwrap();
    let _g = c
        .prepare_cached(&q(GROUP))
        .unwrap()
        .query_row([t.group_id], |r| {
            Ok(Group {
                id: r.get("id")?,
                key: r.get("key")?,
                name: r.get("name")?,
                handle: r.get("handle")?,
                description: r.get("description")?,
                privacy: r.get("privacy")?,
                parent_id: r.get("parent_id")?,
                created_at: r.get("created_at")?,
            })
        })
        .unwrap();
    let comments: Vec<Comment> = c
        .prepare_cached(&q(COMMENTS))
        .unwrap()
        .query_map([t.id, 1, 51], |r| {
            Ok(Comment {
                id: r.get("id")?,
                seq: r.get("seq")?,
                parent_id: r.get("parent_id")?,
                parent_seq: r.get("parent_seq")?,
                parent_author: r.get("parent_author_name")?,
                author_id: r.get("author_id")?,
                author: r.get("author_name")?,
                username: r.get("author_username")?,
                body: r.get("body")?,
                edited_at: r.get("edited_at")?,
                deleted_at: r.get("deleted_at")?,
                created_at: r.get("created_at")?,
            })
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let reactions: Vec<Reaction> = c
        .prepare_cached(&q(REACTIONS))
        .unwrap()
        .query_map([t.id, 1, 51], |r| {
            Ok(Reaction {
                comment_id: r.get("comment_id")?,
                user_id: r.get("user_id")?,
                name: r.get("name")?,
                emoji: r.get("emoji")?,
            })
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    Page {
        comments: comments.len(),
        reactions: reactions.len(),
    }
}

/// rusqlite on a few dedicated threads, each owning one connection, fed by a queue: no thread
/// per waiting page, no connection hand-over.
type Job = Box<dyn FnOnce(&rusqlite::Connection) + Send>;

struct Dedicated(std::sync::mpsc::SyncSender<Job>);

impl Dedicated {
    fn open(path: &str, threads: usize) -> Arc<Self> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Job>(1024);
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..threads {
            let rx = rx.clone();
            let c = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
            c.set_prepared_statement_cache_capacity(64);
            std::thread::spawn(move || {
                loop {
                    let job = rx.lock().unwrap().recv();
                    match job {
                        Ok(job) => job(&c),
                        Err(_) => return,
                    }
                }
            });
        }
        Arc::new(Self(tx))
    }

    async fn with<T: Send + 'static>(&self, f: impl FnOnce(&rusqlite::Connection) -> T + Send + 'static) -> T {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |c| {
            let _ = tx.send(f(c));
        });
        self.0.send(job).unwrap();
        rx.await.unwrap()
    }
}

/// The shape the store could take: every store call is one async function over a `Db`, written
/// once for both databases. On SQLite the whole future is sent to a dedicated thread and polled
/// there; each SQLite statement completes at once, so one poll with a no-op waker finishes it.
/// This variant measures what that facade costs over calling rusqlite directly.
struct Db<'c> {
    conn: &'c rusqlite::Connection,
}

impl Db<'_> {
    async fn rows<T>(
        &self,
        sql: &'static str,
        params: &[&dyn rusqlite::ToSql],
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Vec<T> {
        let text = sql.replace("$1", "?1").replace("$2", "?2").replace("$3", "?3");
        let mut stmt = self.conn.prepare_cached(&text).unwrap();
        stmt.query_map(params, map).unwrap().collect::<Result<_, _>>().unwrap()
    }
}

/// Polls a future that never waits (every await inside is a completed SQLite call) to its end.
fn finish<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(out) => out,
        std::task::Poll::Pending => panic!("a SQLite store call waited on something else"),
    }
}

async fn facade_page(db: &Db<'_>) -> Page {
    let t = db
        .rows(THREAD, &[&"bench100"], |r| {
            Ok(Thread {
                id: r.get("id")?,
                key: r.get("key")?,
                group_id: r.get("group_id")?,
                title: r.get("title")?,
                context: r.get("context")?,
                author: r.get("author_name")?,
                last_seq: r.get("last_seq")?,
                created_at: r.get("created_at")?,
            })
        })
        .await
        .pop()
        .unwrap();
    let _g = db
        .rows(GROUP, &[&t.group_id], |r| {
            Ok(Group {
                id: r.get("id")?,
                key: r.get("key")?,
                name: r.get("name")?,
                handle: r.get("handle")?,
                description: r.get("description")?,
                privacy: r.get("privacy")?,
                parent_id: r.get("parent_id")?,
                created_at: r.get("created_at")?,
            })
        })
        .await;
    let comments = db
        .rows(COMMENTS, &[&t.id, &1_i64, &51_i64], |r| {
            Ok(Comment {
                id: r.get("id")?,
                seq: r.get("seq")?,
                parent_id: r.get("parent_id")?,
                parent_seq: r.get("parent_seq")?,
                parent_author: r.get("parent_author_name")?,
                author_id: r.get("author_id")?,
                author: r.get("author_name")?,
                username: r.get("author_username")?,
                body: r.get("body")?,
                edited_at: r.get("edited_at")?,
                deleted_at: r.get("deleted_at")?,
                created_at: r.get("created_at")?,
            })
        })
        .await;
    let reactions = db
        .rows(REACTIONS, &[&t.id, &1_i64, &51_i64], |r| {
            Ok(Reaction {
                comment_id: r.get("comment_id")?,
                user_id: r.get("user_id")?,
                name: r.get("name")?,
                emoji: r.get("emoji")?,
            })
        })
        .await;
    Page {
        comments: comments.len(),
        reactions: reactions.len(),
    }
}

// ---- tokio-postgres ----

struct TokioPg(Mutex<Vec<PgClient>>);

async fn tokio_pg_page(pool: &Arc<TokioPg>) -> Page {
    let mut pc = pool.0.lock().unwrap().pop().expect("one client per task");
    let (thread, group, comments_sql, reactions_sql) = (
        pc.prepare_cached_like(THREAD).await,
        pc.prepare_cached_like(GROUP).await,
        pc.prepare_cached_like(COMMENTS).await,
        pc.prepare_cached_like(REACTIONS).await,
    );
    let c = &pc.client;
    let t = c.query_one(&thread, &[&"bench100"]).await.unwrap();
    let t = Thread {
        id: t.get("id"),
        key: t.get("key"),
        group_id: t.get("group_id"),
        title: t.get("title"),
        context: t.get("context"),
        author: t.get("author_name"),
        last_seq: t.get("last_seq"),
        created_at: t.get("created_at"),
    };
    let g = c.query_one(&group, &[&t.group_id]).await.unwrap();
    let _g = Group {
        id: g.get("id"),
        key: g.get("key"),
        name: g.get("name"),
        handle: g.get("handle"),
        description: g.get("description"),
        privacy: g.get("privacy"),
        parent_id: g.get("parent_id"),
        created_at: g.get("created_at"),
    };
    let comments: Vec<Comment> = c
        .query(&comments_sql, &[&t.id, &1_i64, &51_i64])
        .await
        .unwrap()
        .iter()
        .map(|r| Comment {
            id: r.get("id"),
            seq: r.get("seq"),
            parent_id: r.get("parent_id"),
            parent_seq: r.get("parent_seq"),
            parent_author: r.get("parent_author_name"),
            author_id: r.get("author_id"),
            author: r.get("author_name"),
            username: r.get("author_username"),
            body: r.get("body"),
            edited_at: r.get("edited_at"),
            deleted_at: r.get("deleted_at"),
            created_at: r.get("created_at"),
        })
        .collect();
    let reactions = c
        .query(&reactions_sql, &[&t.id, &1_i64, &51_i64])
        .await
        .unwrap()
        .iter()
        .map(|r| Reaction {
            comment_id: r.get("comment_id"),
            user_id: r.get("user_id"),
            name: r.get("name"),
            emoji: r.get("emoji"),
        })
        .count();
    pool.0.lock().unwrap().push(pc);
    Page {
        comments: comments.len(),
        reactions,
    }
}

/// tokio-postgres caches nothing itself: each client keeps the statements it prepared.
struct PgClient {
    client: tokio_postgres::Client,
    cache: std::collections::HashMap<&'static str, tokio_postgres::Statement>,
}

impl PgClient {
    async fn prepare_cached_like(&mut self, sql: &'static str) -> tokio_postgres::Statement {
        if let Some(s) = self.cache.get(sql) {
            return s.clone();
        }
        let s = self.client.prepare(sql).await.unwrap();
        self.cache.insert(sql, s.clone());
        s
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sqlite = args.get(1).expect("usage: spike <weft.sqlite3> [postgres-url]").clone();
    println!("{TASKS} tasks, {SECS} s each, 2 runtime workers\n\nSQLite ({sqlite})");
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{sqlite}?mode=ro");
    let any = sqlx::any::AnyPoolOptions::new()
        .max_connections(TASKS as u32)
        .connect(&url)
        .await
        .unwrap();
    let native = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(TASKS as u32)
        .connect(&url)
        .await
        .unwrap();
    let rq = Rusqlite::open(&sqlite, TASKS);
    let a = any.clone();
    drive("SELECT 1, sqlx Any", move || {
        let a = a.clone();
        async move { sqlx_select1(&a).await }
    })
    .await;
    let n = native.clone();
    drive("SELECT 1, sqlx SqlitePool", move || {
        let n = n.clone();
        async move { sqlx_select1(&n).await }
    })
    .await;
    let r = rq.clone();
    drive("SELECT 1, rusqlite, one blocking hop", move || {
        let r = r.clone();
        async move {
            r.with(|c| {
                c.prepare_cached("SELECT 1")
                    .unwrap()
                    .query_row([], |r| r.get::<_, i64>(0))
                    .unwrap();
                Page {
                    comments: 50,
                    reactions: 0,
                }
            })
            .await
        }
    })
    .await;
    let a = any.clone();
    let page_any = drive("page, sqlx Any (today)", move || {
        let a = a.clone();
        async move { sqlx_page!(a, sqlx::any::AnyRow) }
    })
    .await;
    let n = native.clone();
    let page_native = drive("page, sqlx SqlitePool", move || {
        let n = n.clone();
        async move { sqlx_page!(n, sqlx::sqlite::SqliteRow) }
    })
    .await;
    let r = rq.clone();
    let page_rq = drive("page, rusqlite, whole page in one blocking hop", move || {
        let r = r.clone();
        async move { r.with(rusqlite_page).await }
    })
    .await;
    let r = Rusqlite::open(&sqlite, TASKS);
    let page_inline = drive("page, rusqlite on the runtime worker itself (no hop)", move || {
        let r = r.clone();
        async move { r.inline(rusqlite_page) }
    })
    .await;
    let mut dedicated = Vec::new();
    for threads in [2, 4] {
        let d = Dedicated::open(&sqlite, threads);
        let name = format!("page, rusqlite, {threads} dedicated threads");
        dedicated.push(
            drive(&name, move || {
                let d = d.clone();
                async move { d.with(rusqlite_page).await }
            })
            .await,
        );
    }
    let d = Dedicated::open(&sqlite, 2);
    let facade = drive("page, async facade polled on 2 dedicated threads", move || {
        let d = d.clone();
        async move { d.with(|c| finish(facade_page(&Db { conn: c }))).await }
    })
    .await;
    println!("facade over direct rusqlite: {:.2}", facade / dedicated[0]);
    println!("on the runtime worker over 2 dedicated threads: {:.2}", page_inline / dedicated[0]);
    println!(
        "ratios to sqlx Any: SqlitePool {:.2}, rusqlite blocking pool {:.2}, rusqlite 2 threads {:.2}, 4 threads {:.2}",
        page_native / page_any,
        page_rq / page_any,
        dedicated[0] / page_any,
        dedicated[1] / page_any
    );

    let Some(pg) = args.get(2) else { return };
    println!("\nPostgreSQL");
    let any = sqlx::any::AnyPoolOptions::new()
        .max_connections(TASKS as u32)
        .connect(pg)
        .await
        .unwrap();
    let native = sqlx::postgres::PgPoolOptions::new()
        .max_connections(TASKS as u32)
        .connect(pg)
        .await
        .unwrap();
    let mut clients = Vec::new();
    for _ in 0..TASKS {
        let (client, conn) = tokio_postgres::connect(pg, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        clients.push(PgClient {
            client,
            cache: std::collections::HashMap::new(),
        });
    }
    let tpg = Arc::new(TokioPg(Mutex::new(clients)));
    let a = any.clone();
    let page_any = drive("page, sqlx Any (today)", move || {
        let a = a.clone();
        async move { sqlx_page!(a, sqlx::any::AnyRow) }
    })
    .await;
    let n = native.clone();
    let page_native = drive("page, sqlx PgPool", move || {
        let n = n.clone();
        async move { sqlx_page!(n, sqlx::postgres::PgRow) }
    })
    .await;
    let t = tpg.clone();
    let page_tpg = drive("page, tokio-postgres (prepared once per client)", move || {
        let t = t.clone();
        async move { tokio_pg_page(&t).await }
    })
    .await;
    println!(
        "ratios to sqlx Any: PgPool {:.2}, tokio-postgres {:.2}",
        page_native / page_any,
        page_tpg / page_any
    );
}
