-- Tenant export jobs (issue 18): an owner asks for an archive of the tenant; a worker writes it to
-- storage under `storage_key`, with its size and manifest (tables, counts, sha256 of each file).
-- Status moves queued → writing → succeeded | failed, on the shared job machinery.
CREATE TABLE theme_config.tenant_export_jobs (
  id text PRIMARY KEY CHECK (length(id) = 26 AND id LIKE 'exj_%'),
  tenant_id text NOT NULL CHECK (length(tenant_id) = 26 AND tenant_id LIKE 'tnt_%'),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','writing','succeeded','failed')),
  storage_key text NULL CHECK (storage_key IS NULL OR storage_key LIKE 'exports/%'),
  size_bytes bigint NULL CHECK (size_bytes IS NULL OR size_bytes >= 0),
  manifest jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(manifest) = 'object'),
  error_code text NULL,
  error_message text NULL,
  trace jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(trace) = 'object'),
  attempts int NOT NULL DEFAULT 0,
  requested_by text NOT NULL,
  principal jsonb NOT NULL CHECK (jsonb_typeof(principal) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz NULL,
  finished_at timestamptz NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tenant_export_jobs_finished_chk CHECK ((status IN ('succeeded','failed')) = (finished_at IS NOT NULL)),
  CONSTRAINT tenant_export_jobs_failed_has_code_chk CHECK (status <> 'failed' OR error_code IS NOT NULL),
  CONSTRAINT tenant_export_jobs_succeeded_has_key_chk CHECK (status <> 'succeeded' OR storage_key IS NOT NULL)
);
CREATE INDEX tenant_export_jobs_tenant_created_idx ON theme_config.tenant_export_jobs(tenant_id, created_at DESC);
CREATE INDEX tenant_export_jobs_unfinished_idx ON theme_config.tenant_export_jobs(updated_at)
  WHERE status NOT IN ('succeeded','failed');
ALTER TABLE theme_config.tenant_export_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.tenant_export_jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.tenant_export_jobs
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));

-- A tenant marked for erasure is served nothing: the read model public resolution answers from
-- keeps no row of it (0010's function, plus the tenant's mark), and the mark's use case re-syncs
-- the tenant's themes when it is set or taken back.
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
