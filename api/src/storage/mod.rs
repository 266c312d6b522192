//! The attachment store: one `object_store` API over the local filesystem (the default,
//! `file://DATA_DIR/attachments`) and S3-compatible storage (`STORAGE_URL=s3://bucket/prefix`
//! with the `AWS_*` settings), so a second server sees the same files when the store is
//! shared. Objects are keyed `<workspace>/<attachment>` (`mail/<attachment>` for an inbound
//! mail's files; the thumbnail `….thumb`) under the URL's path.

pub mod images;
pub mod scan;

use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::config::Config;

#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    /// `file:///…` or `s3://bucket/prefix`, for logs and `/readyz`.
    pub url: String,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage").field("url", &self.url).finish()
    }
}

/// An object's bytes, as the download streams them.
pub type ObjectStream =
    futures_util::stream::BoxStream<'static, Result<Bytes, object_store::Error>>;

impl Storage {
    /// The store `STORAGE_URL` names; a local folder is created when missing.
    pub fn from_config(config: &Config) -> anyhow::Result<Storage> {
        let url = url::Url::parse(&config.storage_url)
            .with_context(|| format!("STORAGE_URL `{}` is not a URL", config.storage_url))?;
        if url.scheme() == "file" {
            let dir = url
                .to_file_path()
                .map_err(|_| anyhow::anyhow!("STORAGE_URL `{url}` is not a local folder"))?;
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("creating the attachment folder {}", dir.display()))?;
        } else if url.scheme() != "s3" {
            anyhow::bail!("STORAGE_URL must be file:///path or s3://bucket/prefix, not `{url}`");
        }
        let (store, prefix) = object_store::parse_url_opts(&url, config.storage_options.clone())
            .with_context(|| format!("opening the attachment store {url}"))?;
        Ok(Storage {
            store: Arc::from(store),
            prefix,
            url: redact(&url),
        })
    }

    fn path(&self, key: &str) -> Path {
        key.split('/')
            .fold(self.prefix.clone(), |p, part| p.join(part))
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> anyhow::Result<()> {
        self.store
            .put(&self.path(key), PutPayload::from_bytes(bytes))
            .await
            .with_context(|| format!("storing {key}"))?;
        Ok(())
    }

    /// The object's bytes as a stream; `None` when it is not there.
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<ObjectStream>> {
        match self.store.get(&self.path(key)).await {
            Ok(got) => Ok(Some(got.into_stream())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(anyhow::Error::new(e).context(format!("reading {key}"))),
        }
    }

    /// Deletes the object; one that is not there is deleted already.
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.store.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(anyhow::Error::new(e).context(format!("deleting {key}"))),
        }
    }
}

/// The URL without credentials (user info, query).
fn redact(url: &url::Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_query(None);
    u.to_string()
}

/// The object key of an attachment's thumbnail.
pub fn thumbnail_key(storage_key: &str) -> String {
    format!("{storage_key}.thumb")
}
