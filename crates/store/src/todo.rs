//! What needs attention in a scope (the "Việc cần làm" page) and the same flags per
//! CĐCS (supervisor and cluster pages).
//!
//! Every read is bounded for the national scope: figures come from `unit_stat`;
//! terms from the `committee(kind, term_end)` index; chairs are probed per CĐCS over
//! the unit path range with a count capped at [`COUNT_CAP`]; falls read the last
//! [`MEMBER_FALL_WINDOW_DAYS`] days of `member_event` by its `on_date` index
//! (migration 0012). Lists show [`LIST_PAGE`] units a page.

use crate::stats::dim;
use crate::{Result, Scope, Store, read};
use congdoan_domain::OrgPath;
use congdoan_domain::todo::{
    MEMBER_FALL_WINDOW_DAYS, fall_window_start, member_count_fell, term_horizon,
};
use serde::Serialize;
use sqlx::QueryBuilder;
use std::collections::{BTreeMap, HashMap, HashSet};
use time::{Date, Duration};

/// Counts of flagged units stop here ("hơn 1.000"): past it the number says "many".
pub const COUNT_CAP: i64 = 1_000;

/// Units listed per page of a flag's list.
pub const LIST_PAGE: i64 = 50;

/// How urgent an item is; pages sort by it, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
pub enum Severity {
    Info = 1,
    Soon = 2,
    Urgent = 3,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Soon => "soon",
            Severity::Urgent => "urgent",
        }
    }
}

/// A per-unit flag with its own list page (`/todo/units?flag=…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub enum Flag {
    /// A CĐCS without a chairperson in office.
    NoChair,
    /// A committee (BCH) whose term ends within six months or has ended without a successor.
    Term,
    /// A CĐCS whose active members fell (see `congdoan_domain::todo`).
    Fell,
}

impl Flag {
    pub fn code(self) -> &'static str {
        match self {
            Flag::NoChair => "no_chair",
            Flag::Term => "term",
            Flag::Fell => "fell",
        }
    }
    pub fn parse(s: &str) -> Option<Flag> {
        [Flag::NoChair, Flag::Term, Flag::Fell]
            .into_iter()
            .find(|f| f.code() == s)
    }
}

/// One thing to do, as the to-do page shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TodoItem {
    /// applicants, imports_ready, imports_failed, plan, proposal, term_ended, term_ending, no_chair, fell
    pub kind: &'static str,
    pub severity: Severity,
    pub title_vi: String,
    pub title_en: String,
    pub count: i64,
    /// The count stopped at [`COUNT_CAP`]: there are more.
    pub more: bool,
    /// The filtered list this item counts.
    pub link: String,
    /// The nearest deadline (a term's end, a plan's effective date).
    pub due: Option<Date>,
}

/// A unit on a flag's list.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct FlaggedUnit {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    pub parent_name: Option<String>,
    /// The term's end (flag `term`).
    pub due: Option<Date>,
    /// Net members lost over the window (flag `fell`).
    #[sqlx(default)]
    pub lost: i64,
    /// Active members now (flag `fell`).
    #[sqlx(default)]
    pub members: i64,
}

/// The flags of one CĐCS (supervisor and cluster pages).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct UnitFlags {
    pub no_chair: bool,
    /// The current BCH's term end when within six months or past.
    pub term_end: Option<Date>,
    pub applicants: i64,
    /// Net members lost over the window when that counts as a fall.
    pub lost: Option<i64>,
}

impl UnitFlags {
    /// Worst first: a missing chair and an ended term weigh most.
    pub fn weight(&self, today: Date) -> i64 {
        let mut w = 0;
        if self.no_chair {
            w += 1000;
        }
        match self.term_end {
            Some(d) if d < today => w += 800,
            Some(_) => w += 400,
            None => {}
        }
        if self.lost.is_some() {
            w += 300;
        }
        w + self.applicants.min(99)
    }
    pub fn any(&self) -> bool {
        self.no_chair || self.term_end.is_some() || self.applicants > 0 || self.lost.is_some()
    }
}

/// The subtrees a to-do read covers.
struct Area {
    /// Path prefixes; empty = everything (admin at the root).
    paths: Vec<String>,
    /// Their roots' ids (for the figures).
    roots: Vec<i64>,
    /// The unit to name in links (`unit=`), when there is one.
    link_unit: Option<i64>,
}

impl Area {
    fn push<DB: sqlx::Database>(&self, qb: &mut QueryBuilder<DB>, col: &str)
    where
        String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        if !self.paths.is_empty() {
            crate::scope::push_ranges(qb, " AND ", col, &self.paths);
        }
    }
    fn unit_param(&self, sep: char) -> String {
        self.link_unit
            .map(|u| format!("{sep}unit={u}"))
            .unwrap_or_default()
    }
}

/// Walks only the units without a chair (`unit.has_chair`, kept by triggers on
/// `position_assignment`; `unit_chairless_idx`), grassroots types first. The types go
/// in as values, not a subquery: PostgreSQL then estimates the few chairless CĐCS from
/// its statistics on (type, has_chair) — tổ never have a chair — instead of planning a
/// scan of every unit for the national root (50–110 ms until a generic plan).
const NO_CHAIR_FROM: &str = " FROM unit u LEFT JOIN unit par ON par.unit_id = u.parent_id \
     WHERE u.has_chair = 0 AND u.type_code IN (";
const NO_CHAIR_FROM_SQLITE: &str = " FROM unit u INDEXED BY unit_chairless_idx LEFT JOIN unit par ON par.unit_id = u.parent_id \
     WHERE u.has_chair = 0 AND u.type_code IN (";
const NO_CHAIR_OPEN: &str = ") AND (u.ended_on IS NULL OR u.ended_on > ";
const NO_CHAIR_TAIL: &str = " AND NOT EXISTS (SELECT 1 FROM position_assignment a WHERE a.unit_id = u.unit_id \
     AND a.position_code = 'CHU_TICH' AND a.end_date IS NULL)";
const TERM_FROM: &str = " FROM committee c JOIN unit u ON u.unit_id = c.unit_id \
     LEFT JOIN unit par ON par.unit_id = u.parent_id \
     WHERE c.kind = 'BCH' AND c.term_end IS NOT NULL AND c.term_end <= ";
const TERM_TAIL: &str = " AND NOT EXISTS (SELECT 1 FROM committee n WHERE n.unit_id = c.unit_id \
     AND n.kind = 'BCH' AND n.term_start > c.term_start)";

/// Pushes `values` as a bound list (`NULL` when empty, which matches nothing).
fn push_list<DB: sqlx::Database>(qb: &mut QueryBuilder<DB>, values: &[String])
where
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    if values.is_empty() {
        qb.push("NULL");
    }
    let mut list = qb.separated(", ");
    for v in values {
        list.push_bind(v.clone());
    }
}

impl Store {
    /// The grassroots unit types' codes.
    async fn grassroots_types(&self) -> Result<Vec<String>> {
        Ok(self
            .unit_types()
            .await?
            .into_iter()
            .filter(|t| t.is_grassroots)
            .map(|t| t.type_code)
            .collect())
    }

    fn no_chair_from(&self) -> &'static str {
        match self.engine() {
            crate::Engine::Sqlite => NO_CHAIR_FROM_SQLITE,
            _ => NO_CHAIR_FROM,
        }
    }

    async fn area(&self, scope: &Scope, unit_id: Option<i64>) -> Result<Area> {
        Ok(match unit_id {
            Some(id) => {
                let u = self.unit(scope, id).await?;
                Area {
                    paths: vec![u.path],
                    roots: vec![id],
                    link_unit: Some(id),
                }
            }
            None if scope.is_admin() => Area {
                paths: vec![],
                roots: read!(self, p => sqlx::query_scalar("SELECT unit_id FROM unit WHERE parent_id IS NULL").fetch_all(p).await)?,
                link_unit: None,
            },
            None => {
                let paths = scope.read_paths().to_vec();
                let roots: Vec<i64> = paths
                    .iter()
                    .filter_map(|p| OrgPath::parse(p).ok()?.ids().last().copied())
                    .collect();
                let link_unit = (roots.len() == 1).then(|| roots[0]);
                Area {
                    paths,
                    roots,
                    link_unit,
                }
            }
        })
    }

    /// What needs attention in a unit's subtree, or in the caller's whole scope:
    /// worst first, then the nearest deadline.
    #[tracing::instrument(skip(self, scope))]
    pub async fn todo(
        &self,
        scope: &Scope,
        unit_id: Option<i64>,
        today: Date,
    ) -> Result<Vec<TodoItem>> {
        let area = self.area(scope, unit_id).await?;
        let mut items = Vec::new();
        let u_amp = area.unit_param('&');
        let u_q = area.unit_param('?');

        // Applications to admit: the maintained figures.
        let figures = self.figures(&area.roots).await?;
        let applicants = figures
            .get(&(dim::STATUS.to_string(), "applicant".to_string()))
            .copied()
            .unwrap_or(0);
        if applicants > 0 {
            items.push(TodoItem {
                kind: "applicants",
                severity: Severity::Soon,
                title_vi: "đơn xin gia nhập công đoàn chờ xét kết nạp".into(),
                title_en: "applications waiting for admission".into(),
                count: applicants,
                more: false,
                link: format!("/members?status=applicant{u_amp}"),
                due: None,
            });
        }

        // Imports waiting for confirmation, or failed in the last 30 days.
        let recent = crate::now() - Duration::days(30);
        let jobs: Vec<(String, i64)> = read!(self, p => {
            let mut qb = QueryBuilder::new(
                "SELECT state, COUNT(*) FROM import_job j WHERE (state = 'ready' OR (state = 'failed' AND updated_at >= ");
            qb.push_bind(recent).push("))");
            area.push(&mut qb, "j.path");
            qb.push(" GROUP BY state");
            qb.build_query_as().fetch_all(p).await
        })?;
        for (state, n) in jobs {
            let ready = state == "ready";
            items.push(TodoItem {
                kind: if ready {
                    "imports_ready"
                } else {
                    "imports_failed"
                },
                severity: if ready {
                    Severity::Soon
                } else {
                    Severity::Info
                },
                title_vi: if ready {
                    "tệp nhập danh sách chờ xác nhận".into()
                } else {
                    "tệp nhập danh sách bị lỗi (30 ngày qua)".into()
                },
                title_en: if ready {
                    "imports waiting for confirmation".into()
                } else {
                    "imports that failed (last 30 days)".into()
                },
                count: n,
                more: false,
                link: format!("/imports{u_q}"),
                due: None,
            });
        }

        // Scheduled restructuring plans, each with its day.
        let plans: Vec<(i64, String, Date)> = read!(self, p => {
            let mut qb = QueryBuilder::new(
                "SELECT plan_id, name, effective_date FROM restructure_plan WHERE status = 'scheduled' AND ");
            scope.push_read_filter(&mut qb, "path");
            area.push(&mut qb, "path");
            qb.push(" ORDER BY effective_date, plan_id LIMIT 20");
            qb.build_query_as().fetch_all(p).await
        })?;
        for (id, name, on) in plans {
            items.push(TodoItem {
                kind: "plan",
                severity: if on <= today + Duration::days(30) {
                    Severity::Soon
                } else {
                    Severity::Info
                },
                title_vi: format!("phương án sắp xếp đã lên lịch: {name}"),
                title_en: format!("scheduled restructuring plan: {name}"),
                count: 1,
                more: false,
                link: format!("/plans/{id}"),
                due: Some(on),
            });
        }

        // Coordination proposals waiting for this side's acceptance (issue 13, item 6).
        for g in self.proposals_to_answer(scope, &area.paths, 20).await? {
            items.push(TodoItem {
                kind: "proposal",
                severity: Severity::Soon,
                title_vi: format!(
                    "đề nghị phối hợp chờ chấp thuận: số {} của {}",
                    g.number, g.party_b_name
                ),
                title_en: format!(
                    "Coordination proposal awaiting acceptance: no. {} from {}",
                    g.number, g.party_b_name
                ),
                count: 1,
                more: false,
                link: format!("/agreements/{}", g.agreement_id),
                due: None,
            });
        }

        // Terms ended without a successor, and terms ending within six months.
        let terms: Vec<(i64, Date)> = read!(self, p => {
            let mut qb = QueryBuilder::new("SELECT c.unit_id, c.term_end");
            qb.push(TERM_FROM).push_bind(term_horizon(today))
                .push(" AND (u.ended_on IS NULL OR u.ended_on > ").push_bind(today).push(")");
            area.push(&mut qb, "u.path");
            qb.push(TERM_TAIL).push(" ORDER BY c.term_end LIMIT ").push_bind(COUNT_CAP + 1);
            qb.build_query_as().fetch_all(p).await
        })?;
        let more = terms.len() as i64 > COUNT_CAP;
        type Terms<'a> = Vec<&'a (i64, Date)>;
        let (ended, ending): (Terms, Terms) = terms
            .iter()
            .take(COUNT_CAP as usize)
            .partition(|(_, d)| *d < today);
        if !ended.is_empty() {
            items.push(TodoItem {
                kind: "term_ended",
                severity: Severity::Urgent,
                title_vi:
                    "ban chấp hành đã hết nhiệm kỳ, chưa có nhiệm kỳ mới (cần tổ chức đại hội)"
                        .into(),
                title_en: "committees past their term with no successor (congress due)".into(),
                count: ended.len() as i64,
                more: more && ending.is_empty(),
                link: format!("/todo/units?flag=term{u_amp}"),
                due: ended.first().map(|t| t.1),
            });
        }
        if !ending.is_empty() {
            items.push(TodoItem {
                kind: "term_ending",
                severity: Severity::Soon,
                title_vi: "ban chấp hành hết nhiệm kỳ trong 6 tháng tới".into(),
                title_en: "committees whose term ends within 6 months".into(),
                count: ending.len() as i64,
                more,
                link: format!("/todo/units?flag=term{u_amp}"),
                due: ending.first().map(|t| t.1),
            });
        }

        // CĐCS without a chairperson in office (count capped).
        let grassroots = self.grassroots_types().await?;
        let no_chair: i64 = read!(self, p => {
            let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM (SELECT 1");
            qb.push(self.no_chair_from());
            push_list(&mut qb, &grassroots);
            qb.push(NO_CHAIR_OPEN).push_bind(today).push(")");
            area.push(&mut qb, "u.path");
            qb.push(NO_CHAIR_TAIL).push(" LIMIT ").push_bind(COUNT_CAP + 1).push(") x");
            qb.build_query_scalar().fetch_one(p).await
        })?;
        if no_chair > 0 {
            items.push(TodoItem {
                kind: "no_chair",
                severity: Severity::Urgent,
                title_vi: "công đoàn cơ sở chưa có chủ tịch".into(),
                title_en: "grassroots unions without a chairperson".into(),
                count: no_chair.min(COUNT_CAP),
                more: no_chair > COUNT_CAP,
                link: format!("/todo/units?flag=no_chair{u_amp}"),
                due: None,
            });
        }

        // CĐCS whose active members fell over the window.
        let fell = self.falls(&area.paths, today).await?;
        if !fell.is_empty() {
            items.push(TodoItem {
                kind: "fell",
                severity: Severity::Soon,
                title_vi: format!(
                    "công đoàn cơ sở có số đoàn viên giảm mạnh trong {MEMBER_FALL_WINDOW_DAYS} ngày qua"
                ),
                title_en: format!(
                    "grassroots unions whose members fell sharply in the last {MEMBER_FALL_WINDOW_DAYS} days"
                ),
                count: fell.len() as i64,
                more: false,
                link: format!("/todo/units?flag=fell{u_amp}"),
                due: None,
            });
        }

        // Directives (issue 14): what the user's units owe, and what their own lack.
        self.directive_todo(&area, today, &mut items).await?;
        items.extend(self.report_todo(&area, today).await?);
        // Good models to replicate (issue 15 item 8).
        items.extend(self.replication_todo(&area.roots, area.link_unit).await?);

        items.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| match (a.due, b.due) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                })
                .then_with(|| b.count.cmp(&a.count))
        });
        Ok(items)
    }

    /// One page of the units carrying a flag, worst (or nearest) first; `true` when
    /// another page follows.
    #[tracing::instrument(skip(self, scope))]
    pub async fn flagged_units(
        &self,
        scope: &Scope,
        unit_id: Option<i64>,
        flag: Flag,
        page: i64,
        today: Date,
    ) -> Result<(Vec<FlaggedUnit>, bool)> {
        let area = self.area(scope, unit_id).await?;
        let offset = page.max(0) * LIST_PAGE;
        let mut rows: Vec<FlaggedUnit> = match flag {
            Flag::NoChair => {
                let grassroots = self.grassroots_types().await?;
                read!(self, p => {
                    let mut qb = QueryBuilder::new(
                        "SELECT u.unit_id, u.code, u.name, par.name AS parent_name, CAST(NULL AS DATE) AS due");
                    qb.push(self.no_chair_from());
                    push_list(&mut qb, &grassroots);
                    qb.push(NO_CHAIR_OPEN).push_bind(today).push(")");
                    area.push(&mut qb, "u.path");
                    qb.push(NO_CHAIR_TAIL).push(" ORDER BY u.path LIMIT ").push_bind(LIST_PAGE + 1)
                        .push(" OFFSET ").push_bind(offset);
                    qb.build_query_as().fetch_all(p).await
                })?
            }
            Flag::Term => read!(self, p => {
                let mut qb = QueryBuilder::new(
                    "SELECT u.unit_id, u.code, u.name, par.name AS parent_name, c.term_end AS due");
                qb.push(TERM_FROM).push_bind(term_horizon(today))
                    .push(" AND (u.ended_on IS NULL OR u.ended_on > ").push_bind(today).push(")");
                area.push(&mut qb, "u.path");
                qb.push(TERM_TAIL).push(" ORDER BY c.term_end, u.unit_id LIMIT ").push_bind(LIST_PAGE + 1)
                    .push(" OFFSET ").push_bind(offset);
                qb.build_query_as().fetch_all(p).await
            })?,
            Flag::Fell => {
                let mut fell: Vec<(i64, i64, i64)> = self
                    .falls(&area.paths, today)
                    .await?
                    .into_iter()
                    .map(|(id, (lost, now))| (id, lost, now))
                    .collect();
                fell.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                let pagefull: Vec<(i64, i64, i64)> = fell
                    .into_iter()
                    .skip(offset as usize)
                    .take(LIST_PAGE as usize + 1)
                    .collect();
                let mut out = Vec::new();
                for (id, lost, now) in pagefull {
                    let r: FlaggedUnit = read!(self, p => sqlx::query_as(
                        "SELECT u.unit_id, u.code, u.name, par.name AS parent_name, CAST(NULL AS DATE) AS due \
                         FROM unit u LEFT JOIN unit par ON par.unit_id = u.parent_id WHERE u.unit_id = $1")
                        .bind(id).fetch_one(p).await)?;
                    out.push(FlaggedUnit {
                        lost,
                        members: now,
                        ..r
                    });
                }
                out
            }
        };
        let more = rows.len() as i64 > LIST_PAGE;
        rows.truncate(LIST_PAGE as usize);
        Ok((rows, more))
    }

    /// CĐCS (inside `paths`; empty = everywhere) whose active members fell over the
    /// window: id → (net members lost, active members now). Plan-stamped events are
    /// left out: a restructuring moves members on purpose.
    #[tracing::instrument(skip(self, paths))]
    pub async fn falls(&self, paths: &[String], today: Date) -> Result<HashMap<i64, (i64, i64)>> {
        let from = fall_window_start(today);
        // Net change per unit where it happened: leaving active membership (or
        // transferring away) loses one; admission, re-admission or arrival gains one.
        let per_unit: Vec<(i64, String, i64)> = read!(self, p => {
            let mut qb = QueryBuilder::new(
                "SELECT e.unit_id, u.path, SUM(CASE WHEN e.from_status = 'member' AND (e.to_status <> 'member' OR e.to_unit_id IS NOT NULL) THEN 1 \
                 WHEN e.to_status = 'member' AND (e.from_status IS NULL OR e.from_status <> 'member') THEN -1 ELSE 0 END) AS lost \
                 FROM member_event e ");
            // The whole country: the window's events by date (SQLite otherwise skip-scans
            // the (unit_id, on_date) index over every unit: 0.3 s against 2 ms at 10M).
            if paths.is_empty() && self.engine() == crate::Engine::Sqlite {
                qb.push("INDEXED BY member_event_on_idx ");
            }
            qb.push("JOIN unit u ON u.unit_id = e.unit_id WHERE e.on_date >= ");
            qb.push_bind(from).push(" AND e.plan_id IS NULL");
            if !paths.is_empty() {
                crate::scope::push_ranges(&mut qb, " AND ", "u.path", paths);
            }
            qb.push(" GROUP BY e.unit_id, u.path");
            qb.build_query_as().fetch_all(p).await
        })?;
        let arrivals: Vec<(i64, String, i64)> = read!(self, p => {
            let mut qb = QueryBuilder::new(
                "SELECT e.to_unit_id, u.path, COUNT(*) FROM member_event e JOIN unit u ON u.unit_id = e.to_unit_id \
                 WHERE e.on_date >= ");
            qb.push_bind(from).push(" AND e.plan_id IS NULL AND e.to_unit_id IS NOT NULL AND e.to_status = 'member'");
            if !paths.is_empty() {
                crate::scope::push_ranges(&mut qb, " AND ", "u.path", paths);
            }
            qb.push(" GROUP BY e.to_unit_id, u.path");
            qb.build_query_as().fetch_all(p).await
        })?;
        let mut by_path: BTreeMap<String, i64> = BTreeMap::new();
        for (_, path, lost) in per_unit {
            *by_path.entry(path).or_default() += lost;
        }
        for (_, path, n) in arrivals {
            *by_path.entry(path).or_default() -= n;
        }
        // Each unit's CĐCS: the grassroots unit among its path's ids.
        let mut ids: Vec<i64> = by_path
            .keys()
            .filter_map(|p| OrgPath::parse(p).ok())
            .flat_map(|p| p.ids())
            .collect::<HashSet<i64>>()
            .into_iter()
            .collect();
        ids.sort_unstable();
        let mut grassroots = HashSet::new();
        for chunk in ids.chunks(1000) {
            let found: Vec<i64> = read!(self, p => {
                let mut qb = QueryBuilder::new(
                    "SELECT u.unit_id FROM unit u JOIN unit_type t ON t.type_code = u.type_code WHERE t.is_grassroots AND u.unit_id IN (");
                let mut sep = qb.separated(", ");
                for id in chunk {
                    sep.push_bind(*id);
                }
                qb.push(")");
                qb.build_query_scalar().fetch_all(p).await
            })?;
            grassroots.extend(found);
        }
        let mut lost: HashMap<i64, i64> = HashMap::new();
        for (path, n) in by_path {
            let Ok(p) = OrgPath::parse(&path) else {
                continue;
            };
            if let Some(c) = p.ids().into_iter().rev().find(|i| grassroots.contains(i)) {
                *lost.entry(c).or_default() += n;
            }
        }
        let losing: Vec<i64> = lost
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(id, _)| *id)
            .collect();
        let mut out = HashMap::new();
        for chunk in losing.chunks(1000) {
            let now: Vec<(i64, i64)> = read!(self, p => {
                let mut qb = QueryBuilder::new(
                    "SELECT u.unit_id, COALESCE(s.n, 0) FROM unit u LEFT JOIN unit_stat s ON s.unit_id = u.unit_id \
                     AND s.dim = 'status' AND s.key = 'member' WHERE (u.ended_on IS NULL OR u.ended_on > ");
                qb.push_bind(today).push(") AND u.unit_id IN (");
                let mut sep = qb.separated(", ");
                for id in chunk {
                    sep.push_bind(*id);
                }
                qb.push(")");
                qb.build_query_as().fetch_all(p).await
            })?;
            for (id, n) in now {
                let l = lost[&id];
                if member_count_fell(n, l) {
                    out.insert(id, (l, n));
                }
            }
        }
        Ok(out)
    }

    /// The flags of the given CĐCS (a supervisor's or a cluster's, a few dozen).
    /// Callers have already checked the units against the scope.
    #[tracing::instrument(skip(self, ids))]
    pub async fn unit_flags(&self, ids: &[i64], today: Date) -> Result<HashMap<i64, UnitFlags>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let units: Vec<(i64, String)> = read!(self, p => {
            let mut qb = QueryBuilder::new("SELECT unit_id, path FROM unit WHERE unit_id IN (");
            let mut sep = qb.separated(", ");
            for id in ids {
                sep.push_bind(*id);
            }
            qb.push(")");
            qb.build_query_as().fetch_all(p).await
        })?;
        let mut out: HashMap<i64, UnitFlags> = units
            .iter()
            .map(|(id, _)| (*id, UnitFlags::default()))
            .collect();
        macro_rules! in_list {
            ($qb:expr) => {{
                let mut sep = $qb.separated(", ");
                for (id, _) in &units {
                    sep.push_bind(*id);
                }
                $qb.push(")");
            }};
        }
        let chairs: Vec<i64> = read!(self, p => {
            let mut qb = QueryBuilder::new(
                "SELECT DISTINCT unit_id FROM position_assignment WHERE position_code = 'CHU_TICH' AND end_date IS NULL AND unit_id IN (");
            in_list!(qb);
            qb.build_query_scalar().fetch_all(p).await
        })?;
        let terms: Vec<(i64, Date, Option<Date>)> = read!(self, p => {
            let mut qb = QueryBuilder::new(
                "SELECT unit_id, term_start, term_end FROM committee WHERE kind = 'BCH' AND unit_id IN (");
            in_list!(qb);
            qb.build_query_as().fetch_all(p).await
        })?;
        let applicants: Vec<(i64, i64)> = read!(self, p => {
            let mut qb = QueryBuilder::new(
                "SELECT unit_id, n FROM unit_stat WHERE dim = 'status' AND key = 'applicant' AND unit_id IN (");
            in_list!(qb);
            qb.build_query_as().fetch_all(p).await
        })?;
        let paths: Vec<String> = units.iter().map(|(_, p)| p.clone()).collect();
        let fell = self.falls(&paths, today).await?;
        let mut latest: HashMap<i64, (Date, Option<Date>)> = HashMap::new();
        for (id, start, end) in terms {
            let e = latest.entry(id).or_insert((start, end));
            if start > e.0 {
                *e = (start, end);
            }
        }
        for (id, f) in out.iter_mut() {
            f.no_chair = !chairs.contains(id);
            f.term_end = latest
                .get(id)
                .and_then(|(_, end)| *end)
                .filter(|e| *e <= term_horizon(today));
            f.applicants = applicants
                .iter()
                .find(|(u, _)| u == id)
                .map_or(0, |(_, n)| *n);
            f.lost = fell.get(id).map(|(l, _)| *l);
        }
        Ok(out)
    }
}

/// To-do items of directives: bounded reads of the user's own units' targets through
/// `request_target_unit_idx (unit_id, state)`, and of the roll-up row (`request_tally`,
/// unit 0 = every target) of the latest requests they issued.
impl Store {
    async fn directive_todo(
        &self,
        area: &Area,
        today: Date,
        items: &mut Vec<TodoItem>,
    ) -> Result<()> {
        if area.roots.is_empty() || area.roots.len() > 100 {
            return Ok(());
        }
        let ids = area
            .roots
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let link = match area.link_unit {
            Some(u) => format!("/directives?unit={u}"),
            None => "/directives".to_string(),
        };
        let owed: Vec<(String, Date)> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT t.state, t.due_on FROM request_target t JOIN request r ON r.request_id = t.request_id \
             WHERE t.unit_id IN ({ids}) AND t.state IN ('pending', 'acknowledged') AND t.ended_on IS NULL \
             AND r.kind = 'directive' ORDER BY t.due_on LIMIT {}", COUNT_CAP + 1)))
            .fetch_all(p).await)?;
        let more = owed.len() as i64 > COUNT_CAP;
        let owed = &owed[..owed.len().min(COUNT_CAP as usize)];
        let pending: Vec<&(String, Date)> = owed.iter().filter(|(s, _)| s == "pending").collect();
        if !pending.is_empty() {
            items.push(TodoItem {
                kind: "directive_ack",
                severity: Severity::Soon,
                title_vi: "văn bản chờ xác nhận đã nhận".into(),
                title_en: "documents waiting for acknowledgement".into(),
                count: pending.len() as i64,
                more,
                link: format!("{link}#owed"),
                due: pending.first().map(|t| t.1),
            });
        }
        let horizon = today + Duration::days(congdoan_domain::request::REMIND_BEFORE_DAYS);
        let late: Vec<Date> = owed.iter().filter(|t| t.1 < today).map(|t| t.1).collect();
        let soon: Vec<Date> = owed
            .iter()
            .filter(|t| t.1 >= today && t.1 <= horizon)
            .map(|t| t.1)
            .collect();
        if !late.is_empty() {
            items.push(TodoItem {
                kind: "directive_late",
                severity: Severity::Urgent,
                title_vi: "văn bản đã quá hạn báo cáo thực hiện".into(),
                title_en: "documents past their implementation report date".into(),
                count: late.len() as i64,
                more,
                link: format!("{link}#owed"),
                due: late.first().copied(),
            });
        }
        if !soon.is_empty() {
            items.push(TodoItem {
                kind: "directive_due",
                severity: Severity::Soon,
                title_vi: format!(
                    "văn bản sắp đến hạn báo cáo thực hiện (trong {} ngày)",
                    congdoan_domain::request::REMIND_BEFORE_DAYS
                ),
                title_en: "documents whose implementation report is due soon".into(),
                count: soon.len() as i64,
                more: false,
                link: format!("{link}#owed"),
                due: soon.first().copied(),
            });
        }
        // Issued directives past due: expected minus implemented, from the roll-up.
        let issued: Vec<(i64, Date, Option<i64>, Option<i64>)> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT r.request_id, r.due_on, \
             (SELECT g.n FROM request_tally g WHERE g.request_id = r.request_id AND g.unit_id = 0 AND g.key = '#expected'), \
             (SELECT g.n FROM request_tally g WHERE g.request_id = r.request_id AND g.unit_id = 0 AND g.key = '#received') \
             FROM request r WHERE r.issuer_unit_id IN ({ids}) AND r.kind = 'directive' AND r.due_on < $1 \
             ORDER BY r.issued_on DESC LIMIT 50")))
            .bind(today).fetch_all(p).await)?;
        let lagging: Vec<(i64, Date, i64)> = issued
            .into_iter()
            .map(|(id, due, e, r)| (id, due, e.unwrap_or(0) - r.unwrap_or(0)))
            .filter(|r| r.2 > 0)
            .collect();
        if !lagging.is_empty() {
            let n: i64 = lagging.iter().map(|r| r.2).sum();
            items.push(TodoItem {
                kind: "directive_units_late",
                severity: Severity::Urgent,
                title_vi: "đơn vị chậm báo cáo thực hiện văn bản đã ban hành".into(),
                title_en: "units late reporting on documents issued".into(),
                count: n,
                more: false,
                link: match lagging.as_slice() {
                    [one] => format!("/directives/{}/units?list=late", one.0),
                    _ => format!("{link}#sent"),
                },
                due: lagging.iter().map(|r| r.1).min(),
            });
        }
        Ok(())
    }
}

/// What the to-do page says and links to for one kind of request of the form flow:
/// (item kind, Vietnamese, English) per item, and the pages.
struct FormFlowTodo {
    kind: &'static str,
    due: (&'static str, &'static str, &'static str),
    returned: (&'static str, &'static str, &'static str),
    review: (&'static str, &'static str, &'static str),
    late: (&'static str, &'static str, &'static str),
    /// `{base}/{request}/units/{unit}` fills; `{base}/{request}{board}` reviews.
    base: &'static str,
    board: &'static str,
    /// The list of what the user's units owe, and of what they sent.
    owed: &'static str,
    owed_sep: char,
    many: &'static str,
    many_sep: char,
}

const REPORTS: FormFlowTodo = FormFlowTodo {
    kind: "report",
    due: (
        "reports_due",
        "báo cáo đến hạn hoặc quá hạn chưa nộp",
        "reports due or late",
    ),
    returned: (
        "reports_returned",
        "báo cáo bị trả lại cần sửa",
        "reports returned for correction",
    ),
    review: (
        "reports_review",
        "báo cáo chờ duyệt",
        "reports waiting for review",
    ),
    late: (
        "reports_units_late",
        "đơn vị chưa nộp báo cáo đã quá hạn",
        "units that have not sent reports past due",
    ),
    base: "/reports",
    board: "",
    owed: "/reports/owed",
    owed_sep: '?',
    many: "/forms",
    many_sep: '?',
};

const ASSESSMENTS: FormFlowTodo = FormFlowTodo {
    kind: "assessment",
    due: (
        "assessments_due",
        "bản tự chấm điểm thi đua đến hạn hoặc quá hạn chưa nộp",
        "emulation self-assessments due or late",
    ),
    returned: (
        "assessments_returned",
        "bản tự chấm điểm thi đua bị trả lại cần sửa",
        "self-assessments returned for correction",
    ),
    review: (
        "assessments_review",
        "bản tự chấm điểm chờ thẩm định",
        "self-assessments waiting for appraisal",
    ),
    late: (
        "assessments_units_late",
        "đơn vị chưa nộp bản tự chấm điểm đã quá hạn",
        "units that have not sent their self-assessment past due",
    ),
    base: "/emulation",
    board: "/ranking",
    owed: "/emulation",
    owed_sep: '?',
    many: "/emulation",
    many_sep: '?',
};

/// Registrations for emulation movements (đăng ký thi đua) owed, returned, waiting
/// for the organiser's acceptance, and units late to register.
const REGISTRATIONS: FormFlowTodo = FormFlowTodo {
    kind: "registration",
    due: (
        "registrations_due",
        "phong trào thi đua chờ đơn vị đăng ký",
        "emulation movements waiting for registration",
    ),
    returned: (
        "registrations_returned",
        "bản đăng ký thi đua bị trả lại cần sửa",
        "emulation registrations returned for correction",
    ),
    review: (
        "registrations_review",
        "bản đăng ký thi đua chờ chấp nhận",
        "emulation registrations waiting for acceptance",
    ),
    late: (
        "registrations_units_late",
        "đơn vị chưa đăng ký thi đua đã quá hạn",
        "units that have not registered past due",
    ),
    base: "/movements/r",
    board: "",
    owed: "/movements",
    owed_sep: '?',
    many: "/movements",
    many_sep: '?',
};

impl Store {
    /// Report items, each a bounded indexed read whatever the size of the subtree:
    /// reports the user's own units owe (due soon or late, or returned) through
    /// `request_target_unit_idx (unit_id, state)`; submissions waiting for their review
    /// among the latest reports they issued through `request_target_state_idx
    /// (request_id, state)`; and the units late on those reports from the roll-up row.
    async fn report_todo(&self, area: &Area, today: Date) -> Result<Vec<TodoItem>> {
        let mut items = self.form_flow_todo(area, today, &REPORTS).await?;
        items.extend(self.form_flow_todo(area, today, &ASSESSMENTS).await?);
        items.extend(self.form_flow_todo(area, today, &REGISTRATIONS).await?);
        Ok(items)
    }

    /// The to-do items of one kind of request that follows the form flow.
    async fn form_flow_todo(
        &self,
        area: &Area,
        today: Date,
        k: &FormFlowTodo,
    ) -> Result<Vec<TodoItem>> {
        let mut items = Vec::new();
        if area.roots.is_empty() || area.roots.len() > 100 {
            return Ok(items);
        }
        let ids = area
            .roots
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let horizon = today + Duration::days(congdoan_domain::request::REMIND_BEFORE_DAYS);
        let owed_link = format!("{}{}", k.owed, area.unit_param(k.owed_sep));
        let own: [(&'static str, &str, &str, &str); 2] = [
            (k.due.0, "'pending','draft'", k.due.1, k.due.2),
            (k.returned.0, "'returned'", k.returned.1, k.returned.2),
        ];
        for (kind, states, vi, en) in own {
            let rows: Vec<(i64, i64, Date)> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT t.request_id, t.unit_id, t.due_on FROM request_target t \
                 JOIN request r ON r.request_id = t.request_id \
                 WHERE t.unit_id IN ({ids}) AND t.state IN ({states}) AND t.ended_on IS NULL \
                 AND r.kind = '{}' {} ORDER BY t.due_on LIMIT {}",
                k.kind,
                if kind == k.due.0 { "AND t.due_on <= $1" } else { "AND $1 = $1" },
                COUNT_CAP + 1)))
                .bind(horizon).fetch_all(p).await)?;
            let Some(&(rid, uid, due)) = rows.first() else {
                continue;
            };
            let n = rows.len() as i64;
            items.push(TodoItem {
                kind,
                severity: if kind == k.returned.0 || due < today {
                    Severity::Urgent
                } else {
                    Severity::Soon
                },
                title_vi: vi.into(),
                title_en: en.into(),
                count: n.min(COUNT_CAP),
                more: n > COUNT_CAP,
                link: if n == 1 {
                    format!("{}/{rid}/units/{uid}", k.base)
                } else {
                    owed_link.clone()
                },
                due: (kind == k.due.0).then_some(due),
            });
        }
        // The latest reports the user's units issued: waiting for review, and late units.
        let issued: Vec<(i64, Date, Option<i64>, Option<i64>)> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT r.request_id, r.due_on, \
             (SELECT g.n FROM request_tally g WHERE g.request_id = r.request_id AND g.unit_id = 0 AND g.key = '#expected'), \
             (SELECT g.n FROM request_tally g WHERE g.request_id = r.request_id AND g.unit_id = 0 AND g.key = '#received') \
             FROM request r WHERE r.issuer_unit_id IN ({ids}) AND r.kind = '{}' \
             ORDER BY r.issued_on DESC LIMIT 50", k.kind)))
            .fetch_all(p).await)?;
        if issued.is_empty() {
            return Ok(items);
        }
        let rids = issued
            .iter()
            .map(|r| r.0.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let review: Vec<(i64,)> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT t.request_id FROM request_target t WHERE t.request_id IN ({rids}) \
             AND t.state = 'submitted' AND t.ended_on IS NULL LIMIT {}", COUNT_CAP + 1)))
            .fetch_all(p).await)?;
        if let Some(first) = review.first() {
            let n = review.len() as i64;
            let one = review.iter().all(|r| r.0 == first.0);
            items.push(TodoItem {
                kind: k.review.0,
                severity: Severity::Soon,
                title_vi: k.review.1.into(),
                title_en: k.review.2.into(),
                count: n.min(COUNT_CAP),
                more: n > COUNT_CAP,
                link: if one {
                    format!("{}/{}{}", k.base, first.0, k.board)
                } else {
                    format!("{}{}", k.many, area.unit_param(k.many_sep))
                },
                due: None,
            });
        }
        let lagging: Vec<(i64, Date, i64)> = issued
            .into_iter()
            .filter(|r| r.1 < today)
            .map(|(id, due, e, r)| (id, due, e.unwrap_or(0) - r.unwrap_or(0)))
            .filter(|r| r.2 > 0)
            .collect();
        if !lagging.is_empty() {
            let n: i64 = lagging.iter().map(|r| r.2).sum();
            items.push(TodoItem {
                kind: k.late.0,
                severity: Severity::Urgent,
                title_vi: k.late.1.into(),
                title_en: k.late.2.into(),
                count: n,
                more: false,
                link: match lagging.as_slice() {
                    [one] => format!("{}/{}{}", k.base, one.0, k.board),
                    _ => format!("{}{}", k.many, area.unit_param(k.many_sep)),
                },
                due: lagging.iter().map(|r| r.1).min(),
            });
        }
        Ok(items)
    }
}
