//! Union members: names, birth dates, CCCD numbers, phones, cards, join
//! dates and statuses, placed in the deepest unit (tổ, else CĐCS or CĐ bộ
//! phận).

use std::collections::HashSet;

use congdoan_domain::cccd::{CCCD_PROVINCE_CODES, make_cccd};
use congdoan_domain::member::Sex;
use time::macros::date;
use time::{Date, Duration};

use crate::names;
use crate::rng::Rng;
use crate::tree::Tree;
use crate::{DEMO_CDCS_CODE, MemberSeed, NAME_DUC, NAME_HOA_NEW, NAME_HOA_OLD};

/// The demo's "today": nothing happens after this date.
pub(crate) const AS_OF: Date = date!(2025 - 06 - 30);

/// Latest join date of a full member (applications may be later).
const LAST_JOIN: Date = date!(2025 - 05 - 31);

/// CCCD numbers the integration tests type in by hand; the demo never uses them.
pub(crate) const RESERVED_CCCD: &[&str] = &[
    "089090123456",
    "089190123456",
    "089085000777",
    "089194012345",
    "089192123456",
];

/// Phone numbers the integration tests type in by hand.
pub(crate) const RESERVED_PHONES: &[&str] = &["0987654321"];

pub(crate) const MOBILE_PREFIXES: &[&str] = &[
    "032", "033", "034", "035", "036", "037", "038", "039", "056", "058", "070", "076", "077",
    "078", "079", "081", "082", "083", "084", "085", "086", "088", "089", "090", "091", "093",
    "094", "096", "097", "098",
];

pub(crate) const SUSPEND_REASONS: &[&str] = &[
    "Tạm hoãn hợp đồng lao động",
    "Nghỉ không lương dài hạn",
    "Mất việc làm, đang chờ việc",
];

/// `d` plus `years`, with 29 February falling back to the 28th.
pub(crate) fn add_years(d: Date, years: i32) -> Date {
    let y = d.year() + years;
    Date::from_calendar_date(y, d.month(), d.day())
        .or_else(|_| Date::from_calendar_date(y, d.month(), 28))
        .unwrap_or(d)
}

/// Uniform date in `lo..=hi`.
pub(crate) fn date_between(rng: &mut Rng, lo: Date, hi: Date) -> Date {
    let span = (hi - lo).whole_days().max(0);
    lo + Duration::days(rng.range(0, span))
}

/// Completed years of age on `on`.
pub(crate) fn age_on(birth: Date, on: Date) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month() as u8, on.day()) < (birth.month() as u8, birth.day()) {
        age -= 1;
    }
    age
}

struct Ids {
    next_serial: u32,
    phones: HashSet<String>,
    cards: Vec<(&'static str, u32)>,
}

impl Ids {
    /// Serials walk a full-period sequence mod 10⁶ (7919 is prime to 10⁶),
    /// so they never repeat and look scattered.
    fn cccd(&mut self, province: u16, year: i32, sex: Sex) -> String {
        loop {
            self.next_serial += 1;
            let serial = (self.next_serial.wrapping_mul(7919) + 104_729) % 1_000_000;
            let c = make_cccd(province, year, sex, serial).as_str().to_owned();
            if !RESERVED_CCCD.contains(&c.as_str()) {
                return c;
            }
        }
    }

    fn phone(&mut self, rng: &mut Rng) -> String {
        loop {
            let p = format!("{}{:07}", rng.pick(MOBILE_PREFIXES), rng.below(10_000_000));
            if !RESERVED_PHONES.contains(&p.as_str()) && self.phones.insert(p.clone()) {
                return p;
            }
        }
    }

    fn card(&mut self, rng: &mut Rng, prefix: &'static str) -> String {
        let slot = match self.cards.iter().position(|(p, _)| *p == prefix) {
            Some(i) => i,
            None => {
                self.cards.push((prefix, 1_000 + rng.range(0, 900) as u32));
                self.cards.len() - 1
            }
        };
        self.cards[slot].1 += 1 + rng.below(3) as u32;
        format!("{prefix}{:07}", self.cards[slot].1)
    }
}

/// Members in unit order, and the unit index of each.
pub(crate) fn generate(tree: &Tree) -> (Vec<MemberSeed>, Vec<usize>) {
    let total: usize = tree.info.iter().map(|i| i.direct_members as usize).sum();
    let mut members = Vec::with_capacity(total);
    let mut unit_of = Vec::with_capacity(total);
    let mut ids = Ids {
        next_serial: 0,
        phones: HashSet::with_capacity(total),
        cards: Vec::new(),
    };
    let mut forced: &[(&str, Sex)] = &[
        (NAME_DUC, Sex::Male),
        (NAME_HOA_OLD, Sex::Female),
        (NAME_HOA_NEW, Sex::Female),
    ];
    let demo_prefix = format!("{DEMO_CDCS_CODE}-");
    for (ui, (unit, info)) in tree.units.iter().zip(&tree.info).enumerate() {
        if info.direct_members == 0 {
            continue;
        }
        let Some(profile) = info.profile else {
            continue;
        };
        let data = profile.data();
        let mut rng = Rng::for_label(&format!("members:{}", unit.code));
        let in_demo = unit.code == DEMO_CDCS_CODE || unit.code.starts_with(&demo_prefix);
        let state = matches!(
            info.ownership,
            Some("state_agency" | "public_full" | "public_partial")
        );
        for _ in 0..info.direct_members {
            let (name, sex, ethnicity, is_forced) = match forced.split_first() {
                Some(((name, sex), rest)) if in_demo => {
                    forced = rest;
                    ((*name).to_owned(), *sex, "Kinh", true)
                }
                _ => {
                    let sex = if rng.chance(data.female) {
                        Sex::Female
                    } else {
                        Sex::Male
                    };
                    let eth = names::ethnicity(&mut rng, info.region, data.rural);
                    let name = names::full_name(&mut rng, sex, eth, info.region);
                    (name, sex, eth, false)
                }
            };
            let year = rng.range(i64::from(data.born.0), i64::from(data.born.1)) as i32;
            let days = if time::util::is_leap_year(year) {
                366
            } else {
                365
            };
            let birth = Date::from_ordinal_date(year, rng.range(1, days) as u16)
                .unwrap_or(date!(1990 - 01 - 01));
            let province = if rng.chance(820) {
                info.region.cccd_province()
            } else {
                rng.pick(CCCD_PROVINCE_CODES).0
            };
            let cccd = ids.cccd(province, year, sex);
            let phone = rng.chance(880).then(|| ids.phone(&mut rng));
            let job_title = rng.chance(930).then(|| (*rng.pick(data.jobs)).to_owned());
            let roll = rng.below(1000);
            let status = match roll {
                _ if is_forced => "member",
                0..10 => "applicant",
                10..30 => "suspended",
                30..40 => "exited",
                _ => "member",
            };
            // Join: after 18, once working there, and not before the unit existed.
            let adult = add_years(birth, 18);
            let start = add_years(birth, rng.range(data.start_age.0, data.start_age.1) as i32);
            let mut lo = start.max(adult).max(unit.founded_on);
            if lo > LAST_JOIN {
                lo = adult.max(unit.founded_on);
            }
            let join_date = if status == "applicant" {
                date_between(&mut rng, lo.max(date!(2025 - 03 - 01)), AS_OF)
            } else {
                let hi = LAST_JOIN.min(lo + Duration::days(365 * 10));
                date_between(&mut rng, lo, hi)
            };
            let card_no = (status != "applicant").then(|| ids.card(&mut rng, info.card_prefix));
            let party_member = rng.chance(if state {
                data.party.max(120)
            } else {
                data.party
            });
            // When a suspension or exit happened: after joining, before the data's date.
            // Derived from the roll so the random stream (and the rest of the data) is unchanged.
            let status_since = match status {
                "suspended" | "exited" => (AS_OF - Duration::days(30 + ((roll * 37) % 900) as i64))
                    .max(join_date + Duration::days(1))
                    .min(AS_OF),
                _ => join_date,
            };
            let status_reason = match status {
                "suspended" => Some((*rng.pick(SUSPEND_REASONS)).to_owned()),
                "exited" => Some("Nghỉ việc".to_owned()),
                _ => None,
            };
            members.push(MemberSeed {
                unit_code: unit.code.clone(),
                full_name: name,
                birth_date: birth,
                sex,
                cccd,
                phone,
                ethnicity: ethnicity.to_owned(),
                nationality: "Việt Nam".to_owned(),
                job_title,
                card_no,
                join_date,
                party_member,
                status,
                status_since,
                status_reason,
            });
            unit_of.push(ui);
        }
    }
    (members, unit_of)
}
