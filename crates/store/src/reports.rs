//! Report forms and reports: a form is data (`congdoan_domain::form::FormDef`, JSON,
//! versioned); a report is a request of kind `report` for one period of one form
//! version. Filling, returning and approving go through `request_step`, so the
//! counters and the field roll-up are maintained by the one request mechanism: a
//! grassroots filler's submission adds its form contribution (sum, count, hits per
//! field) to every unit above it, and an upper level reads its roll-up from one row set.

use crate::audit::audit;
use crate::requests::{NewRequest, StepInput, Target, from_domain};
use crate::scope::range_end;
use crate::{Result, Scope, Store, StoreError, now, read, write};
use congdoan_domain::form::{Cell, Change, FieldIssue, Form, FormDef, Prefill, Tally, Values};
use congdoan_domain::request::{self as rq, Action, Period, PeriodType, RequestKind, TargetSpec};
use congdoan_domain::text::{fold, nfc};
use serde::Serialize;
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};

/// Key under which a draft keeps the text the user typed (never a field key).
const RAW: &str = "#raw";

/// A report form with its current version.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ReportForm {
    pub form_id: i64,
    pub owner_unit_id: i64,
    pub owner_name: String,
    #[serde(skip)]
    pub owner_path: String,
    pub code: String,
    pub title: String,
    pub period_type: String,
    pub current_version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A report to send: a form's current version for one period.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub issuer_unit_id: i64,
    pub form_id: i64,
    /// The period code ("2026-05"); None for an ad hoc (thematic) form.
    pub period: Option<String>,
    /// Due date; from the form's due days after the period when None.
    pub due_on: Option<Date>,
    /// Title; "form title — period label" when None.
    pub title: Option<String>,
    /// Whom; the form's filler types under the issuer when None.
    pub targets: Option<TargetSpec>,
    pub issued_on: Date,
}

/// What saving or submitting a report gave: the target, or the problems found (and
/// nothing written when submitting).
#[derive(Debug, Clone)]
pub struct ReportSave {
    pub target: Option<Target>,
    pub issues: Vec<FieldIssue>,
}

/// A roll-up at one level: each field's aggregate, and the counters.
#[derive(Debug, Clone)]
pub struct Rollup {
    pub cells: Vec<Cell>,
    pub tallies: BTreeMap<String, Tally>,
    pub rates: rq::Rates,
}

const FORM_SELECT: &str = "SELECT f.form_id, f.owner_unit_id, u.name AS owner_name, u.path AS owner_path, f.code, f.title, \
     f.period_type, f.current_version, f.created_at FROM report_form f JOIN unit u ON u.unit_id = f.owner_unit_id ";

fn rule(code: &'static str, field: &'static str, vi: &str, en: &str) -> StoreError {
    StoreError::rule(code, field, vi, en)
}

/// The first problem of a form definition as a store error (pages check the whole
/// definition first and show every problem).
fn def_error(issues: Vec<congdoan_domain::form::DefIssue>) -> StoreError {
    match issues.into_iter().next() {
        Some(i) => StoreError::Rule {
            code: i.code,
            field: "definition",
            message_vi: i.vi,
            message_en: i.en,
        },
        None => rule(
            "ST2001",
            "definition",
            "Mẫu báo cáo không hợp lệ.",
            "Invalid form.",
        ),
    }
}

fn to_tally(t: Tally) -> [i64; 3] {
    [t.total, t.n, t.hits]
}

fn from_tally(t: [i64; 3]) -> Tally {
    Tally {
        total: t[0],
        n: t[1],
        hits: t[2],
    }
}

/// A stored response's values: submitted values, or a draft's parsed values.
pub fn stored_values(form: &Form, json: Option<&str>) -> (Values, BTreeMap<String, String>) {
    let Some(json) = json else {
        return (Values::new(), BTreeMap::new());
    };
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(json)
        && let Some(raw) = v.get(RAW)
    {
        let raw: BTreeMap<String, String> = serde_json::from_value(raw.clone()).unwrap_or_default();
        return (form.parse_input(&raw).values, raw);
    }
    let values: Values = serde_json::from_str(json).unwrap_or_default();
    let raw = form.raw_of(&values);
    (values, raw)
}

impl Store {
    /// Records a new form (version 1) owned by a unit.
    #[tracing::instrument(skip(self, scope, def), fields(code = %def.code))]
    pub async fn create_form(
        &self,
        scope: &Scope,
        owner_unit_id: i64,
        def: FormDef,
    ) -> Result<ReportForm> {
        let owner = self.unit(scope, owner_unit_id).await?;
        scope.check_write(&owner.path)?;
        let form = def.check().map_err(def_error)?;
        let def = form.def();
        let json = serde_json::to_string(def).map_err(|e| StoreError::Config(e.to_string()))?;
        let id: i64 = write!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO report_form (owner_unit_id, code, title, search_key, period_type, current_version, created_at) \
                 VALUES ($1, $2, $3, $4, $5, 1, $6) RETURNING form_id")
                .bind(owner_unit_id).bind(&def.code).bind(&def.title).bind(fold(&def.title)).bind(&def.period).bind(now())
                .fetch_one(&mut *tx).await.map_err(|e| match StoreError::from(e) {
                    StoreError::Duplicate { .. } => rule("ST2002", "code", &format!("Đơn vị đã có mẫu báo cáo mã «{}».", def.code),
                        &format!("The unit already has a form coded «{}».", def.code)),
                    other => other,
                })?;
            sqlx::query("INSERT INTO report_form_version (form_id, version, definition, created_at, created_by) VALUES ($1, 1, $2, $3, $4)")
                .bind(id).bind(&json).bind(now()).bind(scope.actor().account_id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "create", "report_form", Some(id), &owner.path, format!("Tạo mẫu báo cáo «{}» ({})", def.title, def.code), None, None);
            tx.commit().await?;
            id
        });
        Ok(self.report_form(scope, id).await?.0)
    }

    /// A new version of a form; reports already sent keep the version they were sent with.
    #[tracing::instrument(skip(self, scope, def))]
    pub async fn new_form_version(
        &self,
        scope: &Scope,
        form_id: i64,
        expected_version: i64,
        def: FormDef,
    ) -> Result<ReportForm> {
        let (f, _) = self.report_form(scope, form_id).await?;
        scope.check_write(&f.owner_path)?;
        let form = def.check().map_err(def_error)?;
        let def = form.def();
        if def.code != f.code {
            return Err(rule(
                "ST2003",
                "code",
                "Phiên bản mới phải giữ nguyên mã mẫu.",
                "A new version keeps the form's code.",
            ));
        }
        let json = serde_json::to_string(def).map_err(|e| StoreError::Config(e.to_string()))?;
        write!(self, p => {
            let mut tx = p.begin().await?;
            let changed = sqlx::query("UPDATE report_form SET current_version = current_version + 1, title = $1, search_key = $2, period_type = $3 \
                 WHERE form_id = $4 AND current_version = $5")
                .bind(&def.title).bind(fold(&def.title)).bind(&def.period).bind(form_id).bind(expected_version)
                .execute(&mut *tx).await?.rows_affected();
            if changed != 1 {
                return Err(StoreError::Conflict);
            }
            sqlx::query("INSERT INTO report_form_version (form_id, version, definition, created_at, created_by) VALUES ($1, $2, $3, $4, $5)")
                .bind(form_id).bind(expected_version + 1).bind(&json).bind(now()).bind(scope.actor().account_id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "update", "report_form", Some(form_id), &f.owner_path,
                format!("Phiên bản {} của mẫu «{}»", expected_version + 1, def.title), None, None);
            tx.commit().await?;
        });
        Ok(self.report_form(scope, form_id).await?.0)
    }

    /// A form and its current version, if the caller reads its owner or one of the
    /// owner's ancestors' subtrees reaches it (forms of upper levels are used below).
    pub async fn report_form(&self, scope: &Scope, form_id: i64) -> Result<(ReportForm, Form)> {
        let f: ReportForm = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{FORM_SELECT} WHERE f.form_id = $1")))
            .bind(form_id).fetch_one(p).await)?;
        if !scope.can_read_or_is_above(&f.owner_path) {
            return Err(StoreError::NotFound);
        }
        let form = self.form_version(form_id, f.current_version).await?;
        Ok((f, form))
    }

    /// One version of a form, checked.
    pub async fn form_version(&self, form_id: i64, version: i64) -> Result<Form> {
        let json: String = read!(self, p => sqlx::query_scalar("SELECT definition FROM report_form_version WHERE form_id = $1 AND version = $2")
            .bind(form_id).bind(version).fetch_one(p).await)?;
        let def: FormDef = serde_json::from_str(&json)
            .map_err(|e| StoreError::Config(format!("form {form_id} v{version}: {e}")))?;
        def.check().map_err(def_error)
    }

    /// Forms a unit may send: its own and those of the units above it.
    pub async fn report_forms(&self, scope: &Scope, unit_id: i64) -> Result<Vec<ReportForm>> {
        let unit = self.unit(scope, unit_id).await?;
        let ids = crate::requests::path_ids(&unit.path);
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        Ok(read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{FORM_SELECT} WHERE f.owner_unit_id IN ({list}) ORDER BY u.path, f.title"))).fetch_all(p).await)?)
    }

    /// Sends a report for one period to the form's fillers (or a chosen target set).
    #[tracing::instrument(skip(self, scope, input), fields(form = input.form_id))]
    pub async fn send_report(&self, scope: &Scope, input: NewReport) -> Result<crate::Request> {
        let issuer = self.unit(scope, input.issuer_unit_id).await?;
        scope.check_write(&issuer.path)?;
        let (f, form) = self.report_form(scope, input.form_id).await?;
        let def = form.def();
        let kind = PeriodType::parse(&def.period).unwrap_or(PeriodType::Adhoc);
        let (period, due_on) = match (kind, &input.period) {
            (PeriodType::Adhoc, _) => {
                let due = input.due_on.ok_or_else(|| {
                    rule(
                        "ST2004",
                        "due_on",
                        "Báo cáo chuyên đề cần hạn nộp.",
                        "A thematic report needs a due date.",
                    )
                })?;
                (None, due)
            }
            (_, None) => {
                return Err(rule(
                    "ST2005",
                    "period",
                    "Chọn kỳ báo cáo.",
                    "Choose the period.",
                ));
            }
            (_, Some(code)) => {
                let p = Period::parse(kind, code).map_err(from_domain)?;
                (Some(p), input.due_on.unwrap_or_else(|| p.due(def.due_days)))
            }
        };
        if let Some(p) = &period {
            let dup: Option<i64> = read!(self, p2 => sqlx::query_scalar(
                "SELECT request_id FROM request WHERE issuer_unit_id = $1 AND form_id = $2 AND period = $3 LIMIT 1")
                .bind(issuer.unit_id).bind(input.form_id).bind(p.code()).fetch_optional(p2).await)?;
            if dup.is_some() {
                return Err(rule(
                    "ST2006",
                    "period",
                    &format!(
                        "Đã gửi yêu cầu báo cáo «{}» kỳ {}.",
                        def.title,
                        p.label_vi()
                    ),
                    &format!("«{}» was already requested for {}.", def.title, p.code()),
                ));
            }
        }
        if due_on < input.issued_on {
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
            .unwrap_or_else(|| match &period {
                Some(p) => format!("{} — {}", def.title, p.label_vi()),
                None => def.title.clone(),
            });
        let targets = input.targets.unwrap_or_else(|| TargetSpec::Subtree {
            root: issuer.unit_id,
            types: def.filled_by.clone(),
        });
        let id = self
            .send_request(
                scope,
                NewRequest {
                    kind: RequestKind::Report,
                    issuer,
                    doc: None,
                    title,
                    body: None,
                    form: Some((f.form_id, f.current_version)),
                    period: period.map(|p| (p.code(), p.start(), p.end())),
                    issued_on: input.issued_on,
                    due_on,
                    targets,
                    files: Vec::new(),
                },
            )
            .await?;
        Ok(self.request(scope, id).await?.request)
    }

    /// The form a report request was sent with.
    pub async fn report_request_form(&self, request: &crate::Request) -> Result<Form> {
        match (request.form_id, request.form_version) {
            (Some(f), Some(v)) => self.form_version(f, v).await,
            _ => Err(rule(
                "ST2007",
                "kind",
                "Yêu cầu này không phải báo cáo theo mẫu.",
                "This request is not a form report.",
            )),
        }
    }

    /// Figures the register knows for a unit and a report's period, as typed text.
    #[tracing::instrument(skip(self, scope))]
    pub async fn report_prefill(
        &self,
        scope: &Scope,
        request_id: i64,
        unit_id: i64,
    ) -> Result<BTreeMap<String, String>> {
        let detail = self.request(scope, request_id).await?;
        let target = self.request_target(scope, request_id, unit_id).await?;
        let form = self.report_request_form(&detail.request).await?;
        let (start, end) = match (detail.request.period_start, detail.request.period_end) {
            (Some(s), Some(e)) => (s, e),
            _ => (detail.request.issued_on, detail.request.issued_on),
        };
        let path = target.unit_path.clone();
        let pend = range_end(&path);
        let mut out = BTreeMap::new();
        for (key, prefill) in form.prefills() {
            let n: i64 = match prefill {
                Prefill::MembersAtEnd => {
                    if end >= congdoan_domain::date::today_vn() {
                        self.stat(unit_id, "status", "member").await?
                    } else {
                        self.members_as_of(&path, end).await?
                    }
                }
                Prefill::Women => self.stat(unit_id, "sex", "F").await?,
                Prefill::PartyMembers => self.stat(unit_id, "party", "1").await?,
                Prefill::MembersJoined | Prefill::MembersLeft => {
                    let cond = if prefill == Prefill::MembersJoined {
                        "e.to_status = 'member' AND (e.from_status IS NULL OR e.from_status = 'applicant')"
                    } else {
                        "e.from_status = 'member' AND e.to_status IN ('exited','expelled','transferred')"
                    };
                    read!(self, p => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT CAST(COUNT(*) AS BIGINT) FROM member_event e JOIN unit u ON u.unit_id = e.unit_id \
                         WHERE u.path >= $1 AND u.path < $2 AND e.on_date >= $3 AND e.on_date <= $4 AND {cond}")))
                        .bind(&path).bind(&pend).bind(start).bind(end).fetch_one(p).await)?
                }
                Prefill::Officials => read!(self, p => sqlx::query_scalar(
                    "SELECT CAST(COUNT(*) AS BIGINT) FROM position_assignment a JOIN unit u ON u.unit_id = a.unit_id \
                     WHERE u.path >= $1 AND u.path < $2 AND a.start_date <= $3 AND (a.end_date IS NULL OR a.end_date > $3)")
                    .bind(&path).bind(&pend).bind(end).fetch_one(p).await)?,
                Prefill::Departments | Prefill::Teams => {
                    let t = if prefill == Prefill::Departments {
                        "CD_BO_PHAN"
                    } else {
                        "TO_CD"
                    };
                    read!(self, p => sqlx::query_scalar(
                        "SELECT CAST(COUNT(*) AS BIGINT) FROM unit WHERE path > $1 AND path < $2 AND type_code = $3 AND ended_on IS NULL")
                        .bind(&path).bind(&pend).bind(t).fetch_one(p).await)?
                }
            };
            out.insert(key, n.to_string());
        }
        Ok(out)
    }

    async fn stat(&self, unit_id: i64, dim: &str, key: &str) -> Result<i64> {
        Ok(read!(self, p => sqlx::query_scalar::<_, i64>("SELECT n FROM unit_stat WHERE unit_id = $1 AND dim = $2 AND key = $3")
            .bind(unit_id).bind(dim).bind(key).fetch_optional(p).await)?
        .unwrap_or(0))
    }

    /// Saves a draft (whatever was typed, kept as typed) or submits (every field valid,
    /// else nothing is written and the problems come back).
    #[tracing::instrument(skip(self, scope, raw))]
    pub async fn save_report(
        &self,
        scope: &Scope,
        request_id: i64,
        unit_id: i64,
        raw: BTreeMap<String, String>,
        submit: bool,
        today: Date,
    ) -> Result<ReportSave> {
        let detail = self.request(scope, request_id).await?;
        let target = self.request_target(scope, request_id, unit_id).await?;
        scope.check_write(&target.unit_path)?;
        // A locked (approved) report refuses before its input is even read.
        let action = if submit {
            Action::Submit
        } else {
            Action::SaveDraft
        };
        rq::next_state(RequestKind::Report, target.state(), action).map_err(from_domain)?;
        let form = self.report_request_form(&detail.request).await?;
        let raw: BTreeMap<String, String> = raw
            .into_iter()
            .filter(|(k, _)| form.label(k).is_some())
            .map(|(k, v)| (k, v.chars().take(10_000).collect()))
            .collect();
        let checked = form.parse_input(&raw);
        if submit && !checked.issues.is_empty() {
            return Ok(ReportSave {
                target: None,
                issues: checked.issues,
            });
        }
        let (values, contribution) = if submit {
            let values = serde_json::to_string(&checked.values)
                .map_err(|e| StoreError::Config(e.to_string()))?;
            // Only the form's fillers roll up (an upper level's own report restates its roll-up).
            let rolls_up =
                form.def().filled_by.is_empty() || form.def().filled_by.contains(&target.unit_type);
            let contribution = rolls_up.then(|| {
                form.contributions(&checked.values)
                    .into_iter()
                    .map(|(k, t)| (k, to_tally(t)))
                    .collect::<BTreeMap<_, _>>()
            });
            (values, contribution)
        } else {
            (serde_json::json!({ RAW: raw }).to_string(), None)
        };
        let input = StepInput {
            note: None,
            values: Some(values),
            contribution,
            files: Vec::new(),
            at: None,
        };
        let t = self
            .request_step(scope, request_id, unit_id, action, input, today)
            .await?;
        Ok(ReportSave {
            target: Some(t),
            issues: if submit { Vec::new() } else { checked.issues },
        })
    }

    /// Checks one field as it is typed (with the rules that read it).
    pub async fn check_report_field(
        &self,
        scope: &Scope,
        request_id: i64,
        key: &str,
        raw: &BTreeMap<String, String>,
    ) -> Result<Vec<FieldIssue>> {
        let detail = self.request(scope, request_id).await?;
        let form = self.report_request_form(&detail.request).await?;
        let value = raw.get(key).cloned().unwrap_or_default();
        Ok(form.check_field(key, &value, raw))
    }

    /// The roll-up of a report at a level: its subtree's aggregates (the level's own
    /// submission included when it is a filler) and counters.
    #[tracing::instrument(skip(self, scope))]
    pub async fn report_rollup(
        &self,
        scope: &Scope,
        request_id: i64,
        level_unit_id: Option<i64>,
    ) -> Result<Rollup> {
        let detail = self.request(scope, request_id).await?;
        let level = level_unit_id.unwrap_or(detail.request.issuer_unit_id);
        self.unit(scope, level).await?;
        let form = self.report_request_form(&detail.request).await?;
        let rows: Vec<(String, i64, i64, i64)> = read!(self, p => sqlx::query_as(
            "SELECT key, total, n, hits FROM request_tally WHERE request_id = $1 AND unit_id = $2")
            .bind(request_id).bind(level).fetch_all(p).await)?;
        let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
        let mut counts: Vec<(String, i64)> = Vec::new();
        for (k, total, n, hits) in rows {
            if k.starts_with('@') {
                // The board's per-type counters.
            } else if k.starts_with('#') {
                counts.push((k, n));
            } else {
                tallies.insert(k, Tally { total, n, hits });
            }
        }
        if let Ok(own) = self.request_target(scope, request_id, level).await {
            for (k, t) in
                crate::requests::own_contribution(&own.facts(), None, own.contribution.as_deref())
            {
                if k.starts_with('#') {
                    counts.push((k, t[1]));
                } else {
                    *tallies.entry(k).or_default() += from_tally(t);
                }
            }
        }
        let rates = rq::Rates::from_counts(counts.iter().map(|(k, n)| (k.as_str(), *n)));
        let cells = form.rollup_cells(&tallies, rates.received);
        Ok(Rollup {
            cells,
            tallies,
            rates,
        })
    }

    /// What changed between a unit's last two submissions (for the reviewer).
    pub async fn report_changes(
        &self,
        scope: &Scope,
        request_id: i64,
        unit_id: i64,
    ) -> Result<Vec<Change>> {
        let detail = self.request(scope, request_id).await?;
        let form = self.report_request_form(&detail.request).await?;
        let events = self.request_events(scope, request_id, unit_id).await?;
        let submitted: Vec<&str> = events
            .iter()
            .filter(|e| e.action == "submit")
            .filter_map(|e| e.response_values.as_deref())
            .collect();
        Ok(match submitted.as_slice() {
            [.., old, new] => form.diff(
                &stored_values(&form, Some(old)).0,
                &stored_values(&form, Some(new)).0,
            ),
            _ => Vec::new(),
        })
    }

    /// A field's value at a unit over the periods of a form's reports sent by an issuer,
    /// oldest first (for the time-series chart): (period code, label, aggregate text, value).
    pub async fn report_series(
        &self,
        scope: &Scope,
        form_id: i64,
        issuer_unit_id: i64,
        unit_id: i64,
        key: &str,
    ) -> Result<Vec<(String, String, Option<i64>)>> {
        let (_, form) = self.report_form(scope, form_id).await?;
        let unit = self.unit(scope, unit_id).await?;
        scope.check_read(&unit.path)?;
        let requests: Vec<(i64, Option<String>, String)> = read!(self, p => sqlx::query_as(
            "SELECT request_id, period, title FROM request WHERE form_id = $1 AND issuer_unit_id = $2 ORDER BY period_start, request_id LIMIT 240")
            .bind(form_id).bind(issuer_unit_id).fetch_all(p).await)?;
        let mut out = Vec::with_capacity(requests.len());
        for (r, period, title) in requests {
            let row: Option<(i64, i64, i64)> = read!(self, p => sqlx::query_as(
                "SELECT total, n, hits FROM request_tally WHERE request_id = $1 AND unit_id = $2 AND key = $3")
                .bind(r).bind(unit_id).bind(key).fetch_optional(p).await)?;
            let mut t = row
                .map(|(total, n, hits)| Tally { total, n, hits })
                .unwrap_or_default();
            let own: Option<(Option<String>, bool)> = read!(self, p => sqlx::query_as(
                "SELECT contribution, responded_at IS NOT NULL FROM request_target WHERE request_id = $1 AND unit_id = $2")
                .bind(r).bind(unit_id).fetch_optional(p).await)?;
            if let Some((Some(c), true)) = own
                && let Ok(map) = serde_json::from_str::<BTreeMap<String, [i64; 3]>>(&c)
                && let Some(v) = map.get(key)
            {
                t += from_tally(*v);
            }
            let tallies = BTreeMap::from([(key.to_string(), t)]);
            let value = form
                .rollup_cells(&tallies, t.n)
                .into_iter()
                .find(|c| c.key == key)
                .and_then(|c| match c.value {
                    Some(congdoan_domain::form::Value::Num(n)) => Some(n),
                    _ => None,
                });
            let label = period.clone().unwrap_or(title);
            out.push((
                period.unwrap_or_default(),
                label,
                if t.n > 0 { value } else { None },
            ));
        }
        Ok(out)
    }

    /// How many units a report sent from a unit to the given unit types would reach
    /// (from the maintained figures, for the confirmation page).
    pub async fn report_target_estimate(
        &self,
        scope: &Scope,
        unit_id: i64,
        types: &[String],
    ) -> Result<i64> {
        let unit = self.unit(scope, unit_id).await?;
        scope.check_read(&unit.path)?;
        let mut n = 0;
        for t in types {
            n += self.stat(unit_id, "unit_type", t).await?;
        }
        Ok(n)
    }
}
