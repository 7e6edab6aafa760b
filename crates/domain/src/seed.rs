//! The shapes of generated data as the store loads them: the demo data set, the
//! national country's units and its people in batches. Here rather than in the
//! generator so that the store does not depend on the generator (it only loads what
//! it is given); `congdoan-datagen` produces these values.

use crate::member::Sex;
use time::Date;

/// One coordination agreement of the demo; it covers the coordinating links already
/// seeded between its parties.
#[derive(Debug, Clone, PartialEq)]
pub struct AgreementSeed {
    pub number: &'static str,
    /// The coordinating side.
    pub party_a: &'static str,
    /// The managing side.
    pub party_b: &'static str,
    pub signed_on: Date,
}

/// One emulation cluster or block of the demo.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSeed {
    pub owner: &'static str,
    pub year: i64,
    /// `cum` (by area) or `khoi` (by sector).
    pub kind: &'static str,
    pub name: &'static str,
    pub lead: &'static str,
    pub units: &'static [&'static str],
    /// Which post of the owner's standing committee supervises it (0 = the first).
    pub supervisor: usize,
}

/// A generated data set, in load order.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Parents always before children.
    pub units: Vec<UnitSeed>,
    /// Applied after all units exist, in date order.
    pub moves: Vec<MoveSeed>,
    /// Coordinating ("chỉ đạo song trùng"/"phối hợp") links.
    pub coordination: Vec<CoordSeed>,
    pub members: Vec<MemberSeed>,
    pub committees: Vec<CommitteeSeed>,
    pub positions: Vec<PositionSeed>,
    pub accounts: Vec<AccountSeed>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnitSeed {
    /// Unique, short uppercase ASCII, e.g. "AG", "AG-CDCS-017", "AG-CDCS-028-T01".
    pub code: String,
    /// Vietnamese, NFC.
    pub name: String,
    /// One of the unit type codes of the reference data ("TLD", "LDLD_TINH", …).
    pub type_code: &'static str,
    /// Managing parent ("quản lý") at `founded_on`; `None` only for the TLĐ root.
    pub parent_code: Option<String>,
    /// Ngành/lĩnh vực, e.g. "Giáo dục", "Cao su".
    pub sector: Option<String>,
    pub employer: Option<EmployerSeed>,
    /// Province code in the 2025 division (34 provinces).
    pub province_code: Option<i32>,
    /// A ward/commune of that province in the 2025 division.
    pub commune_code: Option<i32>,
    pub address: Option<String>,
    /// e.g. "Quyết định số 123/QĐ-LĐLĐ".
    pub founding_decision: Option<String>,
    pub founded_on: Date,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EmployerSeed {
    pub name: String,
    /// 10 digits, with a valid check digit.
    pub tax_id: String,
    /// "state_agency", "public_full", "public_partial", "soe", "private",
    /// "fdi", "coop" or "foreign_org".
    pub ownership: &'static str,
    pub head_count: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MoveSeed {
    pub unit_code: String,
    pub new_parent_code: String,
    pub on: Date,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CoordSeed {
    pub unit_code: String,
    pub coordinator_code: String,
    pub valid_from: Date,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemberSeed {
    /// Deepest unit: the tổ công đoàn if any, else the CĐCS (or CĐ bộ phận).
    pub unit_code: String,
    pub full_name: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub cccd: String,
    pub phone: Option<String>,
    pub ethnicity: String,
    pub nationality: String,
    pub job_title: Option<String>,
    pub card_no: Option<String>,
    /// Admission date; for an applicant, the date of the application.
    pub join_date: Date,
    pub party_member: bool,
    /// "member", "applicant", "suspended" or "exited".
    pub status: &'static str,
    /// When the current status began (the join date unless suspended or exited).
    pub status_since: Date,
    /// Set for "suspended" and "exited".
    pub status_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CommitteeSeed {
    pub unit_code: String,
    /// "BCH", "BTV", "UBKT" or "TO"; at most one of each kind per unit.
    pub kind: &'static str,
    pub term_no: i32,
    /// "2023–2028" (en dash).
    pub term_label: String,
    pub term_start: Date,
    pub term_end: Date,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PositionSeed {
    pub unit_code: String,
    pub committee_kind: &'static str,
    /// The holder, one of the members of the unit's subtree.
    pub member_cccd: String,
    /// "CHU_TICH", "PHO_CHU_TICH", "UV_BTV", "UV_BCH", "CHU_NHIEM_UBKT",
    /// "PHO_CHU_NHIEM_UBKT", "UV_UBKT", "TO_TRUONG" or "TO_PHO".
    pub position: &'static str,
    pub start: Date,
    pub end: Option<Date>,
    pub full_time: bool,
    pub elected: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AccountSeed {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub admin: bool,
    /// (unit code, "officer" | "viewer").
    pub grants: Vec<(String, &'static str)>,
}

/// The people and officials of one member-holding unit. Every post's holder
/// is a member of the same batch; the committees it fills come with it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitBatch {
    /// All in the same member-holding unit (a CĐCS without sub-units, a công
    /// đoàn bộ phận or a tổ công đoàn).
    pub members: Vec<MemberSeed>,
    /// Committees created with this batch: the tổ's, its CĐCS's (with the
    /// CĐCS's first tổ), and those of upper-level unions staffed from here.
    pub committees: Vec<CommitteeSeed>,
    /// Posts in those committees, held by members of this batch.
    pub positions: Vec<PositionSeed>,
}

/// A generated country as the bulk loader reads it: its units in memory, its people
/// streamed one member-holding unit at a time.
pub trait CountrySource {
    /// Parents always before children; every unit of today's tree.
    fn units(&self) -> &[UnitSeed];
    /// Coordinating links, applied once all units exist.
    fn coordination(&self) -> &[CoordSeed];
    /// Members that [`CountrySource::batches`] yields.
    fn member_count(&self) -> u64;
    /// The people, one batch per member-holding unit, in unit order.
    fn batches(&self) -> Box<dyn Iterator<Item = UnitBatch> + '_>;
}
