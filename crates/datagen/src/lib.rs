//! TEMPORARY stand-in for the demo data set while the real generator is written.
use congdoan_domain::member::Sex;
use time::Date;
use time::macros::date;

pub const DEMO_PASSWORD: &str = "congdoan-demo";
pub const DEMO_CDCS_CODE: &str = "AG-CDCS-01";
pub const DEMO_OTHER_CDCS_CODE: &str = "AG-CDCS-02";

#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub units: Vec<UnitSeed>,
    pub moves: Vec<MoveSeed>,
    pub coordination: Vec<CoordSeed>,
    pub members: Vec<MemberSeed>,
    pub committees: Vec<CommitteeSeed>,
    pub positions: Vec<PositionSeed>,
    pub accounts: Vec<AccountSeed>,
}
#[derive(Debug, Clone, PartialEq)]
pub struct UnitSeed {
    pub code: String,
    pub name: String,
    pub type_code: &'static str,
    pub parent_code: Option<String>,
    pub sector: Option<String>,
    pub employer: Option<EmployerSeed>,
    pub province_code: Option<i32>,
    pub commune_code: Option<i32>,
    pub address: Option<String>,
    pub founding_decision: Option<String>,
    pub founded_on: Date,
}
#[derive(Debug, Clone, PartialEq)]
pub struct EmployerSeed {
    pub name: String,
    pub tax_id: String,
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
    pub join_date: Date,
    pub party_member: bool,
    pub status: &'static str,
    pub status_reason: Option<String>,
}
#[derive(Debug, Clone, PartialEq)]
pub struct CommitteeSeed {
    pub unit_code: String,
    pub kind: &'static str,
    pub term_no: i32,
    pub term_label: String,
    pub term_start: Date,
    pub term_end: Date,
}
#[derive(Debug, Clone, PartialEq)]
pub struct PositionSeed {
    pub unit_code: String,
    pub committee_kind: &'static str,
    pub member_cccd: String,
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
    pub grants: Vec<(String, &'static str)>,
}

pub fn demo() -> Dataset {
    let u = |code: &str, name: &str, t: &'static str, parent: Option<&str>| UnitSeed {
        code: code.into(),
        name: name.into(),
        type_code: t,
        parent_code: parent.map(Into::into),
        sector: None,
        employer: None,
        province_code: Some(91),
        commune_code: None,
        address: None,
        founding_decision: None,
        founded_on: date!(1990 - 01 - 01),
    };
    Dataset {
        units: vec![
            u("TLD", "Tổng Liên đoàn Lao động Việt Nam", "TLD", None),
            u("AG", "LĐLĐ tỉnh An Giang", "LDLD_TINH", Some("TLD")),
            u("AG-CDCS-01", "Công đoàn cơ sở Một", "CDCS", Some("AG")),
            u("AG-CDCS-02", "Công đoàn cơ sở Hai", "CDCS", Some("AG")),
        ],
        moves: vec![],
        coordination: vec![],
        committees: vec![],
        positions: vec![],
        members: (0..20)
            .map(|i| MemberSeed {
                unit_code: if i % 2 == 0 {
                    "AG-CDCS-01".into()
                } else {
                    "AG-CDCS-02".into()
                },
                full_name: [
                    "Nguyễn Văn Đức",
                    "Trần Thị Hoà",
                    "Lê Thị Hòa",
                    "Phạm Văn An",
                ][i % 4]
                    .into(),
                birth_date: date!(1990 - 01 - 01),
                sex: if i % 4 == 0 || i % 4 == 3 {
                    Sex::Male
                } else {
                    Sex::Female
                },
                cccd: congdoan_domain::make_cccd(
                    89,
                    1990,
                    if i % 4 == 0 || i % 4 == 3 {
                        Sex::Male
                    } else {
                        Sex::Female
                    },
                    i as u32,
                )
                .as_str()
                .into(),
                phone: None,
                ethnicity: "Kinh".into(),
                nationality: "Việt Nam".into(),
                job_title: None,
                card_no: None,
                join_date: date!(2010 - 01 - 01),
                party_member: false,
                status: "member",
                status_reason: None,
            })
            .collect(),
        accounts: vec![
            AccountSeed {
                username: "admin".into(),
                display_name: "Quản trị".into(),
                password: DEMO_PASSWORD.into(),
                admin: true,
                grants: vec![],
            },
            AccountSeed {
                username: "cdcs.officer".into(),
                display_name: "CĐCS".into(),
                password: DEMO_PASSWORD.into(),
                admin: false,
                grants: vec![("AG-CDCS-01".into(), "officer")],
            },
        ],
    }
}
