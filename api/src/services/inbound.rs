//! Inbound mail, end to end, whichever way it came (the SMTP listener or
//! `POST /api/v1/inbound/email`): the reply address names a ticket (`reply+<token>@
//! INBOUND_DOMAIN`, an HMAC-signed token: `auth::tokens::reply_token`), the mail is parsed
//! (`mail::inbound`), recorded once per Message-ID, and appended to the ticket's
//! conversation as the visitor's message on channel `email`
//! (`tickets::visitor_message_appended_in`: reopens a resolved ticket, reaches the widget
//! and the dashboard). Auto-replies are recorded in the timeline only.
//!
//! Nothing is dropped silently: an unknown address is refused (SMTP 550 at RCPT, HTTP
//! 404); an address this server issued that no longer works (expired, ticket closed,
//! replies by email switched off) is refused with the reason (SMTP 550, HTTP 410, and over
//! HTTP a bounce mail to the sender, since the provider that accepted the mail tells them
//! nothing). A forged address gets no bounce mail: nobody can make Handoff mail a third
//! party.

use uuid::Uuid;

use crate::auth::tokens;
use crate::db::models::{Ticket, Workspace};
use crate::db::{self, Conn, inbound_emails as store, tickets as ticket_store};
use crate::domain::enums::TicketStatus;
use crate::domain::ticket_number::TicketNumber;
use crate::error::{ApiError, ApiResult};
use crate::mail::{self, inbound::InboundMail};
use crate::services::workspaces::load as load_workspace;
use crate::services::{attachments, tickets};
use crate::state::AppState;
use crate::views::messages::EmailMeta;

/// How the mail arrived (recorded with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Smtp,
    Http,
}

impl Via {
    fn as_str(self) -> &'static str {
        match self {
            Via::Smtp => "smtp",
            Via::Http => "http",
        }
    }
}

/// What a recipient address is to this server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// A working reply address of this ticket.
    Ticket { workspace_id: Uuid, ticket_id: Uuid },
    /// Not a reply address this server issued (another domain, no token, a forged one).
    Unknown,
    /// A reply address this server issued that no longer works, and why (said to the
    /// sender).
    Expired {
        workspace_id: Uuid,
        ticket_id: Uuid,
        reason: &'static str,
    },
}

pub const UNKNOWN_TEXT: &str = "This address does not accept mail: it is not a reply address of an open request. To contact the team, use the chat on their website.";
const CLOSED: &str = "This request is closed, so replies by email no longer reach it. To contact the team again, start a new conversation in the chat on their website.";
const TOO_OLD: &str = "This reply address has expired. To contact the team again, start a new conversation in the chat on their website.";
const TURNED_OFF: &str =
    "This team no longer receives replies by email. Please answer in the chat on their website.";

/// Checks a recipient address without changing anything (the SMTP listener's RCPT).
pub async fn check_recipient(state: &AppState, address: &str) -> ApiResult<Recipient> {
    let mut conn = db::conn(&state.pool).await?;
    check_in(state, &mut conn, address, false)
        .await
        .map(|(r, _)| r)
}

/// The verdict on `address`, with the ticket and its workspace when the token checked
/// out (locked with `lock`).
async fn check_in(
    state: &AppState,
    conn: &mut Conn,
    address: &str,
    lock: bool,
) -> ApiResult<(Recipient, Option<(Ticket, Workspace)>)> {
    let config = &state.config;
    let Some(domain) = config.inbound_domain.as_deref() else {
        return Ok((Recipient::Unknown, None));
    };
    let Some(token) = mail::inbound::reply_token_in(address, domain) else {
        return Ok((Recipient::Unknown, None));
    };
    let Some(claims) = tokens::verify_reply_token(config, token)? else {
        return Ok((Recipient::Unknown, None));
    };
    let Some(mut ticket) = store::ticket(conn, claims.ticket_id, lock).await? else {
        return Ok((Recipient::Unknown, None));
    };
    // A merged ticket's mail thread continues on the surviving ticket (one step: a merge
    // re-points the tickets merged before).
    if let Some(into) = ticket.merged_into_id
        && let Some(surviving) = store::ticket(conn, into, lock).await?
        && surviving.workspace_id == ticket.workspace_id
    {
        ticket = surviving;
    }
    let ws = load_workspace(conn, ticket.workspace_id).await?;
    let expired = |reason| Recipient::Expired {
        workspace_id: ws.id,
        ticket_id: ticket.id,
        reason,
    };
    let ttl = chrono::Duration::days(i64::from(config.inbound_reply_ttl_days));
    let verdict = if !tickets::email_replies_on(config, &ws) {
        expired(TURNED_OFF)
    } else if ticket.status == TicketStatus::Closed {
        expired(CLOSED)
    } else if claims.issued + ttl < chrono::Utc::now().date_naive() {
        expired(TOO_OLD)
    } else {
        Recipient::Ticket {
            workspace_id: ws.id,
            ticket_id: ticket.id,
        }
    };
    Ok((verdict, Some((ticket, ws))))
}

/// What became of a delivered mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Appended to the ticket's conversation as this message.
    Appended {
        ticket_id: Uuid,
        number: i64,
        message_id: Uuid,
        reopened: bool,
    },
    /// This Message-ID was delivered before (the message it became, if any).
    Duplicate {
        ticket_id: Uuid,
        number: i64,
        message_id: Option<Uuid>,
    },
    /// An auto-reply: recorded in the ticket's timeline, nothing reopened.
    AutoReply { ticket_id: Uuid, number: i64 },
}

/// Why a mail was not delivered (each way of arrival words it its own way).
#[derive(Debug)]
pub enum Refusal {
    /// Not a message at all.
    Unparseable,
    /// No reply address of this server among its recipients, or a forged one.
    Unknown,
    /// An address this server issued that no longer works (the reason is for the sender).
    Expired(&'static str),
    /// Nothing left once the quoted history and the signature are removed.
    Empty,
}

impl Refusal {
    /// The API error for the HTTP endpoint.
    pub fn into_api_error(self) -> ApiError {
        use actix_web::http::StatusCode;
        match self {
            Refusal::Unparseable => ApiError::refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unparseable_message",
                "The body is not an RFC 5322 message (headers, a blank line, the body).",
            ),
            Refusal::Unknown => {
                ApiError::refused(StatusCode::NOT_FOUND, "unknown_reply_address", UNKNOWN_TEXT)
            }
            Refusal::Expired(reason) => {
                ApiError::refused(StatusCode::GONE, "reply_address_expired", reason)
            }
            Refusal::Empty => ApiError::refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "empty_reply",
                "The reply has no text once the quoted history and the signature are removed.",
            ),
        }
    }

    /// The SMTP reply (a permanent failure: the sending server bounces with the text).
    pub fn smtp_text(&self) -> String {
        match self {
            Refusal::Unparseable => "5.6.0 The message could not be read".into(),
            Refusal::Unknown => format!("5.1.1 {UNKNOWN_TEXT}"),
            Refusal::Expired(reason) => format!("5.7.1 {reason}"),
            Refusal::Empty => {
                "5.6.0 The reply has no text once the quoted history is removed".into()
            }
        }
    }
}

/// Delivers a raw message to the ticket its reply address names. `envelope` is the
/// envelope recipient when known (SMTP `RCPT TO`, a provider's field); otherwise the
/// mail's own recipient headers are searched. `Err(ApiError)` is a failure of ours
/// (retry later); `Ok(Err(Refusal))` a permanent refusal.
pub async fn deliver(
    state: &AppState,
    via: Via,
    envelope: Option<&str>,
    raw: &[u8],
) -> ApiResult<Result<Outcome, Refusal>> {
    let Some(mail) = mail::inbound::parse(raw) else {
        return Ok(Err(Refusal::Unparseable));
    };
    let Some(domain) = state.config.inbound_domain.as_deref() else {
        return Ok(Err(Refusal::Unknown));
    };
    let address = match envelope {
        Some(a) => Some(a.to_string()),
        None => mail
            .recipients
            .iter()
            .find(|r| mail::inbound::reply_token_in(r, domain).is_some())
            .cloned(),
    };
    let Some(address) = address else {
        return Ok(Err(Refusal::Unknown));
    };
    // The files go into the store first (a refused or duplicate mail's are removed
    // again); those that can't be kept (a type not allowed, too large, refused by the
    // virus scanner) are named on the message instead.
    let mut kept = Vec::new();
    let mut not_kept = Vec::new();
    for f in &mail.attachments {
        let upload = attachments::Upload {
            filename: Some(f.name.clone()),
            content_type: f.content_type.clone(),
            bytes: f.bytes.clone(),
        };
        match attachments::prepare(state, "mail", upload).await {
            Ok(p) => kept.push(p),
            Err(e) => {
                tracing::info!(file = %f.name, error = %e, "an inbound mail's file was not kept");
                not_kept.push(f.name.clone());
            }
        }
    }
    let (kept, not_kept) = (&kept, &not_kept);
    let mut pooled = db::conn(&state.pool).await?;
    let done =
        diesel_async::AsyncConnection::transaction::<_, ApiError, _>(&mut *pooled, async |conn| {
            let (verdict, found) = check_in(state, conn, &address, true).await?;
            let (ticket, ws) = match (verdict, found) {
                (Recipient::Ticket { .. }, Some(found)) => found,
                (Recipient::Expired { reason, .. }, Some((ticket, ws))) => {
                    if via == Via::Http {
                        queue_bounce(conn, &ws, &ticket, &mail, reason).await?;
                    }
                    return Ok((Err(Refusal::Expired(reason)), vec![]));
                }
                _ => return Ok((Err(Refusal::Unknown), vec![])),
            };
            let number = ticket.number;
            let foreign = mail
                .from
                .as_deref()
                .is_none_or(|f| !f.eq_ignore_ascii_case(ticket.visitor_email.trim()));
            let body = body_of(&mail, not_kept);
            if body.is_none() && kept.is_empty() && !mail.auto_reply {
                return Ok((Err(Refusal::Empty), vec![]));
            }
            let Some(inbound_id) = store::insert(
                conn,
                store::NewInbound {
                    workspace_id: ws.id,
                    ticket_id: ticket.id,
                    rfc_message_id: &mail.message_id,
                    from_address: mail.from.as_deref(),
                    subject: mail.subject.as_deref(),
                    auto_reply: mail.auto_reply,
                    foreign_sender: foreign,
                    received_via: via.as_str(),
                },
            )
            .await?
            else {
                let message_id = store::message_of(conn, ws.id, &mail.message_id)
                    .await?
                    .flatten();
                return Ok((
                    Ok(Outcome::Duplicate {
                        ticket_id: ticket.id,
                        number,
                        message_id,
                    }),
                    vec![],
                ));
            };
            if mail.auto_reply {
                tickets::auto_reply_recorded_in(
                    conn,
                    &ticket,
                    mail.from.as_deref(),
                    mail.subject.as_deref(),
                )
                .await?;
                return Ok((
                    Ok(Outcome::AutoReply {
                        ticket_id: ticket.id,
                        number,
                    }),
                    vec![],
                ));
            }
            let meta = EmailMeta {
                from: mail.from.clone().unwrap_or_default(),
                foreign_sender: foreign,
                subject: mail.subject.clone(),
                attachments: not_kept.clone(),
            };
            let meta = serde_json::to_value(&meta).map_err(ApiError::internal)?;
            // A sender other than the visitor is named on the message; the visitor's
            // email stays what it was.
            let author = foreign.then(|| mail.from.clone().unwrap_or_default());
            let message = store::append_email_message(
                conn,
                ws.id,
                ticket.conversation_id,
                author.as_deref(),
                body.as_deref().unwrap_or_default(),
                meta,
            )
            .await?;
            let message = attachments::attach_prepared(conn, ws.id, kept, message).await?;
            store::set_message(conn, ws.id, inbound_id, message.id).await?;
            let refs = ticket_store::email_references(conn, ws.id, ticket.id).await?;
            ticket_store::set_email_references(
                conn,
                ws.id,
                ticket.id,
                &mail::tickets::extend_thread(refs, &mail.message_id),
            )
            .await?;
            let publish = tickets::visitor_message_appended_in(conn, &ticket, &message).await?;
            Ok((
                Ok(Outcome::Appended {
                    ticket_id: ticket.id,
                    number,
                    message_id: message.id,
                    reopened: ticket.status == TicketStatus::Resolved,
                }),
                publish,
            ))
        })
        .await;
    drop(pooled);
    if !matches!(done, Ok((Ok(Outcome::Appended { .. }), _))) {
        for p in kept {
            p.discard(state).await;
        }
    }
    // Two deliveries of one Message-ID at once: the second waits for the first's
    // commit, then its insert does nothing (a duplicate).
    let (outcome, publish) = done?;
    state.publish_all(publish).await;
    match &outcome {
        Ok(o) => tracing::info!(via = via.as_str(), outcome = ?o, "inbound mail delivered"),
        Err(r) => tracing::info!(via = via.as_str(), refusal = ?r, "inbound mail refused"),
    }
    Ok(outcome)
}

/// The message's text: the reply, and the files that could not be kept by name (the
/// kept ones are the message's attachments); `None` when there is neither.
fn body_of(mail: &InboundMail, not_kept: &[String]) -> Option<String> {
    let mut body = mail.text.trim().to_string();
    if !not_kept.is_empty() {
        if !body.is_empty() {
            body.push_str("\n\n");
        }
        body.push_str(&format!("[Attachments not kept: {}]", not_kept.join(", ")));
    }
    (!body.is_empty()).then_some(body)
}

/// The bounce of an HTTP-delivered mail to an issued address that no longer works: to its
/// sender, unless it is an auto-reply or has no sender (no mail loops).
async fn queue_bounce(
    conn: &mut Conn,
    ws: &Workspace,
    ticket: &Ticket,
    mail: &InboundMail,
    reason: &str,
) -> ApiResult<()> {
    let Some(to) = mail.from.as_deref() else {
        return Ok(());
    };
    let local = to.split('@').next().unwrap_or_default();
    if mail.auto_reply || ["mailer-daemon", "postmaster", "no-reply", "noreply"].contains(&local) {
        return Ok(());
    }
    let reason = format!("{reason} (request {})", TicketNumber::new(ticket.number));
    mail::queue(
        conn,
        Some(ws.id),
        &mail::tickets::bounce(
            to,
            &ws.name,
            mail.subject.as_deref(),
            &reason,
            Some(&mail.message_id),
        ),
    )
    .await?;
    Ok(())
}
