-- Invitations: members join a tenant by accepting a one-time link sent to their e-mail address,
-- never by an admin picking a raw user id. Only the sha256 of the link's secret is stored.
CREATE TABLE theme_config.invitations (
  id text PRIMARY KEY CHECK (length(id) = 26 AND id LIKE 'inv_%'),
  tenant_id text NOT NULL REFERENCES tenant_service.tenants(id) ON DELETE CASCADE,
  email text NOT NULL CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
  role text NOT NULL CHECK (role IN ('owner','admin','member','viewer')),
  token_hash text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  invited_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz NULL,
  accepted_by_user_id integer NULL REFERENCES public.auth_user(id) ON DELETE SET NULL,
  revoked_at timestamptz NULL,
  CONSTRAINT invitations_expiry_chk CHECK (expires_at > created_at)
);
CREATE UNIQUE INDEX invitations_token_hash_uq ON theme_config.invitations(token_hash);
-- One open invitation per address and tenant; a new one replaces (revokes) the old.
CREATE UNIQUE INDEX invitations_open_email_uq ON theme_config.invitations(tenant_id, email)
  WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_tenant_idx ON theme_config.invitations(tenant_id);
CREATE INDEX invitations_accepted_by_idx ON theme_config.invitations(accepted_by_user_id)
  WHERE accepted_by_user_id IS NOT NULL;

ALTER TABLE theme_config.invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.invitations
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
