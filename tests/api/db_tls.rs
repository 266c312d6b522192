//! Postgres over TLS (issue 10, M9): `sslmode` and `sslrootcert` in DATABASE_URL mean what
//! they mean to libpq, for every connection the server opens (pool, LISTEN connection,
//! migrations). Each test starts a private cluster with `ssl = on` and a certificate made
//! here by a CA made here.

use std::time::Duration;

use handoff::db::Database;
use handoff::db::connect::SslMode;
use handoff_tests::TestApp;
use handoff_tests::pg::{Accept, PrivatePostgres, ServerTls};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};

use crate::tickets::setup_with;

/// `expect` for this file's setup steps (the crate's lints keep `expect` to `#[test]`s).
trait Must<T> {
    fn must(self, what: &str) -> T;
}

impl<T, E: std::fmt::Display> Must<T> for Result<T, E> {
    fn must(self, what: &str) -> T {
        match self {
            Ok(v) => v,
            Err(e) => panic!("{what}: {e}"),
        }
    }
}

/// The name on the server's certificate (connections go to 127.0.0.1 through `hostaddr`,
/// so no name needs to resolve).
const SERVER_NAME: &str = "db.handoff.test";

struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).must("CA params");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let key = KeyPair::generate().must("CA key");
        Ca {
            issuer: CertifiedIssuer::self_signed(params, key).must("CA certificate"),
        }
    }

    /// A server certificate for `name`, signed by this CA.
    fn server(&self, name: &str, accept: Accept) -> ServerTls {
        let params = CertificateParams::new(vec![name.to_string()]).must("server params");
        let key = KeyPair::generate().must("server key");
        let cert = params.signed_by(&key, &self.issuer).must("server cert");
        ServerTls {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            accept,
        }
    }

    /// Writes the CA certificate to a file; returns its path.
    fn write(&self, dir: &std::path::Path, file: &str) -> String {
        let path = dir.join(file);
        std::fs::write(&path, self.issuer.pem()).must("write CA file");
        path.display().to_string()
    }
}

fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "handoff-tls-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).must("temp dir");
    dir
}

/// `postgres://…` to the cluster as `host` (the name TLS checks) at 127.0.0.1, with `query`.
fn url(pg: &PrivatePostgres, host: &str, db: &str, query: &str) -> String {
    format!(
        "postgres://postgres@{host}:{}/{db}?hostaddr=127.0.0.1&{query}",
        pg.port
    )
}

async fn start(tls: ServerTls) -> PrivatePostgres {
    tokio::task::spawn_blocking(move || PrivatePostgres::start_with_tls(&tls))
        .await
        .must("start the private cluster")
}

fn admin_exec(pg: &PrivatePostgres, sql: &str) {
    use diesel::{Connection, RunQueryDsl};
    let mut admin =
        diesel::PgConnection::establish(&pg.socket_conninfo("postgres")).must("connect");
    diesel::sql_query(sql).execute(&mut admin).must(sql);
}

/// How many client connections to `db` are (`true`) or are not (`false`) encrypted, by
/// `application_name` when given.
fn connections(pg: &PrivatePostgres, db: &str, ssl: bool, app: Option<&str>) -> i64 {
    use diesel::{Connection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut admin =
        diesel::PgConnection::establish(&pg.socket_conninfo("postgres")).must("connect");
    let rows: Vec<N> = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
          WHERE a.datname = $1 AND a.backend_type = 'client backend' AND s.ssl = $2
            AND ($3::text IS NULL OR a.application_name = $3)",
    )
    .bind::<diesel::sql_types::Text, _>(db)
    .bind::<diesel::sql_types::Bool, _>(ssl)
    .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(app)
    .load(&mut admin)
    .must("count connections");
    rows.first().map(|r| r.n).unwrap_or_default()
}

/// Whether a connection made from `url` is encrypted (the server's view).
async fn connects_encrypted(url: &str) -> Result<bool, String> {
    let db = Database::from_url(url).map_err(|e| format!("{e:#}"))?;
    let (client, connection) = db.connect().await.map_err(|e| db.explain(&e))?;
    let driver = tokio::spawn(connection);
    let row = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .map_err(|e| e.to_string())?;
    drop(client);
    let _ = driver.await;
    Ok(row.get(0))
}

/// The server starts on a TLS-only cluster with `sslmode=verify-full`: migrations, the
/// pool and the LISTEN connection all go over TLS, a write succeeds and its live event
/// arrives; a wrong CA stops the server at startup with a message that says why; and
/// plaintext (`sslmode=disable`) is refused by the server.
#[tokio::test]
async fn the_server_runs_over_verified_tls_and_refuses_a_wrong_ca() {
    let dir = temp_dir();
    let ca = Ca::new("Handoff test CA");
    let other_ca = Ca::new("Someone else's CA");
    let ca_file = ca.write(&dir, "ca.pem");
    let other_ca_file = other_ca.write(&dir, "other-ca.pem");
    let pg = start(ca.server(SERVER_NAME, Accept::TlsOnly)).await;
    admin_exec(&pg, "CREATE DATABASE handoff");
    let verified = url(
        &pg,
        SERVER_NAME,
        "handoff",
        &format!("sslmode=verify-full&sslrootcert={ca_file}"),
    );

    // Migrations over TLS (the way `handoff serve` and `handoff migrate` run them).
    let applied = handoff::db::run_migrations(&verified)
        .await
        .must("migrations over verify-full");
    assert!(!applied.is_empty(), "migrations applied");

    let app = TestApp::builder().database_url(&verified).spawn().await;
    let s = setup_with(app).await;
    let stream = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let mut events = s.app.event_stream(&stream, None).await;
    let t = s.create("tls@example.com", "Over TLS").await;
    events
        .next_event(|e| e.name == "ticket.created" && e.data["id"] == t["id"])
        .await;
    // The server's view: the listener's connection and the pool's are encrypted, and none
    // of the server's connections is not (pg_hba would refuse them anyway).
    assert_eq!(
        connections(
            &pg,
            "handoff",
            true,
            Some(handoff::events::bus::LISTENER_NAME)
        ),
        1,
        "the LISTEN connection is encrypted"
    );
    assert!(connections(&pg, "handoff", true, None) >= 2);
    assert_eq!(connections(&pg, "handoff", false, None), 0);

    // A CA that did not sign the server's certificate: `serve` stops at startup and says why.
    let wrong = url(
        &pg,
        SERVER_NAME,
        "handoff",
        &format!("sslmode=verify-full&sslrootcert={other_ca_file}"),
    );
    let (code, stderr) = serve_until_exit(&wrong, &dir).await;
    assert_ne!(code, Some(0), "serve with the wrong CA must fail: {stderr}");
    assert!(
        stderr.contains("sslmode=verify-full")
            && stderr.contains("invalid peer certificate")
            && stderr.contains(&format!("{SERVER_NAME}:{}", pg.port)),
        "the startup error names the target, the mode and the certificate problem: {stderr}"
    );

    // Plaintext is refused by the cluster (pg_hba has only `hostssl`), with the server's
    // own reason.
    let plain = url(&pg, SERVER_NAME, "handoff", "sslmode=disable");
    let refused = connects_encrypted(&plain)
        .await
        .expect_err("plaintext must be refused");
    assert!(refused.contains("no encryption"), "{refused}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// What each `sslmode` checks: `verify-ca` the chain only, `verify-full` the name too,
/// `require` encrypts and checks nothing (unless given a CA, as libpq), `prefer` encrypts
/// when it can.
#[tokio::test]
async fn each_sslmode_checks_what_libpq_checks() {
    let dir = temp_dir();
    let ca = Ca::new("Handoff test CA");
    let other_ca = Ca::new("Someone else's CA");
    let ca_file = ca.write(&dir, "ca.pem");
    let other_ca_file = other_ca.write(&dir, "other-ca.pem");
    let pg = start(ca.server(SERVER_NAME, Accept::TlsOnly)).await;
    let to = |host: &str, query: &str| url(&pg, host, "postgres", query);
    // Right CA, right name.
    for mode in ["verify-full", "verify-ca", "require"] {
        let u = to(
            SERVER_NAME,
            &format!("sslmode={mode}&sslrootcert={ca_file}"),
        );
        assert_eq!(connects_encrypted(&u).await, Ok(true), "{mode}");
    }
    // Right CA, another name: only verify-full minds.
    let elsewhere = "other.handoff.test";
    let e = connects_encrypted(&to(
        elsewhere,
        &format!("sslmode=verify-full&sslrootcert={ca_file}"),
    ))
    .await
    .expect_err("verify-full checks the name");
    assert!(
        e.contains("not valid for name \"other.handoff.test\""),
        "{e}"
    );
    let u = to(
        elsewhere,
        &format!("sslmode=verify-ca&sslrootcert={ca_file}"),
    );
    assert_eq!(connects_encrypted(&u).await, Ok(true), "verify-ca");
    // The wrong CA: verify-ca refuses, and so does require given that CA.
    for mode in ["verify-ca", "require"] {
        let u = to(
            SERVER_NAME,
            &format!("sslmode={mode}&sslrootcert={other_ca_file}"),
        );
        let e = connects_encrypted(&u).await.expect_err(mode);
        assert!(e.contains("UnknownIssuer"), "{mode}: {e}");
    }
    // No CA: require and prefer encrypt without checking; no sslmode means prefer.
    for query in ["sslmode=require", "sslmode=prefer", "application_name=x"] {
        assert_eq!(
            connects_encrypted(&to(elsewhere, query)).await,
            Ok(true),
            "{query}"
        );
    }
    assert_eq!(
        Database::from_url(&to(elsewhere, "application_name=x"))
            .must("parse")
            .ssl_mode(),
        SslMode::Prefer
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `prefer` falls back to plaintext when the server refuses the encrypted session, as libpq
/// does; `require` does not.
#[tokio::test]
async fn prefer_falls_back_to_plaintext_and_require_does_not() {
    let ca = Ca::new("Handoff test CA");
    let pg = start(ca.server(SERVER_NAME, Accept::PlaintextOnly)).await;
    let to = |query: &str| url(&pg, SERVER_NAME, "postgres", query);
    assert_eq!(connects_encrypted(&to("sslmode=prefer")).await, Ok(false));
    assert_eq!(connects_encrypted(&to("sslmode=disable")).await, Ok(false));
    assert_eq!(connects_encrypted(&to("sslmode=allow")).await, Ok(false));
    let e = connects_encrypted(&to("sslmode=require"))
        .await
        .expect_err("require never goes plaintext");
    assert!(e.contains("SSL encryption"), "{e}");
}

/// Runs `serve` (the test crate's copy) with `database_url` until it exits (at most a
/// minute); returns its exit code and standard error.
async fn serve_until_exit(database_url: &str, dir: &std::path::Path) -> (Option<i32>, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .must("spare port")
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handoff-test-serve"))
        .env("DATABASE_URL", database_url)
        .env("JWT_SECRET", "MFOmNW3Ay2X+A7rntkkCVqiSCxyevE6+XmVPUdtnosc=")
        .env("DATA_DIR", dir.join("data"))
        .env("FRONTEND_DIR", dir.join("no-frontend"))
        .env("BIND", format!("127.0.0.1:{port}"))
        .env("EMBEDDINGS", "off")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .must("start serve");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let code = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status.code(),
            Ok(None) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("serve with a wrong CA did not exit within a minute");
            }
        }
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
    }
    (code, stderr)
}
