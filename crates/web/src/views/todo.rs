//! The to-do page ("Việc cần làm", where users land after logging in): what needs
//! attention in their scope, each item a link to the filtered list it counts; and the
//! list of units carrying one flag (no chair, term ending, members falling).

use super::*;
use congdoan_store::{COUNT_CAP, Flag, FlaggedUnit, TodoItem};

/// The name of what a page covers: the chosen unit, the one granted unit, or the
/// whole country for the administrator.
pub(super) async fn scope_name(
    st: &AppState,
    user: &CurrentUser,
    unit: Option<&Unit>,
) -> Result<String, AppError> {
    let tr = user.tr();
    if let Some(u) = unit {
        return Ok(u.name.clone());
    }
    if user.scope.is_admin() {
        return Ok(tr.s("toàn quốc", "whole country").to_string());
    }
    let roots = user.scope.read_roots();
    Ok(match roots.as_slice() {
        [one] => st.store.unit(&user.scope, *one).await?.name,
        _ => tr.s("phạm vi của tôi", "my scope").to_string(),
    })
}

#[derive(Template)]
#[template(path = "todo.html")]
pub(super) struct TodoPage {
    chrome: Chrome,
    unit: Option<Unit>,
    items: Vec<TodoItem>,
    cap: i64,
}

pub(super) async fn todo(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitQuery>,
) -> PageResult {
    let tr = user.tr();
    let unit = optional_unit(&st, &user, q.unit).await?;
    let mut items = st.store.todo(&user.scope, q.unit, today()).await?;
    // Evaluations whose period ended without a reward decision (rewards).
    let due: Vec<_> = st
        .store
        .evaluations_due(&user.scope, today())
        .await?
        .into_iter()
        .filter(|e| {
            unit.as_ref()
                .is_none_or(|u| e.unit_path.starts_with(&u.path))
        })
        .collect();
    if !due.is_empty() {
        items.push(TodoItem {
            kind: "evaluations",
            severity: congdoan_store::Severity::Soon,
            title_vi: "đợt bình xét khen thưởng đã hết kỳ, chưa có quyết định".into(),
            title_en: "evaluations past their period without a decision".into(),
            count: due.len() as i64,
            more: false,
            link: match due.as_slice() {
                [one] => format!("/rewards/evaluations/{}", one.evaluation_id),
                _ => "/rewards".into(),
            },
            due: due.first().map(|e| e.period_end),
        });
    }
    let name = scope_name(&st, &user, unit.as_ref()).await?;
    render(TodoPage {
        chrome: Chrome::new(
            &user,
            &format!("{} — {name}", tr.s("Việc cần làm", "To do")),
        ),
        unit,
        items,
        cap: COUNT_CAP,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct FlagQuery {
    flag: String,
    unit: Option<i64>,
    page: i64,
}

#[derive(Template)]
#[template(path = "todo_units.html")]
pub(super) struct FlaggedUnitsPage {
    chrome: Chrome,
    unit: Option<Unit>,
    flag: &'static str,
    rows: Vec<FlaggedUnit>,
    page: i64,
    more: bool,
    prev_url: String,
    next_url: String,
}

pub(super) async fn flagged_units(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FlagQuery>,
) -> PageResult {
    let tr = user.tr();
    let flag = Flag::parse(q.flag.trim()).ok_or(AppError::NotFound)?;
    let unit = optional_unit(&st, &user, q.unit).await?;
    let (rows, more) = st
        .store
        .flagged_units(&user.scope, q.unit, flag, q.page, today())
        .await?;
    let name = scope_name(&st, &user, unit.as_ref()).await?;
    let title = match flag {
        Flag::NoChair => tr.s("CĐCS chưa có chủ tịch", "Grassroots unions without a chair"),
        Flag::Term => tr.s(
            "Nhiệm kỳ đã hết hoặc hết trong 6 tháng tới",
            "Terms ended or ending within 6 months",
        ),
        Flag::Fell => tr.s(
            "CĐCS có số đoàn viên giảm mạnh",
            "Grassroots unions losing members",
        ),
    };
    let url = |page: i64| {
        let mut parts = vec![
            ("flag", flag.code().to_string()),
            ("page", page.to_string()),
        ];
        if let Some(u) = q.unit {
            parts.push(("unit", u.to_string()));
        }
        format!(
            "/todo/units?{}",
            serde_urlencoded::to_string(parts).unwrap_or_default()
        )
    };
    render(FlaggedUnitsPage {
        chrome: Chrome::new(&user, &format!("{title} — {name}")),
        unit,
        flag: flag.code(),
        rows,
        page: q.page.max(0),
        more,
        prev_url: url(q.page - 1),
        next_url: url(q.page + 1),
    })
}
