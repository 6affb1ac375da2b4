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

/// Issue 24's migration turns each thread's old volume into the new model, on both backends:
/// "follow" becomes a choice of loud, "mute" stays mute, and the old default "normal" becomes no
/// choice at all (the thread follows the member's group volume, normal for everyone at first).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_thread_volumes_become_the_new_ones() {
    let dir = crate::helpers::TempDir::new();
    let sqlite = Store::connect(&format!("sqlite://{}/s.db", dir.0.display()), &StoreOptions::default())
        .await
        .unwrap();
    let mut stores = vec![(sqlite, None)];
    if let Some((url, name)) = crate::helpers::create_postgres_database().await {
        stores.push((
            Store::connect(&url, &StoreOptions::default()).await.unwrap(),
            Some(name),
        ));
    }
    for (store, pg_name) in stores {
        store.migrate_until(28).await.unwrap();
        let mut conn = store.writer().await.unwrap();
        for sql in [
            "INSERT INTO users (id, key, name, username, email, created_at, updated_at) VALUES \
             (1, 'u1', 'Ann', 'ann', 'ann@example.org', 0, 0), (2, 'u2', 'Bob', 'bob', 'bob@example.org', 0, 0), \
             (3, 'u3', 'Cy', 'cy', 'cy@example.org', 0, 0)",
            "INSERT INTO groups (id, key, name, handle, privacy, join_policy, thread_privacy, members_can_add_members, \
             members_can_add_guests, members_can_announce, members_can_create_subgroups, members_can_start_threads, \
             members_can_edit_threads, members_can_edit_comments, members_can_delete_comments, members_can_raise_polls, \
             admins_can_edit_user_content, created_at, updated_at) \
             VALUES (1, 'g1', 'Garden', 'garden', 'closed', 'approval', 'private_only', 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0)",
            "INSERT INTO memberships (group_id, user_id, role, created_at) VALUES (1, 1, 'admin', 0), (1, 2, 'member', 0), (1, 3, 'member', 0)",
            "INSERT INTO threads (id, key, group_id, author_id, title, context, private, last_activity_at, created_at) \
             VALUES (1, 't1', 1, 1, 'Rota', '', 1, 0, 0)",
            "INSERT INTO thread_reads (thread_id, user_id, read_seq, read_at, volume) VALUES \
             (1, 1, 0, 0, 'normal'), (1, 2, 0, 0, 'follow'), (1, 3, 0, 0, 'mute')",
        ] {
            weft_store::query(sql).execute(&mut conn).await.expect(sql);
        }
        drop(conn);
        store.migrate().await.unwrap();
        let mut conn = store.reader().await.unwrap();
        let rows: Vec<(i64, Option<String>)> =
            weft_store::query("SELECT user_id, chosen_volume FROM thread_reads ORDER BY user_id")
                .fetch_all(&mut conn, |r| Ok((r.try_get("user_id")?, r.try_get("chosen_volume")?)))
                .await
                .unwrap();
        assert_eq!(
            rows,
            [(1, None), (2, Some("loud".to_owned())), (3, Some("mute".to_owned()))],
            "{}",
            store.backend().name()
        );
        let group_volumes: Vec<String> = weft_store::query("SELECT volume FROM memberships ORDER BY user_id")
            .fetch_all(&mut conn, |r| r.try_get("volume"))
            .await
            .unwrap();
        assert_eq!(group_volumes, ["normal", "normal", "normal"]);
        drop(conn);
        store.close().await;
        if let Some(name) = pg_name {
            crate::helpers::drop_database(&name);
        }
    }
}
