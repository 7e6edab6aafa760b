//! Rewards (khen thưởng): the base salary in force, the cash rules of the state titles,
//! a reward catalogue entry, eligibility on facts passed in, the combination rule of
//! HD 1217/HD-TLĐ (2016) and evaluation quotas. Pure rules; the store enforces them in
//! the transaction that writes a decision. Errors carry stable codes VL11xx.

use serde::{Deserialize, Serialize};
use time::{Date, macros::date};

/// A refused reward rule, naming the field (or row), with a stable code (VL11xx).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{code} {field}: {en}")]
pub struct RewardError {
    pub code: &'static str,
    pub field: &'static str,
    pub vi: String,
    pub en: String,
}

fn err(
    code: &'static str,
    field: &'static str,
    vi: impl Into<String>,
    en: impl Into<String>,
) -> RewardError {
    RewardError {
        code,
        field,
        vi: vi.into(),
        en: en.into(),
    }
}

/// The base salary (mức lương cơ sở) from a day on, with its legal source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaseSalary {
    pub from: Date,
    pub vnd: i64,
    pub source: &'static str,
}

/// Effective-dated base salary, oldest first.
pub const BASE_SALARY: &[BaseSalary] = &[
    BaseSalary {
        from: date!(2019 - 07 - 01),
        vnd: 1_490_000,
        source: "Nghị định 38/2019/NĐ-CP",
    },
    BaseSalary {
        from: date!(2023 - 07 - 01),
        vnd: 1_800_000,
        source: "Nghị định 24/2023/NĐ-CP",
    },
    BaseSalary {
        from: date!(2024 - 07 - 01),
        vnd: 2_340_000,
        source: "Nghị định 73/2024/NĐ-CP",
    },
];

/// The base salary in force on a day (None before the first row of the table).
pub fn base_salary_on(day: Date) -> Option<&'static BaseSalary> {
    BASE_SALARY.iter().rev().find(|b| b.from <= day)
}

/// Cash multiples of the base salary for state titles and awards (Nghị định
/// 152/2025/NĐ-CP, Art. 50): (code, title, multiple).
pub const STATE_TITLE_MULTIPLES: &[(&str, &str, f64)] = &[
    ("CSTD_TOAN_QUOC", "Chiến sĩ thi đua toàn quốc", 4.5),
    ("CSTD_TINH", "Chiến sĩ thi đua bộ, ngành, tỉnh", 3.0),
    ("CSTD_CO_SO", "Chiến sĩ thi đua cơ sở", 1.0),
    ("LDTT", "Lao động tiên tiến", 0.3),
    ("TT_LDXS", "Tập thể lao động xuất sắc", 1.5),
    ("TT_LDTT", "Tập thể lao động tiên tiến", 0.8),
    ("CO_TD_CP", "Cờ thi đua của Chính phủ", 12.0),
    ("CO_TD_TINH", "Cờ thi đua bộ, ngành, tỉnh", 8.0),
];

/// How much cash goes with an award.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum CashRule {
    None,
    /// A multiple of the base salary in force on the decision date.
    Multiple(f64),
    /// A fixed amount in đồng (e.g. 500.000 ₫ per person per quarter, seed 004).
    Fixed(i64),
}

impl CashRule {
    /// As stored: "none", "multiple:0.3", "fixed:500000".
    pub fn code(&self) -> String {
        match self {
            CashRule::None => "none".into(),
            CashRule::Multiple(m) => format!("multiple:{m}"),
            CashRule::Fixed(v) => format!("fixed:{v}"),
        }
    }

    pub fn parse(s: &str) -> Result<CashRule, RewardError> {
        let s = s.trim();
        let bad = || {
            err(
                "VL1108",
                "cash_rule",
                format!(
                    "Cách tính tiền thưởng '{s}' không hợp lệ (không, bội số lương cơ sở hoặc số tiền cố định)."
                ),
                format!(
                    "Cash rule '{s}' is not valid (none, a multiple of the base salary, or a fixed amount)."
                ),
            )
        };
        if s.is_empty() || s == "none" {
            return Ok(CashRule::None);
        }
        match s.split_once(':') {
            Some(("multiple", m)) => m
                .trim()
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|m| m.is_finite() && *m > 0.0 && *m <= 100.0)
                .map(CashRule::Multiple)
                .ok_or_else(bad),
            Some(("fixed", v)) => v
                .trim()
                .replace('.', "")
                .parse::<i64>()
                .ok()
                .filter(|v| *v > 0 && *v <= 10_000_000_000)
                .map(CashRule::Fixed)
                .ok_or_else(bad),
            _ => Err(bad()),
        }
    }

    /// The amount for a decision dated `on`; a multiple needs a base salary in force.
    pub fn amount_on(&self, on: Date) -> Result<i64, RewardError> {
        match self {
            CashRule::None => Ok(0),
            CashRule::Fixed(v) => Ok(*v),
            CashRule::Multiple(m) => {
                let base = base_salary_on(on).ok_or_else(|| {
                    err(
                        "VL1101",
                        "decided_on",
                        format!(
                            "Không có mức lương cơ sở áp dụng cho ngày {}: tiền thưởng tính theo bội số lương cơ sở cần một ngày quyết định từ 01/07/2019.",
                            crate::format_vn_date(on)
                        ),
                        format!(
                            "No base salary is in force on {}: a cash multiple needs a decision date from 01/07/2019.",
                            crate::format_vn_date(on)
                        ),
                    )
                })?;
                Ok((base.vnd as f64 * m).round() as i64)
            }
        }
    }

    /// "0,3 × lương cơ sở", "500.000 ₫", "Không có tiền thưởng".
    pub fn label_vi(&self) -> String {
        match self {
            CashRule::None => "Không kèm tiền thưởng".into(),
            CashRule::Multiple(m) => format!(
                "{} × mức lương cơ sở",
                crate::money::format_decimal(*m, 1).trim_end_matches(",0")
            ),
            CashRule::Fixed(v) => crate::format_vnd(*v),
        }
    }
}

/// Whether an award goes to a person or to a collective (a unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    Individual,
    Collective,
}

impl Recipient {
    pub fn code(self) -> &'static str {
        match self {
            Recipient::Individual => "individual",
            Recipient::Collective => "collective",
        }
    }
    pub fn parse(s: &str) -> Option<Recipient> {
        match s {
            "individual" => Some(Recipient::Individual),
            "collective" => Some(Recipient::Collective),
            _ => None,
        }
    }
    pub fn name_vi(self) -> &'static str {
        match self {
            Recipient::Individual => "Cá nhân",
            Recipient::Collective => "Tập thể",
        }
    }
}

/// Comprehensive (toàn diện: the whole period's work) or thematic (theo chuyên đề).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AwardScope {
    Comprehensive,
    Thematic,
}

impl AwardScope {
    pub fn code(self) -> &'static str {
        match self {
            AwardScope::Comprehensive => "comprehensive",
            AwardScope::Thematic => "thematic",
        }
    }
    pub fn parse(s: &str) -> Option<AwardScope> {
        match s {
            "comprehensive" => Some(AwardScope::Comprehensive),
            "thematic" => Some(AwardScope::Thematic),
            _ => None,
        }
    }
    pub fn name_vi(self) -> &'static str {
        match self {
            AwardScope::Comprehensive => "Toàn diện",
            AwardScope::Thematic => "Chuyên đề",
        }
    }
}

/// An eligibility rule of a catalogue entry (the exclusions of the union's reward
/// regulation: QĐ 999/QĐ-TLĐ and the regulations before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    /// Absent fewer than 40 working days in the period (maternity leave excepted).
    Absence,
    /// At least 10 months of service.
    Service,
    /// Not disciplined in the period.
    NotDisciplined,
    /// Registered for the emulation (đăng ký thi đua).
    Registered,
}

impl Eligibility {
    pub const ALL: [Eligibility; 4] = [
        Eligibility::Absence,
        Eligibility::Service,
        Eligibility::NotDisciplined,
        Eligibility::Registered,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Eligibility::Absence => "absence",
            Eligibility::Service => "service",
            Eligibility::NotDisciplined => "not_disciplined",
            Eligibility::Registered => "registered",
        }
    }
    pub fn parse(s: &str) -> Option<Eligibility> {
        Eligibility::ALL.into_iter().find(|e| e.code() == s.trim())
    }
    /// Stored as a comma list ("absence,service").
    pub fn parse_list(s: &str) -> Vec<Eligibility> {
        s.split(',').filter_map(Eligibility::parse).collect()
    }
    pub fn list_code(rules: &[Eligibility]) -> String {
        rules.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
    }
    pub fn name_vi(self) -> &'static str {
        match self {
            Eligibility::Absence => "Nghỉ dưới 40 ngày làm việc (trừ nghỉ thai sản)",
            Eligibility::Service => "Công tác từ 10 tháng trở lên",
            Eligibility::NotDisciplined => "Không bị kỷ luật trong kỳ",
            Eligibility::Registered => "Có đăng ký thi đua",
        }
    }
}

/// Working days of absence that exclude a person (maternity leave excepted).
pub const MAX_ABSENT_DAYS: u32 = 40;
/// Months of service a person needs in the period.
pub const MIN_SERVICE_MONTHS: u32 = 10;

/// What is known of a nominee, passed in by the caller (the register holds no absence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Facts {
    /// Working days absent in the period, maternity leave included.
    pub absent_days: u32,
    /// Of those, days of maternity leave (they do not count).
    pub maternity_days: u32,
    /// Months of service at the end of the period.
    pub service_months: u32,
    pub disciplined: bool,
    pub registered: bool,
}

/// Every rule the facts fail, each with a Vietnamese reason (empty: eligible).
pub fn check_eligibility(rules: &[Eligibility], f: &Facts, who: &str) -> Vec<RewardError> {
    let mut out = vec![];
    for r in rules {
        match r {
            Eligibility::Absence => {
                let counted = f.absent_days.saturating_sub(f.maternity_days);
                if counted >= MAX_ABSENT_DAYS {
                    out.push(err(
                        "VL1102",
                        "absent_days",
                        format!("{who} nghỉ {counted} ngày làm việc trong kỳ (không kể thai sản), từ {MAX_ABSENT_DAYS} ngày trở lên thì không được xét."),
                        format!("{who} was absent {counted} working days (maternity excepted); {MAX_ABSENT_DAYS} or more excludes."),
                    ));
                }
            }
            Eligibility::Service => {
                if f.service_months < MIN_SERVICE_MONTHS {
                    out.push(err(
                        "VL1102",
                        "service_months",
                        format!(
                            "{who} mới công tác {} tháng, chưa đủ {MIN_SERVICE_MONTHS} tháng.",
                            f.service_months
                        ),
                        format!(
                            "{who} has {} months of service, under {MIN_SERVICE_MONTHS}.",
                            f.service_months
                        ),
                    ));
                }
            }
            Eligibility::NotDisciplined => {
                if f.disciplined {
                    out.push(err(
                        "VL1102",
                        "disciplined",
                        format!("{who} bị kỷ luật trong kỳ nên không được xét khen thưởng."),
                        format!("{who} was disciplined in the period and cannot be rewarded."),
                    ));
                }
            }
            Eligibility::Registered => {
                if !f.registered {
                    out.push(err(
                        "VL1102",
                        "registered",
                        format!("{who} không đăng ký thi đua nên không được xét danh hiệu."),
                        format!("{who} did not register for the emulation."),
                    ));
                }
            }
        }
    }
    out
}

/// An award already given (or being given) by a granting unit to a recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    pub granting_unit_id: i64,
    /// "m123" for a member, "u45" for a unit.
    pub recipient: String,
    pub period: String,
    pub scope: AwardScope,
    pub kind_name: String,
}

/// HD 1217/HD-TLĐ (2016): one granting level cannot give the same person or unit both
/// a comprehensive and a thematic award for the same period. `existing` are awards
/// already recorded (and earlier rows of the same decision).
pub fn check_combination(existing: &[Given], new: &Given, who: &str) -> Result<(), RewardError> {
    match existing.iter().find(|g| {
        g.granting_unit_id == new.granting_unit_id
            && g.recipient == new.recipient
            && g.period == new.period
            && g.scope != new.scope
    }) {
        Some(g) => Err(err(
            "VL1103",
            "reward_kind",
            format!(
                "{who} đã được cấp này khen “{}” ({}) cho kỳ {}; cùng một cấp không khen cả toàn diện và chuyên đề trong cùng kỳ (Hướng dẫn 1217/HD-TLĐ).",
                g.kind_name,
                g.scope.name_vi().to_lowercase(),
                new.period
            ),
            format!(
                "{who} already has “{}” ({}) from this level for period {}; one level cannot give both a comprehensive and a thematic award for the same period (HD 1217).",
                g.kind_name,
                g.scope.code(),
                new.period
            ),
        )),
        None => Ok(()),
    }
}

/// Most people one evaluation may reward.
pub const MAX_QUOTA: i64 = 10_000;

/// A quota as typed: 1 to [`MAX_QUOTA`].
pub fn check_quota_value(quota: i64) -> Result<i64, RewardError> {
    if (1..=MAX_QUOTA).contains(&quota) {
        Ok(quota)
    } else {
        Err(err(
            "VL1105",
            "quota",
            format!("Chỉ tiêu phải từ 1 đến {}.", crate::format_int(MAX_QUOTA)),
            format!("The quota must be between 1 and {MAX_QUOTA}."),
        ))
    }
}

/// The people rewarded must not exceed the evaluation's quota.
pub fn check_quota(quota: i64, selected: i64) -> Result<(), RewardError> {
    if selected > quota {
        Err(err(
            "VL1104",
            "nominees",
            format!(
                "Vượt chỉ tiêu khen thưởng: đã chọn {selected} người, chỉ tiêu của đợt bình xét là {quota} người. Hãy bỏ bớt {} người.",
                selected - quota
            ),
            format!(
                "Over the quota: {selected} people selected, the evaluation's quota is {quota}. Remove {}.",
                selected - quota
            ),
        ))
    } else if selected == 0 {
        Err(err(
            "VL1106",
            "nominees",
            "Chưa có ai được đề nghị khen thưởng.",
            "No one is nominated.",
        ))
    } else {
        Ok(())
    }
}

/// A catalogue entry as the rules need it.
#[derive(Debug, Clone, PartialEq)]
pub struct RewardKindRule {
    pub name: String,
    /// Unit types that may grant it (empty: any).
    pub grant_types: Vec<String>,
    pub recipient: Recipient,
    pub scope: AwardScope,
    pub cash: CashRule,
    pub rules: Vec<Eligibility>,
}

impl RewardKindRule {
    /// Whether a unit of this type may grant the award.
    pub fn check_grantor(&self, type_code: &str, type_name: &str) -> Result<(), RewardError> {
        if self.grant_types.is_empty() || self.grant_types.iter().any(|t| t == type_code) {
            Ok(())
        } else {
            Err(err(
                "VL1107",
                "reward_kind",
                format!(
                    "“{}” không thuộc thẩm quyền khen thưởng của {}.",
                    self.name,
                    type_name.to_lowercase()
                ),
                format!(
                    "“{}” cannot be granted by a unit of type {type_code}.",
                    self.name
                ),
            ))
        }
    }
    /// Whether it goes to this kind of recipient.
    pub fn check_recipient(&self, r: Recipient) -> Result<(), RewardError> {
        if self.recipient == r {
            Ok(())
        } else {
            Err(err(
                "VL1109",
                "reward_kind",
                format!(
                    "“{}” là hình thức khen thưởng cho {}, không dùng cho {}.",
                    self.name,
                    self.recipient.name_vi().to_lowercase(),
                    r.name_vi().to_lowercase()
                ),
                format!(
                    "“{}” is for a {}, not a {}.",
                    self.name,
                    self.recipient.code(),
                    r.code()
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_salary_is_effective_dated() {
        assert_eq!(
            base_salary_on(date!(2024 - 06 - 30)).unwrap().vnd,
            1_800_000
        );
        assert_eq!(
            base_salary_on(date!(2024 - 07 - 01)).unwrap().vnd,
            2_340_000
        );
        assert_eq!(
            base_salary_on(date!(2024 - 07 - 01)).unwrap().source,
            "Nghị định 73/2024/NĐ-CP"
        );
        assert!(base_salary_on(date!(2019 - 06 - 30)).is_none());
        let ldtt = CashRule::Multiple(0.3);
        assert_eq!(ldtt.amount_on(date!(2024 - 06 - 30)).unwrap(), 540_000);
        assert_eq!(ldtt.amount_on(date!(2025 - 12 - 01)).unwrap(), 702_000);
        assert_eq!(
            ldtt.amount_on(date!(2018 - 01 - 01)).unwrap_err().code,
            "VL1101"
        );
        // The table of domain.md §5 at 2.340.000 ₫.
        let d = date!(2025 - 10 - 01);
        let got: Vec<i64> = STATE_TITLE_MULTIPLES
            .iter()
            .map(|(_, _, m)| CashRule::Multiple(*m).amount_on(d).unwrap())
            .collect();
        assert_eq!(
            got,
            [
                10_530_000, 7_020_000, 2_340_000, 702_000, 3_510_000, 1_872_000, 28_080_000,
                18_720_000
            ]
        );
    }

    #[test]
    fn cash_rules_round_trip() {
        for r in [
            CashRule::None,
            CashRule::Fixed(500_000),
            CashRule::Multiple(0.3),
            CashRule::Multiple(4.5),
        ] {
            assert_eq!(CashRule::parse(&r.code()).unwrap(), r);
        }
        assert_eq!(CashRule::parse("fixed:-5").unwrap_err().code, "VL1108");
        assert_eq!(CashRule::parse("bonus").unwrap_err().code, "VL1108");
        assert_eq!(CashRule::Multiple(0.3).label_vi(), "0,3 × mức lương cơ sở");
        assert_eq!(CashRule::Multiple(1.0).label_vi(), "1 × mức lương cơ sở");
        assert_eq!(CashRule::Fixed(500_000).label_vi(), "500.000 ₫");
    }

    #[test]
    fn eligibility_names_each_failure() {
        let all = Eligibility::ALL;
        let ok = Facts {
            absent_days: 45,
            maternity_days: 30,
            service_months: 12,
            disciplined: false,
            registered: true,
        };
        assert!(check_eligibility(&all, &ok, "Chị A").is_empty());
        let bad = Facts {
            absent_days: 40,
            maternity_days: 0,
            service_months: 9,
            disciplined: true,
            registered: false,
        };
        let errs = check_eligibility(&all, &bad, "Anh B");
        let fields: Vec<&str> = errs.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["absent_days", "service_months", "disciplined", "registered"]
        );
        assert!(errs.iter().all(|e| e.code == "VL1102"));
        assert!(errs[0].vi.contains("40 ngày"), "{}", errs[0].vi);
        assert!(errs[1].vi.contains("9 tháng"));
        // A kind without rules takes anyone.
        assert!(check_eligibility(&[], &bad, "Anh B").is_empty());
        assert_eq!(
            Eligibility::parse_list("absence,registered,x"),
            [Eligibility::Absence, Eligibility::Registered]
        );
    }

    #[test]
    fn one_level_no_comprehensive_and_thematic_same_period() {
        let given = |unit, period: &str, scope| Given {
            granting_unit_id: unit,
            recipient: "m1".into(),
            period: period.into(),
            scope,
            kind_name: "Giấy khen".into(),
        };
        let existing = [given(7, "2025", AwardScope::Comprehensive)];
        let e = check_combination(&existing, &given(7, "2025", AwardScope::Thematic), "Chị A")
            .unwrap_err();
        assert_eq!((e.code, e.field), ("VL1103", "reward_kind"));
        assert!(e.vi.contains("1217"));
        // Another level, another period, or the same scope again: allowed.
        assert!(check_combination(&existing, &given(8, "2025", AwardScope::Thematic), "A").is_ok());
        assert!(check_combination(&existing, &given(7, "2024", AwardScope::Thematic), "A").is_ok());
        assert!(
            check_combination(&existing, &given(7, "2025", AwardScope::Comprehensive), "A").is_ok()
        );
    }

    #[test]
    fn quotas() {
        assert!(check_quota(12, 12).is_ok());
        let e = check_quota(12, 13).unwrap_err();
        assert_eq!((e.code, e.field), ("VL1104", "nominees"));
        assert!(e.vi.contains("chỉ tiêu của đợt bình xét là 12 người"));
        assert_eq!(check_quota(12, 0).unwrap_err().code, "VL1106");
        assert_eq!(check_quota_value(0).unwrap_err().code, "VL1105");
        assert_eq!(check_quota_value(12).unwrap(), 12);
    }

    #[test]
    fn grantor_and_recipient() {
        let k = RewardKindRule {
            name: "Giấy khen".into(),
            grant_types: vec!["CDCS".into()],
            recipient: Recipient::Individual,
            scope: AwardScope::Comprehensive,
            cash: CashRule::None,
            rules: vec![],
        };
        assert!(k.check_grantor("CDCS", "Công đoàn cơ sở").is_ok());
        assert_eq!(
            k.check_grantor("TO_CD", "Tổ công đoàn").unwrap_err().code,
            "VL1107"
        );
        assert_eq!(
            k.check_recipient(Recipient::Collective).unwrap_err().code,
            "VL1109"
        );
    }
}
