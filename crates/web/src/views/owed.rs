//! "Báo cáo tôi phải nộp": every report the caller's unit(s) owe, returned and late
//! first, so the to-do entry can link to the whole list rather than the first report.

use super::{Chrome, PageResult, UnitParam, render};
use crate::auth::CurrentUser;
use crate::{AppState, today};
use askama::Template;
use axum::extract::{Query, State};
use congdoan_domain::request::{Due, PeriodType, RequestKind, TargetState};
use congdoan_store::Owed;

/// At most this many units are read (a user with more grants opens one unit's list).
const MAX_UNITS: usize = 100;
/// Open reports read per unit.
const PER_UNIT: i64 = 200;

/// One owed report as listed.
struct OwedRow {
    request_id: i64,
    unit_id: i64,
    title: String,
    unit_name: String,
    period: String,
    due: String,
    due_text: String,
    late: bool,
    state: &'static str,
    returned: bool,
}

#[derive(Template)]
#[template(path = "reports_owed.html")]
struct OwedPage {
    chrome: Chrome,
    rows: Vec<OwedRow>,
    /// More than one unit: the unit column shows.
    many_units: bool,
    /// The one unit the list is for, when it is one.
    unit_name: Option<String>,
}

/// Rank: returned first, then late, then the rest; earliest due first within each.
fn rank(o: &Owed, today: time::Date) -> (u8, time::Date, i64) {
    let state = o.target.state();
    let r = if state == TargetState::Returned {
        0
    } else if o.target.due_on < today {
        1
    } else {
        2
    };
    (r, o.target.due_on, o.request.request_id)
}

pub(super) async fn owed_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitParam>,
) -> PageResult {
    let tr = user.tr();
    let units: Vec<i64> = match q.unit {
        Some(u) => vec![u],
        // An administrator's own units are the top-level unions (as on the to-do page).
        None if user.scope.is_admin() => st
            .store
            .tree_roots(&user.scope, today())
            .await?
            .into_iter()
            .map(|n| n.unit_id)
            .take(MAX_UNITS)
            .collect(),
        None => user
            .scope
            .read_roots()
            .into_iter()
            .take(MAX_UNITS)
            .collect(),
    };
    let mut owed = Vec::new();
    for u in &units {
        owed.extend(
            st.store
                .requests_owed(&user.scope, *u, Some(RequestKind::Report), true, PER_UNIT)
                .await?,
        );
    }
    let now = today();
    owed.sort_by_key(|o| rank(o, now));
    let unit_name = match units.as_slice() {
        [_] => owed
            .first()
            .map(|o| o.target.unit_name.clone())
            .or(match q.unit {
                Some(u) => Some(st.store.unit(&user.scope, u).await?.name),
                None => None,
            }),
        _ => None,
    };
    let rows = owed
        .into_iter()
        .map(|o| {
            let due = Due::of(o.target.due_on, now, false);
            let state = o.target.state();
            let period = o
                .request
                .period
                .as_deref()
                .and_then(|code| {
                    [
                        PeriodType::Month,
                        PeriodType::Quarter,
                        PeriodType::Half,
                        PeriodType::NineMonths,
                        PeriodType::Year,
                    ]
                    .into_iter()
                    .find_map(|k| {
                        congdoan_domain::request::Period::parse(k, code)
                            .ok()
                            .map(|p| p.label_vi())
                    })
                })
                .unwrap_or_default();
            OwedRow {
                request_id: o.request.request_id,
                unit_id: o.target.unit_id,
                title: o.request.title,
                unit_name: o.target.unit_name,
                period,
                due: congdoan_domain::date::format_vn_date(o.target.due_on),
                due_text: match (user.lang, due) {
                    (congdoan_domain::Lang::En, Due::Late(d)) => format!("{d} days late"),
                    (congdoan_domain::Lang::En, Due::Upcoming(0)) => "due today".into(),
                    (congdoan_domain::Lang::En, Due::Upcoming(d)) => format!("{d} days left"),
                    _ => due.text_vi(),
                },
                late: matches!(due, Due::Late(_)),
                state: state.name_vi(),
                returned: state == TargetState::Returned,
            }
        })
        .collect();
    render(OwedPage {
        chrome: Chrome::new(&user, tr.s("Báo cáo tôi phải nộp", "Reports I owe")),
        rows,
        many_units: units.len() > 1,
        unit_name,
    })
}
