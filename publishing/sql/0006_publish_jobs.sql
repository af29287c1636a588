-- Publish jobs (seed 003 jobs/artifacts): a publish, rollback or re-publish runs on a worker;
-- the caller polls the job. Status moves queued → building → uploading → flipping → succeeded |
-- failed; `trace` holds what an operator needs to see what happened (timings per step, bundle
-- size and sha256, worker, attempts).
CREATE TABLE theme_config.publish_jobs (
  id text PRIMARY KEY CHECK (length(id) = 26 AND id LIKE 'pbj_%'),
  tenant_id text NOT NULL CHECK (length(tenant_id) = 26 AND tenant_id LIKE 'tnt_%'),
  theme_id text NOT NULL REFERENCES theme_config.themes(id) ON DELETE CASCADE,
  theme_version_id text NOT NULL REFERENCES theme_config.theme_versions(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('publish','rollback','re_publish')),
  status text NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued','building','uploading','flipping','succeeded','failed')),
  expected_theme_version int NOT NULL CHECK (expected_theme_version >= 1),
  expected_version_version int NULL,
  target_publication_id text NULL REFERENCES theme_config.theme_publications(id) ON DELETE SET NULL,
  publication_id text NULL REFERENCES theme_config.theme_publications(id) ON DELETE SET NULL,
  bundle_sha256 text NULL CHECK (bundle_sha256 IS NULL OR bundle_sha256 ~ '^[0-9a-f]{64}$'),
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
  CONSTRAINT publish_jobs_finished_chk CHECK (
    (status IN ('succeeded','failed')) = (finished_at IS NOT NULL)),
  CONSTRAINT publish_jobs_failed_has_code_chk CHECK (status <> 'failed' OR error_code IS NOT NULL)
);
CREATE INDEX publish_jobs_theme_created_idx ON theme_config.publish_jobs(theme_id, created_at DESC);
CREATE INDEX publish_jobs_tenant_idx ON theme_config.publish_jobs(tenant_id);
CREATE INDEX publish_jobs_version_idx ON theme_config.publish_jobs(theme_version_id);
CREATE INDEX publish_jobs_target_publication_idx ON theme_config.publish_jobs(target_publication_id)
  WHERE target_publication_id IS NOT NULL;
CREATE INDEX publish_jobs_publication_idx ON theme_config.publish_jobs(publication_id)
  WHERE publication_id IS NOT NULL;
-- The stale-job reaper looks for unfinished jobs.
CREATE INDEX publish_jobs_unfinished_idx ON theme_config.publish_jobs(updated_at)
  WHERE status NOT IN ('succeeded','failed');

ALTER TABLE theme_config.publish_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.publish_jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.publish_jobs
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
