//! Emulation movements (phong trào thi đua, issue 15 item 1): a movement runs over a
//! period, is launched by a union (optionally citing its launching directive) to its
//! target units, who register (đăng ký thi đua) with their own targets — a line of text
//! and an optional numeric goal each — and report their progress each quarter or half
//! year. These are the pure rules: the movement's fields, the registration's targets,
//! and the progress periods. Errors are [`RequestError`]s with codes VL15xx.

use crate::request::{Period, PeriodType, RequestError};
use serde::{Deserialize, Serialize};
use time::Date;

/// Most targets on one registration.
pub const MAX_GOALS: usize = 12;

/// How often registered units report their progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// Only the final result (no periodic self-report).
    #[default]
    None,
    Quarter,
    Half,
}

impl Cadence {
    pub const ALL: [Cadence; 3] = [Cadence::None, Cadence::Quarter, Cadence::Half];
    pub fn code(self) -> &'static str {
        match self {
            Cadence::None => "none",
            Cadence::Quarter => "quarter",
            Cadence::Half => "half",
        }
    }
    pub fn parse(s: &str) -> Option<Cadence> {
        Cadence::ALL.into_iter().find(|c| c.code() == s.trim())
    }
    pub fn name_vi(self) -> &'static str {
        match self {
            Cadence::None => "Không báo cáo định kỳ",
            Cadence::Quarter => "Hằng quý",
            Cadence::Half => "6 tháng một lần",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Cadence::None => "No periodic report",
            Cadence::Quarter => "Quarterly",
            Cadence::Half => "Every 6 months",
        }
    }
    /// The report period type of the cadence.
    pub fn period_type(self) -> Option<PeriodType> {
        match self {
            Cadence::None => None,
            Cadence::Quarter => Some(PeriodType::Quarter),
            Cadence::Half => Some(PeriodType::Half),
        }
    }
}

/// The level (form) of a movement: regular (year-long, thường xuyên) or by campaign on
/// a theme (theo đợt, chuyên đề), as the Law on Emulation and Commendation names them.
pub const LEVELS: [(&str, &str, &str); 2] = [
    ("thuong_xuyen", "Thi đua thường xuyên", "Regular emulation"),
    (
        "theo_dot",
        "Thi đua theo đợt (chuyên đề)",
        "Campaign (thematic) emulation",
    ),
];

/// The Vietnamese and English names of a level code.
pub fn level_name(code: &str) -> (&'static str, &'static str) {
    LEVELS
        .iter()
        .find(|l| l.0 == code)
        .map_or(("", ""), |l| (l.1, l.2))
}

/// A movement as typed, before it is stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MovementDraft {
    pub code: String,
    pub name: String,
    pub level: String,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub registration_due: Option<Date>,
    pub cadence: Cadence,
}

fn err(code: &'static str, field: &'static str, vi: &str, en: &str) -> RequestError {
    RequestError {
        code,
        field,
        vi: vi.into(),
        en: en.into(),
    }
}

/// Every problem of a movement at once (the form shows them all). Messages follow the
/// field's label ("Tên phong trào: …").
pub fn check_movement(d: &MovementDraft) -> Vec<RequestError> {
    let mut out = vec![];
    let code = d.code.trim();
    if code.is_empty() || code.chars().count() > 30 {
        out.push(err(
            "VL1501",
            "movement_code",
            "ghi mã ngắn (1–30 ký tự), ví dụ XSD-2025.",
            "give a short code (1–30 characters), e.g. XSD-2025.",
        ));
    } else if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    {
        out.push(err(
            "VL1502",
            "movement_code",
            &format!("«{code}» chỉ được gồm chữ không dấu, số và - _ . /"),
            &format!("\"{code}\" may hold only ASCII letters, digits and - _ . /"),
        ));
    }
    let name = d.name.trim().chars().count();
    if name < 5 {
        out.push(err(
            "VL1503",
            "movement_name",
            "ghi tên phong trào (ít nhất 5 ký tự).",
            "give the movement's name (at least 5 characters).",
        ));
    } else if name > 300 {
        out.push(err(
            "VL1504",
            "movement_name",
            "dài quá 300 ký tự.",
            "is over 300 characters.",
        ));
    }
    if !LEVELS.iter().any(|l| l.0 == d.level) {
        out.push(err(
            "VL1505",
            "movement_level",
            "chọn thi đua thường xuyên hoặc theo đợt.",
            "choose regular or campaign emulation.",
        ));
    }
    if let (Some(s), Some(e)) = (d.starts_on, d.ends_on) {
        if e < s {
            out.push(err(
                "VL1506",
                "movement_ends_on",
                &format!(
                    "{} trước ngày bắt đầu {}.",
                    crate::format_vn_date(e),
                    crate::format_vn_date(s)
                ),
                &format!(
                    "{} is before the start {}.",
                    crate::format_vn_date(e),
                    crate::format_vn_date(s)
                ),
            ));
        } else if e > s + time::Duration::days(366 * 5) {
            out.push(err(
                "VL1507",
                "movement_ends_on",
                "một phong trào kéo dài tối đa 5 năm.",
                "a movement lasts at most 5 years.",
            ));
        }
        if let Some(r) = d.registration_due
            && r > e
        {
            out.push(err(
                "VL1508",
                "registration_due",
                &format!("{} sau ngày kết thúc phong trào.", crate::format_vn_date(r)),
                &format!("{} is after the movement ends.", crate::format_vn_date(r)),
            ));
        }
    }
    out
}

/// One target of a registration: what the unit or person commits to, and a number
/// when it is countable ("Kết nạp đoàn viên mới": 50).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Goal {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal: Option<i64>,
}

/// Reads the targets typed as rows (text, number): blank rows are skipped; a number
/// alone, a bad number, or too many targets are refused; at least one is required.
pub fn parse_goals(rows: &[(String, String)]) -> Result<Vec<Goal>, RequestError> {
    let mut out = vec![];
    for (text, number) in rows {
        let text = crate::nfc(text.trim());
        let number = number.trim().replace(['.', ' '], "");
        if text.is_empty() && number.is_empty() {
            continue;
        }
        if text.chars().count() < 3 || text.chars().count() > 500 {
            return Err(err(
                "VL1510",
                "goals",
                "mỗi chỉ tiêu cần nội dung từ 3 đến 500 ký tự.",
                "each target needs a text of 3 to 500 characters.",
            ));
        }
        let goal = if number.is_empty() {
            None
        } else {
            match number.parse::<i64>() {
                Ok(n) if (0..=1_000_000_000).contains(&n) => Some(n),
                _ => {
                    return Err(err(
                        "VL1511",
                        "goals",
                        &format!("số chỉ tiêu «{number}» phải là số nguyên không âm."),
                        &format!("the goal \"{number}\" must be a whole number, not negative."),
                    ));
                }
            }
        };
        out.push(Goal { text, goal });
    }
    if out.is_empty() {
        return Err(err(
            "VL1509",
            "goals",
            "ghi ít nhất một chỉ tiêu đăng ký.",
            "give at least one target.",
        ));
    }
    if out.len() > MAX_GOALS {
        return Err(err(
            "VL1512",
            "goals",
            &format!("đăng ký tối đa {MAX_GOALS} chỉ tiêu."),
            &format!("register at most {MAX_GOALS} targets."),
        ));
    }
    Ok(out)
}

/// The progress periods of a movement: every quarter or half year that overlaps its
/// dates, in order (empty without a cadence).
pub fn progress_periods(cadence: Cadence, starts_on: Date, ends_on: Date) -> Vec<Period> {
    let Some(kind) = cadence.period_type() else {
        return vec![];
    };
    let mut out = vec![];
    let Some(mut p) = Period::containing(kind, starts_on) else {
        return out;
    };
    while p.start() <= ends_on && out.len() < 40 {
        out.push(p);
        p = Period::containing(kind, p.end() + time::Duration::days(1)).unwrap_or(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn every_problem_at_once() {
        let p = check_movement(&MovementDraft {
            code: "xanh sạch".into(),
            name: "".into(),
            level: "x".into(),
            starts_on: Some(date!(2025 - 12 - 31)),
            ends_on: Some(date!(2025 - 01 - 01)),
            ..Default::default()
        });
        let codes: Vec<_> = p.iter().map(|e| (e.code, e.field)).collect();
        assert_eq!(
            codes,
            vec![
                ("VL1502", "movement_code"),
                ("VL1503", "movement_name"),
                ("VL1505", "movement_level"),
                ("VL1506", "movement_ends_on"),
            ]
        );
        assert!(p[3].vi.contains("01/01/2025"), "{}", p[3].vi);
    }

    #[test]
    fn goals_skip_blank_rows_and_read_vietnamese_numbers() {
        let rows = vec![
            ("Kết nạp đoàn viên mới".to_string(), "1.200".to_string()),
            (String::new(), String::new()),
            ("Không có tai nạn lao động".to_string(), String::new()),
        ];
        let g = parse_goals(&rows).unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].goal, Some(1200));
        assert_eq!(g[1].goal, None);
        assert_eq!(parse_goals(&[]).unwrap_err().code, "VL1509");
        assert_eq!(
            parse_goals(&[("Trồng cây".into(), "nhiều".into())])
                .unwrap_err()
                .code,
            "VL1511"
        );
    }

    #[test]
    fn quarters_of_a_year() {
        let q = progress_periods(
            Cadence::Quarter,
            date!(2025 - 02 - 01),
            date!(2025 - 12 - 31),
        );
        let codes: Vec<_> = q.iter().map(Period::code).collect();
        assert_eq!(codes, vec!["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]);
        assert_eq!(
            progress_periods(Cadence::Half, date!(2025 - 01 - 01), date!(2026 - 03 - 01)).len(),
            3
        );
        assert!(
            progress_periods(Cadence::None, date!(2025 - 01 - 01), date!(2025 - 12 - 31))
                .is_empty()
        );
    }
}
