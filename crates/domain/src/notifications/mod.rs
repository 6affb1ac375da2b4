//! Notifications: how loudly each person hears about a group, a thread or a poll (`Volume`), what
//! happened (`Event`), and the one rule that says, for an event and an effective volume, whether
//! it shows in the app and whether it is emailed (`delivery`). Whether the person may see the
//! thing at all is the permission rules' business, checked when a notification is written and
//! again whenever it is listed.

use crate::FieldError;

pub mod digest;

words! {
    /// How loudly someone hears about a group, a thread or a poll (Loomio's four levels).
    Volume, "volume", "Choose mute, quiet, normal or loud." {
        /// Nothing at all; a muted thread also leaves the dashboard.
        Mute = "mute",
        /// In the app only, never an email.
        Quiet = "quiet",
        /// Email for what matters: mentions, replies to you, announced threads and polls,
        /// closing soon, outcomes; the rest in the app.
        Normal = "normal",
        /// Email for every comment and vote as well.
        Loud = "loud",
    }
}

impl Volume {
    /// Form and API input. "follow" is the word for loud before issue 24, still accepted from
    /// older clients.
    pub fn choose(input: &str) -> Result<Self, FieldError> {
        match input.trim() {
            "follow" => Ok(Self::Loud),
            other => Self::parse(other),
        }
    }

    /// The volume that applies: the poll's choice, else the thread's, else the group's (the
    /// membership's), else normal (a guest, who has no membership).
    pub fn effective(poll: Option<Self>, thread: Option<Self>, group: Option<Self>) -> Self {
        poll.or(thread).or(group).unwrap_or(Self::Normal)
    }

    /// What the level means, for a form.
    pub fn explained(self) -> &'static str {
        match self {
            Self::Mute => "Mute: nothing at all",
            Self::Quiet => "Quiet: in the app only, no email",
            Self::Normal => "Normal: email for mentions, replies, announcements, polls closing and outcomes",
            Self::Loud => "Loud: email for every comment and vote as well",
        }
    }
}

words! {
    /// What a stored notification is about.
    Kind, "notification kind", "Unknown notification." {
        Mention = "mention",
        Reply = "reply",
        Comment = "comment",
        Thread = "thread",
        Poll = "poll",
        Vote = "vote",
        ClosingSoon = "closing_soon",
        Reminder = "reminder",
        Outcome = "outcome",
        Reaction = "reaction",
        /// Someone the person invited joined the group.
        Joined = "joined",
        /// Someone asks to join a group the person coordinates.
        Request = "request",
    }
}

/// Something that happened, as it concerns one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// A comment or a thread's context mentions them.
    Mentioned,
    /// A reply to their comment.
    RepliedToYou,
    /// A comment in a thread they took part in (wrote it, or commented, or voted in it).
    CommentWhereYouTookPart,
    /// Any other comment.
    Comment,
    /// A new thread in their group; `announced`: its author chose to notify the group.
    NewThread { announced: bool },
    /// A new poll they may see; `announced`: its author chose to notify its voters.
    NewPoll { announced: bool },
    /// A vote on a poll they raised.
    VoteOnYourPoll,
    /// A vote on someone else's poll.
    Vote,
    /// A poll they may vote in closes within a day.
    ClosingSoon,
    /// The poll's author reminds the undecided.
    Reminder,
    /// A poll's outcome.
    Outcome,
    /// A reaction to their comment.
    Reaction,
    /// Someone they invited joined.
    InvitationAccepted,
    /// Someone asks to join a group they coordinate.
    MembershipRequested,
}

impl Event {
    pub const ALL: [Self; 16] = [
        Self::Mentioned,
        Self::RepliedToYou,
        Self::CommentWhereYouTookPart,
        Self::Comment,
        Self::NewThread { announced: false },
        Self::NewThread { announced: true },
        Self::NewPoll { announced: false },
        Self::NewPoll { announced: true },
        Self::VoteOnYourPoll,
        Self::Vote,
        Self::ClosingSoon,
        Self::Reminder,
        Self::Outcome,
        Self::Reaction,
        Self::InvitationAccepted,
        Self::MembershipRequested,
    ];

    /// How it is stored in the person's list.
    pub fn kind(self) -> Kind {
        match self {
            Self::Mentioned => Kind::Mention,
            Self::RepliedToYou => Kind::Reply,
            Self::CommentWhereYouTookPart | Self::Comment => Kind::Comment,
            Self::NewThread { .. } => Kind::Thread,
            Self::NewPoll { .. } => Kind::Poll,
            Self::VoteOnYourPoll | Self::Vote => Kind::Vote,
            Self::ClosingSoon => Kind::ClosingSoon,
            Self::Reminder => Kind::Reminder,
            Self::Outcome => Kind::Outcome,
            Self::Reaction => Kind::Reaction,
            Self::InvitationAccepted => Kind::Joined,
            Self::MembershipRequested => Kind::Request,
        }
    }
}

/// Where an event reaches a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Delivery {
    pub in_app: bool,
    pub email: bool,
}

impl Delivery {
    const NONE: Self = Self {
        in_app: false,
        email: false,
    };
    const APP: Self = Self {
        in_app: true,
        email: false,
    };
    const BOTH: Self = Self {
        in_app: true,
        email: true,
    };

    pub fn any(self) -> bool {
        self.in_app || self.email
    }
}

/// Whether `event` reaches someone whose effective volume is `volume`: the whole rule, tested as a
/// table in `tests` and over HTTP in `it::notifications`. Quiet never emails; loud emails
/// everything; normal emails what is addressed to the person or announced to them. A request to
/// join is a coordinator's duty: it shows even in a muted group (never by email).
pub fn delivery(event: Event, volume: Volume) -> Delivery {
    use Event as E;
    use Volume as V;
    match (event, volume) {
        (E::MembershipRequested, _) => Delivery::APP,
        (_, V::Mute) => Delivery::NONE,
        // A reaction is never worth an email.
        (E::Reaction, _) => Delivery::APP,
        // Only the loud hear of every comment and every vote on someone else's poll.
        (E::Comment | E::Vote, V::Loud) => Delivery::BOTH,
        (E::Comment | E::Vote, _) => Delivery::NONE,
        (_, V::Quiet) => Delivery::APP,
        (_, V::Loud) => Delivery::BOTH,
        (
            E::Mentioned
            | E::RepliedToYou
            | E::NewThread { announced: true }
            | E::NewPoll { announced: true }
            | E::ClosingSoon
            | E::Reminder
            | E::Outcome,
            V::Normal,
        ) => Delivery::BOTH,
        (
            E::CommentWhereYouTookPart
            | E::NewThread { announced: false }
            | E::NewPoll { announced: false }
            | E::VoteOnYourPoll
            | E::InvitationAccepted,
            V::Normal,
        ) => Delivery::APP,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule written out in full, one line per event: mute, quiet, normal, loud, each as
    /// "-" (nothing), "a" (in the app) or "ae" (in the app and by email).
    #[test]
    fn who_hears_of_what_at_each_volume() {
        let table: &[(Event, [&str; 4])] = &[
            (Event::Mentioned, ["-", "a", "ae", "ae"]),
            (Event::RepliedToYou, ["-", "a", "ae", "ae"]),
            (Event::CommentWhereYouTookPart, ["-", "a", "a", "ae"]),
            (Event::Comment, ["-", "-", "-", "ae"]),
            (Event::NewThread { announced: false }, ["-", "a", "a", "ae"]),
            (Event::NewThread { announced: true }, ["-", "a", "ae", "ae"]),
            (Event::NewPoll { announced: false }, ["-", "a", "a", "ae"]),
            (Event::NewPoll { announced: true }, ["-", "a", "ae", "ae"]),
            (Event::VoteOnYourPoll, ["-", "a", "a", "ae"]),
            (Event::Vote, ["-", "-", "-", "ae"]),
            (Event::ClosingSoon, ["-", "a", "ae", "ae"]),
            (Event::Reminder, ["-", "a", "ae", "ae"]),
            (Event::Outcome, ["-", "a", "ae", "ae"]),
            (Event::Reaction, ["-", "a", "a", "a"]),
            (Event::InvitationAccepted, ["-", "a", "a", "ae"]),
            (Event::MembershipRequested, ["a", "a", "a", "a"]),
        ];
        assert_eq!(table.len(), Event::ALL.len(), "every event is in the table");
        for (event, expected) in table {
            for (volume, want) in [Volume::Mute, Volume::Quiet, Volume::Normal, Volume::Loud]
                .into_iter()
                .zip(expected)
            {
                let d = delivery(*event, volume);
                let got = match (d.in_app, d.email) {
                    (false, false) => "-",
                    (true, false) => "a",
                    (true, true) => "ae",
                    (false, true) => "e",
                };
                assert_eq!(got, *want, "{event:?} at {volume:?}");
            }
        }
    }

    #[test]
    fn louder_never_hears_less() {
        let order = [Volume::Mute, Volume::Quiet, Volume::Normal, Volume::Loud];
        for event in Event::ALL {
            for pair in order.windows(2) {
                let (quieter, louder) = (delivery(event, pair[0]), delivery(event, pair[1]));
                assert!(
                    louder.in_app >= quieter.in_app && louder.email >= quieter.email,
                    "{event:?}"
                );
            }
            assert!(!delivery(event, Volume::Quiet).email, "quiet never emails: {event:?}");
            // Nothing is emailed that does not show in the app too.
            for v in order {
                let d = delivery(event, v);
                assert!(!d.email || d.in_app, "{event:?} at {v:?}");
            }
        }
    }

    #[test]
    fn the_poll_overrides_the_thread_which_overrides_the_group() {
        use Volume::*;
        assert_eq!(Volume::effective(None, None, None), Normal);
        assert_eq!(Volume::effective(None, None, Some(Quiet)), Quiet);
        assert_eq!(Volume::effective(None, Some(Loud), Some(Quiet)), Loud);
        assert_eq!(Volume::effective(Some(Mute), Some(Loud), Some(Quiet)), Mute);
        assert_eq!(Volume::choose("follow"), Ok(Loud));
        assert!(Volume::choose("shout").is_err());
        for v in Volume::ALL {
            assert_eq!(Volume::from_stored(v.as_str()), Ok(*v));
        }
        assert!(
            Volume::from_stored("follow").is_err(),
            "the stored word is migrated, never read"
        );
    }
}
