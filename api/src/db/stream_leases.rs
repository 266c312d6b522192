//! Stream leases: one row per open event stream of any server process, so per-holder and
//! per-network stream caps hold across processes (see `events::slots`).

use diesel::sql_types::{BigInt, Text, Uuid as SqlUuid};
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::Conn;

/// Advisory-lock classes (the first key of `pg_advisory_xact_lock(int, int)`): holders are
/// always locked before networks, so two acquisitions can't wait on each other.
const LOCK_HOLDER: i32 = 0x5354_0001;
const LOCK_NETWORK: i32 = 0x5354_0002;

/// What a new lease would exceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Over {
    Holder,
    Network,
}

/// A lease to take.
pub struct NewLease<'a> {
    pub id: Uuid,
    pub process_id: Uuid,
    pub holder: &'a str,
    pub holder_cap: i64,
    pub network: &'a str,
    pub network_cap: i64,
    pub ttl_secs: i64,
}

#[derive(QueryableByName)]
struct Counts {
    #[diesel(sql_type = BigInt)]
    holder_n: i64,
    #[diesel(sql_type = BigInt)]
    network_n: i64,
}

/// Takes a lease unless the holder or the network already holds its cap of live ones. The
/// count and the insert run under transaction-scoped advisory locks on the holder and the
/// network, so concurrent openings on any processes can't both pass the same last slot.
/// Each count stops at its cap (`LIMIT`), served by its index.
pub async fn take(conn: &mut Conn, lease: &NewLease<'_>) -> QueryResult<Result<(), Over>> {
    conn.transaction::<_, diesel::result::Error, _>(async |c| {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
            .bind::<diesel::sql_types::Integer, _>(LOCK_HOLDER)
            .bind::<Text, _>(lease.holder)
            .execute(c)
            .await?;
        diesel::sql_query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
            .bind::<diesel::sql_types::Integer, _>(LOCK_NETWORK)
            .bind::<Text, _>(lease.network)
            .execute(c)
            .await?;
        let counts: Counts = diesel::sql_query(
            "SELECT
               (SELECT count(*) FROM (SELECT 1 FROM stream_leases
                  WHERE holder = $1 AND expires_at > now() LIMIT $2) h) AS holder_n,
               (SELECT count(*) FROM (SELECT 1 FROM stream_leases
                  WHERE network = $3 AND expires_at > now() LIMIT $4) n) AS network_n",
        )
        .bind::<Text, _>(lease.holder)
        .bind::<BigInt, _>(lease.holder_cap)
        .bind::<Text, _>(lease.network)
        .bind::<BigInt, _>(lease.network_cap)
        .get_result(c)
        .await?;
        if counts.holder_n >= lease.holder_cap {
            return Ok(Err(Over::Holder));
        }
        if counts.network_n >= lease.network_cap {
            return Ok(Err(Over::Network));
        }
        diesel::sql_query(
            "INSERT INTO stream_leases (id, process_id, holder, network, expires_at)
             VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5::float8))",
        )
        .bind::<SqlUuid, _>(lease.id)
        .bind::<SqlUuid, _>(lease.process_id)
        .bind::<Text, _>(lease.holder)
        .bind::<Text, _>(lease.network)
        .bind::<BigInt, _>(lease.ttl_secs)
        .execute(c)
        .await?;
        Ok(Ok(()))
    })
    .await
}

/// Gives a lease back (its stream ended).
pub async fn release(conn: &mut Conn, id: Uuid) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM stream_leases WHERE id = $1")
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await
}

/// Extends every lease of a process (one statement per process, however many streams).
pub async fn renew(conn: &mut Conn, process_id: Uuid, ttl_secs: i64) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE stream_leases SET expires_at = now() + make_interval(secs => $2::float8)
          WHERE process_id = $1",
    )
    .bind::<SqlUuid, _>(process_id)
    .bind::<BigInt, _>(ttl_secs)
    .execute(conn)
    .await
}

/// Deletes up to `batch` lapsed leases (of processes that died without giving them back).
pub async fn purge_lapsed(conn: &mut Conn, batch: i64) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM stream_leases WHERE id IN (
             SELECT id FROM stream_leases WHERE expires_at <= now()
              ORDER BY expires_at LIMIT $1)",
    )
    .bind::<BigInt, _>(batch)
    .execute(conn)
    .await
}

/// Live leases of a holder now, on every process (`stream_leases_holder_idx`).
pub async fn live_count(conn: &mut Conn, holder: &str) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let row: N = diesel::sql_query(
        "SELECT count(*) AS n FROM stream_leases WHERE holder = $1 AND expires_at > now()",
    )
    .bind::<Text, _>(holder)
    .get_result(conn)
    .await?;
    Ok(row.n)
}
