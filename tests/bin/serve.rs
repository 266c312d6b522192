//! `handoff serve` as a program of this test crate, for the fault tests that need the
//! server in its own process (to kill it with SIGKILL): the same configuration from the
//! environment, migrations, then the same server as `handoff serve` (`app::serve`). Cargo
//! builds it for the tests (`CARGO_BIN_EXE_handoff-test-serve`), so it is never stale.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    handoff::telemetry::init();
    let config = handoff::config::Config::from_env()?;
    handoff::app::serve(config, None).await
}
