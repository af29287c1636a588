-- The read model public host resolution answers from: one row per host with the active bundle of
-- its theme. Maintained incrementally by triggers, in the transaction of the change that moves it
-- (the flip setting themes.active_publication_id, a soft delete/restore, a host added, moved or
-- removed), for the rows of that one theme or host only: a publish costs O(hosts of the theme),
-- not a refresh of every theme. The seed's materialized views stay for their readers.
CREATE TABLE theme_config.host_resolution (
  host text PRIMARY KEY,
  tenant_id text NOT NULL,
  theme_id text NOT NULL,
  publication_id text NOT NULL,
  theme_version_id text NOT NULL,
  bundle_url text NOT NULL,
  bundle_sha256 text NOT NULL,
  published_at timestamptz NOT NULL,
  synced_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX host_resolution_theme_idx ON theme_config.host_resolution(theme_id);
CREATE INDEX host_resolution_tenant_idx ON theme_config.host_resolution(tenant_id);
ALTER TABLE theme_config.host_resolution ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.host_resolution FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.host_resolution
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
-- The public resolve function (owner-run) sees exactly the row of the host it was asked about.
CREATE POLICY resolve_lookup ON theme_config.host_resolution FOR SELECT TO theme_config_migrator
  USING (host = current_setting('theme_config.resolve_host', true));

-- Rows for one theme (all its hosts) or one host, rebuilt from the source tables. The triggers run
-- as the writing role inside its tenant transaction, so RLS keeps them to that tenant.
CREATE FUNCTION theme_config.host_resolution_sync(p_theme_id text, p_host text) RETURNS void
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
    JOIN theme_config.theme_publications p ON p.id = t.active_publication_id
   WHERE (p_theme_id IS NOT NULL AND t.id = p_theme_id) OR (p_host IS NOT NULL AND h.host = p_host)
  ON CONFLICT (host) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, theme_id = EXCLUDED.theme_id,
    publication_id = EXCLUDED.publication_id, theme_version_id = EXCLUDED.theme_version_id,
    bundle_url = EXCLUDED.bundle_url, bundle_sha256 = EXCLUDED.bundle_sha256,
    published_at = EXCLUDED.published_at, synced_at = now();
END;
$$;

CREATE FUNCTION theme_config.host_resolution_theme_trg() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM theme_config.host_resolution_sync(NEW.id, NULL);
  RETURN NULL;
END;
$$;
CREATE TRIGGER themes_host_resolution AFTER UPDATE OF active_publication_id, deleted_at, property_id
  ON theme_config.themes FOR EACH ROW
  WHEN (OLD.active_publication_id IS DISTINCT FROM NEW.active_publication_id
        OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at OR OLD.property_id IS DISTINCT FROM NEW.property_id)
  EXECUTE FUNCTION theme_config.host_resolution_theme_trg();

CREATE FUNCTION theme_config.host_resolution_host_trg() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM theme_config.host_resolution_sync(NULL, OLD.host);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM theme_config.host_resolution_sync(NULL, NEW.host);
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER tenant_hosts_host_resolution AFTER INSERT OR UPDATE OR DELETE
  ON tenant_service.tenant_hosts FOR EACH ROW EXECUTE FUNCTION theme_config.host_resolution_host_trg();

-- The public path has no tenant: it calls this (SECURITY DEFINER, EXECUTE for the request role
-- only), which answers for the one host asked about and nothing else.
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
REVOKE ALL ON FUNCTION theme_config.host_resolution_sync(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION theme_config.host_resolution_sync(text, text) TO theme_config_app, theme_config_service;

-- No backfill: nothing could be published before this migration (the flip arrives with it).
