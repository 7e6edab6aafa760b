//! One spreadsheet cell, independent of the file format it came from.

use congdoan_domain::format_vn_date;
use time::Date;
use unicode_normalization::{UnicodeNormalization, is_nfc};

/// One cell as read.
///
/// xlsx cells formatted as dates arrive as [`Cell::Date`]; everything a CSV
/// holds is [`Cell::Text`], because CSV has no types and guessing them here
/// would lose leading zeros (CCCD, phone numbers).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(Date),
}

impl Cell {
    /// Trimmed display text: numbers without a useless ".0" (Excel stores
    /// 1085001234 as a float), dates as dd/mm/yyyy.
    pub fn as_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_owned(),
            Cell::Number(n) => number_text(*n),
            Cell::Bool(true) => "TRUE".to_owned(),
            Cell::Bool(false) => "FALSE".to_owned(),
            Cell::Date(d) => format_vn_date(*d),
        }
    }

    /// Empty, or text made only of whitespace.
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// A text cell from raw text: NFC-normalised (macOS and some input
    /// methods produce NFD), whitespace-only text becomes [`Cell::Empty`] so
    /// that blank-looking rows are blank.
    pub(crate) fn text(s: &str) -> Cell {
        if s.trim().is_empty() {
            Cell::Empty
        } else if is_nfc(s) {
            Cell::Text(s.to_owned())
        } else {
            Cell::Text(s.nfc().collect())
        }
    }
}

/// Integral numbers without a fraction or exponent (up to 15 digits, what
/// a double holds exactly); others in Rust's shortest round-trip form.
pub(crate) fn number_text(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        // Exact: |n| < 1e15 fits in i64 and has no fraction.
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn display_text() {
        assert_eq!(Cell::Number(1085001234.0).as_text(), "1085001234");
        assert_eq!(Cell::Number(-0.0).as_text(), "0");
        assert_eq!(Cell::Number(2.5).as_text(), "2.5");
        assert_eq!(Cell::Text("  Hà Nội ".into()).as_text(), "Hà Nội");
        assert_eq!(Cell::Date(date!(1985 - 07 - 05)).as_text(), "05/07/1985");
        assert_eq!(Cell::Bool(true).as_text(), "TRUE");
        assert_eq!(Cell::Empty.as_text(), "");
    }

    #[test]
    fn emptiness_and_nfc() {
        assert!(Cell::Empty.is_empty());
        assert!(Cell::Text(" \t".into()).is_empty());
        assert!(!Cell::Number(0.0).is_empty());
        assert_eq!(Cell::text("   "), Cell::Empty);
        let nfd = "Nguye\u{0302}\u{0303}n";
        assert_eq!(Cell::text(nfd), Cell::Text("Nguyễn".into()));
    }
}
