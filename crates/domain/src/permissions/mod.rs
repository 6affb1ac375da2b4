//! The one permission module: may this actor do this action on this group, thread or comment?
//! Every route asks here; nothing else decides. A denial says whether the object must stay hidden (404) or may be
//! acknowledged (403), or whether logging in could help.
//! `group.rs` holds the group rule (`can`), `thread.rs` the thread and comment rules; the types
//! every rule shares (role, actor, decision) are here.

mod group;
mod instance;
mod poll;
#[cfg(test)]
mod tests;
mod thread;

pub use group::{Action, GroupFacts, can, can_start_thread_by_email, log_in_to_join, parent_visible, visible};
pub use instance::{InstanceAction, can_administer};
pub use poll::{PollAction, PollFacts, PollPlace, can_poll, can_raise_poll, poll_visible, results_visible};
pub use thread::{
    CommentAction, CommentFacts, ThreadAction, ThreadFacts, can_comment, can_thread, log_in_to_comment, may_move_into,
};

/// A member's role in one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Member => "member",
        }
    }

    pub fn from_stored(s: &str) -> Result<Self, crate::UnknownStored> {
        match s {
            "admin" => Ok(Self::Admin),
            "member" => Ok(Self::Member),
            _ => Err(crate::UnknownStored::new("role", s)),
        }
    }
}

/// Who is asking, as far as one group is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub signed_in: bool,
    pub instance_admin: bool,
    /// Their role in this group, if they are a member.
    pub role: Option<Role>,
    /// Their role in the parent group, for subgroups.
    pub parent_role: Option<Role>,
    /// Invited into a thread or poll of this group without being a member.
    pub guest: bool,
    /// An instance admin for whom this group's coordinators opened time-limited support access
    /// (or who opened maintenance access with a stated reason): they read, never write, and
    /// every read is logged (P13). Means nothing for anyone else.
    pub support_access: bool,
}

impl Actor {
    pub const ANONYMOUS: Self = Self {
        signed_in: false,
        instance_admin: false,
        role: None,
        parent_role: None,
        guest: false,
        support_access: false,
    };

    pub fn is_member(&self) -> bool {
        self.role.is_some()
    }

    /// Reads private content through support access rather than membership (P13).
    pub fn reads_as_support(&self) -> bool {
        self.instance_admin && self.support_access && !self.is_member()
    }

    pub fn is_admin(&self) -> bool {
        self.role == Some(Role::Admin)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Not allowed, and the actor must not learn the group exists: answer 404.
    Hidden,
    /// Not allowed, though the actor may know the group: answer 403.
    Forbidden,
    /// Not allowed now; logging in may change that.
    LogIn,
}

impl Decision {
    pub fn allowed(self) -> bool {
        self == Self::Allow
    }
}
