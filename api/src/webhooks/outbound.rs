//! Outbound HTTP for webhooks that cannot be turned against the network it runs in.
//!
//! - Which addresses a receiver may have (`AddressPolicy`): public unicast only, unless the
//!   operator opens ranges with `WEBHOOK_ALLOW_PRIVATE_NETWORKS`. Refused by default:
//!   loopback, RFC 1918, CGNAT, link-local (cloud metadata), ULA, NAT64, IPv4-mapped and
//!   -compatible, 6to4/Teredo, unspecified, multicast, broadcast, documentation, benchmark
//!   and reserved ranges.
//! - Resolving once: the client's DNS resolver (`CheckedResolver`) resolves the host within
//!   `DNS_TIMEOUT`, refuses the connection when any address is not allowed, and hands the
//!   checked addresses to the connector, so the request goes to exactly the addresses that
//!   were checked (no second lookup for DNS rebinding to race). Literal IPs in URLs are
//!   checked before the request; redirects are never followed; proxies from the
//!   environment are ignored (they would resolve the host themselves).
//! - Coarse outcomes (`Outcome`): the delivery log says `refused_address`, `timeout`,
//!   `connect_failed`, `http_5xx`…, never the transport's error text, so it cannot map an
//!   internal network. The detail goes to the server log.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// How long resolving a receiver's host may take.
pub const DNS_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a receiver has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// How long connecting to a receiver may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Which addresses webhooks may reach.
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    /// Ranges opened despite being private or reserved (`WEBHOOK_ALLOW_PRIVATE_NETWORKS`).
    allow: Vec<IpNet>,
}

impl AddressPolicy {
    pub fn new(allow: Vec<IpNet>) -> Self {
        AddressPolicy { allow }
    }

    pub fn permits(&self, ip: IpAddr) -> bool {
        let mapped = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4),
            IpAddr::V4(_) => None,
        };
        let opened = |ip: IpAddr| self.allow.iter().any(|n| n.contains(&ip));
        if opened(ip) || mapped.is_some_and(opened) {
            return true;
        }
        !reserved(ip)
    }
}

fn v4_net(a: u8, b: u8, c: u8, d: u8, len: u8) -> (Ipv4Addr, u8) {
    (Ipv4Addr::new(a, b, c, d), len)
}

fn in_v4(ip: Ipv4Addr, (net, len): (Ipv4Addr, u8)) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len))
    };
    (u32::from(ip) & mask) == (u32::from(net) & mask)
}

fn in_v6(ip: Ipv6Addr, net: Ipv6Addr, len: u8) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(len))
    };
    (u128::from(ip) & mask) == (u128::from(net) & mask)
}

/// Every address that is not public unicast Internet: what webhooks refuse by default.
pub fn reserved(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => [
            v4_net(0, 0, 0, 0, 8),       // "this network", unspecified
            v4_net(10, 0, 0, 0, 8),      // private
            v4_net(100, 64, 0, 0, 10),   // CGNAT
            v4_net(127, 0, 0, 0, 8),     // loopback
            v4_net(169, 254, 0, 0, 16),  // link-local, cloud metadata
            v4_net(172, 16, 0, 0, 12),   // private
            v4_net(192, 0, 0, 0, 24),    // IETF protocol assignments
            v4_net(192, 0, 2, 0, 24),    // documentation
            v4_net(192, 88, 99, 0, 24),  // 6to4 relay anycast
            v4_net(192, 168, 0, 0, 16),  // private
            v4_net(198, 18, 0, 0, 15),   // benchmarking
            v4_net(198, 51, 100, 0, 24), // documentation
            v4_net(203, 0, 113, 0, 24),  // documentation
            v4_net(224, 0, 0, 0, 4),     // multicast
            v4_net(240, 0, 0, 0, 4),     // reserved, broadcast
        ]
        .into_iter()
        .any(|net| in_v4(v4, net)),
        IpAddr::V6(v6) => {
            let nets: [(Ipv6Addr, u8); 13] = [
                (Ipv6Addr::UNSPECIFIED, 128),
                (Ipv6Addr::LOCALHOST, 128),
                (Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0), 96), // IPv4-mapped
                (Ipv6Addr::UNSPECIFIED, 96),                      // IPv4-compatible
                (Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96), // NAT64
                (Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48), // local NAT64
                (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64),  // discard
                (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23), // IETF, Teredo
                (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation
                (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16), // 6to4
                (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),  // ULA
                (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 9),  // link-local, site-local
                (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8),  // multicast
            ];
            nets.into_iter().any(|(net, len)| in_v6(v6, net, len))
                || in_v6(v6, Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20) // documentation
        }
    }
}

/// Why no request went out, or how it ended: what the delivery log shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The host is, or resolves to, an address webhooks may not reach.
    RefusedAddress,
    /// The host did not resolve.
    DnsFailed,
    /// Resolving took longer than `DNS_TIMEOUT`.
    DnsTimeout,
    /// The receiver did not answer in time.
    Timeout,
    /// No connection (refused, unreachable, TLS handshake failed).
    ConnectFailed,
    /// The connection broke before an answer.
    RequestFailed,
    /// The receiver answered a redirect (never followed).
    Http3xx,
    Http4xx,
    Http5xx,
    /// Any other non-2xx status.
    HttpOther,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::RefusedAddress => "refused_address",
            Outcome::DnsFailed => "dns_failed",
            Outcome::DnsTimeout => "dns_timeout",
            Outcome::Timeout => "timeout",
            Outcome::ConnectFailed => "connect_failed",
            Outcome::RequestFailed => "request_failed",
            Outcome::Http3xx => "http_3xx",
            Outcome::Http4xx => "http_4xx",
            Outcome::Http5xx => "http_5xx",
            Outcome::HttpOther => "http_other",
        }
    }

    fn of_status(status: u16) -> Outcome {
        match status {
            300..=399 => Outcome::Http3xx,
            400..=499 => Outcome::Http4xx,
            500..=599 => Outcome::Http5xx,
            _ => Outcome::HttpOther,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A resolution the resolver refused; found again in the request error's source chain.
#[derive(Debug)]
struct Refusal(Outcome);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "webhook destination: {}", self.0)
    }
}

impl std::error::Error for Refusal {}

/// Resolves `host` once, within `DNS_TIMEOUT`; every address must be allowed.
async fn resolve_checked(policy: &AddressPolicy, host: &str) -> Result<Vec<SocketAddr>, Outcome> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return if policy.permits(ip) {
            Ok(vec![SocketAddr::new(ip, 0)])
        } else {
            Err(Outcome::RefusedAddress)
        };
    }
    let addrs: Vec<SocketAddr> =
        match tokio::time::timeout(DNS_TIMEOUT, tokio::net::lookup_host((host, 0))).await {
            Err(_) => return Err(Outcome::DnsTimeout),
            Ok(Err(_)) => return Err(Outcome::DnsFailed),
            Ok(Ok(addrs)) => addrs.collect(),
        };
    if addrs.is_empty() {
        return Err(Outcome::DnsFailed);
    }
    // One disallowed answer refuses them all: a name that mixes a public and an internal
    // address is an attack, not a configuration.
    if addrs.iter().any(|a| !policy.permits(a.ip())) {
        return Err(Outcome::RefusedAddress);
    }
    Ok(addrs)
}

/// reqwest's resolver for webhook requests: the only lookup a request gets.
struct CheckedResolver {
    policy: Arc<AddressPolicy>,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            match resolve_checked(&policy, &host).await {
                Ok(addrs) => Ok(Box::new(addrs.into_iter()) as Addrs),
                Err(outcome) => Err(Box::new(Refusal(outcome)) as _),
            }
        })
    }
}

/// What one POST gave: the receiver's status when it answered, and the outcome when the
/// delivery failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub status: Option<u16>,
    pub failure: Option<Outcome>,
}

/// The webhook HTTP client of a process.
pub struct Outbound {
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
}

impl Outbound {
    pub fn new(policy: AddressPolicy) -> anyhow::Result<Self> {
        let policy = Arc::new(policy);
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(CheckedResolver {
                policy: policy.clone(),
            }))
            .user_agent(concat!("Handoff-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Outbound { client, policy })
    }

    pub fn policy(&self) -> &AddressPolicy {
        &self.policy
    }

    /// Whether a URL's host may be saved as a webhook destination: refused when it is, or
    /// resolves to, an address the policy refuses. A name that does not resolve (yet) is
    /// accepted; every delivery checks again.
    pub async fn destination_allowed(&self, url: &url::Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        !matches!(
            resolve_checked(&self.policy, host).await,
            Err(Outcome::RefusedAddress)
        )
    }

    /// POSTs `body` to `url` with `headers`.
    pub async fn post(&self, url: &str, headers: &[(&str, String)], body: Vec<u8>) -> Sent {
        let failed = |outcome| Sent {
            status: None,
            failure: Some(outcome),
        };
        let Ok(parsed) = url::Url::parse(url) else {
            return failed(Outcome::RefusedAddress);
        };
        // The resolver never sees literal IPs: check them here.
        let literal = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            Some(url::Host::Domain(_)) => None,
            None => return failed(Outcome::RefusedAddress),
        };
        if literal.is_some_and(|ip| !self.policy.permits(ip)) {
            tracing::info!(host = ?parsed.host_str(), "webhook destination refused");
            return failed(Outcome::RefusedAddress);
        }
        let mut req = self.client.post(parsed);
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        match req.body(body).send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                Sent {
                    status: Some(status),
                    failure: (!resp.status().is_success()).then(|| Outcome::of_status(status)),
                }
            }
            Err(e) => {
                let outcome = classify(&e);
                tracing::info!(outcome = outcome.code(), error = %e, "webhook request failed");
                failed(outcome)
            }
        }
    }
}

/// The coarse outcome of a failed request.
fn classify(e: &reqwest::Error) -> Outcome {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(Refusal(outcome)) = err.downcast_ref::<Refusal>() {
            return *outcome;
        }
        source = err.source();
    }
    if e.is_timeout() {
        Outcome::Timeout
    } else if e.is_connect() {
        Outcome::ConnectFailed
    } else {
        Outcome::RequestFailed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        match s.parse() {
            Ok(ip) => ip,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    #[test]
    fn internal_and_reserved_addresses_are_refused_by_default() {
        let policy = AddressPolicy::default();
        for bad in [
            "127.0.0.1",
            "127.8.9.10",
            "10.0.0.5",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.10",
            "100.64.0.1",
            "100.127.255.254",
            "169.254.169.254",
            "0.0.0.0",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::",
            "::1",
            "fe80::1",
            "fec0::1",
            "fd00:ec2::254",
            "fc00::1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::1",
            "::ffff:127.0.0.1",
            "::ffff:8.8.8.8",
            "::a9fe:a9fe",
            "2001:db8::1",
            "2001::1",
            "2002:7f00:1::",
            "ff02::1",
            "100::1",
            "3fff::1",
        ] {
            assert!(!policy.permits(ip(bad)), "{bad} must be refused");
        }
        for ok in [
            "93.184.216.34",
            "8.8.8.8",
            "100.128.0.1",
            "172.32.0.1",
            "2606:2800:220:1::",
            "2a00:1450:4001::1",
        ] {
            assert!(policy.permits(ip(ok)), "{ok} must be allowed");
        }
    }

    #[test]
    fn the_operator_opens_chosen_ranges_only() -> anyhow::Result<()> {
        let policy = AddressPolicy::new(vec!["127.0.0.0/8".parse()?, "fd00::/8".parse()?]);
        assert!(policy.permits(ip("127.0.0.1")));
        assert!(policy.permits(ip("::ffff:127.0.0.1")));
        assert!(policy.permits(ip("fd12::1")));
        assert!(!policy.permits(ip("10.0.0.1")));
        assert!(!policy.permits(ip("169.254.169.254")));
        assert!(!policy.permits(ip("::1")));
        Ok(())
    }

    #[tokio::test]
    async fn a_name_is_resolved_once_and_checked() {
        let policy = AddressPolicy::default();
        assert_eq!(
            resolve_checked(&policy, "localhost").await,
            Err(Outcome::RefusedAddress)
        );
        let open = AddressPolicy::new(vec![IpNet::from(ip("127.0.0.1")), IpNet::from(ip("::1"))]);
        let addrs = resolve_checked(&open, "localhost").await;
        assert!(addrs.as_ref().is_ok_and(|a| !a.is_empty()), "{addrs:?}");
        assert_eq!(
            resolve_checked(&policy, "[::1]").await,
            Err(Outcome::RefusedAddress)
        );
    }
}
