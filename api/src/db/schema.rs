// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "actor_type"))]
    pub struct ActorType;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "member_role"))]
    pub struct MemberRole;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "message_channel"))]
    pub struct MessageChannel;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "message_sender"))]
    pub struct MessageSender;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "notify_email"))]
    pub struct NotifyEmail;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "plan"))]
    pub struct Plan;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "ticket_category"))]
    pub struct TicketCategory;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "ticket_priority"))]
    pub struct TicketPriority;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "ticket_source"))]
    pub struct TicketSource;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "ticket_status"))]
    pub struct TicketStatus;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    attachments (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        message_id -> Nullable<Uuid>,
        uploaded_by_user_id -> Nullable<Uuid>,
        uploaded_by_visitor_id -> Nullable<Uuid>,
        filename -> Text,
        content_type -> Text,
        size_bytes -> Int8,
        sha256 -> Text,
        width -> Nullable<Int4>,
        height -> Nullable<Int4>,
        has_thumbnail -> Bool,
        storage_key -> Text,
        url_key -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
        created_by -> Nullable<Uuid>,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        scopes -> Array<Text>,
    }
}

diesel::table! {
    stream_tickets (token_hash) {
        token_hash -> Text,
        workspace_id -> Uuid,
        user_id -> Nullable<Uuid>,
        session_id -> Nullable<Uuid>,
        api_key_id -> Nullable<Uuid>,
        visitor_id -> Nullable<Uuid>,
        access_expires_at -> Nullable<Timestamptz>,
        expires_at -> Timestamptz,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    conversation_reads (workspace_id, user_id, conversation_id) {
        workspace_id -> Uuid,
        user_id -> Uuid,
        conversation_id -> Uuid,
        read_at -> Nullable<Timestamptz>,
        reminder_due_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    articles (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        title -> Text,
        body -> Text,
        search -> Nullable<Tsvector>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        url -> Nullable<Text>,
    }
}

diesel::table! {
    email_verifications (user_id) {
        user_id -> Uuid,
        token_hash -> Nullable<Text>,
        expires_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    conversations (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        visitor_id -> Uuid,
        flow -> Jsonb,
        visitor_unread_count -> Int4,
        visitor_last_read_at -> Nullable<Timestamptz>,
        last_message_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        taken_over_at -> Nullable<Timestamptz>,
        taken_over_by -> Nullable<Uuid>,
        taken_over_name -> Nullable<Text>,
        agent_active_at -> Nullable<Timestamptz>,
        waiting_since -> Nullable<Timestamptz>,
        visitor_online_until -> Nullable<Timestamptz>,
        merged_into_id -> Nullable<Uuid>,
        language -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::MemberRole;

    invitations (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        email -> Text,
        role -> MemberRole,
        token_hash -> Text,
        invited_by -> Nullable<Uuid>,
        expires_at -> Timestamptz,
        accepted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::MemberRole;
    use super::sql_types::NotifyEmail;

    memberships (workspace_id, user_id) {
        workspace_id -> Uuid,
        user_id -> Uuid,
        role -> MemberRole,
        created_at -> Timestamptz,
        online_until -> Nullable<Timestamptz>,
        notify_email -> NotifyEmail,
        notify_delay_minutes -> Int4,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    knowledge_passages (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        article_id -> Uuid,
        position -> Int4,
        title -> Text,
        body -> Text,
        model -> Text,
        dimension -> Int4,
        vector -> Nullable<Bytea>,
        search -> Nullable<Tsvector>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::MessageSender;
    use super::sql_types::MessageChannel;

    messages (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        conversation_id -> Uuid,
        sender -> MessageSender,
        author_user_id -> Nullable<Uuid>,
        author_name -> Nullable<Text>,
        body -> Text,
        action -> Nullable<Jsonb>,
        created_at -> Timestamptz,
        sources -> Nullable<Jsonb>,
        channel -> MessageChannel,
        email -> Nullable<Jsonb>,
        attachments -> Nullable<Jsonb>,
        language -> Nullable<Text>,
    }
}

diesel::table! {
    inbound_emails (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        ticket_id -> Uuid,
        message_id -> Nullable<Uuid>,
        rfc_message_id -> Text,
        from_address -> Nullable<Text>,
        subject -> Nullable<Text>,
        auto_reply -> Bool,
        foreign_sender -> Bool,
        received_via -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    mail_quota (scope, window_start) {
        scope -> Text,
        window_start -> Timestamptz,
        count -> Int4,
    }
}

diesel::table! {
    outbox_jobs (id) {
        id -> Int8,
        workspace_id -> Nullable<Uuid>,
        kind -> Text,
        payload -> Jsonb,
        attempts -> Int4,
        max_attempts -> Int4,
        run_at -> Timestamptz,
        locked_until -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        done_at -> Nullable<Timestamptz>,
        failed_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        waiting -> Nullable<Text>,
    }
}

diesel::table! {
    rate_limits (key, window_start) {
        key -> Text,
        window_start -> Timestamptz,
        count -> Int4,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        family_id -> Uuid,
        token_hash -> Text,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        family_expires_at -> Timestamptz,
        replaced_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    saved_replies (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        title -> Text,
        shortcut -> Text,
        body -> Text,
        created_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::TicketStatus;

    ticket_counts (workspace_id, assignee_id, status) {
        workspace_id -> Uuid,
        assignee_id -> Uuid,
        status -> TicketStatus,
        count -> Int8,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::ActorType;

    audit_events (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        action -> Text,
        actor_type -> ActorType,
        actor_id -> Nullable<Uuid>,
        actor_name -> Nullable<Text>,
        target_type -> Nullable<Text>,
        target_id -> Nullable<Uuid>,
        data -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::ActorType;

    ticket_events (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        ticket_id -> Uuid,
        kind -> Text,
        actor_type -> ActorType,
        actor_id -> Nullable<Uuid>,
        actor_name -> Nullable<Text>,
        data -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::TicketStatus;
    use super::sql_types::TicketCategory;
    use super::sql_types::TicketSource;
    use super::sql_types::TicketPriority;

    tickets (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        number -> Int8,
        status -> TicketStatus,
        summary -> Text,
        description -> Text,
        category -> TicketCategory,
        source -> TicketSource,
        visitor_id -> Uuid,
        visitor_email -> Text,
        conversation_id -> Uuid,
        assignee_id -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        first_response_at -> Nullable<Timestamptz>,
        resolved_at -> Nullable<Timestamptz>,
        closed_at -> Nullable<Timestamptz>,
        email_references -> Array<Text>,
        priority -> TicketPriority,
        merged_into_id -> Nullable<Uuid>,
        merged_into_number -> Nullable<Int8>,
        language -> Nullable<Text>,
        anonymised_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    tags (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        name -> Text,
        colour -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::TicketStatus;
    use super::sql_types::TicketPriority;

    ticket_tags (workspace_id, ticket_id, tag_id) {
        workspace_id -> Uuid,
        ticket_id -> Uuid,
        tag_id -> Uuid,
        ticket_status -> TicketStatus,
        ticket_priority -> TicketPriority,
        ticket_created_at -> Timestamptz,
        ticket_updated_at -> Timestamptz,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        is_operator -> Bool,
        email_verified_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    visitors (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        email -> Nullable<Text>,
        name -> Nullable<Text>,
        country -> Nullable<Text>,
        browser -> Nullable<Text>,
        os -> Nullable<Text>,
        device_kind -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        page_url -> Nullable<Text>,
        referrer -> Nullable<Text>,
        locale -> Nullable<Text>,
        first_seen_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        external_id -> Nullable<Text>,
        verified_at -> Nullable<Timestamptz>,
        erased_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        webhook_id -> Uuid,
        event -> Text,
        payload -> Jsonb,
        status_code -> Nullable<Int4>,
        attempts -> Int4,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        url -> Text,
        events -> Array<Text>,
        secret -> Text,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Plan;

    workspaces (id) {
        id -> Uuid,
        name -> Text,
        plan -> Plan,
        widget_key -> Text,
        allowed_origins -> Array<Text>,
        widget_color -> Text,
        greeting -> Text,
        tickets_enabled -> Bool,
        notification_email -> Nullable<Text>,
        ai_instructions -> Text,
        reply_sets_in_progress -> Bool,
        ticket_counter -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        mail_sender_name -> Nullable<Text>,
        mail_sender_address -> Nullable<Text>,
        email_replies -> Bool,
        acknowledge_tickets -> Bool,
        identity_secret -> Nullable<Text>,
        identity_secret_created_at -> Nullable<Timestamptz>,
        default_language -> Text,
        retain_conversations_days -> Nullable<Int4>,
        anonymise_closed_tickets_days -> Nullable<Int4>,
    }
}

diesel::table! {
    notes (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        conversation_id -> Uuid,
        ticket_id -> Nullable<Uuid>,
        author_user_id -> Nullable<Uuid>,
        author_name -> Text,
        body -> Text,
        mentions -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    note_mentions (workspace_id, user_id, note_id) {
        workspace_id -> Uuid,
        user_id -> Uuid,
        note_id -> Uuid,
        conversation_id -> Uuid,
        created_at -> Timestamptz,
        read_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(api_keys -> users (created_by));
diesel::joinable!(api_keys -> workspaces (workspace_id));
diesel::joinable!(articles -> workspaces (workspace_id));
diesel::joinable!(conversations -> visitors (visitor_id));
diesel::joinable!(conversations -> workspaces (workspace_id));
diesel::joinable!(email_verifications -> users (user_id));
diesel::joinable!(attachments -> messages (message_id));
diesel::joinable!(attachments -> users (uploaded_by_user_id));
diesel::joinable!(attachments -> visitors (uploaded_by_visitor_id));
diesel::joinable!(attachments -> workspaces (workspace_id));
diesel::joinable!(inbound_emails -> messages (message_id));
diesel::joinable!(inbound_emails -> tickets (ticket_id));
diesel::joinable!(inbound_emails -> workspaces (workspace_id));
diesel::joinable!(invitations -> users (invited_by));
diesel::joinable!(invitations -> workspaces (workspace_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> workspaces (workspace_id));
diesel::joinable!(knowledge_passages -> articles (article_id));
diesel::joinable!(knowledge_passages -> workspaces (workspace_id));
diesel::joinable!(messages -> conversations (conversation_id));
diesel::joinable!(messages -> users (author_user_id));
diesel::joinable!(messages -> workspaces (workspace_id));
diesel::joinable!(note_mentions -> notes (note_id));
diesel::joinable!(note_mentions -> users (user_id));
diesel::joinable!(notes -> conversations (conversation_id));
diesel::joinable!(notes -> tickets (ticket_id));
diesel::joinable!(notes -> users (author_user_id));
diesel::joinable!(notes -> workspaces (workspace_id));
diesel::joinable!(outbox_jobs -> workspaces (workspace_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(saved_replies -> users (created_by));
diesel::joinable!(saved_replies -> workspaces (workspace_id));
diesel::joinable!(stream_tickets -> api_keys (api_key_id));
diesel::joinable!(stream_tickets -> users (user_id));
diesel::joinable!(stream_tickets -> visitors (visitor_id));
diesel::joinable!(stream_tickets -> workspaces (workspace_id));
diesel::joinable!(tags -> workspaces (workspace_id));
diesel::joinable!(ticket_counts -> workspaces (workspace_id));
diesel::joinable!(ticket_tags -> tags (tag_id));
diesel::joinable!(ticket_tags -> tickets (ticket_id));
diesel::joinable!(ticket_events -> tickets (ticket_id));
diesel::joinable!(ticket_events -> workspaces (workspace_id));
diesel::joinable!(tickets -> conversations (conversation_id));
diesel::joinable!(tickets -> users (assignee_id));
diesel::joinable!(tickets -> visitors (visitor_id));
diesel::joinable!(tickets -> workspaces (workspace_id));
diesel::joinable!(visitors -> workspaces (workspace_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_deliveries -> workspaces (workspace_id));
diesel::joinable!(webhooks -> workspaces (workspace_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_keys,
    attachments,
    audit_events,
    articles,
    conversations,
    email_verifications,
    inbound_emails,
    invitations,
    knowledge_passages,
    mail_quota,
    memberships,
    messages,
    note_mentions,
    notes,
    outbox_jobs,
    rate_limits,
    refresh_tokens,
    saved_replies,
    stream_tickets,
    tags,
    ticket_counts,
    ticket_events,
    ticket_tags,
    tickets,
    users,
    visitors,
    webhook_deliveries,
    webhooks,
    workspaces,
);
