-- Email both ways (issue 12, part 3): ticket mail with a per-workspace sender and a reply
-- address that routes the visitor's answer back into the ticket, threaded with
-- Message-ID / In-Reply-To / References; inbound mail (the SMTP listener or the HTTP
-- endpoint) appended to the conversation as channel `email`.

-- The sender of the workspace's ticket mail (the instance's MAIL_FROM when unset), and
-- whether replies by email come back into the ticket (Pro plan, INBOUND_DOMAIN set).
ALTER TABLE workspaces
    ADD COLUMN mail_sender_name    text,
    ADD COLUMN mail_sender_address text,
    ADD COLUMN email_replies       boolean NOT NULL DEFAULT false;

-- The ticket's mail thread: the Message-IDs of its mails both ways, the thread's root
-- first, then the most recent (capped by the application), so that the next mail's
-- In-Reply-To and References thread in every mail client.
ALTER TABLE tickets ADD COLUMN email_references text[] NOT NULL DEFAULT '{}';

-- Where a message came from: the chat (widget, dashboard) or an email reply. Email
-- messages carry what the dashboard shows about them (sender, attachments' names).
CREATE TYPE message_channel AS ENUM ('chat', 'email');
ALTER TABLE messages
    ADD COLUMN channel message_channel NOT NULL DEFAULT 'chat',
    ADD COLUMN email jsonb;

-- Every inbound mail accepted for a ticket, once per Message-ID and workspace (a provider
-- retrying a delivery, or the same reply arriving over SMTP and over HTTP, lands once).
-- Auto-replies are recorded here (and in the ticket's timeline) without a message.
CREATE TABLE inbound_emails (
    id              uuid PRIMARY KEY,
    workspace_id    uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    ticket_id       uuid NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    message_id      uuid REFERENCES messages (id) ON DELETE SET NULL,
    rfc_message_id  text NOT NULL,
    from_address    text,
    subject         text,
    auto_reply      boolean NOT NULL,
    foreign_sender  boolean NOT NULL,
    received_via    text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX inbound_emails_message_id_idx ON inbound_emails (workspace_id, rfc_message_id);
CREATE INDEX inbound_emails_ticket_idx ON inbound_emails (workspace_id, ticket_id, created_at);
