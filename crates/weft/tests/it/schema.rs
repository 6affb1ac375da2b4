//! Both backends' migrations build the same tables and columns.

use weft_store::{Backend, Store, StoreOptions, schema};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_have_the_same_tables_and_columns() {
    let Some((pg_url, pg_name)) = crate::helpers::create_postgres_database().await else {
        eprintln!("skipped: WEFT_TEST_POSTGRES_URL is not set");
        return;
    };
    let dir = crate::helpers::TempDir::new();
    let sqlite = Store::connect(&format!("sqlite://{}/s.db", dir.0.display()), &StoreOptions::default())
        .await
        .unwrap();
    let postgres = Store::connect(&pg_url, &StoreOptions::default()).await.unwrap();
    sqlite.migrate().await.unwrap();
    postgres.migrate().await.unwrap();
    let a = schema::columns(&mut sqlite.reader().await.unwrap(), Backend::Sqlite)
        .await
        .unwrap();
    let b = schema::columns(&mut postgres.reader().await.unwrap(), Backend::Postgres)
        .await
        .unwrap();
    postgres.close().await;
    crate::helpers::drop_database(&pg_name);
    assert!(a.len() > 40, "{a:?}");
    let only_sqlite: Vec<_> = a.iter().filter(|c| !b.contains(c)).collect();
    let only_postgres: Vec<_> = b.iter().filter(|c| !a.contains(c)).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "schemas differ:\nSQLite only: {only_sqlite:#?}\nPostgreSQL only: {only_postgres:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_are_idempotent_and_sqlite_is_configured_for_durability() {
    let dir = crate::helpers::TempDir::new();
    let url = format!("sqlite://{}/s.db", dir.0.display());
    let store = Store::connect(&url, &StoreOptions::default()).await.unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    let mut conn = store.writer().await.unwrap();
    for (pragma, expected) in [
        ("journal_mode", "wal"),
        ("synchronous", "2"),
        ("foreign_keys", "1"),
        ("busy_timeout", "5000"),
    ] {
        let value: String = weft_store::query(format!("SELECT * FROM pragma_{pragma}"))
            .fetch_one(&mut conn, |r| {
                r.try_get::<String, _>(0)
                    .or_else(|_| r.try_get::<i64, _>(0).map(|v| v.to_string()))
            })
            .await
            .unwrap();
        assert_eq!(value, expected, "PRAGMA {pragma}");
    }
    drop(conn);
    let mut reader = store.reader().await.unwrap();
    assert!(
        weft_store::query("DELETE FROM users")
            .execute(&mut reader)
            .await
            .is_err(),
        "readers cannot write"
    );
}
