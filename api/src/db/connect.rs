//! Connections to Postgres, encrypted as `DATABASE_URL` asks, with libpq's names.
//!
//! tokio-postgres (under diesel-async and the event listener) knows `sslmode=disable`,
//! `prefer` and `require` but has no TLS of its own and never verifies anything; libpq's
//! `verify-ca`, `verify-full` and `sslrootcert` it refuses to parse. So this module reads
//! the libpq TLS parameters out of the URL, hands tokio-postgres the rest, and connects
//! through rustls (with aws-lc-rs, the TLS stack the server already uses for SMTP and
//! HTTPS). Every connection the server opens goes through here: the pool, the LISTEN
//! connection, migrations and the CLI commands.
//!
//! | `sslmode`     | encrypted                    | certificate checked                  |
//! |---------------|------------------------------|--------------------------------------|
//! | `disable`     | no                           | —                                    |
//! | `allow`       | only if plaintext is refused | no                                   |
//! | `prefer` (default) | if the server offers TLS; falls back to plaintext when the TLS attempt fails | no |
//! | `require`     | yes                          | no (chain, when `sslrootcert` is given, as libpq) |
//! | `verify-ca`   | yes                          | chain to `sslrootcert`                |
//! | `verify-full` | yes                          | chain, and the host name (`host`, not `hostaddr`) |
//!
//! `sslrootcert` is a PEM file of CA certificates, or `system` for the system's CAs; when
//! absent, `~/.postgresql/root.crt` if it exists (as libpq). `sslcert` and `sslkey` give a
//! client certificate. Unix-socket connections never use TLS (as libpq).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use diesel_async::AsyncPgConnection;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres::config::{Host, SslMode as WireMode};
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres_rustls::MakeRustlsConnect;

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub fn parse(raw: &str) -> anyhow::Result<SslMode> {
        Ok(match raw {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => bail!(
                "DATABASE_URL: sslmode={other} is not one of disable, allow, prefer, require, verify-ca, verify-full"
            ),
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// The stream under a connection (TLS or not: one type either way).
pub type TlsStream = <MakeRustlsConnect as MakeTlsConnect<tokio_postgres::Socket>>::Stream;
/// A tokio-postgres connection as this module opens it.
pub type Connection = tokio_postgres::Connection<tokio_postgres::Socket, TlsStream>;

/// Where and how to connect: parsed once from `DATABASE_URL` (files read then, so a
/// missing CA file fails at startup, not at the first connection).
#[derive(Clone)]
pub struct Database {
    inner: Arc<Inner>,
}

struct Inner {
    config: tokio_postgres::Config,
    /// What was asked (reported in errors).
    asked: SslMode,
    /// What is done: `disable` when every host is a Unix socket.
    mode: SslMode,
    tls: MakeRustlsConnect,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("target", &self.describe())
            .finish()
    }
}

/// The libpq TLS parameters, taken out of the URL.
#[derive(Debug, Default, PartialEq, Eq)]
struct TlsParams {
    sslmode: Option<String>,
    sslrootcert: Option<String>,
    sslcert: Option<String>,
    sslkey: Option<String>,
}

impl TlsParams {
    /// Takes `key=value` if it is one of ours; false when it is not.
    fn take(&mut self, key: &str, value: String) -> bool {
        let slot = match key {
            "sslmode" => &mut self.sslmode,
            "sslrootcert" => &mut self.sslrootcert,
            "sslcert" => &mut self.sslcert,
            "sslkey" => &mut self.sslkey,
            _ => return false,
        };
        *slot = Some(value);
        true
    }
}

impl Database {
    /// Parses a libpq connection string (a `postgres://` URL or `key=value` pairs).
    pub fn from_url(url: &str) -> anyhow::Result<Database> {
        let (rest, params) = split_tls_params(url)?;
        let config: tokio_postgres::Config = rest.parse().map_err(|e| {
            anyhow::anyhow!("DATABASE_URL is not a Postgres connection string: {e}")
        })?;
        let asked = match &params.sslmode {
            Some(m) => SslMode::parse(m)?,
            None => SslMode::Prefer,
        };
        let unix_only = !config.get_hosts().is_empty()
            && config.get_hostaddrs().is_empty()
            && config
                .get_hosts()
                .iter()
                .all(|h| !matches!(h, Host::Tcp(_)));
        let mode = if unix_only { SslMode::Disable } else { asked };
        let tls = MakeRustlsConnect::new(client_config(mode, &params)?);
        Ok(Database {
            inner: Arc::new(Inner {
                config,
                asked,
                mode,
                tls,
            }),
        })
    }

    /// The `sslmode` in force.
    pub fn ssl_mode(&self) -> SslMode {
        self.inner.asked
    }

    /// A copy of the connection settings, to adjust (timeouts, `application_name`) and pass
    /// to [`Database::connect_with`].
    pub fn config(&self) -> tokio_postgres::Config {
        self.inner.config.clone()
    }

    /// `host:port (sslmode=…)`, for messages (never the password).
    pub fn describe(&self) -> String {
        let c = &self.inner.config;
        let port = |i: usize| {
            c.get_ports()
                .get(i)
                .or_else(|| c.get_ports().first())
                .copied()
                .unwrap_or(5432)
        };
        let hosts: Vec<String> = c
            .get_hosts()
            .iter()
            .enumerate()
            .map(|(i, h)| match h {
                Host::Tcp(name) => format!("{name}:{}", port(i)),
                #[cfg(unix)]
                Host::Unix(path) => path.display().to_string(),
            })
            .chain(
                c.get_hostaddrs()
                    .iter()
                    .enumerate()
                    .skip(c.get_hosts().len())
                    .map(|(i, a)| format!("{a}:{}", port(i))),
            )
            .collect();
        format!(
            "{} (sslmode={})",
            hosts.join(","),
            self.inner.asked.as_str()
        )
    }

    /// Connects with the URL's settings.
    pub async fn connect(
        &self,
    ) -> Result<(tokio_postgres::Client, Connection), tokio_postgres::Error> {
        self.connect_with(&self.inner.config).await
    }

    /// Connects with `config` (from [`Database::config`]), as `sslmode` says: `prefer`
    /// tries TLS and, when that attempt fails (the server has no TLS, or refuses the
    /// encrypted session), plaintext; `allow` the other way round.
    pub async fn connect_with(
        &self,
        config: &tokio_postgres::Config,
    ) -> Result<(tokio_postgres::Client, Connection), tokio_postgres::Error> {
        let attempt = |wire: WireMode| {
            let mut config = config.clone();
            config.ssl_mode(wire);
            let tls = self.inner.tls.clone();
            async move { config.connect(tls).await }
        };
        match self.inner.mode {
            SslMode::Disable => attempt(WireMode::Disable).await,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                attempt(WireMode::Require).await
            }
            SslMode::Prefer => match attempt(WireMode::Prefer).await {
                Err(e) if refused_or_tls_failed(&e) => attempt(WireMode::Disable).await,
                other => other,
            },
            SslMode::Allow => match attempt(WireMode::Disable).await {
                Err(e) if e.as_db_error().is_some() => attempt(WireMode::Require).await,
                other => other,
            },
        }
    }

    /// A diesel-async connection (the pool's, the CLI's, the migrations').
    pub async fn establish(&self) -> diesel::ConnectionResult<AsyncPgConnection> {
        let (client, connection) = self
            .connect()
            .await
            .map_err(|e| diesel::ConnectionError::BadConnection(self.explain(&e)))?;
        AsyncPgConnection::try_from_client_and_connection(client, connection).await
    }

    /// What went wrong, and where: "could not connect to Postgres at h:p (sslmode=…): …".
    pub fn explain(&self, e: &tokio_postgres::Error) -> String {
        // tokio-postgres says only "db error" or "error performing TLS handshake": the
        // reason is in its source chain.
        let mut text = format!("could not connect to Postgres at {}: {e}", self.describe());
        let mut source = std::error::Error::source(e);
        while let Some(cause) = source {
            text.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        text
    }
}

/// `prefer` falls back to plaintext when the server answered but the encrypted attempt
/// failed: the handshake, or the server refusing the session (a `hostnossl` rule) — not
/// when the host is down (plaintext would fail the same way, only later).
fn refused_or_tls_failed(e: &tokio_postgres::Error) -> bool {
    e.as_db_error().is_some() || e.to_string().starts_with("error performing TLS handshake")
}

/// Splits the libpq TLS parameters off a connection string: (what tokio-postgres gets,
/// the parameters).
fn split_tls_params(url: &str) -> anyhow::Result<(String, TlsParams)> {
    let mut params = TlsParams::default();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        // The query starts at the first `?` after the user info, which (as libpq reads it)
        // ends at an `@` before any `/` (a password may hold a `?`).
        let (scheme, tail) = url.split_once("://").unwrap_or(("", url));
        let (userinfo, after) = match tail.find(['@', '/']) {
            Some(at) if tail.as_bytes().get(at) == Some(&b'@') => {
                let (u, a) = tail.split_at(at);
                (
                    Some(format!("{scheme}://{u}")),
                    a.strip_prefix('@').unwrap_or(a).to_string(),
                )
            }
            _ => (None, url.to_string()),
        };
        let Some((location, query)) = after.split_once('?') else {
            return Ok((url.to_string(), params));
        };
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if !params.take(&percent_decode(k)?, percent_decode(v)?) {
                kept.push(pair);
            }
        }
        let mut rest = match userinfo {
            Some(u) => format!("{u}@{location}"),
            None => location.to_string(),
        };
        if !kept.is_empty() {
            rest.push('?');
            rest.push_str(&kept.join("&"));
        }
        Ok((rest, params))
    } else {
        let mut kept = Vec::new();
        for (k, v) in key_value_pairs(url)? {
            if !params.take(&k, v.clone()) {
                let quoted = v.replace('\\', r"\\").replace('\'', r"\'");
                kept.push(format!("{k}='{quoted}'"));
            }
        }
        Ok((kept.join(" "), params))
    }
}

/// `%XX` escapes of a URL query part (libpq does not turn `+` into a space).
fn percent_decode(raw: &str) -> anyhow::Result<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'%') => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => out.push(b),
                    None => bail!("DATABASE_URL: bad percent-escape in `{raw}`"),
                }
                i += 3;
            }
            Some(&b) => {
                out.push(b);
                i += 1;
            }
            None => break,
        }
    }
    String::from_utf8(out).map_err(|_| anyhow::anyhow!("DATABASE_URL: `{raw}` is not UTF-8"))
}

/// libpq's `key=value key2='quoted \' value'` form.
fn key_value_pairs(raw: &str) -> anyhow::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut chars = raw.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(out);
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') {
            bail!("DATABASE_URL: `{key}` has no `=value`");
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            loop {
                match chars.next() {
                    Some('\\') => match chars.next() {
                        Some(c) => value.push(c),
                        None => bail!("DATABASE_URL: unterminated quoted value of `{key}`"),
                    },
                    Some('\'') => break,
                    Some(c) => value.push(c),
                    None => bail!("DATABASE_URL: unterminated quoted value of `{key}`"),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                chars.next();
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        value.push(n);
                    }
                } else {
                    value.push(c);
                }
            }
        }
        out.push((key, value));
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// libpq's default CA file, `~/.postgresql/root.crt`, when it exists.
fn default_root_file() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    let path = Path::new(&home).join(".postgresql").join("root.crt");
    path.is_file().then_some(path)
}

fn load_roots(spec: &str) -> anyhow::Result<RootCertStore> {
    let mut roots = RootCertStore::empty();
    if spec == "system" {
        let found = rustls_native_certs::load_native_certs();
        let (added, _) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            bail!("sslrootcert=system: no CA certificate found in the system's store");
        }
        return Ok(roots);
    }
    let certs = CertificateDer::pem_file_iter(spec)
        .with_context(|| format!("sslrootcert: reading {spec}"))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("sslrootcert: {spec} is not a PEM file of certificates"))?;
    if certs.is_empty() {
        bail!("sslrootcert: {spec} holds no PEM certificate");
    }
    for cert in certs {
        roots
            .add(cert)
            .with_context(|| format!("sslrootcert: a certificate in {spec} is not usable"))?;
    }
    Ok(roots)
}

fn client_config(mode: SslMode, params: &TlsParams) -> anyhow::Result<ClientConfig> {
    let provider = provider();
    let root_spec = params
        .sslrootcert
        .clone()
        .or_else(|| default_root_file().map(|p| p.display().to_string()));
    let roots = match (mode, root_spec) {
        (SslMode::Disable | SslMode::Allow | SslMode::Prefer, _) => None,
        (SslMode::Require, None) => None,
        (SslMode::VerifyCa | SslMode::VerifyFull, None) => bail!(
            "DATABASE_URL: sslmode={} needs the CA that signed the server's certificate: add sslrootcert=/path/to/ca.pem (or sslrootcert=system for the system's CAs)",
            mode.as_str()
        ),
        (_, Some(spec)) => Some(load_roots(&spec)?),
    };
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .context("TLS setup")?;
    let builder = match (mode, roots) {
        (SslMode::VerifyFull, Some(roots)) => builder.with_root_certificates(roots),
        (_, Some(roots)) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ChainOnly {
                roots: Arc::new(roots),
                provider,
            })),
        (_, None) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unverified { provider })),
    };
    let mut config = match (&params.sslcert, &params.sslkey) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .with_context(|| format!("sslcert: reading {cert}"))?
                .collect::<Result<Vec<_>, _>>()
                .with_context(|| format!("sslcert: {cert} is not a PEM certificate"))?;
            let key = PrivateKeyDer::from_pem_file(key)
                .with_context(|| format!("sslkey: {key} is not a PEM private key"))?;
            builder
                .with_client_auth_cert(chain, key)
                .context("sslcert/sslkey: the key does not fit the certificate")?
        }
        (None, None) => builder.with_no_client_auth(),
        _ => bail!("DATABASE_URL: sslcert and sslkey go together"),
    };
    // What libpq 17 sends; lets servers that negotiate ALPN (sslnegotiation=direct) accept.
    config.alpn_protocols = vec![b"postgresql".to_vec()];
    Ok(config)
}

/// `verify-ca` (and `require` with a CA): the chain must lead to a trusted CA; the name on
/// the certificate is not checked.
#[derive(Debug)]
struct ChainOnly {
    roots: Arc<RootCertStore>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let cert = rustls::server::ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_cert_signed_by_trust_anchor(
            &cert,
            &self.roots,
            intermediates,
            now,
            self.provider.signature_verification_algorithms.all,
        )?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// `prefer` and `require` without a CA: encrypted, the certificate not checked (libpq's
/// meaning: protects against eavesdroppers, not against someone in the middle).
#[derive(Debug)]
struct Unverified {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libpq_tls_parameters_are_taken_out_of_a_url() {
        let (rest, p) = split_tls_params(
            "postgres://u:p%3Fw?d@db.example:5433/app?application_name=x&sslmode=verify-full&sslrootcert=%2Fetc%2Fca%20file.pem",
        )
        .unwrap();
        assert_eq!(
            rest,
            "postgres://u:p%3Fw?d@db.example:5433/app?application_name=x"
        );
        assert_eq!(p.sslmode.as_deref(), Some("verify-full"));
        assert_eq!(p.sslrootcert.as_deref(), Some("/etc/ca file.pem"));
        let (rest, p) = split_tls_params("postgres://h/db?sslmode=require").unwrap();
        assert_eq!(rest, "postgres://h/db");
        assert_eq!(p.sslmode.as_deref(), Some("require"));
        let (rest, p) = split_tls_params("postgresql://h/db").unwrap();
        assert_eq!(rest, "postgresql://h/db");
        assert_eq!(p, TlsParams::default());
        let (rest, p) =
            split_tls_params("postgres://h/db?application_name=a@b&sslmode=disable").unwrap();
        assert_eq!(rest, "postgres://h/db?application_name=a@b");
        assert_eq!(p.sslmode.as_deref(), Some("disable"));
    }

    #[test]
    fn libpq_tls_parameters_are_taken_out_of_key_value_pairs() {
        let (rest, p) = split_tls_params(
            r"host=db.example  dbname = app sslmode=verify-ca sslrootcert='/a b/c\'s.pem' password=x\ y",
        )
        .unwrap();
        assert_eq!(rest, r"host='db.example' dbname='app' password='x y'");
        assert_eq!(p.sslmode.as_deref(), Some("verify-ca"));
        assert_eq!(p.sslrootcert.as_deref(), Some("/a b/c's.pem"));
        let c: tokio_postgres::Config = rest.parse().unwrap();
        assert_eq!(c.get_password(), Some(&b"x y"[..]));
        assert!(split_tls_params("host=x sslmode").is_err());
        assert!(split_tls_params("host='x").is_err());
    }

    #[test]
    fn modes_parse_with_libpq_names_and_bad_ones_are_named() {
        for m in [
            "disable",
            "allow",
            "prefer",
            "require",
            "verify-ca",
            "verify-full",
        ] {
            assert_eq!(SslMode::parse(m).unwrap().as_str(), m);
        }
        let e = Database::from_url("postgres://h/db?sslmode=verify").unwrap_err();
        assert!(
            e.to_string().contains("sslmode=verify is not one of"),
            "{e}"
        );
    }

    #[test]
    fn verifying_needs_a_ca_and_a_missing_ca_file_is_named() {
        // HOME without ~/.postgresql/root.crt is the usual case; skip if this machine has one.
        if default_root_file().is_some() {
            return;
        }
        let e = Database::from_url("postgres://h/db?sslmode=verify-full").unwrap_err();
        assert!(e.to_string().contains("add sslrootcert="), "{e}");
        let e =
            Database::from_url("postgres://h/db?sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem")
                .unwrap_err();
        assert!(format!("{e:#}").contains("/nonexistent/ca.pem"), "{e:#}");
        let d = Database::from_url("postgres://u:secret@h:6543/db?sslmode=require").unwrap();
        assert_eq!(d.describe(), "h:6543 (sslmode=require)");
        assert_eq!(d.ssl_mode(), SslMode::Require);
        // No sslmode: prefer, like libpq.
        let d = Database::from_url("postgres://h/db").unwrap();
        assert_eq!(d.ssl_mode(), SslMode::Prefer);
    }

    #[test]
    fn unix_sockets_never_use_tls() {
        let d =
            Database::from_url("postgres://%2Fvar%2Frun%2Fpostgresql/db?sslmode=require").unwrap();
        assert_eq!(d.inner.mode, SslMode::Disable);
        assert_eq!(d.ssl_mode(), SslMode::Require);
    }
}
