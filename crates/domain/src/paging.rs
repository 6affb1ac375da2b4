//! Page numbers from query strings, bounded where they are parsed: `?page=9223372036854775807`
//! once overflowed an OFFSET into a 500.

use serde::Deserialize;

/// The last page anyone can ask for; later pages answer like this one (empty).
pub const MAX_PAGE: i64 = 10_000;

/// A page number, 0-based, within `0..=MAX_PAGE`: out-of-range numbers are clamped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "i64")]
pub struct Page(i64);

impl From<i64> for Page {
    fn from(n: i64) -> Self {
        Self(n.clamp(0, MAX_PAGE))
    }
}

impl Page {
    pub fn get(self) -> i64 {
        self.0
    }

    /// Rows to skip at `per_page` rows per page; cannot overflow.
    pub fn offset(self, per_page: i64) -> i64 {
        self.0.saturating_mul(per_page)
    }
}

/// 3466 as "3 466" (a narrow no-break space between thousands: read the same in every language).
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// Where a page of a list is: "41–80 of 3 466", from its first item's place (1-based), how many
/// it shows and how many there are; empty for an empty page.
pub fn position(first: i64, shown: usize, total: i64) -> String {
    if shown == 0 {
        return String::new();
    }
    let last = first + i64::try_from(shown).unwrap_or(i64::MAX - first) - 1;
    format!("{}–{} of {}", grouped(first), grouped(last), grouped(total.max(last)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_read_as_people_say_them() {
        for (n, shown) in [
            (0, "0"),
            (64, "64"),
            (999, "999"),
            (3_466, "3\u{202f}466"),
            (-1_234_567, "-1\u{202f}234\u{202f}567"),
        ] {
            assert_eq!(grouped(n), shown);
        }
        assert_eq!(position(41, 40, 3_466), "41–80 of 3\u{202f}466");
        assert_eq!(position(61, 4, 64), "61–64 of 64");
        assert_eq!(position(1, 0, 0), "");
    }

    #[test]
    fn pages_are_clamped_and_offsets_never_overflow() {
        assert_eq!(Page::from(i64::MAX).get(), MAX_PAGE);
        assert_eq!(Page::from(-5).get(), 0);
        assert_eq!(Page::from(3).offset(20), 60);
        assert_eq!(Page::from(i64::MAX).offset(i64::MAX), i64::MAX);
    }
}
