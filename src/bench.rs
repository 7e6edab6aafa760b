//! `congdoan bench`: builds a synthetic country in a fresh database and prints the
//! figures the national-scale targets are judged by, then writes them to a Markdown file.
//! Speed targets live here, never in timed tests.

use crate::open_store;
use anyhow::Context;
use congdoan_datagen::{Country, CountryOptions};
use congdoan_store::{Actor, Engine, MemberQuery, Scope, Store};
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

/// What to measure.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub members: u64,
    pub seed: u64,
    /// A database URL; a fresh SQLite file in a temporary folder when `None`.
    /// A PostgreSQL URL must name an empty database.
    pub database_url: Option<String>,
    /// Where to write the Markdown report (appended as a dated section), if anywhere.
    pub out: Option<std::path::PathBuf>,
    /// Repetitions of each read query.
    pub reps: usize,
    /// A raw-insert baseline already measured (rows/s), to save its run (8 minutes at
    /// 10M); measured when `None`.
    pub baseline: Option<f64>,
}

/// Latency percentiles of a repeated query.
pub(crate) struct Lat {
    pub(crate) p50: Duration,
    pub(crate) p99: Duration,
}

fn lat(mut v: Vec<Duration>) -> Lat {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    Lat {
        p50: at(0.50),
        p99: at(0.99),
    }
}

/// A report's line writer: each line is printed as it comes and kept in `out`.
pub(crate) fn printed_into(out: &mut String) -> impl FnMut(String) + '_ {
    |s: String| {
        println!("{s}");
        out.push_str(&s);
        out.push('\n');
    }
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

pub(crate) async fn time_n<F, Fut, T>(n: usize, mut f: F) -> anyhow::Result<Lat>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    f().await?; // warm the caches once
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f().await?;
        v.push(t.elapsed());
    }
    Ok(lat(v))
}

/// Peak resident memory of this process so far (Linux `VmHWM`), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The machine, for the report.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines().next().and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map(|kb| format!("{:.1} GiB RAM", kb / 1024.0 / 1024.0))
        .unwrap_or_default();
    format!("{cores} cores ({cpu}), {mem}")
}

/// Runs the benchmark and returns the report it printed.
pub async fn run(o: BenchOptions) -> anyhow::Result<String> {
    let tmp = std::env::temp_dir().join(format!("congdoan-bench-{}", std::process::id()));
    let scratch = |name: &str| -> anyhow::Result<String> {
        std::fs::create_dir_all(&tmp)?;
        Ok(format!("sqlite:{}", tmp.join(name).display()))
    };
    let (url, baseline_url) = match &o.database_url {
        // PostgreSQL: the baseline runs first in the same database and leaves it empty.
        Some(u) if Engine::from_url(u)? == Engine::Postgres => (u.clone(), u.clone()),
        Some(u) => (u.clone(), scratch("baseline.db")?),
        None => (scratch("country.db")?, scratch("baseline.db")?),
    };
    let mut out = String::new();
    let mut line = printed_into(&mut out);
    let t = Instant::now();
    let country = Country::generate(&CountryOptions {
        members: o.members,
        seed: o.seed,
    });
    let gen_time = t.elapsed();
    // The physical floor first: on PostgreSQL it shares the (still empty) database.
    let raw = match o.baseline {
        Some(r) => r,
        None => {
            let base = open_store(&baseline_url).await?;
            let (base_rows, base_time) = base
                .raw_member_baseline(&country)
                .await
                .context("raw-insert baseline")?;
            base.close().await;
            base_rows as f64 / base_time.as_secs_f64()
        }
    };
    // The spreadsheet import, on its own empty database (PostgreSQL: the same one,
    // emptied again afterwards).
    let import_url = if Engine::from_url(&url)? == Engine::Postgres {
        url.clone()
    } else {
        scratch("import.db")?
    };
    let import_store = open_store(&import_url).await?;
    std::fs::create_dir_all(&tmp)?;
    let import_report = import_phase(&import_store, &country, o.members.min(1_000_000), &tmp, raw)
        .await
        .context("spreadsheet import")?;
    import_store.close().await;
    let store = open_store(&url).await?;
    line(format!(
        "## {} members on {} — {}",
        congdoan_domain::money::format_int(o.members as i64),
        store.engine().name(),
        time::OffsetDateTime::now_utc().date()
    ));
    line(String::new());
    line(format!("Machine: {}.", machine()));
    line(format!(
        "Country: {} units (tree generated in {}).",
        country.units.len(),
        ms(gen_time)
    ));
    line(String::new());
    let t = Instant::now();
    let report = store
        .load_country(&country, &mut |_, _| {})
        .await
        .context("loading the country")?;
    let load = t.elapsed();
    let rate = report.members as f64 / load.as_secs_f64();
    line("| Load phase | Time |".into());
    line("|---|---|".into());
    line(format!(
        "| units ({}) | {} |",
        report.units,
        ms(report.units_time)
    ));
    line(format!(
        "| members ({}), events ({}), committees ({}), posts ({}) | {} |",
        report.members,
        report.events,
        report.committees,
        report.positions,
        ms(report.members_time)
    ));
    line(format!(
        "| secondary and search indexes | {} |",
        ms(report.indexes_time)
    ));
    line(format!(
        "| subtree figures ({} rows) | {} |",
        report.figure_rows,
        ms(report.figures_time)
    ));
    line(format!(
        "| **total** | **{}** = **{:.0} members/s** |",
        ms(load),
        rate
    ));
    line(String::new());
    line(format!(
        "Raw-insert baseline (same member table and indexes, one multi-row INSERT stream, no events, figures or checks): \
         {raw:.0} rows/s{}; the full load reaches {:.0} % of it.",
        if o.baseline.is_some() {
            " (given with --baseline, not measured in this run)"
        } else {
            ""
        },
        rate * 100.0 / raw
    ));
    line(String::new());
    line(import_report);
    line(String::new());
    let scope = Scope::admin(Actor::system("bench"));
    let root = store.unit_by_code(&scope, "TLD").await?;
    let province_code = country
        .units
        .iter()
        .find(|u| u.type_code == "LDLD_TINH")
        .map(|u| u.code.clone())
        .context("no province in the country")?;
    let province = store.unit_by_code(&scope, &province_code).await?;
    let cdcs = store
        .largest_unit_of_type(&scope, "CDCS", &province.path)
        .await?;
    let today = time::OffsetDateTime::now_utc().date();
    line("| Read (admin scope) | p50 | p99 |".into());
    line("|---|---|---|".into());
    for (label, unit) in [
        ("national root", &root),
        ("a province", &province),
        ("its largest CĐCS", &cdcs),
    ] {
        let l = time_n(o.reps, || async {
            Ok(store.dashboard(&scope, Some(unit.unit_id), today).await?)
        })
        .await?;
        line(format!(
            "| dashboard, {label} | {} | {} |",
            ms(l.p50),
            ms(l.p99)
        ));
    }
    // The to-do page (what needs attention): the landing page after login.
    for (label, unit) in [
        ("national root", None),
        ("a province", Some(&province)),
        ("its largest CĐCS", Some(&cdcs)),
    ] {
        let l = time_n(o.reps, || async {
            Ok(store.todo(&scope, unit.map(|u| u.unit_id), today).await?)
        })
        .await?;
        line(format!(
            "| to-do page, {label} | {} | {} |",
            ms(l.p50),
            ms(l.p99)
        ));
    }
    for (label, unit) in [("a province", &province), ("national root", &root)] {
        let l = time_n(o.reps, || async {
            Ok(store
                .count_members(
                    &scope,
                    &MemberQuery {
                        unit_id: Some(unit.unit_id),
                        status: Some(congdoan_domain::member::MemberStatus::Member),
                        sex: Some("F".into()),
                        party: true,
                        ..Default::default()
                    },
                )
                .await?)
        })
        .await?;
        line(format!(
            "| member list total, two filters (counted, capped at 10.000), {label} | {} | {} |",
            ms(l.p50),
            ms(l.p99)
        ));
    }
    for (label, unit) in [("national root", &root), ("a province", &province)] {
        let l = time_n(o.reps.min(5), || async {
            Ok(store.dashboard_naive(&scope, unit.unit_id).await?)
        })
        .await?;
        line(format!(
            "| naive GROUP BY figures, {label} | {} | {} |",
            ms(l.p50),
            ms(l.p99)
        ));
    }
    let searches = [
        ("nguyen", None),
        ("nguyen van anh", None),
        ("tran thi huong", Some(&province)),
        ("nguyen", Some(&province)),
        ("le", Some(&cdcs)),
        ("pham thi", Some(&cdcs)),
    ];
    for (q, unit) in searches {
        let l = time_n(o.reps, || async {
            Ok(store
                .search_members(
                    &scope,
                    &MemberQuery {
                        q: Some(q.into()),
                        unit_id: unit.map(|u| u.unit_id),
                        per_page: 50,
                        ..Default::default()
                    },
                )
                .await?)
        })
        .await?;
        let where_ = unit.map_or("whole country".to_string(), |u| u.name.clone());
        line(format!(
            "| search \"{q}\" in {where_} | {} | {} |",
            ms(l.p50),
            ms(l.p99)
        ));
    }
    for (label, unit) in [
        ("national root", &root),
        ("a province", &province),
        ("its largest CĐCS", &cdcs),
    ] {
        let l = time_n(o.reps, || async {
            Ok(store
                .search_members(
                    &scope,
                    &MemberQuery {
                        unit_id: Some(unit.unit_id),
                        per_page: 50,
                        ..Default::default()
                    },
                )
                .await?)
        })
        .await?;
        line(format!(
            "| member list page 1 (name order), {label} | {} | {} |",
            ms(l.p50),
            ms(l.p99)
        ));
    }
    line(String::new());
    if which("wrk") {
        http_load(
            &url,
            &store,
            &[
                (
                    "dashboard, national root",
                    format!("/api/v1/dashboard?unit_id={}", root.unit_id),
                ),
                (
                    "dashboard, a province",
                    format!("/api/v1/dashboard?unit_id={}", province.unit_id),
                ),
                (
                    "member search \"nguyen van\" in a province",
                    format!(
                        "/api/v1/members?q=nguyen%20van&unit_id={}",
                        province.unit_id
                    ),
                ),
                (
                    "member list, largest CĐCS",
                    format!("/api/v1/members?unit_id={}", cdcs.unit_id),
                ),
                (
                    "member list page 1, national",
                    "/api/v1/members".to_string(),
                ),
            ],
            &mut line,
        )
        .await?;
    } else {
        line("HTTP load skipped: `wrk` is not installed (apt-get install wrk).".into());
    }
    line(String::new());
    crate::bench_requests::requests_phase(&store, &scope, &root, &province, o.reps, &mut line)
        .await
        .context("requests")?;
    line(String::new());
    crate::bench_restructure::phase(&store, &scope, &root, &province, o.reps, &mut line).await?;
    line(String::new());
    hostile_phase(&tmp, &mut line)?;
    crate::bench_certificates::phase(&mut line)?;
    crate::bench_emulation::phase(&store, &scope, &root, &province, o.reps, &mut line)
        .await
        .context("emulation")?;
    line(String::new());
    if let Some(rss) = peak_rss_mib() {
        line(format!(
            "Peak RSS of the benchmark process (generation, load and queries): {rss:.0} MiB."
        ));
    }
    line(String::new());
    drop(line);
    store.close().await;
    let _ = std::fs::remove_dir_all(&tmp);
    if let Some(path) = &o.out {
        let mut doc = std::fs::read_to_string(path).unwrap_or_else(|_| HEADER.to_string());
        let _ = writeln!(doc);
        doc.push_str(&out);
        std::fs::write(path, doc).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(out)
}

fn which(cmd: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(cmd).is_file()))
}

/// Serves the database from a separate `congdoan serve` process and drives it with
/// `wrk` over loopback (2 threads, 16 connections, 5 s per route); reports requests/s,
/// p99 and the server's peak RSS.
async fn http_load(
    url: &str,
    store: &Store,
    routes: &[(&str, String)],
    line: &mut impl FnMut(String),
) -> anyhow::Result<()> {
    let scope = Scope::admin(Actor::system("bench"));
    let account = store
        .create_account(
            &scope,
            congdoan_store::NewAccount {
                username: "bench".into(),
                display_name: "Benchmark".into(),
                password_hash: "!".into(),
                admin: true,
                grants: vec![],
            },
        )
        .await?;
    let token = congdoan_web::new_token();
    store
        .create_api_token(account, "bench", &congdoan_web::sha256_hex(&token))
        .await?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut server = tokio::process::Command::new(std::env::current_exe()?)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            url,
        ])
        .env("CONGDOAN_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting congdoan serve")?;
    let base = format!("http://127.0.0.1:{port}");
    let mut up = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::ensure!(up, "congdoan serve did not start on port {port}");
    line("| HTTP (wrk -t2 -c16 -d5s, loopback) | requests/s | p50 | p99 |".into());
    line("|---|---|---|---|".into());
    for (label, path) in routes {
        let out = tokio::process::Command::new("wrk")
            .args([
                "-t2",
                "-c16",
                "-d5s",
                "--latency",
                "-H",
                &format!("Authorization: Bearer {token}"),
                &format!("{base}{path}"),
            ])
            .output()
            .await
            .context("running wrk")?;
        let text = String::from_utf8_lossy(&out.stdout);
        let field = |prefix: &str| {
            text.lines()
                .find(|l| l.trim_start().starts_with(prefix))
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("?")
                .to_string()
        };
        let non2xx = text
            .lines()
            .find(|l| l.contains("Non-2xx"))
            .map(|l| format!(" ({})", l.trim()))
            .unwrap_or_default();
        line(format!(
            "| {label} | {} | {} | {}{non2xx} |",
            field("Requests/sec:"),
            field("50%"),
            field("99%")
        ));
    }
    if let Some(pid) = server.id() {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        if let Some(l) = status.lines().find(|l| l.starts_with("VmHWM:")) {
            let kb: f64 = l
                .split_whitespace()
                .nth(1)
                .and_then(|k| k.parse().ok())
                .unwrap_or(0.0);
            line(String::new());
            line(format!(
                "Peak RSS of the serving process: {:.0} MiB.",
                kb / 1024.0
            ));
        }
    }
    server.kill().await.ok();
    Ok(())
}

/// Column headers of generated member files: the import's own names.
const FILE_HEADERS: [&str; 11] = [
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số CCCD",
    "Số điện thoại",
    "Dân tộc",
    "Chức vụ",
    "Số thẻ đoàn viên",
    "Ngày vào công đoàn",
    "Đảng viên",
    "Mã đơn vị",
];

/// Writes the first `limit` members of `country` as a member list the import reads
/// (.csv with BOM, or .xlsx in constant memory, split into sheets past Excel's limit).
pub fn write_members_file(country: &Country, path: &Path, limit: u64) -> anyhow::Result<u64> {
    use congdoan_sheet::{Cell, CsvExport, XlsxExport};
    let xlsx = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    // One value per call: the size difference does not matter.
    #[allow(clippy::large_enum_variant)]
    enum Out {
        Csv(CsvExport<std::io::BufWriter<std::fs::File>>),
        Xlsx(XlsxExport),
    }
    let mut out = if xlsx {
        Out::Xlsx(
            XlsxExport::create(path, "Đoàn viên", &FILE_HEADERS)
                .map_err(|e| anyhow::anyhow!(e.message(congdoan_domain::Lang::Vi)))?,
        )
    } else {
        let f = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("{}", path.display()))?,
        );
        Out::Csv(
            CsvExport::new(f, &FILE_HEADERS)
                .map_err(|e| anyhow::anyhow!(e.message(congdoan_domain::Lang::Vi)))?,
        )
    };
    let mut n = 0u64;
    'all: for b in country.batches() {
        for m in b.members {
            if n >= limit {
                break 'all;
            }
            let text = |s: &Option<String>| s.clone().map(Cell::Text).unwrap_or(Cell::Empty);
            let row = [
                Cell::Text(m.full_name),
                Cell::Date(m.birth_date),
                Cell::Text(m.sex.label(congdoan_domain::Lang::Vi).to_string()),
                Cell::Text(m.cccd),
                text(&m.phone),
                Cell::Text(m.ethnicity),
                text(&m.job_title),
                text(&m.card_no),
                Cell::Date(m.join_date),
                if m.party_member {
                    Cell::Text("x".into())
                } else {
                    Cell::Empty
                },
                Cell::Text(m.unit_code),
            ];
            let r = match &mut out {
                Out::Csv(c) => c.write_row(&row),
                Out::Xlsx(x) => x.write_row(&row),
            };
            r.map_err(|e| anyhow::anyhow!(e.message(congdoan_domain::Lang::Vi)))?;
            n += 1;
        }
    }
    match out {
        Out::Csv(c) => {
            c.finish()
                .map_err(|e| anyhow::anyhow!(e.message(congdoan_domain::Lang::Vi)))?;
        }
        Out::Xlsx(x) => {
            x.finish()
                .map_err(|e| anyhow::anyhow!(e.message(congdoan_domain::Lang::Vi)))?;
        }
    }
    Ok(n)
}

/// Reads a file as the import worker does (opened within the limits, every row of
/// every sheet) and says how that ended.
pub fn read_like_an_import(path: &Path) -> String {
    use congdoan_sheet::Workbook;
    let said = |e: congdoan_sheet::SheetError| {
        format!("{}: {}", e.code(), e.message(congdoan_domain::Lang::Vi))
    };
    let mut wb = match Workbook::open(path) {
        Ok(wb) => wb,
        Err(e) => return said(e),
    };
    let mut rows = 0u64;
    for sheet in 0..wb.sheet_names().len() {
        match wb.rows(sheet) {
            Ok(it) => {
                for r in it {
                    if let Err(e) = r {
                        return said(e);
                    }
                    rows += 1;
                }
            }
            Err(e) => return said(e),
        }
    }
    format!("read whole ({rows} rows)")
}

/// The hostile files of issue 13 at full size, each read in a fresh process
/// (`congdoan bench-hostile`) whose peak RSS (`VmHWM`) is reported; over 1 GB fails.
fn hostile_phase(dir: &Path, line: &mut impl FnMut(String)) -> anyhow::Result<()> {
    use congdoan_sheet::hostile;
    type Make = fn(&Path) -> std::io::Result<()>;
    let fixtures: [(&str, &str, Make); 6] = [
        (
            "inline.xlsx",
            "xlsx, one inline-string cell of 1.1 billion characters",
            |p| hostile::inline_string_bomb(p, 1_100_000_000),
        ),
        (
            "shared.xlsx",
            "xlsx, shared-strings bomb (30 million strings, 510 MB of XML)",
            |p| hostile::shared_strings_bomb(p, 30_000_000),
        ),
        ("commas.csv", "CSV, one 30 MB line of `a,`", |p| {
            hostile::comma_line_csv(p, 15_000_000)
        }),
        ("wide.xlsx", "xlsx, 200 rows of 16,384 columns", |p| {
            hostile::wide_rows(p, 16_384, 200)
        }),
        (
            "fanout.xlsx",
            "xlsx, one 32,767-character shared string in 230 × 1,000 cells",
            |p| hostile::shared_string_fanout(p, 230, 1_000, 32_767),
        ),
        (
            "fanout-rows.xlsx",
            "xlsx, one 32,000-character shared string in 20,000 rows of 2 cells (each row under the row limit)",
            |p| hostile::shared_string_fanout(p, 20_000, 2, 32_000),
        ),
    ];
    let exe = std::env::current_exe().context("the benchmark's own executable")?;
    std::fs::create_dir_all(dir)?;
    line("Hostile files, each read as an import would in a fresh process (limit 1 GB):".into());
    line(String::new());
    line("| file | size | read in | peak RSS | outcome |".into());
    line("|---|---:|---:|---:|---|".into());
    let mut over = vec![];
    for (name, what, make) in fixtures {
        let path = dir.join(name);
        make(&path).with_context(|| format!("generating {name}"))?;
        let size = std::fs::metadata(&path)?.len();
        let t = Instant::now();
        let out = std::process::Command::new(&exe)
            .arg("bench-hostile")
            .arg(&path)
            .output()
            .with_context(|| format!("reading {name} in a child process"))?;
        let took = t.elapsed();
        let _ = std::fs::remove_file(&path);
        anyhow::ensure!(
            out.status.success(),
            "reading {name} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let (rss, outcome) = text.trim().split_once('\t').unwrap_or(("NaN", ""));
        let rss: f64 = rss.parse().unwrap_or(f64::NAN);
        // NaN (no figure) counts as over.
        if rss.is_nan() || rss >= 1024.0 {
            over.push(format!("{name}: {rss:.0} MiB"));
        }
        line(format!(
            "| {what} | {:.1} MB | {} | {rss:.0} MiB | {outcome} |",
            size as f64 / 1e6,
            ms(took)
        ));
    }
    anyhow::ensure!(
        over.is_empty(),
        "hostile files over 1 GB of memory: {}",
        over.join(", ")
    );
    Ok(())
}

/// Resets this process's peak RSS (Linux 4.0+), so a phase's own peak can be read.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The spreadsheet import measured end to end: a CSV of `rows` members of the
/// country into its empty tree, analysed, confirmed and imported by the same job
/// the web upload runs. Leaves the database empty again.
async fn import_phase(
    store: &Store,
    country: &Country,
    rows: u64,
    dir: &Path,
    raw_rows_per_s: f64,
) -> anyhow::Result<String> {
    let file = dir.join("members.csv");
    let t = Instant::now();
    let written = write_members_file(country, &file, rows)?;
    let write_time = t.elapsed();
    let size = std::fs::metadata(&file)?.len();
    store.load_country_units(country).await?;
    let scope = Scope::admin(Actor::system("bench"));
    let root = store.unit_by_code(&scope, "TLD").await?;
    reset_peak_rss();
    let t = Instant::now();
    let bytes = std::fs::read(&file)?;
    let job = store
        .create_import(&scope, root.unit_id, "members.csv", bytes)
        .await
        .context("upload")?;
    let today = congdoan_web::today();
    let j = store
        .work_imports(Some(job.job_id), false, today, &mut |_| {})
        .await?
        .context("analysis")?;
    let analyse = t.elapsed();
    anyhow::ensure!(
        j.valid_rows as u64 == written,
        "analysis found {} valid rows of {written} (rejected {}): {:?}",
        j.valid_rows,
        j.rejected_rows,
        store
            .import_rejects(&scope, j.job_id, 0, 3)
            .await?
            .first()
            .map(|r| r.problems.clone())
    );
    let j = store.confirm_import(&scope, j.job_id, j.version).await?;
    let t2 = Instant::now();
    let j = store
        .work_imports(Some(j.job_id), false, today, &mut |_| {})
        .await?
        .context("import")?;
    let import = t2.elapsed();
    let total = t.elapsed();
    let peak = peak_rss_mib().unwrap_or(0.0);
    anyhow::ensure!(
        j.imported as u64 == written,
        "imported {} of {written}",
        j.imported
    );
    let rate = written as f64 / total.as_secs_f64();
    let report = format!(
        "Spreadsheet import ({} rows, CSV {:.0} MB written in {}): upload and analysis (parse, units, duplicates) {}, \
         import {}; **{:.0} rows/s** end to end = {:.0} % of the raw-insert baseline; import peak RSS {:.0} MiB.",
        written,
        size as f64 / 1e6,
        ms(write_time),
        ms(analyse),
        ms(import),
        rate,
        rate * 100.0 / raw_rows_per_s,
        peak
    );
    store.discard_benchmark_data().await?;
    Ok(report)
}

const HEADER: &str = "# Benchmarks\n\nFigures printed by `congdoan bench` (see README). Each run appends a section.\n";

/// Used by `gen-data`: the store must be empty and migrated.
pub async fn gen_data(store: &Store, members: u64, seed: u64) -> anyhow::Result<()> {
    let t = Instant::now();
    let country = Country::generate(&CountryOptions { members, seed });
    println!(
        "Đã dựng cây {} đơn vị trong {:.1} s; đang nạp {} đoàn viên…",
        country.units.len(),
        t.elapsed().as_secs_f64(),
        congdoan_domain::money::format_int(members as i64)
    );
    let t = Instant::now();
    let mut last = Instant::now();
    let report = store
        .load_country(&country, &mut |done, total| {
            if last.elapsed() > Duration::from_secs(2) || done == total {
                last = Instant::now();
                let rate = done as f64 / t.elapsed().as_secs_f64();
                println!(
                    "  {} / {} đoàn viên ({:.0} %), {:.0} người/giây",
                    congdoan_domain::money::format_int(done as i64),
                    congdoan_domain::money::format_int(total as i64),
                    done as f64 * 100.0 / total.max(1) as f64,
                    rate
                );
            }
        })
        .await?;
    println!(
        "Xong trong {:.1} s: {} đơn vị, {} đoàn viên, {} chức danh; chỉ mục {:.1} s, số liệu tổng hợp {:.1} s.",
        t.elapsed().as_secs_f64(),
        report.units,
        report.members,
        report.positions,
        report.indexes_time.as_secs_f64(),
        report.figures_time.as_secs_f64()
    );
    Ok(())
}
