//! Rankings beyond one request (issue 15 items 3–4), on both engines: a CĐCS sends
//! the tổ/bộ phận set to its own tổ and scores them through the pages; a province's
//! published results ranked with the tie rules, filtered by cluster, with the target
//! and last year's arrows; the distribution's every figure equal to the length of the
//! list it links to; the new pages on a 360-px phone.

use crate::emulation::test_set;
use crate::harness::{Browser, Kind, TestApp};
use congdoan_domain::emulation::{Pts, Scores};
use congdoan_domain::request::TargetSpec;
use congdoan_store::{NewAssessment, Scope, Store, Trend, WideQuery};
use time::{Date, Duration, OffsetDateTime};

fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

fn scores(p: &[(&str, i64)]) -> Scores {
    Scores {
        items: p.iter().map(|(c, v)| (c.to_string(), Pts(*v))).collect(),
        vetoes: Default::default(),
    }
}

/// Self-scores and a published appraisal (tenths) of the test set's four items.
async fn publish(s: &Store, scope: &Scope, id: i64, unit: i64, p: [i64; 4]) {
    let sc = scores(&[("1.1", p[0]), ("1.2", p[1]), ("2.1", p[2]), ("2.2", p[3])]);
    let out = s
        .save_self_assessment(scope, id, unit, sc.clone(), vec![], true, today())
        .await
        .unwrap();
    assert!(out.issues.is_empty(), "{:?}", out.issues);
    let out = s
        .save_appraisal(scope, id, unit, sc, Default::default(), true, today())
        .await
        .unwrap();
    assert!(out.issues.is_empty(), "{:?}", out.issues);
}

async fn send(s: &Store, scope: &Scope, issuer: i64, set_id: i64, units: Vec<i64>) -> i64 {
    s.send_assessment(
        scope,
        NewAssessment {
            issuer_unit_id: issuer,
            set_id,
            title: None,
            issued_on: today(),
            due_on: today() + Duration::days(30),
            targets: TargetSpec::Units { units },
        },
    )
    .await
    .unwrap()
    .request_id
}

/// The CĐCS's BCH sends the tổ/bộ phận set to its own tổ (confirmed first); a set
/// meant for CĐCS is refused for tổ with 422 naming the set; each tổ scores itself and
/// the CĐCS appraises and publishes through the pages; both rankings list them.
async fn groups_scored_inside_a_cdcs(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let cdcs = s
        .unit(&scope, app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await)
        .await
        .unwrap();
    let groups = s.unit_ids_of_type(&cdcs.path, "TO_CD").await.unwrap();
    assert!(groups.len() >= 2, "the demo CĐCS has two tổ");
    let sets = s.criteria_sets(&scope, ag).await.unwrap();
    let to_set = sets.iter().find(|x| x.code == "TO-BP-2025").unwrap().set_id;
    let cdcs_set = sets
        .iter()
        .find(|x| x.code == "CDCS-NN-2025")
        .unwrap()
        .set_id;

    let b = app.login("cdcs.officer").await;
    let hub = format!("/emulation?unit={}", cdcs.unit_id);
    let (st, html) = b.get_html(&hub).await;
    assert_eq!(st, 200, "{html}");
    assert!(
        html.contains("value=\"to\"") && html.contains("Các tổ công đoàn và công đoàn bộ phận"),
        "{html}"
    );
    assert!(!html.contains("value=\"cdcs\""), "no CĐCS below a CĐCS");
    let unit_s = cdcs.unit_id.to_string();
    let due = congdoan_domain::format_vn_date(today() + Duration::days(20));
    // The CĐCS set for tổ: refused, the set named, the input kept.
    let cdcs_set_s = cdcs_set.to_string();
    let (st, _, html) = b
        .post_form(
            &hub,
            "/emulation/send",
            &[
                ("unit", &unit_s),
                ("set_id", &cdcs_set_s),
                ("target", "to"),
                ("due_on", &due),
            ],
        )
        .await;
    assert_eq!(st, 422, "{html}");
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(
        html.contains("khu vực ngoài nhà nước năm 2025» dành cho công đoàn cơ sở"),
        "{html}"
    );
    let to_set_s = to_set.to_string();
    let fields = [
        ("unit", unit_s.as_str()),
        ("set_id", to_set_s.as_str()),
        ("target", "to_cd"),
        ("due_on", due.as_str()),
    ];
    let (st, _, html) = b.post_form(&hub, "/emulation/send", &fields).await;
    assert_eq!(st, 200, "{html}");
    assert!(html.contains("tổ công đoàn thuộc"), "{html}");
    assert!(
        html.contains(&format!(
            "<strong class=\"n\">{}</strong> đơn vị phải tự chấm điểm",
            groups.len()
        )),
        "the confirmation counts the tổ: {html}"
    );
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirmed", "1"));
    let (st, url, html) = b.post_form(&hub, "/emulation/send", &confirmed).await;
    assert_eq!(st, 200, "{html}");
    let id: i64 = url
        .trim_start_matches("/emulation/")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("{url}"));
    let r = s.request(&scope, id).await.unwrap();
    assert_eq!(r.request.issuer_unit_id, cdcs.unit_id);
    assert_eq!(
        r.totals.expected as usize,
        groups.len(),
        "exactly the CĐCS's tổ"
    );
    for g in &groups {
        s.request_target(&scope, id, *g).await.unwrap();
    }

    // Each tổ scores itself; the CĐCS appraises and publishes (the second lower).
    for (i, g) in groups.iter().take(2).enumerate() {
        let page = format!("/emulation/{id}/units/{g}");
        let own = [
            ("p_1.1", "25"),
            ("p_1.2", "20"),
            ("p_2.1", "30"),
            ("p_2.2", "20"),
            ("action", "submit"),
        ];
        let (st, _, html) = b.post_form(&page, &page, &own).await;
        assert_eq!(st, 200, "{html}");
        let a21 = if i == 0 { "28" } else { "10" };
        let appr = [
            ("a_1.1", "25"),
            ("a_1.2", "20"),
            ("a_2.1", a21),
            ("a_2.2", "20"),
            ("action", "publish"),
            ("confirmed", "1"),
        ];
        let (st, _, html) = b.post_form(&page, &page, &appr).await;
        assert_eq!(st, 200, "{html}");
        assert!(html.contains("id=\"published\""), "{html}");
    }
    let (st, html) = b.get_html(&format!("/emulation/{id}/ranking")).await;
    assert_eq!(st, 200, "{html}");
    let first = s.unit(&scope, groups[0]).await.unwrap().name;
    let second = s.unit(&scope, groups[1]).await.unwrap().name;
    let (a, z) = (html.find(&first).unwrap(), html.find(&second).unwrap());
    assert!(a < z, "93 points before 75: {html}");
    // The CĐCS's own ranking of its tổ for the year, with the classes of the set.
    let w = s
        .wide_ranking(
            &scope,
            &WideQuery {
                root: cdcs.unit_id,
                year: 2025,
                level: Some("to".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let got: Vec<(u32, i64, i64, &str)> = w
        .rows
        .iter()
        .map(|r| (r.rank, r.unit_id, r.total, r.class.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![(1, groups[0], 930, "vung_manh"), (2, groups[1], 750, "kha")]
    );
    let (st, html) = b
        .get_html(&format!("/emulation/rankings?unit={}", cdcs.unit_id))
        .await;
    assert_eq!(st, 200, "{html}");
    assert!(html.contains("id=\"row-count\">2<"), "{html}");
}

crate::both_engines!(groups_scored_inside_a_cdcs);

/// The `(href, figure)` of every link marked `data-class` (or `data-total`) in a page.
fn figure_links(html: &str) -> Vec<(String, String)> {
    let mut out = vec![];
    for part in html.split("<a href=\"").skip(1) {
        let Some((href, rest)) = part.split_once('"') else {
            continue;
        };
        let Some((attrs, rest)) = rest.split_once('>') else {
            continue;
        };
        if !(attrs.contains("data-class") || attrs.contains("data-total")) {
            continue;
        }
        let n = rest.split('<').next().unwrap_or_default().to_string();
        out.push((href.replace("&amp;", "&").replace("&#38;", "&"), n));
    }
    out
}

async fn row_count(b: &Browser, href: &str) -> String {
    let (st, html) = b.get_html(href).await;
    assert_eq!(st, 200, "{href}: {html}");
    html.split("id=\"row-count\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap_or_else(|| panic!("{href}: no count in {html}"))
        .to_string()
}

/// A province's published results across requests: ranked by total then group-1 points,
/// filtered by cluster, the target checked, last year's arrows; the national
/// distribution's figures each equal to the list they open.
async fn province_ranking_trends_and_distribution(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag_unit = s.unit(&scope, app.unit_id("AG").await).await.unwrap();
    let ag = ag_unit.unit_id;
    let [a, b, c, d] = [
        app.unit_id("AG-CDCS-019").await,
        app.unit_id("AG-CDCS-010").await,
        app.unit_id("AG-CDCS-008").await,
        app.unit_id("AG-CDCS-028").await,
    ];
    let mut last = test_set("TEST-RANK-2024");
    last.year = 2024;
    let last = s.create_criteria_set(&scope, ag, last).await.unwrap();
    let now = s
        .create_criteria_set(&scope, ag, test_set("TEST-RANK-2025"))
        .await
        .unwrap();
    // Last year: a 85 (tốt), b 85 (tốt), c 95 (xuất sắc); d not scored.
    let r0 = send(s, &scope, ag, last.set_id, vec![a, b, c]).await;
    publish(s, &scope, r0, a, [200, 150, 250, 250]).await;
    publish(s, &scope, r0, b, [200, 150, 250, 250]).await;
    publish(s, &scope, r0, c, [250, 150, 300, 250]).await;
    // This year in two requests: a 80 (group 1: 30), b 80 (group 1: 35), c 92, d 60.
    let r1 = send(s, &scope, ag, now.set_id, vec![a, b]).await;
    let r2 = send(s, &scope, ag, now.set_id, vec![c, d]).await;
    publish(s, &scope, r1, a, [200, 100, 300, 200]).await;
    publish(s, &scope, r1, b, [200, 150, 250, 200]).await;
    publish(s, &scope, r2, c, [250, 150, 270, 250]).await;
    publish(s, &scope, r2, d, [150, 100, 200, 150]).await;

    let q = WideQuery {
        root: ag,
        year: 2025,
        set_id: Some(now.set_id),
        ..Default::default()
    };
    let w = s.wide_ranking(&scope, &q).await.unwrap();
    let got: Vec<(u32, i64, i64, Trend, Trend)> = w
        .rows
        .iter()
        .map(|r| (r.rank, r.unit_id, r.total, r.total_trend, r.class_trend))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, c, 920, Trend::Down, Trend::Same),
            (2, b, 800, Trend::Down, Trend::Same),
            (3, a, 800, Trend::Down, Trend::Same),
            (4, d, 600, Trend::New, Trend::New),
        ],
        "ties on the total broken by group-1 points"
    );
    assert_eq!(w.counts, vec![1, 2, 1, 0]);
    assert_eq!(w.prev_counts, vec![1, 2, 0, 0]);
    assert_eq!((w.reached, w.total, w.met), (3, 4, false), "75% < 80%");
    let w70 = s
        .wide_ranking(
            &scope,
            &WideQuery {
                target_permille: Some(700),
                ..q.clone()
            },
        )
        .await
        .unwrap();
    assert!(w70.met);
    // Cluster filter: only its members, ranks recomputed within it.
    let cluster = s
        .create_cluster(&scope, ag, 2025, "cum", "Cụm xếp hạng thử")
        .await
        .unwrap()
        .cluster_id;
    s.add_cluster_units(&scope, cluster, &[a, d]).await.unwrap();
    let wc = s
        .wide_ranking(
            &scope,
            &WideQuery {
                cluster_id: Some(cluster),
                ..q.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        wc.rows
            .iter()
            .map(|r| (r.rank, r.unit_id))
            .collect::<Vec<_>>(),
        vec![(1, a), (2, d)]
    );
    let mine = wc
        .clusters
        .iter()
        .find(|x| x.cluster_id == cluster)
        .expect("the cluster's counts");
    assert_eq!(
        (mine.now.clone(), mine.prev.clone()),
        (vec![0, 1, 1, 0], vec![0, 1, 0, 0])
    );

    // The page: arrows, target, cluster table.
    let br = app.login("btv.angiang").await;
    let base = format!("/emulation/rankings?unit={ag}&set={}", now.set_id);
    let (st, html) = br.get_html(&base).await;
    assert_eq!(st, 200, "{html}");
    assert!(html.contains("id=\"target-missed\""), "{html}");
    assert!(html.contains("id=\"row-count\">4<"), "{html}");
    assert!(
        html.contains("data-trend=\"down\" title=\"so với năm trước\">↓<"),
        "{html}"
    );
    assert!(html.contains("data-trend=\"new\""), "{html}");
    assert!(html.contains("Cụm xếp hạng thử"), "{html}");
    let (_, html) = br.get_html(&format!("{base}&share=70")).await;
    assert!(html.contains("id=\"target-met\""), "{html}");
    // The cluster page links to its ranking.
    let (st, cpage) = br.get_html(&format!("/clusters/{cluster}")).await;
    assert_eq!(st, 200, "{cpage}");
    assert!(
        cpage.contains(&format!("cluster={cluster}\" id=\"cluster-ranking\"")),
        "{cpage}"
    );
    // Every class figure of the ranking page opens a list of that length.
    let links = figure_links(&html);
    assert_eq!(links.len(), 4, "{html}");
    for (href, n) in &links {
        assert_eq!(&row_count(&br, href).await, n, "{href}");
    }

    // The national distribution (one row per province) as the administrator.
    let admin = app.login("admin").await;
    let root = ag_unit.parent_id.expect("AG has a parent");
    let dist = format!("/emulation/distribution?unit={root}&set={}", now.set_id);
    let (st, html) = admin.get_html(&dist).await;
    assert_eq!(st, 200, "{html}");
    assert!(html.contains(&ag_unit.name), "{html}");
    let links = figure_links(&html);
    assert!(links.len() >= 5, "{html}");
    for (href, n) in &links {
        assert_eq!(&row_count(&admin, href).await, n, "{href}");
    }
    let d = s
        .class_distribution(&scope, root, 2025, Some(now.set_id), None)
        .await
        .unwrap();
    let row = d.rows.iter().find(|r| r.unit_id == ag).unwrap();
    assert_eq!((row.counts.clone(), row.total), (vec![1, 2, 1, 0], 4));

    // The distribution counts live: a re-appraisal takes d's class out until it is
    // published again; c moved to another province counts there. Every stored counter
    // equals a recount from the targets and results.
    let dist_of = |d: &congdoan_store::Distribution, unit: i64| {
        d.rows
            .iter()
            .find(|r| r.unit_id == unit)
            .map(|r| r.counts.clone())
            .unwrap()
    };
    let d = app.unit_id("AG-CDCS-028").await; // `d` above is the distribution now
    s.reopen_assessment(&scope, r2, d, "Xem lại tiêu chí 2.1".into(), today())
        .await
        .unwrap();
    let dist_now = || s.class_distribution(&scope, root, 2025, Some(now.set_id), None);
    let d1 = dist_now().await.unwrap();
    assert_eq!(dist_of(&d1, ag), vec![1, 2, 0, 0]);
    assert_eq!(
        s.wide_ranking(&scope, &q).await.unwrap().counts,
        vec![1, 2, 0, 0]
    );
    let other = s
        .child_units(&scope, root)
        .await
        .unwrap()
        .into_iter()
        .find(|(id, _)| *id != ag)
        .expect("another province")
        .0;
    s.move_unit(&scope, c, other, today(), today(), "Điều chỉnh quản lý")
        .await
        .unwrap();
    let d2 = dist_now().await.unwrap();
    assert_eq!(dist_of(&d2, ag), vec![0, 2, 0, 0]);
    assert_eq!(dist_of(&d2, other), vec![1, 0, 0, 0]);
    let (stored, recount) = s.request_tallies_check().await.unwrap();
    let diff = stored.differences(&recount);
    assert!(diff.is_empty(), "{diff:#?}");
    assert!(
        stored.entries().any(|((_, _, k), _)| k.starts_with("@c/")),
        "class counters are kept"
    );
}

crate::both_engines!(province_ranking_trends_and_distribution);

/// The new pages on a 360-px phone: nothing scrolls sideways, no split words, no
/// serious accessibility finding.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ranking_pages_on_a_phone() {
    use crate::browser::{connect, log_in, start_driver};
    use fantoccini::Locator;
    let Some(driver) = start_driver() else { return };
    let Some(app) = TestApp::spawn(Kind::Sqlite).await else {
        return;
    };
    let ag = app.unit_id("AG").await;
    let c = connect(driver.port).await;
    let mut problems = vec![];
    c.goto(&app.url("/login")).await.unwrap();
    log_in(&c, "btv.angiang").await.unwrap();
    c.wait().for_element(Locator::Css("main")).await.unwrap();
    for (path, what, css) in [
        (
            format!("/emulation/rankings?unit={ag}&year=2025"),
            "province ranking",
            "#wide-ranking",
        ),
        (
            format!("/emulation/distribution?unit={ag}&year=2025"),
            "class distribution",
            "#distribution",
        ),
    ] {
        c.goto(&app.url(&path)).await.unwrap();
        c.wait().for_element(Locator::Css(css)).await.unwrap();
        problems.extend(crate::phone::check_page(&c, what).await);
    }
    let _ = c.close().await;
    assert!(problems.is_empty(), "{problems:#?}");
}
