//! Fixed-window rate limits kept in Postgres, so that every server process shares them.

use std::net::IpAddr;

use actix_web::HttpRequest;
use diesel::QueryableByName;
use diesel::sql_types::{Double, Integer, Text};
use diesel_async::RunQueryDsl;

use crate::config::Config;
use crate::db::{self, Pool};
use crate::error::{ApiError, ApiResult};

#[derive(Clone)]
pub struct Limiter {
    pool: Pool,
    enabled: bool,
}

#[derive(QueryableByName)]
struct Hit {
    #[diesel(sql_type = Integer)]
    count: i32,
    #[diesel(sql_type = Double)]
    remaining: f64,
}

impl Limiter {
    pub fn new(pool: Pool, enabled: bool) -> Self {
        Limiter { pool, enabled }
    }

    /// Counts one hit on `key`; past `limit` hits in the current `window_secs` window → 429
    /// with the seconds until the window ends.
    pub async fn check(&self, key: &str, limit: u32, window_secs: u32) -> ApiResult<()> {
        if !self.enabled {
            return Ok(());
        }
        let mut conn = db::conn(&self.pool).await?;
        let hit: Hit = diesel::sql_query(
            "INSERT INTO rate_limits AS r (key, window_start, count)
             VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1)
             ON CONFLICT (key, window_start) DO UPDATE SET count = r.count + 1
             RETURNING r.count,
                 extract(epoch FROM (r.window_start + make_interval(secs => $2) - now()))::float8 AS remaining",
        )
        .bind::<Text, _>(key)
        .bind::<Integer, _>(window_secs as i32)
        .get_result(&mut conn)
        .await?;
        if hit.count as u32 > limit {
            return Err(ApiError::rate_limited(hit.remaining.ceil().max(1.0) as u64));
        }
        Ok(())
    }

    /// Forgets windows that ended long ago.
    pub async fn cleanup(&self) -> ApiResult<usize> {
        let mut conn = db::conn(&self.pool).await?;
        Ok(diesel::sql_query(
            "DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'",
        )
        .execute(&mut conn)
        .await?)
    }
}

/// The client's IP: the socket peer, or — only when the peer is a trusted proxy — the
/// right-most address of `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_ip(req: &HttpRequest, config: &Config) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !config.is_trusted_proxy(peer) {
        return Some(peer);
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter_map(|s| s.parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|ip| !config.is_trusted_proxy(*ip))
            .unwrap_or(peer),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;
    use std::collections::HashMap;

    fn config(proxies: &str) -> anyhow::Result<Config> {
        let m: HashMap<&str, String> = [
            ("DATABASE_URL", "postgres://x".to_string()),
            ("JWT_SECRET", "k".repeat(40)),
            ("TRUSTED_PROXIES", proxies.to_string()),
        ]
        .into();
        Config::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn forwarded_for_only_behind_trusted_proxies() -> anyhow::Result<()> {
        let req = TestRequest::default()
            .peer_addr("10.0.0.5:1234".parse()?)
            .insert_header(("x-forwarded-for", "203.0.113.9, 10.0.0.7"))
            .to_http_request();
        assert_eq!(client_ip(&req, &config("")?), Some("10.0.0.5".parse()?));
        assert_eq!(
            client_ip(&req, &config("10.0.0.0/8")?),
            Some("203.0.113.9".parse()?)
        );
        Ok(())
    }
}
