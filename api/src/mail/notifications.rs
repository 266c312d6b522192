//! Mail that tells people what happened: to a member, a visitor's messages they have not
//! read (`unread_reminder`), that a teammate mentioned them in a note (`mentioned`); to the visitor, that their ticket was created
//! (`acknowledgement`, sent in the ticket's thread). Every piece of user text in the HTML
//! is escaped.

use super::tickets::REPLY_ABOVE;
use super::{Email, Headers, html_escape, html_layout};
use crate::views::tickets::TicketOut;

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

/// Shown as "99+" past the cap.
fn count_label(unread: i64, cap: i64) -> String {
    if unread >= cap {
        format!("{}+", cap - 1)
    } else {
        unread.to_string()
    }
}

/// What a reminder is about.
pub struct Unread<'a> {
    pub workspace: &'a str,
    /// `TKT-10001`, or none for a taken-over conversation without a ticket.
    pub ticket: Option<&'a str>,
    /// The visitor's email, when known.
    pub visitor: Option<&'a str>,
    pub unread: i64,
    pub cap: i64,
    /// The latest unread message.
    pub latest: &'a str,
    pub link: &'a str,
}

/// A visitor's messages that `to` has not read (at once, or after their delay).
pub fn unread_reminder(to: &str, name: &str, u: &Unread<'_>) -> Email {
    let who = u.visitor.unwrap_or("A visitor");
    let what = match u.ticket {
        Some(n) => format!("ticket {n}"),
        None => "a conversation you took over".to_string(),
    };
    let n = count_label(u.unread, u.cap);
    let messages = if u.unread == 1 { "message" } else { "messages" };
    let subject = format!(
        "[{}] {who} wrote in {what}: {n} unread {messages}",
        u.workspace
    );
    let latest: String = u.latest.chars().take(1000).collect();
    let text = format!(
        "Hi {name},\n\n{who} wrote in {what}, and you have not read it yet ({n} unread {messages}). The latest:\n\n{latest}\n\nOpen it: {}\n\nYou get this mail because of your notification settings in {}; change them under Settings.\n",
        u.link, u.workspace
    );
    let html = format!(
        "<p>Hi {},</p><p>{} wrote in {}, and you have not read it yet ({} unread {}). The latest:</p>\
         <blockquote style=\"margin:16px 0;padding:12px 16px;background:#f3f4f6;border-left:4px solid #4f46e5\">{}</blockquote>{}\
         <p style=\"color:#6b7280\">You get this mail because of your notification settings in {}; change them under Settings.</p>",
        html_escape(name),
        html_escape(who),
        html_escape(&what),
        html_escape(&n),
        messages,
        paragraphs(&latest),
        button(u.link, "Open it"),
        html_escape(u.workspace)
    );
    Email {
        to: to.into(),
        subject: subject.chars().take(200).collect(),
        text,
        html: Some(html_layout(&format!("Unread: {what}"), &html)),
        headers: Headers::default(),
    }
}

/// What a mention mail is about.
pub struct Mention<'a> {
    pub workspace: &'a str,
    /// Who wrote the note.
    pub author: &'a str,
    /// `TKT-10001`, or none for a conversation without a ticket.
    pub ticket: Option<&'a str>,
    pub body: &'a str,
    pub link: &'a str,
}

/// A teammate mentioned `to` in an internal note (at once, or after their delay).
pub fn mentioned(to: &str, name: &str, m: &Mention<'_>) -> Email {
    let what = match m.ticket {
        Some(n) => format!("ticket {n}"),
        None => "a conversation".to_string(),
    };
    let subject = format!("[{}] {} mentioned you in {what}", m.workspace, m.author);
    let body: String = m.body.chars().take(2000).collect();
    let text = format!(
        "Hi {name},\n\n{} mentioned you in an internal note on {what}:\n\n{body}\n\nOpen it: {}\n\nInternal notes are seen by your team only. You get this mail because of your notification settings in {}; change them under Settings.\n",
        m.author, m.link, m.workspace
    );
    let html = format!(
        "<p>Hi {},</p><p>{} mentioned you in an internal note on {}:</p>\
         <blockquote style=\"margin:16px 0;padding:12px 16px;background:#fef9c3;border-left:4px solid #ca8a04\">{}</blockquote>{}\
         <p style=\"color:#6b7280\">Internal notes are seen by your team only. You get this mail because of your notification settings in {}; change them under Settings.</p>",
        html_escape(name),
        html_escape(m.author),
        html_escape(&what),
        paragraphs(&body),
        button(m.link, "Open it"),
        html_escape(m.workspace)
    );
    Email {
        to: to.into(),
        subject: subject.chars().take(200).collect(),
        text,
        html: Some(html_layout(&format!("Mentioned in {what}"), &html)),
        headers: Headers::default(),
    }
}

/// "We got your request TKT-10001": to the visitor when their ticket is created.
/// `replies_by_email`: their answer to this mail comes back into the ticket.
pub fn acknowledgement(to: &str, workspace: &str, t: &TicketOut, replies_by_email: bool) -> Email {
    let subject = format!("We got your request {} to {workspace}", t.number);
    let mut text = String::new();
    if replies_by_email {
        text.push_str(&format!("{REPLY_ABOVE}\n\n"));
    }
    text.push_str(&format!(
        "Hello,\n\nWe got your request {} to {workspace}:\n\n\"{}\"\n\nOur team will get back to you; you'll see the reply in the chat on our website, and by email.\n",
        t.number, t.summary
    ));
    if replies_by_email {
        text.push_str("To add something, reply to this email: it goes straight to the ticket.\n");
    }
    let mut html = String::new();
    if replies_by_email {
        html.push_str(&format!(
            "<p style=\"color:#9ca3af;font-size:12px\">{}</p>",
            html_escape(REPLY_ABOVE)
        ));
    }
    html.push_str(&format!(
        "<p>Hello,</p><p>We got your request <strong>{}</strong> to {}:</p>\
         <blockquote style=\"margin:16px 0;padding:12px 16px;background:#f3f4f6;border-left:4px solid #4f46e5\">{}</blockquote>\
         <p>Our team will get back to you; you'll see the reply in the chat on our website, and by email.</p>",
        html_escape(&t.number),
        html_escape(workspace),
        paragraphs(&t.summary)
    ));
    if replies_by_email {
        html.push_str(
            "<p>To add something, reply to this email: it goes straight to the ticket.</p>",
        );
    }
    Email {
        to: to.into(),
        subject: subject.chars().take(200).collect(),
        text,
        html: Some(html_layout(
            &format!("We got your request {}", t.number),
            &html,
        )),
        headers: Headers::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reminder_escapes_visitor_text_and_caps_the_count() {
        let u = Unread {
            workspace: "Acme",
            ticket: Some("TKT-10001"),
            visitor: Some("jane@example.com"),
            unread: 100,
            cap: 100,
            latest: "<script>alert(1)</script>",
            link: "http://localhost:8080/w/x/tickets/TKT-10001",
        };
        let m = unread_reminder("kim@acme.test", "Kim", &u);
        assert!(m.subject.contains("99+ unread messages"), "{}", m.subject);
        let html = m.html.unwrap_or_default();
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(m.text.contains("<script>alert(1)</script>"));
        assert_eq!(count_label(1, 100), "1");
    }

    #[test]
    fn a_mention_mail_escapes_the_note_and_names_the_ticket() {
        let m = mentioned(
            "kim@acme.test",
            "Kim",
            &Mention {
                workspace: "Acme",
                author: "Ann <b>Lee</b>",
                ticket: Some("TKT-10001"),
                body: "@Kim <img src=x onerror=alert(1)> look",
                link: "http://localhost:8080/w/x/tickets/TKT-10001",
            },
        );
        assert_eq!(
            m.subject,
            "[Acme] Ann <b>Lee</b> mentioned you in ticket TKT-10001"
        );
        let html = m.html.unwrap_or_default();
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b>Lee"), "{html}");
        assert!(m.text.contains("@Kim <img src=x onerror=alert(1)> look"));
        assert!(
            m.text
                .contains("http://localhost:8080/w/x/tickets/TKT-10001")
        );
    }
}
