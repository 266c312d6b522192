//! The invitation mail: who invites you, to which workspace, as what, and the link.

use super::{Email, html_escape, html_layout};
use crate::domain::enums::Role;

pub const TTL_DAYS: i64 = 7;

pub fn invitation(to: &str, inviter: &str, workspace: &str, role: Role, link: &str) -> Email {
    let text = format!(
        "{inviter} invited you to join {workspace} on Handoff as {role}.\n\nAccept the invitation: {link}\n\nThe link expires in {TTL_DAYS} days. If you don't have an account yet, sign up with this email address first."
    );
    let html = html_layout(
        &format!("Join {workspace} on Handoff"),
        &format!(
            "<p>{} invited you to join <strong>{}</strong> as {}.</p><p><a href=\"{}\">Accept the invitation</a></p><p style=\"color:#6b7280\">The link expires in {} days.</p>",
            html_escape(inviter),
            html_escape(workspace),
            role,
            html_escape(link),
            TTL_DAYS
        ),
    );
    Email {
        to: to.to_string(),
        subject: format!("You're invited to {workspace} on Handoff"),
        text,
        html: Some(html),
        headers: super::Headers::default(),
    }
}
