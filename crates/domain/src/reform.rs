//! The 2025 reform (sắp xếp tổ chức bộ máy, domain.md §1.3) as a ready plan for one
//! province: provincial federations merged into it, its LĐLĐ huyện and local sector
//! unions (the CĐ Viên chức tỉnh among them) dissolved, commune unions created where
//! the criteria allow, each CĐCS of a dissolved unit re-homed by its employer's
//! commune, and the CĐCS of agencies paid fully by the state budget ended. The
//! result is an ordinary list of operations: the user reviews and edits it, and the
//! preview checks it like any other plan.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::Date;

use crate::divisions::commune_union_name;
use crate::restructure::{Op, PlanError, Snapshot, UnitRef};
use crate::text::fold;

/// Unit types ended by the provincial BTV from 1/7/2025 (CV 4173/TLĐ-ToC).
pub const DISSOLVED_TYPES: [&str; 2] = ["LDLD_HUYEN", "CD_NGANH_DP"];

/// Employers whose staff are paid fully by the state budget (CV 4133/TLĐ-ToC).
pub const STATE_FUNDED: [&str; 2] = ["state_agency", "public_full"];

pub const DISSOLVE_REASON: &str = "Sắp xếp tổ chức bộ máy: kết thúc hoạt động công đoàn cấp trên trung gian từ 01/7/2025 (Công văn 4173/TLĐ-ToC)";
pub const END_REASON: &str = "Cơ quan, đơn vị hưởng 100% lương từ ngân sách nhà nước: không thuộc đối tượng kết nạp đoàn viên từ 01/6/2025 (Công văn 4133/TLĐ-ToC)";

/// What the generator knows of a unit beyond the plan's snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// Commune code (2025 list) of the employer's address.
    pub commune: Option<i64>,
    /// `state_agency`, `public_full`, `public_partial`, `soe`, `private`, `fdi`, `coop`…
    pub ownership: Option<String>,
    pub employer: Option<String>,
}

/// Where the CĐCS of a commune under the criteria go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnderCriteria {
    /// Into a commune union shared with the neighbouring communes (the next ones in the
    /// divisions list) until the group meets the criteria.
    #[default]
    Neighbours,
    /// Directly under the provincial federation (the An Giang model of seed 000).
    Federation,
}

/// The request: the federation that remains, the ones merged into it, the date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReformRequest {
    pub federation: i64,
    pub merged: Vec<i64>,
    pub on: Date,
    pub under_criteria: UnderCriteria,
}

/// A line of explanation shown with the generated plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub message_vi: String,
    pub message_en: String,
}

/// The generated operations and why each group was formed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Draft {
    pub ops: Vec<Op>,
    pub notes: Vec<Note>,
}

fn refuse(code: &'static str, vi: String, en: String) -> PlanError {
    PlanError {
        op: 0,
        code,
        message_vi: vi,
        message_en: en,
    }
}

fn note(d: &mut Draft, vi: String, en: String) {
    d.notes.push(Note {
        message_vi: vi,
        message_en: en,
    });
}

/// One commune union to create: its seat (the first commune) and the communes and
/// CĐCS it covers.
#[derive(Default)]
struct Group {
    communes: Vec<(i64, String)>,
    cdcs: Vec<i64>,
    members: i64,
}

impl Group {
    fn absorb(&mut self, other: Group) {
        self.communes.extend(other.communes);
        self.cdcs.extend(other.cdcs);
        self.members += other.members;
    }
}

/// Builds the reform plan for `req.federation` over `snap` (which must hold the
/// federation's subtree and the merged ones'). `communes` lists the province's
/// communes in the order of the divisions file, where neighbours sit together.
pub fn reform_2025(
    snap: &Snapshot,
    places: &BTreeMap<i64, Place>,
    communes: &[(i64, String)],
    req: &ReformRequest,
) -> Result<Draft, PlanError> {
    let grassroots: BTreeSet<&str> = snap
        .types
        .iter()
        .filter(|t| t.grassroots)
        .map(|t| t.code.as_str())
        .collect();
    let federation = |id: i64| {
        snap.units
            .get(&id)
            .filter(|u| !u.ended && u.type_code == "LDLD_TINH")
            .ok_or_else(|| {
                refuse(
                    "VL0730",
                    format!("đơn vị #{id} không phải một Liên đoàn Lao động tỉnh đang hoạt động trong phạm vi của phương án."),
                    format!("unit #{id} is not an active provincial federation within the plan's scope."),
                )
            })
    };
    let fed = federation(req.federation)?.clone();
    let merged = req
        .merged
        .iter()
        .filter(|&&m| m != fed.id)
        .map(|&m| federation(m).cloned())
        .collect::<Result<Vec<_>, _>>()?;
    let mut children: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for u in snap.units.values().filter(|u| !u.ended) {
        if let Some(p) = u.parent {
            children.entry(p).or_default().push(u.id);
        }
    }
    let kids = |id: i64| children.get(&id).cloned().unwrap_or_default();
    let is_cdcs = |id: i64| grassroots.contains(snap.units[&id].type_code.as_str());
    // The CĐCS of a union's own staff (cơ quan LĐLĐ): its employer is its parent.
    let office_of = |id: i64| {
        let name = fold(&snap.units[&id].name);
        kids(id).into_iter().find(|&c| {
            is_cdcs(c)
                && places
                    .get(&c)
                    .and_then(|p| p.employer.as_deref())
                    .is_some_and(|e| fold(e) == name)
        })
    };
    let mut d = Draft::default();

    // 1. Provincial federations merged into this one, and their offices' unions.
    let fed_office = office_of(fed.id);
    let mut offices: BTreeSet<i64> = fed_office.into_iter().collect();
    for m in &merged {
        d.ops.push(Op::Merge {
            units: vec![m.id],
            into: UnitRef::Id(fed.id),
        });
        let m_office = office_of(m.id);
        offices.extend(m_office);
        if let (Some(mo), Some(fo)) = (m_office, fed_office) {
            d.ops.push(Op::Merge {
                units: vec![mo],
                into: UnitRef::Id(fo),
            });
            note(
                &mut d,
                format!(
                    "{} sáp nhập vào {}; {} sáp nhập vào {}.",
                    m.name, fed.name, snap.units[&mo].name, snap.units[&fo].name
                ),
                format!(
                    "{} merges into {}; its office union into {}.",
                    m.code, fed.code, snap.units[&fo].code
                ),
            );
        }
    }

    // The region: every live unit below the federations, in code order.
    let mut region = Vec::new();
    let mut stack: Vec<i64> = std::iter::once(fed.id)
        .chain(merged.iter().map(|m| m.id))
        .collect();
    while let Some(id) = stack.pop() {
        for c in kids(id) {
            region.push(c);
            stack.push(c);
        }
    }
    region.sort_by(|a, b| snap.units[a].code.cmp(&snap.units[b].code));

    // 2. CĐCS of agencies paid fully by the state budget end; their members leave.
    let mut ended = BTreeSet::new();
    for &id in &region {
        let state_funded = places
            .get(&id)
            .and_then(|p| p.ownership.as_deref())
            .is_some_and(|o| STATE_FUNDED.contains(&o));
        if is_cdcs(id) && state_funded && !offices.contains(&id) {
            d.ops.push(Op::End {
                unit: id,
                reason: END_REASON.into(),
            });
            ended.insert(id);
        }
    }
    if !ended.is_empty() {
        let members: i64 = ended.iter().map(|id| snap.units[id].cdcs_members).sum();
        note(
            &mut d,
            format!(
                "{} CĐCS của cơ quan, đơn vị hưởng 100% lương ngân sách kết thúc hoạt động; {} đoàn viên ra khỏi tổ chức công đoàn.",
                ended.len(),
                crate::format_int(members)
            ),
            format!(
                "{} grassroots unions of fully state-funded agencies end; {members} members leave the union.",
                ended.len()
            ),
        );
    }

    // 3. The intermediate tier and the CĐCS it managed.
    let dissolved: Vec<i64> = region
        .iter()
        .copied()
        .filter(|&id| DISSOLVED_TYPES.contains(&snap.units[&id].type_code.as_str()))
        .collect();
    let rehome: Vec<i64> = dissolved
        .iter()
        .flat_map(|&u| kids(u))
        .filter(|&c| is_cdcs(c) && !ended.contains(&c))
        .collect();

    // 4. Group them by the commune of the employer, neighbours together.
    let order: BTreeMap<i64, (usize, &str)> = communes
        .iter()
        .enumerate()
        .map(|(i, (c, name))| (*c, (i, name.as_str())))
        .collect();
    let mut by_commune: BTreeMap<(usize, i64), Vec<i64>> = BTreeMap::new();
    let mut direct = Vec::new();
    for &c in &rehome {
        match places.get(&c).and_then(|p| p.commune) {
            Some(code) => by_commune
                .entry((order.get(&code).map_or(usize::MAX, |o| o.0), code))
                .or_default()
                .push(c),
            None => direct.push(c),
        }
    }
    if !direct.is_empty() {
        note(
            &mut d,
            format!(
                "{} CĐCS chưa có địa chỉ xã, phường: LĐLĐ tỉnh trực tiếp quản lý (sửa trong phương án nếu cần).",
                direct.len()
            ),
            format!(
                "{} grassroots unions have no commune in their address: they go directly under the federation.",
                direct.len()
            ),
        );
    }
    let (min_members, min_cdcs) = (
        snap.rules.commune_min_members.unwrap_or(0),
        snap.rules.commune_min_cdcs.unwrap_or(0),
    );
    let meets = |g: &Group| g.members >= min_members && g.cdcs.len() as i64 >= min_cdcs;
    let name_of = |code: i64| {
        order
            .get(&code)
            .map_or_else(|| format!("Xã {code}"), |o| o.1.to_string())
    };
    let mut groups: Vec<Group> = Vec::new();
    let mut pending = Group::default();
    let mut under = 0;
    for ((_, code), cdcs) in by_commune {
        let g = Group {
            communes: vec![(code, name_of(code))],
            members: cdcs.iter().map(|c| snap.units[c].cdcs_members).sum(),
            cdcs,
        };
        if meets(&g) {
            groups.push(g);
            continue;
        }
        under += 1;
        match req.under_criteria {
            UnderCriteria::Federation => direct.extend(g.cdcs),
            UnderCriteria::Neighbours => {
                pending.absorb(g);
                if meets(&pending) {
                    groups.push(std::mem::take(&mut pending));
                }
            }
        }
    }
    if !pending.cdcs.is_empty() {
        // The last communes cannot make a union of their own: they join the union of
        // the nearest group formed before them, or the federation takes them.
        match groups.last_mut() {
            Some(last) => last.absorb(pending),
            None => direct.extend(pending.cdcs),
        }
    }
    if under > 0 {
        note(
            &mut d,
            format!(
                "{under} xã, phường dưới tiêu chí thành lập công đoàn xã ({} đoàn viên, {} CĐCS): {}.",
                crate::format_int(min_members),
                min_cdcs,
                match req.under_criteria {
                    UnderCriteria::Neighbours =>
                        "ghép với xã lân cận thành công đoàn dùng chung; phần còn lại do LĐLĐ tỉnh trực tiếp quản lý",
                    UnderCriteria::Federation => "CĐCS do LĐLĐ tỉnh trực tiếp quản lý",
                }
            ),
            format!(
                "{under} communes are under the commune-union criteria ({min_members} members, {min_cdcs} unions): {}.",
                match req.under_criteria {
                    UnderCriteria::Neighbours =>
                        "shared unions with neighbouring communes; the rest go directly under the federation",
                    UnderCriteria::Federation => "their unions go directly under the federation",
                }
            ),
        );
    }

    // 5. Create the commune unions and move the CĐCS; the rest go to the federation.
    let taken: BTreeSet<&str> = snap.units.values().map(|u| u.code.as_str()).collect();
    for g in &groups {
        let (seat, seat_name) = &g.communes[0];
        let mut code = format!("{}-X{seat}", fed.code);
        let mut n = 1;
        while taken.contains(code.as_str()) {
            n += 1;
            code = format!("{}-X{seat}-{n}", fed.code);
        }
        let key = format!("xa-{seat}");
        let name = commune_union_name(seat_name);
        let covered = g
            .communes
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        note(
            &mut d,
            format!(
                "{name}: {} CĐCS, {} đoàn viên ({covered}).",
                g.cdcs.len(),
                crate::format_int(g.members)
            ),
            format!(
                "{code}: {} unions, {} members ({covered}).",
                g.cdcs.len(),
                g.members
            ),
        );
        d.ops.push(Op::Create {
            key: key.clone(),
            code,
            name,
            type_code: "CD_XA".into(),
            parent: UnitRef::Id(fed.id),
        });
        d.ops.push(Op::Move {
            units: g.cdcs.clone(),
            parent: UnitRef::New(key),
        });
    }
    if !direct.is_empty() {
        d.ops.push(Op::Move {
            units: direct,
            parent: UnitRef::Id(fed.id),
        });
    }
    for &u in &dissolved {
        d.ops.push(Op::Dissolve {
            unit: u,
            children_to: Some(UnitRef::Id(fed.id)),
            members_to: None,
            reason: DISSOLVE_REASON.into(),
        });
    }
    if !dissolved.is_empty() {
        note(
            &mut d,
            format!(
                "Giải thể {} công đoàn cấp trên trung gian: {}.",
                dissolved.len(),
                dissolved
                    .iter()
                    .map(|u| snap.units[u].name.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            format!("{} intermediate unions dissolved.", dissolved.len()),
        );
    }
    if d.ops.is_empty() {
        return Err(refuse(
            "VL0731",
            format!("{} không còn gì phải sắp xếp theo mô hình 2025.", fed.name),
            format!("{} has nothing left to restructure for 2025.", fed.name),
        ));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::restructure::{PlanRules, PlanUnit, TypeRule, simulate};
    use time::macros::date;

    const D: Date = date!(2025 - 07 - 01);

    fn types() -> Vec<TypeRule> {
        let t = |code: &str, tier, grassroots, to| TypeRule {
            code: code.into(),
            name_vi: code.into(),
            tier,
            grassroots,
            holds_members: grassroots,
            valid_from: (code == "CD_XA").then_some(D),
            valid_to: to,
        };
        vec![
            t("TLD", 1, false, None),
            t("LDLD_TINH", 2, false, None),
            t("LDLD_HUYEN", 3, false, Some(D)),
            t("CD_NGANH_DP", 3, false, Some(D)),
            t("CD_KCN", 3, false, None),
            t("CD_XA", 3, false, None),
            t("CDCS", 4, true, None),
        ]
    }

    struct World {
        snap: Snapshot,
        places: BTreeMap<i64, Place>,
    }

    impl World {
        /// The generated plan and its simulation (which must succeed).
        fn reform(&self, mode: UnderCriteria) -> (Draft, crate::restructure::Outcome) {
            let draft = reform_2025(&self.snap, &self.places, &communes(), &req(mode)).unwrap();
            let out = simulate(&self.snap, D, &draft.ops).unwrap();
            (draft, out)
        }

        fn add(
            &mut self,
            id: i64,
            name: &str,
            ty: &str,
            parent: Option<i64>,
            members: i64,
            place: Place,
        ) {
            self.snap.units.insert(
                id,
                PlanUnit {
                    id,
                    code: format!("U{id}"),
                    name: name.into(),
                    type_code: ty.into(),
                    parent,
                    founded_on: date!(2000 - 01 - 01),
                    ended: false,
                    last_change: date!(2000 - 01 - 01),
                    cdcs_members: members,
                    members,
                },
            );
            self.places.insert(id, place);
        }
    }

    fn at(commune: i64, ownership: &str) -> Place {
        Place {
            commune: Some(commune),
            ownership: Some(ownership.into()),
            employer: Some("Công ty".into()),
        }
    }

    const COMMUNES: [(i64, &str); 4] = [
        (10, "Phường Long Xuyên"),
        (20, "Phường Bình Đức"),
        (30, "Xã Chợ Mới"),
        (40, "Đặc khu Phú Quốc"),
    ];

    /// TLĐ 1; province A (2) with its office CĐCS 3, a district 4 and a sector union 5;
    /// province B (6) with its office 7 and a district 8. Criteria: 100 members, 2 CĐCS.
    fn world() -> World {
        let mut w = World {
            snap: Snapshot {
                units: BTreeMap::new(),
                types: types(),
                rules: PlanRules {
                    commune_min_members: Some(100),
                    commune_min_cdcs: Some(2),
                },
            },
            places: BTreeMap::new(),
        };
        let office = |e: &str| Place {
            commune: Some(10),
            ownership: Some("state_agency".into()),
            employer: Some(e.into()),
        };
        w.add(1, "Tổng Liên đoàn", "TLD", None, 0, Place::default());
        w.add(
            2,
            "Liên đoàn Lao động tỉnh A",
            "LDLD_TINH",
            Some(1),
            0,
            Place::default(),
        );
        w.add(
            3,
            "CĐ cơ quan LĐLĐ A",
            "CDCS",
            Some(2),
            30,
            office("Liên đoàn Lao động tỉnh A"),
        );
        w.add(
            4,
            "LĐLĐ huyện X",
            "LDLD_HUYEN",
            Some(2),
            0,
            Place::default(),
        );
        w.add(
            5,
            "CĐ Viên chức tỉnh A",
            "CD_NGANH_DP",
            Some(2),
            0,
            Place::default(),
        );
        w.add(
            6,
            "Liên đoàn Lao động tỉnh B",
            "LDLD_TINH",
            Some(1),
            0,
            Place::default(),
        );
        w.add(
            7,
            "CĐ cơ quan LĐLĐ B",
            "CDCS",
            Some(6),
            20,
            office("Liên đoàn lao động tỉnh B"),
        );
        w.add(
            8,
            "LĐLĐ huyện Y",
            "LDLD_HUYEN",
            Some(6),
            0,
            Place::default(),
        );
        // District X: two factories in commune 10 (a union of their own), one in 20.
        w.add(11, "Công ty 11", "CDCS", Some(4), 80, at(10, "private"));
        w.add(12, "Công ty 12", "CDCS", Some(4), 40, at(10, "fdi"));
        w.add(13, "Công ty 13", "CDCS", Some(4), 30, at(20, "private"));
        // Sector union: a department (ends) and a hospital in commune 30.
        w.add(
            14,
            "Sở Tư pháp",
            "CDCS",
            Some(5),
            25,
            at(10, "state_agency"),
        );
        w.add(
            15,
            "Bệnh viện",
            "CDCS",
            Some(5),
            60,
            at(30, "public_partial"),
        );
        // District Y (province B): a school (ends), a hotel in 40, one without address.
        w.add(
            16,
            "Trường THPT",
            "CDCS",
            Some(8),
            50,
            at(40, "public_full"),
        );
        w.add(17, "Khách sạn", "CDCS", Some(8), 45, at(40, "fdi"));
        w.add(18, "Hợp tác xã", "CDCS", Some(8), 12, Place::default());
        // A state agency directly under province A ends too.
        w.add(
            19,
            "Văn phòng UBND tỉnh",
            "CDCS",
            Some(2),
            35,
            at(10, "state_agency"),
        );
        w
    }

    fn communes() -> Vec<(i64, String)> {
        COMMUNES.iter().map(|(c, n)| (*c, n.to_string())).collect()
    }

    fn req(mode: UnderCriteria) -> ReformRequest {
        ReformRequest {
            federation: 2,
            merged: vec![6],
            on: D,
            under_criteria: mode,
        }
    }

    #[test]
    fn the_reform_merges_dissolves_rehomes_and_ends_and_the_plan_applies() {
        let w = world();
        let (draft, out) = w.reform(UnderCriteria::Neighbours);
        let after = &out.after;
        // Province B and its office merged; the districts and the sector union dissolved.
        for id in [6, 7, 4, 5, 8] {
            assert!(after[&id].ended, "unit {id} should end");
        }
        assert_eq!(
            out.members_transferred, 20,
            "B's office members join A's office"
        );
        // State-funded agencies end, their members leave: 14, 16 and 19 (not the offices).
        assert_eq!(out.members_exited, 25 + 50 + 35);
        assert!(after[&14].ended && after[&16].ended && after[&19].ended);
        assert!(!after[&3].ended);
        // Commune 10 (120 members, 2 CĐCS) has its own union; 20 + 30 + 40 together
        // (30 + 60 + 45 = 135 members, 3 CĐCS) share one seated in Bình Đức.
        let mut xa: Vec<&PlanUnit> = after.values().filter(|u| u.type_code == "CD_XA").collect();
        xa.sort_by(|a, b| a.code.cmp(&b.code));
        assert_eq!(xa.len(), 2);
        assert_eq!(xa[0].name, "Công đoàn phường Long Xuyên");
        assert_eq!(xa[1].name, "Công đoàn phường Bình Đức");
        assert_eq!(xa[0].code, "U2-X10");
        let under = |x: &PlanUnit| {
            let mut v: Vec<i64> = after
                .values()
                .filter(|u| u.parent == Some(x.id) && !u.ended)
                .map(|u| u.id)
                .collect();
            v.sort();
            v
        };
        assert_eq!(under(xa[0]), vec![11, 12]);
        assert_eq!(under(xa[1]), vec![13, 15, 17]);
        // The one without an address goes directly under the federation.
        assert_eq!(after[&18].parent, Some(2));
        assert!(!out.is_blocked());
        assert!(out.findings.is_empty(), "{:?}", out.findings);
        assert!(
            draft
                .notes
                .iter()
                .any(|n| n.message_vi.contains("chưa có địa chỉ"))
        );
    }

    #[test]
    fn under_the_criteria_the_federation_can_take_the_cdcs_directly() {
        let w = world();
        let (draft, out) = w.reform(UnderCriteria::Federation);
        let xa: Vec<&PlanUnit> = out
            .after
            .values()
            .filter(|u| u.type_code == "CD_XA")
            .collect();
        assert_eq!(xa.len(), 1, "only commune 10 meets the criteria alone");
        for id in [13, 15, 17, 18] {
            assert_eq!(out.after[&id].parent, Some(2), "unit {id}");
        }
        assert!(
            draft
                .notes
                .iter()
                .any(|n| n.message_vi.contains("3 xã, phường dưới tiêu chí"))
        );
    }

    #[test]
    fn a_small_province_keeps_no_intermediate_tier() {
        let mut w = world();
        w.snap.rules.commune_min_members = Some(1500);
        let (_, out) = w.reform(UnderCriteria::Neighbours);
        assert!(!out.after.values().any(|u| u.type_code == "CD_XA"));
        assert_eq!(
            crate::restructure::intermediaries(&out.after, &w.snap.types),
            [(0, 7)].into_iter().collect()
        );
    }

    #[test]
    fn only_active_provincial_federations_can_be_reformed() {
        let w = world();
        let mut r = req(UnderCriteria::Neighbours);
        r.merged = vec![4];
        let e = reform_2025(&w.snap, &w.places, &communes(), &r).unwrap_err();
        assert_eq!(e.code, "VL0730");
        // Once done, nothing is left to do.
        let (_, out) = w.reform(UnderCriteria::Neighbours);
        let done = Snapshot {
            units: out.after.into_iter().filter(|(id, _)| *id > 0).collect(),
            ..w.snap.clone()
        };
        let mut r = req(UnderCriteria::Neighbours);
        r.merged.clear();
        assert_eq!(
            reform_2025(&done, &w.places, &communes(), &r)
                .unwrap_err()
                .code,
            "VL0731"
        );
    }
}
