//! `handoff seed-demo`: a demo owner, a Standard-plan workspace with tickets on and a small
//! knowledge base, so that `make run` can be tried at once. Safe to run repeatedly: it
//! refreshes the demo password and keeps everything else.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use rand::Rng;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::password;
use crate::db::enums::{Plan, Role};
use crate::db::models::{Membership, NewArticle, NewUser, NewWorkspace};
use crate::db::schema::{articles, memberships, users, workspaces};
use crate::error::ApiError;

pub const DEMO_EMAIL: &str = "demo@handoff.test";
pub const DEMO_WIDGET_KEY: &str = "wk_demo_acme_shop";
pub const DEMO_WORKSPACE: &str = "Acme Shop";

const ARTICLES: &[(&str, &str)] = &[
    (
        "Shipping times",
        "Orders ship within 1 business day. Standard delivery takes 3 to 5 business days within the US and 7 to 14 days internationally. Express delivery (1 to 2 business days) is available at checkout. You get a tracking link by email as soon as your order ships.",
    ),
    (
        "Return policy",
        "You can return unused items within 30 days of delivery for a full refund. Items must be in their original packaging. Start a return from the link in your delivery email; return shipping is free in the US. Refunds reach your card 5 to 10 business days after we receive the item.",
    ),
    (
        "Payment methods",
        "We accept Visa, Mastercard, American Express, PayPal, Apple Pay and Google Pay. All payments are processed securely; we never store full card numbers. Prices are shown in US dollars and include sales tax where applicable.",
    ),
    (
        "Resetting your password",
        "To reset your password, click \"Forgot password\" on the sign-in page and enter your email address. We send a reset link that is valid for one hour. If the email doesn't arrive, check your spam folder.",
    ),
    (
        "Opening hours and contact",
        "Our team works Monday to Friday, 9 am to 6 pm Eastern Time. The chat assistant is available around the clock and can create a support ticket for anything it can't solve.",
    ),
    (
        "Product warranty",
        "All Acme products come with a two-year limited warranty covering manufacturing defects. The warranty does not cover accidental damage or normal wear. Keep your order number: it is your proof of purchase.",
    ),
    (
        "Sizing guide",
        "Our clothing runs true to size. Measure your chest and waist and compare with the size chart on each product page. Between two sizes, pick the larger one for a relaxed fit.",
    ),
];

pub struct DemoLogin {
    pub email: String,
    pub password: String,
    pub workspace_id: Uuid,
}

pub async fn seed_demo(conn: &mut AsyncPgConnection) -> anyhow::Result<DemoLogin> {
    let password: String = rand::rng()
        .sample_iter(&rand::distr::Alphanumeric)
        .take(16)
        .map(char::from)
        .collect();
    let hash = password::hash(password.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let workspace_id = conn
        .transaction::<_, ApiError, _>(async move |conn| {
                let user_id: Uuid = diesel::insert_into(users::table)
                    .values(NewUser { id: Uuid::new_v4(), email: DEMO_EMAIL, name: "Demo Owner", password_hash: &hash })
                    .on_conflict_do_nothing()
                    .returning(users::id)
                    .get_result(conn)
                    .await
                    .optional()?
                    .map(Ok)
                    .unwrap_or_else(|| Err(()))
                    .or_else(|_| Ok::<_, ApiError>(Uuid::nil()))?;
                let user_id = if user_id.is_nil() {
                    diesel::update(users::table.filter(users::email.eq(DEMO_EMAIL)))
                        .set(users::password_hash.eq(&hash))
                        .returning(users::id)
                        .get_result(conn)
                        .await?
                } else {
                    user_id
                };
                let existing: Option<Uuid> = workspaces::table
                    .filter(workspaces::widget_key.eq(DEMO_WIDGET_KEY))
                    .select(workspaces::id)
                    .first(conn)
                    .await
                    .optional()?;
                if let Some(id) = existing {
                    return Ok(id);
                }
                let ws_id = Uuid::new_v4();
                diesel::insert_into(workspaces::table)
                    .values(NewWorkspace { id: ws_id, name: DEMO_WORKSPACE, plan: Plan::Standard, widget_key: DEMO_WIDGET_KEY })
                    .execute(conn)
                    .await?;
                diesel::update(workspaces::table.find(ws_id))
                    .set((
                        workspaces::tickets_enabled.eq(true),
                        workspaces::notification_email.eq(Some(DEMO_EMAIL)),
                        workspaces::greeting.eq("Hi! I'm the Acme Shop assistant. Ask me about orders, shipping or returns."),
                        workspaces::ai_instructions.eq("You are the friendly assistant of Acme Shop, an online store for outdoor clothing. Answer briefly and warmly."),
                    ))
                    .execute(conn)
                    .await?;
                diesel::insert_into(memberships::table)
                    .values(Membership { workspace_id: ws_id, user_id, role: Role::Owner, created_at: chrono::Utc::now() })
                    .execute(conn)
                    .await?;
                for (title, body) in ARTICLES {
                    diesel::insert_into(articles::table)
                        .values(NewArticle { id: Uuid::new_v4(), workspace_id: ws_id, title, body })
                        .execute(conn)
                        .await?;
                }
                Ok(ws_id)
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(DemoLogin {
        email: DEMO_EMAIL.into(),
        password,
        workspace_id,
    })
}

/// The widget key the demo customer page embeds.
pub async fn demo_widget_key(state: &AppState) -> anyhow::Result<String> {
    let mut conn = crate::db::conn(&state.pool)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let key: Option<String> = workspaces::table
        .filter(workspaces::widget_key.eq(DEMO_WIDGET_KEY))
        .select(workspaces::widget_key)
        .first(&mut conn)
        .await
        .optional()?;
    key.ok_or_else(|| {
        anyhow::anyhow!("the demo workspace does not exist: run `handoff seed-demo` first")
    })
}
