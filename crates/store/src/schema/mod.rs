//! Introspection of the live schema: used to prove both backends build the same tables, and by
//! privacy tests that scan every table.

#[cfg(test)]
mod ddl;

use crate::{Backend, Conn, Result, query};

/// A column as both backends can describe it: name, portable type family, nullability.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Column {
    pub table: String,
    pub name: String,
    pub family: &'static str,
    pub nullable: bool,
}

fn family(declared: &str) -> &'static str {
    let d = declared.to_ascii_lowercase();
    if d.contains("int") {
        "integer"
    } else if d.contains("char") || d.contains("text") {
        "text"
    } else if d.contains("bool") {
        "boolean"
    } else if d.contains("real") || d.contains("double") || d.contains("float") || d.contains("numeric") {
        "real"
    } else if d.contains("blob") || d.contains("bytea") {
        "binary"
    } else {
        "other"
    }
}

/// Every column of every application table (migration bookkeeping excluded), sorted.
pub async fn columns(conn: &mut Conn, backend: Backend) -> Result<Vec<Column>> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT m.name AS tbl, p.name AS col, p.type AS typ, p.\"notnull\" AS not_null, p.pk AS pk \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'"
        }
        Backend::Postgres => {
            "SELECT c.table_name::text AS tbl, c.column_name::text AS col, c.data_type::text AS typ, \
             CASE WHEN c.is_nullable = 'NO' THEN 1 ELSE 0 END::bigint AS not_null, 0::bigint AS pk \
             FROM information_schema.columns c \
             WHERE c.table_schema = current_schema() AND c.table_name NOT LIKE '_sqlx%'"
        }
    };
    let mut columns = query(sql)
        .fetch_all(&mut *conn, |r| {
            let notnull: i64 = r.try_get("not_null")?;
            let pk: i64 = r.try_get("pk")?;
            let typ: String = r.try_get("typ")?;
            Ok(Column {
                table: r.try_get("tbl")?,
                name: r.try_get("col")?,
                family: family(&typ),
                // SQLite's INTEGER PRIMARY KEY is NOT NULL in fact though not declared so.
                nullable: notnull == 0 && pk == 0,
            })
        })
        .await?;
    columns.sort();
    Ok(columns)
}

/// Every text value in every text column of every table: for scanning that no raw secret is stored.
pub async fn all_text_values(conn: &mut Conn, backend: Backend) -> Result<Vec<(String, String, String)>> {
    let mut found = Vec::new();
    for column in columns(conn, backend).await?.into_iter().filter(|c| c.family == "text") {
        let sql = format!(
            "SELECT \"{}\" AS v FROM \"{}\" WHERE \"{}\" IS NOT NULL",
            column.name, column.table, column.name
        );
        for value in query(sql)
            .fetch_all(&mut *conn, |r| r.try_get::<String, _>("v"))
            .await?
        {
            found.push((column.table.clone(), column.name.clone(), value));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Store, StoreOptions};

    fn normalised(backend: Backend) -> String {
        let sqls: Vec<&str> = crate::migrations(backend).iter().map(|m| m.sql).collect();
        ddl::normalised(&sqls)
    }

    /// Every `cargo test`, with or without PostgreSQL: the two migration sets, read as text,
    /// build the same tables, columns, keys, unique constraints and indexes. The snapshot shows
    /// a reviewer every change to the schema.
    #[test]
    fn both_migration_sets_describe_the_same_schema() {
        let sqlite = normalised(Backend::Sqlite);
        let postgres = normalised(Backend::Postgres);
        assert!(sqlite.lines().count() > 150, "{sqlite}");
        let only_sqlite: Vec<&str> = sqlite.lines().filter(|l| !postgres.lines().any(|p| p == *l)).collect();
        let only_postgres: Vec<&str> = postgres.lines().filter(|l| !sqlite.lines().any(|s| s == *l)).collect();
        assert!(
            only_sqlite.is_empty() && only_postgres.is_empty(),
            "the migration sets differ:\nSQLite only:\n{}\nPostgreSQL only:\n{}",
            only_sqlite.join("\n"),
            only_postgres.join("\n")
        );
        assert_eq!(sqlite, postgres, "same lines, different order or tables");
        insta::assert_snapshot!("schema", sqlite);
    }

    /// The text reading is checked against SQLite's own view of the migrated database, so a
    /// misread migration cannot make the comparison above pass.
    #[tokio::test]
    async fn the_text_reading_agrees_with_sqlite_itself() {
        let dir = std::env::temp_dir().join(format!("weft-schema-{}", weft_domain::random_i64()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::connect(&format!("sqlite://{}/s.db", dir.display()), &StoreOptions::default())
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let live = columns(&mut store.reader().await.unwrap(), Backend::Sqlite)
            .await
            .unwrap();
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
        let text = normalised(Backend::Sqlite);
        let mut read = Vec::new();
        let mut table = "";
        for line in text.lines() {
            if let Some(t) = line.strip_prefix("table ") {
                table = t;
            } else if let Some(c) = line.strip_prefix("  column ") {
                let mut words = c.split(' ');
                let name = words.next().unwrap();
                let family = words.next().unwrap();
                let nullable = words.next() == Some("null");
                read.push((table.to_owned(), name.to_owned(), family.to_owned(), nullable));
            }
        }
        let mut live: Vec<(String, String, String, bool)> = live
            .into_iter()
            .map(|c| (c.table, c.name, c.family.to_owned(), c.nullable))
            .collect();
        live.sort();
        read.sort();
        assert_eq!(read, live);
    }
}
