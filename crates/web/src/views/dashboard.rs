//! The dashboard: a scope's maintained figures as cards and bar charts.

use super::members::NOT_RECORDED;
use super::*;

#[derive(Template)]
#[template(path = "dashboard.html")]
pub(super) struct DashboardPage {
    chrome: Chrome,
    unit: Option<Unit>,
    d: Dashboard,
    members_total: i64,
    units_total: i64,
    /// Unionisation rate as shown ("72,4 %"), empty when no head count is recorded.
    rate: String,
    charts: Vec<Bars>,
    /// `&unit=…` for the figures' links (empty for the whole scope).
    unit_part: String,
}

/// A labelled horizontal bar chart; works without JavaScript and prints.
pub(super) struct Bars {
    id: &'static str,
    title: String,
    rows: Vec<BarRow>,
}

pub(super) struct BarRow {
    label: String,
    n: i64,
    /// The member list this bar counts (none for "Other", which sums several keys).
    href: Option<String>,
    /// Bar length relative to the largest row, 0–100.
    pct: i64,
}

impl Bars {
    fn new(id: &'static str, title: &str, rows: Vec<(String, i64, Option<String>)>) -> Bars {
        let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
        Bars {
            id,
            title: title.to_string(),
            rows: rows
                .into_iter()
                .map(|(label, n, href)| BarRow {
                    label,
                    n,
                    href,
                    pct: n * 100 / max,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct UnitQuery {
    pub(super) unit: Option<i64>,
}

pub(super) async fn dashboard(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitQuery>,
) -> PageResult {
    let tr = user.tr();
    let d = st.store.dashboard(&user.scope, q.unit, today()).await?;
    let unit = match q.unit {
        Some(id) => Some(st.store.unit(&user.scope, id).await?),
        None => None,
    };
    let types = st.store.unit_types().await?;
    // Units by type: the tree (opened at the chosen unit) lists them.
    let tree_link = match q.unit {
        Some(u) => format!("/units/{u}"),
        None => "/units".to_string(),
    };
    let type_name = |code: &str| {
        types
            .iter()
            .find(|t| t.type_code == code)
            .map(|t| tr.s(&t.name_vi, &t.name_en).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    let unknown = tr.s("Chưa ghi", "Not recorded");
    let ownership = |code: &str| {
        crate::forms::OWNERSHIPS
            .iter()
            .find(|(c, _, _)| *c == code)
            .map(|(_, vi, en)| tr.s(vi, en).to_string())
            .unwrap_or_else(|| {
                if code.is_empty() {
                    unknown.to_string()
                } else {
                    code.to_string()
                }
            })
    };
    let age = |band: &str| match band {
        "<=30" => tr.s("Từ 30 tuổi trở xuống", "30 or younger").to_string(),
        ">55" => tr.s("Trên 55 tuổi", "Over 55").to_string(),
        other => format!("{other} {}", tr.s("tuổi", "years")),
    };
    // Each figure links to the member list it counts, in the same subtree.
    let unit_part = q.unit.map(|u| format!("&unit={u}")).unwrap_or_default();
    let list = |filter: &str, key: &str| -> Option<String> {
        let key = if key.is_empty() { NOT_RECORDED } else { key };
        Some(format!(
            "/members?{}{unit_part}",
            serde_urlencoded::to_string([("status", "member"), (filter, key)]).unwrap_or_default()
        ))
    };
    let top = |v: &[congdoan_store::Count], label: &dyn Fn(&str) -> String, filter: &str| {
        let mut rows: Vec<(String, i64, Option<String>)> = v
            .iter()
            .take(12)
            .map(|c| (label(&c.key), c.n, list(filter, &c.key)))
            .collect();
        let rest: i64 = v.iter().skip(12).map(|c| c.n).sum();
        if rest > 0 {
            rows.push((tr.s("Khác", "Other").to_string(), rest, None));
        }
        rows
    };
    let charts = vec![
        Bars::new(
            "by-status",
            tr.s("Đoàn viên theo trạng thái", "Members by status"),
            d.members_by_status
                .iter()
                .map(|c| {
                    let href = format!("/members?status={}{unit_part}", c.key);
                    (tr.status(&c.key), c.n, Some(href))
                })
                .collect(),
        ),
        Bars::new(
            "by-sex",
            tr.s("Đoàn viên theo giới tính", "Members by sex"),
            d.members_by_sex
                .iter()
                .map(|c| (tr.sex(&c.key), c.n, list("sex", &c.key)))
                .collect(),
        ),
        Bars::new(
            "by-age",
            tr.s("Đoàn viên theo độ tuổi", "Members by age"),
            d.members_by_age
                .iter()
                .map(|c| (age(&c.key), c.n, list("age", &c.key)))
                .collect(),
        ),
        Bars::new(
            "by-sector",
            tr.s("Đoàn viên theo ngành, lĩnh vực", "Members by sector"),
            top(
                &d.members_by_sector,
                &|k| {
                    if k.is_empty() {
                        unknown.to_string()
                    } else {
                        k.to_string()
                    }
                },
                "sector",
            ),
        ),
        Bars::new(
            "by-ownership",
            tr.s(
                "Đoàn viên theo loại hình đơn vị sử dụng lao động",
                "Members by employer type",
            ),
            top(&d.members_by_ownership, &ownership, "ownership"),
        ),
        Bars::new(
            "by-type",
            tr.s("Đơn vị theo loại", "Units by type"),
            d.units_by_type
                .iter()
                .map(|c| (type_name(&c.key), c.n, Some(tree_link.clone())))
                .collect(),
        ),
    ];
    let title = format!(
        "{} — {}",
        tr.s("Tổng quan", "Dashboard"),
        super::todo::scope_name(&st, &user, unit.as_ref()).await?
    );
    render(DashboardPage {
        chrome: Chrome::new(&user, &title),
        members_total: d.members_by_status.iter().map(|c| c.n).sum(),
        units_total: d.units_by_type.iter().map(|c| c.n).sum(),
        rate: d
            .unionisation_pct
            .map(|p| format!("{} %", congdoan_domain::money::format_decimal(p, 1)))
            .unwrap_or_default(),
        charts,
        unit_part,
        unit,
        d,
    })
}
