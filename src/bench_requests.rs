//! The request mechanism at national scale (issue 14): a directive to every CĐCS of
//! the country, then a 40-field monthly form with a year of submissions from every
//! CĐCS, and the reads the targets are judged by — submit with validation, the roll-up
//! of any unit for one period, completeness by province, the to-do page.

use anyhow::Context;
use congdoan_domain::form::Form;
use congdoan_domain::request::{Action, TargetSpec};
use congdoan_store::{BulkResponse, NewDirective, NewReport, Scope, StepInput, Store, Unit};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn pct(mut v: Vec<Duration>, q: f64) -> Duration {
    v.sort();
    if v.is_empty() {
        return Duration::ZERO;
    }
    let i = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
    v[i]
}

/// A deterministic value generator (no dependency on the order of runs).
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

/// One CĐCS's typed figures for the bench form (members first, women ≤ members).
fn figures(g: &mut Gen, fields: usize) -> BTreeMap<String, String> {
    let members = 20 + g.next(400);
    let mut raw = BTreeMap::new();
    for i in 1..=fields {
        let v = match i {
            1 => members,
            2 => g.next(members + 1),
            _ => g.next(50),
        };
        raw.insert(format!("chi_tieu_{i:03}"), v.to_string());
    }
    raw
}

async fn cdcs_ids(store: &Store, root: &Unit) -> anyhow::Result<Vec<i64>> {
    Ok(store.unit_ids_of_type(&root.path, "CDCS").await?)
}

pub(crate) async fn requests_phase(
    store: &Store,
    scope: &Scope,
    root: &Unit,
    province: &Unit,
    reps: usize,
    line: &mut dyn FnMut(String),
) -> anyhow::Result<()> {
    let today = time::OffsetDateTime::now_utc().date();
    let all = cdcs_ids(store, root).await?;
    line("| Requests (issue 14) | Figure |".into());
    line("|---|---|".into());
    // A directive to every CĐCS of the country: numbered, fanned out, counted up the tree.
    let t = Instant::now();
    let directive = store
        .issue_directive(
            scope,
            NewDirective {
                issuer_unit_id: root.unit_id,
                doc_type: "CT".into(),
                seq: None,
                issuer_abbrev: None,
                issued_on: today,
                title: "Chỉ thị về tăng cường công tác nắm tình hình công nhân, lao động".into(),
                body: None,
                due_on: today + time::Duration::days(30),
                targets: TargetSpec::Subtree {
                    root: root.unit_id,
                    types: vec!["CDCS".into()],
                },
                files: Vec::new(),
            },
        )
        .await
        .context("directive to every CĐCS")?;
    line(format!(
        "| directive to every CĐCS of the country ({} targets) created and fanned out | {} (target < 5 s) |",
        all.len(),
        ms(t.elapsed())
    ));
    // Acknowledgements by a sample of CĐCS.
    let mut g = Gen(11);
    let mut acks = Vec::new();
    for _ in 0..reps.max(20) {
        let u = all[usize::try_from(g.next(all.len() as u64)).unwrap_or(0)];
        let t = Instant::now();
        let _ = store
            .request_step(
                scope,
                directive.request_id,
                u,
                Action::Acknowledge,
                StepInput::default(),
                today,
            )
            .await;
        acks.push(t.elapsed());
    }
    line(format!(
        "| acknowledge a directive (a CĐCS), p95 | {} |",
        ms(pct(acks, 0.95))
    ));
    let mut boards = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        store
            .request_board(scope, directive.request_id, None)
            .await?;
        boards.push(t.elapsed());
    }
    line(format!(
        "| directive board at the root (acknowledged by province, propagation median/p90), p99 | {} |",
        ms(pct(boards, 0.99))
    ));

    // A 40-field monthly form, twelve months of submissions from every CĐCS.
    let fields = 40;
    let form_row = store
        .create_form(
            scope,
            root.unit_id,
            congdoan_datagen::forms::bench_form(fields),
        )
        .await
        .context("bench form")?;
    let form: Form = store
        .form_version(form_row.form_id, form_row.current_version)
        .await?;
    let year = today.year() - 1;
    let mut last = None;
    let (mut fan, mut load, mut rows) = (Duration::ZERO, Duration::ZERO, 0usize);
    for m in 1..=12 {
        let t = Instant::now();
        let req = store
            .send_report(
                scope,
                NewReport {
                    issuer_unit_id: root.unit_id,
                    form_id: form_row.form_id,
                    period: Some(format!("{year}-{m:02}")),
                    due_on: Some(today + time::Duration::days(5)),
                    title: None,
                    targets: None,
                    issued_on: today,
                },
            )
            .await
            .with_context(|| format!("report for month {m}"))?;
        fan += t.elapsed();
        let t = Instant::now();
        // Everyone answers, except 1 in 100 in the last month (left for the submit timing).
        let answering: Vec<i64> = all
            .iter()
            .copied()
            .filter(|_| m < 12 || g.next(100) != 0)
            .collect();
        let batch: Vec<BulkResponse> = answering
            .into_iter()
            .map(|u| {
                let checked = form.parse_input(&figures(&mut g, fields));
                let contribution = form
                    .contributions(&checked.values)
                    .into_iter()
                    .map(|(k, t)| (k, [t.total, t.n, t.hits]))
                    .collect();
                BulkResponse {
                    unit_id: u,
                    values: serde_json::to_string(&checked.values).unwrap_or_default(),
                    contribution: Some(contribution),
                    at: time::OffsetDateTime::now_utc(),
                    on_time: g.next(10) != 0,
                    approved: g.next(2) == 0,
                }
            })
            .collect();
        rows += store.bulk_submit(req.request_id, &batch).await?;
        load += t.elapsed();
        last = Some(req);
    }
    let last = last.context("no report")?;
    // The statistics a production database's autovacuum would have by now.
    store.analyze().await?;
    line(format!(
        "| 12 monthly reports of a {fields}-field form sent to every CĐCS (fan-out, total) | {} |",
        ms(fan)
    ));
    line(format!(
        "| {rows} submissions written in bulk with their roll-up | {} |",
        ms(load)
    ));
    // Submit with validation: the CĐCS still owing the last month.
    let owing = store.pending_targets(last.request_id, 200).await?;
    let mut submits = Vec::new();
    for u in owing.iter().take(reps.max(20)) {
        let raw = figures(&mut g, fields);
        let t = Instant::now();
        let out = store
            .save_report(scope, last.request_id, *u, raw, true, today)
            .await?;
        submits.push(t.elapsed());
        anyhow::ensure!(
            out.issues.is_empty(),
            "bench submission refused: {:?}",
            out.issues
        );
    }
    line(format!(
        "| submit a {fields}-field report with validation ({} samples), p95 | {} (target < 100 ms) |",
        submits.len(),
        ms(pct(submits, 0.95))
    ));
    // The same from eight writers at once: every submission adds to the same roll-up
    // rows of the national root and the province, which serialises them.
    let rest: Vec<i64> = owing.iter().skip(reps.max(20)).copied().collect();
    if !rest.is_empty() {
        let writers = 8;
        let t = Instant::now();
        let mut set = tokio::task::JoinSet::new();
        for chunk in rest.chunks(rest.len().div_ceil(writers)) {
            let (store, scope) = (store.clone(), scope.clone());
            let work: Vec<(i64, BTreeMap<String, String>)> = chunk
                .iter()
                .map(|u| (*u, figures(&mut g, fields)))
                .collect();
            let rid = last.request_id;
            set.spawn(async move {
                let mut lat = Vec::new();
                for (u, raw) in work {
                    let t = Instant::now();
                    let out = store.save_report(&scope, rid, u, raw, true, today).await?;
                    anyhow::ensure!(out.issues.is_empty(), "refused: {:?}", out.issues);
                    lat.push(t.elapsed());
                }
                Ok::<_, anyhow::Error>(lat)
            });
        }
        let mut lat = Vec::new();
        while let Some(r) = set.join_next().await {
            lat.extend(r??);
        }
        let wall = t.elapsed();
        line(format!(
            "| {} submissions from {writers} concurrent writers (all add to the root's roll-up rows): throughput, p95 | {:.0}/s, {} |",
            lat.len(),
            lat.len() as f64 / wall.as_secs_f64().max(1e-9),
            ms(pct(lat, 0.95))
        ));
    }
    let commune = store
        .largest_unit_of_type(scope, "CD_XA", &province.path)
        .await
        .ok();
    let mut levels: Vec<(&str, i64)> = vec![
        ("national root", root.unit_id),
        ("a province", province.unit_id),
    ];
    if let Some(c) = &commune {
        levels.push(("a commune union", c.unit_id));
    }
    for (label, unit) in levels {
        let mut lat = Vec::new();
        for _ in 0..reps {
            let t = Instant::now();
            store
                .report_rollup(scope, last.request_id, Some(unit))
                .await?;
            lat.push(t.elapsed());
        }
        line(format!(
            "| roll-up of one period, {label}, p99 | {} (target < 50 ms) |",
            ms(pct(lat, 0.99))
        ));
    }
    let mut lat = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        store.request_board(scope, last.request_id, None).await?;
        lat.push(t.elapsed());
    }
    line(format!(
        "| completeness and timeliness by province, whole country, p99 | {} (target < 200 ms) |",
        ms(pct(lat, 0.99))
    ));
    todo_lines(store, scope, root, province, reps, line).await?;
    let (exact, verdict) = rollup_verdict(store).await?;
    line(format!("| roll-up rows equal a full recount | {verdict} |"));
    anyhow::ensure!(exact, "request roll-up differs from a recount: {verdict}");
    Ok(())
}

/// Whether the stored request roll-up equals a full recount, with the verdict the
/// bench prints ("yes", or the first difference and how many there are).
pub(crate) async fn rollup_verdict(store: &Store) -> anyhow::Result<(bool, String)> {
    let (stored, recount) = store.request_tallies_check().await?;
    let diff = stored.differences(&recount);
    Ok(match diff.first() {
        None => (true, "yes".to_string()),
        Some(first) => (
            false,
            format!("**NO**: {} differences, e.g. {first}", diff.len()),
        ),
    })
}

/// The to-do page of the national root, a province and its largest CĐCS, `reps` times
/// each (p99 against the target of 50 ms).
async fn todo_lines(
    store: &Store,
    scope: &Scope,
    root: &Unit,
    province: &Unit,
    reps: usize,
    line: &mut dyn FnMut(String),
) -> anyhow::Result<()> {
    let today = time::OffsetDateTime::now_utc().date();
    let cdcs = store
        .largest_unit_of_type(scope, "CDCS", &province.path)
        .await?;
    for (label, unit) in [
        ("national root", root.unit_id),
        ("a province", province.unit_id),
        ("a CĐCS", cdcs.unit_id),
    ] {
        let mut lat = Vec::new();
        for _ in 0..reps {
            let t = Instant::now();
            store.todo(scope, Some(unit), today).await?;
            lat.push(t.elapsed());
        }
        line(format!(
            "| to-do page with requests, {label}, p50 / p99 | {} / {} (target < 50 ms) |",
            ms(pct(lat.clone(), 0.5)),
            ms(pct(lat, 0.99))
        ));
    }
    Ok(())
}

/// `congdoan bench-todo`: the to-do timings alone, on a database `bench` has loaded
/// (its first province, as the bench takes it).
pub(crate) async fn standalone_todo(url: &str, reps: usize) -> anyhow::Result<String> {
    let store = crate::open_store(url).await?;
    let scope = Scope::admin(congdoan_store::Actor::system("bench"));
    let root = store.unit_by_code(&scope, "TLD").await?;
    let mut province = None;
    for (id, _) in store.child_units(&scope, root.unit_id).await? {
        let u = store.unit(&scope, id).await?;
        if u.type_code == "LDLD_TINH" {
            province = Some(u);
            break;
        }
    }
    let province = province.context("no province: load the country with `congdoan bench` first")?;
    let mut out = String::new();
    let mut line = crate::bench::printed_into(&mut out);
    line("| To-do (alone) | Figure |".into());
    line("|---|---|".into());
    todo_lines(&store, &scope, &root, &province, reps, &mut line).await?;
    drop(line);
    store.close().await;
    Ok(out)
}
