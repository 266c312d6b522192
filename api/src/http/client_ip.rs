//! The client's address, believing `X-Forwarded-For` only from trusted proxies.

use std::net::IpAddr;

use actix_web::HttpRequest;

use crate::config::Config;

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

/// The client's address as a rate-limit subject (`unknown` without a peer address).
pub fn ip_key(req: &HttpRequest, config: &Config) -> String {
    client_ip(req, config)
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;
    use std::collections::HashMap;

    fn config(proxies: &str) -> anyhow::Result<Config> {
        let m: HashMap<&str, String> = [
            ("DATABASE_URL", "postgres://x".to_string()),
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
