//! Issue 15 items 2 and 6 on both engines, through HTTP form posts as a browser without
//! JavaScript sends them: a criteria set built step by step in `/emulation/sets/new`
//! (a band gap refused with 422 naming the band, items over the scale refused, both
//! band schemes, confirmed, listed in the hub, sent to the CĐCS, a new version from
//! "Sửa"); a unit's own reward in its catalogue (a cash rule without an effective
//! date refused naming the field) and a decision without an evaluation for two
//! members, restated with the total in figures and words, whose payout list
//! downloads. Plus the new pages at 360 px in Chromium.

use crate::browser::{connect, log_in, start_driver};
use crate::harness::{Browser, Kind, TestApp, csrf_of};
use congdoan_domain::emulation::CriteriaSet;
use congdoan_store::MemberQuery;
use fantoccini::Locator;
use std::time::Duration;

crate::both_engines!(criteria_set_built_in_the_browser, own_reward_and_decision);

/// The value of a hidden input, HTML entities decoded.
fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let i = html
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + key.len();
    let raw = html[i..].split('"').next().unwrap_or_default();
    raw.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

const HEAD: [(&str, &str); 6] = [
    ("title", "Chấm điểm CĐCS doanh nghiệp FDI (thử)"),
    ("code", "CB-FDI-2026"),
    ("year", "2026"),
    ("scale", "100"),
    ("unit_types", "CDCS"),
    ("ownership", "fdi"),
];

/// Posts one builder step from the page last shown (its CSRF token and draft).
async fn step(
    b: &Browser,
    action: &str,
    prev: &str,
    unit: i64,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let csrf = csrf_of(prev);
    let draft = hidden(prev, "draft");
    let unit = unit.to_string();
    let mut body: Vec<(&str, &str)> = vec![
        ("csrf", csrf.as_str()),
        ("unit", unit.as_str()),
        ("draft", draft.as_str()),
    ];
    let version;
    if action.ends_with("/edit") {
        version = hidden(prev, "version");
        body.push(("version", version.as_str()));
    }
    body.extend_from_slice(&HEAD);
    body.extend_from_slice(fields);
    let r = b
        .http
        .post(format!("{}{action}", b.base))
        .form(&body)
        .send()
        .await
        .expect("POST");
    let s = r.status().as_u16();
    let url = format!("{}?{}", r.url().path(), r.url().query().unwrap_or(""));
    (s, url, r.text().await.expect("body"))
}

fn draft_of(html: &str) -> CriteriaSet {
    serde_json::from_str(&hidden(html, "draft")).expect("the draft is a CriteriaSet")
}

async fn criteria_set_built_in_the_browser(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let ag = app.unit_id("AG").await;
    let btv = app.login("btv.angiang").await;
    let new = "/emulation/sets/new";
    let (_, hub) = btv.get_html(&format!("/emulation?unit={ag}")).await;
    assert!(
        hub.contains(&format!("href=\"/emulation/sets/new?unit={ag}\"")),
        "the hub links the builder: {hub}"
    );
    let (s, mut page) = btv.get_html(&format!("{new}?unit={ag}")).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("id=\"no-groups\""), "{page}");

    // A group without a title: refused beside its input, the code kept.
    let (s, _, html) = step(
        &btv,
        new,
        &page,
        ag,
        &[("op", "add_group"), ("g_code", "NHOM-1"), ("g_title", "")],
    )
    .await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("id=\"g_title-error\""), "{html}");
    assert!(html.contains("Tên nhóm: không được để trống."), "{html}");
    assert!(html.contains("value=\"NHOM-1\""), "kept: {html}");
    assert!(draft_of(&html).groups.is_empty());

    // Two groups, items in each.
    for (code, title) in [("1", "Đại diện, chăm lo"), ("2", "Xây dựng tổ chức")] {
        let (s, _, p) = step(
            &btv,
            new,
            &page,
            ag,
            &[("op", "add_group"), ("g_code", code), ("g_title", title)],
        )
        .await;
        assert_eq!(s, 200, "{p}");
        page = p;
    }
    for (g, code, text, max) in [
        ("1", "1.1", "Thương lượng tập thể", "30"),
        ("1", "1.2", "Hội nghị người lao động", "20"),
        ("2", "2.1", "Phát triển đoàn viên", "40"),
    ] {
        let (s, _, p) = step(
            &btv,
            new,
            &page,
            ag,
            &[
                ("op", "add_item"),
                ("i_group", g),
                ("i_code", code),
                ("i_text", text),
                ("i_max", max),
                ("i_evidence", if code == "1.1" { "1" } else { "" }),
            ],
        )
        .await;
        assert_eq!(s, 200, "{p}");
        page = p;
    }
    // An item that takes the total over the scale: refused, the remainder named.
    let over = [
        ("op", "add_item"),
        ("i_group", "2"),
        ("i_code", "2.2"),
        ("i_text", "Thu, nộp đoàn phí"),
        ("i_max", "15"),
    ];
    let (s, _, html) = step(&btv, new, &page, ag, &over).await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("id=\"i_max-error\""), "{html}");
    assert!(
        html.contains("vượt thang điểm 100 (còn lại 10 điểm)"),
        "{html}"
    );
    assert!(html.contains("value=\"15\""), "kept: {html}");
    let (s, _, p) = step(
        &btv,
        new,
        &page,
        ag,
        &[
            ("op", "add_item"),
            ("i_group", "2"),
            ("i_code", "2.2"),
            ("i_text", "Thu, nộp đoàn phí"),
            ("i_max", "10"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{p}");
    page = p;
    let d = draft_of(&page);
    assert_eq!(d.groups.len(), 2);
    assert_eq!(d.groups[0].items.len(), 2);
    assert!(d.groups[0].items[0].evidence);
    assert!(page.contains("(100/100 điểm)"), "{page}");

    // A veto.
    let (s, _, p) = step(
        &btv,
        new,
        &page,
        ag,
        &[
            ("op", "add_veto"),
            ("v_code", "tai_nan"),
            ("v_question", "Trong năm có tai nạn lao động chết người?"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{p}");
    page = p;

    // Bands one by one: the second leaves a gap (70 to below 80, the first from 90).
    let (s, _, p) = step(
        &btv,
        new,
        &page,
        ag,
        &[
            ("op", "add_band"),
            ("b_code", "xuat_sac"),
            ("b_name", "Hoàn thành xuất sắc nhiệm vụ"),
            ("b_min", "90"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{p}");
    page = p;
    let gap = [
        ("op", "add_band"),
        ("b_code", "tot"),
        ("b_name", "Hoàn thành tốt nhiệm vụ"),
        ("b_min", "70"),
        ("b_below", "80"),
    ];
    let (s, _, html) = step(&btv, new, &page, ag, &gap).await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("class=\"errors\" role=\"alert\""), "{html}");
    assert!(html.contains("id=\"b_below-error\""), "{html}");
    assert!(
        html.contains("Bảng xếp loại bị hở: loại &#39;Hoàn thành tốt nhiệm vụ&#39; đến dưới 80")
            || html.contains("Bảng xếp loại bị hở: loại 'Hoàn thành tốt nhiệm vụ' đến dưới 80"),
        "the band named: {html}"
    );
    assert!(html.contains("value=\"80\""), "kept: {html}");
    assert_eq!(draft_of(&html).bands.len(), 1, "nothing added");
    // The "vững mạnh" scheme, then the 100-point one replace the table.
    let (_, _, p) = step(&btv, new, &page, ag, &[("op", "scheme:vung_manh")]).await;
    assert_eq!(draft_of(&p).bands[0].code, "vung_manh_xuat_sac");
    let (s, _, p) = step(&btv, new, &p, ag, &[("op", "scheme:366")]).await;
    assert_eq!(s, 200, "{p}");
    page = p;
    assert_eq!(draft_of(&page).bands.len(), 4);
    assert!(page.contains("id=\"band-khong_hoan_thanh\""), "{page}");

    // Create: restated first, then stored.
    let (s, _, p) = step(&btv, new, &page, ag, &[("op", "create")]).await;
    assert_eq!(s, 200, "{p}");
    assert!(p.contains("id=\"confirm-lead\""), "{p}");
    assert!(p.contains("2 nhóm, 4 tiêu chí, thang 100 điểm"), "{p}");
    let (s, url, html) = step(&btv, new, &p, ag, &[("op", "create"), ("confirmed", "1")]).await;
    assert_eq!(s, 200, "{html}");
    assert!(url.contains("notice=created"), "{url}");
    assert!(html.contains("Đã tạo bộ tiêu chí."), "{html}");
    let set_id: i64 = url
        .trim_start_matches("/emulation/sets/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .expect("the set's id");
    let (row, c) = app
        .store()
        .criteria_set(&app.admin_scope(), set_id)
        .await
        .unwrap();
    assert_eq!(row.code, "CB-FDI-2026");
    assert_eq!(c.item_count(), 4);
    assert_eq!(c.def().vetoes.len(), 1);
    assert_eq!(c.def().ownership, ["fdi"]);
    assert!(
        html.contains(&format!("href=\"/emulation/sets/{set_id}/edit\"")),
        "Sửa: {html}"
    );

    // Listed in the hub, and sent to the CĐCS under An Giang.
    let (_, hub) = btv.get_html(&format!("/emulation?unit={ag}")).await;
    assert!(
        hub.contains(&format!("href=\"/emulation/sets/{set_id}\"")),
        "{hub}"
    );
    let due =
        congdoan_domain::date::format_vn_date(congdoan_web::today() + time::Duration::days(20));
    let ag_s = ag.to_string();
    let set_s = set_id.to_string();
    let send = [
        ("unit", ag_s.as_str()),
        ("set_id", set_s.as_str()),
        ("target", "cdcs"),
        ("due_on", due.as_str()),
        ("title", "Chấm điểm CĐCS FDI 2026 (thử)"),
    ];
    let (s, _, html) = btv
        .post_form(&format!("/emulation?unit={ag}"), "/emulation/send", &send)
        .await;
    assert_eq!(s, 200, "{html}");
    let mut confirmed = send.to_vec();
    confirmed.push(("confirmed", "1"));
    let (s, _, html) = btv
        .post_form(
            &format!("/emulation?unit={ag}"),
            "/emulation/send",
            &confirmed,
        )
        .await;
    assert_eq!(s, 200, "{html}");
    let (_, hub) = btv.get_html(&format!("/emulation?unit={ag}")).await;
    assert!(hub.contains("Chấm điểm CĐCS FDI 2026 (thử)"), "sent: {hub}");

    // "Sửa": a new version; the assessment sent keeps version 1.
    let edit = format!("/emulation/sets/{set_id}/edit");
    let (s, page) = btv.get_html(&edit).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("id=\"version-note\""), "{page}");
    let (_, _, page) = step(&btv, &edit, &page, ag, &[("op", "remove_veto:0")]).await;
    let (_, _, page) = step(&btv, &edit, &page, ag, &[("op", "create")]).await;
    assert!(page.contains("Lưu phiên bản 2"), "{page}");
    let (s, url, html) = step(
        &btv,
        &edit,
        &page,
        ag,
        &[("op", "create"), ("confirmed", "1")],
    )
    .await;
    assert_eq!(s, 200, "{html}");
    assert!(url.contains("notice=version"), "{url}");
    let (row, c) = app
        .store()
        .criteria_set(&app.admin_scope(), set_id)
        .await
        .unwrap();
    assert_eq!(row.current_version, 2);
    assert!(c.def().vetoes.is_empty());
    let v1 = app.store().criteria_set_version(set_id, 1).await.unwrap();
    assert_eq!(v1.def().vetoes.len(), 1, "version 1 unchanged");
}

async fn own_reward_and_decision(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let cdcs = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let officer = app.login("cdcs.officer").await;
    let cat = format!("/rewards/catalogue?unit={cdcs}");
    let (_, rewards) = officer.get_html(&format!("/rewards?unit={cdcs}")).await;
    assert!(rewards.contains(&format!("href=\"{cat}\"")), "{rewards}");
    let (s, page) = officer.get_html(&cat).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("id=\"no-own\""), "{page}");
    let unit = cdcs.to_string();
    let mut kind_fields = vec![
        ("unit", unit.as_str()),
        ("code", "KT-CHUYENDE"),
        ("name", "Giấy khen chuyên đề Tháng Công nhân"),
        ("recipient", "individual"),
        ("award_scope", "thematic"),
        ("rules", "not_disciplined"),
        ("cash_kind", "fixed"),
        ("cash_value", "500.000"),
        ("cash_from", ""),
        ("quota", "5"),
        ("source", "Quy chế khen thưởng 2026"),
    ];
    // A cash rule without its effective date: refused beside the date, input kept.
    let (s, _, html) = officer
        .post_form(&cat, "/rewards/catalogue", &kind_fields)
        .await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("class=\"errors\" role=\"alert\""), "{html}");
    assert!(html.contains("id=\"cash_from-error\""), "{html}");
    assert!(html.contains("Ngày áp dụng mức thưởng:"), "{html}");
    assert!(html.contains("Giấy khen chuyên đề Tháng Công nhân"), "kept");
    kind_fields.retain(|(k, _)| *k != "cash_from");
    kind_fields.push(("cash_from", "01/01/2026"));
    let (s, url, html) = officer
        .post_form(&cat, "/rewards/catalogue", &kind_fields)
        .await;
    assert_eq!(s, 200, "{html}");
    assert_eq!(url, "/rewards/catalogue");
    assert!(html.contains("id=\"own-kinds\""), "{html}");
    assert!(html.contains("500.000 ₫"), "{html}");
    assert!(html.contains("01/01/2026"), "{html}");
    assert!(html.contains("Chuyên đề"), "{html}");
    let k = app
        .store()
        .reward_kinds(&app.admin_scope())
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.code == "KT-CHUYENDE")
        .expect("stored");
    assert_eq!(k.quota, Some(5));
    assert_eq!(k.grant_types, "CDCS", "granted at the unit's level");

    // A decision without an evaluation: two members found with the picker.
    let members = app
        .store()
        .search_members(
            &app.admin_scope(),
            &MemberQuery {
                unit_id: Some(cdcs),
                per_page: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .rows;
    assert_eq!(members.len(), 2);
    let new = format!("/rewards/decisions/new?unit={cdcs}");
    let (s, page) = officer.get_html(&new).await;
    assert_eq!(s, 200, "{page}");
    let first = members[0].full_name.clone();
    let (s, _, html) = officer
        .post_form(
            &new,
            "/rewards/decisions/new",
            &[
                ("unit", unit.as_str()),
                ("who__q", first.as_str()),
                ("pick", "member"),
            ],
        )
        .await;
    assert_eq!(s, 200, "{html}");
    let m0 = format!("m{}", members[0].member_id);
    let m1 = format!("m{}", members[1].member_id);
    assert!(html.contains(&format!("value=\"{m0}\"")), "found: {html}");
    let kid = k.reward_kind_id.to_string();
    let today = congdoan_domain::date::format_vn_date(congdoan_web::today());
    let year = congdoan_web::today().year().to_string();
    let mut fields = vec![
        ("unit", unit.as_str()),
        ("title", "Về việc khen thưởng Tháng Công nhân"),
        ("reward_kind_id", kid.as_str()),
        ("period_type", "year"),
        ("period", year.as_str()),
        ("who", m0.as_str()),
        ("who", m1.as_str()),
        ("reason", "Tích cực trong Tháng Công nhân"),
        ("decided_on", "31/02/2026"),
        ("signer_name", "Nguyễn Văn Ký"),
        ("signer_role", "CHỦ TỊCH"),
    ];
    let (s, _, html) = officer
        .post_form(&new, "/rewards/decisions/new", &fields)
        .await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("Ngày quyết định:"), "{html}");
    assert!(
        html.contains(&members[1].full_name),
        "the chosen kept: {html}"
    );
    fields.retain(|(k, _)| *k != "decided_on");
    fields.push(("decided_on", today.as_str()));
    let (s, _, html) = officer
        .post_form(&new, "/rewards/decisions/new", &fields)
        .await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("Xác nhận quyết định khen thưởng"), "{html}");
    assert!(html.contains(">2</strong>"), "two people: {html}");
    assert!(html.contains("1.000.000 ₫"), "{html}");
    assert!(html.contains("Một triệu đồng"), "in words: {html}");
    let mut go = fields.clone();
    go.push(("confirmed", "1"));
    let (s, url, html) = officer.post_form(&new, "/rewards/decisions/new", &go).await;
    assert_eq!(s, 200, "{html}");
    assert!(url.starts_with("/rewards/decisions/"), "{url}");
    assert!(html.contains("Đã ra quyết định khen thưởng"), "{html}");
    assert!(html.contains(&members[0].full_name), "{html}");
    let id = url.trim_start_matches("/rewards/decisions/");
    let r = officer
        .get(&format!("/rewards/decisions/{id}/payout.xlsx"))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx");
    let d = app
        .store()
        .reward_decision(&app.admin_scope(), id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(d.decision.total_vnd, 1_000_000);
    assert_eq!(d.items.len(), 2);

    // The entry's quota (5 a decision) and its cash date hold on the store's one path.
    let six: Vec<i64> = app
        .store()
        .search_members(
            &app.admin_scope(),
            &MemberQuery {
                unit_id: Some(cdcs),
                per_page: 8,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .rows
        .into_iter()
        .skip(2)
        .take(6)
        .map(|m| m.member_id)
        .collect();
    assert_eq!(six.len(), 6);
    let decision = |ids: &[i64], on: time::Date| congdoan_store::NewDecision {
        issuer_unit_id: cdcs,
        period_type: "year".into(),
        period: on.year().to_string(),
        decision: congdoan_store::DecisionInput {
            seq: None,
            decided_on: on,
            signer_name: "Nguyễn Văn Ký".into(),
            signer_role: None,
            issuer_abbrev: None,
            title: None,
        },
        items: ids
            .iter()
            .map(|m| congdoan_store::NewItem {
                member_id: Some(*m),
                unit_id: None,
                reward_kind_id: k.reward_kind_id,
                reason: None,
                facts: None,
            })
            .collect(),
    };
    let e = app
        .store()
        .create_reward_decision(
            &app.admin_scope(),
            decision(&six, congdoan_web::today()),
            true,
        )
        .await
        .expect_err("over the quota");
    assert_eq!(e.code(), "ST2324", "{e}");
    let e = app
        .store()
        .create_reward_decision(
            &app.admin_scope(),
            decision(&six[..1], time::macros::date!(2025 - 12 - 15)),
            true,
        )
        .await
        .expect_err("before the cash rule's date");
    assert_eq!(e.code(), "ST2323", "{e}");
}

/// The builder, the catalogue and the decision form on a 360-px phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_pages_on_a_phone() {
    let Some(driver) = start_driver() else { return };
    let Some(app) = TestApp::spawn(Kind::Sqlite).await else {
        return;
    };
    let ag = app.unit_id("AG").await;
    let c = connect(driver.port).await;
    let result = async {
        c.goto(&app.url("/todo")).await?;
        log_in(&c, "btv.angiang").await?;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("main h1"))
            .await?;
        let mut problems = vec![];
        c.goto(&app.url(&format!("/emulation/sets/new?unit={ag}")))
            .await?;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Id("g_code"))
            .await?
            .send_keys("1")
            .await?;
        c.find(Locator::Id("g_title"))
            .await?
            .send_keys("Đại diện, chăm lo, bảo vệ quyền lợi đoàn viên")
            .await?;
        c.find(Locator::Id("add-group-button"))
            .await?
            .click()
            .await?;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Id("add-item"))
            .await?;
        problems.extend(crate::phone::check_page(&c, "/emulation/sets/new").await);
        for path in [
            format!("/rewards/catalogue?unit={ag}"),
            format!("/rewards/decisions/new?unit={ag}"),
        ] {
            c.goto(&app.url(&path)).await?;
            c.wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css("main h1"))
                .await?;
            problems.extend(crate::phone::check_page(&c, &path).await);
        }
        Ok::<_, fantoccini::error::CmdError>(problems)
    }
    .await;
    let _ = c.close().await;
    let problems = result.expect("scenario");
    assert!(problems.is_empty(), "{problems:#?}");
}
