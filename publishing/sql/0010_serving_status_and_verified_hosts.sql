-- Serve only what should be served (issue 16). The read model public resolution answers from
-- (0007_host_resolution.sql) keeps a row only for a verified host (themeconfig/sql/0009) of a
-- live theme whose status is `active`: a
-- suspended or archived theme answers like a host with no theme, and a theme made active again is
-- served its active publication again in the same transaction (the trigger now also fires on
-- status). The seed's materialized views keep the seed's definition (they ignore status).
CREATE OR REPLACE FUNCTION theme_config.host_resolution_sync(p_theme_id text, p_host text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM theme_config.host_resolution r
   WHERE (p_theme_id IS NOT NULL AND r.theme_id = p_theme_id) OR (p_host IS NOT NULL AND r.host = p_host);
  INSERT INTO theme_config.host_resolution
    (host, tenant_id, theme_id, publication_id, theme_version_id, bundle_url, bundle_sha256, published_at)
  SELECT h.host, t.tenant_id, t.id, p.id, p.theme_version_id, p.bundle_url, p.bundle_sha256, p.published_at
    FROM tenant_service.tenant_hosts h
    JOIN theme_config.themes t ON t.tenant_id = h.tenant_id
     AND COALESCE(t.property_id, '') = COALESCE(h.property_id, '') AND t.deleted_at IS NULL
     AND t.status = 'active'
    JOIN theme_config.theme_publications p ON p.id = t.active_publication_id
   WHERE h.verification_status = 'verified'
     AND ((p_theme_id IS NOT NULL AND t.id = p_theme_id) OR (p_host IS NOT NULL AND h.host = p_host))
  ON CONFLICT (host) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, theme_id = EXCLUDED.theme_id,
    publication_id = EXCLUDED.publication_id, theme_version_id = EXCLUDED.theme_version_id,
    bundle_url = EXCLUDED.bundle_url, bundle_sha256 = EXCLUDED.bundle_sha256,
    published_at = EXCLUDED.published_at, synced_at = now();
END;
$$;

DROP TRIGGER themes_host_resolution ON theme_config.themes;
CREATE TRIGGER themes_host_resolution AFTER UPDATE OF active_publication_id, deleted_at, property_id, status
  ON theme_config.themes FOR EACH ROW
  WHEN (OLD.active_publication_id IS DISTINCT FROM NEW.active_publication_id
        OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at OR OLD.property_id IS DISTINCT FROM NEW.property_id
        OR OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION theme_config.host_resolution_theme_trg();

-- A host's row moves when its name, tenant, property or verification changes; a verification
-- check's bookkeeping (attempts, next check) does not rewrite it.
DROP TRIGGER tenant_hosts_host_resolution ON tenant_service.tenant_hosts;
CREATE TRIGGER tenant_hosts_host_resolution
  AFTER INSERT OR DELETE OR UPDATE OF host, tenant_id, property_id, verification_status
  ON tenant_service.tenant_hosts FOR EACH ROW EXECUTE FUNCTION theme_config.host_resolution_host_trg();

-- Backfill: rows of themes already suspended or archived go. The migrator owns these tables but
-- FORCE binds it to their policies (and it has no tenant), so FORCE is lifted for this statement
-- only, inside this migration's transaction.
ALTER TABLE theme_config.host_resolution NO FORCE ROW LEVEL SECURITY;
ALTER TABLE theme_config.themes NO FORCE ROW LEVEL SECURITY;
DELETE FROM theme_config.host_resolution r USING theme_config.themes t
 WHERE t.id = r.theme_id AND t.status <> 'active';
-- (Every host existing at themeconfig 0009 became verified, so no host row goes for that reason.)
ALTER TABLE theme_config.themes FORCE ROW LEVEL SECURITY;
ALTER TABLE theme_config.host_resolution FORCE ROW LEVEL SECURITY;

-- The preview page loads images only from the tenant's verified hosts (and configured asset hosts):
-- the preview reader, which reads no table, asks this for a live link's tenant's verified hosts.
-- Like preview_bundle_inputs (0008): the owner-only preview_lookup policy shows it that one token,
-- then it reads under the token's tenant and puts the caller's GUC back. It counts no access.
CREATE FUNCTION theme_config.preview_image_hosts(p_token_hash text)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_tenant text;
  v_caller_tenant text := current_setting('app.tenant_id', true);
BEGIN
  IF p_token_hash IS NULL OR p_token_hash !~ '^[0-9a-f]{64}$' THEN
    RETURN;
  END IF;
  PERFORM set_config('app.tenant_id', '', true);
  PERFORM set_config('theme_config.preview_token_hash', p_token_hash, true);
  SELECT t.tenant_id INTO v_tenant FROM theme_config.preview_tokens t
   WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL AND t.expires_at > now();
  PERFORM set_config('theme_config.preview_token_hash', '', true);
  IF v_tenant IS NOT NULL THEN
    PERFORM set_config('app.tenant_id', v_tenant, true);
    RETURN QUERY SELECT h.host FROM tenant_service.tenant_hosts h
                  WHERE h.tenant_id = v_tenant AND h.verification_status = 'verified' ORDER BY h.host;
  END IF;
  PERFORM set_config('app.tenant_id', coalesce(v_caller_tenant, ''), true);
END;
$$;
REVOKE ALL ON FUNCTION theme_config.preview_image_hosts(text)
  FROM PUBLIC, theme_config_app, theme_config_ro, theme_config_service;
GRANT EXECUTE ON FUNCTION theme_config.preview_image_hosts(text) TO theme_config_preview_reader;
