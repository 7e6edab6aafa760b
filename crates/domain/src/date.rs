//! Dates the Vietnamese way (dd/mm/yyyy) and calendar arithmetic.

use time::macros::offset;
use time::{Date, Month, OffsetDateTime};

use crate::error::{DomainError, ErrorCode};

/// Years accepted from user input. Catches typos such as "0202" while
/// leaving room for every realistic birth, join and term date.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2199;

/// Parses dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy) as people
/// type it, and ISO yyyy-mm-dd as `<input type="date">` submits it.
pub fn parse_vn_date(s: &str, field: &'static str) -> Result<Date, DomainError> {
    let err = |code| Err(DomainError::new(code, field));
    let s = s.trim();
    if s.is_empty() {
        return err(ErrorCode::Required);
    }
    let Some(sep) = s.chars().find(|c| matches!(c, '/' | '-' | '.')) else {
        return err(ErrorCode::DateFormat);
    };
    let parts: Vec<&str> = s.split(sep).collect();
    let [a, b, c] = parts[..] else {
        return err(ErrorCode::DateFormat);
    };
    let is_num = |p: &str, lens: std::ops::RangeInclusive<usize>| {
        lens.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    let (y, m, d) = if sep == '-' && a.len() == 4 {
        (a, b, c)
    } else {
        (c, b, a)
    };
    if !(is_num(y, 4..=4) && is_num(m, 1..=2) && is_num(d, 1..=2)) {
        return err(ErrorCode::DateFormat);
    }
    // All parts are 1–4 ASCII digits, so these parses cannot fail.
    let (Ok(year), Ok(month), Ok(day)) = (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>())
    else {
        return err(ErrorCode::DateFormat);
    };
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return err(ErrorCode::DateYearRange);
    }
    let Ok(month) = Month::try_from(month) else {
        return err(ErrorCode::DateImpossible);
    };
    match Date::from_calendar_date(year, month, day) {
        Ok(date) => Ok(date),
        Err(_) => err(ErrorCode::DateImpossible),
    }
}

/// "05/07/2025".
pub fn format_vn_date(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
}

/// Today in Vietnam (UTC+7, no daylight saving): the date every rule and default is
/// judged by, whatever the server's time zone (from 17:00 UTC it is already tomorrow).
pub fn today_vn() -> Date {
    (time::OffsetDateTime::now_utc() + time::Duration::hours(7)).date()
}

/// "05/07/2025 14:03" in Vietnam time (UTC+7, no daylight saving), whatever
/// offset the timestamp carries: servers store UTC.
pub fn format_vn_datetime(t: OffsetDateTime) -> String {
    let t = t.to_offset(offset!(+7));
    format!(
        "{} {:02}:{:02}",
        format_vn_date(t.date()),
        t.hour(),
        t.minute()
    )
}

/// Age in completed years on `on`. Someone born on 29 February turns a
/// year older on 1 March in common years.
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut age = on.year() - birth.year();
    if (u8::from(on.month()), on.day()) < (u8::from(birth.month()), birth.day()) {
        age -= 1;
    }
    age
}

/// Adds calendar months, clamping to the month's last day (31/01 + 1 month
/// = 28 or 29/02), which is how "after N months" is read in union rules.
/// Saturates at [`Date::MAX`].
pub fn add_months(d: Date, months: u32) -> Date {
    let total = i64::from(d.year()) * 12 + i64::from(u8::from(d.month())) - 1 + i64::from(months);
    let Ok(year) = i32::try_from(total.div_euclid(12)) else {
        return Date::MAX;
    };
    // rem_euclid(12) is in 0..12, so the month number is in 1..=12.
    let month_no = (total.rem_euclid(12) + 1) as u8;
    let Ok(month) = Month::try_from(month_no) else {
        return Date::MAX;
    };
    let day = d.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MAX)
}

/// `end` must not precede `start` (terms, positions, suspensions).
pub fn ensure_order(start: Date, end: Date, field: &'static str) -> Result<(), DomainError> {
    if end < start {
        Err(DomainError::new(ErrorCode::DateOrder, field))
    } else {
        Ok(())
    }
}

/// `d` must not be after `today` (birth dates, join dates).
pub fn ensure_not_future(d: Date, today: Date, field: &'static str) -> Result<(), DomainError> {
    if d > today {
        Err(DomainError::new(ErrorCode::DateInFuture, field))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, datetime};

    fn code(s: &str) -> ErrorCode {
        parse_vn_date(s, "birth_date").unwrap_err().code
    }

    #[test]
    fn parses_vietnamese_and_iso_forms() {
        let d = date!(2025 - 07 - 05);
        for s in [
            "05/07/2025",
            "5/7/2025",
            "05-07-2025",
            "05.07.2025",
            "2025-07-05",
            "2025-7-5",
            " 05/07/2025 ",
        ] {
            assert_eq!(parse_vn_date(s, "join_date"), Ok(d), "{s}");
        }
        assert_eq!(
            parse_vn_date("29/02/2024", "join_date"),
            Ok(date!(2024 - 02 - 29))
        );
        assert_eq!(
            parse_vn_date("31/12/1900", "join_date"),
            Ok(date!(1900 - 12 - 31))
        );
    }

    #[test]
    fn rejects_bad_dates() {
        assert_eq!(code(""), ErrorCode::Required);
        assert_eq!(code("31/02/2024"), ErrorCode::DateImpossible);
        assert_eq!(code("29/02/2023"), ErrorCode::DateImpossible);
        assert_eq!(code("00/01/2024"), ErrorCode::DateImpossible);
        assert_eq!(code("01/13/2024"), ErrorCode::DateImpossible);
        assert_eq!(code("2024-02-30"), ErrorCode::DateImpossible);
        assert_eq!(code("05/07/25"), ErrorCode::DateFormat);
        assert_eq!(code("05/07-2025"), ErrorCode::DateFormat);
        assert_eq!(code("05072025"), ErrorCode::DateFormat);
        assert_eq!(code("5 tháng 7 2025"), ErrorCode::DateFormat);
        assert_eq!(code("a5/07/2025"), ErrorCode::DateFormat);
        assert_eq!(code("2025/07/05"), ErrorCode::DateFormat);
        assert_eq!(code("005/07/2025"), ErrorCode::DateFormat);
        assert_eq!(code("+5/07/2025"), ErrorCode::DateFormat);
        assert_eq!(code("05/07/0202"), ErrorCode::DateYearRange);
        assert_eq!(code("05/07/2200"), ErrorCode::DateYearRange);
        let e = parse_vn_date("31/02/2024", "birth_date").unwrap_err();
        assert_eq!(e.field, "birth_date");
        assert_eq!(
            e.to_string(),
            "Ngày sinh: ngày này không có trên lịch (ví dụ 31/02)."
        );
    }

    #[test]
    fn formats() {
        assert_eq!(format_vn_date(date!(2025 - 07 - 05)), "05/07/2025");
        assert_eq!(format_vn_date(date!(1900 - 12 - 31)), "31/12/1900");
        assert_eq!(
            format_vn_datetime(datetime!(2025-07-05 07:03 UTC)),
            "05/07/2025 14:03"
        );
        // Crosses midnight into the next day in Vietnam.
        assert_eq!(
            format_vn_datetime(datetime!(2025-12-31 20:30 UTC)),
            "01/01/2026 03:30"
        );
        assert_eq!(
            format_vn_datetime(datetime!(2025-07-05 14:03 +7)),
            "05/07/2025 14:03"
        );
    }

    #[test]
    fn ages() {
        let b = date!(1990 - 07 - 05);
        assert_eq!(age_on(b, date!(2025 - 07 - 04)), 34);
        assert_eq!(age_on(b, date!(2025 - 07 - 05)), 35);
        assert_eq!(age_on(b, date!(1990 - 07 - 05)), 0);
        let leap = date!(2004 - 02 - 29);
        assert_eq!(age_on(leap, date!(2022 - 02 - 28)), 17);
        assert_eq!(age_on(leap, date!(2022 - 03 - 01)), 18);
        assert_eq!(age_on(leap, date!(2024 - 02 - 29)), 20);
    }

    #[test]
    fn month_arithmetic() {
        assert_eq!(add_months(date!(2025 - 01 - 15), 3), date!(2025 - 04 - 15));
        assert_eq!(add_months(date!(2025 - 01 - 31), 1), date!(2025 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 01 - 31), 1), date!(2024 - 02 - 29));
        assert_eq!(add_months(date!(2024 - 11 - 30), 3), date!(2025 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 10 - 10), 12), date!(2025 - 10 - 10));
        assert_eq!(add_months(date!(2024 - 10 - 10), 0), date!(2024 - 10 - 10));
        assert_eq!(add_months(date!(9999 - 11 - 10), 5), Date::MAX);
        assert_eq!(add_months(date!(2024 - 10 - 10), u32::MAX), Date::MAX);
    }

    #[test]
    fn ordering_helpers() {
        let a = date!(2025 - 01 - 01);
        let b = date!(2025 - 01 - 02);
        assert_eq!(ensure_order(a, b, "end_date"), Ok(()));
        assert_eq!(ensure_order(a, a, "end_date"), Ok(()));
        assert_eq!(
            ensure_order(b, a, "end_date").unwrap_err().code,
            ErrorCode::DateOrder
        );
        assert_eq!(ensure_not_future(a, b, "birth_date"), Ok(()));
        assert_eq!(
            ensure_not_future(b, a, "birth_date").unwrap_err(),
            DomainError::new(ErrorCode::DateInFuture, "birth_date")
        );
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(days in 0i32..(300 * 366)) {
            let d = date!(1900 - 01 - 01) + time::Duration::days(i64::from(days));
            prop_assume!(d.year() <= MAX_YEAR);
            prop_assert_eq!(parse_vn_date(&format_vn_date(d), "x"), Ok(d));
            let iso = format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
            prop_assert_eq!(parse_vn_date(&iso, "x"), Ok(d));
        }

        #[test]
        fn add_months_never_goes_backwards(days in 0i32..(300 * 366), n in 0u32..1000) {
            let d = date!(1900 - 01 - 01) + time::Duration::days(i64::from(days));
            let later = add_months(d, n);
            prop_assert!(later >= d);
            prop_assert!(later.day() <= d.day());
        }
    }
}
