//! The demo's working rhythm (issue 14): LĐLĐ An Giang's Kế hoạch 267/KH-LĐLĐ of
//! 20/05/2020 (the "Sát cơ sở, gần công nhân" model, seed 003) sent to its CĐCS, some of
//! which acknowledged late; the monthly quick report and the 6-month statistics report
//! with a year of submissions, a few returned and corrected; and the Rubber group's
//! union's monthly report, whose Kon Tum CĐCS the coordinating LĐLĐ Kon Tum reads.

use anyhow::Context;
use congdoan_domain::form::Form;
use congdoan_domain::request::{Action, Period, PeriodType, TargetSpec};
use congdoan_store::{Actor, BulkResponse, NewDirective, NewReport, Scope, StepInput, Store, Unit};
use std::collections::BTreeMap;
use time::{Date, Duration, OffsetDateTime, macros::date};

/// A deterministic generator, so the demo is the same on every machine.
struct Gen(u64);
impl Gen {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

/// 08:00 plus `hours`, Vietnam time, of a day.
fn at(d: Date, hours: i64) -> OffsetDateTime {
    d.midnight().assume_utc() + Duration::hours(1 + hours)
}

const KH_267_BODY: &str = "Thực hiện mô hình \"Sát cơ sở, gần công nhân\": cán bộ Ban Thường vụ, \
cán bộ chuyên trách LĐLĐ tỉnh được phân công phụ trách từng cụm, khối thi đua, định kỳ xuống cơ sở \
nắm tình hình đoàn viên, người lao động; tổ chức đối thoại, hỗ trợ kịp thời công nhân khó khăn, \
phối hợp giải quyết tranh chấp lao động ngay từ cơ sở. CĐCS tiếp nhận, triển khai tới đoàn viên và \
báo cáo kết quả thực hiện về LĐLĐ tỉnh trước ngày 30/6/2020.";

/// Typed figures for the monthly quick report, close to the register's.
fn monthly(g: &mut Gen, prefill: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let members: u64 = prefill
        .get("members_end")
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let women: u64 = prefill
        .get("women")
        .and_then(|v| v.parse().ok())
        .unwrap_or(members / 2)
        .min(members);
    let stoppages = u64::from(g.next(30) == 0);
    let support = g.next(4);
    let mut raw = BTreeMap::from([
        ("members_end".to_string(), members.to_string()),
        ("women".to_string(), women.to_string()),
        (
            "members_joined".to_string(),
            g.next(4).min(members).to_string(),
        ),
        ("members_left".to_string(), g.next(3).to_string()),
        (
            "disputes".to_string(),
            u64::from(g.next(12) == 0).to_string(),
        ),
        ("stoppages".to_string(), stoppages.to_string()),
        (
            "wage_arrears".to_string(),
            if g.next(15) == 0 { "có" } else { "không" }.to_string(),
        ),
    ]);
    if stoppages > 0 {
        raw.insert("stoppage_people".into(), (10 + g.next(60)).to_string());
    }
    if support > 0 {
        raw.insert("support_money".into(), (support * 500_000).to_string());
        raw.insert("support_people".into(), support.to_string());
    }
    raw
}

/// Typed figures from a unit's register figures.
type Fill = dyn Fn(&mut Gen, &Raw) -> Raw;
type Raw = BTreeMap<String, String>;

/// Submissions of one report in bulk: every unit but those in `skip`, at a time
/// around the due date (one in eight late), most approved.
fn bulk(
    form: &Form,
    g: &mut Gen,
    units: &[(i64, BTreeMap<String, String>)],
    due: Date,
    skip: &dyn Fn(usize) -> bool,
    fill: &Fill,
) -> Vec<BulkResponse> {
    let mut out = Vec::new();
    for (i, (u, pre)) in units.iter().enumerate() {
        if skip(i) {
            continue;
        }
        let checked = form.parse_input(&fill(g, pre));
        if !checked.issues.is_empty() {
            continue;
        }
        let late = g.next(8) == 0;
        let day = if late {
            due + Duration::days(1 + i64::try_from(g.next(6)).unwrap_or(0))
        } else {
            due - Duration::days(i64::try_from(g.next(5)).unwrap_or(0))
        };
        out.push(BulkResponse {
            unit_id: *u,
            values: serde_json::to_string(&checked.values).unwrap_or_default(),
            contribution: Some(
                form.contributions(&checked.values)
                    .into_iter()
                    .map(|(k, t)| (k, [t.total, t.n, t.hits]))
                    .collect(),
            ),
            at: at(day, i64::try_from(g.next(9)).unwrap_or(0)),
            on_time: !late,
            approved: g.next(5) != 0,
        });
    }
    out
}

async fn prefills(
    store: &Store,
    scope: &Scope,
    request_id: i64,
    units: &[i64],
) -> anyhow::Result<Vec<(i64, BTreeMap<String, String>)>> {
    let mut out = Vec::with_capacity(units.len());
    for &u in units {
        out.push((u, store.report_prefill(scope, request_id, u).await?));
    }
    Ok(out)
}

/// Loads the demo's directives and reports (after the register, clusters and agreements).
pub async fn load(store: &Store, today: Date) -> anyhow::Result<()> {
    let scope = Scope::admin(Actor::system("demo"));
    let ag: Unit = store.unit_by_code(&scope, "AG").await?;
    let ag_cdcs = store.unit_ids_of_type(&ag.path, "CDCS").await?;
    let mut g = Gen(267);

    // Kế hoạch 267/KH-LĐLĐ, 20/05/2020.
    let kh = store
        .issue_directive(
            &scope,
            NewDirective {
                issuer_unit_id: ag.unit_id,
                doc_type: "KH".into(),
                seq: Some(267),
                issuer_abbrev: Some("LĐLĐ".into()),
                issued_on: date!(2020 - 05 - 20),
                title: "Kế hoạch thực hiện mô hình \"Sát cơ sở, gần công nhân\"".into(),
                body: Some(KH_267_BODY.into()),
                due_on: date!(2020 - 06 - 30),
                targets: TargetSpec::Subtree {
                    root: ag.unit_id,
                    types: vec!["CDCS".into()],
                },
                files: Vec::new(),
            },
        )
        .await
        .context("KH 267/KH-LĐLĐ")?;
    for (i, &u) in ag_cdcs.iter().enumerate() {
        if i % 7 == 6 {
            continue; // never acknowledged: shows on the board as waiting
        }
        // Most within days; every fifth after the due date.
        let days = if i % 5 == 4 {
            45 + i64::try_from(g.next(20)).unwrap_or(0)
        } else {
            i64::try_from(g.next(12)).unwrap_or(0)
        };
        let when = at(
            date!(2020 - 05 - 20),
            24 * days + i64::try_from(g.next(8)).unwrap_or(0),
        );
        let step = |note: Option<String>| StepInput {
            note,
            at: Some(when),
            ..Default::default()
        };
        store
            .request_step(
                &scope,
                kh.request_id,
                u,
                Action::Acknowledge,
                step(None),
                when.date(),
            )
            .await?;
        if i % 3 != 2 {
            let note = "Đã phổ biến kế hoạch tới toàn thể đoàn viên; Ban Chấp hành phân công ủy viên phụ trách từng tổ, \
                        duy trì đối thoại định kỳ hằng quý với người sử dụng lao động.";
            let when = when + Duration::days(10);
            let s = StepInput {
                note: Some(note.into()),
                at: Some(when),
                ..Default::default()
            };
            store
                .request_step(&scope, kh.request_id, u, Action::Implement, s, when.date())
                .await?;
        }
    }

    // The monthly quick report: the twelve months before this one.
    let quick = store
        .create_form(
            &scope,
            ag.unit_id,
            congdoan_datagen::forms::monthly_quick_report(),
        )
        .await?;
    let quick_form = store
        .form_version(quick.form_id, quick.current_version)
        .await?;
    let this_month = Period::containing(PeriodType::Month, today).context("month")?;
    let mut months = Vec::new();
    let mut p = this_month.prev();
    for _ in 0..12 {
        months.push(p);
        p = p.prev();
    }
    months.reverse();
    // The register's figures, read once (reading them as of each month is slower and
    // changes little in a demo).
    let mut register: Option<Vec<(i64, BTreeMap<String, String>)>> = None;
    for (n, p) in months.iter().enumerate() {
        let newest = n + 1 == months.len();
        let req = store
            .send_report(
                &scope,
                NewReport {
                    issuer_unit_id: ag.unit_id,
                    form_id: quick.form_id,
                    period: Some(p.code()),
                    due_on: None,
                    title: None,
                    targets: None,
                    issued_on: p.end() - Duration::days(5),
                },
            )
            .await
            .with_context(|| format!("quick report {}", p.code()))?;
        if register.is_none() {
            register = Some(prefills(store, &scope, req.request_id, &ag_cdcs).await?);
        }
        let units = register.clone().unwrap_or_default();
        let due = req.due_on;
        // The newest month: a third have not reported yet (late or due soon).
        let skip = |i: usize| newest && i.is_multiple_of(3);
        let rows = bulk(
            &quick_form,
            &mut g,
            &units,
            due.min(today),
            &skip,
            &|g, pre| monthly(g, pre),
        );
        store.bulk_submit(req.request_id, &rows).await?;
        // In the two latest months, two units were asked to correct their figures.
        if n + 3 > months.len() {
            for (u, pre) in units.iter().skip(1).step_by(7).take(2) {
                let t = store.request_target(&scope, req.request_id, *u).await?;
                if t.state == "submitted" || t.state == "approved" {
                    if t.state == "approved" {
                        continue;
                    }
                    let when = t.responded_at.unwrap_or_else(OffsetDateTime::now_utc)
                        + Duration::hours(20);
                    let reason =
                        "Số đoàn viên nữ chưa khớp với danh sách đoàn viên; đề nghị rà soát lại.";
                    let s = StepInput {
                        note: Some(reason.into()),
                        at: Some(when),
                        ..Default::default()
                    };
                    store
                        .request_step(&scope, req.request_id, *u, Action::Return, s, when.date())
                        .await?;
                    if n + 1 < months.len() {
                        // Corrected and resubmitted the next day (the newest stays returned).
                        let mut raw = monthly(&mut g, pre);
                        let women: u64 = raw.get("women").and_then(|v| v.parse().ok()).unwrap_or(0);
                        raw.insert("women".into(), women.saturating_sub(1).to_string());
                        store
                            .save_report(&scope, req.request_id, *u, raw, true, when.date())
                            .await?;
                    }
                }
            }
        }
    }

    // The 6-month statistics report for the latest half-year that has ended.
    let stats = store
        .create_form(
            &scope,
            ag.unit_id,
            congdoan_datagen::forms::six_month_statistics(),
        )
        .await?;
    let half = Period::containing(PeriodType::Half, today)
        .context("half")?
        .prev();
    let req = store
        .send_report(
            &scope,
            NewReport {
                issuer_unit_id: ag.unit_id,
                form_id: stats.form_id,
                period: Some(half.code()),
                due_on: None,
                title: None,
                targets: None,
                issued_on: half.end() - Duration::days(10),
            },
        )
        .await
        .context("6-month statistics")?;
    let stats_form = store
        .form_version(stats.form_id, stats.current_version)
        .await?;
    let units = prefills(store, &scope, req.request_id, &ag_cdcs).await?;
    let rows = bulk(
        &stats_form,
        &mut g,
        &units,
        req.due_on.min(today),
        &|i| i % 9 == 4,
        &|_, pre| pre.clone(),
    );
    store.bulk_submit(req.request_id, &rows).await?;

    // The Rubber group's union asks its CĐCS (Kon Tum's among them) for last month's report.
    if let Ok(vrg) = store.unit_by_code(&scope, "VRG").await {
        let form = store
            .create_form(
                &scope,
                vrg.unit_id,
                congdoan_datagen::forms::monthly_quick_report(),
            )
            .await?;
        let p = this_month.prev();
        let req = store
            .send_report(
                &scope,
                NewReport {
                    issuer_unit_id: vrg.unit_id,
                    form_id: form.form_id,
                    period: Some(p.code()),
                    due_on: None,
                    title: None,
                    targets: None,
                    issued_on: p.end() - Duration::days(5),
                },
            )
            .await
            .context("VRG monthly report")?;
        let cdcs = store.unit_ids_of_type(&vrg.path, "CDCS").await?;
        let units = prefills(store, &scope, req.request_id, &cdcs).await?;
        let rows = bulk(
            &quick_form,
            &mut g,
            &units,
            req.due_on.min(today),
            &|i| i % 4 == 3,
            &|g, pre| monthly(g, pre),
        );
        store.bulk_submit(req.request_id, &rows).await?;
    }
    Ok(())
}
