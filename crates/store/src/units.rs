//! The union tree: units, their effective-dated place in the managing tree, and
//! coordinating links.

use crate::audit::audit;
use crate::scope::range_end;
use crate::stats::{StatDelta, UnitFacts, apply_stats, dim};
use crate::{Result, Scope, Store, StoreError, now, read, write};
use congdoan_domain::text::{fold, nfc};
use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;
use time::Date;

/// A kind of unit (TLĐ, LĐLĐ tỉnh, CĐCS, tổ…), with the dates it exists.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct UnitType {
    pub type_code: String,
    pub name_vi: String,
    pub name_en: String,
    pub tier: i64,
    pub is_grassroots: bool,
    pub holds_members: bool,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    pub sort_order: i64,
}

impl UnitType {
    pub fn exists_on(&self, d: Date) -> bool {
        self.valid_from.is_none_or(|f| f <= d) && self.valid_to.is_none_or(|t| d < t)
    }
}

/// A union unit as it stands today.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Unit {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    pub type_code: String,
    pub parent_id: Option<i64>,
    pub path: String,
    pub depth: i64,
    pub sector: Option<String>,
    pub province_code: Option<i64>,
    pub commune_code: Option<i64>,
    pub address: Option<String>,
    pub employer_name: Option<String>,
    pub employer_tax_id: Option<String>,
    pub employer_ownership: Option<String>,
    pub employer_head_count: Option<i64>,
    pub founding_decision: Option<String>,
    pub founded_on: Date,
    pub ended_on: Option<Date>,
    pub end_reason: Option<String>,
    /// Active members placed directly in this unit (not its sub-units).
    pub direct_members: i64,
    /// Bumped by every change; an edit must name the version it started from.
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: time::OffsetDateTime,
}

/// What a user fills in to create or edit a unit.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct UnitInput {
    pub code: String,
    pub name: String,
    pub type_code: String,
    pub parent_id: Option<i64>,
    pub sector: Option<String>,
    pub province_code: Option<i64>,
    pub commune_code: Option<i64>,
    pub address: Option<String>,
    pub employer_name: Option<String>,
    pub employer_tax_id: Option<String>,
    pub employer_ownership: Option<String>,
    pub employer_head_count: Option<i64>,
    pub founding_decision: Option<String>,
    pub founded_on: Option<Date>,
}

/// A unit offered by the unit picker.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct UnitHit {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    pub type_code: String,
    pub parent_name: Option<String>,
}

/// A unit in a tree listing, as of some date, with subtree figures.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct TreeNode {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    pub type_code: String,
    pub parent_id: Option<i64>,
    pub path: String,
    pub ended_on: Option<Date>,
    /// Active members in the whole subtree on the date asked (today's maintained
    /// figure, or for a past date counted from the membership events; -1 when the
    /// subtree is over `PAST_COUNT_MAX_MEMBERS` and no past count is given).
    pub member_count: i64,
    /// Sub-units under this one on the date asked.
    pub child_count: i64,
    /// Its path on the date asked (differs from `path` if it moved since).
    #[serde(skip)]
    pub hist_path: String,
}

/// The largest subtree (by today's active members) whose member count on a past date
/// the tree computes from the membership events; larger ones show none (measured: a
/// province of 52,000 members took about 0.9 s at 1M). A per-day table of member
/// changes would lift the bound.
pub const PAST_COUNT_MAX_MEMBERS: i64 = 20_000;

/// One interval of a unit's place in the managing tree.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct UnitVersion {
    pub unit_id: i64,
    pub code: String,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub parent_id: Option<i64>,
    pub parent_name: Option<String>,
    pub path: String,
    pub name: String,
    pub type_code: String,
}

/// A coordinating link ("chỉ đạo song trùng", "phối hợp").
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct CoordinationLink {
    pub link_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub coordinator_id: i64,
    pub coordinator_name: String,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub note: Option<String>,
}

/// Starts a tree-node query as of `as_of`; the caller appends `AND …` conditions.
/// (Binds are pushed one by one: SQLite cannot mix `?` with numbered placeholders.)
fn node_query<DB: sqlx::Database>(as_of: Date) -> QueryBuilder<DB>
where
    Date: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let mut qb = QueryBuilder::new(
        "SELECT v.unit_id, u.code, v.name, v.type_code, v.parent_id, u.path, u.ended_on, v.path AS hist_path, \
         COALESCE((SELECT s.n FROM unit_stat s WHERE s.unit_id = u.unit_id AND s.dim = 'status' AND s.key = 'member'), 0) AS member_count, \
         (SELECT COUNT(*) FROM unit_version k WHERE k.parent_id = v.unit_id AND k.valid_from <= ",
    );
    qb.push_bind(as_of)
        .push(" AND (k.valid_to IS NULL OR k.valid_to > ")
        .push_bind(as_of);
    qb.push(
        ")) AS child_count FROM unit_version v JOIN unit u ON u.unit_id = v.unit_id \
             JOIN unit_type t ON t.type_code = v.type_code WHERE v.valid_from <= ",
    );
    qb.push_bind(as_of)
        .push(" AND (v.valid_to IS NULL OR v.valid_to > ")
        .push_bind(as_of)
        .push(") AND ");
    qb
}

fn clean_opt(s: Option<String>) -> Option<String> {
    s.map(|v| nfc(&v)).filter(|v| !v.is_empty())
}

fn validate_code(code: &str) -> Result<String> {
    let c = code.trim().to_uppercase();
    if c.is_empty()
        || c.len() > 40
        || !c
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
    {
        return Err(StoreError::rule(
            "ST0601",
            "code",
            "Mã đơn vị chỉ gồm chữ không dấu, chữ số và các dấu - _ . (tối đa 40 ký tự).",
            "Unit code may hold only unaccented letters, digits and - _ . (at most 40 characters).",
        ));
    }
    Ok(c)
}

/// Units a plan moves together: how many one batch of statements handles.
pub(crate) const MOVE_BATCH: usize = 500;

/// Places each unit of `$moves` (unit, new parent), with its whole subtree, under its
/// new parent from `$on`, inside transaction `$tx`, as if one after another. The open
/// `unit_version` intervals of the subtrees close and new ones open (stamped with
/// `$plan`; a same-day change corrects the open interval); unit paths are rewritten
/// (members follow their units; a subtree leaving its federation is marked for the
/// search refresh); the subtrees' figures — stored, plus what `$delta` already holds for
/// their roots — are added to `$delta` as leaving the old ancestors and joining the new
/// ones; their roll-up rows likewise, into `$tallies` ([`crate::requests::PendingTallies`],
/// written by the caller once its steps are done). Moves that do not depend on one another are written together, a handful of
/// statements over a temporary table of moves (a plan of the 2025 reform moves
/// thousands of CĐCS); a move inside another's subtree, or under a unit moved before it,
/// starts a new group, read after the earlier ones are written.
macro_rules! move_units {
    ($tx:ident, $delta:ident, $tallies:ident, $moves:expr, $on:expr, $plan:expr, $engine:expr) => {{
        let on: time::Date = $on;
        let mut rest: &[(i64, i64)] = $moves;
        while !rest.is_empty() {
            let mut ids: Vec<i64> = rest.iter().flat_map(|(u, p)| [*u, *p]).collect();
            ids.sort_unstable();
            ids.dedup();
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            let rows: Vec<(i64, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT unit_id, path, depth FROM unit WHERE unit_id IN ({list})"))).fetch_all(&mut *$tx).await?;
            let at: std::collections::HashMap<i64, (String, i64)> = rows.into_iter().map(|(id, p, d)| (id, (p, d))).collect();
            let get = |id: &i64| at.get(id).cloned().ok_or($crate::StoreError::NotFound);
            // The longest run of moves that do not depend on one another.
            let (mut olds, mut parents): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
            for (u, p) in rest {
                let (old, pp) = (get(u)?.0, get(p)?.0);
                let clash = olds.iter().any(|o| old.starts_with(o.as_str()) || o.starts_with(old.as_str()) || pp.starts_with(o.as_str()))
                    || parents.iter().any(|q| q.starts_with(old.as_str()));
                if clash {
                    break;
                }
                olds.push(old);
                parents.push(pp);
            }
            let (group, tail) = rest.split_at(olds.len().max(1));
            rest = tail;
            sqlx::query("CREATE TEMP TABLE IF NOT EXISTS move_batch (old TEXT NOT NULL, old_end TEXT NOT NULL, \
                         new TEXT NOT NULL, unit_id BIGINT NOT NULL, parent_id BIGINT NOT NULL, ddepth BIGINT NOT NULL, top BIGINT)")
                .execute(&mut *$tx).await?;
            sqlx::query("DELETE FROM move_batch").execute(&mut *$tx).await?;
            let mut shifts = Vec::with_capacity(group.len());
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO move_batch (old, old_end, new, unit_id, parent_id, ddepth, top) ");
            let mut vals = Vec::with_capacity(group.len());
            for (u, p) in group {
                let ((old, depth), (ppath, pdepth)) = (get(u)?, get(p)?);
                let new = format!("{ppath}{u}/");
                let (old_top, new_top) = ($crate::scope::fts_top(&old)?, $crate::scope::fts_top(&new)?);
                let old_parent_path = old[..old.len() - 1 - u.to_string().len()].to_string();
                vals.push(($crate::scope::range_end(&old), old.clone(), new, *u, *p, pdepth + 1 - depth,
                    (old_top != new_top).then_some(old_top)));
                shifts.push((*u, old_parent_path, ppath));
            }
            qb.push_values(&vals, |mut b, (end, old, new, u, p, dd, top)| {
                b.push_bind(old.clone()).push_bind(end.clone()).push_bind(new.clone()).push_bind(*u).push_bind(*p)
                    .push_bind(*dd).push_bind(*top);
            });
            qb.build().execute(&mut *$tx).await?;
            sqlx::query("INSERT INTO unit_version (unit_id, valid_from, valid_to, parent_id, path, name, type_code, plan_id) \
                         SELECT v.unit_id, $1, NULL, CASE WHEN v.unit_id = m.unit_id THEN m.parent_id ELSE v.parent_id END, \
                         m.new || substr(v.path, length(m.old) + 1), v.name, v.type_code, $2 \
                         FROM move_batch m JOIN unit_version v ON v.path >= m.old AND v.path < m.old_end \
                         WHERE v.valid_to IS NULL AND v.valid_from < $1")
                .bind(on).bind($plan).execute(&mut *$tx).await?;
            sqlx::query("UPDATE unit_version SET valid_to = $1 FROM move_batch m \
                         WHERE unit_version.path >= m.old AND unit_version.path < m.old_end \
                         AND unit_version.valid_to IS NULL AND unit_version.valid_from < $1")
                .bind(on).execute(&mut *$tx).await?;
            // Open versions still in the old range now are those opened on the day or
            // later (a same-day correction; a sub-unit changed after a backdated plan's
            // day): their path changes in place. The date test is hidden from the
            // indexes: SQLite would build an automatic index over every open version
            // once per batch, and PostgreSQL would drive the join from the day's
            // versions, which grow batch by batch (15 × 0.5 s at 1M), not from the path.
            let day = match $engine {
                $crate::Engine::Sqlite => "CASE WHEN unit_version.valid_from >= $1 THEN 1 END = 1",
                $crate::Engine::Postgres => "unit_version.valid_from + 0 >= $1",
            };
            sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE unit_version SET path = m.new || substr(unit_version.path, length(m.old) + 1), \
                         parent_id = CASE WHEN unit_version.unit_id = m.unit_id THEN m.parent_id ELSE unit_version.parent_id END \
                         FROM move_batch m WHERE unit_version.path >= m.old AND unit_version.path < m.old_end \
                         AND unit_version.valid_to IS NULL AND {day}")))
                .bind(on).execute(&mut *$tx).await?;
            sqlx::query("UPDATE unit SET path = m.new || substr(unit.path, length(m.old) + 1), depth = unit.depth + m.ddepth, \
                         parent_id = CASE WHEN unit.unit_id = m.unit_id THEN m.parent_id ELSE unit.parent_id END, \
                         fts_top = COALESCE(unit.fts_top, m.top), version = unit.version + 1, updated_at = $1 \
                         FROM move_batch m WHERE unit.path >= m.old AND unit.path < m.old_end")
                .bind($crate::now()).execute(&mut *$tx).await?;
            let moved = group.iter().map(|(u, _)| u.to_string()).collect::<Vec<_>>().join(",");
            let stored: Vec<(i64, String, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT unit_id, dim, key, n FROM unit_stat WHERE unit_id IN ({moved})"))).fetch_all(&mut *$tx).await?;
            let mut by_unit: std::collections::HashMap<i64, Vec<(String, String, i64)>> = std::collections::HashMap::new();
            for (u, d, k, n) in stored {
                by_unit.entry(u).or_default().push((d, k, n));
            }
            $crate::requests::shift_request_tallies!($tx, $tallies, &shifts);
            $delta.shift_subtrees(
                shifts.into_iter().map(|(u, from, to)| (u, by_unit.remove(&u).unwrap_or_default(), from, to)).collect(),
            )?;
        }
    }};
}
pub(crate) use move_units;

impl Store {
    /// One unit type by code.
    pub async fn unit_type(&self, type_code: &str) -> Result<UnitType> {
        self.unit_types()
            .await?
            .into_iter()
            .find(|t| t.type_code == type_code)
            .ok_or(StoreError::NotFound)
    }

    pub async fn unit_types(&self) -> Result<Vec<UnitType>> {
        Ok(
            read!(self, p => sqlx::query_as("SELECT * FROM unit_type ORDER BY sort_order").fetch_all(p).await)?,
        )
    }

    /// One unit, if it lies in the caller's read scope.
    #[tracing::instrument(skip(self, scope))]
    pub async fn unit(&self, scope: &Scope, unit_id: i64) -> Result<Unit> {
        let u: Unit = read!(self, p => sqlx::query_as("SELECT * FROM unit WHERE unit_id = $1").bind(unit_id).fetch_one(p).await)?;
        scope.check_read(&u.path)?;
        Ok(u)
    }

    #[tracing::instrument(skip(self, scope))]
    pub async fn unit_by_code(&self, scope: &Scope, code: &str) -> Result<Unit> {
        let code = code.trim().to_uppercase();
        let u: Unit = read!(self, p => sqlx::query_as("SELECT * FROM unit WHERE code = $1").bind(code).fetch_one(p).await)?;
        scope.check_read(&u.path)?;
        Ok(u)
    }

    /// The ancestors of a unit that the caller may read, root first (for breadcrumbs).
    pub async fn ancestors(&self, scope: &Scope, unit: &Unit) -> Result<Vec<Unit>> {
        let ids: Vec<i64> = congdoan_domain::OrgPath::parse(&unit.path)?.ids();
        let mut out = Vec::new();
        for id in ids.into_iter().filter(|id| *id != unit.unit_id) {
            if let Ok(u) = self.unit(scope, id).await {
                out.push(u);
            }
        }
        Ok(out)
    }

    /// The top of the caller's tree: the root for an administrator, else the granted
    /// units (units read through a coordination link are not roots: see
    /// [`Store::tree_nodes`] and `coordinated_units`).
    #[tracing::instrument(skip(self, scope))]
    pub async fn tree_roots(&self, scope: &Scope, as_of: Date) -> Result<Vec<TreeNode>> {
        let mut nodes = read!(self, p => {
            let mut qb = node_query(as_of);
            if scope.is_admin() {
                qb.push(" v.parent_id IS NULL ");
            } else if scope.granted_paths().is_empty() {
                qb.push(" 1=0 ");
            } else {
                qb.push(" u.path IN (");
                let mut sep = qb.separated(", ");
                for path in scope.granted_paths() {
                    sep.push_bind(path.clone());
                }
                qb.push(")");
            }
            qb.push(" ORDER BY t.sort_order, u.code");
            qb.build_query_as::<TreeNode>().fetch_all(p).await
        })?;
        self.counts_as_of(&mut nodes, as_of).await?;
        Ok(nodes)
    }

    /// Given readable units as tree nodes on `as_of` (those that existed then), in order.
    #[tracing::instrument(skip(self, scope, unit_ids))]
    pub async fn tree_nodes(
        &self,
        scope: &Scope,
        unit_ids: &[i64],
        as_of: Date,
    ) -> Result<Vec<TreeNode>> {
        if unit_ids.is_empty() {
            return Ok(vec![]);
        }
        let mut nodes = read!(self, p => {
            let mut qb = node_query(as_of);
            qb.push(" v.unit_id IN (");
            let mut sep = qb.separated(", ");
            for id in unit_ids {
                sep.push_bind(*id);
            }
            qb.push(") AND ");
            scope.push_read_filter(&mut qb, "u.path");
            qb.build_query_as::<TreeNode>().fetch_all(p).await
        })?;
        nodes.sort_by_key(|n| unit_ids.iter().position(|id| *id == n.unit_id));
        self.counts_as_of(&mut nodes, as_of).await?;
        Ok(nodes)
    }

    /// For a past date, replaces the nodes' member counts (today's maintained figures)
    /// by the count on that date: members whose latest event by then left them active
    /// in a unit of the node's subtree as it stood then. Reads the events of the
    /// node's subtree only, through `member_event_unit_idx`/`member_event_to_unit_idx`.
    async fn counts_as_of(&self, nodes: &mut [TreeNode], as_of: Date) -> Result<()> {
        if as_of >= congdoan_domain::date::today_vn() {
            return Ok(());
        }
        for n in nodes.iter_mut() {
            // Counting reads the subtree's events: a subtree larger than the bound
            // shows no count rather than a slow page (-1, "—" on the page).
            n.member_count = if n.member_count > PAST_COUNT_MAX_MEMBERS {
                -1
            } else {
                self.members_as_of(&n.hist_path, as_of).await?
            };
        }
        Ok(())
    }

    /// Active members on `as_of` in the subtree that had path `hist_path` that day.
    pub async fn members_as_of(&self, hist_path: &str, as_of: Date) -> Result<i64> {
        let end = range_end(hist_path);
        // An event places its member in its receiving unit (a transfer) or its own unit;
        // it counts when no later event (by date, then record order) precedes `as_of`.
        let placed = |on: &str| {
            format!(
                "SELECT e.member_id, e.event_id, e.on_date FROM unit_version v JOIN member_event e ON {on} \
                 WHERE v.path >= $1 AND v.path < $2 AND v.valid_from <= $3 AND (v.valid_to IS NULL OR v.valid_to > $3) \
                 AND e.on_date <= $3 AND e.to_status = 'member'"
            )
        };
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM ({} UNION ALL {}) x \
             WHERE NOT EXISTS (SELECT 1 FROM member_event l WHERE l.member_id = x.member_id AND l.on_date <= $3 \
               AND (l.on_date > x.on_date OR (l.on_date = x.on_date AND l.event_id > x.event_id)))",
            placed("e.unit_id = v.unit_id AND e.to_unit_id IS NULL"),
            placed("e.to_unit_id = v.unit_id")
        );
        Ok(
            read!(self, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
            .bind(hist_path).bind(&end).bind(as_of).fetch_one(p).await)?,
        )
    }

    /// The sub-units of a unit as they stood on `as_of`.
    #[tracing::instrument(skip(self, scope))]
    pub async fn tree_children(
        &self,
        scope: &Scope,
        parent_id: i64,
        as_of: Date,
    ) -> Result<Vec<TreeNode>> {
        self.unit(scope, parent_id).await?;
        let mut nodes = read!(self, p => {
            let mut qb = node_query(as_of);
            qb.push(" v.parent_id = ").push_bind(parent_id).push(" AND ");
            scope.push_read_filter(&mut qb, "u.path");
            qb.push(" ORDER BY t.sort_order, u.code");
            qb.build_query_as::<TreeNode>().fetch_all(p).await
        })?;
        self.counts_as_of(&mut nodes, as_of).await?;
        Ok(nodes)
    }

    /// The whole subtree of a unit as it stood on `as_of`: one range scan on the
    /// historical path, root first, in path order.
    #[tracing::instrument(skip(self, scope))]
    pub async fn subtree_as_of(
        &self,
        scope: &Scope,
        root_id: i64,
        as_of: Date,
    ) -> Result<Vec<UnitVersion>> {
        self.unit(scope, root_id).await?;
        let root_path: Option<String> = read!(self, p => sqlx::query_scalar(
            "SELECT path FROM unit_version WHERE unit_id = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)"
        ).bind(root_id).bind(as_of).fetch_optional(p).await)?;
        let Some(root_path) = root_path else {
            return Ok(vec![]);
        };
        Ok(read!(self, p => {
            let mut qb = QueryBuilder::new(
                "SELECT v.unit_id, u.code, v.valid_from, v.valid_to, v.parent_id, pu.name AS parent_name, v.path, v.name, v.type_code \
                 FROM unit_version v JOIN unit u ON u.unit_id = v.unit_id LEFT JOIN unit pu ON pu.unit_id = v.parent_id \
                 WHERE v.path >= ");
            qb.push_bind(root_path.clone()).push(" AND v.path < ").push_bind(range_end(&root_path));
            qb.push(" AND v.valid_from <= ").push_bind(as_of);
            qb.push(" AND (v.valid_to IS NULL OR v.valid_to > ").push_bind(as_of).push(") AND ");
            scope.push_read_filter(&mut qb, "u.path");
            qb.push(" ORDER BY v.path");
            qb.build_query_as::<UnitVersion>().fetch_all(p).await
        })?)
    }

    /// Every interval of a unit's placement, oldest first.
    pub async fn unit_history(&self, scope: &Scope, unit_id: i64) -> Result<Vec<UnitVersion>> {
        self.unit(scope, unit_id).await?;
        Ok(read!(self, p => sqlx::query_as(
            "SELECT v.unit_id, u.code, v.valid_from, v.valid_to, v.parent_id, pu.name AS parent_name, v.path, v.name, v.type_code \
             FROM unit_version v JOIN unit u ON u.unit_id = v.unit_id LEFT JOIN unit pu ON pu.unit_id = v.parent_id \
             WHERE v.unit_id = $1 ORDER BY v.valid_from"
        ).bind(unit_id).fetch_all(p).await)?)
    }

    /// Coordinating links in force on `on` where the unit is either side.
    pub async fn coordination(
        &self,
        scope: &Scope,
        unit_id: i64,
        on: Date,
    ) -> Result<Vec<CoordinationLink>> {
        self.unit(scope, unit_id).await?;
        Ok(read!(self, p => sqlx::query_as(
            "SELECT l.link_id, l.unit_id, u.name AS unit_name, l.coordinator_id, c.name AS coordinator_name, \
             l.valid_from, l.valid_to, l.note FROM unit_link l JOIN unit u ON u.unit_id = l.unit_id \
             JOIN unit c ON c.unit_id = l.coordinator_id \
             WHERE (l.unit_id = $1 OR l.coordinator_id = $1) AND l.valid_from <= $2 AND (l.valid_to IS NULL OR l.valid_to > $2) \
             ORDER BY u.code"
        ).bind(unit_id).bind(on).fetch_all(p).await)?)
    }

    /// Creates a unit under a managing parent the caller may write.
    #[tracing::instrument(skip(self, scope, input), fields(code = %input.code))]
    pub async fn create_unit(&self, scope: &Scope, input: UnitInput, today: Date) -> Result<Unit> {
        let code = validate_code(&input.code)?;
        let name = nfc(&input.name);
        if name.chars().count() < 2 || name.chars().count() > 200 {
            return Err(StoreError::rule(
                "ST0602",
                "name",
                "Tên đơn vị phải từ 2 đến 200 ký tự.",
                "Unit name must be 2 to 200 characters.",
            ));
        }
        let founded_on = input.founded_on.unwrap_or(today);
        let types = self.unit_types().await?;
        let Some(ty) = types.iter().find(|t| t.type_code == input.type_code) else {
            return Err(StoreError::rule(
                "ST0603",
                "type_code",
                "Loại đơn vị không hợp lệ.",
                "Unknown unit type.",
            ));
        };
        if !ty.exists_on(founded_on) {
            return Err(StoreError::rule(
                "ST0604",
                "type_code",
                "Loại đơn vị này không còn (hoặc chưa) tồn tại vào ngày thành lập đã chọn.",
                "This unit type did not exist on the founding date.",
            ));
        }
        let parent = match input.parent_id {
            Some(pid) => {
                let parent = self.unit(scope, pid).await?;
                scope.check_write(&parent.path)?;
                if parent.ended_on.is_some_and(|e| e <= founded_on) {
                    return Err(StoreError::rule(
                        "ST0605",
                        "parent_id",
                        "Đơn vị cấp trên đã giải thể.",
                        "The parent unit has ended.",
                    ));
                }
                let pty = types
                    .iter()
                    .find(|t| t.type_code == parent.type_code)
                    .map(|t| t.tier)
                    .unwrap_or(0);
                if ty.tier <= pty {
                    return Err(StoreError::rule(
                        "ST0606",
                        "type_code",
                        "Loại đơn vị phải ở cấp thấp hơn đơn vị cấp trên.",
                        "The unit type must sit below its parent's type.",
                    ));
                }
                if founded_on < parent.founded_on {
                    return Err(StoreError::rule(
                        "ST0607",
                        "founded_on",
                        "Ngày thành lập không được trước ngày thành lập của đơn vị cấp trên.",
                        "The founding date cannot precede the parent's.",
                    ));
                }
                Some(parent)
            }
            None if scope.is_admin() => None,
            None => {
                return Err(StoreError::rule(
                    "ST0608",
                    "parent_id",
                    "Phải chọn đơn vị cấp trên.",
                    "Choose a parent unit.",
                ));
            }
        };
        let search_key = fold(&name);
        let ts = now();
        let unit_id: i64 = write!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO unit (code, name, search_key, type_code, parent_id, path, depth, sector, province_code, \
                 commune_code, address, employer_name, employer_tax_id, employer_ownership, employer_head_count, \
                 founding_decision, founded_on, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, '', 0, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING unit_id")
                .bind(&code).bind(&name).bind(&search_key).bind(&ty.type_code).bind(parent.as_ref().map(|p| p.unit_id))
                .bind(clean_opt(input.sector.clone())).bind(input.province_code).bind(input.commune_code)
                .bind(clean_opt(input.address.clone())).bind(clean_opt(input.employer_name.clone()))
                .bind(clean_opt(input.employer_tax_id.clone())).bind(clean_opt(input.employer_ownership.clone()))
                .bind(input.employer_head_count).bind(clean_opt(input.founding_decision.clone()))
                .bind(founded_on).bind(ts)
                .fetch_one(&mut *tx).await?;
            let path = format!("{}{}/", parent.as_ref().map(|p| p.path.as_str()).unwrap_or("/"), id);
            let depth = parent.as_ref().map(|p| p.depth + 1).unwrap_or(0);
            sqlx::query("UPDATE unit SET path = $1, depth = $2 WHERE unit_id = $3")
                .bind(&path).bind(depth).bind(id).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO unit_version (unit_id, valid_from, valid_to, parent_id, path, name, type_code) VALUES ($1, $2, NULL, $3, $4, $5, $6)")
                .bind(id).bind(founded_on).bind(parent.as_ref().map(|p| p.unit_id)).bind(&path).bind(&name).bind(&ty.type_code)
                .execute(&mut *tx).await?;
            let mut delta = StatDelta::default();
            delta.unit(&path, &UnitFacts { type_code: &ty.type_code, ended: false, grassroots: ty.is_grassroots,
                head_count: input.employer_head_count }, 1)?;
            apply_stats!(tx, delta);
            audit!(&mut *tx, scope, "create", "unit", Some(id), &path, format!("Tạo đơn vị {code} — {name}"),
                None, Some(serde_json::json!({"code": code, "name": name, "type_code": ty.type_code, "parent_id": input.parent_id})));
            tx.commit().await?;
            id
        });
        self.unit(scope, unit_id).await
    }

    /// Edits a unit's descriptive fields (not its place in the tree: see `move_unit`).
    /// `expected_version` guards against silently overwriting someone else's edit.
    #[tracing::instrument(skip(self, scope, input))]
    pub async fn update_unit(
        &self,
        scope: &Scope,
        unit_id: i64,
        expected_version: i64,
        input: UnitInput,
    ) -> Result<Unit> {
        let before = self.unit(scope, unit_id).await?;
        scope.check_write(&before.path)?;
        let name = nfc(&input.name);
        if name.chars().count() < 2 || name.chars().count() > 200 {
            return Err(StoreError::rule(
                "ST0602",
                "name",
                "Tên đơn vị phải từ 2 đến 200 ký tự.",
                "Unit name must be 2 to 200 characters.",
            ));
        }
        let ty = self.unit_type(&before.type_code).await?;
        let (sector, ownership) = (
            clean_opt(input.sector.clone()),
            clean_opt(input.employer_ownership.clone()),
        );
        let lock = self.lock_path_sql();
        write!(self, p => {
            let mut tx = p.begin().await?;
            let path: String = sqlx::query_scalar(lock).bind(unit_id).fetch_one(&mut *tx).await?;
            let mut delta = StatDelta::default();
            let facts = |head_count| UnitFacts { type_code: &ty.type_code, ended: before.ended_on.is_some(),
                grassroots: ty.is_grassroots, head_count };
            delta.unit(&path, &facts(before.employer_head_count), -1)?;
            delta.unit(&path, &facts(input.employer_head_count), 1)?;
            if ty.is_grassroots && (sector != before.sector || ownership != before.employer_ownership) {
                // Members are counted under their CĐCS's sector and ownership: move them.
                // Grouped by the member's own unit: its bộ phận and tổ carry the figures too.
                let groups: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT u.path, CAST(COUNT(*) AS BIGINT) FROM member m JOIN unit u ON u.unit_id = m.unit_id \
                     WHERE m.cdcs_id = $1 AND m.status = 'member' GROUP BY u.path")
                    .bind(unit_id).fetch_all(&mut *tx).await?;
                for (at, n) in &groups {
                    delta.add(at, dim::SECTOR, before.sector.as_deref().unwrap_or(""), -n)?;
                    delta.add(at, dim::SECTOR, sector.as_deref().unwrap_or(""), *n)?;
                    delta.add(at, dim::OWNERSHIP, before.employer_ownership.as_deref().unwrap_or(""), -n)?;
                    delta.add(at, dim::OWNERSHIP, ownership.as_deref().unwrap_or(""), *n)?;
                }
            }
            apply_stats!(tx, delta);
            let n = sqlx::query(
                "UPDATE unit SET name = $1, search_key = $2, sector = $3, province_code = $4, commune_code = $5, address = $6, \
                 employer_name = $7, employer_tax_id = $8, employer_ownership = $9, employer_head_count = $10, \
                 founding_decision = $11, version = version + 1, updated_at = $12 WHERE unit_id = $13 AND version = $14")
                .bind(&name).bind(fold(&name)).bind(&sector).bind(input.province_code)
                .bind(input.commune_code).bind(clean_opt(input.address.clone())).bind(clean_opt(input.employer_name.clone()))
                .bind(clean_opt(input.employer_tax_id.clone())).bind(&ownership)
                .bind(input.employer_head_count).bind(clean_opt(input.founding_decision.clone())).bind(now())
                .bind(unit_id).bind(expected_version)
                .execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict);
            }
            sqlx::query("UPDATE unit_version SET name = $1 WHERE unit_id = $2 AND valid_to IS NULL")
                .bind(&name).bind(unit_id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "update", "unit", Some(unit_id), &before.path, format!("Sửa đơn vị {}", before.code),
                Some(serde_json::to_value(&before).unwrap_or_default()),
                Some(serde_json::json!({"name": name, "sector": input.sector, "address": input.address, "employer_name": input.employer_name})));
            tx.commit().await?;
        });
        self.unit(scope, unit_id).await
    }

    /// Moves a unit (and its whole subtree) under a new managing parent from date `on`.
    /// History is kept: the old placement stays valid before `on`.
    #[tracing::instrument(skip(self, scope, reason))]
    pub async fn move_unit(
        &self,
        scope: &Scope,
        unit_id: i64,
        new_parent_id: i64,
        on: Date,
        today: Date,
        reason: &str,
    ) -> Result<Unit> {
        let unit = self.unit(scope, unit_id).await?;
        scope.check_write(&unit.path)?;
        let parent = self.unit(scope, new_parent_id).await?;
        scope.check_write(&parent.path)?;
        let rule = |code, field, vi: &str, en: &str| Err(StoreError::rule(code, field, vi, en));
        if parent.path.starts_with(&unit.path) {
            return rule(
                "ST0610",
                "parent_id",
                "Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó.",
                "A unit cannot move under itself or its own descendant.",
            );
        }
        if unit.ended_on.is_some() || parent.ended_on.is_some() {
            return rule(
                "ST0611",
                "parent_id",
                "Không thể chuyển đơn vị đã giải thể, hoặc chuyển vào đơn vị đã giải thể.",
                "Ended units cannot move or receive units.",
            );
        }
        if on > today {
            return rule(
                "ST0612",
                "effective_date",
                "Ngày hiệu lực không được ở tương lai (hãy dùng phương án sắp xếp để hẹn ngày).",
                "The effective date cannot be in the future.",
            );
        }
        let last_change: Option<Date> = read!(self, p => sqlx::query_scalar(
            "SELECT MAX(valid_from) FROM unit_version WHERE path >= $1 AND path < $2")
            .bind(&unit.path).bind(range_end(&unit.path)).fetch_one(p).await)?;
        if last_change.is_some_and(|d| on < d) || on < parent.founded_on {
            return rule(
                "ST0613",
                "effective_date",
                "Ngày hiệu lực phải sau lần thay đổi gần nhất của đơn vị và sau ngày thành lập đơn vị cấp trên.",
                "The effective date must follow the unit's last change and the parent's founding.",
            );
        }
        if unit.parent_id == Some(new_parent_id) {
            return rule(
                "ST0614",
                "parent_id",
                "Đơn vị đã trực thuộc đơn vị cấp trên này.",
                "The unit is already under this parent.",
            );
        }
        let old = unit.path.clone();
        let engine = self.engine();
        write!(self, p => {
            let mut tx = p.begin().await?;
            let (mut delta, mut tallies) = (StatDelta::default(), crate::requests::PendingTallies::default());
            move_units!(tx, delta, tallies, &[(unit_id, new_parent_id)], on, None::<i64>, engine);
            crate::requests::apply_tallies!(tx, tallies.delta);
            let new: String = sqlx::query_scalar("SELECT path FROM unit WHERE unit_id = $1").bind(unit_id).fetch_one(&mut *tx).await?;
            apply_stats!(tx, delta);
            audit!(&mut *tx, scope, "move", "unit", Some(unit_id), &new,
                format!("Chuyển {} về trực thuộc {} từ {} — {}", unit.code, parent.code, congdoan_domain::date::format_vn_date(on), reason),
                Some(serde_json::json!({"parent_id": unit.parent_id, "path": old})),
                Some(serde_json::json!({"parent_id": new_parent_id, "path": new, "on": on.to_string(), "reason": reason})));
            tx.commit().await?;
        });
        self.unit(scope, unit_id).await
    }

    /// Records that `coordinator_id` coordinates `unit_id` from `valid_from`; its
    /// grant holders then read the unit's subtree.
    #[tracing::instrument(skip(self, scope, note))]
    pub async fn add_coordination(
        &self,
        scope: &Scope,
        unit_id: i64,
        coordinator_id: i64,
        valid_from: Date,
        note: Option<String>,
    ) -> Result<i64> {
        let unit = self.unit(scope, unit_id).await?;
        scope.check_write(&unit.path)?;
        let coord = self.unit_unscoped(coordinator_id).await?;
        // A link grants the coordinator read access: made directly only by someone who
        // answers for both sides; otherwise it is proposed (`propose_coordination`).
        if !scope.can_write(&coord.path) {
            return Err(StoreError::NotFound);
        }
        if coord.unit_id == unit.unit_id || unit.path.starts_with(&coord.path) {
            return Err(StoreError::rule(
                "ST0620",
                "coordinator_id",
                "Đơn vị phối hợp phải nằm ngoài tuyến quản lý của đơn vị.",
                "The coordinating unit must lie outside the unit's managing line.",
            ));
        }
        Ok(write!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO unit_link (unit_id, coordinator_id, kind, valid_from, note) VALUES ($1, $2, 'coordinating', $3, $4) RETURNING link_id")
                .bind(unit_id).bind(coordinator_id).bind(valid_from).bind(clean_opt(note.clone())).fetch_one(&mut *tx).await?;
            audit!(&mut *tx, scope, "create", "unit_link", Some(id), &unit.path,
                format!("{} phối hợp chỉ đạo {}", coord.code, unit.code), None,
                Some(serde_json::json!({"unit_id": unit_id, "coordinator_id": coordinator_id, "valid_from": valid_from.to_string()})));
            tx.commit().await?;
            id
        }))
    }
}

/// What adding a coordinating unit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coordination {
    /// A link in force (the caller answers for both sides): its `link_id`.
    Linked(i64),
    /// A proposal waiting for the coordinator's officers: its `agreement_id`.
    Proposed(i64),
}

impl Store {
    /// Adds a coordinating unit, named by its code, to a unit the caller writes: a link
    /// at once when the caller also writes the coordinator, else a one-unit proposal
    /// (an agreement waiting for the coordinator's acceptance) in which a coordinator
    /// the caller may not read is named by the code alone.
    #[tracing::instrument(skip(self, scope, note))]
    pub async fn propose_coordination(
        &self,
        scope: &Scope,
        unit_id: i64,
        coordinator_code: &str,
        valid_from: Date,
        note: Option<String>,
    ) -> Result<Coordination> {
        let unit = self.unit(scope, unit_id).await?;
        scope.check_write(&unit.path)?;
        let code = coordinator_code.trim().to_uppercase();
        let own: Option<Unit> = read!(self, p => sqlx::query_as("SELECT * FROM unit WHERE code = $1")
            .bind(&code).fetch_optional(p).await)?;
        if let Some(c) = own.filter(|c| scope.can_write(&c.path)) {
            return Ok(Coordination::Linked(
                self.add_coordination(scope, unit_id, c.unit_id, valid_from, note)
                    .await?,
            ));
        }
        let g = self
            .create_agreement(
                scope,
                crate::AgreementInput {
                    number: format!("LK-{}", unit.code),
                    title: format!("Phối hợp chỉ đạo {}", unit.name),
                    party_a_id: 0,
                    party_b_id: unit_id,
                    signed_on: valid_from,
                    valid_from,
                    valid_to: None,
                    scope_items: vec!["info".into()],
                    unit_ids: vec![unit_id],
                    party_a_code: Some(code),
                },
            )
            .await?;
        Ok(Coordination::Proposed(g.agreement_id))
    }

    /// Active members in a unit's whole subtree (from the maintained figures).
    pub async fn subtree_member_count(&self, scope: &Scope, unit_id: i64) -> Result<i64> {
        let u = self.unit(scope, unit_id).await?;
        self.active_members(u.unit_id).await
    }

    /// A unit without a scope check, for rules that look beyond the caller's subtree
    /// (the CĐCS that holds a membership, a coordinating unit). Never returned to a caller.
    pub(crate) async fn unit_unscoped(&self, unit_id: i64) -> Result<Unit> {
        Ok(
            read!(self, p => sqlx::query_as("SELECT * FROM unit WHERE unit_id = $1").bind(unit_id).fetch_one(p).await)?,
        )
    }

    /// The unit of `type_code` with the most active members inside the subtree at
    /// `within` (benchmarks and samples).
    pub async fn largest_unit_of_type(
        &self,
        scope: &Scope,
        type_code: &str,
        within: &str,
    ) -> Result<Unit> {
        let u: Unit = read!(self, p => sqlx::query_as(
            "SELECT u.* FROM unit u JOIN unit_stat s ON s.unit_id = u.unit_id AND s.dim = 'status' AND s.key = 'member' \
             WHERE u.type_code = $1 AND u.path >= $2 AND u.path < $3 ORDER BY s.n DESC LIMIT 1")
            .bind(type_code).bind(within).bind(range_end(within)).fetch_one(p).await)?;
        scope.check_read(&u.path)?;
        Ok(u)
    }

    /// The unit picker: open units the caller may choose (readable, or writable when
    /// `write`) whose folded name has every typed word as a word start ("cong doan co so"
    /// or "cđcs may"), or whose code starts with what was typed; optionally only some
    /// types. Scoped by the grants' path ranges and capped at `limit`, so it stays small
    /// for 130,000 units. `top_level` adds the national unit and the top-level unions
    /// (provincial federations, central sector unions, corporations: public knowledge),
    /// whoever the caller is: the partners of an agreement.
    #[tracing::instrument(skip(self, scope))]
    pub async fn search_units(
        &self,
        scope: &Scope,
        q: &str,
        types: &[String],
        write: bool,
        top_level: bool,
        limit: i64,
    ) -> Result<Vec<UnitHit>> {
        let tokens = congdoan_domain::text::fold_query_tokens(q);
        let code = q.trim().to_uppercase();
        if tokens.is_empty() && code.is_empty() {
            return Ok(vec![]);
        }
        let paths: &[String] = if write {
            scope.write_paths()
        } else {
            scope.read_paths()
        };
        Ok(read!(self, p => {
            let mut qb = QueryBuilder::new(
                "SELECT u.unit_id, u.code, u.name, u.type_code, \
                 (SELECT x.name FROM unit x WHERE x.unit_id = u.parent_id) AS parent_name \
                 FROM unit u WHERE u.ended_on IS NULL AND ",
            );
            if scope.is_admin() {
                qb.push(" (1=1) ");
            } else if top_level {
                qb.push(" (");
                crate::scope::push_ranges(&mut qb, "", "u.path", paths);
                qb.push(" OR u.type_code IN (SELECT type_code FROM unit_type WHERE tier <= 2)) ");
            } else {
                crate::scope::push_ranges(&mut qb, "", "u.path", paths);
            }
            if !types.is_empty() {
                qb.push(" AND u.type_code IN (");
                let mut sep = qb.separated(", ");
                for t in types {
                    sep.push_bind(t.clone());
                }
                qb.push(")");
            }
            qb.push(" AND ((u.code = ");
            qb.push_bind(code.clone());
            qb.push(" OR substr(u.code, 1, ");
            qb.push_bind(code.chars().count() as i32);
            qb.push(") = ");
            qb.push_bind(code.clone());
            qb.push(")");
            if !tokens.is_empty() {
                qb.push(" OR (");
                for (i, t) in tokens.iter().enumerate() {
                    if i > 0 {
                        qb.push(" AND ");
                    }
                    qb.push("(' ' || u.search_key) LIKE ");
                    qb.push_bind(format!("% {t}%"));
                }
                qb.push(")");
            }
            qb.push(") ORDER BY u.search_key, u.code LIMIT ");
            qb.push_bind(limit);
            qb.build_query_as::<UnitHit>().fetch_all(p).await
        })?)
    }

    /// Resolves a unit code to its id without revealing anything else; the operation
    /// that uses the id checks the scope.
    pub async fn unit_id_by_code(&self, code: &str) -> Result<i64> {
        Ok(
            read!(self, p => sqlx::query_scalar("SELECT unit_id FROM unit WHERE code = $1")
            .bind(code.trim().to_uppercase()).fetch_one(p).await)?,
        )
    }

    /// The unit a committee belongs to.
    pub async fn committee_unit(&self, committee_id: i64) -> Result<i64> {
        Ok(
            read!(self, p => sqlx::query_scalar("SELECT unit_id FROM committee WHERE committee_id = $1")
            .bind(committee_id).fetch_one(p).await)?,
        )
    }

    /// The unit a post belongs to.
    pub async fn position_unit(&self, assignment_id: i64) -> Result<i64> {
        Ok(
            read!(self, p => sqlx::query_scalar("SELECT unit_id FROM position_assignment WHERE assignment_id = $1")
            .bind(assignment_id).fetch_one(p).await)?,
        )
    }
}
