//! Emulation scoring (issue 15): criteria sets (JSON of
//! `congdoan_domain::emulation::CriteriaSet`, versioned like report forms) and
//! self-assessments. A self-assessment is a request of kind `assessment` sent with
//! `send_request` to a cluster or the CĐCS under a unit; the unit's scores go through
//! `request_step` (draft, submit: history in `request_event`, evidence in
//! `request_file`), the upper level's appraisal is kept per item beside them, and
//! approving the target publishes the result (then locked: a change only through a
//! reopening with its reason, audited). Totals and classes are kept in
//! `assessment_result` for the ranking, recomputed from the items on every save.

use crate::audit::audit;
use crate::requests::{NewFile, NewRequest, StepInput, Target, from_domain};
use crate::scope::range_end;
use crate::{Request, Result, Scope, Store, StoreError, now, read, write};
use congdoan_domain::emulation::{
    self as em, Checked, CriteriaError, CriteriaSet, Diff, Outcome, Pts, RankEntry, Scores,
    Target as ClassTarget, TargetResult,
};
use congdoan_domain::request::{self as rq, Action, RequestKind, TargetSpec, TargetState};
use congdoan_domain::text::{fold, nfc};
use serde::Serialize;
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};

/// A criteria set with its current version.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct CriteriaSetRow {
    pub set_id: i64,
    pub owner_unit_id: i64,
    pub owner_name: String,
    #[serde(skip)]
    pub owner_path: String,
    pub code: String,
    pub title: String,
    pub year: i64,
    pub current_version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

const SET_SELECT: &str = "SELECT s.set_id, s.owner_unit_id, u.name AS owner_name, u.path AS owner_path, s.code, s.title, \
     s.year, s.current_version, s.created_at FROM criteria_set s JOIN unit u ON u.unit_id = s.owner_unit_id ";

/// A self-assessment to send.
#[derive(Debug, Clone)]
pub struct NewAssessment {
    pub issuer_unit_id: i64,
    pub set_id: i64,
    /// "Chấm điểm CĐCS năm 2025"; from the set's title when None.
    pub title: Option<String>,
    pub issued_on: Date,
    pub due_on: Date,
    /// A cluster, or the CĐCS under a unit (`TargetSpec::Subtree` with types).
    pub targets: TargetSpec,
}

/// What saving scores gave: the target, or the problems (nothing written).
#[derive(Debug, Clone)]
pub struct ScoreSave {
    pub target: Option<Target>,
    pub issues: Vec<CriteriaError>,
}

/// Stored totals of one unit (tenths of a point).
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ResultRow {
    pub unit_id: i64,
    pub self_total: Option<i64>,
    pub self_class: Option<String>,
    pub appraised_total: Option<i64>,
    pub appraised_group1: Option<i64>,
    pub appraised_class: Option<String>,
    #[serde(skip)]
    pub self_vetoes: Option<String>,
    #[serde(skip)]
    pub appraised_vetoes: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub appraised_at: Option<OffsetDateTime>,
    pub appraised_by: Option<String>,
}

/// Everything the scoring and appraisal pages show for one unit.
#[derive(Debug, Clone)]
pub struct AssessmentSheet {
    pub request: Request,
    pub set: CriteriaSetRow,
    pub set_version: i64,
    pub criteria: Checked,
    pub target: Target,
    pub own: Scores,
    /// None until the upper level saved an appraisal.
    pub appraised: Option<Scores>,
    /// Appraiser's note per item.
    pub notes: BTreeMap<String, String>,
    pub own_outcome: Outcome,
    pub appraised_outcome: Option<Outcome>,
    pub diff: Diff,
    pub files: Vec<crate::RequestFile>,
    /// The caller may enter the appraisal (writes the reviewing unit).
    pub can_appraise: bool,
    /// The caller may enter the unit's own scores.
    pub can_score: bool,
}

impl AssessmentSheet {
    pub fn state(&self) -> TargetState {
        self.target.state()
    }
    /// Published: approved by the upper level, locked.
    pub fn published(&self) -> bool {
        self.state() == TargetState::Approved
    }
}

/// One row of a ranking.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RankRow {
    pub rank: u32,
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    /// Tenths of a point.
    pub appraised_total: i64,
    pub self_total: Option<i64>,
    pub class: String,
    pub class_name: String,
    pub women_permille: Option<u32>,
}

/// A unit whose result is not published yet.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PendingRow {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    pub state: String,
}

/// The ranking of an assessment's published results, with the class distribution and
/// the target.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ranking {
    pub request_id: i64,
    pub set_id: i64,
    pub set_title: String,
    pub rows: Vec<RankRow>,
    pub pending: Vec<PendingRow>,
    /// (class code, name, units), highest class first.
    pub counts: Vec<(String, String, u64)>,
    pub target_class: String,
    pub target_class_name: String,
    pub target_permille: u32,
    pub reached: u64,
    pub share_permille: u32,
    pub met: bool,
}

fn rule(code: &'static str, field: &'static str, vi: &str, en: &str) -> StoreError {
    StoreError::rule(code, field, vi, en)
}

/// A refused criteria set: every problem in one message, the first one's code.
fn set_error(errs: Vec<CriteriaError>) -> StoreError {
    let code = errs.first().map(|e| e.code).unwrap_or("ST2201");
    StoreError::Rule {
        code,
        field: "definition",
        message_vi: errs
            .iter()
            .map(|e| e.vi.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        message_en: errs
            .iter()
            .map(|e| e.en.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Config(e.to_string()))
}

/// The unit's own scores as stored in its target (drafts and submissions alike).
pub fn stored_scores(values: Option<&str>) -> Scores {
    values
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or_default()
}

fn vetoes_json(o: &Outcome) -> Option<String> {
    (!o.vetoed_by.is_empty()).then(|| serde_json::to_string(&o.vetoed_by).unwrap_or_default())
}

impl Store {
    /// Records a new criteria set (version 1) owned by a unit.
    #[tracing::instrument(skip(self, scope, def), fields(code = %def.code))]
    pub async fn create_criteria_set(
        &self,
        scope: &Scope,
        owner_unit_id: i64,
        def: CriteriaSet,
    ) -> Result<CriteriaSetRow> {
        let owner = self.unit(scope, owner_unit_id).await?;
        scope.check_write(&owner.path)?;
        let checked = em::check(def).map_err(set_error)?;
        let def = checked.def();
        let body = json(def)?;
        let id: i64 = write!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO criteria_set (owner_unit_id, code, title, search_key, year, current_version, created_at) \
                 VALUES ($1, $2, $3, $4, $5, 1, $6) RETURNING set_id")
                .bind(owner_unit_id).bind(&def.code).bind(&def.title).bind(fold(&def.title)).bind(i64::from(def.year)).bind(now())
                .fetch_one(&mut *tx).await.map_err(|e| match StoreError::from(e) {
                    StoreError::Duplicate { .. } => rule("ST2202", "code", &format!("Đơn vị đã có bộ tiêu chí mã «{}».", def.code),
                        &format!("The unit already has a criteria set coded «{}».", def.code)),
                    other => other,
                })?;
            sqlx::query("INSERT INTO criteria_set_version (set_id, version, definition, created_at, created_by) VALUES ($1, 1, $2, $3, $4)")
                .bind(id).bind(&body).bind(now()).bind(scope.actor().account_id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "create", "criteria_set", Some(id), &owner.path,
                format!("Tạo bộ tiêu chí thi đua «{}» ({})", def.title, def.code), None, None);
            tx.commit().await?;
            id
        });
        Ok(self.criteria_set(scope, id).await?.0)
    }

    /// A new version of a criteria set; assessments already sent keep theirs.
    #[tracing::instrument(skip(self, scope, def))]
    pub async fn new_criteria_version(
        &self,
        scope: &Scope,
        set_id: i64,
        expected_version: i64,
        def: CriteriaSet,
    ) -> Result<CriteriaSetRow> {
        let (s, _) = self.criteria_set(scope, set_id).await?;
        scope.check_write(&s.owner_path)?;
        let checked = em::check(def).map_err(set_error)?;
        let def = checked.def();
        if def.code != s.code {
            return Err(rule(
                "ST2203",
                "code",
                "Phiên bản mới phải giữ nguyên mã bộ tiêu chí.",
                "A new version keeps the set's code.",
            ));
        }
        let body = json(def)?;
        write!(self, p => {
            let mut tx = p.begin().await?;
            let changed = sqlx::query("UPDATE criteria_set SET current_version = current_version + 1, title = $1, search_key = $2, year = $3 \
                 WHERE set_id = $4 AND current_version = $5")
                .bind(&def.title).bind(fold(&def.title)).bind(i64::from(def.year)).bind(set_id).bind(expected_version)
                .execute(&mut *tx).await?.rows_affected();
            if changed != 1 {
                return Err(StoreError::Conflict);
            }
            sqlx::query("INSERT INTO criteria_set_version (set_id, version, definition, created_at, created_by) VALUES ($1, $2, $3, $4, $5)")
                .bind(set_id).bind(expected_version + 1).bind(&body).bind(now()).bind(scope.actor().account_id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "update", "criteria_set", Some(set_id), &s.owner_path,
                format!("Phiên bản {} của bộ tiêu chí «{}»", expected_version + 1, def.title), None, None);
            tx.commit().await?;
        });
        Ok(self.criteria_set(scope, set_id).await?.0)
    }

    /// A criteria set and its current version, if the caller reads its owner or a unit
    /// below it (sets of upper levels are used below).
    pub async fn criteria_set(
        &self,
        scope: &Scope,
        set_id: i64,
    ) -> Result<(CriteriaSetRow, Checked)> {
        let s: CriteriaSetRow = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{SET_SELECT} WHERE s.set_id = $1")))
            .bind(set_id).fetch_one(p).await)?;
        if !scope.can_read_or_is_above(&s.owner_path) {
            return Err(StoreError::NotFound);
        }
        let c = self.criteria_set_version(set_id, s.current_version).await?;
        Ok((s, c))
    }

    /// One version of a set, checked.
    pub async fn criteria_set_version(&self, set_id: i64, version: i64) -> Result<Checked> {
        let body: String = read!(self, p => sqlx::query_scalar("SELECT definition FROM criteria_set_version WHERE set_id = $1 AND version = $2")
            .bind(set_id).bind(version).fetch_one(p).await)?;
        let def: CriteriaSet = serde_json::from_str(&body)
            .map_err(|e| StoreError::Config(format!("criteria set {set_id} v{version}: {e}")))?;
        em::check(def).map_err(set_error)
    }

    /// Sets a unit may use: its own and those of the units above it, newest year first.
    pub async fn criteria_sets(&self, scope: &Scope, unit_id: i64) -> Result<Vec<CriteriaSetRow>> {
        let unit = self.unit(scope, unit_id).await?;
        let list = crate::requests::path_ids(&unit.path)
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        Ok(read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SET_SELECT} WHERE s.owner_unit_id IN ({list}) ORDER BY s.year DESC, u.path, s.title LIMIT 200"))).fetch_all(p).await)?)
    }

    /// Sends a self-assessment against a set's current version.
    #[tracing::instrument(skip(self, scope, input), fields(set = input.set_id))]
    pub async fn send_assessment(&self, scope: &Scope, input: NewAssessment) -> Result<Request> {
        let issuer = self.unit(scope, input.issuer_unit_id).await?;
        scope.check_write(&issuer.path)?;
        let (s, c) = self.criteria_set(scope, input.set_id).await?;
        if input.due_on < input.issued_on {
            return Err(rule(
                "ST1910",
                "due_on",
                "Hạn nộp phải sau ngày gửi yêu cầu.",
                "The due date must follow the day it is sent.",
            ));
        }
        let title = input
            .title
            .map(|t| nfc(t.trim()))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| c.def().title.clone());
        let year = c.def().year;
        let period = match (
            Date::from_calendar_date(year, time::Month::January, 1),
            Date::from_calendar_date(year, time::Month::December, 31),
        ) {
            (Ok(a), Ok(b)) => Some((year.to_string(), a, b)),
            _ => None,
        };
        let id = self
            .send_request(
                scope,
                NewRequest {
                    kind: RequestKind::Assessment,
                    issuer,
                    doc: None,
                    title,
                    body: Some(format!("Bộ tiêu chí: {} ({})", s.title, s.code)),
                    form: None,
                    period,
                    issued_on: input.issued_on,
                    due_on: input.due_on,
                    targets: input.targets,
                    files: Vec::new(),
                },
            )
            .await?;
        write!(self, p => sqlx::query("INSERT INTO assessment (request_id, set_id, set_version) VALUES ($1, $2, $3)")
            .bind(id).bind(s.set_id).bind(s.current_version).execute(p).await.map(|_| ()))?;
        Ok(self.request(scope, id).await?.request)
    }

    /// The set (and version) an assessment request scores against.
    pub async fn assessment_set(&self, request_id: i64) -> Result<(i64, i64, Checked)> {
        let (set_id, version): (i64, i64) = read!(self, p => sqlx::query_as("SELECT set_id, set_version FROM assessment WHERE request_id = $1")
            .bind(request_id).fetch_one(p).await)?;
        Ok((
            set_id,
            version,
            self.criteria_set_version(set_id, version).await?,
        ))
    }

    async fn result_row(&self, request_id: i64, unit_id: i64) -> Result<Option<ResultRow>> {
        Ok(
            read!(self, p => sqlx::query_as("SELECT unit_id, self_total, self_class, appraised_total, appraised_group1, appraised_class, \
             self_vetoes, appraised_vetoes, appraised_at, appraised_by FROM assessment_result WHERE request_id = $1 AND unit_id = $2")
            .bind(request_id).bind(unit_id).fetch_optional(p).await)?,
        )
    }

    /// The scoring sheet of one unit: its points, the appraisal, the difference.
    #[tracing::instrument(skip(self, scope))]
    pub async fn assessment_sheet(
        &self,
        scope: &Scope,
        request_id: i64,
        unit_id: i64,
    ) -> Result<AssessmentSheet> {
        let detail = self.request(scope, request_id).await?;
        if detail.request.kind() != RequestKind::Assessment {
            return Err(StoreError::NotFound);
        }
        let target = self.request_target(scope, request_id, unit_id).await?;
        let (set_id, set_version, criteria) = self.assessment_set(request_id).await?;
        let set: CriteriaSetRow = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{SET_SELECT} WHERE s.set_id = $1")))
            .bind(set_id).fetch_one(p).await)?;
        let own = stored_scores(target.response_values.as_deref());
        let rows: Vec<(String, Option<i64>, Option<String>)> = read!(self, p => sqlx::query_as(
            "SELECT item_code, appraised_points, note FROM assessment_score WHERE request_id = $1 AND unit_id = $2")
            .bind(request_id).bind(unit_id).fetch_all(p).await)?;
        let result = self.result_row(request_id, unit_id).await?;
        let appraised = result.as_ref().and_then(|r| r.appraised_at).map(|_| {
            let mut s = Scores::default();
            for (code, pts, _) in &rows {
                if let Some(p) = pts {
                    s.items.insert(code.clone(), Pts(*p));
                }
            }
            if let Some(v) = result.as_ref().and_then(|r| r.appraised_vetoes.as_deref()) {
                for x in serde_json::from_str::<Vec<em::VetoBy>>(v).unwrap_or_default() {
                    if let em::VetoBy::Condition { code, .. } = x {
                        s.vetoes.insert(code);
                    }
                }
            }
            s
        });
        let notes = rows
            .into_iter()
            .filter_map(|(c, _, n)| n.map(|n| (c, n)))
            .collect();
        // Stored scores were valid when saved against this version; a bad row scores 0.
        let own_outcome = em::score(&criteria, &own)
            .unwrap_or_else(|_| em::score(&criteria, &Scores::default()).expect("empty scores"));
        let appraised_outcome = appraised
            .as_ref()
            .and_then(|a| em::score(&criteria, a).ok());
        let diff = em::diff(
            &criteria,
            &own,
            appraised.as_ref().unwrap_or(&Scores::default()),
        );
        let files = self.response_files(scope, request_id, unit_id).await?;
        let reviewer = target.via_unit_id.unwrap_or(detail.request.issuer_unit_id);
        let reviewer_path: String = read!(self, p => sqlx::query_scalar("SELECT path FROM unit WHERE unit_id = $1")
            .bind(reviewer).fetch_one(p).await)?;
        let can_appraise = scope.can_write(&reviewer_path);
        let can_score = scope.can_write(&target.unit_path);
        Ok(AssessmentSheet {
            request: detail.request,
            set,
            set_version,
            criteria,
            target,
            own,
            appraised,
            notes,
            own_outcome,
            appraised_outcome,
            diff,
            files,
            can_appraise,
            can_score,
        })
    }

    /// The unit saves its own scores (a draft) or submits them, with evidence files.
    /// Points over an item's maximum, unknown items or vetoes: nothing is written and the
    /// problems come back, each naming its item.
    #[tracing::instrument(skip(self, scope, scores, files))]
    #[allow(clippy::too_many_arguments)]
    pub async fn save_self_assessment(
        &self,
        scope: &Scope,
        request_id: i64,
        unit_id: i64,
        scores: Scores,
        files: Vec<NewFile>,
        submit: bool,
        today: Date,
    ) -> Result<ScoreSave> {
        let request = self.request(scope, request_id).await?.request;
        if request.kind() != RequestKind::Assessment {
            return Err(StoreError::NotFound);
        }
        let target = self.request_target(scope, request_id, unit_id).await?;
        scope.check_write(&target.unit_path)?;
        let action = if submit {
            Action::Submit
        } else {
            Action::SaveDraft
        };
        // A published result refuses before its input is read.
        rq::next_state(RequestKind::Assessment, target.state(), action).map_err(from_domain)?;
        let (_, _, criteria) = self.assessment_set(request_id).await?;
        let outcome = match em::score(&criteria, &scores) {
            Ok(o) => o,
            Err(issues) => {
                return Ok(ScoreSave {
                    target: None,
                    issues,
                });
            }
        };
        if submit {
            let missing: Vec<CriteriaError> = criteria
                .items()
                .filter(|(_, i)| !scores.items.contains_key(&i.code))
                .map(|(_, i)| CriteriaError {
                    code: "VL1025",
                    field: i.code.clone(),
                    vi: format!("Tiêu chí {} ({}) chưa chấm điểm.", i.code, i.text),
                    en: format!("Item {} has no points yet.", i.code),
                })
                .collect();
            if !missing.is_empty() {
                return Ok(ScoreSave {
                    target: None,
                    issues: missing,
                });
            }
        }
        let input = StepInput {
            note: None,
            values: Some(json(&scores)?),
            contribution: None,
            files,
            at: None,
        };
        let t = self
            .request_step(scope, request_id, unit_id, action, input, today)
            .await?;
        let per_item: Vec<(String, i64)> =
            scores.items.iter().map(|(k, v)| (k.clone(), v.0)).collect();
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE assessment_score SET self_points = NULL WHERE request_id = $1 AND unit_id = $2")
                .bind(request_id).bind(unit_id).execute(&mut *tx).await?;
            for (code, pts) in &per_item {
                sqlx::query("INSERT INTO assessment_score (request_id, unit_id, item_code, self_points) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (request_id, unit_id, item_code) DO UPDATE SET self_points = excluded.self_points")
                    .bind(request_id).bind(unit_id).bind(code).bind(*pts).execute(&mut *tx).await?;
            }
            sqlx::query("INSERT INTO assessment_result (request_id, unit_id, self_total, self_class, self_vetoes) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (request_id, unit_id) DO UPDATE SET self_total = excluded.self_total, self_class = excluded.self_class, \
                 self_vetoes = excluded.self_vetoes")
                .bind(request_id).bind(unit_id).bind(outcome.total.0).bind(&outcome.class).bind(vetoes_json(&outcome))
                .execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(ScoreSave {
            target: Some(t),
            issues: Vec::new(),
        })
    }

    /// The upper level enters its appraisal item by item (a submitted assessment only);
    /// with `publish`, every item must be appraised and the result is approved —
    /// published and locked.
    #[tracing::instrument(skip(self, scope, scores, notes))]
    #[allow(clippy::too_many_arguments)]
    pub async fn save_appraisal(
        &self,
        scope: &Scope,
        request_id: i64,
        unit_id: i64,
        scores: Scores,
        notes: BTreeMap<String, String>,
        publish: bool,
        today: Date,
    ) -> Result<ScoreSave> {
        let request = self.request(scope, request_id).await?.request;
        if request.kind() != RequestKind::Assessment {
            return Err(StoreError::NotFound);
        }
        let target = self.request_target(scope, request_id, unit_id).await?;
        let reviewer = self
            .unit(scope, target.via_unit_id.unwrap_or(request.issuer_unit_id))
            .await?;
        scope.check_write(&reviewer.path)?;
        match target.state() {
            TargetState::Submitted => {}
            TargetState::Approved => {
                return Err(rule(
                    "ST2204",
                    "state",
                    "Kết quả đã công bố nên không sửa được; muốn thay đổi phải thẩm định lại (mở lại và ghi lý do).",
                    "The result is published; change it only through a re-appraisal (reopen with a reason).",
                ));
            }
            _ => {
                return Err(rule(
                    "ST2205",
                    "state",
                    "Đơn vị chưa gửi bản tự chấm điểm nên chưa thẩm định được.",
                    "The unit has not submitted its self-assessment yet.",
                ));
            }
        }
        let (_, _, criteria) = self.assessment_set(request_id).await?;
        let outcome = match em::score(&criteria, &scores) {
            Ok(o) => o,
            Err(issues) => {
                return Ok(ScoreSave {
                    target: None,
                    issues,
                });
            }
        };
        if publish {
            let missing: Vec<CriteriaError> = criteria
                .items()
                .filter(|(_, i)| !scores.items.contains_key(&i.code))
                .map(|(_, i)| CriteriaError {
                    code: "VL1025",
                    field: i.code.clone(),
                    vi: format!("Tiêu chí {} ({}) chưa có điểm thẩm định.", i.code, i.text),
                    en: format!("Item {} has no appraised points yet.", i.code),
                })
                .collect();
            if !missing.is_empty() {
                return Ok(ScoreSave {
                    target: None,
                    issues: missing,
                });
            }
        }
        let notes: BTreeMap<String, String> = notes
            .into_iter()
            .filter(|(k, _)| criteria.item(k).is_some())
            .map(|(k, v)| (k, nfc(v.trim()).chars().take(2_000).collect::<String>()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let group1 = outcome.per_group.first().map(|g| g.1.0).unwrap_or(0);
        let codes: Vec<String> = criteria.items().map(|(_, i)| i.code.clone()).collect();
        let at = now();
        write!(self, p => {
            let mut tx = p.begin().await?;
            for code in &codes {
                let pts = scores.items.get(code).map(|p| p.0);
                let note = notes.get(code).cloned();
                sqlx::query("INSERT INTO assessment_score (request_id, unit_id, item_code, appraised_points, note) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (request_id, unit_id, item_code) DO UPDATE SET appraised_points = excluded.appraised_points, note = excluded.note")
                    .bind(request_id).bind(unit_id).bind(code).bind(pts).bind(note).execute(&mut *tx).await?;
            }
            sqlx::query("INSERT INTO assessment_result (request_id, unit_id, appraised_total, appraised_group1, appraised_class, appraised_vetoes, appraised_at, appraised_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (request_id, unit_id) DO UPDATE SET appraised_total = excluded.appraised_total, \
                 appraised_group1 = excluded.appraised_group1, appraised_class = excluded.appraised_class, appraised_vetoes = excluded.appraised_vetoes, \
                 appraised_at = excluded.appraised_at, appraised_by = excluded.appraised_by")
                .bind(request_id).bind(unit_id).bind(outcome.total.0).bind(group1).bind(&outcome.class).bind(vetoes_json(&outcome))
                .bind(at).bind(scope.actor().username.clone()).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "appraise", "assessment", Some(request_id), &target.unit_path,
                format!("Thẩm định {} — {}: {} điểm, {}", request.title, target.unit_name, outcome.total, outcome.class_name),
                None, Some(serde_json::json!({ "total": outcome.total.0, "class": outcome.class })));
            tx.commit().await?;
        });
        let t = if publish {
            self.request_step(
                scope,
                request_id,
                unit_id,
                Action::Approve,
                StepInput::default(),
                today,
            )
            .await?
        } else {
            self.request_target(scope, request_id, unit_id).await?
        };
        Ok(ScoreSave {
            target: Some(t),
            issues: Vec::new(),
        })
    }

    /// Re-appraisal: reopens a published result with its reason (recorded and audited);
    /// the unit resubmits and the upper level appraises again.
    pub async fn reopen_assessment(
        &self,
        scope: &Scope,
        request_id: i64,
        unit_id: i64,
        reason: String,
        today: Date,
    ) -> Result<Target> {
        let request = self.request(scope, request_id).await?.request;
        if request.kind() != RequestKind::Assessment {
            return Err(StoreError::NotFound);
        }
        self.request_step(
            scope,
            request_id,
            unit_id,
            Action::Reopen,
            StepInput {
                note: Some(reason),
                ..StepInput::default()
            },
            today,
        )
        .await
    }

    /// Published results ranked (ties: group-1 points, ≥ 70% women, name), the class
    /// counts and the target; `within` narrows to a unit's subtree.
    #[tracing::instrument(skip(self, scope))]
    pub async fn assessment_ranking(
        &self,
        scope: &Scope,
        request_id: i64,
        within: Option<i64>,
        target: Option<ClassTarget>,
    ) -> Result<Ranking> {
        let request = self.request(scope, request_id).await?.request;
        if request.kind() != RequestKind::Assessment {
            return Err(StoreError::NotFound);
        }
        let (set_id, _, criteria) = self.assessment_set(request_id).await?;
        let range = match within {
            Some(u) => {
                let u = self.unit(scope, u).await?;
                Some((u.path.clone(), range_end(&u.path)))
            }
            None => None,
        };
        type Row = (
            i64,
            String,
            String,
            String,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<String>,
            Option<i64>,
            Option<i64>,
        );
        let rows: Vec<Row> = read!(self, p => {
            let mut qb = sqlx::QueryBuilder::new("SELECT t.unit_id, u.code, u.name, t.state, r.appraised_total, r.appraised_group1, r.self_total, r.appraised_class, \
                 (SELECT n FROM unit_stat s WHERE s.unit_id = t.unit_id AND s.dim = 'sex' AND s.key = 'F'), \
                 (SELECT CAST(SUM(n) AS BIGINT) FROM unit_stat s WHERE s.unit_id = t.unit_id AND s.dim = 'sex') \
                 FROM request_target t JOIN unit u ON u.unit_id = t.unit_id \
                 LEFT JOIN assessment_result r ON r.request_id = t.request_id AND r.unit_id = t.unit_id WHERE t.request_id = ");
            qb.push_bind(request_id).push(" AND t.ended_on IS NULL");
            if let Some((a, b)) = &range {
                qb.push(" AND u.path >= ").push_bind(a.clone()).push(" AND u.path < ").push_bind(b.clone());
            }
            qb.push(" ORDER BY u.path LIMIT 20000");
            qb.build_query_as().fetch_all(p).await
        })?;
        let mut entries = Vec::new();
        let mut pending = Vec::new();
        let mut meta: BTreeMap<i64, (String, Option<i64>)> = BTreeMap::new();
        for (unit_id, code, name, state, total, g1, own, class, women, all) in rows {
            match (state.as_str(), total, class) {
                ("approved", Some(total), Some(class)) => {
                    let women_permille = match (women, all) {
                        (Some(w), Some(a)) if a > 0 => Some((w * 1000 / a) as u32),
                        _ => None,
                    };
                    meta.insert(unit_id, (code, own));
                    entries.push(RankEntry {
                        unit_id,
                        name,
                        total: Pts(total),
                        group1: Pts(g1.unwrap_or(0)),
                        women_permille,
                        class,
                    });
                }
                _ => pending.push(PendingRow {
                    unit_id,
                    code,
                    name,
                    state,
                }),
            }
        }
        let ranked = em::rank(entries);
        let counts = em::class_counts(&criteria, ranked.iter().map(|r| r.entry.class.as_str()));
        let bands = &criteria.def().bands;
        let target = target
            .filter(|t| criteria.band(&t.class).is_some())
            .unwrap_or_else(|| ClassTarget {
                class: bands
                    .iter()
                    .find(|b| b.code == "tot")
                    .or(bands.get(1))
                    .unwrap_or(&bands[0])
                    .code
                    .clone(),
                share_permille: 800,
            });
        let TargetResult {
            reached,
            share_permille,
            met,
            ..
        } = em::target_met(&criteria, &counts, &target);
        let rows = ranked
            .into_iter()
            .map(|r| {
                let (code, own) = meta.remove(&r.entry.unit_id).unwrap_or_default();
                let class_name = criteria
                    .band(&r.entry.class)
                    .map(|b| b.name_vi.clone())
                    .unwrap_or_default();
                RankRow {
                    rank: r.rank,
                    unit_id: r.entry.unit_id,
                    code,
                    name: r.entry.name,
                    appraised_total: r.entry.total.0,
                    self_total: own,
                    class: r.entry.class,
                    class_name,
                    women_permille: r.entry.women_permille,
                }
            })
            .collect();
        Ok(Ranking {
            request_id,
            set_id,
            set_title: criteria.def().title.clone(),
            rows,
            pending,
            counts,
            target_class_name: criteria
                .band(&target.class)
                .map(|b| b.name_vi.clone())
                .unwrap_or_default(),
            target_class: target.class,
            target_permille: target.share_permille,
            reached,
            share_permille,
            met,
        })
    }

    /// Assessments a unit sent, newest first.
    pub async fn assessments_sent(&self, scope: &Scope, unit_id: i64) -> Result<Vec<crate::Sent>> {
        self.requests_sent(scope, unit_id, Some(RequestKind::Assessment), 50)
            .await
    }

    /// For tests and checks: each unit's stored totals next to a recount from the stored
    /// points (self from the target's scores, appraisal from `assessment_score`).
    pub async fn assessment_recount(
        &self,
        request_id: i64,
    ) -> Result<Vec<(i64, ResultRow, ResultRow)>> {
        let (_, _, criteria) = self.assessment_set(request_id).await?;
        let stored: Vec<ResultRow> = read!(self, p => sqlx::query_as("SELECT unit_id, self_total, self_class, appraised_total, appraised_group1, appraised_class, \
             self_vetoes, appraised_vetoes, appraised_at, appraised_by FROM assessment_result WHERE request_id = $1 ORDER BY unit_id")
            .bind(request_id).fetch_all(p).await)?;
        let mut out = Vec::with_capacity(stored.len());
        for s in stored {
            let values: Option<String> = read!(self, p => sqlx::query_scalar("SELECT response_values FROM request_target WHERE request_id = $1 AND unit_id = $2")
                .bind(request_id).bind(s.unit_id).fetch_one(p).await)?;
            let own = stored_scores(values.as_deref());
            let items: Vec<(String, Option<i64>)> = read!(self, p => sqlx::query_as(
                "SELECT item_code, appraised_points FROM assessment_score WHERE request_id = $1 AND unit_id = $2")
                .bind(request_id).bind(s.unit_id).fetch_all(p).await)?;
            let mut re = ResultRow {
                unit_id: s.unit_id,
                appraised_at: s.appraised_at,
                appraised_by: s.appraised_by.clone(),
                ..ResultRow::default()
            };
            if s.self_total.is_some() {
                let o = em::score(&criteria, &own).map_err(set_error)?;
                re.self_total = Some(o.total.0);
                re.self_class = Some(o.class.clone());
                re.self_vetoes = vetoes_json(&o);
            }
            if s.appraised_at.is_some() {
                let mut a = Scores::default();
                for (code, p) in items {
                    if let Some(p) = p {
                        a.items.insert(code, Pts(p));
                    }
                }
                for x in s
                    .appraised_vetoes
                    .as_deref()
                    .and_then(|v| serde_json::from_str::<Vec<em::VetoBy>>(v).ok())
                    .unwrap_or_default()
                {
                    if let em::VetoBy::Condition { code, .. } = x {
                        a.vetoes.insert(code);
                    }
                }
                let o = em::score(&criteria, &a).map_err(set_error)?;
                re.appraised_total = Some(o.total.0);
                re.appraised_group1 = Some(o.per_group.first().map(|g| g.1.0).unwrap_or(0));
                re.appraised_class = Some(o.class.clone());
                re.appraised_vetoes = vetoes_json(&o);
            }
            out.push((s.unit_id, s, re));
        }
        Ok(out)
    }
}
