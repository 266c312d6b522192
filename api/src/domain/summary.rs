//! The builtin engine's ticket summary: one line saying what the visitor needs (≤ 200
//! characters, for the list view), and a description that opens with the structured
//! facts (order and invoice numbers, amounts, dates, emails, the articles already shown,
//! language, mood) followed by the whole transcript, so the team never has to ask again.

use std::sync::LazyLock;

use crate::domain::enums::TicketCategory;

pub const SUMMARY_MAX_CHARS: usize = 200;

/// One line of the conversation, oldest first.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// "Visitor", "Assistant", an agent's name…
    pub who: &'a str,
    pub body: &'a str,
    pub from_visitor: bool,
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cuts at a word boundary so that the result, with an ellipsis, has at most `max` chars.
pub fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => cut.get(..i).unwrap_or(&cut).to_string(),
        _ => cut,
    };
    format!("{}…", cut.trim_end_matches([' ', ',', '.', ';', ':', '-']))
}

/// Facts worth copying into a ticket, in order of appearance, without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub orders: Vec<String>,
    pub invoices: Vec<String>,
    pub amounts: Vec<String>,
    pub dates: Vec<String>,
    pub emails: Vec<String>,
}

fn re(pattern: &str) -> regex::Regex {
    #[allow(clippy::expect_used)]
    regex::Regex::new(pattern).expect("summary regex")
}

static INVOICE: LazyLock<regex::Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:invoice|receipt|bill)\s*(?:number|no\.?|nr\.?|#)?\s*[:#]?\s*([A-Z]{0,4}-?\d{3,}[A-Z0-9-]*)|\b(INV-?\d{3,}[0-9-]*)\b",
    )
});
static ORDER: LazyLock<regex::Regex> = LazyLock::new(|| {
    re(
        r"(?i)\border\s*(?:number|no\.?|nr\.?|id|#)?\s*[:#]?\s*#?([A-Z]{0,3}-?\d{3,}[0-9-]*)|(?:^|\s)#(\d{4,})\b",
    )
});
static AMOUNT: LazyLock<regex::Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:[€$£]\s?\d[\d,]*(?:\.\d{1,2})?|\b\d[\d,.]*\s?(?:EUR|USD|GBP|CHF|euros?|dollars?|pounds?)\b|\b\d[\d,.]*\s?€)",
    )
});
static DATE: LazyLock<regex::Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?\b)?(?:,?\s+\d{4})?|\d{1,2}(?:st|nd|rd|th)?\s+may\b(?:,?\s+\d{4})?|may\s+\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s+\d{4})?|yesterday|today|last\s+(?:week|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|(?:\d+|one|two|three|four|five|six|a)\s+(?:days?|weeks?|months?)\s+ago)\b",
    )
});
static EMAIL: LazyLock<regex::Regex> =
    LazyLock::new(|| re(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"));
static URGENT: LazyLock<regex::Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:urgent\w*|asap|immediately|right\s+now|emergency|today|as\s+soon\s+as\s+possible)\b|!!",
    )
});
static UPSET: LazyLock<regex::Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:unacceptable|terrible|awful|horrible|worst|angry|furious|disappointed|annoyed|frustrat\w*|ridiculous|fed\s+up|complain\w*|scam|lawyer|still\s+(?:no|not|waiting)|again)\b",
    )
});

fn push_unique(list: &mut Vec<String>, value: &str) {
    let v = value.trim().trim_end_matches(['.', ',']).to_string();
    if !v.is_empty() && !list.iter().any(|x| x.eq_ignore_ascii_case(&v)) {
        list.push(v);
    }
}

/// Order and invoice numbers, amounts, dates and emails in the visitor's messages.
pub fn facts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Facts {
    let mut f = Facts::default();
    for t in texts {
        for c in INVOICE.captures_iter(t) {
            if let Some(m) = c.get(1).or_else(|| c.get(2)) {
                push_unique(&mut f.invoices, m.as_str());
            }
        }
        for c in ORDER.captures_iter(t) {
            if let Some(m) = c.get(1).or_else(|| c.get(2))
                && !f.invoices.iter().any(|i| i == m.as_str())
            {
                push_unique(&mut f.orders, m.as_str());
            }
        }
        for m in AMOUNT.find_iter(t) {
            push_unique(&mut f.amounts, m.as_str());
        }
        for m in DATE.find_iter(t) {
            push_unique(&mut f.dates, m.as_str());
        }
        for m in EMAIL.find_iter(t) {
            push_unique(&mut f.emails, m.as_str());
        }
    }
    f
}

/// What the visitor needs, as a ticket title opens ("Refund request"), from the handoff
/// topic (`domain::intent`'s rules) or else the category.
pub fn kind_of(topic: Option<&str>, category: TicketCategory, language: Option<&str>) -> String {
    let from_topic = match topic {
        Some("issue refunds") => Some("Refund request"),
        Some("cancel orders or subscriptions") => Some("Cancellation request"),
        Some("delete accounts or personal data") => Some("Account deletion request"),
        Some("unlock or reset accounts") => Some("Account access request"),
        Some("change orders that were already placed") => Some("Order change request"),
        Some("look up individual orders or accounts") => Some("Order status enquiry"),
        Some("send invoices or receipts") => Some("Invoice request"),
        Some("change subscriptions") => Some("Subscription change"),
        Some("change account details") => Some("Account details change"),
        Some("a billing problem like this") => Some("Billing problem"),
        Some("a special request like this") => Some("Special request"),
        Some("a problem with a delivery like this") => Some("Delivery problem"),
        Some("a technical problem like this") => Some("Technical problem"),
        Some("this") => Some("Complaint"),
        Some("talk to our team") => Some("Asked for a person"),
        _ => None,
    };
    if let Some(k) = from_topic {
        return k.to_string();
    }
    if let Some(lang) = language.filter(|l| *l != "English") {
        return format!("Message in {lang}");
    }
    match category {
        TicketCategory::CannotPerformAction => "Request the assistant cannot perform".into(),
        TicketCategory::NeedsHumanJudgment => "Problem that needs the team".into(),
        _ => "Question the help articles don't answer".into(),
    }
}

/// The visitor's most telling sentence: the request itself unless it is terse, else the
/// last substantial visitor message.
fn problem(request: &str, transcript: &[Line<'_>]) -> String {
    let request = collapse(request);
    if request.split_whitespace().count() >= 4 {
        return request;
    }
    transcript
        .iter()
        .rev()
        .filter(|l| l.from_visitor)
        .map(|l| collapse(l.body))
        .find(|b| b.split_whitespace().count() >= 4 && !b.eq_ignore_ascii_case(&request))
        .map(|context| {
            if request.is_empty() {
                context
            } else {
                format!("{request}: {context}")
            }
        })
        .unwrap_or(request)
}

/// The articles the assistant already quoted (its answers open with
/// `From our article “Title”:`).
pub fn articles_shown(transcript: &[Line<'_>]) -> Vec<String> {
    let mut out = Vec::new();
    for l in transcript.iter().filter(|l| !l.from_visitor) {
        if let Some(rest) = l.body.strip_prefix("From our article \u{201c}")
            && let Some((title, _)) = rest.split_once('\u{201d}')
        {
            push_unique(&mut out, title);
        }
    }
    out
}

/// A hint for the team: urgent, upset, or neither.
pub fn mood(visitor_texts: &[&str]) -> &'static str {
    let all = visitor_texts.join(" \n ");
    match (URGENT.is_match(&all), UPSET.is_match(&all)) {
        (true, true) => "upset and urgent",
        (true, false) => "urgent",
        (false, true) => "upset",
        (false, false) => "calm",
    }
}

/// What the summary needs beyond the transcript.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    pub category: Option<TicketCategory>,
    /// The handoff rule's topic, when a rule recognised the request.
    pub topic: Option<&'a str>,
    /// The visitor's language ("English", "German"…), when known.
    pub language: Option<&'a str>,
}

/// Summary and description of a ticket.
///
/// The summary is one line: what kind of request it is and the facts that identify it
/// ("Refund request: order 4471, 59.90 EUR"), or the visitor's problem in their words
/// when no fact stands out. The description opens with the structured part (problem,
/// facts, articles already shown, language, mood), then the whole transcript so the team
/// never has to ask again.
pub fn summarise(request: &str, transcript: &[Line<'_>], ctx: Context<'_>) -> (String, String) {
    let problem = problem(request, transcript);
    let visitor: Vec<&str> = transcript
        .iter()
        .filter(|l| l.from_visitor)
        .map(|l| l.body)
        .collect();
    let mut texts = visitor.clone();
    if !visitor.iter().any(|v| collapse(v) == collapse(request)) {
        texts.push(request);
    }
    let facts = facts(texts.iter().copied());
    let kind = kind_of(
        ctx.topic,
        ctx.category.unwrap_or(TicketCategory::Other),
        ctx.language,
    );
    let mut key: Vec<String> = Vec::new();
    key.extend(facts.orders.iter().map(|o| format!("order {o}")));
    key.extend(facts.invoices.iter().map(|i| format!("invoice {i}")));
    key.extend(facts.amounts.iter().cloned());
    key.extend(facts.dates.iter().cloned());
    let summary = if problem.is_empty() {
        "Visitor asked for help in the chat".to_string()
    } else if key.is_empty() {
        format!("{kind}: {}", truncate_chars(&problem, 150))
    } else {
        format!("{kind}: {}", key.join(", "))
    };
    let summary = truncate_chars(&summary, SUMMARY_MAX_CHARS);

    let mut d = format!(
        "Problem: {}\n",
        if problem.is_empty() {
            "(none given)"
        } else {
            &problem
        }
    );
    let mut fact_lines = Vec::new();
    for (label, list) in [
        ("Order numbers", &facts.orders),
        ("Invoice numbers", &facts.invoices),
        ("Amounts", &facts.amounts),
        ("Dates", &facts.dates),
        ("Emails", &facts.emails),
    ] {
        if !list.is_empty() {
            fact_lines.push(format!("- {label}: {}", list.join(", ")));
        }
    }
    if !fact_lines.is_empty() {
        d.push_str("Facts:\n");
        d.push_str(&fact_lines.join("\n"));
        d.push('\n');
    }
    let shown = articles_shown(transcript);
    d.push_str(&format!(
        "Already tried: {}\n",
        if shown.is_empty() {
            "no help article answered it".to_string()
        } else {
            format!(
                "the assistant showed {}",
                shown
                    .iter()
                    .map(|t| format!("\u{201c}{t}\u{201d}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    ));
    if let Some(lang) = ctx.language {
        d.push_str(&format!("Language: {lang}\n"));
    }
    d.push_str(&format!("Mood: {}\n", mood(&visitor)));
    d.push_str("\nConversation:\n");
    for l in transcript {
        d.push_str(&format!("{}: {}\n", l.who, l.body.trim()));
    }
    (summary, d.trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(body: &str) -> Line<'_> {
        Line {
            who: "Visitor",
            body,
            from_visitor: true,
        }
    }
    fn a(body: &str) -> Line<'_> {
        Line {
            who: "Assistant",
            body,
            from_visitor: false,
        }
    }

    #[test]
    fn the_summary_names_the_request_and_its_facts_not_the_pasted_sentence() {
        let t = [
            v("Hi"),
            a("Hi! How can I help?"),
            v("  I want a   refund for order 4471, I paid 59.90 EUR on 12.11.2026  "),
        ];
        let (s, d) = summarise(
            "  I want a   refund for order 4471, I paid 59.90 EUR on 12.11.2026  ",
            &t,
            Context {
                category: Some(TicketCategory::CannotPerformAction),
                topic: Some("issue refunds"),
                language: Some("English"),
            },
        );
        assert_eq!(s, "Refund request: order 4471, 59.90 EUR, 12.11.2026");
        assert!(d.starts_with(
            "Problem: I want a refund for order 4471, I paid 59.90 EUR on 12.11.2026\nFacts:\n- Order numbers: 4471\n- Amounts: 59.90 EUR\n- Dates: 12.11.2026\n"
        ), "{d}");
        assert!(
            d.contains(
                "Already tried: no help article answered it\nLanguage: English\nMood: calm\n"
            ),
            "{d}"
        );
        assert!(d.contains(
            "Conversation:\nVisitor: Hi\nAssistant: Hi! How can I help?\nVisitor: I want a   refund for order 4471"
        ));
    }

    #[test]
    fn facts_are_extracted_from_the_whole_conversation() {
        let f = facts([
            "My order #10234 never came",
            "invoice INV-2031 says $120.50, I emailed jane@example.com yesterday, on 3 March",
            "Order number: A-5531, 3 weeks ago? no, two weeks ago, on 2026-11-03",
        ]);
        assert_eq!(f.orders, vec!["10234", "A-5531"]);
        assert_eq!(f.invoices, vec!["INV-2031"]);
        assert_eq!(f.amounts, vec!["$120.50"]);
        assert_eq!(f.emails, vec!["jane@example.com"]);
        assert!(f.dates.contains(&"yesterday".to_string()), "{:?}", f.dates);
        assert!(f.dates.contains(&"2026-11-03".to_string()), "{:?}", f.dates);
        assert!(
            f.dates.contains(&"two weeks ago".to_string()),
            "{:?}",
            f.dates
        );
        assert!(f.dates.contains(&"3 March".to_string()), "{:?}", f.dates);
        // Names are not months.
        assert_eq!(
            facts(["I'm Jane, may I ask about Marcus?"]).dates,
            Vec::<String>::new()
        );
    }

    #[test]
    fn articles_shown_language_and_mood_reach_the_description() {
        let t = [
            v("how long do refunds take?"),
            a(
                "From our article \u{201c}Return policy\u{201d}: Refunds are paid within 5 business days.",
            ),
            v("It's been three weeks and still no money!! This is unacceptable"),
        ];
        let (s, d) = summarise(
            "It's been three weeks and still no money!! This is unacceptable",
            &t,
            Context {
                category: Some(TicketCategory::NeedsHumanJudgment),
                topic: Some("this"),
                language: None,
            },
        );
        assert!(s.starts_with("Complaint: It's been three weeks"), "{s}");
        assert!(
            d.contains("Already tried: the assistant showed \u{201c}Return policy\u{201d}"),
            "{d}"
        );
        assert!(d.contains("Mood: upset and urgent"), "{d}");
        assert_eq!(
            kind_of(None, TicketCategory::Other, Some("German")),
            "Message in German"
        );
    }

    #[test]
    fn long_requests_are_cut_at_a_word_within_200_chars() {
        let long = "My order ".repeat(40);
        let (s, _) = summarise(&long, &[v(&long)], Context::default());
        assert!(
            s.chars().count() <= SUMMARY_MAX_CHARS,
            "{}",
            s.chars().count()
        );
        assert!(s.ends_with('…'));
        let unicode = "é".repeat(300);
        assert_eq!(truncate_chars(&unicode, 200).chars().count(), 200);
    }

    #[test]
    fn terse_requests_borrow_the_previous_substantial_message() {
        let t = [
            v("The checkout page shows error 502 when I pay"),
            a("I'm sorry…"),
            v("human please"),
        ];
        let (s, _) = summarise(
            "human please",
            &t,
            Context {
                topic: Some("talk to our team"),
                ..Context::default()
            },
        );
        assert_eq!(
            s,
            "Asked for a person: human please: The checkout page shows error 502 when I pay"
        );
        let (s, _) = summarise("", &[], Context::default());
        assert_eq!(s, "Visitor asked for help in the chat");
    }
}
