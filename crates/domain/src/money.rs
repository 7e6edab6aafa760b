//! Amounts in Vietnamese đồng, which has no minor unit in practice.

/// "10.000": Vietnamese uses a dot as the thousands separator.
pub fn format_int(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// "1.000.000 ₫". A normal space (not NBSP) keeps CSV/Excel exports simple;
/// templates can prevent the line break with CSS.
pub fn format_vnd(amount: i64) -> String {
    format!("{} ₫", format_int(amount))
}

/// "72,4": a decimal comma and dotted thousands, rounded to `places` decimals.
pub fn format_decimal(x: f64, places: u32) -> String {
    let scale = 10i64.pow(places);
    let scaled = (x * scale as f64).round() as i64;
    let int = format_int(scaled / scale);
    if places == 0 {
        return int;
    }
    let sign = if scaled < 0 && scaled / scale == 0 {
        "-"
    } else {
        ""
    };
    let frac = (scaled % scale).unsigned_abs();
    format!("{sign}{int},{frac:0width$}", width = places as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decimals() {
        assert_eq!(format_decimal(72.44, 1), "72,4");
        assert_eq!(format_decimal(1234.5, 2), "1.234,50");
        assert_eq!(format_decimal(0.05, 1), "0,1");
        assert_eq!(format_decimal(-0.5, 1), "-0,5");
        assert_eq!(format_decimal(99.96, 1), "100,0");
        assert_eq!(format_decimal(3.0, 0), "3");
    }

    #[test]
    fn integers() {
        assert_eq!(format_int(0), "0");
        assert_eq!(format_int(7), "7");
        assert_eq!(format_int(999), "999");
        assert_eq!(format_int(1000), "1.000");
        assert_eq!(format_int(10_000), "10.000");
        assert_eq!(format_int(123_456), "123.456");
        assert_eq!(format_int(1_234_567), "1.234.567");
        assert_eq!(format_int(-1_500), "-1.500");
        assert_eq!(format_int(-999), "-999");
        assert_eq!(format_int(i64::MIN), "-9.223.372.036.854.775.808");
        assert_eq!(format_int(i64::MAX), "9.223.372.036.854.775.807");
    }

    #[test]
    fn vnd() {
        assert_eq!(format_vnd(1_000_000), "1.000.000 ₫");
        assert_eq!(format_vnd(-1_500), "-1.500 ₫");
        assert_eq!(format_vnd(0), "0 ₫");
    }

    proptest! {
        #[test]
        fn removing_dots_gives_the_number(n in any::<i64>()) {
            let s = format_int(n);
            prop_assert_eq!(s.replace('.', ""), n.to_string());
            // Every group after the first has exactly three digits.
            let groups: Vec<&str> = s.trim_start_matches('-').split('.').collect();
            prop_assert!(groups[0].len() <= 3 && !groups[0].is_empty());
            prop_assert!(groups[1..].iter().all(|g| g.len() == 3));
        }
    }
}
