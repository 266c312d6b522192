//! Storage: the diesel schema, models, and queries taking `&mut AsyncPgConnection` so that
//! callers decide the transaction.

pub mod ai_usage;
pub mod api_keys;
pub mod articles;
pub mod attachments;
pub mod audit;
pub mod connect;
pub mod conversations;
pub mod enums;
pub mod inbound_emails;
pub mod inbox;
pub mod invitations;
pub mod knowledge;
pub mod live;
pub mod mail_quota;
pub mod members;
pub mod merge;
pub mod models;
pub mod notes;
pub mod outbox;
pub mod privacy;
pub mod rate_limits;
pub mod reads;
pub mod refresh_tokens;
pub mod saved_replies;
pub mod schema;
pub mod stream_leases;
pub mod stream_tickets;
pub mod tags;
pub mod tickets;
pub mod users;
pub mod verifications;
pub mod viewers;
pub mod webhooks;
pub mod widget_message_keys;
pub mod workspaces;

use anyhow::Context;
use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::deadpool::{Object, Pool as DeadPool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub use self::connect::Database;
use crate::error::ApiResult;

pub type Pool = DeadPool<AsyncPgConnection>;
pub type Conn = AsyncPgConnection;
pub type PooledConn = Object<AsyncPgConnection>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// The connection pool. Its connections are made by [`Database::establish`], so they are
/// encrypted (and the server verified) as `DATABASE_URL`'s `sslmode` asks.
pub fn pool(database_url: &str, max_size: usize) -> anyhow::Result<Pool> {
    let database = Database::from_url(database_url)?;
    let mut setup = ManagerConfig::<AsyncPgConnection>::default();
    setup.custom_setup = Box::new(move |_url| {
        let database = database.clone();
        Box::pin(async move { database.establish().await })
    });
    let manager =
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, setup);
    Ok(DeadPool::builder(manager)
        .max_size(max_size)
        .wait_timeout(Some(std::time::Duration::from_secs(5)))
        .create_timeout(Some(std::time::Duration::from_secs(5)))
        .runtime(deadpool::Runtime::Tokio1)
        .build()?)
}

/// One connection outside the pool (the CLI commands), made as the pool's are.
pub async fn establish(database_url: &str) -> anyhow::Result<AsyncPgConnection> {
    let database = Database::from_url(database_url)?;
    Ok(database.establish().await?)
}

/// A pooled connection, or 503 when Postgres is unreachable.
pub async fn conn(pool: &Pool) -> ApiResult<PooledConn> {
    Ok(pool.get().await?)
}

/// `SELECT 1`: the database answers.
pub async fn ping(conn: &mut Conn) -> diesel::QueryResult<()> {
    use diesel_async::RunQueryDsl;
    diesel::sql_query("SELECT 1")
        .execute(conn)
        .await
        .map(|_| ())
}

/// Runs pending migrations: diesel's blocking harness on a blocking thread, over a
/// connection made as the pool's are (so over TLS when `sslmode` asks for it).
pub async fn run_migrations(database_url: &str) -> anyhow::Result<Vec<String>> {
    use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
    let database = Database::from_url(database_url)?;
    let conn = database
        .establish()
        .await
        .context("connecting to run the migrations")?;
    tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<String>> {
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::from(conn);
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!(e).context("running migrations"))?;
        Ok(applied.iter().map(|m| m.to_string()).collect())
    })
    .await?
}

/// Reverts every migration (used by the up/down/up migration test).
pub fn revert_all_migrations(conn: &mut diesel::PgConnection) -> anyhow::Result<usize> {
    let reverted = conn
        .revert_all_migrations(MIGRATIONS)
        .map_err(|e| anyhow::anyhow!(e).context("reverting migrations"))?;
    Ok(reverted.len())
}
