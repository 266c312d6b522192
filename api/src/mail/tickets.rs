//! Mail about tickets: new ticket (to the notification address), assignment (to the
//! assignee), reply copy (to the visitor), and the bounce of an inbound mail that could
//! not be delivered to its ticket. Each has a text and an HTML part; every piece of user
//! text in the HTML is escaped.
//!
//! Mail to the visitor goes out in the ticket's thread (`queue_threaded`): the ticket
//! keeps the Message-IDs of its mails both ways (`tickets.email_references`, the root
//! first), so each new mail answers the latest one and every client threads them.

use uuid::Uuid;

use super::{Email, Headers, html_escape, html_layout};
use crate::config::Config;
use crate::db::models::Workspace;
use crate::db::{Conn, tickets as store};
use crate::domain::actor::Actor;
use crate::domain::enums::TicketCategory;
use crate::error::ApiResult;
use crate::views::tickets::TicketOut;

/// The line above which the visitor types their answer; everything from it down is
/// dropped from an inbound reply (with the quoting rules of `mail::inbound`).
pub const REPLY_ABOVE: &str = "##- Please type your reply above this line -##";

/// Message-IDs a ticket's thread keeps: the root and the most recent ones.
pub const THREAD_KEEP: usize = 20;

/// The thread after `id` joins it: the root stays, then the most recent, `THREAD_KEEP` in
/// all (a long thread's References stays short; clients thread by the root).
pub fn extend_thread(mut refs: Vec<String>, id: &str) -> Vec<String> {
    if refs.iter().any(|r| r == id) {
        return refs;
    }
    refs.push(id.to_string());
    if refs.len() > THREAD_KEEP {
        let drop = refs.len() - THREAD_KEEP;
        refs.drain(1..=drop);
    }
    refs
}

/// Queues mail to the ticket's visitor in the ticket's thread, in the caller's transaction
/// (which holds the ticket's row lock): from the workspace's sender, answering the
/// thread's latest mail, with the reply address when `route_replies`; the mail's
/// Message-ID (from its job) joins the thread.
pub async fn queue_threaded(
    conn: &mut Conn,
    config: &Config,
    ws: &Workspace,
    ticket_id: Uuid,
    mut email: Email,
    route_replies: bool,
) -> ApiResult<i64> {
    let refs = store::email_references(conn, ws.id, ticket_id).await?;
    email.headers = Headers {
        from: Some(super::sender_of(&config.mail_from, ws)),
        in_reply_to: refs.last().cloned(),
        references: refs.clone(),
        reply_to_ticket: route_replies.then_some(ticket_id),
        auto_replied: false,
    };
    let job = super::queue(conn, Some(ws.id), &email).await?;
    let id = super::message_id(config, job)?;
    store::set_email_references(conn, ws.id, ticket_id, &extend_thread(refs, &id)).await?;
    Ok(job)
}

fn category_label(t: &TicketOut) -> &'static str {
    match t.category {
        TicketCategory::CannotPerformAction => "Cannot perform action",
        TicketCategory::NeedsHumanJudgment => "Needs human judgment",
        TicketCategory::Other => "Other",
    }
}

fn paragraphs(text: &str) -> String {
    html_escape(text).replace('\n', "<br>")
}

fn button(link: &str, label: &str) -> String {
    format!(
        "<p style=\"margin:24px 0\"><a href=\"{}\" style=\"background:#4f46e5;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none\">{}</a></p>",
        html_escape(link),
        html_escape(label)
    )
}

/// New ticket → the workspace's notification address.
pub fn new_ticket(to: &str, workspace: &str, t: &TicketOut, link: &str) -> Email {
    let subject = format!("[{workspace}] New ticket {}: {}", t.number, t.summary);
    let mut text = format!(
        "A new support ticket needs your team.\n\nTicket:   {}\nFrom:     {}\nCategory: {}\n\n{}\n",
        t.number,
        t.visitor_email,
        category_label(t),
        t.summary
    );
    if !t.description.trim().is_empty() {
        text.push_str(&format!("\n{}\n", t.description.trim()));
    }
    text.push_str(&format!("\nOpen the ticket: {link}\n"));
    let mut html = format!(
        "<p>A new support ticket needs your team.</p>\
         <table style=\"border-collapse:collapse\">\
         <tr><td style=\"padding:2px 12px 2px 0;color:#6b7280\">Ticket</td><td><strong>{}</strong></td></tr>\
         <tr><td style=\"padding:2px 12px 2px 0;color:#6b7280\">From</td><td>{}</td></tr>\
         <tr><td style=\"padding:2px 12px 2px 0;color:#6b7280\">Category</td><td>{}</td></tr></table>\
         <p style=\"font-size:16px\"><strong>{}</strong></p>",
        html_escape(&t.number),
        html_escape(&t.visitor_email),
        category_label(t),
        html_escape(&t.summary)
    );
    if !t.description.trim().is_empty() {
        html.push_str(&format!(
            "<p style=\"color:#374151\">{}</p>",
            paragraphs(t.description.trim())
        ));
    }
    html.push_str(&button(link, "Open the ticket"));
    Email {
        to: to.into(),
        subject: subject.chars().take(200).collect(),
        text,
        headers: super::Headers::default(),
        html: Some(html_layout(&format!("New ticket {}", t.number), &html)),
    }
}

/// A ticket was assigned → the assignee.
pub fn assigned(
    to: &str,
    assignee_name: &str,
    workspace: &str,
    t: &TicketOut,
    by: &Actor,
    link: &str,
) -> Email {
    let by_name = by.name.clone().unwrap_or_else(|| "Someone".into());
    let subject = format!(
        "[{workspace}] {} was assigned to you: {}",
        t.number, t.summary
    );
    let text = format!(
        "Hi {assignee_name},\n\n{by_name} assigned ticket {} to you.\n\nFrom:    {}\nStatus:  {}\nSummary: {}\n\nOpen the ticket: {link}\n",
        t.number,
        t.visitor_email,
        t.status.as_str().replace('_', " "),
        t.summary
    );
    let html = format!(
        "<p>Hi {},</p><p>{} assigned ticket <strong>{}</strong> to you.</p>\
         <p style=\"font-size:16px\"><strong>{}</strong></p><p style=\"color:#6b7280\">From {} · status {}</p>{}",
        html_escape(assignee_name),
        html_escape(&by_name),
        html_escape(&t.number),
        html_escape(&t.summary),
        html_escape(&t.visitor_email),
        html_escape(&t.status.as_str().replace('_', " ")),
        button(link, "Open the ticket")
    );
    Email {
        to: to.into(),
        subject: subject.chars().take(200).collect(),
        text,
        headers: super::Headers::default(),
        html: Some(html_layout(
            &format!("{} was assigned to you", t.number),
            &html,
        )),
    }
}

/// An agent's reply, copied to the visitor, with a link back to the page they chatted on
/// (`page_url`: only a page the workspace's allowed origins vouch for, see
/// `domain::origins::verified_page`).
pub fn reply_copy(
    to: &str,
    workspace: &str,
    author: &str,
    t: &TicketOut,
    body: &str,
    page_url: Option<&str>,
    replies_by_email: bool,
) -> Email {
    let subject = format!("Re: your request {} to {workspace}", t.number);
    let page = page_url.filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    let mut text = String::new();
    if replies_by_email {
        text.push_str(&format!("{REPLY_ABOVE}\n\n"));
    }
    text.push_str(&format!(
        "{author} from {workspace} replied to your request {}:\n\n{body}\n\n",
        t.number
    ));
    if replies_by_email {
        text.push_str("Reply to this email to answer: your reply goes straight to the team.\n");
    }
    match page {
        Some(url) => text.push_str(&format!(
            "You can continue the conversation in the chat on {url}\n(your request: \"{}\")\n",
            t.summary
        )),
        None => text.push_str(&format!(
            "You can continue the conversation in the chat on our website.\n(your request: \"{}\")\n",
            t.summary
        )),
    }
    let mut html = String::new();
    if replies_by_email {
        html.push_str(&format!(
            "<p style=\"color:#9ca3af;font-size:12px\">{}</p>",
            html_escape(REPLY_ABOVE)
        ));
    }
    html.push_str(&format!(
        "<p>{} from {} replied to your request <strong>{}</strong>:</p>\
         <blockquote style=\"margin:16px 0;padding:12px 16px;background:#f3f4f6;border-left:4px solid #4f46e5\">{}</blockquote>",
        html_escape(author),
        html_escape(workspace),
        html_escape(&t.number),
        paragraphs(body)
    ));
    if replies_by_email {
        html.push_str(
            "<p>Reply to this email to answer: your reply goes straight to the team.</p>",
        );
    }
    match page {
        Some(url) => html.push_str(&button(url, "Continue in the chat")),
        None => {
            html.push_str("<p>You can continue the conversation in the chat on our website.</p>")
        }
    }
    html.push_str(&format!(
        "<p style=\"color:#6b7280\">Your request: “{}”</p>",
        html_escape(&t.summary)
    ));
    Email {
        to: to.into(),
        subject: subject.chars().take(200).collect(),
        text,
        headers: super::Headers::default(),
        html: Some(html_layout(&format!("Reply to {}", t.number), &html)),
    }
}

/// An inbound mail that could not be delivered to its ticket, told to its sender (only
/// for a reply address this server issued: a forged one gets no mail, so nobody can make
/// Handoff send mail to a third party).
pub fn bounce(
    to: &str,
    workspace: &str,
    subject: Option<&str>,
    reason: &str,
    in_reply_to: Option<&str>,
) -> Email {
    let about = subject
        .map(|s| s.chars().take(150).collect::<String>())
        .unwrap_or_else(|| "(no subject)".into());
    let text = format!(
        "Your message to {workspace} was not delivered.\n\nSubject: {about}\n\n{reason}\n\nThis is an automatic message.\n"
    );
    let html = format!(
        "<p>Your message to <strong>{}</strong> was not delivered.</p>\
         <p style=\"color:#6b7280\">Subject: {}</p><p>{}</p>\
         <p style=\"color:#6b7280\">This is an automatic message.</p>",
        html_escape(workspace),
        html_escape(&about),
        paragraphs(reason)
    );
    Email {
        to: to.into(),
        subject: format!("Not delivered: {about}")
            .chars()
            .take(200)
            .collect(),
        text,
        html: Some(html_layout("Your message was not delivered", &html)),
        headers: Headers {
            in_reply_to: in_reply_to.map(str::to_string),
            references: in_reply_to.map(str::to_string).into_iter().collect(),
            auto_replied: true,
            ..Headers::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thread_keeps_its_root_and_the_latest() {
        let mut refs = vec![];
        for i in 0..30 {
            refs = extend_thread(refs, &format!("<{i}@x>"));
        }
        assert_eq!(refs.len(), THREAD_KEEP);
        assert_eq!(refs[0], "<0@x>");
        assert_eq!(refs[1], "<11@x>");
        assert_eq!(refs.last().map(String::as_str), Some("<29@x>"));
        // A Message-ID already in the thread is not added twice.
        assert_eq!(extend_thread(refs.clone(), "<29@x>"), refs);
    }
}
