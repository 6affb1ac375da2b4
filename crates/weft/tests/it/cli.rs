//! The operator's interface: `weft admin create`, `weft migrate`, `weft serve --help`, the README.

use std::process::Command;

use crate::helpers::{Db, TestApp};

fn weft() -> Command {
    Command::new(env!("CARGO_BIN_EXE_weft"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_create_prints_a_one_time_link_that_logs_in() {
    let dir = crate::helpers::TempDir::new();
    let data = dir.0.join("data");
    let out = weft()
        .args([
            "admin",
            "create",
            "--email",
            "Root@Example.org",
            "--name",
            "Root",
            "--data-dir",
        ])
        .arg(&data)
        .args(["--base-url", "http://weft.test"])
        .env_remove("WEFT_DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let link = stdout
        .lines()
        .find(|l| l.starts_with("http://weft.test/login/token/"))
        .expect("a link")
        .to_owned();
    let path = link.trim_start_matches("http://weft.test").to_owned();

    let app = TestApp::spawn_with(Db::Sqlite, |c| {
        c.data_dir = data.clone();
        c.database_url = format!("sqlite://{}", data.join("weft.sqlite3").display());
    })
    .await
    .unwrap();
    let c = app.client();
    assert_eq!(c.post_form(&path, &[]).await.status, 303);
    let me = c.get("/api/v1/me").await.json();
    assert_eq!(me["email"], "root@example.org");
    assert_eq!(me["name"], "Root");
    assert_eq!(
        app.client().post_form(&path, &[]).await.status,
        400,
        "the link works once"
    );
    app.finish().await;
}

#[test]
fn migrate_creates_the_database_in_the_data_folder() {
    let dir = crate::helpers::TempDir::new();
    let out = weft()
        .arg("migrate")
        .arg("--data-dir")
        .arg(&dir.0)
        .env_remove("WEFT_DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.0.join("weft.sqlite3").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dir.0).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "the data folder is private to its owner");
    }
}

/// Every `WEFT_*` variable that `weft serve --help` knows is documented in the README, and the
/// README names none that does not exist.
#[test]
fn readme_documents_every_configuration_variable() {
    let help = String::from_utf8(weft().args(["serve", "--help"]).output().unwrap().stdout).unwrap();
    let vars = |text: &str| -> std::collections::BTreeSet<String> {
        text.split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
            .filter(|w| w.starts_with("WEFT_") && w.len() > 5)
            .map(str::to_owned)
            .collect()
    };
    let in_help = vars(&help);
    assert!(
        in_help.contains("WEFT_BIND") && in_help.contains("WEFT_SMTP_HOST"),
        "{help}"
    );
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let in_readme = vars(&readme);
    let undocumented: Vec<_> = in_help.difference(&in_readme).collect();
    assert!(undocumented.is_empty(), "README lacks {undocumented:?}");
    let test_only = ["WEFT_TEST_POSTGRES_URL", "WEFT_TEST_PYTHON"];
    let unknown: Vec<_> = in_readme
        .iter()
        .filter(|v| !in_help.contains(*v) && !test_only.contains(&v.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "README names variables weft does not read: {unknown:?}"
    );
}
