//! Checks of the national generator: the store's bulk loader relies on every
//! invariant asserted here.

use std::collections::{HashMap, HashSet};

use congdoan_domain::cccd::{CCCD_PROVINCE_CODES, Cccd};
use congdoan_domain::member::Sex;
use congdoan_domain::phone::PhoneVn;
use congdoan_domain::text::{PersonName, nfc};

use super::batch::Ids;
use super::places::{PROVINCES, provinces};
use super::*;
use crate::MemberSeed;
use crate::people::{RESERVED_CCCD, age_on};
use time::macros::date;

/// Unit types of today's tree (the historic LDLD_HUYEN and CD_NGANH_DP are
/// not among them).
const CURRENT_TYPES: &[&str] = &[
    "TLD",
    "LDLD_TINH",
    "CD_NGANH_TW",
    "CD_TAP_DOAN",
    "CD_KCN",
    "CD_XA",
    "CDCS",
    "CD_BO_PHAN",
    "TO_CD",
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

fn country(members: u64, seed: u64) -> Country {
    Country::generate(&CountryOptions { members, seed })
}

#[test]
fn same_seed_same_country_other_seed_other_country() {
    let a = country(5_000, 9);
    let b = country(5_000, 9);
    assert_eq!(a.units, b.units);
    assert_eq!(a.coordination, b.coordination);
    let batches = |c: &Country| c.batches().collect::<Vec<_>>();
    let (ba, bb) = (batches(&a), batches(&b));
    assert_eq!(ba, bb);
    let other = country(5_000, 10);
    assert_ne!(a.units, other.units);
    let names = |bs: &[UnitBatch]| -> Vec<String> {
        bs.iter()
            .flat_map(|b| b.members.iter().map(|m| m.full_name.clone()))
            .collect()
    };
    assert_ne!(names(&ba), names(&batches(&other)));
}

#[test]
fn the_member_total_is_exact() {
    for n in [0, 1, 29, 30, 31, 1_000, 3_000, 100_000] {
        let c = country(n, 3);
        assert_eq!(c.member_count(), n);
        let got: u64 = c.batches().map(|b| b.members.len() as u64).sum();
        assert_eq!(got, n, "members generated for {n}");
        let planned: u64 = c.planned_cdcs_sizes().iter().map(|&s| u64::from(s)).sum();
        assert_eq!(planned, n);
        assert_eq!(
            c.batches().size_hint(),
            (c.holders.len(), Some(c.holders.len()))
        );
    }
}

#[test]
fn the_stream_can_cross_threads() {
    fn assert_send<T: Send>(_: &T) {}
    let c = country(100, 1);
    assert_send(&c.batches());
}

/// Structural checks shared by the small and the national tree.
fn check_tree(c: &Country) {
    let divisions: HashMap<i32, HashSet<i32>> = provinces()
        .into_iter()
        .map(|p| (i32::from(p.code), p.wards.iter().map(|w| w.code).collect()))
        .collect();
    let mut seen: HashMap<&str, &UnitSeed> = HashMap::new();
    let mut tax_ids = HashSet::new();
    for u in &c.units {
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
            CURRENT_TYPES.contains(&u.type_code),
            "{}: {}",
            u.code,
            u.type_code
        );
        assert_eq!(nfc(&u.name), u.name, "{}", u.code);
        match &u.parent_code {
            None => assert_eq!(u.type_code, "TLD"),
            Some(p) => {
                let parent = seen
                    .get(p.as_str())
                    .unwrap_or_else(|| panic!("{} comes before its parent {p}", u.code));
                assert!(u.code.starts_with(&format!("{p}-")) || parent.type_code == "TLD");
                let allowed: &[&str] = match u.type_code {
                    "LDLD_TINH" | "CD_NGANH_TW" | "CD_TAP_DOAN" => &["TLD"],
                    "CD_KCN" | "CD_XA" => &["LDLD_TINH"],
                    "CDCS" => &["LDLD_TINH", "CD_NGANH_TW", "CD_TAP_DOAN", "CD_KCN", "CD_XA"],
                    "CD_BO_PHAN" => &["CDCS"],
                    "TO_CD" => &["CDCS", "CD_BO_PHAN"],
                    t => panic!("unexpected type {t}"),
                };
                assert!(
                    allowed.contains(&parent.type_code),
                    "{} under {}",
                    u.code,
                    p
                );
                if matches!(u.type_code, "CD_BO_PHAN" | "TO_CD") {
                    assert!(u.founded_on >= parent.founded_on, "{}", u.code);
                }
            }
        }
        assert!(
            seen.insert(&u.code, u).is_none(),
            "duplicate code {}",
            u.code
        );
        let province = u.province_code.expect("every unit has a province");
        let commune = u.commune_code.expect("every unit has a commune");
        let wards = divisions
            .get(&province)
            .unwrap_or_else(|| panic!("{}: province {province}", u.code));
        assert!(
            wards.contains(&commune),
            "{}: commune {commune} not in {province}",
            u.code
        );
        if u.type_code == "CDCS" {
            let e = u.employer.as_ref().expect("a CĐCS has an employer");
            assert!(OWNERSHIPS.contains(&e.ownership), "{}", e.ownership);
            assert!(u.sector.is_some() && u.address.is_some() && u.founding_decision.is_some());
            assert!(
                tax_ids.insert(e.tax_id.clone()),
                "duplicate tax id {}",
                e.tax_id
            );
            let digits: Vec<u32> = e.tax_id.chars().filter_map(|d| d.to_digit(10)).collect();
            assert_eq!((e.tax_id.len(), digits.len()), (10, 10), "{}", e.tax_id);
            let sum: u32 = digits[..9]
                .iter()
                .zip([31, 29, 23, 19, 17, 13, 7, 5, 3])
                .map(|(d, w)| d * w)
                .sum();
            assert_eq!(digits[9], 10 - sum % 11, "check digit of {}", e.tax_id);
            assert!(u.founded_on <= LAST_FOUNDING);
        }
    }
    let count = |t: &str| c.units.iter().filter(|u| u.type_code == t).count();
    assert_eq!(count("TLD"), 1);
    assert_eq!(count("LDLD_TINH"), 34);
    assert_eq!(count("CD_NGANH_TW"), 20);
    assert_eq!(count("CD_TAP_DOAN"), 15);
    assert!(count("CD_KCN") >= 20);
    // Each coordination link: a central union's CĐCS, coordinated by the
    // federation of the province it is in.
    let mut links = HashSet::new();
    for k in &c.coordination {
        let u = seen[k.unit_code.as_str()];
        let parent = seen[u.parent_code.as_deref().unwrap_or_default()];
        assert!(matches!(parent.type_code, "CD_NGANH_TW" | "CD_TAP_DOAN"));
        let coordinator = seen[k.coordinator_code.as_str()];
        assert_eq!(coordinator.type_code, "LDLD_TINH");
        assert_eq!(coordinator.province_code, u.province_code);
        assert!(links.insert(&k.unit_code));
    }
    // Head counts cover the planned members.
    let sizes = c.planned_cdcs_sizes();
    let cdcs: Vec<&UnitSeed> = c.units.iter().filter(|u| u.type_code == "CDCS").collect();
    assert_eq!(sizes.len(), cdcs.len());
    for (u, &s) in cdcs.iter().zip(&sizes) {
        let e = u.employer.as_ref().expect("employer");
        assert!(i64::from(e.head_count) >= i64::from(s), "{}", u.code);
        assert!(s >= 1);
    }
}

#[test]
fn the_national_tree_has_the_2025_shape() {
    let c = country(10_000_000, 1);
    check_tree(&c);
    let count = |t: &str| c.units.iter().filter(|u| u.type_code == t).count();
    assert_eq!(count("CDCS"), 125_000);
    assert!(
        (1_800..=2_200).contains(&count("CD_XA")),
        "{}",
        count("CD_XA")
    );
    assert!(!c.coordination.is_empty());
    let mut sizes = c.planned_cdcs_sizes();
    sizes.sort_unstable();
    let median = sizes[sizes.len() / 2];
    assert!((15..=40).contains(&median), "median {median}");
    let max = *sizes.last().expect("CĐCS");
    assert!((10_000..=MAX_CDCS).contains(&max), "largest {max}");
    let small = sizes.iter().filter(|&&s| s < 50).count();
    assert!(small * 2 > sizes.len(), "{small} under 50");
    // Every upper union but the TLĐ has its committees staffed from a batch.
    let staffed: HashSet<usize> = c
        .holders
        .iter()
        .flat_map(|h| h.tasks.iter().map(|t| t.unit))
        .collect();
    for (i, u) in c.units.iter().enumerate() {
        if u.type_code != "TLD" {
            assert!(staffed.contains(&i), "{} has no committee", u.code);
        }
    }
}

#[test]
fn sizes_are_skewed_at_a_million() {
    let c = country(1_000_000, 2);
    let mut sizes = c.planned_cdcs_sizes();
    assert_eq!(sizes.len(), 12_500);
    sizes.sort_unstable();
    assert!(
        sizes[sizes.len() / 2] < 50,
        "median {}",
        sizes[sizes.len() / 2]
    );
    assert!(*sizes.last().expect("CĐCS") > 1_000);
}

#[test]
fn people_posts_and_committees_are_consistent() {
    let c = country(200_000, 5);
    check_tree(&c);
    let units: HashMap<&str, &UnitSeed> = c.units.iter().map(|u| (u.code.as_str(), u)).collect();
    let parents: HashSet<&str> = c
        .units
        .iter()
        .filter_map(|u| u.parent_code.as_deref())
        .collect();
    let cdcs_of = |code: &str| -> &UnitSeed {
        let mut u = units[code];
        while u.type_code != "CDCS" {
            u = units[u.parent_code.as_deref().expect("under a CĐCS")];
        }
        u
    };
    let sizes: HashMap<&str, u32> = c
        .units
        .iter()
        .filter(|u| u.type_code == "CDCS")
        .map(|u| u.code.as_str())
        .zip(c.planned_cdcs_sizes())
        .collect();
    let (mut cccds, mut cards, mut phones) = (HashSet::new(), HashSet::new(), HashSet::new());
    let mut committees: HashSet<(String, &str)> = HashSet::new();
    let mut per_cdcs: HashMap<&str, u32> = HashMap::new();
    let (mut women, mut party, mut kinh, mut total) = (0u32, 0u32, 0u32, 0u32);
    for b in c.batches() {
        let holder = b.members.first().map(|m| m.unit_code.clone());
        let here: HashMap<&str, &MemberSeed> =
            b.members.iter().map(|m| (m.cccd.as_str(), m)).collect();
        for m in &b.members {
            total += 1;
            assert_eq!(Some(&m.unit_code), holder.as_ref(), "one unit per batch");
            let u = units[m.unit_code.as_str()];
            assert!(
                matches!(u.type_code, "CDCS" | "CD_BO_PHAN" | "TO_CD")
                    && !parents.contains(u.code.as_str()),
                "{} does not hold members",
                u.code
            );
            *per_cdcs
                .entry(cdcs_of(&m.unit_code).code.as_str())
                .or_default() += 1;
            let id = Cccd::parse(&m.cccd).unwrap_or_else(|e| panic!("{}: {e:?}", m.cccd));
            id.check_against(m.birth_date, m.sex)
                .unwrap_or_else(|e| panic!("{} {}: {e:?}", m.cccd, m.birth_date));
            assert!(cccds.insert(m.cccd.clone()), "duplicate CCCD {}", m.cccd);
            assert!(!RESERVED_CCCD.contains(&m.cccd.as_str()));
            if let Some(card) = &m.card_no {
                assert!(cards.insert(card.clone()), "duplicate card {card}");
            }
            if let Some(p) = &m.phone {
                let parsed = PhoneVn::parse(p).unwrap_or_else(|e| panic!("{p}: {e:?}"));
                assert_eq!(parsed.as_str(), p);
                assert!(p.len() == 10 && matches!(&p[..2], "03" | "05" | "07" | "08" | "09"));
                assert!(phones.insert(p.clone()), "duplicate phone {p}");
            }
            assert_eq!(nfc(&m.full_name), m.full_name);
            PersonName::parse(&m.full_name).unwrap_or_else(|e| panic!("{}: {e:?}", m.full_name));
            let age = age_on(m.birth_date, AS_OF);
            assert!((18..=60).contains(&age), "{age}");
            assert!(m.join_date >= add_years(m.birth_date, 18));
            assert!(m.join_date >= cdcs_of(&m.unit_code).founded_on);
            assert!(
                m.join_date <= AS_OF && m.status_since >= m.join_date && m.status_since <= AS_OF
            );
            assert_eq!(m.nationality, "Việt Nam");
            match m.status {
                "member" | "applicant" => {
                    assert!(m.status_reason.is_none() && m.status_since == m.join_date)
                }
                "suspended" | "exited" => assert!(m.status_reason.is_some()),
                s => panic!("status {s}"),
            }
            if m.status == "applicant" {
                assert!(m.card_no.is_none());
            }
            women += u32::from(m.sex == Sex::Female);
            party += u32::from(m.party_member);
            kinh += u32::from(m.ethnicity == "Kinh");
        }
        for k in &b.committees {
            assert!(units.contains_key(k.unit_code.as_str()));
            assert!(
                committees.insert((k.unit_code.clone(), k.kind)),
                "{} {} twice",
                k.unit_code,
                k.kind
            );
            assert!(k.term_start < k.term_end && k.term_start <= AS_OF);
        }
        let in_batch: HashSet<(&str, &str)> = b
            .committees
            .iter()
            .map(|k| (k.unit_code.as_str(), k.kind))
            .collect();
        // Current BCH and BTV seats per unit.
        let mut bch: HashMap<&str, HashSet<&str>> = HashMap::new();
        let mut btv: HashMap<&str, HashSet<&str>> = HashMap::new();
        for p in &b.positions {
            let m = here.get(p.member_cccd.as_str()).unwrap_or_else(|| {
                panic!("holder of {} {} outside the batch", p.unit_code, p.position)
            });
            assert_eq!(m.status, "member");
            assert!(in_batch.contains(&(p.unit_code.as_str(), p.committee_kind)));
            assert!(p.end.is_none_or(|e| e >= p.start && e <= AS_OF));
            let expected = match p.position {
                "CHU_TICH" | "PHO_CHU_TICH" => &["BCH", "BTV"][..],
                "UV_BCH" => &["BCH"],
                "UV_BTV" => &["BTV"],
                "CHU_NHIEM_UBKT" | "PHO_CHU_NHIEM_UBKT" | "UV_UBKT" => &["UBKT"],
                "TO_TRUONG" | "TO_PHO" => &["TO"],
                x => panic!("position {x}"),
            };
            assert!(
                expected.contains(&p.committee_kind),
                "{} in {}",
                p.position,
                p.committee_kind
            );
            if p.end.is_none() {
                let seats = if p.committee_kind == "BCH" {
                    &mut bch
                } else {
                    &mut btv
                };
                if matches!(p.committee_kind, "BCH" | "BTV") {
                    seats
                        .entry(p.unit_code.as_str())
                        .or_default()
                        .insert(p.member_cccd.as_str());
                }
            }
        }
        for (unit, seats) in &bch {
            let u = units[unit];
            if u.type_code == "CDCS" {
                let cap = bch_cap_hd38(sizes[unit] as usize);
                assert!(seats.len() <= cap, "{unit}: BCH {} > {cap}", seats.len());
            }
            if let Some(standing) = btv.get(unit) {
                // (A chair who left mid-term leaves one seat empty.)
                assert!(
                    seats.len() >= 8 && standing.len() * 3 <= seats.len() + 2,
                    "{unit}"
                );
            }
        }
    }
    assert_eq!(total, 200_000);
    // Every CĐCS has its BCH; every tổ its leader.
    for u in &c.units {
        let kinds: &[&str] = match u.type_code {
            "CDCS" | "CD_BO_PHAN" => &["BCH"],
            "TO_CD" => &["TO"],
            "LDLD_TINH" | "CD_NGANH_TW" | "CD_TAP_DOAN" => &["BCH", "BTV", "UBKT"],
            _ => &[],
        };
        for &k in kinds {
            assert!(
                committees.contains(&(u.code.clone(), k)),
                "{} has no {k}",
                u.code
            );
        }
    }
    // Planned sizes are what was generated.
    assert_eq!(per_cdcs, sizes);
    // The mix is plausible.
    let share = |n: u32| n * 1000 / total;
    assert!(
        (450..=620).contains(&share(women)),
        "women {}‰",
        share(women)
    );
    assert!(
        (50..=110).contains(&share(party)),
        "Party {}‰",
        share(party)
    );
    assert!((880..=980).contains(&share(kinh)), "Kinh {}‰", share(kinh));
    let with_card = share(cards.len() as u32);
    assert!((850..=920).contains(&with_card), "cards {with_card}‰");
    let with_phone = share(phones.len() as u32);
    assert!((820..=880).contains(&with_phone), "phones {with_phone}‰");
}

#[test]
fn the_province_table_matches_the_divisions_file() {
    let ps = provinces();
    assert_eq!(ps.len(), 34);
    assert_eq!(PROVINCES.len(), 34);
    let mut tax_prefixes = HashSet::new();
    let mut cccd_codes = HashSet::new();
    for p in &ps {
        assert!(!p.wards.is_empty());
        assert!(p.info.parks <= p.info.old.len());
        let ethnic: u32 = p.info.ethnic.iter().map(|e| e.1).sum();
        assert!(ethnic > 0 && p.info.minority < 1000);
        for &(cccd, tax, w) in p.info.old {
            assert!(
                CCCD_PROVINCE_CODES.iter().any(|(c, _)| *c == cccd),
                "CCCD code {cccd}"
            );
            assert!((1..=99).contains(&tax) && w > 0);
            assert!(tax_prefixes.insert(tax), "tax prefix {tax} twice");
            assert!(cccd_codes.insert(cccd), "CCCD code {cccd} twice");
        }
    }
    // The 63 former provinces, each merged into exactly one of the 34.
    assert_eq!(cccd_codes.len(), CCCD_PROVINCE_CODES.len());
}

#[test]
fn cccd_buckets_overflow_into_the_next_province() {
    let mut ids = Ids::new(1, 1);
    let first = ids.cccd(1, 1990, Sex::Male);
    assert!(first.starts_with("001090"), "{first}");
    ids.exhaust(1, 1990, Sex::Male);
    let next = ids.cccd(1, 1990, Sex::Male);
    assert!(next.starts_with("002090"), "{next}");
    Cccd::parse(&next).expect("valid");
}

#[test]
fn fitting_a_board_keeps_it_well_formed() {
    let task = Task {
        unit: 0,
        body: Body::Board {
            bch: 33,
            vices: 2,
            btv: 11,
            ubkt: 7,
            staff: Staff::Office,
            grassroots: false,
            party_chair: true,
        },
        term: Term {
            no: 1,
            label: "2023–2028",
            start: date!(2023 - 08 - 01),
            end: date!(2028 - 08 - 01),
            elected: true,
        },
    };
    assert_eq!(task.persons(), 39);
    assert!(fit(task.clone(), 0).is_none());
    for room in 1..60 {
        let t = fit(task.clone(), room).expect("someone is left");
        assert!(t.persons() <= room, "{room}");
        let Body::Board {
            bch,
            vices,
            btv,
            ubkt,
            ..
        } = t.body
        else {
            panic!("a board stays a board");
        };
        assert!(bch >= 1 && vices < bch.max(2) && btv * 3 <= bch && ubkt <= bch);
    }
}
