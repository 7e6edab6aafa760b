//! Bulk loading of a generated country into an empty database, at national scale.
//!
//! Ids are assigned here (the database is empty), so paths are known before a row is
//! written; rows go in multi-row INSERTs inside large transactions; the member search
//! index and secondary indexes are built once at the end instead of row by row; the
//! subtree figures are counted in memory and rolled up the tree, then written once.

use crate::stats::{StatDelta, apply_stats, dim};
use crate::{Engine, Result, Store, StoreError, now, read, write};
use congdoan_domain::seed::{CountrySource, MemberSeed, UnitBatch};
use congdoan_domain::text::{fold, name_sort_key};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Rows per multi-row INSERT: under SQLite's 32,766 bound parameters for 22 columns.
const MEMBER_ROWS_PER_INSERT: usize = 1_400;
/// Members per transaction.
const MEMBERS_PER_TX: usize = 50_000;

/// Secondary member indexes dropped during a bulk load and rebuilt after it.
const MEMBER_INDEXES: [(&str, &str); 4] = [
    ("member_sort_idx", "member(sort_key)"),
    ("member_phone_idx", "member(phone)"),
    ("member_unit_sort_idx", "member(unit_id, sort_key)"),
    ("member_cdcs_sort_idx", "member(cdcs_id, sort_key)"),
];

/// Inserts resolved member rows `(member_id, seed, unit index, CĐCS index)` in
/// multi-row statements inside transaction `$tx` (shared by the load and its baseline).
macro_rules! insert_members {
    ($tx:ident, $rows:expr, $placed:expr, $ts:expr) => {
        for chunk in $rows.chunks(MEMBER_ROWS_PER_INSERT) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO member (member_id, unit_id, cdcs_id, fts_top, full_name, search_key, sort_key, birth_date, sex, cccd, \
                 phone, ethnicity, nationality, job_title, employer_name, card_no, join_date, party_member, status, status_since, \
                 created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut b, (id, m, ui, ci)| {
                b.push_bind(*id)
                    .push_bind($placed[*ui].id)
                    .push_bind($placed[*ci].id)
                    .push_bind($crate::scope::fts_top(&$placed[*ui].path).unwrap_or(0))
                    .push_bind(m.full_name.clone())
                    .push_bind(fold(&m.full_name))
                    .push_bind(name_sort_key(&m.full_name))
                    .push_bind(m.birth_date)
                    .push_bind(m.sex.code())
                    .push_bind(m.cccd.clone())
                    .push_bind(m.phone.clone())
                    .push_bind(m.ethnicity.clone())
                    .push_bind(m.nationality.clone())
                    .push_bind(m.job_title.clone())
                    .push_bind(None::<String>)
                    .push_bind(m.card_no.clone())
                    .push_bind(m.join_date)
                    .push_bind(m.party_member)
                    .push_bind(m.status)
                    .push_bind(m.status_since)
                    .push_bind($ts)
                    .push_bind($ts);
            });
            qb.build().execute(&mut *$tx).await?;
        }
    };
}

/// What a bulk load did and how long each phase took.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    pub units: u64,
    pub members: u64,
    pub events: u64,
    pub committees: u64,
    pub positions: u64,
    pub figure_rows: u64,
    pub units_time: Duration,
    pub members_time: Duration,
    pub indexes_time: Duration,
    pub figures_time: Duration,
}

/// A unit as the loader needs it.
struct Placed {
    id: i64,
    parent: Option<usize>,
    path: String,
    /// Index of the grassroots union that holds memberships placed here.
    cdcs: Option<usize>,
    sector: Option<String>,
    ownership: Option<&'static str>,
}

/// Figures of one unit: (dim, key) -> n.
type Counts = HashMap<(&'static str, String), i64>;

/// The units of a country as placed in the database.
struct Units<'c> {
    placed: Vec<Placed>,
    index: HashMap<&'c str, usize>,
    counts: Vec<Counts>,
}

impl Store {
    /// Places and inserts every unit of `country` into an empty database (ids in list
    /// order, parents first); returns the placements, the code index and each unit's
    /// own figures.
    async fn insert_units<'c>(&self, country: &'c dyn CountrySource) -> Result<Units<'c>> {
        if !self.is_empty().await? {
            return Err(StoreError::Config(
                "the database already holds units; gen-data needs an empty database".into(),
            ));
        }
        let types: HashMap<String, crate::UnitType> = self
            .unit_types()
            .await?
            .into_iter()
            .map(|t| (t.type_code.clone(), t))
            .collect();
        let ts = now();
        // Place every unit: ids in list order (parents come first).
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(country.units().len());
        let mut placed: Vec<Placed> = Vec::with_capacity(country.units().len());
        // Figures per unit, first of the unit itself, later rolled up to the ancestors.
        let mut counts: Vec<Counts> = Vec::with_capacity(country.units().len());
        for (i, u) in country.units().iter().enumerate() {
            let ty = types
                .get(u.type_code)
                .ok_or_else(|| StoreError::Config(format!("unknown unit type {}", u.type_code)))?;
            let parent = match &u.parent_code {
                Some(c) => Some(*index.get(c.as_str()).ok_or_else(|| {
                    StoreError::Config(format!("parent {c} of {} comes later", u.code))
                })?),
                None => None,
            };
            let id = i as i64 + 1;
            let path = match parent {
                Some(p) => format!("{}{id}/", placed[p].path),
                None => format!("/{id}/"),
            };
            let cdcs = if ty.is_grassroots {
                Some(i)
            } else {
                parent.and_then(|p| placed[p].cdcs)
            };
            let e = u.employer.as_ref();
            let mut own = Counts::new();
            own.insert((dim::UNIT_TYPE, u.type_code.to_string()), 1);
            if ty.is_grassroots {
                own.insert(
                    (dim::WORKERS, String::new()),
                    e.map(|e| i64::from(e.head_count)).unwrap_or(0),
                );
            }
            counts.push(own);
            index.insert(u.code.as_str(), i);
            placed.push(Placed {
                id,
                parent,
                path,
                cdcs,
                sector: u.sector.clone(),
                ownership: e.map(|e| e.ownership),
            });
        }
        write!(self, p => {
            let mut tx = p.begin().await?;
            for chunk in country.units().iter().zip(&placed).collect::<Vec<_>>().chunks(1_000) {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO unit (unit_id, code, name, search_key, type_code, parent_id, path, depth, sector, province_code, \
                     commune_code, address, employer_name, employer_tax_id, employer_ownership, employer_head_count, \
                     founding_decision, founded_on, created_at, updated_at) ");
                qb.push_values(chunk, |mut b, (u, pl)| {
                    let e = u.employer.as_ref();
                    let parent_id = u.parent_code.as_deref().and_then(|c| index.get(c)).map(|i| placed[*i].id);
                    b.push_bind(pl.id).push_bind(u.code.clone()).push_bind(u.name.clone()).push_bind(fold(&u.name))
                        .push_bind(u.type_code).push_bind(parent_id).push_bind(pl.path.clone())
                        .push_bind(pl.path.matches('/').count() as i64 - 2)
                        .push_bind(u.sector.clone()).push_bind(u.province_code.map(i64::from))
                        .push_bind(u.commune_code.map(i64::from)).push_bind(u.address.clone())
                        .push_bind(e.map(|e| e.name.clone())).push_bind(e.map(|e| e.tax_id.clone()))
                        .push_bind(e.map(|e| e.ownership)).push_bind(e.map(|e| i64::from(e.head_count)))
                        .push_bind(u.founding_decision.clone()).push_bind(u.founded_on).push_bind(ts).push_bind(ts);
                });
                qb.build().execute(&mut *tx).await?;
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO unit_version (unit_id, valid_from, parent_id, path, name, type_code) ");
                qb.push_values(chunk, |mut b, (u, pl)| {
                    let parent_id = u.parent_code.as_deref().and_then(|c| index.get(c)).map(|i| placed[*i].id);
                    b.push_bind(pl.id).push_bind(u.founded_on).push_bind(parent_id).push_bind(pl.path.clone())
                        .push_bind(u.name.clone()).push_bind(u.type_code);
                });
                qb.build().execute(&mut *tx).await?;
            }
            for c in country.coordination() {
                let (Some(u), Some(k)) = (index.get(c.unit_code.as_str()), index.get(c.coordinator_code.as_str())) else {
                    return Err(StoreError::Config(format!("coordination names an unknown unit: {} / {}", c.unit_code, c.coordinator_code)));
                };
                sqlx::query("INSERT INTO unit_link (unit_id, coordinator_id, kind, valid_from, note) VALUES ($1, $2, 'coordinating', $3, $4)")
                    .bind(placed[*u].id).bind(placed[*k].id).bind(c.valid_from).bind(&c.note).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(Units {
            placed,
            index,
            counts,
        })
    }

    /// Loads `country` into an empty database. `progress(done, total)` is called after
    /// every committed transaction of members.
    #[tracing::instrument(skip_all, fields(units = country.units().len(), members = country.member_count()))]
    pub async fn load_country(
        &self,
        country: &dyn CountrySource,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<LoadReport> {
        let mut report = LoadReport::default();
        let t0 = Instant::now();
        let Units {
            placed,
            index,
            mut counts,
        } = self.insert_units(country).await?;
        let ts = now();
        report.units = placed.len() as u64;
        report.units_time = t0.elapsed();

        // Members, their first events, committees and posts; search index and secondary
        // indexes off while loading.
        let t1 = Instant::now();
        self.bulk_indexes(false).await?;
        let total = country.member_count();
        let mut next_member: i64 = 1;
        let mut next_committee: i64 = 1;
        let mut pending: Vec<UnitBatch> = Vec::new();
        let mut pending_members = 0usize;
        let mut batches = country.batches();
        loop {
            let batch = batches.next();
            let done = batch.is_none();
            if let Some(b) = batch {
                pending_members += b.members.len();
                pending.push(b);
            }
            if pending.is_empty() || (!done && pending_members < MEMBERS_PER_TX) {
                if done {
                    break;
                }
                continue;
            }
            let work = std::mem::take(&mut pending);
            pending_members = 0;
            // Rows of this transaction, resolved in memory first.
            let mut rows: Vec<(i64, &MemberSeed, usize, usize)> = Vec::new();
            let mut by_cccd: HashMap<&str, i64> = HashMap::new();
            for b in &work {
                for m in &b.members {
                    let ui = *index.get(m.unit_code.as_str()).ok_or_else(|| {
                        StoreError::Config(format!("member in unknown unit {}", m.unit_code))
                    })?;
                    let ci = placed[ui].cdcs.ok_or_else(|| {
                        StoreError::Config(format!("unit {} is not inside a CĐCS", m.unit_code))
                    })?;
                    let id = next_member;
                    next_member += 1;
                    by_cccd.insert(m.cccd.as_str(), id);
                    rows.push((id, m, ui, ci));
                    let c = &mut counts[ui];
                    let mut bump = |d: &'static str, k: &str| match c.get_mut(&(d, k.to_string())) {
                        Some(n) => *n += 1,
                        None => {
                            c.insert((d, k.to_string()), 1);
                        }
                    };
                    bump(dim::STATUS, m.status);
                    if m.status == "member" {
                        let cd = &placed[ci];
                        bump(dim::SEX, m.sex.code());
                        bump(dim::BIRTH_YEAR, &m.birth_date.year().to_string());
                        bump(dim::SECTOR, cd.sector.as_deref().unwrap_or(""));
                        bump(dim::OWNERSHIP, cd.ownership.unwrap_or(""));
                        if m.party_member {
                            bump(dim::PARTY, "1");
                        }
                    }
                }
            }
            write!(self, p => {
                let mut tx = p.begin().await?;
                insert_members!(tx, rows, placed, ts);
                // The first event of each member (admission or application), then the
                // later status change where the member is no longer plain "member".
                for chunk in rows.chunks(3_000) {
                    let mut qb = sqlx::QueryBuilder::new(
                        "INSERT INTO member_event (member_id, kind, on_date, from_status, to_status, unit_id, reason, recorded_at) ");
                    let events: Vec<_> = chunk.iter().flat_map(|(id, m, ui, _)| {
                        let first = if m.status == "applicant" { ("apply", "applicant") } else { ("admit", "member") };
                        let mut v = vec![(*id, first.0, m.join_date, None, first.1, placed[*ui].id, None)];
                        if !matches!(m.status, "member" | "applicant") {
                            let kind = match m.status { "suspended" => "suspend", "expelled" => "expel", _ => "exit" };
                            v.push((*id, kind, m.status_since, Some("member"), m.status, placed[*ui].id, m.status_reason.clone()));
                        }
                        v
                    }).collect();
                    report.events += events.len() as u64;
                    qb.push_values(events, |mut b, (id, kind, on, from, to, unit, reason)| {
                        b.push_bind(id).push_bind(kind).push_bind(on).push_bind(from).push_bind(to).push_bind(unit)
                            .push_bind(reason).push_bind(ts);
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                for b in &work {
                    let mut committee_ids: HashMap<(&str, &str), i64> = HashMap::new();
                    for c in &b.committees {
                        let ui = *index.get(c.unit_code.as_str()).ok_or_else(|| StoreError::Config(format!("committee of unknown unit {}", c.unit_code)))?;
                        let id = next_committee;
                        next_committee += 1;
                        sqlx::query("INSERT INTO committee (committee_id, unit_id, kind, term_no, term_label, term_start, term_end, created_at) \
                                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                            .bind(id).bind(placed[ui].id).bind(c.kind).bind(i64::from(c.term_no)).bind(&c.term_label)
                            .bind(c.term_start).bind(Some(c.term_end)).bind(ts).execute(&mut *tx).await?;
                        committee_ids.insert((c.unit_code.as_str(), c.kind), id);
                        report.committees += 1;
                    }
                    if b.positions.is_empty() {
                        continue;
                    }
                    let names: HashMap<&str, &str> = b.members.iter().map(|m| (m.cccd.as_str(), m.full_name.as_str())).collect();
                    let mut qb = sqlx::QueryBuilder::new(
                        "INSERT INTO position_assignment (committee_id, unit_id, member_id, full_name, position_code, start_date, end_date, \
                         full_time, elected, created_at) ");
                    let mut ps = Vec::with_capacity(b.positions.len());
                    for ps_ in &b.positions {
                        let committee = *committee_ids.get(&(ps_.unit_code.as_str(), ps_.committee_kind)).ok_or_else(|| StoreError::Config(
                            format!("no {} committee for {} in its batch", ps_.committee_kind, ps_.unit_code)))?;
                        let member = *by_cccd.get(ps_.member_cccd.as_str()).ok_or_else(|| StoreError::Config(
                            format!("post holder {} is not in the batch", ps_.member_cccd)))?;
                        let ui = *index.get(ps_.unit_code.as_str()).ok_or_else(|| StoreError::Config(format!("post in unknown unit {}", ps_.unit_code)))?;
                        ps.push((committee, placed[ui].id, member, names.get(ps_.member_cccd.as_str()).copied().unwrap_or(""), ps_));
                    }
                    report.positions += ps.len() as u64;
                    qb.push_values(ps, |mut b, (committee, unit, member, name, p)| {
                        b.push_bind(committee).push_bind(unit).push_bind(member).push_bind(name.to_string()).push_bind(p.position)
                            .push_bind(p.start).push_bind(p.end).push_bind(p.full_time).push_bind(p.elected).push_bind(ts);
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
            });
            report.members += rows.len() as u64;
            progress(report.members, total);
            if done {
                break;
            }
        }
        report.members_time = t1.elapsed();
        let t2 = Instant::now();
        self.bulk_indexes(true).await?;
        report.indexes_time = t2.elapsed();

        // Figures: roll each unit's counts up into its parent (children come after
        // their parents in the list, so walking backwards finishes a unit before its
        // parent), then write every unit's subtree totals once.
        let t3 = Instant::now();
        for i in (0..placed.len()).rev() {
            if let Some(p) = placed[i].parent {
                let child = std::mem::take(&mut counts[i]);
                for (k, n) in &child {
                    match counts[p].get_mut(k) {
                        Some(v) => *v += n,
                        None => {
                            counts[p].insert(k.clone(), *n);
                        }
                    }
                }
                counts[i] = child;
            }
        }
        let mut figures = StatDelta::default();
        for (pl, c) in placed.iter().zip(counts) {
            for ((d, k), n) in c {
                figures.add_one(pl.id, d, &k, n);
            }
        }
        report.figure_rows = figures.rows().len() as u64;
        write!(self, p => {
            let mut tx = p.begin().await?;
            apply_stats!(tx, figures);
            sqlx::query("UPDATE unit SET direct_members = COALESCE((SELECT s.n FROM unit_stat s WHERE s.unit_id = unit.unit_id \
                         AND s.dim = 'status' AND s.key = 'member'), 0) - COALESCE((SELECT CAST(SUM(s.n) AS BIGINT) FROM unit_stat s \
                         JOIN unit c ON c.unit_id = s.unit_id WHERE c.parent_id = unit.unit_id AND s.dim = 'status' AND s.key = 'member'), 0)")
                .execute(&mut *tx).await?;
            if let Engine::Postgres = self.engine() {
                for seq in ["unit", "member", "committee"] {
                    let sql = format!("SELECT setval(pg_get_serial_sequence('{seq}', '{seq}_id'), (SELECT COALESCE(MAX({seq}_id), 0) + 1 FROM {seq}), false)");
                    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
        });
        report.figures_time = t3.elapsed();
        self.analyze().await?;
        Ok(report)
    }

    /// Refreshes the planner's statistics after a bulk write, as PostgreSQL's
    /// autovacuum would a minute later: until then its plans assume the tables as they
    /// were (an empty `request_target` read by a sequential scan).
    pub async fn analyze(&self) -> Result<()> {
        write!(self, p => sqlx::query("ANALYZE").execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Empties a benchmark's database again (units, members and everything that refers
    /// to them). Refused where any account exists: a real deployment always has one.
    pub async fn discard_benchmark_data(&self) -> Result<()> {
        let accounts: i64 = read!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM account").fetch_one(p).await)?;
        if accounts > 0 {
            return Err(StoreError::Config(
                "refusing to empty a database that has accounts".into(),
            ));
        }
        match &self.db {
            crate::Db::Postgres(pg) => {
                sqlx::query("TRUNCATE unit, member, import_job RESTART IDENTITY CASCADE")
                    .execute(pg)
                    .await?;
            }
            crate::Db::Sqlite { write, .. } => {
                let mut tx = write.begin().await?;
                for t in [
                    "import_reject",
                    "import_file",
                    "position_assignment",
                    "committee",
                    "member_event",
                    "member",
                    "import_job",
                    "unit_stat",
                    "unit_link",
                    "unit_version",
                    "unit",
                ] {
                    sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {t}")))
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            }
        }
        self.bulk_indexes(true).await
    }

    /// Only the units of `country` (and their figures), into an empty database: the
    /// tree a benchmark then fills through the spreadsheet import.
    pub async fn load_country_units(&self, country: &dyn CountrySource) -> Result<u64> {
        let units = self.insert_units(country).await?;
        if let crate::Db::Postgres(pg) = &self.db {
            sqlx::query("SELECT setval(pg_get_serial_sequence('unit', 'unit_id'), (SELECT COALESCE(MAX(unit_id), 0) + 1 FROM unit), false)")
                .execute(pg).await?;
        }
        self.rebuild_stats().await?;
        Ok(units.placed.len() as u64)
    }

    /// The physical floor for the load: the same member rows, resolved the same way,
    /// pushed through the same multi-row INSERTs with the same indexes off, and
    /// nothing else (no events, posts, index rebuild or figures). Needs an empty
    /// database; returns the rows written and the time the member inserts took.
    ///
    /// On PostgreSQL the benchmark has one database, so the baseline empties it again
    /// when done (it started empty: [`Store::insert_units`] checks) and restores the
    /// indexes; on SQLite it runs in a scratch file.
    pub async fn raw_member_baseline(
        &self,
        country: &dyn CountrySource,
    ) -> Result<(u64, Duration)> {
        let Units { placed, index, .. } = self.insert_units(country).await?;
        self.bulk_indexes(false).await?;
        let ts = now();
        let (mut n, mut took, mut next) = (0u64, Duration::ZERO, 1i64);
        let mut rows: Vec<(i64, MemberSeed, usize, usize)> = Vec::new();
        let mut batches = country.batches().peekable();
        while batches.peek().is_some() {
            rows.clear();
            for b in batches.by_ref() {
                for m in b.members {
                    let ui = *index.get(m.unit_code.as_str()).ok_or_else(|| {
                        StoreError::Config(format!("member in unknown unit {}", m.unit_code))
                    })?;
                    let ci = placed[ui].cdcs.unwrap_or(ui);
                    rows.push((next, m, ui, ci));
                    next += 1;
                }
                if rows.len() >= MEMBERS_PER_TX {
                    break;
                }
            }
            let t = Instant::now();
            write!(self, p => {
                let mut tx = p.begin().await?;
                insert_members!(tx, rows, placed, ts);
                tx.commit().await?;
            });
            took += t.elapsed();
            n += rows.len() as u64;
        }
        if self.engine() == Engine::Postgres {
            self.discard_benchmark_data().await?;
        }
        Ok((n, took))
    }

    /// Drops (`on` = false) or rebuilds (`on` = true) the member search index and
    /// secondary member indexes around a bulk load.
    async fn bulk_indexes(&self, on: bool) -> Result<()> {
        let mut stmts: Vec<String> = Vec::new();
        for (name, def) in MEMBER_INDEXES {
            stmts.push(if on {
                format!("CREATE INDEX IF NOT EXISTS {name} ON {def}")
            } else {
                format!("DROP INDEX IF EXISTS {name}")
            });
        }
        match self.engine() {
            Engine::Sqlite => {
                if on {
                    stmts.push("DELETE FROM member_fts".into());
                    stmts.push("INSERT INTO member_fts(rowid, search_key, scope) SELECT member_id, search_key, \
                                'x' || fts_top || ' x' || cdcs_id || ' x' || unit_id FROM member".into());
                    stmts.push(SQLITE_FTS_TRIGGERS.into());
                } else {
                    for t in ["member_fts_ai", "member_fts_ad", "member_fts_au"] {
                        stmts.push(format!("DROP TRIGGER IF EXISTS {t}"));
                    }
                }
            }
            Engine::Postgres => stmts.push(if on {
                "CREATE INDEX IF NOT EXISTS member_search_idx ON member USING GIN (search_tsv)"
                    .into()
            } else {
                "DROP INDEX IF EXISTS member_search_idx".into()
            }),
        }
        write!(self, p => {
            let mut tx = p.begin().await?;
            for s in stmts {
                sqlx::raw_sql(sqlx::AssertSqlSafe(s)).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}

/// The search-index triggers of migration 0009, recreated after a bulk load.
const SQLITE_FTS_TRIGGERS: &str = "
CREATE TRIGGER IF NOT EXISTS member_fts_ai AFTER INSERT ON member BEGIN
    INSERT INTO member_fts(rowid, search_key, scope)
    VALUES (new.member_id, new.search_key, 'x' || new.fts_top || ' x' || new.cdcs_id || ' x' || new.unit_id);
END;
CREATE TRIGGER IF NOT EXISTS member_fts_ad AFTER DELETE ON member BEGIN
    DELETE FROM member_fts WHERE rowid = old.member_id;
END;
CREATE TRIGGER IF NOT EXISTS member_fts_au AFTER UPDATE OF search_key, fts_top, cdcs_id, unit_id ON member BEGIN
    DELETE FROM member_fts WHERE rowid = old.member_id;
    INSERT INTO member_fts(rowid, search_key, scope)
    VALUES (new.member_id, new.search_key, 'x' || new.fts_top || ' x' || new.cdcs_id || ' x' || new.unit_id);
END;";
