//! Authorisation before validation on the pages: a viewer posting bad input to any
//! page write route gets the "no right" answer, never a 422 whose messages would tell
//! whether a unit code or an id exists. The routes are read from the routers' sources
//! (as `forms.rs` does), so a new write route is covered without being listed here.

use crate::both_engines;
use crate::harness::{Kind, TestApp, csrf_of};

both_engines!(a_viewer_posting_bad_input_to_any_page_is_refused_first);

/// Every page path with a POST handler.
fn page_post_routes() -> Vec<String> {
    let sources = [
        include_str!("../../crates/web/src/views/mod.rs"),
        include_str!("../../crates/web/src/views/units.rs"),
        include_str!("../../crates/web/src/views/members.rs"),
        include_str!("../../crates/web/src/views/clusters.rs"),
        include_str!("../../crates/web/src/views/plans.rs"),
        include_str!("../../crates/web/src/views/agreements.rs"),
        include_str!("../../crates/web/src/views/imports.rs"),
        include_str!("../../crates/web/src/views/exports.rs"),
        include_str!("../../crates/web/src/views/accounts.rs"),
        include_str!("../../crates/web/src/views/session.rs"),
        include_str!("../../crates/web/src/views/tree.rs"),
        include_str!("../../crates/web/src/views/dashboard.rs"),
        include_str!("../../crates/web/src/views/audit.rs"),
        include_str!("../../crates/web/src/views/pick.rs"),
        include_str!("../../crates/web/src/views/todo.rs"),
        include_str!("../../crates/web/src/views/confirm.rs"),
        include_str!("../../crates/web/src/views/models.rs"),
        include_str!("../../crates/web/src/views/movements.rs"),
    ];
    let mut out = vec![];
    for src in sources {
        for chunk in src.split(".route(").skip(1) {
            let chunk = chunk.split("\n}").next().unwrap_or(chunk);
            let chunk = chunk.split(".merge(").next().unwrap_or(chunk);
            let Some(path) = chunk.split('"').nth(1) else {
                continue;
            };
            if chunk.contains("post(") {
                out.push(path.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The viewer's own account stays theirs to change (and login/logout are not writes
/// on the tree).
const OWN: &[&str] = &[
    "/login",
    "/logout",
    "/account/password",
    "/account/tokens",
    "/account/tokens/{id}/revoke",
];

async fn a_viewer_posting_bad_input_to_any_page_is_refused_first(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let cdcs = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let member = app
        .store()
        .search_members(
            &app.admin_scope(),
            &congdoan_store::MemberQuery {
                unit_id: Some(cdcs),
                per_page: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .rows[0]
        .member_id;
    let viewer = app.login("cdcs.viewer").await;
    // The viewer can read their CĐCS and the member (so a refusal is not "not found").
    let (s, html) = viewer.get_html(&format!("/units/{cdcs}")).await;
    assert_eq!(s, 200);
    let csrf = csrf_of(&html);
    let (s, _) = viewer.get_html(&format!("/members/{member}")).await;
    assert_eq!(s, 200);
    // Input that fails every check it meets: a unit code that does not exist, an
    // impossible date, empty names, numbers that are not numbers.
    let bad: Vec<(&str, &str)> = vec![
        ("csrf", csrf.as_str()),
        ("unit", "AG-CDCS-999"),
        ("unit_code", "AG-CDCS-999"),
        ("code", "AG-CDCS-999"),
        ("parent", "AG-CDCS-999"),
        ("to_unit_code", "AG-CDCS-999"),
        ("full_name", ""),
        ("name", ""),
        ("birth_date", "31/02/1990"),
        ("on", "31/02/1990"),
        ("effective_date", "31/02/1990"),
        ("kind", "khong-co"),
        ("version", "1"),
        ("year", "2027"),
        ("cccd", "123"),
        ("confirmed", "1"),
    ];
    let routes = page_post_routes();
    assert!(routes.len() > 30, "{routes:?}");
    let mut tried = 0;
    let mut wrong = vec![];
    for route in &routes {
        if OWN.contains(&route.as_str()) {
            continue;
        }
        let path = route
            .replace("/members/{id}", &format!("/members/{member}"))
            .replace("{n}", "0")
            .split('/')
            .map(|seg| {
                if seg.starts_with('{') {
                    cdcs.to_string()
                } else {
                    seg.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let r = viewer
            .http
            .post(app.url(&path))
            .form(&bad)
            .send()
            .await
            .expect("POST");
        let status = r.status().as_u16();
        let body = r.text().await.unwrap_or_default();
        tried += 1;
        // 403 (or 404 for an object the viewer cannot read), and the page says why.
        let refused = status == 403 && body.contains("không có quyền") || status == 404;
        if !refused {
            wrong.push(format!("POST {path}: {status}"));
        }
    }
    assert!(tried > 25, "{tried} routes tried");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The same input from an officer of that CĐCS still gets the field errors (the
    // guard refuses by right, not by route).
    let officer = app.login("cdcs.officer").await;
    let (s, _, html) = officer
        .post_form(
            &format!("/members/new?unit={cdcs}"),
            "/members",
            &[
                ("unit_id", &cdcs.to_string()),
                ("full_name", "Trần Thị Giữ Lại"),
                ("birth_date", "31/02/1990"),
                ("sex", "F"),
            ],
        )
        .await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("Ngày sinh"), "{html}");
}
