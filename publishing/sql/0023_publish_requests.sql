-- Four-eyes approval (issue 21): with the tenant setting `four_eyes_publish` on, a publish, rollback
-- or re-publish is first a request that another member with the publish permission approves (which
-- asks for the publish job) or rejects, each with a note. `action` names what the job will be; a
-- later `schedule` action (a publish at `run_at`) arms a schedule instead, so `run_at` is here,
-- NULL for every action this migration knows.
--
-- status: pending → decided (decision approved | rejected) | voided (void_reason) | withdrawn.
-- A pending publish request whose version is edited (theme_versions.version moves on) is voided by
-- the trigger below in the edit's own transaction, whichever use case made the edit.
CREATE TABLE theme_config.publish_requests (
  id text PRIMARY KEY CHECK (length(id) = 26 AND id LIKE 'pbr_%'),
  tenant_id text NOT NULL CHECK (length(tenant_id) = 26 AND tenant_id LIKE 'tnt_%'),
  theme_id text NOT NULL REFERENCES theme_config.themes(id) ON DELETE CASCADE,
  theme_version_id text NOT NULL REFERENCES theme_config.theme_versions(id) ON DELETE CASCADE,
  target_publication_id text NULL REFERENCES theme_config.theme_publications(id) ON DELETE SET NULL,
  -- The publication live when the request was made: what the approval page's diff is against.
  live_publication_id text NULL REFERENCES theme_config.theme_publications(id) ON DELETE SET NULL,
  action text NOT NULL CHECK (action IN ('publish','rollback','re_publish')),
  run_at timestamptz NULL,
  expected_version_version int NOT NULL CHECK (expected_version_version >= 1),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','decided','voided','withdrawn')),
  decision text NULL CHECK (decision IS NULL OR decision IN ('approved','rejected')),
  request_note text NULL CHECK (request_note IS NULL OR length(request_note) <= 2000),
  decision_note text NULL CHECK (decision_note IS NULL OR length(decision_note) <= 2000),
  decided_by text NULL,
  decided_at timestamptz NULL,
  void_reason text NULL,
  voided_at timestamptz NULL,
  publish_job_id text NULL REFERENCES theme_config.publish_jobs(id) ON DELETE SET NULL,
  version int NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  CONSTRAINT publish_requests_decided_chk CHECK ((status = 'decided') = (decision IS NOT NULL AND decided_by IS NOT NULL
                                                                          AND decided_at IS NOT NULL)),
  CONSTRAINT publish_requests_voided_chk CHECK ((status = 'voided') = (void_reason IS NOT NULL AND voided_at IS NOT NULL)),
  CONSTRAINT publish_requests_rollback_target_chk CHECK ((action = 'rollback') = (target_publication_id IS NOT NULL)
                                                         OR status <> 'pending'),
  CONSTRAINT publish_requests_run_at_chk CHECK (run_at IS NULL),
  -- The one who asked never decides (the service refuses first; this is the last word).
  CONSTRAINT publish_requests_four_eyes_chk CHECK (decided_by IS NULL OR decided_by <> created_by)
);
CREATE INDEX publish_requests_tenant_status_idx ON theme_config.publish_requests(tenant_id, status, created_at DESC);
CREATE INDEX publish_requests_theme_idx ON theme_config.publish_requests(theme_id, created_at DESC);
CREATE INDEX publish_requests_version_idx ON theme_config.publish_requests(theme_version_id);
-- The nullable foreign keys: a deleted publication or job finds its requests without a scan.
CREATE INDEX publish_requests_target_publication_idx ON theme_config.publish_requests(target_publication_id)
  WHERE target_publication_id IS NOT NULL;
CREATE INDEX publish_requests_live_publication_idx ON theme_config.publish_requests(live_publication_id)
  WHERE live_publication_id IS NOT NULL;
CREATE INDEX publish_requests_publish_job_idx ON theme_config.publish_requests(publish_job_id)
  WHERE publish_job_id IS NOT NULL;
ALTER TABLE theme_config.publish_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.publish_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.publish_requests
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));

-- An edit of a version (its OCC version moves on) voids the pending publish requests of it: what was
-- asked to be approved is no longer what would go live. Audited as the editor, in the edit's transaction.
CREATE FUNCTION theme_config.publish_requests_void_on_edit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  WITH voided AS (
    UPDATE theme_config.publish_requests
       SET status = 'voided', void_reason = 'version_edited', voided_at = now(), version = version + 1,
           updated_at = now(), updated_by = NEW.updated_by
     WHERE theme_version_id = NEW.id AND status = 'pending' AND action = 'publish'
    RETURNING id, tenant_id)
  INSERT INTO theme_config.audit_log (tenant_id, actor, action, entity_type, entity_id, old_values, new_values)
  SELECT tenant_id, NEW.updated_by, 'publish_request.voided', 'publish_request', id, '{"status": "pending"}'::jsonb,
         jsonb_build_object('status', 'voided', 'void_reason', 'version_edited', 'version_id', NEW.id,
                            'version_version', NEW.version)
    FROM voided;
  RETURN NULL;
END;
$$;
CREATE TRIGGER theme_versions_void_publish_requests
  AFTER UPDATE OF version ON theme_config.theme_versions
  FOR EACH ROW WHEN (NEW.version IS DISTINCT FROM OLD.version)
  EXECUTE FUNCTION theme_config.publish_requests_void_on_edit();
