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

/// The client's network as a rate-limit subject (`unknown` without a peer address): an
/// IPv4 address, or the /64 of an IPv6 one (one subscriber gets a whole /64, so counting
/// single IPv6 addresses would let anyone rotate past every limit).
pub fn ip_key(req: &HttpRequest, config: &Config) -> String {
    client_ip(req, config)
        .map(network_key)
        .unwrap_or_else(|| "unknown".into())
}

/// See `ip_key`.
pub fn network_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{net}/64")
            }
        },
    }
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
    fn ipv6_clients_are_counted_by_their_64() -> anyhow::Result<()> {
        let a = network_key("2001:db8:1:2:aaaa::1".parse()?);
        let b = network_key("2001:db8:1:2:ffff:1234::9".parse()?);
        assert_eq!(a, "2001:db8:1:2::/64");
        assert_eq!(a, b, "addresses of one /64 share their limits");
        assert_ne!(a, network_key("2001:db8:1:3::1".parse()?));
        assert_eq!(network_key("203.0.113.9".parse()?), "203.0.113.9");
        assert_eq!(network_key("::ffff:203.0.113.9".parse()?), "203.0.113.9");
        Ok(())
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
