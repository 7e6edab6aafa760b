//! The people of one member-holding unit, generated when its batch is asked
//! for, and the committees staffed from them.
//!
//! Identifiers are unique across the whole stream without remembering any:
//! CCCD serials (per province, century-and-sex digit and year) and phone
//! numbers come from counters walked through a keyed permutation
//! ([`permute`]), so a counter never repeats a value and consecutive people
//! do not get consecutive numbers; union cards are numbered in sequence per
//! series, as they are issued.

use congdoan_domain::cccd::{CCCD_PROVINCE_CODES, make_cccd};
use congdoan_domain::member::Sex;
use time::{Date, Duration};

use super::{AS_OF, Body, Country, Holder, OLDEST_BIRTH, Staff, Task, UnitBatch, YOUNGEST_BIRTH};
use crate::geo::Region;
use crate::names;
use crate::officers::OFFICE_TITLES;
use crate::people::{
    MOBILE_PREFIXES, RESERVED_CCCD, RESERVED_PHONES, SUSPEND_REASONS, add_years, date_between,
};
use crate::profile::ProfileData;
use crate::rng::{Rng, mix64, permute};
use crate::{CommitteeSeed, MemberSeed, PositionSeed};

const EXIT_REASONS: &[&str] = &[
    "Nghỉ việc",
    "Chấm dứt hợp đồng lao động",
    "Nghỉ hưu",
    "Chuyển công tác ngoài hệ thống công đoàn",
];

/// The iterator behind [`Country::batches`].
pub(super) struct Batches<'a> {
    country: &'a Country,
    next: usize,
    ids: Ids,
}

impl<'a> Batches<'a> {
    pub(super) fn new(country: &'a Country) -> Batches<'a> {
        Batches {
            country,
            next: 0,
            ids: Ids::new(country.seed, country.series.len()),
        }
    }
}

impl Iterator for Batches<'_> {
    type Item = UnitBatch;

    fn next(&mut self) -> Option<UnitBatch> {
        let h = self.country.holders.get(self.next)?;
        let i = self.next;
        self.next += 1;
        Some(batch(self.country, i, h, &mut self.ids))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.country.holders.len() - self.next;
        (left, Some(left))
    }
}

/// Counters for the identifiers issued so far.
pub(super) struct Ids {
    /// Next serial per (CCCD province code, century-and-sex digit, two-digit
    /// year): `code * 1000 + digit * 100 + yy`.
    cccd: Vec<u32>,
    /// Keys of the permutations (from the seed).
    cccd_key: u64,
    phones: u64,
    phone_key: u64,
    /// Next card number per series.
    cards: Vec<u32>,
}

impl Ids {
    pub(super) fn new(seed: u64, series: usize) -> Ids {
        let mut rng = super::stream(seed, u64::MAX - 1);
        Ids {
            cccd: vec![0; 100 * 1000],
            cccd_key: rng.next_u64(),
            phones: 0,
            phone_key: rng.next_u64(),
            cards: (0..series).map(|_| rng.below(2_000_000) as u32).collect(),
        }
    }

    /// A CCCD number never issued before in this stream. Should a (province,
    /// year, sex) run out of its million serials, the next province code is
    /// used.
    pub(super) fn cccd(&mut self, province: u16, year: i32, sex: Sex) -> String {
        let (digit, yy) = Self::bucket(year, sex);
        let mut code = province;
        loop {
            let slot = usize::from(code) * 1000 + digit * 100 + yy;
            let n = self.cccd[slot];
            if n >= 1_000_000 {
                let i = CCCD_PROVINCE_CODES
                    .iter()
                    .position(|(c, _)| *c == code)
                    .unwrap_or(0);
                code = CCCD_PROVINCE_CODES[(i + 1) % CCCD_PROVINCE_CODES.len()].0;
                continue;
            }
            self.cccd[slot] = n + 1;
            let key = mix64(self.cccd_key ^ slot as u64);
            let serial = permute(u64::from(n), 1_000_000, 1_000, key);
            let c = String::from(make_cccd(code, year, sex, serial as u32));
            if !RESERVED_CCCD.contains(&c.as_str()) {
                return c;
            }
        }
    }

    /// The century-and-sex digit and the two-digit year of a CCCD.
    fn bucket(year: i32, sex: Sex) -> (usize, usize) {
        let digit = (year.div_euclid(100) - 19).rem_euclid(5) as usize * 2
            + usize::from(sex == Sex::Female);
        (digit, year.rem_euclid(100) as usize)
    }

    /// Uses up a bucket's serials (to test what happens next).
    #[cfg(test)]
    pub(super) fn exhaust(&mut self, province: u16, year: i32, sex: Sex) {
        let (digit, yy) = Self::bucket(year, sex);
        self.cccd[usize::from(province) * 1000 + digit * 100 + yy] = 1_000_000;
    }

    /// A mobile number not handed out before (there are 300 million; the
    /// walk starts over after that).
    fn phone(&mut self) -> String {
        let space = MOBILE_PREFIXES.len() as u64 * 10_000_000;
        loop {
            // 17,321² ≥ the number space.
            let x = permute(self.phones % space, space, 17_321, self.phone_key);
            self.phones += 1;
            let p = format!(
                "{}{:07}",
                MOBILE_PREFIXES[(x / 10_000_000) as usize],
                x % 10_000_000
            );
            if !RESERVED_PHONES.contains(&p.as_str()) {
                return p;
            }
        }
    }

    /// "P79" + seven digits: cards are numbered per federation, sector or
    /// corporation union.
    fn card(&mut self, series: usize, prefix: &str) -> String {
        let n = self.cards[series];
        self.cards[series] = n + 1;
        format!("{prefix}{n:07}")
    }
}

/// What every member of a batch shares.
struct Place<'a> {
    unit_code: &'a str,
    data: ProfileData,
    female: u32,
    minority: u32,
    ethnic: &'static [(&'static str, u32)],
    region: Region,
    /// CCCD code of the pre-2025 province the CĐCS is in.
    local: u16,
    /// All the pre-2025 provinces of today's (CCCD code, tax prefix, weight).
    old: &'static [(u16, u64, u32)],
    founded: Date,
    series: usize,
    series_code: &'a str,
}

fn batch(country: &Country, index: usize, h: &Holder, ids: &mut Ids) -> UnitBatch {
    let mut rng = super::stream(country.seed, index as u64);
    let g = &country.grassroots[h.grassroots];
    let p = &country.provinces[g.province];
    let data = g.kind.profile.data();
    let place = Place {
        unit_code: &country.units[h.unit].code,
        female: g.kind.female(),
        minority: (p.info.minority * if data.rural { 2 } else { 1 }).min(950),
        data,
        ethnic: p.info.ethnic,
        region: if p.is_south() {
            Region::HoChiMinh
        } else {
            Region::HaNoi
        },
        local: p.info.old[g.old].0,
        old: p.info.old,
        founded: g.founded,
        series: g.series,
        series_code: &country.series[g.series],
    };
    let officers = h.officers().min(h.members) as usize;
    let first_start = h.tasks.iter().map(|t| t.term.start).min();
    let mut members = Vec::with_capacity(h.members as usize);
    for k in 0..h.members as usize {
        let officer = if k < officers { first_start } else { None };
        members.push(person(&mut rng, ids, &place, officer));
    }
    let mut out = UnitBatch {
        members,
        committees: Vec::new(),
        positions: Vec::new(),
    };
    let mut next = 0;
    for t in &h.tasks {
        fill(&mut rng, country, t, &mut out, &mut next);
    }
    // Officers were generated first; scatter them through the unit.
    let n = out.members.len();
    for i in 0..officers.min(n) {
        let j = rng.range(i as i64, n as i64 - 1) as usize;
        out.members.swap(i, j);
    }
    out
}

/// One member. An officer (`Some(term start)`) is an active member, at least
/// 28 at the start of the term, who joined 60 days before it (or at the
/// founding of a young CĐCS, whose committee was appointed then).
fn person(rng: &mut Rng, ids: &mut Ids, place: &Place, officer: Option<Date>) -> MemberSeed {
    let data = &place.data;
    let sex = if rng.chance(place.female) {
        Sex::Female
    } else {
        Sex::Male
    };
    let ethnicity = if rng.chance(place.minority) {
        *rng.weighted(place.ethnic)
    } else {
        "Kinh"
    };
    let full_name = names::full_name(rng, sex, ethnicity, place.region);
    let born_lo = first_of_year(data.born.0).max(OLDEST_BIRTH);
    let born_hi = last_of_year(data.born.1).min(YOUNGEST_BIRTH);
    let birth_date = match officer {
        Some(start) => {
            let hi = add_years(start, -28).min(YOUNGEST_BIRTH);
            let lo = if born_lo <= hi { born_lo } else { OLDEST_BIRTH };
            date_between(rng, lo, hi)
        }
        None => date_between(rng, born_lo, born_hi.max(born_lo)),
    };
    let year = birth_date.year();
    let code = match rng.below(100) {
        0..72 => place.local,
        // Someone from another part of today's province.
        72..82 => {
            let total: u64 = place.old.iter().map(|o| u64::from(o.2)).sum();
            let mut r = rng.below(total);
            let mut code = place.local;
            for o in place.old {
                if r < u64::from(o.2) {
                    code = o.0;
                    break;
                }
                r -= u64::from(o.2);
            }
            code
        }
        // And from anywhere: workers move for jobs.
        _ => rng.pick(CCCD_PROVINCE_CODES).0,
    };
    let cccd = ids.cccd(code, year, sex);
    let phone = rng.chance(850).then(|| ids.phone());
    let job_title = rng.chance(930).then(|| (*rng.pick(data.jobs)).to_owned());
    let status = match officer {
        Some(_) => "member",
        None => match rng.below(1000) {
            0..12 => "applicant",
            12..27 => "suspended",
            27..37 => "exited",
            _ => "member",
        },
    };
    // Joined once an adult, working there, and the CĐCS existing.
    let floor = add_years(birth_date, 18).max(place.founded);
    let working = add_years(
        birth_date,
        rng.range(data.start_age.0, data.start_age.1) as i32,
    );
    let join_date = match officer {
        Some(start) => {
            let hi = (start - Duration::days(60)).max(floor);
            date_between(rng, working.max(floor).min(hi), hi)
        }
        None if status == "applicant" => {
            let lo = floor.max(AS_OF - Duration::days(120)).min(AS_OF);
            date_between(rng, lo, AS_OF)
        }
        None => {
            let mut lo = working.max(floor);
            if lo > AS_OF - Duration::days(30) {
                lo = floor.min(AS_OF);
            }
            date_between(rng, lo, AS_OF.min(add_years(lo, 10)))
        }
    };
    let (status_since, status_reason) = match status {
        "suspended" | "exited" => {
            let lo = (join_date + Duration::days(1)).max(AS_OF - Duration::days(330));
            let since = if lo < AS_OF {
                date_between(rng, lo, AS_OF)
            } else {
                AS_OF.max(join_date)
            };
            let reasons = if status == "suspended" {
                SUSPEND_REASONS
            } else {
                EXIT_REASONS
            };
            (since, Some((*rng.pick(reasons)).to_owned()))
        }
        _ => (join_date, None),
    };
    let card_no = (status != "applicant" && rng.chance(900))
        .then(|| ids.card(place.series, place.series_code));
    MemberSeed {
        unit_code: place.unit_code.to_owned(),
        full_name,
        birth_date,
        sex,
        cccd,
        phone,
        ethnicity: ethnicity.to_owned(),
        nationality: "Việt Nam".to_owned(),
        job_title,
        card_no,
        join_date,
        party_member: rng.chance(data.party * 9 / 10),
        status,
        status_since,
        status_reason,
    }
}

fn first_of_year(year: i32) -> Date {
    Date::from_ordinal_date(year, 1).unwrap_or(OLDEST_BIRTH)
}

fn last_of_year(year: i32) -> Date {
    Date::from_ordinal_date(year + 1, 1)
        .map(|d| d - Duration::days(1))
        .unwrap_or(YOUNGEST_BIRTH)
}

/// Writes the committees of `task` and their posts, taking the next unused
/// officers of the batch.
fn fill(rng: &mut Rng, country: &Country, task: &Task, out: &mut UnitBatch, next: &mut usize) {
    let unit = &country.units[task.unit];
    let term = task.term;
    let persons = (task.persons() as usize).min(out.members.len() - *next);
    if persons == 0 {
        return;
    }
    let p: Vec<usize> = (*next..*next + persons).collect();
    *next += persons;
    let committee = |kind: &'static str| CommitteeSeed {
        unit_code: unit.code.clone(),
        kind,
        term_no: term.no,
        term_label: term.label.into(),
        term_start: term.start,
        term_end: term.end,
    };
    let post =
        |kind: &'static str, m: usize, position: &'static str, full_time: bool| PositionSeed {
            unit_code: unit.code.clone(),
            committee_kind: kind,
            member_cccd: out.members[m].cccd.clone(),
            position,
            start: term.start,
            end: None,
            full_time,
            elected: term.elected,
        };
    let mut posts = Vec::new();
    match task.body {
        Body::Group { .. } => {
            out.committees.push(committee("TO"));
            posts.push(post("TO", p[0], "TO_TRUONG", false));
            if let Some(&d) = p.get(1) {
                posts.push(post("TO", d, "TO_PHO", false));
            }
        }
        Body::Board {
            bch,
            vices,
            btv,
            ubkt,
            staff,
            grassroots,
            party_chair,
        } => {
            let bch = (bch as usize).min(persons);
            let chair = p[0];
            let vices = &p[1..(1 + vices as usize).min(bch)];
            let rest = &p[1 + vices.len()..bch];
            let standing = &rest[..(btv as usize)
                .saturating_sub(1 + vices.len())
                .min(rest.len())];
            let inspector = rest.last().copied().filter(|m| !standing.contains(m));
            let inspectors = &p[bch..];
            let office = staff == Staff::Office;
            out.committees.push(committee("BCH"));
            posts.push(post("BCH", chair, "CHU_TICH", staff != Staff::None));
            posts.extend(
                vices
                    .iter()
                    .map(|&m| post("BCH", m, "PHO_CHU_TICH", office)),
            );
            posts.extend(rest.iter().map(|&m| post("BCH", m, "UV_BCH", false)));
            if btv > 0 {
                out.committees.push(committee("BTV"));
                posts.push(post("BTV", chair, "CHU_TICH", staff != Staff::None));
                posts.extend(
                    vices
                        .iter()
                        .map(|&m| post("BTV", m, "PHO_CHU_TICH", office)),
                );
                posts.extend(standing.iter().map(|&m| post("BTV", m, "UV_BTV", office)));
            }
            if ubkt > 0
                && let Some(cn) = inspector
            {
                out.committees.push(committee("UBKT"));
                posts.push(post("UBKT", cn, "CHU_NHIEM_UBKT", office));
                for (i, &m) in inspectors.iter().enumerate() {
                    let position = if i == 0 && ubkt >= 5 {
                        "PHO_CHU_NHIEM_UBKT"
                    } else {
                        "UV_UBKT"
                    };
                    posts.push(post("UBKT", m, position, false));
                }
            }
            // In about one CĐCS in twelve the chair left mid-term and the BCH
            // elected one of its members in their place.
            let successor = rest
                .iter()
                .copied()
                .find(|m| !standing.contains(m) && Some(*m) != inspector);
            let (lo, hi) = (
                term.start + Duration::days(180),
                AS_OF.min(term.start + Duration::days(3 * 365)),
            );
            if grassroots
                && lo < hi
                && rng.chance(85)
                && let Some(new_chair) = successor
            {
                let left = date_between(rng, lo, hi);
                let next_day = left + Duration::days(1);
                for x in posts.iter_mut() {
                    let cccd = &out.members[new_chair].cccd;
                    if (x.position == "CHU_TICH" && x.member_cccd == out.members[chair].cccd)
                        || (x.committee_kind == "BCH" && &x.member_cccd == cccd)
                    {
                        x.end = Some(left);
                    }
                }
                for kind in if btv > 0 {
                    &["BCH", "BTV"][..]
                } else {
                    &["BCH"][..]
                } {
                    let mut x = post(kind, new_chair, "CHU_TICH", staff != Staff::None);
                    x.start = next_day;
                    x.elected = true;
                    posts.push(x);
                }
            }
            // Leaders of upper-level unions and of most state-sector CĐCS are
            // Party members; office staff carry their titles.
            if party_chair && (!grassroots || rng.chance(850)) {
                out.members[chair].party_member = true;
            }
            if !grassroots && party_chair {
                for &m in vices.iter().chain(standing).chain(inspector.as_slice()) {
                    out.members[m].party_member = true;
                }
            }
            if office {
                let name = &unit.name;
                out.members[chair].job_title = Some(format!("Chủ tịch {name}"));
                for &m in vices {
                    out.members[m].job_title = Some(format!("Phó Chủ tịch {name}"));
                }
                // Heads of the boards, then their deputies.
                for (i, &m) in standing.iter().enumerate() {
                    let title = OFFICE_TITLES[i % OFFICE_TITLES.len()];
                    out.members[m].job_title = Some(match i / OFFICE_TITLES.len() {
                        0 => format!("{title} {name}"),
                        _ => format!("Phó {title} {name}"),
                    });
                }
                if let Some(cn) = inspector {
                    out.members[cn].job_title = Some(format!("Chủ nhiệm Ủy ban Kiểm tra {name}"));
                }
            }
        }
    }
    out.positions.extend(posts);
}
