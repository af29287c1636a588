DROP FUNCTION theme_config.resolve_host_at_generation(text);
DROP FUNCTION theme_config.resolve_host(text);
CREATE FUNCTION theme_config.resolve_host(p_host text)
RETURNS TABLE (host text, tenant_id text, theme_id text, publication_id text, theme_version_id text,
               bundle_url text, bundle_sha256 text, published_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF p_host IS NULL OR length(p_host) > 253 THEN
    RETURN;
  END IF;
  PERFORM set_config('theme_config.resolve_host', p_host, true);
  PERFORM set_config('app.tenant_id', coalesce(current_setting('app.tenant_id', true), ''), true);
  RETURN QUERY SELECT r.host, r.tenant_id, r.theme_id, r.publication_id, r.theme_version_id, r.bundle_url,
                      r.bundle_sha256, r.published_at
                 FROM theme_config.host_resolution r WHERE r.host = p_host;
  PERFORM set_config('theme_config.resolve_host', '', true);
END;
$$;
REVOKE ALL ON FUNCTION theme_config.resolve_host(text) FROM PUBLIC, theme_config_ro, theme_config_service;
GRANT EXECUTE ON FUNCTION theme_config.resolve_host(text) TO theme_config_app;
CREATE FUNCTION theme_config.resolve_host_at_generation(p_host text)
RETURNS TABLE (generation bigint, host text, theme_id text, publication_id text, theme_version_id text,
               bundle_url text, bundle_sha256 text, published_at timestamptz)
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
  SELECT g.generation, r.host, r.theme_id, r.publication_id, r.theme_version_id, r.bundle_url, r.bundle_sha256,
         r.published_at
    FROM theme_config.resolve_generation g LEFT JOIN theme_config.resolve_host(p_host) r ON true
$$;
REVOKE ALL ON FUNCTION theme_config.resolve_host_at_generation(text) FROM PUBLIC, theme_config_ro, theme_config_service;
GRANT EXECUTE ON FUNCTION theme_config.resolve_host_at_generation(text) TO theme_config_app;
DROP TRIGGER theme_rollouts_host_resolution ON theme_config.theme_rollouts;
DROP FUNCTION theme_config.host_resolution_rollout_trg();
DROP TABLE theme_config.theme_rollouts;
-- host_resolution_sync: 0021_export's body (without the rollout column) comes back with that file's
-- definition; the column goes last.
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
    JOIN tenant_service.tenants tn ON tn.id = t.tenant_id AND tn.erasure_due_at IS NULL
   WHERE h.verification_status = 'verified'
     AND ((p_theme_id IS NOT NULL AND t.id = p_theme_id) OR (p_host IS NOT NULL AND h.host = p_host))
  ON CONFLICT (host) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, theme_id = EXCLUDED.theme_id,
    publication_id = EXCLUDED.publication_id, theme_version_id = EXCLUDED.theme_version_id,
    bundle_url = EXCLUDED.bundle_url, bundle_sha256 = EXCLUDED.bundle_sha256,
    published_at = EXCLUDED.published_at, synced_at = now();
END;
$$;
ALTER TABLE theme_config.host_resolution DROP COLUMN rollout;
