//! Certificates (issue 15 item 7): issued through the pages by a CĐCS officer,
//! verified by anyone on the public page (name and title only), revoked,
//! printed as one PDF whose page count is the number issued.

use crate::both_engines;
use crate::harness::{Kind, TestApp};
use crate::restructure::active_member;
use congdoan_store::NewCertificate;
use time::macros::date;

pub(crate) fn pdf_pages(bytes: &[u8]) -> usize {
    let dir = tempfile_dir();
    let path = dir.join("batch.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo (poppler-utils)");
    let _ = std::fs::remove_dir_all(&dir);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a page count")
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "congdoan-certs-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The code of the certificate of `name` in a list page.
fn code_in(html: &str, name: &str) -> String {
    let at = html
        .find(name)
        .unwrap_or_else(|| panic!("{name} not listed: {html}"));
    let rest = &html[at..];
    let v = rest.find("href=\"/verify/").expect("a verify link") + "href=\"/verify/".len();
    rest[v..v + 12].to_string()
}

async fn issue_verify_revoke(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let s = app.store();
    let unit = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let member = s
        .member(&app.admin_scope(), active_member(s, unit).await)
        .await
        .unwrap();
    let br = app.login("cdcs.officer").await;
    let page = format!("/units/{unit}/certificates");
    let recipients = format!(
        "{}; Tổ công đoàn 1\nLê Thị Bích Ngọc\tPhân xưởng 2\nTrần Văn Đức",
        member.full_name
    );
    let fields = [
        ("kind", "giay_khen"),
        ("award_title", "Đoàn viên công đoàn xuất sắc năm 2025"),
        ("achievement", "Đã có thành tích xuất sắc năm 2025."),
        ("decision_number", "12/QĐ-CĐCS"),
        ("decision_date", "15/12/2025"),
        ("place", "An Giang"),
        ("signer_position", "Chủ tịch"),
        ("signer_name", "Nguyễn Văn Chủ"),
        ("recipients", recipients.as_str()),
    ];
    // Bad input: 422, the list's Vietnamese label, the input kept.
    let mut bad = fields.to_vec();
    bad[4] = ("decision_date", "31/02/2025");
    bad[3] = ("decision_number", "");
    let (status, _, html) = br.post_form(&page, &page, &bad).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(html.contains("Ngày quyết định"), "{html}");
    assert!(html.contains("Lê Thị Bích Ngọc"), "input kept: {html}");
    // Without confirmation: a page restating the impact.
    let (status, _, html) = br.post_form(&page, &page, &fields).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"confirm-yes\""), "{html}");
    assert!(
        html.contains("Quyết định số 12/QĐ-CĐCS ngày 15/12/2025"),
        "{html}"
    );
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirmed", "1"));
    let (status, url, html) = br.post_form(&page, &page, &confirmed).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(url, page);
    assert!(html.contains("id=\"notice\""), "{html}");
    let code = code_in(&html, &member.full_name);

    // The public page, without a login: name and title, nothing personal.
    let anon = reqwest::Client::new();
    let r = anon
        .get(app.url(&format!("/verify/{code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains(&member.full_name), "{html}");
    assert!(
        html.contains("Đoàn viên công đoàn xuất sắc năm 2025"),
        "{html}"
    );
    assert!(html.contains("Giấy hợp lệ"), "{html}");
    assert!(html.contains("Quyết định số 12/QĐ-CĐCS"), "{html}");
    for secret in [member.cccd.clone(), member.phone.clone()]
        .into_iter()
        .flatten()
    {
        assert!(
            !html.contains(&secret),
            "personal data {secret} shown: {html}"
        );
    }
    let birth = congdoan_domain::date::format_vn_date(member.birth_date);
    assert!(!html.contains(&birth), "birth date shown: {html}");
    assert!(!html.contains(&format!("/members/{}", member.member_id)));
    // Typed with a dash and in lower case, from paper.
    let typed = format!("{}-{}", &code[..6], code[6..].to_lowercase());
    let (status, html) = br.get_html(&format!("/verify?code={typed}")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&member.full_name));

    // Unknown code: 404 with the Vietnamese message.
    let r = anon
        .get(app.url("/verify/ABCDEFGHJKMN"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Không tìm thấy giấy chứng nhận")
    );

    // The batch PDF: one page per certificate issued.
    let r = br
        .get(&format!(
            "/units/{unit}/certificates.pdf?decision=12%2FQĐ-CĐCS"
        ))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(pdf_pages(&r.bytes().await.unwrap()), 3);

    // Revoke: a reason is required, then the public page says revoked.
    let (_, list) = br.get_html(&page).await;
    let id_at = list.find(&format!("/verify/{code}")).unwrap();
    // The row's PDF link comes after its code.
    let row = &list[id_at..];
    let pdf_at = row.find("href=\"/certificates/").unwrap() + "href=\"/certificates/".len();
    let id: String = row[pdf_at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let revoke = format!("/certificates/{id}/revoke");
    let (status, _, html) = br
        .post_form(&revoke, &revoke, &[("revoked_reason", "")])
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("Lý do thu hồi"), "{html}");
    let (status, _, _) = br
        .post_form(&revoke, &revoke, &[("revoked_reason", "Cấp nhầm người")])
        .await;
    assert_eq!(status, 200);
    let html = anon
        .get(app.url(&format!("/verify/{code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("đã bị thu hồi"), "{html}");
    assert!(
        !html.contains("Cấp nhầm người"),
        "the reason stays private: {html}"
    );

    // A viewer cannot issue.
    let viewer = app.login("cdcs.viewer").await;
    let (status, _, _) = viewer.post_form(&page, &page, &confirmed).await;
    assert_eq!(status, 403);
    let n = s
        .certificates_of_unit(&app.admin_scope(), unit, Some("12/QĐ-CĐCS"), None, 100)
        .await
        .unwrap()
        .len();
    assert_eq!(n, 3);
}

async fn store_batch_is_all_or_nothing(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let s = app.store();
    let unit = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let item = |name: &str| NewCertificate {
        kind: "giay_chung_nhan".into(),
        title: "Hoàn thành xuất sắc nhiệm vụ".into(),
        recipient_name: name.into(),
        recipient_unit_name: None,
        reason: String::new(),
        decision_number: "99/QĐ-TEST".into(),
        decision_date: date!(2025 - 12 - 20),
        place: "An Giang".into(),
        signer_position: "Chủ tịch".into(),
        signer_name: "Nguyễn Văn Chủ".into(),
        member_id: None,
        unit_id: None,
        reward_item_id: None,
    };
    let err = s
        .issue_certificates(&app.admin_scope(), unit, vec![item("A Một"), item(" ")])
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ST2401");
    let none = s
        .certificates_of_unit(&app.admin_scope(), unit, Some("99/QĐ-TEST"), None, 10)
        .await
        .unwrap();
    assert!(none.is_empty());
    let done = s
        .issue_certificates(&app.admin_scope(), unit, vec![item("A Một"), item("B Hai")])
        .await
        .unwrap();
    assert_eq!(done.len(), 2);
    assert_ne!(done[0].code, done[1].code);
    let found = s
        .certificate_by_code(&done[1].code.to_lowercase())
        .await
        .unwrap();
    assert_eq!(found.recipient_name, "B Hai");
}

both_engines!(issue_verify_revoke, store_batch_is_all_or_nothing);
