//! The national deployment: several app instances on one PostgreSQL. Sessions and
//! tokens work on either; a scheduled plan is applied once; concurrent edits of one
//! record are refused but one; an import is worked by one instance at a time and
//! resumed by another when its holder dies.

use crate::harness::{Browser, Kind, TestApp, exec_on, fresh_database};
use congdoan_domain::cccd::make_cccd;
use congdoan_domain::member::Sex;
use congdoan_domain::restructure::{Op, UnitRef};
use congdoan_store::{Actor, Scope, StoreError};
use time::macros::date;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_sessions_plans_and_edits() {
    let Some(url) = fresh_database(Kind::Postgres).await else {
        return;
    };
    let a = TestApp::spawn_on(&url, true).await;
    let b = TestApp::spawn_on(&url, true).await;
    // Logged in on A, the same cookie works on B (a load balancer may send either).
    let browser = a.login("btv.angiang").await;
    let r = browser.http.get(b.url("/members")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_ne!(r.url().path(), "/login");
    // A token made on A is honoured by B.
    let api = a.token("btv.angiang").await;
    let r = reqwest::Client::new()
        .get(b.url("/api/v1/me"))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // Nobody logged in on B alone is let in.
    let anon = Browser::new(&b.base);
    assert_eq!(anon.get("/members").await.url().path(), "/login");

    // A scheduled plan reaches its day on both instances at once: applied once.
    let scope = a.admin_scope();
    let ag = a.unit_id("AG").await;
    let cdcs = a.unit_id("AG-CDCS-018").await;
    let day = date!(2027 - 01 - 01);
    let (sa, sb) = (a.store(), b.store());
    let plan = sa
        .create_plan(&scope, ag, "Đổi tên đầu năm", day)
        .await
        .unwrap();
    let ops = vec![Op::Rename {
        unit: UnitRef::Id(cdcs),
        name: "Công đoàn cơ sở Hợp tác xã Bình Đức".into(),
    }];
    let plan = sa
        .save_plan(&scope, plan.plan_id, plan.version, &plan.name, day, &ops)
        .await
        .unwrap();
    let plan = sa
        .apply_plan(&scope, plan.plan_id, plan.version, date!(2026 - 12 - 01))
        .await
        .unwrap();
    assert_eq!(plan.status, "scheduled");
    let versions_before = sa.unit_history(&scope, cdcs).await.unwrap().len();
    let (na, nb) = tokio::join!(sa.apply_due_plans(day), sb.apply_due_plans(day));
    assert_eq!(
        na.unwrap() + nb.unwrap(),
        1,
        "applied by exactly one instance"
    );
    assert_eq!(
        sb.plan(&scope, plan.plan_id).await.unwrap().status,
        "applied"
    );
    assert_eq!(
        sa.unit_history(&scope, cdcs).await.unwrap().len(),
        versions_before + 1,
        "one new version of the unit, not two"
    );

    // Two officers save the same draft plan at once through different instances.
    let draft = sa.create_plan(&scope, ag, "Dự thảo", day).await.unwrap();
    let (ra, rb) = tokio::join!(
        sa.save_plan(&scope, draft.plan_id, draft.version, "Bản của A", day, &[]),
        sb.save_plan(&scope, draft.plan_id, draft.version, "Bản của B", day, &[]),
    );
    let oks = [ra.is_ok(), rb.is_ok()];
    assert_eq!(oks.iter().filter(|x| **x).count(), 1, "one save wins");
    let lost = if ra.is_ok() { rb } else { ra };
    assert!(matches!(lost, Err(StoreError::Conflict)), "{lost:?}");
    let saved = sb.plan(&scope, draft.plan_id).await.unwrap();
    assert_eq!(saved.version, draft.version + 1);

    b.running.stop().await.unwrap();
    a.running.stop().await.unwrap();
}

/// Instance A takes an import and dies after its first committed chunk; once A's
/// lease has run out, instance B resumes after that chunk: every row once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_import_is_resumed_by_another_instance_when_its_holder_dies() {
    let Some(url) = fresh_database(Kind::Postgres).await else {
        return;
    };
    // Two stores (two instances' pools), no servers: only these work the job.
    let sa = congdoan::open_store(&url).await.unwrap();
    congdoan::load_demo_if_empty(&sa).await.unwrap();
    let sb = congdoan::open_store(&url).await.unwrap();
    let scope = Scope::admin(Actor::system("test"));
    let unit = sa
        .unit_by_code(&scope, congdoan_datagen::DEMO_OTHER_CDCS_CODE)
        .await
        .unwrap();
    let rows = 12_000u32;
    let mut csv = String::from("Họ và tên,Ngày sinh,Giới tính,Số CCCD\n");
    for i in 0..rows {
        let female = i % 2 == 0;
        let year = 1970 + (i % 30) as i32;
        let sex = if female { Sex::Female } else { Sex::Male };
        let cccd = make_cccd(89, year, sex, 700_000 + i);
        csv.push_str(&format!(
            "{} {} {},{:02}/{:02}/{year},{},{}\n",
            ["Nguyễn", "Trần", "Lê"][(i % 3) as usize],
            if female { "Thị" } else { "Văn" },
            ["An", "Bình", "Chi", "Dũng"][(i % 4) as usize],
            1 + i % 28,
            1 + i % 12,
            if female { "Nữ" } else { "Nam" },
            cccd.as_str()
        ));
    }
    let job = sa
        .create_import(&scope, unit.unit_id, "ds.csv", csv.into_bytes())
        .await
        .unwrap();
    let today = congdoan_web::today();
    let analysed = sa
        .work_imports(Some(job.job_id), false, today, &mut |_| {})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(analysed.valid_rows, i64::from(rows));
    let job = sa
        .confirm_import(&scope, job.job_id, analysed.version)
        .await
        .unwrap();
    // A works until its first chunk is committed, then dies (its task is dropped
    // mid-work, as a killed process would leave it).
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let holder = {
        let sa = sa.clone();
        let mut tx = Some(tx);
        tokio::spawn(async move {
            let _ = sa
                .work_imports(Some(job.job_id), false, today, &mut |j| {
                    if j.imported >= 5_000
                        && let Some(tx) = tx.take()
                    {
                        let _ = tx.send(());
                    }
                })
                .await;
        })
    };
    rx.await.expect("A committed a chunk");
    holder.abort();
    let _ = holder.await;
    // While A's lease runs, B does not take the job.
    assert!(
        sb.work_imports(None, false, today, &mut |_| {})
            .await
            .unwrap()
            .is_none(),
        "the job is still leased to A"
    );
    // A's lease runs out (as it would a minute after A died); B resumes.
    exec_on(
        &url,
        &format!(
            "UPDATE import_job SET lease_until = NULL WHERE job_id = {}",
            job.job_id
        ),
    )
    .await
    .unwrap();
    let done = sb
        .work_imports(None, false, today, &mut |_| {})
        .await
        .unwrap()
        .expect("B takes the job over");
    assert_eq!(done.state, "done");
    assert_eq!(done.imported, i64::from(rows));
    let n = exec_on(
        &url,
        &format!(
            "UPDATE member SET full_name = full_name WHERE import_job_id = {}",
            job.job_id
        ),
    )
    .await
    .unwrap();
    assert_eq!(n, u64::from(rows), "every row once, none twice");
}
