//! Introspection of the live schema: used to prove both backends build the same tables, and by
//! privacy tests that scan every table.

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
