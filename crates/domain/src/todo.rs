//! What needs attention (the "Việc cần làm" page and the per-CĐCS flags): thresholds.
//!
//! These are product defaults chosen to surface work early, not figures from the
//! Charter or a regulation; change them here and every page follows.

use time::{Date, Duration};

/// A committee whose term ends within this many days is flagged (about six months).
pub const TERM_ENDING_WITHIN_DAYS: i64 = 183;

/// The window over which a fall in a CĐCS's active members is measured.
pub const MEMBER_FALL_WINDOW_DAYS: i64 = 90;

/// A fall of at least this share (per cent) of the members at the start of the window…
pub const MEMBER_FALL_PCT: i64 = 10;

/// …or of at least this many members flags the CĐCS.
pub const MEMBER_FALL_ABS: i64 = 20;

/// The last day on which a term's end counts as "ending soon".
pub fn term_horizon(today: Date) -> Date {
    today + Duration::days(TERM_ENDING_WITHIN_DAYS)
}

/// The first day of the window over which falls are measured.
pub fn fall_window_start(today: Date) -> Date {
    today - Duration::days(MEMBER_FALL_WINDOW_DAYS)
}

/// Whether a CĐCS that lost `lost` members net over the window (now holding `now`)
/// is flagged: ≥ [`MEMBER_FALL_PCT`] % of those it had at the start, or ≥ [`MEMBER_FALL_ABS`].
pub fn member_count_fell(now: i64, lost: i64) -> bool {
    if lost <= 0 {
        return false;
    }
    let before = now + lost;
    lost >= MEMBER_FALL_ABS || lost * 100 >= before * MEMBER_FALL_PCT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls() {
        assert!(!member_count_fell(100, 0));
        assert!(!member_count_fell(100, -5));
        assert!(!member_count_fell(100, 10), "10 of 110 is under 10 %");
        assert!(member_count_fell(90, 10), "10 of 100 is 10 %");
        assert!(
            member_count_fell(10_000, 20),
            "20 members whatever the size"
        );
        assert!(!member_count_fell(10_000, 19));
    }

    #[test]
    fn horizons() {
        let d = time::macros::date!(2026 - 01 - 01);
        assert_eq!(term_horizon(d), time::macros::date!(2026 - 07 - 03));
        assert_eq!(fall_window_start(d), time::macros::date!(2025 - 10 - 03));
    }
}
