//! Durability: a full disk never turns into writes that are acknowledged and lost. While the disk
//! is full, writes answer 503 and `/healthz` says so; once space returns, writes work and persist
//! without a restart.
//!
//! The disk is real: a small tmpfs mounted for the test (SQLite keeps its data folder on it;
//! PostgreSQL gets a tablespace on it). Mounting needs root; where it is impossible the test says
//! so and passes (`.ci/run` runs as root, so CI always runs it).

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

use serde_json::json;

use crate::groups::create;
use crate::helpers::{Client, Db, TempDir, TestApp, admin_sql, postgres_url};

const PASSWORD: &str = "correct horse battery staple";

/// A tmpfs of its own, unmounted (and its tablespace dropped) when the test ends.
struct SmallDisk {
    root: TempDir,
    mount: PathBuf,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> Option<Self> {
        let root = TempDir::new();
        let mount = root.0.join("disk");
        std::fs::create_dir_all(&mount).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m,mode=0755"), "tmpfs"])
            .arg(&mount)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Self { root, mount }),
            Ok(o) => {
                eprintln!(
                    "skipped: cannot mount a tmpfs here (needs root): {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("skipped: cannot run mount: {e}");
                None
            }
        }
    }

    fn filler(&self) -> PathBuf {
        self.mount.join("filler")
    }

    /// Writes into a filler file until the file system refuses another byte.
    fn fill(&self) {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.filler())
            .unwrap();
        for chunk in [1 << 20, 4096, 1] {
            let buf = vec![0x5a_u8; chunk];
            while file.write_all(&buf).is_ok() {}
        }
        let _ = file.sync_all();
    }

    fn free(&self) {
        std::fs::remove_file(self.filler()).unwrap();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Unmounted before `root` (a field, dropped after this) removes the folder.
        let _ = Command::new("umount").arg("-l").arg(&self.mount).status();
    }
}

/// A PostgreSQL database whose every table lives on `disk` (a tablespace there).
async fn postgres_on(disk: &SmallDisk) -> Option<(String, PgOnDisk)> {
    let admin = postgres_url()?;
    let dir = disk.mount.join("pg");
    std::fs::create_dir_all(&dir).unwrap();
    // The server must own its tablespace's folder: only possible when it runs on this machine.
    let owned = Command::new("chown").args(["postgres:postgres"]).arg(&dir).status();
    let parent_open = Command::new("chmod").arg("0755").arg(&disk.root.0).status();
    if !owned.is_ok_and(|s| s.success()) || !parent_open.is_ok_and(|s| s.success()) {
        eprintln!("skipped: cannot give the PostgreSQL server a folder on the small disk");
        return None;
    }
    let name = format!("weft_full_{}", weft_domain::random_key().to_lowercase());
    let pg = PgOnDisk {
        admin: admin.clone(),
        name: name.clone(),
    };
    if let Err(e) = admin_sql(
        &admin,
        &format!("CREATE TABLESPACE \"{name}\" LOCATION '{}'", dir.display()),
    )
    .await
    {
        eprintln!("skipped: the PostgreSQL server cannot use a folder on the small disk: {e}");
        return None;
    }
    admin_sql(&admin, &format!("CREATE DATABASE \"{name}\" TABLESPACE \"{name}\""))
        .await
        .unwrap();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_owned();
    Some((format!("{base}/{name}"), pg))
}

struct PgOnDisk {
    admin: String,
    name: String,
}

impl PgOnDisk {
    async fn drop_all(&self) {
        let name = &self.name;
        admin_sql(&self.admin, &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await
            .unwrap();
        admin_sql(&self.admin, &format!("DROP TABLESPACE IF EXISTS \"{name}\""))
            .await
            .unwrap();
    }
}

mod a_full_disk_never_loses_an_acknowledged_write {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let Some(disk) = SmallDisk::mount(24) else { return };
        let data = disk.mount.join("data");
        let app = TestApp::spawn_with(Db::Sqlite, |c| {
            c.data_dir.clone_from(&data);
            c.database_url = format!("sqlite://{}", data.join("weft.sqlite3").display());
        })
        .await
        .unwrap();
        scenario(app, &disk, |c| {
            c.data_dir.clone_from(&data);
            c.database_url = format!("sqlite://{}", data.join("weft.sqlite3").display());
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if postgres_url().is_none() {
            eprintln!("skipped: WEFT_TEST_POSTGRES_URL is not set");
            return;
        }
        let Some(disk) = SmallDisk::mount(24) else { return };
        let Some((url, pg)) = postgres_on(&disk).await else {
            return;
        };
        let for_app = url.clone();
        let app = TestApp::spawn_with(Db::Postgres, move |c| c.database_url = for_app)
            .await
            .unwrap();
        scenario(app, &disk, move |c| c.database_url.clone_from(&url)).await;
        pg.drop_all().await;
    }
}

async fn post(c: &Client, thread: &str, body: &str) -> crate::helpers::Response {
    c.post_json(&format!("/api/v1/threads/{thread}/comments"), &json!({"body": body}))
        .await
}

/// Text that does not compress, so every comment needs fresh space on disk.
fn noise(n: usize) -> String {
    (0..n / 20)
        .map(|_| weft_domain::random_key())
        .collect::<Vec<_>>()
        .join(" ")
}

async fn scenario(app: TestApp, disk: &SmallDisk, same_data: impl FnOnce(&mut weft::ServeConfig)) {
    let owner = app.signed_in_user("Olu", "olu@example.org", PASSWORD).await;
    let group = create(&owner, "Full disk club", "closed", "approval").await;
    let res = owner
        .post_json(
            &format!("/api/v1/groups/{group}/threads"),
            &json!({"title": "Durability", "context": "Let us fill the disk.", "privacy": "private"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let thread = res.json()["key"].as_str().unwrap().to_owned();
    // The new thread's fan-out ran before the disk fills: a job that fails while the disk is
    // full cannot record its failure, and keeps its claim until the lease runs out (minutes).
    app.settle_jobs().await;

    let mut acknowledged: Vec<String> = vec![];
    disk.fill();
    let mut refused = 0;
    for i in 0..400 {
        let body = format!("while full {i}: {}", noise(8000));
        let res = post(&owner, &thread, &body).await;
        match res.status {
            201 => acknowledged.push(body),
            503 => {
                assert_eq!(res.json()["error"], "storage_full", "{}", res.body);
                refused += 1;
                if refused == 3 {
                    break;
                }
            }
            other => panic!(
                "while the disk is full a write answers 201 or 503, not {other}: {}",
                res.body
            ),
        }
        // Keep the disk full: whatever a failed write gave back is taken again.
        disk.fill();
    }
    assert_eq!(
        refused,
        3,
        "the disk never filled: {} comments stored",
        acknowledged.len()
    );
    let health = app.client().get("/healthz").await;
    assert_eq!(health.status, 503, "{}", health.body);
    assert!(health.body.contains("full"), "{}", health.body);

    // A log-in while full is refused, never "succeeds" without a session.
    let visitor = app.client();
    visitor.get("/login").await;
    let res = visitor
        .post_form("/login", &[("email", "olu@example.org"), ("password", PASSWORD)])
        .await;
    assert!(
        res.status == 503 || visitor.is_signed_in().await,
        "a log-in while full answered {} without a session",
        res.status
    );

    disk.free();
    for i in 0..3 {
        let body = format!("after freeing {i}: {}", noise(2000));
        let res = post(&owner, &thread, &body).await;
        assert_eq!(res.status, 201, "after space returns, writes work: {}", res.body);
        acknowledged.push(body);
    }
    let health = app.client().get("/healthz").await;
    assert_eq!(health.status, 200, "{}", health.body);
    let later = app.client();
    later.get("/login").await;
    let res = later
        .post_form("/login", &[("email", "olu@example.org"), ("password", PASSWORD)])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(later.is_signed_in().await, "the log-in after freeing has a session");

    // Restart on the same data: everything acknowledged is there, and the session too.
    let kept = app.stop_keeping_data().await;
    let mut again = TestApp::spawn_with(Db::Sqlite, same_data).await.unwrap();
    again.adopt(kept);
    assert!(
        later.rebase(&again.base).is_signed_in().await,
        "the session survived the restart"
    );
    let stored = stored_bodies(&owner.rebase(&again.base), &thread).await;
    for body in &acknowledged {
        assert!(
            stored.iter().any(|s| s == body),
            "an acknowledged comment is lost: {}…",
            &body[..30]
        );
    }
    again.finish().await;
}

async fn stored_bodies(c: &Client, thread: &str) -> Vec<String> {
    let mut bodies = vec![];
    let mut from = 1;
    loop {
        let res = c.get(&format!("/api/v1/threads/{thread}?from={from}")).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let comments = res.json()["comments"].as_array().unwrap().clone();
        let last_seq = res.json()["last_seq"].as_i64().unwrap();
        for comment in comments.iter().filter(|c| c["seq"].as_i64() >= Some(from)) {
            bodies.push(comment["body"].as_str().unwrap_or_default().to_owned());
        }
        from = comments.last().map_or(from, |c| c["seq"].as_i64().unwrap() + 1);
        if from > last_seq || comments.is_empty() {
            return bodies;
        }
    }
}
