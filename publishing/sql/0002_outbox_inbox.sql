-- Transactional outbox, consumed-event inbox and idempotency keys (seed 000 §3.12), verbatim.
-- They carry tenant_id but no RLS: only infrastructure code touches them, through the service
-- connection (theme_config_service), so the request role gets no privilege on them at all.

CREATE TABLE theme_config.outbox (
  id bigserial PRIMARY KEY,
  event_id text NOT NULL UNIQUE CHECK (length(event_id) = 26),
  tenant_id text NOT NULL,
  event_type text NOT NULL,
  topic text NOT NULL,
  partition_key text NOT NULL,
  envelope jsonb NOT NULL,
  attributes jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz NULL,
  attempt_count int NOT NULL DEFAULT 0,
  last_error text NULL
);
CREATE INDEX outbox_unpublished_idx ON theme_config.outbox(created_at) WHERE published_at IS NULL;

CREATE TABLE theme_config.consumed_events (
  event_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  event_type text NOT NULL,
  consumed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consumed_events_tenant_idx ON theme_config.consumed_events(tenant_id);

CREATE TABLE theme_config.idempotency_keys (
  key text PRIMARY KEY,
  tenant_id text NOT NULL,
  endpoint text NOT NULL,
  request_hash text NOT NULL,
  response jsonb NULL,
  status_code int NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX idempotency_keys_expires_idx ON theme_config.idempotency_keys(expires_at);

-- additions: bootstrap_db's default privileges granted the request role DML here; take it back.
REVOKE ALL ON theme_config.outbox, theme_config.consumed_events, theme_config.idempotency_keys
  FROM theme_config_app;
REVOKE ALL ON SEQUENCE theme_config.outbox_id_seq FROM theme_config_app;
