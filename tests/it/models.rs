//! The library of good models (issue 15 item 8): accent-insensitive search, replication
//! through the request mechanism (targets see it in their to-do, adopt it, report
//! results, and the model page counts them), writes outside the scope refused, evidence
//! files checked by content with a Vietnamese message, and the library on a 360-px
//! phone. Both engines.

use crate::both_engines;
use crate::browser::{connect, log_in, start_driver};
use crate::harness::{Kind, TestApp, csrf_of};
use fantoccini::Locator;
use std::time::Duration;

both_engines!(
    search_ignores_accents,
    replication_is_adopted_and_counted,
    writes_outside_the_scope_are_refused,
    a_file_of_the_wrong_type_is_refused_in_vietnamese,
    the_library_reads_on_a_phone,
);

/// The figure `name` of the first replication on a model page.
fn figure(html: &str, name: &str) -> i64 {
    let key = format!("data-figure=\"{name}\"><strong>");
    let i = html.find(&key).unwrap_or_else(|| panic!("{key} in {html}")) + key.len();
    html[i..]
        .split('<')
        .next()
        .unwrap()
        .replace('.', "")
        .parse()
        .expect("a number")
}

async fn search_ignores_accents(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let b = app.login("cdcs.viewer").await;
    // Typed without accents, the demo's An Giang model is found; a viewer reads it too.
    let (s, html) = b.get_html("/models?q=sat+co+so").await;
    assert_eq!(s, 200);
    assert!(html.contains("Sát cơ sở, gần công nhân"), "{html}");
    assert!(!html.contains("Trang Fanpage"), "only what matches: {html}");
    // As you type: the partial, without the page around it.
    let r = b
        .http
        .get(app.url("/models?q=FANPAGE"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    let partial = r.text().await.unwrap();
    assert!(
        partial.contains("Trang Fanpage của công đoàn bộ phận"),
        "{partial}"
    );
    assert!(!partial.contains("<html"), "a partial: {partial}");
    // Words of the summary and tags count too; a word that starts nowhere finds nothing.
    let (_, html) = b.get_html("/models?q=doi+thoai+nha+tro").await;
    assert!(html.contains("Sát cơ sở, gần công nhân"), "{html}");
    let (_, html) = b.get_html("/models?q=xyzzy").await;
    assert!(html.contains("id=\"models-empty\""), "{html}");
    // Filter by kind and by tag.
    let (_, html) = b.get_html("/models?kind=sang_kien").await;
    assert!(html.contains("Xã hội hóa nguồn lực"), "{html}");
    assert!(!html.contains("Sát cơ sở"), "{html}");
    let (_, html) = b.get_html("/models?tag=truyen+thong").await;
    assert!(html.contains("Trang Fanpage"), "{html}");
    assert!(!html.contains("Sát cơ sở"), "{html}");
}

async fn replication_is_adopted_and_counted(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let ag = app.unit_id("AG").await;
    let cdcs = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let officer = app.login("btv.angiang").await;
    // BTV An Giang records a model of its own.
    let (_, form) = officer.get_html(&format!("/models/new?unit={ag}")).await;
    let fields = [
        ("csrf", csrf_of(&form)),
        ("owner", "AG".to_string()),
        ("model_kind", "sang_kien".to_string()),
        ("model_title", "Tổ tư vấn pháp luật lưu động".to_string()),
        (
            "model_summary",
            "Mỗi tháng một buổi tư vấn pháp luật tại khu nhà trọ công nhân.".to_string(),
        ),
        (
            "model_results",
            "Giải đáp hơn một nghìn câu hỏi.".to_string(),
        ),
        (
            "model_figures",
            "Buổi tư vấn: 24\nCâu hỏi được giải đáp: 1.250".to_string(),
        ),
        ("model_tags", "Pháp luật, Nhà trọ".to_string()),
        ("started_on", "01/03/2024".to_string()),
    ];
    let mut mp = reqwest::multipart::Form::new();
    for (k, v) in fields {
        mp = mp.text(k, v);
    }
    let r = officer
        .http
        .post(app.url("/models"))
        .multipart(mp)
        .send()
        .await
        .unwrap();
    let url = r.url().path().to_string();
    let html = r.text().await.unwrap();
    assert!(url.starts_with("/models/"), "{url}: {html}");
    let model: i64 = url.rsplit('/').next().unwrap().parse().unwrap();
    assert!(html.contains("id=\"notice\""), "{html}");
    assert!(
        html.contains("<strong>1.250</strong> Câu hỏi được giải đáp"),
        "{html}"
    );
    assert!(html.contains("id=\"replications-empty\""), "{html}");
    // "Nhân rộng" to two chosen CĐCS: a confirmation restating the count, then sent.
    let other = app.unit_id("AG-CDCS-016").await;
    let due =
        congdoan_domain::date::format_vn_date(congdoan_web::today() + time::Duration::days(30));
    let fields: Vec<(&str, &str)> = vec![
        ("unit", "0"),
        ("due_on", due.as_str()),
        ("instructions", "Áp dụng tại khu nhà trọ gần doanh nghiệp."),
        ("target_kind", "units"),
        ("units", "AG-CDCS-016"),
        ("units", congdoan_datagen::DEMO_CDCS_CODE),
    ];
    let ag_s = ag.to_string();
    let mut fields = fields;
    fields[0].1 = ag_s.as_str();
    let page = format!("/models/{model}/replicate?unit={ag}");
    let (s, _, html) = officer
        .post_form(&page, &format!("/models/{model}/replicate"), &fields)
        .await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("Xác nhận nhân rộng"), "{html}");
    assert!(
        html.contains("<strong class=\"n\">2</strong>"),
        "two recipients: {html}"
    );
    let mut confirmed = fields.clone();
    confirmed.push(("confirmed", "1"));
    let (s, url, html) = officer
        .post_form(&page, &format!("/models/{model}/replicate"), &confirmed)
        .await;
    assert_eq!(
        (s, url.as_str()),
        (200, format!("/models/{model}").as_str()),
        "{html}"
    );
    assert_eq!(figure(&html, "asked"), 2, "{html}");
    assert_eq!(figure(&html, "adopted"), 0);
    // The demo CĐCS officer sees it in the to-do list and on the list it links to.
    let c = app.login("cdcs.officer").await;
    let (_, todo) = c.get_html("/todo").await;
    assert!(todo.contains("data-kind=\"replication_owed\""), "{todo}");
    assert!(
        todo.contains("mô hình hay được đề nghị nhân rộng"),
        "{todo}"
    );
    let (_, owed) = c.get_html("/models/owed").await;
    let key = "/models/replications/";
    let i = owed.rfind(key).expect("a replication link");
    let link = owed[i..].split('"').next().unwrap().replace("&amp;", "&");
    let request: i64 = link[key.len()..]
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // Pick the request of this model (the demo has another).
    let rid = if app.store().model_of_request(request).await.unwrap() == Some(model) {
        request
    } else {
        let i = owed.find(key).unwrap();
        owed[i + key.len()..]
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(
        app.store().model_of_request(rid).await.unwrap(),
        Some(model)
    );
    let page = format!("/models/replications/{rid}?unit={cdcs}");
    let (_, html) = c.get_html(&page).await;
    assert!(html.contains("Tổ tư vấn pháp luật lưu động"), "{html}");
    assert!(html.contains("Chưa áp dụng"), "{html}");
    // Adopted…
    let cdcs_s = cdcs.to_string();
    let (s, _, html) = c
        .post_form(
            &page,
            &format!("/models/replications/{rid}/adopt"),
            &[("unit", &cdcs_s)],
        )
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("Đã áp dụng"), "{html}");
    // …an empty report is refused inline, in Vietnamese…
    let (_, form) = c.get_html(&page).await;
    let mp = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&form))
        .text("unit", cdcs_s.clone())
        .text("note", "");
    let r = c
        .http
        .post(app.url(&format!("/models/replications/{rid}/report")))
        .multipart(mp)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(html.contains("Kết quả:"), "{html}");
    // …then the results.
    let mp = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&form))
        .text("unit", cdcs_s.clone())
        .text("note", "Tư vấn cho 80 công nhân trong tháng đầu.");
    let r = c
        .http
        .post(app.url(&format!("/models/replications/{rid}/report")))
        .multipart(mp)
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("Đã báo cáo kết quả"), "{html}");
    // The model page counts them and shows the results text.
    let (_, html) = officer.get_html(&format!("/models/{model}")).await;
    assert_eq!(figure(&html, "asked"), 2, "{html}");
    assert_eq!(figure(&html, "adopted"), 1, "{html}");
    assert_eq!(figure(&html, "reported"), 1, "{html}");
    assert!(
        html.contains("Tư vấn cho 80 công nhân trong tháng đầu."),
        "{html}"
    );
    assert!(html.contains("50%"), "{html}");
    // The other CĐCS still owes it.
    let t = app
        .store()
        .request_target(&app.admin_scope(), rid, other)
        .await
        .unwrap();
    assert_eq!(t.state, "pending");
}

async fn writes_outside_the_scope_are_refused(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    // Kon Tum reads An Giang's model (the library is shared) but cannot edit it.
    let kt = app.login("lddl.kontum").await;
    let (s, html) = kt.get_html("/models?q=sat+co+so").await;
    assert_eq!(s, 200);
    let key = "data-model=\"";
    let i = html.find(key).expect("the model is listed") + key.len();
    let model: i64 = html[i..].split('"').next().unwrap().parse().unwrap();
    let (s, html) = kt.get_html(&format!("/models/{model}")).await;
    assert_eq!(s, 200);
    assert!(!html.contains("id=\"edit-model\""), "{html}");
    let (s, _) = kt.get_html(&format!("/models/{model}/edit")).await;
    assert_eq!(s, 403);
    // Through the API, neither an edit nor a model recorded for An Giang.
    let api = app.token("lddl.kontum").await;
    let (s, body) = api
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/models/{model}"),
            serde_json::json!({"version": 1, "owner_unit_id": app.unit_id("AG").await, "kind": "mo_hinh",
                "title": "Sửa trái phép", "summary": "Một nội dung đủ dài để qua kiểm tra độ dài."}),
        )
        .await;
    assert!(s == 403 || s == 404, "{s} {body}");
    let (s, body) = api
        .post(
            "/api/v1/models",
            serde_json::json!({"owner_unit_id": app.unit_id("AG").await, "kind": "mo_hinh",
                "title": "Ghi hộ An Giang", "summary": "Một nội dung đủ dài để qua kiểm tra độ dài."}),
        )
        .await;
    assert!(s == 403 || s == 404, "{s} {body}");
    // Nor replicating to An Giang's CĐCS from Kon Tum.
    let (s, body) = api
        .post(
            &format!("/api/v1/models/{model}/replications"),
            serde_json::json!({"issuer_unit_id": app.unit_id("KT").await, "due_on": "31/12/2099",
                "targets": {"kind": "units", "units": [app.unit_id("AG-CDCS-016").await]}}),
        )
        .await;
    assert!(s == 404 || s == 422, "{s} {body}");
    // The untouched model, and its own officer may write it through the API.
    let own = app.token("btv.angiang").await;
    let (s, body) = own.get(&format!("/api/v1/models/{model}")).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["title"], "Sát cơ sở, gần công nhân");
    assert_eq!(body["figures"][2]["value"], 3420);
    let mut edit = serde_json::json!({"version": body["version"], "owner_unit_id": body["owner_unit_id"], "kind": "mo_hinh",
        "title": "Sát cơ sở, gần công nhân", "summary": body["summary"], "tags": ["Cơ sở"]});
    let (s, body) = own
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/models/{model}"),
            edit.clone(),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["tag_list"], serde_json::json!(["Cơ sở"]));
    // A stale version answers 409.
    edit["tags"] = serde_json::json!([]);
    let (s, _) = own
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/models/{model}"),
            edit,
        )
        .await;
    assert_eq!(s, 409);
}

async fn a_file_of_the_wrong_type_is_refused_in_vietnamese(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let c = app.login("cdcs.officer").await;
    let cdcs = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let (_, form) = c.get_html(&format!("/models/new?unit={cdcs}")).await;
    let mp = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&form))
        .text("owner", congdoan_datagen::DEMO_CDCS_CODE)
        .text("model_kind", "mo_hinh")
        .text("model_title", "Góc đọc sách ca đêm")
        .text(
            "model_summary",
            "Tủ sách tại nhà ăn cho công nhân làm ca đêm.",
        )
        .text("model_figures", "Đầu sách: nhiều")
        .part(
            "files",
            reqwest::multipart::Part::bytes(b"MZ\x90\x00 not a document".to_vec())
                .file_name("anh.exe"),
        );
    let r = c
        .http
        .post(app.url("/models"))
        .multipart(mp)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(
        html.contains("Tệp &#39;anh.exe&#39; không phải PDF")
            || html.contains("Tệp 'anh.exe' không phải PDF")
            || html.contains("Tệp &#x27;anh.exe&#x27; không phải PDF"),
        "{html}"
    );
    assert!(
        html.contains("Số liệu kết quả: dòng «Đầu sách: nhiều»"),
        "{html}"
    );
    // The input is kept.
    assert!(html.contains("Góc đọc sách ca đêm"), "{html}");
    // Nothing was written.
    let (_, html) = c.get_html("/models?q=goc+doc+sach").await;
    assert!(html.contains("id=\"models-empty\""), "{html}");
    // A PDF is accepted and served back as an attachment.
    let (_, form) = c.get_html(&format!("/models/new?unit={cdcs}")).await;
    let mp = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&form))
        .text("owner", congdoan_datagen::DEMO_CDCS_CODE)
        .text("model_kind", "mo_hinh")
        .text("model_title", "Góc đọc sách ca đêm")
        .text(
            "model_summary",
            "Tủ sách tại nhà ăn cho công nhân làm ca đêm.",
        )
        .part(
            "files",
            reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec())
                .file_name("minh-chung.pdf"),
        );
    let r = c
        .http
        .post(app.url("/models"))
        .multipart(mp)
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    let key = "/models/files/";
    let i = html
        .find(key)
        .unwrap_or_else(|| panic!("a file link: {html}"));
    let link = html[i..].split('"').next().unwrap().to_string();
    let r = c.get(&link).await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"),
    );
}

async fn the_library_reads_on_a_phone(kind: Kind) {
    let Some(driver) = start_driver() else { return };
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let c = connect(driver.port).await;
    c.goto(&app.url("/todo")).await.expect("goto");
    log_in(&c, "btv.angiang").await.expect("log in");
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#todo-items, #todo-empty"))
        .await
        .expect("the to-do page");
    let model = app
        .store()
        .models(&app.admin_scope(), &Default::default())
        .await
        .unwrap()
        .0
        .into_iter()
        .find(|m| m.title.starts_with("Sát cơ sở"))
        .expect("the demo model")
        .model_id;
    for path in [
        "/models".to_string(),
        format!("/models/{model}"),
        "/models/owed".into(),
    ] {
        c.goto(&app.url(&path)).await.expect("goto");
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("main h1"))
            .await
            .expect("a heading");
        let w = c
            .execute(
                "return [window.innerWidth, document.documentElement.scrollWidth, \
                 Math.max(0, ...Array.from(document.querySelectorAll('.table-wrap, table')).map(t => t.scrollWidth - t.clientWidth))]",
                vec![],
            )
            .await
            .expect("widths");
        assert_eq!(w[0], w[1], "{path} scrolls sideways at 360 px: {w}");
        assert!(
            w[2].as_i64().unwrap_or(0) <= 1,
            "{path}: a table scrolls sideways: {w}"
        );
    }
    // Typing in the search box narrows the list without a page load.
    c.goto(&app.url("/models")).await.expect("goto");
    c.wait()
        .for_element(Locator::Id("q"))
        .await
        .expect("search box")
        .send_keys("fanpage")
        .await
        .expect("typing");
    let mut shown = String::new();
    for _ in 0..50 {
        shown = c
            .find(Locator::Id("results"))
            .await
            .expect("results")
            .text()
            .await
            .unwrap_or_default();
        if !shown.contains("Sát cơ sở") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(shown.contains("Trang Fanpage"), "{shown}");
    assert!(!shown.contains("Sát cơ sở"), "{shown}");
    let _ = c.close().await;
}
