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

const DIGITS: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];

/// One group of three digits; `full` reads a leading zero hundred ("không trăm linh
/// năm") as groups after the first do.
fn read_triple(g: u64, full: bool, out: &mut Vec<&'static str>) {
    let (h, t, u) = (g / 100, (g / 10) % 10, g % 10);
    let hundreds = full || h > 0;
    if hundreds {
        out.push(DIGITS[h as usize]);
        out.push("trăm");
    }
    match t {
        0 if u != 0 && hundreds => out.push("linh"),
        0 => {}
        1 => out.push("mười"),
        _ => {
            out.push(DIGITS[t as usize]);
            out.push("mươi");
        }
    }
    if u != 0 {
        out.push(match u {
            1 if t >= 2 => "mốt",
            4 if t >= 2 => "tư",
            5 if t >= 1 => "lăm",
            d => DIGITS[d as usize],
        });
    }
}

/// Below a billion: millions, thousands, units; zero groups are skipped.
fn read_below_billion(n: u64, full: bool, out: &mut Vec<&'static str>) {
    let groups = [
        (n / 1_000_000, "triệu"),
        ((n / 1_000) % 1_000, "nghìn"),
        (n % 1_000, ""),
    ];
    let mut started = full;
    for (g, unit) in groups {
        if g == 0 {
            continue;
        }
        read_triple(g, started, out);
        if !unit.is_empty() {
            out.push(unit);
        }
        started = true;
    }
}

fn read_number(n: u64, out: &mut Vec<&'static str>) {
    if n >= 1_000_000_000 {
        read_number(n / 1_000_000_000, out);
        out.push("tỷ");
        let rest = n % 1_000_000_000;
        if rest != 0 {
            read_below_billion(rest, true, out);
        }
    } else {
        read_below_billion(n, false, out);
    }
}

/// An amount in Vietnamese words, as written on payout lists and decisions:
/// 500.000 → "Năm trăm nghìn đồng"; 1.234.000 → "Một triệu hai trăm ba mươi tư nghìn
/// đồng" (linh for a zero ten, mốt, tư and lăm after a ten).
pub fn in_words(amount: i64) -> String {
    let mut words = vec![];
    if amount < 0 {
        words.push("âm");
    }
    let n = amount.unsigned_abs();
    if n == 0 {
        words.push("không");
    } else {
        read_number(n, &mut words);
    }
    words.push("đồng");
    let s = words.join(" ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s,
    }
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

    /// Reads the words back into a number (the test's independent inverse).
    fn parse_words(s: &str) -> Option<u64> {
        let s = s.to_lowercase();
        let mut words: Vec<&str> = s.split(' ').collect();
        if words.pop()? != "đồng" {
            return None;
        }
        let (mut big, mut acc, mut cur, mut pending) = (0u64, 0u64, 0u64, 0u64);
        for w in words {
            match w {
                "trăm" => {
                    cur += pending * 100;
                    pending = 0;
                }
                "mươi" => {
                    cur += pending * 10;
                    pending = 0;
                }
                "mười" => cur += 10,
                "linh" => {}
                "nghìn" => {
                    acc += (cur + pending) * 1_000;
                    (cur, pending) = (0, 0);
                }
                "triệu" => {
                    acc += (cur + pending) * 1_000_000;
                    (cur, pending) = (0, 0);
                }
                "tỷ" => {
                    big = (acc + cur + pending) * 1_000_000_000;
                    (acc, cur, pending) = (0, 0, 0);
                }
                "mốt" => pending = 1,
                "tư" => pending = 4,
                "lăm" => pending = 5,
                d => pending = DIGITS.iter().position(|x| *x == d)? as u64,
            }
        }
        Some(big + acc + cur + pending)
    }

    #[test]
    fn known_amounts_in_words() {
        let cases: &[(i64, &str)] = &[
            (0, "Không đồng"),
            (5, "Năm đồng"),
            (10, "Mười đồng"),
            (11, "Mười một đồng"),
            (15, "Mười lăm đồng"),
            (21, "Hai mươi mốt đồng"),
            (24, "Hai mươi tư đồng"),
            (25, "Hai mươi lăm đồng"),
            (105, "Một trăm linh năm đồng"),
            (114, "Một trăm mười bốn đồng"),
            (1_005, "Một nghìn không trăm linh năm đồng"),
            (500_000, "Năm trăm nghìn đồng"),
            (702_000, "Bảy trăm linh hai nghìn đồng"),
            (1_234_000, "Một triệu hai trăm ba mươi tư nghìn đồng"),
            (2_340_000, "Hai triệu ba trăm bốn mươi nghìn đồng"),
            (6_000_000, "Sáu triệu đồng"),
            (10_530_000, "Mười triệu năm trăm ba mươi nghìn đồng"),
            (
                28_080_000,
                "Hai mươi tám triệu không trăm tám mươi nghìn đồng",
            ),
            (1_000_000_000, "Một tỷ đồng"),
            (
                2_001_000_015,
                "Hai tỷ không trăm linh một triệu không trăm mười lăm đồng",
            ),
            (1_000_000_000_000, "Một nghìn tỷ đồng"),
        ];
        for (n, w) in cases {
            assert_eq!(in_words(*n), *w, "{n}");
        }
    }

    proptest! {
        #[test]
        fn every_amount_reads_back(n in 0i64..=1_000_000_000_000) {
            let w = in_words(n);
            prop_assert!(w.ends_with(" đồng"));
            prop_assert!(w.chars().next().is_some_and(char::is_uppercase));
            prop_assert!(!w.contains("  "));
            prop_assert_eq!(parse_words(&w), Some(n as u64), "{}", w);
        }
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
