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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_clamped_and_offsets_never_overflow() {
        assert_eq!(Page::from(i64::MAX).get(), MAX_PAGE);
        assert_eq!(Page::from(-5).get(), 0);
        assert_eq!(Page::from(3).offset(20), 60);
        assert_eq!(Page::from(i64::MAX).offset(i64::MAX), i64::MAX);
    }
}
