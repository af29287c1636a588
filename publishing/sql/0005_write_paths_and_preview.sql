-- Database-enforced write paths for the request role, and preview reads by token only.

-- Outbox: the request role appends events of its own tenant, and nothing else (INSERT only, no
-- RETURNING). FORCE binds the owner too; the drain runs as theme_config_service (BYPASSRLS).
ALTER TABLE theme_config.outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_append ON theme_config.outbox FOR INSERT TO theme_config_app
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));

-- Idempotency keys: a key is unique per tenant and route (the seed's key-only primary key would let
-- tenant A's key answer tenant B's request), stored and replayed inside the request's own tenant
-- transaction under the usual tenant_isolation policy. Retention purges run as the service role.
ALTER TABLE theme_config.idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE theme_config.idempotency_keys ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (tenant_id, endpoint, key);
ALTER TABLE theme_config.idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.idempotency_keys
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
GRANT SELECT, INSERT, UPDATE, DELETE ON theme_config.idempotency_keys TO theme_config_app;

-- Preview by token (§3.10): the preview reader role reads no table. It calls one SECURITY DEFINER
-- function with a token hash and gets that one version when the token is live. The function runs
-- as the owner, whom FORCE RLS binds: `preview_lookup` lets the owner see exactly the token row
-- whose hash the function put in `theme_config.preview_token_hash`, and the version is then read
-- under that token's tenant GUC like any tenant read.
DROP POLICY preview_reader_read ON theme_config.preview_tokens;
DROP POLICY preview_reader_read ON theme_config.theme_versions;
REVOKE ALL ON theme_config.preview_tokens, theme_config.theme_versions FROM theme_config_preview_reader;
CREATE POLICY preview_lookup ON theme_config.preview_tokens FOR SELECT TO theme_config_migrator
  USING (token_hash = current_setting('theme_config.preview_token_hash', true));

CREATE FUNCTION theme_config.preview_version(p_token_hash text)
RETURNS SETOF theme_config.theme_versions
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_token_id text;
  v_tenant text;
  v_version text;
  v_caller_tenant text := current_setting('app.tenant_id', true);
BEGIN
  IF p_token_hash IS NULL OR p_token_hash !~ '^[0-9a-f]{64}$' THEN
    RETURN;
  END IF;
  -- The tenant_isolation policies read app.tenant_id, which a fresh session has never set.
  PERFORM set_config('app.tenant_id', '', true);
  PERFORM set_config('theme_config.preview_token_hash', p_token_hash, true);
  SELECT t.id, t.tenant_id, t.theme_version_id INTO v_token_id, v_tenant, v_version
    FROM theme_config.preview_tokens t
   WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL AND t.expires_at > now();
  PERFORM set_config('theme_config.preview_token_hash', '', true);
  IF v_token_id IS NULL THEN
    PERFORM set_config('app.tenant_id', coalesce(v_caller_tenant, ''), true);
    RETURN;
  END IF;
  PERFORM set_config('app.tenant_id', v_tenant, true);
  UPDATE theme_config.preview_tokens
     SET access_count = access_count + 1, last_accessed_at = now()
   WHERE id = v_token_id;
  RETURN QUERY SELECT v.* FROM theme_config.theme_versions v WHERE v.id = v_version AND v.tenant_id = v_tenant;
  PERFORM set_config('app.tenant_id', coalesce(v_caller_tenant, ''), true);
END;
$$;
REVOKE ALL ON FUNCTION theme_config.preview_version(text)
  FROM PUBLIC, theme_config_app, theme_config_ro, theme_config_service;
GRANT EXECUTE ON FUNCTION theme_config.preview_version(text) TO theme_config_preview_reader;
