//! Issue 15's "done when", clicked through in Chromium on a 360-px phone, on both
//! engines: LĐLĐ An Giang's standing-committee member builds a criteria set in the
//! browser and sends a self-assessment to a cluster; two CĐCS score themselves from
//! their to-do pages; the member appraises both item by item (the difference shows),
//! publishes, and reads the ranking with the classes and the target line. The factory
//! CĐCS runs a quarterly evaluation with a quota, nominates with the member picker,
//! decides, downloads the payout list and prints the certificates; one certificate is
//! verified logged out through its QR address. A good model is added, found by an
//! accent-free search, replicated to a chosen unit, adopted from that unit's to-do
//! page, and its page shows the adoption rate. Every page on the way is checked for
//! sideways scrolling, split words and serious accessibility findings.

use crate::browser::{connect, log_in, open_menu, start_driver};
use crate::harness::{Kind, TestApp};
use crate::phone::check_page;
use crate::walkthrough::{click, download, fill, main_text, switch_to, where_we_are};
use fantoccini::{Client, Locator};
use std::time::Duration;

crate::both_engines!(issue_15_done_when_on_a_phone);

async fn issue_15_done_when_on_a_phone(kind: Kind) {
    let Some(driver) = start_driver() else { return };
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let c = connect(driver.port).await;
    let mut problems = Vec::new();
    let result = walk(&c, &app, &mut problems).await;
    let at = where_we_are(&c).await;
    let _ = c.close().await;
    result.unwrap_or_else(|e| panic!("walkthrough 15: {e}\n{at}"));
    assert!(problems.is_empty(), "{problems:#?}");
}

type Step = Result<(), fantoccini::error::CmdError>;

/// The cluster holding both the factory CĐCS and AG-CDCS-027 (demo data).
const CLUSTER: &str = "Cụm thi đua doanh nghiệp các khu công nghiệp và Chợ Mới (2026)";

async fn walk(c: &Client, app: &TestApp, problems: &mut Vec<String>) -> Step {
    let factory = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let other = app.unit_id(congdoan_datagen::DEMO_OTHER_CDCS_CODE).await;
    emulation(c, app, problems, factory, other).await?;
    let verify = rewards(c, app, problems).await?;
    certificate_verified(c, app, problems, &verify).await?;
    models(c, app, problems, factory).await
}

/// Fills the value of an input found by its name (names hold dots: `p_1.1`).
async fn fill_named(c: &Client, name: &str, text: &str) -> Step {
    fill(c, &format!("input[name='{name}']"), text).await
}

/// The text of an element.
async fn text_of(c: &Client, css: &str) -> Result<String, fantoccini::error::CmdError> {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await?
        .text()
        .await
}

/// Steps 1–3: the criteria set, the self-assessments, the appraisal and the ranking.
/// Returns the assessment request's id.
async fn emulation(
    c: &Client,
    app: &TestApp,
    problems: &mut Vec<String>,
    factory: i64,
    other: i64,
) -> Result<i64, fantoccini::error::CmdError> {
    // 1. The builder, from the menu's "Thi đua" hub.
    c.goto(&app.url("/login")).await?;
    log_in(c, "btv.angiang").await?;
    c.wait().for_element(Locator::Css("#todo-items")).await?;
    open_menu(c).await?;
    c.find(Locator::LinkText("Thi đua")).await?.click().await?;
    c.wait().for_element(Locator::Css("#new-set")).await?;
    problems.extend(check_page(c, "emulation hub").await);
    click(c, "#new-set").await?;
    c.wait().for_element(Locator::Css("#no-groups")).await?;
    problems.extend(check_page(c, "criteria builder, empty").await);
    fill(
        c,
        "#title",
        "Chấm điểm CĐCS doanh nghiệp khu công nghiệp 2026",
    )
    .await?;
    fill(c, "#code", "KCN-2026").await?;
    fill(c, "#year", "2026").await?;
    fill(c, "#scale", "100").await?;
    let cdcs_type = c
        .find(Locator::Css("input[name=unit_types][value=CDCS]"))
        .await?;
    if !cdcs_type.is_selected().await? {
        cdcs_type.click().await?;
    }
    for (code, title) in [("1", "Đại diện, chăm lo"), ("2", "Xây dựng tổ chức")] {
        fill(c, "#g_code", code).await?;
        fill(c, "#g_title", title).await?;
        click(c, "#add-group-button").await?;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(&format!("[id='bg-{code}']")))
            .await?;
    }
    for (g, code, text, max) in [
        (
            "1",
            "1.1",
            "Thương lượng, ký thoả ước lao động tập thể",
            "40",
        ),
        ("1", "1.2", "Tổ chức hội nghị người lao động", "30"),
        (
            "2",
            "2.1",
            "Phát triển đoàn viên, thành lập tổ công đoàn",
            "30",
        ),
    ] {
        c.find(Locator::Css("#i_group"))
            .await?
            .select_by_value(g)
            .await?;
        fill(c, "#i_code", code).await?;
        fill(c, "#i_text", text).await?;
        fill(c, "#i_max", max).await?;
        click(c, "#add-item-button").await?;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(&format!("[id='bi-{code}']")))
            .await?;
    }
    click(c, "#scheme-366").await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#band-khong_hoan_thanh"))
        .await?;
    let sum = text_of(c, "#points-sum").await?;
    assert!(sum.contains("100/100"), "{sum}");
    problems.extend(check_page(c, "criteria builder, two groups").await);
    click(c, "#create-button").await?;
    let lead = text_of(c, "#confirm-lead").await?;
    assert!(
        lead.contains("2 nhóm, 3 tiêu chí, thang 100 điểm"),
        "{lead}"
    );
    problems.extend(check_page(c, "criteria set confirmation").await);
    click(c, "#confirm-yes").await?;
    main_text(c, "Đã tạo bộ tiêu chí.").await;
    problems.extend(check_page(c, "criteria set").await);
    let set_id = c
        .current_url()
        .await?
        .path()
        .trim_start_matches("/emulation/sets/")
        .to_string();

    // … and a self-assessment sent to the cluster holding both CĐCS.
    open_menu(c).await?;
    c.find(Locator::LinkText("Thi đua")).await?.click().await?;
    c.wait()
        .for_element(Locator::Css("#send-assessment"))
        .await?;
    c.find(Locator::Css("#set_id"))
        .await?
        .select_by_value(&set_id)
        .await?;
    c.find(Locator::Css("#target"))
        .await?
        .select_by_label(CLUSTER)
        .await?;
    fill(
        c,
        "#send-form #title",
        "Tự chấm điểm CĐCS khu công nghiệp 2026",
    )
    .await?;
    // Due within the week, so that the to-do pages remind the units.
    let due = crate::reports::today() + time::Duration::days(5);
    fill(c, "#due_on", &congdoan_domain::date::format_vn_date(due)).await?;
    click(c, "#send-assessment").await?;
    let confirm = main_text(c, "đơn vị phải tự chấm điểm").await;
    assert!(confirm.contains("Chợ Mới"), "{confirm}");
    problems.extend(check_page(c, "assessment confirmation").await);
    click(c, "#confirm-yes").await?;
    main_text(c, "Đã gửi yêu cầu tự chấm điểm tới các đơn vị.").await;
    problems.extend(check_page(c, "ranking, nothing published").await);
    let rid: i64 = c
        .current_url()
        .await?
        .path()
        .trim_start_matches("/emulation/")
        .trim_end_matches("/ranking")
        .parse()
        .expect("the request's id");

    // 2. Each CĐCS scores itself from its to-do page.
    for (who, unit, points) in [
        ("cdcs.officer", factory, ["38", "28", "27"]),
        ("cdcs.other", other, ["30", "25", "20"]),
    ] {
        switch_to(c, app, who).await?;
        click(c, "li[data-kind=assessments_due] a").await?;
        let sheet = format!("/emulation/{rid}/units/{unit}");
        c.wait().for_element(Locator::Css("main")).await?;
        if c.current_url().await?.path() != sheet {
            c.wait().for_element(Locator::Css("#owed")).await?;
            problems.extend(check_page(c, "assessments owed").await);
            click(c, &format!("#owed a[href='{sheet}']")).await?;
        }
        c.wait().for_element(Locator::Css("#submit-score")).await?;
        problems.extend(check_page(c, "self-assessment to fill").await);
        for (code, p) in ["1.1", "1.2", "2.1"].iter().zip(points) {
            fill_named(c, &format!("p_{code}"), p).await?;
        }
        click(c, "#submit-score").await?;
        main_text(c, "Đã gửi bản tự chấm điểm.").await;
    }

    // 3. Upstairs: appraise both from the ranking page, item by item, and publish.
    switch_to(c, app, "btv.angiang").await?;
    open_menu(c).await?;
    c.find(Locator::LinkText("Thi đua")).await?.click().await?;
    click(c, &format!("#sent a[href^='/emulation/{rid}/ranking']")).await?;
    c.wait().for_element(Locator::Css("#pending")).await?;
    for (unit, points, total, delta) in [
        (factory, ["35", "28", "25"], "88", "5"),
        (other, ["28", "20", "15"], "63", "12"),
    ] {
        click(
            c,
            &format!("#pending a[href='/emulation/{rid}/units/{unit}']"),
        )
        .await?;
        c.wait()
            .for_element(Locator::Css("#save-appraisal"))
            .await?;
        for (code, p) in ["1.1", "1.2", "2.1"].iter().zip(points) {
            fill_named(c, &format!("a_{code}"), p).await?;
        }
        click(c, "#save-appraisal").await?;
        main_text(c, "Đã lưu điểm thẩm định.").await;
        assert_eq!(text_of(c, "#appraised-total").await?, total);
        let d = text_of(c, "#delta").await?;
        assert!(d.contains(delta), "difference {d}, expected {delta}");
        let item = text_of(c, "[id='item-1.1']").await?;
        assert!(item.contains("lệch"), "the difference per item: {item}");
        problems.extend(check_page(c, "appraisal").await);
        click(c, "#publish").await?;
        // The confirmation restates the appraised total before anything is locked.
        c.wait().for_element(Locator::Css("#confirm-yes")).await?;
        let lead = text_of(c, "#confirm-impacts").await?;
        assert!(lead.contains(total), "the total restated: {lead}");
        problems.extend(check_page(c, "publish confirmation").await);
        click(c, "#confirm-yes").await?;
        main_text(c, "Đã công bố kết quả thẩm định.").await;
        click(c, &format!("#totals a[href='/emulation/{rid}/ranking']")).await?;
        c.wait().for_element(Locator::Css("#target")).await?;
    }
    let ranking = text_of(c, "#ranking").await?;
    let mekong = ranking.find("Bao bì Mekong");
    let binh_long = ranking.find("Bình Long");
    assert!(
        mekong.is_some() && binh_long.is_some() && mekong < binh_long,
        "both ranked, 88 before 63: {ranking}"
    );
    assert!(ranking.contains("Hoàn thành tốt nhiệm vụ"), "{ranking}");
    assert!(ranking.contains("Hoàn thành nhiệm vụ"), "{ranking}");
    let target = text_of(c, "#target").await?;
    assert!(target.contains("Chỉ tiêu: ≥"), "{target}");
    assert!(
        target.contains("/2 ("),
        "reached out of the two published: {target}"
    );
    problems.extend(check_page(c, "ranking").await);
    Ok(rid)
}

/// The value of the first option of a select whose text starts with `label`.
async fn option_value(
    c: &Client,
    select: &str,
    label: &str,
) -> Result<String, fantoccini::error::CmdError> {
    for o in c
        .find_all(Locator::Css(&format!("{select} option")))
        .await?
    {
        if o.text().await?.trim().starts_with(label) {
            return Ok(o.attr("value").await?.unwrap_or_default());
        }
    }
    panic!("no option {label:?} in {select}");
}

/// Status, content type and length of a GET by a plain HTTP client that carries the
/// browser's cookies (its session).
async fn plain_get(
    c: &Client,
    app: &TestApp,
    path: &str,
) -> Result<(u16, String, usize), fantoccini::error::CmdError> {
    let cookies = c
        .get_all_cookies()
        .await?
        .iter()
        .map(|k| format!("{}={}", k.name(), k.value()))
        .collect::<Vec<_>>()
        .join("; ");
    let r = reqwest::Client::new()
        .get(app.url(path))
        .header(reqwest::header::COOKIE, cookies)
        .send()
        .await
        .expect("GET");
    let status = r.status().as_u16();
    let kind = r
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let len = r.bytes().await.expect("body").len();
    Ok((status, kind, len))
}

/// Opens a folded `<details>` whose summary reads `summary`.
async fn unfold(c: &Client, summary: &str) -> Step {
    for d in c.find_all(Locator::Css("details")).await? {
        let s = d.find(Locator::Css("summary")).await?;
        if s.text().await?.contains(summary) {
            if d.attr("open").await?.is_none() {
                s.click().await?;
            }
            return Ok(());
        }
    }
    panic!("no folded panel {summary:?}");
}

/// Step 4–5a: a quarterly evaluation with a quota at the factory CĐCS, two nominees
/// found with the member picker, the decision, its payout list, its certificates.
/// Returns the path of one certificate's verification page, as the page links it.
async fn rewards(
    c: &Client,
    app: &TestApp,
    problems: &mut Vec<String>,
) -> Result<String, fantoccini::error::CmdError> {
    switch_to(c, app, "cdcs.officer").await?;
    open_menu(c).await?;
    c.find(Locator::LinkText("Khen thưởng"))
        .await?
        .click()
        .await?;
    c.wait()
        .for_element(Locator::Css("#new-evaluation"))
        .await?;
    problems.extend(check_page(c, "rewards").await);
    unfold(c, "Mở đợt bình xét mới").await?;
    // Opened from the menu, the form offers the officer's own CĐCS.
    let code = c
        .find(Locator::Css("#new-evaluation input[name=unit_code]"))
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    assert_eq!(
        code,
        congdoan_datagen::DEMO_CDCS_CODE,
        "the own CĐCS offered"
    );
    fill(
        c,
        "#new-evaluation input[name=title]",
        "Bình xét Lao động tiên tiến quý",
    )
    .await?;
    c.find(Locator::Css("#new-evaluation select[name=period_type]"))
        .await?
        .select_by_value("quarter")
        .await?;
    fill(c, "#new-evaluation input[name=quota]", "2").await?;
    let ldtt = option_value(
        c,
        "#new-evaluation select[name=reward_kind_id]",
        "Lao động tiên tiến",
    )
    .await?;
    c.find(Locator::Css("#new-evaluation select[name=reward_kind_id]"))
        .await?
        .select_by_value(&ldtt)
        .await?;
    click(c, "#new-evaluation button[type=submit]:not([name=pick])").await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#nominate"))
        .await?;
    problems.extend(check_page(c, "evaluation, nobody nominated").await);

    // Two members, each found by name with the picker.
    let mut picked = Vec::new();
    for name in ["Đức", "Nguyễn"] {
        unfold(c, "Thêm người được đề nghị").await?;
        fill(c, "#nominate-member-q", name).await?;
        click(c, "#nominate button[name=pick][value=member]").await?;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("input[name=member__pick]"))
            .await?;
        let mut chosen = None;
        for r in c.find_all(Locator::Css("input[name=member__pick]")).await? {
            let v = r.attr("value").await?.unwrap_or_default();
            if !picked.contains(&v) {
                r.click().await?;
                chosen = Some(v);
                break;
            }
        }
        picked.push(chosen.expect("a member not yet nominated"));
        fill(c, "#nominate input[name=votes]", "25").await?;
        click(c, "#nominate > button[type=submit]").await?;
        main_text(c, "Đã thêm vào danh sách đề nghị.").await;
    }
    let quota = text_of(c, "#quota").await?;
    assert!(quota.starts_with("2/2"), "{quota}");
    let nominees = text_of(c, "#nominees").await?;
    assert!(nominees.contains(congdoan_datagen::NAME_DUC), "{nominees}");
    problems.extend(check_page(c, "evaluation with two nominees").await);

    // Decide: restated first, then the decision with its payout list.
    let today = congdoan_domain::date::format_vn_date(crate::reports::today());
    fill(c, "#decide input[name=decided_on]", &today).await?;
    fill(c, "#decide input[name=signer_name]", "Lê Văn Minh").await?;
    click(c, "#decide button[type=submit]").await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#confirm-yes"))
        .await?;
    problems.extend(check_page(c, "decision confirmation").await);
    click(c, "#confirm-yes").await?;
    main_text(c, "Đã ra quyết định khen thưởng.").await;
    problems.extend(check_page(c, "reward decision").await);
    let total = text_of(c, "#total").await?;
    assert!(
        total.contains(" ₫") && !total.starts_with("0 "),
        "total in figures: {total}"
    );
    let words = text_of(c, "#total-words").await?;
    assert!(words.contains("đồng"), "total in words: {words}");
    let items = text_of(c, "#decision-items").await?;
    assert!(items.contains(congdoan_datagen::NAME_DUC), "{items}");
    for (link, kind) in [("#payout-xlsx", "spreadsheetml"), ("#payout-pdf", "pdf")] {
        let path = c
            .find(Locator::Css(link))
            .await?
            .attr("href")
            .await?
            .unwrap_or_default();
        let got = download(c, &path).await?;
        assert_eq!(got[0], 200, "{path}: {got}");
        assert!(
            got[1].as_str().unwrap_or("").contains(kind),
            "{path}: {got}"
        );
        assert!(got[2].as_i64().unwrap_or(0) > 1000, "{path}: {got}");
        // The same download by a plain HTTP client carrying the browser's session.
        let r = plain_get(c, app, &path).await?;
        assert_eq!(r.0, 200, "{path}");
        assert!(r.1.contains(kind), "{path}: {}", r.1);
        assert!(r.2 > 1000, "{path}: {} bytes", r.2);
    }

    // 5. "In giấy khen…": confirmed, then the unit's certificates with their codes.
    click(c, "#print-certificates").await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#confirm-yes"))
        .await?;
    problems.extend(check_page(c, "certificates confirmation").await);
    click(c, "#confirm-yes").await?;
    main_text(c, "Đã cấp giấy.").await;
    problems.extend(check_page(c, "certificates").await);
    let list = text_of(c, "#certificates").await?;
    assert!(list.contains(congdoan_datagen::NAME_DUC), "{list}");
    let verify = c
        .find(Locator::Css("#certificates a[href^='/verify/']"))
        .await?
        .attr("href")
        .await?
        .unwrap_or_default();
    Ok(verify)
}

/// Step 5b: the QR code's address, opened logged out, tells validity, name and title
/// and nothing personal.
async fn certificate_verified(
    c: &Client,
    app: &TestApp,
    problems: &mut Vec<String>,
    verify: &str,
) -> Step {
    c.delete_all_cookies().await?;
    c.goto(&app.url(verify)).await?;
    let status = text_of(c, "#verify-status").await?;
    assert!(status.contains("Giấy hợp lệ"), "{status}");
    let name = text_of(c, "#verify-name").await?;
    assert!(!name.is_empty(), "a name");
    let title = text_of(c, "#verify-title").await?;
    assert!(title.contains("Lao động tiên tiến"), "{title}");
    let page = main_text(c, "Giấy hợp lệ").await;
    for private in ["CCCD", "Ngày sinh", "Điện thoại", "₫"] {
        assert!(!page.contains(private), "{private} shown publicly: {page}");
    }
    problems.extend(check_page(c, "public verification").await);
    Ok(())
}

/// Step 6: a good model added with a figure and a tag, found without accents,
/// replicated to the factory CĐCS, adopted there from the to-do page, and the model
/// page's adoption rate.
async fn models(c: &Client, app: &TestApp, problems: &mut Vec<String>, factory: i64) -> Step {
    c.goto(&app.url("/login")).await?;
    log_in(c, "btv.angiang").await?;
    c.wait().for_element(Locator::Css("#todo-items")).await?;
    open_menu(c).await?;
    c.find(Locator::LinkText("Mô hình hay"))
        .await?
        .click()
        .await?;
    c.wait().for_element(Locator::Css("#new-model")).await?;
    problems.extend(check_page(c, "good models").await);
    click(c, "#new-model").await?;
    c.wait().for_element(Locator::Css("#save-model")).await?;
    problems.extend(check_page(c, "new good model").await);
    let title = "Tổ tự quản an toàn khu nhà trọ công nhân";
    fill(c, "#model_title", title).await?;
    fill(
        c,
        "#model_summary",
        "Công đoàn phối hợp chủ nhà trọ lập tổ tự quản, họp hằng tháng.",
    )
    .await?;
    fill(
        c,
        "#model_results",
        "Không còn vụ mất trộm; công nhân ở trọ gia nhập công đoàn.",
    )
    .await?;
    fill(c, "#model_figures", "Đoàn viên mới: 120").await?;
    fill(c, "#model_tags", "nhà trọ").await?;
    click(c, "#save-model").await?;
    main_text(c, "Đã ghi mô hình vào thư viện.").await;
    let figures = text_of(c, "#model-figures").await?;
    assert!(figures.contains("120"), "{figures}");
    let tags = text_of(c, "#model-tags").await?;
    assert!(tags.contains("nhà trọ"), "{tags}");
    problems.extend(check_page(c, "good model").await);
    let model = c.current_url().await?.path().to_string();

    // Found without accents from the library's search.
    open_menu(c).await?;
    c.find(Locator::LinkText("Mô hình hay"))
        .await?
        .click()
        .await?;
    c.wait().for_element(Locator::Css("#q")).await?;
    fill(c, "#q", "to tu quan nha tro").await?;
    c.find(Locator::Css("#q"))
        .await?
        .send_keys("\u{E007}")
        .await?;
    let results = main_text(c, title).await;
    assert!(results.contains(title), "{results}");
    problems.extend(check_page(c, "good models, searched").await);
    click(c, &format!("#results a[href^='{model}']")).await?;

    // "Nhân rộng" to a unit chosen with the picker, confirmed.
    click(c, "#replicate-model").await?;
    c.wait()
        .for_element(Locator::Css("#send-replication"))
        .await?;
    problems.extend(check_page(c, "replicate").await);
    let due = crate::reports::today() + time::Duration::days(6);
    fill(c, "#due_on", &congdoan_domain::date::format_vn_date(due)).await?;
    fill(c, "#instructions", "Mỗi khu nhà trọ lập một tổ tự quản.").await?;
    click(c, "input[name=target_kind][value=units]").await?;
    fill(c, "#replicate-units-q", "Bao bì Mekong").await?;
    click(
        c,
        &format!(
            "input[name=units__pick][value='{}']",
            congdoan_datagen::DEMO_CDCS_CODE
        ),
    )
    .await?;
    click(c, "#send-replication").await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#confirm-yes"))
        .await?;
    problems.extend(check_page(c, "replication confirmation").await);
    click(c, "#confirm-yes").await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("li[data-figure=asked]"))
        .await?;
    let asked = text_of(c, "li[data-figure=asked]").await?;
    assert!(asked.starts_with('1'), "{asked}");
    let section = c
        .find(Locator::Css("section.replication"))
        .await?
        .attr("id")
        .await?
        .unwrap_or_default();
    let replication = format!(
        "/models/replications/{}?",
        section.trim_start_matches("replication-")
    );

    // The factory adopts it from its to-do page.
    switch_to(c, app, "cdcs.officer").await?;
    click(c, "li[data-kind=replication_owed] a").await?;
    c.wait().for_element(Locator::Css("main")).await?;
    if c.current_url().await?.path() == "/models/owed" {
        problems.extend(check_page(c, "models owed").await);
        // The demo already asks the factory to replicate another model: pick ours.
        click(c, &format!("main a[href^='{replication}unit={factory}']")).await?;
    }
    c.wait().for_element(Locator::Css("#adopt")).await?;
    main_text(c, "Mỗi khu nhà trọ lập một tổ tự quản.").await;
    problems.extend(check_page(c, "replication at the CĐCS").await);
    click(c, "#adopt").await?;
    main_text(c, "Đã ghi nhận: đơn vị đã áp dụng mô hình.").await;

    // The model page shows the adoption rate.
    switch_to(c, app, "btv.angiang").await?;
    open_menu(c).await?;
    c.find(Locator::LinkText("Mô hình hay"))
        .await?
        .click()
        .await?;
    c.wait().for_element(Locator::Css("#q")).await?;
    click(c, &format!("#results a[href^='{model}']")).await?;
    let adopted = text_of(c, "li[data-figure=adopted]").await?;
    assert!(
        adopted.starts_with('1') && adopted.contains("100"),
        "{adopted}"
    );
    problems.extend(check_page(c, "good model, adopted").await);
    Ok(())
}
