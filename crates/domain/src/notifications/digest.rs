//! The catch-up digest's schedule: daily, every other day or weekly on a chosen day, always at
//! 06:00 in the person's time zone. The schedule answers one question, when the next digest is
//! due, from the civil calendar (a day of 23 or 25 hours still gets one digest at 06:00).

use jiff::civil::{Date, Time, Weekday};

use crate::FieldError;
use crate::Timestamp;
use crate::polls::meeting::Zone;

/// The local hour a digest goes at.
pub const HOUR: i8 = 6;

words! {
    /// How often a catch-up digest comes.
    Cadence, "digest cadence", "Choose never, daily, every other day or weekly." {
        /// No digest.
        Off = "off",
        Daily = "daily",
        EveryOtherDay = "every_other_day",
        Weekly = "weekly",
    }
}

words! {
    /// The day a weekly digest comes.
    Day, "digest day", "Choose a day of the week." {
        Monday = "monday",
        Tuesday = "tuesday",
        Wednesday = "wednesday",
        Thursday = "thursday",
        Friday = "friday",
        Saturday = "saturday",
        Sunday = "sunday",
    }
}

impl Day {
    fn weekday(self) -> Weekday {
        match self {
            Self::Monday => Weekday::Monday,
            Self::Tuesday => Weekday::Tuesday,
            Self::Wednesday => Weekday::Wednesday,
            Self::Thursday => Weekday::Thursday,
            Self::Friday => Weekday::Friday,
            Self::Saturday => Weekday::Saturday,
            Self::Sunday => Weekday::Sunday,
        }
    }

    /// "Monday", for a form.
    pub fn label(self) -> &'static str {
        match self {
            Self::Monday => "Monday",
            Self::Tuesday => "Tuesday",
            Self::Wednesday => "Wednesday",
            Self::Thursday => "Thursday",
            Self::Friday => "Friday",
            Self::Saturday => "Saturday",
            Self::Sunday => "Sunday",
        }
    }
}

impl Cadence {
    /// What it means, for a form.
    pub fn label(self) -> &'static str {
        match self {
            Self::Off => "Never",
            Self::Daily => "Every day",
            Self::EveryOtherDay => "Every other day",
            Self::Weekly => "Once a week",
        }
    }
}

/// Someone's choice: how often, on which day (weekly only), in which zone.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub cadence: Cadence,
    pub day: Day,
    pub zone: Zone,
}

impl Schedule {
    /// From a form: an unknown cadence or day is refused with the field's message.
    pub fn choose(cadence: &str, day: &str, zone: Zone) -> Result<Self, (&'static str, FieldError)> {
        let cadence = Cadence::parse(cadence).map_err(|e| ("digest", e))?;
        let day = if day.trim().is_empty() {
            Day::Monday
        } else {
            Day::parse(day).map_err(|e| ("digest_day", e))?
        };
        Ok(Self { cadence, day, zone })
    }

    /// The first digest once chosen at `now`: the next 06:00 (on the chosen day, weekly).
    pub fn first(&self, now: Timestamp) -> Option<Timestamp> {
        let date = self.date_of(now)?;
        let mut candidate = date;
        loop {
            if self.allowed(candidate) {
                let at = self.six_am(candidate)?;
                if at > now {
                    return Some(at);
                }
            }
            candidate = candidate.tomorrow().ok()?;
            if candidate > date.checked_add(jiff::Span::new().days(8)).ok()? {
                return None;
            }
        }
    }

    /// The digest after the one due at `due`, handled at `now`: one period on (1, 2 or 7 local
    /// days), and never in the past (an instance that was down for a week sends one digest that
    /// covers the week, not seven).
    pub fn after(&self, due: Timestamp, now: Timestamp) -> Option<Timestamp> {
        let step = match self.cadence {
            Cadence::Off => return None,
            Cadence::Daily => 1,
            Cadence::EveryOtherDay => 2,
            Cadence::Weekly => 7,
        };
        let mut date = self.date_of(due)?;
        // A weekly digest whose day was changed since moves to the new day.
        if self.cadence == Cadence::Weekly && !self.allowed(date) {
            return self.first(due.max(now));
        }
        loop {
            date = date.checked_add(jiff::Span::new().days(step)).ok()?;
            let at = self.six_am(date)?;
            if at > now {
                return Some(at);
            }
        }
    }

    fn allowed(&self, date: Date) -> bool {
        match self.cadence {
            Cadence::Off => false,
            Cadence::Daily | Cadence::EveryOtherDay => true,
            Cadence::Weekly => date.weekday() == self.day.weekday(),
        }
    }

    fn date_of(&self, at: Timestamp) -> Option<Date> {
        jiff::Timestamp::from_microsecond(at.0)
            .ok()
            .map(|t| t.to_zoned(self.zone.tz().clone()).date())
    }

    /// 06:00 on `date` here; should 06:00 not exist that day (a zone that moves its clocks at
    /// six), the instant after the gap.
    fn six_am(&self, date: Date) -> Option<Timestamp> {
        let civil = date.to_datetime(Time::constant(HOUR, 0, 0, 0));
        let zoned = self.zone.tz().to_ambiguous_zoned(civil).compatible().ok()?;
        Some(Timestamp(zoned.timestamp().as_microsecond()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(zone: &str, civil: &str) -> Timestamp {
        let zoned: jiff::Zoned = format!("{civil}[{zone}]").parse().unwrap();
        Timestamp(zoned.timestamp().as_microsecond())
    }

    fn local(zone: &str, t: Timestamp) -> String {
        jiff::Timestamp::from_microsecond(t.0)
            .unwrap()
            .to_zoned(jiff::tz::db().get(zone).unwrap())
            .strftime("%a %Y-%m-%d %H:%M %Z")
            .to_string()
    }

    fn schedule(cadence: Cadence, day: Day, zone: &str) -> Schedule {
        Schedule {
            cadence,
            day,
            zone: Zone::parse(zone).unwrap(),
        }
    }

    #[test]
    fn the_first_digest_is_the_next_six_in_the_morning_on_an_allowed_day() {
        let berlin = "Europe/Berlin";
        let daily = schedule(Cadence::Daily, Day::Monday, berlin);
        assert_eq!(
            local(berlin, daily.first(at(berlin, "2026-12-03T05:59")).unwrap()),
            "Thu 2026-12-03 06:00 CET"
        );
        assert_eq!(
            local(berlin, daily.first(at(berlin, "2026-12-03T06:00")).unwrap()),
            "Fri 2026-12-04 06:00 CET",
            "exactly six is already past"
        );
        let friday = schedule(Cadence::Weekly, Day::Friday, berlin);
        assert_eq!(
            local(berlin, friday.first(at(berlin, "2026-12-04T07:00")).unwrap()),
            "Fri 2026-12-11 06:00 CET"
        );
        assert_eq!(
            local(berlin, friday.first(at(berlin, "2026-12-04T05:00")).unwrap()),
            "Fri 2026-12-04 06:00 CET"
        );
        assert_eq!(
            schedule(Cadence::Off, Day::Monday, berlin).first(at(berlin, "2026-12-04T05:00")),
            None
        );
    }

    #[test]
    fn each_period_is_counted_in_local_days_across_a_change_of_clocks() {
        let berlin = "Europe/Berlin";
        // 2027-03-28: Berlin's clocks go from 02:00 to 03:00 (a day of 23 hours).
        let daily = schedule(Cadence::Daily, Day::Monday, berlin);
        let due = at(berlin, "2027-03-27T06:00");
        assert_eq!(
            local(berlin, daily.after(due, due).unwrap()),
            "Sun 2027-03-28 06:00 CEST"
        );
        // 2027-10-31: back from 03:00 to 02:00 (25 hours).
        let due = at(berlin, "2027-10-30T06:00");
        assert_eq!(
            local(berlin, daily.after(due, due).unwrap()),
            "Sun 2027-10-31 06:00 CET"
        );
        let other = schedule(Cadence::EveryOtherDay, Day::Monday, berlin);
        assert_eq!(
            local(berlin, other.after(due, due).unwrap()),
            "Mon 2027-11-01 06:00 CET"
        );
        let weekly = schedule(Cadence::Weekly, Day::Saturday, berlin);
        assert_eq!(
            local(berlin, weekly.after(due, due).unwrap()),
            "Sat 2027-11-06 06:00 CET"
        );
    }

    #[test]
    fn missed_periods_make_one_digest_not_a_backlog() {
        let auckland = "Pacific/Auckland";
        let daily = schedule(Cadence::Daily, Day::Monday, auckland);
        let due = at(auckland, "2026-12-01T06:00");
        let back = at(auckland, "2026-12-07T09:30");
        assert_eq!(
            local(auckland, daily.after(due, back).unwrap()),
            "Tue 2026-12-08 06:00 NZDT"
        );
    }

    #[test]
    fn a_weekly_digest_moves_to_a_newly_chosen_day() {
        let utc = "UTC";
        let thursday = schedule(Cadence::Weekly, Day::Thursday, utc);
        // The last one was due on a Monday, when Monday was the day.
        let due = at(utc, "2026-11-30T06:00");
        assert_eq!(
            local(utc, thursday.after(due, due).unwrap()),
            "Thu 2026-12-03 06:00 UTC"
        );
    }

    #[test]
    fn choosing_refuses_unknown_words_by_field() {
        let zone = Zone::utc();
        assert!(Schedule::choose("daily", "", zone.clone()).is_ok());
        assert_eq!(Schedule::choose("hourly", "", zone.clone()).unwrap_err().0, "digest");
        assert_eq!(
            Schedule::choose("weekly", "caturday", zone).unwrap_err().0,
            "digest_day"
        );
    }

    proptest::proptest! {
        /// Whatever the zone, the cadence and the moment, the next digest is later than now, at
        /// six local time (or just after a gap at six), and at most one period (plus a week's
        /// choosing) away.
        #[test]
        fn the_next_digest_is_always_ahead_and_at_six(
            zone in proptest::sample::select(vec!["UTC", "Europe/Berlin", "Pacific/Auckland", "America/Santiago", "Asia/Kathmandu", "America/St_Johns"]),
            cadence in proptest::sample::select(vec![Cadence::Daily, Cadence::EveryOtherDay, Cadence::Weekly]),
            day in proptest::sample::select(Day::ALL.to_vec()),
            due_secs in 1_700_000_000i64..1_900_000_000,
            late_secs in 0i64..2_000_000,
        ) {
            let s = schedule(cadence, day, zone);
            let due = Timestamp(due_secs * 1_000_000);
            let now = Timestamp((due_secs + late_secs) * 1_000_000);
            for next in [s.first(now).unwrap(), s.after(due, now).unwrap()] {
                proptest::prop_assert!(next > now);
                proptest::prop_assert!(next.0 - now.0 <= 8 * 86_400 * 1_000_000);
                let z = jiff::Timestamp::from_microsecond(next.0).unwrap().to_zoned(jiff::tz::db().get(zone).unwrap());
                proptest::prop_assert_eq!(z.hour(), HOUR);
                proptest::prop_assert_eq!(z.minute(), 0);
                if cadence == Cadence::Weekly {
                    proptest::prop_assert_eq!(z.weekday(), day.weekday());
                }
            }
        }
    }
}
