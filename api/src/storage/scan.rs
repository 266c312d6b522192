//! The virus-scan hook: with `ATTACHMENT_SCAN_COMMAND` set (e.g. `clamdscan --no-summary -`
//! or `clamscan --no-summary -`), every upload is piped to that command before it is
//! stored. Exit 0: clean; exit 1: infected (refused); anything else, or no answer within
//! `SCAN_TIMEOUT`: the scan failed, and the upload is refused (fail closed).

use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use tokio::io::AsyncWriteExt;

const SCAN_TIMEOUT: Duration = Duration::from_secs(60);

/// What the scanner said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// Infected; the scanner's first output line (the signature's name, usually).
    Infected(String),
}

/// Runs `command` (split on whitespace, no shell) with the file on its stdin.
pub async fn scan(command: &str, bytes: &[u8]) -> anyhow::Result<Verdict> {
    let mut parts = command.split_whitespace();
    let program = parts.next().context("ATTACHMENT_SCAN_COMMAND is empty")?;
    let mut child = tokio::process::Command::new(program)
        .args(parts)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting the virus scanner `{program}`"))?;
    let mut stdin = child.stdin.take().context("the scanner's stdin")?;
    let input = bytes.to_vec();
    let writer = tokio::spawn(async move {
        // A scanner that stops reading early (it found something) closes the pipe.
        let _ = stdin.write_all(&input).await;
        let _ = stdin.shutdown().await;
    });
    let out = tokio::time::timeout(SCAN_TIMEOUT, child.wait_with_output())
        .await
        .context("the virus scanner did not answer in time")??;
    let _ = writer.await;
    let first_line = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect::<String>()
    };
    match out.status.code() {
        Some(0) => Ok(Verdict::Clean),
        Some(1) => Ok(Verdict::Infected(first_line(&out.stdout))),
        code => anyhow::bail!(
            "the virus scanner failed ({code:?}): {}",
            first_line(&out.stderr)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn exit_codes_say_clean_infected_or_failed() -> anyhow::Result<()> {
        assert_eq!(scan("true", b"hello").await?, Verdict::Clean);
        assert!(matches!(scan("false", b"x").await?, Verdict::Infected(_)));
        assert!(scan("ls /nonexistent-handoff-path", b"x").await.is_err());
        assert!(scan("/nonexistent/scanner", b"x").await.is_err());
        Ok(())
    }
}
