-- AI generation jobs: one request for a draft (palette, translation or content), run by a worker
-- that calls the configured provider and, when the output passes the validators, creates the
-- pending draft. The caller polls the job. Status moves queued → running → succeeded (draft_id
-- set) | failed (error_code, and `errors` with the JSON path of each problem when the provider's
-- output was invalid). `base` is the state the draft is bound to, read when the job was asked
-- for; `parameters` what the caller asked (mood, locale, surface/kind, facts …).
CREATE TABLE theme_config.ai_generation_jobs (
  id text PRIMARY KEY CHECK (length(id) = 26 AND id LIKE 'aij_%'),
  tenant_id text NOT NULL CHECK (length(tenant_id) = 26 AND tenant_id LIKE 'tnt_%'),
  kind text NOT NULL CHECK (kind IN ('palette','translation','content')),
  theme_id text NOT NULL REFERENCES theme_config.themes(id) ON DELETE CASCADE,
  theme_version_id text NULL REFERENCES theme_config.theme_versions(id) ON DELETE CASCADE,
  parameters jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(parameters) = 'object'),
  base jsonb NOT NULL CHECK (jsonb_typeof(base) = 'object'),
  provider text NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','running','succeeded','failed')),
  draft_id text NULL,
  error_code text NULL,
  error_message text NULL,
  errors jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(errors) = 'array'),
  trace jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(trace) = 'object'),
  attempts int NOT NULL DEFAULT 0,
  requested_by text NOT NULL,
  principal jsonb NOT NULL CHECK (jsonb_typeof(principal) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz NULL,
  finished_at timestamptz NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ai_generation_jobs_version_kind_chk CHECK ((kind = 'palette') = (theme_version_id IS NULL)),
  CONSTRAINT ai_generation_jobs_finished_chk CHECK ((status IN ('succeeded','failed')) = (finished_at IS NOT NULL)),
  CONSTRAINT ai_generation_jobs_failed_has_code_chk CHECK (status <> 'failed' OR error_code IS NOT NULL),
  CONSTRAINT ai_generation_jobs_succeeded_has_draft_chk CHECK (status <> 'succeeded' OR draft_id IS NOT NULL)
);
-- Per-tenant limits count the jobs of the last 24 hours and the unfinished ones.
CREATE INDEX ai_generation_jobs_tenant_created_idx ON theme_config.ai_generation_jobs(tenant_id, created_at DESC);
CREATE INDEX ai_generation_jobs_theme_idx ON theme_config.ai_generation_jobs(theme_id);
CREATE INDEX ai_generation_jobs_version_idx ON theme_config.ai_generation_jobs(theme_version_id)
  WHERE theme_version_id IS NOT NULL;
-- The stale-job reaper looks for unfinished jobs.
CREATE INDEX ai_generation_jobs_unfinished_idx ON theme_config.ai_generation_jobs(updated_at)
  WHERE status NOT IN ('succeeded','failed');

ALTER TABLE theme_config.ai_generation_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.ai_generation_jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.ai_generation_jobs
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
