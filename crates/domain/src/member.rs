//! Union members: sex, membership status and the status machine from
//! Hướng dẫn 38/HD-TLĐ (admission, suspension, transfer, exit, expulsion,
//! readmission).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::date::add_months;
use crate::error::{DomainError, ErrorCode, Lang};
use crate::text::{fold, nfc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Sex {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
}

impl Sex {
    /// Stored code: "M" / "F".
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
        }
    }

    /// Accepts codes and the words found in imported spreadsheets:
    /// "M", "F", "nam", "nữ", "nu", "male", "female" (any case).
    pub fn parse(s: &str) -> Result<Sex, DomainError> {
        let s = nfc(s).to_lowercase();
        match s.as_str() {
            "" => Err(DomainError::new(ErrorCode::Required, "sex")),
            "m" | "nam" | "male" => Ok(Sex::Male),
            "f" | "nữ" | "nu" | "female" => Ok(Sex::Female),
            _ => Err(DomainError::new(ErrorCode::SexInvalid, "sex")),
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Sex::Male, Lang::Vi) => "Nam",
            (Sex::Female, Lang::Vi) => "Nữ",
            (Sex::Male, Lang::En) => "Male",
            (Sex::Female, Lang::En) => "Female",
        }
    }

    pub fn all() -> [Sex; 2] {
        [Sex::Male, Sex::Female]
    }
}

/// Membership status of a person in one grassroots union (CĐCS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Applicant,
    Member,
    Suspended,
    Transferred,
    Exited,
    Expelled,
}

impl MemberStatus {
    pub fn code(self) -> &'static str {
        match self {
            MemberStatus::Applicant => "applicant",
            MemberStatus::Member => "member",
            MemberStatus::Suspended => "suspended",
            MemberStatus::Transferred => "transferred",
            MemberStatus::Exited => "exited",
            MemberStatus::Expelled => "expelled",
        }
    }

    /// Accepts the code, or either label typed with or without accents.
    pub fn parse(s: &str) -> Result<MemberStatus, DomainError> {
        parse_enum(
            s,
            &Self::all(),
            Self::code,
            Self::label,
            "status",
            ErrorCode::StatusInvalid,
        )
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (MemberStatus::Applicant, Lang::Vi) => "Đơn xin gia nhập",
            (MemberStatus::Member, Lang::Vi) => "Đoàn viên",
            (MemberStatus::Suspended, Lang::Vi) => "Tạm dừng sinh hoạt",
            (MemberStatus::Transferred, Lang::Vi) => "Đã chuyển sinh hoạt",
            (MemberStatus::Exited, Lang::Vi) => "Đã ra khỏi tổ chức",
            (MemberStatus::Expelled, Lang::Vi) => "Bị khai trừ",
            (MemberStatus::Applicant, Lang::En) => "Applicant",
            (MemberStatus::Member, Lang::En) => "Member",
            (MemberStatus::Suspended, Lang::En) => "Suspended",
            (MemberStatus::Transferred, Lang::En) => "Transferred out",
            (MemberStatus::Exited, Lang::En) => "Left the union",
            (MemberStatus::Expelled, Lang::En) => "Expelled",
        }
    }

    /// Only full members count toward membership totals and pay dues.
    pub fn is_active(self) -> bool {
        self == MemberStatus::Member
    }

    pub fn all() -> [MemberStatus; 6] {
        [
            MemberStatus::Applicant,
            MemberStatus::Member,
            MemberStatus::Suspended,
            MemberStatus::Transferred,
            MemberStatus::Exited,
            MemberStatus::Expelled,
        ]
    }
}

/// An action recorded in a member's history that changes their status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberEventKind {
    Admit,
    Suspend,
    Resume,
    TransferOut,
    Exit,
    Expel,
    Readmit,
}

impl MemberEventKind {
    pub fn code(self) -> &'static str {
        match self {
            MemberEventKind::Admit => "admit",
            MemberEventKind::Suspend => "suspend",
            MemberEventKind::Resume => "resume",
            MemberEventKind::TransferOut => "transfer_out",
            MemberEventKind::Exit => "exit",
            MemberEventKind::Expel => "expel",
            MemberEventKind::Readmit => "readmit",
        }
    }

    /// Accepts the code, or either label typed with or without accents.
    pub fn parse(s: &str) -> Result<MemberEventKind, DomainError> {
        parse_enum(
            s,
            &Self::all(),
            Self::code,
            Self::label,
            "event",
            ErrorCode::EventInvalid,
        )
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (MemberEventKind::Admit, Lang::Vi) => "Kết nạp",
            (MemberEventKind::Suspend, Lang::Vi) => "Tạm dừng sinh hoạt",
            (MemberEventKind::Resume, Lang::Vi) => "Sinh hoạt trở lại",
            (MemberEventKind::TransferOut, Lang::Vi) => "Chuyển sinh hoạt",
            (MemberEventKind::Exit, Lang::Vi) => "Ra khỏi tổ chức",
            (MemberEventKind::Expel, Lang::Vi) => "Khai trừ",
            (MemberEventKind::Readmit, Lang::Vi) => "Kết nạp lại",
            (MemberEventKind::Admit, Lang::En) => "Admit",
            (MemberEventKind::Suspend, Lang::En) => "Suspend",
            (MemberEventKind::Resume, Lang::En) => "Resume",
            (MemberEventKind::TransferOut, Lang::En) => "Transfer out",
            (MemberEventKind::Exit, Lang::En) => "Leave the union",
            (MemberEventKind::Expel, Lang::En) => "Expel",
            (MemberEventKind::Readmit, Lang::En) => "Readmit",
        }
    }

    pub fn all() -> [MemberEventKind; 7] {
        [
            MemberEventKind::Admit,
            MemberEventKind::Suspend,
            MemberEventKind::Resume,
            MemberEventKind::TransferOut,
            MemberEventKind::Exit,
            MemberEventKind::Expel,
            MemberEventKind::Readmit,
        ]
    }

    /// Events that may be applied to a member in `status`, ignoring dates;
    /// lets the UI offer only the buttons that can succeed.
    pub fn allowed_from(status: MemberStatus) -> &'static [MemberEventKind] {
        use MemberEventKind::*;
        match status {
            MemberStatus::Applicant => &[Admit],
            MemberStatus::Member => &[Suspend, TransferOut, Exit, Expel],
            MemberStatus::Suspended => &[Resume, TransferOut, Exit, Expel],
            MemberStatus::Transferred => &[],
            MemberStatus::Exited | MemberStatus::Expelled => &[Readmit],
        }
    }
}

fn parse_enum<T: Copy>(
    s: &str,
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T, Lang) -> &'static str,
    field: &'static str,
    invalid: ErrorCode,
) -> Result<T, DomainError> {
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return Err(DomainError::new(ErrorCode::Required, field));
    }
    if let Some(v) = all.iter().find(|&&v| code(v).eq_ignore_ascii_case(trimmed)) {
        return Ok(*v);
    }
    let folded = fold(trimmed);
    all.iter()
        .find(|&&v| fold(label(v, Lang::Vi)) == folded || fold(label(v, Lang::En)) == folded)
        .copied()
        .ok_or(DomainError::new(invalid, field))
}

macro_rules! code_enum_traits {
    ($t:ty) => {
        impl fmt::Display for $t {
            /// The Vietnamese label, for templates.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label(Lang::Vi))
            }
        }
        impl FromStr for $t {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$t>::parse(s)
            }
        }
    };
}
code_enum_traits!(Sex);
code_enum_traits!(MemberStatus);
code_enum_traits!(MemberEventKind);

/// Membership rules in force on a date. The rules are versioned data with
/// effective dates elsewhere; the domain only needs their values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipRules {
    /// Calendar months after leaving (or after the end of a discipline for
    /// an expelled member) before readmission is allowed.
    pub readmit_wait_months: u32,
    /// Longest suspension before the grassroots union must decide whether
    /// the member leaves.
    pub max_suspension_months: u32,
}

impl MembershipRules {
    /// Values of Hướng dẫn 38/HD-TLĐ (2020): 3 months wait, 12 months
    /// maximum suspension.
    pub fn hd38() -> Self {
        MembershipRules {
            readmit_wait_months: 3,
            max_suspension_months: 12,
        }
    }

    /// Earliest readmission date for an exited or expelled member, or
    /// `None` when it cannot be computed (other statuses, or no recorded
    /// date, in which case readmission is not blocked by waiting time).
    pub fn readmit_earliest(
        &self,
        status: MemberStatus,
        last_change: Option<Date>,
        discipline_end: Option<Date>,
    ) -> Option<Date> {
        let base = match status {
            MemberStatus::Exited => last_change,
            MemberStatus::Expelled => discipline_end.or(last_change),
            _ => None,
        }?;
        Some(add_months(base, self.readmit_wait_months))
    }

    /// Date by which a suspension started on `suspended_on` must be resolved.
    pub fn suspension_deadline(&self, suspended_on: Date) -> Date {
        add_months(suspended_on, self.max_suspension_months)
    }
}

impl Default for MembershipRules {
    fn default() -> Self {
        Self::hd38()
    }
}

/// Status of a transferred member at the receiving grassroots union: they
/// keep their card and are a full member there from the transfer date.
pub fn transfer_target_status() -> MemberStatus {
    MemberStatus::Member
}

/// Applies `event`, effective `on`, to a member whose status is `current`
/// and last changed on `last_change`. `discipline_end` is when an expulsion's
/// consequences end, if the decision said so.
///
/// Checks only status and dates; required reasons and decision documents are
/// the caller's business.
pub fn transition(
    current: MemberStatus,
    event: MemberEventKind,
    on: Date,
    last_change: Option<Date>,
    discipline_end: Option<Date>,
    rules: &MembershipRules,
) -> Result<MemberStatus, DomainError> {
    use MemberEventKind as E;
    use MemberStatus as S;

    if last_change.is_some_and(|last| on < last) {
        return Err(DomainError::new(
            ErrorCode::EffectiveDateBackwards,
            "effective_date",
        ));
    }
    match (current, event) {
        (S::Applicant, E::Admit) => Ok(S::Member),
        (S::Member, E::Suspend) => Ok(S::Suspended),
        (S::Suspended, E::Resume) => Ok(S::Member),
        (S::Member | S::Suspended, E::TransferOut) => Ok(S::Transferred),
        (S::Member | S::Suspended, E::Exit) => Ok(S::Exited),
        (S::Member | S::Suspended, E::Expel) => Ok(S::Expelled),
        (S::Exited | S::Expelled, E::Readmit) => {
            match rules.readmit_earliest(current, last_change, discipline_end) {
                Some(earliest) if on < earliest => Err(DomainError::new(
                    ErrorCode::ReadmitTooEarly { earliest },
                    "effective_date",
                )),
                _ => Ok(S::Member),
            }
        }
        (S::Transferred, E::Readmit) => {
            Err(DomainError::new(ErrorCode::ReadmitTransferred, "status"))
        }
        (from, event) => Err(DomainError::new(
            ErrorCode::TransitionNotAllowed { from, event },
            "status",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    use MemberEventKind as E;
    use MemberStatus as S;

    const DAY: Date = date!(2025 - 03 - 01);

    fn go(current: S, event: E) -> Result<S, DomainError> {
        transition(current, event, DAY, None, None, &MembershipRules::hd38())
    }

    #[test]
    fn sex_codes_and_parsing() {
        assert_eq!(Sex::Male.code(), "M");
        assert_eq!(Sex::Female.code(), "F");
        for s in ["M", "m", "nam", "Nam", "NAM", "male", "Male", " M "] {
            assert_eq!(Sex::parse(s), Ok(Sex::Male), "{s}");
        }
        for s in [
            "F",
            "f",
            "nữ",
            "Nữ",
            "NỮ",
            "nu",
            "Nu",
            "female",
            "FEMALE",
            "nu\u{031B}\u{0303}",
        ] {
            assert_eq!(Sex::parse(s), Ok(Sex::Female), "{s}");
        }
        assert_eq!(Sex::parse("x").unwrap_err().code, ErrorCode::SexInvalid);
        assert_eq!(Sex::parse("").unwrap_err().code, ErrorCode::Required);
        assert_eq!(Sex::parse("x").unwrap_err().field, "sex");
        assert_eq!(Sex::Female.label(Lang::Vi), "Nữ");
        assert_eq!(Sex::Male.label(Lang::Vi), "Nam");
        assert_eq!(Sex::Male.label(Lang::En), "Male");
        assert_eq!("nữ".parse::<Sex>(), Ok(Sex::Female));
    }

    #[test]
    fn status_codes_labels_and_parsing() {
        let codes: Vec<&str> = S::all().iter().map(|s| s.code()).collect();
        assert_eq!(
            codes,
            [
                "applicant",
                "member",
                "suspended",
                "transferred",
                "exited",
                "expelled"
            ]
        );
        for s in S::all() {
            assert_eq!(S::parse(s.code()), Ok(s));
            assert_eq!(S::parse(&s.code().to_uppercase()), Ok(s));
            assert_eq!(S::parse(s.label(Lang::Vi)), Ok(s));
            assert_eq!(S::parse(s.label(Lang::En)), Ok(s));
        }
        assert_eq!(S::parse("da ra khoi to chuc"), Ok(S::Exited));
        assert_eq!(S::parse("bi khai tru"), Ok(S::Expelled));
        assert_eq!(S::parse("nope").unwrap_err().code, ErrorCode::StatusInvalid);
        assert_eq!(S::parse(" ").unwrap_err().code, ErrorCode::Required);
        assert_eq!(S::Applicant.label(Lang::Vi), "Đơn xin gia nhập");
        assert_eq!(S::Suspended.label(Lang::Vi), "Tạm dừng sinh hoạt");
        assert_eq!(S::Transferred.label(Lang::Vi), "Đã chuyển sinh hoạt");
        assert_eq!(S::Member.to_string(), "Đoàn viên");
        let active: Vec<S> = S::all().into_iter().filter(|s| s.is_active()).collect();
        assert_eq!(active, [S::Member]);
    }

    #[test]
    fn event_codes_labels_and_parsing() {
        for e in E::all() {
            assert_eq!(E::parse(e.code()), Ok(e));
            assert_eq!(E::parse(e.label(Lang::Vi)), Ok(e));
            assert_eq!(E::parse(e.label(Lang::En)), Ok(e));
        }
        assert_eq!(E::TransferOut.code(), "transfer_out");
        assert_eq!(E::Readmit.label(Lang::Vi), "Kết nạp lại");
        assert_eq!(E::Resume.label(Lang::Vi), "Sinh hoạt trở lại");
        assert_eq!(E::parse("ket nap lai"), Ok(E::Readmit));
        assert_eq!(E::parse("x").unwrap_err().code, ErrorCode::EventInvalid);
        assert_eq!(E::parse("x").unwrap_err().field, "event");
    }

    #[test]
    fn serde_uses_codes() {
        // Serde derive is checked through the names it would use.
        assert_eq!(S::Transferred.code(), "transferred");
        assert_eq!(E::TransferOut.code(), "transfer_out");
        let rules = MembershipRules::default();
        assert_eq!(rules, MembershipRules::hd38());
        assert_eq!(rules.readmit_wait_months, 3);
        assert_eq!(rules.max_suspension_months, 12);
    }

    #[test]
    fn allowed_transitions() {
        assert_eq!(go(S::Applicant, E::Admit), Ok(S::Member));
        assert_eq!(go(S::Member, E::Suspend), Ok(S::Suspended));
        assert_eq!(go(S::Suspended, E::Resume), Ok(S::Member));
        assert_eq!(go(S::Member, E::TransferOut), Ok(S::Transferred));
        assert_eq!(go(S::Suspended, E::TransferOut), Ok(S::Transferred));
        assert_eq!(go(S::Member, E::Exit), Ok(S::Exited));
        assert_eq!(go(S::Suspended, E::Exit), Ok(S::Exited));
        assert_eq!(go(S::Member, E::Expel), Ok(S::Expelled));
        assert_eq!(go(S::Suspended, E::Expel), Ok(S::Expelled));
        assert_eq!(go(S::Exited, E::Readmit), Ok(S::Member));
        assert_eq!(go(S::Expelled, E::Readmit), Ok(S::Member));
        assert_eq!(transfer_target_status(), S::Member);
    }

    #[test]
    fn transition_table_matches_allowed_from() {
        // Every (status, event) pair: success exactly when listed as allowed.
        for s in S::all() {
            for e in E::all() {
                let allowed = E::allowed_from(s).contains(&e);
                let result = go(s, e);
                assert_eq!(result.is_ok(), allowed, "{s:?} --{e:?}-->");
                if let Err(err) = result {
                    let expected = if (s, e) == (S::Transferred, E::Readmit) {
                        ErrorCode::ReadmitTransferred
                    } else {
                        ErrorCode::TransitionNotAllowed { from: s, event: e }
                    };
                    assert_eq!(err.code, expected);
                    assert_eq!(err.field, "status");
                }
            }
        }
    }

    #[test]
    fn disallowed_transitions_examples() {
        let not_allowed = |s, e| ErrorCode::TransitionNotAllowed { from: s, event: e };
        assert_eq!(
            go(S::Member, E::Admit).unwrap_err().code,
            not_allowed(S::Member, E::Admit)
        );
        assert_eq!(
            go(S::Applicant, E::Suspend).unwrap_err().code,
            not_allowed(S::Applicant, E::Suspend)
        );
        assert_eq!(
            go(S::Member, E::Resume).unwrap_err().code,
            not_allowed(S::Member, E::Resume)
        );
        assert_eq!(
            go(S::Suspended, E::Suspend).unwrap_err().code,
            not_allowed(S::Suspended, E::Suspend)
        );
        assert_eq!(
            go(S::Exited, E::Admit).unwrap_err().code,
            not_allowed(S::Exited, E::Admit)
        );
        assert_eq!(
            go(S::Expelled, E::Exit).unwrap_err().code,
            not_allowed(S::Expelled, E::Exit)
        );
        assert_eq!(
            go(S::Member, E::Readmit).unwrap_err().code,
            not_allowed(S::Member, E::Readmit)
        );
        assert_eq!(
            go(S::Transferred, E::Readmit).unwrap_err().code,
            ErrorCode::ReadmitTransferred
        );
        assert_eq!(
            go(S::Transferred, E::Resume).unwrap_err().code,
            not_allowed(S::Transferred, E::Resume)
        );
        let msg = go(S::Expelled, E::Suspend).unwrap_err().message(Lang::Vi);
        assert_eq!(
            msg,
            "Trạng thái: không thể chuyển từ trạng thái “Bị khai trừ” bằng thao tác “Tạm dừng sinh hoạt”."
        );
    }

    #[test]
    fn readmit_after_exit_waits_three_calendar_months() {
        let rules = MembershipRules::hd38();
        let exited = date!(2025 - 01 - 15);
        let early = transition(
            S::Exited,
            E::Readmit,
            date!(2025 - 04 - 14),
            Some(exited),
            None,
            &rules,
        );
        assert_eq!(
            early.unwrap_err(),
            DomainError::new(
                ErrorCode::ReadmitTooEarly {
                    earliest: date!(2025 - 04 - 15)
                },
                "effective_date"
            )
        );
        let on_time = transition(
            S::Exited,
            E::Readmit,
            date!(2025 - 04 - 15),
            Some(exited),
            None,
            &rules,
        );
        assert_eq!(on_time, Ok(S::Member));
        // End-of-month clamping: 30/11 + 3 months = 28/02.
        let r = |on| {
            transition(
                S::Exited,
                E::Readmit,
                on,
                Some(date!(2024 - 11 - 30)),
                None,
                &rules,
            )
        };
        assert!(r(date!(2025 - 02 - 27)).is_err());
        assert_eq!(r(date!(2025 - 02 - 28)), Ok(S::Member));
        // A discipline end date is irrelevant for someone who simply left.
        let r = transition(
            S::Exited,
            E::Readmit,
            date!(2025 - 04 - 15),
            Some(exited),
            Some(date!(2026 - 01 - 01)),
            &rules,
        );
        assert_eq!(r, Ok(S::Member));
    }

    #[test]
    fn readmit_after_expulsion_counts_from_discipline_end() {
        let rules = MembershipRules::hd38();
        let expelled = date!(2024 - 06 - 01);
        let discipline_end = date!(2025 - 01 - 15);
        let r = |on| {
            transition(
                S::Expelled,
                E::Readmit,
                on,
                Some(expelled),
                Some(discipline_end),
                &rules,
            )
        };
        assert_eq!(
            r(date!(2025 - 04 - 14)).unwrap_err().code,
            ErrorCode::ReadmitTooEarly {
                earliest: date!(2025 - 04 - 15)
            }
        );
        assert_eq!(r(date!(2025 - 04 - 15)), Ok(S::Member));
        // Without a discipline end, the expulsion date counts.
        let r = |on| transition(S::Expelled, E::Readmit, on, Some(expelled), None, &rules);
        assert!(r(date!(2024 - 08 - 31)).is_err());
        assert_eq!(r(date!(2024 - 09 - 01)), Ok(S::Member));
    }

    #[test]
    fn custom_rules_change_the_wait() {
        let rules = MembershipRules {
            readmit_wait_months: 6,
            max_suspension_months: 12,
        };
        let r = |on| {
            transition(
                S::Exited,
                E::Readmit,
                on,
                Some(date!(2025 - 01 - 15)),
                None,
                &rules,
            )
        };
        assert!(r(date!(2025 - 04 - 15)).is_err());
        assert_eq!(r(date!(2025 - 07 - 15)), Ok(S::Member));
        assert_eq!(
            rules.suspension_deadline(date!(2025 - 01 - 31)),
            date!(2026 - 01 - 31)
        );
        assert_eq!(
            MembershipRules::hd38().readmit_earliest(S::Member, Some(date!(2025 - 01 - 01)), None),
            None
        );
    }

    #[test]
    fn effective_dates_cannot_go_backwards() {
        let rules = MembershipRules::hd38();
        let e = transition(
            S::Member,
            E::Suspend,
            date!(2025 - 01 - 14),
            Some(date!(2025 - 01 - 15)),
            None,
            &rules,
        )
        .unwrap_err();
        assert_eq!(
            e,
            DomainError::new(ErrorCode::EffectiveDateBackwards, "effective_date")
        );
        // Same day is fine.
        let ok = transition(
            S::Member,
            E::Suspend,
            date!(2025 - 01 - 15),
            Some(date!(2025 - 01 - 15)),
            None,
            &rules,
        );
        assert_eq!(ok, Ok(S::Suspended));
        // The date check comes first, even for an impossible transition.
        let e = transition(
            S::Transferred,
            E::Admit,
            date!(2025 - 01 - 01),
            Some(date!(2025 - 02 - 01)),
            None,
            &rules,
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::EffectiveDateBackwards);
    }
}
