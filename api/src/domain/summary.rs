//! The builtin engine's ticket summary: the visitor's triggering request, trimmed to
//! fit the list view (≤ 200 characters), and a description with the whole transcript so
//! the team never has to ask again.

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

/// Summary and description of a ticket.
///
/// The summary starts with the request that triggered the handoff. When that request is
/// terse ("human please", "agent"), the visitor's last substantial message before it is
/// added so the ticket list says what the visitor actually needs.
pub fn summarise(request: &str, transcript: &[Line<'_>]) -> (String, String) {
    let request = collapse(request);
    let terse = request.split_whitespace().count() < 4;
    let mut summary = request.clone();
    if terse {
        let context = transcript
            .iter()
            .rev()
            .filter(|l| l.from_visitor)
            .map(|l| collapse(l.body))
            .find(|b| b.split_whitespace().count() >= 4 && !b.eq_ignore_ascii_case(&request));
        if let Some(context) = context {
            summary = format!("{request}: {context}");
        }
    }
    if summary.is_empty() {
        summary = "Visitor asked for help in the chat".to_string();
    }
    let summary = truncate_chars(&summary, SUMMARY_MAX_CHARS);

    let mut description = format!("Request: {request}\n\nConversation:\n");
    for l in transcript {
        description.push_str(&format!("{}: {}\n", l.who, l.body.trim()));
    }
    (summary, description.trim_end().to_string())
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
    fn summary_is_the_trimmed_request() {
        let t = [
            v("Hi"),
            a("Hi! How can I help?"),
            v("  I want a   refund for order 1234  "),
        ];
        let (s, d) = summarise("  I want a   refund for order 1234  ", &t);
        assert_eq!(s, "I want a refund for order 1234");
        assert!(d.starts_with("Request: I want a refund for order 1234\n\nConversation:\n"));
        assert!(d.contains(
            "Visitor: Hi\nAssistant: Hi! How can I help?\nVisitor: I want a   refund for order 1234"
        ));
    }

    #[test]
    fn long_requests_are_cut_at_a_word_within_200_chars() {
        let long = "My order ".repeat(40);
        let (s, _) = summarise(&long, &[v(&long)]);
        assert!(
            s.chars().count() <= SUMMARY_MAX_CHARS,
            "{}",
            s.chars().count()
        );
        assert!(s.ends_with('…'));
        assert!(s.starts_with("My order My order"));
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
        let (s, _) = summarise("human please", &t);
        assert_eq!(
            s,
            "human please: The checkout page shows error 502 when I pay"
        );
        let (s, _) = summarise("agent", &[v("agent")]);
        assert_eq!(s, "agent");
        let (s, _) = summarise("", &[]);
        assert_eq!(s, "Visitor asked for help in the chat");
    }
}
