//! Requests: what a set of units owes by a date. Directives, periodic and thematic
//! reports (and later surveys, self-assessments, conference records) are all a unit
//! asking a target set for a response. These are the pure rules: document numbers,
//! periods and due dates, the target state machine, the counters a target adds to its
//! ancestors' roll-up, and the rates built from them (never above 100%: a target
//! counts as expected once, and as received only if expected).

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month};

/// A refused request step, naming the field, with a stable code (VL09xx).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{code} {field}: {en}")]
pub struct RequestError {
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
) -> RequestError {
    RequestError {
        code,
        field,
        vi: vi.into(),
        en: en.into(),
    }
}

/// What a request asks for. Later capabilities add kinds, not machinery: each kind
/// follows one of two flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// A document sent down: acknowledged, forwarded, implemented.
    Directive,
    /// A form filled for a period: drafted, submitted, returned or approved.
    Report,
    /// A self-assessment against a criteria set, appraised by the upper level
    /// (emulation scoring): the form flow, "approved" meaning appraised.
    Assessment,
    /// A good model sent to units to replicate: the document flow, "acknowledged"
    /// meaning adopted and "implemented" meaning results reported.
    Replication,
    /// Registration for an emulation movement (đăng ký thi đua) with the unit's
    /// targets: the form flow, "approved" meaning accepted by the organiser.
    Registration,
}

/// The two flows a kind of request follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Acknowledge, forward, implement.
    Document,
    /// Draft, submit, return, approve, reopen.
    Form,
}

impl RequestKind {
    pub const ALL: [RequestKind; 5] = [
        RequestKind::Directive,
        RequestKind::Report,
        RequestKind::Assessment,
        RequestKind::Replication,
        RequestKind::Registration,
    ];
    pub fn code(self) -> &'static str {
        match self {
            RequestKind::Directive => "directive",
            RequestKind::Report => "report",
            RequestKind::Assessment => "assessment",
            RequestKind::Replication => "replication",
            RequestKind::Registration => "registration",
        }
    }
    pub fn parse(s: &str) -> Option<RequestKind> {
        RequestKind::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn flow(self) -> Flow {
        match self {
            RequestKind::Directive | RequestKind::Replication => Flow::Document,
            RequestKind::Report | RequestKind::Assessment | RequestKind::Registration => Flow::Form,
        }
    }
    pub fn name_vi(self) -> &'static str {
        match self {
            RequestKind::Directive => "Văn bản chỉ đạo",
            RequestKind::Report => "Báo cáo",
            RequestKind::Assessment => "Tự chấm điểm thi đua",
            RequestKind::Replication => "Nhân rộng mô hình",
            RequestKind::Registration => "Đăng ký thi đua",
        }
    }
}

/// Types of directive document, with the abbreviation printed in their number
/// (Nghị định 30/2020/NĐ-CP, Phụ lục III; the VGCL uses the same forms).
pub const DOC_TYPES: &[(&str, &str, &str)] = &[
    ("KH", "Kế hoạch", "Plan"),
    ("CT", "Chỉ thị", "Directive"),
    ("NQ", "Nghị quyết", "Resolution"),
    ("HD", "Hướng dẫn", "Guidance"),
    ("CV", "Công văn", "Official letter"),
    ("TB", "Thông báo", "Notice"),
    ("QĐ", "Quyết định", "Decision"),
];

/// The Vietnamese name of a document type code.
pub fn doc_type_name(code: &str) -> Option<&'static str> {
    DOC_TYPES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, vi, _)| *vi)
}

/// Parses a document type code as chosen in a form.
pub fn parse_doc_type(s: &str) -> Result<&'static str, RequestError> {
    let s = s.trim();
    DOC_TYPES
        .iter()
        .find(|(c, _, _)| c.eq_ignore_ascii_case(s) || (s.eq_ignore_ascii_case("QD") && *c == "QĐ"))
        .map(|(c, _, _)| *c)
        .ok_or_else(|| {
            err(
                "VL0901",
                "doc_type",
                format!("Loại văn bản '{s}' không có trong danh mục."),
                format!("Unknown document type '{s}'."),
            )
        })
}

/// The issuer's abbreviation in a number, from its unit type ("LĐLĐ" for a provincial
/// federation). The user may change it per document.
pub fn issuer_abbrev(type_code: &str) -> &'static str {
    match type_code {
        "TLD" => "TLĐ",
        "LDLD_TINH" | "LDLD_HUYEN" => "LĐLĐ",
        "CD_NGANH_TW" | "CD_NGANH_DP" => "CĐN",
        "CD_TAP_DOAN" => "CĐTĐ",
        "CD_KCN" => "CĐKCN",
        "CDCS" | "CDCS_THANH_VIEN" => "CĐCS",
        "NGHIEP_DOAN" => "NĐ",
        _ => "CĐ",
    }
}

/// The number as printed after "Số:": "267/KH-LĐLĐ"; an official letter (công văn)
/// carries no type abbreviation: "15/LĐLĐ".
pub fn format_doc_number(seq: i64, doc_type: &str, issuer: &str) -> String {
    if doc_type == "CV" {
        format!("{seq}/{issuer}")
    } else {
        format!("{seq}/{doc_type}-{issuer}")
    }
}

/// How often a report is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodType {
    Month,
    Quarter,
    /// 6 months (H1 = January–June, H2 = the whole year's second half).
    Half,
    /// 9 months (January–September), the usual third-quarter cumulative report.
    NineMonths,
    Year,
    /// A thematic report: no period, a due date chosen by the sender.
    Adhoc,
}

impl PeriodType {
    pub fn code(self) -> &'static str {
        match self {
            PeriodType::Month => "month",
            PeriodType::Quarter => "quarter",
            PeriodType::Half => "half",
            PeriodType::NineMonths => "nine_months",
            PeriodType::Year => "year",
            PeriodType::Adhoc => "adhoc",
        }
    }
    pub fn parse(s: &str) -> Option<PeriodType> {
        Some(match s {
            "month" => PeriodType::Month,
            "quarter" => PeriodType::Quarter,
            "half" => PeriodType::Half,
            "nine_months" => PeriodType::NineMonths,
            "year" => PeriodType::Year,
            "adhoc" => PeriodType::Adhoc,
            _ => return None,
        })
    }
    pub fn name_vi(self) -> &'static str {
        match self {
            PeriodType::Month => "Tháng",
            PeriodType::Quarter => "Quý",
            PeriodType::Half => "6 tháng",
            PeriodType::NineMonths => "9 tháng",
            PeriodType::Year => "Năm",
            PeriodType::Adhoc => "Chuyên đề (không định kỳ)",
        }
    }
}

/// One reporting period: its type, year and index (month 1–12, quarter 1–4, half 1–2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub kind: PeriodType,
    pub year: i32,
    pub index: u8,
}

fn month(m: u8) -> Month {
    Month::try_from(m.clamp(1, 12)).unwrap_or(Month::January)
}

fn first_of(year: i32, m: u8) -> Date {
    Date::from_calendar_date(year, month(m), 1).unwrap_or(Date::MIN)
}

impl Period {
    /// The period containing a day.
    pub fn containing(kind: PeriodType, d: Date) -> Option<Period> {
        let (y, m) = (d.year(), u8::from(d.month()));
        let index = match kind {
            PeriodType::Month => m,
            PeriodType::Quarter => (m - 1) / 3 + 1,
            PeriodType::Half => (m - 1) / 6 + 1,
            PeriodType::NineMonths | PeriodType::Year => 1,
            PeriodType::Adhoc => return None,
        };
        Some(Period {
            kind,
            year: y,
            index,
        })
    }

    /// "2026-05", "2026-Q2", "2026-H1", "2026-9M", "2026".
    pub fn code(&self) -> String {
        match self.kind {
            PeriodType::Month => format!("{}-{:02}", self.year, self.index),
            PeriodType::Quarter => format!("{}-Q{}", self.year, self.index),
            PeriodType::Half => format!("{}-H{}", self.year, self.index),
            PeriodType::NineMonths => format!("{}-9M", self.year),
            PeriodType::Year => format!("{}", self.year),
            PeriodType::Adhoc => String::new(),
        }
    }

    /// Parses a period code of the given type, or says what was expected.
    pub fn parse(kind: PeriodType, s: &str) -> Result<Period, RequestError> {
        let s = s.trim();
        let bad = || {
            err(
                "VL0902",
                "period",
                format!(
                    "Kỳ báo cáo '{s}' không đúng dạng ({}).",
                    Self::example(kind)
                ),
                format!(
                    "Period '{s}' is not in the expected form ({}).",
                    Self::example(kind)
                ),
            )
        };
        let (y, rest) = match s.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (s, None),
        };
        let year: i32 = y.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        let index = match (kind, rest) {
            (PeriodType::Month, Some(r)) => r.parse::<u8>().ok().filter(|m| (1..=12).contains(m)),
            (PeriodType::Quarter, Some(r)) => r
                .strip_prefix(['Q', 'q'])
                .and_then(|q| q.parse::<u8>().ok())
                .filter(|q| (1..=4).contains(q)),
            (PeriodType::Half, Some(r)) => r
                .strip_prefix(['H', 'h'])
                .and_then(|q| q.parse::<u8>().ok())
                .filter(|q| (1..=2).contains(q)),
            (PeriodType::NineMonths, Some(r)) if r.eq_ignore_ascii_case("9M") => Some(1),
            (PeriodType::Year, None) => Some(1),
            _ => None,
        }
        .ok_or_else(bad)?;
        Ok(Period { kind, year, index })
    }

    fn example(kind: PeriodType) -> &'static str {
        match kind {
            PeriodType::Month => "2026-05",
            PeriodType::Quarter => "2026-Q2",
            PeriodType::Half => "2026-H1",
            PeriodType::NineMonths => "2026-9M",
            PeriodType::Year => "2026",
            PeriodType::Adhoc => "—",
        }
    }

    pub fn start(&self) -> Date {
        match self.kind {
            PeriodType::Month => first_of(self.year, self.index),
            PeriodType::Quarter => first_of(self.year, (self.index - 1) * 3 + 1),
            PeriodType::Half => first_of(self.year, (self.index - 1) * 6 + 1),
            PeriodType::NineMonths | PeriodType::Year | PeriodType::Adhoc => first_of(self.year, 1),
        }
    }

    /// The last day of the period.
    pub fn end(&self) -> Date {
        let next_first = match self.kind {
            PeriodType::Month if self.index == 12 => first_of(self.year + 1, 1),
            PeriodType::Month => first_of(self.year, self.index + 1),
            PeriodType::Quarter if self.index == 4 => first_of(self.year + 1, 1),
            PeriodType::Quarter => first_of(self.year, self.index * 3 + 1),
            PeriodType::Half if self.index == 2 => first_of(self.year + 1, 1),
            PeriodType::Half => first_of(self.year, 7),
            PeriodType::NineMonths => first_of(self.year, 10),
            PeriodType::Year | PeriodType::Adhoc => first_of(self.year + 1, 1),
        };
        next_first - Duration::days(1)
    }

    /// The due date: `due_days` after the period's end.
    pub fn due(&self, due_days: u16) -> Date {
        self.end() + Duration::days(i64::from(due_days))
    }

    /// "Tháng 5/2026", "Quý II/2026", "6 tháng đầu năm 2026", "9 tháng năm 2026", "Năm 2026".
    pub fn label_vi(&self) -> String {
        const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];
        match self.kind {
            PeriodType::Month => format!("Tháng {}/{}", self.index, self.year),
            PeriodType::Quarter => format!(
                "Quý {}/{}",
                ROMAN[usize::from(self.index.clamp(1, 4) - 1)],
                self.year
            ),
            PeriodType::Half if self.index == 1 => format!("6 tháng đầu năm {}", self.year),
            PeriodType::Half => format!("6 tháng cuối năm {}", self.year),
            PeriodType::NineMonths => format!("9 tháng năm {}", self.year),
            PeriodType::Year | PeriodType::Adhoc => format!("Năm {}", self.year),
        }
    }

    /// The period before (for comparisons and the time series).
    pub fn prev(&self) -> Period {
        let (year, index) = match self.kind {
            PeriodType::Month if self.index == 1 => (self.year - 1, 12),
            PeriodType::Quarter if self.index == 1 => (self.year - 1, 4),
            PeriodType::Half if self.index == 1 => (self.year - 1, 2),
            PeriodType::Month | PeriodType::Quarter | PeriodType::Half => {
                (self.year, self.index - 1)
            }
            _ => (self.year - 1, 1),
        };
        Period {
            kind: self.kind,
            year,
            index,
        }
    }
}

/// Whom a request goes to. Resolved into target units when the request is sent, from
/// the tree in force that day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TargetSpec {
    /// Units of the given types (all types when empty) in a unit's subtree, itself excluded.
    Subtree { root: i64, types: Vec<String> },
    /// The units of an emulation cluster or block.
    Cluster { cluster_id: i64 },
    /// The units a coordination agreement covers.
    Agreement { agreement_id: i64 },
    /// A hand-picked list.
    Units { units: Vec<i64> },
}

/// Where a target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetState {
    Pending,
    Draft,
    Submitted,
    Returned,
    Approved,
    Acknowledged,
    Implemented,
}

impl TargetState {
    pub fn code(self) -> &'static str {
        match self {
            TargetState::Pending => "pending",
            TargetState::Draft => "draft",
            TargetState::Submitted => "submitted",
            TargetState::Returned => "returned",
            TargetState::Approved => "approved",
            TargetState::Acknowledged => "acknowledged",
            TargetState::Implemented => "implemented",
        }
    }
    pub fn parse(s: &str) -> Option<TargetState> {
        Some(match s {
            "pending" => TargetState::Pending,
            "draft" => TargetState::Draft,
            "submitted" => TargetState::Submitted,
            "returned" => TargetState::Returned,
            "approved" => TargetState::Approved,
            "acknowledged" => TargetState::Acknowledged,
            "implemented" => TargetState::Implemented,
            _ => return None,
        })
    }
    pub fn name_vi(self) -> &'static str {
        match self {
            TargetState::Pending => "Chưa thực hiện",
            TargetState::Draft => "Đang soạn",
            TargetState::Submitted => "Đã gửi, chờ duyệt",
            TargetState::Returned => "Bị trả lại",
            TargetState::Approved => "Đã duyệt",
            TargetState::Acknowledged => "Đã tiếp nhận",
            TargetState::Implemented => "Đã báo cáo thực hiện",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            TargetState::Pending => "Not started",
            TargetState::Draft => "Draft",
            TargetState::Submitted => "Submitted, awaiting review",
            TargetState::Returned => "Returned",
            TargetState::Approved => "Approved",
            TargetState::Acknowledged => "Acknowledged",
            TargetState::Implemented => "Implementation reported",
        }
    }
}

/// A step on a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    SaveDraft,
    Submit,
    Return,
    Approve,
    Reopen,
    Acknowledge,
    Forward,
    Implement,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::SaveDraft => "draft",
            Action::Submit => "submit",
            Action::Return => "return",
            Action::Approve => "approve",
            Action::Reopen => "reopen",
            Action::Acknowledge => "acknowledge",
            Action::Forward => "forward",
            Action::Implement => "implement",
        }
    }
    /// Steps taken by the upper level (the reviewer), not by the target unit.
    pub fn by_reviewer(self) -> bool {
        matches!(self, Action::Return | Action::Approve | Action::Reopen)
    }
}

/// The state after `action`, or why it cannot be taken. An approved report is locked:
/// only the reviewer's reopening (audited) brings it back to "returned".
pub fn next_state(
    kind: RequestKind,
    state: TargetState,
    action: Action,
) -> Result<TargetState, RequestError> {
    use Action as A;
    use TargetState as S;
    let next = match (kind.flow(), state, action) {
        (Flow::Form, S::Pending | S::Draft | S::Returned, A::SaveDraft) => Some(match state {
            S::Returned => S::Returned,
            _ => S::Draft,
        }),
        (Flow::Form, S::Pending | S::Draft | S::Returned, A::Submit) => Some(S::Submitted),
        (Flow::Form, S::Submitted, A::Return) => Some(S::Returned),
        (Flow::Form, S::Submitted, A::Approve) => Some(S::Approved),
        (Flow::Form, S::Approved, A::Reopen) => Some(S::Returned),
        (Flow::Document, S::Pending, A::Acknowledge) => Some(S::Acknowledged),
        (Flow::Document, S::Acknowledged, A::Forward) => Some(S::Acknowledged),
        (Flow::Document, S::Implemented, A::Forward) => Some(S::Implemented),
        (Flow::Document, S::Pending | S::Acknowledged | S::Implemented, A::Implement) => {
            Some(S::Implemented)
        }
        _ => None,
    };
    next.ok_or_else(|| match state {
        S::Approved => err(
            "VL0903",
            "state",
            "Báo cáo đã được duyệt nên không thể sửa; cấp duyệt có thể mở lại để sửa.",
            "The report is approved and locked; the reviewing level may reopen it.",
        ),
        _ => err(
            "VL0904",
            "state",
            format!(
                "Không thể {} khi đang ở trạng thái \"{}\".",
                action_vi(action),
                state.name_vi()
            ),
            format!(
                "Cannot {} while the state is \"{}\".",
                action.code(),
                state.name_en()
            ),
        ),
    })
}

fn action_vi(a: Action) -> &'static str {
    match a {
        Action::SaveDraft => "lưu nháp",
        Action::Submit => "gửi báo cáo",
        Action::Return => "trả lại",
        Action::Approve => "duyệt",
        Action::Reopen => "mở lại",
        Action::Acknowledge => "xác nhận đã nhận",
        Action::Forward => "chuyển tiếp",
        Action::Implement => "báo cáo thực hiện",
    }
}

/// The counters of the roll-up, one key each (field keys of forms never start with '#').
pub mod key {
    pub const EXPECTED: &str = "#expected";
    pub const RECEIVED: &str = "#received";
    pub const ON_TIME: &str = "#on_time";
    pub const ACKNOWLEDGED: &str = "#acknowledged";
    pub const FORWARDED: &str = "#forwarded";
    pub const APPROVED: &str = "#approved";
    pub const RETURNED: &str = "#returned";
    pub const ALL: [&str; 7] = [
        EXPECTED,
        RECEIVED,
        ON_TIME,
        ACKNOWLEDGED,
        FORWARDED,
        APPROVED,
        RETURNED,
    ];
}

/// What a target row says about itself, for its counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TargetFacts {
    pub state: Option<TargetState>,
    /// No longer expected (merged away or dissolved while open).
    pub ended: bool,
    pub responded: bool,
    pub on_time: bool,
    pub acknowledged: bool,
    pub forwarded: bool,
}

/// The counters one target adds to each of its ancestors. A target that ended without
/// a response adds nothing; every other target adds one expected, and received only
/// with a response, so received ≤ expected at every level by construction.
pub fn counters(f: &TargetFacts) -> [(&'static str, i64); 7] {
    let counts = !f.ended || f.responded;
    let one = |b: bool| i64::from(counts && b);
    [
        (key::EXPECTED, one(true)),
        (key::RECEIVED, one(f.responded)),
        (key::ON_TIME, one(f.responded && f.on_time)),
        (key::ACKNOWLEDGED, one(f.acknowledged)),
        (key::FORWARDED, one(f.forwarded)),
        (key::APPROVED, one(f.state == Some(TargetState::Approved))),
        (key::RETURNED, one(f.state == Some(TargetState::Returned))),
    ]
}

/// Where a target sits, for the board's per-type counters and acknowledgement times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Place<'a> {
    pub unit_type: &'a str,
    /// Seconds from the request's issue to the target's acknowledgement.
    pub ack_secs: Option<i64>,
    /// The appraised class of an assessment's result (counted once published).
    pub class: Option<&'a str>,
}

/// Roll-up keys the board reads instead of walking targets: `@t/<type>/<counter>` per
/// unit type, `@a/<type>/<bucket>` per acknowledgement time, and `@c/<type>/<class>`
/// per published assessment class (form keys start with a lowercase letter, counters
/// with '#').
pub mod place_key {
    pub const TYPE: &str = "@t/";
    pub const ACK: &str = "@a/";
    pub const CLASS: &str = "@c/";
}

/// The per-type counters and the acknowledgement-time bucket one target adds to each
/// of its ancestors; they follow [`counters`], so an ended target adds nothing.
pub fn place_counters(f: &TargetFacts, place: &Place) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = counters(f)
        .iter()
        .filter(|(_, n)| *n != 0)
        .map(|(k, n)| (format!("{}{}/{k}", place_key::TYPE, place.unit_type), *n))
        .collect();
    if let (true, Some(secs)) = (!f.ended || f.responded, place.ack_secs)
        && f.acknowledged
    {
        out.push((
            format!("{}{}/{}", place_key::ACK, place.unit_type, ack_bucket(secs)),
            1,
        ));
    }
    if let (true, Some(class)) = (
        (!f.ended || f.responded) && f.state == Some(TargetState::Approved),
        place.class,
    ) {
        out.push((class_key(place.unit_type, class), 1));
    }
    out
}

/// The roll-up key of a unit type's published results of one class.
pub fn class_key(unit_type: &str, class: &str) -> String {
    format!("{}{unit_type}/{class}", place_key::CLASS)
}

/// A roll-up key of [`place_counters`], read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaceKey<'a> {
    /// A unit type's counter (`#expected`…).
    Type(&'a str, &'a str),
    /// A unit type's acknowledgements in one time bucket (seconds).
    Ack(&'a str, i64),
    /// A unit type's published results of one class.
    Class(&'a str, &'a str),
}

impl<'a> PlaceKey<'a> {
    pub fn parse(key: &'a str) -> Option<PlaceKey<'a>> {
        if let Some(rest) = key.strip_prefix(place_key::TYPE) {
            let (ty, counter) = rest.split_once('/')?;
            Some(PlaceKey::Type(ty, counter))
        } else if let Some(rest) = key.strip_prefix(place_key::CLASS) {
            let (ty, class) = rest.split_once('/')?;
            Some(PlaceKey::Class(ty, class))
        } else {
            let rest = key.strip_prefix(place_key::ACK)?;
            let (ty, bucket) = rest.split_once('/')?;
            Some(PlaceKey::Ack(ty, bucket.parse().ok()?))
        }
    }
}

/// An acknowledgement time kept at the precision [`duration_vi`] shows: the minute
/// under a day, the hour beyond (a start under a minute shows as one minute). Quantiles
/// of buckets therefore read exactly as quantiles of the times would.
pub fn ack_bucket(secs: i64) -> i64 {
    match secs {
        s if s <= 0 => 0,
        s if s < 60 => 1,
        s if s < 86_400 => s / 60 * 60,
        s => s / 3_600 * 3_600,
    }
}

/// The value at quantile `q` of a histogram of (value, count), by the nearest-rank
/// method of [`quantile`].
pub fn quantile_of_counts(counts: &[(i64, i64)], q: f64) -> Option<i64> {
    let mut sorted: Vec<(i64, i64)> = counts.iter().copied().filter(|(_, n)| *n > 0).collect();
    sorted.sort_unstable();
    let n: i64 = sorted.iter().map(|(_, c)| c).sum();
    if n == 0 {
        return None;
    }
    let rank = ((q * n as f64).ceil() as i64).clamp(1, n);
    let mut seen = 0;
    for (v, c) in sorted {
        seen += c;
        if seen >= rank {
            return Some(v);
        }
    }
    None
}

/// Expected, received and on time at one level, with the rates a board shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, utoipa::ToSchema)]
pub struct Rates {
    pub expected: i64,
    pub received: i64,
    pub on_time: i64,
    pub acknowledged: i64,
    pub forwarded: i64,
    pub approved: i64,
    pub returned: i64,
}

impl Rates {
    /// From (key, n) pairs of counters.
    pub fn from_counts<'a>(counts: impl IntoIterator<Item = (&'a str, i64)>) -> Rates {
        let mut r = Rates::default();
        for (k, n) in counts {
            match k {
                key::EXPECTED => r.expected += n,
                key::RECEIVED => r.received += n,
                key::ON_TIME => r.on_time += n,
                key::ACKNOWLEDGED => r.acknowledged += n,
                key::FORWARDED => r.forwarded += n,
                key::APPROVED => r.approved += n,
                key::RETURNED => r.returned += n,
                _ => {}
            }
        }
        r
    }

    pub fn add(&mut self, o: &Rates) {
        self.expected += o.expected;
        self.received += o.received;
        self.on_time += o.on_time;
        self.acknowledged += o.acknowledged;
        self.forwarded += o.forwarded;
        self.approved += o.approved;
        self.returned += o.returned;
    }

    /// Completeness in per cent, one decimal, as text ("87,5%"); "—" when nothing is expected.
    pub fn completeness(&self) -> String {
        percent(self.received, self.expected)
    }
    pub fn timeliness(&self) -> String {
        percent(self.on_time, self.expected)
    }
    pub fn acknowledgement(&self) -> String {
        percent(self.acknowledged, self.expected)
    }
    /// Completeness in tenths of a per cent (for bars and sorting).
    pub fn completeness_permille(&self) -> i64 {
        if self.expected == 0 {
            0
        } else {
            self.received * 1000 / self.expected
        }
    }
}

/// "87,5%" (Vietnamese decimal comma), or "—" for 0/0.
pub fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "—".into();
    }
    let permille = (part * 1000 + whole / 2) / whole;
    if permille % 10 == 0 {
        format!("{}%", permille / 10)
    } else {
        format!("{},{}%", permille / 10, permille % 10)
    }
}

/// Whether a response given at `day` is on time for `due` (the whole due day counts).
pub fn is_on_time(day: Date, due: Date) -> bool {
    day <= due
}

/// Where a deadline stands for a unit, for flags and reminders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Done (responded, acknowledged as asked).
    Done,
    /// Due in this many days (0 = today).
    Upcoming(i64),
    /// Late by this many days.
    Late(i64),
}

impl Due {
    pub fn of(due: Date, today: Date, done: bool) -> Due {
        if done {
            return Due::Done;
        }
        let days = (due - today).whole_days();
        if days >= 0 {
            Due::Upcoming(days)
        } else {
            Due::Late(-days)
        }
    }
    /// "Còn 3 ngày", "Hạn hôm nay", "Trễ 5 ngày".
    pub fn text_vi(&self) -> String {
        match self {
            Due::Done => "Đã xong".into(),
            Due::Upcoming(0) => "Hạn hôm nay".into(),
            Due::Upcoming(d) => format!("Còn {d} ngày"),
            Due::Late(d) => format!("Trễ {d} ngày"),
        }
    }
}

/// Reminders start this many days before the due date.
pub const REMIND_BEFORE_DAYS: i64 = 7;

/// The value at quantile `q` (0..=1) of sorted values, by the nearest-rank method.
pub fn quantile(sorted: &[i64], q: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let rank = (q * n as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, n) - 1])
}

/// A duration in seconds as Vietnamese text: "2 ngày 3 giờ", "45 phút".
pub fn duration_vi(secs: i64) -> String {
    let (d, h, m) = (secs / 86_400, (secs % 86_400) / 3_600, (secs % 3_600) / 60);
    match (d, h) {
        (0, 0) => format!("{} phút", m.max(if secs > 0 { 1 } else { 0 })),
        (0, h) => format!("{h} giờ {m} phút"),
        (d, 0) => format!("{d} ngày"),
        (d, h) => format!("{d} ngày {h} giờ"),
    }
}

/// Limits on files attached to requests and responses.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_FILES_PER_TARGET: usize = 10;

/// The kind of an attached file from its first bytes (not its name): PDF, or an
/// OOXML/ODF zip (docx, xlsx, odt), or a legacy Office file. Anything else is refused.
pub fn sniff_document(name: &str, bytes: &[u8]) -> Result<&'static str, RequestError> {
    let lower = name.to_lowercase();
    let ext = lower.rsplit('.').next().unwrap_or("");
    let mime = if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"PK\x03\x04") {
        match ext {
            "docx" => {
                Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            }
            "xlsx" => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "odt" => Some("application/vnd.oasis.opendocument.text"),
            "ods" => Some("application/vnd.oasis.opendocument.spreadsheet"),
            _ => None,
        }
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        match ext {
            "doc" => Some("application/msword"),
            "xls" => Some("application/vnd.ms-excel"),
            _ => None,
        }
    } else {
        None
    };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(err(
            "VL0905",
            "file",
            format!(
                "Tệp '{name}' lớn hơn giới hạn {} MB.",
                MAX_FILE_BYTES / 1024 / 1024
            ),
            format!(
                "File '{name}' is over the {} MB limit.",
                MAX_FILE_BYTES / 1024 / 1024
            ),
        ));
    }
    mime.ok_or_else(|| {
        err(
            "VL0906",
            "file",
            format!("Tệp '{name}' không phải PDF, Word (docx) hay Excel (xlsx)."),
            format!("File '{name}' is not a PDF, Word (docx) or Excel (xlsx) file."),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn every_kind_round_trips_and_follows_its_flow() {
        let sqlite = include_str!("../../store/migrations/sqlite/0021_request_kinds.sql");
        let postgres = include_str!("../../store/migrations/postgres/0021_request_kinds.sql");
        for k in RequestKind::ALL {
            assert_eq!(RequestKind::parse(k.code()), Some(k));
            // The database accepts every kind the domain knows.
            let quoted = format!("'{}'", k.code());
            assert!(
                sqlite.contains(&quoted) && postgres.contains(&quoted),
                "{k:?}"
            );
            let (first, then) = match k.flow() {
                Flow::Form => (Action::Submit, Action::Approve),
                Flow::Document => (Action::Acknowledge, Action::Implement),
            };
            let s = next_state(k, TargetState::Pending, first).unwrap();
            assert!(next_state(k, s, then).is_ok(), "{k:?}");
        }
        assert_eq!(RequestKind::parse("survey"), None);
    }

    #[test]
    fn numbers_follow_the_union_style() {
        assert_eq!(format_doc_number(267, "KH", "LĐLĐ"), "267/KH-LĐLĐ");
        assert_eq!(format_doc_number(15, "CV", "LĐLĐ"), "15/LĐLĐ");
        assert_eq!(parse_doc_type("qd").unwrap(), "QĐ");
        assert_eq!(parse_doc_type("XX").unwrap_err().code, "VL0901");
    }

    #[test]
    fn periods_parse_label_and_end() {
        let p = Period::parse(PeriodType::Month, "2026-02").unwrap();
        assert_eq!(
            (p.start(), p.end()),
            (date!(2026 - 02 - 01), date!(2026 - 02 - 28))
        );
        assert_eq!(p.due(5), date!(2026 - 03 - 05));
        assert_eq!(p.label_vi(), "Tháng 2/2026");
        assert_eq!(p.code(), "2026-02");
        let q = Period::parse(PeriodType::Quarter, "2026-Q4").unwrap();
        assert_eq!(q.end(), date!(2026 - 12 - 31));
        assert_eq!(q.label_vi(), "Quý IV/2026");
        let h = Period::parse(PeriodType::Half, "2025-H1").unwrap();
        assert_eq!(
            (h.end(), h.label_vi().as_str()),
            (date!(2025 - 06 - 30), "6 tháng đầu năm 2025")
        );
        assert_eq!(
            Period::parse(PeriodType::NineMonths, "2025-9M")
                .unwrap()
                .end(),
            date!(2025 - 09 - 30)
        );
        assert_eq!(
            Period::parse(PeriodType::Year, "2025").unwrap().end(),
            date!(2025 - 12 - 31)
        );
        assert_eq!(
            Period::parse(PeriodType::Month, "2026-13")
                .unwrap_err()
                .code,
            "VL0902"
        );
        assert_eq!(
            Period::parse(PeriodType::Month, "2026-01")
                .unwrap()
                .prev()
                .code(),
            "2025-12"
        );
        assert_eq!(
            Period::containing(PeriodType::Quarter, date!(2026 - 05 - 20))
                .unwrap()
                .code(),
            "2026-Q2"
        );
    }

    #[test]
    fn approved_reports_are_locked_and_directives_flow() {
        use Action as A;
        use TargetState as S;
        let r = RequestKind::Report;
        assert_eq!(next_state(r, S::Pending, A::Submit).unwrap(), S::Submitted);
        assert_eq!(next_state(r, S::Submitted, A::Return).unwrap(), S::Returned);
        assert_eq!(
            next_state(r, S::Returned, A::SaveDraft).unwrap(),
            S::Returned
        );
        assert_eq!(next_state(r, S::Returned, A::Submit).unwrap(), S::Submitted);
        assert_eq!(
            next_state(r, S::Submitted, A::Approve).unwrap(),
            S::Approved
        );
        for a in [A::SaveDraft, A::Submit, A::Return, A::Approve] {
            assert_eq!(next_state(r, S::Approved, a).unwrap_err().code, "VL0903");
        }
        assert_eq!(next_state(r, S::Approved, A::Reopen).unwrap(), S::Returned);
        let d = RequestKind::Directive;
        assert_eq!(
            next_state(d, S::Pending, A::Acknowledge).unwrap(),
            S::Acknowledged
        );
        assert_eq!(
            next_state(d, S::Acknowledged, A::Implement).unwrap(),
            S::Implemented
        );
        assert_eq!(
            next_state(d, S::Pending, A::Forward).unwrap_err().code,
            "VL0904"
        );
    }

    #[test]
    fn an_ended_target_counts_only_if_it_answered() {
        let open = TargetFacts::default();
        let c = |f: &TargetFacts| Rates::from_counts(counters(f));
        assert_eq!(c(&open).expected, 1);
        let ended = TargetFacts {
            ended: true,
            ..open
        };
        assert_eq!(c(&ended), Rates::default());
        let answered = TargetFacts {
            ended: true,
            responded: true,
            on_time: true,
            ..open
        };
        let r = c(&answered);
        assert_eq!((r.expected, r.received, r.on_time), (1, 1, 1));
        // Never above 100%, whatever the facts.
        for bits in 0..64u8 {
            let f = TargetFacts {
                state: None,
                ended: bits & 1 != 0,
                responded: bits & 2 != 0,
                on_time: bits & 4 != 0,
                acknowledged: bits & 8 != 0,
                forwarded: bits & 16 != 0,
            };
            let r = c(&f);
            assert!(r.received <= r.expected && r.on_time <= r.received, "{f:?}");
        }
    }

    #[test]
    fn rates_and_quantiles_read_in_vietnamese() {
        assert_eq!(percent(7, 8), "87,5%");
        assert_eq!(percent(1, 1), "100%");
        assert_eq!(percent(0, 0), "—");
        assert_eq!(quantile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5), Some(5));
        assert_eq!(quantile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), Some(9));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(duration_vi(2 * 86_400 + 3 * 3_600), "2 ngày 3 giờ");
        assert_eq!(
            Due::of(date!(2026 - 05 - 10), date!(2026 - 05 - 12), false).text_vi(),
            "Trễ 2 ngày"
        );
    }

    #[test]
    fn files_are_recognised_by_content() {
        assert_eq!(
            sniff_document("a.pdf", b"%PDF-1.7 ...").unwrap(),
            "application/pdf"
        );
        assert!(sniff_document("a.docx", b"PK\x03\x04....").is_ok());
        assert_eq!(
            sniff_document("a.pdf", b"MZ\x90\x00").unwrap_err().code,
            "VL0906"
        );
        assert_eq!(
            sniff_document("a.exe", b"PK\x03\x04").unwrap_err().code,
            "VL0906"
        );
    }

    #[test]
    fn acknowledgement_buckets_read_as_the_times_would() {
        let times = [
            0, 1, 59, 60, 61, 3_599, 3_661, 86_399, 86_400, 90_061, 200_000, 5_000_000,
        ];
        for t in times {
            assert_eq!(duration_vi(ack_bucket(t)), duration_vi(t), "{t}");
        }
        // Quantiles of the buckets are the buckets of the quantiles.
        let mut sorted: Vec<i64> = times.to_vec();
        sorted.sort_unstable();
        let mut hist: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
        for t in times {
            *hist.entry(ack_bucket(t)).or_default() += 1;
        }
        let hist: Vec<(i64, i64)> = hist.into_iter().collect();
        for q in [0.0, 0.1, 0.5, 0.9, 1.0] {
            assert_eq!(
                quantile_of_counts(&hist, q),
                quantile(&sorted, q).map(ack_bucket),
                "{q}"
            );
        }
        assert_eq!(quantile_of_counts(&[], 0.5), None);
        assert_eq!(quantile_of_counts(&[(5, 0)], 0.5), None);
    }

    #[test]
    fn place_counters_follow_the_counters_and_read_back() {
        let f = TargetFacts {
            acknowledged: true,
            ..Default::default()
        };
        let place = Place {
            unit_type: "CDCS",
            ack_secs: Some(3_700),
            class: Some("HTXS"),
        };
        let keys = place_counters(&f, &place);
        assert_eq!(
            keys,
            vec![
                ("@t/CDCS/#expected".to_string(), 1),
                ("@t/CDCS/#acknowledged".to_string(), 1),
                ("@a/CDCS/3660".to_string(), 1)
            ]
        );
        assert_eq!(
            PlaceKey::parse(&keys[0].0),
            Some(PlaceKey::Type("CDCS", "#expected"))
        );
        assert_eq!(
            PlaceKey::parse(&keys[2].0),
            Some(PlaceKey::Ack("CDCS", 3660))
        );
        assert_eq!(PlaceKey::parse("#expected"), None);
        let ended = TargetFacts { ended: true, ..f };
        assert!(place_counters(&ended, &place).is_empty());
        // A class counts once the result is published, and goes with a re-appraisal.
        let published = TargetFacts {
            state: Some(TargetState::Approved),
            responded: true,
            ..f
        };
        let keys = place_counters(&published, &place);
        assert!(keys.contains(&("@c/CDCS/HTXS".to_string(), 1)), "{keys:?}");
        assert_eq!(
            PlaceKey::parse("@c/CDCS/HTXS"),
            Some(PlaceKey::Class("CDCS", "HTXS"))
        );
        let reopened = TargetFacts {
            state: Some(TargetState::Returned),
            ..published
        };
        assert!(
            !place_counters(&reopened, &place)
                .iter()
                .any(|(k, _)| k.starts_with("@c/"))
        );
    }
}
