//! Webhook subscriptions (owners and admins): create (the signing secret is shown once),
//! list, read, update, delete, and the delivery log of each.

use diesel_async::AsyncConnection;
use uuid::Uuid;

use crate::auth::tokens;
use crate::db::webhooks::{self as store, WebhookChanges};
use crate::domain::access::Principal;
use crate::domain::page::{Page, PageRequest};
use crate::error::{ApiError, ApiResult};
use crate::services::access::admin;
use crate::services::audit;
use crate::state::AppState;
use crate::views::webhooks::{
    CreatedWebhook, DeliveryQuery, UpdateWebhook, WebhookDeliveryList, WebhookDeliveryOut,
    WebhookInput, WebhookList, WebhookOut,
};
use crate::webhooks::{self, payloads, validate_events, validate_url};

const CURSOR_TAG: &str = "deliveries";

fn not_found() -> ApiError {
    ApiError::not_found("webhook")
}

pub async fn list(state: &AppState, principal: &Principal, ws: Uuid) -> ApiResult<WebhookList> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    let items = store::list(&mut conn, access.workspace_id)
        .await?
        .into_iter()
        .map(WebhookOut::from)
        .collect();
    Ok(WebhookList { items })
}

pub async fn create(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    body: &WebhookInput,
) -> ApiResult<CreatedWebhook> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    let url = validate_url(&state.webhooks, &body.url).await?;
    let events = validate_events(&body.events)?;
    let secret = tokens::random_secret("whsec_");
    let hook = store::insert(
        &mut conn,
        access.workspace_id,
        &url,
        &events,
        &secret,
        body.active.unwrap_or(true),
    )
    .await?;
    audit::record(
        &mut conn,
        access.workspace_id,
        &access.actor,
        "webhook.created",
        Some(("webhook", hook.id)),
        serde_json::json!({"url": hook.url}),
    )
    .await?;
    Ok(CreatedWebhook {
        webhook: hook.into(),
        secret,
    })
}

pub async fn get(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
) -> ApiResult<WebhookOut> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    let hook = store::get(&mut conn, access.workspace_id, id)
        .await?
        .ok_or_else(not_found)?;
    Ok(hook.into())
}

pub async fn update(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
    body: UpdateWebhook,
) -> ApiResult<WebhookOut> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    let url = match body.url.as_deref() {
        Some(u) => Some(validate_url(&state.webhooks, u).await?),
        None => None,
    };
    let changes = WebhookChanges {
        url,
        events: body.events.as_deref().map(validate_events).transpose()?,
        active: body.active,
    };
    let hook = store::update(&mut conn, access.workspace_id, id, changes)
        .await?
        .ok_or_else(not_found)?;
    audit::record(
        &mut conn,
        access.workspace_id,
        &access.actor,
        "webhook.updated",
        Some(("webhook", hook.id)),
        serde_json::json!({"url": hook.url}),
    )
    .await?;
    Ok(hook.into())
}

/// Deletes the webhook and its delivery log.
pub async fn delete(state: &AppState, principal: &Principal, ws: Uuid, id: Uuid) -> ApiResult<()> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    let hook = store::get(&mut conn, access.workspace_id, id)
        .await?
        .ok_or_else(not_found)?;
    if store::delete(&mut conn, access.workspace_id, id).await? == 0 {
        return Err(not_found());
    }
    audit::record(
        &mut conn,
        access.workspace_id,
        &access.actor,
        "webhook.deleted",
        Some(("webhook", id)),
        serde_json::json!({"url": hook.url}),
    )
    .await?;
    Ok(())
}

/// The webhook's deliveries, newest first.
pub async fn deliveries(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
    q: &DeliveryQuery,
) -> ApiResult<WebhookDeliveryList> {
    let page = PageRequest::parse(q.limit, q.cursor.as_deref(), CURSOR_TAG)?;
    let (mut conn, access) = admin(state, principal, ws).await?;
    let ws = access.workspace_id;
    store::get(&mut conn, ws, id).await?.ok_or_else(not_found)?;
    let rows = store::deliveries(&mut conn, ws, id, page.after_key(), page.fetch()).await?;
    let Page { items, next_cursor } =
        Page::from_rows(rows, &page, CURSOR_TAG, |d| (d.created_at, d.id))
            .map(WebhookDeliveryOut::from);
    Ok(WebhookDeliveryList { items, next_cursor })
}

fn delivery_not_found() -> ApiError {
    ApiError::not_found("delivery")
}

/// "Send test event": a signed `webhook.test` to this webhook only (also while it is
/// switched off), through the outbox like any delivery; the queued delivery.
pub async fn send_test(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
) -> ApiResult<WebhookDeliveryOut> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    let ws = access.workspace_id;
    conn.transaction::<_, ApiError, _>(async |c| {
        store::get(c, ws, id).await?.ok_or_else(not_found)?;
        let data = serde_json::to_value(payloads::WebhookTest {
            webhook_id: id,
            message: "A test event from Handoff: your endpoint is reachable and can check the signature.",
        })
        .map_err(ApiError::internal)?;
        let delivery = webhooks::queue(c, ws, id, webhooks::WEBHOOK_TEST, &data).await?;
        let (d, _) = store::delivery(c, ws, delivery)
            .await?
            .ok_or_else(delivery_not_found)?;
        Ok(WebhookDeliveryOut::from(d))
    })
    .await
}

/// Sends a delivery that did not get through once more, with the same id and body (so a
/// receiver that drops repeats by `Handoff-Delivery` stays safe). One still waiting for
/// a retry is sent now; one whose retries ran out gets a new round. Refused (409): one
/// that got through, one not tried yet, one being sent this moment.
pub async fn redeliver(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
    delivery_id: Uuid,
) -> ApiResult<WebhookDeliveryOut> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    let ws = access.workspace_id;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (d, hook) = store::delivery(c, ws, delivery_id)
            .await?
            .filter(|(_, hook)| hook.id == id)
            .ok_or_else(delivery_not_found)?;
        if d.delivered_at.is_some() {
            return Err(ApiError::conflict(
                "already_delivered",
                "This delivery got through; it is not sent again.",
            ));
        }
        if !hook.active && d.event != webhooks::WEBHOOK_TEST {
            return Err(ApiError::conflict(
                "webhook_inactive",
                "The webhook is switched off; switch it on to redeliver.",
            ));
        }
        match store::pending_job(c, ws, d.id).await? {
            Some((_, Some(locked))) if locked > chrono::Utc::now() => {
                return Err(ApiError::conflict(
                    "delivery_in_progress",
                    "This delivery is being sent right now.",
                ));
            }
            Some((job, _)) if d.attempts > 0 => {
                store::run_job_now(c, job).await?;
            }
            Some(_) => {
                return Err(ApiError::conflict(
                    "not_attempted",
                    "This delivery has not been tried yet; it goes out shortly.",
                ));
            }
            None => {
                webhooks::enqueue_delivery(c, ws, d.id).await?;
            }
        }
        Ok(WebhookDeliveryOut::from(d))
    })
    .await
}
