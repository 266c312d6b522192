//! The assistant engines behind one interface (builtin and OpenAI-compatible).

use std::sync::Arc;

use crate::config::{AiProvider, Config};

/// An assistant engine. The widget work fills in the conversation interface.
pub trait Assistant: Send + Sync {
    fn provider(&self) -> &'static str;
}

struct Unconfigured(&'static str);

impl Assistant for Unconfigured {
    fn provider(&self) -> &'static str {
        self.0
    }
}

pub fn from_config(config: &Config) -> anyhow::Result<Arc<dyn Assistant>> {
    Ok(match config.ai_provider {
        AiProvider::Builtin => Arc::new(Unconfigured("builtin")),
        AiProvider::OpenAi => Arc::new(Unconfigured("openai")),
    })
}
