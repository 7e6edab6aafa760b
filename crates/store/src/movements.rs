//! Emulation movements (phong trào thi đua, issue 15 item 1), over the request
//! mechanism (`requests.rs`):
//!
//! - **Launch.** Creating a movement launches it: one request of kind `registration`
//!   goes to the target units (`send_request_with`), and the movement row is written in
//!   that same transaction, so there is never a movement without its request.
//! - **Unit registration.** A unit registers by submitting its targets as the response
//!   values of its target (`request_step`, Submit): the counters, timeliness, the board
//!   and the to-do page ("Việc cần làm", REGISTRATIONS) come from the mechanism; the
//!   organiser may return or accept (approve) it there too.
//! - **Individual registration.** A member registers within a unit that received the
//!   movement (the member's unit or one above it is a target), in `movement_member`.
//! - **Progress.** Periodic self-reports are requests of kind `report` over a small
//!   form the movement owns (code `TDTT-<id>`, period per the cadence), sent for one
//!   period when the organiser asks: filling, reviewing, late lists, roll-ups and the
//!   to-do entries are then the report pages' own, nothing is written twice. (The
//!   registration's own target cannot carry them: it follows the form flow, which
//!   has no repeated step per period.)

use crate::audit::audit;
use crate::requests::{NewRequest, from_domain};
use crate::{Result, Scope, Store, StoreError, now, read, write};
use congdoan_domain::form::{Aggregation, Field, FieldKind, FormDef, Section};
use congdoan_domain::movement::{self as mv, Cadence, Goal, MovementDraft};
use congdoan_domain::request::{Action, Rates, RequestError, RequestKind, TargetSpec};
use congdoan_domain::text::nfc;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// Movements a list shows.
pub const MOVEMENT_PAGE: i64 = 50;

/// A movement as listed and shown.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Movement {
    pub movement_id: i64,
    pub issuer_unit_id: i64,
    pub issuer_name: String,
    #[serde(skip)]
    pub issuer_path: String,
    pub code: String,
    pub name: String,
    /// `thuong_xuyen` or `theo_dot`.
    pub level: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub registration_due: Date,
    /// `none`, `quarter` or `half`.
    pub cadence: String,
    /// The launching directive (a request id), if cited.
    pub directive_id: Option<i64>,
    /// The registration request sent to the target units.
    pub request_id: i64,
    pub created_by_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Movement {
    pub fn cadence(&self) -> Cadence {
        Cadence::parse(&self.cadence).unwrap_or_default()
    }
    pub fn level_name(&self) -> (&'static str, &'static str) {
        mv::level_name(&self.level)
    }
}

/// What creating (and launching) a movement takes.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct MovementInput {
    pub issuer_unit_id: i64,
    pub code: String,
    pub name: String,
    /// `thuong_xuyen` or `theo_dot`.
    pub level: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub registration_due: Date,
    /// `none`, `quarter` or `half`.
    #[serde(default = "no_cadence")]
    pub cadence: String,
    /// The launching directive's request id.
    #[serde(default)]
    pub directive_id: Option<i64>,
    /// What the movement asks, how (the launching letter's text).
    #[serde(default)]
    pub description: Option<String>,
    #[schema(value_type = Object)]
    pub targets: TargetSpec,
    /// The launch date, for loaders recording a past movement (the demo); today when
    /// None. Pages and the API never set it.
    #[serde(skip)]
    pub issued_on: Option<Date>,
}

fn no_cadence() -> String {
    "none".into()
}

/// The row a launch writes with its request (see `insert_movement!`).
#[derive(Debug, Clone)]
pub(crate) struct MovementRow {
    issuer_unit_id: i64,
    issuer_path: String,
    code: String,
    name: String,
    level: String,
    starts_on: Date,
    ends_on: Date,
    registration_due: Date,
    cadence: &'static str,
    directive_id: Option<i64>,
}

/// Writes the movement row of a registration request inside the request's transaction
/// (`send_request_with`), with its audit row.
macro_rules! insert_movement {
    ($tx:expr, $scope:expr, $request_id:expr, $m:expr, $at:expr) => {{
        let m: &$crate::movements::MovementRow = $m;
        let mid: i64 = sqlx::query_scalar(
            "INSERT INTO movement (issuer_unit_id, code, name, search_key, level, starts_on, ends_on, registration_due, cadence, \
             directive_id, request_id, created_by, created_by_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING movement_id")
            .bind(m.issuer_unit_id()).bind(m.code()).bind(m.name()).bind(congdoan_domain::text::fold(m.name()))
            .bind(m.level()).bind(m.starts_on()).bind(m.ends_on()).bind(m.registration_due()).bind(m.cadence())
            .bind(m.directive_id()).bind($request_id).bind($scope.actor().account_id).bind($scope.actor().username.clone()).bind($at)
            .fetch_one(&mut *$tx).await.map_err(|e| match $crate::StoreError::from(e) {
                $crate::StoreError::Duplicate { .. } => $crate::StoreError::rule("ST2701", "movement_code",
                    "đơn vị đã có phong trào mang mã này.", "the unit already has a movement with this code."),
                other => other,
            })?;
        $crate::audit::audit!(&mut *$tx, $scope, "movement_launch", "movement", Some(mid), m.issuer_path(),
            format!("Phát động phong trào «{}» ({})", m.name(), m.code()), None,
            Some(serde_json::json!({ "code": m.code(), "starts_on": m.starts_on(), "ends_on": m.ends_on(), "request_id": $request_id })));
    }};
}
pub(crate) use insert_movement;

impl MovementRow {
    pub(crate) fn issuer_unit_id(&self) -> i64 {
        self.issuer_unit_id
    }
    pub(crate) fn issuer_path(&self) -> &str {
        &self.issuer_path
    }
    pub(crate) fn code(&self) -> &str {
        &self.code
    }
    pub(crate) fn name(&self) -> &str {
        &self.name
    }
    pub(crate) fn level(&self) -> &str {
        &self.level
    }
    pub(crate) fn starts_on(&self) -> Date {
        self.starts_on
    }
    pub(crate) fn ends_on(&self) -> Date {
        self.ends_on
    }
    pub(crate) fn registration_due(&self) -> Date {
        self.registration_due
    }
    pub(crate) fn cadence(&self) -> &'static str {
        self.cadence
    }
    pub(crate) fn directive_id(&self) -> Option<i64> {
        self.directive_id
    }
}

/// A unit's registration: its target on the request, with the targets it registered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitRegistration {
    pub unit_id: i64,
    pub unit_name: String,
    /// The target's state (`submitted`, `approved`, `returned`…).
    pub state: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub registered_at: Option<OffsetDateTime>,
    pub on_time: bool,
    #[schema(value_type = Vec<Object>)]
    pub goals: Vec<GoalOut>,
}

/// A registered target, as shown and answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GoalOut {
    pub text: String,
    pub goal: Option<i64>,
}

impl From<Goal> for GoalOut {
    fn from(g: Goal) -> GoalOut {
        GoalOut {
            text: g.text,
            goal: g.goal,
        }
    }
}

/// A member's registration.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MemberRegistration {
    pub member_id: i64,
    pub full_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    #[serde(skip)]
    pub goals_json: String,
    #[serde(with = "time::serde::rfc3339")]
    pub registered_at: OffsetDateTime,
    pub registered_by: String,
}

impl MemberRegistration {
    pub fn goals(&self) -> Vec<GoalOut> {
        serde_json::from_str(&self.goals_json).unwrap_or_default()
    }
}

/// A movement with what its page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MovementDetail {
    pub movement: Movement,
    /// The launching letter's text (the request's body).
    pub description: Option<String>,
    /// The launching directive's number and title, if cited and readable.
    pub directive: Option<(i64, String)>,
    /// Expected = units asked, received = registered, on time.
    pub rates: Rates,
    /// Whether the caller reads the issuer (sees the board and every registration).
    pub issuer_view: bool,
    /// Whether the caller writes the issuer (returns, accepts, asks for progress).
    pub organiser: bool,
    /// The progress requests sent so far: (request id, period code, rates).
    #[schema(value_type = Vec<Object>)]
    pub progress: Vec<(i64, String, Rates)>,
}

const MOVEMENT_SELECT: &str = "SELECT m.movement_id, m.issuer_unit_id, u.name AS issuer_name, u.path AS issuer_path, m.code, m.name, m.level, \
     m.starts_on, m.ends_on, m.registration_due, m.cadence, m.directive_id, m.request_id, m.created_by_name, m.created_at \
     FROM movement m JOIN unit u ON u.unit_id = m.issuer_unit_id ";

/// The draft of an input, for the domain's checks.
pub fn movement_draft(input: &MovementInput) -> MovementDraft {
    MovementDraft {
        code: input.code.trim().to_string(),
        name: nfc(input.name.trim()),
        level: input.level.trim().to_string(),
        starts_on: Some(input.starts_on),
        ends_on: Some(input.ends_on),
        registration_due: Some(input.registration_due),
        cadence: Cadence::parse(&input.cadence).unwrap_or_default(),
    }
}

/// The form a movement's progress reports are filled on.
fn progress_form(m: &Movement) -> FormDef {
    let kind = m.cadence().period_type().map_or("quarter", |p| p.code());
    let text = |key: &str, label: &str| Field::new(key, label, FieldKind::Text { max_len: 4000 });
    FormDef {
        code: format!("TDTT-{}", m.movement_id),
        title: format!("Tiến độ thực hiện phong trào «{}»", m.name),
        period: kind.to_string(),
        due_days: 10,
        filled_by: vec!["CDCS".into()],
        sections: vec![Section {
            title: "Kết quả thực hiện chỉ tiêu đã đăng ký".into(),
            fields: vec![
                Field::new(
                    "percent_done",
                    "Mức hoàn thành chung (%)",
                    FieldKind::Percent,
                )
                .aggregation(Aggregation::Average)
                .required(),
                text("results", "Kết quả nổi bật trong kỳ").required(),
                text("difficulties", "Khó khăn, kiến nghị"),
            ],
        }],
        rules: vec![],
    }
}

fn rule_of(e: RequestError) -> StoreError {
    from_domain(e)
}

impl Store {
    /// Creates a movement and launches it: the registration request to the target
    /// units and the movement row commit together.
    #[tracing::instrument(skip(self, scope, input), fields(issuer = input.issuer_unit_id))]
    pub async fn create_movement(&self, scope: &Scope, input: MovementInput) -> Result<Movement> {
        let issuer = self.unit(scope, input.issuer_unit_id).await?;
        scope.check_write(&issuer.path)?;
        let draft = movement_draft(&input);
        if let Some(e) = mv::check_movement(&draft).into_iter().next() {
            return Err(rule_of(e));
        }
        let Some(cadence) = Cadence::parse(&input.cadence) else {
            return Err(StoreError::rule(
                "ST2702",
                "cadence",
                "chọn không báo cáo, hằng quý hoặc 6 tháng.",
                "choose none, quarterly or every 6 months.",
            ));
        };
        let today = input
            .issued_on
            .unwrap_or_else(congdoan_domain::date::today_vn);
        if input.registration_due < today {
            return Err(StoreError::rule(
                "ST2703",
                "registration_due",
                "hạn đăng ký phải từ hôm nay trở đi.",
                "the registration due date cannot be in the past.",
            ));
        }
        if let Some(d) = input.directive_id {
            self.movement_directive(scope, d).await?;
        }
        let description = input
            .description
            .as_deref()
            .map(|s| nfc(s.trim()))
            .filter(|s| !s.is_empty());
        if description
            .as_ref()
            .is_some_and(|s| s.chars().count() > 20_000)
        {
            return Err(StoreError::rule(
                "ST1911",
                "description",
                "dài quá 20.000 ký tự; hãy đính kèm tệp.",
                "is over 20,000 characters; attach a file.",
            ));
        }
        let row = MovementRow {
            issuer_unit_id: issuer.unit_id,
            issuer_path: issuer.path.clone(),
            code: draft.code.clone(),
            name: draft.name.clone(),
            level: draft.level.clone(),
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            registration_due: input.registration_due,
            cadence: cadence.code(),
            directive_id: input.directive_id,
        };
        let request_id = self
            .send_request_with(
                scope,
                NewRequest {
                    kind: RequestKind::Registration,
                    issuer,
                    doc: None,
                    title: format!("Đăng ký thi đua: {}", draft.name),
                    body: description,
                    form: None,
                    period: None,
                    issued_on: today,
                    due_on: input.registration_due,
                    targets: input.targets,
                    files: vec![],
                },
                Some(&row),
            )
            .await?;
        let id: i64 = read!(self, p => sqlx::query_scalar("SELECT movement_id FROM movement WHERE request_id = $1")
            .bind(request_id).fetch_one(p).await)?;
        self.movement(scope, id).await
    }

    /// A launching directive: a directive the caller reads.
    pub async fn movement_directive(
        &self,
        scope: &Scope,
        request_id: i64,
    ) -> Result<crate::Request> {
        let bad = || {
            StoreError::rule(
                "ST2704",
                "directive",
                "không tìm thấy văn bản chỉ đạo này.",
                "no such directive.",
            )
        };
        let d = self.request(scope, request_id).await.map_err(|_| bad())?;
        if d.request.kind() != RequestKind::Directive {
            return Err(bad());
        }
        Ok(d.request)
    }

    /// One movement: the caller reads its issuer or one of the units asked.
    #[tracing::instrument(skip(self, scope))]
    pub async fn movement(&self, scope: &Scope, movement_id: i64) -> Result<Movement> {
        let m: Movement = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{MOVEMENT_SELECT} WHERE m.movement_id = $1")))
            .bind(movement_id).fetch_one(p).await)?;
        // The request answers not-found unless the caller reads the issuer or a target.
        self.request(scope, m.request_id).await?;
        Ok(m)
    }

    /// A movement's registration counters (every unit asked: the roll-up's unit 0).
    pub async fn movement_rates(&self, m: &Movement) -> Result<Rates> {
        self.rates_at(m.request_id, 0).await
    }

    /// The movement a registration request belongs to.
    pub async fn movement_of_request(&self, scope: &Scope, request_id: i64) -> Result<Movement> {
        let id: i64 = read!(self, p => sqlx::query_scalar("SELECT movement_id FROM movement WHERE request_id = $1")
            .bind(request_id).fetch_one(p).await)?;
        self.movement(scope, id).await
    }

    /// A movement with its counters, launching directive and progress requests.
    #[tracing::instrument(skip(self, scope))]
    pub async fn movement_detail(&self, scope: &Scope, movement_id: i64) -> Result<MovementDetail> {
        let movement = self.movement(scope, movement_id).await?;
        let request = self.request(scope, movement.request_id).await?;
        let directive = match movement.directive_id {
            Some(d) => self.request(scope, d).await.ok().map(|r| {
                (
                    d,
                    match r.request.doc_number {
                        Some(n) => format!("{n}: {}", r.request.title),
                        None => r.request.title,
                    },
                )
            }),
            None => None,
        };
        let rates = self.rates_at(movement.request_id, 0).await?;
        let form = self.progress_form_id(&movement).await?;
        let mut progress = vec![];
        if let Some(form_id) = form {
            let rows: Vec<(i64, Option<String>)> = read!(self, p => sqlx::query_as(
                "SELECT request_id, period FROM request WHERE form_id = $1 AND issuer_unit_id = $2 ORDER BY period_start, request_id")
                .bind(form_id).bind(movement.issuer_unit_id).fetch_all(p).await)?;
            for (rid, period) in rows {
                progress.push((
                    rid,
                    period.unwrap_or_default(),
                    self.rates_at(rid, 0).await?,
                ));
            }
        }
        Ok(MovementDetail {
            issuer_view: scope.can_read(&movement.issuer_path),
            organiser: scope.can_write(&movement.issuer_path),
            description: request.request.body,
            directive,
            rates,
            progress,
            movement,
        })
    }

    /// Movements the caller sees: launched by a unit it reads, or sent to one of
    /// `units` (the caller's own units), newest first, at most [`MOVEMENT_PAGE`].
    #[tracing::instrument(skip(self, scope))]
    pub async fn movements(&self, scope: &Scope, units: &[i64]) -> Result<Vec<Movement>> {
        let ids = units
            .iter()
            .take(100)
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        Ok(read!(self, p => {
            let mut qb = sqlx::QueryBuilder::new(MOVEMENT_SELECT);
            qb.push("WHERE (");
            scope.push_read_filter(&mut qb, "u.path");
            if !ids.is_empty() {
                qb.push(format!(" OR m.request_id IN (SELECT t.request_id FROM request_target t WHERE t.unit_id IN ({ids}))"));
            }
            qb.push(") ORDER BY m.starts_on DESC, m.movement_id DESC LIMIT ").push_bind(MOVEMENT_PAGE);
            qb.build_query_as().fetch_all(p).await
        })?)
    }

    /// A unit registers its targets: its target on the registration request is
    /// submitted with the targets as values (a returned registration is sent again).
    /// `at` dates a past registration (loaders only; now when None).
    #[tracing::instrument(skip(self, scope, goals))]
    pub async fn register_unit(
        &self,
        scope: &Scope,
        movement_id: i64,
        unit_id: i64,
        goals: Vec<Goal>,
        at: Option<OffsetDateTime>,
    ) -> Result<crate::Target> {
        let m = self.movement(scope, movement_id).await?;
        if goals.is_empty() {
            return Err(rule_of(mv::parse_goals(&[]).unwrap_err()));
        }
        let values =
            serde_json::to_string(&goals).map_err(|e| StoreError::Config(e.to_string()))?;
        self.request_step(
            scope,
            m.request_id,
            unit_id,
            Action::Submit,
            crate::StepInput {
                values: Some(values),
                at,
                ..Default::default()
            },
            at.map_or_else(congdoan_domain::date::today_vn, |a| a.date()),
        )
        .await
    }

    /// The registrations of the units the caller reads (the organiser reads them all),
    /// registered first, at most 200.
    pub async fn unit_registrations(
        &self,
        scope: &Scope,
        movement_id: i64,
    ) -> Result<Vec<UnitRegistration>> {
        let m = self.movement(scope, movement_id).await?;
        let issuer_view = scope.can_read(&m.issuer_path);
        let rows: Vec<crate::Target> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{} WHERE t.request_id = $1 AND t.responded_at IS NOT NULL ORDER BY t.responded_at, u.name LIMIT 200",
            crate::requests::TARGET_SELECT)))
            .bind(m.request_id).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .filter(|t| issuer_view || scope.can_read(&t.unit_path))
            .map(|t| UnitRegistration {
                goals: goals_of(t.response_values.as_deref()),
                unit_id: t.unit_id,
                unit_name: t.unit_name,
                state: t.state,
                registered_at: t.responded_at,
                on_time: t.on_time,
            })
            .collect())
    }

    /// A member registers within a unit asked by the movement (the member's unit or an
    /// ancestor is a target); registering again replaces their targets.
    #[tracing::instrument(skip(self, scope, goals))]
    pub async fn register_member(
        &self,
        scope: &Scope,
        movement_id: i64,
        member_id: i64,
        goals: Vec<Goal>,
    ) -> Result<MemberRegistration> {
        let m = self.movement(scope, movement_id).await?;
        let member = self.member(scope, member_id).await?;
        scope.check_write(&member.path)?;
        if goals.is_empty() {
            return Err(rule_of(mv::parse_goals(&[]).unwrap_err()));
        }
        let ids = crate::requests::path_ids(&member.path)
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let asked: Option<i64> = read!(self, p => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT unit_id FROM request_target WHERE request_id = $1 AND unit_id IN ({ids}) AND ended_on IS NULL LIMIT 1")))
            .bind(m.request_id).fetch_optional(p).await)?;
        if asked.is_none() {
            return Err(StoreError::rule(
                "ST2705",
                "member",
                &format!(
                    "{} không thuộc đơn vị nào được phát động phong trào này.",
                    member.full_name
                ),
                &format!(
                    "{} is not in a unit this movement was sent to.",
                    member.full_name
                ),
            ));
        }
        let json = serde_json::to_string(&goals).map_err(|e| StoreError::Config(e.to_string()))?;
        let at = now();
        let actor = scope.actor().username.clone();
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM movement_member WHERE movement_id = $1 AND member_id = $2")
                .bind(movement_id).bind(member_id).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO movement_member (movement_id, member_id, unit_id, goals, registered_at, registered_by) \
                         VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(movement_id).bind(member_id).bind(member.unit_id).bind(&json).bind(at).bind(&actor)
                .execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "movement_register_member", "movement", Some(movement_id), &member.path,
                format!("{} đăng ký thi đua «{}»", member.full_name, m.name), None,
                Some(serde_json::json!({ "member_id": member_id, "goals": goals })));
            tx.commit().await?;
        });
        self.member_registrations(scope, movement_id, Some(member_id))
            .await?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound)
    }

    /// Individual registrations the caller reads (or one member's), newest first, at
    /// most 200.
    pub async fn member_registrations(
        &self,
        scope: &Scope,
        movement_id: i64,
        member_id: Option<i64>,
    ) -> Result<Vec<MemberRegistration>> {
        self.movement(scope, movement_id).await?;
        Ok(read!(self, p => {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT r.member_id, mb.full_name, r.unit_id, u.name AS unit_name, u.path AS unit_path, r.goals AS goals_json, \
                 r.registered_at, r.registered_by FROM movement_member r JOIN member mb ON mb.member_id = r.member_id \
                 JOIN unit u ON u.unit_id = r.unit_id WHERE r.movement_id = ");
            qb.push_bind(movement_id);
            if let Some(mid) = member_id {
                qb.push(" AND r.member_id = ").push_bind(mid);
            }
            qb.push(" AND ");
            scope.push_read_filter(&mut qb, "u.path");
            qb.push(" ORDER BY r.registered_at DESC LIMIT 200");
            qb.build_query_as().fetch_all(p).await
        })?)
    }

    async fn progress_form_id(&self, m: &Movement) -> Result<Option<i64>> {
        Ok(
            read!(self, p => sqlx::query_scalar("SELECT form_id FROM report_form WHERE owner_unit_id = $1 AND code = $2")
            .bind(m.issuer_unit_id).bind(format!("TDTT-{}", m.movement_id)).fetch_optional(p).await)?,
        )
    }

    /// Asks the movement's units for their progress in one period (a report request
    /// over the movement's progress form, created the first time). Sent to the units
    /// that registered, else to every unit asked.
    #[tracing::instrument(skip(self, scope))]
    pub async fn request_progress(
        &self,
        scope: &Scope,
        movement_id: i64,
        period: &str,
    ) -> Result<crate::Request> {
        let m = self.movement(scope, movement_id).await?;
        scope.check_write(&m.issuer_path)?;
        let Some(kind) = m.cadence().period_type() else {
            return Err(StoreError::rule(
                "ST2706",
                "period",
                "phong trào này không báo cáo tiến độ định kỳ.",
                "this movement has no periodic progress report.",
            ));
        };
        let p = congdoan_domain::request::Period::parse(kind, period).map_err(from_domain)?;
        if !mv::progress_periods(m.cadence(), m.starts_on, m.ends_on).contains(&p) {
            return Err(StoreError::rule(
                "ST2707",
                "period",
                &format!("kỳ {} nằm ngoài thời gian phong trào.", p.label_vi()),
                &format!("{} is outside the movement's dates.", p.code()),
            ));
        }
        let form_id = match self.progress_form_id(&m).await? {
            Some(id) => id,
            None => {
                self.create_form(scope, m.issuer_unit_id, progress_form(&m))
                    .await?
                    .form_id
            }
        };
        let registered: Vec<i64> = read!(self, p2 => sqlx::query_scalar(
            "SELECT unit_id FROM request_target WHERE request_id = $1 AND responded_at IS NOT NULL AND ended_on IS NULL ORDER BY unit_id")
            .bind(m.request_id).fetch_all(p2).await)?;
        let targets = if registered.is_empty() {
            let spec: String = read!(self, p2 => sqlx::query_scalar("SELECT target_spec FROM request WHERE request_id = $1")
                .bind(m.request_id).fetch_one(p2).await)?;
            serde_json::from_str(&spec).map_err(|e| StoreError::Config(e.to_string()))?
        } else {
            TargetSpec::Units { units: registered }
        };
        let today = congdoan_domain::date::today_vn();
        self.send_report(
            scope,
            crate::NewReport {
                issuer_unit_id: m.issuer_unit_id,
                form_id,
                period: Some(p.code()),
                due_on: Some((p.end() + time::Duration::days(10)).max(today)),
                title: Some(format!(
                    "Tiến độ phong trào «{}» — {}",
                    m.name,
                    p.label_vi()
                )),
                targets: Some(targets),
                issued_on: today,
            },
        )
        .await
    }
}

/// The targets stored as a registration's values.
pub fn goals_of(values: Option<&str>) -> Vec<GoalOut> {
    values
        .and_then(|v| serde_json::from_str::<Vec<Goal>>(v).ok())
        .unwrap_or_default()
        .into_iter()
        .map(GoalOut::from)
        .collect()
}
