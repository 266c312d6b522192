//! Builds the actix App (middleware, routes, docs, the built frontend) and serves it, with
//! the outbox worker and the event listener on the same runtime; used by `serve` and tests.

use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Compress, DefaultHeaders, from_fn};
use actix_web::{App, Error, HttpServer, web};
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Config;
use crate::db;
use crate::error;
use crate::http;
use crate::routes;
use crate::services::seed;
use crate::state::AppState;
use crate::worker;

/// How long `start` waits for the event listener before serving anyway.
const LISTENER_START: std::time::Duration = std::time::Duration::from_secs(5);

/// Every documented API route.
pub fn api_routes(cfg: &mut ServiceConfig) {
    routes::health::routes(cfg);
    routes::auth::routes(cfg);
    routes::workspaces::routes(cfg);
    routes::team::routes(cfg);
    routes::widget::routes(cfg);
    routes::articles::routes(cfg);
    routes::ai_settings::routes(cfg);
    routes::ticket_settings::routes(cfg);
    routes::inbound::routes(cfg);
    routes::tickets::routes(cfg);
    routes::attachments::routes(cfg);
    routes::tags::routes(cfg);
    routes::notes::routes(cfg);
    routes::saved_replies::routes(cfg);
    routes::privacy::routes(cfg);
    routes::viewers::routes(cfg);
    routes::conversations::routes(cfg);
    routes::notifications::routes(cfg);
    routes::events::routes(cfg);
    routes::webhooks::routes(cfg);
    routes::identity::routes(cfg);
    routes::operator::routes(cfg);
}

/// The OpenAPI document (what `handoff openapi` prints and openapi.yaml must equal).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut spec) = App::new()
        .into_utoipa_app()
        .openapi(crate::openapi::ApiDoc::openapi())
        .configure(api_routes)
        .split_for_parts();
    crate::openapi::complete(&mut spec);
    spec
}

/// The application for one worker thread.
pub fn build(
    state: web::Data<AppState>,
    spec: utoipa::openapi::OpenApi,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl actix_web::body::MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let frontend_dir = state.config.frontend_dir.clone();
    let mcp = crate::mcp::service(state.clone());
    let metrics = web::Data::from(state.metrics.clone());
    // What API keys need per operation, from the spec the server documents. A spec that
    // names an unknown scope can't be built (a unit test reads it), so this is empty only
    // if that test failed; then every key is refused, never let through.
    let route_scopes = web::Data::new(http::scopes::RouteScopes::from_spec(&spec).unwrap_or_else(
        |e| {
            tracing::error!(error = %e, "the API's scope table is invalid; API keys are refused");
            http::scopes::RouteScopes::default()
        },
    ));
    App::new()
        .app_data(state)
        .app_data(metrics)
        .app_data(route_scopes)
        .app_data(error::json_config())
        .app_data(error::query_config())
        .app_data(error::path_config())
        .app_data(http::nul::payload_config())
        .wrap(from_fn(http::nul::reject_nul))
        .wrap(from_fn(http::cors::widget_cors))
        .wrap(from_fn(http::metrics::track))
        .wrap(Compress::default())
        .wrap(from_fn(http::security_headers::security_headers))
        .wrap(
            DefaultHeaders::new()
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("Referrer-Policy", "strict-origin-when-cross-origin")),
        )
        .wrap(from_fn(http::request_id::request_id))
        .wrap(TracingLogger::<crate::telemetry::RequestSpan>::new())
        .into_utoipa_app()
        .configure(api_routes)
        .into_app()
        // The MCP server (docs/mcp.md): workspace API keys only, checked before rmcp.
        .service(
            mcp.scope_with_path(crate::mcp::PATH)
                .wrap(from_fn(crate::mcp::authenticate)),
        )
        .service(SwaggerUi::new("/docs/{_:.*}").url("/api/openapi.json", spec))
        .route(
            "/docs",
            web::get().to(|| async {
                actix_web::HttpResponse::PermanentRedirect()
                    .insert_header(("Location", "/docs/"))
                    .finish()
            }),
        )
        .configure(|c| routes::web::configure(c, &frontend_dir))
        .default_service(web::to(routes::web::fallback))
}

/// Runs the server (and, on the same runtime, the outbox worker and the event listener)
/// until it is stopped.
pub async fn serve(config: Config, demo_bind: Option<String>) -> anyhow::Result<()> {
    let applied = db::run_migrations(&config.database_url).await?;
    for m in &applied {
        tracing::info!(migration = %m, "applied migration");
    }
    let server = start(config, demo_bind).await?;
    server.await?;
    Ok(())
}

/// Binds and starts the server; returns the running server (tests await or stop it).
pub async fn start(
    config: Config,
    demo_bind: Option<String>,
) -> anyhow::Result<actix_web::dev::Server> {
    let listener = std::net::TcpListener::bind(&config.bind)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
    start_on(config, listener, demo_bind).await
}

pub async fn start_on(
    config: Config,
    listener: std::net::TcpListener,
    demo_bind: Option<String>,
) -> anyhow::Result<actix_web::dev::Server> {
    if config.jwt.is_none() {
        anyhow::bail!(
            "JWT_SECRET is not set and {}/{} does not exist. Set JWT_SECRET to 32 random bytes \
             (`openssl rand -base64 32`; every server of one deployment needs the same value), \
             or run `handoff init-secret` once to keep one under DATA_DIR (one server, or a \
             DATA_DIR all servers share).",
            config.data_dir.display(),
            crate::config::SECRET_FILE
        );
    }
    let database_url = config.database_url.clone();
    let state = web::Data::new(AppState::new(config)?);
    state.events.spawn_listener(database_url);
    // Serve once this process hears announcements, so its first streams miss nothing.
    if !state.events.wait_listening(LISTENER_START).await {
        tracing::warn!("the event listener is not up yet; live streams start late");
    }
    worker::spawn(state.clone());
    if let Some(bind) = state.config.inbound_smtp_bind.clone() {
        crate::inbound_smtp::spawn(state.clone(), &bind).await?;
    }
    // Articles never indexed in the configured model's vector space (a new model, or an
    // older database) are queued once at start; the worker indexes them.
    let st = state.clone();
    tokio::spawn(async move {
        match crate::services::knowledge::reindex(&st, false).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(articles = n, "queued knowledge-base indexing"),
            Err(e) => tracing::warn!(error = %e, "could not queue knowledge-base indexing"),
        }
    });
    let spec = openapi();
    let addr = listener.local_addr()?;
    let st = state.clone();
    let server = HttpServer::new(move || build(st.clone(), spec.clone()))
        .listen(listener)?
        .workers(worker_count())
        .shutdown_timeout(5)
        .run();
    if let Some(bind) = demo_bind {
        // The demo customer site answers on its own port: a different origin, as a real
        // customer's site would be.
        let key = web::Data::new(routes::web::DemoKey(
            seed::demo_widget_key(&state.pool).await?,
        ));
        let st = state.clone();
        let demo = HttpServer::new(move || {
            App::new()
                .app_data(st.clone())
                .app_data(key.clone())
                .default_service(web::to(routes::web::demo_page))
        })
        .workers(1)
        .bind(&bind)
        .map_err(|e| anyhow::anyhow!("cannot listen on {bind} for the demo site: {e}"))?
        .run();
        tracing::info!(%bind, "demo customer site listening");
        tokio::spawn(demo);
    }
    tracing::info!(%addr, "Handoff is listening");
    Ok(server)
}

fn worker_count() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 8)
}
