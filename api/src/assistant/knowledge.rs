//! Semantic retrieval over the knowledge index, and the semantic intent classifier.
//!
//! - Passages of a workspace (with their vectors, one vector space: the embedder's model)
//!   are kept in an in-process cache, loaded from Postgres on first use and dropped when
//!   the event bus announces `knowledge.changed` for the workspace (every server process
//!   hears it through NOTIFY), or for every workspace when the listener reconnects.
//! - Search is hybrid: the cosine ranking over the cached passages and Postgres's
//!   full-text ranking of the same passages are fused (a weighted sum: the cosine plus a
//!   small bonus for the full-text rank); the confidence handed to the decision is the
//!   chosen passage's cosine.
//! - Intents: nearest neighbours over labelled example phrases (`intents.txt`, embedded
//!   once per process), scored per intent by the mean of its best `K` similarities.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::assistant::embed::{Embedder, cosine};
use crate::assistant::retrieval::query_words;
use crate::db::{Conn, knowledge as store};

/// Full-text candidates.
const CANDIDATES: usize = 10;
/// Neighbours per intent that score it.
const K: usize = 3;

const EXAMPLES: &str = include_str!("intents.txt");

/// What an example phrase is labelled with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    Question,
    CannotPerformAction,
    NeedsHumanJudgment,
    AskForHuman,
    Greeting,
    Thanks,
    Goodbye,
}

impl Label {
    fn parse(s: &str) -> Option<Label> {
        Some(match s {
            "question" => Label::Question,
            "cannot_perform_action" => Label::CannotPerformAction,
            "needs_human_judgment" => Label::NeedsHumanJudgment,
            "ask_for_human" => Label::AskForHuman,
            "greeting" => Label::Greeting,
            "thanks" => Label::Thanks,
            "goodbye" => Label::Goodbye,
            _ => return None,
        })
    }
}

/// The labelled example phrases, in file order (`label | phrase` lines, `#` comments).
pub fn examples() -> Vec<(Label, &'static str)> {
    EXAMPLES
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (label, phrase) = l.split_once('|')?;
            Some((Label::parse(label.trim())?, phrase.trim()))
        })
        .collect()
}

/// The classifier's view of a message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SemanticIntent {
    /// The best-scoring intent and its score.
    pub label: Label,
    pub score: f32,
    /// The score of `Question` (for the margin over it).
    pub question: f32,
}

/// One passage of the index, as cached.
#[derive(Debug, Clone)]
pub struct Passage {
    pub id: Uuid,
    pub article_id: Uuid,
    /// Its place in the article.
    pub position: i32,
    pub title: String,
    pub body: String,
    pub vector: Vec<f32>,
    /// The article's URL, if it has one.
    pub url: Option<String>,
}

/// A passage found for a query.
#[derive(Debug, Clone)]
pub struct PassageHit {
    pub passage: Arc<Passage>,
    pub cosine: f32,
    pub fused: f32,
}

/// The query's vectors: the retrieval query (with the previous turn for follow-ups) and
/// the message alone (for the intent).
pub struct QueryVectors {
    pub query: Vec<f32>,
    pub message: Vec<f32>,
}

/// A workspace's index as cached: its passages and the words they use (for the query's
/// spelling).
pub struct Indexed {
    pub passages: Vec<Arc<Passage>>,
    pub vocabulary: HashSet<String>,
}

#[derive(Default)]
struct Cache {
    passages: HashMap<Uuid, Arc<Indexed>>,
    /// Bumped per workspace on invalidation, and `epoch` for all: a load that started
    /// before an invalidation is not cached.
    generation: HashMap<Uuid, u64>,
    epoch: u64,
}

pub struct Knowledge {
    embedder: Option<Arc<dyn Embedder>>,
    cache: Mutex<Cache>,
    intents: OnceCell<Vec<(Label, Vec<f32>)>>,
}

/// Weight of the full-text rank (normalised to the best hit's) next to the cosine.
pub const LEXICAL_WEIGHT: f32 = 0.05;

/// Weighted fusion: each passage's cosine plus `LEXICAL_WEIGHT` × its full-text rank
/// relative to the best full-text hit; best first. Semantic similarity leads, shared words
/// break near-ties (an exact product name, a number).
pub fn fuse(semantic: &[(Uuid, f32)], lexical: &[(Uuid, f32)]) -> Vec<(Uuid, f32)> {
    let best_lexical = lexical.iter().map(|l| l.1).fold(0.0f32, f32::max);
    let mut scores: HashMap<Uuid, f32> = semantic.iter().copied().collect();
    if best_lexical > 0.0 {
        for (id, rank) in lexical {
            if let Some(s) = scores.get_mut(id) {
                *s += LEXICAL_WEIGHT * rank / best_lexical;
            }
        }
    }
    let mut out: Vec<(Uuid, f32)> = scores.into_iter().collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Lower-case words of a text for the spelling vocabulary.
pub fn spelling_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Chat shorthand spelled out before the query is embedded.
const SHORTHAND: &[(&str, &str)] = &[
    ("u", "you"),
    ("r", "are"),
    ("ur", "your"),
    ("pls", "please"),
    ("plz", "please"),
    ("thx", "thanks"),
    ("wat", "what"),
    ("wht", "what"),
    ("amex", "American Express"),
    ("asap", "as soon as possible"),
];

/// Optimal-string-alignment distance (edits and adjacent transpositions), at most `max`
/// (`max + 1` when it is further).
fn edit_distance(a: &[char], b: &[char], max: usize) -> usize {
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()].min(max + 1)
}

/// The visitor's message with chat shorthand spelled out and misspelt words ("shiping to
/// canda", "retrun policy") replaced by the one word of the knowledge base (or of the
/// engine's examples) they are an edit away from: the model sees "shipping to canada".
/// Words the vocabulary knows, short words and words with no single close match stay.
pub fn correct_spelling(
    text: &str,
    vocabulary: &HashSet<String>,
    known: &dyn Fn(&str) -> Option<bool>,
) -> String {
    let mut out: Vec<String> = Vec::new();
    for token in text.split_whitespace() {
        let core: &str = token.trim_matches(|c: char| !c.is_alphanumeric());
        let lower = core.to_lowercase();
        if let Some((_, long)) = SHORTHAND.iter().find(|(s, _)| *s == lower) {
            out.push(token.replacen(core, long, 1));
            continue;
        }
        let chars: Vec<char> = lower.chars().collect();
        if chars.len() < 5
            || !chars.iter().all(|c| c.is_alphabetic())
            || vocabulary.contains(&lower)
            || known(&lower) != Some(false)
        {
            out.push(token.to_string());
            continue;
        }
        let max = if chars.len() >= 8 { 2 } else { 1 };
        let mut best: Option<(usize, &str)> = None;
        let mut tied = false;
        for word in vocabulary {
            let w: Vec<char> = word.chars().collect();
            if w.len() < 4 {
                continue;
            }
            let d = edit_distance(&chars, &w, max);
            if d > max {
                continue;
            }
            match best {
                Some((bd, _)) if d > bd => {}
                Some((bd, _)) if d == bd => tied = true,
                _ => {
                    best = Some((d, word));
                    tied = false;
                }
            }
        }
        match best {
            Some((_, word)) if !tied => out.push(token.replacen(core, word, 1)),
            _ => out.push(token.to_string()),
        }
    }
    out.join(" ")
}

/// Scores every intent by the mean of its `K` nearest examples.
pub fn classify(examples: &[(Label, Vec<f32>)], v: &[f32]) -> Option<SemanticIntent> {
    let mut by_label: HashMap<Label, Vec<f32>> = HashMap::new();
    for (label, e) in examples {
        by_label.entry(*label).or_default().push(cosine(e, v));
    }
    let mut scores: Vec<(Label, f32)> = by_label
        .into_iter()
        .map(|(label, mut sims)| {
            sims.sort_by(|a, b| b.total_cmp(a));
            let top = &sims[..sims.len().min(K)];
            (label, top.iter().sum::<f32>() / top.len().max(1) as f32)
        })
        .collect();
    scores.sort_by(|a, b| b.1.total_cmp(&a.1));
    let question = scores
        .iter()
        .find(|(l, _)| *l == Label::Question)
        .map(|s| s.1)
        .unwrap_or(0.0);
    scores.first().map(|&(label, score)| SemanticIntent {
        label,
        score,
        question,
    })
}

impl Knowledge {
    pub fn new(embedder: Option<Arc<dyn Embedder>>) -> Knowledge {
        Knowledge {
            embedder,
            cache: Mutex::new(Cache::default()),
            intents: OnceCell::new(),
        }
    }

    pub fn embedder(&self) -> Option<&Arc<dyn Embedder>> {
        self.embedder.as_ref()
    }

    /// The vector space of the index ('' when retrieval is lexical only).
    pub fn model(&self) -> &str {
        self.embedder.as_ref().map(|e| e.model()).unwrap_or("")
    }

    /// Drops a workspace's cached passages (`None`: every workspace's).
    pub fn invalidate(&self, workspace: Option<Uuid>) {
        if let Ok(mut c) = self.cache.lock() {
            match workspace {
                Some(ws) => {
                    c.passages.remove(&ws);
                    *c.generation.entry(ws).or_default() += 1;
                }
                None => {
                    c.passages.clear();
                    c.epoch += 1;
                }
            }
        }
    }

    /// Whether a workspace's passages are cached (for tests of the invalidation).
    pub fn is_cached(&self, workspace: Uuid) -> bool {
        self.cache
            .lock()
            .map(|c| c.passages.contains_key(&workspace))
            .unwrap_or(false)
    }

    /// The message with its spelling corrected against the workspace's vocabulary (the
    /// words of its passages and of the examples); unchanged when the index can't be read.
    pub async fn correct_query(&self, conn: &mut Conn, ws: Uuid, text: &str) -> String {
        match self.passages(conn, ws).await {
            Ok(indexed) => correct_spelling(text, &indexed.vocabulary, &|w| {
                self.embedder.as_ref().and_then(|e| e.knows_word(w))
            }),
            Err(e) => {
                tracing::warn!(error = %e, "reading the knowledge index failed");
                text.to_string()
            }
        }
    }

    /// Embeds the query and the message (one batch); `None` without an embedder or when
    /// it fails (logged: the caller falls back to lexical retrieval).
    pub async fn embed_query(&self, query: &str, message: &str) -> Option<QueryVectors> {
        let embedder = self.embedder.as_ref()?;
        let texts = vec![query.to_string(), message.to_string()];
        match embedder.embed(&texts).await {
            Ok(mut v) if v.len() == 2 => {
                let message = v.pop()?;
                let query = v.pop()?;
                Some(QueryVectors { query, message })
            }
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(error = %e, "embedding the visitor's message failed; answering with word matching");
                None
            }
        }
    }

    /// The intent of a message's vector (the examples are embedded on first use).
    pub async fn intent(&self, message: &[f32]) -> Option<SemanticIntent> {
        let embedder = self.embedder.as_ref()?;
        let examples = self
            .intents
            .get_or_try_init(|| async {
                let list = examples();
                let texts: Vec<String> = list.iter().map(|(_, p)| p.to_string()).collect();
                let vectors = embedder.embed(&texts).await?;
                anyhow::Ok(
                    list.into_iter()
                        .map(|(l, _)| l)
                        .zip(vectors)
                        .collect::<Vec<_>>(),
                )
            })
            .await;
        match examples {
            Ok(examples) => classify(examples, message),
            Err(e) => {
                tracing::warn!(error = %e, "embedding the intent examples failed");
                None
            }
        }
    }

    async fn passages(&self, conn: &mut Conn, ws: Uuid) -> anyhow::Result<Arc<Indexed>> {
        let (epoch, generation) = {
            let c = self
                .cache
                .lock()
                .map_err(|_| anyhow::anyhow!("cache poisoned"))?;
            if let Some(p) = c.passages.get(&ws) {
                return Ok(p.clone());
            }
            (c.epoch, c.generation.get(&ws).copied().unwrap_or(0))
        };
        let rows = store::workspace_passages(conn, ws, self.model()).await?;
        let passages: Vec<Arc<Passage>> = rows
            .into_iter()
            .filter_map(|r| {
                Some(Arc::new(Passage {
                    vector: store::decode(r.vector.as_deref()?),
                    id: r.id,
                    article_id: r.article_id,
                    position: r.position,
                    title: r.title,
                    body: r.body,
                    url: r.url,
                }))
            })
            .collect();
        let mut vocabulary: HashSet<String> = examples()
            .iter()
            .flat_map(|(_, phrase)| spelling_words(phrase))
            .collect();
        for p in &passages {
            vocabulary.extend(spelling_words(&p.title));
            vocabulary.extend(spelling_words(&p.body));
        }
        let passages = Arc::new(Indexed {
            passages,
            vocabulary,
        });
        if let Ok(mut c) = self.cache.lock()
            && c.epoch == epoch
            && c.generation.get(&ws).copied().unwrap_or(0) == generation
        {
            c.passages.insert(ws, passages.clone());
        }
        Ok(passages)
    }

    /// The workspace's best passages for the query, best first (hybrid ranking).
    pub async fn search(
        &self,
        conn: &mut Conn,
        ws: Uuid,
        query_text: &str,
        q: &QueryVectors,
        limit: usize,
    ) -> anyhow::Result<Vec<PassageHit>> {
        let indexed = self.passages(conn, ws).await?;
        let passages = &indexed.passages;
        let semantic: Vec<(Uuid, f32)> = passages
            .iter()
            .map(|p| (p.id, cosine(&p.vector, &q.query)))
            .collect();
        let lexical: Vec<(Uuid, f32)> = store::lexical(
            conn,
            ws,
            self.model(),
            &query_words(query_text),
            CANDIDATES as i64,
        )
        .await?
        .into_iter()
        .map(|h| (h.id, h.rank))
        .collect();
        let index: HashMap<Uuid, usize> = passages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id, i))
            .collect();
        Ok(fuse(&semantic, &lexical)
            .into_iter()
            .filter_map(|(id, fused)| {
                let p = passages.get(*index.get(&id)?)?.clone();
                Some(PassageHit {
                    cosine: cosine(&p.vector, &q.query),
                    passage: p,
                    fused,
                })
            })
            .take(limit)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_words_break_near_ties_but_do_not_outweigh_meaning() {
        let [a, b, c] = [Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()];
        // b is a hair behind a by meaning and the best full-text hit: it wins.
        let f = fuse(&[(a, 0.50), (b, 0.48), (c, 0.10)], &[(b, 0.6), (c, 0.3)]);
        assert_eq!(f[0].0, b);
        assert!((f[0].1 - 0.53).abs() < 1e-6);
        // c shares words but means something else: it stays last.
        assert_eq!(f[2].0, c);
        // Without full-text hits the cosine order stands.
        let f = fuse(&[(a, 0.2), (b, 0.7)], &[]);
        assert_eq!(f[0], (b, 0.7));
        assert!(fuse(&[], &[]).is_empty());
    }

    #[test]
    fn misspelt_words_become_the_knowledge_base_word_they_are_one_edit_from() {
        let vocabulary: HashSet<String> = spelling_words(
            "International shipping. We ship to the UK, the USA and Canada. Return policy. \
             Resetting your password. Payment methods",
        )
        .into_iter()
        .collect();
        // The model's own word list: these are English words, not typos.
        let known = |w: &str| Some(["australia", "chart", "spend", "there"].contains(&w));
        assert_eq!(
            correct_spelling("shiping to canda?", &vocabulary, &known),
            "shipping to canada?"
        );
        assert_eq!(
            correct_spelling("retrun policy", &vocabulary, &known),
            "return policy"
        );
        assert_eq!(
            correct_spelling("wat paymnt methds r there", &vocabulary, &known),
            "what payment methods are there"
        );
        assert_eq!(
            correct_spelling("do u take amex", &vocabulary, &known),
            "do you take American Express"
        );
        // Known, short, numeric and far-off words stay.
        assert_eq!(
            correct_spelling("Do you ship to Australia? order 12345", &vocabulary, &known),
            "Do you ship to Australia? order 12345"
        );
        assert_eq!(
            correct_spelling("can I spend it, is there a chart", &vocabulary, &known),
            "can I spend it, is there a chart"
        );
        // Without a word list, only shorthand is spelled out.
        assert_eq!(
            correct_spelling("u pay with paymnt", &vocabulary, &|_| None),
            "you pay with paymnt"
        );
    }

    #[test]
    fn nearest_examples_decide_the_intent() {
        let ex = vec![
            (Label::Question, vec![1.0, 0.0]),
            (Label::Question, vec![0.9, 0.1]),
            (Label::AskForHuman, vec![0.0, 1.0]),
        ];
        let i = classify(&ex, &[0.1, 0.99]).unwrap();
        assert_eq!(i.label, Label::AskForHuman);
        assert!(i.score > 0.9 && i.question < 0.3);
        let i = classify(&ex, &[1.0, 0.0]).unwrap();
        assert_eq!(i.label, Label::Question);
    }

    #[test]
    fn the_example_file_parses_with_every_intent() {
        let ex = examples();
        assert!(ex.len() >= 100, "{}", ex.len());
        for label in [
            Label::Question,
            Label::CannotPerformAction,
            Label::NeedsHumanJudgment,
            Label::AskForHuman,
            Label::Greeting,
            Label::Thanks,
            Label::Goodbye,
        ] {
            assert!(
                ex.iter().filter(|(l, _)| *l == label).count() >= 5,
                "{label:?}"
            );
        }
    }
}
