//! P8: the life of a personal-data archive built in the background.

use crate::UnknownStored;

/// Where a background export stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportState {
    /// Asked for; its job has not started.
    Pending,
    Building,
    /// Built: its owner has the link.
    Ready,
    /// Could not be built; its owner may ask again.
    Failed,
}

impl ExportState {
    pub const ALL: [Self; 4] = [Self::Pending, Self::Building, Self::Ready, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Building => "building",
            Self::Ready => "ready",
            Self::Failed => "failed",
        }
    }

    pub fn from_stored(value: &str) -> Result<Self, UnknownStored> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| UnknownStored::new("export state", value))
    }

    /// Asked for and not finished: the page says it is under way.
    pub fn under_way(self) -> bool {
        matches!(self, Self::Pending | Self::Building)
    }

    pub fn is_ready(self) -> bool {
        self == Self::Ready
    }

    pub fn is_failed(self) -> bool {
        self == Self::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_and_an_unknown_one_is_an_error() {
        for s in ExportState::ALL {
            assert_eq!(ExportState::from_stored(s.as_str()), Ok(s));
        }
        assert!(ExportState::from_stored("archived").is_err());
    }
}
