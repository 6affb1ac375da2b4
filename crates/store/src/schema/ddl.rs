//! The schema a migration set builds, read from its SQL text alone: tables, columns (type family,
//! nullability), primary keys, unique constraints and indexes, as sorted lines of normalised text.
//! Comparing the two sets this way needs no database, so every `cargo test` proves that the
//! SQLite and PostgreSQL migrations describe the same schema (the live comparison in the
//! integration tests adds PostgreSQL's own view when it is available). Triggers and functions are
//! left out: the two backends write them differently on purpose.

use std::collections::BTreeMap;

#[derive(Debug, Default, Clone)]
struct Table {
    /// Column → (type family, not null, unique by itself).
    columns: BTreeMap<String, (String, bool, bool)>,
    primary_key: Vec<String>,
    uniques: Vec<Vec<String>>,
}

#[derive(Debug, Clone)]
struct Index {
    table: String,
    columns: String,
    unique: bool,
    filter: Option<String>,
}

/// The normalised schema of `migrations` (their SQL texts, in order).
pub fn normalised(migrations: &[&str]) -> String {
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    let mut indexes: BTreeMap<String, Index> = BTreeMap::new();
    for sql in migrations {
        for statement in statements(sql) {
            apply(&statement, &mut tables, &mut indexes);
        }
    }
    let mut out = Vec::new();
    for (name, t) in &tables {
        out.push(format!("table {name}"));
        for (column, (family, not_null, unique)) in &t.columns {
            let pk = t.primary_key.contains(column);
            let null = if *not_null || pk { "not null" } else { "null" };
            let unique = if *unique && !pk { " unique" } else { "" };
            out.push(format!("  column {column} {family} {null}{unique}"));
        }
        if !t.primary_key.is_empty() {
            out.push(format!("  primary key ({})", t.primary_key.join(", ")));
        }
        let mut uniques: Vec<String> = t.uniques.iter().map(|u| u.join(", ")).collect();
        uniques.sort();
        for u in uniques {
            out.push(format!("  unique ({u})"));
        }
    }
    for (name, i) in &indexes {
        let unique = if i.unique { "unique " } else { "" };
        let filter = i.filter.as_ref().map(|f| format!(" where {f}")).unwrap_or_default();
        out.push(format!("{unique}index {name} on {} ({}){filter}", i.table, i.columns));
    }
    out.join("\n")
}

/// Lowercase, one space between words, none inside parentheses' edges.
fn squeeze(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .replace("( ", "(")
        .replace(" )", ")")
}

/// The statements of a file, without comments. A `;` inside a string, a `$$` body or a trigger's
/// `BEGIN … END` does not end one.
fn statements(sql: &str) -> Vec<String> {
    let text: String = sql
        .lines()
        .map(|l| l.split_once("--").map_or(l, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_string = false;
    let mut in_dollar = false;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !in_string && c == '$' && chars.get(i + 1) == Some(&'$') {
            in_dollar = !in_dollar;
            current.push_str("$$");
            i += 2;
            continue;
        }
        if !in_dollar && c == '\'' {
            in_string = !in_string;
        }
        if c == ';' && !in_string && !in_dollar {
            let upper = squeeze(&current).to_uppercase();
            // A SQLite trigger's body (`BEGIN … END`) holds statements of its own.
            let in_body = upper.starts_with("CREATE TRIGGER") && upper.contains(" BEGIN") && !upper.ends_with(" END");
            if !in_body {
                if !upper.is_empty() {
                    out.push(squeeze(&current));
                }
                current.clear();
                i += 1;
                continue;
            }
        }
        current.push(c);
        i += 1;
    }
    if !squeeze(&current).is_empty() {
        out.push(squeeze(&current));
    }
    out
}

/// Splits at commas outside parentheses.
fn top_level(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(current.trim().to_owned());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        parts.push(current.trim().to_owned());
    }
    parts
}

/// The text between the first `(` and its matching `)`, and what follows.
fn parenthesised(s: &str) -> Option<(&str, &str)> {
    let start = s.find('(')?;
    let mut depth = 0;
    for (i, c) in s[start..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some((&s[start + 1..start + i], &s[start + i + 1..]));
                }
            }
            _ => {}
        }
    }
    None
}

fn names(list: &str) -> Vec<String> {
    list.split(',').map(|c| c.trim().to_owned()).collect()
}

fn family(declared: &str) -> &'static str {
    if declared.contains("int") {
        "integer"
    } else if declared.contains("text") || declared.contains("char") {
        "text"
    } else if declared.contains("bool") {
        "boolean"
    } else if declared.contains("real") || declared.contains("double") || declared.contains("float") {
        "real"
    } else if declared.contains("blob") || declared.contains("bytea") {
        "binary"
    } else {
        "other"
    }
}

fn add_column(table: &mut Table, definition: &str) {
    let mut words = definition.split_whitespace();
    let (Some(name), Some(declared)) = (words.next(), words.next()) else {
        return;
    };
    let rest = definition.to_owned();
    let primary = rest.contains("primary key");
    if primary {
        table.primary_key = vec![name.to_owned()];
    }
    table.columns.insert(
        name.to_owned(),
        (
            family(declared).to_owned(),
            rest.contains("not null"),
            rest.contains(" unique"),
        ),
    );
}

fn apply(statement: &str, tables: &mut BTreeMap<String, Table>, indexes: &mut BTreeMap<String, Index>) {
    let words: Vec<&str> = statement.split_whitespace().collect();
    match words.as_slice() {
        ["create", "table", name, ..] => {
            let name = name.trim_end_matches('(').to_owned();
            let mut table = Table::default();
            if let Some((body, _)) = parenthesised(statement) {
                for part in top_level(body) {
                    let is = |keyword: &str| {
                        part.strip_prefix(keyword)
                            .is_some_and(|r| r.starts_with(' ') || r.starts_with('('))
                    };
                    if is("unique") {
                        let cols = &part["unique".len()..];
                        if let Some((list, _)) = parenthesised(cols) {
                            table.uniques.push(names(list));
                        }
                    } else if is("primary key") {
                        let cols = &part["primary key".len()..];
                        if let Some((list, _)) = parenthesised(cols) {
                            table.primary_key = names(list);
                        }
                    } else if !(is("check") || is("foreign key") || is("constraint")) {
                        add_column(&mut table, &part);
                    }
                }
            }
            tables.insert(name, table);
        }
        ["alter", "table", name, "add", "column", ..] => {
            let definition = words[5..].join(" ");
            if let Some(t) = tables.get_mut(*name) {
                add_column(t, &definition);
            }
        }
        ["alter", "table", name, "drop", "column", column, ..] => {
            if let Some(t) = tables.get_mut(*name) {
                t.columns.remove(*column);
            }
        }
        ["drop", "table", rest @ ..] => {
            if let Some(name) = rest.last() {
                tables.remove(*name);
                indexes.retain(|_, i| i.table != *name);
            }
        }
        ["drop", "index", rest @ ..] => {
            if let Some(name) = rest.last() {
                indexes.remove(*name);
            }
        }
        ["create", "index" | "unique", ..] => {
            let unique = words[1] == "unique";
            let after = if unique { &words[3..] } else { &words[2..] };
            let after: Vec<&str> = after
                .iter()
                .copied()
                .skip_while(|w| matches!(*w, "if" | "not" | "exists"))
                .collect();
            let (Some(name), Some(&"on"), Some(table)) = (after.first(), after.get(1), after.get(2)) else {
                return;
            };
            let table = table.split('(').next().unwrap_or(table).to_owned();
            let on = statement.split_once(" on ").map_or("", |(_, r)| r);
            let Some((columns, rest)) = parenthesised(on) else {
                return;
            };
            let filter = rest.trim().strip_prefix("where").map(|w| squeeze(w.trim()));
            indexes.insert(
                (*name).to_owned(),
                Index {
                    table,
                    columns: squeeze(columns),
                    unique,
                    filter,
                },
            );
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tables_columns_keys_and_indexes() {
        let text = normalised(&[
            "-- a comment; with a semicolon\nCREATE TABLE t (\n id INTEGER PRIMARY KEY,\n name TEXT NOT NULL UNIQUE,\n \
             note TEXT, checked_at INTEGER, unique_key TEXT UNIQUE, CHECK (name <> ''),\n UNIQUE (name, note)\n);\nCREATE INDEX t_note ON t (note) WHERE note IS NOT NULL;",
            "ALTER TABLE t ADD COLUMN extra BIGINT NOT NULL DEFAULT 0;\nALTER TABLE t DROP COLUMN note;\n\
             CREATE TRIGGER x AFTER INSERT ON t BEGIN UPDATE t SET extra = 1; END;\n\
             CREATE TRIGGER y AFTER DELETE ON t FOR EACH ROW EXECUTE FUNCTION f();\n\
             CREATE INDEX t_extra ON t (extra DESC, id);\n\
             CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN RETURN NULL; END; $$ LANGUAGE plpgsql;",
        ]);
        assert_eq!(
            text,
            "table t\n  column checked_at integer null\n  column extra integer not null\n  column id integer not null\n  \
             column name text not null unique\n  column unique_key text null unique\n  \
             primary key (id)\n  unique (name, note)\nindex t_extra on t (extra desc, id)\nindex t_note on t (note) where note is not null"
        );
    }

    #[test]
    fn dropped_tables_take_their_indexes() {
        let text = normalised(&["CREATE TABLE a (x TEXT); CREATE INDEX a_x ON a (x); DROP TABLE a;"]);
        assert_eq!(text, "");
    }
}
