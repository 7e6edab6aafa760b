//! Checks of the demo data set as a whole: the storage layer loads it
//! without further validation, so everything it relies on is asserted here.

use std::collections::{BTreeMap, HashMap, HashSet};

use congdoan_domain::cccd::Cccd;
use congdoan_domain::member::Sex;
use congdoan_domain::phone::PhoneVn;
use congdoan_domain::text::{PersonName, fold, name_sort_key, nfc};
use time::macros::date;

use super::*;
use crate::officers::bch_cap_hd38;
use crate::people::{AS_OF, RESERVED_CCCD, RESERVED_PHONES, add_years, age_on};

/// The 2025 division list, as shipped with the web assets.
const DIVISIONS_JSON: &str = include_str!("../../domain/assets/vn-divisions-2025.json");

const UNIT_TYPES: &[&str] = &[
    "TLD",
    "LDLD_TINH",
    "CD_NGANH_TW",
    "CD_TAP_DOAN",
    "LDLD_HUYEN",
    "CD_NGANH_DP",
    "CD_KCN",
    "CD_XA",
    "CDCS",
    "NGHIEP_DOAN",
    "CDCS_THANH_VIEN",
    "CD_BO_PHAN",
    "TO_CD",
];
const UPPER_TYPES: &[&str] = &[
    "LDLD_TINH",
    "CD_NGANH_TW",
    "CD_TAP_DOAN",
    "LDLD_HUYEN",
    "CD_NGANH_DP",
    "CD_KCN",
];
const OWNERSHIPS: &[&str] = &[
    "state_agency",
    "public_full",
    "public_partial",
    "soe",
    "private",
    "fdi",
    "coop",
    "foreign_org",
];

struct Index<'a> {
    d: &'a Dataset,
    unit: HashMap<&'a str, usize>,
    /// Managing parent after all moves.
    parent: HashMap<&'a str, &'a str>,
    children: HashMap<&'a str, Vec<&'a str>>,
    member_by_cccd: HashMap<&'a str, usize>,
}

impl<'a> Index<'a> {
    fn new(d: &'a Dataset) -> Index<'a> {
        let unit = d
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.code.as_str(), i))
            .collect();
        let mut parent: HashMap<&str, &str> = d
            .units
            .iter()
            .filter_map(|u| Some((u.code.as_str(), u.parent_code.as_deref()?)))
            .collect();
        for m in &d.moves {
            parent.insert(&m.unit_code, &m.new_parent_code);
        }
        let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
        for u in &d.units {
            if let Some(p) = parent.get(u.code.as_str()) {
                children.entry(p).or_default().push(&u.code);
            }
        }
        let member_by_cccd = d
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.cccd.as_str(), i))
            .collect();
        Index {
            d,
            unit,
            parent,
            children,
            member_by_cccd,
        }
    }

    fn unit(&self, code: &str) -> &'a UnitSeed {
        &self.d.units[self.unit[code]]
    }

    fn kids(&self, code: &str) -> &[&'a str] {
        self.children.get(code).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Is `code` inside the subtree of `root` (itself included) today?
    fn within(&self, code: &str, root: &str) -> bool {
        let mut cur = code;
        loop {
            if cur == root {
                return true;
            }
            match self.parent.get(cur) {
                Some(p) => cur = p,
                None => return false,
            }
        }
    }

    fn members_within<'s>(&'s self, root: &'s str) -> impl Iterator<Item = &'a MemberSeed> + 's {
        self.d
            .members
            .iter()
            .filter(move |m| self.within(&m.unit_code, root))
    }

    fn active_within(&self, root: &str) -> usize {
        self.members_within(root)
            .filter(|m| m.status == "member")
            .count()
    }
}

/// (province code → (name, commune code → commune name)) from the JSON,
/// with a scanner just good enough for that file's fixed layout.
fn divisions() -> BTreeMap<i32, (String, BTreeMap<i32, String>)> {
    fn field<'s>(obj: &'s str, key: &str) -> &'s str {
        let pat = format!("\"{key}\":");
        let start = obj.find(&pat).map(|i| i + pat.len()).expect("key");
        let rest = &obj[start..];
        if let Some(r) = rest.strip_prefix('"') {
            &r[..r.find('"').expect("closing quote")]
        } else {
            &rest[..rest.find([',', '}']).unwrap_or(rest.len())]
        }
    }
    let mut out = BTreeMap::new();
    let mut rest = DIVISIONS_JSON;
    while let Some(w) = rest.find("\"wards\":[") {
        let header_start = rest[..w].rfind("{\"code\":").expect("province header");
        let header = &rest[header_start..w];
        let code: i32 = field(header, "code").parse().expect("province code");
        let name = field(header, "name").to_owned();
        let body_start = w + "\"wards\":[".len();
        let body_end = body_start + rest[body_start..].find(']').expect("end of wards");
        let wards = rest[body_start..body_end]
            .split("},{")
            .map(|o| {
                (
                    field(o, "code").parse::<i32>().expect("ward code"),
                    field(o, "name").to_owned(),
                )
            })
            .collect();
        out.insert(code, (name, wards));
        rest = &rest[body_end..];
    }
    out
}

#[test]
fn demo_is_deterministic() {
    let a = demo();
    let b = demo();
    assert_eq!(a, b);
    // And not trivially so: the data is large and varied.
    let names: HashSet<&str> = a.members.iter().map(|m| m.full_name.as_str()).collect();
    assert!(
        names.len() > a.members.len() / 2,
        "{} distinct names",
        names.len()
    );
}

#[test]
fn demo_is_fast() {
    // < 50 ms in release; the bound is loose because tests run unoptimised.
    let t = std::time::Instant::now();
    let d = demo();
    let took = t.elapsed();
    assert!(!d.members.is_empty());
    assert!(took.as_millis() < 1000, "demo() took {took:?}");
}

#[test]
fn units_form_a_tree_in_load_order() {
    let d = demo();
    let mut seen: HashMap<&str, &UnitSeed> = HashMap::new();
    for u in &d.units {
        assert!(
            !u.code.is_empty()
                && u.code.len() <= 24
                && u.code
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'),
            "code {:?}",
            u.code
        );
        assert!(
            UNIT_TYPES.contains(&u.type_code),
            "{}: type {}",
            u.code,
            u.type_code
        );
        match &u.parent_code {
            None => assert_eq!((u.code.as_str(), u.type_code), ("TLD", "TLD")),
            Some(p) => {
                let parent = seen
                    .get(p.as_str())
                    .unwrap_or_else(|| panic!("{}: parent {p} not earlier", u.code));
                assert!(
                    parent.founded_on <= u.founded_on,
                    "{} founded before its parent {p}",
                    u.code
                );
                let ok = match u.type_code {
                    "TO_CD" => {
                        matches!(parent.type_code, "CDCS" | "CD_BO_PHAN" | "CDCS_THANH_VIEN")
                    }
                    "CD_BO_PHAN" | "CDCS_THANH_VIEN" => parent.type_code == "CDCS",
                    "CDCS" | "NGHIEP_DOAN" => UPPER_TYPES.contains(&parent.type_code),
                    "LDLD_TINH" | "CD_NGANH_TW" | "CD_TAP_DOAN" => parent.type_code == "TLD",
                    _ => matches!(parent.type_code, "LDLD_TINH" | "CD_TAP_DOAN"),
                };
                assert!(
                    ok,
                    "{} ({}) under {} ({})",
                    u.code, u.type_code, p, parent.type_code
                );
            }
        }
        assert!(
            seen.insert(&u.code, u).is_none(),
            "duplicate code {}",
            u.code
        );
    }
    assert_eq!(d.units[0].code, "TLD");
    assert_eq!(d.units[0].founded_on, date!(1929 - 07 - 28));
    assert_eq!(
        d.units.iter().filter(|u| u.parent_code.is_none()).count(),
        1
    );
}

#[test]
fn moves_are_valid_history() {
    let d = demo();
    let ix = Index::new(&d);
    assert!(d.moves.len() >= 3);
    assert!(
        d.moves.windows(2).all(|w| w[0].on <= w[1].on),
        "moves in date order"
    );
    for m in &d.moves {
        let u = ix.unit(&m.unit_code);
        let to = ix.unit(&m.new_parent_code);
        assert!(
            ix.unit[m.new_parent_code.as_str()] < ix.unit[m.unit_code.as_str()],
            "target earlier in units"
        );
        assert!(u.founded_on < m.on && to.founded_on < m.on, "{m:?}");
        assert_ne!(
            u.parent_code.as_deref(),
            Some(m.new_parent_code.as_str()),
            "a move changes the parent"
        );
        assert!(
            !ix.within(&m.new_parent_code, &m.unit_code),
            "no cycle: {m:?}"
        );
        assert!(!m.reason.is_empty());
    }
    // An Giang: two CĐCS from a LĐLĐ huyện straight under the province on 1/1/2019.
    let ag: Vec<&MoveSeed> = d
        .moves
        .iter()
        .filter(|m| m.new_parent_code == "AG")
        .collect();
    assert_eq!(ag.len(), 2);
    for m in ag {
        assert_eq!(
            (m.on, m.reason.as_str()),
            (date!(2019 - 01 - 01), "Tinh gọn bộ máy")
        );
        let from = ix.unit(ix.unit(&m.unit_code).parent_code.as_deref().unwrap());
        assert_eq!(from.type_code, "LDLD_HUYEN");
        assert_eq!(ix.unit(&m.unit_code).type_code, "CDCS");
    }
    // Kiên Giang: one CĐCS from a LĐLĐ huyện to the CĐ Viên chức tỉnh in 2016.
    let kg: Vec<&MoveSeed> = d
        .moves
        .iter()
        .filter(|m| m.new_parent_code == "KG-VC")
        .collect();
    assert_eq!(kg.len(), 1);
    assert_eq!(kg[0].on.year(), 2016);
    assert_eq!(
        ix.unit(ix.unit(&kg[0].unit_code).parent_code.as_deref().unwrap())
            .type_code,
        "LDLD_HUYEN"
    );
}

#[test]
fn addresses_use_the_2025_division_list() {
    let d = demo();
    let div = divisions();
    assert_eq!(div.len(), 34);
    for (p, c, name) in crate::geo::COMMUNES {
        assert_eq!(
            div[p].1.get(c).map(String::as_str),
            Some(*name),
            "commune {c}"
        );
    }
    for u in &d.units {
        let p = u
            .province_code
            .unwrap_or_else(|| panic!("{} has no province", u.code));
        let (_, wards) = div
            .get(&p)
            .unwrap_or_else(|| panic!("{}: province {p}", u.code));
        let c = u
            .commune_code
            .unwrap_or_else(|| panic!("{} has no commune", u.code));
        let ward = wards
            .get(&c)
            .unwrap_or_else(|| panic!("{}: commune {c} not in province {p}", u.code));
        if let Some(a) = &u.address {
            assert!(a.contains(ward.as_str()), "{}: {a}", u.code);
        }
    }
    let ix = Index::new(&d);
    // Kiên Giang is in today's An Giang; Kon Tum in today's Quảng Ngãi.
    for root in ["AG", "KG"] {
        assert!(
            d.units
                .iter()
                .filter(|u| ix.within(&u.code, root))
                .all(|u| u.province_code == Some(91))
        );
    }
    assert!(
        d.units
            .iter()
            .filter(|u| ix.within(&u.code, "KT"))
            .all(|u| u.province_code == Some(51))
    );
    assert!(
        d.units
            .iter()
            .filter(|u| ix.within(&u.code, "CDVC-CDCS-002"))
            .all(|u| u.province_code == Some(1))
    );
}

#[test]
fn grassroots_units_have_employers_and_decisions() {
    let d = demo();
    let ix = Index::new(&d);
    let mut tax_ids = HashSet::new();
    for u in &d.units {
        if u.type_code != "TLD" {
            let dec = u.founding_decision.as_deref().unwrap_or("");
            assert!(
                dec.starts_with("Quyết định số ") && dec.contains("/QĐ-"),
                "{}: {dec:?}",
                u.code
            );
        }
        if u.type_code == "CDCS" {
            assert!(u.employer.is_some(), "{} has no employer", u.code);
            assert!(u.sector.is_some() && u.address.is_some(), "{}", u.code);
        }
        if let Some(e) = &u.employer {
            assert!(
                OWNERSHIPS.contains(&e.ownership),
                "{}: {}",
                u.code,
                e.ownership
            );
            assert!(
                tax_ids.insert(e.tax_id.clone()),
                "duplicate tax id {}",
                e.tax_id
            );
            let digits: Vec<u32> = e.tax_id.chars().filter_map(|c| c.to_digit(10)).collect();
            assert_eq!((e.tax_id.len(), digits.len()), (10, 10), "{}", e.tax_id);
            let sum: u32 = digits[..9]
                .iter()
                .zip([31, 29, 23, 19, 17, 13, 7, 5, 3])
                .map(|(d, w)| d * w)
                .sum();
            assert_eq!(digits[9], 10 - sum % 11, "check digit of {}", e.tax_id);
            let members = ix.members_within(&u.code).count() as i32;
            assert!(
                e.head_count >= members,
                "{}: {} staff, {members} members",
                u.code,
                e.head_count
            );
            assert_eq!(nfc(&e.name), e.name);
        }
    }
    // Factories are FDI or private, corporation units SOEs.
    let own = |code: &str| ix.unit(code).employer.as_ref().map(|e| e.ownership);
    for code in KON_TUM_CORPORATION_CDCS {
        assert_eq!(own(code), Some("soe"), "{code}");
    }
    let kcn: Vec<&str> = ix.kids("AG-KCN").iter().map(|c| own(c).unwrap()).collect();
    assert!(
        kcn.iter().all(|o| matches!(*o, "fdi" | "private")) && kcn.contains(&"fdi"),
        "{kcn:?}"
    );
}

#[test]
fn an_giang_has_no_civil_servants_union() {
    let d = demo();
    let ix = Index::new(&d);
    let ag = ix.unit("AG");
    assert_eq!(
        (ag.type_code, ag.name.as_str()),
        ("LDLD_TINH", "Liên đoàn Lao động tỉnh An Giang")
    );
    assert!(
        d.units
            .iter()
            .filter(|u| ix.within(&u.code, "AG"))
            .all(|u| u.type_code != "CD_NGANH_DP")
    );
    let cdcs = d
        .units
        .iter()
        .filter(|u| u.type_code == "CDCS" && ix.within(&u.code, "AG"))
        .count();
    assert!((25..=30).contains(&cdcs), "{cdcs} CĐCS under AG");
    let kinds: Vec<&str> = ix.kids("AG").iter().map(|c| ix.unit(c).type_code).collect();
    assert!(kinds.iter().filter(|t| **t == "LDLD_HUYEN").count() >= 2);
    assert_eq!(kinds.iter().filter(|t| **t == "CD_KCN").count(), 1);
    // About twelve agencies' CĐCS directly under the LĐLĐ (not counting its own office).
    let state = ix
        .kids("AG")
        .iter()
        .map(|c| ix.unit(c))
        .filter(|u| u.type_code == "CDCS" && u.code != "AG-CDCS-001")
        .filter(|u| {
            u.employer.as_ref().is_some_and(|e| {
                matches!(
                    e.ownership,
                    "state_agency" | "public_full" | "public_partial"
                )
            })
        })
        .count();
    assert!((10..=14).contains(&state), "{state}");
    assert_eq!(
        ix.unit("AG-CDCS-001").name,
        "Công đoàn cơ quan Liên đoàn Lao động tỉnh An Giang"
    );
}

#[test]
fn kien_giang_seminar_units_sit_under_its_civil_servants_union() {
    let d = demo();
    let ix = Index::new(&d);
    assert_eq!(ix.unit("KG-VC").type_code, "CD_NGANH_DP");
    assert_eq!(ix.unit("KG-VC").name, "Công đoàn Viên chức tỉnh Kiên Giang");
    let phrases = [
        "Sở Tư pháp",
        "Kho bạc Nhà nước",
        "Viện Kiểm sát nhân dân tỉnh",
        "Cục Thuế tỉnh",
        "Văn phòng Tỉnh ủy",
        "Sở Công Thương",
    ];
    for (code, phrase) in KG_SEMINAR_CDCS.iter().zip(phrases) {
        let u = ix.unit(code);
        assert_eq!(
            (u.type_code, u.parent_code.as_deref()),
            ("CDCS", Some("KG-VC")),
            "{code}"
        );
        assert!(u.name.contains(phrase), "{}", u.name);
        let n = ix
            .kids("KG-VC")
            .iter()
            .filter(|c| ix.unit(c).name.contains(phrase))
            .count();
        assert_eq!(n, 1, "{phrase}");
        assert!(matches!(
            u.employer.as_ref().unwrap().ownership,
            "state_agency" | "public_full"
        ));
    }
    let huyen = ix
        .kids("KG")
        .iter()
        .filter(|c| ix.unit(c).type_code == "LDLD_HUYEN")
        .count();
    assert!((1..=2).contains(&huyen));
}

#[test]
fn kon_tum_dual_direction() {
    let d = demo();
    let ix = Index::new(&d);
    // 15 corporation CĐCS in Kon Tum, each coordinated by KT.
    let in_kon_tum: Vec<&UnitSeed> = d
        .units
        .iter()
        .filter(|u| {
            u.type_code == "CDCS"
                && u.province_code == Some(51)
                && u.commune_code.is_some_and(|c| c >= 23000)
        })
        .filter(|u| ix.unit(ix.parent[u.code.as_str()]).type_code == "CD_TAP_DOAN")
        .collect();
    assert_eq!(in_kon_tum.len(), 15);
    let mut codes: Vec<&str> = in_kon_tum.iter().map(|u| u.code.as_str()).collect();
    codes.sort_unstable();
    let mut expected = KON_TUM_CORPORATION_CDCS.to_vec();
    expected.sort_unstable();
    assert_eq!(codes, expected);
    for code in KON_TUM_CORPORATION_CDCS {
        let links: Vec<&CoordSeed> = d
            .coordination
            .iter()
            .filter(|c| c.unit_code == code)
            .collect();
        assert_eq!(links.len(), 1, "{code}");
        assert_eq!(links[0].coordinator_code, "KT");
        assert_eq!(links[0].valid_from, date!(2018 - 01 - 01));
        assert!(links[0].note.contains("Quy chế phối hợp"));
    }
    let sectors: Vec<String> = in_kon_tum.iter().filter_map(|u| u.sector.clone()).collect();
    for s in [
        "Cà phê",
        "Cao su",
        "Bưu chính viễn thông",
        "Điện lực",
        "Nguyên liệu giấy",
        "Xây dựng",
    ] {
        assert!(sectors.iter().any(|x| x == s), "no {s}");
    }
    // Local sector unions, each with 2–4 CĐCS and coordinated by the central one.
    for (local, central, name) in [
        ("KT-YT", "CDYT", "Y tế"),
        ("KT-GD", "CDGD", "Giáo dục"),
        ("KT-VC", "CDVC", "Viên chức"),
        ("KT-NH", "CDNH", "Ngân hàng"),
    ] {
        let u = ix.unit(local);
        assert_eq!(
            (u.type_code, u.parent_code.as_deref()),
            ("CD_NGANH_DP", Some("KT"))
        );
        assert!(u.name.contains(name));
        let n = ix
            .kids(local)
            .iter()
            .filter(|c| ix.unit(c).type_code == "CDCS")
            .count();
        assert!((2..=4).contains(&n), "{local}: {n}");
        assert_eq!(ix.unit(central).type_code, "CD_NGANH_TW");
        assert!(ix.unit(central).name.contains(name));
        assert!(
            d.coordination.iter().any(|c| c.unit_code == local
                && c.coordinator_code == central
                && c.note.contains("Quy chế phối hợp")),
            "{local} ← {central}"
        );
    }
    for c in &d.coordination {
        assert!(ix.unit(&c.unit_code).founded_on <= c.valid_from);
        assert!(ix.unit(&c.coordinator_code).founded_on <= c.valid_from);
        assert!(
            !ix.within(&c.unit_code, &c.coordinator_code),
            "a coordinator is not the manager: {c:?}"
        );
    }
}

#[test]
fn youth_union_has_departments_and_groups() {
    let d = demo();
    let ix = Index::new(&d);
    let u = ix.unit("CDVC-CDCS-002");
    assert_eq!(u.name, "Công đoàn cơ quan Trung ương Đoàn");
    assert_eq!(
        (u.type_code, u.parent_code.as_deref()),
        ("CDCS", Some("CDVC"))
    );
    assert_eq!(ix.unit("CDVC").name, "Công đoàn Viên chức Việt Nam");
    let parts: Vec<&str> = ix
        .kids(&u.code)
        .iter()
        .map(|c| ix.unit(c).name.as_str())
        .collect();
    assert_eq!(
        parts,
        [
            "Công đoàn Văn phòng Trung ương Đoàn",
            "Công đoàn Ban Tuyên giáo",
            "Công đoàn Nhà xuất bản Kim Đồng"
        ]
    );
    for bp in ix.kids(&u.code) {
        assert_eq!(ix.unit(bp).type_code, "CD_BO_PHAN");
        let groups = ix.kids(bp);
        assert!((1..=3).contains(&groups.len()), "{bp}");
        assert!(groups.iter().all(|g| ix.unit(g).type_code == "TO_CD"));
    }
    assert!(
        ix.members_within(&u.code)
            .all(|m| ix.unit(&m.unit_code).type_code == "TO_CD")
    );
}

#[test]
fn big_grassroots_units_have_groups() {
    let d = demo();
    let ix = Index::new(&d);
    let mut sizes = Vec::new();
    for u in d.units.iter().filter(|u| u.type_code == "CDCS") {
        let n = ix.members_within(&u.code).count();
        sizes.push(n);
        let groups = ix.kids(&u.code).len();
        if u.code != "CDVC-CDCS-002" {
            if n >= 60 {
                assert!(
                    (2..=5).contains(&groups),
                    "{}: {n} members, {groups} tổ",
                    u.code
                );
            } else {
                assert_eq!(groups, 0, "{}", u.code);
            }
        }
        if groups > 0 {
            assert!(
                d.members.iter().all(|m| m.unit_code != u.code),
                "{}: members go to the tổ",
                u.code
            );
        }
    }
    // Skewed sizes: most between 15 and 80, a few of 200–600.
    let small = sizes.iter().filter(|n| (15..=80).contains(*n)).count();
    let large = sizes.iter().filter(|n| (200..=600).contains(*n)).count();
    assert!(small * 100 >= sizes.len() * 65, "{sizes:?}");
    assert!((3..=6).contains(&large), "{sizes:?}");
    assert!(sizes.iter().all(|n| (15..=600).contains(n)), "{sizes:?}");
}

#[test]
fn members_are_valid_and_unique() {
    let d = demo();
    let ix = Index::new(&d);
    assert!(
        (3_000..=6_000).contains(&d.members.len()),
        "{} members",
        d.members.len()
    );
    let (mut cccds, mut phones, mut cards) = (HashSet::new(), HashSet::new(), HashSet::new());
    let ethnicities = [
        "Kinh",
        "Khmer",
        "Hoa",
        "Chăm",
        "Ê Đê",
        "Ba Na",
        "Xơ Đăng",
        "Hrê",
        "Co",
    ];
    for m in &d.members {
        let u = ix.unit(&m.unit_code);
        let deepest = match u.type_code {
            "TO_CD" => true,
            "CDCS" | "CD_BO_PHAN" => ix.kids(&u.code).is_empty(),
            _ => false,
        };
        assert!(
            deepest,
            "{} placed in {} ({})",
            m.full_name, u.code, u.type_code
        );
        let parsed =
            PersonName::parse(&m.full_name).unwrap_or_else(|e| panic!("{}: {e:?}", m.full_name));
        assert_eq!(parsed.full(), m.full_name, "NFC and single spaces");
        let c = Cccd::parse(&m.cccd).unwrap_or_else(|e| panic!("{}: {e:?}", m.cccd));
        assert_eq!(c.as_str(), m.cccd);
        c.check_against(m.birth_date, m.sex)
            .unwrap_or_else(|e| panic!("{} {}: {e:?}", m.cccd, m.birth_date));
        assert!(cccds.insert(m.cccd.as_str()), "duplicate CCCD {}", m.cccd);
        assert!(!RESERVED_CCCD.contains(&m.cccd.as_str()));
        if let Some(p) = &m.phone {
            let parsed = PhoneVn::parse(p).unwrap_or_else(|e| panic!("{p}: {e:?}"));
            assert!(
                parsed.is_mobile() && parsed.as_str() == p && p.len() == 10,
                "{p}"
            );
            assert!(phones.insert(p.as_str()), "duplicate phone {p}");
            assert!(!RESERVED_PHONES.contains(&p.as_str()));
        }
        match (&m.card_no, m.status) {
            (None, "applicant") => {}
            (Some(card), s) if s != "applicant" => {
                assert!(
                    card.len() == 9
                        && card[..2].bytes().all(|b| b.is_ascii_uppercase())
                        && card[2..].bytes().all(|b| b.is_ascii_digit()),
                    "{card}"
                );
                assert!(cards.insert(card.as_str()), "duplicate card {card}");
            }
            other => panic!("{}: card {other:?}", m.full_name),
        }
        assert!(
            (1965..=2005).contains(&m.birth_date.year()),
            "{}",
            m.birth_date
        );
        assert!(
            m.join_date >= add_years(m.birth_date, 18),
            "{}: joined under 18",
            m.full_name
        );
        assert!(
            m.join_date >= u.founded_on,
            "{}: joined before {} existed",
            m.full_name,
            u.code
        );
        assert!(m.join_date <= AS_OF);
        assert!(
            ethnicities.contains(&m.ethnicity.as_str()),
            "{}",
            m.ethnicity
        );
        assert_eq!(m.nationality, "Việt Nam");
        match m.status {
            "member" | "applicant" => assert!(m.status_reason.is_none()),
            "suspended" => assert!(m.status_reason.as_deref().is_some_and(|r| !r.is_empty())),
            "exited" => assert_eq!(m.status_reason.as_deref(), Some("Nghỉ việc")),
            s => panic!("status {s}"),
        }
        if let Some(j) = &m.job_title {
            assert_eq!(&nfc(j), j);
        }
    }
    // Province of CCCD registration: mostly the unit's historic province.
    let local = |root: &str, prefix: &str| {
        let all: Vec<&MemberSeed> = ix.members_within(root).collect();
        let n = all.iter().filter(|m| m.cccd.starts_with(prefix)).count();
        n * 100 / all.len()
    };
    assert!(local("AG", "089") >= 70);
    assert!(local("KG", "091") >= 70);
    assert!(local("KT", "062") >= 70);
    assert!(local("CDVC-CDCS-002", "001") >= 70);
}

#[test]
fn member_mix_is_plausible() {
    let d = demo();
    let ix = Index::new(&d);
    let n = d.members.len();
    let count = |f: &dyn Fn(&MemberSeed) -> bool| d.members.iter().filter(|m| f(m)).count();
    let per_mille = |k: usize| k * 1000 / n;
    let status = |s: &str| per_mille(count(&|m| m.status == s));
    assert!(
        (5..=20).contains(&status("applicant")),
        "applicants {}‰",
        status("applicant")
    );
    assert!(
        (12..=35).contains(&status("suspended")),
        "suspended {}‰",
        status("suspended")
    );
    assert!(
        (5..=20).contains(&status("exited")),
        "exited {}‰",
        status("exited")
    );
    let party = per_mille(count(&|m| m.party_member));
    assert!((70..=200).contains(&party), "party {party}‰");
    let female = per_mille(count(&|m| m.sex == Sex::Female));
    assert!((400..=620).contains(&female), "female {female}‰");
    // Sector shapes the mix: the shoe factory is mostly women, power mostly men,
    // and agencies have more Party members than factories.
    let share = |root: &str, f: &dyn Fn(&MemberSeed) -> bool| {
        let all: Vec<&MemberSeed> = ix.members_within(root).collect();
        all.iter().filter(|m| f(m)).count() * 100 / all.len()
    };
    assert!(share("AG-CDCS-025", &|m| m.sex == Sex::Female) >= 65);
    assert!(share("EVN-CDCS-002", &|m| m.sex == Sex::Female) <= 35);
    assert!(share("KG-VC", &|m| m.party_member) > 2 * share("AG-KCN", &|m| m.party_member).max(1));
    // Minorities where the province fits.
    assert!(ix.members_within("KT").any(|m| m.ethnicity == "Xơ Đăng"));
    assert!(ix.members_within("VRG").any(|m| m.ethnicity == "Ba Na"));
    assert!(ix.members_within("AG").any(|m| m.ethnicity == "Khmer"));
    assert!(ix.members_within("AG").any(|m| m.ethnicity == "Chăm"));
    assert!(ix.members_within("CDVC").all(|m| m.ethnicity == "Kinh"));
    // Surnames: Nguyễn leads among Kinh members at roughly 38 %.
    let kinh: Vec<&MemberSeed> = d.members.iter().filter(|m| m.ethnicity == "Kinh").collect();
    let nguyen = kinh
        .iter()
        .filter(|m| m.full_name.starts_with("Nguyễn "))
        .count()
        * 100
        / kinh.len();
    assert!((33..=43).contains(&nguyen), "Nguyễn {nguyen} %");
}

#[test]
fn names_search_tests_rely_on_exist() {
    let d = demo();
    let ix = Index::new(&d);
    assert_eq!(NAME_DUC, "Nguyễn Văn Đức");
    assert!(NAME_HOA_OLD.ends_with("Ho\u{e0}") && !NAME_HOA_OLD.contains('\u{f2}'));
    assert!(NAME_HOA_NEW.ends_with("H\u{f2}a") && !NAME_HOA_NEW.contains('\u{e0}'));
    for name in [NAME_DUC, NAME_HOA_OLD, NAME_HOA_NEW] {
        assert_eq!(nfc(name), name);
        let m = ix
            .members_within(DEMO_CDCS_CODE)
            .find(|m| m.full_name == name)
            .unwrap_or_else(|| panic!("{name} not in {DEMO_CDCS_CODE}"));
        assert_eq!(m.status, "member");
    }
    // Generated names use both spellings too.
    let given = |m: &&MemberSeed| m.full_name.rsplit(' ').next().unwrap_or("").to_owned();
    let old = d.members.iter().filter(|m| given(m) == "Ho\u{e0}").count();
    let new = d.members.iter().filter(|m| given(m) == "H\u{f2}a").count();
    assert!(old >= 3 && new >= 3, "Hoà {old}, Hòa {new}");
}

/// Mirrors the member search of the store (every folded query token is a
/// prefix of a folded name token; results by `name_sort_key`, then insertion
/// order; first page of 200), which the integration tests use.
fn search(d: &Dataset, q: &str) -> Vec<String> {
    let tokens: Vec<String> = fold(q).split(' ').map(str::to_owned).collect();
    let mut hits: Vec<(String, usize)> = d
        .members
        .iter()
        .enumerate()
        .filter(|(_, m)| {
            let key = fold(&m.full_name);
            tokens
                .iter()
                .all(|t| key.split(' ').any(|w| w.starts_with(t.as_str())))
        })
        .map(|(i, m)| (name_sort_key(&m.full_name), i))
        .collect();
    hits.sort();
    hits.into_iter()
        .take(200)
        .map(|(_, i)| d.members[i].full_name.clone())
        .collect()
}

#[test]
fn searches_of_the_integration_tests_find_their_names() {
    let d = demo();
    let found = search(&d, "nguyen van duc");
    assert!(found.iter().any(|n| n == NAME_DUC), "{found:?}");
    assert!(
        found.iter().all(|n| fold(n).contains("nguyen van duc")),
        "{found:?}"
    );
    let found = search(&d, "hoa");
    let last = |n: &String| n.rsplit(' ').next().unwrap_or("").to_owned();
    assert!(found.iter().any(|n| last(n) == "Ho\u{e0}"), "{found:?}");
    assert!(found.iter().any(|n| last(n) == "H\u{f2}a"), "{found:?}");
}

#[test]
fn committees_follow_the_rules() {
    let d = demo();
    let ix = Index::new(&d);
    let mut seen = HashSet::new();
    for c in &d.committees {
        assert!(
            ix.unit.contains_key(c.unit_code.as_str()),
            "{}",
            c.unit_code
        );
        assert!(["BCH", "BTV", "UBKT", "TO"].contains(&c.kind));
        assert!(
            seen.insert((c.unit_code.as_str(), c.kind)),
            "two {} in {}",
            c.kind,
            c.unit_code
        );
        assert_eq!(c.term_label, "2023–2028");
        assert_eq!(c.term_start.year(), 2023);
        assert_eq!(c.term_end, add_years(c.term_start, 5));
        assert!(c.term_no >= 1);
        let u = ix.unit(&c.unit_code);
        assert_eq!(c.kind == "TO", u.type_code == "TO_CD", "{c:?}");
        assert!(u.founded_on < c.term_start);
    }
    let has = |code: &str, kind: &str| seen.contains(&(code, kind));
    for u in &d.units {
        let active = ix.active_within(&u.code);
        match u.type_code {
            "CDCS" => {
                assert!(has(&u.code, "BCH"), "{} has no BCH", u.code);
                assert_eq!(
                    has(&u.code, "UBKT"),
                    active >= 30,
                    "{}: UBKT with {active} members",
                    u.code
                );
            }
            "TO_CD" => assert!(has(&u.code, "TO"), "{}", u.code),
            "CD_BO_PHAN" => assert!(has(&u.code, "BCH")),
            t if UPPER_TYPES.contains(&t) => {
                assert!(has(&u.code, "BCH") && has(&u.code, "UBKT"), "{}", u.code);
            }
            _ => {}
        }
    }
    for code in ["AG", "KT", "KG"] {
        assert!(has(code, "BCH") && has(code, "BTV"), "{code}");
    }
}

#[test]
fn positions_are_held_by_members_of_the_unit() {
    let d = demo();
    let ix = Index::new(&d);
    let committee: HashMap<(&str, &str), &CommitteeSeed> = d
        .committees
        .iter()
        .map(|c| ((c.unit_code.as_str(), c.kind), c))
        .collect();
    let allowed = |kind: &str, pos: &str| match kind {
        "BCH" => matches!(pos, "CHU_TICH" | "PHO_CHU_TICH" | "UV_BCH"),
        "BTV" => matches!(pos, "CHU_TICH" | "PHO_CHU_TICH" | "UV_BTV"),
        "UBKT" => matches!(pos, "CHU_NHIEM_UBKT" | "PHO_CHU_NHIEM_UBKT" | "UV_UBKT"),
        "TO" => matches!(pos, "TO_TRUONG" | "TO_PHO"),
        _ => false,
    };
    // (unit, kind) → current posts; (unit, kind, member) → posts, for overlap checks.
    let mut current: HashMap<(&str, &str), Vec<&str>> = HashMap::new();
    let mut by_holder: HashMap<(&str, &str, &str), Vec<&PositionSeed>> = HashMap::new();
    for p in &d.positions {
        let c = committee
            .get(&(p.unit_code.as_str(), p.committee_kind))
            .unwrap_or_else(|| panic!("no {} for {}", p.committee_kind, p.unit_code));
        assert!(
            allowed(p.committee_kind, p.position),
            "{} in {}",
            p.position,
            p.committee_kind
        );
        let m = &d.members[*ix
            .member_by_cccd
            .get(p.member_cccd.as_str())
            .unwrap_or_else(|| panic!("no member {}", p.member_cccd))];
        assert!(
            ix.within(&m.unit_code, &p.unit_code),
            "{} of {} works in {}",
            m.full_name,
            p.unit_code,
            m.unit_code
        );
        assert_eq!(m.status, "member", "{}", m.full_name);
        assert!(
            m.join_date < p.start,
            "{} joined after taking office",
            m.full_name
        );
        assert!(age_on(m.birth_date, p.start) >= 22);
        assert!(p.start >= c.term_start && p.start < c.term_end, "{p:?}");
        if let Some(end) = p.end {
            assert!(end > p.start && end <= AS_OF, "{p:?}");
        }
        if p.end.is_none() {
            current
                .entry((p.unit_code.as_str(), p.committee_kind))
                .or_default()
                .push(p.position);
        }
        by_holder
            .entry((
                p.unit_code.as_str(),
                p.committee_kind,
                p.member_cccd.as_str(),
            ))
            .or_default()
            .push(p);
    }
    for (key, posts) in &by_holder {
        // One post at a time per person and committee.
        for (i, a) in posts.iter().enumerate() {
            for b in &posts[i + 1..] {
                let a_end = a.end.unwrap_or(date!(9999 - 12 - 31));
                let b_end = b.end.unwrap_or(date!(9999 - 12 - 31));
                assert!(
                    a_end < b.start || b_end < a.start,
                    "overlapping posts {key:?}"
                );
            }
        }
    }
    for c in &d.committees {
        let posts = current
            .get(&(c.unit_code.as_str(), c.kind))
            .cloned()
            .unwrap_or_default();
        let n = |p: &str| posts.iter().filter(|x| **x == p).count();
        let u = ix.unit(&c.unit_code);
        let active = ix.active_within(&u.code);
        match c.kind {
            "BCH" => {
                assert_eq!(n("CHU_TICH"), 1, "{}", c.unit_code);
                assert!((1..=2).contains(&n("PHO_CHU_TICH")), "{}", c.unit_code);
                if u.type_code == "CDCS" {
                    // Elected at the congress at the HD 38 size; a seat may fall vacant later.
                    let elected: HashSet<&str> = d
                        .positions
                        .iter()
                        .filter(|p| {
                            p.unit_code == c.unit_code
                                && p.committee_kind == "BCH"
                                && p.start == c.term_start
                        })
                        .map(|p| p.member_cccd.as_str())
                        .collect();
                    assert_eq!(
                        elected.len(),
                        bch_cap_hd38(active),
                        "{}: BCH at the HD 38 size",
                        c.unit_code
                    );
                    assert!(
                        posts.len() <= bch_cap_hd38(active),
                        "{}: {} > cap",
                        c.unit_code,
                        posts.len()
                    );
                }
            }
            "BTV" => {
                let bch = current[&(c.unit_code.as_str(), "BCH")].len();
                assert!(
                    bch >= 9 && posts.len() * 3 <= bch,
                    "{}: BTV {} of BCH {bch}",
                    c.unit_code,
                    posts.len()
                );
                assert_eq!(n("CHU_TICH"), 1);
            }
            "UBKT" => {
                assert_eq!(n("CHU_NHIEM_UBKT"), 1, "{}", c.unit_code);
                assert!(posts.len() >= 3 && posts.len() <= 9, "{}", c.unit_code);
            }
            "TO" => {
                assert_eq!(n("TO_TRUONG"), 1, "{}", c.unit_code);
                assert_eq!(
                    n("TO_PHO"),
                    usize::from(ix.members_within(&u.code).count() > 15),
                    "{}",
                    c.unit_code
                );
            }
            _ => unreachable!(),
        }
    }
    // The chair of a BTV is the chair of the BCH.
    for c in d.committees.iter().filter(|c| c.kind == "BTV") {
        let chair = |kind: &str| {
            d.positions
                .iter()
                .find(|p| {
                    p.unit_code == c.unit_code
                        && p.committee_kind == kind
                        && p.position == "CHU_TICH"
                        && p.end.is_none()
                })
                .map(|p| p.member_cccd.as_str())
        };
        assert_eq!(chair("BTV"), chair("BCH"), "{}", c.unit_code);
    }
    // A little history exists.
    assert!(
        d.positions
            .iter()
            .any(|p| p.end.is_some() && p.position == "CHU_TICH")
    );
    assert!(d.positions.iter().any(|p| !p.elected));
}

#[test]
fn provincial_leaders_work_in_their_office() {
    let d = demo();
    let ix = Index::new(&d);
    for (province, office) in [
        ("AG", "AG-CDCS-001"),
        ("KT", "KT-CDCS-001"),
        ("KG", "KG-CDCS-001"),
    ] {
        let btv: Vec<&PositionSeed> = d
            .positions
            .iter()
            .filter(|p| p.unit_code == province && p.committee_kind == "BTV" && p.end.is_none())
            .collect();
        assert!(
            (5..=7).contains(&btv.len()),
            "{province}: BTV of {}",
            btv.len()
        );
        assert_eq!(btv.iter().filter(|p| p.position == "CHU_TICH").count(), 1);
        assert_eq!(
            btv.iter().filter(|p| p.position == "PHO_CHU_TICH").count(),
            2
        );
        for p in &btv {
            let m = &d.members[ix.member_by_cccd[p.member_cccd.as_str()]];
            assert!(
                ix.within(&m.unit_code, office),
                "{province} BTV member from {}",
                m.unit_code
            );
            assert!(p.full_time);
        }
        let chair = btv.iter().find(|p| p.position == "CHU_TICH").unwrap();
        let m = &d.members[ix.member_by_cccd[chair.member_cccd.as_str()]];
        assert!(m.party_member);
        assert!(
            m.job_title
                .as_deref()
                .is_some_and(|t| t.starts_with("Chủ tịch Liên đoàn Lao động tỉnh"))
        );
    }
}

#[test]
fn accounts_point_at_real_units() {
    let d = demo();
    let ix = Index::new(&d);
    let names: Vec<&str> = d.accounts.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(
        names,
        [
            "admin",
            "btv.angiang",
            "lddl.kontum",
            "cdcs.officer",
            "cdcs.viewer",
            "cdcs.other"
        ]
    );
    for a in &d.accounts {
        assert_eq!(a.password, DEMO_PASSWORD);
        assert_eq!(nfc(&a.display_name), a.display_name);
        assert_eq!(a.admin, a.username == "admin");
        assert_eq!(a.grants.is_empty(), a.admin);
        for (code, role) in &a.grants {
            assert!(ix.unit.contains_key(code.as_str()), "{code}");
            assert!(matches!(*role, "officer" | "viewer"));
        }
    }
    let grant = |user: &str| {
        d.accounts
            .iter()
            .find(|a| a.username == user)
            .unwrap()
            .grants
            .clone()
    };
    assert_eq!(grant("btv.angiang"), [("AG".to_owned(), "officer")]);
    assert_eq!(grant("lddl.kontum"), [("KT".to_owned(), "officer")]);
    assert_eq!(
        grant("cdcs.officer"),
        [(DEMO_CDCS_CODE.to_owned(), "officer")]
    );
    assert_eq!(
        grant("cdcs.viewer"),
        [(DEMO_CDCS_CODE.to_owned(), "viewer")]
    );
    assert_eq!(
        grant("cdcs.other"),
        [(DEMO_OTHER_CDCS_CODE.to_owned(), "officer")]
    );
    assert_eq!(
        d.accounts
            .iter()
            .find(|a| a.username == "btv.angiang")
            .unwrap()
            .display_name,
        "Thường trực LĐLĐ An Giang"
    );
    assert_ne!(DEMO_CDCS_CODE, DEMO_OTHER_CDCS_CODE);
    for code in [DEMO_CDCS_CODE, DEMO_OTHER_CDCS_CODE] {
        assert_eq!(ix.unit(code).type_code, "CDCS");
        assert!(ix.within(code, "AG"));
        assert!(
            d.moves.iter().all(|m| m.unit_code != code),
            "{code} never moved"
        );
        assert!(
            ix.active_within(code) >= 30,
            "{code} is big enough for UBKT tests"
        );
        assert!(
            !ix.within(DEMO_CDCS_CODE, DEMO_OTHER_CDCS_CODE)
                && !ix.within(DEMO_OTHER_CDCS_CODE, DEMO_CDCS_CODE)
        );
    }
}

#[test]
fn all_text_is_nfc() {
    let d = demo();
    let check = |s: &str| assert_eq!(nfc(s), s, "{s:?}");
    for u in &d.units {
        check(&u.name);
        u.sector.as_deref().map(check);
        u.address.as_deref().map(check);
        u.founding_decision.as_deref().map(check);
    }
    for m in &d.members {
        check(&m.full_name);
        check(&m.ethnicity);
        m.status_reason.as_deref().map(check);
    }
    for m in &d.moves {
        check(&m.reason);
    }
    for c in &d.coordination {
        check(&c.note);
    }
}
