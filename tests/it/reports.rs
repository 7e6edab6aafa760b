//! Report forms and reports through the pages (no JavaScript), on both engines: a form
//! defined by uploading its xlsx (a broken file lists located problems and stores
//! nothing), sent for a period after a confirmation, filled at two CĐCS (a rule error
//! shown inline with the Vietnamese label and the input kept), returned with a reason,
//! resubmitted and the change shown, approved and locked, the roll-up at the province
//! equal to its drill-down, and the xlsx export readable by LibreOffice.

use crate::harness::{Browser, Kind, TestApp, csrf_of};

pub(crate) fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

async fn upload(b: &Browser, page: &str, action: &str, unit: i64, bytes: Vec<u8>) -> (u16, String) {
    let (_, html) = b.get_html(page).await;
    let csrf = csrf_of(&html);
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("unit", unit.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("mau.xlsx"),
        );
    let r = b
        .http
        .post(format!("{}{action}", b.base))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let s = r.status().as_u16();
    (s, r.text().await.expect("body"))
}

/// The value of the hidden `definition` input of the preview.
fn hidden_value(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let i = html.find(&key).expect("hidden field") + key.len();
    let raw = html[i..].split('"').next().unwrap_or_default();
    // Named and decimal entities, as the template escaper writes them.
    let mut out = String::new();
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail.find(';').unwrap_or(0);
        let ent = &tail[1..end];
        let ch = match ent {
            "quot" => Some('"'),
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) if end > 0 => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            _ => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn filled(
    pairs: &[(&'static str, &'static str)],
    action: &'static str,
) -> Vec<(&'static str, &'static str)> {
    let mut v = pairs.to_vec();
    v.push(("action", action));
    v
}

async fn reports_through_the_pages(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let ag = app.unit_id("AG").await;
    let a = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let b_unit = app.unit_id("AG-CDCS-010").await;
    let btv = app.login("btv.angiang").await;

    // A broken definition: every problem listed, nothing stored.
    let mut bad = quick_form();
    bad.sections[0].fields[4].formula = Some("members_joined - nothing_here".into());
    let bytes = congdoan_sheet::form::write_form_definition(&bad);
    let (s, html) = upload(
        &btv,
        &format!("/forms?unit={ag}"),
        "/forms/import",
        ag,
        bytes,
    )
    .await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("id=\"sheet-problems\""), "{html}");
    assert!(html.contains("nothing_here"), "{html}");
    let (_, list) = btv.get_html(&format!("/forms?unit={ag}")).await;
    assert!(!list.contains("BCN-THU"));

    // A good one: preview, then create.
    let bytes = congdoan_sheet::form::write_form_definition(&quick_form());
    let (s, html) = upload(
        &btv,
        &format!("/forms?unit={ag}"),
        "/forms/import",
        ag,
        bytes,
    )
    .await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("id=\"form-preview\""));
    assert!(html.contains("Số cuộc ngừng việc tập thể"));
    let def = hidden_value(&html, "definition");
    let ag_s = ag.to_string();
    let (s, url, html) = btv
        .post_form(
            &format!("/forms?unit={ag}"),
            "/forms/create",
            &[("unit", ag_s.as_str()), ("definition", def.as_str())],
        )
        .await;
    assert_eq!(s, 200, "{html}");
    assert!(url.starts_with("/forms/"), "{url}");
    assert!(html.contains("Đã tạo mẫu báo cáo"), "{html}");
    let form_id: i64 = url.trim_start_matches("/forms/").parse().unwrap();
    let (_, list) = btv.get_html(&format!("/forms?unit={ag}")).await;
    assert!(list.contains("BCN-THU"), "{list}");

    // Send for last year's November: a confirmation restating the impact first.
    let period = format!("{}-11", today().year() - 1);
    let due = congdoan_domain::date::format_vn_date(today() + time::Duration::days(10));
    let page = format!("/forms/{form_id}?unit={ag}");
    let send = format!("/forms/{form_id}/send");
    let fields = [
        ("unit", ag_s.as_str()),
        ("period", period.as_str()),
        ("due_on", due.as_str()),
    ];
    let (s, _, html) = btv.post_form(&page, &send, &fields).await;
    assert_eq!(s, 200);
    let lead = format!("kỳ Tháng 11/{}", today().year() - 1);
    assert!(
        html.contains(&lead) && html.contains(&format!("hạn {due}")),
        "{html}"
    );
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirmed", "1"));
    let (s, url, html) = btv.post_form(&page, &send, &confirmed).await;
    assert_eq!(s, 200, "{html}");
    assert!(url.starts_with("/reports/"), "{url}");
    let rid: i64 = url.trim_start_matches("/reports/").parse().unwrap();

    // The CĐCS officer fills: the register's figures are prefilled and marked.
    let officer = app.login("cdcs.officer").await;
    let fill = format!("/reports/{rid}/units/{a}");
    let (s, html) = officer.get_html(&fill).await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("từ sổ đoàn viên"));
    assert!(html.contains("inputmode=\"numeric\""));
    // A rule error: inline, Vietnamese label, input kept, 422, nothing submitted.
    let bad = [
        ("members_end", "120"),
        ("women", "150"),
        ("members_joined", "5"),
        ("members_left", "2"),
        ("disputes", "0"),
        ("stoppages", "0"),
        ("wage_arrears", "không"),
    ];
    let (s, _, html) = officer
        .post_form(&fill, &fill, &filled(&bad, "submit"))
        .await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("role=\"alert\""));
    assert!(
        html.contains("Số đoàn viên nữ không được lớn hơn tổng số đoàn viên"),
        "{html}"
    );
    assert!(html.contains("Đoàn viên nữ:"), "{html}");
    assert!(html.contains("value=\"150\""));
    // The check endpoint answers the same message for the field as it is typed.
    let (_, page_html) = officer.get_html(&fill).await;
    let csrf = csrf_of(&page_html);
    let r = officer
        .http
        .post(format!("{}{fill}/check?field=women", officer.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("members_end", "120"),
            ("women", "150"),
        ])
        .send()
        .await
        .unwrap();
    let frag = r.text().await.unwrap();
    assert!(
        frag.contains("err-women") && frag.contains("không được lớn hơn"),
        "{frag}"
    );
    // Zero stoppages need no number of people.
    let good_a = [
        ("members_end", "120"),
        ("women", "70"),
        ("members_joined", "5"),
        ("members_left", "2"),
        ("disputes", "1"),
        ("stoppages", "0"),
        ("wage_arrears", "không"),
    ];
    let (s, url, html) = officer
        .post_form(&fill, &fill, &filled(&good_a, "submit"))
        .await;
    assert_eq!((s, url.as_str()), (200, fill.as_str()), "{html}");
    assert!(html.contains("Đã gửi báo cáo"));

    // The second CĐCS: a draft keeps what was typed, then submitted.
    let fill_b = format!("/reports/{rid}/units/{b_unit}");
    let (s, _, html) = btv
        .post_form(&fill_b, &fill_b, &filled(&[("members_end", "8a")], "draft"))
        .await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("value=\"8a\""), "{html}");
    let good_b = [
        ("members_end", "80"),
        ("women", "30"),
        ("members_joined", "1"),
        ("members_left", "0"),
        ("disputes", "0"),
        ("stoppages", "0"),
        ("wage_arrears", "không"),
    ];
    let (s, _, _) = btv
        .post_form(&fill_b, &fill_b, &filled(&good_b, "submit"))
        .await;
    assert_eq!(s, 200);

    // Return b with a reason (required), resubmit, the reviewer sees the change.
    let (s, _, html) = btv
        .post_form(&fill_b, &format!("{fill_b}/return"), &[])
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("Trả lại báo cáo"), "{html}");
    let (s, _, html) = btv
        .post_form(&fill_b, &format!("{fill_b}/return?c=1"), &[("reason", "")])
        .await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("Lý do"), "{html}");
    let (s, _, html) = btv
        .post_form(
            &fill_b,
            &format!("{fill_b}/return?c=1"),
            &[("reason", "Số nữ chưa khớp sổ")],
        )
        .await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("Đã trả lại"), "{html}");
    let (_, html) = btv.get_html(&fill_b).await;
    assert!(html.contains("Số nữ chưa khớp sổ"), "{html}");
    let mut fixed = good_b.to_vec();
    fixed[1] = ("women", "35");
    let (s, _, _) = btv
        .post_form(&fill_b, &fill_b, &filled(&fixed, "submit"))
        .await;
    assert_eq!(s, 200);
    let (_, html) = btv.get_html(&fill_b).await;
    assert!(html.contains("id=\"changes\""), "{html}");
    assert!(
        html.contains("<del>30</del>") && html.contains("<strong>35</strong>"),
        "{html}"
    );

    // Approve a: locked, a later post is refused with the message, nothing changed.
    let (s, _, html) = btv
        .post_form(&fill, &format!("{fill}/approve?c=1"), &[])
        .await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("Đã duyệt"), "{html}");
    let mut later = good_a.to_vec();
    later[0] = ("members_end", "999");
    let (s, _, html) = officer
        .post_form(&fill, &fill, &filled(&later, "submit"))
        .await;
    assert_eq!(s, 422, "{html}");
    let t = app
        .store()
        .request_target(&app.admin_scope(), rid, a)
        .await
        .unwrap();
    assert_eq!(t.state, "approved");
    assert!(!t.response_values.unwrap_or_default().contains("999"));

    // The province's roll-up: the sums, equal to the drill-down's total.
    let (s, html) = btv
        .get_html(&format!("/reports/{rid}?field=members_end"))
        .await;
    assert_eq!(s, 200, "{html}");
    let cell = |html: &str, key: &str| {
        let i = html.find(&format!("id=\"cell-{key}\"")).expect("cell");
        let row = &html[i..];
        let row = &row[..row.find("</tr>").unwrap()];
        let j = row.rfind("\">").unwrap();
        row[j + 2..].trim_end_matches("</td>").to_string()
    };
    assert_eq!(cell(&html, "members_end"), "200");
    assert_eq!(cell(&html, "women"), "105");
    let drill = &html[html.find("id=\"drill-rows\"").expect("drill")..];
    let drill = &drill[..drill.find("</table>").unwrap()];
    let total: i64 = drill
        .split("class=\"num\"")
        .skip(2)
        .filter_map(|s| {
            let v = s.split('>').nth(1)?.split('<').next()?;
            v.replace('.', "").parse::<i64>().ok()
        })
        .sum();
    assert_eq!(total, 200, "{drill}");
    assert!(html.contains("id=\"completeness\""));

    // The xlsx export opens in LibreOffice and carries the figures.
    let r = btv
        .get(&format!("/reports/{rid}/rollup.xlsx?level={ag}"))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let bytes = r.bytes().await.unwrap();
    let dir = std::env::temp_dir().join(format!(
        "congdoan-rep-{}-{rid}-{kind:?}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("tong-hop.xlsx");
    std::fs::write(&file, &bytes).unwrap();
    let out = std::process::Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}/profile",
            dir.display()
        ))
        .args([
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false",
            "--outdir",
        ])
        .arg(&dir)
        .arg(&file)
        .env("HOME", &dir)
        .output()
        .expect("soffice runs");
    assert!(out.status.success(), "{out:?}");
    let csv = std::fs::read_to_string(dir.join("tong-hop.csv")).expect("converted");
    assert!(csv.contains("Đoàn viên nữ") && csv.contains("105"), "{csv}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The same over the API: define, send, push a submission (422 with every issue, then
/// accepted), approve, pull the roll-up.
async fn reports_through_the_api(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let ag = app.unit_id("AG").await;
    let a = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let api = app.token("btv.angiang").await;
    let mut bad = quick_form();
    bad.sections[0].fields[4].formula = Some("members_joined - nothing_here".into());
    let (s, body) = api
        .post(
            "/api/v1/forms",
            serde_json::json!({"unit_id": ag, "definition": bad}),
        )
        .await;
    assert_eq!(s, 422, "{body}");
    let (s, form) = api
        .post(
            "/api/v1/forms",
            serde_json::json!({"unit_id": ag, "definition": quick_form()}),
        )
        .await;
    assert_eq!(s, 200, "{form}");
    let form_id = form["form_id"].as_i64().unwrap();
    let (s, list) = api.get(&format!("/api/v1/forms?unit_id={ag}")).await;
    assert_eq!(s, 200);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "BCN-THU")
    );
    let period = format!("{}-11", today().year() - 1);
    let (s, req) = api
        .post(
            "/api/v1/reports",
            serde_json::json!({"unit_id": ag, "form_id": form_id, "period": period,
                "due_on": congdoan_domain::date::format_vn_date(today() + time::Duration::days(10))}),
        )
        .await;
    assert_eq!(s, 200, "{req}");
    let rid = req["request_id"].as_i64().unwrap();
    let path = format!("/api/v1/reports/{rid}/units/{a}");
    let (s, body) = api
        .send(
            reqwest::Method::PUT,
            &path,
            serde_json::json!({"submit": true, "values": {"members_end": "10", "women": "20"}}),
        )
        .await;
    assert_eq!(s, 422, "{body}");
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert!(
        fields.contains(&"women") && fields.contains(&"disputes"),
        "{body}"
    );
    let values = serde_json::json!({"members_end": "120", "women": "70", "disputes": "0",
        "stoppages": "0", "wage_arrears": "không"});
    let (s, t) = api
        .send(
            reqwest::Method::PUT,
            &path,
            serde_json::json!({"submit": true, "values": values}),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["state"], "submitted");
    let (s, t) = api
        .post(
            &format!("{path}/steps"),
            serde_json::json!({"action": "return"}),
        )
        .await;
    assert_eq!(s, 422, "{t}");
    let (s, t) = api
        .post(
            &format!("{path}/steps"),
            serde_json::json!({"action": "approve"}),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["state"], "approved");
    let (_, sub) = api.get(&path).await;
    assert_eq!(sub["values"]["women"], "70", "{sub}");
    let (s, roll) = api
        .get(&format!("/api/v1/reports/{rid}/rollup?level={ag}"))
        .await;
    assert_eq!(s, 200, "{roll}");
    let women = roll["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "women")
        .unwrap();
    assert_eq!(women["number"], 70, "{roll}");
    assert_eq!(roll["rates"]["received"], 1);
}

crate::both_engines!(reports_through_the_pages, reports_through_the_api);

/// The demo's monthly quick report under another code (the demo already has one for An Giang).
fn quick_form() -> congdoan_domain::form::FormDef {
    let mut d = congdoan_datagen::forms::monthly_quick_report();
    d.code = "BCN-THU".into();
    d
}
