//! The AI Instructions lint: finds sentences in a workspace's instructions that send
//! visitors elsewhere for help ("email support@…", "call us at…", "contact our team at…",
//! "visit our help center"). Such text makes the assistant point people away instead of
//! offering a ticket, so their request never reaches the team. Each warning quotes the
//! sentence and says what was detected and why it matters.
//!
//! The lint works per sentence, and inside a sentence per clause (split at `;` and `:`),
//! so that "Never tell visitors to email us; create a ticket instead" is understood as the
//! harmless instruction it is. Negations only count when they govern a telling/redirecting
//! verb ("do not tell", "never send", "instead of asking"), so "if you cannot help, email
//! support@…" is still flagged while "do not tell users to email us" is not.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Warning {
    /// The offending sentence, quoted from the instructions (whitespace collapsed).
    pub sentence: String,
    /// What was detected and why it stops tickets from being created.
    pub reason: String,
}

const WHY: &str = "With this instruction the assistant sends visitors away instead of offering a ticket, so their request never reaches your team's Tickets page. Remove it, or tell the assistant to create a ticket instead.";

/// Lints AI Instructions. Returns one warning per offending sentence, in text order.
pub fn lint(instructions: &str) -> Vec<Warning> {
    split_sentences(instructions)
        .into_iter()
        .filter_map(|sentence| {
            let findings = sentence_findings(&sentence);
            if findings.is_empty() {
                return None;
            }
            let what: Vec<String> = findings.into_iter().map(|f| f.what).collect();
            let mut what = what.join("; ");
            let mut chars = what.chars();
            if let Some(first) = chars.next() {
                what = first.to_uppercase().collect::<String>() + chars.as_str();
            }
            Some(Warning {
                reason: format!("{what}. {WHY}"),
                sentence,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Sentence splitting
// ---------------------------------------------------------------------------------------

/// Abbreviations after which a period never ends a sentence.
const ABBREV_NEVER: &[&str] = &[
    "e.g", "eg", "i.e", "ie", "vs", "mr", "mrs", "ms", "dr", "st", "no", "nr", "approx", "incl",
    "ca", "cf", "jr", "sr", "dept", "ext", "tel", "fig", "viz", "resp", "min", "max", "pls",
];
/// Abbreviations that end a sentence only when a capitalised word follows.
const ABBREV_SOFT: &[&str] = &[
    "etc", "inc", "ltd", "co", "corp", "a.m", "p.m", "u.s", "u.k", "e.u",
];

static BULLET: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r"^\s*(?:[-*•‣◦–—>]+|\d{1,3}[.)]|[a-zA-Z][)])\s+").expect("bullet regex")
});

/// Splits instructions into sentences. Line breaks end a sentence when the next line is a
/// list item, starts with a capital, or the previous line ended with punctuation; a line
/// wrapped mid-sentence ("contact our team at\nsupport@…") is joined back. Periods inside
/// email addresses, URLs, numbers and abbreviations such as "e.g." do not split.
pub fn split_sentences(text: &str) -> Vec<String> {
    // 1. Lines → blocks (a block never spans a sentence boundary made by a line break).
    let mut blocks: Vec<String> = Vec::new();
    let mut current = String::new();
    for raw_line in text.lines() {
        let line = raw_line.trim();
        if line.is_empty() {
            flush(&mut blocks, &mut current);
            continue;
        }
        let (is_bullet, content) = match BULLET.find(line) {
            Some(m) => (true, from(line, m.end())),
            None => (false, line),
        };
        let starts_upper = content.chars().next().is_some_and(|c| c.is_uppercase());
        let prev = current.trim_end();
        let prev_ends_sentence = prev.ends_with(['.', '!', '?', ':', ';']);
        let prev_ends_open = prev.ends_with(',')
            || prev
                .rsplit(' ')
                .next()
                .map(|w| {
                    matches!(
                        w.to_lowercase().as_str(),
                        "at" | "to"
                            | "the"
                            | "our"
                            | "a"
                            | "an"
                            | "or"
                            | "and"
                            | "via"
                            | "on"
                            | "of"
                            | "for"
                            | "with"
                            | "by"
                            | "in"
                            | "us"
                    )
                })
                .unwrap_or(false);
        let boundary = is_bullet || prev_ends_sentence || (starts_upper && !prev_ends_open);
        if boundary {
            flush(&mut blocks, &mut current);
        } else if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(content);
    }
    flush(&mut blocks, &mut current);

    // 2. Blocks → sentences at . ! ? followed by whitespace.
    let mut out = Vec::new();
    for block in blocks {
        let chars: Vec<(usize, char)> = block.char_indices().collect();
        let mut start = 0usize;
        let mut i = 0usize;
        while i < chars.len() {
            let (_, c) = chars[i];
            if matches!(c, '.' | '!' | '?' | '…') {
                // Swallow runs like "?!" or "..." and closing quotes/brackets.
                let mut j = i + 1;
                while j < chars.len()
                    && matches!(
                        chars[j].1,
                        '.' | '!' | '?' | '…' | '"' | '\'' | ')' | ']' | '”' | '’'
                    )
                {
                    j += 1;
                }
                let at_end = j >= chars.len();
                let followed_by_space = at_end || chars[j].1.is_whitespace();
                if followed_by_space
                    && (c != '.' || period_ends_sentence(&block, chars[i].0, &chars, j))
                {
                    let end = if at_end { block.len() } else { chars[j].0 };
                    push_sentence(&mut out, span(&block, start, end));
                    start = end;
                }
                i = j;
            } else {
                i += 1;
            }
        }
        push_sentence(&mut out, from(&block, start));
    }
    out
}

fn flush(blocks: &mut Vec<String>, current: &mut String) {
    if !current.trim().is_empty() {
        blocks.push(std::mem::take(current));
    }
    current.clear();
}

fn push_sentence(out: &mut Vec<String>, s: &str) {
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().any(|c| c.is_alphanumeric()) {
        out.push(collapsed);
    }
}

/// Whether the period at byte `dot` ends a sentence, given what precedes and follows it.
fn period_ends_sentence(block: &str, dot: usize, chars: &[(usize, char)], next_idx: usize) -> bool {
    let before = upto(block, dot);
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    let word_l = word.to_lowercase();
    let word_l = word_l.trim_start_matches(['"', '\'', '(']);
    // A single capital initial ("J. Smith") or a bare list number ("1.") does not end.
    if word.len() == 1 && word.chars().all(|c| c.is_uppercase()) {
        return false;
    }
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_digit()) && before.trim() == word {
        return false;
    }
    if ABBREV_NEVER.contains(&word_l) {
        return false;
    }
    if ABBREV_SOFT.contains(&word_l) {
        let next_word_upper = chars[next_idx..]
            .iter()
            .find(|(_, c)| !c.is_whitespace())
            .is_some_and(|(_, c)| c.is_uppercase());
        return next_word_upper;
    }
    true
}

// ---------------------------------------------------------------------------------------
// Detection
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Email,
    Phone,
    CallUs,
    ContactTeam,
    ReachOut,
    HelpPage,
    Url,
    ExternalTicket,
    Channel,
}

#[derive(Debug, Clone)]
struct Finding {
    kind: Kind,
    /// Byte offset in the clause where the detected phrase starts (for negation scope).
    start: usize,
    what: String,
}

fn re(pattern: &str) -> Regex {
    #[allow(clippy::expect_used)]
    Regex::new(pattern).expect("lint regex")
}

/// Visitor-facing "who": the people the assistant talks to.
const WHO: &str = r"(?:they|them|him|her|users?|visitors?|customers?|people|clients?|buyers?|shoppers?|guests?|members?|anyone|everyone|folks|the\s+(?:user|visitor|customer|client|buyer|shopper|person|guest)s?)";

static EMAIL_RE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b[a-z0-9][a-z0-9._%+'-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b"));
static URL_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:https?://[^\s<>()]+|www\.[^\s<>()]+|[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|co|uk|de|fr|nl|es|it|eu|ca|au|us|app|dev|help|shop|store|info|biz|ai|support)(?:/[^\s<>()]*)?)",
    )
});
static PHONE_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:\+\s?\d|\(\d|\b\d)[\d\s().\-/]{5,}\d\b|\b1[-\s.]?8\d\d[-\s.]?[A-Z][A-Z0-9-]{3,}\b")
});

static EMAIL_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:e-?mail\w*|contact\w*|writ(?:e|ing)|send\w*|reach\w*|mail|message\w*|forward\w*|get\s+in\s+touch|drop\s+(?:us|them|me)?\s*(?:a\s+)?(?:line|note|message)|cc|goes?\s+to|direct\w*|refer\w*|point\w*|support|help\w*|assistance|questions?|enquir\w*|inquir\w*|issues?|problems?|complaints?|customer\s+(?:service|care)|service\s+desk)\b",
    )
});
static PHONE_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:call\w*|phone\w*|ring\w*|text(?:ing)?|dial\w*|sms|whats\s?app|hotline|helpline|support\s+line|telephone|tel|contact\w*|reach\w*|toll[-\s]free|support|help|assistance|questions?|enquir\w*|inquir\w*|customer\s+(?:service|care))\b",
    )
});
/// "their email", "the visitor's email address": about collecting the visitor's address.
static VISITOR_EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:their|his|her|the\s+(?:visitor|customer|user|client)'?s?|(?:visitor|customer|user|client)'?s)\s+(?:own\s+)?e-?mail",
    )
});

static CALL_US: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:call|ring|dial)\s+(?:us|our\s+(?:\w+\s+){0,2}?(?:team|office|store|shop|hotline|helpline|line|number|support|desk|agents?|staff|service)|the\s+(?:support|help|service|customer|sales|billing|office|store|shop|hotline|helpline)\w*|support|customer\s+(?:service|care|support))\b|\b(?:phone|text)\s+(?:us|our\s+(?:\w+\s+){0,2}?(?:team|office|store|shop|hotline|helpline|agents?|staff))\b|\bgive\s+us\s+a\s+(?:call|ring|buzz)\b",
    )
});
static CONTACT_TEAM: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:contact(?:ing)?|e-?mail(?:ing)?|message|messaging|write\s+to|writing\s+to|ping|dm|talk\s+to|speak\s+(?:to|with)|get\s+in\s+touch\s+with|get\s+hold\s+of)\s+(?:us|our\s+(?:[\w-]+\s+){0,2}(?:team|department|staff|agents?|support|specialists?|experts?|office|desk|helpdesk|representatives?|reps?|service|people|crew|colleagues|manager)|(?:the\s+)?(?:support(?:\s+team)?|customer\s+(?:service|support|care)|help\s?desk|service\s+desk|(?:support|sales|billing|service|customer|returns|accounts?)\s+(?:team|department|staff)|team|office|staff|store|shop|manufacturer|seller|vendor|billing\s+department|a\s+(?:human|person|team\s+member|representative|manager)|an\s+agent|someone\s+(?:on|from|in)\s+our\s+team))\b",
    )
});
/// Words after which "email support" is a noun phrase.
const NOUN_BEFORE: &[&str] = &[
    "our", "have", "has", "offer", "offers", "provide", "provides", "with", "no", "by", "via",
    "through", "and", "24/7", "free", "fast", "good", "great", "the", "an", "a", "your",
];

/// "Contact Us page", "contact form": a place, not an instruction by itself.
static CONTACT_AS_NOUN: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^\s*(?:page|form|link|button|section|details|info)\b"));
static REACH_OUT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\breach(?:ing)?\s+out\b|\bget(?:ting)?\s+in\s+touch\b|\breach\s+(?:us|our\s+\w+|the\s+(?:team|support|office))\b",
    )
});
static REACH_OUT_OBJECT_US: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:to|with|via|at|on|by)?\s*(?:us|our\b|the\s+(?:team|support|office)|support|customer\s+service)",
    )
});
/// Someone on the business's side reaching out to the visitor: harmless.
static TEAM_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:we|we'll|team|agents?|someone|staff|they'll\s+be|will|'ll|shall|support\s+will|colleague)\s*(?:will|'ll|would|shall|can|may)?\s*(?:\w+\s+)?$",
    )
});

static HELP_PAGE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:help\s?cent(?:er|re)|help\s?desk|help\s+(?:page|site|section|docs?|portal|articles?)|support\s+(?:page|site|portal|cent(?:er|re)|hub|section|form|website|area)|contact(?:-us|\s+us)?\s+(?:page|form)|faqs?(?:\s+(?:page|section))?|frequently\s+asked\s+questions|knowledge\s?base|documentation|docs|community\s+(?:forum|page|site)|forums?|[\w-]+\s+portal|ticket(?:ing)?\s+(?:portal|system|form|page)|support\s+portal)\b",
    )
});
/// Verbs only a visitor can do to a page.
static VISITOR_VERB: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:visit\w*|go(?:es|ing)?\s+to|head(?:ing)?\s+(?:over\s+)?to|navigate\s+to|browse\s+(?:to)?|click\w*|check\s+out|fill\w*\s+(?:out|in)|log\s+(?:in|on)\s+to|sign\s+in\s+to|see|submit\w*\s+(?:it|them|a|an|their|the)?)\b",
    )
});
/// Verbs the assistant might also do ("use the FAQ to answer"): need visitor context.
static SHARED_VERB: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:check\w*|use|using|consult\w*|refer\w*\s+to|look\w*\s+(?:at|in|through)|read\w*|search\w*|open\w*|find)\b",
    )
});
static VISITOR_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:tell|ask|direct|send|refer|point|redirect|advise|suggest|recommend|encourage|instruct|invite|remind|show|give|link)\w*\s+(?:that\s+)?{WHO}\b|\b(?:they|users?|visitors?|customers?|people|clients?|you)\s+(?:can|could|should|must|may|will\s+need\s+to|need\s+to|have\s+to|might\s+want\s+to)\s|\bfor\s+(?:any\s+)?(?:more\s+|further\s+|additional\s+|other\s+)?(?:help|support|assistance|answers|questions|info\w*|details|issues|problems|troubleshooting|guides?)\b|\b(?:please|feel\s+free\s+to|be\s+sure\s+to|make\s+sure\s+to)\b"
    ))
});
static REDIRECT_WHO: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:direct|send|refer|point|redirect|forward|route|transfer|escalate|link)\w*\s+{WHO}\s+(?:to|towards|over\s+to|on\s+to)\b"
    ))
});
static REACH_OUT_TO_VISITOR: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?i)^\s*(?:to|with)\s+{WHO}")));
static REDIRECT_DEST: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:us|our\s+(?:\w+\s+){0,2}?(?:team|staff|department|office|store|shop|agents?|support|helpline|hotline)|support|customer\s+(?:service|care|support)|another\s+\w+|elsewhere|a\s+human|the\s+(?:team|office|store|shop|support\w*)|sales|billing|email|phone)\b",
    )
});
/// Reaching out to this very chat is what we want.
static REACH_OUT_TO_CHAT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:to|with|via|through)\s+(?:the\s+|this\s+|our\s+)?(?:chat\w*|assistant|bot|ai|widget)\b",
    )
});
/// The visitor's wish in a condition ("when someone wants to talk to our team, offer a
/// ticket"; "if they ask how to contact us"), not an instruction to send them there.
static WISH_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:\b(?:wants?|wanting|wished?|would\s+like|'d\s+like|needs?|tries|trying|tried|prefers?)\s+(?:\w+\s+)?to|\b(?:asks?|asking|asked)\s+to|\bhow\s+(?:\w+\s+)?(?:can|could|do|does|should)?\s*(?:\w+\s+)?to|\bhow\s+to)\s*$",
    )
});

fn wish_before(before: &str) -> bool {
    WISH_BEFORE.is_match(before)
}

static URL_HELPISH: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)help|support|contact|faq|ticket|kontakt|service|care|desk|zendesk|freshdesk|intercom")
});
static EXTERNAL_TICKET: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:submit|open|file|create|raise|log|lodge|fill\s+(?:out|in)|complete|send)\w*\s+(?:a|an|the|their|your)?\s*(?:new\s+)?(?:support\s+|help\s+|service\s+|refunds?\s+|returns?\s+|contact\s+)?(?:ticket|request|case|claim|form|complaint)\b",
    )
});
static EXTERNAL_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:[\w-]+\s+){0,3}?(?:on|via|through|at|in|using|with|from)\s+(?:our|the|their|your|this)?\s*(?:[\w-]+\s+)?(?:website|site|web\s?site|portal|page|form|url|link|app|dashboard|account|help\s?cent(?:er|re)|help\s?desk|zendesk|freshdesk|jira|intercom)\b",
    )
});
static VISITOR_DOES: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:tell|ask|instruct|encourage|advise|invite|remind|direct|get)\w*\s+{WHO}\s+to\b|\b(?:they|users?|visitors?|customers?|people|clients?|you|shoppers?|buyers?|guests?|members?)\s+(?:can|could|should|must|may|need\s+to|have\s+to|will\s+need\s+to)\s"
    ))
});
static CHANNEL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:message|dm|contact|reach|ping|tweet|write|chat|talk)\w*\s+(?:to\s+|with\s+)?(?:us|our\s+\w+(?:\s+\w+)?)?\s*(?:on|via|at|through|over|using)\s+(?:our\s+)?(?:twitter|x|facebook(?:\s+messenger)?|messenger|instagram|whats\s?app|telegram|discord|slack|linkedin|tiktok|signal|wechat|line|viber)\b|\bjoin\s+our\s+(?:discord|slack|telegram|whats\s?app|community|forum)\b",
    )
});

/// A negation governing a telling/redirecting/sharing verb: "do not tell", "never
/// email", "instead of asking", "users should not be told".
static NEGATED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:do\s+not|don'?t|does\s+not|doesn'?t|never|must\s+not|mustn'?t|should\s+not|shouldn'?t|cannot|can'?t|won'?t|will\s+not|no\s+need\s+to|avoid|refrain\s+from|instead\s+of|rather\s+than|stop|without|not)\s+(?:(?:ever|just|simply|directly|immediately|automatically|always|proactively|actively|be|being|try|attempt|to|them|users?|visitors?|customers?|people)\s+){0,3}(?:tell|told|telling|direct|directed|directing|send|sent|sending|refer|referred|referring|point|pointed|pointing|redirect\w*|ask|asked|asking|advise\w*|suggest\w*|recommend\w*|encourage\w*|instruct\w*|give|giving|share|sharing|mention\w*|provide|providing|offer\w*|e-?mail\w*|call|calling|phone|phoning|contact\w*|reach\w*|visit\w*|writ(?:e|ing)|text|texting|dial\w*|go|going|list|listing|quote|quoting|include|including|reveal\w*|disclose\w*|publish\w*|hand\w*|forward\w*|push\w*|route\w*|use|using|make|making|let|letting|link\w*)\b",
    )
});
/// Negated disclosure anywhere in the sentence suppresses address/number findings:
/// "help@acme.com is internal, never share it".
static NEGATED_DISCLOSURE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:do\s+not|don'?t|never|must\s+not|mustn'?t|should\s+not|shouldn'?t|avoid)\s+(?:\w+\s+){0,2}?(?:share|sharing|give\s+out|giving\s+out|reveal\w*|disclose\w*|publish\w*|hand\s+out|mention\w*|quote|quoting|expose)\b|\b(?:internal\s+(?:use\s+)?only|staff\s+only|for\s+internal|not\s+for\s+(?:visitors|customers|the\s+public))\b",
    )
});

fn is_example_address(addr: &str) -> bool {
    let domain = addr.rsplit('@').next().unwrap_or("").to_lowercase();
    domain == "example.com"
        || domain == "example.org"
        || domain == "example.net"
        || domain.ends_with(".example")
        || domain.ends_with(".test")
        || domain.ends_with(".invalid")
}

/// Clauses end at ";" and at ":" followed by a space (not the ":" of "https://").
static CLAUSE_END: LazyLock<Regex> = LazyLock::new(|| re(r";|:(?:\s|$)"));

fn clauses(sentence: &str) -> Vec<&str> {
    CLAUSE_END
        .split(sentence)
        .filter(|c| !c.trim().is_empty())
        .collect()
}

fn sentence_findings(sentence: &str) -> Vec<Finding> {
    let disclosure_negated = NEGATED_DISCLOSURE.is_match(sentence);
    let mut all = Vec::new();
    for clause in clauses(sentence) {
        let mut findings = clause_findings(clause, sentence, disclosure_negated);
        // A negation that comes before a finding in the same clause cancels it.
        let negations: Vec<usize> = NEGATED.find_iter(clause).map(|m| m.start()).collect();
        findings.retain(|f| !negations.iter().any(|&n| n <= f.start));
        all.extend(findings);
    }
    // One line per kind; the most specific kinds first.
    all.sort_by_key(|f| (f.kind, f.start));
    all.dedup_by_key(|f| f.kind);
    // "Email support@…" already says everything "contact our team" would.
    let has = |all: &[Finding], k: Kind| all.iter().any(|f| f.kind == k);
    if has(&all, Kind::Email) || has(&all, Kind::Phone) {
        all.retain(|f| !matches!(f.kind, Kind::ContactTeam | Kind::ReachOut | Kind::CallUs));
    }
    if has(&all, Kind::HelpPage) {
        all.retain(|f| f.kind != Kind::Url);
    }
    all
}

/// Role accounts that exist to receive help requests.
const ROLE_MAILBOXES: &[&str] = &[
    "support",
    "help",
    "helpdesk",
    "contact",
    "service",
    "care",
    "info",
    "hello",
    "team",
    "billing",
    "sales",
    "returns",
    "refunds",
    "orders",
    "customerservice",
    "customer.service",
    "kundenservice",
];

fn clause_findings(clause: &str, sentence: &str, disclosure_negated: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    let about_visitor_email = VISITOR_EMAIL.is_match(clause);
    // Cues are looked for in the whole sentence ("Support: help@acme.com") with the
    // addresses themselves blanked out, so "help@" does not cue itself.
    let sentence_without_emails = EMAIL_RE.replace_all(sentence, " ");

    // Email addresses handed to visitors.
    let without_emails = EMAIL_RE
        .replace_all(clause, |c: &regex::Captures| " ".repeat(c[0].len()))
        .into_owned();
    for m in EMAIL_RE.find_iter(clause) {
        let addr = m.as_str();
        if is_example_address(addr) || about_visitor_email || disclosure_negated {
            continue;
        }
        let local = addr.split('@').next().unwrap_or("").to_lowercase();
        let role_mailbox = ROLE_MAILBOXES.contains(&local.as_str());
        let cue = EMAIL_CUE.find(&without_emails).map(|c| c.start());
        if cue.is_some() || role_mailbox || EMAIL_CUE.is_match(&sentence_without_emails) {
            out.push(Finding {
                kind: Kind::Email,
                start: cue.unwrap_or(m.start()).min(m.start()),
                what: format!("tells visitors to email {}", addr.to_lowercase()),
            });
        }
    }

    // URLs pointing at help/support/contact pages.
    let mut without_urls = without_emails.clone();
    for m in URL_RE.find_iter(&without_emails) {
        without_urls.replace_range(m.range(), &" ".repeat(m.len()));
        let url = m.as_str().trim_end_matches(['.', ',', '!', '?']);
        if disclosure_negated {
            continue;
        }
        let directive = VISITOR_VERB.is_match(clause)
            || REDIRECT_WHO.is_match(clause)
            || (SHARED_VERB.is_match(clause) && VISITOR_CONTEXT.is_match(clause));
        let helpish = URL_HELPISH.is_match(url)
            || VISITOR_CONTEXT.is_match(clause) && EMAIL_CUE.is_match(clause);
        if directive && helpish {
            out.push(Finding {
                kind: Kind::Url,
                start: 0,
                what: format!("sends visitors to the web page {url} for help"),
            });
        }
    }

    // Phone numbers (searched with addresses and URLs blanked out).
    for m in PHONE_RE.find_iter(&without_urls) {
        let number = m.as_str().trim();
        let digits = number.chars().filter(|c| c.is_ascii_digit()).count();
        let vanity = number.chars().any(|c| c.is_ascii_alphabetic());
        if !(vanity || (7..=15).contains(&digits)) || disclosure_negated {
            continue;
        }
        if let Some(cue) = PHONE_CUE.find(clause) {
            out.push(Finding {
                kind: Kind::Phone,
                start: cue.start().min(m.start()),
                what: format!("gives visitors the phone number {number} to call"),
            });
        }
    }

    if let Some(m) = CALL_US
        .find(clause)
        .filter(|m| !wish_before(upto(clause, m.start())))
    {
        out.push(Finding {
            kind: Kind::CallUs,
            start: m.start(),
            what: format!("tells visitors to phone you (\"{}\")", m.as_str()),
        });
    }

    for m in CONTACT_TEAM.find_iter(clause) {
        if CONTACT_AS_NOUN.is_match(from(clause, m.end())) || wish_before(upto(clause, m.start())) {
            continue;
        }
        // "we offer email support", "24/7 email support": a noun, not an instruction.
        let previous = upto(clause, m.start())
            .split_whitespace()
            .last()
            .unwrap_or("")
            .to_lowercase();
        let verb = m
            .as_str()
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_lowercase();
        if !verb.starts_with("contact")
            && NOUN_BEFORE
                .contains(&previous.trim_matches(|c: char| !c.is_alphanumeric() && c != '/'))
        {
            continue;
        }
        out.push(Finding {
            kind: Kind::ContactTeam,
            start: m.start(),
            what: format!(
                "tells visitors to contact your team outside this chat (\"{}\")",
                m.as_str()
            ),
        });
        break;
    }

    for m in REACH_OUT.find_iter(clause) {
        let before = upto(clause, m.start());
        let after = from(clause, m.end());
        let phrase = m.as_str().to_lowercase();
        let object_us = REACH_OUT_OBJECT_US.is_match(after)
            || (phrase.starts_with("reach ") && !phrase.contains(" out"));
        if !object_us && TEAM_SUBJECT.is_match(before) {
            continue; // "our team will reach out to the visitor": the ticket promise
        }
        if REACH_OUT_TO_VISITOR.is_match(after)
            || REACH_OUT_TO_CHAT.is_match(after)
            || wish_before(before)
        {
            continue;
        }
        out.push(Finding {
            kind: Kind::ReachOut,
            start: m.start(),
            what: format!(
                "tells visitors to reach out another way (\"{}{}\")",
                m.as_str(),
                first_words(after, 2)
            ),
        });
        break;
    }

    if let Some(m) = HELP_PAGE.find(clause) {
        let mut dest = m.as_str().to_lowercase();
        if dest.starts_with("faq") {
            dest = dest.replacen("faq", "FAQ", 1);
        }
        let visitor_only_place =
            dest.contains("form") || dest.contains("portal") || dest.contains("contact");
        let verb_before = |r: &Regex| r.find_iter(clause).any(|v| v.start() < m.start());
        let directive = verb_before(&VISITOR_VERB)
            || REDIRECT_WHO
                .find_iter(clause)
                .any(|v| v.start() < m.start())
            || (visitor_only_place
                && (verb_before(&SHARED_VERB) || VISITOR_CONTEXT.is_match(clause)))
            || (verb_before(&SHARED_VERB) && VISITOR_CONTEXT.is_match(clause));
        if directive {
            out.push(Finding {
                kind: Kind::HelpPage,
                start: 0,
                what: format!("sends visitors to your {dest} for help"),
            });
        }
    }

    if let Some(m) = REDIRECT_WHO.find(clause) {
        let rest = from(clause, m.end());
        if REDIRECT_DEST.is_match(rest)
            && !out
                .iter()
                .any(|f| matches!(f.kind, Kind::HelpPage | Kind::Url))
        {
            out.push(Finding {
                kind: Kind::ContactTeam,
                start: m.start(),
                what: format!(
                    "sends visitors elsewhere for help (\"{}{}\")",
                    m.as_str(),
                    first_words(rest, 4)
                ),
            });
        }
    }

    if let Some(m) = EXTERNAL_TICKET.find(clause) {
        let rest = from(clause, m.end());
        let elsewhere = EXTERNAL_PLACE.is_match(rest);
        let by_visitor = VISITOR_DOES
            .find_iter(clause)
            .any(|v| v.start() < m.start());
        if elsewhere || by_visitor {
            out.push(Finding {
                kind: Kind::ExternalTicket,
                start: m.start(),
                what: format!(
                    "asks visitors to file a request themselves (\"{}{}\"), which the assistant does for them in this chat",
                    m.as_str(),
                    first_words(rest, 4)
                ),
            });
        }
    }

    if let Some(m) = CHANNEL.find(clause) {
        out.push(Finding {
            kind: Kind::Channel,
            start: m.start(),
            what: format!("sends visitors to another channel (\"{}\")", m.as_str()),
        });
    }

    out
}

fn first_words(s: &str, n: usize) -> String {
    let words: Vec<&str> = s.split_whitespace().take(n).collect();
    if words.is_empty() {
        String::new()
    } else {
        format!(
            " {}",
            words.join(" ").trim_end_matches(['.', ',', '!', '?'])
        )
    }
}

/// `s[..i]` for a byte offset known to be a char boundary (a regex match or `char_indices`).
fn upto(s: &str, i: usize) -> &str {
    s.get(..i).unwrap_or(s)
}

/// `s[i..]` for a byte offset known to be a char boundary.
fn from(s: &str, i: usize) -> &str {
    s.get(i..).unwrap_or("")
}

/// `s[a..b]` for byte offsets known to be char boundaries.
fn span(s: &str, a: usize, b: usize) -> &str {
    s.get(a..b).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagged(text: &str) -> Vec<Warning> {
        lint(text)
    }

    #[test]
    fn splits_sentences_sensibly() {
        let s = split_sentences(
            "Be friendly, e.g. greet people by name. Email us at support@acme.com. Visit https://acme.com/help. Done!",
        );
        assert_eq!(
            s,
            vec![
                "Be friendly, e.g. greet people by name.",
                "Email us at support@acme.com.",
                "Visit https://acme.com/help.",
                "Done!"
            ]
        );
        let s = split_sentences(
            "Hours are 9 a.m. to 5 p.m. on weekdays. Prices incl. VAT, i.e. 19%. Mr. Smith runs it.",
        );
        assert_eq!(s.len(), 3, "{s:?}");
        let s = split_sentences("Questions? Ask away!! Really...? Yes.");
        assert_eq!(s, vec!["Questions?", "Ask away!!", "Really...?", "Yes."]);
        let s = split_sentences("Version 2.5 is out. Pay 9.99 EUR.");
        assert_eq!(s, vec!["Version 2.5 is out.", "Pay 9.99 EUR."]);
    }

    #[test]
    fn splits_lines_and_bullets_but_joins_wrapped_lines() {
        let s = split_sentences(
            "Rules:\n- Be brief\n- Answer in English\n1. Never guess\n2) Say thanks\n\nFor help, contact our team at\nsupport@acme.com today\nThanks",
        );
        assert_eq!(
            s,
            vec![
                "Rules:",
                "Be brief",
                "Answer in English",
                "Never guess",
                "Say thanks",
                "For help, contact our team at support@acme.com today",
                "Thanks"
            ]
        );
        let s = split_sentences("* one\r\n* two\r\n");
        assert_eq!(s, vec!["one", "two"]);
        assert!(split_sentences("  \n\n ").is_empty());
    }

    #[test]
    fn emails_and_urls_are_never_split() {
        let s = split_sentences(
            "Write to first.last@sub.acme.co.uk or see www.acme.com/a.b.c for details. Next.",
        );
        assert_eq!(
            s[0],
            "Write to first.last@sub.acme.co.uk or see www.acme.com/a.b.c for details."
        );
    }

    /// Each of these sends visitors elsewhere and must be flagged.
    const FLAGGED: &[&str] = &[
        "For refunds, email support@acme.com.",
        "If you can't help, tell them to email Support@Acme.com",
        "Customers should write to billing@acme.com about invoices.",
        "Send your questions to help@acme.io.",
        "Our support email is help@acme.com.",
        "Don't hesitate to contact us at hello@acme.com.",
        "You can email us at info@acme.de, e.g. for invoices.",
        "EMAIL SUPPORT@ACME.COM FOR ANYTHING ELSE.",
        "Call us at +1 (555) 123-4567 for urgent issues.",
        "For urgent matters, phone 0800 123 4567.",
        "Text 555-123-4567 to reach our team.",
        "Dial 1-800-555-0199 for billing questions.",
        "If the visitor is unhappy, tell them to call our customer service.",
        "Give us a call if something is wrong.",
        "Contact our support team at support@acme.com.",
        "Please contact our team via the contact form.",
        "CONTACT OUR SUPPORT TEAM FOR ANY ISSUES.",
        "Ask them to contact customer service.",
        "Email us.",
        "For anything else, get in touch with our sales team.",
        "Reach out to us on Twitter.",
        "Feel free to reach out if you have questions.",
        "Visit our help center for more information.",
        "See our FAQ for answers to common questions.",
        "Go to our support page at acme.com/support.",
        "Head over to acme.com/help for troubleshooting guides.",
        "Please visit https://support.acme.com",
        "Refer customers to our knowledge base.",
        "Direct users to our helpdesk.",
        "For more help, check the community forum.",
        "Submit a ticket on our website.",
        "Ask them to fill out the contact form.",
        "They can open a support request at https://acme.zendesk.com.",
        "Message us on WhatsApp at +44 7700 900123.",
        "DM us on Instagram for order problems.",
        "If the AI cannot answer, send visitors to our support team.",
        "Visitors with billing questions should call 555-123-4567.",
        "For returns, customers must use the returns portal.",
        "Suggest they check our Help Centre.",
        "Customers should fill in the returns form at acme.com/returns-form",
        "Recommend that customers open a ticket in our support portal.",
        "Tell visitors they can find answers at help.acme.com.",
        "Never process refunds yourself — direct customers to billing@acme.com.",
        "Do not answer billing questions, send them to billing@acme.com",
        "Please don't use the chat for refunds; email refunds@acme.com instead.",
        "Escalations: support@acme.com",
        "Point people to the FAQ page.",
        "Tell them to ring 0800 123 456",
        "Shoppers need to log in to their account and open a support case.",
        "Have them contact the store directly.",
        "Questions about invoices go to accounting@acme.com.",
        "If it's urgent, ping us on Slack.",
        "please reach us via phone: 020 7946 0958",
        "Let customers know they can write to us at hello@acme.co.uk.",
        "ADVISE THEM TO CALL 1-800-FLOWERS.",
        "Support: help@acme.com",
        "Link them to https://acme.com/contact if they ask for an address.",
        "To speak to a manager, customers should call 555-0100-222.",
        "For wholesale, please reach out to sales.",
        "If the order is damaged, ask the customer to send photos to returns@acme.com.",
    ];

    /// Harmless mentions that must not be flagged.
    const HARMLESS: &[&str] = &[
        "Our support team is friendly and answers within a day.",
        "We have a help center with guides for every product.",
        "Do not tell users to email us.",
        "Never send visitors to the help center; create a ticket instead.",
        "Use the FAQ articles to answer questions.",
        "Answer in a friendly tone, e.g. greet the visitor by name.",
        "When you can't help, offer to create a ticket so our team can follow up by email.",
        "Our team will reach out to the visitor by email once the ticket is created.",
        "Ask for the visitor's email address so we can reply.",
        "Our office is in Berlin and was founded in 2012.",
        "Don't give out the CEO's address ceo@acme.com.",
        "Customers often ask about shipping to Canada.",
        "Refer to the knowledge base articles when answering.",
        "Contact details change often, so never quote a phone number.",
        "We contact customers within 24 hours of their ticket.",
        "Mention our 30-day return policy when relevant.",
        "Rather than telling people to call us, create a ticket.",
        "Our website is acme.com.",
        "Always create a ticket instead of asking visitors to submit one on the website.",
        "The help center explains sizing in detail, so summarise it for visitors.",
        "Follow us on Instagram for news.",
        "Order numbers look like 10023456.",
        "Create a ticket whenever you cannot help.",
        "Users should not be told to phone us.",
        "If a visitor asks for a human, offer a ticket.",
        "Ask for their email, for example jane@example.com.",
        "Our Contact Us page lists the store's opening hours.",
        "Someone from our team will get in touch with the customer.",
        "We were founded on 2019-04-01 and ship worldwide.",
        "support@acme.com is for internal use only, never share it.",
        "Please tell customers that our team will reach out within 24h.",
        "Our support team is available Mon-Fri 9am-5pm CET.",
        "We do not ship to P.O. boxes.",
        "Feel free to answer questions about our loyalty program.",
        "Mention that our phone support is closed on weekends.",
        "We have 24/7 email support through tickets created here.",
        "Collect the visitor's phone number if they want a callback.",
        "When customers visit our store in Berlin, they can try on shoes.",
        "Link to articles from the knowledge base when relevant.",
        "Our FAQ page is at acme.com/faq, quote from it when answering.",
        "Don't ask visitors to call us or email us; offer a ticket.",
        "Prices are in EUR, e.g. 19.99 EUR.",
        "Customers can reach out to the chatbot any time.",
        "Offer a ticket when someone wants to talk to our support team.",
        "If someone asks how to contact us, offer to create a ticket.",
        "Don't tell people to email support@acme.com or call 555-123-4567.",
        "Call the visitor by their first name.",
        "Ask for an order number like ACME-12345 before creating a ticket.",
    ];

    #[test]
    fn flags_redirections_in_many_phrasings() {
        let mut missed = Vec::new();
        for text in FLAGGED {
            let w = flagged(text);
            if w.len() != 1 {
                missed.push(format!("{text:?} → {w:?}"));
            }
        }
        assert!(
            missed.is_empty(),
            "not flagged exactly once:\n{}",
            missed.join("\n")
        );
        assert!(FLAGGED.len() >= 30);
    }

    #[test]
    fn leaves_harmless_mentions_alone() {
        let mut wrong = Vec::new();
        for text in HARMLESS {
            let w = flagged(text);
            if !w.is_empty() {
                wrong.push(format!("{text:?} → {w:?}"));
            }
        }
        assert!(wrong.is_empty(), "false warnings:\n{}", wrong.join("\n"));
        assert!(HARMLESS.len() >= 25);
    }

    #[test]
    fn warning_quotes_the_sentence_and_names_what_was_found() {
        let w =
            lint("Be nice. For refunds, email Support@Acme.com or call +1 555 123 4567. Thanks!");
        assert_eq!(w.len(), 1);
        assert_eq!(
            w[0].sentence,
            "For refunds, email Support@Acme.com or call +1 555 123 4567."
        );
        assert!(
            w[0].reason
                .starts_with("Tells visitors to email support@acme.com"),
            "{}",
            w[0].reason
        );
        assert!(w[0].reason.contains("+1 555 123 4567"), "{}", w[0].reason);
        assert!(
            w[0].reason.contains("instead of offering a ticket"),
            "{}",
            w[0].reason
        );

        let w = lint("Visit our Help Center for details.");
        assert!(w[0].reason.contains("help center"), "{}", w[0].reason);
        let w = lint("Contact our support team at any time.");
        assert!(
            w[0].reason.contains("\"Contact our support team\""),
            "{}",
            w[0].reason
        );
    }

    #[test]
    fn several_offending_sentences_are_reported_in_order() {
        let text = "You are Acme's assistant. Email support@acme.com for refunds.\nBe brief.\n- Call us at 555-123-4567\n- Visit our FAQ";
        let w = lint(text);
        let sentences: Vec<&str> = w.iter().map(|w| w.sentence.as_str()).collect();
        assert_eq!(
            sentences,
            vec![
                "Email support@acme.com for refunds.",
                "Call us at 555-123-4567",
                "Visit our FAQ"
            ]
        );
    }

    #[test]
    fn negation_is_scoped_to_its_clause() {
        // The second clause still redirects.
        let w = lint("Never tell visitors to call us; email support@acme.com instead.");
        assert_eq!(w.len(), 1);
        assert!(w[0].reason.contains("support@acme.com"));
        // A negation that does not govern a telling verb does not excuse the sentence.
        assert_eq!(
            lint("If they don't hear back, email help@acme.com.").len(),
            1
        );
        assert_eq!(
            lint("If you cannot help them tell them to email help@acme.com.").len(),
            1
        );
    }

    #[test]
    fn empty_and_clean_instructions_have_no_warnings() {
        assert!(lint("").is_empty());
        assert!(
            lint("You are a helpful assistant for Acme Shop. Answer briefly and kindly.")
                .is_empty()
        );
    }
}
