//! History read right (issue 12, item 9): the tree as of a past date counts the
//! members of that date, and the audit log speaks Vietnamese, filters and links.
//! Both engines.

use crate::harness::{Kind, TestApp};
use congdoan_domain::member::{MemberStatus, Sex};
use congdoan_domain::{PersonName, cccd::make_cccd};
use congdoan_store::MemberInput;
use time::macros::date;

async fn the_tree_of_a_past_date_counts_the_members_of_that_date(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let today = congdoan_web::today();
    let yesterday = today.previous_day().unwrap();
    let kg = app.unit_id("KG").await;
    // Kiên Giang had members in 2019: the count of that date is not zero.
    let then = s
        .tree_nodes(&scope, &[kg], date!(2019 - 06 - 01))
        .await
        .unwrap();
    assert_eq!(then.len(), 1, "Kiên Giang existed on 01/06/2019");
    assert!(then[0].member_count > 0, "{:?}", then[0]);
    // A member who joins today is in today's count, not in yesterday's.
    let holder = app.unit_id("KG-CDCS-002").await;
    let unit = s.unit(&scope, holder).await.unwrap();
    let parent = unit.parent_id.unwrap();
    let count = |nodes: Vec<congdoan_store::TreeNode>| {
        nodes
            .into_iter()
            .find(|n| n.unit_id == holder)
            .unwrap()
            .member_count
    };
    let before_today = count(s.tree_children(&scope, parent, today).await.unwrap());
    let before_past = count(s.tree_children(&scope, parent, yesterday).await.unwrap());
    s.create_member(
        &scope,
        MemberInput {
            unit_id: holder,
            name: PersonName::parse("Lê Thị Hồng Nhung").unwrap(),
            birth_date: date!(1995 - 03 - 02),
            sex: Sex::Female,
            cccd: Some(make_cccd(91, 1995, Sex::Female, 424_242)),
            phone: None,
            ethnicity: None,
            nationality: None,
            job_title: None,
            employer_name: None,
            si_salary: None,
            card_no: None,
            join_date: Some(today),
            party_member: false,
            status: MemberStatus::Member,
        },
        today,
    )
    .await
    .unwrap();
    assert_eq!(
        count(s.tree_children(&scope, parent, today).await.unwrap()),
        before_today + 1
    );
    assert_eq!(
        count(s.tree_children(&scope, parent, yesterday).await.unwrap()),
        before_past
    );
    // The page says which date its counts are of.
    let br = app.login("admin").await;
    let (status, html) = br.get_html("/units?as_of=01/06/2019").await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Số đoàn viên của cả nhánh tại ngày 01/06/2019"),
        "{html}"
    );
}

async fn the_audit_log_speaks_vietnamese_filters_and_links(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let br = app.login("admin").await;
    // Some rows of several kinds: a view of personal data and an edit.
    let m = app
        .store()
        .search_members(
            &app.admin_scope(),
            &congdoan_store::MemberQuery {
                per_page: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .rows[0]
        .member_id;
    let (status, _) = br.get_html(&format!("/members/{m}?reveal=1")).await;
    assert_eq!(status, 200);
    let (status, html) = br.get_html("/audit").await;
    assert_eq!(status, 200, "{html}");
    for raw in ["apply plan", "view_personal_data", "create unit", "{\""] {
        assert!(
            !html[html.find("id=\"audit-rows\"").unwrap()..].contains(raw),
            "raw {raw:?} in {html}"
        );
    }
    assert!(html.contains("Tạo mới"), "{html}");
    // Every link in the table opens.
    let table = &html[html.find("id=\"audit-rows\"").expect("rows")..];
    let hrefs: Vec<&str> = table
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert!(!hrefs.is_empty());
    for h in hrefs.iter().take(20) {
        let (status, body) = br.get_html(&h.replace("&amp;", "&")).await;
        assert_eq!(status, 200, "{h}: {body}");
    }
    let rows = |html: &str| html.matches("class=\"audit-action\"").count();
    let all = rows(&html);
    // Filters narrow: by action, by person, by unit, by date.
    let (_, by_action) = br.get_html("/audit?action=view_personal_data").await;
    assert!(
        rows(&by_action) >= 1 && rows(&by_action) < all,
        "{by_action}"
    );
    assert!(by_action.contains("Xem thông tin cá nhân"), "{by_action}");
    let (_, by_who) = br.get_html("/audit?who=admin").await;
    assert!(rows(&by_who) >= 1 && rows(&by_who) < all, "{by_who}");
    let (_, by_unit) = br.get_html("/audit?unit=KT").await;
    assert!(rows(&by_unit) < all, "{by_unit}");
    let (_, old) = br.get_html("/audit?to=01/01/2001").await;
    assert!(old.contains("id=\"audit-empty\""), "{old}");
    let (status, bad) = br.get_html("/audit?from=32/13/2020").await;
    assert_eq!(status, 422, "{bad}");
    assert!(bad.contains("Từ ngày"), "{bad}");
}

crate::both_engines!(
    the_tree_of_a_past_date_counts_the_members_of_that_date,
    the_audit_log_speaks_vietnamese_filters_and_links,
);
