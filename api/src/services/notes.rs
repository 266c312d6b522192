//! Internal notes: the team writes them on a ticket or a conversation; they are shown
//! inline in the dashboard's conversation and nowhere the visitor looks (the widget API,
//! its stream, visitor mail and the visitor-facing webhooks read `messages`, never
//! `notes`). `@mentions` put the note in the mentioned member's Mentions inbox, pop a
//! dashboard notification (the `note.created` frame names them) and, per their
//! notification setting, send a mail (at once or after their delay, skipped if they read
//! it first, like the unread reminder).

use chrono::Utc;
use uuid::Uuid;

use crate::db::models::{Note, Ticket};
use crate::db::{Conn, conversations, members, notes as store, users, workspaces};
use crate::domain::access::Principal;
use crate::domain::actor::Actor;
use crate::domain::enums::{ActorKind, NotifyEmail};
use crate::domain::mentions::{mentioned, note_body};
use crate::domain::page::{Page, PageRequest};
use crate::domain::ticket_number::{TicketKey, TicketNumber};
use crate::domain::tickets::EventKind;
use crate::error::{ApiError, ApiResult};
use crate::events::BusEvent;
use crate::mail::{self, Email};
use crate::services::Changed;
use crate::services::access::{access, transact};
use crate::services::tickets::{lock, record, view};
use crate::state::AppState;
use crate::views::notes::{
    MentionList, MentionListQuery, MentionOut, MentionTicket, MentionedOut, NoteIn, NoteOut,
};
use crate::webhooks::{self, payloads};

const CURSOR_TAG: &str = "mentions";

/// A note on a ticket (it joins the ticket's conversation).
pub async fn add_to_ticket(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    key: TicketKey,
    body: NoteIn,
) -> ApiResult<NoteOut> {
    transact!(state, principal, ws, |conn, access| {
        let ticket = lock(conn, access.workspace_id, key).await?;
        let conversation_id = ticket.conversation_id;
        add_in(
            conn,
            access.workspace_id,
            conversation_id,
            Some(ticket),
            &body.body,
            &access.actor,
        )
        .await
    })
}

/// A note on a conversation; it is also on the conversation's newest ticket, if any.
pub async fn add_to_conversation(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
    body: NoteIn,
) -> ApiResult<NoteOut> {
    transact!(state, principal, ws, |conn, access| {
        let ws = access.workspace_id;
        conversations::conversation(conn, ws, id, false)
            .await?
            .ok_or_else(|| ApiError::not_found("conversation"))?;
        let ticket = match conversations::latest_ticket(conn, ws, id).await? {
            Some((ticket_id, _, _)) => Some(lock(conn, ws, TicketKey::Id(ticket_id)).await?),
            None => None,
        };
        add_in(conn, ws, id, ticket, &body.body, &access.actor).await
    })
}

async fn add_in(
    conn: &mut Conn,
    ws: Uuid,
    conversation_id: Uuid,
    ticket: Option<Ticket>,
    body: &str,
    actor: &Actor,
) -> ApiResult<Changed<NoteOut>> {
    let body = note_body(body)?;
    let team = members::list(conn, ws).await?;
    let named: Vec<(Uuid, &str)> = team
        .iter()
        .map(|(id, _, name, _)| (*id, name.as_str()))
        .collect();
    let author = actor.id.filter(|_| actor.kind == ActorKind::User);
    let mentions: Vec<MentionedOut> = mentioned(body, &named)
        .into_iter()
        .filter_map(|id| {
            named
                .iter()
                .find(|(u, _)| *u == id)
                .map(|(u, name)| MentionedOut {
                    user_id: *u,
                    name: (*name).to_string(),
                })
        })
        .collect();
    let note = store::insert(
        conn,
        &Note {
            id: Uuid::now_v7(),
            workspace_id: ws,
            conversation_id,
            ticket_id: ticket.as_ref().map(|t| t.id),
            author_user_id: author,
            author_name: actor.name.clone().unwrap_or_else(|| "Support team".into()),
            body: body.to_string(),
            mentions: serde_json::to_value(&mentions).map_err(anyhow::Error::from)?,
            created_at: Utc::now(),
        },
    )
    .await?;
    // The author is not notified of their own mention.
    let notify: Vec<Uuid> = mentions
        .iter()
        .map(|m| m.user_id)
        .filter(|u| Some(*u) != author)
        .collect();
    store::insert_mentions(conn, &note, &notify).await?;
    for user in &notify {
        let Some((pref, delay)) = members::notify_prefs(conn, ws, *user).await? else {
            continue;
        };
        let run_at = match pref {
            NotifyEmail::Off => continue,
            NotifyEmail::Immediately => note.created_at,
            NotifyEmail::Delayed => note.created_at + chrono::Duration::minutes(i64::from(delay)),
        };
        mail::queue_template_at(
            conn,
            Some(ws),
            &mail::Template::Mentioned {
                workspace_id: ws,
                user_id: *user,
                note_id: note.id,
            },
            run_at,
        )
        .await?;
    }
    let out = NoteOut::from(note);
    let publish = vec![BusEvent::note(ws, conversation_id, out.id, out.ticket_id)];
    if let Some(ticket) = &ticket {
        record(
            conn,
            ticket,
            EventKind::NoteAdded,
            actor,
            serde_json::json!({"note_id": out.id, "mentions": out.mentions}),
        )
        .await?;
        let view = view(conn, ws, ticket.id).await?;
        webhooks::dispatch(
            conn,
            ws,
            webhooks::TICKET_NOTE_ADDED,
            &payloads::TicketNoteAdded {
                ticket: &view,
                note: &out,
            },
        )
        .await?;
    }
    Ok(Changed {
        value: out,
        publish,
    })
}

/// The caller's mentions, newest first (`unread=true`: the unread ones), with their
/// unread count. API keys have none (403).
pub async fn mentions(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    q: &MentionListQuery,
) -> ApiResult<MentionList> {
    let page = PageRequest::parse(q.limit, q.cursor.as_deref(), CURSOR_TAG)?;
    let (mut conn, access) = access(state, principal, ws).await?;
    let user = access
        .user_id
        .ok_or_else(|| ApiError::forbidden("mentions belong to a person; API keys have none"))?;
    let ws = access.workspace_id;
    let rows = store::inbox(
        &mut conn,
        ws,
        user,
        q.unread.unwrap_or(false),
        page.after_key(),
        page.fetch(),
    )
    .await?;
    let unread_count = store::unread(&mut conn, ws, user, None).await?;
    let Page { items, next_cursor } =
        Page::from_rows(rows, &page, CURSOR_TAG, |(_, n, _)| (n.created_at, n.id)).map(
            |(read_at, note, ticket)| MentionOut {
                note: note.into(),
                ticket: ticket.map(|(id, number, status, summary)| MentionTicket {
                    id,
                    number: TicketNumber::new(number).to_string(),
                    status,
                    summary,
                }),
                read: read_at.is_some(),
            },
        );
    Ok(MentionList {
        items,
        next_cursor,
        unread_count,
    })
}

/// The mention mail, when its job runs; `None` once there is nothing to tell: read
/// meanwhile, mail switched off since, the note or the membership gone.
pub async fn render_mention(
    conn: &mut Conn,
    public_url: &str,
    ws: Uuid,
    user_id: Uuid,
    note_id: Uuid,
) -> ApiResult<Option<Email>> {
    if store::mention_unread(conn, ws, user_id, note_id).await? != Some(true) {
        return Ok(None);
    }
    match members::notify_prefs(conn, ws, user_id).await? {
        None | Some((NotifyEmail::Off, _)) => return Ok(None),
        Some(_) => {}
    }
    let (Some(note), Some(user), Some(workspace)) = (
        store::get(conn, ws, note_id).await?,
        users::by_id(conn, user_id).await?,
        workspaces::by_id(conn, ws).await?,
    ) else {
        return Ok(None);
    };
    let ticket = match note.ticket_id {
        Some(id) => crate::db::tickets::ticket_row(conn, ws, id)
            .await?
            .map(|row| TicketNumber::new(row.0.number).to_string()),
        None => None,
    };
    let link = crate::services::notifications::dashboard_link(
        public_url,
        ws,
        ticket.as_deref(),
        note.conversation_id,
    );
    Ok(Some(mail::notifications::mentioned(
        &user.email,
        &user.name,
        &mail::notifications::Mention {
            workspace: &workspace.name,
            author: &note.author_name,
            ticket: ticket.as_deref(),
            body: &note.body,
            link: &link,
        },
    )))
}
