//! Restructuring plans: stored, previewed and applied all or nothing. The rules and
//! the simulation are pure (`congdoan_domain::restructure`); this module loads the
//! snapshot, writes the simulated steps in one transaction, and keeps the figures,
//! the effective-dated tree, member history and lineage exact.

use crate::audit::audit;
use crate::scope::range_end;
use crate::stats::{MemberFacts, StatDelta, UnitFacts, apply_stats, dim};
use crate::units::{MOVE_BATCH, move_units};
use crate::{Engine, Result, Scope, Store, StoreError, now, read, write};
use congdoan_domain::reform::{Place, ReformRequest, UnderCriteria, reform_2025};
use congdoan_domain::restructure::{
    self as rs, EndKind, Op, Outcome, PlanError, PlanRules, PlanUnit, Snapshot, Step, TypeRule,
};
use congdoan_domain::text::{fold, nfc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use time::Date;

/// A restructuring plan (phương án sắp xếp tổ chức).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Plan {
    pub plan_id: i64,
    /// The plan may touch this unit's subtree only.
    pub owner_unit_id: i64,
    pub path: String,
    pub name: String,
    pub effective_date: Date,
    /// draft, scheduled, applied, cancelled, reverted.
    pub status: String,
    /// The operations, as a JSON list (see `PlanOps` in the API).
    pub ops: String,
    pub note: Option<String>,
    /// What the apply did (JSON counts).
    pub summary: Option<String>,
    pub reverts_plan_id: Option<i64>,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub applied_at: Option<time::OffsetDateTime>,
}

impl Plan {
    /// The operations (an unreadable list reads as empty, and then refuses to apply).
    pub fn op_list(&self) -> Vec<Op> {
        serde_json::from_str(&self.ops).unwrap_or_default()
    }

    pub fn editable(&self) -> bool {
        matches!(self.status.as_str(), "draft" | "scheduled")
    }
}

/// Everything the preview page shows.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    /// The units before the plan (the owner's subtree).
    pub before: BTreeMap<i64, PlanUnit>,
    pub types: Vec<TypeRule>,
    pub outcome: std::result::Result<Outcome, PlanError>,
    /// Officials' posts that end with their unit.
    pub posts_ended: i64,
    /// Officials' posts a revert re-appoints in the units it reopens.
    pub posts_restored: i64,
    /// Coordinating links that end with a unit (or pass to a merger's survivor).
    pub links_affected: i64,
    /// Places in emulation clusters held by units that end (a merger's survivor takes them).
    pub cluster_places_affected: i64,
    /// CĐCS by number of levels between them and their provincial federation.
    pub intermediaries_before: BTreeMap<i64, i64>,
    pub intermediaries_after: BTreeMap<i64, i64>,
}

/// One predecessor or successor of a unit.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Lineage {
    pub from_unit_id: i64,
    pub from_name: String,
    pub to_unit_id: i64,
    pub to_name: String,
    pub kind: String,
    pub on_date: Date,
    pub plan_id: Option<i64>,
}

/// A unit's id, province, active BCH posts and current term number.
type BoardRow = (i64, Option<i64>, i64, Option<i64>);
/// A row of `committee_cap`: rule set, type, province, members from/below, max BCH.
type CapRow = (String, String, Option<i64>, i64, Option<i64>, i64);
/// A unit's commune, employer ownership and employer name, for the reform generator.
type PlaceRow = (i64, Option<i64>, Option<String>, Option<String>);

#[derive(sqlx::FromRow)]
struct SnapRow {
    unit_id: i64,
    code: String,
    name: String,
    type_code: String,
    parent_id: Option<i64>,
    founded_on: Date,
    ended: bool,
    last_change: Option<Date>,
    cdcs_members: i64,
    members: i64,
}

const SNAPSHOT_SQL: &str = "SELECT u.unit_id, u.code, u.name, u.type_code, u.parent_id, u.founded_on, \
     u.ended_on IS NOT NULL AS ended, CASE WHEN u.ended_on IS NOT NULL THEN u.ended_on \
     ELSE (SELECT MAX(v.valid_from) FROM unit_version v WHERE v.unit_id = u.unit_id) END AS last_change, \
     CASE WHEN t.is_grassroots THEN COALESCE(s.n, 0) ELSE 0 END AS cdcs_members, COALESCE(s.n, 0) AS members \
     FROM unit u JOIN unit_type t ON t.type_code = u.type_code \
     LEFT JOIN unit_stat s ON s.unit_id = u.unit_id AND s.dim = 'status' AND s.key = 'member' \
     WHERE u.path >= $1 AND u.path < $2";

const RULES_SQL: &str = "SELECT rule_code, value FROM rule_value WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to > $1)";

fn snapshot_of(rows: Vec<SnapRow>, types: Vec<TypeRule>, rules: Vec<(String, i64)>) -> Snapshot {
    let rule = |code: &str| rules.iter().find(|(c, _)| c == code).map(|(_, v)| *v);
    Snapshot {
        units: rows
            .into_iter()
            .map(|r| {
                (
                    r.unit_id,
                    PlanUnit {
                        id: r.unit_id,
                        code: r.code,
                        name: r.name,
                        type_code: r.type_code,
                        parent: r.parent_id,
                        founded_on: r.founded_on,
                        ended: r.ended,
                        last_change: r.last_change.unwrap_or(r.founded_on),
                        cdcs_members: r.cdcs_members,
                        members: r.members,
                    },
                )
            })
            .collect(),
        types,
        rules: PlanRules {
            commune_min_members: rule("commune_union_min_members"),
            commune_min_cdcs: rule("commune_union_min_cdcs"),
        },
    }
}

/// A scheduled plan, the unit types, and its simulation after the plans before it.
pub type ScheduledOutcome = (Plan, Vec<TypeRule>, std::result::Result<Outcome, PlanError>);

/// Members a plan made leave, by (unit, its path, status before, sex, birth year, Party,
/// their CĐCS's sector and ownership): count.
type ExitedGroup = (
    i64,
    String,
    String,
    String,
    i32,
    bool,
    Option<String>,
    Option<String>,
    i64,
);

fn plan_rule(e: PlanError) -> StoreError {
    StoreError::Rule {
        code: e.code,
        field: "ops",
        message_vi: e.message_vi,
        message_en: e.message_en,
    }
}

/// A unit the plan creates would take a code another unit has.
fn code_taken(ops: &[Op], code: &str) -> PlanError {
    let op = ops
        .iter()
        .position(
            |o| matches!(o, Op::Create { code: c, .. } if c.trim().eq_ignore_ascii_case(code)),
        )
        .map_or(0, |i| i + 1);
    PlanError {
        op,
        code: "VL0713",
        message_vi: format!("Thao tác {op} (Thành lập): mã đơn vị «{code}» đã có."),
        message_en: format!("Operation {op}: unit code «{code}» is taken."),
    }
}

/// A finding that forbids the apply.
fn blocking_rule(f: &rs::Finding) -> StoreError {
    StoreError::Rule {
        code: "ST0803",
        field: "ops",
        message_vi: f.message_vi.clone(),
        message_en: f.message_en.clone(),
    }
}

fn status_rule() -> StoreError {
    StoreError::rule(
        "ST0801",
        "status",
        "Phương án đã áp dụng hoặc đã huỷ, không sửa được nữa.",
        "The plan was applied or cancelled and can no longer change.",
    )
}

impl Store {
    async fn type_rules(&self) -> Result<Vec<TypeRule>> {
        Ok(self
            .unit_types()
            .await?
            .into_iter()
            .map(|t| TypeRule {
                code: t.type_code,
                name_vi: t.name_vi,
                tier: t.tier,
                grassroots: t.is_grassroots,
                holds_members: t.holds_members,
                valid_from: t.valid_from,
                valid_to: t.valid_to,
            })
            .collect())
    }

    /// The owner's subtree as a plan sees it on `on`.
    async fn snapshot(&self, owner_path: &str, on: Date) -> Result<Snapshot> {
        let rows: Vec<SnapRow> = read!(self, p => sqlx::query_as(SNAPSHOT_SQL)
            .bind(owner_path).bind(range_end(owner_path)).fetch_all(p).await)?;
        let rules: Vec<(String, i64)> =
            read!(self, p => sqlx::query_as(RULES_SQL).bind(on).fetch_all(p).await)?;
        Ok(snapshot_of(rows, self.type_rules().await?, rules))
    }

    /// Plans whose owner lies in the caller's read scope, newest first.
    #[tracing::instrument(skip(self, scope))]
    pub async fn plans(&self, scope: &Scope) -> Result<Vec<Plan>> {
        Ok(read!(self, p => {
            let mut qb = sqlx::QueryBuilder::new("SELECT * FROM restructure_plan WHERE ");
            scope.push_read_filter(&mut qb, "path");
            qb.push(" ORDER BY plan_id DESC LIMIT 200");
            qb.build_query_as::<Plan>().fetch_all(p).await
        })?)
    }

    #[tracing::instrument(skip(self, scope))]
    pub async fn plan(&self, scope: &Scope, plan_id: i64) -> Result<Plan> {
        let plan: Plan = read!(self, p => sqlx::query_as("SELECT * FROM restructure_plan WHERE plan_id = $1")
            .bind(plan_id).fetch_one(p).await)?;
        scope.check_read(&plan.path)?;
        Ok(plan)
    }

    /// Starts an empty plan over a unit the caller may write.
    #[tracing::instrument(skip(self, scope, name))]
    pub async fn create_plan(
        &self,
        scope: &Scope,
        owner_unit_id: i64,
        name: &str,
        effective_date: Date,
    ) -> Result<Plan> {
        let owner = self.unit(scope, owner_unit_id).await?;
        self.insert_plan(scope, &owner, name, effective_date, &[], None, None)
            .await
    }

    /// Generates the plan that undoes an applied one, as a draft dated `on` to review,
    /// edit and apply like any other (applying it marks the original "reverted"). Built
    /// from what the apply recorded and from the members' history, over the tree as it
    /// stands now; the officials whose posts it ended are re-appointed by it.
    #[tracing::instrument(skip(self, scope))]
    pub async fn revert_plan(&self, scope: &Scope, plan_id: i64, on: Date) -> Result<Plan> {
        let plan = self.plan(scope, plan_id).await?;
        scope.check_write(&plan.path)?;
        if plan.status != "applied" {
            return Err(StoreError::rule(
                "ST0820",
                "status",
                "Chỉ hoàn tác được phương án đã áp dụng (và chưa hoàn tác).",
                "Only an applied plan (not yet reverted) can be reverted.",
            ));
        }
        if on < plan.effective_date {
            return Err(StoreError::rule(
                "ST0821",
                "effective_date",
                &format!(
                    "Ngày hoàn tác không được trước ngày hiệu lực của phương án ({}).",
                    congdoan_domain::format_vn_date(plan.effective_date)
                ),
                "The revert cannot take effect before the plan did.",
            ));
        }
        let undo: Option<String> = read!(self, p => sqlx::query_scalar("SELECT undo FROM restructure_plan WHERE plan_id = $1")
            .bind(plan_id).fetch_one(p).await)?;
        let applied: rs::Applied = undo
            .and_then(|u| serde_json::from_str(&u).ok())
            .ok_or_else(|| StoreError::rule(
                "ST0822",
                "plan",
                "Phương án này được áp dụng trước khi hệ thống ghi nhận để hoàn tác; hãy lập phương án ngược bằng tay.",
                "This plan was applied before reverts were recorded; write the reverse plan by hand.",
            ))?;
        let snap = self.snapshot(&plan.path, on).await?;
        let moved: Vec<(i64, i64, i64)> = read!(self, p => sqlx::query_as(
            "SELECT m.cdcs_id, e.unit_id, CAST(COUNT(*) AS BIGINT) FROM member_event e JOIN member m ON m.member_id = e.member_id \
             WHERE e.plan_id = $1 AND e.kind = 'transfer_out' AND m.cdcs_id = e.to_unit_id \
             AND m.status = 'member' GROUP BY m.cdcs_id, e.unit_id")
            .bind(plan_id).fetch_all(p).await)?;
        let exited: Vec<(i64, i64)> = read!(self, p => sqlx::query_as(
            "SELECT m.cdcs_id, CAST(COUNT(*) AS BIGINT) FROM member_event e JOIN member m ON m.member_id = e.member_id \
             WHERE e.plan_id = $1 AND e.kind = 'exit' AND e.from_status = 'member' AND m.status = 'exited' GROUP BY m.cdcs_id")
            .bind(plan_id).fetch_all(p).await)?;
        let moved: Vec<rs::StillMoved> = moved
            .into_iter()
            .map(|(cdcs, came_from, members)| rs::StillMoved {
                cdcs,
                came_from,
                members,
            })
            .collect();
        let ops = rs::inverse(plan_id, &plan.name, &applied, &snap, &moved, &exited);
        let owner = self.unit(scope, plan.owner_unit_id).await?;
        let name = format!("Hoàn tác: {}", plan.name);
        let note = format!(
            "Phương án ngược của «{}» (áp dụng từ {}), tạo tự động: đơn vị được khôi phục nhận lại quan hệ phối hợp và vị trí \
             trong cụm, khối thi đua; cán bộ công đoàn có chức vụ kết thúc theo phương án gốc (và còn là đoàn viên) được bổ nhiệm \
             lại vào chức vụ cũ từ ngày hoàn tác. Đoàn viên đã chuyển đi nơi khác sau phương án gốc giữ nguyên nơi hiện tại.",
            plan.name,
            congdoan_domain::format_vn_date(plan.effective_date)
        );
        self.insert_plan(scope, &owner, &name, on, &ops, Some(&note), Some(plan_id))
            .await
    }

    /// Stores a new draft plan (the one insert behind an empty plan and a generated one).
    #[allow(clippy::too_many_arguments)]
    async fn insert_plan(
        &self,
        scope: &Scope,
        owner: &crate::Unit,
        name: &str,
        effective_date: Date,
        ops: &[Op],
        note: Option<&str>,
        reverts: Option<i64>,
    ) -> Result<Plan> {
        scope.check_write(&owner.path)?;
        let name = nfc(name.trim());
        if name.chars().count() < 3 {
            return Err(StoreError::rule(
                "ST0802",
                "name",
                "Đặt tên cho phương án (ít nhất 3 ký tự).",
                "Name the plan (at least 3 characters).",
            ));
        }
        let json = serde_json::to_string(ops).map_err(|e| StoreError::Config(e.to_string()))?;
        let id: i64 = write!(self, p => {
            let mut tx = p.begin().await?;
            let ts = now();
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO restructure_plan (owner_unit_id, path, name, effective_date, status, ops, note, reverts_plan_id, \
                 created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $9) RETURNING plan_id")
                .bind(owner.unit_id).bind(&owner.path).bind(&name).bind(effective_date).bind(&json).bind(note).bind(reverts)
                .bind(scope.actor().account_id).bind(ts).fetch_one(&mut *tx).await?;
            audit!(&mut *tx, scope, "create", "plan", Some(id), &owner.path,
                format!("Lập phương án sắp xếp «{name}» ({} thao tác)", ops.len()), None, None);
            tx.commit().await?;
            id
        });
        self.plan(scope, id).await
    }

    /// Generates the 2025 reform for a provincial federation (and the federations
    /// merged into it) as a draft plan to review, edit and preview. The plan belongs
    /// to the lowest unit above all of them, which the caller must be able to write
    /// (merging provinces is the TLĐ Presidium's decision).
    #[tracing::instrument(skip(self, scope, name))]
    pub async fn reform_plan(
        &self,
        scope: &Scope,
        federation_id: i64,
        merged: &[i64],
        effective_date: Date,
        under_criteria: UnderCriteria,
        name: &str,
    ) -> Result<Plan> {
        let fed = self.unit(scope, federation_id).await?;
        let mut owner_ids = congdoan_domain::OrgPath::parse(&fed.path)?.ids();
        let mut regions = vec![fed.path.clone()];
        for &m in merged.iter().filter(|&&m| m != federation_id) {
            let u = self.unit(scope, m).await?;
            let ids = congdoan_domain::OrgPath::parse(&u.path)?.ids();
            let common = owner_ids
                .iter()
                .zip(&ids)
                .take_while(|(a, b)| a == b)
                .count();
            owner_ids.truncate(common);
            regions.push(u.path);
        }
        let owner_id = *owner_ids.last().ok_or(StoreError::NotFound)?;
        let owner = self.unit(scope, owner_id).await?;
        scope.check_write(&owner.path)?;
        let snap = self.snapshot(&owner.path, effective_date).await?;
        let mut places = BTreeMap::new();
        for path in &regions {
            let rows: Vec<PlaceRow> = read!(self, p => sqlx::query_as(
                "SELECT unit_id, commune_code, employer_ownership, employer_name FROM unit WHERE path >= $1 AND path < $2 AND ended_on IS NULL")
                .bind(path).bind(range_end(path)).fetch_all(p).await)?;
            for (id, commune, ownership, employer) in rows {
                places.insert(
                    id,
                    Place {
                        commune,
                        ownership,
                        employer,
                    },
                );
            }
        }
        let communes: Vec<(i64, String)> = fed
            .province_code
            .and_then(congdoan_domain::divisions::province)
            .map(|p| p.communes.clone())
            .unwrap_or_default();
        let draft = reform_2025(
            &snap,
            &places,
            &communes,
            &ReformRequest {
                federation: federation_id,
                merged: merged.to_vec(),
                on: effective_date,
                under_criteria,
            },
        )
        .map_err(plan_rule)?;
        // Refuse now what could never apply (e.g. a date before a unit existed).
        let out = rs::simulate(&snap, effective_date, &draft.ops).map_err(plan_rule)?;
        self.codes_free(&out, &draft.ops).await.map_err(plan_rule)?;
        let note = draft
            .notes
            .iter()
            .map(|n| n.message_vi.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        self.insert_plan(
            scope,
            &owner,
            name,
            effective_date,
            &draft.ops,
            Some(&note),
            None,
        )
        .await
    }

    /// Replaces a draft plan's name, date and operations. `expected_version` is the
    /// version the editor started from: a plan changed meanwhile answers `Conflict`.
    #[tracing::instrument(skip(self, scope, name, ops))]
    pub async fn save_plan(
        &self,
        scope: &Scope,
        plan_id: i64,
        expected_version: i64,
        name: &str,
        effective_date: Date,
        ops: &[Op],
    ) -> Result<Plan> {
        let plan = self.plan(scope, plan_id).await?;
        scope.check_write(&plan.path)?;
        if !plan.editable() {
            return Err(status_rule());
        }
        let name = nfc(name.trim());
        let json = serde_json::to_string(ops).map_err(|e| StoreError::Config(e.to_string()))?;
        write!(self, p => {
            let mut tx = p.begin().await?;
            // Saving a scheduled plan makes it a draft again: it must be applied anew.
            let n = sqlx::query("UPDATE restructure_plan SET name = $1, effective_date = $2, ops = $3, status = 'draft', \
                                 version = version + 1, updated_at = $4 WHERE plan_id = $5 AND version = $6 AND status IN ('draft','scheduled')")
                .bind(&name).bind(effective_date).bind(&json).bind(now()).bind(plan_id).bind(expected_version)
                .execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict);
            }
            audit!(&mut *tx, scope, "update", "plan", Some(plan_id), &plan.path,
                format!("Sửa phương án «{name}» ({} thao tác)", ops.len()), None, Some(serde_json::json!({"ops": ops.len()})));
            tx.commit().await?;
        });
        self.plan(scope, plan_id).await
    }

    /// What the plan would do if applied now: simulated over the stored tree, nothing written.
    #[tracing::instrument(skip(self, scope))]
    pub async fn preview_plan(&self, scope: &Scope, plan_id: i64) -> Result<Preview> {
        let plan = self.plan(scope, plan_id).await?;
        let snap = self.snapshot(&plan.path, plan.effective_date).await?;
        let mut outcome = self.simulate_checked(&plan, &snap).await;
        if let Ok(out) = &mut outcome {
            let extra = self
                .committee_findings(&snap, out, plan.effective_date)
                .await?;
            out.findings.extend(extra);
        }
        let (mut posts_ended, mut links_affected, mut cluster_places_affected) = (0, 0, 0);
        if let Ok(out) = &outcome {
            for chunk in out.ended.chunks(500) {
                let ids = chunk
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(",");
                let sql = format!(
                    "SELECT (SELECT CAST(COUNT(*) AS BIGINT) FROM position_assignment WHERE end_date IS NULL AND unit_id IN ({ids})), \
                     (SELECT CAST(COUNT(*) AS BIGINT) FROM unit_link WHERE valid_to IS NULL AND (unit_id IN ({ids}) OR coordinator_id IN ({ids}))), \
                     (SELECT CAST(COUNT(*) AS BIGINT) FROM cluster_unit WHERE unit_id IN ({ids}))"
                );
                let (a, b, c): (i64, i64, i64) = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).fetch_one(p).await)?;
                posts_ended += a;
                links_affected += b;
                cluster_places_affected += c;
            }
        }
        // A revert re-appoints the officials of the units it reopens (members still in the
        // union, or re-admitted by it).
        let mut posts_restored = 0;
        if let (Ok(out), Some(back)) = (&outcome, plan.reverts_plan_id) {
            let undo: Option<String> = read!(self, p => sqlx::query_scalar("SELECT undo FROM restructure_plan WHERE plan_id = $1")
                .bind(back).fetch_one(p).await)?;
            let undone: rs::Applied = undo
                .and_then(|u| serde_json::from_str(&u).ok())
                .unwrap_or_default();
            let reopened: std::collections::HashSet<i64> = out.reopened.iter().copied().collect();
            for chunk in undone.posts.chunks(500) {
                let list = chunk
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(",");
                let sql = format!(
                    "SELECT a.unit_id FROM position_assignment a JOIN member m ON m.member_id = a.member_id \
                     WHERE a.assignment_id IN ({list}) AND (m.status = 'member' OR (m.status = 'exited' AND EXISTS \
                     (SELECT 1 FROM member_event e WHERE e.member_id = m.member_id AND e.plan_id = $1 AND e.kind = 'exit' \
                     AND e.from_status = 'member')))"
                );
                let units: Vec<i64> = read!(self, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())).bind(back).fetch_all(p).await)?;
                posts_restored += units.iter().filter(|u| reopened.contains(u)).count() as i64;
            }
        }
        let intermediaries_before = rs::intermediaries(&snap.units, &snap.types);
        let intermediaries_after = match &outcome {
            Ok(out) => rs::intermediaries(&out.after, &snap.types),
            Err(_) => BTreeMap::new(),
        };
        Ok(Preview {
            before: snap.units,
            types: snap.types,
            outcome,
            posts_ended,
            posts_restored,
            links_affected,
            cluster_places_affected,
            intermediaries_before,
            intermediaries_after,
        })
    }

    /// Committee-size and term-numbering findings for the plan's mergers, with the caps
    /// in force on its date and the sitting committees of the units involved.
    async fn committee_findings(
        &self,
        snap: &Snapshot,
        out: &Outcome,
        on: Date,
    ) -> Result<Vec<rs::Finding>> {
        let ids: Vec<i64> = out
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Lineage {
                    from,
                    to,
                    kind: "merge",
                } => Some([*from, *to]),
                _ => None,
            })
            .flatten()
            .filter(|id| *id > 0)
            .collect();
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut boards = BTreeMap::new();
        for chunk in ids.chunks(500) {
            let list = chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let sql = format!(
                "SELECT u.unit_id, u.province_code, \
                 (SELECT CAST(COUNT(*) AS BIGINT) FROM position_assignment pa JOIN committee c ON c.committee_id = pa.committee_id \
                  WHERE c.unit_id = u.unit_id AND c.kind = 'BCH' AND pa.end_date IS NULL), \
                 (SELECT MAX(c.term_no) FROM committee c WHERE c.unit_id = u.unit_id AND c.kind = 'BCH') \
                 FROM unit u WHERE u.unit_id IN ({list})"
            );
            let rows: Vec<BoardRow> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).fetch_all(p).await)?;
            for (id, province_code, bch, term_no) in rows {
                boards.insert(
                    id,
                    rs::Board {
                        bch,
                        term_no,
                        province_code,
                    },
                );
            }
        }
        let caps: Vec<CapRow> = read!(self, p => sqlx::query_as(
            "SELECT rule_set, type_code, province_code, members_from, members_below, max_bch FROM committee_cap \
             WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to > $1)")
            .bind(on).fetch_all(p).await)?;
        let caps: Vec<rs::CapRule> = caps
            .into_iter()
            .map(
                |(rule_set, type_code, province_code, members_from, members_below, max_bch)| {
                    rs::CapRule {
                        rule_set,
                        type_code,
                        province_code,
                        members_from,
                        members_below,
                        max_bch,
                    }
                },
            )
            .collect();
        Ok(rs::committee_findings(&snap.units, out, &boards, &caps))
    }

    /// The plan played over a snapshot, with the codes it creates checked against the
    /// whole tree (the snapshot holds the owner's subtree only).
    async fn simulate_checked(
        &self,
        plan: &Plan,
        snap: &Snapshot,
    ) -> std::result::Result<Outcome, PlanError> {
        let ops = plan.op_list();
        let out = rs::simulate(snap, plan.effective_date, &ops)?;
        self.codes_free(&out, &ops).await?;
        Ok(out)
    }

    /// Codes of units the plan creates must be free in the whole tree, not only the owner's.
    async fn codes_free(&self, out: &Outcome, ops: &[Op]) -> std::result::Result<(), PlanError> {
        for step in &out.steps {
            if let Step::Create { code, .. } = step {
                let taken: Option<i64> =
                    read!(self, p => sqlx::query_scalar("SELECT unit_id FROM unit WHERE code = $1")
                    .bind(code).fetch_optional(p).await)
                    .unwrap_or(None);
                if taken.is_some() {
                    return Err(code_taken(ops, code));
                }
            }
        }
        Ok(())
    }

    /// Cancels a draft or scheduled plan.
    pub async fn cancel_plan(
        &self,
        scope: &Scope,
        plan_id: i64,
        expected_version: i64,
    ) -> Result<Plan> {
        let plan = self.plan(scope, plan_id).await?;
        scope.check_write(&plan.path)?;
        write!(self, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query("UPDATE restructure_plan SET status = 'cancelled', version = version + 1, updated_at = $1 \
                                 WHERE plan_id = $2 AND version = $3 AND status IN ('draft','scheduled')")
                .bind(now()).bind(plan_id).bind(expected_version).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(if plan.editable() { StoreError::Conflict } else { status_rule() });
            }
            audit!(&mut *tx, scope, "cancel", "plan", Some(plan_id), &plan.path, format!("Huỷ phương án «{}»", plan.name), None, None);
            tx.commit().await?;
        });
        self.plan(scope, plan_id).await
    }

    /// Applies a plan dated today or earlier, all or nothing; a plan dated later is
    /// scheduled and applied on its day by [`Store::apply_due_plans`].
    #[tracing::instrument(skip(self, scope))]
    pub async fn apply_plan(
        &self,
        scope: &Scope,
        plan_id: i64,
        expected_version: i64,
        today: Date,
    ) -> Result<Plan> {
        let plan = self.plan(scope, plan_id).await?;
        scope.check_write(&plan.path)?;
        if !plan.editable() {
            return Err(status_rule());
        }
        if plan.version != expected_version {
            return Err(StoreError::Conflict);
        }
        if plan.effective_date > today {
            // Refuse now what would fail on the day (the apply re-checks on the day).
            let snap = self.snapshot(&plan.path, plan.effective_date).await?;
            let out = self
                .simulate_checked(&plan, &snap)
                .await
                .map_err(plan_rule)?;
            if let Some(f) = out.findings.iter().find(|f| f.blocking) {
                return Err(blocking_rule(f));
            }
            write!(self, p => {
                let mut tx = p.begin().await?;
                let n = sqlx::query("UPDATE restructure_plan SET status = 'scheduled', version = version + 1, updated_at = $1 \
                                     WHERE plan_id = $2 AND version = $3 AND status = 'draft'")
                    .bind(now()).bind(plan_id).bind(expected_version).execute(&mut *tx).await?.rows_affected();
                if n == 0 {
                    return Err(StoreError::Conflict);
                }
                audit!(&mut *tx, scope, "schedule", "plan", Some(plan_id), &plan.path,
                    format!("Hẹn áp dụng phương án «{}» ngày {}", plan.name, congdoan_domain::format_vn_date(plan.effective_date)), None, None);
                tx.commit().await?;
            });
        } else {
            // Checked once, inside the apply's transaction (a plan of thousands of CĐCS
            // reads a snapshot of the whole tree).
            self.execute_plan(scope, &plan, expected_version).await?;
        }
        self.plan(scope, plan_id).await
    }

    /// Scheduled plans in the caller's read scope taking effect by `until`, in the
    /// order they apply.
    #[tracing::instrument(skip(self, scope))]
    pub async fn scheduled_plans(&self, scope: &Scope, until: Date) -> Result<Vec<Plan>> {
        Ok(read!(self, p => {
            let mut qb = sqlx::QueryBuilder::new("SELECT * FROM restructure_plan WHERE status = 'scheduled' AND effective_date <= ");
            qb.push_bind(until).push(" AND ");
            scope.push_read_filter(&mut qb, "path");
            qb.push(" ORDER BY effective_date, plan_id");
            qb.build_query_as::<Plan>().fetch_all(p).await
        })?)
    }

    /// The scheduled plans in the caller's read scope taking effect by `until`, each
    /// simulated over the tree as the earlier ones leave it (a later plan's tree shows
    /// what an earlier one created, moved or ended). For display: each plan is checked
    /// again on its day.
    #[tracing::instrument(skip(self, scope))]
    pub async fn scheduled_outcomes(
        &self,
        scope: &Scope,
        until: Date,
    ) -> Result<Vec<ScheduledOutcome>> {
        let due = self.scheduled_plans(scope, until).await?;
        let mut world: BTreeMap<i64, PlanUnit> = BTreeMap::new();
        let mut snaps = Vec::new();
        for plan in &due {
            let snap = self.snapshot(&plan.path, plan.effective_date).await?;
            for (id, u) in &snap.units {
                world.entry(*id).or_insert_with(|| u.clone());
            }
            snaps.push(snap);
        }
        let mut out = Vec::new();
        for (n, (plan, snap)) in due.into_iter().zip(snaps).enumerate() {
            let snap = Snapshot {
                units: world.clone(),
                ..snap
            };
            let outcome = self.simulate_checked(&plan, &snap).await;
            if let Ok(o) = &outcome {
                // Units this plan creates get ids no later plan's own new units use.
                let base = -1_000_000 * (n as i64 + 1);
                let renumber = |id: i64| if id < 0 { base + id } else { id };
                world = o
                    .after
                    .values()
                    .map(|u| {
                        let u = PlanUnit {
                            id: renumber(u.id),
                            parent: u.parent.map(renumber),
                            ..u.clone()
                        };
                        (u.id, u)
                    })
                    .collect();
            }
            out.push((plan, snap.types, outcome));
        }
        Ok(out)
    }

    /// Applies every scheduled plan whose day has come (the server's worker calls this).
    pub async fn apply_due_plans(&self, today: Date) -> Result<usize> {
        let scope = Scope::admin(crate::Actor::system("lịch áp dụng phương án"));
        let due = self.scheduled_plans(&scope, today).await?;
        let mut applied = 0;
        for plan in due {
            match self.execute_plan(&scope, &plan, plan.version).await {
                Ok(()) => applied += 1,
                Err(e) => {
                    tracing::warn!(plan_id = plan.plan_id, error = %e, "scheduled plan not applied")
                }
            }
        }
        Ok(applied)
    }

    /// Simulates and writes a plan in one transaction: the snapshot is read inside it, so
    /// what is written is exactly the simulation of the state it replaces.
    #[tracing::instrument(skip(self, scope, plan), fields(plan_id = plan.plan_id))]
    async fn execute_plan(&self, scope: &Scope, plan: &Plan, expected_version: i64) -> Result<()> {
        let types = self.type_rules().await?;
        let ty = |code: &str| types.iter().find(|t| t.code == code).cloned();
        let ops = plan.op_list();
        let on = plan.effective_date;
        let engine = self.engine();
        let year = match engine {
            Engine::Sqlite => "CAST(substr(birth_date, 1, 4) AS INTEGER)",
            Engine::Postgres => "CAST(EXTRACT(YEAR FROM birth_date) AS INTEGER)",
        };
        // Members of CĐCS $1 (and `more` of them), grouped by what the figures count.
        let groups_sql = |more: &str| {
            format!(
                "SELECT u.path, m.status, m.sex, {year}, m.party_member, CAST(COUNT(*) AS BIGINT) FROM member m \
                 JOIN unit u ON u.unit_id = m.unit_id WHERE m.cdcs_id = $1{more} GROUP BY u.path, m.status, m.sex, {year}, m.party_member"
            )
        };
        let actor = scope.actor().account_id;
        let summary: serde_json::Value = write!(self, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query("UPDATE restructure_plan SET status = 'applied', version = version + 1, updated_at = $1, applied_at = $1 \
                                 WHERE plan_id = $2 AND version = $3 AND status IN ('draft','scheduled')")
                .bind(now()).bind(plan.plan_id).bind(expected_version).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict);
            }
            let rows: Vec<SnapRow> = sqlx::query_as(SNAPSHOT_SQL).bind(&plan.path).bind(range_end(&plan.path))
                .fetch_all(&mut *tx).await?;
            let rules: Vec<(String, i64)> = sqlx::query_as(RULES_SQL).bind(on).fetch_all(&mut *tx).await?;
            let snap = snapshot_of(rows, types.clone(), rules);
            let out = rs::simulate(&snap, on, &ops).map_err(plan_rule)?;
            // What the preview refuses is refused here too, scheduled plans included.
            if let Some(f) = out.findings.iter().find(|f| f.blocking) {
                return Err(blocking_rule(f));
            }
            for step in &out.steps {
                if let Step::Create { code, .. } = step {
                    let taken: Option<i64> = sqlx::query_scalar("SELECT unit_id FROM unit WHERE code = $1")
                        .bind(code).fetch_optional(&mut *tx).await?;
                    if taken.is_some() {
                        return Err(plan_rule(code_taken(&ops, code)));
                    }
                }
            }
            let mut real: HashMap<i64, i64> = HashMap::new();
            let id = |real: &HashMap<i64, i64>, x: i64| if x < 0 { real[&x] } else { x };
            let mut delta = StatDelta::default();
            let mut tallies = crate::requests::PendingTallies::default();
            // Cluster places of the units the plan ends and of those taking over from
            // them, as they are before it (cluster places keep no history of their own).
            let mut places: Vec<(i64, i64)> = Vec::new();
            let touched: Vec<i64> = out.ended.iter().copied()
                .chain(out.steps.iter().filter_map(|s| match s { Step::Lineage { to, .. } => Some(*to), _ => None }))
                .filter(|id| *id >= 0).collect();
            for chunk in touched.chunks(500) {
                let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
                places.extend(sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(format!(
                    "SELECT unit_id, cluster_id FROM cluster_unit WHERE unit_id IN ({list})"))).fetch_all(&mut *tx).await?);
            }
            // Posts and committee terms the plan ends, for its inverse to re-appoint.
            let (mut ended_posts, mut ended_terms): (Vec<i64>, Vec<(i64, Option<Date>)>) = (Vec::new(), Vec::new());
            // Posts this plan re-appoints (when it reverts another).
            let mut posts_restored: i64 = 0;
            let started = std::time::Instant::now();
            let mut moves_time = std::time::Duration::ZERO;
            let mut at = 0;
            while at < out.steps.len() {
                // Consecutive moves go together, a handful of statements per batch.
                if matches!(out.steps[at], Step::SetParent { .. }) {
                    let mut batch = Vec::new();
                    while let Some(Step::SetParent { unit, parent }) = out.steps.get(at) {
                        if batch.len() == MOVE_BATCH {
                            break;
                        }
                        batch.push((id(&real, *unit), id(&real, *parent)));
                        at += 1;
                    }
                    let t = std::time::Instant::now();
                    move_units!(tx, delta, tallies, &batch, on, Some(plan.plan_id), engine);
                    moves_time += t.elapsed();
                    continue;
                }
                let step = &out.steps[at];
                at += 1;
                match step {
                    Step::Create { tmp, code, name, type_code, parent } => {
                        let parent = id(&real, *parent);
                        let (ppath, pdepth, province): (String, i64, Option<i64>) = sqlx::query_as(
                            "SELECT path, depth, province_code FROM unit WHERE unit_id = $1").bind(parent).fetch_one(&mut *tx).await?;
                        let ts = now();
                        let new_id: i64 = sqlx::query_scalar(
                            "INSERT INTO unit (code, name, search_key, type_code, parent_id, path, depth, province_code, founded_on, \
                             founding_decision, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, '', $6, $7, $8, $9, $10, $10) RETURNING unit_id")
                            .bind(code).bind(nfc(name)).bind(fold(name)).bind(type_code).bind(parent).bind(pdepth + 1)
                            .bind(province).bind(on).bind(format!("Phương án «{}»", plan.name)).bind(ts)
                            .fetch_one(&mut *tx).await?;
                        let path = format!("{ppath}{new_id}/");
                        sqlx::query("UPDATE unit SET path = $1 WHERE unit_id = $2").bind(&path).bind(new_id).execute(&mut *tx).await?;
                        sqlx::query("INSERT INTO unit_version (unit_id, valid_from, valid_to, parent_id, path, name, type_code, plan_id) \
                                     VALUES ($1, $2, NULL, $3, $4, $5, $6, $7)")
                            .bind(new_id).bind(on).bind(parent).bind(&path).bind(nfc(name)).bind(type_code).bind(plan.plan_id)
                            .execute(&mut *tx).await?;
                        let t = ty(type_code).ok_or(StoreError::NotFound)?;
                        delta.unit(&path, &UnitFacts { type_code, ended: false, grassroots: t.grassroots, head_count: None }, 1)?;
                        real.insert(*tmp, new_id);
                    }
                    Step::SetParent { .. } => unreachable!("consecutive moves are written together above"),
                    Step::Rename { unit, name } | Step::Retype { unit, type_code: name } => {
                        let unit = id(&real, *unit);
                        let (path, cur_name, cur_type): (String, String, String) = sqlx::query_as(
                            "SELECT path, name, type_code FROM unit WHERE unit_id = $1").bind(unit).fetch_one(&mut *tx).await?;
                        let (new_name, new_type) = match step {
                            Step::Rename { .. } => (nfc(name), cur_type.clone()),
                            _ => (cur_name.clone(), name.clone()),
                        };
                        if new_type != cur_type {
                            delta.add(&path, dim::UNIT_TYPE, &cur_type, -1)?;
                            delta.add(&path, dim::UNIT_TYPE, &new_type, 1)?;
                        }
                        sqlx::query("UPDATE unit SET name = $1, search_key = $2, type_code = $3, version = version + 1, updated_at = $4 WHERE unit_id = $5")
                            .bind(&new_name).bind(fold(&new_name)).bind(&new_type).bind(now()).bind(unit).execute(&mut *tx).await?;
                        sqlx::query("UPDATE unit_version SET name = $1, type_code = $2 WHERE unit_id = $3 AND valid_to IS NULL AND valid_from = $4")
                            .bind(&new_name).bind(&new_type).bind(unit).bind(on).execute(&mut *tx).await?;
                        sqlx::query("INSERT INTO unit_version (unit_id, valid_from, valid_to, parent_id, path, name, type_code, plan_id) \
                                     SELECT unit_id, $1, NULL, parent_id, path, $2, $3, $4 FROM unit_version \
                                     WHERE unit_id = $5 AND valid_to IS NULL AND valid_from < $1")
                            .bind(on).bind(&new_name).bind(&new_type).bind(plan.plan_id).bind(unit).execute(&mut *tx).await?;
                        sqlx::query("UPDATE unit_version SET valid_to = $1 WHERE unit_id = $2 AND valid_to IS NULL AND valid_from < $1")
                            .bind(on).bind(unit).execute(&mut *tx).await?;
                    }
                    Step::TransferMembers { from, to, within } => {
                        let (from, to) = (id(&real, *from), id(&real, *to));
                        let (fpath, fsector, fown): (String, Option<String>, Option<String>) = sqlx::query_as(
                            "SELECT path, sector, employer_ownership FROM unit WHERE unit_id = $1").bind(from).fetch_one(&mut *tx).await?;
                        let (tpath, tsector, town): (String, Option<String>, Option<String>) = sqlx::query_as(
                            "SELECT path, sector, employer_ownership FROM unit WHERE unit_id = $1").bind(to).fetch_one(&mut *tx).await?;
                        // All of the CĐCS's members, or (a split) those placed in one sub-unit's subtree.
                        let subtree = match within {
                            Some(w) => {
                                let p: String = sqlx::query_scalar("SELECT path FROM unit WHERE unit_id = $1")
                                    .bind(id(&real, *w)).fetch_one(&mut *tx).await?;
                                // A checked path (ids and slashes) is safe to write into the statement.
                                Some(congdoan_domain::OrgPath::parse(&p)?)
                            }
                            None => None,
                        };
                        let sub = |col: &str| subtree.as_ref().map_or(String::new(), |p| format!(
                            " AND {col} IN (SELECT unit_id FROM unit WHERE path >= '{p}' AND path < '{}')", p.range_end()));
                        let groups: Vec<(String, String, String, i32, bool, i64)> =
                            sqlx::query_as(sqlx::AssertSqlSafe(groups_sql(&sub("m.unit_id")))).bind(from).fetch_all(&mut *tx).await?;
                        for (path, status, sex, birth_year, party, n) in &groups {
                            let f = MemberFacts { status, sex, birth_year: *birth_year, party: *party,
                                sector: fsector.as_deref(), ownership: fown.as_deref() };
                            let new_path = if *path == fpath { tpath.as_str() } else { path.as_str() };
                            delta.member(path, &f, -n)?;
                            delta.member(new_path, &MemberFacts { sector: tsector.as_deref(), ownership: town.as_deref(), ..f }, *n)?;
                        }
                        sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO member_event (member_id, kind, on_date, from_status, to_status, unit_id, to_unit_id, reason, recorded_at, recorded_by, plan_id) \
                                     SELECT member_id, 'transfer_out', $1, status, status, unit_id, $2, $3, $4, $5, $7 FROM member \
                                     WHERE cdcs_id = $6 AND status IN ('member','applicant','suspended'){}", sub("unit_id"))))
                            .bind(on).bind(to).bind(format!("Sáp nhập, chia tách, sắp xếp tổ chức — phương án «{}»", plan.name)).bind(now()).bind(actor).bind(from)
                            .bind(plan.plan_id).execute(&mut *tx).await?;
                        if within.is_none() {
                            sqlx::query("UPDATE member SET unit_id = $1, version = version + 1, updated_at = $2 WHERE unit_id = $3")
                                .bind(to).bind(now()).bind(from).execute(&mut *tx).await?;
                            sqlx::query("UPDATE unit SET direct_members = direct_members + (SELECT direct_members FROM unit WHERE unit_id = $1) WHERE unit_id = $2")
                                .bind(from).bind(to).execute(&mut *tx).await?;
                            sqlx::query("UPDATE unit SET direct_members = 0 WHERE unit_id = $1").bind(from).execute(&mut *tx).await?;
                        }
                        sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE member SET cdcs_id = $1, fts_top = $2 WHERE cdcs_id = $3{}", sub("unit_id"))))
                            .bind(to).bind(crate::scope::fts_top(&tpath)?).bind(from).execute(&mut *tx).await?;
                    }
                    Step::ExitMembers { cdcs, reason } => {
                        let cdcs = id(&real, *cdcs);
                        let (sector, own): (Option<String>, Option<String>) = sqlx::query_as(
                            "SELECT sector, employer_ownership FROM unit WHERE unit_id = $1").bind(cdcs).fetch_one(&mut *tx).await?;
                        let groups: Vec<(String, String, String, i32, bool, i64)> =
                            sqlx::query_as(sqlx::AssertSqlSafe(groups_sql(""))).bind(cdcs).fetch_all(&mut *tx).await?;
                        for (path, status, sex, birth_year, party, n) in &groups {
                            if !matches!(status.as_str(), "member" | "applicant" | "suspended") {
                                continue;
                            }
                            let f = |status| MemberFacts { status, sex, birth_year: *birth_year, party: *party,
                                sector: sector.as_deref(), ownership: own.as_deref() };
                            delta.member(path, &f(status), -n)?;
                            delta.member(path, &f("exited"), *n)?;
                        }
                        sqlx::query("INSERT INTO member_event (member_id, kind, on_date, from_status, to_status, unit_id, reason, recorded_at, recorded_by, plan_id) \
                                     SELECT member_id, 'exit', $1, status, 'exited', unit_id, $2, $3, $4, $6 FROM member \
                                     WHERE cdcs_id = $5 AND status IN ('member','applicant','suspended')")
                            .bind(on).bind(reason).bind(now()).bind(actor).bind(cdcs).bind(plan.plan_id).execute(&mut *tx).await?;
                        sqlx::query("UPDATE member SET status = 'exited', status_since = $1, version = version + 1, updated_at = $2 \
                                     WHERE cdcs_id = $3 AND status IN ('member','applicant','suspended')")
                            .bind(on).bind(now()).bind(cdcs).execute(&mut *tx).await?;
                        sqlx::query("UPDATE unit SET direct_members = 0 WHERE unit_id IN (SELECT DISTINCT unit_id FROM member WHERE cdcs_id = $1)")
                            .bind(cdcs).execute(&mut *tx).await?;
                    }
                    Step::End { unit, kind, reason } => {
                        let unit = id(&real, *unit);
                        let (path, type_code, head_count): (String, String, Option<i64>) = sqlx::query_as(
                            "SELECT path, type_code, employer_head_count FROM unit WHERE unit_id = $1").bind(unit).fetch_one(&mut *tx).await?;
                        let t = ty(&type_code).ok_or(StoreError::NotFound)?;
                        delta.unit(&path, &UnitFacts { type_code: &type_code, ended: false, grassroots: t.grassroots, head_count }, -1)?;
                        sqlx::query("UPDATE unit SET ended_on = $1, end_reason = $2, version = version + 1, updated_at = $3 WHERE unit_id = $4")
                            .bind(on).bind(format!("{} — {}", kind.post_reason(), reason)).bind(now()).bind(unit).execute(&mut *tx).await?;
                        sqlx::query("UPDATE unit_version SET valid_to = $1 WHERE unit_id = $2 AND valid_to IS NULL")
                            .bind(on).bind(unit).execute(&mut *tx).await?;
                        crate::requests::end_request_targets!(tx, tallies, unit, None, on);
                        ended_posts.extend(sqlx::query_scalar::<_, i64>(
                            "SELECT assignment_id FROM position_assignment WHERE unit_id = $1 AND end_date IS NULL ORDER BY assignment_id")
                            .bind(unit).fetch_all(&mut *tx).await?);
                        ended_terms.extend(sqlx::query_as::<_, (i64, Option<Date>)>(
                            "SELECT committee_id, term_end FROM committee WHERE unit_id = $1 AND (term_end IS NULL OR term_end > $2)")
                            .bind(unit).bind(on).fetch_all(&mut *tx).await?);
                        sqlx::query("UPDATE position_assignment SET end_date = $1, end_reason = $2 WHERE unit_id = $3 AND end_date IS NULL")
                            .bind(on).bind(kind.post_reason()).bind(unit).execute(&mut *tx).await?;
                        sqlx::query("UPDATE committee SET term_end = $1 WHERE unit_id = $2 AND (term_end IS NULL OR term_end > $1)")
                            .bind(on).bind(unit).execute(&mut *tx).await?;
                        // A merged or split unit's links and cluster places pass on with its lineage.
                        if !matches!(kind, EndKind::Merged | EndKind::Split) {
                            sqlx::query("DELETE FROM cluster_unit WHERE unit_id = $1").bind(unit).execute(&mut *tx).await?;
                            sqlx::query("UPDATE unit_link SET valid_to = $1 WHERE (unit_id = $2 OR coordinator_id = $2) AND valid_to IS NULL")
                                .bind(on).bind(unit).execute(&mut *tx).await?;
                        }
                    }
                    Step::Lineage { from, to, kind } => {
                        let (from, to) = (id(&real, *from), id(&real, *to));
                        // Open obligations of the unit pass to its survivor.
                        crate::requests::end_request_targets!(tx, tallies, from, Some(to), on);
                        sqlx::query("INSERT INTO unit_lineage (from_unit_id, to_unit_id, kind, on_date, plan_id) VALUES ($1, $2, $3, $4, $5)")
                            .bind(from).bind(to).bind(*kind).bind(on).bind(plan.plan_id).execute(&mut *tx).await?;
                        // The merged unit's coordinating links pass to the survivor.
                        sqlx::query("INSERT INTO unit_link (unit_id, coordinator_id, kind, valid_from, note) \
                                     SELECT CASE WHEN unit_id = $1 THEN $2 ELSE unit_id END, CASE WHEN coordinator_id = $1 THEN $2 ELSE coordinator_id END, \
                                     kind, $3, note FROM unit_link WHERE (unit_id = $1 OR coordinator_id = $1) AND valid_to IS NULL")
                            .bind(from).bind(to).bind(on).execute(&mut *tx).await?;
                        sqlx::query("UPDATE unit_link SET valid_to = $1 WHERE (unit_id = $2 OR coordinator_id = $2) AND valid_to IS NULL")
                            .bind(on).bind(from).execute(&mut *tx).await?;
                        // … and so do its places in emulation clusters.
                        sqlx::query("INSERT INTO cluster_unit (cluster_id, unit_id) SELECT cluster_id, $1 FROM cluster_unit WHERE unit_id = $2 \
                                     ON CONFLICT DO NOTHING").bind(to).bind(from).execute(&mut *tx).await?;
                        sqlx::query("DELETE FROM cluster_unit WHERE unit_id = $1").bind(from).execute(&mut *tx).await?;
                    }
                    Step::Reopen { unit } => {
                        let unit = id(&real, *unit);
                        let (path, parent, name, type_code, head_count): (String, Option<i64>, String, String, Option<i64>) = sqlx::query_as(
                            "SELECT path, parent_id, name, type_code, employer_head_count FROM unit WHERE unit_id = $1")
                            .bind(unit).fetch_one(&mut *tx).await?;
                        let t = ty(&type_code).ok_or(StoreError::NotFound)?;
                        delta.unit(&path, &UnitFacts { type_code: &type_code, ended: false, grassroots: t.grassroots, head_count }, 1)?;
                        sqlx::query("UPDATE unit SET ended_on = NULL, end_reason = NULL, version = version + 1, updated_at = $1 WHERE unit_id = $2")
                            .bind(now()).bind(unit).execute(&mut *tx).await?;
                        sqlx::query("INSERT INTO unit_version (unit_id, valid_from, valid_to, parent_id, path, name, type_code, plan_id) \
                                     VALUES ($1, $2, NULL, $3, $4, $5, $6, $7)")
                            .bind(unit).bind(on).bind(parent).bind(&path).bind(&name).bind(&type_code).bind(plan.plan_id)
                            .execute(&mut *tx).await?;
                    }
                    Step::ReturnMembers { plan_id: back } => {
                        // Transferred members still in the CĐCS the plan put them in go back to
                        // the unit they came from, in that unit's CĐCS as the tree is now.
                        let pairs: Vec<(i64, i64)> = sqlx::query_as(
                            "SELECT DISTINCT unit_id, to_unit_id FROM member_event WHERE plan_id = $1 AND kind = 'transfer_out' AND to_unit_id IS NOT NULL")
                            .bind(*back).fetch_all(&mut *tx).await?;
                        let reason = format!("Hoàn tác phương án — {}", plan.name);
                        for (came_from, put_in) in pairs {
                            let (fsector, fown): (Option<String>, Option<String>) = sqlx::query_as(
                                "SELECT sector, employer_ownership FROM unit WHERE unit_id = $1").bind(put_in).fetch_one(&mut *tx).await?;
                            let back_path: String = sqlx::query_scalar("SELECT path FROM unit WHERE unit_id = $1")
                                .bind(came_from).fetch_one(&mut *tx).await?;
                            let ids = congdoan_domain::OrgPath::parse(&back_path)?.ids();
                            let mut cdcs = None;
                            for uid in ids.iter().rev() {
                                let t: String = sqlx::query_scalar("SELECT type_code FROM unit WHERE unit_id = $1").bind(*uid).fetch_one(&mut *tx).await?;
                                if ty(&t).is_some_and(|t| t.grassroots) {
                                    cdcs = Some(*uid);
                                    break;
                                }
                            }
                            let Some(cdcs) = cdcs.filter(|c| *c != put_in) else { continue };
                            let (cpath, csector, cown): (String, Option<String>, Option<String>) = sqlx::query_as(
                                "SELECT path, sector, employer_ownership FROM unit WHERE unit_id = $1").bind(cdcs).fetch_one(&mut *tx).await?;
                            let which = "m.cdcs_id = $2 AND m.status IN ('member','applicant','suspended') AND m.member_id IN \
                                         (SELECT e.member_id FROM member_event e WHERE e.plan_id = $1 AND e.kind = 'transfer_out' AND e.unit_id = $3 AND e.to_unit_id = $2)";
                            let groups: Vec<(i64, String, String, String, i32, bool, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                                "SELECT m.unit_id, u.path, m.status, m.sex, {year}, m.party_member, CAST(COUNT(*) AS BIGINT) FROM member m \
                                 JOIN unit u ON u.unit_id = m.unit_id WHERE {which} GROUP BY m.unit_id, u.path, m.status, m.sex, {year}, m.party_member")))
                                .bind(*back).bind(put_in).bind(came_from).fetch_all(&mut *tx).await?;
                            let mut direct = 0;
                            for (at, path, status, sex, birth_year, party, n) in &groups {
                                let f = MemberFacts { status, sex, birth_year: *birth_year, party: *party,
                                    sector: fsector.as_deref(), ownership: fown.as_deref() };
                                // Those placed directly in the CĐCS go back to the unit itself.
                                let new_path = if *at == put_in { back_path.as_str() } else { path.as_str() };
                                if *at == put_in && status == "member" {
                                    direct += n;
                                }
                                delta.member(path, &f, -n)?;
                                delta.member(new_path, &MemberFacts { sector: csector.as_deref(), ownership: cown.as_deref(), ..f }, *n)?;
                            }
                            sqlx::query(sqlx::AssertSqlSafe(format!(
                                "INSERT INTO member_event (member_id, kind, on_date, from_status, to_status, unit_id, to_unit_id, reason, recorded_at, recorded_by, plan_id) \
                                 SELECT m.member_id, 'transfer_out', $4, m.status, m.status, m.unit_id, $9, $5, $6, $7, $8 FROM member m WHERE {which}")))
                                .bind(*back).bind(put_in).bind(came_from).bind(on).bind(&reason).bind(now()).bind(actor).bind(plan.plan_id).bind(cdcs)
                                .execute(&mut *tx).await?;
                            sqlx::query(sqlx::AssertSqlSafe(format!(
                                "UPDATE member SET unit_id = CASE WHEN unit_id = $2 THEN $3 ELSE unit_id END, cdcs_id = $4, fts_top = $5, \
                                 version = version + 1, updated_at = $6 WHERE member_id IN (SELECT m.member_id FROM member m WHERE {which})")))
                                .bind(*back).bind(put_in).bind(came_from).bind(cdcs).bind(crate::scope::fts_top(&cpath)?).bind(now())
                                .execute(&mut *tx).await?;
                            sqlx::query("UPDATE unit SET direct_members = direct_members + $1 WHERE unit_id = $2").bind(direct).bind(came_from).execute(&mut *tx).await?;
                            sqlx::query("UPDATE unit SET direct_members = direct_members - $1 WHERE unit_id = $2").bind(direct).bind(put_in).execute(&mut *tx).await?;
                        }
                        // Members the plan made leave, still out, come back with the status they had.
                        let exited = "m.status = 'exited' AND e.plan_id = $1 AND e.kind = 'exit'";
                        let groups: Vec<ExitedGroup> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                            "SELECT m.unit_id, u.path, e.from_status, m.sex, {year}, m.party_member, c.sector, c.employer_ownership, CAST(COUNT(*) AS BIGINT) \
                             FROM member m JOIN member_event e ON e.member_id = m.member_id JOIN unit u ON u.unit_id = m.unit_id \
                             JOIN unit c ON c.unit_id = m.cdcs_id WHERE {exited} \
                             GROUP BY m.unit_id, u.path, e.from_status, m.sex, {year}, m.party_member, c.sector, c.employer_ownership")))
                            .bind(*back).fetch_all(&mut *tx).await?;
                        let mut direct: HashMap<i64, i64> = HashMap::new();
                        for (at, path, status, sex, birth_year, party, sector, own, n) in &groups {
                            let f = |status| MemberFacts { status, sex, birth_year: *birth_year, party: *party,
                                sector: sector.as_deref(), ownership: own.as_deref() };
                            delta.member(path, &f("exited"), -n)?;
                            delta.member(path, &f(status), *n)?;
                            if status == "member" {
                                *direct.entry(*at).or_default() += n;
                            }
                        }
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "INSERT INTO member_event (member_id, kind, on_date, from_status, to_status, unit_id, reason, recorded_at, recorded_by, plan_id) \
                             SELECT m.member_id, 'readmit', $2, 'exited', e.from_status, m.unit_id, $3, $4, $5, $6 \
                             FROM member m JOIN member_event e ON e.member_id = m.member_id WHERE {exited}")))
                            .bind(*back).bind(on).bind(&reason).bind(now()).bind(actor).bind(plan.plan_id).execute(&mut *tx).await?;
                        sqlx::query("UPDATE member SET status = (SELECT e.from_status FROM member_event e WHERE e.member_id = member.member_id \
                                     AND e.plan_id = $1 AND e.kind = 'exit'), status_since = $2, version = version + 1, updated_at = $3 \
                                     WHERE status = 'exited' AND member_id IN (SELECT member_id FROM member_event WHERE plan_id = $1 AND kind = 'exit')")
                            .bind(*back).bind(on).bind(now()).execute(&mut *tx).await?;
                        for (unit, n) in direct {
                            sqlx::query("UPDATE unit SET direct_members = direct_members + $1 WHERE unit_id = $2").bind(n).bind(unit).execute(&mut *tx).await?;
                        }
                        // Units the plan ended and that are open again get back the links
                        // it closed and their cluster places; the units that took them over
                        // give up what they received.
                        let (undo, was_on): (Option<String>, Date) = sqlx::query_as(
                            "SELECT undo, effective_date FROM restructure_plan WHERE plan_id = $1").bind(*back).fetch_one(&mut *tx).await?;
                        let undone: rs::Applied = undo.and_then(|u| serde_json::from_str(&u).ok()).unwrap_or_default();
                        let lineage: Vec<(i64, i64)> = sqlx::query_as(
                            "SELECT from_unit_id, to_unit_id FROM unit_lineage WHERE plan_id = $1").bind(*back).fetch_all(&mut *tx).await?;
                        for &u in &undone.ended {
                            let open: bool = sqlx::query_scalar("SELECT ended_on IS NULL FROM unit WHERE unit_id = $1")
                                .bind(u).fetch_one(&mut *tx).await?;
                            if !open {
                                continue;
                            }
                            for to in lineage.iter().filter(|(f, _)| *f == u).map(|(_, t)| *t) {
                                sqlx::query("UPDATE unit_link SET valid_to = $1 WHERE valid_to IS NULL AND valid_from = $2 \
                                             AND (unit_id = $4 OR coordinator_id = $4) AND EXISTS (SELECT 1 FROM unit_link o \
                                             WHERE o.valid_to = $2 AND (o.unit_id = $3 OR o.coordinator_id = $3) AND o.kind = unit_link.kind \
                                             AND (CASE WHEN o.unit_id = $3 THEN $4 ELSE o.unit_id END) = unit_link.unit_id \
                                             AND (CASE WHEN o.coordinator_id = $3 THEN $4 ELSE o.coordinator_id END) = unit_link.coordinator_id)")
                                    .bind(on).bind(was_on).bind(u).bind(to).execute(&mut *tx).await?;
                                let had: Vec<i64> = undone.clusters.iter().filter(|(x, _)| *x == to).map(|(_, c)| *c).collect();
                                for (_, c) in undone.clusters.iter().filter(|(x, c)| *x == u && !had.contains(c)) {
                                    sqlx::query("DELETE FROM cluster_unit WHERE unit_id = $1 AND cluster_id = $2")
                                        .bind(to).bind(*c).execute(&mut *tx).await?;
                                }
                            }
                            sqlx::query("INSERT INTO unit_link (unit_id, coordinator_id, kind, valid_from, note) \
                                         SELECT unit_id, coordinator_id, kind, $1, note FROM unit_link \
                                         WHERE valid_to = $2 AND (unit_id = $3 OR coordinator_id = $3) AND NOT EXISTS \
                                         (SELECT 1 FROM unit x WHERE x.unit_id IN (unit_link.unit_id, unit_link.coordinator_id) AND x.ended_on IS NOT NULL)")
                                .bind(on).bind(was_on).bind(u).execute(&mut *tx).await?;
                            for (_, c) in undone.clusters.iter().filter(|(x, _)| *x == u) {
                                sqlx::query("INSERT INTO cluster_unit (cluster_id, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                                    .bind(*c).bind(u).execute(&mut *tx).await?;
                            }
                            // Its committees' terms as they were, and its officials back in
                            // their posts from the revert's date (members still in the union).
                            for (c, term_end) in &undone.terms {
                                sqlx::query("UPDATE committee SET term_end = $1 WHERE committee_id = $2 AND unit_id = $3 AND term_end = $4")
                                    .bind(*term_end).bind(*c).bind(u).bind(was_on).execute(&mut *tx).await?;
                            }
                            for chunk in undone.posts.chunks(500) {
                                let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
                                posts_restored += sqlx::query(sqlx::AssertSqlSafe(format!(
                                    "INSERT INTO position_assignment (committee_id, unit_id, member_id, full_name, position_code, start_date, \
                                     full_time, elected, created_at) SELECT a.committee_id, a.unit_id, a.member_id, a.full_name, a.position_code, \
                                     $1, a.full_time, a.elected, $2 FROM position_assignment a JOIN member m ON m.member_id = a.member_id \
                                     WHERE a.assignment_id IN ({list}) AND a.unit_id = $3 AND m.status = 'member' AND NOT EXISTS \
                                     (SELECT 1 FROM position_assignment o WHERE o.committee_id = a.committee_id AND o.member_id = a.member_id \
                                     AND o.position_code = a.position_code AND o.end_date IS NULL)")))
                                    .bind(on).bind(now()).bind(u).execute(&mut *tx).await?.rows_affected() as i64;
                            }
                        }
                    }
                }
            }
            let steps_time = started.elapsed();
            apply_stats!(tx, delta);
            crate::requests::apply_tallies!(tx, tallies.delta);
            let stats_time = started.elapsed() - steps_time;
            tracing::info!(steps_ms = steps_time.as_millis() as u64, moves_ms = moves_time.as_millis() as u64,
                stats_ms = stats_time.as_millis() as u64, "plan written");
            // What the plan did to units, for its inverse; and the plan it reverts, if any.
            let posts_ended = ended_posts.len();
            let undo = rs::Applied { clusters: places, posts: ended_posts, terms: ended_terms,
                ..rs::Applied::of(&out, &snap, |x| id(&real, x)) };
            sqlx::query("UPDATE restructure_plan SET undo = $1 WHERE plan_id = $2")
                .bind(serde_json::to_string(&undo).map_err(|e| StoreError::Config(e.to_string()))?).bind(plan.plan_id)
                .execute(&mut *tx).await?;
            if let Some(reverted) = plan.reverts_plan_id {
                sqlx::query("UPDATE restructure_plan SET status = 'reverted', version = version + 1, updated_at = $1 \
                             WHERE plan_id = $2 AND status = 'applied'")
                    .bind(now()).bind(reverted).execute(&mut *tx).await?;
            }
            let summary = serde_json::json!({
                "created": out.created.len(), "moved": out.moved.len(), "renamed": out.renamed.len(),
                "retyped": out.retyped.len(), "ended": out.ended.len(),
                "members_transferred": out.members_transferred, "members_exited": out.members_exited,
                "reopened": out.reopened.len(), "members_readmitted": out.members_readmitted,
                "posts_ended": posts_ended, "posts_restored": posts_restored,
            });
            sqlx::query("UPDATE restructure_plan SET summary = $1 WHERE plan_id = $2")
                .bind(summary.to_string()).bind(plan.plan_id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "apply", "plan", Some(plan.plan_id), &plan.path,
                format!("Áp dụng phương án «{}» từ {}", plan.name, congdoan_domain::format_vn_date(on)), None, Some(summary.clone()));
            tx.commit().await?;
            summary
        });
        tracing::info!(%summary, "plan applied");
        Ok(())
    }

    /// A unit's predecessors and successors.
    pub async fn lineage(&self, scope: &Scope, unit_id: i64) -> Result<Vec<Lineage>> {
        self.unit(scope, unit_id).await?;
        Ok(read!(self, p => sqlx::query_as(
            "SELECT l.from_unit_id, f.name AS from_name, l.to_unit_id, t.name AS to_name, l.kind, l.on_date, l.plan_id \
             FROM unit_lineage l JOIN unit f ON f.unit_id = l.from_unit_id JOIN unit t ON t.unit_id = l.to_unit_id \
             WHERE l.from_unit_id = $1 OR l.to_unit_id = $1 ORDER BY l.on_date, l.lineage_id")
            .bind(unit_id).fetch_all(p).await)?)
    }
}

impl Store {
    /// Up to `limit` grassroots unions in a subtree, by id (benchmarks and samples).
    pub async fn grassroots_ids(
        &self,
        scope: &Scope,
        within: &str,
        limit: i64,
    ) -> Result<Vec<i64>> {
        scope.check_read(within)?;
        Ok(read!(self, p => sqlx::query_scalar(
            "SELECT u.unit_id FROM unit u JOIN unit_type t ON t.type_code = u.type_code \
             WHERE t.is_grassroots AND u.ended_on IS NULL AND u.path >= $1 AND u.path < $2 ORDER BY u.unit_id LIMIT $3")
            .bind(within).bind(range_end(within)).bind(limit).fetch_all(p).await)?)
    }
}

impl Store {
    /// For a grassroots union, the levels between it and its province-level federation,
    /// central sector or corporation union (tier 2); None for other units. Seed 000's
    /// measure: fewer intermediaries, faster directives.
    pub async fn intermediary_levels(&self, scope: &Scope, unit_id: i64) -> Result<Option<i64>> {
        let u = self.unit(scope, unit_id).await?;
        let ids = congdoan_domain::OrgPath::parse(&u.path)?.ids();
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let rows: Vec<(i64, i64, bool)> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT u.unit_id, t.tier, t.is_grassroots FROM unit u JOIN unit_type t ON t.type_code = u.type_code WHERE u.unit_id IN ({list})")))
            .fetch_all(p).await)?;
        let info = |id: i64| rows.iter().find(|r| r.0 == id).map(|r| (r.1, r.2));
        if !info(unit_id).is_some_and(|(_, g)| g) {
            return Ok(None);
        }
        let mut levels = 0;
        for id in ids.iter().rev().skip(1) {
            match info(*id) {
                Some((tier, _)) if tier <= 2 => return Ok(Some(levels)),
                Some(_) => levels += 1,
                None => return Ok(None),
            }
        }
        Ok(None)
    }
}
