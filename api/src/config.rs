//! Environment → typed configuration. The names are fixed (README.md, "Configuration");
//! secrets never printed.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use ipnet::IpNet;

/// Caps on live event streams (`events::slots`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamLimits {
    /// Streams of this process (`MAX_STREAMS`).
    pub per_process: usize,
    pub per_visitor: u32,
    /// A user (any of their sessions and workspaces) or an API key.
    pub per_user: u32,
    pub per_network: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AiProvider {
    Builtin,
    OpenAi,
}

/// `EMBEDDINGS`: where the assistant's sentence vectors come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Embeddings {
    /// A model folder run in process (`EMBEDDINGS_MODEL_DIR`).
    Builtin,
    /// An OpenAI-compatible `/v1/embeddings` endpoint.
    OpenAi,
    /// Lexical retrieval only.
    Off,
}

/// Who may create an account through the API (`SIGNUP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signup {
    /// Anyone.
    Open,
    /// Only an email address with a pending invitation.
    Invite,
    /// Nobody; accounts come from `handoff create-user`.
    Closed,
}

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    pub public_url: String,
    /// The token signing keys: `None` when `JWT_SECRET` is unset and `DATA_DIR` holds no
    /// secret (commands that sign nothing still run; `serve` refuses to start).
    pub jwt: Option<JwtSecrets>,
    pub data_dir: PathBuf,
    pub frontend_dir: PathBuf,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Inbound mail (issue 12): the domain of reply addresses (`INBOUND_DOMAIN`,
    /// `reply+<token>@INBOUND_DOMAIN`); `None`: ticket mail carries no reply address and
    /// nothing inbound is accepted.
    pub inbound_domain: Option<String>,
    /// Where the built-in SMTP listener listens (`INBOUND_SMTP_BIND`; off when unset).
    pub inbound_smtp_bind: Option<String>,
    /// The largest inbound message accepted, in bytes (`INBOUND_MAX_BYTES`), over SMTP
    /// and HTTP.
    pub inbound_max_bytes: usize,
    /// Where attachments are stored (`STORAGE_URL`): `file:///path` (default
    /// `DATA_DIR/attachments`) or `s3://bucket/prefix`.
    pub storage_url: String,
    /// The object store's options from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_SESSION_TOKEN`, `AWS_REGION`, `AWS_ENDPOINT`, `AWS_ALLOW_HTTP` (S3 only).
    pub storage_options: Vec<(String, String)>,
    /// The largest attachment, in bytes (`MAX_ATTACHMENT_BYTES`).
    pub max_attachment_bytes: usize,
    /// A virus scanner every upload is piped to (`ATTACHMENT_SCAN_COMMAND`; off when unset).
    pub attachment_scan_command: Option<String>,
    /// The secret a mail provider presents to `POST /api/v1/inbound/email`
    /// (`INBOUND_WEBHOOK_SECRET`; the endpoint is off when unset).
    pub inbound_webhook_secret: Option<String>,
    /// How long a reply address works after the mail that carried it
    /// (`INBOUND_REPLY_TTL_DAYS`).
    pub inbound_reply_ttl_days: u32,
    pub ai_provider: AiProvider,
    pub openai_base_url: String,
    pub openai_api_key: Option<String>,
    pub openai_model: String,
    pub ai_timeout: Duration,
    /// Visitor messages the `openai` engine answers per workspace per UTC day
    /// (`AI_DAILY_MESSAGES`; 0: no limit).
    pub ai_daily_messages: u64,
    /// Provider tokens per workspace per UTC day (`AI_DAILY_TOKENS`; 0: no limit).
    pub ai_daily_tokens: u64,
    /// Failed turns in a row that open the provider's circuit breaker (`AI_BREAKER_FAILURES`).
    pub ai_breaker_failures: u32,
    /// How long an open breaker stops calling the provider (`AI_BREAKER_COOLDOWN_SECS`).
    pub ai_breaker_cooldown: Duration,
    pub embeddings: Embeddings,
    /// Hugging Face folder of the builtin embedding model.
    pub embeddings_model_dir: PathBuf,
    /// Base URL of the embeddings endpoint (defaults to `openai_base_url`).
    pub embeddings_base_url: String,
    pub openai_embeddings_model: String,
    pub rate_limits: bool,
    pub trusted_proxies: Vec<IpNet>,
    pub signup: Signup,
    /// Database connections per server process (`DATABASE_POOL_SIZE`).
    pub database_pool_size: usize,
    /// Mails per workspace per hour (`MAIL_QUOTA_WORKSPACE_PER_HOUR`).
    pub mail_quota_workspace_per_hour: u32,
    /// Mails per recipient address per hour (`MAIL_QUOTA_RECIPIENT_PER_HOUR`).
    pub mail_quota_recipient_per_hour: u32,
    /// Done outbox jobs are deleted after this long (`OUTBOX_RETENTION_DAYS`); failed ones
    /// after the delivery retention.
    pub outbox_retention: Duration,
    /// Webhook deliveries are deleted after this long (`WEBHOOK_DELIVERY_RETENTION_DAYS`).
    pub delivery_retention: Duration,
    /// Visitors with no message and no ticket are deleted after this long without a visit
    /// (`EMPTY_VISITOR_RETENTION_DAYS`).
    pub empty_visitor_retention: Duration,
    /// How often the retention task runs (`RETENTION_INTERVAL_MS`).
    pub retention_interval: Duration,
    /// A conversation taken over by an agent who has done nothing for this many minutes
    /// goes back to the assistant (`TAKEOVER_IDLE_MINUTES`, default 30).
    pub takeover_idle_minutes: u32,
    /// How often the idle-takeover sweep runs (`TAKEOVER_SWEEP_MS`, default 30 s).
    pub takeover_sweep_interval: Duration,
    /// Private or reserved ranges webhooks may reach anyway (`WEBHOOK_ALLOW_PRIVATE_NETWORKS`).
    pub webhook_allow_private_networks: Vec<IpNet>,
    /// Access-token lifetime (15 minutes).
    pub access_ttl: Duration,
    /// Refresh-token lifetime (idle: each rotation starts it again).
    pub refresh_ttl: Duration,
    /// Absolute session lifetime: no rotation extends a session past it.
    pub session_max: Duration,
    /// A refresh token presented again this soon after its rotation, while its successor
    /// is unused, is a client retry (a lost response), not a theft.
    pub refresh_grace: Duration,
    /// How often the outbox worker polls when idle.
    /// Caps on live event streams (`MAX_STREAMS` per process; the others across processes).
    pub stream_limits: StreamLimits,
    /// How long a NOTIFY may take before the change is delivered locally only
    /// (`NOTIFY_TIMEOUT_MS`).
    pub notify_timeout: Duration,
    /// How often the LISTEN connection is checked (`LISTENER_HEARTBEAT_MS`).
    pub listener_heartbeat: Duration,
    /// How long widget messages' idempotency keys are kept (`IDEMPOTENCY_RETENTION_HOURS`).
    pub idempotency_retention: Duration,
    pub outbox_poll: Duration,
    /// First retry delay of a failed outbox job; doubles per attempt.
    pub outbox_backoff: Duration,
    /// Jobs one server runs at once (`OUTBOX_CONCURRENCY`).
    pub outbox_concurrency: usize,
    /// Jobs of one workspace in flight at once, across all servers
    /// (`OUTBOX_WORKSPACE_CONCURRENCY`).
    pub outbox_workspace_concurrency: usize,
    /// A claimed job's lease (`OUTBOX_LEASE_SECS`), renewed every third of it while its
    /// attempt runs: how long a crashed worker's job waits before another takes it.
    pub outbox_lease: Duration,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("jwt", &self.jwt.as_ref().map(|j| j.kids()))
            .field("data_dir", &self.data_dir)
            .field("frontend_dir", &self.frontend_dir)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("inbound_domain", &self.inbound_domain)
            .field("inbound_smtp_bind", &self.inbound_smtp_bind)
            .field("inbound_max_bytes", &self.inbound_max_bytes)
            .field("storage_url", &self.storage_url)
            .field("max_attachment_bytes", &self.max_attachment_bytes)
            .field("attachment_scan_command", &self.attachment_scan_command)
            .field(
                "inbound_webhook_secret",
                &self.inbound_webhook_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("inbound_reply_ttl_days", &self.inbound_reply_ttl_days)
            .field("ai_provider", &self.ai_provider)
            .field("openai_base_url", &self.openai_base_url)
            .field(
                "openai_api_key",
                &self.openai_api_key.as_ref().map(|_| "<redacted>"),
            )
            .field("openai_model", &self.openai_model)
            .field("ai_timeout", &self.ai_timeout)
            .field("ai_daily_messages", &self.ai_daily_messages)
            .field("ai_daily_tokens", &self.ai_daily_tokens)
            .field("ai_breaker_failures", &self.ai_breaker_failures)
            .field("ai_breaker_cooldown", &self.ai_breaker_cooldown)
            .field("embeddings", &self.embeddings)
            .field("embeddings_model_dir", &self.embeddings_model_dir)
            .field("embeddings_base_url", &self.embeddings_base_url)
            .field("openai_embeddings_model", &self.openai_embeddings_model)
            .field("rate_limits", &self.rate_limits)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("signup", &self.signup)
            .field("database_pool_size", &self.database_pool_size)
            .field(
                "mail_quota_workspace_per_hour",
                &self.mail_quota_workspace_per_hour,
            )
            .field(
                "mail_quota_recipient_per_hour",
                &self.mail_quota_recipient_per_hour,
            )
            .field(
                "webhook_allow_private_networks",
                &self.webhook_allow_private_networks,
            )
            .field("outbox_concurrency", &self.outbox_concurrency)
            .field(
                "outbox_workspace_concurrency",
                &self.outbox_workspace_concurrency,
            )
            .field("outbox_lease", &self.outbox_lease)
            .field("takeover_idle_minutes", &self.takeover_idle_minutes)
            .field("takeover_sweep_interval", &self.takeover_sweep_interval)
            .finish()
    }
}

/// Hides the password part of a URL for logs.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "<unparseable url>".to_string(),
    }
}

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_PUBLIC_URL: &str = "http://localhost:8080";

/// Without `PUBLIC_URL`, the server is reached on this machine at `BIND`'s port
/// (`BIND=127.0.0.1:9000` → `http://localhost:9000`), so mail links and the widget snippet
/// point where the server listens.
pub fn default_public_url(bind: &str) -> String {
    match bind.rsplit_once(':').map(|(_, port)| port.parse::<u16>()) {
        Some(Ok(port)) if port != 0 => format!("http://localhost:{port}"),
        _ => DEFAULT_PUBLIC_URL.to_string(),
    }
}

impl Config {
    /// Reads the process environment (and `.env` when present).
    pub fn from_env() -> anyhow::Result<Self> {
        let _ = dotenvy::dotenv();
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Builds a config from any key lookup (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let var = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let data_dir = PathBuf::from(var("DATA_DIR").unwrap_or_else(|| ".data".into()));
        let database_url = var("DATABASE_URL")
            .context("DATABASE_URL is not set (`make run` sets it to the project-local cluster)")?;
        let jwt = match var("JWT_SECRET") {
            Some(s) => Some(decode_secret("JWT_SECRET", &s)?),
            None => read_secret_file(&data_dir)?,
        };
        let previous = var("JWT_SECRET_PREVIOUS")
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| decode_secret("JWT_SECRET_PREVIOUS", s))
                    .collect::<anyhow::Result<Vec<_>>>()
            })
            .transpose()?
            .unwrap_or_default();
        let jwt = match jwt {
            Some(current) => Some(JwtSecrets { current, previous }),
            None if !previous.is_empty() => {
                bail!("JWT_SECRET_PREVIOUS is set but JWT_SECRET is not")
            }
            None => None,
        };
        let session_max_days: u64 = var("SESSION_MAX_DAYS")
            .map(|v| {
                v.parse()
                    .context("SESSION_MAX_DAYS must be a number of days")
            })
            .transpose()?
            .unwrap_or(90);
        let refresh_grace_secs: u64 = var("REFRESH_GRACE_SECS")
            .map(|v| {
                v.parse()
                    .context("REFRESH_GRACE_SECS must be a number of seconds")
            })
            .transpose()?
            .unwrap_or(10);
        let ai_provider = match var("AI_PROVIDER").as_deref().unwrap_or("builtin") {
            "builtin" => AiProvider::Builtin,
            "openai" => AiProvider::OpenAi,
            other => bail!("AI_PROVIDER must be `builtin` or `openai`, not `{other}`"),
        };
        let ai_timeout_ms: u64 = var("AI_TIMEOUT_MS")
            .map(|v| {
                v.parse()
                    .context("AI_TIMEOUT_MS must be a number of milliseconds")
            })
            .transpose()?
            .unwrap_or(15_000);
        let embeddings = match var("EMBEDDINGS").as_deref().unwrap_or("builtin") {
            "builtin" => Embeddings::Builtin,
            "openai" => Embeddings::OpenAi,
            "off" => Embeddings::Off,
            other => bail!("EMBEDDINGS must be `builtin`, `openai` or `off`, not `{other}`"),
        };
        let embeddings_model_dir = var("EMBEDDINGS_MODEL_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("models").join("all-MiniLM-L6-v2"));
        let openai_base_url =
            var("OPENAI_BASE_URL").unwrap_or_else(|| "https://api.openai.com/v1".into());
        let rate_limits = match var("RATE_LIMITS").as_deref().unwrap_or("on") {
            "on" => true,
            "off" => false,
            other => bail!("RATE_LIMITS must be `on` or `off`, not `{other}`"),
        };
        let trusted_proxies = var("TRUSTED_PROXIES")
            .map(|v| parse_cidrs("TRUSTED_PROXIES", &v))
            .transpose()?
            .unwrap_or_default();
        let signup = match var("SIGNUP").as_deref().unwrap_or("open") {
            "open" => Signup::Open,
            "invite" => Signup::Invite,
            "closed" => Signup::Closed,
            other => bail!("SIGNUP must be `open`, `invite` or `closed`, not `{other}`"),
        };
        let number = |name: &str, default: u64| -> anyhow::Result<u64> {
            var(name)
                .map(|v| {
                    v.trim()
                        .parse::<u64>()
                        .with_context(|| format!("{name} must be a whole number"))
                })
                .transpose()
                .map(|v| v.unwrap_or(default))
        };
        let days = |name: &str, default: u64| -> anyhow::Result<Duration> {
            Ok(Duration::from_secs(number(name, default)? * 86_400))
        };
        let per_hour = |name: &str, default: u64| -> anyhow::Result<u32> {
            u32::try_from(number(name, default)?).with_context(|| format!("{name} is too large"))
        };
        let database_pool_size = usize::try_from(number("DATABASE_POOL_SIZE", 16)?)
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .context("DATABASE_POOL_SIZE must be between 1 and 1000")?;
        let bounded = |name: &str, default: u64, max: u64| -> anyhow::Result<usize> {
            usize::try_from(number(name, default)?)
                .ok()
                .filter(|n| (1..=max).contains(&(*n as u64)))
                .with_context(|| format!("{name} must be between 1 and {max}"))
        };
        let ai_daily_messages = number("AI_DAILY_MESSAGES", 2_000)?;
        let ai_daily_tokens = number("AI_DAILY_TOKENS", 2_000_000)?;
        let ai_breaker_failures = u32::try_from(bounded("AI_BREAKER_FAILURES", 5, 1000)?)
            .context("AI_BREAKER_FAILURES is too large")?;
        let ai_breaker_cooldown = Duration::from_secs(number("AI_BREAKER_COOLDOWN_SECS", 30)?);
        let outbox_concurrency = bounded("OUTBOX_CONCURRENCY", 8, 256)?;
        let outbox_workspace_concurrency = bounded("OUTBOX_WORKSPACE_CONCURRENCY", 2, 256)?;
        let outbox_lease = Duration::from_secs(bounded("OUTBOX_LEASE_SECS", 30, 3600)? as u64);
        let mail_quota_workspace_per_hour = per_hour("MAIL_QUOTA_WORKSPACE_PER_HOUR", 200)?;
        let mail_quota_recipient_per_hour = per_hour("MAIL_QUOTA_RECIPIENT_PER_HOUR", 20)?;
        let outbox_retention = days("OUTBOX_RETENTION_DAYS", 7)?;
        let delivery_retention = days("WEBHOOK_DELIVERY_RETENTION_DAYS", 30)?;
        let empty_visitor_retention = days("EMPTY_VISITOR_RETENTION_DAYS", 30)?;
        let retention_interval =
            Duration::from_millis(number("RETENTION_INTERVAL_MS", 10 * 60 * 1000)?.max(10));
        let takeover_idle_minutes = u32::try_from(bounded(
            "TAKEOVER_IDLE_MINUTES",
            u64::from(crate::domain::live::DEFAULT_TAKEOVER_IDLE_MINUTES),
            7 * 24 * 60,
        )?)
        .context("TAKEOVER_IDLE_MINUTES is too large")?;
        let takeover_sweep_interval =
            Duration::from_millis(number("TAKEOVER_SWEEP_MS", 30_000)?.max(10));
        let webhook_allow_private_networks = var("WEBHOOK_ALLOW_PRIVATE_NETWORKS")
            .map(|v| parse_cidrs("WEBHOOK_ALLOW_PRIVATE_NETWORKS", &v))
            .transpose()?
            .unwrap_or_default();
        let cap = |name: &str, default: u64| -> anyhow::Result<u32> {
            u32::try_from(number(name, default)?)
                .ok()
                .filter(|n| *n >= 1)
                .with_context(|| format!("{name} must be at least 1"))
        };
        let stream_limits = StreamLimits {
            per_process: usize::try_from(cap("MAX_STREAMS", 1000)?)?,
            per_visitor: cap("STREAMS_PER_VISITOR", 5)?,
            per_user: cap("STREAMS_PER_USER", 20)?,
            per_network: cap("STREAMS_PER_NETWORK", 100)?,
        };
        let idempotency_retention =
            Duration::from_secs(number("IDEMPOTENCY_RETENTION_HOURS", 24)?.max(1) * 3600);
        let notify_timeout = Duration::from_millis(number("NOTIFY_TIMEOUT_MS", 2000)?.max(1));
        let listener_heartbeat =
            Duration::from_millis(number("LISTENER_HEARTBEAT_MS", 10_000)?.max(10));
        let inbound_domain = var("INBOUND_DOMAIN")
            .map(|d| {
                let d = d.trim().trim_end_matches('.').to_ascii_lowercase();
                let ok = !d.is_empty()
                    && d.len() <= 200
                    && d.contains('.')
                    && d.split('.').all(|label| {
                        !label.is_empty()
                            && !label.starts_with('-')
                            && !label.ends_with('-')
                            && label
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    });
                if ok {
                    Ok(d)
                } else {
                    Err(anyhow::anyhow!(
                        "INBOUND_DOMAIN must be a domain name (e.g. reply.example.com), not `{d}`"
                    ))
                }
            })
            .transpose()?;
        let inbound_max_bytes = usize::try_from(number("INBOUND_MAX_BYTES", 10 * 1024 * 1024)?)
            .ok()
            .filter(|n| (1024..=100 * 1024 * 1024).contains(n))
            .context("INBOUND_MAX_BYTES must be between 1024 and 104857600")?;
        let max_attachment_bytes =
            usize::try_from(number("MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)?)
                .ok()
                .filter(|n| (1024..=1024 * 1024 * 1024).contains(n))
                .context("MAX_ATTACHMENT_BYTES must be between 1024 and 1073741824")?;
        let storage_url = match var("STORAGE_URL") {
            Some(u) => u.trim().to_string(),
            None => {
                let dir = std::path::absolute(data_dir.join("attachments"))
                    .context("DATA_DIR must be a usable path")?;
                url::Url::from_directory_path(&dir)
                    .map_err(|_| {
                        anyhow::anyhow!("DATA_DIR {} is not a usable path", dir.display())
                    })?
                    .to_string()
            }
        };
        let storage_options = [
            ("AWS_ACCESS_KEY_ID", "aws_access_key_id"),
            ("AWS_SECRET_ACCESS_KEY", "aws_secret_access_key"),
            ("AWS_SESSION_TOKEN", "aws_session_token"),
            ("AWS_REGION", "aws_region"),
            ("AWS_ENDPOINT", "aws_endpoint"),
            ("AWS_ALLOW_HTTP", "aws_allow_http"),
        ]
        .into_iter()
        .filter(|_| storage_url.starts_with("s3://"))
        .filter_map(|(env, key)| var(env).map(|v| (key.to_string(), v.trim().to_string())))
        .chain(
            // A custom endpoint (MinIO, moto, R2…) is addressed by path, not by bucket host.
            var("AWS_ENDPOINT")
                .filter(|_| storage_url.starts_with("s3://"))
                .map(|_| {
                    (
                        "aws_virtual_hosted_style_request".to_string(),
                        "false".to_string(),
                    )
                }),
        )
        .collect();
        let inbound_webhook_secret = var("INBOUND_WEBHOOK_SECRET").map(|s| s.trim().to_string());
        if inbound_webhook_secret
            .as_ref()
            .is_some_and(|s| s.len() < 24)
        {
            bail!(
                "INBOUND_WEBHOOK_SECRET must be at least 24 characters (e.g. `openssl rand -hex 24`)"
            );
        }
        let inbound_reply_ttl_days = u32::try_from(number("INBOUND_REPLY_TTL_DAYS", 90)?)
            .ok()
            .filter(|n| (1..=3650).contains(n))
            .context("INBOUND_REPLY_TTL_DAYS must be between 1 and 3650")?;
        let bind = var("BIND").unwrap_or_else(|| DEFAULT_BIND.into());
        let public_url = var("PUBLIC_URL")
            .unwrap_or_else(|| default_public_url(&bind))
            .trim_end_matches('/')
            .to_string();
        url::Url::parse(&public_url).context("PUBLIC_URL must be an absolute URL")?;
        Ok(Config {
            database_url,
            bind,
            public_url,
            jwt,
            frontend_dir: PathBuf::from(
                var("FRONTEND_DIR").unwrap_or_else(|| "frontend/dist".into()),
            ),
            data_dir,
            smtp_url: var("SMTP_URL"),
            mail_from: var("MAIL_FROM").unwrap_or_else(|| "Handoff <no-reply@localhost>".into()),
            inbound_domain,
            inbound_smtp_bind: var("INBOUND_SMTP_BIND"),
            inbound_max_bytes,
            storage_url,
            storage_options,
            max_attachment_bytes,
            attachment_scan_command: var("ATTACHMENT_SCAN_COMMAND").map(|c| c.trim().to_string()),
            inbound_webhook_secret,
            inbound_reply_ttl_days,
            ai_provider,
            embeddings,
            embeddings_model_dir,
            embeddings_base_url: var("EMBEDDINGS_BASE_URL")
                .unwrap_or_else(|| openai_base_url.clone()),
            openai_embeddings_model: var("OPENAI_EMBEDDINGS_MODEL")
                .unwrap_or_else(|| "text-embedding-3-small".into()),
            openai_base_url,
            openai_api_key: var("OPENAI_API_KEY"),
            openai_model: var("OPENAI_MODEL").unwrap_or_else(|| "gpt-4o-mini".into()),
            ai_timeout: Duration::from_millis(ai_timeout_ms),
            ai_daily_messages,
            ai_daily_tokens,
            ai_breaker_failures,
            ai_breaker_cooldown,
            rate_limits,
            trusted_proxies,
            signup,
            database_pool_size,
            mail_quota_workspace_per_hour,
            mail_quota_recipient_per_hour,
            outbox_retention,
            delivery_retention,
            empty_visitor_retention,
            retention_interval,
            takeover_idle_minutes,
            takeover_sweep_interval,
            webhook_allow_private_networks,
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(30 * 24 * 3600),
            session_max: Duration::from_secs(session_max_days * 24 * 3600),
            refresh_grace: Duration::from_secs(refresh_grace_secs),
            stream_limits,
            notify_timeout,
            listener_heartbeat,
            idempotency_retention,
            outbox_poll: Duration::from_millis(
                var("OUTBOX_POLL_MS")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1000),
            ),
            outbox_backoff: Duration::from_millis(
                var("OUTBOX_BACKOFF_MS")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(5000),
            ),
            outbox_concurrency,
            outbox_workspace_concurrency,
            outbox_lease,
        })
    }

    pub fn is_trusted_proxy(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|net| net.contains(&ip))
    }
}

fn parse_cidrs(name: &str, raw: &str) -> anyhow::Result<Vec<IpNet>> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .with_context(|| format!("{name}: `{s}` is not a CIDR or IP address"))
        })
        .collect()
}

/// Bytes a signing secret has at least (`openssl rand -base64 32`).
pub const SECRET_MIN_BYTES: usize = 32;
/// The file under `DATA_DIR` that holds the secret when `JWT_SECRET` is unset.
pub const SECRET_FILE: &str = "jwt_secret";

/// The master secrets tokens are signed with: the current one, and previous ones still
/// accepted while tokens signed with them live out their lifetime (key rotation).
#[derive(Clone)]
pub struct JwtSecrets {
    pub current: Vec<u8>,
    pub previous: Vec<Vec<u8>>,
}

impl JwtSecrets {
    /// The key ids (safe to print: derived one-way).
    pub fn kids(&self) -> Vec<String> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .map(|s| kid_of(s))
            .collect()
    }
}

/// A key's id: 8 bytes of HMAC-SHA256(secret, "handoff kid"), in hex.
pub fn kid_of(secret: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = match <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return String::new(), // HMAC takes keys of any length
    };
    mac.update(b"handoff kid");
    hex::encode(&mac.finalize().into_bytes()[..8])
}

/// A secret given as hex or base64 (standard or URL-safe, padded or not) of at least 32
/// random bytes. A passphrase is refused: its characters are not key material.
pub fn decode_secret(name: &str, raw: &str) -> anyhow::Result<Vec<u8>> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let raw = raw.trim();
    let is_hex = raw.len().is_multiple_of(2) && raw.bytes().all(|b| b.is_ascii_hexdigit());
    let bytes = if is_hex {
        hex::decode(raw).ok()
    } else {
        [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|e| e.decode(raw).ok())
    };
    let Some(bytes) = bytes else {
        bail!(
            "{name} must be hex or base64 of at least {SECRET_MIN_BYTES} random bytes \
             (e.g. `openssl rand -base64 32`), not a passphrase"
        )
    };
    if bytes.len() < SECRET_MIN_BYTES {
        bail!(
            "{name} decodes to {} bytes; it needs at least {SECRET_MIN_BYTES} random bytes \
             (e.g. `openssl rand -base64 32`)",
            bytes.len()
        )
    }
    let distinct = bytes.iter().collect::<std::collections::HashSet<_>>().len();
    if distinct < 16 {
        bail!(
            "{name} is not random (only {distinct} distinct bytes): use `openssl rand -base64 32`"
        )
    }
    Ok(bytes)
}

/// The secret `DATA_DIR/jwt_secret` holds, if the file exists.
fn read_secret_file(data_dir: &std::path::Path) -> anyhow::Result<Option<Vec<u8>>> {
    let path = data_dir.join(SECRET_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => decode_secret(&path.display().to_string(), &text).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Creates `DATA_DIR/jwt_secret` (48 random bytes, hex) unless it exists: created with mode
/// 0600 in one step (never readable by others, not even briefly), and when two processes
/// race, the loser reads the winner's file. Returns whether this call created it.
pub fn ensure_secret_file(data_dir: &std::path::Path) -> anyhow::Result<bool> {
    use rand::RngCore;
    use std::io::Write;
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating DATA_DIR {}", data_dir.display()))?;
    let path = data_dir.join(SECRET_FILE);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = match options.open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            // Someone else made it: it must hold a valid secret.
            read_secret_file(data_dir)?;
            return Ok(false);
        }
        Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
    };
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    file.write_all(hex::encode(bytes).as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// 32 random bytes, base64 (what `openssl rand -base64 32` prints).
    pub const TEST_SECRET: &str = "q1kZ4vX8m2P0bT7eW9yR3uA6sD5fG8hJ1kL4zX7cV0o=";

    fn cfg(pairs: &[(&str, &str)]) -> anyhow::Result<Config> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_follow_design() -> anyhow::Result<()> {
        let c = cfg(&[
            ("DATABASE_URL", "postgres://x"),
            ("JWT_SECRET", TEST_SECRET),
        ])?;
        assert_eq!(c.bind, "127.0.0.1:8080");
        assert_eq!(c.public_url, "http://localhost:8080");
        assert_eq!(c.ai_provider, AiProvider::Builtin);
        assert_eq!(c.ai_timeout, Duration::from_millis(15_000));
        assert_eq!(c.embeddings, Embeddings::Builtin);
        assert_eq!(
            c.embeddings_model_dir,
            PathBuf::from(".data/models/all-MiniLM-L6-v2")
        );
        assert_eq!(c.embeddings_base_url, "https://api.openai.com/v1");
        assert!(c.rate_limits);
        assert!(c.smtp_url.is_none());
        assert_eq!(c.mail_from, "Handoff <no-reply@localhost>");
        Ok(())
    }

    #[test]
    fn without_public_url_the_server_is_reached_at_binds_port() -> anyhow::Result<()> {
        let base = [
            ("DATABASE_URL", "postgres://x"),
            ("JWT_SECRET", TEST_SECRET),
        ];
        let c = cfg(&[base[0], base[1], ("BIND", "0.0.0.0:9000")])?;
        assert_eq!(c.public_url, "http://localhost:9000");
        let c = cfg(&[
            base[0],
            base[1],
            ("BIND", "127.0.0.1:9000"),
            ("PUBLIC_URL", "https://help.example.com/"),
        ])?;
        assert_eq!(c.public_url, "https://help.example.com");
        assert_eq!(default_public_url("[::1]:7000"), "http://localhost:7000");
        assert_eq!(default_public_url("nonsense"), DEFAULT_PUBLIC_URL);
        assert_eq!(default_public_url("127.0.0.1:0"), DEFAULT_PUBLIC_URL);
        Ok(())
    }

    #[test]
    fn rejects_bad_values_and_parses_proxies() -> anyhow::Result<()> {
        let base = [
            ("DATABASE_URL", "postgres://x"),
            ("JWT_SECRET", TEST_SECRET),
        ];
        assert!(cfg(&[base[0], base[1], ("AI_PROVIDER", "gpt")]).is_err());
        assert!(cfg(&[base[0], base[1], ("RATE_LIMITS", "maybe")]).is_err());
        assert!(cfg(&[base[0], base[1], ("SIGNUP", "sometimes")]).is_err());
        assert!(cfg(&[base[0], base[1], ("OUTBOX_RETENTION_DAYS", "a week")]).is_err());
        let c = cfg(&[base[0], base[1]])?;
        assert_eq!(c.mail_quota_workspace_per_hour, 200);
        assert_eq!(c.database_pool_size, 16);
        assert!(cfg(&[base[0], base[1], ("DATABASE_POOL_SIZE", "0")]).is_err());
        assert_eq!(
            cfg(&[base[0], base[1], ("DATABASE_POOL_SIZE", "40")])?.database_pool_size,
            40
        );
        assert_eq!(c.mail_quota_recipient_per_hour, 20);
        assert_eq!(c.outbox_retention, Duration::from_secs(7 * 86_400));
        assert_eq!(c.delivery_retention, Duration::from_secs(30 * 86_400));
        assert_eq!(c.ai_daily_messages, 2_000);
        assert_eq!(c.ai_daily_tokens, 2_000_000);
        assert_eq!(c.ai_breaker_failures, 5);
        assert!(cfg(&[base[0], base[1], ("AI_BREAKER_FAILURES", "0")]).is_err());
        assert_eq!(c.outbox_concurrency, 8);
        assert_eq!(c.outbox_workspace_concurrency, 2);
        assert_eq!(c.outbox_lease, Duration::from_secs(30));
        assert!(cfg(&[base[0], base[1], ("OUTBOX_CONCURRENCY", "0")]).is_err());
        assert!(cfg(&[base[0], base[1], ("OUTBOX_WORKSPACE_CONCURRENCY", "999")]).is_err());
        assert!(cfg(&[base[0], base[1], ("OUTBOX_LEASE_SECS", "soon")]).is_err());
        assert_eq!(cfg(&[base[0], base[1]])?.signup, Signup::Open);
        assert_eq!(
            cfg(&[base[0], base[1], ("SIGNUP", "invite")])?.signup,
            Signup::Invite
        );
        assert!(cfg(&[base[0], ("JWT_SECRET", "short")]).is_err());
        let c = cfg(&[
            base[0],
            base[1],
            ("TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1"),
        ])?;
        assert!(c.is_trusted_proxy("10.1.2.3".parse()?));
        assert!(c.is_trusted_proxy("127.0.0.1".parse()?));
        assert!(!c.is_trusted_proxy("192.168.1.1".parse()?));
        assert!(c.webhook_allow_private_networks.is_empty());
        let c = cfg(&[
            base[0],
            base[1],
            ("WEBHOOK_ALLOW_PRIVATE_NETWORKS", "10.1.0.0/16, fd00::/8"),
        ])?;
        assert_eq!(c.webhook_allow_private_networks.len(), 2);
        assert!(cfg(&[base[0], base[1], ("WEBHOOK_ALLOW_PRIVATE_NETWORKS", "lan")]).is_err());
        Ok(())
    }

    #[test]
    fn jwt_secrets_must_be_random_bytes() -> anyhow::Result<()> {
        let db = ("DATABASE_URL", "postgres://x");
        // A 32-character passphrase (the review's example) is not 32 random bytes.
        assert!(cfg(&[db, ("JWT_SECRET", "our-company-handoff-secret-2026!")]).is_err());
        assert!(cfg(&[db, ("JWT_SECRET", &"k".repeat(64))]).is_err());
        // 16 bytes of hex: too short.
        assert!(cfg(&[db, ("JWT_SECRET", "00112233445566778899aabbccddeeff")]).is_err());
        // Hex and base64 (padded, unpadded, URL-safe) of 32 random bytes are fine.
        let hex32 = "5f1e0c9a7b3d2e4f6a8b0c1d2e3f405162738495a6b7c8d9eafb0c1d2e3f4051";
        for ok in [TEST_SECRET, TEST_SECRET.trim_end_matches('='), hex32] {
            let c = cfg(&[db, ("JWT_SECRET", ok)])?;
            assert_eq!(c.jwt.map(|j| j.current.len()), Some(32), "{ok}");
        }
        // Rotation: previous secrets are kept for verification, each with its own kid.
        let c = cfg(&[
            db,
            ("JWT_SECRET", TEST_SECRET),
            ("JWT_SECRET_PREVIOUS", hex32),
        ])?;
        let kids = c.jwt.map(|j| j.kids()).unwrap_or_default();
        assert_eq!(kids.len(), 2);
        assert_ne!(kids[0], kids[1]);
        assert!(cfg(&[db, ("JWT_SECRET_PREVIOUS", hex32)]).is_err());
        Ok(())
    }

    #[test]
    fn no_secret_anywhere_leaves_the_keys_unset() -> anyhow::Result<()> {
        let dir = std::env::temp_dir().join(format!("handoff-cfg-{}", rand::random::<u64>()));
        let d = dir.display().to_string();
        let c = cfg(&[("DATABASE_URL", "postgres://x"), ("DATA_DIR", &d)])?;
        assert!(c.jwt.is_none(), "no JWT_SECRET and no secret file: no keys");
        assert!(ensure_secret_file(&dir)?, "the first call creates the file");
        assert!(!ensure_secret_file(&dir)?, "the second keeps it");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(SECRET_FILE))?
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o777,
                0o600,
                "the secret file is private from the start"
            );
        }
        let c = cfg(&[("DATABASE_URL", "postgres://x"), ("DATA_DIR", &d)])?;
        assert_eq!(c.jwt.map(|j| j.current.len()), Some(48));
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn debug_redacts_secrets() -> anyhow::Result<()> {
        let c = cfg(&[
            ("DATABASE_URL", "postgres://u:hunter2@h/db"),
            ("JWT_SECRET", TEST_SECRET),
            ("SMTP_URL", "smtps://me:topsecret@mail"),
            ("OPENAI_API_KEY", "sk-abc"),
        ])?;
        let printed = format!("{c:?}");
        assert!(!printed.contains("hunter2") && !printed.contains("topsecret"));
        assert!(!printed.contains("sk-abc") && !printed.contains(TEST_SECRET));
        Ok(())
    }
}
