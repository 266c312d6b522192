//! The language of a visitor's message.
//!
//! Support messages are short ("Wo ist meine Bestellung?", "Mi pedido no ha llegado"),
//! where a trigram detector alone guesses wrong (whatlang: Italian, Afrikaans). So the
//! function words of the widget's languages (and Italian, the one most often mistaken for
//! Spanish or Portuguese) vote first; the detector (`whatlang`, limited to widely spoken
//! languages) decides when they don't, and only when it is confident. A message of one
//! word, or one the votes and the detector can't place, has no language: the
//! conversation's stays.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::assistant::knowledge::{PassageHit, examples};
use crate::domain::locale::code_of;

/// Words nearly every English sentence has.
const ENGLISH: &[&str] = &[
    "the", "a", "an", "to", "of", "in", "on", "for", "with", "and", "or", "is", "are", "was", "be",
    "do", "does", "did", "can", "could", "would", "will", "i", "i'm", "im", "my", "me", "you",
    "your", "u", "it", "its", "it's", "we", "our", "this", "that", "what", "how", "when", "where",
    "why", "which", "who", "please", "pls", "thanks", "thank", "thx", "hi", "hello", "hey", "bye",
    "yes", "no", "not", "ok", "okay", "there", "here", "have", "has", "get", "any", "from", "at",
    "by", "about", "want", "need", "much", "many",
];
const GERMAN: &[&str] = &[
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "und",
    "oder", "ist", "sind", "war", "ich", "mich", "mir", "mein", "meine", "meinen", "meiner", "sie",
    "ihr", "ihre", "ihnen", "wir", "uns", "unser", "es", "nicht", "kein", "keine", "mit", "für",
    "von", "zu", "zum", "zur", "auf", "bei", "wie", "was", "wo", "wann", "warum", "kann", "können",
    "möchte", "will", "bitte", "danke", "hallo", "ja", "nein", "noch", "schon", "auch", "aber",
    "wenn", "habe", "hat", "haben", "gibt", "meinem",
];
const FRENCH: &[&str] = &[
    "le", "la", "les", "l'", "un", "une", "des", "du", "de", "et", "ou", "est", "sont", "je",
    "j'ai", "me", "moi", "mon", "ma", "mes", "vous", "votre", "vos", "nous", "notre", "il", "elle",
    "on", "ne", "pas", "n'est", "c'est", "ce", "cette", "pour", "avec", "dans", "sur", "par",
    "que", "qui", "quoi", "comment", "où", "quand", "pourquoi", "peux", "pouvez", "voudrais",
    "veux", "merci", "bonjour", "oui", "non", "est-ce", "au", "aux",
];
const SPANISH: &[&str] = &[
    "el", "la", "los", "las", "un", "una", "unos", "unas", "y", "o", "es", "son", "está", "están",
    "estoy", "yo", "me", "mi", "mis", "tu", "su", "sus", "usted", "no", "sí", "de", "del", "al",
    "para", "por", "con", "en", "que", "qué", "cómo", "dónde", "cuándo", "puedo", "puede",
    "quiero", "quisiera", "necesito", "tengo", "hay", "gracias", "hola", "muy", "ha", "han",
    "todavía", "aún",
];
const PORTUGUESE: &[&str] = &[
    "o", "a", "os", "as", "um", "uma", "uns", "umas", "e", "ou", "é", "são", "está", "estou", "eu",
    "me", "meu", "minha", "meus", "minhas", "você", "vocês", "seu", "sua", "nós", "não", "sim",
    "de", "do", "da", "dos", "das", "no", "na", "nos", "nas", "para", "por", "com", "em", "que",
    "como", "onde", "quando", "porque", "posso", "pode", "quero", "preciso", "tenho", "tem",
    "obrigado", "obrigada", "olá", "oi", "ainda", "recebi",
];
const DUTCH: &[&str] = &[
    "de", "het", "een", "en", "of", "is", "zijn", "was", "ik", "mij", "me", "mijn", "je", "jij",
    "jouw", "u", "uw", "we", "wij", "ons", "onze", "niet", "geen", "met", "voor", "van", "naar",
    "op", "in", "bij", "hoe", "wat", "waar", "wanneer", "waarom", "kan", "kunnen", "wil", "zou",
    "graag", "bedankt", "hallo", "ja", "nee", "ook", "maar", "als", "heb", "heeft", "er", "te",
    "om", "dit", "dat", "nog",
];
const ITALIAN: &[&str] = &[
    "il",
    "lo",
    "la",
    "i",
    "gli",
    "le",
    "un",
    "una",
    "uno",
    "e",
    "o",
    "è",
    "sono",
    "io",
    "mi",
    "mio",
    "mia",
    "miei",
    "tu",
    "tuo",
    "lei",
    "noi",
    "non",
    "sì",
    "di",
    "del",
    "della",
    "per",
    "con",
    "in",
    "che",
    "come",
    "dove",
    "quando",
    "perché",
    "posso",
    "può",
    "vorrei",
    "voglio",
    "ho",
    "ha",
    "grazie",
    "ciao",
    "buongiorno",
    "ancora",
];

/// The languages whose function words vote, by ISO 639-1 code.
const VOTERS: &[(&str, &[&str])] = &[
    ("en", ENGLISH),
    ("de", GERMAN),
    ("fr", FRENCH),
    ("es", SPANISH),
    ("pt", PORTUGUESE),
    ("nl", DUTCH),
    ("it", ITALIAN),
];

/// The detector's confidence from which it decides alone.
const CONFIDENT: f64 = 0.5;

static DETECTOR: LazyLock<whatlang::Detector> = LazyLock::new(|| {
    use whatlang::Lang::*;
    whatlang::Detector::with_allowlist(vec![
        Eng, Deu, Fra, Spa, Por, Nld, Ita, Pol, Swe, Dan, Nob, Fin, Tur, Rus, Ukr, Ces, Ron, Hun,
        Ell, Bul, Cmn, Jpn, Kor, Ara, Heb, Hin, Vie, Tha, Ind,
    ])
});

pub(crate) fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The message's language as an ISO 639-1 code (`en`, `de`, `it`, …); `None` when it is
/// too short or too ambiguous to tell.
pub fn detect(text: &str) -> Option<&'static str> {
    // Email addresses, links and order numbers are in no language ("lena@example.de" is
    // not French).
    let text = text
        .split_whitespace()
        .filter(|t| {
            !t.contains('@')
                && !t.contains('/')
                && !t.starts_with("www.")
                && !t.chars().any(|c| c.is_ascii_digit())
        })
        .collect::<Vec<_>>()
        .join(" ");
    let text = text.as_str();
    let words = words_of(text);
    if words.len() < 2 {
        return None;
    }
    let mut votes: Vec<(&'static str, usize)> = VOTERS
        .iter()
        .map(|(code, list)| {
            let hits = words.iter().filter(|w| list.contains(&w.as_str())).count();
            (*code, hits)
        })
        .collect();
    votes.sort_by_key(|v| std::cmp::Reverse(v.1));
    let (best, hits) = votes[0];
    let runner_up = votes[1].1;
    let detected = DETECTOR.detect(text);
    let detector_says = detected.as_ref().map(|i| code_of(i.lang()));
    if hits >= 2 && hits > runner_up {
        return Some(best);
    }
    if hits >= 2 && hits == runner_up {
        // A tie between voters: the detector picks among them.
        let tied: Vec<&str> = votes
            .iter()
            .take_while(|v| v.1 == hits)
            .map(|v| v.0)
            .collect();
        return detector_says.filter(|c| tied.contains(c));
    }
    if hits == 1 && runner_up == 0 && detector_says == Some(best) {
        return Some(best);
    }
    detected
        .filter(|i| i.is_reliable() || i.confidence() >= CONFIDENT)
        .map(|i| code_of(i.lang()))
}

/// English words the engine knows without the workspace: those of the intent examples.
static EXAMPLE_WORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    examples()
        .iter()
        .flat_map(|(_, phrase)| words_of(phrase))
        .collect()
});

/// Whether at least half of the message's words are words of the passages retrieved for it
/// or of the engine's examples: a terse English message ("shipping fee germany", "retrun
/// policy") can fool the detector, a message in another language shares few ("Posso pagare
/// con PayPal?": one in four).
fn shares_known_words(text: &str, passages: &[PassageHit]) -> bool {
    let words = words_of(text);
    let known: HashSet<String> = passages
        .iter()
        .flat_map(|h| {
            words_of(&h.passage.title)
                .into_iter()
                .chain(words_of(&h.passage.body))
        })
        .collect();
    let shared = words
        .iter()
        .filter(|w| EXAMPLE_WORDS.contains(w.as_str()) || known.contains(w.as_str()))
        .count();
    shared * 2 >= words.len()
}

/// A visitor message's language, knowing the passages retrieved for it: a message the
/// detector places in another language but whose words are the knowledge base's ("shipping
/// fee germany") can't be told.
pub fn of_message(text: &str, passages: &[PassageHit]) -> Option<&'static str> {
    let code = detect(text)?;
    if code != "en" && shares_known_words(text, passages) {
        return None;
    }
    Some(code)
}

/// Whether the message is written in a language other than English (`of_message` places
/// it in one).
pub fn foreign_language_in(text: &str, passages: &[PassageHit]) -> bool {
    of_message(text, passages).is_some_and(|code| code != "en")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_support_messages_are_placed() {
        for (text, want) in [
            ("Ich möchte eine Rückerstattung für meine Bestellung", "de"),
            ("Was kostet der Versand?", "de"),
            ("Kann ich mit PayPal bezahlen?", "de"),
            ("Je voudrais un remboursement", "fr"),
            ("Où est ma commande ?", "fr"),
            ("Mi pedido no ha llegado", "es"),
            ("¿Dónde está mi pedido?", "es"),
            ("Quero um reembolso do meu pedido", "pt"),
            ("Não recebi meu pedido", "pt"),
            ("Olá, preciso falar com um atendente", "pt"),
            ("Waar is mijn pakket?", "nl"),
            ("Is het mogelijk om te ruilen?", "nl"),
            ("Vorrei un rimborso per il mio ordine", "it"),
            ("Can I pay with Klarna?", "en"),
            ("no, I don't need it", "en"),
            ("where is my order", "en"),
            (
                "Meine Bestellung 10234 ist nicht angekommen: lena@example.de",
                "de",
            ),
        ] {
            assert_eq!(detect(text), Some(want), "{text}");
        }
        for text in [
            "ja",
            "ok",
            "jane@example.com",
            "lena@example.de",
            "ana@example.com.br",
            "https://shop.example.de/de/bestellung",
            "retrun policy",
        ] {
            assert_eq!(detect(text), None, "{text}");
        }
    }

    #[test]
    fn other_languages_are_recognised_english_is_not_mistaken() {
        for t in [
            "Ich möchte meine Bestellung zurückgeben",
            "¿Dónde está mi pedido?",
            "Je voudrais parler à quelqu'un",
            "Quero um reembolso do meu pedido",
        ] {
            assert!(foreign_language_in(t, &[]), "{t}");
        }
        for t in [
            "hello",
            "wat payment methds do u acept",
            "Can I pay with Klarna?",
            "shipping costs Austria",
            "shipping fee germany",
        ] {
            assert!(!foreign_language_in(t, &[]), "{t}");
        }
    }
}
