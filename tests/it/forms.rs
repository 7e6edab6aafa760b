//! Picking units by name (the picker, with and without JavaScript) and one error style on
//! every form: each state-changing page route, posted with bad input, shows the page again
//! with inline Vietnamese messages, the input kept and the offending value named.

use crate::both_engines;
use crate::harness::{Browser, Kind, TestApp, csrf_of};
use congdoan_domain::fold;

both_engines!(
    picker_finds_units_by_name_within_scope,
    picked_units_work_without_javascript,
    every_form_shows_its_errors_inline
);

async fn unit_name(app: &TestApp, code: &str) -> String {
    let id = app.unit_id(code).await;
    app.store()
        .unit(&app.admin_scope(), id)
        .await
        .expect("unit")
        .name
}

async fn picker_finds_units_by_name_within_scope(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let ag = app.login("btv.angiang").await;
    let name = unit_name(&app, "AG-CDCS-016").await;
    assert!(name.starts_with("Công đoàn cơ sở"), "{name}");
    // Typed without accents, a few words of the name.
    let q = fold(&name);
    assert!(q.is_ascii(), "{q}");
    let words: Vec<&str> = q.split(' ').collect();
    let typed = format!("cong doan {}", words[words.len() - 2..].join(" "));
    let url = format!(
        "/pick/units?field=units&units__q={}",
        typed.replace(' ', "+")
    );
    let (s, html) = ag.get_html(&url).await;
    assert_eq!(s, 200);
    assert!(html.contains(&name), "{typed} finds {name}: {html}");
    assert!(html.contains("value=\"AG-CDCS-016\""), "{html}");
    assert!(!html.contains("<html"), "a partial");
    // By the start of its code too.
    let (_, html) = ag.get_html("/pick/units?field=u&q=ag-cdcs-01").await;
    assert!(html.contains("value=\"AG-CDCS-016\""), "{html}");
    // A Kon Tum unit is not offered to An Giang, but is to Kon Tum.
    let kt = app.unit_id("KT").await;
    let kt_child = app
        .store()
        .tree_children(&app.admin_scope(), kt, congdoan_web::today())
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("a unit under KT");
    let q = fold(&kt_child.name).replace(' ', "+");
    let (_, html) = ag.get_html(&format!("/pick/units?field=u&q={q}")).await;
    assert!(
        !html.contains(&format!("value=\"{}\"", kt_child.code)),
        "outside An Giang's scope: {html}"
    );
    assert!(html.contains("Không tìm thấy"), "{html}");
    let ktb = app.login("lddl.kontum").await;
    let (_, html) = ktb.get_html(&format!("/pick/units?field=u&q={q}")).await;
    assert!(
        html.contains(&format!("value=\"{}\"", kt_child.code)),
        "{html}"
    );
    // Communes by name within a province, accents optional.
    let ag_province = app
        .store()
        .unit(&app.admin_scope(), app.unit_id("AG").await)
        .await
        .unwrap()
        .province_code
        .expect("An Giang's province");
    let commune = &congdoan_domain::divisions::province(ag_province)
        .unwrap()
        .communes[0];
    let (_, html) = ag
        .get_html(&format!(
            "/pick/communes?province_code={ag_province}&q={}",
            fold(&commune.1).replace(' ', "+")
        ))
        .await;
    assert!(html.contains(&commune.1), "{html}");
}

async fn picked_units_work_without_javascript(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let b = app.login("btv.angiang").await;
    let ag = app.unit_id("AG").await;
    let name = unit_name(&app, "AG-CDCS-016").await;
    let typed = fold(&name);
    // A new cluster, then its units chosen by name: "Tìm" shows the matches as checkboxes.
    let (s, url, _) = b
        .post_form(
            &format!("/clusters?unit={ag}"),
            "/clusters",
            &[
                ("unit", &ag.to_string()),
                ("year", "2027"),
                ("kind", "cum"),
                ("name", "Cụm thi đua thử chọn theo tên"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    let cluster = url.clone();
    let action = format!("{cluster}/units");
    let (s, _, html) = b
        .post_form(
            &cluster,
            &action,
            &[
                ("units__q", typed.as_str()),
                ("units__multi", "1"),
                ("units__types", "CDCS,NGHIEP_DOAN"),
                ("units", ""),
                ("pick", "units"),
            ],
        )
        .await;
    assert_eq!(s, 200, "{html}");
    assert!(
        html.contains("type=\"checkbox\" name=\"units__pick\" value=\"AG-CDCS-016\""),
        "{html}"
    );
    assert!(html.contains(&format!("value=\"{typed}\"")), "search kept");
    let (s, url, html) = b
        .post_form(
            &cluster,
            &action,
            &[
                ("units__q", typed.as_str()),
                ("units__multi", "1"),
                ("units", ""),
                ("units__pick", "AG-CDCS-016"),
            ],
        )
        .await;
    assert_eq!((s, url.as_str()), (200, cluster.as_str()), "{html}");
    assert!(
        html[html.find("id=\"cluster-units\"").unwrap()..].contains(&name),
        "{html}"
    );
    // Move a unit under a parent picked by name (radio) rather than typed.
    let unit = app.unit_id("AG-CDCS-016").await;
    let before = app.store().unit(&app.admin_scope(), unit).await.unwrap();
    let siblings = app
        .store()
        .tree_children(&app.admin_scope(), ag, congdoan_web::today())
        .await
        .unwrap();
    let target = siblings
        .iter()
        .find(|c| {
            Some(c.unit_id) != before.parent_id && c.type_code != "CDCS" && c.ended_on.is_none()
        })
        .expect("another upper-level unit under AG");
    let page = format!("/units/{unit}");
    let today = congdoan_domain::date::format_vn_date(congdoan_web::today());
    let (s, _, html) = b
        .post_form(
            &page,
            &format!("/units/{unit}/move"),
            &[
                ("parent_code__q", fold(&target.name).as_str()),
                ("parent_code__write", "1"),
                ("parent_code", ""),
                ("pick", "parent_code"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains(&format!(
            "type=\"radio\" name=\"parent_code__pick\" value=\"{}\"",
            target.code
        )),
        "{html}"
    );
    let (s, url, html) = b
        .post_form(
            &page,
            &format!("/units/{unit}/move"),
            &[
                ("parent_code", ""),
                ("parent_code__pick", target.code.as_str()),
                ("on", today.as_str()),
                ("reason", "Thử chuyển theo tên"),
            ],
        )
        .await;
    assert_eq!((s, url.as_str()), (200, page.as_str()), "{html}");
    let after = app.store().unit(&app.admin_scope(), unit).await.unwrap();
    assert_eq!(after.parent_id, Some(target.unit_id));
    // A plan operation on a unit picked by name; the picked one wins over a stale code.
    let plan = app
        .store()
        .create_plan(
            &app.admin_scope(),
            ag,
            "Phương án thử chọn theo tên",
            time::macros::date!(2030 - 01 - 01),
        )
        .await
        .unwrap();
    let plan_page = format!("/plans/{}", plan.plan_id);
    let (s, url, html) = b
        .post_form(
            &plan_page,
            &format!("/plans/{}/ops", plan.plan_id),
            &[
                ("version", &plan.version.to_string()),
                ("kind", "rename"),
                ("unit", "AG-KHONG-CO"),
                ("unit__pick", "AG-CDCS-016"),
                ("name", "Công đoàn cơ sở đổi tên thử"),
            ],
        )
        .await;
    assert_eq!(s, 200, "{html}");
    assert_eq!(url, plan_page);
    assert!(html.contains("Công đoàn cơ sở đổi tên thử"), "{html}");
}

/// One state-changing form: where it is, what to post, and what the page must say.
struct Case {
    route: &'static str,
    page: String,
    action: String,
    fields: Vec<(&'static str, String)>,
    /// The Vietnamese label the error must carry (None: the form has no typed field).
    label: Option<&'static str>,
    /// A value typed that must be shown again.
    kept: Option<String>,
}

/// The POST routes of the page router, read from its source.
fn post_routes() -> Vec<String> {
    let sources = [
        include_str!("../../crates/web/src/views/mod.rs"),
        include_str!("../../crates/web/src/views/units.rs"),
        include_str!("../../crates/web/src/views/members.rs"),
        include_str!("../../crates/web/src/views/clusters.rs"),
        include_str!("../../crates/web/src/views/plans.rs"),
        include_str!("../../crates/web/src/views/agreements.rs"),
        include_str!("../../crates/web/src/views/imports.rs"),
        include_str!("../../crates/web/src/views/exports.rs"),
        include_str!("../../crates/web/src/views/session.rs"),
        include_str!("../../crates/web/src/views/tree.rs"),
        include_str!("../../crates/web/src/views/dashboard.rs"),
        include_str!("../../crates/web/src/views/audit.rs"),
        include_str!("../../crates/web/src/views/pick.rs"),
        include_str!("../../crates/web/src/views/directives.rs"),
        include_str!("../../crates/web/src/views/forms.rs"),
        include_str!("../../crates/web/src/views/formbuilder.rs"),
        include_str!("../../crates/web/src/views/criteriabuilder.rs"),
        include_str!("../../crates/web/src/views/reports.rs"),
        include_str!("../../crates/web/src/views/models.rs"),
        include_str!("../../crates/web/src/views/movements.rs"),
        include_str!("../../crates/web/src/views/accounts.rs"),
        include_str!("../../crates/web/src/views/certificates.rs"),
        include_str!("../../crates/web/src/views/emulation.rs"),
        include_str!("../../crates/web/src/views/rewards.rs"),
        include_str!("../../crates/web/src/views/confirm.rs"),
        include_str!("../../crates/web/src/views/owed.rs"),
        include_str!("../../crates/web/src/views/todo.rs"),
        include_str!("../../crates/web/src/views/request_pdf.rs"),
    ];
    let mut out = vec![];
    for src in sources {
        for chunk in src.split(".route(").skip(1) {
            let chunk = chunk.split("\n}").next().unwrap_or(chunk);
            let chunk = chunk.split(".merge(").next().unwrap_or(chunk);
            let Some(path) = chunk.split('"').nth(1) else {
                continue;
            };
            if chunk.contains("post(") {
                out.push(path.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

async fn every_form_shows_its_errors_inline(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let admin = app.admin_scope();
    let s = app.store();
    let ag = app.unit_id("AG").await;
    let cdcs = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let committee = s
        .committees(&admin, cdcs)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.positions.iter().any(|p| p.end_date.is_none()))
        .expect("a committee with an open post");
    let post = committee
        .positions
        .iter()
        .find(|p| p.end_date.is_none())
        .unwrap()
        .assignment_id;
    let member = s
        .search_members(
            &admin,
            &congdoan_store::MemberQuery {
                unit_id: Some(cdcs),
                per_page: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .rows[0]
        .member_id;
    let cluster = s.clusters(&admin, ag, None).await.unwrap()[0].cluster_id;
    let kt = app.unit_id("KT").await;
    let agreement = s.agreements(&admin, kt).await.unwrap()[0].agreement_id;
    // A proposal from another CĐCS, waiting for an answer (the administrator may answer).
    let other = congdoan_store::Actor {
        account_id: Some(
            s.account_by_username("cdcs.other")
                .await
                .unwrap()
                .account_id,
        ),
        username: "cdcs.other".into(),
    };
    let other_scope = s
        .scope_for(other, false, congdoan_web::today())
        .await
        .unwrap();
    let other_cdcs = app.unit_id(congdoan_datagen::DEMO_OTHER_CDCS_CODE).await;
    let proposal = s
        .create_agreement(
            &other_scope,
            congdoan_store::AgreementInput {
                number: "09/QC-DN".into(),
                title: "Đề nghị phối hợp thử lỗi".into(),
                party_a_id: 0,
                party_a_code: Some(congdoan_datagen::DEMO_CDCS_CODE.into()),
                party_b_id: other_cdcs,
                signed_on: time::macros::date!(2026 - 01 - 01),
                valid_from: time::macros::date!(2026 - 01 - 01),
                valid_to: None,
                scope_items: vec!["info".into()],
                unit_ids: vec![other_cdcs],
            },
        )
        .await
        .unwrap()
        .agreement_id;
    let plan = s
        .create_plan(
            &admin,
            ag,
            "Phương án thử lỗi",
            time::macros::date!(2030 - 01 - 01),
        )
        .await
        .unwrap()
        .plan_id;
    let job = s
        .create_import(
            &admin,
            cdcs,
            "thu.csv",
            "Họ và tên,Ngày sinh\nNguyễn Văn A,01/01/1990\n"
                .as_bytes()
                .to_vec(),
        )
        .await
        .unwrap()
        .job_id;
    // A directive to An Giang's CĐCS and park unions, already acknowledged by one CĐCS.
    let kcn = s.unit(&admin, cdcs).await.unwrap().parent_id.unwrap();
    let kcn_type = s.unit(&admin, kcn).await.unwrap().type_code;
    let day = congdoan_web::today();
    let directive = s
        .issue_directive(
            &admin,
            congdoan_store::NewDirective {
                issuer_unit_id: ag,
                doc_type: "KH".into(),
                seq: None,
                issuer_abbrev: None,
                issued_on: day,
                title: "Kế hoạch thử lỗi".into(),
                body: None,
                due_on: day + time::Duration::days(30),
                targets: congdoan_domain::request::TargetSpec::Subtree {
                    root: ag,
                    types: vec!["CDCS".into(), kcn_type],
                },
                files: vec![],
            },
        )
        .await
        .unwrap()
        .request_id;
    let report_form = s
        .create_form(&admin, ag, {
            let mut d = congdoan_datagen::forms::monthly_quick_report();
            d.code = "BCN-THU".into();
            d
        })
        .await
        .unwrap()
        .form_id;
    let report = s
        .send_report(
            &admin,
            congdoan_store::NewReport {
                issuer_unit_id: ag,
                form_id: report_form,
                period: Some(format!("{}-11", time::OffsetDateTime::now_utc().year() - 1)),
                due_on: Some(time::OffsetDateTime::now_utc().date() + time::Duration::days(10)),
                title: None,
                targets: None,
                issued_on: time::OffsetDateTime::now_utc().date(),
            },
        )
        .await
        .unwrap()
        .request_id;
    s.request_step(
        &admin,
        directive,
        cdcs,
        congdoan_domain::request::Action::Acknowledge,
        Default::default(),
        day,
    )
    .await
    .unwrap();
    let (ag_s, cdcs_s, kcn_s) = (ag.to_string(), cdcs.to_string(), kcn.to_string());
    // The demo's replicated good model: one target adopted and reported, one adopted only.
    let model = s
        .models(&admin, &Default::default())
        .await
        .unwrap()
        .0
        .into_iter()
        .find(|m| m.title.starts_with("Sát cơ sở"))
        .expect("the demo model")
        .model_id;
    let replication = s.model_replications(&admin, model).await.unwrap().remove(0);
    let rid = replication.request_id;
    let adopted = replication
        .responses
        .iter()
        .find(|r| r.state == "acknowledged")
        .expect("an adopted target")
        .unit_id;
    let adopted_s = adopted.to_string();
    // The demo's emulation movement and a CĐCS that has not registered.
    let movement = s
        .movements(&admin, &[])
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.code == "XSD-2025")
        .expect("the demo movement");
    let (mov, mov_rid) = (movement.movement_id, movement.request_id);
    let unregistered = s.pending_targets(mov_rid, 2).await.unwrap();
    let (submitted, unregistered) = (unregistered[1], unregistered[0]);
    s.register_unit(
        &admin,
        mov,
        submitted,
        vec![congdoan_domain::movement::Goal {
            text: "Trồng cây xanh".into(),
            goal: Some(10),
        }],
        None,
    )
    .await
    .unwrap();
    let ag_text = ag.to_string();
    let bad_code = "AG-CDCS-999";
    // A criteria set to edit in the builder, and a blank one to start from.
    let criteria = s
        .create_criteria_set(&admin, ag, crate::emulation::test_set("FORMS-CB"))
        .await
        .expect("a criteria set")
        .set_id;
    let criteria_s = criteria.to_string();
    let criteria_draft =
        serde_json::to_string(&crate::emulation::test_set("FORMS-CB")).expect("json");
    let blank_set = r#"{"code":"","title":"","year":2026,"groups":[],"bands":[]}"#;
    let reward_kind = s
        .reward_kinds(&admin)
        .await
        .expect("the catalogue")
        .first()
        .expect("a national entry")
        .reward_kind_id
        .to_string();
    // A self-assessment of the builder's set to two CĐCS: one still to score, one
    // published (to reopen).
    let (to_score, published) = (
        app.unit_id("AG-CDCS-019").await,
        app.unit_id("AG-CDCS-010").await,
    );
    let assessment = s
        .send_assessment(
            &admin,
            congdoan_store::NewAssessment {
                issuer_unit_id: ag,
                set_id: criteria,
                title: None,
                issued_on: day,
                due_on: day + time::Duration::days(30),
                targets: congdoan_domain::request::TargetSpec::Units {
                    units: vec![to_score, published],
                },
            },
        )
        .await
        .expect("the assessment")
        .request_id;
    let full = congdoan_domain::emulation::Scores {
        items: [("1.1", 200), ("1.2", 150), ("2.1", 250), ("2.2", 200)]
            .into_iter()
            .map(|(c, t)| (c.to_string(), congdoan_domain::emulation::Pts(t)))
            .collect(),
        vetoes: Default::default(),
    };
    s.save_self_assessment(
        &admin,
        assessment,
        published,
        full.clone(),
        vec![],
        true,
        day,
    )
    .await
    .expect("scored");
    s.save_appraisal(
        &admin,
        assessment,
        published,
        full,
        Default::default(),
        true,
        day,
    )
    .await
    .expect("published");
    // An open quarterly evaluation at An Giang, and a certificate to revoke.
    let evaluation = s
        .create_evaluation(
            &admin,
            congdoan_store::NewEvaluation {
                unit_id: ag,
                title: "Bình xét thử lỗi".into(),
                period_type: "quarter".into(),
                period: "2026-Q1".into(),
                quota: 10,
                reward_kind_id: reward_kind.parse().expect("an id"),
            },
        )
        .await
        .expect("the evaluation")
        .evaluation_id;
    s.nominate(
        &admin,
        evaluation,
        congdoan_store::NewNominee {
            member_id: member,
            service_months: Some(24),
            ..Default::default()
        },
    )
    .await
    .expect("a nominee, so the decision form shows");
    let certificate = s
        .issue_certificates(
            &admin,
            ag,
            vec![congdoan_store::NewCertificate {
                kind: "giay_khen".into(),
                title: "Giấy khen thử lỗi".into(),
                recipient_name: "Nguyễn Văn Thử".into(),
                recipient_unit_name: None,
                reason: "Đã có thành tích".into(),
                decision_number: "01/QĐ-LĐLĐ".into(),
                decision_date: day,
                place: "An Giang".into(),
                signer_position: "Chủ tịch".into(),
                signer_name: "Người Ký".into(),
                member_id: None,
                unit_id: None,
                reward_item_id: None,
            }],
        )
        .await
        .expect("a certificate")
        .remove(0)
        .certificate_id;
    let blank_draft = r#"{"code":"","title":"","period":"month","due_days":5,"filled_by":["CDCS"],"sections":[]}"#;
    let form_draft = serde_json::to_string(
        s.report_form(&admin, report_form)
            .await
            .expect("the report form")
            .1
            .def(),
    )
    .expect("json");
    let case = |route: &'static str,
                page: String,
                action: String,
                fields: Vec<(&'static str, &str)>,
                label: Option<&'static str>,
                kept: Option<&str>| Case {
        route,
        page,
        action,
        fields: fields
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect(),
        label,
        kept: kept.map(str::to_string),
    };
    let cases = vec![
        case(
            "/directives",
            format!("/directives/new?unit={ag}"),
            "/directives".into(),
            vec![
                ("unit", &ag_s),
                ("doc_type", "KH"),
                ("issued_on", "31/02/2026"),
                ("summary", "Kế hoạch có ngày sai"),
                ("due_on", "01/01/2030"),
                ("target_kind", "types"),
                ("types", "CDCS"),
            ],
            Some("Ngày ban hành"),
            Some("Kế hoạch có ngày sai"),
        ),
        case(
            "/directives/{id}/acknowledge",
            format!("/directives/{directive}?unit={cdcs}"),
            format!("/directives/{directive}/acknowledge"),
            vec![("unit", &cdcs_s)],
            Some("Trạng thái"),
            None,
        ),
        case(
            "/directives/{id}/implement",
            format!("/directives/{directive}?unit={cdcs}"),
            format!("/directives/{directive}/implement"),
            vec![("unit", &cdcs_s), ("note", "")],
            Some("Ghi chú, kết quả"),
            None,
        ),
        case(
            "/directives/{id}/forward",
            format!("/directives/{directive}/forward?unit={kcn}"),
            format!("/directives/{directive}/forward"),
            vec![
                ("unit", &kcn_s),
                ("target_kind", "types"),
                ("types", "CDCS"),
                ("instructions", "Triển khai ngay"),
                ("due_on", "99/99/2026"),
            ],
            Some("Hạn báo cáo"),
            Some("Triển khai ngay"),
        ),
        case(
            "/agreements/{id}/edit",
            format!("/agreements/{agreement}"),
            format!("/agreements/{agreement}/edit"),
            vec![
                ("number", "01/QC"),
                ("title", "Quy chế"),
                ("signed_on", "32/13/2020"),
                ("valid_from", "01/01/2021"),
            ],
            Some("Ngày ký"),
            Some("32/13/2020"),
        ),
        case(
            "/agreements/{id}/renew",
            format!("/agreements/{agreement}"),
            format!("/agreements/{agreement}/renew"),
            vec![("valid_to", "không rõ")],
            Some("Hiệu lực đến"),
            Some("không rõ"),
        ),
        case(
            "/agreements/{id}/decline",
            format!("/agreements/{proposal}/decline"),
            format!("/agreements/{proposal}/decline"),
            vec![("decline_reason", "")],
            Some("Lý do từ chối"),
            None,
        ),
        case(
            "/agreements/{id}/end",
            format!("/agreements/{agreement}/end"),
            format!("/agreements/{agreement}/end"),
            vec![("ended_on", "31/02/2026"), ("end_reason", "Hết hạn")],
            Some("Ngày chấm dứt"),
            Some("31/02/2026"),
        ),
        case(
            "/clusters/{id}/rename",
            format!("/clusters/{cluster}"),
            format!("/clusters/{cluster}/rename"),
            vec![("name", "")],
            None,
            None,
        ),
        case(
            "/clusters/{id}/close",
            format!("/clusters/{cluster}/close"),
            format!("/clusters/{cluster}/close"),
            vec![("closed_on", "99/99/2026")],
            Some("Ngày đóng"),
            Some("99/99/2026"),
        ),
        case(
            "/units",
            format!("/units/new?parent={ag}"),
            "/units".into(),
            vec![
                ("parent_id", &ag.to_string()),
                ("code", "AG MOI!"),
                ("name", "Công đoàn cơ sở Mới Thử"),
                ("type_code", "CDCS"),
                ("founded_on", "01/01/2025"),
            ],
            Some("Mã"),
            Some("Công đoàn cơ sở Mới Thử"),
        ),
        case(
            "/units/{id}/edit",
            format!("/units/{cdcs}/edit"),
            format!("/units/{cdcs}/edit"),
            vec![
                ("name", "Tên Giữ Lại"),
                ("employer_head_count", "nhiều"),
                ("version", "1"),
            ],
            Some("Số lao động"),
            Some("Tên Giữ Lại"),
        ),
        case(
            "/units/{id}/move",
            format!("/units/{cdcs}"),
            format!("/units/{cdcs}/move"),
            vec![
                ("parent_code", bad_code),
                ("on", "01/07/2025"),
                ("reason", "Lý do giữ lại"),
            ],
            Some("Đơn vị cấp trên"),
            Some("Lý do giữ lại"),
        ),
        case(
            "/units/{id}/coordination",
            format!("/units/{cdcs}"),
            format!("/units/{cdcs}/coordination"),
            vec![
                ("coordinator_code", bad_code),
                ("valid_from", "01/01/2025"),
                ("note", "Ghi chú giữ lại"),
            ],
            Some("Đơn vị phối hợp chỉ đạo"),
            Some("Ghi chú giữ lại"),
        ),
        case(
            "/units/{id}/committees",
            format!("/units/{cdcs}"),
            format!("/units/{cdcs}/committees"),
            vec![
                ("kind", "BCH"),
                ("term_no", "ba"),
                ("term_label", "2030–2035"),
                ("term_start", "01/01/2030"),
            ],
            Some("Khóa"),
            Some("2030–2035"),
        ),
        case(
            "/committees/{id}/positions",
            format!("/units/{cdcs}"),
            format!("/committees/{}/positions", committee.committee_id),
            vec![
                ("member", "999999999999"),
                ("position_code", "UV_BCH"),
                ("start_date", "01/01/2030"),
            ],
            Some("Đoàn viên"),
            Some("999999999999"),
        ),
        case(
            "/positions/{id}/end",
            format!("/units/{cdcs}"),
            format!("/positions/{post}/end"),
            vec![("end_date", "31/02/2030"), ("reason", "Lý do kết thúc")],
            Some("Ngày kết thúc"),
            Some("Lý do kết thúc"),
        ),
        case(
            "/members",
            format!("/members/new?unit={cdcs}"),
            "/members".into(),
            vec![
                ("unit_id", &cdcs.to_string()),
                ("full_name", "Trần Thị Giữ Lại"),
                ("birth_date", "32/13/1990"),
                ("sex", "F"),
            ],
            Some("Ngày sinh"),
            Some("Trần Thị Giữ Lại"),
        ),
        case(
            "/members/{id}/edit",
            format!("/members/{member}/edit"),
            format!("/members/{member}/edit"),
            vec![
                ("full_name", "Lê Văn Giữ"),
                ("birth_date", "1/1/1990"),
                ("sex", "M"),
                ("phone", "12345"),
            ],
            Some("Số điện thoại"),
            Some("Lê Văn Giữ"),
        ),
        case(
            "/members/{id}/events",
            format!("/members/{member}"),
            format!("/members/{member}/events"),
            vec![
                ("kind", "transfer_out"),
                ("on", "01/01/2026"),
                ("to_unit_code", bad_code),
                ("reason", "Chuyển công tác giữ lại"),
            ],
            Some("Chuyển đến đơn vị"),
            Some("Chuyển công tác giữ lại"),
        ),
        case(
            "/clusters",
            format!("/clusters?unit={ag}"),
            "/clusters".into(),
            vec![
                ("unit", &ag.to_string()),
                ("year", "năm nay"),
                ("kind", "cum"),
                ("name", "Cụm giữ lại tên"),
            ],
            Some("Năm"),
            Some("Cụm giữ lại tên"),
        ),
        case(
            "/clusters/{id}/units",
            format!("/clusters/{cluster}"),
            format!("/clusters/{cluster}/units"),
            vec![("units", bad_code)],
            Some("Các đơn vị"),
            Some(bad_code),
        ),
        case(
            "/clusters/{id}/lead",
            format!("/clusters/{cluster}"),
            format!("/clusters/{cluster}/lead"),
            vec![("id", "")],
            Some("Đơn vị trưởng"),
            None,
        ),
        case(
            "/clusters/{id}/supervisors",
            format!("/clusters/{cluster}"),
            format!("/clusters/{cluster}/supervisors"),
            vec![("id", "")],
            Some("Ủy viên Ban Thường vụ phụ trách"),
            None,
        ),
        case(
            "/agreements",
            format!("/agreements?unit={ag}"),
            "/agreements".into(),
            vec![
                ("unit", &ag.to_string()),
                ("number", "01/QC-GIU"),
                ("title", "Quy chế giữ lại"),
                ("party_a", "KT-KHONG-CO"),
                ("signed_on", "01/01/2026"),
                ("units", bad_code),
                ("scope_info", "1"),
            ],
            Some("Bên phối hợp"),
            Some("Quy chế giữ lại"),
        ),
        case(
            "/plans",
            format!("/plans?unit={ag}"),
            "/plans".into(),
            vec![
                ("unit", &ag.to_string()),
                ("name", "Phương án giữ lại"),
                ("effective_date", "30/02/2026"),
            ],
            Some("Ngày hiệu lực"),
            Some("Phương án giữ lại"),
        ),
        case(
            "/plans/reform",
            format!("/plans?unit={ag}"),
            "/plans/reform".into(),
            vec![
                ("unit", &ag.to_string()),
                ("federation", &ag.to_string()),
                ("name", "Sắp xếp giữ lại"),
                ("effective_date", "hôm nay"),
            ],
            Some("Ngày hiệu lực"),
            Some("Sắp xếp giữ lại"),
        ),
        case(
            "/plans/{id}/ops",
            format!("/plans/{plan}"),
            format!("/plans/{plan}/ops"),
            vec![
                ("version", "1"),
                ("kind", "move"),
                ("units", bad_code),
                ("parent", "AG"),
            ],
            Some("Các đơn vị"),
            Some(bad_code),
        ),
        case(
            "/plans/{id}/ops/{n}/delete",
            format!("/plans/{plan}"),
            format!("/plans/{plan}/ops/1/delete"),
            vec![("version", "99"), ("confirmed", "1")],
            Some("Phiên bản"),
            None,
        ),
        case(
            "/plans/{id}/apply",
            format!("/plans/{plan}"),
            format!("/plans/{plan}/apply"),
            vec![("version", "99"), ("confirmed", "1")],
            None,
            None,
        ),
        case(
            "/plans/{id}/cancel",
            format!("/plans/{plan}"),
            format!("/plans/{plan}/cancel"),
            vec![("version", "99"), ("confirmed", "1")],
            Some("Phiên bản"),
            None,
        ),
        case(
            "/plans/{id}/revert",
            format!("/plans/{plan}"),
            format!("/plans/{plan}/revert"),
            vec![("effective_date", "99/99/2026")],
            Some("Ngày hiệu lực"),
            // The revert form is shown on applied plans only; this one is a draft.
            None,
        ),
        case(
            "/imports/{id}/confirm",
            format!("/imports/{job}"),
            format!("/imports/{job}/confirm"),
            vec![("version", "99")],
            None,
            None,
        ),
        case(
            "/imports/{id}/cancel",
            format!("/imports/{job}"),
            format!("/imports/{job}/cancel"),
            vec![("version", "99")],
            None,
            None,
        ),
        case(
            "/imports/{id}/undo",
            format!("/imports/{job}"),
            format!("/imports/{job}/undo"),
            vec![("version", "99"), ("confirmed", "1")],
            None,
            None,
        ),
        case(
            "/imports/{id}/layout",
            format!("/imports/{job}"),
            format!("/imports/{job}/layout"),
            vec![("version", "1"), ("header_row", "không")],
            Some("Dòng tiêu đề"),
            Some("&#39;không&#39;"),
        ),
        case(
            "/forms/create",
            format!("/forms?unit={ag}"),
            "/forms/create".into(),
            vec![("unit", ag_text.as_str()), ("definition", "{")],
            Some("Mẫu báo cáo"),
            None,
        ),
        case(
            "/forms/new",
            format!("/forms/new?unit={ag}"),
            "/forms/new".into(),
            vec![
                ("unit", ag_text.as_str()),
                ("draft", blank_draft),
                ("op", "add"),
                ("f_kind", "whole"),
                ("f_key", "tong_so"),
                ("f_label", ""),
            ],
            Some("Nhãn"),
            Some("value=\"tong_so\""),
        ),
        case(
            "/forms/{id}/edit",
            format!("/forms/{report_form}/edit"),
            format!("/forms/{report_form}/edit"),
            vec![
                ("draft", form_draft.as_str()),
                ("op", "add"),
                ("f_kind", "whole"),
                ("f_key", "them_moi"),
                ("f_label", "Thêm mới"),
                ("f_min", "abc"),
            ],
            Some("Giá trị nhỏ nhất"),
            Some("value=\"abc\""),
        ),
        case(
            "/emulation/sets/new",
            format!("/emulation/sets/new?unit={ag}"),
            "/emulation/sets/new".into(),
            vec![
                ("unit", ag_text.as_str()),
                ("draft", blank_set),
                ("title", "Bộ thử"),
                ("year", "2026"),
                ("scale", "100"),
                ("op", "add_group"),
                ("g_code", "NHOM-X"),
                ("g_title", ""),
            ],
            Some("Tên nhóm"),
            Some("value=\"NHOM-X\""),
        ),
        case(
            "/emulation/sets/{id}/edit",
            format!("/emulation/sets/{criteria}/edit"),
            format!("/emulation/sets/{criteria}/edit"),
            vec![
                ("draft", criteria_draft.as_str()),
                ("version", "1"),
                ("title", "Chấm điểm thử"),
                ("year", "2025"),
                ("scale", "100"),
                ("op", "add_item"),
                ("i_group", "1"),
                ("i_code", "9.9"),
                ("i_text", "Thêm"),
                ("i_max", "abc"),
            ],
            Some("Điểm tối đa"),
            Some("value=\"abc\""),
        ),
        case(
            "/rewards/catalogue",
            format!("/rewards/catalogue?unit={ag}"),
            "/rewards/catalogue".into(),
            vec![
                ("unit", ag_text.as_str()),
                ("code", "KT-THU"),
                ("name", "Thưởng thử không ngày"),
                ("cash_kind", "fixed"),
                ("cash_value", "500.000"),
                ("cash_from", ""),
            ],
            Some("Ngày áp dụng mức thưởng"),
            Some("Thưởng thử không ngày"),
        ),
        case(
            "/rewards/decisions/new",
            format!("/rewards/decisions/new?unit={ag}"),
            "/rewards/decisions/new".into(),
            vec![
                ("unit", ag_text.as_str()),
                ("reward_kind_id", reward_kind.as_str()),
                ("period_type", "year"),
                ("period", "2026"),
                ("decided_on", "31/02/2026"),
                ("signer_name", "Người Ký Thử"),
            ],
            Some("Ngày quyết định"),
            Some("Người Ký Thử"),
        ),
        case(
            "/forms/{id}/send",
            format!("/forms/{report_form}?unit={ag}"),
            format!("/forms/{report_form}/send"),
            vec![
                ("unit", ag_text.as_str()),
                ("period", "2025-11"),
                ("due_on", "99/99/2026"),
            ],
            Some("Hạn báo cáo"),
            Some("99/99/2026"),
        ),
        case(
            "/reports/{id}/units/{unit}",
            format!("/reports/{report}/units/{cdcs}"),
            format!("/reports/{report}/units/{cdcs}"),
            vec![("members_end", "10"), ("women", "20"), ("action", "submit")],
            Some("Đoàn viên nữ"),
            Some("value=\"20\""),
        ),
        case(
            "/reports/{id}/units/{unit}/{step}",
            format!("/reports/{report}/units/{cdcs}"),
            format!("/reports/{report}/units/{cdcs}/return?c=1"),
            vec![("reason", "")],
            Some("Lý do"),
            None,
        ),
        case(
            "/models",
            format!("/models/new?unit={ag}"),
            "/models".into(),
            vec![
                ("owner", "AG"),
                ("model_kind", "mo_hinh"),
                ("model_title", "Mô hình có ngày sai"),
                ("model_summary", "Một nội dung đủ dài cho phần việc đã làm."),
                ("started_on", "31/02/2024"),
            ],
            Some("Bắt đầu từ ngày"),
            Some("Mô hình có ngày sai"),
        ),
        case(
            "/models/{id}",
            format!("/models/{model}/edit"),
            format!("/models/{model}"),
            vec![
                ("version", "1"),
                ("owner", "AG"),
                ("model_kind", "mo_hinh"),
                ("model_title", "Sát"),
                ("model_summary", "Một nội dung đủ dài cho phần việc đã làm."),
                ("model_figures", "Đoàn viên mới: nhiều"),
            ],
            Some("Tên mô hình"),
            Some("Đoàn viên mới: nhiều"),
        ),
        case(
            "/models/{id}/replicate",
            format!("/models/{model}/replicate?unit={ag}"),
            format!("/models/{model}/replicate"),
            vec![
                ("unit", &ag_s),
                ("due_on", "99/99/2026"),
                ("instructions", "Áp dụng ngay tại cơ sở"),
                ("target_kind", "types"),
                ("types", "CDCS"),
            ],
            Some("Hạn báo cáo"),
            Some("Áp dụng ngay tại cơ sở"),
        ),
        case(
            "/models/replications/{id}/adopt",
            format!("/models/replications/{rid}?unit={adopted}"),
            format!("/models/replications/{rid}/adopt"),
            vec![("unit", &adopted_s)],
            Some("Trạng thái"),
            None,
        ),
        case(
            "/models/replications/{id}/report",
            format!("/models/replications/{rid}?unit={adopted}"),
            format!("/models/replications/{rid}/report"),
            vec![("unit", &adopted_s), ("note", "")],
            Some("Kết quả"),
            None,
        ),
        case(
            "/movements",
            format!("/movements/new?unit={ag}"),
            "/movements".into(),
            vec![
                ("unit", &ag_s),
                ("movement_name", "Phong trào có ngày sai"),
                ("movement_code", "SAI-1"),
                ("level", "thuong_xuyen"),
                ("starts_on", "01/01/2026"),
                ("ends_on", "31/02/2026"),
                ("registration_due", "01/03/2099"),
                ("cadence", "none"),
                ("target_kind", "types"),
                ("types", "CDCS"),
            ],
            Some("Đến ngày"),
            Some("Phong trào có ngày sai"),
        ),
        case(
            "/movements/{id}/members",
            format!("/movements/{mov}"),
            format!("/movements/{mov}/members"),
            vec![
                ("unit", &ag_s),
                ("member", ""),
                ("goal_text_0", "Đạt danh hiệu Lao động giỏi"),
            ],
            Some("Đoàn viên"),
            Some("Đạt danh hiệu Lao động giỏi"),
        ),
        case(
            "/movements/{id}/progress",
            format!("/movements/{mov}"),
            format!("/movements/{mov}/progress"),
            vec![("period", "")],
            Some("Kỳ báo cáo"),
            None,
        ),
        case(
            "/movements/r/{rid}/units/{unit}",
            format!("/movements/r/{mov_rid}/units/{unregistered}"),
            format!("/movements/r/{mov_rid}/units/{unregistered}"),
            vec![("goal_text_0", "Trồng cây"), ("goal_n_0", "nhiều")],
            Some("Chỉ tiêu đăng ký"),
            Some("Trồng cây"),
        ),
        case(
            "/movements/r/{rid}/units/{unit}/review",
            format!("/movements/r/{mov_rid}/units/{submitted}"),
            format!("/movements/r/{mov_rid}/units/{submitted}/review"),
            vec![("action", "return"), ("note", "")],
            Some("Ghi chú, kết quả"),
            None,
        ),
        case(
            "/account/password",
            "/account/password".into(),
            "/account/password".into(),
            vec![
                ("current_password", "khong-phai-mat-khau"),
                ("new_password", "abc"),
                ("new_password2", "abd"),
                ("only", "1"),
            ],
            Some("Mật khẩu hiện tại"),
            None,
        ),
        case(
            "/account/tokens",
            "/account/tokens".into(),
            "/account/tokens".into(),
            vec![
                ("name", "Phần mềm tỉnh thử"),
                ("expires_days", "nhiều"),
                ("password", "khong-phai-mat-khau"),
            ],
            Some("Số ngày hiệu lực"),
            Some("Phần mềm tỉnh thử"),
        ),
        case(
            "/accounts",
            "/accounts/new".into(),
            "/accounts".into(),
            vec![
                ("username", "ai đó có dấu cách"),
                ("display_name", "Người Thử Lỗi"),
                ("unit_code", "AG"),
                ("role", "officer"),
            ],
            Some("Tên đăng nhập"),
            Some("Người Thử Lỗi"),
        ),
        case(
            "/units/{id}/certificates",
            format!("/units/{ag}/certificates"),
            format!("/units/{ag}/certificates"),
            vec![
                ("kind", "giay_khen"),
                ("award_title", "Giấy khen thử"),
                ("achievement", "Hoàn thành xuất sắc nhiệm vụ"),
                ("decision_number", "02/QĐ-LĐLĐ"),
                ("decision_date", "31/02/2026"),
                ("place", "An Giang"),
                ("signer_position", "Chủ tịch"),
                ("signer_name", "Người Ký Thử"),
            ],
            Some("Ngày quyết định"),
            Some("Người Ký Thử"),
        ),
        case(
            "/certificates/{id}/revoke",
            format!("/certificates/{certificate}"),
            format!("/certificates/{certificate}/revoke"),
            vec![("revoked_reason", "")],
            Some("Lý do thu hồi"),
            None,
        ),
        case(
            "/emulation/send",
            format!("/emulation?unit={ag}"),
            "/emulation/send".into(),
            vec![
                ("unit", ag_text.as_str()),
                ("set_id", criteria_s.as_str()),
                ("target", "cdcs"),
                ("due_on", "99/99/2026"),
                ("title", "Chấm điểm thử lỗi"),
            ],
            Some("Hạn báo cáo"),
            Some("Chấm điểm thử lỗi"),
        ),
        case(
            "/emulation/{id}/units/{unit}",
            format!("/emulation/{assessment}/units/{to_score}"),
            format!("/emulation/{assessment}/units/{to_score}"),
            vec![("p_1.1", "nhiều"), ("p_1.2", "12"), ("action", "draft")],
            Some("Điểm tự chấm, tiêu chí 1.1"),
            Some("value=\"nhiều\""),
        ),
        case(
            "/emulation/{id}/units/{unit}/reopen",
            format!("/emulation/{assessment}/units/{published}"),
            format!("/emulation/{assessment}/units/{published}/reopen?c=1"),
            vec![("reason", "")],
            Some("Lý do"),
            None,
        ),
        case(
            "/rewards/evaluations",
            format!("/rewards?unit={ag}"),
            "/rewards/evaluations".into(),
            vec![
                ("unit_code", "AG"),
                ("title", "Bình xét quý thử"),
                ("period_type", "quarter"),
                ("period", "2026-Q2"),
                ("quota", "mười"),
                ("reward_kind_id", reward_kind.as_str()),
            ],
            Some("Chỉ tiêu khen thưởng"),
            Some("Bình xét quý thử"),
        ),
        case(
            "/rewards/evaluations/{id}/nominees",
            format!("/rewards/evaluations/{evaluation}"),
            format!("/rewards/evaluations/{evaluation}/nominees"),
            vec![
                ("member", ""),
                ("reward_kind_id", reward_kind.as_str()),
                ("votes", "nhiều"),
                ("note", "Ghi chú thử lỗi"),
            ],
            Some("Đoàn viên"),
            Some("Ghi chú thử lỗi"),
        ),
        case(
            "/rewards/evaluations/{id}/decide",
            format!("/rewards/evaluations/{evaluation}"),
            format!("/rewards/evaluations/{evaluation}/decide"),
            vec![
                ("seq", ""),
                ("decided_on", "31/02/2026"),
                ("signer_name", "Người Ký Thử"),
                ("signer_role", "Chủ tịch"),
                ("issuer_abbrev", "LĐLĐ"),
            ],
            Some("Ngày quyết định"),
            Some("Người Ký Thử"),
        ),
    ];
    // Routes that take no typed input, or are tested on their own below.
    let exempt = [
        ("/login", "the login form; its error is tested in pages.rs"),
        (
            "/account/tokens/{id}/revoke",
            "no input: a confirmation page, tested in accounts.rs",
        ),
        ("/accounts/{id}/reset", "no input: a new random password"),
        ("/accounts/{id}/disable", "no input: a confirmation page"),
        ("/accounts/{id}/enable", "no input: a confirmation page"),
        (
            "/rewards/decisions/{id}/certificates",
            "no input: prints the decision's lines, tested in rewards.rs",
        ),
        ("/emulation/sets/import", "multipart upload, posted below"),
        (
            "/rewards/evaluations/{id}/nominees/{member}/remove",
            "no input: a confirmation page",
        ),
        ("/logout", "no input"),
        ("/imports", "multipart upload, posted below"),
        ("/forms/import", "multipart upload, tested in reports.rs"),
        (
            "/forms/{id}/version",
            "multipart upload, same reader as /forms/import",
        ),
        (
            "/reports/{id}/units/{unit}/check",
            "htmx fragment: the field's message, tested in reports.rs",
        ),
        (
            "/agreements/{id}/accept",
            "no input: a confirmation page, tested in consent.rs",
        ),
        (
            "/agreements/{id}/units/{unit}/remove",
            "no input: a confirmation page, tested in coordination.rs",
        ),
        (
            "/clusters/{id}/units/{unit}/remove",
            "no input: a confirmation page, tested in coordination.rs",
        ),
        (
            "/clusters/{id}/supervisors/{a}/remove",
            "no input: a confirmation page, tested in coordination.rs",
        ),
    ];
    let covered: Vec<String> = cases
        .iter()
        .map(|c| c.route.to_string())
        .chain(exempt.iter().map(|(r, _)| r.to_string()))
        .collect();
    for route in post_routes() {
        assert!(
            covered.contains(&route),
            "POST {route} has no row in the error-path table"
        );
    }
    let b = app.login("admin").await;
    for c in &cases {
        let fields: Vec<(&str, &str)> = c.fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, _, html) = b.post_form(&c.page, &c.action, &fields).await;
        let at = format!("POST {} ({})", c.action, c.route);
        assert_eq!(status, 422, "{at}: {html}");
        assert!(
            html.contains("class=\"errors\" role=\"alert\""),
            "{at}: an error summary"
        );
        assert!(html.contains("autofocus"), "{at}: focus moves to it");
        assert!(
            !html.contains("Dữ liệu chưa hợp lệ"),
            "{at}: not a bare page"
        );
        assert!(html.contains("<form"), "{at}: the form is shown again");
        if let Some(label) = c.label {
            assert!(
                html.contains(&format!("{label}:")),
                "{at}: {label} in {html}"
            );
        }
        if let Some(kept) = &c.kept {
            assert!(html.contains(kept.as_str()), "{at}: keeps {kept}");
        }
        for (key, _) in &c.fields {
            for raw in [format!("<li>{key}:"), format!(">{key}: ")] {
                assert!(!html.contains(&raw), "{at}: raw key {raw}");
            }
        }
        if c.fields.iter().any(|(_, v)| v == bad_code) {
            assert!(
                html.contains(&format!("&#39;{bad_code}&#39;")),
                "{at}: names the code"
            );
        }
    }
    // The upload form without a file.
    let (_, page) = b.get_html(&format!("/imports?unit={cdcs}")).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&page))
        .text("unit", cdcs.to_string());
    let r = b
        .http
        .post(app.url("/imports"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("class=\"errors\" role=\"alert\"") && html.contains("Tệp:"));
    // A criteria set upload that is not a spreadsheet: refused on the hub, saying why.
    let (_, page) = b.get_html(&format!("/emulation?unit={ag}")).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&page))
        .text("unit", ag.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"khong phai bang tinh".to_vec())
                .file_name("bo-tieu-chi.xlsx"),
        );
    let r = b
        .http
        .post(app.url("/emulation/sets/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(html.contains("<form"), "the hub is shown again: {html}");
    // English when chosen.
    let en = Browser::new(&app.base);
    let en = {
        let _ = en.login("admin", "congdoan-demo").await;
        let _ = en.get("/lang/en").await;
        en
    };
    let (status, _, html) = en
        .post_form(
            &format!("/clusters/{cluster}"),
            &format!("/clusters/{cluster}/units"),
            &[("units", bad_code)],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Units: no unit has the code &#39;AG-CDCS-999&#39;"),
        "{html}"
    );
}
