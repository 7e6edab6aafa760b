//! Deterministic synthetic data for congdoan: the demo data set.
//!
//! [`demo()`] builds a small but realistic slice of Công đoàn Việt Nam as it
//! stood around 2019–2020 (the 2025 reform is left to the restructuring
//! feature), with addresses in today's 34-province division:
//!
//! - **TLĐ** (`"TLD"`), the root.
//! - **LĐLĐ tỉnh An Giang** (`"AG"`), without a CĐ Viên chức tier (seed
//!   000): LĐLĐ Long Xuyên, Châu Đốc and Chợ Mới, the industrial-park union
//!   (`"AG-KCN"`), and the agencies' CĐCS placed directly under the LĐLĐ;
//!   its BCH/BTV come from the office CĐCS `"AG-CDCS-001"`. Two CĐCS moved
//!   from LĐLĐ Long Xuyên to the LĐLĐ tỉnh on 1/1/2019.
//! - **LĐLĐ tỉnh Kiên Giang** (`"KG"`) with **CĐ Viên chức tỉnh** (`"KG-VC"`)
//!   holding the six CĐCS of the 2011 seminar (seed 002,
//!   [`KG_SEMINAR_CDCS`]); one CĐCS moved there from LĐLĐ Phú Quốc in 2016.
//! - **LĐLĐ tỉnh Kon Tum** (`"KT"`) with four local sector unions, each
//!   co-directed by its central sector union, and 15 corporation CĐCS in
//!   Kon Tum coordinated by KT under a "Quy chế phối hợp" (seed 001).
//! - **LĐLĐ tỉnh Quảng Ngãi** (`"QNG"`), which Kon Tum joined on 1/7/2025: the
//!   Dung Quất economic-zone union and LĐLĐ huyện Bình Sơn.
//! - Four central sector unions and six corporation unions under TLĐ; under
//!   CĐ Viên chức Việt Nam, **Công đoàn cơ quan Trung ương Đoàn** with three
//!   công đoàn bộ phận (seed 004).
//!
//! All people are synthetic. Search tests may rely on these names existing
//! as members of [`DEMO_CDCS_CODE`] (the first three members of its first
//! tổ, all with status "member"): [`NAME_DUC`] ("Nguyễn Văn Đức"),
//! [`NAME_HOA_OLD`] ("Trần Thị Hoà", old tone placement: `o` + `à`) and
//! [`NAME_HOA_NEW`] ("Lê Thị Hòa", new placement: `ò` + `a`). Generated
//! names also use both placements of Hòa/Thủy/Thúy.

pub use congdoan_domain::seed::{
    AccountSeed, AgreementSeed, ClusterSeed, CommitteeSeed, CoordSeed, Dataset, EmployerSeed,
    MemberSeed, MoveSeed, PositionSeed, UnitSeed,
};

mod country;
pub mod forms;
mod geo;
mod names;
mod officers;
mod people;
mod profile;
mod rng;
mod tree;

pub use congdoan_domain::seed::{CountrySource, UnitBatch};
pub use country::{Country, CountryOptions};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "congdoan-demo";

/// The An Giang CĐCS of accounts `cdcs.officer` (officer) and `cdcs.viewer`
/// (viewer): Công ty TNHH Bao bì Mekong, an FDI factory in the Bình Hòa
/// industrial park under "AG-KCN", with two tổ công đoàn.
pub const DEMO_CDCS_CODE: &str = "AG-CDCS-028";

/// LĐLĐ Kon Tum co-directs the CĐCS of six corporations in the province under
/// coordination regulations (seed 001).
pub const DEMO_AGREEMENTS: &[AgreementSeed] = &[
    AgreementSeed {
        number: "01/QCPH-LĐLĐ-VRG",
        party_a: "KT",
        party_b: "VRG",
        signed_on: time::macros::date!(2018 - 01 - 01),
    },
    AgreementSeed {
        number: "02/QCPH-LĐLĐ-VNPT",
        party_a: "KT",
        party_b: "VNPT",
        signed_on: time::macros::date!(2018 - 01 - 01),
    },
    AgreementSeed {
        number: "03/QCPH-LĐLĐ-EVN",
        party_a: "KT",
        party_b: "EVN",
        signed_on: time::macros::date!(2018 - 01 - 01),
    },
    AgreementSeed {
        number: "04/QCPH-LĐLĐ-VINACAFE",
        party_a: "KT",
        party_b: "VINACAFE",
        signed_on: time::macros::date!(2018 - 01 - 01),
    },
    AgreementSeed {
        number: "05/QCPH-LĐLĐ-VINAPACO",
        party_a: "KT",
        party_b: "VINAPACO",
        signed_on: time::macros::date!(2018 - 01 - 01),
    },
    AgreementSeed {
        number: "06/QCPH-LĐLĐ-SONGDA",
        party_a: "KT",
        party_b: "SONGDA",
        signed_on: time::macros::date!(2018 - 01 - 01),
    },
];

/// LĐLĐ An Giang works without a CĐ Viên chức tier: its CĐCS are grouped in clusters
/// and blocks, each supervised by a member of the standing committee (seed 000).
pub const DEMO_CLUSTERS: &[ClusterSeed] = &[
    ClusterSeed {
        owner: "AG",
        year: 2026,
        kind: "khoi",
        name: "Khối thi đua các cơ quan Đảng, Nhà nước tỉnh",
        lead: "AG-CDCS-008",
        units: &[
            "AG-CDCS-001",
            "AG-CDCS-002",
            "AG-CDCS-003",
            "AG-CDCS-004",
            "AG-CDCS-005",
            "AG-CDCS-006",
            "AG-CDCS-007",
            "AG-CDCS-008",
            "AG-CDCS-009",
            "AG-CDCS-013",
        ],
        supervisor: 1,
    },
    ClusterSeed {
        owner: "AG",
        year: 2026,
        kind: "khoi",
        name: "Khối thi đua các đơn vị sự nghiệp",
        lead: "AG-CDCS-010",
        units: &["AG-CDCS-010", "AG-CDCS-011", "AG-CDCS-012"],
        supervisor: 2,
    },
    ClusterSeed {
        owner: "AG",
        year: 2026,
        kind: "cum",
        name: "Cụm thi đua doanh nghiệp Long Xuyên – Châu Đốc",
        lead: "AG-CDCS-014",
        units: &[
            "AG-CDCS-014",
            "AG-CDCS-015",
            "AG-CDCS-016",
            "AG-CDCS-017",
            "AG-CDCS-018",
            "AG-CDCS-019",
            "AG-CDCS-020",
            "AG-CDCS-021",
        ],
        supervisor: 3,
    },
    ClusterSeed {
        owner: "AG",
        year: 2026,
        kind: "cum",
        name: "Cụm thi đua doanh nghiệp các khu công nghiệp và Chợ Mới",
        lead: "AG-CDCS-025",
        units: &[
            "AG-CDCS-022",
            "AG-CDCS-023",
            "AG-CDCS-024",
            "AG-CDCS-025",
            "AG-CDCS-026",
            "AG-CDCS-027",
            "AG-CDCS-028",
            "AG-CDCS-029",
        ],
        supervisor: 1,
    },
];

/// Another An Giang CĐCS (Công ty Cổ phần Thức ăn chăn nuôi Bình Long, also
/// under "AG-KCN"), whose officer is the account `cdcs.other`.
pub const DEMO_OTHER_CDCS_CODE: &str = "AG-CDCS-027";

/// "Nguyễn Văn Đức", a member of [`DEMO_CDCS_CODE`].
pub const NAME_DUC: &str = "Nguyễn Văn Đức";
/// "Trần Thị Hoà" with the old tone placement (`Ho` + U+00E0 `à`).
pub const NAME_HOA_OLD: &str = "Trần Thị Ho\u{e0}";
/// "Lê Thị Hòa" with the new tone placement (`H` + U+00F2 `ò` + `a`).
pub const NAME_HOA_NEW: &str = "Lê Thị H\u{f2}a";

/// The six CĐCS of the Kiên Giang seminar (seed 002), under "KG-VC":
/// Sở Tư pháp, Kho bạc Nhà nước, Viện Kiểm sát nhân dân tỉnh, Cục Thuế tỉnh,
/// Văn phòng Tỉnh ủy, Sở Công Thương.
pub const KG_SEMINAR_CDCS: [&str; 6] = [
    "KG-CDCS-002",
    "KG-CDCS-003",
    "KG-CDCS-004",
    "KG-CDCS-005",
    "KG-CDCS-006",
    "KG-CDCS-007",
];

/// The 15 corporation CĐCS located in Kon Tum, each coordinated by "KT".
pub const KON_TUM_CORPORATION_CDCS: [&str; 15] = tree::KON_TUM_CORPORATION_CDCS;

/// The demo data set. Deterministic: every call returns the same value.
pub fn demo() -> Dataset {
    let tree = tree::build();
    let (mut members, unit_of) = people::generate(&tree);
    let officers = officers::plan(&tree, &mut members, &unit_of);
    Dataset {
        accounts: accounts(),
        units: tree.units,
        moves: tree.moves,
        coordination: tree.coordination,
        members,
        committees: officers.committees,
        positions: officers.positions,
    }
}

fn accounts() -> Vec<AccountSeed> {
    let account =
        |username: &str, display: &str, admin: bool, grants: &[(&str, &'static str)]| AccountSeed {
            username: username.into(),
            display_name: display.into(),
            password: DEMO_PASSWORD.into(),
            admin,
            grants: grants.iter().map(|(u, r)| ((*u).to_owned(), *r)).collect(),
        };
    vec![
        account("admin", "Quản trị hệ thống", true, &[]),
        account(
            "btv.angiang",
            "Thường trực LĐLĐ An Giang",
            false,
            &[("AG", "officer")],
        ),
        account(
            "lddl.kontum",
            "Thường trực LĐLĐ Kon Tum",
            false,
            &[("KT", "officer")],
        ),
        account(
            "cdcs.officer",
            "BCH CĐCS Công ty TNHH Bao bì Mekong",
            false,
            &[(DEMO_CDCS_CODE, "officer")],
        ),
        account(
            "cdcs.viewer",
            "Xem CĐCS Công ty TNHH Bao bì Mekong",
            false,
            &[(DEMO_CDCS_CODE, "viewer")],
        ),
        account(
            "cdcs.other",
            "BCH CĐCS Công ty CP Thức ăn chăn nuôi Bình Long",
            false,
            &[(DEMO_OTHER_CDCS_CODE, "officer")],
        ),
    ]
}

#[cfg(test)]
mod tests;
