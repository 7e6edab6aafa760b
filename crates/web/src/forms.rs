//! Raw form and JSON input as the user typed it, and its parsing into domain types.
//! Parsing collects every field's problem at once, so the user fixes them in one go.

use crate::error::FieldError;
use congdoan_domain::date::parse_vn_date;
use congdoan_domain::member::{MemberStatus, Sex};
use congdoan_domain::{Cccd, DomainError, PersonName, PhoneVn};
use congdoan_store::{MemberInput, UnitInput};
use serde::{Deserialize, Deserializer, Serialize};
use time::Date;

/// A checkbox (`"on"`) or a JSON boolean.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        B(bool),
        S(String),
    }
    Ok(match Option::<Flag>::deserialize(d)? {
        Some(Flag::B(b)) => b,
        Some(Flag::S(s)) => matches!(s.as_str(), "on" | "true" | "1" | "yes"),
        None => false,
    })
}

/// A number typed with or without thousands dots ("1.500.000").
fn parse_amount(s: &str, field: &'static str) -> Result<Option<i64>, FieldError> {
    let t: String = s.chars().filter(|c| !" .,₫".contains(*c)).collect();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>()
        .ok()
        .filter(|v| *v >= 0)
        .map(Some)
        .ok_or_else(|| {
            FieldError::new(
                field,
                "WE0601",
                "phải là một số nguyên không âm.",
                "must be a non-negative whole number.",
            )
        })
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

pub fn parse_date_opt(s: &str, field: &'static str, errs: &mut Vec<FieldError>) -> Option<Date> {
    if s.trim().is_empty() {
        return None;
    }
    match parse_vn_date(s, field) {
        Ok(d) => Some(d),
        Err(e) => {
            errs.push(FieldError::from_domain(&e));
            None
        }
    }
}

pub fn parse_date_req(s: &str, field: &'static str, errs: &mut Vec<FieldError>) -> Option<Date> {
    if s.trim().is_empty() {
        errs.push(FieldError::new(
            field,
            "WE0602",
            "không được để trống.",
            "is required.",
        ));
        return None;
    }
    parse_date_opt(s, field, errs)
}

fn take<T>(r: Result<T, DomainError>, errs: &mut Vec<FieldError>) -> Option<T> {
    r.map_err(|e| errs.push(FieldError::from_domain(&e))).ok()
}

/// A member as typed in the form (or sent to the API). Dates are dd/mm/yyyy (or ISO).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MemberForm {
    pub unit_id: String,
    pub full_name: String,
    pub birth_date: String,
    /// "M" or "F" ("nam"/"nữ" accepted).
    pub sex: String,
    pub cccd: String,
    pub phone: String,
    pub ethnicity: String,
    pub nationality: String,
    pub job_title: String,
    pub employer_name: String,
    pub si_salary: String,
    pub card_no: String,
    pub join_date: String,
    #[serde(deserialize_with = "flag")]
    pub party_member: bool,
    /// "member" (default) or "applicant".
    pub status: String,
    /// The record version the edit started from (edits only).
    pub version: String,
}

impl MemberForm {
    /// Parses every field; on failure returns all problems, each naming its field.
    pub fn parse(&self) -> Result<MemberInput, Vec<FieldError>> {
        let mut errs = Vec::new();
        let unit_id = self.unit_id.trim().parse::<i64>().ok();
        if unit_id.is_none() {
            errs.push(FieldError::new(
                "unit",
                "WE0603",
                "chưa chọn đơn vị.",
                "no unit chosen.",
            ));
        }
        let name = take(PersonName::parse(&self.full_name), &mut errs);
        let birth = parse_date_req(&self.birth_date, "birth_date", &mut errs);
        let sex = if self.sex.trim().is_empty() {
            errs.push(FieldError::new(
                "sex",
                "WE0602",
                "không được để trống.",
                "is required.",
            ));
            None
        } else {
            take(Sex::parse(&self.sex), &mut errs)
        };
        let cccd = match opt(&self.cccd) {
            Some(c) => take(Cccd::parse(&c), &mut errs),
            None => None,
        };
        if let (Some(c), Some(b), Some(s)) = (&cccd, birth, sex) {
            take(c.check_against(b, s), &mut errs);
        }
        let phone = match opt(&self.phone) {
            Some(p) => take(PhoneVn::parse(&p), &mut errs),
            None => None,
        };
        let si_salary = parse_amount(&self.si_salary, "si_salary")
            .map_err(|e| errs.push(e))
            .ok()
            .flatten();
        let join_date = parse_date_opt(&self.join_date, "join_date", &mut errs);
        let status = match self.status.trim() {
            "" => Some(MemberStatus::Member),
            s => match MemberStatus::parse(s) {
                Ok(st @ (MemberStatus::Member | MemberStatus::Applicant)) => Some(st),
                _ => {
                    errs.push(FieldError::new(
                        "status",
                        "WE0604",
                        "chỉ nhận 'member' hoặc 'applicant'.",
                        "must be 'member' or 'applicant'.",
                    ));
                    None
                }
            },
        };
        if status == Some(MemberStatus::Member)
            && join_date.is_none()
            && self.join_date.trim().is_empty()
        {
            errs.push(FieldError::new(
                "join_date",
                "WE0602",
                "không được để trống với đoàn viên.",
                "is required for a member.",
            ));
        }
        if let (Some(b), Some(j)) = (birth, join_date)
            && congdoan_domain::date::age_on(b, j) < 15
        {
            errs.push(FieldError::new(
                "join_date",
                "WE0605",
                "người vào công đoàn phải đủ 15 tuổi.",
                "a member must be at least 15 on joining.",
            ));
        }
        match (unit_id, name, birth, sex, status) {
            (Some(unit_id), Some(name), Some(birth_date), Some(sex), Some(status))
                if errs.is_empty() =>
            {
                Ok(MemberInput {
                    unit_id,
                    name,
                    birth_date,
                    sex,
                    cccd,
                    phone,
                    ethnicity: opt(&self.ethnicity),
                    nationality: opt(&self.nationality).or_else(|| Some("Việt Nam".into())),
                    job_title: opt(&self.job_title),
                    employer_name: opt(&self.employer_name),
                    si_salary,
                    card_no: opt(&self.card_no),
                    join_date,
                    party_member: self.party_member,
                    status,
                })
            }
            _ => Err(errs),
        }
    }
}

/// A unit as typed in the form (or sent to the API).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct UnitForm {
    pub code: String,
    pub name: String,
    pub type_code: String,
    pub parent_id: String,
    pub sector: String,
    pub province_code: String,
    pub commune_code: String,
    pub address: String,
    pub employer_name: String,
    pub employer_tax_id: String,
    pub employer_ownership: String,
    pub employer_head_count: String,
    pub founding_decision: String,
    pub founded_on: String,
    pub version: String,
}

/// Employer ownership types: code, Vietnamese, English.
pub const OWNERSHIPS: &[(&str, &str, &str)] = &[
    (
        "state_agency",
        "Cơ quan hành chính nhà nước",
        "State agency",
    ),
    (
        "public_full",
        "Đơn vị sự nghiệp do NSNN bảo đảm 100%",
        "Public unit, fully state-funded",
    ),
    (
        "public_partial",
        "Đơn vị sự nghiệp tự chủ một phần",
        "Public unit, partly self-funded",
    ),
    ("soe", "Doanh nghiệp nhà nước", "State-owned enterprise"),
    (
        "private",
        "Doanh nghiệp ngoài nhà nước",
        "Private enterprise",
    ),
    (
        "fdi",
        "Doanh nghiệp có vốn đầu tư nước ngoài",
        "Foreign-invested enterprise",
    ),
    ("coop", "Hợp tác xã", "Cooperative"),
    (
        "foreign_org",
        "Tổ chức nước ngoài, quốc tế",
        "Foreign or international organisation",
    ),
];

impl UnitForm {
    pub fn parse(&self) -> Result<UnitInput, Vec<FieldError>> {
        let mut errs = Vec::new();
        let num = |s: &str, field: &'static str, errs: &mut Vec<FieldError>| -> Option<i64> {
            parse_amount(s, field)
                .map_err(|e| errs.push(e))
                .ok()
                .flatten()
        };
        let province_code = num(&self.province_code, "province_code", &mut errs);
        let commune_code = num(&self.commune_code, "commune_code", &mut errs);
        if let Some(p) = province_code {
            match congdoan_domain::divisions::province(p) {
                None => errs.push(FieldError::new(
                    "province_code",
                    "WE0610",
                    "không có trong danh mục 34 tỉnh, thành phố.",
                    "is not one of the 34 provinces.",
                )),
                Some(prov) => {
                    if let Some(c) = commune_code
                        && !prov.communes.iter().any(|(code, _)| *code == c)
                    {
                        errs.push(FieldError::new(
                            "commune_code",
                            "WE0611",
                            "không thuộc tỉnh, thành phố đã chọn.",
                            "is not in the chosen province.",
                        ));
                    }
                }
            }
        } else if commune_code.is_some() {
            errs.push(FieldError::new(
                "province_code",
                "WE0612",
                "hãy chọn tỉnh trước khi nhập mã xã.",
                "choose the province first.",
            ));
        }
        let tax = opt(&self.employer_tax_id);
        if let Some(t) = &tax {
            let digits: String = t.chars().filter(|c| *c != '-').collect();
            if !(digits.len() == 10 || digits.len() == 13)
                || !digits.chars().all(|c| c.is_ascii_digit())
            {
                errs.push(FieldError::new(
                    "employer_tax_id",
                    "WE0613",
                    "mã số thuế gồm 10 hoặc 13 chữ số.",
                    "a tax id has 10 or 13 digits.",
                ));
            }
        }
        let own = opt(&self.employer_ownership);
        if own
            .as_deref()
            .is_some_and(|o| !OWNERSHIPS.iter().any(|(c, _, _)| *c == o))
        {
            errs.push(FieldError::new(
                "employer_ownership",
                "WE0614",
                "loại hình không hợp lệ.",
                "unknown ownership type.",
            ));
        }
        let head = num(&self.employer_head_count, "employer_head_count", &mut errs);
        let founded_on = parse_date_opt(&self.founded_on, "founded_on", &mut errs);
        let parent_id = self.parent_id.trim().parse::<i64>().ok();
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(UnitInput {
            code: self.code.clone(),
            name: self.name.clone(),
            type_code: self.type_code.clone(),
            parent_id,
            sector: opt(&self.sector),
            province_code,
            commune_code,
            address: opt(&self.address),
            employer_name: opt(&self.employer_name),
            employer_tax_id: tax,
            employer_ownership: own,
            employer_head_count: head,
            founding_decision: opt(&self.founding_decision),
            founded_on,
        })
    }
}

/// Unit codes typed in one field, separated by commas, semicolons, spaces or new lines.
pub fn unit_codes(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|c| !c.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> MemberForm {
        MemberForm {
            unit_id: "7".into(),
            full_name: "Nguyễn Văn Đức".into(),
            birth_date: "15/03/1990".into(),
            sex: "M".into(),
            cccd: "089090001234".into(),
            phone: "0912 345 678".into(),
            join_date: "01/06/2015".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_form_parses() {
        let m = form().parse().expect("valid");
        assert_eq!(m.name.as_str(), "Nguyễn Văn Đức");
        assert_eq!(m.phone.unwrap().as_str(), "0912345678");
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut f = form();
        f.cccd = "12345".into();
        f.birth_date = "31/02/1990".into();
        f.phone = "12".into();
        let errs = f.parse().unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert!(
            fields.contains(&"cccd") && fields.contains(&"birth_date") && fields.contains(&"phone"),
            "{fields:?}"
        );
        assert!(
            errs.iter()
                .all(|e| !e.message.is_empty() && !e.message_en.is_empty())
        );
    }

    #[test]
    fn cccd_must_agree_with_sex() {
        let mut f = form();
        f.sex = "F".into();
        let errs = f.parse().unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "cccd");
    }
}
