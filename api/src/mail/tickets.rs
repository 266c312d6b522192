//! Mail about tickets: new ticket (to the notification address), assignment (to the
//! assignee), reply copy (to the visitor). Each has a text and an HTML part; every piece of
//! user text in the HTML is escaped.

use super::{Email, html_escape, html_layout};
use crate::domain::actor::Actor;
use crate::domain::enums::TicketCategory;
use crate::views::tickets::TicketOut;

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
) -> Email {
    let subject = format!("Re: your request {} to {workspace}", t.number);
    let page = page_url.filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    let mut text = format!(
        "{author} from {workspace} replied to your request {}:\n\n{body}\n\n",
        t.number
    );
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
    let mut html = format!(
        "<p>{} from {} replied to your request <strong>{}</strong>:</p>\
         <blockquote style=\"margin:16px 0;padding:12px 16px;background:#f3f4f6;border-left:4px solid #4f46e5\">{}</blockquote>",
        html_escape(author),
        html_escape(workspace),
        html_escape(&t.number),
        paragraphs(body)
    );
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
        html: Some(html_layout(&format!("Reply to {}", t.number), &html)),
    }
}
