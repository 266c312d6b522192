//! The `handoff` command: serve, migrate, seed-demo, openapi, init-secret, create-user,
//! and the operator's `workspace plan` and `operator grant|revoke`.
#![allow(clippy::print_stdout)] // The CLI prints its answers (logins, the spec) to stdout.

use anyhow::Context;
use clap::{Parser, Subcommand};

use handoff::domain::enums::Plan;
use handoff::services::{accounts, operator, seed};
use handoff::{app, config::Config, db, telemetry};

#[derive(Parser)]
#[command(
    name = "handoff",
    version,
    about = "Handoff: AI chat widget with human handoff through support tickets"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run pending migrations, then serve the API, dashboard, widget and docs.
    Serve {
        /// Also serve the demo customer page (a different origin) on this address.
        #[arg(long, env = "DEMO_BIND")]
        demo_bind: Option<String>,
    },
    /// Run pending database migrations.
    Migrate,
    /// Create or refresh the demo workspace and print its login.
    SeedDemo,
    /// Print the OpenAPI document (YAML) that openapi.yaml must equal.
    Openapi,
    /// Queue the re-indexing of the knowledge base (the server's outbox worker runs it):
    /// every article with no passages in the configured embedding model's vector space.
    Reindex {
        /// Every article, whatever its passages.
        #[arg(long)]
        all: bool,
    },
    /// Create DATA_DIR/jwt_secret (0600) unless it exists, for `serve` without JWT_SECRET.
    InitSecret,
    /// Create a user account.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The password (or set HANDOFF_PASSWORD).
        #[arg(long, env = "HANDOFF_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Workspace controls of the instance operator.
    Workspace {
        #[command(subcommand)]
        command: WorkspaceCommand,
    },
    /// Grant or revoke the instance-operator flag of an account (operators set plans
    /// through the API too: PUT /api/v1/operator/workspaces/{ws}/plan).
    Operator {
        #[command(subcommand)]
        command: OperatorCommand,
    },
}

#[derive(Subcommand)]
enum WorkspaceCommand {
    /// Set a workspace's plan: free, standard or pro.
    Plan {
        /// The workspace id.
        workspace: uuid::Uuid,
        /// free, standard or pro.
        #[arg(value_parser = parse_plan)]
        plan: Plan,
    },
}

#[derive(Subcommand)]
enum OperatorCommand {
    /// Make the account with this email an instance operator.
    Grant { email: String },
    /// Take the operator flag away.
    Revoke { email: String },
}

fn parse_plan(raw: &str) -> Result<Plan, String> {
    Plan::parse(raw).ok_or_else(|| format!("`{raw}` is not a plan: free, standard or pro"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        print!(
            "{}",
            app::openapi()
                .to_yaml()
                .context("rendering the OpenAPI document")?
        );
        return Ok(());
    }
    telemetry::init();
    let config = Config::from_env()?;
    match cli.command {
        Command::Serve { demo_bind } => app::serve(config, demo_bind).await,
        Command::Migrate => {
            let applied = db::run_migrations(&config.database_url).await?;
            println!("{} migration(s) applied", applied.len());
            Ok(())
        }
        Command::SeedDemo => {
            db::run_migrations(&config.database_url).await?;
            let mut conn = db::establish(&config.database_url).await?;
            let login = seed::seed_demo(&mut conn).await?;
            println!();
            println!("  Demo workspace \"{}\" is ready.", seed::DEMO_WORKSPACE);
            println!("  Log in at {}/login", config.public_url);
            println!("    email:    {}", login.email);
            println!("    password: {}", login.password);
            println!();
            Ok(())
        }
        Command::CreateUser {
            email,
            name,
            password,
        } => {
            db::run_migrations(&config.database_url).await?;
            let mut conn = db::establish(&config.database_url).await?;
            let id = accounts::create_user(&mut conn, &email, &name, &password).await?;
            println!("created user {id} <{email}>");
            Ok(())
        }
        Command::Reindex { all } => {
            db::run_migrations(&config.database_url).await?;
            let state = handoff::state::AppState::new(config)?;
            if let Some(warning) = &state.embeddings_warning {
                eprintln!("warning: {warning}");
            }
            let queued = handoff::services::knowledge::reindex(&state, all).await?;
            println!(
                "{queued} article(s) queued for indexing (model: {})",
                match state.knowledge.model() {
                    "" => "none, EMBEDDINGS=off",
                    m => m,
                }
            );
            Ok(())
        }
        Command::InitSecret => {
            let path = config.data_dir.join(handoff::config::SECRET_FILE);
            if handoff::config::ensure_secret_file(&config.data_dir)? {
                println!("created {}", path.display());
            } else {
                println!("{} exists; kept it", path.display());
            }
            Ok(())
        }
        Command::Workspace {
            command: WorkspaceCommand::Plan { workspace, plan },
        } => {
            db::run_migrations(&config.database_url).await?;
            let mut conn = db::establish(&config.database_url).await?;
            let ws = operator::set_plan_unchecked(&mut conn, workspace, plan).await?;
            println!(
                "workspace {} ({}) is now on the {} plan",
                ws.id, ws.name, ws.plan
            );
            Ok(())
        }
        Command::Operator { command } => {
            db::run_migrations(&config.database_url).await?;
            let mut conn = db::establish(&config.database_url).await?;
            let (email, on) = match command {
                OperatorCommand::Grant { email } => (email, true),
                OperatorCommand::Revoke { email } => (email, false),
            };
            let id = operator::set_operator(&mut conn, &email, on).await?;
            let state = if on { "is now" } else { "is no longer" };
            println!("user {id} <{email}> {state} an instance operator");
            Ok(())
        }
        Command::Openapi => Ok(()),
    }
}
