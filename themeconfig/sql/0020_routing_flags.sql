-- Routing flags (seed 003, issue 22): a flag's value (`route_mode`) set per scope, env | tenant |
-- style | user, evaluated most specific first (user, then style, then tenant, then env: the seed's
-- evaluation priority, themeconfig/selectors/routing_flags.py); `style` is a theme here (its id).
-- Every change is audited in routing_flag_audit with who, when, what (old and new) and why (a
-- reason is required: the CHECK below), in the transaction of the change.
CREATE TABLE theme_config.routing_flags (
  id text PRIMARY KEY CHECK (length(id) = 26 AND id LIKE 'rfl_%'),
  tenant_id text NOT NULL CHECK (length(tenant_id) = 26 AND tenant_id LIKE 'tnt_%'),
  flag_key text NOT NULL CHECK (flag_key ~ '^[a-z][a-z0-9_.-]{0,63}$'),
  scope_type text NOT NULL CHECK (scope_type IN ('env', 'tenant', 'style', 'user')),
  scope_id text NOT NULL CHECK (length(scope_id) BETWEEN 1 AND 200),
  route_mode text NOT NULL CHECK (route_mode ~ '^[a-z][a-z0-9_]{0,31}$'),
  enabled boolean NOT NULL DEFAULT true,
  version integer NOT NULL DEFAULT 1 CHECK (version > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  CONSTRAINT routing_flags_scope_uq UNIQUE (tenant_id, flag_key, scope_type, scope_id)
);
ALTER TABLE theme_config.routing_flags ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.routing_flags FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.routing_flags
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));

-- Append-only, and kept after its flag is deleted (no foreign key: the history outlives the flag).
CREATE TABLE theme_config.routing_flag_audit (
  id text PRIMARY KEY CHECK (length(id) = 26 AND id LIKE 'rfa_%'),
  tenant_id text NOT NULL CHECK (length(tenant_id) = 26 AND tenant_id LIKE 'tnt_%'),
  routing_flag_id text NOT NULL CHECK (length(routing_flag_id) = 26 AND routing_flag_id LIKE 'rfl_%'),
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  change_payload jsonb NOT NULL CHECK (jsonb_typeof(change_payload) = 'object'
    AND change_payload ->> 'action' IN ('created', 'updated', 'deleted')
    AND length(btrim(coalesce(change_payload ->> 'reason', ''))) BETWEEN 1 AND 500)
);
CREATE INDEX routing_flag_audit_flag_idx ON theme_config.routing_flag_audit(routing_flag_id, changed_at DESC);
CREATE INDEX routing_flag_audit_tenant_idx ON theme_config.routing_flag_audit(tenant_id, changed_at DESC);
ALTER TABLE theme_config.routing_flag_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.routing_flag_audit FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.routing_flag_audit
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
-- The service role keeps UPDATE for user erasure (changed_by becomes the user's pseudonym) and DELETE
-- for tenant erasure and retention.
REVOKE UPDATE, DELETE ON theme_config.routing_flag_audit FROM theme_config_app;
