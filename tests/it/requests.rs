//! The request mechanism's guarantees, on both engines: the maintained roll-up equals
//! a recount after any mix of steps, forwards, moves, mergers and dissolutions, and
//! completeness never goes above 100% at any level.

use crate::harness::{Kind, TestApp};
use congdoan_domain::request::{Action, TargetSpec, key};
use congdoan_domain::restructure::{Op, UnitRef};
use congdoan_store::{Forward, NewDirective, NewFile, StepInput, Store, StoreError};
use time::{Date, Duration, OffsetDateTime};

async fn tallies_exact(s: &Store, after: &str) {
    let (stored, recount) = s.request_tallies_check().await.unwrap();
    let diff = stored.differences(&recount);
    assert!(diff.is_empty(), "after {after}: {diff:#?}");
}

/// Received ≤ expected and on time ≤ received in every stored roll-up row.
async fn never_above_full(app: &TestApp, after: &str) {
    let (stored, _) = app.store().request_tallies_check().await.unwrap();
    let mut by: std::collections::BTreeMap<(i64, i64), [i64; 3]> = Default::default();
    for ((r, u, k), t) in stored.entries() {
        let e = by.entry((*r, *u)).or_default();
        match k.as_str() {
            key::EXPECTED => e[0] = t[1],
            key::RECEIVED => e[1] = t[1],
            key::ON_TIME => e[2] = t[1],
            _ => {}
        }
    }
    for ((r, u), [expected, received, on_time]) in by {
        assert!(
            0 <= on_time && on_time <= received && received <= expected,
            "after {after}: request {r} unit {u}: expected {expected}, received {received}, on time {on_time}"
        );
    }
}

fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

fn directive(issuer: i64, title: &str, targets: TargetSpec) -> NewDirective {
    NewDirective {
        issuer_unit_id: issuer,
        doc_type: "KH".into(),
        seq: None,
        issuer_abbrev: None,
        issued_on: today(),
        title: title.into(),
        body: Some("Nội dung kế hoạch".into()),
        due_on: today() + Duration::days(30),
        targets,
        files: vec![NewFile {
            name: "ke-hoach.pdf".into(),
            bytes: b"%PDF-1.4\n% test\n".to_vec(),
        }],
    }
}

/// A small deterministic generator (no dependency on the test order).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        usize::try_from((self.0 >> 33) % n as u64).unwrap_or(0)
    }
}

async fn roll_up_stays_exact_under_steps_moves_and_mergers(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let uppers = [
        app.unit_id("AG-LX").await,
        app.unit_id("AG-CD").await,
        app.unit_id("AG-CM").await,
        ag,
    ];
    let mut cdcs: Vec<i64> = Vec::new();
    for i in 1..=27 {
        if let Ok(id) = s.unit_id_by_code(&format!("AG-CDCS-{i:03}")).await {
            cdcs.push(id);
        }
    }
    assert!(cdcs.len() > 10);

    // Numbered per issuer, type and year.
    let to_cdcs = s
        .issue_directive(
            &scope,
            directive(
                ag,
                "Kế hoạch thực hiện mô hình Sát cơ sở",
                TargetSpec::Subtree {
                    root: ag,
                    types: vec!["CDCS".into()],
                },
            ),
        )
        .await
        .unwrap();
    let n = |r: &congdoan_store::Request| r.doc_number.clone().unwrap();
    assert!(n(&to_cdcs).starts_with("1/KH-"), "{}", n(&to_cdcs));
    let to_uppers = s
        .issue_directive(
            &scope,
            directive(
                ag,
                "Kế hoạch tổ chức Tháng Công nhân",
                TargetSpec::Units {
                    units: uppers[..3].to_vec(),
                },
            ),
        )
        .await
        .unwrap();
    assert!(n(&to_uppers).starts_with("2/KH-"), "{}", n(&to_uppers));
    let detail = s.request(&scope, to_cdcs.request_id).await.unwrap();
    assert_eq!(
        detail.totals.expected as usize,
        s.request_board(&scope, to_cdcs.request_id, None)
            .await
            .unwrap()
            .rates
            .expected as usize
    );
    assert_eq!(detail.files.len(), 1);
    tallies_exact(s, "sending").await;

    let requests = [to_cdcs.request_id, to_uppers.request_id];
    let mut rng = Lcg(7);
    let mut alive = cdcs.clone();
    let mut done = [0usize; 7];
    for round in 0..60 {
        let what = rng.next(7);
        let r = requests[rng.next(2)];
        let u = alive[rng.next(alive.len())];
        // Steps go to a CĐCS or (for the directive to upper levels) an upper union.
        let stepper = if rng.next(3) == 0 {
            uppers[rng.next(3)]
        } else {
            u
        };
        let label;
        match what {
            0 | 1 => {
                label = format!("acknowledge {stepper}");
                let res = s
                    .request_step(
                        &scope,
                        r,
                        stepper,
                        Action::Acknowledge,
                        StepInput::default(),
                        today(),
                    )
                    .await;
                done[0] += usize::from(res.is_ok());
            }
            2 => {
                label = format!("implement {stepper}");
                let input = StepInput {
                    note: Some("Đã triển khai tới toàn thể đoàn viên".into()),
                    ..Default::default()
                };
                let res = s
                    .request_step(&scope, r, stepper, Action::Implement, input, today())
                    .await;
                done[2] += usize::from(res.is_ok());
            }
            3 => {
                let up = uppers[rng.next(3)];
                label = format!("forward from {up}");
                let fwd = Forward {
                    targets: TargetSpec::Subtree {
                        root: up,
                        types: vec![],
                    },
                    instructions: Some("Triển khai ngay".into()),
                    due_on: today() + Duration::days(20),
                };
                let res = s
                    .forward_request(&scope, to_uppers.request_id, up, fwd, today())
                    .await;
                done[3] += usize::from(res.is_ok_and(|n| n > 0));
            }
            4 => {
                let to = uppers[rng.next(4)];
                label = format!("move {u} under {to}");
                let res = s
                    .move_unit(&scope, u, to, today(), today(), "Điều chỉnh quản lý")
                    .await;
                done[4] += usize::from(res.is_ok());
            }
            5 if alive.len() > 6 => {
                let into = alive[rng.next(alive.len())];
                if into == u {
                    continue;
                }
                label = format!("merge {u} into {into}");
                apply(
                    &app,
                    vec![Op::Merge {
                        units: vec![u],
                        into: UnitRef::Id(into),
                    }],
                )
                .await;
                alive.retain(|x| *x != u);
                done[5] += 1;
            }
            6 if alive.len() > 6 => {
                let other = alive[rng.next(alive.len())];
                if other == u {
                    continue;
                }
                label = format!("dissolve {u}");
                apply(
                    &app,
                    vec![Op::Dissolve {
                        unit: u,
                        children_to: None,
                        members_to: Some(UnitRef::Id(other)),
                        reason: "Doanh nghiệp giải thể".into(),
                    }],
                )
                .await;
                alive.retain(|x| *x != u);
                done[6] += 1;
            }
            _ => continue,
        }
        let after = format!("round {round}: {label}");
        tallies_exact(s, &after).await;
        never_above_full(&app, &after).await;
    }
    // Every kind of change happened, more than once.
    for (i, n) in done.iter().enumerate().filter(|(i, _)| *i != 1) {
        assert!(*n >= 2, "change kind {i} happened {n} times: {done:?}");
    }
    // The board's per-type table and propagation read the same counters as its total.
    let board = s
        .request_board(&scope, to_cdcs.request_id, None)
        .await
        .unwrap();
    let by_type = |b: &congdoan_store::Board| {
        b.by_type
            .iter()
            .map(|t| (t.type_name.clone(), t.rates))
            .collect::<Vec<_>>()
    };
    let sum: i64 = board.by_type.iter().map(|t| t.rates.expected).sum();
    assert_eq!(sum, board.rates.expected, "{:?}", board.by_type);
    assert_eq!(
        board.propagation.acknowledged + board.propagation.waiting,
        board.rates.expected,
        "every target is a CĐCS: {:?}",
        board.propagation
    );
    assert!(board.propagation.acknowledged > 0 && board.propagation.median_secs.is_some());
    // A database from before the per-type counters gets them once, from migrate.
    let before = by_type(&board);
    app.exec_raw("DELETE FROM request_tally WHERE key LIKE '@%'")
        .await
        .unwrap();
    let emptied = s
        .request_board(&scope, to_cdcs.request_id, None)
        .await
        .unwrap();
    assert!(emptied.by_type.is_empty());
    app.exec_raw("INSERT INTO pending_backfill (name) VALUES ('request_places')")
        .await
        .unwrap();
    s.migrate().await.unwrap();
    tallies_exact(s, "the backfill").await;
    s.migrate().await.unwrap();
    tallies_exact(s, "a second migrate").await;
    let after = s
        .request_board(&scope, to_cdcs.request_id, None)
        .await
        .unwrap();
    assert_eq!(by_type(&after), before);
}

async fn apply(app: &TestApp, ops: Vec<Op>) {
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let plan = s.create_plan(&scope, ag, "Sắp xếp", today()).await.unwrap();
    let plan = s
        .save_plan(
            &scope,
            plan.plan_id,
            plan.version,
            &plan.name,
            today(),
            &ops,
        )
        .await
        .unwrap();
    s.apply_plan(&scope, plan.plan_id, plan.version, today())
        .await
        .unwrap();
}

async fn completeness_stays_within_bounds_across_a_merger(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let (a, b, c) = (
        app.unit_id("AG-CDCS-001").await,
        app.unit_id("AG-CDCS-002").await,
        app.unit_id("AG-CDCS-003").await,
    );
    let r = s
        .issue_directive(
            &scope,
            directive(
                ag,
                "Kế hoạch kiểm tra giữa kỳ",
                TargetSpec::Units {
                    units: vec![a, b, c],
                },
            ),
        )
        .await
        .unwrap()
        .request_id;
    let total = |d: congdoan_store::RequestDetail| (d.totals.expected, d.totals.received);
    // c answers, then merges into a: its answer still counts, nothing is lost.
    let input = StepInput {
        note: Some("Đã thực hiện xong kế hoạch".into()),
        ..Default::default()
    };
    s.request_step(&scope, r, c, Action::Implement, input, today())
        .await
        .unwrap();
    assert_eq!(total(s.request(&scope, r).await.unwrap()), (3, 1));
    apply(
        &app,
        vec![Op::Merge {
            units: vec![c],
            into: UnitRef::Id(a),
        }],
    )
    .await;
    assert_eq!(total(s.request(&scope, r).await.unwrap()), (3, 1));
    // b (open) merges into a, which owes it already: one fewer expected, never above 100%.
    apply(
        &app,
        vec![Op::Merge {
            units: vec![b],
            into: UnitRef::Id(a),
        }],
    )
    .await;
    assert_eq!(total(s.request(&scope, r).await.unwrap()), (2, 1));
    let ended = s.request_target(&scope, r, b).await.unwrap();
    assert_eq!(ended.ended_on, Some(today()));
    // A step on the ended unit's obligation is refused, naming why.
    let refused = s
        .request_step(
            &scope,
            r,
            b,
            Action::Acknowledge,
            StepInput::default(),
            today(),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Rule { code: "ST1913", .. })),
        "{refused:?}"
    );
    // a answers: complete.
    let input = StepInput {
        note: Some("Đã thực hiện".into()),
        ..Default::default()
    };
    s.request_step(&scope, r, a, Action::Implement, input, today())
        .await
        .unwrap();
    let d = s.request(&scope, r).await.unwrap();
    assert_eq!(
        (d.totals.expected, d.totals.received, d.totals.on_time),
        (2, 2, 2)
    );
    assert_eq!(d.totals.completeness(), "100%");

    // A unit that did not owe it inherits from the merged one: still expected once.
    let (d4, d5) = (
        app.unit_id("AG-CDCS-004").await,
        app.unit_id("AG-CDCS-005").await,
    );
    let r2 = s
        .issue_directive(
            &scope,
            directive(
                ag,
                "Kế hoạch chăm lo Tết",
                TargetSpec::Units { units: vec![d4] },
            ),
        )
        .await
        .unwrap()
        .request_id;
    apply(
        &app,
        vec![Op::Merge {
            units: vec![d4],
            into: UnitRef::Id(d5),
        }],
    )
    .await;
    let heir = s.request_target(&scope, r2, d5).await.unwrap();
    assert_eq!(heir.inherited_from, Some(d4));
    assert_eq!(total(s.request(&scope, r2).await.unwrap()), (1, 0));
    tallies_exact(s, "mergers").await;
    never_above_full(&app, "mergers").await;
}

async fn directives_refuse_bad_input_and_outsiders(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let kt = app.unit_id("KT").await;
    let sent_before = s.requests_sent(&scope, ag, None, 100).await.unwrap().len();
    // A file that is not a document, by its content.
    let mut bad = directive(
        ag,
        "Kế hoạch có tệp lạ",
        TargetSpec::Subtree {
            root: ag,
            types: vec!["CDCS".into()],
        },
    );
    bad.files = vec![NewFile {
        name: "virus.pdf".into(),
        bytes: b"MZ\x90\x00 not a pdf".to_vec(),
    }];
    let e = s.issue_directive(&scope, bad).await.unwrap_err();
    assert!(
        matches!(&e, StoreError::Rule { code: "VL0906", field: "file", message_vi, .. } if message_vi.contains("virus.pdf")),
        "{e:?}"
    );
    // Targets outside the issuer's subtree.
    let e = s
        .issue_directive(
            &scope,
            directive(
                ag,
                "Kế hoạch gửi nhầm tỉnh",
                TargetSpec::Subtree {
                    root: kt,
                    types: vec![],
                },
            ),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Rule { code: "ST1901", .. }),
        "{e:?}"
    );
    // Nothing was half-written: no request was added.
    assert_eq!(
        s.requests_sent(&scope, ag, None, 100).await.unwrap().len(),
        sent_before
    );
    // An officer of Kon Tum does not see An Giang's directive.
    let r = s
        .issue_directive(
            &scope,
            directive(
                ag,
                "Kế hoạch nội bộ An Giang",
                TargetSpec::Subtree {
                    root: ag,
                    types: vec!["CDCS".into()],
                },
            ),
        )
        .await
        .unwrap();
    let kt = s.account_by_username("lddl.kontum").await.unwrap();
    let actor = congdoan_store::Actor {
        account_id: Some(kt.account_id),
        username: kt.username.clone(),
    };
    let kt_scope = s.scope_for(actor, false, today()).await.unwrap();
    assert!(matches!(
        s.request(&kt_scope, r.request_id).await,
        Err(StoreError::NotFound)
    ));
}

crate::both_engines!(
    roll_up_stays_exact_under_steps_moves_and_mergers,
    completeness_stays_within_bounds_across_a_merger,
    directives_refuse_bad_input_and_outsiders,
);

fn raw(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn reports_roll_up_live_return_and_lock(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let lx = app.unit_id("AG-LX").await;
    let (a, b) = (
        app.unit_id("AG-CDCS-016").await,
        app.unit_id("AG-CDCS-017").await,
    );
    let forms_before = s.report_forms(&scope, ag).await.unwrap().len();
    // A bad definition is refused naming the field, and nothing is stored.
    let quick = || {
        let mut def = congdoan_datagen::forms::monthly_quick_report();
        def.code = "BCN-THU".into();
        def
    };
    let mut bad = quick();
    bad.sections[0].fields[4].formula = Some("net_change + members_joined".into());
    let e = s.create_form(&scope, ag, bad).await.unwrap_err();
    assert!(
        matches!(&e, StoreError::Rule { message_vi, .. } if message_vi.contains("net_change") || message_vi.contains("Tăng")),
        "{e:?}"
    );
    assert_eq!(
        s.report_forms(&scope, ag).await.unwrap().len(),
        forms_before
    );

    let form = s.create_form(&scope, ag, quick()).await.unwrap();
    let period = format!("{}", time::OffsetDateTime::now_utc().date().year() - 1) + "-11";
    let req = s
        .send_report(
            &scope,
            congdoan_store::NewReport {
                issuer_unit_id: ag,
                form_id: form.form_id,
                period: Some(period.clone()),
                due_on: Some(today() + Duration::days(10)),
                title: None,
                targets: None,
                issued_on: today(),
            },
        )
        .await
        .unwrap();
    assert!(req.title.contains("Tháng 11/"), "{}", req.title);
    // The same period twice is refused.
    let again = s
        .send_report(
            &scope,
            congdoan_store::NewReport {
                issuer_unit_id: ag,
                form_id: form.form_id,
                period: Some(period.clone()),
                due_on: None,
                title: None,
                targets: None,
                issued_on: today(),
            },
        )
        .await;
    assert!(
        matches!(again, Err(StoreError::Rule { code: "ST2006", .. })),
        "{again:?}"
    );
    let r = req.request_id;

    // Pre-filled from the register: the members at the period's end.
    let pre = s.report_prefill(&scope, r, a).await.unwrap();
    assert!(
        pre.get("members_end")
            .is_some_and(|v| v.parse::<i64>().unwrap() > 0),
        "{pre:?}"
    );

    // A value breaking a rule: the problems come back, nothing is written.
    let bad = raw(&[
        ("members_end", "10"),
        ("women", "12"),
        ("disputes", "0"),
        ("stoppages", "0"),
        ("stoppage_people", "0"),
        ("wage_arrears", "không"),
    ]);
    let out = s
        .save_report(&scope, r, a, bad, true, today())
        .await
        .unwrap();
    assert!(out.target.is_none());
    assert!(
        out.issues
            .iter()
            .any(|i| i.field == "women" && i.vi.contains("nữ")),
        "{:?}",
        out.issues
    );
    assert_eq!(
        s.request_target(&scope, r, a).await.unwrap().state,
        "pending"
    );

    // A draft keeps what was typed, even a wrong value.
    let draft = raw(&[("members_end", "1.2a")]);
    s.save_report(&scope, r, a, draft, false, today())
        .await
        .unwrap();
    let t = s.request_target(&scope, r, a).await.unwrap();
    assert_eq!(t.state, "draft");
    assert!(t.response_values.as_deref().unwrap().contains("1.2a"));

    let good_a = raw(&[
        ("members_end", "120"),
        ("women", "70"),
        ("members_joined", "5"),
        ("members_left", "2"),
        ("disputes", "1"),
        ("stoppages", "0"),
        ("stoppage_people", "0"),
        ("wage_arrears", "có"),
        ("support_money", "1.500.000"),
        ("support_people", "3"),
    ]);
    let good_b = raw(&[
        ("members_end", "80"),
        ("women", "30"),
        ("disputes", "0"),
        ("stoppages", "0"),
        ("stoppage_people", "0"),
        ("wage_arrears", "không"),
    ]);
    let saved = s
        .save_report(&scope, r, a, good_a, true, today())
        .await
        .unwrap();
    assert!(saved.issues.is_empty(), "{:?}", saved.issues);
    s.save_report(&scope, r, b, good_b, true, today())
        .await
        .unwrap();
    // Live roll-up at the district and the province: sums, count of units meeting a condition.
    for level in [lx, ag] {
        let roll = s.report_rollup(&scope, r, Some(level)).await.unwrap();
        let cell = |k: &str| {
            roll.cells
                .iter()
                .find(|c| c.key == k)
                .map(|c| c.text.clone())
                .unwrap_or_default()
        };
        assert_eq!(cell("members_end"), "200", "{:?}", roll.cells);
        assert_eq!(cell("women"), "100");
        assert_eq!(cell("support_money"), "1.500.000 ₫");
        assert!(
            cell("wage_arrears").starts_with('1'),
            "{}",
            cell("wage_arrears")
        );
        assert_eq!(roll.rates.received, 2);
        assert!(roll.rates.received <= roll.rates.expected);
    }
    // Return b with a reason; it corrects and resubmits; the reviewer sees what changed.
    let e = s
        .request_step(&scope, r, b, Action::Return, StepInput::default(), today())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Rule {
                code: "ST1914",
                field: "note",
                ..
            }
        ),
        "{e:?}"
    );
    let reason = StepInput {
        note: Some("Số đoàn viên nữ chưa khớp danh sách".into()),
        ..Default::default()
    };
    assert_eq!(
        s.request_step(&scope, r, b, Action::Return, reason, today())
            .await
            .unwrap()
            .state,
        "returned"
    );
    let fixed = raw(&[
        ("members_end", "80"),
        ("women", "35"),
        ("disputes", "0"),
        ("stoppages", "0"),
        ("stoppage_people", "0"),
        ("wage_arrears", "không"),
    ]);
    s.save_report(&scope, r, b, fixed, true, today())
        .await
        .unwrap();
    let changes = s.report_changes(&scope, r, b).await.unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(
        (
            changes[0].key.as_str(),
            changes[0].old.as_str(),
            changes[0].new.as_str()
        ),
        ("women", "30", "35")
    );
    let roll = s.report_rollup(&scope, r, Some(ag)).await.unwrap();
    assert_eq!(
        roll.cells.iter().find(|c| c.key == "women").unwrap().text,
        "105"
    );
    // Approve a: locked through every route.
    s.request_step(&scope, r, a, Action::Approve, StepInput::default(), today())
        .await
        .unwrap();
    let locked = s
        .save_report(&scope, r, a, raw(&[("members_end", "1")]), true, today())
        .await;
    assert!(
        matches!(locked, Err(StoreError::Rule { code: "VL0903", .. })),
        "{locked:?}"
    );
    let locked = s
        .save_report(&scope, r, a, raw(&[("members_end", "1")]), false, today())
        .await;
    assert!(
        matches!(locked, Err(StoreError::Rule { code: "VL0903", .. })),
        "{locked:?}"
    );
    // A CĐCS officer of a cannot approve its own report (the reviewer is the issuer).
    tallies_exact(s, "reports").await;
    // Moving a submitted CĐCS to another district carries its figures along.
    let cd = app.unit_id("AG-CD").await;
    s.move_unit(&scope, b, cd, today(), today(), "Điều chỉnh")
        .await
        .unwrap();
    let at_cd = s.report_rollup(&scope, r, Some(cd)).await.unwrap();
    assert_eq!(
        at_cd.cells.iter().find(|c| c.key == "women").unwrap().text,
        "35"
    );
    tallies_exact(s, "moving a submitted unit").await;
    // The time series of a field at the province.
    let series = s
        .report_series(&scope, form.form_id, ag, ag, "members_end")
        .await
        .unwrap();
    assert_eq!(series.len(), 1);
    assert_eq!(series[0].2, Some(200));
}

crate::both_engines!(reports_roll_up_live_return_and_lock);

async fn partners_read_reports_only_when_sharing_information(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let s = app.store();
    let scope = app.admin_scope();
    let vrg = app.unit_id("VRG").await;
    let sent = s.requests_sent(&scope, vrg, None, 10).await.unwrap();
    let r = sent
        .first()
        .expect("the demo's VRG report")
        .request
        .request_id;
    let kt = s.account_by_username("lddl.kontum").await.unwrap();
    let actor = congdoan_store::Actor {
        account_id: Some(kt.account_id),
        username: kt.username.clone(),
    };
    let kt_scope = s.scope_for(actor, false, today()).await.unwrap();
    // Kon Tum reads the covered CĐCS's reports, and only those.
    let board = s.request_board(&scope, r, None).await.unwrap();
    let mut covered = Vec::new();
    for row in &board.rows {
        for u in s
            .unit_ids_of_type(&s.unit(&scope, row.unit_id).await.unwrap().path, "CDCS")
            .await
            .unwrap()
        {
            let path = s.unit(&scope, u).await.unwrap().path;
            let read = s.request_target(&kt_scope, r, u).await;
            assert_eq!(read.is_ok(), kt_scope.can_read(&path), "unit {u}: {read:?}");
            if read.is_ok() {
                covered.push(u);
            }
        }
    }
    let direct: Vec<i64> = s
        .unit_ids_of_type(&s.unit(&scope, vrg).await.unwrap().path, "CDCS")
        .await
        .unwrap();
    for u in &direct {
        let path = s.unit(&scope, *u).await.unwrap().path;
        assert_eq!(
            s.request_target(&kt_scope, r, *u).await.is_ok(),
            kt_scope.can_read(&path),
            "unit {u}"
        );
        if kt_scope.can_read(&path) {
            covered.push(*u);
        }
    }
    assert!(
        !covered.is_empty(),
        "the demo covers some VRG CĐCS in Kon Tum"
    );
    // Without the information-exchange item, the same partner reads no report.
    app.exec_raw("UPDATE coordination_agreement SET scope_items = 'congress,emulation'")
        .await
        .unwrap();
    for u in &covered {
        assert!(
            matches!(
                s.request_target(&kt_scope, r, *u).await,
                Err(StoreError::NotFound)
            ),
            "unit {u}"
        );
    }
}

crate::both_engines!(partners_read_reports_only_when_sharing_information);

/// The text of a PDF as poppler reads it, white space collapsed.
fn pdf_text(bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("congdoan-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.pdf", bytes.len()));
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

async fn requests_export_as_administrative_pdfs(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let sent = s.requests_sent(&scope, ag, None, 50).await.unwrap();
    let kh = sent
        .iter()
        .find(|x| x.request.doc_number.as_deref() == Some("267/KH-LĐLĐ"))
        .expect("KH 267");
    let quick = sent
        .iter()
        .find(|x| x.request.kind == "report")
        .expect("a report");
    let b = app.login("btv.angiang").await;
    let res = b
        .get(&format!("/requests/{}/export.pdf", kh.request.request_id))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let text = pdf_text(&res.bytes().await.unwrap());
    for want in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 267/KH-LĐLĐ",
        "An Giang, ngày 20 tháng 5 năm 2020",
        "KẾ HOẠCH",
        "Sát cơ sở, gần công nhân",
        "Tổng cộng",
    ] {
        assert!(text.contains(want), "{want:?} not in {text}");
    }
    let res = b
        .get(&format!(
            "/requests/{}/export.pdf",
            quick.request.request_id
        ))
        .await;
    assert_eq!(res.status(), 200);
    let text = pdf_text(&res.bytes().await.unwrap());
    for want in [
        "BÁO CÁO TỔNG HỢP",
        "Tổng số đoàn viên cuối tháng",
        "Đã nhận",
    ] {
        assert!(text.contains(want), "{want:?} not in {text}");
    }
    // Kon Tum's officer does not get An Giang's directive.
    let kt = app.login("lddl.kontum").await;
    assert_eq!(
        kt.get(&format!("/requests/{}/export.pdf", kh.request.request_id))
            .await
            .status(),
        404
    );
}

crate::both_engines!(requests_export_as_administrative_pdfs);
