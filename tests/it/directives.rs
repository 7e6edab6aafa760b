//! Directives (issue 14): An Giang issues plans to its CĐCS and upper-level unions,
//! a CĐCS acknowledges and reports with a file, an industrial-park union forwards to
//! its CĐCS, and the board's figures equal the lists they link to; on both engines,
//! through the pages and the API.

use crate::both_engines;
use crate::harness::{Browser, Kind, TestApp, csrf_of};
use base64::Engine as _;
use congdoan_domain::date::format_vn_date;

both_engines!(
    a_plan_reaches_the_grassroots_and_comes_back,
    forwarding_builds_one_tree_and_the_board_adds_up,
    the_api_takes_the_same_steps,
);

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Posts a multipart form (with the CSRF token of `page`) carrying one file.
async fn post_files(
    b: &Browser,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
    file: (&str, &[u8]),
) -> (u16, String, String) {
    let (_, html) = b.get_html(page).await;
    let mut form = reqwest::multipart::Form::new().text("csrf", csrf_of(&html));
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form = form.part(
        "files",
        reqwest::multipart::Part::bytes(file.1.to_vec()).file_name(file.0.to_string()),
    );
    let r = b
        .http
        .post(format!("{}{action}", b.base))
        .multipart(form)
        .send()
        .await
        .expect("POST");
    let status = r.status().as_u16();
    let url = r.url().path().to_string();
    (status, url, r.text().await.expect("body"))
}

/// The id at the end of a `/directives/{id}` address.
fn id_of(url: &str) -> i64 {
    url.rsplit('/').next().unwrap().parse().expect("an id")
}

/// The first `/requests/files/{id}` link of a page.
fn file_link(html: &str) -> String {
    let i = html.find("/requests/files/").expect("a file link");
    html[i..].split('"').next().unwrap().to_string()
}

/// A board figure: its number and the list it links to.
fn figure(html: &str, name: &str) -> (i64, String) {
    let key = format!("data-figure=\"{name}\"");
    let i = html.find(&key).unwrap_or_else(|| panic!("{key} in {html}"));
    let before = &html[..i];
    let href = before.rsplit("href=\"").next().unwrap();
    let link = href
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let n = html[i..]
        .split("<strong>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .replace('.', "");
    (n.parse().unwrap(), link)
}

/// The count a target list page shows.
fn list_total(html: &str) -> i64 {
    let i = html.find("id=\"list-total\"").expect("a list total");
    html[i..]
        .split("<strong>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .replace('.', "")
        .parse()
        .unwrap()
}

async fn a_plan_reaches_the_grassroots_and_comes_back(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let s = app.store();
    let admin = app.admin_scope();
    let ag = app.unit_id("AG").await;
    let cdcs = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let today = congdoan_web::today();
    let due = format_vn_date(today + time::Duration::days(10));
    let br = app.login("btv.angiang").await;

    // The form proposes the next number, the issuer's abbreviation and the types below.
    let (status, form) = br.get_html(&format!("/directives/new?unit={ag}")).await;
    assert_eq!(status, 200, "{form}");
    assert!(form.contains("name=\"seq\" value=\"1\""), "{form}");
    assert!(form.contains("value=\"LĐLĐ\""), "{form}");
    assert!(form.contains("name=\"types\" value=\"CDCS\""), "{form}");

    let ag_s = ag.to_string();
    let issued = format_vn_date(today);
    let fields = vec![
        ("unit", ag_s.as_str()),
        ("doc_type", "KH"),
        ("seq", ""),
        ("issuer_abbrev", "LĐLĐ"),
        ("issued_on", issued.as_str()),
        ("summary", "Thực hiện mô hình «Sát cơ sở, gần công nhân»"),
        ("body", "Các CĐCS tổ chức đối thoại với người lao động."),
        ("due_on", due.as_str()),
        ("target_kind", "types"),
        ("types", "CDCS"),
    ];
    // First the confirmation, restating how many units of which type.
    let spec = congdoan_domain::request::TargetSpec::Subtree {
        root: ag,
        types: vec!["CDCS".into()],
    };
    let by_type = s.preview_targets(&admin, ag, &spec).await.unwrap();
    let total: i64 = by_type.iter().map(|(_, n)| n).sum();
    assert!(total > 10, "An Giang has its CĐCS: {by_type:?}");
    let (status, _, confirm) = br
        .post_form(
            &format!("/directives/new?unit={ag}"),
            "/directives",
            &fields,
        )
        .await;
    assert_eq!(status, 200, "{confirm}");
    let lead = format!(
        "Gửi Kế hoạch số 1/KH-LĐLĐ «Thực hiện mô hình «Sát cơ sở, gần công nhân»» tới {} đơn vị",
        congdoan_domain::format_int(total)
    );
    assert!(confirm.contains(&lead), "{lead} in {confirm}");
    let (name, n) = &by_type[0];
    assert!(
        confirm.contains(&format!("{} {name}", congdoan_domain::format_int(*n))),
        "{confirm}"
    );
    let mut confirmed = fields.clone();
    confirmed.push(("confirmed", "1"));
    let (status, url, page) = br
        .post_form(
            &format!("/directives/new?unit={ag}"),
            "/directives",
            &confirmed,
        )
        .await;
    assert_eq!(status, 200, "{page}");
    let d1 = id_of(&url);
    assert!(page.contains("id=\"notice\""), "{page}");
    assert!(page.contains("1/KH-LĐLĐ"), "{page}");
    assert!(page.contains("id=\"board\""), "the issuer sees the board");
    let (n, _) = figure(&page, "expected");
    assert_eq!(n, total);

    // The next plan of the year is number 2 (through the API, with a PDF, to one CĐCS).
    let api = app.token("btv.angiang").await;
    let (status, d) = api
        .post(
            "/api/v1/directives",
            serde_json::json!({
                "issuer_unit_id": ag, "doc_type": "KH", "issued_on": issued, "due_on": due,
                "title": "Kế hoạch tổ chức Tháng Công nhân", "targets": {"kind": "units", "units": [cdcs]},
                "files": [{"name": "ke-hoach.pdf", "base64": b64(PDF)}]
            }),
        )
        .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["doc_number"], "2/KH-LĐLĐ");
    let d2 = d["request_id"].as_i64().unwrap();

    // The CĐCS officer sees both on the to-do page and the list, newest deadline first.
    let officer = app.login("cdcs.officer").await;
    let (_, todo) = officer.get_html("/todo").await;
    assert!(todo.contains("văn bản chờ xác nhận đã nhận"), "{todo}");
    assert!(todo.contains("href=\"/directives?unit="), "{todo}");
    let (status, list) = officer.get_html("/directives").await;
    assert_eq!(status, 200, "{list}");
    assert!(
        list.contains("1/KH-LĐLĐ") && list.contains("2/KH-LĐLĐ"),
        "{list}"
    );
    assert!(list.contains("Còn 10 ngày"), "{list}");

    // The viewer sees the document but has no button, and may not acknowledge.
    let viewer = app.login("cdcs.viewer").await;
    let (status, vpage) = viewer.get_html(&format!("/directives/{d1}")).await;
    assert_eq!(status, 200, "{vpage}");
    assert!(!vpage.contains("id=\"acknowledge\""), "{vpage}");
    assert!(!vpage.contains("id=\"implement\""), "{vpage}");
    let cdcs_s = cdcs.to_string();
    let (status, _, _) = viewer
        .post_form(
            &format!("/directives/{d1}"),
            &format!("/directives/{d1}/acknowledge"),
            &[("unit", cdcs_s.as_str())],
        )
        .await;
    assert_eq!(status, 403);

    // The officer acknowledges, then reports with a PDF.
    let (_, page) = officer.get_html(&format!("/directives/{d1}")).await;
    assert!(page.contains("id=\"acknowledge\""), "{page}");
    let (status, _, page) = officer
        .post_form(
            &format!("/directives/{d1}"),
            &format!("/directives/{d1}/acknowledge"),
            &[("unit", cdcs_s.as_str())],
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Đã tiếp nhận"), "{page}");
    // A file that is not a document, whatever its name, is refused by name.
    let (status, _, page) = post_files(
        &officer,
        &format!("/directives/{d1}"),
        &format!("/directives/{d1}/implement"),
        &[("unit", cdcs_s.as_str()), ("note", "Đã tổ chức đối thoại")],
        ("bao-cao.pdf", b"MZ\x90\x00 not a pdf"),
    )
    .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("Tệp &#39;bao-cao.pdf&#39; không phải PDF"),
        "{page}"
    );
    assert!(page.contains("class=\"errors\" role=\"alert\""), "{page}");
    assert!(page.contains("Đã tổ chức đối thoại"), "the text is kept");
    let (status, _, page) = post_files(
        &officer,
        &format!("/directives/{d1}"),
        &format!("/directives/{d1}/implement"),
        &[("unit", cdcs_s.as_str()), ("note", "Đã tổ chức đối thoại")],
        ("bao-cao.pdf", PDF),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Đã báo cáo thực hiện"), "{page}");
    let link = file_link(&page[page.find("id=\"evidence\"").expect("evidence")..]);
    let r = officer.get(&link).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"bao-cao.pdf\"")
    );
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
    // The issuer reads the evidence too.
    assert_eq!(br.get(&link).await.status().as_u16(), 200);

    // Outside the target set or the scope: not found, and so are the files.
    let other = app.login("cdcs.other").await;
    let (status, _) = other.get_html(&format!("/directives/{d2}")).await;
    assert_eq!(status, 404);
    let (_, p2) = officer.get_html(&format!("/directives/{d2}")).await;
    let doc_file = file_link(&p2);
    assert_eq!(other.get(&doc_file).await.status().as_u16(), 404);
    assert_eq!(other.get(&link).await.status().as_u16(), 404);
    let kt = app.login("lddl.kontum").await;
    let (status, _) = kt.get_html(&format!("/directives/{d1}")).await;
    assert_eq!(status, 404);
    assert_eq!(kt.get(&doc_file).await.status().as_u16(), 404);

    // The issuer's board: one implemented, one acknowledged, each figure its list.
    let (_, board) = br.get_html(&format!("/directives/{d1}")).await;
    for (name, want) in [
        ("expected", Some(total)),
        ("acknowledged", Some(1)),
        ("implemented", Some(1)),
        ("forwarded", Some(0)),
        ("late", Some(0)),
    ] {
        let (n, link) = figure(&board, name);
        if let Some(w) = want {
            assert_eq!(n, w, "{name}");
        }
        let (status, list) = br.get_html(&link).await;
        assert_eq!(status, 200, "{link}: {list}");
        assert_eq!(list_total(&list), n, "{name}: {link}");
    }

    // Past due: the CĐCS is reminded, the issuer sees the late units.
    let past = s
        .issue_directive(
            &admin,
            congdoan_store::NewDirective {
                issuer_unit_id: ag,
                doc_type: "CV".into(),
                seq: None,
                issuer_abbrev: None,
                issued_on: today - time::Duration::days(20),
                title: "Báo cáo tình hình tiền lương cuối năm".into(),
                body: None,
                due_on: today - time::Duration::days(2),
                targets: congdoan_domain::request::TargetSpec::Units { units: vec![cdcs] },
                files: vec![],
            },
        )
        .await
        .unwrap();
    assert_eq!(past.doc_number.as_deref(), Some("1/LĐLĐ"));
    let (_, todo) = officer.get_html("/todo").await;
    assert!(
        todo.contains("văn bản đã quá hạn báo cáo thực hiện"),
        "{todo}"
    );
    let (_, list) = officer.get_html("/directives").await;
    assert!(list.contains("Trễ 2 ngày"), "{list}");
    let (_, todo) = br.get_html("/todo").await;
    assert!(
        todo.contains("đơn vị chậm báo cáo thực hiện văn bản đã ban hành"),
        "{todo}"
    );
    let (_, late) = br
        .get_html(&format!("/directives/{}/units?list=late", past.request_id))
        .await;
    assert_eq!(list_total(&late), 1, "{late}");
}

async fn forwarding_builds_one_tree_and_the_board_adds_up(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let s = app.store();
    let admin = app.admin_scope();
    let ag = app.unit_id("AG").await;
    let cdcs = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let kcn = s.unit(&admin, cdcs).await.unwrap().parent_id.unwrap();
    let kcn_type = s.unit(&admin, kcn).await.unwrap().type_code;
    let today = congdoan_web::today();
    let due = format_vn_date(today + time::Duration::days(20));
    // To the industrial-park union (and its peers of that type), not to the CĐCS.
    let d = s
        .issue_directive(
            &admin,
            congdoan_store::NewDirective {
                issuer_unit_id: ag,
                doc_type: "HD".into(),
                seq: None,
                issuer_abbrev: None,
                issued_on: today,
                title: "Hướng dẫn tổ chức Tháng Công nhân".into(),
                body: None,
                due_on: today + time::Duration::days(30),
                targets: congdoan_domain::request::TargetSpec::Subtree {
                    root: ag,
                    types: vec![kcn_type.clone()],
                },
                files: vec![],
            },
        )
        .await
        .unwrap();
    let id = d.request_id;
    let br = app.login("btv.angiang").await;
    let (status, page) = br.get_html(&format!("/directives/{id}?unit={kcn}")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"forward\""), "{page}");
    let kcn_s = kcn.to_string();
    let fields = vec![
        ("unit", kcn_s.as_str()),
        ("target_kind", "types"),
        ("types", "CDCS"),
        ("instructions", "Các CĐCS trong KCN triển khai trước 30/6."),
        ("due_on", due.as_str()),
    ];
    let form = format!("/directives/{id}/forward?unit={kcn}");
    let (status, _, confirm) = br
        .post_form(&form, &format!("/directives/{id}/forward"), &fields)
        .await;
    assert_eq!(status, 200, "{confirm}");
    assert!(
        confirm.contains("Chuyển tiếp văn bản 1/HD-LĐLĐ tới"),
        "{confirm}"
    );
    let mut confirmed = fields.clone();
    confirmed.push(("confirmed", "1"));
    let (status, _, page) = br
        .post_form(&form, &format!("/directives/{id}/forward"), &confirmed)
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Đã chuyển tiếp"), "{page}");

    // The CĐCS received it with the forwarding union's instructions and acknowledges.
    let officer = app.login("cdcs.officer").await;
    let (status, page) = officer.get_html(&format!("/directives/{id}")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("triển khai trước 30/6"), "{page}");
    let cdcs_s = cdcs.to_string();
    let (status, _, _) = officer
        .post_form(
            &format!("/directives/{id}"),
            &format!("/directives/{id}/acknowledge"),
            &[("unit", cdcs_s.as_str())],
        )
        .await;
    assert_eq!(status, 200);

    // The issuer's board: the park union's row drills down to its CĐCS.
    let (_, board) = br.get_html(&format!("/directives/{id}")).await;
    assert!(
        board.contains(&format!("href=\"/directives/{id}?level={kcn}#board\"")),
        "{board}"
    );
    let (n, _) = figure(&board, "forwarded");
    assert_eq!(n, 1, "the park union forwarded");
    let (_, level) = br.get_html(&format!("/directives/{id}?level={kcn}")).await;
    assert!(level.contains(&format!("data-unit=\"{cdcs}\"")), "{level}");
    assert!(level.contains("(1 CĐCS đã xác nhận"), "{level}");
    // Every figure at both levels equals the list it links to.
    for html in [&board, &level] {
        for name in [
            "expected",
            "acknowledged",
            "forwarded",
            "implemented",
            "late",
        ] {
            let (n, link) = figure(html, name);
            let (status, list) = br.get_html(&link).await;
            assert_eq!(status, 200, "{link}");
            assert_eq!(list_total(&list), n, "{name}: {link}");
        }
    }
    let below = s
        .request_target_list(
            &admin,
            id,
            Some(kcn),
            congdoan_store::TargetList::Expected,
            today,
        )
        .await
        .unwrap()
        .1;
    let (n, _) = figure(&level, "expected");
    assert_eq!(n, below);
    assert!(n >= 2, "the park union and its CĐCS");
}

async fn the_api_takes_the_same_steps(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let ag = app.unit_id("AG").await;
    let cdcs = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let today = congdoan_web::today();
    let api = app.token("btv.angiang").await;
    let (status, d) = api
        .post(
            "/api/v1/directives",
            serde_json::json!({
                "issuer_unit_id": ag, "doc_type": "CT", "issued_on": format_vn_date(today),
                "due_on": format_vn_date(today + time::Duration::days(5)),
                "title": "Chỉ thị về an toàn lao động", "targets": {"kind": "subtree", "root": ag, "types": ["CDCS"]}
            }),
        )
        .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["doc_number"], "1/CT-LĐLĐ");
    let id = d["request_id"].as_i64().unwrap();
    // A file that is not a document is refused, naming it.
    let (status, e) = api
        .post(
            "/api/v1/directives",
            serde_json::json!({
                "issuer_unit_id": ag, "doc_type": "CT", "issued_on": format_vn_date(today),
                "due_on": format_vn_date(today), "title": "Chỉ thị có tệp lạ",
                "targets": {"kind": "units", "units": [cdcs]},
                "files": [{"name": "virus.docx", "base64": b64(b"MZ\x90\x00")}]
            }),
        )
        .await;
    assert_eq!(status, 422, "{e}");
    assert!(e["message"].as_str().unwrap().contains("virus.docx"), "{e}");

    let officer = app.token("cdcs.officer").await;
    let (status, owed) = officer
        .get(&format!(
            "/api/v1/requests?unit_id={cdcs}&box=owed&kind=directive"
        ))
        .await;
    assert_eq!(status, 200, "{owed}");
    assert_eq!(owed["owed"][0]["request"]["request_id"], id);
    let viewer = app.token("cdcs.viewer").await;
    let step = format!("/api/v1/requests/{id}/targets/{cdcs}/steps");
    let (status, _) = viewer
        .post(&step, serde_json::json!({"action": "acknowledge"}))
        .await;
    assert_eq!(status, 403);
    let (status, t) = officer
        .post(&step, serde_json::json!({"action": "acknowledge"}))
        .await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["state"], "acknowledged");
    let (status, t) = officer
        .post(
            &step,
            serde_json::json!({"action": "implement", "note": "Đã phổ biến tới 100% người lao động",
                "files": [{"name": "bien-ban.pdf", "base64": b64(PDF)}]}),
        )
        .await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["state"], "implemented");
    let (status, v) = officer
        .get(&format!("/api/v1/requests/{id}/targets/{cdcs}"))
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["events"].as_array().unwrap().len(), 2);
    assert_eq!(v["files"][0]["file_name"], "bien-ban.pdf");
    let (status, sent) = api
        .get(&format!(
            "/api/v1/requests?unit_id={ag}&box=sent&kind=directive"
        ))
        .await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["sent"][0]["totals"]["acknowledged"], 1);
    assert_eq!(sent["sent"][0]["totals"]["received"], 1);
    let (status, board) = api.get(&format!("/api/v1/requests/{id}/board")).await;
    assert_eq!(status, 200, "{board}");
    assert_eq!(board["rates"]["acknowledged"], 1);
    // Forwarding from a CĐCS reaches nobody below; a unit outside the scope is not found.
    let kt = app.token("lddl.kontum").await;
    let (status, _) = kt.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(status, 404);
    let (status, _) = kt
        .post(&step, serde_json::json!({"action": "acknowledge"}))
        .await;
    assert_eq!(status, 404);
    let (status, doc) = api.get("/api/openapi.json").await;
    assert_eq!(status, 200);
    for p in [
        "/api/v1/directives",
        "/api/v1/requests/{id}/board",
        "/api/v1/requests/{id}/targets/{unit_id}/forward",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} documented");
    }
}
