//! Measures the builtin engine on tests/data/assistant-labelled.jsonl over a seeded
//! knowledge base: handoff recall (handoff-labelled messages that got the ticket offer)
//! and false-offer rate (answer/small-talk messages that got one). Prints the figures (to
//! stderr: the test binary's stdout is the harness's); fails below the floor.
//!
//! Run: `cargo test -p handoff-tests --test api assistant_eval -- --nocapture`

use handoff_tests::{TestApp, str_at};
use serde_json::Value;

use crate::widget::{Site, add_article, asks_email, reply_text, say, session, site};

/// The demo shop's knowledge base the labelled set was written against.
pub const ARTICLES: &[(&str, &str)] = &[
    (
        "Shipping times and costs",
        "Standard shipping within Germany and Austria takes 3-5 business days and costs 4.90 EUR. Orders over 50 EUR ship free.\n\nExpress shipping takes 1-2 business days and costs 9.90 EUR.",
    ),
    (
        "International shipping",
        "We ship to the UK, the USA and Canada. Delivery takes 7-14 business days. Customs fees and import duties for orders to the UK, USA or Canada are not included and are paid on delivery.",
    ),
    (
        "Return policy",
        "You can return unused items in their original packaging within 30 days of delivery, including sale items. Print the return label from your account. Refunds are paid to the original payment method within 5 business days after we receive the item.",
    ),
    (
        "Tracking your order",
        "As soon as your order ships we email you a tracking link. You can also track your order under My Account > Orders.",
    ),
    (
        "Resetting your password",
        "Forgot your password? Click \"Forgot password\" on the login page and we will email you a link to reset your password. The link is valid for one hour.",
    ),
    (
        "Payment methods",
        "We accept Visa, Mastercard, American Express, PayPal, Apple Pay and Klarna. We do not accept cash or cheques.",
    ),
    (
        "Gift cards",
        "Gift cards are valid for three years from the date of purchase and can be used for any product in our online shop.",
    ),
    (
        "Size guide",
        "Our size guide is linked on every product page under \"Size guide\". Measure your chest and waist and compare them with the table.",
    ),
    (
        "Store locations and opening hours",
        "Our stores are in Berlin (Torstrasse 1) and Munich (Leopoldstrasse 10). Opening hours: Monday to Saturday, 10:00 to 19:00.",
    ),
    (
        "Warranty",
        "All electronics, including headphones and speakers, come with a 2-year warranty against manufacturing defects.",
    ),
    (
        "Using discount codes",
        "Enter your promo code at checkout in the field \"Discount code\". Only one discount code can be used per order.",
    ),
    (
        "Creating an account",
        "To create an account, click \"Sign up\" at the top of the page and enter your email address and a password.",
    ),
];

pub async fn seeded_site(app: &TestApp) -> Site {
    let site = site(app, "standard", true).await;
    for (title, body) in ARTICLES {
        add_article(app, &site, title, body).await;
    }
    site
}

/// The model folder the semantic engine is evaluated with: `EMBEDDINGS_MODEL_DIR`, else the
/// cache `scripts/fetch-model.sh` fills (`~/.cache/handoff-models/all-MiniLM-L6-v2`).
pub fn model_dir() -> String {
    if let Ok(dir) = std::env::var("EMBEDDINGS_MODEL_DIR") {
        return dir;
    }
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    format!("{home}/.cache/handoff-models/all-MiniLM-L6-v2")
}

/// An engine as configured by its environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// The builtin engine with the default sentence-embedding model (the product default).
    Semantic,
    /// The builtin engine with `EMBEDDINGS=off` (word matching only).
    Lexical,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Semantic => "builtin (EMBEDDINGS=builtin, all-MiniLM-L6-v2)",
            Engine::Lexical => "builtin (EMBEDDINGS=off)",
        }
    }

    pub async fn spawn(self) -> TestApp {
        let b = TestApp::builder();
        let b = match self {
            Engine::Semantic => {
                let dir = model_dir();
                assert!(
                    std::path::Path::new(&dir)
                        .join("model.safetensors")
                        .exists(),
                    "the evaluation needs the default model in {dir}: run scripts/fetch-model.sh {dir}"
                );
                b.env("EMBEDDINGS", "builtin")
                    .env("EMBEDDINGS_MODEL_DIR", dir)
            }
            Engine::Lexical => b.env("EMBEDDINGS", "off"),
        };
        b.spawn().await
    }
}

/// The seeded site, once its knowledge base is indexed (the outbox worker indexes it).
pub async fn indexed_site(app: &TestApp, engine: Engine) -> Site {
    let site = seeded_site(app).await;
    if engine == Engine::Semantic {
        app.wait_for_jobs_done("knowledge.index").await;
    }
    site
}

/// Counts over one or more labelled sets.
#[derive(Debug, Default, Clone)]
pub struct Figures {
    pub handoff_total: usize,
    pub handoff_offered: usize,
    pub other_total: usize,
    pub false_offers: usize,
    pub answer_total: usize,
    pub right: usize,
    /// Milliseconds per widget message, as the visitor waits for it.
    pub latencies: Vec<f64>,
    pub misses: Vec<String>,
}

fn fraction(n: usize, of: usize) -> f64 {
    if of == 0 { 1.0 } else { n as f64 / of as f64 }
}

impl Figures {
    pub fn total(&self) -> usize {
        self.handoff_total + self.other_total
    }
    pub fn recall(&self) -> f64 {
        fraction(self.handoff_offered, self.handoff_total)
    }
    pub fn false_offer_rate(&self) -> f64 {
        fraction(self.false_offers, self.other_total)
    }
    pub fn right_answer_rate(&self) -> f64 {
        fraction(self.right, self.answer_total)
    }
    pub fn percentile_ms(&self, p: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort_by(f64::total_cmp);
        if sorted.is_empty() {
            return 0.0;
        }
        let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[i.min(sorted.len() - 1)]
    }
    pub fn merge(mut self, other: Figures) -> Figures {
        self.handoff_total += other.handoff_total;
        self.handoff_offered += other.handoff_offered;
        self.other_total += other.other_total;
        self.false_offers += other.false_offers;
        self.answer_total += other.answer_total;
        self.right += other.right;
        self.latencies.extend(other.latencies);
        self.misses.extend(other.misses);
        self
    }

    pub fn print(&self, engine: Engine, set: &str) {
        eprintln!("{} on {set} ({} messages):", engine.name(), self.total());
        eprintln!(
            "  handoff recall    {}/{} = {:.3}",
            self.handoff_offered,
            self.handoff_total,
            self.recall()
        );
        eprintln!(
            "  false-offer rate  {}/{} = {:.3}",
            self.false_offers,
            self.other_total,
            self.false_offer_rate()
        );
        eprintln!(
            "  right answers     {}/{} = {:.3}",
            self.right,
            self.answer_total,
            self.right_answer_rate()
        );
        eprintln!(
            "  widget message    p50 {:.1} ms, p95 {:.1} ms ({} build)",
            self.percentile_ms(0.5),
            self.percentile_ms(0.95),
            if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
        );
    }
}

/// Runs every message of a labelled file through the widget API, each from a new visitor
/// (after its `prev` turns, for follow-ups), and counts what the visitor got.
pub async fn evaluate(app: &TestApp, site: &Site, engine: Engine, file: &str) -> Figures {
    let data = match std::fs::read_to_string(format!("{}/data/{file}", env!("CARGO_MANIFEST_DIR")))
    {
        Ok(data) => data,
        Err(e) => panic!("{file}: {e}"),
    };
    let mut f = Figures::default();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let item: Value = match serde_json::from_str(line) {
            Ok(item) => item,
            Err(e) => panic!("{file}: {line}: {e}"),
        };
        let text = str_at(&item, "text");
        let expect = str_at(&item, "expect");
        let v = session(app, site).await;
        for prev in item["prev"].as_array().into_iter().flatten() {
            say(app, &v, prev.as_str().unwrap_or_default()).await;
        }
        let started = std::time::Instant::now();
        let a = say(app, &v, text).await;
        f.latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        let offered = asks_email(&a);
        let reply = reply_text(&a);
        match expect {
            "handoff" => {
                f.handoff_total += 1;
                if offered {
                    f.handoff_offered += 1;
                } else {
                    f.misses.push(format!("MISSED HANDOFF  {text:?} → {reply}"));
                }
            }
            _ => {
                f.other_total += 1;
                if offered {
                    f.false_offers += 1;
                    f.misses
                        .push(format!("FALSE OFFER     {text:?} ({expect}) → {reply}"));
                }
                if expect == "answer" {
                    f.answer_total += 1;
                    // Right: the reply contains the labelled fact (the first set has no
                    // facts: any article quoted counts there).
                    let ok = match item["fact"].as_str() {
                        Some(fact) => reply.to_lowercase().contains(&fact.to_lowercase()),
                        None => reply.starts_with("From our article"),
                    };
                    if ok && !offered {
                        f.right += 1;
                    } else if !offered {
                        f.misses.push(format!(
                            "NOT ANSWERED    {text:?} (wants {:?}) → {reply}",
                            item["fact"].as_str().unwrap_or("an article")
                        ));
                    }
                }
                if expect == "smalltalk" && reply.starts_with("From our article") {
                    f.misses
                        .push(format!("ARTICLE FOR SMALL TALK  {text:?} → {reply}"));
                }
            }
        }
    }
    f.print(engine, file);
    for m in &f.misses {
        eprintln!("  {m}");
    }
    f
}

/// The sets the engines were written and tuned against. `assistant-tuning-3.jsonl` and
/// `assistant-tuning-4.jsonl` were the first two held-out sets; their figures were read
/// after every tuning round, so they are tuning data now.
pub const TUNING_SETS: &[&str] = &[
    "assistant-labelled.jsonl",
    "assistant-tuning-2.jsonl",
    "assistant-tuning-3.jsonl",
    "assistant-tuning-4.jsonl",
];
/// The two sets the calibration was first made on (the regression floors below).
const CALIBRATION_SETS: &[&str] = &["assistant-labelled.jsonl", "assistant-tuning-2.jsonl"];
/// Written before the tuning it measures, never used to adjust anything: the honest
/// figures (read once before and once after a tuning round).
pub const HELD_OUT_SETS: &[&str] = &["assistant-heldout-3.jsonl"];

async fn figures(engine: Engine, sets: &[&str]) -> Figures {
    let app = engine.spawn().await;
    let site = indexed_site(&app, engine).await;
    let mut all = Figures::default();
    for set in sets {
        all = all.merge(evaluate(&app, &site, engine, set).await);
    }
    all.print(engine, &sets.join(" + "));
    all
}

/// Word matching alone (`EMBEDDINGS=off`, the fallback) on the tuning set: it keeps the
/// visitors who need the team (recall 0.970) but, on the 69 paraphrases added with the
/// semantic engine, offers a ticket to about a quarter of the answerable ones (0.244):
/// the figures it must not fall below.
#[tokio::test]
async fn lexical_engine_on_the_tuning_set() {
    let f = figures(Engine::Lexical, &TUNING_SETS[..1]).await;
    assert!(f.total() >= 140);
    assert!(
        f.recall() >= 0.95,
        "handoff recall {:.3} below 0.95",
        f.recall()
    );
    assert!(
        f.false_offer_rate() <= 0.25,
        "false-offer rate {:.3} above 0.25",
        f.false_offer_rate()
    );
}

/// The default engine on the sets it was calibrated on (300 messages): what the
/// calibration reached there (0.978 recall, 0.030 false offers, 0.940 right answers), so a
/// change that makes it worse fails.
#[tokio::test]
async fn semantic_engine_on_the_tuning_set() {
    let f = figures(Engine::Semantic, CALIBRATION_SETS).await;
    assert!(f.total() >= 300);
    assert!(
        f.recall() >= 0.97,
        "handoff recall {:.3} below 0.97",
        f.recall()
    );
    assert!(
        f.false_offer_rate() <= 0.04,
        "false-offer rate {:.3} above 0.04",
        f.false_offer_rate()
    );
    assert!(
        f.right_answer_rate() >= 0.93,
        "right-answer rate {:.3} below 0.93",
        f.right_answer_rate()
    );
}

/// The product's default engine on the held-out sets, against the targets. Not
/// met yet (docs/assistant.md has the figures): `make eval` runs it and fails until they
/// are; it stays out of `cargo test` so the rest of the suite can land meanwhile.
#[tokio::test]
#[ignore = "the held-out targets are not met yet: make eval runs it"]
async fn semantic_engine_meets_the_targets_on_the_held_out_set() {
    let f = figures(Engine::Semantic, HELD_OUT_SETS).await;
    assert!(f.total() >= 160);
    assert!(
        f.right_answer_rate() >= 0.90,
        "held-out right-answer rate {:.3} below 0.90",
        f.right_answer_rate()
    );
    assert!(
        f.false_offer_rate() <= 0.05,
        "held-out false-offer rate {:.3} above 0.05",
        f.false_offer_rate()
    );
    assert!(
        f.recall() >= 0.97,
        "held-out handoff recall {:.3} below 0.97",
        f.recall()
    );
}

/// `make eval`: every engine on every set (figures only; the targets are asserted in
/// `semantic_engine_meets_the_targets_on_the_held_out_set`, which `make eval` runs next).
#[tokio::test]
#[ignore = "make eval runs it (release build)"]
async fn eval_report() {
    for engine in [Engine::Lexical, Engine::Semantic] {
        let mut sets = TUNING_SETS.to_vec();
        sets.extend(HELD_OUT_SETS);
        for set in sets {
            let app = engine.spawn().await;
            let site = indexed_site(&app, engine).await;
            evaluate(&app, &site, engine, set).await;
        }
    }
}

/// Error analysis on a TUNING set only: `EVAL_FEATURES_SET=assistant-tuning-2.jsonl
/// EVAL_FEATURES_OUT=/tmp/f.jsonl cargo test … assistant_eval::dump_features -- --ignored`
/// writes, per message, what the decision saw (the rules, every intent's score, the best
/// passages with their cosine and full-text rank) and what the widget answered. Refuses
/// the held-out sets.
#[tokio::test]
#[ignore = "a tool for error analysis on the tuning sets"]
async fn dump_features() {
    use handoff::assistant::embed::{BuiltinEmbedder, Embedder, cosine};
    use handoff::assistant::knowledge::{Knowledge, examples};
    use handoff::assistant::retrieval::{follow_up_query, query_words};
    use std::sync::Arc;

    let set = std::env::var("EVAL_FEATURES_SET").unwrap_or_else(|_| TUNING_SETS[0].into());
    assert!(
        !HELD_OUT_SETS.contains(&set.as_str()),
        "the held-out sets are not for error analysis"
    );
    let out = std::env::var("EVAL_FEATURES_OUT").unwrap_or_else(|_| "/tmp/features.jsonl".into());
    let app = Engine::Semantic.spawn().await;
    let site = indexed_site(&app, Engine::Semantic).await;
    let embedder = match BuiltinEmbedder::load(std::path::Path::new(&model_dir())) {
        Ok(e) => Arc::new(e),
        Err(e) => panic!("model: {e}"),
    };
    let knowledge = Knowledge::new(Some(embedder.clone()));
    let ws: uuid::Uuid = match site.ws.parse() {
        Ok(u) => u,
        Err(e) => panic!("{e}"),
    };
    let ex = examples();
    let ex_texts: Vec<String> = ex.iter().map(|(_, p)| p.to_string()).collect();
    let ex_vecs = match embedder.embed(&ex_texts).await {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    let data = match std::fs::read_to_string(format!("{}/data/{set}", env!("CARGO_MANIFEST_DIR"))) {
        Ok(d) => d,
        Err(e) => panic!("{set}: {e}"),
    };
    let mut conn = app.async_db().await;
    let mut lines = Vec::new();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let item: Value = match serde_json::from_str(line) {
            Ok(i) => i,
            Err(e) => panic!("{e}"),
        };
        let text = str_at(&item, "text");
        let prev: Vec<String> = item["prev"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_str().map(String::from))
            .collect();
        let query = follow_up_query(text, prev.last().map(String::as_str));
        let query = knowledge.correct_query(&mut conn, ws, &query).await;
        let message = knowledge.correct_query(&mut conn, ws, text).await;
        let Some(q) = knowledge.embed_query(&query, &message).await else {
            panic!("embedding failed")
        };
        let hits = match knowledge.search(&mut conn, ws, &query, &q, 5).await {
            Ok(h) => h,
            Err(e) => panic!("{e}"),
        };
        let lexical = match handoff::db::knowledge::lexical(
            &mut conn,
            ws,
            knowledge.model(),
            &query_words(&query),
            20,
        )
        .await
        {
            Ok(l) => l,
            Err(e) => panic!("{e}"),
        };
        let mut scores: std::collections::BTreeMap<String, Vec<f32>> = Default::default();
        for ((label, phrase), v) in ex.iter().zip(&ex_vecs) {
            let _ = phrase;
            scores
                .entry(format!("{label:?}"))
                .or_default()
                .push(cosine(v, &q.message));
        }
        for s in scores.values_mut() {
            s.sort_by(|a, b| b.total_cmp(a));
            s.truncate(5);
        }
        let rules = handoff::domain::intent::classify(text);
        let v = session(&app, &site).await;
        for p in &prev {
            say(&app, &v, p).await;
        }
        let a = say(&app, &v, text).await;
        lines.push(serde_json::json!({
            "item": item,
            "query": query,
            "rules": format!("{:?}", rules.intent),
            "rules_handoff": rules.is_handoff(),
            "foreign": handoff::assistant::language::foreign_language_in(text, &hits[..hits.len().min(3)]),
            "intents": scores,
            "hits": hits.iter().map(|h| serde_json::json!({
                "title": h.passage.title,
                "body": h.passage.body,
                "cosine": h.cosine,
                "fused": h.fused,
                "lexical": lexical.iter().find(|l| l.id == h.passage.id).map(|l| l.rank).unwrap_or(0.0),
            })).collect::<Vec<_>>(),
            "lexical_best": lexical.first().map(|l| l.rank).unwrap_or(0.0),
            "offered": asks_email(&a),
            "reply": reply_text(&a),
        }));
    }
    let body: Vec<String> = lines.iter().map(Value::to_string).collect();
    if let Err(e) = std::fs::write(&out, body.join("\n") + "\n") {
        panic!("{out}: {e}");
    }
}

/// The process's resident memory, in MB (Linux `/proc/self/status`).
fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// `make eval`: the memory the default model adds to a process (resident set before and
/// after loading it and embedding a first batch, so every weight has been touched).
/// Target: ≤ 200 MB. Figures only (performance is never asserted by timing).
#[tokio::test]
#[ignore = "make eval runs it (release build)"]
async fn model_memory() {
    use handoff::assistant::embed::{BuiltinEmbedder, Embedder};
    let before = rss_mb();
    let started = std::time::Instant::now();
    let embedder = match BuiltinEmbedder::load(std::path::Path::new(&model_dir())) {
        Ok(e) => e,
        Err(e) => panic!("model: {e}"),
    };
    let loaded_in = started.elapsed();
    let texts: Vec<String> = ARTICLES
        .iter()
        .map(|(title, body)| format!("{title}. {body}"))
        .collect();
    if let Err(e) = embedder.embed(&texts).await {
        panic!("embedding: {e}");
    }
    let after = rss_mb();
    eprintln!(
        "model memory: RSS {before:.0} MB before, {after:.0} MB after loading and a first batch: +{:.0} MB (target ≤ 200 MB); loaded in {} ms",
        after - before,
        loaded_in.as_millis()
    );
}

/// `make eval`: 1,000 articles (three paragraphs each) created through the API, timed until
/// the outbox worker has indexed every one of them. Target: ≤ 60 s. Figures only.
#[tokio::test]
#[ignore = "make eval runs it (release build)"]
async fn indexing_a_thousand_articles() {
    const N: usize = 1_000;
    let app = Engine::Semantic.spawn().await;
    let site = site(&app, "standard", true).await;
    let started = std::time::Instant::now();
    for i in 0..N {
        let (title, body) = ARTICLES[i % ARTICLES.len()];
        add_article(
            &app,
            &site,
            &format!("{title} ({i})"),
            &format!(
                "{body}\n\nArticle {i} of the help centre: if anything here is unclear, ask in the chat and we will gladly help. Our team updates this page when the policy changes.\n\nLast reviewed for edition {i}. Prices include VAT where it applies."
            ),
        )
        .await;
    }
    let created_in = started.elapsed();
    let deadline = started + std::time::Duration::from_secs(900);
    loop {
        let jobs = app.outbox_jobs("knowledge.index");
        if jobs.len() >= N && jobs.iter().all(|j| j.done) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} of {N} indexed after 900 s",
            jobs.iter().filter(|j| j.done).count()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let indexed_in = started.elapsed();
    let mut conn = app.db();
    let passages: i64 = {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        match diesel::sql_query("SELECT count(*) AS n FROM knowledge_passages")
            .get_result::<Count>(&mut conn)
        {
            Ok(c) => c.n,
            Err(e) => panic!("{e}"),
        }
    };
    eprintln!(
        "indexing {N} articles ({passages} passages): created through the API in {:.1} s, all indexed {:.1} s after the first was created (target ≤ 60 s, {} build)",
        created_in.as_secs_f64(),
        indexed_in.as_secs_f64(),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
}
