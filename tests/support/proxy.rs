//! A TCP proxy that can make its connections go silent, the way a NAT or load balancer
//! that forgot an idle connection does: the sockets stay open and every byte sent is
//! accepted, but nothing arrives at the other end and no answer comes back.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
struct Shared {
    /// Ids of the connections accepted so far.
    next: AtomicU64,
    /// Connections with a lower id forward nothing any more.
    silent_below: AtomicU64,
}

pub struct SilencingProxy {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    accept: tokio::task::JoinHandle<()>,
}

impl Drop for SilencingProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl SilencingProxy {
    /// Listens on a free loopback port and forwards every connection to `upstream`.
    pub async fn start(upstream: SocketAddr) -> SilencingProxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("proxy bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("proxy address: {e}"));
        let shared = Arc::new(Shared::default());
        let s = shared.clone();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let id = s.next.fetch_add(1, Ordering::SeqCst);
                let s = s.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let (cr, cw) = client.into_split();
                    let (sr, sw) = server.into_split();
                    let up = tokio::spawn(pipe(cr, sw, id, s.clone()));
                    let down = tokio::spawn(pipe(sr, cw, id, s));
                    let _ = tokio::join!(up, down);
                });
            }
        });
        SilencingProxy {
            addr,
            shared,
            accept,
        }
    }

    /// Every connection open now goes silent (both ways); later ones work.
    pub fn silence_existing(&self) {
        let n = self.shared.next.load(Ordering::SeqCst);
        self.shared.silent_below.store(n, Ordering::SeqCst);
    }

    /// `url` (a Postgres URL) pointed at this proxy.
    pub fn url_through(&self, url: &str) -> String {
        let mut u = url::Url::parse(url).unwrap_or_else(|e| panic!("bad url {url}: {e}"));
        let _ = u.set_host(Some(&self.addr.ip().to_string()));
        let _ = u.set_port(Some(self.addr.port()));
        u.to_string()
    }
}

/// Copies `from` to `to` until either side closes; once the connection is silenced it
/// keeps reading (so the sender sees its bytes accepted) and drops what it reads.
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    id: u64,
    shared: Arc<Shared>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if id < shared.silent_below.load(Ordering::SeqCst) {
            continue;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

/// The `host:port` of a Postgres URL, resolved.
pub fn socket_of(url: &str) -> SocketAddr {
    let u = url::Url::parse(url).unwrap_or_else(|e| panic!("bad url {url}: {e}"));
    let host = u.host_str().unwrap_or("127.0.0.1").to_string();
    let port = u.port().unwrap_or(5432);
    use std::net::ToSocketAddrs;
    (host.as_str(), port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .unwrap_or_else(|| panic!("cannot resolve {host}:{port}"))
}
