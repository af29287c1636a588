-- The outbox relay (seed 000 §3.12, brief "Events"): retry state on the outbox, tenants' webhook
-- subscriptions and their deliveries, and the coalescing state of the seed's read-model refresh.

-- Outbox additions (appended, defaulted: backward-compatible). `attempt_count`/`last_error` are the
-- seed's; the relay adds when an event may be tried again (exponential backoff) and when it was
-- given up on (dead letter, after OUTBOX_MAX_ATTEMPTS). A dead-lettered event no longer holds back
-- the later events of its partition; an operator retries it with `relay_outbox --retry`.
ALTER TABLE theme_config.outbox ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE theme_config.outbox ADD COLUMN dead_lettered_at timestamptz NULL;
-- The drain takes, per partition_key, the oldest pending event (by id: assigned at INSERT, after
-- the change's own row locks, so within one aggregate it is the commit order).
CREATE INDEX outbox_partition_pending_idx ON theme_config.outbox(partition_key, id)
  WHERE published_at IS NULL AND dead_lettered_at IS NULL;
CREATE INDEX outbox_dead_lettered_idx ON theme_config.outbox(dead_lettered_at)
  WHERE dead_lettered_at IS NOT NULL;
CREATE INDEX outbox_published_at_idx ON theme_config.outbox(published_at)
  WHERE published_at IS NOT NULL;

-- Webhook subscriptions: a tenant's HTTPS (or allow-listed) endpoint that receives its events as
-- CloudEvents, signed per the Standard Webhooks scheme. The signing secret is stored encrypted
-- (Fernet, WEBHOOK_SECRET_KEY) and shown once, when made or rotated.
CREATE TABLE theme_config.webhook_subscriptions (
  id text PRIMARY KEY CHECK (length(id) = 26 AND id LIKE 'whk_%'),
  tenant_id text NOT NULL CHECK (length(tenant_id) = 26 AND tenant_id LIKE 'tnt_%'),
  url text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
  secret_encrypted text NOT NULL,
  event_types text[] NOT NULL DEFAULT '{}',  -- empty: every event type
  is_active boolean NOT NULL DEFAULT true,
  description text NULL CHECK (description IS NULL OR length(description) <= 200),
  version int NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL
);
CREATE INDEX webhook_subscriptions_tenant_idx ON theme_config.webhook_subscriptions(tenant_id) WHERE is_active;
CREATE INDEX webhook_subscriptions_tenant_all_idx ON theme_config.webhook_subscriptions(tenant_id);
ALTER TABLE theme_config.webhook_subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.webhook_subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.webhook_subscriptions
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));

-- One row per (event, subscription): what the endpoint answered. A delivered row is never sent
-- again, so an event retried for another subscription's sake reaches each endpoint acknowledged
-- once. Written by the relay (service role); tenants read their own.
CREATE TABLE theme_config.webhook_deliveries (
  id bigserial PRIMARY KEY,
  event_id text NOT NULL REFERENCES theme_config.outbox(event_id) ON DELETE CASCADE,
  subscription_id text NOT NULL REFERENCES theme_config.webhook_subscriptions(id) ON DELETE CASCADE,
  tenant_id text NOT NULL,
  attempt_count int NOT NULL DEFAULT 0,
  last_status int NULL,
  last_error text NULL,
  delivered_at timestamptz NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT webhook_deliveries_event_subscription_uq UNIQUE (event_id, subscription_id)
);
CREATE INDEX webhook_deliveries_subscription_idx ON theme_config.webhook_deliveries(subscription_id, id DESC);
CREATE INDEX webhook_deliveries_tenant_idx ON theme_config.webhook_deliveries(tenant_id);
ALTER TABLE theme_config.webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.webhook_deliveries
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
REVOKE ALL ON theme_config.webhook_deliveries FROM theme_config_app;
GRANT SELECT ON theme_config.webhook_deliveries TO theme_config_app;
REVOKE ALL ON SEQUENCE theme_config.webhook_deliveries_id_seq FROM theme_config_app;

-- The seed's materialized views are refreshed coalesced: at most one refresh in flight, at most
-- one pending, not more often than READ_MODEL_REFRESH_MIN_INTERVAL_SECONDS. One row holds when a
-- refresh was last asked for, scheduled, started and finished (service role only).
CREATE TABLE theme_config.read_model_refresh_state (
  id int PRIMARY KEY CHECK (id = 1),
  requested_at timestamptz NULL,
  scheduled_for timestamptz NULL,
  started_at timestamptz NULL,
  finished_at timestamptz NULL,
  last_duration_ms numeric NULL,
  refresh_count bigint NOT NULL DEFAULT 0
);
INSERT INTO theme_config.read_model_refresh_state (id) VALUES (1);
REVOKE ALL ON theme_config.read_model_refresh_state FROM theme_config_app, theme_config_ro;
