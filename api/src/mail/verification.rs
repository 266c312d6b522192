//! The mail that confirms a new account's email address.

use super::{Email, html_escape, html_layout};

/// How long a verification link works.
pub const TTL_HOURS: i64 = 48;

pub fn verify_email(to: &str, name: &str, link: &str) -> Email {
    let text = format!(
        "Hi {name},\n\nconfirm that this is your email address to finish setting up your Handoff account: {link}\n\nThe link works for {TTL_HOURS} hours. If you didn't sign up for Handoff, ignore this mail."
    );
    let html = html_layout(
        "Confirm your email address",
        &format!(
            "<p>Hi {},</p><p>confirm that this is your email address to finish setting up your Handoff account.</p><p><a href=\"{}\">Confirm my email address</a></p><p style=\"color:#6b7280\">The link works for {} hours. If you didn't sign up for Handoff, ignore this mail.</p>",
            html_escape(name),
            html_escape(link),
            TTL_HOURS
        ),
    );
    Email {
        to: to.to_string(),
        subject: "Confirm your email address for Handoff".into(),
        text,
        html: Some(html),
        headers: super::Headers::default(),
    }
}
