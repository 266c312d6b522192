//! Storage: the diesel schema, models, and queries taking `&mut AsyncPgConnection` so that
//! callers decide the transaction.

pub mod ai_usage;
pub mod api_keys;
pub mod articles;
pub mod conversations;
pub mod enums;
pub mod inbox;
pub mod invitations;
pub mod knowledge;
pub mod live;
pub mod mail_quota;
pub mod members;
pub mod models;
pub mod outbox;
pub mod rate_limits;
pub mod refresh_tokens;
pub mod schema;
pub mod stream_leases;
pub mod stream_tickets;
pub mod tickets;
pub mod users;
pub mod verifications;
pub mod webhooks;
pub mod widget_message_keys;
pub mod workspaces;

use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::deadpool::{Object, Pool as DeadPool};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::ApiResult;

pub type Pool = DeadPool<AsyncPgConnection>;
pub type Conn = AsyncPgConnection;
pub type PooledConn = Object<AsyncPgConnection>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

pub fn pool(database_url: &str, max_size: usize) -> anyhow::Result<Pool> {
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(database_url);
    Ok(DeadPool::builder(manager)
        .max_size(max_size)
        .wait_timeout(Some(std::time::Duration::from_secs(5)))
        .create_timeout(Some(std::time::Duration::from_secs(5)))
        .runtime(deadpool::Runtime::Tokio1)
        .build()?)
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

/// Runs pending migrations (blocking diesel harness on a blocking thread).
pub async fn run_migrations(database_url: &str) -> anyhow::Result<Vec<String>> {
    let url = database_url.to_string();
    tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<String>> {
        use diesel::Connection;
        let mut conn = diesel::PgConnection::establish(&url)?;
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
