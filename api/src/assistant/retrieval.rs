//! Judging knowledge-base candidates for the builtin engine. Postgres full-text search
//! finds articles that share any word with the message (`db::articles::search_any`);
//! this module decides whether the best one really answers it, and picks the passage to
//! quote. A message with words no candidate covers ("do you have a *student* discount?")
//! is not answered from a loosely related article: it goes to the team.

use std::collections::HashSet;

use crate::domain::handoff::Answer;
use crate::domain::intent::normalise;
use crate::domain::summary::truncate_chars;

/// Words that carry no topic: question scaffolding, pronouns, politeness.
const STOPWORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "if",
    "then",
    "so",
    "to",
    "of",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "from",
    "about",
    "into",
    "over",
    "after",
    "before",
    "up",
    "out",
    "off",
    "as",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "am",
    "do",
    "does",
    "did",
    "done",
    "doing",
    "have",
    "has",
    "had",
    "having",
    "can",
    "could",
    "would",
    "will",
    "shall",
    "should",
    "may",
    "might",
    "must",
    "i",
    "me",
    "my",
    "mine",
    "we",
    "us",
    "our",
    "you",
    "your",
    "yours",
    "he",
    "she",
    "it",
    "its",
    "they",
    "them",
    "their",
    "this",
    "that",
    "these",
    "those",
    "there",
    "here",
    "what",
    "which",
    "who",
    "whom",
    "whose",
    "when",
    "where",
    "why",
    "how",
    "much",
    "many",
    "long",
    "any",
    "some",
    "all",
    "each",
    "every",
    "no",
    "not",
    "yes",
    "please",
    "thanks",
    "thank",
    "hi",
    "hello",
    "hey",
    "ok",
    "okay",
    "get",
    "got",
    "want",
    "wanted",
    "need",
    "needs",
    "like",
    "know",
    "tell",
    "let",
    "also",
    "just",
    "still",
    "really",
    "very",
    "too",
    "again",
    "there's",
    "what's",
    "i'm",
    "i'd",
    "it's",
    "don't",
    "doesn't",
    "can't",
    "possible",
    "way",
    "question",
    "anyone",
    "someone",
    "find",
    "one",
    "use",
    "using",
    "offer",
    "offers",
    "have",
    "way",
    "more",
    "other",
    "else",
    "than",
    "via",
    "per",
    "im",
    "id",
    "pls",
    "plz",
    "u",
    "ur",
    "take",
    "takes",
    "taking",
    "took",
    "good",
    "morning",
    "evening",
    "afternoon",
    "something",
    "anything",
    "thing",
    "things",
];

/// Words that mean the same thing in a shop's questions and its articles, mapped onto
/// one stem ("deliver to Austria" meets "Shipping times").
const SYNONYMS: &[(&str, &str)] = &[
    ("deliver", "ship"),
    ("delivery", "ship"),
    ("shipment", "ship"),
    ("dispatch", "ship"),
    ("price", "cost"),
    ("fee", "cost"),
    ("purchase", "buy"),
    ("e-mail", "email"),
    ("log-in", "login"),
    ("signin", "login"),
    ("voucher", "gift"),
    ("guarantee", "warranty"),
    ("payment", "pay"),
    ("remember", "forgot"),
    ("forget", "forgot"),
];

/// A crude stem so that "shipping", "ships" and "shipped" meet ("ship").
pub fn stem(word: &str) -> String {
    let w = word.trim_matches(|c: char| !c.is_alphanumeric());
    let w = w.strip_suffix("'s").unwrap_or(w);
    let n = w.chars().count();
    let cut = |suffix: &str| -> Option<String> {
        let base = w.strip_suffix(suffix)?;
        (base.chars().count() >= 3).then(|| base.to_string())
    };
    let keeps_s = w.ends_with("ss") || w.ends_with("us") || w.ends_with("is");
    let out = if keeps_s {
        None
    } else if n > 5 {
        cut("ing")
            .or_else(|| cut("ed"))
            .or_else(|| cut("es"))
            .or_else(|| cut("s"))
    } else if n > 3 {
        cut("s")
    } else {
        None
    };
    let mut out = out.unwrap_or_else(|| w.to_string());
    // "shipping" → "shipp" → "ship"
    let chars: Vec<char> = out.chars().collect();
    if chars.len() >= 4
        && chars[chars.len() - 1] == chars[chars.len() - 2]
        && !"aeiouls".contains(chars[chars.len() - 1])
    {
        out.pop();
    }
    match SYNONYMS.iter().find(|(from, _)| *from == out) {
        Some((_, to)) => to.to_string(),
        None => out,
    }
}

/// The topic words of a message, normalised, stop words removed (in order, distinct).
pub fn content_words(text: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    normalise(text)
        .split(' ')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
        .filter(|w| !w.is_empty() && !STOPWORDS.contains(&w.as_str()))
        .filter(|w| !(w.chars().all(|c| c.is_ascii_digit()) && w.len() < 3))
        .filter(|w| seen.insert(w.clone()))
        .collect()
}

/// Words for the tsquery: the content words as they are (Postgres stems them itself).
pub fn query_words(text: &str) -> Vec<String> {
    content_words(text)
        .into_iter()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

fn stems_of(text: &str) -> HashSet<String> {
    normalise(text)
        .split(' ')
        .map(stem)
        .filter(|s| !s.is_empty())
        .collect()
}

/// How well an article covers the message's topic words.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coverage {
    pub words: usize,
    pub matched: usize,
    pub in_title: usize,
}

impl Coverage {
    pub fn ratio(&self) -> f32 {
        if self.words == 0 {
            0.0
        } else {
            self.matched as f32 / self.words as f32
        }
    }

    /// Good enough to answer: most topic words covered, and either the title names one of
    /// them or nearly all are covered. A one-word topic ("refunds?") must be covered.
    pub fn answers(&self) -> bool {
        match self.words {
            0 => false,
            1 => self.matched == 1,
            _ => {
                let r = self.ratio();
                (r >= 0.6 && self.in_title >= 1)
                    || r >= 0.8
                    || (self.words >= 4 && r >= 0.74 && self.in_title >= 1)
            }
        }
    }
}

pub fn coverage(message: &str, title: &str, body: &str) -> Coverage {
    let words: Vec<String> = content_words(message).iter().map(|w| stem(w)).collect();
    let title_stems = stems_of(title);
    let all: HashSet<String> = title_stems.union(&stems_of(body)).cloned().collect();
    Coverage {
        words: words.len(),
        matched: words.iter().filter(|w| all.contains(*w)).count(),
        in_title: words.iter().filter(|w| title_stems.contains(*w)).count(),
    }
}

/// The best candidate that answers the message, with the passage to quote.
pub fn best_answer<'a>(
    message: &str,
    candidates: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Option<Answer> {
    let mut best: Option<(f32, usize, &str, &str)> = None;
    for (title, body) in candidates {
        let c = coverage(message, title, body);
        if !c.answers() {
            continue;
        }
        let better = match best {
            None => true,
            Some((r, t, _, _)) => c.ratio() > r || (c.ratio() == r && c.in_title > t),
        };
        if better {
            best = Some((c.ratio(), c.in_title, title, body));
        }
    }
    best.map(|(_, _, title, body)| Answer {
        source: None,
        url: None,
        title: title.to_string(),
        excerpt: excerpt(message, body),
    })
}

/// Openings of a message that continues the previous question ("and overnight?", "what
/// about the cheaper one?").
const FOLLOW_UP_OPENINGS: &[&str] = &[
    "and ",
    "what about",
    "how about",
    "also ",
    "or ",
    "same ",
    "but ",
    "and?",
    "what if",
];
/// A message this short (in words) leans on what was asked before.
const FOLLOW_UP_MAX_WORDS: usize = 6;

/// Whether a message is a follow-up of the previous visitor turn.
pub fn is_follow_up(message: &str) -> bool {
    let t = normalise(message);
    if FOLLOW_UP_OPENINGS.iter().any(|o| t.starts_with(o)) {
        return true;
    }
    let words = t.split(' ').filter(|w| !w.is_empty()).count();
    let refers = t.split(' ').any(|w| {
        matches!(
            w,
            "it" | "that" | "this" | "them" | "those" | "one" | "there" | "they" | "these" | "its"
        )
    });
    words <= FOLLOW_UP_MAX_WORDS && refers
}

/// The retrieval query: the message, with the previous visitor turn before it when the
/// message is a follow-up.
pub fn follow_up_query(message: &str, previous_visitor_turn: Option<&str>) -> String {
    match previous_visitor_turn {
        Some(prev) if is_follow_up(message) => format!("{} {}", prev.trim(), message.trim()),
        _ => message.to_string(),
    }
}

pub const EXCERPT_MAX_CHARS: usize = 500;

/// The paragraph of `body` that covers most of the message's words (the first one on a
/// tie), cut to a readable length at a sentence end where possible.
pub fn excerpt(message: &str, body: &str) -> String {
    let whole = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if whole.chars().count() <= EXCERPT_MAX_CHARS {
        return whole;
    }
    let words: Vec<String> = content_words(message).iter().map(|w| stem(w)).collect();
    let paragraphs: Vec<&str> = body
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let mut best = paragraphs.first().copied().unwrap_or("");
    let mut best_score = 0usize;
    for p in &paragraphs {
        let stems = stems_of(p);
        let score = words.iter().filter(|w| stems.contains(*w)).count();
        if score > best_score {
            best = p;
            best_score = score;
        }
    }
    let text = best.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= EXCERPT_MAX_CHARS {
        return text;
    }
    // Whole sentences up to the limit.
    let mut out = String::new();
    for sentence in text.split_inclusive(['.', '!', '?']) {
        if out.chars().count() + sentence.chars().count() > EXCERPT_MAX_CHARS {
            break;
        }
        out.push_str(sentence);
    }
    if out.trim().is_empty() {
        truncate_chars(&text, EXCERPT_MAX_CHARS)
    } else {
        out.trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPING: (&str, &str) = (
        "Shipping times and costs",
        "Standard shipping within Germany and Austria takes 3-5 business days and costs 4.90 EUR.\n\nExpress shipping arrives in 1-2 business days for 9.90 EUR. Orders over 50 EUR ship free.",
    );
    const DISCOUNTS: (&str, &str) = (
        "Using discount codes",
        "Enter your promo code at checkout in the field \"Discount code\". One code per order.",
    );

    #[test]
    fn follow_ups_carry_the_previous_question() {
        let prev = Some("How long does standard shipping take?");
        assert_eq!(
            follow_up_query("and overnight?", prev),
            "How long does standard shipping take? and overnight?"
        );
        assert_eq!(
            follow_up_query("What about the cheaper one?", prev),
            "How long does standard shipping take? What about the cheaper one?"
        );
        assert_eq!(
            follow_up_query("how much is it?", prev),
            "How long does standard shipping take? how much is it?"
        );
        // A new question stands alone, and so does the first message.
        assert_eq!(
            follow_up_query("Do you accept PayPal?", prev),
            "Do you accept PayPal?"
        );
        assert_eq!(follow_up_query("and overnight?", None), "and overnight?");
        assert!(!is_follow_up("Can I return sale items?"));
    }

    #[test]
    fn stems_meet() {
        assert_eq!(stem("shipping"), "ship");
        assert_eq!(stem("ships"), "ship");
        assert_eq!(stem("shipped"), "ship");
        assert_eq!(stem("codes"), "code");
        assert_eq!(stem("returns"), "return");
        assert_eq!(stem("business"), "business");
        assert_eq!(stem("deliver"), "ship");
        assert_eq!(stem("delivery"), "ship");
    }

    #[test]
    fn content_words_drop_scaffolding() {
        assert_eq!(
            content_words("How long does shipping take?"),
            vec!["shipping"]
        );
        assert_eq!(query_words("What's the size-guide?"), vec!["sizeguide"]);
        assert!(
            content_words("Hi, can you help me please?")
                .iter()
                .all(|w| w == "help")
        );
    }

    #[test]
    fn answers_from_the_covering_article_and_quotes_the_right_paragraph() {
        let a = best_answer(
            "How much does express shipping cost?",
            [SHIPPING, DISCOUNTS],
        )
        .unwrap();
        assert_eq!(a.title, "Shipping times and costs");
        assert!(
            a.excerpt
                .contains("Express shipping arrives in 1-2 business days"),
            "{}",
            a.excerpt
        );
        let a = best_answer("How do I use a discount code?", [SHIPPING, DISCOUNTS]).unwrap();
        assert_eq!(a.title, "Using discount codes");
    }

    #[test]
    fn loosely_related_articles_do_not_answer() {
        assert_eq!(
            best_answer("Do you have a student discount?", [SHIPPING, DISCOUNTS]),
            None
        );
        assert_eq!(
            best_answer("Are your products vegan?", [SHIPPING, DISCOUNTS]),
            None
        );
        assert_eq!(best_answer("hello", [SHIPPING, DISCOUNTS]), None);
    }

    #[test]
    fn the_paragraph_that_answers_is_quoted_from_long_articles() {
        let body = format!(
            "{}\n\nGift wrapping costs 3 EUR per item and can be chosen at checkout.\n\n{}",
            "Our shop sells books and more. ".repeat(12),
            "We love reading. ".repeat(20)
        );
        assert_eq!(
            excerpt("How much is gift wrapping?", &body),
            "Gift wrapping costs 3 EUR per item and can be chosen at checkout."
        );
    }

    #[test]
    fn long_paragraphs_are_cut_at_a_sentence() {
        let body = "First sentence about shipping. ".repeat(40);
        let e = excerpt("shipping", &body);
        assert!(e.chars().count() <= EXCERPT_MAX_CHARS);
        assert!(e.ends_with('.'));
    }
}
