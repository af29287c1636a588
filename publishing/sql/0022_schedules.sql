-- Scheduled publish and timed revert (issue 21): a publish of a preview-ready version at `run_at`,
-- optionally followed by a revert (its own row, `reverts_id` naming the publish) that restores the
-- publication active just before the publish ran (`previous_publication_id`, recorded when it ran).
-- Status: pending_approval (waits for an approval step to arm it) | scheduled → running (a publish
-- job was made: `publish_job_id`) → succeeded | failed; or cancelled before it starts. A beat scan
-- takes due rows with FOR UPDATE SKIP LOCKED, so two scans never start one twice.
CREATE TABLE theme_config.publish_schedules (
  id text PRIMARY KEY CHECK (length(id) = 26 AND id LIKE 'sch_%'),
  tenant_id text NOT NULL CHECK (length(tenant_id) = 26 AND tenant_id LIKE 'tnt_%'),
  theme_id text NOT NULL REFERENCES theme_config.themes(id) ON DELETE CASCADE,
  theme_version_id text NOT NULL REFERENCES theme_config.theme_versions(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('publish','revert')),
  reverts_id text NULL REFERENCES theme_config.publish_schedules(id) ON DELETE CASCADE,
  run_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'scheduled'
    CHECK (status IN ('pending_approval','scheduled','running','succeeded','failed','cancelled')),
  expected_version_version int NULL,
  previous_publication_id text NULL REFERENCES theme_config.theme_publications(id) ON DELETE SET NULL,
  publish_job_id text NULL REFERENCES theme_config.publish_jobs(id) ON DELETE SET NULL,
  publication_id text NULL REFERENCES theme_config.theme_publications(id) ON DELETE SET NULL,
  error_code text NULL,
  error_message text NULL,
  started_at timestamptz NULL,
  finished_at timestamptz NULL,
  cancelled_at timestamptz NULL,
  cancelled_by text NULL,
  version int NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  CONSTRAINT publish_schedules_revert_names_publish_chk CHECK ((kind = 'revert') = (reverts_id IS NOT NULL)),
  CONSTRAINT publish_schedules_failed_has_code_chk CHECK (status <> 'failed' OR error_code IS NOT NULL),
  CONSTRAINT publish_schedules_cancelled_chk CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
  CONSTRAINT publish_schedules_finished_chk CHECK ((status IN ('succeeded','failed')) = (finished_at IS NOT NULL))
);
-- The beat scan: due rows of every tenant, oldest first.
CREATE INDEX publish_schedules_due_idx ON theme_config.publish_schedules(run_at)
  WHERE status IN ('pending_approval','scheduled','running');
CREATE INDEX publish_schedules_theme_run_idx ON theme_config.publish_schedules(theme_id, run_at DESC);
CREATE INDEX publish_schedules_tenant_idx ON theme_config.publish_schedules(tenant_id);
CREATE INDEX publish_schedules_version_idx ON theme_config.publish_schedules(theme_version_id);
-- A publish has at most one revert.
CREATE UNIQUE INDEX publish_schedules_reverts_uq ON theme_config.publish_schedules(reverts_id)
  WHERE reverts_id IS NOT NULL;
CREATE UNIQUE INDEX publish_schedules_job_uq ON theme_config.publish_schedules(publish_job_id)
  WHERE publish_job_id IS NOT NULL;
CREATE INDEX publish_schedules_previous_publication_idx ON theme_config.publish_schedules(previous_publication_id)
  WHERE previous_publication_id IS NOT NULL;
CREATE INDEX publish_schedules_publication_idx ON theme_config.publish_schedules(publication_id)
  WHERE publication_id IS NOT NULL;
ALTER TABLE theme_config.publish_schedules ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.publish_schedules FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.publish_schedules
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
