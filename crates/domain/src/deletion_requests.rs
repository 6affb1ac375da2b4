//! P12: where a request to delete someone's content stands.

use crate::UnknownStored;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    /// Waiting for an answer (within one month).
    Open,
    /// Carried out.
    Done,
    /// Refused, with a reason.
    Refused,
}

impl RequestStatus {
    pub const ALL: [Self; 3] = [Self::Open, Self::Done, Self::Refused];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Done => "done",
            Self::Refused => "refused",
        }
    }

    pub fn from_stored(value: &str) -> Result<Self, UnknownStored> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| UnknownStored::new("deletion request status", value))
    }

    pub fn is_open(self) -> bool {
        self == Self::Open
    }

    pub fn is_done(self) -> bool {
        self == Self::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_an_unknown_one_is_an_error() {
        for s in RequestStatus::ALL {
            assert_eq!(RequestStatus::from_stored(s.as_str()), Ok(s));
        }
        assert!(RequestStatus::from_stored("closed").is_err());
    }
}
