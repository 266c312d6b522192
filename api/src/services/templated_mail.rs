//! Renders the mail of a `mail::Template` job when it is sent: the link's token is minted
//! now and only its hash is stored, so no outbox row (or backup of one) holds a usable
//! invitation or verification link. A retried job mints a fresh token, and the previous
//! link (whose mail never arrived, or arrived twice under at-least-once delivery) stops
//! working.

use chrono::Utc;

use crate::auth::tokens;
use crate::db::{Conn, invitations, users, verifications, workspaces};
use crate::error::ApiResult;
use crate::mail::{self, Email, Template};

/// The mail to send now; `None` when there is nothing left to send (the invitation was
/// accepted or expired, the address is verified already, the row is gone).
pub async fn render(
    conn: &mut Conn,
    public_url: &str,
    template: &Template,
) -> ApiResult<Option<Email>> {
    match template {
        Template::Invitation { invitation_id } => {
            let Some(inv) = invitations::by_id(conn, *invitation_id).await? else {
                return Ok(None);
            };
            if inv.accepted_at.is_some() || inv.expires_at < Utc::now() {
                return Ok(None);
            }
            let Some(ws) = workspaces::by_id(conn, inv.workspace_id).await? else {
                return Ok(None);
            };
            let inviter = match inv.invited_by {
                Some(id) => users::by_id(conn, id).await?.map(|u| u.name),
                None => None,
            }
            .unwrap_or_else(|| "A teammate".into());
            let token = tokens::random_secret("hi_");
            if invitations::set_token_hash(conn, inv.id, &tokens::sha256_hex(&token)).await? == 0 {
                return Ok(None);
            }
            let link = format!("{public_url}/invitations/accept?token={token}");
            Ok(Some(mail::invitations::invitation(
                &inv.email, &inviter, &ws.name, inv.role, &link,
            )))
        }
        Template::UnreadReminder {
            workspace_id,
            user_id,
            conversation_id,
            due,
        } => {
            crate::services::notifications::render_reminder(
                conn,
                public_url,
                *workspace_id,
                *user_id,
                *conversation_id,
                *due,
            )
            .await
        }
        Template::Mentioned {
            workspace_id,
            user_id,
            note_id,
        } => {
            crate::services::notes::render_mention(
                conn,
                public_url,
                *workspace_id,
                *user_id,
                *note_id,
            )
            .await
        }
        Template::VerifyEmail { user_id } => {
            let Some(user) = users::by_id(conn, *user_id).await? else {
                return Ok(None);
            };
            if user.email_verified_at.is_some() {
                return Ok(None);
            }
            let token = tokens::random_secret("ev_");
            let expires = Utc::now() + chrono::Duration::hours(mail::verification::TTL_HOURS);
            verifications::upsert(
                conn,
                user.id,
                Some(&tokens::sha256_hex(&token)),
                Some(expires),
            )
            .await?;
            let link = format!("{public_url}/verify-email?token={token}");
            Ok(Some(mail::verification::verify_email(
                &user.email,
                &user.name,
                &link,
            )))
        }
    }
}
