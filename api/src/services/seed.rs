//! `handoff seed-demo`: a demo owner, a Standard-plan workspace with tickets on and a small
//! knowledge base, so that `make run` can be tried at once. Safe to run repeatedly: it
//! refreshes the demo password and keeps everything else.

use diesel_async::AsyncConnection;
use rand::Rng;
use uuid::Uuid;

use crate::auth::password;
use crate::db::models::{NewUser, NewWorkspace};
use crate::db::{self, Conn, Pool, articles, users, workspaces};
use crate::domain::enums::Plan;
use crate::error::{ApiError, ApiResult};
use crate::services::knowledge;
use crate::services::workspaces::create_owned;

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

const GREETING: &str = "Hi! I'm the Acme Shop assistant. Ask me about orders, shipping or returns.";
const INSTRUCTIONS: &str = "You are the friendly assistant of Acme Shop, an online store for outdoor clothing. Answer briefly and warmly.";

pub async fn seed_demo(conn: &mut Conn) -> ApiResult<DemoLogin> {
    let password: String = rand::rng()
        .sample_iter(&rand::distr::Alphanumeric)
        .take(16)
        .map(char::from)
        .collect();
    let hash = password::hash(password.clone()).await?;
    let workspace_id = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let new_user = NewUser {
                id: Uuid::new_v4(),
                email: DEMO_EMAIL,
                name: "Demo Owner",
                password_hash: &hash,
                // The demo owner's address is made up: it counts as verified.
                email_verified_at: Some(chrono::Utc::now()),
            };
            let user_id = match users::insert(conn, new_user).await? {
                Some(user) => user.id,
                None => users::set_password_by_email(conn, DEMO_EMAIL, &hash)
                    .await?
                    .ok_or_else(|| ApiError::internal(anyhow::anyhow!("the demo user vanished")))?,
            };
            if let Some(ws) = workspaces::by_widget_key(conn, DEMO_WIDGET_KEY).await? {
                return Ok(ws.id);
            }
            let ws = create_owned(
                conn,
                NewWorkspace {
                    id: Uuid::new_v4(),
                    name: DEMO_WORKSPACE,
                    plan: Plan::Standard,
                    widget_key: DEMO_WIDGET_KEY,
                },
                user_id,
            )
            .await?;
            workspaces::set_ticket_settings(
                conn,
                ws.id,
                workspaces::TicketSettingsRow {
                    enabled: true,
                    notification_email: Some(DEMO_EMAIL),
                    reply_sets_in_progress: ws.reply_sets_in_progress,
                    mail_sender_name: None,
                    mail_sender_address: None,
                    email_replies: false,
                    // The demo shows the visitor's side too: "We got your request …".
                    acknowledge_tickets: true,
                },
            )
            .await?;
            workspaces::set_greeting_and_instructions(conn, ws.id, GREETING, INSTRUCTIONS).await?;
            for (title, body) in ARTICLES {
                let a = articles::insert(conn, ws.id, title, body, None).await?;
                knowledge::enqueue(conn, ws.id, a.id).await?;
            }
            Ok(ws.id)
        })
        .await?;
    Ok(DemoLogin {
        email: DEMO_EMAIL.into(),
        password,
        workspace_id,
    })
}

/// The widget key the demo customer page embeds.
pub async fn demo_widget_key(pool: &Pool) -> anyhow::Result<String> {
    let mut conn = db::conn(pool).await?;
    let ws = workspaces::by_widget_key(&mut conn, DEMO_WIDGET_KEY).await?;
    ws.map(|w| w.widget_key).ok_or_else(|| {
        anyhow::anyhow!("the demo workspace does not exist: run `handoff seed-demo` first")
    })
}
