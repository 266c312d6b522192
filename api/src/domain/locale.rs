//! The languages the widget and the builtin engine's fixed replies speak, and how the
//! language of a reply is chosen.
//!
//! Detected languages are ISO 639-1 codes of any language the detector knows (`it`,
//! `ja`, …); the widget's own text and the builtin replies exist in six (`Lang`). A reply
//! is in the visitor's message's language when it is one of the six; a message too short
//! to tell ("ja", an email address) keeps the conversation's language; otherwise the
//! visitor's browser language, then the workspace's default.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A language of the widget and of the builtin engine's fixed replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    De,
    Fr,
    Es,
    Pt,
    Nl,
}

impl Lang {
    pub const ALL: [Lang; 6] = [Lang::En, Lang::De, Lang::Fr, Lang::Es, Lang::Pt, Lang::Nl];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Fr => "fr",
            Lang::Es => "es",
            Lang::Pt => "pt",
            Lang::Nl => "nl",
        }
    }

    /// The language of a BCP 47 tag or ISO 639-1 code (`de`, `pt-BR`, `NL`), when it is
    /// one of the six.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// Index into a per-language table (`replies`).
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// The widget's language: the visitor's browser language when the widget speaks it,
/// else the workspace's default.
pub fn widget_language(browser_locale: Option<&str>, workspace_default: Lang) -> Lang {
    browser_locale
        .and_then(Lang::from_tag)
        .unwrap_or(workspace_default)
}

/// The language of the assistant's reply to a message (see the module's note).
/// `detected` is the message's language, `conversation` the conversation's so far.
pub fn reply_language(
    detected: Option<&str>,
    conversation: Option<&str>,
    browser_locale: Option<&str>,
    workspace_default: Lang,
) -> Lang {
    match detected {
        // A language the engine doesn't speak: English, the language of the knowledge
        // base it searched (the offer says the team can help in theirs).
        Some(code) => Lang::from_tag(code).unwrap_or(Lang::En),
        None => conversation
            .and_then(Lang::from_tag)
            .unwrap_or_else(|| widget_language(browser_locale, workspace_default)),
    }
}

/// The ISO 639-1 code (BCP 47 primary subtag) of a language `whatlang` detects.
pub fn code_of(lang: whatlang::Lang) -> &'static str {
    use whatlang::Lang as W;
    match lang {
        W::Epo => "eo",
        W::Eng => "en",
        W::Rus => "ru",
        W::Cmn => "zh",
        W::Spa => "es",
        W::Por => "pt",
        W::Ita => "it",
        W::Ben => "bn",
        W::Fra => "fr",
        W::Deu => "de",
        W::Ukr => "uk",
        W::Kat => "ka",
        W::Ara => "ar",
        W::Hin => "hi",
        W::Jpn => "ja",
        W::Heb => "he",
        W::Yid => "yi",
        W::Pol => "pl",
        W::Amh => "am",
        W::Jav => "jv",
        W::Kor => "ko",
        W::Nob => "nb",
        W::Dan => "da",
        W::Swe => "sv",
        W::Fin => "fi",
        W::Tur => "tr",
        W::Nld => "nl",
        W::Hun => "hu",
        W::Ces => "cs",
        W::Ell => "el",
        W::Bul => "bg",
        W::Bel => "be",
        W::Mar => "mr",
        W::Kan => "kn",
        W::Ron => "ro",
        W::Slv => "sl",
        W::Hrv => "hr",
        W::Srp => "sr",
        W::Mkd => "mk",
        W::Lit => "lt",
        W::Lav => "lv",
        W::Est => "et",
        W::Tam => "ta",
        W::Vie => "vi",
        W::Urd => "ur",
        W::Tha => "th",
        W::Guj => "gu",
        W::Uzb => "uz",
        W::Pan => "pa",
        W::Aze => "az",
        W::Ind => "id",
        W::Tel => "te",
        W::Pes => "fa",
        W::Mal => "ml",
        W::Ori => "or",
        W::Mya => "my",
        W::Nep => "ne",
        W::Sin => "si",
        W::Khm => "km",
        W::Tuk => "tk",
        W::Aka => "ak",
        W::Zul => "zu",
        W::Sna => "sn",
        W::Afr => "af",
        W::Lat => "la",
        W::Slk => "sk",
        W::Cat => "ca",
        W::Tgl => "tl",
        W::Hye => "hy",
    }
}

/// The English name of a language code (`de` → "German"), for prompts and summaries.
pub fn english_name(code: &str) -> Option<&'static str> {
    whatlang::Lang::all()
        .iter()
        .find(|l| code_of(**l) == code)
        .map(|l| l.eng_name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_match_on_their_primary_subtag() {
        assert_eq!(Lang::from_tag("pt-BR"), Some(Lang::Pt));
        assert_eq!(Lang::from_tag("NL"), Some(Lang::Nl));
        assert_eq!(Lang::from_tag("de_AT"), Some(Lang::De));
        assert_eq!(Lang::from_tag("it-IT"), None);
        assert_eq!(Lang::from_tag(""), None);
    }

    #[test]
    fn a_reply_follows_the_message_then_the_conversation_then_the_browser() {
        let de = Some("de");
        assert_eq!(reply_language(de, None, Some("en-US"), Lang::En), Lang::De);
        // Too short to tell: the conversation's language stays.
        assert_eq!(reply_language(None, de, Some("en-US"), Lang::En), Lang::De);
        assert_eq!(
            reply_language(None, None, Some("pt-BR"), Lang::En),
            Lang::Pt
        );
        assert_eq!(reply_language(None, None, Some("ja"), Lang::Fr), Lang::Fr);
        // A language the engine doesn't speak: English.
        assert_eq!(
            reply_language(Some("it"), de, Some("de"), Lang::De),
            Lang::En
        );
    }

    #[test]
    fn every_detected_language_has_a_distinct_code_and_a_name() {
        let codes: std::collections::HashSet<_> =
            whatlang::Lang::all().iter().map(|l| code_of(*l)).collect();
        assert_eq!(codes.len(), whatlang::Lang::all().len());
        assert_eq!(english_name("de"), Some("German"));
        assert_eq!(english_name("pt"), Some("Portuguese"));
        assert_eq!(english_name("xx"), None);
    }
}
