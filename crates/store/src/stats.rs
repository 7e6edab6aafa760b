//! Subtree figures kept exact by every write (table `unit_stat`, migration 0003).
//!
//! A write computes a [`StatDelta`] (±n per unit, dimension and key) and adds it to the
//! unit and each of its ancestors in the same transaction, so reading the figures of
//! any subtree — the national root included — reads one unit's rows. [`Store::recount_stats`]
//! recomputes everything from the base tables; tests compare the two, and the benchmark
//! times it as the naive baseline.

use crate::{Result, Store, read};
use congdoan_domain::OrgPath;
use std::collections::{BTreeMap, HashMap};

/// Dimension names of `unit_stat`.
pub(crate) mod dim {
    pub const STATUS: &str = "status";
    pub const SEX: &str = "sex";
    pub const BIRTH_YEAR: &str = "birth_year";
    pub const SECTOR: &str = "sector";
    pub const OWNERSHIP: &str = "ownership";
    pub const PARTY: &str = "party";
    pub const UNIT_TYPE: &str = "unit_type";
    pub const WORKERS: &str = "workers";

    /// Maps a stored name back to its constant (unknown names are kept under "other").
    pub fn parse(s: &str) -> &'static str {
        [
            STATUS, SEX, BIRTH_YEAR, SECTOR, OWNERSHIP, PARTY, UNIT_TYPE, WORKERS,
        ]
        .into_iter()
        .find(|d| *d == s)
        .unwrap_or("other")
    }
}

/// What the figures need to know about one member.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MemberFacts<'a> {
    pub status: &'a str,
    pub sex: &'a str,
    pub birth_year: i32,
    pub party: bool,
    /// Sector and employer ownership of the member's CĐCS.
    pub sector: Option<&'a str>,
    pub ownership: Option<&'a str>,
}

/// What the figures need to know about one unit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UnitFacts<'a> {
    pub type_code: &'a str,
    pub ended: bool,
    pub grassroots: bool,
    pub head_count: Option<i64>,
}

/// Changes to subtree figures, keyed by the unit that receives them (ancestors included).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StatDelta(BTreeMap<(i64, &'static str, String), i64>);

/// One subtree moving: its root, the root's stored figures (dim, key, n), and the
/// paths of its old and new parents.
pub(crate) type SubtreeMove = (i64, Vec<(String, String, i64)>, String, String);

/// Figures of one subtree, by (dim, key).
type Block = BTreeMap<(&'static str, String), i64>;

impl StatDelta {
    /// Adds `n` to `(dim, key)` of the unit at `path` and of every ancestor.
    pub(crate) fn add(&mut self, path: &str, dim: &'static str, key: &str, n: i64) -> Result<()> {
        if n == 0 {
            return Ok(());
        }
        for id in OrgPath::parse(path)?.ids() {
            self.add_one(id, dim, key, n);
        }
        Ok(())
    }

    /// Adds `n` to one unit only (used when the ancestors are handled separately).
    pub(crate) fn add_one(&mut self, unit_id: i64, dim: &'static str, key: &str, n: i64) {
        *self.0.entry((unit_id, dim, key.to_string())).or_default() += n;
    }

    /// Counts (`sign` = 1) or uncounts (`sign` = -1) a member placed at `path`.
    pub(crate) fn member(&mut self, path: &str, f: &MemberFacts<'_>, sign: i64) -> Result<()> {
        let ids = OrgPath::parse(path)?.ids();
        let year = f.birth_year.to_string();
        for id in ids {
            self.add_one(id, dim::STATUS, f.status, sign);
            if f.status == "member" {
                self.add_one(id, dim::SEX, f.sex, sign);
                self.add_one(id, dim::BIRTH_YEAR, &year, sign);
                self.add_one(id, dim::SECTOR, f.sector.unwrap_or(""), sign);
                self.add_one(id, dim::OWNERSHIP, f.ownership.unwrap_or(""), sign);
                if f.party {
                    self.add_one(id, dim::PARTY, "1", sign);
                }
            }
        }
        Ok(())
    }

    /// Counts or uncounts a unit itself (its type, and its workers if grassroots).
    pub(crate) fn unit(&mut self, path: &str, f: &UnitFacts<'_>, sign: i64) -> Result<()> {
        if f.ended {
            return Ok(());
        }
        self.add(path, dim::UNIT_TYPE, f.type_code, sign)?;
        if f.grassroots {
            self.add(path, dim::WORKERS, "", sign * f.head_count.unwrap_or(0))?;
        }
        Ok(())
    }

    /// The pending change of one unit's own figures (to read a unit's figures mid-plan).
    /// Subtrees move from under one parent to another (parents' paths), none inside
    /// another and no new parent inside one: each one's figures — stored for its root,
    /// plus what is pending for it — leave the old ancestors and join the new ones. Pending
    /// changes of the units below keep their keys (unit ids). Summed per (old parent, new
    /// parent) first, so the ancestors are walked once per pair, not once per unit.
    pub(crate) fn shift_subtrees(&mut self, moves: Vec<SubtreeMove>) -> Result<()> {
        let mut blocks: BTreeMap<(String, String), Block> = BTreeMap::new();
        for (unit_id, stored, from, to) in moves {
            let pending = self.of_unit(unit_id);
            let block = blocks.entry((from, to)).or_default();
            for (d, k, n) in stored {
                *block.entry((dim::parse(&d), k)).or_default() += n;
            }
            for (d, k, n) in pending {
                *block.entry((d, k)).or_default() += n;
            }
        }
        for ((from, to), block) in blocks {
            for ((d, k), n) in &block {
                self.add(&from, d, k, -n)?;
                self.add(&to, d, k, *n)?;
            }
        }
        Ok(())
    }

    pub(crate) fn of_unit(&self, unit_id: i64) -> Vec<(&'static str, String, i64)> {
        self.0
            .range((unit_id, "", String::new())..)
            .take_while(|((u, _, _), _)| *u == unit_id)
            .map(|((_, d, k), n)| (*d, k.clone(), *n))
            .collect()
    }

    /// Rows to write, in key order (a fixed lock order on PostgreSQL), zeros dropped.
    pub(crate) fn rows(&self) -> Vec<(i64, &'static str, String, i64)> {
        self.0
            .iter()
            .filter(|(_, n)| **n != 0)
            .map(|((u, d, k), n)| (*u, *d, k.clone(), *n))
            .collect()
    }

    /// Where two sets of figures differ, one line per (unit, dim, key): for reports
    /// and test failures that must stay readable at any size.
    pub fn differences(&self, other: &StatDelta) -> Vec<String> {
        let mut keys: Vec<&(i64, &'static str, String)> =
            self.0.keys().chain(other.0.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter_map(|k| {
                let (a, b) = (
                    self.0.get(k).copied().unwrap_or(0),
                    other.0.get(k).copied().unwrap_or(0),
                );
                (a != b).then(|| format!("unit {} {}={:?}: {a} != {b}", k.0, k.1, k.2))
            })
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.values().all(|n| *n == 0)
    }
}

/// Adds a [`StatDelta`] to `unit_stat` inside transaction `$tx`, 500 rows per statement.
macro_rules! apply_stats {
    ($tx:ident, $delta:expr) => {
        for chunk in $delta.rows().chunks(500) {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO unit_stat (unit_id, dim, key, n) ");
            qb.push_values(chunk, |mut b, (u, d, k, n)| {
                b.push_bind(*u)
                    .push_bind(*d)
                    .push_bind(k.clone())
                    .push_bind(*n);
            });
            qb.push(" ON CONFLICT (unit_id, dim, key) DO UPDATE SET n = unit_stat.n + excluded.n");
            qb.build().execute(&mut *$tx).await?;
        }
    };
}
pub(crate) use apply_stats;

#[derive(sqlx::FromRow)]
struct UnitRow {
    unit_id: i64,
    path: String,
    type_code: String,
    is_grassroots: bool,
    employer_head_count: Option<i64>,
    ended: bool,
    sector: Option<String>,
    employer_ownership: Option<String>,
}

/// All stored figures of one or more units, summed: (dim, key) -> n.
pub(crate) type Figures = HashMap<(String, String), i64>;

impl Store {
    /// The maintained figures of the given units' subtrees, summed. Callers pass
    /// units whose subtrees do not overlap.
    #[tracing::instrument(skip(self))]
    pub(crate) async fn figures(&self, unit_ids: &[i64]) -> Result<Figures> {
        let rows: Vec<(String, String, i64)> = read!(self, p => {
            let mut qb = sqlx::QueryBuilder::new("SELECT dim, key, CAST(SUM(n) AS BIGINT) FROM unit_stat WHERE unit_id IN (");
            let mut sep = qb.separated(", ");
            for id in unit_ids {
                sep.push_bind(*id);
            }
            qb.push(") GROUP BY dim, key");
            qb.build_query_as().fetch_all(p).await
        })?;
        Ok(rows
            .into_iter()
            .filter(|r| r.2 != 0)
            .map(|(d, k, n)| ((d, k), n))
            .collect())
    }

    /// Active members of a unit's subtree, from the maintained figures.
    pub(crate) async fn active_members(&self, unit_id: i64) -> Result<i64> {
        let n: Option<i64> = read!(self, p => sqlx::query_scalar(
            "SELECT n FROM unit_stat WHERE unit_id = $1 AND dim = 'status' AND key = 'member'")
            .bind(unit_id).fetch_optional(p).await)?;
        Ok(n.unwrap_or(0))
    }

    /// Every unit's figures as stored, without zero rows (for checks and repair).
    pub async fn stored_stats(&self) -> Result<StatDelta> {
        let rows: Vec<(i64, String, String, i64)> = read!(self, p => sqlx::query_as(
            "SELECT unit_id, dim, key, n FROM unit_stat WHERE n <> 0").fetch_all(p).await)?;
        let mut d = StatDelta::default();
        for (u, dm, k, n) in rows {
            d.add_one(u, dim::parse(&dm), &k, n);
        }
        Ok(d)
    }

    /// Recomputes every unit's figures from the base tables with plain GROUP BY queries,
    /// rolled up the tree in memory. Slow at national scale; it is the reference the
    /// maintained figures must equal.
    #[tracing::instrument(skip(self))]
    pub async fn recount_stats(&self) -> Result<StatDelta> {
        let units: Vec<UnitRow> = read!(self, p => sqlx::query_as(
            "SELECT u.unit_id, u.path, u.type_code, t.is_grassroots, u.employer_head_count, u.ended_on IS NOT NULL AS ended, \
             u.sector, u.employer_ownership FROM unit u JOIN unit_type t ON t.type_code = u.type_code")
        .fetch_all(p)
        .await)?;
        let path_of: HashMap<i64, &str> =
            units.iter().map(|u| (u.unit_id, u.path.as_str())).collect();
        let cdcs_of: HashMap<i64, (Option<&str>, Option<&str>)> = units
            .iter()
            .map(|u| {
                (
                    u.unit_id,
                    (u.sector.as_deref(), u.employer_ownership.as_deref()),
                )
            })
            .collect();
        let mut d = StatDelta::default();
        for u in &units {
            d.unit(
                &u.path,
                &UnitFacts {
                    type_code: &u.type_code,
                    ended: u.ended,
                    grassroots: u.is_grassroots,
                    head_count: u.employer_head_count,
                },
                1,
            )?;
        }
        let year = match self.engine() {
            crate::Engine::Sqlite => "CAST(substr(birth_date, 1, 4) AS INTEGER)",
            crate::Engine::Postgres => "CAST(EXTRACT(YEAR FROM birth_date) AS INTEGER)",
        };
        let sql = format!(
            "SELECT unit_id, cdcs_id, status, sex, {year}, party_member, CAST(COUNT(*) AS BIGINT) FROM member \
             GROUP BY unit_id, cdcs_id, status, sex, {year}, party_member"
        );
        let groups: Vec<(i64, i64, String, String, i32, bool, i64)> = read!(self, p =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).fetch_all(p).await)?;
        for (unit_id, cdcs_id, status, sex, birth_year, party, n) in groups {
            let path = path_of.get(&unit_id).copied().unwrap_or("/");
            let (sector, ownership) = cdcs_of.get(&cdcs_id).copied().unwrap_or((None, None));
            let f = MemberFacts {
                status: &status,
                sex: &sex,
                birth_year,
                party,
                sector,
                ownership,
            };
            d.member(path, &f, n)?;
        }
        Ok(d)
    }

    /// Replaces the stored figures with a full recount (repair after a crash of an old
    /// version, or after a bulk load that skipped maintenance).
    #[tracing::instrument(skip(self))]
    pub async fn rebuild_stats(&self) -> Result<()> {
        let d = self.recount_stats().await?;
        crate::write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM unit_stat").execute(&mut *tx).await?;
            apply_stats!(tx, d);
            tx.commit().await?;
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(status: &'static str) -> MemberFacts<'static> {
        MemberFacts {
            status,
            sex: "F",
            birth_year: 1990,
            party: true,
            sector: Some("Dệt may"),
            ownership: None,
        }
    }

    #[test]
    fn a_member_counts_in_every_ancestor_and_uncounting_cancels() {
        let mut d = StatDelta::default();
        d.member("/1/7/9/", &facts("member"), 1).unwrap();
        let rows = d.rows();
        assert!(rows.contains(&(1, dim::STATUS, "member".into(), 1)));
        assert!(rows.contains(&(9, dim::SEX, "F".into(), 1)));
        assert!(rows.contains(&(7, dim::SECTOR, "Dệt may".into(), 1)));
        assert!(rows.contains(&(7, dim::OWNERSHIP, "".into(), 1)));
        assert!(rows.contains(&(1, dim::PARTY, "1".into(), 1)));
        assert!(!rows.iter().any(|r| r.0 == 2));
        d.member("/1/7/9/", &facts("member"), -1).unwrap();
        assert!(d.is_empty());
    }

    #[test]
    fn applicants_count_by_status_only() {
        let mut d = StatDelta::default();
        d.member("/1/", &facts("applicant"), 1).unwrap();
        assert_eq!(d.rows(), vec![(1, dim::STATUS, "applicant".into(), 1)]);
    }

    #[test]
    fn ended_units_and_non_grassroots_workers_are_not_counted() {
        let mut d = StatDelta::default();
        let f = UnitFacts {
            type_code: "CDCS",
            ended: true,
            grassroots: true,
            head_count: Some(50),
        };
        d.unit("/1/2/", &f, 1).unwrap();
        assert!(d.is_empty());
        d.unit(
            "/1/2/",
            &UnitFacts {
                ended: false,
                grassroots: false,
                ..f
            },
            1,
        )
        .unwrap();
        assert_eq!(d.rows().len(), 2);
        assert!(!d.rows().iter().any(|r| r.1 == dim::WORKERS));
    }
}
