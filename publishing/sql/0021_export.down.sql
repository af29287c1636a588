DROP TABLE theme_config.tenant_export_jobs;
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
