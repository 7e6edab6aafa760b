//! The library of good models (issue 15 item 8): mô hình hay, điển hình tiên tiến and
//! sáng kiến — what was done, where, its results with a few labelled figures, tags and
//! evidence files — and their replication ("nhân rộng"), sent as requests of kind
//! `replication` through the request mechanism (`requests.rs`): a target acknowledges
//! (adopted) and later implements (results reported); the model page reads the roll-up.
//!
//! **Who reads and writes.** Good models exist to be shared: every logged-in account
//! that holds a grant reads every model, its figures and files (a model is an account
//! of union work, not personal data). Writing — creating, editing, attaching files,
//! replicating — needs write access to the model's owner unit (the unit where it was
//! done); replication targets follow the rules of any request (`resolve_targets`).
//! The replications' per-unit responses (who adopted, their results) are shown to
//! readers of the target unit or of the issuer; everyone else sees the counts.
//!
//! **Search.** The folded words of title, summary, results and tags are kept in
//! `good_model_word`; each typed word is an indexed prefix range, so "sat co so"
//! finds "Sát cơ sở, gần công nhân" without scanning the library.

use crate::audit::audit;
use crate::requests::{NewFile, NewRequest, Owed, check_files};
use crate::{Result, Scope, Store, StoreError, now, read, write};
use congdoan_domain::request::{MAX_FILES_PER_TARGET, Rates, RequestKind, TargetSpec};
use congdoan_domain::text::{fold, fold_query_tokens, nfc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::{Date, OffsetDateTime};

/// Kinds of entry: (code, Vietnamese, English).
pub const MODEL_KINDS: [(&str, &str, &str); 3] = [
    ("mo_hinh", "Mô hình hay", "Good model"),
    ("dien_hinh", "Điển hình tiên tiến", "Advanced example"),
    ("sang_kien", "Sáng kiến", "Initiative"),
];

/// Models a library page shows.
pub const MODEL_PAGE: i64 = 30;
/// Most labelled figures and tags on one model.
pub const MAX_FIGURES: usize = 12;
pub const MAX_TAGS: usize = 12;

/// The Vietnamese and English names of a kind code.
pub fn model_kind_name(code: &str) -> (&'static str, &'static str) {
    MODEL_KINDS
        .iter()
        .find(|k| k.0 == code)
        .map_or(("", ""), |k| (k.1, k.2))
}

/// One labelled number ("Đoàn viên mới": 120).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Figure {
    pub label: String,
    pub value: i64,
}

/// A good model as listed and shown.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct GoodModel {
    pub model_id: i64,
    /// The unit where it was done (writes need write access to it).
    pub owner_unit_id: i64,
    pub owner_name: String,
    #[serde(skip)]
    pub owner_path: String,
    /// `mo_hinh`, `dien_hinh` or `sang_kien`.
    pub kind: String,
    pub title: String,
    /// What was done.
    pub summary: String,
    pub results: Option<String>,
    /// JSON of the figures (see [`GoodModel::figures`]).
    #[serde(skip)]
    pub figures: String,
    /// Tags as typed, comma separated.
    pub tags: String,
    pub started_on: Option<Date>,
    pub created_by_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Bumped by every edit; an edit names the version it started from.
    pub version: i64,
}

impl GoodModel {
    pub fn figure_list(&self) -> Vec<Figure> {
        serde_json::from_str(&self.figures).unwrap_or_default()
    }
    pub fn tag_list(&self) -> Vec<String> {
        split_tags(&self.tags)
    }
    pub fn kind_name(&self) -> (&'static str, &'static str) {
        model_kind_name(&self.kind)
    }
}

/// What a create or an edit writes.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ModelInput {
    pub owner_unit_id: i64,
    pub kind: String,
    pub title: String,
    pub summary: String,
    #[serde(default)]
    pub results: Option<String>,
    #[serde(default)]
    pub figures: Vec<Figure>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub started_on: Option<Date>,
}

/// A library query: words (accents optional), kind, tag, the owner's subtree, a page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ModelQuery {
    pub q: String,
    pub kind: String,
    pub tag: String,
    /// Only models done in this unit's subtree.
    pub unit: Option<i64>,
    pub page: i64,
}

/// An evidence file, without its bytes.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ModelFile {
    pub file_id: i64,
    pub model_id: i64,
    pub file_name: String,
    pub mime: String,
    pub size: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded_at: OffsetDateTime,
    pub uploaded_by: String,
}

/// A unit's answer to a replication request: adopted, results reported.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ReplicationResponse {
    pub unit_id: i64,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub state: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub responded_at: Option<OffsetDateTime>,
    pub response_text: Option<String>,
}

/// One replication of a model: the request, its counters from the roll-up, and the
/// responses the caller may read.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Replication {
    pub request_id: i64,
    pub issuer_unit_id: i64,
    pub issuer_name: String,
    pub issued_on: Date,
    pub due_on: Date,
    /// Asked (expected), adopted (acknowledged), results reported (received).
    pub rates: Rates,
    /// Whether the caller reads the issuer (and may open the request's board).
    pub issuer_view: bool,
    pub responses: Vec<ReplicationResponse>,
}

/// Replicating a model: who sends it, to whom, by when, with what instructions.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ReplicateInput {
    pub issuer_unit_id: i64,
    #[schema(value_type = Object)]
    pub targets: TargetSpec,
    pub due_on: Date,
    #[serde(default)]
    pub instructions: Option<String>,
}

/// A replication a unit owes, with its model.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReplicationOwed {
    pub model_id: Option<i64>,
    pub owed: Owed,
}

const MODEL_SELECT: &str = "SELECT m.model_id, m.owner_unit_id, u.name AS owner_name, u.path AS owner_path, m.kind, m.title, \
     m.summary, m.results, m.figures, m.tags, m.started_on, m.created_by_name, m.created_at, m.updated_at, m.version \
     FROM good_model m JOIN unit u ON u.unit_id = m.owner_unit_id ";

const FILE_SELECT: &str = "SELECT file_id, model_id, file_name, mime, size, uploaded_at, uploaded_by FROM good_model_file";

/// Tags typed as "a, b; c" → ["a", "b", "c"], NFC, trimmed, without repeats.
pub fn split_tags(s: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    s.split([',', ';', '\n'])
        .map(|t| nfc(t.trim()))
        .filter(|t| !t.is_empty() && seen.insert(fold(t)))
        .collect()
}

/// One problem of a model's input: (code, field, Vietnamese, English). Messages follow
/// the field's label ("Tên mô hình: …").
pub type ModelProblem = (&'static str, &'static str, String, String);

/// Every problem of an input at once (the form shows them all).
pub fn check_model(input: &ModelInput) -> Vec<ModelProblem> {
    let mut out: Vec<ModelProblem> = vec![];
    let mut p = |code, field, vi: &str, en: &str| out.push((code, field, vi.into(), en.into()));
    if !MODEL_KINDS.iter().any(|k| k.0 == input.kind) {
        p(
            "ST2501",
            "model_kind",
            "chọn mô hình hay, điển hình tiên tiến hoặc sáng kiến.",
            "choose a good model, an advanced example or an initiative.",
        );
    }
    let title = input.title.trim().chars().count();
    if title < 5 {
        p(
            "ST2502",
            "model_title",
            "ghi tên mô hình (ít nhất 5 ký tự).",
            "give the model's name (at least 5 characters).",
        );
    } else if title > 300 {
        p(
            "ST2503",
            "model_title",
            "dài quá 300 ký tự.",
            "is over 300 characters.",
        );
    }
    let summary = input.summary.trim().chars().count();
    if summary < 20 {
        p(
            "ST2504",
            "model_summary",
            "mô tả việc đã làm (ít nhất 20 ký tự) để đơn vị khác làm theo được.",
            "describe what was done (at least 20 characters) so others can follow it.",
        );
    } else if summary > 20_000 {
        p(
            "ST2505",
            "model_summary",
            "dài quá 20.000 ký tự; hãy đính kèm tệp.",
            "is over 20,000 characters; attach a file.",
        );
    }
    if input
        .results
        .as_ref()
        .is_some_and(|r| r.chars().count() > 20_000)
    {
        p(
            "ST2505",
            "model_results",
            "dài quá 20.000 ký tự; hãy đính kèm tệp.",
            "is over 20,000 characters; attach a file.",
        );
    }
    if input.figures.len() > MAX_FIGURES {
        p(
            "ST2506",
            "model_figures",
            &format!("ghi tối đa {MAX_FIGURES} số liệu."),
            &format!("give at most {MAX_FIGURES} figures."),
        );
    }
    for f in &input.figures {
        let n = f.label.trim().chars().count();
        if n == 0 || n > 80 {
            p(
                "ST2507",
                "model_figures",
                &format!(
                    "mỗi số liệu cần một tên ngắn (1–80 ký tự), ví dụ «Đoàn viên mới: 120»; «{}» không hợp lệ.",
                    f.label.trim()
                ),
                &format!(
                    "each figure needs a short label (1–80 characters), e.g. \"New members: 120\"; \"{}\" is not valid.",
                    f.label.trim()
                ),
            );
        }
        if f.value < 0 {
            p(
                "ST2508",
                "model_figures",
                &format!("số liệu «{}» không được âm.", f.label.trim()),
                &format!("figure \"{}\" cannot be negative.", f.label.trim()),
            );
        }
    }
    if input.tags.len() > MAX_TAGS {
        p(
            "ST2509",
            "model_tags",
            &format!("gắn tối đa {MAX_TAGS} nhãn."),
            &format!("give at most {MAX_TAGS} tags."),
        );
    }
    if let Some(t) = input.tags.iter().find(|t| t.chars().count() > 50) {
        p(
            "ST2510",
            "model_tags",
            &format!("nhãn «{t}» dài quá 50 ký tự."),
            &format!("tag \"{t}\" is over 50 characters."),
        );
    }
    if input
        .started_on
        .is_some_and(|d| d > congdoan_domain::date::today_vn())
    {
        p(
            "ST2511",
            "started_on",
            "không được sau hôm nay.",
            "cannot be after today.",
        );
    }
    out
}

fn first_problem(problems: Vec<ModelProblem>) -> Result<()> {
    match problems.into_iter().next() {
        None => Ok(()),
        Some((code, field, vi, en)) => Err(StoreError::Rule {
            code,
            field,
            message_vi: vi,
            message_en: en,
        }),
    }
}

/// The input cleaned for storing: NFC text, trimmed, tags without repeats.
fn clean(input: &ModelInput) -> ModelInput {
    let text = |s: &str| nfc(s.trim());
    ModelInput {
        owner_unit_id: input.owner_unit_id,
        kind: input.kind.trim().to_string(),
        title: text(&input.title),
        summary: text(&input.summary),
        results: input.results.as_deref().map(text).filter(|r| !r.is_empty()),
        figures: input
            .figures
            .iter()
            .map(|f| Figure {
                label: text(&f.label),
                value: f.value,
            })
            .collect(),
        tags: split_tags(&input.tags.join(",")),
        started_on: input.started_on,
    }
}

/// The distinct folded words a search can find the model by.
fn words_of(m: &ModelInput) -> BTreeSet<String> {
    let all = format!(
        "{} {} {} {}",
        m.title,
        m.summary,
        m.results.as_deref().unwrap_or(""),
        m.tags.join(" ")
    );
    fold(&all)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(60).collect())
        .collect()
}

/// Writes the word and tag rows of a model (after deleting the old ones on an edit).
macro_rules! write_index {
    ($tx:expr, $id:expr, $input:expr) => {{
        let words: Vec<String> = words_of($input).into_iter().collect();
        for chunk in words.chunks(500) {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO good_model_word (word, model_id) ");
            qb.push_values(chunk, |mut b, w| {
                b.push_bind(w.clone()).push_bind($id);
            });
            qb.build().execute(&mut *$tx).await?;
        }
        let mut keys = BTreeSet::new();
        for t in &$input.tags {
            let key = fold(t);
            if !key.is_empty() && keys.insert(key.clone()) {
                sqlx::query(
                    "INSERT INTO good_model_tag (tag_key, model_id, tag) VALUES ($1, $2, $3)",
                )
                .bind(key)
                .bind($id)
                .bind(t.clone())
                .execute(&mut *$tx)
                .await?;
            }
        }
    }};
}

macro_rules! insert_files {
    ($tx:expr, $id:expr, $files:expr, $at:expr, $actor:expr) => {
        for (f, mime) in $files {
            sqlx::query(
                "INSERT INTO good_model_file (model_id, file_name, mime, size, bytes, uploaded_at, uploaded_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind($id)
            .bind(&f.name)
            .bind(*mime)
            .bind(i64::try_from(f.bytes.len()).unwrap_or(i64::MAX))
            .bind(&f.bytes)
            .bind($at)
            .bind($actor)
            .execute(&mut *$tx)
            .await?;
        }
    };
}

fn figures_json(figures: &[Figure]) -> Result<String> {
    serde_json::to_string(figures).map_err(|e| StoreError::Config(e.to_string()))
}

impl Store {
    /// Whether the caller may read the library at all: any account holding a grant.
    fn check_library(scope: &Scope) -> Result<()> {
        if scope.is_admin() || !scope.read_paths().is_empty() {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The owner unit of a write: readable, writable, still active.
    async fn model_owner(&self, scope: &Scope, unit_id: i64) -> Result<crate::Unit> {
        let owner = self.unit(scope, unit_id).await?;
        scope.check_write(&owner.path)?;
        if owner.ended_on.is_some() {
            return Err(StoreError::rule(
                "ST2512",
                "owner",
                &format!("«{}» đã kết thúc hoạt động.", owner.name),
                &format!("{} has ended.", owner.name),
            ));
        }
        Ok(owner)
    }

    /// Records a good model of the owner unit, with its evidence files.
    #[tracing::instrument(skip(self, scope, input, files), fields(owner = input.owner_unit_id))]
    pub async fn create_model(
        &self,
        scope: &Scope,
        input: &ModelInput,
        files: Vec<NewFile>,
    ) -> Result<GoodModel> {
        let owner = self.model_owner(scope, input.owner_unit_id).await?;
        let m = clean(input);
        first_problem(check_model(&m))?;
        let files = check_files(files, MAX_FILES_PER_TARGET)?;
        let figures = figures_json(&m.figures)?;
        let at = now();
        let actor = scope.actor().username.clone();
        let id: i64 = write!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO good_model (owner_unit_id, kind, title, summary, results, figures, tags, search_key, started_on, \
                 created_by, created_by_name, created_at, updated_at, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 1) RETURNING model_id")
                .bind(owner.unit_id).bind(&m.kind).bind(&m.title).bind(&m.summary).bind(&m.results).bind(&figures)
                .bind(m.tags.join(", ")).bind(fold(&format!("{} {}", m.title, m.tags.join(" ")))).bind(m.started_on)
                .bind(scope.actor().account_id).bind(&actor).bind(at)
                .fetch_one(&mut *tx).await?;
            write_index!(tx, id, &m);
            insert_files!(tx, id, &files, at, &actor);
            audit!(&mut *tx, scope, "model_create", "good_model", Some(id), &owner.path,
                format!("Ghi mô hình «{}» của {}", m.title, owner.name), None,
                Some(serde_json::json!({ "kind": m.kind, "title": m.title, "figures": m.figures, "tags": m.tags, "files": files.len() })));
            tx.commit().await?;
            id
        });
        self.model(scope, id).await
    }

    /// Edits a model from the version the editor started from (a stale one gets
    /// `Conflict`); new files are added to the evidence.
    #[tracing::instrument(skip(self, scope, input, files))]
    pub async fn update_model(
        &self,
        scope: &Scope,
        model_id: i64,
        version: i64,
        input: &ModelInput,
        files: Vec<NewFile>,
    ) -> Result<GoodModel> {
        let before = self.model(scope, model_id).await?;
        scope.check_write(&before.owner_path)?;
        let owner = if input.owner_unit_id == before.owner_unit_id {
            self.unit(scope, before.owner_unit_id).await?
        } else {
            self.model_owner(scope, input.owner_unit_id).await?
        };
        let m = clean(input);
        first_problem(check_model(&m))?;
        let files = check_files(files, MAX_FILES_PER_TARGET)?;
        let existing: i64 = read!(self, p => sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM good_model_file WHERE model_id = $1")
            .bind(model_id).fetch_one(p).await)?;
        if existing as usize + files.len() > MAX_FILES_PER_TARGET * 2 {
            return Err(StoreError::rule(
                "ST2513",
                "file",
                &format!(
                    "một mô hình có tối đa {} tệp minh chứng.",
                    MAX_FILES_PER_TARGET * 2
                ),
                &format!(
                    "a model holds at most {} evidence files.",
                    MAX_FILES_PER_TARGET * 2
                ),
            ));
        }
        let figures = figures_json(&m.figures)?;
        let at = now();
        let actor = scope.actor().username.clone();
        write!(self, p => {
            let mut tx = p.begin().await?;
            let changed = sqlx::query(
                "UPDATE good_model SET owner_unit_id = $1, kind = $2, title = $3, summary = $4, results = $5, figures = $6, tags = $7, \
                 search_key = $8, started_on = $9, updated_at = $10, version = version + 1 WHERE model_id = $11 AND version = $12")
                .bind(owner.unit_id).bind(&m.kind).bind(&m.title).bind(&m.summary).bind(&m.results).bind(&figures)
                .bind(m.tags.join(", ")).bind(fold(&format!("{} {}", m.title, m.tags.join(" ")))).bind(m.started_on)
                .bind(at).bind(model_id).bind(version)
                .execute(&mut *tx).await?.rows_affected();
            if changed != 1 {
                return Err(StoreError::Conflict);
            }
            sqlx::query("DELETE FROM good_model_word WHERE model_id = $1").bind(model_id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM good_model_tag WHERE model_id = $1").bind(model_id).execute(&mut *tx).await?;
            write_index!(tx, model_id, &m);
            insert_files!(tx, model_id, &files, at, &actor);
            audit!(&mut *tx, scope, "model_update", "good_model", Some(model_id), &owner.path,
                format!("Sửa mô hình «{}»", m.title),
                Some(serde_json::json!({ "owner": before.owner_unit_id, "kind": before.kind, "title": before.title, "figures": before.figure_list(), "tags": before.tag_list() })),
                Some(serde_json::json!({ "owner": owner.unit_id, "kind": m.kind, "title": m.title, "figures": m.figures, "tags": m.tags, "files_added": files.len() })));
            tx.commit().await?;
        });
        self.model(scope, model_id).await
    }

    /// One model (readable by every official, see the module's rule).
    #[tracing::instrument(skip(self, scope))]
    pub async fn model(&self, scope: &Scope, model_id: i64) -> Result<GoodModel> {
        Self::check_library(scope)?;
        Ok(
            read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{MODEL_SELECT} WHERE m.model_id = $1")))
            .bind(model_id).fetch_one(p).await)?,
        )
    }

    /// A page of the library, most recently updated first; `true` when more follow.
    /// Each word of `q` must start a word of the model (accents optional), each an
    /// indexed range of `good_model_word`.
    #[tracing::instrument(skip(self, scope))]
    pub async fn models(&self, scope: &Scope, q: &ModelQuery) -> Result<(Vec<GoodModel>, bool)> {
        Self::check_library(scope)?;
        let words: Vec<String> = fold_query_tokens(&q.q).into_iter().take(8).collect();
        let tag = fold(&q.tag);
        let kind = q.kind.trim().to_string();
        let path = match q.unit {
            Some(u) => Some(self.unit(scope, u).await?.path),
            None => None,
        };
        let page = q.page.max(0);
        let mut rows: Vec<GoodModel> = read!(self, p => {
            let mut qb = sqlx::QueryBuilder::new(MODEL_SELECT);
            qb.push("WHERE 1 = 1");
            if !kind.is_empty() {
                qb.push(" AND m.kind = ").push_bind(kind.clone());
            }
            if !tag.is_empty() {
                qb.push(" AND m.model_id IN (SELECT model_id FROM good_model_tag WHERE tag_key = ").push_bind(tag.clone()).push(")");
            }
            for w in &words {
                qb.push(" AND m.model_id IN (SELECT model_id FROM good_model_word WHERE word >= ").push_bind(w.clone())
                    .push(" AND word < ").push_bind(format!("{w}~")).push(")");
            }
            if let Some(path) = &path {
                qb.push(" AND u.path >= ").push_bind(path.clone()).push(" AND u.path < ").push_bind(crate::scope::range_end(path));
            }
            qb.push(" ORDER BY m.updated_at DESC, m.model_id DESC LIMIT ").push_bind(MODEL_PAGE + 1)
                .push(" OFFSET ").push_bind(page * MODEL_PAGE);
            qb.build_query_as().fetch_all(p).await
        })?;
        let more = rows.len() as i64 > MODEL_PAGE;
        rows.truncate(MODEL_PAGE as usize);
        Ok((rows, more))
    }

    /// The most used tags (tag as typed, how many models), for the filter.
    pub async fn model_tags(
        &self,
        scope: &Scope,
        limit: i64,
    ) -> Result<Vec<(String, String, i64)>> {
        Self::check_library(scope)?;
        Ok(read!(self, p => sqlx::query_as(
            "SELECT tag_key, MIN(tag), CAST(COUNT(*) AS BIGINT) AS n FROM good_model_tag GROUP BY tag_key ORDER BY n DESC, tag_key LIMIT $1")
            .bind(limit).fetch_all(p).await)?)
    }

    /// A model's evidence files, oldest first.
    pub async fn model_files(&self, scope: &Scope, model_id: i64) -> Result<Vec<ModelFile>> {
        self.model(scope, model_id).await?;
        Ok(
            read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{FILE_SELECT} WHERE model_id = $1 ORDER BY file_id")))
            .bind(model_id).fetch_all(p).await)?,
        )
    }

    /// One evidence file with its bytes.
    pub async fn model_file(&self, scope: &Scope, file_id: i64) -> Result<(ModelFile, Vec<u8>)> {
        Self::check_library(scope)?;
        let f: ModelFile = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{FILE_SELECT} WHERE file_id = $1")))
            .bind(file_id).fetch_one(p).await)?;
        let bytes: Vec<u8> = read!(self, p => sqlx::query_scalar("SELECT bytes FROM good_model_file WHERE file_id = $1")
            .bind(file_id).fetch_one(p).await)?;
        Ok((f, bytes))
    }

    /// Sends a model to units to replicate ("nhân rộng"): a request of kind
    /// `replication` from `issuer_unit_id` (which the caller writes) to the target set,
    /// linked to the model. The request and the link are written one after the other:
    /// should the link fail, the request still stands (the units still owe it).
    #[tracing::instrument(skip(self, scope, input))]
    pub async fn replicate_model(
        &self,
        scope: &Scope,
        model_id: i64,
        input: ReplicateInput,
    ) -> Result<i64> {
        let model = self.model(scope, model_id).await?;
        let issuer = self.unit(scope, input.issuer_unit_id).await?;
        scope.check_write(&issuer.path)?;
        let today = congdoan_domain::date::today_vn();
        if input.due_on < today {
            return Err(StoreError::rule(
                "ST2514",
                "due_on",
                "hạn báo cáo kết quả phải từ hôm nay trở đi.",
                "the results due date cannot be in the past.",
            ));
        }
        let instructions = input
            .instructions
            .map(|s| nfc(s.trim()))
            .filter(|s| !s.is_empty());
        if instructions
            .as_ref()
            .is_some_and(|s| s.chars().count() > 20_000)
        {
            return Err(StoreError::rule(
                "ST2505",
                "instructions",
                "dài quá 20.000 ký tự; hãy đính kèm tệp.",
                "is over 20,000 characters; attach a file.",
            ));
        }
        let (kind_vi, _) = model.kind_name();
        let id = self
            .send_request(
                scope,
                NewRequest {
                    kind: RequestKind::Replication,
                    issuer,
                    doc: None,
                    title: format!("Nhân rộng {}: {}", kind_vi.to_lowercase(), model.title),
                    body: instructions,
                    form: None,
                    period: None,
                    issued_on: today,
                    due_on: input.due_on,
                    targets: input.targets,
                    files: vec![],
                },
            )
            .await?;
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("INSERT INTO good_model_replication (model_id, request_id) VALUES ($1, $2)")
                .bind(model_id).bind(id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "model_replicate", "good_model", Some(model_id), &model.owner_path,
                format!("Nhân rộng mô hình «{}» (yêu cầu {id})", model.title), None, None);
            tx.commit().await?;
        });
        Ok(id)
    }

    /// The model a replication request carries, if it is one.
    pub async fn model_of_request(&self, request_id: i64) -> Result<Option<i64>> {
        Ok(
            read!(self, p => sqlx::query_scalar("SELECT model_id FROM good_model_replication WHERE request_id = $1")
            .bind(request_id).fetch_optional(p).await)?,
        )
    }

    /// A model's replications, newest first (at most 20), each with its counters from
    /// the roll-up (unit 0: every target) and the responses the caller may read.
    #[tracing::instrument(skip(self, scope))]
    pub async fn model_replications(
        &self,
        scope: &Scope,
        model_id: i64,
    ) -> Result<Vec<Replication>> {
        self.model(scope, model_id).await?;
        let reqs: Vec<(i64, i64, String, String, Date, Date)> = read!(self, p => sqlx::query_as(
            "SELECT r.request_id, r.issuer_unit_id, iu.name, iu.path, r.issued_on, r.due_on FROM good_model_replication g \
             JOIN request r ON r.request_id = g.request_id JOIN unit iu ON iu.unit_id = r.issuer_unit_id \
             WHERE g.model_id = $1 ORDER BY r.issued_at DESC, r.request_id DESC LIMIT 20")
            .bind(model_id).fetch_all(p).await)?;
        let mut out = Vec::with_capacity(reqs.len());
        for (request_id, issuer_unit_id, issuer_name, issuer_path, issued_on, due_on) in reqs {
            let rates = self.rates_at(request_id, 0).await?;
            let issuer_view = scope.can_read(&issuer_path);
            let rows: Vec<ReplicationResponse> = read!(self, p => sqlx::query_as(
                "SELECT t.unit_id, u.name AS unit_name, u.path AS unit_path, t.state, t.acknowledged_at, t.responded_at, t.response_text \
                 FROM request_target t JOIN unit u ON u.unit_id = t.unit_id \
                 WHERE t.request_id = $1 AND t.acknowledged_at IS NOT NULL \
                 ORDER BY t.responded_at IS NULL, t.responded_at DESC, u.name LIMIT 200")
                .bind(request_id).fetch_all(p).await)?;
            let responses = rows
                .into_iter()
                .filter(|r| issuer_view || scope.can_read(&r.unit_path))
                .collect();
            out.push(Replication {
                request_id,
                issuer_unit_id,
                issuer_name,
                issued_on,
                due_on,
                rates,
                issuer_view,
                responses,
            });
        }
        Ok(out)
    }

    /// The replications a unit owes (or the caller's own units, at most 20 of them),
    /// open first, then newest deadline.
    #[tracing::instrument(skip(self, scope))]
    pub async fn replications_owed(
        &self,
        scope: &Scope,
        units: &[i64],
        limit: i64,
    ) -> Result<Vec<ReplicationOwed>> {
        let mut out = vec![];
        for &u in units.iter().take(20) {
            for owed in self
                .requests_owed(scope, u, Some(RequestKind::Replication), false, limit)
                .await?
            {
                let model_id = self.model_of_request(owed.request.request_id).await?;
                out.push(ReplicationOwed { model_id, owed });
            }
        }
        let open = |o: &ReplicationOwed| {
            o.owed.target.ended_on.is_none()
                && matches!(o.owed.target.state.as_str(), "pending" | "acknowledged")
        };
        out.sort_by(|a, b| {
            open(b)
                .cmp(&open(a))
                .then(b.owed.target.due_on.cmp(&a.owed.target.due_on))
        });
        out.truncate(limit.max(0) as usize);
        Ok(out)
    }

    /// To-do item: replications the given units owe and have not reported on, read
    /// through `request_target_unit_idx (unit_id, state)` and capped.
    pub(crate) async fn replication_todo(
        &self,
        roots: &[i64],
        link_unit: Option<i64>,
    ) -> Result<Option<crate::TodoItem>> {
        if roots.is_empty() || roots.len() > 100 {
            return Ok(None);
        }
        let ids = roots
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let cap = crate::COUNT_CAP;
        let owed: Vec<(String, Date)> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT t.state, t.due_on FROM request_target t JOIN request r ON r.request_id = t.request_id \
             WHERE t.unit_id IN ({ids}) AND t.state IN ('pending', 'acknowledged') AND t.ended_on IS NULL \
             AND r.kind = 'replication' ORDER BY t.due_on LIMIT {}", cap + 1)))
            .fetch_all(p).await)?;
        if owed.is_empty() {
            return Ok(None);
        }
        let more = owed.len() as i64 > cap;
        let today = congdoan_domain::date::today_vn();
        let late = owed.iter().any(|o| o.1 < today);
        Ok(Some(crate::TodoItem {
            kind: "replication_owed",
            severity: if late {
                crate::Severity::Urgent
            } else {
                crate::Severity::Soon
            },
            title_vi: "mô hình hay được đề nghị nhân rộng, chờ áp dụng hoặc báo cáo kết quả".into(),
            title_en: "good models to replicate, waiting for adoption or results".into(),
            count: (owed.len() as i64).min(cap),
            more,
            link: match link_unit {
                Some(u) => format!("/models/owed?unit={u}"),
                None => "/models/owed".into(),
            },
            due: owed.first().map(|o| o.1),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_split_and_dedupe_accent_insensitively() {
        assert_eq!(
            split_tags("Công nhân; cong nhan, Fanpage ,, "),
            vec!["Công nhân".to_string(), "Fanpage".to_string()]
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let p = check_model(&ModelInput {
            kind: "x".into(),
            title: "ab".into(),
            summary: "ngắn".into(),
            figures: vec![Figure {
                label: String::new(),
                value: -1,
            }],
            ..Default::default()
        });
        let fields: Vec<&str> = p.iter().map(|x| x.1).collect();
        assert_eq!(
            fields,
            vec![
                "model_kind",
                "model_title",
                "model_summary",
                "model_figures",
                "model_figures"
            ]
        );
    }

    #[test]
    fn words_are_folded() {
        let w = words_of(&ModelInput {
            title: "Sát cơ sở, gần công nhân".into(),
            summary: "Đi từng phòng trọ".into(),
            ..Default::default()
        });
        assert!(w.contains("sat") && w.contains("so") && w.contains("di") && w.contains("tro"));
    }
}
