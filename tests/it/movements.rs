//! Emulation movements (issue 15 item 1): LĐLĐ An Giang launches a movement to its
//! CĐCS (confirmed first, restating how many units are asked), units register their
//! targets and the movement page counts them against the units asked, a unit that has
//! not registered sees it on its to-do page, a member registers within their CĐCS,
//! another province neither sees nor registers, bad input comes back with Vietnamese
//! field labels (422), and the list and movement pages read on a 360-px phone. Both
//! engines.

use crate::both_engines;
use crate::browser::{connect, log_in, start_driver};
use crate::harness::{Kind, TestApp};
use crate::phone::check_page;
use congdoan_domain::date::format_vn_date;
use congdoan_domain::movement::Goal;
use fantoccini::Locator;
use std::time::Duration;

both_engines!(
    launch_register_count_and_owe,
    bad_input_names_the_field,
    another_province_is_refused,
    the_pages_read_on_a_phone,
);

/// Launches a movement from AG to its CĐCS through the pages; returns (movement id,
/// request id, units asked).
async fn launch(app: &TestApp, code: &str, name: &str) -> (i64, i64, usize) {
    let ag = app.unit_id("AG").await;
    let ag_path = app.store().unit(&app.admin_scope(), ag).await.unwrap().path;
    let n = app
        .store()
        .unit_ids_of_type(&ag_path, "CDCS")
        .await
        .unwrap()
        .len();
    let b = app.login("btv.angiang").await;
    let today = congdoan_web::today();
    let (due, start, end) = (
        format_vn_date(today + time::Duration::days(5)),
        format_vn_date(today),
        format_vn_date(today + time::Duration::days(300)),
    );
    let ag_s = ag.to_string();
    let mut fields: Vec<(&str, &str)> = vec![
        ("unit", ag_s.as_str()),
        ("movement_name", name),
        ("movement_code", code),
        ("level", "thuong_xuyen"),
        ("starts_on", start.as_str()),
        ("ends_on", end.as_str()),
        ("registration_due", due.as_str()),
        ("cadence", "quarter"),
        ("directive", ""),
        ("description", "Đăng ký chỉ tiêu thi đua năm."),
        ("target_kind", "types"),
        ("types", "CDCS"),
    ];
    let page = format!("/movements/new?unit={ag}");
    let (s, _, html) = b.post_form(&page, "/movements", &fields).await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("Xác nhận phát động"), "{html}");
    let count = congdoan_domain::format_int(n as i64);
    assert!(
        html.contains(&format!("{count} đơn vị")),
        "restates {count} units: {html}"
    );
    fields.push(("confirmed", "1"));
    let (s, url, html) = b.post_form(&page, "/movements", &fields).await;
    assert_eq!(s, 200, "{html}");
    assert!(url.starts_with("/movements/"), "{url}: {html}");
    assert!(html.contains("id=\"notice\""), "{html}");
    let id: i64 = url.rsplit('/').next().unwrap().parse().unwrap();
    let m = app
        .store()
        .movement(&app.admin_scope(), id)
        .await
        .expect("the movement");
    (id, m.request_id, n)
}

async fn launch_register_count_and_owe(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (id, rid, n) = launch(&app, "TDTT-IT-1", "Lao động giỏi, lao động sáng tạo").await;
    assert!(n >= 3, "AG has CĐCS: {n}");
    let page = format!("/movements/{id}");
    let officer = app.login("btv.angiang").await;
    let (_, html) = officer.get_html(&page).await;
    assert!(
        html.contains(&format!(
            "<strong>0</strong>/{} đơn vị đã đăng ký",
            congdoan_domain::format_int(n as i64)
        )),
        "{html}"
    );
    // Two CĐCS other than the demo's register; the province's officer fills one in on
    // its form (blank rows skipped, a Vietnamese number read), the other through the store.
    let cdcs = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let others: Vec<i64> = app
        .store()
        .pending_targets(rid, 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| *u != cdcs)
        .take(2)
        .collect();
    let form = format!("/movements/r/{rid}/units/{}", others[0]);
    let (s, url, html) = officer
        .post_form(
            &form,
            &form,
            &[
                ("goal_text_0", "Kết nạp đoàn viên mới"),
                ("goal_n_0", "1.200"),
                ("goal_text_1", ""),
                ("goal_n_1", ""),
                ("goal_text_2", "Không để xảy ra tai nạn lao động"),
                ("goal_n_2", ""),
            ],
        )
        .await;
    assert_eq!(s, 200, "{html}");
    assert_eq!(url, page, "{html}");
    assert!(
        html.contains("Kết nạp đoàn viên mới: <strong>1.200</strong>"),
        "{html}"
    );
    // The province accepts it on the registration's page; a return needs a reason.
    let review = format!("{form}/review");
    let (s, _, html) = officer
        .post_form(&form, &review, &[("action", "return"), ("note", "")])
        .await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("Ghi chú, kết quả: Ghi lý do"), "{html}");
    let (s, url, html) = officer
        .post_form(&form, &review, &[("action", "approve"), ("note", "")])
        .await;
    assert_eq!(s, 200, "{html}");
    assert_eq!(url, page);
    assert!(html.contains("<strong>1</strong> đã chấp nhận"), "{html}");
    app.store()
        .register_unit(
            &app.admin_scope(),
            id,
            others[1],
            vec![Goal {
                text: "Trồng cây xanh".into(),
                goal: Some(100),
            }],
            None,
        )
        .await
        .unwrap();
    let (_, html) = officer.get_html(&page).await;
    let expected = format!(
        "<strong>2</strong>/{} đơn vị đã đăng ký",
        congdoan_domain::format_int(n as i64)
    );
    assert!(html.contains(&expected), "{expected} in {html}");
    assert!(html.contains("<strong>2</strong> đúng hạn"), "{html}");
    // The list shows the same rate.
    let (_, list) = officer.get_html("/movements").await;
    assert!(list.contains("Lao động giỏi, lao động sáng tạo"), "{list}");
    assert!(
        list.contains(&format!("2/{}", congdoan_domain::format_int(n as i64))),
        "{list}"
    );
    // The demo CĐCS (a third) has not registered: its to-do says so and links to it.
    let unit_officer = app.login("cdcs.officer").await;
    let (_, todo) = unit_officer.get_html("/todo").await;
    assert!(
        todo.contains("phong trào thi đua chờ đơn vị đăng ký"),
        "{todo}"
    );
    assert!(
        todo.contains(&format!("/movements/r/{rid}/units/{cdcs}")),
        "{todo}"
    );
    let (s, html) = unit_officer
        .get_html(&format!("/movements/r/{rid}/units/{cdcs}"))
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("Chưa đăng ký"), "{html}");
    assert!(html.contains("id=\"send-registration\""), "{html}");
    // An individual of the demo CĐCS registers, chosen with the member picker.
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
        .rows
        .remove(0);
    let first_word = member.full_name.split(' ').next_back().unwrap().to_string();
    let cdcs_s = cdcs.to_string();
    let (s, _, html) = unit_officer
        .post_form(
            &page,
            &format!("/movements/{id}/members"),
            &[
                ("unit", cdcs_s.as_str()),
                ("member__q", first_word.as_str()),
                ("pick", "member"),
            ],
        )
        .await;
    assert_eq!(s, 200, "{html}");
    let pick = format!("value=\"#{}\"", member.member_id);
    assert!(html.contains(&pick), "the picker offers the member: {html}");
    let hash = format!("#{}", member.member_id);
    let (s, url, html) = unit_officer
        .post_form(
            &page,
            &format!("/movements/{id}/members"),
            &[
                ("unit", cdcs_s.as_str()),
                ("member__pick", hash.as_str()),
                ("goal_text_0", "Đạt danh hiệu Lao động giỏi"),
                ("goal_n_0", ""),
            ],
        )
        .await;
    assert_eq!(s, 200, "{html}");
    assert_eq!(url, page);
    assert!(html.contains("id=\"member-registrations\""), "{html}");
    assert!(html.contains(&member.full_name), "{html}");
    assert!(html.contains("Đạt danh hiệu Lao động giỏi"), "{html}");
    // The organiser asks for the first quarter's progress: a report request over the
    // movement's form, sent to the two units that registered.
    let period = congdoan_domain::request::Period::containing(
        congdoan_domain::request::PeriodType::Quarter,
        congdoan_web::today(),
    )
    .unwrap()
    .code();
    let (s, url, html) = officer
        .post_form(
            &page,
            &format!("/movements/{id}/progress"),
            &[("period", period.as_str())],
        )
        .await;
    assert_eq!(s, 200, "{html}");
    assert_eq!(url, page);
    assert!(html.contains("id=\"progress\""), "{html}");
    assert!(html.contains("0/2 đơn vị đã báo cáo"), "{html}");
}

async fn bad_input_names_the_field(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let ag = app.unit_id("AG").await;
    let b = app.login("btv.angiang").await;
    let ag_s = ag.to_string();
    let (s, _, html) = b
        .post_form(
            &format!("/movements/new?unit={ag}"),
            "/movements",
            &[
                ("unit", ag_s.as_str()),
                ("movement_name", ""),
                ("movement_code", "GVN-2025"),
                ("level", "theo_dot"),
                ("starts_on", "31/12/2025"),
                ("ends_on", "01/01/2025"),
                ("registration_due", "01/01/2099"),
                ("cadence", "half"),
                ("target_kind", "types"),
                ("types", "CDCS"),
            ],
        )
        .await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("class=\"errors\" role=\"alert\""), "{html}");
    assert!(
        html.contains("Tên phong trào: ghi tên phong trào"),
        "{html}"
    );
    assert!(
        html.contains("Đến ngày: 01/01/2025 trước ngày bắt đầu 31/12/2025."),
        "{html}"
    );
    assert!(html.contains("value=\"GVN-2025\""), "the input is kept");
    assert!(!html.contains("movement_name:"), "no raw key");
    // Nothing was launched.
    let list = app
        .store()
        .movements(&app.admin_scope(), &[])
        .await
        .unwrap();
    assert!(list.iter().all(|m| m.code != "GVN-2025"));
    // A registration without any target.
    let (id, rid, _) = launch(&app, "GVN-IT", "Giỏi việc nước, đảm việc nhà").await;
    let cdcs = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let unit_officer = app.login("cdcs.officer").await;
    let form = format!("/movements/r/{rid}/units/{cdcs}");
    let (s, _, html) = unit_officer
        .post_form(&form, &form, &[("goal_text_0", "Ab"), ("goal_n_0", "")])
        .await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("Chỉ tiêu đăng ký: mỗi chỉ tiêu"), "{html}");
    assert!(html.contains("value=\"Ab\""), "{html}");
    let (s, _, html) = unit_officer
        .post_form(
            &form,
            &form,
            &[("goal_text_0", "Trồng cây"), ("goal_n_0", "nhiều")],
        )
        .await;
    assert_eq!(s, 422, "{html}");
    assert!(
        html.contains("&#39;nhiều&#39;") || html.contains("«nhiều»"),
        "{html}"
    );
    let m = app.store().movement(&app.admin_scope(), id).await.unwrap();
    assert_eq!(
        app.store().movement_rates(&m).await.unwrap().received,
        0,
        "nothing registered"
    );
}

async fn another_province_is_refused(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (id, rid, _) = launch(&app, "ATVS-IT", "Xanh – sạch – đẹp, đảm bảo ATVSLĐ").await;
    let cdcs = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let kt = app.login("lddl.kontum").await;
    let (s, _) = kt.get_html(&format!("/movements/{id}")).await;
    assert_eq!(s, 404);
    let (_, list) = kt.get_html("/movements").await;
    assert!(
        !list.contains("Xanh – sạch – đẹp, đảm bảo ATVSLĐ"),
        "{list}"
    );
    let (s, _) = kt
        .get_html(&format!("/movements/r/{rid}/units/{cdcs}"))
        .await;
    assert_eq!(s, 404);
    // Nor through the store or the API.
    let api = app.token("lddl.kontum").await;
    let (s, _) = api.get(&format!("/api/v1/movements/{id}")).await;
    assert_eq!(s, 404);
    let (s, body) = api
        .post(
            &format!("/api/v1/movements/{id}/units/{cdcs}/registration"),
            serde_json::json!({ "goals": [{ "text": "Trồng cây xanh", "goal": 10 }] }),
        )
        .await;
    assert_eq!(s, 404, "{body}");
    // A viewer of the CĐCS reads but may not register.
    let viewer = app.token("cdcs.viewer").await;
    let (s, body) = viewer.get(&format!("/api/v1/movements/{id}")).await;
    assert_eq!(s, 200, "{body}");
    let (s, _) = viewer
        .post(
            &format!("/api/v1/movements/{id}/units/{cdcs}/registration"),
            serde_json::json!({ "goals": [{ "text": "Trồng cây xanh", "goal": 10 }] }),
        )
        .await;
    assert_eq!(s, 403);
    // The officer registers through the API; the counters follow.
    let officer = app.token("cdcs.officer").await;
    let (s, body) = officer
        .post(
            &format!("/api/v1/movements/{id}/units/{cdcs}/registration"),
            serde_json::json!({ "goals": [{ "text": "Trồng cây xanh", "goal": 10 }] }),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["state"], "submitted");
    let (_, body) = officer.get(&format!("/api/v1/movements/{id}")).await;
    assert_eq!(body["rates"]["received"], 1, "{body}");
}

async fn the_pages_read_on_a_phone(kind: Kind) {
    let Some(driver) = start_driver() else { return };
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let demo = app
        .store()
        .movements(&app.admin_scope(), &[])
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.code == "XSD-2025")
        .expect("the demo movement");
    let c = connect(driver.port).await;
    c.goto(&app.url("/todo")).await.expect("goto");
    log_in(&c, "btv.angiang").await.expect("log in");
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#todo-items, #todo-empty"))
        .await
        .expect("the to-do page");
    let mut problems = vec![];
    for path in [
        "/movements".to_string(),
        format!("/movements/{}", demo.movement_id),
    ] {
        c.goto(&app.url(&path)).await.expect("goto");
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("main h1"))
            .await
            .expect("a heading");
        problems.extend(check_page(&c, &path).await);
    }
    let _ = c.close().await;
    assert!(problems.is_empty(), "{problems:#?}");
}
