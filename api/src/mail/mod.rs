//! Outgoing mail: SMTP through lettre when SMTP_URL is set, otherwise `.eml` files under
//! `DATA_DIR/mail`. Mail is always queued through the outbox, never sent inline.

pub mod invitations;
pub mod quota;
pub mod tickets;
pub mod verification;

use std::path::PathBuf;

use lettre::message::{Mailbox, MultiPart, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::Config;
use crate::db::Conn;
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
}

/// A mail rendered when it is sent, from ids: what it links to carries a secret (an
/// invitation or verification token), which is minted then and stored only as a hash, so
/// the outbox (its rows, backups, replicas) never holds a usable token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum Template {
    Invitation { invitation_id: Uuid },
    VerifyEmail { user_id: Uuid },
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

    pub async fn send(&self, from: &str, email: &Email) -> anyhow::Result<()> {
        let message = build_message(from, email)?;
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

pub fn build_message(from: &str, email: &Email) -> anyhow::Result<Message> {
    let from: Mailbox = from
        .parse()
        .map_err(|e| anyhow::anyhow!("MAIL_FROM is invalid: {e}"))?;
    let to: Mailbox = email
        .to
        .parse()
        .map_err(|e| anyhow::anyhow!("recipient is invalid: {e}"))?;
    let builder = Message::builder().from(from).to(to).subject(&email.subject);
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
        };
        let raw =
            String::from_utf8(build_message("Handoff <no-reply@localhost>", &email)?.formatted())?;
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("Subject: Hi"));
        assert_eq!(
            html_escape("<img onerror=x>&"),
            "&lt;img onerror=x&gt;&amp;"
        );
        Ok(())
    }
}
