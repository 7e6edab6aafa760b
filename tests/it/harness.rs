//! Spawning the real server on a fresh database per test.

use congdoan::{Config, Running};
use congdoan_store::{Actor, Scope, Store};
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// Generates `mod name { sqlite, postgres }` running `async fn name(kind)` on both engines.
#[macro_export]
macro_rules! both_engines {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::harness::Kind::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::harness::Kind::Postgres).await
                }
            }
        )*
    };
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique() -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}_{}_{}", std::process::id(), n, t % 1_000_000_000)
}

/// A fresh, empty database of the given engine, or None when PostgreSQL is not
/// configured (which fails instead when CONGDOAN_REQUIRE_ALL_ENGINES is set).
pub async fn fresh_database(kind: Kind) -> Option<String> {
    match kind {
        Kind::Sqlite => {
            let path = std::env::temp_dir().join(format!("congdoan-it-{}.db", unique()));
            Some(format!("sqlite:{}", path.display()))
        }
        Kind::Postgres => {
            let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
                if std::env::var("CONGDOAN_REQUIRE_ALL_ENGINES").is_ok() {
                    panic!(
                        "TEST_DATABASE_URL is required when CONGDOAN_REQUIRE_ALL_ENGINES is set"
                    );
                }
                eprintln!("skipping the PostgreSQL run: TEST_DATABASE_URL is not set");
                return None;
            };
            use sqlx::Connection;
            let name = format!("cd_it_{}", unique());
            let mut conn = sqlx::PgConnection::connect(&base)
                .await
                .expect("connect to TEST_DATABASE_URL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let (head, _) = base.rsplit_once('/').expect("a database URL with a path");
            Some(format!("{head}/{name}"))
        }
    }
}

/// Runs one statement on a separate raw connection to `url`, bypassing the store.
pub async fn exec_on(url: &str, sql: &str) -> Result<u64, sqlx::Error> {
    use sqlx::Connection;
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await?;
        Ok(sqlx::query(sql).execute(&mut c).await?.rows_affected())
    } else {
        let mut c = sqlx::PgConnection::connect(url).await?;
        Ok(sqlx::query(sql).execute(&mut c).await?.rows_affected())
    }
}

/// A running server with the demo data, on a free loopback port.
pub struct TestApp {
    pub base: String,
    pub running: Running,
    pub database_url: String,
}

impl TestApp {
    pub async fn spawn(kind: Kind) -> Option<TestApp> {
        Self::spawn_with(kind, true).await
    }

    pub async fn spawn_with(kind: Kind, demo: bool) -> Option<TestApp> {
        let url = fresh_database(kind).await?;
        Some(Self::spawn_on(&url, demo).await)
    }

    /// A server on an existing database.
    pub async fn spawn_on(url: &str, demo: bool) -> TestApp {
        congdoan::init_tracing();
        let url = url.to_string();
        let running = congdoan::start(Config {
            database_url: url.clone(),
            listen: "127.0.0.1:0".parse().expect("addr"),
            demo,
            web: Default::default(),
        })
        .await
        .expect("server starts");
        TestApp {
            base: format!("http://{}", running.addr),
            running,
            database_url: url,
        }
    }

    /// Runs one statement on a separate raw connection, bypassing the store.
    pub async fn exec_raw(&self, sql: &'static str) -> Result<u64, sqlx::Error> {
        exec_on(&self.database_url, sql).await
    }

    pub fn store(&self) -> &Store {
        &self.running.store
    }

    pub fn admin_scope(&self) -> Scope {
        Scope::admin(Actor::system("test"))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A cookie-keeping client, logged in through the real login form.
    pub async fn login(&self, username: &str) -> Browser {
        let b = Browser::new(&self.base);
        let res = b.login(username, congdoan_datagen::DEMO_PASSWORD).await;
        assert!(res.url().path() != "/login", "login of {username} failed");
        b
    }

    /// An API token for a demo account.
    pub async fn token(&self, username: &str) -> Api {
        let a = self
            .store()
            .account_by_username(username)
            .await
            .expect("account");
        let token = congdoan_web::new_token();
        self.store()
            .create_api_token(a.account_id, "test", &congdoan_web::sha256_hex(&token))
            .await
            .expect("token");
        Api {
            base: self.base.clone(),
            token,
            http: reqwest::Client::new(),
        }
    }

    pub async fn unit_id(&self, code: &str) -> i64 {
        self.store().unit_id_by_code(code).await.expect("unit code")
    }
}

/// An HTTP client with cookies, like a person's browser without JavaScript.
pub struct Browser {
    pub base: String,
    pub http: reqwest::Client,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        Browser {
            base: base.to_string(),
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .expect("client"),
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET")
    }

    pub async fn get_html(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        let s = r.status().as_u16();
        (s, r.text().await.expect("body"))
    }

    /// Posts a form, adding the CSRF token found on `form_page`.
    pub async fn post_form(
        &self,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> (u16, String, String) {
        let (_, html) = self.get_html(form_page).await;
        let csrf = csrf_of(&html);
        let mut body: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        body.extend_from_slice(fields);
        let r = self
            .http
            .post(format!("{}{action}", self.base))
            .form(&body)
            .send()
            .await
            .expect("POST");
        let status = r.status().as_u16();
        let url = r.url().path().to_string();
        (status, url, r.text().await.expect("body"))
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        let (_, html) = self.get_html("/login").await;
        let csrf = csrf_of(&html);
        self.http
            .post(format!("{}/login", self.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", username),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .expect("login POST")
    }
}

/// The value of the first `name="version"` hidden input of a page (the version an
/// edit form started from).
pub fn version_of(html: &str) -> String {
    let key = "name=\"version\" value=\"";
    let i = html.find(key).expect("a version field") + key.len();
    html[i..].split('"').next().unwrap_or_default().to_string()
}

/// The value of the first `name="csrf"` hidden input of a page.
pub fn csrf_of(html: &str) -> String {
    let i = html
        .find("name=\"csrf\" value=\"")
        .expect("a CSRF field on the page")
        + "name=\"csrf\" value=\"".len();
    html[i..].split('"').next().unwrap_or_default().to_string()
}

/// A JSON API client with a bearer token.
pub struct Api {
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
}

impl Api {
    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("GET");
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("request");
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }
    pub async fn post(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        self.send(reqwest::Method::POST, path, body).await
    }
}
