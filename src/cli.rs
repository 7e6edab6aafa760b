//! The command line: `serve` (the default), `migrate`, `user add`, `user token`,
//! `gen-data`, `bench`, `import` and `plan`.

use crate::{Config, DEFAULT_DATABASE_URL, open_store, start};
use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use congdoan_store::{Actor, NewAccount, Role, Scope};
use std::ffi::OsString;
use std::io::Read;

#[derive(Parser, Debug)]
#[command(
    name = "congdoan",
    version,
    about = "congdoan — nền tảng quản lý công đoàn"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Args, Debug, Clone)]
struct DbArgs {
    /// sqlite:PATH (embedded, the default) or postgres://USER@HOST/DB.
    #[arg(long, env = "CONGDOAN_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    database_url: String,
}

#[derive(Args, Debug, Clone)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "CONGDOAN_LISTEN", default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// Load the demo data (demo accounts with a published password) into an empty
    /// database. Without it, an empty database gets one administrator with a random
    /// password, printed once.
    #[arg(long, env = "CONGDOAN_DEMO")]
    demo: bool,
    /// Mark cookies Secure (serve behind HTTPS).
    #[arg(long, env = "CONGDOAN_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Days a new API token is valid when none is asked for.
    #[arg(long, env = "CONGDOAN_TOKEN_DEFAULT_DAYS", default_value_t = 90)]
    token_default_days: i64,
    /// The longest validity of an API token, in days.
    #[arg(long, env = "CONGDOAN_TOKEN_MAX_DAYS", default_value_t = 365)]
    token_max_days: i64,
    /// The address the public reaches this server at (printed in the QR code of
    /// certificates); by default http:// and the listening address.
    #[arg(long, env = "CONGDOAN_PUBLIC_URL")]
    public_url: Option<String>,
    /// Addresses of the load balancers or reverse proxies in front of this server
    /// (repeat, or comma-separated): only from them is `X-Forwarded-For` believed,
    /// so that login throttling counts each person's address, not the proxy's.
    #[arg(
        long = "trusted-proxy",
        env = "CONGDOAN_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<std::net::IpAddr>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the web server (the default).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Build a deterministic synthetic country (units, members, officials) in an empty database.
    GenData {
        #[command(flatten)]
        db: DbArgs,
        /// Number of members (10000000 for the whole country).
        #[arg(long, default_value_t = 100_000)]
        members: u64,
        /// Seed: the same seed gives the same country.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Write the members to this .csv or .xlsx file (as unions hold them) instead
        /// of the database.
        #[arg(long)]
        file: Option<std::path::PathBuf>,
        /// Load only the units, so that a generated file can be imported into them.
        #[arg(long, conflicts_with = "file")]
        units_only: bool,
    },
    /// Measure load, dashboard, search and list speed on a fresh synthetic country and
    /// print the figures (optionally appending them to a Markdown file).
    Bench {
        #[arg(long, default_value_t = 100_000)]
        members: u64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// An empty database to use; a fresh SQLite file in a temporary folder by default
        /// (which also measures the raw-insert baseline).
        #[arg(long)]
        database_url: Option<String>,
        /// Append the report to this file (e.g. docs/BENCHMARKS.md).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Repetitions of each read query.
        #[arg(long, default_value_t = 50)]
        reps: usize,
        /// A raw-insert baseline already measured on this machine (rows/s): skips
        /// measuring it again (8 minutes at 10M members).
        #[arg(long)]
        baseline: Option<f64>,
    },
    /// Import members from an xlsx or CSV file into a unit (see --confirm, --resume, --undo).
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// Code of the receiving unit.
        #[arg(long, required_unless_present_any = ["confirm", "resume", "undo"])]
        unit: Option<String>,
        /// The file (.xlsx or .csv).
        #[arg(long, requires = "unit")]
        file: Option<std::path::PathBuf>,
        /// Import the valid rows right after the analysis.
        #[arg(long)]
        yes: bool,
        /// Import a job analysed before.
        #[arg(long, conflicts_with_all = ["file", "resume", "undo"])]
        confirm: Option<i64>,
        /// Finish a job whose process died.
        #[arg(long, conflicts_with_all = ["file", "confirm", "undo"])]
        resume: Option<i64>,
        /// Remove every member a finished job added.
        #[arg(long, conflicts_with_all = ["file", "confirm", "resume"])]
        undo: Option<i64>,
    },
    /// Read one file as an import would, then print the peak memory of this process
    /// (`bench` runs it once per hostile file, each in a fresh process).
    #[command(hide = true)]
    BenchHostile { file: std::path::PathBuf },
    /// Typeset a batch of synthetic certificates, then print the seconds, the peak
    /// memory of this process and the PDF's size (`bench` runs it in a fresh process).
    #[command(hide = true)]
    BenchCertificates { count: usize },
    /// Only the emulation phase of `bench`, on a database `bench` or `gen-data` has
    /// already loaded (the national distribution needs the whole country's CĐCS).
    #[command(hide = true)]
    BenchEmulation {
        #[command(flatten)]
        db: DbArgs,
        /// Append the report to this file.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        #[arg(long, default_value_t = 50)]
        reps: usize,
    },
    /// Only the plan of `bench`'s restructuring phase (10,000 CĐCS moved to a new
    /// commune union, one transaction), on a database `bench` has already loaded.
    #[command(hide = true)]
    BenchRestructure {
        #[command(flatten)]
        db: DbArgs,
        /// Append the report to this file.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Only the to-do timings of `bench` (the national root, a province, a CĐCS), on a
    /// database `bench` has already loaded.
    #[command(hide = true)]
    BenchTodo {
        #[command(flatten)]
        db: DbArgs,
        /// Append the report to this file.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        #[arg(long, default_value_t = 50)]
        reps: usize,
    },
    /// Apply a restructuring plan now (all or nothing), or the scheduled plans that are due.
    Plan {
        #[command(flatten)]
        db: DbArgs,
        /// The plan to apply (its effective date must have come).
        #[arg(long, required_unless_present = "due")]
        apply: Option<i64>,
        /// Apply every scheduled plan whose day has come.
        #[arg(long, conflicts_with = "apply")]
        due: bool,
    },
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// System administrator (sees everything).
        #[arg(long)]
        admin: bool,
        /// Code of the unit whose subtree the account works on.
        #[arg(long, requires = "role")]
        unit: Option<String>,
        /// officer (read and write) or viewer (read).
        #[arg(long, requires = "unit")]
        role: Option<String>,
    },
    /// Print a new API token for an account (or list or revoke its tokens).
    Token {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        /// What the token is for (1–100 characters).
        #[arg(long, default_value = "cli")]
        name: String,
        /// Days of validity (at most 365).
        #[arg(long, default_value_t = congdoan_store::DEFAULT_TOKEN_DAYS)]
        days: i64,
        /// List the account's tokens instead.
        #[arg(long, conflicts_with = "revoke")]
        list: bool,
        /// Revoke the account's token with this id instead.
        #[arg(long)]
        revoke: Option<i64>,
    },
}

pub async fn run(args: impl IntoIterator<Item = OsString>) -> anyhow::Result<()> {
    let cli = Cli::parse_from(args);
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(a)) => serve(a).await,
        Some(Command::Migrate(db)) => {
            let store = open_store(&db.database_url).await?;
            println!("Đã cập nhật cơ sở dữ liệu ({}).", store.engine().name());
            Ok(())
        }
        Some(Command::User(UserCommand::Add {
            db,
            username,
            name,
            admin,
            unit,
            role,
        })) => {
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            if let Err(e) =
                congdoan_web::auth::check_password_strength(&password, &username, &name, "password")
            {
                bail!("{} (đọc từ đầu vào chuẩn) / {}", e.message, e.message_en);
            }
            let store = open_store(&db.database_url).await?;
            let scope = Scope::admin(Actor::system("cli"));
            let mut grants = vec![];
            if let (Some(code), Some(role)) = (unit, role) {
                let role = Role::parse(&role)
                    .context("--role phải là officer hoặc viewer / must be officer or viewer")?;
                let u = store
                    .unit_by_code(&scope, &code)
                    .await
                    .with_context(|| format!("không có đơn vị mã {code} / no unit {code}"))?;
                grants.push((u.unit_id, role));
            }
            let hash =
                tokio::task::spawn_blocking(move || congdoan_web::hash_password(&password)).await?;
            let id = store
                .create_account(
                    &scope,
                    NewAccount {
                        username: username.clone(),
                        display_name: name,
                        password_hash: hash,
                        admin,
                        grants,
                    },
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e} ({})", e.code()))?;
            println!("Đã tạo tài khoản {username} (id {id}).");
            Ok(())
        }
        Some(Command::GenData {
            db,
            members,
            seed,
            file,
            units_only,
        }) => {
            if members == 0 {
                bail!("--members phải lớn hơn 0 / must be positive");
            }
            let country = || {
                congdoan_datagen::Country::generate(&congdoan_datagen::CountryOptions {
                    members,
                    seed,
                })
            };
            if let Some(path) = file {
                let n = crate::bench::write_members_file(&country(), &path, members)?;
                println!("Đã ghi {n} đoàn viên vào {}", path.display());
                return Ok(());
            }
            let store = open_store(&db.database_url).await?;
            if !store.is_empty().await? {
                bail!(
                    "Cơ sở dữ liệu {} đã có dữ liệu; gen-data cần một cơ sở dữ liệu trống. / The database is not empty.",
                    congdoan_store::redact_url(&db.database_url)
                );
            }
            if units_only {
                let n = store.load_country_units(&country()).await?;
                println!("Đã nạp {n} đơn vị (chưa có đoàn viên).");
            } else {
                crate::bench::gen_data(&store, members, seed).await?;
            }
            let hash = tokio::task::spawn_blocking(|| {
                congdoan_web::hash_password(congdoan_datagen::DEMO_PASSWORD)
            })
            .await?;
            store
                .create_account(
                    &Scope::admin(Actor::system("gen-data")),
                    NewAccount {
                        username: "admin".into(),
                        display_name: "Quản trị hệ thống".into(),
                        password_hash: hash,
                        admin: true,
                        grants: vec![],
                    },
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e} ({})", e.code()))?;
            println!(
                "Tài khoản quản trị: admin / {} — chạy `congdoan serve --database-url {}` rồi đăng nhập.",
                congdoan_datagen::DEMO_PASSWORD,
                congdoan_store::redact_url(&db.database_url)
            );
            Ok(())
        }
        Some(Command::Bench {
            members,
            seed,
            database_url,
            out,
            reps,
            baseline,
        }) => {
            crate::bench::run(crate::bench::BenchOptions {
                members,
                seed,
                database_url,
                out,
                reps: reps.max(1),
                baseline,
            })
            .await?;
            Ok(())
        }
        Some(Command::BenchEmulation { db, out, reps }) => {
            let report = crate::bench_emulation::standalone(&db.database_url, reps.max(1)).await?;
            append_report(out.as_deref(), &report)
        }
        Some(Command::BenchRestructure { db, out }) => {
            let report = crate::bench_restructure::standalone(&db.database_url).await?;
            append_report(out.as_deref(), &report)
        }
        Some(Command::BenchTodo { db, out, reps }) => {
            let report =
                crate::bench_requests::standalone_todo(&db.database_url, reps.max(1)).await?;
            append_report(out.as_deref(), &report)
        }
        Some(Command::BenchHostile { file }) => {
            let outcome = crate::bench::read_like_an_import(&file);
            let rss = crate::bench::peak_rss_mib().unwrap_or(f64::NAN);
            println!("{rss:.1}\t{outcome}");
            Ok(())
        }
        Some(Command::BenchCertificates { count }) => {
            let (secs, bytes) = crate::bench_certificates::render_batch(count).await?;
            let rss = crate::bench::peak_rss_mib().unwrap_or(f64::NAN);
            println!("{secs:.2}\t{rss:.0}\t{bytes}");
            Ok(())
        }
        Some(Command::Import {
            db,
            unit,
            file,
            yes,
            confirm,
            resume,
            undo,
        }) => {
            use crate::import::ImportAction;
            let action = match (unit, file, confirm, resume, undo) {
                (_, _, Some(id), _, _) => ImportAction::Confirm(id),
                (_, _, _, Some(id), _) => ImportAction::Resume(id),
                (_, _, _, _, Some(id)) => ImportAction::Undo(id),
                (Some(unit), Some(file), ..) => ImportAction::File { unit, file, yes },
                _ => bail!("cần --unit và --file / --unit and --file are required"),
            };
            crate::import::run(&db.database_url, action).await
        }
        Some(Command::Plan { db, apply, due }) => {
            let store = open_store(&db.database_url).await?;
            let scope = Scope::admin(Actor::system("cli"));
            let today = congdoan_web::today();
            if due {
                let n = store.apply_due_plans(today).await?;
                println!("Đã áp dụng {n} phương án đến hạn.");
            } else if let Some(id) = apply {
                let plan = store.plan(&scope, id).await?;
                println!("Đang áp dụng phương án {id} «{}»…", plan.name);
                let plan = store.apply_plan(&scope, id, plan.version, today).await?;
                println!("Xong: {}.", plan.status);
            }
            Ok(())
        }
        Some(Command::User(UserCommand::Token {
            db,
            username,
            name,
            days,
            list,
            revoke,
        })) => {
            let store = open_store(&db.database_url).await?;
            let account = store
                .account_by_username(&username)
                .await
                .with_context(|| format!("không có tài khoản {username}"))?;
            let scope = Scope::admin(Actor::system("cli"));
            let id = account.account_id;
            let err = |e: congdoan_store::StoreError| anyhow::anyhow!("{e} ({})", e.code());
            if list {
                println!("id\ttên\ttạo lúc\tdùng gần nhất\thết hạn\ttình trạng");
                for t in store.api_tokens(&scope, id).await.map_err(err)? {
                    let dt = congdoan_domain::date::format_vn_datetime;
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        t.token_id,
                        t.name,
                        dt(t.created_at),
                        t.last_used_at.map(dt).unwrap_or_else(|| "—".into()),
                        dt(t.expires_at),
                        t.status()
                    );
                }
                return Ok(());
            }
            if let Some(token_id) = revoke {
                let t = store
                    .revoke_api_token(&scope, id, token_id)
                    .await
                    .map_err(err)?;
                println!("Đã thu hồi khoá {} «{}».", t.token_id, t.name);
                return Ok(());
            }
            if !(1..=365).contains(&days) {
                bail!("--days phải từ 1 đến 365 / must be 1–365");
            }
            let token = congdoan_web::new_token();
            store
                .issue_api_token(
                    &scope,
                    id,
                    &name,
                    &congdoan_web::sha256_hex(&token),
                    time::OffsetDateTime::now_utc() + time::Duration::days(days),
                )
                .await
                .map_err(err)?;
            println!("{token}");
            Ok(())
        }
    }
}

async fn serve(a: ServeArgs) -> anyhow::Result<()> {
    let a_demo = a.demo;
    let config = Config {
        database_url: a.db.database_url,
        listen: a.listen,
        demo: a.demo,
        web: congdoan_web::WebConfig {
            secure_cookies: a.secure_cookies,
            token_max_days: a.token_max_days.max(1),
            token_default_days: a.token_default_days.clamp(1, a.token_max_days.max(1)),
            public_url: a
                .public_url
                .clone()
                .map(|u| u.trim_end_matches('/').to_string())
                .unwrap_or_else(|| format!("http://{}", a.listen)),
            trusted_proxies: a.trusted_proxies.clone(),
            ..Default::default()
        },
    };
    let running = start(config).await?;
    println!(
        "congdoan đang chạy tại http://{} (cơ sở dữ liệu: {})",
        running.addr,
        running.store.engine().name()
    );
    if let Some(pw) = &running.first_admin_password {
        println!(
            "Đã tạo tài khoản quản trị đầu tiên: admin — mật khẩu: {pw}\n\
             (mật khẩu chỉ in ra một lần này; hãy đăng nhập và đổi mật khẩu ngay)"
        );
    } else if a_demo {
        println!(
            "Dữ liệu mẫu — đăng nhập thử: admin, btv.angiang, lddl.kontum, cdcs.officer, cdcs.viewer — mật khẩu: {} (chỉ dùng để thử, không dùng cho dữ liệu thật)",
            congdoan_datagen::DEMO_PASSWORD
        );
    }
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    tokio::select! {
        r = async { running.wait().await } => r,
        _ = stop => {
            println!("Đang dừng…");
            Ok(())
        }
    }
}

/// Appends a standalone phase's report to `--out`, after a blank line.
fn append_report(out: Option<&std::path::Path>, report: &str) -> anyhow::Result<()> {
    if let Some(path) = out {
        let mut doc = std::fs::read_to_string(path).unwrap_or_default();
        doc.push('\n');
        doc.push_str(report);
        std::fs::write(path, doc)?;
    }
    Ok(())
}
