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

use std::collections::HashMap;
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
    pub title: String,
    pub body: String,
    pub vector: Vec<f32>,
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

#[derive(Default)]
struct Cache {
    passages: HashMap<Uuid, Arc<Vec<Arc<Passage>>>>,
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
pub const LEXICAL_WEIGHT: f32 = 0.1;

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

    async fn passages(&self, conn: &mut Conn, ws: Uuid) -> anyhow::Result<Arc<Vec<Arc<Passage>>>> {
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
        let passages: Arc<Vec<Arc<Passage>>> = Arc::new(
            rows.into_iter()
                .filter_map(|r| {
                    Some(Arc::new(Passage {
                        vector: store::decode(r.vector.as_deref()?),
                        id: r.id,
                        article_id: r.article_id,
                        title: r.title,
                        body: r.body,
                    }))
                })
                .collect(),
        );
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
        let passages = self.passages(conn, ws).await?;
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
        assert!((f[0].1 - 0.58).abs() < 1e-6);
        // c shares words but means something else: it stays last.
        assert_eq!(f[2].0, c);
        // Without full-text hits the cosine order stands.
        let f = fuse(&[(a, 0.2), (b, 0.7)], &[]);
        assert_eq!(f[0], (b, 0.7));
        assert!(fuse(&[], &[]).is_empty());
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
