//! Black-box API tests: one binary, one module per area, each test on its own database.

mod articles;
mod assistant_eval;
mod assistant_openai;
mod auth;
mod db_tls;
mod email;
mod embedding;
mod faults;
mod http_basics;
mod isolation;
mod knowledge;
mod live;
mod migrations;
mod openapi;
mod outbox;
mod realtime;
mod session_cookie;
mod sessions;
mod streams;
mod tags;
mod team;
mod ticket_settings;
mod tickets;
mod webhooks;
mod widget;
mod workspaces;
