-- Reverses 0010_serving_status_and_verified_hosts.sql: status and verification no longer count.
DROP FUNCTION theme_config.preview_image_hosts(text);
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
    JOIN theme_config.theme_publications p ON p.id = t.active_publication_id
   WHERE (p_theme_id IS NOT NULL AND t.id = p_theme_id) OR (p_host IS NOT NULL AND h.host = p_host)
  ON CONFLICT (host) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, theme_id = EXCLUDED.theme_id,
    publication_id = EXCLUDED.publication_id, theme_version_id = EXCLUDED.theme_version_id,
    bundle_url = EXCLUDED.bundle_url, bundle_sha256 = EXCLUDED.bundle_sha256,
    published_at = EXCLUDED.published_at, synced_at = now();
END;
$$;

DROP TRIGGER themes_host_resolution ON theme_config.themes;
CREATE TRIGGER themes_host_resolution AFTER UPDATE OF active_publication_id, deleted_at, property_id
  ON theme_config.themes FOR EACH ROW
  WHEN (OLD.active_publication_id IS DISTINCT FROM NEW.active_publication_id
        OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at OR OLD.property_id IS DISTINCT FROM NEW.property_id)
  EXECUTE FUNCTION theme_config.host_resolution_theme_trg();

DROP TRIGGER tenant_hosts_host_resolution ON tenant_service.tenant_hosts;
CREATE TRIGGER tenant_hosts_host_resolution AFTER INSERT OR UPDATE OR DELETE
  ON tenant_service.tenant_hosts FOR EACH ROW EXECUTE FUNCTION theme_config.host_resolution_host_trg();

-- The rows of suspended and archived live themes come back (FORCE lifted as in the forward file).
ALTER TABLE theme_config.host_resolution NO FORCE ROW LEVEL SECURITY;
ALTER TABLE theme_config.themes NO FORCE ROW LEVEL SECURITY;
ALTER TABLE tenant_service.tenant_hosts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE theme_config.theme_publications NO FORCE ROW LEVEL SECURITY;
-- The old sync serves every tenant_hosts row: an unproven (pending) host must be gone first, or the
-- rollback would serve it. Its tenant adds it again, with a new challenge, once rolled forward.
DELETE FROM tenant_service.tenant_hosts WHERE verification_status <> 'verified';
SELECT theme_config.host_resolution_sync(t.id, NULL) FROM theme_config.themes t WHERE t.deleted_at IS NULL;
ALTER TABLE theme_config.theme_publications FORCE ROW LEVEL SECURITY;
ALTER TABLE tenant_service.tenant_hosts FORCE ROW LEVEL SECURITY;
ALTER TABLE theme_config.themes FORCE ROW LEVEL SECURITY;
ALTER TABLE theme_config.host_resolution FORCE ROW LEVEL SECURITY;
