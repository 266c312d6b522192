-- Live event streams, so caps per visitor / user / API key and per client network hold
-- across every server process. A process holds one lease per open stream and renews all of
-- its leases together; a lease a crashed process left behind lapses at `expires_at`.
-- `holder` is `visitor:<uuid>`, `user:<uuid>` or `key:<uuid>`; `network` is the client's
-- IPv4 address or IPv6 /64 (`http::client_ip::ip_key`).
CREATE TABLE stream_leases (
    id          uuid PRIMARY KEY,
    process_id  uuid NOT NULL,
    holder      text NOT NULL,
    network     text NOT NULL,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stream_leases_holder_idx ON stream_leases (holder, expires_at);
CREATE INDEX stream_leases_network_idx ON stream_leases (network, expires_at);
CREATE INDEX stream_leases_process_idx ON stream_leases (process_id);
CREATE INDEX stream_leases_expires_idx ON stream_leases (expires_at);
