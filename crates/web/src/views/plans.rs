//! Pages for restructuring plans (phương án sắp xếp tổ chức): the list, the editor
//! with its operations, the preview (changes, findings, intermediaries, the upper
//! tree before and after side by side), apply, schedule and cancel.

use super::confirm::{self, ConfirmPage, Impact};
use super::pick::{self, FormState, Pairs};
use super::units::store_errors;
use super::{Chrome, PageResult, UnitParam, optional_unit, render, see_other};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::FieldError;
use crate::forms::parse_date_req;
use crate::{AppError, AppState, today};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use congdoan_domain::Lang;
use congdoan_domain::reform::UnderCriteria;
use congdoan_domain::restructure::{MemberReturn, Op, PlanUnit, SplitPart, TypeRule, UnitRef};
use congdoan_store::{Plan, Unit};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/plans", get(plans_page).post(create_plan))
        .route("/plans/reform", post(reform_plan))
        .route("/plans/{id}", get(plan_page))
        .route("/plans/{id}/ops", post(add_op))
        .route("/plans/{id}/ops/{n}/delete", post(delete_op))
        .route("/plans/{id}/apply", post(apply_plan))
        .route("/plans/{id}/cancel", post(cancel_plan))
        .route("/plans/{id}/revert", post(revert_plan))
}

pub fn status_label(status: &str, lang: Lang) -> &'static str {
    let (vi, en) = match status {
        "draft" => ("Dự thảo", "Draft"),
        "scheduled" => ("Đã hẹn ngày áp dụng", "Scheduled"),
        "applied" => ("Đã áp dụng", "Applied"),
        "cancelled" => ("Đã huỷ", "Cancelled"),
        "reverted" => ("Đã hoàn tác", "Reverted"),
        _ => ("?", "?"),
    };
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    chrome: Chrome,
    unit: Option<Unit>,
    can_create: bool,
    plans: Vec<(Plan, &'static str)>,
    /// For the 2025 reform form: the federations that can receive (the unit itself, or
    /// the provincial federations below it, which can then also merge into each other).
    federations: Vec<(i64, String)>,
    can_merge: bool,
    form: FormState,
}

async fn plans_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitParam>,
) -> PageResult {
    plans_page_with(&st, &user, q.unit, FormState::default()).await
}

async fn plans_page_with(
    st: &AppState,
    user: &CurrentUser,
    unit: Option<i64>,
    mut form: FormState,
) -> PageResult {
    form.lang = user.lang;
    let tr = user.tr();
    let unit = optional_unit(st, user, unit).await?;
    let plans = st
        .store
        .plans(&user.scope)
        .await?
        .into_iter()
        .filter(|p| unit.as_ref().is_none_or(|u| p.path.starts_with(&u.path)))
        .map(|p| {
            let label = status_label(&p.status, user.lang);
            (p, label)
        })
        .collect();
    let can_create = unit.as_ref().is_some_and(|u| user.scope.can_write(&u.path));
    let (mut federations, mut can_merge) = (vec![], false);
    if let Some(u) = unit.as_ref().filter(|_| can_create) {
        if u.type_code == "LDLD_TINH" && u.ended_on.is_none() {
            federations.push((u.unit_id, u.name.clone()));
        } else {
            for c in st
                .store
                .tree_children(&user.scope, u.unit_id, today())
                .await?
            {
                if c.type_code == "LDLD_TINH" && c.ended_on.is_none() {
                    federations.push((c.unit_id, c.name));
                }
            }
            can_merge = !federations.is_empty();
        }
    }
    let errors = form.has_errors();
    let page = render(PlansPage {
        chrome: Chrome::new(
            user,
            tr.s("Phương án sắp xếp tổ chức", "Restructuring plans"),
        ),
        can_create,
        unit,
        plans,
        can_merge,
        federations,
        form,
    })?;
    Ok(pick::unprocessable(page, errors))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewPlanForm {
    unit: i64,
    name: String,
    effective_date: String,
}

async fn create_plan(
    State(st): State<AppState>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let f: NewPlanForm = pick::merged(&pairs)?;
    let mut errs = vec![];
    let on = parse_date_req(&f.effective_date, "effective_date", &mut errs);
    if f.name.trim().chars().count() < 3 {
        errs.push(FieldError::new(
            "name",
            "WE0602",
            "ghi tên phương án (ít nhất 3 ký tự).",
            "give the plan a name (at least 3 characters).",
        ));
    }
    let result = match on.filter(|_| errs.is_empty()) {
        Some(on) => match st.store.create_plan(&user.scope, f.unit, &f.name, on).await {
            Ok(plan) => return see_other(&format!("/plans/{}", plan.plan_id)),
            Err(e) => store_errors(e, "name")?,
        },
        None => errs,
    };
    let fs = FormState::new("new-plan", pairs, result, user.lang);
    plans_page_with(&st, &user, Some(f.unit), fs).await
}

/// Scheduled plans taking effect by `as_of` (a future date), each with the upper tree
/// of its owner as it will stand after it and the plans before it: what "the tree as
/// of" a later day shows.
pub(super) async fn scheduled_trees(
    st: &AppState,
    user: &CurrentUser,
    as_of: time::Date,
) -> Result<Vec<(Plan, Vec<TreeLine>)>, AppError> {
    let mut out = vec![];
    for (plan, types, outcome) in st.store.scheduled_outcomes(&user.scope, as_of).await? {
        if let Ok(o) = &outcome {
            let lines = upper_tree(&o.after, &types, plan.owner_unit_id);
            out.push((plan, lines));
        }
    }
    Ok(out)
}

/// Generates the 2025 reform as a draft plan and opens it for review. The form is
/// read as pairs because the merged federations are repeated checkboxes.
async fn reform_plan(
    State(st): State<AppState>,
    CsrfForm(user, pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let field = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map_or("", |(_, v)| v.as_str())
    };
    let mut errs = vec![];
    let on = parse_date_req(field("effective_date"), "effective_date", &mut errs);
    let federation = field("federation").parse::<i64>().ok();
    if federation.is_none() {
        errs.push(FieldError::new(
            "federation",
            "VL0732",
            "chọn một Liên đoàn Lao động tỉnh.",
            "choose a provincial federation.",
        ));
    }
    let unit = field("unit").parse::<i64>().ok().or(federation);
    let again = |errs| {
        let fs = FormState::new("reform-2025", pairs.clone(), errs, user.lang);
        plans_page_with(&st, &user, unit, fs)
    };
    let (Some(on), Some(federation)) = (on, federation) else {
        return again(errs).await;
    };
    let merged: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "merged")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let under = match field("under_criteria") {
        "federation" => UnderCriteria::Federation,
        _ => UnderCriteria::Neighbours,
    };
    match st
        .store
        .reform_plan(&user.scope, federation, &merged, on, under, field("name"))
        .await
    {
        Ok(plan) => see_other(&format!("/plans/{}", plan.plan_id)),
        Err(e) => again(store_errors(e, "federation")?).await,
    }
}

/// One line of the preview's list of changes.
struct ChangeLine {
    what: &'static str,
    name: String,
    before: String,
    after: String,
}

/// One upper-level unit in the side-by-side tree, with what lies below it.
pub(super) struct TreeLine {
    pub(super) indent: usize,
    pub(super) name: String,
    pub(super) ended: bool,
    pub(super) cdcs: i64,
    pub(super) members: i64,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    chrome: Chrome,
    /// The result of the action that led here.
    notice: Option<String>,
    status: &'static str,
    owner: Unit,
    can_edit: bool,
    /// An applied plan the user may revert (by generating its inverse).
    can_revert: bool,
    today: time::Date,
    ops: Vec<String>,
    error: Option<String>,
    changes: Vec<ChangeLine>,
    findings: Vec<(bool, String)>,
    counts: Vec<(&'static str, i64)>,
    intermediaries: Vec<(i64, i64, i64)>,
    /// The tree before and after: (label, element id, lines).
    trees: Vec<(&'static str, &'static str, Vec<TreeLine>)>,
    types: Vec<(String, String)>,
    plan: Plan,
    /// A form of this page posted with errors or a picker search.
    form: FormState,
}

fn name_of(units: &BTreeMap<i64, PlanUnit>, id: Option<i64>) -> String {
    id.and_then(|i| units.get(&i))
        .map(|u| u.name.clone())
        .unwrap_or_default()
}

/// The upper levels (above grassroots) in tree order, each with its CĐCS and members.
pub(super) fn upper_tree(
    units: &BTreeMap<i64, PlanUnit>,
    types: &[TypeRule],
    root: i64,
) -> Vec<TreeLine> {
    let grassroots = |u: &PlanUnit| types.iter().any(|t| t.code == u.type_code && t.grassroots);
    let mut children: BTreeMap<i64, Vec<&PlanUnit>> = BTreeMap::new();
    for u in units.values().filter(|u| !u.ended) {
        if let Some(p) = u.parent {
            children.entry(p).or_default().push(u);
        }
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name));
    }
    fn totals(
        id: i64,
        children: &BTreeMap<i64, Vec<&PlanUnit>>,
        grassroots: &dyn Fn(&PlanUnit) -> bool,
    ) -> (i64, i64) {
        let mut out = (0, 0);
        for c in children.get(&id).into_iter().flatten() {
            if grassroots(c) {
                out.0 += 1;
                out.1 += c.cdcs_members;
            } else {
                let (a, b) = totals(c.id, children, grassroots);
                out.0 += a;
                out.1 += b;
            }
        }
        out
    }
    let mut lines = Vec::new();
    let mut stack = vec![(root, 0usize)];
    while let Some((id, depth)) = stack.pop() {
        let Some(u) = units.get(&id) else { continue };
        let (cdcs, members) = totals(id, &children, &grassroots);
        lines.push(TreeLine {
            indent: depth,
            name: u.name.clone(),
            ended: u.ended,
            cdcs,
            members,
        });
        for c in children.get(&id).into_iter().flatten().rev() {
            if !grassroots(c) && !types.iter().any(|t| t.code == c.type_code && t.tier > 4) {
                stack.push((c.id, depth + 1));
            }
        }
    }
    lines
}

fn describe(op: &Op, names: &dyn Fn(&UnitRef) -> String, lang: Lang) -> String {
    let r = |id: &i64| names(&UnitRef::Id(*id));
    let list = |ids: &[i64]| ids.iter().map(r).collect::<Vec<_>>().join(", ");
    let en = lang == Lang::En;
    match op {
        Op::Create {
            code, name, parent, ..
        } => format!(
            "{} {name} ({code}) — {} {}",
            op.label(),
            if en { "under" } else { "trực thuộc" },
            names(parent)
        ),
        Op::Rename { unit, name } => format!("{} {} → {name}", op.label(), names(unit)),
        Op::Retype { unit, type_code } => format!("{} {} → {type_code}", op.label(), names(unit)),
        Op::Move { units, parent } => format!("{} {} → {}", op.label(), list(units), names(parent)),
        Op::Merge { units, into } => format!("{} {} → {}", op.label(), list(units), names(into)),
        Op::Dissolve {
            unit,
            children_to,
            members_to,
            reason,
        } => format!(
            "{} {}{}{} — {reason}",
            op.label(),
            r(unit),
            children_to
                .as_ref()
                .map(|c| format!(
                    "; {} → {}",
                    if en {
                        "sub-units"
                    } else {
                        "đơn vị trực thuộc"
                    },
                    names(c)
                ))
                .unwrap_or_default(),
            members_to
                .as_ref()
                .map(|c| format!(
                    "; {} → {}",
                    if en { "members" } else { "đoàn viên" },
                    names(c)
                ))
                .unwrap_or_default(),
        ),
        Op::End { unit, reason } => format!("{} {} — {reason}", op.label(), r(unit)),
        Op::Split {
            unit,
            parts,
            reason,
        } => {
            let parts: Vec<String> = parts
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let takes = if i == 0 {
                        if en {
                            "the rest".to_string()
                        } else {
                            "phần còn lại".to_string()
                        }
                    } else {
                        String::new()
                    };
                    let what: Vec<String> = p
                        .children
                        .iter()
                        .map(r)
                        .chain((!takes.is_empty()).then_some(takes))
                        .collect();
                    format!("{} ({})", names(&p.into), what.join(", "))
                })
                .collect();
            format!(
                "{} {} → {} — {reason}",
                op.label(),
                r(unit),
                parts.join("; ")
            )
        }
        Op::Reopen { unit, reason } => format!("{} {} — {reason}", op.label(), r(unit)),
        Op::ReturnMembers {
            plan_id,
            units,
            moves,
            readmit,
        } => {
            let n = |v: &[MemberReturn]| v.iter().map(|m| m.members).sum::<i64>();
            if en {
                format!(
                    "{} (plan #{plan_id}): {} sub-units, {} members back, {} re-admitted",
                    op.label(),
                    units.len(),
                    n(moves),
                    n(readmit)
                )
            } else {
                format!(
                    "{} (phương án #{plan_id}): {} đơn vị trực thuộc CĐCS về chỗ cũ, {} đoàn viên trở về, {} đoàn viên được kết nạp lại",
                    op.label(),
                    units.len(),
                    n(moves),
                    n(readmit)
                )
            }
        }
    }
}

/// The preview's figures, shared by the preview cards and the apply's confirmation.
fn preview_counts(
    out: &congdoan_domain::restructure::Outcome,
    preview: &congdoan_store::Preview,
    tr: crate::Tr,
) -> Vec<(&'static str, i64)> {
    vec![
        (
            tr.s("đơn vị thành lập", "units created"),
            out.created.len() as i64,
        ),
        (
            tr.s("đơn vị chuyển cấp trên", "units moved"),
            out.moved.len() as i64,
        ),
        (
            tr.s("đơn vị đổi tên, loại", "units renamed or retyped"),
            (out.renamed.len() + out.retyped.len()) as i64,
        ),
        (
            tr.s("đơn vị kết thúc", "units ended"),
            out.ended.len() as i64,
        ),
        (
            tr.s("đơn vị khôi phục", "units reopened"),
            out.reopened.len() as i64,
        ),
        (
            tr.s("đoàn viên chuyển sinh hoạt", "members transferred"),
            out.members_transferred,
        ),
        (
            tr.s("đoàn viên kết nạp lại", "members re-admitted"),
            out.members_readmitted,
        ),
        (
            tr.s(
                "đoàn viên ra khỏi tổ chức công đoàn",
                "members leaving the union",
            ),
            out.members_exited,
        ),
        (
            tr.s("chức danh cán bộ kết thúc", "officials' posts ending"),
            preview.posts_ended,
        ),
        (
            tr.s(
                "chức danh cán bộ được bổ nhiệm lại",
                "officials' posts restored",
            ),
            preview.posts_restored,
        ),
        (
            tr.s(
                "quan hệ phối hợp bị ảnh hưởng",
                "coordinating links affected",
            ),
            preview.links_affected,
        ),
        (
            tr.s(
                "vị trí trong cụm, khối thi đua bị ảnh hưởng",
                "emulation cluster places affected",
            ),
            preview.cluster_places_affected,
        ),
    ]
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn plan_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    plan_page_with(&st, &user, id, FormState::default(), q.notice.clone()).await
}

/// Shows the plan page again with form `form`'s input, errors or picker matches.
async fn plan_again(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    form: &str,
    pairs: Pairs,
    errors: Vec<FieldError>,
) -> PageResult {
    let fs = pick::FormState::again(form, pairs, errors, st, user).await?;
    plan_page_with(st, user, id, fs, None).await
}

async fn plan_page_with(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    mut form: FormState,
    notice: Option<String>,
) -> PageResult {
    form.lang = user.lang;
    let lang = user.lang;
    let plan = st.store.plan(&user.scope, id).await?;
    let owner = st.store.unit(&user.scope, plan.owner_unit_id).await?;
    let preview = st.store.preview_plan(&user.scope, id).await?;
    let ops = plan.op_list();
    let before = &preview.before;
    let after = preview.outcome.as_ref().map(|o| &o.after).unwrap_or(before);
    let names = |r: &UnitRef| match r {
        UnitRef::Id(i) => before
            .get(i)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| format!("#{i}")),
        UnitRef::New(k) => ops
            .iter()
            .find_map(|o| match o {
                Op::Create { key, name, .. } if key == k => Some(name.clone()),
                _ => None,
            })
            .unwrap_or_else(|| k.clone()),
    };
    let op_lines = ops.iter().map(|o| describe(o, &names, lang)).collect();
    let tr = user.tr();
    let (mut changes, mut findings, mut counts, mut error) = (vec![], vec![], vec![], None);
    match &preview.outcome {
        Ok(out) => {
            for id in &out.created {
                let u = &out.after[id];
                changes.push(ChangeLine {
                    what: tr.s("Thành lập", "Created"),
                    name: u.name.clone(),
                    before: String::new(),
                    after: name_of(after, u.parent),
                });
            }
            for id in &out.moved {
                changes.push(ChangeLine {
                    what: tr.s("Chuyển", "Moved"),
                    name: after[id].name.clone(),
                    before: name_of(before, before.get(id).and_then(|u| u.parent)),
                    after: name_of(after, after[id].parent),
                });
            }
            for id in out.renamed.iter().chain(&out.retyped) {
                let (b, a) = (&before[id], &after[id]);
                changes.push(ChangeLine {
                    what: tr.s("Đổi tên, loại", "Renamed, retyped"),
                    name: a.name.clone(),
                    before: format!("{} ({})", b.name, b.type_code),
                    after: format!("{} ({})", a.name, a.type_code),
                });
            }
            for id in &out.ended {
                changes.push(ChangeLine {
                    what: tr.s("Kết thúc", "Ended"),
                    name: after[id].name.clone(),
                    before: name_of(before, before.get(id).and_then(|u| u.parent)),
                    after: "—".into(),
                });
            }
            findings = out
                .findings
                .iter()
                .map(|f| {
                    (
                        f.blocking,
                        match lang {
                            Lang::Vi => f.message_vi.clone(),
                            Lang::En => f.message_en.clone(),
                        },
                    )
                })
                .collect();
            counts = preview_counts(out, &preview, tr);
        }
        Err(e) => {
            error = Some(match lang {
                Lang::Vi => e.message_vi.clone(),
                Lang::En => e.message_en.clone(),
            })
        }
    }
    let mut levels: Vec<i64> = preview
        .intermediaries_before
        .keys()
        .chain(preview.intermediaries_after.keys())
        .copied()
        .collect();
    levels.sort();
    levels.dedup();
    let intermediaries = levels
        .into_iter()
        .map(|l| {
            (
                l,
                preview.intermediaries_before.get(&l).copied().unwrap_or(0),
                preview.intermediaries_after.get(&l).copied().unwrap_or(0),
            )
        })
        .collect();
    let errors = form.has_errors();
    let page = render(PlanPage {
        chrome: Chrome::new(user, &plan.name),
        notice: notice.as_deref().and_then(|k| plan_notice(k, &plan, tr)),
        status: status_label(&plan.status, lang),
        can_edit: plan.editable() && user.scope.can_write(&plan.path),
        can_revert: plan.status == "applied" && user.scope.can_write(&plan.path),
        today: today(),
        ops: op_lines,
        error,
        changes,
        findings,
        counts,
        intermediaries,
        trees: vec![
            (
                tr.s("Trước", "Before"),
                "tree-before",
                upper_tree(before, &preview.types, owner.unit_id),
            ),
            (
                tr.s("Sau", "After"),
                "tree-after",
                upper_tree(after, &preview.types, owner.unit_id),
            ),
        ],
        types: preview
            .types
            .iter()
            .map(|t| (t.code.clone(), t.name_vi.clone()))
            .collect(),
        owner,
        plan,
        form,
    })?;
    Ok(pick::unprocessable(page, errors))
}

/// The fields of every kind of operation; each kind reads the ones it needs.
#[derive(Deserialize, Default)]
#[serde(default)]
struct OpForm {
    version: i64,
    kind: String,
    code: String,
    name: String,
    type_code: String,
    /// One unit code.
    unit: String,
    /// Several unit codes, separated by spaces, commas or new lines.
    units: String,
    parent: String,
    into: String,
    children_to: String,
    members_to: String,
    reason: String,
    /// A split's parts, one per line: "CODE: sub-unit codes" (the first takes the rest).
    parts: String,
}

/// A unit code typed in a form: a unit created earlier in the plan, or a stored one.
async fn unit_ref(
    st: &AppState,
    ops: &[Op],
    code: &str,
    field: &'static str,
) -> Result<UnitRef, FieldError> {
    let code = code.trim().to_uppercase();
    if code.is_empty() {
        return Err(FieldError::new(
            field,
            "WE0602",
            "không được để trống.",
            "is required.",
        ));
    }
    if let Some(key) = ops.iter().find_map(|o| match o {
        Op::Create { key, code: c, .. } if c.trim().eq_ignore_ascii_case(&code) => {
            Some(key.clone())
        }
        _ => None,
    }) {
        return Ok(UnitRef::New(key));
    }
    st.store
        .unit_id_by_code(&code)
        .await
        .map(UnitRef::Id)
        .map_err(|_| pick::not_found(field, &code))
}

async fn stored(st: &AppState, code: &str, field: &'static str) -> Result<i64, FieldError> {
    let code = code.trim();
    if code.is_empty() {
        return Err(FieldError::new(
            field,
            "WE0602",
            "không được để trống.",
            "is required.",
        ));
    }
    st.store
        .unit_id_by_code(code)
        .await
        .map_err(|_| pick::not_found(field, code))
}

async fn parse_op(st: &AppState, ops: &[Op], f: &OpForm) -> Result<Op, AppError> {
    let e = |e: FieldError| AppError::Invalid(vec![e]);
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
    Ok(match f.kind.as_str() {
        "create" => Op::Create {
            key: f.code.trim().to_uppercase(),
            code: f.code.clone(),
            name: f.name.clone(),
            type_code: f.type_code.clone(),
            parent: unit_ref(st, ops, &f.parent, "parent").await.map_err(e)?,
        },
        "rename" => Op::Rename {
            unit: unit_ref(st, ops, &f.unit, "unit").await.map_err(e)?,
            name: f.name.clone(),
        },
        "retype" => Op::Retype {
            unit: unit_ref(st, ops, &f.unit, "unit").await.map_err(e)?,
            type_code: f.type_code.clone(),
        },
        "move" | "merge" => {
            let mut ids = vec![];
            for code in crate::forms::unit_codes(&f.units) {
                ids.push(stored(st, code, "units").await.map_err(e)?);
            }
            if f.kind == "move" {
                Op::Move {
                    units: ids,
                    parent: unit_ref(st, ops, &f.parent, "parent").await.map_err(e)?,
                }
            } else {
                Op::Merge {
                    units: ids,
                    into: unit_ref(st, ops, &f.into, "into").await.map_err(e)?,
                }
            }
        }
        "dissolve" => Op::Dissolve {
            unit: stored(st, &f.unit, "unit").await.map_err(e)?,
            children_to: match opt(&f.children_to) {
                Some(c) => Some(unit_ref(st, ops, &c, "children_to").await.map_err(e)?),
                None => None,
            },
            members_to: match opt(&f.members_to) {
                Some(c) => Some(unit_ref(st, ops, &c, "members_to").await.map_err(e)?),
                None => None,
            },
            reason: f.reason.clone(),
        },
        "end" => Op::End {
            unit: stored(st, &f.unit, "unit").await.map_err(e)?,
            reason: f.reason.clone(),
        },
        "split" => {
            let mut parts = vec![];
            for line in f.parts.lines().map(str::trim).filter(|l| !l.is_empty()) {
                let (into, children) = line.split_once(':').unwrap_or((line, ""));
                let mut ids = vec![];
                for code in crate::forms::unit_codes(children) {
                    ids.push(stored(st, code, "parts").await.map_err(e)?);
                }
                parts.push(SplitPart {
                    into: unit_ref(st, ops, into, "parts").await.map_err(e)?,
                    children: ids,
                });
            }
            Op::Split {
                unit: stored(st, &f.unit, "unit").await.map_err(e)?,
                parts,
                reason: f.reason.clone(),
            }
        }
        _ => {
            return Err(AppError::invalid(
                "kind",
                "WE0801",
                "chọn loại thao tác.",
                "choose the kind of operation.",
            ));
        }
    })
}

async fn add_op(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let plan = st.store.plan(&user.scope, id).await?;
    let f: OpForm = pick::merged(&pairs)?;
    let form = format!("op-{}", f.kind);
    if pairs.iter().any(|(k, _)| k == "pick") {
        return plan_again(&st, &user, id, &form, pairs, vec![]).await;
    }
    let mut ops = plan.op_list();
    let op = match parse_op(&st, &ops, &f).await {
        Ok(op) => op,
        Err(AppError::Invalid(errs)) => {
            return plan_again(&st, &user, id, &form, pairs, errs).await;
        }
        Err(other) => return Err(other),
    };
    ops.push(op);
    match st
        .store
        .save_plan(
            &user.scope,
            id,
            f.version,
            &plan.name,
            plan.effective_date,
            &ops,
        )
        .await
    {
        Ok(_) => see_other(&format!("/plans/{id}#preview")),
        Err(e) => {
            let errs = store_errors(e, "kind")?;
            plan_again(&st, &user, id, &form, pairs, errs).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VersionForm {
    version: i64,
}

/// The plan's page with a result message.
fn plan_with_notice(id: i64, key: &str) -> PageResult {
    see_other(&format!("/plans/{id}?notice={key}"))
}

/// The result message for `?notice=<key>` on a plan's page (applied: the figures the
/// apply recorded). Unknown keys show nothing.
fn plan_notice(key: &str, plan: &Plan, tr: crate::Tr) -> Option<String> {
    Some(match key {
        "applied" => {
            let summary: serde_json::Value = plan
                .summary
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or_default();
            let n = |k: &str| summary[k].as_i64().unwrap_or(0);
            let parts: Vec<String> = [
                ("created", tr.s("đơn vị thành lập", "units created")),
                ("moved", tr.s("đơn vị chuyển cấp trên", "units moved")),
                ("ended", tr.s("đơn vị kết thúc", "units ended")),
                ("reopened", tr.s("đơn vị khôi phục", "units reopened")),
                (
                    "members_transferred",
                    tr.s("đoàn viên chuyển sinh hoạt", "members transferred"),
                ),
                (
                    "members_exited",
                    tr.s("đoàn viên ra khỏi tổ chức", "members left the union"),
                ),
                (
                    "members_readmitted",
                    tr.s("đoàn viên kết nạp lại", "members re-admitted"),
                ),
                ("posts_ended", tr.s("chức vụ kết thúc", "posts ended")),
                (
                    "posts_restored",
                    tr.s("chức vụ được bổ nhiệm lại", "posts restored"),
                ),
            ]
            .into_iter()
            .filter(|(k, _)| n(k) > 0)
            .map(|(k, label)| format!("{} {label}", congdoan_domain::format_int(n(k))))
            .collect();
            if parts.is_empty() {
                tr.s("Đã áp dụng phương án.", "The plan was applied.")
                    .to_string()
            } else {
                format!(
                    "{}: {}.",
                    tr.s("Đã áp dụng phương án", "The plan was applied"),
                    parts.join(", ")
                )
            }
        }
        "scheduled" => format!(
            "{} {}.",
            tr.s(
                "Đã hẹn áp dụng phương án; hệ thống tự áp dụng vào ngày",
                "The plan is scheduled and will be applied on"
            ),
            tr.date(plan.effective_date)
        ),
        "cancelled" => tr.s("Đã huỷ phương án.", "The plan was cancelled.").into(),
        "op_deleted" => tr
            .s(
                "Đã xoá thao tác khỏi phương án.",
                "The operation was removed.",
            )
            .into(),
        "inverse" => tr
            .s(
                "Đã lập phương án hoàn tác (dự thảo). Xem trước tác động rồi áp dụng.",
                "The inverse plan was written as a draft. Preview its impact, then apply it.",
            )
            .into(),
        _ => return None,
    })
}

/// The confirmation page of a plan action.
#[allow(clippy::too_many_arguments)]
fn plan_confirm(
    user: &CurrentUser,
    plan: &Plan,
    title: &str,
    lead: String,
    impacts: Vec<Impact>,
    irreversible: Vec<String>,
    action: String,
    pairs: &[(String, String)],
    button: &str,
) -> PageResult {
    ConfirmPage {
        chrome: Chrome::new(user, title),
        lead,
        impacts,
        irreversible,
        action,
        hidden: confirm::hidden(pairs),
        button: button.to_string(),
        back: format!("/plans/{}", plan.plan_id),
    }
    .render()
}

async fn delete_op(
    State(st): State<AppState>,
    Path((id, n)): Path<(i64, usize)>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let plan = st.store.plan(&user.scope, id).await?;
    let f: VersionForm = pick::merged(&pairs)?;
    let mut ops = plan.op_list();
    if !confirm::confirmed(&pairs) && n >= 1 && n <= ops.len() {
        let tr = user.tr();
        let preview = st.store.preview_plan(&user.scope, id).await?;
        let names = |r: &UnitRef| match r {
            UnitRef::Id(i) => preview
                .before
                .get(i)
                .map(|u| u.name.clone())
                .unwrap_or_else(|| format!("#{i}")),
            UnitRef::New(k) => k.clone(),
        };
        let what = describe(&ops[n - 1], &names, user.lang);
        return plan_confirm(
            &user,
            &plan,
            tr.s("Xoá thao tác khỏi phương án", "Remove an operation"),
            format!(
                "{} {n} {} «{}»: {what}",
                tr.s("Xoá thao tác", "Remove operation"),
                tr.s("khỏi phương án", "from the plan"),
                plan.name
            ),
            vec![Impact::count(
                ops.len() as i64 - 1,
                tr.s(
                    "thao tác còn lại trong phương án",
                    "operations left in the plan",
                ),
            )],
            vec![
                tr.s(
                    "Thao tác đã xoá không khôi phục được; muốn có lại phải thêm lại.",
                    "A removed operation cannot be restored; add it again if needed.",
                )
                .to_string(),
            ],
            format!("/plans/{id}/ops/{n}/delete"),
            &pairs,
            tr.s("Xác nhận xoá thao tác", "Confirm: remove"),
        );
    }
    if n >= 1 && n <= ops.len() {
        ops.remove(n - 1);
    }
    match st
        .store
        .save_plan(
            &user.scope,
            id,
            f.version,
            &plan.name,
            plan.effective_date,
            &ops,
        )
        .await
    {
        Ok(_) => plan_with_notice(id, "op_deleted"),
        Err(e) => {
            let errs = store_errors(e, "version")?;
            plan_again(&st, &user, id, "ops", pairs, errs).await
        }
    }
}

/// Applies (or schedules) a plan after a confirmation restating the preview's figures.
async fn apply_plan(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let f: VersionForm = pick::merged(&pairs)?;
    let plan = st.store.plan(&user.scope, id).await?;
    if !confirm::confirmed(&pairs) && plan.editable() && user.scope.can_write(&plan.path) {
        let preview = st.store.preview_plan(&user.scope, id).await?;
        // A plan that cannot apply is refused by the apply itself, naming the operation.
        if let Ok(out) = &preview.outcome
            && !out.is_blocked()
        {
            let tr = user.tr();
            let later = plan.effective_date > today();
            let impacts = preview_counts(out, &preview, tr)
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(label, n)| Impact::count(n, label))
                .collect();
            let mut irreversible = vec![tr
                .s(
                    "Toàn bộ phương án được ghi trong một lần (tất cả hoặc không gì cả). Sau khi áp dụng chỉ có thể hoàn tác bằng một phương án ngược.",
                    "The whole plan is written at once (all or nothing). Once applied, it can only be undone by an inverse plan.",
                )
                .to_string()];
            if out.members_exited > 0 {
                irreversible.push(
                    tr.s(
                        "Đoàn viên ra khỏi tổ chức được ghi vào quá trình sinh hoạt của từng người.",
                        "Members leaving the union is written into each one's history.",
                    )
                    .to_string(),
                );
            }
            if preview.posts_ended > 0 {
                irreversible.push(
                    tr.s(
                        "Chức vụ của cán bộ tại các đơn vị kết thúc chấm dứt từ ngày hiệu lực.",
                        "The officials' posts in the ended units end on the effective date.",
                    )
                    .to_string(),
                );
            }
            let lead = if later {
                format!(
                    "{} «{}» {} {}.",
                    tr.s("Hẹn áp dụng phương án", "Schedule the plan"),
                    plan.name,
                    tr.s("vào ngày", "for"),
                    tr.date(plan.effective_date)
                )
            } else {
                format!(
                    "{} «{}» {} {}.",
                    tr.s("Áp dụng phương án", "Apply the plan"),
                    plan.name,
                    tr.s("từ ngày", "from"),
                    tr.date(plan.effective_date)
                )
            };
            return plan_confirm(
                &user,
                &plan,
                tr.s("Xác nhận áp dụng phương án", "Confirm applying the plan"),
                lead,
                impacts,
                irreversible,
                format!("/plans/{id}/apply"),
                &pairs,
                tr.s("Xác nhận áp dụng", "Confirm: apply"),
            );
        }
    }
    match st
        .store
        .apply_plan(&user.scope, id, f.version, today())
        .await
    {
        Ok(plan) => plan_with_notice(
            id,
            if plan.status == "scheduled" {
                "scheduled"
            } else {
                "applied"
            },
        ),
        Err(e) => {
            let errs = store_errors(e, "version")?;
            plan_again(&st, &user, id, "apply", pairs, errs).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RevertForm {
    effective_date: String,
}

/// Generates the inverse of an applied plan as a new draft and opens it, after a
/// confirmation restating what the inverse will bring back.
async fn revert_plan(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let f: RevertForm = pick::merged(&pairs)?;
    let mut errs = vec![];
    let on = parse_date_req(&f.effective_date, "effective_date", &mut errs);
    let errs = match on.filter(|_| errs.is_empty()) {
        Some(on) => {
            let plan = st.store.plan(&user.scope, id).await?;
            if !confirm::confirmed(&pairs) && plan.status == "applied" {
                let tr = user.tr();
                let summary: serde_json::Value = plan
                    .summary
                    .as_deref()
                    .and_then(|s| serde_json::from_str(s).ok())
                    .unwrap_or_default();
                let n = |k: &str| summary[k].as_i64().unwrap_or(0);
                let impacts = [
                    ("ended", tr.s("đơn vị được khôi phục", "units reopened")),
                    (
                        "created",
                        tr.s("đơn vị đã thành lập bị giải thể", "created units dissolved"),
                    ),
                    (
                        "members_transferred",
                        tr.s(
                            "đoàn viên đã chuyển sinh hoạt trở về (nếu chưa chuyển đi nơi khác)",
                            "transferred members go back (unless they have moved on)",
                        ),
                    ),
                    (
                        "members_exited",
                        tr.s("đoàn viên được kết nạp lại", "members re-admitted"),
                    ),
                    (
                        "posts_ended",
                        tr.s(
                            "chức vụ cán bộ được bổ nhiệm lại",
                            "officials' posts restored",
                        ),
                    ),
                ]
                .into_iter()
                .filter(|(k, _)| n(k) > 0)
                .map(|(k, label)| Impact::count(n(k), label))
                .collect();
                return plan_confirm(
                &user,
                &plan,
                tr.s("Xác nhận lập phương án hoàn tác", "Confirm writing the inverse plan"),
                format!(
                    "{} «{}» {} {}.",
                    tr.s("Lập phương án ngược của", "Write the inverse of"),
                    plan.name,
                    tr.s("có hiệu lực từ", "effective from"),
                    tr.date(on)
                ),
                impacts,
                vec![tr
                    .s(
                        "Phương án ngược được lập ở dạng dự thảo: chưa có gì thay đổi cho đến khi anh/chị xem trước và áp dụng nó.",
                        "The inverse is written as a draft: nothing changes until you preview and apply it.",
                    )
                    .to_string()],
                format!("/plans/{id}/revert"),
                &pairs,
                tr.s("Xác nhận lập phương án hoàn tác", "Confirm: write the inverse"),
            );
            }
            match st.store.revert_plan(&user.scope, id, on).await {
                Ok(inverse) => return plan_with_notice(inverse.plan_id, "inverse"),
                Err(e) => store_errors(e, "effective_date")?,
            }
        }
        None => errs,
    };
    plan_again(&st, &user, id, "revert", pairs, errs).await
}

async fn cancel_plan(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let f: VersionForm = pick::merged(&pairs)?;
    let plan = st.store.plan(&user.scope, id).await?;
    if !confirm::confirmed(&pairs) && plan.editable() {
        let tr = user.tr();
        let mut irreversible = vec![
            tr.s(
                "Phương án đã huỷ không sửa, không áp dụng được nữa.",
                "A cancelled plan can no longer be edited or applied.",
            )
            .to_string(),
        ];
        if plan.status == "scheduled" {
            irreversible.push(format!(
                "{} {}.",
                tr.s(
                    "Phương án sẽ không được tự áp dụng vào ngày",
                    "It will not be applied on"
                ),
                tr.date(plan.effective_date)
            ));
        }
        return plan_confirm(
            &user,
            &plan,
            tr.s("Xác nhận huỷ phương án", "Confirm cancelling the plan"),
            format!(
                "{} «{}».",
                tr.s("Huỷ phương án", "Cancel the plan"),
                plan.name
            ),
            vec![Impact::count(
                plan.op_list().len() as i64,
                tr.s(
                    "thao tác sẽ không được áp dụng",
                    "operations will not be applied",
                ),
            )],
            irreversible,
            format!("/plans/{id}/cancel"),
            &pairs,
            tr.s("Xác nhận huỷ phương án", "Confirm: cancel the plan"),
        );
    }
    match st.store.cancel_plan(&user.scope, id, f.version).await {
        Ok(_) => plan_with_notice(id, "cancelled"),
        Err(e) => {
            let errs = store_errors(e, "version")?;
            plan_again(&st, &user, id, "cancel", pairs, errs).await
        }
    }
}
