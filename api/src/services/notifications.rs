//! Notifications that reach the right person: who a visitor's message is for (the agent
//! who took the conversation over; the ticket's assignee, or the team while it is
//! unassigned; see `db::reads`), what they have read (unread counts per ticket and
//! conversation, "new reply" in the dashboard), and the reminder mail to whoever has not
//! read it in time (their preference: off, at once, after N minutes), which is an outbox
//! job scheduled for then, checked again when it runs: a read meanwhile, a hand-over or a
//! changed preference skips it.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::{Conn, conversations, members, notes, reads, users, workspaces};
use crate::domain::access::{Access, Principal};
use crate::domain::ticket_number::TicketKey;
use crate::error::{ApiError, ApiResult};
use crate::mail::{self, Email};
use crate::services::access::access;
use crate::state::AppState;
use crate::views::notifications::{NotificationPrefs, ReadUpTo};

/// Where a member's mail takes them: the ticket (`TKT-10001`), or the conversation when it
/// has none.
pub(crate) fn dashboard_link(
    public_url: &str,
    ws: Uuid,
    ticket: Option<&str>,
    conversation_id: Uuid,
) -> String {
    let base = public_url.trim_end_matches('/');
    match ticket {
        Some(n) => format!("{base}/w/{ws}/tickets/{n}"),
        None => format!("{base}/w/{ws}/conversations/{conversation_id}"),
    }
}

/// The shortest and longest reminder delay.
pub const DELAY_MINUTES: std::ops::RangeInclusive<i32> = 1..=1440;

fn person(access: &Access) -> ApiResult<Uuid> {
    access.user_id.ok_or_else(|| {
        ApiError::forbidden(
            "read state and notification preferences belong to a person; API keys have none",
        )
    })
}

/// The caller's notification preferences in the workspace.
pub async fn preferences(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
) -> ApiResult<NotificationPrefs> {
    let (mut conn, access) = access(state, principal, ws).await?;
    let user = person(&access)?;
    let (email, delay_minutes) = members::notify_prefs(&mut conn, access.workspace_id, user)
        .await?
        .ok_or_else(|| ApiError::not_found("workspace"))?;
    Ok(NotificationPrefs {
        email,
        delay_minutes,
    })
}

/// Sets the caller's notification preferences; 422 on a delay out of range.
pub async fn set_preferences(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    body: NotificationPrefs,
) -> ApiResult<NotificationPrefs> {
    if !DELAY_MINUTES.contains(&body.delay_minutes) {
        return Err(ApiError::validation(
            "delay_minutes",
            "must be between 1 and 1440",
        ));
    }
    let (mut conn, access) = access(state, principal, ws).await?;
    let user = person(&access)?;
    members::set_notify_prefs(
        &mut conn,
        access.workspace_id,
        user,
        body.email,
        body.delay_minutes,
    )
    .await?;
    Ok(body)
}

/// When the caller read up to: the message `up_to` of the conversation (the last one
/// their screen shows), or now.
async fn read_until(
    conn: &mut Conn,
    ws: Uuid,
    conversation_id: Uuid,
    body: &ReadUpTo,
) -> ApiResult<DateTime<Utc>> {
    match body.up_to {
        None => Ok(Utc::now()),
        Some(id) => match conversations::message(conn, ws, conversation_id, id).await? {
            Some(m) => Ok(m.created_at),
            None => Err(ApiError::validation(
                "up_to",
                "no such message in this conversation",
            )),
        },
    }
}

/// The caller has read the ticket's conversation (up to `up_to`), and its notes' mentions
/// of them.
pub async fn mark_ticket_read(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    key: TicketKey,
    body: ReadUpTo,
) -> ApiResult<()> {
    let (mut conn, access) = access(state, principal, ws).await?;
    let user = person(&access)?;
    let ws = access.workspace_id;
    let row = crate::db::tickets::ticket_row_by(&mut conn, ws, key)
        .await?
        .ok_or_else(|| ApiError::not_found("ticket"))?;
    let conv = row.0.conversation_id;
    let at = read_until(&mut conn, ws, conv, &body).await?;
    reads::mark_read(&mut conn, ws, user, conv, at).await?;
    // The page shows every note: its mentions of the caller are read.
    notes::mark_read(&mut conn, ws, user, conv, Utc::now()).await?;
    Ok(())
}

/// The caller has read the conversation (up to `up_to`).
pub async fn mark_conversation_read(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
    body: ReadUpTo,
) -> ApiResult<()> {
    let (mut conn, access) = access(state, principal, ws).await?;
    let user = person(&access)?;
    let ws = access.workspace_id;
    conversations::conversation(&mut conn, ws, id, false)
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    let at = read_until(&mut conn, ws, id, &body).await?;
    reads::mark_read(&mut conn, ws, user, id, at).await?;
    notes::mark_read(&mut conn, ws, user, id, Utc::now()).await?;
    Ok(())
}

/// A visitor's message was stored in conversation `conversation_id` at `at`, in the
/// caller's transaction: a reminder mail is scheduled for each member it is for who wants
/// one (see `db::reads::schedule_reminders`), as an outbox job due then.
pub async fn visitor_wrote_in(
    conn: &mut Conn,
    ws: Uuid,
    conversation_id: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    for s in reads::schedule_reminders(conn, ws, conversation_id, at).await? {
        mail::queue_template_at(
            conn,
            Some(ws),
            &mail::Template::UnreadReminder {
                workspace_id: ws,
                user_id: s.user_id,
                conversation_id,
                due: s.reminder_due_at,
            },
            s.reminder_due_at,
        )
        .await?;
    }
    Ok(())
}

/// The reminder mail, when its job runs; `None` when there is nothing to remind of any
/// more: read meanwhile (or a newer reminder replaced it), not the member's any more
/// (handed over, assigned to someone else, closed), mail switched off, nothing unread.
pub async fn render_reminder(
    conn: &mut Conn,
    public_url: &str,
    ws: Uuid,
    user_id: Uuid,
    conversation_id: Uuid,
    due: DateTime<Utc>,
) -> ApiResult<Option<Email>> {
    let Some(st) = reads::reminder_state(conn, ws, user_id, conversation_id, due).await? else {
        return Ok(None);
    };
    if !st.pending || !st.responsible {
        return Ok(None);
    }
    let unread = reads::conversation_unread(conn, ws, user_id, &[conversation_id])
        .await?
        .first()
        .map_or(0, |(_, n)| *n);
    if unread == 0 {
        return Ok(None);
    }
    let (Some(user), Some(workspace), Some(conv)) = (
        users::by_id(conn, user_id).await?,
        workspaces::by_id(conn, ws).await?,
        conversations::conversation(conn, ws, conversation_id, false).await?,
    ) else {
        return Ok(None);
    };
    let visitor = conversations::visitor(conn, ws, conv.visitor_id).await?;
    let ticket = conversations::latest_ticket(conn, ws, conversation_id)
        .await?
        .map(|(_, n, _)| crate::domain::ticket_number::TicketNumber::new(n).to_string());
    let latest = reads::latest_visitor_message(conn, ws, conversation_id)
        .await?
        .unwrap_or_default();
    let link = dashboard_link(public_url, ws, ticket.as_deref(), conversation_id);
    Ok(Some(mail::notifications::unread_reminder(
        &user.email,
        &user.name,
        &mail::notifications::Unread {
            workspace: &workspace.name,
            ticket: ticket.as_deref(),
            visitor: visitor.as_ref().and_then(|v| v.email.as_deref()),
            unread,
            cap: reads::UNREAD_CAP,
            latest: &latest,
            link: &link,
        },
    )))
}
