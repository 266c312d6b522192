//! Sentence embeddings behind one interface (`Embedder`), chosen by `EMBEDDINGS`:
//!
//! - `builtin`: a BERT-family sentence-embedding model (default all-MiniLM-L6-v2) run in
//!   process with candle, from a Hugging Face folder (`config.json`, `model.safetensors`,
//!   `tokenizer.json`): mean pooling over the tokens, L2-normalised. Inference runs on
//!   Tokio's blocking pool, at most `INFERENCE_SLOTS` at once, never on the async runtime.
//! - `openai`: any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Ollama, vLLM).
//! - `off`: no vectors; retrieval is lexical only.
//!
//! Vectors are unit length, so the cosine similarity is the dot product.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config as BertConfig};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};
use tokio::sync::Semaphore;

/// A boxed future (the engines' alias lives in `assistant/mod.rs`, which imports this
/// module's users: kept separate so the files import in one direction).
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// Tokens per text the model sees (longer passages are cut).
const MAX_TOKENS: usize = 256;
/// Texts embedded in one forward pass when indexing.
pub const BATCH: usize = 16;
/// Concurrent inferences (the machine's cores are shared with the web workers).
const INFERENCE_SLOTS: usize = 2;

pub trait Embedder: Send + Sync {
    /// Names the vector space: vectors of another model (or dimension) are re-indexed.
    fn model(&self) -> &str;
    /// Unit vectors for `texts`, in order.
    fn embed<'a>(&'a self, texts: &'a [String]) -> BoxFuture<'a, anyhow::Result<Vec<Vec<f32>>>>;
    /// Whether the model knows a (lower-case) word as a whole, `None` when it can't tell:
    /// a word it knows is never "corrected" to a knowledge-base word.
    fn knows_word(&self, _word: &str) -> Option<bool> {
        None
    }
}

/// Cosine similarity of two unit vectors (0 when the dimensions differ).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() {
        return 0.0;
    }
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The model folder's files, checked before anything is loaded.
pub fn model_files_present(dir: &Path) -> Result<(), String> {
    for f in ["config.json", "model.safetensors", "tokenizer.json"] {
        if !dir.join(f).is_file() {
            return Err(format!("{} is missing", dir.join(f).display()));
        }
    }
    Ok(())
}

/// A BERT model and its tokenizer, loaded into memory.
struct Bert {
    model: BertModel,
    tokenizer: Tokenizer,
}

impl Bert {
    fn load(dir: &Path) -> anyhow::Result<Bert> {
        let config: BertConfig = serde_json::from_str(
            &std::fs::read_to_string(dir.join("config.json")).context("reading config.json")?,
        )
        .context("config.json is not a BERT configuration")?;
        let mut tokenizer =
            Tokenizer::from_file(dir.join("tokenizer.json")).map_err(anyhow::Error::msg)?;
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..Default::default()
        }));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(anyhow::Error::msg)?;
        // Read into memory and copied into tensors (no mmap: this crate forbids unsafe
        // code); the file's bytes are dropped once the tensors exist.
        let bytes = std::fs::read(dir.join("model.safetensors")).context("model.safetensors")?;
        let tensors = candle_core::safetensors::load_buffer(&bytes, &Device::Cpu)?;
        drop(bytes);
        let vb = VarBuilder::from_tensors(tensors, DType::F32, &Device::Cpu);
        let model = BertModel::load(vb, &config).context("loading the BERT weights")?;
        Ok(Bert { model, tokenizer })
    }

    fn embed(&self, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(vec![]);
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(anyhow::Error::msg)?;
        let device = Device::Cpu;
        let ids = encodings
            .iter()
            .map(|e| Tensor::new(e.get_ids(), &device))
            .collect::<Result<Vec<_>, _>>()?;
        let masks = encodings
            .iter()
            .map(|e| Tensor::new(e.get_attention_mask(), &device))
            .collect::<Result<Vec<_>, _>>()?;
        let ids = Tensor::stack(&ids, 0)?;
        let mask = Tensor::stack(&masks, 0)?;
        let types = ids.zeros_like()?;
        let hidden = self.model.forward(&ids, &types, Some(&mask))?; // [batch, tokens, dim]
        let weights = mask.to_dtype(DType::F32)?.unsqueeze(2)?; // [batch, tokens, 1]
        let summed = hidden.broadcast_mul(&weights)?.sum(1)?; // [batch, dim]
        let counts = weights.sum(1)?.clamp(1e-9, f64::MAX)?; // [batch, 1]
        let mean = summed.broadcast_div(&counts)?;
        let norms = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f64::MAX)?;
        Ok(mean.broadcast_div(&norms)?.to_vec2::<f32>()?)
    }
}

/// `EMBEDDINGS=builtin`.
pub struct BuiltinEmbedder {
    bert: Arc<Bert>,
    name: String,
    slots: Arc<Semaphore>,
}

impl BuiltinEmbedder {
    /// Loads the model folder (a few hundred milliseconds; call it off the runtime).
    pub fn load(dir: &Path) -> anyhow::Result<BuiltinEmbedder> {
        model_files_present(dir).map_err(anyhow::Error::msg)?;
        let bert = Bert::load(dir)?;
        let folder = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into());
        Ok(BuiltinEmbedder {
            bert: Arc::new(bert),
            name: format!("builtin:{folder}"),
            slots: Arc::new(Semaphore::new(INFERENCE_SLOTS)),
        })
    }

    /// Embeds on the calling thread (for the CLI and tests).
    pub fn embed_blocking(&self, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
        self.bert.embed(texts)
    }
}

impl Embedder for BuiltinEmbedder {
    fn model(&self) -> &str {
        &self.name
    }

    fn knows_word(&self, word: &str) -> Option<bool> {
        Some(self.bert.tokenizer.token_to_id(word).is_some())
    }

    fn embed<'a>(&'a self, texts: &'a [String]) -> BoxFuture<'a, anyhow::Result<Vec<Vec<f32>>>> {
        Box::pin(async move {
            let _slot = self.slots.acquire().await?;
            let bert = self.bert.clone();
            let texts = texts.to_vec();
            let mut out = Vec::with_capacity(texts.len());
            for chunk in texts.chunks(BATCH) {
                let chunk = chunk.to_vec();
                let bert = bert.clone();
                out.extend(tokio::task::spawn_blocking(move || bert.embed(&chunk)).await??);
            }
            Ok(out)
        })
    }
}

/// `EMBEDDINGS=openai`: an OpenAI-compatible `/v1/embeddings` endpoint.
pub struct OpenAiEmbedder {
    client: reqwest::Client,
    url: String,
    key: Option<String>,
    /// The endpoint's model name (`name` is the vector space: `openai:<model>`).
    endpoint_model: String,
    name: String,
}

impl OpenAiEmbedder {
    pub fn new(base_url: &str, key: Option<String>, model: &str, timeout: Duration) -> Self {
        OpenAiEmbedder {
            client: reqwest::Client::builder()
                .timeout(timeout)
                .build()
                .unwrap_or_default(),
            url: format!("{}/embeddings", base_url.trim_end_matches('/')),
            key,
            endpoint_model: model.to_string(),
            name: format!("openai:{model}"),
        }
    }
}

fn normalised(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

impl Embedder for OpenAiEmbedder {
    fn model(&self) -> &str {
        &self.name
    }

    fn embed<'a>(&'a self, texts: &'a [String]) -> BoxFuture<'a, anyhow::Result<Vec<Vec<f32>>>> {
        Box::pin(async move {
            if texts.is_empty() {
                return Ok(vec![]);
            }
            #[derive(serde::Deserialize)]
            struct Item {
                index: usize,
                embedding: Vec<f32>,
            }
            #[derive(serde::Deserialize)]
            struct Response {
                data: Vec<Item>,
            }
            let mut req = self
                .client
                .post(&self.url)
                .json(&serde_json::json!({"model": self.endpoint_model, "input": texts}));
            if let Some(key) = &self.key {
                req = req.bearer_auth(key);
            }
            let resp = req.send().await.context("embeddings request")?;
            let status = resp.status();
            if !status.is_success() {
                bail!("embeddings endpoint answered {status}");
            }
            let mut body: Response = resp.json().await.context("embeddings response")?;
            if body.data.len() != texts.len() {
                bail!(
                    "embeddings endpoint returned {} vectors for {} texts",
                    body.data.len(),
                    texts.len()
                );
            }
            body.data.sort_by_key(|d| d.index);
            Ok(body
                .data
                .into_iter()
                .map(|d| normalised(d.embedding))
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_nn::VarMap;

    /// A BERT with random weights and a ten-word vocabulary, written as a Hugging Face
    /// folder: exercises the loading and pooling code without the real model.
    fn tiny_model(dir: &Path) {
        let config = serde_json::json!({
            "vocab_size": 12, "hidden_size": 8, "num_hidden_layers": 1,
            "num_attention_heads": 2, "intermediate_size": 16, "hidden_act": "gelu",
            "hidden_dropout_prob": 0.0, "max_position_embeddings": 64,
            "type_vocab_size": 2, "initializer_range": 0.02, "layer_norm_eps": 1e-12,
            "pad_token_id": 0, "model_type": "bert"
        });
        std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
        let cfg: BertConfig = serde_json::from_value(config).unwrap();
        let varmap = VarMap::new();
        let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
        BertModel::load(vb, &cfg).unwrap();
        varmap.save(dir.join("model.safetensors")).unwrap();
        let vocab: serde_json::Map<String, serde_json::Value> = [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "ship", "return", "pay", "card", "fast", "slow",
            "what", "?",
        ]
        .iter()
        .enumerate()
        .map(|(i, w)| (w.to_string(), serde_json::json!(i)))
        .collect();
        let tokenizer = serde_json::json!({
            "version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
            "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "post_processor": {"type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
            "decoder": null,
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": vocab}
        });
        std::fs::write(dir.join("tokenizer.json"), tokenizer.to_string()).unwrap();
    }

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("{name}-{}", rand::random::<u32>()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_model_folder_loads_and_gives_unit_vectors_batch_independent() {
        let dir = temp_dir("handoff-tiny-bert");
        tiny_model(&dir);
        let e = BuiltinEmbedder::load(&dir).unwrap();
        assert!(e.model().starts_with("builtin:handoff-tiny-bert"));
        let texts = vec![
            "ship fast".to_string(),
            "what card pay ?".to_string(),
            "return".to_string(),
        ];
        let batch = e.embed_blocking(&texts).unwrap();
        assert_eq!(batch.len(), 3);
        for v in &batch {
            assert_eq!(v.len(), 8);
            let norm: f32 = v.iter().map(|x| x * x).sum();
            assert!((norm - 1.0).abs() < 1e-4, "norm² {norm}");
        }
        // Padding in a batch changes nothing: the mask keeps pad tokens out of the mean.
        let alone = e.embed_blocking(&texts[2..]).unwrap();
        assert!(cosine(&alone[0], &batch[2]) > 0.9999);
        assert!(cosine(&batch[0], &batch[1]) < 0.9999);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_missing_or_broken_folder_is_an_error_not_a_panic() {
        let dir = temp_dir("handoff-no-model");
        let err = BuiltinEmbedder::load(&dir).err().unwrap();
        assert!(err.to_string().contains("config.json is missing"), "{err}");
        for f in ["config.json", "model.safetensors", "tokenizer.json"] {
            std::fs::write(dir.join(f), "not a model").unwrap();
        }
        assert!(BuiltinEmbedder::load(&dir).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn cosine_of_unit_vectors() {
        assert!((cosine(&[1.0, 0.0], &[1.0, 0.0]) - 1.0).abs() < 1e-6);
        assert_eq!(cosine(&[1.0, 0.0], &[0.0, 1.0]), 0.0);
        assert_eq!(cosine(&[1.0], &[1.0, 0.0]), 0.0);
        let v = normalised(vec![3.0, 4.0]);
        assert!((v[0] - 0.6).abs() < 1e-6 && (v[1] - 0.8).abs() < 1e-6);
    }
}
