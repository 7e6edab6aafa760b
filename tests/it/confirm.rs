//! Consequential actions confirm on a page restating their impact, then say what was
//! done; ended units take no more writes; a member's status offers only what applies.

use crate::both_engines;
use crate::harness::{Kind, TestApp, version_of};
use crate::restructure::{active_member, members_of};
use congdoan_domain::restructure::{Op, UnitRef};
use congdoan_store::{CommitteeInput, PositionInput};
use time::macros::date;

both_engines!(
    a_plan_applies_only_once_confirmed_and_ended_units_take_no_writes,
    a_post_ends_on_its_own_page_after_confirmation,
    member_status_offers_valid_actions_and_expel_is_confirmed
);

/// The text of the element with this id (up to its first closing tag).
fn inner(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id} in {html}"));
    let rest = &html[at..];
    let end = rest.find("</div>").unwrap_or(rest.len());
    rest[..end].to_string()
}

async fn a_plan_applies_only_once_confirmed_and_ended_units_take_no_writes(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let (a, b, gone) = (
        app.unit_id("AG-CDCS-016").await,
        app.unit_id("AG-CDCS-017").await,
        app.unit_id("AG-CDCS-002").await,
    );
    let leaving = members_of(&app, gone).await;
    assert!(leaving > 0);
    let on = date!(2025 - 07 - 01);
    let plan = s.create_plan(&scope, ag, "Sắp xếp thử", on).await.unwrap();
    let ops = vec![
        Op::Merge {
            units: vec![a],
            into: UnitRef::Id(b),
        },
        Op::End {
            unit: gone,
            reason: "Cơ quan hưởng lương 100% từ ngân sách nhà nước".into(),
        },
    ];
    let plan = s
        .save_plan(&scope, plan.plan_id, plan.version, &plan.name, on, &ops)
        .await
        .unwrap();
    let br = app.login("btv.angiang").await;
    let page = format!("/plans/{}", plan.plan_id);
    let (_, html) = br.get_html(&page).await;
    // Without the confirmation nothing happens: the page restates the impact.
    let (status, url, confirm) = br
        .post_form(
            &page,
            &format!("{page}/apply"),
            &[("version", &version_of(&html))],
        )
        .await;
    assert_eq!(
        (status, url.as_str()),
        (200, format!("{page}/apply").as_str())
    );
    assert!(confirm.contains("id=\"confirm-yes\""), "{confirm}");
    assert!(confirm.contains("name=\"confirmed\" value=\"1\""));
    assert!(confirm.contains(&format!("href=\"{page}\"")), "a way back");
    let impacts = inner(&confirm, "confirm-impacts");
    assert!(
        impacts.contains("<strong class=\"n\">2</strong> đơn vị kết thúc"),
        "{impacts}"
    );
    assert!(
        impacts.contains(&format!(
            "<strong class=\"n\">{}</strong> đoàn viên ra khỏi tổ chức công đoàn",
            congdoan_domain::format_int(leaving)
        )),
        "{impacts}"
    );
    assert!(confirm.contains("id=\"confirm-irreversible\""));
    assert_eq!(s.plan(&scope, plan.plan_id).await.unwrap().status, "draft");
    assert_eq!(s.unit(&scope, gone).await.unwrap().ended_on, None);
    // Confirmed, it applies and says what it did.
    let (status, url, html) = br
        .post_form(
            &page,
            &format!("{page}/apply"),
            &[("version", &version_of(&html)), ("confirmed", "1")],
        )
        .await;
    assert_eq!((status, url.as_str()), (200, page.as_str()));
    let notice = inner(&html, "notice");
    assert!(
        notice.contains("Đã áp dụng phương án: ")
            && notice.contains("2 đơn vị kết thúc, ")
            && notice.contains(&format!(
                "{} đoàn viên ra khỏi tổ chức",
                congdoan_domain::format_int(leaving)
            )),
        "{notice}"
    );
    assert!(html.contains("role=\"status\" id=\"notice\""));
    assert_eq!(
        s.plan(&scope, plan.plan_id).await.unwrap().status,
        "applied"
    );
    // A notice key that is not ours shows nothing (no text from the address is echoed).
    let (_, html) = br.get_html(&format!("{page}?notice=<b>xin chao</b>")).await;
    assert!(!html.contains("xin chao") && !html.contains("id=\"notice\""));

    // The merged unit names its successor; the ended one says it ended.
    let (_, merged) = br.get_html(&format!("/units/{a}")).await;
    let note = inner(&merged, "ended-note");
    assert!(
        note.contains("Đã sáp nhập vào") && note.contains(&format!("href=\"/units/{b}\"")),
        "{note}"
    );
    let (_, ended) = br.get_html(&format!("/units/{gone}")).await;
    assert!(inner(&ended, "ended-note").contains("Đã kết thúc hoạt động"));
    for html in [&merged, &ended] {
        for write in [
            "/edit\"",
            "id=\"add-member\"",
            "/units/new?parent=",
            "id=\"import-members\"",
            "/committees\"",
            "/coordination\"",
            "/move\"",
            "id=\"plans\"",
        ] {
            assert!(!html.contains(write), "{write} offered on an ended unit");
        }
    }
    // The write handlers refuse an ended unit, in Vietnamese.
    let (status, _, html) = br
        .post_form(
            &format!("/units/{gone}"),
            &format!("/units/{gone}/committees"),
            &[("kind", "BCH"), ("term_start", "01/01/2026")],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("đã kết thúc hoạt động từ ngày 01/07/2025"),
        "{html}"
    );
    let (status, html) = br.get_html(&format!("/units/{gone}/edit")).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("không sửa, không thêm gì vào đơn vị này"));
    let (status, _, html) = br
        .post_form(
            &format!("/units/{gone}"),
            &format!("/units/{gone}/edit"),
            &[("name", "Tên mới"), ("version", "1")],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("đã kết thúc hoạt động"), "{html}");
    assert_ne!(s.unit(&scope, gone).await.unwrap().name, "Tên mới");

    // Cancelling a plan confirms too, then says so.
    let other = s.create_plan(&scope, ag, "Phương án bỏ", on).await.unwrap();
    let page = format!("/plans/{}", other.plan_id);
    let (_, html) = br.get_html(&page).await;
    let (status, _, confirm) = br
        .post_form(
            &page,
            &format!("{page}/cancel"),
            &[("version", &version_of(&html))],
        )
        .await;
    assert_eq!(status, 200);
    assert!(confirm.contains("Xác nhận huỷ phương án"), "{confirm}");
    assert_eq!(s.plan(&scope, other.plan_id).await.unwrap().status, "draft");
    let (_, url, html) = br
        .post_form(
            &page,
            &format!("{page}/cancel"),
            &[("version", &version_of(&html)), ("confirmed", "1")],
        )
        .await;
    assert_eq!(url, page);
    assert!(inner(&html, "notice").contains("Đã huỷ phương án."));
    assert_eq!(
        s.plan(&scope, other.plan_id).await.unwrap().status,
        "cancelled"
    );
}

async fn a_post_ends_on_its_own_page_after_confirmation(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let unit = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let member_id = active_member(s, unit).await;
    let name = s.member(&scope, member_id).await.unwrap().full_name;
    let committee = s
        .create_committee(
            &scope,
            unit,
            CommitteeInput {
                kind: "BCH".into(),
                term_no: Some(3),
                term_label: Some("2023–2028".into()),
                term_start: date!(2023 - 01 - 01),
                term_end: None,
            },
        )
        .await
        .unwrap();
    let pos = s
        .add_position(
            &scope,
            committee,
            PositionInput {
                member_id,
                position_code: "UV_BCH".into(),
                start_date: date!(2023 - 01 - 01),
                end_date: None,
                full_time: false,
                elected: true,
            },
        )
        .await
        .unwrap();
    let br = app.login("cdcs.officer").await;
    let unit_page = format!("/units/{unit}");
    let (_, html) = br.get_html(&unit_page).await;
    let end_page = format!("/positions/{pos}/end");
    assert!(html.contains(&format!("href=\"{end_page}\"")), "{html}");
    assert!(
        !html.contains("name=\"end_date\""),
        "no inline end form on the rows"
    );
    let (status, html) = br.get_html(&end_page).await;
    assert_eq!(status, 200);
    assert!(html.contains(&name) && html.contains("Ủy viên Ban Chấp hành"));
    // Bad input comes back inline, kept, with Vietnamese labels.
    let (status, _, html) = br
        .post_form(
            &end_page,
            &end_page,
            &[("end_date", "01/01/2020"), ("reason", "")],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("id=\"form-errors\""), "{html}");
    assert!(html.contains("Ngày kết thúc: phải sau ngày bắt đầu giữ chức vụ (01/01/2023)."));
    assert!(html.contains("Lý do: không được để trống."));
    assert!(html.contains("value=\"01/01/2020\""), "input kept");
    // A valid form is confirmed first.
    let fields = [("end_date", "30/06/2025"), ("reason", "Nghỉ hưu")];
    let (status, _, html) = br.post_form(&end_page, &end_page, &fields).await;
    assert_eq!(status, 200);
    let lead = inner(&html, "confirm-lead");
    assert!(
        lead.contains(&name)
            && lead.contains("30/06/2025")
            && lead.contains("Ủy viên Ban Chấp hành"),
        "{lead}"
    );
    let open = |s: &congdoan_store::Store| {
        let (s, scope) = (s.clone(), scope.clone());
        async move {
            s.committees(&scope, unit)
                .await
                .unwrap()
                .iter()
                .flat_map(|c| c.positions.clone())
                .find(|p| p.assignment_id == pos)
                .unwrap()
                .end_date
        }
    };
    assert_eq!(open(s).await, None);
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirmed", "1"));
    let (status, url, html) = br.post_form(&end_page, &end_page, &confirmed).await;
    assert_eq!((status, url.as_str()), (200, unit_page.as_str()));
    assert!(
        inner(&html, "notice").contains(&format!(
            "Đã kết thúc chức vụ Ủy viên Ban Chấp hành của {name} từ ngày 30/06/2025."
        )),
        "{html}"
    );
    assert_eq!(open(s).await, Some(date!(2025 - 06 - 30)));
}

async fn member_status_offers_valid_actions_and_expel_is_confirmed(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let unit = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let id = active_member(s, unit).await;
    let br = app.login("cdcs.officer").await;
    let page = format!("/members/{id}");
    let (_, html) = br.get_html(&page).await;
    let select = html[html.find("<select id=\"kind\"").expect("the status form")..]
        .split("</select>")
        .next()
        .unwrap()
        .to_string();
    assert!(
        select.contains("<option value=\"\" selected>— Chọn thao tác —</option>"),
        "{select}"
    );
    assert_eq!(select.matches(" selected").count(), 1, "{select}");
    for ok in ["suspend", "transfer_out", "exit", "expel"] {
        assert!(
            select.contains(&format!("value=\"{ok}\"")),
            "{ok}: {select}"
        );
    }
    for not in ["admit", "readmit", "resume"] {
        assert!(
            !select.contains(&format!("value=\"{not}\"")),
            "{not}: {select}"
        );
    }
    // No action chosen: an inline error, the input kept.
    let today = congdoan_domain::date::format_vn_date(congdoan_web::today());
    let (status, _, html) = br
        .post_form(
            &page,
            &format!("{page}/events"),
            &[("kind", ""), ("on", &today), ("reason", "Vi phạm")],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("thao tác không hợp lệ"), "{html}");
    assert!(html.contains(&format!("value=\"{today}\"")) && html.contains("value=\"Vi phạm\""));
    // Expelling is confirmed first, restating the effect.
    let fields = [
        ("kind", "expel"),
        ("on", today.as_str()),
        ("reason", "Vi phạm Điều lệ"),
    ];
    let (status, _, html) = br
        .post_form(&page, &format!("{page}/events"), &fields)
        .await;
    assert_eq!(status, 200, "{html}");
    let impacts = inner(&html, "confirm-impacts");
    assert!(
        impacts.contains("Đoàn viên → Bị khai trừ") && impacts.contains("Vi phạm Điều lệ"),
        "{impacts}"
    );
    assert_eq!(s.member(&scope, id).await.unwrap().status, "member");
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirmed", "1"));
    let (status, url, html) = br
        .post_form(&page, &format!("{page}/events"), &confirmed)
        .await;
    assert_eq!((status, url.as_str()), (200, page.as_str()));
    assert!(
        inner(&html, "notice").contains(&format!("Đã ghi nhận: Khai trừ từ ngày {today}")),
        "{html}"
    );
    assert_eq!(s.member(&scope, id).await.unwrap().status, "expelled");
    // Now only readmission is offered.
    let select = html[html.find("<select id=\"kind\"").expect("the status form")..]
        .split("</select>")
        .next()
        .unwrap()
        .to_string();
    assert!(select.contains("value=\"readmit\"") && !select.contains("value=\"expel\""));
}
