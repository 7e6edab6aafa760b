//! Validation errors with stable codes and bilingual (vi/en) messages.
//!
//! Codes are stable so that logs, API clients and tests can refer to a failure
//! without depending on the wording, which translators may change.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::date::format_vn_date;
use crate::member::{MemberEventKind, MemberStatus};

/// User interface language. Vietnamese is the default because the users are
/// Vietnamese union officers; English exists for foreign staff and developers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    /// Parses "vi" / "en", case-insensitively; a region suffix such as
    /// "vi-VN" or "en_US" is accepted because browsers send those.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim();
        let primary = s.split(['-', '_']).next().unwrap_or(s);
        if primary.eq_ignore_ascii_case("vi") {
            Some(Lang::Vi)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

/// One variant per distinct failure. A few variants carry the data needed
/// to build a precise message (see [`DomainError::message`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    // VL01xx: CCCD
    CccdFormat,
    CccdProvince {
        prefix: u16,
    },
    CccdSexMismatch,
    CccdCenturyMismatch,
    CccdYearMismatch,
    // VL02xx: phone
    PhoneInvalidChars,
    PhoneLength,
    PhonePrefix,
    // VL03xx: dates
    DateFormat,
    DateImpossible,
    DateYearRange,
    DateOrder,
    DateInFuture,
    // VL04xx: person names
    NameLength,
    NameNoLetter,
    NameInvalidChars,
    // VL05xx: membership status transitions
    TransitionNotAllowed {
        from: MemberStatus,
        event: MemberEventKind,
    },
    ReadmitTooEarly {
        earliest: Date,
    },
    ReadmitTransferred,
    EffectiveDateBackwards,
    // VL06xx: others
    Required,
    SexInvalid,
    StatusInvalid,
    EventInvalid,
    OrgPathInvalid,
}

impl ErrorCode {
    /// Stable identifier, never reused for a different meaning.
    pub fn code(&self) -> &'static str {
        use ErrorCode::*;
        match self {
            CccdFormat => "VL0101",
            CccdProvince { .. } => "VL0102",
            CccdSexMismatch => "VL0103",
            CccdCenturyMismatch => "VL0104",
            CccdYearMismatch => "VL0105",
            PhoneInvalidChars => "VL0201",
            PhoneLength => "VL0202",
            PhonePrefix => "VL0203",
            DateFormat => "VL0301",
            DateImpossible => "VL0302",
            DateYearRange => "VL0303",
            DateOrder => "VL0304",
            DateInFuture => "VL0305",
            NameLength => "VL0401",
            NameNoLetter => "VL0402",
            NameInvalidChars => "VL0403",
            TransitionNotAllowed { .. } => "VL0501",
            ReadmitTooEarly { .. } => "VL0502",
            ReadmitTransferred => "VL0503",
            EffectiveDateBackwards => "VL0504",
            Required => "VL0601",
            SexInvalid => "VL0602",
            StatusInvalid => "VL0603",
            EventInvalid => "VL0604",
            OrgPathInvalid => "VL0605",
        }
    }

    /// The message without the field label and without variant data. It is
    /// phrased to follow `"<field label>: "`, hence the lower-case start.
    pub fn message(&self, lang: Lang) -> &'static str {
        use ErrorCode::*;
        let (vi, en) = match self {
            CccdFormat => ("phải gồm đúng 12 chữ số.", "must be exactly 12 digits."),
            CccdProvince { .. } => (
                "3 chữ số đầu không phải mã tỉnh hợp lệ.",
                "the first 3 digits are not a valid province code.",
            ),
            CccdSexMismatch => (
                "chữ số thứ 4 (thế kỷ và giới tính) không khớp với giới tính.",
                "the 4th digit (century and sex) does not match the sex.",
            ),
            CccdCenturyMismatch => (
                "chữ số thứ 4 (thế kỷ và giới tính) không khớp với thế kỷ của năm sinh.",
                "the 4th digit (century and sex) does not match the century of the birth year.",
            ),
            CccdYearMismatch => (
                "chữ số thứ 5 và 6 không khớp với hai số cuối của năm sinh.",
                "digits 5 and 6 do not match the last two digits of the birth year.",
            ),
            PhoneInvalidChars => (
                "chỉ được chứa chữ số, dấu cách, dấu chấm, gạch ngang, ngoặc đơn và tiền tố +84.",
                "may only contain digits, spaces, dots, dashes, parentheses and a +84 prefix.",
            ),
            PhoneLength => (
                "số di động phải có 10 chữ số, số cố định phải có 11 chữ số.",
                "a mobile number must have 10 digits and a landline number 11 digits.",
            ),
            PhonePrefix => (
                "không phải số điện thoại Việt Nam hợp lệ (di động bắt đầu bằng 03, 05, 07, 08, 09; cố định bắt đầu bằng 02).",
                "is not a valid Vietnamese phone number (mobile numbers start with 03, 05, 07, 08, 09; landlines with 02).",
            ),
            DateFormat => (
                "không đúng định dạng ngày; hãy nhập dd/mm/yyyy (ví dụ 05/07/2025).",
                "is not a valid date; use dd/mm/yyyy (e.g. 05/07/2025).",
            ),
            DateImpossible => (
                "ngày này không có trên lịch (ví dụ 31/02).",
                "this date does not exist in the calendar (e.g. 31/02).",
            ),
            DateYearRange => (
                "năm phải nằm trong khoảng 1900–2199.",
                "the year must be between 1900 and 2199.",
            ),
            DateOrder => (
                "không được trước ngày bắt đầu.",
                "must not be before the start date.",
            ),
            DateInFuture => (
                "không được là một ngày trong tương lai.",
                "must not be in the future.",
            ),
            NameLength => (
                "phải dài từ 2 đến 100 ký tự.",
                "must be 2 to 100 characters long.",
            ),
            NameNoLetter => (
                "phải chứa ít nhất một chữ cái.",
                "must contain at least one letter.",
            ),
            NameInvalidChars => (
                "chỉ được chứa chữ cái, dấu cách, dấu nháy đơn, gạch ngang và dấu chấm.",
                "may only contain letters, spaces, apostrophes, hyphens and dots.",
            ),
            TransitionNotAllowed { .. } => (
                "không thể chuyển trạng thái bằng thao tác này.",
                "this action is not allowed in the current status.",
            ),
            ReadmitTooEarly { .. } => (
                "chưa đủ thời gian chờ để kết nạp lại.",
                "the waiting period before readmission has not passed yet.",
            ),
            ReadmitTransferred => (
                "đoàn viên đã chuyển sinh hoạt đang sinh hoạt ở đơn vị mới, không thể kết nạp lại tại đây.",
                "a transferred member belongs to the new unit and cannot be readmitted here.",
            ),
            EffectiveDateBackwards => (
                "không được trước ngày của lần thay đổi trạng thái gần nhất.",
                "must not be before the date of the last status change.",
            ),
            Required => ("không được để trống.", "is required."),
            SexInvalid => ("phải là Nam hoặc Nữ.", "must be male or female."),
            StatusInvalid => (
                "không phải trạng thái đoàn viên hợp lệ.",
                "is not a valid membership status.",
            ),
            EventInvalid => ("không phải thao tác hợp lệ.", "is not a valid action."),
            OrgPathInvalid => (
                "không phải đường dẫn đơn vị hợp lệ (dạng /1/23/456/).",
                "is not a valid unit path (like /1/23/456/).",
            ),
        };
        match lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

/// A validation failure on one field. `field` is a form field key such as
/// "cccd"; the web layer uses it to place the message next to the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainError {
    pub code: ErrorCode,
    pub field: &'static str,
}

impl DomainError {
    pub fn new(code: ErrorCode, field: &'static str) -> Self {
        DomainError { code, field }
    }

    /// Full sentence naming the field, e.g. "Số CCCD: phải gồm đúng 12 chữ số.".
    pub fn message(&self, lang: Lang) -> String {
        let label = field_label(self.field, lang);
        let detail = match (self.code, lang) {
            (ErrorCode::CccdProvince { prefix }, Lang::Vi) => {
                format!("3 chữ số đầu ({prefix:03}) không phải mã tỉnh hợp lệ.")
            }
            (ErrorCode::CccdProvince { prefix }, Lang::En) => {
                format!("the first 3 digits ({prefix:03}) are not a valid province code.")
            }
            (ErrorCode::TransitionNotAllowed { from, event }, Lang::Vi) => format!(
                "không thể chuyển từ trạng thái “{}” bằng thao tác “{}”.",
                from.label(lang),
                event.label(lang)
            ),
            (ErrorCode::TransitionNotAllowed { from, event }, Lang::En) => format!(
                "cannot apply “{}” to a member with status “{}”.",
                event.label(lang),
                from.label(lang)
            ),
            (ErrorCode::ReadmitTooEarly { earliest }, Lang::Vi) => format!(
                "chưa đủ thời gian chờ để kết nạp lại; sớm nhất từ ngày {}.",
                format_vn_date(earliest)
            ),
            (ErrorCode::ReadmitTooEarly { earliest }, Lang::En) => format!(
                "the waiting period before readmission has not passed; the earliest date is {}.",
                format_vn_date(earliest)
            ),
            (code, lang) => code.message(lang).to_string(),
        };
        format!("{label}: {detail}")
    }
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Vi))
    }
}

impl std::error::Error for DomainError {}

/// Human label of a form field key; unknown keys are returned unchanged so a
/// message is never lost just because a label is missing.
pub fn field_label(field: &str, lang: Lang) -> &str {
    let (vi, en) = match field {
        "full_name" => ("Họ và tên", "Full name"),
        "birth_date" => ("Ngày sinh", "Date of birth"),
        "sex" => ("Giới tính", "Sex"),
        "cccd" => ("Số CCCD", "Citizen ID number (CCCD)"),
        "phone" => ("Số điện thoại", "Phone number"),
        "join_date" => ("Ngày vào công đoàn", "Union join date"),
        "card_no" => ("Số thẻ đoàn viên", "Member card number"),
        "ethnicity" => ("Dân tộc", "Ethnicity"),
        "nationality" => ("Quốc tịch", "Nationality"),
        "status" => ("Trạng thái", "Status"),
        "unit" => ("Đơn vị", "Unit"),
        "reason" => ("Lý do", "Reason"),
        "effective_date" => ("Ngày hiệu lực", "Effective date"),
        "code" => ("Mã", "Code"),
        "name" => ("Tên", "Name"),
        "username" => ("Tên đăng nhập", "Username"),
        "password" => ("Mật khẩu", "Password"),
        "current_password" => ("Mật khẩu hiện tại", "Current password"),
        "new_password" => ("Mật khẩu mới", "New password"),
        "new_password2" => ("Nhập lại mật khẩu mới", "New password again"),
        "display_name" => ("Họ tên hiển thị", "Display name"),
        "role" => ("Vai trò", "Role"),
        "unit_code" => ("Mã đơn vị", "Unit code"),
        "token_name" => ("Tên khoá API", "Token name"),
        "expires_days" => ("Số ngày hiệu lực", "Valid for (days)"),
        "account" => ("Tài khoản", "Account"),
        "start_date" => ("Ngày bắt đầu", "Start date"),
        "end_date" => ("Ngày kết thúc", "End date"),
        "position" => ("Chức vụ", "Position"),
        "term" => ("Nhiệm kỳ", "Term"),
        "event" => ("Thao tác", "Action"),
        "path" => ("Đường dẫn đơn vị", "Unit path"),
        "federation" => ("LĐLĐ tỉnh tiếp nhận", "Receiving provincial federation"),
        // Fields of the unit, cluster, plan, agreement and import forms (and the store
        // inputs behind them), so no raw key reaches the user.
        "parent" | "parent_id" | "parent_code" => ("Đơn vị cấp trên", "Parent unit"),
        "coordinator_code" | "coordinator_id" => ("Đơn vị phối hợp chỉ đạo", "Coordinating unit"),
        "to_unit_code" => ("Chuyển đến đơn vị", "Transfer to unit"),
        "units" | "unit_ids" => ("Các đơn vị", "Units"),
        "unit_id" => ("Đơn vị", "Unit"),
        "party_a" | "party_a_id" => ("Bên phối hợp", "Coordinating side"),
        "party_b_id" => ("Bên quản lý", "Managing side"),
        "scope_items" => ("Nội dung phối hợp", "Scope"),
        "number" => ("Số văn bản", "Number"),
        "title" => ("Tên quy chế", "Title"),
        "signed_on" => ("Ngày ký", "Signed on"),
        "valid_from" => ("Hiệu lực từ", "Valid from"),
        "valid_to" => ("Hiệu lực đến", "Valid to"),
        "year" => ("Năm", "Year"),
        "kind" => ("Loại", "Kind"),
        "lead" | "lead_unit_id" => ("Đơn vị trưởng", "Lead unit"),
        "supervisor" | "assignment_id" => ("Ủy viên Ban Thường vụ phụ trách", "Supervising member"),
        "member" | "member_id" => ("Đoàn viên", "Member"),
        "position_code" => ("Chức vụ", "Position"),
        "term_no" => ("Khóa", "Term number"),
        "term_start" => ("Ngày bắt đầu nhiệm kỳ", "Term start"),
        "term_end" => ("Ngày kết thúc nhiệm kỳ", "Term end"),
        "into" => ("Đơn vị nhận sáp nhập", "Merged into"),
        "children_to" => ("Nơi nhận đơn vị trực thuộc", "Sub-units go to"),
        "members_to" => ("Nơi nhận đoàn viên", "Members go to"),
        "parts" => ("Các phần chia tách", "Parts of the split"),
        "type_code" => ("Loại đơn vị", "Unit type"),
        "plan" => ("Phương án", "Plan"),
        "version" => ("Phiên bản", "Version"),
        "founded_on" => ("Ngày thành lập", "Founded on"),
        "province_code" => ("Tỉnh, thành phố", "Province"),
        "commune_code" => ("Xã, phường", "Commune"),
        "sector" => ("Ngành, lĩnh vực", "Sector"),
        "address" => ("Địa chỉ", "Address"),
        "employer_name" => ("Cơ quan, doanh nghiệp", "Employer"),
        "employer_tax_id" => ("Mã số thuế", "Tax id"),
        "employer_ownership" => ("Loại hình", "Ownership"),
        "employer_head_count" => ("Số lao động", "Head count"),
        "founding_decision" => ("Quyết định thành lập", "Founding decision"),
        "si_salary" => ("Lương đóng BHXH", "SI salary"),
        "file" => ("Tệp", "File"),
        "period" => ("Kỳ báo cáo", "Period"),
        "due_on" => ("Hạn báo cáo", "Due date"),
        "definition" => ("Mẫu báo cáo", "Report form"),
        "due_days" => ("Số ngày hạn nộp sau kỳ", "Days due after the period"),
        "filled_by" => ("Đơn vị lập báo cáo", "Filled by"),
        "header_row" => ("Dòng tiêu đề", "Header row"),
        "state" => ("Trạng thái", "State"),
        "commune_union_min_cdcs" | "commune_union_min_members" => {
            ("Tiêu chí thành lập công đoàn xã", "Commune-union criteria")
        }
        "other" => ("Khác", "Other"),
        "ended_on" => ("Ngày chấm dứt", "End date"),
        "end_reason" => ("Lý do chấm dứt", "Reason for ending"),
        "decline_reason" => ("Lý do từ chối", "Reason for declining"),
        "agreement" => ("Quy chế phối hợp", "Coordination regulation"),
        "closed_on" => ("Ngày đóng", "Closing date"),
        "from" => ("Từ ngày", "From"),
        "to" => ("Đến ngày", "To"),
        "doc_type" => ("Loại văn bản", "Document type"),
        "seq" => ("Số văn bản", "Document number"),
        "issuer_abbrev" => ("Ký hiệu đơn vị ban hành", "Issuer abbreviation"),
        "issued_on" => ("Ngày ban hành", "Date of issue"),
        "summary" => ("Trích yếu", "Summary"),
        "body" => ("Nội dung", "Text"),
        "targets" | "target_kind" => ("Nơi nhận", "Recipients"),
        "types" => ("Loại đơn vị nhận", "Recipient unit types"),
        "cluster_id" => ("Cụm, khối thi đua", "Emulation cluster"),
        "agreement_id" => ("Quy chế phối hợp", "Coordination agreement"),
        "note" => ("Ghi chú, kết quả", "Note"),
        "instructions" => (
            "Hướng dẫn của đơn vị chuyển tiếp",
            "Forwarding instructions",
        ),
        // Good models (issue 15 item 8).
        "owner" => ("Đơn vị thực hiện", "Unit where it was done"),
        "model_kind" => ("Loại mô hình", "Kind of model"),
        "model_title" => ("Tên mô hình", "Name of the model"),
        "model_summary" => ("Việc đã làm", "What was done"),
        "model_results" => ("Kết quả", "Results"),
        "model_figures" => ("Số liệu kết quả", "Result figures"),
        "model_tags" => ("Nhãn", "Tags"),
        "started_on" => ("Bắt đầu từ ngày", "Started on"),
        "movement_code" => ("Mã phong trào", "Movement code"),
        "movement_name" => ("Tên phong trào", "Movement name"),
        "movement_level" => ("Hình thức thi đua", "Kind of emulation"),
        "movement_starts_on" => ("Phát động từ ngày", "Runs from"),
        "movement_ends_on" => ("Đến ngày", "Runs until"),
        "registration_due" => ("Hạn đăng ký thi đua", "Registration due"),
        "cadence" => ("Báo cáo tiến độ", "Progress reports"),
        "directive" => ("Văn bản phát động", "Launching document"),
        "goals" => ("Chỉ tiêu đăng ký", "Registered targets"),
        "progress" => ("Kết quả thực hiện", "Progress"),
        // Rewards (issue 15).
        "nominees" => ("Danh sách đề nghị khen thưởng", "Nominees"),
        "quota" => ("Chỉ tiêu khen thưởng", "Quota"),
        "reward_kind" | "reward_kind_id" => ("Hình thức khen thưởng", "Reward"),
        "absent_days" => ("Số ngày nghỉ trong kỳ", "Days absent"),
        "maternity_days" => ("Số ngày nghỉ thai sản", "Maternity days"),
        "service_months" => ("Thời gian công tác", "Months of service"),
        "disciplined" => ("Kỷ luật", "Discipline"),
        "registered" => ("Đăng ký thi đua", "Emulation registration"),
        "votes" => ("Số phiếu", "Votes"),
        "signer_name" => ("Người ký", "Signer"),
        "signer_role" => ("Chức vụ người ký", "Signer's role"),
        "decided_on" => ("Ngày quyết định", "Decision date"),
        "items" => ("Danh sách khen thưởng", "Rewarded"),
        "cash_rule" => ("Tiền thưởng", "Cash"),
        "period_type" => ("Loại kỳ", "Period type"),
        "issuer" => ("Đơn vị ban hành", "Issuer"),
        "cash_from" => ("Ngày áp dụng mức thưởng", "Cash rule in force from"),
        "cash_value" => ("Mức tiền thưởng", "Cash amount"),
        "grant_types" => ("Cấp khen thưởng", "Granting level"),
        "award_scope" => ("Quy tắc kết hợp", "Combination rule"),
        "recipient" => ("Đối tượng khen thưởng", "Rewarded"),
        // Certificates (giấy khen, giấy chứng nhận).
        "award_title" => ("Danh hiệu, nội dung khen", "Distinction"),
        "recipient_name" => ("Người (đơn vị) được tặng", "Recipient"),
        "recipient_unit_name" => ("Đơn vị của người được tặng", "Recipient's unit"),
        "achievement" => ("Thành tích", "Achievement"),
        "decision_number" => ("Số quyết định", "Decision number"),
        "decision_date" => ("Ngày quyết định", "Decision date"),
        "place" => ("Địa danh", "Place"),
        "signer_position" => ("Chức vụ người ký", "Signer's position"),
        "recipients" => ("Danh sách người được tặng", "Recipients"),
        "revoked_reason" => ("Lý do thu hồi", "Reason for revoking"),
        "certificate_id" => ("Giấy khen, giấy chứng nhận", "Certificate"),
        "issuer_unit_id" => ("Đơn vị cấp", "Issuing unit"),
        _ => return field,
    };
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use time::macros::date;

    fn all_codes() -> Vec<ErrorCode> {
        use ErrorCode::*;
        vec![
            CccdFormat,
            CccdProvince { prefix: 3 },
            CccdSexMismatch,
            CccdCenturyMismatch,
            CccdYearMismatch,
            PhoneInvalidChars,
            PhoneLength,
            PhonePrefix,
            DateFormat,
            DateImpossible,
            DateYearRange,
            DateOrder,
            DateInFuture,
            NameLength,
            NameNoLetter,
            NameInvalidChars,
            TransitionNotAllowed {
                from: MemberStatus::Expelled,
                event: MemberEventKind::Suspend,
            },
            ReadmitTooEarly {
                earliest: date!(2025 - 04 - 15),
            },
            ReadmitTransferred,
            EffectiveDateBackwards,
            Required,
            SexInvalid,
            StatusInvalid,
            EventInvalid,
            OrgPathInvalid,
        ]
    }

    #[test]
    fn lang_parse_and_code() {
        assert_eq!(Lang::parse("vi"), Some(Lang::Vi));
        assert_eq!(Lang::parse(" EN "), Some(Lang::En));
        assert_eq!(Lang::parse("vi-VN"), Some(Lang::Vi));
        assert_eq!(Lang::parse("en_US"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::parse(""), None);
        assert_eq!(Lang::default(), Lang::Vi);
        assert_eq!(Lang::En.code(), "en");
        assert_eq!(Lang::Vi.code(), "vi");
    }

    #[test]
    fn codes_are_unique_and_grouped() {
        let codes = all_codes();
        let set: HashSet<&str> = codes.iter().map(|c| c.code()).collect();
        assert_eq!(set.len(), codes.len(), "duplicate error code");
        for c in &codes {
            let s = c.code();
            assert_eq!(s.len(), 6);
            assert!(s.starts_with("VL0"));
            assert!(s[2..].bytes().all(|b| b.is_ascii_digit()), "{s}");
            assert!(!c.message(Lang::Vi).is_empty());
            assert!(!c.message(Lang::En).is_empty());
            assert_ne!(c.message(Lang::Vi), c.message(Lang::En));
        }
        assert_eq!(ErrorCode::CccdFormat.code(), "VL0101");
        assert_eq!(ErrorCode::PhonePrefix.code(), "VL0203");
        assert_eq!(ErrorCode::DateImpossible.code(), "VL0302");
        assert_eq!(ErrorCode::NameLength.code(), "VL0401");
        assert_eq!(ErrorCode::ReadmitTransferred.code(), "VL0503");
        assert_eq!(ErrorCode::Required.code(), "VL0601");
    }

    #[test]
    fn message_names_the_field() {
        let e = DomainError::new(ErrorCode::CccdFormat, "cccd");
        assert_eq!(e.message(Lang::Vi), "Số CCCD: phải gồm đúng 12 chữ số.");
        assert_eq!(
            e.message(Lang::En),
            "Citizen ID number (CCCD): must be exactly 12 digits."
        );
        assert_eq!(e.to_string(), "Số CCCD: phải gồm đúng 12 chữ số.");
    }

    #[test]
    fn message_interpolates_variant_data() {
        let e = DomainError::new(
            ErrorCode::TransitionNotAllowed {
                from: MemberStatus::Expelled,
                event: MemberEventKind::Suspend,
            },
            "status",
        );
        assert_eq!(
            e.message(Lang::Vi),
            "Trạng thái: không thể chuyển từ trạng thái “Bị khai trừ” bằng thao tác “Tạm dừng sinh hoạt”."
        );
        let e = DomainError::new(
            ErrorCode::ReadmitTooEarly {
                earliest: date!(2025 - 04 - 15),
            },
            "effective_date",
        );
        assert_eq!(
            e.message(Lang::Vi),
            "Ngày hiệu lực: chưa đủ thời gian chờ để kết nạp lại; sớm nhất từ ngày 15/04/2025."
        );
        let e = DomainError::new(ErrorCode::CccdProvince { prefix: 3 }, "cccd");
        assert_eq!(
            e.message(Lang::Vi),
            "Số CCCD: 3 chữ số đầu (003) không phải mã tỉnh hợp lệ."
        );
    }

    #[test]
    fn field_labels() {
        assert_eq!(field_label("full_name", Lang::Vi), "Họ và tên");
        assert_eq!(field_label("join_date", Lang::Vi), "Ngày vào công đoàn");
        assert_eq!(field_label("card_no", Lang::Vi), "Số thẻ đoàn viên");
        assert_eq!(field_label("term", Lang::Vi), "Nhiệm kỳ");
        assert_eq!(field_label("birth_date", Lang::En), "Date of birth");
        assert_eq!(field_label("whatever", Lang::Vi), "whatever");
        let e = DomainError::new(ErrorCode::Required, "nickname");
        assert_eq!(e.message(Lang::En), "nickname: is required.");
    }
}
