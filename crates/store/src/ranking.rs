//! Rankings across a subtree (issue 15 items 3–4): every published result of one year
//! (or of one criteria set) in a unit's subtree — a province's CĐCS, a CĐCS's tổ and
//! bộ phận — ranked with the tie rules, filtered by cluster and class, compared with
//! last year, counted per cluster and per child unit (the national distribution by
//! province). Results are found from the units of the subtree's path range
//! (`assessment_result_unit_idx`, migration 0028), so the work follows the subtree's
//! size, bounded by [`WIDE_CAP`]. The distribution reads the class counters of the
//! roll-up rows instead (`@c/…` of `request_tally`, migration 0032): a few rows per
//! child, so the national table does not read 125,000 results.

use crate::scope::range_end;
use crate::{CriteriaSetRow, Result, Scope, Store, read, write};
use congdoan_domain::emulation::{self as em, Pts, RankEntry};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Most published results one ranking reads (a province has ~5,000 CĐCS).
pub const WIDE_CAP: i64 = 50_000;
/// Rows of a ranking shown per page.
pub const WIDE_PAGE: usize = 500;

/// CĐCS level (the default) or the tổ and bộ phận inside a CĐCS.
pub const CDCS_TYPES: [&str; 2] = ["CDCS", "NGHIEP_DOAN"];
pub const GROUP_TYPES: [&str; 2] = ["TO_CD", "CD_BO_PHAN"];

/// What to rank.
#[derive(Debug, Clone, Default)]
pub struct WideQuery {
    pub root: i64,
    pub year: i32,
    /// One criteria set only (its unit types then choose the level).
    pub set_id: Option<i64>,
    /// `to` for tổ and bộ phận; anything else the CĐCS level.
    pub level: Option<String>,
    pub cluster_id: Option<i64>,
    /// Only rows of this class (the list a distribution figure links to).
    pub class: Option<String>,
    /// Target: lowest class that counts and share per mille (default "tot", 800).
    pub target_class: Option<String>,
    pub target_permille: Option<u32>,
}

/// Better, worse or equal to last year; `New` when last year had no published result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Up,
    Down,
    Same,
    New,
}

impl Trend {
    pub fn arrow(self) -> &'static str {
        match self {
            Trend::Up => "↑",
            Trend::Down => "↓",
            Trend::Same => "=",
            Trend::New => "—",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Trend::Up => "up",
            Trend::Down => "down",
            Trend::Same => "same",
            Trend::New => "new",
        }
    }
}

/// One ranked unit with last year's result beside it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WideRow {
    pub rank: u32,
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    pub request_id: i64,
    /// Tenths of a point.
    pub total: i64,
    pub class: String,
    pub class_name: String,
    pub prev_total: Option<i64>,
    pub prev_class_name: Option<String>,
    pub total_trend: Trend,
    pub class_trend: Trend,
}

/// Class counts of one cluster this year and last year (same member units).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClusterCounts {
    pub cluster_id: i64,
    pub name: String,
    /// Per class, in [`WideRanking::classes`] order.
    pub now: Vec<u64>,
    pub prev: Vec<u64>,
    pub total_now: u64,
    pub total_prev: u64,
}

/// A subtree's ranking, its class counts, the target and the comparisons.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WideRanking {
    pub year: i32,
    pub set: Option<CriteriaSetRow>,
    /// (code, Vietnamese name), best class first.
    pub classes: Vec<(String, String)>,
    /// Ranked rows (cluster and class filters applied), all of them.
    pub rows: Vec<WideRow>,
    /// Per class (cluster filter applied, class filter not), this year and last year.
    pub counts: Vec<u64>,
    pub prev_counts: Vec<u64>,
    pub total: u64,
    pub target_class: String,
    pub target_class_name: String,
    pub target_permille: u32,
    pub reached: u64,
    pub share_permille: u32,
    pub met: bool,
    pub clusters: Vec<ClusterCounts>,
    /// More than [`WIDE_CAP`] results: the figures count the first ones only.
    pub capped: bool,
}

/// One child unit (a province under the national root) of the distribution.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DistRow {
    pub unit_id: i64,
    pub name: String,
    pub counts: Vec<u64>,
    pub total: u64,
}

/// Class counts per child unit of a root.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Distribution {
    pub year: i32,
    pub set_id: Option<i64>,
    pub classes: Vec<(String, String)>,
    pub rows: Vec<DistRow>,
    pub totals: Vec<u64>,
    pub total: u64,
    pub capped: bool,
}

/// One unit's published totals for [`Store::bulk_assessment_results`] (tenths).
#[derive(Debug, Clone)]
pub struct BulkResult {
    pub unit_id: i64,
    pub self_total: i64,
    pub self_class: String,
    pub total: i64,
    pub group1: i64,
    pub class: String,
}

/// A published result as read from the subtree.
#[derive(Debug, Clone)]
struct Pub {
    unit_id: i64,
    code: String,
    name: String,
    request_id: i64,
    set_id: i64,
    set_version: i64,
    total: i64,
    group1: i64,
    class: String,
    women: Option<i64>,
    all: Option<i64>,
}

/// The unit types of a level.
fn level_types(level: Option<&str>) -> Vec<String> {
    let t: &[&str] = if level == Some("to") {
        &GROUP_TYPES
    } else {
        &CDCS_TYPES
    };
    t.iter().map(|s| s.to_string()).collect()
}

/// The year's published results in a path range, one per unit (the latest request
/// when a unit was scored twice), in path order.
#[allow(clippy::too_many_arguments)]
async fn published(
    store: &Store,
    path: &str,
    year: i32,
    set_id: Option<i64>,
    types: &[String],
    women: bool,
) -> Result<(Vec<Pub>, bool)> {
    type Row = (
        i64,
        String,
        String,
        String,
        i64,
        i64,
        i64,
        Option<i64>,
        Option<i64>,
        Option<String>,
        Option<i64>,
        Option<i64>,
    );
    let end = range_end(path);
    let rows: Vec<Row> = read!(store, p => {
        let mut qb = sqlx::QueryBuilder::new("SELECT u.unit_id, u.code, u.name, u.path, r.request_id, a.set_id, a.set_version, \
             r.appraised_total, r.appraised_group1, r.appraised_class, ");
        if women {
            qb.push("(SELECT n FROM unit_stat st WHERE st.unit_id = u.unit_id AND st.dim = 'sex' AND st.key = 'F'), \
                 (SELECT CAST(SUM(n) AS BIGINT) FROM unit_stat st WHERE st.unit_id = u.unit_id AND st.dim = 'sex') ");
        } else {
            qb.push("CAST(NULL AS BIGINT), CAST(NULL AS BIGINT) ");
        }
        qb.push("FROM unit u JOIN assessment_result r ON r.unit_id = u.unit_id \
             JOIN assessment a ON a.request_id = r.request_id \
             JOIN criteria_set s ON s.set_id = a.set_id \
             WHERE u.path >= ").push_bind(path.to_string()).push(" AND u.path < ").push_bind(end.clone())
            // The target's state as a probe by its key, not a join: joined, SQLite walked
            // every approved target of each unit (a year of monthly reports) through
            // `request_target_unit_idx`, reading their wide rows (0.42 s against 0.17 s
            // for a province of 20,000 CĐCS at 10M).
            .push(" AND u.ended_on IS NULL AND EXISTS (SELECT 1 FROM request_target t WHERE t.request_id = r.request_id \
                 AND t.unit_id = r.unit_id AND t.state = 'approved' AND t.ended_on IS NULL) \
                 AND r.appraised_total IS NOT NULL AND s.year = ")
            .push_bind(i64::from(year));
        if let Some(s) = set_id {
            qb.push(" AND a.set_id = ").push_bind(s);
        }
        qb.push(" AND u.type_code IN (");
        let mut sep = qb.separated(", ");
        for t in types {
            sep.push_bind(t.clone());
        }
        qb.push(") ORDER BY u.path, r.request_id LIMIT ").push_bind(WIDE_CAP + 1);
        qb.build_query_as().fetch_all(p).await
    })?;
    let capped = rows.len() as i64 > WIDE_CAP;
    let mut out: Vec<Pub> = Vec::with_capacity(rows.len());
    for (unit_id, code, name, _path, request_id, set_id, set_version, total, g1, class, w, all) in
        rows.into_iter().take(WIDE_CAP as usize)
    {
        let (Some(total), Some(class)) = (total, class) else {
            continue;
        };
        let p = Pub {
            unit_id,
            code,
            name,
            request_id,
            set_id,
            set_version,
            total,
            group1: g1.unwrap_or(0),
            class,
            women: w,
            all,
        };
        // Rows come in (path, request) order: a unit's later request replaces its earlier.
        match out.last_mut() {
            Some(last) if last.unit_id == p.unit_id => *last = p,
            _ => out.push(p),
        }
    }
    Ok((out, capped))
}

/// Classes of the sets the results were scored against, best first, merged in order.
async fn classes_of(store: &Store, rows: &[&Pub]) -> Result<Vec<(String, String)>> {
    classes_of_versions(
        store,
        rows.iter().map(|p| (p.set_id, p.set_version)).collect(),
    )
    .await
}

/// Classes of criteria set versions, best first, merged in order.
async fn classes_of_versions(
    store: &Store,
    mut versions: Vec<(i64, i64)>,
) -> Result<Vec<(String, String)>> {
    versions.sort_unstable();
    versions.dedup();
    let mut out: Vec<(String, String)> = Vec::new();
    // Only the bands are needed: read them from the stored definition without
    // checking the whole set again.
    #[derive(serde::Deserialize)]
    struct Bands {
        bands: Vec<em::Band>,
    }
    for (s, v) in versions.into_iter().take(20) {
        let body: String = read!(store, p => sqlx::query_scalar("SELECT definition FROM criteria_set_version WHERE set_id = $1 AND version = $2")
            .bind(s).bind(v).fetch_one(p).await)?;
        let c: Bands = serde_json::from_str(&body)
            .map_err(|e| crate::StoreError::Config(format!("criteria set {s} v{v}: {e}")))?;
        for b in &c.bands {
            if !out.iter().any(|(code, _)| code == &b.code) {
                out.push((b.code.clone(), b.name_vi.clone()));
            }
        }
    }
    Ok(out)
}

fn class_index(classes: &[(String, String)], code: &str) -> usize {
    classes
        .iter()
        .position(|(c, _)| c == code)
        .unwrap_or(usize::MAX)
}

fn counts_of<'a>(
    classes: &[(String, String)],
    rows: impl IntoIterator<Item = &'a Pub>,
) -> Vec<u64> {
    let mut v = vec![0u64; classes.len()];
    for r in rows {
        if let Some(i) = classes.iter().position(|(c, _)| c == &r.class) {
            v[i] += 1;
        }
    }
    v
}

impl Store {
    /// The ranking of a subtree's published results of one year (or one set), with
    /// last year beside each unit, the class counts, the target and the clusters.
    #[tracing::instrument(skip(self, scope))]
    pub async fn wide_ranking(&self, scope: &Scope, q: &WideQuery) -> Result<WideRanking> {
        let root = self.unit(scope, q.root).await?;
        let set = match q.set_id {
            Some(id) => Some(self.criteria_set(scope, id).await?),
            None => None,
        };
        let year = set.as_ref().map(|(s, _)| s.year as i32).unwrap_or(q.year);
        let types = match &set {
            Some((_, c)) if !c.def().unit_types.is_empty() => c.def().unit_types.clone(),
            _ => level_types(q.level.as_deref()),
        };
        let (now, capped) = published(self, &root.path, year, q.set_id, &types, true).await?;
        // Last year: any set of that year at the same level.
        let (prev, _) = published(self, &root.path, year - 1, None, &types, false).await?;
        let member_of: Option<Vec<i64>> = match q.cluster_id {
            Some(c) => {
                self.cluster(scope, c).await?;
                Some(
                    read!(self, p => sqlx::query_scalar("SELECT unit_id FROM cluster_unit WHERE cluster_id = $1 ORDER BY unit_id")
                    .bind(c).fetch_all(p).await)?,
                )
            }
            None => None,
        };
        let in_filter = |u: i64| {
            member_of
                .as_ref()
                .is_none_or(|m| m.binary_search(&u).is_ok())
        };
        let all_refs: Vec<&Pub> = now.iter().chain(prev.iter()).collect();
        let classes = match &set {
            Some((_, c)) => {
                let mut v: Vec<(String, String)> = c
                    .def()
                    .bands
                    .iter()
                    .map(|b| (b.code.clone(), b.name_vi.clone()))
                    .collect();
                for (code, name) in classes_of(self, &all_refs).await? {
                    if !v.iter().any(|(c, _)| c == &code) {
                        v.push((code, name));
                    }
                }
                v
            }
            None => classes_of(self, &all_refs).await?,
        };
        let prev_of: HashMap<i64, &Pub> = prev.iter().map(|p| (p.unit_id, p)).collect();
        let shown: Vec<&Pub> = now.iter().filter(|p| in_filter(p.unit_id)).collect();
        let counts = counts_of(&classes, shown.iter().copied());
        let prev_counts = counts_of(&classes, prev.iter().filter(|p| in_filter(p.unit_id)));
        let total: u64 = counts.iter().sum();
        // The target: "tot" (hoàn thành tốt) or the second class, 80%, unless chosen.
        let target_class = q
            .target_class
            .clone()
            .filter(|c| classes.iter().any(|(x, _)| x == c))
            .or_else(|| {
                classes
                    .iter()
                    .find(|(c, _)| c == "tot")
                    .or(classes.get(1))
                    .or(classes.first())
                    .map(|(c, _)| c.clone())
            })
            .unwrap_or_default();
        let target_permille = q.target_permille.unwrap_or(800).min(1000);
        let ti = class_index(&classes, &target_class);
        let reached: u64 = counts
            .iter()
            .enumerate()
            .filter(|(i, _)| *i <= ti)
            .map(|(_, n)| n)
            .sum();
        let share_permille = (reached * 1000)
            .checked_div(total)
            .map_or(0, |v| u32::try_from(v).unwrap_or(u32::MAX));
        let met = total > 0 && reached * 1000 >= u64::from(target_permille) * total;
        // Rank everything shown, then keep the class asked for (ranks stay the subtree's).
        let entries: Vec<RankEntry> = shown
            .iter()
            .map(|p| RankEntry {
                unit_id: p.unit_id,
                name: p.name.clone(),
                total: Pts(p.total),
                group1: Pts(p.group1),
                women_permille: match (p.women, p.all) {
                    (Some(w), Some(a)) if a > 0 => Some((w * 1000 / a) as u32),
                    _ => None,
                },
                class: p.class.clone(),
            })
            .collect();
        let by_id: HashMap<i64, &Pub> = shown.iter().map(|p| (p.unit_id, *p)).collect();
        let name_of = |code: &str| {
            classes
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| code.to_string())
        };
        let rows = em::rank(entries)
            .into_iter()
            .filter(|r| q.class.as_ref().is_none_or(|c| &r.entry.class == c))
            .map(|r| {
                let p = by_id[&r.entry.unit_id];
                let last = prev_of.get(&p.unit_id);
                let total_trend = match last {
                    None => Trend::New,
                    Some(l) if p.total > l.total => Trend::Up,
                    Some(l) if p.total < l.total => Trend::Down,
                    Some(_) => Trend::Same,
                };
                let class_trend = match last {
                    None => Trend::New,
                    Some(l) => {
                        let (a, b) = (
                            class_index(&classes, &p.class),
                            class_index(&classes, &l.class),
                        );
                        match a.cmp(&b) {
                            std::cmp::Ordering::Less => Trend::Up,
                            std::cmp::Ordering::Greater => Trend::Down,
                            std::cmp::Ordering::Equal => Trend::Same,
                        }
                    }
                };
                WideRow {
                    rank: r.rank,
                    unit_id: p.unit_id,
                    code: p.code.clone(),
                    name: p.name.clone(),
                    request_id: p.request_id,
                    total: p.total,
                    class_name: name_of(&p.class),
                    class: p.class.clone(),
                    prev_total: last.map(|l| l.total),
                    prev_class_name: last.map(|l| name_of(&l.class)),
                    total_trend,
                    class_trend,
                }
            })
            .collect();
        // Per cluster of the root for the year: its members' classes now and last year.
        let clusters = self
            .clusters(scope, root.unit_id, Some(i64::from(year)))
            .await?;
        let mut cluster_counts = Vec::new();
        if !clusters.is_empty() {
            let ids = clusters
                .iter()
                .map(|c| c.cluster_id.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let members: Vec<(i64, i64)> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT cluster_id, unit_id FROM cluster_unit WHERE cluster_id IN ({ids})"))).fetch_all(p).await)?;
            let mut by_cluster: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
            for (c, u) in members {
                by_cluster.entry(c).or_default().push(u);
            }
            let now_of: HashMap<i64, &Pub> = now.iter().map(|p| (p.unit_id, p)).collect();
            for c in &clusters {
                let units = by_cluster.get(&c.cluster_id).cloned().unwrap_or_default();
                let n = counts_of(
                    &classes,
                    units.iter().filter_map(|u| now_of.get(u).copied()),
                );
                let l = counts_of(
                    &classes,
                    units.iter().filter_map(|u| prev_of.get(u).copied()),
                );
                cluster_counts.push(ClusterCounts {
                    cluster_id: c.cluster_id,
                    name: c.name.clone(),
                    total_now: n.iter().sum(),
                    total_prev: l.iter().sum(),
                    now: n,
                    prev: l,
                });
            }
        }
        Ok(WideRanking {
            year,
            set: set.map(|(s, _)| s),
            target_class_name: name_of(&target_class),
            classes,
            rows,
            counts,
            prev_counts,
            total,
            target_class,
            target_permille,
            reached,
            share_permille,
            met,
            clusters: cluster_counts,
            capped,
        })
    }

    /// Class counts of the year's published CĐCS results per child unit of a root —
    /// from the national root, one row per province.
    #[tracing::instrument(skip(self, scope))]
    pub async fn class_distribution(
        &self,
        scope: &Scope,
        root: i64,
        year: i32,
        set_id: Option<i64>,
        level: Option<&str>,
    ) -> Result<Distribution> {
        let root = self.unit(scope, root).await?;
        let set = match set_id {
            Some(id) => Some(self.criteria_set(scope, id).await?),
            None => None,
        };
        let year = set.as_ref().map(|(s, _)| s.year as i32).unwrap_or(year);
        let types = match &set {
            Some((_, c)) if !c.def().unit_types.is_empty() => c.def().unit_types.clone(),
            _ => level_types(level),
        };
        let children = self.child_units(scope, root.unit_id).await?;
        // The year's assessment requests (of one set, or of every set of the year).
        let requests: Vec<(i64, i64, i64)> = read!(self, p => {
            let mut qb = sqlx::QueryBuilder::new("SELECT a.request_id, a.set_id, a.set_version FROM assessment a \
                 JOIN criteria_set s ON s.set_id = a.set_id WHERE s.year = ");
            qb.push_bind(i64::from(year));
            if let Some(s) = set_id {
                qb.push(" AND a.set_id = ").push_bind(s);
            }
            qb.build_query_as().fetch_all(p).await
        })?;
        let version: HashMap<i64, (i64, i64)> =
            requests.into_iter().map(|(r, s, v)| (r, (s, v))).collect();
        // Each child's published results are its roll-up rows' class counters
        // (`request_tally_class_idx`) plus its own result (a CĐCS right under the root):
        // a few rows per child, however many results lie below.
        let mut per: HashMap<i64, BTreeMap<String, u64>> = HashMap::new();
        let mut used: Vec<(i64, i64)> = Vec::new();
        for chunk in children.chunks(500) {
            let ids = chunk
                .iter()
                .map(|(id, _)| id.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let below: Vec<(i64, i64, String, i64)> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT unit_id, request_id, key, n FROM request_tally WHERE key LIKE '@c/%' AND unit_id IN ({ids})")))
                .fetch_all(p).await)?;
            let own: Vec<(i64, i64, String, Option<String>)> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT t.unit_id, t.request_id, u.type_code, ar.appraised_class FROM request_target t \
                 JOIN unit u ON u.unit_id = t.unit_id \
                 JOIN assessment_result ar ON ar.request_id = t.request_id AND ar.unit_id = t.unit_id \
                 WHERE t.unit_id IN ({ids}) AND t.state = 'approved'")))
                .fetch_all(p).await)?;
            let own = own.into_iter().filter_map(|(u, r, ty, class)| {
                class.map(|c| (u, r, congdoan_domain::request::class_key(&ty, &c), 1))
            });
            for (child, request_id, key, n) in below.into_iter().chain(own) {
                let Some(v) = version.get(&request_id) else {
                    continue;
                };
                let Some(congdoan_domain::request::PlaceKey::Class(ty, class)) =
                    congdoan_domain::request::PlaceKey::parse(&key)
                else {
                    continue;
                };
                if n <= 0 || !types.iter().any(|t| t == ty) {
                    continue;
                }
                *per.entry(child)
                    .or_default()
                    .entry(class.to_string())
                    .or_default() += u64::try_from(n).unwrap_or(0);
                used.push(*v);
            }
        }
        let classes = match &set {
            Some((_, c)) => c
                .def()
                .bands
                .iter()
                .map(|b| (b.code.clone(), b.name_vi.clone()))
                .collect(),
            None => classes_of_versions(self, used).await?,
        };
        let mut totals = vec![0u64; classes.len()];
        let out: Vec<DistRow> = children
            .into_iter()
            .map(|(unit_id, name)| {
                let of = per.remove(&unit_id).unwrap_or_default();
                let counts: Vec<u64> = classes
                    .iter()
                    .map(|(c, _)| of.get(c).copied().unwrap_or(0))
                    .collect();
                for (t, n) in totals.iter_mut().zip(&counts) {
                    *t += n;
                }
                DistRow {
                    unit_id,
                    name,
                    total: counts.iter().sum(),
                    counts,
                }
            })
            .collect();
        Ok(Distribution {
            year,
            set_id,
            classes,
            total: totals.iter().sum(),
            rows: out,
            totals,
            capped: false,
        })
    }

    /// The open units directly under a unit (provinces under the national root), in
    /// path order: (id, name).
    pub async fn child_units(&self, scope: &Scope, unit_id: i64) -> Result<Vec<(i64, String)>> {
        self.unit(scope, unit_id).await?;
        Ok(read!(self, p => sqlx::query_as(
            "SELECT unit_id, name FROM unit WHERE parent_id = $1 AND ended_on IS NULL ORDER BY path LIMIT 2000")
            .bind(unit_id).fetch_all(p).await)?)
    }

    /// Years of the criteria sets usable at a unit or owned in its subtree, newest first.
    pub async fn assessment_years(&self, scope: &Scope, unit_id: i64) -> Result<Vec<i64>> {
        let unit = self.unit(scope, unit_id).await?;
        let mut y: Vec<i64> = self
            .criteria_sets(scope, unit_id)
            .await?
            .iter()
            .map(|s| s.year)
            .collect();
        let below: Vec<i64> = read!(self, p => sqlx::query_scalar(
            "SELECT DISTINCT s.year FROM criteria_set s JOIN unit u ON u.unit_id = s.owner_unit_id \
             WHERE u.path >= $1 AND u.path < $2 ORDER BY s.year DESC LIMIT 20")
            .bind(&unit.path).bind(range_end(&unit.path)).fetch_all(p).await)?;
        y.extend(below);
        y.sort_unstable_by(|a, b| b.cmp(a));
        y.dedup();
        Ok(y)
    }

    /// Benchmark and demo only: publishes appraised totals for targets already
    /// approved through `bulk_submit` (the rows `save_appraisal` would leave, without
    /// the per-item points), in batches.
    pub async fn bulk_assessment_results(
        &self,
        request_id: i64,
        rows: &[BulkResult],
    ) -> Result<usize> {
        let at = crate::now();
        write!(self, p => {
            let mut tx = p.begin().await?;
            for chunk in rows.chunks(2000) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO assessment_result (request_id, unit_id, self_total, self_class, \
                     appraised_total, appraised_group1, appraised_class, appraised_at, appraised_by) ");
                qb.push_values(chunk, |mut b, r| {
                    b.push_bind(request_id).push_bind(r.unit_id).push_bind(r.self_total).push_bind(r.self_class.clone())
                        .push_bind(r.total).push_bind(r.group1).push_bind(r.class.clone()).push_bind(at).push_bind("bench");
                });
                qb.build().execute(&mut *tx).await?;
            }
            // Published (approved) targets count their class up the tree.
            let targets: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT t.unit_id, u.path, u.type_code FROM request_target t JOIN unit u ON u.unit_id = t.unit_id \
                 WHERE t.request_id = $1 AND t.state = 'approved'")
                .bind(request_id).fetch_all(&mut *tx).await?;
            let at_unit: HashMap<i64, (String, String)> =
                targets.into_iter().map(|(u, p, t)| (u, (p, t))).collect();
            let mut delta = crate::requests::TallyDelta::default();
            for r in rows {
                if let Some((path, ty)) = at_unit.get(&r.unit_id) {
                    let key = congdoan_domain::request::class_key(ty, &r.class);
                    delta.target(request_id, path, &[(key, [0, 1, 0])], 1);
                }
            }
            crate::requests::apply_tallies!(tx, delta);
            tx.commit().await?;
        });
        Ok(rows.len())
    }
}
