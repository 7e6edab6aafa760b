//! The restructuring phase of `congdoan bench`: the tree of a past date, then a plan
//! moving 10,000 CĐCS under a new commune union, previewed and applied in one
//! transaction (target: the apply < 5 s at 10M). `congdoan bench-restructure` runs the
//! plan alone on a database `bench` already loaded, as often as wanted: each run
//! creates a new commune union and moves the same CĐCS there from wherever they are.

use crate::bench::{ms, time_n};
use anyhow::Context;
use congdoan_domain::restructure::{Op, UnitRef};
use congdoan_store::{Scope, Store, Unit};
use std::time::Instant;

/// Restructuring at scale: the tree as of a past date for a province, then a plan that
/// moves up to 10,000 CĐCS (with their members) under a new commune union: preview
/// and apply, the background refresh of search tokens it leaves, and whether the
/// figures are still exact afterwards.
pub(crate) async fn phase(
    store: &Store,
    scope: &Scope,
    root: &Unit,
    province: &Unit,
    reps: usize,
    line: &mut impl FnMut(String),
) -> anyhow::Result<()> {
    let past = time::macros::date!(2024 - 01 - 01);
    let units = store
        .subtree_as_of(scope, province.unit_id, past)
        .await?
        .len();
    let l = time_n(reps, || async {
        Ok(store.subtree_as_of(scope, province.unit_id, past).await?)
    })
    .await?;
    line("| Restructuring | time |".into());
    line("|---|---|".into());
    line(format!(
        "| tree as of 01/01/2024 of {} ({units} units), p50 / p99 | {} / {} |",
        province.name,
        ms(l.p50),
        ms(l.p99)
    ));
    // The tree page of a past date counts each shown node's members of that date from
    // the membership events: the children of the root (the provinces) are one node
    // each; this times the province's own count.
    let members_then = store.tree_nodes(scope, &[province.unit_id], past).await?;
    let l = time_n(reps, || async {
        Ok(store.tree_nodes(scope, &[province.unit_id], past).await?)
    })
    .await?;
    line(format!(
        "| tree node as of 01/01/2024 with its members then ({}), a province, p50 / p99 | {} / {} |",
        members_then.first().map(|n| n.member_count).unwrap_or(0),
        ms(l.p50),
        ms(l.p99)
    ));
    apply_plan(store, scope, root, province, "BENCH-XA", line).await
}

/// A plan creating a commune union (`code`) under `province` and moving the country's
/// first 10,000 CĐCS under it: preview, apply, the search-token refresh it leaves,
/// and the figures compared with a recount.
async fn apply_plan(
    store: &Store,
    scope: &Scope,
    root: &Unit,
    province: &Unit,
    code: &str,
    line: &mut impl FnMut(String),
) -> anyhow::Result<()> {
    let ids = store.grassroots_ids(scope, &root.path, 10_000).await?;
    let today = time::OffsetDateTime::now_utc().date();
    let plan = store
        .create_plan(
            scope,
            root.unit_id,
            "Benchmark: chuyển CĐCS về công đoàn xã",
            today,
        )
        .await?;
    let ops = vec![
        Op::Create {
            key: "xa".into(),
            code: code.into(),
            name: "Công đoàn xã (benchmark)".into(),
            type_code: "CD_XA".into(),
            parent: UnitRef::Id(province.unit_id),
        },
        Op::Move {
            units: ids.clone(),
            parent: UnitRef::New("xa".into()),
        },
    ];
    let plan = store
        .save_plan(scope, plan.plan_id, plan.version, &plan.name, today, &ops)
        .await?;
    let t = Instant::now();
    let preview = store.preview_plan(scope, plan.plan_id).await?;
    let preview_time = t.elapsed();
    let out = preview
        .outcome
        .map_err(|e| anyhow::anyhow!("{}", e.message_en))?;
    let members: i64 = ids
        .iter()
        .filter_map(|id| out.after.get(id))
        .map(|u| u.cdcs_members)
        .sum();
    line(format!(
        "| preview of a plan moving {} CĐCS holding {} members (snapshot of {} units) | {} |",
        ids.len(),
        congdoan_domain::money::format_int(members),
        preview.before.len(),
        ms(preview_time)
    ));
    let t = Instant::now();
    store
        .apply_plan(scope, plan.plan_id, plan.version, today)
        .await?;
    line(format!(
        "| apply of that plan (one transaction) | {} |",
        ms(t.elapsed())
    ));
    // The apply leaves the members of CĐCS that changed federation with their old
    // search token (searches add the units' own tokens meanwhile); the server's worker
    // rewrites them in batches afterwards.
    let t = Instant::now();
    let mut units = 0;
    loop {
        match store.refresh_search_scope().await? {
            0 => break,
            n => units += n,
        }
    }
    line(format!(
        "| background refresh of the search tokens after it ({} units changed federation) | {} |",
        congdoan_domain::money::format_int(units as i64),
        ms(t.elapsed())
    ));
    let t = Instant::now();
    let exact = store
        .stored_stats()
        .await?
        .differences(&store.recount_stats().await?)
        .is_empty();
    line(format!(
        "| figures after the apply equal a full recount | {} ({}) |",
        if exact { "yes" } else { "**NO**" },
        ms(t.elapsed())
    ));
    // The requests' roll-up rows the moves shifted (none before the requests phase).
    let t = Instant::now();
    let (_, verdict) = crate::bench_requests::rollup_verdict(store).await?;
    line(format!(
        "| request roll-up rows after the apply equal a full recount | {verdict} ({}) |",
        ms(t.elapsed())
    ));
    Ok(())
}

/// `congdoan bench-restructure`: the plan alone, moving the CĐCS to a commune union
/// created under a province other than the one they are in now.
pub(crate) async fn standalone(url: &str) -> anyhow::Result<String> {
    let store = crate::open_store(url).await?;
    let scope = Scope::admin(congdoan_store::Actor::system("bench"));
    let root = store.unit_by_code(&scope, "TLD").await?;
    let first = *store
        .grassroots_ids(&scope, &root.path, 1)
        .await?
        .first()
        .context("no CĐCS: load the country with `congdoan bench` first")?;
    let first = store.unit(&scope, first).await?;
    let mut province = None;
    for (id, _) in store.child_units(&scope, root.unit_id).await? {
        let u = store.unit(&scope, id).await?;
        if !first.path.starts_with(&u.path) {
            province = Some(u);
        }
    }
    let province = province.context("the root has a single child")?;
    let mut out = String::new();
    let mut line = crate::bench::printed_into(&mut out);
    line("| Restructuring (plan alone) | time |".into());
    line("|---|---|".into());
    let code = format!(
        "BENCH-XA-{}",
        time::OffsetDateTime::now_utc().unix_timestamp()
    );
    apply_plan(&store, &scope, &root, &province, &code, &mut line).await?;
    drop(line);
    store.close().await;
    Ok(out)
}
