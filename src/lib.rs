//! The congdoan application: configuration, start-up (migrations, demo data) and the
//! command line. `main.rs` only calls [`cli::run`].

pub mod bench;
mod bench_certificates;
mod bench_emulation;
mod bench_requests;
mod bench_restructure;
pub mod cli;
mod demo_certificates;
mod demo_emulation;
mod demo_models;
mod demo_movements;
mod demo_requests;
mod demo_rewards;
pub mod import;

use anyhow::Context;
use congdoan_store::Store;
use congdoan_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Where the embedded database lives when no URL is given.
pub const DEFAULT_DATABASE_URL: &str = "sqlite:data/congdoan.db";

/// Typed settings of a running server.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub listen: SocketAddr,
    /// Load the demo data set (with its published password) into an empty database.
    /// Off by default: no deployment starts with a known password.
    pub demo: bool,
    pub web: WebConfig,
}

pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CONGDOAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

/// Opens the database (creating the folder of a SQLite file), and migrates it.
pub async fn open_store(url: &str) -> anyhow::Result<Store> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        let file = PathBuf::from(
            path.trim_start_matches("//")
                .split('?')
                .next()
                .unwrap_or(""),
        );
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    let store = Store::connect(url)
        .await
        .with_context(|| format!("opening {}", congdoan_store::redact_url(url)))?;
    store.migrate().await.context("applying migrations")?;
    Ok(store)
}

/// Loads the demo data set when the database holds no unit yet. Returns true if loaded.
pub async fn load_demo_if_empty(store: &Store) -> anyhow::Result<bool> {
    if !store.is_empty().await? {
        return Ok(false);
    }
    let ds = congdoan_datagen::demo();
    // Hashing each demo password once is slow in debug builds; they share one password.
    let hashed = tokio::task::spawn_blocking(|| {
        congdoan_web::hash_password(congdoan_datagen::DEMO_PASSWORD)
    })
    .await?;
    let hash = move |p: &str| {
        if p == congdoan_datagen::DEMO_PASSWORD {
            hashed.clone()
        } else {
            congdoan_web::hash_password(p)
        }
    };
    store
        .load_dataset(&ds, &hash)
        .await
        .context("loading the demo data")?;
    store
        .load_demo_clusters(congdoan_datagen::DEMO_CLUSTERS)
        .await
        .context("loading the demo's emulation clusters")?;
    store
        .load_demo_agreements(congdoan_datagen::DEMO_AGREEMENTS)
        .await
        .context("loading the demo's coordination agreements")?;
    demo_requests::load(store, congdoan_domain::date::today_vn())
        .await
        .context("loading the demo's directives and reports")?;
    demo_models::load(store, congdoan_domain::date::today_vn())
        .await
        .context("loading the demo's good models")?;
    demo_rewards::load(store)
        .await
        .context("loading the demo's rewards")?;
    demo_emulation::load(store)
        .await
        .context("loading the demo's emulation scoring")?;
    demo_certificates::load(store)
        .await
        .context("loading the demo's certificates")?;
    demo_movements::load(store)
        .await
        .context("loading the demo's emulation movement")?;
    store.mark_accounts_demo().await?;
    Ok(true)
}

/// Creates the first administrator, `admin`, with a random password, when the
/// database has no account at all (a deployment started without the demo). Returns the
/// password, which is shown once and stored only as a hash.
pub async fn create_first_admin_if_none(store: &Store) -> anyhow::Result<Option<String>> {
    if store.account_count().await? > 0 {
        return Ok(None);
    }
    // 20 characters from a 32-letter alphabet without look-alikes: about 100 bits.
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let bytes = congdoan_web::new_token();
    let password: String = bytes
        .as_bytes()
        .chunks(2)
        .take(20)
        .map(|pair| {
            let v = u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("0"), 16).unwrap_or(0);
            char::from(ALPHABET[usize::from(v) % ALPHABET.len()])
        })
        .collect();
    let pw = password.clone();
    let hash = tokio::task::spawn_blocking(move || congdoan_web::hash_password(&pw)).await?;
    let scope = congdoan_store::Scope::admin(congdoan_store::Actor::system("start-up"));
    let id = store
        .create_account(
            &scope,
            congdoan_store::NewAccount {
                username: "admin".into(),
                display_name: "Quản trị hệ thống".into(),
                password_hash: hash,
                admin: true,
                grants: vec![],
            },
        )
        .await
        .context("creating the first administrator")?;
    // The printed password is for the first login only.
    store.require_password_change(id).await?;
    Ok(Some(password))
}

/// A server running in the background (used by `serve` and by the tests).
pub struct Running {
    pub addr: SocketAddr,
    pub store: Store,
    /// The first administrator's password when this start created it (print it once).
    pub first_admin_password: Option<String>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting requests and waits for the server to finish.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.handle.await??;
        self.store.close().await;
        Ok(())
    }

    /// Waits until the server stops by itself (never, unless it fails).
    pub async fn wait(self) -> anyhow::Result<()> {
        self.handle.await??;
        Ok(())
    }
}

/// Opens the store, loads demo data if asked and empty, and serves on `config.listen`.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    let store = open_store(&config.database_url).await?;
    let mut first_admin_password = None;
    if config.demo {
        if load_demo_if_empty(&store).await? {
            tracing::info!("demo data loaded");
        }
    } else {
        first_admin_password = create_first_admin_if_none(&store).await?;
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let imports = Arc::new(tokio::sync::Notify::new());
    let state = AppState {
        store: store.clone(),
        config: Arc::new(config.web.clone()),
        imports: imports.clone(),
    };
    let worker = congdoan_web::spawn_worker(store.clone(), imports);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        let served = congdoan_web::serve(listener, state, async move {
            let _ = rx.await;
        })
        .await;
        worker.abort();
        served
    });
    Ok(Running {
        addr,
        store,
        first_admin_password,
        shutdown: Some(tx),
        handle,
    })
}
