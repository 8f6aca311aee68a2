//! Dates as people in England and Wales write them: "27 Nov 2026".

use chrono::NaiveDate;

/// A date written the British way, day first and the month abbreviated: "27 Nov 2026".
pub fn british_date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
    }

    #[test]
    fn day_first_month_abbreviated_no_leading_zero() {
        assert_eq!(british_date(day(2026, 11, 27)), "27 Nov 2026");
        assert_eq!(british_date(day(2026, 12, 1)), "1 Dec 2026");
        assert_eq!(british_date(day(2027, 9, 10)), "10 Sep 2027");
    }
}
