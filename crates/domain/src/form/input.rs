//! Numbers and yes/no as Vietnamese users type them, and back.

use crate::money::format_int;
use crate::text::fold;

/// Why a typed number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumError {
    NotNumber,
    TooManyPlaces,
    TooLarge,
}

/// Parses "1.234", "1 234", "12,5", "1.000.000 ₫", "50%", "-3" into the
/// number scaled by `10^places` ("12,5" with 2 places → 1250).
///
/// The comma is the decimal mark and the dot groups thousands, as in
/// Vietnamese. A lone dot followed by anything but exactly three digits
/// ("12.5") is read as a decimal point, because people also type that.
pub fn parse_number(raw: &str, places: u32) -> Result<i64, NumError> {
    let mut s: String = raw
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    for unit in ["₫", "VNĐ", "VND", "vnđ", "vnd", "đồng", "đ", "%"] {
        if let Some(rest) = s.strip_suffix(unit) {
            s = rest.to_owned();
            break;
        }
    }
    let (neg, body) = match s.strip_prefix('-').or_else(|| s.strip_prefix('−')) {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(NumError::NotNumber);
    }
    let (int, frac) = if let Some((int, frac)) = body.split_once(',') {
        if frac.contains([',', '.']) || !grouped(int) {
            return Err(NumError::NotNumber);
        }
        (int.replace('.', ""), frac.to_owned())
    } else if body.contains('.') {
        if grouped(body) {
            (body.replace('.', ""), String::new())
        } else if let Some((int, frac)) = body.split_once('.')
            && !frac.contains('.')
        {
            (int.to_owned(), frac.to_owned())
        } else {
            return Err(NumError::NotNumber);
        }
    } else {
        (body.to_owned(), String::new())
    };
    if int.is_empty() && frac.is_empty() {
        return Err(NumError::NotNumber);
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > places as usize {
        return Err(NumError::TooManyPlaces);
    }
    let int = int.trim_start_matches('0');
    if int.len() > 15 {
        return Err(NumError::TooLarge);
    }
    let int: i64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| NumError::TooLarge)?
    };
    let mut frac_scaled: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| NumError::NotNumber)?
    };
    frac_scaled *= 10i64.pow(places - frac.len() as u32);
    let v = int
        .checked_mul(10i64.pow(places))
        .and_then(|v| v.checked_add(frac_scaled))
        .ok_or(NumError::TooLarge)?;
    Ok(if neg { -v } else { v })
}

/// "1.234.567" or "1234": dots, if any, group exactly three digits.
fn grouped(s: &str) -> bool {
    if !s.contains('.') {
        return true;
    }
    let mut parts = s.split('.');
    let first = parts.next().unwrap_or("");
    (1..=3).contains(&first.len()) && parts.all(|p| p.len() == 3)
}

/// The scaled number written the Vietnamese way with exactly `places`
/// decimals: 1250 with 2 places → "12,50".
pub fn format_scaled(v: i64, places: u32) -> String {
    if places == 0 {
        return format_int(v);
    }
    let scale = 10i64.pow(places);
    let int = format_int(v / scale);
    let sign = if v < 0 && v / scale == 0 { "-" } else { "" };
    let frac = (v % scale).unsigned_abs();
    format!("{sign}{int},{frac:0width$}", width = places as usize)
}

/// Like [`format_scaled`] without trailing zeros: 5000 → "50", 1250 → "12,5".
pub fn format_scaled_short(v: i64, places: u32) -> String {
    let s = format_scaled(v, places);
    if s.contains(',') {
        s.trim_end_matches('0').trim_end_matches(',').to_owned()
    } else {
        s
    }
}

/// "có", "Có", "x", "1", "yes", "đúng" → true; "không", "0", "no", "sai" → false.
pub fn parse_yes_no(raw: &str) -> Option<bool> {
    match fold(raw).as_str() {
        "co" | "c" | "x" | "1" | "yes" | "y" | "true" | "dung" | "da" | "có" => Some(true),
        "khong" | "k" | "ko" | "0" | "no" | "n" | "false" | "sai" | "chua" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_numbers() {
        assert_eq!(parse_number("1.234", 0), Ok(1234));
        assert_eq!(parse_number("1.234.567", 0), Ok(1_234_567));
        assert_eq!(parse_number("1 234 567", 0), Ok(1_234_567));
        assert_eq!(parse_number("12,5", 2), Ok(1250));
        assert_eq!(parse_number("12.5", 2), Ok(1250));
        assert_eq!(parse_number("1.234,56", 2), Ok(123_456));
        assert_eq!(parse_number("1.000.000 ₫", 0), Ok(1_000_000));
        assert_eq!(parse_number("1.000.000đ", 0), Ok(1_000_000));
        assert_eq!(parse_number("2.500.000 VNĐ", 0), Ok(2_500_000));
        assert_eq!(parse_number("50%", 2), Ok(5000));
        assert_eq!(parse_number("12,50", 0), Err(NumError::TooManyPlaces));
        assert_eq!(parse_number("12,00", 0), Ok(12));
        assert_eq!(parse_number("-3", 0), Ok(-3));
        assert_eq!(parse_number("0,125", 2), Err(NumError::TooManyPlaces));
        assert_eq!(parse_number(",5", 1), Ok(5));
        for bad in [
            "", "abc", "1,2,3", "12a", "1.23.4", "1.2.3", "-", "1,2.3", ",",
        ] {
            assert_eq!(parse_number(bad, 2), Err(NumError::NotNumber), "{bad}");
        }
        assert_eq!(parse_number("9999999999999999", 0), Err(NumError::TooLarge));
    }

    #[test]
    fn formatting() {
        assert_eq!(format_scaled(1250, 2), "12,50");
        assert_eq!(format_scaled(123_456, 2), "1.234,56");
        assert_eq!(format_scaled(-50, 2), "-0,50");
        assert_eq!(format_scaled(1_234_567, 0), "1.234.567");
        assert_eq!(format_scaled_short(5000, 2), "50");
        assert_eq!(format_scaled_short(1250, 2), "12,5");
        for (v, p) in [(1250, 2), (123_456, 2), (1_234_567, 0), (5, 3)] {
            assert_eq!(parse_number(&format_scaled(v, p), p), Ok(v));
        }
    }

    #[test]
    fn yes_no() {
        assert_eq!(parse_yes_no("Có"), Some(true));
        assert_eq!(parse_yes_no("KHÔNG"), Some(false));
        assert_eq!(parse_yes_no("x"), Some(true));
        assert_eq!(parse_yes_no("0"), Some(false));
        assert_eq!(parse_yes_no("maybe"), None);
    }
}
