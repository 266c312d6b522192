//! The builtin engine's intent classifier: small talk, the handoff cases (docs/assistant.md,
//! "The ticket flow": cannot perform an action, needs human judgment, asks for a human) and plain
//! questions. Pure and deterministic, so the ticket flow and the labelled evaluation
//! set (tests/data/assistant-labelled.jsonl) can rely on it.
//!
//! Handoff intent wins over a loosely matching article: "I want a refund" is a refund
//! request, not a question for the return-policy article. Policy questions ("what is your
//! refund policy?", "how long do refunds take?") stay questions, and self-service how-tos
//! ("how do I reset my password?") go to the knowledge base first, with the handoff
//! category kept as a hint in case no article answers.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::domain::enums::TicketCategory;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Greeting,
    Thanks,
    Goodbye,
    /// "yes", "sure", "please do"
    Affirm,
    /// "no thanks", "not now"
    Decline,
    AskForHuman,
    /// "that didn't help", "not what I asked"
    NotHelpful,
    CannotPerformAction,
    NeedsHumanJudgment,
    /// Written in a language the engine cannot understand: the team can.
    ForeignLanguage,
    /// Only files, no words: the assistant can't look at them, the team can.
    SentFile,
    Question,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    pub intent: Intent,
    /// For handoff intents, the ticket category; for a `Question`, the category a ticket
    /// would get if no article answers it (a self-service how-to keeps its action's
    /// category, anything else is `Other`).
    pub category: TicketCategory,
    /// What the visitor wants, in words for the reply: for `CannotPerformAction` a verb
    /// phrase ("issue refunds"), for `NeedsHumanJudgment` a noun phrase ("a billing
    /// problem like this").
    pub topic: Option<&'static str>,
}

impl Classification {
    /// The visitor needs the team: offer a ticket whatever the knowledge base says.
    pub fn is_handoff(&self) -> bool {
        matches!(
            self.intent,
            Intent::AskForHuman
                | Intent::NotHelpful
                | Intent::CannotPerformAction
                | Intent::NeedsHumanJudgment
                | Intent::ForeignLanguage
                | Intent::SentFile
        )
    }
}

struct Rule {
    re: Regex,
    intent: Intent,
    topic: &'static str,
    /// Policy questions ("what's your refund policy") turn this rule off.
    policy_overrides: bool,
    /// Self-service how-tos ("how do I change my password") turn this rule off.
    howto_overrides: bool,
}

fn re(pattern: &str) -> Regex {
    #[allow(clippy::expect_used)]
    Regex::new(pattern).expect("intent regex")
}

fn rule(pattern: &str, intent: Intent, topic: &'static str, policy: bool, howto: bool) -> Rule {
    Rule {
        re: re(pattern),
        intent,
        topic,
        policy_overrides: policy,
        howto_overrides: howto,
    }
}

use Intent::{AskForHuman, CannotPerformAction as Act, NeedsHumanJudgment as Judge, NotHelpful};

/// Every rule's topic (`domain::replies` says each in every language).
pub const TOPICS: &[&str] = &[
    "a billing problem like this",
    "a special request like this",
    "a problem with a delivery like this",
    "a technical problem like this",
    "this",
    "issue refunds",
    "cancel orders or subscriptions",
    "delete accounts or personal data",
    "unlock or reset accounts",
    "change orders that were already placed",
    "look up individual orders or accounts",
    "send invoices or receipts",
    "change subscriptions",
    "change account details",
    "talk to our team",
    "more help",
];

/// Ordered: the first matching rule decides. Judgment before action (a damaged parcel
/// with a refund request is a judgment case), action before "ask for a human".
static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        // --- needs human judgment -------------------------------------------------------
        rule(
            r"\b(?:charged|billed|debited|paid)\s+(?:me\s+)?(?:twice|two\s+times|double|2x|three\s+times|more\s+than\s+once|again)|\bdouble[-\s]?(?:charged|charge|billed|billing|payment)|\bover[-\s]?charged|\bwrong\s+amount|\bcharged\s+(?:the\s+)?wrong|\b(?:unauthori[sz]ed|unknown|unrecogni[sz]ed|strange|weird|fraudulent|unexpected|duplicate)\s+(?:charge|payment|transaction|debit)|\b(?:don'?t|do\s+not|didn'?t)\s+recogni[sz]e|\bdispute|\bchargeback|\bfraud|\bscam|\bstill\s+(?:being\s+)?charged|\bcharged\s+(?:after|even\s+though|but)",
            Judge,
            "a billing problem like this",
            false,
            false,
        ),
        rule(
            r"\b(?:make\s+an\s+exception|an\s+exception|special\s+(?:request|arrangement|case|deal|price)|bulk\s+(?:order|discount|pricing|purchase)|wholesale|custom\s+(?:order|quote|engraving|made)|(?:a|get\s+a)\s+quote\s+for|negotiate|price\s+match|extend\s+(?:the|my)\s+(?:return|deadline|trial|warranty)|after\s+the\s+deadline|after\s+(?:the\s+)?\d+\s+days|(?:it'?s|it\s+has)\s+been\s+(?:\d+|two|three|four|five|six)\s+(?:days|weeks|months)|can\s+i\s+still\s+(?:return|send|exchange|get)|(?:\d{2,}|hundreds?|thousands?)\s+units)\b",
            Judge,
            "a special request like this",
            false,
            false,
        ),
        rule(
            r"\b(?:damaged|defective|faulty|broken|smashed|cracked|wrong\s+(?:item|size|product|colou?r|order|parcel|package)|missing\s+(?:item|part|pieces?|from\s+my)|not\s+what\s+i\s+ordered|items?\s+(?:is|are)\s+missing|(?:never|hasn'?t|has\s+not|haven'?t|have\s+not|didn'?t|did\s+not)\s+(?:arrived?|received?|got(?:ten)?|come|came|been\s+delivered)|(?:lost|stolen)\s+(?:in\s+the\s+post|parcel|package|order)|(?:marked|says|shows|showing|saying)\s+(?:as\s+|it\s+was\s+|it'?s\s+)?delivered|(?:got|received)\s+nothing)\b",
            Judge,
            "a problem with a delivery like this",
            false,
            false,
        ),
        rule(
            r"\b(?:not\s+working|doesn'?t\s+work|does\s+not\s+work|isn'?t\s+working|is\s+not\s+working|won'?t\s+(?:load|work|open|let\s+me|accept|go\s+through|start|connect|sync)|stopped\s+(?:working|charging|turning\s+on|connecting|responding)|no\s+(?:sound|power|picture|signal)\s+(?:anymore|at\s+all|any\s+more)|(?:won'?t|doesn'?t|does\s+not|will\s+not)\s+(?:turn|switch|charge|power)\s*(?:on)?|can'?t\s+(?:log\s*in|sign\s+in|login|access|check\s*out|pay|complete|finish|place|download|open|connect)|cannot\s+(?:log\s*in|sign\s+in|login|access|check\s*out|pay|complete|finish|place|download|open|connect)|unable\s+to|errors?|error\s+(?:message|code)|crash\w*|bugs?|buggy|glitch\w*|fail(?:s|ed|ing|ure)?|stuck|freez\w*|frozen|blank\s+(?:page|screen)|something\s+went\s+wrong|never\s+(?:arrives|comes)|(?:is|are)\s+down|keeps?\s+(?:logging|signing|crashing|failing|saying|showing))\b",
            Judge,
            "a technical problem like this",
            true,
            false,
        ),
        rule(
            r"\b(?:complain\w*|complaint|unacceptable|terrible|awful|horrible|worst|disgusting|ridiculous|angry|furious|disappointed|fed\s+up|rude|outrageous|lawyer|legal\s+action|sue\s+you|report\s+you|waiting\s+(?:for\s+)?(?:a|over\s+a|more\s+than\s+a)\s+(?:month|week))\b",
            Judge,
            "this",
            false,
            false,
        ),
        // --- cannot perform an action ----------------------------------------------------
        rule(
            r"\b(?:refund\w*|money\s+back|reimburs\w*|my\s+money|pay\s+me\s+back|no\s+money\s+yet|(?:haven'?t|have\s+not|didn'?t|did\s+not)\s+(?:got|gotten|get|received?)\s+(?:any\s+)?(?:money|payment)\s+back)\b",
            Act,
            "issue refunds",
            true,
            false,
        ),
        rule(
            r"\b(?:cancel\w*|terminat\w*\s+(?:my|the|our)|(?:end|stop)\s+(?:my|the|our)\s+(?:subscription|membership|contract|plan|order|payments?|renewal)|unsubscribe\s+me)\b",
            Act,
            "cancel orders or subscriptions",
            true,
            false,
        ),
        rule(
            r"\b(?:delete|remove|close|erase|deactivate|terminate)\s+(?:my|our|the|this)?\s*(?:whole\s+|entire\s+)?(?:account|profile|personal\s+data|data|information|details)\b|\bgdpr\b|\bright\s+to\s+be\s+forgotten\b",
            Act,
            "delete accounts or personal data",
            true,
            false,
        ),
        rule(
            r"\b(?:unlock|unblock|reactivate|restore)\b|\b(?:account|i\s+am|i'm|i've\s+been|i\s+was|i\s+got|got)\s+(?:is\s+|was\s+|been\s+)?(?:locked|blocked|suspended|disabled|banned|hacked)|\blocked\s+out\b|\b(?:reset|change)\s+my\s+password\s+for\s+me\b|\bcan\s+you\s+reset\b",
            Act,
            "unlock or reset accounts",
            true,
            false,
        ),
        rule(
            r"\b(?:change|update|edit|modify|correct|fix|amend)\b.{0,30}\b(?:shipping|delivery|billing)?\s*address\b.{0,20}\b(?:order|package|parcel|shipment|delivery)\b|\b(?:change|update|edit|modify|correct|fix|amend)\s+(?:the\s+)?(?:address|delivery\s+address|shipping\s+address)\s+(?:on|of|for)\s+(?:my|the|an?)\s+order\b|\b(?:add|remove|change|swap)\s+(?:an?\s+|the\s+)?(?:item|product|size|colou?r)\s+(?:to|from|in|on)\s+my\s+order\b",
            Act,
            "change orders that were already placed",
            true,
            false,
        ),
        rule(
            r"\b(?:where(?:'s|\s+is)\s+my\s+(?:order|package|parcel|delivery|shipment|item|stuff|refund|money)|order\s*(?:#|no\.?|nr\.?|number)?\s*:?\s*#?\d{4,}|#\d{4,}|my\s+(?:order|package|parcel|delivery|shipment)\s+(?:is\s+)?(?:still|late|delayed|hasn'?t|has\s+not|didn'?t|did\s+not|never|not\s+(?:yet|here|arrived))|hasn'?t\s+(?:shipped|arrived|been\s+shipped)|has\s+not\s+(?:shipped|arrived))\b",
            Act,
            "look up individual orders or accounts",
            false,
            false,
        ),
        // "check my order for me" is a request; "where can I check my order status?" is a
        // how-to the knowledge base may answer (the category stays as the hint).
        rule(
            r"\b(?:status\s+of\s+(?:my|the|order|an?)\b|(?:check|look\s+up|find|look\s+into|lookup)\s+(?:on\s+)?my\s+(?:order|orders|account|invoice|payment|subscription|booking))\b",
            Act,
            "look up individual orders or accounts",
            false,
            true,
        ),
        rule(
            r"\b(?:invoice|receipt|vat\s+(?:invoice|number)|bill\s+for\s+my)\w*\b",
            Act,
            "send invoices or receipts",
            true,
            true,
        ),
        rule(
            r"\b(?:upgrade|downgrade|switch|change|pause|renew|extend)\b.{0,25}\b(?:plan|subscription|membership|tier|billing\s+cycle)\b",
            Act,
            "change subscriptions",
            true,
            true,
        ),
        rule(
            r"\b(?:change|update|edit|correct|fix|modify)\s+(?:my|the|our)\s+(?:account\s+)?(?:e-?mail(?:\s+address)?|name|user\s?name|phone(?:\s+number)?|password|billing\s+(?:details|info|address)|payment\s+(?:method|details|card)|card(?:\s+details)?|(?:delivery\s+|shipping\s+)?address|account(?:\s+details)?|date\s+of\s+birth)\b|\b(?:update|change)\b.{0,20}\bon\s+my\s+account\b",
            Act,
            "change account details",
            true,
            true,
        ),
        // --- a person, please -------------------------------------------------------------
        rule(
            r"\b(?:talk|speak|chat|connect|transfer|put\s+me\s+through|get\s+me|reach|contact|need|want|like)\b.{0,25}\b(?:human|real\s+person|a\s+person|people|agent|representative|rep|operator|someone|somebody|staff|employee|manager|supervisor|support\s+team|customer\s+service|your\s+team|the\s+team|support)\b|^(?:a\s+)?(?:human|agent|operator|representative|real\s+person|person|manager|support)(?:\s+please)?\s*$|\b(?:someone|somebody|a\s+person|a\s+human|an\s+agent|anyone)\b.{0,30}\b(?:talk|speak|chat)\b|\b(?:are\s+you\s+a\s+(?:bot|robot|real)|not\s+a\s+bot|call\s+me\s+back|callback|escalate)\b",
            AskForHuman,
            "talk to our team",
            false,
            false,
        ),
        rule(
            r"\b(?:(?:didn'?t|did\s+not|doesn'?t|does\s+not|don'?t|not)\s+(?:help|answer|solve)\w*|not\s+(?:helpful|useful)|(?:not|isn'?t)\s+what\s+i\s+(?:asked|meant|need|was\s+looking\s+for|wanted)|that'?s\s+not\s+(?:it|right|what)|still\s+(?:need\s+help|have\s+(?:a|the)\s+(?:problem|question|issue))|useless|wrong\s+answer)\b",
            NotHelpful,
            "more help",
            false,
            false,
        ),
    ]
});

/// Questions about rules in general, not a request: "what's your refund policy?".
static POLICY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:polic(?:y|ies)|how\s+long|how\s+many\s+days|how\s+much\s+time|how\s+soon|how\s+(?:do|does)\s+(?:refunds|returns|cancellations|exchanges|the\s+\w+)\s+work|do\s+you\s+(?:offer|give|do|accept|allow|provide|have)|are\s+(?:refunds|returns|cancellations)|is\s+it\s+possible|what\s+happens\s+(?:if|when)|what\s+if|in\s+general|can\s+i\s+return|terms|conditions|within\s+how\s+many|when\s+(?:do|will|would|should)\s+(?:i|we|you)\s+(?:get|receive|see)\b.{0,30}\b(?:after|once|when)|when\s+(?:do|will|would|should)\s+(?:i|we|you)\s+(?:get|receive|see)\s+(?:my|the|your|a)?\s*(?:money|refund)\s*$|^(?:is|are|does|do)\s+(?:the|a|my)\s+(?:refunds?|reimbursements?)\s+(?:paid|sent|made|issued|go|come|credited))\b",
    )
});
/// Self-service how-tos: "how do I …", "where can I find …".
static HOWTO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:\w+[,!.]?\s+)?(?:how\s+(?:do|can|could|would|should)\s+(?:i|we|you)|how\s+to|where\s+(?:can|do)\s+i|is\s+there\s+a\s+way\s+to|what\s+(?:do|should)\s+i\s+do\s+to)\b",
    )
});
/// Requests within a how-to: "how can I get my money back" stays a request.
static PERSONAL_REQUEST: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:can\s+you|could\s+you|would\s+you|please|i\s+want|i'd\s+like|i\s+would\s+like|i\s+need)\b",
    )
});

static GREETING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:hi+|hello+|hey+|hiya|howdy|yo|greetings|good\s+(?:morning|afternoon|evening|day)|hallo|hola|bonjour|moin|servus|hej|hei|guten\s+(?:tag|morgen|abend)|salut|bonsoir|buenos\s+d[ií]as|buenas(?:\s+(?:tardes|noches))?|ol[aá]|oi|bom\s+dia|boa\s+(?:tarde|noite)|hoi|goedendag|goedemorgen|goedemiddag|goedenavond)(?:\s+(?:there|team|all|everyone|guys|folks|again|friend|zusammen|à\s+tous|a\s+todos|pessoal|allemaal))?$",
    )
});
static THANKS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:(?:ok|okay|great|perfect|awesome|cool|nice|super|brilliant|wonderful|alright|excellent|fantastic|lovely)\s+)*(?:thanks|thank\s+you|thank\s+u|thx|thnx|ty|cheers|many\s+thanks|danke(?:\s+sch[öo]n)?|vielen\s+dank|merci(?:\s+beaucoup)?|(?:muchas\s+)?gracias|(?:muito\s+)?obrigad[oa]|valeu|bedankt|dank\s+(?:je|u)(?:\s+wel)?|much\s+appreciated|appreciate\s+it|(?:that|this)\s+(?:helps|helped|was\s+helpful)|got\s+it|perfect|great|awesome|cool|nice|understood|makes\s+sense|brilliant|excellent)(?:\s+(?:a\s+lot|so\s+much|very\s+much|again|a\s+bunch|for\s+(?:the|your)\s+help|for\s+helping|that\s+helps|that\s+helped|that\s+was\s+helpful|you're\s+the\s+best|mate|buddy))*$",
    )
});
static GOODBYE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:(?:ok|okay|great|cool|thanks|thank\s+you|perfect|alright)\s+)*(?:bye|goodbye|good\s+bye|bye\s+bye|tsch[üu]ss?|auf\s+wiedersehen|au\s+revoir|adi[oó]s|hasta\s+luego|tchau|at[ée]\s+logo|doei|tot\s+ziens|see\s+you|see\s+ya|cya|later|have\s+a\s+(?:nice|good|great)\s+(?:day|one|evening|weekend)|that'?s\s+all|that\s+is\s+all|nothing\s+else|i'?m\s+done|all\s+good|that'?s\s+it)(?:\s+(?:for\s+now|thanks|thank\s+you|bye))*$",
    )
});
static DECLINE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:no|nope|nah|nein|nee|non|n[ãa]o|nein\s+danke|non\s+merci|no\s+gracias|n[ãa]o\s+obrigad[oa]|nee\s+bedankt|nee\s+dank\s+je|nicht\s+n[öo]tig|pas\s+besoin|no\s+hace\s+falta|n[ãa]o\s+precisa|hoeft\s+niet|no\s+thanks|no\s+thank\s+you|not\s+now|not\s+right\s+now|not\s+yet|no\s+need|i'?m\s+(?:good|fine|ok|okay)|never\s*mind|maybe\s+later|later|don'?t|do\s+not|not\s+interested|i'?ll\s+pass|skip|no\s+ticket|cancel\s+that|forget\s+it)(?:\s+(?:thanks|thank\s+you|i'?m\s+good|i'?m\s+fine|that'?s\s+ok(?:ay)?|it'?s\s+fine|i'?ll\s+(?:wait|manage|figure\s+it\s+out|try\s+again(?:\s+later)?|check\s+myself)|for\s+now|please))*$",
    )
});
static AFFIRM: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:yes|yeah|yep|yup|ya|sure|ok|okay|k|please|ja|jawohl|gerne?|klar|bitte|oui|ouais|s[ií]|claro|vale|sim|pode|graag|jazeker|zeker|ja\s+(?:bitte|gerne?|graag)|oui\s+(?:merci|s'il\s+vous\s+pla[iî]t|svp)|s[ií]\s+por\s+favor|sim\s+por\s+favor|d'accord|volontiers|por\s+favor|yes\s+please|please\s+do|go\s+ahead|do\s+it|sounds\s+good|that\s+would\s+be\s+(?:great|nice|good|helpful)|absolutely|of\s+course|definitely|alright|fine|y|correct|right|that'?s\s+right|open\s+(?:a|the)\s+ticket|create\s+(?:a|the)\s+ticket)(?:\s+(?:please|thanks|thank\s+you|go\s+ahead|do\s+it|sure|that\s+would\s+be\s+great|bitte|danke|gerne?|merci|s'il\s+vous\s+pla[iî]t|svp|gracias|por\s+favor|obrigad[oa]|graag|bedankt|alsjeblieft|alstublieft))*$",
    )
});

/// Lower-case, straight apostrophes, punctuation and emoji reduced to spaces (keeping
/// the characters that matter inside words: ' # . @ -), whitespace collapsed.
pub fn normalise(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '\u{2019}' | '\u{2018}' | '`' => '\'',
            c => c,
        };
        if c.is_alphanumeric() || matches!(c, '\'' | '#' | '@' | '-' | '.') {
            s.extend(c.to_lowercase());
        } else {
            s.push(' ');
        }
    }
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    // Trailing dots of sentence ends are not part of words.
    s.split(' ')
        .map(|w| w.trim_matches('.').trim_end_matches('-'))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A self-service how-to ("where do I enter a voucher code?", "how can I track my
/// parcel?"), not a request for the team to do it ("can you …", "I need …").
pub fn is_self_service_howto(text: &str) -> bool {
    let t = normalise(text);
    HOWTO.is_match(&t) && !PERSONAL_REQUEST.is_match(&t)
}

pub fn classify(text: &str) -> Classification {
    let t = normalise(text);
    if t.is_empty() {
        return Classification {
            intent: Intent::Question,
            category: TicketCategory::Other,
            topic: None,
        };
    }

    let policy = POLICY.is_match(&t);
    let howto = HOWTO.is_match(&t) && !PERSONAL_REQUEST.is_match(&t);
    let mut hint: Option<&Rule> = None;
    for r in RULES.iter() {
        if !r.re.is_match(&t) {
            continue;
        }
        let overridden = (policy && r.policy_overrides) || (howto && r.howto_overrides);
        if overridden {
            hint.get_or_insert(r);
            continue;
        }
        let category = match r.intent {
            Intent::CannotPerformAction => TicketCategory::CannotPerformAction,
            Intent::NeedsHumanJudgment => TicketCategory::NeedsHumanJudgment,
            _ => TicketCategory::Other,
        };
        return Classification {
            intent: r.intent,
            category,
            topic: Some(r.topic),
        };
    }

    for (re, intent) in [
        (&*GREETING, Intent::Greeting),
        (&*THANKS, Intent::Thanks),
        (&*GOODBYE, Intent::Goodbye),
        (&*DECLINE, Intent::Decline),
        (&*AFFIRM, Intent::Affirm),
    ] {
        if re.is_match(&t) {
            return Classification {
                intent,
                category: TicketCategory::Other,
                topic: None,
            };
        }
    }
    // "Hi! Thanks so much", "hello, bye": a greeting followed by other small talk.
    let words: Vec<&str> = t.split(' ').collect();
    if words.len() <= 8 {
        for i in 1..words.len() {
            let (head, tail) = (words[..i].join(" "), words[i..].join(" "));
            if !GREETING.is_match(&head) {
                continue;
            }
            for (re, intent) in [
                (&*THANKS, Intent::Thanks),
                (&*GOODBYE, Intent::Goodbye),
                (&*GREETING, Intent::Greeting),
            ] {
                if re.is_match(&tail) {
                    return Classification {
                        intent,
                        category: TicketCategory::Other,
                        topic: None,
                    };
                }
            }
        }
    }

    let (category, topic) = match hint {
        Some(r) if r.intent == Intent::CannotPerformAction => {
            (TicketCategory::CannotPerformAction, Some(r.topic))
        }
        Some(r) if r.intent == Intent::NeedsHumanJudgment => {
            (TicketCategory::NeedsHumanJudgment, Some(r.topic))
        }
        _ => (TicketCategory::Other, None),
    };
    Classification {
        intent: Intent::Question,
        category,
        topic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_topic_is_listed() {
        for r in RULES.iter() {
            assert!(TOPICS.contains(&r.topic), "{}", r.topic);
        }
    }

    fn intent(text: &str) -> Intent {
        classify(text).intent
    }

    #[test]
    fn normalises_text() {
        assert_eq!(
            normalise("  Hi!!  I’d like a REFUND, please… "),
            "hi i'd like a refund please"
        );
        assert_eq!(normalise("order #12345."), "order #12345");
        assert_eq!(normalise("👍"), "");
    }

    #[test]
    fn small_talk() {
        for t in ["Hi", "hello there!", "Good morning :)", "hey team", "Hiii"] {
            assert_eq!(intent(t), Intent::Greeting, "{t}");
        }
        for t in [
            "Thanks!",
            "thank you so much, that helped",
            "great, thx",
            "ok thanks",
            "cheers mate",
            "perfect",
        ] {
            assert_eq!(intent(t), Intent::Thanks, "{t}");
        }
        for t in [
            "Bye",
            "that's all, thanks",
            "Cool, that's all",
            "have a nice day",
        ] {
            assert_eq!(intent(t), Intent::Goodbye, "{t}");
        }
        for t in [
            "no thanks",
            "No, thank you.",
            "not now",
            "nope",
            "never mind",
            "no thanks, I'll figure it out",
        ] {
            assert_eq!(intent(t), Intent::Decline, "{t}");
        }
        for t in ["yes", "Yes please!", "sure", "ok", "go ahead", "please do"] {
            assert_eq!(intent(t), Intent::Affirm, "{t}");
        }
        assert_eq!(intent("Hi! Thanks so much"), Intent::Thanks);
    }

    #[test]
    fn small_talk_in_the_widget_languages() {
        for (t, want) in [
            ("Guten Tag", Intent::Greeting),
            ("Olá!", Intent::Greeting),
            ("Buenos días", Intent::Greeting),
            ("Danke schön!", Intent::Thanks),
            ("Muito obrigada", Intent::Thanks),
            ("merci beaucoup", Intent::Thanks),
            ("Dank je wel", Intent::Thanks),
            ("Tschüss", Intent::Goodbye),
            ("Au revoir", Intent::Goodbye),
            ("Ja, bitte", Intent::Affirm),
            ("Sim, por favor", Intent::Affirm),
            ("oui merci", Intent::Affirm),
            ("Sí", Intent::Affirm),
            ("Ja graag", Intent::Affirm),
            ("Nein danke", Intent::Decline),
            ("Não, obrigado", Intent::Decline),
            ("non merci", Intent::Decline),
            ("No, gracias", Intent::Decline),
            ("Nee, bedankt", Intent::Decline),
        ] {
            assert_eq!(intent(t), want, "{t}");
        }
    }

    #[test]
    fn actions_the_assistant_cannot_perform() {
        for t in [
            "I want a refund",
            "Please refund my order #10234",
            "I'd like my money back",
            "Hi, I want a refund for my order",
            "How do I get a refund?",
            "how can I get my money back",
            "Cancel my order please",
            "I need to cancel my subscription",
            "Can you change the shipping address on my order?",
            "Please update the email address on my account",
            "Where is my order?",
            "What's the status of order 58231?",
            "Can you send me the invoice for my last order?",
            "I want to upgrade my plan to the yearly subscription",
            "Delete my account and all my data",
            "please close my account",
            "My account is locked, can you unlock it?",
            "my order number is 12345 and it still hasn't shipped",
            "I'm locked out",
        ] {
            let c = classify(t);
            assert_eq!(c.intent, Intent::CannotPerformAction, "{t}: {c:?}");
            assert_eq!(c.category, TicketCategory::CannotPerformAction, "{t}");
            assert!(c.is_handoff());
        }
    }

    #[test]
    fn cases_that_need_human_judgment() {
        for t in [
            "I was charged twice for the same order",
            "I got double charged",
            "There's a charge on my card I don't recognise",
            "I want to dispute a charge",
            "Could you make an exception and accept my return after 40 days?",
            "The checkout page shows an error when I click pay",
            "Your app keeps crashing on my iPhone",
            "The discount code is not working",
            "I received the wrong item",
            "My package arrived damaged, how do I get a refund?",
            "I want to make a complaint about the delivery driver",
            "This is unacceptable!!",
            "Can I get a bulk discount if I order 200 units?",
            "I can't log in even after resetting my password",
            "I was overcharged for shipping",
            "My parcel never arrived",
        ] {
            let c = classify(t);
            assert_eq!(c.intent, Intent::NeedsHumanJudgment, "{t}: {c:?}");
            assert_eq!(c.category, TicketCategory::NeedsHumanJudgment);
        }
    }

    #[test]
    fn asking_for_a_person() {
        for t in [
            "Can I talk to a human?",
            "I want to speak with a real person",
            "agent please",
            "human",
            "Is there someone from your team I can talk to?",
            "connect me to customer service",
            "are you a bot?",
        ] {
            let c = classify(t);
            assert_eq!(c.intent, Intent::AskForHuman, "{t}: {c:?}");
            assert_eq!(c.category, TicketCategory::Other);
        }
        assert_eq!(intent("that didn't help"), Intent::NotHelpful);
        assert_eq!(
            intent("Thanks, but that's not what I asked"),
            Intent::NotHelpful
        );
    }

    #[test]
    fn policy_questions_and_how_tos_stay_questions() {
        for t in [
            "What's your refund policy?",
            "How long do refunds take?",
            "Do you offer refunds on sale items?",
            "What is your cancellation policy?",
            "How do I reset my password?",
            "How can I track my order?",
            "How do I change my email address?",
            "Where can I download my invoice?",
            "How long does shipping take?",
            "Do you ship to Canada?",
            "Can I return sale items?",
            "What happens if my payment fails?",
            "Are your products vegan?",
        ] {
            let c = classify(t);
            assert_eq!(c.intent, Intent::Question, "{t}: {c:?}");
            assert!(!c.is_handoff());
        }
        // The how-to keeps its action category as a hint for when no article answers.
        let c = classify("How do I change my email address?");
        assert_eq!(c.category, TicketCategory::CannotPerformAction);
        assert_eq!(
            classify("Are your products vegan?").category,
            TicketCategory::Other
        );
    }
}
