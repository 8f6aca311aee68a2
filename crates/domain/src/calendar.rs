//! Working days in England and Wales, so that deadlines are derived from the calendar the
//! services actually keep, never typed twice.
//!
//! A working day is Monday to Friday and not a bank holiday. The bank holidays are a table in
//! code for [`COVERED_YEARS`]: they are announced by proclamation, so no rule can be trusted
//! to predict them (2020 moved the early May holiday, 2022 added two), and a table makes the
//! day a facilitator sees the day a test checked. Outside those years weekends still count as
//! non-working, but bank holidays are not known there: every weekday counts as working.

use std::ops::RangeInclusive;

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The years whose bank holidays this module knows; extend it together with the table.
pub const COVERED_YEARS: RangeInclusive<i32> = 2024..=2030;

/// England and Wales bank holidays, year by year as (month, day) in date order, with the
/// substitute day in place of any that falls on a weekend (as gov.uk lists them).
#[rustfmt::skip]
const BANK_HOLIDAYS: &[(i32, &[(u32, u32)])] = &[
    (2024, &[(1, 1), (3, 29), (4, 1), (5, 6), (5, 27), (8, 26), (12, 25), (12, 26)]),
    (2025, &[(1, 1), (4, 18), (4, 21), (5, 5), (5, 26), (8, 25), (12, 25), (12, 26)]),
    (2026, &[(1, 1), (4, 3), (4, 6), (5, 4), (5, 25), (8, 31), (12, 25), (12, 28)]),
    (2027, &[(1, 1), (3, 26), (3, 29), (5, 3), (5, 31), (8, 30), (12, 27), (12, 28)]),
    (2028, &[(1, 3), (4, 14), (4, 17), (5, 1), (5, 29), (8, 28), (12, 25), (12, 26)]),
    (2029, &[(1, 1), (3, 30), (4, 2), (5, 7), (5, 28), (8, 27), (12, 25), (12, 26)]),
    (2030, &[(1, 1), (4, 19), (4, 22), (5, 6), (5, 27), (8, 26), (12, 25), (12, 26)]),
];

/// The table as (year, month, day) tuples: they order as the dates do, so lookups need no date
/// construction that could fail at runtime.
fn bank_holidays() -> impl Iterator<Item = (i32, u32, u32)> {
    BANK_HOLIDAYS
        .iter()
        .flat_map(|&(y, days)| days.iter().map(move |&(m, d)| (y, m, d)))
}

fn key(d: NaiveDate) -> (i32, u32, u32) {
    (d.year(), d.month(), d.day())
}

/// Whether `d` is an England and Wales bank holiday; always false outside [`COVERED_YEARS`].
pub fn is_bank_holiday(d: NaiveDate) -> bool {
    let (y, m, day) = key(d);
    BANK_HOLIDAYS
        .iter()
        .any(|&(year, days)| year == y && days.contains(&(m, day)))
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Whether services are open on `d`: Monday to Friday and not a (known) bank holiday.
pub fn is_working_day(d: NaiveDate) -> bool {
    !is_weekend(d) && !is_bank_holiday(d)
}

/// Monday to Friday days from a fixed origin up to and including `d`, so that a span's count is
/// a subtraction rather than a walk (constant time however far apart the dates are).
fn weekdays_through(d: NaiveDate) -> i64 {
    // Day 1 of the common era, 0001-01-01, was a Monday: each run of seven from there holds
    // five weekdays, then Saturday and Sunday.
    let n = i64::from(d.num_days_from_ce());
    5 * n.div_euclid(7) + n.rem_euclid(7).min(5)
}

/// Working days after `from` up to and including `to`; negative when `to` is earlier (overdue).
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    if to < from {
        return -working_days_between(to, from);
    }
    let (after, through) = (key(from), key(to));
    // Every table entry is a weekday (a test checks), so each one in the span is one fewer.
    let holidays = bank_holidays().filter(|h| after < *h && *h <= through).count();
    weekdays_through(to) - weekdays_through(from) - holidays as i64
}

/// The `n`-th working day after `d` (`d` itself for 0); saturates at `NaiveDate::MAX`, never panics.
pub fn add_working_days(d: NaiveDate, n: u32) -> NaiveDate {
    let mut date = d;
    let mut left = i64::from(n);
    // Whole weeks first, so a large `n` does not walk day by day; stopping five or more short
    // leaves the last steps to the day walk, which always ends on a working day.
    while left >= 10 {
        let weeks = (left / 5 - 1) as u64;
        let Some(next) = date.checked_add_days(Days::new(weeks * 7)) else {
            return NaiveDate::MAX;
        };
        left -= working_days_between(date, next);
        date = next;
    }
    while left > 0 {
        let Some(next) = date.succ_opt() else {
            return NaiveDate::MAX;
        };
        date = next;
        if is_working_day(date) {
            left -= 1;
        }
    }
    date
}

/// Working days from today to a court date, the day itself counted: 0 on the day, negative after.
pub fn court_countdown(today: NaiveDate, court: NaiveDate) -> i64 {
    working_days_between(today, court)
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn table() -> Vec<NaiveDate> {
        bank_holidays().map(|(y, m, d)| date(y, m, d)).collect()
    }

    /// Easter Sunday as published; the table's Good Fridays and Easter Mondays hang on these.
    const EASTER: [(i32, u32, u32); 7] = [
        (2024, 3, 31),
        (2025, 4, 20),
        (2026, 4, 5),
        (2027, 3, 28),
        (2028, 4, 16),
        (2029, 4, 1),
        (2030, 4, 21),
    ];

    /// The anonymous Gregorian computus, to cross-check the published Easter dates above.
    fn computus(y: i32) -> NaiveDate {
        let (a, b, c) = (y % 19, y / 100, y % 100);
        let (d, e) = (b / 4, b % 4);
        let f = (b + 8) / 25;
        let g = (b - f + 1) / 3;
        let h = (19 * a + b - d - g + 15) % 30;
        let (i, k) = (c / 4, c % 4);
        let l = (32 + 2 * e + 2 * i - h - k) % 7;
        let m = (a + 11 * h + 22 * l) / 451;
        let month = (h + l - 7 * m + 114) / 31;
        let day = (h + l - 7 * m + 114) % 31 + 1;
        date(y, month as u32, day as u32)
    }

    fn last_monday(y: i32, m: u32, last_day: u32) -> NaiveDate {
        let d = date(y, m, last_day);
        d - Days::new(u64::from(d.weekday().num_days_from_monday()))
    }

    /// One year's bank holidays by the standing rules, substitute days included.
    fn by_rule(y: i32, easter: NaiveDate) -> Vec<NaiveDate> {
        let new_year = date(y, 1, 1);
        let new_year = match new_year.weekday() {
            Weekday::Sat => date(y, 1, 3),
            Weekday::Sun => date(y, 1, 2),
            _ => new_year,
        };
        let (christmas, boxing) = match date(y, 12, 25).weekday() {
            // Boxing Day on Saturday moves to Monday.
            Weekday::Fri => (25, 28),
            // Both on the weekend: Monday and Tuesday.
            Weekday::Sat => (27, 28),
            // Christmas on Sunday: Boxing Day keeps Monday, Christmas takes Tuesday.
            Weekday::Sun => (26, 27),
            _ => (25, 26),
        };
        vec![
            new_year,
            easter - Days::new(2),
            easter + Days::new(1),
            NaiveDate::from_weekday_of_month_opt(y, 5, Weekday::Mon, 1).expect("a first Monday"),
            last_monday(y, 5, 31),
            last_monday(y, 8, 31),
            date(y, 12, christmas),
            date(y, 12, boxing),
        ]
    }

    #[test]
    fn every_entry_is_a_valid_weekday_in_order_and_the_years_are_the_covered_ones() {
        for (y, m, d) in bank_holidays() {
            let day = NaiveDate::from_ymd_opt(y, m, d);
            assert!(day.is_some(), "{y}-{m}-{d} is not a date");
            assert!(
                day.is_some_and(|day| !is_weekend(day)),
                "{y}-{m}-{d} is a weekend"
            );
        }
        let all: Vec<_> = bank_holidays().collect();
        assert!(
            all.windows(2).all(|w| w[0] < w[1]),
            "in date order, no duplicates"
        );
        let years: Vec<_> = BANK_HOLIDAYS.iter().map(|(y, _)| *y).collect();
        assert_eq!(years, COVERED_YEARS.collect::<Vec<_>>());
        // 2024 to 2030 have no extra holidays (2022 had two): eight each.
        assert!(BANK_HOLIDAYS.iter().all(|(_, days)| days.len() == 8));
    }

    #[test]
    fn the_table_is_what_the_rules_give_each_year() {
        assert_eq!(EASTER.len(), COVERED_YEARS.count());
        for (y, m, d) in EASTER {
            let easter = date(y, m, d);
            assert_eq!(easter, computus(y), "Easter {y}");
            assert_eq!(easter.weekday(), Weekday::Sun);
            let table: Vec<_> = table().into_iter().filter(|h| h.year() == y).collect();
            assert_eq!(table, by_rule(y, easter), "{y}");
        }
    }

    #[rstest]
    // Published on gov.uk: 2026 (Boxing Day on Saturday, so Monday 28th).
    #[case(2026, &[(1, 1), (4, 3), (4, 6), (5, 4), (5, 25), (8, 31), (12, 25), (12, 28)])]
    // 2027: Christmas on Saturday and Boxing Day on Sunday, so Monday 27th and Tuesday 28th.
    #[case(2027, &[(1, 1), (3, 26), (3, 29), (5, 3), (5, 31), (8, 30), (12, 27), (12, 28)])]
    #[case(2024, &[(1, 1), (3, 29), (4, 1), (5, 6), (5, 27), (8, 26), (12, 25), (12, 26)])]
    #[case(2025, &[(1, 1), (4, 18), (4, 21), (5, 5), (5, 26), (8, 25), (12, 25), (12, 26)])]
    fn published_dates_are_in_the_table(#[case] y: i32, #[case] days: &[(u32, u32)]) {
        let published: Vec<_> = days.iter().map(|&(m, d)| date(y, m, d)).collect();
        let table: Vec<_> = table().into_iter().filter(|h| h.year() == y).collect();
        assert_eq!(table, published);
        assert!(
            published
                .iter()
                .all(|d| is_bank_holiday(*d) && !is_working_day(*d))
        );
    }

    #[test]
    fn new_year_on_a_saturday_moves_to_monday() {
        assert!(!is_bank_holiday(date(2028, 1, 1)));
        assert!(is_bank_holiday(date(2028, 1, 3)));
        assert!(!is_working_day(date(2028, 1, 3)));
        assert!(is_working_day(date(2028, 1, 4)));
    }

    #[rstest]
    #[case(date(2026, 12, 24), true)] // Thursday
    #[case(date(2026, 12, 25), false)] // Christmas Day, Friday
    #[case(date(2026, 12, 26), false)] // Boxing Day, Saturday
    #[case(date(2026, 12, 28), false)] // its substitute, Monday
    #[case(date(2026, 12, 29), true)]
    #[case(date(2027, 1, 1), false)] // New Year's Day, Friday
    #[case(date(2027, 1, 4), true)]
    #[case(date(2027, 3, 26), false)] // Good Friday
    #[case(date(2027, 3, 29), false)] // Easter Monday
    #[case(date(2027, 3, 30), true)]
    fn working_days_around_christmas_and_easter(#[case] d: NaiveDate, #[case] working: bool) {
        assert_eq!(is_working_day(d), working, "{d}");
    }

    #[rstest]
    #[case(date(2026, 11, 2), 0, date(2026, 11, 2))] // zero days: the day itself
    #[case(date(2026, 11, 6), 1, date(2026, 11, 9))] // Friday to Monday
    #[case(date(2026, 11, 7), 1, date(2026, 11, 9))] // Saturday to Monday
    #[case(date(2026, 11, 7), 5, date(2026, 11, 13))]
    // from a Saturday, five is Friday
    // After Thursday 24 Dec 2026: Fri 25 and Mon 28 are bank holidays, so Tuesday 29th.
    #[case(date(2026, 12, 24), 1, date(2026, 12, 29))]
    // After Fri 18 Dec 2026: 21, 22, 23, 24, 29, 30, 31 Dec, then (1 Jan a holiday) 4, 5, 6 Jan.
    #[case(date(2026, 12, 18), 10, date(2027, 1, 6))]
    // After Thu 25 Mar 2027: Good Friday and Easter Monday skipped, 30, 31 Mar, 1, 2, 5, ... 12 Apr.
    #[case(date(2027, 3, 25), 1, date(2027, 3, 30))]
    #[case(date(2027, 3, 25), 10, date(2027, 4, 12))]
    // Christmas 2027 on the weekend: Mon 27 and Tue 28 are the holidays.
    #[case(date(2027, 12, 24), 1, date(2027, 12, 29))]
    // Long spans take whole weeks at a time: 2026 has 261 weekdays and 8 bank holidays.
    #[case(date(2025, 12, 31), 253, date(2026, 12, 31))]
    fn adding_working_days(#[case] from: NaiveDate, #[case] n: u32, #[case] expected: NaiveDate) {
        assert_eq!(add_working_days(from, n), expected);
        assert_eq!(working_days_between(from, expected), i64::from(n));
    }

    #[test]
    fn between_counts_after_from_up_to_and_including_to() {
        let (thu, fri, mon) = (date(2026, 11, 5), date(2026, 11, 6), date(2026, 11, 9));
        assert_eq!(working_days_between(thu, thu), 0);
        assert_eq!(working_days_between(thu, fri), 1);
        assert_eq!(working_days_between(fri, date(2026, 11, 8)), 0); // to Sunday
        assert_eq!(working_days_between(thu, mon), 2);
        assert_eq!(working_days_between(mon, thu), -2);
        // Over Christmas 2026: 12 working days in 21 calendar days.
        assert_eq!(working_days_between(date(2026, 12, 18), date(2027, 1, 8)), 12);
        assert_eq!(working_days_between(date(2026, 12, 24), date(2027, 1, 4)), 4);
    }

    #[test]
    fn court_countdown_counts_down_in_working_days() {
        let court = date(2027, 1, 4); // a Monday, just after Christmas 2026
        // From Mon 14 Dec: 15-18, 21-24, 29-31 Dec and 4 Jan: 12 working days in 21 calendar days.
        assert_eq!(court_countdown(date(2026, 12, 14), court), 12);
        // Over the holidays only Tue 29, Wed 30, Thu 31 and the day itself remain.
        assert_eq!(court_countdown(date(2026, 12, 24), court), 4);
        assert_eq!(court_countdown(date(2026, 12, 31), court), 1);
        assert_eq!(court_countdown(court, court), 0);
        assert_eq!(court_countdown(date(2027, 1, 5), court), -1);
        assert_eq!(court_countdown(date(2027, 1, 11), court), -5);
    }

    #[test]
    fn outside_the_table_only_weekends_are_known() {
        // Christmas 2031 is a Thursday: not known as a holiday, so it counts as working.
        assert!(!COVERED_YEARS.contains(&2031));
        assert!(!is_bank_holiday(date(2031, 12, 25)));
        assert!(is_working_day(date(2031, 12, 25)));
        assert!(!is_working_day(date(2031, 12, 27))); // Saturday
        assert!(is_working_day(date(2023, 12, 25))); // Monday, before the table
        assert_eq!(add_working_days(date(2031, 12, 24), 1), date(2031, 12, 25));
    }

    #[test]
    fn extremes_saturate_rather_than_panic() {
        assert_eq!(add_working_days(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(add_working_days(date(2026, 1, 1), u32::MAX), NaiveDate::MAX);
        let span = working_days_between(NaiveDate::MIN, NaiveDate::MAX);
        assert!(span > 0);
        assert_eq!(working_days_between(NaiveDate::MAX, NaiveDate::MIN), -span);
        assert_eq!(weekdays_through(date(1, 1, 1)), 1, "0001-01-01 was a Monday");
    }

    fn count_by_walking(from: NaiveDate, to: NaiveDate) -> i64 {
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| is_working_day(*d))
            .count() as i64
    }

    #[test]
    fn every_day_of_the_covered_years_agrees_with_walking_the_calendar() {
        let first = date(*COVERED_YEARS.start(), 1, 1);
        let last = date(*COVERED_YEARS.end(), 12, 31);
        for d in first.iter_days().take_while(|d| *d <= last) {
            for n in 0..30 {
                let due = add_working_days(d, n);
                assert_eq!(working_days_between(d, due), i64::from(n), "{d} + {n}");
                assert_eq!(working_days_between(due, d), -i64::from(n), "{d} + {n}");
                if n >= 1 {
                    assert!(is_working_day(due), "{d} + {n} = {due}");
                    // The n-th, not a later one: the day before still falls one short.
                    let before = due.pred_opt().expect("a day before");
                    assert_eq!(working_days_between(d, before), i64::from(n) - 1, "{d} + {n}");
                }
            }
            for k in [0, 1, 2, 6, 7, 13, 31, 45] {
                let to = d + Days::new(k);
                assert_eq!(
                    working_days_between(d, to),
                    count_by_walking(d, to),
                    "{d} .. {to}"
                );
            }
        }
    }
}
