//! CORS for the public widget API, per workspace: a browser on another origin may read
//! widget responses only when that origin is in the workspace's allowed origins (or the
//! workspace allows any origin by listing none). The workspace comes from the visitor token
//! or the `widget_key` query parameter. Session creation reflects the origin because its
//! handler checks the page origin itself (403 `origin_not_allowed`).
//!
//! Everything else under /api is for the dashboard (same origin) and API-key clients
//! (servers), and gets no CORS headers at all.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use uuid::Uuid;

use crate::auth::tokens;
use crate::db::{self, workspaces};
use crate::http::extract::bearer_token;
use crate::state::AppState;

const WIDGET_PREFIX: &str = "/api/v1/widget/";
const SESSIONS_PATH: &str = "/api/v1/widget/sessions";

enum Decision {
    Allow,
    Deny,
}

async fn decide(state: &AppState, req: &ServiceRequest, origin: &str) -> Decision {
    if req.path() == SESSIONS_PATH {
        return Decision::Allow;
    }
    let workspace: Option<(Option<Uuid>, Option<String>)> = match bearer_token(req.request()) {
        Some(t) => tokens::verify_visitor(&state.config, &t)
            .ok()
            .map(|c| (Some(c.ws), None)),
        None => url::form_urlencoded::parse(req.query_string().as_bytes())
            .find(|(k, _)| k == "widget_key")
            .map(|(_, v)| (None, Some(v.into_owned()))),
    };
    let Some((ws_id, key)) = workspace else {
        // Nothing names a workspace: the handler will answer 401/404; let the browser see it.
        return Decision::Allow;
    };
    let Ok(mut conn) = db::conn(&state.pool).await else {
        return Decision::Allow;
    };
    match workspaces::allowed_origins(&mut conn, ws_id, key.as_deref()).await {
        Ok(Some(list)) if list.is_empty() || list.iter().any(|o| o == origin) => Decision::Allow,
        Ok(Some(_)) => Decision::Deny,
        _ => Decision::Allow,
    }
}

pub async fn widget_cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (Some(origin), true) = (origin, req.path().starts_with(WIDGET_PREFIX)) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    // The widget frame calls the API from our own origin: same-origin needs no CORS
    // headers, so skip the workspace lookup on the hot path of every chat message.
    let own_origin = {
        let info = req.connection_info();
        format!("{}://{}", info.scheme(), info.host())
    };
    if origin.eq_ignore_ascii_case(&own_origin) {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let Ok(origin_value) = HeaderValue::from_str(&origin) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    if req.method() == actix_web::http::Method::OPTIONS {
        // Preflights carry no credentials; the real request is checked per workspace.
        let resp = HttpResponse::NoContent()
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin_value))
            .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS"))
            .insert_header((
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                "authorization, content-type, last-event-id",
            ))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
            .insert_header((header::VARY, "Origin"))
            .finish();
        return Ok(req.into_response(resp).map_into_right_body());
    }
    let allowed = match req.app_data::<web::Data<AppState>>() {
        Some(state) => matches!(decide(state, &req, &origin).await, Decision::Allow),
        None => false,
    };
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    if allowed {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin_value);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("retry-after"),
        );
    }
    Ok(res.map_into_left_body())
}
