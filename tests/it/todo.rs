//! The to-do page ("Việc cần làm"), the dashboard's scope and links, and the member
//! list's total, filters and exports — on both engines.

use crate::harness::{Browser, Kind, TestApp};
use congdoan_domain::member::MemberStatus;
use congdoan_domain::{format_int, format_vn_date};
use congdoan_store::{CommitteeInput, MemberQuery, Scope};
use time::Duration;

/// The number of rows a member list holds, paged through the store (independent of
/// the figures and of the capped count).
async fn rows_of(app: &TestApp, scope: &Scope, q: MemberQuery) -> i64 {
    let mut n = 0;
    for page in 0.. {
        let found = app
            .store()
            .search_members(
                scope,
                &MemberQuery {
                    page,
                    per_page: 200,
                    ..q.clone()
                },
            )
            .await
            .unwrap();
        n += found.rows.len() as i64;
        if !found.more {
            break;
        }
    }
    n
}

/// A page with askama's `&#38;` written as `&amp;`, as a person's browser reads both.
async fn page(b: &Browser, path: &str) -> (u16, String) {
    let (s, html) = b.get_html(path).await;
    (s, html.replace("&#38;", "&amp;"))
}

/// The shown total of a member list page.
fn total_of(html: &str) -> String {
    let i = html.find("id=\"members-total\"><strong>").expect("a total") + 27;
    html[i..].split('<').next().unwrap().to_string()
}

async fn todo_page_lists_what_needs_attention(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let today = congdoan_web::today();
    let ag = app.unit_id("AG").await;
    let cdcs = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let admin = app.admin_scope();
    // Logging in lands on the to-do page, named for the scope.
    let b = Browser::new(&app.base);
    let r = b
        .login("btv.angiang", congdoan_datagen::DEMO_PASSWORD)
        .await;
    assert_eq!(r.url().path(), "/todo");
    let ag_name = app.store().unit(&admin, ag).await.unwrap().name;
    let html = r.text().await.unwrap().replace("&#38;", "&amp;");
    assert!(
        html.contains(&format!("Việc cần làm — {ag_name}")),
        "{html}"
    );
    assert_eq!(b.get("/").await.url().path(), "/todo");

    // Applications to admit: the demo's count, linking to exactly those members.
    let applicants = rows_of(
        &app,
        &admin,
        MemberQuery {
            unit_id: Some(ag),
            status: Some(MemberStatus::Applicant),
            ..Default::default()
        },
    )
    .await;
    assert!(applicants > 0, "the demo has applicants in An Giang");
    let link = format!("/members?status=applicant&amp;unit={ag}");
    let item = &html[html
        .find("data-kind=\"applicants\"")
        .expect("applicants item")..];
    let item = &item[..item.find("</li>").unwrap()];
    assert!(item.contains(&link), "{item}");
    assert!(
        item.contains(&format!(
            "<span class=\"n\">{}</span>",
            format_int(applicants)
        )),
        "{applicants} in {item}"
    );
    let (s, list) = page(&b, &link.replace("&amp;", "&")).await;
    assert_eq!(s, 200);
    assert_eq!(total_of(&list), format_int(applicants));
    let table = &list[list.find("id=\"member-table\"").unwrap()..];
    assert!(table.matches("<span class=\"badge applicant\">").count() > 0);
    assert_eq!(
        table.matches("<span class=\"badge ").count(),
        table.matches("<span class=\"badge applicant\">").count()
    );

    // A CĐCS whose chair leaves appears among those without a chairperson.
    let flagged = |html: &str| html.contains("data-kind=\"no_chair\"");
    let (_, before) = page(&b, &format!("/todo?unit={cdcs}")).await;
    assert!(!flagged(&before), "the demo CĐCS has a chair: {before}");
    let committees = app.store().committees(&admin, cdcs).await.unwrap();
    let chair = committees
        .iter()
        .flat_map(|c| &c.positions)
        .find(|p| p.position_code == "CHU_TICH" && p.end_date.is_none())
        .expect("a chair");
    app.store()
        .end_position(&admin, chair.assignment_id, today, "Nghỉ hưu")
        .await
        .unwrap();
    let (_, after) = page(&b, &format!("/todo?unit={cdcs}")).await;
    assert!(flagged(&after), "{after}");
    let (s, units) = b
        .get_html(&format!("/todo/units?flag=no_chair&unit={cdcs}"))
        .await;
    assert_eq!(s, 200);
    let cdcs_name = app.store().unit(&admin, cdcs).await.unwrap().name;
    assert!(
        units.contains(&format!("<a href=\"/units/{cdcs}\">{cdcs_name}</a>")),
        "{units}"
    );
    // The whole province counts it too.
    let (_, province) = page(&b, "/todo").await;
    assert!(flagged(&province));

    // A term ending within six months appears with its date.
    let ends = today + Duration::days(90);
    app.store()
        .create_committee(
            &admin,
            cdcs,
            CommitteeInput {
                kind: "BCH".into(),
                term_no: Some(99),
                term_label: Some("test".into()),
                term_start: today - Duration::days(1),
                term_end: Some(ends),
            },
        )
        .await
        .unwrap();
    let (_, html) = page(&b, &format!("/todo?unit={cdcs}")).await;
    let item = &html[html.find("data-kind=\"term_ending\"").expect("term item")..];
    assert!(item.contains(&format_vn_date(ends)), "{item}");
    let (_, units) = b
        .get_html(&format!("/todo/units?flag=term&unit={cdcs}"))
        .await;
    assert!(units.contains(&format_vn_date(ends)), "{units}");

    // A scheduled restructuring plan appears, linking to the plan.
    let plan = app
        .store()
        .create_plan(&admin, ag, "Sắp xếp thử", today + Duration::days(40))
        .await
        .unwrap();
    // Scheduled as the apply of a future-dated plan leaves it (an empty plan cannot be applied).
    app.exec_raw("UPDATE restructure_plan SET status = 'scheduled' WHERE name = 'Sắp xếp thử'")
        .await
        .unwrap();
    let (_, html) = page(&b, "/todo").await;
    assert!(
        html.contains(&format!("href=\"/plans/{}\"", plan.plan_id)),
        "{html}"
    );
    assert!(html.contains("Sắp xếp thử"));
    // Worst first: the missing chair comes before the plan.
    assert!(
        html.find("data-kind=\"no_chair\"").unwrap() < html.find("data-kind=\"plan\"").unwrap()
    );

    // The cluster page flags the CĐCS, worst first: every row above it also lacks a
    // chair (without that flag no row weighs as much as a missing chair and a term).
    let clusters = app.store().clusters(&admin, ag, None).await.unwrap();
    let mut seen = 0;
    for c in clusters {
        let d = app.store().cluster(&admin, c.cluster_id).await.unwrap();
        if d.units.iter().any(|u| u.unit_id == cdcs) {
            seen += 1;
            let (_, cl) = page(&b, &format!("/clusters/{}", c.cluster_id)).await;
            let table = &cl[cl.find("id=\"cluster-units\"").unwrap()..];
            let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
            let rows: Vec<&str> = body.split("</tr>").collect();
            let at = rows
                .iter()
                .position(|r| r.contains(&format!("/units/{cdcs}\"")))
                .expect("the CĐCS in its cluster");
            assert!(rows[at].contains("data-flag=\"no_chair\""), "{}", rows[at]);
            assert!(rows[at].contains("data-flag=\"term\""), "{}", rows[at]);
            for r in &rows[..at] {
                assert!(r.contains("data-flag=\"no_chair\""), "worst first: {r}");
            }
        }
    }
    assert!(seen > 0, "the demo CĐCS is in a cluster");

    // A successor in office clears it again (the maintained `unit.has_chair`).
    app.store()
        .add_position(
            &admin,
            chair.committee_id,
            congdoan_store::PositionInput {
                member_id: chair.member_id.expect("a member"),
                position_code: "CHU_TICH".into(),
                start_date: today,
                end_date: None,
                full_time: false,
                elected: true,
            },
        )
        .await
        .unwrap();
    let (_, again) = page(&b, &format!("/todo?unit={cdcs}")).await;
    assert!(!flagged(&again), "a chair again: {again}");
    let (_, units) = b
        .get_html(&format!("/todo/units?flag=no_chair&unit={cdcs}"))
        .await;
    assert!(
        !units.contains(&format!("<a href=\"/units/{cdcs}\">")),
        "{units}"
    );
}

async fn dashboard_names_scope_and_links_lists(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let admin = app.admin_scope();
    let ag = app.unit_id("AG").await;
    let ag_name = app.store().unit(&admin, ag).await.unwrap().name;
    let b = app.login("btv.angiang").await;
    let (s, html) = page(&b, "/dashboard").await;
    assert_eq!(s, 200);
    assert!(
        html.contains(&format!("<h1>Tổng quan — {ag_name}</h1>")),
        "{html}"
    );
    let a = app.login("admin").await;
    let (_, national) = page(&a, "/dashboard").await;
    assert!(national.contains("<h1>Tổng quan — toàn quốc</h1>"));
    // The women's bar links to a list whose total is the bar's figure and whose rows
    // (paged through) are that many.
    let chart = &html[html.find("id=\"by-sex\"").unwrap()..];
    let href = "/members?status=member&amp;sex=F";
    let row = &chart[chart.find(href).expect("a link on the bar")..];
    let row = &row[..row.find("</tr>").unwrap()];
    let shown = row
        .split(&format!("<a href=\"{href}\">"))
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let (_, list) = page(&b, &href.replace("&amp;", "&")).await;
    assert_eq!(total_of(&list), shown);
    let women = rows_of(
        &app,
        &admin,
        MemberQuery {
            unit_id: Some(ag),
            status: Some(MemberStatus::Member),
            sex: Some("F".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(format_int(women), shown);
    // An age band too: birth years from the band.
    let chart = &html[html.find("id=\"by-age\"").unwrap()..];
    let href = "/members?status=member&amp;age=31-35";
    let row = &chart[chart.find(href).expect("an age link")..];
    let shown = row
        .split(&format!("<a href=\"{href}\">"))
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let year = congdoan_web::today().year();
    let band = rows_of(
        &app,
        &admin,
        MemberQuery {
            unit_id: Some(ag),
            status: Some(MemberStatus::Member),
            birth_years: Some((year - 35, year - 31)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(format_int(band), shown);
    let (_, list) = page(&b, &href.replace("&amp;", "&")).await;
    assert_eq!(total_of(&list), shown);
}

async fn member_list_total_actions_and_export(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let admin = app.admin_scope();
    let cdcs = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let b = app.login("cdcs.officer").await;
    let (s, html) = page(&b, &format!("/members?unit={cdcs}")).await;
    assert_eq!(s, 200);
    let all = rows_of(
        &app,
        &admin,
        MemberQuery {
            unit_id: Some(cdcs),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(total_of(&html), format_int(all));
    assert!(html.contains(&format!("href=\"/members/new?unit={cdcs}\"")));
    assert!(html.contains(&format!("href=\"/imports?unit={cdcs}\"")));
    // Two filters at once: counted, not read from the figures.
    let q = MemberQuery {
        unit_id: Some(cdcs),
        status: Some(MemberStatus::Member),
        sex: Some("F".into()),
        q: Some("thi".into()),
        ..Default::default()
    };
    let expected = rows_of(&app, &admin, q).await;
    assert!(expected > 0);
    let (_, html) = page(
        &b,
        &format!("/members?unit={cdcs}&status=member&sex=F&q=thi"),
    )
    .await;
    assert_eq!(total_of(&html), format_int(expected));
    // The export is the filtered list.
    let export = format!("/members/export.csv?q=thi&status=member&sex=F&unit={cdcs}");
    assert!(html.contains(&export.replace('&', "&amp;")), "{html}");
    let csv = b.get(&export).await.text().await.unwrap();
    let lines = csv.lines().filter(|l| !l.trim().is_empty()).count() as i64;
    assert_eq!(lines - 1, expected, "{csv}");
    assert!(!csv.contains(",Nam,"), "only women");
    // A viewer of the same CĐCS may not add.
    let v = app.login("cdcs.viewer").await;
    let (_, html) = page(&v, &format!("/members?unit={cdcs}")).await;
    assert!(!html.contains("/members/new?unit="));
}

crate::both_engines!(
    todo_page_lists_what_needs_attention,
    dashboard_names_scope_and_links_lists,
    member_list_total_actions_and_export,
);
