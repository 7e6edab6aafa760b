//! Coordination read plainly (issue 12, item 7): a coordinator's own figures apart
//! from the units it coordinates, the read-only banner, agreements' status, edit,
//! renewal and end, and clusters renamed, closed and trimmed. Both engines.

use crate::harness::{Browser, Kind, TestApp};
use congdoan_domain::money::format_int;

/// The number in the element with this id (`<div … id="ID">1.234</div>`).
fn figure(html: &str, id: &str) -> String {
    let key = format!("id=\"{id}\">");
    let i = html.find(&key).unwrap_or_else(|| panic!("#{id} in {html}")) + key.len();
    html[i..].split('<').next().unwrap_or_default().to_string()
}

/// Every `href="/…"` of a page (assets and language switches aside).
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with('/') && !h.starts_with("/lang/") && !h.starts_with("/assets/"))
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

async fn assert_links_resolve(br: &Browser, html: &str) {
    for href in links(html) {
        let (status, body) = br.get_html(&href).await;
        assert_eq!(status, 200, "{href} is a dead link: {body}");
    }
}

/// The id of the first `/units/ID` link after `marker`.
fn first_unit_after(html: &str, marker: &str) -> i64 {
    let i = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {html}"));
    html[i..]
        .split("href=\"/units/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .expect("a unit link")
}

async fn kon_tum_sees_its_own_figures_and_coordinated_units_apart(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let kt = app.unit_id("KT").await;
    let own = app
        .store()
        .dashboard(&app.admin_scope(), Some(kt), congdoan_web::today())
        .await
        .unwrap();
    let br = app.login("lddl.kontum").await;
    let (status, html) = br.get_html("/dashboard").await;
    assert_eq!(status, 200, "{html}");
    // The headline is Kon Tum's own tree, not its tree plus the coordinated units.
    assert_eq!(
        figure(&html, "active-members"),
        format_int(own.active_members)
    );
    assert!(html.contains("Đơn vị phối hợp theo quy chế"), "{html}");
    assert!(html.contains("Công ty TNHH MTV Cao su Kon Tum"), "{html}");
    assert_ne!(figure(&html, "coordinated-members"), "0");
    // The tree: Kon Tum is the one root; coordinated units sit in their own section,
    // headed by their agreement.
    let (status, tree) = br.get_html("/units").await;
    assert_eq!(status, 200, "{tree}");
    let section = &tree[tree
        .find("id=\"coordinated-units\"")
        .expect("coordinated section")..];
    assert!(
        section.contains("Công ty TNHH MTV Cao su Kon Tum"),
        "{section}"
    );
    assert!(
        section.contains("Quy chế phối hợp số 01/QCPH-LĐLĐ-VRG"),
        "{section}"
    );
    let before = &tree[..tree.find("id=\"coordinated-units\"").unwrap()];
    assert!(!before.contains("Cao su Kon Tum"), "{before}");
}

async fn a_coordinated_unit_page_is_read_only_and_names_its_agreement(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let br = app.login("lddl.kontum").await;
    let (_, dash) = br.get_html("/dashboard").await;
    let unit = first_unit_after(&dash, "id=\"coordinated\"");
    let (status, page) = br.get_html(&format!("/units/{unit}")).await;
    assert_eq!(status, 200, "{page}");
    let banner = &page[page.find("id=\"coordinated-banner\"").expect("banner")..];
    let banner = &banner[..banner.find("</div>").unwrap()];
    assert!(banner.contains("Quy chế phối hợp số"), "{banner}");
    assert!(banner.contains("chỉ xem"), "{banner}");
    assert!(banner.contains("href=\"/agreements/"), "{banner}");
    assert!(!page.contains(&format!("/units/{unit}/edit")), "{page}");
    assert!(!page.contains("/members/new"), "{page}");
    assert!(!page.contains("/units/new?parent="), "{page}");
    // Kon Tum's own unit page carries no banner.
    let kt = app.unit_id("KT").await;
    let (_, own) = br.get_html(&format!("/units/{kt}")).await;
    assert!(!own.contains("coordinated-banner"), "{own}");
}

async fn agreements_show_status_have_no_dead_links_and_can_be_edited_renewed_ended(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let kt = app.unit_id("KT").await;
    let g = app
        .store()
        .agreements(&app.admin_scope(), kt)
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.number.ends_with("VRG"))
        .unwrap();
    let id = g.agreement_id;
    let page_url = format!("/agreements/{id}");
    let kontum = app.login("lddl.kontum").await;
    let (status, page) = kontum.get_html(&page_url).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(">Còn hiệu lực<"), "{page}");
    // The managing party (the corporation's union) is not readable by Kon Tum: named, not linked.
    assert!(
        !page.contains(&format!("href=\"/units/{}\"", g.party_b_id)),
        "{page}"
    );
    assert!(page.contains(&g.party_b_name), "{page}");
    assert_links_resolve(&kontum, &page).await;
    assert!(
        !page.contains("id=\"edit-agreement\""),
        "the coordinating side cannot edit"
    );
    let covered_unit = first_unit_after(&page, "id=\"agreement-units\"");

    let admin = app.login("admin").await;
    // Edit: a bad date is refused next to its field, the input kept, 422.
    let (status, _, html) = admin
        .post_form(
            &page_url,
            &format!("{page_url}/edit"),
            &[
                ("number", "01/QCPH-LĐLĐ-VRG-SỬA"),
                ("title", &g.title),
                ("signed_on", "31/02/2020"),
                ("valid_from", "01/03/2020"),
                ("valid_to", ""),
                ("scope_info", "1"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("Ngày ký") && html.contains("01/QCPH-LĐLĐ-VRG-SỬA"),
        "{html}"
    );
    let signed = congdoan_domain::date::format_vn_date(g.signed_on);
    let (status, url, html) = admin
        .post_form(
            &page_url,
            &format!("{page_url}/edit"),
            &[
                ("number", "01/QCPH-LĐLĐ-VRG-SỬA"),
                ("title", &g.title),
                ("signed_on", &signed),
                ("valid_from", &signed),
                ("valid_to", ""),
                ("scope_info", "1"),
                ("scope_tet", "1"),
            ],
        )
        .await;
    assert_eq!((status, url.as_str()), (200, page_url.as_str()), "{html}");
    assert!(
        html.contains("01/QCPH-LĐLĐ-VRG-SỬA") && html.contains("id=\"notice\""),
        "{html}"
    );
    // Renew: an end date in the past is refused; a later one is recorded.
    let (status, _, html) = admin
        .post_form(
            &page_url,
            &format!("{page_url}/renew"),
            &[("valid_to", "01/01/2000")],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    let (status, _, html) = admin
        .post_form(
            &page_url,
            &format!("{page_url}/renew"),
            &[("valid_to", "31/12/2099")],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("31/12/2099") && html.contains(">Còn hiệu lực<"),
        "{html}"
    );
    // End: the confirmation restates which units lose access; then access is gone.
    let (status, confirm) = admin.get_html(&format!("{page_url}/end")).await;
    assert_eq!(status, 200, "{confirm}");
    assert!(
        confirm.contains("4 đơn vị sẽ thôi chia sẻ thông tin với"),
        "{confirm}"
    );
    let today = congdoan_domain::date::format_vn_date(congdoan_web::today());
    let (status, _, html) = admin
        .post_form(
            &format!("{page_url}/end"),
            &format!("{page_url}/end"),
            &[("ended_on", &today), ("end_reason", "")],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("Lý do chấm dứt"), "{html}");
    let (status, _, html) = admin
        .post_form(
            &format!("{page_url}/end"),
            &format!("{page_url}/end"),
            &[("ended_on", &today), ("end_reason", "Tập đoàn bàn giao")],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(">Đã chấm dứt<"), "{html}");
    let (status, _) = kontum.get_html(&format!("/units/{covered_unit}")).await;
    assert_eq!(status, 404, "access ends with the agreement");
    let (_, dash) = kontum.get_html("/dashboard").await;
    if let Some(i) = dash.find("id=\"coordinated\"") {
        let section = &dash[i..dash[i..]
            .find("</section>")
            .map(|j| i + j)
            .unwrap_or(dash.len())];
        assert!(
            !section.contains(&format!("/units/{covered_unit}\"")),
            "{section}"
        );
    }
}

async fn a_covered_unit_can_be_taken_out(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let kt = app.unit_id("KT").await;
    let g = app
        .store()
        .agreements(&app.admin_scope(), kt)
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.number.ends_with("VRG"))
        .unwrap();
    let admin = app.login("admin").await;
    let (_, page) = admin
        .get_html(&format!("/agreements/{}", g.agreement_id))
        .await;
    let unit = first_unit_after(&page, "id=\"agreement-units\"");
    let remove = format!("/agreements/{}/units/{unit}/remove", g.agreement_id);
    let (status, confirm) = admin.get_html(&remove).await;
    assert_eq!(status, 200, "{confirm}");
    let (status, _, html) = admin.post_form(&remove, &remove, &[]).await;
    assert_eq!(status, 200, "{html}");
    let after = app
        .store()
        .agreement(&app.admin_scope(), g.agreement_id)
        .await
        .unwrap()
        .0;
    assert_eq!(after.covered, g.covered - 1);
    let kontum = app.login("lddl.kontum").await;
    let (status, _) = kontum.get_html(&format!("/units/{unit}")).await;
    assert_eq!(status, 404);
}

async fn clusters_can_be_renamed_trimmed_and_closed(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let ag = app.unit_id("AG").await;
    let s = app.store();
    let c = s
        .clusters(&app.admin_scope(), ag, Some(2026))
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    let d = s.cluster(&app.admin_scope(), c.cluster_id).await.unwrap();
    let url = format!("/clusters/{}", c.cluster_id);
    let br = app.login("btv.angiang").await;
    // Rename: too short is refused next to the field; a good name is saved.
    let (status, _, html) = br
        .post_form(&url, &format!("{url}/rename"), &[("name", "X")])
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("Tên:") && html.contains("value=\"X\""),
        "{html}"
    );
    let (status, _, html) = br
        .post_form(
            &url,
            &format!("{url}/rename"),
            &[("name", "Cụm thi đua đã đổi tên")],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<h1>Cụm thi đua đã đổi tên</h1>"), "{html}");
    // Remove a member CĐCS and a supervisor, each after a confirmation.
    let unit = d.units[0].unit_id;
    let remove = format!("{url}/units/{unit}/remove");
    let (status, confirm) = br.get_html(&remove).await;
    assert_eq!(status, 200, "{confirm}");
    assert!(confirm.contains(&d.units[0].name), "{confirm}");
    let (status, _, _) = br.post_form(&remove, &remove, &[]).await;
    assert_eq!(status, 200);
    let sup = d.supervisors[0].assignment_id;
    let remove = format!("{url}/supervisors/{sup}/remove");
    let (status, _, _) = br.post_form(&remove, &remove, &[]).await;
    assert_eq!(status, 200);
    let after = s.cluster(&app.admin_scope(), c.cluster_id).await.unwrap();
    assert_eq!(after.units.len(), d.units.len() - 1);
    assert_eq!(after.supervisors.len(), d.supervisors.len() - 1);
    // Close: confirmed, then no more changes.
    let (status, confirm) = br.get_html(&format!("{url}/close")).await;
    assert_eq!(status, 200, "{confirm}");
    assert!(
        confirm.contains(&format!("{} CĐCS", after.units.len())),
        "{confirm}"
    );
    let (status, _, html) = br
        .post_form(
            &format!("{url}/close"),
            &format!("{url}/close"),
            &[("closed_on", "31/12/2026")],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("id=\"cluster-closed\"") && !html.contains("id=\"rename-cluster\""),
        "{html}"
    );
    let e = s
        .rename_cluster(&app.admin_scope(), c.cluster_id, "Tên mới nữa")
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("ST0908") || format!("{e:?}").contains("ST0908"),
        "{e:?}"
    );
    // Every change is in the audit log, in Vietnamese.
    let (_, audit) = br.get_html("/audit?action=rename").await;
    assert!(
        audit.contains("Đổi tên") && audit.contains("Cụm thi đua đã đổi tên"),
        "{audit}"
    );
}

crate::both_engines!(
    kon_tum_sees_its_own_figures_and_coordinated_units_apart,
    a_coordinated_unit_page_is_read_only_and_names_its_agreement,
    agreements_show_status_have_no_dead_links_and_can_be_edited_renewed_ended,
    a_covered_unit_can_be_taken_out,
    clusters_can_be_renamed_trimmed_and_closed,
);
