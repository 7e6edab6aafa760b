//! Committees (BCH, BTV, UBKT, tổ) of the 2023–2028 term and the officers
//! holding their posts, drawn from the members of each unit's subtree.
//!
//! Conventions (the storage layer accepts both CHU_TICH and PHO_CHU_TICH in
//! a BTV):
//! - BCH: one CHU_TICH, one or two PHO_CHU_TICH, the rest UV_BCH.
//! - BTV (only where the BCH has ≥ 9 seats; at most a third of it): the same
//!   chair and vice-chairs again, with the same position codes, plus UV_BTV
//!   for the other standing members (who hold UV_BCH in the BCH).
//! - UBKT (upper levels, and CĐCS with ≥ 30 active members): its chair also
//!   sits on the BCH; the other members do not.
//! - Tổ: TO_TRUONG, plus TO_PHO when the tổ has more than 15 members.

use std::collections::HashSet;

use time::macros::date;
use time::{Date, Duration};

use crate::people::{add_years, age_on, date_between};
use crate::rng::Rng;
use crate::tree::Tree;
use crate::{CommitteeSeed, MemberSeed, PositionSeed};

/// Maximum BCH size of a CĐCS by active members (HD 38/HD-TLĐ, 27/12/2024).
pub(crate) fn bch_cap_hd38(members: usize) -> usize {
    match members {
        0..30 => 3,
        30..150 => 7,
        150..500 => 11,
        500..1000 => 13,
        1000..3000 => 15,
        3000..7000 => 17,
        7000..10000 => 19,
        10000..15000 => 21,
        15000..20000 => 23,
        20000..25000 => 25,
        _ => 27,
    }
}

/// Titles given to the full-time standing members drawn from an office.
pub(crate) const OFFICE_TITLES: &[&str] = &[
    "Trưởng Ban Tổ chức",
    "Trưởng Ban Tuyên giáo",
    "Trưởng Ban Chính sách – Pháp luật",
    "Chánh Văn phòng",
    "Trưởng Ban Tài chính",
    "Trưởng Ban Nữ công",
];

pub(crate) struct Officers {
    pub committees: Vec<CommitteeSeed>,
    pub positions: Vec<PositionSeed>,
}

/// One post before it is written out.
struct Post {
    kind: &'static str,
    member: usize,
    position: &'static str,
    start: Date,
    end: Option<Date>,
    full_time: bool,
    elected: bool,
}

struct UnitPlan {
    committees: Vec<(&'static str, Date)>,
    posts: Vec<Post>,
}

struct Ctx<'a> {
    tree: &'a Tree,
    members: &'a [MemberSeed],
    /// Member indices in each unit's subtree (final tree), in member order.
    subtree: Vec<Vec<usize>>,
    children: Vec<Vec<usize>>,
    term_start: Vec<Date>,
    /// Current chair of each unit's BCH, once planned.
    chair: Vec<Option<usize>>,
}

impl Ctx<'_> {
    fn eligible(&self, unit: usize, on: Date, min_age: i32) -> Vec<usize> {
        self.subtree[unit]
            .iter()
            .copied()
            .filter(|&m| {
                let p = &self.members[m];
                p.status == "member"
                    && p.join_date + Duration::days(60) <= on
                    && age_on(p.birth_date, on) >= min_age
            })
            .collect()
    }

    fn active(&self, unit: usize) -> usize {
        self.subtree[unit]
            .iter()
            .filter(|&&m| self.members[m].status == "member")
            .count()
    }
}

/// Takes the first candidate not yet used (and marks it used).
fn take(cands: &[usize], used: &mut HashSet<usize>) -> Option<usize> {
    let m = cands.iter().copied().find(|m| !used.contains(m))?;
    used.insert(m);
    Some(m)
}

fn term_start(rng: &mut Rng, type_code: &str, code: &str) -> Date {
    match type_code {
        "CDCS" => date_between(rng, date!(2023 - 02 - 15), date!(2023 - 05 - 31)),
        "LDLD_HUYEN" | "CD_KCN" | "CD_NGANH_DP" => {
            date_between(rng, date!(2023 - 06 - 01), date!(2023 - 06 - 30))
        }
        "LDLD_TINH" => match code {
            "AG" => date!(2023 - 07 - 20),
            "KG" => date!(2023 - 07 - 27),
            _ => date!(2023 - 08 - 04),
        },
        _ => date_between(rng, date!(2023 - 08 - 10), date!(2023 - 09 - 30)),
    }
}

pub(crate) fn plan(tree: &Tree, members: &mut [MemberSeed], unit_of: &[usize]) -> Officers {
    let (plans, updates) = plan_units(tree, members, unit_of);
    let mut out = Officers {
        committees: Vec::new(),
        positions: Vec::new(),
    };
    for (u, p) in plans.into_iter().enumerate() {
        let Some(p) = p else { continue };
        let unit = &tree.units[u];
        for (kind, start) in &p.committees {
            out.committees.push(CommitteeSeed {
                unit_code: unit.code.clone(),
                kind,
                term_no: tree.info[u].term_no,
                term_label: "2023–2028".into(),
                term_start: *start,
                term_end: add_years(*start, 5),
            });
        }
        for post in p.posts {
            out.positions.push(PositionSeed {
                unit_code: unit.code.clone(),
                committee_kind: post.kind,
                member_cccd: members[post.member].cccd.clone(),
                position: post.position,
                start: post.start,
                end: post.end,
                full_time: post.full_time,
                elected: post.elected,
            });
        }
    }
    for (m, title, party) in updates {
        if let Some(t) = title {
            members[m].job_title = Some(t);
        }
        if party {
            members[m].party_member = true;
        }
    }
    out
}

type Updates = Vec<(usize, Option<String>, bool)>;

fn plan_units(
    tree: &Tree,
    members: &[MemberSeed],
    unit_of: &[usize],
) -> (Vec<Option<UnitPlan>>, Updates) {
    let n = tree.units.len();
    let mut subtree: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (m, &u) in unit_of.iter().enumerate() {
        let mut cur = Some(u);
        while let Some(c) = cur {
            subtree[c].push(m);
            cur = tree.info[c].final_parent;
        }
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, info) in tree.info.iter().enumerate() {
        if let Some(p) = info.final_parent {
            children[p].push(i);
        }
    }
    // Term starts, parents first so tổ and bộ phận share their CĐCS's.
    let mut starts: Vec<Date> = Vec::with_capacity(n);
    for (i, u) in tree.units.iter().enumerate() {
        let s = match (u.type_code, tree.info[i].final_parent) {
            ("TO_CD" | "CD_BO_PHAN", Some(p)) => starts[p],
            (t, _) => term_start(&mut Rng::for_label(&format!("term:{}", u.code)), t, &u.code),
        };
        starts.push(s);
    }
    let mut ctx = Ctx {
        tree,
        members,
        subtree,
        children,
        term_start: starts,
        chair: vec![None; n],
    };

    // Children before parents: upper levels seat the chairs below them.
    let mut plans: Vec<Option<UnitPlan>> = (0..n).map(|_| None).collect();
    let mut updates: Updates = Vec::new();
    for u in (0..n).rev() {
        let mut rng = Rng::for_label(&format!("officers:{}", tree.units[u].code));
        let p = match tree.units[u].type_code {
            "TLD" => None,
            "TO_CD" => group(&ctx, &mut rng, u),
            "CD_BO_PHAN" => grassroots(&ctx, &mut rng, u, true, &mut updates),
            "CDCS" | "NGHIEP_DOAN" | "CDCS_THANH_VIEN" => {
                grassroots(&ctx, &mut rng, u, false, &mut updates)
            }
            _ => upper(&ctx, &mut rng, u, &mut updates),
        };
        if let Some(p) = &p {
            ctx.chair[u] = p
                .posts
                .iter()
                .find(|x| x.kind == "BCH" && x.position == "CHU_TICH" && x.end.is_none())
                .map(|x| x.member);
        }
        plans[u] = p;
    }
    (plans, updates)
}

fn post(
    kind: &'static str,
    member: usize,
    position: &'static str,
    start: Date,
    full_time: bool,
) -> Post {
    Post {
        kind,
        member,
        position,
        start,
        end: None,
        full_time,
        elected: true,
    }
}

/// Tổ công đoàn: tổ trưởng, and a tổ phó above 15 members.
fn group(ctx: &Ctx, rng: &mut Rng, u: usize) -> Option<UnitPlan> {
    let start = ctx.term_start[u];
    let mut cands = ctx.eligible(u, start, 22);
    rng.shuffle(&mut cands);
    let mut used = HashSet::new();
    let mut posts = vec![post(
        "TO",
        take(&cands, &mut used)?,
        "TO_TRUONG",
        start,
        false,
    )];
    if ctx.subtree[u].len() > 15
        && let Some(m) = take(&cands, &mut used)
    {
        posts.push(post("TO", m, "TO_PHO", start, false));
    }
    Some(UnitPlan {
        committees: vec![("TO", start)],
        posts,
    })
}

/// CĐCS (or công đoàn bộ phận, with a BCH of 3–5 and no UBKT).
fn grassroots(
    ctx: &Ctx,
    rng: &mut Rng,
    u: usize,
    department: bool,
    updates: &mut Updates,
) -> Option<UnitPlan> {
    let start = ctx.term_start[u];
    let active = ctx.active(u);
    let mut cands = ctx.eligible(u, start, 24);
    rng.shuffle(&mut cands);
    // Chairs are rarely under 28: try the older candidates first for that seat.
    let seasoned: Vec<usize> = cands
        .iter()
        .copied()
        .filter(|&m| age_on(ctx.members[m].birth_date, start) >= 28)
        .collect();
    let bch = if department {
        if active >= 30 { 5 } else { 3 }
    } else {
        bch_cap_hd38(active)
    }
    .min(cands.len());
    if bch == 0 {
        return None;
    }
    let mut used = HashSet::new();
    let chair = take(&seasoned, &mut used).or_else(|| take(&cands, &mut used))?;
    let n_vice = if bch >= 11 { 2 } else { 1 }.min(bch - 1);
    let vices: Vec<usize> = (0..n_vice)
        .filter_map(|_| take(&cands, &mut used))
        .collect();
    let rest: Vec<usize> = (0..bch - 1 - vices.len())
        .filter_map(|_| take(&cands, &mut used))
        .collect();

    let mut committees = vec![("BCH", start)];
    let mut posts = vec![post("BCH", chair, "CHU_TICH", start, false)];
    posts.extend(
        vices
            .iter()
            .map(|&m| post("BCH", m, "PHO_CHU_TICH", start, false)),
    );
    posts.extend(rest.iter().map(|&m| post("BCH", m, "UV_BCH", start, false)));

    let btv_size = if bch >= 9 { bch / 3 } else { 0 };
    let mut btv_members: Vec<usize> = Vec::new();
    if btv_size > 0 {
        committees.push(("BTV", start));
        posts.push(post("BTV", chair, "CHU_TICH", start, false));
        posts.extend(
            vices
                .iter()
                .map(|&m| post("BTV", m, "PHO_CHU_TICH", start, false)),
        );
        let extra = btv_size.saturating_sub(1 + vices.len());
        btv_members = rest.iter().copied().take(extra).collect();
        posts.extend(
            btv_members
                .iter()
                .map(|&m| post("BTV", m, "UV_BTV", start, false)),
        );
    }

    let mut inspector = None;
    if !department && active >= 30 {
        let size = if active >= 150 { 5 } else { 3 };
        // Its chair is a BCH member; the others are not.
        if let Some(&cn) = rest.iter().rev().find(|m| !btv_members.contains(m)) {
            committees.push(("UBKT", start));
            inspector = Some(cn);
            posts.push(post("UBKT", cn, "CHU_NHIEM_UBKT", start, false));
            for i in 1..size {
                let Some(m) = take(&cands, &mut used) else {
                    break;
                };
                let pos = if i == 1 && size >= 5 {
                    "PHO_CHU_NHIEM_UBKT"
                } else {
                    "UV_UBKT"
                };
                posts.push(post("UBKT", m, pos, start, false));
            }
        }
    }

    // A little history: in about one CĐCS in twelve the chair left mid-term
    // and the BCH elected one of its members in their place.
    let successor = rest
        .iter()
        .copied()
        .find(|m| !btv_members.contains(m) && Some(*m) != inspector);
    if !department
        && rng.chance(85)
        && let Some(new_chair) = successor
    {
        let left = date_between(rng, date!(2024 - 03 - 01), date!(2025 - 04 - 30));
        let next = left + Duration::days(1);
        for p in posts.iter_mut() {
            if (p.member == chair && p.position == "CHU_TICH")
                || (p.member == new_chair && p.kind == "BCH")
            {
                p.end = Some(left);
            }
        }
        posts.push(post("BCH", new_chair, "CHU_TICH", next, false));
        if btv_size > 0 {
            posts.push(post("BTV", new_chair, "CHU_TICH", next, false));
        }
    }

    // Chairs of state-sector units are almost always Party members.
    let state = matches!(
        ctx.tree.info[u].ownership,
        Some("state_agency" | "public_full" | "public_partial" | "soe")
    );
    if state && rng.chance(850) {
        updates.push((chair, None, true));
    }
    Some(UnitPlan { committees, posts })
}

/// Upper-level unions: LĐLĐ tỉnh/huyện, CĐ KCN, CĐ ngành, CĐ tập đoàn.
/// Full-time officers come from the unit's office CĐCS when it has one;
/// the other BCH seats go to the chairs of the units below.
fn upper(ctx: &Ctx, rng: &mut Rng, u: usize, updates: &mut Updates) -> Option<UnitPlan> {
    let info = &ctx.tree.info[u];
    let unit = &ctx.tree.units[u];
    if info.bch == 0 {
        return None;
    }
    let start = ctx.term_start[u];
    let office = ctx.children[u]
        .iter()
        .copied()
        .find(|&c| ctx.tree.info[c].office);
    let mut core = ctx.eligible(office.unwrap_or(u), start, 28);
    rng.shuffle(&mut core);
    let mut anyone = ctx.eligible(u, start, 24);
    rng.shuffle(&mut anyone);
    // Chairs of the units below: upper-level children first, then the
    // biggest CĐCS.
    let mut below: Vec<usize> = ctx.children[u]
        .iter()
        .copied()
        .filter(|&c| Some(c) != office)
        .collect();
    below.sort_by_key(|&c| {
        let is_upper = ctx.tree.info[c].profile.is_none();
        (!is_upper, std::cmp::Reverse(ctx.subtree[c].len()), c)
    });
    let chairs: Vec<usize> = below.iter().filter_map(|&c| ctx.chair[c]).collect();

    let full_time_staff = office.is_some();
    let mut used = HashSet::new();
    let chair = take(&core, &mut used).or_else(|| take(&anyone, &mut used))?;
    let n_vice = if info.bch >= 15 { 2 } else { 1 };
    let vices: Vec<usize> = (0..n_vice)
        .filter_map(|_| take(&core, &mut used).or_else(|| take(&anyone, &mut used)))
        .collect();
    // Standing members besides chair and vice-chairs.
    let n_standing = info.btv.saturating_sub(1 + vices.len());
    let standing: Vec<usize> = (0..n_standing)
        .filter_map(|_| {
            if full_time_staff {
                take(&core, &mut used)
            } else {
                take(&chairs, &mut used)
            }
            .or_else(|| take(&anyone, &mut used))
        })
        .collect();
    let mut seats = info.bch.saturating_sub(1 + vices.len() + standing.len());
    let mut others: Vec<usize> = Vec::new();
    if full_time_staff && unit.type_code == "LDLD_TINH" {
        // Two more full-time officers of the office.
        for _ in 0..2.min(seats) {
            if let Some(m) = take(&core, &mut used) {
                others.push(m);
                seats -= 1;
            }
        }
    }
    while seats > 0 {
        let Some(m) = take(&chairs, &mut used).or_else(|| take(&anyone, &mut used)) else {
            break;
        };
        others.push(m);
        seats -= 1;
    }

    let ft = full_time_staff || matches!(unit.type_code, "LDLD_HUYEN" | "CD_KCN");
    let mut committees = vec![("BCH", start)];
    let mut posts = vec![post("BCH", chair, "CHU_TICH", start, ft)];
    posts.extend(
        vices
            .iter()
            .map(|&m| post("BCH", m, "PHO_CHU_TICH", start, ft)),
    );
    posts.extend(
        standing
            .iter()
            .chain(&others)
            .map(|&m| post("BCH", m, "UV_BCH", start, false)),
    );
    if info.btv > 0 {
        committees.push(("BTV", start));
        posts.push(post("BTV", chair, "CHU_TICH", start, ft));
        posts.extend(
            vices
                .iter()
                .map(|&m| post("BTV", m, "PHO_CHU_TICH", start, ft)),
        );
        posts.extend(
            standing
                .iter()
                .map(|&m| post("BTV", m, "UV_BTV", start, full_time_staff)),
        );
    }
    if info.ubkt > 0 {
        committees.push(("UBKT", start));
        // The UBKT chair is a standing member where there is a BTV, else a
        // BCH member.
        let cn = standing.last().or(others.first()).copied().unwrap_or(chair);
        posts.push(post("UBKT", cn, "CHU_NHIEM_UBKT", start, full_time_staff));
        for i in 1..info.ubkt {
            let from_office = i == 1 && full_time_staff;
            let m = if from_office {
                take(&core, &mut used).or_else(|| take(&anyone, &mut used))
            } else {
                take(&anyone, &mut used)
            };
            let Some(m) = m else { break };
            let pos = if i == 1 && info.ubkt >= 5 {
                "PHO_CHU_NHIEM_UBKT"
            } else {
                "UV_UBKT"
            };
            posts.push(post("UBKT", m, pos, start, from_office));
        }
        if full_time_staff {
            updates.push((
                cn,
                Some(format!("Chủ nhiệm Ủy ban Kiểm tra {}", unit.name)),
                true,
            ));
        }
    }

    // A vice-chair retired mid-term in about one upper-level union in six;
    // a successor was appointed (chỉ định bổ sung) the next day.
    if rng.chance(170)
        && let Some(&old) = vices.last()
        && let Some(new) = take(&core, &mut used).or_else(|| take(&anyone, &mut used))
    {
        let left = date_between(rng, date!(2024 - 01 - 15), date!(2025 - 03 - 31));
        for p in posts.iter_mut() {
            if p.member == old && p.position == "PHO_CHU_TICH" {
                p.end = Some(left);
            }
        }
        let next = left + Duration::days(1);
        for kind in if info.btv > 0 {
            &["BCH", "BTV"][..]
        } else {
            &["BCH"][..]
        } {
            posts.push(Post {
                elected: false,
                ..post(kind, new, "PHO_CHU_TICH", next, ft)
            });
        }
        updates.push((
            new,
            full_time_staff.then(|| format!("Phó Chủ tịch {}", unit.name)),
            true,
        ));
    }

    // Full-time leaders are Party members; office staff get their titles.
    updates.push((
        chair,
        full_time_staff.then(|| format!("Chủ tịch {}", unit.name)),
        true,
    ));
    for &v in &vices {
        updates.push((
            v,
            full_time_staff.then(|| format!("Phó Chủ tịch {}", unit.name)),
            true,
        ));
    }
    if full_time_staff {
        for (i, &s) in standing.iter().enumerate() {
            if Some(&s) == standing.last() && info.ubkt > 0 {
                continue; // titled as UBKT chair above
            }
            let title = format!("{} {}", OFFICE_TITLES[i % OFFICE_TITLES.len()], unit.name);
            updates.push((s, Some(title), true));
        }
    }
    Some(UnitPlan { committees, posts })
}
