//! Short confirmations shown after a redirect (`?notice=code`). Chosen by code, so no one can put
//! words in our mouth through a link; an enum, so a handler cannot name a notice that does not exist.

/// A confirmation a page shows once, after the redirect that follows a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    WelcomeNoPassword,
    NobodyInvited,
    GuestsInvited,
    DpoRequested,
    ProfileSaved,
    PasswordChanged,
    EmailSent,
    EmailChanged,
    SessionEnded,
    Welcome,
    LoggedIn,
    LoggedOut,
    GroupCreated,
    GroupSaved,
    GroupDeleted,
    GroupArchived,
    GroupRestored,
    Joined,
    Requested,
    Left,
    MemberRemoved,
    RoleChanged,
    RequestApproved,
    RequestIgnored,
    Invited,
    InvitationResent,
    InvitationRevoked,
    InvitationDeclined,
    LinkCreated,
    LinkReset,
    LinkDisabled,
    ThreadStarted,
    PollRaised,
    TemplateSaved,
    VoteSaved,
    VoteWithdrawn,
    PollClosed,
    PollReopened,
    PollExtended,
    OutcomeSaved,
    PollDeleted,
    OptionAdded,
    RemindersSent,
    PollSaved,
    VoterWelcome,
    ThreadSaved,
    ThreadPinned,
    ThreadUnpinned,
    ThreadClosed,
    ThreadReopened,
    ThreadRead,
    ThreadDeleted,
    GuestRemoved,
    GuestWelcome,
    VolumeSaved,
    GroupVolumeSaved,
    PollVolumeSaved,
    DigestSaved,
    NotificationsRead,
    ThreadMoved,
    CommentDeleted,
    CommentRestored,
    Deactivated,
    PolicyPublished,
    DeletionRequested,
    RequestResolved,
    SupportGranted,
    SupportEnded,
    MaintenanceOpened,
    ExportRequested,
    JobRetried,
    EmailsRetried,
    EmailAddressRenewed,
    LastAdmin,
}

impl Notice {
    pub const ALL: [Self; 74] = [
        Self::WelcomeNoPassword,
        Self::NobodyInvited,
        Self::GuestsInvited,
        Self::DpoRequested,
        Self::ProfileSaved,
        Self::PasswordChanged,
        Self::EmailSent,
        Self::EmailChanged,
        Self::SessionEnded,
        Self::Welcome,
        Self::LoggedIn,
        Self::LoggedOut,
        Self::GroupCreated,
        Self::GroupSaved,
        Self::GroupDeleted,
        Self::GroupArchived,
        Self::GroupRestored,
        Self::Joined,
        Self::Requested,
        Self::Left,
        Self::MemberRemoved,
        Self::RoleChanged,
        Self::RequestApproved,
        Self::RequestIgnored,
        Self::Invited,
        Self::InvitationResent,
        Self::InvitationRevoked,
        Self::InvitationDeclined,
        Self::LinkCreated,
        Self::LinkReset,
        Self::LinkDisabled,
        Self::ThreadStarted,
        Self::PollRaised,
        Self::TemplateSaved,
        Self::VoteSaved,
        Self::VoteWithdrawn,
        Self::PollClosed,
        Self::PollReopened,
        Self::PollExtended,
        Self::OutcomeSaved,
        Self::PollDeleted,
        Self::OptionAdded,
        Self::RemindersSent,
        Self::PollSaved,
        Self::VoterWelcome,
        Self::ThreadSaved,
        Self::ThreadPinned,
        Self::ThreadUnpinned,
        Self::ThreadClosed,
        Self::ThreadReopened,
        Self::ThreadRead,
        Self::ThreadDeleted,
        Self::GuestRemoved,
        Self::GuestWelcome,
        Self::VolumeSaved,
        Self::GroupVolumeSaved,
        Self::PollVolumeSaved,
        Self::DigestSaved,
        Self::NotificationsRead,
        Self::ThreadMoved,
        Self::CommentDeleted,
        Self::CommentRestored,
        Self::Deactivated,
        Self::PolicyPublished,
        Self::DeletionRequested,
        Self::RequestResolved,
        Self::SupportGranted,
        Self::SupportEnded,
        Self::MaintenanceOpened,
        Self::ExportRequested,
        Self::JobRetried,
        Self::EmailsRetried,
        Self::EmailAddressRenewed,
        Self::LastAdmin,
    ];

    /// The code in the address.
    pub fn code(self) -> &'static str {
        match self {
            Self::WelcomeNoPassword => "welcome_no_password",
            Self::NobodyInvited => "nobody_invited",
            Self::GuestsInvited => "guests_invited",
            Self::DpoRequested => "dpo_requested",
            Self::ProfileSaved => "profile_saved",
            Self::PasswordChanged => "password_changed",
            Self::EmailSent => "email_sent",
            Self::EmailChanged => "email_changed",
            Self::SessionEnded => "session_ended",
            Self::Welcome => "welcome",
            Self::LoggedIn => "logged_in",
            Self::LoggedOut => "logged_out",
            Self::GroupCreated => "group_created",
            Self::GroupSaved => "group_saved",
            Self::GroupDeleted => "group_deleted",
            Self::GroupArchived => "group_archived",
            Self::GroupRestored => "group_restored",
            Self::Joined => "joined",
            Self::Requested => "requested",
            Self::Left => "left",
            Self::MemberRemoved => "member_removed",
            Self::RoleChanged => "role_changed",
            Self::RequestApproved => "request_approved",
            Self::RequestIgnored => "request_ignored",
            Self::Invited => "invited",
            Self::InvitationResent => "invitation_resent",
            Self::InvitationRevoked => "invitation_revoked",
            Self::InvitationDeclined => "invitation_declined",
            Self::LinkCreated => "link_created",
            Self::LinkReset => "link_reset",
            Self::LinkDisabled => "link_disabled",
            Self::ThreadStarted => "thread_started",
            Self::PollRaised => "poll_raised",
            Self::TemplateSaved => "template_saved",
            Self::VoteSaved => "vote_saved",
            Self::VoteWithdrawn => "vote_withdrawn",
            Self::PollClosed => "poll_closed",
            Self::PollReopened => "poll_reopened",
            Self::PollExtended => "poll_extended",
            Self::OutcomeSaved => "outcome_saved",
            Self::PollDeleted => "poll_deleted",
            Self::OptionAdded => "option_added",
            Self::RemindersSent => "reminders_sent",
            Self::PollSaved => "poll_saved",
            Self::VoterWelcome => "voter_welcome",
            Self::ThreadSaved => "thread_saved",
            Self::ThreadPinned => "thread_pinned",
            Self::ThreadUnpinned => "thread_unpinned",
            Self::ThreadClosed => "thread_closed",
            Self::ThreadReopened => "thread_reopened",
            Self::ThreadRead => "thread_read",
            Self::ThreadDeleted => "thread_deleted",
            Self::GuestRemoved => "guest_removed",
            Self::GuestWelcome => "guest_welcome",
            Self::VolumeSaved => "volume_saved",
            Self::GroupVolumeSaved => "group_volume_saved",
            Self::PollVolumeSaved => "poll_volume_saved",
            Self::DigestSaved => "digest_saved",
            Self::NotificationsRead => "notifications_read",
            Self::ThreadMoved => "thread_moved",
            Self::CommentDeleted => "comment_deleted",
            Self::CommentRestored => "comment_restored",
            Self::Deactivated => "deactivated",
            Self::PolicyPublished => "policy_published",
            Self::DeletionRequested => "deletion_requested",
            Self::RequestResolved => "request_resolved",
            Self::SupportGranted => "support_granted",
            Self::SupportEnded => "support_ended",
            Self::MaintenanceOpened => "maintenance_opened",
            Self::ExportRequested => "export_requested",
            Self::JobRetried => "job_retried",
            Self::EmailsRetried => "emails_retried",
            Self::EmailAddressRenewed => "email_address_renewed",
            Self::LastAdmin => "last_admin",
        }
    }

    /// What the page says.
    pub fn text(self) -> &'static str {
        match self {
            Self::WelcomeNoPassword => {
                "Your address is confirmed. A password chosen before you confirmed it was not kept: \
             someone else may have typed your address. Set your own password in your profile if you want one."
            }
            Self::NobodyInvited => {
                "Nobody new to invite: those addresses are already in the group or were invited within the hour."
            }
            Self::GuestsInvited => {
                "Invitations sent to those who are not in the group or the thread yet. They will see this thread only."
            }
            Self::DpoRequested => {
                "Your request was sent to the data protection officer. You will get an answer by email within one month."
            }
            Self::ProfileSaved => "Your profile was saved.",
            Self::PasswordChanged => "Your password was changed. Your other sessions were logged out.",
            Self::EmailSent => "Check your new address: we sent it a confirmation link.",
            Self::EmailChanged => "Your email address was changed.",
            Self::SessionEnded => "That session was logged out.",
            Self::Welcome => "Welcome! Your address is confirmed.",
            Self::LoggedIn => "You are logged in.",
            Self::LoggedOut => "You are logged out.",
            Self::GroupCreated => "Your group is ready. You are its coordinator.",
            Self::GroupSaved => "The group's settings were saved.",
            Self::GroupDeleted => "The group and all its data were deleted.",
            Self::GroupArchived => "The group is archived: it is read-only until you restore it.",
            Self::GroupRestored => "The group is restored.",
            Self::Joined => "Welcome to the group!",
            Self::Requested => "Your request was sent to the group's coordinators.",
            Self::Left => "You left the group.",
            Self::MemberRemoved => "The member was removed.",
            Self::RoleChanged => "The member's role was changed.",
            Self::RequestApproved => "The request was approved: they are now a member.",
            Self::RequestIgnored => "The request was ignored.",
            Self::Invited => {
                "Invitations sent. Addresses already in the group, or invited within the hour, were left alone."
            }
            Self::InvitationResent => "The invitation was sent again with a new link. The old link no longer works.",
            Self::InvitationRevoked => "The invitation was revoked. Its link no longer works.",
            Self::InvitationDeclined => "You declined the invitation.",
            Self::LinkCreated => "The group now has a shareable link.",
            Self::LinkReset => "The shareable link was replaced. The old one no longer works.",
            Self::LinkDisabled => "The shareable link is switched off.",
            Self::ThreadStarted => "Your thread is started.",
            Self::PollRaised => "Your poll is open.",
            Self::TemplateSaved => "Saved as a template of the group: members can raise polls from it.",
            Self::VoteSaved => "Your vote is counted.",
            Self::VoteWithdrawn => "Your vote is withdrawn.",
            Self::PollClosed => "The poll is closed.",
            Self::PollReopened => "The poll is open again.",
            Self::PollExtended => "The closing time is changed.",
            Self::OutcomeSaved => "The outcome is published.",
            Self::PollDeleted => "The poll is deleted.",
            Self::OptionAdded => "Your option is added.",
            Self::RemindersSent => "Everyone who has not voted yet is reminded by email.",
            Self::PollSaved => "The poll is changed.",
            Self::VoterWelcome => "Welcome! You can vote in this poll.",
            Self::ThreadSaved => "The thread was saved. The earlier version is in its history.",
            Self::ThreadPinned => "The thread is pinned to the top of the group.",
            Self::ThreadUnpinned => "The thread is no longer pinned.",
            Self::ThreadClosed => "The thread is closed: it takes no new comments.",
            Self::ThreadReopened => "The thread is open for comments again.",
            Self::ThreadRead => "Marked as read.",
            Self::ThreadDeleted => "The thread and its comments were deleted.",
            Self::GuestRemoved => "The guest no longer has access to this thread.",
            Self::GuestWelcome => "Welcome! You can read and comment on this thread.",
            Self::VolumeSaved => "How you hear of this thread was saved.",
            Self::GroupVolumeSaved => "How you hear of this group was saved.",
            Self::PollVolumeSaved => "How you hear of this poll was saved.",
            Self::DigestSaved => "Your catch-up digest was saved.",
            Self::NotificationsRead => "All your notifications are marked read.",
            Self::ThreadMoved => "The thread was moved.",
            Self::CommentDeleted => {
                "The comment was deleted. For two minutes you can bring it back: “Undo” is where it was."
            }
            Self::CommentRestored => "The comment is back, as it was.",
            Self::Deactivated => "Your account is deactivated. Log in by email link whenever you want to come back.",
            Self::PolicyPublished => "The new version is published. People see a notice on their next visit.",
            Self::DeletionRequested => {
                "Your request was sent. You will get an email with the answer, within one month."
            }
            Self::RequestResolved => "The outcome is recorded, and the person who asked was told.",
            Self::SupportGranted => {
                "Support access is open. Every read by an administrator is in the access log below."
            }
            Self::SupportEnded => "Support access is closed.",
            Self::MaintenanceOpened => "Maintenance access is open for one hour. The coordinators were told why.",
            Self::ExportRequested => "Your archive is being prepared. We will email you a link when it is ready.",
            Self::JobRetried => "The job is queued again and runs in a moment.",
            Self::EmailsRetried => "Queued again: they leave in a moment, and come back here if they fail again.",
            Self::EmailAddressRenewed => {
                "Your address for starting threads by email is new: the old one no longer works."
            }
            Self::LastAdmin => "A group needs a coordinator: make someone else a coordinator first.",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.code() == code)
    }

    /// `path` with this notice in its query (before any `#fragment`).
    pub fn on(self, path: &str) -> String {
        let (path, fragment) = path.split_once('#').map_or((path, None), |(p, f)| (p, Some(f)));
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut url = format!("{path}{separator}notice={}", self.code());
        if let Some(f) = fragment {
            url.push('#');
            url.push_str(f);
        }
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_round_trips_and_says_something() {
        for n in Notice::ALL {
            assert_eq!(Notice::from_code(n.code()), Some(n));
            assert!(n.text().ends_with('.') || n.text().ends_with('!'), "{n:?}");
        }
        assert_eq!(Notice::from_code("<script>"), None);
    }

    #[test]
    fn the_notice_goes_before_the_fragment() {
        assert_eq!(
            Notice::GuestRemoved.on("/t/abc#guests"),
            "/t/abc?notice=guest_removed#guests"
        );
        assert_eq!(Notice::Joined.on("/g/x?page=2"), "/g/x?page=2&notice=joined");
        assert_eq!(Notice::LoggedIn.on("/"), "/?notice=logged_in");
    }
}
