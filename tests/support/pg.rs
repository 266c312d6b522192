//! A private Postgres cluster on a spare port, for fault tests that stop and restart the
//! database under a running server (the shared test server can't be stopped). Made with
//! the installed PostgreSQL binaries (`/usr/lib/postgresql/<n>/bin`, as
//! `scripts/ensure-postgres.sh` finds them), run as the `postgres` user when we are root
//! (initdb refuses root). The cluster is stopped and deleted on drop.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct PrivatePostgres {
    pub port: u16,
    dir: PathBuf,
    bin: PathBuf,
}

/// Which TCP connections a TLS cluster's `pg_hba.conf` lets in (Unix sockets always).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accept {
    /// `hostssl` only: plaintext TCP is refused.
    TlsOnly,
    /// `hostnossl` only: the server offers TLS, but refuses encrypted sessions.
    PlaintextOnly,
}

/// A server certificate and its key (PEM), for [`PrivatePostgres::start_with_tls`].
pub struct ServerTls {
    pub cert_pem: String,
    pub key_pem: String,
    pub accept: Accept,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .is_some_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The newest installed PostgreSQL's `bin` directory.
fn bin_dir() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "fault tests need the PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/<n>/bin: apt-get install postgresql"
        ),
    }
}

/// Runs `program args…` (as `postgres` when we are root); panics with its output on failure.
fn run(program: &Path, args: &[&str]) {
    let quoted: Vec<String> = std::iter::once(program.display().to_string())
        .chain(args.iter().map(|a| a.to_string()))
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    let line = quoted.join(" ");
    let out = if is_root() {
        Command::new("su")
            .args(["postgres", "-s", "/bin/sh", "-c", &line])
            .output()
    } else {
        Command::new("sh").args(["-c", &line]).output()
    };
    match out {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!(
            "{line}: {}\n{}{}",
            o.status,
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!("{line}: {e}"),
    }
}

fn spare_port() -> u16 {
    match std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(a) => a.port(),
        Err(e) => panic!("finding a spare port: {e}"),
    }
}

impl PrivatePostgres {
    /// initdb and start a cluster; blocking (call it from `spawn_blocking`).
    pub fn start() -> PrivatePostgres {
        Self::start_with(None)
    }

    /// A cluster with `ssl = on` and `tls`'s certificate, whose `pg_hba.conf` accepts TCP
    /// connections only as `tls.accept` says; blocking.
    pub fn start_with_tls(tls: &ServerTls) -> PrivatePostgres {
        Self::start_with(Some(tls))
    }

    fn start_with(tls: Option<&ServerTls>) -> PrivatePostgres {
        let bin = bin_dir();
        let dir = std::env::temp_dir().join(format!(
            "handoff-pg-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        if let Err(e) = std::fs::create_dir_all(&dir) {
            panic!("creating {}: {e}", dir.display());
        }
        // The cluster's files belong to the user that runs it.
        if is_root()
            && !Command::new("chown")
                .args(["postgres", &dir.display().to_string()])
                .status()
                .is_ok_and(|s| s.success())
        {
            panic!("chown postgres {}", dir.display());
        }
        let data = dir.join("data").display().to_string();
        run(
            &bin.join("initdb"),
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
        );
        if let Some(tls) = tls {
            configure_tls(&dir, tls);
        }
        let pg = PrivatePostgres {
            port: spare_port(),
            dir,
            bin,
        };
        pg.start_again();
        pg
    }

    /// The server URL of database `db`.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// A libpq key=value string for database `db` over the cluster's Unix socket (which
    /// needs no TLS: for the test's own setup and assertions).
    pub fn socket_conninfo(&self, db: &str) -> String {
        format!(
            "host={} port={} user=postgres dbname={db}",
            self.dir.display(),
            self.port
        )
    }

    /// Starts the (stopped) cluster again and waits until it accepts connections.
    pub fn start_again(&self) {
        let data = self.dir.join("data").display().to_string();
        let log = self.dir.join("log").display().to_string();
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            self.port,
            self.dir.display()
        );
        run(
            &self.bin.join("pg_ctl"),
            &[
                "-D", &data, "-l", &log, "-o", &opts, "-w", "-t", "60", "start",
            ],
        );
    }

    /// Stops the cluster: `fast` disconnects every client (as a failover or a restart
    /// does) and waits until it is down.
    pub fn stop(&self) {
        let data = self.dir.join("data").display().to_string();
        run(
            &self.bin.join("pg_ctl"),
            &["-D", &data, "-m", "fast", "-w", "-t", "60", "stop"],
        );
    }
}

/// Writes the certificate and key (the key 0600, both the `postgres` user's, as the server
/// demands), turns `ssl` on and replaces `pg_hba.conf`.
fn configure_tls(dir: &Path, tls: &ServerTls) {
    use std::os::unix::fs::PermissionsExt;
    let data = dir.join("data");
    let cert = dir.join("server.crt");
    let key = dir.join("server.key");
    let write = |path: &Path, text: &str, mode: u32| {
        if let Err(e) = std::fs::write(path, text)
            .and_then(|()| std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)))
        {
            panic!("writing {}: {e}", path.display());
        }
        if is_root()
            && !Command::new("chown")
                .args(["postgres", &path.display().to_string()])
                .status()
                .is_ok_and(|s| s.success())
        {
            panic!("chown postgres {}", path.display());
        }
    };
    write(&cert, &tls.cert_pem, 0o644);
    write(&key, &tls.key_pem, 0o600);
    let conf = data.join("postgresql.conf");
    let settings = format!(
        "\nssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\n",
        cert.display(),
        key.display()
    );
    let appended = std::fs::OpenOptions::new()
        .append(true)
        .open(&conf)
        .and_then(|mut f| std::io::Write::write_all(&mut f, settings.as_bytes()));
    if let Err(e) = appended {
        panic!("writing {}: {e}", conf.display());
    }
    let kind = match tls.accept {
        Accept::TlsOnly => "hostssl",
        Accept::PlaintextOnly => "hostnossl",
    };
    let hba = format!(
        "local all all trust\n{kind} all all 127.0.0.1/32 trust\n{kind} all all ::1/128 trust\n"
    );
    let hba_path = data.join("pg_hba.conf");
    if let Err(e) = std::fs::write(&hba_path, hba) {
        panic!("writing {}: {e}", hba_path.display());
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let data = self.dir.join("data").display().to_string();
        let pg_ctl = self.bin.join("pg_ctl").display().to_string();
        let line = format!("'{pg_ctl}' -D '{data}' -m immediate -w stop");
        let _ = if is_root() {
            Command::new("su")
                .args(["postgres", "-s", "/bin/sh", "-c", &line])
                .output()
        } else {
            Command::new("sh").args(["-c", &line]).output()
        };
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
