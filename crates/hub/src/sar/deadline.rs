//! When a subject access request must be answered: one calendar month from the day it was
//! received, or three when extended for a complex request (ICO guidance on the right of access).

use casebook_domain::calendar::is_working_day;
use chrono::{Months, NaiveDate};

/// The day the answer is due: the same date `months` later (one, or three when extended), or
/// the month's last day when it has no such date (31 Jan → 28 or 29 Feb), moved on to the next
/// working day when it falls on a weekend or a bank holiday.
pub fn due_on(received: NaiveDate, extended: bool) -> NaiveDate {
    let months = Months::new(if extended { 3 } else { 1 });
    // chrono clamps to the month's last day; only a date past year 262143 could fail.
    let mut due = received.checked_add_months(months).unwrap_or(NaiveDate::MAX);
    while !is_working_day(due) {
        match due.succ_opt() {
            Some(next) => due = next,
            None => break,
        }
    }
    due
}

/// Days from `today` until `due`: 0 on the day, negative once overdue.
pub fn days_left(today: NaiveDate, due: NaiveDate) -> i64 {
    (due - today).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
    }

    #[test]
    fn one_calendar_month_from_the_day_received() {
        assert_eq!(
            due_on(day(2026, 9, 3), false),
            day(2026, 10, 5),
            "3 Oct 2026 is a Saturday"
        );
        assert_eq!(
            due_on(day(2026, 11, 27), false),
            day(2026, 12, 29),
            "27 and 28 Dec are holidays"
        );
        assert_eq!(
            due_on(day(2027, 3, 10), false),
            day(2027, 4, 12),
            "10 Apr 2027 is a Saturday"
        );
        assert_eq!(due_on(day(2027, 6, 15), false), day(2027, 7, 15));
    }

    #[test]
    fn a_month_without_the_date_ends_on_its_last_day() {
        assert_eq!(
            due_on(day(2028, 1, 31), false),
            day(2028, 2, 29),
            "leap year, a Tuesday"
        );
        assert_eq!(
            due_on(day(2027, 1, 30), false),
            day(2027, 3, 1),
            "28 Feb 2027 is a Sunday"
        );
        assert_eq!(due_on(day(2026, 8, 31), false), day(2026, 9, 30));
    }

    #[test]
    fn an_extension_adds_two_more_months() {
        assert_eq!(
            due_on(day(2026, 11, 30), true),
            day(2027, 3, 1),
            "28 Feb 2027 is a Sunday"
        );
        assert_eq!(due_on(day(2027, 6, 15), true), day(2027, 9, 15));
    }

    #[test]
    fn days_left_count_down_to_zero_then_below() {
        let due = day(2026, 12, 29);
        assert_eq!(days_left(day(2026, 12, 1), due), 28);
        assert_eq!(days_left(due, due), 0);
        assert_eq!(days_left(day(2027, 1, 4), due), -6);
    }
}
