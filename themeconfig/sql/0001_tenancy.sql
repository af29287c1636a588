-- Tenancy: tenants, properties and hosts (schema tenant_service, which this service owns here),
-- memberships and API clients (schema theme_config). Every table carrying tenant_id is under RLS.

CREATE FUNCTION tenant_service.set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

CREATE TABLE tenant_service.tenants (
  id text PRIMARY KEY CHECK (length(id) = 26 AND id LIKE 'tnt_%'),
  slug text NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  plan text NOT NULL DEFAULT 'free' CHECK (plan IN ('free','starter','pro','enterprise')),
  settings jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(settings) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz NULL
);
CREATE UNIQUE INDEX tenants_slug_uq ON tenant_service.tenants(slug) WHERE deleted_at IS NULL;
CREATE TRIGGER tenants_set_updated_at BEFORE UPDATE ON tenant_service.tenants
  FOR EACH ROW EXECUTE FUNCTION tenant_service.set_updated_at();

CREATE TABLE tenant_service.properties (
  id text PRIMARY KEY CHECK (length(id) = 26 AND id LIKE 'prp_%'),
  tenant_id text NOT NULL REFERENCES tenant_service.tenants(id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz NULL,
  -- lets tenant_hosts prove that its property belongs to the same tenant
  CONSTRAINT properties_tenant_id_id_uq UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX properties_tenant_name_uq ON tenant_service.properties(tenant_id, lower(name)) WHERE deleted_at IS NULL;
CREATE TRIGGER properties_set_updated_at BEFORE UPDATE ON tenant_service.properties
  FOR EACH ROW EXECUTE FUNCTION tenant_service.set_updated_at();

CREATE TABLE tenant_service.tenant_hosts (
  host text PRIMARY KEY CHECK (
    length(host) <= 253
    AND host ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$'
  ),
  tenant_id text NOT NULL REFERENCES tenant_service.tenants(id) ON DELETE CASCADE,
  property_id text NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tenant_hosts_property_fk FOREIGN KEY (tenant_id, property_id)
    REFERENCES tenant_service.properties(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX tenant_hosts_tenant_idx ON tenant_service.tenant_hosts(tenant_id);
CREATE INDEX tenant_hosts_property_idx ON tenant_service.tenant_hosts(property_id) WHERE property_id IS NOT NULL;

CREATE TABLE theme_config.memberships (
  id text PRIMARY KEY CHECK (length(id) = 26 AND id LIKE 'mbr_%'),
  tenant_id text NOT NULL REFERENCES tenant_service.tenants(id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES public.auth_user(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  role text NOT NULL DEFAULT 'member' CHECK (role IN ('owner','admin','member','viewer','api')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT memberships_tenant_user_uq UNIQUE (tenant_id, user_id)
);
CREATE INDEX memberships_user_idx ON theme_config.memberships(user_id);
CREATE TRIGGER memberships_set_updated_at BEFORE UPDATE ON theme_config.memberships
  FOR EACH ROW EXECUTE FUNCTION tenant_service.set_updated_at();

CREATE TABLE theme_config.api_clients (
  id text PRIMARY KEY CHECK (length(id) = 26 AND id LIKE 'apk_%'),
  tenant_id text NOT NULL REFERENCES tenant_service.tenants(id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  role text NOT NULL DEFAULT 'api' CHECK (role IN ('owner','admin','member','viewer','api')),
  secret_hash text NOT NULL CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
  secret_hint text NOT NULL,
  permissions jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(permissions) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  last_used_at timestamptz NULL,
  expires_at timestamptz NULL,
  revoked_at timestamptz NULL
);
CREATE UNIQUE INDEX api_clients_secret_hash_uq ON theme_config.api_clients(secret_hash);
CREATE UNIQUE INDEX api_clients_tenant_name_uq ON theme_config.api_clients(tenant_id, name) WHERE revoked_at IS NULL;
CREATE INDEX api_clients_tenant_idx ON theme_config.api_clients(tenant_id);
CREATE INDEX api_clients_permissions_gin ON theme_config.api_clients USING gin (permissions);

-- Row level security. FORCE makes the policies bind the table owner too.
ALTER TABLE tenant_service.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_service.tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_service.tenants
  USING (id = current_setting('app.tenant_id'))
  WITH CHECK (id = current_setting('app.tenant_id'));
-- A signed-in user may see the tenants they belong to (the admin tenant picker).
CREATE POLICY member_read ON tenant_service.tenants FOR SELECT
  USING (id IN (SELECT m.tenant_id FROM theme_config.memberships m
                WHERE m.user_id = NULLIF(current_setting('app.user_id', true), '')::integer));

ALTER TABLE tenant_service.properties ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_service.properties FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_service.properties
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));

ALTER TABLE tenant_service.tenant_hosts ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_service.tenant_hosts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_service.tenant_hosts
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));

ALTER TABLE theme_config.memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.memberships
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
CREATE POLICY member_self_read ON theme_config.memberships FOR SELECT
  USING (user_id = NULLIF(current_setting('app.user_id', true), '')::integer);

ALTER TABLE theme_config.api_clients ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.api_clients FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.api_clients
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
