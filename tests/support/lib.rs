//! Test support: `TestApp` starts the real server on port 0 against a fresh database cloned
//! from a template that is migrated once per test binary; the database is dropped when the
//! `TestApp` is dropped. Tests run in parallel and share nothing.
//!
//! Helpers here abort a test with a panic that says what was expected and what was found
//! (the whole response body, the last state seen while polling). Waiting is always for
//! something to happen, with a deadline; nothing sleeps to let time pass.

pub mod json;
pub mod pg;
pub mod proxy;
pub mod smtp;
pub mod sse;
pub mod tarpit;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::OnceCell;

pub use json::{ExpectStatus, array_at, at, i64_at, id_of, last_at, str_at, strs_at};
pub use reqwest;
pub use serde_json;
pub use sse::{Event, EventStream};

/// How long a test waits for something that should happen (a mail, a delivery).
pub const WAIT: Duration = Duration::from_secs(20);

/// Runs `check` every 25 ms until it returns `Ok`; after `timeout` panics with `what` and
/// the state the last `Err` described.
pub async fn eventually<T>(
    what: &str,
    timeout: Duration,
    mut check: impl AsyncFnMut() -> Result<T, String>,
) -> T {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match check().await {
            Ok(found) => return found,
            Err(state) if tokio::time::Instant::now() >= deadline => {
                panic!("{what}: still not the case after {timeout:?}; last seen: {state}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(25)).await,
        }
    }
}

/// Waits until `server` has received at least `n` requests; returns all of them.
pub async fn wait_for_requests(server: &wiremock::MockServer, n: usize) -> Vec<wiremock::Request> {
    eventually(
        &format!("{n} requests at {}", server.uri()),
        WAIT,
        async || {
            let Some(got) = server.received_requests().await else {
                panic!("the mock server does not record requests")
            };
            if got.len() >= n {
                Ok(got)
            } else {
                Err(format!("{} requests", got.len()))
            }
        },
    )
    .await
}

/// One row of `outbox_jobs`.
#[derive(diesel::QueryableByName, Debug, Clone)]
pub struct OutboxJob {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub kind: String,
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    pub payload: Value,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub attempts: i32,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub last_error: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub done: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub failed: bool,
    /// Why the due job waits (`mail_quota`).
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub waiting: Option<String>,
}

/// A server-level Postgres URL (any database; tests create their own).
pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn url_for_db(name: &str) -> String {
    let mut u = match url::Url::parse(&admin_url()) {
        Ok(u) => u,
        Err(e) => panic!("bad TEST_DATABASE_URL: {e}"),
    };
    u.set_path(&format!("/{name}"));
    u.to_string()
}

fn admin_exec(sql: &str) -> anyhow::Result<()> {
    let mut conn = PgConnection::establish(&admin_url())?;
    diesel::sql_query(sql).execute(&mut conn)?;
    Ok(())
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();
static COUNTER: AtomicU64 = AtomicU64::new(0);

fn pid_alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Drops databases left by test processes that no longer run (killed runs).
fn drop_stale_databases() -> anyhow::Result<()> {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let mut conn = PgConnection::establish(&admin_url())?;
    let names: Vec<Name> = diesel::sql_query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'handoff\\_tpl\\_%' OR datname LIKE 'handoff\\_t\\_%'",
    )
    .load(&mut conn)?;
    for n in names {
        let pid = n
            .datname
            .split('_')
            .nth(2)
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid
            && !pid_alive(pid)
        {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                n.datname
            ))
            .execute(&mut conn);
        }
    }
    Ok(())
}

async fn template() -> String {
    TEMPLATE
        .get_or_init(|| async {
            let name = format!(
                "handoff_tpl_{}_{}",
                std::process::id(),
                rand::random::<u32>()
            );
            let n = name.clone();
            let created = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
                drop_stale_databases()?;
                admin_exec(&format!("CREATE DATABASE {n}"))
            })
            .await;
            match created {
                Ok(Ok(())) => {}
                Ok(Err(e)) => panic!("creating the template database: {e}"),
                Err(e) => panic!("creating the template database: {e}"),
            }
            if let Err(e) = handoff::db::run_migrations(&url_for_db(&name)).await {
                panic!("migrating the template database: {e}");
            }
            name
        })
        .await
        .clone()
}

/// Creates a fresh, migrated database; returns its name.
pub async fn fresh_database() -> String {
    let tpl = template().await;
    let name = format!(
        "handoff_t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        rand::random::<u32>()
    );
    let sql = format!("CREATE DATABASE {name} TEMPLATE {tpl}");
    let created = tokio::task::spawn_blocking(move || {
        // CREATE DATABASE … TEMPLATE fails while another session copies the same template.
        for attempt in 0..50 {
            match admin_exec(&sql) {
                Ok(()) => return,
                Err(e)
                    if e.to_string().contains("being accessed by other users") && attempt < 49 =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(50 + attempt * 10));
                }
                Err(e) => panic!("creating a test database: {e}"),
            }
        }
    })
    .await;
    if let Err(e) = created {
        panic!("creating a test database: {e}");
    }
    name
}

pub fn drop_database(name: &str) {
    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    // Runs on its own thread: Drop can't await, and the caller may be inside a runtime.
    let _ = std::thread::spawn(move || admin_exec(&sql)).join();
}

pub struct TestAppBuilder {
    env: HashMap<String, Option<String>>,
    db_name: Option<String>,
    database_url: Option<String>,
}

impl TestAppBuilder {
    pub fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.insert(key.to_string(), Some(value.into()));
        self
    }

    /// Leaves `key` unset, overriding the harness default (e.g. `RATE_LIMITS=off`), to see
    /// what the product does without it.
    pub fn unset_env(mut self, key: &str) -> Self {
        self.env.insert(key.to_string(), None);
        self
    }

    /// Serve from an existing database (a second process on the same data).
    pub fn database(mut self, name: &str) -> Self {
        self.db_name = Some(name.to_string());
        self
    }

    /// Serve from a migrated database elsewhere (e.g. a private cluster a fault test starts
    /// and stops); the caller owns it.
    pub fn database_url(mut self, url: &str) -> Self {
        self.database_url = Some(url.to_string());
        self
    }

    pub async fn spawn(self) -> TestApp {
        let owns_db = self.db_name.is_none() && self.database_url.is_none();
        let db_name = match (self.db_name, &self.database_url) {
            (Some(n), _) => n,
            (None, Some(url)) => url::Url::parse(url)
                .ok()
                .map(|u| u.path().trim_start_matches('/').to_string())
                .unwrap_or_else(|| "external".into()),
            (None, None) => fresh_database().await,
        };
        let database_url = self
            .database_url
            .clone()
            .unwrap_or_else(|| url_for_db(&db_name));
        let data_dir =
            std::env::temp_dir().join(format!("handoff-test-{db_name}-{}", rand::random::<u32>()));
        let listener = match std::net::TcpListener::bind("127.0.0.1:0") {
            Ok(l) => l,
            Err(e) => panic!("bind: {e}"),
        };
        let port = match listener.local_addr() {
            Ok(a) => a.port(),
            Err(e) => panic!("local address: {e}"),
        };
        let mut env: HashMap<String, String> = HashMap::from([
            ("DATABASE_URL".into(), database_url.clone()),
            (
                "JWT_SECRET".into(),
                // 32 random bytes, base64 (JWT_SECRET takes key material, not passphrases).
                "MFOmNW3Ay2X+A7rntkkCVqiSCxyevE6+XmVPUdtnosc=".into(),
            ),
            ("DATA_DIR".into(), data_dir.display().to_string()),
            (
                "FRONTEND_DIR".into(),
                data_dir.join("no-frontend").display().to_string(),
            ),
            // Off, so tests can make many requests; the limits' own tests turn them on.
            ("RATE_LIMITS".into(), "off".into()),
            // Word matching by default (no model to load per test); the embedder's and the
            // evaluation's tests turn the builtin model on.
            ("EMBEDDINGS".into(), "off".into()),
            ("OUTBOX_POLL_MS".into(), "50".into()),
            ("OUTBOX_BACKOFF_MS".into(), "200".into()),
            ("BIND".into(), "127.0.0.1:0".into()),
            // The tests' webhook receivers listen on loopback, which the product refuses by
            // default; `webhooks::private_destinations_are_refused_by_default` unsets this.
            (
                "WEBHOOK_ALLOW_PRIVATE_NETWORKS".into(),
                "127.0.0.0/8".into(),
            ),
        ]);
        for (key, value) in self.env {
            match value {
                Some(v) => env.insert(key, v),
                None => env.remove(&key),
            };
        }
        env.entry("PUBLIC_URL".into())
            .or_insert_with(|| format!("http://127.0.0.1:{port}"));
        let config = match handoff::config::Config::from_lookup(|k| env.get(k).cloned()) {
            Ok(c) => c,
            Err(e) => panic!("config: {e}"),
        };
        let server = match handoff::app::start_on(config, listener, None).await {
            Ok(s) => s,
            Err(e) => panic!("start: {e}"),
        };
        let handle = server.handle();
        tokio::spawn(server);
        // `start_on` returns once the server's event listener LISTENs, so a change made
        // right away already reaches its streams.
        TestApp {
            addr: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
            db_name,
            database_url,
            owns_db,
            data_dir,
            handle,
        }
    }
}

pub struct TestApp {
    pub addr: String,
    pub client: reqwest::Client,
    pub db_name: String,
    database_url: String,
    owns_db: bool,
    pub data_dir: PathBuf,
    handle: actix_web::dev::ServerHandle,
}

pub struct User {
    pub id: String,
    pub email: String,
    pub token: String,
    pub refresh_token: String,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::builder().spawn().await
    }

    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            env: HashMap::new(),
            db_name: None,
            database_url: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.addr, path)
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone()
    }

    /// A synchronous connection to this app's database, for assertions.
    pub fn db(&self) -> PgConnection {
        match PgConnection::establish(&self.database_url()) {
            Ok(c) => c,
            Err(e) => panic!("connect to {}: {e}", self.db_name),
        }
    }

    /// The `outbox_jobs` rows of `kind` (`email`, `webhook`), oldest first.
    pub fn outbox_jobs(&self, kind: &str) -> Vec<OutboxJob> {
        let jobs = diesel::sql_query(
            "SELECT id, kind, payload, attempts, last_error, done_at IS NOT NULL AS done,
                    failed_at IS NOT NULL AS failed, waiting
               FROM outbox_jobs WHERE kind = $1 ORDER BY id",
        )
        .bind::<diesel::sql_types::Text, _>(kind)
        .load(&mut self.db());
        match jobs {
            Ok(jobs) => jobs,
            Err(e) => panic!("reading outbox_jobs: {e}"),
        }
    }

    /// The `email` jobs addressed to `to`.
    pub fn email_jobs_to(&self, to: &str) -> Vec<OutboxJob> {
        self.outbox_jobs("email")
            .into_iter()
            .filter(|j| j.payload["to"] == to)
            .collect()
    }

    /// Waits until every job of `kind` is done (none left to run, so none will run again);
    /// returns them.
    pub async fn wait_for_jobs_done(&self, kind: &str) -> Vec<OutboxJob> {
        eventually(&format!("every {kind} job done"), WAIT, async || {
            let jobs = self.outbox_jobs(kind);
            if !jobs.is_empty() && jobs.iter().all(|j| j.done) {
                Ok(jobs)
            } else {
                Err(format!("{jobs:?}"))
            }
        })
        .await
    }

    /// Mints a single-use stream ticket for the event stream at `events_path` (`…/events`)
    /// with `token` (an access token, API key or visitor token); returns the stream's URL
    /// path with `?ticket=`.
    pub async fn stream_url(&self, events_path: &str, token: &str) -> String {
        let mint = match events_path.strip_suffix("/events") {
            Some(base) => format!("{base}/stream-tickets"),
            None => panic!("{events_path} is not an event stream path"),
        };
        let (status, body) = self.post(&mint, Some(token), json!({})).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "minting a stream ticket: {body}"
        );
        let ticket = body["ticket"].as_str().unwrap_or_default();
        assert!(ticket.starts_with("hs_"), "a stream ticket: {body}");
        format!("{events_path}?ticket={ticket}")
    }

    /// Opens the event stream at `path` (with its `?ticket=`), resuming after
    /// `last_event_id`; returns once the server has subscribed it.
    pub async fn event_stream(&self, path: &str, last_event_id: Option<&str>) -> EventStream {
        let mut req = self.client.get(self.url(path));
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id);
        }
        EventStream::open(req).await
    }

    /// Opens the event stream at `path` with `Authorization: Bearer token` (no ticket).
    pub async fn event_stream_with(&self, path: &str, token: &str) -> EventStream {
        EventStream::open(self.client.get(self.url(path)).bearer_auth(token)).await
    }

    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => panic!("request {path}: {e}"),
        };
        let status = resp.status();
        let text = match resp.text().await {
            Ok(t) => t,
            Err(e) => panic!("reading the response to {path}: {e}"),
        };
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.request(reqwest::Method::GET, path, token, None).await
    }
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.request(reqwest::Method::POST, path, token, Some(body))
            .await
    }
    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.request(reqwest::Method::PUT, path, token, Some(body))
            .await
    }
    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.request(reqwest::Method::PATCH, path, token, Some(body))
            .await
    }
    pub async fn delete(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.request(reqwest::Method::DELETE, path, token, None)
            .await
    }

    /// A user with a unique, verified email, logged in. Made the way `handoff create-user`
    /// does, so no verification mail joins the mail a test counts; `auth` tests cover
    /// sign-up through the API and its verification mail.
    pub async fn register_user(&self, name: &str) -> User {
        let email = format!(
            "{}-{}@example.com",
            name.to_lowercase().replace(' ', "."),
            rand::random::<u32>()
        );
        let mut conn = self.async_db().await;
        if let Err(e) = handoff::services::accounts::create_user(
            &mut conn,
            &email,
            name,
            "correct horse battery",
        )
        .await
        {
            panic!("create user {email}: {e}");
        }
        let (status, body) = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login: {body}");
        User {
            id: str_at(&body, "/user/id").to_string(),
            email,
            token: str_at(&body, "access_token").to_string(),
            refresh_token: str_at(&body, "refresh_token").to_string(),
        }
    }

    /// A new API key of workspace `ws`, made by `owner`, named `name`, with these scopes
    /// (`None`: the request names none, so it gets the default); its secret.
    pub async fn api_key(
        &self,
        owner: &str,
        ws: &str,
        name: &str,
        scopes: Option<&[&str]>,
    ) -> String {
        let mut body = json!({ "name": name });
        if let Some(s) = scopes {
            body["scopes"] = json!(s);
        }
        let created = self
            .post(
                &format!("/api/v1/workspaces/{ws}/api-keys"),
                Some(owner),
                body,
            )
            .await
            .expect_status(StatusCode::CREATED);
        str_at(&created, "key").to_string()
    }

    /// Creates a workspace owned by `token`'s user on `plan`; returns its JSON. Workspaces
    /// start on Free; a paid plan is the instance operator's to set, which this does in the
    /// database (`workspaces::plans_are_set_by_the_operator_only` tests the real ways).
    pub async fn create_workspace(&self, token: &str, plan: &str) -> Value {
        let (status, mut body) = self
            .post("/api/v1/workspaces", Some(token), json!({"name": "Acme"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "create workspace: {body}");
        if plan != "free" {
            self.set_plan(str_at(&body, "id"), plan);
            body["plan"] = json!(plan);
        }
        body
    }

    /// Sets a workspace's plan in the database (as `handoff workspace plan` would).
    pub fn set_plan(&self, ws: &str, plan: &str) {
        let updated =
            diesel::sql_query("UPDATE workspaces SET plan = $1::plan WHERE id = $2::uuid")
                .bind::<diesel::sql_types::Text, _>(plan)
                .bind::<diesel::sql_types::Text, _>(ws)
                .execute(&mut self.db());
        assert!(matches!(updated, Ok(1)), "set plan of {ws}: {updated:?}");
    }

    /// An async connection to this app's database, for calling the product's services the
    /// way the CLI does.
    pub async fn async_db(&self) -> diesel_async::AsyncPgConnection {
        match handoff::db::establish(&self.database_url()).await {
            Ok(c) => c,
            Err(e) => panic!("connect to {}: {e}", self.db_name),
        }
    }

    /// Adds `user` to workspace `ws` with `role` through an invitation.
    pub async fn add_member(&self, owner_token: &str, ws: &str, user: &User, role: &str) {
        let (status, body) = self
            .post(
                &format!("/api/v1/workspaces/{ws}/invitations"),
                Some(owner_token),
                json!({"email": user.email, "role": role}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "invite: {body}");
        let token = self.invitation_token_for(&user.email).await;
        let (status, body) = self
            .post(
                "/api/v1/invitations/accept",
                Some(&user.token),
                json!({"token": token}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "accept: {body}");
    }

    /// Reads the invitation token from the mail the outbox wrote for `email`.
    pub async fn invitation_token_for(&self, email: &str) -> String {
        self.link_tokens_for(email, "token=hi_", 1).await.remove(0)
    }

    /// Waits until the mail files to `email` carry at least `n` link tokens after `marker`
    /// (`token=hi_`, `token=ev_`); returns them oldest first (with the marker's prefix).
    pub async fn link_tokens_for(&self, email: &str, marker: &str, n: usize) -> Vec<String> {
        let prefix = marker.rsplit('=').next().unwrap_or_default().to_string();
        eventually(
            &format!("{n} mail(s) to {email} with {marker}"),
            WAIT,
            async || {
                let files = self.mail_files();
                let mut found = Vec::new();
                for m in &files {
                    if m.contains(&format!("To: {email}")) {
                        let decoded = m.replace("=\r\n", "").replace("=3D", "=");
                        if let Some((_, rest)) = decoded.split_once(marker) {
                            let tail: String = rest
                                .chars()
                                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                                .collect();
                            found.push(format!("{prefix}{tail}"));
                        }
                    }
                }
                if found.len() >= n {
                    Ok(found)
                } else {
                    Err(format!(
                        "{} mail files, {} tokens",
                        files.len(),
                        found.len()
                    ))
                }
            },
        )
        .await
    }

    /// Waits for a mail file that satisfies `matches`; returns it.
    pub async fn wait_for_mail_file(&self, what: &str, matches: impl Fn(&str) -> bool) -> String {
        eventually(what, WAIT, async || {
            let files = self.mail_files();
            match files.iter().find(|m| matches(m)) {
                Some(m) => Ok(m.clone()),
                None => Err(format!("{} mail files", files.len())),
            }
        })
        .await
    }

    /// The .eml files written by the file mailer (SMTP_URL unset).
    pub fn mail_files(&self) -> Vec<String> {
        let dir = self.data_dir.join("mail");
        let mut out = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
            paths.sort();
            for p in paths {
                if let Ok(s) = std::fs::read_to_string(p) {
                    out.push(s);
                }
            }
        }
        out
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        // Stop accepting; the runtime ends with the test anyway.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move { handle.stop(false).await });
        }
        if self.owns_db {
            drop_database(&self.db_name);
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}
