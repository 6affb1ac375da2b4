//! The person's own words in a reply: everything from the first line that starts the quoted
//! history (an attribution line such as "On … wrote:" in English, French, Spanish or German, an
//! Outlook header block or separator, "-----Original Message-----"), a trailing block of `>`
//! lines, the signature after "-- " (RFC 3676) and the sign-offs phones add are cut. What is
//! left keeps its lines, so Markdown the person typed still reads as they meant it.

/// How many lines an attribution may be wrapped over (Gmail wraps long ones).
const WRAPPED: usize = 3;

fn lower(s: &str) -> String {
    s.trim().trim_start_matches(['>', ' ', '*']).trim().to_lowercase()
}

/// "On … wrote:", "Le … a écrit :", "El … escribió:", "Am … schrieb …:" starting at line `i`.
fn attribution(lines: &[&str], i: usize) -> bool {
    let first = lower(lines[i]);
    let starts = ["on ", "le ", "el ", "am "].iter().any(|w| first.starts_with(w));
    if !starts {
        return false;
    }
    let mut joined = String::new();
    for line in lines.iter().skip(i).take(WRAPPED) {
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(&lower(line));
        if joined.chars().count() > 300 {
            return false;
        }
        let said = joined.ends_with("wrote:")
            || joined.ends_with("a écrit :")
            || joined.ends_with("a écrit:")
            || joined.ends_with("escribió:")
            || (joined.starts_with("am ") && joined.contains("schrieb") && joined.ends_with(':'));
        if said {
            return true;
        }
        if line.trim().is_empty() {
            return false;
        }
    }
    false
}

/// "-----Original Message-----" and its translations; a line of underscores (Outlook).
fn separator(line: &str) -> bool {
    let l = lower(line);
    if l.len() >= 10 && l.chars().all(|c| c == '_') {
        return true;
    }
    l.starts_with("---")
        && [
            "original message",
            "message d'origine",
            "message d’origine",
            "mensaje original",
            "ursprüngliche nachricht",
            "forwarded message",
        ]
        .iter()
        .any(|m| l.contains(m))
}

fn field(line: &str, names: &[&str]) -> bool {
    let l = lower(line);
    names
        .iter()
        .any(|n| l.strip_prefix(n).is_some_and(|rest| rest.trim_start().starts_with(':')))
}

/// Outlook's block: "From: …" followed within a few lines by "Sent: …" (or its translations).
fn header_block(lines: &[&str], i: usize) -> bool {
    field(lines[i], &["from", "de", "von"])
        && lines
            .iter()
            .skip(i + 1)
            .take(4)
            .any(|l| field(l, &["sent", "date", "envoyé", "enviado", "fecha", "gesendet", "datum"]))
}

/// The sign-off a phone or a client adds under the message.
fn sign_off(line: &str) -> bool {
    let l = lower(line);
    [
        "sent from my ",
        "sent from outlook",
        "sent from mail for windows",
        "get outlook for ",
        "envoyé de mon ",
        "envoyé depuis ",
        "obtenir outlook pour ",
        "enviado desde mi ",
        "enviado desde outlook",
        "obtener outlook para ",
        "von meinem ",
        "gesendet von ",
        "outlook für ",
    ]
    .iter()
    .any(|s| l.starts_with(s))
}

/// The person's own words in `body` (a reply's text part, or its HTML part as text).
pub fn own_words(body: &str) -> String {
    let text = body.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.split('\n').collect();
    let end = (0..lines.len())
        .find(|&i| attribution(&lines, i) || separator(lines[i]) || header_block(&lines, i))
        .unwrap_or(lines.len());
    let mut kept: Vec<&str> = lines[..end].to_vec();
    let blank_or_quoted = |l: &&str| l.trim().is_empty() || l.trim_start().starts_with('>');
    while kept.last().is_some_and(blank_or_quoted) {
        kept.pop();
    }
    if let Some(at) = kept.iter().rposition(|l| *l == "-- " || *l == "--") {
        kept.truncate(at);
    }
    // A sign-off among the last two lines that say anything.
    let said: Vec<usize> = (0..kept.len()).filter(|&i| !kept[i].trim().is_empty()).collect();
    if let Some(&at) = said.iter().rev().take(2).find(|&&i| sign_off(kept[i])) {
        kept.truncate(at);
    }
    while kept.last().is_some_and(|l| l.trim().is_empty()) {
        kept.pop();
    }
    let start = kept.iter().position(|l| !l.trim().is_empty()).unwrap_or(kept.len());
    kept[start..]
        .iter()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::own_words;

    #[test]
    fn history_and_signatures_are_cut_and_the_persons_lines_kept() {
        let cases = [
            (
                "Yes, Mondays.\n\n- I bring the hose\n- you the seeds\n\nOn Thu, 3 Dec 2026 at 09:14, Ada <ada@example.org> wrote:\n> Who takes Mondays?\n",
                "Yes, Mondays.\n\n- I bring the hose\n- you the seeds",
            ),
            // Gmail wraps a long attribution.
            (
                "Fine by me\n\nOn Thu, 3 Dec 2026 at 09:14, Ada Lovelace de la Fontaine <\nada@example.org> wrote:\n\n> Who?",
                "Fine by me",
            ),
            (
                "Oui\n\nLe jeu. 3 déc. 2026 à 09:14, Ada <ada@example.org> a écrit :\n> Qui ?",
                "Oui",
            ),
            (
                "Sí\n\nEl jue, 3 dic 2026 a las 9:14, Ada (<ada@example.org>) escribió:\n> ¿Quién?",
                "Sí",
            ),
            (
                "Ja\n\nAm Do., 3. Dez. 2026 um 09:14 Uhr schrieb Ada <ada@example.org>:\n> Wer?",
                "Ja",
            ),
            (
                "Thanks\n\n________________________________\nFrom: Ada <ada@example.org>\nSent: Thursday, December 3, 2026 9:14 AM\nSubject: Rota",
                "Thanks",
            ),
            (
                "Merci\n\nDe : Ada\nEnvoyé : jeudi 3 décembre 2026 09:14\nObjet : Rota",
                "Merci",
            ),
            (
                "Danke\n\nVon: Ada\nGesendet: Donnerstag, 3. Dezember 2026 09:14\nBetreff: Rota",
                "Danke",
            ),
            ("Ok\n\n-----Original Message-----\nFrom: Ada", "Ok"),
            ("Sure thing\n\n-- \nBob Smith\nGarden Co-op", "Sure thing"),
            ("On my way\n\nSent from my iPhone", "On my way"),
            ("D'accord\n\nEnvoyé de mon iPhone", "D'accord"),
            ("Vale\n\nEnviado desde mi iPhone", "Vale"),
            ("Gut\n\nVon meinem iPhone gesendet", "Gut"),
            // A quote the person answers inline stays; the quoted tail goes.
            (
                "> Who takes Mondays?\nMe.\n\n> And Tuesdays?\n> Anyone?\n",
                "> Who takes Mondays?\nMe.",
            ),
            // Words that merely start like an attribution are kept.
            (
                "On Monday I water the beans.\nAm I the only one?",
                "On Monday I water the beans.\nAm I the only one?",
            ),
            ("\r\n\r\nOnly quotes below\r\n\r\n> old\r\n", "Only quotes below"),
            ("> nothing but a quote", ""),
        ];
        for (body, expected) in cases {
            assert_eq!(own_words(body), expected, "{body:?}");
        }
    }
}
