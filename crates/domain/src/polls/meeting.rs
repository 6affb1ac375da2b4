//! Meeting polls: time slots proposed in the poll's time zone, answered yes / if need be / no,
//! shown to each person in their own zone. A slot is an instant (UTC) with a length; its civil
//! time is only how someone typed or reads it. The IANA time-zone database is built in (jiff's
//! bundled copy), so every machine converts the same way whatever its system files.

use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};

use crate::Timestamp;
use crate::validation::FieldError;

/// A slot lasts an hour unless the author says otherwise.
pub const DEFAULT_SLOT_MINUTES: i64 = 60;
/// The longest slot: a day.
pub const MAX_SLOT_MINUTES: i64 = 24 * 60;

/// An answer's value: what the tally sums (2 for yes, 1 for if need be; "no" is no choice).
pub const YES: i64 = 2;
pub const IF_NEED_BE: i64 = 1;
pub const NO: i64 = 0;

/// An answer's word: "yes", "if need be" or "no" (no choice, or any other value).
pub fn answer_label(value: Option<i64>) -> &'static str {
    match value {
        Some(YES) => "yes",
        Some(IF_NEED_BE) => "if need be",
        _ => "no",
    }
}

/// A named IANA time zone ("Europe/Berlin", "Pacific/Auckland", "UTC").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl Zone {
    pub fn utc() -> Self {
        Self {
            name: "UTC".into(),
            tz: TimeZone::UTC,
        }
    }

    /// A zone by its IANA name, as stored or typed; an unknown name is refused.
    pub fn parse(name: &str) -> Result<Self, FieldError> {
        let name = name.trim();
        if name.is_empty() || name.len() > 64 {
            return Err(FieldError::new("Choose a time zone, such as Europe/Berlin."));
        }
        jiff::tz::db()
            .get(name)
            .map(|tz| Self {
                name: tz.iana_name().unwrap_or(name).to_owned(),
                tz,
            })
            .map_err(|_| {
                FieldError::new(format!(
                    "“{name}” is not a time zone we know; try one such as Europe/Berlin."
                ))
            })
    }

    /// A stored name, or UTC when it is unknown (a zone the database dropped).
    pub fn or_utc(name: &str) -> Self {
        Self::parse(name).unwrap_or_else(|_| Self::utc())
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every zone the database knows, sorted, for a chooser.
    pub fn all() -> Vec<String> {
        let mut names: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();
        names.sort();
        names
    }

    /// The zone itself, for other schedules kept in local time (digests).
    pub(crate) fn tz(&self) -> &TimeZone {
        &self.tz
    }

    fn zoned(&self, at: Timestamp) -> Option<jiff::Zoned> {
        jiff::Timestamp::from_microsecond(at.0)
            .ok()
            .map(|t| t.to_zoned(self.tz.clone()))
    }

    /// The civil time of `at` here, as a slot is typed: "2026-12-10 14:00".
    pub fn input(&self, at: Timestamp) -> String {
        self.zoned(at)
            .map(|z| z.strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    }

    /// "Fri 4 Dec 2026, 06:00 CET": an instant as a person in this zone reads it.
    pub fn label(&self, at: Timestamp) -> String {
        self.zoned(at)
            .map(|z| z.strftime("%a %-d %b %Y, %H:%M %Z").to_string())
            .unwrap_or_default()
    }

    /// "Thu 10 Dec 2026, 14:00–15:00 CET": a slot as a person in this zone reads it (the end
    /// carries its own date when it falls on another day).
    pub fn slot_label(&self, start: Timestamp, minutes: i64) -> String {
        let (Some(s), Some(e)) = (
            self.zoned(start),
            self.zoned(start.plus(crate::Duration::minutes(minutes))),
        ) else {
            return String::new();
        };
        let end = if e.date() == s.date() {
            e.strftime("%H:%M").to_string()
        } else {
            e.strftime("%a %-d %b, %H:%M").to_string()
        };
        format!("{}–{end} {}", s.strftime("%a %-d %b %Y, %H:%M"), e.strftime("%Z"))
    }
}

/// Reads one slot as typed in `zone`: "2026-12-10 14:00" or "2026-12-10T14:00". A time the clocks
/// skip, or one they pass twice, is refused with the reason: the slot must be one instant.
pub fn parse_slot(input: &str, zone: &Zone) -> Result<Timestamp, FieldError> {
    let text = input.trim().replacen(' ', "T", 1);
    let civil: DateTime = text.parse().map_err(|_| {
        FieldError::new(format!(
            "“{}” is not a date and time: write it as 2026-12-10 14:00.",
            input.trim().chars().take(40).collect::<String>()
        ))
    })?;
    let ambiguous = zone.tz.to_ambiguous_timestamp(civil);
    match ambiguous.offset() {
        AmbiguousOffset::Unambiguous { offset } => offset
            .to_timestamp(civil)
            .map(|t| Timestamp(t.as_microsecond()))
            .map_err(|_| FieldError::new("That time is out of range.")),
        AmbiguousOffset::Gap { .. } => Err(FieldError::new(format!(
            "{} does not exist in {}: the clocks go forward then. Choose another time.",
            civil.strftime("%Y-%m-%d %H:%M"),
            zone.name
        ))),
        AmbiguousOffset::Fold { .. } => Err(FieldError::new(format!(
            "{} happens twice in {}: the clocks go back then. Choose another time.",
            civil.strftime("%Y-%m-%d %H:%M"),
            zone.name
        ))),
    }
}

/// The best slot: most yes, then most if-need-be, then the earliest. `slots` are
/// (option, start, yes, if need be).
pub fn best_slot(slots: &[(i64, Timestamp, u64, u64)]) -> Option<i64> {
    slots
        .iter()
        .max_by(|a, b| (a.2, a.3, std::cmp::Reverse(a.1)).cmp(&(b.2, b.3, std::cmp::Reverse(b.1))))
        .filter(|s| s.2 + s.3 > 0)
        .map(|s| s.0)
}

/// Yes and if-need-be answers of a slot from its running totals: `voters` answered yes or if
/// need be (2 and 1), `total` is their sum.
pub fn answers_of(voters: u64, total: i64) -> (u64, u64) {
    let total = u64::try_from(total).unwrap_or(0);
    let yes = total.saturating_sub(voters);
    (yes, voters.saturating_sub(yes))
}

/// An `.ics` calendar (RFC 5545) holding one event: the chosen slot, in UTC (so every calendar
/// places it at the same instant), with the poll's title, where it was decided, and a stable UID.
pub fn ics(
    uid: &str,
    title: &str,
    description: &str,
    url: &str,
    start: Timestamp,
    minutes: i64,
    stamp: Timestamp,
) -> String {
    let utc = |t: Timestamp| {
        jiff::Timestamp::from_microsecond(t.0)
            .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
            .unwrap_or_default()
    };
    let lines = [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Weft//Meeting polls//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", text(uid)),
        format!("DTSTAMP:{}", utc(stamp)),
        format!("DTSTART:{}", utc(start)),
        format!("DTEND:{}", utc(start.plus(crate::Duration::minutes(minutes)))),
        format!("SUMMARY:{}", text(title)),
        format!("DESCRIPTION:{}", text(description)),
        format!("URL:{}", text(url)),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ];
    lines.iter().map(|l| fold(l)).collect()
}

/// TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks.
fn text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace(['\n', '\r'], "\\n")
}

/// Folds a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character, and ends it
/// with CRLF.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}
