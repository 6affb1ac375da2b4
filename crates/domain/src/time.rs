//! Time as Weft stores it: UTC microseconds since the Unix epoch, and human-friendly durations.

/// A UTC instant in microseconds, the form every table uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_micros(micros: i64) -> Self {
        Self(micros)
    }

    pub fn micros(self) -> i64 {
        self.0
    }

    #[must_use]
    pub fn plus(self, d: Duration) -> Self {
        Self(self.0.saturating_add(d.micros()))
    }

    #[must_use]
    pub fn minus(self, d: Duration) -> Self {
        Self(self.0.saturating_sub(d.micros()))
    }

    /// Seconds from `self` until `later`, never negative.
    pub fn seconds_until(self, later: Timestamp) -> u64 {
        u64::try_from((later.0 - self.0).max(0) / 1_000_000).unwrap_or(0)
    }

    /// How long ago (or how soon) `self` is from `now`, when it is within a week: "just now",
    /// "5 minutes ago", "in 3 hours", "yesterday", "in 2 days"; `None` further off (the date
    /// then says it better).
    pub fn relative(self, now: Timestamp) -> Option<String> {
        let seconds = (now.0 - self.0) / 1_000_000;
        let (past, s) = (seconds >= 0, seconds.unsigned_abs());
        let phrase = |n: u64, unit: &str| {
            let unit = if n == 1 { unit.to_owned() } else { format!("{unit}s") };
            if past {
                format!("{n} {unit} ago")
            } else {
                format!("in {n} {unit}")
            }
        };
        Some(match s {
            0..60 => {
                return Some(if past {
                    "just now".to_owned()
                } else {
                    "in a moment".to_owned()
                });
            }
            60..3_600 => phrase(s / 60, "minute"),
            3_600..86_400 => phrase(s / 3_600, "hour"),
            86_400..172_800 => {
                return Some(if past {
                    "yesterday".to_owned()
                } else {
                    "tomorrow".to_owned()
                });
            }
            172_800..604_800 => phrase(s / 86_400, "day"),
            _ => return None,
        })
    }

    /// "2026-11-23 14:05 UTC": unambiguous for every reader until time zones arrive per user.
    pub fn display_utc(self) -> String {
        jiff::Timestamp::from_microsecond(self.0)
            .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default()
    }

    /// RFC 3339, for APIs and exports.
    pub fn rfc3339(self) -> String {
        jiff::Timestamp::from_microsecond(self.0)
            .map(|t| t.to_string())
            .unwrap_or_default()
    }

    /// Reads an RFC 3339 instant ("2026-12-09T18:00:00Z", "…+01:00"), as the API takes times.
    pub fn parse_rfc3339(input: &str) -> Option<Self> {
        input
            .trim()
            .parse::<jiff::Timestamp>()
            .ok()
            .map(|t| Self(t.as_microsecond()))
    }

    /// Reads a form's `datetime-local` value ("2026-12-09T18:00") at `offset_minutes` east of
    /// UTC (what the page's script reports for the browser; 0, UTC, without it).
    pub fn parse_local(input: &str, offset_minutes: i32) -> Option<Self> {
        let civil: jiff::civil::DateTime = input.trim().parse().ok()?;
        let offset = jiff::tz::Offset::from_seconds(offset_minutes.clamp(-18 * 60, 18 * 60) * 60).ok()?;
        let t = offset.to_timestamp(civil).ok()?;
        Some(Self(t.as_microsecond()))
    }

    /// The value a `datetime-local` input shows for this instant, in UTC.
    pub fn local_input_utc(self) -> String {
        jiff::Timestamp::from_microsecond(self.0)
            .map(|t| t.strftime("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default()
    }
}

/// A span of time, configurable as `90s`, `15m`, `12h`, `14d` or plain seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Duration(i64);

impl Duration {
    pub const fn seconds(s: i64) -> Self {
        Self(s * 1_000_000)
    }

    pub const fn minutes(m: i64) -> Self {
        Self::seconds(m * 60)
    }

    pub const fn hours(h: i64) -> Self {
        Self::minutes(h * 60)
    }

    pub const fn days(d: i64) -> Self {
        Self::hours(d * 24)
    }

    pub fn micros(self) -> i64 {
        self.0
    }

    pub fn as_std(self) -> std::time::Duration {
        std::time::Duration::from_micros(u64::try_from(self.0).unwrap_or(0))
    }
}

impl std::str::FromStr for Duration {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (number, unit) = s.split_at(split);
        let n: i64 = number
            .parse()
            .map_err(|_| format!("{s:?} is not a duration like 90s, 15m, 12h or 14d"))?;
        match unit {
            "" | "s" => Ok(Self::seconds(n)),
            "m" => Ok(Self::minutes(n)),
            "h" => Ok(Self::hours(n)),
            "d" => Ok(Self::days(n)),
            _ => Err(format!("{s:?} has an unknown unit; use s, m, h or d")),
        }
    }
}

impl std::fmt::Display for Duration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.0 / 1_000_000;
        if s % 86_400 == 0 {
            write!(f, "{}d", s / 86_400)
        } else if s % 3_600 == 0 {
            write!(f, "{}h", s / 3_600)
        } else if s % 60 == 0 {
            write!(f, "{}m", s / 60)
        } else {
            write!(f, "{s}s")
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn relative_times_read_as_people_say_them() {
        let now = Timestamp::from_micros(1_800_000_000_000_000);
        let ago = |secs: i64| Timestamp(now.0 - secs * 1_000_000).relative(now);
        let cases = [
            (0, Some("just now")),
            (59, Some("just now")),
            (60, Some("1 minute ago")),
            (5 * 60 + 59, Some("5 minutes ago")),
            (3_600, Some("1 hour ago")),
            (23 * 3_600, Some("23 hours ago")),
            (86_400, Some("yesterday")),
            (3 * 86_400, Some("3 days ago")),
            (7 * 86_400, None),
            (-30, Some("in a moment")),
            (-2 * 3_600, Some("in 2 hours")),
            (-86_400, Some("tomorrow")),
            (-6 * 86_400, Some("in 6 days")),
            (-8 * 86_400, None),
        ];
        for (secs, expected) in cases {
            assert_eq!(ago(secs).as_deref(), expected, "{secs} s");
        }
    }

    use super::*;

    #[test]
    fn durations_parse_and_print() {
        assert_eq!("15m".parse::<Duration>().unwrap(), Duration::minutes(15));
        assert_eq!("14d".parse::<Duration>().unwrap(), Duration::days(14));
        assert_eq!("3600".parse::<Duration>().unwrap(), Duration::hours(1));
        assert!("1w".parse::<Duration>().is_err());
        assert!("m".parse::<Duration>().is_err());
        assert_eq!(Duration::days(90).to_string(), "90d");
        assert_eq!(Duration::seconds(90).to_string(), "90s");
    }

    #[test]
    fn timestamps_format() {
        let t = Timestamp::from_micros(1_795_000_000_000_000);
        assert_eq!(t.display_utc(), "2026-11-18 11:06 UTC");
        assert_eq!(t.plus(Duration::seconds(10)).micros(), 1_795_000_010_000_000);
        assert_eq!(t.seconds_until(t.plus(Duration::minutes(2))), 120);
    }
}
