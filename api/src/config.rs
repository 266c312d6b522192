//! Environment → typed configuration. The names are fixed (README.md, "Configuration");
//! secrets never printed.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use ipnet::IpNet;

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
    pub jwt_secret: Vec<u8>,
    pub data_dir: PathBuf,
    pub frontend_dir: PathBuf,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub ai_provider: AiProvider,
    pub openai_base_url: String,
    pub openai_api_key: Option<String>,
    pub openai_model: String,
    pub ai_timeout: Duration,
    pub embeddings: Embeddings,
    /// Hugging Face folder of the builtin embedding model.
    pub embeddings_model_dir: PathBuf,
    /// Base URL of the embeddings endpoint (defaults to `openai_base_url`).
    pub embeddings_base_url: String,
    pub openai_embeddings_model: String,
    pub rate_limits: bool,
    pub trusted_proxies: Vec<IpNet>,
    pub signup: Signup,
    /// Private or reserved ranges webhooks may reach anyway (`WEBHOOK_ALLOW_PRIVATE_NETWORKS`).
    pub webhook_allow_private_networks: Vec<IpNet>,
    /// Access-token lifetime (15 minutes).
    pub access_ttl: Duration,
    /// Refresh-token lifetime.
    pub refresh_ttl: Duration,
    /// How often the outbox worker polls when idle.
    pub outbox_poll: Duration,
    /// First retry delay of a failed outbox job; doubles per attempt.
    pub outbox_backoff: Duration,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("jwt_secret", &"<redacted>")
            .field("data_dir", &self.data_dir)
            .field("frontend_dir", &self.frontend_dir)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("ai_provider", &self.ai_provider)
            .field("openai_base_url", &self.openai_base_url)
            .field(
                "openai_api_key",
                &self.openai_api_key.as_ref().map(|_| "<redacted>"),
            )
            .field("openai_model", &self.openai_model)
            .field("ai_timeout", &self.ai_timeout)
            .field("embeddings", &self.embeddings)
            .field("embeddings_model_dir", &self.embeddings_model_dir)
            .field("embeddings_base_url", &self.embeddings_base_url)
            .field("openai_embeddings_model", &self.openai_embeddings_model)
            .field("rate_limits", &self.rate_limits)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("signup", &self.signup)
            .field(
                "webhook_allow_private_networks",
                &self.webhook_allow_private_networks,
            )
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
        let jwt_secret = match var("JWT_SECRET") {
            Some(s) if s.len() < 32 => bail!("JWT_SECRET must be at least 32 characters"),
            Some(s) => s.into_bytes(),
            None => load_or_generate_secret(&data_dir)?,
        };
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
        let webhook_allow_private_networks = var("WEBHOOK_ALLOW_PRIVATE_NETWORKS")
            .map(|v| parse_cidrs("WEBHOOK_ALLOW_PRIVATE_NETWORKS", &v))
            .transpose()?
            .unwrap_or_default();
        let public_url = var("PUBLIC_URL")
            .unwrap_or_else(|| DEFAULT_PUBLIC_URL.into())
            .trim_end_matches('/')
            .to_string();
        url::Url::parse(&public_url).context("PUBLIC_URL must be an absolute URL")?;
        Ok(Config {
            database_url,
            bind: var("BIND").unwrap_or_else(|| DEFAULT_BIND.into()),
            public_url,
            jwt_secret,
            frontend_dir: PathBuf::from(
                var("FRONTEND_DIR").unwrap_or_else(|| "frontend/dist".into()),
            ),
            data_dir,
            smtp_url: var("SMTP_URL"),
            mail_from: var("MAIL_FROM").unwrap_or_else(|| "Handoff <no-reply@localhost>".into()),
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
            rate_limits,
            trusted_proxies,
            signup,
            webhook_allow_private_networks,
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(30 * 24 * 3600),
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

/// JWT_SECRET unset: keep a generated secret under DATA_DIR so restarts keep sessions valid.
fn load_or_generate_secret(data_dir: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    use rand::RngCore;
    let path = data_dir.join("jwt_secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let trimmed = existing.trim();
        if trimmed.len() >= 32 {
            return Ok(trimmed.as_bytes().to_vec());
        }
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating DATA_DIR {}", data_dir.display()))?;
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    std::fs::write(&path, &secret).with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(secret.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

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
            ("JWT_SECRET", &"s".repeat(40)),
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
    fn rejects_bad_values_and_parses_proxies() -> anyhow::Result<()> {
        let base = [
            ("DATABASE_URL", "postgres://x"),
            ("JWT_SECRET", "k".repeat(40).leak() as &str),
        ];
        assert!(cfg(&[base[0], base[1], ("AI_PROVIDER", "gpt")]).is_err());
        assert!(cfg(&[base[0], base[1], ("RATE_LIMITS", "maybe")]).is_err());
        assert!(cfg(&[base[0], base[1], ("SIGNUP", "sometimes")]).is_err());
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
    fn debug_redacts_secrets() -> anyhow::Result<()> {
        let c = cfg(&[
            ("DATABASE_URL", "postgres://u:hunter2@h/db"),
            ("JWT_SECRET", &"s".repeat(40)),
            ("SMTP_URL", "smtps://me:topsecret@mail"),
            ("OPENAI_API_KEY", "sk-abc"),
        ])?;
        let printed = format!("{c:?}");
        assert!(!printed.contains("hunter2") && !printed.contains("topsecret"));
        assert!(!printed.contains("sk-abc") && !printed.contains(&"s".repeat(40)));
        Ok(())
    }
}
