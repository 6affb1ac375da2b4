//! Values read back from the database. An unknown one is an error, never a default: a state this
//! version does not know (written by a newer version, or by hand) must not read as "active" or
//! "member" and open what it should keep shut.

/// A stored value that this version of Weft does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?} in the database")]
pub struct UnknownStored {
    /// What was being read: "account state", "role", "volume"…
    pub kind: &'static str,
    pub value: String,
}

impl UnknownStored {
    pub fn new(kind: &'static str, value: &str) -> Self {
        Self {
            kind,
            value: value.to_owned(),
        }
    }
}
