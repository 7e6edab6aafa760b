//! Emulation scoring on both engines: a criteria set stored and versioned, a
//! self-assessment sent to a cluster, units scoring themselves (points over an item's
//! maximum refused with a Vietnamese message naming the item, nothing written), the
//! upper level's appraisal and the difference per item, stored totals equal to a
//! recount after items and vetoes change, a published result locked until a recorded
//! reopening, the ranking with its class counts and target, and a band table with a
//! gap refused.

use crate::harness::{Kind, TestApp};
use congdoan_domain::emulation::{Band, CriteriaSet, Group, Item, Pts, Scores, Veto, bands_366};
use congdoan_domain::request::TargetSpec;
use congdoan_store::{NewAssessment, NewFile, Store, StoreError};
use time::{Date, Duration, OffsetDateTime};

fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

fn item(code: &str, text: &str, max: i64, veto: bool) -> Item {
    Item {
        code: code.into(),
        text: text.into(),
        max: Pts::from_points(max),
        evidence: code == "1.1",
        veto_if_zero: veto,
    }
}

pub fn test_set(code: &str) -> CriteriaSet {
    CriteriaSet {
        code: code.into(),
        title: "Chấm điểm CĐCS ngoài nhà nước (thử)".into(),
        year: 2025,
        unit_types: vec!["CDCS".into()],
        ownership: vec!["private".into(), "fdi".into()],
        scale: Pts::from_points(100),
        groups: vec![
            Group {
                code: "1".into(),
                title: "Đại diện, chăm lo, bảo vệ đoàn viên".into(),
                order: 1,
                items: vec![
                    item(
                        "1.1",
                        "Thương lượng, ký kết thỏa ước lao động tập thể",
                        25,
                        true,
                    ),
                    item("1.2", "Tổ chức hội nghị người lao động", 15, false),
                ],
            },
            Group {
                code: "2".into(),
                title: "Xây dựng tổ chức công đoàn".into(),
                order: 2,
                items: vec![
                    item("2.1", "Phát triển đoàn viên", 30, false),
                    item("2.2", "Thu, nộp kinh phí và đoàn phí", 30, false),
                ],
            },
        ],
        vetoes: vec![Veto {
            code: "fatal_accident".into(),
            question: "Trong năm có tai nạn lao động chết người?".into(),
        }],
        bands: bands_366(),
    }
}

fn scores(p: &[(&str, &str)]) -> Scores {
    Scores {
        items: p
            .iter()
            .map(|(c, v)| (c.to_string(), Pts::parse(v).unwrap()))
            .collect(),
        vetoes: Default::default(),
    }
}

async fn recount_matches(s: &Store, request_id: i64, after: &str) {
    for (unit, stored, recount) in s.assessment_recount(request_id).await.unwrap() {
        assert_eq!(
            stored.self_total, recount.self_total,
            "{after}: unit {unit}"
        );
        assert_eq!(
            stored.self_class, recount.self_class,
            "{after}: unit {unit}"
        );
        assert_eq!(
            stored.self_vetoes, recount.self_vetoes,
            "{after}: unit {unit}"
        );
        assert_eq!(
            stored.appraised_total, recount.appraised_total,
            "{after}: unit {unit}"
        );
        assert_eq!(
            stored.appraised_group1, recount.appraised_group1,
            "{after}: unit {unit}"
        );
        assert_eq!(
            stored.appraised_class, recount.appraised_class,
            "{after}: unit {unit}"
        );
    }
}

async fn scoring_appraisal_and_ranking(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let units = [
        app.unit_id("AG-CDCS-019").await,
        app.unit_id("AG-CDCS-010").await,
        app.unit_id("AG-CDCS-008").await,
    ];

    // A band table with a gap is refused, naming the gap; nothing stored.
    let mut gap = test_set("TEST-GAP");
    gap.bands[2].below = Some(Pts::from_points(68));
    match s.create_criteria_set(&scope, ag, gap).await {
        Err(StoreError::Rule {
            code, message_vi, ..
        }) => {
            assert_eq!(code, "VL1008");
            assert!(
                message_vi.contains("hở") && message_vi.contains("68"),
                "{message_vi}"
            );
        }
        other => panic!("gap accepted: {other:?}"),
    }
    assert!(
        s.criteria_sets(&scope, ag)
            .await
            .unwrap()
            .iter()
            .all(|c| c.code != "TEST-GAP")
    );

    let set = s
        .create_criteria_set(&scope, ag, test_set("TEST-CDCS"))
        .await
        .unwrap();
    let cluster = s
        .create_cluster(&scope, ag, 2025, "cum", "Cụm thi đua thử nghiệm")
        .await
        .unwrap()
        .cluster_id;
    s.add_cluster_units(&scope, cluster, &units).await.unwrap();
    let r = s
        .send_assessment(
            &scope,
            NewAssessment {
                issuer_unit_id: ag,
                set_id: set.set_id,
                title: None,
                issued_on: today(),
                due_on: today() + Duration::days(30),
                targets: TargetSpec::Cluster {
                    cluster_id: cluster,
                },
            },
        )
        .await
        .unwrap();
    assert_eq!(r.kind, "assessment");
    let id = r.request_id;
    // A new version of the set does not change what was sent.
    let mut v2 = test_set("TEST-CDCS");
    v2.groups[0].items[0].max = Pts::from_points(20);
    v2.groups[0].items[1].max = Pts::from_points(20);
    s.new_criteria_version(&scope, set.set_id, 1, v2)
        .await
        .unwrap();
    assert_eq!(s.assessment_set(id).await.unwrap().1, 1);

    // Points over an item's maximum: refused, naming the item, nothing written.
    let out = s
        .save_self_assessment(
            &scope,
            id,
            units[0],
            scores(&[("1.1", "26"), ("2.1", "10")]),
            vec![],
            false,
            today(),
        )
        .await
        .unwrap();
    assert!(out.target.is_none());
    assert_eq!(out.issues[0].code, "VL1020");
    assert_eq!(out.issues[0].field, "1.1");
    assert!(
        out.issues[0].vi.contains("Tiêu chí 1.1")
            && out.issues[0].vi.contains("vượt điểm tối đa 25"),
        "{}",
        out.issues[0].vi
    );
    assert_eq!(
        s.request_target(&scope, id, units[0]).await.unwrap().state,
        "pending"
    );

    // Self-scores with evidence; one unit scores itself far above what it did.
    let full = [("1.1", "25"), ("1.2", "15"), ("2.1", "30"), ("2.2", "28,5")];
    let evidence = NewFile {
        name: "tu.pdf".into(),
        bytes: b"%PDF-1.4\n% test\n".to_vec(),
    };
    let out = s
        .save_self_assessment(
            &scope,
            id,
            units[0],
            scores(&full),
            vec![evidence],
            true,
            today(),
        )
        .await
        .unwrap();
    assert!(out.issues.is_empty(), "{:?}", out.issues);
    s.save_self_assessment(
        &scope,
        id,
        units[1],
        scores(&[("1.1", "20"), ("1.2", "12"), ("2.1", "25"), ("2.2", "20")]),
        vec![],
        true,
        today(),
    )
    .await
    .unwrap();
    // Incomplete submission: every missing item named.
    let out = s
        .save_self_assessment(
            &scope,
            id,
            units[2],
            scores(&[("1.1", "20")]),
            vec![],
            true,
            today(),
        )
        .await
        .unwrap();
    assert_eq!(
        out.issues
            .iter()
            .map(|i| i.field.as_str())
            .collect::<Vec<_>>(),
        vec!["1.2", "2.1", "2.2"]
    );
    s.save_self_assessment(
        &scope,
        id,
        units[2],
        scores(&[("1.1", "20"), ("1.2", "12"), ("2.1", "25"), ("2.2", "20")]),
        vec![],
        true,
        today(),
    )
    .await
    .unwrap();
    recount_matches(s, id, "self-scores").await;

    // Appraisal: over the maximum refused too; then a draft, the diff per item.
    let out = s
        .save_appraisal(
            &scope,
            id,
            units[0],
            scores(&[("2.2", "31")]),
            Default::default(),
            false,
            today(),
        )
        .await
        .unwrap();
    assert_eq!(out.issues[0].field, "2.2");
    let low = [("1.1", "15"), ("1.2", "10"), ("2.1", "20"), ("2.2", "20")];
    s.save_appraisal(
        &scope,
        id,
        units[0],
        scores(&low),
        Default::default(),
        false,
        today(),
    )
    .await
    .unwrap();
    let sheet = s.assessment_sheet(&scope, id, units[0]).await.unwrap();
    assert_eq!(sheet.own_outcome.total, Pts(985));
    assert_eq!(sheet.own_outcome.class, "xuat_sac");
    assert_eq!(sheet.appraised_outcome.as_ref().unwrap().total, Pts(650));
    assert_eq!(
        sheet.appraised_outcome.as_ref().unwrap().class,
        "hoan_thanh"
    );
    assert_eq!(sheet.diff.delta, Pts(335));
    assert_eq!(sheet.diff.items[0].delta, Pts(100));
    assert_eq!(sheet.files.len(), 1);
    recount_matches(s, id, "appraisal draft").await;

    // Items and vetoes change: the stored totals follow exactly.
    let mut vetoed = scores(&[("1.1", "0"), ("1.2", "15"), ("2.1", "30"), ("2.2", "30")]);
    s.save_appraisal(
        &scope,
        id,
        units[1],
        vetoed.clone(),
        Default::default(),
        false,
        today(),
    )
    .await
    .unwrap();
    recount_matches(s, id, "zero item vetoed").await;
    let sheet = s.assessment_sheet(&scope, id, units[1]).await.unwrap();
    assert_eq!(
        sheet.appraised_outcome.as_ref().unwrap().class,
        "khong_hoan_thanh"
    );
    vetoed.items.insert("1.1".into(), Pts::from_points(25));
    vetoed.vetoes.insert("fatal_accident".into());
    s.save_appraisal(
        &scope,
        id,
        units[1],
        vetoed.clone(),
        Default::default(),
        false,
        today(),
    )
    .await
    .unwrap();
    recount_matches(s, id, "veto condition").await;
    vetoed.vetoes.clear();
    s.save_appraisal(
        &scope,
        id,
        units[1],
        vetoed,
        Default::default(),
        true,
        today(),
    )
    .await
    .unwrap();
    recount_matches(s, id, "veto lifted").await;
    s.save_appraisal(
        &scope,
        id,
        units[0],
        scores(&low),
        Default::default(),
        true,
        today(),
    )
    .await
    .unwrap();
    s.save_appraisal(
        &scope,
        id,
        units[2],
        scores(&[("1.1", "20"), ("1.2", "12"), ("2.1", "25"), ("2.2", "20")]),
        Default::default(),
        true,
        today(),
    )
    .await
    .unwrap();

    // Published: locked for both sides.
    match s
        .save_appraisal(
            &scope,
            id,
            units[0],
            scores(&full),
            Default::default(),
            false,
            today(),
        )
        .await
    {
        Err(StoreError::Rule { code, .. }) => assert_eq!(code, "ST2204"),
        other => panic!("published result changed: {other:?}"),
    }
    assert!(
        s.save_self_assessment(&scope, id, units[0], scores(&full), vec![], false, today())
            .await
            .is_err()
    );

    // The ranking: 100 (unit 1), 77 (unit 2), 65 (unit 0).
    let rk = s.assessment_ranking(&scope, id, None, None).await.unwrap();
    let order: Vec<i64> = rk.rows.iter().map(|r| r.unit_id).collect();
    assert_eq!(order, vec![units[1], units[2], units[0]]);
    assert_eq!(rk.rows[0].appraised_total, 1000);
    assert_eq!(rk.target_class, "tot");
    assert_eq!((rk.reached, rk.share_permille, rk.met), (2, 666, false));
    assert_eq!(
        rk.counts.iter().map(|c| c.2).collect::<Vec<_>>(),
        vec![1, 1, 1, 0]
    );

    // Re-appraisal only through a recorded reopening.
    match s
        .reopen_assessment(&scope, id, units[0], "".into(), today())
        .await
    {
        Err(StoreError::Rule { field, .. }) => assert_eq!(field, "note"),
        other => panic!("reopened without a reason: {other:?}"),
    }
    s.reopen_assessment(
        &scope,
        id,
        units[0],
        "Xem lại minh chứng tiêu chí 1.1".into(),
        today(),
    )
    .await
    .unwrap();
    let events = s.request_events(&scope, id, units[0]).await.unwrap();
    assert!(
        events.iter().any(|e| e.action == "reopen"
            && e.note.as_deref() == Some("Xem lại minh chứng tiêu chí 1.1"))
    );
    let rk = s.assessment_ranking(&scope, id, None, None).await.unwrap();
    assert_eq!(rk.rows.len(), 2);
    assert_eq!(rk.pending.len(), 1);
    s.save_self_assessment(&scope, id, units[0], scores(&full), vec![], true, today())
        .await
        .unwrap();
    s.save_appraisal(
        &scope,
        id,
        units[0],
        scores(&[("1.1", "20"), ("1.2", "10"), ("2.1", "20"), ("2.2", "20")]),
        Default::default(),
        true,
        today(),
    )
    .await
    .unwrap();
    recount_matches(s, id, "re-appraisal").await;
    let rk = s.assessment_ranking(&scope, id, None, None).await.unwrap();
    assert_eq!(
        rk.rows
            .iter()
            .find(|r| r.unit_id == units[0])
            .unwrap()
            .appraised_total,
        700
    );
    assert!(rk.met, "3 of 3 at 'tốt' or better");

    // A new set version with other bands does not move the published classes.
    let mut v3 = test_set("TEST-CDCS");
    v3.bands = vec![Band {
        code: "dat".into(),
        name_vi: "Đạt".into(),
        min: Pts(0),
        below: None,
        condition: None,
    }];
    s.new_criteria_version(&scope, set.set_id, 2, v3)
        .await
        .unwrap();
    recount_matches(s, id, "new version").await;
}

crate::both_engines!(scoring_appraisal_and_ranking);

/// The pages without JavaScript: points over the maximum re-render the sheet with 422,
/// the Vietnamese message naming the item and the input kept; a submission and a
/// published appraisal redirect to their result; the ranking lists the unit with its
/// class and the target; the demo's scoring is there.
async fn scoring_through_the_pages(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let unit = app.unit_id("AG-CDCS-010").await;
    let set = s
        .create_criteria_set(&scope, ag, test_set("TEST-PAGES"))
        .await
        .unwrap();
    let r = s
        .send_assessment(
            &scope,
            NewAssessment {
                issuer_unit_id: ag,
                set_id: set.set_id,
                title: Some("Chấm điểm thử qua trang".into()),
                issued_on: today(),
                due_on: today() + Duration::days(20),
                targets: TargetSpec::Units { units: vec![unit] },
            },
        )
        .await
        .unwrap();
    let id = r.request_id;
    let b = app.login("btv.angiang").await;
    let page = format!("/emulation/{id}/units/{unit}");
    let (st, html) = b.get_html(&page).await;
    assert_eq!(st, 200, "{html}");
    assert!(
        html.contains("Thương lượng, ký kết thỏa ước lao động tập thể"),
        "{html}"
    );

    let (st, _, html) = b
        .post_form(
            &page,
            &page,
            &[("p_1.1", "26"), ("p_2.1", "10"), ("action", "draft")],
        )
        .await;
    assert_eq!(st, 422, "{html}");
    assert!(html.contains("class=\"errors\" role=\"alert\""), "{html}");
    assert!(
        html.contains("Tiêu chí 1.1") && html.contains("vượt điểm tối đa 25"),
        "{html}"
    );
    assert!(html.contains("value=\"26\""), "keeps the input");
    let (st, _, html) = b
        .post_form(&page, &page, &[("p_1.1", "mười"), ("action", "draft")])
        .await;
    assert_eq!(st, 422);
    assert!(html.contains("không phải là số điểm"), "{html}");

    let full = [
        ("p_1.1", "25"),
        ("p_1.2", "15"),
        ("p_2.1", "30"),
        ("p_2.2", "29,5"),
        ("action", "submit"),
    ];
    let (st, url, html) = b.post_form(&page, &page, &full).await;
    assert_eq!((st, url.as_str()), (200, page.as_str()), "{html}");
    assert!(html.contains("id=\"own-total\">99,5<"), "{html}");
    let appr = [
        ("a_1.1", "20"),
        ("a_1.2", "15"),
        ("a_2.1", "25"),
        ("a_2.2", "20"),
        ("n_1.1", "Thiếu biên bản"),
        ("action", "publish"),
    ];
    // Publishing restates the appraisal and the difference first, and locks nothing yet.
    let (st, _, html) = b.post_form(&page, &page, &appr).await;
    assert_eq!(st, 200, "{html}");
    assert!(html.contains("id=\"confirm-lead\""), "{html}");
    assert!(
        html.contains("Điểm thẩm định: 80 điểm — Hoàn thành tốt"),
        "{html}"
    );
    assert!(
        html.contains("chênh lệch so với thẩm định: +19,5"),
        "{html}"
    );
    assert!(!html.contains("id=\"published\""), "{html}");
    let confirmed: Vec<_> = appr.iter().copied().chain([("confirmed", "1")]).collect();
    let (st, _, html) = b.post_form(&page, &page, &confirmed).await;
    assert_eq!(st, 200, "{html}");
    assert!(html.contains("id=\"appraised-total\">80<"), "{html}");
    assert!(html.contains("id=\"delta\">+19,5<"), "{html}");
    assert!(html.contains("id=\"published\""), "{html}");

    let (st, html) = b.get_html(&format!("/emulation/{id}/ranking")).await;
    assert_eq!(st, 200, "{html}");
    assert!(html.contains("id=\"ranking\""), "{html}");
    assert!(
        html.contains("data-label=\"Xếp loại\">Hoàn thành tốt nhiệm vụ"),
        "{html}"
    );
    assert!(html.contains("id=\"target-met\""), "{html}");

    // The demo: two sets and the 2025 scoring of An Giang's clusters.
    let (st, html) = b.get_html(&format!("/emulation?unit={ag}")).await;
    assert_eq!(st, 200);
    assert!(
        html.contains("CĐCS khu vực ngoài nhà nước năm 2025"),
        "{html}"
    );
    assert!(
        html.contains("tổ công đoàn, công đoàn bộ phận năm 2025"),
        "{html}"
    );
    assert!(html.contains("Chấm điểm CĐCS năm 2025"), "{html}");
}

crate::both_engines!(scoring_through_the_pages);
