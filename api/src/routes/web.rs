//! The built frontend: the dashboard SPA (client-side routes fall back to index.html), the
//! widget loader at /widget.js, the widget frame at /widget/frame (embeddable only by the
//! workspace's allowed origins), and the demo customer page.

use std::path::{Path, PathBuf};

use crate::error::ApiError;
use crate::services::widget as widget_service;
use crate::state::AppState;
use actix_files::NamedFile;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

pub fn configure(cfg: &mut web::ServiceConfig, frontend_dir: &Path) {
    cfg.route("/widget.js", web::get().to(widget_loader))
        .route("/widget/frame", web::get().to(widget_frame))
        // The built file itself: answered by the same handler, so the frame is never
        // served without its frame-ancestors policy.
        .route("/widget/frame.html", web::get().to(widget_frame))
        .service(
            actix_files::Files::new("/widget", frontend_dir.join("widget"))
                .use_etag(true)
                .prefer_utf8(true),
        )
        .service(
            actix_files::Files::new("/assets", frontend_dir.join("assets"))
                .use_etag(true)
                .prefer_utf8(true),
        );
}

fn dist(state: &AppState) -> PathBuf {
    state.config.frontend_dir.clone()
}

async fn widget_loader(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> actix_web::Result<HttpResponse> {
    let path = dist(&state).join("widget").join("widget.js");
    let file = NamedFile::open(&path).map_err(|_| not_built())?;
    let mut resp = file.use_etag(true).into_response(&req);
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(resp)
}

/// The chat frame. With `?key=<widget_key>` of a workspace that lists allowed origins, only
/// those origins may embed it (CSP frame-ancestors).
async fn widget_frame(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> actix_web::Result<HttpResponse> {
    let key = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "key")
        .map(|(_, v)| v.into_owned());
    // `None`: no such widget; `Some([])`: any site may embed it.
    let ancestors = match key {
        Some(key) => widget_service::allowed_origins(&state, &key).await?,
        None => None,
    };
    let path = dist(&state).join("widget").join("frame.html");
    let file = NamedFile::open(&path).map_err(|_| not_built())?;
    let mut resp = file
        .use_etag(false)
        .use_last_modified(false)
        .into_response(&req);
    let csp = match ancestors {
        Some(list) if list.is_empty() => "frame-ancestors *".to_string(),
        // Origins were validated as plain scheme://host[:port] when saved.
        Some(list) => format!("frame-ancestors {}", list.join(" ")),
        // No key, or an unknown one: nobody may embed it.
        None => "frame-ancestors 'none'".to_string(),
    };
    if let Ok(v) = HeaderValue::from_str(&csp) {
        resp.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, v);
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(resp)
}

fn not_built() -> actix_web::Error {
    actix_web::error::ErrorNotFound(
        "The frontend is not built: run `make run` (or `npm run build` in frontend/).",
    )
}

/// Fallback for everything unmatched: JSON 404 under /api, the SPA's index.html for other
/// GETs (client-side routes), 404 JSON otherwise.
pub async fn fallback(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> actix_web::Result<HttpResponse> {
    let path = req.path();
    let is_api = path.starts_with("/api/") || path == "/api";
    if is_api || req.method() != actix_web::http::Method::GET {
        return Ok(actix_web::ResponseError::error_response(
            &ApiError::NotFound(format!("No route for {} {}.", req.method(), path)),
        ));
    }
    let index = dist(&state).join("index.html");
    match NamedFile::open(&index) {
        Ok(f) => {
            let mut resp = f.use_etag(false).use_last_modified(false).into_response(&req);
            resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            Ok(resp)
        }
        Err(_) => Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(
            "<!doctype html><title>Handoff</title><h1>Handoff</h1><p>The dashboard is not built yet. Run <code>make run</code>, or <code>npm install &amp;&amp; npm run build</code> in <code>frontend/</code>.</p><p>API docs: <a href=\"/docs/\">/docs</a></p>",
        )),
    }
}

/// The demo customer page ("Acme Shop") for the second listener, with the widget embedded.
pub async fn demo_page(state: web::Data<AppState>, widget_key: web::Data<DemoKey>) -> HttpResponse {
    let template_path = state
        .config
        .frontend_dir
        .join("..")
        .join("widget")
        .join("demo-shop.html");
    let template = tokio::fs::read_to_string(&template_path)
        .await
        .unwrap_or_else(|_| DEFAULT_DEMO.to_string());
    let html = template
        .replace("{{HANDOFF_URL}}", &state.config.public_url)
        .replace("{{WIDGET_KEY}}", &widget_key.0);
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html)
}

pub struct DemoKey(pub String);

const DEFAULT_DEMO: &str = r#"<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Acme Shop</title></head>
<body style="font-family:system-ui,sans-serif;margin:40px"><h1>Acme Shop</h1><p>A demo customer site. The chat button in the corner is the Handoff widget.</p>
<script src="{{HANDOFF_URL}}/widget.js" data-key="{{WIDGET_KEY}}" async></script></body></html>"#;
