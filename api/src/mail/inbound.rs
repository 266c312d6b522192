//! Inbound mail, read the way a helpdesk reads it: the reply address it was sent to, who
//! sent it, the new text of the reply (the quoted history, the "On … wrote:" and Outlook
//! "From: … Sent:" headers and the signature cut off), the attachments' names, and whether
//! it is an auto-reply (out of office, vacation) that must not reopen anything.
//!
//! Parsing is `mail-parser`'s (MIME, charsets, encoded words); an HTML-only mail is cut at
//! its quote container (`gmail_quote`, `<blockquote>`, Outlook's reply divider) and then
//! converted to text.

use mail_parser::{HeaderValue, MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

use super::tickets::REPLY_ABOVE;

/// Characters of reply text kept (a ticket message's limit).
pub const TEXT_MAX: usize = 10_000;
/// Attachments listed by name, at most.
const ATTACHMENTS_MAX: usize = 20;

/// A parsed inbound mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMail {
    /// `<…>`; a mail without one gets `<sha256-of-the-message@handoff.invalid>`, so the
    /// same bytes delivered twice still land once.
    pub message_id: String,
    /// The sender's address, lower-case (`From`, else `Sender`, else `Return-Path`).
    pub from: Option<String>,
    pub subject: Option<String>,
    /// The new text of the reply (history and signature removed).
    pub text: String,
    /// The files it carried (named parts, at most `ATTACHMENTS_MAX`).
    pub attachments: Vec<MailFile>,
    pub auto_reply: bool,
    /// Addresses the mail names as recipients (`Delivered-To`, `X-Original-To`, `To`,
    /// `Cc`), lower-case, in that order: where to look for the reply address when the
    /// envelope recipient is unknown (the HTTP endpoint).
    pub recipients: Vec<String>,
}

/// A file a mail carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailFile {
    pub name: String,
    /// `type/subtype` as the part declares it.
    pub content_type: Option<String>,
    pub bytes: bytes::Bytes,
}

/// Reads a raw RFC 5322 message; `None` when it is not one (no header at all).
pub fn parse(raw: &[u8]) -> Option<InboundMail> {
    let msg = MessageParser::default().parse(raw)?;
    // A message names at least one of these; free text parses as a body without them.
    let named = msg.from().is_some()
        || msg.to().is_some()
        || msg.subject().is_some()
        || msg.message_id().is_some()
        || msg.date().is_some();
    if msg.headers().is_empty() || !named {
        return None;
    }
    let message_id = match msg.message_id().map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => format!("<{}>", id.trim_matches(|c| c == '<' || c == '>')),
        None => format!("<{}@handoff.invalid>", hex::encode(Sha256::digest(raw))),
    };
    let first_address = |a: Option<&mail_parser::Address<'_>>| {
        a.and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(|a| a.trim().to_lowercase())
            .filter(|a| a.contains('@'))
    };
    let from = first_address(msg.from())
        .or_else(|| first_address(msg.sender()))
        .or_else(|| {
            msg.return_address()
                .map(|a| a.trim().to_lowercase())
                .filter(|a| a.contains('@'))
        });
    let subject = msg
        .subject()
        .map(|s| s.trim().chars().take(300).collect::<String>())
        .filter(|s| !s.is_empty());

    let text = match msg.text_bodies().next() {
        Some(part) if part.is_text() && !part.is_text_html() => {
            msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default()
        }
        _ => match msg.body_html(0) {
            Some(html) => mail_parser::decoders::html::html_to_text(&cut_html_quote(&html)),
            None => msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        },
    };
    let text: String = strip_reply(&text).chars().take(TEXT_MAX).collect();

    let attachments = msg
        .attachments()
        .filter_map(|a| {
            let name = a.attachment_name()?.trim();
            (!name.is_empty()).then(|| MailFile {
                name: name.chars().take(200).collect(),
                content_type: a.content_type().map(|t| match t.subtype() {
                    Some(sub) => format!("{}/{sub}", t.ctype()),
                    None => t.ctype().to_string(),
                }),
                bytes: bytes::Bytes::copy_from_slice(a.contents()),
            })
        })
        .take(ATTACHMENTS_MAX)
        .collect();

    let mut recipients = Vec::new();
    for name in ["Delivered-To", "X-Original-To", "Envelope-To"] {
        for v in msg.header_values(name) {
            if let Some(t) = v.as_text() {
                recipients.push(
                    t.trim()
                        .trim_matches(|c| c == '<' || c == '>')
                        .to_lowercase(),
                );
            }
        }
    }
    for list in [msg.to(), msg.cc()].into_iter().flatten() {
        for a in list.iter() {
            if let Some(addr) = a.address() {
                recipients.push(addr.trim().to_lowercase());
            }
        }
    }

    Some(InboundMail {
        message_id,
        auto_reply: is_auto_reply(&msg, subject.as_deref()),
        from,
        subject,
        text,
        attachments,
        recipients,
    })
}

fn header_text(msg: &mail_parser::Message<'_>, name: &'static str) -> Option<String> {
    msg.header(name).and_then(|v| match v {
        HeaderValue::Text(t) => Some(t.to_string()),
        HeaderValue::TextList(l) => Some(l.join(",")),
        _ => msg.header_raw(name).map(str::to_string),
    })
}

/// Auto-replies (RFC 3834 `Auto-Submitted`, the `X-Autoreply`/`X-Autorespond` headers of
/// older responders, `Precedence: auto_reply|bulk|junk`, Exchange's
/// `X-Auto-Response-Suppress` on an out-of-office, and the usual subjects).
fn is_auto_reply(msg: &mail_parser::Message<'_>, subject: Option<&str>) -> bool {
    if let Some(v) = header_text(msg, "Auto-Submitted")
        && !v.trim().eq_ignore_ascii_case("no")
        && !v.trim().is_empty()
    {
        return true;
    }
    if ["X-Autoreply", "X-Autorespond", "X-Autoresponder"]
        .iter()
        .any(|h| msg.header(*h).is_some())
    {
        return true;
    }
    if let Some(p) = header_text(msg, "Precedence") {
        let p = p.trim().to_ascii_lowercase();
        if ["auto_reply", "bulk", "junk", "list"].contains(&p.as_str()) {
            return true;
        }
    }
    if header_text(msg, "X-Auto-Response-Suppress").is_some()
        && header_text(msg, "X-MS-Exchange-Inbox-Rules-Loop").is_some()
    {
        return true;
    }
    subject.is_some_and(is_auto_reply_subject)
}

/// Subjects out-of-office and vacation responders use.
pub fn is_auto_reply_subject(subject: &str) -> bool {
    let s = subject.trim().to_lowercase();
    const STARTS: &[&str] = &[
        "auto:",
        "automatic reply",
        "autoreply",
        "auto-reply",
        "auto reply",
        "out of office",
        "out of the office",
        "ooo:",
        "away from the office",
        "on vacation",
        "vacation reply",
        "abwesenheitsnotiz",
        "automatische antwort",
        "réponse automatique",
        "absence du bureau",
        "respuesta automática",
        "fuera de la oficina",
    ];
    STARTS.iter().any(|p| s.starts_with(p))
        || s.contains("out of office")
        || s.contains("out of the office")
        || s.contains("automatic reply")
}

/// The token of a reply address `reply+<token>@<domain>` (case-insensitive).
pub fn reply_token_in<'a>(address: &'a str, domain: &str) -> Option<&'a str> {
    let address = address.trim().trim_matches(|c| c == '<' || c == '>');
    let (local, host) = address.rsplit_once('@')?;
    if !host.eq_ignore_ascii_case(domain) {
        return None;
    }
    let token = local
        .strip_prefix("reply+")
        .or_else(|| local.strip_prefix("REPLY+"))
        .or_else(|| local.strip_prefix("Reply+"))?;
    (!token.is_empty()).then_some(token)
}

/// HTML cut where the quoted history begins (Gmail, Apple Mail, Outlook, Thunderbird).
fn cut_html_quote(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    const MARKERS: &[&str] = &[
        "<div class=\"gmail_quote",
        "<div class=\"gmail_extra",
        "<blockquote",
        "<div id=\"appendonsend",
        "<div id=\"divrplyfwdmsg",
        "<hr id=\"stopspelling",
        "<div class=\"moz-cite-prefix",
        "<div style=\"border:none;border-top:solid #e1e1e1",
        "please type your reply above this line",
    ];
    let cut = MARKERS
        .iter()
        .filter_map(|m| lower.find(m))
        .min()
        .unwrap_or(html.len());
    // `lower` has the same byte offsets (ASCII lower-casing); cut on a char boundary.
    html.get(..cut).unwrap_or(html).to_string()
}

/// "On Tue, 1 Dec 2026 at 10:00, Acme <reply+…> wrote:" and its translations (one line,
/// or wrapped over two by the client).
fn is_attribution(line: &str) -> bool {
    let l = line.trim().trim_start_matches('>').trim().to_lowercase();
    // "On … wrote:", or the verb inside with the sender after it ("Am … schrieb X <x@y>:").
    let says = |start: &str, verbs: &[&str]| {
        l.starts_with(start)
            && l.ends_with(':')
            && verbs.iter().any(|v| {
                l.ends_with(&format!("{v}:"))
                    || l.ends_with(&format!("{v} :"))
                    || l.contains(&format!(" {v} "))
            })
    };
    says("on ", &["wrote"])
        || says("le ", &["a écrit"])
        || says("am ", &["schrieb", "geschrieben"])
        || says("el ", &["escribió"])
        || says("op ", &["geschreven", "schreef"])
        || says("il ", &["ha scritto"])
        || says("em ", &["escreveu"])
}

fn header_line(line: &str, names: &[&str]) -> bool {
    let l = line.trim().trim_matches('*').trim_start().to_lowercase();
    names.iter().any(|n| l.starts_with(n))
}

/// Where the history begins: the index of the first line of the quote's header.
fn history_start(lines: &[&str]) -> Option<usize> {
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.contains(REPLY_ABOVE) || t.contains("Please type your reply above this line") {
            return Some(i);
        }
        if is_attribution(t) {
            return Some(i);
        }
        // The attribution wrapped over two lines.
        if let Some(next) = lines.get(i + 1)
            && t.to_lowercase().starts_with("on ")
            && !t.to_lowercase().ends_with("wrote:")
            && is_attribution(&format!("{t} {}", next.trim()))
        {
            return Some(i);
        }
        let lower = t.to_lowercase();
        if lower.starts_with("-----original message-----")
            || lower.starts_with("----- original message -----")
            || lower.starts_with("-----ursprüngliche nachricht-----")
            || lower.starts_with("-------- original message --------")
            || lower.starts_with("-------- message d'origine --------")
        {
            return Some(i);
        }
        // Outlook: "From: …" then "Sent:"/"Date:" within the next lines, often below a
        // line of underscores.
        if header_line(t, &["from:", "von:", "de :", "de:"]) {
            let below = lines.iter().skip(i + 1).take(4);
            let mut found = false;
            for l in below {
                if header_line(
                    l,
                    &[
                        "sent:",
                        "date:",
                        "gesendet:",
                        "envoyé :",
                        "envoyé:",
                        "enviado:",
                    ],
                ) {
                    found = true;
                    break;
                }
            }
            if found {
                let start = match i.checked_sub(1).and_then(|j| lines.get(j)) {
                    Some(prev) if prev.trim().starts_with("____") => i - 1,
                    _ => i,
                };
                return Some(start);
            }
        }
    }
    None
}

/// Where a signature begins: the `-- ` delimiter, or a mobile client's sign-off.
fn signature_start(lines: &[&str]) -> Option<usize> {
    const SIGN_OFFS: &[&str] = &[
        "sent from my iphone",
        "sent from my ipad",
        "sent from my android",
        "sent from my samsung",
        "sent from my mobile",
        "sent from mail for windows",
        "sent from outlook",
        "get outlook for ios",
        "get outlook for android",
        "sent from yahoo mail",
        "envoyé de mon iphone",
        "von meinem iphone gesendet",
    ];
    lines.iter().position(|line| {
        let t = line.trim_end_matches(['\r']);
        t == "-- " || t.trim() == "--" || {
            let l = t.trim().to_lowercase();
            SIGN_OFFS.iter().any(|s| l.starts_with(s))
        }
    })
}

/// The new text of a reply: the quoted history and the signature removed. A reply
/// written below the quote (bottom-posting) keeps its text.
pub fn strip_reply(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.lines().collect();
    let top: Vec<&str> = match history_start(&lines) {
        Some(i) => lines.get(..i).unwrap_or(&[]).to_vec(),
        None => lines.clone(),
    };
    let unquoted = |ls: &[&str]| -> Vec<String> {
        ls.iter()
            .filter(|l| !l.trim_start().starts_with('>'))
            .map(|l| l.trim_end().to_string())
            .collect()
    };
    let mut kept = unquoted(&top);
    if kept.iter().all(|l| l.trim().is_empty()) {
        // Nothing above the history: the answer is below or between the quotes.
        kept = unquoted(&lines)
            .into_iter()
            .filter(|l| !is_attribution(l))
            .collect();
    }
    let refs: Vec<&str> = kept.iter().map(String::as_str).collect();
    if let Some(sig) = signature_start(&refs) {
        kept.truncate(sig);
    }
    let joined = kept.join("\n");
    // At most one blank line in a row; no blank lines at either end.
    let mut out = String::with_capacity(joined.len());
    let mut blank = 0;
    for line in joined.lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(headers: &str, body: &str) -> Vec<u8> {
        format!("{headers}\r\n\r\n{body}")
            .replace("\r\n", "\n")
            .replace('\n', "\r\n")
            .into_bytes()
    }

    const GMAIL: &str = "Content-Type: text/plain; charset=\"UTF-8\"\n\
From: Jane Visitor <Jane@Example.com>\n\
To: Acme Support <reply+abc@reply.example.com>\n\
Subject: Re: your request TKT-10001 to Acme\n\
Message-ID: <CAFx1=abc@mail.gmail.com>\n\
In-Reply-To: <7.0123@reply.example.com>\n\
References: <7.0123@reply.example.com>";

    #[test]
    fn gmail_reply_keeps_the_new_text_only() {
        let body = "Thanks, the refund arrived.\nOne more question: can I change the address?\n\n\
On Tue, Dec 1, 2026 at 10:00 AM Acme Support <reply+abc@reply.example.com>\nwrote:\n\n\
> ##- Please type your reply above this line -##\n>\n> Sam from Acme replied to your request TKT-10001:\n>\n> We refunded you.\n";
        let m = parse(&mail(GMAIL, body)).expect("parses");
        assert_eq!(
            m.text,
            "Thanks, the refund arrived.\nOne more question: can I change the address?"
        );
        assert_eq!(m.message_id, "<CAFx1=abc@mail.gmail.com>");
        assert_eq!(m.from.as_deref(), Some("jane@example.com"));
        assert_eq!(
            m.subject.as_deref(),
            Some("Re: your request TKT-10001 to Acme")
        );
        assert!(
            m.recipients
                .contains(&"reply+abc@reply.example.com".to_string())
        );
        assert!(!m.auto_reply);
    }

    #[test]
    fn outlook_reply_drops_the_from_sent_block_and_signature() {
        let body = "Hi,\n\nyes please go ahead.\n\nBest regards\nJohn\n\n\
________________________________\n\
From: Acme Support <reply+abc@reply.example.com>\n\
Sent: Tuesday, December 1, 2026 10:00 AM\n\
To: John Doe <john@contoso.com>\n\
Subject: Re: your request TKT-10001 to Acme\n\n\
Sam from Acme replied to your request TKT-10001:\n";
        assert_eq!(
            strip_reply(body),
            "Hi,\n\nyes please go ahead.\n\nBest regards\nJohn"
        );
        let old = "Sure.\n\n-----Original Message-----\nFrom: Acme\nSent: Monday\n\nold text";
        assert_eq!(strip_reply(old), "Sure.");
    }

    #[test]
    fn apple_mail_reply_and_mobile_signature() {
        let body = "Works now, thank you!\n\nSent from my iPhone\n\n\
On 1 Dec 2026, at 10:00, Acme Support <reply+abc@reply.example.com> wrote:\n\n\
> Sam from Acme replied to your request TKT-10001:\n> Try again please.\n";
        assert_eq!(strip_reply(body), "Works now, thank you!");
    }

    #[test]
    fn signatures_and_bottom_posting() {
        assert_eq!(
            strip_reply("Got it.\n-- \nJane Doe\nACME Corp | +1 555 0100\n"),
            "Got it."
        );
        let bottom = "On Mon, Nov 30, 2026 at 9:00 AM Acme wrote:\n> Could you send the order number?\n\nIt is 4411.\n";
        assert_eq!(strip_reply(bottom), "It is 4411.");
        let german = "Passt, danke.\n\nAm 01.12.2026 um 10:00 schrieb Acme Support <x@y.z>:\n> alt";
        assert_eq!(strip_reply(german), "Passt, danke.");
    }

    #[test]
    fn html_only_mail_is_cut_at_the_quote_and_converted() {
        let headers = "From: jane@example.com\nTo: reply+abc@reply.example.com\n\
Subject: Re: x\nMessage-ID: <h1@example.com>\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8";
        let body = "<html><body><div dir=\"ltr\">New <b>answer</b> &amp; more</div>\
<div class=\"gmail_quote\"><div>On Tue wrote:</div><blockquote>old &lt;stuff&gt;</blockquote></div></body></html>";
        let m = parse(&mail(headers, body)).expect("parses");
        assert_eq!(m.text, "New answer & more");
    }

    #[test]
    fn attachments_are_listed_by_name() {
        let headers = "From: jane@example.com\nTo: reply+abc@reply.example.com\nSubject: photo\n\
Message-ID: <a1@example.com>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"";
        let body = "--b1\nContent-Type: text/plain; charset=utf-8\n\nHere is the photo.\n\
--b1\nContent-Type: image/png\nContent-Disposition: attachment; filename=\"broken box.png\"\n\
Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--b1--\n";
        let m = parse(&mail(headers, body)).expect("parses");
        assert_eq!(m.text, "Here is the photo.");
        let files: Vec<(&str, Option<&str>, &[u8])> = m
            .attachments
            .iter()
            .map(|f| (f.name.as_str(), f.content_type.as_deref(), f.bytes.as_ref()))
            .collect();
        assert_eq!(
            files,
            vec![(
                "broken box.png",
                Some("image/png"),
                b"\x89PNG\r\n\x1a\n".as_slice()
            )]
        );
    }

    #[test]
    fn auto_replies_are_recognised() {
        let base =
            "From: jane@example.com\nTo: reply+abc@reply.example.com\nMessage-ID: <o1@example.com>";
        let cases = [
            format!("{base}\nSubject: Re: your request\nAuto-Submitted: auto-replied"),
            format!("{base}\nSubject: Re: your request\nX-Autoreply: yes"),
            format!("{base}\nSubject: Re: your request\nPrecedence: bulk"),
            format!("{base}\nSubject: Automatic reply: your request TKT-10001"),
            format!("{base}\nSubject: Out of Office: Re: your request"),
        ];
        for h in cases {
            let m = parse(&mail(&h, "I am away until Monday.")).expect("parses");
            assert!(m.auto_reply, "{h}");
        }
        let human = format!("{base}\nSubject: Re: your request\nAuto-Submitted: no");
        assert!(!parse(&mail(&human, "hi")).expect("parses").auto_reply);
    }

    #[test]
    fn a_mail_without_message_id_gets_a_stable_one() {
        let raw = mail("From: jane@example.com\nSubject: hi", "hello");
        let a = parse(&raw).expect("parses");
        assert_eq!(a, parse(&raw).expect("parses"));
        assert!(a.message_id.ends_with("@handoff.invalid>"));
        assert!(parse(b"").is_none());
    }

    #[test]
    fn reply_tokens_are_found_in_addresses() {
        assert_eq!(
            reply_token_in("Reply+Abc@Reply.Example.com", "reply.example.com"),
            Some("Abc")
        );
        assert_eq!(
            reply_token_in("<reply+x@reply.example.com>", "reply.example.com"),
            Some("x")
        );
        assert_eq!(
            reply_token_in("reply+x@other.com", "reply.example.com"),
            None
        );
        assert_eq!(
            reply_token_in("reply+@reply.example.com", "reply.example.com"),
            None
        );
        assert_eq!(
            reply_token_in("support@reply.example.com", "reply.example.com"),
            None
        );
    }
}
