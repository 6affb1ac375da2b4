//! The time source of every use case: the system clock, shifted in tests to reach expiries.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use weft_domain::{Duration, Timestamp};

#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_micros: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    pub fn now(&self) -> Timestamp {
        let micros = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
        Timestamp(micros + self.offset_micros.load(Ordering::Relaxed))
    }

    /// Moves this clock forward (tests of expiry and retention).
    pub fn advance(&self, by: Duration) {
        self.offset_micros.fetch_add(by.micros(), Ordering::Relaxed);
    }
}
