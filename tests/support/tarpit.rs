//! A tarpit HTTP receiver for tests: accepts every connection, reads the request and never
//! answers (until the server is dropped), recording when each request arrived. A webhook
//! pointed at it holds its delivery attempt until the client's timeout.
//!
//! ```ignore
//! let tarpit = Tarpit::start().await;
//! // … a webhook to tarpit.url("/hooks") …
//! assert_eq!(tarpit.arrivals().len(), 1);
//! ```

use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

pub struct Tarpit {
    port: u16,
    arrivals: Arc<Mutex<Vec<Instant>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Tarpit {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Tarpit {
    /// Listens on 127.0.0.1 on a free port.
    pub async fn start() -> Self {
        let listener = match TcpListener::bind("127.0.0.1:0").await {
            Ok(l) => l,
            Err(e) => panic!("tarpit: bind failed: {e}"),
        };
        let port = match listener.local_addr() {
            Ok(a) => a.port(),
            Err(e) => panic!("tarpit: no local address: {e}"),
        };
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let recorded = arrivals.clone();
        let task = tokio::spawn(async move {
            let mut held = tokio::task::JoinSet::new();
            while let Ok((mut stream, _)) = listener.accept().await {
                let recorded = recorded.clone();
                held.spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    let mut seen = Vec::new();
                    let mut counted = false;
                    // Read until the client gives up; a request counts once its head is in.
                    while let Ok(n) = stream.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        seen.extend_from_slice(&buf[..n]);
                        if !counted && seen.windows(4).any(|w| w == b"\r\n\r\n") {
                            counted = true;
                            match recorded.lock() {
                                Ok(mut a) => a.push(Instant::now()),
                                Err(p) => p.into_inner().push(Instant::now()),
                            }
                        }
                    }
                });
            }
        });
        Tarpit {
            port,
            arrivals,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// When each request arrived, in order.
    pub fn arrivals(&self) -> Vec<Instant> {
        match self.arrivals.lock() {
            Ok(a) => a.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
}
