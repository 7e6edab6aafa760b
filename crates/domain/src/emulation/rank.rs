//! Ranking units scored against one set, and the share of units per class
//! against a target.

use std::cmp::Ordering;

use serde::Serialize;

use super::{Checked, Pts};
use crate::text::text_sort_key;

/// A unit to rank, with the facts ties are broken by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RankEntry {
    pub unit_id: i64,
    pub name: String,
    /// Appraised total (the published result).
    pub total: Pts,
    /// Appraised points of the set's first group.
    pub group1: Pts,
    /// Share of women among members, per mille, when known.
    pub women_permille: Option<u32>,
    pub class: String,
}

/// Women make up at least 70% of the collective (preferred on a tie,
/// domain.md §5).
pub const WOMEN_PREFERRED_PERMILLE: u32 = 700;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ranked {
    /// 1 = first. Equal on every tie-breaker (same name too) shares a rank.
    pub rank: u32,
    pub entry: RankEntry,
}

fn cmp_entries(a: &RankEntry, b: &RankEntry, ka: &str, kb: &str) -> Ordering {
    let women = |e: &RankEntry| {
        e.women_permille
            .is_some_and(|w| w >= WOMEN_PREFERRED_PERMILLE)
    };
    b.total
        .cmp(&a.total)
        .then(b.group1.cmp(&a.group1))
        .then(women(b).cmp(&women(a)))
        .then(ka.cmp(kb))
}

/// Ranks by appraised total, then group-1 points, then a collective of ≥ 70%
/// women, then the unit name in Vietnamese order.
pub fn rank(entries: Vec<RankEntry>) -> Vec<Ranked> {
    let mut keyed: Vec<(String, RankEntry)> = entries
        .into_iter()
        .map(|e| (text_sort_key(&e.name), e))
        .collect();
    keyed.sort_by(|(ka, a), (kb, b)| cmp_entries(a, b, ka, kb).then(a.unit_id.cmp(&b.unit_id)));
    let mut out: Vec<Ranked> = Vec::with_capacity(keyed.len());
    let mut prev: Option<(String, RankEntry)> = None;
    for (i, (k, e)) in keyed.into_iter().enumerate() {
        let rank = match (&prev, out.last()) {
            (Some((pk, pe)), Some(last)) if cmp_entries(pe, &e, pk, &k) == Ordering::Equal => {
                last.rank
            }
            _ => i as u32 + 1,
        };
        prev = Some((k, e.clone()));
        out.push(Ranked { rank, entry: e });
    }
    out
}

/// Units per class, in the set's band order (highest first).
pub fn class_counts<'a>(
    set: &Checked,
    classes: impl IntoIterator<Item = &'a str>,
) -> Vec<(String, String, u64)> {
    let mut out: Vec<(String, String, u64)> = set
        .def()
        .bands
        .iter()
        .map(|b| (b.code.clone(), b.name_vi.clone(), 0))
        .collect();
    for c in classes {
        if let Some(row) = out.iter_mut().find(|r| r.0 == c) {
            row.2 += 1;
        }
    }
    out
}

/// A target such as "≥ 80% of CĐCS 'hoàn thành tốt' or better".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Target {
    /// The lowest class that counts.
    pub class: String,
    /// Required share, per mille (800 = 80%).
    pub share_permille: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetResult {
    pub reached: u64,
    pub total: u64,
    pub share_permille: u32,
    pub met: bool,
}

/// Compares class counts (from [`class_counts`]) with a target. A class the set
/// does not have is a target nobody reaches.
pub fn target_met(
    set: &Checked,
    counts: &[(String, String, u64)],
    target: &Target,
) -> TargetResult {
    let total: u64 = counts.iter().map(|c| c.2).sum();
    let idx = set.def().bands.iter().position(|b| b.code == target.class);
    let reached: u64 = match idx {
        Some(i) => counts
            .iter()
            .filter(|c| {
                set.def()
                    .bands
                    .iter()
                    .position(|b| b.code == c.0)
                    .is_some_and(|j| j <= i)
            })
            .map(|c| c.2)
            .sum(),
        None => 0,
    };
    let share_permille = (reached * 1000)
        .checked_div(total)
        .map_or(0, |v| u32::try_from(v).unwrap_or(u32::MAX));
    TargetResult {
        reached,
        total,
        share_permille,
        met: total > 0 && reached * 1000 >= u64::from(target.share_permille) * total,
    }
}
