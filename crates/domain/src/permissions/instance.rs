//! The instance rule: what only the instance's administrators may do. An instance administrator
//! has no say inside a group through this rule (that takes support access, `group.rs`).

use super::Decision;

/// Work on the instance as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstanceAction {
    /// Publish a new version of the privacy policy or terms.
    PublishPolicies,
    /// Read the aggregate usage figures (P2), when they are not public.
    SeeUsage,
    /// Work through the queue of deletion requests (P11).
    ResolveDeletionRequests,
    /// See the background jobs that failed for good, and retry them.
    ManageJobs,
    /// See the emails that could not be delivered, and send them again.
    ManageEmails,
    /// Open one hour of maintenance access to a group, with a stated reason (P13).
    OpenMaintenanceAccess,
    /// Read the optional security log (P20).
    ReadSecurityLog,
}

impl InstanceAction {
    pub const ALL: [Self; 7] = [
        Self::PublishPolicies,
        Self::SeeUsage,
        Self::ResolveDeletionRequests,
        Self::ManageJobs,
        Self::ManageEmails,
        Self::OpenMaintenanceAccess,
        Self::ReadSecurityLog,
    ];
}

/// May someone who is (or is not) an instance administrator do `action`? The queues that name
/// people (deletion requests, failed jobs) stay hidden (404) from everyone else; the policy editor
/// and the usage report are known pages (403), though the signed-out do not learn of the report.
pub fn can_administer(signed_in: bool, instance_admin: bool, action: InstanceAction) -> Decision {
    use InstanceAction as I;
    match (signed_in, instance_admin, action) {
        (true, true, _) => Decision::Allow,
        (
            _,
            _,
            I::ResolveDeletionRequests
            | I::ManageJobs
            | I::ManageEmails
            | I::OpenMaintenanceAccess
            | I::ReadSecurityLog,
        ) => Decision::Hidden,
        (false, _, I::SeeUsage) => Decision::Hidden,
        (true, false, I::PublishPolicies | I::SeeUsage) => Decision::Forbidden,
        (false, _, I::PublishPolicies) => Decision::LogIn,
    }
}
