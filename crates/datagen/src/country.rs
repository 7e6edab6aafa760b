//! The national generator: a deterministic synthetic Công đoàn Việt Nam in
//! today's (post-1/7/2025) structure, sized by its number of members and
//! streamed one member-holding unit at a time, so ten million members never
//! sit in memory together.
//!
//! Shape (domain.md §1.3, §10):
//!
//! - **TLĐ** (`"TLD"`), with 20 central sector unions (`"N01"`…, `CD_NGANH_TW`)
//!   and 15 corporation unions (`"T01"`…, `CD_TAP_DOAN`).
//! - **34 LĐLĐ tỉnh** (`"P01"`…`"P96"`, the 2025 province codes), each with
//!   its industrial-park unions (`"P79-K1"`, `CD_KCN`, named after the merged
//!   provinces that have parks) and its commune/ward unions (`"P79-X001"`,
//!   `CD_XA`, founded 1/7/2025). A commune union covers one or several
//!   neighbouring communes of the divisions file and is named after the first;
//!   there is about one per 3,600 members (≈ 2,000 at 10 million, never more
//!   than the province's communes).
//! - **≈ members / 80 CĐCS** (≈ 125,000 at 10 million, at least 30): sizes
//!   skewed (median ≈ 25, most under 50, a tail of factories up to 30,000),
//!   placed by size under commune unions (most), park unions (big
//!   factories), the LĐLĐ directly (provincial agencies and hospitals),
//!   sector and corporation unions. Codes extend the parent's:
//!   `"P79-X012-C0045"`. From 200 members a CĐCS has tổ công đoàn
//!   (`"…-T01"`), from 1,500 công đoàn bộ phận (`"…-B01"`) with tổ
//!   (`"…-B01-T01"`); members sit in the deepest unit.
//! - With at least ~100,000 members each LĐLĐ, sector and corporation union
//!   has an office CĐCS ("Công đoàn cơ quan …", its first child `"…-C0001"`)
//!   whose staff hold the union's BCH, BTV and UBKT.
//! - CĐCS of sector and corporation unions are, in part, coordinated by the
//!   LĐLĐ of their province ("Quy chế phối hợp", [`CoordSeed`]).
//!
//! Committees follow the demo's conventions (see `officers.rs`) and the HD 38
//! caps (domain.md §2.2); the TLĐ's own bodies are not generated (its 168-seat
//! BCH is made of provincial leaders, which no single batch can staff).

mod batch;
mod kinds;
mod places;
#[cfg(test)]
mod tests;

use time::macros::date;
use time::{Date, Duration};

use crate::officers::bch_cap_hd38;
use crate::people::{add_years, date_between};
use crate::rng::{Rng, fnv1a, permute};
use crate::tree::{head_count, split, term_no};
use crate::{CoordSeed, EmployerSeed, UnitSeed};
use congdoan_domain::seed::UnitBatch;

use congdoan_domain::divisions::split_ward;
use kinds::{
    CORPORATION_UNIONS, Central, HEAD_OFFICE, Kind, Line, NameCtx, SECTOR_UNIONS, UNION_OFFICE,
};
use places::Province;

/// The generated country's "today": no join date or status change is later.
const AS_OF: Date = date!(2026 - 06 - 30);
/// Members are 18 to 60 years old in mid-2026.
const OLDEST_BIRTH: Date = date!(1966 - 07 - 01);
const YOUNGEST_BIRTH: Date = date!(2008 - 06 - 30);
/// The 2025 reform: commune unions and merged LĐLĐ start here.
const REFORM: Date = date!(2025 - 07 - 01);
/// Latest founding date of a CĐCS.
const LAST_FOUNDING: Date = date!(2026 - 03 - 31);

/// Largest CĐCS at national scale (domain.md §10: the long tail of FDI
/// factories).
const MAX_CDCS: u32 = 30_000;
/// A CĐCS gets tổ công đoàn from this size, công đoàn bộ phận from
/// [`DEPARTMENTS_FROM`].
const GROUPS_FROM: u32 = 200;
const DEPARTMENTS_FROM: u32 = 1_500;
/// Members per commune union (domain.md §1.3: 1,500–11,000 each).
const MEMBERS_PER_COMMUNE_UNION: u64 = 3_600;

/// How big a country to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountryOptions {
    /// Exactly this many members are generated.
    pub members: u64,
    /// Same seed and size, same country.
    pub seed: u64,
}

/// A generated country: the units in memory, the people on demand through
/// [`Country::batches`].
#[derive(Debug, Clone)]
pub struct Country {
    /// Parents always before children; every unit of today's tree.
    pub units: Vec<UnitSeed>,
    /// Coordinating links, applied once all units exist.
    pub coordination: Vec<CoordSeed>,
    seed: u64,
    total: u64,
    provinces: Vec<Province>,
    grassroots: Vec<Grassroots>,
    holders: Vec<Holder>,
    /// Card-number series: the codes of the units directly under the TLĐ.
    series: Vec<String>,
}

/// A CĐCS as the people generator needs it.
#[derive(Debug, Clone)]
struct Grassroots {
    kind: &'static Kind,
    /// Index into `Country::provinces`.
    province: usize,
    /// Index into the province's `old` list: where its people's CCCD numbers
    /// were mostly issued.
    old: usize,
    founded: Date,
    /// Index into `Country::series`.
    series: usize,
}

/// A unit that holds members directly, with the committees staffed from it.
#[derive(Debug, Clone)]
struct Holder {
    unit: usize,
    /// Index into `Country::grassroots`.
    grassroots: usize,
    members: u32,
    tasks: Vec<Task>,
}

impl Holder {
    /// Distinct people the tasks need.
    fn officers(&self) -> u32 {
        self.tasks.iter().map(Task::persons).sum()
    }
}

/// One committee (or a tổ's leadership) to fill from a batch.
#[derive(Debug, Clone)]
struct Task {
    unit: usize,
    body: Body,
    term: Term,
}

#[derive(Debug, Clone, Copy)]
enum Body {
    /// A tổ công đoàn: tổ trưởng, and a tổ phó when it has more than 15
    /// members.
    Group { deputy: bool },
    /// A BCH with its chair and vice-chairs, a BTV (chair, vice-chairs and
    /// UV_BTV) when `btv` > 0, and a UBKT whose chair sits on the BCH.
    Board {
        bch: u32,
        vices: u32,
        btv: u32,
        ubkt: u32,
        staff: Staff,
        /// A CĐCS: its chair may have been replaced mid-term.
        grassroots: bool,
        /// Chairs are Party members (state sector, upper levels).
        party_chair: bool,
    },
}

/// Who of a board works full-time for the union.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Staff {
    None,
    /// The chair of a large CĐCS.
    Chair,
    /// An upper-level union staffed from its office: chair, vice-chairs,
    /// standing members and the UBKT chair (who also get office job titles).
    Office,
}

#[derive(Debug, Clone, Copy)]
struct Term {
    no: i32,
    label: &'static str,
    start: Date,
    end: Date,
    /// Elected by a congress, or appointed (chỉ định) by the upper level.
    elected: bool,
}

impl Task {
    fn persons(&self) -> u32 {
        match self.body {
            Body::Group { deputy } => 1 + u32::from(deputy),
            Body::Board { bch, ubkt, .. } => bch + ubkt.saturating_sub(1),
        }
    }
}

/// The upper-level unions of the plan (everything but the TLĐ and the CĐCS).
#[derive(Debug)]
struct Upper {
    unit: usize,
    level: Level,
    /// Index into `uppers` of the LĐLĐ of a park or commune union.
    parent: Option<usize>,
    /// Index into `provinces` of its seat.
    province: usize,
    /// Communes covered by a commune union: a range of its province's wards.
    wards: (usize, usize),
    /// For a park union: the merged province it serves (index into `old`).
    old: usize,
    /// Members planned in its subtree.
    members: u64,
    /// Index into `series`.
    series: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Province,
    Sector(usize),
    Corporation(usize),
    Park,
    Commune,
}

/// A CĐCS before it becomes units.
#[derive(Debug)]
struct Draft {
    /// Index into `uppers`.
    parent: usize,
    province: usize,
    old: usize,
    size: u32,
    ownership: &'static str,
    kind: &'static Kind,
    office: bool,
    /// Staffs the committees of these uppers.
    carries: Vec<usize>,
}

impl congdoan_domain::seed::CountrySource for Country {
    fn units(&self) -> &[UnitSeed] {
        &self.units
    }
    fn coordination(&self) -> &[CoordSeed] {
        &self.coordination
    }
    fn member_count(&self) -> u64 {
        self.total
    }
    fn batches(&self) -> Box<dyn Iterator<Item = UnitBatch> + '_> {
        Box::new(Country::batches(self))
    }
}

impl Country {
    /// Builds the tree (all units, parents before children) sized for
    /// `opts.members` members. Fast: well under two seconds for 10 million.
    pub fn generate(opts: &CountryOptions) -> Country {
        Planner::new(opts).run()
    }

    /// Members that [`Country::batches`] yields: exactly `opts.members`.
    pub fn member_count(&self) -> u64 {
        self.total
    }

    /// The people, one [`UnitBatch`] per member-holding unit, in unit order.
    /// Deterministic; never holds more than one batch.
    pub fn batches(&self) -> impl Iterator<Item = UnitBatch> + '_ {
        batch::Batches::new(self)
    }

    /// Planned members of every CĐCS, in unit order (for tests of the size
    /// distribution without generating the people).
    #[cfg(test)]
    pub(crate) fn planned_cdcs_sizes(&self) -> Vec<u32> {
        let mut sizes = vec![0; self.grassroots.len()];
        for h in &self.holders {
            sizes[h.grassroots] += h.members;
        }
        sizes
    }
}

/// A stream of random numbers for `stream` under the user's seed.
fn stream(seed: u64, stream: u64) -> Rng {
    let mut r = Rng::new(seed ^ fnv1a(&stream.to_le_bytes()));
    r.next_u64();
    r
}

struct Planner {
    seed: u64,
    members: u64,
    rng: Rng,
    provinces: Vec<Province>,
    units: Vec<UnitSeed>,
    uppers: Vec<Upper>,
    series: Vec<String>,
    /// Per tax-id prefix (two digits): employers issued so far.
    tax_serials: [u32; 100],
    tax_key: u64,
}

impl Planner {
    fn new(opts: &CountryOptions) -> Planner {
        let mut rng = stream(opts.seed, u64::MAX);
        let tax_key = rng.next_u64();
        Planner {
            seed: opts.seed,
            members: opts.members,
            rng,
            provinces: places::provinces(),
            units: Vec::new(),
            uppers: Vec::new(),
            series: Vec::new(),
            tax_serials: [0; 100],
            tax_key,
        }
    }

    fn run(mut self) -> Country {
        self.upper_units();
        let mut drafts = self.drafts();
        // Subtree totals, for committee sizes.
        for d in &drafts {
            let mut cur = Some(d.parent);
            while let Some(u) = cur {
                self.uppers[u].members += u64::from(d.size);
                cur = self.uppers[u].parent;
            }
        }
        // Group the CĐCS by parent in the order of the uppers (offices, created
        // first, stay first).
        drafts.sort_by_key(|d| d.parent);
        self.choose_carriers(&mut drafts);
        let mut out = Emitted::default();
        let mut first_holder = Vec::with_capacity(drafts.len());
        let mut serial = vec![0u32; self.uppers.len()];
        for d in &drafts {
            serial[d.parent] += 1;
            first_holder.push(out.holders.len());
            self.grassroots(d, serial[d.parent], &mut out);
        }
        // Upper-level committees, staffed from their carrier's first batch.
        for (di, d) in drafts.iter().enumerate() {
            for &u in &d.carries {
                let task = self.upper_task(u, d.office);
                let h = &mut out.holders[first_holder[di]];
                let room = h.members.saturating_sub(h.officers());
                if let Some(task) = fit(task, room) {
                    h.tasks.push(task);
                }
            }
        }
        Country {
            units: self.units,
            coordination: out.coordination,
            seed: self.seed,
            total: self.members,
            provinces: self.provinces,
            grassroots: out.grassroots,
            holders: out.holders,
            series: self.series,
        }
    }

    fn push(&mut self, unit: UnitSeed) -> usize {
        self.units.push(unit);
        self.units.len() - 1
    }

    fn decision(&mut self, issuer: &str) -> Option<String> {
        Some(format!(
            "Quyết định số {}/QĐ-{issuer}",
            self.rng.range(3, 1_250)
        ))
    }

    /// "Số 12 đường Trần Hưng Đạo, Phường Long Xuyên, tỉnh An Giang".
    fn address(&mut self, province: usize, ward: usize) -> String {
        const STREETS: &[&str] = &[
            "Trần Hưng Đạo",
            "Lê Lợi",
            "Nguyễn Huệ",
            "Hùng Vương",
            "Hai Bà Trưng",
            "Lý Thường Kiệt",
            "Quang Trung",
            "Nguyễn Trãi",
            "Lê Duẩn",
            "Điện Biên Phủ",
            "Võ Nguyên Giáp",
            "Nguyễn Văn Linh",
            "Phạm Văn Đồng",
            "Trường Chinh",
            "Lê Hồng Phong",
            "Tôn Đức Thắng",
            "Nguyễn Thị Minh Khai",
            "30 Tháng 4",
        ];
        let p = &self.provinces[province];
        let w = &p.wards[ward];
        let place = match split_ward(&w.name).0 {
            "xã" if p.is_south() => format!("Ấp {}", self.rng.range(1, 12)),
            "xã" => format!("Thôn {}", self.rng.range(1, 15)),
            _ => format!(
                "Số {} đường {}",
                self.rng.range(1, 450),
                self.rng.pick(STREETS)
            ),
        };
        format!("{place}, {}, {}", w.name, p.full_name())
    }

    #[allow(clippy::too_many_arguments)]
    fn upper_unit(
        &mut self,
        code: String,
        name: String,
        type_code: &'static str,
        parent: &str,
        province: usize,
        ward: usize,
        founded: Date,
        issuer: &str,
    ) -> usize {
        let unit = UnitSeed {
            code,
            name,
            type_code,
            parent_code: Some(parent.into()),
            sector: None,
            employer: None,
            province_code: Some(i32::from(self.provinces[province].code)),
            commune_code: Some(self.provinces[province].wards[ward].code),
            address: Some(self.address(province, ward)),
            founding_decision: self.decision(issuer),
            founded_on: founded,
        };
        self.push(unit)
    }

    /// TLĐ, the central unions, and per province the LĐLĐ, its park unions
    /// and its commune unions.
    fn upper_units(&mut self) {
        let hanoi = self.province_index(1);
        self.units.push(UnitSeed {
            code: "TLD".into(),
            name: "Tổng Liên đoàn Lao động Việt Nam".into(),
            type_code: "TLD",
            parent_code: None,
            sector: None,
            employer: None,
            province_code: Some(1),
            commune_code: Some(73),
            address: Some(format!(
                "Số 82 Trần Hưng Đạo, Phường Cửa Nam, {}",
                self.provinces[hanoi].full_name()
            )),
            founding_decision: None,
            founded_on: date!(1929 - 07 - 28),
        });
        for (level, list, prefix, type_code) in [
            (0, &SECTOR_UNIONS[..], "N", "CD_NGANH_TW"),
            (1, &CORPORATION_UNIONS[..], "T", "CD_TAP_DOAN"),
        ] {
            for (i, c) in list.iter().enumerate() {
                let province = self.province_index(c.seat);
                let ward = self.seat(province);
                let code = format!("{prefix}{:02}", i + 1);
                let unit = self.upper_unit(
                    code.clone(),
                    c.name.into(),
                    type_code,
                    "TLD",
                    province,
                    ward,
                    c.founded,
                    "TLĐ",
                );
                self.units[unit].sector = Some(c.sector.into());
                self.series.push(code);
                self.uppers.push(Upper {
                    unit,
                    level: if level == 0 {
                        Level::Sector(i)
                    } else {
                        Level::Corporation(i)
                    },
                    parent: None,
                    province,
                    wards: (0, 0),
                    old: 0,
                    members: 0,
                    series: self.series.len() - 1,
                });
            }
        }
        let total_weight: u64 = self
            .provinces
            .iter()
            .map(|p| u64::from(p.info.weight))
            .sum();
        for pi in 0..self.provinces.len() {
            let (code, full, n_wards, info) = {
                let p = &self.provinces[pi];
                (p.code, p.full_name(), p.wards.len(), p.info)
            };
            let pcode = format!("P{code:02}");
            // The federation of the province whose name was kept (merged
            // federations continue it).
            let founded = date!(1976 - 01 - 01) + Duration::days(self.rng.range(0, 700));
            let seat = self.seat(pi);
            let unit = self.upper_unit(
                pcode.clone(),
                format!("Liên đoàn Lao động {full}"),
                "LDLD_TINH",
                "TLD",
                pi,
                seat,
                founded,
                "TLĐ",
            );
            self.series.push(pcode.clone());
            let series = self.series.len() - 1;
            let lddl = self.uppers.len();
            self.uppers.push(Upper {
                unit,
                level: Level::Province,
                parent: None,
                province: pi,
                wards: (0, 0),
                old: 0,
                members: 0,
                series,
            });
            // Park unions, one per merged province with parks.
            for k in 0..info.parks.min(info.old.len()) {
                let name = if code == 79 && k == 0 {
                    "Công đoàn các Khu chế xuất và công nghiệp Thành phố Hồ Chí Minh".to_string()
                } else if info.parks == 1 {
                    format!("Công đoàn các Khu công nghiệp {full}")
                } else {
                    format!("Công đoàn các Khu công nghiệp {}", old_name(info.old[k].0))
                };
                let ward = self.rng.index(n_wards);
                let founded = date!(1996 - 01 - 01) + Duration::days(self.rng.range(0, 5_000));
                let unit = self.upper_unit(
                    format!("{pcode}-K{}", k + 1),
                    name,
                    "CD_KCN",
                    &pcode,
                    pi,
                    ward,
                    founded,
                    "LĐLĐ",
                );
                self.uppers.push(Upper {
                    unit,
                    level: Level::Park,
                    parent: Some(lddl),
                    province: pi,
                    wards: (0, 0),
                    old: k,
                    members: 0,
                    series,
                });
            }
            // Commune unions over runs of neighbouring communes.
            let expected = self.members * u64::from(info.weight) / total_weight.max(1);
            let n = (expected / MEMBERS_PER_COMMUNE_UNION).clamp(1, n_wards as u64) as usize;
            for i in 0..n {
                let (lo, hi) = (i * n_wards / n, (i + 1) * n_wards / n);
                let (kind, name) = split_ward(&self.provinces[pi].wards[lo].name);
                let name = format!("Công đoàn {kind} {name}");
                let unit = self.upper_unit(
                    format!("{pcode}-X{:03}", i + 1),
                    name,
                    "CD_XA",
                    &pcode,
                    pi,
                    lo,
                    REFORM,
                    "LĐLĐ",
                );
                self.uppers.push(Upper {
                    unit,
                    level: Level::Commune,
                    parent: Some(lddl),
                    province: pi,
                    wards: (lo, hi),
                    old: 0,
                    members: 0,
                    series,
                });
            }
        }
    }

    /// A ward (phường) of the province's for a union's seat.
    fn seat(&mut self, province: usize) -> usize {
        let wards: Vec<usize> = (0..self.provinces[province].wards.len())
            .filter(|&w| self.provinces[province].wards[w].name.starts_with("Phường"))
            .take(12)
            .collect();
        if wards.is_empty() {
            0
        } else {
            *self.rng.pick(&wards)
        }
    }

    fn province_index(&self, code: u16) -> usize {
        self.provinces
            .iter()
            .position(|p| p.code == code)
            .expect("the province is in the divisions file")
    }

    /// Every CĐCS with its size, parent and employer kind; offices first.
    fn drafts(&mut self) -> Vec<Draft> {
        let members = self.members;
        let n = (members / 80).max(30).min(members) as usize;
        let mut drafts = Vec::with_capacity(n);
        // Offices of the tier-2 unions, when the country is big enough that
        // their staff are a small share of it.
        let tier2: Vec<usize> = (0..self.uppers.len())
            .filter(|&u| {
                matches!(
                    self.uppers[u].level,
                    Level::Province | Level::Sector(_) | Level::Corporation(_)
                )
            })
            .collect();
        let office_sizes: Vec<u32> = tier2
            .iter()
            .map(|&u| {
                let need = self.office_need(u);
                need + 15 + self.rng.below(25) as u32
            })
            .collect();
        let reserved: u64 = office_sizes.iter().map(|&s| u64::from(s)).sum();
        let offices = reserved * 20 <= members && tier2.len() < n;
        let mut budget = members;
        if offices {
            for (&u, &size) in tier2.iter().zip(&office_sizes) {
                let (ownership, kind) = match self.uppers[u].level {
                    Level::Corporation(_) => ("soe", &HEAD_OFFICE),
                    _ => ("state_agency", &UNION_OFFICE),
                };
                let province = self.uppers[u].province;
                drafts.push(Draft {
                    parent: u,
                    province,
                    old: 0,
                    size: size.min(GROUPS_FROM - 1),
                    ownership,
                    kind,
                    office: true,
                    carries: vec![u],
                });
            }
            budget -= drafts.iter().map(|d| u64::from(d.size)).sum::<u64>();
        }
        let general = n - drafts.len();
        let cap = ((members / 20).max(80) as u32).min(MAX_CDCS);
        let mut sizes: Vec<u32> = (0..general)
            .map(|_| sample_size(&mut self.rng).min(cap))
            .collect();
        apportion(&mut self.rng, &mut sizes, budget, cap);
        // Where each goes.
        let weights: Vec<u64> = self
            .provinces
            .iter()
            .map(|p| u64::from(p.info.weight))
            .collect();
        let park_weights: Vec<u64> = self
            .provinces
            .iter()
            .map(|p| u64::from(p.info.weight) * p.info.parks as u64)
            .collect();
        let parks_of: Vec<Vec<usize>> = (0..self.provinces.len())
            .map(|pi| {
                (0..self.uppers.len())
                    .filter(|&u| {
                        self.uppers[u].province == pi && self.uppers[u].level == Level::Park
                    })
                    .collect()
            })
            .collect();
        let communes_of: Vec<Vec<usize>> = (0..self.provinces.len())
            .map(|pi| {
                (0..self.uppers.len())
                    .filter(|&u| {
                        self.uppers[u].province == pi && self.uppers[u].level == Level::Commune
                    })
                    .collect()
            })
            .collect();
        let lddl_of: Vec<usize> = (0..self.provinces.len())
            .map(|pi| {
                (0..self.uppers.len())
                    .find(|&u| {
                        self.uppers[u].province == pi && self.uppers[u].level == Level::Province
                    })
                    .expect("every province has its LĐLĐ")
            })
            .collect();
        for size in sizes {
            let line = kinds::pick_line(&mut self.rng, size);
            let (parent, province, old, (ownership, kind)) = match line {
                Line::Park => {
                    let pi = pick_index(&mut self.rng, &park_weights);
                    let u = *self.rng.pick(&parks_of[pi]);
                    let old = self.uppers[u].old;
                    (u, pi, old, kinds::pick(&mut self.rng, kinds::PARK_MIX))
                }
                Line::Commune | Line::Province => {
                    let pi = pick_index(&mut self.rng, &weights);
                    let old = self.pick_old(pi);
                    if line == Line::Commune {
                        let u = *self.rng.pick(&communes_of[pi]);
                        (u, pi, old, kinds::pick(&mut self.rng, kinds::COMMUNE_MIX))
                    } else {
                        let k = kinds::pick(&mut self.rng, kinds::PROVINCE_MIX);
                        (lddl_of[pi], pi, old, k)
                    }
                }
                Line::Sector(i) | Line::Corporation(i) => {
                    let (c, u) = match line {
                        Line::Sector(_) => (&SECTOR_UNIONS[i], i),
                        _ => (&CORPORATION_UNIONS[i], SECTOR_UNIONS.len() + i),
                    };
                    let pi = pick_index(&mut self.rng, &weights);
                    let old = self.pick_old(pi);
                    (u, pi, old, kinds::pick(&mut self.rng, c.mix))
                }
            };
            drafts.push(Draft {
                parent,
                province,
                old,
                size,
                ownership,
                kind,
                office: false,
                carries: Vec::new(),
            });
        }
        drafts
    }

    fn pick_old(&mut self, province: usize) -> usize {
        let old = self.provinces[province].info.old;
        let total: u64 = old.iter().map(|o| u64::from(o.2)).sum();
        let mut r = self.rng.below(total);
        for (i, o) in old.iter().enumerate() {
            if r < u64::from(o.2) {
                return i;
            }
            r -= u64::from(o.2);
        }
        old.len() - 1
    }

    /// People an office must provide for its union's committees, from the
    /// union's expected size (the office is planned before the CĐCS).
    fn office_need(&self, u: usize) -> u32 {
        let total_weight: u64 = self
            .provinces
            .iter()
            .map(|p| u64::from(p.info.weight))
            .sum();
        let expected = match self.uppers[u].level {
            Level::Province => {
                let w = self.provinces[self.uppers[u].province].info.weight;
                self.members * 85 / 100 * u64::from(w) / total_weight.max(1)
            }
            _ => self.members * 7 / 100 / 35,
        };
        let (bch, _, _, ubkt) = self.board_caps(u, expected);
        bch + ubkt.saturating_sub(1) + 10
    }

    /// (BCH, vice-chairs, BTV, UBKT) caps of an upper-level union with
    /// `members` in its subtree (HD 38/HD-TLĐ; UBKT per KH 22, domain.md §2).
    fn board_caps(&self, u: usize, members: u64) -> (u32, u32, u32, u32) {
        let upper = &self.uppers[u];
        let direct = match members {
            0..10_000 => 15,
            10_000..30_000 => 19,
            30_000..60_000 => 23,
            _ => 27,
        };
        let (bch, ubkt) = match upper.level {
            Level::Province | Level::Sector(_) => {
                let bch = match (upper.level, self.provinces[upper.province].code) {
                    (Level::Province, 1 | 79) => 55,
                    _ => match members {
                        0..50_000 => 33,
                        50_000..100_000 => 35,
                        100_000..150_000 => 39,
                        150_000..200_000 => 41,
                        200_000..300_000 => 45,
                        _ => 49,
                    },
                };
                let ubkt = match members {
                    0..20_000 => 5,
                    20_000..60_000 => 7,
                    60_000..100_000 => 9,
                    100_000..200_000 => 11,
                    200_000..400_000 => 13,
                    _ => 15,
                };
                (bch, ubkt)
            }
            Level::Corporation(_) => (direct, if members < 60_000 { 7 } else { 9 }),
            Level::Park | Level::Commune => (direct, if members < 30_000 { 5 } else { 7 }),
        };
        let vices = match bch {
            39.. => 3,
            15.. => 2,
            _ => 1,
        };
        (bch, vices, bch / 3, ubkt)
    }

    /// The committees of upper-level union `u`, before fitting them to the
    /// batch that staffs them.
    fn upper_task(&mut self, u: usize, from_office: bool) -> Task {
        let (bch, vices, btv, ubkt) = self.board_caps(u, self.uppers[u].members);
        let upper = &self.uppers[u];
        let merged = self.provinces[upper.province].info.old.len() > 1;
        let founded = self.units[upper.unit].founded_on;
        let term = match upper.level {
            // Appointed by the provincial BTV on 1/7/2025 (domain.md §1.3).
            Level::Commune => Term {
                no: 1,
                label: "2025–2030",
                start: REFORM,
                end: add_years(REFORM, 5),
                elected: false,
            },
            // The merged federations' committees were appointed by the TLĐ.
            Level::Province if merged => Term {
                no: term_no(founded),
                label: "2023–2028",
                start: REFORM,
                end: date!(2028 - 07 - 31),
                elected: false,
            },
            level => {
                let (lo, hi) = match level {
                    Level::Park => (date!(2023 - 06 - 01), date!(2023 - 06 - 30)),
                    Level::Province => (date!(2023 - 07 - 10), date!(2023 - 08 - 10)),
                    _ => (date!(2023 - 08 - 10), date!(2023 - 09 - 30)),
                };
                let start = date_between(&mut self.rng, lo, hi);
                Term {
                    no: term_no(founded),
                    label: "2023–2028",
                    start,
                    end: add_years(start, 5),
                    elected: true,
                }
            }
        };
        Task {
            unit: self.uppers[u].unit,
            body: Body::Board {
                bch,
                vices,
                btv: if bch >= 9 { btv } else { 0 },
                ubkt,
                staff: if from_office {
                    Staff::Office
                } else {
                    Staff::None
                },
                grassroots: false,
                party_chair: true,
            },
            term,
        }
    }

    /// Who staffs each upper union's committees: its office, else its
    /// biggest CĐCS (for a federation without CĐCS of its own, the biggest
    /// under its park and commune unions). Carriers take the bigger CĐCS
    /// first so that one batch rarely staffs two unions.
    fn choose_carriers(&self, drafts: &mut [Draft]) {
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); self.uppers.len()];
        for (i, d) in drafts.iter().enumerate() {
            children[d.parent].push(i);
        }
        let room = |d: &Draft| d.size.min(120);
        let mut has_office = vec![false; self.uppers.len()];
        for d in drafts.iter().filter(|d| d.office) {
            has_office[d.parent] = true;
        }
        for u in 0..self.uppers.len() {
            if has_office[u] {
                continue;
            }
            let mut pool: Vec<usize> = children[u].clone();
            if pool.is_empty() && self.uppers[u].level == Level::Province {
                pool = (0..self.uppers.len())
                    .filter(|&c| self.uppers[c].parent == Some(u))
                    .flat_map(|c| children[c].iter().copied())
                    .collect();
            }
            let best = pool.iter().copied().max_by_key(|&i| {
                (
                    drafts[i].carries.is_empty(),
                    room(&drafts[i]),
                    usize::MAX - i,
                )
            });
            if let Some(i) = best {
                drafts[i].carries.push(u);
            }
        }
    }

    /// A 10-digit tax id, unique: a serial per prefix walked through a
    /// permutation of the seven digits after it (1,000,000–9,999,999).
    fn tax_id(&mut self, prefix: u64) -> String {
        loop {
            let slot = &mut self.tax_serials[prefix as usize % 100];
            let serial = u64::from(*slot) % 9_000_000;
            *slot += 1;
            let body = prefix * 10_000_000
                + 1_000_000
                + permute(serial, 9_000_000, 3_000, self.tax_key ^ prefix);
            if let Some(check) = crate::geo::tax_check_digit(body) {
                return format!("{body:09}{check}");
            }
        }
    }

    /// One CĐCS and its sub-units, with their holders and own committees.
    fn grassroots(&mut self, d: &Draft, serial: u32, out: &mut Emitted) {
        let upper = &self.uppers[d.parent];
        let (parent_unit, series, parent_level, wards) =
            (upper.unit, upper.series, upper.level, upper.wards);
        let ward = match parent_level {
            Level::Commune => self.rng.range(wards.0 as i64, wards.1 as i64 - 1) as usize,
            // An office is where its union is.
            _ if d.office => {
                let at = self.units[parent_unit].commune_code;
                self.provinces[d.province]
                    .wards
                    .iter()
                    .position(|w| Some(w.code) == at)
                    .unwrap_or(0)
            }
            _ => self.rng.index(self.provinces[d.province].wards.len()),
        };
        let parent_code = self.units[parent_unit].code.clone();
        let code = format!("{parent_code}-C{serial:04}");
        // Founding: an office soon after its union; carriers old enough to
        // have staffed the 2023 congresses.
        let founded = if d.office {
            let union = self.units[parent_unit].founded_on;
            (union + Duration::days(self.rng.range(30, 400))).min(date!(2022 - 12 - 31))
        } else if !d.carries.is_empty() {
            date_between(&mut self.rng, date!(1985 - 01 - 01), date!(2022 - 12 - 31))
        } else {
            match self.rng.below(100) {
                0..30 => date_between(&mut self.rng, date!(1988 - 01 - 01), date!(2009 - 12 - 31)),
                30..78 => date_between(&mut self.rng, date!(2010 - 01 - 01), date!(2022 - 12 - 31)),
                _ => date_between(&mut self.rng, date!(2023 - 01 - 01), LAST_FOUNDING),
            }
        };
        let (employer, name) = {
            let p = &self.provinces[d.province];
            let old = p.info.old[d.old];
            if d.office {
                let parent_name = &self.units[parent_unit].name;
                // "Công đoàn cơ quan Liên đoàn Lao động tỉnh An Giang", "Công đoàn cơ
                // quan Công đoàn Y tế Việt Nam", "Công đoàn cơ quan Tổng công ty Thép
                // Việt Nam" (the staff of a corporation's head office).
                let (employer, staff) = match parent_level {
                    Level::Corporation(_) => {
                        let corp = parent_name
                            .strip_prefix("Công đoàn ")
                            .unwrap_or(parent_name);
                        (corp.to_string(), corp)
                    }
                    Level::Sector(_) => (format!("Cơ quan {parent_name}"), parent_name.as_str()),
                    _ => (parent_name.clone(), parent_name.as_str()),
                };
                let name = format!("Công đoàn cơ quan {staff}");
                (employer, name)
            } else {
                let w = &p.wards[ward];
                let ctx = NameCtx {
                    commune: split_ward(&w.name).1,
                    commune_full: &w.name,
                    province: p.short_name(),
                    province_full: &p.full_name(),
                    old: old_name(old.0),
                };
                let employer = kinds::employer_name(&mut self.rng, d.kind, &ctx);
                let name = format!("Công đoàn cơ sở {employer}");
                (employer, name)
            }
        };
        let tax_prefix = self.provinces[d.province].info.old[d.old].1;
        let tax_id = self.tax_id(tax_prefix);
        let head_count = head_count(&mut self.rng, d.size, d.ownership);
        let issuer = match parent_level {
            Level::Commune if founded >= REFORM => "CĐX",
            Level::Commune | Level::Province => "LĐLĐ",
            Level::Park => "CĐKCN",
            Level::Sector(_) => "CĐN",
            Level::Corporation(_) => "CĐTCT",
        };
        let sector = match (d.office, parent_level) {
            (true, Level::Corporation(i)) => CORPORATION_UNIONS[i].sector,
            _ => d.kind.sector,
        };
        let unit = UnitSeed {
            code: code.clone(),
            name,
            type_code: "CDCS",
            parent_code: Some(parent_code),
            sector: Some(sector.into()),
            employer: Some(EmployerSeed {
                name: employer,
                tax_id,
                ownership: d.ownership,
                head_count,
            }),
            province_code: Some(i32::from(self.provinces[d.province].code)),
            commune_code: Some(self.provinces[d.province].wards[ward].code),
            address: Some(self.address(d.province, ward)),
            founding_decision: self.decision(issuer),
            founded_on: founded,
        };
        let cdcs_unit = self.push(unit);
        // Corporation and sector CĐCS in a province: dual direction by the LĐLĐ.
        if let Level::Sector(i) | Level::Corporation(i) = parent_level
            && !d.office
            && self.rng.chance(200)
        {
            let central: &Central = match parent_level {
                Level::Sector(_) => &SECTOR_UNIONS[i],
                _ => &CORPORATION_UNIONS[i],
            };
            let p = &self.provinces[d.province];
            out.coordination.push(CoordSeed {
                unit_code: code.clone(),
                coordinator_code: format!("P{:02}", p.code),
                valid_from: date_between(&mut self.rng, date!(2018 - 01 - 01), REFORM),
                note: format!(
                    "Quy chế phối hợp giữa Liên đoàn Lao động {} và {} trong chỉ đạo công đoàn cơ sở trên địa bàn",
                    p.full_name(),
                    central.name
                ),
            });
        }
        let gi = out.grassroots.len();
        out.grassroots.push(Grassroots {
            kind: d.kind,
            province: d.province,
            old: d.old,
            founded,
            series,
        });
        // Terms: the 2023 congress for the older CĐCS; a new one's committee
        // was appointed at its founding, aligned to the 2023–2028 term.
        let term = if founded < date!(2023 - 01 - 01) {
            let start = date_between(&mut self.rng, date!(2023 - 02 - 15), date!(2023 - 05 - 31));
            Term {
                no: term_no(founded),
                label: "2023–2028",
                start,
                end: add_years(start, 5),
                elected: true,
            }
        } else {
            Term {
                no: 1,
                label: "2023–2028",
                start: founded + Duration::days(self.rng.range(7, 30)),
                end: date!(2028 - 05 - 31),
                elected: false,
            }
        };
        let bch = bch_cap_hd38(d.size as usize) as u32;
        let state = matches!(
            d.ownership,
            "state_agency" | "public_full" | "public_partial" | "soe"
        );
        let cdcs_task = Task {
            unit: cdcs_unit,
            body: Body::Board {
                bch,
                vices: if bch >= 11 { 2 } else { 1 },
                btv: if bch >= 9 { bch / 3 } else { 0 },
                ubkt: match d.size {
                    0..30 => 0,
                    30..150 => 3,
                    _ => 5,
                },
                staff: if d.size >= 3_000 {
                    Staff::Chair
                } else {
                    Staff::None
                },
                grassroots: true,
                party_chair: state,
            },
            term,
        };
        if d.size < GROUPS_FROM {
            out.holders.push(Holder {
                unit: cdcs_unit,
                grassroots: gi,
                members: d.size,
                tasks: fit(cdcs_task, d.size).into_iter().collect(),
            });
            return;
        }
        // Sub-units, named after the workplace's departments.
        let mut names: Vec<&str> = d.kind.profile.data().groups.to_vec();
        self.rng.shuffle(&mut names);
        let founded_sub = founded + Duration::days(self.rng.range(20, 120));
        let mut cdcs_task = Some(cdcs_task);
        let group = |pl: &mut Planner,
                     out: &mut Emitted,
                     parent: &str,
                     n: usize,
                     title: String,
                     size: u32,
                     extra: Vec<Task>| {
            let code = format!("{parent}-T{n:02}");
            let founding_decision = pl.decision("CĐCS");
            let unit = pl.push(UnitSeed {
                code,
                name: title,
                type_code: "TO_CD",
                parent_code: Some(parent.into()),
                sector: Some(sector.into()),
                employer: None,
                province_code: pl.units[cdcs_unit].province_code,
                commune_code: pl.units[cdcs_unit].commune_code,
                address: None,
                founding_decision,
                founded_on: founded_sub,
            });
            let mut tasks = Vec::new();
            let mut room = size;
            for t in extra.into_iter().chain([Task {
                unit,
                body: Body::Group { deputy: size > 15 },
                term,
            }]) {
                if let Some(t) = fit(t, room) {
                    room -= t.persons();
                    tasks.push(t);
                }
            }
            out.holders.push(Holder {
                unit,
                grassroots: gi,
                members: size,
                tasks,
            });
        };
        if d.size < DEPARTMENTS_FROM {
            let n = (d.size / 110).clamp(2, 12) as usize;
            let sizes = split(&mut self.rng, d.size, n);
            for (i, size) in sizes.into_iter().enumerate() {
                let title = match names.get(i) {
                    Some(g) if n <= names.len() => format!("Tổ công đoàn {g}"),
                    _ => format!("Tổ công đoàn số {}", i + 1),
                };
                let extra: Vec<Task> = cdcs_task.take().into_iter().collect();
                group(self, out, &code, i + 1, title, size, extra);
            }
            return;
        }
        let n = (d.size / 1_000).clamp(2, 20) as usize;
        let sizes = split(&mut self.rng, d.size, n);
        for (i, size) in sizes.into_iter().enumerate() {
            let title = match names.get(i) {
                Some(g) if n <= names.len() => format!("Công đoàn bộ phận {g}"),
                _ => format!("Công đoàn bộ phận Phân xưởng {}", i + 1),
            };
            let dept_code = format!("{code}-B{:02}", i + 1);
            let founding_decision = self.decision("CĐCS");
            let dept = self.push(UnitSeed {
                code: dept_code.clone(),
                name: title,
                type_code: "CD_BO_PHAN",
                parent_code: Some(code.clone()),
                sector: Some(sector.into()),
                employer: None,
                province_code: self.units[cdcs_unit].province_code,
                commune_code: self.units[cdcs_unit].commune_code,
                address: None,
                founding_decision,
                founded_on: founded_sub,
            });
            let dept_task = Task {
                unit: dept,
                body: Body::Board {
                    bch: if size >= 2_000 { 7 } else { 5 },
                    vices: 1,
                    btv: 0,
                    ubkt: 0,
                    staff: Staff::None,
                    grassroots: false,
                    party_chair: false,
                },
                term,
            };
            let groups = (size / 150).clamp(2, 15) as usize;
            let group_sizes = split(&mut self.rng, size, groups);
            let mut dept_task = Some(dept_task);
            for (j, gsize) in group_sizes.into_iter().enumerate() {
                let extra: Vec<Task> = cdcs_task
                    .take()
                    .into_iter()
                    .chain(dept_task.take())
                    .collect();
                group(
                    self,
                    out,
                    &dept_code,
                    j + 1,
                    format!("Tổ công đoàn số {}", j + 1),
                    gsize,
                    extra,
                );
            }
        }
    }
}

/// What the planner produces besides the units.
#[derive(Default)]
struct Emitted {
    grassroots: Vec<Grassroots>,
    holders: Vec<Holder>,
    coordination: Vec<CoordSeed>,
}

/// Shrinks a task to the `room` people a batch has left (committee sizes are
/// caps, not quotas); `None` when nobody is left.
fn fit(mut task: Task, room: u32) -> Option<Task> {
    if room == 0 {
        return None;
    }
    if task.persons() <= room {
        return Some(task);
    }
    match &mut task.body {
        Body::Group { deputy } => *deputy = false,
        Body::Board {
            bch,
            vices,
            btv,
            ubkt,
            ..
        } => {
            // Keep about four BCH seats per UBKT seat, then fill the BCH.
            *ubkt = (*ubkt).min(room / 5);
            if *ubkt == 1 {
                *ubkt = 0;
            }
            *bch = (*bch).min(room - ubkt.saturating_sub(1));
            *vices = (*vices).min(bch.saturating_sub(1));
            *btv = if *bch >= 9 { (*btv).min(*bch / 3) } else { 0 };
            if *bch < 3 {
                *ubkt = 0;
            }
        }
    }
    Some(task)
}

/// Sizes of CĐCS before scaling: a banded, long-tailed distribution (median
/// in the twenties, 6 % with 200 or more members, a few dozen per 100,000
/// above 10,000). Integer-only, so every platform draws the same.
fn sample_size(rng: &mut Rng) -> u32 {
    const BANDS: &[(u32, u32, u32)] = &[
        (3, 5, 5_424),
        (6, 9, 9_000),
        (10, 14, 12_000),
        (15, 19, 11_000),
        (20, 29, 15_000),
        (30, 39, 10_000),
        (40, 49, 7_000),
        (50, 69, 8_000),
        (70, 99, 6_500),
        (100, 149, 5_200),
        (150, 199, 3_300),
        (200, 299, 3_000),
        (300, 499, 2_000),
        (500, 799, 950),
        (800, 1_199, 520),
        (1_200, 1_999, 380),
        (2_000, 2_999, 200),
        (3_000, 4_999, 120),
        (5_000, 7_999, 60),
        (8_000, 11_999, 30),
        (12_000, 19_999, 15),
        (20_000, 34_000, 6),
    ];
    const TOTAL: u64 = {
        let mut t = 0;
        let mut i = 0;
        while i < BANDS.len() {
            t += BANDS[i].2 as u64;
            i += 1;
        }
        t
    };
    let mut r = rng.below(TOTAL);
    for &(lo, hi, w) in BANDS {
        if r < u64::from(w) {
            return rng.range(i64::from(lo), i64::from(hi)) as u32;
        }
        r -= u64::from(w);
    }
    BANDS[0].0
}

/// Scales `sizes` so they sum to exactly `total`, each between 1 and `cap`
/// (the caller guarantees `sizes.len() * cap >= total >= sizes.len()`).
fn apportion(rng: &mut Rng, sizes: &mut [u32], total: u64, cap: u32) {
    let n = sizes.len();
    if n == 0 {
        return;
    }
    let raw: u64 = sizes.iter().map(|&s| u64::from(s)).sum::<u64>().max(1);
    for s in sizes.iter_mut() {
        let scaled = u128::from(*s) * u128::from(total) / u128::from(raw);
        *s = (scaled as u64).clamp(1, u64::from(cap)) as u32;
    }
    let mut sum: u64 = sizes.iter().map(|&s| u64::from(s)).sum();
    assert!(
        (n as u64..=n as u64 * u64::from(cap)).contains(&total),
        "{n} CĐCS of 1 to {cap} members cannot hold {total}"
    );
    // Hand out (or take back) the rounding, spread over the units from a
    // random start.
    let mut i = rng.index(n);
    while sum != total {
        let s = &mut sizes[i];
        if sum < total && *s < cap {
            let add = ((total - sum) / n as u64).clamp(1, u64::from(cap - *s)) as u32;
            *s += add;
            sum += u64::from(add);
        } else if sum > total && *s > 1 {
            let take = ((sum - total) / n as u64).clamp(1, u64::from(*s - 1)) as u32;
            *s -= take;
            sum -= u64::from(take);
        }
        i = (i + 1) % n;
    }
}

/// Index drawn with probability proportional to `weights`.
fn pick_index(rng: &mut Rng, weights: &[u64]) -> usize {
    let total: u64 = weights.iter().sum();
    let mut r = rng.below(total.max(1));
    for (i, &w) in weights.iter().enumerate() {
        if r < w {
            return i;
        }
        r -= w;
    }
    weights.len() - 1
}

/// The name of a pre-2025 province by its CCCD code: "Bình Dương".
fn old_name(cccd_code: u16) -> &'static str {
    match congdoan_domain::cccd::cccd_province_name(cccd_code) {
        Some("TP Hồ Chí Minh") => "Thành phố Hồ Chí Minh",
        Some(name) => name,
        None => "Việt Nam",
    }
}
