//! Outgoing mail: SMTP through lettre when SMTP_URL is set, otherwise `.eml` files under
//! `DATA_DIR/mail`. Mail is always queued through the outbox, never sent inline.
//!
//! Every mail's `Message-ID` comes from its outbox job (`message_id`), so a job sent again
//! after a crash carries the same one. Ticket mail carries the workspace's sender, the
//! ticket's thread (`In-Reply-To`, `References`) and, when replies by email are on, a
//! `Reply-To` of `reply+<token>@INBOUND_DOMAIN` minted when the mail is sent
//! (`auth::tokens::reply_token`): the outbox holds the ticket's id, never the address.

pub mod inbound;
pub mod invitations;
pub mod notifications;
pub mod quota;
pub mod tickets;
pub mod verification;

use std::path::PathBuf;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::tokens;
use crate::config::Config;
use crate::db::Conn;
use crate::db::models::Workspace;
use crate::error::ApiResult;
use crate::outbox;

pub const JOB_KIND: &str = "email";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// Ticket mail's sender and thread (absent for account mail).
    #[serde(default, skip_serializing_if = "Headers::is_empty")]
    pub headers: Headers,
}

/// What ticket mail carries beyond the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Headers {
    /// `From` (a mailbox, `Name <address>`) instead of `MAIL_FROM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The thread: the Message-ID this mail answers, and the thread's Message-IDs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// `Reply-To: reply+<token>@INBOUND_DOMAIN` routing answers into this ticket (the
    /// token is minted when the mail is sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to_ticket: Option<Uuid>,
    /// `Auto-Submitted: auto-replied` (bounce notices: no mail system answers them).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub auto_replied: bool,
}

impl Headers {
    pub fn is_empty(&self) -> bool {
        self == &Headers::default()
    }
}

/// The domain of this server's Message-IDs: `INBOUND_DOMAIN`, else `MAIL_FROM`'s.
fn message_id_domain(config: &Config) -> String {
    if let Some(d) = &config.inbound_domain {
        return d.clone();
    }
    config
        .mail_from
        .parse::<Mailbox>()
        .ok()
        .map(|m| m.email.domain().to_string())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// The `Message-ID` of the mail of outbox job `job_id`: the same for every attempt.
pub fn message_id(config: &Config, job_id: i64) -> ApiResult<String> {
    Ok(format!(
        "<{job_id}.{}@{}>",
        tokens::message_id_tag(config, job_id)?,
        message_id_domain(config)
    ))
}

/// The `From` of a workspace's ticket mail: its sender name (else its name) and sender
/// address (else `MAIL_FROM`'s address).
pub fn sender_of(mail_from: &str, ws: &Workspace) -> String {
    let instance: Option<Mailbox> = mail_from.parse().ok();
    let address = ws
        .mail_sender_address
        .clone()
        .or_else(|| instance.as_ref().map(|m| m.email.to_string()))
        .unwrap_or_else(|| "no-reply@localhost".into());
    let name = ws
        .mail_sender_name
        .clone()
        .unwrap_or_else(|| ws.name.clone());
    match address.parse() {
        Ok(email) => Mailbox::new(Some(name), email).to_string(),
        Err(_) => mail_from.to_string(),
    }
}

/// The reply address of a ticket's mail sent today; `None` without `INBOUND_DOMAIN`.
pub fn reply_address(config: &Config, ticket_id: Uuid) -> ApiResult<Option<String>> {
    let Some(domain) = &config.inbound_domain else {
        return Ok(None);
    };
    let token = tokens::reply_token(config, ticket_id, chrono::Utc::now().date_naive())?;
    Ok(Some(format!("reply+{token}@{domain}")))
}

/// A mail rendered when it is sent, from ids: what it links to carries a secret (an
/// invitation or verification token), which is minted then and stored only as a hash, so
/// the outbox (its rows, backups, replicas) never holds a usable token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum Template {
    Invitation {
        invitation_id: Uuid,
    },
    VerifyEmail {
        user_id: Uuid,
    },
    /// A visitor's messages that the member has not read (`services::notifications`);
    /// `due` names the reminder, so a read or a newer reminder makes this one stale.
    UnreadReminder {
        workspace_id: Uuid,
        user_id: Uuid,
        conversation_id: Uuid,
        due: chrono::DateTime<chrono::Utc>,
    },
    /// A note mentions the member (`services::notes`); skipped if they read it first.
    Mentioned {
        workspace_id: Uuid,
        user_id: Uuid,
        note_id: Uuid,
    },
}

/// What an `email` job carries: a template rendered at send time, or a mail rendered when
/// queued (ticket mail, which links to nothing secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MailJob {
    Template(Template),
    Rendered(Email),
}

/// Queues an email in the caller's transaction.
pub async fn queue(conn: &mut Conn, workspace_id: Option<Uuid>, email: &Email) -> ApiResult<i64> {
    outbox::enqueue(conn, workspace_id, JOB_KIND, email).await
}

/// Queues a mail rendered when it is sent, not before `run_at`, in the caller's
/// transaction.
pub async fn queue_template_at(
    conn: &mut Conn,
    workspace_id: Option<Uuid>,
    template: &Template,
    run_at: chrono::DateTime<chrono::Utc>,
) -> ApiResult<i64> {
    outbox::enqueue_at(conn, workspace_id, JOB_KIND, template, run_at).await
}

/// Queues a mail rendered at send time, in the caller's transaction.
pub async fn queue_template(
    conn: &mut Conn,
    workspace_id: Option<Uuid>,
    template: &Template,
) -> ApiResult<i64> {
    outbox::enqueue(conn, workspace_id, JOB_KIND, template).await
}

pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        match &config.smtp_url {
            Some(url) => Ok(Mailer::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("SMTP_URL is invalid: {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build(),
            )),
            None => Ok(Mailer::Files(config.data_dir.join("mail"))),
        }
    }

    /// Sends the mail of outbox job `job_id` (its Message-ID comes from the job).
    pub async fn send(&self, config: &Config, job_id: i64, email: &Email) -> anyhow::Result<()> {
        let message = build_message(config, job_id, email)?;
        match self {
            Mailer::Smtp(transport) => {
                transport.send(message).await?;
                tracing::info!(to = %email.to, subject = %email.subject, "mail sent over SMTP");
            }
            Mailer::Files(dir) => {
                tokio::fs::create_dir_all(dir).await?;
                let name = format!(
                    "{}-{}.eml",
                    chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
                    Uuid::new_v4().simple()
                );
                let path = dir.join(name);
                tokio::fs::write(&path, message.formatted()).await?;
                tracing::info!(to = %email.to, subject = %email.subject, path = %path.display(), "mail written to file (SMTP_URL not set)");
            }
        }
        Ok(())
    }
}

pub fn build_message(config: &Config, job_id: i64, email: &Email) -> anyhow::Result<Message> {
    let instance: Mailbox = config
        .mail_from
        .parse()
        .map_err(|e| anyhow::anyhow!("MAIL_FROM is invalid: {e}"))?;
    let h = &email.headers;
    let from: Mailbox = match &h.from {
        Some(from) => from
            .parse()
            .map_err(|e| anyhow::anyhow!("the workspace's sender is invalid: {e}"))?,
        None => instance.clone(),
    };
    let to: Mailbox = email
        .to
        .parse()
        .map_err(|e| anyhow::anyhow!("recipient is invalid: {e}"))?;
    // Bounces go to the server's address, whoever the mail is from.
    let envelope =
        lettre::address::Envelope::new(Some(instance.email.clone()), vec![to.email.clone()])
            .map_err(|e| anyhow::anyhow!("envelope: {e}"))?;
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&email.subject)
        .envelope(envelope)
        .message_id(Some(message_id(config, job_id)?));
    if let Some(ticket) = h.reply_to_ticket
        && let Some(address) = reply_address(config, ticket)?
    {
        let address = address
            .parse()
            .map_err(|e| anyhow::anyhow!("reply address: {e}"))?;
        builder = builder.reply_to(Mailbox::new(from.name.clone(), address));
    }
    if let Some(parent) = &h.in_reply_to {
        builder = builder.in_reply_to(parent.clone());
    }
    if !h.references.is_empty() {
        builder = builder.references(h.references.join(" "));
    }
    if h.auto_replied {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-replied".into(),
        ));
    }
    let message = match &email.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            email.text.clone(),
            html.clone(),
        ))?,
        None => builder
            .header(ContentType::TEXT_PLAIN)
            .body(email.text.clone())?,
    };
    Ok(message)
}

/// Escapes text for inclusion in an HTML mail body.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// A plain, readable HTML wrapper for transactional mail; `body_html` must be escaped.
pub fn html_layout(title: &str, body_html: &str) -> String {
    format!(
        "<!doctype html><html><body style=\"font-family:-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2937;max-width:560px;margin:24px auto;line-height:1.5\">\
         <h2 style=\"font-size:18px;margin:0 0 16px\">{}</h2>{}\
         <p style=\"color:#6b7280;font-size:12px;margin-top:32px\">Sent by Handoff</p></body></html>",
        html_escape(title),
        body_html
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_read_back_as_templates_or_rendered_mail() -> anyhow::Result<()> {
        let id = Uuid::new_v4();
        let t = serde_json::to_value(Template::Invitation { invitation_id: id })?;
        assert_eq!(t["template"], "invitation");
        assert_eq!(
            serde_json::from_value::<MailJob>(t)?,
            MailJob::Template(Template::Invitation { invitation_id: id })
        );
        let e = Email {
            to: "a@example.com".into(),
            subject: "s".into(),
            text: "t".into(),
            html: None,
            headers: Headers::default(),
        };
        assert_eq!(
            serde_json::from_value::<MailJob>(serde_json::to_value(&e)?)?,
            MailJob::Rendered(e)
        );
        Ok(())
    }

    #[test]
    fn builds_multipart_mail() -> anyhow::Result<()> {
        let email = Email {
            to: "a@example.com".into(),
            subject: "Hi".into(),
            text: "plain".into(),
            html: Some(html_layout("T", "<p>x</p>")),
            headers: Headers::default(),
        };
        let config = Config::from_lookup(|k| match k {
            "DATABASE_URL" => Some("postgres://x/y".into()),
            "JWT_SECRET" => {
                Some("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff".into())
            }
            "MAIL_FROM" => Some("Handoff <no-reply@mail.example.com>".into()),
            _ => None,
        })?;
        let raw = String::from_utf8(build_message(&config, 42, &email)?.formatted())?;
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("Subject: Hi"));
        // The job's Message-ID, the same on every attempt.
        let id = message_id(&config, 42)?;
        assert!(
            id.starts_with("<42.") && id.ends_with("@mail.example.com>"),
            "{id}"
        );
        assert!(raw.contains(&format!("Message-ID: {id}")), "{raw}");
        let again = String::from_utf8(build_message(&config, 42, &email)?.formatted())?;
        assert!(again.contains(&format!("Message-ID: {id}")));
        assert!(!raw.contains("Reply-To") && !raw.contains("Auto-Submitted"));
        assert_eq!(
            html_escape("<img onerror=x>&"),
            "&lt;img onerror=x&gt;&amp;"
        );
        Ok(())
    }
}
